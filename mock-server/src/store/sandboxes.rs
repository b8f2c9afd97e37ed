//! Sandboxes come and go: created with fresh ids and a token of their own, deleted, or reset
//! to their start, each in one call that includes the sandbox's webhook state. All of them together stay within the memory budget: each counts what it
//! retains, and when the total passes the limit the least recently used give up their oldest
//! history first, then whole sandboxes are evicted.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Inner, Sandbox, SandboxHooks, SandboxState, Store};
use crate::budget::{Budget, JOB_BYTES, Retained, SANDBOX_BYTES};
use crate::clock::{Clock, Timestamp};
use crate::ids::{IdStreams, Token};

/// Why a sandbox could not be deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DeleteError {
    /// The default sandbox stays.
    Default,
    /// No sandbox has the token.
    Unknown,
}

impl Store {
    /// Makes a sandbox of the configured world's shape with fresh ids, a new token, its own
    /// clock (a manual one starting at `clock_start`, else where the server's start) and the
    /// webhook state `hooks` makes for it, in place before its token answers.
    pub(crate) fn create_sandbox(
        &self,
        clock_start: Option<Timestamp>,
        hooks: impl FnOnce(&Sandbox) -> Arc<dyn SandboxHooks>,
    ) -> Result<Arc<Sandbox>, String> {
        let number = self.inner.next_sandbox.fetch_add(1, Ordering::Relaxed);
        let token = self.inner.mint.token(number);
        self.add_sandbox(number, token, clock_start, hooks)
    }

    /// Makes sandbox `number` with `token` (see [`Store::create_sandbox`]).
    pub(super) fn add_sandbox(
        &self,
        number: u64,
        token: Token,
        clock_start: Option<Timestamp>,
        hooks: impl FnOnce(&Sandbox) -> Arc<dyn SandboxHooks>,
    ) -> Result<Arc<Sandbox>, String> {
        let inner = &self.inner;
        let start = clock_start.unwrap_or(inner.settings.clock_start);
        let clock = Clock::new(inner.settings.clock_mode, start);
        let sandbox = Sandbox::build(
            &inner.world,
            clock,
            token.clone(),
            inner.seed,
            number,
            false,
        )?;
        let _ = sandbox.hooks.set(hooks(&sandbox));
        sandbox.last_used.store(
            inner.ticks.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        inner
            .sandboxes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(token, sandbox.clone());
        if inner.settle(&sandbox, &sandbox.lock()) {
            inner.enforce_budget(&sandbox);
        }
        Ok(sandbox)
    }

    /// Forgets the sandbox `token` selects, with everything it holds (its delivery log too);
    /// its pending jobs lapse and its token answers 190 from now on.
    pub(crate) fn delete_sandbox(&self, token: &str) -> Result<(), DeleteError> {
        if token == self.inner.default.token.as_str() {
            return Err(DeleteError::Default);
        }
        let removed = self
            .inner
            .sandboxes
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token);
        let sandbox = removed.ok_or(DeleteError::Unknown)?;
        self.inner.release(&sandbox);
        self.inner.revision.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The memory budget.
    pub(crate) fn budget(&self) -> &Budget {
        &self.inner.budget
    }

    /// How many sandboxes there are, the default one included.
    pub(crate) fn sandbox_count(&self) -> usize {
        self.inner
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Counts a change in `sandbox`'s delivery log, and makes room if the budget is exceeded.
    pub(crate) fn charge_deliveries(&self, sandbox: &Sandbox, added: usize, removed: usize) {
        if sandbox.gone.load(Ordering::Relaxed) {
            return;
        }
        sandbox.hooks_bytes.fetch_add(added, Ordering::Relaxed);
        let _ = sandbox
            .hooks_bytes
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                Some(b.saturating_sub(removed))
            });
        self.inner.budget.adjust(removed, added);
        self.inner.count_jobs(sandbox);
        sandbox.changed();
        if self.inner.budget.over() {
            self.inner.enforce_budget(sandbox);
        }
    }

    /// Puts a sandbox back in its starting state (same token, same ids) and forgets its
    /// delivery log (its webhook settings stay); its clock stays where it is and its pending
    /// jobs lapse.
    pub(crate) fn reset(&self, sandbox: &Sandbox) -> Result<(), String> {
        let fresh = SandboxState::build(
            &self.inner.world,
            sandbox.clock.now(),
            IdStreams::new(sandbox.seed, sandbox.number),
            sandbox.fixed_ids,
        )?;
        let mut state = sandbox.lock();
        let generation = state.generation + 1;
        *state = fresh;
        state.generation = generation;
        self.inner.settle(sandbox, &state);
        drop(state);
        if let Some(hooks) = sandbox.hooks.get() {
            self.charge_deliveries(sandbox, 0, hooks.reset());
        }
        Ok(())
    }
}

impl Inner {
    /// Counts what `sandbox` retains now; whether the budget is exceeded.
    pub(super) fn settle(&self, sandbox: &Sandbox, state: &SandboxState) -> bool {
        if sandbox.gone.load(Ordering::Relaxed) {
            return false;
        }
        sandbox.changed();
        self.revision.fetch_add(1, Ordering::Relaxed);
        let now = state.retained();
        let before = sandbox.accounted.swap(now, Ordering::Relaxed);
        self.budget.adjust(before, now);
        self.count_jobs(sandbox);
        self.budget.over()
    }

    /// Counts the jobs waiting on `sandbox`'s clock: after each operation and each webhook
    /// attempt, the two things that schedule them.
    fn count_jobs(&self, sandbox: &Sandbox) {
        let now = sandbox.clock.pending() * JOB_BYTES;
        let before = sandbox.jobs_bytes.swap(now, Ordering::Relaxed);
        self.budget.adjust(before, now);
    }

    /// Brings the budget back to its target: first the histories of the least recently used
    /// sandboxes, oldest entries first, then whole sandboxes, least recently used first — never
    /// the default sandbox nor `serving`, the one whose request is under way.
    pub(super) fn enforce_budget(&self, serving: &Sandbox) {
        let Ok(_enforcing) = self.enforcing.try_lock() else {
            return;
        };
        let target = self.budget.target();
        let mut all: Vec<Arc<Sandbox>> = self
            .sandboxes
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect();
        all.sort_by_key(|s| s.last_used.load(Ordering::Relaxed));
        for sandbox in &all {
            if self.budget.used() <= target {
                return;
            }
            self.trim(sandbox, target);
        }
        for sandbox in &all {
            if self.budget.used() <= target {
                return;
            }
            if Arc::ptr_eq(sandbox, &self.default) || std::ptr::eq(&**sandbox, serving) {
                continue;
            }
            let removed = self
                .sandboxes
                .write()
                .unwrap_or_else(|p| p.into_inner())
                .remove(sandbox.token.as_str());
            if removed.is_some() {
                tracing::info!(
                    sandbox = sandbox.number,
                    "sandbox evicted by the memory budget"
                );
                self.release(sandbox);
            }
        }
    }

    /// Drops `sandbox`'s history, oldest first, until the budget reaches `target` or nothing
    /// is left: journal, events, delivery attempts, then messages.
    fn trim(&self, sandbox: &Sandbox, target: usize) {
        {
            let mut state = sandbox.lock();
            while self.budget.used() > target {
                let Some(freed) = state.trim_history() else {
                    break;
                };
                sandbox.accounted.fetch_sub(
                    freed.min(sandbox.accounted.load(Ordering::Relaxed)),
                    Ordering::Relaxed,
                );
                self.budget.sub(freed);
            }
        }
        let Some(hooks) = sandbox.hooks.get() else {
            return;
        };
        while self.budget.used() > target {
            let Some(freed) = hooks.trim_oldest() else {
                break;
            };
            let _ = sandbox
                .hooks_bytes
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| {
                    Some(b.saturating_sub(freed))
                });
            self.budget.sub(freed);
        }
    }

    /// Takes a sandbox that left the registry off the budget for good, dropping its delivery
    /// log at once (retries still pending hold its webhook state until they lapse).
    fn release(&self, sandbox: &Sandbox) {
        sandbox.gone.store(true, Ordering::Relaxed);
        if let Some(hooks) = sandbox.hooks.get() {
            hooks.reset();
        }
        self.budget
            .sub(sandbox.accounted.swap(0, Ordering::Relaxed));
        self.budget
            .sub(sandbox.hooks_bytes.swap(0, Ordering::Relaxed));
        self.budget
            .sub(sandbox.jobs_bytes.swap(0, Ordering::Relaxed));
    }
}

/// What the memory budget counts, by what holds it (bytes, by [`Retained`] estimates).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Counted {
    pub(crate) worlds: usize,
    pub(crate) journal: usize,
    pub(crate) messages: usize,
    pub(crate) events: usize,
    pub(crate) inbound: usize,
    pub(crate) recipients: usize,
    pub(crate) faults: usize,
    pub(crate) jobs: usize,
    pub(crate) media: usize,
    pub(crate) deliveries: usize,
}

/// What one message a user sent holds in a sandbox's list of them (its text is in its event).
const RECEIVED_BYTES: usize = 192;

impl Store {
    /// What the budget counts now, every sandbox together, by what holds it.
    pub(crate) fn counted(&self) -> Counted {
        let mut total = Counted::default();
        for sandbox in self.sandboxes() {
            let own = sandbox.read().counted();
            total.worlds += own.worlds;
            total.journal += own.journal;
            total.messages += own.messages;
            total.events += own.events;
            total.inbound += own.inbound;
            total.recipients += own.recipients;
            total.faults += own.faults;
            total.media += own.media;
            total.jobs += sandbox.jobs_bytes.load(Ordering::Relaxed);
            total.deliveries += sandbox.hooks_bytes.load(Ordering::Relaxed);
        }
        total
    }
}

impl SandboxState {
    /// What the sandbox's state holds, by kind (its clock's jobs and its delivery log are
    /// counted beside it).
    fn counted(&self) -> Counted {
        Counted {
            worlds: SANDBOX_BYTES,
            journal: self.journal_bytes,
            messages: self.message_bytes,
            events: self.outbox.history_bytes(),
            inbound: self.received.len() * RECEIVED_BYTES,
            recipients: self.recipients.retained_bytes(),
            faults: self.faults.retained_bytes(),
            media: self.media.bytes() + self.uploads.bytes(),
            jobs: 0,
            deliveries: 0,
        }
    }

    /// What the sandbox's state holds, by [`Retained`]: its world and its histories.
    fn retained(&self) -> usize {
        let c = self.counted();
        c.worlds + c.journal + c.messages + c.events + c.inbound + c.recipients + c.faults + c.media
    }

    /// Drops the oldest journal entry; the bytes it held.
    pub(super) fn trim_journal(&mut self) -> Option<usize> {
        let entry = self.journal.pop_front()?;
        let bytes = entry.retained_bytes();
        self.journal_bytes = self.journal_bytes.saturating_sub(bytes);
        Some(bytes)
    }

    /// Forgets the oldest message; the bytes it held. Its pending status steps then find
    /// nothing to move.
    pub(super) fn trim_messages(&mut self) -> Option<usize> {
        let wamid = self.message_order.pop_front()?;
        let bytes = self.messages.remove(&wamid)?.retained_bytes();
        self.message_bytes = self.message_bytes.saturating_sub(bytes);
        Some(bytes)
    }

    /// Drops the oldest entry of the first history that has one: journal, events, messages,
    /// then media files.
    fn trim_history(&mut self) -> Option<usize> {
        self.trim_journal()
            .or_else(|| self.outbox.trim_oldest())
            .or_else(|| self.trim_messages())
            .or_else(|| self.trim_media())
    }
}
