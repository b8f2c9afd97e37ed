//! The `wa-mock` binary: parse the configuration, start logging, serve until SIGINT/SIGTERM.

use std::io::{IsTerminal, Write};

use clap::Parser;
use wa_mock::{Config, spawn};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "wa_mock=info".into()),
        )
        .with_writer(std::io::stderr)
        // Colour codes only where a person reads them: not in files, pipes or CI logs.
        .with_ansi(std::io::stderr().is_terminal() && !no_color())
        .init();
    tracing::info!(config = %config.redacted(), "starting");
    let server = spawn(config).await?;
    // A reader that closed our stdout (`wa-mock | head -1`) must not stop the server.
    if let Err(e) = print_banner(&server) {
        tracing::warn!("could not write the startup summary to stdout: {e}");
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.shutdown().await;
    Ok(())
}

/// <https://no-color.org>: a `NO_COLOR` that is set and not empty turns colour off.
fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn print_banner(server: &wa_mock::RunningServer) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", server.url())?;
    write!(out, "{}", server.startup_summary())?;
    out.flush()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
