//! Playout: a channel that runs by itself. The rundown is the order of
//! scenes on air, each for a time or until its media ends, the whole in a
//! loop or once; an entry can be due at a time of day (the news at 20:00).
//!
//! ```json
//! "rundown": { "loop": true, "entries": [
//!   { "scene": "Opening", "seconds": 10 },
//!   { "scene": "Clip", "until_media_ends": true },
//!   { "scene": "News", "seconds": 600, "at": "20:00" } ] }
//! ```

use serde::{Deserialize, Serialize};

use super::CountdownTarget;

/// The scenes a playout puts on air, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rundown {
    #[serde(default)]
    pub entries: Vec<RundownEntry>,
    /// After the last entry, the first again.
    #[serde(default, rename = "loop")]
    pub looping: bool,
}

/// One scene of the rundown, and how long it stays on air.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RundownEntry {
    pub scene: String,
    #[serde(flatten)]
    pub length: EntryLength,
    /// A time of day (`20:00`): the playout goes to this entry then,
    /// whatever is on air.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// How long an entry stays on air.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntryLength {
    Seconds {
        seconds: f64,
    },
    /// Until the media files of its scene have played to their end.
    UntilMediaEnds {
        until_media_ends: bool,
    },
}

impl EntryLength {
    pub fn seconds(s: f64) -> Self {
        EntryLength::Seconds { seconds: s }
    }

    pub const UNTIL_MEDIA_ENDS: EntryLength = EntryLength::UntilMediaEnds { until_media_ends: true };

    /// Its length, when it has one.
    pub fn as_seconds(&self) -> Option<f64> {
        match self {
            EntryLength::Seconds { seconds } => Some(*seconds),
            EntryLength::UntilMediaEnds { .. } => None,
        }
    }
}

impl Rundown {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Checks the rundown against the scenes there are.
    pub fn check(&self, has_scene: impl Fn(&str) -> bool) -> Result<(), String> {
        for (n, e) in self.entries.iter().enumerate() {
            let at = format!("rundown entry {} (`{}`)", n + 1, e.scene);
            if !has_scene(&e.scene) {
                return Err(format!("{at}: no scene of that name"));
            }
            if let EntryLength::Seconds { seconds } = e.length {
                if !(seconds.is_finite() && (0.1..=86_400.0).contains(&seconds)) {
                    return Err(format!("{at}: seconds is {seconds}: it must be 0.1 to 86400"));
                }
            }
            if let Some(time) = &e.at {
                CountdownTarget::time_of_day(time).map_err(|why| format!("{at}: {why}"))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rundown_reads_back_and_is_checked() {
        let text = r#"{ "loop": true, "entries": [
            { "scene": "A", "seconds": 2 }, { "scene": "B", "until_media_ends": true }, { "scene": "A", "seconds": 5, "at": "20:00" } ] }"#;
        let rundown: Rundown = serde_json::from_str(text).unwrap();
        assert!(rundown.looping);
        assert_eq!(rundown.entries[0].length, EntryLength::seconds(2.0));
        assert_eq!(rundown.entries[1].length, EntryLength::UNTIL_MEDIA_ENDS);
        assert_eq!(rundown.entries[2].at.as_deref(), Some("20:00"));
        let again: Rundown = serde_json::from_str(&serde_json::to_string(&rundown).unwrap()).unwrap();
        assert_eq!(again, rundown);
        assert_eq!(rundown.check(|s| s == "A" || s == "B"), Ok(()));
        assert!(rundown.check(|s| s == "A").unwrap_err().contains("entry 2 (`B`): no scene"));
        let mut bad = rundown.clone();
        bad.entries[0].length = EntryLength::seconds(0.0);
        assert!(bad.check(|_| true).unwrap_err().contains("seconds is 0"));
        bad.entries[0].length = EntryLength::seconds(1.0);
        bad.entries[2].at = Some("25:00".into());
        assert!(bad.check(|_| true).unwrap_err().contains("not a time of day"));
    }
}
