//! What the Graph edge leaves per request: the bounded journal it records each answer in, and
//! the faults the admin API arms for later requests.

use super::Session;
use crate::budget::{JOURNAL_BODY_CAP, Retained};
use crate::faults::{FaultAction, FaultSpec};
use crate::journal::JournalEntry;

impl Session<'_> {
    /// Records a Graph request in the sandbox's bounded journal and returns the answer's trace
    /// id: `trace` when the answer carries one (errors), else one drawn from the sandbox's
    /// stream.
    pub(crate) fn record_request(
        &mut self,
        mut entry: JournalEntry,
        trace: Option<String>,
    ) -> String {
        entry.request.compact(JOURNAL_BODY_CAP);
        entry.request_truncated_from = entry.request.truncated_from();
        let state = self.state();
        let trace = trace.unwrap_or_else(|| state.ids.traces.fbtrace_id());
        state.journal_seq += 1;
        entry.seq = state.journal_seq;
        if state.journal.len() >= state.retention.requests {
            state.trim_journal();
        }
        if state.retention.requests > 0 {
            state.journal_bytes += entry.retained_bytes();
            state.journal.push_back(entry);
        }
        trace
    }
}

impl Session<'_> {
    /// The armed fault a request on `path` naming `phones` meets, taken (admin-armed faults
    /// count down; the throughput limit counts the request).
    pub(crate) fn take_fault(&mut self, path: &str, phones: &[&str]) -> Option<FaultAction> {
        let now = self.sandbox.clock().now();
        self.state().faults.take(path, phones, now)
    }

    /// Adds a fault (admin), unless too many are armed.
    pub(crate) fn add_fault(&mut self, fault: FaultSpec) -> Result<(), String> {
        self.state().faults.add(fault)
    }

    /// Sets or lifts the sandbox's throughput limit (admin).
    pub(crate) fn set_throughput(&mut self, per_second: Option<u32>) {
        self.state().faults.set_throughput(per_second);
    }

    /// Disarms every fault (admin).
    pub(crate) fn clear_faults(&mut self) {
        self.state().faults.clear();
    }
}
