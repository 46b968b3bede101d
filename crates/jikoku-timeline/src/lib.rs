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
pub mod skew;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// `a.b.c` of an event.
///
/// A *light* event (see [`answer_with`]) is flat: its keys are the dotted names.
pub fn get<'a>(e: &'a Value, dotted: &str) -> Option<&'a Value> {
    if let Some(v) = e.get(dotted) {
        return Some(v);
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
    /// Where the terminal came from when the start event did not carry it (`wtmp`, `su`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tty_source: Option<String>,
    /// The wtmp record of the same login, when one was merged into an ssh session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wtmp_event: Option<Value>,
    /// For su: the session it was run from (`ssh kenji from 203.0.113.45 on pts/1`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// Commands run in it (sudo, accounting; for a login session also those of the su
    /// sessions opened from it), in time order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<SessionCommand>,
}

/// A command linked to the session it ran in.
#[derive(Debug, Clone, Serialize)]
pub struct SessionCommand {
    /// `sudo` (a sudo log line), `acct` (a process accounting record), `su`.
    pub kind: String,
    /// `@timestamp`, UTC ns.
    pub time: i64,
    /// Account it ran as (accounting: the real uid's name; sudo: the invoking user).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// sudo: the target user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// The command (sudo: command line; accounting: command name).
    pub command: String,
    /// For an accounting record: the sudo command line it was run by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by_sudo: Option<String>,
    /// For a command of an su session shown under the session su was run from: `su → root`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Why it was linked (`tty pts/1, user root, in su session`).
    pub link: String,
    /// The event.
    pub event: Value,
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
    evs.sort_by_cached_key(|e| ts(e).unwrap_or(i64::MIN));
    let mut out: Vec<Session> = vec![];
    // Open sessions by (host, pid) for sshd/su, and by (host, user, peer, port) for sshd's
    // `Disconnected from user` written by another pid.
    let mut by_pid: BTreeMap<(String, i64), usize> = BTreeMap::new();
    // ssh sessions by (host, user, peer), in order.
    type Peer = (String, String, Option<String>);
    let mut ssh: std::collections::HashMap<Peer, Vec<usize>> = Default::default();
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
                    tty_source: None,
                    wtmp_event: None,
                    within: None,
                    commands: vec![],
                };
                ssh.entry((host.clone(), sess.user.clone(), sess.from.clone()))
                    .or_default()
                    .push(out.len());
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
                    tty_source: None,
                    wtmp_event: None,
                    within: None,
                    commands: vec![],
                };
                if let Some(p) = pid(e) {
                    by_pid.insert((host, p), out.len());
                }
                out.push(sess);
            }
            "login" if s(e, "event.dataset").is_some_and(|d| d.starts_with("login.")) => {
                let dur = get(e, "event.duration").and_then(Value::as_i64);
                let user = s(e, "user.name").unwrap_or("?");
                let from = s(e, "source.ip").or_else(|| s(e, "source.address"));
                // The wtmp record of an ssh login already seen: the same login; it gives the tty.
                let key = (host.clone(), user.to_string(), from.map(str::to_string));
                let found = ssh.get(&key).and_then(|v| {
                    v.iter().rev().copied().find(|i| {
                        out.get(*i).is_some_and(|x| {
                            x.kind == "ssh"
                                && x.host == host
                                && x.user == user
                                && x.wtmp_event.is_none()
                                && x.from.as_deref() == from
                                && (t - x.start).abs() <= 5_000_000_000
                        })
                    })
                });
                if let Some(sess) = found.and_then(|i| out.get_mut(i)) {
                    if sess.tty.is_none() {
                        sess.tty = s(e, "jikoku.tty").map(str::to_string);
                        sess.tty_source = Some("wtmp".into());
                    }
                    sess.wtmp_event = Some(e.clone());
                    continue;
                }
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
                    tty_source: None,
                    wtmp_event: None,
                    within: None,
                    commands: vec![],
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
                let found = user
                    .and_then(|u| ssh.get(&(host.clone(), u.to_string(), ip.map(str::to_string))))
                    .and_then(|v| {
                        v.iter().rev().copied().find(|i| {
                            out.get(*i).is_some_and(|x| {
                                x.kind == "ssh"
                                    && x.end.is_none()
                                    && x.host == host
                                    && Some(x.user.as_str()) == user
                                    && x.from.as_deref() == ip
                                    && get(&x.start_event, "source.port") == port
                            })
                        })
                    });
                if let Some(sess) = found.and_then(|i| out.get_mut(i)) {
                    sess.end = Some(t);
                    sess.end_event = Some(e.clone());
                }
            }
            _ => {}
        }
    }
    // A session whose end was not logged: the end its wtmp record gives.
    for x in out.iter_mut().filter(|x| x.end.is_none()) {
        if let Some(w) = &x.wtmp_event {
            let dur = get(w, "event.duration").and_then(Value::as_i64);
            x.end = ts(w).zip(dur).map(|(t, d)| t.saturating_add(d));
        }
    }
    link_su(&mut out);
    out
}

fn describe(x: &Session) -> String {
    let mut d = format!("{} {}", x.kind, x.user);
    if let Some(f) = &x.from {
        d.push_str(&format!(" from {f}"));
    }
    if let Some(t) = &x.tty {
        d.push_str(&format!(" on {t}"));
    }
    d
}

/// su → the session it was run from: same host, opened by the su's invoking user, active at
/// the su, on the same terminal when both are known (the innermost such session). A session
/// that did not know its terminal learns it from the su.
fn link_su(out: &mut [Session]) {
    for i in 0..out.len() {
        let Some(su) = out.get(i) else { continue };
        if su.kind != "su" {
            continue;
        }
        let (host, by, tty, t) = (su.host.clone(), su.by.clone(), su.tty.clone(), su.start);
        let parent = out
            .iter()
            .enumerate()
            .filter(|(j, p)| {
                *j != i
                    && p.host == host
                    && Some(&p.user) == by.as_ref()
                    && p.active_at(t)
                    && (p.tty.is_none() || tty.is_none() || p.tty == tty)
            })
            .max_by_key(|(_, p)| (p.tty.is_some() && p.tty == tty, p.start))
            .map(|(j, _)| j);
        let Some(j) = parent else { continue };
        if let Some(p) = out.get_mut(j) {
            if p.tty.is_none() && tty.is_some() {
                p.tty.clone_from(&tty);
                p.tty_source = Some("su".into());
            }
        }
        let d = out.get(j).map(describe);
        if let Some(su) = out.get_mut(i) {
            su.within = d;
        }
    }
}

fn is_command_record(e: &Value) -> bool {
    s(e, "event.dataset").is_some_and(|d| d.starts_with("acct.") || d.starts_with("lastcomm."))
}

fn is_sudo(e: &Value) -> bool {
    s(e, "event.dataset").is_some_and(|d| d.starts_with("sudo."))
        && s(e, "process.command_line").is_some()
}

fn basename(cmd: &str) -> &str {
    let first = cmd.split_whitespace().next().unwrap_or(cmd);
    first.rsplit('/').next().unwrap_or(first)
}

/// The sudo command an accounting record was run by: same host, same terminal (when both
/// are known), within two seconds, and the record is the command (its name is the command's
/// base name, run as the target user) or sudo itself.
fn sudo_of<'a>(e: &Value, sudos: &[&'a Value]) -> Option<&'a Value> {
    let t = ts(e)?;
    let name = s(e, "process.name")?;
    let host = s(e, "host.name");
    let tty = s(e, "jikoku.tty");
    sudos
        .iter()
        .filter(|x| s(x, "host.name") == host)
        .filter(|x| tty.is_none() || s(x, "jikoku.tty").is_none() || s(x, "jikoku.tty") == tty)
        .filter(|x| ts(x).is_some_and(|u| (u - t).abs() <= 2_000_000_000))
        .filter(|x| {
            let cmd = s(x, "process.command_line").unwrap_or("");
            let target = s(x, "user.target.name").unwrap_or("root");
            let runs =
                basename(cmd).starts_with(name) && s(e, "user.name").is_none_or(|u| u == target);
            runs || name == "sudo"
        })
        .min_by_key(|x| ts(x).map_or(i64::MAX, |u| (u - t).abs()))
        .copied()
}

/// Sessions by host and terminal, to find the sessions a command may belong to.
struct SessionIndex<'a> {
    sessions: &'a [Session],
    /// (host, tty) → sessions with that terminal, in order.
    by_tty: std::collections::HashMap<(&'a str, &'a str), Vec<usize>>,
    /// host → sessions whose terminal is unknown, in order.
    no_tty: std::collections::HashMap<&'a str, Vec<usize>>,
}

impl<'a> SessionIndex<'a> {
    fn new(sessions: &'a [Session]) -> Self {
        let mut by_tty: std::collections::HashMap<(&str, &str), Vec<usize>> = Default::default();
        let mut no_tty: std::collections::HashMap<&str, Vec<usize>> = Default::default();
        for (i, x) in sessions.iter().enumerate() {
            match x.tty.as_deref() {
                Some(t) => by_tty.entry((x.host.as_str(), t)).or_default().push(i),
                None => no_tty.entry(x.host.as_str()).or_default().push(i),
            }
        }
        SessionIndex { sessions, by_tty, no_tty }
    }

    /// The session a command (`sudo`: a sudo line; else an accounting record) run on `host`,
    /// terminal `tty`, by `user`, at `t` belongs to, and why; see [`attach_commands`].
    fn choose(
        &self,
        host: &str,
        tty: Option<&str>,
        user: Option<&str>,
        t: i64,
        sudo: bool,
    ) -> Option<(usize, String)> {
        let tt = tty?;
        let active = |v: Option<&Vec<usize>>| -> Vec<(usize, &'a Session)> {
            v.map(|v| {
                v.iter()
                    .filter_map(|i| self.sessions.get(*i).map(|x| (*i, x)))
                    .filter(|(_, x)| x.active_at(t))
                    .collect()
            })
            .unwrap_or_default()
        };
        let same = active(self.by_tty.get(&(host, tt)));
        let by_user =
            same.iter().filter(|(_, x)| Some(x.user.as_str()) == user).max_by_key(|(_, x)| x.start);
        if let Some((i, x)) = by_user {
            return Some((*i, format!("tty {tt}, user {}", x.user)));
        }
        if let Some((i, _)) = same.iter().max_by_key(|(_, x)| x.start) {
            return Some((*i, format!("tty {tt}")));
        }
        // A session whose terminal is unknown: a sudo line of its user.
        let cands: Vec<(usize, &Session)> = active(self.no_tty.get(host))
            .into_iter()
            .filter(|(_, x)| Some(x.user.as_str()) == user)
            .collect();
        match (sudo, cands.as_slice()) {
            (true, [(i, x)]) => {
                Some((*i, format!("user {} (the session's tty is unknown)", x.user)))
            }
            _ => None,
        }
    }
}

/// For each session, the session it was run from when it is an su session whose origin is
/// known (see `link_su`): the latest-starting session, other than itself, described as its
/// `within` and active when it started.
fn parents(sessions: &[Session]) -> Vec<Option<usize>> {
    let mut by_desc: std::collections::HashMap<String, Vec<usize>> = Default::default();
    if sessions.iter().any(|x| x.kind == "su" && x.within.is_some()) {
        for (j, p) in sessions.iter().enumerate() {
            by_desc.entry(describe(p)).or_default().push(j);
        }
    }
    sessions
        .iter()
        .enumerate()
        .map(|(i, su)| {
            if su.kind != "su" {
                return None;
            }
            let within = su.within.as_deref()?;
            by_desc
                .get(within)?
                .iter()
                .filter_map(|j| sessions.get(*j).map(|p| (*j, p)))
                .filter(|(j, p)| *j != i && p.active_at(su.start))
                .max_by_key(|(_, p)| p.start)
                .map(|(j, _)| j)
        })
        .collect()
}

/// Links sudo commands and accounting records to the session they ran in.
///
/// A command on host H, terminal T, at time t belongs to the sessions of H active at t on T;
/// among them, the one whose user is the command's user (su's target for a command run as
/// root after `su`), else the innermost (latest start). sudo lines name the invoking user;
/// accounting records name the real uid (root for sudo/su and what they run). Records without
/// a terminal (cron, daemons, web server) belong to no session. When a session's terminal is
/// unknown, a sudo line of its user at a time only it covers is linked by user alone.
/// Commands of an su session are also listed under the session su was run from.
pub fn attach_commands(sessions: &mut [Session], events: &[Value]) {
    let sudos: Vec<&Value> = events.iter().filter(|e| is_sudo(e)).collect();
    let mut links: Vec<(usize, SessionCommand)> = vec![];
    {
        let index = SessionIndex::new(sessions);
        for e in events {
            let (sudo, acct) = (is_sudo(e), is_command_record(e));
            if !sudo && !acct {
                continue;
            }
            let (Some(t), Some(host)) = (ts(e), s(e, "host.name")) else { continue };
            let user = s(e, "user.name");
            let Some((i, why)) = index.choose(host, s(e, "jikoku.tty"), user, t, sudo) else {
                continue;
            };
            let by_sudo = if acct {
                sudo_of(e, &sudos).and_then(|x| s(x, "process.command_line")).map(str::to_string)
            } else {
                None
            };
            let command = if sudo {
                s(e, "process.command_line").unwrap_or("?").to_string()
            } else {
                s(e, "process.name").unwrap_or("?").to_string()
            };
            links.push((
                i,
                SessionCommand {
                    kind: if sudo { "sudo".into() } else { "acct".into() },
                    time: t,
                    user: user.map(str::to_string),
                    target: s(e, "user.target.name").map(str::to_string),
                    command,
                    by_sudo,
                    via: None,
                    link: why,
                    event: e.clone(),
                },
            ));
        }
    }
    // su sessions: their start is a command of the session they were run from, and their
    // commands are shown there too.
    let parents = parents(sessions);
    let mut extra = vec![];
    for (i, c) in &links {
        if let Some(p) = parents.get(*i).copied().flatten() {
            let mut c = c.clone();
            if let Some(su) = sessions.get(*i) {
                c.via = Some(format!("su → {}", su.user));
            }
            extra.push((p, c));
        }
    }
    for (i, p) in parents.iter().enumerate() {
        if let (Some(p), Some(su)) = (p, sessions.get(i)) {
            extra.push((
                *p,
                SessionCommand {
                    kind: "su".into(),
                    time: su.start,
                    user: su.by.clone(),
                    target: Some(su.user.clone()),
                    command: format!("su → {}", su.user),
                    by_sudo: None,
                    via: None,
                    link: su.tty.as_deref().map_or("user".into(), |t| format!("tty {t}")),
                    event: su.start_event.clone(),
                },
            ));
        }
    }
    for (i, c) in links.into_iter().chain(extra) {
        if let Some(x) = sessions.get_mut(i) {
            x.commands.push(c);
        }
    }
    for x in sessions.iter_mut() {
        x.commands.sort_by_key(|c| c.time);
    }
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

/// The key of a *light* event's reference: a light event (see [`answer_with`]) holds only
/// the fields the answer is computed from, and this number, which the caller's `fetch` turns
/// into the whole event.
pub const LIGHT_REF: &str = "_ref";

/// Turns light events' references into whole events, in the order asked.
pub type Fetch<'a, E> = dyn FnMut(&[u64]) -> Result<Vec<Value>, E> + 'a;

fn light_ref(e: &Value) -> Option<u64> {
    e.get(LIGHT_REF).and_then(Value::as_u64)
}

/// Replaces the light events among `vals` by their whole events.
fn fill<E>(vals: Vec<&mut Value>, fetch: &mut Fetch<'_, E>) -> Result<(), E> {
    let mut vals: Vec<&mut Value> = vals.into_iter().filter(|v| light_ref(v).is_some()).collect();
    if vals.is_empty() {
        return Ok(());
    }
    let refs: Vec<u64> = vals.iter().filter_map(|v| light_ref(v)).collect();
    for (v, full) in vals.iter_mut().zip(fetch(&refs)?) {
        **v = full;
    }
    Ok(())
}

/// Builds the answer from the events within TIME ± window (`near`) and the session/process
/// context before the window (`context`: session starts and ends, accounting records).
pub fn answer(q: &Question, near: &[Value], context: &[Value]) -> Answer {
    let mut no_fetch = |_: &[u64]| -> Result<Vec<Value>, std::convert::Infallible> { Ok(vec![]) };
    match answer_with(q, near, context.to_vec(), &mut no_fetch) {
        Ok(a) => a,
        Err(never) => match never {},
    }
}

/// As [`answer`], where `context` may hold *light* events: events with only `@timestamp`,
/// `host.name`, `event.action`, `event.outcome`, `event.dataset`, `event.duration`,
/// `user.name`, `user.target.name`, `source.ip`, `source.address`, `source.port`,
/// `process.pid`, `process.name`, `process.end`, `jikoku.tty`, `jikoku.time.zone`,
/// `jikoku.source.sha256` and `log.offset` (each as the whole event has it) and a
/// [`LIGHT_REF`]. Sessions are paired and commands linked on those fields; `fetch` is asked
/// for the whole events only of what the answer holds (and of the sudo lines that may name a
/// linked command), and the answer is the one [`answer`] gives on the whole events.
pub fn answer_with<E>(
    q: &Question,
    near: &[Value],
    context: Vec<Value>,
    fetch: &mut Fetch<'_, E>,
) -> Result<Answer, E> {
    // Context and window overlap: keep each event once (by source and offset).
    let key = |e: &Value| {
        (
            s(e, "jikoku.source.sha256").unwrap_or("").to_string(),
            get(e, "log.offset").and_then(Value::as_u64),
        )
    };
    let mut seen = std::collections::HashSet::new();
    let mut all: Vec<Value> = vec![];
    for e in context {
        if seen.insert(key(&e)) {
            all.push(e);
        }
    }
    for e in near {
        if seen.insert(key(e)) {
            all.push(e.clone());
        }
    }
    let mut every = sessions(&all);
    // The sessions active at TIME, and the su sessions whose commands are listed under one
    // of them: only their events and commands are read whole.
    let active: std::collections::HashSet<usize> =
        (0..every.len()).filter(|i| every.get(*i).is_some_and(|x| x.active_at(q.t))).collect();
    let mut relevant = active.clone();
    for (i, p) in parents(&every).into_iter().enumerate() {
        if p.is_some_and(|p| active.contains(&p)) {
            relevant.insert(i);
        }
    }
    {
        let mut vals = vec![];
        for (i, x) in every.iter_mut().enumerate() {
            if relevant.contains(&i) {
                vals.push(&mut x.start_event);
                if let Some(e) = x.end_event.as_mut() {
                    vals.push(e);
                }
                if let Some(e) = x.wtmp_event.as_mut() {
                    vals.push(e);
                }
            }
        }
        fill(vals, fetch)?;
    }
    // Commands: the records that may belong to a relevant session, and the sudo lines
    // within two seconds of such an accounting record on its host (a light sudo record is
    // taken for a command until its command line is read).
    let times: Vec<Option<i64>> = all.iter().map(ts).collect();
    let maybe_sudo = |e: &Value| {
        is_sudo(e)
            || (light_ref(e).is_some()
                && s(e, "event.dataset").is_some_and(|d| d.starts_with("sudo.")))
    };
    let mut wanted = vec![false; all.len()];
    {
        let index = SessionIndex::new(&every);
        let mut sudo_times: Vec<(i64, usize)> = vec![];
        let mut acct_hits: Vec<(i64, usize)> = vec![];
        for (i, e) in all.iter().enumerate() {
            let (sudo, acct) = (maybe_sudo(e), is_command_record(e));
            let (Some(t), Some(host)) = (times.get(i).copied().flatten(), s(e, "host.name")) else {
                continue;
            };
            if sudo {
                sudo_times.push((t, i));
            }
            if !sudo && !acct {
                continue;
            }
            let chosen = index.choose(host, s(e, "jikoku.tty"), s(e, "user.name"), t, sudo);
            if chosen.is_some_and(|(c, _)| relevant.contains(&c)) {
                if let Some(w) = wanted.get_mut(i) {
                    *w = true;
                }
                if acct {
                    acct_hits.push((t, i));
                }
            }
        }
        sudo_times.sort_unstable();
        for (t, i) in acct_hits {
            let host = all.get(i).and_then(|e| s(e, "host.name"));
            let lo = sudo_times.partition_point(|(u, _)| *u < t.saturating_sub(2_000_000_000));
            for (u, j) in sudo_times.get(lo..).unwrap_or(&[]) {
                if *u > t.saturating_add(2_000_000_000) {
                    break;
                }
                if all.get(*j).and_then(|e| s(e, "host.name")) == host {
                    if let Some(w) = wanted.get_mut(*j) {
                        *w = true;
                    }
                }
            }
        }
    }
    // Processes running at TIME: accounting records whose [start, end] contains it.
    let end_of = |e: &Value| {
        s(e, "process.end")
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|d| d.timestamp_nanos_opt())
    };
    let mut running = vec![false; all.len()];
    for (i, e) in all.iter().enumerate() {
        if !s(e, "event.dataset").unwrap_or("").starts_with("acct.") {
            continue;
        }
        if let (Some(start), Some(end)) = (times.get(i).copied().flatten(), end_of(e)) {
            if start <= q.t && q.t <= end {
                if let Some(r) = running.get_mut(i) {
                    *r = true;
                }
            }
        }
    }
    fill(
        all.iter_mut()
            .enumerate()
            .filter(|(i, _)| {
                wanted.get(*i).copied().unwrap_or(false)
                    || running.get(*i).copied().unwrap_or(false)
            })
            .map(|(_, e)| e)
            .collect(),
        fetch,
    )?;
    let commands: Vec<Value> = all
        .iter()
        .enumerate()
        .filter(|(i, _)| wanted.get(*i).copied().unwrap_or(false))
        .map(|(_, e)| e.clone())
        .collect();
    attach_commands(&mut every, &commands);
    let sess: Vec<Session> = every
        .into_iter()
        .filter(|x| x.active_at(q.t))
        .filter(|x| q.matches(&x.start_event) || x.end_event.as_ref().is_some_and(|e| q.matches(e)))
        .collect();
    let mut items = vec![];
    for (i, e) in all.iter().enumerate() {
        if !running.get(i).copied().unwrap_or(false) || !q.matches(e) {
            continue;
        }
        // The whole event (its `process.end` decides, as for every event).
        let (Some(start), Some(end)) = (ts(e), end_of(e)) else { continue };
        if start <= q.t && q.t <= end && s(e, "event.dataset").unwrap_or("").starts_with("acct.") {
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
    Ok(Answer { time: rfc3339_ns(q.t), sessions: sess, items, hosts: hosts.into_iter().collect() })
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

    /// kenji's session on mail as jikoku parses it: sshd Accepted (no tty), the wtmp record
    /// (pts/1), su to root on pts/1, sudo on pts/1, and accounting records.
    fn kenji() -> Vec<Value> {
        let acct = |t: &str, name: &str, user: &str, tty: Option<&str>, dur: i64, off: u64| {
            let mut e = json!({"@timestamp":t,"event":{"action":"process-run","dataset":"acct.linux_v3","duration":dur},
                "host":{"name":"mail"},"user":{"name":user},"process":{"name":name},
                "log":{"file":{"path":"var/log/account/pacct"},"offset":off}});
            if let Some(tt) = tty {
                e["jikoku"] = json!({"tty": tt});
            }
            e
        };
        vec![
            json!({"@timestamp":"2002-05-08T16:56:39Z","event":{"action":"ssh-login","outcome":"success","dataset":"auth.sshd"},"host":{"name":"mail"},"user":{"name":"kenji"},"source":{"ip":"203.0.113.45","port":40122},"process":{"name":"sshd","pid":2011},"log":{"file":{"path":"var/log/auth.log"},"offset":800}}),
            json!({"@timestamp":"2002-05-08T16:56:39.913402Z","event":{"action":"login","dataset":"login.wtmp","duration":2_989_488_715_000i64},"host":{"name":"mail"},"user":{"name":"kenji"},"source":{"ip":"203.0.113.45"},"jikoku":{"tty":"pts/1"},"process":{"pid":2018},"log":{"file":{"path":"var/log/wtmp"},"offset":768}}),
            acct("2002-05-08T16:56:40Z", "bash", "kenji", Some("pts/1"), 2_989_050_000_000, 1664),
            acct("2002-05-08T17:02:03Z", "su", "root", Some("pts/1"), 379_200_000_000, 448),
            json!({"@timestamp":"2002-05-08T17:02:07Z","event":{"action":"su","outcome":"success","dataset":"auth.su"},"host":{"name":"mail"},"user":{"name":"kenji","target":{"name":"root"}},"jikoku":{"tty":"pts/1"},"process":{"name":"su","pid":2088},"log":{"file":{"path":"var/log/auth.log"},"offset":1000}}),
            acct("2002-05-08T17:02:08Z", "useradd", "root", Some("pts/1"), 50_000_000, 192),
            json!({"@timestamp":"2002-05-08T17:08:22Z","event":{"action":"session-closed","dataset":"auth.pam"},"host":{"name":"mail"},"user":{"name":"root"},"process":{"name":"su","pid":2088},"log":{"file":{"path":"var/log/auth.log"},"offset":1100}}),
            json!({"@timestamp":"2002-05-08T17:10:57Z","event":{"action":"sudo-command","dataset":"sudo.syslog"},"host":{"name":"mail"},"user":{"name":"kenji","target":{"name":"root"}},"jikoku":{"tty":"pts/1"},"process":{"name":"sudo","command_line":"/bin/chmod 777 /var/www/html/wp-content/uploads"},"log":{"file":{"path":"var/log/auth.log"},"offset":1230}}),
            acct("2002-05-08T17:10:57Z", "chmod", "root", Some("pts/1"), 0, 512),
            acct("2002-05-08T17:22:57Z", "php", "www-data", None, 1_300_000_000, 960),
            // Another user's session on another terminal at the same time.
            json!({"@timestamp":"2002-05-08T17:00:00Z","event":{"action":"login","dataset":"login.wtmp","duration":3_600_000_000_000i64},"host":{"name":"mail"},"user":{"name":"root"},"jikoku":{"tty":"tty1"},"log":{"file":{"path":"var/log/wtmp"},"offset":1152}}),
            acct("2002-05-08T17:05:00Z", "top", "root", Some("tty1"), 1_000_000_000, 2000),
            json!({"@timestamp":"2002-05-08T17:46:29Z","event":{"action":"session-closed","dataset":"auth.pam"},"host":{"name":"mail"},"user":{"name":"kenji"},"process":{"pid":2011},"log":{"file":{"path":"var/log/auth.log"},"offset":2000}}),
        ]
    }

    #[test]
    fn wtmp_merges_into_ssh_and_commands_link_to_sessions() {
        let evs = kenji();
        let mut ss = sessions(&evs);
        attach_commands(&mut ss, &evs);
        // The wtmp record is the same login as the sshd line: one session, with its tty.
        let ssh: Vec<&Session> = ss.iter().filter(|x| x.user == "kenji").collect();
        assert_eq!(ssh.len(), 1);
        let k = ssh[0];
        assert_eq!(
            (k.kind.as_str(), k.tty.as_deref(), k.tty_source.as_deref()),
            ("ssh", Some("pts/1"), Some("wtmp"))
        );
        assert_eq!(s(k.end_event.as_ref().unwrap(), "@timestamp"), Some("2002-05-08T17:46:29Z"));
        // su → the session it was run from.
        let su = ss.iter().find(|x| x.kind == "su").unwrap();
        assert_eq!(su.within.as_deref(), Some("ssh kenji from 203.0.113.45 on pts/1"));
        assert_eq!(
            su.commands.iter().map(|c| c.command.as_str()).collect::<Vec<_>>(),
            vec!["useradd"]
        );
        // kenji's session: his shell, the su binary, the su, useradd via su, sudo and chmod.
        let got: Vec<(String, String, Option<String>, Option<String>)> = k
            .commands
            .iter()
            .map(|c| (c.kind.clone(), c.command.clone(), c.via.clone(), c.by_sudo.clone()))
            .collect();
        let chmod = Some("/bin/chmod 777 /var/www/html/wp-content/uploads".to_string());
        assert_eq!(
            got,
            vec![
                ("acct".into(), "bash".into(), None, None),
                ("acct".into(), "su".into(), None, None),
                ("su".into(), "su → root".into(), None, None),
                ("acct".into(), "useradd".into(), Some("su → root".into()), None),
                ("sudo".into(), chmod.clone().unwrap(), None, None),
                ("acct".into(), "chmod".into(), None, chmod),
            ]
        );
        // The root console session on tty1 gets only its own command; cron's php none.
        let console = ss.iter().find(|x| x.tty.as_deref() == Some("tty1")).unwrap();
        assert_eq!(console.commands.len(), 1);
        assert_eq!(console.commands[0].command, "top");
        assert!(ss.iter().all(|x| x.commands.iter().all(|c| c.command != "php")));
    }

    #[test]
    fn sudo_links_by_user_when_the_session_tty_is_unknown() {
        let evs: Vec<Value> = kenji()
            .into_iter()
            .filter(|e| {
                s(e, "event.dataset") != Some("login.wtmp") && s(e, "event.action") != Some("su")
            })
            .collect();
        let mut ss = sessions(&evs);
        attach_commands(&mut ss, &evs);
        let k = ss.iter().find(|x| x.user == "kenji").unwrap();
        assert!(k.tty.is_none());
        let sudo = k.commands.iter().find(|c| c.kind == "sudo").unwrap();
        assert!(sudo.link.contains("tty is unknown"), "{}", sudo.link);
        // Accounting records need a terminal match: without it they stay unlinked.
        assert!(k.commands.iter().all(|c| c.kind != "acct"));
    }

    /// What an index gives as a light event: the key fields, flat, and a reference.
    fn lighten(e: &Value, r: usize) -> Value {
        let mut m = serde_json::Map::new();
        for k in [
            "@timestamp",
            "host.name",
            "event.action",
            "event.outcome",
            "event.dataset",
            "event.duration",
            "user.name",
            "user.target.name",
            "source.ip",
            "source.address",
            "source.port",
            "process.pid",
            "process.name",
            "process.end",
            "jikoku.tty",
            "jikoku.time.zone",
            "jikoku.source.sha256",
            "log.offset",
        ] {
            if let Some(v) = get(e, k) {
                m.insert(k.into(), v.clone());
            }
        }
        m.insert(LIGHT_REF.into(), json!(r));
        Value::Object(m)
    }

    #[test]
    fn light_context_gives_the_same_answer_and_fetches_only_what_it_shows() {
        let mut evs = kenji();
        // Accounting records still running, an unrelated session and its commands.
        for (i, e) in evs.iter_mut().enumerate() {
            e["jikoku"]["time"] = json!({"zone": "Asia/Tokyo"});
            e["log"]["offset"] = json!(i);
            if s(e, "event.dataset") == Some("acct.linux_v3") {
                let end = ts(e).unwrap() + get(e, "event.duration").unwrap().as_i64().unwrap();
                e["process"]["end"] = json!(rfc3339_ns(end));
            }
        }
        evs.push(json!({"@timestamp":"2002-05-08T10:00:00Z","event":{"action":"ssh-login","outcome":"success","dataset":"auth.sshd"},"host":{"name":"mail"},"user":{"name":"aiko"},"source":{"ip":"198.51.100.9","port":50000},"process":{"name":"sshd","pid":900},"log":{"offset":900}}));
        evs.push(json!({"@timestamp":"2002-05-08T10:05:00Z","event":{"action":"sudo-command","dataset":"sudo.syslog"},"host":{"name":"mail"},"user":{"name":"aiko","target":{"name":"root"}},"jikoku":{"tty":"pts/9"},"process":{"name":"sudo","command_line":"/bin/true"},"log":{"offset":901}}));
        evs.push(json!({"@timestamp":"2002-05-08T10:30:00Z","event":{"action":"session-closed","dataset":"auth.pam"},"host":{"name":"mail"},"user":{"name":"aiko"},"process":{"pid":900},"log":{"offset":902}}));
        for (t, focus) in [
            ("2002-05-08T17:05:00Z", vec![]),
            ("2002-05-08T17:11:00Z", vec!["kenji".to_string()]),
            ("2002-05-08T17:11:00Z", vec!["nobody".to_string()]),
            ("2002-05-08T10:10:00Z", vec![]),
        ] {
            let q = Question {
                t: ts(&json!({ "@timestamp": t })).unwrap(),
                window: 60_000_000_000,
                users: focus,
                ..Default::default()
            };
            let near: Vec<Value> = evs
                .iter()
                .filter(|e| ts(e).is_some_and(|u| (u - q.t).abs() <= q.window))
                .cloned()
                .collect();
            let want = answer(&q, &near, &evs);
            let light: Vec<Value> = evs.iter().enumerate().map(|(i, e)| lighten(e, i)).collect();
            let mut asked = 0;
            let mut fetch = |refs: &[u64]| -> Result<Vec<Value>, ()> {
                asked += refs.len();
                Ok(refs.iter().map(|r| evs[*r as usize].clone()).collect())
            };
            let got = answer_with(&q, &near, light, &mut fetch).unwrap();
            assert_eq!(
                serde_json::to_value(&got).unwrap(),
                serde_json::to_value(&want).unwrap(),
                "at {t}"
            );
            assert!(!serde_json::to_string(&got).unwrap().contains(LIGHT_REF));
            assert!(asked < evs.len(), "at {t}: {asked} of {} fetched", evs.len());
        }
    }

    #[test]
    fn offsets() {
        assert_eq!(fmt_offset(-133_000_000_000), "-2m13s");
        assert_eq!(fmt_offset(0), "±0s");
        assert_eq!(fmt_offset(3_723_000_000_000), "+1h2m3s");
        assert_eq!(fmt_offset(1_500_000_000), "+1.500s");
    }
}
