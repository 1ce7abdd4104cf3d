//! Asking for a file or a folder. GTK does not keep a native dialog alive
//! (unlike a window): whoever opens one must hold it until it answers, or
//! it is dropped before it ever shows. This is the one place that does.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use gtk::prelude::*;

/// What to ask for.
pub enum Choose {
    /// A file to open.
    File,
    /// A folder.
    Folder,
}

/// Opens a file chooser over `parent`; `chosen` gets the path the person
/// accepted (nothing when they cancel).
pub fn ask(
    parent: Option<&impl IsA<gtk::Window>>,
    title: &str,
    accept: &str,
    what: Choose,
    chosen: impl Fn(PathBuf) + 'static,
) {
    let action = match what {
        Choose::File => gtk::FileChooserAction::Open,
        Choose::Folder => gtk::FileChooserAction::SelectFolder,
    };
    let dialog = gtk::FileChooserNative::new(
        Some(title),
        parent,
        action,
        Some(accept),
        Some(&gettextrs::gettext("_Cancel")),
    );
    dialog.set_modal(true);
    // Held by its own answer handler until it answers, then let go.
    let held = Rc::new(RefCell::new(Some(dialog.clone())));
    dialog.connect_response(move |d, response| {
        let path = (response == gtk::ResponseType::Accept).then(|| d.file().and_then(|f| f.path())).flatten();
        held.borrow_mut().take();
        if let Some(path) = path {
            chosen(path);
        }
    });
    dialog.show();
}
