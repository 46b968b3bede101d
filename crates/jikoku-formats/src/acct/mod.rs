//! Binary process accounting files (`pacct`, `acct`): Linux v0–v3 (both byte orders),
//! FreeBSD v1/v2/v3 (mixed files too), OpenBSD and NetBSD layouts.
//!
//! One event per record, at the process START (`ac_btime`, epoch seconds, so the time is
//! UTC: `RawTime` with offset 0), with `event.duration` and `process.end` from the elapsed
//! time. File order is exit order; `log.offset` says where each record is.
//! See docs/formats/acct.md for the layouts and the field mapping.

mod bin;
mod names;

pub(crate) use bin::*;
pub use names::IdNames;

use std::io::BufRead;

use chrono::{DateTime, Datelike, Timelike};
use jikoku_core::Event;
use jikoku_time::RawTime;
use serde_json::Value;

use crate::{Head, ParseOptions, Parser, Record, Sink};

/// The `acct` parser.
pub struct AcctParser;

/// A record layout family, as detected from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Linux 64-byte records; each record's own version byte picks v0/v1/v2 or v3.
    Linux {
        /// Written by a big-endian kernel (`0x80` in `ac_version`).
        be: bool,
    },
    /// FreeBSD: v2/v3 records sized by `ac_len`, and legacy v1 records of `v1_size` bytes.
    FreeBsd {
        /// Big-endian host.
        be: bool,
        /// Size of a v1 record: 56 (64-bit `time_t`) or 48 (i386).
        v1_size: usize,
    },
    /// OpenBSD 64-byte records (`ac_comm[24]` first).
    OpenBsd {
        /// Big-endian host.
        be: bool,
    },
    /// NetBSD 64-byte records (`ac_comm[16]` first, 64-bit `time_t` and `dev_t`).
    NetBsd {
        /// Big-endian host.
        be: bool,
    },
}

/// One decoded accounting record, whatever the layout.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Acct {
    /// `acct.linux_v3`, `acct.freebsd_v2`, …
    pub dataset: &'static str,
    /// Record version (Linux `ac_version & 0x7f`, FreeBSD `ac_version`, 1 for FreeBSD legacy).
    pub version: u8,
    /// Big-endian writer.
    pub be: bool,
    /// Command name bytes (before the first NUL).
    pub comm: Vec<u8>,
    /// The name fills the field, so it may have been cut.
    pub comm_truncated: bool,
    /// Raw `ac_flag`.
    pub flags: u32,
    /// Flag family for naming the bits.
    pub openbsd: bool,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// Process id (Linux v3, OpenBSD).
    pub pid: Option<u32>,
    /// Parent process id (Linux v3).
    pub ppid: Option<u32>,
    /// Controlling tty device number; `None` for no tty.
    pub tty: Option<u64>,
    /// The tty's name, where the number maps to one.
    pub tty_name: Option<String>,
    /// Start, epoch seconds.
    pub btime: i64,
    /// Elapsed seconds.
    pub etime: f64,
    /// User CPU seconds.
    pub utime: f64,
    /// System CPU seconds.
    pub stime: f64,
    /// Average memory, KiB.
    pub mem_kb: Option<f64>,
    /// I/O count (chars or blocks, as the system counts).
    pub io: Option<f64>,
    /// Blocks read or written (Linux).
    pub rw: Option<f64>,
    /// Minor page faults (Linux).
    pub minflt: Option<f64>,
    /// Major page faults (Linux).
    pub majflt: Option<f64>,
    /// Swaps (Linux).
    pub swaps: Option<f64>,
    /// Raw wait status (Linux).
    pub exit_status: Option<u32>,
    /// Clock ticks per second of the comp_t times.
    pub ahz: Option<u32>,
}

const AFORK: u32 = 0x01;
const ASU: u32 = 0x02;
const ACORE: u32 = 0x08;
const AXSIG: u32 = 0x10;

/// `comp_t`: 13-bit mantissa, 3-bit base-8 exponent.
pub fn comp_t(c: u16) -> u64 {
    u64::from(c & 0x1fff) << (3 * u32::from(c >> 13))
}

/// Linux `comp2_t` (24 bits): 5-bit base-2 exponent, 19 stored mantissa bits with an implied 1.
pub fn comp2_t(c: u32) -> u64 {
    let c = c & 0x00ff_ffff;
    let exp = c >> 19;
    let m = u64::from(c & 0x7ffff);
    if exp == 0 { m } else { (m | 0x80000) << (exp - 1) }
}

/// Earliest and latest plausible start times (1980-01-01 .. 2107-12-31).
fn plausible_time(t: i64) -> bool {
    (315_532_800..=4_354_819_199).contains(&t)
}

/// For detection: a record that decodes and starts at a plausible time. (When parsing, a
/// record of the detected layout is kept whatever its time; it is marked `btime_implausible`.)
/// Ids must look like ids too: text read as numbers gives values above 0x20202020.
fn plausible(r: Result<Acct, String>) -> bool {
    let id_ok = |id: u32| id <= 0x00ff_ffff || id >= 0xffff_fffe;
    r.is_ok_and(|a| plausible_time(a.btime) && id_ok(a.uid) && id_ok(a.gid))
}

/// Name of a Linux tty from its `old_encode_dev` number (`(major << 8) | minor`).
pub fn linux_tty_name(dev: u32) -> Option<String> {
    let major = (dev >> 8) & 0xff;
    let minor = dev & 0xff;
    match major {
        136..=143 => Some(format!("pts/{}", (major - 136) * 256 + minor)),
        4 if minor < 64 => Some(format!("tty{minor}")),
        4 => Some(format!("ttyS{}", minor - 64)),
        5 => match minor {
            0 => Some("tty".into()),
            1 => Some("console".into()),
            2 => Some("ptmx".into()),
            _ => None,
        },
        3 => {
            let l = b"pqrstuvwxyzabcde".get((minor / 16) as usize).copied()?;
            let d = b"0123456789abcdef".get((minor % 16) as usize).copied()?;
            Some(format!("tty{}{}", char::from(l), char::from(d)))
        }
        188 => Some(format!("ttyUSB{minor}")),
        204 if minor >= 64 => Some(format!("ttyAMA{}", minor - 64)),
        229 => Some(format!("hvc{minor}")),
        _ => None,
    }
}

fn linux_record(r: &[u8], be_file: bool) -> Result<Acct, String> {
    let ver_byte = *r.get(1).ok_or("short record")?;
    let be = ver_byte & 0x80 != 0;
    let version = ver_byte & 0x7f;
    if r.iter().all(|&b| b == 0) {
        return Err("zero-filled record".into());
    }
    if be != be_file {
        return Err(format!(
            "byte order of this record (version byte {ver_byte:#04x}) differs from the file's"
        ));
    }
    let flag = u32::from(*r.first().ok_or("short record")?);
    if flag & !0x1f != 0 {
        return Err(format!("invalid ac_flag {flag:#04x}"));
    }
    let bad = || "short record".to_string();
    let c = |off| u16_at(r, off, be).map(|v| comp_t(v) as f64).ok_or_else(bad);
    let mut a = Acct { be, version, flags: flag, ..Default::default() };
    match version {
        3 => {
            a.dataset = "acct.linux_v3";
            let tty = u16_at(r, 2, be).ok_or_else(bad)?;
            a.exit_status = u32_at(r, 4, be);
            a.uid = u32_at(r, 8, be).ok_or_else(bad)?;
            a.gid = u32_at(r, 12, be).ok_or_else(bad)?;
            a.pid = u32_at(r, 16, be);
            a.ppid = u32_at(r, 20, be);
            a.btime = i64::from(u32_at(r, 24, be).ok_or_else(bad)?);
            let et = f32_at(r, 28, be).ok_or_else(bad)?;
            if !et.is_finite() || et < 0.0 {
                return Err(format!("invalid ac_etime {et}"));
            }
            let ahz = 100.0;
            a.ahz = Some(100);
            a.etime = f64::from(et) / ahz;
            a.utime = c(32)? / ahz;
            a.stime = c(34)? / ahz;
            a.mem_kb = Some(c(36)?);
            a.io = Some(c(38)?);
            a.rw = Some(c(40)?);
            a.minflt = Some(c(42)?);
            a.majflt = Some(c(44)?);
            a.swaps = Some(c(46)?);
            let (comm, _) = cstr(r, 48, 16).ok_or_else(bad)?;
            a.comm = comm.to_vec();
            set_tty_linux(&mut a, tty);
        }
        0..=2 => {
            a.dataset = match version {
                2 => "acct.linux_v2",
                1 => "acct.linux_v1",
                _ => "acct.linux_v0",
            };
            let uid16 = u16_at(r, 2, be).ok_or_else(bad)?;
            let gid16 = u16_at(r, 4, be).ok_or_else(bad)?;
            let tty = u16_at(r, 6, be).ok_or_else(bad)?;
            a.btime = i64::from(u32_at(r, 8, be).ok_or_else(bad)?);
            let ahz = match u16_at(r, 30, be) {
                Some(h) if version >= 1 && h > 0 => u32::from(h),
                _ => 100,
            };
            a.ahz = Some(ahz);
            let ahz = f64::from(ahz);
            a.utime = c(12)? / ahz;
            a.stime = c(14)? / ahz;
            let et_hi = u32::from(*r.get(53).ok_or_else(bad)?);
            let et_lo = u32::from(u16_at(r, 54, be).ok_or_else(bad)?);
            let big = (et_hi << 16) | et_lo;
            a.etime = if version >= 2 && big != 0 { comp2_t(big) as f64 } else { c(16)? } / ahz;
            a.mem_kb = Some(c(18)?);
            a.io = Some(c(20)?);
            a.rw = Some(c(22)?);
            a.minflt = Some(c(24)?);
            a.majflt = Some(c(26)?);
            a.swaps = Some(c(28)?);
            a.exit_status = u32_at(r, 32, be);
            let (comm, _) = cstr(r, 36, 17).ok_or_else(bad)?;
            a.comm = comm.to_vec();
            if version >= 1 {
                a.uid = u32_at(r, 56, be).ok_or_else(bad)?;
                a.gid = u32_at(r, 60, be).ok_or_else(bad)?;
            } else {
                a.uid = u32::from(uid16);
                a.gid = u32::from(gid16);
            }
            set_tty_linux(&mut a, tty);
        }
        v => return Err(format!("unknown Linux acct version {v}")),
    }
    // TASK_COMM_LEN is 16: at most 15 characters reach the file.
    a.comm_truncated = a.comm.len() >= 15;
    Ok(a)
}

fn set_tty_linux(a: &mut Acct, tty: u16) {
    if tty != 0 {
        a.tty = Some(u64::from(tty));
        a.tty_name = linux_tty_name(u32::from(tty));
    }
}

/// FreeBSD v2/v3 record (`ac_zero`, `ac_version`, `ac_len` first).
fn freebsd_new_record(r: &[u8], be: bool) -> Result<Acct, String> {
    let bad = || "short record".to_string();
    let version = *r.get(1).ok_or_else(bad)?;
    let len = usize::from(u16_at(r, 2, be).ok_or_else(bad)?);
    let wide = match version {
        2 => len >= 72,
        3 => len >= 80,
        v => return Err(format!("unknown FreeBSD acct version {v}")),
    };
    let f = |off| f32_at(r, off, be).map(f64::from).ok_or_else(bad);
    let mut a = Acct { be, version, ..Default::default() };
    a.dataset = if version == 2 { "acct.freebsd_v2" } else { "acct.freebsd_v3" };
    let (comm, full) = cstr(r, 4, 16).ok_or_else(bad)?;
    a.comm = comm.to_vec();
    a.comm_truncated = full;
    a.utime = f(20)? / 1e6;
    a.stime = f(24)? / 1e6;
    a.etime = f(28)? / 1e6;
    let mut off = 32;
    a.btime = if wide {
        off += 8;
        i64_at(r, 32, be).ok_or_else(bad)?
    } else {
        off += 4;
        i64::from(i32_at(r, 32, be).ok_or_else(bad)?)
    };
    a.uid = u32_at(r, off, be).ok_or_else(bad)?;
    a.gid = u32_at(r, off + 4, be).ok_or_else(bad)?;
    a.mem_kb = Some(f(off + 8)?);
    a.io = Some(f(off + 12)?);
    off += 16;
    let tty = if version == 3 {
        let t = u64_at(r, off, be).ok_or_else(bad)?;
        off += 12; // __dev_t + ac_pad0
        (t != u64::MAX).then_some(t)
    } else {
        let t = u32_at(r, off, be).ok_or_else(bad)?;
        off += 4;
        (t != u32::MAX).then_some(u64::from(t))
    };
    a.tty = tty;
    let len2 = usize::from(u16_at(r, off, be).ok_or_else(bad)?);
    if len2 != len {
        return Err(format!("ac_len2 {len2} does not match ac_len {len}"));
    }
    // ac_trailer: union { u32 ac_align; u8 ac_flag; }: the flag is the union's first byte.
    a.flags = u32::from(*r.get(off + 4).ok_or_else(bad)?);
    for t in [a.utime, a.stime, a.etime] {
        if !t.is_finite() || t < 0.0 {
            return Err(format!("invalid time value {t}"));
        }
    }
    Ok(a)
}

/// FreeBSD v1 (legacy) record of 56 (64-bit time_t) or 48 (i386) bytes.
fn freebsd_v1_record(r: &[u8], be: bool, size: usize) -> Result<Acct, String> {
    let bad = || "short record".to_string();
    let mut a =
        Acct { be, version: 1, dataset: "acct.freebsd_v1", ahz: Some(64), ..Default::default() };
    comm_first(&mut a, r, 16)?;
    let c = |off| u16_at(r, off, be).map(|v| comp_t(v) as f64 / 64.0).ok_or_else(bad);
    a.utime = c(16)?;
    a.stime = c(18)?;
    a.etime = c(20)?;
    let mut off = 24;
    a.btime = if size >= 56 {
        off += 8;
        i64_at(r, 24, be).ok_or_else(bad)?
    } else {
        off += 4;
        i64::from(i32_at(r, 24, be).ok_or_else(bad)?)
    };
    a.uid = u32_at(r, off, be).ok_or_else(bad)?;
    a.gid = u32_at(r, off + 4, be).ok_or_else(bad)?;
    a.mem_kb = Some(f64::from(u16_at(r, off + 8, be).ok_or_else(bad)?));
    a.io = Some(comp_t(u16_at(r, off + 10, be).ok_or_else(bad)?) as f64);
    let t = u32_at(r, off + 12, be).ok_or_else(bad)?;
    a.tty = (t != u32::MAX).then_some(u64::from(t));
    a.flags = u32::from(*r.get(off + 16).ok_or_else(bad)?);
    check_bsd(&a, 0x3f)?;
    Ok(a)
}

fn comm_first(a: &mut Acct, r: &[u8], len: usize) -> Result<(), String> {
    if !printable_field(r, 0, len) {
        return Err("command name is not text".into());
    }
    let (comm, full) = cstr(r, 0, len).ok_or("short record")?;
    if comm.is_empty() {
        return Err("empty command name".into());
    }
    a.comm = comm.to_vec();
    a.comm_truncated = full;
    Ok(())
}

fn check_bsd(a: &Acct, flag_mask: u32) -> Result<(), String> {
    if a.flags & !flag_mask != 0 {
        return Err(format!("invalid ac_flag {:#x}", a.flags));
    }
    Ok(())
}

fn openbsd_record(r: &[u8], be: bool) -> Result<Acct, String> {
    let bad = || "short record".to_string();
    let mut a = Acct {
        be,
        version: 0,
        dataset: "acct.openbsd",
        ahz: Some(64),
        openbsd: true,
        ..Default::default()
    };
    comm_first(&mut a, r, 24)?;
    // MAXCOMLEN is 23 on OpenBSD: 23 characters fill the field (the 24th is the NUL).
    a.comm_truncated = a.comm.len() >= 23;
    let c = |off| u16_at(r, off, be).map(|v| comp_t(v) as f64).ok_or_else(bad);
    a.utime = c(24)? / 64.0;
    a.stime = c(26)? / 64.0;
    a.etime = c(28)? / 64.0;
    a.io = Some(c(30)?);
    a.btime = i64_at(r, 32, be).ok_or_else(bad)?;
    a.uid = u32_at(r, 40, be).ok_or_else(bad)?;
    a.gid = u32_at(r, 44, be).ok_or_else(bad)?;
    a.mem_kb = Some(f64::from(u32_at(r, 48, be).ok_or_else(bad)?));
    let t = u32_at(r, 52, be).ok_or_else(bad)?;
    a.tty = (t != u32::MAX).then_some(u64::from(t));
    a.pid = u32_at(r, 56, be);
    a.flags = u32_at(r, 60, be).ok_or_else(bad)?;
    check_bsd(&a, 0x1ff)?;
    Ok(a)
}

fn netbsd_record(r: &[u8], be: bool) -> Result<Acct, String> {
    let bad = || "short record".to_string();
    let mut a =
        Acct { be, version: 0, dataset: "acct.netbsd", ahz: Some(64), ..Default::default() };
    comm_first(&mut a, r, 16)?;
    let c = |off| u16_at(r, off, be).map(|v| comp_t(v) as f64).ok_or_else(bad);
    a.utime = c(16)? / 64.0;
    a.stime = c(18)? / 64.0;
    a.etime = c(20)? / 64.0;
    a.btime = i64_at(r, 24, be).ok_or_else(bad)?;
    a.uid = u32_at(r, 32, be).ok_or_else(bad)?;
    a.gid = u32_at(r, 36, be).ok_or_else(bad)?;
    a.mem_kb = Some(f64::from(u16_at(r, 40, be).ok_or_else(bad)?));
    a.io = Some(c(42)?);
    let t = u64_at(r, 48, be).ok_or_else(bad)?;
    a.tty = (t != u64::MAX && t != u64::from(u32::MAX)).then_some(t);
    a.flags = u32::from(*r.get(56).ok_or_else(bad)?);
    check_bsd(&a, 0x1f)?;
    Ok(a)
}

/// A FreeBSD v2/v3 header at the start of `r`: (byte order, record length).
fn freebsd_header(r: &[u8], be_hint: Option<bool>) -> Option<(bool, usize)> {
    if r.first() != Some(&0) || !matches!(r.get(1), Some(2 | 3)) {
        return None;
    }
    for be in [false, true] {
        if be_hint.is_some_and(|h| h != be) {
            continue;
        }
        let len = usize::from(u16_at(r, 2, be)?);
        if (48..=256).contains(&len) && len % 4 == 0 {
            return Some((be, len));
        }
    }
    None
}

/// Counts (valid, total) records of a fixed-size layout over `head`'s complete records.
fn score_fixed(head: &[u8], size: usize, f: &dyn Fn(&[u8]) -> bool) -> (usize, usize) {
    let mut ok = 0;
    let mut n = 0;
    for r in head.chunks_exact(size).take(256) {
        n += 1;
        if f(r) {
            ok += 1;
        }
    }
    (ok, n)
}

/// Counts (valid, total) records of the FreeBSD reader over `head`.
fn score_freebsd(head: &[u8], be: bool, v1_size: usize) -> (usize, usize) {
    let mut ok = 0;
    let mut n = 0;
    let mut pos = 0usize;
    while n < 256 {
        let rest = head.get(pos..).unwrap_or(&[]);
        if rest.is_empty() {
            break;
        }
        let (size, good) = match freebsd_header(rest, Some(be)) {
            Some((_, len)) => {
                (len, rest.get(..len).is_some_and(|r| plausible(freebsd_new_record(r, be))))
            }
            None => (
                v1_size,
                rest.get(..v1_size).is_some_and(|r| plausible(freebsd_v1_record(r, be, v1_size))),
            ),
        };
        if rest.len() < size {
            break;
        }
        n += 1;
        if good {
            ok += 1;
        }
        pos += size;
    }
    (ok, n)
}

/// Detects the layout of `head` (the start of a file); returns it with a confidence 0–100.
pub fn detect(head: &[u8], len: Option<u64>) -> Option<(Layout, u8)> {
    // Every accounting layout has NUL padding and zero high bytes; text has none.
    memchr::memchr(0, head)?;
    let mut best: Option<(Layout, u8)> = None;
    let mut consider = |layout: Layout, (ok, n): (usize, usize), size_ok: bool| {
        if n == 0 || ok * 10 < n * 9 {
            return;
        }
        let mut c: u8 = match (ok == n, n) {
            (true, 1) => 50,
            (true, 2..=3) => 75,
            (true, _) => 90,
            (false, _) => 60,
        };
        if !size_ok {
            c = c.saturating_sub(20);
        }
        if best.is_none_or(|(_, b)| c > b) {
            best = Some((layout, c));
        }
    };
    let fits = |size: u64| len.is_none_or(|l| l % size == 0);
    // Linux: every record's version byte says the same byte order and a known version.
    if let Some(&v) = head.get(1) {
        let be = v & 0x80 != 0;
        let s = score_fixed(head, 64, &|r| plausible(linux_record(r, be)));
        consider(Layout::Linux { be }, s, fits(64));
    }
    for be in [false, true] {
        for v1_size in [56, 48] {
            let s = score_freebsd(head, be, v1_size);
            consider(Layout::FreeBsd { be, v1_size }, s, true);
        }
        consider(
            Layout::OpenBsd { be },
            score_fixed(head, 64, &|r| plausible(openbsd_record(r, be))),
            fits(64),
        );
        consider(
            Layout::NetBsd { be },
            score_fixed(head, 64, &|r| plausible(netbsd_record(r, be))),
            fits(64),
        );
    }
    best
}

impl Acct {
    /// Names of the set flag bits.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let table: &[(u32, &str)] = if self.openbsd {
            &[
                (0x01, "fork"),
                (0x02, "su"),
                (0x04, "map"),
                (0x08, "core"),
                (0x10, "xsig"),
                (0x20, "pledge"),
                (0x40, "trap"),
                (0x80, "unveil"),
                (0x100, "execve"),
            ]
        } else {
            &[
                (0x01, "fork"),
                (0x02, "su"),
                (0x04, "compat"),
                (0x08, "core"),
                (0x10, "xsig"),
                (0x20, "nver"),
            ]
        };
        table.iter().filter(|(b, _)| self.flags & b != 0).map(|(_, n)| *n).collect()
    }

    /// `lastcomm`-style flag letters (`S`, `F`, `C`, `D`, `X`).
    pub fn flag_letters(&self) -> String {
        let mut s = String::new();
        for (b, l) in [(ASU, 'S'), (AFORK, 'F'), (0x04, 'C'), (ACORE, 'D'), (AXSIG, 'X')] {
            if self.flags & b != 0 && !(self.openbsd && b == 0x04) {
                s.push(l);
            }
        }
        s
    }

    /// The event of this record.
    pub fn to_event(&self, raw: &[u8], offset: u64, opts: &ParseOptions) -> Record {
        let mut e = Event::new(self.dataset);
        e.categorize("process", "info", "process-run");
        e.log.offset = Some(offset);
        e.event.original = Some(hex(raw));
        let comm = jikoku_core::escape::bytes_to_text(&self.comm);
        e.process.name = Some(comm.clone());
        e.process.pid = self.pid.map(i64::from);
        e.process.parent.pid = self.ppid.map(i64::from);
        e.user.id = Some(self.uid.to_string());
        e.user.name = user_name(self.uid, opts);
        e.group.id = Some(self.gid.to_string());
        e.group.name = opts.id_names.as_ref().and_then(|n| n.group(self.gid)).map(str::to_string);
        e.jikoku.tty = self.tty_name.clone();
        if let Some(t) = self.tty {
            e.set_extra("acct", "tty_dev", t);
        }
        e.set_extra("acct", "version", self.version);
        e.set_extra("acct", "byte_order", if self.be { "big" } else { "little" });
        e.set_extra("acct", "comm_truncated", self.comm_truncated);
        if !plausible_time(self.btime) {
            // A clock never set (1970) or a damaged record: kept, and said so.
            e.set_extra("acct", "btime_implausible", true);
        }
        e.set_extra("acct", "flags", self.flag_names());
        e.set_extra("acct", "flag_bits", self.flags);
        e.set_extra("acct", "forked_no_exec", self.flags & AFORK != 0);
        e.set_extra("acct", "superuser", !self.openbsd && self.flags & ASU != 0);
        e.set_extra("acct", "core_dumped", self.flags & ACORE != 0);
        e.set_extra("acct", "killed_by_signal", self.flags & AXSIG != 0);
        e.set_extra("acct", "cpu_user_seconds", num(self.utime));
        e.set_extra("acct", "cpu_system_seconds", num(self.stime));
        e.set_extra("acct", "cpu_seconds", num(self.utime + self.stime));
        e.set_extra("acct", "elapsed_seconds", num(self.etime));
        for (k, v) in [
            ("mem_kb", self.mem_kb),
            ("io", self.io),
            ("rw", self.rw),
            ("minflt", self.minflt),
            ("majflt", self.majflt),
            ("swaps", self.swaps),
        ] {
            if let Some(v) = v {
                e.set_extra("acct", k, num(v));
            }
        }
        if let Some(h) = self.ahz {
            e.set_extra("acct", "ahz", h);
        }
        let mut exit_text = String::new();
        if let Some(st) = self.exit_status {
            e.set_extra("acct", "exit_status", st);
            let sig = st & 0x7f;
            if sig == 0 {
                let code = (st >> 8) & 0xff;
                e.process.exit_code = Some(i64::from(code));
                e.outcome(if code == 0 { "success" } else { "failure" });
                exit_text = format!(" exit {code}");
            } else {
                e.set_extra("acct", "signal", sig);
                if let Some(n) = signal_name(sig) {
                    e.set_extra("acct", "signal_name", n);
                }
                e.outcome("failure");
                exit_text = format!(
                    " killed by signal {sig}{}",
                    if st & 0x80 != 0 { " (core dumped)" } else { "" }
                );
            }
        } else if self.flags & AXSIG != 0 {
            e.outcome("failure");
        }
        if self.etime.is_finite() && self.etime >= 0.0 && self.etime < 1e12 {
            e.event.duration = Some((self.etime * 1e9).round() as i64);
        }
        let start = DateTime::from_timestamp(self.btime, 0);
        if let Some(s) = start {
            // RFC 3339 without chrono's formatter: `Secs` for the start, `AutoSi` for the end.
            e.process.start = Some(jikoku_core::Timestamp { utc: s, digits: 0 }.to_rfc3339());
            if let Some(d) = e.event.duration
                && let Some(end) = s.checked_add_signed(chrono::TimeDelta::nanoseconds(d))
            {
                let ns = end.timestamp_subsec_nanos();
                let digits = match ns {
                    0 => 0,
                    n if n % 1_000_000 == 0 => 3,
                    n if n % 1_000 == 0 => 6,
                    _ => 9,
                };
                e.process.end = Some(jikoku_core::Timestamp { utc: end, digits }.to_rfc3339());
            }
        }
        let letters = self.flag_letters();
        e.message = Some(format!(
            "{comm} -{letters} {} {} {:.2} secs{exit_text}",
            e.user.name.as_deref().unwrap_or(&self.uid.to_string()),
            self.tty_name.as_deref().unwrap_or("__"),
            self.utime + self.stime,
        ));
        match start {
            Some(s) => {
                let raw = RawTime::new(
                    Some(s.year()),
                    s.month(),
                    s.day(),
                    s.hour(),
                    s.minute(),
                    s.second(),
                )
                .with_offset(Some(0));
                Record::new(e, raw)
            }
            None => Record { event: Box::new(e), time: None },
        }
    }
}

/// A JSON number for a measured value, rounded to microseconds' precision of noise.
fn num(v: f64) -> Value {
    let r = (v * 1e6).round() / 1e6;
    serde_json::Number::from_f64(r).map(Value::Number).unwrap_or(Value::Null)
}

/// The account name of `uid`: from the passwd table when the options carry one; uid 0 is `root`.
pub(crate) fn user_name(uid: u32, opts: &ParseOptions) -> Option<String> {
    if let Some(n) = opts.id_names.as_ref().and_then(|n| n.user(uid)) {
        return Some(n.to_string());
    }
    (uid == 0).then(|| "root".to_string())
}

/// Conventional names of the signals whose numbers agree across Linux and the BSDs.
pub fn signal_name(sig: u32) -> Option<&'static str> {
    Some(match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        _ => return None,
    })
}

fn layout_name(l: Layout) -> &'static str {
    match l {
        Layout::Linux { .. } => "acct.linux",
        Layout::FreeBsd { .. } => "acct.freebsd",
        Layout::OpenBsd { .. } => "acct.openbsd",
        Layout::NetBsd { .. } => "acct.netbsd",
    }
}

fn name_hint(file_name: &str) -> bool {
    file_name.contains("pacct") || file_name.contains("acct") || file_name.starts_with("account")
}

impl Parser for AcctParser {
    fn name(&self) -> &'static str {
        "acct"
    }
    fn description(&self) -> &'static str {
        "binary process accounting (Linux v0-v3, FreeBSD v1-v3, OpenBSD, NetBSD)"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["pacct"]
    }
    fn sniff(&self, head: &Head<'_>) -> u8 {
        match detect(head.bytes, head.len) {
            Some((_, c)) => {
                let c = if name_hint(head.file_name) { c.saturating_add(8) } else { c };
                c.min(100)
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
        let layout = detect(ch.ahead(), None).map(|(l, _)| l);
        let Some(layout) = layout else {
            // Not a layout we know: keep every byte, as 64-byte pieces.
            loop {
                let off = ch.offset;
                let piece = ch.peek(64)?.to_vec();
                if piece.is_empty() {
                    return Ok(());
                }
                sink(Record::error(
                    "acct",
                    &piece,
                    off,
                    None,
                    "not a process accounting record of a known layout",
                ));
                ch.consume(piece.len());
            }
        };
        let dataset_err: &'static str = layout_name(layout);
        loop {
            let off = ch.offset;
            let (size, result): (usize, Result<Acct, String>) = match layout {
                Layout::Linux { be } => {
                    let r = ch.peek(64)?;
                    (64, if r.len() < 64 { Err(String::new()) } else { linux_record(r, be) })
                }
                Layout::OpenBsd { be } => {
                    let r = ch.peek(64)?;
                    (64, if r.len() < 64 { Err(String::new()) } else { openbsd_record(r, be) })
                }
                Layout::NetBsd { be } => {
                    let r = ch.peek(64)?;
                    (64, if r.len() < 64 { Err(String::new()) } else { netbsd_record(r, be) })
                }
                Layout::FreeBsd { be, v1_size } => {
                    let r = ch.peek(4)?;
                    match freebsd_header(r, Some(be)) {
                        Some((_, len)) => {
                            let r = ch.peek(len)?;
                            (
                                len,
                                if r.len() < len {
                                    Err(String::new())
                                } else {
                                    freebsd_new_record(r, be)
                                },
                            )
                        }
                        None => {
                            let r = ch.peek(v1_size)?;
                            (
                                v1_size,
                                if r.len() < v1_size {
                                    Err(String::new())
                                } else {
                                    freebsd_v1_record(r, be, v1_size)
                                },
                            )
                        }
                    }
                }
            };
            let avail = ch.peek(size)?.to_vec();
            if avail.is_empty() {
                return Ok(());
            }
            if avail.len() < size {
                let why = format!(
                    "truncated record: {} of {size} bytes at the end of the file",
                    avail.len()
                );
                sink(Record::error(dataset_err, &avail, off, None, why));
                ch.consume(avail.len());
                return Ok(());
            }
            match result {
                Ok(a) => sink(a.to_event(&avail, off, opts)),
                Err(why) => {
                    let ds = match layout {
                        Layout::FreeBsd { .. } => "acct.freebsd",
                        _ => dataset_err,
                    };
                    sink(Record::error(ds, &avail, off, None, format!("corrupt record: {why}")))
                }
            }
            ch.consume(size);
        }
    }
}
