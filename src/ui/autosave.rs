//! Saving without waiting: a file (the settings, the collection) is written
//! half a second after the last change, on a worker thread, so that typing
//! into a field costs the window nothing. Writes of one file never overlap
//! and never go back in time: each carries a generation, and a write older
//! than the one on disk is skipped.

use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const QUIET: Duration = Duration::from_millis(500);

/// A write to make: runs on a worker thread.
pub type Job = Box<dyn FnOnce() -> Result<(), String> + Send>;

/// Gives the write of the state as it is now (none: nothing to save).
pub type Snapshot = Rc<dyn Fn() -> Option<Job>>;

/// Told why a write failed.
pub type Failed = Rc<dyn Fn(String)>;

#[derive(Default)]
pub struct Autosave {
    pending: Rc<Cell<bool>>,
    generation: Rc<Cell<u64>>,
    /// The generation on disk; held while a write runs.
    written: Arc<Mutex<u64>>,
}

impl Autosave {
    /// Saves what `snapshot` gives, half a second after the last call.
    pub fn schedule(&self, snapshot: Snapshot, failed: Failed) {
        if self.pending.replace(true) {
            return;
        }
        let (pending, job) = (self.pending.clone(), self.job_maker());
        glib::timeout_add_local_once(QUIET, move || {
            pending.set(false);
            let Some(write) = job(&snapshot) else { return };
            glib::spawn_future_local(async move {
                match gio::spawn_blocking(write).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => failed(e),
                    Err(_) => failed("the write failed".into()),
                }
            });
        });
    }

    /// Saves now, on this thread (when the window closes); a background
    /// write still running finishes first, and an older one is not redone.
    pub fn flush(&self, snapshot: &Snapshot) -> Result<(), String> {
        self.pending.set(false);
        match self.job_maker()(snapshot) {
            Some(write) => write(),
            None => Ok(()),
        }
    }

    /// Wraps the snapshot's write so that writes run one at a time, newest wins.
    fn job_maker(&self) -> impl Fn(&Snapshot) -> Option<Job> {
        let (generation, written) = (self.generation.clone(), self.written.clone());
        move |snapshot| {
            let write = snapshot()?;
            let mine = generation.get() + 1;
            generation.set(mine);
            let written = written.clone();
            Some(Box::new(move || {
                let mut on_disk = written.lock().unwrap_or_else(|e| e.into_inner());
                if *on_disk > mine {
                    return Ok(());
                }
                *on_disk = mine;
                write()
            }))
        }
    }
}
