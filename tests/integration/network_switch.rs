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
