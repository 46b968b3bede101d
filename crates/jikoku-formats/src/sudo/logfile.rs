//! sudo's own log file (`Defaults logfile=…`): `Mmm dd hh:mm:ss[ YYYY] : user : BODY`, word-wrapped
//! at `loglinelen` with 4-space-indented continuation lines (`lib/eventlog/logwrap.c`).
//!
//! Unwrapping: a line that starts with 4 spaces continues the record above; sudo broke the
//! record at a space and dropped every space at the break, so the record is rebuilt by
//! joining with one space. This is exact except where the original had a run of spaces at a
//! break. The timestamp itself may be wrapped at very short widths (`Nov` / `22` / …): the
//! header is read from the rebuilt record.

use std::io::BufRead;

use jikoku_core::Event;
use jikoku_time::RawTime;

use super::Body;
use crate::lines::LineReader;
use crate::{Confidence, Head, ParseOptions, Parser, Record, Sink};

/// Dataset of sudo log file records.
pub const DATASET: &str = "sudo.logfile";

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const INDENT: &[u8] = b"    ";

/// Reader of sudo's log file.
pub struct SudoLogfileParser;

struct Pending {
    offset: u64,
    line: u64,
    raw: Vec<u8>,
    rebuilt: Vec<u8>,
    lines: u64,
}

impl Parser for SudoLogfileParser {
    fn name(&self) -> &'static str {
        "sudo.logfile"
    }

    fn description(&self) -> &'static str {
        "sudo's own log file (Defaults logfile), word-wrapped or not, with or without log_year/log_host"
    }

    fn aliases(&self) -> &'static [&'static str] {
        &["sudo"]
    }

    fn sniff(&self, head: &Head<'_>) -> Confidence {
        let mut records = 0u32;
        let mut good = 0u32;
        let mut cur: Option<Vec<u8>> = None;
        let mut check = |rec: &[u8]| {
            records += 1;
            if parse_header(&String::from_utf8_lossy(rec)).is_some() {
                good += 1;
            }
        };
        // The last line may be cut by the head: only complete lines are looked at.
        let bytes = match memchr::memrchr(b'\n', head.bytes) {
            Some(i) => head.bytes.get(..i).unwrap_or(&[]),
            None => head.bytes,
        };
        for line in bytes.split(|&b| b == b'\n').take(400) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if let Some(c) = line.strip_prefix(INDENT) {
                if let Some(r) = cur.as_mut() {
                    r.push(b' ');
                    r.extend_from_slice(c);
                }
                continue;
            }
            if let Some(r) = cur.take() {
                check(&r);
            }
            if !line.is_empty() {
                cur = Some(line.to_vec());
            }
        }
        if let Some(r) = cur.take() {
            check(&r);
        }
        if good == 0 {
            return 0;
        }
        if good * 10 >= records * 8 { 95 } else { 40 }
    }

    fn parse(
        &self,
        input: &mut dyn BufRead,
        _opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut reader = LineReader::new(input);
        let mut pending: Option<Pending> = None;
        while let Some(line) = reader.next_line()? {
            if let Some(cont) = line.bytes.strip_prefix(INDENT) {
                if let Some(p) = pending.as_mut() {
                    p.raw.push(b'\n');
                    p.raw.extend_from_slice(line.bytes);
                    p.rebuilt.push(b' ');
                    p.rebuilt.extend_from_slice(cont);
                    p.lines += 1;
                    continue;
                }
                sink(Record::error(
                    DATASET,
                    line.bytes,
                    line.offset,
                    Some(line.number),
                    "sudo log continuation line without a record before it",
                ));
                continue;
            }
            if let Some(p) = pending.take() {
                sink(finish(p));
            }
            if line.bytes.iter().all(|b| b.is_ascii_whitespace()) {
                if !line.bytes.is_empty() {
                    sink(Record::error(
                        DATASET,
                        line.bytes,
                        line.offset,
                        Some(line.number),
                        "blank line",
                    ));
                }
                continue;
            }
            pending = Some(Pending {
                offset: line.offset,
                line: line.number,
                raw: line.bytes.to_vec(),
                rebuilt: line.bytes.to_vec(),
                lines: 1,
            });
        }
        if let Some(p) = pending.take() {
            sink(finish(p));
        }
        Ok(())
    }
}

fn finish(p: Pending) -> Record {
    let rebuilt = String::from_utf8_lossy(&p.rebuilt).into_owned();
    if p.lines == 1 && rebuilt.starts_with('#') {
        return crate::text::comment_record(&rebuilt, p.offset, p.line);
    }
    let Some((time, user, body)) = parse_header(&rebuilt) else {
        return Record::error(
            DATASET,
            &p.raw,
            p.offset,
            Some(p.line),
            "not a sudo log file record (Mmm dd hh:mm:ss : user : …)",
        );
    };
    let mut ev = Event::new(DATASET);
    ev.log.offset = Some(p.offset);
    ev.jikoku.line = Some(p.line);
    if p.lines > 1 {
        ev.jikoku.lines = Some(p.lines);
    }
    match Body::parse(body) {
        Some(b) => {
            b.fill(&mut ev, Some(user));
            if let Some(h) = &b.host {
                ev.host.name = Some(h.clone());
            }
        }
        None => {
            ev.user.name = Some(user.to_string());
        }
    }
    ev.event.original = Some(String::from_utf8_lossy(&p.raw).into_owned());
    ev.message = Some(rebuilt.clone());
    Record { event: Box::new(ev), time }
}

/// Reads `Mmm dd hh:mm:ss[ YYYY] : user : ` (or sudo's `invalid date : user : `); returns the time,
/// the user and the body.
pub fn parse_header(s: &str) -> Option<(Option<RawTime>, &str, &str)> {
    if let Some(rest) = s.strip_prefix("invalid date : ") {
        let (u, b) = super::split_user(rest)?;
        return Some((None, u, b));
    }
    let b = s.as_bytes();
    let mon = s.get(..3)?;
    let month = MONTHS.iter().position(|m| *m == mon)? + 1;
    let mut i = 3;
    if b.get(i) != Some(&b' ') {
        return None;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    let ds = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let day: u32 = s.get(ds..i)?.parse().ok()?;
    if i - ds > 2 || b.get(i) != Some(&b' ') {
        return None;
    }
    i += 1;
    let t = s.get(i..i + 8)?;
    let tb = t.as_bytes();
    if tb.get(2) != Some(&b':') || tb.get(5) != Some(&b':') {
        return None;
    }
    let hour: u32 = t.get(0..2)?.parse().ok()?;
    let minute: u32 = t.get(3..5)?.parse().ok()?;
    let second: u32 = t.get(6..8)?.parse().ok()?;
    i += 8;
    let mut year = None;
    if let Some(y) = s.get(i..i + 5).and_then(|x| x.strip_prefix(' ')) {
        if y.bytes().all(|c| c.is_ascii_digit()) {
            year = y.parse::<i32>().ok();
            i += 5;
        }
    }
    let rest = s.get(i..)?.strip_prefix(" : ")?;
    if !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let (user, body) = super::split_user(rest)?;
    Some((
        Some(RawTime::new(year, u32::try_from(month).ok()?, day, hour, minute, second)),
        user,
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<Record> {
        let mut out = vec![];
        let mut r: &[u8] = text.as_bytes();
        SudoLogfileParser
            .parse(&mut r, &ParseOptions::default(), &mut |rec| out.push(rec))
            .unwrap();
        out
    }

    #[test]
    fn header() {
        let (t, u, b) = parse_header(
            "Nov  2 19:19:22 2026 : alice : HOST=vm ; USER=root ; COMMAND=/usr/bin/id",
        )
        .unwrap();
        let t = t.unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute, t.second),
            (Some(2026), 11, 2, 19, 19, 22)
        );
        assert_eq!(u, "alice");
        assert_eq!(b, "HOST=vm ; USER=root ; COMMAND=/usr/bin/id");
        assert!(parse_header("Nov 22 19:19:22 vm sudo: alice : x").is_none());
    }

    #[test]
    fn wrapped_record() {
        let recs = parse(
            "Nov 22 19:19:09 : alice : sorry, you are not allowed to set the following\n    environment variables: FOO ; PWD=/tmp ; USER=root ; ENV=FOO=bar ;\n    COMMAND=/usr/bin/env\n",
        );
        assert_eq!(recs.len(), 1);
        let e = &recs[0].event;
        assert_eq!(
            e.event.reason.as_deref(),
            Some("sorry, you are not allowed to set the following environment variables: FOO")
        );
        assert_eq!(e.process.command_line.as_deref(), Some("/usr/bin/env"));
        assert_eq!(e.jikoku.lines, Some(3));
        assert_eq!(e.log.offset, Some(0));
        assert_eq!(recs[0].time.as_ref().unwrap().year, None);
    }

    #[test]
    fn orphans_and_junk_are_errors() {
        let recs = parse(
            "    orphan continuation\nnot a record\nNov 22 19:19:09 : alice : PWD=/tmp ; USER=root ; COMMAND=/usr/bin/id\n",
        );
        assert_eq!(recs.len(), 3);
        assert!(recs[0].is_error());
        assert!(recs[1].is_error());
        assert_eq!(recs[1].event.log.offset, Some(24));
        assert_eq!(recs[1].event.jikoku.line, Some(2));
        assert!(!recs[2].is_error());
    }
}
