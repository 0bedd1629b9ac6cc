//! Signed test tokens against a fixed key set (tests/fixtures): every way a token must be refused.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use base64::Engine;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use super::*;

const KEY_PEM: &str = include_str!("../../tests/fixtures/jwt-test-key.pem");
const JWKS: &str = include_str!("../../tests/fixtures/jwt-test-jwks.json");
const ISS: &str = "https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_test";
const CLIENT: &str = "test-client";
const NOW: i64 = 1_800_000_000;

fn now() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(NOW).unwrap()
}

fn claims() -> serde_json::Value {
    json!({
        "iss": ISS, "aud": CLIENT, "exp": NOW + 3600, "token_use": "id",
        "cognito:username": "dr.okafor", "cognito:groups": ["clinician"]
    })
}

fn sign(claims: &serde_json::Value, kid: &str) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(
        &header,
        claims,
        &EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A verifier over the fixture keys that counts how often it fetched them.
fn verifier() -> (TokenVerifier, Arc<AtomicUsize>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let counter = fetches.clone();
    let source: KeySource = Box::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok(serde_json::from_str::<JwkSet>(JWKS).unwrap()) })
    });
    (
        TokenVerifier::new(ISS.into(), CLIENT.into(), source),
        fetches,
    )
}

async fn verify(token: &str) -> Result<IdClaims, TokenError> {
    verifier().0.verify_id_token(token, now()).await
}

#[tokio::test]
async fn a_valid_token_yields_its_groups() {
    let c = verify(&sign(&claims(), "test-key-1")).await.unwrap();
    assert_eq!(c.groups, ["clinician"]);
}

#[tokio::test]
async fn alg_none_is_refused() {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let token = format!(
        "{}.{}.",
        enc.encode(r#"{"alg":"none","kid":"test-key-1"}"#),
        enc.encode(claims().to_string())
    );
    assert_eq!(verify(&token).await.unwrap_err(), TokenError::Malformed);
}

#[tokio::test]
async fn hs256_signed_with_the_public_key_is_refused() {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("test-key-1".into());
    let token = encode(
        &header,
        &claims(),
        &EncodingKey::from_secret(JWKS.as_bytes()),
    )
    .unwrap();
    assert_eq!(verify(&token).await.unwrap_err(), TokenError::Malformed);
}

#[tokio::test]
async fn an_unknown_kid_is_refetched_once_then_refused() {
    let (v, fetches) = verifier();
    for _ in 0..2 {
        v.verify_id_token(&sign(&claims(), "test-key-1"), now())
            .await
            .unwrap();
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "a known kid is served from the cache"
    );
    let err = v
        .verify_id_token(&sign(&claims(), "rotated-away"), now())
        .await;
    assert_eq!(err.unwrap_err(), TokenError::UnknownKey);
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        2,
        "an unknown kid refetches exactly once"
    );
}

#[tokio::test]
async fn unknown_kids_refetch_the_keys_at_most_once_a_minute() {
    let (v, fetches) = verifier();
    let at = |s: i64| OffsetDateTime::from_unix_timestamp(NOW + s).unwrap();
    v.verify_id_token(&sign(&claims(), "test-key-1"), at(0))
        .await
        .unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 1);
    // A flood of made-up kids within the minute: one refetch, then refused from the cache.
    for (i, s) in [0, 1, 30, 59].into_iter().enumerate() {
        let kid = format!("made-up-{i}");
        let err = v.verify_id_token(&sign(&claims(), &kid), at(s)).await;
        assert_eq!(err.unwrap_err(), TokenError::UnknownKey);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "one refetch per minute");
    // A minute on, a rotated key can be picked up again.
    let err = v
        .verify_id_token(&sign(&claims(), "made-up-9"), at(60))
        .await;
    assert_eq!(err.unwrap_err(), TokenError::UnknownKey);
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
    // Known keys keep working throughout, without a fetch.
    v.verify_id_token(&sign(&claims(), "test-key-1"), at(61))
        .await
        .unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_kid_that_cannot_be_cognitos_is_refused_without_a_fetch() {
    let (v, fetches) = verifier();
    for kid in ["", "a b", &"k".repeat(200), "../../etc"] {
        let err = v.verify_id_token(&sign(&claims(), kid), now()).await;
        assert_eq!(err.unwrap_err(), TokenError::Malformed, "{kid:?}");
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_expired_token_is_refused_beyond_the_leeway() {
    let mut c = claims();
    c["exp"] = json!(NOW - 61);
    assert_eq!(
        verify(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::Expired
    );
    c["exp"] = json!(NOW - 30);
    assert!(
        verify(&sign(&c, "test-key-1")).await.is_ok(),
        "30 s of skew is tolerated"
    );
}

#[tokio::test]
async fn wrong_issuer_audience_or_token_use_is_refused() {
    let mut c = claims();
    c["iss"] = json!("https://cognito-idp.eu-west-2.amazonaws.com/eu-west-2_other");
    assert_eq!(
        verify(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::Invalid
    );
    let mut c = claims();
    c["aud"] = json!("another-client");
    assert_eq!(
        verify(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::Invalid
    );
    let mut c = claims();
    c["token_use"] = json!("access");
    assert_eq!(
        verify(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::WrongUse
    );
}

#[tokio::test]
async fn one_flipped_bit_anywhere_in_the_payload_or_signature_is_refused() {
    let token = sign(&claims(), "test-key-1");
    let parts: Vec<&str> = token.split('.').collect();
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    for part in 1..=2 {
        let mut bytes = enc.decode(parts[part]).unwrap();
        bytes[5] ^= 0x01;
        let mut tampered: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
        tampered[part] = enc.encode(&bytes);
        let err = verify(&tampered.join(".")).await.unwrap_err();
        assert!(
            matches!(err, TokenError::Invalid | TokenError::Malformed),
            "part {part}: {err:?}"
        );
    }
}

fn access_claims() -> serde_json::Value {
    json!({
        "iss": ISS, "client_id": CLIENT, "exp": NOW + 3600, "token_use": "access",
        "sub": "0000-sub", "username": "dr.okafor", "cognito:groups": ["clinician"]
    })
}

async fn verify_access(token: &str) -> Result<AccessClaims, TokenError> {
    verifier().0.verify_access_token(token, now()).await
}

#[tokio::test]
async fn a_valid_access_token_yields_its_user_and_groups() {
    let c = verify_access(&sign(&access_claims(), "test-key-1"))
        .await
        .unwrap();
    assert_eq!(c.actor(), "dr.okafor");
    assert_eq!(c.roles(), vec![chartdesk_domain::Role::Clinician]);
}

#[tokio::test]
async fn an_id_token_is_refused_where_an_access_token_is_required() {
    let id = sign(&claims(), "test-key-1");
    assert!(verify_access(&id).await.is_err());
    // The ID path refuses an access token too (it carries no `aud` for our client).
    let access = sign(&access_claims(), "test-key-1");
    assert!(verify(&access).await.is_err());
}

#[tokio::test]
async fn an_access_token_for_another_app_client_is_refused() {
    let mut c = access_claims();
    c["client_id"] = json!("someone-elses-client");
    let token = sign(&c, "test-key-1");
    assert_eq!(
        verify_access(&token).await.unwrap_err(),
        TokenError::Invalid
    );
    c.as_object_mut().unwrap().remove("client_id");
    let token = sign(&c, "test-key-1");
    assert_eq!(
        verify_access(&token).await.unwrap_err(),
        TokenError::Invalid
    );
}

#[tokio::test]
async fn an_expired_or_foreign_issuer_access_token_is_refused() {
    let mut c = access_claims();
    c["exp"] = json!(NOW - 3600);
    assert_eq!(
        verify_access(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::Expired
    );
    let mut c = access_claims();
    c["iss"] = json!("https://cognito-idp.eu-west-2.amazonaws.com/other");
    assert_eq!(
        verify_access(&sign(&c, "test-key-1")).await.unwrap_err(),
        TokenError::Invalid
    );
}

#[tokio::test]
async fn while_no_keys_are_held_a_failed_fetch_is_retried_at_most_once_in_5_seconds() {
    let fetches = Arc::new(AtomicUsize::new(0));
    let pool_answers = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (counter, answers) = (fetches.clone(), pool_answers.clone());
    let source: KeySource = Box::new(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        let up = answers.load(Ordering::SeqCst);
        Box::pin(async move {
            if up {
                Ok(serde_json::from_str::<JwkSet>(JWKS).unwrap())
            } else {
                Err(TokenError::KeysUnavailable)
            }
        })
    });
    let v = TokenVerifier::new(ISS.into(), CLIENT.into(), source);
    let at = |s: i64| OffsetDateTime::from_unix_timestamp(NOW + s).unwrap();
    let token = sign(&claims(), "test-key-1");
    // A cold start while the pool's keys cannot be fetched: one fetch, then answers from memory.
    for s in [0, 0, 1, 4] {
        let err = v.verify_id_token(&token, at(s)).await.unwrap_err();
        assert_eq!(err, TokenError::KeysUnavailable, "at {s} s");
    }
    assert_eq!(
        fetches.load(Ordering::SeqCst),
        1,
        "one fetch in the first 5 s"
    );
    let err = v.verify_id_token(&token, at(5)).await.unwrap_err();
    assert_eq!(err, TokenError::KeysUnavailable);
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "tried again 5 s on");
    // Once the pool answers, the next try after the pause loads the keys.
    pool_answers.store(true, Ordering::SeqCst);
    assert!(v.verify_id_token(&token, at(9)).await.is_err());
    v.verify_id_token(&token, at(10)).await.unwrap();
    v.verify_id_token(&token, at(11)).await.unwrap();
    assert_eq!(fetches.load(Ordering::SeqCst), 3);
}
