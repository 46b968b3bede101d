//! jikoku-report: writing events for people and tools.
//!
//! # Brief overview
//! - [`Format`]: `table` (terminal), `jsonl`, `csv`, `timesketch`, `l2tcsv`, `markdown`, `html`,
//!   `parquet`.
//! - [`write_events`]: writes events (as JSON values) in a format.
//! - [`escape`]: log text is attacker-controlled: terminal output has control characters and
//!   escape sequences made visible, CSV cells that a spreadsheet would run as a formula are
//!   neutralised.
//! - [`html`]: one self-contained HTML file (strict CSP, escaped embedded data) with an
//!   interactive timeline; the `at` answer as a page.
//! - [`stats`] (feature `analytics`): ranked abuse signals computed with polars.
//! - `parquet` (feature `analytics-parquet`): events as Parquet, flat ECS columns plus the full
//!   event JSON; hive-style partitions by host and day.
#![warn(missing_docs)]

pub mod at;
pub mod complaint;
pub mod escape;
pub mod html;
#[cfg(feature = "analytics-parquet")]
pub mod parquet;
#[cfg(feature = "analytics")]
pub mod stats;

use std::io::{self, Write};

use serde_json::Value;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON event per line.
    Jsonl,
    /// CSV with a header row ([`COLUMNS`]).
    Csv,
    /// Timesketch JSONL: `message`, `datetime` (ISO 8601 with offset and microseconds),
    /// `timestamp` (µs), `timestamp_desc`, and every event field flattened to dotted names.
    Timesketch,
    /// plaso's l2t CSV (17 columns).
    L2tCsv,
    /// A Markdown table (for reports; cells escaped).
    Markdown,
    /// One self-contained HTML file with an interactive timeline ([`html`]).
    Html,
    /// Apache Parquet, one row per event (feature `analytics-parquet`; `parquet` module).
    Parquet,
}

/// The message given when Parquet output is asked of a build without it.
pub const NO_PARQUET: &str =
    "--output parquet: built without analytics-parquet: cargo build --features analytics-parquet";

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "jsonl" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            "timesketch" => Ok(Format::Timesketch),
            "l2tcsv" => Ok(Format::L2tCsv),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "parquet" if cfg!(feature = "analytics-parquet") => Ok(Format::Parquet),
            "parquet" => Err(NO_PARQUET.into()),
            other => Err(format!(
                "unknown output format {other:?}; known: table, jsonl, csv, timesketch, l2tcsv, markdown, html, parquet"
            )),
        }
    }
}

/// Columns of the table and CSV outputs, in order (dotted event names).
pub const COLUMNS: &[&str] = &[
    "@timestamp",
    "host.name",
    "event.dataset",
    "event.action",
    "event.outcome",
    "user.name",
    "user.target.name",
    "source.ip",
    "process.name",
    "process.pid",
    "message",
    "log.file.path",
    "jikoku.line",
    "log.offset",
    "jikoku.time.local",
    "jikoku.time.zone_source",
    "jikoku.time.year_source",
    "jikoku.time.skew_seconds",
];

/// `a.b.c` of an event, as text (`""` when absent).
pub fn field_text(e: &Value, dotted: &str) -> String {
    let v = if dotted == "@timestamp" {
        e.get("@timestamp")
    } else {
        dotted.split('.').try_fold(e, |v, k| v.get(k))
    };
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

/// Writes events in `format`.
pub fn write_events(out: &mut dyn Write, events: &[Value], format: Format) -> io::Result<()> {
    match format {
        Format::Html => html::write_timeline(out, "jikoku timeline", events)?,
        Format::Parquet => {
            #[cfg(feature = "analytics-parquet")]
            parquet::write_events(out, events).map_err(io::Error::other)?;
            #[cfg(not(feature = "analytics-parquet"))]
            return Err(io::Error::other(NO_PARQUET));
        }
        Format::Jsonl => {
            for e in events {
                serde_json::to_writer(&mut *out, e)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => {
            writeln!(out, "{}", COLUMNS.join(","))?;
            for e in events {
                let row: Vec<String> =
                    COLUMNS.iter().map(|c| escape::csv_cell(&field_text(e, c))).collect();
                writeln!(out, "{}", row.join(","))?;
            }
        }
        Format::Timesketch => {
            for e in events {
                serde_json::to_writer(&mut *out, &timesketch(e))?;
                out.write_all(b"\n")?;
            }
        }
        Format::L2tCsv => {
            writeln!(
                out,
                "date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra"
            )?;
            for e in events {
                let row = l2t_row(e);
                writeln!(
                    out,
                    "{}",
                    row.iter().map(|c| escape::csv_cell(c)).collect::<Vec<_>>().join(",")
                )?;
            }
        }
        Format::Markdown => {
            writeln!(out, "| time (UTC) | host | what | user | from | message | evidence |")?;
            writeln!(out, "|---|---|---|---|---|---|---|")?;
            for e in events {
                let action = match field_text(e, "event.action") {
                    a if a.is_empty() => field_text(e, "event.dataset"),
                    a => a,
                };
                let evidence =
                    format!("{}:{}", field_text(e, "log.file.path"), field_text(e, "jikoku.line"));
                let cells = [
                    field_text(e, "@timestamp"),
                    field_text(e, "host.name"),
                    format!("{action} {}", field_text(e, "event.outcome")),
                    field_text(e, "user.name"),
                    field_text(e, "source.ip"),
                    field_text(e, "message"),
                    evidence,
                ];
                writeln!(
                    out,
                    "| {} |",
                    cells.iter().map(|c| escape::markdown_cell(c)).collect::<Vec<_>>().join(" | ")
                )?;
            }
        }
        Format::Table => {
            for e in events {
                let who = match (field_text(e, "user.name"), field_text(e, "user.target.name")) {
                    (u, t) if !t.is_empty() && t != u => format!("{u}→{t}"),
                    (u, _) => u,
                };
                let action = match field_text(e, "event.action") {
                    a if a.is_empty() => field_text(e, "event.dataset"),
                    a => a,
                };
                let outcome = match field_text(e, "event.outcome").as_str() {
                    "failure" => " ✗",
                    _ => "",
                };
                let line = format!(
                    "{:<27} {:<10} {:<22} {:<14} {:<16} {}",
                    field_text(e, "@timestamp"),
                    field_text(e, "host.name"),
                    format!("{action}{outcome}"),
                    who,
                    field_text(e, "source.ip"),
                    field_text(e, "message"),
                );
                writeln!(out, "{}", escape::terminal(&line))?;
            }
        }
    }
    Ok(())
}

/// What an event's time means, for Timesketch and l2tcsv.
pub fn timestamp_desc(e: &Value) -> &'static str {
    let ds = field_text(e, "event.dataset");
    let action = field_text(e, "event.action");
    if ds.starts_with("acct.") {
        "Process Start"
    } else if ds.starts_with("login.") && action == "logout" {
        "Session End"
    } else if ds.starts_with("login.") {
        "Session Start"
    } else if ds.starts_with("http.") {
        "Request Logged"
    } else {
        "Entry Written"
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut serde_json::Map<String, Value>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, x, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

/// One Timesketch JSONL object.
pub fn timesketch(e: &Value) -> Value {
    let mut m = serde_json::Map::new();
    flatten("", e, &mut m);
    let ts = field_text(e, "@timestamp");
    let (datetime, micros) = match chrono::DateTime::parse_from_rfc3339(&ts) {
        Ok(d) => (
            d.to_rfc3339_opts(chrono::SecondsFormat::Micros, false),
            Value::from(d.timestamp_micros()),
        ),
        Err(_) => (String::new(), Value::Null),
    };
    let message = match field_text(e, "message") {
        m if m.is_empty() => field_text(e, "event.original"),
        m => m,
    };
    m.insert("message".into(), Value::from(message));
    m.insert("datetime".into(), Value::from(datetime));
    m.insert("timestamp".into(), micros);
    m.insert("timestamp_desc".into(), Value::from(timestamp_desc(e)));
    Value::Object(m)
}

fn l2t_row(e: &Value) -> Vec<String> {
    let ts = field_text(e, "@timestamp");
    let (date, time) = match chrono::DateTime::parse_from_rfc3339(&ts) {
        Ok(d) => (d.format("%m/%d/%Y").to_string(), d.format("%H:%M:%S").to_string()),
        Err(_) => ("-".into(), "-".into()),
    };
    let message = field_text(e, "message");
    let short: String = message.chars().take(80).collect();
    let extra = format!(
        "offset: {}; line: {}; sha256: {}; zone: {} ({})",
        field_text(e, "log.offset"),
        field_text(e, "jikoku.line"),
        field_text(e, "jikoku.source.sha256"),
        field_text(e, "jikoku.time.zone"),
        field_text(e, "jikoku.time.zone_source")
    );
    vec![
        date,
        time,
        "UTC".into(),
        "..C.".into(),
        "LOG".into(),
        field_text(e, "event.dataset"),
        timestamp_desc(e).into(),
        field_text(e, "user.name"),
        field_text(e, "host.name"),
        short,
        message,
        "2".into(),
        field_text(e, "log.file.path"),
        "-".into(),
        "-".into(),
        format!("jikoku/{}", field_text(e, "event.dataset")),
        extra,
    ]
}
