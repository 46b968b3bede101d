//! Events as Apache Parquet (feature `analytics-parquet`): one row per event, the main ECS fields
//! as flat typed columns ([`COLUMNS`]), plus the whole event as JSON text (`event_json`), so
//! nothing is lost. Written with polars' Parquet writer (zstd).
//!
//! [`write_partitioned`] writes hive-style directories, `host=NAME/date=YYYY-MM-DD/part-0.parquet`,
//! that Spark, Trino, DuckDB and ClickHouse's `file()` read as partitioned tables.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::field_text;

/// Type of a flat column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `@timestamp`: timestamp[ns, UTC].
    Timestamp,
    /// Text (arrays joined with `,`).
    Text,
    /// 64-bit integer.
    Int,
    /// 64-bit float.
    Float,
    /// Boolean.
    Bool,
}

/// The flat columns, in order, with their types; then `event_json`.
pub const COLUMNS: &[(&str, Kind)] = &[
    ("@timestamp", Kind::Timestamp),
    ("host.name", Kind::Text),
    ("event.dataset", Kind::Text),
    ("event.action", Kind::Text),
    ("event.category", Kind::Text),
    ("event.type", Kind::Text),
    ("event.outcome", Kind::Text),
    ("user.name", Kind::Text),
    ("user.id", Kind::Text),
    ("user.target.name", Kind::Text),
    ("source.ip", Kind::Text),
    ("source.address", Kind::Text),
    ("source.port", Kind::Int),
    ("destination.ip", Kind::Text),
    ("process.name", Kind::Text),
    ("process.pid", Kind::Int),
    ("process.executable", Kind::Text),
    ("process.command_line", Kind::Text),
    ("http.request.method", Kind::Text),
    ("http.response.status_code", Kind::Int),
    ("url.original", Kind::Text),
    ("user_agent.original", Kind::Text),
    ("message", Kind::Text),
    ("event.original", Kind::Text),
    ("log.file.path", Kind::Text),
    ("log.offset", Kind::Int),
    ("jikoku.line", Kind::Int),
    ("jikoku.source.sha256", Kind::Text),
    ("jikoku.time.local", Kind::Text),
    ("jikoku.time.zone", Kind::Text),
    ("jikoku.time.zone_source", Kind::Text),
    ("jikoku.time.year", Kind::Text),
    ("jikoku.time.year_source", Kind::Text),
    ("jikoku.time.skew_seconds", Kind::Float),
    ("jikoku.time.ambiguous", Kind::Bool),
    ("jikoku.time.note", Kind::Text),
];

/// Name of the column holding the whole event as JSON text.
pub const EVENT_JSON: &str = "event_json";

fn value<'a>(e: &'a Value, dotted: &str) -> Option<&'a Value> {
    if dotted == "@timestamp" {
        return e.get("@timestamp");
    }
    dotted.split('.').try_fold(e, |v, k| v.get(k)).filter(|v| !v.is_null())
}

/// `@timestamp` as UTC nanoseconds since the epoch.
pub fn timestamp_ns(e: &Value) -> Option<i64> {
    value(e, "@timestamp")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .and_then(|t| t.timestamp_nanos_opt())
}

/// The events as a frame ([`COLUMNS`] then [`EVENT_JSON`]).
pub fn events_frame(events: &[Value]) -> PolarsResult<DataFrame> {
    let mut cols: Vec<Column> = Vec::with_capacity(COLUMNS.len() + 1);
    for (name, kind) in COLUMNS {
        let name: PlSmallStr = (*name).into();
        let series = match kind {
            Kind::Timestamp => {
                let v: Vec<Option<i64>> = events.iter().map(timestamp_ns).collect();
                Series::new(name, v)
                    .cast(&DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC)))?
            }
            Kind::Text => {
                let v: Vec<Option<String>> = events
                    .iter()
                    .map(|e| value(e, name.as_str()).map(|_| field_text(e, name.as_str())))
                    .collect();
                Series::new(name, v)
            }
            Kind::Int => {
                let v: Vec<Option<i64>> = events
                    .iter()
                    .map(|e| {
                        value(e, name.as_str()).and_then(|x| {
                            x.as_i64().or_else(|| x.as_str().and_then(|s| s.trim().parse().ok()))
                        })
                    })
                    .collect();
                Series::new(name, v)
            }
            Kind::Float => {
                let v: Vec<Option<f64>> = events
                    .iter()
                    .map(|e| value(e, name.as_str()).and_then(Value::as_f64))
                    .collect();
                Series::new(name, v)
            }
            Kind::Bool => {
                let v: Vec<Option<bool>> = events
                    .iter()
                    .map(|e| value(e, name.as_str()).and_then(Value::as_bool))
                    .collect();
                Series::new(name, v)
            }
        };
        cols.push(series.into());
    }
    let json: Vec<String> = events.iter().map(Value::to_string).collect();
    cols.push(Column::new(EVENT_JSON.into(), json));
    DataFrame::new(events.len(), cols)
}

/// Writes the events as one Parquet file.
pub fn write_events(out: &mut dyn Write, events: &[Value]) -> PolarsResult<()> {
    let mut df = events_frame(events)?;
    ParquetWriter::new(out).finish(&mut df)?;
    Ok(())
}

/// A partition key of [`write_partitioned`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// `host=NAME` (`host.name`).
    Host,
    /// `date=YYYY-MM-DD` (UTC day of `@timestamp`).
    Day,
}

impl Partition {
    /// Parses `host,day` (any order; `date` is accepted for `day`).
    pub fn parse_list(s: &str) -> Result<Vec<Partition>, String> {
        let mut out = vec![];
        for p in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let k = match p {
                "host" => Partition::Host,
                "day" | "date" => Partition::Day,
                other => {
                    return Err(format!("--partition: unknown key {other:?}; known: host, day"));
                }
            };
            if out.contains(&k) {
                return Err(format!("--partition: {p} given twice"));
            }
            out.push(k);
        }
        if out.is_empty() {
            return Err("--partition: give host, day or host,day".into());
        }
        Ok(out)
    }
}

/// Hive's name for a missing partition value.
pub const DEFAULT_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// A partition value as a safe directory-name part. Host names come from logs (attacker-chosen):
/// `/`, `\`, `=`, `%`, quotes, control characters and every other ASCII character except letters,
/// digits, `-`, `_` and `.` are percent-escaped as Hive and Spark do (`%2F`), as is a leading
/// `.` or `_` (hidden to Spark; `..`); so a value can never leave its directory. Non-ASCII text
/// is kept. Values longer than 180 bytes are cut and suffixed with a hash of the whole value.
pub fn partition_value(v: &str) -> String {
    if v.is_empty() {
        return DEFAULT_PARTITION.to_string();
    }
    let mut o = String::with_capacity(v.len());
    for (i, c) in v.chars().enumerate() {
        let keep = c.is_ascii_alphanumeric() || c == '-' || ((c == '_' || c == '.') && i > 0);
        if keep || (!c.is_ascii() && !c.is_control()) {
            o.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                o.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if o.len() > 180 {
        let mut cut = 180;
        while !o.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        let digest = Sha256::digest(v.as_bytes());
        let tag: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        o = format!("{}~{tag}", o.get(..cut).unwrap_or(""));
    }
    o
}

fn key_of(e: &Value, p: Partition) -> String {
    match p {
        Partition::Host => format!("host={}", partition_value(&field_text(e, "host.name"))),
        Partition::Day => {
            let day = timestamp_ns(e)
                .map(chrono::DateTime::from_timestamp_nanos)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            format!("date={}", partition_value(&day))
        }
    }
}

/// Writes the events under `dir` (which must not exist: it is created, never overwritten),
/// one `part-0.parquet` per partition. Returns each file written, relative to `dir`, with
/// its number of rows, in path order.
pub fn write_partitioned(
    dir: &Path,
    events: &[Value],
    by: &[Partition],
) -> PolarsResult<Vec<(PathBuf, usize)>> {
    let mut groups: BTreeMap<PathBuf, Vec<Value>> = BTreeMap::new();
    for e in events {
        let rel: PathBuf = by.iter().map(|p| key_of(e, *p)).collect();
        groups.entry(rel).or_default().push(e.clone());
    }
    let io = |e: std::io::Error, p: &Path| PolarsError::IO {
        error: e.into(),
        msg: Some(format!("{}", p.display()).into()),
    };
    std::fs::create_dir(dir).map_err(|e| io(e, dir))?;
    let mut written = vec![];
    for (rel, evs) in groups {
        let sub = dir.join(&rel);
        std::fs::create_dir_all(&sub).map_err(|e| io(e, &sub))?;
        let file = sub.join("part-0.parquet");
        let f = std::fs::File::create_new(&file).map_err(|e| io(e, &file))?;
        let mut w = std::io::BufWriter::new(f);
        write_events(&mut w, &evs)?;
        w.flush().map_err(|e| io(e, &file))?;
        written.push((rel.join("part-0.parquet"), evs.len()));
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_values_cannot_escape() {
        assert_eq!(partition_value("mail"), "mail");
        assert_eq!(partition_value("www.example.jp"), "www.example.jp");
        assert_eq!(partition_value("../../etc"), "%2E.%2F..%2Fetc");
        assert_eq!(partition_value("a/b=c%d"), "a%2Fb%3Dc%25d");
        assert_eq!(partition_value("_x"), "%5Fx");
        assert_eq!(partition_value("<script>\n"), "%3Cscript%3E%0A");
        assert_eq!(partition_value("東京"), "東京");
        assert_eq!(partition_value(""), DEFAULT_PARTITION);
        let long = partition_value(&"x".repeat(1000));
        assert!(long.len() < 200 && long.contains('~'));
        assert_eq!(Partition::parse_list("host,day").unwrap(), [Partition::Host, Partition::Day]);
        assert!(Partition::parse_list("host,host").is_err());
        assert!(Partition::parse_list("user").is_err());
    }
}
