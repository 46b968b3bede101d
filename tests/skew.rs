//! `jikoku skew` end to end: three hosts with planted clock offsets exchange mail and ssh
//! logins; the estimate must recover the offsets within a second, and `--apply` must leave the
//! index as `--skew` at ingest would have.
//!
//! The traffic is generated here, deterministically (a fixed LCG), in the exact line forms
//! Postfix 3.7 and OpenSSH 9 write (see sample-logs/) and as Linux acct v3 records (the
//! 64-byte `struct acct_v3` of <linux/acct.h>, as in crates/jikoku-formats/tests/fixtures/acct):
//!
//! | host | zone | clock | address |
//! |---|---|---|---|
//! | `mx` | Asia/Tokyo | correct | 192.0.2.30 |
//! | `mail` | Asia/Tokyo | **+93 s** (fast) | 192.0.2.10 |
//! | `gw` | America/New_York | **−7 min** (slow) | 192.0.2.40 |
//!
//! mail hands 20 messages to mx, gw hands 10 to mail (transit 0–2 s, sub-second true times,
//! whole-second clocks); kenji runs `ssh` from mail to mx 6 times and from gw to mail 6 times
//! (login 0–1 s after the client starts), among unrelated `ssh` runs and other logins. gw is
//! linked to mx only through mail (a chain).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Host {
    name: &'static str,
    zone: chrono_tz::Tz,
    skew_s: i64,
    ip: &'static str,
    /// (clock ms, line) per file.
    text: BTreeMap<&'static str, Vec<(i64, String)>>,
    /// acct records: (end ms for the file order, record).
    acct: Vec<(i64, [u8; 64])>,
}

impl Host {
    fn new(name: &'static str, zone: chrono_tz::Tz, skew_s: i64, ip: &'static str) -> Host {
        Host { name, zone, skew_s, ip, text: BTreeMap::new(), acct: vec![] }
    }
    /// What this host's clock read at true instant `true_ms`.
    fn clock(&self, true_ms: i64) -> i64 {
        true_ms + self.skew_s * 1000
    }
    fn syslog(&mut self, file: &'static str, true_ms: i64, prog: &str, msg: &str) {
        let c = self.clock(true_ms);
        let local = Utc.timestamp_millis_opt(c).unwrap().with_timezone(&self.zone);
        let line = format!("{} {} {prog}: {msg}", local.format("%b %e %H:%M:%S"), self.name);
        self.text.entry(file).or_default().push((c, line));
    }
    fn acct(&mut self, true_ms: i64, dur_ms: i64, comm: &str, uid: u32, pid: u32, tty: u16) {
        let c = self.clock(true_ms);
        let mut r = [0u8; 64];
        r[1] = 3;
        r[2..4].copy_from_slice(&tty.to_le_bytes());
        r[8..12].copy_from_slice(&uid.to_le_bytes());
        r[12..16].copy_from_slice(&uid.to_le_bytes());
        r[16..20].copy_from_slice(&pid.to_le_bytes());
        r[20..24].copy_from_slice(&(pid - 1).to_le_bytes());
        r[24..28].copy_from_slice(&((c / 1000) as u32).to_le_bytes());
        r[28..32].copy_from_slice(&((dur_ms as f32) / 10.0).to_le_bytes());
        let n = comm.len().min(15);
        r[48..48 + n].copy_from_slice(&comm.as_bytes()[..n]);
        self.acct.push((c + dur_ms, r));
    }
    fn write(&mut self, root: &Path) -> PathBuf {
        let dir = root.join(self.name);
        std::fs::create_dir_all(dir.join("etc")).unwrap();
        std::fs::create_dir_all(dir.join("var/log/account")).unwrap();
        std::fs::write(dir.join("etc/hostname"), format!("{}\n", self.name)).unwrap();
        std::fs::write(dir.join("etc/timezone"), format!("{}\n", self.zone.name())).unwrap();
        std::fs::write(
            dir.join("etc/passwd"),
            "root:x:0:0:root:/root:/bin/bash\nkenji:x:1003:1003:Kenji:/home/kenji:/bin/bash\n",
        )
        .unwrap();
        for (file, lines) in &mut self.text {
            lines.sort_by_key(|(c, _)| *c);
            let body: String = lines.iter().map(|(_, l)| format!("{l}\n")).collect();
            std::fs::write(dir.join("var/log").join(file), body).unwrap();
        }
        self.acct.sort_by_key(|(end, _)| *end);
        let bytes: Vec<u8> = self.acct.iter().flat_map(|(_, r)| r.to_vec()).collect();
        std::fs::write(dir.join("var/log/account/pacct"), bytes).unwrap();
        dir
    }
}

/// True instants (ms) of a few events, to check the correction with.
struct Truth {
    /// mail's sshd Accepted of each gw → mail hop: (true ms, clock line).
    mail_logins: Vec<i64>,
}

fn generate(root: &Path) -> (Vec<PathBuf>, Truth) {
    let mut rng = Lcg(0x5eed_2002_0508);
    let mut mx = Host::new("mx", chrono_tz::Asia::Tokyo, 0, "192.0.2.30");
    let mut mail = Host::new("mail", chrono_tz::Asia::Tokyo, 93, "192.0.2.10");
    let mut gw = Host::new("gw", chrono_tz::America::New_York, -420, "192.0.2.40");
    let t0 = Utc.with_ymd_and_hms(2002, 5, 8, 15, 0, 0).unwrap().timestamp_millis();
    let mut pid = 3000u32;
    let mut qn = 0u64;
    let mut qid = |rng: &mut Lcg| {
        qn += 1;
        format!("{:05X}{:05X}", rng.below(0xfffff), qn)
    };
    // Mail: sender → receiver; the receiver logs client= and message-id= while receiving,
    // the sender logs status=sent 0–2 s later.
    let mut handoff = |from: &mut Host, to: &mut Host, t: i64, rng: &mut Lcg, pid: &mut u32| {
        let (q_from, q_to) = (qid(rng), qid(rng));
        *pid += 4;
        let p = *pid;
        let mid = format!("{}.{q_from}@{}.example.jp", t / 1000, from.name);
        from.syslog(
            "mail.log",
            t - 1500,
            &format!("postfix/pickup[{p}]"),
            &format!("{q_from}: uid=1003 from=<kenji@{}.example.jp>", from.name),
        );
        from.syslog(
            "mail.log",
            t - 1400,
            &format!("postfix/cleanup[{}]", p + 1),
            &format!("{q_from}: message-id=<{mid}>"),
        );
        to.syslog(
            "mail.log",
            t,
            &format!("postfix/smtpd[{}]", p + 2),
            &format!("connect from {}.example.jp[{}]", from.name, from.ip),
        );
        to.syslog(
            "mail.log",
            t + 100,
            &format!("postfix/smtpd[{}]", p + 2),
            &format!("{q_to}: client={}.example.jp[{}]", from.name, from.ip),
        );
        to.syslog(
            "mail.log",
            t + 300,
            &format!("postfix/cleanup[{}]", p + 3),
            &format!("{q_to}: message-id=<{mid}>"),
        );
        let transit = 200 + rng.below(1800) as i64;
        from.syslog(
            "mail.log",
            t + 300 + transit,
            &format!("postfix/smtp[{}]", p + 1),
            &format!(
                "{q_from}: to=<someone@example.org>, relay={}.example.jp[{}]:25, delay=1.5, delays=0.1/0/0.5/0.9, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as {q_to})",
                to.name, to.ip
            ),
        );
    };
    for i in 0..20 {
        let t = t0 + i * 173_000 + rng.below(60_000) as i64;
        handoff(&mut mail, &mut mx, t, &mut rng, &mut pid);
    }
    for i in 0..10 {
        let t = t0 + 200_000 + i * 311_000 + rng.below(60_000) as i64;
        handoff(&mut gw, &mut mail, t, &mut rng, &mut pid);
    }
    // ssh: the client's `ssh` process starts at t (acct, whole seconds on its clock); the server
    // logs Accepted 0.1–1 s later.
    let mut truth = Truth { mail_logins: vec![] };
    let hop = |from: &mut Host, to: &mut Host, t: i64, rng: &mut Lcg, pid: &mut u32| {
        *pid += 3;
        let p = *pid;
        let dur = 60_000 + rng.below(600_000) as i64;
        from.acct(t, dur, "ssh", 1003, p, 0x8801);
        let accept = t + 100 + rng.below(900) as i64;
        to.syslog(
            "auth.log",
            accept,
            &format!("sshd[{}]", p + 1),
            &format!("Accepted publickey for kenji from {} port {} ssh2: ED25519 SHA256:q5m3c1wB8pIuY0fM2mJ1HWuQ0x8Y5w6z2P8dVqLzZ1E", from.ip, 40000 + rng.below(20000)),
        );
        accept
    };
    for i in 0..6 {
        let t = t0 + 90_000 + i * 523_000 + rng.below(60_000) as i64;
        hop(&mut mail, &mut mx, t, &mut rng, &mut pid);
        let t = t0 + 140_000 + i * 541_000 + rng.below(60_000) as i64;
        let a = hop(&mut gw, &mut mail, t, &mut rng, &mut pid);
        truth.mail_logins.push(a);
    }
    // Noise: ssh runs to hosts outside the case, other commands, logins from elsewhere.
    for i in 0..15 {
        let t = t0 + i * 211_000 + rng.below(200_000) as i64;
        pid += 2;
        mail.acct(t, 5_000, "ssh", 1003, pid, 0x8801);
        gw.acct(t + 7_000, 5_000, "ssh", 0, pid + 1, 0);
        mail.acct(t + 1_000, 200, "ls", 1003, pid + 2, 0x8801);
        mx.syslog(
            "auth.log",
            t + 3_000,
            &format!("sshd[{}]", pid + 3),
            "Accepted password for ops from 203.0.113.9 port 50000 ssh2",
        );
    }
    let dirs = vec![mx.write(root), mail.write(root), gw.write(root)];
    (dirs, truth)
}

fn ingest(idx: &Path, dirs: &[PathBuf], skews: bool) {
    for d in dirs {
        let mut c = bin();
        c.args(["ingest", "--image", "--year", "2002", "--index"]).arg(idx);
        if skews {
            c.args(["--skew", "mail=+93s", "--skew", "gw=-7m"]);
        }
        let out = c.arg(d).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

fn skew(idx: &Path, extra: &[&str]) -> Vec<Value> {
    let out = bin()
        .args(["skew", "--reference", "mx", "--output", "jsonl", "--index"])
        .arg(idx)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn host<'a>(lines: &'a [Value], h: &str) -> &'a Value {
    lines
        .iter()
        .find(|l| l["type"] == "host" && l["host"] == h)
        .unwrap_or_else(|| panic!("{h}: {lines:?}"))
}

fn search(idx: &Path, q: &str) -> Vec<Value> {
    let out =
        bin().args(["search", "--output", "jsonl", "--index"]).arg(idx).arg(q).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ms(e: &Value) -> i64 {
    DateTime::parse_from_rfc3339(e["@timestamp"].as_str().unwrap()).unwrap().timestamp_millis()
}

#[test]
fn planted_offsets_are_recovered_and_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let (dirs, truth) = generate(tmp.path());
    let idx = tmp.path().join("case");
    ingest(&idx, &dirs, false);

    let est = skew(&idx, &[]);
    let mail = host(&est, "mail");
    let gw = host(&est, "gw");
    let (m, g) = (mail["offset_s"].as_f64().unwrap(), gw["offset_s"].as_f64().unwrap());
    eprintln!("estimated: mail {m:+} s, gw {g:+} s");
    assert!((m - 93.0).abs() <= 1.0, "mail {m}");
    assert!((g + 420.0).abs() <= 1.0, "gw {g}");
    assert_eq!(gw["via"], serde_json::json!(["mail"]));
    assert_eq!(host(&est, "mx")["offset_s"], 0.0);
    // Evidence: both kinds on mail ↔ mx, with the spread reported.
    let link =
        est.iter().find(|l| l["type"] == "link" && l["a"] == "mail" && l["b"] == "mx").unwrap();
    assert_eq!(link["kinds"]["mail"], 20);
    assert_eq!(link["kinds"]["ssh"], 6);
    assert!(link["mad_s"].as_f64().unwrap() < 2.0);
    assert!(link["typical_delay_s"].as_f64().unwrap() >= 0.0);
    let gl =
        est.iter().find(|l| l["type"] == "link" && l["a"] == "gw" && l["b"] == "mail").unwrap();
    assert_eq!(gl["kinds"]["mail"], 10);
    assert_eq!(gl["kinds"]["ssh"], 6);
    let head = &est[0];
    assert!(head["notes"].to_string().contains("0–2 s"));
    assert!(head["addresses"].to_string().contains("192.0.2.40"));

    // Apply: mail's and gw's events are rewritten; the logins on mail land on the true time.
    let applied = skew(&idx, &["--apply"]);
    let a: Vec<&Value> = applied.iter().filter(|l| l["type"] == "applied").collect();
    assert_eq!(a.len(), 2, "{applied:?}");
    let am = a.iter().find(|x| x["host"] == "mail").unwrap();
    let k = am["after_s"].as_f64().unwrap();
    assert!((k - 93.0).abs() <= 1.0);
    let logins = search(&idx, "host.name:mail AND event.action:ssh-login");
    assert_eq!(logins.len(), truth.mail_logins.len());
    for (e, t) in logins.iter().zip(&truth.mail_logins) {
        assert_eq!(e["jikoku"]["time"]["skew_seconds"], k);
        // whole-second clock: corrected = truncated clock − skew.
        let expect = (t + 93_000) / 1000 * 1000 - (k * 1000.0) as i64;
        assert_eq!(ms(e), expect, "{e}");
        assert!((ms(e) - t).abs() <= 2000);
    }
    // The manifest records it; estimating again finds nothing left, applying again changes nothing.
    let out = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\"skew_applied\""), "{text}");
    assert!(text.contains("\"host\":\"mail\""));
    let again = skew(&idx, &["--apply"]);
    assert!(again.iter().all(|l| l["type"] != "applied"), "{again:?}");
    assert!(host(&again, "mail")["offset_s"].as_f64().unwrap().abs() <= 1.0);
    assert_eq!(host(&again, "mail")["declared_s"], k);
    let events_after = search(&idx, "host.name:mail");

    // Rounded to whole seconds, the estimate is the planted value; the index is then exactly
    // what declaring the skew at ingest gives (process.start/end included).
    assert_eq!((k, host(&applied, "gw")["apply_s"].as_f64().unwrap()), (93.0, -420.0));
    {
        let idx2 = tmp.path().join("declared");
        ingest(&idx2, &dirs, true);
        let declared = search(&idx2, "host.name:mail");
        assert_eq!(declared.len(), events_after.len());
        let strip = |v: &Vec<Value>| -> Vec<String> {
            v.iter()
                .map(|e| {
                    let mut e = e.clone();
                    e["jikoku"]["source"] = Value::Null;
                    e.to_string()
                })
                .collect()
        };
        for (d, a) in strip(&declared).iter().zip(strip(&events_after).iter()) {
            assert_eq!(d, a);
        }
    }
}
