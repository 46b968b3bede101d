//! `jikoku ingest`, `jikoku search`, `jikoku sources`.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use jikoku_core::Event;
use jikoku_index::{CaseIndex, ManifestEntry};
use jikoku_ingest::SourceReport;
use jikoku_ingest::batch::Consumer;
use jikoku_report::Format;

use super::{UserError, source_options};
use crate::args::{IngestArgs, SearchArgs, SourcesArgs, TimelineArgs};

pub(super) fn entry(number: u64, r: &SourceReport) -> ManifestEntry {
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
        overlap: r.overlap,
        zone: r.zone.clone(),
        zone_source: r.zone_source.to_string(),
        year: r.year.clone(),
        warnings: r.warnings.clone(),
        notes: r.notes.clone(),
        duplicate_of: None,
    }
}

pub(super) fn safe(s: &str) -> String {
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
    let (inputs, problems, identity) = discover(a.image, &a.paths, &mut opts, &mut err)?;
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
    let mut ingest = Ingest {
        writer,
        progress,
        started: std::time::Instant::now(),
        lines: vec![],
        failure: None,
        current: None,
        record: 0,
        added: 0,
        skipped: 0,
        total_events: 0,
        total_errors: 0,
        files: 0,
    };
    let chains = jikoku_ingest::rotation::chains(inputs);
    // Index documents are built on the parsing threads; the writer only numbers and queues them.
    let builder = ingest.writer.doc_builder();
    let prepare = move |e: Event| builder.build(&e);
    jikoku_ingest::batch::parse_chains(chains, &opts, jobs, &known, &prepare, &mut ingest);
    ingest.progress.finish_and_clear();
    if let Some(e) = ingest.failure.take() {
        drop(ingest);
        return Err(index_failure(&a.index, &e));
    }
    for l in &ingest.lines {
        let _ = writeln!(err, "{l}");
    }
    let Ingest { mut writer, added, skipped, total_events, total_errors, .. } = ingest;
    writer.note_skipped(problems.iter().cloned());
    if let Some(id) = identity {
        writer.note_identity(id);
    }
    if let Err(e) = writer.finish() {
        return Err(index_failure(&a.index, &e.into()));
    }
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

/// The inputs of `ingest`/`ship`: PATHs walked, or (`--image`) the logs found in the image root,
/// whose host, zone, passwd/group and web server configuration set `opts`; with the host's own
/// addresses and names for the manifest.
pub(super) fn discover(
    image: bool,
    paths: &[std::path::PathBuf],
    opts: &mut jikoku_ingest::Options,
    err: &mut dyn Write,
) -> anyhow::Result<(Vec<jikoku_ingest::Input>, Vec<String>, Option<jikoku_index::HostIdentity>)> {
    Ok(if image {
        let [root] = paths else {
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
        let learned = jikoku_ingest::webconf::learn(root, &facts.inputs);
        for n in &learned.notes {
            let _ = writeln!(err, "{}", safe(n));
        }
        if !learned.hints.is_empty() {
            opts.hints = std::sync::Arc::new(learned.hints);
        }
        let identity = identity(opts.host.as_deref(), &facts.identity, err);
        (facts.inputs, facts.problems, identity)
    } else {
        let (i, p) = jikoku_ingest::walk(paths);
        (i, p, None)
    })
}

/// The image host's addresses and names, said on stderr, for the manifest.
fn identity(
    host: Option<&str>,
    id: &jikoku_ingest::image::Identity,
    err: &mut dyn Write,
) -> Option<jikoku_index::HostIdentity> {
    let host = host?;
    let known = |v: &[(String, String)]| -> Vec<jikoku_index::Known> {
        v.iter()
            .map(|(value, from)| jikoku_index::Known { value: value.clone(), from: from.clone() })
            .collect()
    };
    let shown = |v: &[(String, String)]| {
        v.iter().map(|(a, f)| format!("{} ({})", safe(a), safe(f))).collect::<Vec<_>>().join(", ")
    };
    if !id.addresses.is_empty() {
        let _ = writeln!(err, "image addresses: {}", shown(&id.addresses));
    }
    if !id.names.is_empty() {
        let _ = writeln!(err, "image names: {}", shown(&id.names));
    }
    Some(jikoku_index::HostIdentity {
        host: host.to_string(),
        addresses: known(&id.addresses),
        names: known(&id.names),
        domains: known(&id.domains),
    })
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

pub fn timeline(a: TimelineArgs) -> anyhow::Result<ExitCode> {
    if let Some(keys) = &a.partition {
        return partitioned(&a, keys);
    }
    match &a.out {
        None => search(a.search),
        Some(path) => {
            let format = format_of(&a.search, false)?;
            let events = find(&a.search)?;
            let f = std::fs::File::create_new(path).map_err(|e| {
                UserError(format!(
                    "-o {}: {e} (an existing file is never overwritten)",
                    path.display()
                ))
            })?;
            let mut out = BufWriter::new(f);
            jikoku_report::write_events(&mut out, &events, format)?;
            out.flush()?;
            eprintln!("{} events written to {}", events.len(), path.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `timeline --output parquet --partition host,day -o DIR`.
fn partitioned(a: &TimelineArgs, keys: &str) -> anyhow::Result<ExitCode> {
    if format_of(&a.search, false)? != Format::Parquet {
        return Err(UserError("--partition needs --output parquet".into()).into());
    }
    let Some(dir) = &a.out else {
        return Err(
            UserError("--partition needs -o DIR (a directory that does not exist)".into()).into()
        );
    };
    if dir.exists() {
        return Err(UserError(format!(
            "-o {}: already exists (an existing directory is never written into)",
            dir.display()
        ))
        .into());
    }
    write_partitioned(dir, &find(&a.search)?, keys)
}

#[cfg(feature = "analytics-parquet")]
fn write_partitioned(
    dir: &std::path::Path,
    events: &[serde_json::Value],
    keys: &str,
) -> anyhow::Result<ExitCode> {
    use jikoku_report::parquet::{Partition, write_partitioned};
    let by = Partition::parse_list(keys).map_err(UserError)?;
    let files = write_partitioned(dir, events, &by)
        .with_context(|| format!("writing partitions under {}", dir.display()))?;
    eprintln!("{} events written to {} files under {}", events.len(), files.len(), dir.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "analytics-parquet"))]
fn write_partitioned(
    _dir: &std::path::Path,
    _events: &[serde_json::Value],
    _keys: &str,
) -> anyhow::Result<ExitCode> {
    Err(UserError(jikoku_report::NO_PARQUET.into()).into())
}

fn format_of(a: &SearchArgs, terminal: bool) -> anyhow::Result<Format> {
    Ok(match &a.output {
        Some(f) => f.parse().map_err(UserError)?,
        None if terminal => Format::Table,
        None => Format::Jsonl,
    })
}

fn find(a: &SearchArgs) -> anyhow::Result<Vec<serde_json::Value>> {
    let tz = match &a.at_tz {
        Some(z) => {
            Some(jikoku_time::parse_zone(z).map_err(|e| UserError(format!("--at-tz: {e}")))?)
        }
        None => None,
    };
    let from = time_arg(&a.from, tz, "--from")?;
    let to = time_arg(&a.to, tz, "--to")?;
    let index = super::events::EventSource::open(a.index.as_deref(), &a.engine, &a.table)?;
    let query = a.query.join(" ");
    index.search(&query, from, to, a.limit)
}

pub fn search(a: SearchArgs) -> anyhow::Result<ExitCode> {
    let format = format_of(&a, std::io::stdout().is_terminal())?;
    if matches!(format, Format::Parquet | Format::Html) && std::io::stdout().is_terminal() {
        return Err(UserError(
            "--output parquet/html: redirect stdout to a file, or use jikoku timeline -o FILE"
                .into(),
        )
        .into());
    }
    let events = find(&a)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    jikoku_report::write_events(&mut out, &events, format)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub fn sources(a: SourcesArgs) -> anyhow::Result<ExitCode> {
    let index = CaseIndex::open(&a.index).map_err(|e| UserError(e.to_string()))?;
    let manifest = index.manifest()?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let skews = index.skews()?;
    if a.output == "jsonl" {
        for m in &manifest {
            serde_json::to_writer(&mut out, m)?;
            out.write_all(b"\n")?;
        }
        for k in &skews {
            serde_json::to_writer(&mut out, &serde_json::json!({ "skew_applied": k }))?;
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
        for k in &skews {
            writeln!(
                out,
                "clock skew applied to {}: {:+} s → {:+} s ({} events){}; estimated from: {}",
                safe(&k.host),
                k.before_s,
                k.after_s,
                k.events,
                k.applied_at.as_deref().map(|t| format!(" at {t}")).unwrap_or_default(),
                safe(&k.estimated_from)
            )?;
        }
        for h in &index.identities()? {
            let list = |v: &[jikoku_index::Known]| {
                v.iter()
                    .map(|k| format!("{} ({})", safe(&k.value), safe(&k.from)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            writeln!(out, "host {}:", safe(&h.host))?;
            for (what, v) in
                [("addresses", &h.addresses), ("names", &h.names), ("mail domains", &h.domains)]
            {
                if !v.is_empty() {
                    writeln!(out, "      {what}: {}", list(v))?;
                }
            }
        }
        let skipped = index.skipped()?;
        if !skipped.is_empty() {
            writeln!(out, "\nfound and not indexed:")?;
            for p in &skipped {
                writeln!(out, "      {}", safe(p))?;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Writing the index failed (a full disk, a quota, an I/O error): one clear message with the
/// cause and what the index still holds. Commits are atomic: the index opens, with whole sources
/// only, and running the same command again adds what is missing.
fn index_failure(index: &std::path::Path, e: &anyhow::Error) -> anyhow::Error {
    let io = e.chain().find_map(|c| {
        c.downcast_ref::<std::io::Error>()
            .or_else(|| c.downcast_ref::<jikoku_index::Error>().and_then(|x| x.io_error()))
    });
    let cause = match io {
        // Stated the same way whichever layer (tantivy, a temporary file) wrapped the OS error.
        Some(io) if disk_full(io) => format!("the disk is full ({})", enospc()),
        Some(io) => io.to_string(),
        // A writer thread that died keeps its cause to itself ("An index writer was killed"):
        // ask the file system whether the index's disk is full.
        None if probe_full(index) => format!("the disk is full ({})", enospc()),
        None => e.chain().last().map(ToString::to_string).unwrap_or_else(|| e.to_string()),
    };
    let kept = CaseIndex::open(index)
        .and_then(|i| i.manifest())
        .map(|m| {
            let events: u64 = m.iter().map(|s| s.events).sum();
            format!(
                "it still opens and holds the {} sources ({events} events) committed before",
                m.len()
            )
        })
        .unwrap_or_else(|_| "nothing was committed".to_string());
    anyhow::anyhow!(
        "writing the index {} failed: {cause}; {kept}. Free space (or fix the cause) and run the same command again: indexed sources are skipped, the rest is added",
        index.display()
    )
}

/// Whether writing 64 KiB into the index directory fails with ENOSPC (the probe file is removed).
fn probe_full(index: &std::path::Path) -> bool {
    let probe = index.join(".jikoku-space-probe");
    let r = std::fs::File::create(&probe).and_then(|mut f| {
        std::io::Write::write_all(&mut f, &[0u8; 64 * 1024]).and_then(|_| f.sync_all())
    });
    let _ = std::fs::remove_file(&probe);
    r.is_err_and(|e| disk_full(&e))
}

/// The operating system's ENOSPC (28 on Linux, the BSDs and macOS), as it states it.
fn enospc() -> std::io::Error {
    std::io::Error::from_raw_os_error(28)
}

/// ENOSPC, also when wrapped in other errors (tantivy's writer threads wrap theirs in an
/// `Other` I/O error around their own error type, whose text ends with the OS error's).
fn disk_full(io: &std::io::Error) -> bool {
    if io.kind() == std::io::ErrorKind::StorageFull {
        return true;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> =
        io.get_ref().map(|i| i as &(dyn std::error::Error + 'static));
    while let Some(c) = cur {
        if c.downcast_ref::<std::io::Error>().is_some_and(disk_full) {
            return true;
        }
        cur = c.source();
    }
    // ENOSPC is 28 on Linux, the BSDs and macOS.
    io.to_string().ends_with("(os error 28)")
}

/// Feeds parsed sources into the index, in order.
struct Ingest {
    writer: jikoku_index::CaseWriter,
    progress: indicatif::ProgressBar,
    started: std::time::Instant,
    lines: Vec<String>,
    failure: Option<anyhow::Error>,
    /// Source number of the source whose events are arriving.
    current: Option<u64>,
    record: u64,
    added: u64,
    skipped: u64,
    total_events: u64,
    total_errors: u64,
    files: u64,
}

impl Ingest {
    fn step(&mut self, input: &jikoku_ingest::Input) {
        self.files += 1;
        self.progress.inc(std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0));
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        self.progress.set_message(format!(
            "{} files, {} events, {:.0} events/s",
            self.files,
            self.total_events,
            self.total_events as f64 / secs
        ));
    }

    fn record_duplicate(&mut self, r: &SourceReport, first: String) {
        let mut e = entry(self.writer.next_source_number(), r);
        e.duplicate_of = Some(first);
        (e.records, e.events, e.errors) = (0, 0, 0);
        if let Err(x) = self.writer.finish_source(e) {
            self.failure.get_or_insert(x.into());
        }
    }
}

impl Consumer<jikoku_index::Result<jikoku_index::Prepared>> for Ingest {
    fn known(&mut self, input: &jikoku_ingest::Input, sha: &str, first: &str) {
        self.step(input);
        self.skipped += 1;
        if first == input.display {
            self.lines.push(format!("{}: already indexed; nothing added", safe(&input.display)));
        } else if !self.writer.has_path(&input.display) {
            self.lines.push(format!(
                "{}: same bytes as {}; recorded as a duplicate",
                safe(&input.display),
                safe(first)
            ));
            let dup = ManifestEntry {
                number: self.writer.next_source_number(),
                path: input.display.clone(),
                sha256: sha.to_string(),
                duplicate_of: Some(first.to_string()),
                ..Default::default()
            };
            if let Err(x) = self.writer.finish_source(dup) {
                self.failure.get_or_insert(x.into());
            }
        }
    }

    fn failed(&mut self, input: &jikoku_ingest::Input, e: jikoku_ingest::Error) {
        self.step(input);
        self.lines.push(format!("jikoku: {}", safe(&e.to_string())));
    }

    fn begin(&mut self, _input: &jikoku_ingest::Input, r: &SourceReport) -> bool {
        if self.failure.is_some() {
            return false;
        }
        // The same bytes or content under another path, earlier in this run or before.
        if self
            .writer
            .find_sha(&r.sha256)
            .or_else(|| self.writer.find_content(&r.content_sha256))
            .is_some()
        {
            return false;
        }
        self.current = Some(self.writer.next_source_number());
        self.record = 0;
        true
    }

    fn event(&mut self, doc: jikoku_index::Result<jikoku_index::Prepared>) {
        let Some(number) = self.current else { return };
        if self.failure.is_some() {
            return;
        }
        if let Err(x) = doc.and_then(|d| self.writer.add_prepared(d, number, self.record)) {
            self.failure = Some(x.into());
        }
        self.record += 1;
    }

    fn end(
        &mut self,
        input: &jikoku_ingest::Input,
        r: SourceReport,
        twin: Option<String>,
        accepted: bool,
    ) {
        self.step(input);
        if self.failure.is_some() {
            return;
        }
        if let Some(first) = twin {
            self.skipped += 1;
            self.lines.push(format!(
                "{}: same content as {} (compressed twin); recorded as a duplicate",
                safe(&r.path),
                safe(&first)
            ));
            self.record_duplicate(&r, first);
            return;
        }
        if !accepted {
            let first = self
                .writer
                .find_sha(&r.sha256)
                .or_else(|| self.writer.find_content(&r.content_sha256))
                .map(|m| m.path.clone())
                .unwrap_or_default();
            self.skipped += 1;
            self.lines.push(format!(
                "{}: same content as {}; recorded as a duplicate",
                safe(&r.path),
                safe(&first)
            ));
            self.record_duplicate(&r, first);
            return;
        }
        self.lines.push(format!(
            "{}: {} records = {} events + {} errors{} ({}{})",
            safe(&r.path),
            r.records,
            r.events,
            r.errors,
            if r.overlap > 0 {
                format!(" + {} already in a newer member", r.overlap)
            } else {
                String::new()
            },
            if r.format.is_empty() { "-" } else { &r.format },
            r.year.as_deref().map(|y| format!(", year {y}")).unwrap_or_default()
        ));
        for w in &r.warnings {
            self.lines.push(format!("  warning: {}", safe(w)));
        }
        self.total_events += r.events;
        self.total_errors += r.errors;
        self.added += 1;
        let number = self.current.take().unwrap_or_else(|| self.writer.next_source_number());
        if let Err(x) = self.writer.finish_source(entry(number, &r)) {
            self.failure = Some(x.into());
        }
    }
}
