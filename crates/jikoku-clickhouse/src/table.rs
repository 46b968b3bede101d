//! The tables and the row of an event.
//!
//! One row per event. Fixed columns:
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `host` | `String` | `host.name` (first value; `''` when absent): first sort key |
//! | `time` | `DateTime` | `@timestamp` to the second (UTC; 1970-01-01 when absent): partition (month) |
//! | `ts` | `Int64` | `@timestamp` in UTC nanoseconds (`-9223372036854775808` when absent) |
//! | `seq` | `UInt64` | source number × 2^32 + record number: the index's tie-break for equal times |
//! | `source_sha256` | `String` | SHA-256 of the source (as in the manifest) |
//! | `record` | `UInt32` | the event's number within its source |
//! | `event` | `String` | the whole event as JSON (what queries return) |
//!
//! and one column per indexed field of the local index ([`jikoku_index::schema::FIELDS`]),
//! named with `_` for `.` (`user.target.name` → `user_target_name`), each an **array**, as a
//! field may hold several values in the index: `Array(String)` for keyword and text fields,
//! `Array(Int64)` for numbers, and `Array(String)` of addresses in canonical form for IP fields
//! (queries compare them as IPv6 numbers, IPv4 mapped).
//!
//! `(source_sha256, record)` identifies a row: a batch sent twice (a retry after a timeout) is
//! stored twice and read once (`LIMIT 1 BY source_sha256, record`).

use jikoku_index::schema::{FIELDS, Kind};
use serde_json::{Map, Value};

/// Default events table.
pub const DEFAULT_TABLE: &str = "jikoku_events";

/// The SQL identifier of a name (backquoted when not plain).
pub fn ident(name: &str) -> String {
    if !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit())
    {
        name.to_string()
    } else {
        format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
    }
}

/// A SQL string literal.
pub fn literal(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('\'');
    for c in s.chars() {
        match c {
            '\'' => o.push_str("\\'"),
            '\\' => o.push_str("\\\\"),
            '\0' => o.push_str("\\0"),
            c => o.push(c),
        }
    }
    o.push('\'');
    o
}

/// The column of an indexed field (`user.target.name` → `user_target_name`).
pub fn column(dotted: &str) -> String {
    dotted.replace('.', "_")
}

/// The ClickHouse type of an indexed field's column.
pub fn column_type(kind: Kind) -> &'static str {
    match kind {
        Kind::I64 => "Array(Int64)",
        Kind::Keyword | Kind::Text | Kind::Ip => "Array(String)",
    }
}

fn columns_sql() -> String {
    let mut cols = vec![
        "host String".to_string(),
        "time DateTime".into(),
        "ts Int64".into(),
        "seq UInt64".into(),
        "source_sha256 String".into(),
        "record UInt32".into(),
    ];
    for (name, kind) in FIELDS {
        cols.push(format!("{} {}", column(name), column_type(*kind)));
    }
    cols.push("event String".into());
    cols.join(",\n  ")
}

/// Name of the sources table of `table`.
pub fn sources_table(table: &str) -> String {
    format!("{table}_sources")
}

fn sources_columns_sql() -> &'static str {
    "sha256 String,\n  content_sha256 String,\n  number UInt64,\n  path String,\n  format String,\n  records UInt64,\n  events UInt64,\n  errors UInt64,\n  duplicate_of String,\n  shipper String,\n  shipped_at DateTime,\n  manifest String"
}

/// Where the events go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One server: `table` and `table_sources` are `MergeTree` tables.
    Single,
    /// A cluster named in the servers' `remote_servers`: `table_local` and
    /// `table_sources_local` (`MergeTree`) on every shard, `table` and `table_sources`
    /// (`Distributed`, sharded by source) on every server that ships or answers.
    Cluster(String),
}

/// `CREATE TABLE IF NOT EXISTS` statements: `local` for a shard (or the single server), then
/// `distributed` for the servers of a cluster (empty for [`Layout::Single`]).
/// `zstd_codec`: the server knows column codecs (19.1 and later): the event JSON gets
/// `CODEC(ZSTD(3))`; older servers compress every column with their configured method (LZ4).
pub fn ddl(table: &str, layout: &Layout, zstd_codec: bool) -> (Vec<String>, Vec<String>) {
    let sources = sources_table(table);
    let mut cols = columns_sql();
    if zstd_codec {
        cols = cols.replace("event String", "event String CODEC(ZSTD(3))");
    }
    let events_engine = "ENGINE = MergeTree()\nPARTITION BY toYYYYMM(time)\nORDER BY (host, ts)";
    let sources_engine = "ENGINE = MergeTree()\nORDER BY sha256";
    match layout {
        Layout::Single => (
            vec![
                format!(
                    "CREATE TABLE IF NOT EXISTS {} (\n  {cols}\n) {events_engine}",
                    ident(table)
                ),
                format!(
                    "CREATE TABLE IF NOT EXISTS {} (\n  {}\n) {sources_engine}",
                    ident(&sources),
                    sources_columns_sql()
                ),
            ],
            vec![],
        ),
        Layout::Cluster(cluster) => {
            let local = format!("{table}_local");
            let sources_local = format!("{sources}_local");
            (
                vec![
                    format!(
                        "CREATE TABLE IF NOT EXISTS {} (\n  {cols}\n) {events_engine}",
                        ident(&local)
                    ),
                    format!(
                        "CREATE TABLE IF NOT EXISTS {} (\n  {}\n) {sources_engine}",
                        ident(&sources_local),
                        sources_columns_sql()
                    ),
                ],
                vec![
                    format!(
                        "CREATE TABLE IF NOT EXISTS {} AS {} ENGINE = Distributed({}, currentDatabase(), {}, cityHash64(source_sha256))",
                        ident(table),
                        ident(&local),
                        ident(cluster),
                        ident(&local)
                    ),
                    format!(
                        "CREATE TABLE IF NOT EXISTS {} AS {} ENGINE = Distributed({}, currentDatabase(), {}, cityHash64(sha256))",
                        ident(&sources),
                        ident(&sources_local),
                        ident(cluster),
                        ident(&sources_local)
                    ),
                ],
            )
        }
    }
}

/// `a.b.c` in a JSON object.
fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in dotted.split('.') {
        cur = cur.get(part)?;
    }
    Some(cur)
}

/// Identity and order of a row.
#[derive(Debug, Clone, Copy)]
pub struct RowKey<'a> {
    /// `@timestamp` in UTC ns (`i64::MIN` when absent), as the index keeps it.
    pub ts: i64,
    /// Source number × 2^32 + record number.
    pub seq: u64,
    /// The source's SHA-256.
    pub source_sha256: &'a str,
}

/// One JSONEachRow line (without the newline) for an event: `event` is its JSON (as the index
/// stores it), `json` the same parsed. The field values follow the index's rules
/// (`jikoku_index::CaseWriter::add`): arrays flattened, non-strings as JSON text in keyword
/// fields, numbers from numbers or numeric strings, addresses only when they parse.
pub fn row(json: &Value, event: &str, key: RowKey<'_>) -> String {
    let mut m = Map::new();
    let host = lookup(json, "host.name")
        .map(|v| match v {
            Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
            other => other.clone(),
        })
        .map(|v| match v {
            Value::String(s) => s,
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .unwrap_or_default();
    m.insert("host".into(), Value::String(host));
    let secs = if key.ts == i64::MIN { 0 } else { key.ts.div_euclid(1_000_000_000) };
    let secs = secs.clamp(0, i64::from(u32::MAX));
    let time = chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into());
    m.insert("time".into(), Value::String(time));
    m.insert("ts".into(), Value::from(key.ts));
    m.insert("seq".into(), Value::from(key.seq));
    m.insert("source_sha256".into(), Value::String(key.source_sha256.to_string()));
    m.insert("record".into(), Value::from(key.seq & 0xffff_ffff));
    for (name, kind) in FIELDS {
        let mut vals: Vec<Value> = vec![];
        if let Some(v) = lookup(json, name) {
            let each: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            for v in each {
                match kind {
                    Kind::Keyword | Kind::Text => {
                        if let Some(s) = v.as_str() {
                            vals.push(Value::String(s.to_string()));
                        } else if !v.is_null() {
                            vals.push(Value::String(v.to_string()));
                        }
                    }
                    Kind::I64 => {
                        if let Some(n) =
                            v.as_i64().or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                        {
                            vals.push(Value::from(n));
                        }
                    }
                    Kind::Ip => {
                        if let Some(ip) =
                            v.as_str().and_then(|s| s.parse::<std::net::IpAddr>().ok())
                        {
                            vals.push(Value::String(ip.to_string()));
                        }
                    }
                }
            }
        }
        m.insert(column(name), Value::Array(vals));
    }
    m.insert("event".into(), Value::String(event.to_string()));
    Value::Object(m).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_literals() {
        assert_eq!(column("user.target.name"), "user_target_name");
        assert_eq!(ident("jikoku_events"), "jikoku_events");
        assert_eq!(ident("a-b"), "`a-b`");
        assert_eq!(literal("it's a \\ test"), "'it\\'s a \\\\ test'");
    }

    #[test]
    fn ddl_shapes() {
        let (local, dist) = ddl("ev", &Layout::Cluster("jikoku".into()), false);
        assert!(local[0].starts_with("CREATE TABLE IF NOT EXISTS ev_local ("));
        assert!(local[0].contains("ORDER BY (host, ts)"));
        assert!(local[0].contains("source_ip Array(String)"));
        assert!(local[0].contains("process_pid Array(Int64)"));
        assert!(dist[0].contains(
            "Distributed(jikoku, currentDatabase(), ev_local, cityHash64(source_sha256))"
        ));
        let (single, none) = ddl("ev", &Layout::Single, true);
        assert!(none.is_empty());
        assert!(single[0].contains("event String CODEC(ZSTD(3))"));
        assert!(single[1].starts_with("CREATE TABLE IF NOT EXISTS ev_sources ("));
    }

    #[test]
    fn a_row() {
        let ev = serde_json::json!({
            "@timestamp": "2002-05-08T04:01:38Z",
            "host": {"name": "mail"},
            "event": {"category": ["authentication"], "action": "ssh-login"},
            "source": {"ip": "::ffff:10.1.2.3", "port": 22},
            "user": {"id": 1000},
            "log": {"offset": 12}
        });
        let r: Value = serde_json::from_str(&row(
            &ev,
            &ev.to_string(),
            RowKey { ts: 1_020_830_498_000_000_000, seq: (3 << 32) | 7, source_sha256: "ab" },
        ))
        .unwrap();
        assert_eq!(r["host"], "mail");
        assert_eq!(r["time"], "2002-05-08T04:01:38Z");
        assert_eq!(r["record"], 7);
        assert_eq!(r["event_category"], serde_json::json!(["authentication"]));
        assert_eq!(r["source_ip"], serde_json::json!(["::ffff:10.1.2.3"]));
        assert_eq!(r["source_port"], serde_json::json!([22]));
        assert_eq!(r["user_id"], serde_json::json!(["1000"]));
        assert_eq!(r["user_name"], serde_json::json!([]));
        let none =
            row(&serde_json::json!({}), "{}", RowKey { ts: i64::MIN, seq: 0, source_sha256: "ab" });
        assert!(none.contains("\"time\":\"1970-01-01T00:00:00Z\""));
    }
}
