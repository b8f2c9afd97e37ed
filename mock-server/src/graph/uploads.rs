//! The Resumable Upload API: `POST /{app_id}/uploads` opens a session, `POST /upload:{session}`
//! sends the file from the session's offset (the `file_offset` header) and answers the
//! complete file's handle, `GET /upload:{session}` tells the offset to resume from.

use serde::Serialize;
use wa_contract::payload::media::{UploadHandle, UploadSession, UploadSessionState};

use super::Ctx;
use crate::domain::Refusal;
use crate::domain::upload::SessionSpec;
use crate::store::Uploaded;

/// What a piece of the file answers: the handle of the complete file, or, while it is not
/// complete, the session's offset (*invented*: Meta documents only the handle's answer).
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ChunkAnswer {
    /// The complete file's handle, `{"h": …}`.
    Handle(UploadHandle),
    /// The session's offset.
    Partial(UploadSessionState),
}

/// `POST /{app_id}/uploads?file_name&file_length&file_type`.
pub(crate) fn create_upload_session(ctx: &mut Ctx<'_>) -> Result<UploadSession, Refusal> {
    let spec = SessionSpec::parse(
        ctx.query("file_name"),
        ctx.query("file_length"),
        ctx.query("file_type"),
    )?;
    let id = ctx.state.open_upload_session(spec);
    Ok(UploadSession {
        id,
        extra: Default::default(),
    })
}

/// `POST /upload:{session}`: `chunk` sent from `file_offset`.
pub(crate) fn upload_file_chunk(
    ctx: &mut Ctx<'_>,
    file_offset: Option<&str>,
    chunk: &[u8],
) -> Result<ChunkAnswer, Refusal> {
    Ok(match ctx.state.upload_chunk(ctx.id, file_offset, chunk)? {
        Uploaded::Handle(h) => ChunkAnswer::Handle(UploadHandle {
            h,
            extra: Default::default(),
        }),
        Uploaded::Partial(offset) => ChunkAnswer::Partial(state(ctx.id, offset)),
    })
}

/// `GET /upload:{session}`.
pub(crate) fn get_upload_session(ctx: &mut Ctx<'_>) -> Result<UploadSessionState, Refusal> {
    let offset = ctx
        .state
        .upload_session(ctx.id)
        .map_or(0, |session| session.offset());
    Ok(state(ctx.id, offset))
}

/// Session `id` at `offset`.
fn state(id: &str, offset: usize) -> UploadSessionState {
    UploadSessionState {
        id: id.to_owned(),
        file_offset: offset as u64,
        extra: Default::default(),
    }
}
