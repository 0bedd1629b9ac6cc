//! A loopback TCP proxy in front of the local cloud that a test can cut and restore: the
//! network dropping, without stopping the shared moto the other tests use.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

pub struct NetworkSwitch {
    pub endpoint: String,
    up: Arc<AtomicBool>,
    _task: tokio::task::JoinHandle<()>,
}

impl NetworkSwitch {
    /// Forwards a fresh loopback port to `target` (`http://127.0.0.1:PORT`).
    pub async fn start(target: &str) -> Self {
        let target = target.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let up = Arc::new(AtomicBool::new(true));
        let open = up.clone();
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
        Self {
            endpoint,
            up,
            _task: task,
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
