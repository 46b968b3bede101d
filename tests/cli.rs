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
        .arg(root().join("sample-logs/mail/var/log"))
        .arg(root().join("sample-logs/www/var/log"))
        .output()
        .unwrap()
}

/// The README's main command: each host of sample-logs/ ingested as a disk image.
fn ingest_sample(idx: &Path, extra: &[&str]) -> Output {
    let mut last = None;
    for (host, skew) in [("mail", Some("mail=+93s")), ("www", None), ("mx", None)] {
        let mut c = bin();
        c.args(["ingest", "--image", "--year", "2002", "--index"]).arg(idx).args(extra);
        if let Some(k) = skew {
            c.args(["--skew", k]);
        }
        let out = c.arg(root().join("sample-logs").join(host)).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        last = Some(out);
    }
    last.unwrap()
}

#[test]
fn sample_logs_answer_the_reported_time() {
    let out = sample_run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let evs = events(&out);
    // The reported time, 13:29:44 -0400 = 17:29:44Z: mail's first failed root password, skew removed.
    let at: Vec<&Value> = evs
        .iter()
        .filter(|e| {
            e["@timestamp"] == "2002-05-08T17:29:44Z" && get(e, "event.dataset") == "auth.sshd"
        })
        .collect();
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
    assert_eq!(get(e, "log.file.path"), "auth.log");
    assert_eq!(get(e, "jikoku.line"), 21);
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
    let ingest = || ingest_sample(&idx, &[]);
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
    // mail's four, then mx's (the scanner hit mx at 13:29:46 too).
    assert_eq!(hosts, ["mail", "mail", "mail", "mail", "mx", "mx", "mx"]);
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
    let auth =
        m.iter().find(|s| s["path"] == "/var/log/auth.log" && s["zone"] == "Asia/Tokyo").unwrap();
    assert_eq!(auth["records"], 30);
    assert_eq!(auth["events"], 30);
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

#[test]
fn jobs_do_not_change_the_result() {
    let case = tempfile::tempdir().unwrap();
    let run = |jobs: &str| {
        let idx = case.path().join(format!("j{jobs}"));
        ingest_sample(&idx, &["--jobs", jobs]);
        let s = bin().args(["search", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
        let m = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
        (s.stdout, m.stdout)
    };
    assert_eq!(run("1"), run("8"));
}

#[test]
fn at_answers_who_did_what_at_the_reported_time() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    ingest_sample(&idx, &[]);
    let at = |extra: &[&str]| {
        let out = bin()
            .args(["at", "Wed, 8 May 2002 13:29:44 -0400", "--window", "10m", "--index"])
            .arg(&idx)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let lines: Vec<Value> =
        at(&["--output", "jsonl"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let head = &lines[0];
    assert_eq!(head["utc"], "2002-05-08T17:29:44Z");
    let mail = head["hosts"].as_array().unwrap().iter().find(|h| h["host"] == "mail").unwrap();
    assert_eq!(mail["local"], "2002-05-09 02:29:44 JST (+09:00)");
    assert_eq!(mail["skew_seconds"], 93.0);
    // kenji's ssh session was open at that time, with its logout seen later.
    let sessions: Vec<&Value> =
        lines.iter().filter(|l| l["kind"] == "session").map(|l| &l["session"]).collect();
    assert_eq!(sessions.len(), 1);
    assert_eq!(
        (sessions[0]["user"].as_str(), sessions[0]["from"].as_str()),
        (Some("kenji"), Some("203.0.113.45"))
    );
    assert_eq!(sessions[0]["end_event"]["@timestamp"], "2002-05-08T17:46:29Z");
    // The failed root password on mail is the item at ±0, with its provenance and time notes.
    let items: Vec<&Value> =
        lines.iter().filter(|l| l["kind"] == "item").map(|l| &l["item"]).collect();
    let zero =
        items.iter().find(|i| i["offset_ns"] == 0 && i["section"] == "auth_failures").unwrap();
    // ... and at the same second, the spam delivery that the complaint is about, submitted by
    // uid 33 (www-data) through pickup.
    let sent = items.iter().find(|i| i["offset_ns"] == 0 && i["section"] == "mail").unwrap();
    assert_eq!(sent["event"]["email"]["to"]["address"][0], "victim@example.net");
    assert_eq!(sent["event"]["jikoku"]["mail"]["queue_id"], "4F1A2B3C4D");
    let pickup = items.iter().find(|i| i["event"]["event"]["action"] == "mail-submit").unwrap();
    assert_eq!(pickup["event"]["jikoku"]["mail"]["queue_id"], "4F1A2B3C4D");
    // The web request that ran the mailer, 9 s before, with its client.
    let post = items
        .iter()
        .find(|i| i["section"] == "http" && i["event"]["http"]["request"]["method"] == "POST")
        .unwrap();
    assert_eq!(post["event"]["url"]["original"], "/wp-content/uploads/.cache/x.php");
    assert_eq!(post["event"]["source"]["ip"], "198.51.100.99");
    assert_eq!(post["offset_ns"], -9_000_000_000i64);
    assert_eq!(zero["section"], "auth_failures");
    assert_eq!(zero["event"]["host"]["name"], "mail");
    assert_eq!(zero["event"]["jikoku"]["line"], 21);
    assert!(zero["uncertain"].as_array().unwrap().iter().any(|u| u == "clock skew +93 s removed"));
    // The www-data cron job six minutes before, among the commands.
    assert!(
        items
            .iter()
            .any(|i| i["section"] == "commands" && i["event"]["user"]["name"] == "www-data")
    );
    // Focus on the scanner's address keeps only its events.
    let focused: Vec<Value> = at(&["--output", "jsonl", "--ip", "198.51.100.7"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        focused
            .iter()
            .filter(|l| l["kind"] == "item")
            .all(|l| l["item"]["event"]["source"]["ip"] == "198.51.100.7")
    );
    // 7 on mail and www, 5 on mx (the scanner hit all three hosts in the same seconds).
    assert_eq!(focused.iter().filter(|l| l["kind"] == "item").count(), 12);
    // Text and Markdown forms.
    let text = at(&[]);
    assert!(text.contains("on mail (Asia/Tokyo): 2002-05-09 02:29:44 JST (+09:00); its clock ran +93 s off and read 2002-05-09 02:31:17 JST"));
    let md = at(&["--output", "markdown"]);
    assert!(md.contains("### Authentication failures near that time (9)"));
    assert!(md.contains(
        "| ±0s | 2002-05-08T17:29:44Z | [mail] ssh-login (failed) root from 198.51.100.7"
    ));
}

#[test]
fn timeline_exports_timesketch_l2tcsv_csv_markdown_with_hostile_text_neutralised() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    // A log whose attacker-controlled fields carry a formula, an escape sequence and HTML.
    let log = case.path().join("evil.log");
    std::fs::write(
        &log,
        "Jan  1 00:00:01 h sshd[1]: Invalid user =HYPERLINK(\"http://x\") from 192.0.2.1 port 22\n\
         Jan  1 00:00:02 h app[2]: title \u{1b}]0;pwned\u{7} and <script>alert(1)</script> | pipe\n",
    )
    .unwrap();
    let out = bin()
        .args(["ingest", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(&idx)
        .arg(&log)
        .output()
        .unwrap();
    assert!(out.status.success());
    let export = |fmt: &str| {
        let out = bin().args(["timeline", "--output", fmt, "--index"]).arg(&idx).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let ts: Vec<Value> =
        export("timesketch").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(ts[0]["datetime"], "2024-01-01T00:00:01.000000+00:00");
    assert_eq!(ts[0]["timestamp"], 1_704_067_201_000_000i64);
    assert_eq!(ts[0]["timestamp_desc"], "Entry Written");
    assert_eq!(ts[0]["user.name"], "=HYPERLINK(\"http://x\")");
    assert!(ts[0]["message"].as_str().unwrap().starts_with("Invalid user"));
    let csv = export("csv");
    assert!(csv.contains(",\"'=HYPERLINK(\"\"http://x\"\")\","), "{csv}");
    assert!(!csv.contains(",=HYPERLINK") && !csv.contains(",\"=HYPERLINK"));
    let l2t = export("l2tcsv");
    assert!(l2t.starts_with("date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,notes,format,extra\n"));
    assert!(
        l2t.contains("01/01/2024,00:00:01,UTC,..C.,LOG,auth.sshd,Entry Written,\"'=HYPERLINK"),
        "{l2t}"
    );
    let md = export("markdown");
    // Backslashes doubled so that Markdown shows `\x1B` literally; pipes escaped; HTML inert.
    assert!(
        md.contains("\\\\x1B]0;pwned\\\\x07 and &lt;script&gt;alert(1)&lt;/script&gt; \\| pipe"),
        "{md}"
    );
    let table = export("table");
    assert!(!table.contains('\u{1b}') && table.contains("\\x1B]0;pwned\\x07"), "{table}");
    // -o never overwrites.
    let f = case.path().join("t.jsonl");
    std::fs::write(&f, "keep").unwrap();
    let out = bin()
        .args(["timeline", "--output", "jsonl", "-o"])
        .arg(&f)
        .arg("--index")
        .arg(&idx)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "keep");
}

/// The answer of sample-logs/README.md, in every `at` format: the account that sent the spam
/// (www-data, uid 33, through pickup), from which client (198.51.100.99 POSTing the uploaded
/// x.php), the session open at that time (kenji over ssh from 203.0.113.45 on pts/1) with the
/// commands run in it (su to root and useradd, sudo chmod 777 on the uploads directory), and
/// the message flow mail → mx.
#[test]
fn at_shows_the_incident_answer_in_every_format() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    ingest_sample(&idx, &[]);
    let at = |fmt: &str| {
        let out = bin()
            .args(["at", "Wed, 8 May 2002 13:29:44 -0400", "--window", "10m", "--output", fmt])
            .arg("--index")
            .arg(&idx)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    // jsonl
    let lines: Vec<Value> = at("jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let sessions: Vec<&Value> =
        lines.iter().filter(|l| l["kind"] == "session").map(|l| &l["session"]).collect();
    assert_eq!(sessions.len(), 1);
    let k = sessions[0];
    assert_eq!((k["user"].as_str(), k["kind"].as_str()), (Some("kenji"), Some("ssh")));
    assert_eq!((k["tty"].as_str(), k["tty_source"].as_str()), (Some("pts/1"), Some("wtmp")));
    assert_eq!(k["wtmp_event"]["log"]["file"]["path"], "/var/log/wtmp");
    let cmds = k["commands"].as_array().unwrap();
    let sudo = cmds.iter().find(|c| c["kind"] == "sudo").unwrap();
    assert_eq!(sudo["command"], "/bin/chmod 777 /var/www/html/wp-content/uploads");
    assert_eq!(sudo["time"], 1_020_877_857_000_000_000i64); // 17:10:57Z, skew removed
    let chmod = cmds.iter().find(|c| c["kind"] == "acct" && c["command"] == "chmod").unwrap();
    assert_eq!(chmod["by_sudo"], sudo["command"]);
    assert_eq!(chmod["user"], "root");
    let useradd = cmds.iter().find(|c| c["command"] == "useradd").unwrap();
    assert_eq!(useradd["via"], "su → root");
    assert!(cmds.iter().any(|c| c["kind"] == "su" && c["target"] == "root"));
    let ssh = cmds.iter().find(|c| c["command"] == "ssh").unwrap();
    assert_eq!(ssh["event"]["@timestamp"], "2002-05-08T17:38:37Z");
    let items: Vec<&Value> =
        lines.iter().filter(|l| l["kind"] == "item").map(|l| &l["item"]).collect();
    // The account: www-data (uid 33) submitted the complaint's message through pickup; the
    // accounting shows www-data's sendmail a second before.
    let pickup = items
        .iter()
        .find(|i| {
            i["event"]["event"]["action"] == "mail-submit"
                && i["event"]["jikoku"]["mail"]["queue_id"] == "4F1A2B3C4D"
        })
        .unwrap();
    assert_eq!(pickup["event"]["jikoku"]["mail"]["uid"], 33);
    assert!(items.iter().any(|i| i["event"]["process"]["name"] == "sendmail"
        && i["event"]["user"]["name"] == "www-data"
        && i["event"]["@timestamp"] == "2002-05-08T17:29:36Z"));
    // The flow mail → mx: mail's delivery says queued as 5E6F7A8B9C, mx received it from mail.
    let handed = items
        .iter()
        .find(|i| i["event"]["jikoku"]["mail"]["remote_queue_id"] == "5E6F7A8B9C")
        .unwrap();
    assert_eq!(handed["event"]["host"]["name"], "mail");
    let received = items
        .iter()
        .find(|i| {
            i["event"]["host"]["name"] == "mx"
                && i["event"]["jikoku"]["mail"]["queue_id"] == "5E6F7A8B9C"
                && i["event"]["event"]["action"] == "mail-submit"
        })
        .unwrap();
    assert_eq!(received["event"]["source"]["ip"], "192.0.2.10");
    assert!(received["offset_ns"].as_i64().unwrap() < handed["offset_ns"].as_i64().unwrap());
    // table
    let text = at("table");
    for want in [
        "mail     kenji              ssh   from 203.0.113.45     tty pts/1 (wtmp)",
        "sudo kenji → root: /bin/chmod 777 /var/www/html/wp-content/uploads",
        "chmod (root) run by sudo `/bin/chmod 777 /var/www/html/wp-content/uploads`",
        "[su → root] useradd (root)",
        "[mx] mail-submit from 192.0.2.10 5E6F7A8B9C: client=mail.example.jp[192.0.2.10]",
        "[mail] process-run www-data sendmail",
        "[mail] http-request from 198.51.100.99 POST /wp-content/uploads/.cache/x.php",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
    // markdown
    let md = at("markdown");
    for want in [
        "| mail | kenji | ssh | 203.0.113.45 | pts/1 (wtmp) |",
        "Commands in the ssh session of kenji on mail (pts/1):",
        "| sudo kenji → root: /bin/chmod 777 /var/www/html/wp-content/uploads | tty pts/1, user kenji |",
        "| [su → root] useradd (root) | tty pts/1, user root |",
    ] {
        assert!(md.contains(want), "{want:?} not in\n{md}");
    }
}

/// The README's workflow: ingest without declaring the skew, `jikoku skew` finds mail's +93 s
/// (reference: the clock the other two hosts agree on), `--apply`, and `at` answers exactly as
/// with `--skew mail=+93s` at ingest.
#[test]
fn skew_estimated_on_sample_logs_equals_the_declared_one() {
    let case = tempfile::tempdir().unwrap();
    let idx = case.path().join("case");
    for host in ["mail", "www", "mx"] {
        let out = bin()
            .args(["ingest", "--image", "--year", "2002", "--index"])
            .arg(&idx)
            .arg(root().join("sample-logs").join(host))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let skew = |extra: &[&str]| {
        let out = bin().args(["skew", "--index"]).arg(&idx).args(extra).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let lines: Vec<Value> =
        skew(&["--output", "jsonl"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["reference"], "mx");
    let host = |h: &str| lines.iter().find(|l| l["type"] == "host" && l["host"] == h).unwrap();
    assert_eq!(host("mail")["offset_s"], 93.0);
    assert_eq!(host("mail")["apply_s"], 93.0);
    assert_eq!(host("www")["apply_s"], 0.0);
    assert_eq!(host("www")["via"], serde_json::json!(["mail"]));
    let link = lines.iter().find(|l| l["type"] == "link" && l["b"] == "mx").unwrap();
    assert_eq!(link["kinds"]["mail"], 2);
    assert_eq!(link["kinds"]["ssh"], 1);
    let table = skew(&[]);
    assert!(table.contains("mail                  +93 s    +93 s"), "{table}");
    assert!(table.contains("queue id 2B3C4D5E6F on mail → 5E6F7A8B9C on mx"), "{table}");
    assert!(table.contains("0–2 s"));
    let md = skew(&["--output", "markdown"]);
    assert!(md.contains("| mail | +93 s | +93 s | 0 s | +93 s |"), "{md}");
    let applied = skew(&["--apply"]);
    assert!(applied.contains("applied: mail skew 0 s → +93 s"), "{applied}");
    let sources = bin().args(["sources", "--index"]).arg(&idx).output().unwrap();
    assert!(
        String::from_utf8_lossy(&sources.stdout)
            .contains("clock skew applied to mail: +0 s → +93 s")
    );
    let at = |idx: &Path| {
        let out = bin()
            .args(["at", "Wed, 8 May 2002 13:29:44 -0400", "--window", "10m", "--output", "jsonl"])
            .arg("--index")
            .arg(idx)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let declared = case.path().join("declared");
    ingest_sample(&declared, &[]);
    assert_eq!(at(&idx), at(&declared));
}

/// `parse --output flows`: one `jikoku.mail.flow` record per message, the same as the library's
/// flow builder gives over the whole file, even when the log is split across a rotation (the
/// older member read after the newer one).
#[test]
fn parse_output_flows_joins_messages_across_rotation() {
    let fixture = root().join("crates/jikoku-formats/tests/fixtures/mail/postfix-rfc3339.log");
    let text = std::fs::read_to_string(&fixture).expect("missing fixture postfix-rfc3339.log");
    let lines: Vec<&str> = text.lines().collect();
    let tmp = tempfile::tempdir().unwrap();
    let (old, new) = lines.split_at(lines.len() / 2);
    std::fs::write(tmp.path().join("mail.log.1"), old.join("\n") + "\n").unwrap();
    std::fs::write(tmp.path().join("mail.log"), new.join("\n") + "\n").unwrap();

    let whole = bin().args(["parse", "--output", "flows"]).arg(&fixture).output().unwrap();
    assert!(whole.status.success());
    let split = bin().args(["parse", "--output", "flows"]).arg(tmp.path()).output().unwrap();
    assert!(split.status.success(), "{}", String::from_utf8_lossy(&split.stderr));
    let (whole, split) = (events(&whole), events(&split));
    assert!(whole.len() >= 5, "{} flows", whole.len());
    // Same flows whichever way the file was cut (record counts included).
    let key = |v: &Value| get(v, "jikoku.mail.flow").to_string();
    let mut a: Vec<String> = whole.iter().map(key).collect();
    let mut b: Vec<String> = split.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);

    // The library over the same file gives the same flows.
    let mut events_out = vec![];
    let opts = jikoku_ingest::Options::default();
    let input = jikoku_ingest::Input { path: fixture.clone(), display: "x".into() };
    jikoku_ingest::process_streaming(&input, &opts, &mut |_| true, &mut |e| events_out.push(e))
        .unwrap();
    let lib: Vec<Value> = jikoku_formats::mail::flow::build_flows(&events_out)
        .iter()
        .map(jikoku_formats::mail::flow::flow_record)
        .collect();
    assert_eq!(lib.len(), whole.len());
    for (l, w) in lib.iter().zip(&whole) {
        assert_eq!(get(l, "jikoku.mail.flow"), get(w, "jikoku.mail.flow"));
    }
    for f in &whole {
        assert_eq!(get(f, "event.dataset"), "jikoku.mail.flow");
        assert_eq!(get(f, "jikoku.mail.queue_id"), get(f, "jikoku.mail.flow.queue_id"));
        assert!(get(f, "@timestamp").is_string());
    }
    // Every recipient has a final status.
    assert!(whole.iter().all(|f| {
        get(f, "jikoku.mail.flow.recipients")
            .as_array()
            .map(|r| r.iter().all(|x| x.get("status").is_some()))
            .unwrap_or(true)
    }));

    // `all`: the events, then the flows.
    let all = bin().args(["parse", "--output", "all"]).arg(&fixture).output().unwrap();
    let all = events(&all);
    let n_events = lines.iter().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(all.len(), n_events + whole.len());
    assert!(all[n_events..].iter().all(|v| get(v, "event.dataset") == "jikoku.mail.flow"));
}
