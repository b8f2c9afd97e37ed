//! Rules for webhooks: the shared envelope, then the `value` of each kind.

use serde_json::{Map, Value};

use super::check::{Checker, Path, child, describe, item, one_of_text};
use super::shapes::{graph_id, language_code, unix_timestamp, wamid};
use crate::payload::enums::WireEnum;
use crate::payload::webhook::{
    AccountEvent, BanState, BusinessCapabilityUpdate, DisconnectionInitiator, DisconnectionReason,
    INTERACTIVE_REPLIES, InboundMedia, LinkClickData, MarketingPreference, MessagingLimitTier,
    PauseTitle, PhoneQualityEvent, PricingCategory, PricingModel, PricingType, QualityScore,
    Referral, RestrictionType, SystemChange, TemplateStatusReason, TemplateStatusUpdate,
    UserAction, UserPreference, WebhookPayload,
};

const STATUSES: [&str; 5] = ["sent", "delivered", "read", "failed", "played"];
const ORIGIN_TYPES: [&str; 7] = [
    "authentication",
    "authentication_international",
    "marketing",
    "marketing_lite",
    "referral_conversion",
    "service",
    "utility",
];
/// Inbound message types and the body key each carries (`unsupported` carries `errors`).
const INBOUND_TYPES: [&str; 14] = [
    "text",
    "button",
    "interactive",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "order",
    "system",
    "unsupported",
];

/// Which `value` a webhook kind carries.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    /// `messages` with `statuses`.
    Statuses,
    /// `messages` with inbound `messages`.
    Inbound,
    /// `message_template_status_update`.
    TemplateStatus,
    /// `account_update`.
    AccountUpdate,
    /// `user_preferences`.
    UserPreferences,
    /// `user_id_update`.
    UserIdUpdate,
    /// `message_template_quality_update`.
    TemplateQuality,
    /// `template_category_update`.
    TemplateCategory,
    /// `messages` with `user_actions`.
    UserActions,
    /// `phone_number_quality_update`.
    PhoneQuality,
    /// `business_capability_update`.
    BusinessCapability,
}

impl Expect {
    const fn field(self) -> &'static str {
        match self {
            Self::Statuses | Self::Inbound | Self::UserActions => "messages",
            Self::TemplateStatus => "message_template_status_update",
            Self::AccountUpdate => "account_update",
            Self::UserPreferences => "user_preferences",
            Self::UserIdUpdate => "user_id_update",
            Self::TemplateQuality => "message_template_quality_update",
            Self::TemplateCategory => "template_category_update",
            Self::PhoneQuality => "phone_number_quality_update",
            Self::BusinessCapability => "business_capability_update",
        }
    }
}

/// A webhook POST body whose changes are all of the `expect`ed kind.
pub(super) fn webhook(c: &mut Checker, value: &Value, expect: Expect) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(object) = c.required_str("", root, "object") {
        c.one_of("object", object, &["whatsapp_business_account"]);
    }
    let Some(entries) = c.required("", root, "entry", "an array of entries") else {
        return;
    };
    let Some(entries) = c.array("entry", entries) else {
        return;
    };
    c.non_empty("entry", entries);
    for (i, entry) in entries.iter().enumerate() {
        let entry_path = item(&Path::Text("entry"), i);
        let Some(entry) = c.object(entry_path, entry) else {
            continue;
        };
        if let Some(id) = c.required_str(entry_path, entry, "id") {
            graph_id(c, child(&entry_path, "id"), id);
        }
        if let Some(time) = Checker::optional(entry, "time") {
            unix_timestamp(c, child(&entry_path, "time"), time);
        }
        let changes_path = child(&entry_path, "changes");
        let Some(changes) = c.required(entry_path, entry, "changes", "an array of changes") else {
            continue;
        };
        let Some(changes) = c.array(changes_path, changes) else {
            continue;
        };
        c.non_empty(changes_path, changes);
        for (j, change) in changes.iter().enumerate() {
            change_value(c, &item(&changes_path, j), change, expect);
        }
    }
    c.parses_as::<WebhookPayload>(value);
}

/// One change: the right `field`, then its value.
fn change_value(c: &mut Checker, path: &Path<'_>, change: &Value, expect: Expect) {
    let Some(change) = c.object(path, change) else {
        return;
    };
    if let Some(field) = c.required_str(path, change, "field") {
        c.one_of(child(path, "field"), field, &[expect.field()]);
    }
    let value_path = child(path, "value");
    let Some(value) = c.required(path, change, "value", "an object") else {
        return;
    };
    let Some(value) = c.object(value_path, value) else {
        return;
    };
    match expect {
        Expect::Statuses | Expect::Inbound => messages_value(c, &value_path, value, expect),
        Expect::TemplateStatus => template_status(c, &value_path, value),
        Expect::AccountUpdate => account_update(c, &value_path, value),
        Expect::UserPreferences => user_preferences(c, &value_path, value),
        Expect::UserIdUpdate => user_id_update(c, &value_path, value),
        Expect::TemplateQuality => template_quality(c, &value_path, value),
        Expect::TemplateCategory => template_category(c, &value_path, value),
        Expect::UserActions => user_actions(c, &value_path, value),
        Expect::PhoneQuality => phone_quality(c, &value_path, value),
        Expect::BusinessCapability => business_capability(c, &value_path, value),
    }
}

/// `value` of a `phone_number_quality_update` change: the number, the event and at least one
/// of the two spellings of the limit now.
fn phone_quality(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    if let Some(number) = c.required_str(path, value, "display_phone_number")
        && (number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()))
    {
        c.push(
            child(path, "display_phone_number"),
            "digits",
            "the business number as digits only, such as \"15550783881\"",
            describe(value.get("display_phone_number")),
        );
    }
    c.required_enum(path, value, "event", &PhoneQualityEvent::NAMES);
    let limits = [
        "old_limit",
        "current_limit",
        "max_daily_conversations_per_business",
    ];
    for key in limits {
        c.optional_enum(path, value, key, &MessagingLimitTier::NAMES);
    }
    if limits[1..]
        .iter()
        .all(|key| Checker::optional(value, key).is_none())
    {
        c.push(
            child(path, "max_daily_conversations_per_business"),
            "required",
            "max_daily_conversations_per_business or current_limit",
            "neither",
        );
    }
}

/// `value` of a `business_capability_update` change: integers, at least one of them.
fn business_capability(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    const DAILY: [&str; 2] = [
        "max_daily_conversation_per_phone",
        "max_daily_conversations_per_business",
    ];
    const PHONES: [&str; 2] = [
        "max_phone_numbers_per_business",
        "max_phone_numbers_per_waba",
    ];
    let mut any = false;
    for key in DAILY.into_iter().chain(PHONES) {
        let Some(found) = Checker::optional(value, key) else {
            continue;
        };
        any = true;
        let Some(n) = c.integer(child(path, key), found) else {
            continue;
        };
        let ok = if DAILY.contains(&key) {
            BusinessCapabilityUpdate::DAILY_LIMITS.contains(&n)
        } else {
            n == -1 || n > 0
        };
        if !ok {
            let expected = if DAILY.contains(&key) {
                "a documented messaging limit: 250, 2000, 10000, 100000 or -1 (unlimited)"
            } else {
                "a positive count or -1 (unlimited)"
            };
            c.push(child(path, key), "limit", expected, describe(Some(found)));
        }
    }
    if !any {
        c.push(
            child(path, "max_daily_conversations_per_business"),
            "required",
            "at least one capability",
            "none",
        );
    }
}

/// `value` of a `messages` change reporting `user_actions` (Meta's "Tracking click events").
fn user_actions(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    business_number_and_contacts(c, path, value);
    each_item(c, path, value, "user_actions", |c, path, action| {
        c.required_enum(path, action, "action_type", &UserAction::ACTION_TYPES);
        if let Some(timestamp) = c.required(path, action, "timestamp", "unix seconds") {
            unix_timestamp(c, child(path, "timestamp"), timestamp);
        }
        let data_path = child(path, "marketing_messages_link_click_data");
        let Some(data) = c.required(
            path,
            action,
            "marketing_messages_link_click_data",
            "an object",
        ) else {
            return;
        };
        let Some(data) = c.object(data_path, data) else {
            return;
        };
        c.optional_enum(
            data_path,
            data,
            "click_component",
            &LinkClickData::CLICK_COMPONENTS,
        );
        for key in ["product_id", "click_id", "tracking_token"] {
            c.optional_str(data_path, data, key);
        }
    });
}

/// `messaging_product`, `metadata` and `contacts`, shared by the user-side values.
fn business_number_and_contacts(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    if let Some(product) = c.required_str(path, value, "messaging_product") {
        c.one_of(child(path, "messaging_product"), product, &["whatsapp"]);
    }
    let metadata_path = child(path, "metadata");
    if let Some(metadata) = c.required(path, value, "metadata", "an object")
        && let Some(metadata) = c.object(metadata_path, metadata)
    {
        c.required_str(metadata_path, metadata, "display_phone_number");
        if let Some(id) = c.required_str(metadata_path, metadata, "phone_number_id") {
            graph_id(c, child(&metadata_path, "phone_number_id"), id);
        }
    }
    if let Some(contacts) = Checker::optional(value, "contacts") {
        contacts_list(c, &child(path, "contacts"), contacts);
    }
}

/// The non-empty array under `key`, each item checked by `check`.
fn each_item(
    c: &mut Checker,
    path: &Path<'_>,
    value: &Map<String, Value>,
    key: &str,
    check: fn(&mut Checker, &Path<'_>, &Map<String, Value>),
) {
    let list_path = child(path, key);
    let Some(list) = c.required(path, value, key, "a non-empty array") else {
        return;
    };
    let Some(list) = c.array(list_path, list) else {
        return;
    };
    c.non_empty(list_path, list);
    for (i, entry) in list.iter().enumerate() {
        let entry_path = item(&list_path, i);
        if let Some(entry) = c.object(entry_path, entry) {
            check(c, &entry_path, entry);
        }
    }
}

/// `value` of a `user_preferences` change.
fn user_preferences(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    business_number_and_contacts(c, path, value);
    each_item(c, path, value, "user_preferences", |c, path, pref| {
        user_ids(c, path, pref, "wa_id", "user_id", "parent_user_id");
        c.required_str(path, pref, "detail");
        c.required_enum(
            path,
            pref,
            "category",
            &[UserPreference::MARKETING_MESSAGES],
        );
        c.required_enum(path, pref, "value", &MarketingPreference::NAMES);
        if let Some(timestamp) = c.required(path, pref, "timestamp", "unix seconds") {
            unix_timestamp(c, child(path, "timestamp"), timestamp);
        }
    });
}

/// `{previous, current}` BSUIDs under `key`.
fn id_change(
    c: &mut Checker,
    path: &Path<'_>,
    value: &Map<String, Value>,
    key: &str,
    required: bool,
) {
    let change_path = child(path, key);
    let change = if required {
        c.required(path, value, key, "an object with previous and current")
    } else {
        Checker::optional(value, key)
    };
    let Some(change) = change.and_then(|v| c.object(change_path, v)) else {
        return;
    };
    for end in ["previous", "current"] {
        if let Some(id) = c.required_str(change_path, change, end)
            && !crate::payload::bsuid::is_bsuid(id)
        {
            c.push(
                child(&change_path, end),
                "bsuid",
                "a business-scoped user id such as \"US.13491208655302741918\"",
                describe(Some(&Value::from(id))),
            );
        }
    }
}

/// `value` of a `user_id_update` change.
fn user_id_update(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    business_number_and_contacts(c, path, value);
    each_item(c, path, value, "user_id_update", |c, path, update| {
        c.optional_str(path, update, "wa_id");
        c.required_str(path, update, "detail");
        id_change(c, path, update, "user_id", true);
        id_change(c, path, update, "parent_user_id", false);
        if let Some(timestamp) = c.required(path, update, "timestamp", "unix seconds") {
            unix_timestamp(c, child(path, "timestamp"), timestamp);
        }
    });
}

/// `message_template_id` (an integer), name and language, shared by the template values.
fn template_ref(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    if let Some(id) = c.required(path, value, "message_template_id", "an integer")
        && !id.is_u64()
    {
        c.push(
            child(path, "message_template_id"),
            "type",
            "an integer",
            describe(Some(id)),
        );
    }
    c.required_str(path, value, "message_template_name");
    if let Some(language) = c.required_str(path, value, "message_template_language") {
        language_code(c, child(path, "message_template_language"), language);
    }
}

/// `value` of a `message_template_quality_update` change.
fn template_quality(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    c.required_enum(path, value, "previous_quality_score", &QualityScore::NAMES);
    c.required_enum(path, value, "new_quality_score", &QualityScore::NAMES);
    template_ref(c, path, value);
}

/// `value` of a `template_category_update` change: impending (`correct_category`,
/// `category_update_timestamp`) or completed (`previous_category`).
fn template_category(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    const CATEGORIES: [&str; 3] = ["MARKETING", "UTILITY", "AUTHENTICATION"];
    template_ref(c, path, value);
    c.required_enum(path, value, "new_category", &CATEGORIES);
    let previous = c.optional_enum(path, value, "previous_category", &CATEGORIES);
    let correct = c.optional_enum(path, value, "correct_category", &CATEGORIES);
    let when = Checker::optional(value, "category_update_timestamp");
    if let Some(when) = when {
        unix_timestamp(c, child(path, "category_update_timestamp"), when);
    }
    let impending = correct.is_some() || when.is_some();
    if previous.is_some() == impending {
        c.push(
            child(path, "previous_category"),
            "shape",
            "previous_category (a completed change) or correct_category and \
             category_update_timestamp (an impending one), not both",
            describe(value.get("previous_category")),
        );
    }
}

/// `value` of a `messages` change.
fn messages_value(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>, expect: Expect) {
    business_number_and_contacts(c, path, value);
    let (key, check): (&str, fn(&mut Checker, &Path<'_>, &Value)) = match expect {
        Expect::Statuses => ("statuses", status),
        _ => ("messages", inbound_message),
    };
    let list_path = child(path, key);
    let Some(list) = c.required(path, value, key, "a non-empty array") else {
        return;
    };
    let Some(list) = c.array(list_path, list) else {
        return;
    };
    c.non_empty(list_path, list);
    for (i, entry) in list.iter().enumerate() {
        check(c, &item(&list_path, i), entry);
    }
}

/// `contacts[]`: every contact has `profile.name` (some clients insist).
fn contacts_list(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(contacts) = c.array(path, value) else {
        return;
    };
    for (i, contact) in contacts.iter().enumerate() {
        let contact_path = item(path, i);
        let Some(contact) = c.object(contact_path, contact) else {
            continue;
        };
        let profile_path = child(&contact_path, "profile");
        if let Some(profile) = c.required(contact_path, contact, "profile", "an object with `name`")
            && let Some(profile) = c.object(profile_path, profile)
        {
            c.required_str(profile_path, profile, "name");
        }
        user_ids(
            c,
            &contact_path,
            contact,
            "wa_id",
            "user_id",
            "parent_user_id",
        );
    }
}

/// A user's ids under `phone`, `user` and `parent` (e.g. `wa_id`, `user_id`,
/// `parent_user_id`): at least one of the phone number and the BSUID, each in its shape.
fn user_ids(
    c: &mut Checker,
    path: &Path<'_>,
    value: &Map<String, Value>,
    phone: &str,
    user: &str,
    parent: &str,
) {
    let has_phone = c.optional_str(path, value, phone).is_some();
    let bsuid = c.optional_str(path, value, user);
    if !has_phone && bsuid.is_none() {
        c.push(
            child(path, phone),
            "required",
            format!("`{phone}` (a phone number) or `{user}` (a business-scoped user id)"),
            "neither",
        );
    }
    for (key, found) in [(user, bsuid), (parent, c.optional_str(path, value, parent))] {
        if let Some(found) = found
            && !crate::payload::bsuid::is_bsuid(found)
        {
            c.push(
                child(path, key),
                "bsuid",
                "a business-scoped user id such as \"US.13491208655302741918\"",
                describe(Some(&Value::from(found))),
            );
        }
    }
}

/// One `statuses[]` entry.
fn status(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(status) = c.object(path, value) else {
        return;
    };
    if let Some(id) = c.required_str(path, status, "id") {
        wamid(c, child(path, "id"), id);
    }
    let kind = c.required_enum(path, status, "status", &STATUSES);
    if let Some(timestamp) = c.required(path, status, "timestamp", "unix seconds") {
        unix_timestamp(c, child(path, "timestamp"), timestamp);
    }
    user_ids(
        c,
        path,
        status,
        "recipient_id",
        "recipient_user_id",
        "recipient_parent_user_id",
    );
    let errors = Checker::optional(status, "errors");
    match (kind, errors) {
        (Some("failed"), None) => c.push(
            child(path, "errors"),
            "failed_needs_errors",
            "the errors that made the message fail",
            "nothing",
        ),
        (Some(kind), Some(found)) if kind != "failed" => c.push(
            child(path, "errors"),
            "failed_needs_errors",
            format!("no errors on a \"{kind}\" status"),
            describe(Some(found)),
        ),
        _ => {}
    }
    if let Some(errors) = errors {
        error_list(c, &child(path, "errors"), errors);
    }
    if let Some(pricing) = Checker::optional(status, "pricing") {
        if kind == Some("failed") {
            c.push(
                child(path, "pricing"),
                "failed_not_priced",
                "no pricing on a failed status",
                describe(Some(pricing)),
            );
        }
        let pricing_path = child(path, "pricing");
        if let Some(pricing) = c.object(pricing_path, pricing) {
            c.optional_bool(pricing_path, pricing, "billable");
            c.required_enum(pricing_path, pricing, "pricing_model", &PricingModel::NAMES);
            c.optional_enum(pricing_path, pricing, "type", &PricingType::NAMES);
            c.required_enum(pricing_path, pricing, "category", &PricingCategory::NAMES);
        }
    }
    let conversation_path = child(path, "conversation");
    if let Some(conversation) = Checker::optional(status, "conversation")
        && let Some(conversation) = c.object(conversation_path, conversation)
    {
        c.required_str(conversation_path, conversation, "id");
        if let Some(expiry) = Checker::optional(conversation, "expiration_timestamp") {
            unix_timestamp(c, child(&conversation_path, "expiration_timestamp"), expiry);
        }
        let origin_path = child(&conversation_path, "origin");
        if let Some(origin) = c.required(
            conversation_path,
            conversation,
            "origin",
            "an object with `type`",
        ) && let Some(origin) = c.object(origin_path, origin)
        {
            c.required_enum(origin_path, origin, "type", &ORIGIN_TYPES);
        }
    }
    if let Some(data) = c.optional_str(path, status, "biz_opaque_callback_data") {
        c.max_length(child(path, "biz_opaque_callback_data"), data, 512);
    }
}

/// `errors[]` inside a webhook: `{code, title, message?, error_data?, href?}`.
fn error_list(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(errors) = c.array(path, value) else {
        return;
    };
    c.non_empty(path, errors);
    for (i, error) in errors.iter().enumerate() {
        let error_path = item(path, i);
        let Some(error) = c.object(error_path, error) else {
            continue;
        };
        if let Some(code) = c.required(error_path, error, "code", "an integer") {
            c.integer(child(&error_path, "code"), code);
        }
        c.required_str(error_path, error, "title");
        c.optional_str(error_path, error, "message");
        let data_path = child(&error_path, "error_data");
        if let Some(data) = Checker::optional(error, "error_data")
            && let Some(data) = c.object(data_path, data)
        {
            c.required_str(data_path, data, "details");
        }
    }
}

/// One inbound `messages[]` entry: the body matching its `type`.
fn inbound_message(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(message) = c.object(path, value) else {
        return;
    };
    user_ids(
        c,
        path,
        message,
        "from",
        "from_user_id",
        "from_parent_user_id",
    );
    if let Some(id) = c.required_str(path, message, "id") {
        wamid(c, child(path, "id"), id);
    }
    if let Some(timestamp) = c.required(path, message, "timestamp", "unix seconds") {
        unix_timestamp(c, child(path, "timestamp"), timestamp);
    }
    let Some(kind) = c.required_enum(path, message, "type", &INBOUND_TYPES) else {
        return;
    };
    let body_key = if kind == "unsupported" {
        "errors"
    } else {
        kind
    };
    let body_path = child(path, body_key);
    let Some(body) = Checker::optional(message, body_key) else {
        c.push(
            body_path,
            "body_matches_type",
            format!("a `{body_key}` value, since type is \"{kind}\""),
            "nothing",
        );
        return;
    };
    match kind {
        "text" => {
            if let Some(text) = c.object(body_path, body) {
                c.required_str(body_path, text, "body");
            }
        }
        "button" => {
            if let Some(button) = c.object(body_path, body) {
                c.required_str(body_path, button, "payload");
                c.required_str(body_path, button, "text");
            }
        }
        "unsupported" => error_list(c, &body_path, body),
        media if InboundMedia::TYPES.contains(&media) => media_node(c, &body_path, body),
        "location" => {
            if let Some(location) = c.object(body_path, body) {
                for key in ["latitude", "longitude"] {
                    if let Some(n) = c.required(body_path, location, key, "a number")
                        && !n.is_number()
                    {
                        c.push(
                            child(&body_path, key),
                            "type",
                            "a number",
                            describe(Some(n)),
                        );
                    }
                }
                for key in ["name", "address", "url"] {
                    c.optional_str(body_path, location, key);
                }
            }
        }
        "contacts" => {
            if let Some(cards) = c.array(body_path, body)
                && c.non_empty(body_path, cards)
            {
                for (i, card) in cards.iter().enumerate() {
                    let card_path = item(&body_path, i);
                    if let Some(card) = c.object(card_path, card) {
                        let name_path = child(&card_path, "name");
                        if let Some(name) = c.required(card_path, card, "name", "an object")
                            && let Some(name) = c.object(name_path, name)
                        {
                            c.required_str(name_path, name, "formatted_name");
                        }
                    }
                }
            }
        }
        "reaction" => {
            if let Some(reaction) = c.object(body_path, body) {
                if let Some(id) = c.required_str(body_path, reaction, "message_id") {
                    wamid(c, child(&body_path, "message_id"), id);
                }
                c.optional_str(body_path, reaction, "emoji");
            }
        }
        "interactive" => interactive_reply(c, &body_path, body),
        "system" => {
            if let Some(system) = c.object(body_path, body) {
                c.required_str(body_path, system, "body");
                c.required_enum(
                    body_path,
                    system,
                    "type",
                    &[
                        SystemChange::USER_CHANGED_NUMBER,
                        SystemChange::USER_CHANGED_USER_ID,
                    ],
                );
            }
        }
        _ => {}
    }
    let referral_path = child(path, "referral");
    if let Some(referral) = Checker::optional(message, "referral")
        && let Some(referral) = c.object(referral_path, referral)
    {
        c.required_str(referral_path, referral, "source_url");
        c.required_str(referral_path, referral, "source_id");
        c.required_enum(
            referral_path,
            referral,
            "source_type",
            &Referral::SOURCE_TYPES,
        );
        c.optional_enum(
            referral_path,
            referral,
            "media_type",
            &Referral::MEDIA_TYPES,
        );
        for key in [
            "body",
            "headline",
            "image_url",
            "video_url",
            "thumbnail_url",
            "ctwa_clid",
        ] {
            c.optional_str(referral_path, referral, key);
        }
    }
    let context_path = child(path, "context");
    if let Some(context) = Checker::optional(message, "context")
        && let Some(context) = c.object(context_path, context)
    {
        c.required_str(context_path, context, "from");
        if let Some(id) = c.required_str(context_path, context, "id") {
            wamid(c, child(&context_path, "id"), id);
        }
    }
}

/// The media node of an inbound `image`, `video`, `audio`, `document` or `sticker`.
fn media_node(c: &mut Checker, path: &Path<'_>, body: &Value) {
    let Some(media) = c.object(*path, body) else {
        return;
    };
    c.required_str(*path, media, "id");
    c.required_str(*path, media, "mime_type");
    for key in ["sha256", "caption", "filename"] {
        c.optional_str(*path, media, key);
    }
    for key in ["voice", "animated"] {
        c.optional_bool(*path, media, key);
    }
}

/// An inbound `interactive` reply: its `type` and the node of that name.
fn interactive_reply(c: &mut Checker, path: &Path<'_>, body: &Value) {
    let Some(reply) = c.object(*path, body) else {
        return;
    };
    let Some(kind) = c.required_enum(*path, reply, "type", &INTERACTIVE_REPLIES) else {
        return;
    };
    let node_path = child(path, kind);
    let Some(node) = c.required(*path, reply, kind, "an object") else {
        return;
    };
    let Some(node) = c.object(node_path, node) else {
        return;
    };
    if kind == "nfm_reply" {
        c.required_str(node_path, node, "response_json");
        c.optional_str(node_path, node, "name");
        c.optional_str(node_path, node, "body");
    } else {
        c.required_str(node_path, node, "id");
        c.required_str(node_path, node, "title");
        c.optional_str(node_path, node, "description");
    }
}

/// `value` of a `message_template_status_update` change.
fn template_status(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    let event = c.required_enum(path, value, "event", &TemplateStatusUpdate::EVENTS);
    let id_path = child(path, "message_template_id");
    if let Some(id) = c.required(path, value, "message_template_id", "an integer") {
        // An integer here, although template ids are strings everywhere else.
        if !id.is_u64() {
            c.push(id_path, "type", "an integer", describe(Some(id)));
        }
    }
    c.required_str(path, value, "message_template_name");
    if let Some(language) = c.required_str(path, value, "message_template_language") {
        language_code(c, child(path, "message_template_language"), language);
    }
    // `reason` is null when a template is scheduled for deletion, so only its spelling is checked.
    c.optional_enum(path, value, "reason", &TemplateStatusReason::NAMES);
    c.optional_enum(
        path,
        value,
        "message_template_category",
        &["MARKETING", "UTILITY", "AUTHENTICATION"],
    );
    if let Some(info) = Checker::optional(value, "other_info") {
        let info_path = child(path, "other_info");
        if let Some(info) = c.object(info_path, info) {
            c.required_enum(info_path, info, "title", &PauseTitle::NAMES);
            c.required_str(info_path, info, "description");
        }
    }
    if let Some(info) = Checker::optional(value, "disable_info") {
        let info_path = child(path, "disable_info");
        if let Some(info) = c.object(info_path, info)
            && let Some(date) = c.required(info_path, info, "disable_date", "an integer")
        {
            c.integer(child(&info_path, "disable_date"), date);
        }
    }
    if event == Some("REJECTED") && Checker::optional(value, "reason").is_none() {
        c.push(
            child(path, "reason"),
            "required",
            format!(
                "a reason for a rejection: {}",
                one_of_text(&TemplateStatusReason::NAMES)
            ),
            describe(value.get("reason")),
        );
    }
}

/// `value` of an `account_update` change.
fn account_update(c: &mut Checker, path: &Path<'_>, value: &Map<String, Value>) {
    let Some(event) = c.required_str(path, value, "event") else {
        return;
    };
    let info_path = child(path, "waba_info");
    let onboarding = AccountEvent::from_name(event).is_some_and(AccountEvent::is_onboarding);
    let info = if onboarding {
        c.required(
            path,
            value,
            "waba_info",
            "an object with waba_id and owner_business_id",
        )
    } else {
        Checker::optional(value, "waba_info")
    };
    account_details(c, path, value, AccountEvent::from_name(event));
    let Some(info) = info.and_then(|info| c.object(info_path, info)) else {
        return;
    };
    for key in ["waba_id", "owner_business_id"] {
        if let Some(id) = c.required_str(info_path, info, key) {
            graph_id(c, child(&info_path, key), id);
        }
    }
    if event == AccountEvent::AdAccountLinked.as_str() {
        c.required_str(info_path, info, "ad_account_id");
    }
}

/// The object each account event carries beyond its name (Meta's `account_update` reference).
fn account_details(
    c: &mut Checker,
    path: &Path<'_>,
    value: &Map<String, Value>,
    event: Option<AccountEvent>,
) {
    match event {
        Some(AccountEvent::VerifiedAccount) => {
            c.required_str(path, value, "phone_number");
        }
        Some(AccountEvent::AccountRestriction) => {
            each_item(c, path, value, "restriction_info", |c, path, entry| {
                c.required_enum(path, entry, "restriction_type", &RestrictionType::NAMES);
                if let Some(expiration) = c.required(path, entry, "expiration", "when it ends")
                    && !expiration.is_string()
                {
                    unix_timestamp(c, child(path, "expiration"), expiration);
                }
            });
        }
        Some(AccountEvent::DisabledUpdate) => {
            let ban_path = child(path, "ban_info");
            if let Some(ban) = c.required(path, value, "ban_info", "an object with waba_ban_state")
                && let Some(ban) = c.object(ban_path, ban)
            {
                c.required_enum(ban_path, ban, "waba_ban_state", &BanState::NAMES);
                c.required_str(ban_path, ban, "waba_ban_date");
            }
        }
        Some(AccountEvent::PartnerRemoved) => {
            // Optional: payloads from before April 2026 have none.
            let info_path = child(path, "disconnection_info");
            if let Some(info) = Checker::optional(value, "disconnection_info")
                && let Some(info) = c.object(info_path, info)
            {
                c.required_enum(info_path, info, "reason", &DisconnectionReason::NAMES);
                c.required_enum(
                    info_path,
                    info,
                    "initiated_by",
                    &DisconnectionInitiator::NAMES,
                );
            }
        }
        _ => {}
    }
}
