//! The Virtual Camera button: the program as a camera and a microphone
//! named "Plateau" that video-call apps and browsers can pick (PipeWire
//! nodes, and a v4l2loopback device when the system has one).

use adw::prelude::*;
use adw::subclass::prelude::*;
use gettextrs::gettext;

use super::window::Window;

/// Where the system lists its video devices (a v4l2loopback one among them).
const VIDEO4LINUX: &str = "/sys/class/video4linux";

impl Window {
    pub fn virtual_camera_on(&self) -> bool {
        self.imp().virtual_camera.borrow().is_some()
    }

    /// Opens or closes the virtual camera and microphone; the button says
    /// which. A failure (no PipeWire) is told, and the button stays off.
    pub fn set_virtual_camera(&self, on: bool) {
        let imp = self.imp();
        if !on {
            if imp.virtual_camera.take().is_some() {
                tracing::info!("virtual camera off");
            }
        } else if !self.virtual_camera_on() {
            let loopback = plateau::engine::find_loopback_device(std::path::Path::new(VIDEO4LINUX));
            let started =
                imp.studio.borrow().as_ref().map(|s| plateau::engine::VirtualCamera::start(s, loopback));
            match started {
                Some(Ok(camera)) => {
                    imp.virtual_camera.replace(Some(camera));
                }
                Some(Err(e)) => {
                    self.show_error(&gettext("The virtual camera could not start"), &e.to_string())
                }
                None => {}
            }
        }
        self.show_virtual_camera();
    }

    fn show_virtual_camera(&self) {
        let imp = self.imp();
        let on = self.virtual_camera_on();
        imp.camera_button.set_active(on);
        imp.camera_content.set_label(&match on {
            true => gettext("Stop Virtual Camera"),
            false => gettext("Virtual Camera"),
        });
    }
}
