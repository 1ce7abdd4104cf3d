//! Managing stream destinations from the command line: add one, give it a
//! key (kept in the keyring), allow a key file where there is no keyring.

use std::io::BufRead;

use crate::engine::redact;
use crate::model::{is_stream_server, Destination, Settings};
use crate::secrets::{stream_url, KeyStore};
use anyhow::{bail, Context};

use crate::cli::Cli;

pub fn requested(cli: &Cli) -> bool {
    cli.add_destination.is_some() || cli.set_stream_key.is_some() || cli.allow_key_file
}

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let path = Settings::path()?;
    let mut settings = Settings::load(&path)?;
    if cli.allow_key_file {
        settings.keys_in_file_allowed = true;
        eprintln!(
            "plateau: stream keys may be kept in {} (readable only by you) when no keyring is available",
            Settings::key_file()?.display()
        );
    }
    if let Some(spec) = &cli.add_destination {
        let (name, server) = spec.split_once('=').context("write the destination as NAME=SERVER")?;
        let (name, server) = (name.trim(), server.trim());
        if name.is_empty() || !is_stream_server(server) {
            bail!("a destination needs a name and an rtmp://, rtmps:// or srt:// server");
        }
        settings.destinations.retain(|d| d.name != name);
        settings.destinations.push(Destination { name: name.into(), server: server.into(), enabled: true });
        eprintln!("plateau: destination `{name}` streams to {}", redact(&stream_url(server, Some("key"))));
    }
    settings.save(&path)?;
    if let Some(name) = &cli.set_stream_key {
        if !settings.destinations.iter().any(|d| &d.name == name) {
            bail!("no destination named `{name}`: add it first with --add-destination {name}=SERVER");
        }
        let mut key = String::new();
        std::io::stdin().lock().read_line(&mut key).context("could not read the key from standard input")?;
        let key = key.trim();
        if key.is_empty() {
            bail!("no key was given on standard input");
        }
        let store = KeyStore::open(&Settings::key_file()?, settings.keys_in_file_allowed)?;
        store.save(name, key)?;
        let place = match store {
            KeyStore::Keyring { .. } => "the keyring".to_owned(),
            KeyStore::File(p) => p.display().to_string(),
        };
        eprintln!("plateau: the key of `{name}` is kept in {place}");
    }
    Ok(())
}

/// The full addresses of the enabled destinations, keys from the keyring.
pub fn live_destinations(settings: &Settings) -> anyhow::Result<Vec<(String, String)>> {
    let enabled: Vec<&Destination> = settings.destinations.iter().filter(|d| d.enabled).collect();
    if enabled.is_empty() {
        return Ok(Vec::new());
    }
    let store = KeyStore::open(&Settings::key_file()?, settings.keys_in_file_allowed);
    let mut out = Vec::new();
    for d in enabled {
        let key = match &store {
            Ok(s) => s.get(&d.name)?,
            Err(e) => {
                tracing::warn!(destination = %d.name, %e, "no key store; streaming without a key");
                None
            }
        };
        out.push((d.name.clone(), stream_url(&d.server, key.as_deref())));
    }
    Ok(out)
}
