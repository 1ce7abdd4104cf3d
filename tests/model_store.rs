//! The collection file: round trip, positioned errors, atomic saves.

use std::fs;
use std::io::Write;

use plateau::model::{
    demo_collection, load_collection, save_collection, write_atomically, CollectionStore, ModelError,
};

#[test]
fn a_collection_survives_a_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = CollectionStore::at(dir.path());
    let original = demo_collection(true);
    let path = store.save(&original).expect("saved");
    assert_eq!(store.load("Demo").expect("loaded"), original);
    assert_eq!(store.names().expect("listed"), vec!["Demo".to_string()]);
    // Saving again keeps the previous file as .bak.
    let mut changed = original.clone();
    changed.scenes[0].items[0].x = 42;
    store.save(&changed).expect("saved again");
    assert_eq!(load_collection(&path).expect("loaded").scenes[0].items[0].x, 42);
    let bak = path.with_file_name("Demo.json.bak");
    assert_eq!(load_collection(&bak).expect("backup readable"), original);
}

#[test]
fn a_corrupt_file_gives_file_line_and_column_and_is_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.json");
    let mut text = serde_json::to_string_pretty(&demo_collection(false)).expect("json");
    // Break the file on a known line: drop a comma.
    let line_of_break = text[..text.find("\"name\": \"Demo\"").expect("name")].lines().count();
    text = text.replacen("\"name\": \"Demo\",", "\"name\": \"Demo\"", 1);
    fs::write(&path, &text).expect("written");
    let before = fs::read(&path).expect("read");
    let err = load_collection(&path).expect_err("corrupt");
    match &err {
        ModelError::Syntax { path: p, line, column, .. } => {
            assert_eq!(p, &path);
            assert_eq!(*line, line_of_break + 1, "the error is on the line after the missing comma");
            assert!(*column > 0);
        }
        other => panic!("not a syntax error: {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{}:", path.display())), "{shown}");
    assert_eq!(fs::read(&path).expect("read"), before, "byte-identical after the failed load");
}

#[test]
fn an_unknown_version_is_refused_with_its_position() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("future.json");
    let text = serde_json::to_string_pretty(&demo_collection(false)).expect("json").replacen(
        "\"version\": 1",
        "\"version\": 7",
        1,
    );
    fs::write(&path, &text).expect("written");
    let err = load_collection(&path).expect_err("future version");
    let ModelError::Version { line, column, found, .. } = err else { panic!("not a version error: {err:?}") };
    assert_eq!((line, column, found), (2, 3, 7));
    assert_eq!(fs::read_to_string(&path).expect("read"), text);
}

#[test]
fn an_item_pointing_at_no_source_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("dangling.json");
    let mut c = demo_collection(false);
    c.sources.retain(|s| s.id.as_str() != "camera");
    fs::write(&path, serde_json::to_string(&c).expect("json")).expect("written");
    let err = load_collection(&path).expect_err("dangling");
    assert!(err.to_string().contains("camera"), "{err}");
}

#[test]
fn an_interrupted_save_leaves_the_previous_file_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("show.json");
    save_collection(&demo_collection(false), &path).expect("first save");
    let before = fs::read(&path).expect("read");
    // The writer dies half way through, as a crash or a full disk would.
    let result = write_atomically(&path, |file| {
        file.write_all(&before[..before.len() / 2])?;
        Err(std::io::Error::other("disk full"))
    });
    assert!(result.is_err());
    assert_eq!(fs::read(&path).expect("read"), before, "the previous file is intact");
    assert!(!dir.path().join("show.json.tmp").exists(), "no temporary file is left");
    assert_eq!(load_collection(&path).expect("still loads"), demo_collection(false));
}

#[test]
fn a_leftover_temporary_file_from_a_crash_does_not_matter() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("show.json");
    save_collection(&demo_collection(false), &path).expect("save");
    fs::write(dir.path().join("show.json.tmp"), b"{ half a fi").expect("leftover");
    assert_eq!(load_collection(&path).expect("loads"), demo_collection(false));
    save_collection(&demo_collection(true), &path).expect("save over the leftover");
    assert_eq!(load_collection(&path).expect("loads"), demo_collection(true));
}

#[test]
fn the_default_store_lives_in_the_xdg_config_dir() {
    // Only read here: the directory is derived, nothing is written.
    let store = CollectionStore::in_config_dir().expect("a config dir");
    assert!(
        store.dir().ends_with("plateau/collections") || store.dir().ends_with("Plateau/collections"),
        "{:?}",
        store.dir()
    );
}

#[test]
fn an_absurd_canvas_or_item_size_is_refused_before_anything_is_allocated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("huge.json");
    for (what, edit) in [
        (
            "canvas",
            Box::new(|c: &mut plateau::model::SceneCollection| c.video.width = 100_000)
                as Box<dyn Fn(&mut _)>,
        ),
        ("fps", Box::new(|c: &mut plateau::model::SceneCollection| c.video.fps = 0)),
        ("audio", Box::new(|c: &mut plateau::model::SceneCollection| c.audio.channels = 0)),
        ("item", Box::new(|c: &mut plateau::model::SceneCollection| c.scenes[0].items[0].width = 1_000_000)),
    ] {
        let mut c = demo_collection(false);
        edit(&mut c);
        fs::write(&path, serde_json::to_string(&c).expect("json")).expect("written");
        let err = load_collection(&path).expect_err(what);
        assert!(matches!(err, ModelError::Invalid { .. }), "{what}: {err}");
        assert!(
            err.to_string().starts_with(&path.display().to_string()),
            "{what}: the error names the file: {err}"
        );
    }
}
