//! Live edits applied to the running program: visibility, opacity, order,
//! crop, adding and removing items, editing a text.

mod common;

use std::time::Duration;

use common::*;
use plateau::engine::{Studio, VideoTap};
use plateau::model::{Crop, ItemId, Source, SourceKind, TestPattern};

fn red_with_blue_square() -> (Studio, VideoTap) {
    init_tracing();
    let mut c = collection();
    c.sources = vec![color_source("red", RED), color_source("blue", BLUE)];
    c.scenes = vec![scene("Main", vec![item(1, "red", 0, 0, 640, 360), item(2, "blue", 100, 100, 200, 100)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    frame_where(&tap, Duration::from_secs(5), |f| near(f.pixel(200, 150), BLUE, 24)).expect("blue shows");
    (studio, tap)
}

fn shows(tap: &VideoTap, test: impl Fn(&plateau::engine::Frame) -> bool, what: &str) {
    tap.drain();
    frame_where(tap, Duration::from_secs(3), test).unwrap_or_else(|| panic!("{what}"));
}

#[test]
fn visibility_and_opacity_change_live() {
    let (studio, tap) = red_with_blue_square();
    let mut blue = item(2, "blue", 100, 100, 200, 100);
    blue.visible = false;
    studio.update_item("Main", blue.clone()).expect("hide");
    shows(&tap, |f| near(f.pixel(200, 150), RED, 24), "a hidden item is not drawn");
    blue.visible = true;
    blue.opacity = 0.5;
    studio.update_item("Main", blue).expect("half opacity");
    shows(&tap, |f| near(f.pixel(200, 150), [128, 0, 128], 30), "half-transparent blue over red is purple");
    let saved = studio.collection().expect("collection");
    assert_eq!(saved.scene("Main").expect("scene").item(ItemId(2)).expect("item").opacity, 0.5);
}

#[test]
fn stacking_order_changes_live() {
    let (studio, tap) = red_with_blue_square();
    studio.move_item("Main", ItemId(2), 0).expect("move to the bottom");
    shows(&tap, |f| near(f.pixel(200, 150), RED, 24), "the full-frame red covers blue once on top");
    let saved = studio.collection().expect("collection");
    assert_eq!(saved.scenes[0].items[0].id, ItemId(2), "the model keeps the new order");
    studio.move_item("Main", ItemId(2), 1).expect("back on top");
    shows(&tap, |f| near(f.pixel(200, 150), BLUE, 24), "blue on top again");
}

#[test]
fn items_are_added_and_removed_live() {
    let (studio, tap) = red_with_blue_square();
    studio.add_source(color_source("green", GREEN)).expect("source added");
    let id = studio.add_item("Main", item(0, "green", 400, 200, 100, 100)).expect("item added");
    assert_ne!(id, ItemId(0), "a fresh id was given");
    shows(&tap, |f| near(f.pixel(450, 250), GREEN, 24) && near(f.pixel(200, 150), BLUE, 24), "green appears");
    studio.remove_item("Main", ItemId(2)).expect("blue removed");
    shows(&tap, |f| near(f.pixel(200, 150), RED, 24) && near(f.pixel(450, 250), GREEN, 24), "blue is gone");
    assert!(studio.remove_item("Main", ItemId(99)).is_err(), "an unknown item is an error");
    assert!(
        studio.add_item("Main", item(0, "nothing", 0, 0, 10, 10)).is_err(),
        "an unknown source is an error"
    );
}

#[test]
fn crop_cuts_the_source_before_it_is_scaled() {
    init_tracing();
    let mut c = collection();
    c.sources = vec![Source::new("bars", "Bars", SourceKind::TestPattern { pattern: TestPattern::Smpte })];
    c.scenes = vec![scene("Main", vec![item(1, "bars", 0, 0, 640, 360)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    shows(&tap, |f| near(f.pixel(20, 100), [255, 255, 255], 40), "the first bar is white");
    // Keep only the last (blue) bar of the top part, stretched over the canvas.
    let mut cropped = item(1, "bars", 0, 0, 640, 360);
    cropped.crop = Crop { left: 640 * 6 / 7 + 4, top: 0, right: 0, bottom: 130 };
    studio.update_item("Main", cropped).expect("crop");
    shows(
        &tap,
        |f| near(f.pixel(20, 100), BLUE, 40) && near(f.pixel(620, 340), BLUE, 40),
        "only blue is left",
    );
}

#[test]
fn a_text_is_edited_while_live() {
    init_tracing();
    let mut c = collection();
    let text = |t: &str| {
        Source::new(
            "title",
            "Title",
            SourceKind::Text {
                text: t.into(),
                font: "Sans Bold".into(),
                size: 200,
                color: plateau::model::Color::rgb(255, 255, 0),
                outline: false,
                shadow: false,
                width: 640,
                height: 360,
                motion: plateau::model::TextMotion::Still,
            },
        )
    };
    c.sources = vec![color_source("blue", BLUE), text("")];
    c.scenes = vec![scene("Main", vec![item(1, "blue", 0, 0, 640, 360), item(2, "title", 0, 0, 640, 360)])];
    let studio = Studio::start(c, None).expect("studio starts");
    let tap = VideoTap::start(&studio, 64).expect("tap");
    let yellow = |f: &plateau::engine::Frame| {
        (0..640)
            .step_by(4)
            .flat_map(|x| (100..260).step_by(4).map(move |y| (x, y)))
            .filter(|&(x, y)| near(f.pixel(x, y), [255, 255, 0], 40))
            .count()
    };
    shows(&tap, |f| near(f.pixel(320, 180), BLUE, 24) && yellow(f) == 0, "an empty text shows nothing");
    studio.update_source(text("HI")).expect("edit the text");
    shows(
        &tap,
        |f| yellow(f) > 50 && near(f.pixel(5, 5), BLUE, 24),
        "the new text shows over the transparent rest",
    );
    // Typing on: each edit rebuilds the text, and the old picture stays
    // until the new one comes, so the title never blinks out.
    tap.drain();
    for typed in ["HI!", "HI!!", "HI!!!"] {
        studio.update_source(text(typed)).expect("edit the text");
        for _ in 0..4 {
            let frame = tap.next(Duration::from_secs(2)).expect("frames go on");
            assert!(yellow(&frame) > 50, "the title blinked out while {typed:?} was typed");
        }
    }
}

#[test]
fn a_scene_on_air_can_be_renamed_and_reordered() {
    let (studio, tap) = red_with_blue_square();
    studio.add_scene(plateau::model::Scene::new("Empty")).expect("added");
    assert!(studio.add_scene(plateau::model::Scene::new("Empty")).is_err(), "names are unique");
    studio.rename_scene("Main", "On Air").expect("renamed");
    assert_eq!(studio.program_scene().expect("answer"), Some("On Air".into()));
    assert!(studio.rename_scene("On Air", "Empty").is_err(), "no two scenes share a name");
    studio.move_scene("Empty", 0).expect("moved");
    let c = studio.collection().expect("collection");
    assert_eq!(c.scenes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), vec!["Empty", "On Air"]);
    // Edits still reach the renamed scene on air.
    let mut blue = item(2, "blue", 100, 100, 200, 100);
    blue.visible = false;
    studio.update_item("On Air", blue).expect("edit");
    shows(&tap, |f| near(f.pixel(200, 150), RED, 24), "the renamed scene still takes edits live");
    studio.switch_scene("Empty", plateau::model::Transition::CUT).expect("switch");
    shows(&tap, |f| near(f.pixel(200, 150), [0, 0, 0], 24), "an empty scene is black");
}

#[test]
fn a_request_is_answered_with_the_new_collection_and_a_source_comes_with_its_item_or_not_at_all() {
    let (studio, tap) = red_with_blue_square();
    let green = color_source("green", GREEN);
    let command = |scene: &str| plateau::engine::Command::AddSourceWithItem {
        source: green.clone(),
        scene: scene.into(),
        item: item(0, "anything", 400, 200, 100, 100),
    };
    // Sent without waiting; the answer carries the collection after it.
    let pending = studio.request(command("Main"));
    let answer = glib::MainContext::default().block_on(pending).expect("added");
    let plateau::engine::Reply::Item(id) = answer.reply else { panic!("{:?}", answer.reply) };
    let added = answer.collection.scene("Main").and_then(|s| s.item(id)).expect("the item in the answer");
    assert_eq!(added.source.as_str(), "green", "the item shows the new source");
    shows(&tap, |f| near(f.pixel(450, 250), GREEN, 24), "green appears");
    // Whoever listens is told, with the same revision.
    let told = event_where(
        &studio,
        Duration::from_secs(2),
        |e| matches!(e, plateau::engine::Event::CollectionChanged { revision, .. } if *revision == answer.revision),
    );
    assert!(told.is_some(), "no CollectionChanged event for revision {}", answer.revision);
    // Into a scene that does not exist: neither the source nor an item.
    let mut other = green.clone();
    other.id = plateau::model::SourceId::new("green-2");
    let refused = studio.send(plateau::engine::Command::AddSourceWithItem {
        source: other,
        scene: "Nowhere".into(),
        item: item(0, "green-2", 0, 0, 10, 10),
    });
    assert!(refused.is_err(), "{refused:?}");
    let now = studio.collection().expect("collection");
    assert!(now.source(&plateau::model::SourceId::new("green-2")).is_none(), "no half-added source");
    assert_eq!(now.sources.len(), 3);
}
