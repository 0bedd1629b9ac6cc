use chartdesk_records::store::Failure;

/// Sign-in failures, each with the words a member of staff needs.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("Enter your user name and password")]
    MissingCredentials,
    /// Also used for unknown users: never reveal which of the two was wrong.
    #[error("The user name or password is incorrect")]
    WrongCredentials,
    #[error("Too many failed attempts. Wait a few minutes, then try again, or ask the service desk to unlock your account")]
    TooManyAttempts,
    #[error("This account is disabled. Contact the service desk")]
    Disabled,
    #[error("Your password must be reset before you can sign in. Contact the service desk")]
    ResetRequired,
    #[error("Your account needs a new password before first use. Sign in with the Chartdesk app to choose one")]
    NewPasswordRequired,
    /// What the password lacks, in our words (`password_refused`).
    #[error("{0}")]
    WeakPassword(String),
    #[error("The two passwords do not match")]
    PasswordsDiffer,
    #[error("Enter the 6-digit code from your authenticator app")]
    CodeFormat,
    #[error("That code is not right. Check your authenticator app and try again")]
    WrongCode,
    #[error("Sign-in took too long and has expired. Please sign in again")]
    ChallengeExpired,
    #[error("The sign-in service asked for a step this version does not support ({0})")]
    UnsupportedChallenge(String),
    #[error("Cannot reach the sign-in service. Check the network connection (in the sandbox: is the local cloud running?)")]
    Unreachable,
    #[error("The sign-in settings of this profile are wrong (user pool or app client not found)")]
    Misconfigured,
    #[error("The sign-in service returned a token that failed verification. Sign-in was stopped for safety; contact the service desk if it happens again")]
    BadToken,
    #[error("The sign-in service's secure password exchange (SRP) could not be completed. Contact the service desk")]
    SrpProtocol,
    #[error("This computer's clock is out of step with the sign-in service. Check the date and time settings, then sign in again")]
    ClockSkew,
    #[error("You are not signed in, or your session has ended. Please sign in again")]
    NotSignedIn,
    #[error("Your session has ended. Please sign in again")]
    SessionEnded,
    /// A refresh that names no user or no refresh token: a client fault, not the pool's.
    #[error("The request to stay signed in is missing the user name or the session. Please sign in again")]
    RefreshIncomplete,
    #[error("Chartdesk is locked. Enter your password to continue")]
    Locked,
    #[error("That password is not right. Wait {0} seconds, then try again")]
    UnlockWait(u64),
    #[error("Too many wrong passwords on this computer. Connect to the network, then unlock with your password or sign in as someone else")]
    OfflineUnlockExhausted,
    #[error("Sign-in failed: {0}")]
    Failed(Failure),
}

impl From<Failure> for AuthError {
    fn from(f: Failure) -> Self {
        let message = match &f {
            Failure::Service { message, .. } => message.clone().unwrap_or_default(),
            _ => String::new(),
        };
        match f.code() {
            _ if f == Failure::Unreachable => AuthError::Unreachable,
            Some("NotAuthorizedException") if message.contains("disabled") => AuthError::Disabled,
            Some("NotAuthorizedException") if message.contains("attempts exceeded") => {
                AuthError::TooManyAttempts
            }
            Some("NotAuthorizedException" | "UserNotFoundException") => AuthError::WrongCredentials,
            Some("TooManyRequestsException" | "LimitExceededException") => {
                AuthError::TooManyAttempts
            }
            Some("PasswordResetRequiredException") => AuthError::ResetRequired,
            Some("ResourceNotFoundException") => AuthError::Misconfigured,
            _ => AuthError::Failed(f),
        }
    }
}

/// What a client does about a sign-in failure: the one classification the window's error
/// codes and the server's `/v1/session` codes are both mapped from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailureKind {
    /// A mistake in what was typed: the form stays, fix and retry.
    Input,
    /// The password, account or attempt was refused.
    Refused,
    /// The session or challenge is gone: sign in again.
    SignInAgain,
    Locked,
    Unreachable,
    /// This installation's settings (pool, client, clock) are wrong.
    Setup,
    Internal,
}

impl AuthError {
    pub fn kind(&self) -> AuthFailureKind {
        match self {
            AuthError::MissingCredentials
            | AuthError::WeakPassword(_)
            | AuthError::PasswordsDiffer
            | AuthError::CodeFormat
            | AuthError::WrongCode
            | AuthError::RefreshIncomplete => AuthFailureKind::Input,
            AuthError::WrongCredentials
            | AuthError::TooManyAttempts
            | AuthError::Disabled
            | AuthError::ResetRequired
            | AuthError::NewPasswordRequired
            | AuthError::UnsupportedChallenge(_)
            | AuthError::UnlockWait(_)
            | AuthError::OfflineUnlockExhausted => AuthFailureKind::Refused,
            AuthError::ChallengeExpired | AuthError::NotSignedIn | AuthError::SessionEnded => {
                AuthFailureKind::SignInAgain
            }
            AuthError::Locked => AuthFailureKind::Locked,
            AuthError::Unreachable => AuthFailureKind::Unreachable,
            AuthError::Misconfigured | AuthError::ClockSkew => AuthFailureKind::Setup,
            AuthError::BadToken | AuthError::SrpProtocol | AuthError::Failed(_) => {
                AuthFailureKind::Internal
            }
        }
    }
}

impl AuthError {
    /// Errors answering a challenge: a weak password is retryable; an invalid session means
    /// the challenge has expired and sign-in must start again.
    pub fn from_challenge_answer(f: Failure) -> Self {
        let message = match &f {
            Failure::Service { message, .. } => message.clone(),
            _ => None,
        };
        match f.code() {
            Some("CodeMismatchException" | "EnableSoftwareTokenMFAException") => {
                AuthError::WrongCode
            }
            Some("InvalidPasswordException") => {
                AuthError::WeakPassword(password_refused(message.as_deref()))
            }
            Some("NotAuthorizedException" | "ExpiredCodeException")
                if message.as_deref().is_some_and(|m| m.contains("session")) =>
            {
                AuthError::ChallengeExpired
            }
            Some("ResourceNotFoundException") => AuthError::ChallengeExpired,
            _ => AuthError::from(f),
        }
    }
}

/// Our words for a new password the pool refused. Cognito names the rule missed after "Password
/// did not conform with policy:"; a pool that names none (the local cloud) gets the general words.
/// Never the provider's text as it came: it is not ours to show, and it may be wrong.
fn password_refused(message: Option<&str>) -> String {
    use crate::password_policy::{LOWER_CASE, NUMBER, SYMBOL, UPPER_CASE};
    let message = message.unwrap_or_default().to_ascii_lowercase();
    let mut missed: Vec<String> = Vec::new();
    if message.contains("long enough") {
        missed.push("it is too short".into());
    }
    for (said, rule) in [
        ("uppercase", UPPER_CASE),
        ("lowercase", LOWER_CASE),
        ("numeric", NUMBER),
        ("symbol", SYMBOL),
    ] {
        if message.contains(said) {
            missed.push(format!("it needs {rule}"));
        }
    }
    if missed.is_empty() {
        "The new password does not meet the password rules shown: choose another".into()
    } else {
        format!(
            "The new password does not meet the password rules shown: {}",
            missed.join(", and ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, message: &str) -> Failure {
        Failure::Service {
            status: 400,
            code: Some(code.into()),
            message: Some(message.into()),
        }
    }

    #[test]
    fn a_refused_new_password_is_told_in_our_words_with_the_rule_it_missed() {
        let refused = |message: &str| {
            AuthError::from_challenge_answer(service("InvalidPasswordException", message))
                .to_string()
        };
        assert_eq!(
            refused("Password did not conform with policy: Password not long enough"),
            "The new password does not meet the password rules shown: it is too short"
        );
        assert!(refused(
            "Password did not conform with policy: Password must have symbol characters"
        )
        .ends_with("it needs a symbol, such as ! or #"));
        // The local cloud's words name no rule, and are not shown.
        let moto =
            refused("The provided password does not confirm to the configured password policy");
        assert_eq!(
            moto,
            "The new password does not meet the password rules shown: choose another"
        );
    }

    #[test]
    fn unknown_user_and_wrong_password_read_the_same() {
        let a = AuthError::from(service("UserNotFoundException", "User does not exist."));
        let b = AuthError::from(service(
            "NotAuthorizedException",
            "Incorrect username or password.",
        ));
        assert_eq!(a.to_string(), b.to_string());
    }

    #[test]
    fn cognito_codes_map_to_their_own_messages() {
        assert!(matches!(
            AuthError::from(service("NotAuthorizedException", "User is disabled.")),
            AuthError::Disabled
        ));
        assert!(matches!(
            AuthError::from(service(
                "NotAuthorizedException",
                "Password attempts exceeded"
            )),
            AuthError::TooManyAttempts
        ));
        assert!(matches!(
            AuthError::from(Failure::Unreachable),
            AuthError::Unreachable
        ));
    }
}
