//! Findings and summaries out: table, CSV, JSON Lines, Parquet.

use std::io::Write;

use polars::prelude::*;
use serde_json::Value;

use super::http::{f64s, i64s, strs};
use super::{Finding, ms_text};
use crate::escape;

/// Output formats of `jikoku stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    /// Aligned columns for a terminal.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per row.
    Jsonl,
    /// Apache Parquet (needs the `analytics-parquet` feature).
    Parquet,
}

impl std::str::FromStr for StatsFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" => Ok(StatsFormat::Table),
            "csv" => Ok(StatsFormat::Csv),
            "jsonl" | "json" => Ok(StatsFormat::Jsonl),
            "parquet" if cfg!(feature = "analytics-parquet") => Ok(StatsFormat::Parquet),
            "parquet" => Err(
                "--output parquet: built without Parquet: cargo build --features analytics-parquet"
                    .into(),
            ),
            other => {
                Err(format!("unknown output format {other:?}; known: table, csv, jsonl, parquet"))
            }
        }
    }
}

/// Findings as a frame: rank, kind, score (one decimal), subject, count, first_seen, last_seen
/// (RFC 3339 UTC), reason.
pub fn findings_frame(findings: &[Finding]) -> PolarsResult<DataFrame> {
    let rank: Vec<i64> = (1..=findings.len() as i64).collect();
    df!(
        "rank" => rank,
        "kind" => findings.iter().map(|f| f.kind.clone()).collect::<Vec<_>>(),
        "score" => findings.iter().map(|f| (f.score * 10.0).round() / 10.0).collect::<Vec<_>>(),
        "subject" => findings.iter().map(|f| f.subject.clone()).collect::<Vec<_>>(),
        "count" => findings.iter().map(|f| f.count).collect::<Vec<_>>(),
        "first_seen" => findings.iter().map(|f| ms_text(f.first_seen_ms)).collect::<Vec<_>>(),
        "last_seen" => findings.iter().map(|f| ms_text(f.last_seen_ms)).collect::<Vec<_>>(),
        "reason" => findings.iter().map(|f| f.reason.clone()).collect::<Vec<_>>(),
    )
}

/// Replaces i64 millisecond columns by RFC 3339 text.
pub(crate) fn times_as_text(mut df: DataFrame, names: &[&str]) -> PolarsResult<DataFrame> {
    for n in names {
        let text: Vec<String> = i64s(&df, n)?.into_iter().map(ms_text).collect();
        df.with_column(Column::new((*n).into(), text))?;
    }
    Ok(df)
}

#[derive(Debug, Clone)]
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Null => String::new(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => format!("{f}"),
            Cell::Bool(b) => b.to_string(),
            Cell::Text(s) => s.clone(),
        }
    }
    fn json(&self) -> Value {
        match self {
            Cell::Null => Value::Null,
            Cell::Int(i) => Value::from(*i),
            Cell::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Cell::Bool(b) => Value::Bool(*b),
            Cell::Text(s) => Value::String(s.clone()),
        }
    }
}

fn cells(df: &DataFrame, c: &Column) -> PolarsResult<Vec<Cell>> {
    let name = c.name().as_str();
    let valid: Vec<bool> = c.is_not_null().iter().map(|o| o.unwrap_or(false)).collect();
    let vals: Vec<Cell> = match c.dtype() {
        d if d.is_float() => f64s(df, name)?.into_iter().map(Cell::Float).collect(),
        d if d.is_integer() => i64s(df, name)?.into_iter().map(Cell::Int).collect(),
        DataType::Boolean => c.bool()?.iter().map(|o| Cell::Bool(o.unwrap_or(false))).collect(),
        _ => strs(df, name)?.into_iter().map(Cell::Text).collect(),
    };
    Ok(vals.into_iter().zip(valid).map(|(v, ok)| if ok { v } else { Cell::Null }).collect())
}

/// Writes a frame in `format`. Text from logs is escaped for the terminal (table) and
/// neutralised against spreadsheet formulas (CSV).
pub fn write_frame(out: &mut dyn Write, df: &DataFrame, format: StatsFormat) -> PolarsResult<()> {
    let names: Vec<String> = df.columns().iter().map(|c| c.name().to_string()).collect();
    let cols: Vec<Vec<Cell>> =
        df.columns().iter().map(|c| cells(df, c)).collect::<PolarsResult<_>>()?;
    let io = |e: std::io::Error| PolarsError::IO { error: e.into(), msg: None };
    let row = |i: usize| cols.iter().map(move |c| c.get(i).cloned().unwrap_or(Cell::Null));
    match format {
        StatsFormat::Jsonl => {
            for i in 0..df.height() {
                let obj: serde_json::Map<String, Value> =
                    names.iter().cloned().zip(row(i).map(|c| c.json())).collect();
                serde_json::to_writer(&mut *out, &obj).map_err(|e| io(e.into()))?;
                out.write_all(b"\n").map_err(io)?;
            }
        }
        StatsFormat::Csv => {
            let head: Vec<String> = names.iter().map(|n| escape::csv_cell(n)).collect();
            writeln!(out, "{}", head.join(",")).map_err(io)?;
            for i in 0..df.height() {
                let r: Vec<String> = row(i).map(|c| escape::csv_cell(&c.text())).collect();
                writeln!(out, "{}", r.join(",")).map_err(io)?;
            }
        }
        StatsFormat::Table => {
            let text: Vec<Vec<String>> = (0..df.height())
                .map(|i| row(i).map(|c| escape::terminal(&c.text())).collect())
                .collect();
            // Widths from the header and cells; the last column is not padded.
            let widths: Vec<usize> = names
                .iter()
                .enumerate()
                .map(|(j, n)| {
                    text.iter()
                        .filter_map(|r| r.get(j))
                        .map(|s| s.chars().count())
                        .chain(std::iter::once(n.chars().count()))
                        .max()
                        .unwrap_or(0)
                        .min(60)
                })
                .collect();
            let numeric: Vec<bool> = df
                .columns()
                .iter()
                .map(|c| c.dtype().is_integer() || c.dtype().is_float())
                .collect();
            let line = |cells: &[String]| {
                let last = cells.len().saturating_sub(1);
                let mut l = String::new();
                for (j, s) in cells.iter().enumerate() {
                    let w = widths.get(j).copied().unwrap_or(0);
                    if j == last {
                        l.push_str(s);
                    } else if numeric.get(j).copied().unwrap_or(false) {
                        l.push_str(&format!("{s:>w$}  "));
                    } else {
                        l.push_str(&format!("{s:<w$}  "));
                    }
                }
                l.trim_end().to_string()
            };
            writeln!(out, "{}", line(&names)).map_err(io)?;
            for r in &text {
                writeln!(out, "{}", line(r)).map_err(io)?;
            }
        }
        StatsFormat::Parquet => {
            #[cfg(feature = "analytics-parquet")]
            {
                let mut df = df.clone();
                ParquetWriter::new(&mut *out).finish(&mut df)?;
            }
            #[cfg(not(feature = "analytics-parquet"))]
            return Err(PolarsError::InvalidOperation(
                "built without Parquet: cargo build --features analytics-parquet".into(),
            ));
        }
    }
    Ok(())
}
