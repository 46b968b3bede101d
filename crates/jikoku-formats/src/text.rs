//! Small text helpers shared by parsers (numbers, key=value, rsyslog escapes).

/// Decodes rsyslog's control-character escapes (`#011` → TAB, `#012` → LF, …): `#` followed by
/// three octal digits naming a byte below 0x20, or 0x7F. Other `#` sequences are left alone.
pub fn decode_octal_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('#') {
        return std::borrow::Cow::Borrowed(s);
    }
    let b = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut i = 0;
    let mut changed = false;
    while let Some(&c) = b.get(i) {
        if c == b'#' {
            if let Some(&[d0, d1, d2]) = b.get(i + 1..i + 4) {
                if [d0, d1, d2].iter().all(|x| (b'0'..=b'7').contains(x)) {
                    let v =
                        u32::from(d0 - b'0') * 64 + u32::from(d1 - b'0') * 8 + u32::from(d2 - b'0');
                    if v < 0x20 || v == 0x7f {
                        out.push(v as u8);
                        i += 4;
                        changed = true;
                        continue;
                    }
                }
            }
        }
        out.push(c);
        i += 1;
    }
    if !changed {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// Value of `key=` in a `key=value key2=value2` text (value up to the next space, `,` or `;`).
pub fn kv<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let mut start = 0;
    while let Some(pos) = text.get(start..).and_then(|t| t.find(key)) {
        let at = start + pos;
        let before_ok = at == 0
            || text
                .as_bytes()
                .get(at - 1)
                .is_some_and(|c| matches!(c, b' ' | b',' | b';' | b'(' | b'\t'));
        let after = at + key.len();
        if before_ok && text.as_bytes().get(after) == Some(&b'=') {
            let rest = text.get(after + 1..)?;
            let end = rest.find([' ', ',', ';', ')']).unwrap_or(rest.len());
            return rest.get(..end);
        }
        start = after;
    }
    None
}

/// Parses a decimal integer, `None` unless the whole text is digits (with an optional sign).
pub fn int(s: &str) -> Option<i64> {
    s.parse().ok()
}

/// A `#` annotation line (test corpora, samples) kept as a `text.comment` event, never glued onto
/// a record and never an error.
pub fn comment_record(text: &str, offset: u64, line: u64) -> crate::Record {
    let mut e = jikoku_core::Event::new("text.comment");
    e.event.action = Some(std::borrow::Cow::Borrowed("comment"));
    e.message = Some(text.to_string());
    e.event.original = Some(text.to_string());
    e.log.offset = Some(offset);
    e.jikoku.line = Some(line);
    crate::Record { event: Box::new(e), time: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_escapes() {
        assert_eq!(
            decode_octal_escapes("Hello#007bell and tab#011here"),
            "Hello\u{7}bell and tab\there"
        );
        assert_eq!(decode_octal_escapes("issue #123 and #0a"), "issue #123 and #0a");
    }

    #[test]
    fn kv_finds_keys() {
        let t = "logname= uid=0 euid=0 tty=ssh ruser= rhost=127.0.0.1  user=alice";
        assert_eq!(kv(t, "uid"), Some("0"));
        assert_eq!(kv(t, "rhost"), Some("127.0.0.1"));
        assert_eq!(kv(t, "user"), Some("alice"));
        assert_eq!(kv(t, "ruser"), Some(""));
        assert_eq!(kv(t, "nothing"), None);
    }
}
