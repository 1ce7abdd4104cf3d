//! The supervisor's side of the playout: it carries out what the
//! playout's clock ([`Playout`](crate::engine::program::playout::Playout))
//! says — loads the next scene ahead, sets up exact cuts, restarts the
//! media of an entry that runs until they end — and tells where it stands.

use std::time::{Duration, Instant};

use super::{Pending, Supervisor};
use crate::engine::command::{PlayoutAction, Reply};
use crate::engine::error::EngineError;
use crate::engine::events::Event;
use crate::engine::program::playout::Step;
use crate::engine::MediaAction;
use crate::model::{EditError, Rundown, SourceId, SourceKind, Transition};

impl Supervisor {
    pub(super) fn set_rundown(&mut self, rundown: Rundown) -> Result<Reply, EngineError> {
        self.collection.set_rundown(rundown.clone())?;
        self.playout.set_rundown(rundown);
        Ok(Reply::Done)
    }

    pub(super) fn playout_action(&mut self, action: PlayoutAction) -> Result<Reply, EngineError> {
        let now = self.program.running_time();
        let step = match action {
            PlayoutAction::Start { from } => {
                self.playout.set_rundown(self.collection.rundown.clone());
                self.playout.start(from, now).map_err(|why| EngineError::Edit(EditError::Invalid(why)))?
            }
            PlayoutAction::Pause => {
                self.playout.pause(now);
                Step::Nothing
            }
            PlayoutAction::Resume => {
                self.playout.resume(now);
                Step::Nothing
            }
            PlayoutAction::Skip => self.playout.skip(now),
            PlayoutAction::Stop => {
                self.playout.stop();
                Step::Nothing
            }
        };
        self.carry_out(step)?;
        self.tell_playout();
        Ok(Reply::Done)
    }

    /// Each turn of the supervisor's loop.
    pub(super) fn step_playout(&mut self) {
        if !self.playout.is_running() {
            return;
        }
        let step = self.playout.step(self.program.running_time(), time_of_day());
        let tell = !matches!(step, Step::Nothing | Step::Preload(_));
        if let Err(e) = self.carry_out(step) {
            tracing::warn!(%e, "the playout could not go on");
            self.playout.stop();
        }
        if tell {
            self.tell_playout();
        }
    }

    /// A source's media played to its end: the entry on air may end.
    pub(super) fn media_ended(&mut self, source: &SourceId) {
        let on_air = self.slots[self.active].scene.as_deref().and_then(|s| self.collection.scene(s));
        if on_air.is_some_and(|scene| scene.items.iter().any(|i| &i.source == source)) {
            self.playout.media_ended();
        }
    }

    fn carry_out(&mut self, step: Step) -> Result<(), EngineError> {
        match step {
            Step::Nothing | Step::Ended => Ok(()),
            Step::Preload(scene) => {
                let idle = 1 - self.active;
                let loaded =
                    [self.active, idle].iter().any(|s| self.slots[*s].scene.as_deref() == Some(&scene));
                if !loaded && self.pending.is_none() && self.running.is_none() {
                    self.load_idle_slot(&scene)?;
                }
                Ok(())
            }
            Step::CutAt { scene, at, restart_media, .. } => {
                if self.collection.scene(&scene).is_none() {
                    return Err(EditError::NoSuchScene(scene).into());
                }
                if restart_media {
                    self.restart_media_of(&scene);
                }
                if self.slots[self.active].scene.as_deref() == Some(scene.as_str()) && self.running.is_none()
                {
                    // The same scene again: it stays on air.
                    return Ok(());
                }
                self.complete_transition();
                let slot = 1 - self.active;
                if self.slots[slot].scene.as_deref() != Some(scene.as_str()) {
                    self.load_idle_slot(&scene)?;
                }
                let deadline = Instant::now() + Duration::from_secs(1);
                self.pending =
                    Some(Pending { scene, transition: Transition::CUT, slot, deadline, at: Some(at) });
                Ok(())
            }
        }
    }

    /// Plays the media files of `scene` from their start.
    fn restart_media_of(&mut self, scene: &str) {
        let Some(scene) = self.collection.scene(scene) else { return };
        let media: Vec<SourceId> = scene
            .items
            .iter()
            .filter(|i| {
                matches!(self.collection.source(&i.source).map(|s| &s.kind), Some(SourceKind::Media { .. }))
            })
            .map(|i| i.source.clone())
            .collect();
        for id in media {
            if let Some(runner) = self.runners.get_mut(&id) {
                if let Err(e) = runner.control_media(MediaAction::Restart, &self.formats) {
                    tracing::warn!(source = %id, %e, "the playout could not restart a media file");
                }
            }
        }
    }

    fn tell_playout(&self) {
        let now = self.program.running_time();
        let status = self.playout.status(now, |t| self.program.clock_time_of(t).nseconds());
        self.emit(Event::Playout(status));
    }
}

/// Seconds since midnight on the computer's clock.
fn time_of_day() -> u32 {
    glib::DateTime::now_local()
        .map(|now| (now.hour() * 3600 + now.minute() * 60 + now.second()) as u32)
        .unwrap_or(0)
}
