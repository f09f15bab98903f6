//! Tells long-running responses that the server is shutting down. Graceful shutdown waits for every
//! in-flight request, so without this a request held by the `hang` fault would delay it an hour.

use std::future;

use tokio::sync::watch;

/// The receiving side, cloned into whatever may run long.
#[derive(Debug, Clone)]
pub(crate) struct ShutdownSignal(watch::Receiver<bool>);

/// The sending side, held by whoever decides when to shut down.
#[derive(Debug)]
pub(crate) struct ShutdownTrigger(watch::Sender<bool>);

impl ShutdownSignal {
    pub(crate) fn channel() -> (ShutdownTrigger, ShutdownSignal) {
        let (sender, receiver) = watch::channel(false);
        (ShutdownTrigger(sender), ShutdownSignal(receiver))
    }

    /// A signal that never fires, for a router that is not served by [`crate::serve`].
    pub(crate) fn never() -> ShutdownSignal {
        let (_trigger, signal) = ShutdownSignal::channel();
        signal
    }

    /// Completes once shutdown has begun; never, if the trigger was dropped without firing.
    pub(crate) async fn requested(mut self) {
        if self
            .0
            .wait_for(|shutting_down| *shutting_down)
            .await
            .is_err()
        {
            future::pending::<()>().await;
        }
    }
}

impl ShutdownTrigger {
    pub(crate) fn fire(self) {
        // Nobody listening means no response is waiting: nothing to tell.
        let _ = self.0.send(true);
    }
}
