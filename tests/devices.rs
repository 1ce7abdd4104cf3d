//! Camera mode choice and device listing (this machine has no camera or
//! microphone; the listing must still answer, and the choice is checked on
//! the caps a real UVC camera offers).

use plateau::engine::devices::{best_mode, list};

/// Caps as a typical UVC webcam offers them: YUY2 at small sizes, MJPEG up to 1080p.
fn webcam_caps() -> gst::Caps {
    gst::init().expect("gstreamer");
    "video/x-raw, format=YUY2, width=640, height=480, framerate={ 30/1, 15/1 }; \
     video/x-raw, format=YUY2, width=1280, height=720, framerate=10/1; \
     image/jpeg, width=1280, height=720, framerate={ 30/1, 60/1 }; \
     image/jpeg, width=1920, height=1080, framerate=30/1"
        .parse()
        .expect("caps parse")
}

fn describe(caps: &gst::Caps) -> (String, i32, i32, i32) {
    let s = caps.structure(0).expect("one structure");
    let f = s.get::<gst::Fraction>("framerate").expect("rate");
    (s.name().to_string(), s.get("width").expect("w"), s.get("height").expect("h"), f.numer() / f.denom())
}

#[test]
fn the_camera_mode_closest_to_the_request_is_chosen() {
    let caps = webcam_caps();
    // 720p30 exists only as MJPEG: raw 720p is 10 fps, too slow.
    assert_eq!(describe(&best_mode(&caps, 1280, 720, 30)), ("image/jpeg".into(), 1280, 720, 30));
    // 640x480 at 30 fps exists raw: raw wins.
    assert_eq!(describe(&best_mode(&caps, 640, 480, 30)), ("video/x-raw".into(), 640, 480, 30));
    assert_eq!(describe(&best_mode(&caps, 1920, 1080, 30)), ("image/jpeg".into(), 1920, 1080, 30));
    // A size nobody offers gets the nearest one.
    assert_eq!(describe(&best_mode(&caps, 800, 600, 30)), ("video/x-raw".into(), 640, 480, 30));
    assert!(best_mode(&caps, 1280, 720, 30).is_fixed());
}

#[test]
fn listing_devices_answers_even_without_any() {
    gst::init().expect("gstreamer");
    for class in ["Video/Source", "Audio/Source"] {
        for d in list(class) {
            assert!(!d.name.is_empty(), "a listed device has a name");
            assert!(d.class.starts_with(class.split('/').next().expect("kind")), "{d:?}");
        }
    }
}
