//! Domain values as the admin API's wire types ([`wa_contract::admin`]).

use serde_json::Value;
use wa_contract::admin as wire;
use wa_contract::payload::template::TemplateStatus;
use wa_contract::payload::webhook::TemplateStatusReason;
use wa_contract::{Catalogue, ErrorKind};

use crate::clock::ClockMode;
use crate::domain::click::Click;
use crate::domain::events::EventKind;
use crate::domain::inbound::Received;
use crate::domain::message::{Message, Paced};
use crate::domain::recipient::Entry;
use crate::domain::waba::Business;
use crate::journal::JournalEntry;
use crate::store::{Sandbox, SandboxState};
use crate::webhooks::Attempt;

/// The sandbox as `GET /__admin/state` shows it.
pub(crate) fn state(sandbox: &Sandbox) -> wire::State {
    let state = sandbox.read();
    let s: &SandboxState = &state;
    wire::State {
        token: sandbox.token().to_string(),
        app_id: s.app_id.clone(),
        businesses: s
            .businesses
            .iter()
            .map(|b| wire::Business {
                id: b.id.to_string(),
                name: b.name.clone(),
                onboarding_status: b.onboarding,
                portfolio_pacing: Some(portfolio_pacing(s, b))
                    .filter(|p| p.paced || p.under_review || p.held > 0),
            })
            .collect(),
        wabas: s
            .wabas
            .iter()
            .map(|w| wire::Waba {
                id: w.id.to_string(),
                business_id: w.business_id.to_string(),
                name: w.name.clone(),
                marketing_messages_onboarding_status: w.onboarding,
                msc: w.msc,
                disable_marketing_messages_on_cloud_api: w.disable_marketing_on_cloud_api,
                message_activity_sharing: w.message_activity_sharing,
            })
            .collect(),
        phone_numbers: s
            .phones
            .iter()
            .map(|p| wire::PhoneNumber {
                id: p.id.to_string(),
                waba_id: p.waba_id.to_string(),
                display_phone_number: p.display_phone_number.to_string(),
            })
            .collect(),
        templates: s
            .templates
            .iter()
            .map(|t| wire::Template {
                id: t.id.to_string(),
                waba_id: t.waba_id.to_string(),
                name: t.name.clone(),
                language: t.language.clone(),
                category: t.category,
                status: t.status,
                created_at: t.created_at.to_string(),
                synced_at: t.synced_at.to_string(),
                last_mm_send: t.last_mm_send.map(|at| at.to_string()),
                components: t.components.clone(),
                parameter_format: t.parameter_format,
                message_send_ttl_seconds: t.ttl_seconds,
                // `NONE` is the domain's "not rejected", not a reason.
                rejected_reason: (t.rejected_reason != TemplateStatusReason::NoReason)
                    .then(|| t.rejected_reason.as_str().to_owned()),
                quality_score: t.quality_score.as_str().to_owned(),
                pacing: Some(wire::TemplatePacing {
                    paced: t.is_paced(s.pacing_threshold) && t.status == TemplateStatus::Approved,
                    sent: t.pacing.sent,
                    held: s.held_by_template(&t.id),
                    paused: t.pacing.paused,
                })
                .filter(|p| p.paced || p.held > 0 || p.paused),
            })
            .collect(),
    }
}

pub(crate) fn clock_mode(mode: &ClockMode) -> wire::ClockMode {
    match mode {
        ClockMode::Manual => wire::ClockMode::Manual,
        ClockMode::Realtime { .. } => wire::ClockMode::Realtime,
    }
}

pub(crate) fn recipient(entry: &Entry) -> wire::Recipient {
    let profile = &entry.profile;
    wire::Recipient {
        phone: entry.identity.wa_id.clone(),
        user_id: entry.identity.user_id.clone(),
        parent_user_id: entry.identity.parent_user_id.clone(),
        profile: wire::Profile {
            behaviour: profile.behaviour,
            name: profile.name.to_string(),
            delivered_after_seconds: profile.delivered_after_seconds,
            read_after_seconds: profile.read_after_seconds,
        },
        marketing_opted_out: entry.opted_out,
        customer_service_window_until: entry.window_until.map(|at| at.to_string()),
    }
}

pub(crate) fn received(m: &Received) -> wire::ReceivedMessage {
    wire::ReceivedMessage {
        id: m.id.to_string(),
        phone_number_id: m.phone_number_id.to_string(),
        from: m.user.wa_id.clone(),
        user_id: m.user.user_id.clone(),
        message_type: m.message_type.as_str().to_owned(),
        received_at: m.at.to_string(),
        read_at: m.read_at.map(|at| at.to_string()),
        typing_indicator_at: m.typing_indicator_at.map(|at| at.to_string()),
    }
}

/// A message; its failed statuses carry the code and title `catalogue` gives their webhooks.
pub(crate) fn message(m: &Message, catalogue: &Catalogue) -> wire::Message {
    wire::Message {
        id: m.id.to_string(),
        phone_number_id: m.phone_number_id.to_string(),
        waba_id: m.waba_id.to_string(),
        endpoint: m.endpoint.to_owned(),
        input: m.input.clone(),
        wa_id: m.wa_id().to_owned(),
        user_id: m.recipient.user_id.clone(),
        parent_user_id: m.recipient.parent_user_id.clone(),
        message_type: m.message_type.as_str().to_owned(),
        template: m.template.as_ref().map(|t| wire::TemplateRef {
            name: t.name.clone(),
            language: t.language.clone(),
            category: t.category.to_owned(),
        }),
        route: m.route,
        pricing_category: m.pricing_category.as_str().to_owned(),
        pricing_type: m.pricing_type.as_str().to_owned(),
        creative_features: m.creative_features.clone(),
        message_activity_sharing: m.message_activity_sharing,
        ttl_seconds: m.ttl_seconds,
        biz_opaque_callback_data: m.biz_opaque_callback_data.clone(),
        pacing: m.pacing.map(|p| match p {
            Paced::Held => wire::MessagePacing::Held,
            Paced::Released => wire::MessagePacing::Released,
            Paced::Dropped => wire::MessagePacing::Dropped,
        }),
        messaging_account_id: m.messaging_account.then(|| m.waba_id.to_string()),
        conversation_id: m.conversation_id.to_string(),
        created_at: m.created_at.to_string(),
        statuses: m
            .statuses
            .iter()
            .map(|s| {
                let entry = s
                    .error
                    .and_then(ErrorKind::from_key)
                    .map(|kind| catalogue.get(kind));
                wire::StatusRecord {
                    status: s.status,
                    at: s.at.to_string(),
                    error: s.error.map(str::to_owned),
                    code: entry.map(|e| e.code),
                    title: entry.map(|e| e.message.clone()),
                }
            })
            .collect(),
        clicks: m
            .clicks
            .iter()
            .map(|c| link_click(m.id.as_str(), c))
            .collect(),
        media: m
            .media
            .iter()
            .map(|s| wire::SentMedia {
                media_type: s.kind.to_owned(),
                component: s.component.to_owned(),
                id: s.id.clone(),
                link: s.link.clone(),
            })
            .collect(),
    }
}

/// A business portfolio's pacing.
pub(crate) fn portfolio_pacing(s: &SandboxState, b: &Business) -> wire::PortfolioPacing {
    wire::PortfolioPacing {
        paced: b.pacing.paced,
        under_review: b.pacing.under_review,
        held: s.held_by_portfolio(&b.id),
        messages: None,
    }
}

/// A click on message `message_id`.
pub(crate) fn link_click(message_id: &str, c: &Click) -> wire::LinkClick {
    wire::LinkClick {
        message_id: message_id.to_owned(),
        component: c.component.as_str().to_owned(),
        button_text: c.button_text.clone(),
        click_id: c.click_id.clone(),
        tracking_token: c.tracking_token.clone(),
        at: c.at.to_string(),
    }
}

/// Bytes that should hold JSON, `null` when they do not.
fn json_or_null(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

pub(crate) fn journal_entry(e: &JournalEntry) -> wire::JournalEntry {
    wire::JournalEntry {
        seq: e.seq,
        at: e.at.to_string(),
        method: e.method.to_string(),
        path: e.path.to_string(),
        status: e.status,
        request: e.request.parse().unwrap_or(Value::Null),
        request_truncated_from: e.request_truncated_from,
        response: json_or_null(&e.response),
        violations: e.violations.clone(),
    }
}

/// An event as the admin API shows it: the domain event's own serialisation, kind flattened.
/// An event; a failed status carries the code and title `catalogue` gives its webhook.
pub(crate) fn event(e: &crate::domain::events::Event, catalogue: &Catalogue) -> wire::Event {
    let mut kind = match serde_json::to_value(&e.kind) {
        Ok(Value::Object(fields)) => fields,
        _ => serde_json::Map::new(),
    };
    if let EventKind::MessageStatus(change) = &e.kind
        && let Some(error) = change.error
    {
        let entry = catalogue.get(error);
        kind.insert("code".to_owned(), Value::from(entry.code));
        kind.insert("title".to_owned(), Value::from(entry.message.clone()));
    }
    wire::Event {
        seq: e.seq,
        at: e.at.to_string(),
        kind,
    }
}

pub(crate) fn attempt(a: &Attempt) -> wire::Attempt {
    wire::Attempt {
        delivery_id: a.delivery_id,
        attempt: a.attempt,
        at: a.at.to_string(),
        url: a.url.to_string(),
        field: a.field.to_owned(),
        message_ids: a.message_ids.to_vec(),
        status: a.status,
        latency_ms: a.latency_ms,
        error: a.error.clone(),
        outcome: a.outcome,
        next_attempt_at: a.next_attempt_at.map(|at| at.to_string()),
        duplicate_of: a.duplicate_of,
        signature: a.signature.to_string(),
        body: json_or_null(&a.body),
    }
}
