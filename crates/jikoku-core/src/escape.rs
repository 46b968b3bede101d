//! Turning source bytes into text without losing any of them.
//!
//! Log files are bytes, not guaranteed UTF-8. Valid UTF-8 is kept verbatim. A byte sequence
//! that is not valid UTF-8 is rendered reversibly: every invalid byte becomes `\xNN` and, so
//! that the rendering can be undone, every backslash in such a text becomes `\\`
//! ([`unescape_bytes`] gives the original bytes back). [`is_escaped`] tells the two apart.

use std::borrow::Cow;

/// Renders `bytes` as text: verbatim when valid UTF-8, else with `\xNN` escapes (see module doc).
pub fn bytes_to_text(bytes: &[u8]) -> String {
    bytes_to_cow(bytes).into_owned()
}

/// As [`bytes_to_text`], borrowing when the bytes are valid UTF-8.
pub fn bytes_to_cow(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(escape_invalid(bytes)),
    }
}

/// True when `bytes` is not valid UTF-8, i.e. its text rendering uses escapes.
pub fn is_escaped(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_err()
}

fn escape_invalid(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 16);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                push_escaping_backslash(&mut out, s);
                return out;
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                // `good` is valid by construction.
                push_escaping_backslash(&mut out, &String::from_utf8_lossy(good));
                let bad_len = e.error_len().unwrap_or(rest.len()).min(rest.len());
                let (bad, after) = rest.split_at(bad_len);
                for b in bad {
                    out.push_str(&format!("\\x{b:02X}"));
                }
                bytes = after;
            }
        }
    }
}

fn push_escaping_backslash(out: &mut String, s: &str) {
    for c in s.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else {
            out.push(c);
        }
    }
}

/// Reverses the escaped rendering of [`bytes_to_text`] for a text that [`is_escaped`].
pub fn unescape_bytes(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\\' {
            match b.get(i + 1) {
                Some(b'\\') => {
                    out.push(b'\\');
                    i += 2;
                    continue;
                }
                Some(b'x') => {
                    if let Some(hex) = b.get(i + 2..i + 4) {
                        if let Some(v) = std::str::from_utf8(hex)
                            .ok()
                            .and_then(|h| u8::from_str_radix(h, 16).ok())
                        {
                            out.push(v);
                            i += 4;
                            continue;
                        }
                    }
                }
                _ => {}
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_utf8_is_verbatim() {
        assert_eq!(bytes_to_text("a\\b ímynd".as_bytes()), "a\\b ímynd");
    }

    #[test]
    fn invalid_bytes_round_trip() {
        let raw = b"user \xff\xfe name \\ \xe3\x81";
        let t = bytes_to_text(raw);
        assert_eq!(t, "user \\xFF\\xFE name \\\\ \\xE3\\x81");
        assert_eq!(unescape_bytes(&t), raw.to_vec());
    }
}
