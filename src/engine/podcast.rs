//! Audio-only recording for podcasts: the mix plus one track per source
//! (each speaker apart), in one Matroska file or one file each, with
//! optional EBU R128 loudness normalisation of the mix and chapter marks.
//!
//! ```text
//!  program audio ─> appsrc ! [audioresample ! 192k F64 ! audioloudnorm ! audioresample] ! audioconvert ! enc ! taginject ─┐
//!  source audio ──> appsrc ! audiomixer(live: fills silence) ! audioconvert ! enc ! taginject ────────────────────────────┼─ matroskamux ! filesink
//!  source audio ──> ...                                                                                                   ┘   (or one file each)
//! ```
//!
//! A source's track is silent while the source is not in the program.
//! Chapters go into the Matroska table of contents and, for every layout,
//! into a side file `<name>.chapters.txt` (`HH:MM:SS.mmm title` per line).

use std::path::{Path, PathBuf};
use std::time::Duration;

use gst::prelude::*;

use super::encoder::{check_writable_folder, link_to_mux};
use super::error::{make, EngineError};
use super::output::Output;
use super::producer::gst_audio_caps;
use super::studio::Studio;
use crate::model::write_atomically;

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

fn loudness(target: f64) -> Result<Vec<gst::Element>, EngineError> {
    let norm = make("audioloudnorm")?;
    norm.set_property("loudness-target", target);
    let f64_192k = make("capsfilter")?;
    f64_192k.set_property(
        "caps",
        gst::Caps::builder("audio/x-raw").field("format", "F64LE").field("rate", 192_000i32).build(),
    );
    Ok(vec![make("audioconvert")?, make("audioresample")?, f64_192k, norm, make("audioresample")?])
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

impl Podcast {
    /// Records into `path`: a `.mka`/`.mkv` file holds every track; any other
    /// path is a folder that gets one file per track.
    pub fn start(studio: &Studio, path: &Path, settings: PodcastSettings) -> Result<Self, EngineError> {
        let fail =
            |message: String| EngineError::Start { what: format!("podcast to {}", path.display()), message };
        let one_file = matches!(path.extension().and_then(|e| e.to_str()), Some("mka" | "mkv"));
        if one_file {
            check_writable_folder(path).map_err(fail)?;
        } else {
            std::fs::create_dir_all(path).map_err(|e| fail(e.to_string()))?;
            check_writable_folder(&path.join("probe")).map_err(fail)?;
        }
        let audio = studio.audio_settings();
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
        let mut tracks = vec![("Mix".to_owned(), output.audio_input(studio)?, true)];
        for (n, (_, name, fanout)) in studio.audio_sources().into_iter().enumerate() {
            tracks.push((name, output.input(fanout, &format!("track{n}"), 64)?, false));
        }
        for (title, src, is_mix) in tracks {
            let mut chain = vec![src];
            if is_mix {
                if let Some(target) = settings.loudness_target {
                    chain.extend(loudness(target)?);
                }
            } else {
                // A mixer of one live input: it times out and makes silence
                // where the source sends nothing (not forced live, so that it
                // still ends when its input does).
                let filler = make("audiomixer")?;
                let caps = make("capsfilter")?;
                caps.set_property("caps", gst_audio_caps(audio.sample_rate, audio.channels));
                chain.extend([filler, caps]);
            }
            chain.push(make("audioconvert")?);
            chain.extend(encoder(settings.codec)?);
            chain.push(title_tag(&title)?);
            let queue = make("queue")?;
            chain.push(queue.clone());
            if mux.is_none() {
                chain.extend(file_tail(settings.codec)?);
                let sink = make("filesink")?;
                sink.set_property(
                    "location",
                    path.join(format!("{}.{}", file_stem(&title), settings.codec.extension())),
                );
                chain.push(sink);
            }
            output.pipeline.add_many(&chain[1..])?;
            gst::Element::link_many(&chain)?;
            if let Some(mux) = &mux {
                link_to_mux(&queue, mux, "audio_%u")?;
            }
        }
        output.start().map_err(|e| fail(e.to_string()))?;
        tracing::info!(path = %path.display(), codec = ?settings.codec, "podcast recording started");
        Ok(Self { output, path: path.to_owned(), toc_setter: mux, chapters: Vec::new() })
    }

    /// Marks a chapter now; returns its time from the start.
    pub fn add_chapter(&mut self, title: &str) -> gst::ClockTime {
        let at = self.elapsed();
        self.chapters.push((at, title.to_owned()));
        at
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
    pub fn stop(mut self) -> Result<PathBuf, EngineError> {
        let end = self.elapsed();
        self.output.finish(Duration::from_secs(15))?;
        if self.toc_setter.is_some() && !self.chapters.is_empty() {
            // matroskamux writes chapters only when it knows them before
            // the first byte: copy the finished file once more with them.
            let toc = self.toc(end);
            add_chapters(&self.path, &toc)?;
        }
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

/// Rewrites the Matroska file at `path` with `toc` as its chapters, without
/// re-encoding; the original stays in place until the copy is complete.
fn add_chapters(path: &Path, toc: &gst::Toc) -> Result<(), EngineError> {
    let fail =
        |message: String| EngineError::Start { what: format!("chapters of {}", path.display()), message };
    let tmp = path.with_extension("chapters.tmp.mka");
    let pipeline = gst::Pipeline::new();
    let src = make("filesrc")?;
    src.set_property("location", path);
    let demux = make("matroskademux")?;
    let mux = make("matroskamux")?;
    let sink = make("filesink")?;
    sink.set_property("location", &tmp);
    pipeline.add_many([&src, &demux, &mux, &sink])?;
    src.link(&demux)?;
    mux.link(&sink)?;
    if let Some(setter) = mux.dynamic_cast_ref::<gst::TocSetter>() {
        setter.set_toc(Some(toc));
    }
    let (mux_weak, pipeline_weak) = (mux.downgrade(), pipeline.downgrade());
    demux.connect_pad_added(move |_, pad| {
        let (Some(mux), Some(pipeline)) = (mux_weak.upgrade(), pipeline_weak.upgrade()) else { return };
        // A queue per track: the demuxer feeds one track at a time, the
        // muxer waits for all of them.
        let Ok(queue) = make("queue") else { return };
        let linked = pipeline.add(&queue).map_err(|e| e.to_string()).and_then(|_| {
            pad.link(&queue.static_pad("sink").ok_or("no sink pad")?).map_err(|e| format!("{e:?}"))?;
            link_to_mux(&queue, &mux, "audio_%u").map_err(|e| e.to_string())?;
            queue.sync_state_with_parent().map_err(|e| e.to_string())
        });
        if let Err(e) = linked {
            tracing::warn!(%e, "a track could not be copied");
        }
    });
    pipeline.set_state(gst::State::Playing).map_err(|e| fail(e.to_string()))?;
    let bus = pipeline.bus().ok_or_else(|| fail("no bus".into()))?;
    let msg = bus.timed_pop_filtered(
        gst::ClockTime::from_seconds(60),
        &[gst::MessageType::Eos, gst::MessageType::Error],
    );
    let _ = pipeline.set_state(gst::State::Null);
    match msg.as_ref().map(|m| m.view()) {
        Some(gst::MessageView::Eos(_)) => std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string())),
        Some(gst::MessageView::Error(e)) => {
            let _ = std::fs::remove_file(&tmp);
            Err(fail(e.error().to_string()))
        }
        _ => {
            let _ = std::fs::remove_file(&tmp);
            Err(fail("copying took more than a minute".into()))
        }
    }
}

fn timestamp(t: gst::ClockTime) -> String {
    let ms = t.mseconds();
    format!("{:02}:{:02}:{:02}.{:03}", ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000)
}
