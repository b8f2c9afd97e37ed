//! The Resumable Upload API: opening a session on the sandbox's app, taking a file's pieces
//! from the session's offset, and the handle of the complete file, which templates name as
//! their media header's example.

use std::sync::Arc;

use base64::Engine as _;
use wa_contract::ErrorKind;
use wa_contract::operations::UPLOAD_SESSION_PREFIX;

use super::{ObjectKind, SandboxState, Session};
use crate::domain::Refusal;
use crate::domain::upload::{Progress, SessionSpec, UploadSession};

/// Where a session stands after a piece of its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Uploaded {
    /// Not complete: the offset to resume from.
    Partial(usize),
    /// Complete: the file's handle.
    Handle(String),
}

impl Session<'_> {
    /// `POST /{app_id}/uploads`: a new session for the file `spec` describes; its id.
    pub(crate) fn open_upload_session(&mut self, spec: SessionSpec) -> String {
        let state = self.state();
        let id = format!(
            "{UPLOAD_SESSION_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(state.ids.uploads.numeric_id())
        );
        state.uploads.open(id.clone(), UploadSession::new(spec));
        state
            .objects
            .insert(Arc::from(id.as_str()), ObjectKind::UploadSession);
        id
    }

    /// `POST /upload:{session}`: `chunk`, sent from `file_offset`; the handle once the file is
    /// complete (drawn once: a repeated last piece answers the same handle).
    pub(crate) fn upload_chunk(
        &mut self,
        id: &str,
        file_offset: Option<&str>,
        chunk: &[u8],
    ) -> Result<Uploaded, Refusal> {
        let state = self.state();
        let session = state.uploads.session_mut(id).ok_or_else(|| {
            Refusal::new(ErrorKind::UnknownObject)
                .with("method", "post")
                .with("id", id)
        })?;
        match session.append(file_offset, chunk)? {
            Progress::Partial(offset) => Ok(Uploaded::Partial(offset)),
            Progress::Complete => {
                if let Some(handle) = &session.handle {
                    return Ok(Uploaded::Handle(handle.clone()));
                }
                let file_type = session.spec.file_type.clone();
                let engine = base64::engine::general_purpose::STANDARD;
                let handle = format!(
                    "4::{}:{}",
                    engine.encode(&file_type),
                    engine.encode(state.ids.uploads.numeric_id())
                );
                state.uploads.issue(id, handle.clone());
                Ok(Uploaded::Handle(handle))
            }
        }
    }
}

impl SandboxState {
    /// The upload session `id`.
    pub(crate) fn upload_session(&self, id: &str) -> Option<&UploadSession> {
        self.uploads.session(id)
    }

    /// The file type of `handle`, if this sandbox issued it.
    pub(crate) fn handle_type(&self, handle: &str) -> Option<&str> {
        self.uploads.handle_type(handle)
    }
}
