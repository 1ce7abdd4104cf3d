//! The `plateau` command: its arguments, and everything it does without
//! a window (`--headless`, the swarm's viewer and relay, importing, the
//! keyring). The window is the `plateau` binary's; `plateau-headless` is
//! the same command without it, and without GTK and the libraries GTK
//! brings (a headless show keeps about 6 MB less resident).

pub mod destinations;
pub mod headless;
mod headless_host;
pub mod swarm;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::anyhow;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "plateau", version, about = "A free broadcasting studio")]
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// A `plateau:` link to a show on the swarm: watch it in a window.
    #[arg(value_name = "LINK")]
    pub link: Option<String>,
    /// Run without a window: render the program, record it, print events.
    #[arg(long)]
    pub headless: bool,
    /// The scene collection to open (JSON); the built-in demo without it.
    #[arg(long, value_name = "FILE")]
    pub collection: Option<PathBuf>,
    /// Import an OBS Studio scene collection (basic/scenes/NAME.json) into
    /// Plateau's collections, print what could not come along, and exit.
    #[arg(long, value_name = "FILE.json")]
    pub import_obs: Option<PathBuf>,
    /// The canvas an imported collection is laid out on (OBS keeps it in
    /// its profile, not in the collection).
    #[arg(long, value_name = "WIDTHxHEIGHT", default_value = "1920x1080", value_parser = canvas_size)]
    pub canvas: (u32, u32),
    /// The scene to show first.
    #[arg(long, value_name = "NAME")]
    pub scene: Option<String>,
    /// Record the program into this file: .mkv (Matroska) or .mp4 (fragmented MP4).
    #[arg(long, value_name = "OUT.mkv")]
    pub record: Option<PathBuf>,
    /// Start a new recording file every this many seconds (at a keyframe):
    /// OUT-001.mkv, OUT-002.mkv, …
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..))]
    pub split_seconds: Option<u32>,
    /// Start a new recording file before one grows past this many megabytes.
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub split_megabytes: Option<u64>,
    /// Video bitrate of recordings and streams, in kbit/s.
    #[arg(long, value_name = "KBPS", default_value_t = 2500, value_parser = clap::value_parser!(u32).range(200..=100_000))]
    pub video_kbps: u32,
    /// x264 speed preset: ultrafast, superfast, veryfast, faster, fast or medium.
    #[arg(long, value_name = "NAME", default_value = "veryfast", value_parser = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"])]
    pub preset: String,
    /// Sound codec of the recording: aac, or opus (Matroska only).
    #[arg(long, value_name = "CODEC", default_value = "aac", value_parser = ["aac", "opus"])]
    pub record_audio: String,
    /// Record a podcast: the mix and one track per source, into a .mka file
    /// or, for any other path, a folder with one file per track.
    #[arg(long, value_name = "PATH")]
    pub podcast: Option<PathBuf>,
    /// Sound format of the podcast's tracks: opus, flac or wav.
    #[arg(long, value_name = "FORMAT", default_value = "opus", value_parser = ["opus", "flac", "wav"])]
    pub podcast_format: String,
    /// Leave the podcast's mix as it is instead of bringing it to -16 LUFS.
    #[arg(long)]
    pub no_normalize: bool,
    /// Stream the program to this address (rtmp://, rtmps:// or srt://); may be repeated.
    #[arg(long, value_name = "URL")]
    pub stream: Vec<String>,
    /// Read the key of the n-th --stream from this file (its first line),
    /// so that it never shows among the processes' arguments; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub stream_key_file: Vec<PathBuf>,
    /// Stream to every enabled destination of the settings (headless).
    #[arg(long)]
    pub go_live: bool,
    /// Add a stream destination: NAME=SERVER (rtmp://host/app, without the key).
    #[arg(long, value_name = "NAME=SERVER")]
    pub add_destination: Option<String>,
    /// Read the stream key of destination NAME from standard input and keep
    /// it in the desktop keyring.
    #[arg(long, value_name = "NAME")]
    pub set_stream_key: Option<String>,
    /// Allow keeping stream keys in a file readable only by you when no
    /// keyring is available.
    #[arg(long)]
    pub allow_key_file: bool,
    /// Keep the last SECONDS of the show on disk (the replay buffer), for
    /// remote control's SaveReplayBuffer.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(1..=3600))]
    pub replay_buffer: Option<u32>,
    /// Run the collection's rundown (playout): each scene for its time or
    /// until its media ends, in order.
    #[arg(long)]
    pub playout: bool,
    /// Show the program to other apps as a camera and a microphone named
    /// "Plateau" (PipeWire nodes; a v4l2loopback device too, if any).
    #[arg(long)]
    pub virtual_camera: bool,
    /// Go live to the peer-to-peer swarm (headless): prints the ticket
    /// viewers join with.
    #[arg(long)]
    pub p2p: bool,
    /// Also write the swarm's ticket into this file.
    #[arg(long, value_name = "FILE", requires = "p2p")]
    pub ticket_file: Option<PathBuf>,
    /// The UDP address the swarm listens on.
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:0")]
    pub p2p_bind: std::net::SocketAddr,
    /// A self-hosted relay server for viewers that cannot reach the studio
    /// directly (may be repeated; default: the settings' relays, if any).
    #[arg(long, value_name = "URL")]
    pub p2p_relay: Vec<String>,
    /// The most the studio uploads to the swarm, in kbit/s (default: the
    /// settings', else about twice the stream).
    #[arg(long, value_name = "KBIT", value_parser = clap::value_parser!(u32).range(100..=10_000_000))]
    pub p2p_max_upload: Option<u32>,
    /// Announce the studio on the local network and find viewers there
    /// (mDNS; default: the settings').
    #[arg(long)]
    pub p2p_lan: bool,
    /// At the end, write the swarm's statistics into this file (JSON).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Let obs-websocket 5 clients (Stream Deck, Companion, scripts) control
    /// the studio, on this address (127.0.0.1:4455 when none is given).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:4455")]
    pub remote: Option<std::net::SocketAddr>,
    /// The remote-control password, read from this file's first line;
    /// without it, the one kept in the keyring (made there the first time).
    #[arg(long, value_name = "FILE", requires = "remote")]
    pub remote_password_file: Option<PathBuf>,
    /// Print the remote-control password kept in the keyring (made there
    /// the first time).
    #[arg(long)]
    pub show_remote_password: bool,
    /// Stop after this many seconds (headless).
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true, global = true)]
    pub duration: Option<f64>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch a peer-to-peer show without a window: join the swarm with its
    /// ticket, relay it to others, and serve or save it.
    Watch(swarm::WatchArgs),
    /// Relay a peer-to-peer show to others without playing it (a seeder).
    Relay(swarm::WatchArgs),
}

/// What the window binary adds: the studio's and the viewer's windows.
pub struct Window {
    pub studio: fn(&Cli) -> anyhow::Result<()>,
    pub watch: swarm::WatchWindow,
}

/// What a command line asks for.
enum Task<'a> {
    WatchInWindow(&'a swarm::WatchArgs),
    Watch { args: &'a swarm::WatchArgs, plays: bool },
    WatchLink(&'a str),
    ImportObs(&'a Path),
    ShowRemotePassword,
    Destinations,
    Headless,
    Studio,
}

impl Cli {
    fn task(&self) -> Task<'_> {
        if let Some(command) = &self.command {
            return match command {
                Command::Watch(args) if !self.headless && args.wants_window() => Task::WatchInWindow(args),
                Command::Watch(args) => Task::Watch { args, plays: true },
                Command::Relay(args) => Task::Watch { args, plays: false },
            };
        }
        if let Some(link) = &self.link {
            Task::WatchLink(link)
        } else if let Some(path) = &self.import_obs {
            Task::ImportObs(path)
        } else if self.show_remote_password {
            Task::ShowRemotePassword
        } else if destinations::requested(self) {
            Task::Destinations
        } else if self.headless {
            Task::Headless
        } else {
            Task::Studio
        }
    }

    /// Whether this command line opens a window.
    pub fn needs_window(&self) -> bool {
        matches!(self.task(), Task::WatchInWindow(_) | Task::WatchLink(_) | Task::Studio)
    }
}

/// Runs the command: its errors are printed, and make the exit status.
/// Without `window`, a command that needs one is an error.
pub fn main(cli: &Cli, window: Option<&Window>) -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match run(cli, window) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("plateau: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli, window: Option<&Window>) -> anyhow::Result<()> {
    let window =
        || window.ok_or_else(|| anyhow!("plateau-headless has no window: run plateau, or add --headless"));
    match cli.task() {
        Task::WatchInWindow(args) => swarm::watch_in_window(args, window()?.watch),
        Task::Watch { args, plays } => swarm::watch(args, cli.duration, plays),
        Task::WatchLink(link) => swarm::watch_link(link, window()?.watch),
        Task::ImportObs(path) => import_obs(path, cli.canvas),
        Task::ShowRemotePassword => crate::secrets::KeyStore::keyring()
            .and_then(|k| k.remote_password(false))
            .map(|password| println!("{password}"))
            .map_err(Into::into),
        Task::Destinations => destinations::run(cli),
        Task::Headless => headless::run(cli),
        Task::Studio => (window()?.studio)(cli),
    }
}

/// `--canvas 1920x1080`.
fn canvas_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text.split_once(['x', 'X']).ok_or("give WIDTHxHEIGHT, like 1920x1080")?;
    let (w, h) = (w.trim().parse::<u32>(), h.trim().parse::<u32>());
    match (w, h) {
        (Ok(w), Ok(h)) if (16..=7680).contains(&w) && (16..=4320).contains(&h) => Ok((w, h)),
        _ => Err("give WIDTHxHEIGHT, from 16x16 to 7680x4320".into()),
    }
}

/// `--import-obs FILE`: the collection saved among Plateau's, under a name
/// of its own, and what did not come along said.
fn import_obs(path: &Path, canvas: (u32, u32)) -> anyhow::Result<()> {
    let video = crate::model::VideoSettings { width: canvas.0, height: canvas.1, fps: 30 };
    let mut imported = crate::import::import_obs_file(path, video)?;
    let store = crate::model::CollectionStore::in_config_dir()?;
    imported.collection.name = store.unused_name(&imported.collection.name)?;
    let saved = store.save(&imported.collection)?;
    let c = &imported.collection;
    println!("{}", saved.display());
    eprintln!(
        "plateau: imported “{}”: {} scenes, {} sources, into {}",
        c.name,
        c.scenes.len(),
        c.sources.len(),
        saved.display()
    );
    for line in &imported.skipped {
        eprintln!("plateau: not carried over: {line}");
    }
    Ok(())
}

/// The collection named on the command line, or the built-in demo.
pub fn initial_collection(cli: &Cli) -> anyhow::Result<crate::model::SceneCollection> {
    match &cli.collection {
        Some(path) => Ok(crate::model::load_collection(path)?),
        None => Ok(crate::model::demo_collection(has_x11_display())),
    }
}

fn has_x11_display() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
}
