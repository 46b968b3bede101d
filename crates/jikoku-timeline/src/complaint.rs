//! `jikoku complaint`: from a complaint's headers and facts to the questions we ask our logs,
//! and from the events fetched for each question to the findings of a reply.
//!
//! 1. Judge each `Received:` hop: ours when its `by` host is one of `--ours` (CIDR or domain)
//!    or a host name known to the index. The earliest hop of ours is where the message entered
//!    our systems; its `from` part names who handed it to us (an address, or a local user).
//!    Hops below it (earlier) were written before the message reached us: anyone could have
//!    written them (forgeable). Hops above our last hop were written by the receivers.
//! 2. One [`Probe`] per hop of ours with a readable time (host, time ± window, the hop's queue
//!    id, the Message-ID, the handing address), plus one per reported time, ARF arrival and
//!    pasted log line when no hop of ours was found.
//! 3. For each probe the caller fetches events ([`Fetched`]); [`investigate`] builds the mail
//!    flows (`jikoku_formats::mail::flow`), matches the message (queue id, Message-ID, client
//!    address and time), names the submitter, measures the clock difference between our log and
//!    our hop's `Received:` time, and runs the `at` answer ([`crate::answer`]).
//!
//! Pure: no index, no I/O.

use std::net::IpAddr;

use chrono::{DateTime, TimeZone, Utc};
use jikoku_core::{Endpoint, Event, Timestamp};
use jikoku_formats::mail::flow::{MailFlow, build_flows};
use jikoku_formats::mailheader::{Complaint, HeaderTime, Hop, Message};
use serde::Serialize;
use serde_json::{Value, json};

use crate::{Answer, Question, answer, fmt_offset, get, s, ts};

/// One `--ours` item.
#[derive(Debug, Clone, PartialEq)]
pub enum Ours {
    /// An address block.
    Net(IpAddr, u8),
    /// A domain or host name (matches itself and its subdomains).
    Domain(String),
}

impl Ours {
    /// `192.0.2.0/24`, `2001:db8::/32`, `192.0.2.7`, `example.jp`.
    pub fn parse(s: &str) -> Result<Ours, String> {
        let t = s.trim();
        if t.is_empty() {
            return Err("empty --ours".into());
        }
        let (a, bits) = match t.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (t, None),
        };
        if let Ok(ip) = a.parse::<IpAddr>() {
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let n = match bits {
                Some(b) => b.parse::<u8>().map_err(|_| format!("{s:?}: bad prefix length"))?,
                None => max,
            };
            if n > max {
                return Err(format!("{s:?}: prefix longer than {max}"));
            }
            return Ok(Ours::Net(ip, n));
        }
        if bits.is_some()
            || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return Err(format!("{s:?} is neither a CIDR block nor a domain"));
        }
        Ok(Ours::Domain(t.trim_matches('.').to_ascii_lowercase()))
    }

    fn has_ip(&self, ip: &str) -> bool {
        let (Ours::Net(net, bits), Ok(ip)) = (self, ip.parse::<IpAddr>()) else { return false };
        match (net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let m = if *bits == 0 { 0 } else { u32::MAX << (32 - u32::from(*bits)) };
                (u32::from(*n) & m) == (u32::from(i) & m)
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let m = if *bits == 0 { 0 } else { u128::MAX << (128 - u32::from(*bits)) };
                (u128::from(*n) & m) == (u128::from(i) & m)
            }
            _ => false,
        }
    }

    fn has_name(&self, name: &str) -> bool {
        let Ours::Domain(d) = self else { return false };
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        n == *d || n.ends_with(&format!(".{d}"))
    }
}

/// A host's own addresses and names, as its image states them (the index's manifest).
#[derive(Debug, Clone, Default)]
pub struct OurHost {
    /// The host (`host.name` of its events).
    pub host: String,
    /// (address, file that states it).
    pub addresses: Vec<(String, String)>,
    /// (name, file), lower case.
    pub names: Vec<(String, String)>,
    /// (mail domain, file).
    pub domains: Vec<(String, String)>,
}

/// What [`investigate`] needs besides the complaint.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--ours`.
    pub ours: Vec<Ours>,
    /// Names in the complaint that are hosts of the index: (name as written, `host.name`).
    pub known_hosts: Vec<(String, String)>,
    /// Half-width of each probe's window, ns.
    pub window: i64,
    /// `by` names confirmed ours by the index: the hop's id is a queue id of that host. Their
    /// parent domains (`mail.example.jp` → `example.jp`) then bound the names matched by first
    /// label only.
    pub confirmed: Vec<String>,
    /// Our hosts' own addresses and names (from their images).
    pub identities: Vec<OurHost>,
}

fn same_ip(a: &str, b: &str) -> bool {
    let canon = |s: &str| {
        s.trim().parse::<IpAddr>().ok().map(|ip| match ip {
            IpAddr::V6(v) => v.to_ipv4_mapped().map_or(IpAddr::V6(v), IpAddr::V4),
            v4 => v4,
        })
    };
    matches!((canon(a), canon(b)), (Some(x), Some(y)) if x == y)
}

fn norm_name(n: &str) -> String {
    n.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl Options {
    /// The index host a name stands for (exact, or its first label).
    pub fn index_host(&self, name: &str) -> Option<&str> {
        let l = name.to_ascii_lowercase();
        let first = l.split('.').next().unwrap_or("");
        self.known_hosts
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(&l))
            .or_else(|| self.known_hosts.iter().find(|(n, _)| n.eq_ignore_ascii_case(first)))
            .map(|(_, h)| h.as_str())
    }

    /// The host whose image names `name` (exactly), and the file that says so.
    pub fn named_by_image(&self, name: &str) -> Option<(&str, &str)> {
        let n = norm_name(name);
        self.identities.iter().find_map(|h| {
            h.names.iter().find(|(x, _)| *x == n).map(|(_, f)| (h.host.as_str(), f.as_str()))
        })
    }

    /// The host whose image states address `ip`, and the file that says so.
    pub fn address_of(&self, ip: &str) -> Option<(&str, &str)> {
        self.identities.iter().find_map(|h| {
            h.addresses
                .iter()
                .find(|(x, _)| same_ip(x, ip))
                .map(|(_, f)| (h.host.as_str(), f.as_str()))
        })
    }

    /// Why `name` is ours (None: it is not), and whether only its first label says so.
    fn name_reason(&self, name: &str) -> Option<(String, bool)> {
        if let Some(d) = self.ours.iter().find(|o| o.has_name(name)) {
            let Ours::Domain(d) = d else { return None };
            return Some((format!("{name} is under --ours {d}"), false));
        }
        if let Some((h, f)) = self.named_by_image(name) {
            return Some((format!("{name} is a name of {h} ({f})"), false));
        }
        if self.exact_host(name) {
            return Some((format!("{name} is a host of the index"), false));
        }
        let host = self.index_host(name)?;
        if self.ours.iter().any(|o| matches!(o, Ours::Domain(_))) {
            return None;
        }
        // a host whose image states its full names: another name with its first label is not it
        if let Some(id) = self.identities.iter().find(|i| i.host.eq_ignore_ascii_case(host)) {
            if id.names.iter().any(|(n, _)| n.contains('.')) {
                return None;
            }
        }
        // first label only: within the domains of the names the index confirmed, and the mail
        // domains our images state, if any
        let domains: Vec<Ours> = self
            .confirmed
            .iter()
            .filter_map(|c| c.split_once('.').map(|(_, d)| Ours::Domain(d.to_ascii_lowercase())))
            .chain(
                self.identities
                    .iter()
                    .flat_map(|i| i.domains.iter())
                    .map(|(d, _)| Ours::Domain(d.to_ascii_lowercase())),
            )
            .collect();
        if !(domains.is_empty() || domains.iter().any(|d| d.has_name(name))) {
            return None;
        }
        let confirmed = self.confirmed.iter().any(|c| c.eq_ignore_ascii_case(name));
        Some((
            if confirmed {
                format!(
                    "its first label names {host}, a host of the index, whose log has the hop's id as a queue id"
                )
            } else {
                format!("its first label names {host}, a host of the index")
            },
            !confirmed,
        ))
    }

    /// Ours: under an `--ours` domain, a name of one of our hosts (its image), the full name of
    /// a host of the index, or — only when no `--ours` domain is given — a name whose first
    /// label is a host of the index (see [`Options::name_reason`]).
    #[cfg(test)]
    fn name_is_ours(&self, name: &str) -> bool {
        self.name_reason(name).is_some()
    }

    fn exact_host(&self, name: &str) -> bool {
        self.known_hosts.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Judged ours by the first label only (no `--ours` domain, not the host's full name).
    #[cfg(test)]
    fn by_first_label(&self, name: &str) -> bool {
        self.name_reason(name).is_some_and(|(_, f)| f)
    }

    /// Why an address is ours: an `--ours` block, or an address our images state.
    fn ip_reason(&self, ip: &str) -> Option<(String, Option<String>)> {
        if let Some((h, f)) = self.address_of(ip) {
            return Some((format!("{ip} is {h}'s address ({f})"), Some(h.to_string())));
        }
        self.ours.iter().find(|o| o.has_ip(ip)).map(|o| {
            let Ours::Net(n, b) = o else { return (String::new(), None) };
            (format!("{ip} is in --ours {n}/{b}"), None)
        })
    }

    fn ip_is_ours(&self, ip: &str) -> bool {
        self.ip_reason(ip).is_some()
    }
}

/// Names in a complaint worth looking up among the index's hosts (`by` and `from` names, with
/// their first labels).
pub fn candidate_names(c: &Complaint) -> Vec<String> {
    let mut v: Vec<String> = vec![];
    for m in &c.messages {
        for h in &m.hops {
            for n in [&h.received.by_name, &h.received.from_name, &h.received.from_rdns]
                .into_iter()
                .flatten()
            {
                let n = n.to_ascii_lowercase();
                if n.is_empty() || n.contains(' ') || n.contains('[') {
                    continue;
                }
                let first = n.split('.').next().unwrap_or("").to_string();
                for x in [n, first] {
                    if !x.is_empty() && !v.contains(&x) {
                        v.push(x);
                    }
                }
            }
        }
    }
    v
}

/// The role of a hop in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Written by one of our hosts: checkable against our logs.
    Ours,
    /// Written by a receiver after the message left us (the reporter's side).
    AfterUs,
    /// Written before the message reached us: may be forged.
    BeforeUs,
    /// No hop of ours in the chain.
    Unknown,
}

/// A hop as judged.
#[derive(Debug, Clone, Serialize)]
pub struct HopView {
    /// 0 = topmost.
    pub index: usize,
    /// Line in the complaint.
    pub line: usize,
    /// Role.
    pub role: Role,
    /// The index host, when ours.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Why it is judged ours (names and addresses of our hosts, with the file that states them).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ours_because: Vec<String>,
    /// Parsed parts.
    pub received: Value,
    /// Its time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Value>,
    /// The raw field.
    pub raw: String,
}

/// A message of the complaint, judged.
#[derive(Debug, Clone, Serialize)]
pub struct MessageView {
    /// Where it was found.
    pub origin: String,
    /// Line.
    pub line: usize,
    /// Message-ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Date header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Value>,
    /// From header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Subject header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// X-Originating-IP.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_originating_ip: Option<String>,
    /// Hops, topmost first.
    pub hops: Vec<HopView>,
    /// Index of our earliest hop (where the message entered our systems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry_hop: Option<usize>,
    /// Who handed the message to us, as our entry hop recorded it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_by: Option<String>,
    /// What can be trusted in the chain.
    pub trust: Vec<String>,
}

/// One question put to our logs.
#[derive(Debug, Clone, Serialize)]
pub struct Probe {
    /// What it checks (`hop 1 of the quoted message (line 25)`).
    pub label: String,
    /// Why this time.
    pub time_text: String,
    /// The time, UTC ns.
    pub t: i64,
    /// The time, RFC 3339 UTC.
    pub utc: String,
    /// The offset the time was written with.
    pub offset: String,
    /// Half-width of the window, ns.
    pub window: i64,
    /// Our host (index `host.name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Addresses to focus on.
    pub ips: Vec<String>,
    /// Queue ids our hop recorded.
    pub queue_ids: Vec<String>,
    /// Message-ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The address that handed the message to us.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handed_by_ip: Option<String>,
    /// For a hop probe: (message, hop) indices.
    #[serde(skip)]
    pub hop: Option<(usize, usize)>,
    /// Focus the `at` answer on `ips` (attack reports) rather than on the host.
    pub focus_ips: bool,
}

/// Events fetched for a probe.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Every event within t ± window.
    pub near: Vec<Value>,
    /// Session/process context (as `jikoku at` fetches it).
    pub context: Vec<Value>,
    /// Mail events with the probe's queue ids (any time nearby).
    pub mail: Vec<Value>,
}

/// A message flow of ours that matches.
#[derive(Debug, Clone, Serialize)]
pub struct FlowMatch {
    /// How it was matched: `queue id`, `Message-ID`, `client address and time`, `linked`.
    pub matched_by: String,
    /// The flow (`MailFlow::to_json`).
    pub flow: Value,
    /// Who submitted it, in words.
    pub submitter: String,
    /// Our log's first record of it − our hop's `Received:` time, seconds (same clock: ≈ 0
    /// unless the index corrected a skew).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_minus_received_s: Option<f64>,
    /// The declared skew of the host (`--skew`), removed at ingest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_skew_s: Option<f64>,
    /// The evidence records (path:line).
    pub evidence: Vec<String>,
    /// For a local submission: the HTTP requests and commands on the same host in the minute
    /// before it (a web script or a cron job behind the uid).
    pub preceded_by: Vec<String>,
}

/// The findings of one probe.
#[derive(Debug, Clone, Serialize)]
pub struct Investigation {
    /// The probe.
    pub probe: Probe,
    /// The probe's time in the other zones that matter (reporter, each host).
    pub conversions: Vec<(String, String)>,
    /// Matching flows (the message, then the flows linked to it on our side).
    pub flows: Vec<FlowMatch>,
    /// Clock findings.
    pub clock: Vec<String>,
    /// The `at` answer around the time.
    pub answer: Answer,
    /// What this probe could not confirm.
    pub unconfirmed: Vec<String>,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The complaint's own header (From, Date, Subject).
    pub complaint: Value,
    /// The messages it contains, judged.
    pub messages: Vec<MessageView>,
    /// ARF reports.
    pub arf: Vec<Value>,
    /// Plain facts.
    pub facts: Value,
    /// One per probe.
    pub investigations: Vec<Investigation>,
    /// What could not be confirmed, overall.
    pub unconfirmed: Vec<String>,
    /// Reading notes (undecoded parts, unreadable dates).
    pub notes: Vec<String>,
}

fn time_json(t: &Option<HeaderTime>) -> Option<Value> {
    t.as_ref().map(HeaderTime::to_json)
}

fn rfc3339(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// For each hop: ours or not, why, the host, and whether only a first label says so.
struct Judged {
    roles: Vec<Role>,
    hosts: Vec<Option<String>>,
    why: Vec<Vec<String>>,
    first_label_only: Vec<bool>,
}

fn judge(m: &Message, o: &Options) -> Judged {
    let n = m.hops.len();
    let mut ours: Vec<bool> = Vec::with_capacity(n);
    let mut why: Vec<Vec<String>> = Vec::with_capacity(n);
    let mut host: Vec<Option<String>> = Vec::with_capacity(n);
    let mut first_label_only: Vec<bool> = Vec::with_capacity(n);
    for (i, h) in m.hops.iter().enumerate() {
        let by = h.received.by_name.as_deref();
        let mut is_ours = false;
        let mut w = vec![];
        let mut hh = None;
        let mut fl = false;
        if let Some((r, f)) = by.and_then(|b| o.name_reason(b)) {
            is_ours = true;
            fl = f;
            w.push(format!("by {}: {r}", by.unwrap_or("")));
            hh = by.and_then(|b| {
                o.named_by_image(b)
                    .map(|(h, _)| h.to_string())
                    .or_else(|| o.index_host(b).map(str::to_string))
            });
        }
        // The receiver above saw the message come from one of our addresses (or our reverse
        // DNS name): this hop is ours. Only a receiver we trust counts: one above all our hops,
        // or one of ours (a hop below our hops may be forged).
        let above = i.checked_sub(1).and_then(|a| m.hops.get(a));
        let trusted = ours.last().copied().unwrap_or(false) || !ours.iter().any(|x| *x);
        if let (Some(above), true) = (above, trusted) {
            let rcv = above.received.by_name.as_deref().unwrap_or("the next receiver");
            let by_ip = above.received.from_ip.as_deref().and_then(|ip| o.ip_reason(ip));
            let by_rdns = above.received.from_rdns.as_deref().and_then(|d| {
                o.named_by_image(d).map(|(h, f)| {
                    (format!("{d} (its reverse DNS) is a name of {h} ({f})"), Some(h.to_string()))
                })
            });
            if let Some((r, from_host)) = by_ip.or(by_rdns) {
                is_ours = true;
                fl = false;
                w.push(format!(
                    "hop {} (by {rcv}) received the message from it: {r}",
                    i.saturating_sub(1)
                ));
                if hh.is_none() {
                    hh = from_host;
                }
            }
        }
        ours.push(is_ours);
        why.push(w);
        host.push(hh);
        first_label_only.push(fl);
    }
    let first_ours = ours.iter().position(|x| *x); // topmost (last in time)
    let last_ours = ours.iter().rposition(|x| *x); // earliest
    let mut roles = vec![];
    for i in 0..n {
        let role = match (first_ours, last_ours) {
            (Some(f), Some(l)) if i >= f && i <= l => {
                if ours.get(i).copied().unwrap_or(false) {
                    Role::Ours
                } else {
                    // a foreign hop between two of ours
                    Role::AfterUs
                }
            }
            (Some(f), _) if i < f => Role::AfterUs,
            (_, Some(l)) if i > l => Role::BeforeUs,
            _ => Role::Unknown,
        };
        roles.push(role);
    }
    for (h, r) in host.iter_mut().zip(&roles) {
        if *r != Role::Ours {
            *h = None;
        }
    }
    Judged { roles, hosts: host, why, first_label_only }
}

fn handed_by(h: &Hop) -> Option<String> {
    let r = &h.received;
    if let Some(u) = &r.local_user {
        if r.from_ip.is_none() {
            return Some(format!("local submission by {u}"));
        }
    }
    let mut parts = vec![];
    if let Some(n) = &r.from_name {
        parts.push(format!("HELO {n}"));
    }
    if let Some(d) = &r.from_rdns {
        parts.push(format!("reverse DNS {d}"));
    }
    if let Some(ip) = &r.from_ip {
        parts.push(format!("address {ip}"));
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn view(m: &Message, o: &Options) -> MessageView {
    let j = judge(m, o);
    let roles = &j.roles;
    let hops: Vec<HopView> = m
        .hops
        .iter()
        .zip(roles.iter().zip(j.hosts.iter().zip(&j.why)))
        .map(|(h, (role, (host, why)))| HopView {
            index: h.index,
            line: h.line,
            role: *role,
            host: host.clone(),
            ours_because: if *role == Role::Ours { why.clone() } else { vec![] },
            received: h.received.to_json(),
            time: time_json(&h.time),
            raw: h.received.raw.clone(),
        })
        .collect();
    let entry = roles.iter().rposition(|r| *r == Role::Ours);
    let top = roles.iter().position(|r| *r == Role::Ours);
    let mut trust = vec![];
    match (entry, top) {
        (Some(e), Some(t)) => {
            let mut names: Vec<String> = vec![];
            for (h, r) in m.hops.iter().zip(roles) {
                if let (Role::Ours, Some(b)) = (r, &h.received.by_name) {
                    if !names.contains(b) {
                        names.push(b.clone());
                    }
                }
            }
            trust.push(format!(
                "{} written by our host{} ({}): {} be checked against our logs",
                if t == e { format!("hop {t} was") } else { format!("hops {t}–{e} were") },
                if names.len() > 1 { "s" } else { "" },
                names.join(", "),
                if t == e { "it can" } else { "they can" }
            ));
            if t > 0 {
                trust.push(format!(
                    "hops 0–{} were written by the receivers after the message left us (the reporter's side)",
                    t - 1
                ));
            }
            if e + 1 < m.hops.len() {
                trust.push(format!(
                    "hops {}–{} were written before the message reached us: anyone could have written them, they may be forged; only what our hop {e} recorded of its client is ours to trust",
                    e + 1,
                    m.hops.len() - 1
                ));
            }
            for (i, h) in m.hops.iter().enumerate() {
                let by = h.received.by_name.as_deref().unwrap_or("?");
                if roles.get(i) != Some(&Role::Ours) {
                    continue;
                }
                if let Some(w) = j.why.get(i).filter(|w| !w.is_empty()) {
                    trust.push(format!("hop {i} is ours: {}", w.join("; ")));
                }
                if j.first_label_only.get(i).copied().unwrap_or(false) {
                    trust.push(format!(
                        "hop {i} (by {by}) is judged ours because its first label names a host of the index (and its id was not found there); give --ours DOMAIN to be sure (then only names under it count)"
                    ));
                }
            }
            if let Some(h) = m.hops.get(e) {
                if let Some(ip) = &h.received.from_ip {
                    if let Some((r, _)) = o.ip_reason(ip) {
                        trust.push(format!(
                            "our entry hop received it from {ip}, which is ours too: {r}"
                        ));
                    }
                }
            }
        }
        _ => {
            trust.push(
                "no hop of this chain is ours (neither --ours nor a host of the index): nothing in it can be checked against our logs"
                    .into(),
            );
            // A sender address of ours on a message none of our hosts carried: a forged sender.
            for (what, addr) in [("From", &m.from), ("Return-Path", &m.return_path)] {
                let Some(a) = addr else { continue };
                let dom = a.rsplit('@').next().unwrap_or("").trim_end_matches(['>', '"', ' ']);
                if !dom.is_empty() && o.ours.iter().any(|x| x.has_name(dom)) {
                    trust.push(format!(
                        "its {what} ({a}) is in our domain but no hop of ours carried it: the sender address was probably forged (a joe job); the hop that handed it to the first receiver is where it came from"
                    ));
                }
            }
        }
    }
    MessageView {
        origin: m.origin.as_str().to_string(),
        line: m.line,
        message_id: m.message_id.clone(),
        date: time_json(&m.date),
        from: m.from.clone(),
        subject: m.subject.clone(),
        x_originating_ip: m.x_originating_ip.clone(),
        hops,
        entry_hop: entry,
        handed_by: entry.and_then(|e| m.hops.get(e)).and_then(handed_by),
        trust,
    }
}

/// The probes a complaint asks (see the module doc).
pub fn plan(c: &Complaint, o: &Options) -> (Vec<MessageView>, Vec<Probe>, Vec<String>) {
    let mut views = vec![];
    let mut probes: Vec<Probe> = vec![];
    let mut unconfirmed = vec![];
    for (mi, m) in c.messages.iter().enumerate() {
        let v = view(m, o);
        for hv in &v.hops {
            if hv.role != Role::Ours {
                continue;
            }
            let Some(h) = m.hops.get(hv.index) else { continue };
            let label = format!(
                "hop {} ({}) of the {} message at line {}",
                hv.index,
                h.received.by_name.as_deref().unwrap_or("?"),
                m.origin.as_str(),
                m.line
            );
            match h.time.as_ref().and_then(|t| t.parsed.as_ref().ok().map(|p| (t, p))) {
                Some((ht, p)) => {
                    let Some(t) = p.utc.timestamp_nanos_opt() else { continue };
                    let entry_ip = v
                        .entry_hop
                        .and_then(|e| m.hops.get(e))
                        .and_then(|e| e.received.from_ip.clone());
                    probes.push(Probe {
                        label,
                        time_text: ht.text.clone(),
                        t,
                        utc: p.to_rfc3339(),
                        offset: p.local().format("%:z").to_string(),
                        window: o.window,
                        host: hv.host.clone(),
                        ips: h.received.from_ip.iter().cloned().collect(),
                        queue_ids: h.received.id.iter().cloned().collect(),
                        message_id: m.message_id.clone(),
                        handed_by_ip: entry_ip,
                        hop: Some((mi, hv.index)),
                        focus_ips: false,
                    });
                }
                None => unconfirmed
                    .push(format!("{label}: its time could not be read, so it was not looked up")),
            }
        }
        // A chain with none of our hops, but a receiver that names one of our addresses.
        if v.entry_hop.is_none() {
            for h in &m.hops {
                let Some(ip) = h.received.from_ip.as_deref().filter(|ip| o.ip_is_ours(ip)) else {
                    continue;
                };
                if let Some(p) = h.time.as_ref().and_then(|t| t.parsed.as_ref().ok()) {
                    if let Some(t) = p.utc.timestamp_nanos_opt() {
                        let (why, host) = o.ip_reason(ip).unwrap_or_default();
                        probes.push(Probe {
                            label: format!(
                                "hop {} at line {}: {} received it from our address ({why})",
                                h.index,
                                h.line,
                                h.received.by_name.as_deref().unwrap_or("?")
                            ),
                            time_text: h.time.as_ref().map(|t| t.text.clone()).unwrap_or_default(),
                            t,
                            utc: p.to_rfc3339(),
                            offset: p.local().format("%:z").to_string(),
                            window: o.window,
                            host,
                            ips: vec![ip.to_string()],
                            queue_ids: vec![],
                            message_id: m.message_id.clone(),
                            handed_by_ip: None,
                            hop: None,
                            focus_ips: false,
                        });
                    }
                }
            }
        }
        views.push(v);
    }
    // ARF arrival dates, reported times and pasted log lines (an attack report, a chain
    // without our hops, or a second incident in the same complaint): each time farther than
    // the window from the times already probed.
    {
        let near_probe =
            |probes: &[Probe], ns: i64| probes.iter().any(|p| (p.t - ns).abs() <= o.window);
        let ips: Vec<String> = c.facts.ips.iter().map(|(i, _)| i.clone()).collect();
        for a in &c.arf {
            if let Some(t) = a.arrival_date.as_ref().and_then(|d| d.parsed.as_ref().ok()) {
                if let Some(ns) = t.utc.timestamp_nanos_opt().filter(|ns| !near_probe(&probes, *ns))
                {
                    probes.push(Probe {
                        label: format!("ARF report at line {} (Arrival-Date)", a.line),
                        time_text: a
                            .arrival_date
                            .as_ref()
                            .map(|d| d.text.clone())
                            .unwrap_or_default(),
                        t: ns,
                        utc: t.to_rfc3339(),
                        offset: t.local().format("%:z").to_string(),
                        window: o.window,
                        host: None,
                        ips: a.source_ip.iter().cloned().collect(),
                        queue_ids: vec![],
                        message_id: None,
                        handed_by_ip: a.source_ip.clone(),
                        hop: None,
                        focus_ips: a.source_ip.is_some(),
                    });
                }
            }
        }
        for tf in &c.facts.times {
            let Some(ns) = tf.time.utc.timestamp_nanos_opt() else { continue };
            if near_probe(&probes, ns) {
                continue;
            }
            probes.push(Probe {
                label: format!("time stated at line {}", tf.line),
                time_text: tf.text.clone(),
                t: ns,
                utc: tf.time.to_rfc3339(),
                offset: tf.time.local().format("%:z").to_string(),
                window: o.window,
                host: None,
                ips: ips.clone(),
                queue_ids: vec![],
                message_id: None,
                handed_by_ip: None,
                hop: None,
                focus_ips: !ips.is_empty(),
            });
        }
        for l in &c.facts.log_lines {
            let Some(u) = l.utc else {
                unconfirmed.push(format!(
                    "pasted log line {} states no zone (and the complaint none): its time was not converted",
                    l.line
                ));
                continue;
            };
            let Some(ns) = u.timestamp_nanos_opt() else { continue };
            if near_probe(&probes, ns) {
                continue;
            }
            let lip: Vec<String> = ["source.ip", "destination.ip"]
                .iter()
                .filter_map(|f| s(&l.event, f).map(str::to_string))
                .collect();
            probes.push(Probe {
                label: format!("pasted log line {} ({})", l.line, l.parser),
                time_text: l.text.clone(),
                t: ns,
                utc: rfc3339(ns),
                offset: l.zone.clone().unwrap_or_default(),
                window: o.window,
                host: None,
                focus_ips: !lip.is_empty(),
                ips: lip,
                queue_ids: vec![],
                message_id: None,
                handed_by_ip: None,
                hop: None,
            });
        }
    }
    if probes.is_empty() {
        unconfirmed.push(
            "nothing in the complaint names one of our hosts with a readable time: give --ours (our domains and address blocks)"
                .into(),
        );
    }
    (views, probes, unconfirmed)
}

// ---------------------------------------------------------------------------------------
// Mail events from the index back into `Event`s for the flow builder.
// ---------------------------------------------------------------------------------------

fn endpoint(v: Option<&Value>) -> Endpoint {
    let Some(v) = v else { return Endpoint::default() };
    Endpoint {
        address: s(v, "address").map(str::to_string),
        ip: s(v, "ip").map(str::to_string),
        port: get(v, "port").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok()),
        domain: s(v, "domain").map(str::to_string),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        Some(Value::String(x)) => vec![x.clone()],
        _ => vec![],
    }
}

/// The fields of a mail event (as the index stores it) that the flow builder reads.
pub fn mail_event(v: &Value) -> Option<Event> {
    let ds = s(v, "event.dataset")?;
    if !ds.starts_with("mail.") {
        return None;
    }
    let mut e = Event::new(ds.to_string());
    e.event.action = s(v, "event.action").map(|a| a.to_string().into());
    e.timestamp = s(v, "@timestamp").and_then(|t| {
        let d = DateTime::parse_from_rfc3339(t).ok()?;
        let digits = t
            .split_once('.')
            .map_or(0, |(_, f)| f.chars().take_while(char::is_ascii_digit).count().min(9) as u8);
        Some(Timestamp { utc: d.with_timezone(&Utc), digits })
    });
    e.host.name = s(v, "host.name").map(str::to_string);
    e.process.pid = get(v, "process.pid").and_then(Value::as_i64);
    e.source = endpoint(get(v, "source"));
    e.destination = endpoint(get(v, "destination"));
    e.user.id = s(v, "user.id").map(str::to_string);
    e.user.name = s(v, "user.name").map(str::to_string);
    e.email.from.address = strings(get(v, "email.from.address"));
    e.email.to.address = strings(get(v, "email.to.address"));
    e.email.message_id = s(v, "email.message_id").map(str::to_string);
    if let Some(Value::Object(m)) = get(v, "jikoku.mail") {
        for (k, x) in m {
            match k.as_str() {
                "queue_id" => e.jikoku.mail.queue_id = x.as_str().map(str::to_string),
                "status" => e.jikoku.mail.status = x.as_str().map(str::to_string),
                "relay" => e.jikoku.mail.relay = x.as_str().map(str::to_string),
                "sasl_username" => e.jikoku.mail.sasl_username = x.as_str().map(str::to_string),
                _ => e.set_extra("mail", k, x.clone()),
            }
        }
    }
    Some(e)
}

fn provenance(e: &Value) -> String {
    let path = s(e, "log.file.path").unwrap_or("?");
    match get(e, "jikoku.line").and_then(Value::as_u64) {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    }
}

fn submitter(f: &MailFlow) -> String {
    let mut parts = vec![];
    if let Some(u) = &f.sasl_username {
        parts.push(format!("SASL login {u}"));
    }
    match (&f.user_name, &f.user_id) {
        (Some(n), Some(i)) => parts.push(format!("local user {n} (uid {i})")),
        (Some(n), None) => parts.push(format!("local user {n}")),
        (None, Some(i)) => parts.push(format!("local uid {i}")),
        _ => {}
    }
    if !f.client.is_empty() {
        let ip = f.client.ip.clone().or_else(|| f.client.address.clone()).unwrap_or_default();
        match f.client.domain.as_deref().filter(|d| *d != "unknown") {
            Some(d) => parts.push(format!("client {d} [{ip}]")),
            None => parts.push(format!("client {ip}")),
        }
    }
    let mut out = if parts.is_empty() { "not recorded".to_string() } else { parts.join(", ") };
    if let Some(s) = &f.submission {
        out.push_str(&format!(" ({s} submission)"));
    }
    if let Some(fr) = &f.from {
        out.push_str(&format!(", envelope from <{fr}>"));
    }
    out
}

fn bare_id(s: &str) -> &str {
    s.trim().trim_start_matches('<').trim_end_matches('>')
}

fn host_zone_time(ns: i64, zone: &str) -> Option<String> {
    let t = DateTime::from_timestamp_nanos(ns);
    if let Ok(tz) = zone.parse::<chrono_tz::Tz>() {
        return Some(t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z (%:z)").to_string());
    }
    let off =
        DateTime::parse_from_str(&format!("2000-01-01T00:00:00{zone}"), "%Y-%m-%dT%H:%M:%S%:z")
            .ok()?;
    Some(off.offset().from_utc_datetime(&t.naive_utc()).format("%Y-%m-%d %H:%M:%S %:z").to_string())
}

/// Answers one probe from its fetched events.
pub fn investigate_probe(c: &Complaint, p: &Probe, f: &Fetched) -> Investigation {
    let mut unconfirmed = vec![];
    let mut clock = vec![];
    // mail flows from the near and queue-id events (each event once)
    let mut seen = std::collections::HashSet::new();
    let mut mail_vals: Vec<&Value> = vec![];
    for v in f.mail.iter().chain(&f.near) {
        let k = (
            s(v, "jikoku.source.sha256").unwrap_or("").to_string(),
            get(v, "log.offset").and_then(Value::as_u64),
        );
        if s(v, "event.dataset").is_some_and(|d| d.starts_with("mail.")) && seen.insert(k) {
            mail_vals.push(v);
        }
    }
    mail_vals.sort_by_key(|v| ts(v).unwrap_or(i64::MIN));
    let pairs: Vec<(&Value, Event)> =
        mail_vals.iter().filter_map(|v| mail_event(v).map(|e| (*v, e))).collect();
    let events: Vec<Event> = pairs.iter().map(|(_, e)| e.clone()).collect();
    let flows = build_flows(&events);
    let on_host = |fl: &MailFlow| p.host.as_deref().is_none_or(|h| fl.host.as_deref() == Some(h));
    let mut matched: Vec<(usize, String)> = vec![];
    for (i, fl) in flows.iter().enumerate() {
        if !on_host(fl) {
            continue;
        }
        if p.queue_ids.iter().any(|q| bare_id(q) == fl.queue_id) {
            matched.push((i, "queue id".into()));
        }
    }
    if matched.is_empty() {
        if let Some(mid) = &p.message_id {
            for (i, fl) in flows.iter().enumerate() {
                if on_host(fl) && fl.message_id.as_deref().map(bare_id) == Some(bare_id(mid)) {
                    matched.push((i, "Message-ID".into()));
                }
            }
        }
    }
    if matched.is_empty() {
        if let Some(ip) = &p.handed_by_ip {
            for (i, fl) in flows.iter().enumerate() {
                let near = fl
                    .first
                    .and_then(|t| t.utc.timestamp_nanos_opt())
                    .is_some_and(|t| (t - p.t).abs() <= p.window);
                if on_host(fl) && near && fl.client.ip.as_deref() == Some(ip.as_str()) {
                    matched.push((i, "client address and time".into()));
                }
            }
        }
    }
    // linked flows on the same host: the one that handed it over (its next id is ours) and the
    // ones it handed over to (our next ids)
    let mut linked: Vec<(usize, String)> = vec![];
    for (i, _) in &matched {
        let Some(fl) = flows.get(*i) else { continue };
        for (j, other) in flows.iter().enumerate() {
            if j == *i || other.host != fl.host || matched.iter().any(|(k, _)| *k == j) {
                continue;
            }
            if other.next_queue_ids.contains(&fl.queue_id) {
                linked.push((j, format!("handed {} to it", other.queue_id)));
            } else if fl.next_queue_ids.contains(&other.queue_id) {
                linked.push((j, format!("received it from {}", fl.queue_id)));
            }
        }
    }
    let hop_time = p.hop.and_then(|(mi, hi)| {
        c.messages
            .get(mi)
            .and_then(|m| m.hops.get(hi))
            .and_then(|h| h.time.as_ref())
            .and_then(HeaderTime::utc_ns)
    });
    let mut out = vec![];
    for (i, how) in matched.iter().chain(linked.iter()) {
        let Some(fl) = flows.get(*i) else { continue };
        let evs: Vec<&Value> =
            fl.events.iter().filter_map(|k| pairs.get(*k).map(|(v, _)| *v)).collect();
        let declared = evs
            .iter()
            .find_map(|e| get(e, "jikoku.time.skew_seconds").and_then(Value::as_f64))
            .filter(|k| *k != 0.0);
        let first = fl.first.and_then(|t| t.utc.timestamp_nanos_opt());
        let diff = match (first, hop_time, matched.iter().any(|(k, _)| k == i)) {
            (Some(a), Some(b), true) => Some((a - b) as f64 / 1e9),
            _ => None,
        };
        if let Some(d) = diff {
            let raw = d + declared.unwrap_or(0.0);
            match declared {
                Some(k) if raw.abs() <= 2.0 => clock.push(format!(
                    "{}: our log has message {} at {} after removing the clock skew of {k:+} s recorded in the index (--skew, or jikoku skew --apply); our Received: header says {} — written by the same clock, {k:+} s off: the header confirms the skew",
                    fl.host.as_deref().unwrap_or("?"), fl.queue_id, fl.first.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    hop_time.map(rfc3339).unwrap_or_default()
                )),
                Some(k) => clock.push(format!(
                    "{}: our log − our Received: header = {d:+.0} s with a recorded skew of {k:+} s: the header and the log disagree by {raw:+.0} s",
                    fl.host.as_deref().unwrap_or("?")
                )),
                None if d.abs() > 2.0 => clock.push(format!(
                    "{}: our log has message {} {} from our own Received: header ({d:+.0} s): evidence of clock skew or of a delayed log line",
                    fl.host.as_deref().unwrap_or("?"), fl.queue_id, fmt_offset((d * 1e9) as i64)
                )),
                None => clock.push(format!(
                    "{}: our log and our Received: header agree ({d:+.0} s)",
                    fl.host.as_deref().unwrap_or("?")
                )),
            }
        }
        let mut preceded_by = vec![];
        if fl.submission.as_deref() == Some("local") {
            if let Some(t0) = first {
                for e in &f.near {
                    let Some(t) = ts(e) else { continue };
                    let ds = s(e, "event.dataset").unwrap_or("");
                    if s(e, "host.name") == fl.host.as_deref()
                        && t <= t0
                        && t0 - t <= 60_000_000_000
                        && (ds.starts_with("http.")
                            || ds.starts_with("acct.")
                            || ds.starts_with("sudo.")
                            || s(e, "event.action") == Some("cron-command"))
                    {
                        let what = match (
                            s(e, "http.request.method"),
                            s(e, "url.original").or_else(|| s(e, "url.path")),
                        ) {
                            (Some(m), Some(u)) => format!(
                                "{m} {u} from {}",
                                s(e, "source.ip").or_else(|| s(e, "source.address")).unwrap_or("?")
                            ),
                            _ => s(e, "process.command_line")
                                .or_else(|| s(e, "message"))
                                .unwrap_or("?")
                                .to_string(),
                        };
                        preceded_by.push(format!(
                            "{} before: {what} [{}]",
                            fmt_offset(t0 - t).trim_start_matches('+'),
                            provenance(e)
                        ));
                    }
                }
            }
        }
        out.push(FlowMatch {
            preceded_by,
            matched_by: how.clone(),
            flow: fl.to_json(),
            submitter: submitter(fl),
            log_minus_received_s: diff,
            declared_skew_s: declared,
            evidence: evs.iter().map(|e| provenance(e)).collect(),
        });
    }
    // headers alone: the receiver above our hop against our hop's own stamp
    if let Some((mi, hi)) = p.hop {
        let m = c.messages.get(mi);
        let ours_t = m
            .and_then(|m| m.hops.get(hi))
            .and_then(|h| h.time.as_ref())
            .and_then(HeaderTime::utc_ns);
        let next = hi.checked_sub(1).and_then(|n| m.and_then(|m| m.hops.get(n)));
        if let (Some(a), Some(nh)) = (ours_t, next) {
            if let Some(b) = nh.time.as_ref().and_then(HeaderTime::utc_ns) {
                let gap = (b - a) as f64 / 1e9;
                let who = nh.received.by_name.as_deref().unwrap_or("the next hop");
                let tail = if gap < -2.0 {
                    ": it received the message before we stamped it — our clock is fast or theirs slow"
                } else if gap > 300.0 {
                    ": a delay this long is a queue delay on our side or a clock off by about that much (compare our log's delivery time)"
                } else {
                    ""
                };
                clock.push(format!(
                    "headers: {who} (line {}) stamped the message {} our hop (line {}) did ({gap:+.0} s){tail}",
                    nh.line,
                    if gap < 0.0 {
                        format!("{} before", fmt_offset(a - b).trim_start_matches('+'))
                    } else {
                        format!("{} after", fmt_offset(b - a).trim_start_matches('+'))
                    },
                    m.and_then(|m| m.hops.get(hi)).map(|h| h.line).unwrap_or(0),
                ));
            }
        }
    }
    // the receiver above our hop against our delivery record to it
    if let Some((mi, hi)) = p.hop {
        let next_hop =
            hi.checked_sub(1).and_then(|n| c.messages.get(mi).and_then(|m| m.hops.get(n)));
        if let (Some(nh), Some(fm)) = (next_hop, out.first()) {
            if let Some(next) = nh.time.as_ref().and_then(HeaderTime::utc_ns) {
                let rcpts: Vec<&Value> = fm
                    .flow
                    .get("recipients")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let receiver = nh.received.by_name.as_deref().unwrap_or("");
                let to_it: Vec<&Value> = rcpts
                    .iter()
                    .copied()
                    .filter(|r| {
                        !receiver.is_empty()
                            && s(r, "relay").is_some_and(|x| {
                                x.to_ascii_lowercase().contains(&receiver.to_ascii_lowercase())
                            })
                    })
                    .collect();
                let pool = if to_it.is_empty() { rcpts } else { to_it };
                let delivered = pool
                    .iter()
                    .filter_map(|r| s(r, "at"))
                    .filter_map(|t| ts(&json!({"@timestamp": t})))
                    .min();
                if let Some(d) = delivered {
                    let gap = (next - d) as f64 / 1e9;
                    let who = if receiver.is_empty() {
                        "the next hop".to_string()
                    } else {
                        receiver.to_string()
                    };
                    clock.push(if gap < -2.0 {
                        format!(
                            "{who} (line {}) says it received the message {} before our log says we delivered it ({gap:+.0} s): one of the two clocks is wrong (ours would be {:.0} s fast)",
                            nh.line,
                            fmt_offset(d - next).trim_start_matches('+'),
                            -gap
                        )
                    } else {
                        format!(
                            "{who} (line {}) received the message {} after our log's delivery record ({gap:+.0} s): consistent",
                            nh.line,
                            fmt_offset(next - d).trim_start_matches('+')
                        )
                    });
                }
            }
        }
    }
    if p.hop.is_some() && out.is_empty() {
        unconfirmed.push(format!(
            "{}: no message with queue id {} or Message-ID {} in our logs within ±{} (is the log of {} in the index?)",
            p.label,
            if p.queue_ids.is_empty() { "-".into() } else { p.queue_ids.join(", ") },
            p.message_id.as_deref().unwrap_or("-"),
            fmt_offset(p.window).trim_start_matches('+'),
            p.host.as_deref().unwrap_or("that host")
        ));
    }
    let q = Question {
        t: p.t,
        window: p.window,
        ips: if p.focus_ips { p.ips.clone() } else { vec![] },
        users: vec![],
        hosts: p.host.iter().cloned().collect(),
    };
    let ans = answer(&q, &f.near, &f.context);
    if ans.items.is_empty() && ans.sessions.is_empty() {
        unconfirmed.push(format!(
            "{}: none of our events within ±{}",
            p.label,
            fmt_offset(p.window).trim_start_matches('+')
        ));
    }
    let mut conversions = vec![("UTC".to_string(), p.utc.clone())];
    if !p.offset.is_empty() {
        if let Some(t) = host_zone_time(p.t, &p.offset) {
            conversions.push((format!("as written ({})", p.offset), t));
        }
    }
    for (h, z) in &ans.hosts {
        if let Some(t) = host_zone_time(p.t, z) {
            conversions.push((format!("on {h} ({z})"), t));
        }
    }
    Investigation { probe: p.clone(), conversions, flows: out, clock, answer: ans, unconfirmed }
}

/// The whole report: [`plan`], then `fetch` for each probe, then [`investigate_probe`].
pub fn investigate(c: &Complaint, o: &Options, fetch: &mut dyn FnMut(&Probe) -> Fetched) -> Report {
    let (messages, probes, mut unconfirmed) = plan(c, o);
    let mut invs = vec![];
    for p in &probes {
        let f = fetch(p);
        let inv = investigate_probe(c, p, &f);
        unconfirmed.extend(inv.unconfirmed.iter().cloned());
        invs.push(inv);
    }
    let mut notes = c.notes.clone();
    for m in &c.messages {
        for h in &m.hops {
            if let Some(Err(e)) = h.time.as_ref().map(|t| &t.parsed) {
                notes.push(format!("line {}: Received: date not read: {e}", h.line));
            }
        }
    }
    let env = c.envelope.as_ref();
    let complaint = json!({
        "from": env.and_then(|m| m.from.clone()),
        "subject": env.and_then(|m| m.subject.clone()),
        "date": env.and_then(|m| time_json(&m.date)),
        "message_id": env.and_then(|m| m.message_id.clone()),
    });
    let facts = json!({
        "times": c.facts.times.iter().map(|t| json!({"line": t.line, "text": t.text, "utc": t.time.to_rfc3339(), "offset": t.time.local().format("%:z").to_string()})).collect::<Vec<_>>(),
        "ips": c.facts.ips.iter().map(|(i, l)| json!({"ip": i, "line": l})).collect::<Vec<_>>(),
        "ports": c.facts.ports.iter().map(|(p, l)| json!({"port": p, "line": l})).collect::<Vec<_>>(),
        "urls": c.facts.urls.iter().map(|(u, l)| json!({"url": u, "line": l})).collect::<Vec<_>>(),
        "log_lines": c.facts.log_lines.iter().map(|l| json!({"line": l.line, "text": l.text, "parser": l.parser, "utc": l.utc.map(|u| u.to_rfc3339()), "zone_from": l.zone_from, "zone": l.zone})).collect::<Vec<_>>(),
        "stated_zone": c.facts.stated_zone,
    });
    let arf = c
        .arf
        .iter()
        .map(|a| {
            json!({"line": a.line, "feedback_type": a.feedback_type, "user_agent": a.user_agent, "source_ip": a.source_ip,
                   "arrival_date": time_json(&a.arrival_date), "original_mail_from": a.original_mail_from,
                   "original_rcpt_to": a.original_rcpt_to, "reported_domain": a.reported_domain, "reported_uri": a.reported_uri})
        })
        .collect();
    Report { complaint, messages, arf, facts, investigations: invs, unconfirmed, notes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_label_only_without_ours_domains() {
        let mut o =
            Options { known_hosts: vec![("mail".into(), "mail".into())], ..Options::default() };
        assert!(o.name_is_ours("mail.example.jp"));
        assert!(o.name_is_ours("mail.victim.example"));
        o.ours = vec![Ours::parse("example.jp").unwrap()];
        assert!(o.name_is_ours("mail.example.jp"));
        assert!(!o.name_is_ours("mail.victim.example"));
        assert!(o.name_is_ours("mail"));
        // confirmed by a queue id: its domain bounds the other first-label matches
        let o = Options {
            known_hosts: vec![("mail".into(), "mail".into()), ("mx".into(), "mx".into())],
            confirmed: vec!["mail.example.jp".into()],
            ..Options::default()
        };
        assert!(o.name_is_ours("mail.example.jp"));
        assert!(o.name_is_ours("mx.example.jp"));
        assert!(!o.name_is_ours("mx.example.net"));
        assert!(!o.by_first_label("mail.example.jp"));
    }

    #[test]
    fn ours_parse_and_match() {
        let n = Ours::parse("192.0.2.0/24").unwrap();
        assert!(n.has_ip("192.0.2.77"));
        assert!(!n.has_ip("192.0.3.1"));
        let d = Ours::parse("example.jp").unwrap();
        assert!(d.has_name("mail.example.jp"));
        assert!(!d.has_name("badexample.jp"));
        assert!(Ours::parse("10.0.0.0/40").is_err());
        assert!(Ours::parse("a b").is_err());
        assert!(Ours::parse("2001:db8::/32").unwrap().has_ip("2001:db8::1"));
    }
}
