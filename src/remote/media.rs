//! obs-websocket's media-input requests on Plateau's media file sources:
//! their state, place and length, and play, pause, stop, restart, seek.

use std::time::Duration;

use serde_json::{json, Value};

use crate::engine::{Command, MediaAction, MediaState, MediaStatus, Reply as EngineReply};
use crate::model::{Source, SourceKind};
use crate::remote::protocol::{status, Failure};
use crate::remote::requests::{command, Fields, Host, Reply};

/// Answers `GetMediaInputStatus`, `TriggerMediaInputAction`,
/// `SetMediaInputCursor` and `OffsetMediaInputCursor` about `input`.
pub(super) async fn answer(host: &impl Host, kind: &str, input: &Source, data: &Fields<'_>) -> Reply {
    if !matches!(input.kind, SourceKind::Media { .. }) {
        return Err(Failure::new(status::INVALID_INPUT_KIND, format!("{} is not a media file", input.name)));
    }
    let now = media_status(host, input).await?;
    if kind == "GetMediaInputStatus" {
        let ms = |d: Option<Duration>| d.map(|d| d.as_millis() as u64);
        return Ok(json!({
            "mediaState": state_name(now.state),
            "mediaDuration": ms(now.duration),
            "mediaCursor": ms(now.position),
        }));
    }
    let action = match kind {
        "TriggerMediaInputAction" => match data.text("mediaAction")? {
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_NONE" => return Ok(Value::Null),
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PLAY" => MediaAction::Play,
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PAUSE" => MediaAction::Pause,
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_STOP" => MediaAction::Stop,
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_RESTART" => MediaAction::Restart,
            "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_NEXT" | "OBS_WEBSOCKET_MEDIA_INPUT_ACTION_PREVIOUS" => {
                return Err(Failure::new(status::CANNOT_ACT, "a media file has no next or previous item"))
            }
            other => {
                return Err(Failure::new(status::INVALID_REQUEST_FIELD, format!("no media action {other}")))
            }
        },
        "SetMediaInputCursor" => MediaAction::Seek(place(data.number("mediaCursor")?)?),
        _ => {
            let here = now.position.unwrap_or_default().as_millis() as f64;
            MediaAction::Seek(place(here + data.number("mediaCursorOffset")?)?)
        }
    };
    if now.state == MediaState::Idle || now.state == MediaState::Failed {
        return Err(Failure::new(
            status::INVALID_RESOURCE_STATE,
            format!("{} is not playing: a file plays while a scene shows it", input.name),
        ));
    }
    command(host, Command::Media { source: input.id.clone(), action }).await.map(|_| Value::Null)
}

async fn media_status(host: &impl Host, input: &Source) -> Result<MediaStatus, Failure> {
    match command(host, Command::MediaStatus(input.id.clone())).await?.reply {
        EngineReply::Media(status) => Ok(status),
        other => Err(Failure::new(status::REQUEST_PROCESSING_FAILED, format!("unexpected {other:?}"))),
    }
}

/// A place in milliseconds, from 0 (a place before the start is the start).
fn place(ms: f64) -> Result<Duration, Failure> {
    match ms.is_finite() {
        true => Ok(Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 1e9))),
        false => Err(Failure::new(status::REQUEST_FIELD_OUT_OF_RANGE, "mediaCursor is not a number")),
    }
}

fn state_name(state: MediaState) -> &'static str {
    match state {
        MediaState::Idle => "OBS_MEDIA_STATE_NONE",
        MediaState::Playing => "OBS_MEDIA_STATE_PLAYING",
        MediaState::Paused => "OBS_MEDIA_STATE_PAUSED",
        MediaState::Stopped => "OBS_MEDIA_STATE_STOPPED",
        MediaState::Ended => "OBS_MEDIA_STATE_ENDED",
        MediaState::Failed => "OBS_MEDIA_STATE_ERROR",
    }
}
