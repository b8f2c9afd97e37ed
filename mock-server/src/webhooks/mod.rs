//! Webhooks: the mock calls the client back as Meta does.
//!
//! How the parts fit. Store operations append events to their sandbox's outbox, and a sandbox
//! with news queues itself and rings the store's bell. The dispatcher task (owned by a
//! [`Dispatcher`]) wakes, drains the queued outboxes and plans deliveries: [`subscription`]
//! picks each WABA's callback URL and the sandbox's secret, version and chaos; [`payload`] builds
//! Meta's body from the contract's typed model, written as ASCII-only JSON and signed over
//! exactly those bytes; statuses may be batched, and [`chaos`] may hold back or duplicate.
//! [`delivery`] POSTs each one through [`outbound`] (bounded concurrency, one pooled client, no
//! redirects, capped answers), logs every attempt in the sandbox's [`hooks`] and schedules
//! retries as jobs on the sandbox's clock that put the delivery back in the queue. Each
//! sandbox's deliveries wait in a queue of their own and take turns, each sandbox holding at
//! most a quarter of the POSTs in flight, so one sandbox's hanging receiver delays no other.
//!
//! The hub (this module) imports the leaves; they depend on nothing above them and on no
//! sibling in a circle: `chaos` and `subscription` are rules, `hooks` the per-sandbox state,
//! `payload` the bodies, `outbound` and `delivery` the I/O. What an attempt needs from above —
//! the queue a retry goes back to and the charge the log's growth makes on the memory budget —
//! the hub hands down as a [`delivery::Courier`]. A sandbox's webhook state is made with the
//! sandbox (the default one's on first use), and the store resets and drops it with the sandbox
//! through `store::SandboxHooks`.
//!
//! Nothing on the Graph path waits for any of this: a send only appends to the outbox. In
//! manual time, [`Webhooks::advance`] steps the clock from one due job to the next and at each
//! step waits until the dispatcher has attempted everything of that sandbox that is due, so
//! `POST /__admin/clock/advance` returns only once every webhook of the sandbox that fell due
//! has been tried, in time order, and never waits on another sandbox's receiver.

pub(crate) mod chaos;
pub(crate) mod delivery;
pub(crate) mod hooks;
pub(crate) mod outbound;
pub(crate) mod payload;
pub(crate) mod subscription;

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use wa_contract::GraphVersion;
use wa_contract::admin::{RetryPolicy, WabaTarget, WebhookView};
use wa_contract::signature::{ascii_json, sign};

use crate::clock::Timestamp;
use crate::domain::events::{Event, EventKind, StatusChange};
use crate::domain::status;
use crate::ids::{Stream, WabaId};
use crate::log::Escaped;
use crate::store::{Sandbox, SandboxHooks, Store};
use chaos::Draws;
use delivery::{Courier, Delivery, attempt};
pub(crate) use hooks::Attempt;
use hooks::{Hooks, Outcome, lock};
use outbound::CallbackHosts;
pub(crate) use outbound::{Failure, check_url};
pub(crate) use subscription::WebhookSettings;
use subscription::{callback_url, handshake};
/// Delivery chaos, the `--webhook-chaos-*` flags: the admin API's own type.
pub use wa_contract::admin::Chaos;

/// The secret webhooks are signed with when none is configured.
pub(crate) const DEFAULT_APP_SECRET: &str = "wa-mock-app-secret";

/// Milliseconds an endpoint may be given: up to five minutes.
const TIMEOUT_MS: RangeInclusive<u64> = 1..=300_000;
/// Seconds before the first retry, and the longest wait between two: at least a second, so
/// retries cannot pile up at one instant of the clock; at most a day.
const RETRY_SECONDS: RangeInclusive<u64> = 1..=86_400;
/// Age after which a webhook is dropped: at most the seven days Meta keeps retrying.
const MAX_AGE_SECONDS: RangeInclusive<u64> = 0..=604_800;
/// POSTs in flight at once.
const CONCURRENCY: RangeInclusive<u64> = 1..=1_024;
/// Attempts a sandbox's log keeps; each holds its body, and the memory budget bounds them all.
const LOG_SIZE: RangeInclusive<u64> = 0..=1_000_000;

/// The `--webhook-*` defaults, declared once for the command line and [`WebhookConfig::default`].
mod defaults {
    pub(super) const TIMEOUT_MS: u64 = 5_000;
    pub(super) const RETRY_SECONDS: u64 = 10;
    pub(super) const RETRY_MAX_SECONDS: u64 = 3_600;
    pub(super) const MAX_AGE_SECONDS: u64 = 86_400;
    pub(super) const CONCURRENCY: usize = 64;
    pub(super) const LOG_SIZE: usize = 10_000;
}

/// How webhooks are delivered: the `--webhook-*` flags.
#[derive(Clone, Debug, clap::Args)]
pub struct WebhookConfig {
    /// Graph version whose webhook shapes are sent (`conversation` is dropped from v24.0).
    #[arg(id = "webhook_version", long = "webhook-version", env = "WA_MOCK_WEBHOOK_VERSION", default_value_t = GraphVersion::NEWEST)]
    pub version: GraphVersion,
    /// Milliseconds an endpoint has to answer before the attempt counts as failed (1–300,000).
    #[arg(
        long = "webhook-timeout-ms",
        env = "WA_MOCK_WEBHOOK_TIMEOUT_MS",
        default_value_t = defaults::TIMEOUT_MS,
        value_parser = clap::value_parser!(u64).range(TIMEOUT_MS)
    )]
    pub timeout_ms: u64,
    /// Seconds before the first retry; each later retry waits twice as long (1–86,400).
    #[arg(
        long = "webhook-retry-seconds",
        env = "WA_MOCK_WEBHOOK_RETRY_SECONDS",
        default_value_t = defaults::RETRY_SECONDS,
        value_parser = clap::value_parser!(u64).range(RETRY_SECONDS)
    )]
    pub retry_seconds: u64,
    /// Longest wait between two attempts, in seconds (1–86,400).
    #[arg(
        long = "webhook-retry-max-seconds",
        env = "WA_MOCK_WEBHOOK_RETRY_MAX_SECONDS",
        default_value_t = defaults::RETRY_MAX_SECONDS,
        value_parser = clap::value_parser!(u64).range(RETRY_SECONDS)
    )]
    pub retry_max_seconds: u64,
    /// Simulated seconds after which an undelivered webhook is dropped (marked `expired`;
    /// at most 604,800).
    #[arg(
        long = "webhook-max-age-seconds",
        env = "WA_MOCK_WEBHOOK_MAX_AGE_SECONDS",
        default_value_t = defaults::MAX_AGE_SECONDS,
        value_parser = clap::value_parser!(u64).range(MAX_AGE_SECONDS)
    )]
    pub max_age_seconds: u64,
    /// Webhook POSTs in flight at once (1–1,024).
    #[arg(
        long = "webhook-concurrency",
        env = "WA_MOCK_WEBHOOK_CONCURRENCY",
        default_value_t = defaults::CONCURRENCY,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(CONCURRENCY)
    )]
    pub concurrency: usize,
    /// Delivery attempts each sandbox's log keeps (at most 1,000,000).
    #[arg(
        long = "webhook-log-size",
        env = "WA_MOCK_WEBHOOK_LOG_SIZE",
        default_value_t = defaults::LOG_SIZE,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(LOG_SIZE)
    )]
    pub log_size: usize,
    /// Delivery chaos for every sandbox (a sandbox may set its own).
    #[command(flatten)]
    pub chaos: Chaos,
    /// A host (name or IP) that callback URLs given through the Graph or admin API may name,
    /// besides loopback ones; `*` allows any, the default when listening beyond loopback.
    /// Repeatable, comma-separated in the variable.
    #[arg(
        long = "callback-allow",
        env = "WA_MOCK_CALLBACK_ALLOW",
        value_delimiter = ','
    )]
    pub callback_allow: Vec<String>,
}

impl Default for WebhookConfig {
    /// The command-line defaults.
    fn default() -> Self {
        Self {
            version: GraphVersion::NEWEST,
            timeout_ms: defaults::TIMEOUT_MS,
            retry_seconds: defaults::RETRY_SECONDS,
            retry_max_seconds: defaults::RETRY_MAX_SECONDS,
            max_age_seconds: defaults::MAX_AGE_SECONDS,
            concurrency: defaults::CONCURRENCY,
            log_size: defaults::LOG_SIZE,
            chaos: Chaos::default(),
            callback_allow: Vec::new(),
        }
    }
}

impl WebhookConfig {
    /// The first setting out of range, named by its flag. The command line checks the same
    /// ranges as it parses; this catches settings made in code.
    pub(crate) fn check(&self) -> Result<(), String> {
        let numbers = [
            ("timeout-ms", self.timeout_ms, TIMEOUT_MS),
            ("retry-seconds", self.retry_seconds, RETRY_SECONDS),
            ("retry-max-seconds", self.retry_max_seconds, RETRY_SECONDS),
            ("max-age-seconds", self.max_age_seconds, MAX_AGE_SECONDS),
            ("concurrency", self.concurrency as u64, CONCURRENCY),
            ("log-size", self.log_size as u64, LOG_SIZE),
        ];
        for (flag, value, range) in numbers {
            within(value, range).map_err(|e| format!("--webhook-{flag}: {e}"))?;
        }
        self.chaos
            .check()
            .map_err(|(field, e)| format!("--webhook-chaos-{}: {e}", field.replace('_', "-")))
    }

    /// The retry schedule these settings describe.
    pub(crate) fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            first_retry_seconds: self.retry_seconds,
            max_wait_seconds: self.retry_max_seconds,
            max_age_seconds: self.max_age_seconds,
        }
    }
}

/// The app's own endpoint: `--webhook-url`, `--app-secret`, `--verify-token`.
#[derive(Clone, Debug, Default)]
pub(crate) struct AppEndpoint {
    /// Default callback URL.
    pub(crate) url: Option<String>,
    /// Signing secret ([`DEFAULT_APP_SECRET`] when `None`).
    pub(crate) app_secret: Option<String>,
    /// Verify token for the startup handshake with `url`.
    pub(crate) verify_token: Option<String>,
}

/// Handle on webhook delivery, shared by the Graph and admin handlers (cheap to clone).
#[derive(Clone)]
pub(crate) struct Webhooks {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhooks")
            .field("app_url", &self.shared.app.url)
            .field("config", &self.shared.config)
            .finish_non_exhaustive()
    }
}

/// What the dispatcher task and its handles share.
struct Shared {
    store: Store,
    config: WebhookConfig,
    app: AppEndpoint,
    /// The hosts callback URLs may name.
    callbacks: Arc<CallbackHosts>,
    /// What attempts need, handed to each.
    courier: Arc<Courier>,
    /// Flushes for the dispatcher to answer, each about one sandbox.
    flushes: mpsc::UnboundedSender<(Lane, oneshot::Sender<()>)>,
}

/// Owns the dispatcher task: shut it down gracefully, or drop it to stop it at once.
#[derive(Debug)]
pub(crate) struct Dispatcher {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl Dispatcher {
    /// Stops taking new work, lets the attempts in flight finish, then returns.
    pub(crate) async fn shutdown(mut self) {
        self.stop.notify_one();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts delivering `store`'s events; the handle is for handlers, the [`Dispatcher`] for
/// whoever shuts the server down.
pub(crate) fn start(
    store: Store,
    app: AppEndpoint,
    config: WebhookConfig,
    listen: IpAddr,
) -> std::io::Result<(Webhooks, Dispatcher)> {
    let timeout = Duration::from_millis(config.timeout_ms);
    let client =
        outbound::client(timeout, config.concurrency.max(1)).map_err(std::io::Error::other)?;
    let (flushes, flush_rx) = mpsc::unbounded_channel();
    let budget = store.clone();
    let courier = Arc::new(Courier {
        client,
        timeout_ms: config.timeout_ms,
        retry: config.retry(),
        queue: Arc::default(),
        charge: Box::new(move |sandbox, added, removed| {
            budget.charge_deliveries(sandbox, added, removed);
        }),
    });
    let shared = Arc::new(Shared {
        store,
        callbacks: Arc::new(CallbackHosts::new(listen, &config.callback_allow)),
        config,
        app,
        courier,
        flushes,
    });
    let stop = Arc::new(Notify::new());
    let task = tokio::spawn(run(shared.clone(), flush_rx, stop.clone()));
    let webhooks = Webhooks { shared };
    webhooks.verify_app_endpoint();
    Ok((webhooks, Dispatcher { stop, task }))
}

/// The dispatcher loop: collect what is due, keep up to `concurrency` attempts in flight (each
/// sandbox at most its share, in turns), answer each flush once its sandbox has nothing left.
async fn run(
    shared: Arc<Shared>,
    mut flushes: mpsc::UnboundedReceiver<(Lane, oneshot::Sender<()>)>,
    stop: Arc<Notify>,
) {
    let limit = shared.config.concurrency.max(1);
    let mut lanes = Lanes::new(share(limit));
    let mut in_flight = JoinSet::new();
    loop {
        tokio::select! {
            biased;
            () = stop.notified() => break,
            Some(waiter) = flushes.recv() => lanes.waiters.push(waiter),
            Some(done) = in_flight.join_next_with_id(), if !in_flight.is_empty() => {
                lanes.finished(task_id(&done));
                while let Some(done) = in_flight.try_join_next_with_id() {
                    lanes.finished(task_id(&done));
                }
            }
            // Woken by a send, it lets the tasks already ready (the sends behind it) run
            // first, so that one pass collects many sends' events rather than one's.
            () = shared.store.events_ready() => tokio::task::yield_now().await,
            () = shared.courier.queue.woken() => {}
        }
        shared.collect(&mut lanes);
        while in_flight.len() < limit {
            let Some((lane, delivery)) = lanes.next() else {
                break;
            };
            let task = in_flight.spawn(attempt(shared.courier.clone(), delivery));
            lanes.started(task.id(), lane);
        }
        lanes.answer_flushes();
    }
    while in_flight.join_next().await.is_some() {}
}

/// The attempt task a join result is about, finished or panicked.
fn task_id<T>(done: &Result<(tokio::task::Id, T), tokio::task::JoinError>) -> tokio::task::Id {
    match done {
        Ok((id, _)) => *id,
        Err(e) => e.id(),
    }
}

/// The POSTs one sandbox may have in flight out of `limit`: a quarter (at least one), so that
/// up to three sandboxes whose receivers hang still leave room for every other sandbox.
fn share(limit: usize) -> usize {
    limit.div_ceil(4)
}

/// One sandbox's place in the dispatcher: the address of its webhook state, which every
/// delivery, queued or in flight, and every flush waiting on it keep alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Lane(usize);

impl Lane {
    fn of(hooks: &Arc<Mutex<Hooks>>) -> Self {
        Self(Arc::as_ptr(hooks) as usize)
    }
}

/// Deliveries waiting for a POST, one queue per sandbox, taken in turns: one sandbox's slow or
/// hanging receiver holds at most its share of the POSTs and delays no other sandbox.
struct Lanes {
    share: usize,
    waiting: HashMap<Lane, VecDeque<Delivery>>,
    /// Sandboxes with deliveries waiting, in the order they take their next turn.
    turns: VecDeque<Lane>,
    /// Attempts in flight per sandbox.
    running: HashMap<Lane, usize>,
    tasks: HashMap<tokio::task::Id, Lane>,
    /// Flushes waiting for their sandbox to have nothing waiting or in flight.
    waiters: Vec<(Lane, oneshot::Sender<()>)>,
}

impl Lanes {
    fn new(share: usize) -> Self {
        Self {
            share,
            waiting: HashMap::new(),
            turns: VecDeque::new(),
            running: HashMap::new(),
            tasks: HashMap::new(),
            waiters: Vec::new(),
        }
    }

    /// Queues `delivery` behind its sandbox's others.
    fn push(&mut self, delivery: Delivery) {
        let lane = Lane::of(&delivery.hooks);
        let queue = self.waiting.entry(lane).or_default();
        if queue.is_empty() {
            self.turns.push_back(lane);
        }
        queue.push_back(delivery);
    }

    /// The next delivery to POST: from the first sandbox in turn below its share.
    fn next(&mut self) -> Option<(Lane, Delivery)> {
        let position = self
            .turns
            .iter()
            .position(|lane| self.running.get(lane).copied().unwrap_or(0) < self.share)?;
        let lane = self.turns.remove(position)?;
        let queue = self.waiting.get_mut(&lane)?;
        let delivery = queue.pop_front()?;
        if queue.is_empty() {
            self.waiting.remove(&lane);
        } else {
            self.turns.push_back(lane);
        }
        Some((lane, delivery))
    }

    fn started(&mut self, task: tokio::task::Id, lane: Lane) {
        *self.running.entry(lane).or_default() += 1;
        self.tasks.insert(task, lane);
    }

    fn finished(&mut self, task: tokio::task::Id) {
        let Some(lane) = self.tasks.remove(&task) else {
            return;
        };
        if let Some(running) = self.running.get_mut(&lane) {
            *running -= 1;
            if *running == 0 {
                self.running.remove(&lane);
            }
        }
    }

    /// Answers the flushes whose sandbox has nothing waiting or in flight.
    fn answer_flushes(&mut self) {
        let idle =
            |lane: &Lane| !self.waiting.contains_key(lane) && !self.running.contains_key(lane);
        let (done, waiting): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiters)
            .into_iter()
            .partition(|(lane, _)| idle(lane));
        self.waiters = waiting;
        for (_, done) in done {
            let _ = done.send(());
        }
    }
}

impl Shared {
    /// Moves every retry that fell due and every new event's deliveries into their sandboxes'
    /// queues.
    fn collect(&self, lanes: &mut Lanes) {
        for delivery in self.courier.queue.take() {
            lanes.push(delivery);
        }
        for (sandbox, events) in self.store.drain_outbox() {
            self.plan(&sandbox, &events, lanes);
        }
    }

    /// Fresh webhook state for `sandbox`, with its own `settings`.
    fn new_hooks(&self, sandbox: &Sandbox, settings: WebhookSettings) -> Arc<Mutex<Hooks>> {
        Arc::new(Mutex::new(Hooks::new(
            settings,
            sandbox.stream(Stream::Chaos),
            sandbox.stream(Stream::Challenges),
            self.config.log_size,
            self.callbacks.clone(),
        )))
    }

    /// The webhook state of `sandbox`; one made without being asked for (the default
    /// sandbox's) is made on first use.
    fn hooks(&self, sandbox: &Sandbox) -> Arc<Mutex<Hooks>> {
        let slot = sandbox
            .hooks
            .get_or_init(|| self.new_hooks(sandbox, WebhookSettings::default()));
        slot.clone()
            .as_any()
            .downcast::<Mutex<Hooks>>()
            .expect("only this module fills a sandbox's hooks")
    }

    /// Turns one sandbox's events into deliveries: due ones into its queue, held-back ones
    /// onto the clock.
    fn plan(&self, sandbox: &Sandbox, events: &[Arc<Event>], lanes: &mut Lanes) {
        let hooks_handle = self.hooks(sandbox);
        let default_url = lock(&hooks_handle)
            .settings
            .webhook_url
            .clone()
            .or_else(|| self.app.url.clone());
        // Each WABA's URL is read under the sandbox's lock (never with the hooks' lock held),
        // without copying its subscriptions; one URL allocation per WABA per batch. A batch
        // names a WABA or two, so a short list beats hashing an id for every event.
        let mut urls: Vec<(&WabaId, Option<Arc<str>>)> = Vec::new();
        {
            let state = sandbox.read();
            for e in events {
                let waba = event_waba(&e.kind);
                if !urls.iter().any(|(w, _)| *w == waba) {
                    let url = callback_url(&state.subscriptions, waba, default_url.as_deref());
                    urls.push((waba, url.map(Arc::from)));
                }
            }
        }
        let url_of = |waba: &WabaId| urls.iter().find(|(w, _)| *w == waba)?.1.clone();
        let targeted: Vec<(Arc<str>, &Event)> = events
            .iter()
            .filter_map(|e| {
                let url = url_of(event_waba(&e.kind))?;
                Some((url, &**e))
            })
            .collect();
        // Nowhere to send them (no callback set): nothing to sign, hold back or duplicate.
        if targeted.is_empty() {
            return;
        }
        let mut hooks = lock(&hooks_handle);
        let settings = hooks.settings.clone();
        let secret = settings
            .app_secret
            .as_deref()
            .or(self.app.app_secret.as_deref())
            .unwrap_or(DEFAULT_APP_SECRET);
        let version = settings.webhook_version.unwrap_or(self.config.version);
        let chaos = settings.chaos.unwrap_or(self.config.chaos);
        let clock = sandbox.clock();
        let now = clock.now();
        let hold_for = Duration::from_secs(chaos.reorder_delay_seconds);
        let shape = Shape {
            secret,
            version,
            now,
        };
        let mut queued = 0;
        for (url, group) in batches(targeted, chaos.batch) {
            let id = hooks.next_id();
            let mut delivery = self.build(sandbox, &hooks_handle, id, url, &group, &shape);
            let held = overtakable(&group) && chaos.hold(&mut hooks.chaos);
            if held {
                delivery.first_due = now.plus(hold_for);
            }
            let twin = chaos.duplicate(&mut hooks.chaos).then(|| Delivery {
                id: hooks.next_id(),
                duplicate_of: Some(delivery.id),
                ..delivery.clone()
            });
            for d in std::iter::once(delivery).chain(twin) {
                queued += d.queued_bytes();
                if held {
                    self.courier.queue.requeue_in(hold_for, d);
                } else {
                    lanes.push(d);
                }
            }
        }
        // Charged with the hooks' lock released: making room may trim delivery logs.
        drop(hooks);
        (self.courier.charge)(sandbox, queued, 0);
    }

    /// Signs and packs one webhook carrying `group` (one event, or statuses of one number).
    fn build(
        &self,
        sandbox: &Sandbox,
        hooks: &Arc<Mutex<Hooks>>,
        id: u64,
        url: Arc<str>,
        group: &[&Event],
        shape: &Shape<'_>,
    ) -> Delivery {
        let Shape {
            secret,
            version,
            now,
        } = *shape;
        let catalogue = self.store.catalogue();
        let (body, message_ids): (_, Vec<String>) = match group {
            [single] if !matches!(single.kind, EventKind::MessageStatus(_)) => {
                let ids = match &single.kind {
                    EventKind::Inbound(m) => vec![m.id.to_string()],
                    EventKind::LinkClick(c) => vec![c.message_id.to_string()],
                    _ => Vec::new(),
                };
                (payload::webhook(single, version, catalogue), ids)
            }
            _ => {
                let changes: Vec<(Timestamp, &StatusChange)> = group
                    .iter()
                    .filter_map(|e| match &e.kind {
                        EventKind::MessageStatus(c) => Some((e.at, c)),
                        _ => None,
                    })
                    .collect();
                let ids = changes.iter().map(|(_, c)| c.wamid.to_string()).collect();
                (payload::statuses(&changes, version, catalogue), ids)
            }
        };
        let bytes = ascii_json(&body);
        let signature = sign(secret.as_bytes(), &bytes);
        Delivery {
            id,
            hooks: hooks.clone(),
            clock: sandbox.clock().clone(),
            sandbox: sandbox.me(),
            url,
            field: payload::field(&group[0].kind),
            message_ids: message_ids.into(),
            body: Bytes::from(bytes),
            signature: signature.into(),
            first_due: now,
            attempts: 0,
            duplicate_of: None,
        }
    }
}

/// How a sandbox's webhooks are written and signed, and when they fall due.
struct Shape<'a> {
    secret: &'a str,
    version: GraphVersion,
    now: Timestamp,
}

/// The WABA whose subscription an event's webhook follows.
fn event_waba(kind: &EventKind) -> &WabaId {
    match kind {
        EventKind::MessageStatus(c) => &c.waba_id,
        EventKind::TemplateStatus(c) => &c.waba_id,
        EventKind::AccountUpdate(u) => &u.waba_id,
        EventKind::Inbound(m) => &m.waba_id,
        EventKind::UserPreference(c) => &c.number.waba_id,
        EventKind::UserIdUpdate(c) => &c.number.waba_id,
        EventKind::TemplateQuality(c) => &c.waba_id,
        EventKind::TemplateCategory(c) => &c.waba_id,
        EventKind::LinkClick(c) => &c.number.waba_id,
        EventKind::PhoneQuality(c) => &c.number.waba_id,
        EventKind::BusinessCapability(c) => &c.waba_id,
    }
}

/// Groups events into POSTs: each alone, except that with `batch > 1` statuses bound for the
/// same URL from the same number share POSTs of up to `batch`, in order of first appearance.
fn batches(targeted: Vec<(Arc<str>, &Event)>, batch: usize) -> Vec<(Arc<str>, Vec<&Event>)> {
    let mut out: Vec<(Arc<str>, Vec<&Event>)> = Vec::with_capacity(targeted.len());
    let mut open: HashMap<(Arc<str>, &str), usize> = HashMap::new();
    for (url, event) in targeted {
        let EventKind::MessageStatus(change) = &event.kind else {
            out.push((url, vec![event]));
            continue;
        };
        if batch <= 1 {
            out.push((url, vec![event]));
            continue;
        }
        let key = (url.clone(), change.phone_number_id.as_str());
        match open.get(&key) {
            Some(&i) if out[i].1.len() < batch => out[i].1.push(event),
            _ => {
                open.insert(key, out.len());
                out.push((url, vec![event]));
            }
        }
    }
    out
}

/// Whether a later status could overtake this POST: it carries only `sent`/`delivered`.
fn overtakable(group: &[&Event]) -> bool {
    group
        .iter()
        .all(|e| matches!(&e.kind, EventKind::MessageStatus(c) if status::overtakable(c.status)))
}

impl Webhooks {
    /// Waits until every delivery of `sandbox` due now has been attempted (retries that fail
    /// are scheduled on the clock, not waited for); other sandboxes' deliveries are not waited
    /// for.
    async fn flush(&self, sandbox: &Sandbox) {
        let (done, wait) = oneshot::channel();
        let lane = Lane::of(&self.shared.hooks(sandbox));
        if self.shared.flushes.send((lane, done)).is_ok() {
            let _ = wait.await;
        }
    }

    /// Moves `sandbox`'s clock forward by `d`, stopping at each due job's time to let the
    /// dispatcher attempt everything of this sandbox that fell due, in time order. Returns the
    /// new time.
    pub(crate) async fn advance(&self, sandbox: &Sandbox, d: Duration) -> Timestamp {
        let clock = sandbox.clock();
        let target = clock.now().plus(d);
        self.flush(sandbox).await;
        while let Some(due) = clock.next_due().filter(|t| *t <= target) {
            clock.advance_to(due);
            self.flush(sandbox).await;
        }
        clock.advance_to(target);
        target
    }

    /// Replaces a sandbox's own settings.
    pub(crate) fn configure(&self, sandbox: &Sandbox, settings: WebhookSettings) {
        lock(&self.shared.hooks(sandbox)).settings = settings;
    }

    /// Webhook state for a sandbox being made, with its own `settings`: what
    /// [`Store::create_sandbox`] asks for.
    pub(crate) fn new_sandbox(
        &self,
        sandbox: &Sandbox,
        settings: WebhookSettings,
    ) -> Arc<dyn SandboxHooks> {
        self.shared.new_hooks(sandbox, settings)
    }

    /// The settings in force for a sandbox and where each WABA's webhooks go.
    pub(crate) fn view(&self, sandbox: &Sandbox) -> WebhookView {
        let shared = &self.shared;
        let settings = lock(&shared.hooks(sandbox)).settings.clone();
        let webhook_url = settings
            .webhook_url
            .clone()
            .or_else(|| shared.app.url.clone());
        let state = sandbox.read();
        let wabas = state
            .wabas
            .iter()
            .map(|w| WabaTarget {
                waba_id: w.id.to_string(),
                callback_url: callback_url(&state.subscriptions, &w.id, webhook_url.as_deref())
                    .map(str::to_owned),
            })
            .collect();
        drop(state);
        WebhookView {
            webhook_url,
            app_secret_configured: settings.app_secret.is_some() || shared.app.app_secret.is_some(),
            webhook_version: settings.webhook_version.unwrap_or(shared.config.version),
            chaos: settings.chaos.unwrap_or(shared.config.chaos),
            retry: shared.courier.retry,
            timeout_ms: shared.config.timeout_ms,
            wabas,
        }
    }

    /// A sandbox's logged attempts about `message_id` under `field` (each if given), oldest
    /// first.
    pub(crate) fn deliveries(
        &self,
        sandbox: &Sandbox,
        message_id: Option<&str>,
        field: Option<&str>,
    ) -> Vec<Attempt> {
        let hooks = self.shared.hooks(sandbox);
        let hooks = lock(&hooks);
        hooks.log.matching(message_id, field).cloned().collect()
    }

    /// Why the mock will not call `url`, given through the Graph or admin API: not a plain
    /// http(s) URL, or a host outside `--callback-allow`.
    pub(crate) fn check_callback(&self, url: &str) -> Result<(), &'static str> {
        self.shared.callbacks.check(url)
    }

    /// The first of a sandbox's own settings the mock cannot use, named by its field.
    pub(crate) fn check_settings(&self, settings: &WebhookSettings) -> Result<(), String> {
        settings.check(&self.shared.callbacks)
    }

    /// Meta's verification handshake with `url`, using a challenge from the sandbox's
    /// generator. What failed goes to the sandbox's delivery log (field `verification`), read
    /// only with its token; the caller answers one reason for every failure, so the handshake
    /// cannot probe which ports answer what.
    pub(crate) async fn verify_callback(
        &self,
        sandbox: &Sandbox,
        url: &str,
        verify_token: &str,
    ) -> Result<(), Failure> {
        let hooks = self.shared.hooks(sandbox);
        let (challenge, id) = {
            let mut hooks = lock(&hooks);
            (hooks.challenges.next_u64().to_string(), hooks.next_id())
        };
        let timeout_ms = self.shared.config.timeout_ms;
        let at = sandbox.clock().now();
        let started = std::time::Instant::now();
        let result = handshake(
            &self.shared.courier.client,
            url,
            verify_token,
            &challenge,
            timeout_ms,
        )
        .await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match &result {
            Ok(()) => tracing::info!(url = %Escaped(url), "callback verified"),
            Err(reason) => {
                tracing::warn!(url = %Escaped(url), %reason, "callback verification failed");
            }
        }
        let status = match result {
            Ok(()) | Err(Failure::ChallengeMismatch) => Some(200),
            Err(Failure::Status(status)) => Some(status),
            Err(_) => None,
        };
        let record = Attempt {
            delivery_id: id,
            attempt: 1,
            at,
            url: url.into(),
            field: "verification",
            message_ids: Arc::new([]),
            status,
            latency_ms,
            error: result.err().map(|e| e.to_string()),
            outcome: if result.is_ok() {
                Outcome::Delivered
            } else {
                Outcome::Failed
            },
            next_attempt_at: None,
            duplicate_of: None,
            signature: "".into(),
            body: Bytes::new(),
        };
        let (added, removed) = lock(&hooks).log.push(record);
        (self.shared.courier.charge)(sandbox, added, removed);
        result
    }

    /// Checks the app's own endpoint in the background when a verify token is configured; a
    /// failure is only logged, since the operator chose the URL.
    fn verify_app_endpoint(&self) {
        let (Some(url), Some(token)) = (
            self.shared.app.url.clone(),
            self.shared.app.verify_token.clone(),
        ) else {
            return;
        };
        let webhooks = self.clone();
        tokio::spawn(async move {
            let sandbox = webhooks.shared.store.default_sandbox().clone();
            let _ = webhooks.verify_callback(&sandbox, &url, &token).await;
        });
    }
}

/// `Err` saying what was expected unless `value` lies in `range`.
fn within(value: u64, range: RangeInclusive<u64>) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "expected {} to {}, found {value}",
            range.start(),
            range.end()
        ))
    }
}
