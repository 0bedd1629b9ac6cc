//! MFA_SETUP: a pool that requires MFA asks a user without an authenticator to enrol one
//! during sign-in: associate a software token, show its secret (and a QR code), verify a code.

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;
use qrcode::render::svg;
use qrcode::QrCode;
use time::OffsetDateTime;
use tracing::instrument;

use crate::{AuthError, PendingChallenge, SignInStep, UserPool};
use chartdesk_records::store::classify;

/// What the user needs to add Chartdesk to an authenticator app.
#[derive(Clone)]
pub struct AuthenticatorEnrolment {
    pub secret: String,
    /// `otpauth://` URI, as authenticator apps scan it.
    pub uri: String,
    /// The URI as a QR code (SVG).
    pub qr_svg: String,
}

impl std::fmt::Debug for AuthenticatorEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthenticatorEnrolment(<redacted>)")
    }
}

/// `otpauth://totp/Chartdesk:{user}?secret=…&issuer=Chartdesk` and its QR code.
pub fn enrolment_for(username: &str, secret: &str) -> AuthenticatorEnrolment {
    let label: String = username
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        .collect();
    let uri = format!("otpauth://totp/Chartdesk:{label}?secret={secret}&issuer=Chartdesk");
    let qr_svg = QrCode::new(uri.as_bytes())
        .map(|code| {
            code.render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default();
    AuthenticatorEnrolment {
        secret: secret.to_string(),
        uri,
        qr_svg,
    }
}

impl UserPool {
    /// Starts enrolment: the secret to show. The challenge's session moves on with it.
    #[instrument(skip_all)]
    pub async fn begin_mfa_setup(
        &self,
        pending: &mut PendingChallenge,
    ) -> Result<AuthenticatorEnrolment, AuthError> {
        let out = self
            .cognito
            .associate_software_token()
            .session(pending.session())
            .send()
            .await
            .map_err(|e| AuthError::from_challenge_answer(classify(e)))?;
        if let Some(next) = out.session() {
            pending.set_session(next);
        }
        let secret = out.secret_code().ok_or(AuthError::SrpProtocol)?;
        Ok(enrolment_for(&pending.username, secret))
    }

    /// Verifies the first code from the new authenticator, then completes MFA_SETUP.
    #[instrument(skip_all)]
    pub async fn finish_mfa_setup(
        &self,
        pending: &mut PendingChallenge,
        code: &str,
        now: OffsetDateTime,
    ) -> Result<SignInStep, AuthError> {
        let code = crate::cognito_sign_in::normalise_code(code)?;
        let verified = self
            .cognito
            .verify_software_token()
            .session(pending.session())
            .user_code(code)
            .friendly_device_name("Chartdesk authenticator")
            .send()
            .await
            .map_err(|e| AuthError::from_challenge_answer(classify(e)))?;
        if let Some(next) = verified.session() {
            pending.set_session(next);
        }
        let out = self
            .cognito
            .respond_to_auth_challenge()
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::MfaSetup)
            .session(pending.session())
            .challenge_responses("USERNAME", &pending.username)
            .send()
            .await
            .map_err(|e| AuthError::from_challenge_answer(classify(e)))?;
        self.next_step(&pending.username, &out, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enrolment_uri_is_what_authenticator_apps_scan() {
        let e = enrolment_for("dr.new", "JBSWY3DPEHPK3PXP");
        assert_eq!(
            e.uri,
            "otpauth://totp/Chartdesk:dr.new?secret=JBSWY3DPEHPK3PXP&issuer=Chartdesk"
        );
        assert!(e.qr_svg.starts_with("<?xml") && e.qr_svg.contains("<svg"));
    }
}
