//! The one error shape the UI receives: a small `code` it branches on and a message for people.

use serde::Serialize;
use ts_rs::TS;

use crate::auth::AuthFailureKind;
use crate::cloud::{ServerError, StoreError};
use crate::records::LookupError;
use crate::services::AppError;
use chartdesk_api::ApiErrorCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The user typed something invalid; the message says what.
    InvalidInput,
    NotFound,
    WrongCredentials,
    /// No session, or it ended: show the sign-in screen.
    NotSignedIn,
    /// The session is locked after idle time: show the lock screen.
    Locked,
    Forbidden,
    /// The cloud could not be reached: offer retry.
    Unreachable,
    Conflict,
    /// Preop already holds 3 images: offer "replace oldest".
    PreopFull,
    /// A restricted record: ask for a break-glass reason, then try again with it.
    ReasonRequired,
    /// Ten digits that are one patient's NHS number and another's MRN: offer both choices
    /// (search again as `NHS …` or `MRN …`).
    AmbiguousQuery,
    /// The user cancelled: nothing was added, say so quietly.
    Cancelled,
    /// The offline cache cannot be opened with its key: offer "Reset offline data".
    CacheUnreadable,
    /// Offline, an image's optimized JPEG was never kept but its original was: open that.
    OptimizedNotKept,
    Config,
    Internal,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UiError {
    pub code: ErrorCode,
    pub message: String,
    /// `ambiguous_query` only: the readings to offer, as the domain words them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub choices: Option<Vec<crate::domain::SearchChoice>>,
}

impl UiError {
    /// For requests the transport could not even read (a malformed IPC call).
    pub fn invalid_request(message: &str) -> Self {
        Self {
            code: ErrorCode::InvalidInput,
            message: message.to_string(),
            choices: None,
        }
    }
}

impl From<AppError> for UiError {
    fn from(err: AppError) -> Self {
        let code = ErrorCode::of(&err);
        // The code only: messages can name a patient's NHS number, MRN or a file.
        tracing::warn!(?code, "refused");
        let choices = match &err {
            AppError::Query(q) => q.choices(),
            AppError::Server(ServerError::Refused(body)) => body.choices.clone(),
            _ => None,
        };
        Self {
            code,
            message: err.to_string(),
            choices,
        }
    }
}

impl ErrorCode {
    /// The one mapping from the core's errors to what the UI branches on.
    pub fn of(err: &AppError) -> Self {
        match err {
            AppError::Config(_) => ErrorCode::Config,
            AppError::Query(crate::domain::QueryError::Ambiguous { .. }) => {
                ErrorCode::AmbiguousQuery
            }
            AppError::Query(_) => ErrorCode::InvalidInput,
            AppError::Forbidden | AppError::Infected => ErrorCode::Forbidden,
            AppError::NoSuchCategory | AppError::FileRefused(_) | AppError::Export(_) => {
                ErrorCode::InvalidInput
            }
            AppError::Attach(crate::domain::AttachError::PreopFull) => ErrorCode::PreopFull,
            AppError::Attach(crate::domain::AttachError::AlreadyAttached) => ErrorCode::Conflict,
            AppError::NoSuchDocument => ErrorCode::NotFound,
            AppError::OptimizedNotKept => ErrorCode::OptimizedNotKept,
            AppError::Cache(crate::cache::CacheError::Unreadable) => ErrorCode::CacheUnreadable,
            AppError::Cache(_) | AppError::NoOfflineCache => ErrorCode::Internal,
            AppError::NoServer | AppError::Keychain(_) => ErrorCode::Config,
            AppError::BreakGlass(crate::domain::BreakGlassError::ReasonRequired) => {
                ErrorCode::ReasonRequired
            }
            AppError::BreakGlass(_) => ErrorCode::InvalidInput,
            AppError::Server(e) => match e.code() {
                None => match e {
                    ServerError::Unreachable => ErrorCode::Unreachable,
                    ServerError::Cancelled => ErrorCode::Cancelled,
                    _ => ErrorCode::Internal,
                },
                Some(code) => match code {
                    ApiErrorCode::Unauthenticated => ErrorCode::NotSignedIn,
                    ApiErrorCode::WrongCredentials | ApiErrorCode::TooManyAttempts => {
                        ErrorCode::WrongCredentials
                    }
                    ApiErrorCode::Forbidden
                    | ApiErrorCode::Infected
                    | ApiErrorCode::ScanPending => ErrorCode::Forbidden,
                    ApiErrorCode::ReasonRequired => ErrorCode::ReasonRequired,
                    ApiErrorCode::InvalidInput => ErrorCode::InvalidInput,
                    ApiErrorCode::NotFound => ErrorCode::NotFound,
                    ApiErrorCode::Conflict => ErrorCode::Conflict,
                    ApiErrorCode::PreopFull => ErrorCode::PreopFull,
                    ApiErrorCode::AmbiguousQuery => ErrorCode::AmbiguousQuery,
                    ApiErrorCode::Unavailable => ErrorCode::Unreachable,
                    ApiErrorCode::Integrity | ApiErrorCode::Internal => ErrorCode::Internal,
                },
            },
            AppError::Corrupted => ErrorCode::Internal,
            AppError::Stamp(crate::domain::StampError::AlreadyStamped { .. })
            | AppError::Contended
            | AppError::Busy => ErrorCode::Conflict,
            AppError::Stamp(crate::domain::StampError::NotStampable(_)) => ErrorCode::InvalidInput,
            AppError::Auth(a) => match a.kind() {
                AuthFailureKind::Input => ErrorCode::InvalidInput,
                AuthFailureKind::Refused => ErrorCode::WrongCredentials,
                AuthFailureKind::SignInAgain => ErrorCode::NotSignedIn,
                AuthFailureKind::Locked => ErrorCode::Locked,
                AuthFailureKind::Unreachable => ErrorCode::Unreachable,
                AuthFailureKind::Setup => ErrorCode::Config,
                AuthFailureKind::Internal => ErrorCode::Internal,
            },
            AppError::Lookup(l) => match l {
                LookupError::NoSuchNhsNumber(_) | LookupError::NoSuchMrn(_) => ErrorCode::NotFound,
                LookupError::Store(StoreError::Unreachable) => ErrorCode::Unreachable,
                LookupError::Store(StoreError::Conflict) => ErrorCode::Conflict,
                LookupError::Store(StoreError::Denied) => ErrorCode::Forbidden,
                LookupError::Store(StoreError::Cancelled) => ErrorCode::Cancelled,
                LookupError::Store(_) => ErrorCode::Internal,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::domain::{MrnFormat, NhsNumber, QueryError};

    #[test]
    fn an_ambiguity_found_offline_carries_the_domains_two_readings_to_the_ui() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let mrn = MrnFormat::default().parse("9434765919").unwrap();
        let ambiguous = QueryError::Ambiguous { nhs, mrn };
        let expected = ambiguous.choices();
        let ui = UiError::from(AppError::Query(ambiguous));
        assert_eq!(ui.code, ErrorCode::AmbiguousQuery);
        assert!(expected.is_some());
        assert_eq!(ui.choices, expected);
        let other = UiError::from(AppError::Query(QueryError::Nhs(
            crate::domain::NhsNumberError::Invalid,
        )));
        assert_eq!(other.choices, None);
    }
}
