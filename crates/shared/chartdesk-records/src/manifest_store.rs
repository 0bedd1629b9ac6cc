//! How a patient's manifest is stored, so that a record of 10,000 documents is not one ~5 MB
//! JSON read and rewritten whole on every change (ARCHITECTURE.md §4 "The manifest in parts").
//!
//! - `manifest.json`, the **head**, holds the newest entries (fewer than `PART_ROWS`), the
//!   demographics digest and the list of **parts**. It is still the one object every change
//!   compare-and-swaps, so the preop limit stays atomic and its ETag stays the record's version.
//! - A **part** holds `PART_ROWS` older entries, in the order they were added, under a key named
//!   by the SHA-256 of its bytes (`manifest-parts/{sha256}.json`): written create-only before the
//!   head names it, never changed, so any server may keep it in memory (`PartCache`), and
//!   removed once no head names it.
//! - A change rewrites the head alone when it can: an attach appends to the head, and a change
//!   to an entry a part holds (a stamp, a verdict, a detach deep in a long record) is kept in
//!   the head as an **amendment**, a newer copy of that entry read in its place, up to
//!   `AMENDED_ROWS` of them. Only past that are parts rewritten, those with the most amendments
//!   first (theirs folded in), so the everyday change to a record of 10,000 documents costs what it costs at 100: one
//!   head read, one head write (issue 25 item 4). Entries are only ever appended, so a part,
//!   once full, never changes in any other way.
//!
//! A head with no parts is exactly the manifest as it was stored before parts existed; the first
//! change to a record that has grown past `PART_ROWS` splits it.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, OnceLock};

use futures_util::future::try_join_all;
use serde::{Deserialize, Serialize};

use crate::manifest_amendments::{amend, kept_parts};
use crate::store::object_store::{StoreError, Versioned, Write};
use crate::store::{Failure, Fetched, RecordStore};
use chartdesk_domain::{keys, sha256_hex, Manifest, Mrn, SharedEntry};

/// Entries in a full part: a part is about 60 KB, and the head at most as much again.
pub const PART_ROWS: usize = 128;
/// Parts read or written at once (a record read cold, or split for the first time).
const PARALLEL_REQUESTS: usize = 16;
/// Parts kept in memory per process: about 32,000 entries, some 30 MB.
const CACHED_PARTS: usize = 256;

/// One part as the head names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRef {
    /// Lower-case hex SHA-256 of the part's bytes, which also names its key.
    pub sha256: String,
    pub rows: usize,
}

/// `manifest.json` as stored. Its fields are `Manifest`'s, with `documents` the newest entries
/// only, plus the parts holding the rest (kept in step by `every_field_survives_the_split`).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Head {
    version: u32,
    #[serde(default)]
    documents: Vec<SharedEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    demographics: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    parts: Vec<PartRef>,
    /// Newer copies of entries the parts hold, read in their place (matched by id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    amended: Vec<SharedEntry>,
    /// What a reader must understand to read this head right: 1 when it carries amendments.
    /// A reader that knows less refuses the record rather than read, and write back, stale
    /// entries (servers of two versions side by side during a deploy).
    #[serde(default, skip_serializing_if = "is_zero")]
    layout: u32,
}

/// The newest head layout this code reads.
const LAYOUT: u32 = 1;

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A part as stored: its entries, and the write that made it. No two writes ever make the same
/// part, so a part belongs to one head at most and may be removed with it (see `write_manifest`).
#[derive(Serialize, Deserialize)]
struct StoredPart<R> {
    write: uuid::Uuid,
    rows: R,
}

/// A part as read: its name, and its entries.
pub type KnownPart = (PartRef, Arc<Vec<SharedEntry>>);

/// A manifest as read, with what a compare-and-swap of it needs.
#[derive(Debug, Clone)]
pub struct StoredManifest {
    pub manifest: Manifest,
    /// The head's ETag: the record's version, and the condition of the next write.
    pub etag: String,
    /// The parts it was read from, in order: a write keeps those still holding the same
    /// entries without writing, serialising or hashing them again.
    pub parts: Vec<KnownPart>,
}

impl StoredManifest {
    pub fn versioned(self) -> Versioned<Manifest> {
        Versioned {
            value: self.manifest,
            etag: self.etag,
        }
    }
}

/// The patient's whole manifest; `None` when the patient has none yet.
pub async fn read_manifest(
    store: &dyn RecordStore,
    mrn: &Mrn,
) -> Result<Option<Versioned<Manifest>>, StoreError> {
    Ok(read_stored(store, mrn)
        .await?
        .map(StoredManifest::versioned))
}

/// Reads of a head whose part went meanwhile (a change replaced it) before the record is
/// called damaged.
const HEAD_READS: usize = 3;

/// As `read_manifest`, keeping the parts for a write back.
pub async fn read_stored(
    store: &dyn RecordStore,
    mrn: &Mrn,
) -> Result<Option<StoredManifest>, StoreError> {
    for _ in 0..HEAD_READS {
        match read_once(store, mrn).await? {
            Read::Whole(stored) => return Ok(stored),
            // The head read named a part a later change replaced and removed: read it again.
            Read::PartGone => continue,
        }
    }
    // Still missing under a head read afterwards: damage, not "no rows".
    Err(StoreError::Corrupt)
}

enum Read {
    Whole(Option<StoredManifest>),
    PartGone,
}

async fn read_once(store: &dyn RecordStore, mrn: &Mrn) -> Result<Read, StoreError> {
    let Some(head) = store.get_json::<Head>(&keys::manifest(mrn)).await? else {
        return Ok(Read::Whole(None));
    };
    let etag = head.etag;
    let head = head.value;
    if head.layout > LAYOUT {
        return Err(StoreError::Corrupt);
    }
    let mut documents = Vec::with_capacity(head.parts.len() * PART_ROWS + head.documents.len());
    let mut known = Vec::with_capacity(head.parts.len());
    for parts in head.parts.chunks(PARALLEL_REQUESTS) {
        let read = try_join_all(parts.iter().map(|part| read_part(store, mrn, part))).await?;
        for (part, rows) in parts.iter().zip(read) {
            let Some(rows) = rows else {
                return Ok(Read::PartGone);
            };
            // Shared with the part cache, not copied (`SharedEntry`).
            documents.extend(rows.iter().cloned());
            known.push((part.clone(), rows));
        }
    }
    if !head.amended.is_empty() && !amend(&mut documents, head.amended) {
        return Err(StoreError::Corrupt);
    }
    documents.extend(head.documents);
    Ok(Read::Whole(Some(StoredManifest {
        manifest: Manifest {
            version: head.version,
            documents,
            demographics: head.demographics,
        },
        etag,
        parts: known,
    })))
}

/// Writes `manifest` under `write` (the head's condition): first the parts whose entries are
/// not those `known` holds at that place (unless the head can carry the changed entries as
/// amendments), create-only, then the head, then it removes the known parts the new head no
/// longer names. Returns the head's new ETag.
pub async fn write_manifest(
    store: &dyn RecordStore,
    mrn: &Mrn,
    manifest: &Manifest,
    write: Write,
    known: &[KnownPart],
) -> Result<String, StoreError> {
    let sealed = manifest.documents.len() / PART_ROWS * PART_ROWS;
    let (older, newest) = manifest.documents.split_at(sealed);
    let mut parts = Vec::with_capacity(older.len() / PART_ROWS);
    let mut new_parts = Vec::new();
    let chunks: Vec<&[SharedEntry]> = older.chunks(PART_ROWS).collect();
    let mut kept = kept_parts(&chunks, known);
    let mut amended: Vec<SharedEntry> = Vec::new();
    let this_write = uuid::Uuid::now_v7();
    for (i, rows) in chunks.into_iter().enumerate() {
        if let (Some(changed), Some((part, _))) = (kept[i].take(), known.get(i)) {
            amended.extend(changed.into_iter().cloned());
            parts.push(part.clone());
            continue;
        }
        let stored = StoredPart {
            write: this_write,
            rows,
        };
        let body = serde_json::to_vec(&stored)
            .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
        let part = PartRef {
            sha256: sha256_hex(&body),
            rows: rows.len(),
        };
        new_parts.push((part.clone(), body, rows));
        parts.push(part);
    }
    let written: Vec<PartRef> = new_parts.iter().map(|(part, _, _)| part.clone()).collect();
    while !new_parts.is_empty() {
        let now: Vec<_> = new_parts
            .drain(..new_parts.len().min(PARALLEL_REQUESTS))
            .collect();
        try_join_all(
            now.into_iter()
                .map(|(part, body, rows)| write_part(store, mrn, part, body, rows)),
        )
        .await?;
    }
    let head = Head {
        version: manifest.version,
        documents: newest.to_vec(),
        demographics: manifest.demographics.clone(),
        parts,
        layout: u32::from(!amended.is_empty()),
        amended,
    };
    let body = serde_json::to_vec(&head)
        .map_err(|e| StoreError::Failed(Failure::Client(e.to_string())))?;
    let written_head = store
        .put_bytes(&keys::manifest(mrn), body, "application/json", write)
        .await;
    // Parts no head names would be litter: those this write made, when its head lost the
    // race (the caller tries again on a new read; not when the write's fate is unknown), and those its head replaced (a change deep
    // in a long record, the worker's verdicts on a batch already sealed). Each is this one
    // write's, or the replaced head's, alone, so removing it can take nothing from another
    // head; the bucket keeps its versions as it keeps the head's, and a reader still holding
    // the old head reads again.
    let unnamed: Vec<&PartRef> = match &written_head {
        Ok(_) => known
            .iter()
            .map(|(part, _)| part)
            .filter(|part| !head.parts.contains(part))
            .collect(),
        Err(StoreError::Conflict) => written.iter().collect(),
        // No answer (a timeout, say): the head may have landed naming them; left in place.
        Err(_) => Vec::new(),
    };
    for part in unnamed {
        if let Err(e) = store.delete(&keys::manifest_part(mrn, &part.sha256)).await {
            let denied = matches!(e, StoreError::Denied);
            tracing::debug!(denied, "a manifest part no head names was left");
        }
    }
    written_head
}

/// A new patient's first manifest (create-only); `Conflict` when one exists.
pub async fn create_manifest(
    store: &dyn RecordStore,
    mrn: &Mrn,
    manifest: &Manifest,
) -> Result<String, StoreError> {
    write_manifest(store, mrn, manifest, Write::Create, &[]).await
}

async fn write_part(
    store: &dyn RecordStore,
    mrn: &Mrn,
    part: PartRef,
    body: Vec<u8>,
    rows: &[SharedEntry],
) -> Result<(), StoreError> {
    let key = keys::manifest_part(mrn, &part.sha256);
    match store
        .put_bytes(&key, body, "application/json", Write::Create)
        .await
    {
        // Named by its bytes: a part already there holds these very entries.
        Ok(_) | Err(StoreError::Conflict) => {}
        Err(e) => return Err(e),
    }
    PartCache::shared().keep(key, Arc::new(rows.to_vec()));
    Ok(())
}

/// A part the head names; `None` when it is gone (a later change replaced it).
async fn read_part(
    store: &dyn RecordStore,
    mrn: &Mrn,
    part: &PartRef,
) -> Result<Option<Arc<Vec<SharedEntry>>>, StoreError> {
    // The name comes from the head: only a SHA-256 may become a key.
    if part.sha256.len() != 64 || !part.sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(StoreError::Corrupt);
    }
    let key = keys::manifest_part(mrn, &part.sha256);
    if let Some(rows) = PartCache::shared().get(&key) {
        return Ok(Some(rows));
    }
    let bytes = match store.get(&key, None).await? {
        Fetched::Body(bytes, _) => bytes,
        Fetched::Missing | Fetched::NotModified => return Ok(None),
    };
    if sha256_hex(&bytes) != part.sha256 {
        return Err(StoreError::Corrupt);
    }
    let stored: StoredPart<Vec<SharedEntry>> =
        serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?;
    let rows = stored.rows;
    if rows.len() != part.rows {
        return Err(StoreError::Corrupt);
    }
    let rows = Arc::new(rows);
    PartCache::shared().keep(key, rows.clone());
    Ok(Some(rows))
}

/// Parts already read or written by this process, by key (so by patient, too). A part never
/// changes and is checked against its name when read, so an entry here is never stale; only
/// memory bounds it.
struct PartCache(Mutex<lru::LruCache<String, Arc<Vec<SharedEntry>>>>);

impl PartCache {
    fn shared() -> &'static PartCache {
        static CACHE: OnceLock<PartCache> = OnceLock::new();
        CACHE.get_or_init(|| {
            let size = NonZeroUsize::new(CACHED_PARTS).unwrap_or(NonZeroUsize::MIN);
            PartCache(Mutex::new(lru::LruCache::new(size)))
        })
    }

    fn get(&self, key: &str) -> Option<Arc<Vec<SharedEntry>>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    fn keep(&self, key: String, rows: Arc<Vec<SharedEntry>>) {
        if let Ok(mut cache) = self.0.lock() {
            cache.put(key, rows);
        }
    }
}

#[cfg(test)]
#[path = "manifest_store_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "manifest_amendment_tests.rs"]
mod amendment_tests;
