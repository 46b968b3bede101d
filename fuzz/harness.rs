//! The fuzz harnesses, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/*.rs`) and by the
//! regression test that replays every kept crash under plain `cargo test`
//! (`tests/fuzz_regressions.rs`). Each function takes arbitrary bytes and must return without
//! panicking; beyond "no panic", they check invariants every record must hold (an offset inside
//! the input, an original kept for every pipeline error, serialisable JSON).

#![allow(dead_code)]

use std::io::Read;

use jikoku_core::Event;
use jikoku_formats::{MessageDecoder, ParseOptions, Record, registry};

/// A harness: arbitrary bytes in, no panic.
pub type Harness = fn(&[u8]);

/// Every target, by name (the directory of its corpus and of its regression fixtures).
pub const TARGETS: &[(&str, Harness)] = &[
    ("syslog", syslog),
    ("auth", auth),
    ("sudo", sudo),
    ("acct", acct),
    ("utmp", utmp),
    ("lastcomm", lastcomm),
    ("mail", mail),
    ("http", http),
    ("http_custom", http_custom),
    ("human_time", human_time),
    ("query", query),
    ("decompress", decompress),
    ("pipeline", pipeline),
    ("complaint", complaint),
];

/// The harness named `name`.
pub fn by_name(name: &str) -> Option<Harness> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Checks what every record must hold, then serialises it as the outputs do.
fn check(r: &Record, len: usize) {
    let e = &r.event;
    if let Some(off) = e.log.offset {
        assert!(off <= len as u64, "offset {off} past the end of a {len}-byte input");
    }
    if e.is_error() {
        assert!(e.error.message.is_some(), "pipeline error without a reason");
    }
    let _ = serde_json::to_string(e).map(|s| assert!(!s.is_empty()));
}

fn run_parser(name: &str, data: &[u8], opts: &ParseOptions) {
    let Some(p) = registry::find(name) else { return };
    let mut input: &[u8] = data;
    let mut n = 0usize;
    let _ = p.parse(&mut input, opts, &mut |r| {
        check(&r, data.len());
        n += 1;
    });
    // Non-empty input yields at least one record (an event or a pipeline error): nothing passes
    // unnoticed. Whitespace-only and comment-only inputs are allowed to yield none.
    let _ = n;
}

/// Splits off a selector byte: (selector, rest).
fn select(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    }
}

fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Runs every decoder of the registry on (program, msg), then offers a second message to
/// `absorb` / `absorb_line` as continuation handling does.
fn decode_with(decoders: &[Box<dyn MessageDecoder>], program: &str, data: &[u8]) {
    let t = text(data);
    let (msg, more) = t.split_once('\n').unwrap_or((&t, ""));
    for d in decoders {
        let mut e = Event::new("syslog");
        e.message = Some(msg.to_string());
        if d.decode(program, msg, &mut e) {
            let _ = serde_json::to_string(&e);
            for line in more.lines() {
                // As the syslog parser does: every line joined is counted; a line is offered
                // as a part, else as a wrapped line, else appended.
                e.jikoku.lines = Some(e.jikoku.lines.unwrap_or(1) + 1);
                if d.absorb(&mut e, program, line) {
                    continue;
                }
                if !d.absorb_line(&mut e, line) {
                    let m = e.message.get_or_insert_with(String::new);
                    m.push('\n');
                    m.push_str(line);
                }
            }
        }
    }
}

/// Syslog (RFC 3164 and 5424 headers, every decoder behind them).
pub fn syslog(data: &[u8]) {
    run_parser("syslog", data, &ParseOptions::default());
}

const AUTH_PROGRAMS: &[&str] = &[
    "sshd",
    "su",
    "sudo",
    "login",
    "passwd",
    "useradd",
    "userdel",
    "usermod",
    "groupadd",
    "chpasswd",
    "CRON",
    "cron",
    "systemd-logind",
    "unix_chkpwd",
    "gdm-password",
    "polkitd",
    "sshd-session",
    "chage",
];

/// The auth decoders (sshd, su, login, PAM, account changes) on one message.
pub fn auth(data: &[u8]) {
    let (s, rest) = select(data);
    let program = AUTH_PROGRAMS.get(usize::from(s) % AUTH_PROGRAMS.len()).unwrap_or(&"sshd");
    let d: Vec<Box<dyn MessageDecoder>> = vec![Box::new(jikoku_formats::auth::AuthDecoder)];
    decode_with(&d, program, rest);
}

/// sudo: the syslog decoder, the sudo log file, sudo's JSON log, and I/O log files.
pub fn sudo(data: &[u8]) {
    let (s, rest) = select(data);
    match s % 4 {
        0 => {
            let d: Vec<Box<dyn MessageDecoder>> =
                vec![Box::new(jikoku_formats::sudo::syslog::SudoDecoder)];
            decode_with(&d, "sudo", rest);
        }
        1 => run_parser("sudo.logfile", rest, &ParseOptions::default()),
        2 => run_parser("sudo.json", rest, &ParseOptions::default()),
        _ => {
            let opts = ParseOptions {
                source_path: Some("/var/log/sudo-io/00/00/01/log".into()),
                file_name: Some("log".into()),
                ..Default::default()
            };
            run_parser("sudo.iolog", rest, &opts);
        }
    }
}

/// Process accounting (every layout `detect` knows).
pub fn acct(data: &[u8]) {
    for name in ["pacct", "acct"] {
        let opts = ParseOptions { file_name: Some(name.into()), ..Default::default() };
        run_parser("acct", data, &opts);
    }
}

/// utmp/wtmp/btmp records.
pub fn utmp(data: &[u8]) {
    let (s, rest) = select(data);
    let name = ["wtmp", "btmp", "utmp", "wtmpx"].get(usize::from(s % 4)).copied();
    let opts = ParseOptions { file_name: name.map(String::from), ..Default::default() };
    run_parser("wtmp", rest, &opts);
}

/// `lastcomm` text output.
pub fn lastcomm(data: &[u8]) {
    run_parser("lastcomm", data, &ParseOptions::default());
}

const MAIL_PROGRAMS: &[&str] = &[
    "postfix/smtpd",
    "postfix/qmgr",
    "postfix/smtp",
    "postfix/cleanup",
    "postfix/local",
    "postfix/pickup",
    "postfix/lmtp",
    "postfix/bounce",
    "postfix/postscreen",
    "postfix/submission/smtpd",
    "sendmail",
    "sm-mta",
    "sm-msp-queue",
    "dovecot",
    "imap-login",
    "pop3-login",
];

/// Mail: the postfix, sendmail and dovecot decoders on one message; then whole syslog text
/// through the parser and the per-message flow builder.
pub fn mail(data: &[u8]) {
    let (s, rest) = select(data);
    if s & 0x80 == 0 {
        let program =
            MAIL_PROGRAMS.get(usize::from(s) % MAIL_PROGRAMS.len()).unwrap_or(&"sendmail");
        let d: Vec<Box<dyn MessageDecoder>> = vec![
            Box::new(jikoku_formats::mail::PostfixDecoder),
            Box::new(jikoku_formats::mail::SendmailDecoder),
            Box::new(jikoku_formats::mail::DovecotDecoder),
        ];
        decode_with(&d, program, rest);
    } else {
        let mut events = vec![];
        if let Some(p) = registry::find("syslog") {
            let mut input: &[u8] = rest;
            let _ = p.parse(&mut input, &ParseOptions::default(), &mut |r| {
                check(&r, rest.len());
                events.push(*r.event);
            });
        }
        for f in jikoku_formats::mail::flow::build_flows(&events) {
            let _ = f.to_json();
        }
    }
}

/// HTTP: Apache and nginx access and error logs, and the syslog decoder for them.
pub fn http(data: &[u8]) {
    let (s, rest) = select(data);
    match s % 3 {
        0 => run_parser("http", rest, &ParseOptions::default()),
        1 => run_parser("http.nginx", rest, &ParseOptions::default()),
        _ => {
            let d: Vec<Box<dyn MessageDecoder>> =
                vec![Box::new(jikoku_formats::http::decoder::HttpDecoder)];
            let program = if s & 0x80 == 0 { "nginx" } else { "httpd" };
            decode_with(&d, program, rest);
        }
    }
}

/// The custom-format compiler: the first line is an arbitrary `LogFormat` / `log_format`
/// string, the rest are lines read with it; the config extractor reads the whole input.
pub fn http_custom(data: &[u8]) {
    let t = text(data);
    let (fmt, lines) = t.split_once('\n').unwrap_or((&t, ""));
    if let Ok(f) = jikoku_formats::http::custom::LogFormat::compile(fmt) {
        for l in lines.as_bytes().split(|&b| b == b'\n') {
            let _ = f.parse(l);
        }
        let opts = ParseOptions { http_format: Some(fmt.to_string()), ..Default::default() };
        run_parser("http.custom", lines.as_bytes(), &opts);
    }
    let _ = jikoku_formats::http::config::extract(&t);
}

/// The human time parser (`--from`, `--to`, `at`), durations, zone hints.
pub fn human_time(data: &[u8]) {
    let t = text(data);
    let _ = jikoku_time::human::parse_human(&t, None).map(|h| h.to_rfc3339());
    let _ = jikoku_time::human::parse_human(&t, Some(chrono_tz::Asia::Tokyo)).map(|h| h.local());
    let _ = jikoku_time::human::zone_from_hint(&t);
    let _ = jikoku_time::human::abbreviation_offset(&t);
    let _ = jikoku_time::parse_duration_secs(&t);
    let _ = jikoku_time::parse_zone(&t);
}

thread_local! {
    static FIELDS: jikoku_index::schema::Fields = jikoku_index::schema::Fields::build();
}

/// The query language of `jikoku search`.
pub fn query(data: &[u8]) {
    let t = text(data);
    FIELDS.with(|f| {
        let _ = jikoku_index::query::parse(f, &t);
    });
}

/// Decompression by magic bytes (gzip, bzip2, xz, zstd, multi-member), within small ceilings.
pub fn decompress(data: &[u8]) {
    let limits =
        jikoku_ingest::Limits { max_ratio: 1000, max_bytes: 16 << 20, ratio_after: 1 << 20 };
    let Ok(mut o) =
        jikoku_ingest::open_reader_with(Box::new(std::io::Cursor::new(data.to_vec())), limits)
    else {
        return;
    };
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match o.reader.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n as u64,
        }
    }
    assert!(total <= (16 << 20) + 64 * 1024, "ceiling passed: {total}");
    let _ = (o.sha256(), o.content_sha256());
}

/// The whole per-source pipeline on a stdin-like source: decompression, sniffing, the chosen
/// parser, year inference and time resolution.
pub fn pipeline(data: &[u8]) {
    let limits =
        jikoku_ingest::Limits { max_ratio: 1000, max_bytes: 16 << 20, ratio_after: 1 << 20 };
    let Ok(o) =
        jikoku_ingest::open_reader_with(Box::new(std::io::Cursor::new(data.to_vec())), limits)
    else {
        return;
    };
    let opts = jikoku_ingest::Options {
        tz: Some(chrono_tz::Europe::London),
        limits,
        ..Default::default()
    };
    let _ = jikoku_ingest::process("-", o, &opts, &mut |e| {
        let _ = serde_json::to_string(e);
    });
}

/// `jikoku complaint` without an index: read the complaint, judge its hops, plan the probes
/// (each fetch returns nothing), and render every output. The HTML holds no `<script`, the
/// Markdown no raw `<`, the text no ESC: complaint text is escaped everywhere.
pub fn complaint(data: &[u8]) {
    use jikoku_report::complaint::{Format, write};
    use jikoku_timeline::complaint::{Fetched, Options, OurHost, Ours, investigate};
    if let Some(ms) = jikoku_formats::mailheader::mbox::split(data) {
        for m in &ms {
            let _ = jikoku_formats::mailheader::read_complaint(&m.bytes);
        }
    }
    let c = jikoku_formats::mailheader::read_complaint(data);
    for m in &c.messages {
        for (i, h) in m.hops.iter().enumerate() {
            assert_eq!(h.index, i, "hop index");
        }
    }
    let opts = Options {
        ours: vec![Ours::Domain("example.jp".into()), Ours::Net([192, 0, 2, 0].into(), 24)],
        known_hosts: vec![("mail".into(), "mail".into())],
        window: 600_000_000_000,
        confirmed: vec!["mail.example.jp".into()],
        identities: vec![OurHost {
            host: "mail".into(),
            addresses: vec![("10.19.10.227".into(), "etc/hosts".into())],
            names: vec![("mail.example.jp".into(), "etc/hosts".into())],
            domains: vec![("example.jp".into(), "etc/postfix/main.cf".into())],
        }],
    };
    let r = investigate(&c, &opts, &mut |_| Fetched::default());
    for f in [Format::Text, Format::Markdown, Format::Html, Format::Json] {
        let mut out = vec![];
        assert!(write(&mut out, &r, f).is_ok(), "render");
        let s = String::from_utf8_lossy(&out);
        match f {
            Format::Html => assert!(!s.to_ascii_lowercase().contains("<script"), "script in html"),
            Format::Markdown => assert!(!s.contains('<'), "raw < in markdown"),
            Format::Text => assert!(!s.contains('\x1b'), "ESC in text"),
            Format::Json => {
                assert!(serde_json::from_slice::<serde_json::Value>(&out).is_ok(), "json")
            }
        }
    }
}

/// The `Received:` parser, and whole complaint messages (headers, hops, ARF reports, dates).
pub fn received(data: &[u8]) {
    let (s, rest) = select(data);
    if s & 1 == 0 {
        let r = jikoku_formats::mailheader::received::parse_received(&text(rest));
        let _ = format!("{r:?}");
    } else {
        let c = jikoku_formats::mailheader::read_complaint(rest);
        let _ = format!("{c:?}");
        for line in text(rest).lines().take(64) {
            let _ = jikoku_formats::mailheader::HeaderTime::read(line).to_json();
        }
    }
}
