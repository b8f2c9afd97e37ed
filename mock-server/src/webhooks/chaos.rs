//! Delivery chaos: opt-in misbehaviour that real webhook traffic shows now and then, so a
//! client's idempotency and ordering assumptions can be tested.
//!
//! Every decision is drawn from the sandbox's seeded generator, so a seeded run misbehaves the
//! same way every time. What may be asked for, and its limits, is the admin API's [`Chaos`].

use wa_contract::admin::Chaos;

use crate::ids::IdGen;

/// The draws a [`Chaos`] makes; its fields, ranges and checks are the admin API's.
pub(crate) trait Draws {
    /// Whether to POST a webhook twice.
    fn duplicate(&self, rng: &mut IdGen) -> bool;
    /// Whether to hold back a status webhook that a later status could overtake.
    fn hold(&self, rng: &mut IdGen) -> bool;
}

impl Draws for Chaos {
    fn duplicate(&self, rng: &mut IdGen) -> bool {
        chance(rng, self.duplicate)
    }

    fn hold(&self, rng: &mut IdGen) -> bool {
        chance(rng, self.reorder)
    }
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
