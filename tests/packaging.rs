//! What installs Plateau: the desktop file, the metainfo and the Flatpak
//! manifest, checked with the tools distributions use.

use std::path::Path;
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(tool: &str, package: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs (install the package {package}): {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{tool} {args:?} failed:\n{text}");
    text
}

#[test]
fn the_desktop_file_and_the_metainfo_are_valid() {
    run("desktop-file-validate", "desktop-file-utils", &["data/io.github.plateau.Plateau.desktop"]);
    run(
        "appstreamcli",
        "appstream",
        &["validate", "--no-net", "data/io.github.plateau.Plateau.metainfo.xml"],
    );
    let metainfo =
        std::fs::read_to_string(root().join("data/io.github.plateau.Plateau.metainfo.xml")).expect("read");
    for shot in metainfo.split("<image>").skip(1).filter_map(|s| s.split("</image>").next()) {
        let file = shot.rsplit("/main/").next().expect("a path in the repository");
        assert!(root().join(file).is_file(), "the metainfo shows {file}, which is missing");
    }
}

#[test]
fn the_flatpak_manifest_installs_files_that_exist_and_vendors_every_crate() {
    let dir = root().join("data/flatpak");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("io.github.plateau.Plateau.json")).expect("read"),
    )
    .expect("the manifest is JSON");
    assert_eq!(manifest["id"], "io.github.plateau.Plateau");
    assert_eq!(manifest["command"], "plateau");
    let plateau = manifest["modules"].as_array().and_then(|m| m.last()).expect("the plateau module");
    for command in plateau["build-commands"].as_array().expect("commands") {
        let command = command.as_str().unwrap_or_default();
        if let Some(rest) = command.strip_prefix("install -Dm644 ") {
            let file = rest.split_whitespace().next().expect("a file");
            assert!(root().join(file).is_file(), "the manifest installs {file}, which is missing");
        }
    }
    // Every binary is installed (`plateau` runs `plateau-headless` from beside it).
    let bins = std::fs::read_dir(root().join("src/bin")).expect("src/bin").filter_map(|e| {
        let path = e.ok()?.path();
        Some(path.file_stem()?.to_str()?.to_owned())
    });
    for bin in std::iter::once("plateau".to_owned()).chain(bins) {
        let line = format!("install -Dm755 target/release/{bin} /app/bin/{bin}");
        assert!(
            plateau["build-commands"].as_array().expect("commands").iter().any(|c| c.as_str() == Some(&line)),
            "the manifest does not install the binary {bin}"
        );
    }
    // Every crates.io package of Cargo.lock, with its checksum, is in cargo-sources.json.
    let sources = std::fs::read_to_string(dir.join("cargo-sources.json")).expect("cargo-sources.json");
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    let stale: Vec<&str> = lock
        .split("[[package]]")
        .filter(|p| p.contains("registry+https://github.com/rust-lang/crates.io-index"))
        .filter_map(|p| p.lines().find_map(|l| l.strip_prefix("checksum = \"")?.strip_suffix('"')))
        .filter(|sum| !sources.contains(sum))
        .collect();
    assert!(stale.is_empty(), "{} crates missing: run scripts/flatpak-cargo-sources", stale.len());
}
