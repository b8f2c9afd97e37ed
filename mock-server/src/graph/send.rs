//! `POST /{phone_number_id}/marketing_messages` and `POST /{phone_number_id}/messages`.
//!
//! The pipeline applies rule 2 (the body) with the contract's validator; the store applies rules
//! 3–7 in order.

use serde::Serialize;
use wa_contract::ErrorKind;
use wa_contract::payload::send::{
    SendContact, SendMessageRequest, SendResponse, SentMessage, StatusUpdateRequest,
};
use wa_contract::payload::waba::SuccessResponse;

use super::Ctx;
use crate::domain::Refusal;
use crate::ids::PhoneNumberId;
use crate::store::Accepted;

/// What `POST /{phone_number_id}/messages` carries.
#[expect(
    clippy::large_enum_variant,
    reason = "one per request, moved once into its handler; boxing would allocate on every send"
)]
pub(crate) enum MessagesBody {
    /// A message to send.
    Send(SendMessageRequest),
    /// A read receipt (`status: read`), with an optional typing indicator.
    Read(StatusUpdateRequest),
}

/// What `POST /{phone_number_id}/messages` answers.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum MessagesAnswer {
    /// The message was accepted.
    Sent(SendResponse),
    /// The read receipt was taken: `{"success":true}`.
    Read(SuccessResponse),
}

fn response(accepted: Accepted) -> SendResponse {
    SendResponse {
        messaging_product: "whatsapp".to_owned(),
        contacts: vec![SendContact {
            input: accepted.input,
            wa_id: accepted.wa_id,
            user_id: accepted.user_id,
            extra: Default::default(),
        }],
        messages: vec![SentMessage {
            id: accepted.wamid.to_string(),
            message_status: accepted.message_status.map(Into::into),
            extra: Default::default(),
        }],
        extra: Default::default(),
    }
}

/// `POST /{phone_number_id}/marketing_messages`.
#[expect(
    clippy::needless_pass_by_value,
    reason = "handlers take their request by value; the store only reads this one"
)]
pub(crate) fn send_marketing_message(
    ctx: &mut Ctx<'_>,
    req: SendMessageRequest,
) -> Result<SendResponse, Refusal> {
    let Some(template) = &req.template else {
        return Err(Refusal::new(ErrorKind::NotATemplateMessage));
    };
    let phone = PhoneNumberId::new(ctx.id);
    ctx.state
        .send_marketing_message(&phone, &req, template)
        .map(response)
}

/// `POST /{phone_number_id}/messages`: a send, or a read receipt.
pub(crate) fn send_message(
    ctx: &mut Ctx<'_>,
    body: MessagesBody,
) -> Result<MessagesAnswer, Refusal> {
    let phone = PhoneNumberId::new(ctx.id);
    match body {
        MessagesBody::Send(req) => ctx
            .state
            .send_message(&phone, &req)
            .map(|accepted| MessagesAnswer::Sent(response(accepted))),
        MessagesBody::Read(receipt) => {
            ctx.state.mark_read(
                &phone,
                &receipt.message_id,
                receipt.typing_indicator.is_some(),
            )?;
            Ok(MessagesAnswer::Read(SuccessResponse {
                success: true,
                extra: Default::default(),
            }))
        }
    }
}
