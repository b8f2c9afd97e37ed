//! The Resumable Upload API: `POST /{app_id}/uploads` opens a session, `POST /upload:{session}`
//! sends the file from the session's offset (the `file_offset` header) and answers the
//! complete file's handle, `GET /upload:{session}` tells the offset to resume from.

use serde::Serialize;

use super::Ctx;
use crate::domain::Refusal;
use crate::domain::upload::SessionSpec;
use crate::store::Uploaded;

/// What opening a session answers: its id, `upload:…`.
#[derive(Serialize)]
pub(crate) struct OpenedSession {
    id: String,
}

/// What a session is: its id and the offset it has reached.
#[derive(Serialize)]
pub(crate) struct SessionOffset {
    id: String,
    file_offset: usize,
}

/// What a piece of the file answers: the handle of the complete file, or, while it is not
/// complete, the session's offset (*invented*: Meta documents only the handle's answer).
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum ChunkAnswer {
    /// The complete file's handle, `{"h": …}`.
    Handle {
        /// The handle.
        h: String,
    },
    /// The session's offset.
    Partial(SessionOffset),
}

/// `POST /{app_id}/uploads?file_name&file_length&file_type`.
pub(crate) fn create_upload_session(ctx: &mut Ctx<'_>) -> Result<OpenedSession, Refusal> {
    let spec = SessionSpec::parse(
        ctx.query("file_name"),
        ctx.query("file_length"),
        ctx.query("file_type"),
    )?;
    let id = ctx.state.open_upload_session(spec);
    Ok(OpenedSession { id })
}

/// `POST /upload:{session}`: `chunk` sent from `file_offset`.
pub(crate) fn upload_file_chunk(
    ctx: &mut Ctx<'_>,
    file_offset: Option<&str>,
    chunk: &[u8],
) -> Result<ChunkAnswer, Refusal> {
    Ok(match ctx.state.upload_chunk(ctx.id, file_offset, chunk)? {
        Uploaded::Handle(h) => ChunkAnswer::Handle { h },
        Uploaded::Partial(file_offset) => ChunkAnswer::Partial(SessionOffset {
            id: ctx.id.to_owned(),
            file_offset,
        }),
    })
}

/// `GET /upload:{session}`.
pub(crate) fn get_upload_session(ctx: &mut Ctx<'_>) -> Result<SessionOffset, Refusal> {
    let file_offset = ctx
        .state
        .upload_session(ctx.id)
        .map_or(0, |session| session.offset());
    Ok(SessionOffset {
        id: ctx.id.to_owned(),
        file_offset,
    })
}
