use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// How the program goes from one scene to the next.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TransitionKind {
    #[default]
    Cut,
    Fade,
    /// The incoming scene pushes the outgoing one out to the left.
    Slide,
    /// The incoming scene shows first where a greyscale picture is darkest
    /// and last where it is brightest (the picture stretched over the canvas).
    LumaWipe {
        picture: PathBuf,
    },
    /// A video file played over the program (its transparency kept),
    /// the scenes cutting beneath it `cut_ms` after it starts; it lasts as
    /// long as the file.
    Stinger {
        file: PathBuf,
        cut_ms: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub kind: TransitionKind,
    pub duration_ms: u32,
}

impl Transition {
    pub const CUT: Transition = Transition { kind: TransitionKind::Cut, duration_ms: 0 };

    pub fn fade(duration_ms: u32) -> Self {
        Self { kind: TransitionKind::Fade, duration_ms }
    }

    pub fn slide(duration_ms: u32) -> Self {
        Self { kind: TransitionKind::Slide, duration_ms }
    }

    pub fn stinger(file: impl Into<PathBuf>, cut_ms: u32) -> Self {
        Self { kind: TransitionKind::Stinger { file: file.into(), cut_ms }, duration_ms: cut_ms }
    }

    pub fn luma_wipe(picture: impl Into<PathBuf>, duration_ms: u32) -> Self {
        Self { kind: TransitionKind::LumaWipe { picture: picture.into() }, duration_ms }
    }
}

impl Default for Transition {
    fn default() -> Self {
        Self::fade(300)
    }
}
