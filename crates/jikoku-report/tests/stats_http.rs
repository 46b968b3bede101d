//! HTTP signals on generated traffic: a planted webshell and a planted form-spam burst must
//! rank first. The traffic is written as Apache combined lines and read back through the real
//! parser (jikoku-ingest), so the test covers the field names the parser emits.
#![cfg(feature = "analytics")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::io::Write;

use jikoku_report::stats::{self, Finding, StatsFormat};
use serde_json::Value;

/// Small deterministic generator (64-bit LCG, Knuth's constants).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const DAY: i64 = 86_400;
/// 2026-05-01T00:00:00Z.
const T0: i64 = 1_777_593_600;
const DAYS: i64 = 20;

const WEBSHELL: &str = "/wp-content/uploads/2024/05/x7.php";
const WEBSHELL_CLIENT: &str = "91.210.0.7";
const SPAM_PATH: &str = "/contact.php";
const BRUTE_CLIENT: &str = "185.220.0.13";
const SCANNER: &str = "45.155.0.66";

struct Line {
    t: i64,
    ip: String,
    method: &'static str,
    path: String,
    status: u16,
    ua: &'static str,
}

fn apache_time(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).unwrap().format("%d/%b/%Y:%H:%M:%S +0000").to_string()
}

/// The traffic, in time order: benign clients over 20 days, a benign admin, a scanner, a
/// wp-login.php brute force, benign contact-form and comment POSTs, the webshell (one client,
/// first seen on day 18) and the form-spam burst (90 POSTs from 3 IPs in 5 minutes, day 15).
fn traffic() -> Vec<Line> {
    let mut r = Rng(20260501);
    let mut v = vec![];
    let browser = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0";
    let pages =
        ["/", "/index.php", "/about.html", "/blog/", "/news.php", "/contact.php", "/shop/item.php"];
    let assets = ["/css/site.css", "/js/app.js", "/img/logo.png", "/favicon.ico"];
    for c in 0..240u64 {
        let ip = format!("{}.{}.{}.{}", 100 + c % 50, 20 + c % 7, c / 7 % 250, 1 + c % 200);
        let visits = 1 + r.below(6);
        for _ in 0..visits {
            let mut t = T0 + r.below((DAYS * DAY) as u64) as i64;
            for _ in 0..(1 + r.below(5)) {
                let page = pages[r.below(pages.len() as u64) as usize];
                v.push(Line {
                    t,
                    ip: ip.clone(),
                    method: "GET",
                    path: page.into(),
                    status: 200,
                    ua: browser,
                });
                for a in assets {
                    let status = if r.below(4) == 0 { 304 } else { 200 };
                    v.push(Line {
                        t: t + 1,
                        ip: ip.clone(),
                        method: "GET",
                        path: a.into(),
                        status,
                        ua: browser,
                    });
                }
                t += 5 + r.below(120) as i64;
            }
            if r.below(10) == 0 {
                v.push(Line {
                    t,
                    ip: ip.clone(),
                    method: "GET",
                    path: "/old-page.html".into(),
                    status: 404,
                    ua: browser,
                });
            }
            // A real enquiry now and then, and blog comments.
            if r.below(12) == 0 {
                v.push(Line {
                    t: t + 30,
                    ip: ip.clone(),
                    method: "POST",
                    path: SPAM_PATH.into(),
                    status: 200,
                    ua: browser,
                });
            }
            if r.below(25) == 0 {
                v.push(Line {
                    t: t + 40,
                    ip: ip.clone(),
                    method: "POST",
                    path: "/wp-comments-post.php".into(),
                    status: 302,
                    ua: browser,
                });
            }
        }
    }
    // The site's admin logs in every morning.
    for d in 0..DAYS {
        let t = T0 + d * DAY + 8 * 3600 + r.below(1800) as i64;
        let ip = "192.0.2.10".to_string();
        v.push(Line {
            t,
            ip: ip.clone(),
            method: "GET",
            path: "/wp-login.php".into(),
            status: 200,
            ua: browser,
        });
        v.push(Line {
            t: t + 9,
            ip: ip.clone(),
            method: "POST",
            path: "/wp-login.php".into(),
            status: 302,
            ua: browser,
        });
        v.push(Line {
            t: t + 10,
            ip: ip.clone(),
            method: "GET",
            path: "/wp-admin/".into(),
            status: 200,
            ua: browser,
        });
        v.push(Line {
            t: t + 60,
            ip,
            method: "POST",
            path: "/wp-admin/post.php".into(),
            status: 302,
            ua: browser,
        });
    }
    // A scanner probing 300 paths on day 10.
    let probes = [
        "phpmyadmin/index.php",
        ".env",
        "wp-config.php.bak",
        "admin.php",
        "backup.zip",
        "shell.php",
    ];
    for i in 0..300i64 {
        let path = format!(
            "/{}{}",
            if i < 6 { String::new() } else { format!("d{i}/") },
            probes[(i % 6) as usize]
        );
        v.push(Line {
            t: T0 + 10 * DAY + 3600 + i,
            ip: SCANNER.into(),
            method: "GET",
            path,
            status: 404,
            ua: "Mozilla/5.0 zgrab/0.x",
        });
    }
    // wp-login.php brute force over days 12–13: every attempt shows the form again.
    for i in 0..500i64 {
        v.push(Line {
            t: T0 + 12 * DAY + i * 240,
            ip: BRUTE_CLIENT.into(),
            method: "POST",
            path: "/wp-login.php".into(),
            status: 200,
            ua: "python-requests/2.31",
        });
    }
    // Form spam: 90 POSTs to the contact form from 3 IPs in 5 minutes.
    for i in 0..90i64 {
        let ip = format!("77.88.0.{}", 1 + i % 3);
        v.push(Line {
            t: T0 + 15 * DAY + 10 * 3600 + i * 3,
            ip,
            method: "POST",
            path: SPAM_PATH.into(),
            status: 200,
            ua: browser,
        });
    }
    // The webshell: uploaded on day 18, then driven by one client only.
    for i in 0..14i64 {
        let method = if i % 5 == 0 { "GET" } else { "POST" };
        v.push(Line {
            t: T0 + 18 * DAY + 5000 + i * 700,
            ip: WEBSHELL_CLIENT.into(),
            method,
            path: WEBSHELL.into(),
            status: 200,
            ua: "Mozilla/5.0",
        });
    }
    v.sort_by_key(|l| l.t);
    v
}

fn write_log(lines: &[Line]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("access.log");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for l in lines {
        writeln!(
            f,
            "{} - - [{}] \"{} {} HTTP/1.1\" {} {} \"-\" \"{}\"",
            l.ip,
            apache_time(l.t),
            l.method,
            l.path,
            l.status,
            if l.status == 304 { 0 } else { 512 + l.t % 1000 },
            l.ua
        )
        .unwrap();
    }
    f.flush().unwrap();
    (dir, path)
}

/// Events through the real parser.
fn parse(path: &std::path::Path) -> Vec<Value> {
    let (inputs, problems) = jikoku_ingest::walk(&[path.to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    let mut events = vec![];
    for input in &inputs {
        let r = jikoku_ingest::process_file(input, &jikoku_ingest::Options::default(), &mut |e| {
            events.push(serde_json::to_value(e).unwrap())
        })
        .unwrap();
        assert_eq!(r.errors, 0, "{r:?}");
    }
    events
}

fn first_of<'a>(f: &'a [Finding], kind: &str) -> &'a Finding {
    f.iter().find(|x| x.kind == kind).unwrap_or_else(|| panic!("no {kind} finding in {f:#?}"))
}

#[test]
fn planted_webshell_and_form_spam_rank_first() {
    let lines = traffic();
    let (_dir, path) = write_log(&lines);
    let events = parse(&path);
    assert_eq!(events.len(), lines.len(), "one event per line");
    let e = &events[0];
    assert!(e.pointer("/url/path").is_some() && e.pointer("/source/ip").is_some(), "{e}");

    let f = stats::http_signals(&events).unwrap();
    for x in f.iter().take(8) {
        eprintln!("{:>5.1} {:<12} {:<40} {}", x.score, x.kind, x.subject, x.reason);
    }
    // The two planted attacks are the top two, webshell first.
    assert_eq!((f[0].kind.as_str(), f[0].subject.as_str()), ("webshell", WEBSHELL));
    assert_eq!((f[1].kind.as_str(), f[1].subject.as_str()), ("form-burst", SPAM_PATH));

    let w = first_of(&f, "webshell");
    assert_eq!(w.count, 14);
    assert!(w.reason.contains("11 POSTs"), "{}", w.reason);
    assert!(w.reason.contains(WEBSHELL_CLIENT), "{}", w.reason);
    assert!(w.reason.contains("upload directory"), "{}", w.reason);
    assert_eq!(stats::ms_text(w.first_seen_ms), "2026-05-19T01:23:20Z");

    let b = first_of(&f, "form-burst");
    assert_eq!(b.count, 90);
    assert!(b.reason.starts_with("90 POSTs in 5 min from 3 clients"), "{}", b.reason);
    assert_eq!(stats::ms_text(b.first_seen_ms), "2026-05-16T10:00:00Z");

    // The other kinds find their planted subject first, below the two.
    let l = first_of(&f, "admin-login");
    assert_eq!(l.subject, BRUTE_CLIENT);
    assert!(l.reason.contains("500 look failed"), "{}", l.reason);
    assert!(l.reason.contains("none looks successful"), "{}", l.reason);
    assert!(l.score < f[1].score);
    let s = first_of(&f, "scanner");
    assert_eq!(s.subject, SCANNER);
    assert!(s.reason.starts_with("300 of 300 requests answered 404"), "{}", s.reason);
    // The daily admin login is not a finding, nor are benign comment POSTs a webshell.
    assert!(!f.iter().any(|x| x.subject == "192.0.2.10"), "{f:#?}");
    assert!(!f.iter().any(|x| x.subject == "/wp-comments-post.php" && x.kind == "webshell"));
    assert_eq!(f.iter().filter(|x| x.kind == "webshell").count(), 1, "{f:#?}");
}

#[test]
fn brute_force_then_success_is_flagged() {
    let mut lines = traffic();
    // The brute forcer finally gets in: a redirect, then the dashboard.
    let t = T0 + 14 * DAY;
    let browser = "python-requests/2.31";
    lines.push(Line {
        t,
        ip: BRUTE_CLIENT.into(),
        method: "POST",
        path: "/wp-login.php".into(),
        status: 302,
        ua: browser,
    });
    lines.push(Line {
        t: t + 1,
        ip: BRUTE_CLIENT.into(),
        method: "GET",
        path: "/wp-admin/".into(),
        status: 200,
        ua: browser,
    });
    lines.sort_by_key(|l| l.t);
    let (_dir, path) = write_log(&lines);
    let f = stats::http_signals(&parse(&path)).unwrap();
    let l = first_of(&f, "admin-login");
    assert_eq!(l.subject, BRUTE_CLIENT);
    assert!(l.reason.contains("2 look successful"), "{}", l.reason);
    assert!(l.reason.contains("2026-05-15T00:00:00Z"), "{}", l.reason);
    assert!(l.score > 90.0, "{l:?}");
}

#[test]
fn summaries_and_outputs() {
    let lines = traffic();
    let (_dir, path) = write_log(&lines);
    let events = parse(&path);
    let by_client = stats::http_summary(&events, "client").unwrap();
    let clients = by_client.column("client").unwrap().str().unwrap();
    // The brute forcer made the most requests (500).
    assert_eq!(clients.get(0), Some(BRUTE_CLIENT));
    let by_path = stats::http_summary(&events, "path").unwrap();
    assert!(by_path.height() > 300);
    assert!(stats::http_summary(&events, "nonsense").is_err());

    let f = stats::http_signals(&events).unwrap();
    let df = stats::findings_frame(&f).unwrap();
    let mut csv = vec![];
    stats::write_frame(&mut csv, &df, StatsFormat::Csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let mut rows = csv.lines();
    assert_eq!(rows.next(), Some("rank,kind,score,subject,count,first_seen,last_seen,reason"));
    assert!(rows.next().unwrap().starts_with("1,webshell,"), "{csv}");
    let mut jl = vec![];
    stats::write_frame(&mut jl, &df, StatsFormat::Jsonl).unwrap();
    let first: Value = serde_json::from_slice(jl.split(|b| *b == b'\n').next().unwrap()).unwrap();
    assert_eq!(first["subject"], WEBSHELL);
    assert_eq!(first["rank"], 1);
    assert_eq!(first["count"], 14);
    let mut table = vec![];
    stats::write_frame(&mut table, &df, StatsFormat::Table).unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(table.lines().nth(1).unwrap().contains(WEBSHELL), "{table}");
}

#[test]
fn hostile_text_is_escaped() {
    // A user agent with a terminal escape and a formula: the table shows it inert, CSV
    // neutralises the formula.
    let mut lines = vec![];
    for i in 0..30i64 {
        lines.push(Line {
            t: T0 + i,
            ip: "203.0.113.9".into(),
            method: "GET",
            path: format!("/p{i}"),
            status: 404,
            ua: "=cmd|\u{1b}]0;x\u{7}",
        });
    }
    let (_dir, path) = write_log(&lines);
    let f = stats::http_signals(&parse(&path)).unwrap();
    assert_eq!(f[0].kind, "scanner");
    let df = stats::findings_frame(&f).unwrap();
    let mut table = vec![];
    stats::write_frame(&mut table, &df, StatsFormat::Table).unwrap();
    let table = String::from_utf8(table).unwrap();
    assert!(!table.contains('\u{1b}'), "{table:?}");
}
