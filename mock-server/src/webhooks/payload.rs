//! Events turned into the bodies Meta POSTs, built from the contract's typed webhook model.
//!
//! Statuses follow Meta's status reference: `contacts` with the recipient's profile name,
//! `pricing` where the event carries it, `conversation` only for webhook versions up to v23.0,
//! and on `failed` an `errors[]` entry rendered from the error catalogue. Several statuses of
//! one phone number may share a body (delivery chaos batches them).

use serde_json::{Map, Value};
use wa_contract::payload::enums::Open;
use wa_contract::payload::template::TemplateStatus;
use wa_contract::payload::webhook::{
    AccountEvent, AccountUpdate, ChangeValue, Conversation, ConversationOrigin, IdChange,
    LinkClickData, MarketingPreference, MessagesValue, Metadata, PauseTitle, PhoneQualityUpdate,
    Pricing, Profile, Status, StatusKind, TemplateCategoryUpdate, TemplateDisableInfo,
    TemplateOtherInfo, TemplateQualityUpdate, TemplateStatusReason, TemplateStatusUpdate,
    UserAction, UserIdUpdate, UserIdUpdateValue, UserPreference, UserPreferencesValue, WabaInfo,
    WebhookContact, WebhookError, WebhookErrorData, WebhookPayload,
};
use wa_contract::{Catalogue, GraphVersion};

use crate::clock::Timestamp;
use crate::domain::events::{
    self, AccountDetail, BusinessNumber, CapabilityChange, Event, EventKind,
    InboundMessage as Inbound, LinkClicked, PhoneQualityChange, StatusChange,
    TemplateCategoryChange, TemplateQualityChange, TemplateStatusChange, UserIdChange,
    UserPreferenceChange,
};
use crate::domain::identity::Identity;
use crate::domain::status::MessageStatus;
use crate::domain::template::status_str;

/// Where Meta's status webhooks point `errors[].href`.
pub(crate) const ERROR_CODES_HREF: &str =
    "/documentation/business-messaging/whatsapp/support/error-codes";

/// The last webhook version whose statuses carry `conversation`.
const LAST_VERSION_WITH_CONVERSATION: GraphVersion = GraphVersion::new(23, 0);

/// The `field` a webhook for `kind` is sent under.
pub(crate) fn field(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::MessageStatus(_) | EventKind::Inbound(_) | EventKind::LinkClick(_) => "messages",
        EventKind::TemplateStatus(_) => "message_template_status_update",
        EventKind::AccountUpdate(_) => "account_update",
        EventKind::UserPreference(_) => "user_preferences",
        EventKind::UserIdUpdate(_) => "user_id_update",
        EventKind::TemplateQuality(_) => "message_template_quality_update",
        EventKind::TemplateCategory(_) => "template_category_update",
        EventKind::PhoneQuality(_) => "phone_number_quality_update",
        EventKind::BusinessCapability(_) => "business_capability_update",
    }
}

/// The body for one event.
pub(crate) fn webhook(
    event: &Event,
    version: GraphVersion,
    catalogue: &Catalogue,
) -> WebhookPayload {
    match &event.kind {
        EventKind::MessageStatus(change) => statuses(&[(event.at, change)], version, catalogue),
        EventKind::TemplateStatus(change) => template_status(event.at, change),
        EventKind::AccountUpdate(update) => account_update(event.at, update),
        EventKind::Inbound(message) => inbound(message),
        EventKind::UserPreference(change) => user_preference(event.at, change),
        EventKind::UserIdUpdate(change) => user_id_update(event.at, change),
        EventKind::TemplateQuality(change) => template_quality(event.at, change),
        EventKind::TemplateCategory(change) => template_category(event.at, change),
        EventKind::LinkClick(click) => link_click(event.at, click),
        EventKind::PhoneQuality(change) => phone_quality(event.at, change),
        EventKind::BusinessCapability(change) => business_capability(event.at, change),
    }
}

/// One `messages` body carrying the statuses of `changes`, which share a WABA and phone number.
pub(crate) fn statuses(
    changes: &[(Timestamp, &StatusChange)],
    version: GraphVersion,
    catalogue: &Catalogue,
) -> WebhookPayload {
    let first = changes.first().map(|(_, c)| *c);
    let mut contacts: Vec<WebhookContact> = Vec::new();
    for (_, c) in changes {
        if !contacts
            .iter()
            .any(|k| k.user_id.as_deref() == Some(&c.recipient.user_id))
        {
            contacts.push(contact(&c.recipient_name, &c.recipient));
        }
    }
    let value = MessagesValue {
        messaging_product: "whatsapp".to_owned(),
        metadata: Metadata {
            display_phone_number: first
                .map(|c| display_digits(&c.display_phone_number))
                .unwrap_or_default(),
            phone_number_id: first
                .map(|c| c.phone_number_id.to_string())
                .unwrap_or_default(),
        },
        contacts,
        statuses: changes
            .iter()
            .map(|(at, c)| status(*at, c, version, catalogue))
            .collect(),
        messages: Vec::new(),
        errors: Vec::new(),
        user_actions: Vec::new(),
        extra: Map::new(),
    };
    let waba = first.map(|c| c.waba_id.to_string()).unwrap_or_default();
    WebhookPayload::single(
        waba,
        None,
        "messages",
        ChangeValue::Messages(Box::new(value)),
    )
}

fn status(at: Timestamp, c: &StatusChange, version: GraphVersion, catalogue: &Catalogue) -> Status {
    let kind = match c.status {
        // Never reported: the state machine refuses moving to `accepted`.
        MessageStatus::Accepted | MessageStatus::Sent => StatusKind::Sent,
        MessageStatus::Delivered => StatusKind::Delivered,
        MessageStatus::Read => StatusKind::Read,
        MessageStatus::Failed => StatusKind::Failed,
    };
    let conversation = c
        .conversation
        .as_ref()
        // From v24.0 Meta drops `conversation` except inside a free entry point.
        .filter(|conv| {
            version <= LAST_VERSION_WITH_CONVERSATION
                || conv.origin == wa_contract::payload::webhook::PricingCategory::ReferralConversion
        })
        .map(|conv| Conversation {
            id: conv.id.to_string(),
            expiration_timestamp: Some(conv.expiration.unix_seconds().to_string()),
            origin: ConversationOrigin {
                origin_type: conv.origin.as_str().to_owned(),
            },
        });
    let pricing = c.pricing.as_ref().map(|p: &events::Pricing| Pricing {
        billable: Some(p.billable),
        pricing_model: p.pricing_model.into(),
        pricing_type: Some(p.pricing_type.into()),
        category: p.category.as_str().into(),
    });
    let errors = c
        .error
        .map(|kind| {
            let entry = catalogue.for_version(kind, version);
            vec![WebhookError {
                code: entry.code,
                title: entry.message.clone(),
                message: Some(entry.message.clone()),
                error_data: entry.details.as_ref().map(|details| WebhookErrorData {
                    details: details.clone(),
                }),
                href: Some(ERROR_CODES_HREF.to_owned()),
            }]
        })
        .unwrap_or_default();
    Status {
        id: c.wamid.to_string(),
        status: kind,
        timestamp: at.unix_seconds().to_string(),
        recipient_id: c.recipient.wa_id.clone(),
        // Meta leaves the BSUID out of a `failed` status of a message sent to a phone number.
        recipient_user_id: (kind != StatusKind::Failed || !c.to_phone)
            .then(|| c.recipient.user_id.clone()),
        recipient_parent_user_id: c.recipient.parent_user_id.clone(),
        conversation,
        pricing,
        errors,
        biz_opaque_callback_data: c.biz_opaque_callback_data.clone(),
        extra: Map::new(),
    }
}

fn template_status(at: Timestamp, c: &TemplateStatusChange) -> WebhookPayload {
    let rejected = c.event == TemplateStatus::Rejected;
    let value = TemplateStatusUpdate {
        event: status_str(c.event).to_owned(),
        message_template_id: c.template_id.as_str().parse().unwrap_or_default(),
        message_template_name: c.name.clone(),
        message_template_language: c.language.clone(),
        reason: Some(c.reason.clone()),
        message_template_category: Some(c.category),
        rejection_info: rejected.then(|| rejection_info(&c.reason)),
        disable_info: (c.event == TemplateStatus::Disabled).then(|| TemplateDisableInfo {
            disable_date: u64::try_from(at.unix_seconds()).unwrap_or_default(),
        }),
        other_info: c.pause.map(|title| TemplateOtherInfo {
            title: title.into(),
            description: pause_description(title).to_owned(),
        }),
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.waba_id.to_string(),
        Some(Value::from(at.unix_seconds())),
        "message_template_status_update",
        ChangeValue::TemplateStatus(Box::new(value)),
    )
}

/// `other_info.description`: Meta's words for an unpause (its webhook reference); the others
/// are *invented* in its style.
fn pause_description(title: PauseTitle) -> &'static str {
    match title {
        PauseTitle::FirstPause => {
            "Your WhatsApp message template has been paused because of low quality."
        }
        PauseTitle::SecondPause => {
            "Your WhatsApp message template has been paused a second time because of low quality."
        }
        PauseTitle::RateLimitingPause => {
            "Your WhatsApp message template has been paused because of rate limiting."
        }
        PauseTitle::Unpause => "Your WhatsApp message template has been unpaused.",
        PauseTitle::Disabled => {
            "Your WhatsApp message template has been disabled because of repeated low quality."
        }
    }
}

/// Meta's `rejection_info`: why, in words, and what to change.
fn rejection_info(reason: &Open<TemplateStatusReason>) -> Value {
    let (why, fix) = match reason.known() {
        Some(TemplateStatusReason::InvalidFormat) => (
            "The template has a formatting issue.",
            "Check the placeholders, their examples and the component limits, then submit it again.",
        ),
        Some(TemplateStatusReason::Promotional | TemplateStatusReason::IncorrectCategory) => (
            "The template's content does not match its category.",
            "Submit the template under the category its content belongs to.",
        ),
        _ => (
            "The template does not follow WhatsApp's template guidelines.",
            "Review the template guidelines, edit the template and submit it again.",
        ),
    };
    serde_json::json!({"reason": why, "recommendation": fix})
}

/// Onboarding events go under the portfolio's id, as in partner onboarding webhooks (the mock
/// models no separate solution partner); the other account events under the WABA's, as in
/// Meta's `account_update` examples. `waba_info` names the WABA on onboarding events and
/// `PARTNER_REMOVED`, the events whose examples carry it.
fn account_update(at: Timestamp, u: &events::AccountUpdate) -> WebhookPayload {
    let onboarding = u.event.is_onboarding();
    let mut value = AccountUpdate {
        event: u.event.into(),
        waba_info: (onboarding || u.event == AccountEvent::PartnerRemoved).then(|| WabaInfo {
            waba_id: u.waba_id.to_string(),
            owner_business_id: u.business_id.to_string(),
            ad_account_id: None,
        }),
        phone_number: None,
        restriction_info: None,
        ban_info: None,
        disconnection_info: None,
        extra: Map::new(),
    };
    match &u.detail {
        AccountDetail::None => {}
        AccountDetail::PhoneNumber(n) => value.phone_number = Some(n.clone()),
        AccountDetail::RestrictionInfo(r) => value.restriction_info = Some(r.clone()),
        AccountDetail::BanInfo(b) => value.ban_info = Some(b.clone()),
        AccountDetail::DisconnectionInfo(d) => value.disconnection_info = Some(d.clone()),
    }
    let entry = if onboarding {
        u.business_id.as_str()
    } else {
        u.waba_id.as_str()
    };
    WebhookPayload::single(
        entry.to_owned(),
        Some(Value::from(at.unix_seconds())),
        "account_update",
        ChangeValue::AccountUpdate(Box::new(value)),
    )
}

fn inbound(m: &Inbound) -> WebhookPayload {
    let contacts = if m.with_contact() {
        vec![contact(&m.profile_name, &m.user)]
    } else {
        Vec::new()
    };
    let value = MessagesValue {
        messaging_product: "whatsapp".to_owned(),
        metadata: Metadata {
            display_phone_number: display_digits(&m.display_phone_number),
            phone_number_id: m.phone_number_id.to_string(),
        },
        contacts,
        statuses: Vec::new(),
        messages: vec![m.message()],
        errors: Vec::new(),
        user_actions: Vec::new(),
        extra: Map::new(),
    };
    WebhookPayload::single(
        m.waba_id.to_string(),
        None,
        "messages",
        ChangeValue::Messages(Box::new(value)),
    )
}

/// Meta's click webhook: `user_actions` with one `marketing_messages_link_click`, and, as
/// Meta's page shows it, no `contacts` and no message id — `click_id` and `tracking_token`
/// are what tie the click to the visit. `product_id` is left out: the mock assigns no
/// products.
fn link_click(at: Timestamp, c: &LinkClicked) -> WebhookPayload {
    let value = MessagesValue {
        messaging_product: "whatsapp".to_owned(),
        metadata: metadata(&c.number),
        contacts: Vec::new(),
        statuses: Vec::new(),
        messages: Vec::new(),
        errors: Vec::new(),
        user_actions: vec![UserAction {
            action_type: UserAction::MARKETING_MESSAGES_LINK_CLICK.to_owned(),
            timestamp: at.unix_seconds().to_string(),
            marketing_messages_link_click_data: Some(LinkClickData {
                click_component: Some(c.click.component.as_str().to_owned()),
                product_id: None,
                click_id: Some(c.click.click_id.clone()),
                tracking_token: Some(c.click.tracking_token.clone()),
                extra: Map::new(),
            }),
            extra: Map::new(),
        }],
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.number.waba_id.to_string(),
        None,
        "messages",
        ChangeValue::Messages(Box::new(value)),
    )
}

/// `contacts[]`: the BSUID always, the phone number and parent BSUID when known.
fn contact(name: &str, who: &Identity) -> WebhookContact {
    WebhookContact {
        profile: Profile {
            name: name.to_owned(),
        },
        wa_id: who.wa_id.clone(),
        user_id: Some(who.user_id.clone()),
        parent_user_id: who.parent_user_id.clone(),
    }
}

fn metadata(n: &BusinessNumber) -> Metadata {
    Metadata {
        display_phone_number: display_digits(&n.display_phone_number),
        phone_number_id: n.phone_number_id.to_string(),
    }
}

/// `user_preferences`: the user, and `stop` or `resume` with Meta's `detail` wording.
fn user_preference(at: Timestamp, c: &UserPreferenceChange) -> WebhookPayload {
    let detail = match c.value {
        MarketingPreference::Stop => "User requested to stop marketing messages",
        MarketingPreference::Resume => "User requested to resume marketing messages",
    };
    let value = UserPreferencesValue {
        messaging_product: "whatsapp".to_owned(),
        metadata: metadata(&c.number),
        contacts: vec![contact(&c.profile_name, &c.user)],
        user_preferences: vec![UserPreference {
            wa_id: c.user.wa_id.clone(),
            user_id: Some(c.user.user_id.clone()),
            parent_user_id: c.user.parent_user_id.clone(),
            detail: detail.to_owned(),
            category: UserPreference::MARKETING_MESSAGES.to_owned(),
            value: c.value.into(),
            timestamp: Value::from(at.unix_seconds()),
        }],
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.number.waba_id.to_string(),
        None,
        "user_preferences",
        ChangeValue::UserPreferences(Box::new(value)),
    )
}

/// `user_id_update`: the previous and current BSUID (and parent BSUID when there is one).
fn user_id_update(at: Timestamp, c: &UserIdChange) -> WebhookPayload {
    let parent = match (&c.previous.parent_user_id, &c.current.parent_user_id) {
        (Some(previous), Some(current)) => Some(IdChange {
            previous: previous.clone(),
            current: current.clone(),
        }),
        _ => None,
    };
    let value = UserIdUpdateValue {
        messaging_product: "whatsapp".to_owned(),
        metadata: metadata(&c.number),
        contacts: vec![contact(&c.profile_name, &c.current)],
        user_id_update: vec![UserIdUpdate {
            wa_id: c.current.wa_id.clone(),
            detail: format!("User id for {} has been updated.", c.profile_name),
            user_id: IdChange {
                previous: c.previous.user_id.clone(),
                current: c.current.user_id.clone(),
            },
            parent_user_id: parent,
            timestamp: at.unix_seconds().to_string(),
        }],
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.number.waba_id.to_string(),
        None,
        "user_id_update",
        ChangeValue::UserIdUpdate(Box::new(value)),
    )
}

fn template_quality(at: Timestamp, c: &TemplateQualityChange) -> WebhookPayload {
    let value = TemplateQualityUpdate {
        previous_quality_score: c.previous.into(),
        new_quality_score: c.new.into(),
        message_template_id: c.template_id.as_str().parse().unwrap_or_default(),
        message_template_name: c.name.clone(),
        message_template_language: c.language.clone(),
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.waba_id.to_string(),
        Some(Value::from(at.unix_seconds())),
        "message_template_quality_update",
        ChangeValue::TemplateQuality(Box::new(value)),
    )
}

fn template_category(at: Timestamp, c: &TemplateCategoryChange) -> WebhookPayload {
    let value = TemplateCategoryUpdate {
        message_template_id: c.template_id.as_str().parse().unwrap_or_default(),
        message_template_name: c.name.clone(),
        message_template_language: c.language.clone(),
        previous_category: c.previous,
        new_category: c.new,
        correct_category: c.correct,
        category_update_timestamp: c
            .effective_at
            .and_then(|t| u64::try_from(t.unix_seconds()).ok()),
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.waba_id.to_string(),
        Some(Value::from(at.unix_seconds())),
        "template_category_update",
        ChangeValue::TemplateCategory(Box::new(value)),
    )
}

/// `phone_number_quality_update`: the limit under both its spellings, `current_limit` (which
/// Meta deprecates) and `max_daily_conversations_per_business`, and `old_limit` when the limit
/// changed.
fn phone_quality(at: Timestamp, c: &PhoneQualityChange) -> WebhookPayload {
    let value = PhoneQualityUpdate {
        display_phone_number: display_digits(&c.number.display_phone_number),
        event: c.event.into(),
        old_limit: c.old_limit.map(Open::from),
        current_limit: Some(c.limit.into()),
        max_daily_conversations_per_business: Some(c.limit.into()),
        extra: Map::new(),
    };
    WebhookPayload::single(
        c.number.waba_id.to_string(),
        Some(Value::from(at.unix_seconds())),
        "phone_number_quality_update",
        ChangeValue::PhoneQuality(Box::new(value)),
    )
}

fn business_capability(at: Timestamp, c: &CapabilityChange) -> WebhookPayload {
    WebhookPayload::single(
        c.waba_id.to_string(),
        Some(Value::from(at.unix_seconds())),
        "business_capability_update",
        ChangeValue::BusinessCapability(Box::new(c.capabilities.clone())),
    )
}

/// `metadata.display_phone_number` is digits only, however the number is displayed elsewhere.
fn display_digits(display: &str) -> String {
    display.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::json;
    use wa_contract::{ErrorKind, PayloadKind, validate};

    use super::*;
    use wa_contract::payload::template::TemplateCategory;

    use crate::domain::events::{Conversation as Conv, Pricing as Price};
    use crate::domain::inbound::InboundBody;
    use crate::domain::pricing::{PricingCategory, PricingModel, PricingType};
    use crate::ids::{BusinessId, PhoneNumberId, TemplateId, WabaId, Wamid};

    const AT: Timestamp = Timestamp::MANUAL_START;

    fn change(status: MessageStatus, to: &str) -> StatusChange {
        let priced = status != MessageStatus::Failed;
        StatusChange {
            waba_id: WabaId::new("100000000000011"),
            phone_number_id: PhoneNumberId::new("100000000000021"),
            display_phone_number: "+1 555-010-0021".into(),
            wamid: Wamid::new(format!("wamid.HBgL{to}")),
            status,
            recipient: Identity {
                wa_id: Some(to.to_owned()),
                user_id: crate::domain::recipient::derived_bsuid(to),
                parent_user_id: None,
            }
            .into(),
            to_phone: true,
            recipient_name: "Zoë".into(),
            pricing: priced.then_some(Price {
                billable: true,
                pricing_model: PricingModel::Pmp,
                pricing_type: PricingType::Regular,
                category: PricingCategory::MarketingLite,
            }),
            conversation: priced.then(|| Conv {
                id: crate::ids::ConversationId::new("c0ffee"),
                expiration: AT.plus(Duration::from_secs(86_400)),
                origin: PricingCategory::MarketingLite,
            }),
            error: (!priced).then_some(ErrorKind::TtlExpired),
            biz_opaque_callback_data: Some("campaign=7".to_owned()),
        }
    }

    fn json_of(payload: &WebhookPayload) -> Value {
        serde_json::to_value(payload).unwrap()
    }

    fn assert_valid(kind: PayloadKind, value: &Value) {
        let report = validate(kind, value);
        assert!(report.is_ok(), "{:?}\n{value:#}", report.violations);
    }

    #[test]
    fn a_sent_status_carries_conversation_up_to_v23_only() {
        let c = change(MessageStatus::Sent, "14165551234");
        let v23 = json_of(&statuses(
            &[(AT, &c)],
            GraphVersion::new(23, 0),
            Catalogue::builtin(),
        ));
        assert_valid(PayloadKind::StatusWebhook, &v23);
        let status = &v23["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert_eq!(status["conversation"]["origin"]["type"], "marketing_lite");
        assert_eq!(status["timestamp"], "1796083200");
        assert_eq!(status["biz_opaque_callback_data"], "campaign=7");
        let v24 = json_of(&statuses(
            &[(AT, &c)],
            GraphVersion::new(24, 0),
            Catalogue::builtin(),
        ));
        assert_valid(PayloadKind::StatusWebhook, &v24);
        let value = &v24["entry"][0]["changes"][0]["value"];
        assert!(value["statuses"][0].get("conversation").is_none());
        assert_eq!(
            value["statuses"][0]["pricing"]["category"],
            "marketing_lite"
        );
        assert_eq!(
            value["contacts"],
            json!([{"profile": {"name": "Zoë"}, "wa_id": "14165551234",
                "user_id": crate::domain::recipient::derived_bsuid("14165551234")}])
        );
        assert_eq!(value["metadata"]["display_phone_number"], "15550100021");
    }

    #[test]
    fn a_failed_status_carries_the_catalogue_error_and_no_pricing() {
        let c = change(MessageStatus::Failed, "14165550408");
        let body = json_of(&statuses(
            &[(AT, &c)],
            GraphVersion::NEWEST,
            Catalogue::builtin(),
        ));
        assert_valid(PayloadKind::StatusWebhook, &body);
        let status = &body["entry"][0]["changes"][0]["value"]["statuses"][0];
        assert!(status.get("pricing").is_none());
        assert_eq!(
            status["errors"],
            json!([{
                "code": 131026,
                "title": "Message undeliverable",
                "message": "Message undeliverable",
                "error_data": {"details": "Message could not be delivered before its time-to-live expired."},
                "href": ERROR_CODES_HREF,
            }])
        );
    }

    #[test]
    fn batched_statuses_share_one_value_with_one_contact_each() {
        let (a, b, c) = (
            change(MessageStatus::Delivered, "14165551234"),
            change(MessageStatus::Delivered, "14165559999"),
            change(MessageStatus::Read, "14165551234"),
        );
        let batch = [(AT, &a), (AT, &b), (AT, &c)];
        let body = json_of(&statuses(
            &batch,
            GraphVersion::NEWEST,
            Catalogue::builtin(),
        ));
        assert_valid(PayloadKind::StatusWebhook, &body);
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["statuses"].as_array().unwrap().len(), 3);
        assert_eq!(value["contacts"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn a_rejected_template_has_an_integer_id_a_time_and_rejection_info() {
        let event = Event {
            seq: 1,
            at: AT,
            kind: EventKind::from(TemplateStatusChange {
                waba_id: WabaId::new("100000000000011"),
                template_id: TemplateId::new("1689556908129832"),
                name: "fall_promo".to_owned(),
                language: "en_US".to_owned(),
                category: TemplateCategory::Marketing,
                event: TemplateStatus::Rejected,
                reason: TemplateStatusReason::InvalidFormat.into(),
                pause: None,
            }),
        };
        let body = json_of(&webhook(&event, GraphVersion::NEWEST, Catalogue::builtin()));
        assert_valid(PayloadKind::TemplateStatusWebhook, &body);
        assert_eq!(body["entry"][0]["time"], 1_796_083_200);
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["message_template_id"], 1_689_556_908_129_832_u64);
        assert_eq!(
            value["rejection_info"]["reason"],
            "The template has a formatting issue."
        );
    }

    #[test]
    fn terms_signed_and_inbound_taps_have_their_shapes() {
        let signed = Event {
            seq: 1,
            at: AT,
            kind: EventKind::from(events::AccountUpdate {
                waba_id: WabaId::new("100000000000012"),
                business_id: BusinessId::new("100000000000001"),
                event: AccountEvent::MmLiteTermsSigned,
                detail: AccountDetail::None,
            }),
        };
        let body = json_of(&webhook(
            &signed,
            GraphVersion::NEWEST,
            Catalogue::builtin(),
        ));
        assert_valid(PayloadKind::AccountUpdateWebhook, &body);
        assert_eq!(body["entry"][0]["id"], "100000000000001");
        let tap = Event {
            seq: 2,
            at: AT,
            kind: EventKind::from(Inbound {
                waba_id: WabaId::new("100000000000011"),
                phone_number_id: PhoneNumberId::new("100000000000021"),
                display_phone_number: "+1 555-010-0021".into(),
                profile_name: "Ann".to_owned(),
                user: Identity {
                    wa_id: Some("14165551234".to_owned()),
                    user_id: "CA.13491208655302741918".to_owned(),
                    parent_user_id: None,
                },
                id: Wamid::new("wamid.HBgLMTY1MDU1NTEyMzQVAgASGAA="),
                at: AT,
                body: InboundBody::Button {
                    text: "Stop promotions".to_owned(),
                    payload: "STOP".to_owned(),
                },
                context: Some(wa_contract::payload::webhook::InboundContext {
                    from: "15550100021".to_owned(),
                    id: "wamid.HBgLMTY1MDU1NTEyMzQVAgARGAA=".to_owned(),
                }),
                referral: None,
            }),
        };
        let body = json_of(&webhook(&tap, GraphVersion::NEWEST, Catalogue::builtin()));
        assert_valid(PayloadKind::InboundMessageWebhook, &body);
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["contacts"][0]["wa_id"], "14165551234");
        assert_eq!(value["messages"][0]["button"]["text"], "Stop promotions");
    }

    #[test]
    fn a_link_click_is_metas_user_action_without_contacts_or_product() {
        let event = Event {
            seq: 1,
            at: AT,
            kind: EventKind::from(LinkClicked {
                number: BusinessNumber {
                    waba_id: WabaId::new("100000000000011"),
                    phone_number_id: PhoneNumberId::new("100000000000021"),
                    display_phone_number: "+1 555-010-0021".into(),
                },
                message_id: Wamid::new("wamid.HBgLMTQxNjU1NTEyMzQVAgARGAA="),
                user: Identity {
                    wa_id: Some("14165551234".to_owned()),
                    user_id: "CA.13491208655302741918".to_owned(),
                    parent_user_id: None,
                },
                click: crate::domain::click::Click {
                    component: crate::domain::click::ClickComponent::Body,
                    button_text: None,
                    click_id: "IwARabc".to_owned(),
                    tracking_token: "0f".to_owned(),
                    at: AT,
                },
            }),
        };
        let body = json_of(&webhook(&event, GraphVersion::NEWEST, Catalogue::builtin()));
        assert_valid(PayloadKind::UserActionsWebhook, &body);
        assert_eq!(field(&event.kind), "messages");
        assert_eq!(
            body["entry"][0]["changes"][0]["value"],
            json!({"messaging_product": "whatsapp",
                "metadata": {"display_phone_number": "15550100021",
                    "phone_number_id": "100000000000021"},
                "user_actions": [{"action_type": "marketing_messages_link_click",
                    "timestamp": "1796083200",
                    "marketing_messages_link_click_data": {"click_component": "body",
                        "click_id": "IwARabc", "tracking_token": "0f"}}]})
        );
    }
}
