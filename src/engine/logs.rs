//! GStreamer's debug log without secrets: with `GST_DEBUG` set at any
//! level, elements print the addresses they were given, stream keys and
//! pass phrases included. Plateau replaces GStreamer's own printer with one
//! that writes the same lines to standard error with every secret it was
//! told about hidden.

use std::io::Write;
use std::sync::{Mutex, Once};

/// The secrets to hide, longest first (so that a key hides before a part of it).
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());
/// Shorter strings are not hidden (they would hide ordinary words).
const SHORTEST: usize = 4;

/// Hides the secret parts of `url` (its key, query, user and password)
/// in every log line from now on.
pub fn hide_url(url: &str) {
    let base = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (base, query) = base.split_once('?').unwrap_or((base, ""));
    let (authority, path) = base.split_once('/').unwrap_or((base, ""));
    let mut parts: Vec<&str> = Vec::new();
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        parts.extend(userinfo.split_once(':').map(|(_, password)| password));
    }
    let segments: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    // `app/KEY…`: what follows the application; a path of one part is all key.
    parts.extend(match segments.len() {
        1 => &segments[..],
        _ => segments.get(1..).unwrap_or_default(),
    });
    parts.extend(query.split('&').map(|kv| kv.split_once('=').map_or(kv, |(_, v)| v)));
    let mut secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    for part in parts.into_iter().filter(|p| p.len() >= SHORTEST) {
        if !secrets.iter().any(|s| s == part) {
            secrets.push(part.to_owned());
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `text` with every known secret replaced by `…`.
pub fn scrub(text: &str) -> String {
    let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_owned();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "…");
        }
    }
    out
}

/// Puts Plateau's printer in the place of GStreamer's (once).
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        gst::log::remove_default_log_function();
        let start = std::time::Instant::now();
        gst::log::add_log_function(move |category, level, file, function, line, object, message| {
            let Some(text) = message.get() else { return };
            let object = object.map(|o| o.to_string()).unwrap_or_default();
            let line = format!(
                "{:.9} {:>6} {:<7} {:<20} {file}:{line}:{function}:<{object}> {}\n",
                start.elapsed().as_secs_f64(),
                std::process::id(),
                format!("{level:?}").to_uppercase(),
                category.name(),
                text,
            );
            let _ = std::io::stderr().write_all(scrub(&line).as_bytes());
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_told_once_is_hidden_in_every_form() {
        hide_url("rtmp://user:pw-9q8w7e@host:1935/live/sk-5e6r7t8y/?auth=tok-1a2s3d4f");
        hide_url("srt://host:9000?streamid=id-0p9o8i7u&passphrase=pp-3e4r5t6y");
        let line = "connecting to rtmp://host:1935/live/sk-5e6r7t8y?auth=tok-1a2s3d4f stream=sk-5e6r7t8y \
                    user=user pw=pw-9q8w7e srt streamid=id-0p9o8i7u passphrase=pp-3e4r5t6y";
        let scrubbed = scrub(line);
        for secret in ["sk-5e6r7t8y", "tok-1a2s3d4f", "pw-9q8w7e", "id-0p9o8i7u", "pp-3e4r5t6y"] {
            assert!(!scrubbed.contains(secret), "{secret} in {scrubbed}");
        }
        assert!(scrubbed.contains("rtmp://host:1935/live/"), "the rest stays readable: {scrubbed}");
    }
}
