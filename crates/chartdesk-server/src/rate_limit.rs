//! Limits on the browser's sign-in relay (`/v1/session*`, review M9): it faces the internet,
//! and Cognito sees only this server's address, so its own per-IP protection cannot help.
//! - per user name: 10 failed attempts (wrong password, wrong code) in 15 minutes;
//! - per client address: 60 failures in 10 minutes, and 120 attempts of any kind a minute.
//!
//! Successful sign-ins never count against the user name, and the address limits sit far above
//! what a hospital's shared (NAT) address sees at a shift change, so staff do not meet them; a
//! password spray or a TOTP guesser does. The counts live in this process: on Lambda each
//! instance counts on its own (an attacker spread over instances gets a few times the limit),
//! which is why API Gateway also throttles these routes (infra/template.yaml, infra/README.md).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use time::{Duration, OffsetDateTime};

use crate::error::ApiError;

/// Past this many keys the ones with no hit in their window are dropped (then all): a flood of
/// made-up user names cannot exhaust memory.
const MAX_KEYS: usize = 50_000;

#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub limit: usize,
    pub window: Duration,
}

pub const PER_USER_FAILURES: Rule = Rule {
    limit: 10,
    window: Duration::minutes(15),
};
pub const PER_ADDRESS_FAILURES: Rule = Rule {
    limit: 60,
    window: Duration::minutes(10),
};
pub const PER_ADDRESS_ATTEMPTS: Rule = Rule {
    limit: 120,
    window: Duration::minutes(1),
};

/// The times of recent hits per key, oldest first (at most `limit` kept per key).
struct Log {
    rule: Rule,
    hits: Mutex<HashMap<String, VecDeque<OffsetDateTime>>>,
}

impl Log {
    fn new(rule: Rule) -> Self {
        Self {
            rule,
            hits: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, VecDeque<OffsetDateTime>>> {
        self.hits
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long until one more hit is allowed; `None`: allowed now.
    fn wait(&self, key: &str, now: OffsetDateTime) -> Option<Duration> {
        let hits = self.lock();
        let recent = hits.get(key)?;
        let in_window: Vec<_> = recent
            .iter()
            .filter(|t| **t <= now && now - **t < self.rule.window)
            .collect();
        if in_window.len() < self.rule.limit {
            return None;
        }
        let oldest = **in_window.first()?;
        Some(oldest + self.rule.window - now)
    }

    fn record(&self, key: &str, now: OffsetDateTime) {
        let mut hits = self.lock();
        if hits.len() >= MAX_KEYS && !hits.contains_key(key) {
            let window = self.rule.window;
            hits.retain(|_, times| times.back().is_some_and(|t| now - *t < window));
            if hits.len() >= MAX_KEYS {
                hits.clear();
            }
        }
        let times = hits.entry(key.to_string()).or_default();
        times.push_back(now);
        while times.len() > self.rule.limit {
            times.pop_front();
        }
    }
}

pub struct SignInLimits {
    per_user: Log,
    per_address_failures: Log,
    per_address_attempts: Log,
}

impl Default for SignInLimits {
    fn default() -> Self {
        Self::new(
            PER_USER_FAILURES,
            PER_ADDRESS_FAILURES,
            PER_ADDRESS_ATTEMPTS,
        )
    }
}

/// One sign-in step as the limits see it: who it names (if anyone) and where it came from.
pub struct Attempt {
    user: Option<String>,
    address: String,
}

impl SignInLimits {
    pub fn new(per_user: Rule, per_address_failures: Rule, per_address_attempts: Rule) -> Self {
        Self {
            per_user: Log::new(per_user),
            per_address_failures: Log::new(per_address_failures),
            per_address_attempts: Log::new(per_address_attempts),
        }
    }

    /// Lets a step through, or refuses it with the wait in staff words. Every step counts as
    /// an attempt from its address.
    pub fn admit(
        &self,
        user: Option<&str>,
        from: &ClientAddress,
        now: OffsetDateTime,
    ) -> Result<Attempt, ApiError> {
        let user = user.map(normalise).filter(|u| !u.is_empty());
        let address = from.key();
        if let Some(wait) = user.as_deref().and_then(|u| self.per_user.wait(u, now)) {
            return Err(too_many("for this user", wait));
        }
        let wait = [
            self.per_address_failures.wait(&address, now),
            self.per_address_attempts.wait(&address, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(wait) = wait {
            return Err(too_many("from this network address", wait));
        }
        self.per_address_attempts.record(&address, now);
        Ok(Attempt { user, address })
    }

    /// A refused password or code: counts against the user name and the address.
    pub fn failed(&self, attempt: &Attempt, now: OffsetDateTime) {
        if let Some(user) = &attempt.user {
            self.per_user.record(user, now);
        }
        self.per_address_failures.record(&attempt.address, now);
    }
}

/// User names are not case-sensitive in the pool (template: `CaseSensitive: false`).
fn normalise(user: &str) -> String {
    user.trim().to_lowercase()
}

fn too_many(whom: &str, wait: Duration) -> ApiError {
    let seconds = u64::try_from(wait.whole_seconds().max(1)).unwrap_or(1);
    let minutes = seconds.div_ceil(60);
    let when = if seconds < 60 {
        "in a minute".to_string()
    } else if minutes == 1 {
        "in 1 minute".to_string()
    } else {
        format!("in {minutes} minutes")
    };
    ApiError::TooManyAttempts {
        message: format!("Too many sign-in attempts {whom}. Try again {when}."),
        retry_after_seconds: seconds,
    }
}

/// Where a request came from: on Lambda the address API Gateway saw (its request context's
/// `sourceIp`), as a plain process the socket's peer. `X-Forwarded-For` is never read: any
/// client can write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    fn key(&self) -> String {
        match self.0 {
            Some(ip) => ip.to_string(),
            // In-process tests and unknown transports share one bucket.
            None => "unknown".into(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        use lambda_http::request::RequestContext;
        use lambda_http::RequestExt;
        let from_gateway = match parts.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
            Some(RequestContext::ApiGatewayV1(context)) => context.identity.source_ip.clone(),
            _ => None,
        };
        let ip = from_gateway
            .and_then(|ip| ip.parse::<IpAddr>().ok())
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|c| c.0.ip())
            });
        Ok(Self(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
    }

    fn from(ip: &str) -> ClientAddress {
        ClientAddress(Some(ip.parse().unwrap()))
    }

    fn refusal(e: ApiError) -> (String, u64) {
        match e {
            ApiError::TooManyAttempts {
                message,
                retry_after_seconds,
            } => (message, retry_after_seconds),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ten_failures_for_a_user_refuse_the_eleventh_attempt_until_the_first_is_15_minutes_old() {
        let limits = SignInLimits::default();
        for i in 0..10 {
            let attempt = limits
                .admit(Some("Dr.Okafor"), &from("10.0.0.1"), at(i))
                .unwrap();
            limits.failed(&attempt, at(i));
        }
        // Another address, another spelling of the name: still this user.
        let err = limits
            .admit(Some(" dr.okafor "), &from("10.0.0.2"), at(60))
            .err()
            .unwrap();
        let (message, wait) = refusal(err);
        assert_eq!(wait, 15 * 60 - 60);
        assert_eq!(
            message,
            "Too many sign-in attempts for this user. Try again in 14 minutes."
        );
        assert!(limits
            .admit(Some("dr.okafor"), &from("10.0.0.2"), at(899))
            .is_err());
        assert!(limits
            .admit(Some("dr.okafor"), &from("10.0.0.2"), at(900))
            .is_ok());
        // Someone else is not held up.
        assert!(limits
            .admit(Some("nurse.hughes"), &from("10.0.0.1"), at(60))
            .is_ok());
    }

    #[test]
    fn successful_attempts_never_count_against_the_user() {
        let limits = SignInLimits::default();
        for i in 0..100 {
            let who = from(&format!("10.0.{}.{}", i / 200, i % 200));
            limits.admit(Some("dr.okafor"), &who, at(i)).unwrap();
        }
    }

    #[test]
    fn one_address_spraying_many_users_is_stopped_after_60_failures() {
        let limits = SignInLimits::default();
        let spray = from("203.0.113.9");
        for i in 0..60 {
            let attempt = limits
                .admit(Some(&format!("user{i}")), &spray, at(i))
                .unwrap();
            limits.failed(&attempt, at(i));
        }
        let (message, wait) = refusal(limits.admit(Some("user99"), &spray, at(60)).err().unwrap());
        assert_eq!(wait, 600 - 60);
        assert!(message.contains("from this network address"), "{message}");
        // Staff behind another address are not affected.
        assert!(limits
            .admit(Some("user99"), &from("198.51.100.1"), at(60))
            .is_ok());
    }

    #[test]
    fn an_address_flooding_the_relay_waits_for_the_minute_to_pass() {
        let limits = SignInLimits::default();
        let flood = from("203.0.113.10");
        for _ in 0..120 {
            limits.admit(None, &flood, at(0)).unwrap();
        }
        let (message, wait) = refusal(limits.admit(None, &flood, at(30)).err().unwrap());
        assert_eq!(wait, 30);
        assert_eq!(
            message,
            "Too many sign-in attempts from this network address. Try again in a minute."
        );
        assert!(limits.admit(None, &flood, at(60)).is_ok());
    }

    async fn address_of(request: axum::http::Request<()>) -> ClientAddress {
        let (mut parts, ()) = request.into_parts();
        ClientAddress::from_request_parts(&mut parts, &())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn the_address_is_api_gateways_source_ip_or_the_peer_never_x_forwarded_for() {
        use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext;
        use lambda_http::request::RequestContext;
        use lambda_http::RequestExt;

        let mut context = ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some("203.0.113.7".into());
        let on_lambda = axum::http::Request::builder()
            .header("x-forwarded-for", "10.9.9.9")
            .body(())
            .unwrap()
            .with_request_context(RequestContext::ApiGatewayV2(context));
        assert_eq!(address_of(on_lambda).await, from("203.0.113.7"));

        let mut local = axum::http::Request::builder()
            .header("x-forwarded-for", "10.9.9.9")
            .body(())
            .unwrap();
        let peer: SocketAddr = "192.0.2.4:50000".parse().unwrap();
        local.extensions_mut().insert(ConnectInfo(peer));
        assert_eq!(address_of(local).await, from("192.0.2.4"));

        let unknown = axum::http::Request::builder()
            .header("x-forwarded-for", "10.9.9.9")
            .body(())
            .unwrap();
        assert_eq!(address_of(unknown).await, ClientAddress(None));
    }

    #[test]
    fn memory_stays_bounded_under_made_up_names() {
        let log = Log::new(PER_USER_FAILURES);
        for i in 0..(MAX_KEYS + 10) {
            log.record(&format!("u{i}"), at(0));
        }
        assert!(log.lock().len() <= MAX_KEYS);
    }
}
