//! A loopback HTTP/1.1 proxy that counts request lines and can add a network's round trip:
//! the bench's stand-in for the distance between a ward PC, the records server and S3
//! (issue 25 item 5). Each request waits one round trip before it is forwarded, and a new
//! connection one more (TCP's handshake; TLS would add one or two, not modelled), so the
//! figures show how many round trips sit on the path a user waits on. `BENCH_PROXY_TRACE=1`
//! prints them as a timeline (`trace`): each request line, and each answer whose status line
//! starts a read (most do; one behind a kept-alive body may not show).

use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[derive(Default)]
pub struct Counts {
    /// Requests the client sent (to the server, or presigned straight to S3).
    pub client: AtomicUsize,
    /// Requests the server itself sent to S3 and Cognito.
    pub server: AtomicUsize,
    /// Bytes the server sent and received on its own connections (a connection carries one
    /// process's requests, so one presigned request marks it the client's).
    pub server_sent: AtomicUsize,
    pub server_received: AtomicUsize,
}

/// With `BENCH_PROXY_TRACE` set, a line on stderr: ms since the first such line, then `what`.
/// Each request line and each answer's status through the proxies is one, so a row's round
/// trips read as a timeline (which wait on which, where the gaps are).
pub fn trace(what: std::fmt::Arguments<'_>) {
    static FIRST: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    if tracing() {
        let since = FIRST.get_or_init(std::time::Instant::now).elapsed();
        eprintln!("trace {} {what}", since.as_millis());
    }
}

fn tracing() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var("BENCH_PROXY_TRACE").is_ok_and(|v| v == "1"))
}

fn whose_name(whose: u8) -> &'static str {
    match whose {
        SERVERS => "server",
        CLIENTS => "client",
        _ => "unknown",
    }
}

/// Whose a connection is, from its first request: not known yet, the server's, the client's.
const UNKNOWN: u8 = 0;
const SERVERS: u8 = 1;
const CLIENTS: u8 = 2;

/// Round trips added per request: requests carrying a query signature (a client's presigned
/// request) cross the client's network, the rest the hop the proxy stands for.
#[derive(Clone, Copy, Default)]
pub struct Latency {
    pub client: Duration,
    pub hop: Duration,
}

impl Latency {
    pub const NONE: Self = Self {
        client: Duration::ZERO,
        hop: Duration::ZERO,
    };
}

/// A proxy to `upstream` (`host:port`); `split_presigned` counts (and delays) presigned
/// requests as the client's and the rest as the server's; otherwise every request is the
/// client's. Returns the proxy's `http://` address.
pub async fn start(
    upstream: String,
    counts: Arc<Counts>,
    split_presigned: bool,
    latency: Latency,
) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let request_line =
        regex::bytes::Regex::new(r"(?m)^(GET|HEAD|POST|PUT|DELETE|PATCH) (\S+) HTTP/1\.1\r$")
            .expect("regex");
    tokio::spawn(async move {
        // Connections numbered for the trace, so an answer can be matched to its request.
        let mut connection = 0usize;
        while let Ok((mut client, _)) = listener.accept().await {
            connection += 1;
            let (upstream, counts, request_line) =
                (upstream.clone(), counts.clone(), request_line.clone());
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else {
                    return;
                };
                let (mut from_client, mut to_client) = client.split();
                let (mut from_server, mut to_server) = server.split();
                let owner = AtomicU8::new(UNKNOWN);
                let up = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    let mut first = true;
                    while let Ok(n) = from_client.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let mut wait = Duration::ZERO;
                        for m in request_line.captures_iter(&buf[..n]) {
                            let presigned = m[2].windows(16).any(|w| w == b"X-Amz-Signature=");
                            let clients = !split_presigned || presigned;
                            let whose = if clients { CLIENTS } else { SERVERS };
                            let _ = owner.compare_exchange(
                                UNKNOWN,
                                whose,
                                Ordering::SeqCst,
                                Ordering::SeqCst,
                            );
                            let counted = if clients {
                                &counts.client
                            } else {
                                &counts.server
                            };
                            counted.fetch_add(1, Ordering::SeqCst);
                            if tracing() {
                                let path = String::from_utf8_lossy(&m[2]);
                                let path = path.split('?').next().unwrap_or_default();
                                let method = String::from_utf8_lossy(&m[1]);
                                trace(format_args!(
                                    "c{connection} {} {method} {path}",
                                    whose_name(whose)
                                ));
                            }
                            let rtt = if clients && split_presigned {
                                latency.client
                            } else {
                                latency.hop
                            };
                            wait = wait.max(if first { rtt * 2 } else { rtt });
                            first = false;
                        }
                        if !wait.is_zero() {
                            tokio::time::sleep(wait).await;
                        }
                        if owner.load(Ordering::SeqCst) == SERVERS {
                            counts.server_sent.fetch_add(n, Ordering::SeqCst);
                        }
                        if to_server.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_server.shutdown().await;
                };
                let down = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = from_server.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        if owner.load(Ordering::SeqCst) == SERVERS {
                            counts.server_received.fetch_add(n, Ordering::SeqCst);
                        }
                        if let Some(status) =
                            buf[..n].strip_prefix(b"HTTP/1.1 ").filter(|_| tracing())
                        {
                            let whose = whose_name(owner.load(Ordering::SeqCst));
                            let status = String::from_utf8_lossy(&status[..status.len().min(3)]);
                            trace(format_args!("c{connection} {whose} answered {status}"));
                        }
                        if to_client.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = to_client.shutdown().await;
                };
                let _ = tokio::join!(up, down);
            });
        }
    });
    address
}
