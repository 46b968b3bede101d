//! `jikoku ingest --image` over image trees built here: Debian-like and RHEL-like layouts, two
//! zones, rotated and compressed members of every supported compression, a year boundary inside a
//! rotation chain, a compressed twin, links inside and outside the root; the tree's bytes and
//! mtimes are unchanged afterwards and nothing is created inside it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn write(root: &Path, rel: &str, data: &[u8], mtime: u64) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, data).unwrap();
    set_mtime(&p, mtime);
}

fn set_mtime(p: &Path, secs: u64) {
    let t = UNIX_EPOCH + Duration::from_secs(secs);
    let f = std::fs::File::options().write(true).open(p).unwrap();
    f.set_times(std::fs::FileTimes::new().set_modified(t).set_accessed(t)).unwrap();
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}
fn bz2(data: &[u8]) -> Vec<u8> {
    let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    w.write_all(data).unwrap();
    w.finish().unwrap()
}
fn xz(data: &[u8]) -> Vec<u8> {
    let mut w = xz2::write::XzEncoder::new(Vec::new(), 6);
    w.write_all(data).unwrap();
    w.finish().unwrap()
}

/// 2003-01-02 12:00 UTC, and a copy time (mtimes lost in copying) of 2026-11-22.
const MTIME_2003: u64 = 1_041_508_800;
const COPIED: u64 = 1_795_392_000;

fn debian(root: &Path) {
    write(root, "etc/hostname", b"mail\n", COPIED);
    write(root, "etc/timezone", b"Asia/Tokyo\n", COPIED);
    write(
        root,
        "etc/passwd",
        b"root:x:0:0::/root:/bin/bash\nkenji:x:1003:1003::/home/kenji:/bin/sh\n",
        COPIED,
    );
    // Live file: Jan 1-2 (its mtime is real: 2003); its first line is also the last line of
    // .1 (rotation with copytruncate overlap): indexed once.
    write(
        root,
        "var/log/auth.log",
        b"Jan  1 00:00:02 mail CRON[21]: (root) CMD (true)\nJan  2 09:00:00 mail sshd[10]: Accepted password for kenji from 203.0.113.45 port 4000 ssh2\n",
        MTIME_2003,
    );
    // .1 spans the New Year; its mtime was lost (copied in 2026): the year comes from the chain.
    let one = b"Dec 31 23:59:58 mail su[20]: (to root) kenji on pts/1\nJan  1 00:00:02 mail CRON[21]: (root) CMD (true)\n";
    write(root, "var/log/auth.log.1", one, COPIED);
    // Its compressed twin: same content, recorded once.
    write(root, "var/log/auth.log.1.gz", &gz(one), COPIED);
    write(
        root,
        "var/log/auth.log.2.bz2",
        &bz2(b"Dec 20 10:00:00 mail sshd[30]: Invalid user test from 198.51.100.7 port 5\n"),
        COPIED,
    );
    write(
        root,
        "var/log/auth.log.3.xz",
        &xz(b"Dec 10 10:00:00 mail sshd[40]: Invalid user test from 198.51.100.7 port 6\n"),
        COPIED,
    );
    write(
        root,
        "var/log/auth.log.4.zst",
        &zstd::encode_all(
            &b"Dec  1 10:00:00 mail sshd[50]: Invalid user test from 198.51.100.7 port 7\n"[..],
            3,
        )
        .unwrap(),
        COPIED,
    );
    // A link inside the root (followed), and one leaving it (not followed).
    write(root, "data/app.log", b"Jan  2 10:00:00 mail app[60]: inside\n", MTIME_2003);
    std::os::unix::fs::symlink("/data/app.log", root.join("var/log/app.log")).unwrap();
    std::os::unix::fs::symlink("../../../../../../etc/shadow", root.join("var/log/shadow-link"))
        .unwrap();
}

fn rhel(root: &Path) {
    write(root, "etc/sysconfig/network", b"NETWORKING=yes\nHOSTNAME=www.example.com\n", COPIED);
    write(root, "etc/sysconfig/clock", b"ZONE=\"America/New_York\"\n", COPIED);
    write(
        root,
        "var/log/secure",
        b"Jan  5 08:00:00 www sshd[1]: Failed password for root from 198.51.100.7 port 9 ssh2\n",
        MTIME_2003 + 3 * 86400,
    );
    write(
        root,
        "var/log/secure-20030105",
        b"Dec 29 08:00:00 www sshd[2]: Failed password for root from 198.51.100.7 port 8 ssh2\n",
        COPIED,
    );
}

fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime, bool)> {
    let mut m = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            if meta.is_dir() {
                stack.push(p.clone());
                m.insert(p, (vec![], meta.modified().unwrap(), true));
            } else if meta.file_type().is_symlink() {
                m.insert(
                    p.clone(),
                    (
                        std::fs::read_link(&p).unwrap().to_string_lossy().as_bytes().to_vec(),
                        meta.modified().unwrap(),
                        false,
                    ),
                );
            } else {
                m.insert(p.clone(), (std::fs::read(&p).unwrap(), meta.modified().unwrap(), false));
            }
        }
    }
    m
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

#[test]
fn debian_and_rhel_images() {
    let work = tempfile::tempdir().unwrap();
    let (deb, rh, case) =
        (work.path().join("deb"), work.path().join("rhel"), work.path().join("case"));
    debian(&deb);
    rhel(&rh);
    let before = (snapshot(&deb), snapshot(&rh));

    for root in [&deb, &rh] {
        let out =
            bin().args(["ingest", "--image", "--index"]).arg(&case).arg(root).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{stderr}");
        if root == &deb {
            assert!(stderr.contains("image host: mail (from etc/hostname)"), "{stderr}");
            assert!(stderr.contains("image zone: Asia/Tokyo (from etc/timezone)"), "{stderr}");
            assert!(
                stderr.contains("/var/log/shadow-link: symbolic link leaves the image root"),
                "{stderr}"
            );
            assert!(
                stderr.contains("/var/log/auth.log.1.gz: same content as /var/log/auth.log.1"),
                "{stderr}"
            );
        } else {
            assert!(
                stderr.contains("image host: www.example.com (from etc/sysconfig/network)"),
                "{stderr}"
            );
            assert!(
                stderr.contains("image zone: America/New_York (from etc/sysconfig/clock)"),
                "{stderr}"
            );
        }
    }
    // Evidence untouched: same bytes, same mtimes, no new file.
    assert_eq!(snapshot(&deb), before.0);
    assert_eq!(snapshot(&rh), before.1);

    // Years across the Debian chain: live file by mtime (2003), older members carried back.
    let mail = search(&case, "host.name:mail");
    let times: Vec<(&str, &str, &str)> = mail
        .iter()
        .map(|e| {
            (
                e["log"]["file"]["path"].as_str().unwrap(),
                e["jikoku"]["time"]["local"].as_str().unwrap(),
                e["jikoku"]["time"]["year_source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        times,
        vec![
            ("/var/log/auth.log.4.zst", "2002-12-01T10:00:00+09:00", "rotation"),
            ("/var/log/auth.log.3.xz", "2002-12-10T10:00:00+09:00", "rotation"),
            ("/var/log/auth.log.2.bz2", "2002-12-20T10:00:00+09:00", "rotation"),
            ("/var/log/auth.log.1", "2002-12-31T23:59:58+09:00", "rotation"),
            ("/var/log/auth.log", "2003-01-01T00:00:02+09:00", "mtime"),
            ("/var/log/auth.log", "2003-01-02T09:00:00+09:00", "mtime"),
            ("/var/log/app.log", "2003-01-02T10:00:00+09:00", "mtime"),
        ]
    );
    assert!(mail.iter().all(|e| e["jikoku"]["time"]["zone_source"] == "image"));
    // RHEL dated chain in New York.
    let www = search(&case, "host.name:www");
    let w: Vec<(&str, &str)> = www
        .iter()
        .map(|e| (e["@timestamp"].as_str().unwrap(), e["log"]["file"]["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        w,
        vec![
            ("2002-12-29T13:00:00Z", "/var/log/secure-20030105"),
            ("2003-01-05T13:00:00Z", "/var/log/secure")
        ]
    );

    // The manifest: every source with its hash and decisions; the twin as a duplicate.
    let out = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&case).output().unwrap();
    let m: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let paths: Vec<&str> = m.iter().map(|s| s["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        vec![
            "/var/log/app.log",
            "/var/log/auth.log",
            "/var/log/auth.log.1",
            "/var/log/auth.log.1.gz",
            "/var/log/auth.log.2.bz2",
            "/var/log/auth.log.3.xz",
            "/var/log/auth.log.4.zst",
            "/var/log/secure",
            "/var/log/secure-20030105",
        ]
    );
    let twin = m.iter().find(|s| s["path"] == "/var/log/auth.log.1.gz").unwrap();
    assert_eq!(twin["duplicate_of"], "/var/log/auth.log.1");
    assert_eq!(twin["compression"], "gzip");
    let one = m.iter().find(|s| s["path"] == "/var/log/auth.log.1").unwrap();
    assert_eq!(
        (one["records"].as_u64(), one["year"].as_str()),
        (Some(2), Some("2002–2003 (rotation)"))
    );
    assert_eq!(one["zone"], "Asia/Tokyo");
    assert_eq!(one["zone_source"], "image");

    // Re-ingesting the image adds nothing.
    let n = search(&case, "").len();
    bin().args(["ingest", "--image", "--index"]).arg(&case).arg(&deb).output().unwrap();
    assert_eq!(search(&case, "").len(), n);
}

/// An unreadable file and a FIFO inside an image: reported by name, the rest ingested. Run as an
/// unprivileged user (root reads everything), through util-linux `setpriv`.
#[test]
fn unreadable_files_and_fifos_are_reported_not_fatal() {
    use std::os::unix::fs::PermissionsExt;
    let work = tempfile::tempdir().unwrap();
    std::fs::set_permissions(work.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let root = work.path().join("img");
    write(&root, "etc/hostname", b"h\n", COPIED);
    write(&root, "var/log/ok.log", b"Jan  2 09:00:00 h app[1]: fine\n", MTIME_2003);
    write(&root, "var/log/secret.log", b"Jan  2 09:00:01 h app[1]: hidden\n", MTIME_2003);
    let fifo = root.join("var/log/pipe");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    for d in ["", "etc", "var", "var/log"] {
        std::fs::set_permissions(root.join(d), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(root.join("etc/hostname"), std::fs::Permissions::from_mode(0o644))
        .unwrap();
    std::fs::set_permissions(root.join("var/log/ok.log"), std::fs::Permissions::from_mode(0o644))
        .unwrap();
    std::fs::set_permissions(
        root.join("var/log/secret.log"),
        std::fs::Permissions::from_mode(0o000),
    )
    .unwrap();
    let case = work.path().join("case");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_jikoku"))
        .args(["ingest", "--image", "--index"])
        .arg(&case)
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("/var/log/secret.log: Permission denied"), "{stderr}");
    assert!(stderr.contains("/var/log/pipe: device, FIFO or socket; skipped"), "{stderr}");
    assert!(stderr.contains("/var/log/ok.log: 1 records = 1 events + 0 errors"), "{stderr}");
}
