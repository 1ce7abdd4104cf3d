//! What the program feeds: shared encoders, recordings, podcasts, live
//! streams, the swarm's MPEG-TS, and the window's previews and taps. Each
//! output is a pipeline of its own, so it starts, stops and fails without
//! touching the program.

pub(crate) mod encoder;
pub(crate) mod feeds;
pub(crate) mod loudness;
pub(crate) mod output;
pub(crate) mod podcast;
pub(crate) mod preview;
pub(crate) mod record;
pub(crate) mod replay;
pub(crate) mod stream;
pub(crate) mod tap;
pub(crate) mod tcp_link;
pub(crate) mod ts_feed;
pub(crate) mod virtual_camera;
