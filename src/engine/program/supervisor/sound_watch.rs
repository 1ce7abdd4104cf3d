//! Notices when the program's sound stops flowing while the program
//! plays, and says in the log what its mixer and inputs are waiting for.
//! The mixer runs by the clock whatever its inputs do, so a silence of
//! its output is never a quiet scene: it is a stall, and a recording made
//! meanwhile has no sound.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use gst::prelude::*;

use super::Supervisor;
use crate::engine::diagnose;

/// How long the mix may hand out nothing before it counts as stalled
/// (fifty of its buffers).
const STALL: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub(super) struct SoundWatch {
    count: u64,
    since: Instant,
    stalled: bool,
}

impl Default for SoundWatch {
    fn default() -> Self {
        Self { count: 0, since: Instant::now(), stalled: false }
    }
}

impl Supervisor {
    /// Checks, twice a second, that the program's sound moved on.
    pub(super) fn watch_sound(&mut self) {
        let count = self.program.sound_buffers.load(Ordering::Relaxed);
        let watch = &mut self.sound_watch;
        if count != watch.count {
            if watch.stalled {
                tracing::warn!(
                    stalled_ms = watch.since.elapsed().as_millis() as u64,
                    "the program's sound flows again"
                );
            }
            *watch = SoundWatch { count, since: Instant::now(), stalled: false };
            return;
        }
        let pipeline = self.program.pipeline.upcast_ref::<gst::Element>();
        if watch.stalled || watch.since.elapsed() < STALL || pipeline.current_state() != gst::State::Playing {
            return;
        }
        watch.stalled = true;
        let channels: Vec<String> = self
            .channels
            .iter()
            .map(|(id, (channel, _))| {
                format!("{id} pushed {} dropped {}", channel.consumer.pushed(), channel.consumer.dropped())
            })
            .collect();
        tracing::warn!(
            buffers = count,
            pipeline = %diagnose::describe(pipeline),
            timing = %diagnose::describe_timing(pipeline),
            channels = %channels.join("; "),
            "the program's sound stopped"
        );
    }
}
