//! The real application under Xvfb, driven as a person drives it: its
//! window found through AT-SPI and pressed by its own actions or with the
//! pointer and keyboard (xdotool), screenshots, its actions over D-Bus
//! (org.gtk.Actions, to set a test up), and its main-loop watchdog.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::desktop::{start_session_bus, start_xvfb, Guard, Shot};
use super::*;
use plateau::model::{Settings, Source, SourceKind, TestPattern};

/// Where the program canvas sits in a 1280x800 window with the default layout.
pub const CANVAS_CENTRE: (u32, u32) = (560, 300);
pub const BALL_AREA: (u32, u32, u32, u32) = (620, 395, 340, 190);

pub struct App {
    pub _app: Guard,
    pub _bus: Guard,
    pub _x: Guard,
    pub display: String,
    pub bus: String,
    pub dir: tempfile::TempDir,
}

impl App {
    /// Starts Plateau on a red scene and a blue scene (each with a moving
    /// ball in the bottom-right quarter; the blue one with a tone), in its
    /// own X server, bus and config.
    pub fn start(language: Option<&str>) -> Self {
        Self::start_with(language, |_| {})
    }

    /// Like `start`, with settings changed by `edit` first.
    pub fn start_with(language: Option<&str>, edit: impl FnOnce(&mut Settings)) -> Self {
        Self::start_with_env(language, edit, &[])
    }

    /// Like `start_with`, with these variables in Plateau's environment.
    pub fn start_with_env(
        language: Option<&str>,
        edit: impl FnOnce(&mut Settings),
        env: &[(&str, &str)],
    ) -> Self {
        let (x, display) = start_xvfb("1280x800x24");
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        let (bus_guard, bus) = start_session_bus(&runtime);
        let mut c = collection();
        c.sources = vec![
            color_source("red", RED),
            color_source("blue", BLUE),
            Source::new("ball", "Ball", SourceKind::TestPattern { pattern: TestPattern::Ball }),
            Source::new("tone", "Tone", SourceKind::Tone { frequency: 440.0 }),
            Source::new(
                "title",
                "Title",
                SourceKind::Text {
                    text: "On air".into(),
                    font: "Sans".into(),
                    size: 20,
                    // Yellow: nothing else on the screen is (selection handles are white).
                    color: plateau::model::Color::rgb(255, 255, 0),
                    outline: false,
                    shadow: false,
                    width: 160,
                    height: 30,
                    motion: plateau::model::TextMotion::Still,
                },
            ),
        ];
        c.scenes = vec![
            scene(
                "Red",
                vec![
                    item(1, "red", 0, 0, 640, 360),
                    item(2, "ball", 320, 180, 320, 180),
                    item(3, "title", 0, 0, 160, 30),
                ],
            ),
            scene(
                "Blue",
                vec![
                    item(1, "blue", 0, 0, 640, 360),
                    item(2, "ball", 320, 180, 320, 180),
                    item(3, "tone", 0, 0, 0, 0),
                ],
            ),
        ];
        let file = dir.path().join("show.json");
        plateau::model::save_collection(&c, &file).expect("collection written");
        let config = dir.path().join("config");
        let settings =
            Settings { recording_folder: Some(dir.path().join("recordings")), ..Settings::default() };
        let mut settings = settings;
        edit(&mut settings);
        settings.save(&config.join("plateau/settings.json")).expect("settings written");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plateau"));
        cmd.arg("--collection").arg(&file);
        if let Some(lang) = language {
            cmd.env("LANGUAGE", lang);
        }
        cmd.envs(env.iter().copied());
        Self::launch(cmd, dir, (x, display), (bus_guard, bus))
    }

    /// The viewer's window: `plateau watch TICKET` on loopback, in its own
    /// X server and bus.
    pub fn watch(ticket: &str) -> Self {
        let (x, display) = start_xvfb("1280x800x24");
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&runtime).expect("runtime dir");
        let bus = start_session_bus(&runtime);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plateau"));
        cmd.args(["watch", ticket, "--bind", "127.0.0.1:0"]);
        Self::launch(cmd, dir, (x, display), bus)
    }

    /// Runs `cmd` in the X server and bus given, its config in `dir`.
    pub fn launch(
        mut cmd: Command,
        dir: tempfile::TempDir,
        x: (Guard, String),
        bus: (Guard, String),
    ) -> Self {
        let ((x, display), (bus_guard, bus)) = (x, bus);
        let (runtime, config) = (dir.path().join("runtime"), dir.path().join("config"));
        cmd.env("DISPLAY", &display)
            .env("DBUS_SESSION_BUS_ADDRESS", &bus)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("XDG_CONFIG_HOME", &config)
            .env("GSK_RENDERER", "cairo")
            .env("GTK_A11Y", "atspi")
            .env("RUST_LOG", std::env::var("PLATEAU_TEST_LOG").unwrap_or_else(|_| "plateau=info".into()))
            .env("PLATEAU_WATCHDOG_LOG", dir.path().join("watchdog.log"))
            .env_remove("WAYLAND_DISPLAY")
            .stdout(Stdio::null())
            .stderr(
                std::fs::File::create(dir.path().join("plateau.log"))
                    .map(Stdio::from)
                    .unwrap_or(Stdio::null()),
            );
        let app = Guard(cmd.spawn().expect("plateau runs"));
        Self { _app: app, _bus: bus_guard, _x: x, display, bus, dir }
    }

    pub fn shot(&self, name: &str) -> Shot {
        let shot = Shot::take(&self.display, &self.dir.path().join(name));
        if std::env::var_os("PLATEAU_KEEP_SHOTS").is_some() {
            let _ = std::fs::copy(self.dir.path().join(name), format!("/tmp/{name}"));
        }
        shot
    }

    /// Waits for a screenshot in which `test` holds.
    pub fn wait_for(&self, what: &str, test: impl Fn(&Shot) -> bool) -> Shot {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let shot = self.shot("wait.png");
            if test(&shot) {
                return shot;
            }
            if Instant::now() >= deadline {
                let pid = self._x.0.id().to_string();
                let alive = Command::new("kill").args(["-0", &pid]).status().is_ok_and(|s| s.success());
                let sockets = std::fs::read_dir("/tmp/.X11-unix")
                    .map(|d| {
                        d.filter_map(|e| e.ok())
                            .map(|e| e.file_name().to_string_lossy().into_owned())
                            .collect()
                    })
                    .unwrap_or_else(|_| Vec::new());
                panic!(
                    "{what} did not show within 20 s (display {}, its Xvfb alive: {alive}, sockets {sockets:?}); the end of plateau's log:\n{}",
                    self.display,
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Activates an application action over D-Bus.
    pub fn activate(&self, action: &str, parameter: Option<&str>) {
        let params = parameter.map_or("[]".to_owned(), |p| format!("[<{p}>]"));
        let out = Command::new("gdbus")
            .args(["call", "--session", "--dest", "io.github.plateau.Plateau"])
            .args(["--object-path", "/io/github/plateau/Plateau", "--method", "org.gtk.Actions.Activate"])
            .args([action, &params, "{}"])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .output()
            .expect("gdbus runs (install the package libglib2.0-bin)");
        let log = std::fs::read_to_string(self.dir.path().join("plateau.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "activating {action}: {}\nplateau's log:\n{log}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Names in the application's accessibility tree; a selected node adds
    /// a line `[selected] NAME` (its own name or its first named descendant's).
    pub fn accessible_names(&self) -> String {
        let script = r#"
import pyatspi, sys
def first_name(node, depth=0):
    if node.name or depth > 6: return node.name
    for child in node:
        n = first_name(child, depth + 1)
        if n: return n
    return ""
def walk(node, depth=0):
    if depth > 40: return
    try:
        if node.name: print(node.name)
        if node.description: print(node.description)
        if node.getState().contains(pyatspi.STATE_SELECTED): print("[selected] " + first_name(node))
        for child in node: walk(child, depth + 1)
    except Exception: pass
for app in pyatspi.Registry.getDesktop(0):
    if app and app.name == "plateau": walk(app)
"#;
        let out = Command::new("/usr/bin/python3")
            .args(["-c", script])
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("runtime"))
            .env("DISPLAY", &self.display)
            .output()
            .expect("python3 runs (install the package python3-pyatspi)");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs the accessibility helper (`tests/common/atspi.py`): what it
    /// printed, or why it failed and whether the widget was greyed out.
    pub fn atspi(&self, args: &[&str]) -> Result<String, (String, bool)> {
        let out = Command::new("/usr/bin/python3")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/common/atspi.py"))
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("XDG_RUNTIME_DIR", self.dir.path().join("runtime"))
            .env("DISPLAY", &self.display)
            .output()
            .expect("python3 runs (install the package python3-pyatspi)");
        match out.status.success() {
            true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            false => {
                Err((String::from_utf8_lossy(&out.stderr).trim().to_owned(), out.status.code() == Some(2)))
            }
        }
    }

    /// Presses the widget named `name` (a button, a menu entry, a tab) by
    /// its own action, as soon as it shows (10 s at most). A widget that
    /// stays greyed out fails the test.
    pub fn press(&self, name: &str, role: Option<&str>) {
        let mut args = vec!["press", name];
        args.extend(role);
        // 20 s: once in CI, a loaded machine's accessibility bus listed no
        // widget at all for over 10 s after the window showed.
        poll(Duration::from_secs(20), Duration::from_millis(300), || {
            self.atspi(&args).map(drop).map_err(|(why, greyed)| match greyed {
                true => format!("{why}: a person could not press it"),
                false => format!("{why}\n{}", self.accessible_names()),
            })
        });
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Clicks the middle of the widget named `name` with the pointer.
    pub fn click(&self, name: &str, role: Option<&str>) {
        self.click_times(name, role, 1)
    }

    /// Clicks `times` in a row (2: a double click).
    pub fn click_times(&self, name: &str, role: Option<&str>, times: u32) {
        let mut args = vec!["point", name];
        args.extend(role);
        let found = poll(Duration::from_secs(10), Duration::from_millis(300), || {
            self.atspi(&args).map_err(|(why, _)| why)
        });
        let mut fields = found.trim().split('\t');
        let (window, x, y) = (fields.next().unwrap_or_default(), fields.next(), fields.next());
        let (Some(x), Some(y)) = (x, y) else { panic!("no place for `{name}`: {found}") };
        let title = format!("^{window}$");
        let script = ["search", "--onlyvisible", "--name", &title, "mousemove", "--window", "%1", x, y];
        let times = times.to_string();
        xdotool(&self.display, &[&script[..], &["click", "--repeat", &times, "--delay", "80", "1"]].concat());
        std::thread::sleep(Duration::from_millis(300));
    }

    /// Types `text` on the keyboard, into whatever has the focus.
    pub fn type_text(&self, text: &str) {
        xdotool(&self.display, &["type", "--delay", "30", text]);
    }

    /// Presses keys (`ctrl+a`, `Return`).
    pub fn key(&self, keys: &str) {
        xdotool(&self.display, &["key", keys]);
    }

    /// Adds `path` through the + menu's Image or Media File… entry: the
    /// path is typed into GTK's file chooser (that opens its location
    /// field) and Enter adds it.
    pub fn add_file_through_the_menu(&self, path: &std::path::Path) {
        self.press("Add a Source", None);
        self.press("Image or Media File…", Some("menu item"));
        self.wait_for_name("Add an Image or Media File");
        self.type_text(&path.display().to_string());
        std::thread::sleep(Duration::from_millis(500));
        self.key("Return");
    }

    /// Waits (20 s at most) until the accessibility tree holds a line with `text`.
    pub fn wait_for_name(&self, text: &str) -> String {
        poll(Duration::from_secs(20), Duration::from_millis(300), || {
            let names = self.accessible_names();
            match names.lines().find(|l| l.contains(text)) {
                Some(line) => Ok(line.to_owned()),
                None => Err(format!(
                    "nothing says `{text}` in the window:\n{names}\nthe end of plateau's log:\n{}",
                    self.log_tail()
                )),
            }
        })
    }

    /// The last 40 lines the application logged.
    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join("plateau.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// Waits for the red scene and returns how canvas points map to the
    /// screen: the red scene covers the whole 640x360 canvas.
    pub fn canvas_to_screen(&self) -> impl Fn(f64, f64) -> (f64, f64) {
        let shot = self.wait_for("the red scene on the canvas", |s| centre_is(s, RED));
        let (left, top, width, height) = shot.bounds_of(RED);
        let scale = f64::from(width) / 640.0;
        assert!((f64::from(height) / 360.0 - scale).abs() < 0.02, "canvas box {width}x{height}");
        move |cx: f64, cy: f64| (f64::from(left) + cx * scale, f64::from(top) + cy * scale)
    }

    /// Waits (10 s at most) until the saved collection's item `id` of the
    /// scene "Red" passes `test`, and returns it.
    pub fn saved_red_item(
        &self,
        id: u64,
        test: impl Fn(&plateau::model::SceneItem) -> bool,
    ) -> plateau::model::SceneItem {
        let saved = self.dir.path().join("config/plateau/collections/Test.json");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let item = plateau::model::load_collection(&saved)
                .ok()
                .and_then(|c| c.scene("Red").and_then(|s| s.items.iter().find(|i| i.id.0 == id).cloned()));
            if let Some(i) = item.filter(|i| test(i)) {
                return i;
            }
            assert!(Instant::now() < deadline, "the saved item {id} never matched");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The longest time, in ms, the application's main loop went without
    /// running since `from` (a time from `now_ms`): how long the window
    /// could not answer. Its watchdog notes every gap of 20 ms or more.
    pub fn longest_block_since(&self, from: u128) -> u64 {
        let log = std::fs::read_to_string(self.dir.path().join("watchdog.log"))
            .expect("the application's watchdog writes its log");
        assert!(log.starts_with("# watching"), "the watchdog's log: {log}");
        log.lines()
            .filter_map(|l| {
                let (end, gap) = l.split_once(' ')?;
                Some((end.parse::<u128>().ok()?, gap.trim().parse::<u64>().ok()?))
            })
            .filter(|(end, _)| *end >= from)
            .map(|(_, gap)| gap)
            .max()
            .unwrap_or(0)
    }

    /// Fails if the main loop went more than `limit_ms` without running
    /// since `from`, showing the gaps and what the application logged just
    /// before the longest; returns the longest gap.
    pub fn assert_never_waited(&self, from: u128, limit_ms: u64, doing: &str) -> u64 {
        let blocked = self.longest_block_since(from);
        eprintln!("{doing}: the window was blocked at most {blocked} ms");
        if blocked > limit_ms {
            let watchdog = std::fs::read_to_string(self.dir.path().join("watchdog.log")).unwrap_or_default();
            let gaps: Vec<(u128, u64)> = watchdog
                .lines()
                .filter_map(|l| {
                    let (end, gap) = l.split_once(' ')?;
                    Some((end.parse().ok()?, gap.trim().parse().ok()?))
                })
                .filter(|(end, gap)| *end >= from && *gap >= 50)
                .collect();
            let (worst_end, worst) = gaps.iter().copied().max_by_key(|(_, g)| *g).unwrap_or_default();
            // The log's lines start with an RFC 3339 UTC time: compared by time of day.
            let day_ms = |ms: u128| (ms % 86_400_000) as i64;
            let (start, end) = (day_ms(worst_end) - worst as i64 - 500, day_ms(worst_end) + 100);
            let log = std::fs::read_to_string(self.dir.path().join("plateau.log")).unwrap_or_default();
            let around: Vec<&str> = log
                .lines()
                .filter(|l| log_time_of_day_ms(l).is_some_and(|t| (start..=end).contains(&t)))
                .collect();
            panic!(
                "{doing}: the window did not answer for {blocked} ms\ngaps of 50 ms or more (end, ms): {gaps:?}\nplateau's log from 500 ms before the longest:\n{}",
                around.join("\n")
            );
        }
        blocked
    }

    /// Whether the application's process has ended.
    pub fn has_exited(&mut self) -> bool {
        self._app.0.try_wait().ok().flatten().is_some()
    }

    /// The status line's text (it starts with the frame rate).
    pub fn status_line(&self) -> String {
        let names = self.accessible_names();
        names.lines().find(|l| l.contains("Frames per second")).unwrap_or_default().to_owned()
    }

    pub fn recordings(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.dir.path().join("recordings"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }
}

/// Presses the left button at `from`, drags through a few points to `to`, releases.
/// Calls `check` every `every` until it gives `Ok`; after `within`, fails
/// with the message of its last `Err`.
pub fn poll<T>(within: Duration, every: Duration, mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + within;
    loop {
        match check() {
            Ok(value) => return value,
            Err(why) => assert!(Instant::now() < deadline, "{why}"),
        }
        std::thread::sleep(every);
    }
}

/// Runs xdotool on `display`.
pub fn xdotool(display: &str, args: &[&str]) {
    let status = Command::new("xdotool")
        .args(args)
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs (install the package xdotool)");
    assert!(status.success(), "xdotool {args:?}");
}

/// Now, in milliseconds since the Unix epoch (the watchdog's clock).
pub fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
}

pub fn drag(display: &str, from: (f64, f64), to: (f64, f64)) {
    let mut args: Vec<String> =
        vec!["mousemove".into(), format!("{}", from.0 as i32), format!("{}", from.1 as i32)];
    args.extend(["mousedown".into(), "1".into()]);
    for step in 1..=5 {
        let t = f64::from(step) / 5.0;
        let (x, y) = (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t);
        args.extend([
            "sleep".into(),
            "0.05".into(),
            "mousemove".into(),
            format!("{}", x.round() as i32),
            format!("{}", y.round() as i32),
        ]);
    }
    args.extend(["sleep".into(), "0.1".into(), "mouseup".into(), "1".into()]);
    let status = Command::new("xdotool")
        .args(&args)
        .env("DISPLAY", display)
        .status()
        .expect("xdotool runs (install the package xdotool)");
    assert!(status.success(), "xdotool {args:?}");
}

pub fn centre_is(shot: &Shot, rgb: [u8; 3]) -> bool {
    let p = shot.pixel(CANVAS_CENTRE.0, CANVAS_CENTRE.1);
    near([p[0], p[1], p[2], 255], rgb, 30)
}

/// The time of day, in ms, a log line starting `2026-11-28T05:37:27.123456Z` was written.
fn log_time_of_day_ms(line: &str) -> Option<i64> {
    let time = line.get(11..23)?;
    let (h, m, s) = (time.get(0..2)?, time.get(3..5)?, time.get(6..12)?);
    let seconds: f64 = s.parse().ok()?;
    Some((h.parse::<i64>().ok()? * 3600 + m.parse::<i64>().ok()? * 60) * 1000 + (seconds * 1000.0) as i64)
}
