//! su (util-linux and shadow-utils) and login messages.

use jikoku_core::Event;

use super::set;

/// `(to bob) alice on pts/0`, `FAILED SU (to bob) alice on none`, shadow `Successful su for bob by alice`,
/// `+ /dev/pts/0 alice:bob`, `FAILED su for bob by alice`, `- /dev/pts/0 alice:bob`,
/// `'su root' failed for lonvick on /dev/pts/8`.
pub fn decode(msg: &str, e: &mut Event) -> bool {
    let (ok, r) = match msg.strip_prefix("FAILED SU ") {
        Some(r) => (false, r),
        None => (true, msg),
    };
    if let Some(r) = r.strip_prefix("(to ") {
        if let Some((target, rest)) = r.split_once(") ") {
            let (user, tty) = rest.rsplit_once(" on ").unwrap_or((rest, "none"));
            fill(e, ok, user, target, Some(tty));
            return true;
        }
    }
    for (p, ok) in [("Successful su for ", true), ("FAILED su for ", false)] {
        if let Some(r) = msg.strip_prefix(p) {
            if let Some((target, user)) = r.split_once(" by ") {
                fill(e, ok, user, target, None);
                return true;
            }
        }
    }
    for (p, ok) in [("+ ", true), ("- ", false)] {
        if let Some(r) = msg.strip_prefix(p) {
            if let Some((tty, pair)) = r.split_once(' ') {
                if let Some((user, target)) = pair.split_once(':') {
                    fill(e, ok, user, target, Some(tty));
                    return true;
                }
            }
        }
    }
    if let Some(r) = msg.strip_prefix("'su ") {
        if let Some((target, rest)) = r.split_once("' failed for ") {
            let (user, tty) = rest.rsplit_once(" on ").unwrap_or((rest, "none"));
            fill(e, false, user, target, Some(tty));
            return true;
        }
    }
    false
}

fn fill(e: &mut Event, ok: bool, user: &str, target: &str, tty: Option<&str>) {
    set(e, "auth.su", "authentication", "start", "su");
    e.event.category.push("session".into());
    e.outcome(if ok { "success" } else { "failure" });
    if !ok {
        e.event.reason = Some("su failed".into());
    }
    e.user.name = Some(user.to_string());
    e.user.target.name = Some(target.to_string());
    if let Some(t) = tty.filter(|t| *t != "none" && !t.is_empty()) {
        e.jikoku.tty = Some(t.trim_start_matches("/dev/").to_string());
    }
}

/// login: `ROOT LOGIN  on '/dev/tty1'`, `LOGIN ON tty1 BY root`, `FAILED LOGIN (1) on '/dev/tty1' FOR 'UNKNOWN', Authentication failure`,
/// `FAILED LOGIN 1 FROM host FOR user, Authentication failure`.
pub fn decode_login(msg: &str, e: &mut Event) -> bool {
    if let Some(r) = msg.strip_prefix("ROOT LOGIN ") {
        set(e, "auth.login", "authentication", "start", "login");
        e.outcome("success");
        e.user.name = Some("root".into());
        if let Some(t) = quoted_after(r, "on ") {
            e.jikoku.tty = Some(t.trim_start_matches("/dev/").to_string());
        }
        return true;
    }
    if let Some(r) = msg.strip_prefix("LOGIN ON ") {
        if let Some((tty, user)) = r.split_once(" BY ") {
            set(e, "auth.login", "authentication", "start", "login");
            e.outcome("success");
            let (user, from) = user.split_once(" FROM ").unwrap_or((user, ""));
            e.user.name = Some(user.trim().to_string());
            e.jikoku.tty = Some(tty.trim().to_string());
            if !from.is_empty() {
                e.source.set_address(from.trim());
            }
            return true;
        }
    }
    if let Some(r) = msg.strip_prefix("FAILED LOGIN ") {
        set(e, "auth.login", "authentication", "start", "login");
        e.outcome("failure");
        if let Some(t) = quoted_after(r, "on ") {
            e.jikoku.tty = Some(t.trim_start_matches("/dev/").to_string());
        }
        if let Some(u) = quoted_after(r, "FOR ") {
            e.user.name = Some(u.to_string());
        } else if let Some((_, u)) = r.split_once(" FOR ") {
            e.user.name = Some(u.split(',').next().unwrap_or(u).trim().to_string());
        }
        if let Some((_, h)) = r.split_once(" FROM ") {
            if let Some(host) = h.split(' ').next() {
                e.source.set_address(host);
            }
        }
        if let Some((_, why)) = r.rsplit_once(", ") {
            e.event.reason = Some(why.to_string());
        }
        return true;
    }
    false
}

fn quoted_after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let i = s.find(key)?;
    let r = s.get(i + key.len()..)?.strip_prefix('\'')?;
    r.split('\'').next()
}
