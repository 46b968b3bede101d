//! Events (ECS JSON) → polars frames.

use polars::prelude::*;
use serde_json::Value;

/// `a.b.c` of an event as a string slice (strings only).
fn text<'a>(e: &'a Value, dotted: &str) -> Option<&'a str> {
    let v = if dotted == "@timestamp" {
        e.get("@timestamp")
    } else {
        dotted.split('.').try_fold(e, |v, k| v.get(k))
    };
    v.and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn int(e: &Value, dotted: &str) -> Option<i64> {
    let v = dotted.split('.').try_fold(e, |v, k| v.get(k))?;
    v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `@timestamp` in UTC milliseconds.
pub(crate) fn timestamp_ms(e: &Value) -> Option<i64> {
    let t = text(e, "@timestamp")?;
    chrono::DateTime::parse_from_rfc3339(t).ok().map(|d| d.timestamp_millis())
}

/// The client: `source.ip`, else `source.domain`, else `source.address`.
fn client(e: &Value) -> Option<&str> {
    text(e, "source.ip").or_else(|| text(e, "source.domain")).or_else(|| text(e, "source.address"))
}

/// Path classes computed in Rust (no polars `strings` feature needed).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PathClass {
    /// A `.php` (or `.phtml`, `.php5`, …) script.
    pub php: bool,
    /// A CMS admin path: the login entry points (wp-login.php, xmlrpc.php, mt.cgi,
    /// /administrator/) and the admin pages behind them (/wp-admin/…).
    pub login: bool,
    /// A login form that is shown again (200) when a POST fails: wp-login.php, Joomla's
    /// /administrator/index.php. (mt.cgi and xmlrpc.php answer 200 either way.)
    pub login_form: bool,
    /// An admin page proper (reached after a login), not the login form itself.
    pub admin_page: bool,
    /// A form-like name: contact, form, comment, feedback, mail, subscribe, newsletter, …
    pub form: bool,
    /// Under a directory where uploads land (uploads, upload, images, files, tmp, cache, media).
    pub upload_dir: bool,
}

/// Classifies a URL path (case-insensitive).
pub(crate) fn classify(path: &str) -> PathClass {
    let p = path.to_ascii_lowercase();
    let last = p.rsplit('/').next().unwrap_or("");
    let ext = last.rsplit_once('.').map(|(_, x)| x).unwrap_or("");
    let php = matches!(ext, "php" | "php3" | "php4" | "php5" | "php7" | "phtml" | "phar");
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).collect();
    let administrator = segs.first().is_some_and(|s| *s == "administrator");
    let entry = last == "wp-login.php"
        || last == "xmlrpc.php"
        || last == "mt.cgi"
        || (last.starts_with("mt-") && last.ends_with(".cgi"))
        || (administrator && (segs.len() == 1 || last == "index.php"));
    let admin_page = !entry
        && ((segs.contains(&"wp-admin") && last != "admin-ajax.php")
            || (administrator && segs.len() > 1));
    let form = [
        "contact",
        "form",
        "comment",
        "feedback",
        "mail",
        "subscribe",
        "newsletter",
        "inquiry",
        "enquiry",
        "guestbook",
        "toiawase", // お問い合わせ
        "register",
        "signup",
    ]
    .iter()
    .any(|k| last.contains(k));
    let upload_dir = segs.iter().rev().skip(1).any(|s| {
        matches!(*s, "uploads" | "upload" | "images" | "img" | "files" | "tmp" | "cache" | "media")
    });
    PathClass {
        php,
        login: entry || admin_page,
        login_form: last == "wp-login.php"
            || (administrator && (segs.len() == 1 || last == "index.php")),
        admin_page,
        form,
        upload_dir,
    }
}

/// Columns of [`http_frame`].
pub const HTTP_COLUMNS: &[&str] = &[
    "ts",
    "client",
    "method",
    "path",
    "status",
    "user_agent",
    "vhost",
    "php",
    "login",
    "login_form",
    "admin_page",
    "form",
    "upload_dir",
];

/// One row per HTTP request event (events with `http.request.method` or
/// `http.response.status_code`, a path and a valid `@timestamp`; others are skipped). Also returns
/// how many events were skipped.
///
/// Columns: `ts` (UTC ms, i64), `client`, `method` (upper case), `path` (`url.path`, else
/// `url.original` up to `?`), `status` (i64, null when absent), `user_agent`, `vhost`
/// (`destination.domain`, else `host.name`), and the path classes `php`, `login`, `admin_page`,
/// `login_form`, `form`, `upload_dir` (bool).
pub fn http_frame(events: &[Value]) -> PolarsResult<(DataFrame, usize)> {
    let mut ts = vec![];
    let mut cl: Vec<String> = vec![];
    let mut me: Vec<String> = vec![];
    let mut pa: Vec<String> = vec![];
    let mut st: Vec<Option<i64>> = vec![];
    let mut ua: Vec<Option<String>> = vec![];
    let mut vh: Vec<Option<String>> = vec![];
    let (mut php, mut login, mut lform, mut admin, mut form, mut up) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut skipped = 0usize;
    for e in events {
        let method = text(e, "http.request.method");
        let status = int(e, "http.response.status_code");
        let path = text(e, "url.path")
            .or_else(|| text(e, "url.original").map(|o| o.split('?').next().unwrap_or(o)));
        let (Some(t), Some(path)) = (timestamp_ms(e), path) else {
            skipped += 1;
            continue;
        };
        if method.is_none() && status.is_none() {
            skipped += 1;
            continue;
        }
        let c = classify(path);
        ts.push(t);
        cl.push(client(e).unwrap_or("-").to_string());
        me.push(method.unwrap_or("-").to_ascii_uppercase());
        pa.push(path.to_string());
        st.push(status);
        ua.push(text(e, "user_agent.original").map(str::to_string));
        vh.push(text(e, "destination.domain").or_else(|| text(e, "host.name")).map(str::to_string));
        php.push(c.php);
        login.push(c.login);
        lform.push(c.login_form);
        admin.push(c.admin_page);
        form.push(c.form);
        up.push(c.upload_dir);
    }
    let df = df!(
        "ts" => ts,
        "client" => cl,
        "method" => me,
        "path" => pa,
        "status" => st,
        "user_agent" => ua,
        "vhost" => vh,
        "php" => php,
        "login" => login,
        "login_form" => lform,
        "admin_page" => admin,
        "form" => form,
        "upload_dir" => up,
    )?;
    Ok((df, skipped))
}

/// Columns of [`mail_frame`].
pub const MAIL_COLUMNS: &[&str] = &[
    "ts",
    "day",
    "account",
    "client_ip",
    "net24",
    "client_domain",
    "tld",
    "status",
    "recipient",
    "queue_id",
    "reject",
];

/// `a.b.c.d` → `a.b.c.0/24`; IPv6 → its /48.
fn net24(ip: &str) -> Option<String> {
    if let Ok(v4) = ip.parse::<std::net::Ipv4Addr>() {
        let [a, b, c, _] = v4.octets();
        return Some(format!("{a}.{b}.{c}.0/24"));
    }
    if let Ok(v6) = ip.parse::<std::net::Ipv6Addr>() {
        let s = v6.segments();
        return Some(format!(
            "{:x}:{:x}:{:x}::/48",
            s.first().copied().unwrap_or(0),
            s.get(1).copied().unwrap_or(0),
            s.get(2).copied().unwrap_or(0)
        ));
    }
    None
}

/// The last label of a reverse-DNS name (`mail.example.co.jp` → `jp`); `None` for "unknown".
fn tld(domain: &str) -> Option<String> {
    let d = domain.trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() || d == "unknown" || d.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    d.rsplit('.').next().map(str::to_string)
}

/// The account a mail event is charged to: the SASL login; for a message submitted on the host
/// itself (postfix `pickup`, sendmail's local submission), `local:NAME` or `local:uid=N`, so that a
/// web script sending through `sendmail` as `www-data` is counted like any other account.
fn account_of(e: &Value) -> Option<String> {
    if let Some(a) = text(e, "jikoku.mail.sasl_username") {
        return Some(a.to_string());
    }
    if text(e, "jikoku.mail.submission") != Some("local") {
        return None;
    }
    if let Some(n) = text(e, "user.name") {
        return Some(format!("local:{n}"));
    }
    let id = e.get("user").and_then(|u| u.get("id")).and_then(|v| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })?;
    Some(format!("local:uid={id}"))
}

/// One row per postfix event with a field of interest (`jikoku.mail.sasl_username`,
/// `jikoku.mail.status`, `email.to.address` or `jikoku.mail.queue_id`) and a valid `@timestamp`.
///
/// Columns: `ts` (UTC ms), `day` (`YYYY-MM-DD`, UTC), `account` (`jikoku.mail.sasl_username`,
/// null when absent on this event), `client_ip` (`source.ip`), `net24`, `client_domain`
/// (`source.domain`), `tld` (its last label), `status` (`jikoku.mail.status`: sent, bounced,
/// deferred, reject, …), `recipient` (`email.to.address`, first), `queue_id`, `reject` (bool:
/// status `reject` or `event.outcome` failure on an smtpd event with no queue id).
pub fn mail_frame(events: &[Value]) -> PolarsResult<(DataFrame, usize)> {
    let mut ts = vec![];
    let mut day: Vec<String> = vec![];
    let mut acct: Vec<Option<String>> = vec![];
    let mut ip: Vec<Option<String>> = vec![];
    let mut n24: Vec<Option<String>> = vec![];
    let mut dom: Vec<Option<String>> = vec![];
    let mut tl: Vec<Option<String>> = vec![];
    let mut st: Vec<Option<String>> = vec![];
    let mut rc: Vec<Option<String>> = vec![];
    let mut qi: Vec<Option<String>> = vec![];
    let mut rj: Vec<bool> = vec![];
    let mut skipped = 0usize;
    for e in events {
        let account = account_of(e);
        let status = text(e, "jikoku.mail.status");
        let to = match e.get("email").and_then(|m| m.get("to")).and_then(|t| t.get("address")) {
            Some(Value::Array(a)) => a.iter().find_map(Value::as_str),
            Some(Value::String(s)) => Some(s.as_str()),
            _ => None,
        };
        let queue = text(e, "jikoku.mail.queue_id");
        let Some(t) = timestamp_ms(e) else {
            skipped += 1;
            continue;
        };
        if account.is_none() && status.is_none() && to.is_none() && queue.is_none() {
            skipped += 1;
            continue;
        }
        ts.push(t);
        day.push(
            chrono::DateTime::from_timestamp_millis(t)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
        );
        acct.push(account);
        let cip = text(e, "source.ip");
        ip.push(cip.map(str::to_string));
        n24.push(cip.and_then(net24));
        let cd = text(e, "source.domain");
        dom.push(cd.map(str::to_string));
        tl.push(cd.and_then(tld));
        st.push(status.map(str::to_ascii_lowercase));
        rc.push(to.map(str::to_ascii_lowercase));
        qi.push(queue.map(str::to_string));
        rj.push(
            status.is_some_and(|s| s.eq_ignore_ascii_case("reject"))
                || (queue.is_none() && text(e, "event.outcome") == Some("failure")),
        );
    }
    let df = df!(
        "ts" => ts,
        "day" => day,
        "account" => acct,
        "client_ip" => ip,
        "net24" => n24,
        "client_domain" => dom,
        "tld" => tl,
        "status" => st,
        "recipient" => rc,
        "queue_id" => qi,
        "reject" => rj,
    )?;
    Ok((df, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let c = classify("/wp-content/uploads/2024/05/x7.php");
        assert!(c.php && c.upload_dir && !c.login && !c.form);
        let c = classify("/wp-login.php");
        assert!(c.php && c.login && !c.admin_page);
        let c = classify("/wp-admin/index.php");
        assert!(c.admin_page && c.login);
        assert!(classify("/cgi-bin/mt/mt.cgi").login);
        assert!(classify("/administrator/").login);
        assert!(classify("/contact.php").form);
        assert!(!classify("/index.php").form);
        assert_eq!(net24("192.0.2.77").as_deref(), Some("192.0.2.0/24"));
        assert_eq!(tld("mail.example.co.jp.").as_deref(), Some("jp"));
        assert_eq!(tld("unknown"), None);
    }

    #[test]
    fn local_submitters_are_accounts() {
        let pickup = serde_json::json!({"jikoku": {"mail": {"submission": "local", "uid": 33}}, "user": {"id": "33"}});
        assert_eq!(account_of(&pickup).as_deref(), Some("local:uid=33"));
        let named = serde_json::json!({"jikoku": {"mail": {"submission": "local"}}, "user": {"id": "33", "name": "www-data"}});
        assert_eq!(account_of(&named).as_deref(), Some("local:www-data"));
        let sasl = serde_json::json!({"jikoku": {"mail": {"sasl_username": "alice"}}, "user": {"name": "x"}});
        assert_eq!(account_of(&sasl).as_deref(), Some("alice"));
        let relay =
            serde_json::json!({"jikoku": {"mail": {"queue_id": "A"}}, "user": {"name": "x"}});
        assert_eq!(account_of(&relay), None);
    }
}
