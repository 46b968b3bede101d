//! Apache and nginx error logs (and the PHP messages inside them).

use std::borrow::Cow;

use jikoku_core::Event;
use jikoku_time::RawTime;

use super::common::{
    FAMILY, fill_destination, fill_source, fill_url, month_number, parse_hms, parse_iso_time,
    parse_offset, split_request,
};

const LEVELS: [&str; 16] = [
    "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug", "trace1", "trace2",
    "trace3", "trace4", "trace5", "trace6", "trace7", "trace8",
];

fn is_level(s: &str) -> bool {
    LEVELS.contains(&s) || s == "warning"
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `Wed Oct 11 14:32:52.123456 2000` (ctime, optional fraction).
fn parse_ctime(s: &str) -> Option<RawTime> {
    let w: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    let [_wd, mon, day, time, year] = w.as_slice() else { return None };
    let month = month_number(mon)?;
    let day: u32 = num(day)?;
    let year: i32 = num(year)?;
    let (h, m, sec, frac) = parse_hms(time)?;
    let mut t = RawTime::new(Some(year), month, day, h, m, sec);
    if !frac.is_empty() {
        t = t.with_fraction(frac);
    }
    Some(t)
}

/// The time of an Apache error line: ctime, or `ErrorLogFormat` ISO (`%{cu}t`:
/// `2025-07-22 15:45:51.323610 +0200`, possibly without the offset).
fn parse_apache_time(s: &str) -> Option<RawTime> {
    if let Some(t) = parse_ctime(s) {
        return Some(t);
    }
    // parse_iso_time wants the offset glued or absent; `+0200` after a space is fine too.
    let s = s.trim();
    match s.rsplit_once(' ') {
        Some((dt, off)) if parse_offset(off).is_some() && dt.contains(':') => {
            parse_iso_time(dt).map(|t| t.with_offset(parse_offset(off)))
        }
        _ => parse_iso_time(s),
    }
}

/// Fields of an error line shared by both servers.
#[derive(Debug, Default)]
struct ErrorParts {
    level: Option<String>,
    module: Option<String>,
    pid: Option<i64>,
    tid: Option<String>,
    client: Option<String>,
    remote: Option<String>,
    message: String,
}

fn user_from_message(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("user ")?;
    if let Some(q) = rest.strip_prefix('"') {
        // nginx: user "alice": password mismatch / user "alice" was not found in ...
        let end = q.find("\": ").or_else(|| q.find("\" was not found"))?;
        let u = q.get(..end)?;
        return (!u.is_empty()).then(|| u.to_string());
    }
    // Apache: user alice: authentication failure ... / user alice not found: /
    let end = rest.find(": ").into_iter().chain(rest.find(" not found")).min()?;
    let u = rest.get(..end)?;
    (!u.is_empty() && !u.contains(' ')).then(|| u.to_string())
}

/// PHP messages: `PHP Warning:  text in /file.php on line 12`.
fn php(e: &mut Event, msg: &str) {
    let mut found = None;
    let mut from = 0;
    while let Some(p) = msg.get(from..).and_then(|m| m.find("PHP ")) {
        let at = from + p;
        let rest = msg.get(at + 4..).unwrap_or("");
        if let Some((level, body)) = rest.split_once(':') {
            if level != "message"
                && !level.is_empty()
                && level.len() <= 30
                && level.bytes().all(|c| c.is_ascii_alphabetic() || c == b' ')
            {
                found = Some((level, body));
                break;
            }
        }
        from = at + 4;
    }
    let Some((level, body)) = found else { return };
    let body = body.trim_start();
    let first = body.split('\n').next().unwrap_or(body);
    e.set_extra("php", "level", level);
    if let Some(i) = first.rfind(" on line ") {
        let line_txt: String =
            first.get(i + 9..).unwrap_or("").chars().take_while(char::is_ascii_digit).collect();
        let before = first.get(..i).unwrap_or("");
        if let (Some(n), Some(j)) = (num::<i64>(&line_txt), before.rfind(" in ")) {
            e.set_extra("php", "file", before.get(j + 4..).unwrap_or(""));
            e.set_extra("php", "line", n);
            e.set_extra("php", "message", before.get(..j).unwrap_or(""));
            return;
        }
    }
    e.set_extra("php", "message", first);
}

fn finish(dataset: &'static str, parts: ErrorParts, original: &str) -> Event {
    let mut e = Event::new(Cow::Borrowed(dataset));
    e.categorize("web", "error", "http-error");
    e.event.original = Some(original.to_string());
    e.log.level = parts.level;
    e.process.pid = parts.pid;
    if let Some(t) = parts.tid {
        e.set_extra(FAMILY, "tid", t);
    }
    if let Some(m) = parts.module {
        e.set_extra(FAMILY, "module", m);
    }
    // `[client]` is the user agent's address, `[remote]` the peer's (they differ behind a
    // proxy with mod_remoteip); with only one, it is the source.
    match (&parts.client, &parts.remote) {
        (Some(c), Some(r)) => {
            fill_source(&mut e, c, None);
            e.set_extra(FAMILY, "remote", r.as_str());
        }
        (Some(c), None) | (None, Some(c)) => fill_source(&mut e, c, None),
        (None, None) => {}
    }
    let mut msg = parts.message.as_str();
    if let Some(code) = msg.get(..8).filter(|c| {
        c.starts_with("AH")
            && c.ends_with(':')
            && c.get(2..7).is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
    }) {
        e.set_extra(FAMILY, "error_code", code.trim_end_matches(':'));
        msg = msg.get(8..).unwrap_or("").trim_start();
    }
    e.user.name = user_from_message(msg);
    php(&mut e, &parts.message);
    e.message = Some(parts.message.clone());
    e
}

/// An Apache error-log line (2.0 – 2.4, default `ErrorLogFormat` or ISO time). A line that is
/// only `AHnnnnn: message` (written before the log is set up) is read without a time.
pub fn parse_apache(line: &str) -> Option<(Event, Option<RawTime>)> {
    parse_apache_inner(line, false)
}

/// An Apache error line whose time was left out (as `ErrorLog syslog` writes it:
/// `[core:error] [pid 1] [client ip:port] message`); a time present is read as usual.
pub fn parse_apache_headless(line: &str) -> Option<(Event, Option<RawTime>)> {
    parse_apache_inner(line, true)
}

fn parse_apache_inner(line: &str, headless: bool) -> Option<(Event, Option<RawTime>)> {
    let mut parts = ErrorParts::default();
    let mut time = None;
    let mut rest = line;
    if let Some(r) = line.strip_prefix('[') {
        let (t, after) = r.split_once(']')?;
        match parse_apache_time(t) {
            Some(tt) => {
                time = Some(tt);
                rest = after.trim_start_matches(' ');
            }
            None if headless => {}
            None => return None,
        }
        // The level group comes first and is required.
        let r = rest.strip_prefix('[')?;
        let (g, after) = r.split_once(']')?;
        let (module, level) = match g.rsplit_once(':') {
            Some((m, l)) => (Some(m), l),
            None => (None, g),
        };
        if !is_level(level) {
            return None;
        }
        parts.level = Some(level.to_string());
        parts.module = module.filter(|m| !m.is_empty()).map(str::to_string);
        rest = after.trim_start_matches(' ');
        // Optional groups, in any order.
        while let Some(r) = rest.strip_prefix('[') {
            let Some((g, after)) = r.split_once(']') else { break };
            if let Some(p) = g.strip_prefix("pid ") {
                let (pid, tid) = match p.split_once(":tid ") {
                    Some((a, b)) => (a, Some(b)),
                    None => (p, None),
                };
                parts.pid = num(pid);
                parts.tid = tid.map(str::to_string);
            } else if let Some(c) = g.strip_prefix("client ") {
                parts.client = Some(c.to_string());
            } else if let Some(c) = g.strip_prefix("remote ") {
                parts.remote = Some(c.to_string());
            } else {
                break;
            }
            rest = after.trim_start_matches(' ');
        }
    } else {
        let code = line.get(..8)?;
        if !(code.starts_with("AH")
            && code.ends_with(':')
            && code.get(2..7)?.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
    }
    parts.message = rest.to_string();
    let mut referrer = None;
    if let Some((m, r)) = parts.message.rsplit_once(", referer: ") {
        referrer = Some(r.to_string());
        parts.message = m.to_string();
    }
    let mut e = finish("http.apache_error", parts, line);
    e.http.request.referrer = referrer.filter(|r| r != "-" && !r.is_empty());
    Some((e, time))
}

/// The header of an nginx error line: `2012/04/09 11:53:29 [error] 2865#0: ` → (time, level,
/// pid, tid, rest). Used to tell a new record from a continuation line.
pub fn nginx_header(line: &str) -> Option<(RawTime, &str, i64, &str, &str)> {
    let date = line.get(..10)?;
    let mut d = date.split('/');
    let year: i32 = num(d.next()?)?;
    let month: u32 = num(d.next()?)?;
    let day: u32 = num(d.next()?)?;
    if d.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let rest = line.get(10..)?.strip_prefix(' ')?;
    let (time, rest) = rest.split_once(' ')?;
    let (h, m, s, frac) = parse_hms(time)?;
    let rest = rest.strip_prefix('[')?;
    let (level, rest) = rest.split_once("] ")?;
    if !is_level(level) {
        return None;
    }
    let (pt, rest) = rest.split_once(": ").or_else(|| rest.strip_suffix(':').map(|p| (p, "")))?;
    let (pid, tid) = pt.split_once('#')?;
    let pid: i64 = num(pid)?;
    num::<u64>(tid)?;
    let mut t = RawTime::new(Some(year), month, day, h, m, s);
    if !frac.is_empty() {
        t = t.with_fraction(frac);
    }
    Some((t, level, pid, tid, rest))
}

/// A syslog header in front of a server's own line (`ErrorLog syslog`, journal exports):
/// `Feb 15 16:23:00 srv httpd[22034]: ...`, `host nginx[2833]: ...`, `Mar 11 22:52:12   prog: ...`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SyslogPrefix {
    /// The header's time (no year).
    pub time: Option<RawTime>,
    /// Host name.
    pub host: Option<String>,
    /// Program.
    pub program: Option<String>,
    /// Process id.
    pub pid: Option<i64>,
}

/// Splits a syslog header from the text after it. `None` when there is no `tag:` header.
pub fn strip_syslog_prefix(line: &str) -> Option<(SyslogPrefix, &str)> {
    let mut p = SyslogPrefix::default();
    let mut s = line;
    if let (Some(mon), Some(b' ')) = (s.get(..3).and_then(month_number), s.as_bytes().get(3)) {
        let r = s.get(4..)?.trim_start_matches(' ');
        let (day, r) = r.split_once(' ')?;
        let (time, r) = r.split_once(' ')?;
        let (h, m, sec, frac) = parse_hms(time)?;
        let mut t = RawTime::new(None, mon, num(day)?, h, m, sec);
        if !frac.is_empty() {
            t = t.with_fraction(frac);
        }
        p.time = Some(t);
        s = r.trim_start_matches(' ');
    }
    let (w1, r1) = s.split_once(' ')?;
    let (tag, rest) = if w1.ends_with(':') {
        (w1, r1)
    } else {
        let (w2, r2) = r1.split_once(' ')?;
        if !w2.ends_with(':') {
            return None;
        }
        p.host = Some(w1.to_string());
        (w2, r2)
    };
    let tag = tag.trim_end_matches(':');
    let (prog, pid) = match tag.split_once('[') {
        Some((a, b)) => (a, b.strip_suffix(']').and_then(num)),
        None => (tag, None),
    };
    if prog.is_empty() || prog.contains(['"', '[', ']']) {
        return None;
    }
    p.program = Some(prog.to_string());
    p.pid = pid;
    Some((p, rest.trim_start_matches(' ')))
}

const NGINX_KEYS: [&str; 7] =
    ["client", "server", "request", "subrequest", "upstream", "host", "referrer"];

/// An nginx error record (its lines joined with `\n`).
pub fn parse_nginx(text: &str) -> Option<(Event, RawTime)> {
    let (time, level, pid, tid, rest) = nginx_header(text)?;
    let mut parts = ErrorParts {
        level: Some(level.to_string()),
        pid: Some(pid),
        tid: Some(tid.to_string()),
        ..Default::default()
    };
    let (conn, body) = match rest.strip_prefix('*').and_then(|r| r.split_once(' ')) {
        Some((c, b)) if num::<u64>(c).is_some() => (Some(c), b),
        _ => (None, rest),
    };
    // `, client: ..., server: ..., request: "...", upstream: "...", host: "...", referrer: "..."`
    let mut kv: Vec<(&str, String)> = vec![];
    // The message may carry attacker text (a user name, a path) that imitates the parts
    // nginx appends; the genuine `, client: ` is the last one followed by an address.
    let client_at = body
        .match_indices(", client: ")
        .map(|(i, _)| i)
        .filter(|&i| {
            let v = body.get(i + 10..).unwrap_or("");
            let v = v.split(',').next().unwrap_or(v);
            v.parse::<std::net::IpAddr>().is_ok() || v.starts_with("unix:")
        })
        .last()
        .or_else(|| body.find(", client: "));
    let message = match client_at {
        Some(p) => {
            let mut tail = body.get(p + 2..).unwrap_or("");
            let mut ki = 0;
            while let Some(k) = NGINX_KEYS.get(ki) {
                let Some(after) = tail.strip_prefix(k).and_then(|t| t.strip_prefix(": ")) else {
                    ki += 1;
                    continue;
                };
                // The value ends where a later key starts.
                let next = NGINX_KEYS
                    .iter()
                    .skip(ki + 1)
                    .filter_map(|k2| after.find(&format!(", {k2}: ")))
                    .min();
                let (raw, more) = match next {
                    Some(n) => (after.get(..n).unwrap_or(""), after.get(n + 2..).unwrap_or("")),
                    None => (after, ""),
                };
                let val =
                    raw.strip_prefix('"').map(|v| v.strip_suffix('"').unwrap_or(v)).unwrap_or(raw);
                kv.push((k, val.to_string()));
                tail = more;
                ki += 1;
                if tail.is_empty() {
                    break;
                }
            }
            body.get(..p).unwrap_or(body)
        }
        None => body,
    };
    parts.message = message.to_string();
    let mut e = finish("http.nginx_error", parts, text);
    if let Some(c) = conn {
        e.set_extra(FAMILY, "connection_id", num::<i64>(c).unwrap_or(0));
    }
    for (k, v) in kv {
        if v.is_empty() {
            continue;
        }
        match k {
            "client" => fill_source(&mut e, &v, None),
            "server" => fill_destination(&mut e, &v, None),
            "request" => {
                let rl = split_request(&v);
                e.http.request.method = rl.method;
                if let Some(t) = &rl.target {
                    fill_url(&mut e, t);
                }
                e.http.version = rl.version;
                if !rl.well_formed {
                    e.set_extra(FAMILY, "request_line", v);
                }
            }
            "referrer" => {
                if v != "-" {
                    e.http.request.referrer = Some(v);
                }
            }
            other => e.set_extra(FAMILY, other, v),
        }
    }
    Some((e, time))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_24() {
        let l = r#"[Sun Nov 22 19:22:05.744582 2026] [auth_basic:error] [pid 12172:tid 12206] [client 127.0.0.1:58958] AH01617: user alice: authentication failure for "/protected/": Password Mismatch"#;
        let (e, t) = parse_apache(l).unwrap();
        let t = t.unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.nanos, t.digits, t.offset),
            (Some(2026), 11, 22, 19, 744_582_000, 6, None)
        );
        assert_eq!(e.log.level.as_deref(), Some("error"));
        assert_eq!(e.process.pid, Some(12172));
        assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.source.port, Some(58958));
        assert_eq!(e.user.name.as_deref(), Some("alice"));
        assert_eq!(e.extra("http", "error_code").unwrap(), "AH01617");
        assert_eq!(e.extra("http", "module").unwrap(), "auth_basic");
        assert_eq!(e.extra("http", "tid").unwrap(), "12206");
    }

    #[test]
    fn apache_old_iso_and_bare() {
        let (e, t) = parse_apache(
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
        )
        .unwrap();
        assert_eq!(t.unwrap().digits, 0);
        assert_eq!(e.message.as_deref(), Some("mod_jk child workerEnv in error state 6"));
        let (e, _) = parse_apache("[Thu Jul 11 01:21:44 2013] [error] [client 2001:db8::80da:af6b:8b2c] user test-ipv6 not found: /").unwrap();
        assert_eq!(e.source.ip.as_deref(), Some("2001:db8::80da:af6b:8b2c"));
        assert_eq!(e.user.name.as_deref(), Some("test-ipv6"));
        let (e, t) = parse_apache("[2025-07-22 15:45:51.323610 +0200] [core:notice] [pid 1:tid 139958433106048] AH00094: Command line: 'httpd -D FOREGROUND'").unwrap();
        assert_eq!(t.unwrap().offset, Some(7200));
        assert_eq!(e.process.pid, Some(1));
        let (e, t) = parse_apache("AH00558: apache2: Could not reliably determine the server's fully qualified domain name").unwrap();
        assert!(t.is_none());
        assert_eq!(e.extra("http", "error_code").unwrap(), "AH00558");
        let (e, _) = parse_apache("[Sun Nov 22 19:22:18.248863 2026] [core:info] [pid 1:tid 2] [client 127.0.0.1:40250] AH00128: File does not exist: /var/www/html/a b, referer: http://x/").unwrap();
        assert_eq!(e.http.request.referrer.as_deref(), Some("http://x/"));
        assert_eq!(e.message.as_deref(), Some("AH00128: File does not exist: /var/www/html/a b"));
        let (e, _) =
            parse_apache("[Mon Dec 26 16:15:55.103786 2016] [:notice] [pid 11379] AH00094: x")
                .unwrap();
        assert_eq!(e.extra("http", "module"), None);
        assert!(parse_apache("[Sun Dec 04 04:47:44 2005] kernel: hello").is_none());
    }

    #[test]
    fn nginx() {
        let l = r#"2026/11/22 19:21:53 [info] 12068#12068: *4 client sent invalid request while reading client request line, client: 127.0.0.1, server: nginx.example.test, request: "GET /prot"ected/?x= y HTTP/1.1""#;
        let (e, t) = parse_nginx(l).unwrap();
        assert_eq!((t.year, t.hour, t.offset), (Some(2026), 19, None));
        assert_eq!(
            e.message.as_deref(),
            Some("client sent invalid request while reading client request line")
        );
        assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.destination.domain.as_deref(), Some("nginx.example.test"));
        assert_eq!(e.http.request.method.as_deref(), Some("GET"));
        assert_eq!(e.url.original.as_deref(), Some("/prot\"ected/?x= y"));
        assert_eq!(e.extra("http", "connection_id").unwrap(), 4);
        let l = r#"2014/04/03 22:20:38 [error] 30708#0: *3 user "scriben dio": password mismatch, client: 192.0.2.1, server: , request: "GET / HTTP/1.1", host: "localhost:8443", referrer: "https://a/b""#;
        let (e, _) = parse_nginx(l).unwrap();
        assert_eq!(e.user.name.as_deref(), Some("scriben dio"));
        assert_eq!(e.destination.domain, None);
        assert_eq!(e.extra("http", "host").unwrap(), "localhost:8443");
        assert_eq!(e.http.request.referrer.as_deref(), Some("https://a/b"));
        let l = r#"2014/04/03 22:20:40 [error] 30708#0: *3 user "test": password mismatch, client: 127.0.0.1, server: test, request: "GET / HTTP/1.1", host: "localhost:8443"": was not found in "/etc/nginx/.htpasswd", client: 192.0.2.2, server: , request: "GET / HTTP/1.1", host: "localhost:8443""#;
        let (e, _) = parse_nginx(l).unwrap();
        assert_eq!(e.source.ip.as_deref(), Some("192.0.2.2"));
        let (e, _) = super::parse_apache("[Mon Nov 06 13:39:56.637868 2023] [auth_basic:error] [pid 3175001:tid 1] [remote 192.0.2.111:35924] AH01618: user whatever not found: /").unwrap();
        assert_eq!(e.source.ip.as_deref(), Some("192.0.2.111"));
        let l = "2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: PHP Warning:  Declaration of A::w($c) should be compatible with B in /var/www/post.php on line 0\nPHP message: PHP Warning:  second";
        let (e, _) = parse_nginx(l).unwrap();
        assert_eq!(e.extra("php", "level").unwrap(), "Warning");
        assert_eq!(e.extra("php", "file").unwrap(), "/var/www/post.php");
        assert_eq!(e.extra("php", "line").unwrap(), 0);
        assert!(nginx_header("PHP message: x").is_none());
    }
}
