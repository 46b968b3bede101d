//! jikoku-formats: log format parsers behind one trait, an explicit registry, and sniffing.
//!
//! # Brief overview
//! - [`Parser`]: one source format (`syslog`, `sudo.logfile`, `acct`, …). Bytes in, [`Record`]s out.
//!   A parser never opens files and never resolves time: it reports the time as written
//!   ([`jikoku_time::RawTime`]) and the pipeline (jikoku-ingest) resolves it.
//! - [`MessageDecoder`]: a decoder of the MSG part of a syslog record (sshd, su, sudo, postfix, …),
//!   run by the syslog parser on every record whose program it claims.
//! - [`registry`]: every parser and decoder, in one explicit list, and sniffing (`--format auto`).
//! - [`lines`]: the line reader shared by text formats (byte offsets, line numbers, CRLF).
//!
//! Provenance: every record carries `log.offset` (first byte, in the decompressed source) and,
//! for text, `jikoku.line`; the pipeline adds the file path and its SHA-256.
//!
//! Never lose a line: every line or binary record becomes a record of kind `event`, or a
//! `pipeline_error` record holding the original bytes and the reason.
#![warn(missing_docs)]

use std::io::BufRead;

use jikoku_core::Event;
use jikoku_time::RawTime;

pub mod acct;
pub mod auth;
pub mod http;
pub mod lastcomm;
pub mod lines;
pub mod mail;
pub mod mailheader;
pub mod registry;
pub mod sudo;
pub mod syslog;
pub mod text;
pub mod utmp;

/// One parsed record: the event and its time as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The event, with every field the parser could fill. `@timestamp` is left empty.
    /// Boxed: an [`Event`] is ~2 KB, and a record passes through several sinks by value.
    pub event: Box<Event>,
    /// The time as written; `None` for pipeline errors and records with no time.
    pub time: Option<RawTime>,
}

impl Record {
    /// A record with a time.
    pub fn new(event: Event, time: RawTime) -> Self {
        Record { event: Box::new(event), time: Some(time) }
    }

    /// A `pipeline_error` record for a line or binary record that could not be parsed.
    pub fn error(
        dataset: &'static str,
        original: &[u8],
        offset: u64,
        line: Option<u64>,
        reason: impl Into<String>,
    ) -> Self {
        let mut event = Event::pipeline_error(dataset, original, reason);
        event.log.offset = Some(offset);
        event.jikoku.line = line;
        Record { event: Box::new(event), time: None }
    }

    /// True for pipeline errors.
    pub fn is_error(&self) -> bool {
        self.event.is_error()
    }
}

/// The beginning of a source, for sniffing.
#[derive(Debug, Clone, Copy)]
pub struct Head<'a> {
    /// Up to the first 64 KiB of the (decompressed) source.
    pub bytes: &'a [u8],
    /// The file name (last path component), lower-case, without a compression suffix; may be empty.
    pub file_name: &'a str,
    /// The whole (decompressed) size when known.
    pub len: Option<u64>,
}

/// How a parser rates a source in [`Parser::sniff`]: 0 = not mine; higher wins.
pub type Confidence = u8;

/// Options that change how a parser reads (from the command line).
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// `--http-format`: a custom Apache `LogFormat` or nginx `log_format` string.
    pub http_format: Option<String>,
    /// The source's path as given (when known), for formats whose meaning depends on it
    /// (sudo I/O log `log` / `log.json`: the session id is the directory, `00/00/01` → `000001`).
    pub source_path: Option<String>,
    /// The source's file name (last component, lower-case, no compression suffix), for parsers
    /// whose variant the name tells (`btmp` holds failed logins).
    pub file_name: Option<String>,
    /// uid/gid → name tables from the host's passwd/group files (`acct`, `wtmp`).
    pub id_names: Option<std::sync::Arc<acct::IdNames>>,
    /// Virtual host of an HTTP log (learned from the server's configuration): the
    /// `destination.domain` of records that do not name their own.
    pub vhost: Option<String>,
}

/// A sink for records.
pub type Sink<'s> = dyn FnMut(Record) + 's;

/// One source format.
pub trait Parser: Send + Sync {
    /// Registry name (`syslog`, `sudo.logfile`, `acct`, `wtmp`, …), as given to `--format`.
    fn name(&self) -> &'static str;
    /// One line on what it reads.
    fn description(&self) -> &'static str;
    /// Names `--format` also accepts for this parser (families such as `sudo`, `http`).
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// How sure the parser is that it reads this source (0: not at all).
    fn sniff(&self, head: &Head<'_>) -> Confidence;
    /// Parses the whole source, emitting every record (events and pipeline errors) in source order.
    /// An `Err` is an I/O error of the reader (e.g. corrupt compression); records emitted before it stand.
    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()>;
    /// A cheap first look at a source's times, for year inference: calls `sink` with the date of
    /// each record that has a time (year when written, month, day), in order, without building
    /// events. Returns `Ok(false)` (having read nothing) when the parser has no such probe; the
    /// pipeline then parses fully to learn the times. A probe may count a line the full parse
    /// merges into the record before it (a continuation a decoder absorbs): year inference
    /// only needs the order of the dates.
    fn times(
        &self,
        _input: &mut dyn BufRead,
        _opts: &ParseOptions,
        _sink: &mut dyn FnMut(Option<i32>, u32, u32),
    ) -> std::io::Result<bool> {
        Ok(false)
    }
}

/// A decoder of the MSG part of syslog records (auth, sudo, mail, …).
pub trait MessageDecoder: Send + Sync {
    /// Name, for docs and tests.
    fn name(&self) -> &'static str;
    /// Decodes `msg`, written by `program` (the syslog tag without pid), into `event`
    /// (which already holds host, program, pid and message). Returns true when the message
    /// was recognised; the decoder then sets `event.dataset` and the fields it knows.
    fn decode(&self, program: &str, msg: &str, event: &mut Event) -> bool;
    /// Offered each new record before it is decoded: returns true when the record only
    /// continues `pending` (e.g. sudo's `(command continued)`), having merged it into `pending`.
    fn absorb(&self, _pending: &mut Event, _program: &str, _msg: &str) -> bool {
        false
    }
    /// Offered each continuation line (a line without a syslog header, e.g. a sudo record
    /// wrapped by hand onto a second line) of the pending record: returns true when the decoder
    /// merged it into `pending` (message and fields); otherwise the syslog parser appends it to
    /// the message as is.
    fn absorb_line(&self, _pending: &mut Event, _line: &str) -> bool {
        false
    }
}
