//! The sources: one pipeline each, so that a source's failure stays its own.

pub(crate) mod alpha;
pub mod devices;
pub(crate) mod filters;
pub(crate) mod gif;
pub(crate) mod lut;
pub(crate) mod media;
pub(crate) mod moving_text;
pub(crate) mod portal;
pub(crate) mod probe;
pub(crate) mod producer;
pub(crate) mod runner;
