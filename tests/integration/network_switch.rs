//! A loopback TCP proxy in front of the local cloud that a test can cut and restore: the
//! network dropping, without stopping the shared moto the other tests use.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

pub struct NetworkSwitch {
    /// In front of `target` (the local cloud: Cognito, and S3 for the admin's checks).
    pub endpoint: String,
    /// In front of the records server; cut and restored with the cloud.
    pub server_url: String,
    up: Arc<AtomicBool>,
    _tasks: [tokio::task::JoinHandle<()>; 2],
}

impl NetworkSwitch {
    /// Forwards a fresh loopback port to `target` (`http://127.0.0.1:PORT`), and another to the
    /// shared records server.
    pub async fn start(target: &str) -> Self {
        let up = Arc::new(AtomicBool::new(true));
        let (endpoint, cloud) = forward(target, up.clone()).await;
        let (server_url, server) =
            forward(&crate::local_cloud::cloud().server_url, up.clone()).await;
        Self {
            endpoint,
            server_url,
            up,
            _tasks: [cloud, server],
        }
    }

    /// New connections are refused and open ones are dropped.
    pub fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
    }

    pub fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

async fn forward(target: &str, up: Arc<AtomicBool>) -> (String, tokio::task::JoinHandle<()>) {
    {
        let target = target.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let open = up;
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !open.load(Ordering::SeqCst) {
                    drop(client); // connection reset: the network is down
                    continue;
                }
                let target = target.clone();
                let open = open.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = wait_until_cut(open) => {}
                    }
                });
            }
        });
        (endpoint, task)
    }
}

async fn wait_until_cut(open: Arc<AtomicBool>) {
    while open.load(Ordering::SeqCst) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
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
