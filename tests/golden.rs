//! Golden tests: every case under tests/golden/<case>/ is parsed through the whole pipeline
//! (sniffing, parser, year inference, time resolution, provenance) and its JSON Lines output
//! compared with `expected.jsonl`, line by line.
//!
//! A case directory holds:
//! - `input.*`: the source (any name starting with `input`; compressed inputs allowed);
//! - `args`: options, one per line (`--tz Asia/Tokyo`, `--year 2002`, `--host mail`, `--skew mail=+93s`,
//!   `--format syslog`); the file's mtime is never used by these tests (`--year` or dated records);
//! - `expected.jsonl`: the events, reviewed by hand when first written.
//!
//! `JIKOKU_UPDATE_GOLDEN=1 cargo test --test golden` rewrites `expected.jsonl` (then review the diff).
//! A case without `expected.jsonl`, or no case at all, fails.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};

use jikoku_ingest::{Input, Options, process_file};

fn options(args: &str) -> Options {
    let mut o = Options::default();
    for line in args.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (k, v) = line.split_once(' ').unwrap_or((line, ""));
        match k {
            "--tz" => {
                o.tz = Some(jikoku_time::parse_zone(v).unwrap());
                o.tz_source = Some(jikoku_time::ZoneSource::Option);
            }
            "--year" => o.year = Some(v.parse().unwrap()),
            "--host" => o.host = Some(v.to_string()),
            "--format" => o.format = Some(v.to_string()),
            "--skew" => {
                let (h, d) = match v.split_once('=') {
                    Some((h, d)) => (Some(h.to_string()), d),
                    None => (None, v),
                };
                o.skews.push((h, jikoku_time::parse_duration_secs(d).unwrap()));
            }
            other => panic!("unknown option {other} in args"),
        }
    }
    o
}

fn run_case(dir: &Path) -> Result<(), String> {
    let args = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let opts = options(&args);
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("input"))
        .collect();
    inputs.sort();
    if inputs.is_empty() {
        return Err(format!("{}: no input file", dir.display()));
    }
    let mut got = String::new();
    for p in inputs {
        let input = Input {
            display: p.file_name().unwrap().to_string_lossy().into_owned(),
            path: p.clone(),
        };
        let report = process_file(&input, &opts, &mut |e| {
            let json = serde_json::to_string(e).unwrap();
            // The hand-written writer `jikoku parse` uses must give the same bytes.
            assert_eq!(e.to_json(), json, "Event::write_json differs from serde_json");
            got.push_str(&json);
            got.push('\n');
        })
        .map_err(|e| e.to_string())?;
        assert_eq!(report.records, report.events + report.errors);
    }
    let expected_path = dir.join("expected.jsonl");
    if std::env::var_os("JIKOKU_UPDATE_GOLDEN").is_some() {
        std::fs::write(&expected_path, &got).unwrap();
        return Ok(());
    }
    let expected = std::fs::read_to_string(&expected_path).map_err(|e| {
        format!("{}: {e} (run with JIKOKU_UPDATE_GOLDEN=1, then review)", expected_path.display())
    })?;
    for (i, (g, x)) in got.lines().zip(expected.lines()).enumerate() {
        if g != x {
            let gv: serde_json::Value = serde_json::from_str(g).unwrap();
            let xv: serde_json::Value = serde_json::from_str(x).unwrap();
            return Err(format!(
                "{}: event {} differs\n got: {}\nwant: {}",
                dir.display(),
                i + 1,
                serde_json::to_string_pretty(&gv).unwrap(),
                serde_json::to_string_pretty(&xv).unwrap()
            ));
        }
    }
    if got.lines().count() != expected.lines().count() {
        return Err(format!(
            "{}: {} events, expected {}",
            dir.display(),
            got.lines().count(),
            expected.lines().count()
        ));
    }
    Ok(())
}

#[test]
fn golden_cases() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no golden cases under {}", root.display());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
