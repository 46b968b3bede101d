//! Sendmail messages inside syslog (`sendmail`, `sm-mta`, `sm-msp-queue`, …).
//!
//! A body is `QID: k=v, k=v, …` (`from=`, `to=`, `ruleset=`, `AUTH=`, `STARTTLS=`), `QID: QID2: DSN: …`
//! or free text. See docs/formats/mail.md for the field mapping.

use jikoku_core::Event;

use super::common::{
    add_to, comma_kv, find_peer, get, num, peer, remote_queue_id, set_from, set_peer, smtp_reply,
    unangle, word_and_paren,
};
use crate::MessageDecoder;

/// `mail.sendmail`
pub const DATASET: &str = "mail.sendmail";

/// Sendmail messages (`mail.sendmail`).
pub struct SendmailDecoder;

impl MessageDecoder for SendmailDecoder {
    fn name(&self) -> &'static str {
        "sendmail"
    }

    fn decode(&self, program: &str, msg: &str, event: &mut Event) -> bool {
        if !(program == "sendmail" || program.starts_with("sm-") || program == "sm") {
            return false;
        }
        let mut work = event.clone();
        if decode_body(msg.trim_end(), &mut work) {
            *event = work;
            true
        } else {
            false
        }
    }
}

/// True for a sendmail queue id: 8.12+ `YMDhmsSS` + pid (≥ 6 digits), or 8.9–8.11 (7 chars + 5 digits).
pub fn is_queue_id(s: &str) -> bool {
    let n = s.len();
    if !(12..=24).contains(&n) || !s.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    digits >= 5 && n - digits >= 6 && n - digits <= 8
}

fn decode_body(msg: &str, e: &mut Event) -> bool {
    let mut body = msg;
    let mut qid: Option<&str> = None;
    if let Some((id, rest)) = body.split_once(": ") {
        if id == "NOQID" || id == "NOQUEUE" {
            body = rest;
        } else if is_queue_id(id) {
            qid = Some(id);
            body = rest;
        }
    }
    e.event.dataset = DATASET.into();
    if let Some(id) = qid {
        e.jikoku.mail.queue_id = Some(id.to_string());
    }
    if decode_known(body, e) {
        return true;
    }
    if let Some(rest) = body.strip_prefix("SYSERR") {
        e.log.level = Some("error".into());
        e.categorize("email", "info", "mail-error");
        e.event.reason = Some(rest.split_once(": ").map_or(rest, |(_, r)| r).to_string());
        return true;
    }
    if qid.is_some() {
        e.categorize("email", "info", "mail-info");
        if let Some(p) = find_peer(body) {
            set_peer(&mut e.source, &p);
        }
        return true;
    }
    false
}

/// Sendmail's `relay=`: `name [ip]`, `[ip] [ip]`, `[ip]`, `user@localhost`, `name [ip] (may be forged)`;
/// `inbound`: the peer is the client (`from=`, `ruleset=`, `AUTH=server`), else the next hop.
fn relay(v: &str, inbound: bool, e: &mut Event) {
    let v = v.trim();
    // `jikoku.mail.relay` is the next hop of a delivery; the `relay=` of an inbound line is the client
    if inbound {
        e.set_extra("mail", "client", v);
    } else {
        e.jikoku.mail.relay = Some(v.to_string());
    }
    if v.ends_with("(may be forged)") {
        e.set_extra("mail", "may_be_forged", true);
    }
    if let Some((p, _)) = peer(v) {
        set_peer(if inbound { &mut e.source } else { &mut e.destination }, &p);
    } else if let Some(user) = v.strip_suffix("@localhost") {
        if inbound {
            e.user.name = Some(user.to_string());
            e.set_extra("mail", "submission", "local");
        }
    }
}

fn decode_known(body: &str, e: &mut Event) -> bool {
    if body.starts_with("from=") {
        let kv = comma_kv(body);
        if let Some(f) = get(&kv, "from") {
            set_from(e, f);
        }
        for k in ["size", "class", "nrcpts", "pri"] {
            if let Some(v) = get(&kv, k) {
                e.set_extra("mail", k, num(v));
            }
        }
        for k in ["bodytype", "proto", "daemon", "auth"] {
            if let Some(v) = get(&kv, k) {
                e.set_extra("mail", k, v);
            }
        }
        if let Some(m) = get(&kv, "msgid") {
            e.email.message_id = Some(unangle(m).to_string());
        }
        if let Some(r) = get(&kv, "relay") {
            relay(r, true, e);
        }
        e.categorize("email", "info", "mail-submit");
        if get(&kv, "nrcpts") == Some("0") {
            e.outcome("failure");
            e.event.reason = Some("no accepted recipients".into());
        } else {
            e.outcome("success");
        }
        return true;
    }
    if body.starts_with("to=") {
        return delivery(body, e);
    }
    if body.starts_with("ruleset=") {
        let kv = comma_kv(body);
        let rs = get(&kv, "ruleset").unwrap_or("");
        e.set_extra("mail", "ruleset", rs);
        let a1 = get(&kv, "arg1");
        let a2 = get(&kv, "arg2");
        for (k, v) in [("arg1", a1), ("arg2", a2)] {
            if let Some(v) = v {
                e.set_extra("mail", k, v);
            }
        }
        match rs {
            "check_rcpt" => {
                if let Some(a) = a1 {
                    add_to(e, a);
                }
            }
            "check_mail" => {
                if let Some(a) = a1 {
                    set_from(e, a);
                }
            }
            _ => {}
        }
        if let Some(r) = get(&kv, "relay") {
            // several relay= can appear; the first one is the client
            relay(r, true, e);
        }
        let reject =
            get(&kv, "reject").or_else(|| get(&kv, "discard")).or_else(|| get(&kv, "quarantine"));
        if let Some(r) = reject {
            e.event.reason = Some(r.to_string());
            codes(r, e);
        }
        if rs == "trust_auth" {
            // the MTA did not trust the `AUTH=` parameter of MAIL FROM; the message goes on
            e.categorize("authentication", "info", "mail-auth-untrusted");
            return true;
        }
        e.categorize("email", "denied", "mail-reject");
        if get(&kv, "reject").is_some() {
            e.outcome("failure");
        }
        return true;
    }
    if let Some(rest) = body.strip_prefix("AUTH=") {
        let kv = comma_kv(body);
        let side = rest.split(',').next().unwrap_or("");
        e.set_extra("mail", "auth_side", side);
        if let Some(m) = get(&kv, "mech") {
            e.set_extra("mail", "sasl_method", m);
        }
        if let Some(b) = get(&kv, "bits") {
            e.set_extra("mail", "bits", num(b));
        }
        if let Some(r) = get(&kv, "relay") {
            relay(r, side == "server", e);
        }
        if let Some(u) = get(&kv, "authid") {
            e.jikoku.mail.sasl_username = Some(u.to_string());
            if side == "server" {
                e.user.name = Some(u.to_string());
            }
        }
        e.categorize("authentication", "start", "mail-auth");
        e.outcome("success");
        return true;
    }
    if let Some(rest) = body.strip_prefix("AUTH failure (") {
        let (mech, tail) = rest.split_once("): ").unwrap_or((rest, ""));
        e.set_extra("mail", "sasl_method", mech);
        // `reason…, user=NAME, relay=…` (relay may repeat)
        let (reason, kvs) = match tail.find(", user=").or_else(|| tail.find(", relay=")) {
            Some(i) => (tail.get(..i).unwrap_or(tail), tail.get(i + 2..).unwrap_or("")),
            None => (tail, ""),
        };
        let kv = comma_kv(kvs);
        if let Some(u) = get(&kv, "user") {
            e.jikoku.mail.sasl_username = Some(u.to_string());
            e.user.name = Some(u.to_string());
        }
        if let Some(r) = kv.iter().rev().find(|(k, _)| *k == "relay").map(|(_, v)| *v) {
            relay(r, true, e);
        }
        e.event.reason = Some(reason.to_string());
        e.categorize("authentication", "start", "mail-auth-failure");
        e.outcome("failure");
        return true;
    }
    if let Some(rest) = body.strip_prefix("STARTTLS=") {
        let kv = comma_kv(body);
        let side = rest.split(',').next().unwrap_or("");
        if let Some(r) = get(&kv, "relay") {
            relay(r, side == "server", e);
        }
        for k in ["version", "verify", "cipher"] {
            if let Some(v) = get(&kv, k) {
                e.set_extra("mail", &format!("tls_{k}"), v);
            }
        }
        e.set_extra("mail", "tls_side", side);
        e.categorize("network", "connection", "mail-tls");
        return true;
    }
    if body.starts_with("tls_srv_features=") || body.starts_with("tls_clt_features=") {
        // 8.16+: `tls_srv_features=(null), relay=[ip] [ip]`, `…=empty, stat=0, relay=…`
        let kv = comma_kv(body);
        let server = body.starts_with("tls_srv");
        if let Some(r) = get(&kv, "relay") {
            relay(r, server, e);
        }
        let (k, v) = kv.first().copied().unwrap_or(("", ""));
        e.set_extra("mail", k, v);
        e.categorize("network", "connection", "mail-tls");
        return true;
    }
    if let Some(rest) = body.strip_prefix("lost input channel from ") {
        if let Some((p, after)) = peer(rest) {
            set_peer(&mut e.source, &p);
            if let Some(cmd) = after.rsplit_once(" after ").map(|(_, c)| c) {
                e.set_extra("mail", "after", cmd);
            }
        }
        e.categorize("network", "end", "mail-lost-connection");
        return true;
    }
    if let Some(i) = body.find(" did not issue MAIL/EXPN/VRFY/ETRN") {
        if let Some((p, _)) = body.get(..i).and_then(peer) {
            set_peer(&mut e.source, &p);
        }
        if let Some(d) = body.rsplit_once("during connection to ").map(|(_, d)| d) {
            e.set_extra("mail", "daemon", d);
        }
        e.categorize("network", "end", "mail-no-transaction");
        return true;
    }
    if let Some(rest) = body.strip_prefix("timeout waiting for input from ") {
        if let Some((p, _)) = peer(rest) {
            set_peer(&mut e.source, &p);
        }
        e.categorize("network", "end", "mail-timeout");
        e.outcome("failure");
        return true;
    }
    if let Some(rest) = body.strip_prefix("rejecting commands from ") {
        if let Some(p) = find_peer(rest) {
            set_peer(&mut e.source, &p);
        }
        e.event.reason = rest.split_once(" due to ").map(|(_, r)| r.to_string());
        e.categorize("network", "denied", "mail-reject");
        e.outcome("failure");
        return true;
    }
    if let Some(i) = body.find(": possible SMTP attack: ") {
        if let Some((p, _)) = body.get(..i).and_then(peer) {
            set_peer(&mut e.source, &p);
        }
        let rest = body.get(i + 24..).unwrap_or("");
        let kv = comma_kv(rest);
        if let Some(c) = get(&kv, "command") {
            e.set_extra("mail", "command", c);
        }
        if let Some(c) = get(&kv, "count") {
            e.set_extra("mail", "count", num(c));
        }
        e.event.reason = Some(format!("possible SMTP attack: {rest}"));
        e.categorize("intrusion_detection", "info", "mail-attack");
        e.outcome("failure");
        return true;
    }
    if let Some(rest) = body.strip_prefix("possible SMTP attack: ") {
        e.event.reason = Some(format!("possible SMTP attack: {rest}"));
        e.categorize("intrusion_detection", "info", "mail-attack");
        e.outcome("failure");
        return true;
    }
    if body.ends_with(" [rejected]") {
        // `[1.2.3.4]: EXPN root [rejected]`
        if let Some((head, cmd)) = body.split_once("]: ") {
            if let Some((p, _)) = peer(&format!("{head}]")) {
                set_peer(&mut e.source, &p);
            }
            e.set_extra("mail", "command", cmd.trim_end_matches(" [rejected]"));
        } else {
            e.set_extra("mail", "command", body.trim_end_matches(" [rejected]"));
        }
        e.categorize("email", "denied", "mail-reject");
        e.outcome("failure");
        e.event.reason = Some(body.to_string());
        return true;
    }
    if body.starts_with('<') {
        // `<user@host>... User unknown` (the RCPT reply)
        if let Some((addr, reason)) = body.split_once(">... ") {
            add_to(e, addr.trim_start_matches('<'));
            e.event.reason = Some(reason.to_string());
            e.categorize("email", "denied", "mail-reject");
            e.outcome("failure");
            return true;
        }
    }
    // `QID: QID2: DSN: reason`, `QID: QID2: return to sender: …`
    if let Some((id2, rest)) = body.split_once(": ") {
        if is_queue_id(id2) {
            e.set_extra("mail", "bounce_queue_id", id2);
            let (kind, reason) = rest.split_once(": ").unwrap_or((rest, ""));
            e.set_extra("mail", "notification", kind);
            e.event.reason = Some(reason.to_string());
            e.categorize("email", "info", "mail-bounce");
            e.outcome("failure");
            return true;
        }
    }
    for p in ["return to sender: ", "sender notify: ", "postmaster notify: "] {
        if let Some(reason) = body.strip_prefix(p) {
            e.set_extra("mail", "notification", p.trim_end_matches(": "));
            e.event.reason = Some(reason.to_string());
            e.categorize("email", "info", "mail-bounce");
            e.outcome("failure");
            return true;
        }
    }
    if let Some(rest) = body.strip_prefix("done; ") {
        let kv = comma_kv(rest);
        if let Some(d) = get(&kv, "delay") {
            e.set_extra("mail", "delay", d);
        }
        if let Some(n) = get(&kv, "ntries") {
            e.set_extra("mail", "ntries", num(n));
        }
        e.categorize("email", "end", "mail-removed");
        return true;
    }
    if let Some(rest) = body.strip_prefix("connect from ") {
        if let Some((p, _)) = peer(rest) {
            set_peer(&mut e.source, &p);
        }
        e.categorize("network", "start", "mail-connect");
        return true;
    }
    if body.starts_with("stopping daemon") {
        if let Some(r) = body.split_once("reason=").map(|(_, r)| r) {
            e.event.reason = Some(r.to_string());
        }
        e.categorize("process", "end", "mail-daemon-stop");
        return true;
    }
    if let Some(cmd) = body.strip_prefix("started as: ") {
        e.process.command_line = Some(cmd.to_string());
        e.categorize("process", "start", "mail-daemon-start");
        return true;
    }
    if let Some(rest) = body.strip_prefix("starting daemon (") {
        if let Some(v) = rest.split(')').next() {
            e.set_extra("mail", "version", v);
        }
        e.categorize("process", "start", "mail-daemon-start");
        return true;
    }
    if body.starts_with("Authentication-Warning: ") {
        e.log.level = Some("warning".into());
        e.categorize("email", "info", "mail-warning");
        return true;
    }
    if body.starts_with("alias database ") || body.contains(" aliases, longest ") {
        e.categorize("configuration", "change", "mail-admin");
        return true;
    }
    if body.starts_with("Milter") || body.starts_with("milter") {
        e.categorize("email", "info", "mail-milter");
        return true;
    }
    if let Some(rest) = body.strip_prefix("SMTP outgoing connect on ") {
        if let Some(p) = find_peer(rest) {
            e.set_extra("mail", "local_address", p.ip);
        }
        e.categorize("network", "connection", "mail-connect");
        return true;
    }
    false
}

fn codes(text: &str, e: &mut Event) {
    let (code, enh) = smtp_reply(text);
    if let Some(c) = code {
        e.set_extra("mail", "reply_code", c);
    }
    if let Some(d) = enh {
        e.set_extra("mail", "dsn", d);
    }
}

fn delivery(body: &str, e: &mut Event) -> bool {
    let kv = comma_kv(body);
    if let Some(t) = get(&kv, "to") {
        for a in t.split(',') {
            let a = a.trim();
            // a malformed line may glue `00:00:00` (a delay without its key) to the list
            if a.is_empty() || a.bytes().all(|c| c.is_ascii_digit() || c == b':' || c == b'+') {
                continue;
            }
            add_to(e, a);
        }
    }
    if let Some(c) = get(&kv, "ctladdr") {
        let (addr, ids) = word_and_paren(c);
        e.set_extra("mail", "ctladdr", unangle(addr));
        if let Some((uid, gid)) = ids.and_then(|i| i.split_once('/')) {
            e.set_extra("mail", "ctladdr_uid", num(uid));
            e.set_extra("mail", "ctladdr_gid", num(gid));
        }
    }
    for k in ["delay", "xdelay", "mailer", "dsn", "reply", "orcpt"] {
        if let Some(v) = get(&kv, k) {
            e.set_extra("mail", k, v);
        }
    }
    if let Some(d) = get(&kv, "delay") {
        if let Some(ns) = hms_nanos(d) {
            e.event.duration = Some(ns);
        }
    }
    if let Some(p) = get(&kv, "pri") {
        e.set_extra("mail", "pri", num(p));
    }
    if let Some(r) = get(&kv, "relay") {
        relay(r, false, e);
    }
    e.categorize("email", "info", "mail-delivery");
    if let Some(stat) = get(&kv, "stat") {
        e.set_extra("mail", "stat", stat);
        let dsn_class = get(&kv, "dsn").and_then(|d| d.chars().next());
        let status = if stat.starts_with("Sent") {
            "sent"
        } else if stat.starts_with("Deferred")
            || stat.starts_with("queued")
            || dsn_class == Some('4')
        {
            if stat.starts_with("queued") { "queued" } else { "deferred" }
        } else if dsn_class == Some('2') {
            "sent"
        } else {
            "bounced"
        };
        e.jikoku.mail.status = Some(status.to_string());
        let (_, paren) = word_and_paren(stat);
        if let Some(id) = paren.and_then(remote_queue_id) {
            e.set_extra("mail", "remote_queue_id", id);
        }
        match status {
            "sent" => e.outcome("success"),
            "queued" => e.outcome("unknown"),
            _ => {
                e.outcome("failure");
                e.event.reason = Some(stat.to_string());
            }
        }
    }
    true
}

/// Sendmail delays: `[D+]HH:MM:SS` → nanoseconds.
fn hms_nanos(s: &str) -> Option<i64> {
    let (days, hms) = match s.split_once('+') {
        Some((d, r)) => (d.parse::<i64>().ok()?, r),
        None => (0, s),
    };
    let mut it = hms.split(':');
    let h: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let sec: i64 = it.next()?.parse().ok()?;
    let total = days.checked_mul(86400)?.checked_add(h * 3600 + m * 60 + sec)?;
    total.checked_mul(1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_delays() {
        assert!(is_queue_id("6AMJRl8D017865"));
        assert!(is_queue_id("xA32R2PQ3529565"));
        assert!(!is_queue_id("ruleset=check"));
        assert_eq!(hms_nanos("1+00:00:15"), Some((86400 + 15) * 1_000_000_000));
    }
}
