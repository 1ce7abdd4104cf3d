//! Effects on a source: an ordered list of filters, each on or off, the
//! video ones on its pictures, the audio ones on its sound. In a file:
//!
//! ```json
//! "filters": [ { "filter": "chroma_key", "key": "green", "similarity": 0.4 },
//!              { "filter": "color_correction", "saturation": 1.2, "enabled": false } ]
//! ```

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Color;

/// One filter of a source's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    #[serde(flatten)]
    pub kind: FilterKind,
    /// An off filter stays in the list, in its place, and does nothing.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
}

impl Filter {
    pub fn new(kind: FilterKind) -> Self {
        Self { kind, enabled: true }
    }
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

/// The colour a chroma key takes away.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyColor {
    Green,
    Blue,
    Custom(Color),
}

/// What a filter does, with its settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "filter", rename_all = "snake_case")]
pub enum FilterKind {
    // --- pictures ---------------------------------------------------------
    /// Makes a key colour transparent (a green or blue screen).
    ChromaKey {
        #[serde(default = "green")]
        key: KeyColor,
        /// How far from the key a colour may be and still go (0 to 1).
        #[serde(default = "similarity")]
        similarity: f64,
        /// How softly the edge fades (0 to 1).
        #[serde(default = "smoothness")]
        smoothness: f64,
    },
    /// Brightness and contrast, saturation, hue, gamma and opacity.
    ColorCorrection {
        /// -1 (black) to 1 (white); 0 leaves it.
        #[serde(default)]
        brightness: f64,
        /// 0 to 2; 1 leaves it.
        #[serde(default = "one")]
        contrast: f64,
        /// 0 (grey) to 2; 1 leaves it.
        #[serde(default = "one")]
        saturation: f64,
        /// -1 to 1 (a half turn each way); 0 leaves it.
        #[serde(default)]
        hue: f64,
        /// 0.1 to 10; 1 leaves it.
        #[serde(default = "one")]
        gamma: f64,
        /// 0 (invisible) to 1.
        #[serde(default = "one")]
        opacity: f64,
    },
    /// A 3D colour look-up table from a `.cube` file.
    Lut { path: PathBuf },
    /// A Gaussian blur of this radius, in pixels (0.1 to 20).
    Blur { radius: f64 },
    /// Sharpens edges (0.1 to 5).
    Sharpen { amount: f64 },
    /// Mirrors the picture left-right and/or upside down.
    Flip {
        #[serde(default)]
        horizontal: bool,
        #[serde(default)]
        vertical: bool,
    },
    /// Turns the picture clockwise by 90, 180 or 270 degrees.
    Rotate { degrees: u32 },
    /// Shows the pictures later by this many milliseconds (0 to 5000), to
    /// line a camera up with a sound that comes late.
    RenderDelay { ms: u32 },
    /// Hides the picture where another picture is dark or transparent
    /// (its brightness times its opacity), stretched over the source.
    ImageMask { path: PathBuf },
    /// Slides the picture round, in pixels a second (-2000 to 2000; right
    /// and down when positive): what leaves one side comes back at the other.
    Scroll {
        #[serde(default)]
        horizontal: f64,
        #[serde(default)]
        vertical: f64,
    },

    // --- sound --------------------------------------------------------------
    /// Takes steady noise (fans, hum, hiss) out of a voice (RNNoise).
    NoiseSuppression,
    /// Mutes what is quieter than the threshold (dBFS, -96 to 0).
    NoiseGate { threshold_db: f64 },
    /// Lowers what is louder than the threshold by the ratio (1 to 32, n:1).
    Compressor { threshold_db: f64, ratio: f64 },
    /// Never lets the sound above the threshold (dBFS, -60 to 0).
    Limiter { threshold_db: f64 },
    /// Louder or quieter by this many decibels (-30 to 30).
    Gain { db: f64 },
    /// Plays the sound later by this many milliseconds (0 to 5000), to
    /// line it up with a picture that comes late.
    SyncOffset { ms: u32 },
    /// Low, middle and high bands, each -24 to 12 dB.
    Equalizer {
        #[serde(default)]
        low_db: f64,
        #[serde(default)]
        mid_db: f64,
        #[serde(default)]
        high_db: f64,
    },
}

fn green() -> KeyColor {
    KeyColor::Green
}

fn similarity() -> f64 {
    0.4
}

fn smoothness() -> f64 {
    0.1
}

fn one() -> f64 {
    1.0
}

impl FilterKind {
    /// The picture filters, by their names in files.
    pub const VIDEO: [&'static str; 10] = [
        "chroma_key",
        "color_correction",
        "lut",
        "blur",
        "sharpen",
        "flip",
        "rotate",
        "render_delay",
        "image_mask",
        "scroll",
    ];
    /// The sound filters, by their names in files.
    pub const AUDIO: [&'static str; 7] =
        ["noise_suppression", "noise_gate", "compressor", "limiter", "gain", "equalizer", "sync_offset"];

    /// A new filter named `id` (as in files), with settings that do
    /// something a person sees or hears at once, where there is one.
    pub fn with_defaults(id: &str) -> Option<Self> {
        Some(match id {
            "chroma_key" => FilterKind::ChromaKey {
                key: KeyColor::Green,
                similarity: similarity(),
                smoothness: smoothness(),
            },
            "color_correction" => FilterKind::ColorCorrection {
                brightness: 0.0,
                contrast: 1.0,
                saturation: 1.0,
                hue: 0.0,
                gamma: 1.0,
                opacity: 1.0,
            },
            "lut" => FilterKind::Lut { path: PathBuf::new() },
            "blur" => FilterKind::Blur { radius: 2.0 },
            "sharpen" => FilterKind::Sharpen { amount: 1.0 },
            "flip" => FilterKind::Flip { horizontal: true, vertical: false },
            "rotate" => FilterKind::Rotate { degrees: 90 },
            "render_delay" => FilterKind::RenderDelay { ms: 100 },
            "image_mask" => FilterKind::ImageMask { path: PathBuf::new() },
            "scroll" => FilterKind::Scroll { horizontal: 100.0, vertical: 0.0 },
            "sync_offset" => FilterKind::SyncOffset { ms: 100 },
            "noise_suppression" => FilterKind::NoiseSuppression,
            "noise_gate" => FilterKind::NoiseGate { threshold_db: -50.0 },
            "compressor" => FilterKind::Compressor { threshold_db: -18.0, ratio: 4.0 },
            "limiter" => FilterKind::Limiter { threshold_db: -1.0 },
            "gain" => FilterKind::Gain { db: 0.0 },
            "equalizer" => FilterKind::Equalizer { low_db: 0.0, mid_db: 0.0, high_db: 0.0 },
            _ => return None,
        })
    }

    /// Whether it works on sound (else on pictures).
    pub fn is_audio(&self) -> bool {
        matches!(
            self,
            FilterKind::NoiseSuppression
                | FilterKind::NoiseGate { .. }
                | FilterKind::Compressor { .. }
                | FilterKind::Limiter { .. }
                | FilterKind::Gain { .. }
                | FilterKind::Equalizer { .. }
                | FilterKind::SyncOffset { .. }
        )
    }

    /// Whether it has nothing to do yet (a LUT or a mask without its file).
    pub fn is_inert(&self) -> bool {
        matches!(self, FilterKind::Lut { path } | FilterKind::ImageMask { path } if path.as_os_str().is_empty())
    }

    /// Whether it may make pixels transparent.
    pub fn makes_transparency(&self) -> bool {
        match self {
            FilterKind::ChromaKey { .. } | FilterKind::ImageMask { .. } => true,
            FilterKind::ColorCorrection { opacity, .. } => *opacity < 1.0,
            _ => false,
        }
    }

    /// Whether it changes the picture over time, a still one too.
    pub fn moves(&self) -> bool {
        matches!(self, FilterKind::Scroll { horizontal, vertical } if *horizontal != 0.0 || *vertical != 0.0)
    }

    /// Its name in files (`chroma_key`, `gain`…); `with_defaults` takes it.
    pub fn id(&self) -> &'static str {
        match self {
            FilterKind::ChromaKey { .. } => "chroma_key",
            FilterKind::ColorCorrection { .. } => "color_correction",
            FilterKind::Lut { .. } => "lut",
            FilterKind::Blur { .. } => "blur",
            FilterKind::Sharpen { .. } => "sharpen",
            FilterKind::Flip { .. } => "flip",
            FilterKind::Rotate { .. } => "rotate",
            FilterKind::RenderDelay { .. } => "render_delay",
            FilterKind::ImageMask { .. } => "image_mask",
            FilterKind::Scroll { .. } => "scroll",
            FilterKind::SyncOffset { .. } => "sync_offset",
            FilterKind::NoiseSuppression => "noise_suppression",
            FilterKind::NoiseGate { .. } => "noise_gate",
            FilterKind::Compressor { .. } => "compressor",
            FilterKind::Limiter { .. } => "limiter",
            FilterKind::Gain { .. } => "gain",
            FilterKind::Equalizer { .. } => "equalizer",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_filter_can_be_made_and_keeps_its_name() {
        for id in FilterKind::VIDEO.into_iter().chain(FilterKind::AUDIO) {
            let kind = FilterKind::with_defaults(id).unwrap_or_else(|| panic!("{id}"));
            assert_eq!(kind.id(), id);
            assert_eq!(kind.is_audio(), FilterKind::AUDIO.contains(&id), "{id}");
        }
        assert!(FilterKind::with_defaults("sepia").is_none());
    }
}
