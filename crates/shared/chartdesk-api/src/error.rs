//! The one error shape every `/v1` answer uses: `{code, message}`, and the one code enum every
//! boundary uses (the desktop's window gets the same codes, plus the few only a client raises).

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// What a client branches on. A code exists only where a client acts differently on it.
/// The last few are raised by a client itself (the records server never sends them): the
/// desktop's window and the browser get every code under the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApiErrorCode {
    /// No token, or an expired, forged or wrong-kind token (401): sign in again.
    Unauthenticated,
    /// Sign-in refused: wrong user name or password, too many attempts, account disabled (401).
    WrongCredentials,
    /// The user's role may not do this (403).
    Forbidden,
    /// A restricted record needs a break-glass reason (403): ask for one.
    ReasonRequired,
    /// The request names something invalid; the message says what (400).
    InvalidInput,
    NotFound,
    /// A stamp already there, or too many writers at once (409): reload.
    Conflict,
    /// Preop already holds 3 images (409): offer *Replace oldest*.
    PreopFull,
    /// Ten digits that are one patient's NHS number and another's MRN (409): ask which is
    /// meant, then search again as `NHS …` or `MRN …`.
    AmbiguousQuery,
    /// A stored object is missing or does not match what was declared (422).
    Integrity,
    /// The virus scanner flagged the file (403): it cannot be opened.
    Infected,
    /// The virus scanner has not checked the file yet (423): try again in a few minutes.
    ScanPending,
    /// The bucket or the user pool's keys could not be reached (503): retry later.
    Unavailable,
    Internal,
    /// Too many sign-in attempts for this user or from this address (429, with Retry-After):
    /// the message says how long to wait.
    TooManyAttempts,
    /// Client-only: the session is locked after idle time: show the lock screen.
    Locked,
    /// Client-only: the records server could not be reached at all: offer retry (the desktop
    /// falls back to its offline copy).
    Unreachable,
    /// Client-only: the user cancelled: nothing was added, say so quietly.
    Cancelled,
    /// Client-only: the offline cache cannot be opened with its key: offer "Reset offline data".
    CacheUnreadable,
    /// Client-only: offline, an image's optimized JPEG was never kept but its original was:
    /// open that.
    OptimizedNotKept,
    /// Client-only: this computer's setup is incomplete (no server configured, no keychain).
    Config,
}

/// Why a document is withheld, as the code a client branches on: one mapping for the server's
/// opens and the desktop's offline copies.
impl From<&chartdesk_domain::Withheld> for ApiErrorCode {
    fn from(withheld: &chartdesk_domain::Withheld) -> Self {
        match withheld {
            chartdesk_domain::Withheld::Infected => ApiErrorCode::Infected,
            chartdesk_domain::Withheld::Failed(_) => ApiErrorCode::Integrity,
            chartdesk_domain::Withheld::Pending => ApiErrorCode::ScanPending,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ErrorBody {
    pub code: ApiErrorCode,
    pub message: String,
    /// `ambiguous_query` only: the readings to offer, in the words and form the UI shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<chartdesk_domain::SearchChoice>>,
}
