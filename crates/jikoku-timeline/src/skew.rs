//! Clock-skew estimation from events seen by two hosts.
//!
//! Two kinds of evidence tie one host's clock to another's:
//!
//! - **mail handoff**: host A's `status=sent (250 … queued as X)` and host B's lines for queue
//!   id X (`X: client=A[ip]`, `X: message-id=<…>`). B writes its lines *while* it receives the
//!   message and A writes `status=sent` only after B's `250` reply, so in true time B's line
//!   comes first by the transmission time (0–2 s).
//! - **ssh hop**: A's process-accounting record of `ssh` (its start) and B's sshd
//!   `Accepted … from <A's address>`: the login on B follows the start of `ssh` on A by the
//!   connection and authentication time (a fraction of a second to a couple of seconds).
//!
//! Each pair has an *earlier* event (on host E) and a *later* one (on host L), so
//! `clock_L(later) − clock_E(earlier) = (offset_L − offset_E) + delay` with `delay ≥ 0`.
//! Assuming zero delay would bias every estimate by the typical delay; instead, per pair of
//! hosts and direction, the pairs with the **smallest** difference (within one second of the
//! smallest, after outliers are dropped: the minimum-delay pairs) give the estimate (their
//! median), and the median of all pairs minus it is reported as the typical delay. Evidence in
//! both directions (mail A→B and ssh A→B) brackets the offset from both sides; the estimate is
//! then the mean of the two.
//!
//! Offsets are relative: hosts are joined by a maximum-evidence spanning tree from a reference
//! host (the one given, else the one with the most evidence), so a chain A→B→C gives C's offset
//! through B. Pairs whose difference exceeds a bound (default one hour) are ignored as
//! implausible (a reused queue id, an unrelated login).
//!
//! Everything here works on events as JSON with their `@timestamp` as indexed, so the estimate
//! is what remains *after* any skew already declared; [`reskew`] applies a correction to an
//! event exactly as `--skew` at ingest would have.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::{get, s, ts};

/// One event of a pair, as evidence.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Witness {
    /// Host.
    pub host: String,
    /// `@timestamp` as indexed.
    pub timestamp: String,
    /// `jikoku.time.local`: what the host's clock wrote.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    /// `log.file.path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `jikoku.line`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// `log.offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// `message`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Witness {
    fn of(e: &Value) -> Witness {
        Witness {
            host: s(e, "host.name").unwrap_or("").to_string(),
            timestamp: s(e, "@timestamp").unwrap_or("").to_string(),
            local: s(e, "jikoku.time.local").map(str::to_string),
            path: s(e, "log.file.path").map(str::to_string),
            line: get(e, "jikoku.line").and_then(Value::as_u64),
            offset: get(e, "log.offset").and_then(Value::as_u64),
            message: s(e, "message").map(|m| m.chars().take(200).collect()),
        }
    }
}

/// Two events of one happening seen by two hosts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Pair {
    /// `mail` (handoff by queue id) or `ssh` (accounting `ssh` → sshd login).
    pub kind: &'static str,
    /// What ties them (`queue id 4F1A2B3C4D → 8C2D1E`, `ssh from 192.0.2.10 as kenji`).
    pub key: String,
    /// The event that happened first (in true time).
    pub earlier: Witness,
    /// The event that happened after it.
    pub later: Witness,
    /// `@timestamp(later) − @timestamp(earlier)`, seconds: the offset of the later host's
    /// clock relative to the earlier host's, plus the delay.
    pub diff_s: f64,
}

/// Options of the estimate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Pairs whose difference exceeds this (seconds) are ignored.
    pub max_offset_s: f64,
    /// The reference host (offset 0); default: the host with the most evidence.
    pub reference: Option<String>,
    /// Known addresses of hosts (`host`, `ip`), besides those learned from mail handoffs.
    pub addresses: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_offset_s: 3600.0, reference: None, addresses: vec![] }
    }
}

/// The estimate between two hosts, from pairs in one or both directions.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Link {
    /// Host `a` (alphabetically first).
    pub a: String,
    /// Host `b`.
    pub b: String,
    /// Estimated offset of `b`'s clock relative to `a`'s, seconds (positive: `b` is ahead).
    pub offset_s: f64,
    /// Pairs used (after outliers and implausible pairs were dropped).
    pub n: usize,
    /// Pairs dropped as outliers.
    pub outliers: usize,
    /// Pairs whose difference was within one second of the smallest (the estimate's pairs).
    pub n_min_delay: usize,
    /// Median of the differences, as `b − a` (includes the delays).
    pub median_s: f64,
    /// Median absolute deviation of the differences.
    pub mad_s: f64,
    /// Smallest and largest difference, as `b − a`.
    pub min_s: f64,
    /// See `min_s`.
    pub max_s: f64,
    /// Typical delay between the two events of a pair (median − estimate, ≥ 0).
    pub typical_delay_s: f64,
    /// Kinds of evidence and how many pairs of each.
    pub kinds: BTreeMap<String, usize>,
    /// The pairs (all kept ones).
    pub pairs: Vec<Pair>,
}

/// A host's estimated offset.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HostOffset {
    /// Host.
    pub host: String,
    /// Offset of its clock (as indexed) relative to the reference, seconds: positive = fast.
    /// This is the skew still to remove.
    pub offset_s: f64,
    /// The same, rounded to whole seconds (what `--apply` applies).
    pub apply_s: f64,
    /// Skew already declared on its events (the most common `jikoku.time.skew_seconds`).
    pub declared_s: f64,
    /// Hosts the estimate went through, from the reference.
    pub via: Vec<String>,
    /// Pairs on the weakest link of that chain.
    pub n: usize,
    /// Uncertainty: the largest spread (MAD) along the chain, plus half a second per link for
    /// whole-second clocks.
    pub uncertainty_s: f64,
}

/// The whole estimate.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    /// Reference host.
    pub reference: Option<String>,
    /// Offsets per host reached from the reference.
    pub hosts: Vec<HostOffset>,
    /// Hosts with events but no evidence linking them to the reference.
    pub unlinked: Vec<String>,
    /// Links between hosts.
    pub links: Vec<Link>,
    /// Pairs ignored as implausible (difference beyond the bound).
    pub implausible: usize,
    /// Host addresses used to recognise ssh peers (`host`, `ip`, how known).
    pub addresses: Vec<(String, String, String)>,
    /// How to read the numbers.
    pub notes: Vec<String>,
}

/// (client record, login, difference in ns).
type Candidate<'a> = (&'a Value, &'a Value, i64);

fn secs(ns: i64) -> f64 {
    ns as f64 / 1e9
}

/// An accounting record of `ssh` (binary accounting: its start to the second; `lastcomm`
/// listings print minutes only and are not precise enough).
fn is_ssh_client(e: &Value) -> bool {
    s(e, "event.dataset").is_some_and(|d| d.starts_with("acct."))
        && s(e, "process.name") == Some("ssh")
}

fn is_ssh_login(e: &Value) -> bool {
    s(e, "event.action") == Some("ssh-login") && s(e, "event.outcome") == Some("success")
}

/// Finds the pairs in `events` (any order; events of every host).
pub fn pairs(events: &[Value], opts: &Options) -> (Vec<Pair>, Vec<(String, String, String)>) {
    let mut out = vec![];
    // Mail: sender lines by the receiver's queue id; receiver lines by queue id.
    let mut message_id: HashMap<(&str, &str), &str> = HashMap::new();
    for e in events {
        if let (Some(h), Some(q), Some(m)) =
            (s(e, "host.name"), s(e, "jikoku.mail.queue_id"), s(e, "email.message_id"))
        {
            message_id.insert((h, q), m);
        }
    }
    let mut received: HashMap<&str, Vec<&Value>> = HashMap::new();
    for e in events {
        let action = s(e, "event.action").unwrap_or("");
        if matches!(action, "mail-submit" | "mail-message-id") && ts(e).is_some() {
            if let Some(q) = s(e, "jikoku.mail.queue_id") {
                received.entry(q).or_default().push(e);
            }
        }
    }
    let mut addresses: BTreeSet<(String, String, String)> = opts
        .addresses
        .iter()
        .map(|(h, ip)| (h.clone(), ip.clone(), "option".to_string()))
        .collect();
    // One delivery to several recipients writes one `status=sent` line per recipient with the
    // same remote queue id: one pair per (sender, remote queue id).
    let mut seen_sent: BTreeSet<(&str, &str)> = BTreeSet::new();
    for e in events {
        if s(e, "jikoku.mail.status") != Some("sent") {
            continue;
        }
        let (Some(x), Some(host), Some(t_sent)) =
            (s(e, "jikoku.mail.remote_queue_id"), s(e, "host.name"), ts(e))
        else {
            continue;
        };
        if !seen_sent.insert((host, x)) {
            continue;
        }
        let Some(cands) = received.get(x) else { continue };
        let sender_mid = s(e, "jikoku.mail.queue_id").and_then(|q| message_id.get(&(host, q)));
        // Per receiving host: the message-id line if any, else the client line; the candidate
        // closest in time when the queue id was reused.
        let mut by_host: BTreeMap<&str, (&Value, i64)> = BTreeMap::new();
        for c in cands {
            let Some(rh) = s(c, "host.name") else { continue };
            if rh == host {
                continue;
            }
            let mid = message_id.get(&(rh, x));
            if let (Some(a), Some(b)) = (sender_mid, mid) {
                if a != b {
                    continue;
                }
            }
            let Some(tc) = ts(c) else { continue };
            let d = t_sent - tc;
            let better = match by_host.get(rh) {
                None => true,
                Some((prev, pd)) => {
                    let prev_mid = s(prev, "event.action") == Some("mail-message-id");
                    let this_mid = s(c, "event.action") == Some("mail-message-id");
                    (this_mid && !prev_mid) || (this_mid == prev_mid && d.abs() < pd.abs())
                }
            };
            if better {
                by_host.insert(rh, (c, d));
            }
        }
        for (rh, (c, d)) in by_host {
            // The client address of the receiving side is the sender's.
            let tc = ts(c).unwrap_or(0);
            for r in cands.iter().filter(|r| {
                s(r, "host.name") == Some(rh)
                    && ts(r).is_some_and(|t| (t - tc).abs() <= 60_000_000_000)
            }) {
                if let Some(ip) = s(r, "source.ip") {
                    addresses.insert((host.to_string(), ip.to_string(), format!("mail to {rh}")));
                }
            }
            out.push(Pair {
                kind: "mail",
                key: format!(
                    "queue id {} on {host} → {x} on {rh}",
                    s(e, "jikoku.mail.queue_id").unwrap_or("?")
                ),
                earlier: Witness::of(c),
                later: Witness::of(e),
                diff_s: secs(d),
            });
        }
    }
    // ssh: accounting `ssh` starts on A, sshd logins on B from one of A's addresses.
    let mut host_of_ip: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (h, ip, _) in &addresses {
        host_of_ip.entry(ip.as_str()).or_default().insert(h.as_str());
    }
    let mut clients: HashMap<&str, Vec<(&Value, i64)>> = HashMap::new();
    for e in events {
        if is_ssh_client(e) {
            if let (Some(h), Some(t)) = (s(e, "host.name"), ts(e)) {
                clients.entry(h).or_default().push((e, t));
            }
        }
    }
    // Candidates per (client host, server host): every (client, login) pair within the bound;
    // the true pairs cluster at one difference (the offset plus a small delay).
    let bound = (opts.max_offset_s * 1e9) as i64;
    let mut cand: BTreeMap<(&str, &str), Vec<Candidate<'_>>> = BTreeMap::new();
    for login in events.iter().filter(|e| is_ssh_login(e)) {
        let (Some(bh), Some(ip), Some(tb)) =
            (s(login, "host.name"), s(login, "source.ip"), ts(login))
        else {
            continue;
        };
        let Some(hs) = host_of_ip.get(ip) else { continue };
        for ah in hs {
            if *ah == bh {
                continue;
            }
            for (c, ta) in clients.get(ah).map(Vec::as_slice).unwrap_or(&[]) {
                let d = tb - ta;
                if d.abs() <= bound {
                    cand.entry((ah, bh)).or_default().push((c, login, d));
                }
            }
        }
    }
    for ((ah, bh), mut v) in cand {
        v.sort_by_key(|(_, _, d)| *d);
        // The densest 3-second window of differences.
        let w = 3_000_000_000i64;
        // With mail evidence between the two hosts, the window nearest to what it says wins
        // among equally dense ones (and windows more than 10 s from it are not considered).
        let prior: Vec<f64> = out
            .iter()
            .filter(|p| p.kind == "mail")
            .filter_map(|p| {
                if (p.earlier.host.as_str(), p.later.host.as_str()) == (ah, bh) {
                    Some(p.diff_s)
                } else if (p.earlier.host.as_str(), p.later.host.as_str()) == (bh, ah) {
                    Some(-p.diff_s)
                } else {
                    None
                }
            })
            .collect();
        let prior = (!prior.is_empty()).then(|| median(&prior));
        let mut best = (0usize, 0usize);
        let mut best_dist = f64::INFINITY;
        let mut j = 0usize;
        for i in 0..v.len() {
            let di = v.get(i).map_or(0, |x| x.2);
            while v.get(j).is_some_and(|x| x.2 - di <= w) {
                j += 1;
            }
            let dist = prior.map_or(0.0, |p| (secs(di) - p).abs());
            if prior.is_some() && dist > 10.0 {
                continue;
            }
            if j - i > best.1 - best.0 || (j - i == best.1 - best.0 && dist < best_dist) {
                best = (i, j);
                best_dist = dist;
            }
        }
        if best.1 == best.0 {
            continue;
        }
        let Some(cluster) = v.get(best.0..best.1) else { continue };
        if cluster.len() < 2 && prior.is_none() {
            // A lone candidate, or one among many, with nothing else between these hosts to
            // confirm it: no evidence.
            continue;
        }
        // Each login and each client record used once, smallest difference first.
        let mut used_l = BTreeSet::new();
        let mut used_c = BTreeSet::new();
        for (c, login, d) in cluster {
            let kl = (s(login, "log.file.path"), get(login, "log.offset").and_then(Value::as_u64));
            let kc = (s(c, "log.file.path"), get(c, "log.offset").and_then(Value::as_u64));
            if used_l.contains(&kl) || used_c.contains(&kc) {
                continue;
            }
            used_l.insert(kl);
            used_c.insert(kc);
            out.push(Pair {
                kind: "ssh",
                key: format!(
                    "ssh by {} on {ah} → login as {} on {bh} from {}",
                    s(c, "user.name").unwrap_or("?"),
                    s(login, "user.name").unwrap_or("?"),
                    s(login, "source.ip").unwrap_or("?")
                ),
                earlier: Witness::of(c),
                later: Witness::of(login),
                diff_s: secs(*d),
            });
        }
    }
    (out, addresses.into_iter().collect())
}

fn median(v: &[f64]) -> f64 {
    let mut v: Vec<f64> = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let hi = v.get(n / 2).copied().unwrap_or(0.0);
    if n % 2 == 1 { hi } else { (v.get(n / 2 - 1).copied().unwrap_or(hi) + hi) / 2.0 }
}

fn mad(v: &[f64], m: f64) -> f64 {
    median(&v.iter().map(|x| (x - m).abs()).collect::<Vec<_>>())
}

/// Min-delay estimate of one direction: `diffs` are upper bounds of the offset (offset =
/// diff − delay). Returns (estimate, pairs within a second of the smallest).
fn min_delay(diffs: &[f64]) -> (f64, usize) {
    let lo = diffs.iter().copied().fold(f64::INFINITY, f64::min);
    let near: Vec<f64> = diffs.iter().copied().filter(|d| *d <= lo + 1.0).collect();
    (median(&near), near.len())
}

/// Builds the link between `a` and `b` from pairs between them (either direction).
fn link(a: &str, b: &str, pairs: Vec<Pair>) -> Option<(Link, usize)> {
    // Express each difference as b − a: for later = b it is an upper bound of offset(b−a);
    // for later = a it is −(a − b) and a lower bound.
    let signed = |p: &Pair| if p.later.host == b { p.diff_s } else { -p.diff_s };
    let all: Vec<f64> = pairs.iter().map(signed).collect();
    let m = median(&all);
    let spread = mad(&all, m);
    let tol = (5.0 * spread).max(5.0);
    let (kept, dropped): (Vec<Pair>, Vec<Pair>) =
        pairs.into_iter().partition(|p| (signed(p) - m).abs() <= tol);
    if kept.is_empty() {
        return None;
    }
    let up: Vec<f64> = kept.iter().filter(|p| p.later.host == b).map(|p| p.diff_s).collect();
    let down: Vec<f64> = kept.iter().filter(|p| p.later.host != b).map(|p| p.diff_s).collect();
    let (offset, n_min, typical) = match (up.is_empty(), down.is_empty()) {
        (false, true) => {
            let (e, n) = min_delay(&up);
            (e, n, median(&up) - e)
        }
        (true, false) => {
            let (e, n) = min_delay(&down);
            (-e, n, median(&down) - e)
        }
        _ => {
            let (eu, nu) = min_delay(&up);
            let (ed, nd) = min_delay(&down);
            let e = (eu - ed) / 2.0;
            (e, nu + nd, ((median(&up) - eu) + (median(&down) - ed)) / 2.0)
        }
    };
    let kv: Vec<f64> = kept.iter().map(signed).collect();
    let km = median(&kv);
    let mut kinds = BTreeMap::new();
    for p in &kept {
        *kinds.entry(p.kind.to_string()).or_insert(0) += 1;
    }
    Some((
        Link {
            a: a.to_string(),
            b: b.to_string(),
            offset_s: offset,
            n: kept.len(),
            outliers: dropped.len(),
            n_min_delay: n_min,
            median_s: km,
            mad_s: mad(&kv, km),
            min_s: kv.iter().copied().fold(f64::INFINITY, f64::min),
            max_s: kv.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            typical_delay_s: typical.max(0.0),
            kinds,
            pairs: kept,
        },
        dropped.len(),
    ))
}

/// The skew most events of each host were indexed with.
fn declared(events: &[Value]) -> BTreeMap<String, f64> {
    let mut counts: BTreeMap<String, BTreeMap<i64, usize>> = BTreeMap::new();
    for e in events {
        if let (Some(h), Some(k)) =
            (s(e, "host.name"), get(e, "jikoku.time.skew_seconds").and_then(Value::as_f64))
        {
            *counts
                .entry(h.to_string())
                .or_default()
                .entry((k * 1e3).round() as i64)
                .or_insert(0) += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(h, c)| {
            c.into_iter().max_by_key(|(k, n)| (*n, -k.abs())).map(|(k, _)| (h, k as f64 / 1e3))
        })
        .collect()
}

/// Estimates every host's clock offset from the pairs found in `events`.
///
/// Without a reference, offsets are first computed from the host with the most evidence; then
/// the reference becomes the host whose clock most other hosts agree with (within a second),
/// the one with the most evidence among those: with one fast clock among three, the other two
/// are taken as correct.
pub fn estimate(events: &[Value], opts: &Options) -> Estimate {
    let first = estimate_from(events, opts);
    if opts.reference.is_some() {
        return first;
    }
    let evidence = |h: &str| -> usize {
        first.links.iter().filter(|l| l.a == h || l.b == h).map(|l| l.n).sum()
    };
    let best = first
        .hosts
        .iter()
        .map(|h| {
            let agree =
                first.hosts.iter().filter(|o| (o.offset_s - h.offset_s).abs() <= 1.0).count();
            (agree, evidence(&h.host), std::cmp::Reverse(h.host.clone()))
        })
        .max();
    let mut out = match best {
        Some((_, _, std::cmp::Reverse(r))) if Some(&r) != first.reference.as_ref() => {
            estimate_from(events, &Options { reference: Some(r), ..opts.clone() })
        }
        _ => first,
    };
    if let Some(r) = &out.reference {
        out.notes.insert(
            0,
            format!(
                "reference {r}: the clock most hosts agree with (within a second), chosen as no --reference was given"
            ),
        );
    }
    out
}

fn estimate_from(events: &[Value], opts: &Options) -> Estimate {
    let (found, addresses) = pairs(events, opts);
    let bound = opts.max_offset_s;
    let (plausible, implausible): (Vec<Pair>, Vec<Pair>) =
        found.into_iter().partition(|p| p.diff_s.abs() <= bound);
    let mut by_link: BTreeMap<(String, String), Vec<Pair>> = BTreeMap::new();
    for p in plausible {
        let (a, b) = if p.earlier.host <= p.later.host {
            (p.earlier.host.clone(), p.later.host.clone())
        } else {
            (p.later.host.clone(), p.earlier.host.clone())
        };
        by_link.entry((a, b)).or_default().push(p);
    }
    let mut links = vec![];
    for ((a, b), ps) in by_link {
        if let Some((l, _)) = link(&a, &b, ps) {
            links.push(l);
        }
    }
    let hosts: BTreeSet<String> =
        events.iter().filter_map(|e| s(e, "host.name")).map(str::to_string).collect();
    let mut evidence: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &links {
        *evidence.entry(&l.a).or_insert(0) += l.n;
        *evidence.entry(&l.b).or_insert(0) += l.n;
    }
    let reference = opts.reference.clone().or_else(|| {
        evidence
            .iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(h, _)| (*h).to_string())
    });
    let decl = declared(events);
    let mut out_hosts: Vec<HostOffset> = vec![];
    // A reference no evidence mentions reaches nothing.
    let reference = reference.filter(|r| links.iter().any(|l| &l.a == r || &l.b == r));
    if let Some(r) = &reference {
        // Prim: grow from the reference along the link with the most pairs.
        let mut reached: BTreeMap<String, HostOffset> = BTreeMap::new();
        reached.insert(
            r.clone(),
            HostOffset {
                host: r.clone(),
                offset_s: 0.0,
                apply_s: 0.0,
                declared_s: decl.get(r).copied().unwrap_or(0.0),
                via: vec![],
                n: 0,
                uncertainty_s: 0.0,
            },
        );
        loop {
            let next = links
                .iter()
                .filter(|l| reached.contains_key(&l.a) != reached.contains_key(&l.b))
                .max_by(|x, y| x.n.cmp(&y.n).then(y.mad_s.total_cmp(&x.mad_s)));
            let Some(l) = next else { break };
            let (from, to, off) = if reached.contains_key(&l.a) {
                (&l.a, &l.b, l.offset_s)
            } else {
                (&l.b, &l.a, -l.offset_s)
            };
            let Some(base) = reached.get(from).cloned() else { break };
            let mut via = base.via.clone();
            if from != r {
                via.push(from.clone());
            }
            let offset_s = base.offset_s + off;
            reached.insert(
                to.clone(),
                HostOffset {
                    host: to.clone(),
                    offset_s,
                    apply_s: offset_s.round(),
                    declared_s: decl.get(to).copied().unwrap_or(0.0),
                    via,
                    n: if base.n == 0 { l.n } else { base.n.min(l.n) },
                    uncertainty_s: base.uncertainty_s.max(l.mad_s) + 0.5,
                },
            );
        }
        out_hosts = reached.into_values().collect();
    }
    let unlinked: Vec<String> =
        hosts.into_iter().filter(|h| !out_hosts.iter().any(|x| &x.host == h)).collect();
    let notes = vec![
        "offset: how far the host's clock (as indexed, after any declared skew) was ahead of the reference; positive = fast. --apply removes it as declared skew.".to_string(),
        "mail handoff: the receiver logs the queue id while the message arrives, the sender logs status=sent after the 250 reply, so a pair includes the transmission time (0–2 s): the estimate uses the pairs with the smallest difference, not the mean; typical_delay is the median minus it.".to_string(),
        "ssh: accounting `ssh` start on the client, sshd Accepted on the server: the pair includes connection and authentication time; accounting times are whole seconds.".to_string(),
        format!("pairs whose difference exceeds {bound} s are ignored as implausible"),
    ];
    Estimate {
        reference,
        hosts: out_hosts,
        unlinked,
        links,
        implausible: implausible.len(),
        addresses,
        notes,
    }
}

/// Re-applies skew to one event: `new_skew` seconds (the total, positive = the clock was fast)
/// replaces the skew it was indexed with, exactly as `--skew HOST=new_skew` at ingest would have
/// set it: `@timestamp` = clock − new_skew (clock read back from `jikoku.time.local`, printed
/// with the record's sub-second digits), `jikoku.time.skew_seconds` = new_skew, and accounting
/// `process.start`/`process.end` moved by the same amount. Returns the new `@timestamp` in UTC
/// nanoseconds, or `None` when the event has no time to move (it is left unchanged).
pub fn reskew(e: &mut Value, new_skew: f64) -> Option<i64> {
    let old = get(e, "jikoku.time.skew_seconds").and_then(Value::as_f64).unwrap_or(0.0);
    let stamp = s(e, "@timestamp")?.to_string();
    let digits = stamp
        .split_once('.')
        .map(|(_, f)| f.trim_end_matches(|c: char| !c.is_ascii_digit()).len())
        .unwrap_or(0);
    let clock = s(e, "jikoku.time.local")
        .and_then(|l| chrono::DateTime::parse_from_rfc3339(l).ok())
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|| {
            let t = chrono::DateTime::parse_from_rfc3339(&stamp).ok()?.with_timezone(&chrono::Utc);
            t.checked_add_signed(chrono::Duration::nanoseconds((old * 1e9).round() as i64))
        })?;
    let new_ns = (new_skew * 1e9).round() as i64;
    let corrected = clock.checked_sub_signed(chrono::Duration::nanoseconds(new_ns))?;
    let delta_ns = ((new_skew - old) * 1e9).round() as i64;
    let fmt = |t: chrono::DateTime<chrono::Utc>, digits: usize| {
        let f = match digits {
            0 => chrono::SecondsFormat::Secs,
            1..=3 => chrono::SecondsFormat::Millis,
            4..=6 => chrono::SecondsFormat::Micros,
            _ => chrono::SecondsFormat::Nanos,
        };
        t.to_rfc3339_opts(f, true)
    };
    let obj = e.as_object_mut()?;
    obj.insert("@timestamp".into(), Value::String(fmt(corrected, digits)));
    if let Some(p) = obj.get_mut("process").and_then(Value::as_object_mut) {
        for k in ["start", "end"] {
            let moved = p.get(k).and_then(Value::as_str).and_then(|v| {
                let d = v
                    .split_once('.')
                    .map(|(_, f)| f.trim_end_matches(|c: char| !c.is_ascii_digit()).len())
                    .unwrap_or(0);
                let t = chrono::DateTime::parse_from_rfc3339(v).ok()?.with_timezone(&chrono::Utc);
                Some(fmt(t.checked_sub_signed(chrono::Duration::nanoseconds(delta_ns))?, d))
            });
            if let Some(m) = moved {
                p.insert(k.into(), Value::String(m));
            }
        }
    }
    let j = obj.entry("jikoku").or_insert_with(|| Value::Object(Default::default()));
    let t = j
        .as_object_mut()?
        .entry("time")
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()?;
    t.insert("skew_seconds".into(), serde_json::json!(new_skew));
    corrected.timestamp_nanos_opt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(base: i64, secs: f64) -> String {
        let ns = base + (secs * 1e9) as i64;
        chrono::DateTime::from_timestamp_nanos(ns)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    const T0: i64 = 1_020_878_984_000_000_000;

    fn sent(host: &str, q: &str, remote: &str, t: f64, line: u64) -> Value {
        json!({"@timestamp": at(T0, t), "host":{"name":host},
            "event":{"action":"mail-delivery","dataset":"mail.postfix"},
            "log":{"file":{"path":"var/log/mail.log"},"offset":line*100},"jikoku":{"line":line,
            "mail":{"queue_id":q,"status":"sent","remote_queue_id":remote},"time":{"skew_seconds":0.0}}})
    }
    fn client(host: &str, q: &str, ip: &str, t: f64, line: u64) -> Value {
        json!({"@timestamp": at(T0, t), "host":{"name":host},
            "event":{"action":"mail-submit","dataset":"mail.postfix"},"source":{"ip":ip},
            "log":{"file":{"path":"var/log/mail.log"},"offset":line*100},"jikoku":{"line":line,
            "mail":{"queue_id":q},"time":{"skew_seconds":0.0}}})
    }
    fn acct_ssh(host: &str, t: f64, n: u64) -> Value {
        json!({"@timestamp": at(T0, t), "host":{"name":host},"user":{"name":"kenji"},
            "event":{"action":"process-run","dataset":"acct.linux_v3"},"process":{"name":"ssh"},
            "log":{"file":{"path":"var/log/account/pacct"},"offset":n*64},"jikoku":{"time":{"skew_seconds":0.0}}})
    }
    fn login(host: &str, ip: &str, t: f64, line: u64) -> Value {
        json!({"@timestamp": at(T0, t), "host":{"name":host},"user":{"name":"kenji"},
            "event":{"action":"ssh-login","outcome":"success","dataset":"auth.sshd"},"source":{"ip":ip},
            "log":{"file":{"path":"var/log/auth.log"},"offset":line*100},"jikoku":{"line":line,"time":{"skew_seconds":0.0}}})
    }

    #[test]
    fn mail_handoff_min_delay_and_chain() {
        // mail is 93 s fast relative to mx; gw is 420 s slow relative to mx.
        let mut ev = vec![];
        for i in 0..10u64 {
            let t = i as f64 * 100.0;
            let delay = (i % 3) as f64; // 0, 1, 2 s transit
            // mail → mx: mx logs client at t, mail logs sent at t + delay (its clock +93).
            ev.push(client("mx", &format!("MX{i}"), "192.0.2.10", t, i * 2));
            ev.push(sent("mail", &format!("MA{i}"), &format!("MX{i}"), t + delay + 93.0, i * 2));
            // gw → mail: mail logs client at t+50 (+93), gw logs sent at t+50+delay (−420).
            ev.push(client("mail", &format!("MB{i}"), "192.0.2.40", t + 50.0 + 93.0, i * 2 + 1));
            ev.push(sent("gw", &format!("GW{i}"), &format!("MB{i}"), t + 50.0 + delay - 420.0, i));
        }
        // A reuse of a queue id an hour and a half later: the nearer line is taken.
        ev.push(client("mx", "MX3", "192.0.2.99", 5400.0 + 700.0, 99));
        // A sent line whose only receiving line is two hours away: implausible, ignored.
        ev.push(client("mx", "MXOLD", "192.0.2.10", -7200.0, 98));
        ev.push(sent("mail", "MAOLD", "MXOLD", 93.0 + 500.0, 97));
        let est = estimate(&ev, &Options { reference: Some("mx".into()), ..Default::default() });
        let off = |h: &str| est.hosts.iter().find(|x| x.host == h).unwrap().offset_s;
        assert_eq!(off("mx"), 0.0);
        assert!((off("mail") - 93.0).abs() < 0.01, "{}", off("mail"));
        assert!((off("gw") + 420.0).abs() < 0.01, "{}", off("gw"));
        let gw = est.hosts.iter().find(|x| x.host == "gw").unwrap();
        assert_eq!(gw.via, vec!["mail".to_string()]);
        let l = est.links.iter().find(|l| l.a == "mail" && l.b == "mx").unwrap();
        assert_eq!(l.n, 10);
        assert!((l.typical_delay_s - 1.0).abs() < 0.01);
        assert_eq!(l.min_s, -95.0);
        assert!(est.addresses.iter().any(|(h, ip, _)| h == "mail" && ip == "192.0.2.10"));
        assert!(!est.addresses.iter().any(|(_, ip, _)| ip == "192.0.2.99"));
        assert_eq!(est.implausible, 1);
    }

    #[test]
    fn ssh_hops_cluster_and_both_directions() {
        let mut ev = vec![];
        // mail (+93) sends mail to mx: learns mail's address 192.0.2.10.
        ev.push(client("mx", "Q1", "192.0.2.10", 0.0, 1));
        ev.push(sent("mail", "P1", "Q1", 93.0 + 1.0, 1));
        // kenji runs ssh on mail 5 times; mx logs the login 0–1 s later. Plus noise ssh runs
        // to elsewhere.
        for i in 0..5u64 {
            let t = 1000.0 + i as f64 * 300.0;
            ev.push(acct_ssh("mail", t + 93.0, i));
            ev.push(login("mx", "192.0.2.10", t + (i % 2) as f64, 10 + i));
            // Another ssh from mail 137 s after each (to somewhere else), and one at a random time.
            ev.push(acct_ssh("mail", t + 93.0 + 137.0, 50 + i));
            ev.push(acct_ssh(
                "mail",
                t + 93.0 + [11.0, 170.0, 41.0, 260.0, 77.0][i as usize],
                70 + i,
            ));
        }
        let est = estimate(&ev, &Options::default());
        let l = &est.links[0];
        assert_eq!(l.kinds.get("ssh"), Some(&5));
        assert_eq!(l.kinds.get("mail"), Some(&1));
        // mx relative to mail: −93.
        let mx_rel = if l.a == "mail" { l.offset_s } else { -l.offset_s };
        assert!((mx_rel + 93.0).abs() <= 0.5, "{mx_rel}");
    }

    #[test]
    fn reskew_matches_ingest_and_does_not_double_apply() {
        let mut e = json!({"@timestamp":"2002-05-08T17:31:17Z","host":{"name":"mail"},
            "process":{"name":"ssh","start":"2002-05-08T17:31:17Z","end":"2002-05-08T17:31:20Z"},
            "jikoku":{"time":{"local":"2002-05-09T02:31:17+09:00","skew_seconds":0.0}}});
        let t = reskew(&mut e, 93.0).unwrap();
        assert_eq!(s(&e, "@timestamp"), Some("2002-05-08T17:29:44Z"));
        assert_eq!(t, ts(&json!({"@timestamp":"2002-05-08T17:29:44Z"})).unwrap());
        assert_eq!(get(&e, "jikoku.time.skew_seconds"), Some(&json!(93.0)));
        assert_eq!(s(&e, "process.start"), Some("2002-05-08T17:29:44Z"));
        assert_eq!(s(&e, "process.end"), Some("2002-05-08T17:29:47Z"));
        // Applying the same total again changes nothing.
        reskew(&mut e, 93.0).unwrap();
        assert_eq!(s(&e, "@timestamp"), Some("2002-05-08T17:29:44Z"));
        assert_eq!(s(&e, "process.end"), Some("2002-05-08T17:29:47Z"));
        // Sub-second digits kept.
        let mut f = json!({"@timestamp":"2002-05-08T17:29:40.120000Z",
            "jikoku":{"time":{"local":"2002-05-08T13:29:40.120000-04:00","skew_seconds":0.0}}});
        reskew(&mut f, -420.0).unwrap();
        assert_eq!(s(&f, "@timestamp"), Some("2002-05-08T17:36:40.120000Z"));
        // No time: unchanged.
        let mut g = json!({"event":{"kind":"pipeline_error"}});
        assert!(reskew(&mut g, 5.0).is_none());
    }

    #[test]
    fn a_lone_ssh_candidate_without_other_evidence_is_not_used() {
        let ev = vec![acct_ssh("mail", 1093.0, 1), login("mx", "192.0.2.10", 1000.0, 1)];
        let opts =
            Options { addresses: vec![("mail".into(), "192.0.2.10".into())], ..Default::default() };
        let (p, _) = pairs(&ev, &opts);
        assert!(p.is_empty());
        // Two hops agreeing are.
        let mut ev2 = ev.clone();
        ev2.push(acct_ssh("mail", 2093.0, 2));
        ev2.push(login("mx", "192.0.2.10", 2000.5, 2));
        let est = estimate(&ev2, &opts);
        let l = &est.links[0];
        assert_eq!(l.n, 2);
        assert_eq!(est.addresses[0].2, "option");
    }

    #[test]
    fn mismatched_message_id_is_not_a_pair() {
        let mut ev = vec![
            client("mx", "Q1", "192.0.2.10", 0.0, 1),
            sent("mail", "P1", "Q1", 94.0, 1),
            json!({"host":{"name":"mail"},"@timestamp":at(T0,90.0),"event":{"action":"mail-message-id"},"email":{"message_id":"a@x"},"jikoku":{"mail":{"queue_id":"P1"}}}),
        ];
        ev.push(json!({"host":{"name":"mx"},"@timestamp":at(T0,0.5),"event":{"action":"mail-message-id"},"email":{"message_id":"b@y"},"jikoku":{"mail":{"queue_id":"Q1"}}}));
        let (p, _) = pairs(&ev, &Options::default());
        assert!(p.is_empty());
    }
}
