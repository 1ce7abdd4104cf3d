//! Where a recording started from the window or by remote control goes:
//! the recording folder, under a name made from the user's template.

use std::path::PathBuf;

use crate::model::Settings;

/// A recording's name made from `template` and the date and time now
/// (never empty, never a path).
pub fn recording_name(template: &str) -> String {
    // GLib's formatter takes a C string: a NUL in the template (a settings
    // file can hold one) panicked it.
    let template = template.replace('\0', "");
    glib::DateTime::now_local()
        .ok()
        .and_then(|d| d.format(&template).ok())
        .map(|s| s.replace(['/', '\0'], "-").trim().to_owned())
        .filter(|s| !s.is_empty() && s != "." && s != "..")
        .unwrap_or_else(|| "Plateau".into())
}

/// A path for a new recording with extension `ext` that names no file
/// yet (`name (2).mkv` when `name.mkv` exists); the folder is created.
pub fn new_path(settings: &Settings, ext: &str) -> PathBuf {
    let folder = settings.recording_folder();
    let _ = std::fs::create_dir_all(&folder);
    let name = recording_name(&settings.recording.file_name);
    (1..)
        .map(|n| match n {
            1 => folder.join(format!("{name}.{ext}")),
            n => folder.join(format!("{name} ({n}).{ext}")),
        })
        .find(|p| !p.exists() && !crate::engine::split_file(p, 1).exists())
        .unwrap_or_else(|| folder.join(format!("{name}.{ext}")))
}
