//! Opening a source: read-only, hashed as read, decompressed by magic bytes.

use std::cell::RefCell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// Compression of a source, found from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip (1F 8B).
    Gzip,
    /// bzip2 (`BZh`).
    Bzip2,
    /// xz (FD `7zXZ` 00).
    Xz,
    /// zstd (28 B5 2F FD).
    Zstd,
}

impl Compression {
    /// Name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }

    /// From the first bytes of a source.
    pub fn detect(magic: &[u8]) -> Self {
        if magic.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if magic.starts_with(b"BZh")
            && magic.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        {
            Compression::Bzip2
        } else if magic.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        }
    }
}

/// `messages.2.gz` → `messages.2`.
pub fn strip_compression_suffix(name: &str) -> &str {
    for s in [".gz", ".bz2", ".xz", ".zst", ".zstd"] {
        if let Some(r) = name.strip_suffix(s) {
            return r;
        }
    }
    name
}

/// A reader that hashes every byte it passes on.
struct Hashing<R> {
    inner: R,
    hasher: Rc<RefCell<Sha256>>,
    count: Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(buf.get(..n).unwrap_or(&[]));
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Ceilings on decompression, against decompression bombs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest ratio of decompressed to compressed bytes (checked past 64 MiB decompressed).
    pub max_ratio: u64,
    /// Largest decompressed size of one source, in bytes.
    pub max_bytes: u64,
    /// The ratio is checked once this many bytes were decompressed (small files may have any ratio).
    pub ratio_after: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // Real logs compress 5–50×, very repetitive ones a few hundred times.
        Limits { max_ratio: 1000, max_bytes: 64 << 30, ratio_after: 64 << 20 }
    }
}

/// Stops a decompressed stream that exceeds [`Limits`], with a clear error.
struct Limited<R> {
    inner: R,
    limits: Limits,
    compressed: Rc<std::cell::Cell<u64>>,
    out: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        let ratio = self.out / self.compressed.get().max(1);
        if self.out > self.limits.max_bytes {
            return Err(io::Error::other(format!(
                "decompressed size passed {} bytes (--max-decompressed): stopped as a possible decompression bomb",
                self.limits.max_bytes
            )));
        }
        if self.out > self.limits.ratio_after && ratio > self.limits.max_ratio {
            return Err(io::Error::other(format!(
                "decompression ratio {ratio}:1 passed {}:1 (--max-ratio) after {} bytes: stopped as a possible decompression bomb",
                self.limits.max_ratio, self.out
            )));
        }
        Ok(n)
    }
}

/// An opened source: the decompressed stream, and what is known of the file.
pub struct Opened {
    /// Decompressed bytes.
    pub reader: Box<dyn Read>,
    /// Compression found.
    pub compression: Compression,
    /// Stored size.
    pub size: u64,
    /// Modification time (files only).
    pub mtime: Option<DateTime<Utc>>,
    hasher: Rc<RefCell<Sha256>>,
    content_hasher: Rc<RefCell<Sha256>>,
    stored: Rc<std::cell::Cell<u64>>,
}

impl Opened {
    /// Stored (compressed, if compressed) bytes read so far.
    pub fn stored_bytes(&self) -> u64 {
        self.stored.get()
    }

    /// SHA-256 (hex) of the stored bytes read so far; call after reading to the end.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.borrow().clone().finalize())
    }

    /// SHA-256 (hex) of the decompressed content read so far (equals [`Self::sha256`] for a
    /// plain source).
    pub fn content_sha256(&self) -> String {
        if self.compression == Compression::None {
            return self.sha256();
        }
        hex::encode(self.content_hasher.borrow().clone().finalize())
    }
}

#[cfg(target_os = "linux")]
fn open_read_only(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    // O_NOATIME keeps the evidence's access times; it is refused (EPERM) on files we do not
    // own unless we are root, and then we open without it.
    match std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOATIME).open(path) {
        Ok(f) => Ok(f),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => File::open(path),
        Err(e) => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn open_read_only(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Opens a file read-only, with the default [`Limits`].
pub fn open(path: &Path) -> io::Result<Opened> {
    open_with(path, Limits::default())
}

/// Opens a file read-only.
pub fn open_with(path: &Path, limits: Limits) -> io::Result<Opened> {
    open_prefix(path, limits, u64::MAX)
}

/// Opens a file read-only, reading at most its first `stored` bytes (a source read a second
/// time is read exactly as far as the first time, even if it grew in between).
pub fn open_prefix(path: &Path, limits: Limits, stored: u64) -> io::Result<Opened> {
    let file = open_read_only(path)?;
    let meta = file.metadata()?;
    let mtime = meta.modified().ok().map(DateTime::<Utc>::from);
    let mut o = open_reader_with(Box::new(file.take(stored)), limits)?;
    o.size = meta.len();
    o.mtime = mtime;
    Ok(o)
}

/// Wraps any reader (stdin): hashing and decompression, no mtime; default [`Limits`].
pub fn open_reader(inner: Box<dyn Read>) -> io::Result<Opened> {
    open_reader_with(inner, Limits::default())
}

/// Wraps any reader: hashing and decompression within `limits`, no mtime.
pub fn open_reader_with(inner: Box<dyn Read>, limits: Limits) -> io::Result<Opened> {
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let compressed = Rc::new(std::cell::Cell::new(0u64));
    let compressed_count = compressed.clone();
    let hashing = Hashing { inner, hasher: hasher.clone(), count: compressed.clone() };
    let mut buffered = BufReader::with_capacity(256 * 1024, hashing);
    let magic = buffered
        .fill_buf()?
        .get(..8)
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| buffered.buffer().to_vec());
    let compression = Compression::detect(&magic);
    let decoded: Box<dyn Read> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Compression::Xz => Box::new(xz2::bufread::XzDecoder::new_multi_decoder(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
    };
    // The content hash (of the decompressed bytes) finds a compressed twin of a plain copy.
    let content_hasher = Rc::new(RefCell::new(Sha256::new()));
    let reader: Box<dyn Read> = if compression == Compression::None {
        decoded
    } else {
        let limited = Limited { inner: decoded, limits, compressed, out: 0 };
        let content_count = Rc::new(std::cell::Cell::new(0u64));
        Box::new(Hashing { inner: limited, hasher: content_hasher.clone(), count: content_count })
    };
    Ok(Opened {
        reader,
        compression,
        size: 0,
        mtime: None,
        hasher,
        content_hasher,
        stored: compressed_count,
    })
}

/// A source's hashes, taken before it is parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// SHA-256 (hex) of the stored bytes.
    pub sha256: String,
    /// SHA-256 (hex) of the decompressed content.
    pub content_sha256: String,
    /// Stored bytes read.
    pub stored_bytes: u64,
    /// False when a read error (corrupt compression, a decompression ceiling) stopped it.
    pub complete: bool,
}

/// Reads a source once to its end (decompressing it when compressed) for its hashes.
pub fn hash_source(path: &Path, limits: Limits) -> io::Result<Hashed> {
    let mut o = open_with(path, limits)?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut complete = true;
    loop {
        match o.reader.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A read error (corrupt compression, a bomb): the parse meets it and reports it.
            Err(_) => {
                complete = false;
                break;
            }
        }
    }
    Ok(Hashed {
        sha256: o.sha256(),
        content_sha256: o.content_sha256(),
        stored_bytes: o.stored_bytes(),
        complete,
    })
}

/// SHA-256 (hex) of a file's stored bytes, read once, read-only.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = open_read_only(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(buf.get(..n).unwrap_or(&[]));
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz_of_zeros(n: usize) -> Vec<u8> {
        use std::io::Write;
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        w.write_all(&vec![b'a'; n]).unwrap();
        w.finish().unwrap()
    }

    #[test]
    fn ratio_ceiling_stops_a_bomb_and_can_be_raised() {
        let bomb = gz_of_zeros(8 << 20);
        let low = Limits { max_ratio: 100, max_bytes: u64::MAX, ratio_after: 1 << 20 };
        let mut o = open_reader_with(Box::new(std::io::Cursor::new(bomb.clone())), low).unwrap();
        let err = std::io::copy(&mut o.reader, &mut std::io::sink()).unwrap_err().to_string();
        assert!(
            err.contains("possible decompression bomb") && err.contains("--max-ratio"),
            "{err}"
        );
        let high = Limits { max_ratio: 1_000_000, ..low };
        let mut o = open_reader_with(Box::new(std::io::Cursor::new(bomb)), high).unwrap();
        assert_eq!(std::io::copy(&mut o.reader, &mut std::io::sink()).unwrap(), 8 << 20);
    }
}
