//! Sends: `/marketing_messages` (rules 3–7) and `/messages`. An accepted message is recorded
//! with its first status, and its later statuses are scheduled on the sandbox's clock.

use std::sync::Arc;
use std::time::Duration;

use wa_contract::ErrorKind;
use wa_contract::payload::send::{MessageType, SendMessageRequest, SendStatus, TemplateMessage};
use wa_contract::payload::template::TemplateCategory;

use super::{SandboxState, Session, TemplateChangeError};
use crate::budget::Retained;
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::changes::{Changelog, Rules};
use crate::domain::events::EventKind;
use crate::domain::identity::digits;
use crate::domain::marketing_limit;
use crate::domain::message::{Message, Names, Paced, SentMedia, TemplateRef, Upcoming};
use crate::domain::pricing::{self, PricingCategory, charge};
use crate::domain::recipient::Timeline;
use crate::domain::routing::{Route, marketing_pricing_category, route_marketing_message};
use crate::domain::status::MessageStatus;
use crate::domain::template::{self, Signal, effective_features};
use crate::ids::{BusinessId, PhoneNumberId, TemplateId, WabaId, Wamid};

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
    /// What Graph says became of a template message; `None` for other messages.
    pub(crate) message_status: Option<SendStatus>,
}

impl Session<'_> {
    /// `POST /{phone_number_id}/marketing_messages`, rules 3–7 (the edge checked 1–2).
    pub(crate) fn send_marketing_message(
        &mut self,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
        message: &TemplateMessage,
    ) -> Result<Accepted, Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let rules = Changelog::builtin().rules(now);
        state.check_messaging_account(phone_id, req, rules)?;
        state.check_sent_media(req, now)?;
        let (waba_idx, template_idx) = state.sendable_template(phone_id, message)?;
        let category = state.templates[template_idx].category;
        if category != TemplateCategory::Marketing {
            return Err(Refusal::new(ErrorKind::MarketingOnly));
        }
        // A max price is charged per delivery to a phone number; Meta refuses BSUID recipients.
        if req.to.is_none() && state.templates[template_idx].max_price.is_some() {
            return Err(Refusal::new(ErrorKind::BsuidNotSupported));
        }
        let policy = req.product_policy.unwrap_or_default();
        let route = route_marketing_message(&state.wabas[waba_idx], policy, rules)?;
        let waba = &state.wabas[waba_idx];
        let (features, sharing) = match route {
            Route::MarketingMessages => (
                effective_features(&state.templates[template_idx], |k| waba.feature(k), rules),
                Some(
                    req.message_activity_sharing
                        .unwrap_or(waba.message_activity_sharing),
                ),
            ),
            Route::CloudApi => (Vec::new(), None),
        };
        state.check_template_sender(waba_idx, rules)?;
        if route == Route::MarketingMessages {
            state.templates[template_idx].check_mm_send(now)?;
        }
        let held_by = state.pace(waba_idx, template_idx, rules);
        let template = &state.templates[template_idx];
        let draft = Draft {
            endpoint: "marketing_messages",
            message_type: MessageType::Template,
            template: Some(TemplateRef {
                name: template.name.clone(),
                language: template.language.clone(),
                category: category.as_str(),
            }),
            route,
            pricing_category: marketing_pricing_category(route),
            creative_features: features,
            message_activity_sharing: sharing,
            ttl: template.message_ttl(route),
            marketing: true,
            free_form: false,
            held_by,
            rules,
        };
        let accepted = state.accept(phone_id, req, draft, now);
        self.schedule_timeline(accepted.wamid.clone());
        self.schedule_default_signal(&accepted.wamid);
        Ok(accepted)
    }

    /// `POST /{phone_number_id}/messages`: any type; templates are checked like Graph does and
    /// MARKETING templates refused while the WABA disabled them on Cloud API.
    pub(crate) fn send_message(
        &mut self,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
    ) -> Result<Accepted, Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let rules = Changelog::builtin().rules(now);
        state.check_messaging_account(phone_id, req, rules)?;
        state.check_sent_media(req, now)?;
        let message_type = req.effective_type();
        let draft = match &req.template {
            Some(message) if message_type == MessageType::Template => {
                let (waba_idx, template_idx) = state.sendable_template(phone_id, message)?;
                let template = &state.templates[template_idx];
                let marketing = template.category == TemplateCategory::Marketing;
                let disabled = state.wabas[waba_idx].disable_marketing_on_cloud_api;
                if marketing && (rules.cloud_api_marketing_sunset || disabled) {
                    return Err(Refusal::new(ErrorKind::MarketingDisabledOnCloudApi));
                }
                // Meta: authentication templates need a phone number, not a BSUID.
                if template.category == TemplateCategory::Authentication && req.to.is_none() {
                    return Err(Refusal::new(ErrorKind::BsuidAuthenticationTemplate));
                }
                state.check_template_sender(waba_idx, rules)?;
                let held_by = state.pace(waba_idx, template_idx, rules);
                let template = &state.templates[template_idx];
                Draft {
                    endpoint: "messages",
                    message_type,
                    template: Some(TemplateRef {
                        name: template.name.clone(),
                        language: template.language.clone(),
                        category: template.category.as_str(),
                    }),
                    route: Route::CloudApi,
                    pricing_category: pricing::of_template(template.category),
                    creative_features: Vec::new(),
                    message_activity_sharing: None,
                    ttl: template.message_ttl(Route::CloudApi),
                    marketing,
                    free_form: false,
                    held_by,
                    rules,
                }
            }
            _ => Draft {
                endpoint: "messages",
                message_type,
                template: None,
                route: Route::CloudApi,
                pricing_category: PricingCategory::Service,
                creative_features: Vec::new(),
                message_activity_sharing: None,
                ttl: Duration::from_secs(u64::from(TemplateCategory::Utility.default_ttl())),
                marketing: false,
                free_form: true,
                held_by: None,
                rules,
            },
        };
        let accepted = state.accept(phone_id, req, draft, now);
        self.schedule_timeline(accepted.wamid.clone());
        self.schedule_default_signal(&accepted.wamid);
        Ok(accepted)
    }
}

/// What holds a message: template pacing or business portfolio pacing.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
enum HeldBy {
    /// Its paced template.
    Template(TemplateId),
    /// Its paced business portfolio.
    Portfolio(BusinessId),
}

/// A message pacing holds: released, it follows `timeline` from then on.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(super) struct Held {
    by: HeldBy,
    wamid: Wamid,
    timeline: Timeline,
    /// When pacing held it.
    held_at: Timestamp,
}

/// Held messages a good signal releases at once; the rest follow in batches of this many
/// (*invented*: Meta says only that held messages are released in batches).
const RELEASE_BATCH: usize = 100;

/// Between two released batches (*invented*).
const RELEASE_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// When no signal came, the quality assessment of a batch ends with a good one this long after
/// its first message was held (*invented*: Meta gives no duration).
pub(crate) const DEFAULT_SIGNAL_AFTER: Duration = Duration::from_secs(24 * 3600);

impl Session<'_> {
    /// The quality signal for a paced template (admin): a good one releases its held messages,
    /// each then following its timeline; a bad one pauses the template and fails every held
    /// message with 132015. Returns how many messages it released or dropped.
    pub(crate) fn pacing_signal(
        &mut self,
        id: &TemplateId,
        signal: Signal,
    ) -> Result<usize, TemplateChangeError> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let threshold = state.pacing_threshold;
        let t = state.template_mut(id).ok_or(TemplateChangeError::Unknown)?;
        let change = t
            .signal(signal, threshold)
            .map_err(TemplateChangeError::Refused)?;
        if let Some(change) = change {
            state.record_template_change(id, &change, now);
        }
        Ok(self.end_batch(&HeldBy::Template(id.clone()), signal, now))
    }

    /// The quality signal for a paced business portfolio (admin): a good one releases its held
    /// messages; a bad one fails each with 132015 and puts the portfolio under review. Returns
    /// how many messages it released or dropped; `None` for an unknown business.
    pub(crate) fn portfolio_pacing_signal(
        &mut self,
        id: &BusinessId,
        signal: Signal,
    ) -> Option<Result<usize, Refusal>> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let rules = Changelog::builtin().rules(now);
        let business = state.businesses.iter_mut().find(|b| &b.id == id)?;
        if let Err(refusal) = business.pacing_signal(signal == Signal::Good, rules) {
            return Some(Err(refusal));
        }
        Some(Ok(self.end_batch(
            &HeldBy::Portfolio(id.clone()),
            signal,
            now,
        )))
    }

    /// Sets the pacing threshold (admin; `None` turns template pacing off). Counts so far stay.
    pub(crate) fn set_pacing_threshold(&mut self, threshold: Option<u32>) {
        self.state().pacing_threshold = threshold;
    }

    /// Puts a business portfolio under pacing or takes it off (admin); either ends a review.
    /// Held messages stay held until a signal. `None` for an unknown business.
    pub(crate) fn set_portfolio_paced(&mut self, id: &BusinessId, paced: bool) -> Option<()> {
        let business = self.state().businesses.iter_mut().find(|b| &b.id == id)?;
        business.set_paced(paced);
        Some(())
    }

    /// A message pacing just held that begins a batch gets the batch's default signal:
    /// [`DEFAULT_SIGNAL_AFTER`] later, unless a signal ended the batch first.
    fn schedule_default_signal(&mut self, wamid: &Wamid) {
        let state = self.state();
        let Some(held) = state.held.last().filter(|h| &h.wamid == wamid) else {
            return;
        };
        let (by, since) = (held.by.clone(), held.held_at);
        if state.held.iter().filter(|h| h.by == by).count() == 1 {
            self.default_signal(by, since);
        }
    }

    /// Schedules the default good signal of the batch `by` that began at `since`.
    fn default_signal(&self, by: HeldBy, since: Timestamp) {
        // The job runs with the clock at its time, which the signals read.
        let job = self.job(move |session, _| {
            if session.state().batch_start(&by) != Some(since) {
                return;
            }
            // A signal the template or portfolio can no longer take (paused, unpaced) leaves
            // the batch held, as an admin signal would be refused.
            match &by {
                HeldBy::Template(id) => {
                    let _ = session.pacing_signal(id, Signal::Good);
                }
                HeldBy::Portfolio(id) => {
                    let _ = session.portfolio_pacing_signal(id, Signal::Good);
                }
            }
        });
        self.sandbox
            .clock
            .schedule_at(since.plus(DEFAULT_SIGNAL_AFTER), job);
    }

    /// Schedules again the default signal of every batch a restored state holds.
    pub(super) fn resume_pacing(&self) {
        let mut batches: Vec<(HeldBy, Timestamp)> = Vec::new();
        for held in &self.held {
            if !batches.iter().any(|(by, _)| by == &held.by) {
                batches.push((held.by.clone(), held.held_at));
            }
        }
        for (by, since) in batches {
            self.default_signal(by, since);
        }
    }

    /// Ends the batch `by` holds: releases each held message onto its timeline — the first
    /// [`RELEASE_BATCH`] at once, then a batch every [`RELEASE_INTERVAL`] — or fails it with
    /// 132015. Returns how many there were.
    fn end_batch(&mut self, by: &HeldBy, signal: Signal, now: Timestamp) -> usize {
        let held = self.state().take_held(by);
        let count = held.len();
        for (
            i,
            Held {
                wamid, timeline, ..
            },
        ) in held.into_iter().enumerate()
        {
            if let Some(message) = self.state().messages.get_mut(&wamid) {
                message.pacing = Some(match signal {
                    Signal::Good => Paced::Released,
                    Signal::Bad => Paced::Dropped,
                });
            }
            match signal {
                Signal::Good if i < RELEASE_BATCH => {
                    if timeline.sent {
                        self.state().step(&wamid, MessageStatus::Sent, None, now);
                    }
                    if let Some(message) = self.state().messages.get_mut(&wamid) {
                        message.upcoming = Upcoming::new(now, timeline.steps);
                    }
                    self.schedule_timeline(wamid);
                }
                Signal::Good => {
                    // A later batch: its `sent` is the first step of its timeline, as data, so
                    // a snapshot taken meanwhile carries it.
                    let batch = u32::try_from(i / RELEASE_BATCH).unwrap_or(u32::MAX);
                    let mut steps = timeline.steps;
                    if timeline.sent {
                        steps.insert(0, (Duration::ZERO, MessageStatus::Sent, None));
                    }
                    if let Some(message) = self.state().messages.get_mut(&wamid) {
                        message.upcoming = Upcoming::new(now.plus(RELEASE_INTERVAL * batch), steps);
                    }
                    self.schedule_timeline(wamid);
                }
                Signal::Bad => {
                    let error = Some(ErrorKind::TemplatePaused);
                    self.state().step(&wamid, MessageStatus::Failed, error, now);
                }
            }
        }
        count
    }
}

struct Draft {
    endpoint: &'static str,
    message_type: MessageType,
    template: Option<TemplateRef>,
    route: Route,
    pricing_category: PricingCategory,
    creative_features: Vec<wa_contract::payload::template::CreativeFeatureKey>,
    message_activity_sharing: Option<bool>,
    ttl: Duration,
    marketing: bool,
    /// Not a template: deliverable only inside the customer-service window.
    free_form: bool,
    /// What holds the message, if pacing holds it.
    held_by: Option<HeldBy>,
    /// Meta's rules on the day of the send.
    rules: Rules,
}

impl SandboxState {
    /// A send naming its messaging account must name the WABA of the sending phone number;
    /// before messaging accounts (phase 1) the field is not read.
    fn check_messaging_account(
        &self,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
        rules: Rules,
    ) -> Result<(), Refusal> {
        let Some((field, id)) = req.messaging_account().filter(|_| rules.messaging_accounts) else {
            return Ok(());
        };
        match self.phone(phone_id) {
            Some(phone) if phone.waba_id.as_str() == id => Ok(()),
            Some(phone) => Err(Refusal::invalid(format!(
                "{field}: {id} is not the messaging account of phone number {phone_id}; \
                 expected {}",
                phone.waba_id
            ))),
            None => Ok(()),
        }
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

    /// Rule 7: records the message, its first status and the later steps of its timeline (for
    /// the session to schedule).
    fn accept(
        &mut self,
        phone_id: &PhoneNumberId,
        req: &SendMessageRequest,
        draft: Draft,
        now: Timestamp,
    ) -> Accepted {
        let (input, to_phone, recipient) = match (&req.to, &req.recipient) {
            (Some(to), _) => (to.clone(), true, self.recipients.by_phone(&digits(to))),
            (None, Some(bsuid)) => (bsuid.clone(), false, self.recipients.by_bsuid(bsuid)),
            (None, None) => (String::new(), false, self.recipients.by_bsuid("")),
        };
        let recipient = Arc::new(recipient);
        let in_window = self.recipients.in_window(&recipient, now);
        let (pricing_category, pricing_type) = charge(
            draft.pricing_category,
            in_window,
            self.recipients.free_entry_point(&recipient, now),
            draft.rules,
        );
        let sender = self.phone(phone_id).map_or("", |p| &p.display_phone_number);
        let limit = draft
            .marketing
            .then(|| {
                let limit = self.marketing_limit;
                marketing_limit::applying(limit, draft.rules, sender, &recipient, in_window)
            })
            .flatten();
        let is_template = draft.template.is_some();
        let wamid = self.ids.wamids.wamid(recipient.wa_id_or_bsuid());
        // The number's own ids, shared by all its messages and their events, rather than the
        // path's copy: an event read or dropped long after the send then touches no line of
        // memory of its own for them.
        let (phone_number_id, waba_id) = self.phone(phone_id).map_or_else(
            || (phone_id.clone(), WabaId::new("")),
            |p| (p.id.clone(), p.waba_id.clone()),
        );
        let message = Message {
            id: wamid.clone(),
            phone_number_id,
            waba_id,
            endpoint: draft.endpoint,
            input: input.clone(),
            recipient: recipient.clone(),
            to_phone,
            message_type: draft.message_type,
            template: draft.template,
            route: draft.route,
            pricing_category,
            pricing_type,
            creative_features: draft.creative_features,
            message_activity_sharing: draft.message_activity_sharing,
            ttl_seconds: draft.ttl.as_secs(),
            biz_opaque_callback_data: req.biz_opaque_callback_data.clone(),
            messaging_account: draft.rules.messaging_accounts && req.messaging_account().is_some(),
            pacing: draft.held_by.as_ref().map(|_| Paced::Held),
            conversation_id: self.ids.conversations.conversation_id(),
            created_at: now,
            statuses: Vec::new(),
            clicks: Vec::new(),
            upcoming: Upcoming::default(),
            media: SentMedia::of(req),
        };
        if self.message_order.len() >= self.retention.messages {
            self.trim_messages();
        }
        self.message_bytes += message.retained_bytes();
        self.message_order.push_back(wamid.clone());
        self.messages.insert(wamid.clone(), Box::new(message));
        let timeline = if draft.free_form && !in_window {
            Timeline::failed(ErrorKind::ReEngagement)
        } else if limit.is_some_and(|n| self.recipients.marketing_counted(&recipient, now) >= n) {
            Timeline::failed(ErrorKind::EcosystemEngagement)
        } else {
            self.recipients
                .timeline(&recipient, draft.marketing, draft.ttl, draft.rules)
        };
        if limit.is_some() && timeline.delivers() {
            self.recipients.count_marketing(&recipient, now);
        }
        let mut accepted = Accepted {
            wamid: wamid.clone(),
            user_id: (!to_phone).then(|| input.clone()),
            wa_id: recipient.wa_id.clone().filter(|_| to_phone),
            input,
            message_status: is_template.then_some(SendStatus::Accepted),
        };
        if let Some(by) = draft.held_by {
            accepted.message_status = Some(SendStatus::HeldForQualityAssessment);
            self.held.push(Held {
                by,
                wamid,
                timeline,
                held_at: now,
            });
            return accepted;
        }
        if timeline.sent {
            self.step(&wamid, MessageStatus::Sent, None, now);
        }
        if let Some(message) = self.messages.get_mut(&wamid) {
            message.upcoming = Upcoming::new(now, timeline.steps);
        }
        accepted
    }

    /// A template send from the WABA at `waba_idx` is refused while its portfolio is under
    /// review, and when the WABA has no payment method.
    fn check_template_sender(&self, waba_idx: usize, rules: Rules) -> Result<(), Refusal> {
        let waba = &self.wabas[waba_idx];
        if let Some(business) = self.businesses.iter().find(|b| b.id == waba.business_id) {
            business.check_review(rules)?;
        }
        waba.check_funding()
    }

    /// Counts a send of the template at `template_idx` from the WABA at `waba_idx` under
    /// pacing: portfolio pacing first, then template pacing. What holds the send, if one does.
    fn pace(&mut self, waba_idx: usize, template_idx: usize, rules: Rules) -> Option<HeldBy> {
        let threshold = self.pacing_threshold;
        let business_id = &self.wabas[waba_idx].business_id;
        if let Some(business) = self.businesses.iter_mut().find(|b| &b.id == business_id)
            && business.pace(threshold, rules)
        {
            return Some(HeldBy::Portfolio(business.id.clone()));
        }
        let template = &mut self.templates[template_idx];
        template
            .pace(threshold)
            .then(|| HeldBy::Template(template.id.clone()))
    }

    /// How many messages template pacing holds for the template `id`.
    pub(crate) fn held_by_template(&self, id: &TemplateId) -> usize {
        let by = HeldBy::Template(id.clone());
        self.held.iter().filter(|h| h.by == by).count()
    }

    /// How many messages business portfolio pacing holds for the portfolio `id`.
    pub(crate) fn held_by_portfolio(&self, id: &BusinessId) -> usize {
        let by = HeldBy::Portfolio(id.clone());
        self.held.iter().filter(|h| h.by == by).count()
    }

    /// When the batch `by` holds began (its oldest message was held), if it holds any.
    fn batch_start(&self, by: &HeldBy) -> Option<Timestamp> {
        self.held.iter().find(|h| &h.by == by).map(|h| h.held_at)
    }

    /// Ends a batch `by` holds: its held messages, oldest first, taken out.
    fn take_held(&mut self, by: &HeldBy) -> Vec<Held> {
        let (taken, kept) = std::mem::take(&mut self.held)
            .into_iter()
            .partition(|h| &h.by == by);
        self.held = kept;
        taken
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
        self.step_with(wamid, at, |_| Some((status, error)));
    }

    /// [`Self::step`] to the status (and error) `pick` takes from the message, if it takes one:
    /// the message is looked up once.
    fn step_with(
        &mut self,
        wamid: &Wamid,
        at: Timestamp,
        pick: impl FnOnce(&mut Message) -> Option<(MessageStatus, Option<ErrorKind>)>,
    ) {
        let Some(message) = self.messages.get_mut(wamid) else {
            return;
        };
        let Some((status, error)) = pick(message) else {
            return;
        };
        let names = Names {
            display_phone_number: self
                .phones
                .iter()
                .find(|p| p.id == message.phone_number_id)
                .map(|p| p.display_phone_number.clone())
                .unwrap_or_default(),
            recipient_name: self.recipients.profile(&message.recipient).name,
        };
        if let Ok(change) = message.transition(status, at, error, names) {
            self.outbox.push(at, EventKind::MessageStatus(change));
        }
    }
}

impl Session<'_> {
    /// Schedules the next of a message's upcoming steps. Its job takes that step and schedules
    /// the next, so a timeline holds one job on the clock at a time, each at the time it would
    /// have had on its own; a message trimmed away ends its timeline.
    pub(super) fn schedule_timeline(&self, wamid: Wamid) {
        let Some(at) = self.messages.get(&wamid).and_then(|m| m.upcoming.next_at()) else {
            return;
        };
        self.schedule_step(at, wamid);
    }

    fn schedule_step(&self, at: Timestamp, wamid: Wamid) {
        let job = self.job(move |session, at| {
            let mut next = None;
            session.state().step_with(&wamid, at, |message| {
                let step = message.upcoming.take();
                next = message.upcoming.next_at();
                step
            });
            if let Some(next) = next {
                session.schedule_step(next, wamid);
            }
        });
        self.sandbox.clock.schedule_at(at, job);
    }
}
