//! A source that grows or is truncated while it is read. Its hashes are taken first; then it
//! is read once when `--year` is given (`opts()`) or its parser has a times probe (syslog, also
//! without `--year`: `two_pass()`), twice otherwise (years first, then events: sudo's log file
//! without `--year`). The file is changed at the moment `gate` runs: before the first event,
//! after the hashes (and after the first pass when there are two).
//! - Grown: the second pass reads exactly the stored bytes the first pass hashed; the events are
//!   those of the file as first read (consistent with its recorded SHA-256), and a warning says
//!   the file changed and must be re-acquired.
//! - Truncated: what is still there is indexed; the warning gives both hashes and both record
//!   counts.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;

use jikoku_ingest::{Input, Options, process_streaming};

const LINES: &str = "Jan  1 00:00:01 h app[1]: one\nJan  1 00:00:02 h app[1]: two\nJan  1 00:00:03 h app[1]: three\n";

fn opts() -> Options {
    Options { tz: Some(chrono_tz::UTC), year: Some(2024), ..Default::default() }
}

/// Without `--year`: yearless lines need the whole file's times first (two passes).
fn two_pass() -> Options {
    Options { year: None, ..opts() }
}

fn sha(b: &[u8]) -> String {
    jikoku_ingest::open_reader(Box::new(std::io::Cursor::new(b.to_vec())))
        .map(|mut o| {
            std::io::copy(&mut o.reader, &mut std::io::sink()).unwrap();
            o.sha256()
        })
        .unwrap()
}

#[test]
fn a_file_that_grows_while_read_is_indexed_as_first_read() {
    for o in [opts(), two_pass()] {
        grows(&o);
    }
}

fn grows(o: &Options) {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("grow.log");
    std::fs::write(&p, LINES).unwrap();
    let input = Input { path: p.clone(), display: "grow.log".into() };
    let mut messages = vec![];
    let report = process_streaming(
        &input,
        o,
        &mut |_| {
            let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
            f.write_all(b"Jan  1 00:00:04 h app[1]: four\nJan  1 00:00:05 h app[1]: five\n")
                .unwrap();
            true
        },
        &mut |e| messages.push(e.message.clone().unwrap()),
    )
    .unwrap();
    assert_eq!(messages, ["one", "two", "three"]);
    assert_eq!((report.records, report.events, report.errors), (3, 3, 0));
    assert_eq!(report.sha256, sha(LINES.as_bytes()));
    assert_eq!((LINES.len(), report.read_bytes), (92, 92));
    assert_eq!(
        report.warnings,
        [format!(
            "the source changed while it was read (92 bytes when opened, 154 now): the 92 bytes read first (SHA-256 {}) were indexed; re-acquire it",
            sha(LINES.as_bytes())
        )]
    );
}

/// sudo's own log file: yearless, and its parser has no times probe, so without `--year` it is
/// still read twice (years first, then events).
const SUDO_LINES: &str = "Jan  1 00:00:01 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/one\nJan  1 00:00:02 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/two\nJan  1 00:00:03 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/three\n";

#[test]
fn a_file_truncated_while_read_keeps_what_is_left_and_says_so() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("trunc.log");
    std::fs::write(&p, SUDO_LINES).unwrap();
    let input = Input { path: p.clone(), display: "trunc.log".into() };
    let mut commands = vec![];
    let first_line = SUDO_LINES.lines().next().unwrap().len() as u64 + 1;
    // Two passes: the first read all three records; the second finds one.
    let report = process_streaming(
        &input,
        &Options { format: Some("sudo.logfile".into()), ..two_pass() },
        &mut |_| {
            std::fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(first_line).unwrap();
            true
        },
        &mut |e| commands.push(e.process.command_line.clone().unwrap()),
    )
    .unwrap();
    assert_eq!(commands, ["/bin/one"]);
    assert_eq!((report.records, report.events, report.errors), (1, 1, 0));
    assert_eq!(
        report.warnings,
        [format!(
            "the source changed while it was read (SHA-256 {} then {}; 3 then 1 records): re-acquire it",
            sha(SUDO_LINES.as_bytes()),
            sha(&SUDO_LINES.as_bytes()[..first_line as usize])
        )]
    );
}

#[test]
fn an_unchanged_file_has_no_warning() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("same.log");
    std::fs::write(&p, LINES).unwrap();
    let input = Input { path: p, display: "same.log".into() };
    for o in [opts(), two_pass()] {
        let report = process_streaming(&input, &o, &mut |_| true, &mut |_| {}).unwrap();
        assert_eq!(report.events, 3);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }
}

/// One pass, two passes, or one pass that falls back to a second at its first yearless record:
/// the events and counts are those of the in-memory path (`process_file`), byte for byte.
#[test]
fn streaming_gives_the_events_of_the_in_memory_path() {
    let dated = "2025-03-01T10:00:00+09:00 h app[1]: a\n2025-03-01T10:00:01+09:00 h app[1]: b\n";
    let cases: [(&str, String); 5] = [
        ("dated", dated.to_string()),
        ("yearless", LINES.to_string()),
        (
            "dated then yearless",
            format!("{dated}Dec 31 23:59:59 h app[1]: c\nJan  1 00:00:00 h app[1]: d\n"),
        ),
        ("yearless then dated", format!("Dec 31 23:59:59 h app[1]: c\n{dated}")),
        ("errors only", "\u{1}\u{2}\n".to_string()),
    ];
    let sudo = [("sudo log file (two passes)", SUDO_LINES.to_string())];
    // A continuation the sudo decoder absorbs is a record to the times probe, not to the parse;
    // here it is the only line after New Year.
    let absorbed = "Dec 31 23:59:59 h sudo:    alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/echo aaaa\nJan  1 00:00:00 h sudo:    alice : (command continued) bbbb\n";
    let cases = cases.into_iter().chain([("absorbed continuation", absorbed.to_string())]);
    let cases = cases.map(|(w, t)| (w, t, "syslog"));
    for (what, text, format) in cases.chain(sudo.into_iter().map(|(w, t)| (w, t, "sudo.logfile"))) {
        for o in [opts(), two_pass()] {
            let d = tempfile::tempdir().unwrap();
            let p = d.path().join("x.log");
            std::fs::write(&p, &text).unwrap();
            let input = Input { path: p, display: "x.log".into() };
            let o = Options { format: Some(format.into()), ..o };
            let mut want = vec![];
            let r1 =
                jikoku_ingest::process_file(&input, &o, &mut |e| want.push(e.to_json())).unwrap();
            let mut got = vec![];
            let mut gates = 0;
            let r2 = process_streaming(
                &input,
                &o,
                &mut |_| {
                    gates += 1;
                    true
                },
                &mut |e| got.push(e.to_json()),
            )
            .unwrap();
            assert_eq!(got, want, "{what} (year {:?})", o.year);
            assert_eq!(gates, 1, "{what}");
            assert_eq!(
                (
                    r2.records,
                    r2.events,
                    r2.errors,
                    &r2.year,
                    &r2.sha256,
                    &r2.first_yearless,
                    &r2.zone
                ),
                (
                    r1.records,
                    r1.events,
                    r1.errors,
                    &r1.year,
                    &r1.sha256,
                    &r1.first_yearless,
                    &r1.zone
                ),
                "{what} (year {:?})",
                o.year
            );
            assert_eq!(r2.warnings, r1.warnings, "{what}");
        }
    }
}
