//! The ranges every number of a collection must be in, checked in one
//! place: when a file is loaded and at every edit, so that no value the
//! engine cannot take (a negative frequency, a 30000-pixel text box, a
//! crop that wraps) ever reaches it. Messages name the field and the range.

use super::{CountdownTarget, FilterKind, SceneItem, Source, SourceKind, TextMotion};

/// Checks a source's numbers.
pub fn check_source(s: &Source) -> Result<(), String> {
    let field = |name: &str| format!("source `{}` ({}), {name}", s.name, s.id);
    let within = |name: &str, value: f64, min: f64, max: f64| within(&field(name), value, min, max);
    if s.id.as_str().starts_with('@') {
        return Err(format!("{}: ids beginning with @ are Plateau's own", field("id")));
    }
    within("volume", s.volume, 0.0, 10.0)?;
    for (i, f) in s.filters.iter().enumerate() {
        check_filter(&f.kind, &|name: &str| field(&format!("filters[{i}] ({}).{name}", f.kind.id())))?;
    }
    match &s.kind {
        SourceKind::Tone { frequency } => within("frequency", *frequency, 1.0, 20_000.0),
        SourceKind::Text { size, width, height, motion, .. } => {
            within("size", f64::from(*size), 1.0, 1000.0)?;
            within("width", f64::from(*width), 1.0, 8192.0)?;
            within("height", f64::from(*height), 1.0, 8192.0)?;
            match motion {
                TextMotion::Ticker { speed } => within("motion.speed", f64::from(*speed), 1.0, 5000.0),
                TextMotion::Countdown { to: CountdownTarget::Seconds(s), .. } => {
                    within("motion.to.seconds", *s as f64, 0.0, 8_640_000.0)
                }
                TextMotion::Countdown { to: CountdownTarget::Time(t), .. } => CountdownTarget::time_of_day(t)
                    .map(|_| ())
                    .map_err(|e| format!("{}: {e}", field("motion.to.time"))),
                TextMotion::Clock { time_zone: Some(zone) } if zone.len() > 64 => {
                    Err(format!("{} is longer than 64 characters", field("motion.time_zone")))
                }
                _ => Ok(()),
            }
        }
        SourceKind::Slideshow { seconds, fade_ms, width, height, .. } => {
            within("seconds", *seconds, 0.5, 86_400.0)?;
            within("fade_ms", f64::from(*fade_ms), 0.0, (seconds * 1000.0 / 2.0).min(10_000.0))?;
            within("width", f64::from(*width), 16.0, 7680.0)?;
            within("height", f64::from(*height), 16.0, 4320.0)
        }
        SourceKind::Chat { size, width, height, lines, .. } => {
            within("size", f64::from(*size), 1.0, 1000.0)?;
            within("width", f64::from(*width), 1.0, 8192.0)?;
            within("height", f64::from(*height), 1.0, 8192.0)?;
            within("lines", f64::from(*lines), 1.0, 100.0)
        }
        SourceKind::Webcam { width, height, fps, .. } => {
            within("width", f64::from(*width), 16.0, 7680.0)?;
            within("height", f64::from(*height), 16.0, 4320.0)?;
            within("fps", f64::from(*fps), 1.0, 240.0)
        }
        SourceKind::ScreenX11 { region: Some(r), .. } => {
            within("region.x", f64::from(r.x), 0.0, 65_535.0)?;
            within("region.y", f64::from(r.y), 0.0, 65_535.0)?;
            within("region.width", f64::from(r.width), 1.0, 16_384.0)?;
            within("region.height", f64::from(r.height), 1.0, 16_384.0)
        }
        _ => Ok(()),
    }
}

/// Checks a filter's numbers; `field` names one of them for messages.
fn check_filter(kind: &FilterKind, field: &dyn Fn(&str) -> String) -> Result<(), String> {
    let within = |name: &str, value: f64, min: f64, max: f64| within(&field(name), value, min, max);
    match kind {
        FilterKind::ChromaKey { similarity, smoothness, .. } => {
            within("similarity", *similarity, 0.0, 1.0)?;
            within("smoothness", *smoothness, 0.0, 1.0)
        }
        FilterKind::ColorCorrection { brightness, contrast, saturation, hue, gamma, opacity } => {
            within("brightness", *brightness, -1.0, 1.0)?;
            within("contrast", *contrast, 0.0, 2.0)?;
            within("saturation", *saturation, 0.0, 2.0)?;
            within("hue", *hue, -1.0, 1.0)?;
            within("gamma", *gamma, 0.1, 10.0)?;
            within("opacity", *opacity, 0.0, 1.0)
        }
        FilterKind::Blur { radius } => within("radius", *radius, 0.1, 20.0),
        FilterKind::RenderDelay { ms } | FilterKind::SyncOffset { ms } => {
            within("ms", f64::from(*ms), 0.0, 5000.0)
        }
        FilterKind::Sharpen { amount } => within("amount", *amount, 0.1, 5.0),
        FilterKind::Scroll { horizontal, vertical } => {
            within("horizontal", *horizontal, -2000.0, 2000.0)?;
            within("vertical", *vertical, -2000.0, 2000.0)
        }
        FilterKind::Rotate { degrees } => match degrees {
            90 | 180 | 270 => Ok(()),
            other => Err(format!("{} is {other}: it must be 90, 180 or 270", field("degrees"))),
        },
        FilterKind::NoiseGate { threshold_db } => within("threshold_db", *threshold_db, -96.0, 0.0),
        FilterKind::Compressor { threshold_db, ratio } => {
            within("threshold_db", *threshold_db, -60.0, 0.0)?;
            within("ratio", *ratio, 1.0, 32.0)
        }
        FilterKind::Limiter { threshold_db } => within("threshold_db", *threshold_db, -60.0, 0.0),
        FilterKind::Gain { db } => within("db", *db, -30.0, 30.0),
        FilterKind::Equalizer { low_db, mid_db, high_db } => {
            within("low_db", *low_db, -24.0, 12.0)?;
            within("mid_db", *mid_db, -24.0, 12.0)?;
            within("high_db", *high_db, -24.0, 12.0)
        }
        FilterKind::Lut { .. }
        | FilterKind::ImageMask { .. }
        | FilterKind::Flip { .. }
        | FilterKind::NoiseSuppression => Ok(()),
    }
}

/// Checks an item's numbers (in `scene`).
pub fn check_item(scene: &str, item: &SceneItem) -> Result<(), String> {
    let field = |name: &str| format!("scene `{scene}` item {}, {name}", item.id.0);
    let within = |name: &str, value: f64, min: f64, max: f64| within(&field(name), value, min, max);
    within("x", f64::from(item.x), -100_000.0, 100_000.0)?;
    within("y", f64::from(item.y), -100_000.0, 100_000.0)?;
    within("width", f64::from(item.width), 0.0, 16_384.0)?;
    within("height", f64::from(item.height), 0.0, 16_384.0)?;
    // Each side at most 16384: their sums cannot wrap.
    within("crop.left", f64::from(item.crop.left), 0.0, 16_384.0)?;
    within("crop.right", f64::from(item.crop.right), 0.0, 16_384.0)?;
    within("crop.top", f64::from(item.crop.top), 0.0, 16_384.0)?;
    within("crop.bottom", f64::from(item.crop.bottom), 0.0, 16_384.0)?;
    within("opacity", item.opacity, 0.0, 1.0)
}

fn within(field: &str, value: f64, min: f64, max: f64) -> Result<(), String> {
    match value.is_finite() && (min..=max).contains(&value) {
        true => Ok(()),
        false => Err(format!("{field} is {value}: it must be {min} to {max}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_frequency_is_named_with_its_range() {
        let s = Source::new("t", "Tone", SourceKind::Tone { frequency: -1.0 });
        let e = check_source(&s).unwrap_err();
        assert!(e.contains("frequency") && e.contains("-1") && e.contains("1 to 20000"), "{e}");
    }
}
