//! `POST /{phone_number_id}/marketing_messages` and `POST /{phone_number_id}/messages`.
//!
//! The edge applies rule 2 (the body) with the contract's validator; the store applies rules
//! 3–7 in order.

use wa_contract::payload::send::{SendContact, SendMessageRequest, SendResponse, SentMessage};
use wa_contract::payload::waba::SuccessResponse;
use wa_contract::{
    ErrorKind, Report, SendEndpoint, validate_send, validate_send_json, validate_status_update,
};

use super::{GraphCtx, GraphError, json_bytes};
use crate::domain::Refusal;
use crate::ids::PhoneNumberId;
use crate::store::Accepted;

/// Rule 2: the body must conform; missing recipients and non-template types have their own
/// answers.
fn conforming_request(
    ctx: &mut GraphCtx<'_>,
    endpoint: SendEndpoint,
) -> Result<SendMessageRequest, GraphError> {
    // One parse for a conforming JSON body; the tree is walked only to say what is wrong.
    if let Some(request) = ctx
        .json_body()
        .and_then(|bytes| validate_send_json(endpoint, bytes))
    {
        return Ok(request);
    }
    let body = ctx.body()?;
    let report: Report = match validate_send(endpoint, &body) {
        Ok(request) => return Ok(request),
        Err(report) => report,
    };
    ctx.violations = report.violations.iter().map(ToString::to_string).collect();
    let has = |rule: &str| report.violations.iter().any(|v| v.rule == rule);
    if has("to_or_recipient") {
        return Err(ctx.error(&Refusal::new(ErrorKind::ToRequired)));
    }
    if has("template_only") {
        return Err(ctx.error(&Refusal::new(ErrorKind::NotATemplateMessage)));
    }
    let details = report.violations.first().map_or_else(
        || "request body: not a send request".to_owned(),
        ToString::to_string,
    );
    Err(ctx.error(&Refusal::invalid(details)))
}

fn response(accepted: Accepted) -> Vec<u8> {
    let body = SendResponse {
        messaging_product: "whatsapp".to_owned(),
        contacts: vec![SendContact {
            input: accepted.input,
            wa_id: accepted.wa_id,
            user_id: accepted.user_id,
            extra: Default::default(),
        }],
        messages: vec![SentMessage {
            id: accepted.wamid.to_string(),
            message_status: None,
            extra: Default::default(),
        }],
        extra: Default::default(),
    };
    json_bytes(&body)
}

/// `POST /{phone_number_id}/marketing_messages`.
pub(super) fn send_marketing_message(ctx: &mut GraphCtx<'_>) -> Result<Vec<u8>, GraphError> {
    let req = conforming_request(ctx, SendEndpoint::MarketingMessages)?;
    let Some(template) = &req.template else {
        return Err(ctx.error(&Refusal::new(ErrorKind::NotATemplateMessage)));
    };
    let phone = PhoneNumberId::new(ctx.id);
    ctx.state
        .send_marketing_message(&phone, &req, template)
        .map(response)
        .map_err(|r| ctx.error(&r))
}

/// `POST /{phone_number_id}/messages`: a send, or a read receipt (`status: read`).
pub(super) fn send_message(ctx: &mut GraphCtx<'_>) -> Result<Vec<u8>, GraphError> {
    if ctx.body_has("status") {
        return mark_read(ctx);
    }
    let req = conforming_request(ctx, SendEndpoint::Messages)?;
    let phone = PhoneNumberId::new(ctx.id);
    ctx.state
        .send_message(&phone, &req)
        .map(response)
        .map_err(|r| ctx.error(&r))
}

/// A read receipt, with an optional typing indicator: `{"success":true}`.
fn mark_read(ctx: &mut GraphCtx<'_>) -> Result<Vec<u8>, GraphError> {
    let body = ctx.body()?.into_owned();
    let request = match validate_status_update(&body) {
        Ok(request) => request,
        Err(report) => {
            ctx.violations = report.violations.iter().map(ToString::to_string).collect();
            let details = report.violations.first().map_or_else(
                || "request body: not a read receipt".to_owned(),
                ToString::to_string,
            );
            return Err(ctx.error(&Refusal::invalid(details)));
        }
    };
    let phone = PhoneNumberId::new(ctx.id);
    ctx.state
        .mark_read(
            &phone,
            &request.message_id,
            request.typing_indicator.is_some(),
        )
        .map_err(|r| ctx.error(&r))?;
    Ok(json_bytes(&SuccessResponse {
        success: true,
        extra: Default::default(),
    }))
}
