//! How many children a peer's uplink can carry, learnt from what reaches
//! them: what each child's QUIC connection delivered (bytes sent on the
//! wire less those lost), against the stream's own rate. When a child gets
//! less than its copy while the peer delivers fewer copies than it has
//! children, the copies it managed are what its upload carries: it keeps
//! that many children (one at least), lets the others go (those that got
//! least: they find another parent), tells the tracker, and tries one more
//! place after a calm while, less often each time the try fails.
//!
//! Children on one uplink rarely share it fairly (one keeps up, another
//! starves), so one child short is enough to look; the copies delivered
//! say whether the uplink is what is short or that child's own link.
//! (The queues of the relay say nothing here: QUIC takes what is written
//! into its buffers, and the wait is on the wire.)
//!
//! ```text
//!  every report (500 ms):  per child: bytes delivered ─┐
//!                          bytes of the stream published ┴─> Uplink::tick ─> places (fewer, or one more)
//!  over the last two seconds (children there all along)
//! ```

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use iroh::EndpointId;

/// A child that got less than this share of the stream in a window is short.
const SHORT_SHARE: f64 = 0.75;
/// The uplink is short when it delivered fewer copies than children less this.
const SHORT_BY: f64 = 0.25;
/// The window the copies are counted over, in reports (500 ms each),
/// sliding by one report: two seconds hold two keyframes, so a keyframe
/// still on the wire when the window ends weighs little.
const WINDOW_REPORTS: usize = 4;
/// How long the uplink must keep up before one more place is tried; it
/// doubles each time a try fills it again, up to `MOST_PATIENCE`.
const FIRST_PATIENCE: Duration = Duration::from_secs(30);
const MOST_PATIENCE: Duration = Duration::from_secs(600);

/// What a peer has delivered so far, at one report.
#[derive(Debug, Clone)]
pub struct Sending {
    /// Bytes each child's connection delivered so far.
    pub delivered: Vec<(EndpointId, u64)>,
    /// Bytes of the stream received (and passed on) so far.
    pub published: u64,
    pub now: Instant,
}

/// The decision of one window.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub places: usize,
    /// The children to let go, those that got least first.
    pub let_go: Vec<EndpointId>,
    /// Copies of the stream delivered in the window.
    pub copies: f64,
}

#[derive(Debug)]
pub struct Uplink {
    /// The most places it may give (`--children`).
    ceiling: usize,
    places: usize,
    /// The reports of the current window, oldest first.
    reports: VecDeque<Sending>,
    calm_since: Instant,
    patience: Duration,
    /// Copies delivered in the last window, and to how many children.
    last_window: Option<(f64, usize)>,
}

impl Uplink {
    pub fn new(ceiling: usize, now: Instant) -> Self {
        Self {
            ceiling,
            places: ceiling,
            reports: VecDeque::new(),
            calm_since: now,
            patience: FIRST_PATIENCE,
            last_window: None,
        }
    }

    /// The places it gives now.
    #[cfg(test)]
    pub fn places(&self) -> usize {
        self.places
    }

    /// Takes one report; returns a change of places when there is one.
    pub fn tick(&mut self, s: &Sending) -> Option<Change> {
        self.reports.push_back(s.clone());
        if self.reports.len() <= WINDOW_REPORTS {
            return None;
        }
        let start = self.reports.pop_front()?;
        let published = s.published.saturating_sub(start.published);
        if published == 0 {
            return None;
        }
        // The children there for the whole window: what each one got.
        let before: HashMap<EndpointId, u64> = start.delivered.iter().copied().collect();
        let mut got: Vec<(f64, EndpointId)> = s
            .delivered
            .iter()
            .filter_map(|(id, now)| {
                Some((now.saturating_sub(*before.get(id)?) as f64 / published as f64, *id))
            })
            .collect();
        got.sort_by(|a, b| a.0.total_cmp(&b.0));
        let copies: f64 = got.iter().map(|(share, _)| share).sum();
        let short = got.first().is_some_and(|(share, _)| *share < SHORT_SHARE);
        self.last_window = Some((copies, got.len()));
        if !short {
            let waited = s.now.duration_since(self.calm_since) >= self.patience;
            if waited && self.places < self.ceiling && s.delivered.len() >= self.places {
                // Full of children and keeping up with them for long: try one more.
                self.places += 1;
                self.calm_since = s.now;
                return Some(Change { places: self.places, let_go: Vec::new(), copies });
            }
            return None;
        }
        self.calm_since = s.now;
        let fewer = self.fewer_places(copies, got.len());
        if fewer {
            // The next decision on a window of what follows.
            self.reports.clear();
            self.reports.push_back(s.clone());
        }
        let excess = s.delivered.len().saturating_sub(self.places);
        let let_go: Vec<EndpointId> = got.iter().take(excess).map(|(_, id)| *id).collect();
        (fewer || !let_go.is_empty()).then_some(Change { places: self.places, let_go, copies })
    }

    /// A child left on its own (it found this peer too slow, or went
    /// away): when the last window delivered fewer copies than children,
    /// the uplink was short; returns the new number of places if so.
    /// Children often leave a starving parent before a window shows it.
    pub fn child_left(&mut self, now: Instant) -> Option<Change> {
        let (copies, children) = self.last_window?;
        self.calm_since = now;
        self.fewer_places(copies, children).then_some(Change {
            places: self.places,
            let_go: Vec::new(),
            copies,
        })
    }

    /// Gives fewer places when `copies` delivered to `children` say the
    /// uplink is short; whether it did.
    fn fewer_places(&mut self, copies: f64, children: usize) -> bool {
        if children < 2 || copies >= children as f64 - SHORT_BY {
            // One child, or about a copy each: that child's own link held
            // it (or the machine), not this uplink.
            return false;
        }
        let keep = (copies.floor() as usize).clamp(1, children - 1);
        if keep >= self.places {
            return false;
        }
        self.places = keep;
        self.patience = (self.patience * 2).min(MOST_PATIENCE);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<EndpointId> {
        (0..n).map(|_| iroh::SecretKey::generate().public()).collect()
    }

    /// Reports every 500 ms for `seconds`, the stream 100 bytes a report,
    /// each child getting its `shares` of it; the changes made.
    fn run(
        uplink: &mut Uplink,
        start: Instant,
        from: f64,
        seconds: f64,
        children: &[(EndpointId, f64)],
    ) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut at = from;
        while at < from + seconds {
            at += 0.5;
            let delivered = children.iter().map(|(id, share)| (*id, (at * 200.0 * share) as u64)).collect();
            let sending = Sending {
                delivered,
                published: (at * 200.0) as u64,
                now: start + Duration::from_secs_f64(at),
            };
            changes.extend(uplink.tick(&sending));
        }
        changes
    }

    #[test]
    fn an_uplink_that_carries_one_and_a_half_copies_keeps_one_child_of_three() {
        let (start, c) = (Instant::now(), ids(3));
        let mut uplink = Uplink::new(4, start);
        // Shared unfairly: one keeps up, the others starve.
        // One window (2 s) after the first report.
        let changes = run(&mut uplink, start, 0.0, 2.5, &[(c[0], 1.0), (c[1], 0.3), (c[2], 0.2)]);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].places, 1);
        assert_eq!(changes[0].let_go, vec![c[2], c[1]], "those that got least go");
        assert!((changes[0].copies - 1.5).abs() < 0.05, "{changes:?}");
    }

    #[test]
    fn one_slow_child_or_one_child_alone_changes_nothing() {
        let (start, c) = (Instant::now(), ids(3));
        let mut uplink = Uplink::new(4, start);
        // One child short, but about three copies went out: its own link.
        assert_eq!(run(&mut uplink, start, 0.0, 10.0, &[(c[0], 1.0), (c[1], 1.0), (c[2], 0.8)]), vec![]);
        // A single child short: nothing to compare it with.
        assert_eq!(run(&mut uplink, start, 10.0, 10.0, &[(c[0], 0.3)]), vec![]);
        assert_eq!(uplink.places(), 4);
    }

    #[test]
    fn a_child_that_leaves_a_short_uplink_takes_a_place_with_it() {
        let (start, c) = (Instant::now(), ids(3));
        let mut uplink = Uplink::new(4, start);
        // Three children, 2.4 copies delivered, none short enough yet to be let go.
        let changes = run(&mut uplink, start, 0.0, 2.5, &[(c[0], 0.8), (c[1], 0.8), (c[2], 0.8)]);
        assert!(changes.is_empty(), "{changes:?}");
        let left = uplink.child_left(start + Duration::from_secs(3)).expect("fewer places");
        assert_eq!(left.places, 2, "2.4 copies carried: {left:?}");
    }

    #[test]
    fn a_place_is_tried_again_after_a_calm_while_less_often_each_time_it_fails() {
        let (start, c) = (Instant::now(), ids(2));
        let mut uplink = Uplink::new(4, start);
        let changes = run(&mut uplink, start, 0.0, 2.5, &[(c[0], 0.9), (c[1], 0.3)]);
        assert_eq!(changes.iter().map(|c| c.places).collect::<Vec<_>>(), vec![1]);
        // Calm with its one child: one more place after a minute (30 s doubled).
        let changes = run(&mut uplink, start, 2.5, 120.0, &[(c[0], 1.0)]);
        let first = changes.first().expect("a place is tried again");
        assert_eq!(first.places, 2);
        assert_eq!(changes.len(), 1, "one more only while it has fewer children than places: {changes:?}");
    }
}
