//! One self-contained HTML file: the `at` report and/or an interactive timeline view (zoom,
//! filter by host/user/kind, click an event to see its raw line and provenance).
//!
//! Log text is attacker-controlled, so:
//! - nothing is loaded from anywhere: CSS and JavaScript are inline, and a strict
//!   Content-Security-Policy (`default-src 'none'`) allows exactly those two blocks, by their
//!   SHA-256 (no `'unsafe-inline'`): an injected `<script>` or event handler would not run even if
//!   it reached the markup;
//! - text written into the markup by Rust goes through [`escape::html`];
//! - events are embedded as JSON in a `<script type="application/json">` block, with `<`, `>`,
//!   `&`, U+2028 and U+2029 escaped ([`escape::json_for_script`]) so no log text can close the
//!   block;
//! - the script renders log text only with `textContent`, never `innerHTML`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use base64::Engine;
use jikoku_timeline::{Answer, fmt_offset, s};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::at::{self, Header};
use crate::escape::{self, html as h};
use crate::field_text;

/// The stylesheet (inline; allowed by its hash).
pub const CSS: &str = include_str!("../assets/report.css");
/// The timeline script (inline; allowed by its hash).
pub const JS: &str = include_str!("../assets/timeline.js");

fn csp_hash(block: &str) -> String {
    let digest = Sha256::digest(block.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// The Content-Security-Policy of every page: nothing but the inline stylesheet and script.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; img-src 'none'; base-uri 'none'; form-action 'none'",
        csp_hash(JS),
        csp_hash(CSS)
    )
}

/// `@timestamp` in UTC milliseconds.
fn ms(e: &Value) -> Option<i64> {
    s(e, "@timestamp")
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis())
}

/// One entry of the embedded data.
fn datum(e: &Value, section: Option<&str>, summary: Option<&str>, notes: &[String]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("ms".into(), ms(e).map_or(Value::Null, Value::from));
    if let Some(x) = section {
        m.insert("section".into(), Value::from(x));
    }
    if let Some(x) = summary {
        m.insert("summary".into(), Value::from(x));
    }
    if !notes.is_empty() {
        m.insert("notes".into(), json!(notes));
    }
    m.insert("e".into(), e.clone());
    Value::Object(m)
}

fn head(out: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(out, "<!DOCTYPE html>")?;
    writeln!(out, "<html lang=\"en\">")?;
    writeln!(out, "<head>")?;
    writeln!(out, "<meta charset=\"utf-8\">")?;
    writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        content_security_policy()
    )?;
    writeln!(out, "<meta name=\"referrer\" content=\"no-referrer\">")?;
    writeln!(out, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")?;
    writeln!(out, "<meta name=\"generator\" content=\"jikoku {}\">", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "<title>{}</title>", h(title))?;
    // The hashed block is exactly CSS: nothing may be added between the tags.
    write!(out, "<style>{CSS}</style>")?;
    writeln!(out)?;
    writeln!(out, "</head>")?;
    writeln!(out, "<body>")?;
    Ok(())
}

fn timeline_section(out: &mut dyn Write, data: &Value, cited: &[&Value]) -> io::Result<()> {
    writeln!(out, "<section id=\"timeline\">")?;
    writeln!(out, "<h2>Timeline</h2>")?;
    writeln!(
        out,
        "<noscript><p class=\"warn\">The interactive view needs JavaScript; the events are in the JSON block \
         <code>jikoku-data</code> of this file.</p></noscript>"
    )?;
    writeln!(
        out,
        "<div id=\"controls\"><label>host <select id=\"f-host\"></select></label>\
         <label>user <select id=\"f-user\"></select></label>\
         <label>kind <select id=\"f-kind\"></select></label>\
         <label>text <input id=\"f-q\" type=\"search\" placeholder=\"message or raw line\"></label>\
         <button id=\"zoom-in\" type=\"button\" title=\"zoom in\">+</button>\
         <button id=\"zoom-out\" type=\"button\" title=\"zoom out\">−</button>\
         <button id=\"reset\" type=\"button\">reset</button><span id=\"count\"></span></div>"
    )?;
    writeln!(
        out,
        "<p class=\"legend meta\">Scroll on the lanes to zoom, drag to select a range, click a dot or a row. \
         <span><i class=\"k-auth\"></i>auth</span><span><i class=\"k-login\"></i>login</span>\
         <span><i class=\"k-sudo\"></i>sudo</span><span><i class=\"k-acct\"></i>acct</span>\
         <span><i class=\"k-mail\"></i>mail</span><span><i class=\"k-http\"></i>http</span>\
         <span><i class=\"k-syslog\"></i>syslog</span><span><i class=\"k-pipeline\"></i>pipeline error</span>\
         <span><i class=\"k-other\"></i>other</span></p>"
    )?;
    writeln!(out, "<div id=\"view\"><div id=\"axis\"></div><div id=\"lanes\"></div></div>")?;
    writeln!(
        out,
        "<div id=\"split\"><div id=\"list\"><table><thead><tr><th>time (UTC)</th><th>host</th><th>what</th>\
         <th>user</th><th>from</th><th>summary</th></tr></thead><tbody id=\"rows\"></tbody></table>\
         <div id=\"more\"></div></div><aside id=\"detail\"></aside></div>"
    )?;
    writeln!(out, "</section>")?;
    evidence_table(out, cited)?;
    let json = serde_json::to_string(data).map_err(io::Error::other)?;
    writeln!(
        out,
        "<script type=\"application/json\" id=\"jikoku-data\">{}</script>",
        escape::json_for_script(&json)
    )?;
    // The hashed block is exactly JS.
    write!(out, "<script>{JS}</script>")?;
    writeln!(out)?;
    writeln!(out, "</body>")?;
    writeln!(out, "</html>")?;
    Ok(())
}

/// Source files behind `events`, with their SHA-256 and how many of the events each gave.
fn evidence_rows(events: &[&Value]) -> Vec<(String, String, String, usize)> {
    let mut m: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for e in events {
        let key = (
            field_text(e, "host.name"),
            field_text(e, "log.file.path"),
            field_text(e, "jikoku.source.sha256"),
        );
        *m.entry(key).or_insert(0) += 1;
    }
    m.into_iter().map(|((host, p, sha), n)| (host, p, sha, n)).collect()
}

fn evidence_table(out: &mut dyn Write, events: &[&Value]) -> io::Result<()> {
    writeln!(out, "<h2>Evidence</h2>")?;
    writeln!(
        out,
        "<p class=\"meta\">Every source file cited in this report, with the SHA-256 of its bytes as read \
         (compressed bytes for a compressed file): <code>jikoku sources</code> lists the full manifest.</p>"
    )?;
    writeln!(
        out,
        "<table class=\"evidence\"><thead><tr><th>host</th><th>source</th><th>SHA-256</th><th>events cited</th></tr></thead><tbody>"
    )?;
    for (host, path, sha, n) in evidence_rows(events) {
        writeln!(
            out,
            "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{n}</td></tr>",
            h(&host),
            h(&path),
            h(&sha)
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    Ok(())
}

/// A timeline page: `events` (as JSON values) with the interactive view and an evidence table.
pub fn write_timeline(out: &mut dyn Write, title: &str, events: &[Value]) -> io::Result<()> {
    head(out, title)?;
    writeln!(out, "<header><h1>{}</h1>", h(title))?;
    writeln!(
        out,
        "<p class=\"meta\">{} events; times in UTC (each event also shows its host's clock); written by jikoku {}</p></header>",
        events.len(),
        env!("CARGO_PKG_VERSION")
    )?;
    let data = json!({
        "kind": "timeline",
        "events": events.iter().map(|e| datum(e, None, None, &[])).collect::<Vec<_>>(),
    });
    let cited: Vec<&Value> = events.iter().collect();
    timeline_section(out, &data, &cited)
}

/// The `at` answer as a page: the question, time conversions, assumptions, sessions, findings
/// per group, evidence (sources and their SHA-256), then the interactive timeline of the
/// same events. Rows of the tables open the event in the timeline.
pub fn write_at(out: &mut dyn Write, hd: &Header, ans: &Answer) -> io::Result<()> {
    let title = format!("Who did what at {}", hd.text);
    head(out, &title)?;
    // The embedded events: items first (in answer order), then session starts not among them.
    let mut data = vec![];
    let mut cited: Vec<&Value> = vec![];
    for i in &ans.items {
        data.push(datum(&i.event, Some(i.section.title()), Some(&i.summary), &i.uncertain));
        cited.push(&i.event);
    }
    // Position of an event in the data, added when absent.
    fn index_of<'a>(
        e: &'a Value,
        section: &str,
        data: &mut Vec<Value>,
        cited: &mut Vec<&'a Value>,
    ) -> usize {
        match cited.iter().position(|c| *c == e) {
            Some(n) => n,
            None => {
                data.push(datum(e, Some(section), None, &[]));
                cited.push(e);
                data.len().saturating_sub(1)
            }
        }
    }
    let mut session_ev = vec![];
    let mut command_ev: Vec<Vec<usize>> = vec![];
    let t_ask = chrono::DateTime::parse_from_rfc3339(&hd.utc)
        .ok()
        .and_then(|t| t.timestamp_nanos_opt())
        .unwrap_or(0);
    for x in &ans.sessions {
        session_ev.push(index_of(&x.start_event, "Sessions", &mut data, &mut cited));
        let (shown, _) = at::nearest_commands(&x.commands, t_ask);
        command_ev.push(
            shown
                .iter()
                .map(|c| index_of(&c.event, "Session commands", &mut data, &mut cited))
                .collect(),
        );
    }

    writeln!(out, "<header><h1>{}</h1>", h(&title))?;
    writeln!(
        out,
        "<p class=\"meta\">written by jikoku {}; times in UTC unless marked</p></header>",
        env!("CARGO_PKG_VERSION")
    )?;

    writeln!(out, "<h2>Question</h2>")?;
    writeln!(out, "<ul class=\"facts\">")?;
    writeln!(out, "<li>reported time: <code>{}</code></li>", h(&hd.text))?;
    writeln!(out, "<li>UTC: <code>{}</code></li>", h(&hd.utc))?;
    writeln!(out, "<li>reporter's offset: <code>{}</code></li>", h(&hd.reporter_offset))?;
    writeln!(out, "<li>window: ±{}</li>", h(&hd.window))?;
    if !hd.focus.is_empty() {
        writeln!(out, "<li>focus: {}</li>", h(&hd.focus.join(", ")))?;
    }
    writeln!(out, "</ul>")?;

    writeln!(out, "<h2>Time conversions</h2>")?;
    writeln!(
        out,
        "<table><thead><tr><th>host</th><th>zone</th><th>that time on the host's zone</th>\
         <th>clock skew</th><th>what its clock read</th></tr></thead><tbody>"
    )?;
    for (host, zone) in &ans.hosts {
        let skew = at::skew_of(ans, host);
        let read = if skew != 0.0 {
            chrono::DateTime::parse_from_rfc3339(&hd.utc)
                .ok()
                .and_then(|t| {
                    t.checked_add_signed(chrono::Duration::milliseconds((skew * 1000.0) as i64))
                })
                .map(|t| at::host_time(&t.to_rfc3339(), zone))
                .unwrap_or_default()
        } else {
            at::host_time(&hd.utc, zone)
        };
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"mono\">{}</td><td>{:+} s</td><td class=\"mono\">{}</td></tr>",
            h(host),
            h(zone),
            h(&at::host_time(&hd.utc, zone)),
            skew,
            h(&read)
        )?;
    }
    writeln!(out, "</tbody></table>")?;

    writeln!(out, "<h2>Assumptions</h2>")?;
    writeln!(out, "<ul class=\"facts\">")?;
    writeln!(
        out,
        "<li>Times are corrected to UTC: corrected time = host clock − declared skew.</li>"
    )?;
    let mut zones: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut years: BTreeMap<String, usize> = BTreeMap::new();
    for e in &cited {
        let k = (
            field_text(e, "host.name"),
            field_text(e, "jikoku.time.zone"),
            field_text(e, "jikoku.time.zone_source"),
        );
        *zones.entry(k).or_insert(0) += 1;
        if field_text(e, "jikoku.time.year") == "inferred" {
            *years.entry(field_text(e, "jikoku.time.year_source")).or_insert(0) += 1;
        }
    }
    for ((host, zone, src), n) in &zones {
        let warn = if src == "default" { " class=\"warn\"" } else { "" };
        let why = match src.as_str() {
            "record" => "written in the records",
            "option" => "given with --tz",
            "image" => "found in the image",
            "default" => "NOT KNOWN: read as UTC by default",
            other => other,
        };
        writeln!(
            out,
            "<li{warn}>{}: {n} events read in zone <code>{}</code> ({})</li>",
            h(if host.is_empty() { "(no host)" } else { host }),
            h(zone),
            h(why)
        )?;
    }
    for (src, n) in &years {
        let warn = if src == "option" { "" } else { " class=\"warn\"" };
        let why = match src.as_str() {
            "option" => "given with --year",
            "mtime" => "inferred from the file's modification time",
            "rotation" => "inferred from the rotation chain",
            "neighbour" => "inferred from neighbouring records",
            "" => "unknown",
            other => other,
        };
        writeln!(out, "<li{warn}>{n} events carry no year in their records: {}</li>", h(why))?;
    }
    let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &ans.items {
        for u in &i.uncertain {
            *notes.entry(u.as_str()).or_insert(0) += 1;
        }
    }
    for (note, n) in &notes {
        writeln!(out, "<li>{n} × {}</li>", h(note))?;
    }
    writeln!(out, "</ul>")?;

    writeln!(out, "<h2>Sessions active at that time ({})</h2>", ans.sessions.len())?;
    if !ans.sessions.is_empty() {
        writeln!(
            out,
            "<table><thead><tr><th>host</th><th>user</th><th>how</th><th>from</th><th>tty</th>\
             <th>start (UTC)</th><th>end (UTC)</th><th>evidence</th></tr></thead><tbody>"
        )?;
        for (x, n) in ans.sessions.iter().zip(&session_ev) {
            let crate::at::SessionCells { start, end, who, tty } = crate::at::session_cells(x);
            writeln!(
                out,
                "<tr class=\"ev\" data-ev=\"{n}\"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"t\">{}</td><td class=\"t\">{}</td><td class=\"mono\">{}</td></tr>",
                h(&x.host),
                h(&who),
                h(&x.kind),
                h(x.from.as_deref().unwrap_or("")),
                h(&tty),
                h(start),
                h(&end),
                h(&at::provenance(&x.start_event))
            )?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    for ((x, evs), n) in ans.sessions.iter().zip(&command_ev).zip(&session_ev) {
        if x.commands.is_empty() {
            continue;
        }
        let (shown, more) = at::nearest_commands(&x.commands, t_ask);
        writeln!(
            out,
            "<h3 class=\"ev\" data-ev=\"{n}\">Commands in the {} session of {} on {} ({})</h3>",
            h(&x.kind),
            h(&x.user),
            h(&x.host),
            h(x.tty.as_deref().unwrap_or("tty unknown"))
        )?;
        if more > 0 {
            writeln!(
                out,
                "<p class=\"meta\">{more} more commands further from that time: <code>--output jsonl</code>.</p>"
            )?;
        }
        writeln!(
            out,
            "<table><thead><tr><th>offset</th><th>time (UTC)</th><th>command</th><th>linked by</th>\
             <th>evidence</th></tr></thead><tbody>"
        )?;
        for (c, i) in shown.iter().zip(evs) {
            writeln!(
                out,
                "<tr class=\"ev\" data-ev=\"{i}\"><td class=\"t\">{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td>\
                 <td class=\"mono\">{}</td></tr>",
                h(&fmt_offset(c.time - t_ask)),
                h(&at::rfc3339(c.time)),
                h(&at::command_text(c)),
                h(&c.link),
                h(&at::provenance(&c.event))
            )?;
        }
        writeln!(out, "</tbody></table>")?;
    }

    let mut current = None;
    for (n, i) in ans.items.iter().enumerate() {
        if current != Some(i.section) {
            if current.is_some() {
                writeln!(out, "</tbody></table>")?;
            }
            current = Some(i.section);
            let count = ans.items.iter().filter(|x| x.section == i.section).count();
            writeln!(out, "<h2>{} ({count})</h2>", h(i.section.title()))?;
            writeln!(
                out,
                "<table><thead><tr><th>offset</th><th>time (UTC)</th><th>what</th><th>time notes</th>\
                 <th>evidence</th></tr></thead><tbody>"
            )?;
        }
        writeln!(
            out,
            "<tr class=\"ev\" data-ev=\"{n}\"><td class=\"t\">{}</td><td class=\"t\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"mono\">{}</td></tr>",
            h(&fmt_offset(i.offset_ns)),
            h(s(&i.event, "@timestamp").unwrap_or("?")),
            h(&i.summary),
            h(&i.uncertain.join("; ")),
            h(&at::provenance(&i.event))
        )?;
    }
    if current.is_some() {
        writeln!(out, "</tbody></table>")?;
    } else {
        writeln!(out, "<p>No events within ±{} of that time.</p>", h(&hd.window))?;
    }

    let t_ms = chrono::DateTime::parse_from_rfc3339(&hd.utc).ok().map(|t| t.timestamp_millis());
    let data = json!({
        "kind": "at",
        "t_ms": t_ms,
        "events": data,
    });
    timeline_section(out, &data, &cited)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csp_has_the_hashes_and_nothing_inline() {
        let p = content_security_policy();
        assert!(p.starts_with("default-src 'none'; script-src 'sha256-"));
        assert!(!p.contains("unsafe"));
        assert_eq!(csp_hash(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }

    #[test]
    fn timeline_page_escapes_everything() {
        let e = json!({"@timestamp":"2026-01-01T00:00:00Z","message":"</script><script>alert(1)</script>\u{2028}",
            "host":{"name":"\"><img src=x onerror=alert(1)>"},
            "log":{"file":{"path":"<b>p</b>"}},"jikoku":{"source":{"sha256":"ab"}}});
        let mut out = vec![];
        write_timeline(&mut out, "t <i>", &[e]).unwrap();
        let page = String::from_utf8(out).unwrap();
        assert_eq!(page.matches("<script").count(), 2, "only the data block and the script");
        assert_eq!(page.matches("</script>").count(), 2);
        assert!(!page.contains("<img"));
        assert!(!page.contains("<b>p"));
        assert!(!page.contains('\u{2028}'));
        assert!(page.contains("&lt;b&gt;p&lt;/b&gt;"));
        assert!(page.contains("<title>t &lt;i&gt;</title>"));
        // The blocks hashed are the blocks written.
        assert!(page.contains(&format!("<style>{CSS}</style>")));
        assert!(page.contains(&format!("<script>{JS}</script>")));
        assert!(!JS.contains("innerHTML") && !JS.contains("insertAdjacentHTML"));
        assert!(!JS.contains("document.write") && !JS.contains("eval("));
    }
}
