//! The scene collection and its settings as plain serde types, and their
//! atomic storage. No GStreamer and no GTK here: the engine and the window
//! both read these types, the store writes them.

mod collection;
mod demo;
mod edit;
mod error;
mod filter;
mod limits;
mod rundown;
mod settings;
mod source;
mod store;
mod text_motion;
mod transition;

pub use collection::{
    AudioSettings, Crop, ItemId, Scene, SceneCollection, SceneItem, VideoSettings, CURRENT_VERSION,
};
pub use demo::demo_collection;
pub use edit::EditError;
pub use error::ModelError;
pub use filter::{Filter, FilterKind, KeyColor};
pub use limits::{check_item, check_source};
pub use rundown::{EntryLength, Rundown, RundownEntry};
pub use settings::{
    cache_dir, config_dir, is_stream_server, Destination, PeerToPeer, PodcastFormat, PodcastPrefs,
    RecordingFormat, RecordingPrefs, RemoteControlPrefs, Settings, WindowState, DEFAULT_FILE_NAME, SERVICES,
};
pub use source::{Color, Monitor, Region, SlideOrder, Source, SourceId, SourceKind, TestPattern};
pub use store::{
    collection_from_text, load_collection, save_collection, set_aside, write_atomically, write_privately,
    CollectionStore,
};
pub use text_motion::{format_duration, CountdownTarget, TextMotion, DEFAULT_TIME_FORMAT};
pub use transition::{Transition, TransitionKind};
