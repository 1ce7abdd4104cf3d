use serde::{Deserialize, Serialize};

use super::source::{Source, SourceId};
use super::Rundown;

/// The format version this build writes and reads.
pub const CURRENT_VERSION: u32 = 1;

/// Everything a show is made of: canvas settings, sources and scenes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneCollection {
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub video: VideoSettings,
    #[serde(default)]
    pub audio: AudioSettings,
    #[serde(default)]
    pub sources: Vec<Source>,
    #[serde(default)]
    pub scenes: Vec<Scene>,
    /// The playout's order of scenes, when the channel runs by itself.
    #[serde(default, skip_serializing_if = "Rundown::is_empty")]
    pub rundown: Rundown,
}

impl SceneCollection {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            version: CURRENT_VERSION,
            name: name.into(),
            video: VideoSettings::default(),
            audio: AudioSettings::default(),
            sources: Vec::new(),
            scenes: Vec::new(),
            rundown: Rundown::default(),
        }
    }

    /// Changes the canvas; every item keeps its place and share of the
    /// picture (positions and sizes scale with the canvas).
    pub fn set_canvas(&mut self, video: VideoSettings) {
        let (sx, sy) = (
            f64::from(video.width) / f64::from(self.video.width.max(1)),
            f64::from(video.height) / f64::from(self.video.height.max(1)),
        );
        for item in self.scenes.iter_mut().flat_map(|s| s.items.iter_mut()) {
            item.x = (f64::from(item.x) * sx).round() as i32;
            item.y = (f64::from(item.y) * sy).round() as i32;
            item.width = ((f64::from(item.width) * sx).round() as u32).max(1);
            item.height = ((f64::from(item.height) * sy).round() as u32).max(1);
        }
        self.video = video;
    }

    pub fn source(&self, id: &SourceId) -> Option<&Source> {
        self.sources.iter().find(|s| &s.id == id)
    }

    pub fn source_mut(&mut self, id: &SourceId) -> Option<&mut Source> {
        self.sources.iter_mut().find(|s| &s.id == id)
    }

    /// A scene by its name.
    pub fn scene(&self, name: &str) -> Option<&Scene> {
        self.scenes.iter().find(|s| s.name == name)
    }

    pub fn scene_mut(&mut self, name: &str) -> Option<&mut Scene> {
        self.scenes.iter_mut().find(|s| s.name == name)
    }

    /// A source id not used yet, derived from `base`.
    pub fn unused_source_id(&self, base: &str) -> SourceId {
        let stem: String = base
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let stem = if stem.is_empty() { "source".to_string() } else { stem };
        (1..)
            .map(|n| if n == 1 { SourceId(stem.clone()) } else { SourceId(format!("{stem}-{n}")) })
            .find(|id| self.source(id).is_none())
            .expect("an unbounded range always yields an unused id")
    }
}

/// The canvas: every scene is composed at this size and rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSettings {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for VideoSettings {
    fn default() -> Self {
        Self { width: 1280, height: 720, fps: 30 }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AudioSettings {
    pub sample_rate: u32,
    pub channels: u32,
}

impl Default for AudioSettings {
    fn default() -> Self {
        Self { sample_rate: 48_000, channels: 2 }
    }
}

/// A scene: an ordered list of items, the first drawn at the bottom.
///
/// The z-order of an item is its index in `items`; commands that change the
/// order move items in the list, so there is no separate field to drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    pub name: String,
    #[serde(default)]
    pub items: Vec<SceneItem>,
}

impl Scene {
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), items: Vec::new() }
    }

    pub fn item(&self, id: ItemId) -> Option<&SceneItem> {
        self.items.iter().find(|i| i.id == id)
    }

    pub fn item_mut(&mut self, id: ItemId) -> Option<&mut SceneItem> {
        self.items.iter_mut().find(|i| i.id == id)
    }

    pub fn next_item_id(&self) -> ItemId {
        ItemId(self.items.iter().map(|i| i.id.0 + 1).max().unwrap_or(1))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ItemId(pub u64);

/// Pixels cut from each edge of the source before it is scaled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crop {
    pub left: u32,
    pub top: u32,
    pub right: u32,
    pub bottom: u32,
}

impl Crop {
    pub fn is_none(&self) -> bool {
        *self == Crop::default()
    }
}

/// One placement of a source in a scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SceneItem {
    pub id: ItemId,
    pub source: SourceId,
    /// Top-left corner on the canvas, in canvas pixels (may be off-canvas).
    pub x: i32,
    pub y: i32,
    /// Size on the canvas after scaling.
    pub width: u32,
    pub height: u32,
    #[serde(default, skip_serializing_if = "Crop::is_none")]
    pub crop: Crop,
    #[serde(default = "full_opacity")]
    pub opacity: f64,
    #[serde(default = "yes")]
    pub visible: bool,
    #[serde(default)]
    pub locked: bool,
}

fn full_opacity() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

impl SceneItem {
    pub fn new(id: ItemId, source: SourceId, x: i32, y: i32, width: u32, height: u32) -> Self {
        Self {
            id,
            source,
            x,
            y,
            width,
            height,
            crop: Crop::default(),
            opacity: 1.0,
            visible: true,
            locked: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_larger_canvas_keeps_every_item_in_its_place() {
        let mut c = SceneCollection::new("c");
        let mut scene = Scene { name: "s".into(), items: Vec::new() };
        scene.items.push(SceneItem::new(ItemId(1), SourceId("a".into()), 640, 360, 320, 180));
        scene.items.push(SceneItem::new(ItemId(2), SourceId("b".into()), -10, 0, 1, 1));
        c.scenes.push(scene);
        c.set_canvas(VideoSettings { width: 1920, height: 1080, fps: 60 });
        let items = &c.scenes[0].items;
        assert_eq!((items[0].x, items[0].y, items[0].width, items[0].height), (960, 540, 480, 270));
        assert_eq!((items[1].x, items[1].width), (-15, 2));
        assert_eq!(c.video, VideoSettings { width: 1920, height: 1080, fps: 60 });
    }
}
