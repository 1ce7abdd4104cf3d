//! Composition on the real program pipeline, read back pixel by pixel.

mod common;

use std::time::Duration;

use common::*;
use plateau::engine::{Studio, VideoTap};

#[test]
fn layers_are_drawn_where_their_items_say_and_follow_live_moves() {
    init_tracing();
    let mut c = collection();
    c.sources = vec![color_source("red", RED), color_source("blue", BLUE)];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "blue", 100, 50, 320, 180)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 8).expect("tap starts");

    let frame = frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(260, 140), BLUE, 24))
        .expect("the blue layer appears within 5 s");
    for (x, y) in [(101, 51), (418, 51), (101, 228), (418, 228), (260, 140)] {
        assert!(
            near(frame.pixel(x, y), BLUE, 24),
            "inside the blue rectangle at ({x},{y}): {:?}",
            frame.pixel(x, y)
        );
    }
    for (x, y) in [(5, 5), (98, 140), (422, 140), (260, 48), (260, 232), (630, 350)] {
        assert!(
            near(frame.pixel(x, y), RED, 24),
            "outside the blue rectangle at ({x},{y}): {:?}",
            frame.pixel(x, y)
        );
    }

    // Move the item while running: at most 2 frames made after the command
    // was applied still show the old place.
    let moved = item(2, "blue", 300, 150, 320, 180);
    studio.update_item("Main", moved).expect("the item moves");
    let applied = studio.clock_time();
    let mut stale_after_command = 0;
    let frame = loop {
        let f = tap.next(Duration::from_secs(2)).expect("frames keep coming");
        if near(f.pixel(460, 240), BLUE, 24) && near(f.pixel(150, 100), RED, 24) {
            break f;
        }
        if f.clock_time >= applied {
            stale_after_command += 1;
        }
        assert!(stale_after_command <= 2, "a frame 3 frames after the move still shows the old place");
    };
    assert!(near(frame.pixel(610, 320), BLUE, 24), "the bottom-right corner of the moved rectangle is blue");
    assert!(near(frame.pixel(290, 140), RED, 24), "left of the moved rectangle is red");
    assert!(near(frame.pixel(310, 160), BLUE, 24), "the top-left corner of the moved rectangle is blue");
    studio.stop();
}
