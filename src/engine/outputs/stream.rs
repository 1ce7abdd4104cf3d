//! Streaming to one destination, reconnecting by itself.
//!
//! ```text
//!  encoder h264 ─> appsrc ─┐
//!                          ├─ flvmux ! rtmp2sink      (rtmp://, rtmps://)
//!  encoder aac ──> appsrc ─┘  mpegtsmux ! srtsink     (srt://)
//! ```
//!
//! No queue after the appsrcs: each has a thread and a bounded queue of its
//! own (a link that stops taking data fills it, and drops are counted).
//!
//! Each destination is a pipeline of its own on a thread of its own: when
//! it fails (server gone, connection reset, or a dead link that just stops
//! taking data) it is torn down and rebuilt after a short, growing pause,
//! while the program, the recording and the other destinations go on.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::events::{Event, OutputStatus};
use crate::engine::outputs::encoder::{link_to_mux, Encoder, EncoderSettings};
use crate::engine::outputs::feeds::{EncoderUse, Feeds, Keyframes};
use crate::engine::outputs::output::Output;
use crate::engine::outputs::tcp_link::{connections_to, server_of, TcpLink};

/// Pauses between attempts: a server that comes back is reached within
/// the last pause of its return.
const BACKOFF: [u32; 3] = [1, 2, 3];
/// A link that sends nothing for this long while the program runs is dead.
const STALL: Duration = Duration::from_secs(4);
/// A server that acknowledges nothing of what waits for this long is gone
/// (a cut cable, a frozen server: no reset ever comes).
const NO_ACK: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSettings {
    /// What the user calls this destination ("YouTube", "Home server").
    pub name: String,
    /// `rtmp://host[:port]/app/key`, `rtmps://…` or `srt://host:port[?…]`.
    pub url: String,
    pub encoder: EncoderSettings,
}

/// The URL with its secrets hidden, for logs and messages: the query
/// (SRT pass phrases, `?auth=`), a user and password, and the path after
/// its first part (the stream key, however it is written: `app/KEY`,
/// `app/KEY/`, `app/KEY/more`, or `KEY` alone).
/// Whether `url` is an address a stream can go to (rtmp:// with an app
/// and a key, rtmps://, srt://): the message says why not.
pub fn check_stream_url(url: &str) -> Result<(), EngineError> {
    check_url(url).map(drop)
}

fn check_url(url: &str) -> Result<Protocol, EngineError> {
    let protocol = protocol(url).ok_or_else(|| {
        EngineError::Invalid(format!(
            "`{}` is not a stream address: use rtmp://, rtmps:// or srt://",
            redact(url)
        ))
    })?;
    if matches!(protocol, Protocol::Rtmp) && !has_app_and_stream(url) {
        return Err(EngineError::Invalid(format!(
            "{} has no stream key: RTMP addresses read rtmp://server/app/KEY (give the key in Settings, Streaming)",
            redact(url)
        )));
    }
    Ok(protocol)
}

pub fn redact(url: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = base.split_once("://") else {
        // Not an address: nothing in it is shown.
        return if base.is_empty() { String::new() } else { "…".into() };
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("…@{host}"),
        None => authority.to_owned(),
    };
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        [] => format!("{scheme}://{host}"),
        [_] => format!("{scheme}://{host}/…"),
        [app, ..] => format!("{scheme}://{host}/{app}/…"),
    }
}

#[derive(Clone, Copy)]
enum Protocol {
    Rtmp,
    Srt,
}

fn protocol(url: &str) -> Option<Protocol> {
    let scheme = url.split("://").next()?.to_ascii_lowercase();
    match scheme.as_str() {
        "rtmp" | "rtmps" if url.len() > scheme.len() + 3 => Some(Protocol::Rtmp),
        "srt" if url.len() > 6 => Some(Protocol::Srt),
        _ => None,
    }
}

/// Whether an RTMP address names a server, an application and a stream
/// (`rtmp://host/app/key`, the query aside): without the last two the
/// server refuses it with a message that does not say so.
fn has_app_and_stream(url: &str) -> bool {
    let rest = url.split_once("://").map_or("", |(_, r)| r);
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts.len() >= 3
}

/// A running destination. Dropping it stops it.
pub struct Stream {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Stream {
    pub fn start(feeds: impl AsRef<Feeds>, settings: StreamSettings) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let protocol = check_url(&settings.url)?;
        if matches!(protocol, Protocol::Rtmp)
            && settings.encoder.audio == crate::engine::outputs::encoder::AudioCodec::Opus
        {
            return Err(EngineError::Invalid(format!(
                "{}: RTMP carries AAC sound, not Opus",
                redact(&settings.url)
            )));
        }
        crate::engine::logs::hide_url(&settings.url);
        let encoder = feeds.encoder(settings.encoder, Keyframes::Exact)?;
        let events = feeds.emitter();
        let (stop, stopped) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("plateau-stream-{}", settings.name))
            .spawn(move || run(settings, protocol, encoder, events, stopped))
            .map_err(|e| EngineError::Start { what: "stream".into(), message: e.to_string() })?;
        Ok(Self { stop: Some(stop), thread: Some(thread) })
    }

    /// Ends the stream cleanly and waits for it.
    pub fn stop(mut self) {
        self.shut();
    }

    fn shut(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.shut();
    }
}

/// Builds one attempt's pipeline.
fn build(url: &str, protocol: Protocol, encoder: &Encoder) -> Result<(Output, gst::Element), EngineError> {
    let mut output = Output::new("stream");
    let vsrc = output.encoded_input(encoder.video.clone(), "video")?;
    let asrc = output.encoded_input(encoder.audio.clone(), "audio")?;
    // MPEG-TS carries H.264 as a byte stream: the parser converts from AVC.
    let vlast = match protocol {
        Protocol::Rtmp => vsrc.clone(),
        Protocol::Srt => {
            let parse = make("h264parse")?;
            // Parameter sets before every keyframe, so a receiver can join at any one.
            parse.set_property("config-interval", -1i32);
            output.pipeline.add(&parse)?;
            vsrc.link(&parse)?;
            parse
        }
    };
    let (mux, sink, pads) = match protocol {
        Protocol::Rtmp => {
            let mux = make("flvmux")?;
            mux.set_property("streamable", true);
            let sink = make("rtmp2sink")?;
            sink.set_property("location", url);
            sink.set_property("sync", false);
            sink.set_property("async-connect", false);
            (mux, sink, ["video", "audio"])
        }
        Protocol::Srt => {
            let mux = make("mpegtsmux")?;
            // SRT live mode carries at most 1316 bytes (seven TS packets) per
            // message: unaligned, the receiver never gets a whole keyframe.
            mux.set_property("alignment", 7i32);
            let sink = make("srtsink")?;
            sink.set_property("uri", url);
            sink.set_property("sync", false);
            (mux, sink, ["sink_%d", "sink_%d"])
        }
    };
    output.pipeline.add_many([&mux, &sink])?;
    link_to_mux(&vlast, &mux, pads[0])?;
    link_to_mux(&asrc, &mux, pads[1])?;
    mux.link(&sink)?;
    Ok((output, sink))
}

/// Bytes the sink has sent, where it says.
fn sent_bytes(sink: &gst::Element) -> Option<u64> {
    if !sink.has_property("stats") {
        return None;
    }
    let stats = sink.property::<Option<gst::Structure>>("stats")?;
    stats.get::<u64>("out-bytes-total").ok().or_else(|| stats.get::<u64>("bytes-sent").ok())
}

fn run(
    settings: StreamSettings,
    protocol: Protocol,
    encoder: EncoderUse,
    events: async_channel::Sender<Event>,
    stopped: mpsc::Receiver<()>,
) {
    let name = settings.name.clone();
    let status = |status: OutputStatus| {
        let _ = events.try_send(Event::Output { output: name.clone(), status });
    };
    let mut attempt = 0usize;
    let server = match protocol {
        Protocol::Rtmp => server_of(&settings.url).unwrap_or_default(),
        Protocol::Srt => Vec::new(),
    };
    loop {
        status(OutputStatus::Connecting);
        tracing::info!(output = %name, url = %redact(&settings.url), "connecting");
        let outcome = match build(&settings.url, protocol, &encoder) {
            Ok((mut output, sink)) => match (connections_to(&server), output.start()) {
                (before, Ok(())) => {
                    encoder.request_keyframe();
                    let link = Link { server: &server, before };
                    let outcome =
                        watch(&output, &sink, link, &name, &events, &stopped, &mut attempt, &status);
                    if matches!(outcome, Outcome::Stop) {
                        // Let the muxer and the server close the stream properly.
                        let _ = output.finish(Duration::from_secs(3));
                    }
                    outcome
                }
                (_, Err(e)) => Outcome::Lost(e.to_string()),
            },
            Err(e) => {
                status(OutputStatus::Failed(e.to_string()));
                return;
            }
        };
        let cause = match outcome {
            Outcome::Stop => break,
            Outcome::Lost(cause) => cause,
        };
        tracing::warn!(output = %name, %cause, "stream lost");
        let pause = BACKOFF[attempt.min(BACKOFF.len() - 1)];
        attempt += 1;
        for left in (1..=pause).rev() {
            status(OutputStatus::Reconnecting { in_seconds: left, cause: cause.clone() });
            match stopped.recv_timeout(Duration::from_secs(1)) {
                Err(RecvTimeoutError::Timeout) => {}
                _ => {
                    status(OutputStatus::Stopped);
                    return;
                }
            }
        }
    }
    status(OutputStatus::Stopped);
}

enum Outcome {
    Stop,
    Lost(String),
}

/// The TCP connection of an attempt: found among those to `server` that
/// were not there `before` it started.
struct Link<'a> {
    server: &'a [std::net::SocketAddr],
    before: std::collections::HashSet<u64>,
}

/// Follows a running attempt until it is stopped or lost.
#[allow(clippy::too_many_arguments)]
fn watch(
    output: &Output,
    sink: &gst::Element,
    link: Link,
    name: &str,
    events: &async_channel::Sender<Event>,
    stopped: &mpsc::Receiver<()>,
    attempt: &mut usize,
    status: &dyn Fn(OutputStatus),
) -> Outcome {
    let Some(bus) = output.pipeline.bus() else { return Outcome::Lost("no bus".into()) };
    let mut live_since: Option<Instant> = None;
    let (mut last_bytes, mut last_change, mut last_report) = (0u64, Instant::now(), (Instant::now(), 0u64));
    let mut tcp: Option<TcpLink> = None;
    let (mut acked, mut last_ack) = (0u64, Instant::now());
    loop {
        match stopped.recv_timeout(Duration::from_millis(200)) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return Outcome::Stop,
        }
        if let Some(msg) = bus.pop_filtered(&[gst::MessageType::Error, gst::MessageType::Eos]) {
            return match msg.view() {
                gst::MessageView::Error(e) => Outcome::Lost(e.error().to_string()),
                _ => Outcome::Lost("the server ended the stream".into()),
            };
        }
        let bytes = sent_bytes(sink).unwrap_or(0);
        if bytes != last_bytes {
            last_bytes = bytes;
            last_change = Instant::now();
            if live_since.is_none() && bytes > 0 {
                live_since = Some(Instant::now());
                status(OutputStatus::Live);
                tcp = TcpLink::claim_new(&link.before, &connections_to(link.server));
                tracing::debug!(output = %name, watched = tcp.is_some(), "connection to watch for acknowledgements");
            }
        } else if live_since.is_some() && last_change.elapsed() > STALL {
            return Outcome::Lost(format!("nothing could be sent for {} s", STALL.as_secs()));
        }
        if let Some(tcp) = &tcp {
            let Some(waiting) = tcp.unacknowledged() else {
                return Outcome::Lost("the connection closed".into());
            };
            let now_acked = bytes.saturating_sub(waiting);
            if now_acked > acked || waiting == 0 {
                (acked, last_ack) = (now_acked.max(acked), Instant::now());
            } else if last_ack.elapsed() > NO_ACK {
                return Outcome::Lost(format!(
                    "the server acknowledged nothing for {} s ({} kB waiting)",
                    NO_ACK.as_secs(),
                    waiting / 1000
                ));
            }
        }
        // A link that carried data for a while earns the shortest pause next time.
        if live_since.is_some_and(|t| t.elapsed() > Duration::from_secs(10)) {
            *attempt = 0;
        }
        if last_report.0.elapsed() >= Duration::from_secs(1) {
            let kbps = (bytes - last_report.1.min(bytes)) as f64 * 8.0
                / 1000.0
                / last_report.0.elapsed().as_secs_f64();
            let dropped = output.dropped_frames();
            let _ = events.try_send(Event::OutputStats { output: name.to_owned(), bytes, kbps, dropped });
            last_report = (Instant::now(), bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtmp_addresses_need_an_application_and_a_stream() {
        assert!(has_app_and_stream("rtmp://a.rtmp.youtube.com/live2/abcd-efgh"));
        assert!(has_app_and_stream("rtmps://host:443/app/key?auth=x"));
        assert!(!has_app_and_stream("rtmp://127.0.0.1:1935/live"));
        assert!(!has_app_and_stream("rtmp://127.0.0.1/live/"));
        assert!(!has_app_and_stream("rtmp://"));
    }
}

#[cfg(test)]
mod redact_tests {
    use super::redact;

    #[test]
    fn no_form_of_a_stream_key_survives_redaction() {
        let cases = [
            ("rtmp://a.rtmp.youtube.com/live2/KEY", "rtmp://a.rtmp.youtube.com/live2/…"),
            ("rtmp://host/app/KEY/", "rtmp://host/app/…"),
            ("rtmp://host/app/KEY/more", "rtmp://host/app/…"),
            ("rtmp://host//app//KEY", "rtmp://host/app/…"),
            ("rtmp://host/KEY", "rtmp://host/…"),
            ("rtmps://host:443/app/KEY?auth=KEY", "rtmps://host:443/app/…"),
            ("rtmp://user:KEY@host/app/x", "rtmp://…@host/app/…"),
            ("srt://host:9000?streamid=KEY&passphrase=KEY", "srt://host:9000"),
            ("rtmp://host", "rtmp://host"),
            ("KEY", "…"),
            ("", ""),
        ];
        for (url, shown) in cases {
            assert_eq!(redact(url), shown, "{url}");
            assert!(!redact(url).contains("KEY"), "{url}");
        }
    }
}
