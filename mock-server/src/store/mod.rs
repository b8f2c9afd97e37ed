//! The store: the one registry of sandboxes, and one operation per use case.
//!
//! [`Store`] is a cheap `Clone` handle. Each [`Sandbox`] is a world of its own: its clock and
//! scheduler, its id streams, its webhook state, and its objects behind a std `Mutex` taken
//! briefly and never across an `.await`. An operation checks the rules, then changes state,
//! history and the event outbox together; a refused operation changes nothing. Delayed work
//! (template review, message status steps) is scheduled on the sandbox's [`Clock`] as jobs that
//! hold only weak references, so a reset or a deleted sandbox simply makes them no-ops; a
//! message's timeline is one job at a time, each scheduling the next. A sandbox with new events
//! queues itself for the webhook dispatcher, which never scans idle ones.
//!
//! This module is the core every operation shares: the [`Store`] handle, its registry of
//! sandboxes and the tokens that select them, [`Sandbox`] and its [`SandboxState`], and the
//! one door through which a sandbox's state changes: a [`Session`], the sandbox locked for one
//! operation. Every change is a `Session` method, in a module of its own per use case (as
//! `graph/` has one handler per Graph operation); outside the store a sandbox's state is only
//! read ([`Sandbox::read`]). The registry's own operations are `Store` methods:
//!
//! - [`sandboxes`]: creating, deleting and resetting sandboxes (each one call, webhook state
//!   included); the memory budget (counting, trimming histories, evicting).
//! - [`world`]: a sandbox's starting state, built from the [`WorldSpec`].
//! - [`sends`]: `/marketing_messages` and `/messages`, and each message's status timeline.
//! - [`templates`]: creating, reviewing, editing and deleting templates; their status, quality
//!   and category (admin).
//! - [`accounts`]: WABA settings, onboarding, `subscribed_apps` and the marketing limit.
//! - [`inbound`]: recipient profiles and what users send and click.
//! - [`media`]: uploaded and received files, their expiry and their download URLs.
//! - [`uploads`]: the Resumable Upload API's sessions and the handles they issue.
//! - [`requests`]: the request journal and armed faults.
//!
//! A Graph request takes its sandbox's lock once: a [`Session`] holds it while the pipeline
//! routes, checks faults, runs the operation and journals the answer. An admin call holds one
//! for its change, a clock job (a template's review, a message's next status) one of its own.
//! Dropping a session publishes the events it queued.
//!
//! The rules themselves live in [`crate::domain`]; the store applies them under the sandbox's
//! lock. It knows nothing of HTTP: the pipeline hands it parsed requests, and journal entries
//! from [`crate::journal`].

mod accounts;
mod inbound;
mod media;
mod requests;
mod sandboxes;
mod sends;
mod snapshot;
mod templates;
mod uploads;
mod world;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};
use std::time::Duration;

use tokio::sync::Notify;
use wa_contract::Catalogue;
use wa_contract::model::MarketingLimit;

use crate::budget::Budget;
use crate::clock::{Clock, ClockMode, Runner, Timestamp};
use crate::domain::events::{Event, Outbox};
use crate::domain::inbound::Received;
use crate::domain::media::MediaLibrary;
use crate::domain::message::Message;
use crate::domain::recipient::Recipients;
use crate::domain::template::{RejectionRule, Template};
use crate::domain::upload::Uploads;
use crate::domain::waba::{Business, PhoneNumber, Waba};
use crate::faults::Faults;
use crate::ids::{
    IdGen, IdStreams, PhoneNumberId, Stream, TemplateId, Token, TokenMint, WabaId, Wamid,
};
use crate::journal::JournalEntry;
use crate::world::{Retention, WorldSpec};
use sends::Held;
/// What a Graph object id names: the contract's kinds, which the operations table routes on.
pub(crate) use wa_contract::operations::ObjectKind;

pub(crate) use accounts::{AccountChange, Subscription, WabaUpdate};
pub(crate) use inbound::{Content, MediaContent, MediaSource, UserMessage, UserRef};
pub(crate) use media::media_gone;
pub(crate) use sandboxes::DeleteError;
pub(crate) use sends::Accepted;
pub(crate) use snapshot::{Included, Snapshot};
pub(crate) use templates::TemplateChangeError;
pub(crate) use uploads::Uploaded;

/// The whole server state; a cheap `Clone` handle.
#[derive(Clone)]
pub(crate) struct Store {
    inner: Arc<Inner>,
}

/// How the store is set up: clocks, seed and auth.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StoreSettings {
    /// How every sandbox's clock moves.
    pub(crate) clock_mode: ClockMode,
    /// Where manual clocks start unless a sandbox says otherwise.
    pub(crate) clock_start: Timestamp,
    /// The seed of every id stream; `None` draws one (and every token) from the OS.
    pub(crate) seed: Option<u64>,
    /// Refuse unknown tokens instead of giving them the default sandbox.
    pub(crate) strict_auth: bool,
    /// Bytes all sandboxes may retain together.
    pub(crate) memory_budget: usize,
}

struct Inner {
    settings: StoreSettings,
    seed: u64,
    mint: TokenMint,
    catalogue: Catalogue,
    world: WorldSpec,
    default: Arc<Sandbox>,
    sandboxes: RwLock<HashMap<Token, Arc<Sandbox>>>,
    /// The number the next sandbox gets (the default one is 0).
    next_sandbox: AtomicU64,
    /// Trace ids of refusals made before any sandbox is known.
    traces: Mutex<IdGen>,
    /// Sandboxes whose outbox has events no drain took yet.
    ready: Mutex<Vec<Arc<Sandbox>>>,
    events_ready: Notify,
    budget: Budget,
    /// Held while the budget is enforced, so that one request does it and others go on.
    enforcing: Mutex<()>,
    /// Ticks on every token lookup: a sandbox's last tick says how recently it was used.
    ticks: AtomicU64,
    /// Counts changes to any sandbox, or to which sandboxes there are: what the state file's
    /// saver watches.
    revision: AtomicU64,
}

/// One isolated world, selected by its token.
pub(crate) struct Sandbox {
    token: Token,
    /// Its creation number: with the seed, it keys the sandbox's id streams.
    number: u64,
    seed: u64,
    fixed_ids: bool,
    clock: Clock,
    /// Runs the clock's jobs in realtime mode; dropped (and stopped) with the sandbox.
    _runner: Option<Runner>,
    /// The webhook dispatcher's state for this sandbox (settings, chaos, delivery log), made
    /// on first use by the dispatcher; the store keeps it without knowing its type.
    pub(crate) hooks: OnceLock<Arc<dyn SandboxHooks>>,
    me: Weak<Sandbox>,
    state: Mutex<SandboxState>,
    /// What its state was last counted as in the budget.
    accounted: AtomicUsize,
    /// What its delivery log is counted as.
    hooks_bytes: AtomicUsize,
    /// What the jobs waiting on its clock are counted as.
    jobs_bytes: AtomicUsize,
    /// The store's tick when its token was last used.
    last_used: AtomicU64,
    /// Deleted or evicted: counts nothing any more.
    gone: AtomicBool,
    /// Counts changes to its state, for those watching it live (the inbox).
    changes: tokio::sync::watch::Sender<u64>,
}

/// The mutable part of a sandbox.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct SandboxState {
    #[serde(skip)]
    generation: u64,
    pub(crate) ids: IdStreams,
    review_delay: Duration,
    rejection_rules: Vec<RejectionRule>,
    retention: Retention,
    pub(crate) businesses: Vec<Business>,
    pub(crate) wabas: Vec<Waba>,
    pub(crate) phones: Vec<PhoneNumber>,
    pub(crate) templates: Vec<Template>,
    /// What each object id names: the Graph edge's lookup, by hash.
    #[serde(skip)]
    objects: HashMap<Arc<str>, ObjectKind>,
    /// Hashed with foldhash rather than SipHash: every send inserts, steps and trims here, and
    /// the keys are ids the mock made, not text a client chose. Boxed, so that the table's
    /// empty slots (up to half of it after it grows) hold a pointer each, not a message.
    #[serde(skip)]
    messages: HashMap<Wamid, Box<Message>, foldhash::fast::RandomState>,
    #[serde(skip)]
    message_order: VecDeque<Wamid>,
    pub(crate) recipients: Recipients,
    /// Meta's per-user marketing limit as this sandbox counts it.
    pub(crate) marketing_limit: MarketingLimit,
    /// Template pacing's threshold (`None`: pacing is off).
    pub(crate) pacing_threshold: Option<u32>,
    /// Messages pacing holds, oldest first, each with the timeline it follows once released.
    held: Vec<Held>,
    /// Messages users sent, newest last (as many as messages are retained).
    received: VecDeque<Received>,
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    pub(crate) subscriptions: HashMap<WabaId, Vec<Subscription>>,
    #[serde(skip)]
    journal: VecDeque<JournalEntry>,
    #[serde(skip)]
    journal_seq: u64,
    /// What `journal` holds, by [`Retained`](crate::budget::Retained).
    #[serde(skip)]
    journal_bytes: usize,
    /// What `messages` hold.
    #[serde(skip)]
    message_bytes: usize,
    /// Uploaded and received files, oldest first; absent from snapshots made before files
    /// were kept.
    #[serde(default)]
    media: MediaLibrary,
    /// The app the Resumable Upload API's sessions belong to.
    pub(crate) app_id: String,
    /// Resumable upload sessions and the handles they issued.
    uploads: Uploads,
    #[serde(skip, default = "snapshot::empty_outbox")]
    pub(crate) outbox: Outbox,
    /// Armed faults and the throughput limit; absent from snapshots made before they were kept.
    #[serde(default)]
    pub(crate) faults: Faults,
}

/// What the store needs of the per-sandbox state another layer keeps in [`Sandbox::hooks`]:
/// ways to give back memory when the budget is exceeded or the sandbox is reset or dropped,
/// and the state itself.
pub(crate) trait SandboxHooks: Send + Sync {
    /// Drops the oldest retained entry; the bytes it held, or `None` when nothing is left.
    fn trim_oldest(&self) -> Option<usize>;
    /// Forgets every retained entry (settings stay); the bytes they held.
    fn reset(&self) -> usize;
    /// The state, for its owner to downcast.
    fn as_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync>;
    /// The sandbox's own webhook settings, as a snapshot carries them.
    fn settings(&self) -> serde_json::Value;
    /// Whether `settings` (from a snapshot) are ones the sandbox can take; the first problem,
    /// named by its field.
    fn check_settings(&self, settings: &serde_json::Value) -> Result<(), String>;
    /// Takes `settings`, already checked.
    fn set_settings(&self, settings: serde_json::Value);
}

/// Why a token did not select a sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AuthError {
    /// No token at all (104).
    Missing,
    /// An unknown token while auth is strict, or the token of a deleted or evicted sandbox
    /// (190).
    Invalid,
}

impl Store {
    /// A store serving `world`: the default sandbox (number 0, the world's fixed ids) and room
    /// for more.
    pub(crate) fn new(world: WorldSpec, settings: StoreSettings) -> Result<Self, String> {
        let catalogue = Catalogue::builtin()
            .clone()
            .with_overrides(world.error_overrides.clone())
            .map_err(|e| e.to_string())?;
        let seed = settings.seed.unwrap_or_else(TokenMint::os_seed);
        let mint = TokenMint::new(settings.seed);
        let token = world
            .token
            .clone()
            .map_or_else(|| mint.token(0), Token::new);
        let clock = Clock::new(settings.clock_mode, settings.clock_start);
        let default = Sandbox::build(&world, clock, token.clone(), seed, 0, true)?;
        let sandboxes = RwLock::new(HashMap::from([(token, default.clone())]));
        let store = Self {
            inner: Arc::new(Inner {
                settings,
                seed,
                mint,
                catalogue,
                world,
                default,
                sandboxes,
                next_sandbox: AtomicU64::new(1),
                traces: Mutex::new(Stream::Traces.generator(seed, u64::MAX)),
                ready: Mutex::new(Vec::new()),
                events_ready: Notify::new(),
                budget: Budget::new(settings.memory_budget),
                enforcing: Mutex::new(()),
                ticks: AtomicU64::new(0),
                revision: AtomicU64::new(0),
            }),
        };
        let default = &store.inner.default;
        store.inner.settle(default, &default.lock());
        Ok(store)
    }

    /// The error catalogue in force.
    pub(crate) fn catalogue(&self) -> &Catalogue {
        &self.inner.catalogue
    }

    /// The default sandbox.
    pub(crate) fn default_sandbox(&self) -> &Arc<Sandbox> {
        &self.inner.default
    }

    /// Every sandbox, the default one first, then in the order they were made.
    pub(crate) fn sandboxes(&self) -> Vec<Arc<Sandbox>> {
        let mut all: Vec<Arc<Sandbox>> = self
            .inner
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by_key(|s| s.number);
        all
    }

    /// Whether unknown or missing tokens are refused rather than given the default sandbox.
    pub(crate) fn strict_auth(&self) -> bool {
        self.inner.settings.strict_auth
    }

    /// A trace id for a refusal made before a sandbox is known (its own stream).
    pub(crate) fn fbtrace_id(&self) -> String {
        lock(&self.inner.traces).fbtrace_id()
    }

    /// The sandbox a token selects: unknown tokens get the default sandbox unless auth is
    /// strict, or the token has a sandbox token's shape (one this server issued for a sandbox
    /// that is gone, or one another process or an earlier run issued).
    pub(crate) fn resolve(&self, token: Option<&str>) -> Result<Arc<Sandbox>, AuthError> {
        let token = token.filter(|t| !t.is_empty()).ok_or(AuthError::Missing)?;
        let sandboxes = self
            .inner
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner());
        match sandboxes.get(token) {
            Some(s) => {
                let tick = self.inner.ticks.fetch_add(1, Ordering::Relaxed);
                s.last_used.store(tick, Ordering::Relaxed);
                Ok(s.clone())
            }
            None if self.inner.settings.strict_auth || TokenMint::shaped(token) => {
                Err(AuthError::Invalid)
            }
            None => Ok(self.inner.default.clone()),
        }
    }

    /// A number that changes whenever any sandbox's state does, or a sandbox comes or goes.
    pub(crate) fn revision(&self) -> u64 {
        self.inner.revision.load(Ordering::Relaxed)
    }

    /// Waits until some sandbox has undelivered events.
    pub(crate) async fn events_ready(&self) {
        self.inner.events_ready.notified().await;
    }

    /// Takes the undelivered events of every sandbox that queued itself since the last drain.
    pub(crate) fn drain_outbox(&self) -> Vec<(Arc<Sandbox>, Vec<Arc<Event>>)> {
        let ready = std::mem::take(&mut *lock(&self.inner.ready));
        ready
            .into_iter()
            .filter_map(|s| {
                let events = s.lock().outbox.drain();
                (!events.is_empty()).then_some((s, events))
            })
            .collect()
    }
}

/// A sandbox locked for one operation: the one door through which its state changes. A Graph
/// request holds one for all that goes with its operation — the lookup of its object, the fault
/// check, the operation, its journal entry — so that it takes the sandbox's lock once; admin
/// calls and clock jobs hold one for theirs. It reads as the [`SandboxState`] it guards, and
/// changes it only through its own methods (one per use case, in this module's children).
/// Dropping it publishes the events the operation queued.
pub(crate) struct Session<'a> {
    store: &'a Store,
    sandbox: &'a Arc<Sandbox>,
    /// Taken only by `drop`.
    state: Option<MutexGuard<'a, SandboxState>>,
}

impl Store {
    /// Locks `sandbox` for one operation.
    pub(crate) fn session<'a>(&'a self, sandbox: &'a Arc<Sandbox>) -> Session<'a> {
        Session {
            store: self,
            sandbox,
            state: Some(sandbox.lock()),
        }
    }
}

impl Session<'_> {
    /// The state and what scheduling delayed work needs beside it.
    fn parts(&mut self) -> (&Store, &Arc<Sandbox>, &mut SandboxState) {
        let state = self.state.as_deref_mut().expect("held until dropped");
        (self.store, self.sandbox, state)
    }

    /// The state, to change.
    fn state(&mut self) -> &mut SandboxState {
        self.state.as_deref_mut().expect("held until dropped")
    }

    /// Wraps `work` as a clock job on this sandbox that lapses if the sandbox is reset or
    /// dropped. `work` gets a session of its own, to change the state and schedule whatever
    /// follows it.
    fn job(
        &self,
        work: impl FnOnce(&mut Session<'_>, Timestamp) + Send + 'static,
    ) -> crate::clock::Job {
        let weak_sandbox: Weak<Sandbox> = Arc::downgrade(self.sandbox);
        let weak_store: Weak<Inner> = Arc::downgrade(&self.store.inner);
        let generation = self.generation;
        Box::new(move |at| {
            // A dropped store has no one left to tell about the work.
            let (Some(sandbox), Some(inner)) = (weak_sandbox.upgrade(), weak_store.upgrade())
            else {
                return;
            };
            let store = Store { inner };
            let mut session = store.session(&sandbox);
            if session.generation != generation {
                return;
            }
            work(&mut session, at);
        })
    }

    /// A trace id from the sandbox's stream, for an answer.
    pub(crate) fn trace_id(&mut self) -> String {
        self.state().ids.traces.fbtrace_id()
    }
}

impl std::ops::Deref for Session<'_> {
    type Target = SandboxState;
    fn deref(&self) -> &SandboxState {
        self.state.as_deref().expect("held until dropped")
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            publish(&self.store.inner, self.sandbox, state);
        }
    }
}

/// A sandbox's state locked for reading: it changes only through a [`Session`].
pub(crate) struct Reading<'a>(MutexGuard<'a, SandboxState>);

impl std::ops::Deref for Reading<'_> {
    type Target = SandboxState;
    fn deref(&self) -> &SandboxState {
        &self.0
    }
}

fn publish(inner: &Inner, sandbox: &Sandbox, mut state: MutexGuard<'_, SandboxState>) {
    let wake = state.outbox.announce();
    let over = inner.settle(sandbox, &state);
    drop(state);
    if wake && let Some(me) = sandbox.me.upgrade() {
        lock(&inner.ready).push(me);
        inner.events_ready.notify_one();
    }
    if over {
        inner.enforce_budget(sandbox);
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sandbox {
    /// The token that selects this sandbox.
    pub(crate) fn token(&self) -> &Token {
        &self.token
    }

    /// A weak handle on itself, for work that must not keep it alive.
    pub(crate) fn me(&self) -> Weak<Sandbox> {
        self.me.clone()
    }

    /// The sandbox's clock.
    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A generator of its own for `kind` (webhook chaos, challenges), apart from the streams
    /// its Graph ids come from.
    pub(crate) fn stream(&self, kind: Stream) -> IdGen {
        kind.generator(self.seed, self.number)
    }

    /// Locks the state (briefly; never across an `.await`). Changes go through a [`Session`].
    fn lock(&self) -> MutexGuard<'_, SandboxState> {
        lock(&self.state)
    }

    /// The state, locked for reading (briefly; never across an `.await`).
    pub(crate) fn read(&self) -> Reading<'_> {
        Reading(self.lock())
    }

    /// Whether this is the default sandbox.
    pub(crate) fn is_default(&self) -> bool {
        self.number == 0
    }

    /// A receiver that sees a new number each time the sandbox's state changes; watchers that
    /// fall behind see only the latest.
    pub(crate) fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// Tells watchers the state changed.
    fn changed(&self) {
        // With no one watching (no inbox open) the change is counted without waking anyone:
        // waking the channel's waiters cost every send a hundredth of its time.
        let watched = self.changes.receiver_count() > 0;
        self.changes.send_if_modified(|n| {
            *n = n.wrapping_add(1);
            watched
        });
    }
}

impl SandboxState {
    /// What a Graph object id names in this sandbox.
    pub(crate) fn object_kind(&self, id: &str) -> Option<ObjectKind> {
        self.objects.get(id).copied()
    }

    /// The phone number `id`.
    pub(crate) fn phone(&self, id: &PhoneNumberId) -> Option<&PhoneNumber> {
        self.phones.iter().find(|p| &p.id == id)
    }

    /// The WABA `id`.
    pub(crate) fn waba(&self, id: &WabaId) -> Option<&Waba> {
        self.wabas.iter().find(|w| &w.id == id)
    }

    /// The template `id`.
    pub(crate) fn template(&self, id: &TemplateId) -> Option<&Template> {
        self.templates.iter().find(|t| &t.id == id)
    }

    /// The template `message` was sent with, found as a send names it: WABA, name, language.
    pub(crate) fn template_of(&self, message: &Message) -> Option<&Template> {
        let sent = message.template.as_ref()?;
        self.templates.iter().find(|t| {
            t.waba_id == message.waba_id && t.name == sent.name && t.language == sent.language
        })
    }

    fn template_mut(&mut self, id: &TemplateId) -> Option<&mut Template> {
        self.templates.iter_mut().find(|t| &t.id == id)
    }

    /// Messages, oldest first.
    pub(crate) fn messages(&self) -> impl Iterator<Item = &Message> {
        self.message_order
            .iter()
            .filter_map(|id| self.messages.get(id).map(|m| &**m))
    }

    /// How many messages it holds.
    pub(crate) fn message_count(&self) -> usize {
        self.message_order.len()
    }

    /// The journal, oldest first.
    pub(crate) fn journal(&self) -> impl Iterator<Item = &JournalEntry> {
        self.journal.iter()
    }
}
