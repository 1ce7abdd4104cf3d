//! Edits of a scene collection: what the studio may change and how it
//! checks it, on plain data. The engine applies an edit here first, then
//! brings its pipelines in line with the result; anything that fails here
//! leaves the collection as it was.

use super::{ItemId, Scene, SceneCollection, SceneItem, Source, SourceId};

/// Why an edit was refused; the collection is unchanged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EditError {
    #[error("no scene named `{0}` in this collection")]
    NoSuchScene(String),
    #[error("no source with id `{0}` in this collection")]
    NoSuchSource(SourceId),
    #[error("scene `{scene}` has no item {item}")]
    NoSuchItem { scene: String, item: u64 },
    #[error("{0}")]
    Invalid(String),
}

impl SceneCollection {
    /// Adds a scene at the end; its name must be new and its items' sources known.
    pub fn add_scene(&mut self, scene: Scene) -> Result<(), EditError> {
        if scene.name.trim().is_empty() || self.scene(&scene.name).is_some() {
            return Err(EditError::Invalid(format!(
                "a scene needs a new, non-empty name (`{}`)",
                scene.name
            )));
        }
        if let Some(item) = scene.items.iter().find(|i| self.source(&i.source).is_none()) {
            return Err(EditError::NoSuchSource(item.source.clone()));
        }
        self.scenes.push(scene);
        Ok(())
    }

    /// Renames a scene (the new name trimmed); returns the name it took.
    pub fn rename_scene(&mut self, from: &str, to: &str) -> Result<String, EditError> {
        let to = to.trim().to_owned();
        if to.is_empty() || (to != from && self.scene(&to).is_some()) {
            return Err(EditError::Invalid(format!("a scene needs a new, non-empty name (`{to}`)")));
        }
        self.existing_scene(from)?.name = to.clone();
        for entry in self.rundown.entries.iter_mut().filter(|e| e.scene == from) {
            entry.scene = to.clone();
        }
        Ok(to)
    }

    /// Replaces the playout's rundown, once checked against the scenes.
    pub fn set_rundown(&mut self, rundown: super::Rundown) -> Result<(), EditError> {
        rundown.check(|name| self.scene(name).is_some()).map_err(EditError::Invalid)?;
        self.rundown = rundown;
        Ok(())
    }

    /// Moves a scene to `index` in the list (0 = first; past the end = last).
    pub fn move_scene(&mut self, scene: &str, index: usize) -> Result<(), EditError> {
        let from = self.scene_index(scene)?;
        let moved = self.scenes.remove(from);
        let to = index.min(self.scenes.len());
        self.scenes.insert(to, moved);
        Ok(())
    }

    /// Removes a scene; returns it.
    pub fn remove_scene(&mut self, name: &str) -> Result<Scene, EditError> {
        let index = self.scene_index(name)?;
        // The rundown no longer plays it.
        self.rundown.entries.retain(|e| e.scene != name);
        Ok(self.scenes.remove(index))
    }

    /// Adds an item on top of `scene`; an id of 0 or one in use gets a
    /// fresh one. Returns the item's id.
    pub fn add_item(&mut self, scene: &str, mut item: SceneItem) -> Result<ItemId, EditError> {
        super::limits::check_item(scene, &item).map_err(EditError::Invalid)?;
        if self.source(&item.source).is_none() {
            return Err(EditError::NoSuchSource(item.source));
        }
        let s = self.existing_scene(scene)?;
        if item.id.0 == 0 || s.item(item.id).is_some() {
            item.id = s.next_item_id();
        }
        let id = item.id;
        s.items.push(item);
        Ok(id)
    }

    /// Replaces the item with the same id; returns the one it replaced.
    pub fn update_item(&mut self, scene: &str, item: SceneItem) -> Result<SceneItem, EditError> {
        super::limits::check_item(scene, &item).map_err(EditError::Invalid)?;
        if self.source(&item.source).is_none() {
            return Err(EditError::NoSuchSource(item.source));
        }
        let index = self.item_index(scene, item.id)?;
        Ok(std::mem::replace(&mut self.existing_scene(scene)?.items[index], item))
    }

    /// Removes an item; returns it.
    pub fn remove_item(&mut self, scene: &str, id: ItemId) -> Result<SceneItem, EditError> {
        let index = self.item_index(scene, id)?;
        Ok(self.existing_scene(scene)?.items.remove(index))
    }

    /// Moves an item to `index` in its scene's stacking order (0 = bottom).
    pub fn move_item(&mut self, scene: &str, id: ItemId, index: usize) -> Result<(), EditError> {
        let from = self.item_index(scene, id)?;
        let s = self.existing_scene(scene)?;
        let item = s.items.remove(from);
        let to = index.min(s.items.len());
        s.items.insert(to, item);
        Ok(())
    }

    /// Adds a source; its id must be new.
    pub fn add_source(&mut self, source: Source) -> Result<(), EditError> {
        super::limits::check_source(&source).map_err(EditError::Invalid)?;
        if self.source(&source.id).is_some() {
            return Err(EditError::Invalid(format!("a source with id `{}` exists already", source.id)));
        }
        self.sources.push(source);
        Ok(())
    }

    /// Adds a source and an item showing it in `scene`, both or neither.
    /// The item's source is the new source. Returns the item's id.
    pub fn add_source_with_item(
        &mut self,
        source: Source,
        scene: &str,
        mut item: SceneItem,
    ) -> Result<ItemId, EditError> {
        self.scene_index(scene)?;
        item.source = source.id.clone();
        super::limits::check_item(scene, &item).map_err(EditError::Invalid)?;
        self.add_source(source)?;
        // Cannot fail now: the scene and the source are there.
        self.add_item(scene, item)
    }

    /// Removes a source that no item shows any more; returns it.
    pub fn remove_source(&mut self, id: &SourceId) -> Result<Source, EditError> {
        let index = self
            .sources
            .iter()
            .position(|s| &s.id == id)
            .ok_or_else(|| EditError::NoSuchSource(id.clone()))?;
        if let Some(scene) = self.scenes.iter().find(|s| s.items.iter().any(|i| &i.source == id)) {
            return Err(EditError::Invalid(format!(
                "source `{id}` is still shown in scene `{}`: remove its items first",
                scene.name
            )));
        }
        Ok(self.sources.remove(index))
    }

    /// Replaces the source with the same id; returns the one it replaced.
    pub fn update_source(&mut self, source: Source) -> Result<Source, EditError> {
        super::limits::check_source(&source).map_err(EditError::Invalid)?;
        let id = source.id.clone();
        let slot = self.source_mut(&id).ok_or(EditError::NoSuchSource(id))?;
        Ok(std::mem::replace(slot, source))
    }

    fn existing_scene(&mut self, name: &str) -> Result<&mut Scene, EditError> {
        self.scene_mut(name).ok_or_else(|| EditError::NoSuchScene(name.into()))
    }

    fn scene_index(&self, name: &str) -> Result<usize, EditError> {
        self.scenes.iter().position(|s| s.name == name).ok_or_else(|| EditError::NoSuchScene(name.into()))
    }

    fn item_index(&self, scene: &str, id: ItemId) -> Result<usize, EditError> {
        let s = self.scene(scene).ok_or_else(|| EditError::NoSuchScene(scene.into()))?;
        s.items
            .iter()
            .position(|i| i.id == id)
            .ok_or(EditError::NoSuchItem { scene: scene.into(), item: id.0 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceKind;

    fn tone() -> Source {
        Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 })
    }

    #[test]
    fn a_scene_and_an_item_are_added_through_the_edits_with_no_engine() {
        let mut c = SceneCollection::new("Show");
        c.add_scene(Scene::new("Intro")).expect("a new scene");
        c.add_source(tone()).expect("a new source");
        let first = c.add_item("Intro", SceneItem::new(ItemId(0), SourceId::new("tone"), 0, 0, 0, 0));
        let second = c.add_item("Intro", SceneItem::new(ItemId(1), SourceId::new("tone"), 5, 5, 0, 0));
        let (first, second) = (first.expect("added"), second.expect("added"));
        assert_ne!(first, second, "an id in use is replaced");
        assert_eq!(c.scene("Intro").map(|s| s.items.len()), Some(2));
        c.move_item("Intro", second, 0).expect("moved");
        assert_eq!(c.scene("Intro").map(|s| s.items[0].id), Some(second));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn a_refused_edit_leaves_the_collection_as_it_was() {
        let mut c = SceneCollection::new("Show");
        c.add_scene(Scene::new("Intro")).expect("a new scene");
        let before = c.clone();
        let item = SceneItem::new(ItemId(0), SourceId::new("nothing"), 0, 0, 10, 10);
        assert_eq!(c.add_item("Intro", item.clone()), Err(EditError::NoSuchSource(SourceId::new("nothing"))));
        assert_eq!(
            c.add_source_with_item(tone(), "Elsewhere", item),
            Err(EditError::NoSuchScene("Elsewhere".into()))
        );
        assert!(c.add_scene(Scene::new("Intro")).is_err(), "a name in use");
        assert!(c.add_scene(Scene::new("  ")).is_err(), "an empty name");
        assert!(c.rename_scene("Intro", "").is_err());
        assert!(c.remove_item("Intro", ItemId(7)).is_err());
        assert_eq!(c, before);
    }

    #[test]
    fn a_source_comes_with_its_item_or_not_at_all() {
        let mut c = SceneCollection::new("Show");
        c.add_scene(Scene::new("Intro")).expect("a new scene");
        let item = SceneItem::new(ItemId(0), SourceId::new("ignored"), 0, 0, 0, 0);
        let id = c.add_source_with_item(tone(), "Intro", item.clone()).expect("both added");
        assert_eq!(
            c.scene("Intro").and_then(|s| s.item(id)).map(|i| i.source.clone()),
            Some(SourceId::new("tone"))
        );
        assert!(c.add_source_with_item(tone(), "Intro", item).is_err(), "the id is taken");
        assert_eq!(c.sources.len(), 1);
        assert_eq!(c.scene("Intro").map(|s| s.items.len()), Some(1));
        assert_eq!(c.rename_scene("Intro", " Opening ").as_deref(), Ok("Opening"));
        c.move_scene("Opening", 5).expect("moved to the end");
        assert_eq!(c.remove_scene("Opening").map(|s| s.items.len()), Ok(1));
    }
}
