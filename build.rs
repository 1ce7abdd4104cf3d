//! Compiles the GResource (templates from `ui/`) and the translations
//! (`po/*.po` into `$OUT_DIR/locale`, the default locale folder of a build
//! run from the source tree; an installed build sets PLATEAU_LOCALEDIR).

use std::path::Path;
use std::process::Command;

fn main() {
    glib_build_tools::compile_resources(&["."], "resources/resources.gresource.xml", "plateau.gresource");

    // The templates and styles inside the GResource (a folder is watched
    // file by file).
    println!("cargo:rerun-if-changed=ui");
    println!("cargo:rerun-if-changed=resources");
    println!("cargo:rerun-if-changed=po");
    println!("cargo:rerun-if-env-changed=PLATEAU_LOCALEDIR");
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let locale = Path::new(&out).join("locale");
    let languages = std::fs::read_to_string("po/LINGUAS").unwrap_or_default();
    for lang in languages.split_whitespace() {
        let dir = locale.join(lang).join("LC_MESSAGES");
        std::fs::create_dir_all(&dir).expect("create the locale folder");
        let status = Command::new("msgfmt")
            .arg("-o")
            .arg(dir.join("plateau.mo"))
            .arg(format!("po/{lang}.po"))
            .status();
        match status {
            Ok(s) if s.success() => {}
            _ => println!("cargo:warning=msgfmt could not compile po/{lang}.po (install gettext)"),
        }
    }
    if std::env::var_os("PLATEAU_LOCALEDIR").is_none() {
        println!("cargo:rustc-env=PLATEAU_LOCALEDIR={}", locale.display());
    }
}
