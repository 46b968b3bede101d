//! The text of a complaint in the charset it was written in: Japanese complaints come in
//! ISO-2022-JP (7-bit, the mail standard of RFC 1468), Shift_JIS or EUC-JP, declared in
//! `Content-Type: …; charset=` or not at all, in 8-bit bodies or base64/quoted-printable parts,
//! and in RFC 2047 encoded words in the header (`=?ISO-2022-JP?B?…?=`).
//!
//! - [`encoding_for`]: the decoder a charset label names (WHATWG labels via `encoding_rs`,
//!   plus the names mailers write that the Encoding Standard lacks: `cp932`, `iso-2022-jp-2`, …);
//! - [`decode`]: bytes to text in a declared charset, else detected (ISO-2022-JP by its escape
//!   sequences, UTF-8 when valid, else EUC-JP or Shift_JIS when one decodes without error);
//!   what no charset explains stays as `\xNN` escapes (never lost, never guessed);
//! - [`decode_lines`]: a whole input, line by line, so that line numbers stay those of the
//!   input: each line in the charset last declared above it (or detected);
//! - [`decode_words`]: RFC 2047 encoded words in a header value, adjacent words joined without
//!   the white space between them (§6.2).

use encoding_rs::{EUC_JP, Encoding, ISO_2022_JP, REPLACEMENT, SHIFT_JIS, UTF_8};

/// The encoding a charset label names, or `None` (unknown labels, and the WHATWG
/// "replacement" encoding that would turn every byte into U+FFFD).
pub fn encoding_for(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().trim_matches(|c| c == '"' || c == '\'').to_ascii_lowercase();
    // RFC 2231 language suffix (`iso-2022-jp*ja`)
    let l = l.split('*').next().unwrap_or("");
    let e = match l {
        "cp932" | "ms932" | "ms_kanji" | "x-ms-cp932" | "sjis-open" | "sjis-win" => SHIFT_JIS,
        "eucjp-ms" | "euc-jis-2004" | "eucjp-win" | "eucjp-open" => EUC_JP,
        "utf8" => UTF_8,
        l if l.starts_with("iso-2022-jp") || l == "csiso2022jp" => ISO_2022_JP,
        l => Encoding::for_label(l.as_bytes())?,
    };
    (e != REPLACEMENT).then_some(e)
}

/// True when the bytes hold ISO-2022-JP escape sequences (`ESC $ B`, `ESC $ @`, `ESC ( J`,
/// `ESC ( I`).
pub fn has_iso2022jp_escapes(b: &[u8]) -> bool {
    b.windows(3).any(|w| matches!(w, [0x1b, b'$', b'B' | b'@'] | [0x1b, b'(', b'J' | b'I']))
}

/// Text of `bytes`, and the charset it was read in (`None`: UTF-8 or ASCII as is, or escapes).
pub fn decode(bytes: &[u8], declared: Option<&str>) -> (String, Option<&'static str>) {
    let plain_ascii = bytes.is_ascii() && !bytes.contains(&0x1b);
    if plain_ascii {
        return (String::from_utf8_lossy(bytes).into_owned(), None);
    }
    if has_iso2022jp_escapes(bytes) {
        return (
            ISO_2022_JP.decode_without_bom_handling(bytes).0.into_owned(),
            Some("ISO-2022-JP"),
        );
    }
    if let Some(enc) = declared.and_then(encoding_for).filter(|e| *e != UTF_8) {
        if let Some(t) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
            return (t.into_owned(), Some(enc.name()));
        }
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), None);
    }
    // Undeclared (or wrongly declared) 8-bit Japanese. EUC-JP first: Shift_JIS text almost never
    // decodes as EUC-JP, while EUC-JP text often decodes as Shift_JIS half-width katakana.
    for enc in [EUC_JP, SHIFT_JIS] {
        if let Some(t) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
            return (t.into_owned(), Some(enc.name()));
        }
    }
    (jikoku_core::escape::bytes_to_text(bytes), None)
}

/// The `charset=` parameter on a line, when it names an encoding.
fn charset_on(line: &[u8]) -> Option<String> {
    let l = String::from_utf8_lossy(line).to_ascii_lowercase();
    let at = l.find("charset=")?;
    let v = l.get(at + "charset=".len()..)?;
    let v = v.trim_start().trim_start_matches(['"', '\'']);
    let end = v.find(|c: char| c == '"' || c == '\'' || c == ';' || c.is_whitespace());
    let name = match end {
        Some(e) => v.get(..e)?,
        None => v,
    };
    encoding_for(name).map(|_| name.to_string())
}

/// A whole input, line by line (`\n`; a `\r` before it removed): each line in the charset
/// declared last above it (`charset=` anywhere on a line, as Content-Type headers write it),
/// ISO-2022-JP when it holds its escapes, else as [`decode`] detects. Also returns the
/// charsets used, with the number of lines each converted.
pub fn decode_lines(bytes: &[u8]) -> (String, Vec<(String, usize)>) {
    let mut out = String::with_capacity(bytes.len() + 16);
    let mut declared: Option<String> = None;
    let mut used: Vec<(String, usize)> = vec![];
    let mut first = true;
    for raw in bytes.split(|b| *b == b'\n') {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if !first {
            out.push('\n');
        }
        first = false;
        let (text, cs) = decode(line, declared.as_deref());
        out.push_str(&text);
        if let Some(cs) = cs {
            match used.iter_mut().find(|(n, _)| n == cs) {
                Some((_, k)) => *k += 1,
                None => used.push((cs.to_string(), 1)),
            }
        }
        if let Some(c) = charset_on(line) {
            declared = Some(c);
        }
    }
    (out, used)
}

/// Base64 (RFC 4648): decoding stops at the first `=`, trailing bits are dropped, and a byte
/// outside the alphabet gives `None`. `body`: a MIME body part, where line breaks and spaces
/// are skipped and the URL-safe `-` and `_` are taken too (an RFC 2047 encoded word allows
/// neither).
pub(crate) fn b64(s: &str, body: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'-' if body => 62,
            b'_' if body => 63,
            b'=' => break,
            c if body && c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

fn q(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = |x: Option<&u8>| x.and_then(|x| (*x as char).to_digit(16));
                let (h, l) = (hex(b.get(i + 1)), hex(b.get(i + 2)));
                out.push((h? * 16 + l?) as u8);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

/// One encoded word at the start of `s`: (charset, bytes, length in `s`).
fn word(s: &str) -> Option<(String, Vec<u8>, usize)> {
    let rest = s.strip_prefix("=?")?;
    let (charset, rest) = rest.split_once('?')?;
    let (enc, rest) = rest.split_once('?')?;
    let end = rest.find("?=")?;
    let text = rest.get(..end)?;
    if charset.is_empty()
        || charset.contains(char::is_whitespace)
        || text.contains(char::is_whitespace)
        || encoding_for(charset).is_none()
    {
        return None;
    }
    let bytes = match enc {
        "B" | "b" => b64(text, false)?,
        "Q" | "q" => q(text)?,
        _ => return None,
    };
    let len = 2 + charset.len() + 1 + enc.len() + 1 + end + 2;
    Some((charset.to_string(), bytes, len))
}

/// A header value with its RFC 2047 encoded words decoded. White space between two adjacent
/// encoded words is dropped (RFC 2047 §6.2), and adjacent words of one charset are decoded
/// together (a character split across two words is kept whole). A word that does not decode
/// stays as written.
pub fn decode_words(value: &str) -> String {
    if !value.contains("=?") {
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len());
    // bytes of the encoded words in a row, not yet decoded
    let mut pending: Option<(String, Vec<u8>)> = None;
    let flush = |out: &mut String, pending: &mut Option<(String, Vec<u8>)>| {
        if let Some((cs, b)) = pending.take() {
            out.push_str(&decode(&b, Some(&cs)).0);
        }
    };
    let mut rest = value;
    while !rest.is_empty() {
        let Some(at) = rest.find("=?") else {
            flush(&mut out, &mut pending);
            out.push_str(rest);
            break;
        };
        let (before, from) = rest.split_at_checked(at).unwrap_or((rest, ""));
        match word(from) {
            Some((cs, bytes, len)) => {
                let adjacent = pending.is_some() && before.trim().is_empty();
                if !adjacent {
                    flush(&mut out, &mut pending);
                    out.push_str(before);
                }
                // ISO-2022-* words each end in ASCII (RFC 1468): decoded one by one, as a
                // decoder refuses an escape sequence right after another
                let stateful = cs.to_ascii_lowercase().starts_with("iso-2022");
                match pending.as_mut() {
                    Some((pcs, pb)) if !stateful && pcs.eq_ignore_ascii_case(&cs) => {
                        pb.extend(bytes)
                    }
                    _ => {
                        flush(&mut out, &mut pending);
                        pending = Some((cs, bytes));
                    }
                }
                rest = from.get(len..).unwrap_or("");
            }
            None => {
                flush(&mut out, &mut pending);
                out.push_str(before);
                out.push_str("=?");
                rest = from.get(2..).unwrap_or("");
            }
        }
    }
    flush(&mut out, &mut pending);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        // RFC 2047 §8 examples
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a?=)"), "(a)");
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a?= b)"), "(a b)");
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)"), "(ab)");
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)"), "(ab)");
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a_b?=)"), "(a b)");
        assert_eq!(decode_words("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)"), "(a b)");
        assert_eq!(
            decode_words("=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
            "Keith Moore <moore@cs.utk.edu>"
        );
        // ISO-2022-JP, B: 迷惑メール
        assert_eq!(decode_words("=?ISO-2022-JP?B?GyRCTEJPRyVhITwlaxsoQg==?="), "迷惑メール");
        // two ISO-2022-JP words (nkf -M folds long subjects so): no U+FFFD between them
        assert_eq!(
            decode_words("=?ISO-2022-JP?B?GyRCTEJPRxsoQg==?=\n =?ISO-2022-JP?B?GyRCJWEhPCVrGyhC?="),
            "迷惑メール"
        );
        // UTF-8 split across two words in the middle of a character
        assert_eq!(decode_words("=?UTF-8?B?5pel?= =?UTF-8?B?5pys?="), "日本");
        assert_eq!(decode_words("=?utf-8?q?=E6=97=A5=E6?= =?utf-8?q?=9C=AC?="), "日本");
        // not words: kept
        assert_eq!(decode_words("a =?x-unknown?B?QUJD?= b"), "a =?x-unknown?B?QUJD?= b");
        assert_eq!(decode_words("=?UTF-8?B?not base64!?="), "=?UTF-8?B?not base64!?=");
        assert_eq!(decode_words("x =?"), "x =?");
    }

    #[test]
    fn bodies() {
        let sjis = SHIFT_JIS.encode("送信元 192.0.2.10、5月8日").0.into_owned();
        let euc = EUC_JP.encode("送信元 192.0.2.10、5月8日").0.into_owned();
        let jis = ISO_2022_JP.encode("送信元 192.0.2.10、5月8日").0.into_owned();
        for (b, cs) in [(&sjis, "Shift_JIS"), (&euc, "EUC-JP"), (&jis, "ISO-2022-JP")] {
            assert_eq!(decode(b, None), ("送信元 192.0.2.10、5月8日".to_string(), Some(cs)));
            assert_eq!(decode(b, Some(cs)).0, "送信元 192.0.2.10、5月8日");
        }
        assert_eq!(decode(&sjis, Some("cp932")).1, Some("Shift_JIS"));
        // not Japanese, not UTF-8: escapes, never lost
        assert_eq!(decode(b"\xff\xfe\xff", None).0, "\\xFF\\xFE\\xFF");
        let mut all = b"Content-Type: text/plain; charset=\"Shift_JIS\"\r\n\r\n".to_vec();
        all.extend(&sjis);
        all.extend(b"\nplain\n");
        all.extend(&jis);
        let (t, used) = decode_lines(&all);
        assert_eq!(
            t,
            "Content-Type: text/plain; charset=\"Shift_JIS\"\n\n送信元 192.0.2.10、5月8日\nplain\n送信元 192.0.2.10、5月8日"
        );
        assert_eq!(used, [("Shift_JIS".to_string(), 1), ("ISO-2022-JP".to_string(), 1)]);
    }
}
