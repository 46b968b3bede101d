//! The tantivy schema, in one place.
//!
//! Every indexed field is listed in [`FIELDS`] with its dotted event name (the name used in
//! queries) and its kind. The whole event is stored as JSON in [`STORED_EVENT`] (zstd-compressed
//! doc store, level 9, 256 KiB blocks), so results are complete events. `@timestamp` is an i64 of UTC
//! nanoseconds (FAST), so sub-second order is kept; `jikoku.seq` (source number × 2^32 + record
//! number) gives a stable tie-break.
//!
//! Size (version 2): no field keeps field norms (results are ordered by time, never scored);
//! bare words search `message` and `event.original` directly (no third copy of both);
//! `@timestamp` is not stored twice (the stored event holds it); numbers (`@timestamp`, pids,
//! ports, offsets, line numbers) are fast columns without a term index.
//!
//! Version 3: the keyword fields of [`KEY_COLUMNS`], `event.duration`, `jikoku.time.zone` and
//! the text of a non-canonical `source.ip` are also columns, so that `jikoku at` builds its
//! sessions and links its commands from columns and fetches only the events it prints.

use tantivy::schema::{
    Field, IndexRecordOption, IpAddrOptions, NumericOptions, STORED, Schema, TextFieldIndexing,
    TextOptions,
};

/// Bumped whenever the schema changes; written in the index's commit payload.
pub const SCHEMA_VERSION: u32 = 3;

/// Name of the stored event field.
pub const STORED_EVENT: &str = "_event";
/// `@timestamp` in UTC nanoseconds.
pub const TIMESTAMP_NS: &str = "_ts";
/// Stable order within equal timestamps.
pub const SEQ: &str = "_seq";
/// `process.end` in UTC nanoseconds (accounting records), so that `at` fetches only the
/// processes still running at its time.
pub const PROCESS_END_NS: &str = "_end";
/// `event.duration` in nanoseconds (a column only: a login record's duration ends its session).
pub const DURATION_NS: &str = "_dur";
/// `jikoku.time.zone` (a column only).
pub const ZONE: &str = "_zone";
/// `source.ip` as written, when it is not the address's canonical form (the `source.ip` column
/// holds the address; this column, usually empty, the text that differs).
pub const SOURCE_IP_TEXT: &str = "_sip";

/// Keyword fields that are also columns (FAST), so that `at` reads session and command keys
/// without fetching stored events: see [`crate::Snapshot::search_keys`].
pub const KEY_COLUMNS: &[&str] = &[
    "host.name",
    "event.action",
    "event.outcome",
    "event.dataset",
    "user.name",
    "user.target.name",
    "source.address",
    "process.name",
    "jikoku.tty",
    "jikoku.source.sha256",
];

/// How a field is indexed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Exact string (keyword).
    Keyword,
    /// Integer (ranges).
    I64,
    /// IP address (ranges, CIDR).
    Ip,
    /// Tokenized text.
    Text,
}

/// Indexed fields: (dotted event name, kind).
pub const FIELDS: &[(&str, Kind)] = &[
    ("event.kind", Kind::Keyword),
    ("event.dataset", Kind::Keyword),
    ("event.category", Kind::Keyword),
    ("event.type", Kind::Keyword),
    ("event.action", Kind::Keyword),
    ("event.outcome", Kind::Keyword),
    ("host.name", Kind::Keyword),
    ("user.name", Kind::Keyword),
    ("user.id", Kind::Keyword),
    ("user.target.name", Kind::Keyword),
    ("group.name", Kind::Keyword),
    ("process.name", Kind::Keyword),
    ("process.pid", Kind::I64),
    ("process.parent.pid", Kind::I64),
    ("process.executable", Kind::Keyword),
    ("process.command_line", Kind::Text),
    ("process.exit_code", Kind::I64),
    ("source.address", Kind::Keyword),
    ("source.domain", Kind::Keyword),
    ("source.ip", Kind::Ip),
    ("source.port", Kind::I64),
    ("destination.address", Kind::Keyword),
    ("destination.domain", Kind::Keyword),
    ("destination.ip", Kind::Ip),
    ("destination.port", Kind::I64),
    ("email.from.address", Kind::Keyword),
    ("email.to.address", Kind::Keyword),
    ("email.message_id", Kind::Keyword),
    ("jikoku.mail.queue_id", Kind::Keyword),
    ("jikoku.mail.status", Kind::Keyword),
    ("jikoku.mail.relay", Kind::Keyword),
    ("jikoku.mail.sasl_username", Kind::Keyword),
    ("http.request.method", Kind::Keyword),
    ("http.response.status_code", Kind::I64),
    ("url.original", Kind::Keyword),
    ("url.path", Kind::Keyword),
    ("user_agent.original", Kind::Text),
    ("log.file.path", Kind::Keyword),
    ("log.offset", Kind::I64),
    ("jikoku.line", Kind::I64),
    ("jikoku.tty", Kind::Keyword),
    ("jikoku.source.sha256", Kind::Keyword),
    ("jikoku.time.zone_source", Kind::Keyword),
    ("jikoku.time.year_source", Kind::Keyword),
    ("jikoku.sudo.tsid", Kind::Keyword),
    ("message", Kind::Text),
    ("event.original", Kind::Text),
];

/// The schema and its field handles.
#[derive(Debug, Clone)]
pub struct Fields {
    /// The tantivy schema.
    pub schema: Schema,
    /// Stored event JSON.
    pub event: Field,
    /// `@timestamp` nanoseconds.
    pub ts: Field,
    /// Stable sequence.
    pub seq: Field,
    /// `process.end` nanoseconds.
    pub end: Field,
    /// `event.duration` nanoseconds.
    pub duration: Field,
    /// `jikoku.time.zone`.
    pub zone: Field,
    /// `source.ip` as written when not canonical.
    pub source_ip_text: Field,
    /// `message` (text): bare words search it and [`Fields::original`].
    pub message: Field,
    /// `event.original` (text).
    pub original: Field,
    /// Indexed fields in [`FIELDS`] order.
    pub indexed: Vec<(&'static str, Kind, Field)>,
}

/// Tantivy's field name for a dotted event name (`host.name` → `host__name`).
pub fn tantivy_name(dotted: &str) -> String {
    dotted.replace('.', "__")
}

impl Fields {
    /// Builds the schema.
    pub fn build() -> Fields {
        let mut b = Schema::builder();
        let event = b.add_text_field(STORED_EVENT, STORED);
        // Numbers are columns only (FAST): range and equality queries scan the column, and no
        // term dictionary holds one entry per offset, line or pid.
        let ts = b.add_i64_field(TIMESTAMP_NS, NumericOptions::default().set_fast());
        let seq = b.add_u64_field(SEQ, NumericOptions::default().set_fast());
        let end = b.add_i64_field(PROCESS_END_NS, NumericOptions::default().set_fast());
        let duration = b.add_i64_field(DURATION_NS, NumericOptions::default().set_fast());
        let column_only = TextOptions::default().set_fast(Some("raw"));
        let zone = b.add_text_field(ZONE, column_only.clone());
        let source_ip_text = b.add_text_field(SOURCE_IP_TEXT, column_only);
        // No field norms anywhere: they only serve scoring, and results are ordered by time.
        let keyword = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("raw")
                .set_index_option(IndexRecordOption::Basic)
                .set_fieldnorms(false),
        );
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer("default")
                .set_index_option(IndexRecordOption::WithFreqsAndPositions)
                .set_fieldnorms(false),
        );
        let mut indexed = vec![];
        for (name, kind) in FIELDS {
            let n = tantivy_name(name);
            let f = match kind {
                Kind::Keyword if KEY_COLUMNS.contains(name) => {
                    b.add_text_field(&n, keyword.clone().set_fast(Some("raw")))
                }
                Kind::Keyword => b.add_text_field(&n, keyword.clone()),
                Kind::I64 => b.add_i64_field(&n, NumericOptions::default().set_fast()),
                Kind::Ip => {
                    b.add_ip_addr_field(&n, IpAddrOptions::default().set_indexed().set_fast())
                }
                Kind::Text => b.add_text_field(&n, text.clone()),
            };
            indexed.push((*name, *kind, f));
        }
        let find = |dotted: &str| {
            indexed.iter().find(|(n, _, _)| *n == dotted).map(|(_, _, f)| *f).unwrap_or(event)
        };
        let (message, original) = (find("message"), find("event.original"));
        Fields {
            schema: b.build(),
            event,
            ts,
            seq,
            end,
            duration,
            zone,
            source_ip_text,
            message,
            original,
            indexed,
        }
    }

    /// The indexed field of a dotted name.
    pub fn get(&self, dotted: &str) -> Option<(Kind, Field)> {
        self.indexed.iter().find(|(n, _, _)| *n == dotted).map(|(_, k, f)| (*k, *f))
    }
}
