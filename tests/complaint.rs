//! End-to-end tests of `jikoku complaint`: the sample-logs complaint, complaints built from
//! messages relayed by a real sendmail (crates/jikoku-formats/tests/fixtures/mailheader/), an
//! attack report in plain text, and hostile text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

#[path = "../fuzz/harness.rs"]
mod harness;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    let p = root().join("crates/jikoku-formats/tests/fixtures/mailheader").join(name);
    assert!(p.exists(), "missing fixture {}", p.display());
    p
}

fn ingest(index: &Path, args: &[&str], path: &Path) {
    let out = bin().args(["ingest", "--index"]).arg(index).args(args).arg(path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The README's case: mail (93 s fast) and www, as images.
fn sample_index(dir: &Path) -> PathBuf {
    let idx = dir.join("case");
    ingest(
        &idx,
        &["--image", "--year", "2002", "--skew", "mail=+93s"],
        &root().join("sample-logs/mail"),
    );
    ingest(&idx, &["--image", "--year", "2002"], &root().join("sample-logs/www"));
    // the third host: `mx` (mx.example.jp), whose first label the reporter's mx.example.net shares
    ingest(&idx, &["--image", "--year", "2002"], &root().join("sample-logs/mx"));
    idx
}

fn complaint(index: &Path, file: &Path, extra: &[&str], output: &str) -> String {
    let out = bin()
        .arg("complaint")
        .arg(file)
        .arg("--index")
        .arg(index)
        .args(extra)
        .args(["--output", output])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn complaint_stdin(index: &Path, text: &str, output: &str) -> String {
    let mut child = bin()
        .args(["complaint", "-", "--index"])
        .arg(index)
        .args(["--output", output])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sample_logs_spam_complaint() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let file = root().join("sample-logs/complaints/spam-4F1A2B3C4D.eml");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    // the quoted message only (the complaint's own delivery to us is not probed)
    assert_eq!(json["messages"].as_array().unwrap().len(), 1);
    let m = &json["messages"][0];
    assert_eq!(m["origin"], "quoted");
    assert_eq!(m["message_id"], "20020508173137.4F1A2B3C4D@mail.example.jp");
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["after_us", "after_us", "ours"]);
    assert_eq!(m["entry_hop"], 2);
    assert_eq!(m["handed_by"], "local submission by uid 33");
    assert_eq!(m["hops"][2]["host"], "mail");
    assert_eq!(m["hops"][2]["time"]["utc"], "2002-05-08T17:31:10Z");
    // why: mail's image names mail.example.jp (etc/hosts) and gives it 203.0.113.10, the address
    // mx.example.net received the message from (etc/network/interfaces)
    assert_eq!(
        m["hops"][2]["ours_because"],
        serde_json::json!([
            "by mail.example.jp: mail.example.jp is a name of mail (etc/hosts)",
            "hop 1 (by mx.example.net) received the message from it: 203.0.113.10 is mail's address (etc/network/interfaces)"
        ])
    );
    assert_eq!(m["hops"][1]["time"]["utc"], "2002-05-08T17:29:44Z");
    let invs = json["investigations"].as_array().unwrap();
    assert_eq!(invs.len(), 1);
    let inv = &invs[0];
    assert_eq!(inv["probe"]["host"], "mail");
    assert_eq!(inv["probe"]["queue_ids"][0], "4F1A2B3C4D");
    let conv: Vec<String> = inv["conversions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}={}", c[0].as_str().unwrap(), c[1].as_str().unwrap()))
        .collect();
    assert!(
        conv.contains(&"on mail (Asia/Tokyo)=2002-05-09 02:31:10 JST (+09:00)".to_string()),
        "{conv:?}"
    );
    let fl = &inv["flows"][0];
    assert_eq!(fl["matched_by"], "queue id");
    assert_eq!(fl["flow"]["queue_id"], "4F1A2B3C4D");
    assert_eq!(fl["flow"]["user_id"], "33");
    assert_eq!(fl["flow"]["first"], "2002-05-08T17:29:37Z");
    assert_eq!(fl["flow"]["recipients"][0]["address"], "victim@example.net");
    assert!(fl["submitter"].as_str().unwrap().contains("uid 33"));
    assert_eq!(fl["log_minus_received_s"], -93.0);
    assert_eq!(fl["declared_skew_s"], 93.0);
    assert!(
        fl["preceded_by"][0]
            .as_str()
            .unwrap()
            .contains("POST /wp-content/uploads/.cache/x.php from 198.51.100.99")
    );
    assert!(inv["clock"][0].as_str().unwrap().contains("the header confirms the skew"));
    // the at answer: kenji's ssh session from 203.0.113.45 was open
    assert_eq!(inv["answer"]["sessions"][0]["user"], "kenji");

    // mail.example.jp is confirmed by its queue id on host mail: example.jp bounds the other
    // first-label matches, so the reporter's mx.example.net is not our host mx
    assert!(!m["trust"].to_string().contains("first label"));
    assert_eq!(m["hops"][1]["received"]["by_name"], "mx.example.net");
    let j2: Value =
        serde_json::from_str(&complaint(&idx, &file, &["--ours", "example.jp"], "json")).unwrap();
    assert_eq!(j2["messages"][0]["hops"][2]["role"], "ours");
    assert!(!j2["messages"][0]["trust"].to_string().contains("first label"));
    assert_eq!(j2["investigations"][0]["flows"][0]["flow"]["queue_id"], "4F1A2B3C4D");
    let md = complaint(&idx, &file, &["--ours", "203.0.113.0/24"], "markdown");
    for needle in [
        "### Draft reply",
        "queue id 4F1A2B3C4D (matched by queue id), submitted by local uid 33 (local submission)",
        "POST /wp-content/uploads/.cache/x.php from 198.51.100.99",
        "| 2 | OURS | uid 33 | mail.example.jp |",
        "2002-05-09 02:31:10 JST (+09:00)",
        "the header confirms the skew",
        "before us",
    ]
    .iter()
    .take(6)
    {
        assert!(md.contains(needle), "markdown lacks {needle:?}:\n{md}");
    }
    let html = complaint(&idx, &file, &[], "html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("4F1A2B3C4D") && !html.contains("<security@example.net>"));
    let text = complaint(&idx, &file, &[], "table");
    assert!(text.contains("4F1A2B3C4D"));
}

fn sendmail_index(dir: &Path) -> PathBuf {
    let idx = dir.join("sm");
    ingest(&idx, &[], &fixture("sendmail-relay.log"));
    idx
}

#[test]
fn real_sendmail_relay_quoted_back() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sendmail_index(tmp.path());
    let captured = std::fs::read_to_string(fixture("captured-1.eml")).unwrap();
    let quoted: String = captured.lines().map(|l| format!("> {l}\n")).collect();
    let text = format!(
        "From: abuse@sink.test\nTo: abuse@example.test\nSubject: spam from your host\nDate: Mon, 23 Nov 2026 01:00:00 +0000\n\nThis reached our user:\n\n{quoted}"
    );
    let json: Value = serde_json::from_str(&complaint_stdin(&idx, &text, "json")).unwrap();
    let m = &json["messages"][0];
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["ours", "ours"]);
    assert_eq!(m["handed_by"], "local submission by www-data@localhost");
    let invs = json["investigations"].as_array().unwrap();
    assert_eq!(invs.len(), 2);
    // hop 0: the MTA's queue id, linked to the MSP's flow that handed it over
    let f0 = &invs[0]["flows"];
    assert_eq!(f0[0]["flow"]["queue_id"], "6AN0M73X029487");
    assert_eq!(f0[0]["matched_by"], "queue id");
    assert_eq!(f0[0]["flow"]["message_id"], "php-mailer-1@mail.example.test");
    assert_eq!(f0[1]["flow"]["queue_id"], "6AN0M7sP029482");
    assert!(f0[1]["submitter"].as_str().unwrap().contains("www-data"), "{}", f0[1]);
    // same clock for header and log: well under a second apart
    assert!(f0[0]["log_minus_received_s"].as_f64().unwrap().abs() < 1.0);
    // hop 1: the MSP's own id
    assert_eq!(invs[1]["flows"][0]["flow"]["queue_id"], "6AN0M7sP029482");
    assert_eq!(invs[1]["probe"]["utc"], "2026-11-23T00:22:07Z");
}

#[test]
fn real_open_relay_with_forged_upper_hops_attached() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sendmail_index(tmp.path());
    let captured = std::fs::read_to_string(fixture("captured-2.eml")).unwrap();
    let text = format!(
        "From: abuse@sink.test\nSubject: Fwd: spam\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\nContent-Type: text/plain\n\nYour server relayed this.\n\n--b\nContent-Type: message/rfc822\n\n{captured}\n--b--\n"
    );
    let f = tmp.path().join("c.eml");
    std::fs::write(&f, text).unwrap();
    let json: Value = serde_json::from_str(&complaint(&idx, &f, &[], "json")).unwrap();
    let m = &json["messages"][0];
    assert_eq!(m["origin"], "attached message (message/rfc822)");
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["ours", "before_us", "before_us"]);
    assert!(
        m["trust"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().contains("may be forged"))
    );
    assert!(m["handed_by"].as_str().unwrap().contains("address 127.0.0.13"));
    let inv = &json["investigations"].as_array().unwrap()[0];
    assert_eq!(inv["flows"][0]["flow"]["queue_id"], "6AN0MBCC029506");
    assert_eq!(inv["flows"][0]["flow"]["client"]["ip"], "127.0.0.13");
    assert!(inv["flows"][0]["submitter"].as_str().unwrap().contains("127.0.0.13"));
}

#[test]
fn attack_report_in_plain_text() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let text =
        "Hello abuse team,\n198.51.100.7 attacked our ssh (port 22) at 2002-05-08 13:29:40 EDT.\n";
    let json: Value = serde_json::from_str(&complaint_stdin(&idx, text, "json")).unwrap();
    let inv = &json["investigations"][0];
    assert_eq!(inv["probe"]["utc"], "2002-05-08T17:29:40Z");
    assert_eq!(inv["probe"]["ips"][0], "198.51.100.7");
    let items = inv["answer"]["items"].as_array().unwrap();
    let hosts: std::collections::BTreeSet<&str> =
        items.iter().filter_map(|i| i["event"]["host"]["name"].as_str()).collect();
    assert!(hosts.contains("mail") && hosts.contains("www"), "{hosts:?}");
    assert!(items.iter().all(|i| i["event"]["source"]["ip"] == "198.51.100.7"));
    assert!(json["facts"]["ports"].as_array().unwrap().iter().any(|p| p["port"] == 22));
}

#[test]
fn hostile_complaint_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let text = "From: <script>alert(1)</script>\nSubject: \x1b]0;pwned\x07 | *bold* <img src=x onerror=alert(1)>\nDate: Wed, 8 May 2002 14:05:12 -0400\n\n> Received: by mail.example.jp (Postfix, from userid 33)\n> \tid 4F1A2B3C4D; Thu,  9 May 2002 02:31:10 +0900 (JST)\n> Message-Id: <x<script>@y>\n> Subject: </td><script>x</script>\n";
    let html = complaint_stdin(&idx, text, "html");
    assert!(
        !html.contains("<script") && !html.contains("<img") && !html.contains('\x1b'),
        "{html}"
    );
    assert!(html.contains("4F1A2B3C4D"));
    let md = complaint_stdin(&idx, text, "markdown");
    assert!(!md.contains("<script") && !md.contains('\x1b') && !md.contains("<img"));
    let table = complaint_stdin(&idx, text, "table");
    assert!(!table.contains('\x1b'));
}

#[test]
fn real_postfix_relay_quoted_twice_and_forged() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("pf");
    ingest(&idx, &[], &fixture("postfix-relay.log"));
    // a web script's message, quoted twice (the reporter forwarded a user's forward)
    let captured = std::fs::read_to_string(fixture("captured-postfix-1.eml")).unwrap();
    let quoted: String = captured.lines().map(|l| format!("> > {l}\n")).collect();
    let text = format!(
        "From: abuse@sink.test\nSubject: phishing from your host\n\nOur user forwarded this:\n\n> From: victim@sink.test\n> Subject: look at this\n>\n{quoted}"
    );
    let json: Value = serde_json::from_str(&complaint_stdin(&idx, &text, "json")).unwrap();
    let m = &json["messages"][0];
    assert_eq!(m["origin"], "quoted");
    assert_eq!(m["hops"][0]["role"], "ours");
    assert_eq!(m["hops"][0]["host"], "mail");
    let inv = &json["investigations"][0];
    assert_eq!(inv["probe"]["utc"], "2026-11-23T00:39:04Z");
    let fl = &inv["flows"][0];
    assert_eq!(fl["matched_by"], "queue id");
    assert_eq!(fl["flow"]["queue_id"], "A773A9CCC34");
    assert_eq!(fl["flow"]["user_id"], "33");
    assert_eq!(fl["flow"]["recipients"][0]["status"], "sent");
    assert!(fl["submitter"].as_str().unwrap().contains("uid 33"));
    // Postfix stamps Received: at pickup: its log's first record is within a second
    assert!(fl["log_minus_received_s"].as_f64().unwrap().abs() < 1.0);

    // the open relay with two forged lines under its own
    let captured = std::fs::read_to_string(fixture("captured-postfix-2.eml")).unwrap();
    let quoted: String = captured.lines().map(|l| format!("> {l}\n")).collect();
    let f = tmp.path().join("relay.txt");
    std::fs::write(&f, format!("Your server relayed this spam:\n\n{quoted}")).unwrap();
    let md = complaint(&idx, &f, &[], "markdown");
    for needle in [
        "queue id EC9079CCC42 (matched by queue id), submitted by client spammer.outside.test \\[127.0.0.13\\]",
        "| 1 | before us (may be forged) |",
        "anyone could have written them, they may be forged",
    ] {
        assert!(md.contains(needle), "markdown lacks {needle:?}:\n{md}");
    }
}

/// The fuzz harness (`fuzz/harness.rs`, target `complaint`) over mutations of every complaint
/// fixture: byte flips, inserted quote markers, line breaks, parentheses and brackets, deleted
/// and repeated ranges. No panic, and every output escaped.
#[test]
fn mutated_complaints_never_panic() {
    let mut seeds: Vec<Vec<u8>> = vec![];
    for f in [
        "seed-000-complaint.eml",
        "seed-000-hotmail.txt",
        "seed-000-slide.txt",
        "captured-1.eml",
        "captured-2.eml",
        "captured-postfix-1.eml",
        "captured-postfix-2.eml",
        "ja-iso2022jp.eml",
        "ja-multipart.eml",
        "complaints.mbox",
    ] {
        seeds.push(std::fs::read(fixture(f)).unwrap());
    }
    seeds.push(std::fs::read(root().join("sample-logs/complaints/spam-4F1A2B3C4D.eml")).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rnd = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % (n.max(1) as u64)) as usize
    };
    const INSERTS: &[&[u8]] = &[
        b">",
        b"> >",
        b"\n",
        b"\n\t",
        b"(",
        b")",
        b"[",
        b"]",
        b";",
        b":",
        b"<",
        b"\x1b]0;x\x07",
        b"\xff",
        b"Received: ",
        b"Content-Type: message/rfc822\n\n",
        b"Content-Transfer-Encoding: base64\n\n",
        b"=?",
        b"=?ISO-2022-JP?B?GyRCTEJPRxsoQg==?=",
        b"=?utf-8?q?=E6=97?=",
        b"\x1b$B",
        b"\x1b(B",
        b"\nFrom a@b Wed May  8 18:05:30 2002\n",
        b">From ",
        b"charset=shift_jis\n",
        b"+0900",
        b"2002-05-08 13:29:44 EDT",
    ];
    let mut n = 0;
    for seed in &seeds {
        harness::complaint(seed);
        for _ in 0..300 {
            let mut d = seed.clone();
            for _ in 0..1 + rnd(4) {
                let at = rnd(d.len());
                match rnd(4) {
                    0 => {
                        if let Some(b) = d.get_mut(at) {
                            *b ^= 1 << rnd(8);
                        }
                    }
                    1 => {
                        let ins = INSERTS[rnd(INSERTS.len())];
                        d.splice(at..at, ins.iter().copied());
                    }
                    2 => {
                        let end = (at + rnd(64)).min(d.len());
                        d.drain(at..end);
                    }
                    _ => {
                        let end = (at + rnd(200)).min(d.len());
                        let chunk = d[at..end].to_vec();
                        d.splice(at..at, chunk);
                    }
                }
            }
            harness::complaint(&d);
            n += 1;
        }
    }
    assert_eq!(n, 300 * seeds.len());
}

/// Without `--skew`, the index keeps mail's clock as it was: our log and our Received: line
/// agree (same clock), and the receiver's hop shows our clock 93 s fast.
#[test]
fn undeclared_skew_shown_by_the_receivers_hop() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = tmp.path().join("noskew");
    ingest(&idx, &["--image", "--year", "2002"], &root().join("sample-logs/mail"));
    let file = root().join("sample-logs/complaints/spam-4F1A2B3C4D.eml");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    let inv = &json["investigations"][0];
    assert_eq!(inv["flows"][0]["flow"]["first"], "2002-05-08T17:31:10Z");
    assert_eq!(inv["flows"][0]["log_minus_received_s"], 0.0);
    let clock: Vec<&str> =
        inv["clock"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(clock.iter().any(|c| c.contains("agree")), "{clock:?}");
    assert!(
        clock.iter().any(
            |c| c.contains("mx.example.net (line 28)") && c.contains("ours would be 93 s fast")
        ),
        "{clock:?}"
    );
}

/// The seed's worked example (shared seed 000): with `--ours bbb.co.jp`, our hop is
/// aaa.bbb.co.jp at Wed, 08 May 2002 13:01:38 +0900, handed to us by mail.yapoo.comcom
/// [192.168.255.77]; the receiver stamped it 57 minutes later (a queue delay or a clock).
#[test]
fn seed_complaint_our_hop_and_the_spammers() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let file = fixture("seed-000-complaint.eml");
    let json: Value =
        serde_json::from_str(&complaint(&idx, &file, &["--ours", "bbb.co.jp"], "json")).unwrap();
    let m = &json["messages"][0];
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["after_us", "after_us", "after_us", "ours"]);
    assert_eq!(m["entry_hop"], 3);
    assert_eq!(m["handed_by"], "HELO mail.yapoo.comcom, address 192.168.255.77");
    let inv = &json["investigations"][0];
    assert_eq!(inv["probe"]["time_text"], "Wed, 08 May 2002 13:01:38 +0900");
    assert_eq!(inv["probe"]["utc"], "2002-05-08T04:01:38Z");
    assert_eq!(inv["probe"]["handed_by_ip"], "192.168.255.77");
    let clock = inv["clock"][0].as_str().unwrap();
    assert!(
        clock.contains(
            "f04n09.yyy.XXX.edu (line 27) stamped the message 57m3s after our hop (line 30)"
        ),
        "{clock}"
    );
    // nothing of aaa.bbb.co.jp in this index: said, not invented
    assert!(
        json["unconfirmed"][0]
            .as_str()
            .unwrap()
            .contains("no message with queue id B0003157268@aaa.bbb.co.jp")
    );
    // without --ours nothing is ours
    let j2: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    assert!(
        j2["messages"][0]["trust"][0].as_str().unwrap().contains("no hop of this chain is ours")
    );
}

/// A complaint about "our" spam that none of our hosts carried: a forged sender.
#[test]
fn joe_job_forged_sender() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let text = "Stop spamming!\n\n> Received: from [198.51.100.66] (unknown [198.51.100.66])\n>\tby mx.victim.example (Postfix) with ESMTP id 9F9F9F9F\n>\tfor <someone@victim.example>; Wed, 8 May 2002 10:00:00 -0400 (EDT)\n> From: \"Billing\" <billing@example.jp>\n> Return-Path: <billing@example.jp>\n> Subject: invoice\n";
    let f = tmp.path().join("joe.txt");
    std::fs::write(&f, text).unwrap();
    let json: Value =
        serde_json::from_str(&complaint(&idx, &f, &["--ours", "example.jp"], "json")).unwrap();
    let trust = json["messages"][0]["trust"].to_string();
    assert!(trust.contains("no hop of this chain is ours"));
    assert!(trust.contains("probably forged (a joe job)"), "{trust}");
    assert_eq!(json["messages"][0]["hops"][0]["role"], "unknown");
}

/// The seed's chain with an index that knows our relay only by its address: the image's
/// `etc/hosts` gives 10.19.10.227 to host `gw`, whose name appears nowhere in the chain. The
/// receiver f04n09 says it got the message from 10.19.10.227, so the hop below it (by
/// aaa.bbb.co.jp) was written by us.
#[test]
fn our_hop_known_by_its_address_only() {
    let tmp = tempfile::tempdir().unwrap();
    let img = tmp.path().join("gw");
    std::fs::create_dir_all(img.join("etc")).unwrap();
    std::fs::create_dir_all(img.join("var/log")).unwrap();
    std::fs::write(img.join("etc/hostname"), "gw\n").unwrap();
    std::fs::write(img.join("etc/timezone"), "Asia/Tokyo\n").unwrap();
    std::fs::write(
        img.join("etc/hosts"),
        "127.0.0.1\tlocalhost\n10.19.10.227\tgw.bbb.example gw\n10.19.10.1\trouter\n",
    )
    .unwrap();
    std::fs::write(
        img.join("var/log/mail.log"),
        "May  8 13:01:37 gw postfix/smtpd[4301]: connect from mail.yapoo.comcom[192.168.255.77]\n",
    )
    .unwrap();
    let idx = tmp.path().join("case");
    let out = bin()
        .args(["ingest", "--index"])
        .arg(&idx)
        .args(["--image", "--year", "2002"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("image addresses: 10.19.10.227 (etc/hosts)"), "{err}");
    let src = bin().args(["sources", "--index"]).arg(&idx).output().unwrap();
    let src = String::from_utf8(src.stdout).unwrap();
    assert!(src.contains("host gw:\n      addresses: 10.19.10.227 (etc/hosts)"), "{src}");

    let file = fixture("seed-000-complaint.eml");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    let m = &json["messages"][0];
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["after_us", "after_us", "after_us", "ours"]);
    assert_eq!(m["hops"][3]["received"]["by_name"], "aaa.bbb.co.jp");
    assert_eq!(m["hops"][3]["host"], "gw");
    assert_eq!(
        m["hops"][3]["ours_because"][0],
        "hop 2 (by f04n09.yyy.XXX.edu) received the message from it: 10.19.10.227 is gw's address (etc/hosts)"
    );
    assert_eq!(m["handed_by"], "HELO mail.yapoo.comcom, address 192.168.255.77");
    let inv = &json["investigations"][0];
    assert_eq!(inv["probe"]["host"], "gw");
    assert_eq!(inv["probe"]["utc"], "2002-05-08T04:01:38Z");
    let md = complaint(&idx, &file, &[], "markdown");
    assert!(md.contains("10.19.10.227 is gw's address (etc/hosts)"), "{md}");
    assert!(md.contains("| 3 | OURS |"), "{md}");
}

/// A Japanese complaint as nkf encodes it (ISO-2022-JP body, =?ISO-2022-JP?B?…?= header words):
/// the message `mail` (uid 33) sent through `mx` to example.co.jp. Both of our hops are found,
/// by name and by the address the receiver saw (mx's 192.0.2.30, etc/hosts of mx's image).
#[test]
fn japanese_complaint_iso2022jp_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let file = fixture("ja-iso2022jp.eml");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    assert_eq!(json["complaint"]["subject"], "【至急】貴社サーバからのフィッシングメールについて");
    assert_eq!(json["complaint"]["from"], "セキュリティ担当 <security@example.co.jp>");
    let m = &json["messages"][0];
    assert_eq!(m["subject"], "口座確認のお願い");
    let roles: Vec<&str> =
        m["hops"].as_array().unwrap().iter().map(|h| h["role"].as_str().unwrap()).collect();
    assert_eq!(roles, vec!["after_us", "after_us", "ours", "ours"]);
    assert_eq!(m["hops"][2]["host"], "mx");
    assert!(
        m["hops"][2]["ours_because"].to_string().contains(
            "hop 1 (by mx1.example.co.jp) received the message from it: 192.0.2.30 is mx's address (etc/hosts)"
        ),
        "{}",
        m["hops"][2]
    );
    assert_eq!(m["handed_by"], "local submission by uid 33");
    let t = &json["facts"]["times"][0];
    assert_eq!(t["text"], "2002年5月9日 02時37分25秒 JST");
    assert_eq!(t["utc"], "2002-05-08T17:37:25Z");
    assert_eq!(json["facts"]["log_lines"][0]["utc"], "2002-05-08T17:37:25+00:00");
    let invs = json["investigations"].as_array().unwrap();
    assert_eq!(invs[0]["probe"]["host"], "mx");
    assert_eq!(invs[0]["flows"][0]["flow"]["queue_id"], "6F7A8B9C0D");
    assert_eq!(
        invs[0]["flows"][0]["submitter"].as_str().unwrap().split(" (").next().unwrap(),
        "client mail.example.jp [192.0.2.10]"
    );
    assert_eq!(invs[1]["probe"]["host"], "mail");
    assert_eq!(invs[1]["flows"][0]["flow"]["queue_id"], "3C4D5E6F7A");
    assert_eq!(invs[1]["flows"][0]["flow"]["user_id"], "33");
    assert!(invs[1]["flows"][0]["submitter"].as_str().unwrap().contains("local uid 33"));
    // decoded text in every output, and still escaped
    let md = complaint(&idx, &file, &[], "markdown");
    assert!(md.contains("Subject: 口座確認のお願い"), "{md}");
    assert!(md.contains("complaint \"【至急】貴社サーバからのフィッシングメールについて\""));
    let html = complaint(&idx, &file, &[], "html");
    assert!(html.contains("セキュリティ担当 &lt;security@example.co.jp&gt;"));
    assert!(!html.contains('\x1b'));
}

/// Python's email package: Shift_JIS base64 and EUC-JP quoted-printable parts, the spam attached
/// (message/rfc822) with a =?utf-8?q?…?= subject; mail's 2B3C4D5E6F relayed by mx as 5E6F7A8B9C
/// to a qmail receiver.
#[test]
fn japanese_complaint_multipart_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let file = fixture("ja-multipart.eml");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    assert_eq!(json["complaint"]["subject"], "迷惑メール受信のご報告 (チケット #20020509-0042)");
    let m = &json["messages"][0];
    assert_eq!(m["origin"], "attached message (message/rfc822)");
    assert_eq!(m["subject"], "【重要】アカウント停止のお知らせ");
    assert_eq!(m["hops"][2]["role"], "ours");
    assert!(m["hops"][2]["ours_because"].to_string().contains("192.0.2.30 is mx's address"));
    let times: Vec<&str> = json["facts"]["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(times.contains(&"2002/05/09 02:34:53 JST"), "{times:?}");
    let invs = json["investigations"].as_array().unwrap();
    assert_eq!(invs[0]["flows"][0]["flow"]["queue_id"], "5E6F7A8B9C");
    assert_eq!(invs[1]["flows"][0]["flow"]["queue_id"], "2B3C4D5E6F");
    assert!(invs[1]["flows"][0]["submitter"].as_str().unwrap().contains("local uid 33"));
    let notes = json["notes"].to_string();
    assert!(notes.contains("Shift_JIS") && notes.contains("EUC-JP"), "{notes}");
}

/// An mbox of three complaints (Python's mailbox): each analysed on its own, numbered, in every
/// output format.
#[test]
fn mbox_of_three_complaints() {
    let tmp = tempfile::tempdir().unwrap();
    let idx = sample_index(tmp.path());
    let file = fixture("complaints.mbox");
    let json: Value = serde_json::from_str(&complaint(&idx, &file, &[], "json")).unwrap();
    let list = json["mbox"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    let nums: Vec<(u64, u64)> =
        list.iter().map(|x| (x["number"].as_u64().unwrap(), x["line"].as_u64().unwrap())).collect();
    assert_eq!(nums, [(1, 1), (2, 45), (3, 85)]);
    let r1 = &list[0]["report"];
    assert_eq!(r1["messages"][0]["hops"][2]["role"], "ours");
    assert_eq!(r1["investigations"][0]["flows"][0]["flow"]["queue_id"], "4F1A2B3C4D");
    let r2 = &list[1]["report"];
    assert_eq!(r2["complaint"]["subject"], "【至急】貴社サーバからのフィッシングメールについて");
    assert_eq!(r2["investigations"][1]["flows"][0]["flow"]["queue_id"], "3C4D5E6F7A");
    let r3 = &list[2]["report"];
    assert_eq!(r3["complaint"]["subject"], "ssh scanning from your network");
    assert!(r3["messages"].as_array().unwrap().is_empty());
    assert_eq!(r3["investigations"][0]["probe"]["utc"], "2002-05-08T17:29:40Z");
    assert_eq!(r3["investigations"][0]["probe"]["ips"][0], "198.51.100.7");
    for (fmt, head) in [
        ("markdown", "# mbox: 3 complaints"),
        ("table", "mbox: 3 complaints"),
        ("html", "<h1>mbox: 3 complaints</h1>"),
    ] {
        let out = complaint(&idx, &file, &[], fmt);
        assert!(out.contains(head), "{fmt}: {out}");
        for n in 1..=3 {
            assert!(out.contains(&format!("Message {n} of 3 (line ")), "{fmt} lacks message {n}");
        }
        assert!(out.contains("3C4D5E6F7A"), "{fmt}");
    }
    let html = complaint(&idx, &file, &[], "html");
    assert_eq!(html.matches("<!DOCTYPE html>").count(), 1);
    assert!(html.trim_end().ends_with("</body></html>"));
}

/// No configuration file names the address, but our own logs do: at LogLevel VERBOSE, OpenSSH
/// writes `Connection from A port P on B port 22 rdomain ""`, and dovecot's logins carry
/// `lip=B`, B being the host's own address. The seed's receiver got the message from
/// 10.19.10.227: host `gw` listens on it.
#[test]
fn our_hop_known_by_an_address_our_sshd_or_dovecot_listened_on() {
    for (file, line, who) in [
        (
            "auth.log",
            "May  8 12:58:02 gw sshd[2101]: Connection from 192.168.255.77 port 40211 on 10.19.10.227 port 22 rdomain \"\"\n",
            "sshd",
        ),
        (
            "mail.log",
            "May  8 12:58:02 gw dovecot: imap-login: Login: user=<kenji>, method=PLAIN, rip=192.168.255.77, lip=10.19.10.227, mpid=2101, TLS, session=<x1Yz>\n",
            "dovecot",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let img = tmp.path().join("gw");
        std::fs::create_dir_all(img.join("etc")).unwrap();
        std::fs::create_dir_all(img.join("var/log")).unwrap();
        std::fs::write(img.join("etc/hostname"), "gw\n").unwrap();
        std::fs::write(img.join("etc/timezone"), "Asia/Tokyo\n").unwrap();
        std::fs::write(img.join("var/log").join(file), line).unwrap();
        let idx = tmp.path().join("case");
        ingest(&idx, &["--image", "--year", "2002"], &img);
        let seed = fixture("seed-000-complaint.eml");
        let json: Value = serde_json::from_str(&complaint(&idx, &seed, &[], "json")).unwrap();
        let h = &json["messages"][0]["hops"][3];
        assert_eq!(h["role"], "ours", "{who}");
        assert_eq!(h["host"], "gw");
        assert_eq!(
            h["ours_because"][0],
            format!(
                "hop 2 (by f04n09.yyy.XXX.edu) received the message from it: 10.19.10.227 is gw's address (/var/log/{file}:1: {who} listened on it)"
            )
        );
    }
}
