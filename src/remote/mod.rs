//! Remote control in the protocol presenters' tools already speak:
//! obs-websocket 5 (Stream Deck, Companion, Touch Portal, phone apps,
//! scripts). Off unless asked for; a password always; 127.0.0.1 unless the
//! user chooses another address.
//!
//! The face: [`Server`] (the WebSocket side, on its own thread), [`Call`]
//! (a request for the host to answer with [`answer`] and its [`Host`]),
//! and [`Translator`] (the engine's events in obs-websocket's words).

pub mod auth;
pub mod events;
pub mod media;
pub mod names;
pub mod protocol;
pub mod requests;
pub mod server;
pub mod vendor;

pub use events::{ObsEvent, Translator};
pub use requests::{answer, DestinationState, Host, OutputState, SwarmState};
pub use server::{Call, Client, Options, RemoteError, Server};

/// The port obs-websocket listens on by default.
pub const DEFAULT_PORT: u16 = 4455;
