//! `jikoku-bench --data DIR [--jikoku PATH] [--index DIR] [--jobs N] [--repeat N] [--queries N]`:
//! the end-to-end benchmark over a data set written by `jikoku-gen`.
//!
//! Runs the `jikoku` binary as a user would and prints a Markdown table:
//! - `jikoku parse FILE > /dev/null` on the largest plain member of each kind (best of `--repeat`);
//! - `jikoku ingest --image --jobs N` of every host into one index: wall time, events/s, peak RSS;
//! - the index size on disk against the raw size;
//! - `search` and `at` latency (p50/p99 over `--queries` runs each; a run is a whole process).
//!
//! Peak RSS is the child's `VmHWM` (/proc/PID/status), sampled every 5 ms until it exits; the
//! load average (/proc/loadavg) is printed beside each number, since the machine may be shared.

#![allow(clippy::indexing_slicing)] // serde_json::Value[...] yields Null for a missing key; it never panics

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;

struct Run {
    secs: f64,
    peak_rss_kb: u64,
    load: String,
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn hwm_kb(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs a command with stdout to /dev/null; fails on a non-zero exit.
fn run(cmd: &mut Command) -> Result<Run> {
    let load = load();
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("{cmd:?}"))?;
    let pid = child.id();
    let mut peak = 0;
    let mut stderr = child.stderr.take();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(e) = stderr.as_mut() {
            let _ = std::io::Read::read_to_string(e, &mut s);
        }
        s
    });
    let status = loop {
        if let Some(kb) = hwm_kb(pid) {
            peak = peak.max(kb);
        }
        if let Some(st) = child.try_wait()? {
            break st;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let secs = t.elapsed().as_secs_f64();
    let err = err_thread.join().unwrap_or_default();
    if !status.success() && status.code() != Some(1) {
        bail!("{cmd:?}: {status}\n{err}");
    }
    Ok(Run { secs, peak_rss_kb: peak, load })
}

fn best_of(n: usize, mut f: impl FnMut() -> Result<Run>) -> Result<Run> {
    let mut best: Option<Run> = None;
    for _ in 0..n.max(1) {
        let r = f()?;
        if best.as_ref().is_none_or(|b| r.secs < b.secs) {
            best = Some(r);
        }
    }
    best.context("no run")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn du(p: &Path) -> u64 {
    let mut n = 0;
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => n += du(&e.path()),
                Ok(m) => n += m.len(),
                Err(_) => {}
            }
        }
    }
    n
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jikoku-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<()> {
    let mut data: Option<PathBuf> = None;
    let mut jikoku = PathBuf::from("target/release/jikoku");
    let mut index: Option<PathBuf> = None;
    let mut jobs = 2usize;
    let mut repeat = 3usize;
    let mut queries = 20usize;
    let mut skip_parse = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().context(format!("{a} needs a value"));
        match a.as_str() {
            "--data" => data = Some(PathBuf::from(val()?)),
            "--jikoku" => jikoku = PathBuf::from(val()?),
            "--index" => index = Some(PathBuf::from(val()?)),
            "--jobs" => jobs = val()?.parse()?,
            "--repeat" => repeat = val()?.parse()?,
            "--queries" => queries = val()?.parse()?,
            "--skip-parse" => skip_parse = true,
            _ => bail!(
                "usage: jikoku-bench --data DIR [--jikoku PATH] [--index DIR] [--jobs N] [--repeat N] [--queries N] [--skip-parse]"
            ),
        }
    }
    let data = data.context("--data DIR (written by jikoku-gen) is required")?;
    let index = index.unwrap_or_else(|| data.with_extension("index"));
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("manifest.json")).context("manifest.json")?,
    )?;
    let files = manifest["files"].as_array().cloned().unwrap_or_default();
    let total_bytes = manifest["bytes"].as_u64().unwrap_or(0);
    let total_stored = manifest["stored"].as_u64().unwrap_or(0);
    let total_records = manifest["records"].as_u64().unwrap_or(0);
    println!(
        "data: {} ({:.1} MB, {:.1} MB on disk, {} records); jikoku: {}; jobs {jobs}; cores {}",
        data.display(),
        total_bytes as f64 / 1e6,
        total_stored as f64 / 1e6,
        total_records,
        jikoku.display(),
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!();
    println!("| measurement | result | load |");
    println!("|---|---|---|");

    if !skip_parse {
        let mut kinds: Vec<String> =
            files.iter().filter_map(|f| f["kind"].as_str().map(str::to_string)).collect();
        kinds.sort();
        kinds.dedup();
        for kind in kinds {
            let Some(f) = files
                .iter()
                .filter(|f| f["kind"] == kind.as_str() && f["gzip"] == false)
                .max_by_key(|f| f["bytes"].as_u64().unwrap_or(0))
            else {
                continue;
            };
            let path = data.join(f["path"].as_str().unwrap_or(""));
            let (bytes, records) =
                (f["bytes"].as_u64().unwrap_or(0), f["records"].as_u64().unwrap_or(0));
            let r = best_of(repeat, || {
                run(Command::new(&jikoku)
                    .args(["parse", "--tz", "UTC", "--year", "2025"])
                    .arg(&path))
            })?;
            println!(
                "| `jikoku parse` {kind} ({:.1} MB, {records} records) | {:.2} s: {:.0} records/s, {:.1} MB/s, peak RSS {} MB | {} |",
                bytes as f64 / 1e6,
                r.secs,
                records as f64 / r.secs,
                bytes as f64 / 1e6 / r.secs,
                r.peak_rss_kb / 1024,
                r.load
            );
        }
    }

    // Ingest every host into one index.
    let _ = std::fs::remove_dir_all(&index);
    let mut hosts: Vec<PathBuf> = std::fs::read_dir(&data)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("etc/hostname").exists())
        .collect();
    hosts.sort();
    let mut wall = 0.0;
    let mut peak = 0;
    let mut loads = vec![];
    for h in &hosts {
        let r = run(Command::new(&jikoku)
            .args(["ingest", "--index"])
            .arg(&index)
            .args(["--image", "--jobs", &jobs.to_string()])
            .arg(h))?;
        wall += r.secs;
        peak = peak.max(r.peak_rss_kb);
        loads.push(r.load);
    }
    let idx = du(&index);
    println!(
        "| `jikoku ingest --image --jobs {jobs}` ({} hosts, {} records, {:.1} MB) | {:.1} s: {:.0} events/s, {:.1} MB/s, peak RSS {} MB | {} |",
        hosts.len(),
        total_records,
        total_bytes as f64 / 1e6,
        wall,
        total_records as f64 / wall,
        total_bytes as f64 / 1e6 / wall,
        peak / 1024,
        loads.join(" ")
    );
    println!(
        "| index size | {:.1} MB = {:.0}% of raw ({:.0} bytes/event, {:.0} MB per million events) | |",
        idx as f64 / 1e6,
        100.0 * idx as f64 / total_bytes.max(1) as f64,
        idx as f64 / total_records.max(1) as f64,
        idx as f64 / total_records.max(1) as f64
    );

    let at_time = manifest["incident"]["login_utc"].as_str().unwrap_or("2025-03-20T14:31:00Z");
    let ip = manifest["incident"]["ip"].as_str().unwrap_or("203.0.113.66").to_string();
    let searches: Vec<(String, Vec<String>)> = vec![
        ("search top 10 of all".into(), vec!["--limit".into(), "10".into(), String::new()]),
        (
            "search `event.outcome:failure` top 10".into(),
            vec!["--limit".into(), "10".into(), "event.outcome:failure".into()],
        ),
        (
            "search text `password` top 10".into(),
            vec!["--limit".into(), "10".into(), "password".into()],
        ),
        (format!("search `source.ip:{ip}` (all hits)"), vec![format!("source.ip:{ip}")]),
        (
            "search `host.name:web01 AND user.name:deploy` (all hits)".into(),
            vec!["host.name:web01 AND user.name:deploy".into()],
        ),
    ];
    for (label, a) in &searches {
        let mut times = vec![];
        let mut peak = 0;
        let l = load();
        for _ in 0..queries.max(1) {
            let r = run(Command::new(&jikoku)
                .args(["search", "--index"])
                .arg(&index)
                .args(["--output", "jsonl"])
                .args(a))?;
            times.push(r.secs);
            peak = peak.max(r.peak_rss_kb);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {label} | p50 {:.0} ms, p99 {:.0} ms, peak RSS {} MB | {l} |",
            percentile(&times, 0.5) * 1e3,
            percentile(&times, 0.99) * 1e3,
            peak / 1024
        );
    }
    for window in ["5m", "1h"] {
        let mut times = vec![];
        let mut peak = 0;
        let l = load();
        for _ in 0..queries.max(1) {
            let r = run(Command::new(&jikoku)
                .args(["at", at_time, "--index"])
                .arg(&index)
                .args(["--window", window, "--output", "jsonl"]))?;
            times.push(r.secs);
            peak = peak.max(r.peak_rss_kb);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| `jikoku at {at_time} --window {window}` | p50 {:.0} ms, p99 {:.0} ms, peak RSS {} MB | {l} |",
            percentile(&times, 0.5) * 1e3,
            percentile(&times, 0.99) * 1e3,
            peak / 1024
        );
    }
    Ok(())
}
