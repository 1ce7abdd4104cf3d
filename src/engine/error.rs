/// What went wrong in the engine, with enough to tell the user what to do.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("GStreamer element `{0}` is missing: install the GStreamer plugin package that provides it")]
    MissingElement(String),
    #[error("could not build the {what}: {message}")]
    Build { what: String, message: String },
    #[error("could not start the {what}: {message}")]
    Start { what: String, message: String },
    #[error("the {what} did not end cleanly: {message}")]
    Finish { what: String, message: String },
    /// An edit of the collection was refused (no such scene, source or item…).
    #[error(transparent)]
    Edit(#[from] crate::model::EditError),
    #[error("{0}")]
    Invalid(String),
    #[error("the engine has stopped")]
    Stopped,
}

impl From<glib::BoolError> for EngineError {
    fn from(e: glib::BoolError) -> Self {
        EngineError::Build { what: "pipeline".into(), message: e.to_string() }
    }
}

/// Makes a GStreamer element, or says which plugin is missing.
pub(crate) fn make(factory: &str) -> Result<gst::Element, EngineError> {
    gst::ElementFactory::make(factory).build().map_err(|_| EngineError::MissingElement(factory.to_owned()))
}

/// Makes a named element.
pub(crate) fn make_named(factory: &str, name: &str) -> Result<gst::Element, EngineError> {
    gst::ElementFactory::make(factory)
        .name(name)
        .build()
        .map_err(|_| EngineError::MissingElement(factory.to_owned()))
}
