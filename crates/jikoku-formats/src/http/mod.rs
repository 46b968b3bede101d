//! HTTP server logs: Apache httpd and nginx access logs (built-in and custom formats) and
//! error logs. See docs/formats/http.md.
//!
//! # Brief overview
//! - [`HttpParser`]: one parser per dialect, registered as `http` (Apache, aliases `apache`,
//!   `http.apache_*`) and `http.nginx` (aliases `nginx`, `http.nginx_error`), plus `http.custom`
//!   for `--http-format`. Every line is classified on its own: an access line (common,
//!   combined, vhost_combined, with extras), an Apache error line, or an nginx error record
//!   (continuation lines of multi-line FastCGI messages are folded into it).
//! - [`custom::LogFormat`]: compiles an Apache `LogFormat` or nginx `log_format` string.
//! - [`decoder::HttpDecoder`]: the same lines when they arrive through syslog.
//! - [`config`]: reads `LogFormat`/`CustomLog` and `log_format`/`access_log` out of server
//!   configuration text, for ingest to bind log files to their formats.

pub mod access;
pub mod common;
pub mod config;
pub mod custom;
pub mod decoder;
pub mod errors;
pub mod escape;

use std::borrow::Cow;
use std::io::{self, BufRead};

use jikoku_core::escape::bytes_to_text;
use jikoku_time::RawTime;

use crate::lines::LineReader;
use crate::{Head, ParseOptions, Parser, Record, Sink};

use access::Layout;
use custom::LogFormat;

/// Which server wrote the logs, as far as the parser was told or can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Apache httpd (and servers that write its formats).
    Apache,
    /// nginx.
    Nginx,
    /// `--http-format` only (no built-in fallback is labelled with a server).
    Custom,
}

/// The HTTP log parser for one dialect.
pub struct HttpParser {
    dialect: Dialect,
}

impl HttpParser {
    /// The Apache parser (`http`).
    pub fn apache() -> Self {
        HttpParser { dialect: Dialect::Apache }
    }
    /// The nginx parser (`http.nginx`).
    pub fn nginx() -> Self {
        HttpParser { dialect: Dialect::Nginx }
    }
    /// The custom-format parser (`http.custom`).
    pub fn custom() -> Self {
        HttpParser { dialect: Dialect::Custom }
    }
}

/// What one line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// An access-log line.
    Access,
    /// An Apache error-log line.
    ApacheError,
    /// The first line of an nginx error record.
    NginxError,
}

/// Classifies one line (for sniffing and tests).
pub fn classify(line: &[u8]) -> Option<LineKind> {
    if access::parse(line).is_some() {
        return Some(LineKind::Access);
    }
    let text = std::str::from_utf8(line)
        .ok()
        .map(Cow::Borrowed)
        .unwrap_or_else(|| String::from_utf8_lossy(line));
    if errors::nginx_header(&text).is_some() {
        return Some(LineKind::NginxError);
    }
    if text.starts_with('[') && errors::parse_apache(&text).is_some() {
        return Some(LineKind::ApacheError);
    }
    None
}

/// (lines that look like HTTP logs, lines looked at, nginx evidence seen)
fn survey(head: &Head<'_>) -> (usize, usize, bool) {
    let mut hits = 0;
    let mut seen = 0;
    let mut nginx = false;
    let bytes = head.bytes;
    // Leave out a last line that may have been cut by the head's size limit.
    let complete = match memchr::memrchr(b'\n', bytes) {
        Some(i) if head.len.is_none_or(|l| l > bytes.len() as u64) => {
            bytes.get(..i).unwrap_or(bytes)
        }
        _ => bytes,
    };
    for raw in complete.split(|&c| c == b'\n').take(200) {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(u8::is_ascii_whitespace) || line.first() == Some(&b'#') {
            continue;
        }
        seen += 1;
        match classify(line) {
            Some(LineKind::Access) => {
                hits += 1;
                if escape::looks_nginx_escaped(line) {
                    nginx = true;
                }
            }
            Some(LineKind::NginxError) => {
                hits += 1;
                nginx = true;
            }
            Some(LineKind::ApacheError) => hits += 1,
            None => {}
        }
    }
    (hits, seen, nginx)
}

impl Parser for HttpParser {
    fn name(&self) -> &'static str {
        match self.dialect {
            Dialect::Apache => "http",
            Dialect::Nginx => "http.nginx",
            Dialect::Custom => "http.custom",
        }
    }

    fn description(&self) -> &'static str {
        match self.dialect {
            Dialect::Apache => {
                "Apache httpd access logs (common, combined, vhost_combined) and error logs"
            }
            Dialect::Nginx => "nginx access logs (combined, main, escape=json) and error logs",
            Dialect::Custom => {
                "HTTP access logs in the format given by --http-format (Apache LogFormat or nginx log_format)"
            }
        }
    }

    fn aliases(&self) -> &'static [&'static str] {
        match self.dialect {
            Dialect::Apache => &[
                "apache",
                "http.apache",
                "http.apache_common",
                "http.apache_combined",
                "http.apache_vhost_combined",
                "http.apache_error",
            ],
            Dialect::Nginx => &["nginx", "http.nginx_error"],
            Dialect::Custom => &[],
        }
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        if self.dialect == Dialect::Custom {
            return 0;
        }
        let (hits, seen, nginx_seen) = survey(head);
        if hits == 0 || hits * 2 < seen {
            return 0;
        }
        // The syslog parser may claim anything with a low confidence; a line shaped like an
        // access or error log is a much stronger sign.
        let strong = hits * 10 >= seen * 9;
        let base: u8 = if strong { 90 } else { 70 };
        let nginx = nginx_seen || head.file_name.contains("nginx");
        match self.dialect {
            Dialect::Apache => base,
            Dialect::Nginx if nginx => base + 5,
            _ => 0,
        }
    }

    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> io::Result<()> {
        let custom = match opts.http_format.as_deref() {
            Some(f) => Some(
                LogFormat::compile(f)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?,
            ),
            None => None,
        };
        // The virtual host learned from the server's configuration, for records that name none.
        let vhost = opts.vhost.clone();
        let mut with_vhost = |mut r: Record| {
            if let Some(v) = &vhost {
                if !r.is_error()
                    && r.event.destination.domain.is_none()
                    && r.event.destination.address.is_none()
                {
                    r.event.destination.domain = Some(v.clone());
                }
            }
            sink(r)
        };
        let sink: &mut Sink<'_> = &mut with_vhost;
        if self.dialect == Dialect::Custom && custom.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "format http.custom needs --http-format 'LogFormat or log_format string'",
            ));
        }
        let mut reader = LineReader::new(input);
        let mut pending: Option<Pending> = None;
        while let Some(line) = reader.next_line()? {
            let bytes = line.bytes;
            if line.truncated {
                flush(&mut pending, sink);
                sink(Record::error(
                    self.dataset_for_errors(),
                    bytes,
                    line.offset,
                    Some(line.number),
                    "line longer than 16 MiB, cut",
                ));
                continue;
            }
            if bytes.iter().all(u8::is_ascii_whitespace) {
                // Blank lines carry nothing; inside an nginx record they are kept in it.
                if let Some(p) = pending.as_mut() {
                    p.push(bytes);
                }
                continue;
            }
            // A continuation of an nginx multi-line message: anything that is not a record.
            if let Some(p) = pending.as_mut() {
                if p.continues(bytes)
                    && classify_start(bytes, custom.as_ref()).is_none()
                    && wrapped(&bytes_to_text(bytes), custom.as_ref()).is_none()
                {
                    p.push(bytes);
                    continue;
                }
            }
            flush(&mut pending, sink);
            if let Some(f) = &custom {
                if let Some(a) = f.parse(bytes) {
                    let time = a.time.clone();
                    let mut e = a.into_event("http.custom", &bytes_to_text(bytes));
                    e.log.offset = Some(line.offset);
                    e.jikoku.line = Some(line.number);
                    sink(record(e, time));
                    continue;
                }
                if self.dialect == Dialect::Custom {
                    sink(Record::error(
                        "http.custom",
                        bytes,
                        line.offset,
                        Some(line.number),
                        "line does not match --http-format",
                    ));
                    continue;
                }
            }
            if let Some((a, layout)) = access::parse(bytes) {
                let nginx = self.dialect == Dialect::Nginx || escape::looks_nginx_escaped(bytes);
                let dataset = if nginx {
                    "http.nginx"
                } else {
                    match layout {
                        Layout::Common => "http.apache_common",
                        Layout::Combined => "http.apache_combined",
                        Layout::VhostCombined => "http.apache_vhost_combined",
                    }
                };
                let time = a.time.clone();
                let mut e = a.into_event(dataset, &bytes_to_text(bytes));
                e.log.offset = Some(line.offset);
                e.jikoku.line = Some(line.number);
                sink(record(e, time));
                continue;
            }
            let text = bytes_to_text(bytes);
            if errors::nginx_header(&text).is_some() {
                let open_quote = text.matches('"').count() % 2 == 1;
                pending =
                    Some(Pending { text, offset: line.offset, number: line.number, open_quote });
                continue;
            }
            if let Some((mut e, time)) = errors::parse_apache(&text) {
                e.log.offset = Some(line.offset);
                e.jikoku.line = Some(line.number);
                sink(record(e, time));
                continue;
            }
            if let Some((e, time)) = wrapped(&text, custom.as_ref()) {
                let mut e = e;
                e.log.offset = Some(line.offset);
                e.jikoku.line = Some(line.number);
                sink(record(e, time));
                continue;
            }
            if bytes.first() == Some(&b'#') {
                // Annotations in samples and test corpora, as the syslog parser keeps them.
                sink(crate::text::comment_record(&text, line.offset, line.number));
                continue;
            }
            let reason = if custom.is_some() {
                "line matches neither --http-format nor a built-in access or error log format"
            } else {
                "not an Apache/nginx access or error log line"
            };
            sink(Record::error(
                self.dataset_for_errors(),
                bytes,
                line.offset,
                Some(line.number),
                reason,
            ));
        }
        flush(&mut pending, sink);
        Ok(())
    }
}

impl HttpParser {
    fn dataset_for_errors(&self) -> &'static str {
        match self.dialect {
            Dialect::Apache => "http.apache",
            Dialect::Nginx => "http.nginx",
            Dialect::Custom => "http.custom",
        }
    }
}

/// A server line behind a syslog header (`ErrorLog syslog`, a journal export): parsed as the
/// server's own line; the header gives host, program, pid, and the time when the inner line
/// has none.
fn wrapped(
    text: &str,
    custom: Option<&LogFormat>,
) -> Option<(jikoku_core::Event, Option<RawTime>)> {
    let mut s = text;
    let mut prefix = None;
    for _ in 0..2 {
        let Some((p, rest)) = errors::strip_syslog_prefix(s) else { break };
        s = rest;
        // The outermost header wins (a journal export may repeat the tag).
        if prefix.is_none() {
            prefix = Some(p);
        }
        if let Some((e, t)) = inner(s, text, custom) {
            let p = prefix.unwrap_or_default();
            let mut e = e;
            e.host.name = p.host;
            e.process.name = p.program;
            if e.process.pid.is_none() {
                e.process.pid = p.pid;
            }
            return Some((e, t.or(p.time)));
        }
    }
    None
}

fn inner(
    s: &str,
    original: &str,
    custom: Option<&LogFormat>,
) -> Option<(jikoku_core::Event, Option<RawTime>)> {
    if let Some(a) = custom.and_then(|f| f.parse(s.as_bytes())) {
        let t = a.time.clone();
        return Some((a.into_event("http.custom", original), t));
    }
    if let Some((a, layout)) = access::parse(s.as_bytes()) {
        let ds = match layout {
            _ if escape::looks_nginx_escaped(s.as_bytes()) => "http.nginx",
            Layout::Common => "http.apache_common",
            Layout::Combined => "http.apache_combined",
            Layout::VhostCombined => "http.apache_vhost_combined",
        };
        let t = a.time.clone();
        return Some((a.into_event(ds, original), t));
    }
    if let Some((mut e, t)) = errors::parse_nginx(s) {
        e.event.original = Some(original.to_string());
        return Some((e, Some(t)));
    }
    let (mut e, t) = errors::parse_apache_headless(s)?;
    e.event.original = Some(original.to_string());
    Some((e, t))
}

fn classify_start(bytes: &[u8], custom: Option<&LogFormat>) -> Option<LineKind> {
    if custom.is_some_and(|f| f.parse(bytes).is_some()) {
        return Some(LineKind::Access);
    }
    classify(bytes)
}

fn record(e: jikoku_core::Event, time: Option<RawTime>) -> Record {
    Record { event: Box::new(e), time }
}

/// An nginx error record being collected (its continuation lines).
struct Pending {
    text: String,
    offset: u64,
    number: u64,
    /// An odd number of `"` so far (kept as lines are added, not recounted).
    open_quote: bool,
}

impl Pending {
    /// Whether `bytes` continues this record: nginx writes a FastCGI/upstream message with its
    /// newlines, inside a quoted string (`FastCGI sent in stderr: "PHP message: ...`), so a
    /// record continues while that quote is open, or with lines PHP writes (`PHP message:`,
    /// `Stack trace:`, `#0 ...`). A comment or a syslog line does not continue it.
    fn continues(&self, bytes: &[u8]) -> bool {
        if self.text.len() > (1 << 20) {
            return false;
        }
        if bytes.first() == Some(&b'#') && !bytes.get(1).is_some_and(u8::is_ascii_digit) {
            return false;
        }
        let text = String::from_utf8_lossy(bytes);
        if errors::strip_syslog_prefix(&text).is_some_and(|(p, _)| p.time.is_some()) {
            return false;
        }
        let open = self.open_quote;
        open || text.starts_with("PHP ")
            || text.starts_with("Stack trace:")
            || text.starts_with('#')
            || text.starts_with([' ', '\t'])
    }

    fn push(&mut self, bytes: &[u8]) {
        self.text.push('\n');
        self.text.push_str(&bytes_to_text(bytes));
        if bytes.iter().filter(|&&c| c == b'"').count() % 2 == 1 {
            self.open_quote = !self.open_quote;
        }
    }
}

fn flush(pending: &mut Option<Pending>, sink: &mut Sink<'_>) {
    let Some(p) = pending.take() else { return };
    // Trailing blank lines belong to no record.
    let text = p.text.trim_end_matches(['\n', ' ', '\t', '\r']);
    let lines = text.matches('\n').count() as u64 + 1;
    match errors::parse_nginx(text) {
        Some((mut e, t)) => {
            e.log.offset = Some(p.offset);
            e.jikoku.line = Some(p.number);
            if lines > 1 {
                e.jikoku.lines = Some(lines);
            }
            sink(Record::new(e, t));
        }
        None => sink(Record::error(
            "http.nginx_error",
            text.as_bytes(),
            p.offset,
            Some(p.number),
            "unreadable nginx error record",
        )),
    }
}

#[cfg(test)]
mod tests;
