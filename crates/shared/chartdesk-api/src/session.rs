//! Sign-in for the browser, relayed by the server to Cognito. The server keeps no session
//! state: a challenge's Cognito session string goes back to the client, which sends it with
//! its answer, and the tokens live in the page's memory only.

use chartdesk_domain::{BreakGlassChoice, SignInResult};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{AcceptedFileType, UploadProtocol};

/// What a page or a desktop needs before anyone signs in (no token needed): with the
/// hospital's policy as this server enforces it, so clients check early with the same values.
#[derive(Debug, Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ClientConfig {
    pub version: String,
    /// The local cloud: the status bar says the data is demo data.
    pub sandbox: bool,
    /// Idle time after which the page or window locks.
    #[schema(minimum = 1)]
    pub idle_lock_seconds: u32,
    pub break_glass_reasons: Vec<BreakGlassChoice>,
    /// The hospital's MRN format, a regular expression (only ASCII letters and digits are
    /// ever accepted, whatever it says).
    #[schema(min_length = 1)]
    pub mrn_pattern: String,
    /// The largest file the server accepts, in bytes.
    #[schema(minimum = 1)]
    pub max_upload_bytes: u64,
    /// The kinds of file the server accepts (checked by content, not name).
    #[schema(min_items = 1)]
    pub accepted_types: Vec<AcceptedFileType>,
    /// How many attached images preop holds at most.
    #[schema(minimum = 1)]
    pub preop_image_limit: u32,
    pub upload: UploadProtocol,
}

#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SignInRequest {
    /// Not blank (sign-in trims it).
    #[schema(min_length = 1, pattern = r"[^\s\u0085]|[\x1c-\x1f\uFEFF]")]
    pub username: String,
    /// Not empty.
    #[schema(min_length = 1)]
    pub password: String,
}

/// A challenge awaiting its answer: the user Cognito named and its short-lived session.
#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct ChallengeToken {
    pub username: String,
    pub session: String,
}

#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct NewPasswordAnswer {
    pub challenge: ChallengeToken,
    pub new_password: String,
    pub confirm: String,
}

/// A 6-digit authenticator code, for TOTP sign-in or for finishing an enrolment.
#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct CodeAnswer {
    pub challenge: ChallengeToken,
    // Six digits, spaces between them ignored (pasted codes carry them), as sign-in checks.
    #[schema(pattern = r"^\s*([0-9]\s*){6}$")]
    pub code: String,
}

#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct RefreshRequest {
    /// Not blank, as sign-in checks.
    #[schema(min_length = 1, pattern = r"[^\s\u0085]|[\x1c-\x1f\uFEFF]")]
    pub username: String,
    /// Not blank: the refresh token the sign-in gave.
    #[schema(min_length = 1, pattern = r"[^\s\u0085]|[\x1c-\x1f\uFEFF]")]
    pub refresh_token: String,
}

#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SignOutRequest {
    pub refresh_token: String,
}

#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct IssuedTokens {
    pub access_token: String,
    pub id_token: String,
    pub refresh_token: Option<String>,
    pub expires_in_seconds: u64,
}

/// Where a sign-in stands: the same `result` the window's commands answer, plus the challenge
/// to answer next or the tokens once signed in.
#[derive(Clone, Serialize, Deserialize, TS, ToSchema)]
pub struct SessionAnswer {
    #[schema(value_type = Object)]
    pub result: SignInResult,
    pub challenge: Option<ChallengeToken>,
    pub tokens: Option<IssuedTokens>,
}

// By hand: a stray `{:?}` must not print a password, a session string or a token.
macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), "(<redacted>)"))
            }
        }
    )*};
}
redacted_debug!(
    SignInRequest,
    ChallengeToken,
    NewPasswordAnswer,
    CodeAnswer,
    RefreshRequest,
    SignOutRequest,
    IssuedTokens,
    SessionAnswer
);
