//! The main loop's watchdog: a timeout every 10 ms notes how long the
//! loop went without running it. A gap is time the window could not
//! answer: nothing on the interface thread may wait that long.
//!
//! Gaps over 100 ms are logged. With `PLATEAU_WATCHDOG_LOG=FILE`, every
//! gap over 20 ms is also appended to FILE as `END_UNIX_MS GAP_MS`, so
//! that tests can ask how long the window was blocked while they pressed
//! something (and only then).

use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const TICK: Duration = Duration::from_millis(10);
const WORTH_NOTING: Duration = Duration::from_millis(20);
const BLOCKED: Duration = Duration::from_millis(100);

/// Starts watching the default main context, for the life of the process.
pub fn start() {
    let mut file = std::env::var_os("PLATEAU_WATCHDOG_LOG").and_then(|path| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .inspect_err(|e| tracing::warn!(%e, "the watchdog log cannot be written"))
            .ok()
    });
    if let Some(f) = file.as_mut() {
        let _ = writeln!(f, "# watching every {} ms", TICK.as_millis());
    }
    let mut last = Instant::now();
    glib::timeout_add_local(TICK, move || {
        let now = Instant::now();
        let gap = now.duration_since(last);
        last = now;
        if gap >= BLOCKED {
            tracing::warn!(gap_ms = gap.as_millis() as u64, "the main loop was blocked");
        }
        if let (Some(f), true) = (file.as_mut(), gap >= WORTH_NOTING) {
            let end = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            let _ = writeln!(f, "{} {}", end.as_millis(), gap.as_millis());
        }
        glib::ControlFlow::Continue
    });
}
