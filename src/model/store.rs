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

    /// `base`, or `base 2`, `base 3`… : the first name no stored
    /// collection has.
    pub fn unused_name(&self, base: &str) -> Result<String, ModelError> {
        let taken = self.names()?;
        let base = base.trim();
        let base = if base.is_empty() { "Collection" } else { base };
        Ok((1..)
            .map(|n| if n == 1 { base.to_owned() } else { format!("{base} {n}") })
            .find(|name| !taken.iter().any(|t| t == name) && !self.path_of(name).exists())
            .expect("an unbounded range always yields an unused name"))
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
    // The field a value does not fit is named (`sources[2].frequency`).
    let collection: SceneCollection =
        serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(&text)).map_err(|e| {
            let mut field = e.path().to_string();
            let inner = e.into_inner();
            // A source's kind is flattened: serde's path stops at the source.
            if let Some(key) = offending_key(&text, &field, &inner.to_string()) {
                field = format!("{field}.{key}");
            }
            ModelError::Syntax {
                path: path.to_owned(),
                line: inner.line(),
                column: inner.column(),
                message: format!(
                    "{field}: {}",
                    inner.to_string().split(" at line ").next().unwrap_or_default()
                ),
            }
        })?;
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
    let (v, a) = (c.video, c.audio);
    for (field, value, min, max) in [
        ("video.width (the canvas)", v.width, 16, 7680),
        ("video.height (the canvas)", v.height, 16, 4320),
        ("video.fps", v.fps, 1, 240),
        ("audio.sample_rate", a.sample_rate, 8_000, 192_000),
        ("audio.channels", a.channels, 1, 8),
    ] {
        if !(min..=max).contains(&value) {
            return Err(format!("{field} is {value}: it must be {min} to {max}"));
        }
    }
    for source in &c.sources {
        super::limits::check_source(source)?;
    }
    for s in &c.scenes {
        for i in &s.items {
            super::limits::check_item(&s.name, i)?;
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
    c.rundown.check(|name| c.scene(name).is_some())
}

/// In the object at `path` (`sources[2]`, `sources[0].filters[1]`), the
/// key whose value serde's `message` quotes: the field a flattened enum's
/// error lost.
fn offending_key(text: &str, path: &str, message: &str) -> Option<String> {
    let root: serde_json::Value = serde_json::from_str(text).ok()?;
    let object = at_path(&root, path)?.as_object()?;
    let quoted = |v: &serde_json::Value| match v {
        serde_json::Value::Number(n) => message.contains(&format!("`{n}`")),
        serde_json::Value::String(s) => message.contains(&format!("\"{s}\"")),
        serde_json::Value::Null => message.contains("null"),
        serde_json::Value::Bool(b) => message.contains(&format!("`{b}`")),
        _ => message.contains("map") || message.contains("sequence"),
    };
    let mut found: Vec<String> = Vec::new();
    quoted_keys(object, "", &quoted, &mut found);
    (found.len() == 1).then(|| found.remove(0))
}

/// The dotted paths under `object` (`motion.to.seconds`) whose values
/// `quoted` finds in the message; tags (`kind`, `filter`) are not values.
fn quoted_keys(
    object: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
    quoted: &dyn Fn(&serde_json::Value) -> bool,
    found: &mut Vec<String>,
) {
    for (key, value) in object {
        let path = format!("{prefix}{key}");
        match value.as_object() {
            Some(inner) => quoted_keys(inner, &format!("{path}."), quoted, found),
            None if quoted(value) && key != "kind" && key != "filter" => found.push(path),
            None => {}
        }
    }
}

/// The value at a serde path such as `sources[0].filters[1]`.
fn at_path<'a>(root: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    let mut at = root;
    for segment in path.split('.') {
        let mut parts = segment.split('[');
        let name = parts.next()?;
        if !name.is_empty() {
            at = at.get(name)?;
        }
        for index in parts {
            at = at.get(index.strip_suffix(']')?.parse::<usize>().ok()?)?;
        }
    }
    Some(at)
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
