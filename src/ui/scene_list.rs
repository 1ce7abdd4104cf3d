//! The list of scenes: a row per scene with its menu, the one edited
//! chosen, and buttons to add and remove scenes. Choosing a row emits
//! `activated` with the scene's name.

use std::cell::Cell;
use std::sync::OnceLock;

use adw::prelude::*;
use adw::subclass::prelude::*;
use glib::subclass::Signal;
use gtk::{glib, CompositeTemplate};

use super::menus::scene_menu;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/scene-list.ui")]
    pub struct SceneList {
        #[template_child]
        pub list: TemplateChild<gtk::ListBox>,
        /// Rows are being rebuilt: choosing one is not the user's doing.
        pub filling: Cell<bool>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for SceneList {
        const NAME: &'static str = "PlateauSceneList";
        type Type = super::SceneList;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for SceneList {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj().downgrade();
            self.list.connect_row_activated(move |_, row| {
                let Some(list) = obj.upgrade() else { return };
                if let (false, Some(name)) =
                    (list.imp().filling.get(), row.widget_name().as_str().strip_prefix("scene:"))
                {
                    list.emit_by_name::<()>("activated", &[&name]);
                }
            });
        }

        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS.get_or_init(|| {
                vec![Signal::builder("activated").param_types([String::static_type()]).build()]
            })
        }
    }
    impl WidgetImpl for SceneList {}
    impl BoxImpl for SceneList {}
}

glib::wrapper! {
    pub struct SceneList(ObjectSubclass<imp::SceneList>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl SceneList {
    /// Shows a row per scene, `chosen` selected.
    pub fn show<'a>(&self, names: impl IntoIterator<Item = &'a str>, chosen: Option<&str>) {
        let imp = self.imp();
        imp.filling.set(true);
        while let Some(row) = imp.list.row_at_index(0) {
            imp.list.remove(&row);
        }
        for name in names {
            let row = adw::ActionRow::builder().title(name).activatable(true).build();
            row.add_suffix(&scene_menu(name));
            row.set_widget_name(&format!("scene:{name}"));
            imp.list.append(&row);
            if Some(name) == chosen {
                imp.list.select_row(Some(&row));
            }
        }
        imp.filling.set(false);
    }

    /// Calls `f` with the name of the scene a person chose.
    pub fn connect_activated(&self, f: impl Fn(&str) + 'static) {
        self.connect_closure(
            "activated",
            false,
            glib::closure_local!(move |_: &SceneList, name: String| f(&name)),
        );
    }
}
