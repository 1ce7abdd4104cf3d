//! The playout's clock: which rundown entry is on air, when the next one
//! is due, and what the supervisor must do about it (load the next scene
//! ahead, cut to it at its exact running time). Plain logic, no pipeline:
//! the supervisor carries its steps out.
//!
//! ```text
//!  entry i on air at t_i ──(t_i + length − PRELOAD)──► Preload(next scene into the idle slot)
//!                       ──(t_i + length − AHEAD)────► CutAt(next, t_i + length)   (a timed cut)
//!  "until media ends": the media's end ─────────────► CutAt(next, now)
//!  an entry "at 20:00": the wall clock crosses 20:00 ► CutAt(that entry, now)
//! ```

use std::time::Duration;

use crate::engine::PlayoutStatus;
use crate::model::{CountdownTarget, Rundown};

/// How long before its time the next scene is loaded (its sources start).
const PRELOAD: gst::ClockTime = gst::ClockTime::from_mseconds(800);
/// How long before its time the cut is set up (more than the supervisor's
/// turn, so that it is never late).
const AHEAD: gst::ClockTime = gst::ClockTime::from_mseconds(40);

/// What the supervisor must do now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    Nothing,
    /// Load this scene into the idle slot: it goes on air soon.
    Preload(String),
    /// Put `scene` (entry `entry`) on air at running time `at`.
    CutAt {
        scene: String,
        entry: usize,
        at: gst::ClockTime,
        restart_media: bool,
    },
    /// The rundown is over (not looping): what is on air stays.
    Ended,
}

#[derive(Debug, Default)]
pub(crate) struct Playout {
    rundown: Rundown,
    running: bool,
    entry: usize,
    /// When the entry went on air (running time).
    started: gst::ClockTime,
    paused_at: Option<gst::ClockTime>,
    preloaded: bool,
    media_ended: bool,
    /// Seconds of the day at the last look, for entries due at a time.
    last_time_of_day: Option<u32>,
}

impl Playout {
    pub fn set_rundown(&mut self, rundown: Rundown) {
        if rundown.entries.is_empty() || self.entry >= rundown.entries.len() {
            self.running = false;
        }
        self.rundown = rundown;
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Entry `from` on air now.
    pub fn start(&mut self, from: usize, now: gst::ClockTime) -> Result<Step, String> {
        if from >= self.rundown.entries.len() {
            return Err(format!(
                "the rundown has {} entries: there is no entry {}",
                self.rundown.entries.len(),
                from + 1
            ));
        }
        self.running = true;
        self.paused_at = None;
        Ok(self.go_to(from, now))
    }

    pub fn pause(&mut self, now: gst::ClockTime) {
        if self.running && self.paused_at.is_none() {
            self.paused_at = Some(now);
        }
    }

    pub fn resume(&mut self, now: gst::ClockTime) {
        if let Some(at) = self.paused_at.take() {
            self.started += now.saturating_sub(at);
        }
    }

    pub fn skip(&mut self, now: gst::ClockTime) -> Step {
        match self.running {
            true => self.next(now),
            false => Step::Nothing,
        }
    }

    pub fn stop(&mut self) {
        self.running = false;
        self.paused_at = None;
    }

    /// The media of the entry on air played to its end.
    pub fn media_ended(&mut self) {
        self.media_ended = true;
    }

    /// What to do at running time `now`, the computer's clock reading
    /// `time_of_day` (seconds since midnight).
    pub fn step(&mut self, now: gst::ClockTime, time_of_day: u32) -> Step {
        if !self.running {
            return Step::Nothing;
        }
        let crossed = self.last_time_of_day.replace(time_of_day);
        if let Some(before) = crossed {
            if let Some(due) = self.due_at_time_of_day(before, time_of_day) {
                return self.go_to(due, now);
            }
        }
        if self.paused_at.is_some() {
            return Step::Nothing;
        }
        let Some(entry) = self.rundown.entries.get(self.entry) else { return Step::Nothing };
        match entry.length.as_seconds() {
            None if self.media_ended => self.next(now),
            // Until its media ends: the next scene is loaded once this one
            // has settled on air, so that it follows the end at once.
            None if !self.preloaded && now >= self.started + PRELOAD => {
                self.preloaded = true;
                match self.following() {
                    Some(next) => Step::Preload(self.rundown.entries[next].scene.clone()),
                    None => Step::Nothing,
                }
            }
            None => Step::Nothing,
            Some(seconds) => {
                let end = self.started + gst::ClockTime::from_nseconds((seconds * 1e9) as u64);
                // The next entry's cut is set up a little ahead, for its
                // exact time; its start then moves past `now`.
                if now + AHEAD >= end {
                    self.next(end)
                } else if now + PRELOAD >= end && !self.preloaded {
                    self.preloaded = true;
                    match self.following() {
                        Some(next) => Step::Preload(self.rundown.entries[next].scene.clone()),
                        None => Step::Nothing,
                    }
                } else {
                    Step::Nothing
                }
            }
        }
    }

    /// The entry due at a time of day the clock went past between two looks.
    fn due_at_time_of_day(&self, before: u32, now: u32) -> Option<usize> {
        let passed = |t: u32| match before <= now {
            true => before < t && t <= now,
            // Midnight between the two looks.
            false => t > before || t <= now,
        };
        self.rundown.entries.iter().position(|e| {
            e.at.as_deref().and_then(|t| CountdownTarget::time_of_day(t).ok()).is_some_and(passed)
        })
    }

    /// The entry after the one on air, if the rundown goes on.
    fn following(&self) -> Option<usize> {
        let next = self.entry + 1;
        match (next < self.rundown.entries.len(), self.rundown.looping) {
            (true, _) => Some(next),
            (false, true) => Some(0),
            (false, false) => None,
        }
    }

    fn next(&mut self, at: gst::ClockTime) -> Step {
        match self.following() {
            Some(next) => self.go_to(next, at),
            None => {
                self.running = false;
                Step::Ended
            }
        }
    }

    fn go_to(&mut self, entry: usize, at: gst::ClockTime) -> Step {
        self.entry = entry;
        self.started = at;
        self.preloaded = false;
        self.media_ended = false;
        let e = &self.rundown.entries[entry];
        Step::CutAt { scene: e.scene.clone(), entry, at, restart_media: e.length.as_seconds().is_none() }
    }

    /// Where it stands; `clock_time_of` turns a running time into the
    /// system clock's time.
    pub fn status(
        &self,
        now: gst::ClockTime,
        clock_time_of: impl Fn(gst::ClockTime) -> u64,
    ) -> PlayoutStatus {
        let entry = self.rundown.entries.get(self.entry);
        PlayoutStatus {
            running: self.running,
            paused: self.paused_at.is_some(),
            entry: entry.map(|_| self.entry),
            since_clock_time: clock_time_of(self.started),
            length: entry.and_then(|e| e.length.as_seconds()).map(Duration::from_secs_f64),
            paused_after: self
                .paused_at
                .map(|p| Duration::from_nanos(p.min(now).saturating_sub(self.started).nseconds())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntryLength, RundownEntry};

    fn ms(n: u64) -> gst::ClockTime {
        gst::ClockTime::from_mseconds(n)
    }

    fn rundown(looping: bool) -> Rundown {
        let entry = |scene: &str, length| RundownEntry { scene: scene.into(), length, at: None };
        Rundown {
            entries: vec![
                entry("A", EntryLength::seconds(2.0)),
                entry("B", EntryLength::UNTIL_MEDIA_ENDS),
                entry("C", EntryLength::seconds(1.0)),
            ],
            looping,
        }
    }

    fn cut(scene: &str, entry: usize, at: gst::ClockTime, restart_media: bool) -> Step {
        Step::CutAt { scene: scene.into(), entry, at, restart_media }
    }

    #[test]
    fn entries_follow_at_their_exact_times_and_media_ends_move_on() {
        let mut p = Playout::default();
        p.set_rundown(rundown(false));
        assert_eq!(p.start(0, ms(1000)), Ok(cut("A", 0, ms(1000), false)));
        assert_eq!(p.step(ms(2000), 0), Step::Nothing);
        assert_eq!(p.step(ms(2300), 0), Step::Preload("B".into()));
        assert_eq!(p.step(ms(2400), 0), Step::Nothing);
        // Set up ahead, for the exact end of A.
        assert_eq!(p.step(ms(2970), 0), cut("B", 1, ms(3000), true));
        assert_eq!(p.step(ms(3900), 0), Step::Preload("C".into()), "C loaded once B settled");
        assert_eq!(p.step(ms(60_000), 0), Step::Nothing, "B waits for its media");
        p.media_ended();
        assert_eq!(p.step(ms(61_000), 0), cut("C", 2, ms(61_000), false));
        assert_eq!(p.step(ms(61_970), 0), Step::Ended);
        assert!(!p.is_running());
    }

    #[test]
    fn a_paused_entry_keeps_its_time_left_and_a_loop_starts_again() {
        let mut p = Playout::default();
        p.set_rundown(rundown(true));
        p.start(2, ms(0)).unwrap();
        p.pause(ms(500));
        assert_eq!(p.step(ms(5000), 0), Step::Nothing);
        p.resume(ms(5000));
        // 500 ms had passed: 500 ms are left.
        assert_eq!(p.step(ms(5400), 0), Step::Preload("A".into()));
        assert_eq!(p.step(ms(5470), 0), cut("A", 0, ms(5500), false));
        assert_eq!(p.skip(ms(6000)), cut("B", 1, ms(6000), true));
        assert!(p.start(7, ms(0)).is_err());
    }

    #[test]
    fn an_entry_due_at_a_time_of_day_goes_on_air_then() {
        let mut p = Playout::default();
        let mut r = rundown(false);
        r.entries[2].at = Some("20:00".into());
        p.set_rundown(r);
        p.start(0, ms(0)).unwrap();
        assert_eq!(p.step(ms(100), 72_000 - 2), Step::Nothing);
        assert_eq!(p.step(ms(200), 72_000 - 1), Step::Nothing);
        assert_eq!(p.step(ms(300), 72_000), cut("C", 2, ms(300), false));
        assert_eq!(p.step(ms(400), 72_001), Step::Nothing, "once");
    }
}
