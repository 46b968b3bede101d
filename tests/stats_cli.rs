//! `jikoku stats`: without the `analytics` feature a clear message and exit 1; with it, the
//! ranked findings of a small Apache log (a webshell POSTed by one client, first seen late).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::process::Command;

fn log() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let mut f = std::fs::File::create(&path).unwrap();
    for d in 1..=20 {
        for c in 0..20 {
            writeln!(
                f,
                "198.51.100.{c} - - [{d:02}/May/2026:10:{c:02}:00 +0000] \"GET /index.php HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\""
            )
            .unwrap();
        }
    }
    for i in 0..6 {
        writeln!(
            f,
            "91.210.0.7 - - [20/May/2026:11:0{i}:00 +0000] \"POST /wp-content/uploads/2024/05/x7.php HTTP/1.1\" 200 80 \"-\" \"Mozilla/5.0\""
        )
        .unwrap();
    }
    (dir, path)
}

#[test]
fn stats_http() {
    let (_dir, path) = log();
    let out = Command::new(env!("CARGO_BIN_EXE_jikoku"))
        .args(["stats", "http", "--output", "csv"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if cfg!(feature = "analytics") {
        assert!(out.status.success(), "{stderr}");
        let mut lines = stdout.lines();
        assert_eq!(lines.next(), Some("rank,kind,score,subject,count,first_seen,last_seen,reason"));
        let first = lines.next().unwrap();
        assert!(
            first.starts_with("1,webshell,")
                && first.contains(",/wp-content/uploads/2024/05/x7.php,6,"),
            "{stdout}"
        );
    } else {
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains("built without analytics: cargo build --features analytics"),
            "{stderr}"
        );
        assert!(stdout.is_empty());
    }
}
