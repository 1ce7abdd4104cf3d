//! Text sources that change by themselves: a clock, a countdown, a
//! stopwatch, a ticker.
//!
//! ```text
//!  videotestsrc (transparent, live) ─► caps ─► textoverlay ─► … appsink
//!                                               ▲
//!             before each frame, a probe sets its text (clock, countdown,
//!             stopwatch) or how far it has scrolled (ticker)
//! ```
//!
//! The text is drawn by Pango as any text source's, so right-to-left and
//! complex scripts shape the same way.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use gst::prelude::*;

use crate::engine::error::EngineError;
use crate::model::{format_duration, CountdownTarget, TextMotion};

/// What the text shows now.
enum Content {
    Clock { zone: glib::TimeZone, format: String },
    Countdown { ends: Ends, format: String, at_zero: String },
    Stopwatch { since: Instant, format: String },
}

enum Ends {
    At(Instant),
    /// A time of day, the next time the computer's clock reads it.
    Clock(glib::DateTime),
}

impl Content {
    fn new(motion: &TextMotion, text: &str) -> Result<Option<Self>, EngineError> {
        let format = text.to_owned();
        Ok(Some(match motion {
            TextMotion::Still | TextMotion::Ticker { .. } => return Ok(None),
            TextMotion::Clock { time_zone } => {
                let zone = match time_zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
                    None => glib::TimeZone::local(),
                    Some(name) => glib::TimeZone::from_identifier(Some(name)).ok_or_else(|| {
                        EngineError::Invalid(format!("“{name}” is not a time zone (like Europe/Paris)"))
                    })?,
                };
                let now = glib::DateTime::now(&zone).map_err(|e| EngineError::Invalid(e.to_string()))?;
                now.format(&format).map_err(|_| {
                    EngineError::Invalid(format!("“{format}” is not a clock format (like %H:%M:%S)"))
                })?;
                Content::Clock { zone, format }
            }
            TextMotion::Countdown { to, at_zero } => {
                let ends = match to {
                    CountdownTarget::Seconds(s) => Ends::At(Instant::now() + Duration::from_secs(*s)),
                    CountdownTarget::Time(time) => Ends::Clock(next_time_of_day(time)?),
                };
                Content::Countdown { ends, format, at_zero: at_zero.clone() }
            }
            TextMotion::Stopwatch => Content::Stopwatch { since: Instant::now(), format },
        }))
    }

    fn text(&self) -> String {
        match self {
            Content::Clock { zone, format } => glib::DateTime::now(zone)
                .and_then(|now| now.format(format))
                .map(|t| t.to_string())
                .unwrap_or_default(),
            Content::Countdown { ends, format, at_zero } => {
                let left = match ends {
                    Ends::At(at) => at.saturating_duration_since(Instant::now()),
                    Ends::Clock(at) => glib::DateTime::now_local()
                        .map(|now| Duration::from_micros(at.difference(&now).as_microseconds().max(0) as u64))
                        .unwrap_or_default(),
                };
                // A countdown shows the seconds it has begun: 3, 2, 1, then zero.
                match left.as_micros().div_ceil(1_000_000) as u64 {
                    0 => at_zero.clone(),
                    seconds => format_duration(format, seconds),
                }
            }
            Content::Stopwatch { since, format } => format_duration(format, since.elapsed().as_secs()),
        }
    }
}

/// The next time the computer's clock reads `time` (`HH:MM[:SS]`).
fn next_time_of_day(time: &str) -> Result<glib::DateTime, EngineError> {
    let of_day = CountdownTarget::time_of_day(time).map_err(EngineError::Invalid)?;
    let glib_error = |e: glib::BoolError| EngineError::Invalid(e.to_string());
    let now = glib::DateTime::now_local().map_err(glib_error)?;
    let (y, m, d) = now.ymd();
    let (h, min, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
    let today =
        glib::DateTime::from_local(y, m, d, h as i32, min as i32, f64::from(s)).map_err(glib_error)?;
    match today.difference(&now).as_microseconds() > 0 {
        true => Ok(today),
        false => today.add_days(1).map_err(glib_error),
    }
}

/// Makes `overlay` show what `motion` says of `text` from now on: its
/// text before each frame, or, for a ticker, where the text has scrolled
/// to in a box `width` pixels wide. Errors name what cannot be shown (a
/// time zone, a format).
pub fn drive(overlay: &gst::Element, motion: &TextMotion, text: &str, width: u32) -> Result<(), EngineError> {
    let pad = overlay
        .static_pad("video_sink")
        .ok_or_else(|| EngineError::Invalid("textoverlay has no video pad".into()))?;
    if let TextMotion::Ticker { speed } = motion {
        overlay.set_property("text", text);
        overlay.set_property_from_str("halignment", "left");
        overlay.set_property_from_str("wrap-mode", "none");
        overlay.set_property("xpad", 0i32);
        overlay.set_property("deltax", width as i32);
        let (speed, width) = (f64::from(*speed), f64::from(width));
        let weak = overlay.downgrade();
        pad.add_probe(gst::PadProbeType::BUFFER, move |_, info| {
            let (Some(overlay), Some(pts)) = (weak.upgrade(), info.buffer().and_then(|b| b.pts())) else {
                return gst::PadProbeReturn::Ok;
            };
            // It comes in from the right, leaves on the left, and comes in again.
            let text_width = f64::from(overlay.property::<u32>("text-width").max(1));
            let travelled = (speed * pts.seconds_f64()) % (width + text_width);
            overlay.set_property("deltax", (width - travelled).round() as i32);
            gst::PadProbeReturn::Ok
        });
        return Ok(());
    }
    let Some(content) = Content::new(motion, text)? else { return Ok(()) };
    overlay.set_property("text", content.text());
    let shown = Mutex::new(String::new());
    let weak = overlay.downgrade();
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        let (Some(overlay), now) = (weak.upgrade(), content.text()) else { return gst::PadProbeReturn::Ok };
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        if *shown != now {
            overlay.set_property("text", now.as_str());
            *shown = now;
        }
        gst::PadProbeReturn::Ok
    });
    Ok(())
}
