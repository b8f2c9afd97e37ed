//! One webhook on its way: the signed body, its attempts and the retry schedule.
//!
//! A `Delivery` is built once (body and signature never change between attempts, as with
//! Meta) and POSTed by `attempt`. A 2xx answer delivers it; anything else — another status,
//! a refused connection, a timeout — logs the failure and, while the webhook is younger than the
//! maximum age, schedules the next attempt as a job on the clock, so retries happen in
//! simulated time like everything else. Every attempt lands in its sandbox's bounded
//! `DeliveryLog` (in `hooks`). The retry goes back through the [`Queue`] and the log's growth is
//! charged through the [`Courier`]'s handle: this module knows neither the dispatcher nor the
//! store's registry.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::CONTENT_TYPE;
use tokio::sync::Notify;
use wa_contract::admin::RetryPolicy;
use wa_contract::signature::SIGNATURE_HEADER;

use super::hooks::{Attempt, Hooks, Outcome, lock};
use super::outbound::{ANSWER_CAP, Failure, body_within};
use crate::clock::{Clock, Timestamp};
use crate::log::Escaped;
use crate::store::Sandbox;

/// The retry schedule a [`RetryPolicy`] describes; its fields are the admin API's.
pub(crate) trait Schedule {
    /// The wait after failed attempt number `attempt` (from 1): the first retry's, doubled each
    /// time, capped at the longest wait.
    fn wait(&self, attempt: u32) -> Duration;

    /// When to try again after attempt `attempt` failed at `at`, or `None` once the next try
    /// would come later than the maximum age after `first_due`.
    fn next(&self, first_due: Timestamp, at: Timestamp, attempt: u32) -> Option<Timestamp>;
}

impl Schedule for RetryPolicy {
    fn wait(&self, attempt: u32) -> Duration {
        let doublings = attempt.saturating_sub(1).min(32);
        Duration::from_secs(self.first_retry_seconds)
            .saturating_mul(1u32 << doublings.min(31))
            .min(Duration::from_secs(self.max_wait_seconds))
    }

    fn next(&self, first_due: Timestamp, at: Timestamp, attempt: u32) -> Option<Timestamp> {
        let next = at.plus(self.wait(attempt));
        (next.since(first_due) <= Duration::from_secs(self.max_age_seconds)).then_some(next)
    }
}

/// Deliveries whose (re)try fell due, waiting for the dispatcher: the way back for a failed
/// attempt and a held-back webhook. Clock jobs hold it weakly, so once the dispatcher is gone
/// its pending retries simply lapse.
#[derive(Default)]
pub(crate) struct Queue {
    ready: Mutex<Vec<Delivery>>,
    wake: Notify,
}

impl Queue {
    /// Everything that fell due since the last take.
    pub(crate) fn take(&self) -> Vec<Delivery> {
        std::mem::take(&mut *lock(&self.ready))
    }

    /// Waits until something falls due.
    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// Puts `delivery` back in the queue once `wait` has passed on its sandbox's clock.
    pub(crate) fn requeue_in(self: &Arc<Self>, wait: Duration, delivery: Delivery) {
        let weak: Weak<Queue> = Arc::downgrade(self);
        let clock = delivery.clock.clone();
        clock.schedule_in(
            wait,
            Box::new(move |_| {
                if let Some(queue) = weak.upgrade() {
                    lock(&queue.ready).push(delivery);
                    queue.wake.notify_one();
                }
            }),
        );
    }
}

/// Counts a change in a sandbox's delivery log against the memory budget: bytes added, bytes
/// freed.
pub(crate) type Charge = Box<dyn Fn(&Sandbox, usize, usize) + Send + Sync>;

/// What every attempt needs: the one client, the schedule, and the handles the dispatcher
/// passes down to take a failed delivery back and to charge the log's growth.
pub(crate) struct Courier {
    /// The client every POST goes through.
    pub(crate) client: reqwest::Client,
    /// Milliseconds an endpoint has to answer (for the failure's wording).
    pub(crate) timeout_ms: u64,
    /// When failed deliveries are tried again.
    pub(crate) retry: RetryPolicy,
    /// Where retries go back to.
    pub(crate) queue: Arc<Queue>,
    /// Charges the log's growth.
    pub(crate) charge: Charge,
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

impl Delivery {
    /// What a delivery waiting for its next attempt holds, for the memory budget: it is
    /// charged when planned and given back when it is delivered or expires.
    pub(crate) fn queued_bytes(&self) -> usize {
        192 + self.body.len() + self.url.len() + self.signature.len()
    }
}

/// POSTs `delivery` once, logs the attempt and schedules the next one if it failed.
pub(crate) async fn attempt(courier: Arc<Courier>, mut delivery: Delivery) {
    delivery.attempts += 1;
    let clock = delivery.clock.clone();
    let at = clock.now();
    let started = Instant::now();
    let sent = courier
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
        Err(e) => (None, Some(Failure::of(&e, courier.timeout_ms))),
    };
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let next = match error {
        None => None,
        Some(_) => courier
            .retry
            .next(delivery.first_due, at, delivery.attempts),
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
    let (added, mut removed) = lock(&delivery.hooks).log.push(record);
    let sandbox = delivery.sandbox.upgrade();
    match next {
        // Scheduled from the attempt's own time, so retries keep their spacing on the clock.
        Some(next) => courier.queue.requeue_in(next.since(clock.now()), delivery),
        None => removed += delivery.queued_bytes(),
    }
    // Charged once the retry is scheduled, so the count includes its job.
    if let Some(sandbox) = sandbox {
        (courier.charge)(&sandbox, added, removed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: RetryPolicy = RetryPolicy {
        first_retry_seconds: 10,
        max_wait_seconds: 3600,
        max_age_seconds: 86_400,
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
