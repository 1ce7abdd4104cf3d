//! Plateau's own requests, under obs-websocket's vendor namespace:
//! `CallVendorRequest` with `vendorName` "plateau". The peer-to-peer show
//! and its audience, the podcast and its chapters, the destinations.

use serde_json::{json, Value};

use crate::remote::protocol::{status, Failure};
use crate::remote::requests::{Host, Reply};

pub const VENDOR: &str = "plateau";

/// The vendor requests, for `GetVersion`'s list and the docs.
pub const REQUESTS: &[&str] = &[
    "GetPeerToPeerStatus",
    "StartPeerToPeer",
    "StopPeerToPeer",
    "GetPodcastStatus",
    "StartPodcast",
    "StopPodcast",
    "AddChapter",
    "GetDestinationList",
];

/// Answers `CallVendorRequest`.
pub async fn answer(host: &impl Host, data: &Value) -> Reply {
    let text = |name: &str| {
        data.get(name).and_then(Value::as_str).ok_or_else(|| {
            Failure::new(status::MISSING_REQUEST_FIELD, format!("{name} (a string) is required"))
        })
    };
    let vendor = text("vendorName")?;
    if vendor != VENDOR {
        return Err(Failure::new(
            status::RESOURCE_NOT_FOUND,
            format!("no vendor named {vendor}: Plateau's is {VENDOR}"),
        ));
    }
    let kind = text("requestType")?;
    let args = data.get("requestData").cloned().unwrap_or(Value::Null);
    let failed = |e: String| Failure::new(status::RESOURCE_ACTION_FAILED, e);
    let response = match kind {
        "GetPeerToPeerStatus" => match host.swarm() {
            None => json!({ "active": false }),
            Some(s) => {
                let r = s.report.unwrap_or_default();
                json!({
                    "active": true,
                    "ticket": s.ticket,
                    "viewers": r.viewers,
                    "uploadKbps": r.upload_kbps,
                    "streamKbps": r.stream_kbps,
                    "offloadPercent": r.offload_percent,
                    "medianLatencyMs": r.median_latency_ms,
                })
            }
        },
        "StartPeerToPeer" => {
            if host.swarm().is_some() {
                return Err(Failure::new(status::OUTPUT_RUNNING, "already on the swarm"));
            }
            json!({ "ticket": host.start_swarm().await.map_err(failed)? })
        }
        "StopPeerToPeer" => {
            if host.swarm().is_none() {
                return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "not on the swarm"));
            }
            host.stop_swarm().await.map_err(failed)?;
            Value::Null
        }
        "GetPodcastStatus" => {
            let p = host.podcast();
            json!({ "outputActive": p.active, "outputDuration": p.duration_ms })
        }
        "StartPodcast" => {
            if host.podcast().active {
                return Err(Failure::new(status::OUTPUT_RUNNING, "already recording a podcast"));
            }
            json!({ "outputPath": host.start_podcast().await.map_err(failed)? })
        }
        "StopPodcast" => {
            if !host.podcast().active {
                return Err(Failure::new(status::OUTPUT_NOT_RUNNING, "no podcast is recorded"));
            }
            json!({ "outputPath": host.stop_podcast().await.map_err(failed)? })
        }
        "AddChapter" => {
            let title = match args.get("chapterName") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.chars().count() <= 200 => Some(s.clone()),
                Some(_) => {
                    return Err(Failure::new(
                        status::INVALID_REQUEST_FIELD,
                        "chapterName is a string of 200 characters at most",
                    ))
                }
            };
            if !host.podcast().active {
                return Err(Failure::new(
                    status::OUTPUT_NOT_RUNNING,
                    "chapters go into a podcast: start one first",
                ));
            }
            let (number, seconds) = host.add_chapter(title).map_err(failed)?;
            json!({ "chapterNumber": number, "chapterSeconds": seconds })
        }
        "GetDestinationList" => {
            let list: Vec<Value> = host
                .destinations()
                .into_iter()
                .map(|d| json!({ "destinationName": d.name, "server": d.server, "enabled": d.enabled, "state": d.state }))
                .collect();
            json!({ "destinations": list })
        }
        other => {
            return Err(Failure::new(
                status::UNKNOWN_REQUEST_TYPE,
                format!("Plateau's vendor requests do not include {other}"),
            ))
        }
    };
    Ok(json!({ "vendorName": VENDOR, "requestType": kind, "responseData": response }))
}
