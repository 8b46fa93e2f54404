//! The fault server: one listener on 127.0.0.1 with one host name per misbehaviour
//! (`<case>.fault.test`, routed to it with `--resolve`), started once per test process on its
//! own runtime thread and shared by every case.
//!
//! Each connection's request head is peeked (not consumed) and its `Host` read. Faults below
//! HTTP (a reset in the middle of the body, a close before the status line, a black hole, noise
//! instead of a response) are played on the raw socket; every other connection is handed to
//! axum, whose handlers ([`super::hosts`]) stream their bodies lazily from bounded generators.
//!
//! Every loop here is bounded in count and time: the accept loop ([`MAX_CONNECTIONS`]), the
//! peek loop ([`PEEK_TRIES`]), held sockets ([`HOLD`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Connections accepted over the life of the test process, at most.
const MAX_CONNECTIONS: usize = 200_000;
/// Peeks at a request head before giving up on it (10 ms apart).
const PEEK_TRIES: usize = 100;
/// How long the black hole holds a connection without a word.
pub const HOLD: Duration = Duration::from_secs(60);

/// Suffix of every fault host.
pub const DOMAIN: &str = "fault.test";

/// What the server saw, per host: the requests (method and path) and the body bytes its
/// generators produced (to prove a huge body was streamed lazily and abandoned).
#[derive(Default)]
pub struct Seen {
    requests: Mutex<HashMap<String, Vec<(String, String)>>>,
    produced: Mutex<HashMap<String, Arc<AtomicU64>>>,
}

impl Seen {
    pub fn record(&self, host: &str, method: &str, path: &str) {
        if let Ok(mut m) = self.requests.lock() {
            m.entry(host.to_string())
                .or_default()
                .push((method.to_string(), path.to_string()));
        }
    }

    /// Requests `host` received, as (method, path).
    pub fn requests(&self, host: &str) -> Vec<(String, String)> {
        self.requests
            .lock()
            .map(|m| m.get(host).cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// The byte counter of `host`'s body generators.
    pub fn produced_counter(&self, host: &str) -> Arc<AtomicU64> {
        let mut m = self.produced.lock().expect("produced map");
        Arc::clone(m.entry(host.to_string()).or_default())
    }

    /// Body bytes `host`'s generators produced so far.
    pub fn produced(&self, host: &str) -> u64 {
        self.produced_counter(host).load(Ordering::Relaxed)
    }
}

/// The running server.
pub struct FaultServer {
    pub addr: SocketAddr,
    pub seen: Arc<Seen>,
}

impl FaultServer {
    /// `--resolve` arguments routing `hosts` (full names) here.
    pub fn resolve_args<S: AsRef<str>>(&self, hosts: &[S]) -> Vec<String> {
        hosts
            .iter()
            .flat_map(|h| {
                [
                    "--resolve".to_string(),
                    format!("{}={}", h.as_ref(), self.addr),
                ]
            })
            .collect()
    }
}

/// The full host name of a case.
pub fn host(case: &str) -> String {
    format!("{case}.{DOMAIN}")
}

/// The shared server, started on first use.
pub fn server() -> &'static FaultServer {
    static SERVER: OnceLock<FaultServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        // Built before the first request, which must not wait for it.
        super::hosts::gzip_bomb();
        let seen = Arc::new(Seen::default());
        let (tx, rx) = std::sync::mpsc::channel();
        let task_seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("fault server runtime");
            runtime.block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                tx.send(listener.local_addr().expect("addr"))
                    .expect("report address");
                serve(listener, task_seen).await;
            });
        });
        let addr = rx.recv().expect("fault server started");
        FaultServer { addr, seen }
    })
}

/// Accept connections: raw faults here, the rest to axum through [`Handed`].
async fn serve(listener: TcpListener, seen: Arc<Seen>) {
    let (tx, rx) = mpsc::channel::<(TcpStream, SocketAddr)>(1024);
    let router = super::hosts::router(Arc::clone(&seen));
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(Handed { rx, addr }, router).await;
    });
    for _ in 0..MAX_CONNECTIONS {
        let Ok((socket, peer)) = listener.accept().await else {
            continue;
        };
        let tx = tx.clone();
        let seen = Arc::clone(&seen);
        tokio::spawn(async move {
            let Some((head_len, host, path)) = peek_head(&socket).await else {
                return;
            };
            let case = host.strip_suffix(&format!(".{DOMAIN}")).unwrap_or("");
            if !matches!(case, "reset" | "close" | "blackhole" | "noise") {
                let _ = tx.send((socket, peer)).await;
                return;
            }
            seen.record(&host, "?", &path);
            raw_fault(case, socket, head_len).await;
        });
    }
}

/// Peek at the request head: its length, `Host` (without port) and path.
async fn peek_head(socket: &TcpStream) -> Option<(usize, String, String)> {
    let mut buf = vec![0u8; 8192];
    for _ in 0..PEEK_TRIES {
        let n = socket.peek(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&buf[..n]);
        if let Some(end) = text.find("\r\n\r\n") {
            let head = &text[..end];
            let path = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let host = head
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("host"))
                .map(|(_, v)| {
                    v.trim()
                        .split(':')
                        .next()
                        .unwrap_or("")
                        .to_ascii_lowercase()
                })
                .unwrap_or_default();
            return Some((end + 4, host, path));
        }
        if n == buf.len() {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    None
}

/// Misbehave below HTTP.
async fn raw_fault(case: &str, mut socket: TcpStream, head_len: usize) {
    let mut head = vec![0u8; head_len];
    if socket.read_exact(&mut head).await.is_err() {
        return;
    }
    match case {
        // The status line, headers promising 1 MiB and 64 KiB of it, then a TCP reset.
        "reset" => {
            let mut reply = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\
                Content-Length: 1048576\r\n\r\n<html><body>"
                .to_vec();
            reply.resize(reply.len() + 64 * 1024, b' ');
            let _ = socket.write_all(&reply).await;
            let _ = socket.flush().await;
            tokio::time::sleep(Duration::from_millis(50)).await;
            let _ = socket.set_zero_linger();
            drop(socket);
        }
        // The request is read, then the connection closed without a byte of answer.
        "close" => drop(socket),
        // Accepted, read, never answered.
        "blackhole" => {
            tokio::time::sleep(HOLD).await;
            drop(socket);
        }
        // 64 KiB of binary noise where the status line should be.
        "noise" => {
            let _ = socket.write_all(&super::hosts::noise(0, 64 * 1024)).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        _ => {}
    }
}

/// Connections handed over to axum.
struct Handed {
    rx: mpsc::Receiver<(TcpStream, SocketAddr)>,
    addr: SocketAddr,
}

impl axum::serve::Listener for Handed {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        match self.rx.recv().await {
            Some(conn) => conn,
            // The accept loop ended: nothing more will come.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.addr)
    }
}
