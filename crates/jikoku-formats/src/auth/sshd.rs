//! sshd messages.

use std::borrow::Cow;

use jikoku_core::Event;

use super::{peer, set};

/// Splits `USER from ADDR port N[ ssh2][: KEY FP]` or `USER from ADDR` → (user, addr, port, tail).
///
/// User names may hold spaces and even ` from `, and old sshd appended attacker text after
/// `ssh2: ` (`… port 20000 ssh1: ruser from 1.2.3.4`): the first ` from ADDR port N` whose
/// tail is empty, `ssh1`/`ssh2…` or `: …` wins; without any, the last ` from ADDR`.
fn user_addr_port<'a>(
    s: &'a str,
    sep: &str,
) -> Option<(&'a str, &'a str, Option<&'a str>, &'a str)> {
    let split = |idx: usize| -> Option<(&'a str, &'a str, Option<&'a str>, &'a str)> {
        let user = s.get(..idx)?;
        let rest = s.get(idx + sep.len()..)?;
        let (addr, after) = rest.split_once(' ').unwrap_or((rest, ""));
        let (port, tail) = match after.strip_prefix("port ") {
            Some(p) => {
                let end = p.find([' ', ':']).unwrap_or(p.len());
                (
                    p.get(..end).filter(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())),
                    p.get(end..).unwrap_or(""),
                )
            }
            None => (None, after),
        };
        Some((user, addr, port, tail))
    };
    for (idx, _) in s.match_indices(sep) {
        if let Some(found @ (_, _, Some(_), tail)) = split(idx) {
            let t = tail.trim_start();
            let t = t.strip_prefix("ssh1").or_else(|| t.strip_prefix("ssh2")).unwrap_or(t);
            if t.is_empty() || t.starts_with(':') {
                return Some(found);
            }
        }
    }
    split(s.rfind(sep)?)
}

/// Splits `[USER ]ADDR port N[ tail]` → (user, addr, port).
fn user_ip_port(s: &str) -> Option<(&str, &str, Option<&str>)> {
    let (before, port) = match s.rfind(" port ") {
        Some(i) => {
            let p = s.get(i + 6..)?;
            let end = p.find([' ', ':']).unwrap_or(p.len());
            (s.get(..i)?, p.get(..end))
        }
        None => (s.split(' ').next()?, None),
    };
    Some(match before.rsplit_once(' ') {
        Some((u, a)) => (u, a, port),
        None => ("", before, port),
    })
}

fn strip_user_kind(u: &str) -> (&str, Option<&'static str>) {
    if let Some(r) = u.strip_prefix("invalid user ") {
        (r, Some("invalid"))
    } else if let Some(r) = u.strip_prefix("illegal user ") {
        (r, Some("invalid"))
    } else if let Some(r) = u.strip_prefix("authenticating user ") {
        (r, Some("authenticating"))
    } else if let Some(r) = u.strip_prefix("user ") {
        (r, None)
    } else {
        (u, None)
    }
}

fn set_user(e: &mut Event, user: &str, kind: Option<&'static str>) {
    if !user.is_empty() {
        e.user.name = Some(user.to_string());
    }
    if kind == Some("invalid") {
        e.set_extra("ssh", "invalid_user", true);
    }
}

fn preauth(e: &mut Event, msg: &str) {
    if msg.ends_with("[preauth]") {
        e.set_extra("ssh", "preauth", true);
    }
}

/// Decodes one sshd message.
pub fn decode(msg: &str, e: &mut Event) -> bool {
    let msg_core = msg.trim_end_matches(" [preauth]");
    // Accepted/Failed METHOD for [invalid user] USER from IP port N [ssh2][: KEY FP]
    for (verb, ok) in [("Accepted ", true), ("Failed ", false), ("Postponed ", true)] {
        if let Some(r) = msg_core.strip_prefix(verb) {
            let Some((method, rest)) = r.split_once(" for ") else { continue };
            let Some((user, addr, port, tail)) = user_addr_port(rest, " from ") else { continue };
            let (user, kind) = strip_user_kind(user);
            set(e, "auth.sshd", "authentication", "start", "ssh-login");
            if verb == "Postponed " {
                e.event.action = Some(Cow::Borrowed("ssh-login-postponed"));
            }
            e.outcome(if ok { "success" } else { "failure" });
            if !ok {
                e.event.reason = Some(format!("failed {method}"));
            }
            if ok && verb == "Accepted " {
                e.event.category.push(Cow::Borrowed("session"));
            }
            set_user(e, user, kind);
            peer(e, addr, port);
            e.set_extra("ssh", "method", method);
            let tail = tail.trim_start();
            let tail = tail.strip_prefix("ssh2").unwrap_or(tail).trim_start();
            let keyed = method == "publickey" || method == "hostbased";
            if let Some(key) = tail.strip_prefix(": ").filter(|_| keyed) {
                if let Some((kt, fp)) = key.split_once(' ') {
                    e.set_extra("ssh", "key_type", kt);
                    e.set_extra("ssh", "fingerprint", fp);
                }
            }
            preauth(e, msg);
            return true;
        }
    }
    if let Some(r) =
        msg_core.strip_prefix("Invalid user ").or_else(|| msg_core.strip_prefix("Illegal user "))
    {
        if let Some((user, addr, port, _)) = user_addr_port(r, " from ").or_else(|| {
            // `Invalid user  from IP` (empty user): the separator is at the start.
            r.strip_prefix("from ").map(|a| {
                let (addr, after) = a.split_once(' ').unwrap_or((a, ""));
                ("", addr, after.strip_prefix("port "), "")
            })
        }) {
            set(e, "auth.sshd", "authentication", "info", "ssh-invalid-user");
            e.outcome("failure");
            e.event.reason = Some("invalid user".into());
            set_user(e, user, Some("invalid"));
            peer(e, addr, port);
            return true;
        }
    }
    // Connection closed by [authenticating|invalid] [user U] IP port N [preauth]
    for (p, action) in [
        ("Connection closed by ", "ssh-connection-closed"),
        ("Disconnected from ", "ssh-disconnect"),
        ("Connection reset by ", "ssh-connection-closed"),
    ] {
        if let Some(r) = msg_core.strip_prefix(p) {
            let Some((user, addr, port)) = user_ip_port(r) else { continue };
            let (user, kind) = strip_user_kind(user);
            set(e, "auth.sshd", "session", "end", action);
            set_user(e, user, kind);
            peer(e, addr, port);
            preauth(e, msg);
            return true;
        }
    }
    // `error: ` / `fatal: ` prefixes (log level) before forms that also appear without them.
    let bare = msg_core
        .strip_prefix("error: ")
        .or_else(|| msg_core.strip_prefix("fatal: "))
        .unwrap_or(msg_core);
    if let Some(r) = bare.strip_prefix("Received disconnect from ") {
        // `ADDR port N:11: reason`, `ADDR: 11: reason` (old), `ADDR port N:11:` (no reason)
        let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
        let (addr, rest) = match addr.strip_suffix(':') {
            Some(a) if !rest.starts_with("port ") => (a, rest),
            _ => (addr, rest),
        };
        let port = rest.strip_prefix("port ").map(|p| p.split(':').next().unwrap_or(p));
        set(e, "auth.sshd", "session", "end", "ssh-disconnect");
        peer(e, addr, port);
        let reason = match rest.strip_prefix("port ") {
            Some(p) => p.split_once(':').map(|(_, r)| r).unwrap_or(""),
            None => rest,
        };
        let reason = reason
            .trim_start()
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .trim_start_matches(':')
            .trim();
        if !reason.is_empty() {
            e.set_extra("ssh", "disconnect_reason", reason);
        }
        preauth(e, msg);
        return true;
    }
    if let Some(r) = bare.strip_prefix("Unable to negotiate with ") {
        if let Some((who, reason)) = r.split_once(": ") {
            if let Some((_, addr, port)) = user_ip_port(who) {
                set(e, "auth.sshd", "network", "connection", "ssh-negotiation-failed");
                e.outcome("failure");
                e.event.reason = Some(reason.to_string());
                peer(e, addr, port);
                preauth(e, msg);
                return true;
            }
        }
    }
    // `banner exchange: Connection from ADDR port N: invalid format`,
    // `ssh_dispatch_run_fatal: Connection from ADDR port N: message authentication code incorrect`
    for (p, action) in [
        ("banner exchange: Connection from ", "ssh-bad-banner"),
        ("ssh_dispatch_run_fatal: Connection from ", "ssh-protocol-error"),
        ("Timeout before authentication for ", "ssh-login-timeout"),
    ] {
        if let Some(r) = bare.strip_prefix(p) {
            let (who, reason) = r.split_once(": ").unwrap_or((r, ""));
            // `Timeout before authentication for connection from ADDR to ADDR, pid = N` (old)
            let who = who
                .strip_prefix("connection from ")
                .map_or(who, |w| w.split([' ', ',']).next().unwrap_or(w));
            if let Some((_, addr, port)) = user_ip_port(who) {
                set(e, "auth.sshd", "network", "connection", action);
                e.outcome("failure");
                if !reason.is_empty() {
                    e.event.reason = Some(reason.to_string());
                }
                peer(e, addr, port);
                preauth(e, msg);
                return true;
            }
        }
    }
    if let Some(r) = bare.strip_prefix("input_userauth_request: invalid user ") {
        // `input_userauth_request: invalid user admin [preauth]` (OpenSSH ≤ 7.4; peer on other lines)
        set(e, "auth.sshd", "authentication", "info", "ssh-invalid-user");
        e.outcome("failure");
        e.event.reason = Some("invalid user".into());
        set_user(e, r, Some("invalid"));
        preauth(e, msg);
        return true;
    }
    if bare.starts_with("PAM service(") && bare.contains("ignoring max retries") {
        set(e, "auth.sshd", "authentication", "info", "ssh-pam-max-retries");
        e.outcome("failure");
        e.event.reason = Some(bare.to_string());
        return true;
    }
    if let Some(r) = bare.strip_prefix("kex_exchange_identification: ") {
        // No address on this line (it is on `Connection from` / `Connection reset by` of the same pid).
        set(e, "auth.sshd", "network", "connection", "ssh-bad-banner");
        e.outcome("failure");
        e.event.reason = Some(r.to_string());
        return true;
    }
    if let Some(r) = bare.strip_prefix("Bad protocol version identification ") {
        if let Some((_, addr, port, _)) = user_addr_port(r, " from ") {
            set(e, "auth.sshd", "network", "connection", "ssh-bad-banner");
            e.outcome("failure");
            e.event.reason = Some("bad protocol version identification".into());
            peer(e, addr, port);
            return true;
        }
    }
    if let Some(r) = bare.strip_prefix("ROOT LOGIN REFUSED FROM ") {
        let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
        set(e, "auth.sshd", "authentication", "start", "ssh-login");
        e.outcome("failure");
        e.event.reason = Some("root login refused".into());
        e.user.name = Some("root".into());
        peer(e, addr, rest.strip_prefix("port ").and_then(|p| p.split(' ').next()));
        return true;
    }
    if let Some(r) = bare.strip_prefix("refused connect from ") {
        // tcp wrappers: `refused connect from NAME@ADDR (ADDR)` or `… from HOST (ADDR)`
        let addr = r
            .rsplit_once(" (")
            .and_then(|(_, a)| a.strip_suffix(')'))
            .unwrap_or_else(|| r.rsplit('@').next().unwrap_or(r));
        set(e, "auth.sshd", "network", "connection", "ssh-connection-refused");
        e.outcome("failure");
        e.event.reason = Some("refused by tcp wrappers".into());
        peer(e, addr, None);
        return true;
    }
    if let Some(r) = bare.strip_prefix("PAM: ") {
        // `error: PAM: Authentication failure for [illegal user ]U from H[ via X]`,
        // `… Authentication error for …`, `… User not known to the underlying authentication module for …`
        if let Some((what, rest)) = r.split_once(" for ") {
            if let Some((user, host, _, _)) = user_addr_port(rest, " from ") {
                let (user, kind) = strip_user_kind(user);
                let host = host.split(' ').next().unwrap_or(host);
                set(e, "auth.sshd", "authentication", "start", "ssh-login");
                e.outcome("failure");
                e.event.reason = Some(format!("PAM: {what}"));
                set_user(e, user, kind);
                peer(e, host, None);
                return true;
            }
        }
    }
    if let Some(r) = bare.strip_prefix("Disconnecting: Too many authentication failures") {
        set(e, "auth.sshd", "authentication", "info", "ssh-too-many-failures");
        e.outcome("failure");
        e.event.reason = Some("too many authentication failures".into());
        if let Some(u) = r.strip_prefix(" for ").map(|u| strip_user_kind(u)) {
            set_user(e, u.0, u.1);
        }
        preauth(e, msg);
        return true;
    }
    if let Some(r) = bare.strip_prefix("Close session: user ") {
        // `Close session: user carol from 127.0.0.1 port 58460 id 0`
        if let Some((user, addr, port, _)) = user_addr_port(r, " from ") {
            set(e, "auth.sshd", "session", "end", "ssh-session-end");
            e.user.name = Some(user.to_string());
            peer(e, addr, port);
            return true;
        }
    }
    if let Some(r) = bare.strip_prefix("Starting session: ") {
        // `Starting session: command for carol from 127.0.0.1 port 34464 id 0`
        if let Some((kind, rest)) = r.split_once(" for ") {
            if let Some((user, addr, port, _)) = user_addr_port(rest, " from ") {
                set(e, "auth.sshd", "session", "start", "ssh-session-start");
                e.user.name = Some(user.to_string());
                peer(e, addr, port);
                e.set_extra("ssh", "session_type", kind);
                return true;
            }
        }
    }
    if let Some(r) = bare.strip_prefix("SSH: Server;Ltype: ") {
        // Debian's old LogLevel VERBOSE trail: `SSH: Server;Ltype: Authname;Remote: 127.0.0.1-1780;Name: root`
        set(e, "auth.sshd", "network", "info", "ssh-connection-info");
        for part in r.split(';') {
            if let Some(rem) = part.strip_prefix("Remote: ") {
                let (a, p) = rem.rsplit_once('-').unwrap_or((rem, ""));
                peer(e, a, Some(p));
            } else if let Some(n) = part.strip_prefix("Name: ") {
                e.user.name = Some(n.trim_end_matches(" [preauth]").to_string());
            }
        }
        e.set_extra("ssh", "ltype", r.split(';').next().unwrap_or(""));
        preauth(e, msg);
        return true;
    }
    if let Some(r) =
        bare.strip_prefix("Accepted key ").or_else(|| bare.strip_prefix("Accepted certificate ID "))
    {
        // `Accepted key ED25519 SHA256:… found at /home/carol/.ssh/authorized_keys:1`
        set(e, "auth.sshd", "authentication", "info", "ssh-key-accepted");
        let (key, file) = r.split_once(" found at ").unwrap_or((r, ""));
        if let Some((kt, fp)) = key.split_once(' ') {
            e.set_extra("ssh", "key_type", kt);
            e.set_extra("ssh", "fingerprint", fp);
        }
        if !file.is_empty() {
            e.set_extra("ssh", "authorized_keys", file);
        }
        return true;
    }
    if let Some(r) = msg_core.strip_prefix("Did not receive identification string from ") {
        let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
        set(e, "auth.sshd", "network", "connection", "ssh-no-identification");
        e.outcome("failure");
        peer(e, addr, rest.strip_prefix("port "));
        return true;
    }
    if let Some(r) = msg_core.strip_prefix("Connection from ") {
        let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
        let port = rest.strip_prefix("port ").and_then(|p| p.split(' ').next());
        set(e, "auth.sshd", "network", "connection", "ssh-connection");
        peer(e, addr, port);
        // `… on 127.0.0.1 port 2222 rdomain ""`: the local end.
        if let Some((_, local)) = rest.split_once(" on ") {
            let (laddr, lrest) = local.split_once(' ').unwrap_or((local, ""));
            e.destination.set_address(laddr);
            e.destination.port = lrest
                .strip_prefix("port ")
                .and_then(|p| p.split(' ').next())
                .and_then(|p| p.parse().ok());
        }
        return true;
    }
    if let Some(r) = msg_core
        .strip_prefix("error: maximum authentication attempts exceeded for ")
        .or_else(|| msg_core.strip_prefix("maximum authentication attempts exceeded for "))
    {
        if let Some((user, addr, port, _)) = user_addr_port(r, " from ") {
            let (user, kind) = strip_user_kind(user);
            set(e, "auth.sshd", "authentication", "info", "ssh-too-many-failures");
            e.outcome("failure");
            e.event.reason = Some("maximum authentication attempts exceeded".into());
            set_user(e, user, kind);
            peer(e, addr, port);
            return true;
        }
    }
    if let Some(r) = msg_core.strip_prefix("Disconnecting ") {
        if let Some((who, reason)) = r.split_once(": ") {
            if let Some((user, addr, port)) = user_ip_port(who) {
                let (user, kind) = strip_user_kind(user);
                set(e, "auth.sshd", "session", "end", "ssh-disconnect");
                e.outcome("failure");
                e.event.reason = Some(reason.to_string());
                set_user(e, user, kind);
                peer(e, addr, port);
                return true;
            }
        }
    }
    if msg_core.starts_with("PAM ") && msg_core.contains("more authentication failure") {
        set(e, "auth.sshd", "authentication", "info", "ssh-login");
        e.outcome("failure");
        e.event.reason = Some("PAM authentication failures".into());
        if let Some(n) =
            msg_core.get(4..).and_then(|s| s.split(' ').next()).and_then(|n| n.parse::<i64>().ok())
        {
            e.set_extra("ssh", "failures", n);
        }
        if let Some(h) = crate::text::kv(msg_core, "rhost").filter(|h| !h.is_empty()) {
            peer(e, h, None);
        }
        if let Some(u) = crate::text::kv(msg_core, "user").filter(|u| !u.is_empty()) {
            e.user.name = Some(u.to_string());
        }
        return true;
    }
    if let Some(r) = msg_core.strip_prefix("User ") {
        if let Some((user, rest)) = r.split_once(" from ") {
            if let Some((addr, why)) = rest.split_once(" not allowed because ") {
                set(e, "auth.sshd", "authentication", "info", "ssh-login");
                e.outcome("failure");
                e.event.reason = Some(format!("not allowed because {why}"));
                e.user.name = Some(user.to_string());
                peer(e, addr, None);
                return true;
            }
        }
    }
    if let Some(r) = msg_core.strip_prefix("reverse mapping checking getaddrinfo for ") {
        set(e, "auth.sshd", "network", "info", "ssh-reverse-mapping-failed");
        if let Some(open) = r.find('[') {
            if let Some(close) = r.find(']') {
                if let Some(ip) = r.get(open + 1..close) {
                    peer(e, ip, None);
                }
            }
            if let Some(name) = r.get(..open) {
                e.source.domain = Some(name.trim().to_string());
            }
        }
        return true;
    }
    if let Some(r) = msg_core.strip_prefix("Server listening on ") {
        set(e, "auth.sshd", "process", "start", "ssh-listen");
        let (addr, rest) = r.split_once(' ').unwrap_or((r, ""));
        e.set_extra("ssh", "listen_address", addr);
        if let Some(p) = rest.strip_prefix("port ") {
            if let Ok(p) = p.trim_end_matches('.').parse::<i64>() {
                e.set_extra("ssh", "listen_port", p);
            }
        }
        return true;
    }
    if msg_core.starts_with("Received signal ") || msg_core.starts_with("Server terminating") {
        set(e, "auth.sshd", "process", "end", "ssh-stop");
        return true;
    }
    // Other fatal errors end the connection (`fatal: Read from socket failed: Connection reset by peer`).
    if let Some(r) = msg_core.strip_prefix("fatal: ") {
        set(e, "auth.sshd", "network", "end", "ssh-fatal");
        e.outcome("failure");
        e.event.reason = Some(r.to_string());
        preauth(e, msg);
        return true;
    }
    false
}

/// `A:P` (dropbear writes `::ffff:1.2.3.4:60495`, `<192.0.2.3:52289>`) → (addr, port).
fn host_colon_port(s: &str) -> (&str, Option<&str>) {
    let s = s.trim_start_matches('<').trim_end_matches(['>', ':']);
    match s.rsplit_once(':') {
        Some((a, p)) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) && !a.is_empty() => {
            (a, Some(p))
        }
        _ => (s, None),
    }
}

/// Dropbear: `Bad password attempt for 'root' from 1.2.3.4:60588`,
/// `Login attempt for nonexistent user from ::ffff:1.2.3.4:60495`,
/// `Exit before auth (user 'root', 10 fails): Max auth tries reached - user 'root' from 1.2.3.4:60588`,
/// `Exit before auth from <192.0.2.3:52289>: …`, `Password auth succeeded for 'alice' from …`,
/// `Pubkey auth succeeded for 'alice' with key md5 … from …`, `Child connection from …`,
/// `Exit (alice): Disconnect received`; with or without dropbear's own `[pid] Mmm dd hh:mm:ss ` prefix.
pub fn decode_dropbear(msg: &str, e: &mut Event) -> bool {
    let mut m = msg;
    if let Some(r) = m.strip_prefix('[') {
        if let Some((pid, rest)) = r.split_once("] ") {
            if pid.bytes().all(|c| c.is_ascii_digit()) {
                // `Jul 10 23:53:52 ` (16 bytes) when present
                m = match rest.get(..16) {
                    Some(ts)
                        if ts.as_bytes().get(15) == Some(&b' ') && ts.get(9..10) == Some(":") =>
                    {
                        rest.get(16..).unwrap_or(rest)
                    }
                    _ => rest,
                };
            }
        }
    }
    let user_q = |s: &str| -> Option<String> {
        let i = s.find("user '").map(|i| i + 6).or_else(|| s.find("for '").map(|i| i + 5))?;
        let r = s.get(i..)?;
        r.find('\'').and_then(|j| r.get(..j)).map(str::to_string)
    };
    let from = |s: &str| -> Option<(String, Option<String>)> {
        let i = s.rfind(" from ")?;
        let r = s.get(i + 6..)?;
        let tok = r.split([' ']).next().unwrap_or(r);
        let (a, p) = host_colon_port(tok);
        Some((a.to_string(), p.map(str::to_string)))
    };
    let lower = m.to_ascii_lowercase();
    let (action, category, kind, outcome) = if lower.starts_with("bad password attempt for ") {
        ("ssh-login", "authentication", "start", Some("failure"))
    } else if lower.starts_with("login attempt for nonexistent user") {
        ("ssh-invalid-user", "authentication", "info", Some("failure"))
    } else if lower.starts_with("exit before auth") {
        ("ssh-disconnect", "session", "end", Some("failure"))
    } else if lower.starts_with("password auth succeeded for ")
        || lower.starts_with("pubkey auth succeeded for ")
    {
        ("ssh-login", "authentication", "start", Some("success"))
    } else if lower.starts_with("child connection from ") {
        ("ssh-connection", "network", "connection", None)
    } else if lower.starts_with("exit (") {
        ("ssh-disconnect", "session", "end", None)
    } else {
        return false;
    };
    set(e, "auth.dropbear", category, kind, action);
    if let Some(o) = outcome {
        e.outcome(o);
    }
    if outcome == Some("failure") {
        let reason = m.split_once(" - ").map_or(m, |(_, r)| r);
        e.event.reason = Some(reason.split(" from ").next().unwrap_or(reason).to_string());
    }
    let user = if let Some(r) = m.strip_prefix("Exit (") {
        r.split_once(')').map(|(u, _)| u.to_string())
    } else {
        user_q(m)
    };
    if let Some(u) = user.filter(|u| !u.is_empty() && u != "is invalid") {
        e.user.name = Some(u);
    }
    if let Some(r) = m.strip_prefix("Exit before auth from ") {
        let (a, p) = host_colon_port(r.split(' ').next().unwrap_or(r));
        peer(e, a, p);
    } else if let Some((a, p)) = from(m) {
        peer(e, &a, p.as_deref());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(msg: &str) -> Event {
        let mut e = Event::new("syslog.rfc3164");
        assert!(decode(msg, &mut e), "not decoded: {msg}");
        e
    }

    #[test]
    fn accepted_publickey() {
        let e = d(
            "Accepted publickey for alice from 127.0.0.1 port 57304 ssh2: ED25519 SHA256:G835NXxRXX5OZIyTarS9+EusVWuaWjQWKejzzN5hI4k",
        );
        assert_eq!(e.user.name.as_deref(), Some("alice"));
        assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
        assert_eq!(e.source.port, Some(57304));
        assert_eq!(e.event.outcome.as_deref(), Some("success"));
        assert_eq!(e.extra("ssh", "key_type").unwrap(), "ED25519");
        assert_eq!(
            e.extra("ssh", "fingerprint").unwrap(),
            "SHA256:G835NXxRXX5OZIyTarS9+EusVWuaWjQWKejzzN5hI4k"
        );
    }

    #[test]
    fn failed_invalid_user_with_space_and_ipv6() {
        let e = d("Failed password for invalid user admin test from 2001:db8::1 port 22 ssh2");
        assert_eq!(e.user.name.as_deref(), Some("admin test"));
        assert_eq!(e.source.ip.as_deref(), Some("2001:db8::1"));
        assert_eq!(e.event.outcome.as_deref(), Some("failure"));
        assert_eq!(e.extra("ssh", "invalid_user").unwrap(), true);
        let e = d("Failed publickey for plaso from 001:db8:a0b:12f0::1 port 8759");
        assert_eq!(e.source.address.as_deref(), Some("001:db8:a0b:12f0::1"));
        assert_eq!(e.source.port, Some(8759));
    }

    #[test]
    fn closed_and_disconnected() {
        let e = d("Connection closed by authenticating user alice 127.0.0.1 port 53096 [preauth]");
        assert_eq!(
            (e.user.name.as_deref(), e.source.ip.as_deref(), e.source.port),
            (Some("alice"), Some("127.0.0.1"), Some(53096))
        );
        let e = d("Connection closed by 192.0.2.1 port 4444 [preauth]");
        assert_eq!(
            (e.user.name.as_deref(), e.source.ip.as_deref(), e.source.port),
            (None, Some("192.0.2.1"), Some(4444))
        );
        let e = d("Disconnected from user alice 127.0.0.1 port 53092");
        assert_eq!((e.user.name.as_deref(), e.source.port), (Some("alice"), Some(53092)));
        let e = d("Received disconnect from 127.0.0.1 port 53092:11: disconnected by user");
        assert_eq!((e.source.ip.as_deref(), e.source.port), (Some("127.0.0.1"), Some(53092)));
        let e = d("Invalid user  from 10.0.0.1 port 5");
        assert_eq!((e.user.name.as_deref(), e.source.ip.as_deref()), (None, Some("10.0.0.1")));
        let e = d("Invalid user oracle from 192.0.2.100");
        assert_eq!(
            (e.user.name.as_deref(), e.source.ip.as_deref()),
            (Some("oracle"), Some("192.0.2.100"))
        );
    }
}
