//! The studio window: GTK 4 and libadwaita, one widget per file, templates
//! from `ui/` compiled into the GResource. Every main command is an action
//! on the application (`app.record`, `app.switch-scene`, …), so that it can
//! be triggered from the keyboard, from D-Bus (org.gtk.Actions) and from tests.

mod audio_page;
mod autosave;
mod canvas;
mod chat_panel;
mod collections;
mod document;
mod edits;
mod file_dialog;
mod filters_dialog;
mod frame_sink;
mod live;
mod manipulation;
mod menus;
mod mixer;
mod mixer_strip;
mod preview_paintable;
mod remote_control;
mod remote_page;
mod replay;
mod rundown_panel;
mod scene_list;
mod settings_dialog;
mod show;
mod source_list;
mod source_properties;
mod text_fit;
mod text_motion_rows;
mod ticket_dialog;
mod undo;
mod viewer_window;
mod virtual_camera;
mod watchdog;
mod window;

use adw::prelude::*;
use gettextrs::{bind_textdomain_codeset, bindtextdomain, gettext, setlocale, textdomain, LocaleCategory};
use plateau::model::{config_dir, CollectionStore, SceneCollection, Settings};

use plateau::cli::Cli;

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

/// The collection to open: the one on the command line, else the last one
/// used, else the demo (saved, so that edits to it are kept).
fn open_collection(
    cli: &Cli,
    settings: &mut Settings,
    store: &CollectionStore,
    problems: &mut Vec<(String, String)>,
) -> anyhow::Result<SceneCollection> {
    if cli.collection.is_some() {
        return plateau::cli::initial_collection(cli);
    }
    if let Some(name) = settings.collection.clone() {
        match store.load(&name) {
            Ok(c) => return Ok(c),
            Err(e) => {
                tracing::warn!(%e, "the last collection could not be opened; starting with the demo");
                problems.push((
                    format!("{} “{name}”", gettext("This collection could not be opened:")),
                    format!(
                        "{e}\n\n{}",
                        gettext("Its file stays where it is, untouched. The demo opens instead.")
                    ),
                ));
            }
        }
    }
    let demo = plateau::cli::initial_collection(cli)?;
    if store.load(&demo.name).is_err() {
        let _ = store.save(&demo);
    }
    settings.collection = Some(demo.name.clone());
    Ok(demo)
}

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    init_translations();
    gio::resources_register_include!("plateau.gresource")?;
    plateau::engine::init()?;
    gstgtk4::plugin_register_static()?;
    let config = config_dir()?;
    let settings_path = config.join("settings.json");
    // What could not be used is told in the window, which opens anyway.
    let mut problems = Vec::new();
    let mut settings = Settings::load(&settings_path).unwrap_or_else(|e| {
        tracing::warn!(%e, "the settings could not be read; starting with the defaults");
        let kept = match plateau::model::set_aside(&settings_path) {
            Ok(aside) => format!("{} {}", gettext("The file was kept for you as"), aside.display()),
            Err(why) => format!("{} ({why})", gettext("The file could not be moved aside")),
        };
        problems.push((
            gettext("The settings could not be read"),
            format!("{e}\n\n{}. {kept}", gettext("Plateau starts with the default settings")),
        ));
        Settings::default()
    });
    let store = CollectionStore::in_config_dir()?;
    let collection = open_collection(cli, &mut settings, &store, &mut problems)?;
    if let Err(e) = settings.save(&settings_path) {
        tracing::warn!(%e, "the settings could not be saved");
    }
    let scene = cli.scene.clone();

    let app = adw::Application::builder().application_id(APP_ID).build();
    install_actions(&app);
    app.connect_startup(|_| watchdog::start());
    let problems = std::cell::RefCell::new(problems);
    app.connect_activate(move |app| {
        if let Some(window) = app.active_window() {
            window.present();
            return;
        }
        let window = window::Window::new(app);
        window.start_studio(collection.clone(), scene.as_deref(), settings.clone(), Some(store.clone()));
        window.restore_state();
        window.apply_remote_control();
        window.present();
        for (title, detail) in problems.take() {
            let dialog = adw::MessageDialog::new(Some(&window), Some(&title), Some(&detail));
            dialog.add_response("close", &gettext("_Close"));
            dialog.present();
        }
    });
    // GTK reads its own arguments; ours were read by clap already.
    let status = app.run_with_args(&[std::env::args().next().unwrap_or_default()]);
    if status != glib::ExitCode::SUCCESS {
        anyhow::bail!("the application exited with an error");
    }
    Ok(())
}

/// The viewer's window: joins the show of `ticket` and plays it until
/// the window is closed.
pub fn watch(ticket: plateau::p2p::Ticket, options: plateau::p2p::PeerOptions) -> anyhow::Result<()> {
    init_translations();
    gio::resources_register_include!("plateau.gresource")?;
    plateau::engine::init()?;
    gstgtk4::plugin_register_static()?;
    // Its own process beside a running studio: not handed over to it.
    let app =
        adw::Application::builder().application_id(APP_ID).flags(gio::ApplicationFlags::NON_UNIQUE).build();
    app.connect_startup(|_| watchdog::start());
    let failed = std::rc::Rc::new(std::cell::RefCell::new(None));
    let f = failed.clone();
    app.connect_activate(move |app| {
        match viewer_window::ViewerWindow::watch(app, &ticket, options.clone()) {
            Ok(window) => window.present(),
            Err(e) => {
                *f.borrow_mut() = Some(e);
                app.quit();
            }
        }
    });
    let status = app.run_with_args(&[std::env::args().next().unwrap_or_default()]);
    if let Some(e) = failed.take() {
        return Err(e.context("the show cannot be played"));
    }
    if status != glib::ExitCode::SUCCESS {
        anyhow::bail!("the viewer exited with an error");
    }
    Ok(())
}

fn window(app: &adw::Application) -> Option<window::Window> {
    // The active window may be a dialog: find the studio window itself.
    let active = app.active_window().and_then(|w| w.downcast().ok());
    active.or_else(|| app.windows().into_iter().find_map(|w| w.downcast().ok()))
}

fn install_actions(app: &adw::Application) {
    let simple = |name: &str, f: fn(&window::Window)| {
        let action = gio::SimpleAction::new(name, None);
        let app_weak = app.downgrade();
        action.connect_activate(move |_, _| {
            if let Some(w) = app_weak.upgrade().as_ref().and_then(window) {
                f(&w);
            }
        });
        app.add_action(&action);
    };
    simple("record", |w| {
        w.toggle_record();
    });
    simple("go-live", |w| {
        w.toggle_live();
    });
    simple("virtual-camera", |w| w.toggle_virtual_camera());
    simple("save-replay", |w| w.save_replay());
    simple("play-replay", |w| w.play_replay());
    // On and off, the menu shows which.
    let replay = gio::SimpleAction::new_stateful("replay-buffer", None, &false.to_variant());
    let app_weak = app.downgrade();
    replay.connect_activate(move |_, _| {
        if let Some(w) = app_weak.upgrade().as_ref().and_then(window) {
            w.toggle_replay_buffer();
        }
    });
    app.add_action(&replay);
    simple("retry-live", |w| w.retry_live());
    simple("show-ticket", |w| w.show_ticket());
    simple("open-ticket", |w| w.ask_for_ticket());
    simple("show-recording", |w| w.show_last_recording());
    simple("pause-recording", |w| {
        w.toggle_pause();
    });
    simple("podcast", |w| {
        w.toggle_podcast();
    });
    simple("chapter", |w| w.add_chapter());
    simple("add-scene", |w| w.add_scene());
    simple("transition", |w| w.transition_to_preview());

    let studio_mode = gio::SimpleAction::new_stateful("studio-mode", None, &false.to_variant());
    let app_weak = app.downgrade();
    studio_mode.connect_activate(move |action, _| {
        let wanted = !action.state().and_then(|s| s.get::<bool>()).unwrap_or(false);
        if let Some(w) = app_weak.upgrade().as_ref().and_then(window) {
            action.set_state(&w.set_studio_mode(wanted).to_variant());
        }
    });
    app.add_action(&studio_mode);
    simple("remove-scene", |w| w.remove_scene());
    simple("new-collection", |w| w.ask_new_collection());
    simple("import-obs", |w| w.ask_import_obs());
    simple("remove-collection", |w| w.remove_collection());
    simple("undo-remove-collection", |w| w.undo_remove_collection());
    simple("undo", |w| w.undo());
    simple("error-details", |w| w.show_error_details());
    simple("settings", |w| {
        settings_dialog::show(w, None);
    });

    let with_string = |name: &str, f: fn(&window::Window, &str)| {
        let action = gio::SimpleAction::new(name, Some(glib::VariantTy::STRING));
        let app_weak = app.downgrade();
        action.connect_activate(move |_, param| {
            let arg = param.and_then(|p| p.get::<String>()).unwrap_or_default();
            if let Some(w) = app_weak.upgrade().as_ref().and_then(window) {
                f(&w, &arg);
            }
        });
        app.add_action(&action);
    };
    with_string("switch-scene", |w, name| w.switch_scene(name));
    with_string("add-source", |w, kind| w.add_source(kind));
    with_string("add-file", |w, path| w.add_file(std::path::PathBuf::from(path)));
    with_string("source-properties", |w, id| w.show_properties(id));
    with_string("scene-rename", |w, name| w.ask_rename_scene(name));
    with_string("scene-duplicate", |w, name| w.duplicate_scene(name));
    with_string("scene-up", |w, name| w.move_scene(name, -1));
    with_string("scene-down", |w, name| w.move_scene(name, 1));
    with_string("scene-remove", |w, name| w.remove_scene_named(name));
    simple("undo-remove-scene", |w| w.undo_remove_scene());
    with_string("switch-collection", |w, name| w.switch_collection(name));
    // The name given: for automation and tests (the menu asks for it).
    with_string("create-collection", |w, name| w.new_collection(name));
    with_string("add-destination", |w, service| {
        let added = w.add_destination(service);
        w.destinations_changed(Some(&added));
    });
    // `1920x1080@60`: the canvas size and rate.
    with_string("canvas", |w, spec| match parse_canvas(spec) {
        Some(video) => {
            w.change_canvas(video);
        }
        None => w.show_error(&gettext("That canvas cannot be used"), &format!("{spec}: WIDTHxHEIGHT@FPS")),
    });
    with_string("item-raise", |w, id| w.item_action(id, "raise"));
    with_string("item-lower", |w, id| w.item_action(id, "lower"));
    with_string("item-fit", |w, id| w.item_action(id, "fit"));
    with_string("item-lock", |w, id| w.item_action(id, "lock"));
    with_string("item-reset", |w, id| w.item_action(id, "reset"));
    with_string("item-remove", |w, id| w.item_action(id, "remove"));
    with_string("item-filters", |w, id| w.item_action(id, "filters"));
    with_string("item-copy-filters", |w, id| w.item_action(id, "copy-filters"));
    with_string("item-paste-filters", |w, id| w.item_action(id, "paste-filters"));

    let number = gio::SimpleAction::new("switch-scene-number", Some(glib::VariantTy::INT32));
    let app_weak = app.downgrade();
    number.connect_activate(move |_, param| {
        let n = param.and_then(|p| p.get::<i32>()).unwrap_or(0);
        if let Some(w) = app_weak.upgrade().as_ref().and_then(window) {
            w.switch_scene_number(n.max(0) as usize);
        }
    });
    app.add_action(&number);

    let quit = gio::SimpleAction::new("quit", None);
    let app_weak = app.downgrade();
    quit.connect_activate(move |_, _| {
        if let Some(app) = app_weak.upgrade() {
            for w in app.windows() {
                w.close();
            }
        }
    });
    app.add_action(&quit);

    let about = gio::SimpleAction::new("about", None);
    let app_weak = app.downgrade();
    about.connect_activate(move |_, _| {
        let Some(app) = app_weak.upgrade() else { return };
        let dialog = adw::AboutWindow::builder()
            .application_name("Plateau")
            .application_icon(APP_ID)
            .developer_name(gettext("The Plateau developers"))
            .version(env!("CARGO_PKG_VERSION"))
            .license_type(gtk::License::Gpl30)
            .comments(gettext("Compose scenes, record and stream your show"))
            .build();
        if let Some(w) = app.active_window() {
            dialog.set_transient_for(Some(&w));
        }
        dialog.present();
    });
    app.add_action(&about);

    let accels = [
        ("app.record", "<Control>r"),
        ("app.go-live", "<Control>l"),
        ("app.pause-recording", "<Control><Shift>r"),
        ("app.podcast", "<Control>p"),
        ("app.save-replay", "<Control><Shift>s"),
        ("app.play-replay", "<Control><Shift>p"),
        ("app.chapter", "<Control>k"),
        ("app.quit", "<Control>q"),
        ("app.settings", "<Control>comma"),
        ("app.undo", "<Control>z"),
        ("app.add-scene", "<Control>n"),
        ("app.studio-mode", "<Control>m"),
        ("win.show-help-overlay", "<Control>question"),
        ("app.transition", "<Control>t"),
    ];
    for (action, accel) in accels {
        app.set_accels_for_action(action, &[accel]);
    }
    for n in 1..=9 {
        app.set_accels_for_action(&format!("app.switch-scene-number({n})"), &[&format!("<Alt>{n}")]);
    }
}

/// `1920x1080@60` → the canvas it names.
fn parse_canvas(spec: &str) -> Option<plateau::model::VideoSettings> {
    let (size, fps) = spec.split_once('@')?;
    let (w, h) = size.split_once(['x', '×'])?;
    Some(plateau::model::VideoSettings {
        width: w.trim().parse().ok()?,
        height: h.trim().parse().ok()?,
        fps: fps.trim().parse().ok()?,
    })
}
