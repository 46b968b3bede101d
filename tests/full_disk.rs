//! A full disk during ingest: the index lives on a 3 MiB tmpfs (mounted here; the tests run as
//! root, like the rest of the suite) and fills up part-way. jikoku stops with one clear message
//! naming the index and the cause, the index still opens and holds whole sources only (the
//! manifest and the events agree), and once there is room the same command adds exactly the
//! rest: the result equals a clean run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

const SOURCES: usize = 12;
const LINES: usize = 2000;

fn make_inputs(dir: &Path) {
    for f in 0..SOURCES {
        let mut s = String::new();
        for i in 0..LINES {
            s.push_str(&format!(
                "May {:>2} {:02}:{:02}:{:02} host{f} sshd[{}]: Failed password for user{} from 198.51.100.{} port {} ssh2\n",
                1 + f,
                (i / 3600) % 24,
                (i / 60) % 60,
                i % 60,
                1000 + i,
                i * 7919 % 10007,
                i % 250,
                1024 + i
            ));
        }
        std::fs::write(dir.join(format!("auth{f:02}.log")), s).unwrap();
    }
}

/// Unmounts on drop, also when an assertion fails.
struct Mount(PathBuf);

impl Mount {
    fn tmpfs(at: &Path, size: &str) -> Mount {
        std::fs::create_dir_all(at).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "mounting a tmpfs needs root (CAP_SYS_ADMIN): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Mount(at.to_path_buf())
    }

    fn resize(&self, size: &str) {
        let st = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(st.success());
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn ingest(idx: &Path, logs: &Path) -> std::process::Output {
    bin()
        .args(["ingest", "--commit-events", "2000", "--jobs", "2", "--tz", "UTC", "--year", "2024"])
        .arg("--index")
        .arg(idx)
        .arg(logs)
        .output()
        .unwrap()
}

/// path → offsets of its events.
fn events(idx: &Path) -> BTreeMap<String, Vec<u64>> {
    let out = bin().args(["search", "--output", "jsonl", "--index"]).arg(idx).output().unwrap();
    assert!(out.status.success(), "index does not open: {}", String::from_utf8_lossy(&out.stderr));
    let mut m: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        m.entry(v["log"]["file"]["path"].as_str().unwrap().to_string())
            .or_default()
            .push(v["log"]["offset"].as_u64().unwrap());
    }
    m
}

#[test]
fn a_full_disk_stops_cleanly_and_a_rerun_completes_the_index() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    make_inputs(&logs);
    let clean = work.path().join("clean");
    assert!(ingest(&clean, &logs).status.success());
    let want = events(&clean);
    assert_eq!(want.values().map(Vec::len).sum::<usize>(), SOURCES * LINES);

    let mnt = Mount::tmpfs(&work.path().join("small"), "3m");
    let idx = mnt.0.join("case");
    let out = ingest(&idx, &logs);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    // One clear message: the index, the cause, what it still holds, what to do.
    let msg: Vec<&str> = stderr.lines().filter(|l| l.starts_with("jikoku: ")).collect();
    assert_eq!(msg.len(), 1, "{stderr}");
    let got = events(&idx);
    let n = got.len();
    let held: usize = got.values().map(Vec::len).sum();
    assert!((1..SOURCES).contains(&n), "{n} sources before the disk filled");
    assert_eq!(
        msg[0],
        format!(
            "jikoku: writing the index {} failed: the disk is full (No space left on device (os error 28)); it still opens and holds the {n} sources ({held} events) committed before. Free space (or fix the cause) and run the same command again: indexed sources are skipped, the rest is added",
            idx.display()
        )
    );
    // Whole sources only, identical to the clean run's; the manifest agrees with the events.
    for (path, offsets) in &got {
        assert_eq!(Some(offsets), want.get(path), "{path} is partly indexed");
    }
    let out = bin().args(["sources", "--output", "jsonl", "--index"]).arg(&idx).output().unwrap();
    let manifest: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(manifest.len(), n);
    for m in &manifest {
        assert_eq!(m["events"].as_u64(), Some(LINES as u64));
        assert!(got.contains_key(m["path"].as_str().unwrap()));
    }

    // Room again: the same command adds exactly the rest.
    mnt.resize("64m");
    let out = ingest(&idx, &logs);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{} sources added ({} events, 0 pipeline errors), {n} already indexed",
            SOURCES - n,
            (SOURCES - n) * LINES
        )),
        "{stderr}"
    );
    assert_eq!(events(&idx), want);
}
