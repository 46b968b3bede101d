//! sudo I/O log session metadata: the legacy `log` file (`lib/iolog/iolog_legacy.c`) of a session
//! directory (`iolog_dir/XX/YY/ZZ/log`):
//!
//! ```text
//! 1795375162:alice:root::/dev/pts/0:24:80     epoch:submituser:runuser:rungroup:tty[:lines:cols]
//! /tmp                                        cwd
//! /usr/bin/id                                 command and arguments
//! ```
//! The session's `log.json` is read by [`super::json::SudoJsonParser`] (same dataset, `sudo.iolog`).
//! The TSID comes from the path ([`super::json::tsid_from_path`]) when the caller gives it.

use std::io::BufRead;

use jikoku_core::Event;
use jikoku_time::RawTime;

use super::json::{DATASET_IOLOG, tsid_from_path};
use crate::lines::LineReader;
use crate::{Confidence, Head, ParseOptions, Parser, Record, Sink};

/// Reader of I/O log `log` files.
pub struct SudoIologParser;

struct First {
    secs: i64,
    user: String,
    runuser: String,
    rungroup: String,
    tty: String,
}

fn parse_first(line: &str) -> Option<First> {
    let f: Vec<&str> = line.split(':').collect();
    if !(5..=7).contains(&f.len()) {
        return None;
    }
    let secs: i64 = f.first()?.parse().ok()?;
    let user = f.get(1)?;
    if user.is_empty() || user.contains(' ') {
        return None;
    }
    for extra in f.get(5..).unwrap_or(&[]) {
        extra.parse::<u32>().ok()?;
    }
    Some(First {
        secs,
        user: user.to_string(),
        runuser: f.get(2)?.to_string(),
        rungroup: f.get(3)?.to_string(),
        tty: f.get(4)?.to_string(),
    })
}

impl Parser for SudoIologParser {
    fn name(&self) -> &'static str {
        "sudo.iolog"
    }

    fn description(&self) -> &'static str {
        "sudo I/O log session `log` file (epoch:user:runas:group:tty, cwd, command)"
    }

    fn sniff(&self, head: &Head<'_>) -> Confidence {
        let mut it = head.bytes.split(|&b| b == b'\n');
        let first = String::from_utf8_lossy(it.next().unwrap_or(&[])).into_owned();
        let second = it.next().unwrap_or(&[]);
        if parse_first(&first).is_some() && second.first() == Some(&b'/') {
            return if head.file_name == "log" { 95 } else { 60 };
        }
        0
    }

    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut reader = LineReader::new(input);
        let mut lines: Vec<(Vec<u8>, u64, u64)> = vec![];
        while let Some(l) = reader.next_line()? {
            lines.push((l.bytes.to_vec(), l.offset, l.number));
        }
        let text = |i: usize| lines.get(i).map(|l| String::from_utf8_lossy(&l.0).into_owned());
        let first = text(0).as_deref().and_then(parse_first);
        let Some(first) = first else {
            for (b, off, n) in &lines {
                sink(Record::error(
                    DATASET_IOLOG,
                    b,
                    *off,
                    Some(*n),
                    "not a sudo I/O log `log` file",
                ));
            }
            return Ok(());
        };
        let mut ev = Event::new(DATASET_IOLOG);
        ev.user.name = Some(first.user.clone());
        if !first.runuser.is_empty() {
            ev.user.target.name = Some(first.runuser.clone());
        }
        if !first.rungroup.is_empty() {
            ev.user.target.group = Some(jikoku_core::event::GroupFields {
                name: Some(first.rungroup.clone()),
                id: None,
            });
        }
        if !first.tty.is_empty() && first.tty != "unknown" {
            ev.jikoku.tty = Some(first.tty.strip_prefix("/dev/").unwrap_or(&first.tty).to_string());
        }
        if let Some(cwd) = text(1) {
            ev.process.working_directory = Some(cwd);
        }
        if let Some(cmd) = text(2).filter(|c| !c.is_empty()) {
            // Written raw (argv joined with spaces, no quoting or escapes).
            ev.process.executable = cmd.split(' ').next().map(str::to_string);
            ev.process.command_line = Some(cmd);
        }
        if let Some(t) = opts.source_path.as_deref().and_then(tsid_from_path) {
            ev.set_extra("sudo", "tsid", t);
        }
        ev.categorize("session", "start", "sudo-session");
        ev.outcome("success");
        ev.log.offset = Some(0);
        ev.jikoku.line = Some(1);
        let n = lines.len().min(3);
        if n > 1 {
            ev.jikoku.lines = Some(n as u64);
        }
        let original: Vec<String> = (0..n).filter_map(text).collect();
        ev.event.original = Some(original.join("\n"));
        ev.message = Some(format!(
            "session: {} : TTY={} ; PWD={} ; USER={} ; COMMAND={}",
            first.user,
            ev.jikoku.tty.as_deref().unwrap_or(""),
            ev.process.working_directory.as_deref().unwrap_or(""),
            first.runuser,
            ev.process.command_line.as_deref().unwrap_or("")
        ));
        let time = chrono::DateTime::from_timestamp(first.secs, 0).map(|dt| {
            use chrono::{Datelike, Timelike};
            let d = dt.naive_utc();
            RawTime::new(Some(d.year()), d.month(), d.day(), d.hour(), d.minute(), d.second())
                .with_offset(Some(0))
        });
        sink(Record { event: Box::new(ev), time });
        for (b, off, n) in lines.iter().skip(3) {
            if !b.is_empty() {
                sink(Record::error(
                    DATASET_IOLOG,
                    b,
                    *off,
                    Some(*n),
                    "extra line after the 3 lines of an I/O log `log` file",
                ));
            }
        }
        Ok(())
    }
}
