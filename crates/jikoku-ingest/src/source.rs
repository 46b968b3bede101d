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
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.borrow_mut().update(buf.get(..n).unwrap_or(&[]));
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
}

impl Opened {
    /// SHA-256 (hex) of the stored bytes read so far; call after reading to the end.
    pub fn sha256(&self) -> String {
        hex::encode(self.hasher.borrow().clone().finalize())
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

/// Opens a file read-only.
pub fn open(path: &Path) -> io::Result<Opened> {
    let file = open_read_only(path)?;
    let meta = file.metadata()?;
    let mtime = meta.modified().ok().map(DateTime::<Utc>::from);
    let mut o = open_reader(Box::new(file))?;
    o.size = meta.len();
    o.mtime = mtime;
    Ok(o)
}

/// Wraps any reader (stdin): hashing and decompression, no mtime.
pub fn open_reader(inner: Box<dyn Read>) -> io::Result<Opened> {
    let hasher = Rc::new(RefCell::new(Sha256::new()));
    let hashing = Hashing { inner, hasher: hasher.clone() };
    let mut buffered = BufReader::with_capacity(256 * 1024, hashing);
    let magic = buffered
        .fill_buf()?
        .get(..8)
        .map(<[u8]>::to_vec)
        .unwrap_or_else(|| buffered.buffer().to_vec());
    let compression = Compression::detect(&magic);
    let reader: Box<dyn Read> = match compression {
        Compression::None => Box::new(buffered),
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(buffered)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(buffered)),
        Compression::Xz => Box::new(xz2::bufread::XzDecoder::new_multi_decoder(buffered)),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(buffered)?),
    };
    Ok(Opened { reader, compression, size: 0, mtime: None, hasher })
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
