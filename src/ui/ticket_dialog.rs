//! The ticket of a show on the swarm, to hand to the audience: the text
//! (selectable, with a Copy button), a QR code drawn crisp at any size
//! (whole pixels per module, a quiet zone of four), and a `plateau:` link.

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;
use gtk::{glib, CompositeTemplate};

/// The white border a QR code needs around it, in modules.
const QUIET_ZONE: usize = 4;

mod imp {
    use super::*;

    #[derive(Default, CompositeTemplate)]
    #[template(resource = "/io/github/plateau/Plateau/ui/ticket-dialog.ui")]
    pub struct TicketDialog {
        #[template_child]
        pub qr: TemplateChild<gtk::DrawingArea>,
        #[template_child]
        pub ticket: TemplateChild<gtk::Label>,
        #[template_child]
        pub copy: TemplateChild<gtk::Button>,
        #[template_child]
        pub link: TemplateChild<gtk::LinkButton>,
    }

    #[glib::object_subclass]
    impl ObjectSubclass for TicketDialog {
        const NAME: &'static str = "PlateauTicketDialog";
        type Type = super::TicketDialog;
        type ParentType = adw::Window;

        fn class_init(klass: &mut Self::Class) {
            klass.bind_template();
            klass.add_binding_action(gtk::gdk::Key::Escape, gtk::gdk::ModifierType::empty(), "window.close");
        }

        fn instance_init(obj: &glib::subclass::InitializingObject<Self>) {
            obj.init_template();
        }
    }

    impl ObjectImpl for TicketDialog {
        fn constructed(&self) {
            self.parent_constructed();
            let obj = self.obj().downgrade();
            self.copy.connect_clicked(move |button| {
                let Some(dialog) = obj.upgrade() else { return };
                button.clipboard().set_text(&dialog.imp().ticket.text());
                button.set_label(&gettext("Copied"));
            });
        }
    }
    impl WidgetImpl for TicketDialog {}
    impl WindowImpl for TicketDialog {}
    impl AdwWindowImpl for TicketDialog {}
}

glib::wrapper! {
    pub struct TicketDialog(ObjectSubclass<imp::TicketDialog>)
        @extends adw::Window, gtk::Window, gtk::Widget,
        @implements gtk::Accessible, gtk::Buildable, gtk::ConstraintTarget, gtk::Native, gtk::Root,
                    gtk::ShortcutManager;
}

impl TicketDialog {
    /// Shows `ticket` over `parent`.
    pub fn show(parent: &impl IsA<gtk::Window>, ticket: &str) -> Self {
        let dialog: Self = glib::Object::builder().property("transient-for", parent).build();
        let imp = dialog.imp();
        imp.ticket.set_label(ticket);
        imp.link.set_uri(&format!("plateau:{ticket}"));
        show_qr(&imp.qr, ticket);
        dialog.present();
        // Not the selectable ticket: its text would show all selected.
        imp.copy.grab_focus();
        dialog
    }
}

/// Draws `text` as a QR code in `area`; hides the area when it does not fit.
pub(super) fn show_qr(area: &gtk::DrawingArea, text: &str) {
    match qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => {
            let (width, dark) = (code.width(), code.to_colors());
            area.set_draw_func(move |_, cr, w, h| draw_qr(cr, w, h, width, &dark));
            area.set_visible(true);
            area.queue_draw();
        }
        Err(e) => {
            tracing::warn!(%e, "the text does not fit a QR code");
            area.set_visible(false);
        }
    }
}

/// Draws a QR code of `width` modules (`modules`, row by row) as large as
/// `w`x`h` allows with whole pixels per module, centred, on white.
fn draw_qr(cr: &gtk::cairo::Context, w: i32, h: i32, width: usize, modules: &[qrcode::Color]) {
    let side = width + 2 * QUIET_ZONE;
    let module = (w.min(h).max(0) as usize / side).max(1) as f64;
    let size = module * side as f64;
    let (x0, y0) = (((f64::from(w) - size) / 2.0).floor(), ((f64::from(h) - size) / 2.0).floor());
    cr.set_source_rgb(1.0, 1.0, 1.0);
    cr.rectangle(x0, y0, size, size);
    let _ = cr.fill();
    cr.set_source_rgb(0.0, 0.0, 0.0);
    for (i, color) in modules.iter().enumerate() {
        if *color == qrcode::Color::Dark {
            let (x, y) = ((i % width + QUIET_ZONE) as f64, (i / width + QUIET_ZONE) as f64);
            cr.rectangle(x0 + x * module, y0 + y * module, module, module);
        }
    }
    let _ = cr.fill();
}
