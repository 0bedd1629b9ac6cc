//! A loopback TCP proxy in front of the local cloud that a test can cut and restore: the
//! network dropping, without stopping the shared moto the other tests use.

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

pub struct NetworkSwitch {
    /// In front of `target` (the local cloud: Cognito, and S3 for the admin's checks).
    pub endpoint: String,
    /// In front of the records server; cut and restored with the cloud.
    pub server_url: String,
    up: watch::Sender<bool>,
    _tasks: [tokio::task::JoinHandle<()>; 2],
}

impl NetworkSwitch {
    /// Forwards a fresh loopback port to `target` (`http://127.0.0.1:PORT`), and another to the
    /// shared records server.
    pub async fn start(target: &str) -> Self {
        let up = watch::Sender::new(true);
        let (endpoint, cloud) = forward(target, up.subscribe()).await;
        let (server_url, server) =
            forward(&crate::local_cloud::cloud().server_url, up.subscribe()).await;
        Self {
            endpoint,
            server_url,
            up,
            _tasks: [cloud, server],
        }
    }

    /// New connections are refused and open ones are dropped: an open connection's task is
    /// woken by the cut itself, so nothing sent after this returns gets through (a pooled
    /// keep-alive connection used at once included).
    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

async fn forward(target: &str, up: watch::Receiver<bool>) -> (String, tokio::task::JoinHandle<()>) {
    let target = target.trim_start_matches("http://").to_string();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            if !*up.borrow() {
                drop(client); // connection reset: the network is down
                continue;
            }
            let target = target.clone();
            let mut up = up.clone();
            tokio::spawn(async move {
                let Ok(mut server) = TcpStream::connect(&target).await else {
                    return;
                };
                // Biased: once cut, bytes waiting on either side are dropped, not forwarded.
                tokio::select! {
                    biased;
                    _ = up.wait_for(|up| !up) => {}
                    _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                }
            });
        }
    });
    (endpoint, task)
}

/// Services as the desktop builds them (kernel keyring, a cache folder of the test's own),
/// reaching the local cloud through `switch`, signed in as the demo user `user`. `profile`
/// names keychain entries apart from other tests'.
pub async fn signed_in_via(
    switch: &NetworkSwitch,
    cache: &std::path::Path,
    profile: &str,
    user: &str,
) -> chartdesk::Services {
    let mut p = crate::local_cloud::cloud().profile();
    p.endpoint = Some(switch.endpoint.clone());
    p.server_url = Some(switch.server_url.clone());
    p.name = profile.to_string();
    p.keychain = chartdesk::auth::KeychainBackend::Keyutils;
    let s = chartdesk::Services::new(p, chartdesk::services::system_clock())
        .await
        .with_cache_dir(cache.to_path_buf());
    let password = &crate::local_cloud::cloud()
        .report
        .users
        .iter()
        .find(|u| u.username == user)
        .unwrap()
        .password;
    s.sign_in(user, password).await.unwrap();
    s
}
