//! Apache httpd and nginx logs written by the real servers (tests/fixtures/http/gen.sh), the
//! project's real samples, and plaso's apache test file: every line parses, fields are what was
//! requested, and the whole output matches the golden files (BLESS=1 rewrites them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use jikoku_core::Event;
use jikoku_formats::http::HttpParser;
use jikoku_formats::{ParseOptions, Parser, Record};
use serde_json::{Value, json};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/http")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("missing fixture {name}: {e}"))
}

fn run(p: &HttpParser, name: &str, fmt: Option<&str>) -> Vec<Record> {
    let data = read(name);
    let mut out = vec![];
    let opts = ParseOptions { http_format: fmt.map(str::to_string), ..Default::default() };
    let mut r: &[u8] = &data;
    p.parse(&mut r, &opts, &mut |rec| out.push(rec)).unwrap();
    // Never lose a line: records cover every line (multi-line records count their lines).
    let lines = data.split(|&c| c == b'\n').filter(|l| !l.is_empty()).count() as u64;
    let covered: u64 = out.iter().map(|r| r.event.jikoku.lines.unwrap_or(1)).sum();
    assert_eq!(covered, lines, "{name}: records do not cover every line");
    golden(name, fmt.is_some(), &out);
    out
}

fn time_json(r: &Record) -> Value {
    match &r.time {
        None => Value::Null,
        Some(t) => json!({
            "y": t.year, "mo": t.month, "d": t.day, "h": t.hour, "mi": t.minute, "s": t.second,
            "ns": t.nanos, "digits": t.digits, "offset": t.offset,
        }),
    }
}

fn golden(name: &str, custom: bool, recs: &[Record]) {
    let mut text = String::new();
    for r in recs {
        let mut v = serde_json::to_value(&r.event).unwrap();
        v["_time"] = time_json(r);
        text.push_str(&serde_json::to_string(&v).unwrap());
        text.push('\n');
    }
    let g =
        dir().join("golden").join(format!("{name}{}.jsonl", if custom { ".custom" } else { "" }));
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(g.parent().unwrap()).unwrap();
        std::fs::write(&g, &text).unwrap();
    }
    let want = std::fs::read_to_string(&g)
        .unwrap_or_else(|e| panic!("missing golden {}: {e}", g.display()));
    pretty_assertions::assert_eq!(want, text, "golden {}", g.display());
}

fn events(recs: &[Record]) -> Vec<&Event> {
    recs.iter()
        .filter(|r| !r.is_error() && r.event.event.dataset != "text.comment")
        .map(|r| &*r.event)
        .collect()
}

/// What gen.sh sent, in order, as each server logs it (method, url.original, version, status,
/// user, user agent, referrer). `None` url: the server logged no target.
struct Want {
    client: &'static str,
    method: Option<&'static str>,
    url: Option<String>,
    version: Option<&'static str>,
    user: Option<&'static str>,
    ua: Option<&'static str>,
    referrer: Option<&'static str>,
}

fn long_url() -> String {
    format!("/long/{}?q={}", "a".repeat(3000), "b".repeat(1000))
}

fn w(
    client: &'static str,
    method: Option<&'static str>,
    url: Option<&str>,
    version: Option<&'static str>,
    user: Option<&'static str>,
    ua: Option<&'static str>,
    referrer: Option<&'static str>,
) -> Want {
    Want { client, method, url: url.map(str::to_string), version, user, ua, referrer }
}

fn common_requests(nginx: bool) -> Vec<Want> {
    let l = "127.0.0.1";
    // Both servers log the same bytes; decoded, `\xff` is not UTF-8 and is kept reversibly.
    let evil = "Evil \"quote\" \\\\backslash\\\\ café \\xFF";
    vec![
        w(
            l,
            Some("GET"),
            Some("/"),
            Some("1.1"),
            None,
            Some("Mozilla/5.0 (X11; Linux x86_64) curl-ish"),
            Some("http://ref.example.test/page?a=1&b=2"),
        ),
        w(
            l,
            Some("GET"),
            Some("/missing.php?q=%22quoted%22&x=1"),
            Some("1.1"),
            None,
            Some("xff-client"),
            None,
        ),
        w("::1", Some("HEAD"), Some("/index.html"), Some("1.0"), None, Some("ipv6-client"), None),
        w(
            l,
            Some("GET"),
            Some("/protected/"),
            Some("1.1"),
            Some("alice"),
            Some("auth-client"),
            None,
        ),
        w(l, Some("POST"), Some("/cgi-bin/test"), Some("1.1"), None, Some("post-client"), None),
        w(l, Some("GET"), Some(&long_url()), Some("1.1"), None, Some("long-client"), None),
        w(l, Some("GET"), Some("/a%20b?x=\"y\""), Some("1.1"), None, Some(evil), None),
        // Apache answers 400 before reading headers of a request with a backslash; nginx logs them.
        if nginx {
            w(
                l,
                Some("GET"),
                Some("/back\\slash?k=v\\w"),
                Some("1.1"),
                None,
                Some("ctl\u{1}char\tTab"),
                Some("http://r.test/\"q\""),
            )
        } else {
            w(l, Some("GET"), Some("/back\\slash?k=v\\w"), Some("1.1"), None, None, None)
        },
        if nginx {
            w(l, Some("GET"), Some("/prot\"ected/?x= y"), Some("1.1"), None, None, None)
        } else {
            w(l, Some("GET"), Some("/prot\"ected/?x= y"), None, None, None, None)
        },
        w(l, None, None, None, None, None, None),
        w(l, Some("GET"), Some("/noproto"), None, None, None, None),
        w(l, Some("GET"), Some("/../../etc/passwd"), Some("1.1"), None, None, None),
        w(l, Some("GET"), Some("/nohost"), Some("1.0"), None, None, None),
        w(l, Some("SEARCH"), Some("/café"), Some("1.1"), None, None, None),
        // `GET /slo` and nothing more: Apache logs `"-" 408`, nginx the bytes it got.
        if nginx {
            w(l, Some("GET"), Some("/slo"), None, None, None, None)
        } else {
            w(l, None, None, None, None, None, None)
        },
    ]
}

const APACHE_STATUS: [i64; 15] =
    [200, 404, 200, 401, 404, 404, 404, 400, 400, 400, 404, 400, 404, 501, 408];
const NGINX_STATUS: [i64; 15] =
    [200, 404, 200, 401, 404, 404, 404, 404, 400, 400, 404, 400, 404, 405, 408];

fn check_requests(evs: &[&Event], want: &[Want], status: &[i64], combined: bool, what: &str) {
    assert_eq!(evs.len(), want.len(), "{what}: event count");
    for (i, (e, w)) in evs.iter().zip(want).enumerate() {
        let ctx = format!("{what} line {}", i + 1);
        assert_eq!(e.source.ip.as_deref(), Some(w.client), "{ctx}: source.ip");
        assert_eq!(e.source.address.as_deref(), Some(w.client), "{ctx}: source.address");
        assert_eq!(e.http.request.method.as_deref(), w.method, "{ctx}: method");
        assert_eq!(e.url.original.as_deref(), w.url.as_deref(), "{ctx}: url");
        assert_eq!(e.http.version.as_deref(), w.version, "{ctx}: version");
        assert_eq!(e.user.name.as_deref(), w.user, "{ctx}: user");
        assert_eq!(e.http.response.status_code, status.get(i).copied(), "{ctx}: status");
        let outcome =
            if status.get(i).copied().unwrap_or(0) >= 400 { "failure" } else { "success" };
        assert_eq!(e.event.outcome.as_deref(), Some(outcome), "{ctx}: outcome");
        assert_eq!(e.event.category, vec!["web"], "{ctx}");
        assert_eq!(e.event.action.as_deref(), Some("http-request"), "{ctx}");
        assert!(e.event.original.is_some(), "{ctx}: original");
        assert!(e.log.offset.is_some() && e.jikoku.line == Some(i as u64 + 1), "{ctx}: provenance");
        if combined {
            assert_eq!(e.user_agent.original.as_deref(), w.ua, "{ctx}: user agent");
            assert_eq!(e.http.request.referrer.as_deref(), w.referrer, "{ctx}: referrer");
        } else {
            assert_eq!(e.user_agent.original, None, "{ctx}");
        }
        if let Some(u) = &w.url {
            let (p, q) = u.split_once('?').map(|(a, b)| (a, Some(b))).unwrap_or((u, None));
            assert_eq!(e.url.path.as_deref(), Some(p), "{ctx}: path");
            assert_eq!(e.url.query.as_deref(), q, "{ctx}: query");
        }
    }
}

#[test]
fn apache_builtin_formats() {
    let p = HttpParser::apache();
    for (name, ds, combined) in [
        ("apache-common.log", "http.apache_common", false),
        ("apache-combined.log", "http.apache_combined", true),
        ("apache-vhost_combined.log", "http.apache_vhost_combined", true),
    ] {
        let recs = run(&p, name, None);
        let evs = events(&recs);
        assert_eq!(recs.len(), evs.len(), "{name}: pipeline errors");
        check_requests(&evs, &common_requests(false), &APACHE_STATUS, combined, name);
        for e in &evs {
            assert_eq!(e.event.dataset, ds);
        }
        let first = evs.first().unwrap();
        let t = recs.first().unwrap().time.as_ref().unwrap();
        assert_eq!((t.year, t.month, t.day, t.offset), (Some(2026), 11, 22, Some(0)));
        if ds == "http.apache_vhost_combined" {
            assert_eq!(first.destination.domain.as_deref(), Some("www.example.test"));
            // %p is the canonical port: ServerName has none, so 80.
            assert_eq!(first.destination.port, Some(80));
        }
        if ds == "http.apache_common" {
            // %b: `-` for an empty body (HEAD) is left out.
            assert_eq!(evs.get(2).unwrap().http.response.body, None);
            assert_eq!(first.http.response.body.as_ref().unwrap().bytes, Some(6));
        } else {
            assert_eq!(first.http.response.body.as_ref().unwrap().bytes, Some(206));
        }
        // The raw TLS bytes are kept as the request line.
        assert_eq!(evs.get(9).unwrap().extra("http", "request_line").unwrap(), "\u{16}\u{3}\u{1}");
    }
    let recs = run(&p, "apache-hostname.log", None);
    let e = &recs.first().unwrap().event;
    assert_eq!((e.source.domain.as_deref(), e.source.ip.as_deref()), (Some("localhost"), None));
}

const EXTRAS: &str = r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D %T %I %O \"%{X-Forwarded-For}i\" %{X-Request-Id}i"#;
const APACHE_CUSTOM: &str = r#"%v %a %{remote}p %{%Y-%m-%dT%H:%M:%S}t.%{usec_frac}t %{%z}t %m \"%U%q\" %H %>s %B %{ms}T \"%{User-Agent}i\""#;

#[test]
fn apache_extras_and_custom() {
    let p = HttpParser::apache();
    let recs = run(&p, "apache-extras.log", Some(EXTRAS));
    let evs = events(&recs);
    check_requests(&evs, &common_requests(false), &APACHE_STATUS, true, "extras");
    let e = evs.first().unwrap();
    assert_eq!(e.event.dataset, "http.custom");
    assert_eq!(e.event.duration, Some(278 * 1000));
    assert_eq!(e.http.request.bytes, Some(154));
    assert_eq!(e.http.response.bytes, Some(206));
    let e = evs.get(1).unwrap();
    assert_eq!(e.http.request.id.as_deref(), Some("req-42"));
    assert_eq!(e.extra("http", "x_forwarded_for").unwrap(), "203.0.113.9, 10.0.0.1");
    // Without the format, the built-in reader keeps the trailing fields unnamed.
    let recs = run(&p, "apache-extras.log", None);
    let e = &recs.get(1).unwrap().event;
    assert_eq!(e.event.dataset, "http.apache_combined");
    assert_eq!(e.extra("http", "x_forwarded_for").unwrap(), "203.0.113.9, 10.0.0.1");
    assert_eq!(
        e.extra("http", "extra_fields").unwrap(),
        &json!(["222", "0", "169", "397", "req-42"])
    );

    let recs = run(&p, "apache-custom.log", Some(APACHE_CUSTOM));
    let evs = events(&recs);
    assert_eq!(evs.len(), 15);
    let e = evs.first().unwrap();
    assert_eq!(e.destination.domain.as_deref(), Some("www.example.test"));
    assert_eq!(e.source.port, Some(40790));
    // %U is the path after internal redirects (index.html), %q empty.
    assert_eq!(e.url.original.as_deref(), Some("/index.html"));
    assert_eq!(e.event.duration, Some(0));
    let t = recs.first().unwrap().time.as_ref().unwrap();
    assert_eq!(
        (t.hour, t.minute, t.second, t.nanos, t.digits, t.offset),
        (21, 13, 23, 432_266_000, 6, Some(0))
    );
    let e = evs.get(6).unwrap();
    assert_eq!(e.url.original.as_deref(), Some("/a b?x=\"y\""));
    assert_eq!(e.url.query.as_deref(), Some("x=\"y\""));
    assert_eq!(
        e.user_agent.original.as_deref(),
        Some("Evil \"quote\" \\\\backslash\\\\ café \\xFF")
    );
    let e = evs.get(9).unwrap();
    assert_eq!((e.http.request.method.as_deref(), e.url.original.as_deref()), (None, None));
}

#[test]
fn apache_error_logs() {
    let p = HttpParser::apache();
    let recs = run(&p, "apache-error.log", None);
    assert!(recs.iter().all(|r| !r.is_error()));
    let e = &recs.get(4).unwrap().event;
    assert_eq!(e.event.dataset, "http.apache_error");
    assert_eq!(e.event.action.as_deref(), Some("http-error"));
    assert_eq!(e.user.name.as_deref(), Some("alice"));
    assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(e.source.port, Some(40816));
    assert_eq!(e.log.level.as_deref(), Some("error"));
    assert_eq!(e.extra("http", "error_code").unwrap(), "AH01617");
    let t = recs.get(4).unwrap().time.as_ref().unwrap();
    assert_eq!((t.second, t.nanos, t.digits, t.offset), (23, 523_399_000, 6, None));
    let recs = run(&p, "apache-error-iso.log", None);
    let r = recs.first().unwrap();
    assert_eq!(r.event.source.port, Some(49596));
    assert_eq!(r.time.as_ref().unwrap().nanos, 518_942_000);
}

const NGINX_CUSTOM: &str = r#"$host $remote_addr:$remote_port $time_iso8601 $msec "$request_method $request_uri $server_protocol" $status $bytes_sent $request_length $request_time "$http_user_agent" $request_id"#;
const NGINX_JSON: &str = r#"escape=json '{"time":"$time_local","addr":"$remote_addr","user":"$remote_user",' '"request":"$request","status":$status,"bytes":$body_bytes_sent,' '"referer":"$http_referer","ua":"$http_user_agent","rt":$request_time}'"#;

#[test]
fn nginx_formats() {
    let p = HttpParser::nginx();
    let recs = run(&p, "nginx-combined.log", None);
    let evs = events(&recs);
    check_requests(&evs, &common_requests(true), &NGINX_STATUS, true, "nginx combined");
    assert!(evs.iter().all(|e| e.event.dataset == "http.nginx"));
    assert_eq!(evs.get(2).unwrap().http.response.body.as_ref().unwrap().bytes, Some(0));
    assert_eq!(
        evs.get(9).unwrap().extra("http", "request_line").unwrap(),
        "\u{16}\u{3}\u{1}\u{0}\\xA5\u{1}\u{0}\u{0}\\xA1\u{3}\u{3}garbage"
    );
    let recs = run(&p, "nginx-main.log", None);
    let evs = events(&recs);
    check_requests(&evs, &common_requests(true), &NGINX_STATUS, true, "nginx main");
    assert_eq!(
        evs.get(1).unwrap().extra("http", "x_forwarded_for").unwrap(),
        "203.0.113.9, 10.0.0.1"
    );

    let recs = run(&p, "nginx-json.log", Some(NGINX_JSON));
    let evs = events(&recs);
    let mut want = common_requests(true);
    // escape=json writes bytes >= 0x80 raw: the same text reaches the fields.
    if let Some(x) = want.get_mut(9) {
        x.method = None;
    }
    check_requests(&evs, &want, &NGINX_STATUS, true, "nginx json");
    assert!(evs.iter().all(|e| e.event.dataset == "http.custom"));
    assert_eq!(evs.get(14).unwrap().event.duration, Some(2_002_000_000));

    let recs = run(&p, "nginx-custom.log", Some(NGINX_CUSTOM));
    let evs = events(&recs);
    assert_eq!(evs.len(), 15);
    let e = evs.get(2).unwrap();
    assert_eq!(e.source.ip.as_deref(), Some("::1"));
    assert_eq!(e.source.port, Some(49210));
    assert_eq!(e.destination.ip.as_deref(), Some("::1"));
    assert_eq!(e.http.request.method.as_deref(), Some("HEAD"));
    assert_eq!(e.http.version.as_deref(), Some("1.0"));
    assert_eq!(e.http.request.id.as_deref(), Some("4c1ccc2210c580557a687e0cfa1d22ed"));
    assert_eq!(e.http.response.bytes, Some(229));
    assert_eq!(e.http.request.bytes, Some(85));
    let e = evs.get(7).unwrap();
    assert_eq!(e.url.original.as_deref(), Some("/back\\slash?k=v\\w"));
    let e = evs.get(8).unwrap();
    assert_eq!(
        (e.http.request.method.as_deref(), e.url.original.as_deref(), e.http.version.as_deref()),
        (None, None, None)
    );
    let t = recs.first().unwrap().time.as_ref().unwrap();
    assert_eq!((t.hour, t.minute, t.second, t.offset), (21, 13, 33, Some(0)));
}

#[test]
fn nginx_error_log() {
    let recs = run(&HttpParser::nginx(), "nginx-error.log", None);
    assert!(recs.iter().all(|r| !r.is_error()));
    assert!(recs.iter().all(|r| r.event.event.dataset == "http.nginx_error"));
    let e = &recs.get(9).unwrap().event;
    assert_eq!(e.user.name.as_deref(), Some("alice"));
    assert_eq!(e.source.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(e.destination.domain.as_deref(), Some("nginx.example.test"));
    assert_eq!(e.url.original.as_deref(), Some("/protected/"));
    assert_eq!(e.extra("http", "host").unwrap(), "127.0.0.1:8081");
    assert_eq!(e.extra("http", "connection_id").unwrap(), 4);
    assert_eq!(e.process.pid, Some(29271));
    let e = &recs
        .iter()
        .find(|r| r.event.extra("http", "connection_id") == Some(&json!(8)))
        .unwrap()
        .event;
    assert_eq!(e.url.original.as_deref(), Some("/back\\slash?k=v\\w"));
    assert_eq!(e.http.request.referrer.as_deref(), Some("http://r.test/\"q\""));
}

#[test]
fn real_samples() {
    let a = HttpParser::apache();
    let n = HttpParser::nginx();
    for (p, name, ds) in [
        (&a, "real-apache-common-access.log", "http.apache_common"),
        (&a, "real-apache-combined-access.log", "http.apache_combined"),
        (&a, "real-apache-vhost_combined-access.log", "http.apache_vhost_combined"),
        (&a, "real-apache24-error.log", "http.apache_error"),
        (&n, "real-nginx-combined-access.log", "http.nginx"),
        (&n, "real-nginx-common-access.log", "http.nginx"),
        (&n, "real-nginx-error.log", "http.nginx_error"),
    ] {
        let recs = run(p, name, None);
        // The first line is a `#` note added by whoever collected the sample.
        let (first, rest) = recs.split_first().unwrap();
        assert_eq!(first.event.event.dataset, "text.comment", "{name}");
        assert!(first.time.is_none() && !first.is_error());
        assert!(rest.iter().all(|r| !r.is_error() && r.event.event.dataset == ds), "{name}");
    }
    let recs = run(&n, "real-nginx-combined-access.log", None);
    let e = &recs.get(2).unwrap().event;
    assert_eq!(
        e.user_agent.original.as_deref(),
        Some("Evil \"quote\" \\backslash\\ agent\u{1}ctl")
    );
}

#[test]
fn plaso_apache_access() {
    // plaso tests/parsers/text_plugins/apache_access.py: 14 events and 1 warning (line 8, a
    // user agent without its closing quote). jikoku keeps line 8 as an event flagged truncated.
    let recs = run(&HttpParser::apache(), "plaso-apache_access.log", None);
    assert_eq!(recs.len(), 15);
    assert!(recs.iter().all(|r| !r.is_error()));
    let e = |i: usize| &recs.get(i).unwrap().event;
    let t = |i: usize| recs.get(i).unwrap().time.clone().unwrap();
    // ev0 (common)
    assert_eq!(e(0).source.ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(
        e(0).url.original.as_deref(),
        Some("/wp-content/themes/darkmode/header.php?install2")
    );
    assert_eq!(
        (e(0).http.response.status_code, e(0).http.response.body.as_ref().unwrap().bytes),
        (Some(200), Some(494))
    );
    assert_eq!(e(0).event.dataset, "http.apache_common");
    // ev4 (combined, +0200)
    assert_eq!(e(4).http.request.referrer.as_deref(), Some("http://localhost/"));
    assert_eq!(e(4).http.response.body.as_ref().unwrap().bytes, Some(694));
    assert_eq!((t(4).hour, t(4).second, t(4).offset), (19, 20, Some(7200)));
    // line 8 cut
    assert_eq!(e(7).extra("http", "truncated").unwrap(), true);
    // ev8 (vhost_combined)
    assert_eq!(e(8).destination.domain.as_deref(), Some("plaso.log2timeline.net"));
    assert_eq!(e(8).destination.port, Some(443));
    assert_eq!(e(8).source.ip.as_deref(), Some("10.1.1.2"));
    assert_eq!(e(8).http.response.body.as_ref().unwrap().bytes, Some(1063));
    assert_eq!(t(8).year, Some(2018));
    // unescaped quotes in the request
    assert_eq!(
        e(12).url.original.as_deref(),
        Some("/aaaa.xxxx/SomeText?action=edit&template=<script>alert(\"text\")</script>")
    );
    assert_eq!(e(12).http.response.status_code, Some(404));
    // ev13 (Kerberos user)
    assert_eq!(e(14).user.name.as_deref(), Some("pyllyukko@EXAMPLE.COM"));
    assert_eq!((t(14).year, t(14).hour, t(14).offset), (Some(2019), 9, Some(7200)));
}

/// Hostile input: every prefix of every (short) fixture line, and the same with one byte
/// replaced by a quote, a backslash or 0xFF, through both readers with and without a custom
/// format. Nothing may panic, and every non-blank piece yields exactly one record.
#[test]
fn cut_and_mangled_lines_never_panic() {
    let runs = [
        (HttpParser::apache(), None),
        (HttpParser::apache(), Some(EXTRAS)),
        (HttpParser::nginx(), None),
        (HttpParser::nginx(), Some(NGINX_JSON)),
    ];
    for name in [
        "apache-extras.log",
        "apache-error.log",
        "nginx-main.log",
        "nginx-error.log",
        "nginx-json.log",
        "plaso-apache_access.log",
    ] {
        let data = read(name);
        for line in data.split(|&c| c == b'\n').filter(|l| !l.is_empty() && l.len() < 400) {
            for cut in 0..=line.len() {
                let orig = line.get(..cut).unwrap().to_vec();
                let mut mangled = orig.clone();
                if let Some(b) = mangled.get_mut(cut / 2) {
                    *b = [b'"', b'\\', 0xff][cut % 3];
                }
                for v in [&orig, &mangled] {
                    for (p, f) in &runs {
                        let opts = ParseOptions {
                            http_format: f.map(str::to_string),
                            ..Default::default()
                        };
                        let mut n = 0;
                        let mut r: &[u8] = v;
                        p.parse(&mut r, &opts, &mut |_| n += 1).unwrap();
                        assert_eq!(
                            n,
                            usize::from(!v.iter().all(u8::is_ascii_whitespace)),
                            "{name}: {v:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn debian_server_configs() {
    use jikoku_formats::http::config::{LogKind, extract_many};
    use jikoku_formats::http::custom::LogFormat;
    let text = |n: &str| String::from_utf8(read(&format!("conf/{n}"))).unwrap();
    let (main, site, other) = (
        text("debian-apache2.conf"),
        text("debian-apache2-000-default.conf"),
        text("debian-apache2-other-vhosts-access-log.conf"),
    );
    let c = extract_many(&[&main, &site, &other]);
    let names: Vec<_> = c.formats.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["vhost_combined", "combined", "common", "referer", "agent"]);
    for f in &c.formats {
        LogFormat::compile(&f.format).unwrap();
    }
    let logs: Vec<_> =
        c.logs.iter().map(|l| (l.kind, l.path.as_str(), l.format_name.as_deref())).collect();
    assert_eq!(
        logs,
        vec![
            (LogKind::Error, "${APACHE_LOG_DIR}/error.log", None),
            (LogKind::Error, "${APACHE_LOG_DIR}/error.log", None),
            (LogKind::Access, "${APACHE_LOG_DIR}/access.log", Some("combined")),
            (LogKind::Access, "${APACHE_LOG_DIR}/other_vhosts_access.log", Some("vhost_combined")),
        ]
    );
    // The resolved format reads what Apache wrote with it.
    let combined = LogFormat::compile(c.logs.get(2).unwrap().format.as_deref().unwrap()).unwrap();
    let line = read("apache-combined.log");
    let first = line.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(combined.parse(first).unwrap().status, Some(200));
    assert!(c.includes.contains(&"ports.conf".to_string()));

    let c = extract_many(&[&text("debian-nginx.conf"), &text("debian-nginx-default")]);
    let logs: Vec<_> =
        c.logs.iter().map(|l| (l.kind, l.path.as_str(), l.format_name.as_deref())).collect();
    assert_eq!(
        logs,
        vec![
            (LogKind::Error, "/var/log/nginx/error.log", None),
            (LogKind::Access, "/var/log/nginx/access.log", Some("combined"))
        ]
    );
    let combined = LogFormat::compile(c.logs.get(1).unwrap().format.as_deref().unwrap()).unwrap();
    let line = read("nginx-combined.log");
    let first = line.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(
        combined.parse(first).unwrap().user_agent.as_deref(),
        Some("Mozilla/5.0 (X11; Linux x86_64) curl-ish")
    );
    assert!(c.includes.contains(&"/etc/nginx/sites-enabled/*".to_string()));
}
