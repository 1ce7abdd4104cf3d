//! A media file's playback, on its own pipeline: play from a place on
//! the program's frame grid, pause, and where it is.
//!
//! A file's pipeline has no start time (the application keeps its base
//! time), so that each start — the first, a loop, a resume, a seek —
//! puts the file's first picture on a program frame:
//!
//! ```text
//!  seek(FLUSH, place)   running time starts again at 0 at `place`
//!  base time = first program frame at or after now + margin
//!  ──────────────┬──────┬─────────────▶ clock
//!               now    base: `place` shows here
//! ```

use std::time::Duration;

use gst::prelude::*;

use crate::engine::command::{MediaAction, MediaState, MediaStatus};
use crate::engine::error::EngineError;
use crate::engine::sources::producer::Formats;

/// Time for a media file to be opened and decoded before its first
/// picture is due.
pub(crate) const START_MARGIN: gst::ClockTime = gst::ClockTime::from_mseconds(150);
/// Time to start over from a place in a file already open (a loop, a
/// resume, a seek).
pub(crate) const RESTART_MARGIN: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// Now, on the clock every pipeline runs on.
pub(crate) fn now() -> gst::ClockTime {
    gst::SystemClock::obtain().time()
}

/// Plays the file from `place`, its picture there shown on the first
/// program frame after `margin`.
pub(crate) fn play_from(
    pipeline: &gst::Pipeline,
    formats: &Formats,
    place: Duration,
    margin: gst::ClockTime,
) -> Result<(), EngineError> {
    pipeline.set_base_time(formats.on_frame_grid(now() + margin));
    seek(pipeline, place)?;
    set_state(pipeline, gst::State::Playing)
}

/// Holds the file where it is (its last picture stays on the program).
fn pause(pipeline: &gst::Pipeline) -> Result<(), EngineError> {
    set_state(pipeline, gst::State::Paused)
}

/// Moves the file to `place` (paused, it stays paused there).
fn seek(pipeline: &gst::Pipeline, place: Duration) -> Result<(), EngineError> {
    let at = gst::ClockTime::from_nseconds(place.as_nanos().min(u64::MAX as u128) as u64);
    pipeline.seek_simple(gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, at).map_err(|e| {
        EngineError::Invalid(format!("could not move the file to {:.1} s: {e}", place.as_secs_f64()))
    })
}

/// A file's state, and the place it is held at while paused or stopped
/// (a paused pipeline's position answer follows what its decoders read
/// ahead, not the picture shown).
#[derive(Debug, Default)]
pub(crate) struct Control {
    pub state: MediaState,
    held: Duration,
}

impl Control {
    /// Does `action` to the file `pipeline` plays.
    pub fn act(
        &mut self,
        pipeline: &gst::Pipeline,
        formats: &Formats,
        action: MediaAction,
    ) -> Result<(), EngineError> {
        use MediaAction::*;
        use MediaState::*;
        let (state, held) = match (action, self.state) {
            (Play, Playing) => return Ok(()),
            (Play, Paused) => {
                play_from(pipeline, formats, self.held, START_MARGIN)?;
                (Playing, Duration::ZERO)
            }
            (Play | Restart, _) => {
                play_from(pipeline, formats, Duration::ZERO, START_MARGIN)?;
                (Playing, Duration::ZERO)
            }
            (Pause, Playing) => {
                let here = self.status(pipeline).position.unwrap_or_default();
                pause(pipeline)?;
                (Paused, here)
            }
            (Pause, _) => return Ok(()),
            (Stop, _) => {
                pause(pipeline)?;
                seek(pipeline, Duration::ZERO)?;
                (Stopped, Duration::ZERO)
            }
            (Seek(place), Playing) => {
                play_from(pipeline, formats, place, START_MARGIN)?;
                (Playing, Duration::ZERO)
            }
            (Seek(place), state) => {
                pause(pipeline)?;
                seek(pipeline, place)?;
                (if state == Stopped { Stopped } else { Paused }, place)
            }
        };
        (self.state, self.held) = (state, held);
        Ok(())
    }

    /// Where the file is now and how long it is, as far as it knows.
    pub fn status(&self, pipeline: &gst::Pipeline) -> MediaStatus {
        let as_duration = |t: gst::ClockTime| Duration::from_nanos(t.nseconds());
        let duration = pipeline.query_duration::<gst::ClockTime>().map(as_duration);
        let position = match self.state {
            MediaState::Ended => duration,
            MediaState::Paused | MediaState::Stopped => Some(self.held),
            _ => pipeline.query_position::<gst::ClockTime>().map(as_duration),
        };
        let position = position.map(|p| duration.map_or(p, |d| p.min(d)));
        MediaStatus { state: self.state, position, duration }
    }
}

fn set_state(pipeline: &gst::Pipeline, state: gst::State) -> Result<(), EngineError> {
    pipeline.set_state(state).map(drop).map_err(|e| EngineError::Start {
        what: format!("the file's pipeline ({state:?})"),
        message: e.to_string(),
    })
}
