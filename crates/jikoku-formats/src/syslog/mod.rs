//! Syslog text files: RFC 3164 as files hold it, rsyslog's RFC 3339 file format, RFC 5424,
//! FreeBSD `-v` forms, macOS ASL lines.
//!
//! Specs: RFC 3164, RFC 5424 §6; observed rsyslog 8.2302 output (shared/FORMATS.md §1).
//!
//! Variants, in the order tried per line: RFC 5424 (`<PRI>1 …`), RFC 3339/ISO timestamps,
//! BSD timestamps (see [`header`]). Datasets: `syslog.rfc3164`, `syslog.rfc3339`, `syslog.rfc5424`,
//! or the dataset a [`MessageDecoder`] sets (`auth.sshd`, `sudo.syslog`, `mail.postfix`, …).
//!
//! Per line:
//! - a header → a new record (the previous one is emitted);
//! - `#…` at the start of a line that is not a header → a `text.comment` event (annotations
//!   in test corpora and samples; never glued onto a record);
//! - a line that starts like a header but has an invalid month/day → pipeline error;
//! - any other line (multi-line messages, indented or not, blank lines) → continuation of the
//!   record before it, up to [`MAX_CONTINUATION_LINES`]; with no record before it → error.
//!
//! Fields: `host.name`, `process.name` (tag), `process.pid`, `message` (rsyslog `#ooo` escapes
//! decoded), `log.syslog.*` (priority, facility, severity, appname, procid, msgid,
//! structured_data), `event.original` (the exact line(s)). Repeated-message lines
//! (`message repeated N times: [ …]`, `last message repeated N times`, macOS
//! `--- last message repeated N times ---`) get `event.action: syslog-repeat` and
//! `jikoku.syslog.repeat_count`; their timestamp is the flush, not the repeats.
//!
//! Known gaps: octet-counted TCP framing (several records on one physical line) is read as one
//! record; the year of yearless lines is inferred by the pipeline, not here.

pub mod header;

use std::borrow::Cow;
use std::io::BufRead;
use std::sync::Arc;

use jikoku_core::escape::bytes_to_cow;
use jikoku_core::{CodeName, Event};

use crate::lines::LineReader;
use crate::text::decode_octal_escapes;
use crate::{Head, MessageDecoder, ParseOptions, Parser, Record, Sink};

/// A record gathers at most this many continuation lines; further lines are errors.
pub const MAX_CONTINUATION_LINES: u64 = 1000;
/// A record's lines hold at most this many bytes together (a hostile file cannot grow one record
/// without bound); further lines are errors.
pub const MAX_CONTINUATION_BYTES: usize = crate::lines::MAX_LINE;

const FACILITIES: [&str; 24] = [
    "kern",
    "user",
    "mail",
    "daemon",
    "auth",
    "syslog",
    "lpr",
    "news",
    "uucp",
    "cron",
    "authpriv",
    "ftp",
    "ntp",
    "security",
    "console",
    "solaris-cron",
    "local0",
    "local1",
    "local2",
    "local3",
    "local4",
    "local5",
    "local6",
    "local7",
];
const SEVERITIES: [&str; 8] =
    ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

/// Syslog files: RFC 3164 as files hold it, rsyslog RFC 3339, RFC 5424.
pub struct SyslogParser {
    decoders: Arc<[Box<dyn MessageDecoder>]>,
}

impl SyslogParser {
    /// A parser that runs `decoders` on every record.
    pub fn new(decoders: Arc<[Box<dyn MessageDecoder>]>) -> Self {
        SyslogParser { decoders }
    }

    /// Turns one header line into a record (decoders run here).
    fn record(&self, h: &header::Header<'_>, raw: &[u8], offset: u64, number: u64) -> Record {
        let dataset = match h.variant {
            "rfc5424" => "syslog.rfc5424",
            "rfc3339" => "syslog.rfc3339",
            _ => "syslog.rfc3164",
        };
        let mut e = Event::new(dataset);
        e.event.original = Some(bytes_to_cow(raw).into_owned());
        e.log.offset = Some(offset);
        e.jikoku.line = Some(number);
        e.host.name = h.host.map(str::to_string);
        e.process.name = h.tag.map(str::to_string);
        e.process.pid = h.pid.and_then(|p| p.parse().ok());
        // A UTF-8 BOM (RFC 5424 §6.4) only says "UTF-8 follows"; `event.original` keeps it.
        let msg = decode_octal_escapes(h.msg.strip_prefix('\u{feff}').unwrap_or(h.msg));
        e.message = Some(msg.to_string());
        if let Some(pri) = h.pri {
            let sl = &mut e.log.syslog;
            sl.priority = Some(pri);
            let (f, s) = (pri / 8, pri % 8);
            sl.facility = FACILITIES
                .get(usize::from(f))
                .map(|n| CodeName { code: f, name: Cow::Borrowed(n) });
            sl.severity = SEVERITIES
                .get(usize::from(s))
                .map(|n| CodeName { code: s, name: Cow::Borrowed(n) });
            e.event.severity = Some(i64::from(s));
        }
        if h.variant == "rfc5424" {
            let sl = &mut e.log.syslog;
            sl.version = Some("1".into());
            sl.appname = h.tag.map(str::to_string);
            sl.procid = h.pid.map(str::to_string);
            sl.msgid = h.msgid.map(str::to_string);
            sl.structured_data = h.structured_data.map(header::parse_structured_data);
        }
        if let Some(l) = h.level {
            e.log.level = Some(l.to_string());
        }
        if let Some(c) = h.context {
            e.set_extra("syslog", "context", c);
        }
        if let Some((label, epoch)) = h.hpc {
            // The epoch column was added by the data set's authors: kept, not used for time.
            e.set_extra("syslog", "alert_label", label);
            e.set_extra("syslog", "epoch", epoch.parse::<i64>().unwrap_or_default());
        }
        if let Some(n) = repeat_count(&msg) {
            e.event.action = Some(Cow::Borrowed("syslog-repeat"));
            e.set_extra("syslog", "repeat_count", n);
        } else if let Some(tag) = h.tag {
            // `sshd(pam_unix)` (old RHEL) is sshd's PAM module speaking.
            let program = tag.rsplit('/').next().filter(|_| tag.starts_with('/')).unwrap_or(tag);
            for d in self.decoders.iter() {
                if d.decode(program, &msg, &mut e) {
                    break;
                }
            }
        }
        // An RFC 5424 NIL timestamp (`-`) is no time at all: the record has none.
        let time = (h.time.month != 0).then(|| h.time.clone());
        Record { event: Box::new(e), time }
    }
}

/// N of `message repeated N times: [ …]`, `last message repeated N times`,
/// `--- last message repeated N times ---`.
fn repeat_count(msg: &str) -> Option<u64> {
    let msg = msg.trim_start_matches(' ');
    let rest = msg
        .strip_prefix("message repeated ")
        .or_else(|| msg.strip_prefix("last message repeated "))
        .or_else(|| msg.strip_prefix("--- last message repeated "))?;
    let n = rest.split(' ').next()?;
    n.parse().ok()
}

/// True when `head` holds at least one line with a syslog header and most lines are text.
fn syslog_share(head: &[u8]) -> (usize, usize) {
    let text = String::from_utf8_lossy(head);
    let mut total = 0;
    let mut hits = 0;
    for line in text.lines().take(50) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        total += 1;
        if header::parse(line).is_some() {
            hits += 1;
        }
    }
    (hits, total)
}

impl Parser for SyslogParser {
    fn name(&self) -> &'static str {
        "syslog"
    }

    fn description(&self) -> &'static str {
        "syslog files: BSD/RFC 3164, rsyslog RFC 3339, RFC 5424, FreeBSD -v, macOS; auth, sudo and mail messages decoded"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["syslog.rfc3164", "syslog.rfc5424", "syslog.rfc3339", "auth", "maillog"]
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.bytes.iter().take(4096).filter(|b| **b == 0).count() > 4 {
            return 0;
        }
        let (hits, total) = syslog_share(head.bytes);
        if total == 0 {
            return 0;
        }
        if hits * 2 >= total {
            50
        } else if hits > 0 {
            20
        } else {
            0
        }
    }

    /// The header of each line (no decoders, no events): the records' dates for year inference.
    fn times(
        &self,
        input: &mut dyn BufRead,
        _opts: &ParseOptions,
        sink: &mut dyn FnMut(Option<i32>, u32, u32),
    ) -> std::io::Result<bool> {
        let mut reader = LineReader::new(input);
        while let Some(line) = reader.next_line()? {
            if line.truncated {
                continue;
            }
            let text = bytes_to_cow(line.bytes);
            if let Some(h) = header::parse(&text)
                && h.time.month != 0
            {
                sink(h.time.year, h.time.month, h.time.day);
            }
        }
        Ok(true)
    }

    fn parse(
        &self,
        input: &mut dyn BufRead,
        _opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut overflowed = false;
        let mut reader = LineReader::new(input);
        let mut pending: Option<Record> = None;
        let mut peers = SshPeers::default();
        while let Some(line) = reader.next_line()? {
            let text = bytes_to_cow(line.bytes);
            if line.truncated {
                if let Some(p) = pending.take() {
                    sink(p);
                }
                sink(Record::error(
                    "syslog",
                    line.bytes,
                    line.offset,
                    Some(line.number),
                    format!("line longer than {} bytes; cut there", crate::lines::MAX_LINE),
                ));
                continue;
            }
            if let Some(h) = header::parse(&text) {
                // A decoder may claim this record as the continuation of the pending one.
                if let (Some(p), Some(tag)) = (pending.as_mut(), h.tag) {
                    let msg = decode_octal_escapes(h.msg);
                    if self.decoders.iter().any(|d| d.absorb(&mut p.event, tag, &msg)) {
                        append_original(&mut p.event, &text);
                        continue;
                    }
                }
                if let Some(p) = pending.take() {
                    sink(p);
                }
                let mut rec = self.record(&h, line.bytes, line.offset, line.number);
                peers.apply(&mut rec);
                pending = Some(rec);
                overflowed = false;
                continue;
            }
            if text.starts_with('#') {
                if let Some(p) = pending.take() {
                    sink(p);
                }
                // Pending, so that blank lines after it join it (annotated corpora).
                pending = Some(crate::text::comment_record(&text, line.offset, line.number));
                continue;
            }
            let bad_pri = header::starts_with_pri(&text);
            let bad_header = bad_pri || header::looks_like_bad_bsd_header(&text);
            let blank = text.trim().is_empty();
            if pending.as_ref().is_some_and(|p| p.event.event.dataset == "text.comment") && !blank {
                if let Some(p) = pending.take() {
                    sink(p);
                }
            }
            let within_limits = pending.as_ref().is_some_and(|p| {
                p.event.jikoku.lines.unwrap_or(1) < MAX_CONTINUATION_LINES
                    && p.event.event.original.as_ref().map_or(0, String::len) + text.len()
                        <= MAX_CONTINUATION_BYTES
            });
            // Lines past a full record are errors until the next record starts.
            overflowed |= pending.is_some() && !within_limits;
            let can_continue = within_limits && !line.bytes.contains(&0);
            if !bad_header && can_continue {
                if let Some(p) = pending.as_mut() {
                    append_original(&mut p.event, &text);
                    let cont = decode_octal_escapes(&text);
                    if !text.trim().is_empty()
                        && !self.decoders.iter().any(|d| d.absorb_line(&mut p.event, &cont))
                    {
                        let m = p.event.message.get_or_insert_with(String::new);
                        m.push('\n');
                        m.push_str(&cont);
                    }
                }
                continue;
            }
            if let Some(p) = pending.take() {
                sink(p);
            }
            let reason = if bad_pri {
                "syslog PRI without a timestamp this parser knows"
            } else if bad_header {
                "not a syslog header: invalid month or day"
            } else if line.bytes.contains(&0) {
                "not a syslog line: contains NUL bytes"
            } else if overflowed && !bad_header {
                "not a syslog line, and the record before it already holds the most one record may (1000 lines, 16 MiB)"
            } else if text.trim().is_empty() {
                "empty line before any record"
            } else {
                "not a syslog line: no timestamp, and no record before it to continue"
            };
            sink(Record::error("syslog", line.bytes, line.offset, Some(line.number), reason));
        }
        if let Some(p) = pending.take() {
            sink(p);
        }
        Ok(())
    }
}

/// sshd writes the client address on some lines of a connection only (`Connection from …`,
/// `Failed …`), not on others (`fatal: Read from socket failed`, `error: kex_exchange_identification: …`,
/// `Disconnecting: Too many authentication failures`). Within one file, a sshd record without a
/// peer gets the peer of the last record of the same host and pid written at most
/// [`SshPeers::WINDOW`] seconds before, marked `jikoku.ssh.source_from_pid: true`.
#[derive(Default)]
struct SshPeers {
    last: std::collections::HashMap<(String, i64), (jikoku_core::Endpoint, Option<i64>)>,
}

impl SshPeers {
    /// sshd's pre-authentication phase lasts LoginGraceTime (120 s by default).
    const WINDOW: i64 = 300;

    fn apply(&mut self, r: &mut Record) {
        let e = &mut r.event;
        if !matches!(e.process.name.as_deref(), Some("sshd" | "sshd-session" | "sshd-auth")) {
            return;
        }
        let Some(pid) = e.process.pid else { return };
        let key = (e.host.name.clone().unwrap_or_default(), pid);
        // Seconds within a year, month lengths rounded up: a month boundary can only widen the gap.
        let t = r.time.as_ref().map(|t| {
            ((i64::from(t.month) * 31 + i64::from(t.day)) * 24 + i64::from(t.hour)) * 3600
                + i64::from(t.minute) * 60
                + i64::from(t.second)
        });
        if !e.source.is_empty() {
            if self.last.len() > 100_000 {
                self.last.clear();
            }
            self.last.insert(key, (e.source.clone(), t));
        } else if let Some((src, t0)) = self.last.get(&key) {
            let near =
                matches!((t0, t), (Some(a), Some(b)) if (0..=Self::WINDOW).contains(&(b - a)));
            if near {
                e.source = src.clone();
                e.set_extra("ssh", "source_from_pid", true);
            }
        }
    }
}

fn append_original(e: &mut Event, text: &str) {
    let o = e.event.original.get_or_insert_with(String::new);
    o.push('\n');
    o.push_str(text);
    e.jikoku.lines = Some(e.jikoku.lines.unwrap_or(1) + 1);
}
