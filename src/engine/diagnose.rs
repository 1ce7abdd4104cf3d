//! What a pipeline that stopped taking buffers is doing, in one log line:
//! the elements that are not playing, the pads whose last push failed, and
//! how full each queue is. Written when an output falls behind, so that a
//! stall seen once on a loaded machine can be told apart from slowness.

use gst::prelude::*;

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
}
