//! Per-format parse throughput of the library (one core): `cargo bench -p jikoku-bench`.
//!
//! The input is the largest plain member of each kind in a data set written by the generator
//! (seed 1, 16 MB), read into memory first; the parser runs over it and the records are counted
//! and dropped. Criterion reports records/s (`thrpt`); MB/s = records/s × bytes/record (printed
//! once per kind before its run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jikoku_bench::{Config, generate};
use jikoku_formats::{ParseOptions, registry};

fn parsers(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let m = generate(&Config { size: 16 << 20, seed: 1, out: dir.path().to_path_buf() }).unwrap();
    let mut kinds: Vec<&str> = m.files.iter().map(|f| f.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    for kind in kinds {
        let f =
            m.files.iter().filter(|f| f.kind == kind && !f.gzip).max_by_key(|f| f.bytes).unwrap();
        let bytes = std::fs::read(dir.path().join(&f.path)).unwrap();
        let parser = registry::find(match kind {
            "pacct.v3" => "acct",
            "wtmp" => "wtmp",
            "apache" | "nginx" => "http",
            _ => "syslog",
        })
        .unwrap();
        eprintln!(
            "{kind}: {} records, {} bytes ({:.1} bytes/record)",
            f.records,
            bytes.len(),
            bytes.len() as f64 / f.records as f64
        );
        g.throughput(Throughput::Elements(f.records));
        let opts = ParseOptions::default();
        g.bench_function(kind, |b| {
            b.iter(|| {
                let mut n = 0u64;
                let mut input: &[u8] = &bytes;
                parser.parse(&mut input, &opts, &mut |_r| n += 1).unwrap();
                assert_eq!(n, f.records);
                n
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parsers);
criterion_main!(benches);
