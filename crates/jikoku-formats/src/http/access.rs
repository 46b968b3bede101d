//! Built-in access-log lines: Apache common / combined / vhost_combined, nginx combined / main,
//! and the variants seen in the wild (extra trailing fields, `%v` after the time, no offset).
//!
//! The line is read as tokens rather than one rigid pattern: the words before the first
//! `[time]` (vhost, client, ident, user), the quoted request and the status, then the bytes and
//! the quoted referer and user agent, then anything else.

use memchr::memchr_iter;

use super::common::{Access, parse_clf_time, present};
use super::escape::decode_text;

/// Which built-in layout a line had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `%h %l %u %t "%r" %>s %b`
    Common,
    /// common + `"%{Referer}i" "%{User-agent}i"`
    Combined,
    /// `%v:%p` + combined
    VhostCombined,
}

fn text(b: &[u8]) -> String {
    decode_text(b)
}

/// Finds the closing quote of a quoted field starting after `start` (the index just past the
/// opening `"`). Escaped quotes (`\"`) are skipped. `accept` says whether the bytes after a
/// candidate quote are what should follow the field; the first accepted candidate wins. When
/// none is accepted, the first unescaped quote is returned. `None`: no closing quote at all.
fn close_quote(line: &[u8], start: usize, accept: &dyn Fn(&[u8]) -> bool) -> Option<usize> {
    let mut first: Option<usize> = None;
    let mut i = start;
    while let Some(&c) = line.get(i) {
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == b'"' {
            if first.is_none() {
                first = Some(i);
            }
            if accept(line.get(i + 1..).unwrap_or(&[])) {
                return Some(i);
            }
        }
        i += 1;
    }
    first
}

fn status_follows(rest: &[u8]) -> bool {
    // ` 200 ` / ` 200` at end / ` - `
    let Some(r) = rest.strip_prefix(b" ") else { return false };
    let end = r.iter().position(|&c| c == b' ').unwrap_or(r.len());
    let tok = r.get(..end).unwrap_or(&[]);
    tok == b"-" || (tok.len() == 3 && tok.iter().all(u8::is_ascii_digit))
}

fn field_end_follows(rest: &[u8]) -> bool {
    rest.is_empty() || rest.first() == Some(&b' ')
}

/// One token after the request: a quoted string or a bare word (a bare `key="v a l"` is one token).
#[derive(Debug)]
enum Tok {
    Quoted(String),
    Bare(String),
}

fn tokens(line: &[u8], mut i: usize, truncated: &mut bool) -> Vec<Tok> {
    let mut out = vec![];
    loop {
        while line.get(i) == Some(&b' ') || line.get(i) == Some(&b'\t') {
            i += 1;
        }
        let Some(&c) = line.get(i) else { break };
        if c == b'"' {
            match close_quote(line, i + 1, &field_end_follows) {
                Some(j) => {
                    out.push(Tok::Quoted(text(line.get(i + 1..j).unwrap_or(&[]))));
                    i = j + 1;
                }
                None => {
                    out.push(Tok::Quoted(text(line.get(i + 1..).unwrap_or(&[]))));
                    *truncated = true;
                    break;
                }
            }
        } else {
            let start = i;
            while let Some(&c) = line.get(i) {
                if c == b' ' || c == b'\t' {
                    break;
                }
                if c == b'"' {
                    // key="value with spaces"
                    match close_quote(line, i + 1, &field_end_follows) {
                        Some(j) => i = j + 1,
                        None => {
                            i = line.len();
                            *truncated = true;
                        }
                    }
                    continue;
                }
                i += 1;
            }
            out.push(Tok::Bare(text(line.get(start..i).unwrap_or(&[]))));
        }
    }
    out
}

/// Reads a built-in access-log line. `None` when the line is not one.
pub fn parse(line: &[u8]) -> Option<(Access, Layout)> {
    // The time: the first `[...]` that reads as a CLF time.
    let (lb, rb, time) = memchr_iter(b'[', line).take(8).find_map(|lb| {
        let rb = lb + 1 + memchr::memchr(b']', line.get(lb + 1..)?)?;
        let inner = std::str::from_utf8(line.get(lb + 1..rb)?).ok()?;
        parse_clf_time(inner).map(|t| (lb, rb, t))
    })?;
    let prefix = std::str::from_utf8(line.get(..lb)?).ok()?;
    if prefix.contains('"') {
        return None;
    }
    let raw_words: Vec<&str> = prefix.split([' ', '\t']).filter(|w| !w.is_empty()).collect();
    // `%{X-Forwarded-For}i` in place of `%h` writes a list: `203.0.113.9, 10.0.0.1 - - [...]`.
    // Its words are joined back; the first address is the client.
    let mut words: Vec<String> = vec![];
    let mut list: Option<String> = None;
    for w in raw_words {
        match words.last_mut() {
            Some(last) if last.ends_with(',') => {
                last.push(' ');
                last.push_str(w);
            }
            _ => words.push(w.to_string()),
        }
    }
    if let Some(first) = words.first_mut() {
        if first.contains(", ") {
            list = Some(first.clone());
            *first = first.split(',').next().unwrap_or("").to_string();
        }
    }
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let mut a = Access { time: Some(time), ..Default::default() };
    if let Some(l) = list {
        a.extras.push(("x_forwarded_for".into(), l));
    }
    let n = words.len();
    let dash = |s: &str| present(s.to_string());
    let mut client_idx = match n {
        1 | 2 => 0,
        _ => n - 3,
    };
    // `ip - - - [time]`: the client is the last word before the dashes.
    while client_idx > 0 && words.get(client_idx) == Some(&"-") {
        client_idx -= 1;
    }
    a.client = words.get(client_idx).and_then(|w| dash(w));
    match n {
        1 => {}
        2 => a.user = words.get(1).and_then(|w| dash(w)),
        _ => {
            a.ident = words.get(n - 2).and_then(|w| dash(w));
            a.user = words.get(n - 1).and_then(|w| dash(w));
        }
    }
    if client_idx > 0 {
        a.vhost = words.first().and_then(|w| dash(w));
        for w in words.get(1..client_idx).unwrap_or(&[]) {
            a.extra_fields.push((*w).to_string());
        }
    }
    // After the time: optional bare words (a vhost some formats put there), then "request".
    let mut i = rb + 1;
    let mut post: Vec<String> = vec![];
    loop {
        while line.get(i) == Some(&b' ') {
            i += 1;
        }
        match line.get(i) {
            Some(b'"') => break,
            Some(_) => {
                let start = i;
                while line.get(i).is_some_and(|&c| c != b' ' && c != b'"') {
                    i += 1;
                }
                post.push(text(line.get(start..i)?));
                if post.len() > 2 {
                    return None;
                }
            }
            None => return None,
        }
    }
    let close = close_quote(line, i + 1, &status_follows)?;
    if !status_follows(line.get(close + 1..)?) {
        return None;
    }
    a.request = present(text(line.get(i + 1..close)?));
    if let Some(v) = post.into_iter().next() {
        if a.vhost.is_none() {
            a.vhost = present(v);
        }
    }
    let mut truncated = false;
    let toks = tokens(line, close + 1, &mut truncated);
    a.truncated = truncated;
    let mut it = toks.into_iter().peekable();
    match it.next() {
        Some(Tok::Bare(s)) if s == "-" => {}
        Some(Tok::Bare(s)) => a.status = Some(s.parse().ok()?),
        _ => return None,
    }
    if let Some(Tok::Bare(b)) = it.peek() {
        if b == "-" || b.bytes().all(|c| c.is_ascii_digit()) {
            a.body_bytes = b.parse().ok();
            it.next();
        }
    }
    let mut quoted = 0;
    for t in it {
        match t {
            Tok::Quoted(q) if quoted == 0 => {
                quoted += 1;
                a.referrer = present(q);
            }
            Tok::Quoted(q) if quoted == 1 => {
                quoted += 1;
                a.user_agent = present(q);
            }
            Tok::Quoted(q) if quoted == 2 && (q == "-" || looks_like_ip_list(&q)) => {
                // nginx `main`: "$http_x_forwarded_for"
                quoted += 1;
                if let Some(v) = present(q) {
                    a.extras.push(("x_forwarded_for".into(), v));
                }
            }
            Tok::Quoted(q) => {
                quoted += 1;
                a.extra_fields.push(q);
            }
            Tok::Bare(b) => {
                if let Some((k, v)) = b.split_once('=') {
                    if is_key(k) {
                        let v = v
                            .strip_prefix('"')
                            .map(|v| v.strip_suffix('"').unwrap_or(v))
                            .unwrap_or(v);
                        let key = k.to_ascii_lowercase().replace('-', "_");
                        if v != "-" && !v.is_empty() {
                            a.extras.push((key, v.to_string()));
                        }
                        continue;
                    }
                }
                a.extra_fields.push(b);
            }
        }
    }
    let layout = if a.vhost.is_some() {
        Layout::VhostCombined
    } else if quoted > 0 {
        Layout::Combined
    } else {
        Layout::Common
    };
    Some((a, layout))
}

fn is_key(k: &str) -> bool {
    !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

fn looks_like_ip_list(s: &str) -> bool {
    !s.is_empty()
        && s.split(',').all(|p| {
            let p = p.trim();
            p.parse::<std::net::IpAddr>().is_ok() || p == "unknown"
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> (Access, Layout) {
        parse(s.as_bytes()).unwrap_or_else(|| panic!("no parse: {s}"))
    }

    #[test]
    fn apache_real() {
        let (a, l) = p(
            r#"127.0.0.1 - alice [22/Nov/2026:19:22:05 +0000] "GET /protected/ HTTP/1.1" 401 708 "-" "-""#,
        );
        assert_eq!(l, Layout::Combined);
        assert_eq!(a.client.as_deref(), Some("127.0.0.1"));
        assert_eq!(a.user.as_deref(), Some("alice"));
        assert_eq!(a.status, Some(401));
        assert_eq!(a.body_bytes, Some(708));
        assert_eq!((a.referrer, a.user_agent), (None, None));
        let (a, l) = p(
            r#"127.0.0.1 - - [22/Nov/2026:19:22:18 +0000] "GET /a%20b?x=\"y\" HTTP/1.1" 404 500 "-" "Evil \"quote\" \\backslash\\ caf\xc3\xa9 \xff""#,
        );
        assert_eq!(l, Layout::Combined);
        assert_eq!(a.request.as_deref(), Some(r#"GET /a%20b?x="y" HTTP/1.1"#));
        assert_eq!(a.user_agent.as_deref(), Some("Evil \"quote\" \\\\backslash\\\\ café \\xFF"));
        let (a, l) = p(
            r#"www.example.test:8080 ::1 - - [22/Nov/2026:19:22:05 +0000] "HEAD /index.html HTTP/1.0" 200 274 "-" "ipv6-client""#,
        );
        assert_eq!(l, Layout::VhostCombined);
        assert_eq!(a.vhost.as_deref(), Some("www.example.test:8080"));
        assert_eq!(a.client.as_deref(), Some("::1"));
        let (a, l) = p(r#"127.0.0.1 - - [22/Nov/2026:19:22:05 +0000] "\x16\x03\x01" 400 532"#);
        assert_eq!(l, Layout::Common);
        assert_eq!(a.request.as_deref(), Some("\u{16}\u{3}\u{1}"));
    }

    #[test]
    fn wild_variants() {
        // Unescaped quotes inside the request (plaso test data).
        let (a, _) = p(
            r#"1.2.3.4 - - [25/Apr/2021:06:15:33 +0000] "GET /x?t=<script>alert("text")</script> HTTP/1.0" 404 1164"#,
        );
        assert_eq!(
            a.request.as_deref(),
            Some(r#"GET /x?t=<script>alert("text")</script> HTTP/1.0"#)
        );
        assert_eq!(a.status, Some(404));
        // Cut line: the user agent has no closing quote.
        let (a, _) = p(
            r#"46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /c.py HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1"#,
        );
        assert!(a.truncated);
        assert_eq!(a.user_agent.as_deref(), Some("Mozilla/5.0 (compatible; Googlebot/2.1"));
        // fail2ban fake-googlebot: four words, vhost after the time, no offset, trailing fields.
        let (a, l) = p(
            r#"66.249.66.1 - - - [31/Jan/2015:14:29:44 ] fail2ban.org "GET / HTTP/1.1" 200 814 "-" "Googlebot" + 293 1149 546"#,
        );
        assert_eq!(a.client.as_deref(), Some("66.249.66.1"));
        assert_eq!(a.vhost.as_deref(), Some("fail2ban.org"));
        assert_eq!(a.time.as_ref().unwrap().offset, None);
        assert_eq!(a.extra_fields, vec!["+", "293", "1149", "546"]);
        assert_eq!(l, Layout::VhostCombined);
        // lnav: client only.
        let (a, _) = p(
            r#"192.168.202.254 [20/Jul/2009:22:59:29 +0000] "GET /v.gz HTTP/1.0" 404 46210 "-" "gPXE/0.9.7""#,
        );
        assert_eq!(a.client.as_deref(), Some("192.168.202.254"));
        // elastic: X-Forwarded-For suffix and a number between bytes and referer.
        let (a, _) = p(
            r#"2a02:cf40::1 - - [29/May/2017:19:02:48 +0000] "GET / HTTP/1.1" 200 612 3413 "-" "UA" X-Forwarded-For="10.225.192.17, 10.2.2.121""#,
        );
        assert_eq!(
            a.extras,
            vec![("x_forwarded_for".to_string(), "10.225.192.17, 10.2.2.121".to_string())]
        );
        assert_eq!(a.extra_fields, vec!["3413"]);
        assert_eq!(a.user_agent.as_deref(), Some("UA"));
        // nginx main.
        let (a, _) = p(r#"1.2.3.4 - - [20/Jan/2015:19:53:28 +0100] "" 400 47 "-" "-" "-""#);
        assert_eq!(a.request, None);
        assert!(a.extras.is_empty());
        // `"-" 408 -`
        let (a, _) = p(r#"::1 - - [26/Dec/2016:16:16:48 +0200] "-" 408 -"#);
        assert_eq!((a.request, a.status, a.body_bytes), (None, Some(408), None));
        // An X-Forwarded-For list in place of the client.
        let (a, _) =
            p(r#"203.0.113.9, 10.0.0.1 - - [22/Nov/2026:19:22:05 +0000] "GET / HTTP/1.1" 200 5"#);
        assert_eq!(a.client.as_deref(), Some("203.0.113.9"));
        assert_eq!(a.vhost, None);
        assert_eq!(
            a.extras,
            vec![("x_forwarded_for".to_string(), "203.0.113.9, 10.0.0.1".to_string())]
        );
        // A syslog line is not an access line.
        assert!(parse(b"Nov 22 19:22:05 host sshd[1]: [22/Nov/2026:19:22:05 +0000] x").is_none());
    }
}
