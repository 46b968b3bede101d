//! The line reader shared by text formats.
//!
//! Yields each line's bytes without its terminator (`\n`, or `\r\n`), its byte offset in the
//! source and its 1-based number. A final line without a newline is still a line. Lines
//! longer than [`MAX_LINE`] are cut there; the rest of the physical line is skipped and the
//! line is marked `truncated`, so that one hostile line cannot exhaust memory.

use std::io::{self, BufRead};

/// Longest line kept whole (16 MiB).
pub const MAX_LINE: usize = 16 << 20;

/// One line of a text source.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The bytes, without `\n` or `\r\n`.
    pub bytes: &'a [u8],
    /// Byte offset of the first byte in the source.
    pub offset: u64,
    /// 1-based line number.
    pub number: u64,
    /// The physical line was longer than [`MAX_LINE`] and was cut.
    pub truncated: bool,
}

/// Reads lines from a `BufRead`, reusing one buffer.
pub struct LineReader<'r> {
    input: &'r mut dyn BufRead,
    buf: Vec<u8>,
    offset: u64,
    number: u64,
}

impl<'r> LineReader<'r> {
    /// A reader at offset 0, line 1.
    pub fn new(input: &'r mut dyn BufRead) -> Self {
        LineReader { input, buf: Vec::with_capacity(512), offset: 0, number: 0 }
    }

    /// The next line, or `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<Line<'_>>> {
        self.buf.clear();
        let start = self.offset;
        let mut consumed: u64 = 0;
        let mut truncated = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                break;
            }
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let room = MAX_LINE.saturating_sub(self.buf.len());
            let piece = chunk.get(..take).unwrap_or(chunk);
            if piece.len() > room {
                truncated = true;
            }
            self.buf.extend_from_slice(piece.get(..piece.len().min(room)).unwrap_or(&[]));
            self.input.consume(take);
            consumed += take as u64;
            if done {
                break;
            }
        }
        if consumed == 0 {
            return Ok(None);
        }
        self.offset += consumed;
        self.number += 1;
        let mut end = self.buf.len();
        if self.buf.last() == Some(&b'\n') {
            end -= 1;
            if end > 0 && self.buf.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        Ok(Some(Line {
            bytes: self.buf.get(..end).unwrap_or(&[]),
            offset: start,
            number: self.number,
            truncated,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_numbers_and_crlf() {
        let data = b"a\r\nbb\n\nlast";
        let mut r: &[u8] = data;
        let mut lr = LineReader::new(&mut r);
        let mut got = vec![];
        while let Some(l) = lr.next_line().unwrap() {
            got.push((l.bytes.to_vec(), l.offset, l.number));
        }
        assert_eq!(
            got,
            vec![
                (b"a".to_vec(), 0, 1),
                (b"bb".to_vec(), 3, 2),
                (b"".to_vec(), 6, 3),
                (b"last".to_vec(), 7, 4)
            ]
        );
    }
}
