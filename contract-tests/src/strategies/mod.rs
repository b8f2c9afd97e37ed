//! proptest strategies for every payload in the contract, conformant and near miss.
//!
//! The typed functions ([`marketing_message_request`], [`status_webhook`], …) generate values
//! of the [`crate::payload`] types that always pass [`crate::validate`] for their kind, with the
//! variety real traffic has: every template parameter type, named and positional parameters,
//! phone and BSUID recipients, names in many scripts (emoji and right-to-left included),
//! batched statuses, optional fields present and absent. [`valid`] gives the same values as
//! JSON for any [`PayloadKind`]; [`invalid`] gives near misses, each a valid payload with one
//! edit that breaks exactly one named rule, paired with that rule's name.
//!
//! Atoms (ids, names, times) live in `atoms`; each payload family has its module (`send`,
//! `webhook`, `account`); the near-miss edits are tables in `invalid`.
//!
//! ```
//! use proptest::prelude::*;
//! use wa_contract::{PayloadKind, strategies, validate};
//!
//! // In a test file, put `#[test]` above each function.
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     fn my_parser_reads_every_status_webhook(webhook in strategies::status_webhook()) {
//!         let body = serde_json::to_vec(&webhook).unwrap();
//!         // Feed `body` to the parser under test; here, the contract's own types.
//!         let parsed: wa_contract::payload::webhook::WebhookPayload =
//!             serde_json::from_slice(&body).unwrap();
//!         prop_assert_eq!(parsed, webhook);
//!     }
//! }
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(16))]
//!     fn near_misses_break_their_rule((value, rule) in strategies::invalid(PayloadKind::SendResponse)) {
//!         let report = validate(PayloadKind::SendResponse, &value);
//!         prop_assert_eq!(report.rules(), [rule]);
//!     }
//! }
//! # my_parser_reads_every_status_webhook();
//! # near_misses_break_their_rule();
//! ```

use proptest::prelude::*;
use proptest::sample::select;
use serde::Serialize;
use serde_json::Value;

use crate::PayloadKind;
use crate::payload::error::GraphErrorBody;
use crate::payload::media::{MediaNode, UploadHandle, UploadSession, UploadSessionState};
use crate::payload::send::{SendMessageRequest, SendResponse};
use crate::payload::template::{
    TemplateCreateRequest, TemplateCreateResponse, TemplateEditRequest, TemplateList,
    TemplateObject,
};
use crate::payload::waba::{
    BusinessNode, SubscribedAppsList, SubscribedAppsRequest, SuccessResponse, WabaNode,
    WabaUpdateRequest,
};
use crate::payload::webhook::WebhookPayload;

mod account;
mod atoms;
mod invalid;
mod media;
mod send;
mod webhook;

/// A conformant `/marketing_messages` body: a template message with any mix of header
/// (text, image, video, document, location), body (text, currency, date_time, named or
/// positional) and button (payload, action, coupon code) parameters.
pub fn marketing_message_request() -> impl Strategy<Value = SendMessageRequest> {
    send::marketing_message_request()
}

/// A conformant `/messages` body: a template, text, media, location or reaction message.
pub fn message_request() -> impl Strategy<Value = SendMessageRequest> {
    send::message_request()
}

/// A send success response, for a phone or a BSUID recipient.
pub fn send_response() -> impl Strategy<Value = SendResponse> {
    send::send_response()
}

/// A `messages` webhook with one to five statuses (sent, delivered, read, played, failed with
/// catalogue errors), with or without `pricing`, `conversation` and `contacts`.
pub fn status_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::status_webhook()
}

/// A `messages` webhook with inbound text, button-tap or image messages.
pub fn inbound_message_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::inbound_message_webhook()
}

/// A `message_template_status_update` webhook for any documented event.
pub fn template_status_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::template_status_webhook()
}

/// An `account_update` webhook (`MM_LITE_TERMS_SIGNED`).
pub fn account_update_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::account_update_webhook()
}

/// A `user_preferences` webhook (`stop` or `resume`).
pub fn user_preferences_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::user_preferences_webhook()
}

/// A `user_id_update` webhook.
pub fn user_id_update_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::user_id_update_webhook()
}

/// A `message_template_quality_update` webhook.
pub fn template_quality_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::template_quality_webhook()
}

/// A `template_category_update` webhook, impending or completed.
pub fn template_category_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::template_category_webhook()
}

/// A `messages` webhook reporting MM API link clicks (`user_actions`).
pub fn user_actions_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::user_actions_webhook()
}

/// A `phone_number_quality_update` webhook.
pub fn phone_quality_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::phone_quality_webhook()
}

/// A `business_capability_update` webhook.
pub fn business_capability_webhook() -> impl Strategy<Value = WebhookPayload> {
    webhook::business_capability_webhook()
}

/// A webhook of any kind, paired with its kind.
pub fn any_webhook() -> impl Strategy<Value = (PayloadKind, WebhookPayload)> {
    prop_oneof![
        3 => status_webhook().prop_map(|w| (PayloadKind::StatusWebhook, w)),
        2 => inbound_message_webhook().prop_map(|w| (PayloadKind::InboundMessageWebhook, w)),
        1 => template_status_webhook().prop_map(|w| (PayloadKind::TemplateStatusWebhook, w)),
        1 => account_update_webhook().prop_map(|w| (PayloadKind::AccountUpdateWebhook, w)),
        1 => user_preferences_webhook().prop_map(|w| (PayloadKind::UserPreferencesWebhook, w)),
        1 => user_id_update_webhook().prop_map(|w| (PayloadKind::UserIdUpdateWebhook, w)),
        1 => template_quality_webhook().prop_map(|w| (PayloadKind::TemplateQualityWebhook, w)),
        1 => template_category_webhook().prop_map(|w| (PayloadKind::TemplateCategoryWebhook, w)),
        1 => user_actions_webhook().prop_map(|w| (PayloadKind::UserActionsWebhook, w)),
        1 => phone_quality_webhook().prop_map(|w| (PayloadKind::PhoneQualityWebhook, w)),
        1 => business_capability_webhook()
            .prop_map(|w| (PayloadKind::BusinessCapabilityWebhook, w)),
    ]
}

/// A Graph error envelope for any entry of the built-in error catalogue.
pub fn graph_error() -> impl Strategy<Value = GraphErrorBody> {
    account::graph_error()
}

/// A conformant template create body (marketing or utility, positional or named parameters).
pub fn template_create_request() -> impl Strategy<Value = TemplateCreateRequest> {
    account::template_create_request()
}

/// A conformant template edit body.
pub fn template_edit_request() -> impl Strategy<Value = TemplateEditRequest> {
    account::template_edit_request()
}

/// The answer to a template create.
pub fn template_create_response() -> impl Strategy<Value = TemplateCreateResponse> {
    account::template_create_response()
}

/// A template as `GET /{template_id}` reads it.
pub fn template_object() -> impl Strategy<Value = TemplateObject> {
    account::template_object()
}

/// A page of `GET /{waba_id}/message_templates`.
pub fn template_list() -> impl Strategy<Value = TemplateList> {
    account::template_list()
}

/// A WABA node with its MM API fields present or absent.
pub fn waba_node() -> impl Strategy<Value = WabaNode> {
    account::waba_node()
}

/// A `POST /{waba_id}` body.
pub fn waba_update_request() -> impl Strategy<Value = WabaUpdateRequest> {
    account::waba_update_request()
}

/// A business portfolio node.
pub fn business_node() -> impl Strategy<Value = BusinessNode> {
    account::business_node()
}

/// A `POST /{waba_id}/subscribed_apps` body.
pub fn subscribed_apps_request() -> impl Strategy<Value = SubscribedAppsRequest> {
    account::subscribed_apps_request()
}

/// `GET /{waba_id}/subscribed_apps`.
pub fn subscribed_apps_list() -> impl Strategy<Value = SubscribedAppsList> {
    account::subscribed_apps_list()
}

/// `{"success": true}`.
pub fn success_response() -> impl Strategy<Value = SuccessResponse> {
    account::success_response()
}

/// `GET /{media_id}`.
pub fn media_node() -> impl Strategy<Value = MediaNode> {
    media::media_node()
}

/// `POST /{app_id}/uploads`: a Resumable Upload API session.
pub fn upload_session() -> impl Strategy<Value = UploadSession> {
    media::upload_session()
}

/// `GET /upload:{session}`: the offset to resume from.
pub fn upload_session_state() -> impl Strategy<Value = UploadSessionState> {
    media::upload_session_state()
}

/// A complete upload's handle.
pub fn upload_handle() -> impl Strategy<Value = UploadHandle> {
    media::upload_handle()
}

/// `value` as JSON; generated payloads always serialise.
fn json<T: Serialize>(value: T) -> Value {
    serde_json::to_value(value).expect("generated payloads serialise")
}

/// A conformant payload of `kind`, as JSON.
pub fn valid(kind: PayloadKind) -> BoxedStrategy<Value> {
    match kind {
        PayloadKind::MarketingMessageRequest => marketing_message_request().prop_map(json).boxed(),
        PayloadKind::MessageRequest => message_request().prop_map(json).boxed(),
        PayloadKind::SendResponse => send_response().prop_map(json).boxed(),
        PayloadKind::TemplateCreateRequest => template_create_request().prop_map(json).boxed(),
        PayloadKind::TemplateCreateResponse => template_create_response().prop_map(json).boxed(),
        PayloadKind::TemplateEditRequest => template_edit_request().prop_map(json).boxed(),
        PayloadKind::TemplateObject => template_object().prop_map(json).boxed(),
        PayloadKind::TemplateList => template_list().prop_map(json).boxed(),
        PayloadKind::WabaNode => waba_node().prop_map(json).boxed(),
        PayloadKind::WabaUpdateRequest => waba_update_request().prop_map(json).boxed(),
        PayloadKind::BusinessNode => business_node().prop_map(json).boxed(),
        PayloadKind::SubscribedAppsRequest => subscribed_apps_request().prop_map(json).boxed(),
        PayloadKind::SubscribedAppsList => subscribed_apps_list().prop_map(json).boxed(),
        PayloadKind::SuccessResponse => success_response().prop_map(json).boxed(),
        PayloadKind::MediaNode => media_node().prop_map(json).boxed(),
        PayloadKind::UploadSession => upload_session().prop_map(json).boxed(),
        PayloadKind::UploadSessionState => upload_session_state().prop_map(json).boxed(),
        PayloadKind::UploadHandle => upload_handle().prop_map(json).boxed(),
        PayloadKind::StatusWebhook => status_webhook().prop_map(json).boxed(),
        PayloadKind::InboundMessageWebhook => inbound_message_webhook().prop_map(json).boxed(),
        PayloadKind::TemplateStatusWebhook => template_status_webhook().prop_map(json).boxed(),
        PayloadKind::AccountUpdateWebhook => account_update_webhook().prop_map(json).boxed(),
        PayloadKind::UserPreferencesWebhook => user_preferences_webhook().prop_map(json).boxed(),
        PayloadKind::UserIdUpdateWebhook => user_id_update_webhook().prop_map(json).boxed(),
        PayloadKind::TemplateQualityWebhook => template_quality_webhook().prop_map(json).boxed(),
        PayloadKind::TemplateCategoryWebhook => template_category_webhook().prop_map(json).boxed(),
        PayloadKind::UserActionsWebhook => user_actions_webhook().prop_map(json).boxed(),
        PayloadKind::PhoneQualityWebhook => phone_quality_webhook().prop_map(json).boxed(),
        PayloadKind::BusinessCapabilityWebhook => {
            business_capability_webhook().prop_map(json).boxed()
        }
        PayloadKind::GraphError => graph_error().prop_map(json).boxed(),
    }
}

/// A near miss of `kind`: a conformant payload with one edit, and the name of the one rule
/// the edit breaks (the `rule` of every [`crate::Violation`] the validator reports for it).
pub fn invalid(kind: PayloadKind) -> BoxedStrategy<(Value, &'static str)> {
    (valid(kind), select(invalid::mutations(kind)))
        .prop_map(|(mut value, mutation)| {
            (mutation.apply)(&mut value);
            (value, mutation.rule)
        })
        .boxed()
}
