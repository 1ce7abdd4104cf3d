//! The studio window: GTK 4 and libadwaita, one widget per file, templates
//! from `ui/` compiled into the GResource.

mod window;

use adw::prelude::*;
use gettextrs::{bind_textdomain_codeset, bindtextdomain, setlocale, textdomain, LocaleCategory};

use crate::Cli;

pub const APP_ID: &str = "io.github.plateau.Plateau";
const GETTEXT_DOMAIN: &str = "plateau";

fn init_translations() {
    setlocale(LocaleCategory::LcAll, "");
    let dir = std::env::var("PLATEAU_LOCALEDIR")
        .unwrap_or_else(|_| option_env!("PLATEAU_LOCALEDIR").unwrap_or("/usr/share/locale").to_owned());
    let _ = bindtextdomain(GETTEXT_DOMAIN, dir);
    let _ = bind_textdomain_codeset(GETTEXT_DOMAIN, "UTF-8");
    let _ = textdomain(GETTEXT_DOMAIN);
}

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    init_translations();
    gio::resources_register_include!("plateau.gresource")?;
    plateau::engine::init()?;
    gstgtk4::plugin_register_static()?;
    let collection = crate::initial_collection(cli)?;
    let scene = cli.scene.clone();

    let app = adw::Application::builder().application_id(APP_ID).build();
    app.connect_activate(move |app| {
        if let Some(window) = app.active_window() {
            window.present();
            return;
        }
        let window = window::Window::new(app);
        window.start_studio(collection.clone(), scene.as_deref());
        window.present();
    });
    // GTK reads its own arguments; ours were read by clap already.
    let status = app.run_with_args(&[std::env::args().next().unwrap_or_default()]);
    if status != glib::ExitCode::SUCCESS {
        anyhow::bail!("the application exited with an error");
    }
    Ok(())
}
