//! obs-websocket requests answered with Plateau's model: scenes are
//! scenes, inputs are sources, scene items are items. The [`Host`] (the
//! window or the headless run) gives the studio and the outputs; this file
//! only translates, so both hosts answer alike.

use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::LocalBoxFuture;
use serde_json::{json, Value};

use crate::engine::{Answer, Command, EngineError};
use crate::model::{
    EditError, ItemId, Scene, SceneCollection, SceneItem, Source, Transition, TransitionKind,
};
use crate::remote::names::{self, input_kind, scene_uuid, source_uuid};
use crate::remote::protocol::{status, Failure, Request, OBS_VERSION, OBS_WEBSOCKET_VERSION, RPC_VERSION};

pub type Reply = Result<Value, Failure>;

/// Where an output stands, for `GetRecordStatus` and `GetStreamStatus`.
#[derive(Debug, Clone, Default)]
pub struct OutputState {
    pub active: bool,
    pub paused: bool,
    pub reconnecting: bool,
    /// Milliseconds since it started.
    pub duration_ms: u64,
    pub bytes: u64,
}

/// The show on the swarm: its ticket and the audience's newest figures.
#[derive(Debug, Clone)]
pub struct SwarmState {
    pub ticket: String,
    pub report: Option<crate::p2p::SwarmReport>,
}

/// A streaming destination as clients see it (the server without its key).
#[derive(Debug, Clone)]
pub struct DestinationState {
    pub name: String,
    pub server: String,
    pub enabled: bool,
    /// "live", "connecting", "reconnecting", "failed" or "off".
    pub state: String,
}

/// What a host gives the requests. Everything runs on the host's thread.
pub trait Host {
    /// The collection as the engine has it; none while no studio runs.
    fn collection(&self) -> Option<Arc<SceneCollection>>;
    fn program_scene(&self) -> Option<String>;
    /// The preview's scene, in studio mode.
    fn preview_scene(&self) -> Option<String>;
    fn studio_mode(&self) -> bool;
    fn set_studio_mode(&self, on: bool) -> Result<(), Failure>;
    fn transition(&self) -> Transition;
    fn set_transition(&self, transition: Transition);
    /// The natural size of a source's pictures, when known.
    fn source_size(&self, source: &crate::model::SourceId) -> Option<(u32, u32)>;
    /// Sends a command to the engine.
    fn command(&self, command: Command) -> LocalBoxFuture<'static, Result<Answer, EngineError>>;
    /// Program frames per second over the last second, and frames made.
    fn program_stats(&self) -> (f64, u64);
    fn recording(&self) -> OutputState;
    fn start_recording(&self) -> LocalBoxFuture<'_, Result<(), String>>;
    /// Ends the recording; the file's path.
    fn stop_recording(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>>;
    fn pause_recording(&self, paused: bool) -> Result<(), String>;
    fn streaming(&self) -> OutputState;
    fn start_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>>;
    fn stop_streaming(&self) -> LocalBoxFuture<'_, Result<(), String>>;
    fn podcast(&self) -> OutputState;
    /// Starts the podcast; its file (or folder).
    fn start_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>>;
    fn stop_podcast(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>>;
    /// Marks a chapter in the podcast: its number and when it starts (s).
    fn add_chapter(&self, title: Option<String>) -> Result<(usize, f64), String>;
    fn swarm(&self) -> Option<SwarmState>;
    /// Goes live to the swarm; the ticket.
    fn start_swarm(&self) -> LocalBoxFuture<'_, Result<String, String>>;
    fn stop_swarm(&self) -> LocalBoxFuture<'_, Result<(), String>>;
    fn destinations(&self) -> Vec<DestinationState>;
    /// Whether the replay buffer runs.
    fn replay_buffer(&self) -> bool;
    fn set_replay_buffer(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>>;
    /// Saves the replay buffer; the file's path.
    fn save_replay(&self) -> LocalBoxFuture<'_, Result<PathBuf, String>>;
    fn last_replay(&self) -> Option<PathBuf>;
    /// Whether the virtual camera and microphone are open.
    fn virtual_camera(&self) -> bool;
    fn set_virtual_camera(&self, on: bool) -> LocalBoxFuture<'_, Result<(), String>>;
    /// Plateau's actions a control surface can trigger by name.
    fn hotkeys(&self) -> Vec<String>;
    fn trigger_hotkey(&self, name: &str) -> Result<(), String>;
}

/// The requests this server knows (for `GetVersion`).
pub const REQUESTS: &[&str] = &[
    "GetVersion",
    "GetStats",
    "BroadcastCustomEvent",
    "CallVendorRequest",
    "GetHotkeyList",
    "TriggerHotkeyByName",
    "Sleep",
    "GetSceneList",
    "GetCurrentProgramScene",
    "SetCurrentProgramScene",
    "GetCurrentPreviewScene",
    "SetCurrentPreviewScene",
    "CreateScene",
    "RemoveScene",
    "SetSceneName",
    "GetInputList",
    "GetInputKindList",
    "GetInputSettings",
    "SetInputSettings",
    "SetInputName",
    "GetInputMute",
    "SetInputMute",
    "ToggleInputMute",
    "GetInputVolume",
    "SetInputVolume",
    "CreateInput",
    "RemoveInput",
    "GetMediaInputStatus",
    "TriggerMediaInputAction",
    "SetMediaInputCursor",
    "OffsetMediaInputCursor",
    "GetSceneItemList",
    "GetSceneItemId",
    "GetSceneItemSource",
    "GetSceneItemEnabled",
    "SetSceneItemEnabled",
    "GetSceneItemLocked",
    "SetSceneItemLocked",
    "GetSceneItemIndex",
    "SetSceneItemIndex",
    "GetSceneItemTransform",
    "SetSceneItemTransform",
    "CreateSceneItem",
    "RemoveSceneItem",
    "GetSceneTransitionList",
    "GetCurrentSceneTransition",
    "SetCurrentSceneTransition",
    "SetCurrentSceneTransitionDuration",
    "TriggerStudioModeTransition",
    "GetStudioModeEnabled",
    "SetStudioModeEnabled",
    "GetRecordStatus",
    "GetReplayBufferStatus",
    "StartReplayBuffer",
    "StopReplayBuffer",
    "ToggleReplayBuffer",
    "SaveReplayBuffer",
    "GetLastReplayBufferReplay",
    "GetVirtualCamStatus",
    "StartVirtualCam",
    "StopVirtualCam",
    "ToggleVirtualCam",
    "StartRecord",
    "StopRecord",
    "ToggleRecord",
    "PauseRecord",
    "ResumeRecord",
    "ToggleRecordPause",
    "GetStreamStatus",
    "StartStream",
    "StopStream",
    "ToggleStream",
];

/// Answers one request.
pub async fn answer(host: &impl Host, request: &Request) -> Reply {
    let data = Fields(&request.data);
    let collection = || {
        host.collection()
            .ok_or_else(|| Failure::new(status::REQUEST_PROCESSING_FAILED, "the studio is not running"))
    };
    match request.kind.as_str() {
        "GetVersion" => Ok(json!({
            "obsVersion": OBS_VERSION,
            "obsWebSocketVersion": OBS_WEBSOCKET_VERSION,
            "rpcVersion": RPC_VERSION,
            "availableRequests": REQUESTS,
            "supportedImageFormats": [],
            "platform": "linux",
            "platformDescription": format!("Plateau {}", env!("CARGO_PKG_VERSION")),
        })),
        "GetStats" => {
            let (fps, frames) = host.program_stats();
            Ok(json!({
                "cpuUsage": 0.0,
                "memoryUsage": 0.0,
                "availableDiskSpace": 0.0,
                "activeFps": fps,
                "averageFrameRenderTime": 0.0,
                "renderSkippedFrames": 0,
                "renderTotalFrames": frames,
                "outputSkippedFrames": 0,
                "outputTotalFrames": frames,
                "webSocketSessionIncomingMessages": 0,
                "webSocketSessionOutgoingMessages": 0,
            }))
        }
        "CallVendorRequest" => crate::remote::vendor::answer(host, &request.data).await,
        "GetHotkeyList" => Ok(json!({ "hotkeys": host.hotkeys() })),
        "TriggerHotkeyByName" => {
            let name = data.text("hotkeyName")?;
            if !host.hotkeys().iter().any(|h| h == name) {
                return Err(Failure::new(status::RESOURCE_NOT_FOUND, format!("no hotkey named {name}")));
            }
            host.trigger_hotkey(name).map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(Value::Null)
        }
        "GetSceneList" => {
            let c = collection()?;
            Ok(json!({
                "currentProgramSceneName": host.program_scene(),
                "currentProgramSceneUuid": host.program_scene().map(|s| scene_uuid(&s)),
                "currentPreviewSceneName": host.preview_scene(),
                "currentPreviewSceneUuid": host.preview_scene().map(|s| scene_uuid(&s)),
                "scenes": names::scene_list(&c),
            }))
        }
        "GetCurrentProgramScene" => {
            let scene = host.program_scene().unwrap_or_default();
            Ok(
                json!({ "sceneName": scene, "sceneUuid": scene_uuid(&scene), "currentProgramSceneName": scene, "currentProgramSceneUuid": scene_uuid(&scene) }),
            )
        }
        "SetCurrentProgramScene" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            run(host, Command::SwitchScene { scene: scene.name.clone(), transition: host.transition() }).await
        }
        "GetCurrentPreviewScene" => {
            studio_mode_on(host)?;
            let scene = host.preview_scene().unwrap_or_default();
            Ok(
                json!({ "sceneName": scene, "sceneUuid": scene_uuid(&scene), "currentPreviewSceneName": scene, "currentPreviewSceneUuid": scene_uuid(&scene) }),
            )
        }
        "SetCurrentPreviewScene" => {
            studio_mode_on(host)?;
            let c = collection()?;
            let scene = data.scene(&c)?;
            run(host, Command::PreviewScene(scene.name.clone())).await
        }
        "CreateScene" => {
            let name = data.text("sceneName")?;
            if collection()?.scene(name).is_some() {
                return Err(Failure::new(
                    status::RESOURCE_ALREADY_EXISTS,
                    format!("a scene is named {name}"),
                ));
            }
            run(host, Command::AddScene(Scene::new(name))).await?;
            Ok(json!({ "sceneUuid": scene_uuid(name) }))
        }
        "RemoveScene" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            run(host, Command::RemoveScene(scene.name.clone())).await
        }
        "SetSceneName" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            let to = data.text("newSceneName")?;
            if c.scene(to).is_some() {
                return Err(Failure::new(status::RESOURCE_ALREADY_EXISTS, format!("a scene is named {to}")));
            }
            run(host, Command::RenameScene { from: scene.name.clone(), to: to.into() }).await
        }
        "GetInputList" => {
            let c = collection()?;
            let kind = data.optional_text("inputKind")?;
            let inputs: Vec<Value> = c
                .sources
                .iter()
                .filter(|s| kind.is_none_or(|k| input_kind(&s.kind) == k))
                .map(|s| json!({ "inputName": s.name, "inputUuid": source_uuid(&s.id), "inputKind": input_kind(&s.kind), "unversionedInputKind": input_kind(&s.kind) }))
                .collect();
            Ok(json!({ "inputs": inputs }))
        }
        "GetInputKindList" => Ok(json!({ "inputKinds": names::INPUT_KINDS })),
        "GetInputSettings" => {
            let c = collection()?;
            let source = data.input(&c)?;
            Ok(
                json!({ "inputSettings": names::settings_of(&source.kind), "inputKind": input_kind(&source.kind) }),
            )
        }
        "SetInputSettings" => {
            let c = collection()?;
            let mut source = data.input(&c)?.clone();
            let settings = data.object("inputSettings")?;
            names::apply_settings(&mut source.kind, settings)?;
            run(host, Command::UpdateSource(source)).await
        }
        "SetInputName" => {
            let c = collection()?;
            let mut source = data.input(&c)?.clone();
            let to = data.text("newInputName")?;
            if c.sources.iter().any(|s| s.name == to && s.id != source.id) {
                return Err(Failure::new(status::RESOURCE_ALREADY_EXISTS, format!("an input is named {to}")));
            }
            source.name = to.into();
            run(host, Command::UpdateSource(source)).await
        }
        "GetInputMute" => Ok(json!({ "inputMuted": data.input(&*collection()?)?.muted })),
        "SetInputMute" | "ToggleInputMute" => {
            let c = collection()?;
            let source = data.input(&c)?;
            let muted = match request.kind.as_str() {
                "SetInputMute" => data.boolean("inputMuted")?,
                _ => !source.muted,
            };
            run(host, Command::SetVolume { source: source.id.clone(), volume: None, muted: Some(muted) })
                .await?;
            Ok(if request.kind == "ToggleInputMute" { json!({ "inputMuted": muted }) } else { Value::Null })
        }
        "GetInputVolume" => {
            let volume = data.input(&*collection()?)?.volume;
            Ok(json!({ "inputVolumeMul": volume, "inputVolumeDb": names::decibels(volume) }))
        }
        "SetInputVolume" => {
            let c = collection()?;
            let source = data.input(&c)?;
            let volume =
                match (data.optional_number("inputVolumeMul")?, data.optional_number("inputVolumeDb")?) {
                    (Some(_), Some(_)) => {
                        return Err(Failure::new(404, "give inputVolumeMul or inputVolumeDb, not both"))
                    }
                    (Some(mul), None) => in_range("inputVolumeMul", mul, 0.0, 20.0)?,
                    (None, Some(db)) => 10f64.powf(in_range("inputVolumeDb", db, -100.0, 26.0)? / 20.0),
                    (None, None) => {
                        return Err(Failure::new(
                            status::MISSING_REQUEST_FIELD,
                            "inputVolumeMul or inputVolumeDb is required",
                        ))
                    }
                };
            run(host, Command::SetVolume { source: source.id.clone(), volume: Some(volume), muted: None })
                .await
        }
        "CreateInput" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            let name = data.text("inputName")?;
            if c.sources.iter().any(|s| s.name == name) {
                return Err(Failure::new(
                    status::RESOURCE_ALREADY_EXISTS,
                    format!("an input is named {name}"),
                ));
            }
            let mut kind = names::new_kind(data.text("inputKind")?)?;
            if let Some(settings) = request.data.get("inputSettings").filter(|v| !v.is_null()) {
                let settings = settings.as_object().ok_or_else(|| {
                    Failure::new(status::INVALID_REQUEST_FIELD_TYPE, "inputSettings is an object")
                })?;
                names::apply_settings(&mut kind, settings)?;
            }
            if names::lacks_file(&kind) {
                return Err(Failure::new(
                    status::MISSING_REQUEST_FIELD,
                    "inputSettings needs the file to show",
                ));
            }
            let source = Source::new(c.unused_source_id(input_kind(&kind)).as_str(), name, kind);
            let (w, h) = names::natural_size(&source.kind, &c);
            let mut item = SceneItem::new(ItemId(0), source.id.clone(), 0, 0, w, h);
            item.visible = data.optional_boolean("sceneItemEnabled")?.unwrap_or(true);
            let uuid = source_uuid(&source.id);
            let answer =
                command(host, Command::AddSourceWithItem { source, scene: scene.name.clone(), item }).await?;
            Ok(json!({ "inputUuid": uuid, "sceneItemId": item_reply(&answer) }))
        }
        "GetSceneItemList" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            let items: Vec<Value> = scene
                .items
                .iter()
                .enumerate()
                .filter_map(|(index, item)| {
                    Some(names::item_json(
                        item,
                        index,
                        c.source(&item.source)?,
                        host.source_size(&item.source),
                    ))
                })
                .collect();
            Ok(json!({ "sceneItems": items }))
        }
        "GetSceneItemId" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            let name = data.text("sourceName")?;
            let offset = data.optional_number("searchOffset")?.unwrap_or(0.0) as usize;
            scene
                .items
                .iter()
                .filter(|i| c.source(&i.source).is_some_and(|s| s.name == name))
                .nth(offset)
                .map(|i| json!({ "sceneItemId": i.id.0 }))
                .ok_or_else(|| {
                    Failure::new(status::RESOURCE_NOT_FOUND, format!("no item of {name} in {}", scene.name))
                })
        }
        "GetSceneItemSource" => {
            let c = collection()?;
            let (_, item, _) = data.item(&c)?;
            let source = c
                .source(&item.source)
                .ok_or_else(|| Failure::new(status::RESOURCE_NOT_FOUND, "no source"))?;
            Ok(json!({ "sourceName": source.name, "sourceUuid": source_uuid(&source.id) }))
        }
        "GetSceneItemEnabled" => Ok(json!({ "sceneItemEnabled": data.item(&*collection()?)?.1.visible })),
        "GetSceneItemLocked" => Ok(json!({ "sceneItemLocked": data.item(&*collection()?)?.1.locked })),
        "GetSceneItemIndex" => Ok(json!({ "sceneItemIndex": data.item(&*collection()?)?.2 })),
        "SetSceneItemEnabled" | "SetSceneItemLocked" => {
            let c = collection()?;
            let (scene, item, _) = data.item(&c)?;
            let mut item = item.clone();
            match request.kind.as_str() {
                "SetSceneItemEnabled" => item.visible = data.boolean("sceneItemEnabled")?,
                _ => item.locked = data.boolean("sceneItemLocked")?,
            }
            run(host, Command::UpdateItem { scene: scene.name.clone(), item }).await
        }
        "SetSceneItemIndex" => {
            let c = collection()?;
            let (scene, item, _) = data.item(&c)?;
            let index = data.number("sceneItemIndex")?;
            if index < 0.0 || index as usize >= scene.items.len() {
                return Err(Failure::new(
                    status::REQUEST_FIELD_OUT_OF_RANGE,
                    "sceneItemIndex is outside the scene",
                ));
            }
            run(host, Command::MoveItem { scene: scene.name.clone(), item: item.id, index: index as usize })
                .await
        }
        "GetSceneItemTransform" => {
            let c = collection()?;
            let (_, item, _) = data.item(&c)?;
            Ok(json!({ "sceneItemTransform": names::transform(item, host.source_size(&item.source)) }))
        }
        "SetSceneItemTransform" => {
            let c = collection()?;
            let (scene, item, _) = data.item(&c)?;
            let mut item = item.clone();
            let natural = host.source_size(&item.source);
            names::apply_transform(&mut item, natural, data.object("sceneItemTransform")?)?;
            run(host, Command::UpdateItem { scene: scene.name.clone(), item }).await
        }
        "CreateSceneItem" => {
            let c = collection()?;
            let scene = data.scene(&c)?;
            let source = data.source(&c)?;
            let (w, h) = names::natural_size(&source.kind, &c);
            let mut item = SceneItem::new(ItemId(0), source.id.clone(), 0, 0, w, h);
            item.visible = data.optional_boolean("sceneItemEnabled")?.unwrap_or(true);
            let answer = command(host, Command::AddItem { scene: scene.name.clone(), item }).await?;
            Ok(json!({ "sceneItemId": item_reply(&answer) }))
        }
        "RemoveSceneItem" => {
            let c = collection()?;
            let (scene, item, _) = data.item(&c)?;
            run(host, Command::RemoveItem { scene: scene.name.clone(), item: item.id }).await
        }
        "GetSceneTransitionList" => {
            let t = host.transition();
            Ok(json!({
                "currentSceneTransitionName": names::transition_name(&t.kind),
                "currentSceneTransitionUuid": names::transition_name(&t.kind),
                "currentSceneTransitionKind": names::transition_kind(&t.kind),
                "transitions": names::TRANSITIONS.iter().map(|k| json!({
                    "transitionName": names::transition_name(k),
                    "transitionUuid": names::transition_name(k),
                    "transitionKind": names::transition_kind(k),
                    "transitionFixed": *k == TransitionKind::Cut,
                    "transitionConfigurable": false,
                })).collect::<Vec<_>>(),
            }))
        }
        "GetCurrentSceneTransition" => {
            let t = host.transition();
            Ok(json!({
                "transitionName": names::transition_name(&t.kind),
                "transitionUuid": names::transition_name(&t.kind),
                "transitionKind": names::transition_kind(&t.kind),
                "transitionFixed": t.kind == TransitionKind::Cut,
                "transitionDuration": (t.kind != TransitionKind::Cut).then_some(t.duration_ms),
                "transitionConfigurable": false,
                "transitionSettings": Value::Null,
            }))
        }
        "SetCurrentSceneTransition" => {
            let name = data.text("transitionName")?;
            let kind =
                names::TRANSITIONS.iter().find(|k| names::transition_name(k) == name).cloned().ok_or_else(
                    || Failure::new(status::RESOURCE_NOT_FOUND, format!("no transition named {name}")),
                )?;
            let current = host.transition();
            let duration_ms = if kind == TransitionKind::Cut { 0 } else { current.duration_ms.max(300) };
            host.set_transition(Transition { kind, duration_ms });
            Ok(Value::Null)
        }
        "SetCurrentSceneTransitionDuration" => {
            let ms = in_range("transitionDuration", data.number("transitionDuration")?, 50.0, 20_000.0)?;
            let current = host.transition();
            host.set_transition(Transition { kind: current.kind, duration_ms: ms as u32 });
            Ok(Value::Null)
        }
        "TriggerStudioModeTransition" => {
            studio_mode_on(host)?;
            run(host, Command::TransitionToPreview(host.transition())).await
        }
        "GetStudioModeEnabled" => Ok(json!({ "studioModeEnabled": host.studio_mode() })),
        "SetStudioModeEnabled" => {
            host.set_studio_mode(data.boolean("studioModeEnabled")?).map(|_| Value::Null)
        }
        "GetRecordStatus" => {
            let r = host.recording();
            Ok(json!({
                "outputActive": r.active,
                "outputPaused": r.paused,
                "outputTimecode": timecode(r.duration_ms),
                "outputDuration": r.duration_ms,
                "outputBytes": r.bytes,
            }))
        }
        "StartRecord" | "StopRecord" | "ToggleRecord" => {
            let active = host.recording().active;
            let start = match request.kind.as_str() {
                "StartRecord" if active => {
                    return Err(Failure::new(status::OUTPUT_RUNNING, "already recording"))
                }
                "StopRecord" if !active => {
                    return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "not recording"))
                }
                "ToggleRecord" => !active,
                kind => kind == "StartRecord",
            };
            let failed = |e: String| Failure::new(status::RESOURCE_ACTION_FAILED, e);
            if start {
                host.start_recording().await.map_err(failed)?;
                Ok(if request.kind == "ToggleRecord" { json!({ "outputActive": true }) } else { Value::Null })
            } else {
                let path = host.stop_recording().await.map_err(failed)?;
                Ok(match request.kind.as_str() {
                    "ToggleRecord" => json!({ "outputActive": false }),
                    _ => json!({ "outputPath": path }),
                })
            }
        }
        "GetReplayBufferStatus" => Ok(json!({ "outputActive": host.replay_buffer() })),
        "StartReplayBuffer" | "StopReplayBuffer" | "ToggleReplayBuffer" => {
            let active = host.replay_buffer();
            let start = match request.kind.as_str() {
                "StartReplayBuffer" if active => {
                    return Err(Failure::new(status::OUTPUT_RUNNING, "the replay buffer is on"))
                }
                "StopReplayBuffer" if !active => {
                    return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "the replay buffer is off"))
                }
                "ToggleReplayBuffer" => !active,
                kind => kind == "StartReplayBuffer",
            };
            host.set_replay_buffer(start)
                .await
                .map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(match request.kind.as_str() {
                "ToggleReplayBuffer" => json!({ "outputActive": start }),
                _ => Value::Null,
            })
        }
        "SaveReplayBuffer" => {
            if !host.replay_buffer() {
                return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "the replay buffer is off"));
            }
            host.save_replay().await.map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(Value::Null)
        }
        "GetLastReplayBufferReplay" => match host.last_replay() {
            Some(path) => Ok(json!({ "savedReplayPath": path })),
            None => Err(Failure::new(status::RESOURCE_NOT_FOUND, "no replay was saved yet")),
        },
        "GetVirtualCamStatus" => Ok(json!({ "outputActive": host.virtual_camera() })),
        "StartVirtualCam" | "StopVirtualCam" | "ToggleVirtualCam" => {
            let active = host.virtual_camera();
            let start = match request.kind.as_str() {
                "StartVirtualCam" if active => {
                    return Err(Failure::new(status::OUTPUT_RUNNING, "the virtual camera is on"))
                }
                "StopVirtualCam" if !active => {
                    return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "the virtual camera is off"))
                }
                "ToggleVirtualCam" => !active,
                kind => kind == "StartVirtualCam",
            };
            host.set_virtual_camera(start)
                .await
                .map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(match request.kind.as_str() {
                "ToggleVirtualCam" => json!({ "outputActive": start }),
                _ => Value::Null,
            })
        }
        "PauseRecord" | "ResumeRecord" | "ToggleRecordPause" => {
            let r = host.recording();
            if !r.active {
                return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "not recording"));
            }
            let pause = match request.kind.as_str() {
                "PauseRecord" if r.paused => {
                    return Err(Failure::new(status::OUTPUT_PAUSED, "already paused"))
                }
                "ResumeRecord" if !r.paused => {
                    return Err(Failure::new(status::OUTPUT_NOT_PAUSED, "not paused"))
                }
                "ToggleRecordPause" => !r.paused,
                kind => kind == "PauseRecord",
            };
            host.pause_recording(pause).map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(Value::Null)
        }
        "GetStreamStatus" => {
            let s = host.streaming();
            Ok(json!({
                "outputActive": s.active,
                "outputReconnecting": s.reconnecting,
                "outputTimecode": timecode(s.duration_ms),
                "outputDuration": s.duration_ms,
                "outputCongestion": 0.0,
                "outputBytes": s.bytes,
                "outputSkippedFrames": 0,
                "outputTotalFrames": 0,
            }))
        }
        "StartStream" | "StopStream" | "ToggleStream" => {
            let active = host.streaming().active;
            let start = match request.kind.as_str() {
                "StartStream" if active => {
                    return Err(Failure::new(status::OUTPUT_RUNNING, "already streaming"))
                }
                "StopStream" if !active => {
                    return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "not streaming"))
                }
                "ToggleStream" => !active,
                kind => kind == "StartStream",
            };
            let result = if start { host.start_streaming().await } else { host.stop_streaming().await };
            result.map_err(|e| Failure::new(status::RESOURCE_ACTION_FAILED, e))?;
            Ok(if request.kind == "ToggleStream" { json!({ "outputActive": start }) } else { Value::Null })
        }
        "RemoveInput" => {
            let c = collection()?;
            let input = data.input(&c)?;
            run(host, Command::RemoveSource(input.id.clone())).await
        }
        "GetMediaInputStatus"
        | "TriggerMediaInputAction"
        | "SetMediaInputCursor"
        | "OffsetMediaInputCursor" => {
            let c = collection()?;
            crate::remote::media::answer(host, &request.kind, data.input(&c)?, &data).await
        }
        other => Err(Failure::new(status::UNKNOWN_REQUEST_TYPE, format!("Plateau does not know {other}"))),
    }
}

fn studio_mode_on(host: &impl Host) -> Result<(), Failure> {
    match host.studio_mode() {
        true => Ok(()),
        false => Err(Failure::new(status::STUDIO_MODE_NOT_ACTIVE, "studio mode is off")),
    }
}

fn in_range(field: &str, value: f64, min: f64, max: f64) -> Result<f64, Failure> {
    match (min..=max).contains(&value) {
        true => Ok(value),
        false => Err(Failure::new(
            status::REQUEST_FIELD_OUT_OF_RANGE,
            format!("{field} is between {min} and {max}"),
        )),
    }
}

fn timecode(ms: u64) -> String {
    let s = ms / 1000;
    format!("{:02}:{:02}:{:02}.{:03}", s / 3600, s / 60 % 60, s % 60, ms % 1000)
}

fn item_reply(answer: &Answer) -> u64 {
    match answer.reply {
        crate::engine::Reply::Item(id) => id.0,
        _ => 0,
    }
}

pub(super) async fn command(host: &impl Host, command: crate::engine::Command) -> Result<Answer, Failure> {
    host.command(command).await.map_err(refused)
}

async fn run(host: &impl Host, c: crate::engine::Command) -> Reply {
    command(host, c).await.map(|_| Value::Null)
}

pub(super) fn refused(e: EngineError) -> Failure {
    match e {
        EngineError::Edit(
            EditError::NoSuchScene(_) | EditError::NoSuchSource(_) | EditError::NoSuchItem { .. },
        ) => Failure::new(status::RESOURCE_NOT_FOUND, e.to_string()),
        EngineError::Edit(EditError::Invalid(_)) | EngineError::Invalid(_) => {
            Failure::new(status::INVALID_REQUEST_FIELD, e.to_string())
        }
        _ => Failure::new(status::REQUEST_PROCESSING_FAILED, e.to_string()),
    }
}

/// A request's fields, read with the protocol's status codes.
pub(super) struct Fields<'a>(&'a Value);

impl<'a> Fields<'a> {
    pub(super) fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    fn missing(name: &str) -> Failure {
        Failure::new(status::MISSING_REQUEST_FIELD, format!("{name} is required"))
    }

    fn wrong(name: &str, what: &str) -> Failure {
        Failure::new(status::INVALID_REQUEST_FIELD_TYPE, format!("{name} is {what}"))
    }

    pub(super) fn optional_text(&self, name: &str) -> Result<Option<&'a str>, Failure> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) if s.is_empty() => {
                Err(Failure::new(status::REQUEST_FIELD_EMPTY, format!("{name} is empty")))
            }
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(Self::wrong(name, "a string")),
        }
    }

    pub(super) fn text(&self, name: &str) -> Result<&'a str, Failure> {
        self.optional_text(name)?.ok_or_else(|| Self::missing(name))
    }

    fn optional_boolean(&self, name: &str) -> Result<Option<bool>, Failure> {
        self.get(name).map(|v| v.as_bool().ok_or_else(|| Self::wrong(name, "a boolean"))).transpose()
    }

    fn boolean(&self, name: &str) -> Result<bool, Failure> {
        self.optional_boolean(name)?.ok_or_else(|| Self::missing(name))
    }

    pub(super) fn optional_number(&self, name: &str) -> Result<Option<f64>, Failure> {
        self.get(name)
            .map(|v| v.as_f64().filter(|f| f.is_finite()).ok_or_else(|| Self::wrong(name, "a number")))
            .transpose()
    }

    pub(super) fn number(&self, name: &str) -> Result<f64, Failure> {
        self.optional_number(name)?.ok_or_else(|| Self::missing(name))
    }

    fn object(&self, name: &str) -> Result<&'a serde_json::Map<String, Value>, Failure> {
        self.get(name)
            .ok_or_else(|| Self::missing(name))?
            .as_object()
            .ok_or_else(|| Self::wrong(name, "an object"))
    }

    /// The scene named by `sceneName` or `sceneUuid`.
    fn scene<'c>(&self, c: &'c SceneCollection) -> Result<&'c Scene, Failure> {
        let (name, uuid) = (self.optional_text("sceneName")?, self.optional_text("sceneUuid")?);
        let found = match (name, uuid) {
            (Some(name), _) => c.scene(name),
            (None, Some(uuid)) => c.scenes.iter().find(|s| scene_uuid(&s.name) == uuid),
            (None, None) => return Err(Self::missing("sceneName")),
        };
        found.ok_or_else(|| {
            Failure::new(
                status::RESOURCE_NOT_FOUND,
                format!("no scene {}", name.or(uuid).unwrap_or_default()),
            )
        })
    }

    /// The source named by `inputName` or `inputUuid`.
    fn input<'c>(&self, c: &'c SceneCollection) -> Result<&'c Source, Failure> {
        self.named_source(c, "inputName", "inputUuid")
    }

    /// The source named by `sourceName` or `sourceUuid`.
    fn source<'c>(&self, c: &'c SceneCollection) -> Result<&'c Source, Failure> {
        self.named_source(c, "sourceName", "sourceUuid")
    }

    fn named_source<'c>(
        &self,
        c: &'c SceneCollection,
        by_name: &str,
        by_uuid: &str,
    ) -> Result<&'c Source, Failure> {
        let (name, uuid) = (self.optional_text(by_name)?, self.optional_text(by_uuid)?);
        let found = match (name, uuid) {
            (Some(name), _) => c.sources.iter().find(|s| s.name == name),
            (None, Some(uuid)) => c.sources.iter().find(|s| source_uuid(&s.id) == uuid),
            (None, None) => return Err(Self::missing(by_name)),
        };
        found.ok_or_else(|| {
            Failure::new(
                status::RESOURCE_NOT_FOUND,
                format!("no input {}", name.or(uuid).unwrap_or_default()),
            )
        })
    }

    /// The scene, the item `sceneItemId` in it, and the item's index.
    fn item<'c>(&self, c: &'c SceneCollection) -> Result<(&'c Scene, &'c SceneItem, usize), Failure> {
        let scene = self.scene(c)?;
        let id = self.number("sceneItemId")?;
        scene
            .items
            .iter()
            .enumerate()
            .find(|(_, i)| i.id.0 as f64 == id)
            .map(|(index, item)| (scene, item, index))
            .ok_or_else(|| {
                Failure::new(status::RESOURCE_NOT_FOUND, format!("{} has no item {id}", scene.name))
            })
    }
}
