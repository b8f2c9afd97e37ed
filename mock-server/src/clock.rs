//! The one clock: every time read and every delayed behaviour goes through it.
//!
//! A [`Clock`] is either `manual` (frozen at [`Timestamp::MANUAL_START`] until advanced) or
//! `realtime` (wall time, optionally sped up). It owns a scheduler of due jobs ordered by
//! `(time, seq)`: [`Clock::advance`] runs every job that falls due, in order, moving the clock to
//! each job's time before running it, so tests never sleep. In realtime mode a background
//! [`Runner`] runs jobs as they fall due; it stops when its handle is shut down or dropped.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Serialize, Serializer};
use tokio::sync::Notify;

/// A point in (possibly simulated) time, in milliseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Timestamp(i64);

impl Timestamp {
    /// Where the manual clock starts: 2026-01-01T00:00:00Z.
    pub(crate) const MANUAL_START: Timestamp = Timestamp(1_767_225_600_000);

    /// Milliseconds since the Unix epoch.
    pub(crate) const fn millis(self) -> i64 {
        self.0
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

/// The clock and its scheduler; a cheap `Clone` handle.
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
    /// A clock in `mode`; manual clocks start at [`Timestamp::MANUAL_START`], realtime ones at
    /// the wall time.
    pub(crate) fn new(mode: ClockMode) -> Self {
        let anchor = match mode {
            ClockMode::Manual => Timestamp::MANUAL_START,
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
        let mut state = self.state();
        let at = self.now_locked(&state).plus(delay);
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
    /// clock only moves when advanced, so it returns `None`).
    pub(crate) fn start_runner(&self) -> Option<Runner> {
        if self.inner.mode == ClockMode::Manual {
            return None;
        }
        let clock = self.clone();
        let stop = Arc::new(Notify::new());
        let stopped = stop.clone();
        let task = tokio::spawn(async move {
            loop {
                clock.run_due();
                let wait = clock.real_wait().unwrap_or(Duration::from_secs(3600));
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = clock.inner.changed.notified() => {}
                    () = stopped.notified() => return,
                }
            }
        });
        Some(Runner { stop, task })
    }
}

/// The realtime scheduler's background task; dropping it stops the task.
#[derive(Debug)]
pub(crate) struct Runner {
    stop: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Runner {
    /// Stops the task and waits for it to finish.
    pub(crate) async fn shutdown(mut self) {
        self.stop.notify_one();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The wall clock, read once for a realtime clock's start and the default seed.
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
        let clock = Clock::new(ClockMode::Manual);
        assert_eq!(clock.now(), Timestamp::MANUAL_START);
        assert_eq!(clock.now().to_string(), "2026-01-01T00:00:00.000Z");
        clock.advance(Duration::from_secs(90));
        assert_eq!(clock.now().to_string(), "2026-01-01T00:01:30.000Z");
    }

    #[test]
    fn advance_runs_due_jobs_in_time_then_insertion_order_at_their_time() {
        let clock = Clock::new(ClockMode::Manual);
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
        let clock = Clock::new(ClockMode::Manual);
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
        let clock = Clock::new(ClockMode::Manual);
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
    fn dates_format_across_leap_years() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        let leap = Timestamp(1_709_164_800_000); // 2024-02-29
        assert_eq!(leap.to_string(), "2024-02-29T00:00:00.000Z");
    }
}
