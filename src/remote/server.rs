//! The obs-websocket server: one WebSocket session per client, each
//! greeted, authenticated and then answered in the order it asks.
//!
//! ```text
//!  client ──ws──> session ──Call──> host (the window or headless run,
//!     ^             │  ^             on its own thread, with the studio)
//!     │             │  └── answer ───┘
//!     └── events ───┴── broadcast <── Server::emit / meters every 50 ms
//! ```
//!
//! The server never touches the studio: requests go to the host as
//! [`Call`]s, and the host tells the server what happened with
//! [`Server::emit`]. `Sleep` and `BroadcastCustomEvent` are answered here.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::{broadcast, watch};

use crate::remote::auth::Challenge;
use crate::remote::protocol::{
    decode, encode, status, subscription, CloseCode, Closing, Encoding, Execution, Failure, Frame, Incoming,
    Outgoing, Request, JSON_PROTOCOL, MSGPACK_PROTOCOL,
};

/// Messages larger than this close the session with 1009 "message too
/// big" (a request is a few hundred bytes)…
const MAX_MESSAGE: usize = 1 << 20;
/// …once read whole, up to this size; beyond it the link is cut while
/// the client still sends (it sees a reset, not a close frame).
const MAX_READ: usize = 4 << 20;
/// At most this many clients at once.
const MAX_CLIENTS: usize = 32;
/// A client has this long to identify itself.
const IDENTIFY_WITHIN: Duration = Duration::from_secs(10);
/// How often `InputVolumeMeters` go to those who asked for them.
const METERS_EVERY: Duration = Duration::from_millis(50);
/// How long a host may take to answer one request.
const ANSWER_WITHIN: Duration = Duration::from_secs(30);

/// How the server is set up.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: SocketAddr,
    /// Required of every client; never empty.
    pub password: String,
    /// The program's frame rate, for `Sleep` in frames.
    pub fps: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("remote control needs a password")]
    NoPassword,
    #[error("remote control cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
}

/// A request for the host to answer.
pub struct Call {
    pub request: Request,
    reply: async_channel::Sender<Result<Value, Failure>>,
}

impl Call {
    pub fn answer(self, result: Result<Value, Failure>) {
        let _ = self.reply.try_send(result);
    }
}

/// A connected client, as the settings page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: u64,
    pub addr: SocketAddr,
    pub identified: bool,
    pub msgpack: bool,
}

#[derive(Debug, Clone)]
struct Event {
    kind: String,
    intent: u32,
    data: Value,
}

struct Shared {
    password: String,
    frame: Duration,
    calls: async_channel::Sender<Call>,
    events: broadcast::Sender<Arc<Event>>,
    meters: Mutex<Vec<Value>>,
    clients: Mutex<HashMap<u64, (Client, watch::Sender<bool>)>>,
    next_id: AtomicU64,
    /// Wrong passwords per address: how many, and when the last one came.
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// A running server. Dropping it closes every session.
pub struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<watch::Sender<bool>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Listens on `options.bind`; requests go out on `calls`.
    pub fn start(options: Options, calls: async_channel::Sender<Call>) -> Result<Self, RemoteError> {
        if options.password.is_empty() {
            return Err(RemoteError::NoPassword);
        }
        let listen = |source| RemoteError::Listen { addr: options.bind, source };
        let listener = std::net::TcpListener::bind(options.bind).map_err(listen)?;
        listener.set_nonblocking(true).map_err(listen)?;
        let addr = listener.local_addr().map_err(listen)?;
        let shared = Arc::new(Shared {
            password: options.password,
            frame: Duration::from_secs(1) / options.fps.max(1),
            calls,
            events: broadcast::channel(1024).0,
            meters: Mutex::new(Vec::new()),
            clients: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            failures: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = watch::channel(false);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(listen)?;
        let app = axum::Router::new()
            .route("/", axum::routing::get(upgrade))
            .with_state((shared.clone(), stopped.clone()))
            .into_make_service_with_connect_info::<SocketAddr>();
        let thread = std::thread::Builder::new()
            .name("plateau-remote".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else { return };
                    let mut asked = stopped;
                    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
                        let _ = asked.changed().await;
                    });
                    if let Err(e) = serve.await {
                        tracing::warn!(error = %e, "remote control stopped");
                    }
                })
            })
            .map_err(listen)?;
        tracing::info!(%addr, "remote control listening");
        Ok(Self { shared, addr, stop: Some(stop), thread: Some(thread) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends an event to every identified client subscribed to `intent`.
    pub fn emit(&self, kind: &str, intent: u32, data: Value) {
        let _ = self.shared.events.send(Arc::new(Event { kind: kind.to_owned(), intent, data }));
    }

    /// The inputs' levels, as `InputVolumeMeters` lists them
    /// (`{inputName, inputUuid, inputLevelsMul}` each).
    pub fn set_meters(&self, inputs: Vec<Value>) {
        *lock(&self.shared.meters) = inputs;
    }

    pub fn clients(&self) -> Vec<Client> {
        let mut list: Vec<Client> = lock(&self.shared.clients).values().map(|(c, _)| c.clone()).collect();
        list.sort_by_key(|c| c.id);
        list
    }

    /// Closes a client's session (it may connect again).
    pub fn disconnect(&self, id: u64) -> bool {
        lock(&self.shared.clients).get(&id).is_some_and(|(_, kick)| kick.send(true).is_ok())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

async fn upgrade(
    ws: WebSocketUpgrade,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State((shared, stopped)): State<(Arc<Shared>, watch::Receiver<bool>)>,
) -> Response {
    ws.protocols([JSON_PROTOCOL, MSGPACK_PROTOCOL])
        .max_message_size(MAX_READ)
        .max_frame_size(MAX_READ)
        .on_upgrade(move |socket| Session::run(socket, peer, shared, stopped))
}

/// One client's connection.
struct Session {
    ws: WebSocket,
    id: u64,
    peer: SocketAddr,
    encoding: Encoding,
    shared: Arc<Shared>,
    /// The client's event subscriptions, once it has identified.
    subscriptions: Option<u32>,
}

enum Next {
    Go,
    Close(Closing),
    Gone,
}

impl Session {
    async fn run(ws: WebSocket, peer: SocketAddr, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
        let encoding = Encoding::from_protocol(ws.protocol().and_then(|p| p.to_str().ok()));
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        let (kick, mut kicked) = watch::channel(false);
        let client = Client { id, addr: peer, identified: false, msgpack: encoding == Encoding::Msgpack };
        let full = {
            let mut clients = lock(&shared.clients);
            let full = clients.len() >= MAX_CLIENTS;
            if !full {
                clients.insert(id, (client, kick));
            }
            full
        };
        let mut session = Session { ws, id, peer, encoding, shared: shared.clone(), subscriptions: None };
        if full {
            session.close(Closing::new(CloseCode::UnknownReason, "too many clients")).await;
            return;
        }
        tracing::info!(id, %peer, ?encoding, "remote client connected");
        session.serve(&mut stopped, &mut kicked).await;
        lock(&shared.clients).remove(&id);
        tracing::info!(id, %peer, "remote client left");
    }

    async fn serve(&mut self, stopped: &mut watch::Receiver<bool>, kicked: &mut watch::Receiver<bool>) {
        let challenge = Challenge::new();
        let hello =
            Outgoing::Hello { authentication: Some((challenge.challenge.clone(), challenge.salt.clone())) };
        if !self.send(&hello).await {
            return;
        }
        let mut events = self.shared.events.subscribe();
        let mut meters = tokio::time::interval(METERS_EVERY);
        meters.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let identify_by = tokio::time::sleep(IDENTIFY_WITHIN);
        tokio::pin!(identify_by);
        loop {
            let subscribed = self.subscriptions.unwrap_or(0);
            let next = tokio::select! {
                message = self.ws.recv() => match message {
                    Some(Ok(Message::Text(text))) => self.take(text.as_bytes(), false, &challenge).await,
                    Some(Ok(Message::Binary(bytes))) => self.take(&bytes, true, &challenge).await,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Next::Go,
                    Some(Ok(Message::Close(_))) | None => Next::Gone,
                    Some(Err(e)) => {
                        tracing::info!(id = self.id, error = %e, "remote client's connection failed");
                        Next::Gone
                    }
                },
                event = events.recv(), if self.subscriptions.is_some() => match event {
                    Ok(e) if e.intent & subscribed != 0 => {
                        let out = Outgoing::Event { kind: e.kind.clone(), intent: e.intent, data: e.data.clone() };
                        if self.send(&out).await { Next::Go } else { Next::Gone }
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => Next::Go,
                    Err(broadcast::error::RecvError::Closed) => Next::Gone,
                },
                _ = meters.tick(), if subscribed & subscription::INPUT_VOLUME_METERS != 0 => {
                    let inputs = lock(&self.shared.meters).clone();
                    let out = Outgoing::Event {
                        kind: "InputVolumeMeters".into(),
                        intent: subscription::INPUT_VOLUME_METERS,
                        data: json!({ "inputs": inputs }),
                    };
                    if self.send(&out).await { Next::Go } else { Next::Gone }
                }
                _ = &mut identify_by, if self.subscriptions.is_none() => {
                    Next::Close(Closing::new(CloseCode::NotIdentified, "no Identify within 10 s"))
                }
                _ = kicked.changed() => {
                    Next::Close(Closing::new(CloseCode::SessionInvalidated, "disconnected by the presenter"))
                }
                _ = stopped.changed() => Next::Close(Closing::new(CloseCode::UnknownReason, "Plateau is closing")),
            };
            match next {
                Next::Go => {}
                Next::Gone => return,
                Next::Close(closing) => {
                    tracing::info!(id = self.id, code = closing.code as u16, reason = %closing.reason, "closing a remote session");
                    self.close(closing).await;
                    return;
                }
            }
        }
    }

    async fn take(&mut self, bytes: &[u8], binary: bool, challenge: &Challenge) -> Next {
        if bytes.len() > MAX_MESSAGE {
            let reason = format!("a message is at most {MAX_MESSAGE} bytes");
            return Next::Close(Closing::new(CloseCode::MessageTooBig, reason));
        }
        let message = match decode(self.encoding, bytes, binary) {
            Ok(m) => m,
            Err(closing) => return Next::Close(closing),
        };
        match (message, self.subscriptions) {
            (Incoming::Identify { authentication, subscriptions, .. }, None) => {
                if let Err(closing) = self.authenticate(challenge, authentication.as_deref()) {
                    return Next::Close(closing);
                }
                self.subscriptions = Some(subscriptions);
                if let Some((client, _)) = lock(&self.shared.clients).get_mut(&self.id) {
                    client.identified = true;
                }
                tracing::info!(id = self.id, subscriptions, "remote client identified");
                self.reply(&Outgoing::Identified).await
            }
            (Incoming::Identify { .. }, Some(_)) => {
                Next::Close(Closing::new(CloseCode::AlreadyIdentified, "already identified"))
            }
            (_, None) => Next::Close(Closing::new(CloseCode::NotIdentified, "identify first")),
            (Incoming::Reidentify { subscriptions }, Some(current)) => {
                self.subscriptions = Some(subscriptions.unwrap_or(current));
                self.reply(&Outgoing::Identified).await
            }
            (Incoming::Request(request), Some(_)) => {
                let result = answer(&self.shared, &request, None).await;
                self.reply(&Outgoing::Response { request, result }).await
            }
            (Incoming::Batch { id, halt_on_failure, execution, requests }, Some(_)) => {
                let mut results = Vec::with_capacity(requests.len());
                for request in requests {
                    let result = answer(&self.shared, &request, Some(execution)).await;
                    let failed = result.is_err();
                    results.push((request, result));
                    if failed && halt_on_failure {
                        break;
                    }
                }
                self.reply(&Outgoing::BatchResponse { id, results }).await
            }
        }
    }

    /// Checks the client's answer to the challenge; wrong passwords from
    /// one address are refused for longer each time (up to 30 s).
    fn authenticate(&self, challenge: &Challenge, answer: Option<&str>) -> Result<(), Closing> {
        let ip = self.peer.ip();
        let mut failures = lock(&self.shared.failures);
        if let Some((count, last)) = failures.get(&ip) {
            let wait = Duration::from_millis(250u64 << (*count).min(7)).min(Duration::from_secs(30));
            if last.elapsed() < wait {
                return Err(Closing::new(
                    CloseCode::AuthenticationFailed,
                    format!("too many wrong passwords: try again in {} s", wait.as_secs().max(1)),
                ));
            }
        }
        let Some(answer) = answer else {
            return Err(Closing::new(CloseCode::AuthenticationFailed, "a password is required"));
        };
        if challenge.accepts(&self.shared.password, answer) {
            failures.remove(&ip);
            Ok(())
        } else {
            let entry = failures.entry(ip).or_insert((0, Instant::now()));
            *entry = (entry.0 + 1, Instant::now());
            tracing::warn!(peer = %self.peer, failures = entry.0, "remote client gave a wrong password");
            Err(Closing::new(CloseCode::AuthenticationFailed, "Authentication failed."))
        }
    }

    async fn reply(&mut self, message: &Outgoing) -> Next {
        if self.send(message).await {
            Next::Go
        } else {
            Next::Gone
        }
    }

    async fn send(&mut self, message: &Outgoing) -> bool {
        let frame = match encode(self.encoding, message) {
            Frame::Text(text) => Message::Text(text.into()),
            Frame::Binary(bytes) => Message::Binary(bytes.into()),
        };
        self.ws.send(frame).await.is_ok()
    }

    async fn close(&mut self, closing: Closing) {
        let frame = CloseFrame { code: closing.code as u16, reason: closing.reason.into() };
        let _ = self.ws.send(Message::Close(Some(frame))).await;
    }
}

/// Answers a request: `Sleep` and `BroadcastCustomEvent` here, the rest
/// by the host.
async fn answer(shared: &Shared, request: &Request, batch: Option<Execution>) -> Result<Value, Failure> {
    match request.kind.as_str() {
        "" => Err(Failure::new(status::MISSING_REQUEST_TYPE, "the request has no requestType")),
        "Sleep" => sleep(shared, request, batch).await,
        "BroadcastCustomEvent" => {
            let data = request.data.get("eventData").filter(|d| d.is_object()).ok_or_else(|| {
                Failure::new(status::MISSING_REQUEST_FIELD, "eventData (an object) is required")
            })?;
            let event =
                Event { kind: "CustomEvent".into(), intent: subscription::GENERAL, data: data.clone() };
            let _ = shared.events.send(Arc::new(event));
            Ok(Value::Null)
        }
        _ => {
            let (reply, answered) = async_channel::bounded(1);
            let call = Call { request: request.clone(), reply };
            let stopping = || Failure::new(status::REQUEST_PROCESSING_FAILED, "Plateau is stopping");
            shared.calls.send(call).await.map_err(|_| stopping())?;
            match tokio::time::timeout(ANSWER_WITHIN, answered.recv()).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err(stopping()),
                Err(_) => {
                    Err(Failure::new(status::REQUEST_PROCESSING_FAILED, "Plateau did not answer in 30 s"))
                }
            }
        }
    }
}

async fn sleep(shared: &Shared, request: &Request, batch: Option<Execution>) -> Result<Value, Failure> {
    let number = |field: &str, max: u64| -> Result<u64, Failure> {
        let value = request
            .data
            .get(field)
            .ok_or_else(|| Failure::new(status::MISSING_REQUEST_FIELD, format!("{field} is required")))?;
        let n = value.as_u64().ok_or_else(|| {
            Failure::new(status::INVALID_REQUEST_FIELD_TYPE, format!("{field} is a number"))
        })?;
        if n > max {
            return Err(Failure::new(
                status::REQUEST_FIELD_OUT_OF_RANGE,
                format!("{field} is at most {max}"),
            ));
        }
        Ok(n)
    };
    let wait = match batch {
        Some(Execution::SerialRealtime) => Duration::from_millis(number("sleepMillis", 50_000)?),
        Some(Execution::SerialFrame) => shared.frame * number("sleepFrames", 10_000)? as u32,
        _ => {
            return Err(Failure::new(
                status::UNSUPPORTED_BATCH_EXECUTION_TYPE,
                "Sleep works only in serial batches",
            ))
        }
    };
    tokio::time::sleep(wait).await;
    Ok(Value::Null)
}
