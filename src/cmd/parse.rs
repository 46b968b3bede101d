//! `jikoku parse`: sources → JSON Lines on stdout, a per-source summary on stderr.

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use jikoku_ingest::{Input, SourceReport};

use super::{UserError, source_options};
use crate::args::ParseArgs;

pub fn run(a: ParseArgs) -> anyhow::Result<ExitCode> {
    let opts = source_options(&a.source)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut reports: Vec<SourceReport> = vec![];
    let mut problems: Vec<String> = vec![];
    let mut write_err: Option<std::io::Error> = None;
    let (want_events, want_flows) = match a.output.as_str() {
        "flows" => (false, true),
        "all" => (true, true),
        _ => (true, false),
    };
    // Mail events kept for the flows (only mail: the rest is streamed and forgotten).
    let mut mail: Vec<jikoku_core::Event> = vec![];
    let mut buf: Vec<u8> = Vec::with_capacity(4096);
    let mut emit = |e: &jikoku_core::Event| {
        if want_flows && e.event.dataset.starts_with("mail.") {
            mail.push(e.clone());
        }
        if write_err.is_some() || !want_events {
            return;
        }
        buf.clear();
        e.write_json(&mut buf);
        buf.push(b'\n');
        let r = out.write_all(&buf);
        if let Err(err) = r {
            write_err = Some(err);
        }
    };

    let (stdin_wanted, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        a.paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    if !stdin_wanted.is_empty() {
        let opened = jikoku_ingest::open_reader_with(Box::new(std::io::stdin()), opts.limits)
            .context("stdin")?;
        match jikoku_ingest::process("-", opened, &opts, &mut emit) {
            Ok(r) => reports.push(r),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let (inputs, walk_problems): (Vec<Input>, Vec<String>) = jikoku_ingest::walk(&paths);
    problems.extend(walk_problems);
    let no_inputs = inputs.is_empty();
    // Rotation chains: newest member first, its year carried backwards to the older ones.
    // A compressed twin of a source already read (same decompressed content) is not repeated.
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for chain in jikoku_ingest::rotation::chains(inputs) {
        let mut member_opts = opts.clone();
        for input in &chain {
            let mut twin = None;
            let result = jikoku_ingest::process_streaming(
                input,
                &member_opts,
                &mut |r| {
                    twin = seen.get(&r.content_sha256).cloned();
                    twin.is_none()
                },
                &mut |e| emit(&e),
            );
            match result {
                Ok(mut r) => {
                    if let Some(first) = twin {
                        r.warnings
                            .push(format!("same content as {first}: its events are not repeated"));
                        (r.records, r.events, r.errors) = (0, 0, 0);
                    } else {
                        seen.insert(r.content_sha256.clone(), r.path.clone());
                        if let Some(a) = jikoku_ingest::anchor_after(&r) {
                            member_opts.year_anchor = Some(a);
                        }
                    }
                    reports.push(r);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
    }
    if want_flows && write_err.is_none() {
        // Rotation chains are read newest member first: put the records back in time order
        // (stable, so records of one instant keep their source order) before joining them.
        mail.sort_by_key(|e| e.timestamp.map(|t| t.utc));
        for f in jikoku_formats::mail::flow::build_flows(&mail) {
            let r = serde_json::to_writer(&mut out, &jikoku_formats::mail::flow::flow_record(&f))
                .map_err(std::io::Error::from)
                .and_then(|_| out.write_all(b"\n"));
            if let Err(err) = r {
                write_err = Some(err);
                break;
            }
        }
    }
    if let Some(e) = write_err {
        return Err(e).context("writing events");
    }
    out.flush().context("writing events")?;
    print_summary(&reports, &problems);
    if no_inputs && stdin_wanted.is_empty() {
        return Err(UserError("no readable source among the paths given".into()).into());
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn print_summary(reports: &[SourceReport], problems: &[String]) {
    let mut err = std::io::stderr().lock();
    let w = reports.iter().map(|r| r.path.chars().count()).max().unwrap_or(4).clamp(4, 60);
    let _ = writeln!(
        err,
        "{:<w$}  {:<14} {:>9} {:>9} {:>7}  {:<6} {:<22} year",
        "source", "format", "records", "events", "errors", "comp", "zone"
    );
    let (mut rec, mut ev, mut er) = (0, 0, 0);
    for r in reports {
        rec += r.records;
        ev += r.events;
        er += r.errors;
        let zone = format!("{} ({})", r.zone, r.zone_source);
        let _ = writeln!(
            err,
            "{:<w$}  {:<14} {:>9} {:>9} {:>7}  {:<6} {:<22} {}",
            jikoku_report_safe(&r.path),
            if r.format.is_empty() { "-" } else { &r.format },
            r.records,
            r.events,
            r.errors,
            r.compression,
            zone,
            r.year.as_deref().unwrap_or("-")
        );
        for wmsg in &r.warnings {
            let _ = writeln!(err, "  warning: {}: {}", jikoku_report_safe(&r.path), wmsg);
        }
    }
    let _ = writeln!(
        err,
        "{} sources: {rec} records = {ev} events + {er} pipeline errors",
        reports.len()
    );
    for p in problems {
        let _ = writeln!(err, "jikoku: {}", jikoku_report_safe(p));
    }
}

/// Path names may hold control characters: never let them reach the terminal raw.
fn jikoku_report_safe(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}
