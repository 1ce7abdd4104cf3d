//! Runs one source: starts its pipeline while something shows it, puts a
//! placeholder in its place when it fails, and retries it with a backoff.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gst::prelude::*;

use crate::engine::command::{MediaAction, MediaState, MediaStatus};
use crate::engine::error::EngineError;
use crate::engine::fanout::Fanout;
use crate::engine::sources::filters::{self, FilterChain};
use crate::engine::sources::producer::{Formats, Producer};
use crate::engine::sources::{alpha, media};
use crate::model::{Source, SourceId, SourceKind};

/// The generation of placeholder buffers; real producers count from 1.
const PLACEHOLDER: u64 = u64::MAX;
const FIRST_RETRY: Duration = Duration::from_secs(2);
const LONGEST_RETRY: Duration = Duration::from_secs(30);

/// What a source pipeline tells the supervisor.
#[derive(Debug)]
pub(crate) enum ProducerNews {
    Failed {
        source: SourceId,
        generation: u64,
        cause: String,
    },
    Ended {
        source: SourceId,
        generation: u64,
    },
    /// A looping file reached the end of its pass (SEGMENT_DONE).
    PassEnded {
        source: SourceId,
        generation: u64,
    },
    /// A looping file launched paused has its first picture ready.
    Prerolled {
        source: SourceId,
        generation: u64,
    },
    /// The desktop portal gave a new restore token for a screen capture.
    RestoreToken {
        source: SourceId,
        token: Option<String>,
    },
}

/// Where source pipelines send their news; called from streaming threads.
pub(crate) type NewsSink = Arc<dyn Fn(ProducerNews) + Send + Sync>;

/// A change in a source's health that the user should hear about.
#[derive(Debug, PartialEq)]
pub(crate) enum Health {
    Failed(String),
    Recovered,
}

pub(crate) struct Runner {
    pub source: Source,
    pub video: Arc<Fanout>,
    pub audio: Arc<Fanout>,
    users: usize,
    /// The size generated pictures are made at.
    pub size: (u32, u32),
    /// Whether its pictures may have transparent pixels (handed over in
    /// AYUV, not I420); looked at again whenever the source is (re)started.
    pub transparent: bool,
    generation: u64,
    producer: Option<Producer>,
    placeholder: Option<Producer>,
    failure: Option<String>,
    retry_at: Option<Instant>,
    retry_delay: Duration,
    /// For a media file: whether it plays, is paused, stopped or ended.
    media: media::Control,
}

impl Runner {
    pub fn new(source: Source, size: (u32, u32)) -> Self {
        Self {
            // The file's header only: every source of the collection is
            // looked at here, most of them not shown yet.
            transparent: alpha::source_may_be_transparent(&source, false),
            source,
            video: Fanout::replaying(),
            audio: Fanout::new(),
            users: 0,
            size,
            generation: 0,
            producer: None,
            placeholder: None,
            failure: None,
            retry_at: None,
            retry_delay: FIRST_RETRY,
            media: media::Control::default(),
        }
    }

    /// One more layer or channel shows this source; the first one starts it.
    pub fn acquire(&mut self, formats: &Formats, news: &NewsSink) -> Option<Health> {
        self.users += 1;
        if self.users == 1 {
            return self.start(formats, news);
        }
        None
    }

    /// One layer or channel fewer; the last one stops the source.
    pub fn release(&mut self) {
        self.users = self.users.saturating_sub(1);
        if self.users == 0 {
            self.stop();
        }
    }

    pub fn stop(&mut self) {
        for p in [self.producer.take(), self.placeholder.take()].into_iter().flatten() {
            let _ = p.pipeline.set_state(gst::State::Null);
        }
        // A still picture (image, text, colour) is still right when the
        // source is shown again, and shows at once; a live one is not.
        if !self.source.kind.is_still() {
            self.video.forget_last();
        }
        self.failure = None;
        self.retry_at = None;
        self.retry_delay = FIRST_RETRY;
        self.media.state = MediaState::Idle;
    }

    /// Replaces the source's settings. A running source whose kind or list
    /// of filters changed is rebuilt (its layers keep its last picture until
    /// the new pipeline's first one); new settings of the same filters are
    /// set on the running ones.
    pub fn update(&mut self, source: Source, formats: &Formats, news: &NewsSink) -> Option<Health> {
        let old = std::mem::replace(&mut self.source, source);
        if old.kind != self.source.kind {
            self.video.forget_last();
        }
        let retuned = |chain: Option<&FilterChain>, audio: bool| {
            let new: Vec<_> = self.source.active_filters(audio).collect();
            match chain {
                Some(chain) => chain.apply(&new),
                None => filters::same_shape(old.active_filters(audio), new.iter().copied()),
            }
        };
        let producer = self.producer.as_ref();
        // A still picture was filtered once, before it was frozen: new
        // settings need it drawn again.
        let refiltered = self.source.kind.is_still() && old.filters != self.source.filters;
        let in_place = old.kind == self.source.kind
            && !refiltered
            && retuned(producer.and_then(|p| p.video_filters.as_ref()), false)
            && retuned(producer.and_then(|p| p.audio_filters.as_ref()), true);
        if !in_place {
            self.transparent = alpha::source_may_be_transparent(&self.source, false);
            if self.users > 0 {
                self.stop();
                return self.start(formats, news);
            }
        }
        None
    }

    fn start(&mut self, formats: &Formats, news: &NewsSink) -> Option<Health> {
        self.generation += 1;
        let generation = self.generation;
        match self.launch(generation, formats, news) {
            Ok(producer) => {
                self.producer = Some(producer);
                self.media.state = MediaState::Playing;
                self.video.show_prerolls(false);
                if self.placeholder.is_some() {
                    // The placeholder stays until the source delivers.
                    self.video.set_pending(generation);
                    self.audio.set_pending(generation);
                } else {
                    self.video.set_current(generation);
                    self.audio.set_current(generation);
                }
                None
            }
            Err(e) => self.fail(e.to_string(), formats),
        }
    }

    fn launch(
        &mut self,
        generation: u64,
        formats: &Formats,
        news: &NewsSink,
    ) -> Result<Producer, EngineError> {
        self.transparent = alpha::source_may_be_transparent(&self.source, true);
        let producer = Producer::build(&self.source, formats, self.size, self.transparent)?;
        if let Some(sink) = &producer.video {
            self.video.attach(sink, generation);
        }
        if let Some(sink) = &producer.audio {
            self.audio.attach(sink, generation);
        }
        let bus_news = news.clone();
        let id = self.source.id.clone();
        let looping = self.looping();
        if looping {
            for sink in [&producer.video, &producer.audio].into_iter().flatten() {
                media::follow_passes(&sink.static_pad("sink").expect("an appsink has a sink pad"));
            }
        }
        producer.pipeline.bus().expect("a pipeline has a bus").set_sync_handler(move |_, msg| {
            let report = match msg.view() {
                gst::MessageView::Error(e) => Some(ProducerNews::Failed {
                    source: id.clone(),
                    generation,
                    cause: e.error().to_string(),
                }),
                gst::MessageView::Eos(_) => Some(ProducerNews::Ended { source: id.clone(), generation }),
                gst::MessageView::SegmentDone(_) => {
                    Some(ProducerNews::PassEnded { source: id.clone(), generation })
                }
                // Only the pipeline itself posts ASYNC_DONE on its bus.
                gst::MessageView::AsyncDone(_) if looping => {
                    Some(ProducerNews::Prerolled { source: id.clone(), generation })
                }
                _ => None,
            };
            if let Some(report) = report {
                bus_news(report);
            }
            gst::BusSyncReply::Drop
        });
        if let Some((src, token)) = producer.portal.clone() {
            let mut producer = producer;
            producer.portal_keeper =
                Some(self.request_portal(&producer.pipeline, src, token, generation, news));
            return Ok(producer);
        }
        if matches!(self.source.kind, SourceKind::Media { .. }) {
            // A file starts on the program's frame grid (see `media`).
            producer.pipeline.set_start_time(gst::ClockTime::NONE);
            producer.pipeline.set_base_time(formats.on_frame_grid(media::now() + media::START_MARGIN));
        }
        // A looping file plays once prerolled, in segments (see `media`).
        self.media.prerolling = self.looping();
        let first = if self.media.prerolling { gst::State::Paused } else { gst::State::Playing };
        if let Err(e) = producer.pipeline.set_state(first) {
            let _ = producer.pipeline.set_state(gst::State::Null);
            return Err(EngineError::Start {
                what: format!("source `{}`", self.source.name),
                message: e.to_string(),
            });
        }
        Ok(producer)
    }

    /// Asks the desktop portal for a screen and starts `pipeline` on it.
    fn request_portal(
        &self,
        pipeline: &gst::Pipeline,
        src: gst::Element,
        token: Option<String>,
        generation: u64,
        news: &NewsSink,
    ) -> crate::engine::sources::portal::Keeper {
        let (pipeline, news, id) = (pipeline.clone(), news.clone(), self.source.id.clone());
        crate::engine::sources::portal::request(token, move |grant| match grant {
            Ok(grant) => {
                src.set_property("fd", grant.fd);
                src.set_property("path", grant.node.to_string());
                news(ProducerNews::RestoreToken { source: id.clone(), token: grant.restore_token });
                if let Err(e) = pipeline.set_state(gst::State::Playing) {
                    news(ProducerNews::Failed { source: id, generation, cause: e.to_string() });
                }
            }
            Err(cause) => news(ProducerNews::Failed { source: id, generation, cause }),
        })
    }

    /// Stops the producer, shows the placeholder, schedules a retry.
    pub fn fail(&mut self, cause: String, formats: &Formats) -> Option<Health> {
        if let Some(p) = self.producer.take() {
            let _ = p.pipeline.set_state(gst::State::Null);
        }
        self.media.state = MediaState::Failed;
        self.video.set_current(PLACEHOLDER);
        self.audio.set_current(PLACEHOLDER);
        if self.placeholder.is_none() && self.source.kind.has_video() {
            self.placeholder = self.launch_placeholder(formats);
        }
        self.retry_at = Some(Instant::now() + self.retry_delay);
        self.retry_delay = (self.retry_delay * 2).min(LONGEST_RETRY);
        let changed = self.failure.as_deref() != Some(cause.as_str());
        tracing::warn!(source = %self.source.id, %cause, "source failed");
        self.failure = Some(cause.clone());
        changed.then_some(Health::Failed(cause))
    }

    fn launch_placeholder(&self, formats: &Formats) -> Option<Producer> {
        let p = Producer::placeholder(&self.source.name, formats).ok()?;
        self.video.attach(p.video.as_ref()?, PLACEHOLDER);
        p.pipeline.set_state(gst::State::Playing).ok()?;
        Some(p)
    }

    /// Handles news from this source's pipeline.
    pub fn on_news(&mut self, news: ProducerNews, formats: &Formats) -> Option<Health> {
        match news {
            ProducerNews::Failed { generation, cause, .. } if generation == self.generation => {
                self.fail(cause, formats)
            }
            ProducerNews::RestoreToken { token, .. } => {
                if let SourceKind::ScreenPortal { restore_token } = &mut self.source.kind {
                    *restore_token = token;
                }
                None
            }
            ProducerNews::Prerolled { generation, .. } if generation == self.generation => {
                let p = self.producer.as_ref().filter(|_| self.media.prerolling)?;
                self.media.prerolling = false;
                let started =
                    media::play_from(&p.pipeline, formats, Duration::ZERO, media::START_MARGIN, true);
                tracing::debug!(source = %self.source.id, ok = started.is_ok(), "looping file prerolled: playing");
                started.err().and_then(|e| self.fail(format!("could not play: {e}"), formats))
            }
            ProducerNews::PassEnded { generation, .. } if generation == self.generation => {
                let p = self.producer.as_ref()?;
                let again = media::next_pass(&p.pipeline, formats);
                tracing::debug!(source = %self.source.id, ok = again.is_ok(), "looping: next pass");
                again.err().and_then(|e| self.fail(format!("could not loop: {e}"), formats))
            }
            ProducerNews::Ended { generation, .. } if generation == self.generation => {
                let looping = self.looping();
                match (looping, &self.producer) {
                    (true, Some(p)) => {
                        // Each pass starts on the program's frame grid again, so
                        // that the picture never drifts from its sound.
                        let again = media::play_from(
                            &p.pipeline,
                            formats,
                            Duration::ZERO,
                            media::RESTART_MARGIN,
                            true,
                        );
                        tracing::debug!(source = %self.source.id, ok = again.is_ok(), "looping: back to the start");
                        if let Err(e) = again {
                            return self.fail(format!("could not loop: {e}"), formats);
                        }
                    }
                    (false, Some(_)) => self.media.state = MediaState::Ended,
                    _ => {}
                }
                None
            }
            _ => None,
        }
    }

    /// Periodic care: retry a failed source when its time comes, notice a
    /// recovery, notice a file that disappeared under a running source.
    pub fn tick(&mut self, formats: &Formats, news: &NewsSink) -> Option<Health> {
        if self.users == 0 {
            return None;
        }
        if self.failure.is_some() {
            let flowing = self.producer.is_some()
                && (self.video.current() == self.generation || self.audio.current() == self.generation);
            if flowing {
                if let Some(p) = self.placeholder.take() {
                    let _ = p.pipeline.set_state(gst::State::Null);
                }
                self.failure = None;
                self.retry_at = None;
                self.retry_delay = FIRST_RETRY;
                tracing::info!(source = %self.source.id, "source recovered");
                return Some(Health::Recovered);
            }
            if self.retry_at.is_some_and(|t| Instant::now() >= t) {
                if let Some(p) = self.producer.take() {
                    let _ = p.pipeline.set_state(gst::State::Null);
                }
                self.retry_at = Some(Instant::now() + self.retry_delay);
                return self.start(formats, news);
            }
            return None;
        }
        if let Some(path) = self.source.kind.file() {
            if self.producer.is_some() && !path.exists() {
                return self.fail(format!("{} was deleted or moved", path.display()), formats);
            }
        }
        None
    }

    /// Plays, pauses, stops, restarts or moves a media file that is shown.
    pub fn control_media(&mut self, action: MediaAction, formats: &Formats) -> Result<(), EngineError> {
        if !matches!(self.source.kind, SourceKind::Media { .. }) {
            return Err(EngineError::Invalid(format!("`{}` is not a media file", self.source.name)));
        }
        let Some(p) = &self.producer else {
            return Err(EngineError::Invalid(match self.media.state {
                MediaState::Failed => format!("`{}` failed to play; it is tried again", self.source.name),
                _ => format!("`{}` is not shown: a file plays while a scene shows it", self.source.name),
            }));
        };
        let from = self.media.state;
        let result = self.media.act(&p.pipeline, formats, action, self.looping());
        let state = self.media.state;
        tracing::info!(source = %self.source.id, ?action, ?from, to = ?state, ok = result.is_ok(), "media");
        result?;
        // Paused, a move to another place shows it at once.
        let paused = matches!(state, MediaState::Paused | MediaState::Stopped);
        self.video.show_prerolls(paused);
        Ok(())
    }

    /// Whether this is a file that plays again from its start at its end.
    fn looping(&self) -> bool {
        matches!(self.source.kind, SourceKind::Media { looping: true, .. })
    }

    /// Where a media file is.
    pub fn media_status(&self) -> MediaStatus {
        match &self.producer {
            Some(p) => self.media.status(&p.pipeline),
            None => MediaStatus { state: self.media.state, ..Default::default() },
        }
    }

    /// Tries a failed source again now.
    pub fn retry(&mut self, formats: &Formats, news: &NewsSink) -> Option<Health> {
        if self.failure.is_some() && self.users > 0 {
            self.retry_at = Some(Instant::now());
            return self.tick(formats, news);
        }
        None
    }
}
