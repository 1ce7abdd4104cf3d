//! Glass-to-glass latency through a local RTMP server: the program cuts from
//! a red scene to a blue one, and a player pulling the stream from nginx
//! (rtmp2src ! flvdemux ! avdec_h264, as low-latency players do) reports
//! when it first decodes blue. The time between the two, measured with one
//! clock, covers composition, encoding, muxing, the server and decoding.
//!
//! usage: cargo run --release --example glass_to_glass [-- CUTS]
//! (run by benches/outputs; needs nginx with the RTMP module)

#![allow(dead_code)]

#[path = "../tests/common/netns.rs"]
mod netns;
#[path = "../tests/common/nginx.rs"]
mod nginx;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use gst::prelude::*;
use plateau::engine::{Event, OutputStatus, Stream, StreamSettings, Studio};
use plateau::model::{Color, Scene, SceneCollection, SceneItem, Source, SourceId, SourceKind, Transition};

fn collection() -> SceneCollection {
    let mut c = SceneCollection::new("Latency");
    for (id, rgb) in [("red", (255, 0, 0)), ("blue", (0, 0, 255))] {
        c.sources.push(Source::new(id, id, SourceKind::Color { color: Color::rgb(rgb.0, rgb.1, rgb.2) }));
        let item = SceneItem::new(plateau::model::ItemId(1), SourceId(id.into()), 0, 0, 1280, 720);
        c.scenes.push(Scene { name: id.into(), items: vec![item] });
    }
    c
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Red,
    Blue,
    Other,
}

/// Pulls `url` and sends the arrival time of every decoded frame and the
/// colour at its centre.
fn player(url: &str, frames: mpsc::Sender<(Instant, Seen)>) -> gst::Pipeline {
    let pipeline = gst::parse::launch(&format!(
        "rtmp2src location={url} ! flvdemux name=d d.video ! queue max-size-time=0 ! h264parse ! \
         avdec_h264 ! videoconvert ! video/x-raw,format=RGB ! appsink name=out sync=false async=false \
         d.audio ! queue ! fakesink sync=false async=false"
    ))
    .expect("player pipeline")
    .downcast::<gst::Pipeline>()
    .expect("a pipeline");
    let sink = pipeline.by_name("out").and_downcast::<gst_app::AppSink>().expect("appsink");
    sink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let at = Instant::now();
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                let info = sample
                    .caps()
                    .and_then(|c| gst_video::VideoInfo::from_caps(c).ok())
                    .ok_or(gst::FlowError::Error)?;
                let buffer = sample.buffer().ok_or(gst::FlowError::Error)?;
                let map = buffer.map_readable().map_err(|_| gst::FlowError::Error)?;
                let (w, h) = (info.width() as usize, info.height() as usize);
                let stride = info.stride()[0] as usize;
                let at_centre = &map[(h / 2) * stride + (w / 2) * 3..][..3];
                let seen = match (at_centre[0], at_centre[2]) {
                    (r, b) if r > 200 && b < 50 => Seen::Red,
                    (r, b) if b > 200 && r < 50 => Seen::Blue,
                    _ => Seen::Other,
                };
                let _ = frames.send((at, seen));
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    pipeline.set_state(gst::State::Playing).expect("player plays");
    pipeline
}

fn main() {
    let cuts: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    plateau::engine::init().expect("GStreamer");
    let server = nginx::Nginx::start();
    let studio = Studio::start(collection(), Some("red")).expect("studio starts");
    let url = server.url("live", "latency");
    let _stream = Stream::start(
        &studio,
        StreamSettings { name: "nginx".into(), url: url.clone(), encoder: Default::default() },
    )
    .expect("stream starts");
    let events = studio.events();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !matches!(events.try_recv(), Ok(Event::Output { status: OutputStatus::Live, .. })) {
        assert!(Instant::now() < deadline, "the stream did not go live");
        std::thread::sleep(Duration::from_millis(20));
    }
    let (tx, frames) = mpsc::channel();
    let player = player(&url, tx);
    // Wait for the player's first red frame.
    loop {
        match frames.recv_timeout(Duration::from_secs(15)) {
            Ok((_, Seen::Red)) => break,
            Ok(_) => {}
            Err(_) => {
                let bus = player.bus().expect("bus");
                let error = bus.pop_filtered(&[gst::MessageType::Error]).map(|m| format!("{m:?}"));
                panic!("the player decoded nothing: {}", error.unwrap_or_default());
            }
        }
    }

    let mut latencies = Vec::new();
    for n in 0..cuts {
        std::thread::sleep(Duration::from_millis(1500));
        let (scene, wanted) = if n % 2 == 0 { ("blue", Seen::Blue) } else { ("red", Seen::Red) };
        while frames.try_recv().is_ok() {}
        let cut = Instant::now();
        studio.switch_scene(scene, Transition::CUT).expect("cut");
        let seen = loop {
            let (at, seen) = frames.recv_timeout(Duration::from_secs(10)).expect("frames keep coming");
            if seen == wanted {
                break at;
            }
        };
        let ms = (seen - cut).as_secs_f64() * 1000.0;
        println!("cut {:>2} to {scene:<4}: {ms:>6.0} ms", n + 1);
        latencies.push(ms);
    }
    let _ = player.set_state(gst::State::Null);
    latencies.sort_by(f64::total_cmp);
    let median = latencies[latencies.len() / 2];
    println!(
        "glass-to-glass through nginx: min {:.0} ms, median {median:.0} ms, max {:.0} ms over {} cuts",
        latencies[0],
        latencies[latencies.len() - 1],
        latencies.len()
    );
}
