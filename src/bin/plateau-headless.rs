//! `plateau` without its window: what `plateau --headless` (and every
//! other command that opens no window) runs as. It links no GTK, so a
//! headless show maps none of GTK's libraries.

use std::process::ExitCode;

use clap::Parser;
use plateau::cli::Cli;

fn main() -> ExitCode {
    plateau::cli::main(&Cli::parse(), None)
}
