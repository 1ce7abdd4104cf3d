//! Work that may take its time (a finished podcast measured and copied
//! once more) runs at a lower CPU priority than the live show: while it
//! reads and encodes as fast as it can, the program, the streams and the
//! window still get the processor whenever they want it.
//!
//! A thread's priority (its nice value) can be lowered but not raised back
//! by an ordinary user, so only threads that serve the background work and
//! end with it are lowered: the caller's work runs in a thread of its own,
//! and each GStreamer streaming thread of its pipelines comes from a pool
//! that starts a thread for the task and lets it end with it (GStreamer's
//! shared pool would hand a lowered thread to the live show later).

use gst::prelude::*;
use gst::subclass::prelude::*;

/// How much lower than the live show: the nice value of background threads.
const NICE: i32 = 10;

/// Runs `work` on a thread of its own at background priority, and returns
/// what it returns.
pub(crate) fn run<T: Send>(work: impl FnOnce() -> T + Send) -> T {
    let work = std::sync::Mutex::new(Some(work));
    let take = || work.lock().unwrap_or_else(|e| e.into_inner()).take();
    let ran = std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("plateau-background".into());
        let handle = thread.spawn_scoped(scope, || {
            lower_this_thread();
            take().map(|work| work())
        });
        match handle.map(|h| h.join()) {
            Ok(Ok(done)) => done,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => {
                tracing::warn!(%e, "no thread for background work: done at the caller's priority");
                None
            }
        }
    });
    match ran {
        Some(done) => done,
        None => take().map(|work| work()).expect("the work ran on one thread or the other"),
    }
}

/// Every streaming thread `pipeline` starts runs at background priority
/// and ends with its task. Set before the pipeline starts.
pub(crate) fn streaming_threads_of(pipeline: &gst::Pipeline) {
    let Some(bus) = pipeline.bus() else { return };
    let pool = BackgroundPool::default();
    bus.set_sync_handler(move |_, message| {
        if let gst::MessageView::StreamStatus(status) = message.view() {
            let (kind, _) = status.get();
            let task = status.stream_status_object().and_then(|v| v.get::<gst::Task>().ok());
            if let (gst::StreamStatusType::Create, Some(task)) = (kind, task) {
                task.set_pool(&pool);
            }
        }
        gst::BusSyncReply::Pass
    });
}

fn lower_this_thread() {
    // SAFETY: setpriority on the calling thread's own id, with no pointer.
    let done = unsafe { libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, NICE) };
    if done != 0 {
        tracing::debug!(error = %std::io::Error::last_os_error(), "background priority not set");
    }
}

glib::wrapper! {
    /// A GStreamer task pool that gives each task a new thread at
    /// background priority, which ends with the task.
    pub struct BackgroundPool(ObjectSubclass<imp::BackgroundPool>) @extends gst::TaskPool, gst::Object;
}

impl Default for BackgroundPool {
    fn default() -> Self {
        glib::Object::new()
    }
}

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct BackgroundPool;

    #[glib::object_subclass]
    impl ObjectSubclass for BackgroundPool {
        const NAME: &'static str = "PlateauBackgroundPool";
        type Type = super::BackgroundPool;
        type ParentType = gst::TaskPool;
    }

    impl ObjectImpl for BackgroundPool {}
    impl GstObjectImpl for BackgroundPool {}

    impl TaskPoolImpl for BackgroundPool {
        type Handle = Joinable;

        fn push(&self, func: gst::subclass::TaskPoolFunction) -> Result<Option<Joinable>, glib::Error> {
            let thread = std::thread::Builder::new().name("plateau-bg-stream".into()).spawn(move || {
                lower_this_thread();
                func.call();
            });
            match thread {
                Ok(handle) => Ok(Some(Joinable(handle))),
                Err(e) => Err(glib::Error::new(gst::CoreError::Failed, &format!("no thread: {e}"))),
            }
        }
    }

    /// A task's thread, joined when GStreamer stops the task.
    pub struct Joinable(std::thread::JoinHandle<()>);

    impl gst::TaskHandle for Joinable {
        fn join(self) {
            let _ = self.0.join();
        }
    }
}
