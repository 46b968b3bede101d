//! jikoku-ingest: sources → parsers → events with resolved time and provenance.
//!
//! # Brief overview
//! - [`walk`]: files and directories (recursively, sorted) given on the command line.
//! - [`open`]: a source opened read-only (`O_NOATIME` where the OS allows), hashed with SHA-256
//!   as it is read, and decompressed transparently (gzip, bzip2, xz, zstd, by magic bytes).
//! - [`process`]: sniff (or take `--format`), parse, infer years, resolve zones/DST/skew, add
//!   provenance (`log.file.path`, `jikoku.source.sha256`, host) and hand each event on, in
//!   source order. Returns a [`SourceReport`]: records = events + errors.
//!
//! Never writes anywhere: evidence is read-only.
#![warn(missing_docs)]

mod source;

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use jikoku_core::Event;
use jikoku_formats::{Head, ParseOptions, Parser, Record, registry};
use jikoku_time::{TimeContext, YearAnchor, YearInference, ZoneSource, resolve};

pub use source::{Compression, Opened, open, open_reader, sha256_file};

/// Errors that stop one source (never the whole run).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The source could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `--format` names no parser.
    #[error("unknown format {0:?}; known: auto, {1}")]
    UnknownFormat(String, String),
}

/// What the command line says about sources.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--format` (None or `auto`: sniff).
    pub format: Option<String>,
    /// `--tz`.
    pub tz: Option<Tz>,
    /// Where `tz` came from when given (`option` for --tz, `image` when discovered).
    pub tz_source: Option<ZoneSource>,
    /// `--tz HOST=ZONE`: zones of named hosts (matched against the record's `host.name`),
    /// before `tz`.
    pub tz_by_host: Vec<(String, Tz)>,
    /// `--year`.
    pub year: Option<i32>,
    /// `--host`: host name for records that carry none.
    pub host: Option<String>,
    /// `--skew [HOST=]±DUR`: (host or None for every host, seconds).
    pub skews: Vec<(Option<String>, f64)>,
    /// Parser options (`--http-format`, …).
    pub parse: ParseOptions,
}

impl Options {
    fn skew_for(&self, host: Option<&str>) -> f64 {
        let mut global = 0.0;
        for (h, s) in &self.skews {
            match h {
                Some(h) if Some(h.as_str()) == host => return *s,
                None => global = *s,
                _ => {}
            }
        }
        global
    }

    fn zone_for(&self, host: Option<&str>, default: (Tz, ZoneSource)) -> (Tz, ZoneSource) {
        match host.and_then(|h| self.tz_by_host.iter().find(|(n, _)| n == h)) {
            Some((_, tz)) => (*tz, ZoneSource::Option),
            None => default,
        }
    }

    fn parser(&self, head: &Head<'_>) -> Result<Option<Arc<dyn Parser>>, Error> {
        match self.format.as_deref() {
            None | Some("auto") => Ok(registry::sniff(head)),
            Some(name) => match registry::find(name) {
                Some(p) => Ok(Some(p)),
                None => Err(Error::UnknownFormat(name.to_string(), registry::names().join(", "))),
            },
        }
    }
}

/// What happened to one source: the counts and the decisions, for the summary and the manifest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceReport {
    /// Path as shown in events (`log.file.path`).
    pub path: String,
    /// Parser used (`syslog`, `sudo.logfile`, …); empty when none claimed the source.
    pub format: String,
    /// Compression found.
    pub compression: &'static str,
    /// Size in bytes as stored.
    pub size: u64,
    /// Modification time, when a file.
    pub mtime: Option<DateTime<Utc>>,
    /// SHA-256 of the bytes read (compressed bytes if compressed).
    pub sha256: String,
    /// Lines or binary records read.
    pub records: u64,
    /// Events emitted (kind `event`).
    pub events: u64,
    /// Pipeline errors emitted.
    pub errors: u64,
    /// Zone used for records that carry none, and where it came from.
    pub zone: String,
    /// `option`, `image` or `default`.
    pub zone_source: &'static str,
    /// Year decision for yearless records (`2002 (option)`, `2003 (mtime)`, `unknown`), if any.
    pub year: Option<String>,
    /// Warnings (default zone, unknown year, read errors).
    pub warnings: Vec<String>,
}

/// One input: a file found under a root given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The file.
    pub path: PathBuf,
    /// Path shown in events: relative to the directory given, or as given for a file.
    pub display: String,
}

/// Expands files and directories (recursively, in sorted order). Entries that are not regular
/// files (devices, FIFOs, sockets) and unreadable directories are reported in the second list.
pub fn walk(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    let mut out = vec![];
    let mut problems = vec![];
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_dir(p, p, &mut out, &mut problems, 0),
            Ok(m) if m.is_file() => {
                out.push(Input { path: p.clone(), display: p.display().to_string() })
            }
            Ok(_) => problems.push(format!("{}: not a regular file; skipped", p.display())),
            Err(e) => problems.push(format!("{}: {e}", p.display())),
        }
    }
    (out, problems)
}

fn walk_dir(
    root: &Path,
    dir: &Path,
    out: &mut Vec<Input>,
    problems: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        problems.push(format!("{}: deeper than 64 levels; not descended", dir.display()));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            problems.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    for p in names {
        // symlink_metadata: links are not followed out of the tree.
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => walk_dir(root, &p, out, problems, depth + 1),
            Ok(m) if m.is_file() => {
                let rel = p.strip_prefix(root).unwrap_or(&p).display().to_string();
                out.push(Input { path: p.clone(), display: rel });
            }
            Ok(m) if m.file_type().is_symlink() => {
                problems.push(format!("{}: symbolic link; not followed", p.display()))
            }
            Ok(_) => problems.push(format!("{}: not a regular file; skipped", p.display())),
            Err(e) => problems.push(format!("{}: {e}", p.display())),
        }
    }
}

/// Parses one file, calling `emit` for every event in source order.
pub fn process_file(
    input: &Input,
    opts: &Options,
    emit: &mut dyn FnMut(&Event),
) -> Result<SourceReport, Error> {
    let opened =
        open(&input.path).map_err(|e| Error::Io { path: input.display.clone(), source: e })?;
    process(&input.display, opened, opts, emit)
}

/// Parses an already opened source (a file, or stdin through [`open_reader`]).
pub fn process(
    display: &str,
    mut opened: Opened,
    opts: &Options,
    emit: &mut dyn FnMut(&Event),
) -> Result<SourceReport, Error> {
    let mut report = SourceReport {
        path: display.to_string(),
        compression: opened.compression.as_str(),
        size: opened.size,
        mtime: opened.mtime,
        ..Default::default()
    };
    // Read the head for sniffing, then parse head + rest as one stream.
    let mut head = Vec::with_capacity(64 * 1024);
    let mut read_error: Option<std::io::Error> = None;
    if let Err(e) = (&mut opened.reader).take(64 * 1024).read_to_end(&mut head) {
        read_error = Some(e);
    }
    let file_name = Path::new(display)
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let file_name = source::strip_compression_suffix(&file_name).to_string();
    let h = Head { bytes: &head, file_name: &file_name, len: None };
    let parser = opts.parser(&h)?;

    let mut records: Vec<Record> = vec![];
    match (&parser, &read_error) {
        (Some(p), None) => {
            report.format = p.name().to_string();
            let chained = std::io::Cursor::new(&head[..]).chain(&mut opened.reader);
            let mut input: Box<dyn BufRead> =
                Box::new(BufReader::with_capacity(256 * 1024, chained));
            let mut sink = |r: Record| records.push(r);
            let popts = jikoku_formats::ParseOptions {
                source_path: Some(display.to_string()),
                file_name: Some(file_name.clone()),
                ..opts.parse.clone()
            };
            if let Err(e) = p.parse(&mut input, &popts, &mut sink) {
                read_error = Some(e);
            }
        }
        (None, None) if head.is_empty() => {}
        (None, None) => {
            // No parser claims it: one error record, so that nothing passes unnoticed.
            records.push(Record::error(
                "unknown",
                head.get(..head.len().min(512)).unwrap_or(&[]),
                0,
                None,
                "format not recognised (first 512 bytes kept); name it with --format",
            ));
        }
        _ => {}
    }
    // Drain what the parser did not read, so the hash covers the whole file.
    let mut sinkhole = [0u8; 64 * 1024];
    while read_error.is_none() {
        match opened.reader.read(&mut sinkhole) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => read_error = Some(e),
        }
    }
    if let Some(e) = read_error {
        let at = records.last().and_then(|r| r.event.log.offset).unwrap_or(0);
        let msg = format!("read error after offset {at} (events before it are kept): {e}");
        report.warnings.push(msg.clone());
        records.push(Record::error("ingest", &[], at, None, msg));
    }
    report.sha256 = opened.sha256();

    resolve_times(&mut records, opts, &opened, &mut report);

    for r in &mut records {
        let e = &mut r.event;
        e.log.file.path = Some(display.to_string());
        e.jikoku.source.sha256 = Some(report.sha256.clone());
        if e.host.name.is_none() {
            e.host.name.clone_from(&opts.host);
        }
        report.records += 1;
        if e.is_error() {
            report.errors += 1;
        } else {
            report.events += 1;
        }
        emit(e);
    }
    Ok(report)
}

fn resolve_times(
    records: &mut [Record],
    opts: &Options,
    opened: &Opened,
    report: &mut SourceReport,
) {
    let (zone, zone_source) = match opts.tz {
        Some(tz) => (tz, opts.tz_source.unwrap_or(ZoneSource::Option)),
        None => (Tz::UTC, ZoneSource::Default),
    };
    report.zone = zone.name().to_string();
    report.zone_source = zone_source.as_str();

    // Year inference over the records in file order.
    let mut inference = YearInference::new();
    let mut rel: Vec<i32> = Vec::with_capacity(records.len());
    for r in records.iter() {
        match &r.time {
            Some(t) if t.year.is_none() => rel.push(inference.observe(t)),
            Some(t) => {
                if let Some(y) = t.year {
                    inference.observe_dated(y);
                }
                rel.push(0);
            }
            None => rel.push(0),
        }
    }
    let anchor = match (opts.year, opened.mtime) {
        (Some(y), _) => YearAnchor::Option(y),
        (None, Some(m)) => {
            let local = m.with_timezone(&zone);
            YearAnchor::Mtime(local.year(), local.month(), local.day())
        }
        (None, None) => YearAnchor::None,
    };
    let base = inference.base(anchor);
    if inference.saw_yearless() {
        report.year = Some(match base {
            Some((y, o)) => {
                let last = y + inference.last_relative();
                if last == y {
                    format!("{y} ({})", o.as_str())
                } else {
                    format!("{y}–{last} ({})", o.as_str())
                }
            }
            None => {
                report.warnings.push(
                    "records carry no year and none could be inferred (no --year, no file mtime, no dated record): they have no @timestamp".into(),
                );
                "unknown".into()
            }
        });
    }

    let mut used_default = false;
    let mut first_resolved = false;
    for (r, rel) in records.iter_mut().zip(rel) {
        let Some(t) = &r.time else { continue };
        let host = r.event.host.name.as_deref().or(opts.host.as_deref());
        let (zone, zone_source) = opts.zone_for(host, (zone, zone_source));
        let ctx = TimeContext { zone, zone_source, skew_seconds: opts.skew_for(host) };
        let year = base.map(|(y, o)| (y + rel, o));
        match resolve(t, year, &ctx) {
            Ok(res) => {
                if res.zone_source == ZoneSource::Default {
                    used_default = true;
                }
                if !first_resolved {
                    // The summary shows the decision of the first record; records may differ
                    // (offsets in lines, per-host zones), and each states its own.
                    first_resolved = true;
                    report.zone.clone_from(&res.zone);
                    report.zone_source = res.zone_source.as_str();
                }
                res.apply(&mut r.event);
            }
            Err(err) if t.year.is_none() && year.is_none() => {
                let tf = &mut r.event.jikoku.time;
                tf.year = Some(Cow::Borrowed("inferred"));
                tf.year_source = Some(Cow::Borrowed("unknown"));
                tf.local = Some(format!(
                    "--{:02}-{:02}T{:02}:{:02}:{:02}",
                    t.month, t.day, t.hour, t.minute, t.second
                ));
                tf.note = Some(format!("{err}; pass --year"));
            }
            Err(err) => {
                let e = &mut r.event;
                e.event.kind = Cow::Borrowed(jikoku_core::KIND_PIPELINE_ERROR);
                e.error.message = Some(format!("invalid time: {err}"));
            }
        }
    }
    if used_default {
        report.warnings.push(
            "no zone known for this source: times read as UTC (zone_source: default); pass --tz"
                .into(),
        );
    }
}
