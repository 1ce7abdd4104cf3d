//! The real application under Xvfb: its window, its actions over D-Bus
//! (org.gtk.Actions, as any other program would call them), screenshots,
//! and its accessibility tree read through AT-SPI.

mod common;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::app::*;
use common::desktop::Shot;
use common::*;
use plateau::model::{Settings, SourceKind};

#[test]
fn the_window_shows_the_live_program_and_obeys_its_actions_over_dbus() {
    let app = App::start(None);
    let first = app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let first_ball = first.signature(BALL_AREA.0, BALL_AREA.1, BALL_AREA.2, BALL_AREA.3);
    std::thread::sleep(Duration::from_millis(1000));
    let second = app.shot("second.png");
    assert!(centre_is(&second, RED), "still red");
    assert_ne!(
        second.signature(BALL_AREA.0, BALL_AREA.1, BALL_AREA.2, BALL_AREA.3),
        first_ball,
        "the ball moves: the canvas is live"
    );

    let names = app.accessible_names();
    for panel in ["Scenes", "Sources", "Program", "Audio Mixer", "Record", "Go Live", "Transition"] {
        assert!(names.lines().any(|l| l == panel), "the accessibility tree names `{panel}`:\n{names}");
    }

    app.activate("switch-scene", Some("'Blue'"));
    app.wait_for("the blue scene after app.switch-scene", |s| centre_is(s, BLUE));

    app.activate("record", None);
    std::thread::sleep(Duration::from_secs(3));
    // The status line tells the CPU use and how long it has been recording.
    let status = app.accessible_names();
    let line = status.lines().find(|l| l.contains("Frames per second")).unwrap_or_default().to_owned();
    assert!(line.contains("● Recording 00:00:0") && line.contains("CPU "), "status line: {line}");
    let percent: f64 = line
        .split("CPU ")
        .nth(1)
        .and_then(|r| r.split(" %").next())
        .and_then(|p| p.trim().parse().ok())
        .expect("a CPU percentage");
    assert!(percent > 0.0 && percent < 250.0, "CPU {percent} % on two cores");
    app.activate("record", None);
    let deadline = Instant::now() + Duration::from_secs(10);
    let file = loop {
        let done = app.recordings().into_iter().find(|p| playable_seconds(p) > 2.0);
        if let Some(f) = done {
            break f;
        }
        assert!(Instant::now() < deadline, "no playable recording in {:?}", app.recordings());
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(file.extension().and_then(|e| e.to_str()), Some("mkv"));
}

#[test]
fn the_window_speaks_french_with_language_fr() {
    let app = App::start(Some("fr"));
    app.wait_for("the canvas", |s| centre_is(s, RED));
    let names = app.accessible_names();
    for label in ["Scènes", "Programme", "Mélangeur audio", "Enregistrer", "Passer à l’antenne"] {
        assert!(names.lines().any(|l| l == label), "`{label}` in the French window:\n{names}");
    }
    assert!(!names.lines().any(|l| l == "Scenes"), "no English panel title left");
}

#[test]
fn dragging_on_the_canvas_moves_and_resizes_the_item_and_the_collection_keeps_it() {
    let app = App::start(None);
    let view = app.canvas_to_screen();

    // The ball item is at (320,180) 320x180: drag its middle 200,100 canvas px up-left.
    drag(&app.display, view(480.0, 270.0), view(280.0, 170.0));
    // Then its bottom-right handle, now at (440, 260), 100,50 further.
    drag(&app.display, view(440.0, 260.0), view(540.0, 310.0));

    // Edits are saved half a second after the last one.
    std::thread::sleep(Duration::from_millis(1500));
    let item = app.saved_red_item(2, |i| i.width != 320);
    let close = |a: i64, b: i64| (a - b).abs() <= 3;
    assert!(close(item.x.into(), 120) && close(item.y.into(), 80), "moved to ({}, {})", item.x, item.y);
    assert!(
        close(item.width.into(), 420) && close(item.height.into(), 230),
        "resized to {}x{}",
        item.width,
        item.height
    );
}

#[test]
fn studio_mode_prepares_the_next_scene_beside_the_program() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("studio-mode", None);
    app.activate("switch-scene", Some("'Blue'"));
    // Blue on the preview (left), red still on the program (right).
    let shot = app.wait_for("blue on the preview", |s| {
        let (_, _, w, _) = s.bounds_of(BLUE);
        w > 100
    });
    let (bx, _, bw, _) = shot.bounds_of(BLUE);
    let (rx, _, rw, _) = shot.bounds_of(RED);
    assert!(rw > 100, "the program is still red");
    assert!(bx + bw <= rx + 5, "the preview ({bx}+{bw}) is left of the program ({rx}+{rw})");
    app.activate("transition", None);
    app.wait_for("blue on the program too", |s| {
        let (_, _, rw, _) = s.bounds_of(RED);
        rw < 50
    });
}

#[test]
fn a_text_is_edited_in_its_properties_and_the_collection_keeps_it() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("source-properties", Some("'title'"));
    std::thread::sleep(Duration::from_millis(800));
    let names = app.accessible_names();
    for row in ["Text", "Font", "Size", "Colour", "Outline", "Shadow"] {
        assert!(names.lines().any(|l| l == row), "the text's properties have `{row}`:\n{names}");
    }
    // The text field has the focus: type at its end.
    let status = Command::new("xdotool")
        .args(["key", "End", "type", "--delay", "30", " now"])
        .env("DISPLAY", &app.display)
        .status()
        .expect("xdotool runs (install the package xdotool)");
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(1500));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = plateau::model::load_collection(&saved).ok().and_then(|c| {
            c.source(&plateau::model::SourceId::new("title")).and_then(|s| match &s.kind {
                SourceKind::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
        });
        if text.as_deref() == Some("On air now") {
            break;
        }
        assert!(Instant::now() < deadline, "the saved text is {text:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn scenes_are_duplicated_moved_removed_and_brought_back() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let names = || -> Vec<String> {
        plateau::model::load_collection(&saved)
            .map(|c| c.scenes.into_iter().map(|s| s.name).collect())
            .unwrap_or_default()
    };
    let wait_names = |want: &[&str]| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while names() != want {
            assert!(Instant::now() < deadline, "scenes are {:?}, not {want:?}", names());
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    app.activate("scene-duplicate", Some("'Red'"));
    wait_names(&["Red", "Red (copy)", "Blue"]);
    app.activate("scene-up", Some("'Blue'"));
    wait_names(&["Red", "Blue", "Red (copy)"]);
    app.activate("scene-remove", Some("'Blue'"));
    wait_names(&["Red", "Red (copy)"]);
    app.activate("undo-remove-scene", None);
    wait_names(&["Red", "Blue", "Red (copy)"]);
    // The program still shows the red scene through all this.
    assert!(centre_is(&app.shot("after.png"), RED));
}

#[test]
fn a_podcast_with_a_chapter_is_recorded_from_the_window() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("podcast", None);
    std::thread::sleep(Duration::from_secs(4));
    app.activate("chapter", None);
    std::thread::sleep(Duration::from_secs(2));
    app.activate("podcast", None);
    let deadline = Instant::now() + Duration::from_secs(20);
    let file = loop {
        let found = app.recordings().into_iter().find(|p| p.extension().is_some_and(|e| e == "mka"));
        let chapters = app.recordings().into_iter().any(|p| p.to_string_lossy().ends_with(".chapters.txt"));
        if let (Some(f), true) = (found, chapters) {
            break f;
        }
        assert!(Instant::now() < deadline, "no podcast file with chapters in {:?}", app.recordings());
        std::thread::sleep(Duration::from_millis(300));
    };
    let text =
        ffprobe(&file, &["-show_entries", "stream=codec_name:chapter=start_time", "-of", "compact=p=0"]);
    assert!(text.contains("codec_name=opus"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("start_time=")), "a chapter mark in {text}");
}

#[test]
fn the_window_is_never_blocked_for_long_while_the_program_runs() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // Switch scenes and toggle studio mode meanwhile: commands must not block frames.
    for scene in ["'Blue'", "'Red'", "'Blue'"] {
        app.activate("switch-scene", Some(scene));
        std::thread::sleep(Duration::from_millis(700));
    }
    app.activate("studio-mode", None);
    std::thread::sleep(Duration::from_secs(9));
    let log = std::fs::read_to_string(app.dir.path().join("plateau.log")).expect("log");
    let gaps: Vec<u64> = log
        .lines()
        .filter(|l| l.contains("ui frames: longest gap"))
        .filter_map(|l| {
            l.rsplit("longest_ms=")
                .next()
                .and_then(|v| v.trim().trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok())
        })
        .collect();
    assert!(gaps.len() >= 2, "two reports of 5 s: {log}");
    eprintln!("longest UI frame gaps per 5 s (the first one includes start-up): {gaps:?} ms");
    // The target is 50 ms; the bound here leaves room for a loaded CI machine
    // while still catching a command that blocks the interface.
    for gap in &gaps[1..] {
        assert!(*gap < 150, "the interface was blocked for {gap} ms");
    }
}

#[test]
fn items_are_restacked_fitted_and_locked_from_their_menu() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let red_scene = || plateau::model::load_collection(&saved).ok().and_then(|c| c.scene("Red").cloned());
    let wait = |what: &str, test: &dyn Fn(&plateau::model::Scene) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !red_scene().is_some_and(|s| test(&s)) {
            assert!(Instant::now() < deadline, "{what}: {:?}", red_scene().map(|s| s.items));
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    // The ball (item 2) goes under the red background: the canvas is all red.
    app.activate("item-lower", Some("'2'"));
    wait("lowered", &|s| s.items.iter().position(|i| i.id.0 == 2) == Some(0));
    app.wait_for("the ball hidden under red", |s| {
        let p = s.pixel(BALL_AREA.0 + 100, BALL_AREA.1 + 60);
        near([p[0], p[1], p[2], 255], RED, 30)
    });
    app.activate("item-raise", Some("'2'"));
    app.activate("item-fit", Some("'2'"));
    wait("fitted", &|s| {
        s.item(plateau::model::ItemId(2)).is_some_and(|i| (i.width, i.height, i.x, i.y) == (640, 360, 0, 0))
    });
    app.activate("item-lock", Some("'2'"));
    wait("locked", &|s| s.item(plateau::model::ItemId(2)).is_some_and(|i| i.locked));
}

#[test]
fn settings_add_a_destination_and_change_the_canvas_while_the_show_goes_on() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let settings_file = app.dir.path().join("config/plateau/settings.json");

    // A ready-made service: only the key is left to paste.
    app.activate("add-destination", Some("'Twitch'"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let twitch = loop {
        let found = Settings::load(&settings_file)
            .ok()
            .and_then(|s| s.destinations.into_iter().find(|d| d.name == "Twitch"));
        if let Some(d) = found {
            break d;
        }
        assert!(Instant::now() < deadline, "the destination was not saved");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(twitch.server, "rtmp://live.twitch.tv/app");
    assert!(twitch.enabled);

    // The dialog, its pages and the destination in it.
    app.activate("settings", None);
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match ["Recording", "Video", "Streaming", "File name", "Folder"].iter().all(|n| names.contains(n)) {
            true => Ok(()),
            false => Err(format!("the settings dialog did not show its pages: {names}")),
        }
    });
    app.shot("settings.png");
    // A destination added while the dialog is open joins its list.
    app.activate("add-destination", Some("'YouTube'"));
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match ["rtmp://live.twitch.tv/app", "rtmp://a.rtmp.youtube.com/live2"]
            .iter()
            .all(|n| names.contains(n))
        {
            true => Ok(()),
            false => Err(format!("the open dialog does not list both destinations: {names}")),
        }
    });
    // Escape closes it and uncovers the canvas.
    let closed = Command::new("xdotool").args(["key", "Escape"]).env("DISPLAY", &app.display).status();
    assert!(closed.expect("xdotool runs (install the package xdotool)").success());

    // A new canvas: the engine restarts at it, items keep their place.
    app.activate("canvas", Some("'1280x720@25'"));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let deadline = Instant::now() + Duration::from_secs(15);
    let collection = loop {
        if let Some(c) = plateau::model::load_collection(&saved).ok().filter(|c| c.video.width == 1280) {
            break c;
        }
        assert!(Instant::now() < deadline, "the new canvas was not saved");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!((collection.video.height, collection.video.fps), (720, 25));
    let ball = collection.scene("Red").and_then(|s| s.items.iter().find(|i| i.id.0 == 2)).expect("ball item");
    assert_eq!((ball.x, ball.y, ball.width, ball.height), (640, 360, 640, 360));
    let log = std::fs::read_to_string(app.dir.path().join("plateau.log")).unwrap_or_default();
    assert!(log.contains("canvas changed") && log.contains("width=1280"), "{log}");
    // Still live after the restart: the ball moves.
    let a = app.wait_for("the red scene again", |s| centre_is(s, RED));
    std::thread::sleep(Duration::from_millis(500));
    let b = app.shot("after.png");
    let (x, y, w, h) = BALL_AREA;
    assert_ne!(a.signature(x, y, w, h), b.signature(x, y, w, h), "the program is live at the new canvas");
}

#[test]
fn alt_drag_crops_and_the_right_click_menu_resets_the_item() {
    let app = App::start(None);
    let view = app.canvas_to_screen();

    // Select the ball item (320,180 320x180), then Alt+drag its left edge 80 px right.
    drag(&app.display, view(480.0, 270.0), view(480.0, 270.0));
    let xdo = |args: &[&str]| {
        let ok = Command::new("xdotool").args(args).env("DISPLAY", &app.display).status();
        assert!(ok.expect("xdotool runs (install the package xdotool)").success(), "xdotool {args:?}");
    };
    xdo(&["keydown", "alt"]);
    drag(&app.display, view(320.0, 270.0), view(400.0, 270.0));
    xdo(&["keyup", "alt"]);
    // Edits are saved half a second after the last one.
    std::thread::sleep(Duration::from_millis(1500));
    let cropped = app.saved_red_item(2, |i| i.crop.left > 0);
    let close = |a: i64, b: i64| (a - b).abs() <= 3;
    assert!(close(cropped.crop.left.into(), 80), "crop {:?}", cropped.crop);
    assert!(close(cropped.x.into(), 400) && close(cropped.width.into(), 240), "{cropped:?}");
    assert_eq!((cropped.y, cropped.height), (180, 180), "the other sides stay");

    // A right click opens the item's menu...
    let (x, y) = view(500.0, 270.0);
    xdo(&["mousemove", &format!("{}", x as i32), &format!("{}", y as i32), "click", "3"]);
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match ["Reset Transform", "Bring Forward", "Fit to Canvas", "Remove"]
            .iter()
            .all(|n| names.contains(n))
        {
            true => Ok(()),
            false => Err(format!("no item menu after a right click: {names}")),
        }
    });
    app.shot("context-menu.png");
    xdo(&["key", "Escape"]);
    // ...whose Reset Transform puts the source at its own size, uncropped.
    app.activate("item-reset", Some("'2'"));
    let reset = app.saved_red_item(2, |i| i.crop.left == 0);
    assert_eq!((reset.x, reset.y, reset.width, reset.height), (0, 0, 320, 180), "{reset:?}");
}

#[test]
fn collections_are_created_switched_removed_and_brought_back() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let collections = app.dir.path().join("config/plateau/collections");
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    let open_in_settings = |name: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Settings::load(&settings_file).ok().and_then(|s| s.collection).as_deref() != Some(name) {
            assert!(Instant::now() < deadline, "the settings never named `{name}` as the open collection");
            std::thread::sleep(Duration::from_millis(200));
        }
    };

    app.activate("create-collection", Some("'Second'"));
    open_in_settings("Second");
    app.wait_for("the new, empty collection (black canvas)", |s| centre_is(s, [0, 0, 0]));
    assert!(collections.join("Second.json").exists() && collections.join("Test.json").exists());

    app.activate("switch-collection", Some("'Test'"));
    open_in_settings("Test");
    app.wait_for("the first collection again", |s| centre_is(s, RED));

    app.activate("switch-collection", Some("'Second'"));
    open_in_settings("Second");
    app.activate("remove-collection", None);
    open_in_settings("Test");
    app.wait_for("the remaining collection", |s| centre_is(s, RED));
    assert!(!collections.join("Second.json").exists(), "the removed collection's file is gone");
    app.activate("undo-remove-collection", None);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !collections.join("Second.json").exists() {
        assert!(Instant::now() < deadline, "Undo did not bring the collection back");
        std::thread::sleep(Duration::from_millis(200));
    }
    let back = plateau::model::load_collection(&collections.join("Second.json")).expect("readable");
    assert_eq!(back.scenes.len(), 1);
}

#[test]
fn ctrl_z_undoes_moves_fits_and_removals_in_order() {
    let app = App::start(None);
    let view = app.canvas_to_screen();
    // Move the ball item (320,180) by 100,50 canvas px with the pointer.
    drag(&app.display, view(480.0, 270.0), view(580.0, 320.0));
    std::thread::sleep(Duration::from_millis(1500));
    let moved = app.saved_red_item(2, |i| i.x != 320);
    app.activate("item-fit", Some("'2'"));
    app.saved_red_item(2, |i| i.width == 640);
    app.activate("item-remove", Some("'2'"));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    while plateau::model::load_collection(&saved).ok().and_then(|c| c.scene("Red").map(|s| s.items.len()))
        != Some(2)
    {
        assert!(Instant::now() < deadline, "the item was not removed");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Ctrl+Z three times: back in its place in the stack, then its size, then its position.
    let key = |k: &str| {
        let ok = Command::new("xdotool").args(["key", k]).env("DISPLAY", &app.display).status();
        assert!(ok.expect("xdotool runs (install the package xdotool)").success());
    };
    key("ctrl+z");
    let back = app.saved_red_item(2, |i| i.width == 640);
    let order = plateau::model::load_collection(&saved)
        .ok()
        .and_then(|c| c.scene("Red").map(|s| s.items.iter().map(|i| i.id.0).collect::<Vec<_>>()));
    assert_eq!(order, Some(vec![1, 2, 3]), "back at its place in the stack: {back:?}");
    key("ctrl+z");
    app.saved_red_item(2, |i| (i.x, i.y, i.width, i.height) == (moved.x, moved.y, 320, 180));
    key("ctrl+z");
    app.saved_red_item(2, |i| (i.x, i.y) == (320, 180));
}

#[test]
fn the_window_opens_at_the_size_it_was_left_and_saves_it_when_closed() {
    let left = plateau::model::WindowState { width: 1000, height: 700, maximized: false };
    let app = App::start_with(None, |s| s.window = Some(left));
    // (The canvas is smaller in this window: its middle is not where the others have it.)
    app.wait_for("the red scene on the canvas", |s| s.bounds_of(RED).2 > 100);
    let out = Command::new("xdotool")
        .args(["search", "--onlyvisible", "--name", "^Plateau$", "getwindowgeometry"])
        .env("DISPLAY", &app.display)
        .output()
        .expect("xdotool runs (install the package xdotool)");
    let geometry = String::from_utf8_lossy(&out.stdout);
    assert!(geometry.contains("Geometry: 1000x700"), "the window opened at {geometry}");
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    std::fs::remove_file(&settings_file).expect("the settings file is there");
    app.activate("quit", None);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(state) = Settings::load(&settings_file).ok().and_then(|s| s.window) {
            assert_eq!(state, left, "the window's state is saved on quitting");
            break;
        }
        assert!(Instant::now() < deadline, "no window state saved on quitting");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn go_live_streams_to_the_destinations_and_the_status_line_shows_their_traffic() {
    let _alone = alone();
    let nginx = common::nginx::Nginx::start();
    let url = nginx.url("live", "window");
    let server = url.clone();
    let app = App::start_with(None, move |s| {
        s.destinations.push(plateau::model::Destination { name: "Home".into(), server, enabled: true })
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("go-live", None);
    let deadline = Instant::now() + Duration::from_secs(20);
    let line = loop {
        let names = app.accessible_names();
        let line = names.lines().find(|l| l.contains("Frames per second")).unwrap_or_default().to_owned();
        if line.contains("● Live 00:00:") && line.contains("Home ") && line.contains(" Mbit/s") {
            break line;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(app.dir.path().join("plateau.log")).unwrap_or_default();
            panic!("no live traffic in the status line: {line}\nplateau's log:\n{log}");
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    let streams = common::nginx::probe(&url);
    assert!(streams.contains("codec_name=h264|codec_type=video|width=640|height=360"), "{streams} ({line})");
    app.activate("go-live", None);
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        let line = names.lines().find(|l| l.contains("Frames per second")).unwrap_or_default().to_owned();
        match line.contains("Live") {
            false => Ok(()),
            true => Err(format!("still live after the second go-live: {line}")),
        }
    });
}

#[test]
fn a_source_that_fails_says_what_happened_and_what_to_do() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("add-file", Some("'/nonexistent/plateau-missing-clip.mp4'"));
    poll(Duration::from_secs(15), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match names.lines().any(|l| l.contains("Source failed") && l.contains("plateau-missing-clip")) {
            true => Ok(()),
            false => Err(format!("no toast naming the failed source:\n{names}")),
        }
    });
    // Its Details give the cause and what to do.
    app.activate("error-details", None);
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match names.lines().any(|l| l.contains("plateau-missing-clip") && l.contains("choose another one")) {
            true => Ok(()),
            false => Err(format!("no details with the cause and a hint:\n{names}")),
        }
    });
    app.shot("source-failed.png");
}

#[test]
fn choosing_a_source_in_the_list_selects_its_item_on_the_canvas() {
    let app = App::start(None);
    let view = app.canvas_to_screen();
    // Just inside the top-left handle of the ball item (320,180): red until selected.
    let (hx, hy) = view(320.0, 180.0);
    let (hx, hy) = (hx as u32 - 2, hy as u32 - 2);
    let before = app.shot("before.png").pixel(hx, hy);
    assert!(near([before[0], before[1], before[2], 255], RED, 40), "no handle yet: {before:?}");
    // The list shows the top-most item first: Title, Ball, red.
    let names = app.accessible_names();
    assert!(names.contains("Ball"), "{names}");
    let row = Command::new("xdotool")
        .args(["mousemove", "1040", "180", "click", "1", "sleep", "0.8", "key", "Escape"])
        .env("DISPLAY", &app.display)
        .status()
        .expect("xdotool runs (install the package xdotool)");
    assert!(row.success());
    let shot = app.wait_for("the ball item's handles", |s| {
        let p = s.pixel(hx, hy);
        near([p[0], p[1], p[2], 255], [255, 255, 255], 40)
            || near([p[0], p[1], p[2], 255], [54, 133, 227], 40)
    });
    let p = shot.pixel(hx, hy);
    assert!(!near([p[0], p[1], p[2], 255], RED, 40), "the handle is drawn: {p:?}");
}

#[test]
fn a_podcast_follows_its_settings_flac_tracks_in_a_folder() {
    let app = App::start_with(None, |s| {
        s.podcast = plateau::model::PodcastPrefs {
            format: plateau::model::PodcastFormat::Flac,
            normalize: false,
            separate_files: true,
        }
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("podcast", None);
    std::thread::sleep(Duration::from_secs(3));
    app.activate("podcast", None);
    let deadline = Instant::now() + Duration::from_secs(15);
    let tracks = loop {
        let folders: Vec<PathBuf> = app.recordings().into_iter().filter(|p| p.is_dir()).collect();
        let tracks: Vec<PathBuf> = folders
            .iter()
            .flat_map(|f| std::fs::read_dir(f).into_iter().flatten().flatten().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "flac") && playable_audio(p) > 2.0)
            .collect();
        if !tracks.is_empty() {
            break tracks;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(app.dir.path().join("plateau.log")).unwrap_or_default();
            panic!("no FLAC track folder in {:?}\nplateau's log:\n{log}", app.recordings());
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    for t in &tracks {
        let codec = ffprobe(t, &["-show_entries", "stream=codec_name", "-of", "csv=p=0"]);
        assert_eq!(codec.trim(), "flac", "{}", t.display());
    }
}

/// Seconds of sound in a file, as ffprobe reads them.
fn playable_audio(path: &std::path::Path) -> f64 {
    ffprobe(path, &["-show_entries", "format=duration", "-of", "csv=p=0"]).trim().parse().unwrap_or(0.0)
}

#[test]
fn clicking_an_item_on_the_canvas_chooses_its_source_in_the_list() {
    let app = App::start(None);
    let view = app.canvas_to_screen();
    let chosen = |name: &str| {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let names = app.accessible_names();
            if names.lines().any(|l| l == format!("[selected] {name}")) {
                break;
            }
            assert!(Instant::now() < deadline, "`{name}` is not chosen in the list:\n{names}");
            std::thread::sleep(Duration::from_millis(300));
        }
    };
    // The ball item, then the red background.
    drag(&app.display, view(480.0, 270.0), view(480.0, 270.0));
    chosen("Ball");
    drag(&app.display, view(100.0, 300.0), view(100.0, 300.0));
    chosen("red");
}

#[test]
fn dragging_a_source_row_onto_another_restacks_it() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // Rows, top of the stack first: Title (y 122), Ball (177), red (232).
    drag(&app.display, (1040.0, 232.0), (1040.0, 122.0));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let order = plateau::model::load_collection(&saved)
            .ok()
            .and_then(|c| c.scene("Red").map(|s| s.items.iter().map(|i| i.id.0).collect::<Vec<_>>()));
        if order == Some(vec![2, 3, 1]) {
            break;
        }
        assert!(Instant::now() < deadline, "the red item did not go to the top: {order:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
    // On top, the red layer now hides the ball.
    app.wait_for("the red layer over the ball", |s| {
        let (x, y, w, h) = BALL_AREA;
        let p = s.pixel(x + w / 2, y + h / 2);
        near([p[0], p[1], p[2], 255], RED, 30)
    });
}

#[test]
fn a_picture_chosen_in_the_file_dialog_of_the_add_menu_shows_in_the_middle() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let png = app.dir.path().join("green.png");
    let status = Command::new("convert")
        .args(["-size", "320x180", "xc:#00ff00"])
        .arg(&png)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success());
    app.add_file_through_the_menu(&png);
    let shot = app.wait_for("the picture in the middle of the canvas", |s| {
        let (_, _, w, _) = s.bounds_of(GREEN);
        w > 100
    });
    let (red_x, red_y, red_w, red_h) = shot.bounds_of(RED);
    let (gx, gy, gw, gh) = shot.bounds_of(GREEN);
    // At its own size (320x180: half the canvas), centred on it.
    let centre = |a: u32, b: u32| f64::from(a) + f64::from(b) / 2.0;
    assert!(
        (centre(gx, gw) - centre(red_x, red_w)).abs() < 4.0,
        "centred across: {gx}+{gw} in {red_x}+{red_w}"
    );
    assert!(
        (centre(gy, gh) - centre(red_y, red_h)).abs() < 4.0,
        "centred down: {gy}+{gh} in {red_y}+{red_h}"
    );
    assert!((f64::from(gw) / f64::from(red_w) - 0.5).abs() < 0.02, "half the canvas wide");
    // Its source is named after its file.
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match names.lines().any(|l| l == "green") {
            true => Ok(()),
            false => Err(format!("no source named `green`:\n{names}")),
        }
    });
}

#[test]
fn a_destination_is_added_named_and_given_a_server_in_settings() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    let destinations = || Settings::load(&settings_file).map(|s| s.destinations).unwrap_or_default();
    let wait = |what: &str, test: &dyn Fn(&[plateau::model::Destination]) -> bool| {
        poll(Duration::from_secs(10), Duration::from_millis(200), || match test(&destinations()) {
            true => Ok(()),
            false => Err(format!("{what}: the settings hold {:?}", destinations())),
        })
    };
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Streaming", Some("page tab"));
    app.press("Add a Destination", None);
    app.press("YouTube", Some("menu item"));
    wait("YouTube added, switched on", &|d| d.iter().any(|d| d.name == "YouTube" && d.enabled));

    // A custom server opens at once, to be named and given its address.
    app.press("Add a Destination", None);
    app.press("Custom server", Some("menu item"));
    wait("a custom server added", &|d| d.iter().any(|d| d.name == "Custom server"));
    app.click("Server", Some("text"));
    app.key("ctrl+a");
    app.type_text("rtmp://127.0.0.1:1935/live");
    wait("its server typed in, switched on", &|d| {
        d.iter().any(|d| d.name == "Custom server" && d.server == "rtmp://127.0.0.1:1935/live" && d.enabled)
    });
    app.click("Name", Some("text"));
    app.key("ctrl+a");
    app.type_text("Home");
    app.key("Return");
    wait("renamed", &|d| d.iter().any(|d| d.name == "Home" && d.server.ends_with("/live")));
}

#[test]
fn record_and_go_live_say_what_they_do_and_a_refused_destination_says_why() {
    let _alone = alone();
    // A port where nothing listens: taken, then let go.
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
    let server = format!("rtmp://127.0.0.1:{port}/live/show");
    let app = App::start_with(None, move |s| {
        s.destinations.push(plateau::model::Destination { name: "Nowhere".into(), server, enabled: true })
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));

    // Record turns into a red Stop Recording with the time recorded.
    app.press("Record", Some("push button"));
    app.wait_for_name("Stop Recording 00:00:0");
    app.press("Stop Recording*", Some("push button"));
    app.wait_for_name("Record");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        match app.recordings().iter().any(|p| playable_seconds(p) > 0.5) {
            true => Ok(()),
            false => Err(format!("no playable recording in {:?}", app.recordings())),
        }
    });

    // Go Live to nowhere: not connected, and why, within 5 s.
    let pressed = Instant::now();
    app.press("Go Live", Some("push button"));
    let line = poll(Duration::from_secs(5), Duration::from_millis(200), || {
        let names = app.accessible_names();
        match names.lines().find(|l| l.starts_with("Nowhere: not connected")) {
            Some(l) => Ok(l.to_owned()),
            None => Err(format!("no `not connected` within 5 s:\n{names}")),
        }
    });
    eprintln!("{:.1} s after Go Live: {line}", pressed.elapsed().as_secs_f64());
    assert!(line.to_lowercase().contains("refused"), "the reason is given: {line}");
    let names = app.accessible_names();
    assert!(!names.lines().any(|l| l.contains("● Live")), "never said live:\n{names}");
    assert!(names.lines().any(|l| l == "Not Connected" || l == "Connecting…"), "Go Live's button:\n{names}");
    app.press("Retry Now", Some("push button"));
    app.wait_for_name("Nowhere: not connected");
    app.press("Stop Streaming", Some("push button"));
    app.wait_for_name("Go Live");
}

#[test]
fn the_selection_follows_an_item_sent_backward_and_delete_removes_that_item() {
    let app = App::start(None);
    let view = app.canvas_to_screen();
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let order = || {
        plateau::model::load_collection(&saved)
            .ok()
            .and_then(|c| c.scene("Red").map(|s| s.items.iter().map(|i| i.id.0).collect::<Vec<_>>()))
    };
    // The ball item (2, in the middle of the stack), its menu from a right click.
    let (x, y) = view(480.0, 270.0);
    xdotool(&app.display, &["mousemove", &format!("{}", x as i32), &format!("{}", y as i32), "click", "3"]);
    app.press("Send Backward", Some("menu item"));
    poll(Duration::from_secs(10), Duration::from_millis(200), || match order() {
        Some(o) if o == [2, 1, 3] => Ok(()),
        o => Err(format!("the ball was not sent backward: {o:?}")),
    });
    std::thread::sleep(Duration::from_millis(500));
    let names = app.accessible_names();
    assert!(names.lines().any(|l| l == "[selected] Ball"), "the ball is still the chosen source:\n{names}");
    app.key("Delete");
    poll(Duration::from_secs(10), Duration::from_millis(200), || match order() {
        Some(o) if o == [1, 3] => Ok(()),
        o => Err(format!("Delete should have removed the ball (2) only: {o:?}")),
    });
}

#[test]
fn one_click_chooses_a_source_and_a_double_click_opens_its_properties() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.click("Title", Some("label"));
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match names.lines().any(|l| l == "[selected] Title") {
            true => Ok(()),
            false => Err(format!("one click did not choose the title:\n{names}")),
        }
    });
    std::thread::sleep(Duration::from_millis(800));
    let names = app.accessible_names();
    assert!(!names.contains("Properties — Title"), "one click opened the properties:\n{names}");
    app.click_times("Title", Some("label"), 2);
    app.wait_for_name("Properties — Title");
}

#[test]
fn the_canvas_stays_in_place_whether_the_scene_has_sound_or_not() {
    let app = App::start(None);
    let red = app.wait_for("the red scene on the canvas", |s| centre_is(s, RED)).bounds_of(RED);
    // The blue scene has a tone: its strip takes the empty mixer's place.
    app.click("Blue", Some("label"));
    app.wait_for_name("Volume of Tone");
    let blue = app.wait_for("the blue scene on the canvas", |s| centre_is(s, BLUE)).bounds_of(BLUE);
    assert_eq!(red, blue, "the canvas (x, y, width, height) did not move");
    app.click("Red", Some("label"));
    app.wait_for("the red scene again", |s| centre_is(s, RED));
    let names = app.accessible_names();
    assert!(names.contains("No sound in this scene"), "the empty mixer says why:\n{names}");
}

#[test]
fn the_mixer_reads_its_fader_in_db_and_shows_a_muted_source_as_muted() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("switch-scene", Some("'Blue'"));
    app.wait_for_name("Volume of Tone");
    app.wait_for_name("+0.0 dB");
    // A playing tone reads a level in dB.
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let names = app.accessible_names();
        match names.lines().any(|l| l.ends_with(" dB") && l.starts_with('-') && l != "-∞ dB") {
            true => Ok(()),
            false => Err(format!("no level read:\n{names}")),
        }
    });
    app.press("Mute Tone", Some("push button"));
    app.wait_for_name("Unmute Tone");
    app.wait_for_name("Muted");
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let muted = plateau::model::load_collection(&saved)
            .ok()
            .and_then(|c| c.source(&plateau::model::SourceId::new("tone")).map(|s| s.muted));
        match muted {
            Some(true) => Ok(()),
            other => Err(format!("the saved tone is muted: {other:?}")),
        }
    });
}

#[test]
fn in_studio_mode_edits_land_on_the_preview_and_not_on_the_program() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Studio Mode", Some("push button"));
    app.click("Blue", Some("label"));
    // Blue on the preview (left), red on the program (right).
    let shot = app.wait_for("blue on the preview", |s| s.bounds_of(BLUE).2 > 100);
    let (bx, by, bw, bh) = shot.bounds_of(BLUE);
    let (rx, ry, rw, rh) = shot.bounds_of(RED);
    assert!(bx + bw <= rx, "the preview ({bx}+{bw}) is left of the program ({rx}+{rw})");
    assert!(
        bw.abs_diff(rw) <= 2 && bh.abs_diff(rh) <= 2,
        "both views are the same size: {bw}x{bh} and {rw}x{rh}"
    );
    let names = app.accessible_names();
    for label in ["Preview", "Program", "Transition to the Preview"] {
        assert!(names.lines().any(|l| l.starts_with(label)), "`{label}` in studio mode:\n{names}");
    }

    // Drag the blue scene's ball (its bottom-right quarter) to the top-left corner of the preview.
    let scale = f64::from(bw) / 640.0;
    let view = |cx: f64, cy: f64| (f64::from(bx) + cx * scale, f64::from(by) + cy * scale);
    drag(&app.display, view(480.0, 270.0), view(160.0, 90.0));
    let after = app.wait_for("the ball in the preview's top-left quarter", |s| {
        let (x, y) = view(40.0, 40.0);
        let p = s.pixel(x as u32, y as u32);
        !near([p[0], p[1], p[2], 255], BLUE, 40)
    });
    // Where the ball now is on the preview, the program is still red.
    let (px, py) = (rx as f64 + 40.0 * f64::from(rw) / 640.0, ry as f64 + 40.0 * f64::from(rh) / 360.0);
    let p = after.pixel(px as u32, py as u32);
    assert!(near([p[0], p[1], p[2], 255], RED, 40), "the program did not change: {p:?} at ({px}, {py})");
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let ball =
            |scene: &str| c.scene(scene).and_then(|s| s.item(plateau::model::ItemId(2))).map(|i| (i.x, i.y));
        match (ball("Blue"), ball("Red")) {
            (Some((bx, by)), Some((320, 180))) if bx < 50 && by < 50 => Ok(()),
            other => Err(format!("the blue ball moved and the red one did not: {other:?}")),
        }
    });
    app.press("Transition to the Preview*", Some("push button"));
    app.wait_for("blue on the program", |s| s.bounds_of(RED).2 < 50);
}

#[test]
fn a_longer_title_keeps_the_height_of_its_letters_and_its_box_fits_it() {
    let app = App::start(None);
    let view = app.canvas_to_screen();
    // The title item: yellow letters at the top-left corner of the red scene.
    let (x0, y0) = view(0.0, 0.0);
    let (x1, y1) = view(640.0, 60.0);
    let band = (x0 as u32, y0 as u32, (x1 - x0) as u32, (y1 - y0) as u32);
    let letters = |shot: &Shot| shot.bounds_of_within([255, 255, 0], Some(band));
    let before = letters(&app.wait_for("the title", |s| letters(s).3 > 5));
    app.click_times("Title", Some("label"), 2);
    app.wait_for_name("Properties — Title");
    std::thread::sleep(Duration::from_millis(500));
    // The text field has the focus: type at its end.
    app.key("End");
    app.type_text(" and a much longer title");
    // Closed, so that the dialog does not cover the program.
    std::thread::sleep(Duration::from_millis(500));
    app.key("Escape");
    let after = app.wait_for("the longer title", |s| letters(s).2 > before.2 * 3);
    let after = letters(&after);
    assert!(
        after.3.abs_diff(before.3) <= 2,
        "the letters keep their height: {} px before, {} px after (boxes {before:?} / {after:?})",
        before.3,
        after.3
    );
    // The item's box holds the letters with a margin, no more.
    let item = app.saved_red_item(3, |i| i.width > 200);
    let scale = (x1 - x0) / 640.0;
    let glyphs_wide = f64::from(after.2) / scale;
    let glyphs_high = f64::from(after.3) / scale;
    let (w, h) = (f64::from(item.width), f64::from(item.height));
    assert!(w >= glyphs_wide && w <= glyphs_wide + 40.0, "box {w} wide for letters {glyphs_wide:.0} wide");
    assert!(h >= glyphs_high && h <= glyphs_high + 30.0, "box {h} high for letters {glyphs_high:.0} high");
}

#[test]
fn a_new_scene_is_named_chosen_and_its_first_source_opens_its_properties() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Add a Scene", None);
    app.wait_for_name("New Scene");
    std::thread::sleep(Duration::from_millis(300));
    app.key("ctrl+a");
    app.type_text("Interview");
    app.key("Return");
    // Chosen, empty, and saying what to do.
    app.wait_for_name("[selected] Interview");
    app.wait_for_name("This scene is empty");
    app.wait_for("the empty scene on air (black)", |s| centre_is(s, [0, 0, 0]));
    // The + menu offers the screen this X11 session can capture, once.
    app.press("Add a Source", None);
    app.wait_for_name("Webcam");
    let all = app.accessible_names();
    assert!(all.lines().any(|l| l == "Screen"), "a Screen entry:\n{all}");
    assert!(!all.contains("Screen (Wayland)") && !all.contains("Screen (X11)"), "one kind only:\n{all}");
    app.press("Colour", Some("menu item"));
    app.wait_for_name("Properties — Colour");
}

#[test]
fn a_clip_chosen_in_the_file_dialog_takes_its_own_size_once_it_plays() {
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let clip = app.dir.path().join("green-clip.mkv");
    let status = Command::new("gst-launch-1.0")
        .args(["-q", "videotestsrc", "num-buffers=60", "pattern=green", "!"])
        .args(["video/x-raw,width=160,height=90,framerate=30/1", "!", "x264enc", "!", "matroskamux", "!"])
        .arg("filesink")
        .arg(format!("location={}", clip.display()))
        .status()
        .expect("gst-launch-1.0 runs (install the package gstreamer1.0-tools)");
    assert!(status.success());
    app.add_file_through_the_menu(&clip);
    // Its item: 160x90, in the middle of the 640x360 canvas.
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    poll(Duration::from_secs(15), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let source = c.sources.iter().find(|s| s.name == "green-clip").map(|s| s.id.clone());
        let item = source.and_then(|id| c.scene("Red")?.items.iter().find(|i| i.source == id).cloned());
        match item {
            Some(i) if (i.x, i.y, i.width, i.height) == (240, 135, 160, 90) => Ok(()),
            other => Err(format!("the clip's item is {other:?}")),
        }
    });
}

#[test]
fn a_split_recording_with_percent_signs_in_its_folder_and_template_is_written() {
    let app = App::start_with(None, |s| {
        s.recording_folder = s.recording_folder.take().map(|f| f.join("100% live"));
        s.recording.file_name = "show 100%% %Y".into();
        s.recording.split_megabytes = 1;
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Record", Some("push button"));
    app.wait_for_name("Stop Recording 00:00:0");
    std::thread::sleep(Duration::from_secs(7));
    app.press("Stop Recording*", Some("push button"));
    let folder = app.dir.path().join("recordings/100% live");
    // The first part, named by the template with its % signs (the parts
    // themselves are checked headless: this picture is too still to fill
    // 1 MB in a few seconds).
    let part = folder.join(format!("show 100% {}-001.mkv", this_year()));
    poll(Duration::from_secs(15), Duration::from_millis(300), || match playable_seconds(&part) > 2.0 {
        true => Ok(()),
        false => Err(format!(
            "no playable {} in {:?}",
            part.display(),
            std::fs::read_dir(&folder).map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
        )),
    });
}

/// This year, as the recording's name template writes it (%Y).
fn this_year() -> String {
    let out = Command::new("date").arg("+%Y").output().expect("date runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

// The window never waits: each test below watches the application's main
// loop (its watchdog notes every gap) while a person does something that
// used to freeze it, and allows no gap over 100 ms.

/// The longest the window may go without answering.
const NEVER_WAITS_MS: u64 = 100;

/// Tests that measure how long the window waits, and tests that load the
/// machine with processes of their own (swarms, servers, clients), never
/// run at the same time: on two cores one would measure the other (a
/// 107 ms gap was seen once while a swarm test ran beside).
static MACHINE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    MACHINE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A server that takes connections and never answers (a dead link).
fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port on loopback");
    let port = listener.local_addr().expect("its address").port();
    std::thread::spawn(move || {
        // Holds what it accepted, and stops by itself after a few.
        let held: Vec<_> = listener.incoming().take(8).flatten().collect();
        drop(held);
    });
    port
}

#[test]
fn starting_and_stopping_a_recording_and_two_streams_one_to_a_dead_server_keeps_the_window_answering() {
    let _alone = alone();
    let nginx = common::nginx::Nginx::start();
    let home = nginx.url("live", "window");
    let dead = format!("rtmp://127.0.0.1:{}/live/gone", silent_server());
    let app = App::start_with(None, move |s| {
        s.destinations.push(plateau::model::Destination { name: "Home".into(), server: home, enabled: true });
        s.destinations.push(plateau::model::Destination { name: "Gone".into(), server: dead, enabled: true });
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // Starting builds pipelines and the shared encoder: never on the window's thread.
    let from = now_ms();
    app.press("Record", None);
    app.press("Go Live", None);
    poll(Duration::from_secs(20), Duration::from_millis(300), || {
        let line = app.status_line();
        match line.contains("● Recording") && line.contains("● Live") && line.contains("Home ") {
            true => Ok(()),
            false => Err(format!("not recording and live to Home: {line}")),
        }
    });
    std::thread::sleep(Duration::from_secs(3));
    app.press("Stop Recording*", None);
    app.press("Stop Streaming", None);
    let finished = Instant::now();
    poll(Duration::from_secs(30), Duration::from_millis(300), || {
        let line = app.status_line();
        let done = !line.contains("Recording") && !line.contains("Live") && !line.contains("…");
        match done && app.recordings().len() == 1 {
            true => Ok(()),
            false => Err(format!("still finishing: {line}")),
        }
    });
    let took = finished.elapsed();
    eprintln!("stop of a recording and two streams (one dead): finished in {took:?}");
    app.assert_never_waited(from, NEVER_WAITS_MS, "starting and stopping a recording and two streams");
    let file = &app.recordings()[0];
    let seconds = duration_of(file);
    assert!(seconds >= 3.0, "{} holds {seconds} s", file.display());
}

#[test]
fn stopping_a_minute_long_normalised_podcast_keeps_the_window_answering() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.key("ctrl+p");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        match app.status_line().contains("● Podcast") {
            true => Ok(()),
            false => Err(format!("no podcast running: {}", app.status_line())),
        }
    });
    std::thread::sleep(Duration::from_secs(60));
    let from = now_ms();
    app.key("ctrl+p");
    // The status line says how far the end has gone, then that it is over.
    let mut said = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let line = app.status_line();
        if let Some(part) = line.split(" · ").find(|p| p.contains('…')) {
            said.push(part.to_owned());
        }
        if !line.contains("Podcast") && !line.contains('…') && !app.recordings().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "the podcast is still finishing: {line}");
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("stop of a 60 s normalised podcast: the window said {said:?}");
    app.assert_never_waited(from, NEVER_WAITS_MS, "stopping a 60 s normalised podcast");
    // What it said depends on how long the end takes (about a second
    // here): the progress itself is checked in tests/podcast.rs.
    let file = app.recordings().into_iter().find(|p| p.extension().is_some_and(|e| e == "mka"));
    let file = file.expect("a podcast file");
    let seconds = duration_of(&file);
    assert!((58.0..64.0).contains(&seconds), "{} holds {seconds} s", file.display());
}

#[test]
fn closing_the_window_while_recording_asks_first_then_finishes_the_file() {
    let _alone = alone();
    let mut app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Record", None);
    std::thread::sleep(Duration::from_secs(4));
    let from = now_ms();
    app.key("ctrl+q");
    app.wait_for_name("Stop the Show and Quit?");
    assert!(!app.has_exited(), "the window closed without asking");
    app.press("Stop and Quit", None);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !app.has_exited() {
        assert!(Instant::now() < deadline, "Plateau is still open 30 s after Stop and Quit");
        std::thread::sleep(Duration::from_millis(100));
    }
    app.assert_never_waited(from, NEVER_WAITS_MS, "closing while recording");
    let files = app.recordings();
    assert_eq!(files.len(), 1, "{files:?}");
    let seconds = duration_of(&files[0]);
    assert!(seconds >= 4.0, "{} holds {seconds} s", files[0].display());
}

#[test]
fn typing_a_server_address_keeps_the_window_answering_and_is_saved() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Streaming", Some("page tab"));
    app.press("Add a Destination", None);
    app.press("Custom server", Some("menu item"));
    app.click("Server", Some("text"));
    app.key("ctrl+a");
    // Not a server: the row says what one looks like.
    app.type_text("ftp://nowhere");
    app.wait_for_name("Not a server address yet");
    app.key("ctrl+a");
    let from = now_ms();
    app.type_text("rtmp://192.0.2.1:1935/live/a-rather-long-stream-key");
    poll(Duration::from_secs(10), Duration::from_millis(200), || {
        let saved = Settings::load(&settings_file).map(|s| s.destinations).unwrap_or_default();
        match saved.iter().any(|d| d.server == "rtmp://192.0.2.1:1935/live/a-rather-long-stream-key") {
            true => Ok(()),
            false => Err(format!("the settings hold {saved:?}")),
        }
    });
    app.assert_never_waited(from, NEVER_WAITS_MS, "typing a server address");
}

/// How many seconds of media `path` holds, as ffprobe reads it.
fn duration_of(path: &std::path::Path) -> f64 {
    let text = ffprobe(path, &["-show_entries", "format=duration", "-of", "csv=p=0"]);
    text.trim().parse().unwrap_or_else(|_| panic!("no duration for {}: {text}", path.display()))
}

#[test]
fn adding_and_removing_sources_and_listing_cameras_keep_the_window_answering() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let from = now_ms();
    // A camera: its properties open and list the cameras there are (none here).
    app.press("Add a Source", None);
    app.press("Webcam", Some("menu item"));
    app.wait_for_name("Properties — Webcam");
    app.wait_for_name("No device is connected");
    app.key("Escape");
    // A colour, added and removed again from the source list.
    app.press("Add a Source", None);
    app.press("Colour", Some("menu item"));
    app.wait_for_name("Properties — Colour");
    app.key("Escape");
    app.press("Remove Colour", None);
    app.press("Remove Webcam", None);
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    poll(Duration::from_secs(10), Duration::from_millis(200), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let red = c.scene("Red").ok_or("no scene Red")?;
        let shown: Vec<&str> = red.items.iter().map(|i| i.source.as_str()).collect();
        match shown == ["red", "ball", "title"] && c.sources.len() == 7 {
            true => Ok(()),
            false => Err(format!("the saved scene shows {shown:?}, {} sources", c.sources.len())),
        }
    });
    app.assert_never_waited(from, NEVER_WAITS_MS, "adding and removing sources, listing cameras");
}

#[test]
fn go_live_to_the_swarm_shows_a_ticket_its_qr_code_reads_the_same_and_a_viewer_is_counted() {
    let _alone = alone();
    let app = App::start_with(None, |s| {
        s.peer_to_peer.enabled = true;
        s.peer_to_peer.bind = "127.0.0.1:0".into();
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Go Live", None);
    app.wait_for_name("Your Show’s Ticket");
    let ticket = app.wait_for_name("plateau1").trim().to_owned();
    assert!(ticket.starts_with("plateau1") && !ticket.contains(' '), "the ticket reads {ticket}");
    // The QR code on the screen reads as the same ticket.
    let shot = app.dir.path().join("ticket.png");
    let decoded = poll(Duration::from_secs(10), Duration::from_millis(500), || {
        app.shot("ticket.png");
        let out = Command::new("zbarimg")
            .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
            .arg(&shot)
            .output()
            .expect("zbarimg runs (install the package zbar-tools)");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        match text.is_empty() {
            true => Err("no QR code found on the screen".to_owned()),
            false => Ok(text),
        }
    });
    assert_eq!(decoded, ticket, "the QR code and the ticket's text differ");
    // A viewer joins with it: the status line counts it.
    let viewer_log = std::fs::File::create(app.dir.path().join("viewer.log")).expect("a log file");
    let mut viewer = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["relay", &ticket, "--bind", "127.0.0.1:0", "--duration", "60"])
        .stderr(viewer_log)
        .spawn()
        .expect("plateau relay runs");
    let counted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        poll(Duration::from_secs(20), Duration::from_millis(300), || {
            let line = app.status_line();
            match line.contains("Swarm: 1 viewer") && line.contains("● Live") {
                true => Ok(line),
                false => Err(format!("no viewer counted in the status line: {line}")),
            }
        })
    }));
    let _ = viewer.kill();
    let _ = viewer.wait();
    let line = counted.unwrap_or_else(|e| {
        let log = std::fs::read_to_string(app.dir.path().join("viewer.log")).unwrap_or_default();
        eprintln!("the viewer's log:\n{log}");
        std::panic::resume_unwind(e)
    });
    eprintln!("status line with a viewer: {line}");
    app.key("Escape");
    // A recording started now shares the swarm's encode.
    app.press("Record", Some("push button"));
    app.wait_for_name("Stop Recording 00:00:0");
    let log = std::fs::read_to_string(app.dir.path().join("plateau.log")).unwrap_or_default();
    let encoders: Vec<&str> = log.lines().filter(|l| l.contains("encoder started")).collect();
    assert!(log.contains("recording started"), "{}", app.log_tail());
    assert_eq!(encoders.len(), 1, "the recording did not share the swarm's encode: {encoders:?}");
    app.press("Stop Recording*", Some("push button"));
    app.wait_for_name("Record");
    // Go Live again leaves the swarm.
    app.press("Stop Streaming", None);
    poll(Duration::from_secs(15), Duration::from_millis(300), || match app.status_line().contains("Swarm") {
        false => Ok(()),
        true => Err(format!("still on the swarm: {}", app.status_line())),
    });
}

#[test]
fn relay_servers_and_maximum_upload_typed_in_settings_are_saved_and_go_into_the_ticket() {
    let _alone = alone();
    let app = App::start_with(None, |s| {
        s.peer_to_peer.enabled = true;
        s.peer_to_peer.bind = "127.0.0.1:0".into();
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Streaming", Some("page tab"));
    app.click("Relay servers (none: direct paths only)", Some("text"));
    // Not a relay: nothing is kept.
    app.type_text("ftp://relay.example.org ");
    std::thread::sleep(Duration::from_millis(800));
    let saved = Settings::load(&settings_file).map(|s| s.peer_to_peer).unwrap_or_default();
    assert!(saved.relays.is_empty(), "a bad relay address was kept: {saved:?}");
    app.key("ctrl+a");
    // Addresses on loopback: the studio tries them, and nothing leaves
    // the machine.
    app.type_text("http://127.0.0.1:3340 https://127.0.0.2:3341");
    app.click("Maximum upload (kbit/s)*", Some("spin button"));
    app.key("ctrl+a");
    app.type_text("6000");
    app.key("Tab");
    app.click("Local network", None);
    poll(Duration::from_secs(10), Duration::from_millis(200), || {
        let saved = Settings::load(&settings_file).map(|s| s.peer_to_peer).unwrap_or_default();
        match saved.relays == ["http://127.0.0.1:3340", "https://127.0.0.2:3341"]
            && saved.max_upload_kbps == 6000
            && saved.lan
        {
            true => Ok(()),
            false => Err(format!("the settings hold {saved:?}")),
        }
    });
    // Switched off again before going live: mDNS would speak on the
    // machine's own network, which tests never reach.
    app.click("Local network", None);
    poll(Duration::from_secs(10), Duration::from_millis(200), || {
        match Settings::load(&settings_file).map(|s| s.peer_to_peer.lan) {
            Ok(false) => Ok(()),
            other => Err(format!("the local network is still on: {other:?}")),
        }
    });
    app.key("Escape");
    app.press("Go Live", None);
    app.wait_for_name("Your Show’s Ticket");
    let ticket = app.wait_for_name("plateau1").trim().to_owned();
    let ticket: plateau::p2p::Ticket = ticket.parse().expect("the ticket reads");
    let relays: Vec<&str> = ticket.relays.iter().map(|r| r.as_str()).collect();
    assert_eq!(relays, ["http://127.0.0.1:3340/", "https://127.0.0.2:3341/"], "the ticket's relays");
}

/// A headless broadcaster of a red program on the swarm, on loopback:
/// its process and its ticket.
fn red_broadcaster(dir: &std::path::Path) -> (std::process::Child, String) {
    let mut show = collection();
    show.sources = vec![color_source("red", RED)];
    show.scenes = vec![scene("Red", vec![item(1, "red", 0, 0, 640, 360)])];
    let file = dir.join("show.json");
    plateau::model::save_collection(&show, &file).expect("collection written");
    let ticket_file = dir.join("ticket");
    let broadcaster = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["--headless", "--p2p", "--p2p-bind", "127.0.0.1:0", "--duration", "120"])
        .arg("--collection")
        .arg(&file)
        .arg("--ticket-file")
        .arg(&ticket_file)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(dir.join("broadcaster.log")).expect("log"))
        .spawn()
        .expect("plateau --headless --p2p runs");
    let ticket = poll(Duration::from_secs(20), Duration::from_millis(200), || {
        std::fs::read_to_string(&ticket_file).map_err(|e| format!("no ticket yet: {e}"))
    });
    (broadcaster, ticket.trim().to_owned())
}

#[test]
fn a_viewer_window_shows_the_live_program_and_says_when_the_show_has_ended() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut broadcaster, ticket) = red_broadcaster(dir.path());
    // The viewer's window: the red program inside its picture within 5 s.
    let started = Instant::now();
    let viewer = App::watch(&ticket);
    viewer.wait_for("the red program in the viewer's window", |s| {
        let (_, _, width, height) = s.bounds_of(RED);
        width >= 320 && height >= 180
    });
    let shown_after = started.elapsed();
    viewer.shot("viewer-playing.png");
    eprintln!("the viewer's window showed the program {shown_after:?} after it started");
    assert!(shown_after <= Duration::from_secs(5), "the program showed only after {shown_after:?}");
    viewer.wait_for_name("Latency");
    // The broadcaster ends the show: the window says so within 5 s.
    let pid = broadcaster.id().to_string();
    let _ = Command::new("kill").args(["-INT", &pid]).status();
    let ended = Instant::now();
    let line = viewer.wait_for_name("The show has ended");
    let said_after = ended.elapsed();
    viewer.shot("viewer-ended.png");
    eprintln!("the window says: {line}");
    eprintln!("the viewer's window said the show had ended {said_after:?} after the broadcaster stopped");
    assert!(said_after <= Duration::from_secs(5), "it said so only after {said_after:?}");
    let status = broadcaster.wait().expect("the broadcaster ends");
    assert!(status.success(), "the broadcaster exited with {status}");
}

#[test]
fn a_ticket_opened_from_the_studio_menu_plays_in_a_viewer_window_of_its_own() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut broadcaster, ticket) = red_broadcaster(dir.path());
    // The studio shows blue, so that red on the screen can only be the viewer.
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.activate("switch-scene", Some("'Blue'"));
    app.wait_for("the blue scene on the canvas", |s| centre_is(s, BLUE));
    app.press("Main Menu", None);
    app.press("Open a Ticket…", Some("menu item"));
    app.wait_for_name("Watch a Show");
    app.type_text(&ticket);
    app.key("Return");
    app.wait_for_name("A show by");
    app.wait_for("the broadcaster's red program in a viewer's window", |s| {
        let (_, _, width, height) = s.bounds_of(RED);
        width >= 320 && height >= 180
    });
    let _ = broadcaster.kill();
    let _ = broadcaster.wait();
    // The viewer is the studio's child, not the test's: ended by name.
    let ended = Command::new("pkill").args(["-f", &format!("watch {ticket}")]).status();
    assert!(ended.is_ok_and(|s| s.success()), "no viewer process was running for the ticket");
}

/// Plateau's window on its own config (no --collection), in its own X
/// server and bus; `prepare` fills the config dir first.
fn start_on_config(prepare: impl FnOnce(&std::path::Path)) -> App {
    let x = common::desktop::start_xvfb("1280x800x24");
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime = dir.path().join("runtime");
    std::fs::create_dir_all(&runtime).expect("runtime dir");
    let bus = common::desktop::start_session_bus(&runtime);
    let config = dir.path().join("config/plateau");
    std::fs::create_dir_all(config.join("collections")).expect("config dir");
    prepare(&config);
    App::launch(Command::new(env!("CARGO_BIN_EXE_plateau")), dir, x, bus)
}

#[test]
fn the_window_opens_with_corrupt_settings_or_collection_says_so_and_keeps_the_files() {
    // Settings that do not parse: set aside (not deleted), and said.
    const BROKEN: &str = "{ \"collection\": \"Show\", oops";
    let app =
        start_on_config(|config| std::fs::write(config.join("settings.json"), BROKEN).expect("written"));
    app.wait_for_name("The settings could not be read");
    let kept = app.dir.path().join("config/plateau/settings.json.broken");
    assert_eq!(std::fs::read_to_string(&kept).expect("the broken settings are kept aside"), BROKEN);
    drop(app);
    // A last collection that does not parse: said, and left where it is.
    const TORN: &str = "{ \"version\": 1, \"name\": \"Show\", \"scenes\": [";
    let app = start_on_config(|config| {
        std::fs::write(config.join("settings.json"), "{ \"collection\": \"Show\" }").expect("written");
        std::fs::write(config.join("collections/Show.json"), TORN).expect("written");
    });
    let line = app.wait_for_name("This collection could not be opened");
    assert!(line.contains("Show"), "{line}");
    let file = app.dir.path().join("config/plateau/collections/Show.json");
    assert_eq!(std::fs::read_to_string(file).expect("the collection is still there"), TORN);
}

/// A headless `plateau watch` of `ticket`, logging into `dir/NAME.log`.
fn headless_viewer(dir: &std::path::Path, name: &str, ticket: &str, more: &[&str]) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_plateau"))
        .args(["watch", ticket, "--bind", "127.0.0.1:0", "--duration", "90"])
        .arg("--output")
        .arg(dir.join(format!("{name}.ts")))
        .args(more)
        .stderr(std::fs::File::create(dir.join(format!("{name}.log"))).expect("log"))
        .spawn()
        .expect("plateau watch runs")
}

#[test]
fn the_audience_chat_shows_in_the_studio_reaches_the_audience_and_a_blocked_peer_is_heard_no_more() {
    let _alone = alone();
    let app = App::start_with(None, |s| {
        s.peer_to_peer.enabled = true;
        s.peer_to_peer.bind = "127.0.0.1:0".into();
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Go Live", None);
    let ticket = app.wait_for_name("plateau1").trim().to_owned();
    app.key("Escape");
    let dir = app.dir.path();
    let log = |name: &str| std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
    let mut bob = headless_viewer(dir, "bob", &ticket, &[]);
    let (first, second) = ("Hello from the swarm", "Still here after the block");
    let mut alice = headless_viewer(
        dir,
        "alice",
        &ticket,
        &["--chat-name", "Alice", "--say", first, "--say", second, "--say-every", "10"],
    );
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // The studio lists it; the audience (Bob) receives it.
        app.wait_for_name(first);
        poll(Duration::from_secs(10), Duration::from_millis(300), || {
            match log("bob").contains(&format!("chat: Alice: {first}")) {
                true => Ok(()),
                false => Err(format!("Bob never got Alice's message:\n{}", log("bob"))),
            }
        });
        // Blocked: her next message is shown nowhere and reaches nobody.
        app.press("Block Alice", None);
        poll(Duration::from_secs(20), Duration::from_millis(300), || {
            match log("alice").contains(&format!("said: {second}")) {
                true => Ok(()),
                false => Err(format!("Alice did not say her second message:\n{}", log("alice"))),
            }
        });
        std::thread::sleep(Duration::from_secs(3));
        let names = app.accessible_names();
        assert!(!names.contains(second), "a blocked peer's message shows in the studio:\n{names}");
        assert!(!names.contains(first), "a blocked peer's earlier message is still listed");
        assert!(!log("bob").contains(second), "a blocked peer's message reached the audience");
    }));
    for child in [&mut alice, &mut bob] {
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Err(e) = checked {
        eprintln!("alice:\n{}\nbob:\n{}", log("alice"), log("bob"));
        std::panic::resume_unwind(e);
    }
}

#[test]
fn remote_control_turned_on_in_settings_lets_a_client_switch_scenes_and_hear_the_windows_switches() {
    let _alone = alone();
    let app = App::start_with(None, |s| s.remote_control.bind = "127.0.0.1:0".into());
    let runtime = app.dir.path().join("runtime");
    let _keyring = common::desktop::start_keyring(&app.bus, app.dir.path(), &runtime);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Remote Control", Some("page tab"));
    app.click("Allow remote control", None); // the row, whose switch it turns
    let listening = app.wait_for_name("Listening on ws://127.0.0.1:");
    let port: u16 = listening
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok())
        .unwrap_or_else(|| panic!("a port in {listening}"));
    // The password the window shows is the keyring's.
    let password = Command::new(env!("CARGO_BIN_EXE_plateau"))
        .arg("--show-remote-password")
        .env("DBUS_SESSION_BUS_ADDRESS", &app.bus)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .expect("plateau runs");
    let password = String::from_utf8_lossy(&password.stdout).trim().to_owned();
    assert_eq!(password.len(), 16, "a password in the keyring");
    app.press("Show", Some("push button"));
    app.wait_for_name(&password);

    let mut client = common::python_client("obsws_python_window.py")
        .args([&port.to_string(), password.as_str()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(client.stdout.take().expect("stdout")));
    let mut next_line = || lines.next().and_then(Result::ok).unwrap_or_default();
    let from = now_ms();
    assert_eq!(next_line(), "set Blue");
    app.wait_for_name("connected · JSON");
    app.key("Escape");
    // The client's switch shows in the window…
    app.wait_for("the client's Blue on the canvas", |s| centre_is(s, BLUE));
    // …and the window's switch reaches the client.
    app.click("Red", Some("label"));
    assert_eq!(next_line(), "heard Blue,Red", "the client heard both switches");
    // A control surface's button records: the window says so.
    assert_eq!(next_line(), "hotkey plateau.record listed=True recording=True");
    poll(Duration::from_secs(10), Duration::from_millis(300), || match app.status_line() {
        line if line.contains("● Recording") => Ok(()),
        line => Err(format!("the window does not say it records: {line}")),
    });
    std::thread::sleep(Duration::from_secs(1)); // a second of show to play back
    let mut stdin = client.stdin.take().expect("stdin");
    std::io::Write::write_all(&mut stdin, b"stop\n").expect("told");
    assert_eq!(next_line(), "stopped recording=False");
    let recorded =
        poll(Duration::from_secs(10), Duration::from_millis(300), || match app.recordings().as_slice() {
            [one] if common::playable_seconds(one) > 0.5 => Ok(one.clone()),
            other => Err(format!("no playable recording yet: {other:?}")),
        });
    eprintln!("recorded through the hotkey: {}", recorded.display());

    // The presenter disconnects the clients from the list.
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Remote Control", Some("page tab"));
    // Two connections (events and requests): a person presses Disconnect
    // until the list says nobody is left, as the list follows the server.
    poll(Duration::from_secs(20), Duration::from_millis(500), || {
        let names = app.accessible_names();
        match names.contains("No client is connected") {
            true => Ok(()),
            false => {
                let _ = app.atspi(&["press", "Disconnect", "push button"]);
                Err(format!("clients are still listed:\n{names}"))
            }
        }
    });
    std::io::Write::write_all(&mut stdin, b"go\n").expect("told");
    let last = next_line();
    let _ = client.wait();
    assert!(last.starts_with("disconnected"), "the client was not cut off: {last}");
    // Answering the client never held the window up.
    app.assert_never_waited(from, NEVER_WAITS_MS, "a client driving the window");
}

#[test]
fn a_chat_source_shows_the_audience_messages_in_the_program_and_drops_a_blocked_peers() {
    let _alone = alone();
    let app = App::start_with(None, |s| {
        s.peer_to_peer.enabled = true;
        s.peer_to_peer.bind = "127.0.0.1:0".into();
    });
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // The moving ball would change the pixels by itself: it goes first.
    app.press("Remove Ball", None);
    app.press("Add a Source", None);
    app.press("Chat of the Swarm", Some("menu item"));
    app.wait_for_name("Properties — Chat");
    app.key("Escape");
    app.press("Go Live", None);
    let ticket = app.wait_for_name("plateau1").trim().to_owned();
    app.key("Escape");
    // Measured now: the chat panel that came with Go Live narrowed the canvas.
    let to_screen = app.canvas_to_screen();
    // The chat's box: the canvas's width, 240 high, in its middle.
    let (left, top) = to_screen(0.0, 60.0);
    let (right, bottom) = to_screen(640.0, 300.0);
    let area = (left as u32, top as u32, (right - left) as u32, (bottom - top) as u32);
    let not_red = |shot: &Shot| shot.count_unlike(RED, area, 25);
    std::thread::sleep(Duration::from_secs(1));
    let before = not_red(&app.shot("chat-before.png"));
    let dir = app.dir.path();
    let log = |name: &str| std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default();
    let mut alice = headless_viewer(
        dir,
        "alice",
        &ticket,
        &["--chat-name", "Alice", "--say", "Hello program", "--say", "Blocked words", "--say-every", "8"],
    );
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let shown = app.wait_for("the chat's words over the program", |shot| not_red(shot) > before + 1000);
        let after = not_red(&shown);
        eprintln!(
            "pixels other than the scene's red in the chat's box: {before} before the message, {after} after"
        );
        // Blocked: her words leave the program, and her next message never comes.
        app.press("Block Alice", None);
        let cleared = app.wait_for("the chat box emptied", |shot| not_red(shot) <= before + 50);
        eprintln!("after the block: {}", not_red(&cleared));
        poll(Duration::from_secs(20), Duration::from_millis(300), || {
            match log("alice").contains("said: Blocked words") {
                true => Ok(()),
                false => Err(format!("Alice did not say her second message:\n{}", log("alice"))),
            }
        });
        std::thread::sleep(Duration::from_secs(2));
        let late = not_red(&app.shot("chat-after-block.png"));
        assert!(late <= before + 50, "a blocked peer's message shows in the program: {late} pixels");
    }));
    let _ = alice.kill();
    let _ = alice.wait();
    if let Err(e) = checked {
        eprintln!("alice:\n{}", log("alice"));
        std::panic::resume_unwind(e);
    }
    assert!(before < 200, "the empty chat drew {before} pixels");
}

#[test]
fn the_viewer_window_lists_the_audiences_chat_and_sends_what_is_typed() {
    let _alone = alone();
    let dir = tempfile::tempdir().expect("temp dir");
    let (mut broadcaster, ticket) = red_broadcaster(dir.path());
    let log =
        |name: &str| std::fs::read_to_string(dir.path().join(format!("{name}.log"))).unwrap_or_default();
    let viewer = App::watch(&ticket);
    viewer.wait_for("the red program in the viewer's window", |s| s.bounds_of(RED).2 >= 320);
    let mut bob =
        headless_viewer(dir.path(), "bob", &ticket, &["--chat-name", "Bob", "--say", "Hi from Bob"]);
    let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Another viewer's message, passed on by the studio, is listed.
        viewer.wait_for_name("Bob: Hi from Bob");
        // Typed into the window: the studio gets it and passes it to Bob.
        viewer.click("Your name", Some("text"));
        viewer.key("ctrl+a");
        viewer.type_text("Carol");
        viewer.click("Message", Some("text"));
        viewer.type_text("Hello from the window");
        viewer.key("Return");
        poll(Duration::from_secs(10), Duration::from_millis(300), || {
            match log("broadcaster").contains("chat: Carol: Hello from the window") {
                true => Ok(()),
                false => Err(format!("the studio never got Carol's message:\n{}", log("broadcaster"))),
            }
        });
        viewer.wait_for_name("Carol: Hello from the window");
        poll(Duration::from_secs(10), Duration::from_millis(300), || {
            match log("bob").contains("chat: Carol: Hello from the window") {
                true => Ok(()),
                false => Err(format!("Bob never got Carol's message:\n{}", log("bob"))),
            }
        });
    }));
    let _ = bob.kill();
    let _ = bob.wait();
    let _ = broadcaster.kill();
    let _ = broadcaster.wait();
    if let Err(e) = checked {
        eprintln!("broadcaster:\n{}\nbob:\n{}", log("broadcaster"), log("bob"));
        std::panic::resume_unwind(e);
    }
}

#[test]
fn filters_added_in_their_dialog_change_the_program_live_and_are_saved() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // The red's own menu in the source list: Filters….
    add_filter_from_the_menu(&app, "red", "Colour Correction");
    app.wait_for_name("Saturation");
    // A person types a saturation of 0 into its box: the red turns grey.
    app.click("Saturation", None);
    app.key("ctrl+a");
    app.type_text("0");
    app.key("Return");
    let grey = |s: &Shot| {
        let p = s.pixel(CANVAS_CENTRE.0, CANVAS_CENTRE.1);
        p[0].abs_diff(p[1]) <= 12 && p[1].abs_diff(p[2]) <= 12 && (30..90).contains(&p[0])
    };
    app.wait_for("the red turned grey", grey);
    // Switched off, the red is back; on again, grey again.
    app.click("Use Colour Correction", None);
    app.wait_for("the filter off: red", |s| centre_is(s, RED));
    app.click("Use Colour Correction", None);
    app.wait_for("the filter on again: grey", grey);
    // A second filter, moved above the first, then removed.
    app.press("Add Filter", None);
    app.press("Mirror", Some("menu item"));
    app.press("Move Up: Mirror", None);
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let saved_filters = || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let red = c.sources.iter().find(|s| s.id.as_str() == "red").ok_or("no red source")?;
        Ok::<_, String>(red.filters.iter().map(|f| f.kind.id()).collect::<Vec<_>>())
    };
    poll(Duration::from_secs(10), Duration::from_millis(300), || match saved_filters()? {
        ids if ids == ["flip", "color_correction"] => Ok(()),
        ids => Err(format!("saved filters: {ids:?}")),
    });
    app.press("Remove: Mirror", None);
    app.key("Escape");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let red = c.sources.iter().find(|s| s.id.as_str() == "red").ok_or("no red source")?;
        match red.filters.as_slice() {
            [f] if matches!(f.kind, plateau::model::FilterKind::ColorCorrection { saturation, .. } if saturation == 0.0) => {
                Ok(())
            }
            other => Err(format!("saved: {other:?}")),
        }
    });
    app.wait_for("still grey after the dialog closed", grey);

    // Ctrl+Z takes the filter edits back one by one: the removal, the move,
    // the addition, the switch on and off, the typed saturation, the filter.
    let undo_to = |what: &str, ids: &[&str]| {
        app.key("ctrl+z");
        poll(Duration::from_secs(10), Duration::from_millis(200), || match saved_filters()? {
            saved if saved == ids => Ok(()),
            saved => Err(format!("{what}: saved filters {saved:?}")),
        });
    };
    undo_to("the mirror back", &["flip", "color_correction"]);
    undo_to("the mirror below again", &["color_correction", "flip"]);
    undo_to("the mirror gone", &["color_correction"]);
    app.key("ctrl+z");
    app.wait_for("the correction switched off again: red", |s| centre_is(s, RED));
    app.key("ctrl+z");
    app.wait_for("the correction on: grey", grey);
    app.key("ctrl+z");
    app.wait_for("the saturation back to 1: red", |s| centre_is(s, RED));
    undo_to("no filter", &[]);
}

#[test]
fn a_sources_filters_copied_from_its_menu_are_pasted_onto_another() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    add_filter_from_the_menu(&app, "red", "Mirror");
    app.wait_for_name("Left to Right");
    app.key("Escape");
    // Copied from the red's menu, pasted from the ball's.
    app.press("Actions for red", None);
    app.press("Copy Filters", Some("menu item"));
    app.wait_for_name("One filter copied");
    app.press("Actions for Ball", None);
    app.press("Paste Filters", Some("menu item"));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let ids = |id: &str| {
            c.sources
                .iter()
                .find(|s| s.id.as_str() == id)
                .map(|s| s.filters.iter().map(|f| f.kind.id()).collect::<Vec<_>>())
        };
        match (ids("red"), ids("ball")) {
            (Some(red), Some(ball)) if red == ["flip"] && ball == ["flip"] => Ok(()),
            other => Err(format!("saved filters (red, ball): {other:?}")),
        }
    });
}

/// Opens the Filters dialog of `source` (which has none yet) from its row's
/// menu, and adds `filter` from the dialog's + menu.
fn add_filter_from_the_menu(app: &App, source: &str, filter: &str) {
    app.press(&format!("Actions for {source}"), None);
    app.press("Filters…", Some("menu item"));
    app.wait_for_name(&format!("Filters — {source}"));
    app.wait_for_name("No filter yet");
    app.press("Add Filter", None);
    app.press(filter, Some("menu item"));
}

#[test]
fn a_countdown_added_from_the_menu_is_set_up_in_its_properties_and_saved() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Add a Source", None);
    app.press("Countdown", Some("menu item"));
    app.wait_for_name("Properties — Countdown");
    // Not a time nor seconds: nothing is kept.
    app.click("Counts down to a time (20:00) or for seconds (300)", Some("text"));
    app.key("ctrl+a");
    app.type_text("soon");
    app.key("ctrl+a");
    app.type_text("20:30");
    app.click("Shown at zero", Some("text"));
    app.key("ctrl+a");
    app.type_text("We are live");
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let motion = poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let motions: Vec<_> = c
            .sources
            .iter()
            .filter_map(|s| match &s.kind {
                SourceKind::Text { motion, .. } if !motion.is_still() => Some(motion.clone()),
                _ => None,
            })
            .collect();
        let wanted = plateau::model::TextMotion::Countdown {
            to: plateau::model::CountdownTarget::Time("20:30".into()),
            at_zero: "We are live".into(),
        };
        match motions.contains(&wanted) {
            true => Ok(motions),
            false => Err(format!("the saved collection's moving texts: {motions:?}")),
        }
    });
    eprintln!("saved: {motion:?}");
    app.key("Escape");
    app.wait_for_name("Countdown");
}

#[test]
fn an_obs_collection_imported_from_the_menu_opens_and_says_what_it_left_out() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // A blue backdrop and a browser source, as OBS saves them.
    let obs = app.dir.path().join("From OBS.json");
    let source = |name: &str, id: &str, settings: serde_json::Value| serde_json::json!({ "name": name, "id": id, "versioned_id": id, "settings": settings, "volume": 1.0, "muted": false, "filters": [] });
    let item = |name: &str, id: u64| {
        serde_json::json!({ "name": name, "id": id, "visible": true, "locked": false, "rot": 0.0,
            "pos": { "x": 0.0, "y": 0.0 }, "scale": { "x": 1.0, "y": 1.0 }, "align": 5, "bounds_type": 0,
            "bounds_align": 0, "bounds": { "x": 0.0, "y": 0.0 }, "crop_left": 0, "crop_top": 0, "crop_right": 0, "crop_bottom": 0 })
    };
    let text = serde_json::json!({ "name": "From OBS", "current_scene": "Blue", "scene_order": [ { "name": "Blue" } ],
        "sources": [
            source("Backdrop", "color_source_v3", serde_json::json!({ "color": 0xffff_0000u32, "width": 640, "height": 360 })),
            source("Overlay", "browser_source", serde_json::json!({ "url": "http://127.0.0.1:9/" })),
            source("Blue", "scene", serde_json::json!({ "items": [ item("Backdrop", 1), item("Overlay", 2) ] })),
        ] });
    std::fs::write(&obs, text.to_string()).expect("fixture written");
    app.press("Main Menu", None);
    app.press("Scene Collections", Some("menu item"));
    app.press("Import from OBS…", Some("menu item"));
    app.wait_for_name("Import an OBS Scene Collection");
    app.type_text(&obs.display().to_string());
    std::thread::sleep(Duration::from_millis(500));
    app.key("Return");
    app.wait_for_name("Imported from OBS: “From OBS”");
    app.wait_for_name("“Overlay” (browser_source): browser sources are not supported");
    app.press("Close", None);
    app.wait_for("the imported blue backdrop on the canvas", |s| centre_is(s, [0, 0, 255]));
    let saved = app.dir.path().join("config/plateau/collections/From OBS.json");
    let c = plateau::model::load_collection(&saved).expect("the import was saved among the collections");
    assert_eq!((c.video.width, c.video.height), (640, 360), "laid out on the window's canvas");
}

#[test]
fn the_virtual_camera_button_opens_a_camera_other_programs_read_and_closes_it() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // Without PipeWire, pressing it says so and it stays off.
    app.press("Virtual Camera", None);
    app.wait_for_name("The virtual camera could not start");
    // With the session's PipeWire running, it opens the nodes.
    let pw = common::pipewire::PipeWire::start_on(app.dir.path().join("runtime"), app.bus.clone());
    app.press("Virtual Camera", None);
    app.wait_for_name("Stop Virtual Camera");
    let nodes = poll(Duration::from_secs(10), Duration::from_millis(300), || match pw.plateau_nodes() {
        nodes if nodes.len() == 2 => Ok(nodes),
        nodes => Err(format!("the nodes called Plateau: {nodes:?}")),
    });
    eprintln!("nodes: {nodes:?}");
    let bytes = pw.read_pictures(plateau::engine::CAMERA_NODE, &app.dir.path().join("camera.rgb"));
    // Top left of the red scene (the ball takes its bottom right).
    let red = &bytes[(100 * 640 + 100) * 3..][..3];
    assert!(red[0] > 200 && red[1] < 50 && red[2] < 50, "the camera does not show the red program: {red:?}");
    app.press("Stop Virtual Camera", None);
    app.wait_for_name("Virtual Camera");
    poll(Duration::from_secs(10), Duration::from_millis(300), || match pw.plateau_nodes() {
        nodes if nodes.is_empty() => Ok(()),
        nodes => Err(format!("still there after Stop: {nodes:?}")),
    });
}

#[test]
fn a_rundown_built_in_its_panel_runs_the_scenes_by_themselves() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // Blue for two seconds, then Red, looping.
    for (n, scene) in ["Blue", "Red"].into_iter().enumerate() {
        app.press("Add a Scene to the Rundown", None);
        app.press(scene, Some("menu item"));
        // Its row opens to show its settings.
        app.click(&format!("{}. {scene}", n + 1), None);
        app.click(&format!("Seconds on air of {scene}"), Some("text"));
        app.key("ctrl+a");
        app.type_text("2");
    }
    app.press("Loop the Rundown", None);
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let rundown = poll(Duration::from_secs(10), Duration::from_millis(300), || {
        let c = plateau::model::load_collection(&saved).map_err(|e| e.to_string())?;
        let r = c.rundown;
        let shape: Vec<(String, Option<f64>)> =
            r.entries.iter().map(|e| (e.scene.clone(), e.length.as_seconds())).collect();
        match shape == [("Blue".to_owned(), Some(2.0)), ("Red".to_owned(), Some(2.0))] && r.looping {
            true => Ok(shape),
            false => Err(format!("the saved rundown: {shape:?}, loop {}", r.looping)),
        }
    });
    eprintln!("rundown: {rundown:?}");
    app.press("Start Playout", None);
    app.wait_for_name("On air by itself");
    // The scenes follow each other by themselves, and come round again.
    for (n, colour) in [BLUE, RED, BLUE].into_iter().enumerate() {
        app.wait_for(&format!("change {n} of the playout"), |s| centre_is(s, colour));
    }
    app.wait_for_name("left");
    app.press("Pause Playout", None);
    app.wait_for_name("Paused");
}

#[test]
fn a_slideshow_added_from_the_menu_shows_its_folder_s_pictures() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    let folder = app.dir.path().join("pictures");
    std::fs::create_dir_all(&folder).expect("a folder");
    for (name, colour) in [("a.png", "#00ff00"), ("b.png", "#0000ff")] {
        let made = Command::new("convert")
            .args(["-size", "64x36", &format!("xc:{colour}")])
            .arg(folder.join(name))
            .status()
            .expect("convert runs (install the package imagemagick)");
        assert!(made.success());
    }
    app.press("Add a Source", None);
    app.press("Slideshow…", Some("menu item"));
    app.wait_for_name("A Folder of Pictures for the Slideshow");
    app.type_text(&folder.display().to_string());
    std::thread::sleep(Duration::from_millis(500));
    app.key("Return");
    app.wait_for_name("Properties — Slideshow");
    app.click("Seconds each", Some("spin button"));
    app.key("ctrl+a");
    app.type_text("1");
    app.key("Tab");
    app.key("Escape");
    // Its pictures in turn, over the red.
    app.wait_for("the first picture", |s| centre_is(s, [0, 255, 0]));
    app.wait_for("the second picture", |s| centre_is(s, [0, 0, 255]));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let c = plateau::model::load_collection(&saved).expect("saved");
    assert!(
        c.sources.iter().any(|s| matches!(&s.kind, SourceKind::Slideshow { folder: Some(f), seconds, .. } if *f == folder && *seconds == 1.0)),
        "the slideshow is not saved with its folder and its second: {:?}",
        c.sources.iter().map(|s| &s.kind).collect::<Vec<_>>()
    );
}

#[test]
fn a_replay_saved_with_its_shortcut_plays_over_the_program_with_another() {
    let _alone = alone();
    let app = App::start(None);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    app.press("Main Menu", None);
    app.press("Replay Buffer", None);
    app.wait_for_name("Replay buffer on");
    // Five seconds of blue, then red again: blue can only come back from the replay.
    app.click("Blue", Some("label"));
    app.wait_for("the blue scene", |s| centre_is(s, BLUE));
    std::thread::sleep(Duration::from_secs(5));
    app.click("Red", Some("label"));
    app.wait_for("the red scene again", |s| centre_is(s, RED));
    // Twice in CI (and never here) the first press reached nothing: no save
    // began and nothing was said. A person presses again; never twice once
    // the application's log says the save began.
    poll(Duration::from_secs(30), Duration::from_secs(5), || {
        if app.log_tail().contains("saving the replay") {
            return Ok(());
        }
        app.key("ctrl+shift+s");
        std::thread::sleep(Duration::from_secs(2));
        match app.log_tail().contains("saving the replay") {
            true => Ok(()),
            false => {
                Err(format!("Ctrl+Shift+S began no save; the end of plateau's log:\n{}", app.log_tail()))
            }
        }
    });
    let said = app.wait_for_name("Replay saved:");
    eprintln!("{said}");
    let replays: Vec<_> = std::fs::read_dir(app.dir.path().join("recordings"))
        .expect("the recordings folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("Replay"))
        .collect();
    assert_eq!(replays.len(), 1, "one replay file in the recordings folder");
    app.key("ctrl+shift+p");
    app.wait_for("the replay's blue over the red program", |s| centre_is(s, BLUE));
    let saved = app.dir.path().join("config/plateau/collections/Test.json");
    let c = plateau::model::load_collection(&saved).expect("saved");
    assert!(c.sources.iter().any(|s| s.name == "Replay"), "no Replay source in the collection");
}

#[test]
fn a_luma_wipe_chosen_under_the_program_wipes_in_the_next_scene_from_the_dark_side() {
    // A 4 s transition, so that the wipe is caught half way.
    let app = App::start_with(None, |s| s.transition = plateau::model::Transition::fade(4000));
    let to_screen = app.canvas_to_screen();
    let picture = app.dir.path().join("wipe.png");
    let status = Command::new("convert")
        .args(["-size", "360x640", "gradient:white-black", "-rotate", "90"])
        .arg(&picture)
        .status()
        .expect("convert runs (install the package imagemagick)");
    assert!(status.success(), "the wipe's picture is made");
    // Its list opens on the kind chosen; the luma wipe is next to last.
    app.click("Transition", Some("combo box"));
    app.wait_for_name("Luma Wipe");
    app.key("End");
    app.key("Up");
    app.key("Return");
    // Chosen the first time, the wipe asks for its picture.
    app.wait_for_name("Choose the Wipe's Picture");
    app.type_text(&picture.display().to_string());
    std::thread::sleep(Duration::from_millis(500));
    app.key("Return");
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    poll(Duration::from_secs(10), Duration::from_millis(200), || {
        let saved = Settings::load(&settings_file).map(|s| s.transition);
        match &saved {
            Ok(t) if t.kind == plateau::model::TransitionKind::LumaWipe { picture: picture.clone() } => {
                Ok(())
            }
            other => Err(format!("the settings hold {other:?}")),
        }
    });
    app.click("Blue", Some("label"));
    // Above the ball: the dark left side turns blue while the right is red.
    let (left, right) = (to_screen(80.0, 90.0), to_screen(560.0, 90.0));
    let colour = |s: &Shot, (x, y): (f64, f64)| {
        let p = s.pixel(x as u32, y as u32);
        [p[0], p[1], p[2], 255]
    };
    app.wait_for("blue on the left, red on the right", |s| {
        near(colour(s, left), BLUE, 40) && near(colour(s, right), RED, 40)
    });
    app.wait_for("all blue at the end", |s| {
        near(colour(s, left), BLUE, 40) && near(colour(s, right), BLUE, 40)
    });
}

#[test]
fn the_monitoring_device_and_hearing_the_program_are_chosen_in_settings() {
    let pulse = common::pulse::Pulse::start();
    let server = pulse.server();
    let app = App::start_with_env(None, |_| {}, &[("PULSE_SERVER", server.as_str())]);
    app.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
    // The blue scene has a tone; nothing is monitored yet.
    app.click("Blue", Some("label"));
    app.wait_for("the blue scene", |s| centre_is(s, BLUE));
    let (before, _) = pulse.listen(1.0);
    app.press("Main Menu", None);
    app.press("Settings", Some("menu item"));
    app.press("Audio", Some("page tab"));
    // The outputs are listed: the test's own null sink after the default.
    app.click("Monitoring Device", None);
    app.wait_for_name("Null Output");
    app.key("End");
    app.key("Return");
    app.click("Hear the Program", None);
    let settings_file = app.dir.path().join("config/plateau/settings.json");
    poll(Duration::from_secs(10), Duration::from_millis(200), || match Settings::load(&settings_file) {
        Ok(s) if s.monitor_device.as_deref() == Some("headphones") && s.monitor_program => Ok(()),
        other => Err(format!("the settings hold {:?}", other.map(|s| (s.monitor_device, s.monitor_program)))),
    });
    let (heard, frequency) =
        poll(Duration::from_secs(10), Duration::from_millis(100), || match pulse.listen(1.0) {
            (db, hz) if db > -30.0 && (hz - 440.0).abs() < 20.0 => Ok((db, hz)),
            other => Err(format!("the program's tone not on the null sink: {other:?}")),
        });
    eprintln!("the null sink: {before:.1} dB before, {heard:.1} dB at {frequency:.0} Hz after");
    assert!(before < -60.0, "nothing was monitored before: {before} dB");
}
