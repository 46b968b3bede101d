//! Rendering the answer of `jikoku at`: terminal text, Markdown (an incident-report section),
//! JSON Lines. All log-derived text is escaped for its output.

use std::io::{self, Write};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use jikoku_timeline::{Answer, Section, fmt_offset, get, s};
use serde_json::Value;

use crate::escape::terminal;

/// Output form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown (tables escaped).
    Markdown,
    /// One JSON object per line: a header, then sessions, then items.
    Json,
}

/// What was asked.
#[derive(Debug, Clone)]
pub struct Header {
    /// TIME as typed.
    pub text: String,
    /// TIME in UTC.
    pub utc: String,
    /// The offset the reporter wrote (`-04:00`).
    pub reporter_offset: String,
    /// Window as typed.
    pub window: String,
    /// Focus filters.
    pub focus: Vec<String>,
}

/// TIME on a host's clock: the zone it was read in, plus the skew its clock had.
pub(crate) fn host_time(utc: &str, zone: &str) -> String {
    let Ok(t) = DateTime::parse_from_rfc3339(utc) else { return String::new() };
    let t = t.with_timezone(&Utc);
    if let Ok(tz) = zone.parse::<chrono_tz::Tz>() {
        return t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %Z (%:z)").to_string();
    }
    if let Ok(off) =
        DateTime::parse_from_str(&format!("2000-01-01T00:00:00{zone}"), "%Y-%m-%dT%H:%M:%S%:z")
    {
        let fixed: FixedOffset = *off.offset();
        return fixed.from_utc_datetime(&t.naive_utc()).format("%Y-%m-%d %H:%M:%S %:z").to_string();
    }
    String::new()
}

pub(crate) fn skew_of(ans: &Answer, host: &str) -> f64 {
    ans.items
        .iter()
        .map(|i| &i.event)
        .chain(ans.sessions.iter().map(|s| &s.start_event))
        .filter(|e| s(e, "host.name") == Some(host))
        .find_map(|e| get(e, "jikoku.time.skew_seconds").and_then(Value::as_f64))
        .unwrap_or(0.0)
}

pub(crate) fn provenance(e: &Value) -> String {
    let path = s(e, "log.file.path").unwrap_or("?");
    match (
        get(e, "jikoku.line").and_then(Value::as_u64),
        get(e, "log.offset").and_then(Value::as_u64),
    ) {
        (Some(l), _) => format!("{path}:{l}"),
        (None, Some(o)) => format!("{path}@{o}"),
        _ => path.to_string(),
    }
}

fn cell(f: Format, s: &str) -> String {
    match f {
        Format::Markdown => crate::escape::markdown_cell(s),
        _ => terminal(s),
    }
}

/// At most this many commands per session in text and Markdown (all in jsonl).
const COMMANDS_SHOWN: usize = 40;

/// The commands nearest to TIME, in time order, and how many were left out.
pub(crate) fn nearest_commands(
    all: &[jikoku_timeline::SessionCommand],
    t: i64,
) -> (Vec<&jikoku_timeline::SessionCommand>, usize) {
    let mut v: Vec<&jikoku_timeline::SessionCommand> = all.iter().collect();
    if v.len() > COMMANDS_SHOWN {
        v.sort_by_key(|c| (c.time - t).unsigned_abs());
        v.truncate(COMMANDS_SHOWN);
        v.sort_by_key(|c| c.time);
    }
    let more = all.len() - v.len();
    (v, more)
}

pub(crate) fn rfc3339(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `sudo kenji → root: /bin/chmod 777 …`, `chmod (root) by sudo …`, `[su → root] useradd (root)`.
pub(crate) fn command_text(c: &jikoku_timeline::SessionCommand) -> String {
    let mut t = String::new();
    if let Some(v) = &c.via {
        t.push_str(&format!("[{v}] "));
    }
    match c.kind.as_str() {
        "sudo" => t.push_str(&format!(
            "sudo {} → {}: {}",
            c.user.as_deref().unwrap_or("?"),
            c.target.as_deref().unwrap_or("root"),
            c.command
        )),
        "su" => t.push_str(&format!("{} ({})", c.command, c.user.as_deref().unwrap_or("?"))),
        _ => {
            t.push_str(&format!("{} ({}", c.command, c.user.as_deref().unwrap_or("?")));
            if let Some(d) = get(&c.event, "event.duration").and_then(Value::as_i64) {
                if d >= 1_000_000_000 {
                    t.push_str(&format!(", ran {}", fmt_offset(d).trim_start_matches('+')));
                }
            }
            t.push(')');
            if let Some(b) = &c.by_sudo {
                t.push_str(&format!(" run by sudo `{b}`"));
            }
        }
    }
    t
}

/// Writes the answer.
pub fn write(out: &mut dyn Write, h: &Header, ans: &Answer, f: Format) -> io::Result<()> {
    if f == Format::Json {
        let head = serde_json::json!({"kind":"question","time":h.text,"utc":h.utc,"window":h.window,"focus":h.focus,
            "hosts": ans.hosts.iter().map(|(n,z)| serde_json::json!({"host":n,"zone":z,"local":host_time(&h.utc,z),"skew_seconds":skew_of(ans,n)})).collect::<Vec<_>>()});
        writeln!(out, "{head}")?;
        for s in &ans.sessions {
            writeln!(out, "{}", serde_json::json!({"kind":"session","session":s}))?;
        }
        for i in &ans.items {
            writeln!(out, "{}", serde_json::json!({"kind":"item","item":i}))?;
        }
        return Ok(());
    }
    let t_ask = DateTime::parse_from_rfc3339(&h.utc)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .unwrap_or(0);
    let mdown = f == Format::Markdown;
    let (h1, h2) = if mdown { ("## ", "### ") } else { ("", "== ") };
    writeln!(out, "{h1}Who did what at {}", cell(f, &h.text))?;
    writeln!(out)?;
    let bullet = if mdown { "- " } else { "  " };
    writeln!(out, "{bullet}UTC: {}", h.utc)?;
    writeln!(out, "{bullet}reporter's offset: {}", h.reporter_offset)?;
    for (host, zone) in &ans.hosts {
        let skew = skew_of(ans, host);
        let clock = if skew != 0.0 {
            let shifted = DateTime::parse_from_rfc3339(&h.utc)
                .ok()
                .and_then(|t| {
                    t.checked_add_signed(chrono::Duration::milliseconds((skew * 1000.0) as i64))
                })
                .map(|t| host_time(&t.to_rfc3339(), zone))
                .unwrap_or_default();
            format!("; its clock ran {skew:+} s off and read {shifted}")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{bullet}on {} ({}): {}{}",
            cell(f, host),
            cell(f, zone),
            host_time(&h.utc, zone),
            clock
        )?;
    }
    writeln!(
        out,
        "{bullet}window: ±{}{}",
        h.window,
        if h.focus.is_empty() { String::new() } else { format!("; focus: {}", h.focus.join(", ")) }
    )?;
    writeln!(out)?;
    writeln!(out, "{h2}Sessions active at that time ({})", ans.sessions.len())?;
    if mdown && !ans.sessions.is_empty() {
        writeln!(out, "| host | user | how | from | tty | start (UTC) | end (UTC) | evidence |")?;
        writeln!(out, "|---|---|---|---|---|---|---|---|")?;
    }
    for x in &ans.sessions {
        let SessionCells { start, end, who, tty } = session_cells(x);
        if mdown {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(f, &x.host),
                cell(f, &who),
                x.kind,
                cell(f, x.from.as_deref().unwrap_or("")),
                cell(f, &tty),
                start,
                end,
                cell(f, &provenance(&x.start_event))
            )?;
        } else {
            writeln!(
                out,
                "  {:<8} {:<18} {:<5} from {:<16} tty {:<6} {start} → {end}   [{}]",
                cell(f, &x.host),
                cell(f, &who),
                x.kind,
                cell(f, x.from.as_deref().unwrap_or("-")),
                cell(f, if tty.is_empty() { "-" } else { &tty }),
                cell(f, &provenance(&x.start_event))
            )?;
            if let Some(w) = &x.within {
                writeln!(out, "      run from: {}", cell(f, w))?;
            }
            let (shown, more) = nearest_commands(&x.commands, t_ask);
            if more > 0 {
                writeln!(
                    out,
                    "      ({more} more commands further from that time: --output jsonl)"
                )?;
            }
            for c in shown {
                writeln!(
                    out,
                    "      {:>9} {:<20} {}   [{}]",
                    fmt_offset(c.time - t_ask),
                    rfc3339(c.time),
                    cell(f, &command_text(c)),
                    cell(f, &provenance(&c.event))
                )?;
            }
        }
    }
    if mdown {
        for x in ans.sessions.iter().filter(|x| !x.commands.is_empty()) {
            writeln!(out)?;
            writeln!(
                out,
                "Commands in the {} session of {} on {} ({}):",
                x.kind,
                cell(f, &x.user),
                cell(f, &x.host),
                cell(f, x.tty.as_deref().unwrap_or("tty unknown"))
            )?;
            writeln!(out)?;
            let (shown, more) = nearest_commands(&x.commands, t_ask);
            if more > 0 {
                writeln!(out, "({more} more commands further from that time: `--output jsonl`.)")?;
                writeln!(out)?;
            }
            writeln!(out, "| offset | time (UTC) | command | linked by | evidence |")?;
            writeln!(out, "|---|---|---|---|---|")?;
            for c in shown {
                writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    fmt_offset(c.time - t_ask),
                    rfc3339(c.time),
                    cell(f, &command_text(c)),
                    cell(f, &c.link),
                    cell(f, &provenance(&c.event))
                )?;
            }
        }
    }
    let mut current: Option<Section> = None;
    for i in &ans.items {
        if current != Some(i.section) {
            current = Some(i.section);
            let n = ans.items.iter().filter(|x| x.section == i.section).count();
            writeln!(out)?;
            writeln!(out, "{h2}{} ({n})", i.section.title())?;
            if mdown {
                writeln!(out, "| offset | time (UTC) | what | time notes | evidence |")?;
                writeln!(out, "|---|---|---|---|---|")?;
            }
        }
        let time = s(&i.event, "@timestamp").unwrap_or("?");
        let notes = i.uncertain.join("; ");
        if mdown {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                fmt_offset(i.offset_ns),
                time,
                cell(f, &i.summary),
                cell(f, &notes),
                cell(f, &provenance(&i.event))
            )?;
        } else {
            let mark =
                if i.uncertain.iter().any(|u| !u.starts_with("clock skew")) { " ~" } else { "" };
            writeln!(
                out,
                "  {:>9} {time:<28} {}{mark}   [{}]",
                fmt_offset(i.offset_ns),
                cell(f, &i.summary),
                cell(f, &provenance(&i.event))
            )?;
        }
    }
    if ans.items.is_empty() {
        writeln!(out)?;
        writeln!(out, "No events within ±{} of that time.", h.window)?;
    }
    if !mdown {
        writeln!(out)?;
        writeln!(
            out,
            "(~ marks a time that is uncertain: inferred year, unknown zone or DST ambiguity; see jikoku.time.* in --output jsonl)"
        )?;
    }
    Ok(())
}

/// The cells every rendering of a session shows: start and end (UTC), who (with `by → user`
/// for su), and the terminal with where it was learned.
pub(crate) struct SessionCells<'a> {
    pub(crate) start: &'a str,
    pub(crate) end: String,
    pub(crate) who: String,
    pub(crate) tty: String,
}

pub(crate) fn session_cells(x: &jikoku_timeline::Session) -> SessionCells<'_> {
    let start = s(&x.start_event, "@timestamp").unwrap_or("?");
    let end = x
        .end_event
        .as_ref()
        .and_then(|e| s(e, "@timestamp"))
        .map(str::to_string)
        .or_else(|| x.end.map(|_| "(from duration)".into()))
        .unwrap_or_else(|| "no logout seen".into());
    let who = match &x.by {
        Some(b) => format!("{b} → {}", x.user),
        None => x.user.clone(),
    };
    let tty = match (&x.tty, &x.tty_source) {
        (Some(t), Some(src)) => format!("{t} ({src})"),
        (Some(t), None) => t.clone(),
        _ => String::new(),
    };
    SessionCells { start, end, who, tty }
}
