//! Serves a live MPEG-TS stream to ordinary players over HTTP, on the
//! viewer's own machine: what `plateau watch TICKET --serve ADDR` opens.
//!
//! ```text
//!  push(piece) ──┬──> since the last keyframe ──┐
//!                ├──> broadcast ────────────────┴──> GET /live.ts   (VLC, mpv, ffplay)
//!                └──> Segmenter (1 s segments) ─────> GET /live.m3u8, /segment/N.ts (HLS)
//!                                                      GET /  (a page playing it with hls.js)
//! ```

mod hls;
mod page;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use tokio::sync::broadcast;

use hls::Segmenter;

/// How long open requests may finish when the gateway stops.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// Pieces a slow `/live.ts` client may fall behind before it skips.
const BACKLOG: usize = 1024;

struct Shared {
    /// The pieces since the last keyframe: a new client starts with them.
    since_start: Mutex<Vec<Bytes>>,
    live: broadcast::Sender<Bytes>,
    hls: Mutex<Segmenter>,
}

/// A running gateway. Dropping it stops serving.
pub struct Gateway {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Gateway {
    /// Listens on `addr` (TCP) and serves what [`Gateway::push`] gets.
    pub fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            since_start: Mutex::new(Vec::new()),
            live: broadcast::channel(BACKLOG).0,
            hls: Mutex::new(Segmenter::default()),
        });
        let app = axum::Router::new()
            .route("/", get(page::index))
            .route("/hls.light.min.js", get(page::player))
            .route("/live.ts", get(live_ts))
            .route("/live.m3u8", get(playlist))
            .route("/segment/{name}", get(segment))
            .with_state(shared.clone());
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let thread = std::thread::Builder::new().name("plateau-gateway".into()).spawn(move || {
            runtime.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                let mut asked = stopped.clone();
                let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                    let _ = asked.changed().await;
                });
                // A /live.ts client never ends its request by itself: after a
                // second of grace the server stops with whatever is open.
                let mut asked = stopped;
                let deadline = async move {
                    let _ = asked.changed().await;
                    tokio::time::sleep(SHUTDOWN_GRACE).await;
                };
                tokio::select! {
                    result = serve => {
                        if let Err(e) = result {
                            tracing::warn!(error = %e, "the gateway stopped");
                        }
                    }
                    _ = deadline => {}
                }
            })
        })?;
        tracing::info!(%addr, "serving the live stream");
        Ok(Self { shared, addr, stop: Some(stop), thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Takes the next piece of the stream; `starts` when a keyframe begins
    /// it; `capture_us` is when the broadcaster cut it.
    pub fn push(&self, piece: &[u8], starts: bool, capture_us: u64) {
        let piece = Bytes::copy_from_slice(piece);
        lock(&self.shared.hls).push(&piece, starts, capture_us);
        let mut since_start = lock(&self.shared.since_start);
        if starts {
            since_start.clear();
        }
        since_start.push(piece.clone());
        // Sent under the lock: a client that subscribes in between gets
        // each piece exactly once.
        let _ = self.shared.live.send(piece);
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The endless stream, from the last keyframe on.
async fn live_ts(State(shared): State<Arc<Shared>>) -> Response {
    let (backlog, receiver) = {
        let since_start = lock(&shared.since_start);
        (since_start.clone(), shared.live.subscribe())
    };
    let first = futures_util::stream::iter(backlog.into_iter().map(Ok::<_, std::io::Error>));
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok(piece) => return Some((Ok(piece), receiver)),
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, "a /live.ts client fell behind");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let body = Body::from_stream(futures_util::StreamExt::chain(first, rest));
    ([(header::CONTENT_TYPE, "video/mp2t"), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

async fn playlist(State(shared): State<Arc<Shared>>) -> Response {
    match lock(&shared.hls).playlist() {
        Some(text) => (
            [(header::CONTENT_TYPE, "application/vnd.apple.mpegurl"), (header::CACHE_CONTROL, "no-store")],
            text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "the stream has not started yet\n").into_response(),
    }
}

async fn segment(State(shared): State<Arc<Shared>>, Path(name): Path<String>) -> Response {
    let found = name
        .strip_suffix(".ts")
        .and_then(|n| n.parse::<u64>().ok())
        .and_then(|n| lock(&shared.hls).segment(n));
    match found {
        Some(bytes) => ([(header::CONTENT_TYPE, "video/mp2t")], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "no such segment\n").into_response(),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
