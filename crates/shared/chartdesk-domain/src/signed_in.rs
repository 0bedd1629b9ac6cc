//! A sign-in's outcome as the UI branches on it: the same shape from the desktop's commands
//! and from the records server's `/v1/session` routes.

use crate::Role;

/// Who is signed in, as the UI may see it (no tokens).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct SignedInUser {
    pub username: String,
    pub roles: Vec<Role>,
    /// The roles as staff read them, e.g. "Clinician" ("No group" when none).
    pub roles_label: String,
    /// Locked after idle time: show the lock screen, not the records.
    pub locked: bool,
}

/// The outcome of a sign-in call, as the UI branches on it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SignInResult {
    SignedIn {
        user: SignedInUser,
    },
    /// Show the new-password form with these rules.
    NewPasswordRequired {
        username: String,
        rules: Vec<String>,
    },
    /// Show the authenticator-code form.
    TotpRequired {
        username: String,
    },
    /// Show the enrolment form: the secret, its QR code (SVG) and a code field.
    MfaSetupRequired {
        username: String,
        secret: String,
        qr_svg: String,
    },
}

/// "Clinician, Records admin"; "No group" when the user has none.
pub fn roles_label(roles: &[Role]) -> String {
    let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
    if labels.is_empty() {
        "No group".to_string()
    } else {
        labels.join(", ")
    }
}
