//! Collections made by other studios, read into Plateau's: OBS Studio's
//! scene collections. The mapping itself ([`import_obs`]) reads JSON only;
//! [`import_obs_file`] asks the engine's discoverer for the sizes of the
//! pictures and clips, as OBS knows them from its running sources.

mod obs;

use std::path::Path;

pub use obs::{import as import_obs, ImportError, Imported};

use crate::model::{SourceKind, VideoSettings};

/// Reads the OBS scene collection at `path` onto a canvas of `video`.
pub fn import_obs_file(path: &Path, video: VideoSettings) -> Result<Imported, ImportError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ImportError::NotJson { path: path.into(), cause: e.to_string() })?;
    import_obs(&text, path, video, &|kind| match kind {
        SourceKind::Image { path } | SourceKind::Media { path, .. } => crate::engine::picture_size(path).ok(),
        _ => None,
    })
}
