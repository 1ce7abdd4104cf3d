//! The sources of the edited scene, top of the stack first: a row per item
//! with its kind, a show/hide toggle, its menu and a remove button, and the
//! + menu that adds a source. Rows are dragged onto each other to restack.
//!
//! What a person does here is told as signals: `item-selected` (one
//! click), `item-activated` (double click or Enter: the source's id),
//! `visibility-toggled` (item id, visible), `item-removed` (item id) and
//! `item-moved` (item id, its new place in the stack, 0 = bottom).

use std::cell::Cell;
use std::sync::OnceLock;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use glib::subclass::Signal;
use gtk::{glib, CompositeTemplate};
use plateau::model::{ItemId, Scene, SceneCollection, SourceKind, TextMotion};

use super::menus::item_menu;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/source-list.ui")]
    pub struct SourceList {
        #[template_child]
        pub list: TemplateChild<gtk::ListBox>,
        #[template_child]
        pub add_source_menu: TemplateChild<gio::Menu>,
        /// How many items the shown scene holds.
        pub count: Cell<usize>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SourceList {
        const NAME: &'static str = "PlateauSourceList";
        type Type = super::SourceList;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for SourceList {
        fn constructed(&self) {
            self.parent_constructed();
            // One click chooses a source; a double click or Enter opens
            // its properties (as in OBS), so Delete still removes the item.
            self.list.set_activate_on_single_click(false);
            let obj = self.obj().downgrade();
            self.list.connect_row_selected(move |_, row| {
                let id: Option<u64> =
                    row.and_then(|r| r.widget_name().as_str().strip_prefix("item:")?.parse().ok());
                if let (Some(list), Some(id)) = (obj.upgrade(), id) {
                    list.emit_by_name::<()>("item-selected", &[&id]);
                }
            });
        }

        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS.get_or_init(|| {
                let (id, text, flag, place) =
                    (u64::static_type(), String::static_type(), bool::static_type(), u32::static_type());
                vec![
                    Signal::builder("item-selected").param_types([id]).build(),
                    Signal::builder("item-activated").param_types([text]).build(),
                    Signal::builder("visibility-toggled").param_types([id, flag]).build(),
                    Signal::builder("item-removed").param_types([id]).build(),
                    Signal::builder("item-moved").param_types([id, place]).build(),
                ]
            })
        }
    }
    impl WidgetImpl for SourceList {}
    impl BoxImpl for SourceList {}
}

glib::wrapper! {
    pub struct SourceList(ObjectSubclass<imp::SourceList>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl SourceList {
    /// The + menu's entries (the window adds the screen capture it can offer).
    pub fn add_menu(&self) -> gio::Menu {
        self.imp().add_source_menu.get()
    }

    /// Shows the items of `scene` in `collection` (none: an empty list),
    /// the row of `selected` chosen.
    pub fn show(&self, collection: &SceneCollection, scene: Option<&str>, selected: Option<ItemId>) {
        let imp = self.imp();
        while let Some(row) = imp.list.row_at_index(0) {
            imp.list.remove(&row);
        }
        let Some(scene) = scene.and_then(|s| collection.scene(s)) else { return imp.count.set(0) };
        imp.count.set(scene.items.len());
        for item in scene.items.iter().rev() {
            let Some(source) = collection.source(&item.source) else { continue };
            let row = adw::ActionRow::builder()
                .title(source.name.as_str())
                .subtitle(kind_label(&source.kind))
                .activatable(true)
                .tooltip_text(gettext("Open its properties"))
                .build();
            row.set_widget_name(&format!("item:{}", item.id.0));
            let (list, source_id) = (self.downgrade(), source.id.as_str().to_owned());
            row.connect_activated(move |_| {
                if let Some(list) = list.upgrade() {
                    list.emit_by_name::<()>("item-activated", &[&source_id]);
                }
            });
            let visible = gtk::ToggleButton::builder()
                .icon_name(if item.visible { "view-reveal-symbolic" } else { "view-conceal-symbolic" })
                .active(item.visible)
                .valign(gtk::Align::Center)
                .tooltip_text(gettext("Show or hide"))
                .css_classes(["flat"])
                .build();
            visible.update_property(&[gtk::accessible::Property::Label(&format!(
                "{} {}",
                gettext("Show"),
                source.name
            ))]);
            let remove = gtk::Button::builder()
                .icon_name("user-trash-symbolic")
                .valign(gtk::Align::Center)
                .tooltip_text(gettext("Remove from this scene"))
                .css_classes(["flat"])
                .build();
            remove.update_property(&[gtk::accessible::Property::Label(&format!(
                "{} {}",
                gettext("Remove"),
                source.name
            ))]);
            let (list, id) = (self.downgrade(), item.id.0);
            visible.connect_toggled(move |b| {
                let Some(list) = list.upgrade() else { return };
                let shown = b.is_active();
                b.set_icon_name(if shown { "view-reveal-symbolic" } else { "view-conceal-symbolic" });
                list.emit_by_name::<()>("visibility-toggled", &[&id, &shown]);
            });
            let list = self.downgrade();
            remove.connect_clicked(move |_| {
                if let Some(list) = list.upgrade() {
                    list.emit_by_name::<()>("item-removed", &[&id]);
                }
            });
            row.add_suffix(&visible);
            row.add_suffix(&item_menu(item.id, item.locked, &source.name));
            row.add_suffix(&remove);
            self.make_draggable(&row, item.id, scene.items.len() - 1 - index_of(scene, item.id));
            imp.list.append(&row);
        }
        self.select(selected);
    }

    /// Chooses the row of item `id` (none: no row).
    pub fn select(&self, id: Option<ItemId>) {
        let list = &self.imp().list;
        let name = id.map(|id| format!("item:{}", id.0));
        let row = (0..)
            .map_while(|i| list.row_at_index(i))
            .find(|r| Some(r.widget_name().as_str()) == name.as_deref());
        match row {
            Some(row) => list.select_row(Some(&row)),
            None => list.unselect_all(),
        }
    }

    /// A row can be dragged onto another to take its place in the stack
    /// (`row_position`: its place in the list, top first).
    fn make_draggable(&self, row: &adw::ActionRow, id: ItemId, row_position: usize) {
        let drag = gtk::DragSource::new();
        drag.set_actions(gtk::gdk::DragAction::MOVE);
        drag.connect_prepare(move |_, _, _| {
            Some(gtk::gdk::ContentProvider::for_value(&id.0.to_string().to_value()))
        });
        row.add_controller(drag);
        let drop = gtk::DropTarget::new(String::static_type(), gtk::gdk::DragAction::MOVE);
        let list = self.downgrade();
        drop.connect_drop(move |_, value, _, _| {
            let (Some(list), Ok(dragged)) = (list.upgrade(), value.get::<String>()) else { return false };
            let Ok(dragged) = dragged.parse::<u64>() else { return false };
            // The list shows the top of the stack first.
            let index = list.imp().count.get().saturating_sub(1).saturating_sub(row_position);
            list.emit_by_name::<()>("item-moved", &[&dragged, &(index as u32)]);
            true
        });
        row.add_controller(drop);
    }

    /// Calls `f` with the item a person chose in the list.
    pub fn connect_item_selected(&self, f: impl Fn(ItemId) + 'static) {
        let closure = glib::closure_local!(move |_: &SourceList, id: u64| f(ItemId(id)));
        self.connect_closure("item-selected", false, closure);
    }

    /// Calls `f` with the source of the row a person opened.
    pub fn connect_item_activated(&self, f: impl Fn(&str) + 'static) {
        let closure = glib::closure_local!(move |_: &SourceList, source: String| f(&source));
        self.connect_closure("item-activated", false, closure);
    }

    /// Calls `f` with an item and whether it is shown now.
    pub fn connect_visibility_toggled(&self, f: impl Fn(ItemId, bool) + 'static) {
        let closure = glib::closure_local!(move |_: &SourceList, id: u64, shown: bool| f(ItemId(id), shown));
        self.connect_closure("visibility-toggled", false, closure);
    }

    /// Calls `f` with an item a person removed.
    pub fn connect_item_removed(&self, f: impl Fn(ItemId) + 'static) {
        let closure = glib::closure_local!(move |_: &SourceList, id: u64| f(ItemId(id)));
        self.connect_closure("item-removed", false, closure);
    }

    /// Calls `f` with an item and its new place in the stack (0 = bottom).
    pub fn connect_item_moved(&self, f: impl Fn(ItemId, usize) + 'static) {
        let closure =
            glib::closure_local!(move |_: &SourceList, id: u64, index: u32| f(ItemId(id), index as usize));
        self.connect_closure("item-moved", false, closure);
    }
}

/// A source kind as the user reads it.
pub fn kind_label(kind: &SourceKind) -> String {
    match kind {
        SourceKind::TestPattern { .. } => gettext("Test Pattern"),
        SourceKind::Color { .. } => gettext("Colour"),
        SourceKind::Image { .. } => gettext("Image"),
        SourceKind::Slideshow { .. } => gettext("Slideshow"),
        SourceKind::Media { .. } => gettext("Media File"),
        SourceKind::ScreenX11 { .. } | SourceKind::ScreenPortal { .. } => gettext("Screen"),
        SourceKind::Webcam { .. } => gettext("Webcam"),
        SourceKind::AudioInput { .. } => gettext("Microphone"),
        SourceKind::DesktopAudio => gettext("Desktop Audio"),
        SourceKind::Text { motion, .. } => match motion {
            TextMotion::Still => gettext("Text"),
            TextMotion::Clock { .. } => gettext("Clock"),
            TextMotion::Countdown { .. } => gettext("Countdown"),
            TextMotion::Stopwatch => gettext("Stopwatch"),
            TextMotion::Ticker { .. } => gettext("Ticker"),
        },
        SourceKind::Tone { .. } => gettext("Tone"),
        SourceKind::Chat { .. } => gettext("Chat"),
    }
}

/// Where item `id` is in `scene`'s stack (0 = bottom).
fn index_of(scene: &Scene, id: ItemId) -> usize {
    scene.items.iter().position(|i| i.id == id).unwrap_or(0)
}
