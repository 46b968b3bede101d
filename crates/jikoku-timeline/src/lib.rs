//! jikoku-timeline: correlation, and the answer to "who did what at TIME".
//!
//! # Brief overview
//! - [`sessions`]: login sessions from sshd/PAM/su lines and wtmp records (start, end, user,
//!   peer, tty, host), paired by host and process id, or by user, peer and port.
//! - [`answer`]: given the events around TIME (and the session context before it), the
//!   timeline a person reads: sessions active at TIME, processes running at TIME (accounting
//!   intervals that contain it), commands run near it, mail, HTTP requests, authentication
//!   failures, and the rest; each item with its offset from TIME, its provenance, and what
//!   makes its time uncertain.
//!
//! Works on events as JSON (what the index returns); knows no index and no format.
#![warn(missing_docs)]

pub mod complaint;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// `a.b.c` of an event.
pub fn get<'a>(e: &'a Value, dotted: &str) -> Option<&'a Value> {
    if dotted == "@timestamp" {
        return e.get("@timestamp");
    }
    dotted.split('.').try_fold(e, |v, k| v.get(k))
}

/// `a.b.c` as a string.
pub fn s<'a>(e: &'a Value, dotted: &str) -> Option<&'a str> {
    get(e, dotted).and_then(Value::as_str)
}

/// `@timestamp` in UTC nanoseconds.
pub fn ts(e: &Value) -> Option<i64> {
    s(e, "@timestamp")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .and_then(|d| d.timestamp_nanos_opt())
}

fn rfc3339_ns(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A login session.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// Host.
    pub host: String,
    /// Who logged in (or became, for su: the target).
    pub user: String,
    /// For su: who switched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// How: `ssh`, `su`, `login` (wtmp).
    pub kind: String,
    /// Remote peer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Terminal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty: Option<String>,
    /// Start (UTC ns).
    pub start: i64,
    /// End (UTC ns), when an end was seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<i64>,
    /// The event that started it.
    pub start_event: Value,
    /// The event that ended it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_event: Option<Value>,
}

impl Session {
    /// True when the session was open at `t`.
    pub fn active_at(&self, t: i64) -> bool {
        self.start <= t && self.end.is_none_or(|e| e >= t)
    }
}

fn pid(e: &Value) -> Option<i64> {
    get(e, "process.pid").and_then(Value::as_i64)
}

/// Pairs session starts and ends found in `events` (any order; sorted here).
pub fn sessions(events: &[Value]) -> Vec<Session> {
    let mut evs: Vec<&Value> = events.iter().filter(|e| ts(e).is_some()).collect();
    evs.sort_by_key(|e| ts(e).unwrap_or(i64::MIN));
    let mut out: Vec<Session> = vec![];
    // Open sessions by (host, pid) for sshd/su, and by (host, user, peer, port) for sshd's
    // `Disconnected from user` written by another pid.
    let mut by_pid: BTreeMap<(String, i64), usize> = BTreeMap::new();
    for e in evs {
        let host = s(e, "host.name").unwrap_or("").to_string();
        let action = s(e, "event.action").unwrap_or("");
        let outcome = s(e, "event.outcome").unwrap_or("");
        let t = ts(e).unwrap_or(0);
        match action {
            "ssh-login" if outcome == "success" => {
                let sess = Session {
                    host: host.clone(),
                    user: s(e, "user.name").unwrap_or("?").to_string(),
                    by: None,
                    kind: "ssh".into(),
                    from: s(e, "source.ip").or_else(|| s(e, "source.address")).map(str::to_string),
                    tty: None,
                    start: t,
                    end: None,
                    start_event: e.clone(),
                    end_event: None,
                };
                if let Some(p) = pid(e) {
                    by_pid.insert((host, p), out.len());
                }
                out.push(sess);
            }
            "su" if outcome == "success" => {
                let sess = Session {
                    host: host.clone(),
                    user: s(e, "user.target.name").unwrap_or("?").to_string(),
                    by: s(e, "user.name").map(str::to_string),
                    kind: "su".into(),
                    from: None,
                    tty: s(e, "jikoku.tty").map(str::to_string),
                    start: t,
                    end: None,
                    start_event: e.clone(),
                    end_event: None,
                };
                if let Some(p) = pid(e) {
                    by_pid.insert((host, p), out.len());
                }
                out.push(sess);
            }
            "login" if s(e, "event.dataset").is_some_and(|d| d.starts_with("login.")) => {
                let dur = get(e, "event.duration").and_then(Value::as_i64);
                out.push(Session {
                    host,
                    user: s(e, "user.name").unwrap_or("?").to_string(),
                    by: None,
                    kind: "login".into(),
                    from: s(e, "source.ip").or_else(|| s(e, "source.address")).map(str::to_string),
                    tty: s(e, "jikoku.tty").map(str::to_string),
                    start: t,
                    end: dur.map(|d| t.saturating_add(d)),
                    start_event: e.clone(),
                    end_event: None,
                });
            }
            "session-closed" => {
                if let Some(i) = pid(e).and_then(|p| by_pid.remove(&(host.clone(), p))) {
                    if let Some(sess) = out.get_mut(i) {
                        if sess.end.is_none() {
                            sess.end = Some(t);
                            sess.end_event = Some(e.clone());
                        }
                    }
                }
            }
            "ssh-disconnect" => {
                let user = s(e, "user.name");
                let ip = s(e, "source.ip");
                let port = get(e, "source.port");
                if let Some(sess) = out.iter_mut().rev().find(|x| {
                    x.kind == "ssh"
                        && x.end.is_none()
                        && x.host == host
                        && Some(x.user.as_str()) == user
                        && x.from.as_deref() == ip
                        && get(&x.start_event, "source.port") == port
                }) {
                    sess.end = Some(t);
                    sess.end_event = Some(e.clone());
                }
            }
            _ => {}
        }
    }
    out
}

/// The sections of an answer, in reading order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Processes whose accounting interval contains TIME.
    ProcessesRunning,
    /// Commands run near TIME (sudo, cron, su, accounting starts).
    Commands,
    /// Logins, logouts and session events near TIME.
    Logins,
    /// Mail sent, relayed, rejected near TIME.
    Mail,
    /// HTTP requests and errors near TIME.
    Http,
    /// Authentication failures near TIME.
    AuthFailures,
    /// Everything else near TIME.
    Other,
}

impl Section {
    /// Heading.
    pub fn title(self) -> &'static str {
        match self {
            Section::ProcessesRunning => "Processes running at that time",
            Section::Commands => "Commands run near that time",
            Section::Logins => "Logins and sessions near that time",
            Section::Mail => "Mail near that time",
            Section::Http => "HTTP requests near that time",
            Section::AuthFailures => "Authentication failures near that time",
            Section::Other => "Other events near that time",
        }
    }
}

/// One line of the answer.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Section.
    pub section: Section,
    /// Offset from TIME in nanoseconds (negative: before).
    pub offset_ns: i64,
    /// One-line summary.
    pub summary: String,
    /// Why its time is uncertain (inferred year, default zone, DST ambiguity, skew applied).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uncertain: Vec<String>,
    /// The event.
    pub event: Value,
}

/// The question.
#[derive(Debug, Clone, Default)]
pub struct Question {
    /// TIME, UTC ns.
    pub t: i64,
    /// Half-width of the window, ns.
    pub window: i64,
    /// Focus on these addresses (source, destination, mail relay, client address).
    pub ips: Vec<String>,
    /// Focus on these users (user, target user, SASL user).
    pub users: Vec<String>,
    /// Focus on these hosts.
    pub hosts: Vec<String>,
}

/// The answer.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// TIME, RFC 3339 UTC.
    pub time: String,
    /// Sessions active at TIME.
    pub sessions: Vec<Session>,
    /// Items, by section then time.
    pub items: Vec<Item>,
    /// Hosts seen and the zone their records were read in.
    pub hosts: Vec<(String, String)>,
}

impl Question {
    /// True when `e` passes the focus filters.
    pub fn matches(&self, e: &Value) -> bool {
        let any = |fields: &[&str], wanted: &[String]| {
            wanted.is_empty()
                || fields.iter().any(|f| {
                    s(e, f).is_some_and(|v| {
                        wanted
                            .iter()
                            .any(|w| v == w || (f.ends_with("relay") && v.contains(w.as_str())))
                    })
                })
        };
        any(&["host.name"], &self.hosts)
            && any(&["user.name", "user.target.name", "jikoku.mail.sasl_username"], &self.users)
            && any(
                &[
                    "source.ip",
                    "source.address",
                    "destination.ip",
                    "destination.address",
                    "jikoku.mail.relay",
                ],
                &self.ips,
            )
    }
}

fn uncertain(e: &Value) -> Vec<String> {
    let mut u = vec![];
    if s(e, "jikoku.time.year") == Some("inferred") {
        u.push(format!("year inferred ({})", s(e, "jikoku.time.year_source").unwrap_or("?")));
    }
    if s(e, "jikoku.time.zone_source") == Some("default") {
        u.push("zone unknown: read as UTC".into());
    }
    if get(e, "jikoku.time.ambiguous").and_then(Value::as_bool) == Some(true) {
        u.push("DST ambiguity".into());
    }
    if let Some(k) =
        get(e, "jikoku.time.skew_seconds").and_then(Value::as_f64).filter(|k| *k != 0.0)
    {
        u.push(format!("clock skew {k:+} s removed"));
    }
    if get(e, "@timestamp").is_none() {
        u.push("no year known".into());
    }
    u
}

fn summary(e: &Value) -> String {
    let mut parts: Vec<String> = vec![];
    if let Some(h) = s(e, "host.name") {
        parts.push(format!("[{h}]"));
    }
    let action = s(e, "event.action").or_else(|| s(e, "event.dataset")).unwrap_or("event");
    let outcome = match s(e, "event.outcome") {
        Some("failure") => " (failed)",
        _ => "",
    };
    parts.push(format!("{action}{outcome}"));
    match (s(e, "user.name"), s(e, "user.target.name")) {
        (Some(u), Some(t)) if u != t => parts.push(format!("{u} → {t}")),
        (Some(u), _) => parts.push(u.to_string()),
        (None, Some(t)) => parts.push(format!("→ {t}")),
        _ => {}
    }
    if let Some(ip) = s(e, "source.ip").or_else(|| s(e, "source.address")) {
        parts.push(format!("from {ip}"));
    }
    if let Some(c) = s(e, "process.command_line") {
        parts.push(format!("`{c}`"));
    } else if let Some(m) = s(e, "message") {
        parts.push(m.chars().take(160).collect());
    }
    parts.join(" ")
}

fn section(e: &Value) -> Section {
    let ds = s(e, "event.dataset").unwrap_or("");
    let action = s(e, "event.action").unwrap_or("");
    let failure = s(e, "event.outcome") == Some("failure");
    let auth = get(e, "event.category")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|c| c == "authentication"));
    if ds.starts_with("mail.") {
        Section::Mail
    } else if ds.starts_with("http.") {
        Section::Http
    } else if failure && auth {
        Section::AuthFailures
    } else if ds.starts_with("sudo.")
        || ds.starts_with("acct.")
        || ds.starts_with("lastcomm.")
        || action == "cron-command"
        || action == "su"
    {
        Section::Commands
    } else if ds.starts_with("login.") || ds == "auth.sshd" || action.starts_with("session-") {
        Section::Logins
    } else {
        Section::Other
    }
}

/// Builds the answer from the events within TIME ± window (`near`) and the session/process
/// context before the window (`context`: session starts and ends, accounting records).
pub fn answer(q: &Question, near: &[Value], context: &[Value]) -> Answer {
    // Context and window overlap: keep each event once (by source and offset).
    let key = |e: &Value| {
        (
            s(e, "jikoku.source.sha256").unwrap_or("").to_string(),
            get(e, "log.offset").and_then(Value::as_u64),
        )
    };
    let mut seen = std::collections::HashSet::new();
    let mut all: Vec<Value> = vec![];
    for e in context.iter().chain(near) {
        if seen.insert(key(e)) {
            all.push(e.clone());
        }
    }
    let sess: Vec<Session> = sessions(&all)
        .into_iter()
        .filter(|x| x.active_at(q.t))
        .filter(|x| q.matches(&x.start_event) || x.end_event.as_ref().is_some_and(|e| q.matches(e)))
        .collect();
    let mut items = vec![];
    // Processes running at TIME: accounting records whose [start, end] contains it.
    for e in &all {
        let ds = s(e, "event.dataset").unwrap_or("");
        if !ds.starts_with("acct.") || !q.matches(e) {
            continue;
        }
        let (Some(start), Some(end)) = (
            ts(e),
            s(e, "process.end")
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .and_then(|d| d.timestamp_nanos_opt()),
        ) else {
            continue;
        };
        if start <= q.t && q.t <= end {
            items.push(Item {
                section: Section::ProcessesRunning,
                offset_ns: start - q.t,
                summary: summary(e),
                uncertain: uncertain(e),
                event: e.clone(),
            });
        }
    }
    for e in near {
        let Some(t) = ts(e) else { continue };
        if (t - q.t).abs() > q.window
            || !q.matches(e)
            || s(e, "event.kind") == Some("pipeline_error")
            || s(e, "event.dataset") == Some("text.comment")
        {
            continue;
        }
        items.push(Item {
            section: section(e),
            offset_ns: t - q.t,
            summary: summary(e),
            uncertain: uncertain(e),
            event: e.clone(),
        });
    }
    items.sort_by(|a, b| a.section.cmp(&b.section).then(a.offset_ns.cmp(&b.offset_ns)));
    let mut hosts: BTreeMap<String, String> = BTreeMap::new();
    for e in &all {
        if let (Some(h), Some(z)) = (s(e, "host.name"), s(e, "jikoku.time.zone")) {
            let entry = hosts.entry(h.to_string()).or_insert_with(|| z.to_string());
            // Prefer a named zone over a fixed offset.
            if entry.starts_with(['+', '-']) && !z.starts_with(['+', '-']) {
                *entry = z.to_string();
            }
        }
    }
    Answer { time: rfc3339_ns(q.t), sessions: sess, items, hosts: hosts.into_iter().collect() }
}

/// `+2m13s` / `-45s` / `0s`.
pub fn fmt_offset(ns: i64) -> String {
    let sign = if ns < 0 { '-' } else { '+' };
    let mut secs = ns.unsigned_abs() / 1_000_000_000;
    let frac_ms = (ns.unsigned_abs() % 1_000_000_000) / 1_000_000;
    if secs == 0 && frac_ms == 0 {
        return "±0s".into();
    }
    let mut out = String::from(sign);
    if secs >= 3600 {
        out.push_str(&format!("{}h", secs / 3600));
        secs %= 3600;
    }
    if secs >= 60 {
        out.push_str(&format!("{}m", secs / 60));
        secs %= 60;
    }
    if frac_ms > 0 && out.len() == 1 {
        out.push_str(&format!("{secs}.{frac_ms:03}s"));
    } else {
        out.push_str(&format!("{secs}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ssh_session_paired_by_pid_and_active() {
        let evs = vec![
            json!({"@timestamp":"2002-05-08T16:56:39Z","event":{"action":"ssh-login","outcome":"success","dataset":"auth.sshd"},"host":{"name":"mail"},"user":{"name":"kenji"},"source":{"ip":"203.0.113.45","port":40122},"process":{"pid":2011}}),
            json!({"@timestamp":"2002-05-08T17:46:29Z","event":{"action":"session-closed","dataset":"auth.pam"},"host":{"name":"mail"},"user":{"name":"kenji"},"process":{"pid":2011}}),
        ];
        let s = sessions(&evs);
        assert_eq!(s.len(), 1);
        let t = ts(&json!({"@timestamp":"2002-05-08T17:29:44Z"})).unwrap();
        assert!(s[0].active_at(t));
        assert_eq!(s[0].from.as_deref(), Some("203.0.113.45"));
        assert!(s[0].end.is_some());
    }

    #[test]
    fn offsets() {
        assert_eq!(fmt_offset(-133_000_000_000), "-2m13s");
        assert_eq!(fmt_offset(0), "±0s");
        assert_eq!(fmt_offset(3_723_000_000_000), "+1h2m3s");
        assert_eq!(fmt_offset(1_500_000_000), "+1.500s");
    }
}
