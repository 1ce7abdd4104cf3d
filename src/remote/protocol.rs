//! The obs-websocket 5 wire format: frames `{"op": N, "d": {...}}` in JSON
//! text or MessagePack binary, read into [`Incoming`] and written from
//! [`Outgoing`]. Anything a client may send is checked here, and what is
//! wrong becomes the protocol's close code with a reason, never a panic.

use serde_json::{json, Map, Value};

/// The WebSocket subprotocols a client may ask for.
pub const JSON_PROTOCOL: &str = "obswebsocket.json";
pub const MSGPACK_PROTOCOL: &str = "obswebsocket.msgpack";

/// The only RPC version of obs-websocket 5.
pub const RPC_VERSION: u64 = 1;

/// How a session's frames are written: chosen by the subprotocol (JSON
/// when the client names none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Msgpack,
}

impl Encoding {
    pub fn from_protocol(protocol: Option<&str>) -> Self {
        match protocol {
            Some(MSGPACK_PROTOCOL) => Self::Msgpack,
            _ => Self::Json,
        }
    }
}

/// A frame to send: text for JSON, binary for MessagePack.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Text(String),
    Binary(Vec<u8>),
}

/// The protocol's WebSocket close codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    UnknownReason = 4000,
    MessageDecodeError = 4002,
    MissingDataField = 4003,
    InvalidDataFieldType = 4004,
    InvalidDataFieldValue = 4005,
    UnknownOpCode = 4006,
    NotIdentified = 4007,
    AlreadyIdentified = 4008,
    AuthenticationFailed = 4009,
    UnsupportedRpcVersion = 4010,
    SessionInvalidated = 4011,
    UnsupportedFeature = 4012,
    /// WebSocket's own code for a frame larger than the server takes.
    MessageTooBig = 1009,
}

/// Why a session is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    pub code: CloseCode,
    pub reason: String,
}

impl Closing {
    pub fn new(code: CloseCode, reason: impl Into<String>) -> Self {
        Self { code, reason: reason.into() }
    }
}

/// Request status codes (`requestStatus.code`).
pub mod status {
    pub const SUCCESS: u16 = 100;
    pub const MISSING_REQUEST_TYPE: u16 = 203;
    pub const UNKNOWN_REQUEST_TYPE: u16 = 204;
    pub const GENERIC_ERROR: u16 = 205;
    pub const UNSUPPORTED_BATCH_EXECUTION_TYPE: u16 = 206;
    pub const MISSING_REQUEST_FIELD: u16 = 300;
    pub const MISSING_REQUEST_DATA: u16 = 301;
    pub const INVALID_REQUEST_FIELD: u16 = 400;
    pub const INVALID_REQUEST_FIELD_TYPE: u16 = 401;
    pub const REQUEST_FIELD_OUT_OF_RANGE: u16 = 402;
    pub const REQUEST_FIELD_EMPTY: u16 = 403;
    pub const OUTPUT_RUNNING: u16 = 500;
    pub const OUTPUT_NOT_RUNNING: u16 = 501;
    pub const OUTPUT_PAUSED: u16 = 502;
    pub const OUTPUT_NOT_PAUSED: u16 = 503;
    pub const STUDIO_MODE_NOT_ACTIVE: u16 = 506;
    pub const RESOURCE_NOT_FOUND: u16 = 600;
    pub const RESOURCE_ALREADY_EXISTS: u16 = 601;
    pub const INVALID_RESOURCE_STATE: u16 = 604;
    pub const INVALID_INPUT_KIND: u16 = 605;
    pub const RESOURCE_CREATION_FAILED: u16 = 700;
    pub const RESOURCE_ACTION_FAILED: u16 = 701;
    pub const REQUEST_PROCESSING_FAILED: u16 = 702;
    pub const CANNOT_ACT: u16 = 703;
}

/// Event subscription bits (`eventSubscriptions`).
pub mod subscription {
    pub const GENERAL: u32 = 1 << 0;
    pub const CONFIG: u32 = 1 << 1;
    pub const SCENES: u32 = 1 << 2;
    pub const INPUTS: u32 = 1 << 3;
    pub const TRANSITIONS: u32 = 1 << 4;
    pub const FILTERS: u32 = 1 << 5;
    pub const OUTPUTS: u32 = 1 << 6;
    pub const SCENE_ITEMS: u32 = 1 << 7;
    pub const MEDIA_INPUTS: u32 = 1 << 8;
    pub const VENDORS: u32 = 1 << 9;
    pub const UI: u32 = 1 << 10;
    /// Every low-volume category: what a client gets when it names none.
    pub const ALL: u32 = (1 << 11) - 1;
    pub const INPUT_VOLUME_METERS: u32 = 1 << 16;
    pub const INPUT_ACTIVE_STATE_CHANGED: u32 = 1 << 17;
    pub const INPUT_SHOW_STATE_CHANGED: u32 = 1 << 18;
    pub const SCENE_ITEM_TRANSFORM_CHANGED: u32 = 1 << 19;
}

/// One request: its type, the id the client gave (any JSON value, sent
/// back as it came) and its data (an object, or null).
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub kind: String,
    pub id: Value,
    pub data: Value,
}

/// How a batch is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Execution {
    /// One after the other; `Sleep` waits milliseconds.
    SerialRealtime,
    /// One after the other; `Sleep` waits frames.
    SerialFrame,
    /// All at once (answered in order).
    Parallel,
}

/// What a client can send.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Identify { rpc_version: u64, authentication: Option<String>, subscriptions: u32 },
    Reidentify { subscriptions: Option<u32> },
    Request(Request),
    Batch { id: Value, halt_on_failure: bool, execution: Execution, requests: Vec<Request> },
}

/// What the server sends.
#[derive(Debug, Clone, PartialEq)]
pub enum Outgoing {
    Hello { authentication: Option<(String, String)> },
    Identified,
    Event { kind: String, intent: u32, data: Value },
    Response { request: Request, result: Result<Value, Failure> },
    BatchResponse { id: Value, results: Vec<(Request, Result<Value, Failure>)> },
}

/// A request that did not succeed: its status code and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u16,
    pub comment: String,
}

impl Failure {
    pub fn new(code: u16, comment: impl Into<String>) -> Self {
        Self { code, comment: comment.into() }
    }
}

/// The obs-websocket version Plateau answers as (recent enough for the
/// clients in use in 2026), and the OBS version it stands in for.
pub const OBS_WEBSOCKET_VERSION: &str = "5.5.4";
pub const OBS_VERSION: &str = "31.0.0";

/// How deep a MessagePack message may nest (JSON's reader stops at 128).
const MAX_DEPTH: usize = 64;

/// Reads one frame. `binary` says whether it came as a binary frame.
pub fn decode(encoding: Encoding, bytes: &[u8], binary: bool) -> Result<Incoming, Closing> {
    let value: Value = match (encoding, binary) {
        (Encoding::Json, false) => serde_json::from_slice(bytes)
            .map_err(|e| Closing::new(CloseCode::MessageDecodeError, format!("not JSON: {e}")))?,
        (Encoding::Msgpack, true) => {
            // A message is a few levels deep; nesting beyond that would
            // only spend the stack.
            let mut reader = rmp_serde::Deserializer::from_read_ref(bytes);
            reader.set_max_depth(MAX_DEPTH);
            serde::Deserialize::deserialize(&mut reader)
                .map_err(|e| Closing::new(CloseCode::MessageDecodeError, format!("not MessagePack: {e}")))?
        }
        (Encoding::Json, true) => {
            return Err(Closing::new(
                CloseCode::MessageDecodeError,
                "binary frames need obswebsocket.msgpack",
            ))
        }
        (Encoding::Msgpack, false) => {
            return Err(Closing::new(CloseCode::MessageDecodeError, "text frames need obswebsocket.json"))
        }
    };
    parse(value)
}

fn parse(value: Value) -> Result<Incoming, Closing> {
    let Value::Object(mut message) = value else {
        return Err(Closing::new(CloseCode::MessageDecodeError, "a message is an object"));
    };
    let op = match message.get("op") {
        None => return Err(Closing::new(CloseCode::MissingDataField, "the message has no `op`")),
        Some(op) => op
            .as_u64()
            .ok_or_else(|| Closing::new(CloseCode::InvalidDataFieldType, "`op` is not a whole number"))?,
    };
    let d = match message.remove("d") {
        None => return Err(Closing::new(CloseCode::MissingDataField, "the message has no `d`")),
        Some(Value::Object(d)) => d,
        Some(_) => return Err(Closing::new(CloseCode::InvalidDataFieldType, "`d` is not an object")),
    };
    match op {
        1 => identify(&d),
        3 => Ok(Incoming::Reidentify { subscriptions: subscriptions(&d)? }),
        6 => Ok(Incoming::Request(request(d)?)),
        8 => batch(d),
        other => Err(Closing::new(
            CloseCode::UnknownOpCode,
            format!("no message of op {other} comes from a client"),
        )),
    }
}

fn identify(d: &Map<String, Value>) -> Result<Incoming, Closing> {
    let rpc_version = match d.get("rpcVersion") {
        None => return Err(Closing::new(CloseCode::MissingDataField, "Identify has no `rpcVersion`")),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| Closing::new(CloseCode::InvalidDataFieldType, "`rpcVersion` is not a number"))?,
    };
    if rpc_version != RPC_VERSION {
        return Err(Closing::new(
            CloseCode::UnsupportedRpcVersion,
            format!("rpcVersion {rpc_version} is not supported: only {RPC_VERSION}"),
        ));
    }
    let authentication = match d.get("authentication") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(Closing::new(CloseCode::InvalidDataFieldType, "`authentication` is not a string"))
        }
    };
    let subscriptions = subscriptions(d)?.unwrap_or(subscription::ALL);
    Ok(Incoming::Identify { rpc_version, authentication, subscriptions })
}

fn subscriptions(d: &Map<String, Value>) -> Result<Option<u32>, Closing> {
    match d.get("eventSubscriptions") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_u64().and_then(|n| u32::try_from(n).ok()).map(Some).ok_or_else(|| {
            Closing::new(CloseCode::InvalidDataFieldType, "`eventSubscriptions` is not a 32-bit number")
        }),
    }
}

fn request(mut d: Map<String, Value>) -> Result<Request, Closing> {
    let kind = match d.remove("requestType") {
        None => return Err(Closing::new(CloseCode::MissingDataField, "the request has no `requestType`")),
        Some(Value::String(s)) => s,
        Some(_) => {
            return Err(Closing::new(CloseCode::InvalidDataFieldType, "`requestType` is not a string"))
        }
    };
    let id = d
        .remove("requestId")
        .ok_or_else(|| Closing::new(CloseCode::MissingDataField, "the request has no `requestId`"))?;
    Ok(Request { kind, id, data: d.remove("requestData").unwrap_or(Value::Null) })
}

fn batch(mut d: Map<String, Value>) -> Result<Incoming, Closing> {
    let id = d
        .remove("requestId")
        .ok_or_else(|| Closing::new(CloseCode::MissingDataField, "the batch has no `requestId`"))?;
    let halt_on_failure = match d.get("haltOnFailure") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(Closing::new(CloseCode::InvalidDataFieldType, "`haltOnFailure` is not a boolean"))
        }
    };
    let execution = match d.get("executionType").map(Value::as_i64) {
        None => Execution::SerialRealtime,
        Some(Some(0)) => Execution::SerialRealtime,
        Some(Some(1)) => Execution::SerialFrame,
        Some(Some(2)) => Execution::Parallel,
        Some(Some(_)) => {
            return Err(Closing::new(CloseCode::InvalidDataFieldValue, "`executionType` is not 0, 1 or 2"))
        }
        Some(None) => {
            return Err(Closing::new(CloseCode::InvalidDataFieldType, "`executionType` is not a number"))
        }
    };
    let requests = match d.remove("requests") {
        None => return Err(Closing::new(CloseCode::MissingDataField, "the batch has no `requests`")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(Closing::new(CloseCode::InvalidDataFieldType, "`requests` is not an array")),
    };
    // In a batch a request needs no id, and a bad one fails on its own.
    let requests = requests
        .into_iter()
        .map(|r| match r {
            Value::Object(mut r) => {
                let kind =
                    r.remove("requestType").and_then(|k| k.as_str().map(str::to_owned)).unwrap_or_default();
                let id = r.remove("requestId").unwrap_or(Value::Null);
                Request { kind, id, data: r.remove("requestData").unwrap_or(Value::Null) }
            }
            _ => Request { kind: String::new(), id: Value::Null, data: Value::Null },
        })
        .collect();
    Ok(Incoming::Batch { id, halt_on_failure, execution, requests })
}

/// Writes one message.
pub fn encode(encoding: Encoding, message: &Outgoing) -> Frame {
    let (op, d) = match message {
        Outgoing::Hello { authentication } => {
            let mut d = json!({
                "obsStudioVersion": OBS_VERSION,
                "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
                "rpcVersion": RPC_VERSION,
            });
            if let Some((challenge, salt)) = authentication {
                d["authentication"] = json!({ "challenge": challenge, "salt": salt });
            }
            (0, d)
        }
        Outgoing::Identified => (2, json!({ "negotiatedRpcVersion": RPC_VERSION })),
        Outgoing::Event { kind, intent, data } => {
            let mut d = json!({ "eventType": kind, "eventIntent": intent });
            if !data.is_null() {
                d["eventData"] = data.clone();
            }
            (5, d)
        }
        Outgoing::Response { request, result } => (7, response(request, result, true)),
        Outgoing::BatchResponse { id, results } => {
            let results: Vec<Value> =
                results.iter().map(|(r, result)| response(r, result, !r.id.is_null())).collect();
            (9, json!({ "requestId": id, "results": results }))
        }
    };
    let message = json!({ "op": op, "d": d });
    match encoding {
        Encoding::Json => Frame::Text(message.to_string()),
        // A map of JSON values always serialises to MessagePack.
        Encoding::Msgpack => Frame::Binary(rmp_serde::to_vec_named(&message).unwrap_or_default()),
    }
}

fn response(request: &Request, result: &Result<Value, Failure>, with_id: bool) -> Value {
    let mut d = json!({ "requestType": request.kind });
    if with_id {
        d["requestId"] = request.id.clone();
    }
    match result {
        Ok(data) => {
            d["requestStatus"] = json!({ "result": true, "code": status::SUCCESS });
            if !data.is_null() {
                d["responseData"] = data.clone();
            }
        }
        Err(f) => d["requestStatus"] = json!({ "result": false, "code": f.code, "comment": f.comment }),
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_identify_reads_its_version_password_and_subscriptions() {
        let frame = br#"{"op":1,"d":{"rpcVersion":1,"authentication":"abc","eventSubscriptions":65536}}"#;
        let read = decode(Encoding::Json, frame, false).expect("an identify");
        assert_eq!(
            read,
            Incoming::Identify { rpc_version: 1, authentication: Some("abc".into()), subscriptions: 65536 }
        );
    }

    #[test]
    fn broken_frames_get_the_protocols_close_codes() {
        let code = |frame: &[u8]| decode(Encoding::Json, frame, false).map(|_| ()).unwrap_err().code;
        assert_eq!(code(b"{"), CloseCode::MessageDecodeError);
        assert_eq!(code(br#"{"d":{}}"#), CloseCode::MissingDataField);
        assert_eq!(code(br#"{"op":"6","d":{}}"#), CloseCode::InvalidDataFieldType);
        assert_eq!(code(br#"{"op":42,"d":{}}"#), CloseCode::UnknownOpCode);
        assert_eq!(code(br#"{"op":1,"d":{"rpcVersion":2}}"#), CloseCode::UnsupportedRpcVersion);
        assert_eq!(code(br#"{"op":6,"d":{"requestId":1}}"#), CloseCode::MissingDataField);
    }

    #[test]
    fn msgpack_goes_both_ways() {
        let sent = Outgoing::Response {
            request: Request { kind: "GetVersion".into(), id: json!("7"), data: Value::Null },
            result: Ok(json!({ "rpcVersion": 1 })),
        };
        let Frame::Binary(bytes) = encode(Encoding::Msgpack, &sent) else { panic!("msgpack is binary") };
        let back: Value = rmp_serde::from_slice(&bytes).expect("msgpack");
        assert_eq!(back["d"]["requestStatus"]["code"], json!(100));
        assert_eq!(back["d"]["requestId"], json!("7"));
    }
}
