//! The rows of a text source's properties that say how it moves by itself:
//! a clock's time zone, where a countdown ends and what it shows at zero,
//! a ticker's speed.

use adw::prelude::*;
use gettextrs::gettext;
use plateau::model::{CountdownTarget, Source, SourceKind, TextMotion};

use super::source_properties::Edit;

/// What the text row is called for this kind of text.
pub fn text_title(motion: &TextMotion) -> String {
    match motion {
        TextMotion::Still | TextMotion::Ticker { .. } => gettext("Text"),
        TextMotion::Clock { .. } => gettext("Format (%H:%M:%S, %A %e %B…)"),
        TextMotion::Countdown { .. } | TextMotion::Stopwatch => gettext("Format (%H, %M, %S)"),
    }
}

/// Adds the rows `motion` has to `group`.
pub fn add(group: &adw::PreferencesGroup, motion: &TextMotion, edit: Edit) {
    match motion {
        TextMotion::Still | TextMotion::Stopwatch => {}
        TextMotion::Clock { time_zone } => {
            let row = entry(
                &gettext("Time zone (Europe/Paris; empty: this computer’s)"),
                time_zone.as_deref().unwrap_or(""),
                edit,
                |motion, text| {
                    let zone = text.trim();
                    let known = zone.is_empty() || glib::TimeZone::from_identifier(Some(zone)).is_some();
                    if let (true, TextMotion::Clock { time_zone }) = (known, motion) {
                        *time_zone = (!zone.is_empty()).then(|| zone.to_owned());
                    }
                    known
                },
            );
            group.add(&row);
        }
        TextMotion::Countdown { to, at_zero } => {
            let shown = match to {
                CountdownTarget::Seconds(s) => s.to_string(),
                CountdownTarget::Time(t) => t.clone(),
            };
            group.add(&entry(
                &gettext("Counts down to a time (20:00) or for seconds (300)"),
                &shown,
                edit.clone(),
                |motion, text| {
                    let Some(target) = countdown_target(text) else { return false };
                    if let TextMotion::Countdown { to, .. } = motion {
                        *to = target;
                    }
                    true
                },
            ));
            group.add(&entry(&gettext("Shown at zero"), at_zero, edit, |motion, text| {
                if let TextMotion::Countdown { at_zero, .. } = motion {
                    *at_zero = text.to_owned();
                }
                true
            }));
        }
        TextMotion::Ticker { speed } => {
            let row = adw::ActionRow::builder().title(gettext("Speed (pixels a second)")).build();
            let spin = gtk::SpinButton::with_range(1.0, 5000.0, 10.0);
            spin.set_value(f64::from(*speed));
            spin.set_valign(gtk::Align::Center);
            spin.update_property(&[gtk::accessible::Property::Label(&gettext("Speed (pixels a second)"))]);
            spin.connect_value_changed(move |b| {
                let v = b.value() as u32;
                edit(&|s| {
                    if let Some(TextMotion::Ticker { speed }) = motion_of(s) {
                        *speed = v;
                    }
                })
            });
            row.add_suffix(&spin);
            group.add(&row);
        }
    }
}

/// A countdown's end as a person types it: `20:00`, `20:00:30` or seconds.
fn countdown_target(text: &str) -> Option<CountdownTarget> {
    let text = text.trim();
    match text.contains(':') {
        true => CountdownTarget::time_of_day(text).ok().map(|_| CountdownTarget::Time(text.to_owned())),
        false => text.parse().ok().filter(|s| *s <= 8_640_000).map(CountdownTarget::Seconds),
    }
}

fn motion_of(source: &mut Source) -> Option<&mut TextMotion> {
    match &mut source.kind {
        SourceKind::Text { motion, .. } => Some(motion),
        _ => None,
    }
}

/// An entry row whose text `set` applies to the motion when it can
/// (returning whether it could); the row shows an error until then.
fn entry(title: &str, text: &str, edit: Edit, set: fn(&mut TextMotion, &str) -> bool) -> adw::EntryRow {
    let row = adw::EntryRow::builder().title(title).text(text).build();
    row.connect_changed(move |row| {
        let text = row.text().to_string();
        let mut probe = TextMotion::Still;
        let valid = set(&mut probe, &text);
        match valid {
            true => row.remove_css_class("error"),
            false => row.add_css_class("error"),
        }
        if valid {
            edit(&|s| {
                if let Some(motion) = motion_of(s) {
                    set(motion, &text);
                }
            });
        }
    });
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_countdown_ends_at_a_time_or_after_seconds() {
        assert_eq!(countdown_target("20:00"), Some(CountdownTarget::Time("20:00".into())));
        assert_eq!(countdown_target(" 300 "), Some(CountdownTarget::Seconds(300)));
        assert_eq!(countdown_target("25:00"), None);
        assert_eq!(countdown_target("five"), None);
    }
}
