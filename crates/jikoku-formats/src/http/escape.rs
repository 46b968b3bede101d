//! Undoing the escapes web servers apply to logged values.
//!
//! - Apache (`ap_escape_logitem`): `\"`, `\\`, `\b \n \r \t \v`, `\xhh` (lower-case hex).
//! - nginx `escape=default`: `\xHH` (upper-case hex) for `"`, `\`, controls and bytes >= 0x7F.
//! - nginx `escape=json`: JSON escapes (`\"`, `\\`, `\n`, `\uXXXX`, …); bytes >= 0x80 raw.
//!
//! The three never collide (each server escapes its own backslash), so one decoder serves all.
//! The result is bytes; [`decode_text`] renders them with the project's reversible text
//! convention (valid UTF-8 verbatim, else `\xNN`, see `jikoku_core::escape`).

use jikoku_core::escape::bytes_to_text;

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn hex4(b: &[u8]) -> Option<u32> {
    let mut v: u32 = 0;
    if b.len() != 4 {
        return None;
    }
    for &c in b {
        v = v * 16 + u32::from(hex(c)?);
    }
    Some(v)
}

/// Decodes the escapes of a logged value into the bytes the client sent.
pub fn decode_bytes(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = s.get(i + 1) else {
            out.push(c);
            break;
        };
        let simple = match n {
            b'"' => Some(b'"'),
            b'\\' => Some(b'\\'),
            b'/' => Some(b'/'),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i += 2;
            continue;
        }
        if n == b'x' {
            if let (Some(h), Some(l)) =
                (s.get(i + 2).and_then(|&x| hex(x)), s.get(i + 3).and_then(|&x| hex(x)))
            {
                out.push(h * 16 + l);
                i += 4;
                continue;
            }
        }
        if n == b'u' {
            if let Some(v) = s.get(i + 2..i + 6).and_then(hex4) {
                let mut used = 6;
                let mut cp = v;
                if (0xD800..0xDC00).contains(&v) {
                    // A surrogate pair: \uD83D\uDE00.
                    if s.get(i + 6) == Some(&b'\\') && s.get(i + 7) == Some(&b'u') {
                        if let Some(lo) = s.get(i + 8..i + 12).and_then(hex4) {
                            if (0xDC00..0xE000).contains(&lo) {
                                cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                                used = 12;
                            }
                        }
                    }
                }
                if let Some(ch) = char::from_u32(cp) {
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i += used;
                    continue;
                }
            }
        }
        // Not an escape we know: keep the backslash as written.
        out.push(c);
        i += 1;
    }
    out
}

/// Decodes escapes and renders the bytes as text.
pub fn decode_text(s: &[u8]) -> String {
    if !s.contains(&b'\\') {
        return bytes_to_text(s);
    }
    bytes_to_text(&decode_bytes(s))
}

/// True when the text carries nginx's default escaping (`\x22`, `\x5C`, or upper-case hex),
/// which Apache never writes.
pub fn looks_nginx_escaped(s: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = s.get(i..).and_then(|r| memchr::memchr(b'\\', r)) {
        let at = i + p;
        if s.get(at + 1) == Some(&b'x') {
            if let (Some(&h), Some(&l)) = (s.get(at + 2), s.get(at + 3)) {
                // `\x22` and `\x5C` could only come from nginx (Apache writes `\"` and `\\`).
                let nginx_only = matches!((h, l), (b'2', b'2') | (b'5', b'C') | (b'5', b'c'));
                if hex(h).is_some()
                    && hex(l).is_some()
                    && (nginx_only || h.is_ascii_uppercase() || l.is_ascii_uppercase())
                {
                    return true;
                }
            }
        }
        // Skip the escaped character (an escaped backslash starts no escape).
        i = at + 2;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apache_nginx_json() {
        assert_eq!(
            decode_text(br#"Evil \"quote\" \\backslash\\ caf\xc3\xa9"#),
            r#"Evil "quote" \backslash\ café"#
        );
        assert_eq!(
            decode_text(br"Evil \x22quote\x22 \x5Cbackslash\x5C caf\xC3\xA9"),
            r#"Evil "quote" \backslash\ café"#
        );
        assert_eq!(decode_text(br#"a\u0001b \"c\" \ud83d\ude00"#), "a\u{1}b \"c\" \u{1F600}");
        // An invalid byte is kept, rendered reversibly.
        assert_eq!(decode_text(br"x \xff"), "x \\xFF");
        assert_eq!(decode_text(br"trailing \"), "trailing \\");
        assert!(looks_nginx_escaped(br"a \x22b"));
        assert!(looks_nginx_escaped(br"\xA5"));
        assert!(!looks_nginx_escaped(br"\x16\x03\x01 \xc3"));
        assert!(!looks_nginx_escaped(br"GET /\\x22 \\xAB"));
    }
}
