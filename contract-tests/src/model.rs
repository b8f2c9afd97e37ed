//! The mock's own vocabulary: what a sandbox's world is made of; the admin API, world files and
//! the server share it.
//!
//! None of it is Meta's payload: how a message was routed, what a recipient's phone does, the
//! mock's marketing limit, Meta's dated changes as the mock applies them and how a webhook
//! delivery ended. Meta's own enums live with the payloads that carry them ([`crate::payload`]).

use serde::{Deserialize, Serialize};

/// The API that carried a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// The Marketing Messages API.
    MarketingMessages,
    /// The Cloud API (`/messages`, or MM API fallback).
    CloudApi,
}

/// What happens to messages sent to a recipient.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Behaviour {
    /// sent → delivered → read.
    #[default]
    Default,
    /// Fails with 131026 (not on WhatsApp).
    Undeliverable,
    /// Fails with 131049 (per-user marketing limit).
    EcosystemLimited,
    /// Marketing fails with 131050 (user stopped marketing).
    StoppedMarketing,
    /// Stays `sent` until the message's TTL runs out, then fails.
    Offline,
    /// sent → delivered, never read.
    NeverRead,
}

/// `GET` and `PUT /__admin/marketing_limit`, and a world file's `marketing_limit`: how many
/// marketing templates a user may receive in a rolling 24 hours before more fail with 131049.
/// Meta publishes no count (it follows each user's engagement), so the mock's is set here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MarketingLimit {
    /// Marketing templates a user receives from every business of the sandbox in 24 hours
    /// (1–1000); `null` turns the limit off.
    #[cfg_attr(feature = "openapi", schemars(range(min = 1, max = 1000)))]
    pub per_user_per_24h: Option<u32>,
}

/// One of Meta's dated changes, as `fixtures/changes.json` records it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MetaChange {
    /// What the mock keys the rule on, e.g. `msc_on_mm_api`.
    pub id: String,
    /// The day it applies from (`YYYY-MM-DD`, UTC).
    pub date: String,
    /// What it switches.
    pub switches: String,
    /// Where Meta documents it.
    pub source: String,
    /// Whether a detail of it is the mock's choice.
    pub invented: bool,
}

/// How a delivery attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The endpoint answered 2xx.
    Delivered,
    /// It failed; another attempt is scheduled.
    Retrying,
    /// It failed and is too old to retry: dropped.
    Expired,
    /// A verification handshake that failed; nothing is retried.
    Failed,
}
