//! The program: the pipeline that composes the scenes (`pipeline`), the
//! overlays blended over them, transitions, and the supervisor thread that
//! owns it and applies every command.

mod crop;
pub(crate) mod luma_wipe;
pub(crate) mod monitor;
pub(crate) mod overlay;
mod pipeline;
mod playout;
pub(crate) mod stacking;
pub(crate) mod stinger;
pub(crate) mod supervisor;
pub(crate) mod transition;

pub(crate) use pipeline::*;
