//! `jikoku-gen --size 100MB [--seed N] --out DIR`: writes a deterministic multi-host data set
//! (see the jikoku-bench crate docs) and `DIR/manifest.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use jikoku_bench::{Config, generate, parse_size};

fn main() -> ExitCode {
    let mut size = None;
    let mut seed = 1u64;
    let mut out: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--size" => size = args.next().as_deref().and_then(parse_size),
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).unwrap_or(seed),
            "--out" => out = args.next().map(PathBuf::from),
            _ => {
                eprintln!("usage: jikoku-gen --size 10MB..10GB [--seed N] --out DIR");
                return ExitCode::from(2);
            }
        }
    }
    let (Some(size), Some(out)) = (size, out) else {
        eprintln!("usage: jikoku-gen --size 10MB..10GB [--seed N] --out DIR");
        return ExitCode::from(2);
    };
    let t = std::time::Instant::now();
    match generate(&Config { size, seed, out: out.clone() }) {
        Ok(m) => {
            eprintln!(
                "{}: {} files, {} records, {:.1} MB ({:.1} MB on disk) in {:.1} s; incident: {} from {} on {} at {}",
                out.display(),
                m.files.len(),
                m.records,
                m.bytes as f64 / 1e6,
                m.stored as f64 / 1e6,
                t.elapsed().as_secs_f64(),
                m.incident.user,
                m.incident.ip,
                m.incident.host,
                m.incident.login_utc
            );
            for (k, n) in &m.records_by_kind {
                eprintln!(
                    "  {k:<16} {n:>12} records {:>10.1} MB",
                    m.bytes_by_kind.get(k).copied().unwrap_or(0) as f64 / 1e6
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("jikoku-gen: {e:#}");
            ExitCode::FAILURE
        }
    }
}
