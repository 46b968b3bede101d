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

pub mod batch;
pub mod image;
pub mod rotation;
mod source;
pub mod webconf;

use std::borrow::Cow;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use jikoku_core::Event;
use jikoku_formats::{Head, ParseOptions, Parser, Record, registry};
use jikoku_time::{TimeContext, YearInference, resolve};
pub use jikoku_time::{YearAnchor, ZoneSource};

pub use source::{
    Compression, Limits, Opened, open, open_prefix, open_reader, open_reader_with, open_with,
    sha256_file,
};

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
    /// Year anchor for this source instead of its mtime (rotation chains); `--year` still wins.
    pub year_anchor: Option<YearAnchor>,
    /// Decompression ceilings.
    pub limits: Limits,
    /// What an image's configuration says about particular sources, by display path (web
    /// server configurations: format and virtual host of each log file).
    pub hints: Arc<std::collections::HashMap<String, SourceHint>>,
}

/// What an image's configuration says about one source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceHint {
    /// Parser to use when `--format` is `auto`.
    pub format: Option<String>,
    /// Custom HTTP format when `--http-format` is not given.
    pub http_format: Option<String>,
    /// Virtual host (`destination.domain`) of its records.
    pub vhost: Option<String>,
    /// Where it was learned (`/etc/apache2/apache2.conf (CustomLog format combined)`).
    pub origin: String,
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
    /// Stored bytes read (and hashed): the size, unless the file changed while it was read.
    pub read_bytes: u64,
    /// Modification time, when a file.
    pub mtime: Option<DateTime<Utc>>,
    /// SHA-256 of the bytes read (compressed bytes if compressed).
    pub sha256: String,
    /// SHA-256 of the decompressed content.
    pub content_sha256: String,
    /// Local date (year, month, day) of the first yearless record, once its year was decided:
    /// the anchor for the next older member of a rotation chain.
    pub first_yearless: Option<(i32, u32, u32)>,
    /// Lines or binary records read.
    pub records: u64,
    /// Events emitted (kind `event`).
    pub events: u64,
    /// Pipeline errors emitted.
    pub errors: u64,
    /// Records not emitted because a newer member of the same rotation chain already held them
    /// (the same line at the same time: overlapping copies). records = events + errors + overlap.
    pub overlap: u64,
    /// Zone used for records that carry none, and where it came from.
    pub zone: String,
    /// `option`, `image` or `default`.
    pub zone_source: &'static str,
    /// Year decision for yearless records (`2002 (option)`, `2003 (mtime)`, `unknown`), if any.
    pub year: Option<String>,
    /// Warnings (default zone, unknown year, read errors).
    pub warnings: Vec<String>,
    /// Decisions taken from the image's configuration (format learned from a web server's
    /// configuration, …).
    pub notes: Vec<String>,
}

/// The anchor a rotation chain's next older member takes from this member's report: its first
/// yearless record's date; `None` when it had none (the previous anchor then stands).
pub fn anchor_after(report: &SourceReport) -> Option<YearAnchor> {
    report.first_yearless.map(|(y, m, d)| YearAnchor::Rotation(y, m, d))
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
    opened: Opened,
    opts: &Options,
    emit: &mut dyn FnMut(&Event),
) -> Result<SourceReport, Error> {
    process_gated(display, opened, opts, &mut |_| true, emit)
}

/// As [`process`], but `gate` sees the report (hashes, counts) before any event is emitted, and
/// no event is emitted when it returns false (a duplicate of content already indexed).
pub fn process_gated(
    display: &str,
    opened: Opened,
    opts: &Options,
    gate: &mut dyn FnMut(&SourceReport) -> bool,
    emit: &mut dyn FnMut(&Event),
) -> Result<SourceReport, Error> {
    let (report, events) = process_owned(display, opened, opts, gate)?;
    for e in &events {
        emit(e);
    }
    Ok(report)
}

/// As [`process_gated`], returning the events (moved, not copied); empty when gated out.
/// Holds the whole source in memory (for stdin); files are read twice by [`process_streaming`]
/// instead, in bounded memory.
pub fn process_owned(
    display: &str,
    opened: Opened,
    opts: &Options,
    gate: &mut dyn FnMut(&SourceReport) -> bool,
) -> Result<(SourceReport, Vec<Event>), Error> {
    let mut records: Vec<Record> = vec![];
    let (mut report, mtime) = read_source(display, opened, opts, &mut |r| records.push(r))?;
    let mut plan = TimePlan::new(records.iter().map(|r| r.time.as_ref()), opts, mtime, &mut report);
    let mut events = Vec::with_capacity(records.len());
    let mut state = ResolveState::default();
    for (i, mut r) in records.into_iter().enumerate() {
        plan.resolve(i, &mut r, opts, &mut report, &mut state);
        finish_event(&mut r.event, display, &report.sha256, opts);
        count(&mut report, &r);
        events.push(*r.event);
    }
    state.warn(&mut report);
    if !gate(&report) {
        return Ok((report, vec![]));
    }
    Ok((report, events))
}

/// Parses a file, handing each event to `emit` as soon as it is resolved; `gate` sees the
/// report (hashes) before the first event and none is emitted when it returns false. Memory does
/// not grow with the file.
///
/// One pass when it can: the source's hashes are taken first (a plain read, or decompress and
/// hash), then it is parsed once, each record resolved and emitted at once, as long as every
/// record carries its year or `--year` is given (the year of a yearless record then follows
/// from the records before it). At the first yearless record without `--year` the year
/// depends on the *last* record (the file's mtime anchors it): the parse goes on collecting
/// only times, and a second pass emits the records from that one on.
pub fn process_streaming(
    input: &Input,
    opts: &Options,
    gate: &mut dyn FnMut(&SourceReport) -> bool,
    emit: &mut dyn FnMut(Event),
) -> Result<SourceReport, Error> {
    let io = |e| Error::Io { path: input.display.clone(), source: e };
    // The hashes first, so that `gate` can answer before the first event.
    let hashed = source::hash_source(&input.path, opts.limits).map_err(io)?;
    let mut times: Vec<Option<(Option<i32>, u8, u8)>> = vec![];
    let mut second = SourceReport::default();
    let mut state = ResolveState::default();
    let mut stream = TimePlan::streaming(opts, &mut second);
    // A source that cannot be read to its end is read as before: hashes from the first pass,
    // events from the second.
    let mut live = hashed.complete;
    let limit = if hashed.complete { hashed.stored_bytes } else { u64::MAX };
    // Without --year, a parser with a times probe tells the records' dates first: the year of
    // yearless records is then known before the one full pass.
    if hashed.complete && opts.year.is_none() {
        let mut inference = YearInference::new();
        let mut probed = false;
        let (_, mtime) = read_source_as(
            &input.display,
            open_prefix(&input.path, opts.limits, limit).map_err(io)?,
            opts,
            &mut |_| {},
            Some((
                &mut |y, m, d| match y {
                    None => {
                        inference.observe_month_day(m, d);
                    }
                    Some(y) => inference.observe_dated(y),
                },
                &mut probed,
            )),
        )?;
        if probed && inference.saw_yearless() {
            stream.probed_base(&inference, opts, mtime);
        }
    }
    let mut gated: Option<bool> = None;
    let mut emitted = 0usize;
    // Pass 1: every record resolved and emitted while `live`; times kept for a second pass.
    let (mut report, mtime) = read_source(
        &input.display,
        open_prefix(&input.path, opts.limits, limit).map_err(io)?,
        opts,
        &mut |mut r: Record| {
            times.push(r.time.as_ref().map(|t| (t.year, t.month as u8, t.day as u8)));
            if !live {
                return;
            }
            if !stream.knows_years && r.time.as_ref().is_some_and(|t| t.year.is_none()) {
                live = false;
                return;
            }
            if gated.is_none() {
                let early = SourceReport {
                    path: input.display.clone(),
                    sha256: hashed.sha256.clone(),
                    content_sha256: hashed.content_sha256.clone(),
                    read_bytes: hashed.stored_bytes,
                    ..Default::default()
                };
                gated = Some(gate(&early));
            }
            if gated != Some(true) {
                live = false;
                return;
            }
            stream.resolve(times.len() - 1, &mut r, opts, &mut second, &mut state);
            finish_event(&mut r.event, &input.display, &hashed.sha256, opts);
            count(&mut second, &r);
            emitted += 1;
            emit(*r.event);
        },
    )?;
    let pass1_sha = report.sha256.clone();
    let pass1_records = times.len();
    let (sha, stored) = if hashed.complete {
        report.sha256.clone_from(&hashed.sha256);
        report.content_sha256.clone_from(&hashed.content_sha256);
        report.read_bytes = hashed.stored_bytes;
        (hashed.sha256, hashed.stored_bytes)
    } else {
        (report.sha256.clone(), report.read_bytes)
    };
    if live && gated.is_none() && !gate(&report) {
        // No record at all, gated out.
        report.records = 0;
        return Ok(report);
    }
    let mut i = emitted;
    let mut pass2_sha = pass1_sha.clone();
    if live {
        stream.finish(&mut report);
    } else {
        let raw: Vec<Option<jikoku_time::RawTime>> = times
            .iter()
            .map(|t| {
                t.map(|(y, m, d)| jikoku_time::RawTime::new(y, u32::from(m), u32::from(d), 0, 0, 0))
            })
            .collect();
        let mut plan = TimePlan::new(raw.iter().map(Option::as_ref), opts, mtime, &mut report);
        drop(raw);
        if gated.is_none() {
            report.records = times.len() as u64;
            if !gate(&report) {
                return Ok(report);
            }
        } else if gated == Some(false) {
            report.records = times.len() as u64;
            return Ok(report);
        }
        // Pass 2: the records not emitted yet, reading exactly the stored bytes hashed.
        let mut j = 0usize;
        let (r2, _) = read_source(
            &input.display,
            open_prefix(&input.path, opts.limits, stored).map_err(io)?,
            opts,
            &mut |mut r: Record| {
                j += 1;
                if j <= emitted {
                    return;
                }
                plan.resolve(i, &mut r, opts, &mut second, &mut state);
                finish_event(&mut r.event, &input.display, &sha, opts);
                count(&mut second, &r);
                i += 1;
                emit(*r.event);
            },
        )?;
        pass2_sha = r2.sha256;
    }
    state.warn(&mut report);
    report.records = second.records;
    report.events = second.events;
    report.errors = second.errors;
    report.first_yearless = second.first_yearless;
    if !second.zone.is_empty() {
        report.zone = second.zone;
        report.zone_source = second.zone_source;
    }
    let now = std::fs::metadata(&input.path).map(|m| m.len()).ok();
    if pass1_sha != sha || pass2_sha != sha || i != pass1_records {
        report.warnings.push(format!(
            "the source changed while it was read (SHA-256 {} then {}; {} then {i} records): re-acquire it",
            sha,
            if pass2_sha != sha { &pass2_sha } else { &pass1_sha },
            pass1_records
        ));
    } else if let Some(now) = now.filter(|n| *n != report.size) {
        report.warnings.push(format!(
            "the source changed while it was read ({} bytes when opened, {now} now): the {stored} bytes read first (SHA-256 {sha}) were indexed; re-acquire it",
            report.size
        ));
    }
    Ok(report)
}

fn finish_event(e: &mut Event, display: &str, sha256: &str, opts: &Options) {
    e.log.file.path = Some(display.to_string());
    e.jikoku.source.sha256 = Some(sha256.to_string());
    if e.host.name.is_none() {
        e.host.name.clone_from(&opts.host);
    }
}

fn count(report: &mut SourceReport, r: &Record) {
    report.records += 1;
    if r.is_error() {
        report.errors += 1;
    } else {
        report.events += 1;
    }
}

/// Reads one source: sniffs, parses, and hands every record on; returns the report's file
/// facts (format, compression, size, hashes, warnings) and the mtime.
fn read_source(
    display: &str,
    opened: Opened,
    opts: &Options,
    sink: &mut dyn FnMut(Record),
) -> Result<(SourceReport, Option<chrono::DateTime<Utc>>), Error> {
    read_source_as(display, opened, opts, sink, None)
}

/// A times sink (year, month, day of each record) and whether the parser had a probe.
type TimesProbe<'a> = (&'a mut dyn FnMut(Option<i32>, u32, u32), &'a mut bool);

/// [`read_source`], or, with `times`, the parser's times probe ([`Parser::times`]) instead of
/// its parse: `times.1` tells whether the parser had one.
fn read_source_as(
    display: &str,
    mut opened: Opened,
    opts: &Options,
    sink: &mut dyn FnMut(Record),
    mut times: Option<TimesProbe<'_>>,
) -> Result<(SourceReport, Option<chrono::DateTime<Utc>>), Error> {
    let mut report = SourceReport {
        path: display.to_string(),
        compression: opened.compression.as_str(),
        size: opened.size,
        mtime: opened.mtime,
        ..Default::default()
    };
    // Read the head for sniffing, then parse head + rest as one stream.
    let mut last_offset = 0u64;
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
    let hint = opts.hints.get(display);
    let auto = matches!(opts.format.as_deref(), None | Some("auto"));
    let parser = match hint.and_then(|h| h.format.as_deref()).filter(|_| auto) {
        Some(name) => registry::find(name).or(opts.parser(&h)?),
        None => opts.parser(&h)?,
    };
    if let Some(h) = hint {
        let mut note = format!("format from {}", h.origin);
        if let Some(v) = &h.vhost {
            note.push_str(&format!("; virtual host {v}"));
        }
        report.notes.push(note);
    }

    match (&parser, &read_error) {
        (Some(p), None) => {
            report.format = p.name().to_string();
            let chained = std::io::Cursor::new(&head[..]).chain(&mut opened.reader);
            let mut input: Box<dyn BufRead> =
                Box::new(BufReader::with_capacity(256 * 1024, chained));
            let popts = jikoku_formats::ParseOptions {
                source_path: Some(display.to_string()),
                file_name: Some(file_name.clone()),
                http_format: opts
                    .parse
                    .http_format
                    .clone()
                    .or_else(|| hint.and_then(|h| h.http_format.clone())),
                vhost: opts.parse.vhost.clone().or_else(|| hint.and_then(|h| h.vhost.clone())),
                ..opts.parse.clone()
            };
            if let Some((t, probed)) = times.as_mut() {
                match p.times(&mut input, &popts, *t) {
                    Ok(had) => **probed = had,
                    Err(e) => read_error = Some(e),
                }
            } else if let Err(e) = p.parse(&mut input, &popts, &mut |r| {
                last_offset = r.event.log.offset.unwrap_or(last_offset);
                sink(r)
            }) {
                read_error = Some(e);
            }
        }
        (None, None) if head.is_empty() => {}
        (None, None) => {
            // No parser claims it: one error record, so that nothing passes unnoticed.
            sink(Record::error(
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
        let at = last_offset;
        let msg = format!("read error after offset {at} (events before it are kept): {e}");
        report.warnings.push(msg.clone());
        sink(Record::error("ingest", &[], at, None, msg));
    }
    report.sha256 = opened.sha256();
    report.content_sha256 = opened.content_sha256();
    report.read_bytes = opened.stored_bytes();
    Ok((report, opened.mtime))
}

/// The warning for yearless records whose year nothing fixes.
const NO_YEAR: &str = "records carry no year and none could be inferred (no --year, no file mtime, no dated record): they have no @timestamp";

/// The year decision for a source, made once over all its records' times.
struct TimePlan {
    zone: Tz,
    zone_source: ZoneSource,
    base: Option<(i32, jikoku_time::YearOrigin)>,
    rel: Vec<i32>,
    /// One pass: relative years found as the records come (`--year`, or only dated records).
    stream: Option<YearInference>,
    /// One pass: the base year of yearless records is decided (`--year`, or a times probe).
    knows_years: bool,
    /// One pass with a probe that found no base year: say so as [`TimePlan::new`] does.
    unknown_year: bool,
}

/// What resolving a source's records found, for its warnings.
#[derive(Default)]
struct ResolveState {
    used_default: bool,
    first_resolved: bool,
}

impl ResolveState {
    fn warn(&self, report: &mut SourceReport) {
        if self.used_default {
            report.warnings.push(
                "no zone known for this source: times read as UTC (zone_source: default); pass --tz".into(),
            );
        }
    }
}

impl TimePlan {
    /// The plan of a single pass: the zone from the options, the base year from `--year`
    /// (the first yearless record is in that year), relative years as records come.
    fn streaming(opts: &Options, report: &mut SourceReport) -> TimePlan {
        let (zone, zone_source) = match opts.tz {
            Some(tz) => (tz, opts.tz_source.unwrap_or(ZoneSource::Option)),
            None => (Tz::UTC, ZoneSource::Default),
        };
        report.zone = zone.name().to_string();
        report.zone_source = zone_source.as_str();
        let base = opts.year.map(|y| (y, jikoku_time::YearOrigin::Option));
        TimePlan {
            zone,
            zone_source,
            base,
            rel: vec![],
            stream: Some(YearInference::new()),
            knows_years: opts.year.is_some(),
            unknown_year: false,
        }
    }

    /// The base year from a times probe's walk over the whole source, anchored as
    /// [`TimePlan::new`] anchors it (`--year` is absent here).
    fn probed_base(
        &mut self,
        probe: &YearInference,
        opts: &Options,
        mtime: Option<chrono::DateTime<Utc>>,
    ) {
        let anchor = match (opts.year_anchor, mtime) {
            (Some(a), _) => a,
            (None, Some(m)) => {
                let local = m.with_timezone(&self.zone);
                YearAnchor::Mtime(local.year(), local.month(), local.day())
            }
            (None, None) => YearAnchor::None,
        };
        self.base = probe.base(anchor);
        self.unknown_year = self.base.is_none();
        self.knows_years = true;
    }

    /// After a single pass: the report's year decision, as [`TimePlan::new`] states it.
    fn finish(&self, report: &mut SourceReport) {
        let Some(inference) = &self.stream else { return };
        if !inference.saw_yearless() {
            return;
        }
        if self.unknown_year {
            report.warnings.push(NO_YEAR.into());
            report.year = Some("unknown".into());
            return;
        }
        if let Some((y, o)) = self.base {
            let last = y + inference.last_relative();
            report.year = Some(if last == y {
                format!("{y} ({})", o.as_str())
            } else {
                format!("{y}–{last} ({})", o.as_str())
            });
        }
    }

    fn new<'a>(
        times: impl Iterator<Item = Option<&'a jikoku_time::RawTime>>,
        opts: &Options,
        mtime: Option<chrono::DateTime<Utc>>,
        report: &mut SourceReport,
    ) -> TimePlan {
        let (zone, zone_source) = match opts.tz {
            Some(tz) => (tz, opts.tz_source.unwrap_or(ZoneSource::Option)),
            None => (Tz::UTC, ZoneSource::Default),
        };
        report.zone = zone.name().to_string();
        report.zone_source = zone_source.as_str();
        // Year inference over the records in file order.
        let mut inference = YearInference::new();
        let mut rel: Vec<i32> = vec![];
        let mut firsts: Option<(usize, (u32, u32))> = None;
        for (i, t) in times.enumerate() {
            match t {
                Some(t) if t.year.is_none() => {
                    firsts.get_or_insert((i, (t.month, t.day)));
                    rel.push(inference.observe(t))
                }
                Some(t) => {
                    if let Some(y) = t.year {
                        inference.observe_dated(y);
                    }
                    rel.push(0);
                }
                None => rel.push(0),
            }
        }
        let anchor = match (opts.year, opts.year_anchor, mtime) {
            (Some(y), _, _) => YearAnchor::Option(y),
            (None, Some(a), _) => a,
            (None, None, Some(m)) => {
                let local = m.with_timezone(&zone);
                YearAnchor::Mtime(local.year(), local.month(), local.day())
            }
            (None, None, None) => YearAnchor::None,
        };
        let base = inference.base(anchor);
        if let Some((y, _)) = base {
            // The anchor for the next older member of a rotation chain, known after this pass.
            if let Some((i, t)) = firsts {
                report.first_yearless = Some((y + rel.get(i).copied().unwrap_or(0), t.0, t.1));
            }
        }
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
                    report.warnings.push(NO_YEAR.into());
                    "unknown".into()
                }
            });
        }
        TimePlan {
            zone,
            zone_source,
            base,
            rel,
            stream: None,
            knows_years: true,
            unknown_year: false,
        }
    }

    /// Resolves record `i` (in file order).
    fn resolve(
        &mut self,
        i: usize,
        r: &mut Record,
        opts: &Options,
        report: &mut SourceReport,
        st: &mut ResolveState,
    ) {
        let Some(t) = &r.time else { return };
        let rel = match &mut self.stream {
            Some(inference) => match t.year {
                None => inference.observe(t),
                Some(y) => {
                    inference.observe_dated(y);
                    0
                }
            },
            None => {
                self.rel.get(i).copied().unwrap_or_else(|| self.rel.last().copied().unwrap_or(0))
            }
        };
        let host = r.event.host.name.as_deref().or(opts.host.as_deref());
        let (zone, zone_source) = opts.zone_for(host, (self.zone, self.zone_source));
        let ctx = TimeContext { zone, zone_source, skew_seconds: opts.skew_for(host) };
        let year = self.base.map(|(y, o)| (y + rel, o));
        if let (None, Some((y, _)), None) = (t.year, year, report.first_yearless) {
            report.first_yearless = Some((y, t.month, t.day));
        }
        match resolve(t, year, &ctx) {
            Ok(res) => {
                if res.zone_source == ZoneSource::Default {
                    st.used_default = true;
                }
                if !st.first_resolved {
                    // The summary shows the decision of the first record; records may differ
                    // (offsets in lines, per-host zones), and each states its own.
                    st.first_resolved = true;
                    report.zone.clone_from(&res.zone);
                    report.zone_source = res.zone_source.as_str();
                }
                let skew = res.skew_seconds;
                res.apply_owned(&mut r.event);
                if skew != 0.0 {
                    shift_process_times(&mut r.event, skew);
                }
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
}

/// Moves `process.start`/`process.end` (written from the same clock as the record, e.g. by
/// accounting) by the skew removed from `@timestamp`, keeping their sub-second digits.
fn shift_process_times(e: &mut Event, skew_seconds: f64) {
    let ns = (skew_seconds * 1e9).round() as i64;
    for v in [&mut e.process.start, &mut e.process.end] {
        let Some(t) = v.as_deref() else { continue };
        let digits = t.split_once('.').map_or(0, |(_, f)| f.trim_end_matches('Z').len());
        let Ok(d) = chrono::DateTime::parse_from_rfc3339(t) else { continue };
        let Some(moved) = d.checked_sub_signed(chrono::Duration::nanoseconds(ns)) else { continue };
        let fmt = match digits {
            0 => chrono::SecondsFormat::Secs,
            1..=3 => chrono::SecondsFormat::Millis,
            4..=6 => chrono::SecondsFormat::Micros,
            _ => chrono::SecondsFormat::Nanos,
        };
        *v = Some(moved.with_timezone(&chrono::Utc).to_rfc3339_opts(fmt, true));
    }
}
