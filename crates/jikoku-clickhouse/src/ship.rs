//! Shipping rows: batches, a sender thread, retries, and the per-source record.
//!
//! The producer (the parser loop) appends rows; full batches go through a channel of
//! [`QUEUED_BATCHES`] to one sender thread, so parsing waits when the network or the cluster is
//! slower (backpressure) and memory stays bounded. A batch that fails is tried again with
//! exponential backoff while the error is retryable (server unreachable, a shard down, too many
//! parts); a batch the server rejects as such (bad rows, unknown table) is not. A source is
//! recorded in `<table>_sources` only after every batch holding its rows was acknowledged, so a
//! source is either recorded (and skipped by the next run) or shipped again whole by the next
//! run; rows that reach the server twice are read once (see [`crate::table`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::table::{ident, sources_table};
use crate::{Client, Error, Result};

/// Batches waiting for the sender (besides the one being sent).
pub const QUEUED_BATCHES: usize = 2;

/// How rows are sent.
#[derive(Debug, Clone)]
pub struct Options {
    /// The events table (a `Distributed` table for a cluster).
    pub table: String,
    /// Send a batch when it holds this many rows …
    pub batch_rows: usize,
    /// … or this many bytes of JSON.
    pub batch_bytes: usize,
    /// Attempts per batch (1 = no retry).
    pub attempts: u32,
    /// First wait between attempts; doubled each time, at most 30 s.
    pub backoff: Duration,
    /// Name of the machine shipping (recorded per source).
    pub shipper: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            table: crate::table::DEFAULT_TABLE.into(),
            batch_rows: 20_000,
            batch_bytes: 16 << 20,
            attempts: 8,
            backoff: Duration::from_millis(500),
            shipper: String::new(),
        }
    }
}

/// A source's record in `<table>_sources`.
#[derive(Debug, Clone, Default)]
pub struct SourceRecord {
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// SHA-256 of the decompressed content.
    pub content_sha256: String,
    /// Source number (the index's numbering: part of every row's `seq`).
    pub number: u64,
    /// Path as shown in events.
    pub path: String,
    /// Parser.
    pub format: String,
    /// Records, events, pipeline errors.
    pub records: u64,
    /// Events.
    pub events: u64,
    /// Pipeline errors.
    pub errors: u64,
    /// Path of the source it duplicates (then it has no rows).
    pub duplicate_of: String,
    /// The manifest entry as JSON.
    pub manifest: String,
}

/// Where the rows of one batch came from, for the report of a batch that could not be stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Span {
    /// Source path.
    pub path: String,
    /// Source SHA-256.
    pub sha256: String,
    /// Byte offsets (`log.offset`) of the first and last rows that have one.
    pub offsets: Option<(u64, u64)>,
    /// Record numbers of the first and last rows.
    pub records: (u64, u64),
    /// Rows.
    pub rows: u64,
}

struct Batch {
    body: Vec<u8>,
    rows: u64,
    spans: Vec<Span>,
    sources: Vec<SourceRecord>,
}

/// What was shipped.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    /// Rows acknowledged by the server.
    pub rows: u64,
    /// Bytes of JSON sent (acknowledged).
    pub bytes: u64,
    /// Batches sent.
    pub batches: u64,
    /// Attempts that failed and were retried.
    pub retries: u64,
    /// Sources recorded.
    pub sources: u64,
}

/// Shared progress counters (rows and bytes acknowledged), for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Rows acknowledged.
    pub rows: AtomicU64,
    /// Failed attempts so far.
    pub retries: AtomicU64,
}

/// Sends rows in batches from a background thread.
pub struct Shipper {
    opts: Options,
    tx: Option<SyncSender<Batch>>,
    handle: Option<JoinHandle<std::result::Result<Totals, (Error, Totals)>>>,
    current: Batch,
    failed: Arc<AtomicBool>,
    progress: Arc<Progress>,
}

impl Shipper {
    /// Starts the sender thread.
    pub fn new(client: Client, opts: Options) -> Shipper {
        let (tx, rx) = sync_channel::<Batch>(QUEUED_BATCHES);
        let failed = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Progress::default());
        let (o, f, p) = (opts.clone(), failed.clone(), progress.clone());
        let handle = std::thread::spawn(move || sender(&client, &o, &rx, &f, &p));
        Shipper { opts, tx: Some(tx), handle: Some(handle), current: empty(), failed, progress }
    }

    /// Counters the sender updates as batches are acknowledged.
    pub fn progress(&self) -> Arc<Progress> {
        self.progress.clone()
    }

    /// True once a batch could not be stored: stop producing, then call [`Shipper::finish`].
    pub fn failed(&self) -> bool {
        self.failed.load(Ordering::Relaxed)
    }

    /// Adds one row (a JSONEachRow line without newline) of source `path`/`sha256`.
    pub fn push(&mut self, line: &str, path: &str, sha256: &str, offset: Option<u64>, record: u64) {
        let b = &mut self.current;
        b.body.extend_from_slice(line.as_bytes());
        b.body.push(b'\n');
        b.rows += 1;
        match b.spans.last_mut() {
            Some(s) if s.sha256 == sha256 => {
                s.rows += 1;
                s.records.1 = record;
                if let Some(o) = offset {
                    s.offsets = Some(s.offsets.map_or((o, o), |(a, _)| (a, o)));
                }
            }
            _ => b.spans.push(Span {
                path: path.to_string(),
                sha256: sha256.to_string(),
                offsets: offset.map(|o| (o, o)),
                records: (record, record),
                rows: 1,
            }),
        }
        if b.rows as usize >= self.opts.batch_rows || b.body.len() >= self.opts.batch_bytes {
            self.send();
        }
    }

    /// Records `source` once every row pushed so far is acknowledged.
    pub fn source_done(&mut self, source: SourceRecord) {
        self.current.sources.push(source);
    }

    fn send(&mut self) {
        let b = std::mem::replace(&mut self.current, empty());
        if b.rows == 0 && b.sources.is_empty() {
            return;
        }
        if let Some(tx) = &self.tx {
            // A closed channel means the sender stopped on an error, which finish() returns.
            let _ = tx.send(b);
        }
    }

    /// Sends what is left, waits for the sender, and returns the totals, or the error that
    /// stopped it with what was shipped before.
    pub fn finish(mut self) -> std::result::Result<Totals, (Error, Totals)> {
        self.send();
        self.tx.take();
        match self.handle.take().map(|h| h.join()) {
            Some(Ok(r)) => r,
            _ => Err((Error::Answer("the sender thread failed".into()), Totals::default())),
        }
    }
}

fn empty() -> Batch {
    Batch { body: vec![], rows: 0, spans: vec![], sources: vec![] }
}

/// Runs `f` until it succeeds, the error is not retryable, or the attempts are spent.
fn with_retries<T>(
    opts: &Options,
    progress: &Progress,
    totals: &mut Totals,
    mut f: impl FnMut() -> Result<T>,
) -> Result<T> {
    let mut wait = opts.backoff;
    let mut attempt = 1;
    loop {
        match f() {
            Ok(v) => return Ok(v),
            Err(e) if e.retryable() && attempt < opts.attempts.max(1) => {
                attempt += 1;
                totals.retries += 1;
                progress.retries.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(wait);
                wait = (wait * 2).min(Duration::from_secs(30));
            }
            Err(e) => return Err(e),
        }
    }
}

const INSERT_SETTINGS: &[(&str, &str)] = &[
    ("date_time_input_format", "best_effort"),
    // A Distributed table answers only once every shard holds its rows: an acknowledged batch
    // is stored, and a shard that is down fails the batch (which is then retried).
    ("insert_distributed_sync", "1"),
    ("input_format_skip_unknown_fields", "0"),
];

fn sender(
    client: &Client,
    opts: &Options,
    rx: &Receiver<Batch>,
    failed: &AtomicBool,
    progress: &Progress,
) -> std::result::Result<Totals, (Error, Totals)> {
    let mut totals = Totals::default();
    for b in rx {
        if b.rows > 0 {
            let r = with_retries(opts, progress, &mut totals, || {
                client.insert(&opts.table, "JSONEachRow", &b.body, INSERT_SETTINGS)
            });
            if let Err(e) = r {
                failed.store(true, Ordering::Relaxed);
                return Err((batch_error(e, &b, opts), totals));
            }
            totals.rows += b.rows;
            totals.bytes += b.body.len() as u64;
            totals.batches += 1;
            progress.rows.fetch_add(b.rows, Ordering::Relaxed);
        }
        if !b.sources.is_empty() {
            let body = sources_body(&b.sources, &opts.shipper);
            let table = sources_table(&opts.table);
            let r = with_retries(opts, progress, &mut totals, || {
                client.insert(&table, "JSONEachRow", body.as_bytes(), INSERT_SETTINGS)
            });
            if let Err(e) = r {
                failed.store(true, Ordering::Relaxed);
                let paths: Vec<&str> = b.sources.iter().map(|s| s.path.as_str()).collect();
                return Err((
                    Error::Shipping(format!(
                        "the rows of {} were stored but their sources could not be recorded ({e}); \
                         run the same command again: they are shipped again and read once",
                        paths.join(", ")
                    )),
                    totals,
                ));
            }
            totals.sources += b.sources.len() as u64;
        }
    }
    Ok(totals)
}

fn batch_error(e: Error, b: &Batch, opts: &Options) -> Error {
    let spans: Vec<String> = b
        .spans
        .iter()
        .map(|s| {
            format!(
                "{} (sha256 {}): {} rows, records {}–{}{}",
                s.path,
                s.sha256.get(..16).unwrap_or(&s.sha256),
                s.rows,
                s.records.0,
                s.records.1,
                s.offsets.map(|(a, z)| format!(", byte offsets {a}–{z}")).unwrap_or_default()
            )
        })
        .collect();
    let verdict = if e.retryable() {
        format!("after {} attempts", opts.attempts.max(1))
    } else {
        "(not retried: the server rejects these rows as such)".into()
    };
    Error::Shipping(format!(
        "a batch of {} rows was not stored {verdict}: {e}\n  rows from: {}\n  nothing of these sources was recorded as shipped: run the same command again to send them (sources already recorded are skipped; rows that arrive twice are read once)",
        b.rows,
        spans.join("; ")
    ))
}

fn sources_body(sources: &[SourceRecord], shipper: &str) -> String {
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut out = String::new();
    for s in sources {
        let v = serde_json::json!({
            "sha256": s.sha256,
            "content_sha256": s.content_sha256,
            "number": s.number,
            "path": s.path,
            "format": s.format,
            "records": s.records,
            "events": s.events,
            "errors": s.errors,
            "duplicate_of": s.duplicate_of,
            "shipper": shipper,
            "shipped_at": now,
            "manifest": s.manifest,
        });
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}

/// A source already recorded in `<table>_sources`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// SHA-256 of the bytes.
    pub sha256: String,
    /// SHA-256 of the content.
    pub content_sha256: String,
    /// Path.
    pub path: String,
    /// The path it duplicates (empty for a source with rows).
    pub duplicate_of: String,
}

/// The sources recorded for `table` (each once, whatever retries did).
pub fn known_sources(client: &Client, table: &str) -> Result<Vec<Known>> {
    let sql = format!(
        "SELECT sha256, content_sha256, path, duplicate_of FROM {} ORDER BY number, sha256, path LIMIT 1 BY sha256, path FORMAT JSONEachRow",
        ident(&sources_table(table))
    );
    let text = client.query(&sql)?;
    let mut out = vec![];
    for line in text.lines().filter(|l| !l.is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| Error::Answer(e.to_string()))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        out.push(Known {
            sha256: s("sha256"),
            content_sha256: s("content_sha256"),
            path: s("path"),
            duplicate_of: s("duplicate_of"),
        });
    }
    Ok(out)
}

/// Rows stored for `table`: distinct (a row shipped twice counts once), and every copy.
pub fn count_rows(client: &Client, table: &str) -> Result<(u64, u64)> {
    let text = client.query(&format!(
        "SELECT uniqExact(source_sha256, record), count() FROM {} FORMAT TSV",
        ident(table)
    ))?;
    let mut it = text.split_whitespace().map(|n| n.parse::<u64>());
    match (it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b))) => Ok((a, b)),
        _ => Err(Error::Answer(format!("count: {text:?}"))),
    }
}
