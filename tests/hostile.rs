//! Bad input of every kind: damaged compression, decompression bombs, huge lines, NUL bytes,
//! no newline. Each keeps what can be kept and says clearly what happened.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::unreachable
)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn parse(args: &[&str], path: &Path) -> (Output, Vec<Value>) {
    let out = Command::new(env!("CARGO_BIN_EXE_jikoku"))
        .args(["parse", "--tz", "UTC", "--year", "2024"])
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    let evs = String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out, evs)
}

fn log_lines(n: usize) -> Vec<u8> {
    let mut v = vec![];
    for i in 0..n {
        // Varied content so that compression ratios stay realistic.
        writeln!(
            v,
            "Jan  1 {:02}:{:02}:{:02} host app[{}]: line {i} value {}",
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            1000 + i % 97,
            i * 7919 % 10007
        )
        .unwrap();
    }
    v
}

fn compress(kind: &str, data: &[u8]) -> Vec<u8> {
    match kind {
        "gz" => {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            w.write_all(data).unwrap();
            w.finish().unwrap()
        }
        "bz2" => {
            let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
            w.write_all(data).unwrap();
            w.finish().unwrap()
        }
        "xz" => {
            let mut w = xz2::write::XzEncoder::new(Vec::new(), 6);
            w.write_all(data).unwrap();
            w.finish().unwrap()
        }
        "zst" => zstd::encode_all(data, 3).unwrap(),
        _ => unreachable!(),
    }
}

#[test]
fn truncated_and_corrupt_compression_keeps_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    // Enough lines for several bzip2 blocks (900 kB each): a truncated bzip2 file keeps whole blocks.
    let plain = log_lines(60_000);
    for kind in ["gz", "bz2", "xz", "zst"] {
        let full = compress(kind, &plain);
        // Truncated: the second half of the compressed file is missing.
        let p = dir.path().join(format!("trunc.log.{kind}"));
        std::fs::write(&p, &full[..full.len() / 2]).unwrap();
        let (out, evs) = parse(&[], &p);
        assert!(out.status.success(), "{kind}");
        let ok = evs.iter().filter(|e| e["event"]["kind"] == "event").count();
        let errs: Vec<&Value> =
            evs.iter().filter(|e| e["event"]["kind"] == "pipeline_error").collect();
        assert!(ok > 1000 && ok < 60_000, "{kind}: {ok} events kept");
        // Events before the damage are the file's first lines, in order.
        assert_eq!(evs[0]["message"], "line 0 value 0", "{kind}");
        let last = errs.last().unwrap();
        let msg = last["error"]["message"].as_str().unwrap();
        // The offset named is the last record read before the damage, and the error is the
        // last record.
        let last_kept = evs.iter().rev().find(|e| e["event"]["kind"] == "event").unwrap();
        let at = last_kept["log"]["offset"].as_u64().unwrap();
        assert!(
            msg.starts_with(&format!("read error after offset {at} (events before it are kept): ")),
            "{kind}: {msg}"
        );
        assert_eq!(evs.last().unwrap(), *last, "{kind}");
        assert_eq!(last["log"]["offset"].as_u64(), Some(at), "{kind}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("trunc.log.{kind}")) && stderr.contains("read error"),
            "{kind}: {stderr}"
        );
        // Corrupt: bytes overwritten in the middle.
        let mut bad = full.clone();
        let mid = bad.len() / 2;
        for b in &mut bad[mid..mid + 64] {
            *b ^= 0x5a;
        }
        let p = dir.path().join(format!("corrupt.log.{kind}"));
        std::fs::write(&p, &bad).unwrap();
        let (out, evs) = parse(&[], &p);
        assert!(out.status.success(), "{kind}");
        assert!(
            evs.iter().any(|e| e["event"]["kind"] == "pipeline_error"),
            "{kind}: corruption not reported"
        );
        assert_eq!(evs[0]["message"], "line 0 value 0", "{kind}");
    }
}

#[test]
fn decompression_bomb_is_stopped_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // 4 MiB of one repeated line in a few kB (the ratio ceiling itself is unit-tested in
    // jikoku-ingest; here the size ceiling, lowered to 1 MiB).
    let line =
        b"Jan  1 00:00:00 host app[1]: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n";
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..(4 << 20) / line.len() {
        w.write_all(line).unwrap();
    }
    let p = dir.path().join("bomb.log.gz");
    std::fs::write(&p, w.finish().unwrap()).unwrap();
    let (out, evs) = parse(&["--max-decompressed", "1M"], &p);
    assert!(out.status.success());
    let err = evs.last().unwrap();
    assert_eq!(err["event"]["kind"], "pipeline_error");
    let msg = err["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("possible decompression bomb") && msg.contains("--max-decompressed"),
        "{msg}"
    );
    assert!(evs.len() > 1000, "events before the ceiling are kept");
    // The ceiling can be raised.
    let (out, evs) = parse(&["--max-decompressed", "8M"], &p);
    assert!(out.status.success());
    assert!(evs.iter().all(|e| e["event"]["kind"] == "event"));
}

#[test]
fn huge_lines_nul_bytes_and_no_newline() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("odd.log");
    let mut data = b"Jan  1 00:00:01 host a[1]: before\n".to_vec();
    data.extend_from_slice(b"Jan  1 00:00:02 host a[1]: ");
    data.extend(std::iter::repeat_n(b'A', 10 << 20));
    data.extend_from_slice(
        b"\n\0\0\x01binary\xff\0garbage\nJan  1 00:00:03 host a[1]: after without newline",
    );
    std::fs::write(&p, &data).unwrap();
    let (out, evs) = parse(&[], &p);
    assert!(out.status.success());
    assert_eq!(evs.len(), 4);
    assert_eq!(evs[1]["message"].as_str().unwrap().len(), 10 << 20);
    assert_eq!(evs[2]["event"]["kind"], "pipeline_error");
    assert_eq!(evs[2]["event"]["original"], "\u{0}\u{0}\u{1}binary\\xFF\u{0}garbage");
    assert_eq!(evs[2]["jikoku"]["line"], 3);
    assert_eq!(evs[3]["message"], "after without newline");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("4 records = 3 events + 1 pipeline errors")
    );
}
