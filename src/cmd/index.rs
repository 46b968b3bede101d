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
    let (mut added, mut skipped, mut total_events, mut total_errors) = (0u64, 0u64, 0u64, 0u64);
    for chain in jikoku_ingest::rotation::chains(inputs) {
        let mut anchor = None;
        for input in &chain {
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
                    let dup = ManifestEntry {
                        number: writer.next_source_number(),
                        path: input.display.clone(),
                        sha256: sha,
                        format: prev.format.clone(),
                        duplicate_of: Some(prev.path.clone()),
                        ..Default::default()
                    };
                    let _ = writeln!(
                        err,
                        "{}: same bytes as {}; recorded as a duplicate",
                        safe(&input.display),
                        safe(&prev.path)
                    );
                    writer.finish_source(dup)?;
                } else {
                    let _ =
                        writeln!(err, "{}: already indexed; nothing added", safe(&input.display));
                }
                continue;
            }
            let number = writer.next_source_number();
            let mut member_opts = opts.clone();
            member_opts.year_anchor = anchor;
            let mut record = 0u64;
            let mut add_err: Option<jikoku_index::Error> = None;
            let mut twin: Option<String> = None;
            let opened = match jikoku_ingest::open(&input.path) {
                Ok(o) => o,
                Err(e) => {
                    let _ = writeln!(err, "jikoku: {}: {e}", safe(&input.display));
                    continue;
                }
            };
            let result = {
                let w = std::cell::RefCell::new(&mut writer);
                jikoku_ingest::process_gated(
                    &input.display,
                    opened,
                    &member_opts,
                    &mut |r| {
                        twin = w.borrow().find_content(&r.content_sha256).map(|m| m.path.clone());
                        twin.is_none()
                    },
                    &mut |e| {
                        if add_err.is_none() {
                            if let Err(x) = w.borrow_mut().add(e, number, record) {
                                add_err = Some(x);
                            }
                        }
                        record += 1;
                    },
                )
            };
            if let Some(e) = add_err {
                return Err(e.into());
            }
            match result {
                Ok(r) => {
                    if let Some(first) = twin {
                        skipped += 1;
                        let _ = writeln!(
                            err,
                            "{}: same content as {} (compressed twin); recorded as a duplicate",
                            safe(&r.path),
                            safe(&first)
                        );
                        let mut e = entry(number, &r);
                        e.duplicate_of = Some(first);
                        (e.records, e.events, e.errors) = (0, 0, 0);
                        writer.finish_source(e)?;
                        continue;
                    }
                    let _ = writeln!(
                        err,
                        "{}: {} records = {} events + {} errors ({}{})",
                        safe(&r.path),
                        r.records,
                        r.events,
                        r.errors,
                        if r.format.is_empty() { "-" } else { &r.format },
                        r.year.as_deref().map(|y| format!(", year {y}")).unwrap_or_default()
                    );
                    for w in &r.warnings {
                        let _ = writeln!(err, "  warning: {}", safe(w));
                    }
                    // A twin is the same member again: only a new member moves the anchor.
                    if let Some(a) = jikoku_ingest::anchor_after(&r) {
                        anchor = Some(a);
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
