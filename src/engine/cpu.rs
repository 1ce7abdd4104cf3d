//! How much processor time Plateau uses, from `/proc/self/stat` (all
//! threads: the engine's, GStreamer's and the interface's).

use std::time::Instant;

/// Kernel clock ticks per second for /proc times (USER_HZ: 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// Measures CPU use between two samples.
#[derive(Debug, Default)]
pub struct CpuMeter {
    last: Option<(Instant, u64)>,
}

impl CpuMeter {
    /// Percent of one core used since the previous sample (none the first
    /// time, or where /proc cannot be read).
    pub fn sample(&mut self) -> Option<f64> {
        let now = (Instant::now(), process_ticks()?);
        let previous = self.last.replace(now)?;
        let seconds = now.0.duration_since(previous.0).as_secs_f64();
        (seconds > 0.05)
            .then(|| (now.1.saturating_sub(previous.1)) as f64 / TICKS_PER_SECOND / seconds * 100.0)
    }
}

/// User plus system time of this process, in clock ticks.
fn process_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces: count from after its ')'.
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 2..)?.split_whitespace().collect();
    // utime and stime are fields 14 and 15, the 12th and 13th after the name.
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_thread_shows_as_about_one_core() {
        let mut meter = CpuMeter::default();
        assert_eq!(meter.sample(), None, "nothing to compare with yet");
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed().as_millis() < 500 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        let percent = meter.sample().expect("a second sample");
        assert!((60.0..=140.0).contains(&percent), "one spinning thread: {percent:.0} %");
    }
}
