//! The records server as one component: the server (when the profile names one) and what it
//! handed out for the patients on screen, kept in memory only and forgotten when the user
//! changes: the break-glass reason given per patient (sent with every request about them),
//! the thumbnail URLs and inline thumbnails of the last lists, and the offline finds a
//! revalidation withdraws. What is done offline instead is the caller's (`Services`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use uuid::Uuid;

use crate::cloud::{RecordsServer, ServerError};
use chartdesk_api::ListedDocument;

use chartdesk_domain::{Category, DocumentRow, FirstRows, Mrn, PatientSummary, StatedReason};
use chartdesk_records::PatientRecord;

#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error(transparent)]
    Server(#[from] ServerError),
    #[error("This profile names no records server (server_url), which this needs")]
    NoServer,
}

/// A find's answer as the window uses it: the summary (with its first rows), the record's
/// version, and the record when it was asked for.
pub struct FoundScreen {
    pub summary: PatientSummary,
    pub version: String,
    pub record: Option<PatientRecord>,
}

/// A document of one patient, as what the server handed out is remembered by.
type PatientDoc = (String, Uuid);

/// A thumbnail is a 320 px JPEG: anything far larger is not one.
pub const THUMBNAIL_LIMIT: u64 = 4 * 1024 * 1024;

#[derive(Default)]
struct HandedOut {
    reasons: Mutex<HashMap<String, StatedReason>>,
    /// `None`: the last list gave no thumbnail (none made, or the scanner flagged it).
    thumbnails: Mutex<HashMap<PatientDoc, Option<String>>>,
    /// Thumbnails that came inside the last lists (the first screen), taken once.
    inline: Mutex<HashMap<PatientDoc, Vec<u8>>>,
    /// Per MRN, the queued offline Find of a patient shown from the cache, withdrawn when the
    /// revalidation reaches the server (see `offline_views`).
    unconfirmed_finds: Mutex<HashMap<String, String>>,
    /// Per MRN, the record version a find showed while the offline copy was older: brought
    /// up to date after the window has drawn (see `offline_refresh`).
    stale_copies: Mutex<HashSet<String>>,
}

impl HandedOut {
    fn forget(&self) {
        if let Ok(mut r) = self.reasons.lock() {
            r.clear();
        }
        if let Ok(mut t) = self.thumbnails.lock() {
            t.clear();
        }
        if let Ok(mut t) = self.inline.lock() {
            t.clear();
        }
        if let Ok(mut f) = self.unconfirmed_finds.lock() {
            f.clear();
        }
        if let Ok(mut c) = self.stale_copies.lock() {
            c.clear();
        }
    }
}

pub struct RecordsClient {
    server: Option<RecordsServer>,
    handed_out: Arc<HandedOut>,
}

impl RecordsClient {
    pub fn new(server_url: Option<&str>) -> Self {
        Self {
            server: server_url.map(RecordsServer::new),
            handed_out: Arc::default(),
        }
    }

    /// For the session: what was handed out to one user goes when the user changes.
    pub fn forgetter(&self) -> super::session::OnUserChange {
        let handed_out = Arc::clone(&self.handed_out);
        Box::new(move || handed_out.forget())
    }

    pub fn server(&self) -> Option<&RecordsServer> {
        self.server.as_ref()
    }

    pub fn server_or_none(&self) -> Result<&RecordsServer, RecordsError> {
        self.server().ok_or(RecordsError::NoServer)
    }

    /// Whether the last request to the server found no network.
    pub fn seems_offline(&self) -> bool {
        self.server().is_some_and(|s| s.is_offline())
    }

    pub fn reason_for(&self, mrn: &str) -> Option<StatedReason> {
        let reasons = self.handed_out.reasons.lock().ok()?;
        reasons.get(mrn).cloned()
    }

    pub fn remember_reason(&self, mrn: &str, reason: &StatedReason) {
        if let Ok(mut reasons) = self.handed_out.reasons.lock() {
            reasons.insert(mrn.to_string(), reason.clone());
        }
    }

    /// The patient's banner, tiles and first screen by what was typed (the server decides
    /// and audits the find), the record's version, and the record when `with_record`. The
    /// first screen's thumbnails are kept as a list's are.
    pub async fn find_screen(
        &self,
        token: &str,
        query: &str,
        reason: Option<&StatedReason>,
        with_record: bool,
    ) -> Result<FoundScreen, RecordsError> {
        let server = self.server_or_none()?;
        let found = server.find(token, query, reason, with_record).await?;
        let record = match (found.patient, found.manifest) {
            (Some(patient), Some(manifest)) => Some(PatientRecord {
                patient,
                manifest,
                manifest_etag: Some(found.version.clone()),
            }),
            _ if with_record => return Err(ServerError::Malformed.into()),
            _ => None,
        };
        let mut summary = found.summary;
        if let Some(screen) = found.first_screen {
            self.keep_handed_out(&summary.banner.mrn, &screen.rows);
            summary.first_rows = Some(FirstRows {
                category: screen.category,
                rows: screen.rows.into_iter().map(|l| l.row).collect(),
                next: screen.next,
            });
        }
        Ok(FoundScreen {
            summary,
            version: found.version,
            record,
        })
    }

    /// The patient and record by what was typed (no first screen); the server decides and
    /// audits the find.
    /// `None` when `version` (the record version a find gave) is still current.
    pub async fn find(
        &self,
        token: &str,
        query: &str,
        reason: Option<&StatedReason>,
        version: Option<&str>,
    ) -> Result<Option<PatientRecord>, RecordsError> {
        let server = self.server_or_none()?;
        let found = server.find_record(token, query, reason, version).await?;
        // The cache keeps the server's record version where it kept the manifest's ETag:
        // revalidation sends it back.
        let Some(f) = found else { return Ok(None) };
        // Asked with the record: an answer without it is not one this client can keep.
        let (Some(patient), Some(manifest)) = (f.patient, f.manifest) else {
            return Err(ServerError::Malformed.into());
        };
        Ok(Some(PatientRecord {
            patient,
            manifest,
            manifest_etag: Some(f.version),
        }))
    }

    /// A category's rows (or those matching `search`) with the server's scan status; the
    /// thumbnails handed out are kept for `handed_out_thumbnail` and `take_inline_thumbnail`.
    pub async fn list(
        &self,
        token: &str,
        mrn: &Mrn,
        category: Option<Category>,
        search: Option<&str>,
    ) -> Result<Vec<DocumentRow>, RecordsError> {
        let server = self.server_or_none()?;
        let reason = self.reason_for(mrn.as_ref());
        let category = category.map(Category::id);
        let list = server
            .list(token, mrn.as_ref(), category, search, reason.as_ref())
            .await?;
        self.keep_handed_out(mrn.as_ref(), &list.rows);
        Ok(list.rows.into_iter().map(|l| l.row).collect())
    }

    /// One page of a category (`RecordsServer::list_page`): its rows and the cursor for the
    /// next.
    pub async fn list_page(
        &self,
        token: &str,
        mrn: &Mrn,
        category: Category,
        after: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<DocumentRow>, Option<String>), RecordsError> {
        let server = self.server_or_none()?;
        let reason = self.reason_for(mrn.as_ref());
        let list = server
            .list_page(
                token,
                mrn.as_ref(),
                category.id(),
                after,
                limit,
                reason.as_ref(),
            )
            .await?;
        self.keep_handed_out(mrn.as_ref(), &list.rows);
        let rows = list.rows.into_iter().map(|l| l.row).collect();
        Ok((rows, list.next))
    }

    /// The thumbnail URLs and inline thumbnails of listed rows, for `handed_out_thumbnail`
    /// and `take_inline_thumbnail`.
    fn keep_handed_out(&self, mrn: &str, rows: &[ListedDocument]) {
        let (Ok(mut thumbs), Ok(mut inline)) = (
            self.handed_out.thumbnails.lock(),
            self.handed_out.inline.lock(),
        ) else {
            return;
        };
        for listed in rows {
            let Ok(id) = Uuid::parse_str(&listed.row.id) else {
                continue;
            };
            let doc = (mrn.to_string(), id);
            thumbs.insert(doc.clone(), listed.thumbnail_url.clone());
            match listed.thumbnail.as_deref().and_then(decode_thumbnail) {
                Some(bytes) => inline.insert(doc, bytes),
                None => inline.remove(&doc),
            };
        }
    }

    /// The thumbnail URL the last list of this patient handed out: `None` when no list named
    /// the document, `Some(None)` when the server withheld it.
    pub fn handed_out_thumbnail(&self, mrn: &Mrn, id: Uuid) -> Option<Option<String>> {
        let thumbs = self.handed_out.thumbnails.lock().ok()?;
        thumbs.get(&(mrn.to_string(), id)).cloned()
    }

    /// A thumbnail that came inside the last list, taken once.
    pub fn take_inline_thumbnail(&self, mrn: &Mrn, id: Uuid) -> Option<Vec<u8>> {
        let mut inline = self.handed_out.inline.lock().ok()?;
        inline.remove(&(mrn.to_string(), id))
    }

    /// The offline copy of `mrn` is older than what a find showed.
    pub fn note_stale_copy(&self, mrn: &str) {
        if let Ok(mut copies) = self.handed_out.stale_copies.lock() {
            copies.insert(mrn.to_string());
        }
    }

    /// The patients whose offline copy is older than what was shown, taken once.
    pub fn take_stale_copies(&self) -> Vec<String> {
        let Ok(mut copies) = self.handed_out.stale_copies.lock() else {
            return Vec::new();
        };
        copies.drain().collect()
    }

    /// A patient shown from the cache, queued as an offline Find under `key`. Shown twice
    /// before a revalidation: the earlier one stays queued (it was a read).
    pub fn note_unconfirmed_find(&self, mrn: &Mrn, key: String) {
        if let Ok(mut finds) = self.handed_out.unconfirmed_finds.lock() {
            finds.insert(mrn.to_string(), key);
        }
    }

    /// The queued offline Find of this patient, to withdraw now the server audited a find.
    pub fn take_unconfirmed_find(&self, mrn: &Mrn) -> Option<String> {
        let mut finds = self.handed_out.unconfirmed_finds.lock().ok()?;
        finds.remove(mrn.as_ref())
    }
}

/// A thumbnail sent inside a list: base64 of at most `THUMBNAIL_LIMIT` bytes, else ignored.
fn decode_thumbnail(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    if text.len() as u64 > THUMBNAIL_LIMIT * 4 / 3 + 4 {
        return None;
    }
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// Flattened into the app's error vocabulary, so the UI codes stay as they were.
impl From<RecordsError> for super::AppError {
    fn from(e: RecordsError) -> Self {
        match e {
            RecordsError::Server(e) => Self::Server(e),
            RecordsError::NoServer => Self::NoServer,
        }
    }
}
