//! The browser's sign-in, relayed to the user pool through the same code the desktop signs in
//! with (`chartdesk-signin`), so both show the same steps and the same words. Nothing is kept
//! here: a challenge's session string goes back to the page with the answer it needs, and the
//! tokens go to the page's memory.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use chartdesk_api::{
    AcceptedFileType, ChallengeToken, ClientConfig, CodeAnswer, IssuedTokens, NewPasswordAnswer,
    RefreshRequest, SessionAnswer, SignInRequest, SignOutRequest, UploadProtocol,
};
use chartdesk_domain::{
    break_glass_choices, roles_label, SignInResult, SignedInUser, PREOP_IMAGE_LIMIT,
};
use chartdesk_signin::{
    AuthError, ChallengeKind, PasswordPolicy, PendingChallenge, Session, SignInStep,
};

use crate::auth::bearer;
use crate::error::ApiResult;
use crate::json::ApiJson;
use crate::rate_limit::{Attempt, ClientAddress};
use crate::state::AppState;

#[utoipa::path(get, path = "/v1/client-config", tag = "session",
    responses((status = 200, body = ClientConfig)))]
pub async fn client_config(State(state): State<AppState>) -> Json<ClientConfig> {
    Json(ClientConfig {
        version: env!("CARGO_PKG_VERSION").to_string(),
        sandbox: state.local_cloud,
        idle_lock_seconds: state.web.idle_lock_seconds,
        break_glass_reasons: break_glass_choices(),
        mrn_pattern: state.mrn_format.pattern().to_string(),
        max_upload_bytes: state.max_upload_bytes,
        accepted_types: AcceptedFileType::all(),
        preop_image_limit: PREOP_IMAGE_LIMIT as u32,
        upload: UploadProtocol {
            multipart_threshold: state.multipart_threshold,
            ..UploadProtocol::current()
        },
    })
}

#[utoipa::path(post, path = "/v1/session", tag = "session", request_body = SignInRequest,
    responses((status = 200, body = SessionAnswer), (status = 401, body = chartdesk_api::ErrorBody),
        (status = 429, body = chartdesk_api::ErrorBody, description = "too many attempts; Retry-After says when to try again")))]
pub async fn sign_in(
    State(state): State<AppState>,
    from: ClientAddress,
    ApiJson(request): ApiJson<SignInRequest>,
) -> ApiResult<Json<SessionAnswer>> {
    let attempt = state
        .limits
        .admit(Some(&request.username), &from, state.now())?;
    let relay = &state.sign_in;
    let step = relay
        .pool
        .start_sign_in(
            relay.flow,
            &request.username,
            &request.password,
            state.now(),
        )
        .await;
    answer(&state, counted(&state, attempt, step)?).await
}

#[utoipa::path(post, path = "/v1/session/new-password", tag = "session",
    request_body = NewPasswordAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 429, body = chartdesk_api::ErrorBody)))]
pub async fn new_password(
    State(state): State<AppState>,
    from: ClientAddress,
    ApiJson(request): ApiJson<NewPasswordAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    let attempt = state
        .limits
        .admit(Some(&request.challenge.username), &from, state.now())?;
    if request.new_password != request.confirm {
        state.limits.refund(attempt);
        return Err(AuthError::PasswordsDiffer.into());
    }
    let pending = resume(request.challenge, ChallengeKind::NewPassword);
    let step = state
        .sign_in
        .pool
        .answer_new_password(&pending, &request.new_password, state.now())
        .await;
    answer(&state, counted(&state, attempt, step)?).await
}

#[utoipa::path(post, path = "/v1/session/totp", tag = "session", request_body = CodeAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 429, body = chartdesk_api::ErrorBody)))]
pub async fn totp(
    State(state): State<AppState>,
    from: ClientAddress,
    ApiJson(request): ApiJson<CodeAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    let attempt = state
        .limits
        .admit(Some(&request.challenge.username), &from, state.now())?;
    let pending = resume(request.challenge, ChallengeKind::Totp);
    let step = state
        .sign_in
        .pool
        .answer_totp(&pending, &request.code, state.now())
        .await;
    answer(&state, counted(&state, attempt, step)?).await
}

#[utoipa::path(post, path = "/v1/session/mfa-setup", tag = "session", request_body = CodeAnswer,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 429, body = chartdesk_api::ErrorBody)))]
pub async fn mfa_setup(
    State(state): State<AppState>,
    from: ClientAddress,
    ApiJson(request): ApiJson<CodeAnswer>,
) -> ApiResult<Json<SessionAnswer>> {
    let attempt = state
        .limits
        .admit(Some(&request.challenge.username), &from, state.now())?;
    let mut pending = resume(request.challenge, ChallengeKind::MfaSetup);
    let step = state
        .sign_in
        .pool
        .finish_mfa_setup(&mut pending, &request.code, state.now())
        .await;
    answer(&state, counted(&state, attempt, step)?).await
}

#[utoipa::path(post, path = "/v1/session/refresh", tag = "session", request_body = RefreshRequest,
    responses((status = 200, body = SessionAnswer), (status = 400, body = chartdesk_api::ErrorBody),
        (status = 401, body = chartdesk_api::ErrorBody), (status = 429, body = chartdesk_api::ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    from: ClientAddress,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> ApiResult<Json<SessionAnswer>> {
    // A refresh proves a session, not a password: only the address limits apply.
    let _not_a_guess = state.limits.admit(None, &from, state.now())?;
    let session = state
        .sign_in
        .pool
        .refresh(&request.username, &request.refresh_token, state.now())
        .await?;
    Ok(Json(signed_in(&state, session)))
}

/// With the access token as a bearer token, the session ends everywhere the server checks it
/// (within a minute on every instance, at once on this one); without, the refresh token is
/// revoked (on Cognito with the access tokens issued from it). A bearer token that does not
/// verify is ignored; the refresh token is still revoked.
#[utoipa::path(post, path = "/v1/session/sign-out", tag = "session", request_body = SignOutRequest,
    responses((status = 204, description = "the session is ended (best effort)"),
        (status = 429, body = chartdesk_api::ErrorBody)))]
pub async fn sign_out(
    State(state): State<AppState>,
    from: ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignOutRequest>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    let _not_a_guess = state.limits.admit(None, &from, now)?;
    // A bearer that does not verify is ignored: anyone may call this route.
    let access = match bearer(&headers) {
        Some(access) if state.sessions.forget(&state.verifier, access, now).await => Some(access),
        _ => None,
    };
    state
        .sign_in
        .pool
        .sign_out(Some(&request.refresh_token), access)
        .await;
    Ok(StatusCode::NO_CONTENT)
}

/// A refused password or code keeps counting against the user name and the address, as it
/// did from its admission (rate_limit.rs); anything else (signed in, the next step, a weak new
/// password, an expired challenge, the pool unreachable) is refunded.
fn counted(
    state: &AppState,
    attempt: Attempt,
    step: Result<SignInStep, AuthError>,
) -> Result<SignInStep, AuthError> {
    let refused = matches!(
        &step,
        Err(AuthError::WrongCredentials
            | AuthError::WrongCode
            | AuthError::TooManyAttempts
            | AuthError::Disabled)
    );
    if !refused {
        state.limits.refund(attempt);
    }
    step
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
