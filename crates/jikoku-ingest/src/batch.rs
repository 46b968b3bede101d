//! Parsing many sources on several threads, in bounded memory, delivering them in a fixed order.
//!
//! Rotation chains are the unit of work (a chain's members depend on each other for their year);
//! up to `jobs` chains are parsed at once. Each source is read in two passes
//! ([`crate::process_streaming`]); its events flow to the consumer through a bounded channel, and
//! the consumer takes the chains in input order, so the result does not depend on the number of
//! threads and memory does not grow with the size of a source.

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};

use jikoku_core::Event;

use crate::{Error, Input, Options, SourceReport, anchor_after, process_streaming, sha256_file};

/// Receives the sources, in chain order, from [`parse_chains`]. `T`: what each event becomes
/// on the parsing thread (the event itself, or an index document built from it).
pub trait Consumer<T = Event> {
    /// The source's SHA-256 is already indexed (under `first`): not parsed.
    fn known(&mut self, input: &Input, sha256: &str, first: &str);
    /// The source could not be read.
    fn failed(&mut self, input: &Input, error: Error);
    /// After the first pass (hashes known, events not yet sent): false skips its events
    /// (a duplicate of content seen before).
    fn begin(&mut self, input: &Input, first_pass: &SourceReport) -> bool;
    /// One event of the source announced by `begin`, as prepared on its parsing thread.
    fn event(&mut self, event: T);
    /// The source is finished. `twin`: it had the same content as this earlier member of its
    /// chain, and no events were sent. `accepted`: what `begin` answered.
    fn end(&mut self, input: &Input, report: SourceReport, twin: Option<String>, accepted: bool);
}

enum Msg<T> {
    Known(usize, String, String),
    Failed(usize, Error),
    Begin(usize, Box<SourceReport>),
    Events(Vec<T>),
    End(usize, Box<SourceReport>, Option<String>, bool),
}

/// Events per message: one channel send and one wake-up per batch, not per event.
const BATCH_EVENTS: usize = 256;
/// Batches in flight per chain (with [`BATCH_EVENTS`], 4,096 events).
const CHANNEL_BATCHES: usize = 16;

/// Parses `chains` with up to `jobs` threads; `consumer` gets every source in chain order.
/// `known`: SHA-256 → path of sources already indexed. `prepare` turns each event into what
/// the consumer takes, on the parsing thread (so that work runs in parallel too).
pub fn parse_chains<T: Send>(
    chains: Vec<Vec<Input>>,
    opts: &Options,
    jobs: usize,
    known: &HashMap<String, String>,
    prepare: &(dyn Fn(Event) -> T + Sync),
    consumer: &mut dyn Consumer<T>,
) {
    let jobs = jobs.max(1);
    for batch in chains.chunks(jobs) {
        std::thread::scope(|s| {
            let mut receivers: Vec<(Receiver<Msg<T>>, std::sync::mpsc::Sender<bool>)> = vec![];
            for chain in batch {
                let (tx, rx) = sync_channel::<Msg<T>>(CHANNEL_BATCHES);
                let (vtx, vrx) = channel::<bool>();
                receivers.push((rx, vtx));
                s.spawn(move || parse_chain(chain, opts, known, prepare, &tx, &vrx));
            }
            for ((rx, verdict), chain) in receivers.into_iter().zip(batch) {
                for msg in rx {
                    match msg {
                        Msg::Known(i, sha, first) => {
                            if let Some(input) = chain.get(i) {
                                consumer.known(input, &sha, &first);
                            }
                        }
                        Msg::Failed(i, e) => {
                            if let Some(input) = chain.get(i) {
                                consumer.failed(input, e);
                            }
                        }
                        Msg::Begin(i, report) => {
                            let ok =
                                chain.get(i).is_some_and(|input| consumer.begin(input, &report));
                            let _ = verdict.send(ok);
                        }
                        Msg::Events(events) => {
                            for e in events {
                                consumer.event(e);
                            }
                        }
                        Msg::End(i, report, twin, accepted) => {
                            if let Some(input) = chain.get(i) {
                                consumer.end(input, *report, twin, accepted);
                            }
                        }
                    }
                }
            }
        });
    }
}

fn parse_chain<T>(
    chain: &[Input],
    opts: &Options,
    known: &HashMap<String, String>,
    prepare: &(dyn Fn(Event) -> T + Sync),
    tx: &SyncSender<Msg<T>>,
    verdict: &Receiver<bool>,
) {
    let mut member_opts = opts.clone();
    let mut seen: Vec<(String, String)> = vec![];
    // Fingerprints (host, time, original line) of the events of the newer members of the chain:
    // an older member that repeats them (overlapping copies, copytruncate races) is not indexed twice.
    let mut newer: HashSet<u64> = HashSet::new();
    for (i, input) in chain.iter().enumerate() {
        let sha = match sha256_file(&input.path) {
            Ok(s) => s,
            Err(e) => {
                let _ =
                    tx.send(Msg::Failed(i, Error::Io { path: input.display.clone(), source: e }));
                continue;
            }
        };
        if let Some(first) = known.get(&sha) {
            let _ = tx.send(Msg::Known(i, sha, first.clone()));
            continue;
        }
        let mut twin: Option<String> = None;
        let mut accepted = false;
        let mut mine: HashSet<u64> = HashSet::new();
        let mut overlap = 0u64;
        let mut pending: Vec<T> = Vec::with_capacity(BATCH_EVENTS);
        let result = process_streaming(
            input,
            &member_opts,
            &mut |r| {
                twin = seen.iter().find(|(c, _)| *c == r.content_sha256).map(|(_, p)| p.clone());
                if twin.is_some() {
                    return false;
                }
                if tx.send(Msg::Begin(i, Box::new(r.clone()))).is_err() {
                    return false;
                }
                accepted = verdict.recv().unwrap_or(false);
                accepted
            },
            &mut |e| {
                if !e.is_error() && e.timestamp.is_some() {
                    let fp = fingerprint(&e);
                    if newer.contains(&fp) {
                        overlap += 1;
                        return;
                    }
                    mine.insert(fp);
                }
                pending.push(prepare(e));
                if pending.len() >= BATCH_EVENTS {
                    let full = std::mem::replace(&mut pending, Vec::with_capacity(BATCH_EVENTS));
                    let _ = tx.send(Msg::Events(full));
                }
            },
        );
        if !pending.is_empty() {
            let _ = tx.send(Msg::Events(pending));
        }
        newer.extend(mine);
        match result {
            Ok(mut report) => {
                if overlap > 0 {
                    report.events = report.events.saturating_sub(overlap);
                    report.overlap = overlap;
                    report.warnings.push(format!(
                        "{overlap} records are also in a newer member of this rotation chain (same host, time and line): indexed once"
                    ));
                }
                if twin.is_none() {
                    seen.push((report.content_sha256.clone(), report.path.clone()));
                    if let Some(a) = anchor_after(&report) {
                        member_opts.year_anchor = Some(a);
                    }
                }
                let _ = tx.send(Msg::End(i, Box::new(report), twin, accepted));
            }
            Err(e) => {
                let _ = tx.send(Msg::Failed(i, e));
            }
        }
    }
}

fn fingerprint(e: &Event) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    e.host.name.hash(&mut h);
    e.timestamp.map(|t| t.utc.timestamp_nanos_opt()).hash(&mut h);
    e.event.original.hash(&mut h);
    h.finish()
}
