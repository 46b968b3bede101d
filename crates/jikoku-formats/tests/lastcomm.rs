//! `lastcomm` text: GNU output of a real accounting file checked against the binary records
//! of that file, FreeBSD output, and the seed's listing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use jikoku_formats::acct::AcctParser;
use jikoku_formats::lastcomm::LastcommParser;
use jikoku_formats::{Head, ParseOptions, Parser, Record};
use serde_json::Value;

fn fixture(rel: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("missing fixture {}: {e}", p.display()))
}

fn parse_with(p: &dyn Parser, bytes: &[u8]) -> Vec<Record> {
    let mut out = vec![];
    let mut r: &[u8] = bytes;
    p.parse(&mut r, &ParseOptions::default(), &mut |rec| out.push(rec)).unwrap();
    out
}

fn json(r: &Record) -> Value {
    serde_json::from_str(&r.event.to_json()).unwrap()
}

fn get<'a>(v: &'a Value, dotted: &str) -> &'a Value {
    let mut cur = v;
    for p in dotted.split('.') {
        cur = cur.get(p).unwrap_or(&Value::Null);
    }
    cur
}

/// Text lines vs the binary records they were printed from (same file, same order).
#[test]
fn gnu_lines_match_the_binary_records() {
    let bin: Vec<Record> = parse_with(&AcctParser, &fixture("acct/pacct-v3.bin"));
    for (f, pid, paging) in [
        ("lastcomm/gnu-lastcomm.txt", false, false),
        ("lastcomm/gnu-lastcomm-pid.txt", true, false),
        ("lastcomm/gnu-lastcomm-paging.txt", false, true),
    ] {
        let bytes = fixture(f);
        let text = parse_with(&LastcommParser, &bytes);
        assert_eq!(text.len(), bin.len(), "{f}");
        let mut offset = 0u64;
        for (i, (t, b)) in text.iter().zip(&bin).enumerate() {
            assert!(!t.is_error(), "{f} line {}", i + 1);
            let (tv, bv) = (json(t), json(b));
            let ctx = format!("{f} line {}: {tv}", i + 1);
            assert_eq!(get(&tv, "event.dataset"), "lastcomm.gnu");
            assert_eq!(get(&tv, "jikoku.line").as_u64(), Some(i as u64 + 1));
            assert_eq!(get(&tv, "log.offset").as_u64(), Some(offset));
            offset += bytes[offset as usize..].iter().position(|&c| c == b'\n').unwrap() as u64 + 1;
            assert_eq!(get(&tv, "process.name"), get(&bv, "process.name"), "{ctx}");
            for k in [
                "flags",
                "superuser",
                "forked_no_exec",
                "core_dumped",
                "killed_by_signal",
                "comm_truncated",
            ] {
                assert_eq!(tv["jikoku"]["acct"][k], bv["jikoku"]["acct"][k], "{k} {ctx}");
            }
            let secs = get(&bv, "jikoku.acct.cpu_seconds").as_f64().unwrap();
            assert!(
                (get(&tv, "jikoku.acct.cpu_seconds").as_f64().unwrap() - secs).abs() < 0.006,
                "{ctx}"
            );
            if paging {
                assert!(get(&tv, "user.name").is_null());
                assert_eq!(get(&tv, "jikoku.acct.minflt"), get(&bv, "jikoku.acct.minflt"), "{ctx}");
                assert_eq!(get(&tv, "jikoku.acct.majflt"), get(&bv, "jikoku.acct.majflt"), "{ctx}");
            } else {
                assert_eq!(get(&tv, "jikoku.tty"), get(&bv, "jikoku.tty"), "{ctx}");
                let user = get(&tv, "user.name").as_str().unwrap();
                let want = get(&bv, "user.name").as_str().map(str::to_string);
                // Without a passwd table the binary has names only for root.
                if let Some(w) = want {
                    assert_eq!(user, w, "{ctx}");
                } else {
                    assert!(user == "alice" || user == "bob", "{ctx}");
                }
            }
            if pid {
                assert_eq!(get(&tv, "process.pid"), get(&bv, "process.pid"), "{ctx}");
                assert_eq!(get(&tv, "process.parent.pid"), get(&bv, "process.parent.pid"), "{ctx}");
            }
            // Same start, to the minute, without a year.
            let (tt, bt) = (t.time.as_ref().unwrap(), b.time.as_ref().unwrap());
            assert_eq!(tt.year, None);
            assert_eq!(tt.offset, None);
            assert_eq!(
                (tt.month, tt.day, tt.hour, tt.minute),
                (bt.month, bt.day, bt.hour, bt.minute),
                "{ctx}"
            );
        }
    }
}

#[test]
fn freebsd_output_lines() {
    let recs = parse_with(&LastcommParser, &fixture("acct/freebsd/v2-amd64.out"));
    assert_eq!(recs.len(), 28);
    assert!(recs.iter().all(|r| !r.is_error()));
    let v = json(&recs[0]);
    assert_eq!(get(&v, "event.dataset"), "lastcomm.bsd");
    assert_eq!(get(&v, "process.name"), "core");
    assert_eq!(get(&v, "jikoku.acct.flags"), &serde_json::json!(["fork", "core", "xsig"]));
    assert_eq!(get(&v, "user.name"), "root");
    assert_eq!(get(&v, "jikoku.acct.cpu_seconds"), 0.002);
    assert_eq!(get(&v, "jikoku.acct.cpu_system_seconds"), 0.002);
    assert_eq!(get(&v, "jikoku.acct.elapsed_seconds"), 0.009);
    assert_eq!(get(&v, "event.duration"), 9_000_000i64);
    let t = recs[0].time.as_ref().unwrap();
    assert_eq!((t.year, t.month, t.day, t.hour, t.minute), (None, 5, 17, 5, 57));
    let long = json(&recs[7]);
    assert_eq!(get(&long, "process.name"), "1234567890123456");
    assert_eq!(get(&long, "jikoku.acct.comm_truncated"), true);
}

#[test]
fn seed_listing_who_ran_sendmail_at_18_47() {
    let recs = parse_with(&LastcommParser, &fixture("lastcomm/seed-000-listing.txt"));
    assert_eq!(recs.len(), 22);
    assert!(recs.iter().all(|r| !r.is_error()));
    let v: Vec<Value> = recs.iter().map(json).collect();
    assert!(v.iter().all(|e| e["event"]["dataset"] == "lastcomm.bsd"));
    let at = |r: &Record| {
        let t = r.time.as_ref().unwrap();
        (t.year, t.month, t.day, t.hour, t.minute)
    };
    let sendmail_1847: Vec<(String, String)> = recs
        .iter()
        .zip(&v)
        .filter(|(r, e)| e["process"]["name"] == "sendmail" && at(r) == (None, 5, 30, 18, 47))
        .map(|(_, e)| {
            (
                e["user"]["name"].as_str().unwrap().into(),
                e["jikoku"]["acct"]["flag_letters"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        sendmail_1847,
        vec![
            ("don".into(), "F".into()),
            ("root".into(), "SF".into()),
            ("don".into(), "S".into()),
            ("don".into(), "F".into()),
            ("don".into(), "F".into()),
        ]
    );
    // `—` means no tty; mitsugi's commands ran on ttyp*.
    assert!(get(&v[8], "jikoku.tty").is_null());
    assert_eq!(get(&v[0], "jikoku.tty"), "ttypi");
    assert_eq!(get(&v[7], "process.name"), "lastcomm");
    assert_eq!(get(&v[7], "jikoku.acct.killed_by_signal"), true);
    assert_eq!(get(&v[7], "jikoku.acct.cpu_seconds"), 0.11);
    assert_eq!(get(&v[11], "process.name"), "mail.local");
    assert_eq!(get(&v[11], "jikoku.acct.superuser"), true);
    assert_eq!(get(&v[12], "jikoku.acct.flags"), &serde_json::json!(["fork", "su"]));
}

#[test]
fn odd_lines_and_sniffing() {
    let text = "a cmd with spaces -S root ttyp0 0.50 secs Mon Jan  5 03:04\n\
                garbage that is not lastcomm\n\
                \n\
                vi               -       alice    pts/1      1.250 secs Tue Feb 10 23:59:58 (0:01:02.50)\n";
    let recs = parse_with(&LastcommParser, text.as_bytes());
    assert_eq!(recs.len(), 3);
    // With a passwd table the uid of a name is known; a number stays a uid.
    let ids =
        jikoku_formats::acct::IdNames::from_passwd("alice:x:1005:1005::/home/alice:/bin/sh\n");
    let opts = ParseOptions { id_names: Some(std::sync::Arc::new(ids)), ..Default::default() };
    let mut got = vec![];
    let two = "vi               -       alice    pts/1      1.250 secs Tue Feb 10 23:59\nsh               -       1234     __         0.000 secs Tue Feb 10 23:59\n";
    let mut r: &[u8] = two.as_bytes();
    LastcommParser.parse(&mut r, &opts, &mut |rec| got.push(rec)).unwrap();
    assert_eq!(got[0].event.user.id.as_deref(), Some("1005"));
    assert_eq!(got[1].event.user.id.as_deref(), Some("1234"));
    let a = json(&recs[0]);
    assert_eq!(get(&a, "process.name"), "a cmd with spaces");
    assert_eq!(get(&a, "jikoku.tty"), "ttyp0");
    assert!(recs[1].is_error());
    assert_eq!(recs[1].event.jikoku.line, Some(2));
    assert_eq!(recs[1].event.log.offset, Some(59));
    let c = json(&recs[2]);
    assert_eq!(get(&c, "jikoku.line"), 4);
    assert_eq!(get(&c, "event.duration"), 62_500_000_000i64);
    assert_eq!(recs[2].time.as_ref().unwrap().second, 58);
    let head = |b: &'static [u8]| Head { bytes: b, file_name: "", len: Some(b.len() as u64) };
    let gnu = fixture("lastcomm/gnu-lastcomm.txt");
    let h = Head { bytes: &gnu, file_name: "", len: Some(gnu.len() as u64) };
    assert_eq!(jikoku_formats::registry::sniff(&h).unwrap().name(), "lastcomm");
    assert_eq!(LastcommParser.sniff(&h), 60);
    assert_eq!(LastcommParser.sniff(&head(b"Nov 22 19:17:01 host sshd[1]: hello\n")), 0);
    let bin = fixture("acct/pacct-v3.bin");
    let h = Head { bytes: &bin, file_name: "", len: Some(bin.len() as u64) };
    assert_eq!(LastcommParser.sniff(&h), 0);
}
