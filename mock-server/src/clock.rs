//! A sandbox's clock: every time read and every delayed behaviour of the sandbox goes through it.
//!
//! A [`Clock`] is either `manual` (frozen at its start until advanced) or `realtime` (wall time,
//! optionally sped up). It owns a scheduler of due jobs ordered by `(time, seq)`:
//! [`Clock::advance`] runs every job that falls due, in order, moving the clock to each job's
//! time before running it, so tests never sleep. In realtime mode a background [`Runner`] runs
//! jobs as they fall due; it stops when its handle is dropped. Each sandbox has its own clock,
//! so moving one moves nothing in another.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tokio::sync::Notify;

/// A point in (possibly simulated) time, in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(i64);

impl Timestamp {
    /// Where manual clocks start unless told otherwise: 2026-12-01T00:00:00Z, so that Meta's
    /// changes to that day are in force.
    pub(crate) const MANUAL_START: Timestamp = Timestamp(1_796_083_200_000);
    /// 1970-01-01T00:00:00Z, the earliest start a clock accepts.
    pub(crate) const EARLIEST: Timestamp = Timestamp(0);
    /// 9999-12-31T23:59:59Z, the last second with a four-digit year.
    pub(crate) const LATEST: Timestamp = Timestamp(253_402_300_799_000);

    /// Reads an RFC 3339 time (`2026-07-01T09:30:00Z`, fractions and `±HH:MM` offsets allowed)
    /// between [`Self::EARLIEST`] and [`Self::LATEST`].
    pub(crate) fn parse_rfc3339(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "expected an RFC 3339 time such as 2026-07-01T09:30:00Z, found '{}'",
                text.escape_debug()
            )
        };
        let b = text.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = b.get(r)?;
            part.iter()
                .all(u8::is_ascii_digit)
                .then(|| part.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        };
        let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
        if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":") && sep(16, b":")) {
            return Err(bad());
        }
        let (y, mo, d) = (num(0..4), num(5..7), num(8..10));
        let (h, mi, sec) = (num(11..13), num(14..16), num(17..19));
        let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(sec)) = (y, mo, d, h, mi, sec)
        else {
            return Err(bad());
        };
        let mut rest = &text[19..];
        let mut millis = 0;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            millis = fraction[..digits.min(3)]
                .bytes()
                .chain(std::iter::repeat(b'0'))
                .take(3)
                .fold(0, |n, d| n * 10 + i64::from(d - b'0'));
            rest = &fraction[digits..];
        }
        let offset = match rest.as_bytes() {
            [b'Z' | b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
                if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit()) =>
            {
                let digit = |c: &u8| i64::from(c - b'0');
                let minutes = (digit(h1) * 10 + digit(h2)) * 60 + digit(m1) * 10 + digit(m2);
                if *sign == b'+' { minutes } else { -minutes }
            }
            _ => return Err(bad()),
        };
        let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
        let month_days = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        let valid = (1..=12).contains(&mo)
            && d >= 1
            && d <= month_days[usize::try_from(mo - 1).unwrap_or(0)]
            && h < 24
            && mi < 60
            && sec < 60;
        if !valid {
            return Err(bad());
        }
        let days = days_from_civil(y, mo, d);
        let at =
            Timestamp(((days * 86_400 + h * 3600 + mi * 60 + sec - offset * 60) * 1000) + millis);
        if at < Self::EARLIEST || at > Self::LATEST {
            return Err(format!(
                "expected a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z, found '{}'",
                text.escape_debug()
            ));
        }
        Ok(at)
    }

    /// Whole seconds since the Unix epoch (what Graph puts in `timestamp` fields).
    pub(crate) const fn unix_seconds(self) -> i64 {
        self.0.div_euclid(1000)
    }

    /// This instant moved forward by `d`.
    pub(crate) fn plus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// This instant moved back by `d`.
    pub(crate) fn minus(self, d: Duration) -> Self {
        Self(
            self.0
                .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        )
    }

    /// How long after `earlier` this instant is (zero if it is not later).
    pub(crate) fn since(self, earlier: Timestamp) -> Duration {
        Duration::from_millis(u64::try_from(self.0 - earlier.0).unwrap_or(0))
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with milliseconds, e.g. `2026-01-01T00:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.unix_seconds();
        let ms = self.0.rem_euclid(1000);
        let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            rem / 3600,
            rem % 3600 / 60,
            rem % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An RFC 3339 string, as it is written.
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

/// Read as it is written (RFC 3339), for state restored from a snapshot.
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

/// Day count since 1970-01-01 of a Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// How the clock moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum ClockMode {
    /// Wall time, multiplied by `speed`.
    Realtime {
        /// How many simulated seconds pass per real second.
        speed: f64,
    },
    /// Frozen until advanced.
    Manual,
}

/// Work the scheduler runs when its time comes; it receives the scheduled time.
pub(crate) type Job = Box<dyn FnOnce(Timestamp) + Send>;

struct Scheduled {
    at: Timestamp,
    seq: u64,
    job: Job,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.at, self.seq).cmp(&(other.at, other.seq))
    }
}

struct State {
    /// Simulated time at `anchor_real`.
    anchor: Timestamp,
    anchor_real: Instant,
    queue: BinaryHeap<Reverse<Scheduled>>,
    seq: u64,
}

struct Inner {
    mode: ClockMode,
    state: Mutex<State>,
    changed: Notify,
}

/// A clock and its scheduler; a cheap `Clone` handle.
#[derive(Clone)]
pub(crate) struct Clock {
    inner: Arc<Inner>,
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Clock")
            .field("mode", &self.inner.mode)
            .field("now", &self.now())
            .finish()
    }
}

impl Clock {
    /// A clock in `mode`; manual clocks start at `start`, realtime ones at the wall time.
    pub(crate) fn new(mode: ClockMode, start: Timestamp) -> Self {
        let anchor = match mode {
            ClockMode::Manual => start,
            ClockMode::Realtime { .. } => wall_time(),
        };
        Self {
            inner: Arc::new(Inner {
                mode,
                state: Mutex::new(State {
                    anchor,
                    anchor_real: Instant::now(),
                    queue: BinaryHeap::new(),
                    seq: 0,
                }),
                changed: Notify::new(),
            }),
        }
    }

    /// The mode this clock was made with.
    pub(crate) fn mode(&self) -> ClockMode {
        self.inner.mode
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The current time.
    pub(crate) fn now(&self) -> Timestamp {
        let state = self.state();
        self.now_locked(&state)
    }

    fn now_locked(&self, state: &State) -> Timestamp {
        match self.inner.mode {
            ClockMode::Manual => state.anchor,
            ClockMode::Realtime { speed } => {
                let elapsed = state.anchor_real.elapsed().as_secs_f64() * speed * 1000.0;
                Timestamp(state.anchor.0 + elapsed as i64)
            }
        }
    }

    /// Runs `job` once the clock reaches `now + delay`.
    pub(crate) fn schedule_in(&self, delay: Duration, job: Job) {
        let state = self.state();
        let at = self.now_locked(&state).plus(delay);
        self.push(state, at, job);
    }

    /// Runs `job` once the clock reaches `at` (at the next run if `at` has passed): for work
    /// that follows earlier work and must keep its own time, however late that ran.
    pub(crate) fn schedule_at(&self, at: Timestamp, job: Job) {
        let state = self.state();
        self.push(state, at, job);
    }

    fn push(&self, mut state: MutexGuard<'_, State>, at: Timestamp, job: Job) {
        state.seq += 1;
        let seq = state.seq;
        // The runner sleeps until the earliest job; only a new earliest one needs to wake it
        // (waking it for every job would cost a thread hand-off per send).
        let earliest = state
            .queue
            .peek()
            .is_none_or(|Reverse(first)| at < first.at);
        state.queue.push(Reverse(Scheduled { at, seq, job }));
        drop(state);
        if earliest {
            self.inner.changed.notify_one();
        }
    }

    /// Puts the clock where a restored sandbox left it: every waiting job is dropped (the state
    /// that scheduled them is gone) and a manual clock stands at `now`, earlier or later. A
    /// realtime clock keeps reading wall time, so work that fell due while the state was away
    /// runs at once.
    pub(crate) fn restore(&self, now: Timestamp) {
        let mut state = self.state();
        state.queue.clear();
        if self.inner.mode == ClockMode::Manual {
            state.anchor = now;
        }
        drop(state);
        self.inner.changed.notify_one();
    }

    /// How many jobs are waiting.
    pub(crate) fn pending(&self) -> usize {
        self.state().queue.len()
    }

    /// When the earliest waiting job falls due.
    pub(crate) fn next_due(&self) -> Option<Timestamp> {
        self.state().queue.peek().map(|Reverse(s)| s.at)
    }

    /// Moves the clock forward by `d`, running every job that falls due in order before
    /// returning. A manual clock stands at each job's time while that job runs.
    pub(crate) fn advance(&self, d: Duration) -> Timestamp {
        self.advance_to(self.now().plus(d))
    }

    /// Moves the clock forward to `target` (never back), running every job due by then in
    /// order; jobs those jobs schedule run too when they fall due by `target`.
    pub(crate) fn advance_to(&self, target: Timestamp) -> Timestamp {
        loop {
            let next = {
                let mut state = self.state();
                match state.queue.peek() {
                    Some(Reverse(s)) if s.at <= target => {
                        let Reverse(s) = state.queue.pop().expect("peeked");
                        if self.inner.mode == ClockMode::Manual && s.at > state.anchor {
                            state.anchor = s.at;
                        }
                        Some(s)
                    }
                    _ => {
                        self.move_to(&mut state, target);
                        None
                    }
                }
            };
            match next {
                Some(s) => (s.job)(s.at),
                None => return target,
            }
        }
    }

    fn move_to(&self, state: &mut State, target: Timestamp) {
        let now = self.now_locked(state);
        if target > now {
            state.anchor = Timestamp(state.anchor.0 + (target.0 - now.0));
        }
    }

    /// Runs every job that is due now.
    pub(crate) fn run_due(&self) {
        self.advance(Duration::ZERO);
    }

    /// How long (in real time) until the next job falls due; `None` when nothing is waiting.
    fn real_wait(&self) -> Option<Duration> {
        let state = self.state();
        let next = state.queue.peek()?.0.at;
        let ahead = next.since(self.now_locked(&state));
        Some(match self.inner.mode {
            ClockMode::Realtime { speed } if speed > 0.0 => ahead.div_f64(speed),
            _ => ahead,
        })
    }

    /// Starts the background task that runs jobs as they fall due (realtime mode only; a manual
    /// clock only moves when advanced, so it returns `None`). Needs a Tokio runtime.
    pub(crate) fn start_runner(&self) -> Option<Runner> {
        if self.inner.mode == ClockMode::Manual {
            return None;
        }
        let clock = self.clone();
        let task = tokio::spawn(async move {
            loop {
                clock.run_due();
                let wait = clock.real_wait().unwrap_or(Duration::from_secs(3600));
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = clock.inner.changed.notified() => {}
                }
            }
        });
        Some(Runner { task })
    }
}

/// A realtime clock's background task; dropping the handle (with its sandbox) stops it.
#[derive(Debug)]
pub(crate) struct Runner {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The wall clock, read once for a realtime clock's start.
pub(crate) fn wall_time() -> Timestamp {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex as StdMutex;

    #[test]
    fn a_manual_clock_is_frozen_until_advanced() {
        let clock = Clock::new(ClockMode::Manual, Timestamp::MANUAL_START);
        assert_eq!(clock.now(), Timestamp::MANUAL_START);
        assert_eq!(clock.now().to_string(), "2026-12-01T00:00:00.000Z");
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now().to_string(), "2026-12-01T00:01:30.000Z");
    }

    #[test]
    fn advance_runs_due_jobs_in_time_then_insertion_order_at_their_time() {
        let clock = Clock::new(ClockMode::Manual, Timestamp::MANUAL_START);
        let seen = Arc::new(StdMutex::new(Vec::new()));
        for (name, secs) in [("b", 20), ("a", 10), ("c", 20), ("late", 100)] {
            let seen = seen.clone();
            let c = clock.clone();
            clock.schedule_in(
                Duration::from_secs(secs),
                Box::new(move |at| {
                    assert_eq!(c.now(), at);
                    seen.lock().unwrap().push(name);
                }),
            );
        }
        clock.advance(Duration::from_secs(30));
        assert_eq!(*seen.lock().unwrap(), ["a", "b", "c"]);
        assert_eq!(clock.pending(), 1);
        assert_eq!(
            clock.now(),
            Timestamp::MANUAL_START.plus(Duration::from_secs(30))
        );
    }

    #[test]
    fn jobs_scheduled_by_jobs_run_in_the_same_advance_when_due() {
        let clock = Clock::new(ClockMode::Manual, Timestamp::MANUAL_START);
        let seen = Arc::new(StdMutex::new(Vec::new()));
        let (c, s) = (clock.clone(), seen.clone());
        clock.schedule_in(
            Duration::from_secs(1),
            Box::new(move |_| {
                let s2 = s.clone();
                c.schedule_in(
                    Duration::from_secs(1),
                    Box::new(move |at| s2.lock().unwrap().push(at)),
                );
            }),
        );
        clock.advance(Duration::from_secs(5));
        let expected = Timestamp::MANUAL_START.plus(Duration::from_secs(2));
        assert_eq!(*seen.lock().unwrap(), [expected]);
    }

    #[test]
    fn advance_to_stops_at_the_next_due_job_and_never_goes_back() {
        let clock = Clock::new(ClockMode::Manual, Timestamp::MANUAL_START);
        assert_eq!(clock.next_due(), None);
        clock.schedule_in(Duration::from_secs(10), Box::new(|_| {}));
        clock.schedule_in(Duration::from_secs(4), Box::new(|_| {}));
        let first = Timestamp::MANUAL_START.plus(Duration::from_secs(4));
        assert_eq!(clock.next_due(), Some(first));
        clock.advance_to(first);
        assert_eq!((clock.now(), clock.pending()), (first, 1));
        clock.advance_to(Timestamp::MANUAL_START);
        assert_eq!(clock.now(), first);
    }

    #[test]
    fn rfc3339_times_parse_within_the_four_digit_years() {
        let parse = |t| Timestamp::parse_rfc3339(t).map(|t| t.to_string());
        assert_eq!(
            parse("2026-01-01T00:00:00Z").unwrap(),
            "2026-01-01T00:00:00.000Z"
        );
        assert_eq!(
            parse("2024-02-29T23:30:00.25+02:00").unwrap(),
            "2024-02-29T21:30:00.250Z"
        );
        assert_eq!(
            parse("1970-01-01T00:00:00Z").unwrap(),
            "1970-01-01T00:00:00.000Z"
        );
        assert_eq!(
            parse("9999-12-31T23:59:59Z").unwrap(),
            "9999-12-31T23:59:59.000Z"
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2026-12-01T00:00:00Z"),
            Ok(Timestamp::MANUAL_START)
        );
        for bad in [
            "2026-01-01",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "1969-12-31T23:59:59Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59-01:00",
            "tomorrow",
        ] {
            assert!(Timestamp::parse_rfc3339(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_format_across_leap_years() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        let leap = Timestamp(1_709_164_800_000); // 2024-02-29
        assert_eq!(leap.to_string(), "2024-02-29T00:00:00.000Z");
    }
}
