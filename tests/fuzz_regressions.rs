//! Every input a fuzz target ever crashed on (minimized by `cargo fuzz tmin`) is kept under
//! `tests/fixtures/fuzz/<target>/` and replayed here through the very harness the fuzzer runs
//! (`fuzz/harness.rs`), under plain `cargo test` on stable. See docs/SECURITY.md, "Fuzzing".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz")
}

/// Crashes found and fixed, per target (kept in sync with the fixture directories: a missing
/// fixture fails the test).
const KEPT: &[(&str, usize)] = &[];

#[test]
fn every_kept_crash_is_fixed() {
    let root = fixtures();
    let mut replayed = 0;
    for (target, f) in harness::TARGETS {
        let dir = root.join(target);
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
            Err(_) => vec![],
        };
        files.sort();
        let want = KEPT.iter().find(|(t, _)| t == target).map_or(0, |(_, n)| *n);
        assert_eq!(files.len(), want, "{}: fixtures {files:?}", dir.display());
        for p in files {
            let data = std::fs::read(&p).unwrap();
            // A panic here names the fixture.
            eprintln!("replaying {}", p.display());
            f(&data);
            replayed += 1;
        }
    }
    assert_eq!(replayed, KEPT.iter().map(|(_, n)| n).sum::<usize>());
}

/// Every harness also runs on the empty input and on a few edge inputs, so that all of them
/// are compiled and exercised on stable.
#[test]
fn every_harness_runs_on_edge_inputs() {
    let edges: &[&[u8]] = &[
        b"",
        b"\0",
        b"\n\n\n",
        b"\xff\xfe\xfd",
        b"\x1f\x8b",
        b"BZh9",
        b"\xfd7zXZ\0",
        b"\x28\xb5\x2f\xfd",
        b"\x80Jan  1 00:00:00 h postfix/qmgr[1]: ABC: from=<a[b>, size=1\n",
    ];
    for (name, f) in harness::TARGETS {
        for e in edges {
            eprintln!("{name}: {e:?}");
            f(e);
        }
    }
}
