//! The `vow-example-provider` binary: serves shop-api on a socket, optionally with faults, for
//! trying vow by hand and for scripts that need a real provider process.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

use clap::Parser;
use tokio::net::TcpListener;
use vow_example_provider::{Fault, FaultSet, serve};

/// The server ran and shut down cleanly (or `--list-faults` printed the list).
const EXIT_OK: u8 = 0;
/// The server could not start or failed while running.
const EXIT_FAILURE: u8 = 1;
// Exit code 2 (invalid arguments, including an unknown fault name) is clap's, on parse errors.

/// Serves shop-api, the commerce API described by vow's example contracts.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Break the contracts in one named way; repeat for several (see --list-faults).
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<Fault>,
    /// Print the available faults and exit.
    #[arg(long)]
    list_faults: bool,
}

/// Why the server stopped with an error.
#[derive(Debug)]
enum RunError {
    Listen { addr: SocketAddr, source: io::Error },
    Serve(io::Error),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Listen { addr, source } => write!(f, "failed to listen on {addr}: {source}"),
            RunError::Serve(source) => write!(f, "failed while serving: {source}"),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if args.list_faults {
        // A closed pipe (`| head`) is not worth failing over.
        let _ = list_faults(&mut io::stdout().lock());
        return ExitCode::from(EXIT_OK);
    }
    match run(args).await {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(err) => {
            let _ = writeln!(io::stderr(), "error: {err}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run(args: Args) -> Result<(), RunError> {
    let listener = TcpListener::bind(args.listen)
        .await
        .map_err(|source| RunError::Listen {
            addr: args.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(RunError::Serve)?;
    let faults: FaultSet = args.faults.into_iter().collect();
    if !faults.is_empty() {
        let names: Vec<_> = faults.iter().map(|fault| fault.name()).collect();
        let _ = writeln!(io::stderr(), "active faults: {}", names.join(", "));
    }
    // Tests and scripts wait for this exact line to learn the address (port 0 picks one).
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "listening on http://{addr}")
        .and_then(|()| stdout.flush())
        .map_err(RunError::Serve)?;
    drop(stdout);
    serve(listener, faults, shutdown_requested())
        .await
        .map_err(RunError::Serve)
}

fn list_faults(out: &mut impl Write) -> io::Result<()> {
    let width = Fault::ALL.iter().map(|f| f.name().len()).max().unwrap_or(0);
    for fault in Fault::ALL {
        writeln!(out, "{:width$}  {}", fault.name(), fault.description())?;
    }
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop` and `kill` send).
async fn shutdown_requested() {
    let interrupt = async {
        // Without a handler we can never be interrupted; that must not mean "stop now".
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
