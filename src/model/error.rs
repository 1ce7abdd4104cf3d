use std::path::PathBuf;

/// Why a collection could not be read or written. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// (The cause is in the message, and not chained as a source as well:
    /// it was printed twice.)
    #[error("{path}: {cause}")]
    Io { path: PathBuf, cause: std::io::Error },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    #[error(
        "{path}:{line}:{column}: format version {found} is not supported \
         (this Plateau reads version {supported}); the file was left as it is"
    )]
    Version { path: PathBuf, line: usize, column: usize, found: u64, supported: u32 },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("no configuration folder could be found for this user (is $HOME set?)")]
    NoConfigDir,
}
