//! The `plateau` command: the studio window by default, `--headless` for
//! servers, automation and tests.
//!
//! A command without a window runs as `plateau-headless` (installed beside
//! this binary), which does not load GTK: see [`plateau::cli`].

mod ui;

use std::os::unix::process::CommandExt;
use std::process::ExitCode;

use clap::Parser;
use plateau::cli::{Cli, Window};

/// With the cairo renderer asked for (`GSK_RENDERER=cairo`, as on a
/// machine without a GPU), GTK draws nothing with OpenGL, yet it opens it
/// at start all the same: with Mesa's software OpenGL that is LLVM and
/// llvmpipe resident for nothing (measured by benches/window-vs-headless:
/// the window 246-253 MB with it, 189-192 MB without, CPU alike). Unless
/// GDK_DEBUG says otherwise, GL stays closed then.
fn no_gl_for_the_cairo_renderer() {
    let cairo = std::env::var("GSK_RENDERER").is_ok_and(|r| r.eq_ignore_ascii_case("cairo"));
    if cairo && std::env::var_os("GDK_DEBUG").is_none() {
        // Before any thread exists.
        std::env::set_var("GDK_DEBUG", "gl-disable");
    }
}

/// Runs `plateau-headless`, from beside this binary, in this process's
/// place (same process, same arguments). Returns only if it cannot: then
/// this binary does the work itself, as it can.
fn become_headless() {
    let Some(headless) = std::env::current_exe().ok().map(|exe| exe.with_file_name("plateau-headless"))
    else {
        return;
    };
    if !headless.is_file() {
        return;
    }
    let mut args = std::env::args_os();
    let name = args.next().unwrap_or_else(|| "plateau".into());
    let error = std::process::Command::new(&headless).arg0(name).args(args).exec();
    eprintln!("plateau: {} did not start ({error}): going on without it", headless.display());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if !cli.needs_window() {
        become_headless();
    }
    no_gl_for_the_cairo_renderer();
    plateau::cli::main(&cli, Some(&Window { studio: ui::run, watch: ui::watch }))
}
