//! The command line: one module per subcommand; this one parses arguments, runs the command
//! and maps its outcome to the exit code (0 conformant, 1 violations, 2 usage or input errors).
#![allow(
    clippy::print_stdout,
    reason = "a command line prints its report on stdout"
)]

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod cassette;
mod mock;
mod parity;
mod record;
mod scenario;
mod scrub;
mod shape;
mod upstream;
mod validate;
mod webhooks;

/// Check payloads, webhook receivers and Graph clients against the WhatsApp Graph API contract.
#[derive(Debug, Parser)]
#[command(name = "wa-contract", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate JSON payload files (directories are searched for *.json).
    Validate(validate::Args),
    /// Send generated, signed webhooks to a receiver: conformant ones must get 2xx, badly
    /// signed ones 4xx.
    Webhooks(webhooks::Args),
    /// Validate every request a client made to a running mock (its request journal).
    Journal(mock::Args),
    /// Print a running mock's timeline, redacted and sorted, for snapshot checks.
    Snapshot(mock::Args),
    /// A recording proxy: forwards every request to an upstream (Meta, or a mock) and writes
    /// the traffic, scrubbed, to a cassette.
    Record(record::Args),
    /// A scripted walk through the core Graph surface against any base URL.
    Scenario(scenario::Args),
    /// Replay a cassette against a fresh sandbox of a running mock and report every drift.
    Parity(parity::Args),
}

/// Output format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
enum Format {
    /// For people.
    #[default]
    Text,
    /// For machines.
    Json,
}

/// How a command ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Everything conformed.
    Conformant,
    /// Something broke the contract.
    Violations,
}

/// Input the command could not use: an unreadable file, an unreachable mock, ….
#[derive(Debug)]
struct InputError(String);

impl<E: std::fmt::Display> From<E> for InputError {
    fn from(err: E) -> Self {
        Self(err.to_string())
    }
}

/// Runs the command line and returns its exit code.
pub(crate) fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Webhooks(args) => webhooks::run(&args),
        Command::Journal(args) => mock::journal(&args),
        Command::Snapshot(args) => mock::snapshot(&args),
        Command::Record(args) => record::run(&args),
        Command::Scenario(args) => scenario::run(&args),
        Command::Parity(args) => parity::run(&args),
    };
    match result {
        Ok(Outcome::Conformant) => ExitCode::SUCCESS,
        Ok(Outcome::Violations) => ExitCode::from(1),
        Err(InputError(message)) => {
            eprintln!("wa-contract: {message}");
            ExitCode::from(2)
        }
    }
}

/// A runtime for the commands that speak HTTP.
fn runtime() -> Result<tokio::runtime::Runtime, InputError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
