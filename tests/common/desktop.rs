//! A private desktop for tests: an X server (Xvfb), a session bus, and
//! screenshots read pixel by pixel.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process killed when dropped.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts Xvfb on a display number it picks itself (`-displayfd`, so that
/// tests running at once never race for one); returns it and its name.
/// `-noreset`: by default the server resets when its last client leaves,
/// and a client connecting meanwhile (the app, just after a screenshot or
/// the accessibility bus launcher left) is refused: "cannot open display".
pub fn start_xvfb(size: &str) -> (Guard, String) {
    let mut child = Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", size, "-nolisten", "tcp", "-noreset"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb runs (install the package xvfb)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("display number");
    let n: u32 =
        line.trim().parse().unwrap_or_else(|_| panic!("Xvfb said `{line}` instead of a display number"));
    let guard = Guard(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
        assert!(Instant::now() < deadline, "Xvfb :{n} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (guard, format!(":{n}"))
}

/// Starts a private session bus that can start the accessibility bus and
/// nothing else (no keyring, which would wait for a password prompt, no
/// portal); returns it and its address. Services it starts get
/// `runtime_dir` as their XDG_RUNTIME_DIR, so that they are not shared
/// with other tests.
pub fn start_session_bus(runtime_dir: &Path) -> (Guard, String) {
    let services = runtime_dir.join("bus-services");
    std::fs::create_dir_all(&services).expect("services folder");
    let a11y = "org.a11y.Bus.service";
    std::fs::copy(Path::new("/usr/share/dbus-1/services").join(a11y), services.join(a11y))
        .expect("the accessibility bus service (install the package at-spi2-core)");
    let config = runtime_dir.join("session-bus.conf");
    std::fs::write(&config, bus_config(&format!("<servicedir>{}</servicedir>", services.display())))
        .expect("bus config written");
    let mut cmd = Command::new("dbus-daemon");
    // Without a display: the accessibility bus it starts would write its
    // address on that display's root window, and the registry read it
    // from there. The display of the outer xvfb-run is shared by the tests
    // running at once: one test's registry joined another's bus, its own
    // application's widgets were never listed (20 s, several times in CI).
    cmd.env("XDG_RUNTIME_DIR", runtime_dir)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .arg(format!("--config-file={}", config.display()));
    let bus = spawn_bus(cmd);
    start_accessibility(&bus.1, runtime_dir);
    bus
}

/// Starts the accessibility bus and its registry on the session bus at
/// `address` and waits until both answer (20 s at most), so that an
/// application started next finds them, and a test never starts on a
/// desktop where no widget could be listed.
fn start_accessibility(address: &str, runtime_dir: &Path) {
    let call = |args: &[&str]| {
        let out = Command::new("gdbus")
            .arg("call")
            .args(args)
            .env("XDG_RUNTIME_DIR", runtime_dir)
            .output()
            .expect("gdbus runs (install the package libglib2.0-bin)");
        match out.status.success() {
            true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            false => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        }
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    let answer = |what: &str, args: &[&str]| loop {
        match call(args) {
            Ok(out) => return out,
            Err(e) => assert!(Instant::now() < deadline, "{what} did not start (package at-spi2-core): {e}"),
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let bus = ["--address", address, "--dest", "org.a11y.Bus", "--object-path", "/org/a11y/bus"];
    let reply =
        answer("the accessibility bus", &[&bus[..], &["--method", "org.a11y.Bus.GetAddress"]].concat());
    // ('unix:path=/…,guid=…',)
    let a11y = reply.split('\'').nth(1).unwrap_or_else(|| panic!("an address in {reply}")).to_owned();
    let registry = [
        "--address",
        &a11y,
        "--dest",
        "org.a11y.atspi.Registry",
        "--object-path",
        "/org/a11y/atspi/accessible/root",
        "--method",
        "org.freedesktop.DBus.Properties.Get",
        "org.a11y.atspi.Accessible",
        "ChildCount",
    ];
    answer("the accessibility registry", &registry);
}

/// A session bus configuration open to everyone, with `extra` inside.
fn bus_config(extra: &str) -> String {
    format!(
        r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  {extra}
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#
    )
}

/// Starts a private session bus that starts no services by itself (so no
/// keyring or portal appears unless the test runs one); returns it and its address.
pub fn start_bare_session_bus(dir: &Path) -> (Guard, String) {
    let config = dir.join("bare-bus.conf");
    std::fs::write(&config, bus_config("")).expect("bus config written");
    let mut cmd = Command::new("dbus-daemon");
    cmd.arg(format!("--config-file={}", config.display()));
    spawn_bus(cmd)
}

fn spawn_bus(mut cmd: Command) -> (Guard, String) {
    let mut child = cmd
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("dbus-daemon runs (install the package dbus)");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("address");
    (Guard(child), line.trim().to_owned())
}

/// A screenshot of the whole display.
pub struct Shot {
    path: std::path::PathBuf,
}

impl Shot {
    pub fn take(display: &str, path: &Path) -> Self {
        let status = Command::new("import")
            .args(["-display", display, "-window", "root"])
            .arg(path)
            .status()
            .expect("import runs (install the package imagemagick)");
        assert!(status.success(), "screenshot taken");
        Self { path: path.to_owned() }
    }

    /// Red, green and blue at (x, y).
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let format = format!(
            "%[fx:int(255*p{{{x},{y}}}.r)],%[fx:int(255*p{{{x},{y}}}.g)],%[fx:int(255*p{{{x},{y}}}.b)]"
        );
        let out = Command::new("convert")
            .arg(&self.path)
            .args(["-format", &format, "info:"])
            .output()
            .expect("convert runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Vec<u8> = text.trim().split(',').filter_map(|c| c.parse().ok()).collect();
        assert_eq!(v.len(), 3, "a pixel from {text}");
        [v[0], v[1], v[2]]
    }

    /// The bounding box (x, y, width, height) of the pixels near `rgb`.
    pub fn bounds_of(&self, rgb: [u8; 3]) -> (u32, u32, u32, u32) {
        self.bounds_of_within(rgb, None)
    }

    /// Like `bounds_of`, looking only inside `area` (x, y, width, height).
    pub fn bounds_of_within(&self, rgb: [u8; 3], area: Option<(u32, u32, u32, u32)>) -> (u32, u32, u32, u32) {
        let colour = format!("rgb({},{},{})", rgb[0], rgb[1], rgb[2]);
        let crop = area.map(|(x, y, w, h)| format!("{w}x{h}+{x}+{y}"));
        let (ox, oy) = area.map_or((0, 0), |(x, y, _, _)| (x, y));
        let out = Command::new("convert")
            .arg(&self.path)
            .args(crop.iter().flat_map(|c| ["-crop", c.as_str(), "+repage"]))
            .args([
                "-fuzz", "12%", "-fill", "black", "+opaque", &colour, "-fill", "white", "-opaque", &colour,
            ])
            .args(["-bordercolor", "black", "-border", "1", "-format", "%@", "info:"])
            .output()
            .expect("convert runs");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let n: Vec<u32> = text.split(['x', '+']).filter_map(|v| v.parse().ok()).collect();
        assert_eq!(n.len(), 4, "a box from `{text}`");
        // The 1 px border added around the image shifts the box.
        (n[2] - 1 + ox, n[3] - 1 + oy, n[0], n[1])
    }

    /// How many pixels of `area` (x, y, width, height) are farther than
    /// `fuzz_percent` from `rgb` (one ImageMagick run for the whole area).
    pub fn count_unlike(&self, rgb: [u8; 3], area: (u32, u32, u32, u32), fuzz_percent: u32) -> u64 {
        let (x, y, w, h) = area;
        let colour = format!("rgb({},{},{})", rgb[0], rgb[1], rgb[2]);
        let out = Command::new("convert")
            .arg(&self.path)
            .args(["-crop", &format!("{w}x{h}+{x}+{y}"), "+repage", "-fuzz", &format!("{fuzz_percent}%")])
            // Not the colour → white first, then the colour → black.
            .args(["-fill", "white", "+opaque", &colour, "-fill", "black", "-opaque", &colour])
            .args(["-colorspace", "gray", "-format", "%[fx:round(mean*w*h)]", "info:"])
            .output()
            .expect("convert runs");
        let text = String::from_utf8_lossy(&out.stdout);
        text.trim().parse().unwrap_or_else(|_| panic!("a count from `{text}`"))
    }

    /// A signature of the pixels in a rectangle.
    pub fn signature(&self, x: u32, y: u32, w: u32, h: u32) -> String {
        let out = Command::new("convert")
            .arg(&self.path)
            .args(["-crop", &format!("{w}x{h}+{x}+{y}"), "-format", "%#", "info:"])
            .output()
            .expect("convert runs");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

/// A gnome-keyring serving secrets on `bus`, unlocked, its files under
/// `dir` (`home`, `data`) and `runtime` (a private folder).
pub fn start_keyring(bus: &str, dir: &Path, runtime: &Path) -> Guard {
    use std::io::Write;
    let mut child = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--components=secrets", "--unlock"])
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .env("HOME", dir.join("home"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_RUNTIME_DIR", runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon runs (install the package gnome-keyring)");
    child.stdin.take().expect("stdin").write_all(b"test-password").expect("password");
    std::thread::sleep(Duration::from_millis(800));
    Guard(child)
}
