//! A planted XSS / spreadsheet-formula / terminal-escape / Markdown payload in a line of every log
//! family (syslog message, sshd user, sudo command, postfix `from=`, HTTP URL and User-Agent,
//! accounting command name, wtmp host) stays inert in every output format of `search`,
//! `timeline` and `at`: table, jsonl, csv, timesketch, l2tcsv, markdown. (HTML is tested with
//! the HTML report.) Inert means, per format:
//! - table: no control character, ESC sequence or C1 control reaches the terminal; they are shown
//!   as `\xNN` / `\u{NNNN}`;
//! - markdown: no control character, no raw `<`, and no row has more cells than the header;
//! - csv, l2tcsv: no cell starts with `=`, `+`, `-`, `@`, TAB or CR (a lone `-` excepted), and
//!   the file parses back into rows of the header's width;
//! - jsonl, timesketch: every line is one JSON object, control characters are JSON escapes, and
//!   the payload comes back byte-exact (data is kept, not cleaned).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_jikoku"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The payload, tagged per family so that each can be found in the outputs. No spaces (it must
/// fit in a user name), starts with `=` (a formula when a cell begins with it).
fn payload(tag: &str) -> String {
    format!(
        "=HYPERLINK(\"http://evil.example/{tag}\")<script>alert('{tag}')</script>\x1b]0;pwned-{tag}\x07\x1b[2J\r\x1b[8m|hidden|{tag}`x`"
    )
}

/// 2024-01-01T00:00:00Z.
const T0: u32 = 1_704_067_200;

fn write_logs(dir: &Path) {
    let mut syslog = String::new();
    // syslog message (a program no decoder claims).
    syslog.push_str(&format!("Jan  1 00:00:01 host app[1]: {}\n", payload("SYSLOG")));
    // sshd user name.
    syslog.push_str(&format!(
        "Jan  1 00:00:02 host sshd[2]: Failed password for invalid user {} from 203.0.113.9 port 2222 ssh2\n",
        payload("SSHD")
    ));
    // sudo command.
    syslog.push_str(&format!(
        "Jan  1 00:00:03 host sudo[3]:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/echo {}\n",
        payload("SUDO")
    ));
    // postfix from=.
    syslog.push_str(&format!(
        "Jan  1 00:00:04 host postfix/qmgr[4]: 4F9D83A2B1: from=<{}@evil.example>, size=100, nrcpt=1 (queue active)\n",
        payload("POSTFIX")
    ));
    std::fs::write(dir.join("auth.log"), syslog).unwrap();

    // HTTP: the URL and the User-Agent (raw bytes, as a hostile file would hold them).
    let http = format!(
        "203.0.113.9 - - [01/Jan/2024:00:00:05 +0000] \"GET /{} HTTP/1.1\" 200 10 \"-\" \"{}\"\n",
        payload("URL").replace(' ', "%20"),
        payload("UA").replace('"', "'")
    );
    std::fs::write(dir.join("access.log"), http).unwrap();

    // acct v3: the first record of a real file, with the command name replaced (16 bytes) and
    // the start time moved to 2024-01-01T00:00:06Z.
    let fx = root().join("crates/jikoku-formats/tests/fixtures");
    let mut acct = std::fs::read(fx.join("acct/pacct-v3.bin")).unwrap()[..64].to_vec();
    assert_eq!(acct[1], 3, "acct v3 record");
    let comm = b"=\x1b]0;T\x07<s>|\x1b[2J\0";
    assert_eq!(comm.len(), 16);
    acct[48..64].copy_from_slice(comm);
    acct[24..28].copy_from_slice(&(T0 + 6).to_le_bytes());
    std::fs::write(dir.join("pacct"), &acct).unwrap();

    // wtmp: a USER_PROCESS record of a real file, with the host replaced (256 bytes) and the
    // time moved to 2024-01-01T00:00:07Z.
    let w = std::fs::read(fx.join("utmp/wtmp.bin")).unwrap();
    let mut rec = w
        .chunks(384)
        .find(|r| u32::from_le_bytes(r[0..4].try_into().unwrap()) == 7)
        .expect("a USER_PROCESS record")
        .to_vec();
    let host = payload("WTMP");
    let mut h = host.as_bytes().to_vec();
    h.resize(256, 0);
    rec[76..332].copy_from_slice(&h);
    rec[340..344].copy_from_slice(&(T0 + 7).to_le_bytes());
    rec[344..348].copy_from_slice(&0u32.to_le_bytes());
    std::fs::write(dir.join("wtmp"), &rec).unwrap();
}

const TAGS: &[&str] = &["SYSLOG", "SSHD", "SUDO", "POSTFIX", "URL", "UA", "WTMP"];

fn run(args: &[&str], idx: &Path) -> String {
    let out = bin().args(args).arg("--index").arg(idx).output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn no_controls(what: &str, s: &str) {
    for (i, c) in s.char_indices() {
        let u = c as u32;
        let bad = (u < 0x20 && c != '\n') || u == 0x7f || (0x80..0xa0).contains(&u);
        assert!(
            !bad,
            "{what}: control U+{u:04X} at byte {i}: {:?}",
            s.get(i.saturating_sub(40)..i)
        );
    }
}

/// RFC 4180 rows.
fn csv_rows(s: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(!quoted, "unterminated quoted cell");
    rows
}

fn check_csv(what: &str, s: &str) {
    let rows = csv_rows(s);
    let width = rows[0].len();
    assert!(rows.len() > 1, "{what}: no rows");
    // The header row is jikoku's own text (`@timestamp`); the rows are checked.
    for r in rows.iter().skip(1) {
        assert_eq!(r.len(), width, "{what}: row {r:?}");
        for c in r {
            assert!(
                c == "-" || !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{what}: cell {c:?} would run as a formula"
            );
        }
    }
}

/// Cells of a Markdown table row: split on `|` not preceded by a backslash.
fn md_cells(line: &str) -> usize {
    let mut n = 0;
    let mut prev = ' ';
    for c in line.chars() {
        if c == '|' && prev != '\\' {
            n += 1;
        }
        prev = if prev == '\\' && c == '\\' { ' ' } else { c };
    }
    n
}

fn check_markdown(what: &str, s: &str) {
    no_controls(what, s);
    assert!(!s.contains('<'), "{what}: raw '<' in {s}");
    let mut width = None;
    for l in s.lines().filter(|l| l.starts_with('|')) {
        let n = md_cells(l);
        match width {
            None => width = Some(n),
            // A new table (the `at` answer has several) starts with a header row of its own.
            Some(w) => assert!(n <= w || l.contains("---"), "{what}: row breaks the table: {l}"),
        }
        if l.starts_with("|---") {
            width = Some(n);
        }
    }
}

fn check_json(what: &str, s: &str, tags: &[&str]) {
    no_controls(what, s);
    let mut seen = vec![];
    for l in s.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        assert!(v.is_object());
        let text = v.to_string();
        for t in tags {
            // The payload comes back whole: ESC, BEL, CR are data.
            if text.contains(&format!("pwned-{t}")) {
                assert!(
                    l.contains(&format!("\\u001b]0;pwned-{t}\\u0007\\u001b[2J\\r\\u001b[8m")),
                    "{what}: {t} payload not kept byte-exact in {l}"
                );
                seen.push(*t);
            }
        }
    }
    for t in tags {
        assert!(seen.contains(t), "{what}: payload {t} missing");
    }
}

#[test]
fn planted_payloads_stay_inert_in_every_output() {
    let work = tempfile::tempdir().unwrap();
    let logs = work.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    write_logs(&logs);
    let idx = work.path().join("idx");
    let out = bin()
        .args(["ingest", "--tz", "UTC", "--year", "2024", "--index"])
        .arg(&idx)
        .arg(&logs)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The ingest summary itself shows no raw control character.
    no_controls("ingest summary", &stderr);

    // Every family parsed into a real event (not a pipeline error) carrying its payload.
    let all: Vec<Value> = run(&["search", "--output", "jsonl"], &idx)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |dataset: &str| -> &Value {
        all.iter()
            .find(|e| e["event"]["dataset"].as_str().unwrap().starts_with(dataset))
            .unwrap_or_else(|| panic!("no {dataset} event in {all:#?}"))
    };
    assert!(all.iter().all(|e| e["event"]["kind"] == "event"), "{all:#?}");
    assert_eq!(find("auth.sshd")["user"]["name"], payload("SSHD"));
    assert!(
        find("sudo.syslog")["process"]["command_line"]
            .as_str()
            .unwrap()
            .ends_with(&payload("SUDO"))
    );
    assert_eq!(
        find("mail.postfix")["email"]["from"]["address"][0],
        format!("{}@evil.example", payload("POSTFIX"))
    );
    assert_eq!(find("mail.postfix")["jikoku"]["mail"]["size"], 100);
    let http =
        all.iter().find(|e| e["event"]["dataset"].as_str().unwrap().starts_with("http")).unwrap();
    assert!(http["url"]["original"].as_str().unwrap().contains("pwned-URL"));
    assert_eq!(http["user_agent"]["original"], payload("UA").replace('"', "'"));
    assert_eq!(find("acct.")["process"]["name"], "=\x1b]0;T\x07<s>|\x1b[2J");
    assert_eq!(find("login.wtmp")["source"]["address"], payload("WTMP"));

    for cmd in ["search", "timeline"] {
        let what = |f: &str| format!("{cmd} --output {f}");
        let table = run(&[cmd, "--output", "table"], &idx);
        no_controls(&what("table"), &table);
        assert!(table.contains("\\x1B]0;pwned-SYSLOG\\x07\\x1B[2J\\x0D\\x1B[8m"), "{table}");
        check_markdown(&what("markdown"), &run(&[cmd, "--output", "markdown"], &idx));
        check_csv(&what("csv"), &run(&[cmd, "--output", "csv"], &idx));
        check_csv(&what("l2tcsv"), &run(&[cmd, "--output", "l2tcsv"], &idx));
        check_json(&what("jsonl"), &run(&[cmd, "--output", "jsonl"], &idx), TAGS);
        check_json(&what("timesketch"), &run(&[cmd, "--output", "timesketch"], &idx), TAGS);
    }
    for f in ["table", "markdown", "jsonl"] {
        let s = run(&["at", "2024-01-01T00:00:04Z", "--window", "1h", "--output", f], &idx);
        let what = format!("at --output {f}");
        match f {
            "table" => no_controls(&what, &s),
            "markdown" => check_markdown(&what, &s),
            _ => no_controls(&what, &s),
        }
        assert!(s.contains("pwned"), "{what}: the payload events are not in the answer: {s}");
    }
}
