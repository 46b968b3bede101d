//! cron and account-management messages.

use std::borrow::Cow;

use jikoku_core::Event;

use super::set;

/// Debian cron `(root) CMD (command)`, cronie `(root) CMDOUT (…)`/`CMDEND`, `(CRON) STARTUP`, crontab `(root) REPLACE (alice)`.
pub fn decode_cron(prog: &str, msg: &str, e: &mut Event) -> bool {
    let Some(r) = msg.strip_prefix('(') else { return false };
    let Some((who, rest)) = r.split_once(") ") else { return false };
    e.event.dataset = Cow::Borrowed("auth.cron");
    let paren = |s: &str| s.strip_prefix('(').and_then(|s| s.strip_suffix(')')).map(str::to_string);
    // Debian cron -L 4/15 writes the job's pid: `(root) CMD ([31168] echo hi)`, `(root) END ([31168] echo hi)`.
    let job_pid = |e: &mut Event, cmd: String| -> String {
        if let Some((pid, c)) = cmd.strip_prefix('[').and_then(|r| r.split_once("] ")) {
            if let Ok(n) = pid.parse::<i64>() {
                e.set_extra("cron", "job_pid", n);
                return c.to_string();
            }
        }
        cmd
    };
    if let Some(cmd) = rest.strip_prefix("CMD ") {
        set(e, "auth.cron", "process", "start", "cron-command");
        e.user.name = Some(who.to_string());
        let c = paren(cmd).unwrap_or_else(|| cmd.to_string());
        e.process.command_line = Some(job_pid(e, c));
        return true;
    }
    if let Some(cmd) = rest.strip_prefix("END ([") {
        set(e, "auth.cron", "process", "end", "cron-command-end");
        e.user.name = Some(who.to_string());
        let c = paren(&format!("([{cmd}")).unwrap_or_default();
        e.process.command_line = Some(job_pid(e, c));
        return true;
    }
    if let Some(out) = rest.strip_prefix("CMDOUT ") {
        set(e, "auth.cron", "process", "info", "cron-output");
        e.user.name = Some(who.to_string());
        e.set_extra("cron", "output", paren(out).unwrap_or_else(|| out.to_string()));
        return true;
    }
    if let Some(end) = rest.strip_prefix("CMDEND ") {
        set(e, "auth.cron", "process", "end", "cron-command-end");
        e.user.name = Some(who.to_string());
        e.process.command_line = paren(end);
        return true;
    }
    let word = rest.split(' ').next().unwrap_or("");
    match word {
        "REPLACE" | "BEGIN" | "END" | "LIST" | "DELETE" if prog == "crontab" || who != "CRON" => {
            set(e, "auth.cron", "configuration", "change", "crontab-edit");
            e.user.name = Some(who.to_string());
            if let Some(t) = rest.get(word.len()..).and_then(|t| paren(t.trim())) {
                e.user.target.name = Some(t);
            }
            e.set_extra("cron", "operation", word);
        }
        _ => {
            e.set_extra("cron", "subject", who);
        }
    }
    true
}

fn field<'a>(msg: &'a str, key: &str) -> Option<&'a str> {
    let i = msg.find(key)?;
    let r = msg.get(i + key.len()..)?;
    Some(r.split(',').next().unwrap_or(r).trim())
}

fn quoted(msg: &str, n: usize) -> Option<&str> {
    msg.split('\'').nth(2 * n + 1)
}

/// useradd/groupadd/usermod/userdel/passwd/chpasswd/chage/gpasswd.
pub fn decode(prog: &str, msg: &str, e: &mut Event) -> bool {
    let ds = "auth.account";
    if let Some(r) = msg.strip_prefix("new user: ") {
        set(e, ds, "iam", "creation", "user-created");
        e.event.kind_type.push("user".into());
        e.user.target.name = field(r, "name=").map(str::to_string);
        e.user.target.id = field(r, "UID=").map(str::to_string);
        for k in ["GID", "home", "shell", "from"] {
            if let Some(v) = field(r, &format!("{k}=")) {
                e.set_extra("account", &k.to_ascii_lowercase(), v);
            }
        }
        return true;
    }
    if let Some(r) = msg.strip_prefix("new group: ") {
        set(e, ds, "iam", "creation", "group-created");
        e.event.kind_type.push("group".into());
        e.group.name = field(r, "name=").map(str::to_string);
        e.group.id = field(r, "GID=").map(str::to_string);
        return true;
    }
    if let Some(r) = msg.strip_prefix("group added to ") {
        set(e, ds, "iam", "creation", "group-created");
        e.group.name = field(r, "name=").map(str::to_string);
        e.group.id = field(r, "GID=").map(str::to_string);
        e.set_extra("account", "file", r.split(':').next().unwrap_or(""));
        return true;
    }
    for (p, action, kind) in [
        ("delete user ", "user-deleted", "deletion"),
        ("delete group ", "group-deleted", "deletion"),
        ("removed group ", "group-deleted", "deletion"),
        ("removed shadow group ", "group-deleted", "deletion"),
        ("group '", "group-deleted", "deletion"),
        ("change user ", "user-changed", "change"),
        ("add ", "user-added-to-group", "change"),
        ("delete ", "user-removed-from-group", "change"),
        ("lock user ", "user-locked", "change"),
        ("unlock user ", "user-unlocked", "change"),
        ("changed password expiry for ", "password-expiry-changed", "change"),
        ("password for ", "password-changed", "change"),
    ] {
        if msg.starts_with(p) && (p != "group '" || msg.contains("' removed")) {
            set(e, ds, "iam", kind, action);
            if action.starts_with("group") {
                e.group.name = quoted(msg, 0).map(str::to_string);
            } else {
                e.user.target.name = quoted(msg, 0)
                    .or_else(|| msg.get(p.len()..).and_then(|r| r.split([' ', '.']).next()))
                    .map(str::to_string);
            }
            if action == "user-added-to-group" || action == "user-removed-from-group" {
                e.group.name = quoted(msg, 1).map(str::to_string);
            }
            // `password for 'erin' changed by 'root'` (passwd -l/-u/-d, shadow ≥ 4.6)
            if action == "password-changed" {
                if let Some(by) = msg.split_once(" changed by ").and_then(|_| quoted(msg, 1)) {
                    e.user.name = Some(by.to_string());
                }
            }
            // `removed group 'carol' owned by 'carol'`
            if action == "group-deleted" {
                if let Some(owner) = msg.split_once(" owned by ").and_then(|_| quoted(msg, 1)) {
                    e.user.target.name = Some(owner.to_string());
                }
                if let Some((_, file)) = msg.split_once(" removed from ") {
                    e.set_extra("account", "file", file);
                }
            }
            return true;
        }
    }
    let _ = prog;
    false
}
