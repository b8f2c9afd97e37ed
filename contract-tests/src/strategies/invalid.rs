//! Near misses: a conformant payload with one edit that breaks exactly one named rule.
//!
//! Each kind has a table of [`Mutation`]s; [`super::invalid`] draws a valid payload and one
//! mutation from the table. Every mutation touches fields the generators always produce, so the
//! edit applies to any valid payload of its kind.

use serde_json::{Value, json};

use crate::PayloadKind;

/// One edit and the rule the validator reports for it.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mutation {
    /// The rule name the validator reports.
    pub(super) rule: &'static str,
    /// The edit.
    pub(super) apply: fn(&mut Value),
}

/// The field at a JSON pointer; mutations only name fields their kind always has.
fn at<'v>(value: &'v mut Value, pointer: &str) -> &'v mut Value {
    value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("generated payloads have {pointer}"))
}

/// Sets `key` of the object at `pointer`.
fn set(value: &mut Value, pointer: &str, key: &str, new: Value) {
    at(value, pointer)[key] = new;
}

/// Removes `key` from the object at `pointer`.
fn remove(value: &mut Value, pointer: &str, key: &str) {
    if let Some(map) = at(value, pointer).as_object_mut() {
        map.remove(key);
    }
}

/// Appends a template component (to a send's `template.components`, made if absent).
fn push_component(value: &mut Value, component: Value) {
    let template = at(value, "/template");
    match template.get_mut("components").and_then(Value::as_array_mut) {
        Some(components) => components.push(component),
        None => template["components"] = json!([component]),
    }
}

/// Index of the template definition's `BODY` component.
fn body_index(value: &Value) -> usize {
    value["components"]
        .as_array()
        .and_then(|list| list.iter().position(|c| c["type"] == "BODY"))
        .expect("generated templates have a BODY")
}

macro_rules! mutations {
    ($($rule:literal => |$v:ident| $body:expr,)*) => {
        &[$(Mutation { rule: $rule, apply: |$v: &mut Value| { $body; } },)*]
    };
}

/// Edits that break a send request for either endpoint.
const SEND: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "messaging_product"),
    "to_or_recipient" => |v| { remove(v, "", "to"); remove(v, "", "recipient"); },
    "phone_number" => |v| set(v, "", "to", json!("12345")),
    "bsuid" => |v| set(v, "", "recipient", json!("13491208655302741918")),
    "max_length" => |v| set(v, "", "biz_opaque_callback_data", json!("x".repeat(513))),
};

/// Edits that break a `/marketing_messages` body only.
const MARKETING: &[Mutation] = mutations! {
    "enum" => |v| set(v, "", "product_policy", json!("SOMETIMES")),
    "type" => |v| set(v, "", "message_activity_sharing", json!("yes")),
    "template_only" => |v| set(v, "", "type", json!("text")),
    "body_matches_type" => |v| set(v, "", "text", json!({"body": "hi"})),
    "language_code" => |v| set(v, "/template/language", "code", json!("English")),
    "currency_code" => |v| push_component(v, json!({"type": "body", "parameters": [
        {"type": "currency", "currency": {"fallback_value": "$5", "code": "usd", "amount_1000": 5000}}]})),
    "coordinates" => |v| push_component(v, json!({"type": "header", "parameters": [
        {"type": "location", "location": {"latitude": 91.5, "longitude": 0}}]})),
    "media_source" => |v| push_component(v, json!({"type": "header", "parameters": [
        {"type": "image", "image": {"id": "1", "link": "https://example.com/a.png"}}]})),
    "parameter_value" => |v| push_component(v, json!({"type": "body", "parameters": [
        {"type": "text"}]})),
    "parameter_name" => |v| push_component(v, json!({"type": "body", "parameters": [
        {"type": "text", "text": "Ann", "parameter_name": "First Name"}]})),
    "parameter_mixing" => |v| push_component(v, json!({"type": "body", "parameters": [
        {"type": "text", "text": "Ann", "parameter_name": "first_name"},
        {"type": "text", "text": "Bo"}]})),
    "button_index" => |v| push_component(v, json!({"type": "button", "sub_type": "quick_reply",
        "index": 12, "parameters": [{"type": "payload", "payload": "STOP"}]})),
};

/// Edits that break a `/messages` body only.
const MESSAGES: &[Mutation] = mutations! {
    "enum" => |v| set(v, "", "recipient_type", json!("broadcast")),
    "type" => |v| set(v, "", "context", json!("wamid.HBgLMTY1MDM4Nzk0MzkVAgAR")),
    "body_matches_type" => |v| set(v, "", "sticker", json!({"id": "1"})),
};

const SEND_RESPONSE: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "messaging_product"),
    "wamid" => |v| set(v, "/messages/0", "id", json!("12345")),
    "non_empty" => |v| set(v, "", "messages", json!([])),
    "enum" => |v| set(v, "/messages/0", "message_status", json!("sending")),
    "type" => |v| set(v, "", "contacts", json!("16505551234")),
};

/// The first status of a status webhook.
const STATUS: &str = "/entry/0/changes/0/value/statuses/0";
const STATUS_WEBHOOK: &[Mutation] = mutations! {
    "required" => |v| {
        remove(v, STATUS, "recipient_id");
        remove(v, STATUS, "recipient_user_id");
    },
    "enum" => |v| set(v, STATUS, "status", json!("seen")),
    "wamid" => |v| set(v, STATUS, "id", json!("12345")),
    "unix_timestamp" => |v| set(v, STATUS, "timestamp", json!("yesterday")),
    "graph_id" => |v| set(v, "/entry/0", "id", json!("waba-1")),
    "non_empty" => |v| set(v, "/entry/0/changes/0/value", "statuses", json!([])),
    "failed_needs_errors" => |v| {
        set(v, STATUS, "status", json!("delivered"));
        set(v, STATUS, "errors", json!([{"code": 131026, "title": "Message undeliverable"}]));
    },
    "failed_not_priced" => |v| {
        set(v, STATUS, "status", json!("failed"));
        set(v, STATUS, "errors", json!([{"code": 131026, "title": "Message undeliverable"}]));
        set(v, STATUS, "pricing", json!({"pricing_model": "PMP", "category": "marketing"}));
    },
};

/// The first inbound message of an inbound webhook.
const INBOUND: &str = "/entry/0/changes/0/value/messages/0";
const INBOUND_WEBHOOK: &[Mutation] = mutations! {
    "required" => |v| {
        remove(v, INBOUND, "from");
        remove(v, INBOUND, "from_user_id");
    },
    "enum" => |v| set(v, INBOUND, "type", json!("hologram")),
    // A message that is a sticker already loses its body instead.
    "body_matches_type" => |v| {
        set(v, INBOUND, "type", json!("sticker"));
        remove(v, INBOUND, "sticker");
    },
    "wamid" => |v| set(v, INBOUND, "id", json!("12345")),
    "unix_timestamp" => |v| set(v, INBOUND, "timestamp", json!("now")),
    "graph_id" => |v| set(v, "/entry/0/changes/0/value/metadata", "phone_number_id", json!("abc")),
};

/// The value of a template status webhook.
const TEMPLATE_STATUS: &str = "/entry/0/changes/0/value";
const TEMPLATE_STATUS_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, TEMPLATE_STATUS, "event", json!("MAYBE")),
    "type" => |v| set(v, TEMPLATE_STATUS, "message_template_id", json!("1689556908129832")),
    "language_code" => |v| set(v, TEMPLATE_STATUS, "message_template_language", json!("English")),
    "required" => |v| remove(v, TEMPLATE_STATUS, "message_template_name"),
    "unix_timestamp" => |v| set(v, "/entry/0", "time", json!("soon")),
};

// Every account event has `event` and an entry id; `waba_info` only some.
const ACCOUNT_UPDATE_WEBHOOK: &[Mutation] = mutations! {
    "required" => |v| remove(v, "/entry/0/changes/0/value", "event"),
    "graph_id" => |v| set(v, "/entry/0", "id", json!("abc")),
    "enum" => |v| set(v, "", "object", json!("page")),
};

const PHONE_QUALITY_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, VALUE, "current_limit", json!("TIER_5K")),
    "required" => |v| remove(v, VALUE, "event"),
    "digits" => |v| set(v, VALUE, "display_phone_number", json!("+1 555-078-3881")),
};

const BUSINESS_CAPABILITY_WEBHOOK: &[Mutation] = mutations! {
    "limit" => |v| set(v, VALUE, "max_daily_conversations_per_business", json!(1000)),
    "type" => |v| set(v, VALUE, "max_daily_conversations_per_business", json!("2000")),
    "required" => |v| set(v, "/entry/0/changes/0", "value", json!({})),
};

const VALUE: &str = "/entry/0/changes/0/value";
const PREFERENCE: &str = "/entry/0/changes/0/value/user_preferences/0";
const USER_PREFERENCES_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, PREFERENCE, "value", json!("pause")),
    "required" => |v| remove(v, PREFERENCE, "detail"),
    "bsuid" => |v| set(v, PREFERENCE, "user_id", json!("13491208655302741918")),
    "unix_timestamp" => |v| set(v, PREFERENCE, "timestamp", json!("now")),
    "non_empty" => |v| set(v, VALUE, "user_preferences", json!([])),
};

const USER_ID_UPDATE: &str = "/entry/0/changes/0/value/user_id_update/0";
const USER_ID_UPDATE_WEBHOOK: &[Mutation] = mutations! {
    "required" => |v| remove(v, USER_ID_UPDATE, "user_id"),
    "bsuid" => |v| set(v, &format!("{USER_ID_UPDATE}/user_id"), "previous", json!("old")),
    "unix_timestamp" => |v| set(v, USER_ID_UPDATE, "timestamp", json!("now")),
    "non_empty" => |v| set(v, VALUE, "user_id_update", json!([])),
};

const TEMPLATE_QUALITY_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, VALUE, "new_quality_score", json!("BLUE")),
    "type" => |v| set(v, VALUE, "message_template_id", json!("1689556908129832")),
    "required" => |v| remove(v, VALUE, "previous_quality_score"),
    "language_code" => |v| set(v, VALUE, "message_template_language", json!("English")),
};

const TEMPLATE_CATEGORY_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, VALUE, "new_category", json!("PROMOTIONAL")),
    "required" => |v| remove(v, VALUE, "new_category"),
    "type" => |v| set(v, VALUE, "message_template_id", json!("1689556908129832")),
    "shape" => |v| {
        set(v, VALUE, "previous_category", json!("UTILITY"));
        set(v, VALUE, "correct_category", json!("MARKETING"));
    },
};

const ACTION: &str = "/entry/0/changes/0/value/user_actions/0";
const ACTION_DATA: &str =
    "/entry/0/changes/0/value/user_actions/0/marketing_messages_link_click_data";

const USER_ACTIONS_WEBHOOK: &[Mutation] = mutations! {
    "enum" => |v| set(v, ACTION_DATA, "click_component", json!("button")),
    "required" => |v| remove(v, ACTION, "timestamp"),
    "unix_timestamp" => |v| set(v, ACTION, "timestamp", json!("yesterday")),
    "non_empty" => |v| set(v, VALUE, "user_actions", json!([])),
};

const GRAPH_ERROR: &[Mutation] = mutations! {
    "required" => |v| remove(v, "/error", "fbtrace_id"),
    "type" => |v| set(v, "/error", "code", json!("100")),
};

const TEMPLATE_CREATE_REQUEST: &[Mutation] = mutations! {
    "template_name" => |v| set(v, "", "name", json!("Summer Sale")),
    "language_code" => |v| set(v, "", "language", json!("English")),
    "enum" => |v| set(v, "", "category", json!("PROMO")),
    "ttl_range" => |v| {
        set(v, "", "category", json!("MARKETING"));
        set(v, "", "message_send_ttl_seconds", json!(600));
    },
    "component_count" => |v| {
        let body = v["components"][body_index(v)].clone();
        at(v, "/components").as_array_mut().expect("an array").push(body);
    },
    "non_empty" => |v| set(v, "", "components", json!([])),
    "max_length" => |v| {
        let body = format!("/components/{}", body_index(v));
        let text = at(v, &format!("{body}/text"));
        *text = json!(format!("{}{}", text.as_str().unwrap_or_default(), "x".repeat(1025)));
    },
};

const TEMPLATE_EDIT_REQUEST: &[Mutation] = mutations! {
    "non_empty" => |v| *v = json!({}),
    "enum" => |v| set(v, "", "category", json!("PROMO")),
    "ttl_range" => |v| {
        set(v, "", "category", json!("UTILITY"));
        set(v, "", "message_send_ttl_seconds", json!(100_000));
    },
};

const TEMPLATE_CREATE_RESPONSE: &[Mutation] = mutations! {
    "graph_id" => |v| set(v, "", "id", json!("tpl-1")),
    "enum" => |v| set(v, "", "status", json!("LIVE")),
    "required" => |v| remove(v, "", "category"),
};

const TEMPLATE_OBJECT: &[Mutation] = mutations! {
    "graph_id" => |v| set(v, "", "id", json!("tpl-1")),
    "enum" => |v| set(v, "", "status", json!("LIVE")),
    "template_name" => |v| set(v, "", "name", json!("Summer Sale")),
};

const TEMPLATE_LIST: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "data"),
    "graph_id" => |v| set(v, "", "data", json!([{"id": "tpl-1"}])),
};

const WABA_NODE: &[Mutation] = mutations! {
    "graph_id" => |v| set(v, "", "id", json!("waba-1")),
    "enum" => |v| set(v, "", "marketing_messages_onboarding_status", json!("MAYBE")),
    "type" => |v| set(v, "", "disable_marketing_messages_on_cloud_api", json!("yes")),
};

const WABA_UPDATE_REQUEST: &[Mutation] = mutations! {
    "non_empty" => |v| *v = json!({}),
    "type" => |v| set(v, "", "disable_marketing_messages_on_cloud_api", json!("yes")),
};

const BUSINESS_NODE: &[Mutation] = mutations! {
    "graph_id" => |v| set(v, "", "id", json!("business-1")),
    "date" => |v| set(v, "", "marketing_messages_onboarding_status",
        json!({"status": "REQUEST_SENT", "time": "7 Oct 2025"})),
};

const SUBSCRIBED_APPS_REQUEST: &[Mutation] = mutations! {
    "https_url" => |v| {
        set(v, "", "override_callback_uri", json!("http://hooks.example.com/wa"));
        set(v, "", "verify_token", json!("token"));
    },
    "required" => |v| {
        set(v, "", "override_callback_uri", json!("https://hooks.example.com/wa"));
        remove(v, "", "verify_token");
    },
};

const SUBSCRIBED_APPS_LIST: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "data"),
    "graph_id" => |v| set(v, "", "data", json!([{"whatsapp_business_api_data": {"id": "app"}}])),
};

const SUCCESS_RESPONSE: &[Mutation] = mutations! {
    "required" => |v| *v = json!({}),
    "type" => |v| set(v, "", "success", json!("yes")),
};

const MEDIA_NODE: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "url"),
    "type" => |v| set(v, "", "file_size", json!("12")),
    "sha256" => |v| set(v, "", "sha256", json!("0123456789abcdef")),
    "graph_id" => |v| set(v, "", "id", json!("media-1")),
    "url" => |v| set(v, "", "url", json!("ftp://example.com/file")),
};

const UPLOAD_SESSION: &[Mutation] = mutations! {
    "required" => |v| *v = json!({}),
    "upload_session_id" => |v| set(v, "", "id", json!("1234567890")),
};

const UPLOAD_SESSION_STATE: &[Mutation] = mutations! {
    "required" => |v| remove(v, "", "file_offset"),
    "type" => |v| set(v, "", "file_offset", json!("40")),
    "range" => |v| set(v, "", "file_offset", json!(-1)),
};

const UPLOAD_HANDLE: &[Mutation] = mutations! {
    "required" => |v| *v = json!({}),
    "non_empty" => |v| set(v, "", "h", json!("")),
};

/// Every mutation that applies to `kind`.
pub(super) fn mutations(kind: PayloadKind) -> Vec<Mutation> {
    let tables: &[&[Mutation]] = match kind {
        PayloadKind::MarketingMessageRequest => &[SEND, MARKETING],
        PayloadKind::MessageRequest => &[SEND, MESSAGES],
        PayloadKind::SendResponse => &[SEND_RESPONSE],
        PayloadKind::TemplateCreateRequest => &[TEMPLATE_CREATE_REQUEST],
        PayloadKind::TemplateCreateResponse => &[TEMPLATE_CREATE_RESPONSE],
        PayloadKind::TemplateEditRequest => &[TEMPLATE_EDIT_REQUEST],
        PayloadKind::TemplateObject => &[TEMPLATE_OBJECT],
        PayloadKind::TemplateList => &[TEMPLATE_LIST],
        PayloadKind::WabaNode => &[WABA_NODE],
        PayloadKind::WabaUpdateRequest => &[WABA_UPDATE_REQUEST],
        PayloadKind::BusinessNode => &[BUSINESS_NODE],
        PayloadKind::SubscribedAppsRequest => &[SUBSCRIBED_APPS_REQUEST],
        PayloadKind::SubscribedAppsList => &[SUBSCRIBED_APPS_LIST],
        PayloadKind::SuccessResponse => &[SUCCESS_RESPONSE],
        PayloadKind::MediaNode => &[MEDIA_NODE],
        PayloadKind::UploadSession => &[UPLOAD_SESSION],
        PayloadKind::UploadSessionState => &[UPLOAD_SESSION_STATE],
        PayloadKind::UploadHandle => &[UPLOAD_HANDLE],
        PayloadKind::StatusWebhook => &[STATUS_WEBHOOK],
        PayloadKind::InboundMessageWebhook => &[INBOUND_WEBHOOK],
        PayloadKind::TemplateStatusWebhook => &[TEMPLATE_STATUS_WEBHOOK],
        PayloadKind::AccountUpdateWebhook => &[ACCOUNT_UPDATE_WEBHOOK],
        PayloadKind::UserPreferencesWebhook => &[USER_PREFERENCES_WEBHOOK],
        PayloadKind::UserIdUpdateWebhook => &[USER_ID_UPDATE_WEBHOOK],
        PayloadKind::TemplateQualityWebhook => &[TEMPLATE_QUALITY_WEBHOOK],
        PayloadKind::TemplateCategoryWebhook => &[TEMPLATE_CATEGORY_WEBHOOK],
        PayloadKind::UserActionsWebhook => &[USER_ACTIONS_WEBHOOK],
        PayloadKind::PhoneQualityWebhook => &[PHONE_QUALITY_WEBHOOK],
        PayloadKind::BusinessCapabilityWebhook => &[BUSINESS_CAPABILITY_WEBHOOK],
        PayloadKind::GraphError => &[GRAPH_ERROR],
    };
    tables
        .iter()
        .flat_map(|table| table.iter().copied())
        .collect()
}
