//! `/__admin/recipients`: the users messages go to, what happens to what they are sent, and
//! what they do on their own (stop marketing, change their BSUID).

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use wa_contract::admin::{List, NumberChange, Recipient, UserIdChange, UserPreferenceSet};
use wa_contract::payload::bsuid::{is_bsuid, is_parent_bsuid};

use super::{AdminJson, AdminPath, AdminResult, AdminSandbox, check_field, unknown, wire};
use crate::domain::Refusal;
use crate::domain::identity::digits;
use crate::domain::recipient::RecipientRequest;
use crate::http::GraphError;
use crate::http::refuse;
use crate::ids::PhoneNumberId;
use crate::state::AppState;
use crate::store::{Sandbox, Store, UserRef};

/// The recipients with a profile of their own.
pub(super) async fn list_recipients(AdminSandbox(sandbox): AdminSandbox) -> Json<List<Recipient>> {
    let state = sandbox.read();
    let data = state
        .recipients
        .entries()
        .iter()
        .map(wire::recipient)
        .collect();
    Json(List { data })
}

/// A recipient named in an admin path or body: a BSUID (or parent BSUID) or a phone number.
fn user_ref(store: &Store, field: &str, text: &str) -> Result<UserRef, GraphError> {
    if is_bsuid(text) {
        return Ok(UserRef::Bsuid(text.to_owned()));
    }
    let phone = digits(text);
    if phone.is_empty() || text.contains('.') {
        return Err(refuse(
            store,
            &Refusal::invalid(format!(
                "{field}: expected a phone number or a business-scoped user id such as \
                 \"CA.13491208655302741918\", found '{}'",
                text.escape_debug()
            )),
        ));
    }
    Ok(UserRef::Phone(phone))
}

/// Whether `text` is a user's own BSUID (not a parent BSUID).
pub(super) fn regular_bsuid(text: &str) -> bool {
    is_bsuid(text) && !is_parent_bsuid(text)
}

/// Sets what happens to messages sent to a recipient named by BSUID or phone number.
pub(super) async fn put_recipient(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminPath(id): AdminPath,
    AdminJson(request): AdminJson<RecipientRequest>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    let invalid = |details: &str| refuse(store, &Refusal::invalid(details));
    let profile = request.profile();
    profile.check().map_err(|details| invalid(&details))?;
    let a_bsuid = "a business-scoped user id such as \"CA.13491208655302741918\"";
    check_field(
        store,
        "user_id",
        request.user_id.as_deref(),
        regular_bsuid,
        a_bsuid,
    )?;
    check_field(
        store,
        "parent_user_id",
        request.parent_user_id.as_deref(),
        is_parent_bsuid,
        "a parent business-scoped user id such as \"CA.ENT.11815799212886844830\"",
    )?;
    check_field(
        store,
        "phone",
        request.phone.as_deref(),
        |p| !digits(p).is_empty() && !p.contains('.'),
        "a phone number",
    )?;
    let who = match user_ref(store, "id", &id)? {
        UserRef::Bsuid(b) if is_parent_bsuid(&b) => {
            return Err(invalid(
                "id: a parent BSUID may name several users; put the user's BSUID or phone \
                 number in the path and the parent BSUID in parent_user_id",
            ));
        }
        UserRef::Bsuid(_) if request.user_id.is_some() => {
            return Err(invalid("user_id: the path gives the BSUID already"));
        }
        UserRef::Phone(_) if request.phone.is_some() => {
            return Err(invalid("phone: the path gives the phone number already"));
        }
        UserRef::Bsuid(user_id) => match &request.phone {
            Some(phone) => UserRef::Both {
                phone: digits(phone),
                user_id,
            },
            None => UserRef::Bsuid(user_id),
        },
        UserRef::Phone(phone) => match &request.user_id {
            Some(user_id) => UserRef::Both {
                phone,
                user_id: user_id.clone(),
            },
            None => UserRef::Phone(phone),
        },
        both @ UserRef::Both { .. } => both,
    };
    let mut identity = sandbox.read().identify(&who);
    if let Some(parent) = request.parent_user_id {
        identity.parent_user_id = Some(parent);
    }
    store.session(&sandbox).set_recipient(&identity, profile);
    let entry = sandbox.read().recipients.entry(&identity);
    Ok(Json(wire::recipient(&entry)))
}

/// The phone number an admin call names, or the sandbox's first.
pub(super) fn business_phone(
    store: &Store,
    sandbox: &Sandbox,
    id: Option<String>,
) -> Result<PhoneNumberId, GraphError> {
    match id {
        Some(id) => Ok(PhoneNumberId::new(id)),
        None => sandbox
            .read()
            .phones
            .first()
            .map(|p| p.id.clone())
            .ok_or_else(|| {
                refuse(
                    store,
                    &Refusal::invalid("phone_number_id: the sandbox has no phone numbers"),
                )
            }),
    }
}

/// The user stops or resumes marketing messages, with a `user_preferences` webhook when the
/// preference changes.
pub(super) async fn set_user_preference(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<UserPreferenceSet>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    let stop = match body.value.as_str() {
        "stop" => true,
        "resume" => false,
        other => {
            return Err(refuse(
                store,
                &Refusal::invalid(format!(
                    "value: expected \"stop\" or \"resume\", found '{}'",
                    other.escape_debug()
                )),
            ));
        }
    };
    let who = user_ref(store, "id", &id)?;
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    store
        .session(&sandbox)
        .set_marketing_preference(&phone_id, &who, stop)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    let state = sandbox.read();
    let entry = state.recipients.entry(&state.identify(&who));
    Ok(Json(wire::recipient(&entry)))
}

/// The user gets a new BSUID: `user_id_update` and the `system` message `user_changed_user_id`.
pub(super) async fn change_user_id(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<UserIdChange>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    check_field(
        store,
        "user_id",
        body.user_id.as_deref(),
        regular_bsuid,
        "a business-scoped user id such as \"CA.13491208655302741918\"",
    )?;
    let who = user_ref(store, "id", &id)?;
    if let (Some(new), UserRef::Bsuid(old)) = (&body.user_id, &who)
        && new == old
    {
        return Err(refuse(
            store,
            &Refusal::invalid("user_id: expected a BSUID other than the user's current one"),
        ));
    }
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    let current = store
        .session(&sandbox)
        .change_user_id(&phone_id, &who, body.user_id)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    let entry = sandbox.read().recipients.entry(&current);
    Ok(Json(wire::recipient(&entry)))
}

/// The user changes phone number: the `system` message `user_changed_number`.
pub(super) async fn change_number(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<NumberChange>,
) -> AdminResult<Recipient> {
    let store = &state.store;
    check_field(
        store,
        "wa_id",
        Some(&body.wa_id),
        |p| !digits(p).is_empty() && !p.contains('.'),
        "a phone number",
    )?;
    let wa_id = digits(&body.wa_id);
    let who = user_ref(store, "id", &id)?;
    let known = sandbox.read().identify(&who);
    if known.wa_id.as_deref() == Some(wa_id.as_str()) {
        return Err(refuse(
            store,
            &Refusal::invalid("wa_id: expected a number other than the user's current one"),
        ));
    }
    let phone_id = business_phone(store, &sandbox, body.phone_number_id)?;
    let current = store
        .session(&sandbox)
        .change_number(&phone_id, &who, wa_id)
        .ok_or_else(|| unknown(store, &method, phone_id.as_str()))?;
    let entry = sandbox.read().recipients.entry(&current);
    Ok(Json(wire::recipient(&entry)))
}
