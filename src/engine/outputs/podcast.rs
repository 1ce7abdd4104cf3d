//! Audio-only recording for podcasts: the mix plus one track per source
//! (each speaker apart), in one Matroska file or one file each, with
//! optional EBU R128 loudness normalisation of the mix and chapter marks.
//!
//! ```text
//!  program audio ─> appsrc ! audiomixer(live: fills silence) ! audioconvert ! enc ! taginject ───────────────────────────┐
//!  source audio ──> appsrc ! audiomixer(live: fills silence) ! audioconvert ! enc ! taginject ────────────────────────────┼─ matroskamux ! filesink
//!  source audio ──> ...                                                                                                   ┘   (or one file each)
//! ```
//!
//! A source's track is silent while the source is not in the program.
//! After a clean stop the mix is measured (EBU R128) and brought to the
//! loudness target by one static gain, capped at -1 dBTP, when the file is
//! copied once more (with its chapters); the speakers' tracks are copied as
//! they are.
//! Chapters go into the Matroska table of contents and, for every layout,
//! into a side file `<name>.chapters.txt` (`HH:MM:SS.mmm title` per line).

use std::path::{Path, PathBuf};
use std::time::Duration;

use gst::prelude::*;

use crate::engine::error::{make, EngineError};
use crate::engine::outputs::encoder::{check_writable_folder, link_to_mux};
use crate::engine::outputs::feeds::Feeds;
use crate::engine::outputs::output::Output;
use crate::engine::sources::producer::gst_audio_caps;
use crate::model::write_atomically;

/// The name podcast recordings report under in `Event::Output`.
pub const PODCAST: &str = "Podcast";

/// How far the end of a podcast has gone: its mix is measured, then the
/// file is copied once more (with chapters, or the normalised mix). Each
/// stage goes from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Finishing {
    Measuring(f64),
    Rewriting(f64),
}

/// The audio format of every track.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PodcastCodec {
    #[default]
    Opus,
    Flac,
    Wav,
}

impl PodcastCodec {
    fn extension(self) -> &'static str {
        match self {
            Self::Opus => "opus",
            Self::Flac => "flac",
            Self::Wav => "wav",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PodcastSettings {
    pub codec: PodcastCodec,
    /// Integrated loudness the mix is brought to, in LUFS; `None` leaves it.
    pub loudness_target: Option<f64>,
}

impl Default for PodcastSettings {
    fn default() -> Self {
        Self { codec: PodcastCodec::Opus, loudness_target: Some(-16.0) }
    }
}

pub struct Podcast {
    output: Output,
    path: PathBuf,
    settings: PodcastSettings,
    /// The Matroska muxer, which takes the chapters; `None` for separate files.
    toc_setter: Option<gst::Element>,
    chapters: Vec<(gst::ClockTime, String)>,
}

fn encoder(codec: PodcastCodec) -> Result<Vec<gst::Element>, EngineError> {
    Ok(match codec {
        PodcastCodec::Opus => {
            let enc = make("opusenc")?;
            enc.set_property("bitrate", 128_000i32);
            vec![make("audioresample")?, enc]
        }
        PodcastCodec::Flac => vec![make("flacenc")?],
        PodcastCodec::Wav => vec![],
    })
}

/// The last part of a track's own file: the encoder's container.
fn file_tail(codec: PodcastCodec) -> Result<Vec<gst::Element>, EngineError> {
    Ok(match codec {
        PodcastCodec::Opus => vec![make("oggmux")?],
        PodcastCodec::Flac => vec![],
        PodcastCodec::Wav => vec![make("wavenc")?],
    })
}

fn title_tag(title: &str) -> Result<gst::Element, EngineError> {
    let inject = make("taginject")?;
    let escaped = title.replace('\\', "\\\\").replace('"', "\\\"");
    inject.set_property("tags", format!("title=\"{escaped}\""));
    Ok(inject)
}

/// A file name made of a track title.
fn file_stem(title: &str) -> String {
    let stem: String = title.chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { '_' }).collect();
    if stem.is_empty() {
        "track".into()
    } else {
        stem
    }
}

/// A file name for each track, none twice (names compared without case,
/// as on the file systems that ignore it): "Guest", "Guest-2", and a
/// source named "Mix" becomes "Mix-2" beside the mix itself.
fn track_stems(titles: &[String]) -> Vec<String> {
    let mut taken = std::collections::HashSet::new();
    titles
        .iter()
        .map(|title| {
            let stem = file_stem(title);
            let free = (1..)
                .map(|n| if n == 1 { stem.clone() } else { format!("{stem}-{n}") })
                .find(|s| !taken.contains(&s.to_lowercase()))
                .unwrap_or_else(|| stem.clone());
            taken.insert(free.to_lowercase());
            free
        })
        .collect()
}

impl Podcast {
    /// Records into `path`: a `.mka`/`.mkv` file holds every track; any other
    /// path is a folder that gets one file per track.
    pub fn start(
        feeds: impl AsRef<Feeds>,
        path: &Path,
        settings: PodcastSettings,
    ) -> Result<Self, EngineError> {
        let feeds = feeds.as_ref();
        let fail =
            |message: String| EngineError::Start { what: format!("podcast to {}", path.display()), message };
        let one_file = matches!(path.extension().and_then(|e| e.to_str()), Some("mka" | "mkv"));
        if one_file {
            check_writable_folder(path).map_err(fail)?;
            if path.metadata().is_ok_and(|m| m.is_file()) {
                return Err(fail(format!(
                    "{} exists already: Plateau never overwrites a recording, choose another name",
                    path.display()
                )));
            }
        } else {
            std::fs::create_dir_all(path).map_err(|e| fail(e.to_string()))?;
            check_writable_folder(&path.join("probe")).map_err(fail)?;
        }
        let audio = feeds.audio_settings();
        let mut output = Output::new("podcast");
        let mux = if one_file {
            let mux = make("matroskamux")?;
            let sink = make("filesink")?;
            sink.set_property("location", path);
            output.pipeline.add_many([&mux, &sink])?;
            mux.link(&sink)?;
            Some(mux)
        } else {
            None
        };

        // The mix first, then one track per source that makes sound.
        let mut tracks = vec![("Mix".to_owned(), output.audio_input(feeds)?)];
        for (n, (_, name, fanout)) in feeds.audio_sources().into_iter().enumerate() {
            tracks.push((name, output.input(fanout, &format!("track{n}"), 64)?));
        }
        let titles: Vec<String> = tracks.iter().map(|(t, _)| t.clone()).collect();
        let stems = track_stems(&titles);
        for ((title, src), stem) in tracks.into_iter().zip(stems) {
            // A mixer of one live input: it times out and makes silence
            // where nothing comes (a source out of the program, the first
            // moments of the mix), so every track starts at the same instant
            // and stays aligned even in files without timestamps (WAV). Not
            // forced live, so that it still ends when its input does.
            let filler = make("audiomixer")?;
            let caps = make("capsfilter")?;
            caps.set_property("caps", gst_audio_caps(audio.sample_rate, audio.channels));
            let mut chain = vec![src, filler, caps];
            // Timestamps that only move forward, without holes or overlaps:
            // flacenc refuses a buffer that steps back ("too far back in time").
            chain.push(make("audiorate")?);
            chain.push(make("audioconvert")?);
            chain.extend(encoder(settings.codec)?);
            chain.push(title_tag(&title)?);
            let queue = make("queue")?;
            chain.push(queue.clone());
            if mux.is_none() {
                chain.extend(file_tail(settings.codec)?);
                let sink = make("filesink")?;
                sink.set_property("location", path.join(format!("{stem}.{}", settings.codec.extension())));
                chain.push(sink);
            }
            output.pipeline.add_many(&chain[1..])?;
            gst::Element::link_many(&chain)?;
            if let Some(mux) = &mux {
                link_to_mux(&queue, mux, "audio_%u")?;
            }
        }
        output.report_failures(feeds.emitter(), PODCAST);
        output.start().map_err(|e| fail(e.to_string()))?;
        tracing::info!(path = %path.display(), codec = ?settings.codec, "podcast recording started");
        Ok(Self { output, path: path.to_owned(), settings, toc_setter: mux, chapters: Vec::new() })
    }

    /// Marks a chapter now; returns its time from the start.
    pub fn add_chapter(&mut self, title: &str) -> gst::ClockTime {
        let at = self.elapsed();
        self.chapters.push((at, title.to_owned()));
        at
    }

    /// The file (or the folder of tracks) recorded into.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn chapter_count(&self) -> usize {
        self.chapters.len()
    }

    fn elapsed(&self) -> gst::ClockTime {
        let now = gst::SystemClock::obtain().time();
        now.saturating_sub(self.output.pipeline.base_time().unwrap_or(now))
    }

    pub fn error(&self) -> Option<String> {
        self.output.error()
    }

    /// Writes the chapters and ends the file(s) cleanly.
    pub fn stop(self) -> Result<PathBuf, EngineError> {
        self.stop_with_progress(|_| {})
    }

    /// Like `stop`, telling `progress` how far measuring and rewriting the
    /// mix have gone (they read the whole file: long for a long podcast).
    pub fn stop_with_progress(mut self, progress: impl Fn(Finishing) + Sync) -> Result<PathBuf, EngineError> {
        let end = self.elapsed();
        self.output.finish(Duration::from_secs(15))?;
        // Measuring and copying read the whole file as fast as they can:
        // at background priority, the live show first.
        crate::engine::background::run(|| self.measure_and_rewrite(end, &progress))?;
        if !self.chapters.is_empty() {
            let side = self.chapters_file();
            let text: String =
                self.chapters.iter().map(|(t, title)| format!("{} {title}\n", timestamp(*t))).collect();
            write_atomically(&side, |f| std::io::Write::write_all(f, text.as_bytes())).map_err(|e| {
                EngineError::Start { what: side.display().to_string(), message: e.to_string() }
            })?;
        }
        tracing::info!(path = %self.path.display(), chapters = self.chapters.len(), "podcast recording finished");
        Ok(self.path.clone())
    }

    /// Measures the mix's loudness and copies the file once more with its
    /// gain and chapters, when there is anything to change.
    fn measure_and_rewrite(
        &self,
        end: gst::ClockTime,
        progress: &dyn Fn(Finishing),
    ) -> Result<(), EngineError> {
        let mix = if self.toc_setter.is_some() {
            self.path.clone()
        } else {
            self.path.join(format!("{}.{}", file_stem("Mix"), self.settings.codec.extension()))
        };
        let gain =
            self.settings.loudness_target.and_then(|target| match crate::engine::outputs::loudness::measure(
                &mix,
                &|f| progress(Finishing::Measuring(f)),
            ) {
                Ok((loudness, peak)) => {
                    let gain = crate::engine::outputs::loudness::gain_db(target, loudness, peak);
                    tracing::info!(loudness, peak, ?gain, "podcast mix measured");
                    gain
                }
                Err(e) => {
                    tracing::warn!(%e, "the mix could not be measured; it is left as recorded");
                    None
                }
            });
        if self.toc_setter.is_some() {
            // matroskamux writes chapters only when it knows them before
            // the first byte: the file is copied once more with them.
            let toc = (!self.chapters.is_empty()).then(|| self.toc(end));
            if toc.is_some() || gain.is_some() {
                let rewriting = |f| progress(Finishing::Rewriting(f));
                rewrite_matroska(&self.path, toc.as_ref(), gain, self.settings.codec, &rewriting)?;
            }
        } else if let Some(gain) = gain {
            rewrite_single(&mix, gain, self.settings.codec, &|f| progress(Finishing::Rewriting(f)))?;
        }
        Ok(())
    }

    fn chapters_file(&self) -> PathBuf {
        if self.toc_setter.is_some() {
            self.path.with_extension("chapters.txt")
        } else {
            self.path.join("chapters.txt")
        }
    }

    /// The chapters as a table of contents; each ends where the next starts,
    /// the last at `end`.
    fn toc(&self, end: gst::ClockTime) -> gst::Toc {
        let mut toc = gst::Toc::new(gst::TocScope::Global);
        {
            let toc = toc.get_mut().expect("a new toc is writable");
            let mut edition = gst::TocEntry::new(gst::TocEntryType::Edition, "edition");
            let edition_mut = edition.get_mut().expect("a new entry is writable");
            let ends: Vec<i64> = self
                .chapters
                .iter()
                .skip(1)
                .map(|(t, _)| t.nseconds() as i64)
                .chain([end.nseconds() as i64])
                .collect();
            for (n, ((at, title), end)) in self.chapters.iter().zip(ends).enumerate() {
                let mut chapter = gst::TocEntry::new(gst::TocEntryType::Chapter, &format!("chapter-{n}"));
                let c = chapter.get_mut().expect("a new entry is writable");
                c.set_start_stop_times(at.nseconds() as i64, end);
                let mut tags = gst::TagList::new();
                tags.get_mut()
                    .expect("new")
                    .add::<gst::tags::Title>(&title.as_str(), gst::TagMergeMode::Replace);
                c.set_tags(tags);
                edition_mut.append_sub_entry(chapter);
            }
            toc.append_entry(edition);
        }
        toc
    }
}

/// The decode → gain → encode chain of a mix track.
fn gain_chain(gain_db: f64, codec: PodcastCodec) -> Result<Vec<gst::Element>, EngineError> {
    let volume = make("volume")?;
    volume.set_property("volume", 10f64.powf(gain_db / 20.0).min(10.0));
    let mut chain = vec![make("audioconvert")?, volume, make("audioconvert")?];
    chain.extend(encoder(codec)?);
    Ok(chain)
}

/// Runs `pipeline` to its end, telling `progress` how far it has gone,
/// then puts `tmp` in the place of `path`. There is no time limit (a long
/// podcast takes long); a copy that stops moving for `STALLED` fails, and
/// the original stays.
fn run_to_end(
    pipeline: &gst::Pipeline,
    tmp: &Path,
    path: &Path,
    progress: &dyn Fn(f64),
) -> Result<(), EngineError> {
    let fail =
        |message: String| EngineError::Start { what: format!("finishing {}", path.display()), message };
    pipeline.set_state(gst::State::Playing).map_err(|e| fail(e.to_string()))?;
    let bus = pipeline.bus().ok_or_else(|| fail("no bus".into()))?;
    progress(0.0);
    let mut moved = (None, std::time::Instant::now());
    let result = loop {
        let msg = bus.timed_pop_filtered(
            gst::ClockTime::from_mseconds(250),
            &[gst::MessageType::Eos, gst::MessageType::Error],
        );
        match msg.as_ref().map(|m| m.view()) {
            Some(gst::MessageView::Eos(_)) => {
                progress(1.0);
                break Ok(());
            }
            Some(gst::MessageView::Error(e)) => break Err(fail(e.error().to_string())),
            _ => {}
        }
        let position = pipeline.query_position::<gst::ClockTime>();
        if position != moved.0 {
            moved = (position, std::time::Instant::now());
        } else if moved.1.elapsed() > STALLED {
            break Err(fail(format!("the copy stopped moving for {} s", STALLED.as_secs())));
        }
        if let Some(f) = fraction(pipeline) {
            progress(f);
        }
    };
    let _ = pipeline.set_state(gst::State::Null);
    match result {
        Ok(()) => std::fs::rename(tmp, path).map_err(|e| fail(e.to_string())),
        Err(e) => {
            let _ = std::fs::remove_file(tmp);
            Err(e)
        }
    }
}

/// How long a copy may go without moving before it is given up.
const STALLED: Duration = Duration::from_secs(30);

/// How far `pipeline` has read its file (0 to 1), when it knows.
pub(crate) fn fraction(pipeline: &gst::Pipeline) -> Option<f64> {
    let position = pipeline.query_position::<gst::ClockTime>()?;
    let duration = pipeline.query_duration::<gst::ClockTime>().filter(|d| !d.is_zero())?;
    Some((position.nseconds() as f64 / duration.nseconds() as f64).clamp(0.0, 1.0))
}

/// Copies the Matroska file at `path` once more: with `toc` as its chapters,
/// and its first track (the mix) re-encoded with `gain` dB. The original
/// stays in place until the copy is complete.
fn rewrite_matroska(
    path: &Path,
    toc: Option<&gst::Toc>,
    gain: Option<f64>,
    codec: PodcastCodec,
    progress: &dyn Fn(f64),
) -> Result<(), EngineError> {
    let tmp = path.with_extension("finishing.mka");
    let pipeline = gst::Pipeline::new();
    crate::engine::background::streaming_threads_of(&pipeline);
    let src = make("filesrc")?;
    src.set_property("location", path);
    let demux = make("matroskademux")?;
    let mux = make("matroskamux")?;
    let sink = make("filesink")?;
    sink.set_property("location", &tmp);
    pipeline.add_many([&src, &demux, &mux, &sink])?;
    src.link(&demux)?;
    mux.link(&sink)?;
    if let (Some(toc), Some(setter)) = (toc, mux.dynamic_cast_ref::<gst::TocSetter>()) {
        setter.set_toc(Some(toc));
    }
    let (mux_weak, pipeline_weak) = (mux.downgrade(), pipeline.downgrade());
    let first = std::sync::atomic::AtomicBool::new(true);
    demux.connect_pad_added(move |_, pad| {
        let (Some(mux), Some(pipeline)) = (mux_weak.upgrade(), pipeline_weak.upgrade()) else { return };
        let is_mix = first.swap(false, std::sync::atomic::Ordering::SeqCst);
        // A queue per track: the demuxer feeds one track at a time, the
        // muxer waits for all of them. The mix's pad is taken first so it stays first.
        let linked = (|| -> Result<(), EngineError> {
            let mux_pad = mux
                .request_pad_simple("audio_%u")
                .ok_or_else(|| EngineError::Build { what: "muxer".into(), message: "no pad".into() })?;
            let queue = make("queue")?;
            pipeline.add(&queue)?;
            queue.sync_state_with_parent()?;
            pad.link(&queue.static_pad("sink").expect("queue has a sink pad"))
                .map_err(|e| EngineError::Build { what: "track".into(), message: format!("{e:?}") })?;
            let last = match gain.filter(|_| is_mix) {
                None => queue,
                Some(gain) => {
                    let decode = make("decodebin")?;
                    let chain = gain_chain(gain, codec)?;
                    pipeline.add(&decode)?;
                    pipeline.add_many(&chain)?;
                    gst::Element::link_many(&chain)?;
                    queue.link(&decode)?;
                    let head = chain[0].clone();
                    decode.connect_pad_added(move |_, p| {
                        if let Some(sink) = head.static_pad("sink").filter(|s| !s.is_linked()) {
                            let _ = p.link(&sink);
                        }
                    });
                    for e in chain.iter().chain([&decode]) {
                        e.sync_state_with_parent()?;
                    }
                    chain.last().cloned().expect("the chain has an encoder")
                }
            };
            last.static_pad("src")
                .expect("an element with a src pad")
                .link(&mux_pad)
                .map(drop)
                .map_err(|e| EngineError::Build { what: "track".into(), message: format!("{e:?}") })
        })();
        if let Err(e) = linked {
            tracing::warn!(%e, "a track could not be copied");
        }
    });
    run_to_end(&pipeline, &tmp, path, progress)
}

/// Re-encodes a one-track file (the mix of a podcast in separate files) with `gain` dB.
fn rewrite_single(
    path: &Path,
    gain: f64,
    codec: PodcastCodec,
    progress: &dyn Fn(f64),
) -> Result<(), EngineError> {
    let tmp = path.with_extension(format!("finishing.{}", codec.extension()));
    let pipeline = gst::Pipeline::new();
    crate::engine::background::streaming_threads_of(&pipeline);
    let src = make("filesrc")?;
    src.set_property("location", path);
    let decode = make("decodebin")?;
    let mut chain = gain_chain(gain, codec)?;
    chain.push(title_tag("Mix")?);
    chain.extend(file_tail(codec)?);
    let sink = make("filesink")?;
    sink.set_property("location", &tmp);
    chain.push(sink);
    pipeline.add_many([&src, &decode])?;
    pipeline.add_many(&chain)?;
    src.link(&decode)?;
    gst::Element::link_many(&chain)?;
    let head = chain[0].clone();
    decode.connect_pad_added(move |_, p| {
        if let Some(sink) = head.static_pad("sink").filter(|s| !s.is_linked()) {
            let _ = p.link(&sink);
        }
    });
    run_to_end(&pipeline, &tmp, path, progress)
}

fn timestamp(t: gst::ClockTime) -> String {
    let ms = t.mseconds();
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_track_gets_a_file_of_its_own() {
        let titles: Vec<String> =
            ["Mix", "Guest", "guest", "Mix", "Guest"].iter().map(|t| t.to_string()).collect();
        assert_eq!(track_stems(&titles), ["Mix", "Guest", "guest-2", "Mix-2", "Guest-3"]);
    }
}
