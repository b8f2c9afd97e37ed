//! The `wa-mock` binary: parse the configuration, start logging, serve until SIGINT/SIGTERM;
//! or, as `wa-mock healthcheck`, check a running server, and as `wa-mock snapshot`, save one's
//! sandbox.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use wa_mock::{Config, spawn};

/// The command line: the server's flags, or a subcommand.
#[derive(Parser)]
#[command(
    name = "wa-mock",
    version,
    about = "A stateful fake of Meta's WhatsApp Graph API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Exit 0 when the wa-mock at `--listen` answers `GET /__admin/health`, 1 otherwise.
    ///
    /// A container's health check: the address is `--listen` or `WA_MOCK_LISTEN`, as the server
    /// was started with; one that listens on 0.0.0.0 is reached through 127.0.0.1.
    Healthcheck {
        /// Milliseconds to wait for the answer.
        #[arg(
            long,
            env = "WA_MOCK_HEALTHCHECK_TIMEOUT_MS",
            default_value_t = 2000,
            value_parser = clap::value_parser!(u64).range(1..=60_000)
        )]
        timeout_ms: u64,
    },
    /// Print a running server's sandbox as a snapshot (`GET /__admin/snapshot`): save it with
    /// `wa-mock snapshot > state.json`, start from it with `--config state.json`.
    Snapshot {
        /// The server's base URL.
        #[arg(long, env = "WA_MOCK_URL", default_value = "http://127.0.0.1:8089")]
        url: String,
        /// The token of the sandbox to save (none: the default sandbox).
        #[arg(long, env = "WA_MOCK_TOKEN")]
        token: Option<String>,
    },
}

fn main() -> std::io::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Healthcheck { timeout_ms }) => {
            let addr = wa_mock::local_address(cli.config.listen);
            Ok(
                match wa_mock::healthcheck(addr, Duration::from_millis(timeout_ms)) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(why) => {
                        eprintln!("wa-mock healthcheck: {why}");
                        ExitCode::FAILURE
                    }
                },
            )
        }
        Some(Command::Snapshot { url, token }) => Ok(match print_snapshot(&url, token) {
            Ok(()) => ExitCode::SUCCESS,
            Err(why) => {
                eprintln!("wa-mock snapshot: {why}");
                ExitCode::FAILURE
            }
        }),
        None => serve(cli.config).map(|()| ExitCode::SUCCESS),
    }
}

#[tokio::main]
async fn serve(config: Config) -> std::io::Result<()> {
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

/// Writes the snapshot the server at `url` answers for `token` to stdout.
#[tokio::main(flavor = "current_thread")]
async fn print_snapshot(url: &str, token: Option<String>) -> Result<(), String> {
    let endpoint = format!("{}/__admin/snapshot", url.trim_end_matches('/'));
    let mut request = reqwest::Client::new().get(&endpoint);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer = request
        .send()
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?;
    let status = answer.status();
    let body = answer
        .bytes()
        .await
        .map_err(|e| format!("{endpoint}: {e}"))?;
    if !status.is_success() {
        return Err(format!(
            "{endpoint} answered {status}: {}",
            String::from_utf8_lossy(&body)
        ));
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&body)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush())
        .map_err(|e| format!("writing to stdout: {e}"))
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
