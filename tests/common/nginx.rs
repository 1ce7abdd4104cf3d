//! A real nginx with the RTMP module on 127.0.0.1, for streaming tests.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    child: Option<Child>,
    prefix: tempfile::TempDir,
    pub port: u16,
    /// Where it listens: 127.0.0.1, or an address in a network namespace.
    host: String,
    netns: Option<String>,
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

impl Nginx {
    /// Starts nginx with the applications `live` and `show`, both open to
    /// publishing from 127.0.0.1 and to playing.
    pub fn start() -> Self {
        Self::start_at("127.0.0.1", None)
    }

    /// Starts it inside `netns`, listening on its address.
    pub fn start_in(netns: &super::netns::NetNs) -> Self {
        Self::start_at(&netns.address, Some(netns.name.clone()))
    }

    fn start_at(host: &str, netns: Option<String>) -> Self {
        let module = "/usr/lib/nginx/modules/ngx_rtmp_module.so";
        assert!(
            PathBuf::from(module).exists(),
            "the RTMP module is missing: install the packages nginx and libnginx-mod-rtmp"
        );
        let prefix = tempfile::tempdir().expect("temp dir");
        let mut n = Self { child: None, prefix, port: free_port(), host: host.into(), netns };
        n.run();
        n
    }

    fn run(&mut self) {
        let p = self.prefix.path();
        let apps: String = ["live", "show"]
            .iter()
            .map(|a| format!("application {a} {{ live on; record off; allow play all; }}\n"))
            .collect();
        let conf = format!(
            "load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;\n\
             daemon off; master_process off; worker_processes 1;\n\
             pid {p}/nginx.pid; error_log {p}/error.log info;\n\
             events {{ worker_connections 128; }}\n\
             rtmp {{ server {{ listen {host}:{port}; chunk_size 4096;\n{apps} }} }}\n",
            p = p.display(),
            host = self.host,
            port = self.port
        );
        std::fs::write(p.join("nginx.conf"), conf).expect("config written");
        std::fs::create_dir_all(p.join("logs")).expect("logs dir");
        let mut command = match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns, "nginx"]);
                c
            }
            None => Command::new("nginx"),
        };
        let child = command
            .arg("-p")
            .arg(p)
            .arg("-c")
            .arg(p.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nginx runs (install the packages nginx and libnginx-mod-rtmp)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect((self.host.as_str(), self.port)).is_err() {
            assert!(Instant::now() < deadline, "nginx did not listen on {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(|c| c.id())
    }

    /// Kills the server (as a crash would).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.stop();
        self.run();
    }

    pub fn url(&self, app: &str, key: &str) -> String {
        format!("rtmp://{}:{}/{app}/{key}", self.host, self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Streams ffprobe sees on `url`, one line each: `codec_name=h264|codec_type=video|width=…|height=…|avg_frame_rate=…`.
/// (FLV timestamps are in milliseconds, so ffprobe's r_frame_rate guess is
/// meaningless there; avg_frame_rate is the rate.)
pub fn probe(url: &str) -> String {
    let out = Command::new("timeout")
        .args(["-s", "KILL", "20", "ffprobe", "-v", "error", "-rw_timeout", "5000000"])
        .args([
            "-show_entries",
            "stream=codec_name,codec_type,width,height,avg_frame_rate",
            "-of",
            "compact=p=0",
        ])
        .arg(url)
        .output()
        .expect("ffprobe runs (install the package ffmpeg)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
