//! The memory budget: what every sandbox retains, counted in bytes against one global limit.
//!
//! Each retained item — a journal entry, a message, an event, a delivery attempt or one still
//! queued, a message a user sent, a recipient, a fault, a job waiting on the clock, a sandbox's
//! world itself — has an estimate of the heap it holds ([`Retained`]), calibrated against the
//! process's RSS by `cargo bench -p wa-mock --bench sandboxes`. Collections keep running totals,
//! so accounting is O(1) per change. When the total passes the limit, the store trims
//! histories (least recently used sandboxes first, oldest entries first) and, if that is not
//! enough, evicts least recently used sandboxes, down to [`Budget::target`].

use std::sync::atomic::{AtomicUsize, Ordering};

/// A request body the journal keeps past this size is cut to it: a rejected 2 MB body is
/// evidence enough in its first 64 KiB.
pub(crate) const JOURNAL_BODY_CAP: usize = 64 * 1024;

/// What a sandbox's world costs before any traffic (objects, maps, clock, streams): 10.6 KiB
/// measured, rounded up.
pub(crate) const SANDBOX_BYTES: usize = 12 * 1024;

/// What one job waiting on a sandbox's clock holds (its slot in the scheduler and its boxed
/// closure with the ids it carries): about 150 bytes measured, rounded up.
pub(crate) const JOB_BYTES: usize = 160;

/// Bytes held beyond the item's own text: allocation headers, map slots, `Arc`s.
pub(crate) trait Retained {
    /// The estimate of the heap this item holds.
    fn retained_bytes(&self) -> usize;
}

/// The global count against the limit; shared by every sandbox.
#[derive(Debug)]
pub(crate) struct Budget {
    limit: usize,
    used: AtomicUsize,
}

impl Budget {
    /// A budget of `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Self {
            limit,
            used: AtomicUsize::new(0),
        }
    }

    /// Counts `bytes` more.
    pub(crate) fn add(&self, bytes: usize) {
        self.used.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts `bytes` fewer.
    pub(crate) fn sub(&self, bytes: usize) {
        // Saturating: estimates of the same item may differ by a few bytes over its life.
        let _ = self
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| {
                Some(u.saturating_sub(bytes))
            });
    }

    /// Moves the count from `old` to `new` bytes.
    pub(crate) fn adjust(&self, old: usize, new: usize) {
        if new > old {
            self.add(new - old);
        } else {
            self.sub(old - new);
        }
    }

    /// Bytes counted now.
    pub(crate) fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// The limit.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Whether the count passed the limit.
    pub(crate) fn over(&self) -> bool {
        self.used() > self.limit
    }

    /// Where trimming stops: seven eighths of the limit, so that one enforcement makes room
    /// for many requests rather than one.
    pub(crate) fn target(&self) -> usize {
        self.limit / 8 * 7
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_go_up_and_down_and_never_below_zero() {
        let budget = Budget::new(800);
        budget.add(500);
        budget.adjust(500, 900);
        assert!(budget.over());
        assert_eq!(budget.target(), 700);
        budget.sub(2000);
        assert_eq!(budget.used(), 0);
        assert!(!budget.over());
    }
}
