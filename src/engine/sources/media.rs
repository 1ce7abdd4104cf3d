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
//!
//! A looping file plays in segments: its first start waits until it has
//! prerolled, and every seek asks for a segment, so that its end posts
//! SEGMENT_DONE rather than EOS; the next pass is then asked for without
//! flushing and follows the last picture of the one before with no gap
//! (restarting on EOS repeated the last picture for two frames).

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
/// program frame after `margin`; a `looping` file in segments.
pub(crate) fn play_from(
    pipeline: &gst::Pipeline,
    formats: &Formats,
    place: Duration,
    margin: gst::ClockTime,
    looping: bool,
) -> Result<(), EngineError> {
    pipeline.set_base_time(formats.on_frame_grid(now() + margin));
    match looping {
        // A file that cannot play in segments ends with EOS and is
        // started over from there, a frame or two later.
        true => segment_seek(pipeline, gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE, place, formats)
            .or_else(|_| seek(pipeline, place, false))?,
        false => seek(pipeline, place, false)?,
    }
    set_state(pipeline, gst::State::Playing)
}

/// A looping pass from `place` to the end of the file's last whole
/// program frame: each pass then lasts whole frames and the next starts
/// on the program's frame grid, as the first did (a file's length is
/// rarely whole frames: its sound often runs a few ms past its last
/// picture, and passes of that length slid the pictures against the
/// sound by up to a frame).
fn segment_seek(
    pipeline: &gst::Pipeline,
    flags: gst::SeekFlags,
    place: Duration,
    formats: &Formats,
) -> Result<(), EngineError> {
    let at = gst::ClockTime::from_nseconds(place.as_nanos().min(u64::MAX as u128) as u64);
    let stop = pipeline.query_duration::<gst::ClockTime>().and_then(|d| whole_frames(d, formats.canvas.fps));
    let stop_type = if stop.is_some() { gst::SeekType::Set } else { gst::SeekType::None };
    pipeline
        .seek(1.0, flags | gst::SeekFlags::SEGMENT, gst::SeekType::Set, Some(at), stop_type, stop)
        .map_err(|e| {
            EngineError::Invalid(format!("could not play the file from {:.1} s: {e}", place.as_secs_f64()))
        })
}

/// `length` cut to whole frames at `fps`; none when that is no frame at all
/// (a sound shorter than a frame then plays whole: a pass of length zero
/// ended at once, and the file was asked for tens of thousands of passes a
/// second).
fn whole_frames(length: gst::ClockTime, fps: u32) -> Option<gst::ClockTime> {
    let (second, fps) = (u128::from(gst::ClockTime::SECOND.nseconds()), u128::from(fps.max(1)));
    let frames = u128::from(length.nseconds()) * fps / second;
    let cut = u64::try_from(frames * second / fps).ok()?;
    (frames > 0).then(|| gst::ClockTime::from_nseconds(cut))
}

/// Asks a looping file for its next pass, from its start, without
/// flushing: it follows the pass that just ended (on SEGMENT_DONE).
pub(crate) fn next_pass(pipeline: &gst::Pipeline, formats: &Formats) -> Result<(), EngineError> {
    segment_seek(pipeline, gst::SeekFlags::empty(), Duration::ZERO, formats)
}

/// Starts each pass of a looping file, on `pad`, where the pass before
/// stopped: its running time goes on from the end of that pass's segment.
/// (qtdemux starts it at the last sample it pushed instead, a few ms
/// before the end, and not the same few ms for sound and picture: the
/// sound slid 16 ms ahead of its picture at every pass.)
pub(crate) fn follow_passes(pad: &gst::Pad) {
    let last = std::sync::Mutex::new(None::<gst::FormattedSegment<gst::ClockTime>>);
    pad.add_probe(gst::PadProbeType::EVENT_DOWNSTREAM, move |_, info| {
        let Some(gst::PadProbeData::Event(event)) = &info.data else { return gst::PadProbeReturn::Ok };
        let gst::EventView::Segment(view) = event.view() else { return gst::PadProbeReturn::Ok };
        let Some(segment) = view.segment().downcast_ref::<gst::ClockTime>() else {
            return gst::PadProbeReturn::Ok;
        };
        let mut segment = segment.clone();
        let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
        // A pass asked for without flushing follows the one before.
        let follows = segment.flags().contains(gst::SegmentFlags::SEGMENT)
            && !segment.flags().contains(gst::SegmentFlags::RESET);
        let end =
            last.as_ref().and_then(|before| before.stop().and_then(|stop| before.to_running_time(stop)));
        if let (true, Some(end)) = (follows, end) {
            segment.set_base(end);
            let seqnum = event.seqnum();
            info.data =
                Some(gst::PadProbeData::Event(gst::event::Segment::builder(&segment).seqnum(seqnum).build()));
        }
        *last = Some(segment);
        gst::PadProbeReturn::Ok
    });
}

/// Holds the file where it is (its last picture stays on the program).
fn pause(pipeline: &gst::Pipeline) -> Result<(), EngineError> {
    set_state(pipeline, gst::State::Paused)
}

/// Moves the file to `place` (paused, it stays paused there); a
/// `looping` file's end will post SEGMENT_DONE.
fn seek(pipeline: &gst::Pipeline, place: Duration, looping: bool) -> Result<(), EngineError> {
    let at = gst::ClockTime::from_nseconds(place.as_nanos().min(u64::MAX as u128) as u64);
    let mut flags = gst::SeekFlags::FLUSH | gst::SeekFlags::ACCURATE;
    if looping {
        flags |= gst::SeekFlags::SEGMENT;
    }
    pipeline.seek_simple(flags, at).map_err(|e| {
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
    /// A looping file launched paused, waiting to preroll before its
    /// first (segment) start.
    pub prerolling: bool,
}

impl Control {
    /// Does `action` to the file `pipeline` plays (`looping`: in segments).
    pub fn act(
        &mut self,
        pipeline: &gst::Pipeline,
        formats: &Formats,
        action: MediaAction,
        looping: bool,
    ) -> Result<(), EngineError> {
        use MediaAction::*;
        use MediaState::*;
        let (state, held) = match (action, self.state) {
            (Play, Playing) => return Ok(()),
            (Play, Paused) => {
                play_from(pipeline, formats, self.held, START_MARGIN, looping)?;
                (Playing, Duration::ZERO)
            }
            (Play | Restart, _) => {
                play_from(pipeline, formats, Duration::ZERO, START_MARGIN, looping)?;
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
                seek(pipeline, Duration::ZERO, looping)?;
                (Stopped, Duration::ZERO)
            }
            (Seek(place), Playing) => {
                play_from(pipeline, formats, place, START_MARGIN, looping)?;
                (Playing, Duration::ZERO)
            }
            (Seek(place), state) => {
                pause(pipeline)?;
                seek(pipeline, place, looping)?;
                (if state == Stopped { Stopped } else { Paused }, place)
            }
        };
        (self.state, self.held) = (state, held);
        // What the user asked for decides now, not the first start.
        self.prerolling = false;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pass_lasts_whole_frames_and_never_none() {
        let ms = gst::ClockTime::from_mseconds;
        assert_eq!(whole_frames(ms(10_021), 30), Some(ms(10_000)));
        assert_eq!(whole_frames(ms(10_000), 25), Some(ms(10_000)));
        assert_eq!(whole_frames(ms(40), 30), Some(gst::ClockTime::from_nseconds(33_333_333)));
        assert_eq!(whole_frames(ms(20), 30), None, "a sound shorter than a frame plays whole");
        assert_eq!(whole_frames(ms(20), 0), None);
        assert!(whole_frames(gst::ClockTime::from_nseconds(u64::MAX - 1), 60).is_some());
    }
}
