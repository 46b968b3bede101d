//! `jikoku ingest`, `jikoku search`, `jikoku sources`.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use jikoku_index::{CaseIndex, ManifestEntry};
use jikoku_ingest::SourceReport;
use jikoku_ingest::batch::Outcome;
use jikoku_report::Format;

use super::{UserError, source_options};
use crate::args::{IngestArgs, SearchArgs, SourcesArgs};

fn entry(number: u64, r: &SourceReport) -> ManifestEntry {
    ManifestEntry {
        number,
        path: r.path.clone(),
        size: r.size,
        mtime: r.mtime.map(|m| m.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)),
        sha256: r.sha256.clone(),
        content_sha256: r.content_sha256.clone(),
        format: r.format.clone(),
        compression: r.compression.to_string(),
        records: r.records,
        events: r.events,
        errors: r.errors,
        zone: r.zone.clone(),
        zone_source: r.zone_source.to_string(),
        year: r.year.clone(),
        warnings: r.warnings.clone(),
        duplicate_of: None,
    }
}

fn safe(s: &str) -> String {
    jikoku_report::escape::terminal(s)
}

pub fn ingest(a: IngestArgs) -> anyhow::Result<ExitCode> {
    let mut opts = source_options(&a.source)?;
    for p in &a.paths {
        let idx = std::fs::canonicalize(&a.index).unwrap_or_else(|_| a.index.clone());
        let idx = if idx.is_absolute() { idx } else { std::env::current_dir()?.join(idx) };
        let Ok(src) = std::fs::canonicalize(p) else { continue };
        if idx.starts_with(&src) {
            return Err(UserError(format!(
                "--index {} is inside the input {}: evidence is read-only, put the index elsewhere",
                a.index.display(),
                p.display()
            ))
            .into());
        }
    }
    let mut err = std::io::stderr().lock();
    let (inputs, problems) = if a.image {
        let [root] = a.paths.as_slice() else {
            return Err(
                UserError("--image takes one PATH: the root of the mounted image".into()).into()
            );
        };
        let facts = jikoku_ingest::image::discover(root);
        if let Some((h, from)) = &facts.host {
            let _ = writeln!(err, "image host: {} (from {})", safe(h), safe(from));
            if opts.host.is_none() {
                opts.host = Some(h.clone());
            }
        }
        match &facts.zone {
            Some((tz, from)) => {
                let _ = writeln!(err, "image zone: {} (from {})", tz.name(), safe(from));
                if opts.tz.is_none() {
                    opts.tz = Some(*tz);
                    opts.tz_source = Some(jikoku_ingest::ZoneSource::Image);
                }
            }
            None => {
                let _ = writeln!(
                    err,
                    "image zone: not found (records without one are read as UTC unless --tz)"
                );
            }
        }
        if opts.parse.id_names.is_none() {
            if let Some(pw) = &facts.passwd {
                let mut names = jikoku_formats::acct::IdNames::from_passwd(pw);
                if let Some(g) = &facts.group {
                    names = names.with_group(g);
                }
                opts.parse.id_names = Some(std::sync::Arc::new(names));
            }
        }
        (facts.inputs, facts.problems)
    } else {
        jikoku_ingest::walk(&a.paths)
    };
    let index =
        CaseIndex::open_or_create(&a.index).with_context(|| format!("{}", a.index.display()))?;
    let mut writer = index.writer(a.memory_mb.saturating_mul(1 << 20))?;
    writer.set_commit_every(a.commit_events);
    let known: std::collections::HashMap<String, String> = index
        .manifest()?
        .into_iter()
        .filter(|m| m.duplicate_of.is_none())
        .map(|m| (m.sha256, m.path))
        .collect();
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let total_bytes: u64 =
        inputs.iter().filter_map(|i| std::fs::metadata(&i.path).ok()).map(|m| m.len()).sum();
    let progress = if std::io::stderr().is_terminal() {
        let pb = indicatif::ProgressBar::new(total_bytes);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        pb
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let (mut added, mut skipped, mut total_events, mut total_errors, mut files) =
        (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut failure: Option<anyhow::Error> = None;
    let mut lines: Vec<String> = vec![];
    let chains = jikoku_ingest::rotation::chains(inputs);
    jikoku_ingest::batch::parse_chains(chains, &opts, jobs, &known, &mut |input, outcome| {
        if failure.is_some() {
            return;
        }
        files += 1;
        progress.inc(std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0));
        let step = || -> anyhow::Result<()> {
            match outcome {
                Outcome::Known(sha, first) => {
                    skipped += 1;
                    if first == input.display {
                        lines.push(format!(
                            "{}: already indexed; nothing added",
                            safe(&input.display)
                        ));
                    } else if writer.find_sha(&sha).is_some_and(|m| m.path == first) {
                        lines.push(format!(
                            "{}: same bytes as {}; recorded as a duplicate",
                            safe(&input.display),
                            safe(&first)
                        ));
                        let dup = ManifestEntry {
                            number: writer.next_source_number(),
                            path: input.display.clone(),
                            sha256: sha,
                            duplicate_of: Some(first),
                            ..Default::default()
                        };
                        if !writer.has_path(&dup.path) {
                            writer.finish_source(dup)?;
                        }
                    }
                }
                Outcome::Failed(e) => lines.push(format!("jikoku: {}", safe(&e.to_string()))),
                Outcome::Twin(r, first) => {
                    skipped += 1;
                    lines.push(format!(
                        "{}: same content as {} (compressed twin); recorded as a duplicate",
                        safe(&r.path),
                        safe(&first)
                    ));
                    let mut e = entry(writer.next_source_number(), &r);
                    e.duplicate_of = Some(first);
                    (e.records, e.events, e.errors) = (0, 0, 0);
                    writer.finish_source(e)?;
                }
                Outcome::Parsed(r, events) => {
                    // The same bytes or content under another path, earlier in this run or before.
                    let twin = writer
                        .find_sha(&r.sha256)
                        .or_else(|| writer.find_content(&r.content_sha256))
                        .map(|m| m.path.clone());
                    let number = writer.next_source_number();
                    if let Some(first) = twin {
                        skipped += 1;
                        lines.push(format!(
                            "{}: same content as {}; recorded as a duplicate",
                            safe(&r.path),
                            safe(&first)
                        ));
                        let mut e = entry(number, &r);
                        e.duplicate_of = Some(first);
                        (e.records, e.events, e.errors) = (0, 0, 0);
                        writer.finish_source(e)?;
                        return Ok(());
                    }
                    for (i, ev) in events.iter().enumerate() {
                        writer.add(ev, number, i as u64)?;
                    }
                    lines.push(format!(
                        "{}: {} records = {} events + {} errors ({}{})",
                        safe(&r.path),
                        r.records,
                        r.events,
                        r.errors,
                        if r.format.is_empty() { "-" } else { &r.format },
                        r.year.as_deref().map(|y| format!(", year {y}")).unwrap_or_default()
                    ));
                    for w in &r.warnings {
                        lines.push(format!("  warning: {}", safe(w)));
                    }
                    total_events += r.events;
                    total_errors += r.errors;
                    added += 1;
                    writer.finish_source(entry(number, &r))?;
                }
            }
            Ok(())
        };
        if let Err(e) = step() {
            failure = Some(e);
        }
        let secs = started.elapsed().as_secs_f64().max(0.001);
        progress.set_message(format!(
            "{files} files, {total_events} events, {:.0} events/s",
            total_events as f64 / secs
        ));
    });
    progress.finish_and_clear();
    if let Some(e) = failure {
        return Err(e);
    }
    for l in &lines {
        let _ = writeln!(err, "{l}");
    }
    writer.finish()?;
    for p in &problems {
        let _ = writeln!(err, "jikoku: {}", safe(p));
    }
    let _ = writeln!(
        err,
        "{added} sources added ({total_events} events, {total_errors} pipeline errors), {skipped} already indexed or duplicates; index: {}",
        a.index.display()
    );
    Ok(if problems.is_empty() || a.image { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn time_arg(
    s: &Option<String>,
    tz: Option<chrono_tz::Tz>,
    what: &str,
) -> anyhow::Result<Option<i64>> {
    match s {
        None => Ok(None),
        Some(t) => {
            let h = jikoku_time::human::parse_human(t, tz)
                .map_err(|e| UserError(format!("{what}: {e}")))?;
            Ok(h.utc.timestamp_nanos_opt())
        }
    }
}

pub fn search(a: SearchArgs) -> anyhow::Result<ExitCode> {
    let tz = match &a.at_tz {
        Some(z) => {
            Some(jikoku_time::parse_zone(z).map_err(|e| UserError(format!("--at-tz: {e}")))?)
        }
        None => None,
    };
    let from = time_arg(&a.from, tz, "--from")?;
    let to = time_arg(&a.to, tz, "--to")?;
    let format: Format = match &a.output {
        Some(f) => f.parse().map_err(UserError)?,
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Jsonl,
    };
    let index = CaseIndex::open(&a.index).map_err(|e| UserError(e.to_string()))?;
    let query = a.query.join(" ");
    let events = index.search(&query, from, to, a.limit).map_err(|e| match e {
        jikoku_index::Error::Query(m) => anyhow::Error::from(UserError(format!("query: {m}"))),
        other => other.into(),
    })?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    jikoku_report::write_events(&mut out, &events, format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn sources(a: SourcesArgs) -> anyhow::Result<ExitCode> {
    let index = CaseIndex::open(&a.index).map_err(|e| UserError(e.to_string()))?;
    let manifest = index.manifest()?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    if a.output == "jsonl" {
        for m in &manifest {
            serde_json::to_writer(&mut out, m)?;
            out.write_all(b"\n")?;
        }
    } else {
        writeln!(
            out,
            "{:>4}  {:<40} {:>10} {:<20} {:<14} {:>8} {:>8} {:>6}  {:<26} {:<16} sha256",
            "#", "path", "size", "mtime", "format", "records", "events", "errors", "zone", "year"
        )?;
        for m in &manifest {
            let zone = format!("{} ({})", m.zone, m.zone_source);
            let path = match &m.duplicate_of {
                Some(d) => format!("{} (= {})", m.path, d),
                None => m.path.clone(),
            };
            writeln!(
                out,
                "{:>4}  {:<40} {:>10} {:<20} {:<14} {:>8} {:>8} {:>6}  {:<26} {:<16} {}",
                m.number,
                safe(&path),
                m.size,
                m.mtime.as_deref().map(|t| t.get(..19).unwrap_or(t)).unwrap_or("-"),
                m.format,
                m.records,
                m.events,
                m.errors,
                zone,
                m.year.as_deref().unwrap_or("-"),
                m.sha256
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
