//! Dovecot messages inside syslog (tag `dovecot` with the service in the message, or the
//! service as the tag: `imap-login`, `pop3-login`, …). See docs/formats/mail.md.

use jikoku_core::Event;

use super::common::{Peer, get, key_of, num, set_peer, split_top, unangle};
use crate::MessageDecoder;

/// `mail.dovecot`
pub const DATASET: &str = "mail.dovecot";

/// Dovecot login, authentication and delivery messages (`mail.dovecot`).
pub struct DovecotDecoder;

const SERVICES: &[&str] = &[
    "imap-login",
    "pop3-login",
    "submission-login",
    "managesieve-login",
    "lmtp",
    "lda",
    "imap",
    "pop3",
    "auth",
    "auth-worker",
    "master",
    "submission",
    "managesieve",
    "doveadm",
    "config",
    "anvil",
    "log",
    "stats",
    "indexer",
    "indexer-worker",
    "dict",
    "replicator",
    "aggregator",
    "quota-status",
    "director",
    "sieve",
];

impl MessageDecoder for DovecotDecoder {
    fn name(&self) -> &'static str {
        "dovecot"
    }

    fn decode(&self, program: &str, msg: &str, event: &mut Event) -> bool {
        let msg = msg.trim_end();
        let (service_full, rest) = if program == "dovecot" || program == "dovecot-auth" {
            match msg.split_once(": ") {
                Some(x) => x,
                None => return false,
            }
        } else if SERVICES.contains(&program) && program.ends_with("-login") {
            (program, msg)
        } else {
            return false;
        };
        let service = service_full.split(['(', '<']).next().unwrap_or(service_full);
        if !SERVICES.contains(&service) && !service.ends_with("-login") {
            return false;
        }
        let mut work = event.clone();
        if decode_body(service, service_full, rest, &mut work) {
            *event = work;
            true
        } else {
            false
        }
    }
}

/// Pieces of `user=<a>, method=PLAIN, rip=1.2.3.4, lip=…, TLS, session=<…>`: key/value pairs and bare flags.
fn pieces(s: &str) -> (Vec<(&str, &str)>, Vec<&str>) {
    let mut kv = Vec::new();
    let mut flags = Vec::new();
    for (a, z) in split_top(s) {
        let Some(p) = s.get(a..z) else { continue };
        match key_of(p) {
            Some(k) => kv.push((k, p.get(k.len() + 1..).unwrap_or(""))),
            None => flags.push(p.trim()),
        }
    }
    (kv, flags)
}

fn login_fields(kvs: &str, e: &mut Event) {
    let (kv, flags) = pieces(kvs);
    if let Some(u) = get(&kv, "user").map(unangle).filter(|u| !u.is_empty()) {
        e.user.name = Some(u.to_string());
    }
    if let Some(ip) = get(&kv, "rip") {
        set_peer(
            &mut e.source,
            &Peer { host: "", ip, port: get(&kv, "rport").and_then(|p| p.parse().ok()) },
        );
    }
    if let Some(ip) = get(&kv, "lip") {
        set_peer(
            &mut e.destination,
            &Peer { host: "", ip, port: get(&kv, "lport").and_then(|p| p.parse().ok()) },
        );
    }
    if let Some(m) = get(&kv, "method") {
        e.set_extra("mail", "sasl_method", m);
    }
    if let Some(s) = get(&kv, "session") {
        e.set_extra("mail", "session", unangle(s));
    }
    if let Some(p) = get(&kv, "mpid") {
        e.set_extra("mail", "mpid", num(p));
    }
    if flags.iter().any(|f| f.starts_with("TLS")) {
        e.set_extra("mail", "tls", true);
    }
    if flags.contains(&"secured") {
        e.set_extra("mail", "secured", true);
    }
}

fn strip_level(s: &str) -> (Option<&'static str>, &str) {
    for (p, l) in [
        ("Info: ", "info"),
        ("Warning: ", "warning"),
        ("Error: ", "error"),
        ("Fatal: ", "fatal"),
        ("Panic: ", "panic"),
        ("Debug: ", "debug"),
    ] {
        if let Some(r) = s.strip_prefix(p) {
            return (Some(l), r);
        }
    }
    (None, s)
}

fn decode_body(service: &str, service_full: &str, rest: &str, e: &mut Event) -> bool {
    let (level, rest) = strip_level(rest);
    e.event.dataset = DATASET.into();
    e.set_extra("mail", "service", service);
    if let Some(l) = level {
        e.log.level = Some(l.to_string());
    }
    // `imap(alice)<1234><session>` / `auth-worker(1234)`
    let paren = service_full.split_once('(').and_then(|(_, r)| r.split_once(')')).map(|(a, _)| a);
    let session = service_full.rsplit_once('<').and_then(|(_, r)| r.strip_suffix('>'));
    if let Some(s) = session.filter(|s| !s.is_empty() && !s.bytes().all(|c| c.is_ascii_digit())) {
        e.set_extra("mail", "session", s);
    }
    if let Some(kvs) = rest.strip_prefix("Login: ") {
        login_fields(kvs, e);
        e.categorize("authentication", "start", "mail-login");
        e.outcome("success");
        return true;
    }
    if rest.starts_with("Disconnected")
        || rest.starts_with("Aborted login")
        || rest.starts_with("Login aborted")
    {
        let (head, kvs) = match rest.find(": user=").or_else(|| rest.find(": rip=")) {
            Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i + 2..).unwrap_or("")),
            None => (rest, ""),
        };
        let reason = head.split_once('(').and_then(|(_, r)| r.rsplit_once(')')).map(|(a, _)| a);
        if service.ends_with("-login") {
            login_fields(kvs, e);
            if reason.is_some_and(|r| r.starts_with("auth failed") || r.contains("auth failed")) {
                e.categorize("authentication", "start", "mail-auth-failure");
                e.outcome("failure");
            } else {
                e.categorize("network", "end", "mail-disconnect");
            }
            if let Some(r) = reason {
                e.event.reason = Some(r.to_string());
            }
            return true;
        }
        // `imap(alice)<…>: Disconnected: Logged out in=32 out=813 …`
        if let Some(u) = paren.filter(|u| !u.is_empty() && !u.bytes().all(|c| c.is_ascii_digit())) {
            e.user.name = Some(u.to_string());
        }
        let text = rest.trim_start_matches("Disconnected").trim_start_matches(':').trim();
        let mut words = Vec::new();
        for w in text.split_whitespace() {
            match w.split_once('=') {
                Some(("in", v)) => e.set_extra("mail", "bytes_in", num(v)),
                Some(("out", v)) => e.set_extra("mail", "bytes_out", num(v)),
                Some(_) => {}
                None => words.push(w),
            }
        }
        if !words.is_empty() {
            e.event.reason = Some(words.join(" "));
        }
        e.categorize("authentication", "end", "mail-logout");
        return true;
    }
    if service == "auth" || service == "auth-worker" {
        if let Some((passdb, user, ip, text)) = passdb_line(rest) {
            e.set_extra("mail", "passdb", passdb);
            if !user.is_empty() {
                e.user.name = Some(user.to_string());
            }
            if !ip.is_empty() {
                set_peer(&mut e.source, &Peer { host: "", ip, port: None });
            }
            let lower = text.to_ascii_lowercase();
            if lower.contains("mismatch")
                || lower.contains("unknown user")
                || lower.contains("failed")
                || lower.contains("failure")
                || lower.contains("denied")
                || lower.contains("expired")
            {
                e.categorize("authentication", "start", "mail-auth-failure");
                e.outcome("failure");
                e.event.reason = Some(text.to_string());
            } else {
                e.categorize("authentication", "info", "mail-auth");
                e.event.reason = Some(text.to_string()).filter(|t| !t.is_empty());
            }
            return true;
        }
    }
    if let Some(r) = rest.strip_prefix("msgid=") {
        // lmtp/lda: `msgid=<id>: saved mail to INBOX`
        let (id, what) = r.split_once(": ").unwrap_or((r, ""));
        let id = unangle(id);
        if !id.is_empty() && id != "unspecified" {
            e.email.message_id = Some(id.to_string());
        }
        if let Some(u) = paren {
            e.user.name = Some(u.to_string());
        }
        e.set_extra("mail", "result", what);
        e.categorize("email", "info", "mail-delivery");
        if what.starts_with("saved mail")
            || what.starts_with("stored mail")
            || what.starts_with("forwarded")
        {
            e.jikoku.mail.status = Some("sent".into());
            e.outcome("success");
        } else if what.contains("rejected") || what.contains("failed") {
            e.outcome("failure");
            e.event.reason = Some(what.to_string());
        }
        return true;
    }
    if service == "master" {
        if let Some(v) = rest.strip_prefix("Dovecot v") {
            if let Some(ver) = v.split(' ').next() {
                e.set_extra("mail", "version", ver);
            }
            let action =
                if rest.contains("starting up") { "mail-daemon-start" } else { "mail-daemon-info" };
            e.categorize("process", "start", action);
            return true;
        }
    }
    if let Some(l) = level {
        let action = if l == "warning" || l == "info" || l == "debug" {
            "mail-warning"
        } else {
            "mail-error"
        };
        e.categorize("email", "info", action);
        return true;
    }
    false
}

/// `passdb(user,ip[,<session>]): text` anywhere in an auth line (the auth-worker prefix
/// `conn unix:auth-worker (pid=…,uid=…): auth-worker<1>: ` may come first).
fn passdb_line(s: &str) -> Option<(&str, &str, &str, &str)> {
    let mut from = 0;
    while let Some(pos) = s.get(from..).and_then(|t| t.find("): ")) {
        let close = from + pos;
        let head = s.get(..close)?;
        if let Some(open) = head.rfind('(') {
            let name = head.get(..open)?;
            let name = name.rsplit(' ').next().unwrap_or(name);
            let inner = head.get(open + 1..)?;
            if !name.is_empty()
                && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
                && inner.contains(',')
                && !inner.starts_with("pid=")
            {
                let mut parts = inner.splitn(3, ',');
                let user = parts.next().unwrap_or("");
                let ip = parts.next().unwrap_or("");
                let text = s.get(close + 3..).unwrap_or("");
                return Some((name, user, ip, text));
            }
        }
        from = close + 3;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passdb() {
        let l = "conn unix:auth-worker (pid=11685,uid=103): auth-worker<1>: pam(alice,127.0.0.1): pam_authenticate() failed: Authentication failure (Password mismatch?)";
        assert_eq!(
            passdb_line(l),
            Some((
                "pam",
                "alice",
                "127.0.0.1",
                "pam_authenticate() failed: Authentication failure (Password mismatch?)"
            ))
        );
        assert_eq!(
            passdb_line("passwd-file(mallory,127.0.0.22,<XSM>): unknown user"),
            Some(("passwd-file", "mallory", "127.0.0.22", "unknown user"))
        );
    }
}
