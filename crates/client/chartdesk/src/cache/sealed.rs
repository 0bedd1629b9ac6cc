//! A queued file's bytes sealed in a file of its own beside the cache (issue 25 item 1),
//! instead of page by page through SQLCipher: written at disk speed with one fsync, read a
//! part at a time without the cache's connection, and removed with an unlink (SQLCipher's
//! forced `secure_delete` re-encrypted every freed page).
//!
//! Each file has its own random AES-256-GCM key, kept in its outbox row, so the cache's key
//! still guards it, and a file whose row is gone is unreadable. The bytes are sealed in 1 MiB
//! chunks; a chunk's nonce is its index (unique: the key is used for this file alone), and its
//! additional data name the document, the index and whether it is the last, so chunks cannot
//! be swapped between files, reordered or cut off without the open failing.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use sha2::{Digest, Sha256};

use super::CacheError;

/// Plain bytes per sealed chunk.
pub const CHUNK: usize = 1024 * 1024;
const TAG: usize = 16;
const MAGIC: &[u8; 8] = b"CDSEAL1\n";
/// Leftovers of a crash (a file being sealed, or sealed but never recorded) older than this
/// are removed when the cache opens; younger ones may be another process's work in hand.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// The folder of sealed files beside the cache at `cache_path`.
pub fn dir_of(cache_path: &Path) -> PathBuf {
    cache_path.with_extension("outbox")
}

fn path_of(dir: &Path, doc_id: &str) -> PathBuf {
    dir.join(format!("{doc_id}.sealed"))
}

fn io(e: std::io::Error) -> CacheError {
    CacheError::Io(e.to_string())
}

fn damaged() -> CacheError {
    CacheError::Io("a file waiting in the outbox is damaged".into())
}

fn key_for(key: &[u8; 32]) -> Result<LessSafeKey, CacheError> {
    UnboundKey::new(&AES_256_GCM, key)
        .map(LessSafeKey::new)
        .map_err(|_| CacheError::Io("the outbox cipher is unavailable".into()))
}

fn nonce(index: u64) -> Nonce {
    let mut bytes = [0u8; NONCE_LEN];
    bytes[NONCE_LEN - 8..].copy_from_slice(&index.to_be_bytes());
    Nonce::assume_unique_for_key(bytes)
}

fn aad(doc_id: &str, index: u64, last: bool) -> Vec<u8> {
    let mut aad = Vec::with_capacity(doc_id.len() + 9);
    aad.extend_from_slice(doc_id.as_bytes());
    aad.extend_from_slice(&index.to_be_bytes());
    aad.push(u8::from(last));
    aad
}

fn chunks_in(size: u64) -> u64 {
    size.div_ceil(CHUNK as u64).max(1)
}

/// Seals the `size` bytes of `source` as `doc_id` in `dir`, durable (fsynced, renamed into
/// place, the folder fsynced) before it returns the file's key and SHA-256 (hex). Refused
/// when the file is not `size` bytes long (it changed since it was checked).
pub fn seal_file(
    dir: &Path,
    doc_id: &str,
    source: &Path,
    size: u64,
) -> Result<([u8; 32], String), CacheError> {
    std::fs::create_dir_all(dir).map_err(io)?;
    let raw_key = super::new_key()?;
    let key = key_for(&raw_key)?;
    let sealing = dir.join(format!("{doc_id}.sealing"));
    let written = (|| {
        let mut reader = File::open(source).map_err(io)?.take(size + 1);
        let mut out = BufWriter::with_capacity(CHUNK + TAG, File::create(&sealing).map_err(io)?);
        out.write_all(MAGIC).map_err(io)?;
        let (chunks, mut total) = (chunks_in(size), 0u64);
        let mut hasher = Sha256::new();
        let mut buffer = Vec::with_capacity(CHUNK + TAG);
        for index in 0..chunks {
            buffer.clear();
            let want = (size - total).min(CHUNK as u64);
            (&mut reader)
                .take(want)
                .read_to_end(&mut buffer)
                .map_err(io)?;
            if buffer.len() as u64 != want {
                return Err(changed());
            }
            total += want;
            hasher.update(&buffer);
            let last = index + 1 == chunks;
            key.seal_in_place_append_tag(
                nonce(index),
                Aad::from(aad(doc_id, index, last)),
                &mut buffer,
            )
            .map_err(|_| damaged())?;
            out.write_all(&buffer).map_err(io)?;
        }
        // One byte past the size shows a file that grew.
        if reader.read(&mut [0u8; 1]).map_err(io)? != 0 {
            return Err(changed());
        }
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        Ok(hex::encode(hasher.finalize()))
    })();
    let sha256 = match written {
        Ok(sha256) => sha256,
        Err(e) => {
            let _ = std::fs::remove_file(&sealing);
            return Err(e);
        }
    };
    std::fs::rename(&sealing, path_of(dir, doc_id)).map_err(io)?;
    sync_dir(dir);
    Ok((raw_key, sha256))
}

fn changed() -> CacheError {
    CacheError::Io("the file changed size while it was read".into())
}

/// The rename made durable (POSIX); Windows has no folder handle to fsync.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// `len` bytes from `start` (fewer at the end) of the sealed file of `doc_id`, `size` bytes
/// long, each chunk they lie in opened and checked.
pub fn read_range(
    dir: &Path,
    doc_id: &str,
    raw_key: &[u8; 32],
    size: u64,
    start: u64,
    len: usize,
) -> Result<Vec<u8>, CacheError> {
    if start >= size || len == 0 {
        return Ok(Vec::new());
    }
    let key = key_for(raw_key)?;
    let chunks = chunks_in(size);
    let chunk = CHUNK as u64;
    let first = start / chunk;
    let last = ((start + len as u64 - 1) / chunk).min(chunks - 1);
    let mut file = File::open(path_of(dir, doc_id)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => damaged(),
        _ => io(e),
    })?;
    let mut magic = [0u8; 8];
    file.read_exact(&mut magic).map_err(|_| damaged())?;
    if &magic != MAGIC {
        return Err(damaged());
    }
    file.seek(SeekFrom::Start(
        MAGIC.len() as u64 + first * (chunk + TAG as u64),
    ))
    .map_err(io)?;
    let mut joined = Vec::with_capacity(usize::try_from((last - first + 1) * chunk).unwrap_or(0));
    let mut buffer = Vec::with_capacity(CHUNK + TAG);
    for index in first..=last {
        let plain = (size - index * chunk).min(chunk) as usize;
        buffer.resize(plain + TAG, 0);
        file.read_exact(&mut buffer).map_err(|_| damaged())?;
        let opened = key
            .open_in_place(
                nonce(index),
                Aad::from(aad(doc_id, index, index + 1 == chunks)),
                &mut buffer,
            )
            .map_err(|_| damaged())?;
        joined.extend_from_slice(opened);
    }
    let skip = usize::try_from(start - first * chunk).unwrap_or(usize::MAX);
    joined.drain(..skip.min(joined.len()));
    joined.truncate(len);
    Ok(joined)
}

/// Removes the sealed file of `doc_id` (done when it is not there).
pub fn remove(dir: &Path, doc_id: &str) {
    let _ = std::fs::remove_file(path_of(dir, doc_id));
}

/// Removes what a crash left: files half sealed, and sealed files no row names (`recorded`
/// says which doc ids have rows), once older than an hour.
pub fn sweep(dir: &Path, recorded: impl Fn(&str) -> bool) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let orphan = match name.rsplit_once('.') {
            Some((_, "sealing")) => true,
            Some((doc_id, "sealed")) => !recorded(doc_id),
            _ => false,
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > ORPHAN_AGE);
        if orphan && old && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn noise(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 3) as u8).collect()
    }

    fn sealed(bytes: &[u8]) -> (tempfile::TempDir, [u8; 32]) {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("scan.pdf");
        std::fs::write(&source, bytes).unwrap();
        let (key, sha256) = seal_file(
            &dir.path().join("out"),
            "doc-1",
            &source,
            bytes.len() as u64,
        )
        .unwrap();
        assert_eq!(sha256, hex::encode(Sha256::digest(bytes)));
        (dir, key)
    }

    #[test]
    fn any_range_reads_back_as_sealed_across_chunk_edges() {
        let bytes = noise(2 * CHUNK + 12_345);
        let (dir, key) = sealed(&bytes);
        let out = dir.path().join("out");
        let size = bytes.len() as u64;
        for (start, len) in [
            (0, 10),
            (CHUNK - 5, 10),
            (CHUNK, CHUNK),
            (0, bytes.len()),
            (2 * CHUNK + 12_000, 1000),
        ] {
            let got = read_range(&out, "doc-1", &key, size, start as u64, len).unwrap();
            let end = (start + len).min(bytes.len());
            assert!(got == bytes[start..end], "{start}+{len}");
        }
        let on_disk = std::fs::read(out.join("doc-1.sealed")).unwrap();
        assert!(
            !on_disk.windows(64).any(|w| w == &bytes[1000..1064]),
            "nothing readable on disk"
        );
    }

    #[test]
    fn a_flipped_byte_another_files_name_or_a_cut_off_end_never_opens() {
        let bytes = noise(CHUNK + 100);
        let (dir, key) = sealed(&bytes);
        let out = dir.path().join("out");
        let path = out.join("doc-1.sealed");
        let size = bytes.len() as u64;
        // Read as another document's file: its chunks name doc-1.
        std::fs::copy(&path, out.join("doc-2.sealed")).unwrap();
        assert!(read_range(&out, "doc-2", &key, size, 0, 10).is_err());
        // The last chunk cut off: the first now claims to be the whole file, and is refused.
        assert!(read_range(&out, "doc-1", &key, CHUNK as u64, 0, 10).is_err());
        let mut tampered = std::fs::read(&path).unwrap();
        tampered[MAGIC.len() + 40] ^= 1;
        std::fs::write(&path, tampered).unwrap();
        assert!(read_range(&out, "doc-1", &key, size, 0, 10).is_err());
        assert!(read_range(&out, "doc-1", &[7u8; 32], size, 0, 10).is_err());
    }

    #[test]
    fn a_file_that_is_not_the_size_checked_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("scan.pdf");
        std::fs::write(&source, noise(5000)).unwrap();
        let out = dir.path().join("out");
        for size in [4999, 5001] {
            assert!(seal_file(&out, "doc-1", &source, size).is_err(), "{size}");
        }
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
    }

    #[test]
    fn only_old_leftovers_no_row_names_are_swept() {
        let (dir, _) = sealed(b"%PDF-1.7 kept");
        let out = dir.path().join("out");
        let hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        let make = |name: &str, old: bool| {
            let path = out.join(name);
            std::fs::write(&path, b"x").unwrap();
            if old {
                let f = File::options().write(true).open(&path).unwrap();
                f.set_modified(hours_ago).unwrap();
            }
        };
        make("crashed.sealing", true);
        make("never-recorded.sealed", true);
        make("in-hand.sealing", false);
        let f = File::options()
            .write(true)
            .open(out.join("doc-1.sealed"))
            .unwrap();
        f.set_modified(hours_ago).unwrap();
        assert_eq!(sweep(&out, |id| id == "doc-1"), 2);
        let mut left: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["doc-1.sealed", "in-hand.sealing"]);
    }
}
