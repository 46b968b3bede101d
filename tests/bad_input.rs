//! Hostile trees and names: device files, FIFOs and sockets, symbolic-link loops (file and
//! directory level), links out of the image root, unreadable directories, path names with
//! newlines and terminal escapes, a line over the 16 MiB ceiling. Each case checks the exact
//! message, that the rest is ingested, and that what was skipped is recorded in the index.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

const LINE: &[u8] = b"Jan  1 00:00:01 h app[1]: x\n";
/// A name with a newline, a title-setting OSC, BEL, CR and an ESC that hides text.
const HOSTILE: &str = "evil\n\x1b]0;T\x07name\r\x1b[8m.log";
/// How jikoku shows it on a terminal.
const HOSTILE_SHOWN: &str = "evil⏎\\x1B]0;T\\x07name\\x0D\\x1B[8m.log";

fn mode(p: &Path, m: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
}

fn mknod(p: &Path, kind: &str, major: &str, minor: &str) {
    let st = Command::new("mknod").arg(p).args([kind, major, minor]).status().unwrap();
    assert!(st.success(), "mknod {kind} (the tests run as root)");
}

fn jsonl(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An image with every kind of special entry, ingested as an unprivileged user (so that the
/// unreadable directory is unreadable).
#[test]
fn image_with_devices_fifos_sockets_loops_unreadable_dirs_and_hostile_names() {
    let work = tempfile::tempdir().unwrap();
    mode(work.path(), 0o777);
    let root = work.path().join("img");
    let log = root.join("var/log");
    std::fs::create_dir_all(log.join("sub")).unwrap();
    std::fs::create_dir_all(log.join("locked")).unwrap();
    std::fs::write(log.join("ok.log"), LINE).unwrap();
    std::fs::write(log.join(HOSTILE), b"Jan  1 00:00:02 h app[1]: hostile name\n").unwrap();
    std::fs::write(log.join("locked/hidden.log"), LINE).unwrap();
    mknod(&log.join("null"), "c", "1", "3");
    mknod(&log.join("sda"), "b", "8", "0");
    assert!(Command::new("mkfifo").arg(log.join("fifo")).status().unwrap().success());
    let _sock = std::os::unix::net::UnixListener::bind(log.join("sock")).unwrap();
    std::os::unix::fs::symlink("loop2", log.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", log.join("loop2")).unwrap();
    std::os::unix::fs::symlink("self", log.join("self")).unwrap();
    std::os::unix::fs::symlink("..", log.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("/var/log", log.join("sub/root-loop")).unwrap();
    std::os::unix::fs::symlink("../../../../../../../../etc", log.join("escape")).unwrap();
    std::os::unix::fs::symlink("/dev/null", log.join("devnull")).unwrap();
    for d in ["", "var", "var/log", "var/log/sub"] {
        mode(&root.join(d), 0o755);
    }
    mode(&log.join("ok.log"), 0o644);
    mode(&log.join(HOSTILE), 0o644);
    mode(&log.join("locked"), 0o000);

    let case = work.path().join("case");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_jikoku"))
        .args(["ingest", "--image", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(&case)
        .arg(&root)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let problems: Vec<&str> = stderr.lines().filter_map(|l| l.strip_prefix("jikoku: ")).collect();
    let expected = [
        "/var/log/devnull: symbolic link points to nothing inside the image (dangling); not followed",
        "/var/log/escape: symbolic link leaves the image root; not followed",
        "/var/log/fifo: device, FIFO or socket; skipped",
        "/var/log/locked: Permission denied (os error 13)",
        "/var/log/loop1: symbolic link loops (more than 40 links); not followed",
        "/var/log/loop2: symbolic link loops (more than 40 links); not followed",
        "/var/log/null: device, FIFO or socket; skipped",
        "/var/log/sda: device, FIFO or socket; skipped",
        "/var/log/self: symbolic link loops (more than 40 links); not followed",
        "/var/log/sock: device, FIFO or socket; skipped",
        "/var/log/sub/root-loop: symbolic link to a directory; not descended",
        "/var/log/sub/up: symbolic link to a directory; not descended",
    ];
    assert_eq!(problems, expected, "{stderr}");
    // The hostile name is shown escaped: no raw control character reaches the terminal.
    assert!(
        stderr.contains(&format!(
            "/var/log/{HOSTILE_SHOWN}: 1 records = 1 events + 0 errors (syslog, year 2024 (option))"
        )),
        "{stderr}"
    );
    assert!(!stderr.chars().any(|c| c.is_control() && c != '\n'), "{stderr:?}");
    assert!(stderr.contains("/var/log/ok.log: 1 records = 1 events + 0 errors"), "{stderr}");

    // Recorded in the index: `jikoku sources` lists what was found and not indexed.
    let out = bin().args(["sources", "--index"]).arg(&case).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<&str> = table
        .split("found and not indexed:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("{table}"))
        .lines()
        .map(str::trim)
        .collect();
    assert_eq!(listed, expected);
    assert!(table.contains(&format!("/var/log/{HOSTILE_SHOWN}")), "{table}");
    assert!(!table.chars().any(|c| c.is_control() && c != '\n'), "{table:?}");

    // The events keep the real name, byte-exact, as data.
    let out = bin().args(["search", "--output", "jsonl", "--index"]).arg(&case).output().unwrap();
    let paths: Vec<String> = jsonl(&out)
        .iter()
        .map(|e| e["log"]["file"]["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["/var/log/ok.log".to_string(), format!("/var/log/{HOSTILE}")]);
    // Markdown and CSV: escaped / quoted.
    let out =
        bin().args(["search", "--output", "markdown", "--index"]).arg(&case).output().unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("| /var/log/evil \\\\x1B]0;T\\\\x07name\\\\x0D\\\\x1B[8m.log:1 |"), "{md}");
    let out = bin().args(["search", "--output", "csv", "--index"]).arg(&case).output().unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.contains(&format!(",\"/var/log/{HOSTILE}\",1,0,")), "{csv}");
}

/// Outside `--image`, directories are walked without following links: a loop cannot recurse,
/// and every skipped entry is named (exit status 1: something given was not read).
#[test]
fn plain_walk_does_not_follow_links_and_names_what_it_skips() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("logs");
    std::fs::create_dir_all(logs.join("d")).unwrap();
    std::fs::write(logs.join("a.log"), LINE).unwrap();
    std::os::unix::fs::symlink("..", logs.join("d/up")).unwrap();
    std::os::unix::fs::symlink("loop2", logs.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", logs.join("loop2")).unwrap();
    assert!(Command::new("mkfifo").arg(logs.join("fifo")).status().unwrap().success());
    mknod(&logs.join("null"), "c", "1", "3");
    let case = work.path().join("case");
    let out = bin()
        .args(["ingest", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(&case)
        .arg(&logs)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let l = logs.display();
    let problems: Vec<String> =
        stderr.lines().filter_map(|x| x.strip_prefix("jikoku: ")).map(String::from).collect();
    assert_eq!(
        problems,
        [
            format!("{l}/d/up: symbolic link; not followed"),
            format!("{l}/fifo: not a regular file; skipped"),
            format!("{l}/loop1: symbolic link; not followed"),
            format!("{l}/loop2: symbolic link; not followed"),
            format!("{l}/null: not a regular file; skipped"),
        ],
        "{stderr}"
    );
    assert!(stderr.contains("a.log: 1 records = 1 events + 0 errors"), "{stderr}");
    // A file given by name that is a FIFO is refused, not opened (opening would block).
    let out = bin().args(["parse", "--tz", "UTC"]).arg(logs.join("fifo")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fifo: not a regular file; skipped"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A line over 16 MiB: its first 16 MiB are kept in a pipeline error that says so; the next
/// line is read normally, at its true offset.
#[test]
fn a_line_over_16_mib_is_cut_kept_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.log");
    let mut data = b"Jan  1 00:00:01 h app[1]: ".to_vec();
    data.resize(17 << 20, b'A');
    data.extend_from_slice(b"\nJan  1 00:00:02 h app[1]: after\n");
    std::fs::write(&p, &data).unwrap();
    let out = bin().args(["parse", "--tz", "UTC", "--year", "2024"]).arg(&p).output().unwrap();
    assert!(out.status.success());
    let evs = jsonl(&out);
    assert_eq!(evs.len(), 2);
    assert_eq!(evs[0]["event"]["kind"], "pipeline_error");
    assert_eq!(evs[0]["error"]["message"], "line longer than 16777216 bytes; cut there");
    let original = evs[0]["event"]["original"].as_str().unwrap();
    assert_eq!(original.len(), 16 << 20);
    assert!(original.starts_with("Jan  1 00:00:01 h app[1]: AAAA"));
    assert_eq!(
        (evs[0]["log"]["offset"].as_u64(), evs[0]["jikoku"]["line"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(evs[1]["message"], "after");
    assert_eq!(evs[1]["log"]["offset"].as_u64(), Some((17 << 20) + 1));
    assert_eq!(evs[1]["jikoku"]["line"].as_u64(), Some(2));
}
