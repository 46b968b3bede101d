//! mbox files: messages separated by `From sender date` lines (the "postmark"), body lines
//! that began with `From ` quoted as `>From ` (mboxo/mboxrd; mboxrd also quotes `>From ` as
//! `>>From `). [`split`] cuts a file into its messages and unquotes one `>` from every
//! `>…>From ` line (the mboxrd rule, which also undoes mboxo's quoting).

/// One message of an mbox.
#[derive(Debug, Clone, PartialEq)]
pub struct MboxMessage {
    /// 1-based line of its postmark in the file.
    pub line: usize,
    /// The postmark (`From sender date`), as text.
    pub postmark: String,
    /// The message, postmark removed, `>From ` lines unquoted.
    pub bytes: Vec<u8>,
}

/// `From addr date…`: `From `, a sender without white space, then a date with a time.
fn is_postmark(l: &[u8]) -> bool {
    let Some(rest) = l.strip_prefix(b"From ") else { return false };
    let text = String::from_utf8_lossy(rest);
    let mut w = text.split_whitespace();
    let (Some(_sender), Some(_)) = (w.next(), w.clone().next()) else { return false };
    // the date: asctime (`Wed May  8 14:05:12 2002`) or similar, with an hh:mm time
    w.any(|x| {
        let b = x.as_bytes();
        b.len() >= 5
            && b.get(2) == Some(&b':')
            && b.iter().all(|c| c.is_ascii_digit() || *c == b':')
    })
}

/// The messages of an mbox, or `None` when the input does not start with a postmark (it is
/// one message or plain text). A postmark starts a message at the start of the file or after
/// an empty line.
pub fn split(bytes: &[u8]) -> Option<Vec<MboxMessage>> {
    let first = bytes.split(|b| *b == b'\n').next()?;
    if !is_postmark(first.strip_suffix(b"\r").unwrap_or(first)) {
        return None;
    }
    let mut out: Vec<MboxMessage> = vec![];
    let mut prev_blank = true;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    for (i, raw) in body.split(|b| *b == b'\n').enumerate() {
        let l = raw.strip_suffix(b"\r").unwrap_or(raw);
        if prev_blank && is_postmark(l) {
            // the empty line before a postmark belongs to the separator
            if let Some(m) = out.last_mut() {
                if m.bytes.ends_with(b"\n\n") {
                    m.bytes.pop();
                }
            }
            out.push(MboxMessage {
                line: i + 1,
                postmark: String::from_utf8_lossy(l).into_owned(),
                bytes: vec![],
            });
            prev_blank = false;
            continue;
        }
        prev_blank = l.is_empty();
        let Some(m) = out.last_mut() else { continue };
        let quotes = raw.iter().take_while(|b| **b == b'>').count();
        let unq = if quotes > 0 && raw.get(quotes..).is_some_and(|r| r.starts_with(b"From ")) {
            raw.get(1..).unwrap_or(raw)
        } else {
            raw
        };
        m.bytes.extend_from_slice(unq);
        m.bytes.push(b'\n');
    }
    // the split added a newline after the file's last line
    if let Some(m) = out.last_mut() {
        if !bytes.ends_with(b"\n") {
            m.bytes.pop();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_unquotes() {
        let f = b"From abuse@example.net Wed May  8 14:05:12 2002\nSubject: a\n\n>From the logs: x\n>>From y\nFrom here on\n\nFrom MAILER-DAEMON Thu May  9 01:00:00 2002\nSubject: b\n\nbody\n";
        let m = split(f).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].line, 1);
        assert_eq!(m[0].postmark, "From abuse@example.net Wed May  8 14:05:12 2002");
        assert_eq!(
            String::from_utf8_lossy(&m[0].bytes),
            "Subject: a\n\nFrom the logs: x\n>From y\nFrom here on\n"
        );
        assert_eq!(m[1].line, 8);
        assert_eq!(String::from_utf8_lossy(&m[1].bytes), "Subject: b\n\nbody\n");
        assert!(split(b"Subject: x\n\nFrom a b 12:00\n").is_none());
        assert!(split(b"From: a@b\n").is_none());
        assert!(split(b"From here on we talk\n").is_none());
    }
}
