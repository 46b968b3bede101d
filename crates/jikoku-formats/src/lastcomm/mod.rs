//! `lastcomm` text output: GNU acct (fixed columns, flag cells `S F C D X`) and the BSD
//! form (`-SFCDX` flag word), including listings pasted into reports (`—` for no tty).
//!
//! The start time is written without a year (`Thu May 30 18:47`, local time), so records
//! carry a yearless [`RawTime`] that the pipeline completes. See docs/formats/acct.md.

use std::io::BufRead;

use jikoku_core::Event;
use jikoku_time::RawTime;
use serde_json::Value;

use crate::lines::LineReader;
use crate::{Head, ParseOptions, Parser, Record, Sink};

/// The `lastcomm` parser.
pub struct LastcommParser;

/// One line of `lastcomm` output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Line {
    /// `gnu` or `bsd`.
    pub form: &'static str,
    /// Command name as printed.
    pub comm: String,
    /// Flag letters (`S`, `F`, `C`, `D`, `X`, and BSD extras), in the order written.
    pub flags: String,
    /// User (name, or uid when unknown); absent in GNU `--show-paging` lines.
    pub user: Option<String>,
    /// Terminal; `None` for `__`, `—`, `-`.
    pub tty: Option<String>,
    /// CPU seconds (user + system).
    pub secs: f64,
    /// `us`, `sy`, `es` values (BSD `-u -s -e`).
    pub user_secs: Option<f64>,
    /// System seconds.
    pub sys_secs: Option<f64>,
    /// Elapsed seconds (BSD `-e`, or OpenBSD's `(h:mm:ss.ss)`).
    pub elapsed: Option<f64>,
    /// Start time, without a year.
    pub time: RawTime,
    /// GNU `--pid`: pid and parent pid.
    pub pid: Option<i64>,
    /// Parent pid.
    pub ppid: Option<i64>,
    /// GNU `--show-paging`: minor, major faults and swaps.
    pub paging: Option<(f64, f64, f64)>,
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `Www Mmm dd hh:mm[:ss]` as four tokens; returns the time (no year) and the tokens used.
fn date(tokens: &[&str]) -> Option<RawTime> {
    let [dow, mon, day, hm] = tokens else { return None };
    if !DAYS.contains(dow) {
        return None;
    }
    let month = MONTHS.iter().position(|m| m == mon)? as u32 + 1;
    let day: u32 = day.parse().ok().filter(|d| (1..=31).contains(d))?;
    let mut p = hm.split(':');
    let h: u32 = p.next()?.parse().ok().filter(|h| *h < 24)?;
    let m: u32 = p.next()?.parse().ok().filter(|m| *m < 60)?;
    let s: u32 = match p.next() {
        Some(s) => s.parse().ok().filter(|s| *s <= 60)?,
        None => 0,
    };
    if p.next().is_some() {
        return None;
    }
    Some(RawTime::new(None, month, day, h, m, s))
}

fn no_tty(t: &str) -> bool {
    matches!(t, "__" | "—" | "-" | "–" | "―" | "?")
}

/// `(h:mm:ss.ss)` elapsed of OpenBSD lastcomm.
fn paren_elapsed(t: &str) -> Option<f64> {
    let inner = t.strip_prefix('(')?.strip_suffix(')')?;
    let mut p = inner.rsplit(':');
    let s: f64 = p.next()?.parse().ok()?;
    let m: f64 = p.next().map(str::parse).transpose().ok()?.unwrap_or(0.0);
    let h: f64 = p.next().map(str::parse).transpose().ok()?.unwrap_or(0.0);
    Some(h * 3600.0 + m * 60.0 + s)
}

/// Reads the tail shared by both forms: `N secs [N us] [N sy] [N es] Www Mmm dd hh:mm[:ss] [extras]`.
fn tail(l: &mut Line, toks: &[&str]) -> Option<()> {
    let mut i = 0;
    let mut secs = None;
    while let (Some(n), Some(unit)) = (toks.get(i), toks.get(i + 1)) {
        let Ok(v) = n.parse::<f64>() else { break };
        match *unit {
            "secs" => secs = Some(v),
            "us" => l.user_secs = Some(v),
            "sy" => l.sys_secs = Some(v),
            "es" => l.elapsed = Some(v),
            _ => break,
        }
        i += 2;
    }
    l.secs = secs?;
    l.time = date(toks.get(i..i + 4)?)?;
    let rest = toks.get(i + 4..).unwrap_or(&[]);
    match rest {
        [] => {}
        [e] => l.elapsed = Some(paren_elapsed(e)?),
        [pid, ppid] if l.form == "gnu" => {
            l.pid = Some(pid.parse().ok()?);
            l.ppid = Some(ppid.parse().ok()?);
        }
        _ => return None,
    }
    Some(())
}

/// GNU acct: `%-16.16s %c%c%c%c%c %-8.8s %-8.8s %6.2f secs %.16s` (fixed byte columns).
pub fn parse_gnu(line: &str) -> Option<Line> {
    let b = line.as_bytes();
    if b.len() < 40 || b.get(16) != Some(&b' ') || b.get(22) != Some(&b' ') {
        return None;
    }
    let mut flags = String::new();
    for (i, want) in (17..22).zip([b'S', b'F', b'C', b'D', b'X']) {
        match b.get(i) {
            Some(&c) if c == want => flags.push(char::from(c)),
            Some(b' ') => {}
            _ => return None,
        }
    }
    let comm = line.get(..16)?.trim_end().to_string();
    let mut l = Line { form: "gnu", comm, flags, ..Default::default() };
    let rest = line.get(23..)?;
    let toks: Vec<&str> = rest.split_whitespace().collect();
    // --show-paging: `Nmin Nmaj Nswp` instead of user and tty.
    if let [mi, ma, sw, more @ ..] = toks.as_slice()
        && let (Some(mi), Some(ma), Some(sw)) =
            (mi.strip_suffix("min"), ma.strip_suffix("maj"), sw.strip_suffix("swp"))
    {
        l.paging = Some((mi.parse().ok()?, ma.parse().ok()?, sw.parse().ok()?));
        tail(&mut l, more)?;
        return Some(l);
    }
    let user = line.get(23..31)?.trim();
    let tty = line.get(32..40)?.trim();
    if user.is_empty() || line.get(31..32) != Some(" ") {
        return None;
    }
    l.user = Some(user.to_string());
    l.tty = (!no_tty(tty) && !tty.is_empty()).then(|| tty.to_string());
    let toks: Vec<&str> = line.get(40..)?.split_whitespace().collect();
    tail(&mut l, &toks)?;
    Some(l)
}

/// BSD: `comm -FLAGS user tty secs...`; the command may contain spaces, so the flag word
/// (`-` and capital letters) anchors the columns.
pub fn parse_bsd(line: &str) -> Option<Line> {
    let toks: Vec<(usize, &str)> = split_with_offsets(line);
    for k in 1..toks.len() {
        let (pos, t) = *toks.get(k)?;
        let Some(letters) = t.strip_prefix('-') else { continue };
        if !letters.chars().all(|c| "SFCDXAMPTUEBL".contains(c)) {
            continue;
        }
        let comm = line.get(..pos)?.trim_end().to_string();
        let (_, user) = *toks.get(k + 1)?;
        let (_, tty) = *toks.get(k + 2)?;
        let mut l = Line { form: "bsd", comm, flags: letters.to_string(), ..Default::default() };
        l.user = Some(user.to_string());
        l.tty = (!no_tty(tty)).then(|| tty.to_string());
        let rest: Vec<&str> = toks.get(k + 3..)?.iter().map(|(_, t)| *t).collect();
        if tail(&mut l, &rest).is_some() {
            return Some(l);
        }
        // Listings with the tty column cut out (FreeBSD's own test outputs).
        let rest: Vec<&str> = toks.get(k + 2..)?.iter().map(|(_, t)| *t).collect();
        l.tty = None;
        if tail(&mut l, &rest).is_some() {
            return Some(l);
        }
    }
    None
}

fn split_with_offsets(line: &str) -> Vec<(usize, &str)> {
    let mut out = vec![];
    let mut start = None;
    for (i, c) in line.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, line.get(s..i).unwrap_or("")));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, line.get(s..).unwrap_or("")));
    }
    out
}

/// Either form.
pub fn parse_line(line: &str) -> Option<Line> {
    parse_gnu(line).or_else(|| parse_bsd(line))
}

fn num(v: f64) -> Value {
    serde_json::Number::from_f64(v).map(Value::Number).unwrap_or(Value::Null)
}

impl Line {
    /// The event of this line (at `offset`, line number `n`).
    pub fn to_event(&self, raw: &str, offset: u64, n: u64, opts: &ParseOptions) -> Record {
        let dataset = if self.form == "gnu" { "lastcomm.gnu" } else { "lastcomm.bsd" };
        let mut e = Event::new(dataset);
        e.categorize("process", "info", "process-run");
        e.log.offset = Some(offset);
        e.jikoku.line = Some(n);
        e.event.original = Some(raw.to_string());
        e.message = Some(raw.trim_end().to_string());
        e.process.name = Some(self.comm.clone());
        e.process.pid = self.pid;
        e.process.parent.pid = self.ppid;
        e.user.name = self.user.clone();
        if let Some(u) = self.user.as_deref() {
            // A number where the name was unknown to lastcomm, or a name the passwd table knows.
            if u.bytes().all(|c| c.is_ascii_digit()) {
                e.user.id = Some(u.to_string());
            } else if let Some(uid) = opts.id_names.as_ref().and_then(|n| n.uid_of(u)) {
                e.user.id = Some(uid.to_string());
            }
        }
        e.jikoku.tty = self.tty.clone();
        let has = |c: char| self.flags.contains(c);
        let mut names: Vec<&str> = vec![];
        for (c, n) in [('F', "fork"), ('S', "su"), ('C', "compat"), ('D', "core"), ('X', "xsig")] {
            if has(c) {
                names.push(n);
            }
        }
        e.set_extra("acct", "flags", names);
        e.set_extra("acct", "flag_letters", self.flags.as_str());
        e.set_extra("acct", "forked_no_exec", has('F'));
        e.set_extra("acct", "superuser", has('S'));
        e.set_extra("acct", "core_dumped", has('D'));
        e.set_extra("acct", "killed_by_signal", has('X'));
        if has('X') {
            e.outcome("failure");
        }
        e.set_extra("acct", "cpu_seconds", num(self.secs));
        if let Some(v) = self.user_secs {
            e.set_extra("acct", "cpu_user_seconds", num(v));
        }
        if let Some(v) = self.sys_secs {
            e.set_extra("acct", "cpu_system_seconds", num(v));
        }
        if let Some(v) = self.elapsed {
            e.set_extra("acct", "elapsed_seconds", num(v));
            if v.is_finite() && (0.0..1e12).contains(&v) {
                e.event.duration = Some((v * 1e9).round() as i64);
            }
        }
        if let Some((mi, ma, sw)) = self.paging {
            e.set_extra("acct", "minflt", num(mi));
            e.set_extra("acct", "majflt", num(ma));
            e.set_extra("acct", "swaps", num(sw));
        }
        let truncated =
            if self.form == "gnu" { self.comm.len() >= 15 } else { self.comm.len() >= 16 };
        e.set_extra("acct", "comm_truncated", truncated);
        Record::new(e, self.time.clone())
    }
}

impl Parser for LastcommParser {
    fn name(&self) -> &'static str {
        "lastcomm"
    }
    fn description(&self) -> &'static str {
        "lastcomm output (GNU acct and BSD forms)"
    }
    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.bytes.contains(&0) {
            return 0;
        }
        let text = String::from_utf8_lossy(head.bytes);
        let mut lines: Vec<&str> =
            text.lines().filter(|l| !l.trim().is_empty()).take(200).collect();
        // The last line may be cut by the head's limit.
        if head.len.is_none_or(|l| l > head.bytes.len() as u64) && lines.len() > 1 {
            lines.pop();
        }
        let n = lines.len();
        let ok = lines.iter().filter(|l| parse_line(l).is_some()).count();
        if n == 0 || ok * 10 < n * 9 {
            return 0;
        }
        if ok >= 3 { 60 } else { 30 }
    }
    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut lr = LineReader::new(input);
        while let Some(l) = lr.next_line()? {
            let text = jikoku_core::escape::bytes_to_text(l.bytes);
            if text.trim().is_empty() {
                continue;
            }
            match parse_line(&text) {
                Some(p) => sink(p.to_event(&text, l.offset, l.number, opts)),
                None => sink(Record::error(
                    "lastcomm",
                    l.bytes,
                    l.offset,
                    Some(l.number),
                    "not a lastcomm line (command, flags, user, tty, secs, start)",
                )),
            }
        }
        Ok(())
    }
}
