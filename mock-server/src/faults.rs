//! Injected faults: latency, Graph errors and dropped connections for matching requests, and an
//! opt-in per-phone throughput limit.
//!
//! A [`FaultSpec`] matches by path (substring of the path without its version) and by phone
//! number (the path's object id or the request's `to`); each match uses up one of its `count`.

use std::collections::HashMap;

use wa_contract::ErrorKind;

use crate::clock::Timestamp;

/// A fault and what it matches: the admin API's own type, so the wire and the state agree.
pub(crate) use wa_contract::admin::{Fault as FaultSpec, FaultAction};

/// The longest latency a fault may add: a minute is past every client timeout worth testing,
/// and a request never hangs for good.
pub(crate) const MAX_LATENCY_MILLIS: u64 = 60_000;

/// Faults a sandbox may have armed at once, and the longest `path` and `phone` a fault may
/// match (*invented*: bounds on what a client can make the mock hold).
pub(crate) const MAX_FAULTS: usize = 1_000;
const MAX_PATH_BYTES: usize = 1_024;
const MAX_PHONE_BYTES: usize = 64;

/// What an armed fault holds beyond its texts, for the memory budget.
const FAULT_BYTES: usize = 128;

/// Why the admin API refuses `fault`, naming the field.
pub(crate) fn check(fault: &FaultSpec) -> Result<(), String> {
    for (field, value, most) in [
        ("path", &fault.path, MAX_PATH_BYTES),
        ("phone", &fault.phone, MAX_PHONE_BYTES),
    ] {
        let length = value.as_ref().map_or(0, String::len);
        if length > most {
            return Err(format!(
                "{field}: expected at most {most} bytes, found {length}"
            ));
        }
    }
    match &fault.action {
        FaultAction::Error { error } if ErrorKind::from_key(error).is_none() => {
            return Err(format!(
                "action.error: expected an error catalogue key such as throughput_limit, found '{error}'"
            ));
        }
        FaultAction::Latency { millis } if *millis > MAX_LATENCY_MILLIS => {
            return Err(format!(
                "action.millis: expected at most {MAX_LATENCY_MILLIS}, found {millis}"
            ));
        }
        _ => {}
    }
    if fault.count == Some(0) {
        return Err("count: expected at least 1, found 0".to_owned());
    }
    Ok(())
}

/// A sandbox's faults and throughput limit; a snapshot carries both, not the current second's
/// count.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Faults {
    specs: Vec<FaultSpec>,
    throughput: Option<u32>,
    #[serde(skip)]
    window: HashMap<String, (i64, u32)>,
}

impl Faults {
    /// Adds a fault, unless [`MAX_FAULTS`] are armed already.
    pub(crate) fn add(&mut self, spec: FaultSpec) -> Result<(), String> {
        if self.specs.len() >= MAX_FAULTS {
            return Err(format!(
                "faults: at most {MAX_FAULTS} may be armed at once (DELETE /__admin/faults disarms them)"
            ));
        }
        self.specs.push(spec);
        Ok(())
    }

    /// What the armed faults hold, for the memory budget.
    pub(crate) fn retained_bytes(&self) -> usize {
        let texts = |f: &FaultSpec| {
            f.path.as_ref().map_or(0, String::len) + f.phone.as_ref().map_or(0, String::len)
        };
        self.specs.iter().map(|f| FAULT_BYTES + texts(f)).sum()
    }

    /// Removes every fault and the throughput limit.
    pub(crate) fn clear(&mut self) {
        *self = Self::default();
    }

    /// Faults still armed.
    pub(crate) fn specs(&self) -> &[FaultSpec] {
        &self.specs
    }

    /// Sets (or, with `None`, lifts) the per-phone limit in messages per second.
    pub(crate) fn set_throughput(&mut self, per_second: Option<u32>) {
        self.throughput = per_second;
        self.window.clear();
    }

    /// The per-phone limit.
    pub(crate) fn throughput(&self) -> Option<u32> {
        self.throughput
    }

    /// Whether any fault or a throughput limit could match a request.
    pub(crate) fn armed(&self) -> bool {
        !self.specs.is_empty() || self.throughput.is_some()
    }

    /// The action for a request to `path` about `phones`, using up one count; a send over the
    /// throughput limit answers 130429.
    pub(crate) fn take(
        &mut self,
        path: &str,
        phones: &[&str],
        now: Timestamp,
    ) -> Option<FaultAction> {
        let found = self.specs.iter().position(|s| {
            s.path.as_deref().is_none_or(|p| path.contains(p))
                && s.phone.as_deref().is_none_or(|p| phones.contains(&p))
        });
        if let Some(i) = found {
            let spec = &mut self.specs[i];
            let action = spec.action.clone();
            if let Some(n) = &mut spec.count {
                *n -= 1;
                if *n == 0 {
                    self.specs.remove(i);
                }
            }
            return Some(action);
        }
        self.over_throughput(path, phones, now)
            .then(|| FaultAction::Error {
                error: "throughput_limit".to_owned(),
            })
    }

    fn over_throughput(&mut self, path: &str, phones: &[&str], now: Timestamp) -> bool {
        let (Some(limit), Some(phone)) = (self.throughput, phones.first()) else {
            return false;
        };
        if !(path.ends_with("/messages") || path.ends_with("/marketing_messages")) {
            return false;
        }
        let second = now.unix_seconds();
        let slot = self
            .window
            .entry((*phone).to_owned())
            .or_insert((second, 0));
        if slot.0 != second {
            *slot = (second, 0);
        }
        slot.1 += 1;
        slot.1 > limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_fault(count: Option<u32>) -> FaultSpec {
        FaultSpec {
            path: Some("marketing_messages".to_owned()),
            phone: Some("123".to_owned()),
            count,
            action: FaultAction::Error {
                error: "pair_rate_limit".to_owned(),
            },
        }
    }

    #[test]
    fn faults_match_path_and_phone_and_run_out() {
        let mut f = Faults::default();
        f.add(error_fault(Some(1))).expect("room for a fault");
        let now = Timestamp::MANUAL_START;
        assert_eq!(f.take("/123/messages", &["123"], now), None);
        assert_eq!(f.take("/123/marketing_messages", &["999"], now), None);
        assert!(f.take("/123/marketing_messages", &["123"], now).is_some());
        assert_eq!(f.take("/123/marketing_messages", &["123"], now), None);
    }

    #[test]
    fn the_throughput_limit_counts_sends_per_phone_per_second() {
        let mut f = Faults::default();
        f.set_throughput(Some(2));
        let now = Timestamp::MANUAL_START;
        let path = "/1/marketing_messages";
        assert_eq!(f.take(path, &["1"], now), None);
        assert_eq!(f.take(path, &["1"], now), None);
        assert!(f.take(path, &["1"], now).is_some());
        assert_eq!(f.take(path, &["2"], now), None);
    }
}
