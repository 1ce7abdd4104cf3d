//! Wayland screen capture through the xdg-desktop-portal ScreenCast
//! interface. The portal asks the user what to share, answers with a
//! PipeWire remote and node, and a restore token that lets the next start
//! skip the question; the token is handed back so it can be saved.
//!
//! The conversation may wait on a dialog, so it runs on a thread of its own;
//! that thread then keeps the portal session open until the capture stops.

use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::mpsc;

use ashpd::desktop::screencast::{
    CursorMode, OpenPipeWireRemoteOptions, Screencast, SelectSourcesOptions, SourceType, StartCastOptions,
};
use ashpd::desktop::{CreateSessionOptions, PersistMode};

/// What the portal granted.
pub(crate) struct Grant {
    pub fd: i32,
    pub node: u32,
    pub restore_token: Option<String>,
}

/// Keeps a granted capture open; dropping it closes the portal session.
pub(crate) struct Keeper {
    _stop: mpsc::Sender<()>,
}

async fn negotiate(
    restore_token: Option<&str>,
) -> Result<(Screencast, ashpd::desktop::Session<Screencast>, OwnedFd, u32, Option<String>), ashpd::Error> {
    let proxy = Screencast::new().await?;
    let session = proxy.create_session(CreateSessionOptions::default()).await?;
    let select = SelectSourcesOptions::default()
        .set_cursor_mode(CursorMode::Embedded)
        .set_sources(SourceType::Monitor | SourceType::Window)
        .set_multiple(false)
        .set_persist_mode(PersistMode::ExplicitlyRevoked)
        .set_restore_token(restore_token);
    proxy.select_sources(&session, select).await?.response()?;
    let streams = proxy.start(&session, None, StartCastOptions::default()).await?.response()?;
    let node =
        streams.streams().first().map(|s| s.pipe_wire_node_id()).ok_or_else(|| ashpd::Error::NoResponse)?;
    let token = streams.restore_token().map(str::to_owned);
    let fd = proxy.open_pipe_wire_remote(&session, OpenPipeWireRemoteOptions::default()).await?;
    Ok((proxy, session, fd, node, token))
}

/// Asks the portal for a screen; calls `granted` with the PipeWire remote
/// (and returns a keeper) or with the reason it was not granted.
pub(crate) fn request(
    restore_token: Option<String>,
    granted: impl FnOnce(Result<Grant, String>) + Send + 'static,
) -> Keeper {
    let (stop, stopped) = mpsc::channel::<()>();
    let spawned = std::thread::Builder::new().name("plateau-portal".into()).spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(r) => r,
            Err(e) => return granted(Err(format!("could not talk to the desktop portal: {e}"))),
        };
        let negotiated = runtime.block_on(negotiate(restore_token.as_deref()));
        match negotiated {
            Ok((_proxy, session, fd, node, restore_token)) => {
                granted(Ok(Grant { fd: fd.as_raw_fd(), node, restore_token }));
                // Hold the session and the PipeWire remote until the capture stops.
                let _ = stopped.recv();
                let _ = runtime.block_on(session.close());
                drop(fd);
            }
            Err(e) => granted(Err(format!("the desktop portal did not grant a screen: {e}"))),
        }
    });
    if let Err(e) = spawned {
        tracing::error!(%e, "could not start the portal thread");
    }
    Keeper { _stop: stop }
}
