//! Who receives a sandbox's webhooks, signed with which secret, in which version's shape — and
//! the GET handshake an endpoint must pass before a WABA's webhooks are pointed at it.
//!
//! Precedence for the callback URL: a WABA's `override_callback_uri` (Graph `subscribed_apps`)
//! beats the sandbox's `webhook_url` (`POST /__admin/sandboxes`, `PUT /__admin/webhooks`), which
//! beats the app default (`--webhook-url`). A WABA whose subscription was deleted receives
//! nothing; one never subscribed gets the default, so a fresh world's statuses flow at once.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use wa_contract::GraphVersion;
use wa_contract::admin::Chaos;

use super::outbound::{CHALLENGE_CAP, CallbackHosts, Failure, body_within};
use crate::ids::WabaId;
use crate::store::Subscription;

/// A sandbox's own webhook settings; each one left out falls back to the server's.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookSettings {
    /// Callback URL for WABAs without an `override_callback_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) webhook_url: Option<String>,
    /// Secret for `X-Hub-Signature-256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) app_secret: Option<String>,
    /// Graph version whose webhook shapes to send (`conversation` is dropped from v24.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) webhook_version: Option<GraphVersion>,
    /// Delivery chaos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) chaos: Option<Chaos>,
}

impl WebhookSettings {
    /// The first setting the mock cannot use, named by its field: a URL it will not call
    /// (see [`CallbackHosts`]), chaos out of range.
    pub(crate) fn check(&self, callbacks: &CallbackHosts) -> Result<(), String> {
        if let Some(url) = &self.webhook_url {
            callbacks
                .check(url)
                .map_err(|why| format!("webhook_url: {why}"))?;
        }
        match &self.chaos {
            Some(chaos) => chaos
                .check()
                .map_err(|(field, e)| format!("chaos.{field}: {e}")),
            None => Ok(()),
        }
    }
}

/// Where `waba`'s webhooks go: its override, else `default`; nowhere once unsubscribed.
pub(crate) fn callback_url<'a>(
    subscriptions: &'a HashMap<WabaId, Vec<Subscription>>,
    waba: &WabaId,
    default: Option<&'a str>,
) -> Option<&'a str> {
    match subscriptions.get(waba) {
        None => default,
        Some(subs) => subs
            .first()
            .and_then(|s| s.override_callback_uri.as_deref().or(default)),
    }
}

/// Meta's verification GET: `hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`. The
/// endpoint must answer 200 with exactly the challenge. Nothing it answered is echoed back: the
/// URL is the caller's choice, and an echo would let a form read any page the mock can reach.
pub(crate) async fn handshake(
    client: &reqwest::Client,
    url: &str,
    verify_token: &str,
    challenge: &str,
    timeout_ms: u64,
) -> Result<(), Failure> {
    let failed = |e: reqwest::Error| Failure::of(&e, timeout_ms);
    let mut response = client
        .get(url)
        .query(&[
            ("hub.mode", "subscribe"),
            ("hub.challenge", challenge),
            ("hub.verify_token", verify_token),
        ])
        .send()
        .await
        .map_err(failed)?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(Failure::Status(status.as_u16()));
    }
    match body_within(&mut response, CHALLENGE_CAP)
        .await
        .map_err(failed)?
    {
        Some(body) if body == challenge.as_bytes() => Ok(()),
        _ => Err(Failure::ChallengeMismatch),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(uri: Option<&str>) -> Subscription {
        Subscription {
            override_callback_uri: uri.map(str::to_owned),
            verify_token: uri.map(|_| "t".to_owned()),
        }
    }

    #[test]
    fn an_override_beats_the_default_and_a_deleted_subscription_gets_nothing() {
        let (a, b, c, d) = (
            WabaId::new("1"),
            WabaId::new("2"),
            WabaId::new("3"),
            WabaId::new("4"),
        );
        let subs = HashMap::from([
            (a.clone(), vec![sub(Some("http://override"))]),
            (b.clone(), vec![sub(None)]),
            (c.clone(), Vec::new()),
        ]);
        let default = Some("http://default");
        assert_eq!(callback_url(&subs, &a, default), Some("http://override"));
        assert_eq!(callback_url(&subs, &b, default), default);
        assert_eq!(callback_url(&subs, &c, default), None);
        assert_eq!(callback_url(&subs, &d, default), default);
        assert_eq!(callback_url(&subs, &d, None), None);
    }
}
