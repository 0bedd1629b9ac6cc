//! Limits on the browser's sign-in relay (`/v1/session*`, review M9): it faces the internet,
//! and Cognito sees only this server's address, so its own per-IP protection cannot help.
//! - per user name: 10 failed attempts (wrong password, wrong code) in 15 minutes;
//! - per client address: 60 failures in 10 minutes, and 120 attempts of any kind a minute.
//!
//! A step is counted against the user name and the address when it is admitted, and refunded
//! once the pool has answered that it was not a refused password or code: guesses sent at once
//! cannot all pass a check none of them has counted in yet. An IPv6 client is counted by its
//! /64 (one subscriber's block: a new address from it is free to pick).
//!
//! Successful sign-ins never count against the user name, and the address limits sit far above
//! what a hospital's shared (NAT) address sees at a shift change, so staff do not meet them; a
//! password spray or a TOTP guesser does. The counts live in this process: on Lambda each
//! instance counts on its own (an attacker spread over instances gets a few times the limit),
//! which is why API Gateway also throttles these routes (infra/template.yaml, infra/README.md).

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use time::{Duration, OffsetDateTime};

use crate::error::ApiError;

mod hit_log;

use hit_log::{HitLog, Ticket};

/// Past this many keys per rule, the ones that matter least are dropped (hit_log.rs): a flood
/// of made-up user names cannot exhaust memory.
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

pub struct SignInLimits {
    per_user: HitLog,
    per_address_failures: HitLog,
    per_address_attempts: HitLog,
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

/// One admitted sign-in step: the failures it reserved until the pool answers.
#[must_use = "refund the attempt unless the pool refused the password or code"]
pub struct Attempt {
    user: Option<(String, Ticket)>,
    address: String,
    address_failure: Option<Ticket>,
}

impl SignInLimits {
    pub fn new(per_user: Rule, per_address_failures: Rule, per_address_attempts: Rule) -> Self {
        Self {
            per_user: HitLog::new(per_user, MAX_KEYS),
            per_address_failures: HitLog::new(per_address_failures, MAX_KEYS),
            per_address_attempts: HitLog::new(per_address_attempts, MAX_KEYS),
        }
    }

    /// Lets a step through, or refuses it with the wait in staff words. Every step counts as
    /// an attempt from its address; a step naming a user (a password or a code) also counts,
    /// until refunded, as a failure for the user name and the address.
    pub fn admit(
        &self,
        user: Option<&str>,
        from: &ClientAddress,
        now: OffsetDateTime,
    ) -> Result<Attempt, ApiError> {
        let user = user.map(normalise).filter(|u| !u.is_empty());
        let address = from.key();
        let user = match user {
            Some(name) => match self.per_user.reserve(&name, now) {
                Ok(ticket) => Some((name, ticket)),
                Err(wait) => return Err(too_many("for this user", wait)),
            },
            None => None,
        };
        let failure = match &user {
            Some(_) => self.per_address_failures.reserve(&address, now).map(Some),
            // A refresh or a sign-out is no guess, but an address held for guessing waits too.
            None => self
                .per_address_failures
                .wait(&address, now)
                .map_or(Ok(None), Err),
        };
        let attempt = self.per_address_attempts.reserve(&address, now);
        let admitted = Attempt {
            user,
            address_failure: failure.as_ref().ok().copied().flatten(),
            address,
        };
        let wait = match (failure, attempt) {
            (Ok(_), Ok(_)) => return Ok(admitted),
            (failure, attempt) => {
                if let Ok(ticket) = attempt {
                    self.per_address_attempts.refund(&admitted.address, ticket);
                }
                [failure.err(), attempt.err()].into_iter().flatten().max()
            }
        };
        self.refund(admitted);
        Err(too_many(
            "from this network address",
            wait.unwrap_or(Duration::ZERO),
        ))
    }

    /// The pool answered, and not with a refused password or code: the step is no failure.
    /// (A refused one needs nothing: it was counted when admitted.)
    pub fn refund(&self, attempt: Attempt) {
        if let Some((user, ticket)) = &attempt.user {
            self.per_user.refund(user, *ticket);
        }
        if let Some(ticket) = attempt.address_failure {
            self.per_address_failures.refund(&attempt.address, ticket);
        }
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
        match self.0.map(|ip| ip.to_canonical()) {
            // One subscriber gets a whole /64 and may use any address in it.
            Some(IpAddr::V6(ip)) => {
                let network = Ipv6Addr::from(u128::from(ip) & !(u128::MAX >> 64));
                format!("{network}/64")
            }
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
mod tests;
