//! Text sources that change by themselves: a clock, a countdown, a
//! stopwatch, a ticker. The source's text is then the format (`%H:%M:%S`)
//! or, for a ticker, what scrolls.

use serde::{Deserialize, Serialize};

/// What a text source shows besides the text as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TextMotion {
    /// The text as typed.
    #[default]
    Still,
    /// The time now, formatted by the text (strftime: `%H:%M`, `%A %e %B`),
    /// in a time zone (`Europe/Paris`; none: the computer's).
    Clock {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        time_zone: Option<String>,
    },
    /// The time left, formatted by the text (`%H`, `%M`, `%S`: hours,
    /// minutes, seconds); `at_zero` is shown once it has run out.
    Countdown {
        to: CountdownTarget,
        #[serde(default)]
        at_zero: String,
    },
    /// The time since the source appeared, formatted like a countdown.
    Stopwatch,
    /// The text scrolls from right to left, `speed` pixels a second.
    Ticker { speed: u32 },
}

/// Where a countdown ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountdownTarget {
    /// This many seconds after the source appears.
    Seconds(u64),
    /// The next time the clock of the computer reads `HH:MM` or `HH:MM:SS`.
    Time(String),
}

/// The format a clock, a countdown and a stopwatch start with.
pub const DEFAULT_TIME_FORMAT: &str = "%H:%M:%S";

impl TextMotion {
    pub fn is_still(&self) -> bool {
        matches!(self, TextMotion::Still)
    }
}

impl CountdownTarget {
    /// The time of day a [`CountdownTarget::Time`] names, in seconds after
    /// midnight, or why it is not one.
    pub fn time_of_day(text: &str) -> Result<u32, String> {
        let parts: Vec<&str> = text.trim().split(':').collect();
        let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
        match numbers.as_deref() {
            Some([h, m]) if *h < 24 && *m < 60 => Ok(h * 3600 + m * 60),
            Some([h, m, s]) if *h < 24 && *m < 60 && *s < 60 => Ok(h * 3600 + m * 60 + s),
            _ => Err(format!("“{text}” is not a time of day like 20:00 or 20:00:30")),
        }
    }
}

/// `template` with `%H`, `%M`, `%S` replaced by the hours, minutes and
/// seconds of `seconds` (two digits each; hours as many as needed) and
/// `%%` by `%`.
pub fn format_duration(template: &str, seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    let mut out = String::with_capacity(template.len() + 8);
    let mut chars = template.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('H') => out.push_str(&format!("{h:02}")),
            Some('M') => out.push_str(&format!("{m:02}")),
            Some('S') => out.push_str(&format!("{s:02}")),
            Some('%') => out.push('%'),
            Some(other) => {
                out.push('%');
                out.push(other);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fill_a_format_and_times_of_day_are_checked() {
        assert_eq!(format_duration(DEFAULT_TIME_FORMAT, 3725), "01:02:05");
        assert_eq!(format_duration("%M:%S left, 100%%", 59), "00:59 left, 100%");
        assert_eq!(format_duration("%H h", 360_000), "100 h");
        assert_eq!(format_duration("%x %", 1), "%x %");
        assert_eq!(CountdownTarget::time_of_day("20:00"), Ok(72_000));
        assert_eq!(CountdownTarget::time_of_day(" 07:05:09 "), Ok(25_509));
        for bad in ["24:00", "20", "20:60", "8pm", "", "1:2:3:4"] {
            assert!(CountdownTarget::time_of_day(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_moving_text_reads_back_from_its_file() {
        for motion in [
            TextMotion::Still,
            TextMotion::Clock { time_zone: Some("Europe/Paris".into()) },
            TextMotion::Countdown { to: CountdownTarget::Seconds(300), at_zero: "On air".into() },
            TextMotion::Countdown { to: CountdownTarget::Time("20:00".into()), at_zero: String::new() },
            TextMotion::Stopwatch,
            TextMotion::Ticker { speed: 120 },
        ] {
            let text = serde_json::to_string(&motion).unwrap();
            assert_eq!(serde_json::from_str::<TextMotion>(&text).unwrap(), motion, "{text}");
        }
    }
}
