//! A PipeWire daemon and its session manager (WirePlumber) of a test's
//! own, for the virtual camera's tests: nothing of the machine's is used.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::app::poll;

/// A PipeWire of the test's own, stopped on drop.
pub struct PipeWire {
    runtime: PathBuf,
    bus: String,
    children: Vec<Child>,
    _own_runtime: Option<tempfile::TempDir>,
}

fn spawn(program: &str, args: &[&str], envs: &[(&str, &str)], package: &str) -> Child {
    Command::new(program)
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{program} runs ({e}; install the package {package})"))
}

impl PipeWire {
    /// A PipeWire on a D-Bus and in a runtime folder of its own.
    pub fn start() -> Self {
        let runtime = tempfile::tempdir().expect("a runtime folder");
        let mut dbus = spawn("dbus-daemon", &["--session", "--nofork", "--print-address=1"], &[], "dbus");
        let mut address = String::new();
        BufReader::new(dbus.stdout.take().expect("its stdout")).read_line(&mut address).expect("an address");
        let mut pw = Self::start_on(runtime.path().to_owned(), address.trim().to_owned());
        pw.children.insert(0, dbus);
        pw._own_runtime = Some(runtime);
        pw
    }

    /// A PipeWire for an app already running with this runtime folder and bus.
    pub fn start_on(runtime: PathBuf, bus: String) -> Self {
        let mut pw = PipeWire { runtime, bus, children: Vec::new(), _own_runtime: None };
        let dir = pw.runtime.to_str().expect("utf-8").to_owned();
        let env = [("XDG_RUNTIME_DIR", dir.as_str()), ("DBUS_SESSION_BUS_ADDRESS", pw.bus.as_str())];
        pw.children.push(spawn("pipewire", &[], &env, "pipewire"));
        poll(Duration::from_secs(10), Duration::from_millis(100), || {
            match pw.runtime.join("pipewire-0").exists() {
                true => Ok(()),
                false => Err("PipeWire did not open its socket".to_owned()),
            }
        });
        pw.children.push(spawn("wireplumber", &[], &env, "wireplumber"));
        pw
    }

    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("XDG_RUNTIME_DIR", self.runtime.display().to_string()),
            ("DBUS_SESSION_BUS_ADDRESS", self.bus.clone()),
        ]
    }

    /// The nodes called "Plateau": (node.name, media.class).
    pub fn plateau_nodes(&self) -> Vec<(String, String)> {
        let out = Command::new("pw-dump")
            .envs(self.env())
            .output()
            .expect("pw-dump runs (install the package pipewire-bin)");
        let dump: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        dump.as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.pointer("/info/props"))
            .filter(|p| p["node.description"] == "Plateau")
            .map(|p| {
                (
                    p["node.name"].as_str().unwrap_or("").to_owned(),
                    p["media.class"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect()
    }

    /// Ten pictures read from `node` by GStreamer's pipewiresrc, as RGB.
    pub fn read_pictures(&self, node: &str, out: &Path) -> Vec<u8> {
        let read = Command::new("timeout")
            .args(["15", "gst-launch-1.0", "-q", "pipewiresrc"])
            .arg(format!("target-object={node}"))
            .args(["num-buffers=10", "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "filesink"])
            .arg(format!("location={}", out.display()))
            .envs(self.env())
            .status()
            .expect("gst-launch-1.0 runs (install the package gstreamer1.0-tools)");
        assert!(read.success(), "pipewiresrc read nothing from {node}: {read}");
        std::fs::read(out).expect("the pictures read")
    }
}

impl Drop for PipeWire {
    fn drop(&mut self) {
        for child in self.children.iter_mut().rev() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
