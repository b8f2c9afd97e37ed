//! A sandbox's webhook state: its own settings, the generators its chaos and challenges draw
//! from, and the log of every delivery attempt. Delivery writes to it; nothing here calls out.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use serde::Deserialize as _;

use super::outbound::CallbackHosts;
use super::subscription::WebhookSettings;
use crate::budget::Retained;
use crate::clock::Timestamp;
use crate::ids::IdGen;
use crate::store::SandboxHooks;

/// A sandbox's webhook state: its settings, its chaos and challenge generators, its log.
pub(crate) struct Hooks {
    pub(crate) settings: WebhookSettings,
    /// Chaos decisions, a stream of the sandbox's own.
    pub(crate) chaos: IdGen,
    /// Handshake challenges, another.
    pub(crate) challenges: IdGen,
    /// The last delivery id handed out.
    pub(crate) last_id: u64,
    pub(crate) log: DeliveryLog,
    /// The hosts its callback URLs may name, the server's.
    callbacks: Arc<CallbackHosts>,
}

impl Hooks {
    /// Fresh state with `settings`, drawing from the given streams.
    pub(crate) fn new(
        settings: WebhookSettings,
        chaos: IdGen,
        challenges: IdGen,
        log_size: usize,
        callbacks: Arc<CallbackHosts>,
    ) -> Self {
        Self {
            settings,
            chaos,
            challenges,
            last_id: 0,
            log: DeliveryLog::new(log_size),
            callbacks,
        }
    }

    /// The next delivery id.
    pub(crate) fn next_id(&mut self) -> u64 {
        self.last_id += 1;
        self.last_id
    }
}

/// How an attempt ended: the admin API's own type.
pub(crate) use wa_contract::model::Outcome;

/// One POST of a webhook, as the log keeps it: body, URL and signature shared with its
/// delivery, the body as the bytes sent (`GET /__admin/webhooks/deliveries` parses it).
#[derive(Clone, Debug)]
pub(crate) struct Attempt {
    /// The delivery (all attempts of one webhook share it).
    pub(crate) delivery_id: u64,
    /// Attempt number, from 1.
    pub(crate) attempt: u32,
    /// Clock time of the attempt.
    pub(crate) at: Timestamp,
    /// Where it was POSTed.
    pub(crate) url: Arc<str>,
    /// The webhook's `field`.
    pub(crate) field: &'static str,
    /// Message ids the body is about.
    pub(crate) message_ids: Arc<[String]>,
    /// HTTP status answered; `null` when none came (refused, timed out).
    pub(crate) status: Option<u16>,
    /// Real milliseconds the attempt took.
    pub(crate) latency_ms: u64,
    /// Why it failed.
    pub(crate) error: Option<String>,
    /// What happens next.
    pub(crate) outcome: Outcome,
    /// When the next attempt falls due, while retrying.
    pub(crate) next_attempt_at: Option<Timestamp>,
    /// For a chaos duplicate: the delivery it copies.
    pub(crate) duplicate_of: Option<u64>,
    /// The `X-Hub-Signature-256` header sent.
    pub(crate) signature: Arc<str>,
    /// The body sent.
    pub(crate) body: Bytes,
}

/// A sandbox's most recent attempts, oldest first.
#[derive(Debug)]
pub(crate) struct DeliveryLog {
    cap: usize,
    attempts: VecDeque<Attempt>,
}

impl Retained for Attempt {
    fn retained_bytes(&self) -> usize {
        // The record, its slot, the error text; body, URL and signature are shared with the
        // delivery but outlive it here.
        256 + self.body.len()
            + self.url.len()
            + self.signature.len()
            + self.error.as_ref().map_or(0, String::len)
    }
}

impl DeliveryLog {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            attempts: VecDeque::new(),
        }
    }

    /// Logs an attempt; the bytes added and the bytes freed by dropping the oldest.
    pub(crate) fn push(&mut self, attempt: Attempt) -> (usize, usize) {
        let removed = if self.attempts.len() >= self.cap {
            self.trim_oldest().unwrap_or(0)
        } else {
            0
        };
        if self.cap == 0 {
            return (0, removed);
        }
        let added = attempt.retained_bytes();
        self.attempts.push_back(attempt);
        (added, removed)
    }

    /// Drops the oldest attempt; the bytes it held.
    pub(crate) fn trim_oldest(&mut self) -> Option<usize> {
        self.attempts.pop_front().map(|a| a.retained_bytes())
    }

    /// Attempts about `message_id` (if given) under `field` (if given).
    pub(crate) fn matching<'a>(
        &'a self,
        message_id: Option<&'a str>,
        field: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Attempt> {
        self.attempts.iter().filter(move |a| {
            message_id.is_none_or(|id| a.message_ids.iter().any(|m| m == id))
                && field.is_none_or(|f| a.field == f)
        })
    }

    /// Forgets every attempt; the bytes they held.
    pub(crate) fn clear(&mut self) -> usize {
        self.attempts.drain(..).map(|a| a.retained_bytes()).sum()
    }
}

/// The budget trims delivery attempts, and a reset forgets them, through the store, which
/// knows only this trait.
impl SandboxHooks for Mutex<Hooks> {
    fn trim_oldest(&self) -> Option<usize> {
        lock(self).log.trim_oldest()
    }

    fn reset(&self) -> usize {
        lock(self).log.clear()
    }

    fn as_any(self: Arc<Self>) -> Arc<dyn std::any::Any + Send + Sync> {
        self
    }

    fn settings(&self) -> serde_json::Value {
        serde_json::to_value(&lock(self).settings).expect("settings always serialize")
    }

    fn check_settings(&self, settings: &serde_json::Value) -> Result<(), String> {
        let callbacks = lock(self).callbacks.clone();
        WebhookSettings::deserialize(settings)
            .map_err(|e| e.to_string())?
            .check(&callbacks)
    }

    fn set_settings(&self, settings: serde_json::Value) {
        if let Ok(settings) = serde_json::from_value(settings) {
            lock(self).settings = settings;
        }
    }
}

/// Locks a std mutex, shrugging off poisoning (the data stays usable).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
