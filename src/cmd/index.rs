//! `jikoku ingest`, `jikoku search`, `jikoku sources`.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use jikoku_index::{CaseIndex, ManifestEntry};
use jikoku_ingest::SourceReport;
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
    if a.image {
        return Err(UserError(
            "--image: disk image discovery is not implemented yet; pass the log directories".into(),
        )
        .into());
    }
    let opts = source_options(&a.source)?;
    for p in &a.paths {
        let (Ok(idx), Ok(src)) = (
            std::fs::canonicalize(&a.index).or_else(|_| Ok::<_, std::io::Error>(a.index.clone())),
            std::fs::canonicalize(p),
        ) else {
            continue;
        };
        if idx.starts_with(&src) {
            return Err(UserError(format!(
                "--index {} is inside the input {}: evidence is read-only, put the index elsewhere",
                a.index.display(),
                p.display()
            ))
            .into());
        }
    }
    let index =
        CaseIndex::open_or_create(&a.index).with_context(|| format!("{}", a.index.display()))?;
    let mut writer = index.writer(a.memory_mb.saturating_mul(1 << 20))?;
    writer.set_commit_every(a.commit_events);
    let (inputs, problems) = jikoku_ingest::walk(&a.paths);
    let mut err = std::io::stderr().lock();
    let (mut added, mut skipped, mut total_events, mut total_errors) = (0u64, 0u64, 0u64, 0u64);
    for input in &inputs {
        let sha = match jikoku_ingest::sha256_file(&input.path) {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(err, "jikoku: {}: {e}", safe(&input.display));
                continue;
            }
        };
        if let Some(prev) = writer.find_sha(&sha) {
            skipped += 1;
            if prev.path != input.display {
                let mut dup = ManifestEntry {
                    number: writer.next_source_number(),
                    path: input.display.clone(),
                    sha256: sha,
                    duplicate_of: Some(prev.path.clone()),
                    ..Default::default()
                };
                dup.format.clone_from(&prev.format);
                let _ = writeln!(
                    err,
                    "{}: same content as {}; recorded as a duplicate",
                    safe(&input.display),
                    safe(&prev.path)
                );
                writer.finish_source(dup)?;
            } else {
                let _ = writeln!(err, "{}: already indexed; nothing added", safe(&input.display));
            }
            continue;
        }
        let number = writer.next_source_number();
        let mut record = 0u64;
        let mut add_err: Option<jikoku_index::Error> = None;
        let report = jikoku_ingest::process_file(input, &opts, &mut |e| {
            if add_err.is_none() {
                if let Err(x) = writer.add(e, number, record) {
                    add_err = Some(x);
                }
            }
            record += 1;
        });
        if let Some(e) = add_err {
            return Err(e.into());
        }
        match report {
            Ok(r) => {
                let _ = writeln!(
                    err,
                    "{}: {} records = {} events + {} errors ({})",
                    safe(&r.path),
                    r.records,
                    r.events,
                    r.errors,
                    if r.format.is_empty() { "-" } else { &r.format }
                );
                for w in &r.warnings {
                    let _ = writeln!(err, "  warning: {}", safe(w));
                }
                total_events += r.events;
                total_errors += r.errors;
                added += 1;
                writer.finish_source(entry(number, &r))?;
            }
            Err(e) => {
                let _ = writeln!(err, "jikoku: {}", safe(&e.to_string()));
            }
        }
    }
    writer.finish()?;
    for p in &problems {
        let _ = writeln!(err, "jikoku: {}", safe(p));
    }
    let _ = writeln!(
        err,
        "{added} sources added ({total_events} events, {total_errors} pipeline errors), {skipped} already indexed; index: {}",
        a.index.display()
    );
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
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
