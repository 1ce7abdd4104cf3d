//! The broadcaster's map of its audience: who takes the stream from whom,
//! and which peer a viewer in want of a parent should take it from.
//!
//! The tree is kept shallow: a viewer is given the live peer nearest to
//! the broadcaster that has a free place, never one of its own
//! descendants, never one it has just left.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use iroh::EndpointId;

use super::wire::Steer;

/// A viewer that has not reported for this long is gone (or frozen).
pub const SILENT: Duration = Duration::from_millis(1500);
/// A place promised to a viewer is held this long before it shows in reports.
const PROMISE: Duration = Duration::from_secs(3);

#[derive(Debug)]
struct Peer {
    addrs: Vec<SocketAddr>,
    slots: usize,
    parent: Option<EndpointId>,
    children: Vec<EndpointId>,
    /// Viewers sent to this peer whose reports do not show them yet.
    promised: Vec<(EndpointId, Instant)>,
    seen: Instant,
    latency_ms: Option<u32>,
    /// When the tracker last gave it a parent.
    steered: Option<Instant>,
}

/// The broadcaster's side of the tracker.
#[derive(Debug)]
pub struct Tracker {
    me: EndpointId,
    my_addrs: Vec<SocketAddr>,
    peers: HashMap<EndpointId, Peer>,
    /// The broadcaster's own children and promises (its relay knows the former).
    my_promised: Vec<(EndpointId, Instant)>,
}

impl Tracker {
    pub fn new(me: EndpointId, my_addrs: Vec<SocketAddr>) -> Self {
        Self { me, my_addrs, peers: HashMap::new(), my_promised: Vec::new() }
    }

    pub fn join(&mut self, id: EndpointId, addrs: Vec<SocketAddr>, slots: usize) {
        let now = Instant::now();
        let peer = self.peers.entry(id).or_insert_with(|| Peer {
            addrs: Vec::new(),
            slots,
            parent: None,
            children: Vec::new(),
            promised: Vec::new(),
            seen: now,
            latency_ms: None,
            steered: None,
        });
        peer.addrs = addrs;
        peer.slots = slots;
        peer.seen = now;
    }

    pub fn leave(&mut self, id: &EndpointId) {
        self.peers.remove(id);
    }

    pub fn report(
        &mut self,
        id: EndpointId,
        parent: Option<EndpointId>,
        children: Vec<EndpointId>,
        latency_ms: Option<u32>,
        slots: usize,
    ) {
        let now = Instant::now();
        if let Some(peer) = self.peers.get_mut(&id) {
            peer.slots = slots;
            peer.promised.retain(|(c, at)| !children.contains(c) && now.duration_since(*at) < PROMISE);
            // A report without a parent just after the tracker gave it one
            // was written before the answer reached it (its reports and
            // its requests come from two tasks): the parent stays, or the
            // peer would be nobody's parent until its next report (at the
            // start of a show, everybody waited for it half a second).
            let just_steered = peer.steered.is_some_and(|at| now.duration_since(at) < PROMISE);
            if parent.is_some() || !just_steered {
                peer.parent = parent;
            }
            peer.children = children;
            peer.seen = now;
            peer.latency_ms = latency_ms;
        }
    }

    /// Viewers heard from lately.
    pub fn viewers(&self) -> usize {
        self.peers.values().filter(|p| p.seen.elapsed() < SILENT).count()
    }

    /// The median latency the audience reports, in milliseconds.
    pub fn median_latency_ms(&self) -> Option<u32> {
        let mut all: Vec<u32> =
            self.peers.values().filter(|p| p.seen.elapsed() < SILENT).filter_map(|p| p.latency_ms).collect();
        all.sort_unstable();
        all.get(all.len() / 2).copied()
    }

    /// Chooses a parent for `id`; `my_children` and `my_slots` are the
    /// broadcaster's own.
    pub fn steer(
        &mut self,
        id: EndpointId,
        exclude: &[EndpointId],
        my_children: &[EndpointId],
        my_slots: usize,
    ) -> Steer {
        let now = Instant::now();
        // Asking means it has no parent: until it is given one, it is
        // nobody's candidate, whatever it reported before.
        if let Some(peer) = self.peers.get_mut(&id) {
            peer.parent = None;
            peer.steered = None;
        }
        self.my_promised.retain(|(c, at)| !my_children.contains(c) && now.duration_since(*at) < PROMISE);
        let mine_taken = my_children.iter().filter(|c| **c != id).count()
            + self.my_promised.iter().filter(|(c, _)| *c != id).count();
        if !exclude.contains(&self.me) && mine_taken < my_slots {
            self.my_promised.push((id, now));
            self.set_parent(id, self.me);
            return Steer::Parent { id: self.me, addrs: self.my_addrs.clone() };
        }
        let mut best: Option<(usize, usize, EndpointId)> = None;
        for (candidate, peer) in &self.peers {
            let taken = peer.children.iter().filter(|c| **c != id).count()
                + peer
                    .promised
                    .iter()
                    .filter(|(c, at)| *c != id && now.duration_since(*at) < PROMISE)
                    .count();
            if *candidate == id
                || exclude.contains(candidate)
                || peer.seen.elapsed() >= SILENT
                || peer.parent.is_none()
                || taken >= peer.slots
            {
                continue;
            }
            let Some(depth) = self.depth_unless_below(*candidate, id) else { continue };
            if best.is_none_or(|(d, t, _)| (depth, taken) < (d, t)) {
                best = Some((depth, taken, *candidate));
            }
        }
        match best {
            Some((_, _, parent)) => {
                let addrs = self.peers[&parent].addrs.clone();
                if let Some(peer) = self.peers.get_mut(&parent) {
                    peer.promised.push((id, now));
                }
                self.set_parent(id, parent);
                Steer::Parent { id: parent, addrs }
            }
            // A peer it left lately is better than none: a parent that went
            // quiet for a moment (often through this viewer's own link) is
            // tried again rather than leaving the viewer without the show.
            // Safe with a parent that sent forged chunks too: the viewer
            // verifies every chunk before playing or passing it on, and
            // leaves it again. (Kept for every peer, not only the studio:
            // tried, the viewers shunned a slow parent for 10 s and had
            // nothing meanwhile.)
            None if !exclude.is_empty() => self.steer(id, &[], my_children, my_slots),
            None => Steer::Wait,
        }
    }

    fn set_parent(&mut self, id: EndpointId, parent: EndpointId) {
        if let Some(peer) = self.peers.get_mut(&id) {
            peer.parent = Some(parent);
            peer.steered = Some(Instant::now());
        }
    }

    /// How many hops `candidate` is from the broadcaster, or None when it
    /// takes the stream through `id` (or is cut off from the broadcaster).
    fn depth_unless_below(&self, candidate: EndpointId, id: EndpointId) -> Option<usize> {
        let mut at = candidate;
        for depth in 1..=self.peers.len() + 1 {
            let parent = self.peers.get(&at)?.parent?;
            if parent == id {
                return None;
            }
            if parent == self.me {
                return Some(depth);
            }
            at = parent;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> EndpointId {
        iroh::SecretKey::generate().public()
    }

    #[test]
    fn the_broadcaster_takes_two_then_viewers_take_the_rest_never_their_descendants() {
        let me = id();
        let mut tracker = Tracker::new(me, vec![]);
        let viewers: Vec<EndpointId> = (0..4).map(|_| id()).collect();
        for v in &viewers {
            tracker.join(*v, vec![], 1);
        }
        let parent_of = |s: Steer| match s {
            Steer::Parent { id, .. } => id,
            other => panic!("{other:?}"),
        };
        assert_eq!(parent_of(tracker.steer(viewers[0], &[], &[], 2)), me);
        assert_eq!(parent_of(tracker.steer(viewers[1], &[], &[], 2)), me);
        let third = parent_of(tracker.steer(viewers[2], &[], &[], 2));
        assert!(third == viewers[0] || third == viewers[1]);
        let fourth = parent_of(tracker.steer(viewers[3], &[], &[], 2));
        assert!(fourth != third && fourth != viewers[2] && fourth != me);
        // viewers[0] lost its parent: it may not be sent below itself.
        tracker.report(viewers[2], Some(viewers[0]), vec![], None, 1);
        tracker.report(viewers[0], Some(me), vec![viewers[2]], None, 1);
        let again = tracker.steer(viewers[0], &[me], &[viewers[1]], 2);
        assert!(!matches!(again, Steer::Parent { id, .. } if id == viewers[2] || id == viewers[0]));
        assert_eq!(tracker.viewers(), 4);
    }

    #[test]
    fn a_viewer_that_left_the_only_parent_with_room_is_given_it_again_rather_than_none() {
        let me = id();
        let mut tracker = Tracker::new(me, vec![]);
        let viewer = id();
        tracker.join(viewer, vec![], 0);
        let given = tracker.steer(viewer, &[me], &[], 1);
        assert!(matches!(given, Steer::Parent { id, .. } if id == me), "{given:?}");
    }

    #[test]
    fn a_report_without_a_parent_written_before_the_steer_arrived_leaves_the_viewer_a_parent_to_others() {
        let me = id();
        let mut tracker = Tracker::new(me, vec![]);
        let (first, second) = (id(), id());
        tracker.join(first, vec![], 4);
        tracker.join(second, vec![], 4);
        let given = tracker.steer(first, &[], &[], 1);
        assert!(matches!(given, Steer::Parent { id, .. } if id == me), "{given:?}");
        // Its first status, written as it joined, comes after the steer.
        tracker.report(first, None, vec![], None, 4);
        let given = tracker.steer(second, &[], &[first], 1);
        assert!(matches!(given, Steer::Parent { id, .. } if id == first), "{given:?}");
    }

    #[test]
    fn a_viewer_that_asks_again_and_is_told_to_wait_is_nobodys_parent_meanwhile() {
        let me = id();
        let mut tracker = Tracker::new(me, vec![]);
        let (first, second, third) = (id(), id(), id());
        for v in [first, second, third] {
            tracker.join(v, vec![], 4);
        }
        assert!(matches!(tracker.steer(first, &[], &[], 1), Steer::Parent { id, .. } if id == me));
        // Its place went to `second` (which the tracker has not placed);
        // `first` asks again and nobody has room.
        assert_eq!(tracker.steer(first, &[me], &[second], 1), Steer::Wait);
        tracker.report(first, None, vec![], None, 4);
        let given = tracker.steer(third, &[], &[second], 1);
        assert_eq!(given, Steer::Wait, "sent under a viewer without the show");
    }

    #[test]
    fn a_viewer_whose_uplink_carries_fewer_is_given_no_more_children_than_it_says() {
        let me = id();
        let mut tracker = Tracker::new(me, vec![]);
        let (slow, others) = (id(), [id(), id(), id()]);
        tracker.join(slow, vec![], 4);
        for o in others {
            tracker.join(o, vec![], 4);
        }
        tracker.report(slow, Some(me), vec![others[0]], None, 1);
        for o in &others[1..] {
            let given = tracker.steer(*o, &[], &[slow], 1);
            assert!(!matches!(given, Steer::Parent { id, .. } if id == slow), "{given:?}");
        }
    }
}
