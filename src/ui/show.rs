//! The show: what the studio sends out now (the recording, the podcast,
//! the live streams) and what is still being finished in the background.
//!
//! Ending an output waits for its files to be complete: a recording drains
//! its muxer, a podcast measures and rewrites its whole mix, a stream says
//! goodbye to its server (or waits for one that no longer answers). None of
//! that happens on the interface thread: each stop runs on a worker and the
//! window follows the `finishing` property ("Finishing the recording…").
//!
//! Starting one waits too: its pipeline is built and started, and the
//! shared encoder with it when it is the first output (x264 takes a tenth
//! of a second or more). Starts run on a worker as well, the window says
//! "Starting the recording…", and a second press meanwhile starts nothing.

use std::cell::RefCell;
use std::path::PathBuf;

use gettextrs::gettext;
use glib::prelude::*;
use glib::subclass::prelude::*;
use plateau::engine::{Finishing, Podcast, Recorder, Stream};

mod imp {
    use super::*;

    #[derive(Default, glib::Properties)]
    #[properties(wrapper_type = super::Show)]
    pub struct Show {
        pub recorder: RefCell<Option<Recorder>>,
        pub paused: std::cell::Cell<bool>,
        pub podcast: RefCell<Option<Podcast>>,
        pub streams: RefCell<Vec<Stream>>,
        /// The show on the peer-to-peer swarm.
        pub swarm: RefCell<Option<plateau::cli::swarm::Live>>,
        /// Outputs being started now (their names): never twice at once.
        pub starting: RefCell<std::collections::HashSet<&'static str>>,
        /// Outputs being started or finished: a number each, and what the window says.
        pub tasks: RefCell<Vec<(u64, String)>>,
        pub next_task: std::cell::Cell<u64>,
        /// What is being started or finished, as the window says it; empty when nothing is.
        #[property(get)]
        pub finishing: RefCell<String>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Show {
        const NAME: &'static str = "PlateauShow";
        type Type = super::Show;
    }

    #[glib::derived_properties]
    impl ObjectImpl for Show {}
}

glib::wrapper! {
    pub struct Show(ObjectSubclass<imp::Show>);
}

impl Default for Show {
    fn default() -> Self {
        glib::Object::new()
    }
}

/// How an output ended: the file it wrote, or what went wrong.
pub type Ended = Result<PathBuf, String>;

impl Show {
    pub fn is_recording(&self) -> bool {
        self.imp().recorder.borrow().is_some()
    }

    pub fn is_paused(&self) -> bool {
        self.imp().paused.get()
    }

    pub fn is_podcasting(&self) -> bool {
        self.imp().podcast.borrow().is_some()
    }

    /// Whether Go Live runs: streams to servers, or the swarm.
    pub fn is_streaming(&self) -> bool {
        !self.imp().streams.borrow().is_empty() || self.is_swarming()
    }

    pub fn is_swarming(&self) -> bool {
        self.imp().swarm.borrow().is_some()
    }

    /// Whether anything is recorded or streamed now.
    pub fn is_running(&self) -> bool {
        self.is_recording() || self.is_podcasting() || self.is_streaming()
    }

    /// Whether an output is still being started or finished.
    pub fn is_finishing(&self) -> bool {
        !self.imp().tasks.borrow().is_empty()
    }

    /// Whether the output named `what` is being started.
    pub fn is_starting(&self, what: &str) -> bool {
        self.imp().starting.borrow().contains(what)
    }

    /// Starts the output named `what` with `start` on a worker, the
    /// window saying `text` meanwhile; `None` when it is being started
    /// already.
    pub fn start_in_background<T: Send + 'static>(
        &self,
        what: &'static str,
        text: String,
        start: impl FnOnce() -> Result<T, String> + Send + 'static,
    ) -> Option<impl std::future::Future<Output = Result<T, String>> + 'static> {
        if !self.imp().starting.borrow_mut().insert(what) {
            return None;
        }
        let task = self.begin(text);
        let show = self.clone();
        Some(async move {
            let started = gio::spawn_blocking(start).await;
            show.imp().starting.borrow_mut().remove(what);
            show.end(task);
            started.unwrap_or_else(|_| Err(gettext("Starting it failed.")))
        })
    }

    pub fn set_recorder(&self, recorder: Recorder) {
        self.imp().paused.set(false);
        self.imp().recorder.replace(Some(recorder));
    }

    pub fn set_podcast(&self, podcast: Podcast) {
        self.imp().podcast.replace(Some(podcast));
    }

    pub fn add_stream(&self, stream: Stream) {
        self.imp().streams.borrow_mut().push(stream);
    }

    pub fn set_swarm(&self, live: plateau::cli::swarm::Live) {
        self.imp().swarm.replace(Some(live));
    }

    /// Passes a chat message on to the swarm's audience (when on the swarm).
    pub fn publish_chat(&self, message: &plateau::p2p::ChatMessage) {
        if let Some(live) = self.imp().swarm.borrow().as_ref() {
            live.publish_chat(message);
        }
    }

    /// Pauses or resumes the recording; whether it is paused now.
    pub fn toggle_pause(&self) -> bool {
        let imp = self.imp();
        let recorder = imp.recorder.borrow();
        let Some(r) = recorder.as_ref() else { return false };
        let paused = !imp.paused.get();
        match paused {
            true => r.pause(),
            false => r.resume(),
        }
        imp.paused.set(paused);
        paused
    }

    /// Marks a chapter titled by its number in the podcast: the number
    /// and when it starts, none without a podcast.
    pub fn add_chapter(&self, title: impl Fn(usize) -> String) -> Option<(usize, gst::ClockTime)> {
        let mut podcast = self.imp().podcast.borrow_mut();
        let p = podcast.as_mut()?;
        let n = p.chapter_count() + 1;
        Some((n, p.add_chapter(&title(n))))
    }

    /// Forgets an output that failed by itself (its pipeline has stopped
    /// already): whether it was running.
    pub fn drop_failed(&self, output: &str) -> bool {
        let imp = self.imp();
        match output {
            plateau::engine::RECORDING => imp.recorder.take().is_some(),
            plateau::engine::PODCAST => imp.podcast.take().is_some(),
            _ => false,
        }
    }

    /// Ends the recording in the background; none when none runs. The
    /// recording stops counting as running at once, before the future runs.
    pub fn stop_recording(&self) -> impl std::future::Future<Output = Option<Ended>> + 'static {
        let recorder = self.imp().recorder.take();
        let task = recorder.as_ref().map(|_| {
            self.imp().paused.set(false);
            self.begin(gettext("Finishing the recording…"))
        });
        let show = self.clone();
        async move {
            let (recorder, task) = (recorder?, task?);
            let ended = gio::spawn_blocking(move || recorder.stop().map_err(|e| e.to_string())).await;
            show.end(task);
            Some(ended.unwrap_or_else(|_| Err(gettext("Finishing the recording failed."))))
        }
    }

    /// The podcast's file (or folder), while one is recorded.
    pub fn podcast_path(&self) -> Option<PathBuf> {
        self.imp().podcast.borrow().as_ref().map(|p| p.path().to_owned())
    }

    /// The swarm's newest audience figures, while the show is on it.
    pub fn swarm_report(&self) -> Option<plateau::p2p::SwarmReport> {
        self.imp().swarm.borrow().as_ref()?.latest_report()
    }

    /// Leaves the swarm in the background (the servers stay live).
    pub async fn stop_swarm(&self) {
        let Some(live) = self.imp().swarm.take() else { return };
        let task = self.begin(gettext("Leaving the swarm…"));
        let _ = gio::spawn_blocking(move || {
            if let Err(e) = live.stop(None) {
                tracing::warn!(error = %e, "leaving the swarm");
            }
        })
        .await;
        self.end(task);
    }

    /// The file being recorded, while a recording runs.
    pub fn recording_path(&self) -> Option<PathBuf> {
        self.imp().recorder.borrow().as_ref().map(|r| r.path().to_owned())
    }

    /// Ends the podcast in the background: its mix is measured and
    /// rewritten (normalised) however long that takes, and the window
    /// shows how far it has gone.
    pub async fn stop_podcast(&self) -> Option<Ended> {
        let podcast = self.imp().podcast.take()?;
        let task = self.begin(gettext("Finishing the podcast…"));
        let (tx, rx) = async_channel::unbounded();
        let ended = gio::spawn_blocking(move || {
            podcast
                .stop_with_progress(|f| {
                    let _ = tx.try_send(f);
                })
                .map_err(|e| e.to_string())
        });
        let this = self.downgrade();
        glib::spawn_future_local(async move {
            while let Ok(step) = rx.recv().await {
                let Some(show) = this.upgrade() else { return };
                let text = match step {
                    Finishing::Measuring(f) => {
                        format!("{} {:.0} %", gettext("Measuring the podcast’s loudness…"), f * 100.0)
                    }
                    Finishing::Rewriting(f) => {
                        format!("{} {:.0} %", gettext("Writing the finished podcast…"), f * 100.0)
                    }
                };
                show.relabel(task, text);
            }
        });
        let ended = ended.await;
        self.end(task);
        Some(ended.unwrap_or_else(|_| Err(gettext("Finishing the podcast failed."))))
    }

    /// Ends every live stream and leaves the swarm, all at once, in the
    /// background; a server that no longer answers delays nobody else.
    pub async fn stop_streams(&self) {
        let (streams, swarm) = (self.imp().streams.take(), self.imp().swarm.take());
        if streams.is_empty() && swarm.is_none() {
            return;
        }
        let task = self.begin(gettext("Ending the live streams…"));
        let mut stops: Vec<_> = streams.into_iter().map(|s| gio::spawn_blocking(move || s.stop())).collect();
        if let Some(live) = swarm {
            stops.push(gio::spawn_blocking(move || {
                if let Err(e) = live.stop(None) {
                    tracing::warn!(error = %e, "leaving the swarm");
                }
            }));
        }
        for stop in stops {
            let _ = stop.await;
        }
        self.end(task);
    }

    /// Ends everything that runs, all at once.
    pub async fn stop_all(&self) -> Vec<Ended> {
        let (recording, podcast, streams) = (self.stop_recording(), self.stop_podcast(), self.stop_streams());
        let ((recording, podcast), ()) =
            futures_util::future::join(futures_util::future::join(recording, podcast), streams).await;
        recording.into_iter().chain(podcast).collect()
    }

    fn begin(&self, text: String) -> u64 {
        let imp = self.imp();
        let id = imp.next_task.get() + 1;
        imp.next_task.set(id);
        imp.tasks.borrow_mut().push((id, text));
        self.update_finishing();
        id
    }

    fn relabel(&self, id: u64, text: String) {
        if let Some(task) = self.imp().tasks.borrow_mut().iter_mut().find(|(t, _)| *t == id) {
            task.1 = text;
        }
        self.update_finishing();
    }

    fn end(&self, id: u64) {
        self.imp().tasks.borrow_mut().retain(|(t, _)| *t != id);
        self.update_finishing();
    }

    fn update_finishing(&self) {
        let text: Vec<String> = self.imp().tasks.borrow().iter().map(|(_, t)| t.clone()).collect();
        self.imp().finishing.replace(text.join(" · "));
        self.notify_finishing();
    }
}
