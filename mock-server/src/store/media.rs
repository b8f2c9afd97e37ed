//! Media files: stored by an upload (or a user's message), read back, deleted, dropped at the
//! end of their retention on the sandbox's clock, and counted against the sandbox's media cap
//! and the memory budget.

use std::sync::Arc;

use wa_contract::ErrorKind;
use wa_contract::payload::send::SendMessageRequest;

use super::{ObjectKind, SandboxState, Session};
use crate::budget::Retained;
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::media::{Media, UPLOAD_RETENTION, Upload};
use crate::domain::message::SentMedia;
use crate::ids::{MediaId, PhoneNumberId};

impl Session<'_> {
    /// `POST /{phone_number_id}/media`: stores `upload` for `phone` for Meta's 30 days,
    /// dropping the sandbox's oldest files if it would pass its media cap.
    pub(crate) fn upload_media(
        &mut self,
        phone: &PhoneNumberId,
        upload: Upload,
    ) -> Result<MediaId, Refusal> {
        let now = self.sandbox.clock.now();
        let cap = self.retention.media_mb.saturating_mul(1024 * 1024);
        let state = self.state();
        let id = MediaId::new(state.ids.media.numeric_id());
        let media = Media::new(id.clone(), phone.clone(), upload, now, UPLOAD_RETENTION);
        let expires_at = media.expires_at;
        for dropped in state.media.insert(media, cap)? {
            state.objects.remove(dropped.as_str());
        }
        state
            .objects
            .insert(Arc::from(id.as_str()), ObjectKind::Media);
        self.schedule_media_expiry(expires_at);
        Ok(id)
    }

    /// Drops the files whose retention is over when the clock reaches `at`.
    pub(super) fn schedule_media_expiry(&self, at: Timestamp) {
        let job = self.job(|session, at| session.expire_media(at));
        self.sandbox.clock.schedule_at(at, job);
    }

    /// `DELETE /{media_id}`.
    pub(crate) fn delete_media(&mut self, id: &str) -> Result<(), Refusal> {
        let now = self.sandbox.clock.now();
        if self.media_of(id, now).is_none() {
            return Err(media_gone("delete", id));
        }
        let state = self.state();
        state.media.remove(id);
        state.objects.remove(id);
        Ok(())
    }

    /// Drops the files whose retention is over at `now`.
    fn expire_media(&mut self, now: Timestamp) {
        let state = self.state();
        for gone in state.media.expire(now) {
            state.objects.remove(gone.as_str());
        }
    }
}

impl SandboxState {
    /// The file `id` while it exists at `now`.
    pub(crate) fn media_of(&self, id: &str, now: Timestamp) -> Option<&Media> {
        self.media.get(id, now)
    }

    /// Every media id `req` names (its media body, its template's header parameters) must be
    /// a file this sandbox holds at `now`; a `link` is recorded, never fetched.
    pub(crate) fn check_sent_media(
        &self,
        req: &SendMessageRequest,
        now: Timestamp,
    ) -> Result<(), Refusal> {
        let missing = SentMedia::of(req).into_iter().find_map(|sent| {
            let id = sent.id?;
            self.media
                .get(&id, now)
                .is_none()
                .then_some((sent.kind, id))
        });
        match missing {
            Some((kind, id)) => Err(Refusal::new(ErrorKind::MediaNotFound).with(
                "details",
                format!(
                    "{kind}.id: no media {id} in this sandbox (upload it with POST /{{phone_number_id}}/media)"
                ),
            )),
            None => Ok(()),
        }
    }

    /// Drops the oldest file; the bytes it held.
    pub(super) fn trim_media(&mut self) -> Option<usize> {
        let media = self.media.pop_oldest()?;
        self.objects.remove(media.id.as_str());
        Some(media.retained_bytes())
    }
}

/// Graph's answer for a file that is gone: an unknown object (100/33), as for any id.
pub(crate) fn media_gone(method: &str, id: &str) -> Refusal {
    Refusal::new(ErrorKind::UnknownObject)
        .with("method", method)
        .with("id", id)
}
