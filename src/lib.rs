//! Plateau: a free desktop broadcasting studio.

pub mod cli;
pub mod engine;
pub mod gateway;
pub mod import;
pub mod model;
pub mod p2p;
pub mod recordings;
pub mod remote;
pub mod secrets;
