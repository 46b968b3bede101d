//! The syslog line header: PRI, timestamp, host, tag and pid.
//!
//! Tried in this order (strict before lenient):
//! 1. `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG` (RFC 5424),
//! 2. `[<PRI>]YYYY-MM-DD(T| )hh:mm:ss[.frac][Z|±hh:mm|±hhmm][ UTC|GMT]` (rsyslog RFC 3339, ISO),
//! 3. `[<PRI>][\[]Mmm dd hh:mm:ss[.frac][ YYYY][\]][:]` (RFC 3164 / BSD, day space padded or not),
//!
//! then, for 2 and 3, an optional FreeBSD `-v` priority (`<4.3>`, `<auth.info>`), the host
//! (absent when the next word is already a tag such as `sshd[12]:` or `kernel:`), and the tag:
//! up to `[`, `:` or a space, an optional `[pid]`, an optional macOS `<Level>` and an optional `:`.
//!
//! Variants of real files also read: French/German month names (`août`, `Dez`); a ChromeOS
//! severity word instead of the host; bracketed tags (`[sshd]:`, `[test-demo][13709]`); tags
//! with spaces before `[pid]:` (`Microsoft Word[14463]:`, old login's ` -- root[2421]:`); a
//! colon inside parentheses (`audit(1131538222.234:0):`); macOS launchd/sandboxd context
//! (`launchd[1] (com.apple.foo[12]): msg`); sysklogd's version (`syslogd 1.4.1: restart.`);
//! tags padded to a column (`fail2ban.actions        [123]:`); loghub HPC lines
//! (`- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: …`: the year comes
//! from the date column, the host from the node column; the epoch is kept, not used).

use jikoku_time::RawTime;

/// A parsed header; `msg` is the rest of the line.
#[derive(Debug, Clone, PartialEq)]
pub struct Header<'a> {
    /// `<PRI>` value.
    pub pri: Option<u8>,
    /// Time as written.
    pub time: RawTime,
    /// Which timestamp form (`rfc3164`, `rfc3339`, `rfc5424`).
    pub variant: &'static str,
    /// HOSTNAME.
    pub host: Option<&'a str>,
    /// TAG without pid and colon (APP-NAME for RFC 5424).
    pub tag: Option<&'a str>,
    /// PID (PROCID for RFC 5424).
    pub pid: Option<&'a str>,
    /// RFC 5424 MSGID.
    pub msgid: Option<&'a str>,
    /// RFC 5424 STRUCTURED-DATA, raw.
    pub structured_data: Option<&'a str>,
    /// FreeBSD `-v`/`-vv` priority written after the timestamp, or a macOS `<Level>`.
    pub level: Option<&'a str>,
    /// macOS launchd/sandboxd context written between `tag[pid]` and the colon:
    /// `launchd[1] (com.apple.foo[123]): msg` → `com.apple.foo[123]`.
    pub context: Option<&'a str>,
    /// Loghub HPC prefix (Thunderbird): (alert label, epoch) written before the syslog line.
    pub hpc: Option<(&'a str, &'a str)>,
    /// The message.
    pub msg: &'a str,
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// French and German `%b` month names (journalctl and syslog daemons under LC_TIME=fr_FR or
/// de_DE: `août 19 11:08:37 …`, `Dez 31 11:59:59 …`), plus fail2ban's `Aou`. English wins first.
const LOCAL_MONTHS: [(&str, u32); 21] = [
    ("janv.", 1),
    ("févr.", 2),
    ("mars", 3),
    ("avr.", 4),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juil.", 7),
    ("août", 8),
    ("aou", 8),
    ("sept.", 9),
    ("oct.", 10),
    ("nov.", 11),
    ("déc.", 12),
    ("déc", 12),
    ("mär", 3),
    ("märz", 3),
    ("okt", 10),
    ("dez", 12),
    ("févr", 2),
    ("juil", 7),
];

/// A localized month word at the start of `s` → (month, rest after the word).
fn localized_month(s: &str) -> Option<(u32, &str)> {
    let end = s.find(' ')?;
    let word = s.get(..end)?;
    if word.chars().count() > 6 {
        return None;
    }
    let lower = word.to_lowercase();
    let m = LOCAL_MONTHS.iter().find(|(n, _)| *n == lower)?.1;
    Some((m, s.get(end..)?))
}

/// Month number of an English abbreviation (case-insensitive).
pub fn month_number(m: &str) -> Option<u32> {
    MONTHS.iter().position(|x| x.eq_ignore_ascii_case(m)).map(|i| i as u32 + 1)
}

fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let d = s.get(..n)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, s.get(n..)?))
}

fn lit<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    s.strip_prefix(p)
}

/// `hh:mm:ss[.frac]` → (h, m, s, frac digits, rest).
fn clock(s: &str) -> Option<(u32, u32, u32, &str, &str)> {
    let (h, s) = digits(s, 2)?;
    let (m, s) = digits(lit(s, ":")?, 2)?;
    let (sec, s) = digits(lit(s, ":")?, 2)?;
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let (frac, rest) = match s.strip_prefix(['.', ',']) {
        Some(f) => {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            (f.get(..n)?, f.get(n..)?)
        }
        None => ("", s),
    };
    Some((h, m, sec, frac, rest))
}

/// `<N>` with N in 0..=191.
fn pri(s: &str) -> (Option<u8>, &str) {
    if let Some(r) = s.strip_prefix('<') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if (1..=3).contains(&n) {
            if let (Some(num), Some(rest)) = (r.get(..n), r.get(n..)) {
                if let (Ok(v), Some(after)) = (num.parse::<u16>(), rest.strip_prefix('>')) {
                    if v <= 191 {
                        return (Some(v as u8), after);
                    }
                }
            }
        }
    }
    (None, s)
}

/// RFC 3339 / ISO 8601 date-time; returns the time and the rest.
pub fn iso_timestamp(s: &str) -> Option<(RawTime, &str)> {
    let (y, s) = digits(s, 4)?;
    let (mo, s) = digits(lit(s, "-")?, 2)?;
    let (d, s) = digits(lit(s, "-")?, 2)?;
    let s = s.strip_prefix(['T', ' '])?;
    let (h, mi, sec, frac, s) = clock(s)?;
    let mut rest = s;
    let mut offset = None;
    if let Some(r) = rest.strip_prefix(['Z', 'z']) {
        offset = Some(0);
        rest = r;
    } else if let Some(sign) = rest.chars().next().filter(|c| *c == '+' || *c == '-') {
        let r = rest.get(1..)?;
        let (oh, r) = digits(r, 2)?;
        let r2 = r.strip_prefix(':').unwrap_or(r);
        let (om, r) = digits(r2, 2)?;
        let secs = (oh * 3600 + om * 60) as i32;
        offset = Some(if sign == '-' { -secs } else { secs });
        rest = r;
    } else {
        // ` UTC` / ` GMT` after a zoneless ISO time.
        for z in [" UTC", " GMT"] {
            if let Some(r) = rest.strip_prefix(z) {
                if r.is_empty() || r.starts_with(' ') {
                    offset = Some(0);
                    rest = r;
                    break;
                }
            }
        }
    }
    let t = RawTime::new(Some(y as i32), mo, d, h, mi, sec).with_fraction(frac).with_offset(offset);
    Some((t, rest))
}

/// BSD `Mmm dd hh:mm:ss[.frac]`, optionally bracketed and followed by a year or a colon.
fn bsd_timestamp(s: &str) -> Option<(RawTime, &str)> {
    let (bracket, s) = match s.strip_prefix('[') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (mon, s) = match s.get(..3).and_then(month_number) {
        Some(m) => (m, s.get(3..)?),
        None => localized_month(s)?,
    };
    let s = s.strip_prefix(' ')?;
    let s = s.strip_prefix(' ').unwrap_or(s);
    let n = s.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&n) {
        return None;
    }
    let day: u32 = s.get(..n)?.parse().ok()?;
    if day == 0 || day > 31 {
        return None;
    }
    let s = lit(s.get(n..)?, " ")?;
    let (h, mi, sec, frac, mut rest) = clock(s)?;
    let mut year = None;
    // Some appliances write ` YYYY` after the time.
    if let Some(r) = rest.strip_prefix(' ') {
        if let Some((y, r2)) = digits(r, 4) {
            if (1970..=2099).contains(&y) && (r2.starts_with(' ') || r2.starts_with(':')) {
                year = Some(y as i32);
                rest = r2;
            }
        }
    }
    if bracket {
        rest = rest.strip_prefix(']')?;
    }
    rest = rest.strip_prefix(':').unwrap_or(rest);
    Some((RawTime::new(year, mon, day, h, mi, sec).with_fraction(frac), rest))
}

/// True when the line starts with a valid `<PRI>` (a new record, even without a timestamp).
pub fn starts_with_pri(s: &str) -> bool {
    pri(s).0.is_some()
}

/// True when the line starts like a BSD header whose month or day is not valid
/// (`MMM 22 07:54:32 host ...`): such a line is an error, not a continuation.
pub fn looks_like_bad_bsd_header(s: &str) -> bool {
    let (Some(word), Some(rest)) = (s.get(..3), s.get(3..)) else { return false };
    if !word.bytes().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let Some(rest) = rest.strip_prefix(' ') else { return false };
    let rest = rest.trim_start_matches(' ');
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    (1..=2).contains(&n)
        && rest.get(n..).and_then(|r| r.strip_prefix(' ')).and_then(clock).is_some()
}

/// A word that is a tag rather than a host: `name[pid]`, `name:`, `name[pid]:`.
fn is_tag_word(w: &str) -> bool {
    w.ends_with(':') || (w.ends_with(']') && w.contains('[')) || w.contains("]:")
}

/// The parts of `TAG[PID] <Level> (context): MSG`.
type TagParts<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);

/// `[sshd]`, `[test-demo][13709]` (bracketed tags, some BSD and embedded syslogs).
fn bracket_tag(s: &str) -> Option<(&str, &str)> {
    let r = s.strip_prefix('[')?;
    let close = r.find(']')?;
    let inner = r.get(..close)?;
    let ok = !inner.is_empty()
        && !inner.contains(' ')
        && inner.bytes().any(|c| c.is_ascii_alphabetic())
        && !inner.starts_with("ID");
    ok.then(|| (inner, r.get(close + 1..).unwrap_or("")))
}

/// A tag holding spaces before `[pid]:` (`Microsoft Word[14463]: …`, `BezelServices 255.10[94]: …`,
/// ` -- root[2421]: …` of old login): the text before `[digits]: `, when short and plain.
fn spaced_tag(s: &str) -> Option<(&str, &str, &str)> {
    let j = s.find("]: ").or_else(|| s.strip_suffix("]:").map(str::len))?;
    let head = s.get(..j)?;
    let k = head.rfind('[')?;
    let pid = head.get(k + 1..)?;
    let tag = head.get(..k)?.trim_start_matches(' ');
    let plain = tag.starts_with(|c: char| c.is_ascii_alphabetic() || c == '-')
        && tag.len() <= 64
        && tag.matches(' ').count() <= 3
        && !tag.contains([':', '[', ']', '(', ')', '<', '=', ','])
        && !pid.is_empty()
        && pid.bytes().all(|c| c.is_ascii_digit());
    plain.then(|| (tag, pid, s.get(j + 2..).unwrap_or("")))
}

/// Splits `TAG[PID]: MSG`; tag is up to `[`, `:` or space.
fn tag_pid(s: &str) -> TagParts<'_> {
    if let Some((tag, rest)) = bracket_tag(s) {
        let (pid, rest) = match rest.strip_prefix('[').and_then(|r| r.split_once(']')) {
            Some((p, r)) if p.bytes().all(|c| c.is_ascii_digit()) => (Some(p), r),
            _ => (None, rest),
        };
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        return (Some(tag), pid, None, None, rest.strip_prefix(' ').unwrap_or(rest));
    }
    let first = s.split(' ').next().unwrap_or(s);
    if !first.contains(['[', ':']) {
        if let Some((tag, pid, rest)) = spaced_tag(s) {
            return (Some(tag), Some(pid), None, None, rest.strip_prefix(' ').unwrap_or(rest));
        }
    }
    let mut end = s.find(['[', ':', ' ']).unwrap_or(s.len());
    // `audit(1131538222.234:0): …`, `ioctl32(fdisk:515): …`: a colon inside parentheses.
    if s.get(..end).is_some_and(|t| t.contains('(') && !t.contains(')')) {
        if let Some(close) = s.find(')') {
            let inside_plain = s.get(..close).is_some_and(|t| !t.contains(' '));
            if inside_plain && s.get(close + 1..).is_some_and(|r| r.starts_with([':', '['])) {
                end = close + 1;
            }
        }
    }
    let tag = s.get(..end).filter(|t| !t.is_empty());
    let mut rest = s.get(end..).unwrap_or("");
    let mut pid = None;
    let mut level = None;
    let mut context = None;
    if let Some(r) = rest.strip_prefix('[') {
        if let Some(close) = r.find(']') {
            pid = r.get(..close);
            rest = r.get(close + 1..).unwrap_or("");
        }
    }
    // macOS ASL `<Info>` between the pid and the colon.
    if let Some(r) = rest.strip_prefix(" <") {
        if let Some(close) = r.find(">:") {
            if r.get(..close).is_some_and(|l| l.bytes().all(|c| c.is_ascii_alphabetic())) {
                level = r.get(..close);
                rest = r.get(close + 1..).unwrap_or("");
            }
        }
    }
    // macOS `launchd[1] (com.apple.foo[123]): msg`, `sandboxd[129] ([31211]): msg`.
    if pid.is_some() {
        if let Some(r) = rest.strip_prefix(" (") {
            if let Some(close) = r.find("):") {
                if r.get(..close).is_some_and(|c| !c.is_empty() && !c.contains([' ', '('])) {
                    context = r.get(..close);
                    rest = r.get(close + 1..).unwrap_or("");
                }
            }
        }
    }
    // sysklogd `syslogd 1.4.1: restart.`: a version between the tag and the colon.
    if pid.is_none() {
        if let Some(r) = rest.strip_prefix(' ') {
            let v = r.split(' ').next().unwrap_or("");
            if let Some(ver) = v.strip_suffix(':') {
                if ver.starts_with(|c: char| c.is_ascii_digit())
                    && ver.bytes().all(|c| c.is_ascii_digit() || c == b'.')
                {
                    rest = r.get(ver.len()..).unwrap_or("");
                }
            }
        }
    }
    let had_colon = rest.starts_with(':');
    rest = rest.strip_prefix(':').unwrap_or(rest);
    if tag.is_none() && pid.is_none() && !had_colon {
        return (None, None, level, None, s);
    }
    // Exactly one space separates the tag from the message.
    rest = rest.strip_prefix(' ').unwrap_or(rest);
    (tag, pid, level, context, rest)
}

/// Loghub HPC logs (Thunderbird, BGL-style): `LABEL EPOCH YYYY.MM.DD NODE ` before a BSD line,
/// whose host is written `NODE/NODE` or `src@NODE`. Returns (label, epoch, year, node, line).
fn hpc_prefix(line: &str) -> Option<(&str, &str, i32, &str, &str)> {
    let mut it = line.splitn(5, ' ');
    let label = it.next()?;
    let epoch = it.next()?;
    let date = it.next()?;
    let node = it.next()?;
    let rest = it.next()?;
    let ok_epoch = (9..=10).contains(&epoch.len()) && epoch.bytes().all(|c| c.is_ascii_digit());
    let db = date.as_bytes();
    let ok_date = db.len() == 10
        && db.get(4) == Some(&b'.')
        && db.get(7) == Some(&b'.')
        && date.bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok_epoch || !ok_date || label.is_empty() || node.is_empty() {
        return None;
    }
    let year = date.get(..4)?.parse().ok()?;
    Some((label, epoch, year, node, rest))
}

/// Parses the header of one line; `None` when the line does not start with one.
pub fn parse(line: &str) -> Option<Header<'_>> {
    if let Some((label, epoch, year, node, rest)) = hpc_prefix(line) {
        if let Some(mut h) = parse_line(rest).filter(|h| h.variant == "rfc3164") {
            h.time.year = Some(year);
            h.host = Some(node);
            h.hpc = Some((label, epoch));
            return Some(h);
        }
    }
    parse_line(line)
}

fn parse_line(line: &str) -> Option<Header<'_>> {
    let (pri_v, s) = pri(line);
    if pri_v.is_some() {
        if let Some(r) = s.strip_prefix("1 ") {
            if let Some(h) = rfc5424(pri_v, r) {
                // `logger --rfc5424` through /dev/log, relayed by rsyslog as RFC 5424: APP-NAME `1`
                // and the whole inner header in MSG.
                if h.tag == Some("1")
                    && h.pid.is_none()
                    && h.msgid.is_none()
                    && h.structured_data.is_none()
                {
                    if let Some(mut inner) = rfc5424(h.pri, h.msg) {
                        if inner.time.month == 0 {
                            inner.time = h.time;
                        }
                        return Some(inner);
                    }
                }
                return Some(h);
            }
        }
    }
    let (time, rest, variant) = if let Some((t, r)) = iso_timestamp(s) {
        (t, r, "rfc3339")
    } else if let Some((t, r)) = bsd_timestamp(s) {
        (t, r, "rfc3164")
    } else {
        return None;
    };
    let mut rest = rest.trim_start_matches(' ');
    // FreeBSD syslogd -v / -vv: `<4.3>` or `<auth.info>` after the timestamp.
    let mut level = None;
    if let Some(r) = rest.strip_prefix('<') {
        if let Some(close) = r.find('>') {
            let inner = r.get(..close).unwrap_or("");
            if inner.contains('.') && !inner.contains(' ') {
                level = Some(inner);
                rest = r.get(close + 1..).unwrap_or("").trim_start_matches(' ');
            }
        }
    }
    // ChromeOS: `2016-10-25T12:37:23.297265-07:00 INFO periodic_scheduler[13707]: …` (a severity, no host).
    if variant == "rfc3339" && level.is_none() {
        if let Some((word, after)) = rest.split_once(' ') {
            let severity = matches!(
                word,
                "EMERG"
                    | "ALERT"
                    | "CRIT"
                    | "ERR"
                    | "ERROR"
                    | "WARNING"
                    | "WARN"
                    | "NOTICE"
                    | "INFO"
                    | "DEBUG"
            );
            if severity && after.split(' ').next().is_some_and(is_tag_word) {
                level = Some(word);
                rest = after;
            }
        }
    }
    let mut h = Header {
        pri: pri_v,
        time,
        variant,
        host: None,
        tag: None,
        pid: None,
        msgid: None,
        structured_data: None,
        level,
        context: None,
        hpc: None,
        msg: rest,
    };
    if rest.is_empty() {
        return Some(h);
    }
    // A message right after `time:` (macOS `--- last message repeated ---`) has no host.
    let first_end = rest.find(' ').unwrap_or(rest.len());
    let first = rest.get(..first_end).unwrap_or("");
    if first == "---" || first == "last" && rest.starts_with("last message repeated") {
        h.msg = rest;
        return Some(h);
    }
    // A tag padded to a column before its pid (Python logging: `fail2ban.actions        [123]: …`).
    let padded_tag = rest.get(first_end..).is_some_and(|r| {
        let t = r.trim_start_matches(' ');
        r.len() > t.len() + 1
            && t.strip_prefix('[')
                .and_then(|x| x.split_once("]:"))
                .is_some_and(|(p, _)| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    });
    let after_host = if padded_tag {
        h.tag = Some(first);
        let r = rest.get(first_end..).unwrap_or("").trim_start_matches(' ');
        if let Some((pid, m)) = r.strip_prefix('[').and_then(|x| x.split_once("]:")) {
            h.pid = Some(pid);
            h.msg = m.strip_prefix(' ').unwrap_or(m);
        }
        return Some(h);
    } else if is_tag_word(first) {
        rest
    } else {
        h.host = Some(first);
        rest.get(first_end..).unwrap_or("").strip_prefix(' ').unwrap_or("")
    };
    if after_host.starts_with("last message repeated")
        || after_host.starts_with("--- last message repeated")
    {
        h.msg = after_host;
        return Some(h);
    }
    let (tag, pid, lvl, context, msg) = tag_pid(after_host);
    h.tag = tag;
    h.pid = pid;
    h.context = context;
    if lvl.is_some() {
        h.level = lvl;
    }
    h.msg = msg;
    // `logger --rfc5424` through /dev/log: a whole RFC 5424 header nested in MSG with TAG `1`.
    if h.tag == Some("1") && h.pid.is_none() {
        if let Some(mut inner) = rfc5424(h.pri, msg) {
            // `logger --rfc5424=notime`: NIL timestamp; the receiver's time stands.
            if inner.time.month == 0 {
                inner.time = h.time;
            }
            return Some(inner);
        }
    }
    Some(h)
}

fn nil(s: &str) -> Option<&str> {
    if s == "-" { None } else { Some(s) }
}

/// `TIMESTAMP HOST APP PROCID MSGID SD [MSG]` after `<PRI>1 `.
fn rfc5424(pri_v: Option<u8>, s: &str) -> Option<Header<'_>> {
    let (time, rest) = if let Some(r) = s.strip_prefix("- ") {
        (RawTime::default(), r)
    } else {
        let (t, r) = iso_timestamp(s)?;
        (t, r.strip_prefix(' ')?)
    };
    let mut parts = rest.splitn(5, ' ');
    let host = parts.next()?;
    let app = parts.next()?;
    let procid = parts.next()?;
    let msgid = parts.next()?;
    let tail = parts.next().unwrap_or("-");
    let (sd, msg) = structured_data(tail)?;
    // rsyslog keeps the legacy MSG's leading space: trim exactly one.
    let msg = msg.strip_prefix(' ').unwrap_or(msg);
    let msg = msg.strip_prefix('\u{feff}').unwrap_or(msg);
    Some(Header {
        pri: pri_v,
        time,
        variant: "rfc5424",
        host: nil(host),
        tag: nil(app),
        pid: nil(procid),
        msgid: nil(msgid),
        structured_data: sd,
        level: None,
        context: None,
        hpc: None,
        msg,
    })
}

/// Splits `-` or `[..][..]` from the message that follows.
fn structured_data(s: &str) -> Option<(Option<&str>, &str)> {
    if let Some(r) = s.strip_prefix('-') {
        return Some((None, r.strip_prefix(' ').unwrap_or(r)));
    }
    if !s.starts_with('[') {
        return None;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let mut in_quotes = false;
    let mut depth = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' if in_quotes => i += 1,
            b'"' => in_quotes = !in_quotes,
            b'[' if !in_quotes => depth += 1,
            b']' if !in_quotes => {
                depth -= 1;
                if depth == 0 && b.get(i + 1) != Some(&b'[') {
                    let sd = s.get(..=i)?;
                    let msg = s.get(i + 1..)?;
                    return Some((Some(sd), msg.strip_prefix(' ').unwrap_or(msg)));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses RFC 5424 STRUCTURED-DATA into SD-ID → {PARAM → value} (escapes `\"`, `\\`, `\]` undone).
pub fn parse_structured_data(sd: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    let mut rest = sd;
    while let Some(r) = rest.strip_prefix('[') {
        let id_end = r.find([' ', ']']).unwrap_or(r.len());
        let id = r.get(..id_end).unwrap_or("");
        let mut params = serde_json::Map::new();
        let mut p = r.get(id_end..).unwrap_or("");
        loop {
            p = p.trim_start_matches(' ');
            if let Some(after) = p.strip_prefix(']') {
                p = after;
                break;
            }
            let Some(eq) = p.find("=\"") else {
                p = "";
                break;
            };
            let name = p.get(..eq).unwrap_or("");
            let mut val = String::new();
            let mut chars = p.get(eq + 2..).unwrap_or("").char_indices();
            let mut consumed = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, n @ ('"' | '\\' | ']'))) => val.push(n),
                        Some((_, n)) => {
                            val.push('\\');
                            val.push(n);
                        }
                        None => val.push('\\'),
                    },
                    '"' => {
                        consumed = Some(eq + 2 + i + 1);
                        break;
                    }
                    _ => val.push(c),
                }
            }
            params.insert(name.to_string(), serde_json::Value::String(val));
            match consumed {
                Some(n) => p = p.get(n..).unwrap_or(""),
                None => {
                    p = "";
                    break;
                }
            }
        }
        out.insert(id.to_string(), serde_json::Value::Object(params));
        rest = p;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bsd_with_pid() {
        let h = parse("Nov 22 19:18:37 vm prog2[9578]: with pid").unwrap();
        assert_eq!(
            (h.host, h.tag, h.pid, h.msg),
            (Some("vm"), Some("prog2"), Some("9578"), "with pid")
        );
        assert_eq!((h.time.month, h.time.day, h.time.hour, h.time.year), (11, 22, 19, None));
    }

    #[test]
    fn bsd_padded_day_and_no_host() {
        let h = parse("Nov  8 08:30:20 kernel: [997.390602] sda2").unwrap();
        assert_eq!((h.host, h.tag, h.msg), (None, Some("kernel"), "[997.390602] sda2"));
        assert_eq!(h.time.day, 8);
    }

    #[test]
    fn tag_without_colon_and_path_tag() {
        let h = parse("Nov 22 19:18:37 vm app5424 An application event").unwrap();
        assert_eq!((h.tag, h.msg), (Some("app5424"), "An application event"));
        let h = parse("May  8 18:47:01 mail /usr/local/bin/sudo: mitsugi : TTY=ttyp0").unwrap();
        assert_eq!(
            (h.host, h.tag, h.msg),
            (Some("mail"), Some("/usr/local/bin/sudo"), "mitsugi : TTY=ttyp0")
        );
    }

    #[test]
    fn rfc3339_and_fraction() {
        let h = parse("2026-11-22T19:18:37.383804+00:00 vm prog2[9578]: with pid").unwrap();
        assert_eq!(
            (h.time.year, h.time.nanos, h.time.digits, h.time.offset),
            (Some(2026), 383_804_000, 6, Some(0))
        );
        let h = parse("Mar 23 23:01:18.123 myhost somrandomexe[19]: x").unwrap();
        assert_eq!(h.time.digits, 3);
    }

    #[test]
    fn rfc5424_with_sd() {
        let h = parse(r#"<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] An application event"#).unwrap();
        assert_eq!(
            (h.pri, h.host, h.tag, h.pid, h.msgid),
            (Some(165), Some("mymachine.example.com"), Some("evntslog"), None, Some("ID47"))
        );
        assert_eq!(h.msg, "An application event");
        let sd = parse_structured_data(h.structured_data.unwrap());
        assert_eq!(sd["exampleSDID@32473"]["eventSource"], "Application");
        assert_eq!(sd["examplePriority@32473"]["class"], "high");
        let h =
            parse("<13>1 2026-11-22T19:18:37.383804+00:00 vm prog2 9578 - -  with pid").unwrap();
        assert_eq!((h.pid, h.msg), (Some("9578"), "with pid"));
    }

    #[test]
    fn freebsd_v_and_repeats() {
        let h = parse("Apr  2 17:51:27 <4.3> pancake sshd[55624]: error: PAM").unwrap();
        assert_eq!((h.level, h.host, h.tag), (Some("4.3"), Some("pancake"), Some("sshd")));
        let h = parse("Nov 18 01:15:43: --- last message repeated 5 times ---").unwrap();
        assert_eq!((h.host, h.msg), (None, "--- last message repeated 5 times ---"));
        let h = parse("Jan 10 10:00:00 host last message repeated 3 times").unwrap();
        assert_eq!((h.host, h.tag, h.msg), (Some("host"), None, "last message repeated 3 times"));
    }

    #[test]
    fn nested_5424_and_bad_month() {
        let h = parse("Nov 22 19:18:24 vm 1 2026-11-22T19:18:24.692069+00:00 vm app5424 - ID47 [timeQuality tzKnown=\"1\"] An application event").unwrap();
        assert_eq!((h.variant, h.tag, h.msg), ("rfc5424", Some("app5424"), "An application event"));
        assert!(parse("MMM 22 07:54:32 myhostname anacron[29782]: Normal exit").is_none());
        assert!(looks_like_bad_bsd_header(
            "MMM 22 07:54:32 myhostname anacron[29782]: Normal exit"
        ));
        assert!(!looks_like_bad_bsd_header("with another line"));
    }
}
