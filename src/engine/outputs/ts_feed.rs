//! The shared encode as a live MPEG-TS byte stream, handed out in pieces
//! to a callback: what the peer-to-peer swarm sends (and, later, any
//! output that wants the program as bytes rather than as a pipeline).
//!
//! ```text
//!  encoder video ─> appsrc ! queue ! h264parse(config-interval=-1) ─┐
//!                                                             mpegtsmux(alignment=7) ! appsink ──> on_piece(TsPiece)
//!  encoder audio ─> appsrc ! queue ─────────────────────────────────┘
//! ```
//!
//! A piece holds the packets of one timestamp (one picture, or sound), at
//! most [`TsFeed::MAX_PIECE`] bytes, in whole 188-byte packets. A piece
//! that starts with the first packet of a keyframe (its parameter sets
//! inside) is marked: a viewer can start playing there. The muxer's own
//! buffers carry no keyframe flag, and sound can be muxed ahead of late
//! pictures, so the packets themselves are read for the mark.

use std::sync::Mutex;
use std::time::Duration;

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::encoder::{link_to_mux, EncoderSettings};
use crate::engine::outputs::feeds::{EncoderUse, Feeds, Keyframes};
use crate::engine::outputs::output::Output;

/// One piece of the transport stream.
#[derive(Debug, Clone)]
pub struct TsPiece {
    pub bytes: Vec<u8>,
    /// A viewer can start playing from here.
    pub starts: bool,
    /// How long ago its first pictures or sound were captured (by the
    /// clock every pipeline shares), when it is handed out.
    pub age: std::time::Duration,
}

/// A running MPEG-TS feed. Dropping it stops it.
pub struct TsFeed {
    output: Output,
    /// Held: the studio keeps an encoder only while somebody uses it.
    _encoder: EncoderUse,
}

impl TsFeed {
    /// The largest piece handed out: 128 TS packets.
    pub const MAX_PIECE: usize = 188 * 128;

    /// Starts feeding `on_piece` from the program's encode (shared with
    /// every output that asks for the same `encoder` settings; `keyframes`
    /// says how strictly it needs their keyframe interval).
    pub fn start(
        feeds: impl AsRef<Feeds>,
        name: &str,
        encoder: EncoderSettings,
        keyframes: Keyframes,
        on_piece: impl FnMut(TsPiece) + Send + 'static,
    ) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let encoder = feeds.encoder(encoder, keyframes)?;
        let mut output = Output::new(name);
        let vsrc = output.encoded_input(encoder.video.clone(), "video")?;
        let asrc = output.encoded_input(encoder.audio.clone(), "audio")?;
        let (vqueue, aqueue, parse, mux) =
            (make("queue")?, make("queue")?, make("h264parse")?, make("mpegtsmux")?);
        parse.set_property("config-interval", -1i32);
        mux.set_property("alignment", 7i32);
        let sink = make("appsink")?;
        sink.set_property("sync", false);
        output.pipeline.add_many([&vqueue, &aqueue, &parse, &mux, &sink])?;
        gst::Element::link_many([&vsrc, &vqueue, &parse])?;
        asrc.link(&aqueue)?;
        link_to_mux(&parse, &mux, "sink_%d")?;
        link_to_mux(&aqueue, &mux, "sink_%d")?;
        mux.link(&sink)?;

        let cutter = Mutex::new(Cutter {
            on_piece: Box::new(on_piece),
            pending: Vec::new(),
            pts: None,
            starts: false,
            captured: None,
            clock: gst::SystemClock::obtain(),
        });
        let appsink = sink
            .dynamic_cast::<gst_app::AppSink>()
            .map_err(|_| EngineError::Invalid("not an appsink".into()))?;
        appsink.set_callbacks(
            gst_app::AppSinkCallbacks::builder()
                .new_sample(move |sink| {
                    let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                    let Some(buffer) = sample.buffer() else { return Ok(gst::FlowSuccess::Ok) };
                    let Ok(map) = buffer.map_readable() else { return Ok(gst::FlowSuccess::Ok) };
                    let pts = buffer.pts().map(|t| t.nseconds());
                    // Running time plus base time: the clock time it was captured at.
                    let captured = buffer.pts().zip(sink.base_time()).map(|(p, b)| p + b);
                    cutter.lock().unwrap_or_else(|e| e.into_inner()).take(&map, pts, captured);
                    Ok(gst::FlowSuccess::Ok)
                })
                .eos(|_| {})
                .build(),
        );
        output.start()?;
        encoder.request_keyframe();
        Ok(Self { output, _encoder: encoder })
    }

    /// Ends the feed.
    pub fn stop(mut self) {
        let _ = self.output.finish(Duration::from_secs(2));
    }
}

impl Drop for TsFeed {
    fn drop(&mut self) {
        let _ = self.output.pipeline.set_state(gst::State::Null);
    }
}

const TS_PACKET: usize = 188;

/// Whether a TS packet starts a keyframe: a new PES (payload unit start)
/// with the random access indicator of its adaptation field set, which
/// mpegtsmux sets on keyframes only.
fn is_random_access(packet: &[u8]) -> bool {
    packet.len() == TS_PACKET
        && packet[0] == 0x47
        && packet[1] & 0x40 != 0
        && matches!((packet[3] >> 4) & 3, 2 | 3)
        && packet[4] > 0
        && packet[5] & 0x40 != 0
}

/// Gathers the muxer's 1316-byte buffers into pieces.
struct Cutter {
    on_piece: Box<dyn FnMut(TsPiece) + Send>,
    pending: Vec<u8>,
    pts: Option<u64>,
    starts: bool,
    captured: Option<gst::ClockTime>,
    clock: gst::Clock,
}

impl Cutter {
    /// Takes one muxer buffer: a new piece begins at a new timestamp, at a
    /// keyframe's first packet, and when the piece is full.
    fn take(&mut self, bytes: &[u8], pts: Option<u64>, captured: Option<gst::ClockTime>) {
        if pts.is_some() && pts != self.pts {
            self.flush();
            self.pts = pts;
            self.captured = captured;
        }
        for packet in bytes.chunks(TS_PACKET) {
            let starts = is_random_access(packet);
            if starts || self.pending.len() + packet.len() > TsFeed::MAX_PIECE {
                self.flush();
            }
            if self.pending.is_empty() {
                self.starts = starts;
            }
            self.pending.extend_from_slice(packet);
        }
    }

    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let age = self
            .captured
            .and_then(|c| self.clock.time().checked_sub(c))
            .map(|a| a.into())
            .unwrap_or_default();
        let piece = TsPiece { bytes: std::mem::take(&mut self.pending), starts: self.starts, age };
        self.starts = false;
        (self.on_piece)(piece);
    }
}
