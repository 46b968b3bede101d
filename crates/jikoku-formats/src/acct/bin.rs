//! Small helpers for fixed-layout binary records (shared by `acct` and `utmp`).

use std::io::{self, BufRead};

/// Reads a little- or big-endian integer at `off`; `None` past the end.
pub(crate) fn u16_at(b: &[u8], off: usize, be: bool) -> Option<u16> {
    let a: [u8; 2] = b.get(off..off.checked_add(2)?)?.try_into().ok()?;
    Some(if be { u16::from_be_bytes(a) } else { u16::from_le_bytes(a) })
}

/// See [`u16_at`].
pub(crate) fn u32_at(b: &[u8], off: usize, be: bool) -> Option<u32> {
    let a: [u8; 4] = b.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(if be { u32::from_be_bytes(a) } else { u32::from_le_bytes(a) })
}

/// See [`u16_at`].
pub(crate) fn i32_at(b: &[u8], off: usize, be: bool) -> Option<i32> {
    u32_at(b, off, be).map(|v| v as i32)
}

/// See [`u16_at`].
pub(crate) fn u64_at(b: &[u8], off: usize, be: bool) -> Option<u64> {
    let a: [u8; 8] = b.get(off..off.checked_add(8)?)?.try_into().ok()?;
    Some(if be { u64::from_be_bytes(a) } else { u64::from_le_bytes(a) })
}

/// See [`u16_at`].
pub(crate) fn i64_at(b: &[u8], off: usize, be: bool) -> Option<i64> {
    u64_at(b, off, be).map(|v| v as i64)
}

/// An IEEE-754 single at `off`.
pub(crate) fn f32_at(b: &[u8], off: usize, be: bool) -> Option<f32> {
    u32_at(b, off, be).map(f32::from_bits)
}

/// A fixed-size, NUL-padded text field: the bytes before the first NUL (the whole field when
/// there is none), and whether the text fills the field.
pub(crate) fn cstr(b: &[u8], off: usize, len: usize) -> Option<(&[u8], bool)> {
    let f = b.get(off..off.checked_add(len)?)?;
    match memchr::memchr(0, f) {
        Some(n) => Some((f.get(..n).unwrap_or(f), false)),
        None => Some((f, true)),
    }
}

/// True when the field holds printable text (no control bytes before the NUL), allowing
/// UTF-8 and Latin-1 high bytes.
pub(crate) fn printable_field(b: &[u8], off: usize, len: usize) -> bool {
    match cstr(b, off, len) {
        Some((t, _)) => t.iter().all(|&c| c >= 0x20 && c != 0x7f),
        None => false,
    }
}

/// Lower-case hex of `b`, for `event.original` of binary records.
pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(char::from(b"0123456789abcdef".get(usize::from(x >> 4)).copied().unwrap_or(b'0')));
        s.push(char::from(b"0123456789abcdef".get(usize::from(x & 15)).copied().unwrap_or(b'0')));
    }
    s
}

/// Reads until `buf` holds `want` bytes or the input ends; returns false at a clean end.
pub(crate) fn fill(input: &mut dyn BufRead, buf: &mut Vec<u8>, want: usize) -> io::Result<()> {
    while buf.len() < want {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        let take = chunk.len().min(want - buf.len());
        buf.extend_from_slice(chunk.get(..take).unwrap_or(chunk));
        input.consume(take);
    }
    Ok(())
}

/// A reader of a binary source in record-sized pieces, with a look-ahead head for detection.
pub(crate) struct Chunks<'r> {
    input: &'r mut dyn BufRead,
    buf: Vec<u8>,
    pos: usize,
    /// Offset in the source of `buf[pos]`.
    pub offset: u64,
}

impl<'r> Chunks<'r> {
    /// Reads up to `head` bytes ahead.
    pub fn new(input: &'r mut dyn BufRead, head: usize) -> io::Result<Self> {
        let mut buf = Vec::with_capacity(head);
        fill(input, &mut buf, head)?;
        Ok(Chunks { input, buf, pos: 0, offset: 0 })
    }

    /// The bytes read ahead and not yet consumed.
    pub fn ahead(&self) -> &[u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// Makes at least `n` bytes available ahead (fewer at the end); returns them.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.buf.len() - self.pos < n {
            self.buf.drain(..self.pos);
            self.pos = 0;
            let want = n.max(64 * 1024);
            fill(self.input, &mut self.buf, want)?;
        }
        let end = self.pos.saturating_add(n).min(self.buf.len());
        Ok(self.buf.get(self.pos..end).unwrap_or(&[]))
    }

    /// Consumes `n` bytes (at most what is ahead).
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.buf.len() - self.pos);
        self.pos += n;
        self.offset += n as u64;
    }
}
