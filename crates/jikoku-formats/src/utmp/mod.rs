//! Login records: wtmp / btmp / utmp (glibc 384- and 400-byte `struct utmp`, both byte
//! orders), FreeBSD `utx.log` / `utx.active` (`struct futx`), macOS `utmpx`.
//!
//! One event per record (`login`, `logout`, `boot`, `shutdown`, `runlevel`, `login-failure`, …).
//! Logins and logouts are paired by terminal line as the file is read: the login gets the
//! session length (`event.duration`, `jikoku.login.session_end`), the logout the login's
//! offset (`jikoku.login.login_offset`) and user. Records are still emitted in file order.
//! See docs/formats/utmp.md.

use std::collections::{HashMap, VecDeque};
use std::io::BufRead;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use jikoku_core::Event;
use jikoku_time::RawTime;

use crate::acct::{Chunks, cstr, hex, i32_at, i64_at, printable_field, u16_at, u32_at, u64_at};
use crate::{Head, ParseOptions, Parser, Record, Sink};

/// The `wtmp` parser (aliases `utmp`, `btmp`).
pub struct WtmpParser;

/// A login-record layout, as detected from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// glibc `struct utmp`: 384 bytes (32-bit `ut_tv`) or 400 (aarch64: 64-bit `ut_tv`).
    Glibc {
        /// Record size.
        size: usize,
        /// Big-endian host (s390x, ppc64).
        be: bool,
    },
    /// FreeBSD `utx.log`: u16 big-endian length + `struct futx` with trailing zeros cut.
    UtxLog,
    /// FreeBSD `utx.active` / `utx.lastlogin`: fixed 197-byte `struct futx`.
    Futx,
    /// macOS `utmpx`: 628-byte records, little-endian, 32-bit time.
    MacUtmpx,
}

/// What a record says, whatever the layout.
#[derive(Debug, Clone, Default, PartialEq)]
struct Entry {
    kind: Kind,
    type_code: i64,
    type_name: &'static str,
    pid: Option<i64>,
    line: Option<String>,
    id: Option<String>,
    user: Option<String>,
    host: Option<String>,
    addr: Option<String>,
    sec: i64,
    usec: i64,
    session: Option<i64>,
    exit_term: Option<i64>,
    exit_code: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Empty,
    RunLevel,
    Boot,
    Shutdown,
    NewTime,
    OldTime,
    Init,
    LoginProcess,
    User,
    Dead,
    Accounting,
    Signature,
}

const GLIBC_TYPES: [(Kind, &str); 10] = [
    (Kind::Empty, "EMPTY"),
    (Kind::RunLevel, "RUN_LVL"),
    (Kind::Boot, "BOOT_TIME"),
    (Kind::NewTime, "NEW_TIME"),
    (Kind::OldTime, "OLD_TIME"),
    (Kind::Init, "INIT_PROCESS"),
    (Kind::LoginProcess, "LOGIN_PROCESS"),
    (Kind::User, "USER_PROCESS"),
    (Kind::Dead, "DEAD_PROCESS"),
    (Kind::Accounting, "ACCOUNTING"),
];

const FREEBSD_TYPES: [(Kind, &str); 9] = [
    (Kind::Empty, "EMPTY"),
    (Kind::Boot, "BOOT_TIME"),
    (Kind::OldTime, "OLD_TIME"),
    (Kind::NewTime, "NEW_TIME"),
    (Kind::User, "USER_PROCESS"),
    (Kind::Init, "INIT_PROCESS"),
    (Kind::LoginProcess, "LOGIN_PROCESS"),
    (Kind::Dead, "DEAD_PROCESS"),
    (Kind::Shutdown, "SHUTDOWN_TIME"),
];

const MAC_TYPES: [(Kind, &str); 12] = [
    (Kind::Empty, "EMPTY"),
    (Kind::RunLevel, "RUN_LVL"),
    (Kind::Boot, "BOOT_TIME"),
    (Kind::OldTime, "OLD_TIME"),
    (Kind::NewTime, "NEW_TIME"),
    (Kind::Init, "INIT_PROCESS"),
    (Kind::LoginProcess, "LOGIN_PROCESS"),
    (Kind::User, "USER_PROCESS"),
    (Kind::Dead, "DEAD_PROCESS"),
    (Kind::Accounting, "ACCOUNTING"),
    (Kind::Signature, "SIGNATURE"),
    (Kind::Shutdown, "SHUTDOWN_TIME"),
];

/// 1980-01-01 .. 2107.
fn plausible_time(t: i64) -> bool {
    (315_532_800..=4_354_819_199).contains(&t)
}

fn field(b: &[u8], off: usize, len: usize) -> Option<String> {
    let (t, _) = cstr(b, off, len)?;
    if t.is_empty() { None } else { Some(jikoku_core::escape::bytes_to_text(t)) }
}

fn text_fields_ok(b: &[u8], fields: &[(usize, usize)]) -> Result<(), String> {
    for &(off, len) in fields {
        if !printable_field(b, off, len) {
            return Err(format!("control bytes in the text field at +{off}"));
        }
    }
    Ok(())
}

/// Sanity of a record's time. Detection also wants a plausible date; parsing keeps records
/// of an unset clock (1970 boot records of machines without an RTC are common).
fn check_time(e: &Entry) -> Result<(), String> {
    if e.kind == Kind::Empty && e.sec == 0 {
        return Ok(());
    }
    if !(0..=253_402_300_799).contains(&e.sec) {
        return Err(format!("invalid time {}", e.sec));
    }
    if !(0..1_000_000).contains(&e.usec) {
        return Err(format!("invalid microseconds {}", e.usec));
    }
    Ok(())
}

fn kind_of(table: &[(Kind, &'static str)], code: i64) -> Result<(Kind, &'static str), String> {
    usize::try_from(code)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
        .ok_or_else(|| format!("unknown record type {code}"))
}

fn glibc_record(r: &[u8], size: usize, be: bool) -> Result<Entry, String> {
    let bad = || "short record".to_string();
    let code = i64::from(u16_at(r, 0, be).ok_or_else(bad)? as i16);
    let (kind, type_name) = kind_of(&GLIBC_TYPES, code)?;
    if u16_at(r, 2, be) != Some(0) {
        return Err("non-zero padding after ut_type".into());
    }
    text_fields_ok(r, &[(8, 32), (44, 32)])?;
    let mut e = Entry { kind, type_code: code, type_name, ..Default::default() };
    let pid = i32_at(r, 4, be).ok_or_else(bad)?;
    e.pid = (pid != 0).then_some(i64::from(pid));
    e.line = field(r, 8, 32);
    e.id = field(r, 40, 4);
    e.user = field(r, 44, 32);
    e.host = field(r, 76, 256);
    let term = u16_at(r, 332, be).ok_or_else(bad)?;
    let ex = u16_at(r, 334, be).ok_or_else(bad)?;
    e.exit_term = (term != 0).then_some(i64::from(term));
    e.exit_code = (ex != 0).then_some(i64::from(ex));
    let addr_off;
    if size == 400 {
        e.session = Some(i64_at(r, 336, be).ok_or_else(bad)?);
        e.sec = i64_at(r, 344, be).ok_or_else(bad)?;
        e.usec = i64_at(r, 352, be).ok_or_else(bad)?;
        addr_off = 360;
    } else {
        e.session = Some(i64::from(i32_at(r, 336, be).ok_or_else(bad)?));
        e.sec = i64::from(i32_at(r, 340, be).ok_or_else(bad)?);
        e.usec = i64::from(i32_at(r, 344, be).ok_or_else(bad)?);
        addr_off = 348;
    }
    e.session = e.session.filter(|s| *s != 0);
    let a = r.get(addr_off..addr_off + 16).ok_or_else(bad)?;
    e.addr = addr_text(a);
    refine(&mut e);
    check_time(&e)?;
    Ok(e)
}

/// `ut_addr_v6` (network order): IPv4 in the first word when the rest is zero.
fn addr_text(a: &[u8]) -> Option<String> {
    if a.iter().all(|&b| b == 0) {
        return None;
    }
    let v6: [u8; 16] = a.try_into().ok()?;
    if v6.get(4..).is_some_and(|r| r.iter().all(|&b| b == 0)) {
        let v4: [u8; 4] = a.get(..4)?.try_into().ok()?;
        return Some(std::net::Ipv4Addr::from(v4).to_string());
    }
    Some(std::net::Ipv6Addr::from(v6).to_string())
}

/// RUN_LVL records of user `shutdown` are shutdowns.
fn refine(e: &mut Entry) {
    if e.kind == Kind::RunLevel && e.user.as_deref() == Some("shutdown") {
        e.kind = Kind::Shutdown;
    }
}

fn futx_record(r: &[u8]) -> Result<Entry, String> {
    let bad = || "short record".to_string();
    let code = i64::from(*r.first().ok_or_else(bad)?);
    let (kind, type_name) = kind_of(&FREEBSD_TYPES, code)?;
    text_fields_ok(r, &[(21, 32), (53, 16)])?;
    let mut e = Entry { kind, type_code: code, type_name, ..Default::default() };
    let tv = u64_at(r, 1, true).ok_or_else(bad)?;
    e.sec = i64::try_from(tv / 1_000_000).map_err(|_| bad())?;
    e.usec = i64::try_from(tv % 1_000_000).map_err(|_| bad())?;
    e.id = field(r, 9, 8).filter(|s| s.chars().all(|c| !c.is_control()));
    let pid = u32_at(r, 17, true).ok_or_else(bad)?;
    e.pid = (pid != 0).then_some(i64::from(pid));
    e.user = field(r, 21, 32);
    e.line = field(r, 53, 16);
    e.host = field(r, 69, 128);
    check_time(&e)?;
    Ok(e)
}

fn mac_record(r: &[u8]) -> Result<Entry, String> {
    let bad = || "short record".to_string();
    let code = i64::from(u16_at(r, 296, false).ok_or_else(bad)? as i16);
    let (kind, type_name) = kind_of(&MAC_TYPES, code)?;
    text_fields_ok(r, &[(0, 256), (260, 32)])?;
    let mut e = Entry { kind, type_code: code, type_name, ..Default::default() };
    e.user = field(r, 0, 256);
    e.id = field(r, 256, 4).filter(|s| s.chars().all(|c| !c.is_control()));
    e.line = field(r, 260, 32);
    let pid = u32_at(r, 292, false).ok_or_else(bad)?;
    e.pid = (pid != 0).then_some(i64::from(pid));
    e.sec = i64::from(i32_at(r, 300, false).ok_or_else(bad)?);
    e.usec = i64::from(i32_at(r, 304, false).ok_or_else(bad)?);
    e.host = field(r, 308, 256);
    if kind == Kind::Signature && e.sec == 0 {
        return Ok(e);
    }
    check_time(&e)?;
    Ok(e)
}

/// Counts (valid non-empty, non-empty or invalid) records of a fixed size: empty slots are
/// no evidence either way.
fn tally(
    head: &[u8],
    size: usize,
    max: usize,
    f: impl Fn(&[u8]) -> Result<Entry, String>,
) -> (usize, usize) {
    let mut ok = 0;
    let mut n = 0;
    for r in head.chunks_exact(size).take(max) {
        match f(r) {
            Ok(e) if e.kind == Kind::Empty => {}
            Ok(_) => {
                ok += 1;
                n += 1;
            }
            Err(_) => n += 1,
        }
    }
    (ok, n)
}

/// Detects the layout of `head` with a confidence 0–100.
pub fn detect(head: &[u8], len: Option<u64>) -> Option<(Layout, u8)> {
    // Every login-record layout has NUL-padded fields; text has none.
    memchr::memchr(0, head)?;
    let mut best: Option<(Layout, u8)> = None;
    // Corrupt records (up to half of those read) do not hide the layout.
    let mut consider = |layout: Layout, ok: usize, n: usize, fits: bool, strong: bool| {
        if n == 0 || ok * 2 < n || ok == 0 {
            return;
        }
        let mut c: u8 = match (ok == n, n) {
            (false, _) => 60,
            (true, 1) => 50,
            (true, 2..=3) => 75,
            _ => 90,
        };
        if strong {
            c = c.max(85);
        }
        if !fits {
            c = c.saturating_sub(25);
        }
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((layout, c));
        }
    };
    let fits = |size: u64| len.is_none_or(|l| l % size == 0);
    for (size, be) in [(384, false), (400, false), (384, true), (400, true)] {
        let (ok, n) = tally(head, size, 128, |r| glibc_record(r, size, be));
        consider(Layout::Glibc { size, be }, ok, n, fits(size as u64), false);
    }
    // macOS utmpx: the signature record, or valid records.
    {
        let strong = head.starts_with(b"utmpx-1.00\0");
        let (ok, n) = tally(head, 628, 64, mac_record);
        consider(Layout::MacUtmpx, ok, n, fits(628), strong);
    }
    // FreeBSD utx.log: a chain of length-prefixed futx records.
    {
        let mut pos = 0usize;
        let mut ok = 0;
        let mut n = 0;
        while n < 128 {
            let Some(l) = u16_at(head, pos, true) else { break };
            let l = usize::from(l);
            let Some(body) = head.get(pos + 2..pos + 2 + l) else { break };
            let mut full = body.to_vec();
            full.resize(197, 0);
            match futx_record(&full) {
                Ok(e) if e.kind == Kind::Empty => {}
                Ok(e) if (1..=197).contains(&l) && plausible_time(e.sec) => {
                    ok += 1;
                    n += 1;
                }
                _ => n += 1,
            }
            pos += 2 + l;
        }
        consider(Layout::UtxLog, ok, n, true, false);
    }
    {
        let (ok, n) = tally(head, 197, 64, futx_record);
        consider(Layout::Futx, ok, n, fits(197), false);
    }
    best
}

/// Which file of the login family, from its name.
fn file_kind(name: Option<&str>, layout: Layout) -> &'static str {
    let n = name.unwrap_or("");
    match layout {
        Layout::UtxLog | Layout::Futx => "login.utx",
        Layout::MacUtmpx => "login.utmpx",
        Layout::Glibc { .. } if n.contains("btmp") => "login.btmp",
        Layout::Glibc { .. } if n.contains("utmp") && !n.contains("wtmp") => "login.utmp",
        Layout::Glibc { .. } => "login.wtmp",
    }
}

/// Without a telling file name: a file whose records are all LOGIN_PROCESS with a real user
/// name (getty writes `LOGIN`) holds failed logins, as sshd, login and su write them to btmp.
fn looks_like_btmp(head: &[u8], layout: Layout) -> bool {
    let Layout::Glibc { size, be } = layout else { return false };
    let mut n = 0;
    for r in head.chunks_exact(size).take(128) {
        match glibc_record(r, size, be) {
            Ok(e) if e.kind == Kind::Empty => {}
            Ok(e)
                if e.kind == Kind::LoginProcess
                    && e.user.as_deref().is_some_and(|u| u != "LOGIN") =>
            {
                n += 1
            }
            _ => return false,
        }
    }
    n > 0
}

fn name_hint(n: &str) -> bool {
    ["wtmp", "btmp", "utmp", "utx.log", "utx.active", "utx.lastlogin"].iter().any(|h| n.contains(h))
}

fn raw_time(sec: i64, usec: i64) -> Option<(RawTime, DateTime<Utc>)> {
    let nanos = u32::try_from(usec.checked_mul(1000)?).ok()?;
    let dt = DateTime::from_timestamp(sec, nanos)?;
    let raw =
        RawTime::new(Some(dt.year()), dt.month(), dt.day(), dt.hour(), dt.minute(), dt.second())
            .with_fraction(&format!("{usec:06}"))
            .with_offset(Some(0));
    Some((raw, dt))
}

impl Entry {
    fn to_event(
        &self,
        dataset: &'static str,
        raw: &[u8],
        offset: u64,
        opts: &ParseOptions,
    ) -> Record {
        let btmp = dataset == "login.btmp";
        let mut e = Event::new(dataset);
        e.log.offset = Some(offset);
        e.event.original = Some(hex(raw));
        match (btmp, self.kind) {
            (true, _) => {
                e.categorize("authentication", "start", "login-failure");
                e.outcome("failure");
            }
            (false, Kind::User) => {
                e.categorize("session", "start", "login");
                e.event.category.insert(0, "authentication".into());
                e.outcome("success");
            }
            (false, Kind::Dead) => e.categorize("session", "end", "logout"),
            (false, Kind::Boot) => e.categorize("host", "start", "boot"),
            (false, Kind::Shutdown) => e.categorize("host", "end", "shutdown"),
            (false, Kind::RunLevel) => e.categorize("host", "change", "runlevel"),
            (false, Kind::NewTime | Kind::OldTime) => {
                e.categorize("host", "change", "clock-change")
            }
            (false, Kind::Init) => e.categorize("process", "start", "init-process"),
            (false, Kind::LoginProcess) => e.categorize("session", "info", "login-prompt"),
            (false, Kind::Accounting) => e.categorize("host", "info", "accounting"),
            (false, Kind::Empty) => e.categorize("host", "info", "empty"),
            (false, Kind::Signature) => e.categorize("host", "info", "signature"),
        }
        let pseudo_user = matches!(
            self.kind,
            Kind::Boot | Kind::Shutdown | Kind::RunLevel | Kind::NewTime | Kind::OldTime
        );
        if !pseudo_user {
            e.user.name = self.user.clone();
            if let (Some(ids), Some(u)) = (opts.id_names.as_ref(), self.user.as_deref())
                && let Some(uid) = ids.uid_of(u)
            {
                e.user.id = Some(uid.to_string());
            }
        } else if let Some(u) = &self.user {
            e.set_extra("login", "pseudo_user", u.as_str());
        }
        e.jikoku.tty = self.line.clone();
        e.process.pid = self.pid;
        e.set_extra("login", "type", self.type_code);
        e.set_extra("login", "type_name", self.type_name);
        if let Some(id) = &self.id {
            e.set_extra("login", "id", id.as_str());
        }
        if let Some(s) = self.session {
            e.set_extra("login", "session", s);
        }
        if let Some(t) = self.exit_term {
            e.set_extra("login", "exit_termination", t);
        }
        if let Some(c) = self.exit_code {
            e.set_extra("login", "exit_status", c);
        }
        if matches!(self.kind, Kind::Boot | Kind::Shutdown | Kind::RunLevel) {
            if let Some(h) = &self.host {
                e.set_extra("login", "kernel", h.as_str());
            }
        } else if let Some(h) = &self.host {
            if h.starts_with(':') {
                // An X display (`:0`), not a remote peer.
                e.set_extra("login", "display", h.as_str());
            } else {
                e.source.set_address(h);
            }
        }
        if let Some(a) = &self.addr {
            if e.source.address.is_none() {
                e.source.address = Some(a.clone());
            }
            e.source.ip = Some(a.clone());
        }
        if self.kind == Kind::RunLevel
            && let Some(p) = self.pid
        {
            // sysvinit: ut_pid = previous * 256 + new runlevel (characters).
            let new = char::from((p & 0xff) as u8);
            if new.is_ascii_alphanumeric() {
                e.set_extra("login", "runlevel", new.to_string());
            }
        }
        let what = e.event.action.as_deref().unwrap_or("").to_string();
        e.message = Some(format!(
            "{what} {} {} {}",
            self.user.as_deref().unwrap_or("-"),
            self.line.as_deref().unwrap_or("-"),
            self.host.as_deref().or(self.addr.as_deref()).unwrap_or("-")
        ));
        match raw_time(self.sec, self.usec).filter(|_| self.sec != 0) {
            Some((t, _)) => Record::new(e, t),
            None => Record { event: Box::new(e), time: None },
        }
    }
}

/// Pairs logins with logouts by line while keeping file order.
struct Pairing<'s, 'k> {
    sink: &'s mut Sink<'k>,
    pending: VecDeque<(Record, Option<DateTime<Utc>>)>,
    /// Absolute index of `pending[0]`.
    base: usize,
    /// line → absolute index of the open login.
    open: HashMap<String, usize>,
    enabled: bool,
}

const MAX_PENDING: usize = 50_000;

impl Pairing<'_, '_> {
    fn push(
        &mut self,
        rec: Record,
        kind: Option<Kind>,
        line: Option<String>,
        at: Option<DateTime<Utc>>,
    ) {
        let idx = self.base + self.pending.len();
        let mut rec = rec;
        if self.enabled && !rec.is_error() {
            match kind {
                Some(Kind::User) => {
                    if let Some(l) = line.clone() {
                        // A login on a line still open: that session ended unseen.
                        if let Some(prev) = self.open.insert(l, idx) {
                            self.close(prev, at, None, "no logout; the line was reused");
                        }
                    }
                }
                Some(Kind::Dead) => {
                    if let Some(l) = &line
                        && let Some(li) = self.open.remove(l)
                    {
                        self.close(li, at, Some(&mut rec), "logout");
                    }
                }
                Some(Kind::Boot | Kind::Shutdown) => {
                    let why = if kind == Some(Kind::Boot) { "crash" } else { "down" };
                    let open: Vec<usize> = self.open.drain().map(|(_, i)| i).collect();
                    for li in open {
                        self.close(li, at, None, why);
                    }
                }
                _ => {}
            }
        }
        self.pending.push_back((rec, at));
        if self.open.is_empty() {
            self.flush();
        } else if self.pending.len() > MAX_PENDING
            && let Some((r, _)) = self.pending.pop_front()
        {
            self.open.retain(|_, i| *i != self.base);
            self.base += 1;
            (self.sink)(r);
        }
    }

    fn close(
        &mut self,
        login_idx: usize,
        end: Option<DateTime<Utc>>,
        logout: Option<&mut Record>,
        how: &str,
    ) {
        let Some(pos) = login_idx.checked_sub(self.base) else { return };
        let Some((login, start)) = self.pending.get_mut(pos) else { return };
        if let Some(out) = logout {
            if let Some(o) = login.event.log.offset {
                out.event.set_extra("login", "login_offset", o);
            }
            if out.event.user.name.is_none() {
                out.event.user.name = login.event.user.name.clone();
                out.event.user.id = login.event.user.id.clone();
            }
            if out.event.source.is_empty() {
                out.event.source = login.event.source.clone();
            }
            if let (Some(s), Some(e)) = (*start, end) {
                out.event.event.duration = (e - s).num_nanoseconds();
            }
        }
        login.event.set_extra("login", "session_end_reason", how);
        if let (Some(s), Some(e)) = (*start, end) {
            login.event.event.duration = (e - s).num_nanoseconds();
            login.event.set_extra(
                "login",
                "session_end",
                e.to_rfc3339_opts(SecondsFormat::Micros, true),
            );
        }
    }

    fn flush(&mut self) {
        while let Some((r, _)) = self.pending.pop_front() {
            self.base += 1;
            (self.sink)(r);
        }
    }

    fn finish(&mut self) {
        let open: Vec<usize> = self.open.drain().map(|(_, i)| i).collect();
        for li in open {
            if let Some((login, _)) =
                li.checked_sub(self.base).and_then(|p| self.pending.get_mut(p))
            {
                login.event.set_extra("login", "session_end_reason", "no logout in this file");
            }
        }
        self.flush();
    }
}

impl Parser for WtmpParser {
    fn name(&self) -> &'static str {
        "wtmp"
    }
    fn description(&self) -> &'static str {
        "login records: wtmp/btmp/utmp (glibc), FreeBSD utx.log, macOS utmpx"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["utmp", "btmp"]
    }
    fn sniff(&self, head: &Head<'_>) -> u8 {
        match detect(head.bytes, head.len) {
            Some((_, c)) => {
                if name_hint(head.file_name) {
                    c.saturating_add(8).min(100)
                } else {
                    c
                }
            }
            None => 0,
        }
    }
    fn parse(
        &self,
        input: &mut dyn BufRead,
        opts: &ParseOptions,
        sink: &mut Sink<'_>,
    ) -> std::io::Result<()> {
        let mut ch = Chunks::new(input, 64 * 1024)?;
        let Some((layout, _)) = detect(ch.ahead(), None) else {
            loop {
                let off = ch.offset;
                let piece = ch.peek(384)?.to_vec();
                if piece.is_empty() {
                    return Ok(());
                }
                sink(Record::error(
                    "login",
                    &piece,
                    off,
                    None,
                    "not a login record of a known layout",
                ));
                ch.consume(piece.len());
            }
        };
        let mut dataset = file_kind(opts.file_name.as_deref(), layout);
        if dataset == "login.wtmp"
            && !opts.file_name.as_deref().is_some_and(|n| n.contains("wtmp") || n.contains("utmp"))
            && looks_like_btmp(ch.ahead(), layout)
        {
            dataset = "login.btmp";
        }
        let pairing_on =
            dataset == "login.wtmp" || dataset == "login.utx" && layout == Layout::UtxLog;
        let mut p = Pairing {
            sink,
            pending: VecDeque::new(),
            base: 0,
            open: HashMap::new(),
            enabled: pairing_on,
        };
        loop {
            let off = ch.offset;
            let (consumed, body, result): (usize, Vec<u8>, Result<Entry, String>) = match layout {
                Layout::Glibc { size, be } => {
                    let r = ch.peek(size)?.to_vec();
                    if r.is_empty() {
                        break;
                    }
                    if r.len() < size {
                        let n = r.len();
                        let why =
                            format!("truncated record: {n} of {size} bytes at the end of the file");
                        (n, r, Err(why))
                    } else {
                        let res =
                            glibc_record(&r, size, be).map_err(|w| format!("corrupt record: {w}"));
                        (size, r, res)
                    }
                }
                Layout::MacUtmpx | Layout::Futx => {
                    let size = if layout == Layout::Futx { 197 } else { 628 };
                    let r = ch.peek(size)?.to_vec();
                    if r.is_empty() {
                        break;
                    }
                    if r.len() < size {
                        let n = r.len();
                        (
                            n,
                            r,
                            Err(format!(
                                "truncated record: {n} of {size} bytes at the end of the file"
                            )),
                        )
                    } else {
                        let res =
                            if layout == Layout::Futx { futx_record(&r) } else { mac_record(&r) };
                        (size, r, res.map_err(|w| format!("corrupt record: {w}")))
                    }
                }
                Layout::UtxLog => {
                    let h = ch.peek(2)?.to_vec();
                    if h.is_empty() {
                        break;
                    }
                    match u16_at(&h, 0, true) {
                        None => (
                            h.len(),
                            h,
                            Err("truncated record length at the end of the file".into()),
                        ),
                        Some(l) => {
                            let l = usize::from(l);
                            let r = ch.peek(2 + l)?.to_vec();
                            if r.len() < 2 + l {
                                let n = r.len();
                                (
                                    n,
                                    r,
                                    Err(format!(
                                        "truncated record: {n} of {} bytes at the end of the file",
                                        2 + l
                                    )),
                                )
                            } else if l == 0 || l > 197 {
                                // A length we cannot trust: give up the rest of the file as one error.
                                let mut rest = Vec::new();
                                loop {
                                    let piece = ch.peek(64 * 1024)?.to_vec();
                                    if piece.is_empty() {
                                        break;
                                    }
                                    ch.consume(piece.len());
                                    rest.extend_from_slice(&piece);
                                    if rest.len() > 1 << 20 {
                                        break;
                                    }
                                }
                                p.push(
                                    Record::error(
                                        dataset,
                                        &rest,
                                        off,
                                        None,
                                        format!("corrupt record length {l}"),
                                    ),
                                    None,
                                    None,
                                    None,
                                );
                                continue;
                            } else {
                                let mut full = r.get(2..).unwrap_or(&[]).to_vec();
                                full.resize(197, 0);
                                (
                                    2 + l,
                                    r,
                                    futx_record(&full).map_err(|w| format!("corrupt record: {w}")),
                                )
                            }
                        }
                    }
                }
            };
            ch.consume(consumed);
            match result {
                Ok(entry) => {
                    let rec = entry.to_event(dataset, &body, off, opts);
                    let at = raw_time(entry.sec, entry.usec).map(|(_, dt)| dt);
                    p.push(rec, Some(entry.kind), entry.line.clone(), at);
                }
                Err(why) => p.push(Record::error(dataset, &body, off, None, why), None, None, None),
            }
        }
        p.finish();
        Ok(())
    }
}
