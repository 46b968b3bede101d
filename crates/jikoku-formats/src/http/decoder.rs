//! Apache and nginx lines that arrive through syslog (`ErrorLog syslog:local1`,
//! `error_log syslog:server=...`, `access_log syslog:...`, `CustomLog "|/usr/bin/logger"`).

use jikoku_core::Event;

use crate::MessageDecoder;

use super::access;
use super::common::FAMILY;
use super::errors;

/// Decodes the MSG of records from `httpd`, `apache2`, `nginx` (and `httpd/vhost` tags).
pub struct HttpDecoder;

fn is_server(program: &str) -> bool {
    let p = program.split('/').next().unwrap_or(program);
    matches!(p, "httpd" | "apache" | "apache2" | "nginx" | "httpd2" | "apache24")
}

/// Copies what the server line says into the syslog event, keeping the event's own header
/// fields (time, host, program, pid, original).
fn merge(into: &mut Event, from: Event) {
    into.event.dataset = from.event.dataset;
    into.event.category = from.event.category;
    into.event.kind_type = from.event.kind_type;
    into.event.action = from.event.action;
    into.event.outcome = from.event.outcome;
    into.event.duration = from.event.duration;
    into.source = from.source;
    into.destination = from.destination;
    into.user = from.user;
    into.http = from.http;
    into.url = from.url;
    into.user_agent = from.user_agent;
    if from.log.level.is_some() {
        into.log.level = from.log.level;
    }
    if into.process.pid.is_none() {
        into.process.pid = from.process.pid;
    }
    if let Some(m) = from.message {
        into.message = Some(m);
    }
    for (k, v) in from.jikoku.extra {
        into.jikoku.extra.insert(k, v);
    }
}

/// Suhosin (PHP hardening) alerts: `ALERT - <what> (attacker 'IP', file '/path', line N)`.
fn suhosin(msg: &str, e: &mut Event) -> bool {
    let Some(i) = msg.find("(attacker '") else { return false };
    let rest = msg.get(i + 11..).unwrap_or("");
    let Some((ip, after)) = rest.split_once('\'') else { return false };
    e.event.dataset = "http.suhosin".into();
    e.categorize("web", "denied", "php-suhosin-alert");
    e.outcome("failure");
    e.source.set_address(ip);
    if let Some(f) = after.split_once("file '").and_then(|(_, f)| f.split_once('\'')) {
        e.set_extra("php", "file", f.0);
    }
    if let Some(w) = msg.find("ALERT - ").and_then(|a| msg.get(a + 8..i)) {
        e.set_extra("php", "message", w.trim_end());
    }
    true
}

impl MessageDecoder for HttpDecoder {
    fn name(&self) -> &'static str {
        "http"
    }

    fn decode(&self, program: &str, msg: &str, event: &mut Event) -> bool {
        if program == "suhosin" || (program == "lighttpd" && msg.contains("(attacker '")) {
            return suhosin(msg, event);
        }
        if !is_server(program) {
            return false;
        }
        if let Some((a, layout)) = access::parse(msg.as_bytes()) {
            let nginx = program.starts_with("nginx");
            let ds = match layout {
                _ if nginx => "http.nginx",
                access::Layout::Common => "http.apache_common",
                access::Layout::Combined => "http.apache_combined",
                access::Layout::VhostCombined => "http.apache_vhost_combined",
            };
            merge(event, a.into_event(ds, msg));
            return true;
        }
        if let Some((e, _)) = errors::parse_nginx(msg) {
            merge(event, e);
            return true;
        }
        if let Some((e, _)) = errors::parse_apache_headless(msg) {
            merge(event, e);
            event.set_extra(FAMILY, "via", "syslog");
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_via_syslog() {
        let mut e = Event::new("syslog.rfc3164");
        e.process.name = Some("httpd".into());
        e.process.pid = Some(22034);
        let msg = "[authz_core:error] [pid 22036] [client 192.0.2.1:58585] AH01630: client denied by server configuration: /home/www/";
        assert!(HttpDecoder.decode("httpd", msg, &mut e));
        assert_eq!(e.event.dataset, "http.apache_error");
        assert_eq!(e.source.ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(e.process.pid, Some(22034));
        assert_eq!(e.log.level.as_deref(), Some("error"));
        let mut e = Event::new("syslog.rfc3164");
        let msg = r#"10.0.0.1 - - [22/Nov/2026:19:22:05 +0000] "GET / HTTP/1.1" 200 5 "-" "ua""#;
        assert!(HttpDecoder.decode("nginx", msg, &mut e));
        assert_eq!(e.event.dataset, "http.nginx");
        assert_eq!(e.http.response.status_code, Some(200));
        assert!(!HttpDecoder.decode("sshd", msg, &mut Event::new("x")));
        let mut e = Event::new("syslog.rfc3164");
        let msg = "ALERT - script tried to increase memory_limit to 268435456 bytes which is above the allowed value (attacker '198.51.100.77', file '/var/www/wp/image.php', line 161)";
        assert!(HttpDecoder.decode("suhosin", msg, &mut e));
        assert_eq!(e.source.ip.as_deref(), Some("198.51.100.77"));
        assert_eq!(e.extra("php", "file").unwrap(), "/var/www/wp/image.php");
    }
}
