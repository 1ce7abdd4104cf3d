//! The audience's chat in the studio, while the show is on the swarm: a
//! row per message with Hide (gone from the list) and Block (that peer's
//! messages are shown and passed on no more). A person's choice to block
//! is told with the `blocked` signal (the peer's id).

use std::sync::OnceLock;

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use glib::subclass::Signal;
use gtk::{glib, CompositeTemplate};
use plateau::p2p::ChatMessage;

/// Messages kept in the list (the oldest go).
const KEPT: i32 = 200;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/chat-panel.ui")]
    pub struct ChatPanel {
        #[template_child]
        pub list: TemplateChild<gtk::ListBox>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for ChatPanel {
        const NAME: &'static str = "PlateauChatPanel";
        type Type = super::ChatPanel;
        type ParentType = gtk::Box;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for ChatPanel {
        fn signals() -> &'static [Signal] {
            static SIGNALS: OnceLock<Vec<Signal>> = OnceLock::new();
            SIGNALS
                .get_or_init(|| vec![Signal::builder("blocked").param_types([String::static_type()]).build()])
        }
    }
    impl WidgetImpl for ChatPanel {}
    impl BoxImpl for ChatPanel {}
}

glib::wrapper! {
    pub struct ChatPanel(ObjectSubclass<imp::ChatPanel>)
        @extends gtk::Box, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Orientable;
}

impl ChatPanel {
    /// Adds a message at the bottom.
    pub fn add(&self, message: &ChatMessage) {
        let list = &self.imp().list;
        let row =
            adw::ActionRow::builder().title(message.name.as_str()).subtitle(message.text.as_str()).build();
        row.set_widget_name(&format!("from:{}", message.from));
        let hide = flat_button(
            "view-conceal-symbolic",
            &format!("{} {}", gettext("Hide the message of"), message.name),
        );
        let block =
            flat_button("action-unavailable-symbolic", &format!("{} {}", gettext("Block"), message.name));
        let (r, l) = (row.downgrade(), list.downgrade());
        hide.connect_clicked(move |_| {
            if let (Some(row), Some(list)) = (r.upgrade(), l.upgrade()) {
                list.remove(&row);
            }
        });
        let (panel, from) = (self.downgrade(), message.from.to_string());
        block.connect_clicked(move |_| {
            if let Some(panel) = panel.upgrade() {
                panel.forget(&from);
                panel.emit_by_name::<()>("blocked", &[&from]);
            }
        });
        row.add_suffix(&hide);
        row.add_suffix(&block);
        list.append(&row);
        while list.row_at_index(KEPT).is_some() {
            if let Some(first) = list.row_at_index(0) {
                list.remove(&first);
            }
        }
    }

    /// Removes every message of peer `from`.
    fn forget(&self, from: &str) {
        let list = &self.imp().list;
        let name = format!("from:{from}");
        let rows: Vec<_> =
            (0..).map_while(|i| list.row_at_index(i)).filter(|r| r.widget_name() == name).collect();
        for row in rows {
            list.remove(&row);
        }
    }

    /// Calls `f` with the id of a peer a person blocked.
    pub fn connect_blocked(&self, f: impl Fn(&str) + 'static) {
        self.connect_closure(
            "blocked",
            false,
            glib::closure_local!(move |_: &ChatPanel, from: String| f(&from)),
        );
    }
}

pub(super) fn flat_button(icon: &str, label: &str) -> gtk::Button {
    let button = gtk::Button::builder()
        .icon_name(icon)
        .valign(gtk::Align::Center)
        .tooltip_text(label)
        .css_classes(["flat"])
        .build();
    button.update_property(&[gtk::accessible::Property::Label(label)]);
    button
}
