//! Meta's side of an account: a phone number's quality and messaging limit
//! (`/__admin/phone_numbers/{id}/quality`), a portfolio's capabilities
//! (`/__admin/businesses/{id}/capabilities`) and a WABA's account events
//! (`/__admin/wabas/{id}/account_update`), each with its webhook.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::Method;
use serde_json::Map;
use wa_contract::admin::{AccountEventRequest, BusinessCapabilities, PhoneQuality, Success};
use wa_contract::payload::enums::WireEnum;
use wa_contract::payload::webhook::{
    AccountEvent, BanState, BusinessCapabilityUpdate, DisconnectionInitiator, DisconnectionReason,
    MessagingLimitTier, PhoneQualityEvent, QualityScore, RestrictionType,
};

use super::{AdminJson, AdminPath, AdminResult, AdminSandbox, unknown};
use crate::domain::Refusal;
use crate::http::{GraphError, refuse};
use crate::ids::{BusinessId, PhoneNumberId, WabaId};
use crate::state::AppState;
use crate::store::{AccountChange, Store};

/// How long a restriction lasts when the call does not say (*invented*).
const DEFAULT_RESTRICTION: Duration = Duration::from_secs(86_400);

/// `value` read as one of `T`'s documented spellings, or a refusal naming `field`.
fn spelled<T: WireEnum>(store: &Store, field: &str, value: &str) -> Result<T, GraphError> {
    T::from_name(value).ok_or_else(|| {
        refuse(
            store,
            &Refusal::invalid(format!(
                "{field}: expected one of {}, found '{}'",
                T::NAMES.join(", "),
                value.escape_debug()
            )),
        )
    })
}

/// [`spelled`] for an optional field.
fn maybe<T: WireEnum>(
    store: &Store,
    field: &str,
    value: Option<&str>,
) -> Result<Option<T>, GraphError> {
    value.map(|v| spelled(store, field, v)).transpose()
}

/// Changes a phone number's quality rating and messaging limit; answers both as they are now.
pub(super) async fn set_phone_quality(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<PhoneQuality>,
) -> AdminResult<PhoneQuality> {
    let store = &state.store;
    if body.id.is_some() {
        return Err(refuse(
            store,
            &Refusal::invalid("id: the path gives the phone number"),
        ));
    }
    let quality: Option<QualityScore> =
        maybe(store, "quality_rating", body.quality_rating.as_deref())?;
    let tier: Option<MessagingLimitTier> = maybe(
        store,
        "messaging_limit_tier",
        body.messaging_limit_tier.as_deref(),
    )?;
    let event: Option<PhoneQualityEvent> = maybe(store, "event", body.event.as_deref())?;
    let (quality, tier) = store
        .session(&sandbox)
        .change_phone_quality(&PhoneNumberId::new(id.as_str()), quality, tier, event)
        .ok_or_else(|| unknown(store, &method, &id))?
        .map_err(|refusal| refuse(store, &refusal))?;
    Ok(Json(PhoneQuality {
        id: Some(id),
        quality_rating: Some(quality.as_str().to_owned()),
        messaging_limit_tier: Some(tier.as_str().to_owned()),
        event: None,
    }))
}

/// Announces a portfolio's limits to each of its WABAs.
pub(super) async fn set_capabilities(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<BusinessCapabilities>,
) -> AdminResult<Success> {
    let store = &state.store;
    // Both spellings of the portfolio's limit, as Meta sends them until the old one goes.
    let capabilities = BusinessCapabilityUpdate {
        max_daily_conversation_per_phone: body.max_daily_conversations_per_business,
        max_daily_conversations_per_business: body.max_daily_conversations_per_business,
        max_phone_numbers_per_business: body.max_phone_numbers_per_business,
        max_phone_numbers_per_waba: body.max_phone_numbers_per_waba,
        extra: Map::new(),
    };
    store
        .session(&sandbox)
        .announce_capabilities(&BusinessId::new(id.as_str()), &capabilities)
        .ok_or_else(|| unknown(store, &method, &id))?
        .map_err(|refusal| refuse(store, &refusal))?;
    Ok(Json(Success { success: true }))
}

/// Raises one of Meta's account events on a WABA.
pub(super) async fn raise_account_event(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    method: Method,
    AdminPath(id): AdminPath,
    AdminJson(body): AdminJson<AccountEventRequest>,
) -> AdminResult<Success> {
    let store = &state.store;
    let change = account_change(store, body)?;
    store
        .session(&sandbox)
        .raise_account_event(&WabaId::new(id.as_str()), change)
        .ok_or_else(|| unknown(store, &method, &id))?
        .map_err(|refusal| refuse(store, &refusal))?;
    Ok(Json(Success { success: true }))
}

/// The event a request names, with its own fields read and any other event's refused.
fn account_change(store: &Store, body: AccountEventRequest) -> Result<AccountChange, GraphError> {
    let event: AccountEvent = spelled(store, "event", &body.event)?;
    let given = [
        ("phone_number_id", body.phone_number_id.is_some()),
        ("restriction_types", body.restriction_types.is_some()),
        ("restriction_seconds", body.restriction_seconds.is_some()),
        ("ban_state", body.ban_state.is_some()),
        ("reason", body.reason.is_some()),
        ("initiated_by", body.initiated_by.is_some()),
    ];
    let own: &[&str] = match event {
        AccountEvent::VerifiedAccount => &["phone_number_id"],
        AccountEvent::AccountRestriction => &["restriction_types", "restriction_seconds"],
        AccountEvent::DisabledUpdate => &["ban_state"],
        AccountEvent::PartnerRemoved => &["reason", "initiated_by"],
        AccountEvent::AccountDeleted => &[],
        other => {
            return Err(refuse(
                store,
                &Refusal::invalid(format!(
                    "event: expected VERIFIED_ACCOUNT, ACCOUNT_RESTRICTION, DISABLED_UPDATE, \
                     PARTNER_REMOVED or ACCOUNT_DELETED, found '{other}'"
                )),
            ));
        }
    };
    if let Some((field, _)) = given.iter().find(|(f, set)| *set && !own.contains(f)) {
        return Err(refuse(
            store,
            &Refusal::invalid(format!("{field}: not a field of {event}")),
        ));
    }
    Ok(match event {
        AccountEvent::VerifiedAccount => {
            AccountChange::Verified(body.phone_number_id.map(PhoneNumberId::new))
        }
        AccountEvent::AccountRestriction => {
            let types = match body.restriction_types {
                Some(list) if list.is_empty() => {
                    return Err(refuse(
                        store,
                        &Refusal::invalid("restriction_types: expected at least one"),
                    ));
                }
                Some(list) => list
                    .iter()
                    .map(|t| spelled(store, "restriction_types", t))
                    .collect::<Result<Vec<RestrictionType>, _>>()?,
                None => vec![RestrictionType::BizInitiatedMessaging],
            };
            let lasting = body
                .restriction_seconds
                .map_or(DEFAULT_RESTRICTION, Duration::from_secs);
            AccountChange::Restricted(types, lasting)
        }
        AccountEvent::DisabledUpdate => AccountChange::Ban(
            maybe(store, "ban_state", body.ban_state.as_deref())?.unwrap_or(BanState::Disable),
        ),
        AccountEvent::PartnerRemoved => AccountChange::PartnerRemoved(
            maybe(store, "reason", body.reason.as_deref())?
                .unwrap_or(DisconnectionReason::AccountDisconnected),
            maybe(store, "initiated_by", body.initiated_by.as_deref())?
                .unwrap_or(DisconnectionInitiator::User),
        ),
        _ => AccountChange::Deleted,
    })
}
