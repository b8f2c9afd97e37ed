//! Nodes and edges around the send path: phone numbers, WABAs (fields and settings),
//! `subscribed_apps`, business portfolios, `client_whatsapp_business_accounts` and the partner
//! intent API.

use serde_json::{Map, Value, json};
use wa_contract::ErrorKind;
use wa_contract::payload::waba::{SubscribedAppsRequest, WabaUpdateRequest};

use super::Ctx;
use super::fields::{Edge, Listing, NodeType, select};
use super::templates::TEMPLATE_EDGE;
use crate::domain::Refusal;
use crate::domain::changes::{Changelog, Rules};
use crate::domain::country;
use crate::domain::template::waba_features_with_defaults;
use crate::domain::waba::{Business, PhoneNumber, Waba};
use crate::ids::{BusinessId, PhoneNumberId, WabaId};
use crate::store::{Sandbox, SandboxState, Subscription, WabaUpdate};
use crate::webhooks::{Failure, Webhooks};

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Graph's time format, `2026-01-01T00:00:00+0000`.
fn graph_time(at: crate::clock::Timestamp) -> String {
    let text = at.to_string();
    format!("{}+0000", &text[..19])
}

fn phone_node(p: &PhoneNumber) -> Map<String, Value> {
    let dial = country::of(&p.display_phone_number);
    object(json!({
        "status": "CONNECTED",
        "messaging_limit_tier": p.messaging_limit_tier,
        "account_mode": "LIVE",
        "is_official_business_account": false,
        "country_code": dial.as_ref().map(country::Country::iso),
        "country_dial_code": dial.map(|c| c.calling_code.to_string()),
        "verified_name": p.verified_name,
        "code_verification_status": "VERIFIED",
        // Formatted on the node; webhooks' metadata carries the digits.
        "display_phone_number": country::display(&p.display_phone_number),
        "quality_rating": p.quality_rating,
        "platform_type": "CLOUD_API",
        "throughput": {"level": p.throughput_level()},
        "name_status": "APPROVED",
        "id": p.id,
    }))
}

const PHONE_DEFAULTS: [&str; 5] = [
    "verified_name",
    "code_verification_status",
    "display_phone_number",
    "quality_rating",
    "id",
];

/// The phone number node; it has no edges.
const PHONE: NodeType = NodeType {
    name: "WhatsAppBusinessPhoneNumber",
    defaults: Some(&PHONE_DEFAULTS),
    edges: &[],
};

/// `GET /{phone_number_id}`.
pub(crate) fn get_phone_number(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let node = ctx
        .state
        .phone(&PhoneNumberId::new(ctx.id))
        .map(phone_node)
        .unwrap_or_default();
    select(ctx, node, fields.as_deref(), &PHONE)
}

/// The phone numbers of a WABA, as `phone_numbers` lists them.
fn phone_items(ctx: &Ctx<'_>, listing: &Listing<'_>) -> Result<Vec<(String, Value)>, Refusal> {
    let waba_id = WabaId::new(listing.of);
    ctx.state
        .phones
        .iter()
        .filter(|p| p.waba_id == waba_id)
        .map(|p| {
            Ok((
                p.id.to_string(),
                select(ctx, phone_node(p), listing.fields, &PHONE)?,
            ))
        })
        .collect()
}

/// `GET /{waba_id}/phone_numbers`.
pub(crate) fn list_phone_numbers(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let listing = Listing::requested(ctx, fields.as_deref());
    let data: Vec<Value> = phone_items(ctx, &listing)?
        .into_iter()
        .map(|(_, item)| item)
        .collect();
    Ok(json!({"data": data}))
}

fn business_status(b: &Business) -> Value {
    let date = b.onboarding_time.to_string();
    json!({"status": b.onboarding, "time": &date[..10]})
}

fn waba_node(state: &SandboxState, w: &Waba, rules: Rules) -> Map<String, Value> {
    let business = state.businesses.iter().find(|b| b.id == w.business_id);
    let spec = waba_features_with_defaults(&w.creative_features, rules);
    object(json!({
        "id": w.id,
        "name": w.name,
        "timezone_id": w.settings.timezone_id,
        "is_enabled_for_insights": w.settings.is_enabled_for_insights,
        // Set only through Meta's billing flows, which the mock does not model.
        "purchase_order_number": null,
        "on_behalf_of_business_info": business.map(|b| json!({"name": b.name, "id": b.id})),
        "message_template_namespace": w.template_namespace,
        "primary_funding_id": w.primary_funding_id,
        "account_review_status": "APPROVED",
        "business_verification_status": "verified",
        "country": "US",
        "currency": "USD",
        "ownership_type": "CLIENT_OWNED",
        "marketing_messages_onboarding_status": w.onboarding,
        "marketing_messages_lite_api_status": w.onboarding.lite_api_status(),
        "disable_marketing_messages_on_cloud_api": w.disable_marketing_on_cloud_api,
        "degrees_of_freedom_spec": spec.waba_read_back(),
        "owner_business_info": business.map(|b| json!({
            "name": b.name,
            "id": b.id,
            "marketing_messages_onboarding_status": business_status(b),
        })),
    }))
}

/// The edges a WABA answers nested.
const WABA_EDGES: [Edge; 3] = [
    Edge {
        name: "phone_numbers",
        list: phone_items,
    },
    TEMPLATE_EDGE,
    Edge {
        name: "subscribed_apps",
        list: subscribed_app_items,
    },
];

/// The WABA node.
const WABA: NodeType = NodeType {
    name: "WhatsAppBusinessAccount",
    defaults: Some(&["id", "name"]),
    edges: &WABA_EDGES,
};

/// `GET /{waba_id}?fields=…`.
pub(crate) fn get_waba(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let rules = Changelog::builtin().rules(ctx.sandbox.clock().now());
    let state = &ctx.state;
    let node = state
        .waba(&WabaId::new(ctx.id))
        .map(|w| waba_node(state, w, rules))
        .unwrap_or_default();
    select(ctx, node, fields.as_deref(), &WABA)
}

/// `POST /{waba_id}`: `disable_marketing_messages_on_cloud_api`, `degrees_of_freedom_spec`,
/// `name`, `timezone_id`, `is_enabled_for_insights`; each stored and read back.
pub(crate) fn update_waba(ctx: &mut Ctx<'_>, req: WabaUpdateRequest) -> Result<Value, Refusal> {
    let update = WabaUpdate {
        disable_marketing_on_cloud_api: req.disable_marketing_messages_on_cloud_api,
        creative_features: req.degrees_of_freedom_spec,
        name: req.name,
        timezone_id: req.timezone_id,
        is_enabled_for_insights: req.is_enabled_for_insights,
        ..WabaUpdate::default()
    };
    ctx.state.update_waba(&WabaId::new(ctx.id), update);
    Ok(json!({"success": true}))
}

/// The app a subscription stands for (the mock is one app).
const APP_ID: &str = "100000000000099";

/// The apps subscribed to a WABA, as `subscribed_apps` lists them: Graph answers them whole.
fn subscribed_app_items(
    ctx: &Ctx<'_>,
    listing: &Listing<'_>,
) -> Result<Vec<(String, Value)>, Refusal> {
    const APP: NodeType = NodeType {
        name: "WhatsAppBusinessAccountSubscribedApp",
        defaults: None,
        edges: &[],
    };
    ctx.state
        .subscriptions
        .get(&WabaId::new(listing.of))
        .into_iter()
        .flatten()
        .map(|s| {
            let app = object(json!({
                "whatsapp_business_api_data": {
                    "id": APP_ID,
                    "link": format!("https://www.facebook.com/games/?app_id={APP_ID}"),
                    "name": "wa-mock",
                },
                "override_callback_uri": s.override_callback_uri,
            }));
            Ok((APP_ID.to_owned(), select(ctx, app, listing.fields, &APP)?))
        })
        .collect()
}

/// `GET /{waba_id}/subscribed_apps`.
pub(crate) fn list_subscribed_apps(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    // The list answers its apps whole, whatever `fields=` says, as it always has.
    let listing = Listing::requested(ctx, None);
    let data: Vec<Value> = subscribed_app_items(ctx, &listing)?
        .into_iter()
        .map(|(_, item)| item)
        .collect();
    Ok(json!({"data": data}))
}

/// A subscription waiting on Meta's GET handshake with its callback (`hub.mode`,
/// `hub.challenge`, `hub.verify_token`): nothing changes before the callback passes it.
pub(crate) struct PendingSubscription {
    sub: Subscription,
    uri: String,
    verify_token: String,
}

impl PendingSubscription {
    /// The handshake; what failed, if it did.
    pub(crate) async fn verify(
        &self,
        webhooks: &Webhooks,
        sandbox: &Sandbox,
    ) -> Result<(), Failure> {
        webhooks
            .verify_callback(sandbox, &self.uri, &self.verify_token)
            .await
    }
}

/// Where `POST /{waba_id}/subscribed_apps` got to without waiting.
pub(crate) enum Subscribing {
    /// Subscribed (no callback to verify).
    Done(Value),
    /// The callback must pass the handshake first.
    Verify(PendingSubscription),
}

/// `POST /{waba_id}/subscribed_apps`: subscribes at once, or after [`PendingSubscription::verify`]
/// (then [`subscribed`]), so a failed handshake changes nothing. A callback URL the mock will not
/// call is refused.
pub(crate) fn subscribe_app(
    ctx: &mut Ctx<'_>,
    req: SubscribedAppsRequest,
    webhooks: &Webhooks,
) -> Result<Subscribing, Refusal> {
    if let Some(uri) = &req.override_callback_uri {
        webhooks
            .check_callback(uri)
            .map_err(|why| Refusal::invalid(format!("override_callback_uri: {why}")))?;
    }
    let sub = Subscription {
        override_callback_uri: req.override_callback_uri,
        verify_token: req.verify_token,
    };
    if let (Some(uri), Some(verify_token)) =
        (sub.override_callback_uri.clone(), sub.verify_token.clone())
    {
        return Ok(Subscribing::Verify(PendingSubscription {
            sub,
            uri,
            verify_token,
        }));
    }
    ctx.state.subscribe(&WabaId::new(ctx.id), sub);
    Ok(Subscribing::Done(json!({"success": true})))
}

/// The subscription, once its handshake gave `outcome`. Every failure answers the same: what
/// failed is in the sandbox's delivery log.
pub(crate) fn subscribed(
    ctx: &mut Ctx<'_>,
    pending: PendingSubscription,
    outcome: Result<(), Failure>,
) -> Result<Value, Refusal> {
    if outcome.is_err() {
        return Err(Refusal::new(ErrorKind::CallbackVerificationFailed));
    }
    ctx.state.subscribe(&WabaId::new(ctx.id), pending.sub);
    Ok(json!({"success": true}))
}

/// `DELETE /{waba_id}/subscribed_apps`.
pub(crate) fn unsubscribe_app(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    ctx.state.unsubscribe(&WabaId::new(ctx.id));
    Ok(json!({"success": true}))
}

/// The business node, with its clients' WABAs as an edge.
const BUSINESS: NodeType = NodeType {
    name: "Business",
    defaults: Some(&["id", "name"]),
    edges: &[Edge {
        name: "client_whatsapp_business_accounts",
        list: client_waba_items,
    }],
};

/// `GET /{business_id}?fields=…`.
pub(crate) fn get_business(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let node = ctx
        .state
        .businesses
        .iter()
        .find(|b| b.id.as_str() == ctx.id)
        .map(|b| {
            object(json!({
                "id": b.id,
                "name": b.name,
                "marketing_messages_onboarding_status": business_status(b),
                "timezone_id": "1",
                "verification_status": "verified",
                "created_time": graph_time(b.created_at),
                "link": format!("https://business.facebook.com/latest/settings/?business_id={}", b.id),
                "vertical": "OTHER",
            }))
        })
        .unwrap_or_default();
    select(ctx, node, fields.as_deref(), &BUSINESS)
}

/// The WABAs a business's clients share with it, as `client_whatsapp_business_accounts`
/// lists them (with `filtering=[…]` when the list is requested by its own path).
fn client_waba_items(
    ctx: &Ctx<'_>,
    listing: &Listing<'_>,
) -> Result<Vec<(String, Value)>, Refusal> {
    /// A WABA as the list answers it: more fields by default than the node.
    const CLIENT_WABA: NodeType = NodeType {
        defaults: Some(&["id", "name", "timezone_id", "message_template_namespace"]),
        ..WABA
    };
    let filters: Vec<Value> = match listing.param("filtering") {
        None => Vec::new(),
        Some(f) => serde_json::from_str(f).map_err(|e| {
            Refusal::invalid(format!("filtering: expected a JSON array of filters, {e}"))
        })?,
    };
    let rules = Changelog::builtin().rules(ctx.sandbox.clock().now());
    let state = &ctx.state;
    let business = BusinessId::new(listing.of);
    state
        .wabas
        .iter()
        .filter(|w| w.business_id == business)
        .map(|w| (w.id.to_string(), waba_node(state, w, rules)))
        .filter(|(_, node)| filters.iter().all(|f| filter_matches(f, node)))
        .map(|(id, node)| Ok((id, select(ctx, node, listing.fields, &CLIENT_WABA)?)))
        .collect()
}

/// `GET /{business_id}/client_whatsapp_business_accounts?filtering=[…]`.
pub(crate) fn list_client_wabas(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let listing = Listing::requested(ctx, fields.as_deref());
    let data: Vec<Value> = client_waba_items(ctx, &listing)?
        .into_iter()
        .map(|(_, item)| item)
        .collect();
    Ok(json!({"data": data, "paging": {"cursors": {"before": "", "after": ""}}}))
}

fn filter_matches(filter: &Value, node: &Map<String, Value>) -> bool {
    let Some(field) = filter.get("field").and_then(Value::as_str) else {
        return true;
    };
    let Some(actual) = node.get(field) else {
        return false;
    };
    match filter.get("value") {
        Some(Value::Array(values)) => values.contains(actual),
        Some(value) => value == actual,
        None => true,
    }
}

/// `POST /{business_id}/onboard_partners_to_mm_lite`.
pub(crate) fn onboard_partners(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let request_id = ctx.state.request_onboarding(&BusinessId::new(ctx.id))?;
    Ok(json!({"request_id": request_id}))
}
