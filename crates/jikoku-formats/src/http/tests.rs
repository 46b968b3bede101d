//! Parser-level tests of the http module (fixture tests live in tests/http.rs).
use super::*;

fn run(p: &HttpParser, data: &[u8], fmt: Option<&str>) -> Vec<Record> {
    let mut out = vec![];
    let opts = ParseOptions { http_format: fmt.map(str::to_string), ..Default::default() };
    let mut r: &[u8] = data;
    p.parse(&mut r, &opts, &mut |rec| out.push(rec)).unwrap();
    out
}

#[test]
fn nginx_multiline_and_mixed() {
    let data = b"2019/10/30 23:26:34 [error] 1#1: *9 FastCGI sent in stderr: \"PHP message: PHP Warning:  x in /a.php on line 3\nPHP message: PHP Warning:  y in /b.php on line 4\" while reading response header from upstream, client: 10.0.0.1, server: s.test, request: \"GET /i.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php.sock:\", host: \"s.test\"\n127.0.0.1 - - [22/Nov/2026:19:21:53 +0000] \"GET / HTTP/1.1\" 200 5 \"-\" \"c\\x22\"\ngarbage\n";
    let recs = run(&HttpParser::nginx(), data, None);
    assert_eq!(recs.len(), 3);
    let e = &recs[0].event;
    assert_eq!(e.event.dataset, "http.nginx_error");
    assert_eq!(e.jikoku.lines, Some(2));
    assert_eq!(e.source.ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(e.extra("http", "upstream").unwrap(), "fastcgi://unix:/run/php.sock:");
    assert_eq!(e.extra("php", "file").unwrap(), "/a.php");
    let a = &recs[1].event;
    assert_eq!(a.event.dataset, "http.nginx");
    assert_eq!(a.log.offset, Some(data.windows(9).position(|w| w == b"127.0.0.1").unwrap() as u64));
    assert_eq!(a.user_agent.original.as_deref(), Some("c\""));
    assert!(recs[2].is_error());
    assert_eq!(recs[2].event.jikoku.line, Some(4));
}

#[test]
fn custom_falls_back_to_builtin() {
    let data = b"1.2.3.4 2026-11-22T19:21:53+09:00 \"GET /x HTTP/1.1\" 201 0.250\n5.6.7.8 - - [22/Nov/2026:19:21:53 +0000] \"GET / HTTP/1.1\" 200 5\n";
    let recs = run(
        &HttpParser::apache(),
        data,
        Some(r#"$remote_addr $time_iso8601 "$request" $status $request_time"#),
    );
    assert_eq!(recs[0].event.event.dataset, "http.custom");
    assert_eq!(recs[0].event.event.duration, Some(250_000_000));
    assert_eq!(recs[0].time.as_ref().unwrap().offset, Some(9 * 3600));
    assert_eq!(recs[1].event.event.dataset, "http.apache_common");
    let recs = run(
        &HttpParser::custom(),
        data,
        Some(r#"$remote_addr $time_iso8601 "$request" $status $request_time"#),
    );
    assert!(recs[1].is_error());
}

#[test]
fn sniffing() {
    let head = |b: &'static [u8], name: &'static str| Head {
        bytes: b,
        file_name: name,
        len: Some(b.len() as u64),
    };
    let access = b"127.0.0.1 - - [22/Nov/2026:19:22:05 +0000] \"GET / HTTP/1.1\" 200 10975\n";
    assert_eq!(HttpParser::apache().sniff(&head(access, "access.log")), 90);
    assert_eq!(HttpParser::nginx().sniff(&head(access, "access.log")), 0);
    assert_eq!(HttpParser::nginx().sniff(&head(access, "nginx-access.log")), 95);
    let err = b"2012/04/09 11:53:29 [error] 2865#0: *66647 user \"xyz\": password mismatch, client: 192.0.43.10\n";
    assert_eq!(HttpParser::nginx().sniff(&head(err, "error.log")), 95);
    let syslog =
        b"Nov 22 19:22:05 host sshd[1]: Accepted password for root from 10.0.0.1 port 22 ssh2\n";
    assert_eq!(HttpParser::apache().sniff(&head(syslog, "auth.log")), 0);
    assert_eq!(HttpParser::custom().sniff(&head(access, "access.log")), 0);
}

#[test]
fn hostile_lines_stay_linear() {
    // Many candidate delimiters: the custom matcher's work is bounded.
    let mut line = b"1.2.3.4 - - [22/Nov/2026:19:21:53 +0000] \"".to_vec();
    for _ in 0..100_000 {
        line.extend_from_slice(b"\" 200 1 \"x\" ");
    }
    line.push(b'\n');
    let start = std::time::Instant::now();
    let fmt = r#"%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\" %D"#;
    let recs = run(&HttpParser::apache(), &line, Some(fmt));
    assert_eq!(recs.len(), 1);
    let mut huge = vec![b'['; 1_000_000];
    huge.extend_from_slice(b"\n");
    let recs = run(&HttpParser::nginx(), &huge, None);
    assert!(recs[0].is_error());
    assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
}

#[test]
fn continuation_rules_and_wrapped_lines() {
    let data = b"2024/01/02 03:04:05 [error] 7#7: *1 FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Exception: boom in /srv/a.php:3\nStack trace:\n#0 {main}\n  thrown in /srv/a.php on line 3\" while reading response header from upstream, client: 192.0.2.9, server: s, request: \"GET / HTTP/1.1\"\n# failJSON: { \"time\": \"2024-01-02T03:04:05\" }\nFeb 15 16:23:00 srv httpd[22034]: [authz_core:error] [pid 22036] [client 192.0.2.1:58585] AH01630: client denied by server configuration: /home/www/\nhost nginx[2833]: 2015/01/21 10:56:10 [error] 2833#0: *16336 open() \"/x\" failed (2: No such file or directory), client: 5.7.9.2, server: localhost, request: \"GET /x HTTP/1.1\"\n";
    let recs = run(&HttpParser::nginx(), data, None);
    assert_eq!(recs.len(), 4, "{recs:#?}");
    let e = &recs[0].event;
    assert_eq!(e.jikoku.lines, Some(4));
    assert_eq!(e.source.ip.as_deref(), Some("192.0.2.9"));
    assert_eq!(e.extra("php", "level").unwrap(), "Fatal error");
    assert_eq!(recs[1].event.event.dataset, "text.comment");
    let e = &recs[2].event;
    assert_eq!(e.event.dataset, "http.apache_error");
    assert_eq!(e.host.name.as_deref(), Some("srv"));
    assert_eq!(e.process.name.as_deref(), Some("httpd"));
    assert_eq!(e.process.pid, Some(22036));
    assert_eq!(e.source.ip.as_deref(), Some("192.0.2.1"));
    let t = recs[2].time.as_ref().unwrap();
    assert_eq!((t.year, t.month, t.day, t.hour), (None, 2, 15, 16));
    let e = &recs[3].event;
    assert_eq!(e.event.dataset, "http.nginx_error");
    assert_eq!(e.source.ip.as_deref(), Some("5.7.9.2"));
    assert_eq!(recs[3].time.as_ref().unwrap().year, Some(2015));
}

/// Deterministic random lines and format strings made of the pieces these readers care about:
/// nothing panics, every non-blank line gives one record (or joins an nginx record).
#[test]
fn random_pieces_never_panic() {
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pieces: [&[u8]; 24] = [
        b"127.0.0.1",
        b" ",
        b"-",
        b"\"",
        b"\\",
        b"\\x",
        b"[",
        b"]",
        b"22/Nov/2026:19:22:05 +0000",
        b"200",
        b"GET / HTTP/1.1",
        b"2026/11/22 19:21:53 [error] 1#1: *2 ",
        b", client: ",
        b"[Sun Nov 22 19:22:05.1 2026]",
        b"[core:error]",
        b"[pid 1:tid 2]",
        b"\xff",
        b"::1",
        b"AH00001: ",
        b"PHP Warning:  x in /a on line 9",
        b"{\"a\":\"",
        b"%",
        b"$",
        b"\n",
    ];
    let fpieces = [
        "%h",
        "%{Referer}i",
        "%t",
        "%{%d/%b/%Y}t",
        "%>s",
        "%D",
        "%{",
        "$remote_addr",
        "${host}",
        "\"",
        " ",
        "[",
        "]",
        "-",
        "$request_time",
        "%r",
        "escape=json ",
        "'",
        "%%",
    ];
    for _ in 0..300 {
        let mut fmt = String::new();
        for _ in 0..(next() % 8) {
            fmt.push_str(fpieces[(next() % fpieces.len() as u64) as usize]);
        }
        let fmt = (next() % 2 == 0).then_some(fmt);
        let mut data = vec![];
        for _ in 0..40 {
            let n = next() % 12;
            for _ in 0..n {
                data.extend_from_slice(pieces[(next() % pieces.len() as u64) as usize]);
            }
            data.push(b'\n');
        }
        for p in [HttpParser::apache(), HttpParser::nginx()] {
            let opts = ParseOptions { http_format: fmt.clone(), ..Default::default() };
            let mut r: &[u8] = &data;
            let mut out = vec![];
            // A format with no field is refused up front; that is an Err, not a panic.
            if p.parse(&mut r, &opts, &mut |rec| out.push(rec)).is_ok() {
                let covered: u64 = out.iter().map(|r| r.event.jikoku.lines.unwrap_or(1)).sum();
                let lines = data
                    .split(|&c| c == b'\n')
                    .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
                    .count() as u64;
                assert!(covered >= lines, "{covered} < {lines}");
            }
        }
    }
}
