//! A network namespace joined to this one by a veth pair: a server can run
//! in it, and its cable can be pulled (the far end goes down, packets are
//! dropped without a reset) and plugged back. Needs root and iproute2.

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct NetNs {
    pub name: String,
    host_if: String,
    far_if: String,
    /// The address of the namespace's end, where its server listens.
    pub address: String,
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("`ip` runs (install the package iproute2)");
    assert!(
        out.status.success(),
        "ip {}: {} (network namespaces need root and the package iproute2)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

impl NetNs {
    pub fn create() -> Self {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = (std::process::id() % 1000) * 10 + COUNT.fetch_add(1, Ordering::Relaxed) % 10;
        let (name, host_if, far_if) = (format!("plateau-{n}"), format!("plh{n}"), format!("plf{n}"));
        let net = format!("10.{}.{}", 100 + n / 250 % 100, n % 250);
        let _ = Command::new("ip").args(["netns", "del", &name]).output();
        let _ = Command::new("ip").args(["link", "del", &host_if]).output();
        ip(&["netns", "add", &name]);
        ip(&["link", "add", &host_if, "type", "veth", "peer", "name", &far_if]);
        ip(&["link", "set", &far_if, "netns", &name]);
        ip(&["addr", "add", &format!("{net}.1/30"), "dev", &host_if]);
        ip(&["link", "set", &host_if, "up"]);
        ip(&["-n", &name, "addr", "add", &format!("{net}.2/30"), "dev", &far_if]);
        ip(&["-n", &name, "link", "set", &far_if, "up"]);
        ip(&["-n", &name, "link", "set", "lo", "up"]);
        Self { name, host_if, far_if, address: format!("{net}.2") }
    }

    /// Pulls the cable: everything sent either way is dropped, silently.
    pub fn cut(&self) {
        ip(&["-n", &self.name, "link", "set", &self.far_if, "down"]);
    }

    /// Limits what goes into the namespace to `kbit` kbit/s (a slow uplink).
    pub fn shape(&self, kbit: u32) {
        let out = Command::new("tc")
            .args(["qdisc", "replace", "dev", &self.host_if, "root", "tbf"])
            .args(["rate", &format!("{kbit}kbit"), "burst", "16kb", "latency", "500ms"])
            .output()
            .expect("`tc` runs (install the package iproute2)");
        assert!(out.status.success(), "tc: {}", String::from_utf8_lossy(&out.stderr).trim());
    }

    /// Plugs it back.
    pub fn restore(&self) {
        ip(&["-n", &self.name, "link", "set", &self.far_if, "up"]);
    }
}

impl Drop for NetNs {
    fn drop(&mut self) {
        let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
        let _ = Command::new("ip").args(["link", "del", &self.host_if]).output();
    }
}

/// A local network of two machines: two network namespaces joined by a
/// veth pair, nothing else (no route out, no DNS), multicast routed on the
/// link so that mDNS works between them. Needs root and iproute2.
pub struct Lan {
    pub names: [String; 2],
    links: [String; 2],
    /// Each machine's address on the link.
    pub addresses: [String; 2],
}

impl Lan {
    pub fn create() -> Self {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let n = (std::process::id() % 1000) * 10 + COUNT.fetch_add(1, Ordering::Relaxed) % 10;
        let names = [format!("plateau-lan{n}a"), format!("plateau-lan{n}b")];
        let links = [format!("pla{n}"), format!("plb{n}")];
        let net = format!("10.{}.{}", 200 + n / 250 % 50, n % 250);
        for name in &names {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
            ip(&["netns", "add", name]);
        }
        ip(&["-n", &names[0], "link", "add", &links[0], "type", "veth", "peer", "name", &links[1]]);
        ip(&["-n", &names[0], "link", "set", &links[1], "netns", &names[1]]);
        let addresses = [format!("{net}.1"), format!("{net}.2")];
        for i in 0..2 {
            let (name, link) = (&names[i], &links[i]);
            ip(&["-n", name, "addr", "add", &format!("{}/24", addresses[i]), "dev", link]);
            ip(&["-n", name, "link", "set", link, "up"]);
            ip(&["-n", name, "link", "set", "lo", "up"]);
            ip(&["-n", name, "route", "add", "224.0.0.0/4", "dev", link]);
        }
        Self { names, links, addresses }
    }

    /// Limits what machine `i` sends on the link to `kbit` kbit/s (a slow
    /// uplink; what it sends queues for 300 ms at most, then is dropped).
    pub fn shape_uplink(&self, i: usize, kbit: u32) {
        let out = Command::new("tc")
            .args(["-n", &self.names[i], "qdisc", "replace", "dev", &self.links[i], "root", "tbf"])
            .args(["rate", &format!("{kbit}kbit"), "burst", "16kb", "latency", "300ms"])
            .output()
            .expect("`tc` runs (install the package iproute2)");
        assert!(out.status.success(), "tc: {}", String::from_utf8_lossy(&out.stderr).trim());
    }

    /// `program` to be run on machine `i` (0 or 1).
    pub fn command(&self, i: usize, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.names[i]]).arg(program);
        command
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        for name in &self.names {
            let _ = Command::new("ip").args(["netns", "del", name]).output();
        }
    }
}
