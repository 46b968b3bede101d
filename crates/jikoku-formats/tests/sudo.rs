//! sudo fixtures produced by real sudo 1.9.13p3 (tests/fixtures/sudo/gen.py, gen_wrap.py) plus
//! copies of the sudo project's regression data and the shared real samples (see
//! tests/fixtures/sudo/README.md). The truth is what sudo was asked to run (truth.jsonl,
//! wrap/commands.jsonl) and, for the corpus, the sudo project's own golden outputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice,
    clippy::type_complexity
)]
use std::fs;
use std::path::{Path, PathBuf};

use jikoku_core::Event;
use jikoku_formats::sudo::iolog::SudoIologParser;
use jikoku_formats::sudo::json::SudoJsonParser;
use jikoku_formats::sudo::logfile::SudoLogfileParser;
use jikoku_formats::sudo::syslog::SudoDecoder;
use jikoku_formats::sudo::{Body, decode_escapes, render_command};
use jikoku_formats::{Head, MessageDecoder, ParseOptions, Parser, Record, registry};
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sudo").join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    fs::read(fixture(rel)).unwrap_or_else(|e| panic!("missing fixture {rel}: {e}"))
}

fn parse_with(p: &dyn Parser, rel: &str) -> Vec<Record> {
    let data = read(rel);
    let mut out = vec![];
    let mut r: &[u8] = &data;
    let opts = ParseOptions { source_path: Some(rel.to_string()), ..Default::default() };
    p.parse(&mut r, &opts, &mut |rec| out.push(rec)).unwrap();
    out
}

fn events(recs: &[Record]) -> Vec<&Event> {
    recs.iter().filter(|r| !r.is_error()).map(|r| &*r.event).collect()
}

fn extra<'a>(e: &'a Event, k: &str) -> Option<&'a str> {
    e.extra("sudo", k).and_then(Value::as_str)
}

/// One sudo invocation of gen.py.
#[derive(Debug, Clone)]
struct Run {
    user: String,
    runas: String,
    group: Option<String>,
    argv: Vec<String>,
    tty: bool,
    cwd: String,
    tag: String,
}

/// truth.jsonl: sections (`{"file": …}`) of runs.
fn truth() -> Vec<(String, Vec<Run>)> {
    let text = String::from_utf8(read("truth.jsonl")).unwrap();
    let mut out: Vec<(String, Vec<Run>)> = vec![];
    for l in text.lines() {
        let v: Value = serde_json::from_str(l).unwrap();
        if let Some(f) = v.get("file").and_then(Value::as_str) {
            out.push((f.to_string(), vec![]));
            continue;
        }
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        out.last_mut().unwrap().1.push(Run {
            user: s("user").unwrap(),
            runas: s("runas").unwrap(),
            group: s("group"),
            argv: v["argv"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect(),
            tty: v["tty"].as_bool().unwrap(),
            cwd: s("cwd").unwrap(),
            tag: s("tag").unwrap(),
        });
    }
    out
}

fn section(name: &str) -> Vec<Run> {
    truth().into_iter().find(|(f, _)| f == name).unwrap_or_else(|| panic!("no truth for {name}")).1
}

/// What sudo logs for a run, as (kind, reason, exit, signal), in order (log_exit_status on).
fn expected_records(
    r: &Run,
) -> Vec<(&'static str, Option<&'static str>, Option<i64>, Option<&'static str>)> {
    match r.tag.as_str() {
        "3-bad-passwords" => {
            vec![("sudo-auth-failure", Some("3 incorrect password attempts"), None, None)]
        }
        "password-required" => {
            vec![("sudo-auth-failure", Some("a password is required"), None, None)]
        }
        "not-allowed" => vec![("sudo-denied", Some("command not allowed"), None, None)],
        "not-in-sudoers" => vec![("sudo-denied", Some("user NOT in sudoers"), None, None)],
        "env-not-allowed" => vec![(
            "sudo-denied",
            Some("sorry, you are not allowed to set the following environment variables: FOO"),
            None,
            None,
        )],
        // not written to the log file by sudo 1.9.13 (syslog only, or not logged at all)
        "no-password-eof" | "unknown-user" | "list-cmd" => vec![],
        "exit-3" => vec![("start", None, None, None), ("end", None, Some(3), None)],
        "signal" => vec![("start", None, None, None), ("end", None, Some(143), Some("TERM"))],
        _ => vec![("start", None, None, None), ("end", None, Some(0), None)],
    }
}

/// The command line sudo was asked to run, rendered like sudo's COMMAND= (env assignments split off).
fn expected_command(r: &Run) -> (String, Option<String>) {
    let mut env = vec![];
    let mut it = r.argv.iter().peekable();
    while let Some(a) = it.peek() {
        if a.contains('=') && !a.starts_with('/') {
            env.push(a.to_string());
            it.next();
        } else {
            break;
        }
    }
    let cmd = it.next().unwrap().clone();
    let args: Vec<&str> = it.map(String::as_str).collect();
    (render_command(&cmd, &args), if env.is_empty() { None } else { Some(env.join(" ")) })
}

/// Checks every event against the runs of gen.py; returns the number of events checked.
fn check_against_truth(evs: &[&Event], runs: &[Run], file: &str) -> usize {
    check_runs(evs, runs, file, true)
}

/// `check_env`: sudo's JSON does not say which variables the user set (no `ENV=`).
fn check_runs(evs: &[&Event], runs: &[Run], file: &str, check_env: bool) -> usize {
    let mut i = 0;
    for r in runs {
        for (kind, reason, exit, signal) in expected_records(r) {
            let e = evs.get(i).unwrap_or_else(|| panic!("{file}: missing event for {r:?}"));
            let ctx = format!("{file} event {i} ({})", r.tag);
            let (cmd, env) = expected_command(r);
            assert_eq!(e.user.name.as_deref(), Some(r.user.as_str()), "{ctx} user.name");
            assert_eq!(
                e.user.target.name.as_deref(),
                Some(r.runas.as_str()),
                "{ctx} user.target.name"
            );
            assert_eq!(
                e.user.target.group.as_ref().and_then(|g| g.name.clone()),
                r.group.clone(),
                "{ctx} user.target.group.name"
            );
            assert_eq!(
                e.process.command_line.as_deref(),
                Some(cmd.as_str()),
                "{ctx} process.command_line"
            );
            assert_eq!(
                e.process.executable.as_deref(),
                cmd.split(' ').next(),
                "{ctx} process.executable"
            );
            assert_eq!(
                e.process.working_directory.as_deref(),
                Some(r.cwd.as_str()),
                "{ctx} working_directory"
            );
            // script(1) gave the pty; its number varies between runs
            assert_eq!(
                e.jikoku.tty.as_deref().map(|t| t.starts_with("pts/")),
                r.tty.then_some(true),
                "{ctx} jikoku.tty"
            );
            if check_env {
                assert_eq!(extra(e, "env"), env.as_deref(), "{ctx} jikoku.sudo.env");
            }
            assert_eq!(e.event.reason.as_deref(), reason, "{ctx} event.reason");
            assert_eq!(e.process.exit_code, exit, "{ctx} process.exit_code");
            assert_eq!(extra(e, "signal"), signal, "{ctx} jikoku.sudo.signal");
            match kind {
                "start" | "end" => {
                    assert_eq!(e.event.action.as_deref(), Some("sudo-command"), "{ctx}");
                    assert_eq!(e.event.category, vec!["process"], "{ctx}");
                    assert_eq!(e.event.kind_type, vec![kind], "{ctx}");
                    assert_eq!(e.event.outcome.as_deref(), Some("success"), "{ctx}");
                }
                "sudo-auth-failure" => {
                    assert_eq!(e.event.action.as_deref(), Some(kind), "{ctx}");
                    assert_eq!(e.event.category, vec!["authentication"], "{ctx}");
                    assert_eq!(e.event.outcome.as_deref(), Some("failure"), "{ctx}");
                }
                _ => {
                    assert_eq!(e.event.action.as_deref(), Some(kind), "{ctx}");
                    assert_eq!(e.event.category, vec!["process"], "{ctx}");
                    assert_eq!(e.event.outcome.as_deref(), Some("failure"), "{ctx}");
                }
            }
            i += 1;
        }
    }
    assert_eq!(i, evs.len(), "{file}: more events than sudo runs");
    i
}

#[test]
fn logfiles_match_what_sudo_was_asked_to_run() {
    for f in ["logfile-default.log", "logfile-year-host.log", "logfile-nowrap.log"] {
        let recs = parse_with(&SudoLogfileParser, f);
        assert!(recs.iter().all(|r| !r.is_error()), "{f}: pipeline errors");
        let evs = events(&recs);
        assert_eq!(check_against_truth(&evs, &section(f), f), 31, "{f}");
        for (r, e) in recs.iter().zip(&evs) {
            assert_eq!(e.event.dataset, "sudo.logfile");
            let t = r.time.as_ref().unwrap();
            assert_eq!((t.month, t.day, t.hour), (11, 22, 20));
            assert_eq!(t.offset, None, "{f}: the log file has no zone");
            if f == "logfile-year-host.log" {
                assert_eq!(t.year, Some(2026));
                assert_eq!(e.host.name.as_deref(), Some("vm"));
            } else {
                assert_eq!(t.year, None);
                assert_eq!(e.host.name, None);
            }
        }
    }
}

#[test]
fn logfile_every_line_is_accounted_for() {
    for f in
        ["logfile-default.log", "logfile-year-host.log", "logfile-nowrap.log", "logfile-iolog.log"]
    {
        let data = read(f);
        let text = String::from_utf8(data.clone()).unwrap();
        let recs = parse_with(&SudoLogfileParser, f);
        let mut covered = 0u64;
        for r in &recs {
            let e = &r.event;
            let off = e.log.offset.unwrap() as usize;
            let orig = e.event.original.as_deref().unwrap();
            assert_eq!(
                &text[off..off + orig.len()],
                orig,
                "{f}: event.original is the exact source text"
            );
            let n = e.jikoku.lines.unwrap_or(1);
            assert_eq!(orig.lines().count() as u64, n);
            assert_eq!(text[..off].matches('\n').count() as u64 + 1, e.jikoku.line.unwrap());
            covered += n;
        }
        assert_eq!(covered, text.lines().count() as u64, "{f}: every line belongs to one record");
    }
}

#[test]
fn logfile_with_iolog_tsid_and_host() {
    let recs = parse_with(&SudoLogfileParser, "logfile-iolog.log");
    let evs = events(&recs);
    assert_eq!(evs.len(), 4);
    let want = [
        ("verylongusername", "01", None, "/usr/bin/id"),
        ("verylongusername", "000001", Some(0), "/usr/bin/id"),
    ];
    for (e, (u, tsid, exit, cmd)) in evs.iter().zip(want) {
        assert_eq!(e.user.name.as_deref(), Some(u));
        assert_eq!(extra(e, "tsid"), Some(tsid));
        assert_eq!(e.process.exit_code, exit);
        assert_eq!(e.process.command_line.as_deref(), Some(cmd));
        assert_eq!(e.host.name.as_deref(), Some("vm"));
        assert_eq!(e.jikoku.tty.as_deref(), Some("pts/0"));
        assert_eq!(e.user.target.name.as_deref(), Some("root"));
    }
    assert_eq!(evs[2].process.command_line.as_deref(), Some("/usr/bin/echo 'io logged' arg"));
    assert_eq!(extra(evs[2], "tsid"), Some("02"));
    assert_eq!(extra(evs[3], "tsid"), Some("000002"));
}

fn collapse(s: &str) -> String {
    s.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Every loglinelen from 1 to 140 (sudo disables wrapping below 5), real sudo output: every
/// record rebuilt to one event whose command is what sudo was asked to run, byte for byte,
/// except runs of spaces at a break.
#[test]
fn unwrap_every_width_from_real_sudo() {
    let cmds: Vec<Vec<String>> = String::from_utf8(read("wrap/commands.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let want: Vec<String> = cmds
        .iter()
        .map(|a| render_command(&a[0], &a[1..].iter().map(String::as_str).collect::<Vec<_>>()))
        .collect();
    let unwrapped: Vec<String> = String::from_utf8(read("wrap/logfile-width-0.log"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(unwrapped.len(), 3);
    let (mut exact, mut spaces_only) = (0, 0);
    for n in 0..=140 {
        let f = format!("wrap/logfile-width-{n}.log");
        let recs = parse_with(&SudoLogfileParser, &f);
        assert!(recs.iter().all(|r| !r.is_error()), "{f}: pipeline errors");
        let evs = events(&recs);
        assert_eq!(evs.len(), 3, "{f}: one event per record");
        let originals: String =
            evs.iter().map(|e| format!("{}\n", e.event.original.as_deref().unwrap())).collect();
        assert_eq!(
            originals.as_bytes(),
            read(&f).as_slice(),
            "{f}: event.original holds the physical lines"
        );
        for (k, e) in evs.iter().enumerate() {
            let got = e.process.command_line.as_deref().unwrap();
            let msg = e.message.as_deref().unwrap();
            let time_len = "Nov 22 20:57:00".len();
            if got == want[k] {
                exact += 1;
                assert_eq!(
                    &msg[time_len..],
                    &unwrapped[k][time_len..],
                    "{f} record {k}: rebuilt line"
                );
            } else {
                // Only where sudo broke the line inside a run of spaces.
                assert!(want[k].contains("  "), "{f} record {k}: {got:?} != {:?}", want[k]);
                assert_eq!(collapse(got), collapse(&want[k]), "{f} record {k}");
                spaces_only += 1;
            }
            assert_eq!(e.user.name.as_deref(), Some("verylongusername"), "{f}");
            assert_eq!(e.user.target.name.as_deref(), Some("root"), "{f}");
            assert_eq!(e.process.working_directory.as_deref(), Some("/tmp"), "{f}");
            assert_eq!(e.event.action.as_deref(), Some("sudo-command"), "{f}");
            if n >= 5 {
                let max_line =
                    e.event.original.as_deref().unwrap().lines().map(str::len).max().unwrap();
                assert!(e.jikoku.lines.unwrap_or(1) > 1 || max_line <= n.max(80), "{f}: wrapped");
            }
        }
    }
    assert_eq!(exact + spaces_only, 141 * 3);
    assert!(exact >= 141 * 3 - 2 * 141, "exact rebuilds: {exact}");
    println!("exact {exact}, spaces-at-break {spaces_only}");
}

/// The sudo project's own logwrap regression data (lib/eventlog/regress/logwrap).
#[test]
fn unwrap_sudo_project_check_wrap() {
    let input = String::from_utf8(read("corpus/sudo-project/check_wrap.in")).unwrap();
    let originals: Vec<&str> = input.lines().filter(|l| l.contains(" : ")).collect();
    let golden = String::from_utf8(read("corpus/sudo-project/check_wrap.out.ok")).unwrap();
    let mut blocks: Vec<String> = vec![];
    for l in golden.lines() {
        if l.starts_with("# ") {
            blocks.push(String::new());
        } else if let Some(b) = blocks.last_mut() {
            b.push_str(l);
            b.push('\n');
        }
    }
    assert_eq!(blocks.len(), 2 * 24);
    for (k, b) in blocks.iter().enumerate() {
        let mut out = vec![];
        let mut r: &[u8] = b.as_bytes();
        SudoLogfileParser
            .parse(&mut r, &ParseOptions::default(), &mut |rec| out.push(rec))
            .unwrap();
        assert_eq!(out.len(), 1, "block {k}");
        let e = &out[0].event;
        let orig = originals[k / 24];
        assert_eq!(e.message.as_deref(), Some(orig), "block {k}");
        assert_eq!(e.process.command_line.as_deref(), orig.split("COMMAND=").nth(1), "block {k}");
    }
    let e0 = {
        let mut out = vec![];
        let mut r: &[u8] = blocks[1].as_bytes();
        SudoLogfileParser
            .parse(&mut r, &ParseOptions::default(), &mut |rec| out.push(rec))
            .unwrap();
        out.remove(0).event
    };
    assert_eq!(e0.user.name.as_deref(), Some("tu2sp3-a"));
    assert_eq!(e0.event.reason.as_deref(), Some("command not allowed"));
    assert_eq!(e0.event.action.as_deref(), Some("sudo-denied"));
    assert_eq!(e0.jikoku.tty.as_deref(), Some("pts/1"));
    assert_eq!(e0.process.working_directory.as_deref(), Some("/home/tu2sp3-a"));
}

/// Runs the decoder over syslog lines the way the syslog parser does (absorb, then decode).
fn syslog_events(rel: &str) -> (Vec<Event>, usize) {
    let text = String::from_utf8(read(rel)).unwrap();
    let mut out: Vec<Event> = vec![];
    let mut not_decoded = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        // `TIMESTAMP HOST TAG: MSG`
        let mut it = line.splitn(3, ' ');
        let (_ts, _host, rest) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
        let (tag, msg) = rest.split_once(": ").unwrap();
        let program = tag.split('[').next().unwrap();
        if let Some(p) = out.last_mut() {
            if SudoDecoder.absorb(p, program, msg) {
                continue;
            }
        }
        let mut ev = Event::new("syslog.rfc3164");
        ev.message = Some(msg.to_string());
        ev.event.original = Some(line.to_string());
        if SudoDecoder.decode(program, msg, &mut ev) {
            out.push(ev);
        } else {
            assert!(msg.starts_with("pam_"), "undecoded sudo line: {line}");
            not_decoded += 1;
        }
    }
    (out, not_decoded)
}

#[test]
fn syslog_real_sudo() {
    let (evs, pam) = syslog_events("syslog-auth.log");

    assert_eq!(pam, 360);
    // gen.py: iolog runs, then the scenarios (with HOST= from log_host), then the JSON runs
    let iolog: Vec<&Event> = evs.iter().filter(|e| extra(e, "tsid").is_some()).collect();
    assert_eq!(iolog.len(), 4);
    assert_eq!(extra(iolog[0], "tsid"), Some("01"));
    assert_eq!(extra(iolog[1], "tsid"), Some("000001"));
    let unknown: Vec<&Event> = evs
        .iter()
        .filter(|e| e.event.reason.as_deref() == Some("unknown user nosuchuser"))
        .collect();
    assert_eq!(unknown.len(), 5);
    for e in &unknown {
        assert_eq!(e.user.name.as_deref(), Some("mitsugi"));
        assert_eq!(e.user.target.name.as_deref(), Some("nosuchuser"));
        assert_eq!(e.process.command_line, None);
        assert_eq!(e.event.action.as_deref(), Some("sudo-denied"));
        assert_eq!(e.event.outcome.as_deref(), Some("failure"));
    }
    // The scenario block of syslog-auth.log, in order, against the truth.
    let runs = section("syslog-auth.log");
    let scen: Vec<&Event> = evs
        .iter()
        .filter(|e| {
            extra(e, "host") == Some("vm")
                && extra(e, "tsid").is_none()
                && e.event.reason.as_deref() != Some("unknown user nosuchuser")
        })
        .collect();
    let n = check_against_truth(&scen[..31], &runs[..runs.len() - 3], "syslog-auth.log");
    assert_eq!(n, 31);
    // `(command continued)` records joined back: twice (accept + exit), 400 words
    let cont = &runs[runs.len() - 3];
    assert_eq!(cont.tag, "syslog-continued");
    let (want, _) = expected_command(cont);
    let joined: Vec<&&Event> = scen[31..].iter().collect();
    assert_eq!(joined.len(), 2);
    for e in &joined {
        assert_eq!(e.process.command_line.as_deref(), Some(want.as_str()));
        assert_eq!(e.user.name.as_deref(), Some("verylongusername"));
        assert_eq!(e.extra("sudo", "parts").and_then(Value::as_i64), Some(4));
    }
    assert_eq!(joined[1].process.exit_code, Some(0));
    // @cee JSON records
    let cee: Vec<&Event> = evs
        .iter()
        .filter(|e| e.message.as_deref().is_some_and(|m| m.starts_with("@cee:")))
        .collect();
    assert_eq!(cee.len(), 2);
    assert_eq!(cee[0].event.dataset, "sudo.syslog");
    assert_eq!(cee[0].event.action.as_deref(), Some("sudo-command"));
    assert_eq!(cee[0].user.name.as_deref(), Some("verylongusername"));
    assert_eq!(cee[0].jikoku.tty.as_deref(), Some("pts/0"));
    assert_eq!(cee[0].process.command_line.as_deref(), Some("/usr/bin/id"));
    assert_eq!(cee[1].event.action.as_deref(), Some("sudo-denied"));
    assert_eq!(cee[1].event.reason.as_deref(), Some("command not allowed"));
    assert_eq!(cee[1].process.command_line.as_deref(), Some("/usr/bin/cat /etc/shadow"));
    assert_eq!(cee[1].user.name.as_deref(), Some("hanako"));
    assert_eq!(evs.len(), 5 + 4 + 31 + 2 + 2);
}

#[test]
fn syslog_shared_real_sample() {
    let (evs, pam) = syslog_events("real-samples/sudo-syslog-auth.log");
    assert_eq!(pam, 42);
    assert_eq!(evs.len(), 15);
    let e = &evs[1];
    assert_eq!(e.user.name.as_deref(), Some("alice"));
    assert_eq!(e.user.target.name.as_deref(), Some("bob"));
    assert_eq!(e.user.target.group.as_ref().and_then(|g| g.name.as_deref()), Some("alice"));
    assert_eq!(e.process.command_line.as_deref(), Some("/usr/bin/ls /tmp"));
    assert_eq!(e.process.working_directory.as_deref(), Some("/home/alice"));
    let got: Vec<(&str, Option<&str>)> = evs
        .iter()
        .map(|e| (e.event.action.as_deref().unwrap(), e.event.reason.as_deref()))
        .collect();
    let want = [
        ("sudo-command", None),
        ("sudo-command", None),
        ("sudo-command", None),
        ("sudo-command", None),
        ("sudo-auth-failure", Some("3 incorrect password attempts")),
        ("sudo-command", None),
        ("sudo-denied", Some("command not allowed")),
        ("sudo-denied", Some("user NOT in sudoers")),
        (
            "sudo-denied",
            Some("sorry, you are not allowed to set the following environment variables: FOO"),
        ),
        ("sudo-auth-failure", Some("a password is required")),
        ("sudo-denied", Some("unknown user nosuchuser")),
        ("sudo-command", None),
        ("sudo-command", None),
        ("sudo-auth-failure", Some("a password is required")),
        ("sudo-command", None),
    ];
    assert_eq!(got, want);
    assert_eq!(extra(&evs[11], "tsid"), Some("01"));
    assert_eq!(evs[12].process.command_line.as_deref(), Some("/usr/bin/true x"));
    assert_eq!(evs[14].process.command_line.as_deref(), Some("/usr/bin/id"));
    assert_eq!(evs[14].jikoku.tty.as_deref(), Some("pts/0"));
    assert_eq!(extra(&evs[14], "uuid"), Some("a1cf128d23-c3bc-488b-d731-86bdd9af49"));
}

#[test]
fn syslog_variants() {
    let dec = |program: &str, msg: &str| {
        let mut ev = Event::new("syslog.rfc3164");
        ev.message = Some(msg.to_string());
        assert!(SudoDecoder.decode(program, msg, &mut ev), "{msg}");
        ev
    };
    // The seed: 2003, a path as the tag, sudo 1.6
    let e = dec(
        "/usr/local/bin/sudo",
        "mitsugi : TTY=ttyp0 ; PWD=/etc ; USER=root ; COMMAND=/usr/bin/co -l aliases",
    );
    assert_eq!(e.user.name.as_deref(), Some("mitsugi"));
    assert_eq!(e.jikoku.tty.as_deref(), Some("ttyp0"));
    assert_eq!(e.process.command_line.as_deref(), Some("/usr/bin/co -l aliases"));
    assert_eq!(e.process.executable.as_deref(), Some("/usr/bin/co"));
    assert_eq!(e.process.working_directory.as_deref(), Some("/etc"));
    assert_eq!(e.user.target.name.as_deref(), Some("root"));
    // sudo 1.8: TTY=unknown
    let e = dec("sudo", "    root : TTY=unknown ; PWD=/ ; USER=root ; COMMAND=/bin/true");
    assert_eq!(e.jikoku.tty, None);
    assert_eq!(e.user.name.as_deref(), Some("root"));
    // 1.8 auth failure with errstr-less reason and TSID with offset; chroot
    let e = dec(
        "sudo",
        "   alice : 1 incorrect password attempt ; TTY=pts/1 ; CHROOT=/srv ; PWD=/x ; USER=root ; TSID=00035Q@12.5 ; COMMAND=/bin/ls",
    );
    assert_eq!(e.event.action.as_deref(), Some("sudo-auth-failure"));
    assert_eq!(e.event.reason.as_deref(), Some("1 incorrect password attempt"));
    assert_eq!(extra(&e, "tsid"), Some("00035Q@12.5"));
    assert_eq!(extra(&e, "chroot"), Some("/srv"));
    // escapes: blank in the path, newline in an argument
    let e = dec("sudo", "   alice : PWD=/tmp ; USER=root ; COMMAND=/opt/my#040dir/run a#012b");
    assert_eq!(e.process.executable.as_deref(), Some("/opt/my dir/run"));
    assert_eq!(e.process.command_line.as_deref(), Some("/opt/my dir/run a\nb"));
    assert_eq!(
        e.event.original.as_deref(),
        Some("   alice : PWD=/tmp ; USER=root ; COMMAND=/opt/my#040dir/run a#012b")
    );
    // sudo 1.8 with log_host in the message: `HOST=h : ` before the body
    let e =
        dec("sudo", "   alice : HOST=mail : TTY=unknown ; PWD=/ ; USER=root ; COMMAND=/bin/true");
    assert_eq!(extra(&e, "host"), Some("mail"));
    assert_eq!(e.jikoku.tty, None);
    assert_eq!(e.event.reason, None);
    assert_eq!(e.process.command_line.as_deref(), Some("/bin/true"));
    // sudo-rs
    let e = dec(
        "sudo-rs",
        "alice : TTY=/dev/pts/2 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id",
    );
    assert_eq!(e.jikoku.tty.as_deref(), Some("pts/2"));
    assert_eq!(e.event.action.as_deref(), Some("sudo-command"));
    let e = dec("sudo", "I'm sorry bob. I'm afraid I can't do that");
    assert_eq!(e.user.name.as_deref(), Some("bob"));
    assert_eq!(e.event.outcome.as_deref(), Some("failure"));
    // GROUP= and exit with signal
    let e = dec(
        "sudo",
        "   alice : PWD=/ ; USER=bob ; GROUP=staff ; COMMAND=/bin/sleep 9 ; SIGNAL=KILL ; EXIT=137",
    );
    assert_eq!(e.user.target.group.as_ref().and_then(|g| g.name.as_deref()), Some("staff"));
    assert_eq!(e.process.exit_code, Some(137));
    assert_eq!(extra(&e, "signal"), Some("KILL"));
    assert_eq!(e.event.kind_type, vec!["end"]);
}

#[test]
fn json_logfile_matches_text_logfile() {
    let recs = parse_with(&SudoJsonParser, "logfile-json.json");
    assert!(recs.iter().all(|r| !r.is_error()));
    let evs = events(&recs);
    assert_eq!(check_runs(&evs, &section("logfile-json.json"), "logfile-json.json", false), 31);
    for r in &recs {
        let t = r.time.as_ref().unwrap();
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.offset, t.digits),
            (Some(2026), 11, 22, 20, Some(0), 9)
        );
        assert_eq!(r.event.event.dataset, "sudo.json");
        assert_eq!(r.event.host.name.as_deref(), Some("vm"));
        assert!(extra(&r.event, "uuid").is_some());
    }
    // the env alert is an `alert` member in JSON
    assert!(evs.iter().any(|e| extra(e, "event") == Some("alert")));
}

#[test]
fn json_shared_real_sample_with_comment_line() {
    let recs = parse_with(&SudoJsonParser, "real-samples/sudo-logfile-json.json");
    assert_eq!(recs.len(), 3);
    assert!(recs[0].is_error(), "the // comment line added to the sample");
    assert_eq!(recs[0].event.jikoku.line, Some(1));
    let a = &recs[1].event;
    assert_eq!(a.user.id.as_deref(), Some("1001"), "SUDO_UID of runenv");
    assert_eq!(a.user.target.id.as_deref(), Some("0"));
    assert_eq!(a.event.action.as_deref(), Some("sudo-command"));
    assert_eq!(a.user.name.as_deref(), Some("alice"));
    assert_eq!(a.process.command_line.as_deref(), Some("/usr/bin/id"));
    assert_eq!(a.jikoku.tty.as_deref(), Some("pts/0"));
    let t = recs[1].time.as_ref().unwrap();
    assert_eq!((t.hour, t.minute, t.second, t.nanos), (19, 19, 42, 272328857));
    let r = &recs[2].event;
    assert_eq!(r.event.action.as_deref(), Some("sudo-auth-failure"));
    assert_eq!(r.event.reason.as_deref(), Some("a password is required"));
    assert_eq!(r.process.command_line.as_deref(), Some("/usr/bin/cat /etc/shadow"));
    assert_eq!(r.jikoku.line, Some(45));
}

/// sudo_logsrvd event objects against the sudo project's own rendering of them (.sudo.out.ok).
#[test]
fn json_logsrvd_events_match_sudo_rendering() {
    for n in 1..=4 {
        let recs = parse_with(
            &SudoJsonParser,
            &format!("corpus/sudo-project/sudo-eventlog-json/test{n}.json.in"),
        );
        assert_eq!(recs.len(), 1, "test{n}");
        let e = &recs[0].event;
        let golden = String::from_utf8(read(&format!(
            "corpus/sudo-project/sudo-eventlog-json/test{n}.sudo.out.ok"
        )))
        .unwrap();
        let lines: Vec<&str> = golden.lines().collect();
        // exit_value present: the second (exit) rendering; otherwise the accept rendering
        let line = if e.process.exit_code.is_some() { lines[1] } else { lines[0] };
        let b = Body::parse(line).unwrap();
        assert_eq!(e.host.name, b.host, "test{n}");
        assert_eq!(e.jikoku.tty, b.tty, "test{n}");
        assert_eq!(e.process.working_directory, b.cwd, "test{n}");
        assert_eq!(e.user.target.name, b.user, "test{n}");
        assert_eq!(extra(e, "tsid"), b.tsid.as_deref(), "test{n}");
        assert_eq!(extra(e, "env"), b.env.as_deref(), "test{n}");
        assert_eq!(
            e.process.command_line.as_deref(),
            b.command.as_deref().map(|c| decode_escapes(c).into_owned()).as_deref(),
            "test{n}"
        );
        assert_eq!(e.process.exit_code, b.exit, "test{n}");
        assert_eq!(extra(e, "signal"), b.signal.as_deref(), "test{n}");
        assert_eq!(e.user.name.as_deref(), Some("millert"));
        assert!(e.source.ip.is_some());
        let t = recs[0].time.as_ref().unwrap();
        assert_eq!(t.offset, Some(0));
    }
    let recs = parse_with(&SudoJsonParser, "corpus/sudo-project/sudo-eventlog-json/test3.json.in");
    let t = recs[0].time.as_ref().unwrap();
    // submit_time 1633116433.682537651 = 2021-10-01T19:27:13Z
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanos),
        (Some(2021), 10, 1, 19, 27, 13, 682537651)
    );
    assert_eq!(recs[0].event.event.kind_type, vec!["end"]);
}

#[test]
fn iolog_sessions_with_tsid() {
    for (dir, user) in [
        ("iolog/00/00/01", "verylongusername"),
        ("iolog/00/00/02", "mitsugi"),
        ("real-samples/sudo-iolog-session-000001/00/00/01", "alice"),
    ] {
        let legacy = parse_with(&SudoIologParser, &format!("{dir}/log"));
        let json = parse_with(&SudoJsonParser, &format!("{dir}/log.json"));
        assert_eq!((legacy.len(), json.len()), (1, 1), "{dir}");
        let tsid =
            dir.rsplit('/').take(3).collect::<Vec<_>>().into_iter().rev().collect::<String>();
        for r in [&legacy[0], &json[0]] {
            let e = &r.event;
            assert_eq!(e.event.dataset, "sudo.iolog", "{dir}");
            assert_eq!(e.event.action.as_deref(), Some("sudo-session"), "{dir}");
            assert_eq!(extra(e, "tsid"), Some(tsid.as_str()), "{dir}");
            assert_eq!(e.user.name.as_deref(), Some(user), "{dir}");
            assert_eq!(e.user.target.name.as_deref(), Some("root"), "{dir}");
            assert_eq!(e.jikoku.tty.as_deref(), Some("pts/0"), "{dir}");
            assert_eq!(e.process.working_directory.as_deref(), Some("/tmp"), "{dir}");
            assert_eq!(r.time.as_ref().unwrap().offset, Some(0));
        }
        let (a, b) = (&legacy[0].event, &json[0].event);
        assert_eq!(
            collapse(&a.process.command_line.clone().unwrap().replace('\'', "")),
            collapse(&b.process.command_line.clone().unwrap().replace('\'', ""))
        );
        let (ta, tb) = (legacy[0].time.as_ref().unwrap(), json[0].time.as_ref().unwrap());
        assert_eq!(
            (ta.year, ta.month, ta.day, ta.hour, ta.minute, ta.second),
            (tb.year, tb.month, tb.day, tb.hour, tb.minute, tb.second)
        );
    }
    // the sudo project's I/O log regression data
    for name in ["id", "ls", "make", "mailq", "pkg_add", "pkg_delete", "printenv"] {
        let legacy = parse_with(
            &SudoIologParser,
            &format!("corpus/sudo-project/sudo-iolog-log/log_legacy/{name}.log"),
        );
        let json = parse_with(
            &SudoJsonParser,
            &format!("corpus/sudo-project/sudo-iolog-log/log_json/{name}.json"),
        );
        assert_eq!((legacy.len(), json.len()), (1, 1), "{name}");
        let (a, b) = (&legacy[0].event, &json[0].event);
        assert_eq!(a.user.name, b.user.name, "{name}");
        assert_eq!(a.user.target.name, b.user.target.name, "{name}");
        assert_eq!(a.jikoku.tty, b.jikoku.tty, "{name}");
        assert_eq!(a.process.working_directory, b.process.working_directory, "{name}");
        assert_eq!(a.process.executable, b.process.executable, "{name}");
        assert_eq!(
            legacy[0].time.as_ref().unwrap().second,
            json[0].time.as_ref().unwrap().second,
            "{name}"
        );
    }
    let r = parse_with(&SudoIologParser, "corpus/sudo-project/sudo-iolog-log/log_legacy/vi.log");
    let e = &r[0].event;
    assert_eq!(e.process.command_line.as_deref(), Some("/usr/bin/vi /etc/nsswitch.conf"));
    assert_eq!(e.user.name.as_deref(), Some("alice"));
    assert_eq!(e.process.working_directory.as_deref(), Some("/export/home/alice"));
    let t = r[0].time.as_ref().unwrap();
    // 1611849879 = 2021-01-28T16:04:39Z
    assert_eq!(
        (t.year, t.month, t.day, t.hour, t.minute, t.second),
        (Some(2021), 1, 28, 16, 4, 39)
    );
}

#[test]
fn shared_real_sample_logfile() {
    let recs = parse_with(&SudoLogfileParser, "real-samples/sudo-logfile-default.log");
    assert_eq!(recs.len(), 11);
    assert_eq!(
        recs[0].event.event.dataset, "text.comment",
        "the # comment line added to the sample"
    );
    let evs: Vec<_> =
        events(&recs).into_iter().filter(|e| e.event.dataset != "text.comment").collect();
    assert_eq!(evs.len(), 10);
    assert_eq!(
        evs[3].process.command_line.as_deref(),
        Some("/usr/bin/true 'an arg with spaces' plainquote")
    );
    assert_eq!(
        evs[8].event.reason.as_deref(),
        Some("sorry, you are not allowed to set the following environment variables: FOO")
    );
    assert_eq!(evs[8].jikoku.lines, Some(3));
    assert_eq!(evs[8].process.command_line.as_deref(), Some("/usr/bin/env"));
}

#[test]
fn sniffing_picks_the_sudo_parsers() {
    let cases = [
        ("logfile-default.log", "log", "sudo.logfile"),
        ("logfile-year-host.log", "sudo.log", "sudo.logfile"),
        ("wrap/logfile-width-5.log", "sudo.log", "sudo.logfile"),
        ("wrap/logfile-width-30.log", "sudo.log", "sudo.logfile"),
        ("logfile-json.json", "sudo.json", "sudo.json"),
        ("corpus/sudo-project/sudo-eventlog-json/test1.json.in", "test1.json.in", "sudo.json"),
        ("iolog/00/00/01/log", "log", "sudo.iolog"),
        ("iolog/00/00/01/log.json", "log.json", "sudo.json"),
        ("syslog-auth.log", "auth.log", "syslog"),
        ("real-samples/sudo-syslog-auth.log", "auth.log", "syslog"),
        ("real-samples/sudo-logfile-json.json", "sudo.json", "sudo.json"),
    ];
    for (rel, name, want) in cases {
        let data = read(rel);
        let head = Head {
            bytes: &data[..data.len().min(65536)],
            file_name: name,
            len: Some(data.len() as u64),
        };
        let p = registry::sniff(&head).unwrap_or_else(|| panic!("{rel}: nothing sniffed"));
        assert_eq!(p.name(), want, "{rel}");
    }
    assert_eq!(registry::find("sudo").unwrap().name(), "sudo.logfile");
}

#[test]
fn sudo_18_logfile_with_log_host() {
    let text = "Jun 15 15:35:21 : mitsugi : HOST=mail : TTY=ttyp0 ; PWD=/etc ; USER=root ;\n    COMMAND=/usr/bin/co -l aliases\nJun 15 15:40:00 : mitsugi : HOST=mail : command not allowed ; TTY=unknown ; PWD=/etc ; USER=root ; COMMAND=/bin/sh\n";
    let mut out = vec![];
    let mut r: &[u8] = text.as_bytes();
    SudoLogfileParser.parse(&mut r, &ParseOptions::default(), &mut |rec| out.push(rec)).unwrap();
    assert_eq!(out.len(), 2);
    let e = &out[0].event;
    assert_eq!(e.host.name.as_deref(), Some("mail"));
    assert_eq!(e.jikoku.tty.as_deref(), Some("ttyp0"));
    assert_eq!(e.process.command_line.as_deref(), Some("/usr/bin/co -l aliases"));
    assert_eq!(e.event.action.as_deref(), Some("sudo-command"));
    let e = &out[1].event;
    assert_eq!(e.event.reason.as_deref(), Some("command not allowed"));
    assert_eq!(e.jikoku.tty, None);
    assert_eq!(e.event.action.as_deref(), Some("sudo-denied"));
    assert_eq!(e.log.offset, Some(110));
}

/// Hostile or damaged input: every prefix and every byte-flip of the fixtures parses without a panic,
/// and every line is accounted for.
#[test]
fn damaged_input_never_panics() {
    let parsers: Vec<Box<dyn Parser>> =
        vec![Box::new(SudoLogfileParser), Box::new(SudoJsonParser), Box::new(SudoIologParser)];
    for rel in ["logfile-default.log", "logfile-json.json", "iolog/00/00/01/log", "syslog-auth.log"]
    {
        let data = read(rel);
        let data = &data[..data.len().min(6000)];
        for cut in (0..data.len()).step_by(37) {
            let mut d = data[..cut].to_vec();
            if let Some(b) = d.get_mut(cut / 2) {
                *b ^= 0xA5;
            }
            for p in &parsers {
                let mut r: &[u8] = &d;
                let mut n = 0;
                p.parse(&mut r, &ParseOptions::default(), &mut |_| n += 1).unwrap();
                if !d.iter().all(u8::is_ascii_whitespace) {
                    assert!(n > 0, "{rel} cut {cut}: nothing emitted");
                }
            }
            let text = String::from_utf8_lossy(&d);
            for l in text.lines() {
                let mut ev = Event::new("syslog.rfc3164");
                ev.message = Some(l.to_string());
                let _ = SudoDecoder.decode("sudo", l, &mut ev);
                let _ = SudoDecoder.absorb(&mut ev, "sudo", l);
                let _ = SudoDecoder.absorb_line(&mut ev, l);
            }
        }
    }
}

/// The same syslog files through the real syslog parser (rsyslog escapes decoded there, `absorb`
/// and `absorb_line` called by it): the sudo events equal the ones checked above.
#[test]
fn syslog_through_the_syslog_parser() {
    let syslog = registry::find("syslog").unwrap();
    for rel in ["syslog-auth.log", "real-samples/sudo-syslog-auth.log"] {
        let recs = parse_with(syslog.as_ref(), rel);
        assert!(recs.iter().all(|r| !r.is_error()), "{rel}");
        let via_parser: Vec<&Event> =
            recs.iter().map(|r| &*r.event).filter(|e| e.event.dataset == "sudo.syslog").collect();
        let (direct, _) = syslog_events(rel);
        assert_eq!(via_parser.len(), direct.len(), "{rel}");
        for (a, b) in via_parser.iter().zip(&direct) {
            assert_eq!(a.user, b.user, "{rel}");
            assert_eq!(a.process.command_line, b.process.command_line, "{rel}");
            assert_eq!(a.process.executable, b.process.executable, "{rel}");
            assert_eq!(a.process.working_directory, b.process.working_directory, "{rel}");
            assert_eq!(a.process.exit_code, b.process.exit_code, "{rel}");
            assert_eq!(a.event.action, b.event.action, "{rel}");
            assert_eq!(a.event.reason, b.event.reason, "{rel}");
            assert_eq!(a.jikoku.tty, b.jikoku.tty, "{rel}");
            assert_eq!(extra(a, "tsid"), extra(b, "tsid"), "{rel}");
            assert_eq!(a.process.name.as_deref(), Some("sudo"));
            assert!(a.host.name.is_some());
        }
        assert!(recs.iter().all(|r| r.time.is_some() || r.event.event.dataset == "text.comment"));
    }
}

/// A real sudo_logsrvd (127.0.0.1 only) fed by real sudo: its sudo-format and JSON event logs
/// (gen_logsrvd.py). logsrvd writes no word wrap, `HOST=`, and `TTY=unknown` without a terminal.
#[test]
fn logsrvd_event_logs() {
    let want = [
        ("mitsugi", "sudo-command", None, "/usr/bin/id"),
        ("mitsugi", "sudo-command", None, "/usr/bin/true 'an arg with spaces' tab\there"),
        ("hanako", "sudo-denied", Some("command not allowed"), "/usr/bin/cat /etc/shadow"),
        ("mitsugi", "sudo-auth-failure", Some("3 incorrect password attempts"), "/usr/bin/id"),
        ("verylongusername", "sudo-command", None, "/usr/bin/sh -c 'exit 3'"),
    ];
    let text = parse_with(&SudoLogfileParser, "logsrvd/logsrvd-sudo.log");
    let json = parse_with(&SudoJsonParser, "logsrvd/logsrvd-json.log");
    for (file, recs) in [("sudo", &text), ("json", &json)] {
        assert!(recs.iter().all(|r| !r.is_error()), "{file}");
        let evs = events(recs);
        assert_eq!(evs.len(), want.len(), "{file}");
        for (e, (user, action, reason, cmd)) in evs.iter().zip(want) {
            assert_eq!(e.user.name.as_deref(), Some(user), "{file}");
            assert_eq!(e.event.action.as_deref(), Some(action), "{file}");
            assert_eq!(e.event.reason.as_deref(), reason, "{file}");
            assert_eq!(e.process.command_line.as_deref(), Some(cmd), "{file}");
            assert_eq!(e.user.target.name.as_deref(), Some("root"), "{file}");
            assert_eq!(e.process.working_directory.as_deref(), Some("/tmp"), "{file}");
            assert_eq!(e.host.name.as_deref(), Some("vm"), "{file}");
            assert_eq!(e.jikoku.tty, None, "{file}: TTY=unknown / no ttyname");
        }
    }
    for e in events(&json) {
        assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
    }
}
