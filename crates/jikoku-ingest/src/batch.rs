//! Parsing many sources on several threads, delivering them in a fixed order.
//!
//! Rotation chains are the unit of work (a chain's members depend on each other for their year);
//! up to `jobs` chains are parsed at once and delivered in input order, so the result is the
//! same whatever the number of threads. Memory is bounded by the events of `jobs` chains.

use std::collections::HashMap;

use jikoku_core::Event;

use crate::{Error, Input, Options, SourceReport, anchor_after, open, process_owned, sha256_file};

/// What became of one source.
#[derive(Debug)]
pub enum Outcome {
    /// Parsed: its report and events (in source order).
    Parsed(SourceReport, Vec<Event>),
    /// The same decompressed content as an earlier member of its chain; no events.
    Twin(SourceReport, String),
    /// Its SHA-256 is in `known` (already indexed): not parsed. (sha256, path indexed under)
    Known(String, String),
    /// Could not be read.
    Failed(Error),
}

/// Parses `chains` with up to `jobs` threads; `deliver` gets every source in chain order.
pub fn parse_chains(
    chains: Vec<Vec<Input>>,
    opts: &Options,
    jobs: usize,
    known: &HashMap<String, String>,
    deliver: &mut dyn FnMut(&Input, Outcome),
) {
    let jobs = jobs.max(1);
    for batch in chains.chunks(jobs) {
        let results: Vec<Vec<Outcome>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .iter()
                .map(|chain| s.spawn(move || parse_chain(chain, opts, known)))
                .collect();
            handles
                .into_iter()
                .zip(batch)
                .map(|(h, chain)| {
                    h.join().unwrap_or_else(|_| {
                        chain
                            .iter()
                            .map(|i| {
                                Outcome::Failed(Error::Io {
                                    path: i.display.clone(),
                                    source: std::io::Error::other(
                                        "internal error while parsing (thread panicked)",
                                    ),
                                })
                            })
                            .collect()
                    })
                })
                .collect()
        });
        for (chain, outcomes) in batch.iter().zip(results) {
            for (input, o) in chain.iter().zip(outcomes) {
                deliver(input, o);
            }
        }
    }
}

fn parse_chain(chain: &[Input], opts: &Options, known: &HashMap<String, String>) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(chain.len());
    let mut member_opts = opts.clone();
    let mut seen: Vec<(String, String)> = vec![];
    for input in chain {
        let sha = match sha256_file(&input.path) {
            Ok(s) => s,
            Err(e) => {
                out.push(Outcome::Failed(Error::Io { path: input.display.clone(), source: e }));
                continue;
            }
        };
        if let Some(first) = known.get(&sha) {
            out.push(Outcome::Known(sha, first.clone()));
            continue;
        }
        let opened = match open(&input.path) {
            Ok(o) => o,
            Err(e) => {
                out.push(Outcome::Failed(Error::Io { path: input.display.clone(), source: e }));
                continue;
            }
        };
        let mut twin = None;
        let r = process_owned(&input.display, opened, &member_opts, &mut |r| {
            twin = seen.iter().find(|(c, _)| *c == r.content_sha256).map(|(_, p)| p.clone());
            twin.is_none()
        });
        match r {
            Ok((report, events)) => match twin {
                Some(first) => out.push(Outcome::Twin(report, first)),
                None => {
                    seen.push((report.content_sha256.clone(), report.path.clone()));
                    if let Some(a) = anchor_after(&report) {
                        member_opts.year_anchor = Some(a);
                    }
                    out.push(Outcome::Parsed(report, events));
                }
            },
            Err(e) => out.push(Outcome::Failed(e)),
        }
    }
    out
}
