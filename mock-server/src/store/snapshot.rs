//! Snapshots: a sandbox's state as one versioned document, and a sandbox restored from one.
//!
//! The document is the store's own types written by their serde derives, so that a field added
//! to a stored type is carried by its derive and never listed here a second time; a field that
//! is only an index over others is `#[serde(skip)]` and rebuilt by [`SandboxState::restored`].
//! Hashed maps are written in key order ([`crate::persist`]), so two snapshots of the same state
//! are byte-identical. Delayed work is data in the state (a message's upcoming statuses, a
//! template's review time, a file's expiry), so a restored sandbox schedules it again where it
//! was. Bytes (media files, upload sessions under way) are written as base64.
//!
//! A document is read whole and checked before anything changes: a restore either replaces the
//! sandbox's state entirely or leaves it as it was.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};

use super::{Sandbox, SandboxHooks, SandboxState, Store};
use crate::budget::Retained;
use crate::clock::Timestamp;
use crate::domain::events::Outbox;
use crate::domain::message::Message;
use crate::ids::Token;

/// The version of the document this server writes and the newest it reads. It goes up when a
/// change would make an older server misread a newer document; added fields that older
/// documents lack take defaults and keep the version.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// A sandbox's state as one document: what `GET /__admin/snapshot` answers and
/// `POST /__admin/snapshot` restores. `State` and `Messages` are owned when read and borrowed
/// when written, so the one definition serves both.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document<State, Messages> {
    /// The format's version ([`FORMAT_VERSION`]).
    pub(crate) format_version: u32,
    /// The sandbox's clock.
    pub(crate) clock: SnapshotClock,
    /// Its world, recipients, pacing and limit state, settings and id streams.
    pub(crate) state: State,
    /// Its messages, oldest first, each with its status history and upcoming statuses.
    pub(crate) messages: Messages,
    /// Its own webhook settings, as `PUT /__admin/webhooks` takes them (`app_secret` only when
    /// asked for); absent, they are left as they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) webhooks: Option<serde_json::Value>,
    /// With `?include=journal`: the request journal as `GET /__admin/requests` lists it, for
    /// whoever reads the snapshot (a bug report's evidence); a restore does not replay it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) journal: Option<serde_json::Value>,
    /// With `?include=deliveries`: the delivery log as `GET /__admin/webhooks/deliveries` lists
    /// it; read, not restored, like the journal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) deliveries: Option<serde_json::Value>,
}

/// What a snapshot carries beyond the state: the secrets, and the histories a reader may want.
#[derive(Default)]
pub(crate) struct Included {
    /// The webhook settings' `app_secret`.
    pub(crate) secrets: bool,
    /// The journal, in the admin API's shape.
    pub(crate) journal: Option<serde_json::Value>,
    /// The delivery log, in the admin API's shape.
    pub(crate) deliveries: Option<serde_json::Value>,
}

/// A snapshot as read.
pub(crate) type Snapshot = Document<SandboxState, Vec<Message>>;

/// Where a snapshot's clock stood.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SnapshotClock {
    /// The sandbox's time when the snapshot was taken.
    pub(crate) now: Timestamp,
}

/// Why a document is not a snapshot this server can restore; the text names the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SnapshotError(pub(crate) String);

impl std::fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a state read from a snapshot holds in place of its outbox until it is restored.
pub(super) fn empty_outbox() -> Outbox {
    Outbox::new(0)
}

impl Snapshot {
    /// Reads and checks a whole document: its version first (a newer one is refused before its
    /// fields are read), then every field, then what ties the objects together.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, SnapshotError> {
        Self::from_value(
            serde_json::from_slice(bytes)
                .map_err(|e| SnapshotError(format!("snapshot: not a whole JSON document: {e}")))?,
        )
    }

    /// Reads and checks a document already parsed as JSON.
    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, SnapshotError> {
        let version = match value.get("format_version") {
            None => {
                return Err(SnapshotError(
                    "snapshot: format_version is missing; expected a document from GET \
                     /__admin/snapshot"
                        .into(),
                ));
            }
            Some(v) => v.as_u64().ok_or_else(|| {
                SnapshotError(format!(
                    "snapshot: format_version must be a whole number, found {v}"
                ))
            })?,
        };
        if version > u64::from(FORMAT_VERSION) {
            return Err(SnapshotError(format!(
                "snapshot: format_version {version} is newer than this server reads \
                 ({FORMAT_VERSION}); restore it with a newer wa-mock"
            )));
        }
        if version == 0 {
            return Err(SnapshotError(
                "snapshot: format_version 0 was never written; expected 1".into(),
            ));
        }
        let snapshot: Self = serde_path_to_error::deserialize(value)
            .map_err(|e| SnapshotError(format!("snapshot: {}: {}", e.path(), e.inner())))?;
        snapshot.check()?;
        Ok(snapshot)
    }

    /// What serde cannot see: ids unique across the objects, messages and files, each file's
    /// bytes those its `sha256` names, and each upload session's offset where its bytes end.
    fn check(&self) -> Result<(), SnapshotError> {
        let state = &self.state;
        let mut seen = std::collections::HashSet::new();
        let ids = (state.businesses.iter().map(|b| b.id.as_str()))
            .chain(state.wabas.iter().map(|w| w.id.as_str()))
            .chain(state.phones.iter().map(|p| p.id.as_str()))
            .chain(state.templates.iter().map(|t| t.id.as_str()))
            .chain(self.messages.iter().map(|m| m.id.as_str()))
            .chain(state.media.iter().map(|m| m.id.as_str()))
            .chain(state.uploads.sessions().map(|(id, _)| id));
        for id in ids {
            if !seen.insert(id) {
                return Err(SnapshotError(format!(
                    "snapshot: the id {id} names two objects"
                )));
            }
        }
        for (i, media) in state.media.iter().enumerate() {
            media
                .check()
                .map_err(|e| SnapshotError(format!("snapshot: state.media[{i}].{e}")))?;
        }
        for (id, session) in state.uploads.sessions() {
            session
                .check()
                .map_err(|e| SnapshotError(format!("snapshot: state.uploads.sessions.{id}.{e}")))?;
        }
        Ok(())
    }
}

impl Store {
    /// `sandbox` as a snapshot document, with what `included` asks for.
    pub(crate) fn snapshot(&self, sandbox: &Sandbox, included: Included) -> Vec<u8> {
        // A sandbox whose webhook state is not made yet has the default settings: none.
        let mut webhooks = sandbox
            .hooks
            .get()
            .map_or_else(|| serde_json::json!({}), |hooks| hooks.settings());
        if let Some(fields) = webhooks.as_object_mut().filter(|_| !included.secrets) {
            fields.remove("app_secret");
        }
        let state = sandbox.read();
        let document = Document {
            format_version: FORMAT_VERSION,
            clock: SnapshotClock {
                now: sandbox.clock.now(),
            },
            state: &*state,
            messages: state.messages().collect::<Vec<_>>(),
            webhooks: Some(webhooks),
            journal: included.journal,
            deliveries: included.deliveries,
        };
        serde_json::to_vec(&document).expect("stored state always serializes")
    }

    /// Replaces `sandbox`'s state with `snapshot`'s (its token stays): its clock stands where
    /// the snapshot's stood, its webhook settings are the snapshot's (its webhook state made by
    /// `hooks` if it has none yet), its delivery log is forgotten, the work pending before
    /// lapses and the snapshot's pending work is scheduled again. Settings the sandbox cannot
    /// take refuse the whole snapshot, changing nothing.
    pub(crate) fn restore(
        &self,
        sandbox: &Arc<Sandbox>,
        snapshot: Snapshot,
        hooks: impl FnOnce(&Sandbox) -> Arc<dyn SandboxHooks>,
    ) -> Result<(), SnapshotError> {
        let Document {
            clock,
            state,
            messages,
            webhooks,
            ..
        } = snapshot;
        let made = sandbox.hooks.get_or_init(|| hooks(sandbox));
        if let Some(settings) = webhooks {
            made.check_settings(&settings)
                .map_err(|e| SnapshotError(format!("snapshot: webhooks: {e}")))?;
            made.set_settings(settings);
        }
        let fresh = state.restored(messages);
        {
            let mut state = sandbox.lock();
            let generation = state.generation + 1;
            *state = fresh;
            state.generation = generation;
            sandbox.clock.restore(clock.now);
            self.inner.settle(sandbox, &state);
        }
        self.charge_deliveries(sandbox, 0, made.reset());
        self.resume(sandbox);
        Ok(())
    }

    /// A new sandbox (its own token) holding `snapshot`, with the webhook state `hooks` makes.
    pub(crate) fn create_from_snapshot(
        &self,
        snapshot: Snapshot,
        hooks: impl FnOnce(&Sandbox) -> Arc<dyn SandboxHooks>,
    ) -> Result<Arc<Sandbox>, String> {
        let sandbox = self.create_sandbox(Some(snapshot.clock.now), hooks)?;
        // Its webhook state was made with it, so `restore` makes none.
        if let Err(e) = self.restore(&sandbox, snapshot, |_| unreachable!()) {
            let _ = self.delete_sandbox(sandbox.token.as_str());
            return Err(e.0);
        }
        sandbox.last_used.store(
            self.inner.ticks.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Ok(sandbox)
    }

    /// Schedules the delayed work a restored state holds as data.
    fn resume(&self, sandbox: &Arc<Sandbox>) {
        let session = self.session(sandbox);
        let timelines: Vec<_> = session
            .messages()
            .filter(|m| !m.upcoming.steps.is_empty())
            .map(|m| m.id.clone())
            .collect();
        let reviews: Vec<_> = session
            .templates
            .iter()
            .filter_map(|t| Some((t.id.clone(), t.review_at?)))
            .collect();
        let pauses: Vec<_> = session
            .templates
            .iter()
            .filter_map(|t| Some((t.id.clone(), t.paused_until?)))
            .collect();
        for wamid in timelines {
            session.schedule_timeline(wamid);
        }
        for (id, at) in reviews {
            session.resume_review(id, at);
        }
        for (id, until) in pauses {
            session.schedule_pause_end(id, until);
        }
        let expiries: Vec<_> = session.media.iter().map(|m| m.expires_at).collect();
        for at in expiries {
            session.schedule_media_expiry(at);
        }
        session.resume_pacing();
    }
}

/// The state file: every sandbox with its token and number, the default one (number 0) first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    format_version: u32,
    sandboxes: Vec<SavedSandbox>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SavedSandbox {
    token: String,
    number: u64,
    snapshot: serde_json::Value,
}

impl Store {
    /// Every sandbox as one document for the state file: `{"format_version","sandboxes":
    /// [{"token","number","snapshot"}]}`, each sandbox locked only while its own is written.
    pub(crate) fn save_all(&self) -> Vec<u8> {
        let mut out = format!("{{\"format_version\":{FORMAT_VERSION},\"sandboxes\":[").into_bytes();
        for (i, sandbox) in self.sandboxes().iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            let head =
                serde_json::json!({"token": sandbox.token.as_str(), "number": sandbox.number});
            let head = head.to_string();
            // The head's closing brace gives way to the snapshot's field.
            out.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
            out.extend_from_slice(b",\"snapshot\":");
            // The file stays on this machine: it keeps the app secrets, to sign as before.
            let secrets = Included {
                secrets: true,
                ..Included::default()
            };
            out.extend_from_slice(&self.snapshot(sandbox, secrets));
            out.push(b'}');
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// Loads a state file's sandboxes: number 0 into the default sandbox, every other as a
    /// sandbox of its own with its token, each with the webhook state `hooks` makes. The whole
    /// file is checked before any sandbox changes. Answers how many sandboxes it held.
    pub(crate) fn load_all(
        &self,
        bytes: &[u8],
        hooks: impl Fn(&Sandbox) -> Arc<dyn SandboxHooks>,
    ) -> Result<usize, SnapshotError> {
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| SnapshotError(format!("not a whole JSON document: {e}")))?;
        if let Some(version) = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            && version > u64::from(FORMAT_VERSION)
        {
            return Err(SnapshotError(format!(
                "format_version {version} is newer than this server reads ({FORMAT_VERSION}); \
                 load it with a newer wa-mock"
            )));
        }
        let saved: Saved = serde_path_to_error::deserialize(value)
            .map_err(|e| SnapshotError(format!("{}: {}", e.path(), e.inner())))?;
        if saved.format_version != FORMAT_VERSION {
            return Err(SnapshotError(format!(
                "format_version {} is not one this server reads ({FORMAT_VERSION})",
                saved.format_version
            )));
        }
        let mut tokens = std::collections::HashSet::new();
        let mut numbers = std::collections::HashSet::new();
        let mut loaded = Vec::new();
        for (i, entry) in saved.sandboxes.into_iter().enumerate() {
            let at = |e: String| SnapshotError(format!("sandboxes[{i}]: {e}"));
            if !tokens.insert(entry.token.clone()) || !numbers.insert(entry.number) {
                return Err(at(format!(
                    "token or number {} held by two sandboxes",
                    entry.number
                )));
            }
            if entry.number != 0 && entry.token == self.inner.default.token.as_str() {
                return Err(at("the default sandbox's token on another sandbox".into()));
            }
            let snapshot = Snapshot::from_value(entry.snapshot).map_err(|e| at(e.0))?;
            loaded.push((entry.number, Token::new(entry.token), snapshot));
        }
        let count = loaded.len();
        for (number, token, snapshot) in loaded {
            if number == 0 {
                self.restore(&self.inner.default, snapshot, &hooks)?;
                continue;
            }
            self.inner
                .next_sandbox
                .fetch_max(number + 1, Ordering::Relaxed);
            let now = snapshot.clock.now;
            let sandbox = self
                .add_sandbox(number, token, Some(now), &hooks)
                .map_err(SnapshotError)?;
            self.restore(&sandbox, snapshot, &hooks)?;
        }
        Ok(count)
    }
}

impl SandboxState {
    /// The state read from a snapshot made whole: its messages in their map and order, and
    /// the indexes and counts the document leaves out rebuilt.
    fn restored(mut self, messages: Vec<Message>) -> Self {
        self.index_objects();
        for message in messages {
            self.message_bytes += message.retained_bytes();
            self.message_order.push_back(message.id.clone());
            self.messages.insert(message.id.clone(), Box::new(message));
        }
        self.outbox = Outbox::new(self.retention.events);
        self
    }
}
