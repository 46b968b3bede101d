//! Abuse complaints: the mail headers inside them, and the plain incident facts.
//!
//! A complaint is an RFC 5322 message, an mbox, or text typed or pasted by a person. The
//! messages it is about are inside it in many shapes: the complaint's own header, header blocks
//! quoted once or twice (`> `, `> >`, `>>`), forwarded inline, attached as `message/rfc822`,
//! inside an ARF feedback report (RFC 5965: `message/feedback-report` + the original headers),
//! encoded in a base64 or quoted-printable MIME part, and header lines wrapped by mail clients
//! (folded with white space, or broken with no indentation at all).
//!
//! - [`read_complaint`]: every header block ([`HeaderBlock`]) with where it came from
//!   ([`Origin`]), one [`Message`] per block that describes a message (its `Received:` chain
//!   as [`Hop`]s, `Message-ID`, `Date`, `From`, `Subject`, `X-Originating-IP`), ARF reports,
//!   and the plain [`facts`] of the text (times, addresses, ports, URLs, pasted log lines).
//! - [`received::parse_received`]: one `Received:` field into from/by/with/id/for/date.
//!
//! Pure: bytes in, values out; no I/O, no clock. Times are read with
//! [`jikoku_time::human::parse_human`] in the zone they state.

pub mod charset;
pub mod facts;
pub mod mbox;
pub mod received;

use jikoku_time::human::{HumanTime, parse_human};
use serde_json::{Value, json};

pub use facts::{Facts, LogLine, TimeFact};
pub use received::{Received, parse_received};

/// One header field, unfolded.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name as written.
    pub name: String,
    /// Value, continuation lines joined with one space.
    pub value: String,
    /// 1-based line of the complaint (of the decoded part, for encoded parts) where it starts.
    pub line: usize,
    /// A continuation line had no indentation (a mail client broke the line): the value was
    /// joined as best we could.
    pub rewrapped: bool,
}

/// Where a header block was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The complaint's own header (the first lines of the input).
    Complaint,
    /// Quoted with `>` (depth in [`HeaderBlock::quote_depth`]).
    Quoted,
    /// A `message/rfc822` attachment (forwarded as attachment).
    Attached,
    /// The original headers of an ARF report (`text/rfc822-headers` or `message/rfc822`).
    ArfOriginal,
    /// The machine-readable part of an ARF report (`message/feedback-report`).
    ArfReport,
    /// Pasted or forwarded inline in the text, unquoted.
    Inline,
}

impl Origin {
    /// Short name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Complaint => "complaint header",
            Origin::Quoted => "quoted",
            Origin::Attached => "attached message (message/rfc822)",
            Origin::ArfOriginal => "ARF original headers",
            Origin::ArfReport => "ARF feedback report",
            Origin::Inline => "inline in the text",
        }
    }
}

/// A run of header fields.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderBlock {
    /// Where it was found.
    pub origin: Origin,
    /// 1-based line of its first field.
    pub line: usize,
    /// `>` levels of its first field.
    pub quote_depth: usize,
    /// Found in a base64 or quoted-printable MIME part (lines are those of the decoded text).
    pub encoded: bool,
    /// The fields, in order.
    pub fields: Vec<Field>,
}

impl HeaderBlock {
    /// The first field named `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)).map(|f| f.value.as_str())
    }

    /// Every field named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.name.eq_ignore_ascii_case(name))
    }
}

/// A time written in a header, read in its own zone.
#[derive(Debug, Clone, PartialEq)]
pub struct HeaderTime {
    /// As written.
    pub text: String,
    /// Read, or why not.
    pub parsed: Result<HumanTime, String>,
}

impl HeaderTime {
    /// Reads `text` (RFC 2822 and the other forms of `parse_human`); a year before 1980 or a
    /// text with no zone is refused (a garbled or truncated header).
    pub fn read(text: &str) -> HeaderTime {
        let parsed = parse_human(text, None).map_err(|e| e.to_string()).and_then(|t| {
            use chrono::Datelike;
            if t.utc.year() < 1980 {
                Err(format!("year {} is not plausible for a mail header", t.utc.year()))
            } else {
                Ok(t)
            }
        });
        HeaderTime { text: text.to_string(), parsed }
    }

    /// The instant, UTC nanoseconds, when read.
    pub fn utc_ns(&self) -> Option<i64> {
        self.parsed.as_ref().ok().and_then(|t| t.utc.timestamp_nanos_opt())
    }

    /// JSON: text, utc, offset, or error.
    pub fn to_json(&self) -> Value {
        match &self.parsed {
            Ok(t) => json!({"text": self.text, "utc": t.to_rfc3339(),
                            "offset": t.local().format("%:z").to_string(), "zone_from": t.zone.as_str()}),
            Err(e) => json!({"text": self.text, "error": e}),
        }
    }
}

/// One `Received:` field of a message, parsed, with its position in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// 0 = the topmost field (the last hop, nearest the reporter).
    pub index: usize,
    /// Line in the complaint.
    pub line: usize,
    /// The parts.
    pub received: Received,
    /// Its date.
    pub time: Option<HeaderTime>,
}

/// An ARF (RFC 5965) feedback report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArfReport {
    /// `Feedback-Type` (abuse, fraud, virus, …).
    pub feedback_type: Option<String>,
    /// `User-Agent` of the reporter.
    pub user_agent: Option<String>,
    /// `Source-IP`.
    pub source_ip: Option<String>,
    /// `Arrival-Date`.
    pub arrival_date: Option<HeaderTime>,
    /// `Original-Mail-From`.
    pub original_mail_from: Option<String>,
    /// `Original-Rcpt-To`.
    pub original_rcpt_to: Vec<String>,
    /// `Reported-Domain`.
    pub reported_domain: Vec<String>,
    /// `Reported-URI`.
    pub reported_uri: Vec<String>,
    /// Line of the report.
    pub line: usize,
}

/// A message described by a header block.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// Index into [`Complaint::blocks`].
    pub block: usize,
    /// Where it was found.
    pub origin: Origin,
    /// Line of the block.
    pub line: usize,
    /// `Received:` fields, topmost first.
    pub hops: Vec<Hop>,
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// `Date`.
    pub date: Option<HeaderTime>,
    /// `From`.
    pub from: Option<String>,
    /// `To`.
    pub to: Option<String>,
    /// `Subject`.
    pub subject: Option<String>,
    /// `Return-Path`.
    pub return_path: Option<String>,
    /// `X-Originating-IP` (webmail client address).
    pub x_originating_ip: Option<String>,
}

/// Everything read from a complaint.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Complaint {
    /// Every header block, in input order.
    pub blocks: Vec<HeaderBlock>,
    /// The complaint's own message (its header block), when the input starts with one.
    pub envelope: Option<Message>,
    /// The messages the complaint is about (blocks with a `Received:` chain or a `Message-ID`),
    /// in input order.
    pub messages: Vec<Message>,
    /// ARF reports.
    pub arf: Vec<ArfReport>,
    /// Plain facts of the text outside header blocks.
    pub facts: Facts,
    /// Problems met (undecodable parts, …).
    pub notes: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Scanning lines for header blocks.
// ---------------------------------------------------------------------------------------

/// `>` levels and the rest of the line (separator space kept).
fn unquote(line: &str) -> (usize, &str) {
    let mut depth = 0usize;
    let mut s = line;
    loop {
        let t = s.trim_start_matches(' ');
        // at most 3 leading spaces before a quote marker
        if s.len() - t.len() <= 3 {
            if let Some(rest) = t.strip_prefix('>') {
                depth += 1;
                s = rest;
                continue;
            }
        }
        break;
    }
    (depth, s)
}

/// Leading white space width (tab = 8).
fn indent(s: &str) -> usize {
    s.chars().take_while(|c| *c == ' ' || *c == '\t').map(|c| if c == '\t' { 8 } else { 1 }).sum()
}

/// `Name: value` (name of letters, digits, `-`, `_`, starting with a letter).
fn field_start(s: &str) -> Option<(&str, &str)> {
    let (name, rest) = s.split_once(':')?;
    if name.is_empty()
        || name.len() > 76
        || !name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return None;
    }
    // `http://`, `12:30`-like and `C:\` are not fields
    if rest.starts_with('/') || rest.starts_with('\\') {
        return None;
    }
    Some((name, rest.trim()))
}

/// Field names that make a run of fields a mail header block.
const MAIL_FIELDS: &[&str] = &[
    "received",
    "message-id",
    "return-path",
    "x-originating-ip",
    "date",
    "from",
    "to",
    "subject",
    "delivered-to",
    "feedback-type",
    "source-ip",
    "arrival-date",
    "original-mail-from",
    "reply-to",
    "x-mailer",
    "authentication-results",
    "dkim-signature",
];

#[derive(Debug, Clone)]
struct RawBlock {
    start: usize,
    /// index of the line after the block
    end: usize,
    depth: usize,
    fields: Vec<Field>,
}

fn scan(lines: &[&str]) -> Vec<RawBlock> {
    let mut out = vec![];
    let mut cur: Option<(RawBlock, usize)> = None; // block, separator width
    let mut i = 0usize;
    let close = |cur: &mut Option<(RawBlock, usize)>, out: &mut Vec<RawBlock>, end: usize| {
        if let Some((mut b, _)) = cur.take() {
            b.end = end;
            out.push(b);
        }
    };
    while let Some(line) = lines.get(i) {
        let (depth, rest) = unquote(line);
        let ind = indent(rest);
        let trimmed = rest.trim();
        if trimmed.is_empty() {
            close(&mut cur, &mut out, i);
            i += 1;
            continue;
        }
        let fs = field_start(trimmed);
        if let Some((b, sep)) = cur.as_mut() {
            let sep = *sep;
            if fs.is_some() && ind <= sep && !rest.starts_with('\t') {
                if let Some((n, v)) = fs {
                    b.fields.push(Field {
                        name: n.to_string(),
                        value: v.to_string(),
                        line: i + 1,
                        rewrapped: false,
                    });
                }
                i += 1;
                continue;
            }
            if ind > sep || rest.starts_with('\t') {
                if let Some(f) = b.fields.last_mut() {
                    f.value.push(' ');
                    f.value.push_str(trimmed);
                }
                i += 1;
                continue;
            }
            // An unindented line that is no field: a line broken by a mail client when a field
            // follows within three lines (at any depth), else the end of the block.
            let mut resumes = false;
            for k in 1..=3usize {
                let Some(l) = lines.get(i + k) else { break };
                let r = unquote(l).1;
                if r.trim().is_empty() {
                    break;
                }
                if field_start(r.trim()).is_some() && indent(r) <= sep {
                    resumes = true;
                    break;
                }
            }
            if resumes {
                if let Some(f) = b.fields.last_mut() {
                    f.value.push(' ');
                    f.value.push_str(trimmed);
                    f.rewrapped = true;
                }
                i += 1;
                continue;
            }
            close(&mut cur, &mut out, i);
            i += 1;
            continue;
        }
        if let Some((n, v)) = fs {
            if ind <= 1 {
                cur = Some((
                    RawBlock {
                        start: i,
                        end: i + 1,
                        depth,
                        fields: vec![Field {
                            name: n.to_string(),
                            value: v.to_string(),
                            line: i + 1,
                            rewrapped: false,
                        }],
                    },
                    ind,
                ));
            }
        }
        i += 1;
    }
    close(&mut cur, &mut out, lines.len());
    out
}

fn is_mail_block(b: &RawBlock) -> bool {
    let has = |n: &str| b.fields.iter().any(|f| f.name.eq_ignore_ascii_case(n));
    if has("received") || has("feedback-type") {
        return true;
    }
    let known = b
        .fields
        .iter()
        .filter(|f| MAIL_FIELDS.iter().any(|k| f.name.eq_ignore_ascii_case(k)))
        .count();
    known >= 2
}

fn content_type(b: &RawBlock) -> Option<String> {
    b.fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case("content-type"))
        .map(|f| f.value.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

fn param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim().trim_matches('"').to_string())
    })
}

fn qp_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        if c == b'=' {
            match (b.get(i + 1), b.get(i + 2)) {
                (Some(b'\r'), Some(b'\n')) => i += 3,
                (Some(b'\n'), _) => i += 2,
                (Some(&h), Some(&l)) => {
                    let hex = |x: u8| (x as char).to_digit(16);
                    match (hex(h), hex(l)) {
                        (Some(h), Some(l)) => {
                            out.push((h * 16 + l) as u8);
                            i += 3;
                        }
                        _ => {
                            out.push(c);
                            i += 1;
                        }
                    }
                }
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// An encoded body following a part header block: (start line, end line) of the body.
fn body_range(lines: &[&str], b: &RawBlock) -> (usize, usize) {
    let start = b.end + 1;
    let mut end = start;
    while let Some(l) = lines.get(end) {
        if l.starts_with("--") {
            break;
        }
        end += 1;
    }
    (start, end)
}

/// Classifies the raw blocks of one text; decodes encoded parts and recurses (depth ≤ 3).
fn collect(text: &str, encoded: bool, level: usize, c: &mut Complaint) {
    let lines: Vec<&str> = text.lines().collect();
    let raw = scan(&lines);
    let mut prev_ct: Option<(String, usize)> = None; // content type of the previous block and its end
    // encoded bodies decoded and read on their own: their raw lines hold no facts
    let mut decoded_bodies: Vec<(usize, usize)> = vec![];
    for b in &raw {
        let ct = content_type(b);
        let attached_as =
            prev_ct.as_ref().filter(|(_, end)| *end + 1 == b.start).map(|(t, _)| t.as_str());
        if is_mail_block(b) {
            let origin = match attached_as {
                Some("message/feedback-report") => Origin::ArfReport,
                Some("text/rfc822-headers") => Origin::ArfOriginal,
                Some("message/rfc822") | Some("message/global") => {
                    if c.blocks.iter().any(|x| x.origin == Origin::ArfReport) {
                        Origin::ArfOriginal
                    } else {
                        Origin::Attached
                    }
                }
                _ if b.depth > 0 => Origin::Quoted,
                _ if b.start == 0 && !encoded && level == 0 => Origin::Complaint,
                _ if b.fields.iter().any(|f| f.name.eq_ignore_ascii_case("feedback-type")) => {
                    Origin::ArfReport
                }
                _ => Origin::Inline,
            };
            c.blocks.push(HeaderBlock {
                origin,
                line: b.start + 1,
                quote_depth: b.depth,
                encoded,
                fields: b.fields.clone(),
            });
        }
        // encoded MIME parts: decode their body and look inside
        let cte = b
            .fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case("content-transfer-encoding"))
            .map(|f| f.value.trim().to_ascii_lowercase());
        let textual = ct.as_deref().is_none_or(|t| {
            t.starts_with("text/") || t.starts_with("message/") || t == "application/octet-stream"
        });
        if let (Some(enc), true) = (cte.as_deref(), textual && level < 3) {
            let (s, e) = body_range(&lines, b);
            let body = lines.get(s..e).map(|l| l.join("\n")).unwrap_or_default();
            let decoded = match enc {
                "base64" => charset::b64(&body, true),
                "quoted-printable" => Some(qp_decode(&body)),
                _ => None,
            };
            let part_charset = b
                .fields
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case("content-type"))
                .and_then(|f| param(&f.value, "charset"));
            match (enc, decoded) {
                ("base64" | "quoted-printable", Some(bytes)) if !bytes.is_empty() => {
                    let (t, cs) = charset::decode(&bytes, part_charset.as_deref());
                    if let Some(cs) = cs {
                        c.notes.push(format!(
                            "line {}: a {enc} part in {cs} was decoded and converted",
                            b.start + 1
                        ));
                    }
                    collect(&t, true, level + 1, c);
                    decoded_bodies.push((s, e));
                }
                ("base64", None) => c
                    .notes
                    .push(format!("line {}: a base64 part could not be decoded", b.start + 1)),
                _ => {}
            }
        }
        if let Some(t) = ct {
            prev_ct = Some((t, b.end));
        } else {
            prev_ct = None;
        }
    }
    if !encoded || level > 0 {
        let mut skip = raw_ranges(&raw);
        skip.extend(decoded_bodies);
        facts::find(text, &skip, encoded, &mut c.facts);
    }
}

fn raw_ranges(raw: &[RawBlock]) -> Vec<(usize, usize)> {
    raw.iter().map(|b| (b.start, b.end)).collect()
}

fn strip_id(s: &str) -> String {
    let t = s.trim();
    match (t.find('<'), t.rfind('>')) {
        (Some(a), Some(b)) if a < b => t.get(a + 1..b).unwrap_or(t).to_string(),
        _ => t.to_string(),
    }
}

/// A header value with its RFC 2047 words decoded, trimmed (a value folded right after the
/// field name starts with the fold's white space).
fn decoded(v: &str) -> String {
    charset::decode_words(v).trim().to_string()
}

fn message_of(i: usize, b: &HeaderBlock) -> Message {
    let hops = b
        .all("received")
        .enumerate()
        .map(|(n, f)| {
            let received = parse_received(&f.value);
            let time = received.date_text.as_deref().map(HeaderTime::read);
            Hop { index: n, line: f.line, received, time }
        })
        .collect();
    Message {
        block: i,
        origin: b.origin,
        line: b.line,
        hops,
        message_id: b.get("message-id").map(strip_id).filter(|s| !s.is_empty()),
        date: b.get("date").map(HeaderTime::read),
        from: b.get("from").map(decoded),
        to: b.get("to").map(decoded),
        subject: b.get("subject").map(decoded),
        return_path: b.get("return-path").map(strip_id),
        x_originating_ip: b.get("x-originating-ip").and_then(received::ip_of),
    }
}

fn arf_of(b: &HeaderBlock) -> ArfReport {
    let list = |n: &str| b.all(n).map(|f| f.value.clone()).collect::<Vec<_>>();
    ArfReport {
        feedback_type: b.get("feedback-type").map(str::to_string),
        user_agent: b.get("user-agent").map(str::to_string),
        source_ip: b.get("source-ip").and_then(received::ip_of),
        arrival_date: b
            .get("arrival-date")
            .or_else(|| b.get("received-date"))
            .map(HeaderTime::read),
        original_mail_from: b.get("original-mail-from").map(strip_id),
        original_rcpt_to: b.all("original-rcpt-to").map(|f| strip_id(&f.value)).collect(),
        reported_domain: list("reported-domain"),
        reported_uri: list("reported-uri"),
        line: b.line,
    }
}

/// Reads a complaint (see the module doc). Never fails. Each line is converted from the charset
/// declared above it or detected ([`charset::decode_lines`]: ISO-2022-JP, Shift_JIS, EUC-JP, …);
/// bytes that no charset explains are kept as `\xNN` escapes. For an mbox, split it first
/// ([`mbox::split`]) and read each message.
pub fn read_complaint(bytes: &[u8]) -> Complaint {
    let (text, used) = charset::decode_lines(bytes);
    let mut c = Complaint::default();
    for (cs, n) in used {
        c.notes.push(format!("{n} line{} converted from {cs}", if n == 1 { "" } else { "s" }));
    }
    collect(&text, false, 0, &mut c);
    for (i, b) in c.blocks.iter().enumerate() {
        match b.origin {
            Origin::ArfReport => c.arf.push(arf_of(b)),
            Origin::Complaint => {
                c.envelope = Some(message_of(i, b));
            }
            _ => {
                let m = message_of(i, b);
                if !m.hops.is_empty() || m.message_id.is_some() || m.x_originating_ip.is_some() {
                    c.messages.push(m);
                }
            }
        }
    }
    // A complaint that IS the message (the spam itself, or a bounce) and quotes nothing: its own
    // chain is the one to read. Otherwise the complaint's own Received: lines only describe the
    // complaint's way to us.
    if c.messages.is_empty() {
        if let Some(m) = c.envelope.clone().filter(|m| !m.hops.is_empty()) {
            c.messages.push(m);
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_twice_with_mixed_depth_and_folds() {
        let t = "Subject: x\nFrom: a@b\n\nhello\n> >Received: from a.example ([192.0.2.1])\n> > by b.example (8.9.3/8.9.3) with SMTP id AAA1\n> > for <x@y>; Wed, 8 May 2002 00:58:41 -0400\n> >>Message-ID: <B0003157268@aaa.bbb.co.jp>\n> >>Date: Tue, 7 May 2002 21:00:43 -0700\n\nbye\n";
        let c = read_complaint(t.as_bytes());
        assert_eq!(c.blocks.len(), 2);
        assert_eq!(c.messages.len(), 1);
        let m = &c.messages[0];
        assert_eq!(m.origin, Origin::Quoted);
        assert_eq!(m.hops.len(), 1);
        assert_eq!(m.hops[0].received.id.as_deref(), Some("AAA1"));
        assert_eq!(m.hops[0].received.from_ip.as_deref(), Some("192.0.2.1"));
        assert_eq!(m.message_id.as_deref(), Some("B0003157268@aaa.bbb.co.jp"));
        let t0 = m.hops[0].time.as_ref().unwrap().parsed.as_ref().unwrap();
        assert_eq!(t0.to_rfc3339(), "2002-05-08T04:58:41Z");
    }

    #[test]
    fn not_headers() {
        let c = read_complaint(b"Note: see http://x.example/\nTime: 13:29\n");
        assert!(c.blocks.is_empty());
    }

    #[test]
    fn base64_part() {
        let inner = "Received: from x ([192.0.2.9]) by mail.example.jp (Postfix) with ESMTP id ABC123; Thu, 9 May 2002 02:31:10 +0900\nMessage-ID: <m@x>\n\nbody\n";
        let enc = {
            // tiny encoder for the test
            const T: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let b = inner.as_bytes();
            let mut o = String::new();
            for ch in b.chunks(3) {
                let n = ch.len();
                let v = (u32::from(ch[0]) << 16)
                    | (u32::from(*ch.get(1).unwrap_or(&0)) << 8)
                    | u32::from(*ch.get(2).unwrap_or(&0));
                for k in 0..4 {
                    if k <= n {
                        o.push(T[((v >> (18 - 6 * k)) & 63) as usize] as char);
                    } else {
                        o.push('=');
                    }
                }
            }
            o
        };
        let msg = format!(
            "From: r@example.org\nSubject: spam\nContent-Type: multipart/mixed; boundary=\"XX\"\n\n--XX\nContent-Type: text/plain\n\nsee attached\n--XX\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n{enc}\n--XX--\n"
        );
        let c = read_complaint(msg.as_bytes());
        assert_eq!(c.messages.len(), 1, "{:?}", c.blocks);
        assert!(c.blocks.iter().any(|b| b.encoded));
        assert_eq!(c.messages[0].hops[0].received.id.as_deref(), Some("ABC123"));
    }
}
