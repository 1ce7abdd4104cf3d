use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::TextMotion;

/// A stable identifier for a source, unique in its collection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SourceId(pub String);

impl SourceId {
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something that produces pictures, sound or both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub id: SourceId,
    pub name: String,
    #[serde(flatten)]
    pub kind: SourceKind,
    /// Linear gain for the source's sound, 1.0 is unchanged.
    #[serde(default = "unity")]
    pub volume: f64,
    #[serde(default)]
    pub muted: bool,
    /// Effects on its pictures and sound, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<super::Filter>,
    /// Whether the presenter hears its sound on the monitoring device.
    #[serde(default, skip_serializing_if = "Monitor::is_off")]
    pub monitor: Monitor,
}

/// Where a source's sound goes besides (or instead of) the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitor {
    /// In the program only.
    #[default]
    Off,
    /// On the monitoring device only, not in the program (to cue a clip).
    Only,
    /// In the program and on the monitoring device.
    AndOutput,
}

impl Monitor {
    pub fn is_off(&self) -> bool {
        *self == Monitor::Off
    }

    /// Whether the program hears it (a source monitored only is silent there).
    pub fn in_program(self) -> bool {
        self != Monitor::Only
    }
}

fn unity() -> f64 {
    1.0
}

impl Source {
    /// The filters that are on, on its pictures (`audio` false) or sound.
    pub fn active_filters(&self, audio: bool) -> impl Iterator<Item = &super::FilterKind> {
        self.filters
            .iter()
            .filter(move |f| f.enabled && f.kind.is_audio() == audio && !f.kind.is_inert())
            .map(|f| &f.kind)
    }

    pub fn new(id: impl Into<String>, name: impl Into<String>, kind: SourceKind) -> Self {
        Self {
            id: SourceId::new(id),
            name: name.into(),
            kind,
            volume: 1.0,
            muted: false,
            filters: Vec::new(),
            monitor: Monitor::Off,
        }
    }
}

/// A colour as 8-bit red, green, blue and alpha; written `#rrggbbaa` in files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    /// The colour packed as 0xAARRGGBB, as GStreamer's colour properties take it.
    pub fn argb(&self) -> u32 {
        u32::from_be_bytes([self.a, self.r, self.g, self.b])
    }

    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#')?;
        let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        match hex.len() {
            6 => Some(Self::rgb(byte(0)?, byte(2)?, byte(4)?)),
            8 => Some(Self { r: byte(0)?, g: byte(2)?, b: byte(4)?, a: byte(6)? }),
            _ => None,
        }
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Color::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not a colour: write #rrggbb or #rrggbbaa"))
        })
    }
}

/// The patterns a test-pattern source can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestPattern {
    #[default]
    Smpte,
    Ball,
    Checkers,
    Snow,
    Gradient,
    Circular,
    /// Plain 100 % colour bars, without the moving noise patch of `Smpte`.
    Bars,
}

impl TestPattern {
    /// Whether the pattern never changes: it is drawn as a still.
    pub fn is_still(self) -> bool {
        !matches!(self, Self::Smpte | Self::Ball | Self::Snow)
    }
}

/// The order a slideshow shows its pictures in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideOrder {
    /// By name, then again from the first.
    #[default]
    InTurn,
    /// Any other picture each time.
    Random,
}

fn slide_seconds() -> f64 {
    5.0
}

fn slide_width() -> u32 {
    1280
}

fn slide_height() -> u32 {
    720
}

/// A rectangle of the screen, in screen pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Region {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// What a source is, with the settings of that kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SourceKind {
    TestPattern {
        #[serde(default)]
        pattern: TestPattern,
    },
    Color {
        color: Color,
    },
    /// A still picture: PNG, JPEG or SVG; transparency is kept.
    Image {
        path: PathBuf,
    },
    /// Pictures one after the other: those of a folder (new ones join as
    /// they come) or a list, each for `seconds`, in turn or at random,
    /// fading into the next over `fade_ms`; fitted into a box of
    /// `width` x `height`.
    Slideshow {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        folder: Option<PathBuf>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<PathBuf>,
        #[serde(default = "slide_seconds")]
        seconds: f64,
        #[serde(default)]
        order: SlideOrder,
        #[serde(default)]
        fade_ms: u32,
        #[serde(default = "slide_width")]
        width: u32,
        #[serde(default = "slide_height")]
        height: u32,
    },
    /// Anything GStreamer decodes; its sound goes to the mixer.
    Media {
        path: PathBuf,
        #[serde(default, rename = "loop")]
        looping: bool,
    },
    /// X11 capture of the whole screen or a region of it.
    ScreenX11 {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        display: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<Region>,
        #[serde(default = "yes")]
        show_pointer: bool,
    },
    /// Wayland capture through the xdg-desktop-portal ScreenCast interface.
    /// The portal's restore token is kept so the user is asked only once.
    ScreenPortal {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        restore_token: Option<String>,
    },
    Webcam {
        /// The device path (`/dev/video0`) or the device's name; `None` takes the first one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
        #[serde(default = "webcam_width")]
        width: u32,
        #[serde(default = "webcam_height")]
        height: u32,
        #[serde(default = "webcam_fps")]
        fps: u32,
    },
    /// A microphone or line input; `None` takes the default input.
    AudioInput {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device: Option<String>,
    },
    /// What the computer plays: the monitor of the default output.
    DesktopAudio,
    Text {
        text: String,
        #[serde(default = "default_font")]
        font: String,
        #[serde(default = "default_text_size")]
        size: u32,
        #[serde(default = "white")]
        color: Color,
        #[serde(default)]
        outline: bool,
        #[serde(default)]
        shadow: bool,
        /// The box the text is drawn in, in pixels; the item scales it.
        #[serde(default = "text_box_width")]
        width: u32,
        #[serde(default = "text_box_height")]
        height: u32,
        /// A clock, a countdown, a stopwatch or a ticker instead of the
        /// text as typed.
        #[serde(default, skip_serializing_if = "TextMotion::is_still")]
        motion: TextMotion,
    },
    /// The last messages of the audience's chat (a show on the swarm),
    /// drawn like a text, one message a line, newest last.
    Chat {
        #[serde(default = "default_font")]
        font: String,
        #[serde(default = "default_chat_size")]
        size: u32,
        #[serde(default = "white")]
        color: Color,
        #[serde(default)]
        outline: bool,
        #[serde(default)]
        shadow: bool,
        #[serde(default = "text_box_width")]
        width: u32,
        #[serde(default = "text_box_height")]
        height: u32,
        /// How many messages show at most.
        #[serde(default = "default_chat_lines")]
        lines: u32,
    },
    /// A sine tone, for tests and line-ups.
    Tone {
        #[serde(default = "default_frequency")]
        frequency: f64,
    },
}

impl SourceKind {
    /// A chat drawn as the text it shows now: its last `lines` messages of
    /// `chat` (oldest first); none for the other kinds.
    pub fn chat_as_text(&self, chat: &[String]) -> Option<SourceKind> {
        let SourceKind::Chat { font, size, color, outline, shadow, width, height, lines } = self else {
            return None;
        };
        let shown = chat.len().saturating_sub(*lines as usize);
        Some(SourceKind::Text {
            text: chat[shown..].join("\n"),
            font: font.clone(),
            size: *size,
            color: *color,
            outline: *outline,
            shadow: *shadow,
            width: *width,
            height: *height,
            motion: TextMotion::Still,
        })
    }

    /// Whether the source makes pictures.
    pub fn has_video(&self) -> bool {
        !matches!(self, SourceKind::AudioInput { .. } | SourceKind::DesktopAudio | SourceKind::Tone { .. })
    }

    /// Whether every pixel the source makes is opaque, so that it can be
    /// copied onto the canvas instead of blended.
    pub fn is_opaque(&self) -> bool {
        !matches!(
            self,
            SourceKind::Image { .. }
                | SourceKind::Text { .. }
                | SourceKind::Chat { .. }
                | SourceKind::Slideshow { .. }
        ) && self.has_video()
    }

    /// Whether the picture only changes when its settings do: such sources
    /// are refreshed at a low rate and held by the compositor in between.
    pub fn is_still(&self) -> bool {
        matches!(self, SourceKind::Image { .. } | SourceKind::Chat { .. } | SourceKind::Color { .. })
            || matches!(self, SourceKind::Text { motion, .. } if motion.is_still())
    }

    /// Whether the source makes (or may make) sound.
    pub fn has_audio(&self) -> bool {
        matches!(
            self,
            SourceKind::Media { .. }
                | SourceKind::AudioInput { .. }
                | SourceKind::DesktopAudio
                | SourceKind::Tone { .. }
        )
    }

    /// The file the source reads, if it reads one.
    pub fn file(&self) -> Option<&PathBuf> {
        match self {
            SourceKind::Image { path } | SourceKind::Media { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Whether the source is a device that can be unplugged and come back.
    pub fn is_device(&self) -> bool {
        matches!(
            self,
            SourceKind::Webcam { .. }
                | SourceKind::AudioInput { .. }
                | SourceKind::DesktopAudio
                | SourceKind::ScreenX11 { .. }
                | SourceKind::ScreenPortal { .. }
        )
    }
}

fn yes() -> bool {
    true
}
fn webcam_width() -> u32 {
    1280
}
fn webcam_height() -> u32 {
    720
}
fn webcam_fps() -> u32 {
    30
}
fn default_font() -> String {
    "Sans Bold".into()
}
fn default_text_size() -> u32 {
    48
}
fn white() -> Color {
    Color::rgb(255, 255, 255)
}
fn default_chat_size() -> u32 {
    28
}
fn default_chat_lines() -> u32 {
    5
}
fn text_box_width() -> u32 {
    1280
}
fn text_box_height() -> u32 {
    120
}
fn default_frequency() -> f64 {
    440.0
}
