//! kill -9 at random points of an ingest, then re-run: the final event set must equal a clean run's,
//! with no duplicates and no loss, and the index must open after every kill.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

/// 12 sources of 400 lines each (deterministic).
fn make_inputs(dir: &Path) {
    for f in 0..12 {
        let mut s = String::new();
        for i in 0..400 {
            let (m, d, h, mi, se) = (5, 1 + f, (i / 3600) % 24, (i / 60) % 60, i % 60);
            let month = ["Jan", "Feb", "Mar", "Apr", "May"][m - 1];
            s.push_str(&format!(
                "{month} {d:>2} {h:02}:{mi:02}:{se:02} host{f} sshd[{}]: Failed password for user{i} from 198.51.100.{} port {} ssh2\n",
                1000 + i,
                i % 250,
                1024 + i
            ));
        }
        std::fs::write(dir.join(format!("auth{f:02}.log")), s).unwrap();
    }
}

fn ingest(idx: &Path, logs: &Path) -> Command {
    let mut c = bin();
    c.args(["ingest", "--commit-events", "700", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(idx)
        .arg(logs);
    c.stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn keys(idx: &Path) -> Vec<String> {
    let out = bin().args(["search", "--output", "jsonl", "--index"]).arg(idx).output().unwrap();
    assert!(out.status.success(), "index does not open: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!("{}:{}", v["log"]["file"]["path"], v["log"]["offset"])
        })
        .collect()
}

#[test]
fn kill_9_at_random_points_then_rerun_gives_a_clean_run() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    make_inputs(&logs);

    let clean = work.path().join("clean");
    assert!(ingest(&clean, &logs).status().unwrap().success());
    let want = keys(&clean);
    assert_eq!(want.len(), 4800);
    assert_eq!(want.iter().collect::<BTreeSet<_>>().len(), want.len());

    // Deterministic pseudo-random kill delays.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for trial in 0..20 {
        let idx = work.path().join(format!("t{trial}"));
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let delay = Duration::from_millis(5 + seed % 120);
        let mut child = ingest(&idx, &logs).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        if idx.join("meta.json").exists() {
            // The index opens, and holds only whole sources.
            let partial = keys(&idx);
            let per_source = partial.len() % 400;
            assert_eq!(
                per_source,
                0,
                "trial {trial}: a source is partly indexed ({} events)",
                partial.len()
            );
        }
        assert!(ingest(&idx, &logs).status().unwrap().success(), "trial {trial}: re-run failed");
        let got = keys(&idx);
        assert_eq!(got, want, "trial {trial} (killed after {delay:?})");
    }
}
