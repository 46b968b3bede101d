//! `jikoku at TIME`: who did what at the reported time.

use std::io::{BufWriter, IsTerminal, Write};
use std::process::ExitCode;

use jikoku_timeline::{Question, answer};

use super::UserError;
use crate::args::AtArgs;

pub fn run(a: AtArgs) -> anyhow::Result<ExitCode> {
    let tz = match &a.at_tz {
        Some(z) => {
            Some(jikoku_time::parse_zone(z).map_err(|e| UserError(format!("--at-tz: {e}")))?)
        }
        None => None,
    };
    let reported = jikoku_time::human::parse_human(&a.time, tz)
        .map_err(|e| UserError(format!("TIME: {e}")))?;
    let t =
        reported.utc.timestamp_nanos_opt().ok_or_else(|| UserError("TIME out of range".into()))?;
    let window_s = jikoku_time::parse_duration_secs(&a.window)
        .map_err(|e| UserError(format!("--window: {e}")))?;
    if window_s <= 0.0 {
        return Err(UserError("--window must be positive".into()).into());
    }
    let window = (window_s * 1e9) as i64;
    let index = super::events::EventSource::open(a.index.as_deref(), &a.engine, &a.table)?;
    let q = Question { t, window, ips: a.ip.clone(), users: a.user.clone(), hosts: a.host.clone() };
    // Session and process context: starts up to a day before TIME, ends up to a day after;
    // sudo and accounting records to show the commands run in the sessions.
    let day = 86_400_000_000_000i64;
    let starts = "(event.action:ssh-login AND event.outcome:success) OR (event.action:su AND event.outcome:success) OR event.action:login OR event.dataset:acct* OR event.dataset:lastcomm* OR event.dataset:sudo*";
    let ends = "event.action:session-closed OR event.action:ssh-disconnect OR event.action:logout";
    let ans = match &index {
        super::events::EventSource::Index(case) => {
            // Context as light events (columns only); whole events only for what is shown.
            let snap = case.snapshot().map_err(|e| UserError(e.to_string()))?;
            let near = snap.search_running("", Some(t - window), Some(t + window), None, None)?;
            let mut context = snap.search_keys(starts, Some(t - day), Some(t + window), None)?;
            context.extend(snap.search_keys(ends, Some(t - day), Some(t + day), None)?);
            let mut fetch = |refs: &[u64]| snap.fetch(refs);
            jikoku_timeline::answer_with(&q, &near, context, &mut fetch)?
        }
        other => {
            let near = other.search("", Some(t - window), Some(t + window), None)?;
            let mut context = other.search(starts, Some(t - day), Some(t + window), None)?;
            context.extend(other.search(ends, Some(t - day), Some(t + day), None)?);
            answer(&q, &near, &context)
        }
    };
    enum Out {
        Text(jikoku_report::at::Format),
        Html,
        Parquet,
    }
    let format = match a.output.as_str() {
        "table" => Out::Text(jikoku_report::at::Format::Text),
        "markdown" | "md" => Out::Text(jikoku_report::at::Format::Markdown),
        "jsonl" | "json" => Out::Text(jikoku_report::at::Format::Json),
        "html" => Out::Html,
        "parquet" if cfg!(feature = "analytics-parquet") => Out::Parquet,
        "parquet" => return Err(UserError(jikoku_report::NO_PARQUET.into()).into()),
        other => {
            return Err(UserError(format!(
                "--output: unknown format {other:?}; known: table, markdown, jsonl, html, parquet"
            ))
            .into());
        }
    };
    let sink: Box<dyn Write> = match &a.out {
        Some(path) => Box::new(std::fs::File::create_new(path).map_err(|e| {
            UserError(format!("-o {}: {e} (an existing file is never overwritten)", path.display()))
        })?),
        None if matches!(format, Out::Parquet) && std::io::stdout().is_terminal() => {
            return Err(UserError(
                "--output parquet: redirect stdout to a file, or use -o FILE".into(),
            )
            .into());
        }
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let header = jikoku_report::at::Header {
        text: reported.text.clone(),
        utc: reported.to_rfc3339(),
        reporter_offset: reported.local().format("%:z").to_string(),
        window: a.window.clone(),
        focus: q
            .ips
            .iter()
            .map(|i| format!("ip {i}"))
            .chain(q.users.iter().map(|u| format!("user {u}")))
            .chain(q.hosts.iter().map(|h| format!("host {h}")))
            .collect(),
    };
    match format {
        Out::Text(f) => jikoku_report::at::write(&mut out, &header, &ans, f)?,
        Out::Html => jikoku_report::html::write_at(&mut out, &header, &ans)?,
        Out::Parquet => {
            // The events cited: the items, then the starts of the sessions active at TIME.
            let mut events: Vec<serde_json::Value> =
                ans.items.iter().map(|i| i.event.clone()).collect();
            for s in &ans.sessions {
                if !events.contains(&s.start_event) {
                    events.push(s.start_event.clone());
                }
            }
            jikoku_report::write_events(&mut out, &events, jikoku_report::Format::Parquet)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
