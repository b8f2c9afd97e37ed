//! Webhooks of every kind the mock emits, in their envelope.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::atoms;
use crate::payload::enums::Open;
use crate::payload::template::TemplateCategory;
use crate::payload::webhook::{
    AccountEvent, AccountUpdate, ButtonReply, ChangeValue, Conversation, ConversationOrigin,
    IdChange, InboundContext, InboundMessage, InboundText, LinkClickData, MarketingPreference,
    MessagesValue, Metadata, PauseTitle, Pricing, PricingModel, Profile, QualityScore, Status,
    StatusKind, TemplateCategoryUpdate, TemplateDisableInfo, TemplateOtherInfo,
    TemplateQualityUpdate, TemplateStatusReason, TemplateStatusUpdate, UserAction, UserIdUpdate,
    UserIdUpdateValue, UserPreference, UserPreferencesValue, WabaInfo, WebhookContact,
    WebhookError, WebhookErrorData, WebhookPayload,
};
use crate::{Catalogue, ErrorKind};

/// Errors a `failed` status can carry.
const DELIVERY_FAILURES: [ErrorKind; 4] = [
    ErrorKind::MessageUndeliverable,
    ErrorKind::EcosystemEngagement,
    ErrorKind::UserStoppedMarketing,
    ErrorKind::TtlExpired,
];

/// `metadata`: the business number.
fn metadata() -> impl Strategy<Value = Metadata> {
    (atoms::wa_id(), atoms::graph_id()).prop_map(|(display_phone_number, phone_number_id)| {
        Metadata {
            display_phone_number,
            phone_number_id,
        }
    })
}

/// A user profile, sometimes with the user's BSUID.
fn contact() -> impl Strategy<Value = WebhookContact> {
    // Since April 2026 every contact has a BSUID; the phone number only when it can be shared.
    (atoms::name(), option::of(atoms::wa_id()), atoms::bsuid()).prop_map(
        |(name, wa_id, user_id)| WebhookContact {
            profile: Profile { name },
            wa_id,
            user_id: Some(user_id),
            parent_user_id: None,
        },
    )
}

/// A `messages` value around `statuses` or inbound `messages`.
fn messages_value(
    contacts: Vec<WebhookContact>,
    statuses: Vec<Status>,
    messages: Vec<InboundMessage>,
    metadata: Metadata,
) -> ChangeValue {
    ChangeValue::Messages(Box::new(MessagesValue {
        messaging_product: "whatsapp".to_owned(),
        metadata,
        contacts,
        statuses,
        messages,
        errors: Vec::new(),
        user_actions: Vec::new(),
        extra: Map::new(),
    }))
}

/// The webhook form of a catalogue error, as a failed status carries it.
fn delivery_failure() -> impl Strategy<Value = WebhookError> {
    select(&DELIVERY_FAILURES[..]).prop_map(|kind| {
        let entry = Catalogue::builtin().get(kind);
        WebhookError {
            code: entry.code,
            title: entry.message.clone(),
            message: Some(entry.message.clone()),
            error_data: entry
                .details
                .clone()
                .map(|details| WebhookErrorData { details }),
            href: Some("/documentation/business-messaging/whatsapp/support/error-codes".to_owned()),
        }
    })
}

/// Pricing for either route, and the conversation Graph sent before v24.0.
fn pricing() -> impl Strategy<Value = (Pricing, Option<Conversation>)> {
    (
        select(
            &[
                "marketing_lite",
                "marketing",
                "utility",
                "authentication",
                "service",
            ][..],
        ),
        option::of(any::<bool>()),
        option::of(select(
            &["regular", "free_customer_service", "free_entry_point"][..],
        )),
        option::of(("[0-9a-f]{32}", option::of(atoms::timestamp()))),
    )
        .prop_map(|(category, billable, pricing_type, conversation)| {
            let pricing = Pricing {
                billable,
                pricing_model: PricingModel::Pmp.into(),
                pricing_type: pricing_type.map(Open::from),
                category: category.into(),
            };
            let conversation = conversation.map(|(id, expiration_timestamp)| Conversation {
                id,
                expiration_timestamp,
                origin: ConversationOrigin {
                    origin_type: category.to_owned(),
                },
            });
            (pricing, conversation)
        })
}

/// One status: `failed` ones carry errors and no pricing; others may carry pricing.
fn status() -> impl Strategy<Value = Status> {
    let outcome = prop_oneof![
        3 => (
            select(&[StatusKind::Sent, StatusKind::Delivered, StatusKind::Read, StatusKind::Played][..]),
            option::of(pricing()),
        )
            .prop_map(|(kind, priced)| (kind, priced, Vec::new())),
        1 => vec(delivery_failure(), 1..=2).prop_map(|errors| (StatusKind::Failed, None, errors)),
    ];
    (
        atoms::wamid(),
        outcome,
        atoms::timestamp(),
        (atoms::wa_id(), option::of(atoms::bsuid())),
        option::of("[ -~]{1,64}"),
    )
        .prop_map(
            |(id, (status, priced, errors), timestamp, (recipient_id, user_id), callback)| {
                let (pricing, conversation) = priced.unzip();
                Status {
                    id,
                    status,
                    timestamp,
                    recipient_id: Some(recipient_id),
                    recipient_user_id: user_id,
                    recipient_parent_user_id: None,
                    conversation: conversation.flatten(),
                    pricing,
                    errors,
                    biz_opaque_callback_data: callback,
                    extra: Map::new(),
                }
            },
        )
}

/// A `messages` webhook with one to five statuses batched, with or without `contacts`.
pub(super) fn status_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        metadata(),
        vec(contact(), 0..=2),
        vec(status(), 1..=5),
    )
        .prop_map(|(waba, metadata, contacts, statuses)| {
            WebhookPayload::single(
                waba,
                None,
                "messages",
                messages_value(contacts, statuses, Vec::new(), metadata),
            )
        })
}

/// One inbound message: text (any script), a quick-reply tap on a template, or an image.
fn inbound_message(
    from: Option<String>,
    user_id: Option<String>,
) -> impl Strategy<Value = InboundMessage> {
    let body = prop_oneof![
        atoms::text().prop_map(|body| ("text", Some(InboundText { body }), None, None, None)),
        (atoms::text(), atoms::wa_id(), atoms::wamid()).prop_map(|(label, business, id)| (
            "button",
            None,
            Some(ButtonReply {
                payload: label.clone(),
                text: label,
            }),
            Some(InboundContext { from: business, id }),
            None,
        )),
        ("[0-9]{15,16}", option::of(atoms::text())).prop_map(|(id, caption)| (
            "image",
            None,
            None,
            None,
            Some(match caption {
                Some(caption) => json!({"id": id, "mime_type": "image/jpeg", "caption": caption}),
                None => json!({"id": id, "mime_type": "image/jpeg"}),
            }),
        )),
    ];
    (atoms::wamid(), atoms::timestamp(), body).prop_map(
        move |(id, timestamp, (kind, text, button, context, image))| {
            let mut extra = Map::new();
            if let Some(image) = image {
                extra.insert("image".to_owned(), image);
            }
            InboundMessage {
                from: from.clone(),
                from_user_id: user_id.clone(),
                from_parent_user_id: None,
                id,
                timestamp,
                message_type: kind.to_owned(),
                text,
                button,
                interactive: None,
                context,
                system: None,
                errors: Vec::new(),
                extra,
            }
        },
    )
}

/// A `messages` webhook with messages a user sent, and the user's profile.
pub(super) fn inbound_message_webhook() -> impl Strategy<Value = WebhookPayload> {
    (atoms::graph_id(), metadata(), contact())
        .prop_flat_map(|(waba, metadata, contact)| {
            let (from, user_id) = (contact.wa_id.clone(), contact.user_id.clone());
            (
                Just(waba),
                Just(metadata),
                Just(contact),
                vec(inbound_message(from, user_id), 1..=3),
            )
        })
        .prop_map(|(waba, metadata, contact, messages)| {
            WebhookPayload::single(
                waba,
                None,
                "messages",
                messages_value(vec![contact], Vec::new(), messages, metadata),
            )
        })
}

/// One link click on an MM API message, with or without a product (Meta leaves out what it
/// does not know).
fn link_click() -> impl Strategy<Value = UserAction> {
    (
        atoms::timestamp(),
        select(&LinkClickData::CLICK_COMPONENTS[..]),
        option::of("[0-9]{6,16}"),
        "[A-Za-z0-9_-]{20,60}",
        "[0-9a-f]{32}",
    )
        .prop_map(
            |(timestamp, component, product_id, click_id, tracking_token)| UserAction {
                action_type: UserAction::MARKETING_MESSAGES_LINK_CLICK.to_owned(),
                timestamp,
                marketing_messages_link_click_data: Some(LinkClickData {
                    click_component: Some(component.to_owned()),
                    product_id,
                    click_id: Some(click_id),
                    tracking_token: Some(tracking_token),
                    extra: Map::new(),
                }),
                extra: Map::new(),
            },
        )
}

/// A `messages` webhook reporting one or two link clicks, as Meta documents it (no `contacts`).
pub(super) fn user_actions_webhook() -> impl Strategy<Value = WebhookPayload> {
    (atoms::graph_id(), metadata(), vec(link_click(), 1..=2)).prop_map(
        |(waba, metadata, user_actions)| {
            let value = MessagesValue {
                messaging_product: "whatsapp".to_owned(),
                metadata,
                contacts: Vec::new(),
                statuses: Vec::new(),
                messages: Vec::new(),
                errors: Vec::new(),
                user_actions,
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                None,
                "messages",
                ChangeValue::Messages(Box::new(value)),
            )
        },
    )
}

/// A `message_template_status_update` webhook; rejections carry a reason, deletions may not.
pub(super) fn template_status_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        select(&TemplateStatusUpdate::EVENTS[..]),
        1_000_000_000_000_000u64..10_000_000_000_000_000,
        atoms::template_name(),
        atoms::language(),
        option::of(select(&TemplateStatusReason::NAMES[..])),
        option::of(select(
            &[
                TemplateCategory::Marketing,
                TemplateCategory::Utility,
                TemplateCategory::Authentication,
            ][..],
        )),
    )
        .prop_map(
            |(waba, time, event, id, name, language, reason, category)| {
                let reason = match (event, reason) {
                    ("REJECTED", None) => Some("INVALID_FORMAT"),
                    _ => reason,
                };
                let rejection_info = (event == "REJECTED").then(|| {
                    json!({"reason": "The template does not follow the formatting rules.",
                       "recommendation": "Remove the leading placeholder."})
                });
                let update = TemplateStatusUpdate {
                    event: event.to_owned(),
                    message_template_id: id,
                    message_template_name: name,
                    message_template_language: language,
                    reason: reason.map(Open::from),
                    message_template_category: category,
                    rejection_info,
                    disable_info: (event == "DISABLED")
                        .then_some(TemplateDisableInfo { disable_date: time }),
                    other_info: pause_info(event),
                    extra: Map::new(),
                };
                WebhookPayload::single(
                    waba,
                    Some(Value::from(time)),
                    "message_template_status_update",
                    ChangeValue::TemplateStatus(Box::new(update)),
                )
            },
        )
}

/// The `other_info` Meta sends with a pause, a resumption or a disabling.
fn pause_info(event: &str) -> Option<TemplateOtherInfo> {
    let (title, description) = match event {
        "PAUSED" => (
            PauseTitle::FirstPause,
            "Your template has been paused for 3 hours.",
        ),
        "DISABLED" => (PauseTitle::Disabled, "Your template has been disabled."),
        _ => return None,
    };
    Some(TemplateOtherInfo {
        title: title.into(),
        description: description.to_owned(),
    })
}

/// An `account_update` webhook: the portfolio signed the MM API terms. `entry.time` is an
/// integer, as on every Graph webhook entry (clients parse it as one).
pub(super) fn account_update_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        atoms::graph_id(),
        atoms::graph_id(),
    )
        .prop_map(|(partner, time, waba_id, owner_business_id)| {
            let update = AccountUpdate {
                event: AccountEvent::MmLiteTermsSigned.into(),
                waba_info: Some(WabaInfo {
                    waba_id,
                    owner_business_id,
                    ad_account_id: None,
                }),
                extra: Map::new(),
            };
            WebhookPayload::single(
                partner,
                Some(Value::from(time)),
                "account_update",
                ChangeValue::AccountUpdate(Box::new(update)),
            )
        })
}

const CATEGORIES: [TemplateCategory; 3] = [
    TemplateCategory::Marketing,
    TemplateCategory::Utility,
    TemplateCategory::Authentication,
];

/// A `user_preferences` webhook: a user stopped or resumed marketing messages.
pub(super) fn user_preferences_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        metadata(),
        contact(),
        select(&MarketingPreference::NAMES[..]),
        atoms::unix_seconds(),
    )
        .prop_map(|(waba, metadata, contact, choice, at)| {
            let preference = UserPreference {
                wa_id: contact.wa_id.clone(),
                user_id: contact.user_id.clone(),
                parent_user_id: None,
                detail: format!("User requested to {choice} marketing messages"),
                category: UserPreference::MARKETING_MESSAGES.to_owned(),
                value: choice.into(),
                timestamp: Value::from(at),
            };
            let value = UserPreferencesValue {
                messaging_product: "whatsapp".to_owned(),
                metadata,
                contacts: vec![contact],
                user_preferences: vec![preference],
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                None,
                "user_preferences",
                ChangeValue::UserPreferences(Box::new(value)),
            )
        })
}

/// A `user_id_update` webhook: a user's BSUID changed.
pub(super) fn user_id_update_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        metadata(),
        contact(),
        atoms::bsuid(),
        atoms::timestamp(),
    )
        .prop_map(|(waba, metadata, contact, previous, timestamp)| {
            let update = UserIdUpdate {
                wa_id: contact.wa_id.clone(),
                detail: format!("User id for {} has been updated.", contact.profile.name),
                user_id: IdChange {
                    previous,
                    current: contact.user_id.clone().unwrap_or_default(),
                },
                parent_user_id: None,
                timestamp,
            };
            let value = UserIdUpdateValue {
                messaging_product: "whatsapp".to_owned(),
                metadata,
                contacts: vec![contact],
                user_id_update: vec![update],
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                None,
                "user_id_update",
                ChangeValue::UserIdUpdate(Box::new(value)),
            )
        })
}

/// A `message_template_quality_update` webhook.
pub(super) fn template_quality_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        select(&QualityScore::NAMES[..]),
        select(&QualityScore::NAMES[..]),
        1_000_000_000_000_000u64..10_000_000_000_000_000,
        atoms::template_name(),
        atoms::language(),
    )
        .prop_map(|(waba, time, previous, new, id, name, language)| {
            let update = TemplateQualityUpdate {
                previous_quality_score: previous.into(),
                new_quality_score: new.into(),
                message_template_id: id,
                message_template_name: name,
                message_template_language: language,
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                Some(Value::from(time)),
                "message_template_quality_update",
                ChangeValue::TemplateQuality(Box::new(update)),
            )
        })
}

/// A `template_category_update` webhook, impending or completed.
pub(super) fn template_category_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        1_000_000_000_000_000u64..10_000_000_000_000_000,
        atoms::template_name(),
        atoms::language(),
        select(&CATEGORIES[..]),
        select(&CATEGORIES[..]),
        any::<bool>(),
    )
        .prop_map(
            |(waba, time, id, name, language, previous, new, impending)| {
                let update = TemplateCategoryUpdate {
                    message_template_id: id,
                    message_template_name: name,
                    message_template_language: language,
                    previous_category: (!impending).then_some(previous),
                    new_category: new,
                    correct_category: impending.then_some(new),
                    category_update_timestamp: impending.then_some(time + 86_400),
                    extra: Map::new(),
                };
                WebhookPayload::single(
                    waba,
                    Some(Value::from(time)),
                    "template_category_update",
                    ChangeValue::TemplateCategory(Box::new(update)),
                )
            },
        )
}
