//! Rendering the report of `jikoku complaint`: terminal text, a Markdown incident note (a draft
//! reply with the evidence tables, to paste into a ticket), one self-contained HTML file (no
//! script), and JSON. Every string from the complaint or the logs is escaped for its output.

use std::io::{self, Write};

use jikoku_timeline::complaint::{Investigation, Report, Role};
use jikoku_timeline::{fmt_offset, get, s};
use serde_json::Value;

use crate::escape::{markdown_cell, terminal};

/// Output form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain text for a terminal.
    Text,
    /// Markdown incident note.
    Markdown,
    /// One HTML file.
    Html,
    /// One JSON document.
    Json,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "table" | "text" => Ok(Format::Text),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "json" | "jsonl" => Ok(Format::Json),
            o => Err(format!("--output: unknown format {o:?}; known: table, markdown, html, json")),
        }
    }
}

/// HTML text: `& < > " '` as entities, control characters made visible.
pub fn html_text(s: &str) -> String {
    terminal(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn md_text(s: &str) -> String {
    markdown_cell(s).replace('*', "\\*").replace('_', "\\_").replace('[', "\\[").replace(']', "\\]")
}

struct Doc<'a> {
    out: &'a mut dyn Write,
    f: Format,
}

impl Doc<'_> {
    fn esc(&self, s: &str) -> String {
        match self.f {
            Format::Markdown => md_text(s),
            Format::Html => html_text(s),
            _ => terminal(s),
        }
    }
    fn cell(&self, s: &str) -> String {
        match self.f {
            Format::Markdown => markdown_cell(s),
            Format::Html => html_text(s),
            _ => terminal(s),
        }
    }
    fn h(&mut self, level: usize, text: &str) -> io::Result<()> {
        let t = self.esc(text);
        match self.f {
            Format::Markdown => writeln!(self.out, "\n{} {t}\n", "#".repeat(level)),
            Format::Html => writeln!(self.out, "<h{level}>{t}</h{level}>"),
            _ => {
                let u = if level <= 2 { "=" } else { "-" };
                writeln!(self.out, "\n{t}\n{}", u.repeat(t.chars().count().min(100)))
            }
        }
    }
    /// A paragraph of already-escaped pieces.
    fn p(&mut self, text: &str) -> io::Result<()> {
        match self.f {
            Format::Html => writeln!(self.out, "<p>{text}</p>"),
            _ => writeln!(self.out, "{text}\n"),
        }
    }
    fn bullets(&mut self, items: &[String]) -> io::Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        match self.f {
            Format::Html => {
                writeln!(self.out, "<ul>")?;
                for i in items {
                    writeln!(self.out, "<li>{}</li>", self.esc(i))?;
                }
                writeln!(self.out, "</ul>")
            }
            _ => {
                for i in items {
                    writeln!(self.out, "- {}", self.esc(i))?;
                }
                writeln!(self.out)
            }
        }
    }
    fn table(&mut self, head: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        match self.f {
            Format::Markdown => {
                writeln!(self.out, "| {} |", head.join(" | "))?;
                writeln!(self.out, "|{}", "---|".repeat(head.len()))?;
                for r in rows {
                    let cells: Vec<String> = r.iter().map(|c| self.cell(c)).collect();
                    writeln!(self.out, "| {} |", cells.join(" | "))?;
                }
                writeln!(self.out)
            }
            Format::Html => {
                write!(self.out, "<table><tr>")?;
                for h in head {
                    write!(self.out, "<th>{}</th>", html_text(h))?;
                }
                writeln!(self.out, "</tr>")?;
                for r in rows {
                    write!(self.out, "<tr>")?;
                    for c in r {
                        write!(self.out, "<td>{}</td>", html_text(c))?;
                    }
                    writeln!(self.out, "</tr>")?;
                }
                writeln!(self.out, "</table>")
            }
            _ => {
                for r in rows {
                    let cells: Vec<String> = head
                        .iter()
                        .zip(r)
                        .filter(|(_, c)| !c.is_empty())
                        .map(|(h, c)| format!("{h}: {}", terminal(c)))
                        .collect();
                    writeln!(self.out, "  * {}", cells.join("; "))?;
                }
                writeln!(self.out)
            }
        }
    }
}

fn vs(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(x)) => x.clone(),
        Some(Value::Null) | None => String::new(),
        Some(x) => x.to_string(),
    }
}

fn time_cell(t: Option<&Value>) -> (String, String) {
    let Some(t) = t else { return (String::new(), String::new()) };
    let text = vs(t.get("text"));
    let utc = match (t.get("utc"), t.get("error")) {
        (Some(u), _) => vs(Some(u)),
        (None, Some(_)) => "(not readable)".into(),
        _ => String::new(),
    };
    (text, utc)
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Ours => "OURS",
        Role::AfterUs => "after us (receiver)",
        Role::BeforeUs => "before us (may be forged)",
        Role::Unknown => "not ours",
    }
}

fn summary_lines(r: &Report) -> Vec<String> {
    let mut out = vec![];
    for inv in &r.investigations {
        let p = &inv.probe;
        let host = p.host.as_deref().unwrap_or("our hosts");
        if let Some(m) = inv.flows.first() {
            let fl = &m.flow;
            let rcpts: Vec<String> = fl
                .get("recipients")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|x| format!("{} ({})", vs(x.get("address")), vs(x.get("status"))))
                        .collect()
                })
                .unwrap_or_default();
            out.push(format!(
                "The message ({}) was handled by our host {host} at {} (UTC): our log holds it as queue id {} (matched by {}), submitted by {}, to {}.",
                p.label,
                vs(fl.get("first")),
                vs(fl.get("queue_id")),
                m.matched_by,
                m.submitter,
                if rcpts.is_empty() { "no recipient logged".into() } else { rcpts.join(", ") }
            ));
            for w in &m.preceded_by {
                out.push(format!("Just before it on {host}: {w}."));
            }
            for l in inv.flows.iter().skip(1) {
                out.push(format!(
                    "Linked on {host}: queue id {} ({}), submitted by {}.",
                    vs(l.flow.get("queue_id")),
                    l.matched_by,
                    l.submitter
                ));
            }
        } else if p.hop.is_some() {
            out.push(format!(
                "{}: at {} (UTC) we found no matching message in our logs.",
                p.label, p.utc
            ));
        } else {
            out.push(format!(
                "{}: {} (UTC); {} of our events within ±{}.",
                p.label,
                p.utc,
                inv.answer.items.len(),
                fmt_offset(p.window).trim_start_matches('+')
            ));
        }
        out.extend(inv.clock.iter().cloned());
    }
    out
}

fn provenance(e: &Value) -> String {
    let path = s(e, "log.file.path").unwrap_or("?");
    match get(e, "jikoku.line").and_then(Value::as_u64) {
        Some(l) => format!("{path}:{l}"),
        None => path.to_string(),
    }
}

fn investigation(d: &mut Doc<'_>, inv: &Investigation) -> io::Result<()> {
    let p = &inv.probe;
    d.h(3, &format!("Checked: {}", p.label))?;
    let mut facts = vec![format!("time as written: {}", p.time_text)];
    for (k, v) in &inv.conversions {
        facts.push(format!("{k}: {v}"));
    }
    facts.push(format!("window: ±{}", fmt_offset(p.window).trim_start_matches('+')));
    if let Some(h) = &p.host {
        facts.push(format!("host: {h}"));
    }
    if !p.queue_ids.is_empty() {
        facts.push(format!("queue id in our hop: {}", p.queue_ids.join(", ")));
    }
    if let Some(m) = &p.message_id {
        facts.push(format!("Message-ID: {m}"));
    }
    if let Some(ip) = &p.handed_by_ip {
        facts.push(format!("handed to us by: {ip}"));
    }
    d.bullets(&facts)?;
    if !inv.flows.is_empty() {
        d.h(4, "Mail flow in our logs")?;
        let rows: Vec<Vec<String>> = inv
            .flows
            .iter()
            .map(|m| {
                let fl = &m.flow;
                let rc: Vec<String> = fl
                    .get("recipients")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .map(|x| {
                                format!(
                                    "{} {} via {} at {}",
                                    vs(x.get("address")),
                                    vs(x.get("status")),
                                    vs(x.get("relay")),
                                    vs(x.get("at"))
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                vec![
                    vs(fl.get("host")),
                    vs(fl.get("queue_id")),
                    m.matched_by.clone(),
                    vs(fl.get("first")),
                    m.submitter.clone(),
                    vs(fl.get("message_id")),
                    rc.join("; "),
                    m.log_minus_received_s.map(|x| format!("{x:+.0} s")).unwrap_or_default(),
                    m.evidence.join(", "),
                ]
            })
            .collect();
        d.table(
            &[
                "host",
                "queue id",
                "matched by",
                "first record (UTC)",
                "submitter",
                "Message-ID",
                "recipients",
                "log − Received",
                "evidence",
            ],
            &rows,
        )?;
    }
    if !inv.clock.is_empty() {
        d.h(4, "Clocks")?;
        d.bullets(&inv.clock)?;
    }
    let a = &inv.answer;
    if !a.sessions.is_empty() {
        d.h(4, "Sessions active at that time")?;
        let rows: Vec<Vec<String>> = a
            .sessions
            .iter()
            .map(|x| {
                vec![
                    x.host.clone(),
                    match &x.by {
                        Some(b) => format!("{b} → {}", x.user),
                        None => x.user.clone(),
                    },
                    x.kind.clone(),
                    x.from.clone().unwrap_or_default(),
                    s(&x.start_event, "@timestamp").unwrap_or("?").to_string(),
                    x.end_event
                        .as_ref()
                        .and_then(|e| s(e, "@timestamp"))
                        .unwrap_or("no logout seen")
                        .to_string(),
                    provenance(&x.start_event),
                ]
            })
            .collect();
        d.table(&["host", "user", "how", "from", "start (UTC)", "end (UTC)", "evidence"], &rows)?;
    }
    if !a.items.is_empty() {
        d.h(4, &format!("Our events within ±{}", fmt_offset(p.window).trim_start_matches('+')))?;
        let rows: Vec<Vec<String>> = a
            .items
            .iter()
            .map(|i| {
                vec![
                    i.section.title().trim_end_matches(" near that time").to_string(),
                    fmt_offset(i.offset_ns),
                    s(&i.event, "@timestamp").unwrap_or("?").to_string(),
                    i.summary.clone(),
                    i.uncertain.join("; "),
                    provenance(&i.event),
                ]
            })
            .collect();
        d.table(&["kind", "offset", "time (UTC)", "what", "time notes", "evidence"], &rows)?;
    }
    Ok(())
}

/// One message of an mbox and its report.
#[derive(Debug, Clone)]
pub struct Numbered {
    /// 1-based position in the mbox.
    pub number: usize,
    /// Line of its postmark in the file.
    pub line: usize,
    /// The postmark (`From sender date`).
    pub postmark: String,
    /// Its report.
    pub report: Report,
}

/// Writes the report.
pub fn write(out: &mut dyn Write, r: &Report, f: Format) -> io::Result<()> {
    if f == Format::Json {
        let v = serde_json::to_value(r).map_err(io::Error::other)?;
        serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let mut d = Doc { out, f };
    if f == Format::Html {
        html_head(&mut d)?;
    }
    body(&mut d, r, "")?;
    if f == Format::Html {
        writeln!(d.out, "</body></html>")?;
    }
    Ok(())
}

/// Writes the reports of the messages of an mbox, numbered: one document (JSON: `{"mbox":
/// [{number, line, postmark, report}]}`; the others: one section per message).
pub fn write_many(out: &mut dyn Write, rs: &[Numbered], f: Format) -> io::Result<()> {
    if f == Format::Json {
        let mut list = vec![];
        for n in rs {
            list.push(serde_json::json!({
                "number": n.number,
                "line": n.line,
                "postmark": n.postmark,
                "report": serde_json::to_value(&n.report).map_err(io::Error::other)?,
            }));
        }
        let v = serde_json::json!({ "mbox": list });
        serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::other)?;
        return writeln!(out);
    }
    let mut d = Doc { out, f };
    if f == Format::Html {
        html_head(&mut d)?;
    }
    d.h(1, &format!("mbox: {} complaints", rs.len()))?;
    for n in rs {
        let prefix =
            format!("Message {} of {} (line {}: {}): ", n.number, rs.len(), n.line, n.postmark);
        body(&mut d, &n.report, &prefix)?;
    }
    if f == Format::Html {
        writeln!(d.out, "</body></html>")?;
    }
    Ok(())
}

fn html_head(d: &mut Doc<'_>) -> io::Result<()> {
    writeln!(
        d.out,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>jikoku complaint</title>\n<style>body{{font-family:sans-serif;max-width:80em;margin:auto}}table{{border-collapse:collapse;font-size:90%}}td,th{{border:1px solid #aaa;padding:2px 6px;vertical-align:top}}</style></head><body>"
    )
}

fn body(d: &mut Doc<'_>, r: &Report, prefix: &str) -> io::Result<()> {
    let c = &r.complaint;
    let subject = vs(c.get("subject"));
    let from = vs(c.get("from"));
    d.h(
        2,
        &format!(
            "{prefix}Incident note: complaint{}{}",
            if subject.is_empty() { String::new() } else { format!(" \"{subject}\"") },
            if from.is_empty() { String::new() } else { format!(" from {from}") }
        ),
    )?;
    d.h(3, "Draft reply")?;
    let (dt, dutc) = time_cell(c.get("date"));
    let greet = if dt.is_empty() {
        "Thank you for your report.".to_string()
    } else {
        format!("Thank you for your report of {dt} ({dutc} UTC).")
    };
    let g = d.esc(&greet);
    d.p(&g)?;
    let lines = summary_lines(r);
    if lines.is_empty() {
        let t = d.esc("We could not relate the report to any of our hosts from the information it contains; could you send the full headers of the message (or the time, addresses and ports of the incident, with their time zone)?");
        d.p(&t)?;
    } else {
        let t = d.esc("We examined the message and our logs. What we found:");
        d.p(&t)?;
        d.bullets(&lines)?;
    }
    if !r.unconfirmed.is_empty() {
        let t = d.esc("We could not confirm:");
        d.p(&t)?;
        d.bullets(&r.unconfirmed)?;
    }
    let t = d.esc("[Action taken: … (fill in before sending)]");
    d.p(&t)?;

    d.h(3, "What the complaint claims")?;
    for m in &r.messages {
        d.h(4, &format!("Message at line {} ({})", m.line, m.origin))?;
        let mut b = vec![];
        for (k, v) in [
            ("Message-ID", m.message_id.clone()),
            ("From", m.from.clone()),
            ("Subject", m.subject.clone()),
            ("X-Originating-IP", m.x_originating_ip.clone()),
        ] {
            if let Some(v) = v {
                b.push(format!("{k}: {v}"));
            }
        }
        if let Some(dv) = &m.date {
            let (t, u) = time_cell(Some(dv));
            b.push(format!("Date: {t} = {u}"));
        }
        if let Some(h) = &m.handed_by {
            b.push(format!(
                "handed to us (hop {}) by: {h}",
                m.entry_hop.map(|e| e.to_string()).unwrap_or_default()
            ));
        }
        d.bullets(&b)?;
        let rows: Vec<Vec<String>> = m
            .hops
            .iter()
            .map(|h| {
                let (t, u) = time_cell(h.time.as_ref());
                let rv = &h.received;
                let from =
                    [vs(rv.get("from_name")), vs(rv.get("from_rdns")), vs(rv.get("from_ip"))]
                        .into_iter()
                        .filter(|x| !x.is_empty())
                        .collect::<Vec<_>>()
                        .join(" / ");
                let from = if from.is_empty() { vs(rv.get("local_user")) } else { from };
                vec![
                    h.index.to_string(),
                    role(h.role).to_string(),
                    from,
                    vs(rv.get("by_name")),
                    vs(rv.get("protocol")),
                    vs(rv.get("id")),
                    t,
                    u,
                    h.line.to_string(),
                ]
            })
            .collect();
        d.table(
            &["hop", "whose", "from", "by", "with", "id", "time as written", "UTC", "line"],
            &rows,
        )?;
        d.bullets(&m.trust)?;
    }
    for a in &r.arf {
        d.h(4, &format!("ARF feedback report at line {}", vs(a.get("line"))))?;
        let (t, u) = time_cell(a.get("arrival_date"));
        d.bullets(&[
            format!("Feedback-Type: {}", vs(a.get("feedback_type"))),
            format!("Source-IP: {}", vs(a.get("source_ip"))),
            format!("Arrival-Date: {t} = {u}"),
            format!("User-Agent: {}", vs(a.get("user_agent"))),
        ])?;
    }
    let facts = &r.facts;
    let list = |k: &str, f: &dyn Fn(&Value) -> String| -> Vec<String> {
        facts
            .get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(f).collect())
            .unwrap_or_default()
    };
    let mut fl = vec![];
    fl.extend(list("times", &|t| {
        format!(
            "time (line {}): {} = {} UTC",
            vs(t.get("line")),
            vs(t.get("text")),
            vs(t.get("utc"))
        )
    }));
    let ips = list("ips", &|t| vs(t.get("ip")));
    if !ips.is_empty() {
        fl.push(format!("addresses: {}", ips.join(", ")));
    }
    let ports = list("ports", &|t| vs(t.get("port")));
    if !ports.is_empty() {
        fl.push(format!("ports: {}", ports.join(", ")));
    }
    fl.extend(list("urls", &|t| format!("URL (line {}): {}", vs(t.get("line")), vs(t.get("url")))));
    fl.extend(list("log_lines", &|t| {
        format!(
            "pasted log line {} ({}): {} = {}",
            vs(t.get("line")),
            vs(t.get("parser")),
            vs(t.get("text")),
            match t.get("utc").and_then(Value::as_str) {
                Some(u) => format!("{u} (zone from {})", vs(t.get("zone_from"))),
                None => "zone unknown".into(),
            }
        )
    }));
    if !fl.is_empty() {
        d.h(4, "Facts stated in the text")?;
        d.bullets(&fl)?;
    }
    d.h(3, "Our logs")?;
    if r.investigations.is_empty() {
        let t = d.esc("Nothing to look up (see what could not be confirmed).");
        d.p(&t)?;
    }
    for inv in &r.investigations {
        investigation(d, inv)?;
    }
    if !r.unconfirmed.is_empty() {
        d.h(3, "Not confirmed")?;
        d.bullets(&r.unconfirmed)?;
    }
    if !r.notes.is_empty() {
        d.h(3, "Reading notes")?;
        d.bullets(&r.notes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes() {
        assert_eq!(html_text("<script>\"a\"&'b'"), "&lt;script&gt;&quot;a&quot;&amp;&#39;b&#39;");
        assert_eq!(md_text("*x* [y](z) a_b"), "\\*x\\* \\[y\\](z) a\\_b");
    }
}
