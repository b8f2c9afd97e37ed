//! A sandbox's starting state, built from the [`WorldSpec`]: its businesses, WABAs, phone
//! numbers, templates and recipient profiles. The default sandbox keeps the ids the world
//! fixes; every other sandbox draws its own from its id streams.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use super::{ObjectKind, Sandbox, SandboxState};
use crate::clock::{Clock, Timestamp};
use crate::domain::events::Outbox;
use crate::domain::media::MediaLibrary;
use crate::domain::recipient::Recipients;
use crate::domain::template::Template;
use crate::domain::upload::Uploads;
use crate::domain::waba::{Business, PhoneNumber, PortfolioPacing, Waba, WabaSettings};
use crate::faults::Faults;
use crate::ids::{BusinessId, IdStreams, PhoneNumberId, TemplateId, Token, WabaId};
use crate::world::{FundingSpec, WorldSpec};

/// How old default-world templates are at startup (synced, not yet dormant).
const PRESEEDED_TEMPLATE_AGE: Duration = Duration::from_secs(3600);

impl Sandbox {
    /// A sandbox of `world`'s shape on `clock`, whose runner starts with it.
    pub(super) fn build(
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
            jobs_bytes: AtomicUsize::new(0),
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
            changes: tokio::sync::watch::Sender::new(0),
        }))
    }
}

impl SandboxState {
    /// `world`'s objects as of `now`, with the world's own ids if `fixed_ids`, else drawn from
    /// `ids`.
    pub(super) fn build(
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
            messages: HashMap::default(),
            message_order: VecDeque::new(),
            recipients: Recipients::default(),
            marketing_limit: world.marketing_limit,
            pacing_threshold: world.template_pacing_threshold,
            held: Vec::new(),
            received: VecDeque::new(),
            subscriptions: HashMap::new(),
            journal: VecDeque::new(),
            journal_seq: 0,
            journal_bytes: 0,
            message_bytes: 0,
            media: MediaLibrary::default(),
            app_id: String::new(),
            uploads: Uploads::default(),
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
                created_at: now,
                intent_request_id: None,
                pacing: PortfolioPacing {
                    paced: b.portfolio_pacing,
                    ..PortfolioPacing::default()
                },
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
                    settings: WabaSettings {
                        timezone_id: w.timezone_id.clone().unwrap_or_else(|| "1".to_owned()),
                        ..WabaSettings::default()
                    },
                    template_creations: Vec::new(),
                    primary_funding_id: FundingSpec::funding_id(
                        w.primary_funding_id.as_ref(),
                        waba_id.as_str(),
                    ),
                });
                for p in &w.phone_numbers {
                    let (quality_rating, messaging_limit_tier) = p.quality()?;
                    state.phones.push(PhoneNumber {
                        id: PhoneNumberId::new(id(&p.id, &mut ids)),
                        waba_id: waba_id.clone(),
                        display_phone_number: p.display_phone_number.as_str().into(),
                        verified_name: p.verified_name.clone(),
                        quality_rating,
                        messaging_limit_tier,
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
                    let price = req.optimization_spec.clone();
                    let mut template =
                        Template::create(template_id, waba_id.clone(), req, price, created);
                    template.status = t.status;
                    template.sub_category.clone_from(&t.sub_category);
                    template
                        .library_template_name
                        .clone_from(&t.library_template_name);
                    state.templates.push(template);
                }
            }
        }
        state.app_id = match &world.app_id {
            Some(fixed) if fixed_ids => fixed.clone(),
            _ => ids.uploads.numeric_id(),
        };
        for r in &world.recipients {
            let who = r.identity()?;
            state.recipients.set_profile(&who, r.profile.clone());
        }
        state.index_objects();
        state.ids = ids;
        Ok(state)
    }

    /// Indexes what each object id names, for the Graph edge's lookup.
    pub(super) fn index_objects(&mut self) {
        let state = self;
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
            (ObjectKind::App, vec![state.app_id.as_str()]),
            (
                ObjectKind::Media,
                state.media.iter().map(|m| m.id.as_str()).collect(),
            ),
            (
                ObjectKind::UploadSession,
                state.uploads.sessions().map(|(id, _)| id).collect(),
            ),
        ];
        // Inserted in reverse precedence, so a clash resolves as the old linear lookup did.
        let objects: HashMap<Arc<str>, ObjectKind> = kinds
            .into_iter()
            .rev()
            .flat_map(|(kind, ids)| ids.into_iter().map(move |id| (Arc::from(id), kind)))
            .collect();
        state.objects = objects;
    }
}
