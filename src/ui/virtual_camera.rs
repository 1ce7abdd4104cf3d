//! The Virtual Camera button: the program as a camera and a microphone
//! named "Plateau" that video-call apps and browsers can pick (PipeWire
//! nodes, and a v4l2loopback device when the system has one).

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;

use super::window::Window;

/// Where the system lists its video devices (a v4l2loopback one among them).
const VIDEO4LINUX: &str = "/sys/class/video4linux";

/// What the show calls the virtual camera while it opens.
const VIRTUAL_CAMERA: &str = "virtual-camera";

impl Window {
    pub fn virtual_camera_on(&self) -> bool {
        self.imp().virtual_camera.borrow().is_some()
    }

    /// Opens or closes the virtual camera and microphone, off the
    /// interface thread; the button says which. A failure (no PipeWire)
    /// is told, and the button stays off.
    pub async fn set_virtual_camera(&self, on: bool) -> Result<(), String> {
        let imp = self.imp();
        if !on {
            if let Some(camera) = imp.virtual_camera.take() {
                self.show_virtual_camera();
                let _ = gio::spawn_blocking(move || drop(camera)).await;
                tracing::info!("virtual camera off");
            }
            return Ok(());
        }
        if self.virtual_camera_on() {
            return Ok(());
        }
        let feeds = self.feeds().ok_or_else(|| gettext("The program is not running"))?;
        let Some(starting) = imp.show.start_in_background(
            VIRTUAL_CAMERA,
            gettext("Opening the virtual camera…"),
            move || {
                let loopback = plateau::engine::find_loopback_device(std::path::Path::new(VIDEO4LINUX));
                plateau::engine::VirtualCamera::start(&feeds, loopback).map_err(|e| e.to_string())
            },
        ) else {
            return Ok(());
        };
        self.show_virtual_camera();
        let started = starting.await.map(|camera| drop(imp.virtual_camera.replace(Some(camera))));
        if let Err(e) = &started {
            self.show_error(&gettext("The virtual camera could not start"), e);
        }
        self.show_virtual_camera();
        started
    }

    /// Opens or closes the virtual camera in the background (a button, a menu).
    pub fn toggle_virtual_camera(&self) {
        let (w, on) = (self.clone(), !self.virtual_camera_on());
        glib::spawn_future_local(async move {
            let _ = w.set_virtual_camera(on).await;
        });
    }

    fn show_virtual_camera(&self) {
        let imp = self.imp();
        let on = self.virtual_camera_on() || imp.show.is_starting(VIRTUAL_CAMERA);
        imp.camera_button.set_active(on);
        imp.camera_content.set_label(&match on {
            true => gettext("Stop Virtual Camera"),
            false => gettext("Virtual Camera"),
        });
    }
}
