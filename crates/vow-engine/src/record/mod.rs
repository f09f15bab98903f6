//! `vow record`'s I/O: the recording reverse proxy and reading HAR files. What they capture goes
//! to vow-core's [`Recorder`](vow_core::record::Recorder), which redacts and folds it.

pub mod har;
pub mod proxy;
mod tee;

pub use har::{HarSummary, record_har};
pub use proxy::{ProxyOptions, ProxyReport, RecordObserver, StopWhen, record_proxy};

/// Why a recording could not run.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("failed to listen on {addr}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to build the HTTP client")]
    Client(#[source] reqwest::Error),
    #[error("failed to read the HAR file {}", path.display())]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the HAR file {} is {size} bytes, more than the {limit} bytes vow reads", path.display())]
    TooLarge {
        path: std::path::PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("the recorder stopped unexpectedly; no draft was written")]
    RecorderStopped,
    #[error(transparent)]
    Har(#[from] vow_core::record::HarError),
}
