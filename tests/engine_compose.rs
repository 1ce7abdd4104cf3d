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

#[test]
fn a_chat_source_draws_the_audiences_last_messages_and_nothing_before_them() {
    init_tracing();
    let mut c = collection();
    let chat: plateau::model::SourceKind = serde_json::from_value(
        serde_json::json!({ "kind": "chat", "width": 640, "height": 200, "lines": 3 }),
    )
    .expect("a chat with its defaults");
    c.sources = vec![color_source("red", RED), plateau::model::Source::new("chat", "Chat", chat)];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "chat", 0, 80, 640, 200)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 8).expect("tap starts");
    // Pixels of the chat's box that are not the scene's red.
    let written = |f: &plateau::engine::Frame| {
        let mut n = 0;
        for y in (80..280).step_by(2) {
            for x in (0..640).step_by(2) {
                n += usize::from(!near(f.pixel(x, y), RED, 60));
            }
        }
        n
    };
    let empty =
        frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(320, 20), RED, 24)).expect("a frame");
    assert_eq!(written(&empty), 0, "an empty chat draws nothing");
    let said: Vec<String> = (1..=5).map(|n| format!("Viewer {n}: message number {n}")).collect();
    studio.send(plateau::engine::Command::ShowChat(said)).expect("the chat is given");
    let shown =
        frame_where(&tap, Duration::from_secs(5), |f| written(f) > 500).expect("the messages are drawn");
    // Three lines (the last three messages) and no more: bands of rows
    // with writing, separated by rows of the scene's red.
    let bands = (80..280)
        .map(|y| (0..640).step_by(2).any(|x| !near(shown.pixel(x, y), RED, 60)))
        .fold((0, false), |(n, was), is| (n + usize::from(is && !was), is))
        .0;
    eprintln!("chat box: {} pixels written, {bands} lines, for 3 of 5 messages", written(&shown));
    assert_eq!(bands, 3, "the last three messages, a line each");
    studio.send(plateau::engine::Command::ShowChat(Vec::new())).expect("the chat is emptied");
    let cleared = frame_where(&tap, Duration::from_secs(5), |f| written(f) == 0)
        .expect("an emptied chat draws nothing");
    assert_eq!(written(&cleared), 0);
}
