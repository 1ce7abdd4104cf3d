//! The document: the scene collection the window shows, as the engine last
//! told it, with where it is stored, its autosave, and what Undo can bring
//! back (item edits, a removed scene, a removed collection).
//!
//! The engine owns the live collection and tells every change with a
//! revision; the document keeps the newest, and only from the engine it
//! belongs to: each `open` starts a new epoch, and news from a studio that
//! was replaced (a canvas change, another collection) is ignored.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

use glib::prelude::*;
use glib::subclass::prelude::*;
use glib::subclass::Signal;
use plateau::model::{CollectionStore, Scene, SceneCollection, Source};

use super::autosave::{self, Autosave};

/// What an undo puts back.
#[derive(Debug, Clone, PartialEq)]
pub enum UndoStep {
    /// A scene's items as they were.
    Scene(Scene),
    /// A source (its filters) as it was.
    Source(Source),
}

/// How many item edits Undo remembers.
const UNDO_STEPS: usize = 100;

mod imp {
    use super::*;

    #[derive(Default)]
    pub struct Document {
        /// The collection, its revision in the engine, and the epoch it belongs to.
        pub collection: RefCell<Option<(u64, Arc<SceneCollection>)>>,
        pub epoch: Cell<u64>,
        pub store: RefCell<Option<CollectionStore>>,
        pub autosave: Autosave,
        /// Scenes as they were before each item edit, sources before each
        /// filter edit, newest last.
        pub undo: RefCell<Vec<UndoStep>>,
        /// The last removed scene and its place.
        pub removed_scene: RefCell<Option<(usize, Scene)>>,
        /// The last removed collection.
        pub removed_collection: RefCell<Option<SceneCollection>>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for Document {
        const NAME: &'static str = "PlateauDocument";
        type Type = super::Document;
    }

    impl ObjectImpl for Document {
        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![Signal::builder("save-failed").param_types([String::static_type()]).build()]
            })
        }
    }
}

glib::wrapper! {
    pub struct Document(ObjectSubclass<imp::Document>);
}

impl Default for Document {
    fn default() -> Self {
        glib::Object::new()
    }
}

impl Document {
    /// Starts on `collection` (as handed to a new engine); returns the new
    /// epoch, which the engine's news must carry to be taken.
    pub fn open(&self, collection: SceneCollection, store: Option<CollectionStore>) -> u64 {
        let imp = self.imp();
        let epoch = imp.epoch.get() + 1;
        imp.epoch.set(epoch);
        imp.collection.replace(Some((0, Arc::new(collection))));
        if store.is_some() {
            imp.store.replace(store);
        }
        imp.undo.borrow_mut().clear();
        epoch
    }

    /// The collection as the engine last told it.
    pub fn collection(&self) -> Option<Arc<SceneCollection>> {
        self.imp().collection.borrow().as_ref().map(|(_, c)| c.clone())
    }

    pub fn store(&self) -> Option<CollectionStore> {
        self.imp().store.borrow().clone()
    }

    /// Keeps a collection the engine of `epoch` told, unless a newer one
    /// is known; a new one is saved half a second later, off the interface
    /// thread. Whether it was taken.
    pub fn take(&self, epoch: u64, revision: u64, collection: Arc<SceneCollection>) -> bool {
        let imp = self.imp();
        if epoch != imp.epoch.get() {
            return false;
        }
        let mut known = imp.collection.borrow_mut();
        if known.as_ref().is_some_and(|(r, _)| *r >= revision) {
            return false;
        }
        *known = Some((revision, collection));
        drop(known);
        imp.autosave.schedule(self.snapshot(), self.failed());
        true
    }

    /// The epoch news must carry now.
    pub fn epoch(&self) -> u64 {
        self.imp().epoch.get()
    }

    /// Saves now, on this thread (before switching collections, at close).
    pub fn save_now(&self) -> Result<(), String> {
        self.imp().autosave.flush(&self.snapshot())
    }

    /// Calls `f` with the cause when a save in the background failed.
    pub fn connect_save_failed(&self, f: impl Fn(&str) + 'static) {
        let closure = glib::closure_local!(move |_: &Document, cause: String| f(&cause));
        self.connect_closure("save-failed", false, closure);
    }

    /// Remembers a scene as it is before an item edit, or a source before
    /// an edit of its filters.
    pub fn remember(&self, step: UndoStep) {
        let mut undo = self.imp().undo.borrow_mut();
        undo.push(step);
        let excess = undo.len().saturating_sub(UNDO_STEPS);
        undo.drain(..excess);
    }

    /// The last step remembered, taken off the undo list.
    pub fn pop_undo(&self) -> Option<UndoStep> {
        self.imp().undo.borrow_mut().pop()
    }

    pub fn set_removed_scene(&self, index: usize, scene: Scene) {
        self.imp().removed_scene.replace(Some((index, scene)));
    }

    pub fn take_removed_scene(&self) -> Option<(usize, Scene)> {
        self.imp().removed_scene.take()
    }

    pub fn has_removed_scene(&self) -> bool {
        self.imp().removed_scene.borrow().is_some()
    }

    pub fn set_removed_collection(&self, collection: SceneCollection) {
        self.imp().removed_collection.replace(Some(collection));
    }

    pub fn take_removed_collection(&self) -> Option<SceneCollection> {
        self.imp().removed_collection.take()
    }

    /// The write of the collection as it is now, into its store.
    fn snapshot(&self) -> autosave::Snapshot {
        let doc = self.downgrade();
        Rc::new(move || {
            let doc = doc.upgrade()?;
            let (collection, store) = (doc.collection()?, doc.store()?);
            Some(Box::new(move || store.save(&collection).map(drop).map_err(|e| e.to_string())))
        })
    }

    fn failed(&self) -> autosave::Failed {
        let doc = self.downgrade();
        Rc::new(move |cause: String| {
            if let Some(doc) = doc.upgrade() {
                doc.emit_by_name::<()>("save-failed", &[&cause]);
            }
        })
    }
}
