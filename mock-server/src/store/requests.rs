//! What the Graph edge leaves per request: the bounded journal it records each answer in, and
//! the faults the admin API arms for later requests.

use super::{Sandbox, Session, Store};
use crate::budget::{JOURNAL_BODY_CAP, Retained};
use crate::faults::FaultSpec;
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
        let state = &mut **self;
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

impl Store {
    /// Adds a fault (admin).
    pub(crate) fn add_fault(&self, sandbox: &Sandbox, fault: FaultSpec) {
        sandbox.lock().faults.add(fault);
    }
}
