//! End-to-end tests of the `jikoku` binary over sample-logs/ and generated inputs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn events(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn get<'a>(e: &'a Value, dotted: &str) -> &'a Value {
    dotted.split('.').fold(e, |v, k| &v[k])
}

/// The README's main command.
fn sample_run() -> Output {
    bin()
        .args([
            "parse",
            "--tz",
            "mail=Asia/Tokyo",
            "--tz",
            "www=America/New_York",
            "--skew",
            "mail=+93s",
            "--year",
            "2002",
        ])
        .arg(root().join("sample-logs"))
        .output()
        .unwrap()
}

#[test]
fn sample_logs_answer_the_reported_time() {
    let out = sample_run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let evs = events(&out);
    // The reported time, 13:29:44 -0400 = 17:29:44Z: mail's first failed root password, skew removed.
    let at: Vec<&Value> =
        evs.iter().filter(|e| e["@timestamp"] == "2002-05-08T17:29:44Z").collect();
    assert_eq!(at.len(), 1, "{at:?}");
    let e = at[0];
    assert_eq!(get(e, "host.name"), "mail");
    assert_eq!(get(e, "event.action"), "ssh-login");
    assert_eq!(get(e, "event.outcome"), "failure");
    assert_eq!(get(e, "user.name"), "root");
    assert_eq!(get(e, "source.ip"), "198.51.100.7");
    assert_eq!(get(e, "source.port"), 40310);
    assert_eq!(get(e, "jikoku.time.local"), "2002-05-09T02:31:17+09:00");
    assert_eq!(get(e, "jikoku.time.skew_seconds"), 93.0);
    assert_eq!(get(e, "jikoku.time.year_source"), "option");
    assert_eq!(get(e, "jikoku.time.zone"), "Asia/Tokyo");
    assert_eq!(get(e, "log.file.path"), "mail/var/log/auth.log");
    assert_eq!(get(e, "jikoku.line"), 18);
    // The same scanner on www, in the record's own offset, within the same seconds.
    let www = evs
        .iter()
        .find(|e| get(e, "host.name") == "www" && get(e, "event.action") == "ssh-invalid-user")
        .unwrap();
    assert_eq!(www["@timestamp"], "2002-05-08T17:29:40.120000Z");
    assert_eq!(get(www, "jikoku.time.zone_source"), "record");
    assert_eq!(get(www, "user.name"), "oracle");
    // kenji's su to root on mail.
    let su = evs.iter().find(|e| get(e, "event.action") == "su").unwrap();
    assert_eq!(
        (
            get(su, "user.name"),
            get(su, "user.target.name"),
            get(su, "jikoku.tty"),
            &su["@timestamp"]
        ),
        (
            &Value::from("kenji"),
            &Value::from("root"),
            &Value::from("pts/1"),
            &Value::from("2002-05-08T17:02:07Z")
        )
    );
    // records = events + errors, reported per source.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("records = "), "{stderr}");
}

#[test]
fn every_line_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.log");
    std::fs::write(
        &p,
        b"Jan  1 00:00:01 h a[1]: one\n\tcontinued\nMMM 22 07:54:32 h bad: month\nJan  1 00:00:02 h b: bytes \xff\xfe here\n# a comment\n",
    )
    .unwrap();
    let out = bin().args(["parse", "--tz", "UTC", "--year", "2024"]).arg(&p).output().unwrap();
    assert!(out.status.success());
    let evs = events(&out);
    assert_eq!(evs.len(), 4);
    assert_eq!(get(&evs[0], "message"), "one\n\tcontinued");
    assert_eq!(get(&evs[0], "jikoku.lines"), 2);
    assert_eq!(get(&evs[1], "event.kind"), "pipeline_error");
    assert_eq!(get(&evs[1], "jikoku.line"), 3);
    assert_eq!(get(&evs[1], "log.offset"), 39);
    assert_eq!(get(&evs[2], "event.original"), "Jan  1 00:00:02 h b: bytes \\xFF\\xFE here");
    assert_eq!(get(&evs[3], "event.dataset"), "text.comment");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("4 records = 3 events + 1 pipeline errors"), "{stderr}");
}

fn compressed_copies(dir: &Path, plain: &[u8]) -> Vec<PathBuf> {
    let mut v = vec![];
    let gz = dir.join("a.log.gz");
    let mut w = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    v.push(gz);
    let bz = dir.join("b.log.bz2");
    let mut w = bzip2::write::BzEncoder::new(
        std::fs::File::create(&bz).unwrap(),
        bzip2::Compression::default(),
    );
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    v.push(bz);
    let xz = dir.join("c.log.xz");
    let mut w = xz2::write::XzEncoder::new(std::fs::File::create(&xz).unwrap(), 6);
    w.write_all(plain).unwrap();
    w.finish().unwrap();
    v.push(xz);
    let zst = dir.join("d.log.zst");
    std::fs::write(&zst, zstd::encode_all(plain, 3).unwrap()).unwrap();
    v.push(zst);
    // A compressed file with a misleading name is still recognised by its bytes.
    let odd = dir.join("e.txt");
    std::fs::copy(dir.join("a.log.gz"), &odd).unwrap();
    v.push(odd);
    v
}

#[test]
fn compressed_sources_are_read_transparently() {
    let plain = std::fs::read(root().join("sample-logs/mail/var/log/auth.log")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let want = bin()
        .args(["parse", "--tz", "Asia/Tokyo", "--year", "2002"])
        .arg(root().join("sample-logs/mail/var/log/auth.log"))
        .output()
        .unwrap();
    let want: Vec<Value> = events(&want);
    for p in compressed_copies(dir.path(), &plain) {
        let out =
            bin().args(["parse", "--tz", "Asia/Tokyo", "--year", "2002"]).arg(&p).output().unwrap();
        assert!(out.status.success());
        let got = events(&out);
        assert_eq!(got.len(), want.len(), "{}", p.display());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g["@timestamp"], w["@timestamp"]);
            assert_eq!(g["event"], w["event"]);
            assert_eq!(g["log"]["offset"], w["log"]["offset"]);
        }
        // The hash is that of the stored (compressed) bytes.
        let stored = std::fs::read(&p).unwrap();
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&stored));
        assert_eq!(get(&got[0], "jikoku.source.sha256"), sha.as_str());
    }
}

#[test]
fn stdin_without_year_says_so_and_never_uses_today() {
    let mut child = bin()
        .args(["parse", "--tz", "UTC", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.as_mut().unwrap().write_all(b"Mar  1 10:00:00 h x: y\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let evs = events(&out);
    assert!(evs[0].get("@timestamp").is_none());
    assert_eq!(get(&evs[0], "jikoku.time.year_source"), "unknown");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no year"));
}

#[test]
fn mtime_gives_the_year_and_inputs_are_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("auth.log");
    std::fs::write(&p, b"Dec 31 23:59:59 h a: old year\nJan  1 00:00:01 h a: new year\n").unwrap();
    // mtime 2003-01-01 12:00 UTC.
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_041_422_400);
    let f = std::fs::File::options().write(true).open(&p).unwrap();
    f.set_times(std::fs::FileTimes::new().set_modified(t).set_accessed(t)).unwrap();
    drop(f);
    let before = std::fs::metadata(&p).unwrap();
    let out = bin().args(["parse", "--tz", "UTC"]).arg(&p).output().unwrap();
    let evs = events(&out);
    assert_eq!(evs[0]["@timestamp"], "2002-12-31T23:59:59Z");
    assert_eq!(evs[1]["@timestamp"], "2003-01-01T00:00:01Z");
    assert_eq!(get(&evs[1], "jikoku.time.year_source"), "mtime");
    let after = std::fs::metadata(&p).unwrap();
    assert_eq!(before.modified().unwrap(), after.modified().unwrap());
    assert_eq!(before.accessed().unwrap(), after.accessed().unwrap(), "atime disturbed");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a file was created beside the evidence"
    );
}

#[test]
fn user_errors_exit_1_with_one_line() {
    let out = bin().args(["parse", "--tz", "Mars/Olympus", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone"));
    let out = bin().args(["parse", "/nonexistent/file"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = bin().args(["parse", "--format", "nosuch", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format"));
}

#[test]
fn ingest_search_sources_and_reingest_adds_nothing() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    let ingest = || {
        bin()
            .args(["ingest", "--index"])
            .arg(&idx)
            .args([
                "--tz",
                "mail=Asia/Tokyo",
                "--tz",
                "www=America/New_York",
                "--skew",
                "mail=+93s",
                "--year",
                "2002",
            ])
            .arg(root().join("sample-logs"))
            .output()
            .unwrap()
    };
    let first = ingest();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let search = |args: &[&str]| {
        let out = bin().args(["search", "--index"]).arg(&idx).args(args).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        events(&out)
    };
    let all = search(&["--output", "jsonl"]);
    let second = ingest();
    assert!(String::from_utf8_lossy(&second.stderr).contains("already indexed"));
    assert_eq!(search(&["--output", "jsonl"]).len(), all.len(), "re-ingest added events");
    // The reported time, from a human form, with a CIDR focus.
    let hits = search(&[
        "--output",
        "jsonl",
        "--from",
        "Wed, 8 May 2002 13:29:44 -0400",
        "--to",
        "2002-05-08 13:29:46 EDT",
        "source.ip:198.51.100.0/24 AND event.outcome:failure",
    ]);
    let hosts: Vec<&str> = hits.iter().map(|e| get(e, "host.name").as_str().unwrap()).collect();
    assert_eq!(hosts, ["mail", "mail", "mail", "mail"]);
    assert_eq!(hits[0]["@timestamp"], "2002-05-08T17:29:44Z");
    // Sorted by time across hosts.
    let times: Vec<_> = all
        .iter()
        .filter_map(|e| {
            e["@timestamp"].as_str().map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
        })
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted);
    // The manifest.
    let out = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
    let m: Vec<Value> = events(&out);
    let auth = m.iter().find(|s| s["path"] == "mail/var/log/auth.log").unwrap();
    assert_eq!(auth["records"], 27);
    assert_eq!(auth["events"], 27);
    assert_eq!(auth["zone"], "Asia/Tokyo");
    assert_eq!(auth["year"], "2002 (option)");
    assert_eq!(auth["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn index_inside_the_evidence_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.log"), "Jan  1 00:00:00 h x: y\n").unwrap();
    let out = bin()
        .args(["ingest", "--index"])
        .arg(dir.path().join("case"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("case").exists());
}

#[test]
fn passwd_names_accounting_uids_and_keeps_the_number() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("passwd");
    std::fs::write(&pw, "root:x:0:0::/root:/bin/bash\nalice:x:1005:1005::/home/alice:/bin/sh\n")
        .unwrap();
    let acct = root().join("crates/jikoku-formats/tests/fixtures/acct/pacct-v2.bin");
    let out = bin().args(["parse", "--passwd"]).arg(&pw).arg(&acct).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let evs = events(&out);
    assert_eq!(evs.len(), 33);
    let alice: Vec<&Value> = evs.iter().filter(|e| get(e, "user.id") == "1005").collect();
    assert_eq!(alice.len(), 5);
    assert!(alice.iter().all(|e| get(e, "user.name") == "alice"));
    assert!(
        evs.iter().filter(|e| get(e, "user.id") == "1006").all(|e| get(e, "user.name").is_null())
    );
}
