//! One webhook on its way: the signed body, its attempts and the retry schedule.
//!
//! A `Delivery` is built once (body and signature never change between attempts, as with
//! Meta) and POSTed by `attempt`. A 2xx answer delivers it; anything else — another status,
//! a refused connection, a timeout — logs the failure and, while the webhook is younger than the
//! maximum age, schedules the next attempt as a job on the clock, so retries happen in
//! simulated time like everything else. Every attempt lands in its sandbox's bounded
//! `DeliveryLog` (in `hooks`).

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::CONTENT_TYPE;
use serde::{Serialize, Serializer};
use wa_contract::signature::SIGNATURE_HEADER;

use super::Shared;
use super::hooks::{Attempt, Hooks, Outcome};
use super::outbound::{ANSWER_CAP, Failure, body_within};
use crate::clock::{Clock, Timestamp};
use crate::log::Escaped;
use crate::store::Sandbox;

/// When failed deliveries are tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct RetryPolicy {
    /// Wait before the first retry; each later retry waits twice as long as the one before.
    #[serde(rename = "first_retry_seconds", serialize_with = "seconds")]
    pub(crate) first: Duration,
    /// Longest wait between two attempts.
    #[serde(rename = "max_wait_seconds", serialize_with = "seconds")]
    pub(crate) max_wait: Duration,
    /// Age (from the first attempt) after which an undelivered webhook is dropped.
    #[serde(rename = "max_age_seconds", serialize_with = "seconds")]
    pub(crate) max_age: Duration,
}

fn seconds<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (from 1): `first`, doubled each time,
    /// capped at `max_wait`.
    pub(crate) fn wait(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        self.first
            .saturating_mul(1u32 << doublings.min(31))
            .min(self.max_wait)
    }

    /// When to try again after attempt `attempt` failed at `at`, or `None` once the next try
    /// would come later than `max_age` after `first_due`.
    pub(crate) fn next(
        &self,
        first_due: Timestamp,
        at: Timestamp,
        attempt: u32,
    ) -> Option<Timestamp> {
        let next = at.plus(self.wait(attempt));
        (next.since(first_due) <= self.max_age).then_some(next)
    }
}

/// A webhook to POST, with everything its attempts need (cheap to clone).
#[derive(Clone)]
pub(crate) struct Delivery {
    /// Numbered per sandbox, from 1.
    pub(crate) id: u64,
    /// The sandbox's webhook state, where attempts are logged.
    pub(crate) hooks: Arc<Mutex<Hooks>>,
    /// The sandbox's clock, which times attempts and retries.
    pub(crate) clock: Clock,
    /// The sandbox, whose memory budget the log's growth is charged to.
    pub(crate) sandbox: Weak<Sandbox>,
    pub(crate) url: Arc<str>,
    pub(crate) field: &'static str,
    /// The wamids the body is about (statuses' messages or the inbound message).
    pub(crate) message_ids: Arc<[String]>,
    /// Exactly the bytes POSTed and signed.
    pub(crate) body: Bytes,
    pub(crate) signature: Arc<str>,
    /// When the first attempt fell due; the maximum age counts from here.
    pub(crate) first_due: Timestamp,
    /// Attempts made so far.
    pub(crate) attempts: u32,
    /// For a chaos duplicate: the delivery it copies.
    pub(crate) duplicate_of: Option<u64>,
}

/// POSTs `delivery` once, logs the attempt and schedules the next one if it failed.
pub(crate) async fn attempt(shared: Arc<Shared>, mut delivery: Delivery) {
    delivery.attempts += 1;
    let clock = delivery.clock.clone();
    let at = clock.now();
    let started = Instant::now();
    let sent = shared
        .client
        .post(&*delivery.url)
        .header(CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, &*delivery.signature)
        .body(delivery.body.clone())
        .send()
        .await;
    let (status, error) = match sent {
        Ok(mut response) => {
            let status = response.status();
            // Reading a short answer lets the connection go back to the pool; a long one is
            // cut off, since nothing in it matters and the endpoint chose its length.
            let _ = body_within(&mut response, ANSWER_CAP).await;
            let error = (!status.is_success()).then(|| Failure::Status(status.as_u16()));
            (Some(status.as_u16()), error)
        }
        Err(e) => (None, Some(Failure::of(&e, shared.config.timeout_ms))),
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let next = match error {
        None => None,
        Some(_) => shared.retry.next(delivery.first_due, at, delivery.attempts),
    };
    let outcome = match (&error, next) {
        (None, _) => Outcome::Delivered,
        (Some(_), Some(_)) => Outcome::Retrying,
        (Some(_), None) => Outcome::Expired,
    };
    match &error {
        None => {
            tracing::info!(url = %Escaped(&delivery.url), field = delivery.field, attempt = delivery.attempts, status, latency_ms, "webhook delivered")
        }
        Some(e) => {
            tracing::warn!(url = %Escaped(&delivery.url), field = delivery.field, attempt = delivery.attempts, ?outcome, error = %e, "webhook failed")
        }
    }
    let record = Attempt {
        delivery_id: delivery.id,
        attempt: delivery.attempts,
        at,
        url: delivery.url.clone(),
        field: delivery.field,
        message_ids: delivery.message_ids.clone(),
        status,
        latency_ms,
        error: error.map(|e| e.to_string()),
        outcome,
        next_attempt_at: next,
        duplicate_of: delivery.duplicate_of,
        signature: delivery.signature.clone(),
        body: delivery.body.clone(),
    };
    let (added, removed) = super::lock(&delivery.hooks).log.push(record);
    if let Some(sandbox) = delivery.sandbox.upgrade() {
        shared.store.charge_deliveries(&sandbox, added, removed);
    }
    if let Some(next) = next {
        // Scheduled from the attempt's own time, so retries keep their spacing on the clock.
        let wait = next.since(clock.now());
        Shared::requeue_in(&shared, wait, delivery);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        first: Duration::from_secs(10),
        max_wait: Duration::from_secs(3600),
        max_age: Duration::from_secs(86_400),
    };

    #[test]
    fn waits_double_from_the_first_and_stop_at_the_cap() {
        let waits: Vec<u64> = (1..=11).map(|n| POLICY.wait(n).as_secs()).collect();
        assert_eq!(
            waits,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(POLICY.wait(500).as_secs(), 3600);
    }

    #[test]
    fn no_retry_falls_due_after_the_maximum_age() {
        let start = Timestamp::MANUAL_START;
        let late = start.plus(Duration::from_secs(86_400 - 3600));
        assert_eq!(
            POLICY.next(start, late, 20),
            Some(start.plus(Duration::from_secs(86_400)))
        );
        let later = late.plus(Duration::from_secs(1));
        assert_eq!(POLICY.next(start, later, 20), None);
    }
}
