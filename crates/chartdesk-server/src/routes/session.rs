//! The browser's sign-in, relayed to the user pool through the same code the desktop signs in
//! with (`chartdesk-signin`), so both show the same steps and the same words. Nothing is kept
//! here: a challenge's session string goes back to the page with the answer it needs, and the
//! tokens go to the page's memory.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chartdesk_api::{
    ChallengeToken, ClientConfig, CodeAnswer, IssuedTokens, NewPasswordAnswer, RefreshRequest,
    SessionAnswer, SignInRequest, SignOutRequest,
};
use chartdesk_domain::break_glass_choices;
use chartdesk_signin::{
    roles_label, AuthError, ChallengeKind, PasswordPolicy, PendingChallenge, Session, SignInResult,
    SignInStep, SignedInUser,
};

use crate::error::ApiResult;
use crate::json::ApiJson;
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/client-config", tag = "session",
    responses((status = 200, body = ClientConfig)))]
pub async fn client_config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig {
        version: env!("CARGO_PKG_VERSION").to_string(),
        sandbox: state.local_cloud,
        idle_lock_seconds: state.web.idle_lock_seconds,
        break_glass_reasons: break_glass_choices(),
    })
}

#[utoipa::path(post, path = "/v1/session", tag = "session", request_body = SignInRequest,
    responses((status = 200, body = SessionAnswer), (status = 401, body = chartdesk_api::ErrorBody)))]
pub async fn sign_in(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<Json<SessionAnswer>> {
    let relay = &state.sign_in;
    let step = relay
        .pool
        .start_sign_in(
            relay.flow,
            &request.username,
            &request.password,
            state.now(),
        )
        .await?;
    answer(&state, step).await
}

#[utoipa::path(post, path = "/v1/session/new-password", tag = "session",
    request_body = NewPasswordAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn new_password(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<NewPasswordAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    if request.new_password != request.confirm {
        return Err(AuthError::PasswordsDiffer.into());
    }
    let pending = resume(request.challenge, ChallengeKind::NewPassword);
    let step = state
        .sign_in
        .pool
        .answer_new_password(&pending, &request.new_password, state.now())
        .await?;
    answer(&state, step).await
}

#[utoipa::path(post, path = "/v1/session/totp", tag = "session", request_body = CodeAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn totp(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CodeAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    let pending = resume(request.challenge, ChallengeKind::Totp);
    let step = state
        .sign_in
        .pool
        .answer_totp(&pending, &request.code, state.now())
        .await?;
    answer(&state, step).await
}

#[utoipa::path(post, path = "/v1/session/mfa-setup", tag = "session", request_body = CodeAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody)))]
pub async fn mfa_setup(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CodeAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    let mut pending = resume(request.challenge, ChallengeKind::MfaSetup);
    let step = state
        .sign_in
        .pool
        .finish_mfa_setup(&mut pending, &request.code, state.now())
        .await?;
    answer(&state, step).await
}

#[utoipa::path(post, path = "/v1/session/refresh", tag = "session", request_body = RefreshRequest,
    responses((status = 200, body = SessionAnswer), (status = 401, body = chartdesk_api::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> ApiResult<Json<SessionAnswer>> {
    let session = state
        .sign_in
        .pool
        .refresh(&request.username, &request.refresh_token, state.now())
        .await?;
    Ok(Json(signed_in(&state, session)))
}

#[utoipa::path(post, path = "/v1/session/sign-out", tag = "session", request_body = SignOutRequest,
    responses((status = 204, description = "the refresh token is revoked (best effort)")))]
pub async fn sign_out(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<SignOutRequest>,
) -> StatusCode {
    state.sign_in.pool.revoke(&request.refresh_token).await;
    StatusCode::NO_CONTENT
}

fn resume(challenge: ChallengeToken, kind: ChallengeKind) -> PendingChallenge {
    PendingChallenge::resume(challenge.username, kind, challenge.session)
}

fn token_of(pending: &PendingChallenge) -> Option<ChallengeToken> {
    Some(ChallengeToken {
        username: pending.username.clone(),
        session: pending.session().to_string(),
    })
}

/// A sign-in step as the page needs it: the same `SignInResult` the window gets.
async fn answer(state: &AppState, step: SignInStep) -> ApiResult<Json<SessionAnswer>> {
    let (result, challenge) = match step {
        SignInStep::SignedIn(session) => return Ok(Json(signed_in(state, session))),
        SignInStep::NewPasswordRequired(pending) => (
            SignInResult::NewPasswordRequired {
                username: pending.username.clone(),
                rules: password_policy(state).await.rules(),
            },
            token_of(&pending),
        ),
        SignInStep::TotpRequired(pending) => (
            SignInResult::TotpRequired {
                username: pending.username.clone(),
            },
            token_of(&pending),
        ),
        SignInStep::MfaSetupRequired(mut pending) => {
            let enrolment = state.sign_in.pool.begin_mfa_setup(&mut pending).await?;
            (
                SignInResult::MfaSetupRequired {
                    username: pending.username.clone(),
                    secret: enrolment.secret,
                    qr_svg: enrolment.qr_svg,
                },
                token_of(&pending),
            )
        }
    };
    Ok(Json(SessionAnswer {
        result,
        challenge,
        tokens: None,
    }))
}

fn signed_in(state: &AppState, session: Session) -> SessionAnswer {
    let expires_in = (session.expires_at - state.now()).whole_seconds().max(0);
    SessionAnswer {
        result: SignInResult::SignedIn {
            user: SignedInUser {
                roles_label: roles_label(&session.roles),
                username: session.username,
                roles: session.roles,
                locked: false,
            },
        },
        challenge: None,
        tokens: Some(IssuedTokens {
            access_token: session.tokens.access_token,
            id_token: session.tokens.id_token,
            refresh_token: session.tokens.refresh_token,
            expires_in_seconds: u64::try_from(expires_in).unwrap_or(0),
        }),
    }
}

/// The pool's rules once read; Cognito's defaults when they cannot be read (Cognito still has
/// the final word on the password itself).
async fn password_policy(state: &AppState) -> PasswordPolicy {
    *state
        .sign_in
        .policy
        .get_or_init(|| async {
            state
                .sign_in
                .pool
                .password_policy()
                .await
                .unwrap_or_default()
        })
        .await
}
