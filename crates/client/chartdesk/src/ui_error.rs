//! The one error shape the UI receives: a small `code` it branches on and a message for people.
//! The code is the records server's own `ApiErrorCode` (a refusal passes through unchanged, as
//! it does in the browser); the few only this app raises (locked, unreachable, cancelled, …)
//! are variants of the same enum.

use serde::Serialize;
use ts_rs::TS;

use crate::cloud::ServerError;
use crate::services::AppError;
use chartdesk_api::ApiErrorCode;
use chartdesk_records::store::StoreError;
use chartdesk_records::LookupError;
use chartdesk_signin::AuthFailureKind;

#[derive(Debug, Clone, Serialize, TS)]
pub struct UiError {
    pub code: ApiErrorCode,
    pub message: String,
    /// `ambiguous_query` only: the readings to offer, as the domain words them.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub choices: Option<Vec<chartdesk_domain::SearchChoice>>,
}

impl UiError {
    /// For requests the transport could not even read (a malformed IPC call).
    pub fn invalid_request(message: &str) -> Self {
        Self {
            code: ApiErrorCode::InvalidInput,
            message: message.to_string(),
            choices: None,
        }
    }
}

impl From<AppError> for UiError {
    fn from(err: AppError) -> Self {
        let code = err.code();
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

impl AppError {
    /// What the UI branches on: the server's code as it sent it, else the core's own reading.
    pub fn code(&self) -> ApiErrorCode {
        match self {
            AppError::Config(_) => ApiErrorCode::Config,
            AppError::Query(chartdesk_domain::QueryError::Ambiguous { .. }) => {
                ApiErrorCode::AmbiguousQuery
            }
            AppError::Query(_) => ApiErrorCode::InvalidInput,
            AppError::Forbidden => ApiErrorCode::Forbidden,
            AppError::Withheld(w) => ApiErrorCode::from(w),
            AppError::NoSuchCategory
            | AppError::ListChanged
            | AppError::FileRefused(_)
            | AppError::Export(_) => ApiErrorCode::InvalidInput,
            AppError::Attach(chartdesk_domain::AttachError::PreopFull) => ApiErrorCode::PreopFull,
            AppError::Attach(chartdesk_domain::AttachError::AlreadyAttached) => {
                ApiErrorCode::Conflict
            }
            AppError::NoSuchDocument => ApiErrorCode::NotFound,
            AppError::OptimizedNotKept => ApiErrorCode::OptimizedNotKept,
            AppError::Cache(crate::cache::CacheError::Unreadable) => ApiErrorCode::CacheUnreadable,
            AppError::Cache(_) | AppError::NoOfflineCache => ApiErrorCode::Internal,
            AppError::NoServer | AppError::Keychain(_) => ApiErrorCode::Config,
            AppError::BreakGlass(chartdesk_domain::BreakGlassError::ReasonRequired) => {
                ApiErrorCode::ReasonRequired
            }
            AppError::BreakGlass(_) => ApiErrorCode::InvalidInput,
            AppError::Server(e) => match e {
                ServerError::Refused(body) => body.code,
                ServerError::Unreachable => ApiErrorCode::Unreachable,
                ServerError::Cancelled => ApiErrorCode::Cancelled,
                _ => ApiErrorCode::Internal,
            },
            AppError::Corrupted => ApiErrorCode::Internal,
            AppError::Stamp(chartdesk_domain::StampError::AlreadyStamped { .. })
            | AppError::Contended
            | AppError::Busy => ApiErrorCode::Conflict,
            AppError::Stamp(chartdesk_domain::StampError::NotStampable(_)) => {
                ApiErrorCode::InvalidInput
            }
            AppError::Auth(a) => match a.kind() {
                AuthFailureKind::Input => ApiErrorCode::InvalidInput,
                AuthFailureKind::Refused => ApiErrorCode::WrongCredentials,
                AuthFailureKind::SignInAgain => ApiErrorCode::Unauthenticated,
                AuthFailureKind::Locked => ApiErrorCode::Locked,
                AuthFailureKind::Unreachable => ApiErrorCode::Unreachable,
                AuthFailureKind::Setup => ApiErrorCode::Config,
                AuthFailureKind::Internal => ApiErrorCode::Internal,
            },
            AppError::Lookup(l) => match l {
                LookupError::NoSuchNhsNumber(_) | LookupError::NoSuchMrn(_) => {
                    ApiErrorCode::NotFound
                }
                LookupError::Store(StoreError::Unreachable) => ApiErrorCode::Unreachable,
                LookupError::Store(StoreError::Conflict) => ApiErrorCode::Conflict,
                LookupError::Store(StoreError::Denied) => ApiErrorCode::Forbidden,
                LookupError::Store(StoreError::Cancelled) => ApiErrorCode::Cancelled,
                LookupError::Store(_) => ApiErrorCode::Internal,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chartdesk_domain::{MrnFormat, NhsNumber, QueryError};

    #[test]
    fn an_ambiguity_found_offline_carries_the_domains_two_readings_to_the_ui() {
        let nhs = NhsNumber::parse("9434765919").unwrap();
        let mrn = MrnFormat::default().parse("9434765919").unwrap();
        let ambiguous = QueryError::Ambiguous { nhs, mrn };
        let expected = ambiguous.choices();
        let ui = UiError::from(AppError::Query(ambiguous));
        assert_eq!(ui.code, ApiErrorCode::AmbiguousQuery);
        assert!(expected.is_some());
        assert_eq!(ui.choices, expected);
        let other = UiError::from(AppError::Query(QueryError::Nhs(
            chartdesk_domain::NhsNumberError::Invalid,
        )));
        assert_eq!(other.choices, None);
    }

    #[test]
    fn a_server_refusal_reaches_the_ui_under_the_servers_own_code() {
        for code in [
            ApiErrorCode::ScanPending,
            ApiErrorCode::Infected,
            ApiErrorCode::Integrity,
            ApiErrorCode::Unavailable,
            ApiErrorCode::TooManyAttempts,
            ApiErrorCode::Unauthenticated,
        ] {
            let refused = ServerError::Refused(chartdesk_api::ErrorBody {
                code,
                message: "words".into(),
                choices: None,
            });
            assert_eq!(UiError::from(AppError::Server(refused)).code, code);
        }
    }
}
