//! USER_SRP_AUTH maths checked against an independent implementation: pycognito's SRP helpers
//! play Cognito's server half (moto's SRP never checks the password, and its SECRET_BLOCK is
//! not base64, so the exchange cannot be proven against it: ARCHITECTURE.md §7).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use chartdesk_signin::SrpAttempt;
use serde_json::{json, Value};

const POOL: &str = "eu-west-2_Ab12Cd34E";
const CLIENT: &str = "client-1";

fn python() -> PathBuf {
    let cache = std::env::var_os("CHARTDESK_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/chartdesk")))
        .unwrap();
    cache.join("venv/bin/python")
}

fn server(command: &str, payload: &Value) -> Value {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/srp/cognito_srp_server.py"
    );
    let out = Command::new(python())
        .args([script, command, &payload.to_string()])
        .output()
        .expect("python with pycognito (scripts/setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs one exchange: the server knows `server_password`, the client types `typed`.
fn exchange(server_password: &str, typed: &str) -> bool {
    let user_id = "a3b1c2d4-0000-4000-8000-000000000001";
    let challenge = server(
        "init",
        &json!({"pool_id": POOL, "user_id": user_id, "password": server_password}),
    );
    let attempt = SrpAttempt::new(POOL, CLIENT, "dr.okafor", typed);
    let a = attempt.public_a();
    let params: HashMap<String, String> = ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"]
        .iter()
        .map(|k| (k.to_string(), challenge[k].as_str().unwrap().to_string()))
        .collect();
    let answer: HashMap<_, _> = attempt.answer(&params).unwrap().into_iter().collect();
    assert_eq!(
        answer["PASSWORD_CLAIM_SECRET_BLOCK"],
        params["SECRET_BLOCK"]
    );
    let mut check = challenge.clone();
    check["A"] = json!(a);
    check["pool_id"] = json!(POOL);
    check["timestamp"] = json!(answer["TIMESTAMP"]);
    check["signature"] = json!(answer["PASSWORD_CLAIM_SIGNATURE"]);
    server("verify", &check)["match"].as_bool().unwrap()
}

#[test]
fn the_password_proof_matches_an_independent_srp_server() {
    assert!(exchange("Demo-Clinician-2026!", "Demo-Clinician-2026!"));
}

#[test]
fn a_wrong_password_gives_a_proof_the_server_rejects() {
    assert!(!exchange("Demo-Clinician-2026!", "Demo-Clinician-2027!"));
}

#[test]
fn the_timestamp_has_the_format_cognito_demands() {
    let attempt = SrpAttempt::new(POOL, CLIENT, "u", "p");
    let challenge = server(
        "init",
        &json!({"pool_id": POOL, "user_id": "u", "password": "p"}),
    );
    let params: HashMap<String, String> = ["SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"]
        .iter()
        .map(|k| (k.to_string(), challenge[k].as_str().unwrap().to_string()))
        .collect();
    let answer: HashMap<_, _> = attempt.answer(&params).unwrap().into_iter().collect();
    // e.g. "Mon Feb 3 18:30:12 UTC 2025": no leading zero on the day.
    let re =
        regex::Regex::new(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [1-9]\d? \d{2}:\d{2}:\d{2} UTC \d{4}$")
            .unwrap();
    assert!(re.is_match(&answer["TIMESTAMP"]), "{}", answer["TIMESTAMP"]);
}
