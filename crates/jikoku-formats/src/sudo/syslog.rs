//! sudo records inside syslog: `sudo:    alice : [REASON ; ]TTY=… ; PWD=… ; USER=… ; COMMAND=…`
//! (user right-aligned in 8 columns), `(command continued)` records, `@cee:{"sudo":{…}}` JSON,
//! and sudo-rs records (`alice : TTY=/dev/pts/0 ; PWD=… ; USER=… ; COMMAND=…`).

use jikoku_core::Event;

use super::{Body, Verdict, apply_verdict, json, split_user};
use crate::MessageDecoder;

/// Dataset of sudo records read from syslog.
pub const DATASET: &str = "sudo.syslog";

/// Decoder of sudo's syslog messages (program `sudo`, a path ending in `/sudo`, `sudo-rs`).
pub struct SudoDecoder;

/// True for the tags sudo logs under.
pub fn is_sudo_program(program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    matches!(base, "sudo" | "sudo-rs" | "sudoedit")
}

const CONTINUED: &str = "(command continued)";

/// A record joined from `(command continued)` parts or sudo-rs `[...]` parts is re-read whole at
/// each part; past this size further parts stay records of their own (kept, never lost), so that
/// a hostile run of parts cannot make reading quadratic. (sudo splits at about 960 bytes; real
/// commands are far shorter than 64 KiB.)
const MAX_JOINED: usize = 64 * 1024;
/// ... and at most this many parts.
const MAX_PARTS: i64 = 128;

/// A record re-read with a hard-wrapped line joined: at most this size and this many lines (a
/// hand-wrapped record has a few lines); past them, lines are appended to the message as is.
const MAX_REWRAPPED: usize = 16 * 1024;
const MAX_REWRAPPED_LINES: u64 = 32;

impl MessageDecoder for SudoDecoder {
    fn name(&self) -> &'static str {
        "sudo"
    }

    fn decode(&self, program: &str, msg: &str, ev: &mut Event) -> bool {
        if !is_sudo_program(program) {
            return false;
        }
        let raw = reescape(msg);
        let m = raw.trim_end_matches(['\r', '\n']);
        if let Some(js) = m.trim_start().strip_prefix("@cee:") {
            if json::decode_cee(js, ev) {
                ev.event.dataset = DATASET.into();
                keep_original(ev, msg);
                return true;
            }
            return false;
        }
        // sudo-rs refusal: `I'm sorry alice. I'm afraid I can't do that`
        if let Some(user) = m
            .strip_prefix("I'm sorry ")
            .and_then(|r| r.strip_suffix(". I'm afraid I can't do that"))
        {
            ev.event.dataset = DATASET.into();
            ev.user.name = Some(user.to_string());
            apply_verdict(ev, Verdict::Denied, Some(m));
            keep_original(ev, msg);
            return true;
        }
        let Some((user, body)) = split_user(m) else { return false };
        if let Some(frag) = body.strip_prefix(CONTINUED) {
            // A continuation whose first part was not seen (absorb merges the usual case).
            ev.event.dataset = DATASET.into();
            ev.user.name = Some(user.to_string());
            ev.set_extra("sudo", "continued", frag.trim_start().to_string());
            keep_original(ev, msg);
            return true;
        }
        let Some(b) = Body::parse(body) else { return false };
        ev.event.dataset = DATASET.into();
        b.fill(ev, Some(user));
        keep_original(ev, msg);
        true
    }

    fn absorb(&self, pending: &mut Event, program: &str, msg: &str) -> bool {
        if !is_sudo_program(program) || pending.event.dataset != DATASET {
            return false;
        }
        if pending.message.as_ref().map_or(0, String::len) + msg.len() > MAX_JOINED
            || pending.extra("sudo", "parts").and_then(|v| v.as_i64()).unwrap_or(1) >= MAX_PARTS
        {
            return false;
        }
        // sudo-rs splits long messages as `… [...]` / `[...] …` (src/log/syslog.rs), keeping the
        // space at the break in the first part.
        if let (Some(rest), Some(prev)) = (msg.strip_prefix("[...] "), pending.message.as_deref()) {
            if let Some(head) = prev.strip_suffix(" [...]") {
                let joined = format!("{head}{rest}");
                let Some((user, body)) = split_user(&joined) else { return false };
                let Some(b) = Body::parse(body) else { return false };
                b.fill(pending, Some(user));
                pending.message = Some(joined);
                let parts = pending.extra("sudo", "parts").and_then(|v| v.as_i64()).unwrap_or(1);
                pending.set_extra("sudo", "parts", parts + 1);
                return true;
            }
        }
        let raw = reescape(msg);
        let Some((user, body)) = split_user(raw.trim_end_matches(['\r', '\n'])) else {
            return false;
        };
        let Some(frag) = body.strip_prefix(CONTINUED) else { return false };
        if pending.user.name.as_deref() != Some(user) {
            return false;
        }
        let Some(prev) = pending.message.as_deref().map(reescape) else { return false };
        let Some((_, prev_body)) = split_user(&prev) else { return false };
        // sudo breaks at a space and drops it (eventlog.c: memrchr(p, ' ', maxlen)).
        let joined_body = format!("{prev_body} {}", frag.trim_start_matches(' '));
        let Some(b) = Body::parse(&joined_body) else { return false };
        pending.message = Some(format!("{prev} {}", frag.trim_start_matches(' ')));
        b.fill(pending, Some(user));
        let parts = pending.extra("sudo", "parts").and_then(|v| v.as_i64()).unwrap_or(1);
        pending.set_extra("sudo", "parts", parts + 1);
        true
    }

    fn absorb_line(&self, pending: &mut Event, line: &str) -> bool {
        // A sudo record broken onto a second line without a header (by hand, a relay or a
        // terminal): read the record again with the line joined.
        let program = pending.process.name.clone().unwrap_or_default();
        let program = program.rsplit('/').next().unwrap_or(&program).to_string();
        if pending.event.dataset != DATASET && !is_sudo_program(&program) {
            return false;
        }
        // Checked before anything is copied: past the ceilings this is called for every further
        // line of the record, and must stay cheap.
        if pending.message.as_ref().map_or(0, String::len) + line.len() > MAX_REWRAPPED
            || pending.jikoku.lines.unwrap_or(1) > MAX_REWRAPPED_LINES
        {
            return false;
        }
        let Some(prev) = pending.message.clone() else { return false };
        let joined = join_wrapped(&prev, line.trim());
        let mut ev = pending.clone();
        // Forget what the first line alone said (a cut field reads as a failure reason).
        ev.event.reason = None;
        ev.event.category.clear();
        ev.event.kind_type.clear();
        ev.event.action = None;
        ev.event.outcome = None;
        ev.user = Default::default();
        ev.process.command_line = None;
        ev.process.executable = None;
        ev.process.working_directory = None;
        ev.process.exit_code = None;
        ev.jikoku.tty = None;
        // The parts already joined stay counted (and the part ceiling stays in force).
        let parts = pending.extra("sudo", "parts").cloned();
        ev.jikoku.extra.remove("sudo");
        ev.message = Some(joined.clone());
        let program = if program.is_empty() { "sudo".to_string() } else { program };
        if self.decode(&program, &joined, &mut ev) {
            *pending = ev;
            pending.set_extra("sudo", "rewrapped", true);
            if let Some(p) = parts {
                pending.set_extra("sudo", "parts", p);
            }
            return true;
        }
        false
    }
}

/// Joins a line broken by a hard wrap: without a space when the break split a field name
/// (`… ; U` + `SER=root ; …`), else with one space (the break was at a space).
pub fn join_wrapped(prev: &str, next: &str) -> String {
    let tail = prev.rsplit([' ', ';']).next().unwrap_or("");
    let head = next.split([' ', ';']).next().unwrap_or("");
    let joined_key = format!("{tail}{head}");
    let split_key = !tail.is_empty()
        && tail.bytes().all(|c| c.is_ascii_uppercase())
        && [
            "HOST=", "TTY=", "CHROOT=", "PWD=", "CWD=", "USER=", "GROUP=", "TSID=", "ENV=",
            "COMMAND=",
        ]
        .iter()
        .any(|k| joined_key.starts_with(k) && k.len() > tail.len());
    if split_key || prev.ends_with(' ') {
        format!("{prev}{next}")
    } else {
        format!("{prev} {next}")
    }
}

/// Writes control characters back as sudo's `#0NN` escapes: the syslog parser decodes rsyslog's
/// `#NNN` escapes, but sudo never sends raw control characters, so every one came from sudo's
/// own escaping (`#0177`, DEL, would otherwise read as `#017` + `7`).
fn reescape(msg: &str) -> std::borrow::Cow<'_, str> {
    if !msg.chars().any(|c| (c as u32) < 0x20 || c == '\u{7f}') {
        return std::borrow::Cow::Borrowed(msg);
    }
    let mut s = String::with_capacity(msg.len() + 8);
    for c in msg.chars() {
        let v = c as u32;
        if v < 0x20 || v == 0x7f {
            s.push_str(&format!("#0{v:o}"));
        } else {
            s.push(c);
        }
    }
    std::borrow::Cow::Owned(s)
}

fn keep_original(ev: &mut Event, msg: &str) {
    if ev.event.original.is_none() {
        ev.event.original = Some(msg.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(program: &str, msg: &str) -> Option<Event> {
        let mut ev = Event::new("syslog.rfc3164");
        ev.message = Some(msg.to_string());
        SudoDecoder.decode(program, msg, &mut ev).then_some(ev)
    }

    #[test]
    fn seed_line_with_path_tag() {
        let ev = dec(
            "/usr/local/bin/sudo",
            "mitsugi : TTY=ttyp0 ; PWD=/etc ; USER=root ; COMMAND=/usr/bin/co -l aliases",
        )
        .unwrap();
        assert_eq!(ev.event.dataset, "sudo.syslog");
        assert_eq!(ev.user.name.as_deref(), Some("mitsugi"));
        assert_eq!(ev.user.target.name.as_deref(), Some("root"));
        assert_eq!(ev.jikoku.tty.as_deref(), Some("ttyp0"));
        assert_eq!(ev.process.working_directory.as_deref(), Some("/etc"));
        assert_eq!(ev.process.command_line.as_deref(), Some("/usr/bin/co -l aliases"));
        assert_eq!(ev.process.executable.as_deref(), Some("/usr/bin/co"));
        assert_eq!(ev.event.action.as_deref(), Some("sudo-command"));
        assert_eq!(ev.event.outcome.as_deref(), Some("success"));
    }

    #[test]
    fn seed_lines_wrapped_by_hand() {
        let mut ev =
            dec("/usr/local/bin/sudo", "mitsugi : TTY=ttyp0 ; PWD=/var/home/mitsugi ; U").unwrap();
        ev.process.name = Some("sudo".into());
        assert!(SudoDecoder.absorb_line(&mut ev, "SER=root ; COMMAND=/usr/sbin/vipw"));
        assert_eq!(ev.user.target.name.as_deref(), Some("root"));
        assert_eq!(ev.process.command_line.as_deref(), Some("/usr/sbin/vipw"));
        assert_eq!(ev.event.reason, None);
        assert_eq!(ev.event.outcome.as_deref(), Some("success"));
        let mut ev = dec("sudo", "mitsugi : TTY=ttyp0 ; PWD=/etc ;").unwrap();
        assert!(SudoDecoder.absorb_line(&mut ev, "USER=root ; COMMAND=/usr/bin/co -l aliases"));
        assert_eq!(ev.process.command_line.as_deref(), Some("/usr/bin/co -l aliases"));
        assert_eq!(ev.process.working_directory.as_deref(), Some("/etc"));
    }

    #[test]
    fn rsyslog_decoded_escapes_are_read_as_sudo_wrote_them() {
        // what the syslog parser passes after decoding `#0177` as `#017` + `7`
        let ev =
            dec("sudo", "   alice : PWD=/ ; USER=root ; COMMAND=/bin/echo del\u{f}7z tab\there")
                .unwrap();
        assert_eq!(ev.process.command_line.as_deref(), Some("/bin/echo del\u{7f}z tab\there"));
    }

    #[test]
    fn sudo_rs_split_messages() {
        let mut ev = dec(
            "sudo",
            "alice : TTY=/dev/pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/usr/bin/echo aaa  [...]",
        )
        .unwrap();
        assert!(SudoDecoder.absorb(&mut ev, "sudo", "[...] bbb ccc"));
        assert_eq!(ev.process.command_line.as_deref(), Some("/usr/bin/echo aaa bbb ccc"));
    }

    #[test]
    fn not_sudo() {
        assert!(
            dec(
                "sudo",
                "pam_unix(sudo:session): session opened for user root(uid=0) by (uid=1001)"
            )
            .is_none()
        );
        assert!(dec("sshd", "alice : PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id").is_none());
    }

    #[test]
    fn sudo_rs() {
        let ev = dec(
            "sudo-rs",
            "alice : TTY=/dev/pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
        )
        .unwrap();
        assert_eq!(ev.jikoku.tty.as_deref(), Some("pts/0"));
        assert_eq!(ev.event.action.as_deref(), Some("sudo-command"));
        let ev = dec("sudo", "I'm sorry alice. I'm afraid I can't do that").unwrap();
        assert_eq!(ev.user.name.as_deref(), Some("alice"));
        assert_eq!(ev.event.action.as_deref(), Some("sudo-denied"));
    }

    #[test]
    fn continued_is_absorbed() {
        let mut ev =
            dec("sudo", "   alice : PWD=/tmp ; USER=root ; COMMAND=/usr/bin/echo a b").unwrap();
        assert!(SudoDecoder.absorb(&mut ev, "sudo", "   alice : (command continued) c d ; EXIT=0"));
        assert_eq!(ev.process.command_line.as_deref(), Some("/usr/bin/echo a b c d"));
        assert_eq!(ev.process.exit_code, Some(0));
        assert!(!SudoDecoder.absorb(&mut ev, "sudo", "     bob : (command continued) e"));
    }
}
