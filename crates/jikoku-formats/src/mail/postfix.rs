//! Postfix messages inside syslog (`postfix/smtpd`, `postfix/submission/smtpd`, `postfix/qmgr`, …).
//!
//! A body is `QUEUEID: k=v, k=v, …`, `NOQUEUE: reject: …` or free text; the daemon is the last
//! component of the syslog tag. See docs/formats/mail.md for the field mapping.

use jikoku_core::Event;
use serde_json::{Map, Value};

use super::common::{
    Peer, add_to, comma_kv, find_peer, get, num, peer, remote_queue_id, set_duration_secs,
    set_from, set_peer, smtp_reply, space_kv, unangle, word_and_paren,
};
use crate::MessageDecoder;

/// `mail.postfix`
pub const DATASET: &str = "mail.postfix";

/// Daemons Postfix ships (the last component of the syslog tag).
const DAEMONS: &[&str] = &[
    "smtpd",
    "smtp",
    "lmtp",
    "qmgr",
    "nqmgr",
    "cleanup",
    "pickup",
    "local",
    "virtual",
    "pipe",
    "bounce",
    "defer",
    "trace",
    "anvil",
    "postscreen",
    "dnsblog",
    "tlsproxy",
    "master",
    "postfix-script",
    "postsuper",
    "postdrop",
    "postqueue",
    "postmap",
    "postalias",
    "sendmail",
    "scache",
    "tlsmgr",
    "verify",
    "error",
    "retry",
    "discard",
    "trivial-rewrite",
    "flush",
    "proxymap",
    "showq",
    "spawn",
    "qmqpd",
    "oqmgr",
    "postlogd",
    "postmulti",
    "postlog",
    "postconf",
    "bounce-notify",
];

/// Postfix messages (`mail.postfix`).
pub struct PostfixDecoder;

impl MessageDecoder for PostfixDecoder {
    fn name(&self) -> &'static str {
        "postfix"
    }

    fn decode(&self, program: &str, msg: &str, event: &mut Event) -> bool {
        let Some((service, daemon)) = daemon_of(program) else { return false };
        let mut work = event.clone();
        if decode_body(service, daemon, msg.trim_end(), &mut work) {
            *event = work;
            true
        } else {
            false
        }
    }
}

/// (`syslog_name` when it is not plain `postfix`, daemon) for a Postfix tag.
fn daemon_of(program: &str) -> Option<(Option<&str>, &str)> {
    let mut parts = program.split('/');
    let first = parts.next()?;
    let last = program.rsplit('/').next()?;
    let middle: Vec<&str> = program.split('/').collect();
    let service = match middle.len() {
        0..=2 => (first != "postfix").then_some(first),
        n => middle.get(n - 2).copied(),
    };
    if program == "postfix" {
        // the postfix(1) command itself (`postfix[123]: fatal: …`)
        return Some((None, "postfix"));
    }
    if first.starts_with("postfix") && program.contains('/') {
        return Some((service, last));
    }
    if program.contains('/') && DAEMONS.contains(&last) {
        return Some((service, last));
    }
    None
}

/// True for a Postfix queue id: short (uppercase hex, ≥ 6) or long (base-52 with a `z`).
pub fn is_queue_id(s: &str) -> bool {
    let n = s.len();
    if (6..=24).contains(&n) && s.bytes().all(|c| c.is_ascii_digit() || (b'A'..=b'F').contains(&c))
    {
        return true;
    }
    (12..=24).contains(&n)
        && s.bytes().all(|c| c.is_ascii_alphanumeric() && !b"aeiouAEIOU".contains(&c))
        && s.get(1..).is_some_and(|t| t.contains('z'))
}

fn level_of(s: &str) -> Option<(&'static str, &str)> {
    for (p, l) in [
        ("warning: ", "warning"),
        ("fatal: ", "fatal"),
        ("error: ", "error"),
        ("panic: ", "panic"),
        ("info: ", "info"),
    ] {
        if let Some(r) = s.strip_prefix(p) {
            return Some((l, r));
        }
    }
    None
}

fn decode_body(service: Option<&str>, daemon: &str, msg: &str, e: &mut Event) -> bool {
    let mut body = msg;
    let mut qid: Option<&str> = None;
    let mut noqueue = false;
    let mut level: Option<&'static str> = None;
    if let Some((l, r)) = level_of(body) {
        level = Some(l);
        body = r;
    }
    if let Some((id, rest)) = body.split_once(": ") {
        if id == "NOQUEUE" {
            noqueue = true;
            body = rest;
        } else if is_queue_id(id) {
            qid = Some(id);
            body = rest;
        }
    }
    if level.is_none() {
        if let Some((l, r)) = level_of(body) {
            level = Some(l);
            body = r;
        }
    }
    e.event.dataset = DATASET.into();
    e.set_extra("mail", "daemon", daemon);
    if let Some(s) = service {
        e.set_extra("mail", "service", s);
    }
    if let Some(id) = qid {
        e.jikoku.mail.queue_id = Some(id.to_string());
    }
    if let Some(l) = level {
        e.log.level = Some(l.to_string());
    }
    let has_queue = qid.is_some() || noqueue;
    if decode_known(daemon, body, has_queue, e) {
        return true;
    }
    // fallbacks: a queue id or a level is enough to call the line Postfix's
    if let Some(l) = level {
        let action = if l == "warning" || l == "info" { "mail-warning" } else { "mail-error" };
        e.categorize("email", "info", action);
        if matches!(daemon, "smtpd" | "postscreen" | "tlsproxy") {
            if let Some(p) = find_peer(body) {
                set_peer(&mut e.source, &p);
            }
        }
        return true;
    }
    if has_queue {
        e.categorize("email", "info", "mail-info");
        let kv = comma_kv(body);
        generic_kv(&kv, e);
        if let Some(p) = find_peer(body) {
            match daemon {
                "smtp" | "lmtp" => set_peer(&mut e.destination, &p),
                "smtpd" | "cleanup" => set_peer(&mut e.source, &p),
                _ => {}
            }
        }
        return true;
    }
    false
}

/// Picks up the usual keys from any `k=v` list.
fn generic_kv(kv: &[(&str, &str)], e: &mut Event) {
    if let Some(f) = get(kv, "from") {
        set_from(e, f);
    }
    if let Some(t) = get(kv, "to") {
        add_to(e, t);
    }
    if let Some(r) = get(kv, "relay") {
        set_relay(r, e);
    }
}

fn decode_known(daemon: &str, body: &str, has_queue: bool, e: &mut Event) -> bool {
    if body.starts_with("client=") {
        return client_line(body, e);
    }
    if let Some(v) =
        body.strip_prefix("message-id=").or_else(|| body.strip_prefix("resent-message-id="))
    {
        let id = unangle(v);
        if !id.is_empty() {
            e.email.message_id = Some(id.to_string());
        }
        if body.starts_with("resent-") {
            e.set_extra("mail", "resent", true);
        }
        e.categorize("email", "info", "mail-message-id");
        return true;
    }
    if body.starts_with("uid=") {
        let kv = space_kv(body);
        if let Some(uid) = get(&kv, "uid") {
            e.user.id = Some(uid.to_string());
            e.set_extra("mail", "uid", num(uid));
        }
        if let Some(f) = get(&kv, "from") {
            set_from(e, f);
        }
        e.categorize("email", "info", "mail-submit");
        e.set_extra("mail", "submission", "local");
        e.outcome("success");
        return true;
    }
    if body.starts_with("from=") && has_queue {
        return from_line(body, e);
    }
    if body.starts_with("to=") && has_queue {
        return delivery_line(body, e);
    }
    if body == "removed" {
        e.categorize("email", "end", "mail-removed");
        return true;
    }
    if let Some(rest) = notification(body) {
        let (kind, newid) = rest;
        e.categorize("email", "info", "mail-bounce");
        e.set_extra("mail", "notification", kind);
        if !newid.is_empty() {
            e.set_extra("mail", "bounce_queue_id", newid);
        }
        if kind.contains("non-delivery") {
            e.outcome("failure");
            e.event.reason = Some(kind.to_string());
        }
        return true;
    }
    if let Some((act, rest)) = body.split_once(": ") {
        if let Some(action) = rule_action(act) {
            return reject_line(act, action, rest, e);
        }
    }
    // header_checks WARN / INFO: `QID: warning: header Subject: … from host[ip]; from=<> to=<> …`
    if has_queue
        && e.log.level.is_some()
        && (body.starts_with("header ") || body.starts_with("body "))
        && body.contains("; from=")
    {
        let level = e.log.level.clone().unwrap_or_default();
        e.set_extra("mail", "rule_action", level);
        reject_line("", "mail-header-check", body, e);
        e.categorize("email", "info", "mail-header-check");
        return true;
    }
    for (prefix, inbound) in [
        ("SSL_accept error from ", true),
        ("SSL_connect error to ", false),
        ("certificate verification failed for ", false),
        ("Bare <LF> received after ", true),
        ("bare <LF> received after ", true),
    ] {
        if let Some(rest) = body.strip_prefix(prefix) {
            if let Some(p) = find_peer(rest) {
                set_peer(if inbound { &mut e.source } else { &mut e.destination }, &p);
            }
            let action = if prefix.to_ascii_lowercase().starts_with("bare") {
                "mail-protocol-error"
            } else {
                "mail-tls-error"
            };
            e.event.reason = Some(body.to_string());
            e.categorize("network", "connection", action);
            e.outcome("failure");
            return true;
        }
    }
    if let Some(rest) = body.strip_prefix("SASL authentication failed; server ") {
        // smtp client: our AUTH to the relay failed
        if let Some((p, after)) = peer(rest) {
            set_peer(&mut e.destination, &p);
            let reply = after.trim_start().trim_start_matches("said:").trim();
            e.event.reason = Some(reply.to_string());
            reply_codes(reply, e);
        }
        e.categorize("authentication", "start", "mail-auth-failure");
        e.outcome("failure");
        return true;
    }
    if body.starts_with("cache ") && body.contains(" cleanup: ") {
        e.categorize("network", "info", "mail-statistics");
        e.set_extra("mail", "statistics", body);
        return true;
    }
    if body.starts_with("discarding EHLO keywords: ") {
        e.categorize("network", "info", "mail-info");
        return true;
    }
    if let Some(rest) = body.strip_prefix("connect from ") {
        if let Some((p, _)) = peer(rest) {
            set_peer(&mut e.source, &p);
            e.categorize("network", "start", "mail-connect");
            return true;
        }
    }
    if let Some(rest) = body.strip_prefix("disconnect from ") {
        if let Some((p, counters)) = peer(rest) {
            set_peer(&mut e.source, &p);
            e.categorize("network", "end", "mail-disconnect");
            let mut m = Map::new();
            for w in counters.split_whitespace() {
                if let Some((k, v)) = w.split_once('=') {
                    m.insert(k.to_string(), Value::String(v.to_string()));
                }
            }
            if !m.is_empty() {
                e.set_extra("mail", "commands", Value::Object(m));
            }
            return true;
        }
    }
    for (prefix, action) in [
        ("lost connection after ", "mail-lost-connection"),
        ("timeout after ", "mail-timeout"),
        ("too many errors after ", "mail-too-many-errors"),
        ("improper command pipelining after ", "mail-protocol-error"),
    ] {
        if let Some(rest) = body.strip_prefix(prefix) {
            if let Some((cmd, tail)) = rest.split_once(" from ") {
                e.set_extra("mail", "after", cmd);
                if let Some((p, after)) = peer(tail) {
                    set_peer(&mut e.source, &p);
                    if let Some(x) = after.strip_prefix(": ") {
                        e.set_extra("mail", "data", x);
                    }
                }
                e.categorize("network", "end", action);
                if action != "mail-lost-connection" {
                    e.outcome("failure");
                }
                return true;
            }
        }
    }
    if let Some(rest) = body.strip_prefix("connect to ") {
        // smtp/lmtp client: `connect to host[ip]:port: Connection refused`
        if let Some((p, after)) = peer(rest) {
            set_peer(&mut e.destination, &p);
            e.categorize("network", "connection", "mail-connect-failure");
            e.outcome("failure");
            if let Some(r) = after.strip_prefix(": ") {
                e.event.reason = Some(r.to_string());
            }
            return true;
        }
    }
    if let Some(i) = body.find(" TLS connection established ") {
        let kind = body.get(..i).unwrap_or("");
        let rest = body.get(i + 28..).unwrap_or("");
        let (dir, tail) = if let Some(t) = rest.strip_prefix("from ") {
            (true, t)
        } else if let Some(t) = rest.strip_prefix("to ") {
            (false, t)
        } else {
            (true, rest)
        };
        if let Some((p, after)) = peer(tail) {
            set_peer(if dir { &mut e.source } else { &mut e.destination }, &p);
            let info = after.trim_start_matches(':').trim();
            let mut words = info.split_whitespace();
            if let Some(v) = words.next() {
                e.set_extra("mail", "tls_version", v);
            }
            if let Some(c) =
                info.split_once(" with cipher ").and_then(|(_, c)| c.split_whitespace().next())
            {
                e.set_extra("mail", "tls_cipher", c);
            }
            e.set_extra("mail", "tls_trust", kind);
            e.categorize("network", "connection", "mail-tls");
            return true;
        }
    }
    if let Some(i) = body.find(" authentication failed") {
        // `unknown[1.2.3.4]: SASL PLAIN authentication failed: reason, sasl_username=alice`
        let head = body.get(..i).unwrap_or("");
        if let Some((p, mech)) = peer(head) {
            set_peer(&mut e.source, &p);
            let mech = mech.trim_start_matches(':').trim();
            if let Some(m) = mech.strip_prefix("SASL ") {
                e.set_extra("mail", "sasl_method", m);
            }
            let tail = body.get(i + 22..).unwrap_or("").trim_start_matches(':').trim();
            let (reason, user) = match tail.rfind("sasl_username=") {
                Some(j) => {
                    (tail.get(..j).unwrap_or("").trim_end_matches([',', ' ']), tail.get(j + 14..))
                }
                None => (tail, None),
            };
            if let Some(u) = user.filter(|u| !u.is_empty()) {
                e.jikoku.mail.sasl_username = Some(u.to_string());
                e.user.name = Some(u.to_string());
            }
            e.event.reason = Some(if reason.is_empty() {
                "authentication failed".to_string()
            } else {
                reason.to_string()
            });
            e.categorize("authentication", "start", "mail-auth-failure");
            e.outcome("failure");
            return true;
        }
    }
    if let Some((what, _)) = body.split_once(" limit exceeded: ") {
        if let Some(p) = find_peer(body) {
            set_peer(&mut e.source, &p);
        }
        e.set_extra("mail", "limit", what);
        e.categorize("network", "denied", "mail-rate-limit");
        e.outcome("failure");
        return true;
    }
    if let Some(rest) = body.strip_prefix("hostname ") {
        // `hostname X does not resolve to address IP`, `… verification failed`
        if let Some((host, tail)) = rest.split_once(' ') {
            if let Some(ip) = tail.strip_prefix("does not resolve to address ") {
                let ip = ip.split([':', ' ']).next().unwrap_or("");
                set_peer(&mut e.source, &Peer { host, ip, port: None });
            }
        }
        e.categorize("network", "info", "mail-dns-warning");
        return true;
    }
    if has_queue {
        if let Some(rest) = body.strip_prefix("host ") {
            // smtp: `host mx[ip] said: 450 … (in reply to RCPT TO command)`, `host X refused to talk to me: …`
            if let Some((p, after)) = peer(rest) {
                set_peer(&mut e.destination, &p);
                let reply = after
                    .trim_start()
                    .trim_start_matches("said:")
                    .trim_start_matches("refused to talk to me:")
                    .trim();
                e.event.reason = Some(reply.to_string());
                reply_codes(reply, e);
                e.categorize("email", "info", "mail-remote-reply");
                return true;
            }
        }
        for prefix in ["lost connection with ", "conversation with "] {
            if let Some(rest) = body.strip_prefix(prefix) {
                if let Some((p, after)) = peer(rest) {
                    set_peer(&mut e.destination, &p);
                    e.event.reason = Some(after.trim().to_string());
                    e.categorize("network", "end", "mail-remote-error");
                    e.outcome("failure");
                    return true;
                }
            }
        }
    }
    match daemon {
        "postscreen" | "tlsproxy" => postscreen_line(body, e),
        "anvil" | "scache" => {
            if let Some(stat) = body.strip_prefix("statistics: ") {
                e.categorize("network", "info", "mail-statistics");
                e.set_extra("mail", "statistics", stat);
                if let Some(i) = stat.find(" for (") {
                    let inner = stat.get(i + 6..).and_then(|t| t.split(')').next()).unwrap_or("");
                    if let Some((svc, ip)) = inner.split_once(':') {
                        e.set_extra("mail", "statistics_service", svc);
                        set_peer(&mut e.source, &Peer { host: "", ip, port: None });
                    }
                }
                return true;
            }
            false
        }
        "master" => {
            let action = if body.starts_with("daemon started") {
                "mail-daemon-start"
            } else if body.starts_with("reload") {
                "mail-daemon-reload"
            } else if body.starts_with("terminating") {
                "mail-daemon-stop"
            } else {
                return false;
            };
            if let Some(v) = body.split_once("version ").and_then(|(_, v)| v.split(',').next()) {
                e.set_extra("mail", "version", v);
            }
            e.categorize("process", "info", action);
            true
        }
        "postfix-script" => {
            let action = if body.starts_with("starting ") {
                "mail-daemon-start"
            } else if body.starts_with("stopping ") {
                "mail-daemon-stop"
            } else if body.starts_with("refreshing ") {
                "mail-daemon-reload"
            } else {
                return false;
            };
            e.categorize("process", "info", action);
            true
        }
        "postsuper" => {
            for (p, what) in [
                ("Deleted: ", "deleted"),
                ("Requeued: ", "requeued"),
                ("Placed on hold: ", "held"),
                ("Released from hold: ", "released"),
            ] {
                if let Some(n) = body.strip_prefix(p) {
                    e.categorize("email", "change", "mail-admin");
                    e.set_extra("mail", "admin", what);
                    if let Some(c) = n.split(' ').next() {
                        e.set_extra("mail", "count", num(c));
                    }
                    return true;
                }
            }
            if has_queue
                && matches!(body, "requeued" | "placed on hold" | "released from hold" | "expired")
            {
                e.categorize("email", "change", "mail-admin");
                e.set_extra("mail", "admin", body);
                return true;
            }
            false
        }
        "dnsblog" => {
            // `addr 1.2.3.4 listed by domain zen.spamhaus.org as 127.0.0.2`
            if let Some(rest) = body.strip_prefix("addr ") {
                let mut w = rest.split(' ');
                if let Some(ip) = w.next() {
                    set_peer(&mut e.source, &Peer { host: "", ip, port: None });
                }
                if let Some(d) = rest
                    .split_once(" listed by domain ")
                    .map(|(_, d)| d.split(' ').next().unwrap_or(d))
                {
                    e.set_extra("mail", "dnsbl", d);
                }
                e.categorize("network", "info", "mail-dnsbl");
                return true;
            }
            false
        }
        _ => {
            if has_queue && body.starts_with("skipped, still being delivered") {
                e.categorize("email", "info", "mail-info");
                return true;
            }
            false
        }
    }
}

/// `sender non-delivery notification: NEWID` and its kin → (kind, new queue id).
fn notification(body: &str) -> Option<(&str, &str)> {
    for kind in [
        "sender non-delivery notification",
        "sender delivery status notification",
        "sender delay notification",
        "postmaster non-delivery notification",
        "postmaster delay notification",
        "postmaster delivery status notification",
    ] {
        if let Some(rest) = body.strip_prefix(kind) {
            let id = rest.trim_start_matches(':').trim();
            return Some((kind, id));
        }
    }
    None
}

/// Access-rule results that Postfix logs as `ACTION: STAGE from host[ip]: …; from=<> to=<> …`.
fn rule_action(act: &str) -> Option<&'static str> {
    Some(match act {
        "reject" | "milter-reject" => "mail-reject",
        "reject_warning" => "mail-reject-warning",
        "discard" | "milter-discard" => "mail-discard",
        "hold" | "milter-hold" => "mail-hold",
        "redirect" | "filter" | "replace" | "prepend" | "bcc" | "proxy-accept" => "mail-filter",
        "proxy-reject" => "mail-reject",
        a if a.starts_with("milter-") && a.contains("reject") => "mail-reject",
        a if a.starts_with("milter-") => "mail-filter",
        _ => return None,
    })
}

fn reject_line(act: &str, action: &'static str, rest: &str, e: &mut Event) -> bool {
    if !act.is_empty() {
        e.set_extra("mail", "rule_action", act);
    }
    // the tail: `; from=<a> to=<b> proto=ESMTP helo=<h>` (the last one; texts may contain `;`)
    let tail_at = rest.rfind("; from=").or_else(|| rest.rfind("; proto="));
    let (head, tail) = match tail_at {
        Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i + 2..).unwrap_or("")),
        None => (rest, ""),
    };
    let kv = space_kv(tail);
    if let Some(f) = get(&kv, "from") {
        set_from(e, f);
    }
    if let Some(t) = get(&kv, "to") {
        add_to(e, t);
    }
    if let Some(h) = get(&kv, "helo") {
        e.set_extra("mail", "helo", unangle(h));
    }
    if let Some(p) = get(&kv, "proto") {
        e.set_extra("mail", "proto", p);
    }
    let mut reason = String::new();
    // `STAGE from host[ip]: text`, or cleanup's `header Subject: x from host[ip]`
    let mut search = 0;
    let mut found = false;
    while let Some(pos) = head.get(search..).and_then(|h| h.find(" from ")) {
        let at = search + pos;
        if let Some((p, after)) = head.get(at + 6..).and_then(peer) {
            set_peer(&mut e.source, &p);
            let stage = head.get(..at).unwrap_or("");
            let text = after.strip_prefix(": ").unwrap_or(after).trim();
            if stage.contains(' ') || stage.contains(':') {
                // header/body checks: the matched text is the "stage"
                let (kind, what) = stage.split_once(' ').unwrap_or((stage, ""));
                e.set_extra("mail", "stage", kind);
                e.set_extra("mail", "matched", what);
                reason = what.to_string();
            } else {
                e.set_extra("mail", "stage", stage);
                reason = text.to_string();
            }
            found = true;
            break;
        }
        search = at + 6;
    }
    if !found {
        reason = head.trim().to_string();
    }
    // cleanup appends the reply after the tail: `helo=<h>: 5.7.1 message content rejected`
    if let Some(i) = tail.find(">: ") {
        let reply = tail.get(i + 3..).unwrap_or("").trim();
        if !reply.is_empty() {
            reason =
                if reason.is_empty() { reply.to_string() } else { format!("{reason}: {reply}") };
            reply_codes(reply, e);
        }
    }
    reply_codes(&reason, e);
    if !reason.is_empty() {
        e.event.reason = Some(reason);
    }
    e.categorize("email", "denied", action);
    if action == "mail-reject" {
        e.outcome("failure");
    }
    true
}

/// Records `reply_code` and `dsn` from a text starting with an SMTP reply.
fn reply_codes(text: &str, e: &mut Event) {
    let (code, enh) = smtp_reply(text);
    if let Some(c) = code {
        if e.extra("mail", "reply_code").is_none() {
            e.set_extra("mail", "reply_code", c);
        }
    }
    if let Some(d) = enh {
        if e.extra("mail", "dsn").is_none() {
            e.set_extra("mail", "dsn", d);
        }
    } else if let Some(d) = text.split_whitespace().next().filter(|w| is_dsn(w)) {
        if e.extra("mail", "dsn").is_none() {
            e.set_extra("mail", "dsn", d);
        }
    }
}

fn is_dsn(w: &str) -> bool {
    let p: Vec<&str> = w.split('.').collect();
    p.len() == 3
        && p.iter().all(|x| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit()))
        && w.starts_with(['2', '4', '5'])
}

fn client_line(body: &str, e: &mut Event) -> bool {
    let kv = comma_kv(body);
    if let Some(c) = get(&kv, "client") {
        if let Some((p, _)) = peer(c) {
            set_peer(&mut e.source, &p);
        }
    }
    if let Some(m) = get(&kv, "sasl_method") {
        e.set_extra("mail", "sasl_method", m);
    }
    if let Some(u) = get(&kv, "sasl_username") {
        e.jikoku.mail.sasl_username = Some(u.to_string());
        e.user.name = Some(u.to_string());
    }
    if let Some(s) = get(&kv, "sasl_sender") {
        e.set_extra("mail", "sasl_sender", s);
    }
    for k in ["orig_queue_id", "orig_client"] {
        if let Some(v) = get(&kv, k) {
            e.set_extra("mail", k, v);
        }
    }
    e.set_extra("mail", "submission", "smtp");
    e.categorize("email", "info", "mail-submit");
    e.outcome("success");
    true
}

fn from_line(body: &str, e: &mut Event) -> bool {
    let kv = comma_kv(body);
    if let Some(f) = get(&kv, "from") {
        set_from(e, f);
    }
    if let Some(s) = get(&kv, "size") {
        e.set_extra("mail", "size", num(s));
    }
    if let Some(n) = get(&kv, "nrcpt") {
        let (n, q) = word_and_paren(n);
        e.set_extra("mail", "nrcpt", num(n));
        if let Some(q) = q {
            e.set_extra("mail", "queue", q.trim_start_matches("queue "));
        }
    }
    if let Some(st) = get(&kv, "status") {
        let (word, text) = word_and_paren(st);
        let (word, text) = match word.split_once(", ") {
            Some((w, t)) => (w, Some(t)),
            None => (word, text),
        };
        e.jikoku.mail.status = Some(word.to_string());
        e.categorize("email", "end", "mail-expired");
        e.outcome("failure");
        e.event.reason = Some(text.map_or_else(|| word.to_string(), str::to_string));
        return true;
    }
    e.categorize("email", "info", "mail-queued");
    true
}

fn set_relay(relay: &str, e: &mut Event) {
    e.jikoku.mail.relay = Some(relay.to_string());
    if let Some((p, _)) = peer(relay) {
        set_peer(&mut e.destination, &p);
    }
}

fn delivery_line(body: &str, e: &mut Event) -> bool {
    let kv = comma_kv(body);
    if let Some(t) = get(&kv, "to") {
        add_to(e, t);
    }
    if let Some(o) = get(&kv, "orig_to") {
        e.set_extra("mail", "orig_to", unangle(o));
    }
    if let Some(r) = get(&kv, "relay") {
        set_relay(r, e);
    }
    if let Some(d) = get(&kv, "delay") {
        e.set_extra("mail", "delay", num(d));
        set_duration_secs(e, d);
    }
    for k in ["delays", "dsn", "conn_use", "tls"] {
        if let Some(v) = get(&kv, k) {
            e.set_extra("mail", k, if k == "conn_use" { num(v) } else { v.into() });
        }
    }
    e.categorize("email", "info", "mail-delivery");
    if let Some(st) = get(&kv, "status") {
        let (word, text) = word_and_paren(st);
        e.jikoku.mail.status = Some(word.to_string());
        if let Some(t) = text {
            e.set_extra("mail", "response", t);
            if let Some(id) = remote_queue_id(t) {
                e.set_extra("mail", "remote_queue_id", id);
            }
            // local(8) alias/.forward expansion: `status=sent (forwarded as 6D4E81FA1A)`
            if let Some(id) =
                t.strip_prefix("forwarded as ").map(|r| r.split([' ', ')']).next().unwrap_or(r))
            {
                if is_queue_id(id) {
                    e.set_extra("mail", "forwarded_queue_id", id);
                }
            }
        }
        if e.destination.is_empty() {
            if let Some((p, _)) = text.and_then(|t| t.strip_prefix("connect to ")).and_then(peer) {
                set_peer(&mut e.destination, &p);
            }
        }
        match word {
            "sent" | "deliverable" | "delivered" => e.outcome("success"),
            _ => {
                e.outcome("failure");
                e.event.reason = Some(text.unwrap_or(word).to_string());
            }
        }
    }
    true
}

/// postscreen verdicts: `CONNECT from [ip]:port to [ip]:25`, `PASS NEW [ip]:port`, `DNSBL rank 3 for …`.
fn postscreen_line(body: &str, e: &mut Event) -> bool {
    const WORDS: &[&str] = &[
        "CONNECT",
        "DISCONNECT",
        "PASS NEW",
        "PASS OLD",
        "PREGREET",
        "HANGUP",
        "DNSBL",
        "WHITELISTED",
        "BLACKLISTED",
        "ALLOWLISTED",
        "DENYLISTED",
        "WHITELIST VETO",
        "ALLOWLIST VETO",
        "COMMAND PIPELINING",
        "COMMAND COUNT LIMIT",
        "COMMAND TIME LIMIT",
        "COMMAND LENGTH LIMIT",
        "BARE NEWLINE",
        "NON-SMTP COMMAND",
        "BDAT",
        "cache",
        "NOQUEUE",
    ];
    let Some(word) = WORDS.iter().find(|w| body.starts_with(**w)) else { return false };
    if let Some(p) = find_peer(body) {
        set_peer(&mut e.source, &p);
    }
    if let Some((_, to)) = body.split_once(" to [") {
        if let Some((p, _)) = peer(&format!("[{to}")) {
            set_peer(&mut e.destination, &p);
        }
    }
    e.set_extra("mail", "postscreen", *word);
    let (cat, ty, action) = match *word {
        "CONNECT" => ("network", "start", "mail-connect"),
        "DISCONNECT" => ("network", "end", "mail-disconnect"),
        "cache" => ("network", "info", "mail-statistics"),
        _ => ("network", "info", "mail-postscreen"),
    };
    e.categorize(cat, ty, action);
    if matches!(
        *word,
        "BLACKLISTED"
            | "DENYLISTED"
            | "PREGREET"
            | "BARE NEWLINE"
            | "NON-SMTP COMMAND"
            | "COMMAND PIPELINING"
            | "COMMAND COUNT LIMIT"
            | "COMMAND TIME LIMIT"
            | "COMMAND LENGTH LIMIT"
    ) {
        e.outcome("failure");
        e.event.reason = Some(body.to_string());
    }
    if let Some(cmd) =
        body.split_once(" after ").map(|(_, r)| r.split([':', ' ']).next().unwrap_or(r))
    {
        if !cmd.is_empty() && *word != "HANGUP" && *word != "PREGREET" {
            e.set_extra("mail", "after", cmd);
        }
    }
    if *word == "DNSBL" {
        if let Some(r) = body.strip_prefix("DNSBL rank ").and_then(|r| r.split(' ').next()) {
            e.set_extra("mail", "dnsbl_rank", num(r));
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_ids() {
        assert!(is_queue_id("6E3D4BC0B1"));
        assert!(is_queue_id("4jXf7y3WXWz5n6f"));
        assert!(!is_queue_id("connect from unknown"));
        assert!(!is_queue_id("warning"));
        assert_eq!(daemon_of("postfix/submission/smtpd"), Some((Some("submission"), "smtpd")));
        assert_eq!(daemon_of("postfix/smtpd"), Some((None, "smtpd")));
        assert_eq!(daemon_of("postfix-out/smtp"), Some((Some("postfix-out"), "smtp")));
        assert_eq!(daemon_of("sshd"), None);
    }
}
