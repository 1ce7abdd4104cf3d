//! Edits gathered by the window and sent to the engine as one batch: the
//! window never waits for them. The engine applies them in order and
//! answers with the collection as it is after them.

use plateau::engine::{Command, Studio};
use plateau::model::{ItemId, Scene, SceneItem, Source, SourceId, Transition};

#[derive(Default)]
pub struct Edits(Vec<Command>);

impl Edits {
    /// The batch as one command; none when empty.
    pub fn into_command(self) -> Option<Command> {
        let mut commands = self.0;
        match commands.len() {
            0 => None,
            1 => commands.pop(),
            _ => Some(Command::Batch(commands)),
        }
    }

    pub fn switch_scene(&mut self, scene: &str, transition: Transition) {
        self.0.push(Command::SwitchScene { scene: scene.into(), transition });
    }

    pub fn preview_scene(&mut self, scene: &str) {
        self.0.push(Command::PreviewScene(scene.into()));
    }

    pub fn transition_to_preview(&mut self, transition: Transition) {
        self.0.push(Command::TransitionToPreview(transition));
    }

    pub fn add_scene(&mut self, scene: Scene) {
        self.0.push(Command::AddScene(scene));
    }

    pub fn set_rundown(&mut self, rundown: plateau::model::Rundown) {
        self.0.push(Command::SetRundown(rundown));
    }

    pub fn playout(&mut self, action: plateau::engine::PlayoutAction) {
        self.0.push(Command::Playout(action));
    }

    pub fn rename_scene(&mut self, from: &str, to: &str) {
        self.0.push(Command::RenameScene { from: from.into(), to: to.into() });
    }

    pub fn move_scene(&mut self, scene: &str, index: usize) {
        self.0.push(Command::MoveScene { scene: scene.into(), index });
    }

    pub fn remove_scene(&mut self, scene: &str) {
        self.0.push(Command::RemoveScene(scene.into()));
    }

    pub fn add_item(&mut self, scene: &str, item: SceneItem) {
        self.0.push(Command::AddItem { scene: scene.into(), item });
    }

    pub fn update_item(&mut self, scene: &str, item: SceneItem) {
        self.0.push(Command::UpdateItem { scene: scene.into(), item });
    }

    pub fn remove_item(&mut self, scene: &str, item: ItemId) {
        self.0.push(Command::RemoveItem { scene: scene.into(), item });
    }

    pub fn move_item(&mut self, scene: &str, item: ItemId, index: usize) {
        self.0.push(Command::MoveItem { scene: scene.into(), item, index });
    }

    /// A source and its item, both or neither (the reply is the item's id).
    pub fn add_source_with_item(&mut self, source: Source, scene: &str, item: SceneItem) {
        self.0.push(Command::AddSourceWithItem { source, scene: scene.into(), item });
    }

    pub fn update_source(&mut self, source: Source) {
        self.0.push(Command::UpdateSource(source));
    }

    pub fn media(&mut self, source: &SourceId, action: plateau::engine::MediaAction) {
        self.0.push(Command::Media { source: source.clone(), action });
    }

    pub fn set_volume(&mut self, source: &SourceId, volume: f64, muted: bool) {
        self.0.push(Command::SetVolume { source: source.clone(), volume: Some(volume), muted: Some(muted) });
    }
}

/// Sends `edits` to `studio`; the future gives the engine's answer.
pub fn send(
    studio: &Studio,
    edits: Edits,
) -> Option<impl std::future::Future<Output = Result<plateau::engine::Answer, plateau::engine::EngineError>>>
{
    edits.into_command().map(|c| studio.request(c))
}
