//! The `wa-mock` binary: parse the configuration, start logging, serve until SIGINT/SIGTERM.

use std::io::Write;

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

fn print_banner(server: &wa_mock::RunningServer) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", server.url())?;
    write!(out, "{}", startup_summary(server))?;
    out.flush()
}

fn startup_summary(server: &wa_mock::RunningServer) -> String {
    let state = wa_mock::admin::state_json(server.store().default_sandbox());
    let token = state["token"].as_str().unwrap_or_default().to_owned();
    let mut lines = vec![format!("token: {token}")];
    for w in state["wabas"].as_array().into_iter().flatten() {
        lines.push(format!(
            "waba {} ({}){}",
            w["id"].as_str().unwrap_or_default(),
            w["marketing_messages_onboarding_status"]
                .as_str()
                .unwrap_or_default(),
            if w["msc"] == true { ", MSC" } else { "" },
        ));
        for p in state["phone_numbers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["waba_id"] == w["id"])
        {
            lines.push(format!(
                "  phone number {}",
                p["id"].as_str().unwrap_or_default()
            ));
        }
        for t in state["templates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["waba_id"] == w["id"])
        {
            lines.push(format!(
                "  template {} {} {} {}",
                t["id"].as_str().unwrap_or_default(),
                t["name"].as_str().unwrap_or_default(),
                t["category"].as_str().unwrap_or_default(),
                t["status"].as_str().unwrap_or_default(),
            ));
        }
    }
    let phone = state["phone_numbers"][0]["id"].as_str().unwrap_or_default();
    let template = state["templates"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["category"] == "MARKETING" && t["status"] == "APPROVED");
    if let Some(t) = template {
        lines.push(String::new());
        lines.push("send a marketing message:".to_owned());
        lines.push(format!(
            "curl -s {}/v25.0/{phone}/marketing_messages -H 'Authorization: Bearer {token}' \
             -H 'Content-Type: application/json' -d '{{\"messaging_product\":\"whatsapp\",\
             \"recipient_type\":\"individual\",\"to\":\"16505551234\",\"type\":\"template\",\
             \"template\":{{\"name\":\"{}\",\"language\":{{\"code\":\"{}\"}},\"components\":\
             [{{\"type\":\"body\",\"parameters\":[{{\"type\":\"text\",\"text\":\"Ann\"}}]}}]}}}}'",
            server.url(),
            t["name"].as_str().unwrap_or_default(),
            t["language"].as_str().unwrap_or_default(),
        ));
    }
    lines.join("\n") + "\n"
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
