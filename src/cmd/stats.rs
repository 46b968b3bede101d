//! `jikoku stats mail|http`: ranked abuse signals and summaries (polars; feature `analytics`).

#[cfg(not(feature = "analytics"))]
pub fn run(_a: crate::args::StatsArgs) -> anyhow::Result<std::process::ExitCode> {
    Err(super::UserError("built without analytics: cargo build --features analytics".into()).into())
}

#[cfg(feature = "analytics")]
pub use with_polars::run;

#[cfg(feature = "analytics")]
mod with_polars {
    use std::io::{BufWriter, IsTerminal, Write};
    use std::process::ExitCode;

    use anyhow::Context;
    use jikoku_index::CaseIndex;
    use jikoku_report::stats::{self, StatsFormat};
    use serde_json::Value;

    use super::super::{UserError, source_options};
    use crate::args::StatsArgs;

    /// Index queries selecting the events each analysis reads (by field, whatever the dataset).
    fn index_query(what: &str) -> &'static str {
        match what {
            "mail" => {
                "jikoku.mail.sasl_username:* OR jikoku.mail.queue_id:* OR jikoku.mail.status:*"
            }
            _ => "event.category:web OR http.request.method:*",
        }
    }

    /// Parses PATHs (rotation chains newest first, as `jikoku parse`) into events as JSON.
    fn events_from_files(a: &StatsArgs) -> anyhow::Result<(Vec<Value>, Vec<String>)> {
        let opts = source_options(&a.source)?;
        let (inputs, mut problems) = jikoku_ingest::walk(&a.paths);
        if inputs.is_empty() {
            return Err(UserError("no readable source among the paths given".into()).into());
        }
        let mut events = vec![];
        let keep_http = a.what == "http";
        for chain in jikoku_ingest::rotation::chains(inputs) {
            let mut member_opts = opts.clone();
            for input in &chain {
                let mut emit = |e: &jikoku_core::Event| {
                    let keep = if keep_http {
                        e.http.request.method.is_some() || e.http.response.status_code.is_some()
                    } else {
                        true
                    };
                    if keep {
                        if let Ok(v) = serde_json::to_value(e) {
                            if keep_http
                                || v.pointer("/jikoku/mail").is_some()
                                || v.get("email").is_some()
                            {
                                events.push(v);
                            }
                        }
                    }
                };
                match jikoku_ingest::process_file(input, &member_opts, &mut emit) {
                    Ok(r) => {
                        if let Some(anchor) = jikoku_ingest::anchor_after(&r) {
                            member_opts.year_anchor = Some(anchor);
                        }
                    }
                    Err(e) => problems.push(e.to_string()),
                }
            }
        }
        Ok((events, problems))
    }

    pub fn run(a: StatsArgs) -> anyhow::Result<ExitCode> {
        let format: StatsFormat = match &a.output {
            Some(f) => f.parse().map_err(UserError)?,
            None if std::io::stdout().is_terminal() => StatsFormat::Table,
            None => StatsFormat::Jsonl,
        };
        if format == StatsFormat::Parquet && std::io::stdout().is_terminal() {
            return Err(UserError("--output parquet: redirect stdout to a file".into()).into());
        }
        let (events, problems) = match &a.index {
            Some(dir) => {
                let index = CaseIndex::open(dir).map_err(|e| UserError(e.to_string()))?;
                (index.search(index_query(&a.what), None, None, None)?, vec![])
            }
            None => events_from_files(&a)?,
        };
        let df = match (a.what.as_str(), a.by.as_str()) {
            ("http", "signal") => stats::findings_frame(&stats::http_signals(&events)?)?,
            ("http", by @ ("client" | "path")) => stats::http_summary(&events, by)?,
            ("mail", "signal" | "account") => {
                stats::findings_frame(&stats::mail_signals(&events)?)?
            }
            ("mail", "day") => stats::mail_summary(&events)?,
            (w, by) => {
                let known = if w == "http" { "signal, client, path" } else { "signal, day" };
                return Err(UserError(format!("--by {by:?}: {w} knows {known}")).into());
            }
        };
        let df = match a.limit {
            Some(n) => df.head(Some(n)),
            None => df,
        };
        let mut out = BufWriter::new(std::io::stdout().lock());
        stats::write_frame(&mut out, &df, format).context("writing statistics")?;
        out.flush().context("writing statistics")?;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{} events read; {} rows", events.len(), df.height());
        for p in &problems {
            let _ = writeln!(err, "jikoku: {}", jikoku_report::escape::terminal(p));
        }
        Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
    }
}
