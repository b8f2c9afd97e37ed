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
    AccountEvent, AccountUpdate, BanInfo, BanState, BusinessCapabilityUpdate, ButtonReply,
    ChangeValue, Conversation, ConversationOrigin, DisconnectionInfo, DisconnectionInitiator,
    DisconnectionReason, INTERACTIVE_REPLIES, IdChange, InboundContext, InboundLocation,
    InboundMedia, InboundMessage, InboundReaction, InboundText, LinkClickData, MarketingPreference,
    MessagesValue, MessagingLimitTier, Metadata, PauseTitle, PhoneQualityEvent, PhoneQualityUpdate,
    Pricing, PricingModel, Profile, QualityScore, Referral, Restriction, RestrictionType, Status,
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

/// What an inbound message carries, before it is put in its message.
#[derive(Clone, Debug)]
enum InboundBody {
    Text(String),
    Button(String, InboundContext),
    Media(&'static str, InboundMedia),
    Location(InboundLocation),
    Contacts(Vec<Value>),
    Reaction(InboundReaction),
    Interactive(Value),
}

/// A media node of `kind` as Meta sends it: id, type, base64 SHA-256, maybe a caption.
fn media_body() -> impl Strategy<Value = InboundBody> {
    (
        select(&InboundMedia::TYPES[..]),
        "[0-9]{15,16}",
        "[A-Za-z0-9+/]{43}=",
        option::of(atoms::text()),
        any::<bool>(),
    )
        .prop_map(|(kind, id, sha256, caption, flag)| {
            let mime_type = match kind {
                "image" => "image/jpeg",
                "video" => "video/mp4",
                "audio" => "audio/ogg; codecs=opus",
                "document" => "application/pdf",
                _ => "image/webp",
            };
            InboundBody::Media(
                kind,
                InboundMedia {
                    id,
                    mime_type: mime_type.to_owned(),
                    sha256: Some(sha256),
                    caption: caption.filter(|_| matches!(kind, "image" | "video" | "document")),
                    filename: (kind == "document").then(|| "invoice.pdf".to_owned()),
                    voice: (kind == "audio").then_some(flag),
                    animated: (kind == "sticker").then_some(flag),
                    extra: Map::new(),
                },
            )
        })
}

/// One inbound message of any type a user sends, sometimes with the ad that referred them.
fn inbound_message(
    from: Option<String>,
    user_id: Option<String>,
) -> impl Strategy<Value = InboundMessage> {
    let body = prop_oneof![
        atoms::text().prop_map(InboundBody::Text),
        (atoms::text(), atoms::wa_id(), atoms::wamid())
            .prop_map(|(label, from, id)| InboundBody::Button(label, InboundContext { from, id })),
        media_body(),
        (-90.0..90.0f64, -180.0..180.0f64, option::of(atoms::text())).prop_map(
            |(latitude, longitude, name)| InboundBody::Location(InboundLocation {
                latitude,
                longitude,
                name,
                address: None,
                url: None,
            })
        ),
        (atoms::name(), atoms::phone_number()).prop_map(|(name, phone)| InboundBody::Contacts(
            vec![json!({"name": {"formatted_name": name, "first_name": name},
                "phones": [{"phone": phone, "type": "CELL"}]})]
        )),
        (atoms::wamid(), option::of(Just("\u{1F44D}".to_owned()))).prop_map(
            |(message_id, emoji)| InboundBody::Reaction(InboundReaction { message_id, emoji })
        ),
        (select(&INTERACTIVE_REPLIES[..]), atoms::text()).prop_map(|(kind, title)| {
            let node = match kind {
                "nfm_reply" => json!({"name": "flow", "body": "Sent", "response_json": "{}"}),
                _ => json!({"id": "option-1", "title": title}),
            };
            InboundBody::Interactive(json!({"type": kind, kind: node}))
        }),
    ];
    let referral = option::of((atoms::url(), "[0-9]{15}", atoms::text()).prop_map(
        |(source_url, source_id, headline)| Referral {
            source_url,
            source_id,
            source_type: "ad".to_owned(),
            body: None,
            headline: Some(headline),
            media_type: Some("image".to_owned()),
            image_url: None,
            video_url: None,
            thumbnail_url: None,
            ctwa_clid: Some("ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMXP5ctQ".to_owned()),
        },
    ));
    (atoms::wamid(), atoms::timestamp(), body, referral).prop_map(
        move |(id, timestamp, body, referral)| {
            let kind = match &body {
                InboundBody::Text(_) => "text",
                InboundBody::Button(..) => "button",
                InboundBody::Media(kind, _) => kind,
                InboundBody::Location(_) => "location",
                InboundBody::Contacts(_) => "contacts",
                InboundBody::Reaction(_) => "reaction",
                InboundBody::Interactive(_) => "interactive",
            };
            let mut message = InboundMessage::of_type(id, timestamp, kind);
            message.from = from.clone();
            message.from_user_id = user_id.clone();
            message.referral = referral;
            match body {
                InboundBody::Text(body) => message.text = Some(InboundText { body }),
                InboundBody::Button(label, context) => {
                    message.button = Some(ButtonReply {
                        payload: label.clone(),
                        text: label,
                    });
                    message.context = Some(context);
                }
                InboundBody::Media(kind, media) => {
                    if let Some(node) = message.media_mut(kind) {
                        *node = Some(media);
                    }
                }
                InboundBody::Location(location) => message.location = Some(location),
                InboundBody::Contacts(cards) => message.contacts = Some(cards),
                InboundBody::Reaction(reaction) => message.reaction = Some(reaction),
                InboundBody::Interactive(reply) => message.interactive = Some(reply),
            }
            message
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

/// An `account_update` webhook: the portfolio signed the MM API terms, or one of the account
/// events with the object each carries. `entry.time` is an integer, as on every Graph webhook
/// entry (clients parse it as one).
pub(super) fn account_update_webhook() -> impl Strategy<Value = WebhookPayload> {
    let details = prop_oneof![
        Just(AccountDetails::default()),
        atoms::wa_id().prop_map(|number| AccountDetails {
            phone_number: Some(number),
            ..AccountDetails::default()
        }),
        (
            vec(select(&RestrictionType::ALL[..]), 1..3),
            atoms::unix_seconds()
        )
            .prop_map(|(types, until)| AccountDetails {
                restriction_info: Some(
                    types
                        .into_iter()
                        .map(|kind| Restriction {
                            restriction_type: kind.into(),
                            expiration: Value::from(until),
                        })
                        .collect(),
                ),
                ..AccountDetails::default()
            }),
        select(&BanState::ALL[..]).prop_map(|state| AccountDetails {
            ban_info: Some(BanInfo {
                waba_ban_state: state.into(),
                waba_ban_date: "April 17, 2025".to_owned(),
            }),
            ..AccountDetails::default()
        }),
        (
            select(&DisconnectionReason::ALL[..]),
            select(&DisconnectionInitiator::ALL[..])
        )
            .prop_map(|(reason, by)| AccountDetails {
                disconnection_info: Some(DisconnectionInfo {
                    reason: reason.into(),
                    initiated_by: by.into(),
                }),
                ..AccountDetails::default()
            }),
    ];
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        atoms::graph_id(),
        atoms::graph_id(),
        details,
    )
        .prop_map(|(entry, time, waba_id, owner_business_id, details)| {
            let event = details.event();
            let waba_info = (event.is_onboarding() || event == AccountEvent::PartnerRemoved)
                .then_some(WabaInfo {
                    waba_id,
                    owner_business_id,
                    ad_account_id: None,
                });
            let update = AccountUpdate {
                event: event.into(),
                waba_info,
                phone_number: details.phone_number,
                restriction_info: details.restriction_info,
                ban_info: details.ban_info,
                disconnection_info: details.disconnection_info,
                extra: Map::new(),
            };
            WebhookPayload::single(
                entry,
                Some(Value::from(time)),
                "account_update",
                ChangeValue::AccountUpdate(Box::new(update)),
            )
        })
}

/// The object an account event carries; none for the terms signature.
#[derive(Clone, Debug, Default)]
struct AccountDetails {
    phone_number: Option<String>,
    restriction_info: Option<Vec<Restriction>>,
    ban_info: Option<BanInfo>,
    disconnection_info: Option<DisconnectionInfo>,
}

impl AccountDetails {
    /// The event whose object this is.
    fn event(&self) -> AccountEvent {
        if self.phone_number.is_some() {
            AccountEvent::VerifiedAccount
        } else if self.restriction_info.is_some() {
            AccountEvent::AccountRestriction
        } else if self.ban_info.is_some() {
            AccountEvent::DisabledUpdate
        } else if self.disconnection_info.is_some() {
            AccountEvent::PartnerRemoved
        } else {
            AccountEvent::MmLiteTermsSigned
        }
    }
}

/// A `phone_number_quality_update` webhook, with both spellings of the limit.
pub(super) fn phone_quality_webhook() -> impl Strategy<Value = WebhookPayload> {
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        atoms::wa_id(),
        select(&PhoneQualityEvent::ALL[..]),
        select(&MessagingLimitTier::ALL[..]),
        option::of(select(&MessagingLimitTier::ALL[..])),
    )
        .prop_map(|(waba, time, number, event, tier, old)| {
            let update = PhoneQualityUpdate {
                display_phone_number: number,
                event: event.into(),
                old_limit: old.map(Open::from),
                current_limit: Some(tier.into()),
                max_daily_conversations_per_business: Some(tier.into()),
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                Some(Value::from(time)),
                "phone_number_quality_update",
                ChangeValue::PhoneQuality(Box::new(update)),
            )
        })
}

/// A `business_capability_update` webhook; the portfolio's limit always, the rest sometimes.
pub(super) fn business_capability_webhook() -> impl Strategy<Value = WebhookPayload> {
    let count = prop_oneof![Just(-1_i64), 1_i64..100];
    (
        atoms::graph_id(),
        atoms::unix_seconds(),
        select(&BusinessCapabilityUpdate::DAILY_LIMITS[..]),
        any::<bool>(),
        option::of(count.clone()),
        option::of(count),
    )
        .prop_map(|(waba, time, daily, legacy, per_business, per_waba)| {
            let update = BusinessCapabilityUpdate {
                max_daily_conversation_per_phone: legacy.then_some(daily),
                max_daily_conversations_per_business: Some(daily),
                max_phone_numbers_per_business: per_business,
                max_phone_numbers_per_waba: per_waba,
                extra: Map::new(),
            };
            WebhookPayload::single(
                waba,
                Some(Value::from(time)),
                "business_capability_update",
                ChangeValue::BusinessCapability(Box::new(update)),
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
