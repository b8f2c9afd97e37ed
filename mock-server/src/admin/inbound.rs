//! `/__admin/inbound`: users send messages, tap buttons and click links; and what they sent.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use base64::Engine as _;
use serde_json::{Value, json};
use wa_contract::admin::{
    Inbound, InboundAccepted, InteractiveReplyRequest, LinkClickRequest, List, ReceivedMessage,
};
use wa_contract::payload::bsuid::is_bsuid;
use wa_contract::payload::webhook::{
    INTERACTIVE_REPLIES, InboundLocation, InboundMedia, InboundReaction, Referral,
};

use super::recipients::{business_phone, regular_bsuid};
use super::{AdminJson, AdminResult, AdminSandbox, check_field, wire};
use crate::domain::Refusal;
use crate::domain::click::ClickComponent;
use crate::domain::identity::digits;
use crate::domain::inbound::{InboundBody, InboundKind};
use crate::domain::media::{MediaKind, Upload, article, placeholder};
use crate::http::refuse;
use crate::ids::PhoneNumberId;
use crate::state::AppState;
use crate::store::{Content, MediaContent, MediaSource, Sandbox, Store, UserMessage, UserRef};

/// The messages users sent, oldest first, with when the business read them.
pub(super) async fn list_inbound(
    AdminSandbox(sandbox): AdminSandbox,
) -> Json<List<ReceivedMessage>> {
    let state = sandbox.read();
    let data = state.received().map(wire::received).collect();
    Json(List { data })
}

/// A user's message or button tap, with its webhook; or, with `click`, a link click.
pub(super) async fn inbound(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminJson(mut body): AdminJson<Inbound>,
) -> AdminResult<InboundAccepted> {
    let store = &state.store;
    let who = match (&body.from, &body.user_id) {
        (Some(from), user_id) => {
            let phone = digits(from);
            check_field(
                store,
                "from",
                Some(from),
                |f| !phone.is_empty() && !f.contains('.'),
                "a phone number (a BSUID goes in user_id)",
            )?;
            check_field(
                store,
                "user_id",
                user_id.as_deref(),
                regular_bsuid,
                "a business-scoped user id such as \"CA.13491208655302741918\"",
            )?;
            match user_id {
                Some(user_id) => UserRef::Both {
                    phone,
                    user_id: user_id.clone(),
                },
                None => UserRef::Phone(phone),
            }
        }
        (None, Some(user_id)) => {
            check_field(
                store,
                "user_id",
                Some(user_id),
                is_bsuid,
                "a business-scoped user id such as \"CA.13491208655302741918\"",
            )?;
            UserRef::Bsuid(user_id.clone())
        }
        (None, None) => {
            return Err(refuse(
                store,
                &Refusal::invalid("from or user_id: one of them is required"),
            ));
        }
    };
    if let Some(click) = body.click.take() {
        return link_click(store, &sandbox, &who, &body, &click);
    }
    let content = content(&mut body).map_err(|r| refuse(store, &r))?;
    if let Some(referral) = &body.referral {
        check_referral(referral).map_err(|r| refuse(store, &r))?;
    }
    let phone_id = business_phone(store, &sandbox, body.phone_number_id.take())?;
    let context = body
        .context_message_id
        .take()
        .or_else(|| body.button.as_mut()?.context_message_id.take());
    let message = UserMessage {
        phone_id,
        who,
        name: body.name,
        content,
        context,
        referral: body.referral,
    };
    let wamid = store
        .session(&sandbox)
        .inbound(message)
        .map_err(|r| refuse(store, &r))?;
    Ok(Json(InboundAccepted {
        id: wamid.to_string(),
        click: None,
    }))
}

/// What the call's one content field says, checked against its `type` when one is given.
fn content(body: &mut Inbound) -> Result<Content, Refusal> {
    let given: Vec<InboundKind> = [
        (InboundKind::Text, body.text.is_some()),
        (InboundKind::Button, body.button.is_some()),
        (InboundKind::Media(MediaKind::Image), body.image.is_some()),
        (InboundKind::Media(MediaKind::Video), body.video.is_some()),
        (InboundKind::Media(MediaKind::Audio), body.audio.is_some()),
        (
            InboundKind::Media(MediaKind::Document),
            body.document.is_some(),
        ),
        (
            InboundKind::Media(MediaKind::Sticker),
            body.sticker.is_some(),
        ),
        (InboundKind::Location, body.location.is_some()),
        (InboundKind::Contacts, body.contacts.is_some()),
        (InboundKind::Reaction, body.reaction.is_some()),
        (InboundKind::Interactive, body.interactive.is_some()),
    ]
    .into_iter()
    .filter_map(|(kind, present)| present.then_some(kind))
    .collect();
    let sendable = || {
        InboundKind::SENDABLE
            .iter()
            .filter(|k| **k != InboundKind::System)
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let kind = match (body.message_type.as_deref(), given.as_slice()) {
        (_, [_, _, ..]) => {
            let names: Vec<&str> = given.iter().map(|k| k.as_str()).collect();
            return Err(Refusal::invalid(format!(
                "{}: a message carries one of them",
                names.join(", ")
            )));
        }
        (Some(name), _) => InboundKind::parse(name).ok_or_else(|| {
            Refusal::invalid(format!(
                "type: expected one of {}, found '{}'",
                sendable(),
                name.escape_debug()
            ))
        })?,
        (None, [kind]) => *kind,
        (None, []) => {
            return Err(Refusal::invalid(format!(
                "type: one of {} (or its field) is required",
                sendable()
            )));
        }
    };
    match (kind, given.first()) {
        (InboundKind::Unsupported, Some(field)) => {
            return Err(Refusal::invalid(format!(
                "{}: an unsupported message carries no content",
                field.as_str()
            )));
        }
        (InboundKind::Unsupported, None) => return Ok(Content::Body(InboundBody::Unsupported)),
        (kind, Some(field)) if *field == kind => {}
        (kind, _) => {
            return Err(Refusal::invalid(format!(
                "{0}: required, since type is \"{0}\"",
                kind.as_str()
            )));
        }
    }
    let missing = || Refusal::invalid("type: its field is missing");
    Ok(Content::Body(match kind {
        InboundKind::Text => InboundBody::Text(body.text.take().ok_or_else(missing)?),
        InboundKind::Button => {
            let b = body.button.as_mut().ok_or_else(missing)?;
            InboundBody::Button {
                payload: b.payload.take().unwrap_or_else(|| b.text.clone()),
                text: b.text.clone(),
            }
        }
        InboundKind::Media(kind) => return media(kind, body).map(Content::Media),
        InboundKind::Location => {
            let l = body.location.take().ok_or_else(missing)?;
            if !(-90.0..=90.0).contains(&l.latitude) || !(-180.0..=180.0).contains(&l.longitude) {
                return Err(Refusal::invalid(format!(
                    "location: latitude must be within ±90 and longitude within ±180, found {}, {}",
                    l.latitude, l.longitude
                )));
            }
            InboundBody::Location(InboundLocation {
                latitude: l.latitude,
                longitude: l.longitude,
                name: l.name,
                address: l.address,
                url: l.url,
            })
        }
        InboundKind::Contacts => {
            let cards = body.contacts.take().ok_or_else(missing)?;
            if cards.is_empty() {
                return Err(Refusal::invalid("contacts: at least one contact card"));
            }
            for (i, card) in cards.iter().enumerate() {
                if card["name"]["formatted_name"].as_str().is_none() {
                    return Err(Refusal::invalid(format!(
                        "contacts[{i}].name.formatted_name: required (a string)"
                    )));
                }
            }
            InboundBody::Contacts(cards)
        }
        InboundKind::Reaction => {
            let r = body.reaction.take().ok_or_else(missing)?;
            InboundBody::Reaction(InboundReaction {
                message_id: r.message_id,
                emoji: r.emoji,
            })
        }
        InboundKind::Interactive => {
            InboundBody::Interactive(interactive(body.interactive.take().ok_or_else(missing)?)?)
        }
        InboundKind::Unsupported | InboundKind::System => return Err(missing()),
    }))
}

/// A referral names one of Meta's sources and media types, as its webhook must.
fn check_referral(referral: &Referral) -> Result<(), Refusal> {
    let one_of = |field: &str, value: &str, allowed: &[&str]| {
        if allowed.contains(&value) {
            Ok(())
        } else {
            Err(Refusal::invalid(format!(
                "referral.{field}: expected one of {}, found '{}'",
                allowed.join(", "),
                value.escape_debug()
            )))
        }
    };
    one_of(
        "source_type",
        &referral.source_type,
        &Referral::SOURCE_TYPES,
    )?;
    match &referral.media_type {
        Some(media_type) => one_of("media_type", media_type, &Referral::MEDIA_TYPES),
        None => Ok(()),
    }
}

/// A media field: an uploaded file by `id`, or bytes (base64 `data`, or none: a placeholder)
/// of its `mime_type`.
fn media(kind: MediaKind, body: &mut Inbound) -> Result<MediaContent, Refusal> {
    let field = kind.as_str();
    let request = match kind {
        MediaKind::Image => body.image.take(),
        MediaKind::Video => body.video.take(),
        MediaKind::Audio => body.audio.take(),
        MediaKind::Document => body.document.take(),
        MediaKind::Sticker => body.sticker.take(),
    }
    .ok_or_else(|| Refusal::invalid(format!("{field}: required")))?;
    let only = |name: &str, allowed: bool| -> Result<(), Refusal> {
        if allowed {
            Ok(())
        } else {
            Err(Refusal::invalid(format!(
                "{field}.{name}: not a field of a{} {field}",
                article(kind)
            )))
        }
    };
    only(
        "caption",
        request.caption.is_none()
            || matches!(
                kind,
                MediaKind::Image | MediaKind::Video | MediaKind::Document
            ),
    )?;
    only(
        "filename",
        request.filename.is_none() || kind == MediaKind::Document,
    )?;
    only("voice", request.voice.is_none() || kind == MediaKind::Audio)?;
    only(
        "animated",
        request.animated.is_none() || kind == MediaKind::Sticker,
    )?;
    let source = match (request.id, request.data) {
        (Some(_), Some(_)) => {
            return Err(Refusal::invalid(format!(
                "{field}: an id or data, not both"
            )));
        }
        (Some(id), None) => MediaSource::Stored(id),
        (None, data) => {
            let mime_type = request.mime_type.clone().ok_or_else(|| {
                Refusal::invalid(format!(
                    "{field}.mime_type: required for a file sent without an uploaded id"
                ))
            })?;
            let bytes = match data {
                Some(data) => base64::engine::general_purpose::STANDARD
                    .decode(data.as_bytes())
                    .map_err(|e| Refusal::invalid(format!("{field}.data: expected base64, {e}")))?
                    .into(),
                None => placeholder(&mime_type),
            };
            MediaSource::New(Upload {
                mime_type,
                file_name: request.filename.clone(),
                bytes,
            })
        }
    };
    let mut node = InboundMedia {
        id: String::new(),
        mime_type: String::new(),
        sha256: None,
        caption: request.caption,
        filename: request.filename,
        voice: request.voice,
        animated: request.animated,
        extra: Default::default(),
    };
    if kind == MediaKind::Audio {
        node.voice.get_or_insert(false);
    }
    if kind == MediaKind::Sticker {
        node.animated.get_or_insert(false);
    }
    if let (MediaSource::Stored(_), Some(declared)) = (&source, &request.mime_type) {
        // Checked against the stored file's type by the session.
        node.mime_type = declared.clone();
    }
    Ok(MediaContent { kind, source, node })
}

/// An interactive reply as Meta's webhook spells it: `{"type", <type>: {...}}`.
fn interactive(reply: InteractiveReplyRequest) -> Result<Value, Refusal> {
    let kind = reply.reply_type.as_str();
    let node = match kind {
        "button_reply" => reply
            .button_reply
            .map(|o| json!({"id": o.id, "title": o.title})),
        "list_reply" => reply.list_reply.map(|o| match o.description {
            Some(description) => json!({"id": o.id, "title": o.title, "description": description}),
            None => json!({"id": o.id, "title": o.title}),
        }),
        "nfm_reply" => match reply.nfm_reply {
            Some(flow) => {
                if serde_json::from_str::<serde_json::Map<String, Value>>(&flow.response_json)
                    .is_err()
                {
                    return Err(Refusal::invalid(
                        "interactive.nfm_reply.response_json: expected a JSON object as a string",
                    ));
                }
                Some(json!({
                    "name": flow.name.unwrap_or_else(|| "flow".to_owned()),
                    "body": flow.body.unwrap_or_else(|| "Sent".to_owned()),
                    "response_json": flow.response_json,
                }))
            }
            None => None,
        },
        other => {
            return Err(Refusal::invalid(format!(
                "interactive.type: expected one of {}, found '{}'",
                INTERACTIVE_REPLIES.join(", "),
                other.escape_debug()
            )));
        }
    }
    .ok_or_else(|| {
        Refusal::invalid(format!(
            "interactive.{kind}: required, since interactive.type is \"{kind}\""
        ))
    })?;
    Ok(json!({"type": kind, kind: node}))
}

/// `POST /__admin/inbound` with `click`: the user clicks a link in an MM API message.
fn link_click(
    store: &Store,
    sandbox: &Arc<Sandbox>,
    who: &UserRef,
    body: &Inbound,
    click: &LinkClickRequest,
) -> AdminResult<InboundAccepted> {
    let invalid = |details: String| refuse(store, &Refusal::invalid(details));
    if body.text.is_some() || body.button.is_some() {
        return Err(invalid(
            "click: a click comes alone, without text or button (send those in a call of their own)"
                .to_owned(),
        ));
    }
    if body.name.is_some() {
        return Err(invalid(
            "name: a click carries no profile name (Meta's click webhook has no contacts)"
                .to_owned(),
        ));
    }
    let component = ClickComponent::parse(&click.component).ok_or_else(|| {
        invalid(format!(
            "click.component: expected \"cta\" or \"body\", found '{}'",
            click.component.escape_debug()
        ))
    })?;
    let phone_id = body.phone_number_id.as_deref().map(PhoneNumberId::new);
    let made = store
        .session(sandbox)
        .click(who, phone_id.as_ref(), &click.message_id, component)
        .map_err(|r| refuse(store, &r))?;
    Ok(Json(InboundAccepted {
        id: made.click_id.clone(),
        click: Some(wire::link_click(&click.message_id, &made)),
    }))
}
