//! Rules for the send request (`/marketing_messages` and `/messages`).

use serde_json::{Map, Value};

use super::check::{Checker, Path, child, describe, item, one_of_text};
use super::shapes::{language_code, phone_number, wamid};
use crate::payload::send::{
    ComponentKind, MediaBody, MessageType, ParameterKind, SendMessageRequest, SendParameter,
    SendResponse, SendStatus, StatusUpdateRequest, TemplateMessage,
};
use crate::payload::template::is_parameter_name;

/// Which send endpoint a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `/marketing_messages`: template messages only.
    MarketingMessages,
    /// `/messages`: any message type.
    Messages,
}

/// Button `sub_type`s Graph accepts (compared case-insensitively).
const BUTTON_SUB_TYPES: [&str; 8] = [
    "quick_reply",
    "url",
    "catalog",
    "flow",
    "copy_code",
    "mpm",
    "voice_call",
    "order_details",
];

/// Checks a send request for `endpoint`; returns it typed when it breaks no rule.
pub(super) fn send_request(
    c: &mut Checker,
    value: &Value,
    endpoint: Endpoint,
) -> Option<SendMessageRequest> {
    let root = c.object("", value)?;
    if let Some(product) = c.required_str("", root, "messaging_product") {
        c.one_of("messaging_product", product, &["whatsapp"]);
    }
    // A read receipt (with or without a typing indicator) is a `/messages` body too.
    if endpoint == Endpoint::Messages && Checker::optional(root, "status").is_some() {
        status_update_rules(c, root);
        return None;
    }
    // Meta's schema for `/marketing_messages` allows only `individual`.
    let recipient_types: &[&str] = match endpoint {
        Endpoint::MarketingMessages => &["individual"],
        Endpoint::Messages => &["individual", "group"],
    };
    let group = c.optional_enum("", root, "recipient_type", recipient_types) == Some("group");
    recipient(c, root, group);

    let message_type = match endpoint {
        Endpoint::MarketingMessages => c.required_str("", root, "type"),
        // Graph sends a text message when `type` is left out.
        Endpoint::Messages => match Checker::optional(root, "type") {
            None => Some("text"),
            Some(_) => c.optional_str("", root, "type"),
        },
    };
    if let Some(message_type) = message_type {
        if endpoint == Endpoint::MarketingMessages && message_type != "template" {
            c.push(
                "type",
                "template_only",
                "\"template\" (the MM API sends only template messages)",
                describe(Some(&Value::from(message_type))),
            );
        } else if c.one_of("type", message_type, &MessageType::KNOWN) {
            body_matches_type(c, root, message_type);
        }
    }

    c.optional_enum(
        "",
        root,
        "product_policy",
        &["STRICT", "CLOUD_API_FALLBACK"],
    );
    c.optional_bool("", root, "message_activity_sharing");
    c.optional_str("", root, "messaging_account_id");
    c.optional_str("", root, "paid_messaging_account_id");
    if let Some(data) = c.optional_str("", root, "biz_opaque_callback_data") {
        c.max_length("biz_opaque_callback_data", data, 512);
    }
    if let Some(context) = Checker::optional(root, "context")
        && let Some(context) = c.object("context", context)
    {
        c.required_str("context", context, "message_id");
    }
    c.parses_as(value)
}

/// The typed twin of [`send_request`] for the common case: `Some` only when `request` breaks
/// none of its rules. It may answer `None` for a request the rules accept (it vouches for
/// template and text sends only, and not for location parameters), never `Some` for one they
/// refuse; the shape rules are the same functions, run on a scratch [`Checker`].
pub(super) fn conforms(request: &SendMessageRequest, endpoint: Endpoint) -> bool {
    let mut c = Checker::default();
    let group = match request.recipient_type.as_deref() {
        None | Some("individual") => false,
        Some("group") if endpoint == Endpoint::Messages => true,
        Some(_) => return false,
    };
    if request.messaging_product != "whatsapp"
        || (request.to.is_none() && request.recipient.is_none())
    {
        return false;
    }
    if let Some(to) = request.to.as_deref().filter(|_| !group) {
        phone_number(&mut c, "to", to);
    }
    if let Some(bsuid) = request.recipient.as_deref()
        && !is_bsuid(bsuid)
    {
        return false;
    }
    let bodies_other_than = |kind: MessageType| {
        let present = [
            (MessageType::Template, request.template.is_some()),
            (MessageType::Text, request.text.is_some()),
            (MessageType::Image, request.image.is_some()),
            (MessageType::Audio, request.audio.is_some()),
            (MessageType::Video, request.video.is_some()),
            (MessageType::Document, request.document.is_some()),
            (MessageType::Sticker, request.sticker.is_some()),
            (MessageType::Location, request.location.is_some()),
            (MessageType::Contacts, request.contacts.is_some()),
            (MessageType::Interactive, request.interactive.is_some()),
            (MessageType::Reaction, request.reaction.is_some()),
        ];
        present.iter().any(|(k, some)| *some && *k != kind)
    };
    let message_type = match (&request.message_type, endpoint) {
        (Some(t), _) => t.clone(),
        (None, Endpoint::Messages) => MessageType::Text,
        (None, Endpoint::MarketingMessages) => return false,
    };
    let body_ok = match (&message_type, endpoint) {
        (MessageType::Template, _) => request
            .template
            .as_ref()
            .is_some_and(|t| template_conforms(&mut c, t)),
        (MessageType::Text, Endpoint::Messages) => request
            .text
            .as_ref()
            .is_some_and(|t| t.body.chars().count() <= 4096),
        _ => false,
    };
    body_ok
        && !bodies_other_than(message_type)
        && request
            .biz_opaque_callback_data
            .as_ref()
            .is_none_or(|d| d.chars().count() <= 512)
        && c.violations.is_empty()
}

/// [`template`]'s rules on a typed template.
fn template_conforms(c: &mut Checker, template: &TemplateMessage) -> bool {
    if template.name.chars().count() > 512
        || template
            .language
            .policy
            .as_deref()
            .is_some_and(|p| p != "deterministic")
    {
        return false;
    }
    language_code(c, "", &template.language.code);
    template.components.iter().all(|component| {
        let position_ok =
            match component.kind() {
                ComponentKind::Other => false,
                ComponentKind::Button => {
                    component.sub_type.as_deref().is_some_and(|s| {
                        BUTTON_SUB_TYPES.contains(&s.to_ascii_lowercase().as_str())
                    }) && component.button_index().is_some_and(|i| i <= 9)
                }
                _ => true,
            };
        let named = component
            .parameters
            .iter()
            .filter(|p| p.parameter_name.is_some())
            .count();
        position_ok
            && (named == 0 || named == component.parameters.len())
            && component
                .parameters
                .iter()
                .all(|p| parameter_conforms(c, p))
    })
}

/// [`send_parameter`]'s rules on a typed parameter; location values are left to the tree.
fn parameter_conforms(c: &mut Checker, parameter: &SendParameter) -> bool {
    if let Some(name) = &parameter.parameter_name {
        parameter_name(c, &Path::Text(""), name);
    }
    let media = |m: &Option<MediaBody>| {
        m.as_ref().is_some_and(|m| {
            m.id.is_some() != m.link.is_some()
                && m.caption.as_ref().is_none_or(|t| t.chars().count() <= 1024)
        })
    };
    match parameter.kind() {
        ParameterKind::Text => parameter.text.is_some(),
        ParameterKind::Payload => parameter.payload.is_some(),
        ParameterKind::CouponCode => parameter
            .coupon_code
            .as_ref()
            .is_some_and(|code| code.chars().count() <= 15),
        ParameterKind::Currency => parameter.currency.as_ref().is_some_and(|currency| {
            currency.code.len() == 3 && currency.code.bytes().all(|b| b.is_ascii_uppercase())
        }),
        ParameterKind::DateTime => parameter.date_time.is_some(),
        ParameterKind::Image => media(&parameter.image),
        ParameterKind::Video => media(&parameter.video),
        ParameterKind::Document => media(&parameter.document),
        ParameterKind::Action => parameter.action.as_ref().is_some_and(Value::is_object),
        ParameterKind::Location | ParameterKind::Other => false,
    }
}

/// A business-scoped user id, regular (`US.1349…`) or parent (`US.ENT.1181…`).
fn is_bsuid(bsuid: &str) -> bool {
    crate::payload::bsuid::is_bsuid(bsuid)
}

/// At least one of `to` / `recipient`, each in its shape.
fn recipient(c: &mut Checker, root: &Map<String, Value>, group: bool) {
    let to = Checker::optional(root, "to");
    let bsuid = Checker::optional(root, "recipient");
    if to.is_none() && bsuid.is_none() {
        c.push(
            "to",
            "to_or_recipient",
            "`to` (a phone number) or `recipient` (a business-scoped user id)",
            "neither",
        );
    }
    // A group send addresses a group id, not a phone number.
    if let Some(to) = c.optional_str("", root, "to").filter(|_| !group) {
        phone_number(c, "to", to);
    }
    if let Some(bsuid) = c.optional_str("", root, "recipient")
        && !is_bsuid(bsuid)
    {
        c.push(
            "recipient",
            "bsuid",
            "a business-scoped user id such as \"US.13491208655302741918\"",
            describe(Some(&Value::from(bsuid))),
        );
    }
}

/// Exactly the body object named by `type`, then that body's own rules.
fn body_matches_type(c: &mut Checker, root: &Map<String, Value>, message_type: &str) {
    for key in MessageType::KNOWN {
        if key != message_type && Checker::optional(root, key).is_some() {
            c.push(
                key,
                "body_matches_type",
                format!("no `{key}` object, since type is \"{message_type}\""),
                describe(root.get(key)),
            );
        }
    }
    let Some(body) = Checker::optional(root, message_type) else {
        c.push(
            message_type,
            "body_matches_type",
            format!("a `{message_type}` object, since type is \"{message_type}\""),
            "nothing",
        );
        return;
    };
    match MessageType::parse(message_type) {
        MessageType::Template => template(c, &Path::Text("template"), body),
        MessageType::Text => {
            if let Some(text) = c.object("text", body) {
                if let Some(text_body) = c.required_str("text", text, "body") {
                    c.max_length("text.body", text_body, 4096);
                }
                c.optional_bool("text", text, "preview_url");
            }
        }
        MessageType::Image | MessageType::Video | MessageType::Document => {
            media(c, &Path::Text(message_type), body, true);
        }
        MessageType::Audio | MessageType::Sticker => {
            media(c, &Path::Text(message_type), body, false)
        }
        MessageType::Location => location(c, &Path::Text("location"), body),
        MessageType::Reaction => {
            if let Some(reaction) = c.object("reaction", body) {
                c.required_str("reaction", reaction, "message_id");
                c.required_str("reaction", reaction, "emoji");
            }
        }
        MessageType::Contacts => {
            if let Some(cards) = c.array("contacts", body) {
                c.non_empty("contacts", cards);
            }
        }
        MessageType::Interactive => {
            if let Some(interactive) = c.object("interactive", body) {
                c.required_str("interactive", interactive, "type");
            }
        }
        MessageType::Other(_) => {}
    }
}

/// The `template` object of a send.
fn template(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(template) = c.object(path, value) else {
        return;
    };
    if let Some(name) = c.required_str(path, template, "name") {
        c.max_length(child(path, "name"), name, 512);
    }
    let language_path = child(path, "language");
    if let Some(language) = c.required(path, template, "language", "an object with `code`")
        && let Some(language) = c.object(language_path, language)
    {
        if let Some(code) = c.required_str(language_path, language, "code") {
            language_code(c, child(&language_path, "code"), code);
        }
        c.optional_enum(language_path, language, "policy", &["deterministic"]);
    }
    let components_path = child(path, "components");
    let Some(components) = Checker::optional(template, "components") else {
        return;
    };
    let Some(components) = c.array(components_path, components) else {
        return;
    };
    for (i, component) in components.iter().enumerate() {
        send_component(c, &item(&components_path, i), component);
    }
}

/// One entry of `template.components`.
fn send_component(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(component) = c.object(path, value) else {
        return;
    };
    if let Some(kind) = c.required_str(path, component, "type") {
        match ComponentKind::parse(kind) {
            ComponentKind::Other => c.push(
                child(path, "type"),
                "enum",
                format!("{} (any case)", one_of_text(&ComponentKind::KNOWN)),
                describe(Some(&Value::from(kind))),
            ),
            ComponentKind::Button => button_position(c, path, component),
            _ => {}
        }
    }
    let parameters_path = child(path, "parameters");
    let Some(parameters) = Checker::optional(component, "parameters") else {
        return;
    };
    let Some(parameters) = c.array(parameters_path, parameters) else {
        return;
    };
    let mut named = 0;
    for (i, parameter) in parameters.iter().enumerate() {
        named += usize::from(send_parameter(c, &item(&parameters_path, i), parameter));
    }
    if named != 0 && named != parameters.len() {
        c.push(
            parameters_path,
            "parameter_mixing",
            "either every parameter named (`parameter_name`) or none",
            format!("{named} of {} named", parameters.len()),
        );
    }
}

/// `sub_type` and `index` of a `button` component.
fn button_position(c: &mut Checker, path: &Path<'_>, component: &Map<String, Value>) {
    if let Some(sub_type) = c.required_str(path, component, "sub_type")
        && !BUTTON_SUB_TYPES.contains(&sub_type.to_ascii_lowercase().as_str())
    {
        c.push(
            child(path, "sub_type"),
            "enum",
            format!("{} (any case)", one_of_text(&BUTTON_SUB_TYPES)),
            describe(Some(&Value::from(sub_type))),
        );
    }
    if let Some(index) = c.required(path, component, "index", "the button's position, 0 to 9") {
        let position = match index {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        if position.is_none_or(|p| p > 9) {
            c.push(
                child(path, "index"),
                "button_index",
                "a position from 0 to 9, as a number or a numeric string",
                describe(Some(index)),
            );
        }
    }
}

/// One parameter; returns whether it is named.
fn send_parameter(c: &mut Checker, path: &Path<'_>, value: &Value) -> bool {
    let Some(parameter) = c.object(path, value) else {
        return false;
    };
    let named = match c.optional_str(path, parameter, "parameter_name") {
        Some(name) => {
            parameter_name(c, &child(path, "parameter_name"), name);
            true
        }
        None => false,
    };
    let Some(kind) = c.required_enum(path, parameter, "type", &ParameterKind::KNOWN) else {
        return named;
    };
    let value_path = child(path, kind);
    let Some(inner) = Checker::optional(parameter, kind) else {
        c.push(
            value_path,
            "parameter_value",
            format!("a `{kind}` value, since type is \"{kind}\""),
            "nothing",
        );
        return named;
    };
    match ParameterKind::parse(kind) {
        ParameterKind::Text | ParameterKind::Payload => {
            c.string(value_path, inner);
        }
        ParameterKind::CouponCode => {
            if let Some(code) = c.string(value_path, inner) {
                c.max_length(value_path, code, 15);
            }
        }
        ParameterKind::Currency => currency(c, &value_path, inner),
        ParameterKind::DateTime => {
            if let Some(date_time) = c.object(value_path, inner) {
                c.required_str(value_path, date_time, "fallback_value");
            }
        }
        ParameterKind::Image | ParameterKind::Video | ParameterKind::Document => {
            media(c, &value_path, inner, true);
        }
        ParameterKind::Location => location(c, &value_path, inner),
        ParameterKind::Action => {
            c.object(value_path, inner);
        }
        ParameterKind::Other => {}
    }
    named
}

/// Named parameters are lowercase letters, digits and underscores.
pub(super) fn parameter_name(c: &mut Checker, path: &Path<'_>, name: &str) {
    if !is_parameter_name(name) {
        c.push(
            path,
            "parameter_name",
            "lowercase letters, digits and underscores",
            describe(Some(&Value::from(name))),
        );
    }
}

/// `currency` parameter value.
fn currency(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(currency) = c.object(path, value) else {
        return;
    };
    c.required_str(path, currency, "fallback_value");
    if let Some(code) = c.required_str(path, currency, "code")
        && (code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()))
    {
        c.push(
            child(path, "code"),
            "currency_code",
            "an ISO 4217 code such as \"USD\"",
            describe(Some(&Value::from(code))),
        );
    }
    if let Some(amount) = c.required(
        path,
        currency,
        "amount_1000",
        "an integer (amount times 1000)",
    ) {
        c.integer(child(path, "amount_1000"), amount);
    }
}

/// A media object: exactly one of `id` / `link`.
fn media(c: &mut Checker, path: &Path<'_>, value: &Value, captioned: bool) {
    let Some(media) = c.object(path, value) else {
        return;
    };
    let id = c.optional_str(path, media, "id");
    let link = c.optional_str(path, media, "link");
    if id.is_some() == link.is_some() {
        c.push(
            path,
            "media_source",
            "exactly one of `id` or `link`",
            if id.is_some() { "both" } else { "neither" },
        );
    }
    if let Some(caption) = c.optional_str(path, media, "caption")
        && captioned
    {
        c.max_length(child(path, "caption"), caption, 1024);
    }
}

/// A location: latitude and longitude in range.
fn location(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(location) = c.object(path, value) else {
        return;
    };
    for (key, limit) in [("latitude", 90.0), ("longitude", 180.0)] {
        let Some(coordinate) = c.required(path, location, key, "a number in degrees") else {
            continue;
        };
        let degrees = match coordinate {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse::<f64>().ok(),
            _ => None,
        };
        if !degrees.is_some_and(|d: f64| d.abs() <= limit) {
            c.push(
                child(path, key),
                "coordinates",
                format!("degrees from -{limit} to {limit}"),
                describe(Some(coordinate)),
            );
        }
    }
}

/// The success response of either send endpoint.
pub(super) fn send_response(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(product) = c.required_str("", root, "messaging_product") {
        c.one_of("messaging_product", product, &["whatsapp"]);
    }
    if let Some(contacts) = c.required("", root, "contacts", "an array with the recipient")
        && let Some(contacts) = c.array("contacts", contacts)
    {
        c.non_empty("contacts", contacts);
        for (i, contact) in contacts.iter().enumerate() {
            let path = item(&Path::Text("contacts"), i);
            let Some(contact) = c.object(path, contact) else {
                continue;
            };
            c.required_str(path, contact, "input");
            let wa_id = c.optional_str(path, contact, "wa_id");
            let user_id = c.optional_str(path, contact, "user_id");
            if wa_id.is_none() && user_id.is_none() {
                c.push(
                    child(&path, "wa_id"),
                    "required",
                    "`wa_id` (or `user_id` for a BSUID send)",
                    "neither",
                );
            }
        }
    }
    if let Some(messages) = c.required("", root, "messages", "an array with the message id")
        && let Some(messages) = c.array("messages", messages)
    {
        c.non_empty("messages", messages);
        for (i, message) in messages.iter().enumerate() {
            let path = item(&Path::Text("messages"), i);
            let Some(message) = c.object(path, message) else {
                continue;
            };
            if let Some(id) = c.required_str(path, message, "id") {
                wamid(c, child(&path, "id"), id);
            }
            c.optional_enum(path, message, "message_status", &SendStatus::NAMES);
        }
    }
    c.parses_as::<SendResponse>(value);
}

/// The rules of a read receipt: `status` `read`, the received message's wamid, and an optional
/// `typing_indicator` of type `text`.
fn status_update_rules(c: &mut Checker, root: &Map<String, Value>) {
    c.required_enum("", root, "status", &["read"]);
    if let Some(id) = c.required_str("", root, "message_id") {
        wamid(c, "message_id", id);
    }
    if let Some(indicator) = Checker::optional(root, "typing_indicator")
        && let Some(indicator) = c.object("typing_indicator", indicator)
    {
        c.required_enum("typing_indicator", indicator, "type", &["text"]);
    }
}

/// Checks a read receipt; returns it typed when it breaks no rule.
pub(super) fn status_update(c: &mut Checker, value: &Value) -> Option<StatusUpdateRequest> {
    let root = c.object("", value)?;
    if let Some(product) = c.required_str("", root, "messaging_product") {
        c.one_of("messaging_product", product, &["whatsapp"]);
    }
    status_update_rules(c, root);
    c.parses_as(value)
}
