//! `/__admin/inbound`: users send messages, tap buttons and click links; and what they sent.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use wa_contract::admin::{Inbound, InboundAccepted, LinkClickRequest, List, ReceivedMessage};
use wa_contract::payload::bsuid::is_bsuid;

use super::recipients::{business_phone, regular_bsuid};
use super::{AdminJson, AdminResult, AdminSandbox, check_field, unknown, wire};
use crate::domain::Refusal;
use crate::domain::click::ClickComponent;
use crate::domain::identity::digits;
use crate::domain::inbound::InboundBody;
use crate::http::refuse;
use crate::ids::PhoneNumberId;
use crate::state::AppState;
use crate::store::{Sandbox, Store, UserRef};

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
    method: Method,
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
    let content = match (body.text, body.button) {
        (_, Some(b)) => InboundBody::Button {
            payload: b.payload.unwrap_or_else(|| b.text.clone()),
            text: b.text,
            context: b.context_message_id,
        },
        (Some(text), None) => InboundBody::Text(text),
        (None, None) => {
            return Err(refuse(
                store,
                &Refusal::invalid("text or button: one of them is required"),
            ));
        }
    };
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    let wamid = store
        .session(&sandbox)
        .inbound(&phone_id, &who, body.name, content)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    Ok(Json(InboundAccepted {
        id: wamid.to_string(),
        click: None,
    }))
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
