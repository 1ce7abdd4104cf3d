//! Where a peer's network tasks run.
//!
//! A peer of the studio, of `plateau watch` or of `plateau relay` has a
//! runtime of its own (two worker threads). A process that runs a whole
//! audience, as the swarm benchmark does, gives every peer the same
//! runtime instead ([`PeerOptions::runtime`](super::PeerOptions)): a
//! hundred peers with two threads each spent a fifth of two cores
//! switching between them.

use std::future::Future;
use std::sync::Mutex;

use tokio::runtime::{Handle, Runtime};
use tokio::task::AbortHandle;

use super::P2pError;

pub(crate) struct PeerRuntime {
    /// Dropped with the peer: its tasks end with it.
    _owned: Option<Runtime>,
    handle: Handle,
    /// The tasks the peer started, ended when it goes (on a shared runtime;
    /// its own ends them all). Tasks they spawn serve one connection each
    /// and end when it closes.
    tasks: Mutex<Vec<AbortHandle>>,
}

impl PeerRuntime {
    /// The shared runtime `handle`, or a runtime of the peer's own.
    pub fn new(handle: Option<&Handle>) -> Result<Self, P2pError> {
        let (owned, handle) = match handle {
            Some(handle) => (None, handle.clone()),
            None => {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("plateau-p2p")
                    .enable_all()
                    .build()
                    .map_err(|e| P2pError::Runtime(e.to_string()))?;
                let handle = runtime.handle().clone();
                (Some(runtime), handle)
            }
        };
        Ok(Self { _owned: owned, handle, tasks: Mutex::new(Vec::new()) })
    }

    pub fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let task = self.handle.spawn(task).abort_handle();
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.retain(|t| !t.is_finished());
        tasks.push(task);
    }

    /// Runs `future` to its end from a thread outside the runtime.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }
}

impl Drop for PeerRuntime {
    fn drop(&mut self) {
        for task in self.tasks.get_mut().unwrap_or_else(|e| e.into_inner()).drain(..) {
            task.abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peers_tasks_on_a_shared_runtime_end_with_the_peer_and_the_runtime_goes_on() {
        let shared =
            tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let peer = PeerRuntime::new(Some(shared.handle())).unwrap();
        let (alive, mut watch) = tokio::sync::mpsc::channel::<()>(1);
        peer.spawn(async move {
            let _alive = alive;
            std::future::pending::<()>().await
        });
        assert_eq!(peer.block_on(async { 20 + 22 }), 42);
        drop(peer);
        // The task held the only sender: its end closes the channel.
        let ended = shared
            .block_on(async { tokio::time::timeout(std::time::Duration::from_secs(2), watch.recv()).await });
        assert_eq!(ended, Ok(None), "the peer's task still runs");
        assert_eq!(shared.block_on(async { 1 + 1 }), 2);
    }
}
