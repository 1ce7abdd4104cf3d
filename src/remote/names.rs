//! Plateau's model in obs-websocket's words: input kinds, settings,
//! transforms, transitions and the UUIDs clients key things by.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use crate::model::{Color, SceneCollection, SceneItem, Source, SourceId, SourceKind, TransitionKind};
use crate::remote::protocol::{status, Failure};

/// The input kinds, by OBS's names where OBS has the same thing.
pub const INPUT_KINDS: &[&str] = &[
    "plateau_test_pattern",
    "color_source_v3",
    "image_source",
    "ffmpeg_source",
    "xshm_input_v2",
    "pipewire-screen-capture-source",
    "v4l2_input",
    "pulse_input_capture",
    "pulse_output_capture",
    "text_ft2_source_v2",
    "plateau_tone",
    "plateau_chat",
    "slideshow",
];

pub fn input_kind(kind: &SourceKind) -> &'static str {
    match kind {
        SourceKind::TestPattern { .. } => INPUT_KINDS[0],
        SourceKind::Color { .. } => INPUT_KINDS[1],
        SourceKind::Image { .. } => INPUT_KINDS[2],
        SourceKind::Media { .. } => INPUT_KINDS[3],
        SourceKind::ScreenX11 { .. } => INPUT_KINDS[4],
        SourceKind::ScreenPortal { .. } => INPUT_KINDS[5],
        SourceKind::Webcam { .. } => INPUT_KINDS[6],
        SourceKind::AudioInput { .. } => INPUT_KINDS[7],
        SourceKind::DesktopAudio => INPUT_KINDS[8],
        SourceKind::Text { .. } => INPUT_KINDS[9],
        SourceKind::Tone { .. } => INPUT_KINDS[10],
        SourceKind::Chat { .. } => INPUT_KINDS[11],
        SourceKind::Slideshow { .. } => INPUT_KINDS[12],
    }
}

/// A new source of an input kind, with its defaults (a file's path is
/// empty until its settings give one).
pub fn new_kind(kind: &str) -> Result<SourceKind, Failure> {
    let source = match kind {
        "plateau_test_pattern" => SourceKind::TestPattern { pattern: Default::default() },
        "color_source_v3" | "color_source" => SourceKind::Color { color: Color::rgb(255, 255, 255) },
        "text_ft2_source_v2" | "text_ft2_source" => {
            serde_json::from_value(json!({ "kind": "text", "text": "" }))
                .map_err(|e| internal(e.to_string()))?
        }
        "plateau_tone" => SourceKind::Tone { frequency: 440.0 },
        "plateau_chat" => {
            serde_json::from_value(json!({ "kind": "chat" })).map_err(|e| internal(e.to_string()))?
        }
        "pulse_output_capture" => SourceKind::DesktopAudio,
        "pulse_input_capture" => SourceKind::AudioInput { device: None },
        "pipewire-screen-capture-source" => SourceKind::ScreenPortal { restore_token: None },
        "image_source" => SourceKind::Image { path: Default::default() },
        "ffmpeg_source" => SourceKind::Media { path: Default::default(), looping: false },
        "slideshow" => {
            serde_json::from_value(json!({ "kind": "slideshow" })).map_err(|e| internal(e.to_string()))?
        }
        other => {
            return Err(Failure::new(status::INVALID_INPUT_KIND, format!("Plateau cannot make a {other}")))
        }
    };
    Ok(source)
}

/// An image or media source not yet given its file.
pub fn lacks_file(kind: &SourceKind) -> bool {
    match kind {
        SourceKind::Image { path } | SourceKind::Media { path, .. } => path.as_os_str().is_empty(),
        _ => false,
    }
}

fn internal(message: String) -> Failure {
    Failure::new(status::REQUEST_PROCESSING_FAILED, message)
}

/// The settings of a source, as OBS names them for its kind.
pub fn settings_of(kind: &SourceKind) -> Value {
    match kind {
        SourceKind::Color { color } => json!({ "color": obs_color(*color) }),
        SourceKind::Image { path } => json!({ "file": path }),
        SourceKind::Media { path, looping } => {
            json!({ "local_file": path, "looping": looping, "is_local_file": true })
        }
        SourceKind::Text { text, font, size, color, .. } => json!({
            "text": text,
            "font": { "face": font, "size": size },
            "color1": obs_color(*color),
            "color2": obs_color(*color),
        }),
        SourceKind::Tone { frequency } => json!({ "frequency": frequency }),
        SourceKind::Chat { font, size, color, lines, .. } => json!({
            "font": { "face": font, "size": size },
            "color1": obs_color(*color),
            "lines": lines,
        }),
        SourceKind::Webcam { device, .. } => json!({ "device_id": device }),
        SourceKind::AudioInput { device } => json!({ "device_id": device }),
        _ => json!({}),
    }
}

/// Applies the settings a client sent; unknown fields are left alone.
pub fn apply_settings(kind: &mut SourceKind, settings: &Map<String, Value>) -> Result<(), Failure> {
    let text = |name: &str| -> Result<Option<String>, Failure> {
        match settings.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Failure::new(status::INVALID_REQUEST_FIELD_TYPE, format!("{name} is a string"))),
        }
    };
    let color = |name: &str| -> Result<Option<Color>, Failure> {
        match settings.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                v.as_u64().and_then(|n| u32::try_from(n).ok()).map(|n| Some(from_obs_color(n))).ok_or_else(
                    || Failure::new(status::INVALID_REQUEST_FIELD_TYPE, format!("{name} is a colour number")),
                )
            }
        }
    };
    match kind {
        SourceKind::Color { color: c } => {
            if let Some(new) = color("color")? {
                *c = new;
            }
        }
        SourceKind::Image { path } => {
            if let Some(file) = text("file")? {
                *path = file.into();
            }
        }
        SourceKind::Media { path, looping } => {
            if let Some(file) = text("local_file")? {
                *path = file.into();
            }
            if let Some(l) = settings.get("looping").and_then(Value::as_bool) {
                *looping = l;
            }
        }
        SourceKind::Text { text: t, color: c, size, font, .. } => {
            if let Some(new) = text("text")? {
                if new.chars().count() > 10_000 {
                    return Err(Failure::new(
                        status::REQUEST_FIELD_OUT_OF_RANGE,
                        "text is at most 10000 characters",
                    ));
                }
                *t = new;
            }
            if let Some(new) = color("color1")? {
                *c = new;
            }
            if let Some(f) = settings.get("font").and_then(Value::as_object) {
                if let Some(s) = f.get("size").and_then(Value::as_u64).filter(|s| (4..=1000).contains(s)) {
                    *size = s as u32;
                }
                if let Some(face) = f.get("face").and_then(Value::as_str) {
                    *font = face.to_owned();
                }
            }
        }
        SourceKind::Tone { frequency } => {
            if let Some(f) =
                settings.get("frequency").and_then(Value::as_f64).filter(|f| (20.0..=20_000.0).contains(f))
            {
                *frequency = f;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The size a new item of `kind` gets: a text's box, else the canvas.
pub fn natural_size(kind: &SourceKind, c: &SceneCollection) -> (u32, u32) {
    match kind {
        SourceKind::Text { width, height, .. } | SourceKind::Chat { width, height, .. } => (*width, *height),
        k if !k.has_video() => (0, 0),
        _ => (c.video.width, c.video.height),
    }
}

/// Colours as OBS sends them: 0xAABBGGRR.
pub fn obs_color(c: Color) -> u32 {
    u32::from_le_bytes([c.r, c.g, c.b, c.a])
}

pub fn from_obs_color(value: u32) -> Color {
    let [r, g, b, a] = value.to_le_bytes();
    Color { r, g, b, a }
}

pub fn decibels(mul: f64) -> f64 {
    if mul <= 0.0 {
        -100.0
    } else {
        (20.0 * mul.log10()).max(-100.0)
    }
}

/// A UUID-shaped name made from `key`: the same key gives the same UUID.
fn uuid_of(kind: &str, key: &str) -> String {
    let h = Sha256::digest(format!("plateau:{kind}:{key}"));
    let hex: String = h.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

pub fn scene_uuid(name: &str) -> String {
    uuid_of("scene", name)
}

pub fn source_uuid(id: &SourceId) -> String {
    uuid_of("source", id.as_str())
}

/// `GetSceneList`'s scenes: OBS lists the last scene first (index 0 is
/// the bottom of its list).
pub fn scene_list(c: &SceneCollection) -> Vec<Value> {
    let count = c.scenes.len();
    c.scenes
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| json!({ "sceneName": s.name, "sceneUuid": scene_uuid(&s.name), "sceneIndex": count - 1 - i }))
        .collect()
}

/// One entry of `GetSceneItemList`.
pub fn item_json(item: &SceneItem, index: usize, source: &Source, natural: Option<(u32, u32)>) -> Value {
    json!({
        "sceneItemId": item.id.0,
        "sceneItemIndex": index,
        "sceneItemEnabled": item.visible,
        "sceneItemLocked": item.locked,
        "sceneItemTransform": transform(item, natural),
        "sceneItemBlendMode": "OBS_BLEND_NORMAL",
        "sourceName": source.name,
        "sourceUuid": source_uuid(&source.id),
        "sourceType": "OBS_SOURCE_TYPE_INPUT",
        "inputKind": input_kind(&source.kind),
        "isGroup": Value::Null,
    })
}

/// The source's own size (`natural`, when known), else the item's.
fn source_size(item: &SceneItem, natural: Option<(u32, u32)>) -> (f64, f64) {
    let (w, h) = natural.unwrap_or((item.width, item.height));
    (f64::from(w.max(1)), f64::from(h.max(1)))
}

/// An item's place as OBS describes it (top-left alignment, no bounds).
pub fn transform(item: &SceneItem, natural: Option<(u32, u32)>) -> Value {
    let (sw, sh) = source_size(item, natural);
    json!({
        "positionX": f64::from(item.x),
        "positionY": f64::from(item.y),
        "rotation": 0.0,
        "scaleX": f64::from(item.width) / sw,
        "scaleY": f64::from(item.height) / sh,
        "width": f64::from(item.width),
        "height": f64::from(item.height),
        "sourceWidth": sw,
        "sourceHeight": sh,
        "alignment": 5,
        "boundsType": "OBS_BOUNDS_NONE",
        "boundsAlignment": 0,
        "boundsWidth": 0.0,
        "boundsHeight": 0.0,
        "cropLeft": item.crop.left,
        "cropRight": item.crop.right,
        "cropTop": item.crop.top,
        "cropBottom": item.crop.bottom,
        "cropToBounds": false,
    })
}

/// Applies the fields of a transform a client sent.
pub fn apply_transform(
    item: &mut SceneItem,
    natural: Option<(u32, u32)>,
    t: &Map<String, Value>,
) -> Result<(), Failure> {
    let number = |name: &str| -> Result<Option<f64>, Failure> {
        match t.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_f64().filter(|f| f.is_finite() && f.abs() <= 1e6).map(Some).ok_or_else(|| {
                Failure::new(status::INVALID_REQUEST_FIELD_TYPE, format!("{name} is a number up to 1e6"))
            }),
        }
    };
    if number("rotation")?.is_some_and(|r| r % 360.0 != 0.0) {
        return Err(Failure::new(status::INVALID_REQUEST_FIELD, "Plateau does not rotate items"));
    }
    let (sw, sh) = source_size(item, natural);
    if let Some(x) = number("positionX")? {
        item.x = x.round() as i32;
    }
    if let Some(y) = number("positionY")? {
        item.y = y.round() as i32;
    }
    let size = |scale: f64, of: f64| -> Result<u32, Failure> {
        match scale {
            s if s > 0.0 && s * of <= 16384.0 => Ok((s * of).round().max(1.0) as u32),
            _ => Err(Failure::new(
                status::REQUEST_FIELD_OUT_OF_RANGE,
                "the scaled size is between 1 and 16384",
            )),
        }
    };
    if let Some(s) = number("scaleX")? {
        item.width = size(s, sw)?;
    }
    if let Some(s) = number("scaleY")? {
        item.height = size(s, sh)?;
    }
    let bounded = t.get("boundsType").and_then(Value::as_str).is_some_and(|b| b != "OBS_BOUNDS_NONE");
    if bounded {
        if let Some(w) = number("boundsWidth")? {
            item.width = size(w, 1.0)?;
        }
        if let Some(h) = number("boundsHeight")? {
            item.height = size(h, 1.0)?;
        }
    }
    for (name, field) in [
        ("cropLeft", &mut item.crop.left),
        ("cropRight", &mut item.crop.right),
        ("cropTop", &mut item.crop.top),
        ("cropBottom", &mut item.crop.bottom),
    ] {
        if let Some(v) = number(name)? {
            *field = v.clamp(0.0, 16384.0) as u32;
        }
    }
    Ok(())
}

pub const TRANSITIONS: &[TransitionKind] =
    &[TransitionKind::Cut, TransitionKind::Fade, TransitionKind::Slide];

pub fn transition_name(kind: &TransitionKind) -> &'static str {
    match kind {
        TransitionKind::Cut => "Cut",
        TransitionKind::Fade => "Fade",
        TransitionKind::Slide => "Slide",
        TransitionKind::LumaWipe { .. } => "Luma Wipe",
        TransitionKind::Stinger { .. } => "Stinger",
    }
}

/// OBS's id of the transition's kind.
pub fn transition_kind(kind: &TransitionKind) -> &'static str {
    match kind {
        TransitionKind::Cut => "cut_transition",
        TransitionKind::Fade => "fade_transition",
        TransitionKind::Slide => "slide_transition",
        TransitionKind::LumaWipe { .. } => "wipe_transition",
        TransitionKind::Stinger { .. } => "obs_stinger_transition",
    }
}
