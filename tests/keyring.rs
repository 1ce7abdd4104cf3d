//! Stream keys live in the desktop keyring (a real gnome-keyring on a
//! private bus here), reach the server, and appear in no file and no log.

mod common;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::desktop::{start_bare_session_bus, start_keyring, Guard};
use common::nginx::{probe, Nginx};

const KEY: &str = "live_4e7a9c1b2d_secret";

struct Env {
    dir: tempfile::TempDir,
    bus: String,
    _bus: Guard,
    _keyring: Option<Guard>,
}

impl Env {
    fn new(with_keyring: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for d in ["runtime", "home", "data", "config"] {
            std::fs::create_dir_all(dir.path().join(d)).expect("dir");
        }
        let runtime = dir.path().join("runtime");
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).expect("runtime mode");
        let (bus_guard, bus) = start_bare_session_bus(dir.path());
        let keyring = with_keyring.then(|| start_keyring(&bus, dir.path(), &runtime));
        Self { dir, bus, _bus: bus_guard, _keyring: keyring }
    }

    /// Plateau in this environment, logging at debug level.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_plateau"));
        cmd.args(args);
        self.within(cmd)
    }

    /// A shell script run in this environment.
    fn shell(&self, script: &str) -> Command {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", script]);
        self.within(cmd)
    }

    fn within(&self, mut cmd: Command) -> Command {
        cmd.env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("XDG_RUNTIME_DIR", self.dir.path().join("runtime"))
            .env("HOME", self.dir.path().join("home"))
            .env("RUST_LOG", "debug")
            .env_remove("DISPLAY");
        cmd
    }

    fn plateau(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("plateau runs");
        if let Some(text) = stdin {
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("key written");
        }
        drop(child.stdin.take());
        child.wait_with_output().expect("plateau ends")
    }

    fn files_containing(&self, needle: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut stack = vec![self.dir.path().join("config")];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if String::from_utf8_lossy(&std::fs::read(&p).unwrap_or_default()).contains(needle) {
                    found.push(p.display().to_string());
                }
            }
        }
        found
    }
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn a_key_kept_in_the_keyring_reaches_the_server_and_nothing_else() {
    let env = Env::new(true);
    let nginx = Nginx::start();
    let server = format!("rtmp://127.0.0.1:{}/live", nginx.port);
    let added = env.plateau(&["--add-destination", &format!("Home={server}")], None);
    assert!(added.status.success(), "{}", text(&added));
    let set = env.plateau(&["--set-stream-key", "Home"], Some(&format!("{KEY}\n")));
    assert!(set.status.success(), "{}", text(&set));
    assert!(text(&set).contains("keyring"), "{}", text(&set));

    let live = env
        .command(&["--headless", "--go-live", "--duration", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("plateau runs");
    std::thread::sleep(Duration::from_secs(3));
    let streams = probe(&format!("{server}/{KEY}"));
    let log = live.wait_with_output().expect("plateau ends");
    assert!(
        streams.contains("codec_name=h264"),
        "the server got the stream under its key: {streams}\n{}",
        text(&log)
    );
    for out in [&added, &set, &log] {
        assert!(!text(out).contains(KEY), "the key appeared in a log:\n{}", text(out));
    }
    assert_eq!(env.files_containing(KEY), Vec::<String>::new(), "the key is in no config file");
}

#[test]
fn without_a_keyring_the_key_is_refused_until_a_private_file_is_allowed() {
    let env = Env::new(false);
    assert!(env.plateau(&["--add-destination", "Home=rtmp://127.0.0.1:1935/live"], None).status.success());
    let refused = env.plateau(&["--set-stream-key", "Home"], Some(&format!("{KEY}\n")));
    assert!(!refused.status.success(), "no keyring: refused");
    assert!(text(&refused).contains("no keyring") && text(&refused).contains("allow"), "{}", text(&refused));
    assert_eq!(env.files_containing(KEY), Vec::<String>::new());

    let allowed = env.plateau(&["--allow-key-file", "--set-stream-key", "Home"], Some(&format!("{KEY}\n")));
    assert!(allowed.status.success(), "{}", text(&allowed));
    let file = env.dir.path().join("config/plateau/stream-keys.json");
    let mode = std::fs::metadata(&file).expect("key file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "readable only by the user");
    assert_eq!(env.files_containing(KEY), vec![file.display().to_string()], "only the key file holds it");
    assert!(!text(&allowed).contains(KEY));
}

#[test]
fn the_key_file_is_never_readable_by_others_even_under_a_umask_of_000_and_keeps_no_old_keys() {
    let env = Env::new(false);
    assert!(env.plateau(&["--add-destination", "Home=rtmp://127.0.0.1:1935/live"], None).status.success());
    // Under strace, with a umask that would let everybody read a file
    // created with the default mode: the key file's every creation is seen.
    let trace = env.dir.path().join("openat.trace");
    let plateau = env!("CARGO_BIN_EXE_plateau");
    let script = format!(
        "umask 000; exec strace -f -qq -e trace=openat -o '{}' '{plateau}' --allow-key-file --set-stream-key Home",
        trace.display()
    );
    let mut child = env
        .shell(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    child.stdin.take().expect("stdin").write_all(format!("{KEY}\n").as_bytes()).expect("key");
    let out = child.wait_with_output().expect("plateau ends");
    assert!(out.status.success(), "{}", text(&out));
    let trace = std::fs::read_to_string(&trace).expect("strace wrote its trace (install the package strace)");
    let created: Vec<&str> =
        trace.lines().filter(|l| l.contains("stream-keys.json") && l.contains("O_CREAT")).collect();
    assert!(!created.is_empty(), "the key file was never created:\n{trace}");
    for line in &created {
        assert!(
            line.trim_end().ends_with(|c: char| c.is_ascii_digit()) && line.contains(", 0600)"),
            "created with another mode: {line}"
        );
    }
    let file = env.dir.path().join("config/plateau/stream-keys.json");
    let mode = std::fs::metadata(&file).expect("key file").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // A second key: the first one's old file is not kept as a backup.
    let again = env.plateau(&["--allow-key-file", "--set-stream-key", "Home"], Some("another-key\n"));
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(env.files_containing(KEY), Vec::<String>::new(), "the replaced key is nowhere");
}

#[test]
fn the_remote_control_password_is_made_in_the_keyring_used_by_clients_and_in_no_file() {
    let env = Env::new(true);
    let first = env.plateau(&["--show-remote-password"], None);
    assert!(first.status.success(), "{}", text(&first));
    let password = String::from_utf8_lossy(&first.stdout).trim().to_owned();
    assert_eq!(password.len(), 16, "a 16-character password: {password:?}");
    let again = env.plateau(&["--show-remote-password"], None);
    assert_eq!(String::from_utf8_lossy(&again.stdout).trim(), password, "kept, not made anew");
    assert!(
        env.files_containing(&password).is_empty(),
        "the password is in {:?}",
        env.files_containing(&password)
    );

    // A headless run takes it from the keyring; a client that knows it gets in.
    let mut child = env
        .command(&["--headless", "--duration", "30", "--remote", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("plateau runs");
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stderr.take().expect("stderr")));
    let port = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| {
            l.split_once("remote control (obs-websocket 5) on ws://127.0.0.1:")
                .map(|(_, p)| p.trim().to_owned())
        })
        .expect("remote control announced");
    std::thread::spawn(move || lines.for_each(drop));
    let client = Command::new(common::remote_clients().join("venv/bin/python"))
        .args(["-c", "import sys, obsws_python as o; c = o.ReqClient(host='127.0.0.1', port=int(sys.argv[1]), password=sys.argv[2], timeout=5); print(c.get_version().rpc_version)"])
        .args([&port, &password])
        .output()
        .expect("python runs");
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        String::from_utf8_lossy(&client.stdout).trim(),
        "1",
        "{}",
        String::from_utf8_lossy(&client.stderr)
    );
    assert!(
        env.files_containing(&password).is_empty(),
        "the password is in {:?}",
        env.files_containing(&password)
    );
}
