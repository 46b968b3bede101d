//! A directory with a huge number of files: every one becomes a source, in sorted order, and the
//! walk, the manifest and the index stay usable. CI runs 30,000 files (about a minute in a debug
//! build on 2 shared cores); `JIKOKU_MANY_FILES=1000000 cargo test --test million_files` runs
//! the million-file case by hand (its measured time and memory are in docs/SECURITY.md).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

#[test]
fn a_directory_of_many_files_is_ingested_whole() {
    let n: usize =
        std::env::var("JIKOKU_MANY_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(30_000);
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("many");
    std::fs::create_dir(&dir).unwrap();
    let t = std::time::Instant::now();
    for i in 0..n {
        std::fs::write(
            dir.join(format!("f{i:07}.log")),
            format!("Jan  1 00:00:01 h app[1]: file {i}\n"),
        )
        .unwrap();
    }
    eprintln!("{n} files written in {:?}", t.elapsed());

    let idx = work.path().join("case");
    let t = std::time::Instant::now();
    let out = bin()
        .args(["ingest", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(&idx)
        .arg(&dir)
        .output()
        .unwrap();
    eprintln!("ingested in {:?}", t.elapsed());
    let tail = String::from_utf8_lossy(&out.stderr[out.stderr.len().saturating_sub(2000)..]);
    let stderr = String::from_utf8(out.stderr.clone()).unwrap();
    assert!(out.status.success(), "{tail}");
    assert!(
        stderr.ends_with(&format!(
            "{n} sources added ({n} events, 0 pipeline errors), 0 already indexed or duplicates; index: {}\n",
            idx.display()
        )),
        "{tail}"
    );

    // The manifest lists every file, in sorted order, each with its one event.
    let t = std::time::Instant::now();
    let out = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
    assert!(out.status.success());
    let manifest = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines.len(), n);
    let mut events = 0;
    for (i, l) in lines.iter().enumerate() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["path"], format!("f{i:07}.log"));
        assert_eq!(v["number"], i);
        events += v["events"].as_u64().unwrap();
    }
    assert_eq!(events, n as u64);
    eprintln!("manifest read in {:?}", t.elapsed());

    // The index holds them: the last file's event is found by its text.
    let t = std::time::Instant::now();
    let out = bin()
        .args(["search", "--output", "jsonl", "--index"])
        .arg(&idx)
        .arg(format!("\"file {}\"", n - 1))
        .output()
        .unwrap();
    let hits: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["log"]["file"]["path"], format!("f{:07}.log", n - 1));
    eprintln!("searched in {:?}", t.elapsed());
}
