//! jikoku-index: the case index (tantivy): schema, writer, reader, queries.
//!
//! # Brief overview
//! - [`schema`]: every indexed field, in one module, with [`schema::SCHEMA_VERSION`].
//! - [`CaseIndex::open_or_create`]: the index in a directory.
//! - [`CaseWriter`]: adds events source by source. The evidence manifest (one [`ManifestEntry`]
//!   per source) is written in the **same commit** as the source's events (tantivy's commit
//!   payload), so an interrupted ingest leaves an index whose manifest and events agree: a
//!   source is either wholly in, or not in at all, and a re-run completes what is missing.
//! - [`CaseIndex::search`]: query ([`query`]), time range, limit; results are complete events
//!   sorted by `@timestamp`, then source, then record order.
//!
//! The index knows UTC only and never parses logs.
#![warn(missing_docs)]

pub mod query;
pub mod schema;

use std::path::Path;

use jikoku_core::Event;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::indexer::{NoMergePolicy, UserOperation};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::Value as _;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::schema::{Fields, Kind};

/// Errors of the index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// tantivy failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// File system.
    #[error("index: {0}")]
    Io(#[from] std::io::Error),
    /// A query we cannot read.
    #[error("query: {0}")]
    Query(String),
    /// The directory holds an index of another schema version, or something else.
    #[error("{0}")]
    Incompatible(String),
}

impl Error {
    /// The operating system's error underneath, if any (a full disk: `StorageFull`).
    pub fn io_error(&self) -> Option<&std::io::Error> {
        match self {
            Error::Io(e) => Some(e),
            Error::Tantivy(tantivy::TantivyError::IoError(e)) => Some(e.as_ref()),
            _ => None,
        }
    }
}

/// Result of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// One source in the evidence manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Source number (order of ingestion), part of every event's sort key.
    pub number: u64,
    /// Path as shown in events (inside the image for `--image`).
    pub path: String,
    /// Size in bytes as stored.
    pub size: u64,
    /// Modification time, RFC 3339 UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mtime: Option<String>,
    /// SHA-256 of the bytes read.
    pub sha256: String,
    /// SHA-256 of the decompressed content (differs from `sha256` for compressed sources).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub content_sha256: String,
    /// Parser used.
    pub format: String,
    /// Compression.
    pub compression: String,
    /// Records read.
    pub records: u64,
    /// Events.
    pub events: u64,
    /// Pipeline errors.
    pub errors: u64,
    /// Records already indexed from a newer member of the same rotation chain.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub overlap: u64,
    /// Zone decision.
    pub zone: String,
    /// Where the zone came from.
    pub zone_source: String,
    /// Year decision, for yearless records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<String>,
    /// Warnings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Decisions taken from the image's configuration (web server log formats, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// When the same content was already indexed under another path: that path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A clock skew applied to the indexed events of one host after ingestion (`jikoku skew
/// --apply`), recorded in the manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SkewRecord {
    /// Host (`host.name`).
    pub host: String,
    /// Skew the host's events carried before (the most common `jikoku.time.skew_seconds`).
    pub before_s: f64,
    /// Skew they carry now (total, as `--skew HOST=…` at ingest would have set it).
    pub after_s: f64,
    /// What the estimate came from (reference host, links, pairs, spread).
    pub estimated_from: String,
    /// Events rewritten.
    pub events: u64,
    /// When it was applied (RFC 3339 UTC, the machine's clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<String>,
}

/// One address or name of a host, with the file that states it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Known {
    /// The address or name.
    pub value: String,
    /// Where it was read (`etc/hosts`, `etc/postfix/main.cf`, …).
    pub from: String,
}

/// What an image says about its host's own addresses and names (`ingest --image`), recorded in
/// the manifest: `jikoku complaint` tells our `Received:` hops by them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HostIdentity {
    /// The host name the image gave (as events carry it, or its full form).
    pub host: String,
    /// Its addresses.
    #[serde(default)]
    pub addresses: Vec<Known>,
    /// Its names.
    #[serde(default)]
    pub names: Vec<Known>,
    /// Its mail domains (Postfix `mydomain`).
    #[serde(default)]
    pub domains: Vec<Known>,
}

impl HostIdentity {
    fn merge(&mut self, o: &HostIdentity) {
        for (mine, theirs) in [
            (&mut self.addresses, &o.addresses),
            (&mut self.names, &o.names),
            (&mut self.domains, &o.domains),
        ] {
            for k in theirs {
                if !mine.iter().any(|x| x.value == k.value) {
                    mine.push(k.clone());
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Payload {
    schema_version: u32,
    sources: Vec<ManifestEntry>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    skews: Vec<SkewRecord>,
    /// What ingesting found and did not index (devices, FIFOs, links not followed, unreadable
    /// entries), each once, as reported.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    skipped: Vec<String>,
    /// Hosts' own addresses and names, from their images.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    identities: Vec<HostIdentity>,
}

/// A case index in a directory.
pub struct CaseIndex {
    index: Index,
    fields: Fields,
    reader: IndexReader,
}

impl CaseIndex {
    /// Opens the index in `dir`, creating it (and `dir`) when absent.
    pub fn open_or_create(dir: &Path) -> Result<CaseIndex> {
        let fields = Fields::build();
        std::fs::create_dir_all(dir)?;
        let index = if dir.join("meta.json").exists() {
            let index = Index::open_in_dir(dir)?;
            if index.schema() != fields.schema {
                return Err(Error::Incompatible(format!(
                    "{}: index written by another schema version (this jikoku writes version {})",
                    dir.display(),
                    schema::SCHEMA_VERSION
                )));
            }
            index
        } else {
            let settings = tantivy::IndexSettings {
                // zstd level 9 in 256 KiB blocks: the stored events are 25% smaller than at
                // level 3 in 64 KiB blocks (153 → 114 MB on the 200 MB generated set); a hit
                // costs one block (~0.2 ms), and `at` fetches neighbouring events together.
                docstore_compression: tantivy::store::Compressor::Zstd(
                    tantivy::store::ZstdCompressor { compression_level: Some(9) },
                ),
                docstore_blocksize: 256 * 1024,
                ..Default::default()
            };
            Index::builder().schema(fields.schema.clone()).settings(settings).create_in_dir(dir)?
        };
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(CaseIndex { index, fields, reader })
    }

    /// Opens an existing index; an absent one is an error.
    pub fn open(dir: &Path) -> Result<CaseIndex> {
        if !dir.join("meta.json").exists() {
            return Err(Error::Incompatible(format!(
                "{}: no jikoku index here (run jikoku ingest first)",
                dir.display()
            )));
        }
        Self::open_or_create(dir)
    }

    fn payload(&self) -> Result<Payload> {
        let metas = self.index.load_metas()?;
        match metas.payload {
            Some(p) => serde_json::from_str(&p)
                .map_err(|e| Error::Incompatible(format!("manifest unreadable: {e}"))),
            None => Ok(Payload { schema_version: schema::SCHEMA_VERSION, ..Default::default() }),
        }
    }

    /// The evidence manifest: every source committed, in ingestion order.
    pub fn manifest(&self) -> Result<Vec<ManifestEntry>> {
        Ok(self.payload()?.sources)
    }

    /// Skews applied after ingestion, in order.
    pub fn skews(&self) -> Result<Vec<SkewRecord>> {
        Ok(self.payload()?.skews)
    }

    /// Every event of one host (`host.name`), with its sort key (`@timestamp` ns, sequence),
    /// in time order.
    pub fn host_events(&self, host: &str) -> Result<Vec<(i64, u64, serde_json::Value)>> {
        self.reader.reload()?;
        let searcher = self.reader.searcher();
        let Some((_, field)) = self.fields.get("host.name") else {
            return Err(Error::Query("host.name is not indexed".into()));
        };
        let q = tantivy::query::TermQuery::new(
            Term::from_field_text(field, host),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let keyed = searcher.search(&q, &TimeOrder { limit: None })?;
        let mut out = Vec::with_capacity(keyed.len());
        for (ts, seq, addr) in keyed {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let Some(text) = doc.get_first(self.fields.event).and_then(|v| v.as_str()) else {
                continue;
            };
            let v = serde_json::from_str(text)
                .map_err(|e| Error::Incompatible(format!("stored event unreadable: {e}")))?;
            out.push((ts, seq, v));
        }
        Ok(out)
    }

    /// What ingesting found and did not index (devices, FIFOs, sockets, links not followed,
    /// unreadable entries), as reported, each once.
    pub fn skipped(&self) -> Result<Vec<String>> {
        Ok(self.payload()?.skipped)
    }

    /// The hosts' own addresses and names found in their images, one entry per host.
    pub fn identities(&self) -> Result<Vec<HostIdentity>> {
        Ok(self.payload()?.identities)
    }

    /// A writer with a fixed memory budget (bytes, at least 15 MB per thread).
    pub fn writer(&self, memory_budget: usize) -> Result<CaseWriter> {
        let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4);
        let budget = memory_budget.max(threads * 16_000_000);
        let writer: IndexWriter = self.index.writer_with_num_threads(threads, budget)?;
        writer.set_merge_policy(Box::new(NoMergePolicy));
        let payload = self.payload()?;
        let mut lookup = Lookup::default();
        for (i, e) in payload.sources.iter().enumerate() {
            lookup.add(i, e);
        }
        Ok(CaseWriter {
            lookup,
            writer,
            builder: DocBuilder { fields: self.fields.clone() },
            payload,
            pending: vec![],
            payload_skews: vec![],
            pending_skipped: vec![],
            pending_identities: vec![],
            since_commit: 0,
            commit_every: COMMIT_EVERY_EVENTS,
            batch: vec![],
        })
    }

    /// Events matching `query` within [from, to] (UTC nanoseconds, inclusive), sorted by time,
    /// source and record order; at most `limit`.
    pub fn search(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<serde_json::Value>> {
        self.search_running(query, from, to, None, limit)
    }

    /// As [`CaseIndex::search`], keeping only events whose `process.end` is at or after
    /// `ends_after` (UTC nanoseconds) when given: the processes still running then.
    pub fn search_running(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        ends_after: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<serde_json::Value>> {
        self.snapshot()?.search_running(query, from, to, ends_after, limit)
    }

    /// The index as it is now: what [`Snapshot::search_keys`] returns can be fetched with
    /// [`Snapshot::fetch`] of the same snapshot, whatever is committed meanwhile.
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        self.reader.reload()?;
        Ok(Snapshot { fields: &self.fields, searcher: self.reader.searcher() })
    }

    /// Visits every event in storage order (not time order) with its sort key: `@timestamp`
    /// (UTC ns), the sequence (source number × 2^32 + record number) and the stored JSON text.
    /// Memory stays flat whatever the index size (`jikoku ship --index` streams it).
    /// The visitor's error stops the scan and is returned.
    pub fn scan<E: From<Error>>(
        &self,
        f: &mut dyn FnMut(i64, u64, &str) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.reader.reload().map_err(Error::from)?;
        let searcher = self.reader.searcher();
        for segment in searcher.segment_readers() {
            let ts = segment.fast_fields().i64(schema::TIMESTAMP_NS).map_err(Error::from)?;
            let seq = segment.fast_fields().u64(schema::SEQ).map_err(Error::from)?;
            let store = segment.get_store_reader(64).map_err(Error::from)?;
            let alive = segment.alive_bitset();
            for doc in 0..segment.max_doc() {
                if alive.is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let d: TantivyDocument = store.get(doc).map_err(Error::from)?;
                if let Some(text) = d.get_first(self.fields.event).and_then(|v| v.as_str()) {
                    f(ts.first(doc).unwrap_or(i64::MIN), seq.first(doc).unwrap_or(0), text)?;
                }
            }
        }
        Ok(())
    }

    /// Number of events in the index.
    pub fn count(&self) -> Result<u64> {
        self.reader.reload()?;
        Ok(self.reader.searcher().num_docs())
    }
}

/// A fixed view of the index (see [`CaseIndex::snapshot`]).
pub struct Snapshot<'a> {
    fields: &'a Fields,
    searcher: tantivy::Searcher,
}

/// The key under which [`Snapshot::search_keys`] puts a light event's reference.
pub const REF_KEY: &str = "_ref";

impl Snapshot<'_> {
    fn query(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        ends_after: Option<i64>,
    ) -> Result<Box<dyn Query>> {
        let mut q: Box<dyn Query> = query::parse(self.fields, query)?;
        if from.is_some() || to.is_some() {
            let b = |v: Option<i64>| match v {
                Some(n) => std::ops::Bound::Included(Term::from_field_i64(self.fields.ts, n)),
                None => std::ops::Bound::Unbounded,
            };
            q = Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::Must, Box::new(RangeQuery::new(b(from), b(to)))),
            ]));
        }
        if let Some(e) = ends_after {
            q = Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (
                    Occur::Must,
                    Box::new(RangeQuery::new(
                        std::ops::Bound::Included(Term::from_field_i64(self.fields.end, e)),
                        std::ops::Bound::Unbounded,
                    )),
                ),
            ]));
        }
        Ok(q)
    }

    /// As [`CaseIndex::search_running`], on this snapshot.
    pub fn search_running(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        ends_after: Option<i64>,
        limit: Option<usize>,
    ) -> Result<Vec<serde_json::Value>> {
        let keyed = match limit {
            Some(k) => self.first_by_time(query, from, to, ends_after, k)?,
            None => {
                let q = self.query(query, from, to, ends_after)?;
                self.searcher.search(&q, &TimeOrder { limit })?
            }
        };
        let mut out = Vec::with_capacity(keyed.len());
        for (_, _, addr) in keyed {
            if let Some(v) = self.doc(addr)? {
                out.push(v);
            }
        }
        Ok(out)
    }

    /// The first `k` matches by time. The first `k` of [from, to] are the first `k` of
    /// [from, hi] as soon as [from, hi] holds `k` matches, so a short span at the start of the
    /// range is searched first, widened eightfold until it holds `k` matches or covers it all:
    /// "the first ten events" reads a few thousand documents' columns, not the whole index.
    fn first_by_time(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        ends_after: Option<i64>,
        k: usize,
    ) -> Result<Vec<Keyed>> {
        let whole = self.query(query, from, to, ends_after)?;
        // Few matches: collect them all. Narrowing scans the time column (~1 ns a document),
        // collecting costs ~30 ns a match.
        let few = k
            .saturating_mul(64)
            .max(usize::try_from(self.searcher.num_docs() / 32).unwrap_or(usize::MAX));
        // The estimate of the postings (a union counts each part, an intersection its
        // smallest part): no document is visited to decide.
        let weight =
            whole.weight(tantivy::query::EnableScoring::disabled_from_searcher(&self.searcher))?;
        let mut estimate = 0usize;
        for seg in self.searcher.segment_readers() {
            let hint = weight.scorer(seg, 1.0)?.size_hint();
            estimate = estimate.saturating_add(usize::try_from(hint).unwrap_or(usize::MAX));
        }
        if estimate <= few {
            return Ok(self.searcher.search(&whole, &TimeOrder { limit: Some(k) })?);
        }
        let mut bounds: Option<(i64, i64)> = None;
        for seg in self.searcher.segment_readers() {
            if seg.num_docs() == 0 {
                continue;
            }
            let ts = seg.fast_fields().i64(schema::TIMESTAMP_NS)?;
            let (lo, hi) = (ts.min_value(), ts.max_value());
            bounds = Some(bounds.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
        let Some((lo, hi)) = bounds else { return Ok(vec![]) };
        let start = from.map_or(lo, |f| f.max(lo));
        let end = to.map_or(hi, |t| t.min(hi));
        // A thousandth of the range to begin with (at least a second).
        let width = i128::from(end) - i128::from(start);
        let mut span = (width / 1024).max(1_000_000_000);
        while span < width {
            let hi = i64::try_from(i128::from(start) + span).unwrap_or(end);
            let q = self.query(query, Some(start), Some(hi), ends_after)?;
            let keyed = self.searcher.search(&q, &TimeOrder { limit: Some(k) })?;
            if keyed.len() >= k {
                return Ok(keyed);
            }
            span = span.saturating_mul(8);
        }
        Ok(self.searcher.search(&whole, &TimeOrder { limit: Some(k) })?)
    }

    fn doc(&self, addr: DocAddress) -> Result<Option<serde_json::Value>> {
        let doc: TantivyDocument = self.searcher.doc(addr)?;
        Ok(doc
            .get_first(self.fields.event)
            .and_then(|v| v.as_str())
            .and_then(|s| serde_json::from_str(s).ok()))
    }

    /// As [`Snapshot::search_running`] without a limit, but each event is *light*: a flat
    /// object (keys are dotted names) of the fields kept in columns, read without touching
    /// the stored events: `@timestamp`,
    /// the keyword fields of [`schema::KEY_COLUMNS`], `source.ip`, `source.port`,
    /// `process.pid`, `process.end`, `event.duration`, `log.offset`, `jikoku.time.zone`, each
    /// with the value the stored event holds (absent when the event has none), plus
    /// [`REF_KEY`]: a number that [`Snapshot::fetch`] turns into the whole event.
    pub fn search_keys(
        &self,
        query: &str,
        from: Option<i64>,
        to: Option<i64>,
        ends_after: Option<i64>,
    ) -> Result<Vec<serde_json::Value>> {
        let q = self.query(query, from, to, ends_after)?;
        let keyed = self.searcher.search(&q, &TimeOrder { limit: None })?;
        let mut cols: std::collections::HashMap<SegmentOrdinal, KeyColumns> =
            std::collections::HashMap::new();
        let mut out = Vec::with_capacity(keyed.len());
        for (ts, _, addr) in keyed {
            let c = match cols.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(KeyColumns::open(self.searcher.segment_reader(addr.segment_ord))?)
                }
            };
            let r = (u64::from(addr.segment_ord) << 32) | u64::from(addr.doc_id);
            out.push(c.light(addr.doc_id, ts, r)?);
        }
        Ok(out)
    }

    /// The whole events of references returned by [`Snapshot::search_keys`], in the order
    /// asked (a reference that names no event is an error).
    pub fn fetch(&self, refs: &[u64]) -> Result<Vec<serde_json::Value>> {
        // Read in storage order (each block of the store is decompressed once), answer in
        // the order asked.
        let mut order: Vec<usize> = (0..refs.len()).collect();
        order.sort_by_key(|i| refs.get(*i).copied().unwrap_or(0));
        let mut got: Vec<Option<serde_json::Value>> = vec![None; refs.len()];
        let mut last: Option<(u64, serde_json::Value)> = None;
        for i in order {
            let Some(&r) = refs.get(i) else { continue };
            let v = match &last {
                Some((lr, v)) if *lr == r => v.clone(),
                _ => {
                    let seg = u32::try_from(r >> 32).unwrap_or(u32::MAX);
                    let doc = (r & 0xffff_ffff) as u32;
                    if (seg as usize) >= self.searcher.segment_readers().len() {
                        return Err(Error::Query(format!("no event {r}")));
                    }
                    let v = self
                        .doc(DocAddress::new(seg, doc))?
                        .ok_or_else(|| Error::Query(format!("no stored event {r}")))?;
                    last = Some((r, v.clone()));
                    v
                }
            };
            if let Some(slot) = got.get_mut(i) {
                *slot = Some(v);
            }
        }
        Ok(got.into_iter().flatten().collect())
    }
}

/// The text of an address as the light events give it: IPv4 for IPv4-mapped addresses.
fn ip_text(a: std::net::Ipv6Addr) -> String {
    match a.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => a.to_string(),
    }
}

fn rfc3339_ns(ns: i64) -> String {
    chrono::DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// A string column and the strings of the ordinals read so far.
struct StrCol {
    name: &'static str,
    col: Option<tantivy::columnar::StrColumn>,
    seen: std::collections::HashMap<u64, String>,
}

impl StrCol {
    fn get(&mut self, doc: DocId) -> Result<Option<String>> {
        let Some(col) = &self.col else { return Ok(None) };
        let Some(ord) = col.term_ords(doc).next() else { return Ok(None) };
        if let Some(s) = self.seen.get(&ord) {
            return Ok(Some(s.clone()));
        }
        let mut s = String::new();
        if !col.ord_to_str(ord, &mut s)? {
            return Ok(None);
        }
        self.seen.insert(ord, s.clone());
        Ok(Some(s))
    }
}

/// The columns of one segment that light events are read from.
struct KeyColumns {
    strs: Vec<StrCol>,
    ints: Vec<(&'static str, Option<Column<i64>>)>,
    end: Option<Column<i64>>,
    ip: Option<Column<std::net::Ipv6Addr>>,
    ip_text: StrCol,
}

impl KeyColumns {
    fn open(seg: &SegmentReader) -> Result<KeyColumns> {
        let ff = seg.fast_fields();
        let mut strs = vec![];
        for name in schema::KEY_COLUMNS {
            strs.push(StrCol {
                name,
                col: ff.str(&schema::tantivy_name(name))?,
                seen: Default::default(),
            });
        }
        strs.push(StrCol {
            name: "jikoku.time.zone",
            col: ff.str(schema::ZONE)?,
            seen: Default::default(),
        });
        let mut ints = vec![];
        for (dotted, col) in [
            ("process.pid", schema::tantivy_name("process.pid")),
            ("source.port", schema::tantivy_name("source.port")),
            ("log.offset", schema::tantivy_name("log.offset")),
            ("event.duration", schema::DURATION_NS.to_string()),
        ] {
            ints.push((dotted, ff.column_opt::<i64>(&col)?));
        }
        Ok(KeyColumns {
            strs,
            ints,
            end: ff.column_opt::<i64>(schema::PROCESS_END_NS)?,
            ip: ff.column_opt::<std::net::Ipv6Addr>(&schema::tantivy_name("source.ip"))?,
            ip_text: StrCol {
                name: "source.ip",
                col: ff.str(schema::SOURCE_IP_TEXT)?,
                seen: Default::default(),
            },
        })
    }

    fn light(&mut self, doc: DocId, ts: i64, r: u64) -> Result<serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("@timestamp".into(), serde_json::Value::String(rfc3339_ns(ts)));
        m.insert(REF_KEY.into(), serde_json::Value::from(r));
        for c in &mut self.strs {
            if let Some(s) = c.get(doc)? {
                m.insert(c.name.into(), serde_json::Value::String(s));
            }
        }
        for (name, col) in &self.ints {
            if let Some(n) = col.as_ref().and_then(|c| c.first(doc)) {
                m.insert((*name).into(), serde_json::Value::from(n));
            }
        }
        if let Some(e) = self.end.as_ref().and_then(|c| c.first(doc)) {
            m.insert("process.end".into(), serde_json::Value::String(rfc3339_ns(e)));
        }
        let ip = match self.ip_text.get(doc)? {
            Some(t) => Some(t),
            None => self.ip.as_ref().and_then(|c| c.first(doc)).map(ip_text),
        };
        if let Some(ip) = ip {
            m.insert("source.ip".into(), serde_json::Value::String(ip));
        }
        Ok(serde_json::Value::Object(m))
    }
}

/// Adds events, source by source; see the crate doc for the commit rule.
pub struct CaseWriter {
    writer: IndexWriter,
    /// The schema's fields, and the documents built from events.
    builder: DocBuilder,
    payload: Payload,
    pending: Vec<ManifestEntry>,
    payload_skews: Vec<SkewRecord>,
    pending_skipped: Vec<String>,
    pending_identities: Vec<HostIdentity>,
    since_commit: u64,
    commit_every: u64,
    lookup: Lookup,
    batch: Vec<UserOperation>,
}

/// Positions (in committed-then-pending order) of manifest entries by hash and path, so that
/// ingesting a million files does not scan the manifest once per file.
#[derive(Default)]
struct Lookup {
    /// SHA-256 of the stored bytes → first non-duplicate entry.
    by_sha: std::collections::HashMap<String, usize>,
    /// SHA-256 of the content or of the stored bytes → first non-duplicate entry.
    by_content: std::collections::HashMap<String, usize>,
    /// Every path (sources and duplicates).
    paths: std::collections::HashSet<String>,
}

impl Lookup {
    fn add(&mut self, i: usize, e: &ManifestEntry) {
        self.paths.insert(e.path.clone());
        if e.duplicate_of.is_some() {
            return;
        }
        self.by_sha.entry(e.sha256.clone()).or_insert(i);
        // The first entry wins, whichever of its two hashes matched (as a scan in order would).
        if !e.content_sha256.is_empty() {
            self.by_content.entry(e.content_sha256.clone()).or_insert(i);
        }
        self.by_content.entry(e.sha256.clone()).or_insert(i);
    }
}

/// Commit after this many events (at a source boundary).
const COMMIT_EVERY_EVENTS: u64 = 500_000;

impl CaseWriter {
    /// Commit at the first source boundary after this many events (default 500,000).
    pub fn set_commit_every(&mut self, events: u64) {
        self.commit_every = events.max(1);
    }

    /// The manifest entry of a source already indexed with this SHA-256 (committed or pending).
    pub fn find_sha(&self, sha256: &str) -> Option<&ManifestEntry> {
        self.lookup.by_sha.get(sha256).and_then(|i| self.entry_at(*i))
    }

    /// The manifest entry of a source whose decompressed content has this SHA-256.
    pub fn find_content(&self, content_sha256: &str) -> Option<&ManifestEntry> {
        self.lookup.by_content.get(content_sha256).and_then(|i| self.entry_at(*i))
    }

    /// True when a source (or duplicate) with this path is in the manifest.
    pub fn has_path(&self, path: &str) -> bool {
        self.lookup.paths.contains(path)
    }

    /// Entry `i` of the committed sources followed by the pending ones.
    fn entry_at(&self, i: usize) -> Option<&ManifestEntry> {
        let committed = self.payload.sources.len();
        match i.checked_sub(committed) {
            None => self.payload.sources.get(i),
            Some(j) => self.pending.get(j),
        }
    }

    /// The number the next source gets.
    pub fn next_source_number(&self) -> u64 {
        (self.payload.sources.len() + self.pending.len()) as u64
    }

    /// Adds one event of source `source` (its `record`-th record).
    pub fn add(&mut self, e: &Event, source: u64, record: u64) -> Result<()> {
        let doc = self.builder.build(e)?;
        self.add_prepared(doc, source, record)
    }

    /// A builder of this index's documents, to build them on other threads (ingest builds them
    /// on its parsing threads and hands them to [`CaseWriter::add_prepared`]).
    pub fn doc_builder(&self) -> DocBuilder {
        self.builder.clone()
    }

    /// Adds a document built by [`DocBuilder::build`] as the `record`-th record of `source`.
    pub fn add_prepared(&mut self, doc: Prepared, source: u64, record: u64) -> Result<()> {
        self.push(doc.0, (source << 32) | (record & 0xffff_ffff))
    }

    /// Queues a document with its sequence key; documents go to tantivy's indexing threads in
    /// batches (one channel message and one wake-up per batch instead of per document).
    fn push(&mut self, mut doc: TantivyDocument, seq: u64) -> Result<()> {
        doc.add_u64(self.builder.fields.seq, seq);
        self.batch.push(UserOperation::Add(doc));
        self.since_commit += 1;
        if self.batch.len() >= WRITE_BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends the queued documents to the writer (before a delete, a commit, or at the end).
    fn flush(&mut self) -> Result<()> {
        if !self.batch.is_empty() {
            self.writer.run(std::mem::take(&mut self.batch))?;
        }
        Ok(())
    }

    /// Replaces every event of `host` by `events` (`@timestamp` ns, sequence key as returned by
    /// [`CaseIndex::host_events`], event) and records `skew` in the manifest, in one commit:
    /// the index shows either the old events or the new ones, never both or neither.
    pub fn replace_host(
        &mut self,
        host: &str,
        events: &[(i64, u64, serde_json::Value)],
        skew: SkewRecord,
    ) -> Result<()> {
        let Some((_, field)) = self.builder.fields.get("host.name") else {
            return Err(Error::Query("host.name is not indexed".into()));
        };
        // Documents queued before the delete must be sent first: a delete removes only the
        // documents added before it.
        self.flush()?;
        self.writer.delete_term(Term::from_field_text(field, host));
        for (ts, seq, e) in events {
            let doc = self.builder.doc_from_json(e, *ts);
            self.push(doc, *seq)?;
        }
        self.payload_skews.push(skew);
        self.commit()
    }

    /// Records a finished source; commits when enough events are pending.
    pub fn finish_source(&mut self, entry: ManifestEntry) -> Result<()> {
        self.lookup.add(self.payload.sources.len() + self.pending.len(), &entry);
        self.pending.push(entry);
        if self.since_commit >= self.commit_every {
            self.commit()?;
        }
        Ok(())
    }

    /// Records entries that were found and not indexed (kept in the manifest with the next
    /// commit; an entry already recorded is not repeated).
    pub fn note_skipped(&mut self, what: impl IntoIterator<Item = String>) {
        self.pending_skipped.extend(what);
    }

    /// Records a host's own addresses and names (kept with the next commit, merged with what
    /// is already known of that host).
    pub fn note_identity(&mut self, id: HostIdentity) {
        self.pending_identities.push(id);
    }

    /// Commits the pending sources and their events together.
    pub fn commit(&mut self) -> Result<()> {
        let mut next = self.payload.clone();
        next.schema_version = schema::SCHEMA_VERSION;
        next.sources.extend(self.pending.iter().cloned());
        next.skews.extend(self.payload_skews.iter().cloned());
        for s in &self.pending_skipped {
            if !next.skipped.contains(s) {
                next.skipped.push(s.clone());
            }
        }
        for id in &self.pending_identities {
            match next.identities.iter_mut().find(|x| x.host == id.host) {
                Some(x) => x.merge(id),
                None => next.identities.push(id.clone()),
            }
        }
        let text = serde_json::to_string(&next).map_err(|e| Error::Query(e.to_string()))?;
        self.flush()?;
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&text);
        prepared.commit()?;
        self.payload = next;
        self.pending.clear();
        self.payload_skews.clear();
        self.pending_skipped.clear();
        self.pending_identities.clear();
        self.since_commit = 0;
        Ok(())
    }

    /// Commits, then merges segments and waits for the merge threads.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// Builds index documents from events; cheap to clone and shareable across threads.
#[derive(Clone)]
pub struct DocBuilder {
    fields: Fields,
}

/// A document built by [`DocBuilder::build`], waiting for its place in the index.
pub struct Prepared(TantivyDocument);

/// Documents queued before they are sent to tantivy's indexing threads.
const WRITE_BATCH: usize = 1024;

impl DocBuilder {
    /// The document of one event (stored JSON, indexed fields, columns).
    pub fn build(&self, e: &Event) -> Result<Prepared> {
        let json = serde_json::to_value(e).map_err(|err| Error::Query(err.to_string()))?;
        let ts = e.timestamp.and_then(|t| t.utc.timestamp_nanos_opt()).unwrap_or(i64::MIN);
        Ok(Prepared(self.doc_from_json(&json, ts)))
    }

    /// The document of a stored event (`ts`: its time in ns when the JSON has none); the
    /// sequence key is added by the writer.
    pub(crate) fn doc_from_json(&self, json: &serde_json::Value, ts: i64) -> TantivyDocument {
        // The instant the stored event shows (its sub-second digits as written): time ranges,
        // order and light events agree with what is printed.
        let ts = json
            .get("@timestamp")
            .and_then(|v| v.as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|d| d.timestamp_nanos_opt())
            .unwrap_or(ts);
        let mut doc = TantivyDocument::default();
        doc.add_text(self.fields.event, json.to_string());
        doc.add_i64(self.fields.ts, ts);
        if let Some(end) = lookup(json, "process.end")
            .and_then(|v| v.as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|d| d.timestamp_nanos_opt())
        {
            doc.add_i64(self.fields.end, end);
        }
        if let Some(d) = lookup(json, "event.duration").and_then(|v| v.as_i64()) {
            doc.add_i64(self.fields.duration, d);
        }
        if let Some(z) = lookup(json, "jikoku.time.zone").and_then(|v| v.as_str()) {
            doc.add_text(self.fields.zone, z);
        }
        if let Some(ip) = lookup(json, "source.ip").and_then(|v| v.as_str()) {
            let canonical = ip.parse::<std::net::IpAddr>().ok().map(|a| ip_text(query::ip6(a)));
            if canonical.as_deref() != Some(ip) {
                doc.add_text(self.fields.source_ip_text, ip);
            }
        }
        for (name, kind, field) in &self.fields.indexed {
            let Some(v) = lookup(json, name) else { continue };
            let values: Vec<&serde_json::Value> = match v {
                serde_json::Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for v in values {
                match kind {
                    Kind::Keyword | Kind::Text => {
                        if let Some(s) = v.as_str() {
                            doc.add_text(*field, s);
                        } else if !v.is_null() {
                            doc.add_text(*field, v.to_string());
                        }
                    }
                    Kind::I64 => {
                        if let Some(n) =
                            v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        {
                            doc.add_i64(*field, n);
                        }
                    }
                    Kind::Ip => {
                        if let Some(ip) =
                            v.as_str().and_then(|s| s.parse::<std::net::IpAddr>().ok())
                        {
                            let v6 = match ip {
                                std::net::IpAddr::V4(a) => a.to_ipv6_mapped(),
                                std::net::IpAddr::V6(a) => a,
                            };
                            doc.add_ip_addr(*field, v6);
                        }
                    }
                }
            }
        }
        doc
    }
}

/// `a.b.c` in a JSON object.
fn lookup<'a>(v: &'a serde_json::Value, dotted: &str) -> Option<&'a serde_json::Value> {
    let mut cur = v;
    for part in dotted.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

/// Collects matching documents in (`@timestamp`, sequence) order, keeping only the first `limit`
/// when given (each segment trims its list as it grows, so memory stays proportional to `limit`).
struct TimeOrder {
    limit: Option<usize>,
}

type Keyed = (i64, u64, DocAddress);

fn trim(v: &mut Vec<Keyed>, limit: Option<usize>) {
    v.sort_unstable_by_key(|(t, s, _)| (*t, *s));
    if let Some(l) = limit {
        v.truncate(l);
    }
}

struct TimeOrderSegment {
    ts: Column<i64>,
    seq: Column<u64>,
    segment: SegmentOrdinal,
    limit: Option<usize>,
    hits: Vec<Keyed>,
}

impl Collector for TimeOrder {
    type Fruit = Vec<Keyed>;
    type Child = TimeOrderSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TimeOrderSegment> {
        Ok(TimeOrderSegment {
            ts: reader.fast_fields().i64(schema::TIMESTAMP_NS)?,
            seq: reader.fast_fields().u64(schema::SEQ)?,
            segment,
            limit: self.limit,
            hits: vec![],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Keyed>>) -> tantivy::Result<Vec<Keyed>> {
        let mut all: Vec<Keyed> = fruits.into_iter().flatten().collect();
        trim(&mut all, self.limit);
        Ok(all)
    }
}

impl SegmentCollector for TimeOrderSegment {
    type Fruit = Vec<Keyed>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        let ts = self.ts.first(doc).unwrap_or(i64::MIN);
        let seq = self.seq.first(doc).unwrap_or(0);
        self.hits.push((ts, seq, DocAddress::new(self.segment, doc)));
        if let Some(l) = self.limit {
            if self.hits.len() >= l.saturating_mul(4).max(1024) {
                trim(&mut self.hits, self.limit);
            }
        }
    }

    fn harvest(mut self) -> Vec<Keyed> {
        trim(&mut self.hits, self.limit);
        self.hits
    }
}
