//! `wa-mock`: a stateful fake of Meta's WhatsApp Graph API, centred on the Marketing Messages
//! API (`POST /{phone_number_id}/marketing_messages`).
//!
//! Run the `wa-mock` binary, or spawn the server in-process from Rust tests. Point your client's
//! Graph base URL at it, drive the world through the admin API under `/__admin`, and assert on
//! what the mock recorded.
//!
//! # Spawning in-process
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use wa_mock::{Config, spawn};
//!
//! // A free loopback port, clocks frozen at 2026-12-01T00:00:00Z, deterministic ids.
//! let server = spawn(Config::default().manual_clock().seed(7)).await?;
//! println!("Graph base URL: {}", server.url());
//!
//! // The default world's onboarded WABA and its phone number have fixed ids.
//! assert_eq!(wa_mock::DEFAULT_PHONE_NUMBER_ID, "100000000000021");
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! # How it fits together
//!
//! - `serve` accepts connections and bounds them (count, idle and header timeouts).
//! - `http` is the edge: the Graph pipeline (body limit, path, auth, version, route, faults,
//!   operation, journal, answer), Graph's envelope for every error, and the admin API's
//!   cross-site guards. `graph` holds one handler per row of the contract's operation table;
//!   `admin` is the control plane, one table of routes; `inbox` the web page that reads it.
//!   `state` is what they share: cheap handles.
//! - `webhooks` turns events into signed webhook POSTs, with retries on the clock.
//! - `store` is the registry of sandboxes; a `Session` (a sandbox locked for one operation) is
//!   the one door through which a sandbox's state changes, and whose state a snapshot saves
//!   and restores (`persist` writes its hashed maps in key order). `budget` counts what it
//!   retains. `state_file` keeps every sandbox across restarts (`--state-file`).
//! - `domain` is the plain-Rust model: WABAs, templates, routing, messages, recipients, clicks,
//!   analytics and the event outbox. `journal` is what the store keeps of each Graph request.
//! - `clock` is a sandbox's clock; every delayed behaviour is a job on its scheduler. `ids`
//!   holds the id newtypes, the seeded generator with one stream per sandbox and kind, and the
//!   token mint.
//! - `log` escapes client-chosen strings before they reach a log line; `world` reads world
//!   files; `config` the command line ([`Config`]); `healthcheck` is `wa-mock healthcheck`.
//!
//! Layering, top to bottom: `http`, `admin`, `inbox` → `state`, `graph`, `state_file` →
//! `webhooks` → `store` → `domain`, `journal`, `faults`, `world` → `clock`, `ids`, `budget`,
//! `persist`.
//! No module imports one above it, and no two modules import each other (a test reads both
//! crates' sources and fails on any cycle); where a lower one must hold state of a higher one
//! (a sandbox's webhook state), it holds it behind a trait it defines itself
//! (`store::SandboxHooks`).

mod admin;
mod banner;
mod budget;
mod clock;
mod config;
mod domain;
mod faults;
mod graph;
mod healthcheck;
mod http;
mod ids;
mod inbox;
mod journal;
mod log;
mod persist;
mod serve;
mod state;
mod state_file;
mod store;
mod webhooks;
mod world;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{ClockKind, Config};
pub use healthcheck::{healthcheck, local_address};
pub use webhooks::{Chaos, WebhookConfig};

use clock::Timestamp;
use state::{AllowedHosts, AppState};
use store::{Store, StoreSettings};
use world::WorldSpec;

/// The default world's business portfolio.
pub const DEFAULT_BUSINESS_ID: &str = "100000000000001";
/// The default world's onboarded WABA (marketing goes through the MM API).
pub const DEFAULT_WABA_ID: &str = "100000000000011";
/// The default world's eligible-only WABA (marketing falls back to the Cloud API).
pub const ELIGIBLE_WABA_ID: &str = "100000000000012";
/// The default world's MSC WABA.
pub const MSC_WABA_ID: &str = "100000000000013";
/// The onboarded WABA's phone number.
pub const DEFAULT_PHONE_NUMBER_ID: &str = "100000000000021";
/// The eligible-only WABA's phone number.
pub const ELIGIBLE_PHONE_NUMBER_ID: &str = "100000000000022";
/// The MSC WABA's phone number.
pub const MSC_PHONE_NUMBER_ID: &str = "100000000000023";
/// The default world's app: Resumable Upload API sessions are opened on it.
pub const DEFAULT_APP_ID: &str = "100000000000041";
/// The default sandbox's token (any unknown token also selects it unless auth is strict).
pub const DEFAULT_TOKEN: &str = "wa-mock-default-token";

/// The whole HTTP surface: the admin API under `/__admin` and the inbox, inside the edge's
/// envelope, and the Graph API everywhere else. The Graph API answers every request in Graph's
/// envelope with its version header itself, so its fallback is added after the envelope layer,
/// which would cost each send a boxed middleware call for nothing.
fn app(state: AppState) -> Router {
    admin::router(state.clone())
        .merge(inbox::router(state.clone()))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::graph_envelope,
        ))
        // The second hop of a media download, at the path of Meta's: outside the envelope
        // layer, as the Graph API is, since it answers its own errors in Graph's envelope.
        .route(
            "/whatsapp_business/attachments/",
            axum::routing::any(http::download_media),
        )
        .fallback(http::dispatch)
        .with_state(state)
}

/// Builds the store a configuration describes (world, clocks, seed); a `--config` that is a
/// snapshot (a JSON object) gives the default world and the snapshot, read and checked, for
/// the default sandbox to take once webhooks run.
fn build_store(config: &Config) -> std::io::Result<(Store, Option<store::Snapshot>)> {
    let invalid = |e: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, e);
    let mut snapshot = None;
    let mut world = match &config.world {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
            if bytes.trim_ascii_start().starts_with(b"{") {
                let parsed = store::Snapshot::parse(&bytes)
                    .map_err(|e| invalid(format!("{}: {e}", path.display())))?;
                snapshot = Some(parsed);
                WorldSpec::default_world()
            } else {
                WorldSpec::load(path).map_err(|e| invalid(e.to_string()))?
            }
        }
        None => WorldSpec::default_world(),
    };
    if let Some(mib) = config.media_cap_mb {
        world.retention.media_mb = usize::try_from(mib).unwrap_or(usize::MAX);
    }
    let clock_start = match config.clock_start.as_ref().or(world.clock_start.as_ref()) {
        Some(text) => {
            Timestamp::parse_rfc3339(text).map_err(|e| invalid(format!("clock_start: {e}")))?
        }
        None => Timestamp::MANUAL_START,
    };
    let settings = StoreSettings {
        clock_mode: config.clock_mode(),
        clock_start,
        seed: config.seed,
        strict_auth: config.strict_auth,
        memory_budget: config.memory_budget_bytes(),
    };
    Ok((Store::new(world, settings).map_err(invalid)?, snapshot))
}

/// A server running in the background.
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    store: Store,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
    dispatcher: webhooks::Dispatcher,
    closing: tokio::sync::watch::Sender<bool>,
    saver: Option<state_file::Saver>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("clock", self.default_sandbox().clock())
            .finish_non_exhaustive()
    }
}

impl RunningServer {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` — the Graph base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the binary prints after `listening on …`: the default sandbox's ids, its token
    /// and a curl line that sends a marketing message.
    pub fn startup_summary(&self) -> String {
        banner::startup_summary(&self.url(), self.store.default_sandbox())
    }

    /// Stops accepting connections, finishes in-flight requests and webhook attempts, and stops
    /// the clock's runner.
    pub async fn shutdown(self) {
        self.closing.send_replace(true);
        let _ = self.stop.send(());
        let _ = self.task.await;
        self.dispatcher.shutdown().await;
        if let Some(saver) = self.saver {
            saver.shutdown().await;
        }
    }
}

/// Binds `config.listen` (port 0 picks a free port) and serves in the background. Settings
/// out of range (see `wa-mock --help`) are refused with `InvalidInput`, naming the flag.
pub async fn spawn(config: Config) -> std::io::Result<RunningServer> {
    config
        .check()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let limits = config
        .limits()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let (store, snapshot) = build_store(&config)?;
    let listener = TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let (webhooks, dispatcher) = webhooks::start(
        store.clone(),
        config.app_endpoint(),
        config.webhooks.clone(),
        addr.ip(),
    )?;
    let hooks = |s: &_| webhooks.new_sandbox(s, webhooks::WebhookSettings::default());
    if let Some(snapshot) = snapshot {
        store
            .restore(store.default_sandbox(), snapshot, hooks)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.0))?;
    }
    let saver = match &config.state_file {
        Some(path) => {
            state_file::open(path, &store, hooks)?;
            Some(state_file::Saver::start(store.clone(), path.clone()))
        }
        None => None,
    };
    let (closing, closing_rx) = tokio::sync::watch::channel(false);
    let router = app(AppState {
        store: store.clone(),
        admin_any_peer: config.admin_any_peer,
        allowed_hosts: Arc::new(AllowedHosts::new(addr, &config.allowed_hosts)),
        webhooks,
        default_version: config.default_version,
        closing: closing_rx,
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(listener, router, limits, stopped));
    Ok(RunningServer {
        addr,
        store,
        stop,
        task,
        dispatcher,
        closing,
        saver,
    })
}
