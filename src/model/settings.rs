//! Application settings beside the collections: which collection is open,
//! where recordings go, the transition, and the stream destinations
//! (without their keys: keys live in the keyring, never in this file).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::ModelError;
use super::store::write_atomically;
use super::transition::Transition;

/// A place to stream to. The stream key is not here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Destination {
    pub name: String,
    /// The server address without the key, e.g. `rtmp://a.rtmp.youtube.com/live2`.
    pub server: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// Services a destination can be made from: the user pastes only the key.
/// (Custom servers are typed in full.)
pub const SERVICES: [(&str, &str); 2] =
    [("YouTube", "rtmp://a.rtmp.youtube.com/live2"), ("Twitch", "rtmp://live.twitch.tv/app")];

/// Whether `server` is an address Plateau can stream to.
pub fn is_stream_server(server: &str) -> bool {
    ["rtmp://", "rtmps://", "srt://"]
        .iter()
        .any(|p| server.len() > p.len() && server.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p)))
}

/// The file format of recordings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum RecordingFormat {
    /// Matroska (.mkv): plays up to the last second after a crash.
    #[default]
    Matroska,
    /// Fragmented MP4 (.mp4): plays up to the last second after a crash.
    Mp4,
}

impl RecordingFormat {
    pub fn extension(self) -> &'static str {
        match self {
            Self::Matroska => "mkv",
            Self::Mp4 => "mp4",
        }
    }
}

/// How recordings are made from the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordingPrefs {
    pub format: RecordingFormat,
    /// The file name without extension, with strftime-like fields
    /// (`%Y-%m-%d %H-%M-%S`) replaced by the date and time of the start.
    pub file_name: String,
    /// Start a new file every this many minutes; 0: never.
    pub split_minutes: u32,
    /// Start a new file before one grows past this many megabytes; 0: never.
    pub split_megabytes: u32,
    /// How many seconds the replay buffer keeps (1 to 3600).
    pub replay_seconds: u32,
}

impl Default for RecordingPrefs {
    fn default() -> Self {
        Self {
            format: RecordingFormat::default(),
            file_name: DEFAULT_FILE_NAME.into(),
            split_minutes: 0,
            split_megabytes: 0,
            replay_seconds: 30,
        }
    }
}

pub const DEFAULT_FILE_NAME: &str = "Plateau %Y-%m-%d %H-%M-%S";

/// The sound format of podcast tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PodcastFormat {
    #[default]
    Opus,
    Flac,
    Wav,
}

/// How podcasts are recorded from the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PodcastPrefs {
    pub format: PodcastFormat,
    /// Bring the mix to -16 LUFS after recording.
    pub normalize: bool,
    /// One file per track in a folder, instead of one Matroska file.
    pub separate_files: bool,
}

impl Default for PodcastPrefs {
    fn default() -> Self {
        Self { format: PodcastFormat::Opus, normalize: true, separate_files: false }
    }
}

/// Going live to Plateau's own peer-to-peer swarm, where viewers relay
/// the show to each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PeerToPeer {
    /// Go Live sends the show to the swarm too.
    pub enabled: bool,
    /// The UDP address the studio takes part from (`0.0.0.0:0`: every
    /// interface, any port; a fixed port can be forwarded on a router).
    pub bind: String,
    /// Self-hosted relay servers (`https://relay.example.org`) that carry
    /// the show to viewers who cannot reach the studio directly; none by
    /// default (no third party sees who watches).
    pub relays: Vec<String>,
    /// The most the studio uploads to the swarm, in kbit/s; 0: about
    /// twice the stream, whatever the audience.
    pub max_upload_kbps: u32,
    /// Announce the studio on the local network and find viewers there
    /// (mDNS), for a show on a LAN without internet.
    pub lan: bool,
}

impl Default for PeerToPeer {
    fn default() -> Self {
        Self { enabled: false, bind: "0.0.0.0:0".into(), relays: Vec::new(), max_upload_kbps: 0, lan: false }
    }
}

/// Remote control by obs-websocket 5 clients (Stream Deck, Companion,
/// phone apps). The password is kept in the keyring, never here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoteControlPrefs {
    pub enabled: bool,
    /// The TCP address clients connect to: this machine only unless the
    /// user chooses another.
    pub bind: String,
}

impl Default for RemoteControlPrefs {
    fn default() -> Self {
        Self { enabled: false, bind: "127.0.0.1:4455".into() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// The collection opened at start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
    /// Where recordings go; the Videos folder when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recording_folder: Option<PathBuf>,
    #[serde(default)]
    pub transition: Transition,
    #[serde(default)]
    pub recording: RecordingPrefs,
    #[serde(default)]
    pub podcast: PodcastPrefs,
    #[serde(default)]
    pub destinations: Vec<Destination>,
    #[serde(default)]
    pub peer_to_peer: PeerToPeer,
    #[serde(default)]
    pub remote_control: RemoteControlPrefs,
    /// The user allowed keeping stream keys in a file readable only by them
    /// when no keyring is available.
    #[serde(default)]
    pub keys_in_file_allowed: bool,
    /// Where monitored sources are heard: a PulseAudio or PipeWire sink's
    /// name (`pactl list short sinks`); none: the default device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitor_device: Option<String>,
    /// Whether the program's mix is heard on the monitoring device.
    #[serde(default)]
    pub monitor_program: bool,
    /// The window's size and state when it was last closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowState>,
}

/// The main window as it was left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowState {
    pub width: i32,
    pub height: i32,
    pub maximized: bool,
}

impl Settings {
    /// Reads the settings; a missing file gives the defaults, a broken one an error.
    pub fn load(path: &Path) -> Result<Self, ModelError> {
        match super::store::read_text(path) {
            Ok(text) => Self::from_text(&text, path),
            Err(ModelError::Io { cause, .. }) if cause.kind() == std::io::ErrorKind::NotFound => {
                Ok(Self::default())
            }
            Err(e) => Err(e),
        }
    }

    /// Settings from the text of the file at `path` (named in errors).
    pub fn from_text(text: &str, path: &Path) -> Result<Self, ModelError> {
        serde_json::from_str(text).map_err(|e| ModelError::Syntax {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<(), ModelError> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| ModelError::Invalid { path: path.to_owned(), message: e.to_string() })?;
        write_atomically(path, |f| std::io::Write::write_all(f, &json))
            .map_err(|source| ModelError::Io { path: path.to_owned(), cause: source })
    }

    /// The folder recordings go to.
    pub fn recording_folder(&self) -> PathBuf {
        self.recording_folder.clone().unwrap_or_else(|| {
            directories::UserDirs::new()
                .and_then(|d| d.video_dir().map(Path::to_owned))
                .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join("Videos")))
                .unwrap_or_else(|| PathBuf::from("."))
        })
    }
}

impl Settings {
    /// The settings file in the configuration folder.
    pub fn path() -> Result<PathBuf, ModelError> {
        Ok(config_dir()?.join("settings.json"))
    }

    /// The file keys go to when the user allowed it and no keyring exists.
    pub fn key_file() -> Result<PathBuf, ModelError> {
        Ok(config_dir()?.join("stream-keys.json"))
    }
}

/// The configuration folder (XDG_CONFIG_HOME is honoured).
/// Where Plateau keeps what it can make again (the replay buffer's pieces).
pub fn cache_dir() -> Result<PathBuf, ModelError> {
    directories::ProjectDirs::from("io.github", "plateau", "Plateau")
        .map(|d| d.cache_dir().to_owned())
        .ok_or(ModelError::NoConfigDir)
}

pub fn config_dir() -> Result<PathBuf, ModelError> {
    directories::ProjectDirs::from("io.github", "plateau", "Plateau")
        .map(|d| d.config_dir().to_owned())
        .ok_or(ModelError::NoConfigDir)
}
