//! The store: the one registry of sandboxes, and one operation per use case.
//!
//! [`Store`] is a cheap `Clone` handle. Each [`Sandbox`] is a world of its own: its clock and
//! scheduler, its id streams, its webhook state, and its objects behind a std `Mutex` taken
//! briefly and never across an `.await`. An operation checks the rules, then changes state,
//! history and the event outbox together; a refused operation changes nothing. Delayed work
//! (template review, message status steps) is scheduled on the sandbox's [`Clock`] as jobs that
//! hold only weak references, so a reset or a deleted sandbox simply makes them no-ops. A
//! sandbox with new events queues itself for the webhook dispatcher, which never scans idle ones.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Notify;
use wa_contract::payload::send::{SendMessageRequest, TemplateMessage};
use wa_contract::payload::template::{
    DegreesOfFreedomSpec, TemplateCategory, TemplateCreateRequest, TemplateEditRequest,
    TemplateStatus,
};
use wa_contract::{Catalogue, ErrorKind};

use crate::budget::{Budget, JOURNAL_BODY_CAP, Retained, SANDBOX_BYTES};
use crate::clock::{Clock, ClockMode, Runner, Timestamp};
use crate::domain::Refusal;
use crate::domain::events::{
    AccountUpdate, Conversation, Event, EventKind, InboundMessage, Outbox, Pricing, StatusChange,
    TemplateStatusChange,
};
use crate::domain::message::{Message, MessageStatus, TemplateRef};
use crate::domain::recipient::{Profile, Recipients, Step, digits, stops_promotions};
use crate::domain::routing::{Route, route_marketing_message};
use crate::domain::template::{
    self, RejectionRule, StatusChanged, Template, check_components, check_create, check_ttl,
    effective_features, pricing_category, status_str,
};
use crate::domain::waba::{
    Business, BusinessOnboardingStatus, IntentOutcome, OnboardingStatus, PhoneNumber, Waba,
};
use crate::faults::{FaultSpec, Faults};
use crate::ids::{
    BusinessId, IdGen, IdStreams, PhoneNumberId, Stream, TemplateId, Token, TokenMint, WabaId,
    Wamid,
};
use crate::journal::JournalEntry;
use crate::webhooks::subscription::Hooks;
use crate::world::{Retention, WorldSpec};

/// How old default-world templates are at startup (synced, not yet dormant).
const PRESEEDED_TEMPLATE_AGE: Duration = Duration::from_secs(3600);

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
    /// Webhook settings, chaos and delivery log, made on first use by the dispatcher.
    pub(crate) hooks: OnceLock<Arc<Mutex<Hooks>>>,
    me: Weak<Sandbox>,
    state: Mutex<SandboxState>,
    /// What its state was last counted as in the budget.
    accounted: AtomicUsize,
    /// What its delivery log is counted as.
    hooks_bytes: AtomicUsize,
    /// The store's tick when its token was last used.
    last_used: AtomicU64,
    /// Deleted or evicted: counts nothing any more.
    gone: AtomicBool,
}

/// A subscription made through `subscribed_apps`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Subscription {
    /// `override_callback_uri`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) override_callback_uri: Option<String>,
    /// `verify_token`, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verify_token: Option<String>,
}

/// The mutable part of a sandbox.
pub(crate) struct SandboxState {
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
    objects: HashMap<Arc<str>, ObjectKind>,
    messages: HashMap<Wamid, Message>,
    message_order: VecDeque<Wamid>,
    pub(crate) recipients: Recipients,
    pub(crate) subscriptions: HashMap<WabaId, Vec<Subscription>>,
    journal: VecDeque<JournalEntry>,
    journal_seq: u64,
    /// What `journal` holds, by [`Retained`].
    journal_bytes: usize,
    /// What `messages` hold.
    message_bytes: usize,
    pub(crate) outbox: Outbox,
    pub(crate) faults: Faults,
}

/// A Graph object id resolved in a sandbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    /// A business portfolio.
    Business,
    /// A WABA.
    Waba,
    /// A phone number.
    PhoneNumber,
    /// A template.
    Template,
}

/// An accepted send: what the response reports.
#[derive(Clone, Debug)]
pub(crate) struct Accepted {
    /// The new message id.
    pub(crate) wamid: Wamid,
    /// The recipient as sent.
    pub(crate) input: String,
    /// The recipient's WhatsApp id, for phone-number recipients.
    pub(crate) wa_id: Option<String>,
    /// The business-scoped user id, for BSUID recipients.
    pub(crate) user_id: Option<String>,
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

/// Why a sandbox could not be deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeleteError {
    /// The default sandbox stays.
    Default,
    /// No sandbox has the token.
    Unknown,
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

    /// Whether unknown or missing tokens are refused rather than given the default sandbox.
    pub(crate) fn strict_auth(&self) -> bool {
        self.inner.settings.strict_auth
    }

    /// A trace id for a refusal made before a sandbox is known (its own stream).
    pub(crate) fn fbtrace_id(&self) -> String {
        lock(&self.inner.traces).fbtrace_id()
    }

    /// The sandbox a token selects: unknown tokens get the default sandbox unless auth is
    /// strict, or the token is one this server issued for a sandbox that is gone.
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
            None if self.inner.settings.strict_auth || self.inner.mint.issued(token) => {
                Err(AuthError::Invalid)
            }
            None => Ok(self.inner.default.clone()),
        }
    }

    /// Makes a sandbox of the configured world's shape with fresh ids, a new token and its own
    /// clock (a manual one starting at `clock_start`, else where the server's start).
    pub(crate) fn create_sandbox(
        &self,
        clock_start: Option<Timestamp>,
    ) -> Result<Arc<Sandbox>, String> {
        let inner = &self.inner;
        let number = inner.next_sandbox.fetch_add(1, Ordering::Relaxed);
        let token = inner.mint.token(number);
        let start = clock_start.unwrap_or(inner.settings.clock_start);
        let clock = Clock::new(inner.settings.clock_mode, start);
        let sandbox = Sandbox::build(
            &inner.world,
            clock,
            token.clone(),
            inner.seed,
            number,
            false,
        )?;
        sandbox.last_used.store(
            inner.ticks.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        inner
            .sandboxes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token, sandbox.clone());
        if inner.settle(&sandbox, &sandbox.lock()) {
            inner.enforce_budget(&sandbox);
        }
        Ok(sandbox)
    }

    /// Forgets the sandbox `token` selects, with everything it holds; its pending jobs lapse and
    /// its token answers 190 from now on.
    pub(crate) fn delete_sandbox(&self, token: &str) -> Result<(), DeleteError> {
        if token == self.inner.default.token.as_str() {
            return Err(DeleteError::Default);
        }
        let removed = self
            .inner
            .sandboxes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
        let sandbox = removed.ok_or(DeleteError::Unknown)?;
        self.inner.release(&sandbox);
        Ok(())
    }

    /// The memory budget.
    pub(crate) fn budget(&self) -> &Budget {
        &self.inner.budget
    }

    /// How many sandboxes there are, the default one included.
    pub(crate) fn sandbox_count(&self) -> usize {
        self.inner
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Counts a change in `sandbox`'s delivery log, and makes room if the budget is exceeded.
    pub(crate) fn charge_deliveries(&self, sandbox: &Sandbox, added: usize, removed: usize) {
        if sandbox.gone.load(Ordering::Relaxed) {
            return;
        }
        sandbox.hooks_bytes.fetch_add(added, Ordering::Relaxed);
        let _ = sandbox
            .hooks_bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(removed))
            });
        self.inner.budget.adjust(removed, added);
        if self.inner.budget.over() {
            self.inner.enforce_budget(sandbox);
        }
    }

    /// Puts a sandbox back in its starting state (same token, same ids); its clock stays where
    /// it is and its pending jobs lapse.
    pub(crate) fn reset(&self, sandbox: &Sandbox) -> Result<(), String> {
        let fresh = SandboxState::build(
            &self.inner.world,
            sandbox.clock.now(),
            IdStreams::new(sandbox.seed, sandbox.number),
            sandbox.fixed_ids,
        )?;
        let mut state = sandbox.lock();
        let generation = state.generation + 1;
        *state = fresh;
        state.generation = generation;
        self.inner.settle(sandbox, &state);
        Ok(())
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

    /// Releases `state` and, if it has events no drain announced yet, queues the sandbox for
    /// the dispatcher and wakes it: once per drain is enough, since a drain takes everything.
    fn publish(&self, sandbox: &Sandbox, state: MutexGuard<'_, SandboxState>) {
        publish(&self.inner, sandbox, state);
    }

    /// `POST /{phone_number_id}/marketing_messages`, rules 3–7 (the edge checked 1–2).
    pub(crate) fn send_marketing_message(
        &self,
        sandbox: &Arc<Sandbox>,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
        message: &TemplateMessage,
    ) -> Result<Accepted, Refusal> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let (waba_idx, template_idx) = state.sendable_template(phone_id, message)?;
        let category = state.templates[template_idx].category;
        if category != TemplateCategory::Marketing {
            return Err(Refusal::new(ErrorKind::MarketingOnly));
        }
        let policy = req.product_policy.unwrap_or_default();
        let route = route_marketing_message(&state.wabas[waba_idx], policy)?;
        let waba = &state.wabas[waba_idx];
        let (features, sharing) = match route {
            Route::MarketingMessages => (
                effective_features(&state.templates[template_idx], |k| waba.feature(k)),
                Some(
                    req.message_activity_sharing
                        .unwrap_or(waba.message_activity_sharing),
                ),
            ),
            Route::CloudApi => (Vec::new(), None),
        };
        if route == Route::MarketingMessages {
            state.templates[template_idx].check_mm_send(now)?;
        }
        let template = &state.templates[template_idx];
        let draft = Draft {
            endpoint: "marketing_messages",
            message_type: "template".to_owned(),
            template: Some(TemplateRef {
                name: template.name.clone(),
                language: template.language.clone(),
                category: category.as_str(),
            }),
            route,
            pricing_category: route.marketing_pricing_category(),
            creative_features: features,
            message_activity_sharing: sharing,
            ttl: template.message_ttl(route),
            marketing: true,
        };
        let accepted = state.accept(self, sandbox, phone_id, req, draft, now);
        self.publish(sandbox, state);
        Ok(accepted)
    }

    /// `POST /{phone_number_id}/messages`: any type; templates are checked like Graph does and
    /// MARKETING templates refused while the WABA disabled them on Cloud API.
    pub(crate) fn send_message(
        &self,
        sandbox: &Arc<Sandbox>,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
    ) -> Result<Accepted, Refusal> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let message_type = req.effective_type().as_str().to_owned();
        let draft = match &req.template {
            Some(message) if message_type == "template" => {
                let (waba_idx, template_idx) = state.sendable_template(phone_id, message)?;
                let template = &state.templates[template_idx];
                let marketing = template.category == TemplateCategory::Marketing;
                if marketing && state.wabas[waba_idx].disable_marketing_on_cloud_api {
                    return Err(Refusal::new(ErrorKind::MarketingDisabledOnCloudApi));
                }
                Draft {
                    endpoint: "messages",
                    message_type,
                    template: Some(TemplateRef {
                        name: template.name.clone(),
                        language: template.language.clone(),
                        category: template.category.as_str(),
                    }),
                    route: Route::CloudApi,
                    pricing_category: pricing_category(template.category),
                    creative_features: Vec::new(),
                    message_activity_sharing: None,
                    ttl: template.message_ttl(Route::CloudApi),
                    marketing,
                }
            }
            _ => Draft {
                endpoint: "messages",
                message_type,
                template: None,
                route: Route::CloudApi,
                pricing_category: "service",
                creative_features: Vec::new(),
                message_activity_sharing: None,
                ttl: Duration::from_secs(u64::from(TemplateCategory::Utility.default_ttl())),
                marketing: false,
            },
        };
        let accepted = state.accept(self, sandbox, phone_id, req, draft, now);
        self.publish(sandbox, state);
        Ok(accepted)
    }

    /// `POST /{waba_id}/message_templates`: validates, stores a PENDING template and schedules
    /// its review.
    pub(crate) fn create_template(
        &self,
        sandbox: &Arc<Sandbox>,
        waba_id: &WabaId,
        req: TemplateCreateRequest,
    ) -> Result<(TemplateId, TemplateCategory), Refusal> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let existing: Vec<&Template> = state
            .templates
            .iter()
            .filter(|t| &t.waba_id == waba_id)
            .collect();
        check_create(&req, &existing)?;
        let id = state.ids.templates.template_id();
        let category = req.category;
        let template = Template::create(id.clone(), waba_id.clone(), req, now);
        state
            .objects
            .insert(Arc::from(id.as_str()), ObjectKind::Template);
        state.templates.push(template);
        let change = StatusChanged {
            status: TemplateStatus::Pending,
            reason: "NONE".to_owned(),
        };
        state.record_template_change(&id, &change, now);
        let delay = state.review_delay;
        let job = self.sandbox_job(sandbox, &state, {
            let id = id.clone();
            move |state, at| {
                let rules = state.rejection_rules.clone();
                let change = state.template_mut(&id).and_then(|t| t.review(&rules));
                if let Some(change) = change {
                    state.record_template_change(&id, &change, at);
                }
            }
        });
        self.publish(sandbox, state);
        sandbox.clock.schedule_in(delay, job);
        Ok((id, category))
    }

    /// `POST /{template_id}`: edits components, category, TTL or creative features.
    pub(crate) fn edit_template(
        &self,
        sandbox: &Sandbox,
        id: &TemplateId,
        req: TemplateEditRequest,
    ) -> Result<(), Refusal> {
        let mut state = sandbox.lock();
        let t = state
            .template_mut(id)
            .ok_or_else(|| Refusal::invalid("template not found"))?;
        let category = req.category.unwrap_or(t.category);
        if let Some(components) = &req.components {
            check_components(components)?;
        }
        check_ttl(category, req.message_send_ttl_seconds)?;
        if category != t.category {
            t.ttl_seconds = None;
        }
        t.category = category;
        if let Some(components) = req.components {
            t.components = components;
        }
        if let Some(format) = req.parameter_format {
            t.parameter_format = format;
        }
        if let Some(ttl) = req.message_send_ttl_seconds {
            t.ttl_seconds = Some(ttl);
        }
        if let Some(spec) = &req.degrees_of_freedom_spec {
            crate::domain::waba::merge_features(&mut t.creative_features, spec);
        }
        if let Some(opted_out) = req.cta_url_link_tracking_opted_out {
            t.cta_url_link_tracking_opted_out = Some(opted_out);
        }
        Ok(())
    }

    /// `DELETE /{waba_id}/message_templates?name=…[&hsm_id=…]`: returns how many were deleted.
    pub(crate) fn delete_templates(
        &self,
        sandbox: &Sandbox,
        waba_id: &WabaId,
        name: &str,
        hsm_id: Option<&TemplateId>,
    ) -> usize {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let doomed: Vec<TemplateId> = state
            .templates
            .iter()
            .filter(|t| {
                &t.waba_id == waba_id && t.name == name && hsm_id.is_none_or(|h| h == &t.id)
            })
            .map(|t| t.id.clone())
            .collect();
        for id in &doomed {
            let change = StatusChanged {
                status: TemplateStatus::Deleted,
                reason: "NONE".to_owned(),
            };
            state.record_template_change(id, &change, now);
        }
        state.templates.retain(|t| !doomed.contains(&t.id));
        for id in &doomed {
            state.objects.remove(id.as_str());
        }
        self.publish(sandbox, state);
        doomed.len()
    }

    /// Sets a template's status (admin).
    pub(crate) fn set_template_status(
        &self,
        sandbox: &Sandbox,
        id: &TemplateId,
        status: TemplateStatus,
        reason: Option<String>,
    ) -> Option<()> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let change = state
            .template_mut(id)?
            .set_status(status, reason.unwrap_or_else(|| "NONE".to_owned()));
        state.record_template_change(id, &change, now);
        self.publish(sandbox, state);
        Some(())
    }

    /// Changes a WABA's settings (Graph `POST /{waba_id}` and admin `PATCH`); an update to
    /// `ONBOARDED` signs the business's terms and emits `account_update`.
    pub(crate) fn update_waba(
        &self,
        sandbox: &Sandbox,
        id: &WabaId,
        update: WabaUpdate,
    ) -> Option<()> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let waba = state.wabas.iter_mut().find(|w| &w.id == id)?;
        let mut became_onboarded = false;
        if let Some(status) = update.onboarding {
            became_onboarded = waba.set_onboarding(status);
        }
        if let Some(msc) = update.msc {
            waba.msc = msc;
        }
        if let Some(disable) = update.disable_marketing_on_cloud_api {
            waba.disable_marketing_on_cloud_api = disable;
        }
        if let Some(sharing) = update.message_activity_sharing {
            waba.message_activity_sharing = sharing;
        }
        if let Some(spec) = update.creative_features {
            waba.update_creative_features(&spec);
        }
        if became_onboarded {
            let business_id = waba.business_id.clone();
            if let Some(b) = state.businesses.iter_mut().find(|b| b.id == business_id) {
                b.onboarding = BusinessOnboardingStatus::TermOfServiceSigned;
                b.onboarding_time = now;
            }
            state.outbox.push(
                now,
                EventKind::AccountUpdate(AccountUpdate {
                    waba_id: id.clone(),
                    business_id,
                    event: "MM_LITE_TERMS_SIGNED",
                }),
            );
            self.publish(sandbox, state);
        }
        Some(())
    }

    /// `POST /{business_id}/onboard_partners_to_mm_lite`.
    pub(crate) fn request_onboarding(
        &self,
        sandbox: &Sandbox,
        id: &BusinessId,
    ) -> Result<String, Refusal> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let state = &mut *state;
        let ids = &mut state.ids.requests;
        let business = state
            .businesses
            .iter_mut()
            .find(|b| &b.id == id)
            .ok_or_else(|| Refusal::invalid("business not found"))?;
        match business.request_onboarding(|| ids.request_id(), now) {
            IntentOutcome::Requested(request_id) => Ok(request_id),
            IntentOutcome::AlreadyOnboarded => Err(Refusal::new(ErrorKind::IntentDuplicate)),
        }
    }

    /// Sets a recipient's profile (admin).
    pub(crate) fn set_recipient(&self, sandbox: &Sandbox, wa_id: String, profile: Profile) {
        sandbox.lock().recipients.set_profile(wa_id, profile);
    }

    /// A user message or button tap arrives (admin); a tap on a "stop promotions" button opts
    /// the user out of marketing.
    pub(crate) fn inbound(
        &self,
        sandbox: &Sandbox,
        phone_id: &PhoneNumberId,
        from: &str,
        name: Option<String>,
        body: InboundBody,
    ) -> Option<Wamid> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let phone = state.phones.iter().find(|p| &p.id == phone_id)?.clone();
        let wa_id = digits(from);
        let wamid = state.ids.wamids.wamid(&wa_id);
        let mut message = serde_json::json!({
            "from": wa_id,
            "id": wamid,
            "timestamp": now.unix_seconds().to_string(),
        });
        match body {
            InboundBody::Text(text) => {
                message["type"] = "text".into();
                message["text"] = serde_json::json!({ "body": text });
            }
            InboundBody::Button {
                text,
                payload,
                context,
            } => {
                if stops_promotions(&text) {
                    state.recipients.opt_out(wa_id.clone());
                }
                message["type"] = "button".into();
                message["button"] = serde_json::json!({ "payload": payload, "text": text });
                if let Some(context) = context {
                    message["context"] = serde_json::json!({
                        "from": phone.display_phone_number,
                        "id": context,
                    });
                }
            }
        }
        let profile_name = name.unwrap_or_else(|| state.recipients.profile(&wa_id).name);
        state.outbox.push(
            now,
            EventKind::Inbound(InboundMessage {
                waba_id: phone.waba_id.clone(),
                phone_number_id: phone.id.clone(),
                display_phone_number: phone.display_phone_number,
                profile_name,
                message,
            }),
        );
        self.publish(sandbox, state);
        Some(wamid)
    }

    /// `POST /{waba_id}/subscribed_apps`.
    pub(crate) fn subscribe(&self, sandbox: &Sandbox, waba_id: &WabaId, sub: Subscription) {
        let mut state = sandbox.lock();
        let subs = state.subscriptions.entry(waba_id.clone()).or_default();
        subs.clear();
        subs.push(sub);
    }

    /// `DELETE /{waba_id}/subscribed_apps`: the WABA stays known as unsubscribed, so it gets
    /// no webhooks (not even the app default's).
    pub(crate) fn unsubscribe(&self, sandbox: &Sandbox, waba_id: &WabaId) {
        sandbox
            .lock()
            .subscriptions
            .insert(waba_id.clone(), Vec::new());
    }

    /// Records a Graph request in the sandbox's bounded journal and returns the answer's trace
    /// id: `trace` when the answer carries one (errors), else one drawn in the same critical
    /// section.
    pub(crate) fn record_request(
        &self,
        sandbox: &Sandbox,
        mut entry: JournalEntry,
        trace: Option<String>,
    ) -> String {
        entry.request.compact(JOURNAL_BODY_CAP);
        entry.request_truncated_from = entry.request.truncated_from();
        let mut state = sandbox.lock();
        let trace = trace.unwrap_or_else(|| state.ids.traces.fbtrace_id());
        state.journal_seq += 1;
        entry.seq = state.journal_seq;
        if state.journal.len() >= state.retention.requests {
            state.trim_journal();
        }
        if state.retention.requests > 0 {
            state.journal_bytes += entry.retained_bytes();
            state.journal.push_back(entry);
        }
        let over = self.inner.settle(sandbox, &state);
        drop(state);
        if over {
            self.inner.enforce_budget(sandbox);
        }
        trace
    }

    /// Adds a fault (admin).
    pub(crate) fn add_fault(&self, sandbox: &Sandbox, fault: FaultSpec) {
        sandbox.lock().faults.add(fault);
    }

    /// Wraps `work` as a clock job on `sandbox` that lapses if the sandbox is reset or dropped.
    fn sandbox_job(
        &self,
        sandbox: &Arc<Sandbox>,
        state: &SandboxState,
        work: impl FnOnce(&mut SandboxState, Timestamp) + Send + 'static,
    ) -> crate::clock::Job {
        let weak_sandbox: Weak<Sandbox> = Arc::downgrade(sandbox);
        let weak_store: Weak<Inner> = Arc::downgrade(&self.inner);
        let generation = state.generation;
        Box::new(move |at| {
            let Some(sandbox) = weak_sandbox.upgrade() else {
                return;
            };
            let mut state = sandbox.lock();
            if state.generation != generation {
                return;
            }
            work(&mut state, at);
            if let Some(inner) = weak_store.upgrade() {
                publish(&inner, &sandbox, state);
            }
        })
    }
}

/// A WABA settings change; `None` leaves a setting alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct WabaUpdate {
    /// `marketing_messages_onboarding_status`.
    pub(crate) onboarding: Option<OnboardingStatus>,
    /// MSC flag.
    pub(crate) msc: Option<bool>,
    /// `disable_marketing_messages_on_cloud_api`.
    pub(crate) disable_marketing_on_cloud_api: Option<bool>,
    /// Default `message_activity_sharing`.
    pub(crate) message_activity_sharing: Option<bool>,
    /// WABA-level creative features (merged).
    pub(crate) creative_features: Option<DegreesOfFreedomSpec>,
}

/// What a user sends.
#[derive(Clone, Debug)]
pub(crate) enum InboundBody {
    /// A text message.
    Text(String),
    /// A quick-reply button tap, optionally on a message we sent.
    Button {
        /// Button text.
        text: String,
        /// Button payload.
        payload: String,
        /// The wamid of the template message tapped.
        context: Option<String>,
    },
}

struct Draft {
    endpoint: &'static str,
    message_type: String,
    template: Option<TemplateRef>,
    route: Route,
    pricing_category: &'static str,
    creative_features: Vec<wa_contract::payload::template::CreativeFeatureKey>,
    message_activity_sharing: Option<bool>,
    ttl: Duration,
    marketing: bool,
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

impl Inner {
    /// Counts what `sandbox` retains now; whether the budget is exceeded.
    fn settle(&self, sandbox: &Sandbox, state: &SandboxState) -> bool {
        if sandbox.gone.load(Ordering::Relaxed) {
            return false;
        }
        let now = state.retained();
        let before = sandbox.accounted.swap(now, Ordering::Relaxed);
        self.budget.adjust(before, now);
        self.budget.over()
    }

    /// Brings the budget back to its target: first the histories of the least recently used
    /// sandboxes, oldest entries first, then whole sandboxes, least recently used first — never
    /// the default sandbox nor `serving`, the one whose request is under way.
    fn enforce_budget(&self, serving: &Sandbox) {
        let Ok(_enforcing) = self.enforcing.try_lock() else {
            return;
        };
        let target = self.budget.target();
        let mut all: Vec<Arc<Sandbox>> = self
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by_key(|s| s.last_used.load(Ordering::Relaxed));
        for sandbox in &all {
            if self.budget.used() <= target {
                return;
            }
            self.trim(sandbox, target);
        }
        for sandbox in &all {
            if self.budget.used() <= target {
                return;
            }
            if Arc::ptr_eq(sandbox, &self.default) || std::ptr::eq(&**sandbox, serving) {
                continue;
            }
            let removed = self
                .sandboxes
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove(sandbox.token.as_str());
            if removed.is_some() {
                tracing::info!(
                    sandbox = sandbox.number,
                    "sandbox evicted by the memory budget"
                );
                self.release(sandbox);
            }
        }
    }

    /// Drops `sandbox`'s history, oldest first, until the budget reaches `target` or nothing
    /// is left: journal, events, delivery attempts, then messages.
    fn trim(&self, sandbox: &Sandbox, target: usize) {
        {
            let mut state = sandbox.lock();
            while self.budget.used() > target {
                let Some(freed) = state.trim_history() else {
                    break;
                };
                sandbox.accounted.fetch_sub(
                    freed.min(sandbox.accounted.load(Ordering::Relaxed)),
                    Ordering::Relaxed,
                );
                self.budget.sub(freed);
            }
        }
        let Some(hooks) = sandbox.hooks.get() else {
            return;
        };
        let mut hooks = lock(hooks);
        while self.budget.used() > target {
            let Some(freed) = hooks.log.trim_oldest() else {
                break;
            };
            let _ = sandbox
                .hooks_bytes
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                    Some(b.saturating_sub(freed))
                });
            self.budget.sub(freed);
        }
    }

    /// Takes a sandbox that left the registry off the budget for good.
    fn release(&self, sandbox: &Sandbox) {
        sandbox.gone.store(true, Ordering::Relaxed);
        self.budget
            .sub(sandbox.accounted.swap(0, Ordering::Relaxed));
        self.budget
            .sub(sandbox.hooks_bytes.swap(0, Ordering::Relaxed));
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Sandbox {
    fn build(
        world: &WorldSpec,
        clock: Clock,
        token: Token,
        seed: u64,
        number: u64,
        fixed_ids: bool,
    ) -> Result<Arc<Self>, String> {
        let state =
            SandboxState::build(world, clock.now(), IdStreams::new(seed, number), fixed_ids)?;
        let runner = clock.start_runner();
        Ok(Arc::new_cyclic(|me| Self {
            accounted: AtomicUsize::new(0),
            hooks_bytes: AtomicUsize::new(0),
            last_used: AtomicU64::new(0),
            gone: AtomicBool::new(false),
            state: Mutex::new(state),
            token,
            number,
            seed,
            fixed_ids,
            clock,
            _runner: runner,
            hooks: OnceLock::new(),
            me: me.clone(),
        }))
    }

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

    /// Locks the state (briefly; never across an `.await`).
    pub(crate) fn lock(&self) -> MutexGuard<'_, SandboxState> {
        lock(&self.state)
    }
}

impl SandboxState {
    fn build(
        world: &WorldSpec,
        now: Timestamp,
        mut ids: IdStreams,
        fixed_ids: bool,
    ) -> Result<Self, String> {
        let mut state = Self {
            generation: 0,
            review_delay: Duration::from_secs(world.review_delay_seconds),
            rejection_rules: world.rejection_rules.clone(),
            retention: world.retention,
            businesses: Vec::new(),
            wabas: Vec::new(),
            phones: Vec::new(),
            templates: Vec::new(),
            objects: HashMap::new(),
            messages: HashMap::new(),
            message_order: VecDeque::new(),
            recipients: Recipients::default(),
            subscriptions: HashMap::new(),
            journal: VecDeque::new(),
            journal_seq: 0,
            journal_bytes: 0,
            message_bytes: 0,
            outbox: Outbox::new(world.retention.events),
            faults: Faults::default(),
            ids: IdStreams::new(0, 0),
        };
        let id = |fixed: &Option<String>, ids: &mut IdStreams| match fixed {
            Some(f) if fixed_ids => f.clone(),
            _ => ids.objects.numeric_id(),
        };
        for b in &world.businesses {
            let business_id = BusinessId::new(id(&b.id, &mut ids));
            state.businesses.push(Business {
                id: business_id.clone(),
                name: b.name.clone(),
                onboarding: b.onboarding_status,
                onboarding_time: now,
                intent_request_id: None,
            });
            for w in &b.wabas {
                let waba_id = WabaId::new(id(&w.id, &mut ids));
                state.wabas.push(Waba {
                    id: waba_id.clone(),
                    business_id: business_id.clone(),
                    name: w.name.clone(),
                    onboarding: w.marketing_messages_onboarding_status,
                    msc: w.msc,
                    disable_marketing_on_cloud_api: w.disable_marketing_messages_on_cloud_api,
                    message_activity_sharing: w.message_activity_sharing,
                    creative_features: w.degrees_of_freedom_spec.clone().unwrap_or_default(),
                    template_namespace: format!("{:016x}", ids.objects.next_u64()),
                });
                for p in &w.phone_numbers {
                    state.phones.push(PhoneNumber {
                        id: PhoneNumberId::new(id(&p.id, &mut ids)),
                        waba_id: waba_id.clone(),
                        display_phone_number: p.display_phone_number.clone(),
                        verified_name: p.verified_name.clone(),
                        quality_rating: "GREEN".to_owned(),
                    });
                }
                for t in &w.templates {
                    let req = t.create_request()?;
                    let template_id = match &t.id {
                        Some(f) if fixed_ids => TemplateId::new(f.clone()),
                        _ => ids.templates.template_id(),
                    };
                    let created = if t.syncing {
                        now
                    } else {
                        now.minus(PRESEEDED_TEMPLATE_AGE)
                    };
                    let mut template = Template::create(template_id, waba_id.clone(), req, created);
                    template.status = t.status;
                    state.templates.push(template);
                }
            }
        }
        for r in &world.recipients {
            state
                .recipients
                .set_profile(digits(&r.phone), r.profile.clone());
        }
        let kinds = [
            (
                ObjectKind::PhoneNumber,
                state
                    .phones
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>(),
            ),
            (
                ObjectKind::Waba,
                state.wabas.iter().map(|w| w.id.as_str()).collect(),
            ),
            (
                ObjectKind::Template,
                state.templates.iter().map(|t| t.id.as_str()).collect(),
            ),
            (
                ObjectKind::Business,
                state.businesses.iter().map(|b| b.id.as_str()).collect(),
            ),
        ];
        // Inserted in reverse precedence, so a clash resolves as the old linear lookup did.
        let objects: HashMap<Arc<str>, ObjectKind> = kinds
            .into_iter()
            .rev()
            .flat_map(|(kind, ids)| ids.into_iter().map(move |id| (Arc::from(id), kind)))
            .collect();
        state.objects = objects;
        state.ids = ids;
        Ok(state)
    }

    /// What the sandbox holds, by [`Retained`]: its world and its histories.
    fn retained(&self) -> usize {
        SANDBOX_BYTES + self.journal_bytes + self.message_bytes + self.outbox.history_bytes()
    }

    /// Drops the oldest journal entry; the bytes it held.
    fn trim_journal(&mut self) -> Option<usize> {
        let entry = self.journal.pop_front()?;
        let bytes = entry.retained_bytes();
        self.journal_bytes = self.journal_bytes.saturating_sub(bytes);
        Some(bytes)
    }

    /// Forgets the oldest message; the bytes it held. Its pending status steps then find
    /// nothing to move.
    fn trim_messages(&mut self) -> Option<usize> {
        let wamid = self.message_order.pop_front()?;
        let bytes = self.messages.remove(&wamid)?.retained_bytes();
        self.message_bytes = self.message_bytes.saturating_sub(bytes);
        Some(bytes)
    }

    /// Drops the oldest entry of the first history that has one: journal, events, messages.
    fn trim_history(&mut self) -> Option<usize> {
        self.trim_journal()
            .or_else(|| self.outbox.trim_oldest())
            .or_else(|| self.trim_messages())
    }

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

    fn template_mut(&mut self, id: &TemplateId) -> Option<&mut Template> {
        self.templates.iter_mut().find(|t| &t.id == id)
    }

    /// Messages, oldest first.
    pub(crate) fn messages(&self) -> impl Iterator<Item = &Message> {
        self.message_order
            .iter()
            .filter_map(|id| self.messages.get(id))
    }

    /// The journal, oldest first.
    pub(crate) fn journal(&self) -> impl Iterator<Item = &JournalEntry> {
        self.journal.iter()
    }

    /// Rule 3: the template named in `message` for the phone's WABA, approved and with the
    /// right parameter counts. Returns the WABA's and the template's positions.
    fn sendable_template(
        &self,
        phone_id: &PhoneNumberId,
        message: &TemplateMessage,
    ) -> Result<(usize, usize), Refusal> {
        let waba_id = &self
            .phone(phone_id)
            .ok_or_else(|| Refusal::invalid("phone number not found"))?
            .waba_id;
        let waba_idx = self
            .wabas
            .iter()
            .position(|w| &w.id == waba_id)
            .ok_or_else(|| Refusal::invalid("WhatsApp Business Account not found"))?;
        let code = &message.language.code;
        let template_idx = self
            .templates
            .iter()
            .position(|t| &t.waba_id == waba_id && t.name == message.name && &t.language == code)
            .ok_or_else(|| template::not_found(&message.name, code))?;
        let t = &self.templates[template_idx];
        t.check_sendable()?;
        t.check_parameters(message)?;
        Ok((waba_idx, template_idx))
    }

    fn record_template_change(&mut self, id: &TemplateId, change: &StatusChanged, at: Timestamp) {
        let Some(t) = self.template(id) else { return };
        let kind = EventKind::TemplateStatus(TemplateStatusChange {
            waba_id: t.waba_id.clone(),
            template_id: t.id.clone(),
            name: t.name.clone(),
            language: t.language.clone(),
            category: t.category.as_str().to_owned(),
            event: status_str(change.status).to_owned(),
            reason: change.reason.clone(),
        });
        self.outbox.push(at, kind);
    }

    /// Rule 7: records the message, its first status and its scheduled timeline.
    fn accept(
        &mut self,
        store: &Store,
        sandbox: &Arc<Sandbox>,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
        draft: Draft,
        now: Timestamp,
    ) -> Accepted {
        let (input, wa_id, user_id) = match (&req.to, &req.recipient) {
            (Some(to), _) => (to.clone(), digits(to), None),
            (None, Some(bsuid)) => (bsuid.clone(), bsuid.clone(), Some(bsuid.clone())),
            (None, None) => (String::new(), String::new(), None),
        };
        let wamid = self.ids.wamids.wamid(&wa_id);
        let waba_id = self
            .phone(phone_id)
            .map(|p| p.waba_id.clone())
            .unwrap_or_else(|| WabaId::new(""));
        let message = Message {
            id: wamid.clone(),
            phone_number_id: phone_id.clone(),
            waba_id,
            endpoint: draft.endpoint,
            input: input.clone(),
            wa_id: wa_id.clone(),
            message_type: draft.message_type,
            template: draft.template,
            route: draft.route,
            pricing_category: draft.pricing_category,
            creative_features: draft.creative_features,
            message_activity_sharing: draft.message_activity_sharing,
            ttl_seconds: draft.ttl.as_secs(),
            biz_opaque_callback_data: req.biz_opaque_callback_data.clone(),
            conversation_id: self.ids.conversations.conversation_id(),
            created_at: now,
            statuses: Vec::new(),
        };
        if self.message_order.len() >= self.retention.messages {
            self.trim_messages();
        }
        self.message_bytes += message.retained_bytes();
        self.message_order.push_back(wamid.clone());
        self.messages.insert(wamid.clone(), message);
        let timeline = self.recipients.timeline(&wa_id, draft.marketing, draft.ttl);
        if timeline.sent {
            self.step(&wamid, MessageStatus::Sent, None, now);
        }
        for (delay, step) in timeline.steps {
            let job = store.sandbox_job(sandbox, self, {
                let wamid = wamid.clone();
                move |state, at| {
                    let (status, error) = match step {
                        Step::Delivered => (MessageStatus::Delivered, None),
                        Step::Read => (MessageStatus::Read, None),
                        Step::Failed(kind) => (MessageStatus::Failed, Some(kind)),
                    };
                    state.step(&wamid, status, error, at);
                }
            });
            sandbox.clock.schedule_in(delay, job);
        }
        Accepted {
            wamid,
            input,
            wa_id: user_id.is_none().then_some(wa_id),
            user_id,
        }
    }

    /// Moves a message to `status` and records the status event; a transition the state
    /// machine refuses (e.g. a read after a failure) is dropped.
    fn step(
        &mut self,
        wamid: &Wamid,
        status: MessageStatus,
        error: Option<ErrorKind>,
        at: Timestamp,
    ) {
        let Some(message) = self.messages.get_mut(wamid) else {
            return;
        };
        let pricing = message.carries_pricing(status);
        if message.transition(status, at, error).is_err() {
            return;
        }
        let phone = self.phones.iter().find(|p| p.id == message.phone_number_id);
        let display = phone
            .map(|p| p.display_phone_number.clone())
            .unwrap_or_default();
        let category = message.pricing_category;
        let change = StatusChange {
            waba_id: message.waba_id.clone(),
            phone_number_id: message.phone_number_id.clone(),
            display_phone_number: display,
            wamid: wamid.clone(),
            status: status.as_str(),
            recipient_id: message.wa_id.clone(),
            recipient_name: self.recipients.profile(&message.wa_id).name,
            pricing: pricing.then_some(Pricing {
                billable: true,
                pricing_model: "PMP",
                pricing_type: "regular",
                category,
            }),
            conversation: pricing.then(|| Conversation {
                id: message.conversation_id.clone(),
                expiration: message.created_at.plus(Duration::from_secs(24 * 3600)),
                origin: category,
            }),
            error,
            biz_opaque_callback_data: message.biz_opaque_callback_data.clone(),
        };
        self.outbox.push(at, EventKind::MessageStatus(change));
    }
}
