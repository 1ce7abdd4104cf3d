//! What a pipeline that stopped taking buffers is doing, in one log line:
//! the elements that are not playing, the pads whose last push failed, and
//! how full each queue is. Written when an output falls behind, so that a
//! stall seen once on a loaded machine can be told apart from slowness.

use gst::prelude::*;
use gst_base::prelude::*;

/// `pipeline`'s elements that are not plainly playing, its failed pushes
/// and its queue levels, e.g. `queue0 3 buffers; x264enc0 paused→playing;
/// h264parse0.src not-negotiated`; `all playing` when nothing stands out.
pub(crate) fn describe(pipeline: &gst::Element) -> String {
    let Some(bin) = pipeline.downcast_ref::<gst::Bin>() else { return String::new() };
    let mut parts = Vec::new();
    for element in bin.iterate_recurse().into_iter().flatten() {
        let name = element.name();
        let (_, current, pending) = element.state(gst::ClockTime::ZERO);
        if current != gst::State::Playing || pending != gst::State::VoidPending {
            parts.push(format!("{name} {current:?}→{pending:?}"));
        }
        if element.has_property("current-level-buffers") {
            let level = element.property_value("current-level-buffers");
            if let Ok(level) = level.get::<u32>().map(u64::from).or_else(|_| level.get::<u64>()) {
                if level > 0 {
                    parts.push(format!("{name} {level} buffers"));
                }
            }
        }
        for pad in element.src_pads() {
            let flow = pad.last_flow_result();
            if flow != Ok(gst::FlowSuccess::Ok) {
                parts.push(format!("{name}.{} {flow:?}", pad.name()));
            }
        }
    }
    if parts.is_empty() {
        "all playing".into()
    } else {
        parts.join("; ")
    }
}

/// Where `pipeline`'s clock-driven elements stand in time, in one log
/// line: the running time now, each aggregator's output position and the
/// timestamps waiting on its inputs, and every element whose base time is
/// not its pipeline's. An aggregator whose output runs far ahead of the
/// clock, an input whose buffers lie in the future, or an element on
/// another base time waits for a moment that comes late or never.
pub(crate) fn describe_timing(pipeline: &gst::Element) -> String {
    let Some(bin) = pipeline.downcast_ref::<gst::Bin>() else { return String::new() };
    let (Some(base), Some(clock)) = (pipeline.base_time(), pipeline.clock()) else {
        return "no clock yet".into();
    };
    let now = clock.time().nseconds() as i64 - base.nseconds() as i64;
    let ms = |ns: i64| ns / 1_000_000;
    let mut parts = vec![format!("running {} ms", ms(now))];
    for element in bin.iterate_recurse().into_iter().flatten() {
        let name = element.name();
        if let Some(own) = element.base_time().filter(|own| *own != base) {
            parts.push(format!("{name} base {:+} ms", ms(own.nseconds() as i64 - base.nseconds() as i64)));
        }
        let Some(aggregator) = element.downcast_ref::<gst_base::Aggregator>() else { continue };
        if let Some(at) = aggregator.src_pad().query_position::<gst::ClockTime>() {
            parts.push(format!("{name} at {} ms", ms(at.nseconds() as i64)));
        }
        for pad in aggregator.sink_pads() {
            let Some(pad) = pad.downcast_ref::<gst_base::AggregatorPad>() else { continue };
            let waiting =
                pad.peek_buffer().and_then(|b| crate::engine::fanout::running_time_on(pad.upcast_ref(), &b));
            match waiting {
                Some(t) => parts.push(format!("{name}.{} holds {} ms", pad.name(), ms(t.nseconds() as i64))),
                None => parts.push(format!("{name}.{} empty", pad.name())),
            }
        }
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn launch(description: &str) -> gst::Element {
        gst::init().expect("GStreamer initialises");
        gst::parse::launch(description).expect("pipeline")
    }

    #[test]
    fn a_full_queue_and_elements_short_of_playing_are_named() {
        // Paused, the sink holds its first picture and the queue fills.
        let pipeline =
            launch("videotestsrc ! queue name=waiting max-size-buffers=3 ! fakesink name=out sync=true");
        pipeline.set_state(gst::State::Paused).expect("paused");
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        std::thread::sleep(std::time::Duration::from_millis(200));
        let text = describe(&pipeline);
        assert!(text.contains("waiting 3 buffers"), "{text}");
        assert!(text.contains("out Paused→VoidPending"), "{text}");
        let _ = pipeline.set_state(gst::State::Null);
    }

    #[test]
    fn a_refused_push_is_named_with_its_pad() {
        let pipeline = launch(
            "appsrc name=src caps=video/x-raw,format=I420,width=8,height=8,framerate=30/1 \
             ! capsfilter caps=video/x-raw,format=RGB ! fakesink",
        );
        pipeline.set_state(gst::State::Playing).expect("playing");
        let bin = pipeline.downcast_ref::<gst::Bin>().expect("a bin");
        let src = bin.by_name("src").and_then(|e| e.downcast::<gst_app::AppSrc>().ok()).expect("appsrc");
        let _ = src.push_buffer(gst::Buffer::with_size(96).expect("buffer"));
        let bus = pipeline.bus().expect("bus");
        bus.timed_pop_filtered(gst::ClockTime::from_seconds(5), &[gst::MessageType::Error])
            .expect("the push was refused");
        let text = describe(&pipeline);
        assert!(text.contains("src.src Err("), "{text}");
        let _ = pipeline.set_state(gst::State::Null);
    }

    #[test]
    fn a_mixer_input_holding_a_future_buffer_is_named_with_its_time() {
        // The mix is played by the clock (a syncing sink): its input holds
        // a buffer timed 10 s ahead, which the mix reaches only then.
        let pipeline = launch(
            "appsrc name=src is-live=true format=time \
               caps=audio/x-raw,format=S16LE,rate=48000,channels=2,layout=interleaved \
             ! audiomixer name=mix force-live=true ! fakesink sync=true",
        );
        pipeline.set_state(gst::State::Playing).expect("playing");
        let _ = pipeline.state(gst::ClockTime::from_seconds(5));
        let bin = pipeline.downcast_ref::<gst::Bin>().expect("a bin");
        let src = bin.by_name("src").and_then(|e| e.downcast::<gst_app::AppSrc>().ok()).expect("appsrc");
        let mut buffer = gst::Buffer::with_size(192).expect("buffer");
        let buffer_ref = buffer.get_mut().expect("writable");
        buffer_ref.set_pts(gst::ClockTime::from_seconds(10));
        buffer_ref.set_duration(gst::ClockTime::from_mseconds(1));
        src.push_buffer(buffer).expect("pushed");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut text = describe_timing(&pipeline);
        while !text.contains("mix.sink_0 holds 10000 ms") && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
            text = describe_timing(&pipeline);
        }
        assert!(text.contains("mix.sink_0 holds 10000 ms"), "{text}");
        assert!(text.contains("running "), "{text}");
        assert!(text.contains("mix at "), "{text}");
        let _ = pipeline.set_state(gst::State::Null);
    }
}
