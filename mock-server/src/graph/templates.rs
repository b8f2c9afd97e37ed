//! Templates: `GET|POST|DELETE /{waba_id}/message_templates` and `GET|POST /{template_id}`.

use serde_json::{Map, Value, json};
use wa_contract::payload::template::{
    TemplateCreateRequest, TemplateCreateResponse, TemplateEditRequest, TemplateObject,
    TemplateStatus,
};

use super::Ctx;
use super::fields::{Edge, Field, Listing, NodeType, page, select};
use crate::domain::Refusal;
use crate::domain::analytics;
use crate::domain::changes::Changelog;
use crate::domain::click::url_button;
use crate::domain::message::Message;
use crate::domain::rate_card::RateCard;
use crate::domain::routing::Route;
use crate::domain::template::{self, Template, status_str};
use crate::ids::{TemplateId, WabaId};

/// The fields a template node has (Meta's `WhatsAppBusinessHSM`).
const TEMPLATE_FIELDS: [&str; 18] = [
    "id",
    "name",
    "language",
    "status",
    "category",
    "previous_category",
    "components",
    "parameter_format",
    "message_send_ttl_seconds",
    "degrees_of_freedom_spec",
    "optimization_spec",
    "rejected_reason",
    "quality_score",
    "cta_url_link_tracking_opted_out",
    "bid_spec",
    "correct_category",
    "sub_category",
    "library_template_name",
];

/// The template node: answered whole when no `fields=` is given.
const TEMPLATE: NodeType = NodeType {
    name: "WhatsAppBusinessHSM",
    defaults: None,
    edges: &[],
};

/// A WABA's templates, as an edge of the WABA node.
pub(crate) const TEMPLATE_EDGE: Edge = Edge {
    name: "message_templates",
    list: template_items,
};

/// A template as Graph reads it back, every field it has (unset ones null);
/// `degrees_of_freedom_spec` only when asked for.
fn template_node(t: &Template, fields: Option<&[Field<'_>]>) -> Map<String, Value> {
    let wants = |f: &str| fields.is_some_and(|fs| fs.iter().any(|field| field.name == f));
    let object = TemplateObject {
        id: t.id.to_string(),
        name: Some(t.name.clone()),
        language: Some(t.language.clone()),
        status: Some(t.status),
        category: Some(t.category),
        previous_category: None,
        components: Some(t.components.clone()),
        parameter_format: Some(t.parameter_format),
        message_send_ttl_seconds: t.ttl_seconds,
        degrees_of_freedom_spec: wants("degrees_of_freedom_spec")
            .then(|| t.creative_features_read_back()),
        optimization_spec: t.max_price.clone(),
        rejected_reason: (t.status == TemplateStatus::Rejected || wants("rejected_reason"))
            .then(|| t.rejected_reason.as_str().to_owned()),
        extra: Map::new(),
    };
    let mut node = match serde_json::to_value(object) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    // Answered only when asked for, so that a node read without `fields=` stays as it was.
    if wants("quality_score") {
        node.insert(
            "quality_score".to_owned(),
            json!({"score": t.quality_score, "date": t.created_at.unix_seconds()}),
        );
    }
    if wants("cta_url_link_tracking_opted_out") {
        node.insert(
            "cta_url_link_tracking_opted_out".to_owned(),
            json!(t.cta_url_link_tracking_opted_out.unwrap_or(false)),
        );
    }
    if wants("bid_spec") {
        // The max price's former name.
        node.insert("bid_spec".to_owned(), json!(t.max_price));
    }
    for (field, value) in [
        ("sub_category", &t.sub_category),
        ("library_template_name", &t.library_template_name),
    ] {
        if let Some(value) = value.as_ref().filter(|_| wants(field)) {
            node.insert(field.to_owned(), json!(value));
        }
    }
    // `correct_category`, and `sub_category` and `library_template_name` but from a world file,
    // have no value for a template the mock made: Graph leaves them out.
    for field in TEMPLATE_FIELDS {
        node.entry(field).or_insert(Value::Null);
    }
    node
}

/// A WABA's templates as `message_templates` lists them, filtered by `name`, `status`,
/// `category` and `language` when the list is requested by its own path.
fn template_items(ctx: &Ctx<'_>, listing: &Listing<'_>) -> Result<Vec<(String, Value)>, Refusal> {
    // Graph ignores parameters it does not know, but one that would change the answer if the
    // mock knew it (a sort order) must not silently be ignored.
    if listing.param("sort").is_some() {
        return Err(Refusal::invalid(
            "sort: not supported; message templates are listed oldest first",
        ));
    }
    let matches = |value: &str, filter: Option<&str>| {
        filter.is_none_or(|f| f.split(',').any(|f| f.trim().eq_ignore_ascii_case(value)))
    };
    let waba_id = WabaId::new(listing.of);
    ctx.state
        .templates
        .iter()
        .filter(|t| t.waba_id == waba_id)
        .filter(|t| listing.param("name").is_none_or(|n| t.name.contains(n)))
        .filter(|t| matches(status_str(t.status), listing.param("status")))
        .filter(|t| matches(t.category.as_str(), listing.param("category")))
        .filter(|t| matches(&t.language, listing.param("language")))
        .map(|t| {
            let node = template_node(t, listing.fields);
            Ok((
                t.id.to_string(),
                select(ctx, node, listing.fields, &TEMPLATE)?,
            ))
        })
        .collect()
}

/// `GET /{waba_id}/message_templates` with `name`, `status`, `category`, `language`, `limit`,
/// `before`/`after`.
pub(crate) fn list_templates(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let listing = Listing::requested(ctx, fields.as_deref()).paged()?;
    let items = template_items(ctx, &listing)?;
    Ok(page(ctx, TEMPLATE_EDGE.name, &listing, items))
}

/// `POST /{waba_id}/message_templates`.
pub(crate) fn create_template(
    ctx: &mut Ctx<'_>,
    req: TemplateCreateRequest,
) -> Result<TemplateCreateResponse, Refusal> {
    let waba_id = WabaId::new(ctx.id);
    let (id, category) = ctx.state.create_template(&waba_id, req)?;
    Ok(TemplateCreateResponse {
        id: id.to_string(),
        status: TemplateStatus::Pending,
        category,
        extra: Map::new(),
    })
}

/// `DELETE /{waba_id}/message_templates?name=…[&hsm_id=…]`, or `?hsm_ids=[…]` from 2025-12-18.
pub(crate) fn delete_templates(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let rules = Changelog::builtin().rules(ctx.sandbox.clock().now());
    if let Some(list) = ctx.query("hsm_ids").filter(|_| rules.bulk_template_delete) {
        if let Some(other) = ["name", "hsm_id"]
            .into_iter()
            .find(|p| ctx.query(p).is_some())
        {
            return Err(Refusal::invalid(format!(
                "hsm_ids: cannot be combined with {other}"
            )));
        }
        let ids = template::hsm_ids(list)?;
        ctx.state
            .delete_templates_by_id(&WabaId::new(ctx.id), &ids)?;
        return Ok(json!({"success": true}));
    }
    let Some(name) = ctx.query("name") else {
        return Err(Refusal::invalid("name: the parameter name is required"));
    };
    let hsm_id = ctx.query("hsm_id").map(TemplateId::new);
    let deleted = ctx
        .state
        .delete_templates(&WabaId::new(ctx.id), name, hsm_id.as_ref());
    if deleted == 0 {
        return Err(Refusal::invalid(format!(
            "name: no message template named '{name}'{} in this WhatsApp Business Account",
            hsm_id
                .map(|h| format!(" with hsm_id {h}"))
                .unwrap_or_default()
        )));
    }
    Ok(json!({"success": true}))
}

/// `GET /{template_id}`.
pub(crate) fn get_template(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let fields = ctx.fields()?;
    let node = ctx
        .state
        .template(&TemplateId::new(ctx.id))
        .map(|t| template_node(t, fields.as_deref()))
        .unwrap_or_default();
    select(ctx, node, fields.as_deref(), &TEMPLATE)
}

/// `POST /{template_id}`.
pub(crate) fn edit_template(ctx: &mut Ctx<'_>, req: TemplateEditRequest) -> Result<Value, Refusal> {
    // Answering success for an edit that changes nothing would hide a misspelt field.
    if req.changes_nothing() {
        let unknown: Vec<&str> = req
            .cta_url_link_tracking_opted_out
            .map(|_| "cta_url_link_tracking_opted_out")
            .into_iter()
            .chain(req.extra.keys().map(String::as_str))
            .collect();
        return Err(Refusal::invalid(format!(
            "request body: expected at least one of category, components, parameter_format, \
             message_send_ttl_seconds, degrees_of_freedom_spec, optimization_spec; found {}",
            if unknown.is_empty() {
                "none".to_owned()
            } else {
                format!("only {}", unknown.join(", "))
            }
        )));
    }
    ctx.state.edit_template(&TemplateId::new(ctx.id), req)?;
    Ok(json!({"success": true}))
}

/// `POST /{template_id}/unpause`.
pub(crate) fn unpause_template(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    ctx.state.unpause_template(&TemplateId::new(ctx.id))?;
    Ok(json!({"success": true}))
}

/// `GET /{waba_id}/template_analytics`: the sandbox's own messages of up to ten templates, per
/// day, once the WABA enabled insights (`POST /{waba_id}` with `is_enabled_for_insights`).
pub(crate) fn template_analytics(ctx: &mut Ctx<'_>) -> Result<Value, Refusal> {
    let query = analytics::query(|name| ctx.query(name))?;
    let waba_id = WabaId::new(ctx.id);
    let enabled = ctx
        .state
        .waba(&waba_id)
        .is_some_and(|w| w.settings.is_enabled_for_insights);
    if !enabled {
        return Err(Refusal::invalid(
            "is_enabled_for_insights: template analytics are off for this WhatsApp Business \
             Account; enable them with POST /{waba_id} is_enabled_for_insights=true",
        ));
    }
    let state = &ctx.state;
    let messages: Vec<(&str, &Message)> = state
        .messages()
        .filter(|m| m.waba_id == waba_id)
        .filter_map(|m| Some((state.template_of(m)?.id.as_str(), m)))
        .collect();
    let wants = |metric: &str| query.metrics.iter().any(|m| m == metric);
    let template = |id: &str| state.template(&TemplateId::new(id));
    let points: Vec<Value> = analytics::data_points(&query, &messages, RateCard::builtin())
        .into_iter()
        .map(|p| {
            let template = template(&p.template_id);
            let url_button = template.is_some_and(|t| url_button(&t.components).is_some());
            // Meta leaves `clicked` out for a template whose link tracking is off.
            let tracked = template.is_none_or(|t| t.cta_url_link_tracking_opted_out != Some(true));
            let mut point = json!({"template_id": p.template_id, "start": p.start, "end": p.end});
            if wants("SENT") {
                point["sent"] = json!(p.sent);
            }
            if wants("DELIVERED") {
                point["delivered"] = json!(p.delivered);
            }
            if wants("READ") {
                point["read"] = json!(p.read);
            }
            if wants("CLICKED") && tracked {
                let clicked: Vec<Value> = p
                    .clicked
                    .iter()
                    .flat_map(|b| {
                        [
                            json!({"type": "url_button", "button_content": b.button_content,
                                "count": b.count}),
                            json!({"type": "unique_url_button", "button_content": b.button_content,
                                "count": b.users.len()}),
                        ]
                    })
                    .collect();
                point["clicked"] = json!(clicked);
            }
            if wants("COST") {
                let cost: Vec<Value> = p
                    .cost(url_button)
                    .iter()
                    .map(|c| json!({"type": c.kind, "value": c.value}))
                    .collect();
                point["cost"] = json!(cost);
            }
            point
        })
        .collect();
    // Meta answers the product type in lower case.
    let product_type = match query.route {
        Route::MarketingMessages => "marketing_messages_api_for_whatsapp",
        Route::CloudApi => "cloud_api",
    };
    Ok(json!({
        "data": [{"granularity": "DAILY", "product_type": product_type, "data_points": points}],
        "paging": {"cursors": {"before": "", "after": ""}},
    }))
}
