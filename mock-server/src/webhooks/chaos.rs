//! Delivery chaos: opt-in misbehaviour that real webhook traffic shows now and then, so a
//! client's idempotency and ordering assumptions can be tested.
//!
//! Every decision is drawn from the sandbox's seeded generator, so a seeded run misbehaves the
//! same way every time.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::within;
use crate::ids::IdGen;

/// Seconds a held-back status waits by default.
pub(crate) const DEFAULT_REORDER_DELAY_SECONDS: u64 = 10;
/// No webhook is duplicated or held back unless asked.
const NO_CHANCE: f64 = 0.0;
/// Each status in a POST of its own unless asked.
const UNBATCHED: usize = 1;
/// Seconds a held-back status may wait: a day at most, since a due time past the clock's end
/// is never reached and the webhook would be lost.
pub(crate) const REORDER_DELAY_SECONDS: RangeInclusive<u64> = 0..=86_400;
/// Statuses one POST may carry.
pub(crate) const BATCH: RangeInclusive<u64> = 1..=100;

/// What the dispatcher does wrong on purpose.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(default, deny_unknown_fields)]
pub struct Chaos {
    /// Probability (0–1) that a webhook is POSTed twice.
    #[arg(
        long = "webhook-chaos-duplicate",
        env = "WA_MOCK_WEBHOOK_CHAOS_DUPLICATE",
        default_value_t = NO_CHANCE,
        value_parser = probability_flag
    )]
    pub duplicate: f64,
    /// Probability (0–1) that a `sent` or `delivered` status is held back, so that the message's
    /// later statuses overtake it (a `read` before its `delivered`).
    #[arg(
        long = "webhook-chaos-reorder",
        env = "WA_MOCK_WEBHOOK_CHAOS_REORDER",
        default_value_t = NO_CHANCE,
        value_parser = probability_flag
    )]
    pub reorder: f64,
    /// Seconds a held-back status waits (at most 86,400).
    #[arg(
        long = "webhook-chaos-reorder-delay-seconds",
        env = "WA_MOCK_WEBHOOK_CHAOS_REORDER_DELAY_SECONDS",
        default_value_t = DEFAULT_REORDER_DELAY_SECONDS,
        value_parser = clap::value_parser!(u64).range(REORDER_DELAY_SECONDS)
    )]
    pub reorder_delay_seconds: u64,
    /// Most statuses one POST carries when several of one phone number fall due together
    /// (1 sends each on its own; at most 100).
    #[arg(
        long = "webhook-chaos-batch",
        env = "WA_MOCK_WEBHOOK_CHAOS_BATCH",
        default_value_t = UNBATCHED,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(BATCH)
    )]
    pub batch: usize,
}

impl Default for Chaos {
    /// No chaos.
    fn default() -> Self {
        Self {
            duplicate: NO_CHANCE,
            reorder: NO_CHANCE,
            reorder_delay_seconds: DEFAULT_REORDER_DELAY_SECONDS,
            batch: UNBATCHED,
        }
    }
}

impl Chaos {
    /// The first field out of range and what was wrong with it.
    pub(crate) fn check(&self) -> Result<(), (&'static str, String)> {
        probability(self.duplicate).map_err(|e| ("duplicate", e))?;
        probability(self.reorder).map_err(|e| ("reorder", e))?;
        within(self.reorder_delay_seconds, REORDER_DELAY_SECONDS)
            .map_err(|e| ("reorder_delay_seconds", e))?;
        within(self.batch as u64, BATCH).map_err(|e| ("batch", e))
    }

    /// Whether to POST a webhook twice.
    pub(crate) fn duplicate(&self, rng: &mut IdGen) -> bool {
        chance(rng, self.duplicate)
    }

    /// Whether to hold back a status webhook that a later status could overtake.
    pub(crate) fn hold(&self, rng: &mut IdGen) -> bool {
        chance(rng, self.reorder)
    }
}

/// `Err` unless `p` is a probability (NaN is not).
fn probability(p: f64) -> Result<(), String> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(format!("expected a probability from 0 to 1, found {p}"))
    }
}

/// A probability flag.
fn probability_flag(text: &str) -> Result<f64, String> {
    let p: f64 = text
        .parse()
        .map_err(|e: std::num::ParseFloatError| e.to_string())?;
    probability(p).map(|()| p)
}

/// `true` with probability `p`; draws nothing when `p` is zero, so turning chaos off leaves the
/// generator's sequence alone.
fn chance(rng: &mut IdGen, p: f64) -> bool {
    if p <= 0.0 {
        return false;
    }
    // The top 53 bits as a fraction in [0, 1).
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    unit < p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certainties_hold_and_zero_draws_nothing() {
        let chaos = Chaos {
            duplicate: 1.0,
            ..Chaos::default()
        };
        let mut rng = IdGen::new(1);
        assert!(chaos.duplicate(&mut rng));
        assert!(!chaos.hold(&mut rng));
        let mut untouched = IdGen::new(1);
        untouched.next_u64();
        assert_eq!(rng.next_u64(), untouched.next_u64());
    }

    #[test]
    fn a_probability_is_roughly_honoured_and_seeded() {
        let chaos = Chaos {
            duplicate: 0.25,
            ..Chaos::default()
        };
        let count = |seed| {
            let mut rng = IdGen::new(seed);
            (0..10_000).filter(|_| chaos.duplicate(&mut rng)).count()
        };
        assert_eq!(count(7), count(7));
        assert!((2_200..2_800).contains(&count(7)), "{}", count(7));
    }
}
