//! Media: `POST /{phone_number_id}/media`, `GET /{media_id}` and `DELETE /{media_id}`.
//!
//! The pipeline streams the multipart form in, refusing a file of a type Meta does not take or
//! over its kind's limit before it is held whole; the handler gets the form's fields as a tree
//! and its file. `GET /{media_id}` answers a download URL on the mock's own byte endpoint
//! (`/whatsapp_business/attachments/`, the path of Meta's), signed for the sandbox and valid
//! for Meta's 5 minutes on its clock.

use serde::Serialize;
use serde_json::Value;
use wa_contract::payload::media::MediaNode;
use wa_contract::payload::waba::SuccessResponse;

use super::Ctx;
use crate::domain::Refusal;
use crate::domain::media::{self, URL_LIFETIME, Upload};
use crate::ids::PhoneNumberId;
use crate::store::media_gone;

/// What an upload answers: the new media id.
#[derive(Serialize)]
pub(crate) struct UploadedMedia {
    id: String,
}

/// `POST /{phone_number_id}/media`: `fields` are the form's text fields (a tree), `file` its
/// file part.
pub(crate) fn upload_media(
    ctx: &mut Ctx<'_>,
    fields: &Value,
    file: Option<&Upload>,
) -> Result<UploadedMedia, Refusal> {
    let field = |name: &str| fields.get(name).and_then(Value::as_str);
    let upload = media::check_form(field("messaging_product"), field("type"), file)?;
    let phone = PhoneNumberId::new(ctx.id);
    let id = ctx.state.upload_media(&phone, upload)?;
    Ok(UploadedMedia { id: id.to_string() })
}

/// `GET /{media_id}` (`?phone_number_id=` must name the number it belongs to): its metadata
/// and a download URL on `origin`, the address the client used.
pub(crate) fn get_media(ctx: &mut Ctx<'_>, origin: &str) -> Result<MediaNode, Refusal> {
    let now = ctx.sandbox.clock().now();
    let phone = ctx.query("phone_number_id");
    let media = ctx
        .state
        .media_of(ctx.id, now)
        .ok_or_else(|| media_gone("get", ctx.id))?;
    if let Some(phone) = phone
        && phone != media.phone.as_str()
    {
        return Err(Refusal::invalid(format!(
            "phone_number_id: media {} does not belong to phone number {phone}",
            ctx.id
        )));
    }
    let expires = now.plus(URL_LIFETIME).unix_seconds();
    let hash = media::url_signature(ctx.sandbox.token().as_str(), &media.id, expires);
    Ok(MediaNode {
        messaging_product: "whatsapp".to_owned(),
        url: format!(
            "{origin}/whatsapp_business/attachments/?mid={}&ext={expires}&hash={hash}",
            media.id
        ),
        mime_type: media.mime_type.clone(),
        sha256: media.sha256.clone(),
        file_size: media.bytes.len() as u64,
        id: media.id.to_string(),
        extra: Default::default(),
    })
}

/// `DELETE /{media_id}`.
pub(crate) fn delete_media(ctx: &mut Ctx<'_>) -> Result<SuccessResponse, Refusal> {
    if let Some(phone) = ctx.query("phone_number_id") {
        let now = ctx.sandbox.clock().now();
        let owner = ctx.state.media_of(ctx.id, now).map(|m| m.phone.clone());
        if owner.is_some_and(|owner| owner.as_str() != phone) {
            return Err(Refusal::invalid(format!(
                "phone_number_id: media {} does not belong to phone number {phone}",
                ctx.id
            )));
        }
    }
    ctx.state.delete_media(ctx.id)?;
    Ok(SuccessResponse {
        success: true,
        extra: Default::default(),
    })
}
