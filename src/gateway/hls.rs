//! Cuts a live MPEG-TS stream into HLS segments at its keyframes (a second
//! or more each), in memory, and writes the sliding playlist.
//!
//! Each segment begins with the stream's latest PAT and PMT, so that a
//! player can start with any of them.

use std::collections::VecDeque;

use bytes::Bytes;

/// Segments in the playlist.
const LISTED: usize = 6;
/// Segments kept (a little more than listed, for players that lag).
const KEPT: usize = 10;
const PACKET: usize = 188;
/// A segment ends at the first keyframe this long after its start.
const SHORTEST_US: u64 = 900_000;

#[derive(Default)]
pub struct Segmenter {
    /// Finished segments: number, seconds, bytes.
    done: VecDeque<(u64, f64, Bytes)>,
    next_number: u64,
    current: Vec<u8>,
    /// Capture time of the keyframe the current segment starts with.
    started_us: Option<u64>,
    pat: Option<[u8; PACKET]>,
    pmt_pid: Option<u16>,
    pmt: Option<[u8; PACKET]>,
}

impl Segmenter {
    pub fn push(&mut self, piece: &[u8], starts: bool, capture_us: u64) {
        for packet in piece.chunks_exact(PACKET) {
            self.remember_tables(packet);
        }
        let long_enough = self.started_us.is_none_or(|s| capture_us.saturating_sub(s) >= SHORTEST_US);
        if starts && long_enough {
            if let Some(started) = self.started_us {
                let seconds = capture_us.saturating_sub(started) as f64 / 1e6;
                let bytes = Bytes::from(std::mem::take(&mut self.current));
                self.done.push_back((self.next_number, seconds.max(0.001), bytes));
                self.next_number += 1;
                while self.done.len() > KEPT {
                    self.done.pop_front();
                }
            }
            self.started_us = Some(capture_us);
            self.current.clear();
            for table in [self.pat, self.pmt].into_iter().flatten() {
                self.current.extend_from_slice(&table);
            }
        }
        if self.started_us.is_some() {
            self.current.extend_from_slice(piece);
        }
    }

    /// The live playlist, once a segment is ready.
    pub fn playlist(&self) -> Option<String> {
        let listed: Vec<_> = self.done.iter().skip(self.done.len().saturating_sub(LISTED)).collect();
        let first = listed.first()?.0;
        let target = listed.iter().map(|(_, s, _)| s.ceil() as u64).max().unwrap_or(1).max(1);
        let mut text = format!(
            "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:{target}\n#EXT-X-MEDIA-SEQUENCE:{first}\n"
        );
        for (number, seconds, _) in listed {
            text.push_str(&format!("#EXTINF:{seconds:.3},\nsegment/{number}.ts\n"));
        }
        Some(text)
    }

    pub fn segment(&self, number: u64) -> Option<Bytes> {
        self.done.iter().find(|(n, _, _)| *n == number).map(|(_, _, b)| b.clone())
    }

    /// Keeps the last PAT, and the PMT it names.
    fn remember_tables(&mut self, packet: &[u8]) {
        if packet[0] != 0x47 || packet[1] & 0x40 == 0 {
            return;
        }
        let pid = u16::from_be_bytes([packet[1] & 0x1f, packet[2]]);
        let copy = || <[u8; PACKET]>::try_from(packet).ok();
        if pid == 0 {
            self.pat = copy();
            self.pmt_pid = pmt_pid(packet).or(self.pmt_pid);
        } else if Some(pid) == self.pmt_pid {
            self.pmt = copy();
        }
    }
}

/// The PID of the first program's map, read from a PAT packet.
fn pmt_pid(packet: &[u8]) -> Option<u16> {
    let has_payload_only = (packet[3] >> 4) & 3 == 1;
    if !has_payload_only {
        return None;
    }
    let section = 5 + *packet.get(4)? as usize;
    let length = (u16::from_be_bytes([*packet.get(section + 1)? & 0x0f, *packet.get(section + 2)?])) as usize;
    let programs = packet.get(section + 8..(section + 3 + length).saturating_sub(4))?;
    programs
        .chunks_exact(4)
        .find(|p| u16::from_be_bytes([p[0], p[1]]) != 0)
        .map(|p| u16::from_be_bytes([p[2] & 0x1f, p[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(pid: u16, start: bool, fill: u8) -> Vec<u8> {
        let mut p = vec![fill; PACKET];
        p[0] = 0x47;
        p[1] = ((pid >> 8) as u8 & 0x1f) | if start { 0x40 } else { 0 };
        p[2] = pid as u8;
        p[3] = 0x10;
        p
    }

    fn pat(pmt: u16) -> Vec<u8> {
        let mut p = packet(0, true, 0xff);
        // pointer, table id 0, length 13, ts id, version, section numbers, program 1 -> pmt, CRC
        p[4..21].copy_from_slice(&[
            0,
            0,
            0xb0,
            13,
            0,
            1,
            0xc1,
            0,
            0,
            0,
            1,
            0xe0 | (pmt >> 8) as u8,
            pmt as u8,
            1,
            2,
            3,
            4,
        ]);
        p
    }

    #[test]
    fn segments_start_at_keyframes_with_the_tables_and_the_playlist_slides() {
        let mut s = Segmenter::default();
        assert!(s.playlist().is_none());
        s.push(&[pat(0x1000), packet(0x1000, true, 1)].concat(), false, 0);
        for n in 0..14u64 {
            s.push(&packet(0x41, true, n as u8), true, n * 1_000_000);
            s.push(&packet(0x41, false, 0xaa), false, n * 1_000_000 + 500_000);
        }
        let playlist = s.playlist().unwrap();
        assert!(playlist.contains("#EXT-X-MEDIA-SEQUENCE:7\n"), "{playlist}");
        assert_eq!(playlist.matches("#EXTINF:1.000,").count(), LISTED, "{playlist}");
        let segment = s.segment(7).unwrap();
        assert_eq!(segment.len(), 4 * PACKET);
        assert_eq!(&segment[..PACKET], pat(0x1000).as_slice());
        assert_eq!(segment[PACKET + 1] & 0x1f, 0x10, "the PMT second");
        assert_eq!(segment[2 * PACKET + 4], 7, "then the keyframe");
        assert!(s.segment(0).is_none(), "old segments go");
    }
}
