//! `plateau --headless`: the program without a window.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use std::rc::Rc;

use crate::engine::{
    redact, AudioCodec, Container, EncoderSettings, Event, OutputStatus, PodcastCodec, PodcastSettings,
    RecordSettings, Speed, Studio,
};

use crate::cli::headless_host::{HeadlessHost, Plans};

use crate::cli::Cli;

/// The `--duration` asked for, checked.
pub fn duration_of(seconds: Option<f64>) -> anyhow::Result<Option<Duration>> {
    match seconds {
        Some(d) if !(d.is_finite() && d > 0.0 && d < 1e7) => {
            bail!("--duration must be a number of seconds above 0")
        }
        d => Ok(d.map(Duration::from_secs_f64)),
    }
}

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let duration = duration_of(cli.duration)?;
    let collection = initial_collection(cli)?;
    let studio = Studio::start(collection, cli.scene.as_deref()).context("could not start the program")?;
    let studio = Rc::new(studio);
    let events = studio.events();

    let record = match &cli.record {
        Some(path) => {
            let audio = if cli.record_audio == "opus" { AudioCodec::Opus } else { AudioCodec::Aac };
            if audio == AudioCodec::Opus && Container::from_path(path) != Some(Container::Matroska) {
                anyhow::bail!("Opus sound needs a Matroska recording (.mkv)");
            }
            let mut encoder = EncoderSettings { audio, ..encoder_settings(cli) };
            if cli.p2p {
                encoder.keyframe_seconds = crate::cli::swarm::KEYFRAME_SECONDS;
            }
            let settings = RecordSettings {
                encoder,
                split_seconds: cli.split_seconds,
                split_bytes: cli.split_megabytes.map(|mb| mb.saturating_mul(1_000_000)),
            };
            (Some(path.clone()), settings)
        }
        None => (None, RecordSettings { encoder: encoder_settings(cli), ..RecordSettings::default() }),
    };
    let mut targets: Vec<(String, String)> = streams_with_keys(cli)?
        .into_iter()
        .enumerate()
        .map(|(n, url)| (format!("stream {} ({})", n + 1, redact(&url)), url))
        .collect();
    let settings = match crate::model::Settings::load(&crate::model::Settings::path()?) {
        Ok(settings) => settings,
        Err(e) if cli.go_live => return Err(e.into()),
        Err(e) => {
            eprintln!("plateau: the settings are ignored: {e}");
            crate::model::Settings::default()
        }
    };
    if let Some(device) = settings.monitor_device.clone() {
        studio.send(crate::engine::Command::MonitorDevice(Some(device)))?;
    }
    if settings.monitor_program {
        studio.send(crate::engine::Command::MonitorProgram(true))?;
    }
    if cli.go_live {
        let live = crate::cli::destinations::live_destinations(&settings)?;
        if live.is_empty() {
            bail!("--go-live: no destination is set up; add one with --add-destination NAME=SERVER");
        }
        targets.extend(live);
    }
    let codec = match cli.podcast_format.as_str() {
        "flac" => PodcastCodec::Flac,
        "wav" => PodcastCodec::Wav,
        _ => PodcastCodec::Opus,
    };
    let podcast = PodcastSettings { codec, loudness_target: (!cli.no_normalize).then_some(-16.0) };
    let plans = Plans {
        record,
        podcast: (cli.podcast.clone(), podcast),
        targets,
        encoder: encoder_settings(cli),
        swarm: swarm_plan(cli, &settings)?,
        replay_seconds: cli.replay_buffer.unwrap_or(settings.recording.replay_seconds),
    };
    let host = HeadlessHost::new(studio.clone(), settings, plans)?;
    if let Some(addr) = cli.remote {
        let password = remote_password(cli)?;
        let (calls, asked) = async_channel::bounded(64);
        let fps = studio.canvas().fps;
        let server =
            crate::remote::Server::start(crate::remote::Options { bind: addr, password, fps }, calls)?;
        eprintln!("plateau: remote control (obs-websocket 5) on ws://{}", server.addr());
        host.serve(server, asked);
    }
    let watcher = host.clone();
    glib::spawn_future_local(async move {
        let mut last_report: HashMap<String, Instant> = HashMap::new();
        while let Ok(event) = events.recv().await {
            watcher.observe(&event);
            print_event(event, &mut last_report);
        }
    });

    if cli.virtual_camera {
        host.open_virtual_camera(true)?;
    }
    if cli.replay_buffer.is_some() {
        host.run_replay_buffer(true)?;
    }
    if cli.playout {
        if studio.collection()?.rundown.is_empty() {
            bail!("--playout: the collection has no rundown (its \"rundown\" lists the scenes to play)");
        }
        studio.send(crate::engine::Command::Playout(crate::engine::PlayoutAction::Start { from: 0 }))?;
    }
    if cli.record.is_some() || cli.podcast.is_some() || !cli.stream.is_empty() || cli.go_live || cli.p2p {
        wait_for_the_scene(&studio);
    }
    if cli.record.is_some() {
        host.record()?;
    }
    if cli.podcast.is_some() {
        host.record_podcast()?;
    }
    if !cli.stream.is_empty() || cli.go_live {
        host.go_live()?;
    }

    if cli.p2p {
        host.go_to_swarm(Some(cli.ticket_file.as_ref()))?;
    }

    let main_loop = glib::MainLoop::new(None, false);
    let stopped = crate::cli::swarm::stop_signal(duration)?;
    let l = main_loop.clone();
    std::thread::spawn(move || {
        let _ = stopped.recv();
        l.quit();
    });
    main_loop.run();

    host.close_remote();
    let context = glib::MainContext::default();
    context.block_on(host.end_streams());
    if let Some(Err(e)) = context.block_on(host.leave_swarm(cli.stats_json.clone())) {
        eprintln!("plateau: error: {e:#}");
    }
    match context.block_on(host.end_podcast()) {
        Some(Ok(path)) => eprintln!("plateau: podcast recorded in {}", path.display()),
        Some(Err(e)) => eprintln!("plateau: error: the podcast did not end cleanly: {e}"),
        None => {}
    }
    let result = match context.block_on(host.end_recording()) {
        Some(ended) => {
            ended.map(|path| eprintln!("plateau: recorded {}", path.display())).map_err(anyhow::Error::msg)
        }
        None => Ok(()),
    };
    studio.stop();
    result
}

/// The longest wait for the program's sources before the outputs asked
/// for on the command line start anyway.
const SCENE_WAIT: Duration = Duration::from_secs(5);

/// Waits until every source with pictures in the program's scene has
/// delivered one (a file opens and decodes its first picture, a camera
/// starts), at most `SCENE_WAIT`: a recording started with the program
/// then begins with the scene, not with the black of sources still opening.
fn wait_for_the_scene(studio: &Studio) {
    let (Ok(collection), Ok(Some(name))) = (studio.collection(), studio.program_scene()) else { return };
    let Some(scene) = collection.scene(&name) else { return };
    let pictures: Vec<_> = scene
        .items
        .iter()
        .map(|item| &item.source)
        .filter(|id| collection.source(id).is_some_and(|s| s.kind.has_video()))
        .collect();
    let waiting = || pictures.iter().filter(|id| matches!(studio.source_size(id), Ok(None))).count();
    let deadline = Instant::now() + SCENE_WAIT;
    while waiting() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    match waiting() {
        0 => {
            tracing::debug!(scene = %name, sources = pictures.len(), "the scene shows: starting the outputs")
        }
        n => eprintln!(
            "plateau: {n} source(s) of the scene show nothing yet after {} s; starting anyway",
            SCENE_WAIT.as_secs()
        ),
    }
}

/// The remote-control password: from `--remote-password-file`, else the
/// keyring's.
fn remote_password(cli: &Cli) -> anyhow::Result<String> {
    if let Some(file) = &cli.remote_password_file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        let password = text.lines().next().unwrap_or_default().trim().to_owned();
        if password.is_empty() {
            bail!("{}: the first line is the password, and it is empty", file.display());
        }
        return Ok(password);
    }
    let store = crate::secrets::KeyStore::keyring().context(
        "remote control keeps its password in the keyring; without one, give --remote-password-file FILE",
    )?;
    Ok(store.remote_password(false)?)
}

/// Prints what a person running Plateau without a window should know.
fn print_event(event: Event, last_report: &mut HashMap<String, Instant>) {
    match event {
        Event::SourceFailed { name, cause, .. } => eprintln!("plateau: source `{name}` failed: {cause}"),
        Event::SourceRecovered { name, .. } => eprintln!("plateau: source `{name}` is back"),
        Event::Error(e) => eprintln!("plateau: {e}"),
        Event::Playout(p) => match (p.running, p.entry) {
            (true, Some(entry)) => eprintln!(
                "plateau: playout: entry {} on air{}",
                entry + 1,
                p.length
                    .map(|l| format!(" for {:.1} s", l.as_secs_f64()))
                    .unwrap_or_else(|| " until its media ends".into())
            ),
            _ => eprintln!("plateau: playout: stopped"),
        },
        Event::Output { output, status } => match status {
            OutputStatus::Reconnecting { in_seconds, cause } => {
                eprintln!("plateau: {output}: {cause}; reconnecting in {in_seconds} s")
            }
            OutputStatus::Failed(cause) => eprintln!("plateau: {output}: failed: {cause}"),
            other => eprintln!("plateau: {output}: {other:?}"),
        },
        // Every five seconds: the program's rate and each output's traffic.
        Event::Stats(stats) if due(last_report, "program") => {
            eprintln!(
                "plateau: program: {:.1} fps, {} frames, {} dropped",
                stats.fps, stats.frames, stats.dropped
            )
        }
        Event::OutputStats { output, bytes, kbps, dropped } if due(last_report, &output) => {
            eprintln!(
                "plateau: {output}: {kbps:.0} kbit/s, {:.1} MB sent, {dropped} frames dropped",
                bytes as f64 / 1e6
            )
        }
        _ => {}
    }
}

fn initial_collection(cli: &Cli) -> anyhow::Result<crate::model::SceneCollection> {
    crate::cli::initial_collection(cli)
}

/// Whether the statistics of `what` were last printed five seconds ago or more.
fn due(last: &mut HashMap<String, Instant>, what: &str) -> bool {
    let now = Instant::now();
    if last.get(what).is_some_and(|t| now.duration_since(*t) < Duration::from_secs(5)) {
        return false;
    }
    last.insert(what.to_owned(), now);
    true
}

/// The encoder settings the command line asks for.
fn encoder_settings(cli: &Cli) -> EncoderSettings {
    EncoderSettings {
        video_kbps: cli.video_kbps,
        speed: Speed::from_name(&cli.preset).unwrap_or(Speed::Veryfast),
        ..EncoderSettings::default()
    }
}

/// The `--stream` addresses, the n-th followed by the key in the n-th
/// `--stream-key-file`.
fn streams_with_keys(cli: &Cli) -> anyhow::Result<Vec<String>> {
    if cli.stream_key_file.len() > cli.stream.len() {
        bail!(
            "--stream-key-file: {} key files for {} --stream addresses (the n-th file is the n-th address's key)",
            cli.stream_key_file.len(),
            cli.stream.len()
        );
    }
    let mut urls = cli.stream.clone();
    for (url, file) in urls.iter_mut().zip(&cli.stream_key_file) {
        let text = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("--stream-key-file {}: {e}", file.display()))?;
        let key = text.lines().next().unwrap_or_default().trim();
        if key.is_empty() {
            bail!("--stream-key-file {}: the file holds no key", file.display());
        }
        *url = crate::secrets::stream_url(url, Some(key));
    }
    Ok(urls)
}

/// How `--p2p` takes part in the swarm: the command line's relays and
/// upload, else the settings'.
fn swarm_plan(
    cli: &crate::cli::Cli,
    settings: &crate::model::Settings,
) -> anyhow::Result<crate::cli::swarm::SwarmPlan> {
    let prefs = &settings.peer_to_peer;
    let relays = if cli.p2p_relay.is_empty() { &prefs.relays } else { &cli.p2p_relay };
    let relays = relays.iter().map(|r| crate::cli::swarm::relay_url(r)).collect::<anyhow::Result<_>>()?;
    let max_upload_kbps = cli.p2p_max_upload.unwrap_or(prefs.max_upload_kbps);
    let lan = cli.p2p_lan || prefs.lan;
    Ok(crate::cli::swarm::SwarmPlan { bind: cli.p2p_bind, relays, max_upload_kbps, lan })
}
