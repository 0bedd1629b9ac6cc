//! The sign-in limits, by the injected clock.

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
        let _refused_by_the_pool = limits
            .admit(Some("Dr.Okafor"), &from("10.0.0.1"), at(i))
            .unwrap();
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
        let attempt = limits.admit(Some("dr.okafor"), &who, at(i)).unwrap();
        limits.refund(attempt);
    }
}

#[test]
fn one_address_spraying_many_users_is_stopped_after_60_failures() {
    let limits = SignInLimits::default();
    let spray = from("203.0.113.9");
    for i in 0..60 {
        let _refused_by_the_pool = limits
            .admit(Some(&format!("user{i}")), &spray, at(i))
            .unwrap();
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
        assert!(limits.admit(None, &flood, at(0)).is_ok());
    }
    let (message, wait) = refusal(limits.admit(None, &flood, at(30)).err().unwrap());
    assert_eq!(wait, 30);
    assert_eq!(
        message,
        "Too many sign-in attempts from this network address. Try again in a minute."
    );
    assert!(limits.admit(None, &flood, at(60)).is_ok());
}

#[test]
fn attempts_sent_at_once_for_one_user_are_refused_past_the_limit_before_any_answer() {
    let limits = SignInLimits::default();
    let barrier = std::sync::Barrier::new(15);
    let admitted: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..15)
            .map(|i| {
                let (limits, barrier) = (&limits, &barrier);
                s.spawn(move || {
                    barrier.wait();
                    let who = from(&format!("10.1.0.{i}"));
                    limits.admit(Some("dr.okafor"), &who, at(0)).is_ok()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(admitted.iter().filter(|ok| **ok).count(), 10);
    assert!(limits
        .admit(Some("dr.okafor"), &from("10.1.1.1"), at(1))
        .is_err());
}

#[test]
fn a_full_map_keeps_a_victims_count() {
    let limits = SignInLimits::default();
    for i in 0..10 {
        let _refused_by_the_pool = limits
            .admit(Some("victim"), &from("10.0.0.1"), at(i))
            .unwrap();
    }
    // A spread-out attacker tries more made-up names, once each, than the map holds.
    for i in 0..MAX_KEYS {
        let who = from(&format!(
            "10.{}.{}.{}",
            2 + i / 65_536,
            (i / 256) % 256,
            i % 256
        ));
        let _refused_by_the_pool = limits
            .admit(Some(&format!("made-up-{i}")), &who, at(20))
            .unwrap();
    }
    assert!(limits
        .admit(Some("victim"), &from("10.0.0.9"), at(30))
        .is_err());
}

#[test]
fn two_ipv6_addresses_in_one_64_share_a_count() {
    let limits = SignInLimits::default();
    for i in 0..60 {
        let _refused_by_the_pool = limits
            .admit(Some(&format!("user{i}")), &from("2001:db8:1:2::1"), at(i))
            .unwrap();
    }
    let err = limits
        .admit(Some("user99"), &from("2001:db8:1:2:ffff::9"), at(60))
        .err()
        .unwrap();
    assert!(refusal(err).0.contains("from this network address"));
    assert!(limits
        .admit(Some("user99"), &from("2001:db8:1:3::1"), at(60))
        .is_ok());
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
