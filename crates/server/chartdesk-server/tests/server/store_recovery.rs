//! A server outlives a network blip: with S3 gone, a request says the store cannot be reached;
//! once S3 is back, the next request reaches it again (a real server process, and a real moto
//! stopped and started again on the same port; Cognito stays on the shared cloud).

use chartdesk_sandbox::SANDBOX_BUCKET;

use crate::harness::{free_port, moto_on, start_server, store_at, token, Killed};

async fn s3_on(port: u16) -> Killed {
    let moto = moto_on(port);
    let endpoint = format!("http://127.0.0.1:{port}");
    store_at(&endpoint, SANDBOX_BUCKET, "admin", "admin")
        .await
        .ensure_bucket()
        .await
        .unwrap();
    moto
}

#[tokio::test]
async fn after_s3_was_unreachable_the_next_request_reaches_it_again() {
    let port = free_port();
    let mut s3 = s3_on(port).await;
    let s3_url = format!("http://127.0.0.1:{port}");
    let (_server, url) = start_server(&[("AWS_ENDPOINT_URL_S3", &s3_url)]);
    let t = token("dr.okafor").await;
    let http = reqwest::Client::new();
    let find = || async {
        http.get(format!("{url}/v1/patients?q=9434765919"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .status()
    };
    // This bucket holds no patients: an answer from S3 is "not found".
    assert_eq!(find().await, 404, "S3 reached");
    s3.0.kill().unwrap();
    s3.0.wait().unwrap();
    assert_eq!(find().await, 503, "S3 gone: the store cannot be reached");
    let _s3 = s3_on(port).await;
    assert_eq!(
        find().await,
        404,
        "S3 back: the request reaches it, not a remembered 'offline'"
    );
}
