//! PAM module messages (`pam_unix(SERVICE:TYPE): …`), for any service.

use std::borrow::Cow;

use jikoku_core::Event;

use super::{peer, set};
use crate::text::kv;

/// `pam_unix(sshd:session): rest` → (`pam_unix`, `sshd:session`… folded into body).
/// Returns (module, body) where body keeps `(svc:type): msg` stripped to `msg`, and the
/// service/type are recorded by [`decode`] through the event.
pub fn split_pam_prefix(msg: &str) -> Option<(&str, &str)> {
    let open = msg.find('(')?;
    let module = msg.get(..open)?;
    if module.contains(' ') {
        return None;
    }
    let close = msg.find("): ")?;
    let body = msg.get(close + 3..)?;
    Some((module, body))
}

/// Service and type from `pam_unix(su:session): …`.
fn service_type(full: &str) -> Option<(&str, &str)> {
    let open = full.find('(')?;
    let close = full.find(')')?;
    full.get(open + 1..close)?.split_once(':')
}

/// Decodes a PAM message body; `prog` is the syslog program.
pub fn decode(prog: &str, module: &str, body: &str, e: &mut Event) -> bool {
    let full = e.message.clone().unwrap_or_default();
    if let Some((svc, kind)) = service_type(&full) {
        e.set_extra("pam", "service", svc);
        e.set_extra("pam", "type", kind);
    } else {
        e.set_extra("pam", "service", prog);
    }
    e.set_extra("pam", "module", module);
    if let Some(r) = body.strip_prefix("session opened for user ") {
        set(e, "auth.pam", "session", "start", "session-opened");
        e.outcome("success");
        // `alice(uid=1001) by (uid=0)` or `root by (uid=0)` or `root by LOGIN(uid=0)`
        let (target, by) = r.split_once(" by ").unwrap_or((r, ""));
        let (tname, tuid) = name_uid(target);
        e.user.target.name = Some(tname.to_string());
        e.user.target.id = tuid.map(str::to_string);
        let (bname, buid) = name_uid(by);
        if !bname.is_empty() {
            e.user.name = Some(bname.to_string());
        }
        e.user.id = buid.map(str::to_string);
        // For sshd/login/cron the session belongs to the target user.
        if prog != "su" && prog != "sudo" && prog != "su-l" {
            e.user.name = Some(tname.to_string());
            e.user.id = tuid.map(str::to_string);
        }
        return true;
    }
    if let Some(r) = body.strip_prefix("session closed for user ") {
        set(e, "auth.pam", "session", "end", "session-closed");
        // su/sudo: the closed session is the target's; who opened it is not written here.
        if !matches!(prog, "su" | "sudo" | "su-l") {
            e.user.name = Some(r.trim().to_string());
        }
        e.user.target.name = Some(r.trim().to_string());
        return true;
    }
    if body.starts_with("authentication failure;") {
        set(e, "auth.pam", "authentication", "info", "auth-failure");
        e.outcome("failure");
        e.event.reason = Some("authentication failure".into());
        // `logname= uid= euid= tty= ruser= rhost= [user=]`: `user` is the account asked for,
        // `ruser` the requesting user (su: who typed; sshd: empty). Values may carry
        // attacker text (`ruser=test rhost=1.2.3.4`): see [`rhost`].
        let (ruser, user) = pam_users(body);
        match (ruser, user) {
            (Some(r), Some(u)) => {
                e.user.name = Some(r.to_string());
                e.user.target.name = Some(u.to_string());
            }
            (Some(x), None) | (None, Some(x)) => e.user.name = Some(x.to_string()),
            (None, None) => {}
        }
        if let Some(ru) = ruser {
            e.set_extra("pam", "ruser", ru);
        }
        if let Some(u) = kv(body, "uid").filter(|u| !u.is_empty()) {
            e.set_extra("pam", "uid", u);
        }
        if let Some(t) = kv(body, "tty").filter(|t| !t.is_empty()) {
            e.jikoku.tty = Some(t.trim_start_matches("/dev/").to_string());
        }
        if let Some(h) = rhost(body) {
            peer(e, h, None);
        }
        return true;
    }
    if let Some(r) = body.strip_prefix("check pass; user unknown") {
        let _ = r;
        set(e, "auth.pam", "authentication", "info", "auth-failure");
        e.outcome("failure");
        e.event.reason = Some("user unknown".into());
        return true;
    }
    if let Some(u) = body.strip_prefix("password changed for ") {
        set(e, "auth.pam", "iam", "change", "password-changed");
        e.outcome("success");
        e.user.target.name = Some(u.trim().to_string());
        return true;
    }
    if let Some(r) = body.strip_prefix("auth could not identify password for [") {
        set(e, "auth.pam", "authentication", "info", "auth-failure");
        e.outcome("failure");
        e.event.reason = Some("could not identify password".into());
        e.user.name = Some(r.trim_end_matches(']').to_string());
        return true;
    }
    // Other module messages (pam_limits, pam_systemd, pam_env, …): a PAM event, no fields.
    e.event.dataset = Cow::Borrowed("auth.pam");
    true
}

/// The real `rhost=` of a PAM failure line: the one followed by ` user=` if any, else the last
/// one (a `ruser` or `user` value may itself contain ` rhost=…`). Returns (start of `rhost=`, value).
fn rhost_at(body: &str) -> Option<(usize, &str)> {
    let mut last = None;
    for (i, _) in body.match_indices("rhost=") {
        if i > 0 && body.as_bytes().get(i - 1) != Some(&b' ') {
            continue;
        }
        let v = body.get(i + 6..)?;
        let end = v.find(' ').unwrap_or(v.len());
        let val = v.get(..end)?;
        if v.get(end..).is_some_and(|t| t.trim_start().starts_with("user=")) {
            return Some((i, val));
        }
        last = Some((i, val));
    }
    last
}

fn rhost(body: &str) -> Option<&str> {
    rhost_at(body).map(|(_, h)| h).filter(|h| !h.is_empty())
}

/// (`ruser`, `user`) of a PAM failure line, each delimited by the field that really follows it
/// (`ruser=` runs up to the real ` rhost=`, `user=` to the end of the line), empty → None.
fn pam_users(body: &str) -> (Option<&str>, Option<&str>) {
    let Some((ri, host)) = rhost_at(body) else {
        return (
            kv(body, "ruser").filter(|u| !u.is_empty()),
            kv(body, "user").filter(|u| !u.is_empty()),
        );
    };
    let before = body.get(..ri).unwrap_or("");
    let ruser = before
        .rfind("ruser=")
        .and_then(|i| before.get(i + 6..))
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let after = body.get(ri + 6 + host.len()..).unwrap_or("").trim_start();
    let user = after.strip_prefix("user=").map(str::trim).filter(|u| !u.is_empty());
    (ruser, user)
}

/// `alice(uid=1001)` → (`alice`, Some(`1001`)); `(uid=0)` → (``, Some(`0`)).
fn name_uid(s: &str) -> (&str, Option<&str>) {
    let s = s.trim();
    match s.split_once("(uid=") {
        Some((n, rest)) => (n, rest.strip_suffix(')')),
        None => (s, None),
    }
}
