//! OBS Studio's scene collections (`basic/scenes/NAME.json`) read into a
//! Plateau collection, with a report of what could not come along.
//!
//! ```text
//!  OBS JSON ── sources[] ──► scenes (id "scene", in scene_order)
//!                         └► the others: kind, settings, volume, filters
//!           ── each scene's settings.items[] ──► items, placed as OBS
//!              places them (pos at the align point; scale or bounds; crop)
//! ```
//!
//! The layout follows `obs_scene_save` / `obs-scene.c` (OBS 27 to 31).
//! Sizes OBS knows from the running sources (a picture's, a clip's) come
//! from the caller's `natural_size`; a text's is estimated from its font.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::model::{
    Color, Crop, Filter, FilterKind, ItemId, KeyColor, Scene, SceneCollection, SceneItem, SlideOrder, Source,
    SourceId, SourceKind, TextMotion, VideoSettings,
};

/// What was read, and what could not be carried over (one line each).
#[derive(Debug, Clone)]
pub struct Imported {
    pub collection: SceneCollection,
    pub skipped: Vec<String>,
}

/// Why a file is not an OBS scene collection Plateau can read.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: cannot be read as JSON ({cause})")]
    NotJson { path: PathBuf, cause: String },
    #[error("{0}: not an OBS scene collection (it has no sources)")]
    NotObs(PathBuf),
    #[error("{0}: the collection has no scene")]
    NoScene(PathBuf),
    #[error("{path}: the collection made does not hold together: {cause}")]
    Invalid { path: PathBuf, cause: String },
}

// Alignment flags of obs/libobs/graphics: centre is none of them.
const ALIGN_LEFT: u64 = 1;
const ALIGN_RIGHT: u64 = 2;
const ALIGN_TOP: u64 = 4;
const ALIGN_BOTTOM: u64 = 8;

/// Reads the OBS scene collection in `text` (from `path`, for messages and
/// for files named relative to it) onto a canvas of `video`.
pub fn import(
    text: &str,
    path: &Path,
    video: VideoSettings,
    natural_size: &dyn Fn(&SourceKind) -> Option<(u32, u32)>,
) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| ImportError::NotJson { path: path.into(), cause: e.to_string() })?;
    let sources =
        root.get("sources").and_then(Value::as_array).ok_or_else(|| ImportError::NotObs(path.into()))?;
    let name = str_of(&root, "name").unwrap_or("Imported from OBS");
    let mut reader =
        Reader { collection: SceneCollection::new(name), skipped: Vec::new(), ids: HashMap::new(), video };
    reader.collection.video = video;
    let mut scenes: Vec<&Value> = Vec::new();
    for source in sources {
        match str_of(source, "id") {
            Some("scene") => scenes.push(source),
            _ => reader.source(source, natural_size),
        }
    }
    // Scenes in the order the OBS window lists them.
    let order: Vec<&str> = root
        .get("scene_order")
        .and_then(Value::as_array)
        .map(|o| o.iter().filter_map(|s| str_of(s, "name")).collect())
        .unwrap_or_default();
    let rank = |s: &&Value| order.iter().position(|n| Some(*n) == str_of(s, "name")).unwrap_or(usize::MAX);
    scenes.sort_by_key(rank);
    for scene in scenes {
        reader.scene(scene);
    }
    if reader.collection.scenes.is_empty() {
        return Err(ImportError::NoScene(path.into()));
    }
    reader.collection.validate().map_err(|cause| ImportError::Invalid { path: path.into(), cause })?;
    Ok(Imported { collection: reader.collection, skipped: reader.skipped })
}

struct Reader {
    collection: SceneCollection,
    skipped: Vec<String>,
    /// OBS source name → (Plateau id, natural size).
    ids: HashMap<String, (SourceId, (f64, f64))>,
    video: VideoSettings,
}

impl Reader {
    fn skip(&mut self, line: String) {
        tracing::info!(%line, "not carried over from OBS");
        self.skipped.push(line);
    }

    fn source(&mut self, source: &Value, natural_size: &dyn Fn(&SourceKind) -> Option<(u32, u32)>) {
        let name = str_of(source, "name").unwrap_or("Source").to_owned();
        let id = str_of(source, "id").unwrap_or_default();
        let settings = source.get("settings").cloned().unwrap_or(Value::Null);
        let canvas = (f64::from(self.video.width), f64::from(self.video.height));
        let (kind, size) = match kind_of(id, &settings, canvas) {
            Ok(found) => found,
            Err(why) => return self.skip(format!("“{name}” ({id}): {why}")),
        };
        let size = match &kind {
            SourceKind::Image { .. } | SourceKind::Media { .. } => match natural_size(&kind) {
                Some((w, h)) => (f64::from(w), f64::from(h)),
                None => {
                    self.skip(format!(
                        "“{name}”: its file could not be read for its size; shown at the canvas's"
                    ));
                    canvas
                }
            },
            _ => size,
        };
        let plateau_id = self.collection.unused_source_id(&name);
        let mut s = Source::new(plateau_id.as_str(), &name, kind);
        s.volume = source.get("volume").and_then(Value::as_f64).unwrap_or(1.0).clamp(0.0, 10.0);
        s.muted = source.get("muted").and_then(Value::as_bool).unwrap_or(false);
        for filter in source.get("filters").and_then(Value::as_array).into_iter().flatten() {
            match filter_of(filter) {
                Ok(kind) => s.filters.push(Filter {
                    kind,
                    enabled: filter.get("enabled").and_then(Value::as_bool).unwrap_or(true),
                }),
                Err(why) => {
                    let filter_name = str_of(filter, "name").unwrap_or("?");
                    self.skip(format!("filter “{filter_name}” on “{name}”: {why}"));
                }
            }
        }
        self.ids.insert(name, (plateau_id, size));
        self.collection.sources.push(s);
    }

    fn scene(&mut self, scene: &Value) {
        let name = str_of(scene, "name").unwrap_or("Scene").to_owned();
        let mut made = Scene::new(name.clone());
        let items = scene.pointer("/settings/items").and_then(Value::as_array).cloned().unwrap_or_default();
        for item in &items {
            let shown = str_of(item, "name").unwrap_or_default().to_owned();
            let Some((id, size)) = self.ids.get(&shown).cloned() else {
                // A source skipped above (said then), a group or a nested scene.
                if !self.skipped.iter().any(|l| l.starts_with(&format!("“{shown}”"))) {
                    self.skip(format!(
                        "“{shown}” in scene “{name}”: groups and scenes within scenes are not supported"
                    ));
                }
                continue;
            };
            if item.get("rot").and_then(Value::as_f64).is_some_and(|r| r.abs() > 0.01) {
                self.skip(format!("“{shown}” in scene “{name}”: rotated items show unrotated"));
            }
            let scale = point(item, "scale", (1.0, 1.0));
            if scale.0 < 0.0 || scale.1 < 0.0 {
                self.skip(format!("“{shown}” in scene “{name}”: flipped items show unflipped"));
            }
            let mut placed = place(item, size);
            placed.id = ItemId(made.items.len() as u64 + 1);
            placed.source = id;
            if !placed.crop.is_none() && placed.width == 0 {
                placed.crop = Crop::default();
            }
            made.items.push(placed);
        }
        self.collection.scenes.push(made);
    }
}

/// Plateau's kind for an OBS source id and its settings, with its natural
/// size (for pictures and clips, the caller's); or why there is none.
fn kind_of(id: &str, settings: &Value, canvas: (f64, f64)) -> Result<(SourceKind, (f64, f64)), String> {
    let get_str = |key: &str| settings.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    let get_bool = |key: &str, default: bool| settings.get(key).and_then(Value::as_bool).unwrap_or(default);
    let device = |key: &str| Some(get_str(key)).filter(|d| !d.is_empty() && d != "default");
    Ok(match id {
        "color_source" | "color_source_v2" | "color_source_v3" => {
            let color = abgr(settings.get("color").and_then(Value::as_u64).unwrap_or(0xffff_ffff));
            let w = settings.get("width").and_then(Value::as_f64).unwrap_or(canvas.0);
            let h = settings.get("height").and_then(Value::as_f64).unwrap_or(canvas.1);
            (SourceKind::Color { color }, (w, h))
        }
        "image_source" => (SourceKind::Image { path: file(&get_str("file"))? }, canvas),
        "ffmpeg_source" if get_bool("is_local_file", true) => {
            let path = file(&get_str("local_file"))?;
            (SourceKind::Media { path, looping: get_bool("looping", false) }, canvas)
        }
        "ffmpeg_source" => return Err("network inputs are not supported; a local file is".into()),
        "text_ft2_source" | "text_ft2_source_v2" | "text_gdiplus" | "text_gdiplus_v2" | "text_gdiplus_v3" => {
            text_of(id, settings)
        }
        "v4l2_input" => {
            let packed = settings.get("resolution").and_then(Value::as_u64).unwrap_or(0);
            let (w, h) = match (packed >> 16, packed & 0xffff) {
                (w, h) if w >= 16 && h >= 16 => (w as u32, h as u32),
                _ => (1280, 720),
            };
            let kind = SourceKind::Webcam { device: device("device_id"), width: w, height: h, fps: 30 };
            (kind, (f64::from(w), f64::from(h)))
        }
        "dshow_input" | "av_capture_input" | "av_capture_input_v2" | "macos-avcapture" => {
            (SourceKind::Webcam { device: None, width: 1280, height: 720, fps: 30 }, (1280.0, 720.0))
        }
        "xshm_input" | "xshm_input_v2" => (
            SourceKind::ScreenX11 {
                display: None,
                region: None,
                show_pointer: get_bool("show_cursor", true),
            },
            canvas,
        ),
        "pipewire-desktop-capture-source"
        | "pipewire-screen-capture-source"
        | "pipewire-window-capture-source" => (SourceKind::ScreenPortal { restore_token: None }, canvas),
        "pulse_input_capture" | "alsa_input_capture" | "jack_input_client" => {
            (SourceKind::AudioInput { device: device("device_id") }, (0.0, 0.0))
        }
        "wasapi_input_capture" | "coreaudio_input_capture" => {
            (SourceKind::AudioInput { device: None }, (0.0, 0.0))
        }
        "pulse_output_capture" | "wasapi_output_capture" | "coreaudio_output_capture" => {
            (SourceKind::DesktopAudio, (0.0, 0.0))
        }
        "slideshow" | "slideshow_v2" => {
            let files: Vec<PathBuf> = settings
                .get("files")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|f| !f.get("hidden").and_then(Value::as_bool).unwrap_or(false))
                .filter_map(|f| f.get("value").and_then(Value::as_str).map(PathBuf::from))
                .collect();
            // OBS lists folders among the files: the first becomes the folder.
            let (folders, files): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| f.is_dir());
            let seconds = (settings.get("slide_time").and_then(Value::as_f64).unwrap_or(8000.0) / 1000.0)
                .clamp(0.5, 86_400.0);
            let fade = match get_str("transition").as_str() {
                "cut" => 0.0,
                _ => settings.get("transition_speed").and_then(Value::as_f64).unwrap_or(700.0),
            };
            let kind = SourceKind::Slideshow {
                folder: folders.into_iter().next(),
                files,
                seconds,
                order: if get_bool("randomize", false) { SlideOrder::Random } else { SlideOrder::InTurn },
                fade_ms: fade.clamp(0.0, seconds * 500.0) as u32,
                width: canvas.0 as u32,
                height: canvas.1 as u32,
            };
            (kind, canvas)
        }
        "browser_source" => return Err("browser sources are not supported".into()),
        "group" => return Err("groups are not supported; their items were left out".into()),
        other => return Err(format!("this kind of source ({other}) has no equivalent")),
    })
}

/// A file path from OBS's settings, which must name one.
fn file(path: &str) -> Result<PathBuf, String> {
    match path.trim() {
        "" => Err("no file is set".into()),
        path => Ok(PathBuf::from(path)),
    }
}

/// A text source: its words, font and colour, and its size as OBS would
/// draw it (estimated: Plateau draws with Pango, OBS with FreeType or GDI+).
fn text_of(id: &str, settings: &Value) -> (SourceKind, (f64, f64)) {
    let text = settings.get("text").and_then(Value::as_str).unwrap_or_default().to_owned();
    let font = settings.get("font").cloned().unwrap_or(Value::Null);
    let face = str_of(&font, "face").unwrap_or("Sans").to_owned();
    let size = font.get("size").and_then(Value::as_u64).unwrap_or(32).clamp(1, 1000) as u32;
    let flags = font.get("flags").and_then(Value::as_u64).unwrap_or(0);
    let style = str_of(&font, "style").unwrap_or_default().to_lowercase();
    let mut font_name = face;
    if flags & 1 != 0 || style.contains("bold") {
        font_name.push_str(" Bold");
    }
    if flags & 2 != 0 || style.contains("italic") {
        font_name.push_str(" Italic");
    }
    let color = match id {
        // GDI+ keeps the colour as 0xBBGGRR and the opacity apart (0-100).
        id if id.starts_with("text_gdiplus") => {
            let bgr = settings.get("color").and_then(Value::as_u64).unwrap_or(0xff_ffff);
            let opacity = settings.get("opacity").and_then(Value::as_f64).unwrap_or(100.0);
            let alpha = (opacity.clamp(0.0, 100.0) * 2.55).round() as u64;
            abgr((alpha << 24) | (bgr & 0xff_ffff))
        }
        _ => abgr(settings.get("color1").and_then(Value::as_u64).unwrap_or(0xffff_ffff)),
    };
    let lines: Vec<&str> = text.lines().collect();
    let longest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(1).max(1);
    let (w, h) = (
        (longest as f64 * f64::from(size) * 0.6 + f64::from(size) * 0.4).ceil().min(8192.0),
        (lines.len().max(1) as f64 * f64::from(size) * 1.25).ceil().min(8192.0),
    );
    let kind = SourceKind::Text {
        text,
        font: font_name,
        size,
        color,
        outline: settings.get("outline").and_then(Value::as_bool).unwrap_or(false),
        shadow: settings.get("drop_shadow").and_then(Value::as_bool).unwrap_or(false),
        width: w as u32,
        height: h as u32,
        motion: TextMotion::Still,
    };
    (kind, (w, h))
}

/// Plateau's filter for an OBS filter, or why there is none.
fn filter_of(filter: &Value) -> Result<FilterKind, String> {
    let id = str_of(filter, "id").unwrap_or_default();
    let settings = filter.get("settings").cloned().unwrap_or(Value::Null);
    let number = |key: &str, default: f64| settings.get(key).and_then(Value::as_f64).unwrap_or(default);
    Ok(match id {
        "chroma_key_filter" | "chroma_key_filter_v2" => {
            let key = match settings.get("key_color_type").and_then(Value::as_str).unwrap_or("green") {
                "green" => KeyColor::Green,
                "blue" => KeyColor::Blue,
                "magenta" => KeyColor::Custom(Color::rgb(255, 0, 255)),
                _ => KeyColor::Custom(abgr(
                    settings.get("key_color").and_then(Value::as_u64).unwrap_or(0xff00_ff00),
                )),
            };
            FilterKind::ChromaKey {
                key,
                similarity: (number("similarity", 400.0) / 1000.0).clamp(0.0, 1.0),
                smoothness: (number("smoothness", 80.0) / 1000.0).clamp(0.0, 1.0),
            }
        }
        "color_filter" | "color_filter_v2" => {
            // OBS's neutral values are 0 (contrast, saturation, gamma) and
            // its opacity is 0-1 in v2, 0-100 before.
            let opacity = match id {
                "color_filter" => number("opacity", 100.0) / 100.0,
                _ => number("opacity", 1.0),
            };
            FilterKind::ColorCorrection {
                brightness: number("brightness", 0.0).clamp(-1.0, 1.0),
                contrast: (1.0 + number("contrast", 0.0) / 4.0).clamp(0.0, 2.0),
                saturation: (1.0 + number("saturation", 0.0)).clamp(0.0, 2.0),
                hue: (number("hue_shift", 0.0) / 180.0).clamp(-1.0, 1.0),
                gamma: 2f64.powf(-number("gamma", 0.0)).clamp(0.1, 10.0),
                opacity: opacity.clamp(0.0, 1.0),
            }
        }
        "clut_filter" => {
            let path = settings.get("image_path").and_then(Value::as_str).unwrap_or_default();
            match Path::new(path).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref()
            {
                Some("cube") => FilterKind::Lut { path: PathBuf::from(path) },
                _ => return Err("only .cube LUTs are read (not picture LUTs)".into()),
            }
        }
        // OBS reads the mask's alpha or its colour, by the effect chosen;
        // Plateau's mask uses brightness times opacity, which covers both.
        "mask_filter" | "mask_filter_v2" => FilterKind::ImageMask {
            path: PathBuf::from(settings.get("image_path").and_then(Value::as_str).unwrap_or_default()),
        },
        "sharpness_filter" | "sharpness_filter_v2" => {
            FilterKind::Sharpen { amount: (number("sharpness", 0.08) * 10.0).clamp(0.1, 5.0) }
        }
        "async_delay_filter" | "gpu_delay" => {
            FilterKind::RenderDelay { ms: number("delay_ms", 0.0).clamp(0.0, 5000.0) as u32 }
        }
        "noise_suppress_filter" | "noise_suppress_filter_v2" => FilterKind::NoiseSuppression,
        "noise_gate_filter" => {
            FilterKind::NoiseGate { threshold_db: number("close_threshold", -32.0).clamp(-96.0, 0.0) }
        }
        "compressor_filter" => FilterKind::Compressor {
            threshold_db: number("threshold", -18.0).clamp(-60.0, 0.0),
            ratio: number("ratio", 10.0).clamp(1.0, 32.0),
        },
        "limiter_filter" => FilterKind::Limiter { threshold_db: number("threshold", -6.0).clamp(-60.0, 0.0) },
        "gain_filter" => FilterKind::Gain { db: number("db", 0.0).clamp(-30.0, 30.0) },
        "basic_eq_filter" => FilterKind::Equalizer {
            low_db: number("low", 0.0).clamp(-24.0, 12.0),
            mid_db: number("mid", 0.0).clamp(-24.0, 12.0),
            high_db: number("high", 0.0).clamp(-24.0, 12.0),
        },
        other => return Err(format!("this kind of filter ({other}) has no equivalent")),
    })
}

/// An item placed as OBS places it: the align point of its box at `pos`;
/// its box the source's cropped size times its scale, or its bounds, in
/// which the picture is fitted as the bounds type says and placed by the
/// bounds' alignment.
fn place(item: &Value, natural: (f64, f64)) -> SceneItem {
    let crop_of = |key: &str| item.get(key).and_then(Value::as_u64).unwrap_or(0).min(16_384) as u32;
    let crop = Crop {
        left: crop_of("crop_left"),
        top: crop_of("crop_top"),
        right: crop_of("crop_right"),
        bottom: crop_of("crop_bottom"),
    };
    let cropped = (
        (natural.0 - f64::from(crop.left + crop.right)).max(1.0),
        (natural.1 - f64::from(crop.top + crop.bottom)).max(1.0),
    );
    let pos = point(item, "pos", (0.0, 0.0));
    let scale = point(item, "scale", (1.0, 1.0));
    let scale = (scale.0.abs(), scale.1.abs());
    let align = item.get("align").and_then(Value::as_u64).unwrap_or(ALIGN_LEFT | ALIGN_TOP);
    let bounds_type = item.get("bounds_type").and_then(Value::as_u64).unwrap_or(0);
    let (x, y, w, h) = match bounds_type {
        0 => {
            let size = (cropped.0 * scale.0, cropped.1 * scale.1);
            let at = aligned(pos, size, align);
            (at.0, at.1, size.0, size.1)
        }
        kind => {
            let bounds = point(item, "bounds", cropped);
            let inner = (bounds.0 / cropped.0).min(bounds.1 / cropped.1);
            let size = match kind {
                1 => bounds,
                3 => {
                    let s = (bounds.0 / cropped.0).max(bounds.1 / cropped.1);
                    (cropped.0 * s, cropped.1 * s)
                }
                4 => (bounds.0, cropped.1 * bounds.0 / cropped.0),
                5 => (cropped.0 * bounds.1 / cropped.1, bounds.1),
                6 if cropped.0 <= bounds.0 && cropped.1 <= bounds.1 => cropped,
                _ => (cropped.0 * inner, cropped.1 * inner),
            };
            let corner = aligned(pos, bounds, align);
            let bounds_align = item.get("bounds_align").and_then(Value::as_u64).unwrap_or(0);
            // Where the picture sits in its bounds: the free room goes
            // after it (left, top), before it (right, bottom) or around it.
            let share = |free: f64, first: u64, last: u64| match (
                bounds_align & first != 0,
                bounds_align & last != 0,
            ) {
                (true, _) => 0.0,
                (false, true) => free,
                _ => free / 2.0,
            };
            let dx = share(bounds.0 - size.0, ALIGN_LEFT, ALIGN_RIGHT);
            let dy = share(bounds.1 - size.1, ALIGN_TOP, ALIGN_BOTTOM);
            (corner.0 + dx, corner.1 + dy, size.0, size.1)
        }
    };
    let mut placed = SceneItem::new(ItemId(0), SourceId::new(""), x.round() as i32, y.round() as i32, 0, 0);
    placed.width = w.round().clamp(0.0, 16_384.0) as u32;
    placed.height = h.round().clamp(0.0, 16_384.0) as u32;
    placed.crop = crop;
    placed.visible = item.get("visible").and_then(Value::as_bool).unwrap_or(true);
    placed.locked = item.get("locked").and_then(Value::as_bool).unwrap_or(false);
    placed
}

/// The top-left corner of a box of `size` whose `align` point is at `pos`.
fn aligned(pos: (f64, f64), size: (f64, f64), align: u64) -> (f64, f64) {
    let x = match (align & ALIGN_LEFT != 0, align & ALIGN_RIGHT != 0) {
        (true, _) => pos.0,
        (false, true) => pos.0 - size.0,
        _ => pos.0 - size.0 / 2.0,
    };
    let y = match (align & ALIGN_TOP != 0, align & ALIGN_BOTTOM != 0) {
        (true, _) => pos.1,
        (false, true) => pos.1 - size.1,
        _ => pos.1 - size.1 / 2.0,
    };
    (x, y)
}

fn point(item: &Value, key: &str, default: (f64, f64)) -> (f64, f64) {
    let v = item.get(key);
    let get = |axis: &str, d: f64| v.and_then(|v| v.get(axis)).and_then(Value::as_f64).unwrap_or(d);
    (get("x", default.0), get("y", default.1))
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// OBS keeps colours as 0xAABBGGRR.
fn abgr(c: u64) -> Color {
    let byte = |shift: u32| ((c >> shift) & 0xff) as u8;
    Color { r: byte(0), g: byte(8), b: byte(16), a: byte(24) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_land_where_obs_puts_them() {
        let natural = (200.0, 100.0);
        let at = |item: Value| {
            let p = place(&item, natural);
            (p.x, p.y, p.width, p.height)
        };
        // Top-left aligned, scaled by half.
        assert_eq!(
            at(json!({"pos": {"x": 10.0, "y": 20.0}, "scale": {"x": 0.5, "y": 0.5}, "align": 5})),
            (10, 20, 100, 50)
        );
        // Centre aligned: pos is the middle.
        assert_eq!(
            at(json!({"pos": {"x": 300.0, "y": 200.0}, "scale": {"x": 1.0, "y": 1.0}, "align": 0})),
            (200, 150, 200, 100)
        );
        // Bottom-right aligned, cropped 50 on the left.
        assert_eq!(
            at(json!({"pos": {"x": 640.0, "y": 360.0}, "align": 10, "crop_left": 50})),
            (490, 260, 150, 100)
        );
        // Bounds 400x400, scale inner, centred in them, top-left at (0,0).
        assert_eq!(
            at(
                json!({"pos": {"x": 0.0, "y": 0.0}, "align": 5, "bounds_type": 2, "bounds_align": 0, "bounds": {"x": 400.0, "y": 400.0}})
            ),
            (0, 100, 400, 200)
        );
        // The same, aligned to the bounds' bottom-right.
        assert_eq!(
            at(
                json!({"pos": {"x": 0.0, "y": 0.0}, "align": 5, "bounds_type": 2, "bounds_align": 10, "bounds": {"x": 400.0, "y": 400.0}})
            ),
            (0, 200, 400, 200)
        );
        // Stretched to its bounds.
        assert_eq!(
            at(
                json!({"pos": {"x": 5.0, "y": 5.0}, "align": 5, "bounds_type": 1, "bounds": {"x": 30.0, "y": 40.0}})
            ),
            (5, 5, 30, 40)
        );
    }

    #[test]
    fn obs_colours_are_abgr() {
        assert_eq!(abgr(0xff00_00ff), Color::rgb(255, 0, 0));
        assert_eq!(abgr(0x80ff_0000), Color { r: 0, g: 0, b: 255, a: 128 });
    }
}
