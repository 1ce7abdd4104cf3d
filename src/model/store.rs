//! Reading and writing collections so that a crash never leaves a
//! half-written file: write a temporary file beside the target, fsync it,
//! keep the previous file as `.bak`, then rename over the target.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::collection::{SceneCollection, CURRENT_VERSION};
use super::error::ModelError;

/// Where collections live: `<config dir>/collections/<name>.json`.
#[derive(Debug, Clone)]
pub struct CollectionStore {
    dir: PathBuf,
}

impl CollectionStore {
    /// The store in the user's configuration folder (XDG_CONFIG_HOME is honoured).
    pub fn in_config_dir() -> Result<Self, ModelError> {
        Ok(Self::at(super::settings::config_dir()?.join("collections")))
    }

    pub fn at(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_of(&self, name: &str) -> PathBuf {
        let file: String =
            name.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
        self.dir.join(format!("{file}.json"))
    }

    pub fn load(&self, name: &str) -> Result<SceneCollection, ModelError> {
        load_collection(&self.path_of(name))
    }

    pub fn save(&self, collection: &SceneCollection) -> Result<PathBuf, ModelError> {
        let path = self.path_of(&collection.name);
        save_collection(collection, &path)?;
        Ok(path)
    }

    /// Deletes a stored collection. Its last previous version stays as
    /// `NAME.json.bak` (when there was one), out of the list.
    pub fn remove(&self, name: &str) -> Result<(), ModelError> {
        let path = self.path_of(name);
        fs::remove_file(&path).map_err(|source| ModelError::Io { path, cause: source })
    }

    /// The names of the stored collections, sorted.
    pub fn names(&self) -> Result<Vec<String>, ModelError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(ModelError::Io { path: self.dir.clone(), cause: source }),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect();
        names.sort();
        Ok(names)
    }
}

/// The largest collection or settings file read (far above any real one).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a small text file whole: a regular file of at most
/// `MAX_FILE_BYTES` (`/dev/zero` or a huge file is refused at once instead
/// of being read until memory runs out).
pub(crate) fn read_text(path: &Path) -> Result<String, ModelError> {
    use std::io::Read;
    let io = |source| ModelError::Io { path: path.to_owned(), cause: source };
    let file = fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let invalid = |message: String| ModelError::Invalid { path: path.to_owned(), message };
    if !meta.is_file() {
        return Err(invalid("this is not a regular file".into()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(invalid(format!(
            "{} bytes is more than the {MAX_FILE_BYTES} a file of Plateau's may hold",
            meta.len()
        )));
    }
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text).map_err(io)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(invalid(format!("more than the {MAX_FILE_BYTES} bytes a file of Plateau's may hold")));
    }
    Ok(text)
}

/// Reads a collection; a syntax error or an unknown version is reported with
/// the file, line and column, and the file is not touched.
pub fn load_collection(path: &Path) -> Result<SceneCollection, ModelError> {
    collection_from_text(&read_text(path)?, path)
}

/// A collection from the text of the file at `path` (named in errors).
pub fn collection_from_text(text: &str, path: &Path) -> Result<SceneCollection, ModelError> {
    let text = text.to_owned();
    let syntax = |e: serde_json::Error| ModelError::Syntax {
        path: path.to_owned(),
        line: e.line(),
        column: e.column(),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_owned(),
    };
    // Check the version before the shape, so that a newer file is not
    // reported as a bad one.
    let value: serde_json::Value = serde_json::from_str(&text).map_err(syntax)?;
    let found = value.get("version").and_then(|v| v.as_u64());
    if found != Some(u64::from(CURRENT_VERSION)) {
        let (line, column) = position_of_key(&text, "version").unwrap_or((1, 1));
        return match found {
            Some(found) => Err(ModelError::Version {
                path: path.to_owned(),
                line,
                column,
                found,
                supported: CURRENT_VERSION,
            }),
            None => Err(ModelError::Syntax {
                path: path.to_owned(),
                line,
                column,
                message: "missing or non-numeric \"version\"".into(),
            }),
        };
    }
    let collection: SceneCollection = serde_json::from_str(&text).map_err(syntax)?;
    collection.validate().map_err(|message| ModelError::Invalid { path: path.to_owned(), message })?;
    Ok(collection)
}

impl SceneCollection {
    /// Checks what serde cannot: every item points at a source, ids are
    /// unique, sizes and rates are ones the engine can run.
    pub fn validate(&self) -> Result<(), String> {
        validate(self)
    }
}

fn validate(c: &SceneCollection) -> Result<(), String> {
    let mut ids = std::collections::HashSet::new();
    for s in &c.sources {
        if !ids.insert(&s.id) {
            return Err(format!("two sources have the id `{}`", s.id));
        }
    }
    let v = c.video;
    if !(16..=7680).contains(&v.width) || !(16..=4320).contains(&v.height) || !(1..=240).contains(&v.fps) {
        return Err(format!(
            "the canvas is {}x{} at {} fps: it must be 16x16 to 7680x4320, at 1 to 240 fps",
            v.width, v.height, v.fps
        ));
    }
    let a = c.audio;
    if !(8_000..=192_000).contains(&a.sample_rate) || !(1..=8).contains(&a.channels) {
        return Err(format!("audio at {} Hz with {} channels is not supported", a.sample_rate, a.channels));
    }
    for s in &c.scenes {
        for i in &s.items {
            if i.width > 16_384 || i.height > 16_384 {
                return Err(format!(
                    "scene `{}` item {} is {}x{}: at most 16384x16384",
                    s.name, i.id.0, i.width, i.height
                ));
            }
        }
    }
    for scene in &c.scenes {
        for item in &scene.items {
            if c.source(&item.source).is_none() {
                return Err(format!(
                    "scene `{}` item {} uses source `{}`, which is not in the collection",
                    scene.name, item.id.0, item.source
                ));
            }
        }
    }
    Ok(())
}

/// 1-based line and column of the first `"key"` in `text`.
fn position_of_key(text: &str, key: &str) -> Option<(usize, usize)> {
    let offset = text.find(&format!("\"{key}\""))?;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = offset - before.rfind('\n').map_or(0, |n| n + 1) + 1;
    Some((line, column))
}

pub fn save_collection(collection: &SceneCollection, path: &Path) -> Result<(), ModelError> {
    let mut json = serde_json::to_vec_pretty(collection)
        .map_err(|e| ModelError::Invalid { path: path.to_owned(), message: e.to_string() })?;
    json.push(b'\n');
    write_atomically(path, |file| file.write_all(&json))
        .map_err(|source| ModelError::Io { path: path.to_owned(), cause: source })
}

/// Replaces `path` with what `write` puts in a new file, or leaves it as it
/// was: the new content goes to `<path>.tmp`, is flushed to disk, the old
/// file is kept as `<path>.bak`, and only then renamed into place.
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = sibling(path, "tmp");
    let result = (|| {
        let mut file = File::create(&tmp)?;
        write(&mut file)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if path.exists() {
        // A hard link keeps the old content under the .bak name without a
        // moment where `path` is missing; copy where links are not allowed.
        let bak = sibling(path, "bak");
        let _ = fs::remove_file(&bak);
        if fs::hard_link(path, &bak).is_err() {
            fs::copy(path, &bak)?;
        }
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}

/// Moves a file that cannot be used out of the way, keeping it for its
/// owner: `NAME.broken` (or `NAME.broken-2`, …). Returns where it went.
pub fn set_aside(path: &Path) -> io::Result<PathBuf> {
    let aside = (1..1000)
        .map(|n| match n {
            1 => sibling(path, "broken"),
            n => sibling(path, &format!("broken-{n}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| io::Error::other("too many broken copies already"))?;
    fs::rename(path, &aside)?;
    Ok(aside)
}

/// Like [`write_atomically`], for a secret: the new file is readable by
/// its owner only from its first moment (created so, whatever the umask,
/// never changed afterwards), and no `.bak` keeps an older content, so a
/// forgotten key stays forgotten.
pub fn write_privately(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = sibling(path, "tmp");
    // A leftover from an interrupted write may have any mode: never reused.
    let _ = fs::remove_file(&tmp);
    let result = (|| {
        let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path)?;
    let _ = fs::remove_file(sibling(path, "bak"));
    File::open(dir)?.sync_all()
}

fn sibling(path: &Path, extension: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(extension);
    path.with_file_name(name)
}
