//! The ranges every number of a collection must be in, checked in one
//! place: when a file is loaded and at every edit, so that no value the
//! engine cannot take (a negative frequency, a 30000-pixel text box, a
//! crop that wraps) ever reaches it. Messages name the field and the range.

use super::{SceneItem, Source, SourceKind};

/// Checks a source's numbers.
pub fn check_source(s: &Source) -> Result<(), String> {
    let field = |name: &str| format!("source `{}` ({}), {name}", s.name, s.id);
    let within = |name: &str, value: f64, min: f64, max: f64| within(&field(name), value, min, max);
    within("volume", s.volume, 0.0, 10.0)?;
    match &s.kind {
        SourceKind::Tone { frequency } => within("frequency", *frequency, 1.0, 20_000.0),
        SourceKind::Text { size, width, height, .. } => {
            within("size", f64::from(*size), 1.0, 1000.0)?;
            within("width", f64::from(*width), 1.0, 8192.0)?;
            within("height", f64::from(*height), 1.0, 8192.0)
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
