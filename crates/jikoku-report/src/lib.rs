//! jikoku-report: writing events for people and tools.
//!
//! # Brief overview
//! - [`Format`]: `table` (terminal), `jsonl`, `csv`.
//! - [`write_events`]: writes events (as JSON values) in a format.
//! - [`escape`]: log text is attacker-controlled: terminal output has control characters and
//!   escape sequences made visible, CSV cells that a spreadsheet would run as a formula are
//!   neutralised.
//! - [`stats`] (feature `analytics`): ranked abuse signals computed with polars.
#![warn(missing_docs)]

pub mod escape;
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
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(Format::Table),
            "jsonl" | "json" => Ok(Format::Jsonl),
            "csv" => Ok(Format::Csv),
            other => Err(format!("unknown output format {other:?}; known: table, jsonl, csv")),
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
