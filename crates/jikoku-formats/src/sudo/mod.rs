//! sudo logs: via syslog ([`syslog::SudoDecoder`]), sudo's own log file ([`logfile::SudoLogfileParser`]),
//! JSON event logs ([`json::SudoJsonParser`]: `log_format=json`, `json_compact`, sudo_logsrvd) and
//! I/O log session metadata ([`iolog::SudoIologParser`]: the `log` and `log.json` files).
//!
//! The text forms share one body, built by sudo's `new_logline()` (lib/eventlog/eventlog.c):
//! `[REASON ; ]HOST= ; TTY= ; CHROOT= ; PWD= ; USER= ; GROUP= ; TSID= ; ENV= ; COMMAND=[ ; SIGNAL=][ ; EXIT=]`,
//! every field optional, in that order. [`Body::parse`] reads it, [`Body::fill`] maps it to ECS.
//! See docs/formats/sudo.md.

pub mod iolog;
pub mod json;
pub mod logfile;
pub mod syslog;

use std::borrow::Cow;

use jikoku_core::Event;
use jikoku_core::event::GroupFields;

/// The keys sudo writes before `COMMAND=`, in its order (`CWD` is the sudoreplay/logsrvd spelling of `PWD`).
const KEYS: &[&str] = &["HOST", "TTY", "CHROOT", "PWD", "CWD", "USER", "GROUP", "TSID", "ENV"];

/// The body of a sudo text record (after `user : `).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    /// Text before the first field: why sudo refused (`command not allowed`, `3 incorrect password attempts`).
    pub reason: Option<String>,
    /// `HOST=`
    pub host: Option<String>,
    /// `TTY=` (`unknown` in sudo 1.8 when there was no terminal: kept out).
    pub tty: Option<String>,
    /// `CHROOT=`
    pub chroot: Option<String>,
    /// `PWD=` or `CWD=`
    pub cwd: Option<String>,
    /// `USER=` (run-as user)
    pub user: Option<String>,
    /// `GROUP=` (run-as group)
    pub group: Option<String>,
    /// `TSID=` (I/O log session id)
    pub tsid: Option<String>,
    /// `ENV=` (variables set on the command line)
    pub env: Option<String>,
    /// `COMMAND=` as logged (escapes not decoded)
    pub command: Option<String>,
    /// `SIGNAL=`
    pub signal: Option<String>,
    /// `EXIT=`
    pub exit: Option<i64>,
    /// Other `KEY=value` fields after the known ones (from sudo versions we have not seen).
    pub other: Vec<(String, String)>,
}

/// What a record says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The command was allowed (and run).
    Accepted,
    /// The command finished (`EXIT=` / exit event).
    Exited,
    /// The policy refused (not in sudoers, command not allowed, …).
    Denied,
    /// Authentication failed (wrong password, password required, …).
    AuthFailure,
}

impl Body {
    /// Parses a body; `None` when it holds neither a known field nor a known failure reason.
    pub fn parse(text: &str) -> Option<Body> {
        let mut b = Body::default();
        let mut s = text.trim_end_matches(['\r', '\n']);
        // sudo 1.8 with log_host, in the log file: `HOST=host : rest`.
        if let Some(rest) = s.strip_prefix("HOST=") {
            if let Some(colon) = rest.find(" : ") {
                let semi = rest.find(" ; ").unwrap_or(usize::MAX);
                let host = rest.get(..colon).unwrap_or("");
                if colon < semi && !host.contains(' ') {
                    b.host = Some(host.to_string());
                    s = rest.get(colon + 3..).unwrap_or("");
                }
            }
        }
        let mut reason: Vec<&str> = vec![];
        let mut rest = s;
        let mut any_field = false;
        loop {
            if let Some(cmd) = rest.strip_prefix("COMMAND=") {
                b.set_command(cmd);
                any_field = true;
                break;
            }
            let (seg, tail) = match rest.find(" ; ") {
                Some(i) => (rest.get(..i).unwrap_or(""), Some(rest.get(i + 3..).unwrap_or(""))),
                None => (rest, None),
            };
            let seg_t = seg.trim_end_matches([' ', ';']);
            let mut matched = false;
            if let Some((k, v)) = seg_t.split_once('=') {
                if KEYS.contains(&k) {
                    {
                        // Fields are accepted in any order (sudo-rs and old versions differ slightly).
                        matched = true;
                        any_field = true;
                        let v = v.to_string();
                        match k {
                            "HOST" => b.host = Some(v),
                            "TTY" => b.tty = Some(v),
                            "CHROOT" => b.chroot = Some(v),
                            "PWD" | "CWD" => b.cwd = Some(v),
                            "USER" => b.user = Some(v),
                            "GROUP" => b.group = Some(v),
                            "TSID" => b.tsid = Some(v),
                            _ => b.env = Some(v),
                        }
                    }
                } else if any_field && k == "EXIT" {
                    matched = true;
                    b.exit = v.trim().parse().ok();
                } else if any_field && k == "SIGNAL" {
                    matched = true;
                    b.signal = Some(v.to_string());
                }
            }
            if !matched && any_field {
                if let Some((k, v)) = seg_t.split_once('=') {
                    if !k.is_empty() && k.bytes().all(|c| c.is_ascii_uppercase() || c == b'_') {
                        b.other.push((k.to_ascii_lowercase(), v.to_string()));
                        matched = true;
                    }
                }
            }
            if !matched && !seg_t.is_empty() {
                if any_field {
                    // Unknown text after the fields: keep it with the reason rather than drop it.
                    reason.push(seg_t);
                } else {
                    reason.push(seg);
                }
            }
            match tail {
                Some(t) => rest = t,
                None => break,
            }
        }
        if !reason.is_empty() {
            b.reason = Some(reason.join(" ; "));
        }
        if !any_field && !b.reason.as_deref().is_some_and(is_known_reason) {
            return None;
        }
        Some(b)
    }

    fn set_command(&mut self, cmd: &str) {
        let mut c = cmd;
        // Exit fields follow COMMAND (1.9 log_exit_status): ` ; SIGNAL=NAME ; EXIT=n`.
        if let Some(i) = c.rfind(" ; EXIT=") {
            let v = c.get(i + 8..).unwrap_or("");
            if !v.is_empty() && v.bytes().all(|x| x.is_ascii_digit() || x == b'-') {
                self.exit = v.parse().ok();
                c = c.get(..i).unwrap_or(c);
            }
        }
        if let Some(i) = c.rfind(" ; SIGNAL=") {
            let v = c.get(i + 10..).unwrap_or("");
            if !v.is_empty()
                && v.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'+' || x == b'-')
            {
                self.signal = Some(v.to_string());
                c = c.get(..i).unwrap_or(c);
            }
        }
        // `unknown user` records end in `USER=x ; ` with no command; a bare trailing ` ;` is not part of it.
        self.command = Some(c.to_string());
    }

    /// What the record says happened.
    pub fn verdict(&self) -> Verdict {
        match &self.reason {
            Some(r) => classify_reason(r),
            None if self.exit.is_some() || self.signal.is_some() => Verdict::Exited,
            None => Verdict::Accepted,
        }
    }

    /// Fills `ev` with the invoking `user` and the body's fields; sets category, action, outcome, reason.
    pub fn fill(&self, ev: &mut Event, user: Option<&str>) {
        if let Some(u) = user.filter(|u| !u.is_empty()) {
            ev.user.name = Some(u.to_string());
        }
        if let Some(t) = &self.user {
            ev.user.target.name = Some(t.clone());
        }
        if let Some(g) = &self.group {
            ev.user.target.group = Some(GroupFields { name: Some(g.clone()), id: None });
        }
        if let Some(c) = &self.command {
            set_command_line(ev, c);
        }
        if let Some(d) = &self.cwd {
            ev.process.working_directory = Some(decode_escapes(d).into_owned());
        }
        if let Some(t) = self.tty.as_deref().filter(|t| *t != "unknown" && !t.is_empty()) {
            ev.jikoku.tty = Some(t.strip_prefix("/dev/").unwrap_or(t).to_string());
        }
        if let Some(t) = &self.tsid {
            ev.set_extra("sudo", "tsid", t.clone());
        }
        if let Some(c) = &self.chroot {
            ev.set_extra("sudo", "chroot", c.clone());
        }
        if let Some(e) = &self.env {
            ev.set_extra("sudo", "env", decode_escapes(e).into_owned());
        }
        if let Some(s) = &self.signal {
            ev.set_extra("sudo", "signal", s.clone());
        }
        if let Some(x) = self.exit {
            ev.process.exit_code = Some(x);
        }
        if let Some(h) = &self.host {
            ev.set_extra("sudo", "host", h.clone());
        }
        for (k, v) in &self.other {
            ev.set_extra("sudo", k, v.clone());
        }
        apply_verdict(ev, self.verdict(), self.reason.as_deref());
    }
}

/// Sets category, type, action, outcome and reason for a verdict.
pub fn apply_verdict(ev: &mut Event, v: Verdict, reason: Option<&str>) {
    match v {
        Verdict::Accepted => {
            ev.categorize("process", "start", "sudo-command");
            ev.outcome("success");
        }
        Verdict::Exited => {
            ev.categorize("process", "end", "sudo-command");
            ev.outcome("success");
        }
        Verdict::Denied => {
            ev.categorize("process", "denied", "sudo-denied");
            ev.outcome("failure");
        }
        Verdict::AuthFailure => {
            ev.categorize("authentication", "info", "sudo-auth-failure");
            ev.outcome("failure");
        }
    }
    if let Some(r) = reason {
        ev.event.reason = Some(r.to_string());
    }
}

/// Failure reasons that mean authentication failed (the rest are policy denials).
pub fn classify_reason(r: &str) -> Verdict {
    let l = r.to_ascii_lowercase();
    const AUTH: &[&str] = &[
        "incorrect password attempt",
        "incorrect authentication attempt",
        "a password is required",
        "authentication failure",
        "authentication failed",
        "no askpass program",
        "no tty present",
        "password",
        "pam account management error",
        "account validation failure",
        "interaction required",
    ];
    if AUTH.iter().any(|a| l.contains(a)) { Verdict::AuthFailure } else { Verdict::Denied }
}

/// Reasons recognised even when a record has no field (e.g. truncated records).
fn is_known_reason(r: &str) -> bool {
    let l = r.to_ascii_lowercase();
    [
        "incorrect password attempt",
        "not in sudoers",
        "not allowed",
        "unknown user",
        "unknown group",
        "a password is required",
        "not authorized on host",
        "authentication failure",
        "no tty present",
        "problem with defaults entries",
        "problem parsing sudoers",
        "you must have a tty",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// Sets `process.command_line` (escapes decoded) and `process.executable` (first word) from `COMMAND=`.
pub fn set_command_line(ev: &mut Event, logged: &str) {
    let logged = logged.trim_end_matches(['\r', '\n']);
    if logged.is_empty() {
        return;
    }
    ev.process.command_line = Some(decode_escapes(logged).into_owned());
    let first = logged.split(' ').next().unwrap_or("");
    if !first.is_empty() && first != "list" {
        ev.process.executable = Some(decode_escapes(first).into_owned());
    }
}

/// Decodes sudo's control-character escapes (`lib/util/lbuf.c`): `#0` followed by the byte in octal
/// without padding (`#01` … `#07`, `#010` … `#040`, `#0177`). The longest reading that names a
/// control character, a space or DEL wins. `#` itself is not escaped by sudo, so other `#`
/// sequences stay as written.
pub fn decode_escapes(s: &str) -> Cow<'_, str> {
    if !s.contains("#0") {
        return Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut changed = false;
    while let Some(&c) = b.get(i) {
        if c == b'#' && b.get(i + 1) == Some(&b'0') {
            let mut found = None;
            for n in (1..=3).rev() {
                if let Some(d) = b.get(i + 2..i + 2 + n) {
                    if d.iter().all(|x| (b'0'..=b'7').contains(x)) {
                        let v = d.iter().fold(0u32, |a, x| a * 8 + u32::from(x - b'0'));
                        if (1..=0x20).contains(&v) || v == 0x7f {
                            found = Some((v, n));
                            break;
                        }
                    }
                }
            }
            if let Some((v, n)) = found {
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 2 + n;
                changed = true;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    if !changed {
        return Cow::Borrowed(s);
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Renders a command and its arguments the way sudo logs `COMMAND=` (arguments containing a space
/// wrapped in `'…'`, `'` and `\` backslash-escaped), without the control-character escapes.
pub fn render_command(command: &str, args: &[&str]) -> String {
    let mut s = String::from(command);
    for a in args {
        s.push(' ');
        let quoted = a.contains(' ');
        if quoted {
            s.push('\'');
        }
        for ch in a.chars() {
            if ch == '\'' || ch == '\\' {
                s.push('\\');
            }
            s.push(ch);
        }
        if quoted {
            s.push('\'');
        }
    }
    s
}

/// Splits `user : body` (syslog's `%8s : %s`, or the log file's `user : body`): the user is
/// trimmed; it holds no space.
pub fn split_user(s: &str) -> Option<(&str, &str)> {
    let t = s.trim_start_matches(' ');
    let i = t.find(" : ")?;
    let user = t.get(..i)?;
    if user.is_empty() || user.contains(' ') {
        return None;
    }
    Some((user, t.get(i + 3..)?))
}

/// `000001` from `00/00/01` (sudo compacts a `XX/YY/ZZ` iolog_file into the TSID).
pub fn compact_tsid(iolog_file: &str) -> String {
    let parts: Vec<&str> = iolog_file.split('/').collect();
    if parts.len() == 3
        && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|c| c.is_ascii_alphanumeric()))
    {
        parts.concat()
    } else {
        iolog_file.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_fields_in_order() {
        let b = Body::parse(
            "HOST=vm ; TTY=pts/0 ; PWD=/tmp ; USER=root ; TSID=01 ; COMMAND=/usr/bin/id",
        )
        .unwrap();
        assert_eq!(b.host.as_deref(), Some("vm"));
        assert_eq!(b.tty.as_deref(), Some("pts/0"));
        assert_eq!(b.cwd.as_deref(), Some("/tmp"));
        assert_eq!(b.user.as_deref(), Some("root"));
        assert_eq!(b.tsid.as_deref(), Some("01"));
        assert_eq!(b.command.as_deref(), Some("/usr/bin/id"));
        assert_eq!(b.verdict(), Verdict::Accepted);
    }

    #[test]
    fn body_reason_and_exit() {
        let b = Body::parse("sorry, you are not allowed to set the following environment variables: FOO ; PWD=/tmp ; USER=root ; ENV=FOO=bar ; COMMAND=/usr/bin/env").unwrap();
        assert_eq!(
            b.reason.as_deref(),
            Some("sorry, you are not allowed to set the following environment variables: FOO")
        );
        assert_eq!(b.env.as_deref(), Some("FOO=bar"));
        assert_eq!(b.verdict(), Verdict::Denied);
        let b = Body::parse("PWD=/tmp ; USER=root ; COMMAND=/usr/bin/sh -c 'kill -TERM $$' ; SIGNAL=TERM ; EXIT=143").unwrap();
        assert_eq!(b.command.as_deref(), Some("/usr/bin/sh -c 'kill -TERM $$'"));
        assert_eq!(b.signal.as_deref(), Some("TERM"));
        assert_eq!(b.exit, Some(143));
        assert_eq!(b.verdict(), Verdict::Exited);
        let b = Body::parse("unknown user nosuchuser ; PWD=/tmp ; USER=nosuchuser ; ").unwrap();
        assert_eq!(b.user.as_deref(), Some("nosuchuser"));
        assert_eq!(b.command, None);
        let b = Body::parse(
            "3 incorrect password attempts ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id",
        )
        .unwrap();
        assert_eq!(b.verdict(), Verdict::AuthFailure);
        // sudo 1.8 log file with log_host
        let b = Body::parse(
            "HOST=mail : TTY=unknown ; PWD=/etc ; USER=root ; COMMAND=/usr/bin/co -l aliases",
        )
        .unwrap();
        assert_eq!(b.host.as_deref(), Some("mail"));
        assert_eq!(b.tty.as_deref(), Some("unknown"));
        assert!(Body::parse("pam_unix(sudo:session): session opened for user root").is_none());
        // an unknown field of a newer sudo is kept, and is not a failure reason
        let b = Body::parse("TTY=pts/0 ; PWD=/ ; USER=root ; NEWKEY=x ; COMMAND=/bin/id").unwrap();
        assert_eq!(b.other, vec![("newkey".to_string(), "x".to_string())]);
        assert_eq!(b.verdict(), Verdict::Accepted);
    }

    #[test]
    fn escapes() {
        assert_eq!(
            decode_escapes("ctl#01a del#0177z esc#033[0m tab#011here line1#012line2"),
            "ctl\u{1}a del\u{7f}z esc\u{1b}[0m tab\there line1\nline2"
        );
        assert_eq!(
            decode_escapes("/opt/my#040dir/x #0 #09 issue#123"),
            "/opt/my dir/x #0 #09 issue#123"
        );
    }

    #[test]
    fn render() {
        assert_eq!(
            render_command("/usr/bin/printf", &["%s\\n", "it's", "a b"]),
            "/usr/bin/printf %s\\\\n it\\'s 'a b'"
        );
        assert_eq!(compact_tsid("00/03/FI"), "0003FI");
        assert_eq!(compact_tsid("alice/x"), "alice/x");
    }
}
