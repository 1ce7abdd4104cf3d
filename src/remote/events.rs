//! The engine's events told as obs-websocket events. A change of the
//! collection arrives whole (`CollectionChanged`): what changed is found
//! by comparing it with the one before, so a change made in the window
//! and one made by a client are told alike.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::engine::{Event, Levels};
use crate::model::{SceneCollection, SourceId};
use crate::remote::names::{self, input_kind, scene_uuid, source_uuid};
use crate::remote::protocol::subscription as sub;

/// One event for the clients: its type, its subscription bit, its data.
#[derive(Debug, Clone, PartialEq)]
pub struct ObsEvent {
    pub kind: &'static str,
    pub intent: u32,
    pub data: Value,
}

fn event(kind: &'static str, intent: u32, data: Value) -> ObsEvent {
    ObsEvent { kind, intent, data }
}

/// Follows the engine's events and says them in obs-websocket's words.
#[derive(Default)]
pub struct Translator {
    last: Option<Arc<SceneCollection>>,
    levels: HashMap<SourceId, Levels>,
}

impl Translator {
    /// Starts from the collection the studio opened with.
    pub fn new(collection: Arc<SceneCollection>) -> Self {
        Self { last: Some(collection), levels: HashMap::new() }
    }

    /// The events an engine event makes (often none).
    pub fn take(&mut self, engine_event: &Event) -> Vec<ObsEvent> {
        match engine_event {
            Event::ProgramScene(scene) => vec![event(
                "CurrentProgramSceneChanged",
                sub::SCENES,
                json!({ "sceneName": scene, "sceneUuid": scene_uuid(scene) }),
            )],
            Event::PreviewScene(scene) => vec![event(
                "CurrentPreviewSceneChanged",
                sub::SCENES,
                json!({ "sceneName": scene, "sceneUuid": scene_uuid(scene) }),
            )],
            Event::CollectionChanged { collection, .. } => {
                let events = match &self.last {
                    Some(before) => changes(before, collection),
                    None => Vec::new(),
                };
                self.last = Some(collection.clone());
                events
            }
            Event::Levels { source: Some(source), levels } => {
                self.levels.insert(source.clone(), levels.clone());
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// `InputVolumeMeters`' inputs from the newest levels: per channel
    /// `[magnitude, peak, input peak]` as linear multipliers.
    pub fn meters(&self) -> Vec<Value> {
        let Some(c) = &self.last else { return Vec::new() };
        c.sources
            .iter()
            .filter(|s| s.kind.has_audio())
            .filter_map(|s| {
                let levels = self.levels.get(&s.id)?;
                let mul = |db: f64| if db.is_finite() { 10f64.powf(db / 20.0) } else { 0.0 };
                let channels: Vec<Value> = levels
                    .rms_db
                    .iter()
                    .zip(&levels.peak_db)
                    .map(|(rms, peak)| json!([mul(*rms), mul(*peak), mul(*peak)]))
                    .collect();
                Some(json!({ "inputName": s.name, "inputUuid": source_uuid(&s.id), "inputLevelsMul": channels }))
            })
            .collect()
    }
}

/// `RecordStateChanged`; `state` is OBS's (`OBS_WEBSOCKET_OUTPUT_STARTED`…).
pub fn record_state(active: bool, state: &str, path: Option<&std::path::Path>) -> ObsEvent {
    event(
        "RecordStateChanged",
        sub::OUTPUTS,
        json!({ "outputActive": active, "outputState": state, "outputPath": path }),
    )
}

pub fn stream_state(active: bool, state: &str) -> ObsEvent {
    event("StreamStateChanged", sub::OUTPUTS, json!({ "outputActive": active, "outputState": state }))
}

pub fn studio_mode(enabled: bool) -> ObsEvent {
    event("StudioModeStateChanged", sub::UI, json!({ "studioModeEnabled": enabled }))
}

pub fn exit_started() -> ObsEvent {
    event("ExitStarted", sub::GENERAL, Value::Null)
}

/// What changed from `before` to `after`.
fn changes(before: &SceneCollection, after: &SceneCollection) -> Vec<ObsEvent> {
    let mut out = Vec::new();
    let old: Vec<&str> = before.scenes.iter().map(|s| s.name.as_str()).collect();
    let new: Vec<&str> = after.scenes.iter().map(|s| s.name.as_str()).collect();
    let gone: Vec<&str> = old.iter().copied().filter(|n| !new.contains(n)).collect();
    let came: Vec<&str> = new.iter().copied().filter(|n| !old.contains(n)).collect();
    // One scene gone and one come in its place: a rename.
    let renamed = match (gone.as_slice(), came.as_slice()) {
        ([from], [to]) if old.iter().position(|n| n == from) == new.iter().position(|n| n == to) => {
            Some((*from, *to))
        }
        _ => None,
    };
    if let Some((from, to)) = renamed {
        out.push(event(
            "SceneNameChanged",
            sub::SCENES,
            json!({ "sceneUuid": scene_uuid(to), "oldSceneName": from, "sceneName": to }),
        ));
    } else {
        for name in &gone {
            out.push(event(
                "SceneRemoved",
                sub::SCENES,
                json!({ "sceneName": name, "sceneUuid": scene_uuid(name), "isGroup": false }),
            ));
        }
        for name in &came {
            out.push(event(
                "SceneCreated",
                sub::SCENES,
                json!({ "sceneName": name, "sceneUuid": scene_uuid(name), "isGroup": false }),
            ));
        }
    }
    if old != new {
        out.push(event("SceneListChanged", sub::SCENES, json!({ "scenes": names::scene_list(after) })));
    }
    out.extend(input_changes(before, after));
    for scene in &after.scenes {
        let was = match renamed {
            Some((from, to)) if to == scene.name => before.scene(from),
            _ => before.scene(&scene.name),
        };
        if let Some(was) = was {
            out.extend(item_changes(after, was, scene));
        }
    }
    out
}

fn input_changes(before: &SceneCollection, after: &SceneCollection) -> Vec<ObsEvent> {
    let mut out = Vec::new();
    for s in &after.sources {
        let ids = json!({ "inputName": s.name, "inputUuid": source_uuid(&s.id) });
        let with = |mut base: Value, more: Value| {
            if let (Some(b), Some(m)) = (base.as_object_mut(), more.as_object()) {
                b.extend(m.clone());
            }
            base
        };
        let Some(was) = before.source(&s.id) else {
            let kind = input_kind(&s.kind);
            let data = json!({ "inputKind": kind, "unversionedInputKind": kind, "inputSettings": names::settings_of(&s.kind), "defaultInputSettings": {} });
            out.push(event("InputCreated", sub::INPUTS, with(ids, data)));
            continue;
        };
        if was.name != s.name {
            out.push(event(
                "InputNameChanged",
                sub::INPUTS,
                json!({ "inputUuid": source_uuid(&s.id), "oldInputName": was.name, "inputName": s.name }),
            ));
        }
        if was.muted != s.muted {
            out.push(event(
                "InputMuteStateChanged",
                sub::INPUTS,
                with(ids.clone(), json!({ "inputMuted": s.muted })),
            ));
        }
        if was.volume != s.volume {
            let data = json!({ "inputVolumeMul": s.volume, "inputVolumeDb": names::decibels(s.volume) });
            out.push(event("InputVolumeChanged", sub::INPUTS, with(ids.clone(), data)));
        }
        if was.kind != s.kind {
            out.push(event(
                "InputSettingsChanged",
                sub::INPUTS,
                with(ids, json!({ "inputSettings": names::settings_of(&s.kind) })),
            ));
        }
    }
    for s in before.sources.iter().filter(|s| after.source(&s.id).is_none()) {
        out.push(event(
            "InputRemoved",
            sub::INPUTS,
            json!({ "inputName": s.name, "inputUuid": source_uuid(&s.id) }),
        ));
    }
    out
}

fn item_changes(
    c: &SceneCollection,
    was: &crate::model::Scene,
    scene: &crate::model::Scene,
) -> Vec<ObsEvent> {
    let mut out = Vec::new();
    let at = json!({ "sceneName": scene.name, "sceneUuid": scene_uuid(&scene.name) });
    let with = |more: Value| {
        let mut base = at.clone();
        if let (Some(b), Some(m)) = (base.as_object_mut(), more.as_object()) {
            b.extend(m.clone());
        }
        base
    };
    let source_of = |item: &crate::model::SceneItem| {
        c.source(&item.source).map(|s| (s.name.clone(), source_uuid(&s.id))).unwrap_or_default()
    };
    for (index, item) in scene.items.iter().enumerate() {
        let Some(old) = was.item(item.id) else {
            let (name, uuid) = source_of(item);
            let data = json!({ "sceneItemId": item.id.0, "sceneItemIndex": index, "sourceName": name, "sourceUuid": uuid });
            out.push(event("SceneItemCreated", sub::SCENE_ITEMS, with(data)));
            continue;
        };
        if old.visible != item.visible {
            let data = json!({ "sceneItemId": item.id.0, "sceneItemEnabled": item.visible });
            out.push(event("SceneItemEnableStateChanged", sub::SCENE_ITEMS, with(data)));
        }
        if old.locked != item.locked {
            let data = json!({ "sceneItemId": item.id.0, "sceneItemLocked": item.locked });
            out.push(event("SceneItemLockStateChanged", sub::SCENE_ITEMS, with(data)));
        }
        if (old.x, old.y, old.width, old.height, &old.crop)
            != (item.x, item.y, item.width, item.height, &item.crop)
        {
            let data =
                json!({ "sceneItemId": item.id.0, "sceneItemTransform": names::transform(item, None) });
            out.push(event("SceneItemTransformChanged", sub::SCENE_ITEM_TRANSFORM_CHANGED, with(data)));
        }
    }
    for item in was.items.iter().filter(|i| scene.item(i.id).is_none()) {
        let (name, uuid) = source_of(item);
        let data = json!({ "sceneItemId": item.id.0, "sourceName": name, "sourceUuid": uuid });
        out.push(event("SceneItemRemoved", sub::SCENE_ITEMS, with(data)));
    }
    let order = |s: &crate::model::Scene| s.items.iter().map(|i| i.id).collect::<Vec<_>>();
    let kept: Vec<_> = order(was).into_iter().filter(|id| scene.item(*id).is_some()).collect();
    let now: Vec<_> = order(scene).into_iter().filter(|id| was.item(*id).is_some()).collect();
    if kept != now {
        let items: Vec<Value> = scene
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| json!({ "sceneItemId": item.id.0, "sceneItemIndex": i }))
            .collect();
        out.push(event("SceneItemListReindexed", sub::SCENE_ITEMS, with(json!({ "sceneItems": items }))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::demo_collection;

    #[test]
    fn a_rename_a_mute_and_a_move_are_told_as_obs_tells_them() {
        let before = demo_collection(false);
        let mut after = before.clone();
        let first = after.scenes[0].name.clone();
        after.scenes[0].name = "Renamed".into();
        after.sources[0].muted = !after.sources[0].muted;
        after.scenes[0].items[0].x += 10;
        let mut t = Translator::new(Arc::new(before));
        let told = t.take(&Event::CollectionChanged { revision: 1, collection: Arc::new(after) });
        let kinds: Vec<&str> = told.iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&"SceneNameChanged"), "{kinds:?}");
        assert!(kinds.contains(&"InputMuteStateChanged"), "{kinds:?}");
        assert!(kinds.contains(&"SceneItemTransformChanged"), "{kinds:?}");
        assert!(!kinds.contains(&"SceneRemoved"), "{kinds:?}");
        let renamed = told.iter().find(|e| e.kind == "SceneNameChanged").expect("renamed");
        assert_eq!(renamed.data["oldSceneName"], json!(first));
    }
}
