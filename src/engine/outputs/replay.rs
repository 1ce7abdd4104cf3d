//! The replay buffer: the last seconds of the shared encode, kept on disk
//! (not in memory: an hour of it fits), and saved into a file on demand
//! without encoding anything again.
//!
//! ```text
//!  shared encode ─> TsFeed (MPEG-TS, cut where a picture can start) ─> DIR/replay-NNNNN.ts
//!                   a new piece at every keyframe; pieces older than the buffer are deleted
//!
//!  save: the pieces from the keyframe nearest "now − length" to now, the
//!        newest as far as it is written, joined into one MPEG-TS file.
//! ```

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::error::EngineError;
use crate::engine::outputs::encoder::EncoderSettings;
use crate::engine::outputs::feeds::{Feeds, Keyframes};
use crate::engine::outputs::ts_feed::{TsFeed, TsPiece};

/// The name the replay buffer reports under in `Event::Output`.
pub const REPLAY_BUFFER: &str = "Replay buffer";
/// The longest buffer.
pub const LONGEST_REPLAY: Duration = Duration::from_secs(3600);
/// MPEG-TS packets are this long: a piece being written is cut to whole ones.
const TS_PACKET: u64 = 188;

/// One piece on disk, and when its first picture came.
#[derive(Debug)]
struct Piece {
    path: PathBuf,
    start: Instant,
}

/// The pieces, and the one being written.
#[derive(Default)]
struct Pieces {
    kept: VecDeque<Piece>,
    writing: Option<std::fs::File>,
    next_index: u32,
    failed: Option<String>,
}

/// The last `length` of the program, on disk, while it lives.
pub struct ReplayBuffer {
    feed: TsFeed,
    dir: PathBuf,
    length: Duration,
    pieces: Arc<Mutex<Pieces>>,
}

impl ReplayBuffer {
    /// Keeps the last `length` of the encode made with `settings` (shared
    /// with recordings and streams of the same settings) in `dir`, a
    /// folder of its own that it empties when it stops.
    pub fn start(
        feeds: impl AsRef<Feeds>,
        dir: &Path,
        length: Duration,
        settings: EncoderSettings,
    ) -> Result<Self, EngineError> {
        let fail = |message: String| EngineError::Start { what: "the replay buffer".into(), message };
        if length.is_zero() || length > LONGEST_REPLAY {
            return Err(fail(format!("its length must be 1 s to 1 hour, not {} s", length.as_secs())));
        }
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("{}: {e}", dir.display())))?;
        let pieces: Arc<Mutex<Pieces>> = Arc::default();
        let (writer, folder) = (pieces.clone(), dir.to_owned());
        // A piece lasts a keyframe interval: it goes once the next one
        // begins before the buffer's start.
        let keep = length + Duration::from_secs(u64::from(settings.keyframe_seconds.max(1)));
        let feed =
            TsFeed::start(feeds, "replay-buffer", settings, Keyframes::OrShorter, move |piece: TsPiece| {
                let mut p = lock(&writer);
                if let Err(e) = write(&mut p, &folder, &piece, keep) {
                    if p.failed.is_none() {
                        tracing::error!(%e, "the replay buffer cannot write");
                    }
                    p.failed = Some(e.to_string());
                }
            })?;
        tracing::info!(dir = %dir.display(), seconds = length.as_secs(), "replay buffer on");
        Ok(Self { feed, dir: dir.to_owned(), length, pieces })
    }

    /// How much it holds at most.
    pub fn length(&self) -> Duration {
        self.length
    }

    /// The pieces on disk now (for tests and figures).
    pub fn pieces_on_disk(&self) -> usize {
        lock(&self.pieces).kept.iter().filter(|p| p.path.exists()).count()
    }

    /// Writes the last `length` (as near as a keyframe allows) into `to`,
    /// an MPEG-TS file, whole or not at all. Returns how long it is.
    pub fn save(&self, to: &Path) -> Result<Duration, EngineError> {
        let fail = |message: String| EngineError::Finish {
            what: format!("saving the replay to {}", to.display()),
            message,
        };
        let now = Instant::now();
        let (paths, start) = {
            let p = lock(&self.pieces);
            if let Some(e) = &p.failed {
                return Err(fail(format!("the buffer could not be written: {e}")));
            }
            let wanted = now.checked_sub(self.length).unwrap_or(now);
            let first = p
                .kept
                .iter()
                .enumerate()
                .min_by_key(|(_, piece)| {
                    let (a, b) = (piece.start, wanted);
                    if a > b {
                        a - b
                    } else {
                        b - a
                    }
                })
                .map(|(i, _)| i)
                .ok_or_else(|| fail("nothing is in the buffer yet".into()))?;
            let paths: Vec<PathBuf> = p.kept.iter().skip(first).map(|piece| piece.path.clone()).collect();
            (paths, p.kept[first].start)
        };
        let part = to.with_extension("ts.part");
        let written = (|| -> std::io::Result<()> {
            let mut out = std::fs::File::create(&part)?;
            for path in &paths {
                let mut bytes = Vec::new();
                match std::fs::File::open(path) {
                    Ok(mut f) => f.read_to_end(&mut bytes)?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(e),
                };
                // The newest piece is being written: whole packets only.
                let whole = bytes.len() as u64 / TS_PACKET * TS_PACKET;
                out.write_all(&bytes[..whole as usize])?;
            }
            out.sync_all()?;
            std::fs::rename(&part, to)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&part);
            return Err(fail(e.to_string()));
        }
        let length = now.duration_since(start);
        tracing::info!(to = %to.display(), seconds = length.as_secs_f64(), "replay saved");
        Ok(length)
    }

    /// Stops keeping, and empties its folder.
    pub fn stop(self) {
        let Self { feed, dir, pieces, .. } = self;
        drop(feed);
        let mut p = lock(&pieces);
        p.writing = None;
        for piece in p.kept.drain(..) {
            let _ = std::fs::remove_file(piece.path);
        }
        let _ = std::fs::remove_dir(&dir);
        tracing::info!("replay buffer off");
    }
}

/// Writes a piece of the feed: a new file where a picture can start,
/// the oldest deleted once the buffer no longer needs it.
fn write(p: &mut Pieces, dir: &Path, piece: &TsPiece, keep: Duration) -> std::io::Result<()> {
    if piece.starts || p.writing.is_none() {
        if !piece.starts && p.kept.is_empty() {
            // Nothing can play before the first keyframe.
            return Ok(());
        }
        let path = dir.join(format!("replay-{:05}.ts", p.next_index));
        p.next_index += 1;
        p.writing = Some(std::fs::File::create(&path)?);
        let now = Instant::now();
        p.kept.push_back(Piece { path, start: now });
        while p.kept.len() > 2 && now.duration_since(p.kept[1].start) > keep {
            if let Some(old) = p.kept.pop_front() {
                let _ = std::fs::remove_file(&old.path);
            }
        }
    }
    match p.writing.as_mut() {
        Some(file) => file.write_all(&piece.bytes),
        None => Ok(()),
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
