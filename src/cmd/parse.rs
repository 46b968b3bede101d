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
    let mut emit = |e: &jikoku_core::Event| {
        if write_err.is_some() {
            return;
        }
        let r = serde_json::to_writer(&mut out, e)
            .map_err(std::io::Error::from)
            .and_then(|_| out.write_all(b"\n"));
        if let Err(err) = r {
            write_err = Some(err);
        }
    };

    let (stdin_wanted, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        a.paths.iter().partition(|p| p.as_os_str() == "-");
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    if !stdin_wanted.is_empty() {
        let opened = jikoku_ingest::open_reader(Box::new(std::io::stdin())).context("stdin")?;
        match jikoku_ingest::process("-", opened, &opts, &mut emit) {
            Ok(r) => reports.push(r),
            Err(e) => problems.push(e.to_string()),
        }
    }
    let (inputs, walk_problems): (Vec<Input>, Vec<String>) = jikoku_ingest::walk(&paths);
    problems.extend(walk_problems);
    for input in &inputs {
        match jikoku_ingest::process_file(input, &opts, &mut emit) {
            Ok(r) => reports.push(r),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if let Some(e) = write_err {
        return Err(e).context("writing events");
    }
    out.flush().context("writing events")?;
    print_summary(&reports, &problems);
    if inputs.is_empty() && stdin_wanted.is_empty() {
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
