//! Stream keys: kept in the desktop keyring (the Secret Service, or the
//! Secret portal inside Flatpak, through `oo7`), never in the collection or
//! settings files and never in logs. Where no keyring answers, a file
//! readable only by the user is used, but only when the user said so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::write_privately;

const APP: &str = "io.github.plateau.Plateau";

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(
        "no keyring is available ({0}); keys can be kept in a file readable only by you if you allow it"
    )]
    NoKeyring(String),
    #[error("the keyring refused: {0}")]
    Keyring(String),
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
}

/// Where keys are kept.
pub enum KeyStore {
    Keyring {
        runtime: tokio::runtime::Runtime,
        keyring: oo7::Keyring,
    },
    /// A JSON file of mode 0600, only with the user's consent.
    File(PathBuf),
}

fn attributes(destination: &str) -> [(&'static str, &str); 2] {
    [("application", APP), ("destination", destination)]
}

impl KeyStore {
    /// The desktop keyring, or an error saying there is none.
    pub fn keyring() -> Result<Self, SecretsError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SecretsError::NoKeyring(e.to_string()))?;
        // Unlocking may ask the user for a password: give them a minute.
        let keyring = runtime
            .block_on(async {
                tokio::time::timeout(std::time::Duration::from_secs(60), async {
                    let k = oo7::Keyring::new().await?;
                    k.unlock().await?;
                    Ok::<_, oo7::Error>(k)
                })
                .await
            })
            .map_err(|_| SecretsError::NoKeyring("the keyring did not answer within a minute".into()))?
            .map_err(|e| SecretsError::NoKeyring(e.to_string()))?;
        Ok(Self::Keyring { runtime, keyring })
    }

    /// The keyring, or the file at `fallback` when `file_allowed`.
    pub fn open(fallback: &Path, file_allowed: bool) -> Result<Self, SecretsError> {
        match Self::keyring() {
            Ok(k) => Ok(k),
            Err(_) if file_allowed => Ok(Self::File(fallback.to_owned())),
            Err(e) => Err(e),
        }
    }

    pub fn save(&self, destination: &str, key: &str) -> Result<(), SecretsError> {
        match self {
            Self::Keyring { runtime, keyring } => runtime
                .block_on(keyring.create_item(
                    &format!("Plateau stream key: {destination}"),
                    &attributes(destination),
                    key,
                    true,
                ))
                .map_err(|e| SecretsError::Keyring(e.to_string())),
            Self::File(path) => {
                let mut keys = read_file(path)?;
                keys.insert(destination.to_owned(), key.to_owned());
                write_file(path, &keys)
            }
        }
    }

    pub fn get(&self, destination: &str) -> Result<Option<String>, SecretsError> {
        match self {
            Self::Keyring { runtime, keyring } => runtime
                .block_on(async {
                    let items = keyring.search_items(&attributes(destination)).await?;
                    match items.first() {
                        Some(item) => Ok(Some(String::from_utf8_lossy(&item.secret().await?).into_owned())),
                        None => Ok(None),
                    }
                })
                .map_err(|e: oo7::Error| SecretsError::Keyring(e.to_string())),
            Self::File(path) => Ok(read_file(path)?.remove(destination)),
        }
    }

    pub fn forget(&self, destination: &str) -> Result<(), SecretsError> {
        match self {
            Self::Keyring { runtime, keyring } => runtime
                .block_on(keyring.delete(&attributes(destination)))
                .map_err(|e| SecretsError::Keyring(e.to_string())),
            Self::File(path) => {
                let mut keys = read_file(path)?;
                keys.remove(destination);
                write_file(path, &keys)
            }
        }
    }
}

/// The remote-control password's entry (apart from every destination's).
const REMOTE_CONTROL: [(&str, &str); 2] = [("application", APP), ("purpose", "remote-control")];

impl KeyStore {
    /// The remote-control password, made and kept in the keyring the first
    /// time (or made anew with `regenerate`). Never in a file: without a
    /// keyring there is none to give.
    pub fn remote_password(&self, regenerate: bool) -> Result<String, SecretsError> {
        let Self::Keyring { runtime, keyring } = self else {
            return Err(SecretsError::NoKeyring(
                "the remote-control password is kept only in a keyring".into(),
            ));
        };
        runtime
            .block_on(async {
                if !regenerate {
                    if let Some(item) = keyring.search_items(&REMOTE_CONTROL).await?.first() {
                        return Ok(String::from_utf8_lossy(&item.secret().await?).into_owned());
                    }
                }
                let password = crate::remote::auth::generate_password();
                keyring
                    .create_item("Plateau remote control", &REMOTE_CONTROL, password.as_str(), true)
                    .await?;
                Ok(password)
            })
            .map_err(|e: oo7::Error| SecretsError::Keyring(e.to_string()))
    }
}

fn read_file(path: &Path) -> Result<HashMap<String, String>, SecretsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|e| SecretsError::File { path: path.to_owned(), message: e.to_string() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(HashMap::new()),
        Err(e) => Err(SecretsError::File { path: path.to_owned(), message: e.to_string() }),
    }
}

fn write_file(path: &Path, keys: &HashMap<String, String>) -> Result<(), SecretsError> {
    let json = serde_json::to_vec(keys)
        .map_err(|e| SecretsError::File { path: path.to_owned(), message: e.to_string() })?;
    write_privately(path, &json)
        .map_err(|e| SecretsError::File { path: path.to_owned(), message: e.to_string() })
}

/// The address to stream to: the server followed by the key.
pub fn stream_url(server: &str, key: Option<&str>) -> String {
    match key.filter(|k| !k.is_empty()) {
        Some(k) => format!("{}/{k}", server.trim_end_matches('/')),
        None => server.to_owned(),
    }
}
