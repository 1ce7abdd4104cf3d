//! What a user, a file or a client hands Plateau never panics it: the
//! collection and settings loaders, the stream address checks and the
//! recording file-name template, 110 000 generated cases in all
//! (proptest), from random text to real files with one value replaced.

use std::path::Path;

use plateau::model::{collection_from_text, demo_collection, Settings};
use proptest::prelude::*;
use serde_json::{json, Value};

/// Any JSON value a hostile file could hold where a number or a string is
/// expected: limits, negatives, fractions, huge numbers, odd strings.
fn hostile_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(0.5)),
        Just(json!(4294967296u64)),
        Just(json!(2147483648u64)),
        Just(json!(65536)),
        Just(json!(null)),
        Just(json!(true)),
        Just(json!("")),
        Just(json!("%s%n%%")),
        Just(json!("../../etc/passwd")),
        Just(json!([])),
        Just(json!({})),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("JSON has no NaN", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,40}".prop_map(Value::String),
    ]
}

/// Every path (object keys and array indexes) to a leaf of `value`.
fn leaves(value: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(m) => {
            m.iter().for_each(|(k, v)| leaves(v, [path.clone(), vec![k.clone()]].concat(), out))
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| leaves(v, [path.clone(), vec![i.to_string()]].concat(), out)),
        _ => out.push(path),
    }
}

fn replace(value: &mut Value, path: &[String], with: Value) {
    let mut at = value;
    for key in path {
        at = match at {
            Value::Object(m) => m.get_mut(key).expect("a key of the file"),
            Value::Array(a) => &mut a[key.parse::<usize>().expect("an index")],
            _ => return,
        };
    }
    *at = with;
}

/// A real file with one leaf replaced by a hostile value.
fn mutated(base: Value) -> impl Strategy<Value = String> {
    let mut paths = Vec::new();
    leaves(&base, Vec::new(), &mut paths);
    (prop::sample::select(paths), hostile_value(), prop::sample::select(paths_again(&base)), hostile_value())
        .prop_map(move |(path, value, second, other)| {
            let mut v = base.clone();
            replace(&mut v, &path, value);
            replace(&mut v, &second, other);
            v.to_string()
        })
}

fn paths_again(base: &Value) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    leaves(base, Vec::new(), &mut paths);
    paths
}

fn demo_json() -> Value {
    let mut c = demo_collection(true);
    // Every kind of source, so that each one's fields get their turn.
    let more = json!([
        { "id": "f1", "name": "Clip", "kind": "media", "path": "/tmp/clip.mp4", "loop": true },
        { "id": "f2", "name": "Logo", "kind": "image", "path": "/tmp/logo.png" },
        { "id": "f3", "name": "Cam", "kind": "webcam", "device": "/dev/video0", "width": 1280, "height": 720, "fps": 30 },
        { "id": "f4", "name": "Mic", "kind": "audio-input", "device": "x" },
        { "id": "f5", "name": "Desk", "kind": "desktop-audio" },
        { "id": "f6", "name": "Screen", "kind": "screen-x11", "region": { "x": 0, "y": 0, "width": 640, "height": 360 } },
        { "id": "f7", "name": "Colour", "kind": "color", "color": "#ff0000" },
        { "id": "f8", "name": "Chat", "kind": "chat", "size": 20, "lines": 4 }
    ]);
    for s in more.as_array().expect("sources") {
        c.sources.push(serde_json::from_value(s.clone()).expect("a source"));
    }
    let mut v = serde_json::to_value(&c).expect("the demo as JSON");
    v["scenes"][0]["items"][0]["crop"] = json!({ "left": 1, "top": 2, "right": 3, "bottom": 4 });
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 30_000, ..ProptestConfig::default() })]
    #[test]
    fn a_collection_with_any_value_anywhere_loads_or_is_refused(text in mutated(demo_json())) {
        if let Ok(c) = collection_from_text(&text, Path::new("fuzzed.json")) {
            // What loads is valid, and saves and loads again the same.
            prop_assert!(c.validate().is_ok());
            let again = serde_json::to_string(&c).expect("saved");
            prop_assert!(collection_from_text(&again, Path::new("again.json")).is_ok());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]
    #[test]
    fn random_text_as_a_collection_or_settings_is_refused_without_panic(text in ".{0,300}") {
        let _ = collection_from_text(&text, Path::new("random.json"));
        let _ = Settings::from_text(&text, Path::new("random.json"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 25_000, ..ProptestConfig::default() })]
    #[test]
    fn settings_with_any_value_anywhere_load_or_are_refused(text in mutated(settings_json())) {
        let _ = Settings::from_text(&text, Path::new("settings.json"));
    }
}

fn settings_json() -> Value {
    let mut s = Settings { recording_folder: Some("/tmp/rec".into()), ..Settings::default() };
    s.destinations.push(plateau::model::Destination {
        name: "YouTube".into(),
        server: "rtmp://a.rtmp.youtube.com/live2".into(),
        enabled: true,
    });
    s.window = Some(plateau::model::WindowState { width: 1280, height: 800, maximized: false });
    serde_json::to_value(&s).expect("settings as JSON")
}

/// Addresses shaped like real ones, with odd pieces.
fn address() -> impl Strategy<Value = String> {
    let scheme = prop::sample::select(vec![
        "rtmp://", "rtmps://", "srt://", "RTMP://", "http://", "", "rtmp:/", "srt:",
    ]);
    let host = prop::sample::select(vec![
        "a.rtmp.youtube.com",
        "127.0.0.1:1935",
        "[::1]:9999",
        "é.example",
        "",
        "user:pw@host",
        "host:99999999",
    ]);
    let rest = prop::collection::vec(
        prop::sample::select(vec![
            "/",
            "live2",
            "app",
            "KEY-123",
            "?",
            "&",
            "=",
            "auth=s3cret",
            "%",
            "%2F",
            "#",
            "é",
            "//",
            "streamid=#!::r=live,m=publish",
            " ",
            "\u{0}",
        ]),
        0..8,
    );
    (scheme, host, rest).prop_map(|(s, h, r)| format!("{s}{h}{}", r.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 25_000, ..ProptestConfig::default() })]
    #[test]
    fn stream_addresses_are_checked_and_redacted_without_panic(
        url in prop_oneof![address(), ".{0,80}"],
        key in prop_oneof![".{0,20}", "[A-Za-z0-9_-]{8,24}"],
    ) {
        let _ = plateau::engine::check_stream_url(&url);
        let _ = plateau::engine::redact(&url);
        let _ = plateau::model::is_stream_server(&url);
        let full = plateau::secrets::stream_url(&url, Some(&key));
        // A key added to a server a stream can start with never survives redaction.
        let plain = !key.contains(['/', '?', '#', '@']) && !key.trim().is_empty();
        if plain && plateau::engine::check_stream_url(&full).is_ok() && key.len() >= 8 && !url.contains(&key) {
            let redacted = plateau::engine::redact(&full);
            prop_assert!(!redacted.contains(&key), "{full} -> {redacted}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]
    #[test]
    fn any_file_name_template_gives_a_plain_file_name(template in prop_oneof![".{0,60}", "(%[a-zA-Z%:.-]|[a-z /.]){0,20}"]) {
        let name = plateau::recordings::recording_name(&template);
        prop_assert!(!name.is_empty() && name != "." && name != "..", "{template:?} -> {name:?}");
        prop_assert!(!name.contains('/') && !name.contains('\0'), "{template:?} -> {name:?}");
    }
}
