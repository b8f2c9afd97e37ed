//! `wa-contract`: check payloads, a webhook receiver, and a running mock against the WhatsApp
//! Graph API contract, from any language's CI. See `wa-contract --help`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
