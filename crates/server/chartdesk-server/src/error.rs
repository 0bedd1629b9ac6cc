//! `ApiError`: every failure a handler returns, mapped once to a status and a stable code.
//! Internal causes are logged here by kind only: S3 keys contain MRNs, so no SDK error text
//! reaches a response or a log line.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chartdesk_api::{ApiErrorCode, ErrorBody};
use chartdesk_domain::{
    AttachError, BreakGlassError, FileRefusal, MrnError, QueryError, StampError,
};
use chartdesk_records::store::StoreError;
use chartdesk_records::token::TokenError;
use chartdesk_records::{LookupError, UpdateError};
use chartdesk_signin::{AuthError, AuthFailureKind};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Sign in to continue")]
    MissingToken,
    #[error("Your session is not valid; sign in again ({0})")]
    BadToken(TokenError),
    #[error("The user pool's keys could not be fetched; try again shortly")]
    KeysUnavailable,
    #[error("Your role does not allow this")]
    Forbidden,
    #[error(transparent)]
    BreakGlass(#[from] BreakGlassError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{}", AttachError::PreopFull)]
    PreopFull,
    /// Carries the query's readings: the answer offers them (`ErrorBody::choices`).
    #[error("{0}")]
    AmbiguousQuery(QueryError),
    #[error("{0}")]
    Integrity(String),
    /// Infected, failed or not yet checked: the words and the code are the domain's and the
    /// contract's, shared with the desktop's offline copies.
    #[error(transparent)]
    Withheld(#[from] chartdesk_domain::Withheld),
    #[error("The records store could not be reached; try again shortly")]
    Unavailable,
    #[error("The action could not be recorded in the audit trail, so it was not done")]
    AuditFailed(StoreError),
    #[error("Something went wrong on the records server")]
    Internal(&'static str),
    /// Sign-in relayed for the browser: the words are the window's own.
    #[error(transparent)]
    SignIn(#[from] AuthError),
    /// The user pool could not say whether the session still stands (revocation.rs).
    #[error("The sign-in service could not confirm your session; try again shortly")]
    SessionUnconfirmed,
    /// Sign-in attempts over the limit (rate_limit.rs): the words say how long to wait.
    #[error("{message}")]
    TooManyAttempts {
        message: String,
        retry_after_seconds: u64,
    },
}

impl ApiError {
    pub fn code(&self) -> ApiErrorCode {
        match self {
            ApiError::MissingToken | ApiError::BadToken(_) => ApiErrorCode::Unauthenticated,
            ApiError::Forbidden => ApiErrorCode::Forbidden,
            ApiError::BreakGlass(BreakGlassError::ReasonRequired) => ApiErrorCode::ReasonRequired,
            ApiError::BreakGlass(_) | ApiError::Invalid(_) => ApiErrorCode::InvalidInput,
            ApiError::NotFound(_) => ApiErrorCode::NotFound,
            ApiError::Conflict(_) => ApiErrorCode::Conflict,
            ApiError::PreopFull => ApiErrorCode::PreopFull,
            ApiError::AmbiguousQuery(_) => ApiErrorCode::AmbiguousQuery,
            ApiError::Integrity(_) => ApiErrorCode::Integrity,
            ApiError::Withheld(w) => ApiErrorCode::from(w),
            ApiError::Unavailable | ApiError::KeysUnavailable | ApiError::AuditFailed(_) => {
                ApiErrorCode::Unavailable
            }
            ApiError::Internal(_) => ApiErrorCode::Internal,
            ApiError::SignIn(e) => sign_in_code(e),
            ApiError::SessionUnconfirmed => ApiErrorCode::Unavailable,
            ApiError::TooManyAttempts { .. } => ApiErrorCode::TooManyAttempts,
        }
    }

    fn status(&self) -> StatusCode {
        match self.code() {
            ApiErrorCode::Unauthenticated | ApiErrorCode::WrongCredentials => {
                StatusCode::UNAUTHORIZED
            }
            ApiErrorCode::Forbidden | ApiErrorCode::ReasonRequired | ApiErrorCode::Infected => {
                StatusCode::FORBIDDEN
            }
            ApiErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ApiErrorCode::NotFound => StatusCode::NOT_FOUND,
            ApiErrorCode::Conflict | ApiErrorCode::PreopFull | ApiErrorCode::AmbiguousQuery => {
                StatusCode::CONFLICT
            }
            ApiErrorCode::Integrity => StatusCode::UNPROCESSABLE_ENTITY,
            ApiErrorCode::ScanPending => StatusCode::LOCKED,
            ApiErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            ApiErrorCode::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            // A client raises these itself: `code` above never gives them.
            ApiErrorCode::Locked
            | ApiErrorCode::Unreachable
            | ApiErrorCode::Cancelled
            | ApiErrorCode::CacheUnreadable
            | ApiErrorCode::OptimizedNotKept
            | ApiErrorCode::Config => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code(),
            message: self.to_string(),
            choices: match self {
                ApiError::AmbiguousQuery(q) => q.choices(),
                _ => None,
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(kind) => tracing::error!(kind, "internal error"),
            ApiError::AuditFailed(e) => {
                tracing::error!(cause = store_kind(e), "audit write failed")
            }
            ApiError::Unavailable => tracing::warn!("records store unreachable"),
            ApiError::SignIn(e) if sign_in_code(e) == ApiErrorCode::Internal => {
                tracing::error!(kind = sign_in_kind(e), "sign-in relay failed")
            }
            _ => {}
        }
        let mut response = (self.status(), Json(self.body())).into_response();
        if let ApiError::TooManyAttempts {
            retry_after_seconds,
            ..
        } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_seconds));
        }
        response
    }
}

/// Sign-in failures as the browser branches on them (the window maps the same kinds).
fn sign_in_code(e: &AuthError) -> ApiErrorCode {
    match e.kind() {
        AuthFailureKind::Input => ApiErrorCode::InvalidInput,
        AuthFailureKind::Refused => ApiErrorCode::WrongCredentials,
        AuthFailureKind::SignInAgain | AuthFailureKind::Locked => ApiErrorCode::Unauthenticated,
        AuthFailureKind::Unreachable => ApiErrorCode::Unavailable,
        AuthFailureKind::Setup | AuthFailureKind::Internal => ApiErrorCode::Internal,
    }
}

fn sign_in_kind(e: &AuthError) -> &'static str {
    match e {
        AuthError::Misconfigured => "misconfigured",
        AuthError::BadToken => "bad_token",
        AuthError::SrpProtocol => "srp",
        AuthError::ClockSkew => "clock_skew",
        _ => "failed",
    }
}

/// A store error's kind, never its text.
fn store_kind(e: &StoreError) -> &'static str {
    match e {
        StoreError::Unreachable => "unreachable",
        StoreError::Conflict => "conflict",
        StoreError::Denied => "denied",
        StoreError::Corrupt => "corrupt",
        StoreError::ChecksumMismatch => "checksum_mismatch",
        StoreError::Cancelled => "cancelled",
        StoreError::Failed(_) => "failed",
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unreachable => ApiError::Unavailable,
            StoreError::Conflict => {
                ApiError::Conflict("The record was changed at the same time; try again".into())
            }
            StoreError::ChecksumMismatch => ApiError::Integrity(
                "The stored copy does not match the file sent (size or SHA-256 differs)".into(),
            ),
            StoreError::Corrupt => ApiError::Integrity("A stored record is damaged".into()),
            StoreError::Denied => ApiError::Internal("store_denied"),
            StoreError::Cancelled => ApiError::Internal("store_cancelled"),
            StoreError::Failed(_) => ApiError::Internal("store_failed"),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::KeysUnavailable => ApiError::KeysUnavailable,
            other => ApiError::BadToken(other),
        }
    }
}

impl From<LookupError> for ApiError {
    fn from(e: LookupError) -> Self {
        match e {
            LookupError::NoSuchNhsNumber(_) | LookupError::NoSuchMrn(_) => {
                ApiError::NotFound(e.to_string())
            }
            LookupError::Store(s) => s.into(),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Ambiguous { .. } => ApiError::AmbiguousQuery(e),
            QueryError::Nhs(_) | QueryError::Mrn(_) => ApiError::Invalid(e.to_string()),
        }
    }
}

impl From<MrnError> for ApiError {
    fn from(e: MrnError) -> Self {
        ApiError::Invalid(e.to_string())
    }
}

impl From<FileRefusal> for ApiError {
    fn from(e: FileRefusal) -> Self {
        ApiError::Invalid(e.to_string())
    }
}

impl From<StampError> for ApiError {
    fn from(e: StampError) -> Self {
        match e {
            StampError::NotStampable(_) => ApiError::Invalid(e.to_string()),
            StampError::AlreadyStamped { .. } => ApiError::Conflict(e.to_string()),
        }
    }
}

impl From<AttachError> for ApiError {
    fn from(e: AttachError) -> Self {
        match e {
            AttachError::PreopFull => ApiError::PreopFull,
            AttachError::AlreadyAttached => ApiError::Conflict(e.to_string()),
        }
    }
}

impl From<UpdateError<ApiError>> for ApiError {
    fn from(e: UpdateError<ApiError>) -> Self {
        match e {
            UpdateError::Rule(rule) => rule,
            UpdateError::Store(s) => s.into(),
            UpdateError::Contended => ApiError::Conflict(
                "The record is being changed by many people at once; please try again".into(),
            ),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
