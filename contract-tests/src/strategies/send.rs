//! Send requests (both endpoints) and their success response.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

use super::atoms;
use crate::payload::enums::Open;
use crate::payload::send::{
    CurrencyValue, DateTimeValue, LocationBody, MediaBody, MessageContext, MessageType,
    ProductPolicy, ReactionBody, SendComponent, SendContact, SendMessageRequest, SendParameter,
    SendResponse, SendStatus, SentMessage, TemplateLanguage, TemplateMessage, TextBody,
};

/// A parameter of `kind` with no value set yet.
fn bare(kind: &str) -> SendParameter {
    SendParameter {
        parameter_type: kind.to_owned(),
        text: None,
        ..SendParameter::text("")
    }
}

/// A media object with exactly one of `id` or `link`, and sometimes a caption or file name.
fn media(filename: bool) -> impl Strategy<Value = MediaBody> {
    (
        prop_oneof!["[0-9]{15,16}".prop_map(Ok), atoms::url().prop_map(Err)],
        option::of(atoms::text()),
        option::of("[a-z]{3,10}\\.pdf").prop_map(move |f| f.filter(|_| filename)),
    )
        .prop_map(|(source, caption, filename)| {
            let (id, link) = match source {
                Ok(id) => (Some(id), None),
                Err(link) => (None, Some(link)),
            };
            MediaBody {
                id,
                link,
                caption,
                filename,
                extra: Map::new(),
            }
        })
}

/// A location, with coordinates as numbers or as strings (Graph takes both).
fn location() -> impl Strategy<Value = LocationBody> {
    (
        -90.0f64..=90.0,
        -180.0f64..=180.0,
        any::<bool>(),
        option::of(atoms::name()),
        option::of(atoms::text()),
    )
        .prop_map(|(lat, lon, as_text, name, address)| {
            let coordinate = |d: f64| {
                if as_text {
                    Value::from(format!("{d:.6}"))
                } else {
                    json!(d)
                }
            };
            LocationBody {
                latitude: coordinate(lat),
                longitude: coordinate(lon),
                name,
                address,
                extra: Map::new(),
            }
        })
}

/// A `text` parameter.
fn text_parameter() -> impl Strategy<Value = SendParameter> {
    atoms::text().prop_map(SendParameter::text)
}

/// A `currency` parameter.
fn currency_parameter() -> impl Strategy<Value = SendParameter> {
    (
        select(&["USD", "EUR", "BRL", "INR", "JPY", "ILS"][..]),
        0i64..10_000_000,
    )
        .prop_map(|(code, amount_1000)| SendParameter {
            currency: Some(CurrencyValue {
                fallback_value: format!("{} {code}", amount_1000 as f64 / 1000.0),
                code: code.to_owned(),
                amount_1000,
                extra: Map::new(),
            }),
            ..bare("currency")
        })
}

/// A `date_time` parameter.
fn date_time_parameter() -> impl Strategy<Value = SendParameter> {
    prop_oneof![
        Just("February 25, 1977".to_owned()),
        "20[2-3][0-9]-[01][0-9]-[0-2][0-9]",
        atoms::text()
    ]
    .prop_map(|fallback_value| SendParameter {
        date_time: Some(DateTimeValue {
            fallback_value,
            extra: Map::new(),
        }),
        ..bare("date_time")
    })
}

/// A header parameter: text, image, video, document or location.
fn header_parameter() -> impl Strategy<Value = SendParameter> {
    prop_oneof![
        text_parameter(),
        media(false).prop_map(|m| SendParameter {
            image: Some(m),
            ..bare("image")
        }),
        media(false).prop_map(|m| SendParameter {
            video: Some(m),
            ..bare("video")
        }),
        media(true).prop_map(|m| SendParameter {
            document: Some(m),
            ..bare("document")
        }),
        location().prop_map(|l| SendParameter {
            location: Some(l),
            ..bare("location")
        }),
    ]
}

/// A body parameter: text, currency or date_time.
fn body_parameter() -> impl Strategy<Value = SendParameter> {
    prop_oneof![
        3 => text_parameter(),
        1 => currency_parameter(),
        1 => date_time_parameter(),
    ]
}

/// `type` as clients write it: Graph reads component types in any case.
fn component_type(lower: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(lower.to_owned()),
        1 => Just(lower.to_ascii_uppercase()),
    ]
}

/// A header or body component; its parameters are either all named or all positional.
fn text_component(
    lower: &'static str,
    parameter: BoxedStrategy<SendParameter>,
    max: usize,
) -> impl Strategy<Value = SendComponent> {
    (
        component_type(lower),
        vec(parameter, 1..=max),
        option::of(vec(atoms::parameter_name(), max)),
    )
        .prop_map(|(component_type, mut parameters, names)| {
            if let Some(names) = names {
                for (i, (parameter, name)) in parameters.iter_mut().zip(names).enumerate() {
                    // Suffixed with the position so that names never repeat.
                    parameter.parameter_name = Some(format!("{name}_{i}"));
                }
            }
            SendComponent {
                component_type,
                sub_type: None,
                index: None,
                parameters,
                extra: Map::new(),
            }
        })
}

/// A button component: quick reply (`payload`), URL (`text`), catalog or flow (`action`),
/// copy code (`coupon_code`); the index as a number or a numeric string.
fn button_component(index: u8) -> impl Strategy<Value = SendComponent> {
    let parameter = prop_oneof![
        atoms::text().prop_map(|p| (
            "quick_reply",
            SendParameter {
                payload: Some(p),
                ..bare("payload")
            }
        )),
        "[A-Za-z0-9]{1,20}".prop_map(|suffix| ("url", SendParameter::text(suffix))),
        "[A-Z0-9_]{1,12}".prop_map(|sku| (
            "catalog",
            SendParameter {
                action: Some(json!({"thumbnail_product_retailer_id": sku})),
                ..bare("action")
            }
        )),
        "[a-z0-9]{8,16}".prop_map(|token| (
            "flow",
            SendParameter {
                action: Some(json!({"flow_token": token})),
                ..bare("action")
            }
        )),
        "[A-Z0-9]{4,15}".prop_map(|code| (
            "copy_code",
            SendParameter {
                coupon_code: Some(code),
                ..bare("coupon_code")
            }
        )),
    ];
    (component_type("button"), parameter, any::<bool>()).prop_map(
        move |(component_type, (sub_type, parameter), index_as_text)| SendComponent {
            component_type,
            sub_type: Some(sub_type.to_owned()),
            index: Some(if index_as_text {
                Value::from(index.to_string())
            } else {
                Value::from(index)
            }),
            parameters: vec![parameter],
            extra: Map::new(),
        },
    )
}

/// A template message: optional header, optional body, up to three buttons.
fn template_message() -> impl Strategy<Value = TemplateMessage> {
    (
        atoms::template_name(),
        atoms::language(),
        any::<bool>(),
        option::of(text_component("header", header_parameter().boxed(), 1)),
        option::of(text_component("body", body_parameter().boxed(), 6)),
        (0u8..=3).prop_flat_map(|n| (0..n).map(button_component).collect::<Vec<_>>()),
    )
        .prop_map(|(name, code, deterministic, header, body, buttons)| {
            let components = header.into_iter().chain(body).chain(buttons).collect();
            TemplateMessage {
                name,
                language: TemplateLanguage {
                    code,
                    policy: deterministic.then(|| "deterministic".to_owned()),
                    extra: Map::new(),
                },
                components,
                extra: Map::new(),
            }
        })
}

/// `to`, `recipient` (BSUID) or both.
fn recipient() -> impl Strategy<Value = (Option<String>, Option<String>)> {
    prop_oneof![
        3 => atoms::phone_number().prop_map(|to| (Some(to), None)),
        1 => atoms::bsuid().prop_map(|id| (None, Some(id))),
        1 => (atoms::phone_number(), atoms::bsuid()).prop_map(|(to, id)| (Some(to), Some(id))),
    ]
}

/// A request with no message body yet.
fn envelope(to: Option<String>, recipient: Option<String>, individual: bool) -> SendMessageRequest {
    SendMessageRequest {
        messaging_product: "whatsapp".to_owned(),
        recipient_type: individual.then(|| "individual".to_owned()),
        to,
        recipient,
        message_type: None,
        template: None,
        text: None,
        image: None,
        audio: None,
        video: None,
        document: None,
        sticker: None,
        location: None,
        reaction: None,
        contacts: None,
        interactive: None,
        product_policy: None,
        message_activity_sharing: None,
        biz_opaque_callback_data: None,
        context: None,
        messaging_account_id: None,
        paid_messaging_account_id: None,
        extra: Map::new(),
    }
}

/// A conformant `/marketing_messages` body: a template message of any parameter types.
pub(super) fn marketing_message_request() -> impl Strategy<Value = SendMessageRequest> {
    (
        recipient(),
        any::<bool>(),
        template_message(),
        option::of(prop_oneof![
            Just(ProductPolicy::Strict),
            Just(ProductPolicy::CloudApiFallback)
        ]),
        option::of(any::<bool>()),
        option::of("[ -~]{1,64}"),
    )
        .prop_map(
            |((to, id), individual, template, policy, sharing, callback)| SendMessageRequest {
                message_type: Some(MessageType::Template),
                template: Some(template),
                product_policy: policy,
                message_activity_sharing: sharing,
                biz_opaque_callback_data: callback,
                ..envelope(to, id, individual)
            },
        )
}

/// A `/messages` body of `message_type`, with the body object `fill` sets.
fn body(
    message_type: MessageType,
    fill: impl FnOnce(&mut SendMessageRequest),
) -> SendMessageRequest {
    let mut message = envelope(None, None, false);
    message.message_type = Some(message_type);
    fill(&mut message);
    message
}

/// A conformant `/messages` body: a template or any other message type Graph accepts.
pub(super) fn message_request() -> impl Strategy<Value = SendMessageRequest> {
    let message = prop_oneof![
        template_message().prop_map(|t| body(MessageType::Template, |m| m.template = Some(t))),
        (atoms::text(), option::of(any::<bool>()), any::<bool>()).prop_map(
            |(text, preview_url, typed)| {
                let mut message = body(MessageType::Text, |m| {
                    m.text = Some(TextBody {
                        body: text,
                        preview_url,
                        extra: Map::new(),
                    });
                });
                // Graph sends a text message when `type` is left out.
                message.message_type = message.message_type.filter(|_| typed);
                message
            }
        ),
        media(false).prop_map(|b| body(MessageType::Image, |m| m.image = Some(b))),
        media(true).prop_map(|b| body(MessageType::Document, |m| m.document = Some(b))),
        location().prop_map(|b| body(MessageType::Location, |m| m.location = Some(b))),
        (atoms::wamid(), select(&["👍", "❤️", "😂", ""][..])).prop_map(|(id, emoji)| {
            body(MessageType::Reaction, |m| {
                m.reaction = Some(ReactionBody {
                    message_id: id,
                    emoji: emoji.to_owned(),
                    extra: Map::new(),
                });
            })
        }),
    ];
    (
        recipient(),
        any::<bool>(),
        message,
        option::of(atoms::wamid()),
        option::of("[ -~]{1,64}"),
    )
        .prop_map(|((to, id), individual, message, reply_to, callback)| {
            let envelope = envelope(to, id, individual);
            SendMessageRequest {
                to: envelope.to,
                recipient: envelope.recipient,
                recipient_type: envelope.recipient_type,
                context: reply_to.map(|message_id| MessageContext {
                    message_id,
                    extra: Map::new(),
                }),
                biz_opaque_callback_data: callback,
                ..message
            }
        })
}

/// The success response of either send endpoint, for a phone or a BSUID recipient.
pub(super) fn send_response() -> impl Strategy<Value = SendResponse> {
    let contact = prop_oneof![
        (atoms::phone_number(), atoms::wa_id()).prop_map(|(input, wa_id)| SendContact {
            input,
            wa_id: Some(wa_id),
            user_id: None,
            extra: Map::new(),
        }),
        atoms::bsuid().prop_map(|id| SendContact {
            input: id.clone(),
            wa_id: None,
            user_id: Some(id),
            extra: Map::new(),
        }),
    ];
    (
        contact,
        atoms::wamid(),
        option::of(select(&SendStatus::ALL[..])),
    )
        .prop_map(|(contact, id, status)| SendResponse {
            messaging_product: "whatsapp".to_owned(),
            contacts: vec![contact],
            messages: vec![SentMessage {
                id,
                message_status: status.map(Open::Known),
                extra: Map::new(),
            }],
            extra: Map::new(),
        })
}
