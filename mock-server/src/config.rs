//! Configuration: the command line (each flag also a `WA_MOCK_*` environment variable) and the
//! same settings for in-process use through [`Config::default`] and its builder methods.

use std::fmt;
use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::clock::{ClockMode, Timestamp};
use crate::serve::Limits;
use crate::webhooks::{AppEndpoint, WebhookConfig, check_url};

/// The defaults, declared once for the command line and [`Config::default`].
mod defaults {
    pub(super) const SPEED: f64 = 1.0;
    pub(super) const MEMORY_BUDGET_MB: u32 = 256;
    pub(super) const MAX_CONNECTIONS: u32 = 512;
    pub(super) const HEADER_TIMEOUT_SECONDS: u64 = 10;
    pub(super) const IDLE_TIMEOUT_SECONDS: u64 = 30;
    pub(super) const BODY_TIMEOUT_SECONDS: u64 = 5;
    pub(super) const DEFAULT_VERSION: wa_contract::GraphVersion =
        wa_contract::GraphVersion::new(25, 0);
}

/// Values `--memory-budget-mb` accepts.
const MEMORY_BUDGET_MB: RangeInclusive<i64> = 16..=1_048_576;
/// Values `--max-connections` accepts.
const MAX_CONNECTIONS: RangeInclusive<i64> = 1..=65_536;
/// Values `--header-timeout-seconds` accepts.
const HEADER_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=300;
/// Values `--idle-timeout-seconds` accepts.
const IDLE_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=3_600;
/// Values `--body-timeout-seconds` accepts.
const BODY_TIMEOUT_SECONDS: RangeInclusive<u64> = 1..=300;

/// Which clock the server runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ClockKind {
    /// Wall time (optionally sped up with `--speed`).
    Realtime,
    /// Frozen at 2026-12-01T00:00:00Z until `POST /__admin/clock/advance`.
    Manual,
}

/// Everything `wa-mock` can be told at startup.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "wa-mock",
    version,
    about = "A stateful fake of Meta's WhatsApp Graph API"
)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, env = "WA_MOCK_LISTEN", default_value = "127.0.0.1:8089")]
    pub listen: SocketAddr,
    /// Clock mode.
    #[arg(long, env = "WA_MOCK_CLOCK", value_enum, default_value_t = ClockKind::Realtime)]
    pub clock: ClockKind,
    /// Simulated seconds per real second (realtime clock only); finite, above 0, at most
    /// 1,000,000.
    #[arg(long, env = "WA_MOCK_SPEED", default_value_t = defaults::SPEED, value_parser = parse_speed)]
    pub speed: f64,
    /// Seed for every generated id and token; without it both come from the OS.
    #[arg(long, env = "WA_MOCK_SEED")]
    pub seed: Option<u64>,
    /// Where manual clocks start (RFC 3339, 1970 to 9999); default 2026-12-01T00:00:00Z, or the
    /// world file's `clock_start`. Meta's dated changes apply as of the clock's day.
    #[arg(long, env = "WA_MOCK_CLOCK_START", value_parser = clock_start_flag)]
    pub clock_start: Option<String>,
    /// The version unversioned Graph paths get, as an app's "Upgrade API version" setting
    /// gives them; answered like a versioned call (an expired one as the oldest available).
    #[arg(long, env = "WA_MOCK_DEFAULT_VERSION", default_value_t = defaults::DEFAULT_VERSION)]
    pub default_version: wa_contract::GraphVersion,
    /// A world file (TOML) to serve instead of the built-in default world, or a snapshot
    /// (JSON, from `GET /__admin/snapshot`) for the default sandbox to start from.
    #[arg(long = "config", env = "WA_MOCK_CONFIG")]
    pub world: Option<PathBuf>,
    /// A file that keeps every sandbox across restarts: loaded at start (a file that does not
    /// load stops the server), saved atomically at most every 2 seconds while state changes
    /// (less often when a save is slow) and on shutdown.
    #[arg(long, env = "WA_MOCK_STATE_FILE")]
    pub state_file: Option<PathBuf>,
    /// Where webhooks are sent (an http or https URL).
    #[arg(long, env = "WA_MOCK_WEBHOOK_URL", value_parser = webhook_url_flag)]
    pub webhook_url: Option<String>,
    /// Secret used to sign webhooks (`X-Hub-Signature-256`).
    #[arg(long, env = "WA_MOCK_APP_SECRET")]
    pub app_secret: Option<String>,
    /// Token echoed in the webhook verification handshake.
    #[arg(long, env = "WA_MOCK_VERIFY_TOKEN")]
    pub verify_token: Option<String>,
    /// Reject unknown tokens (190) instead of mapping them to the default sandbox.
    #[arg(long, env = "WA_MOCK_STRICT_AUTH")]
    pub strict_auth: bool,
    /// MiB that all sandboxes may retain together (16 to 1,048,576); past it histories are
    /// trimmed, oldest first, then least recently used sandboxes evicted.
    #[arg(
        long,
        env = "WA_MOCK_MEMORY_BUDGET_MB",
        default_value_t = defaults::MEMORY_BUDGET_MB,
        value_parser = clap::value_parser!(u32).range(MEMORY_BUDGET_MB)
    )]
    pub memory_budget_mb: u32,
    /// MiB of media files each sandbox may keep (1 to 1,048,576; default 64, or the world
    /// file's `retention.media_mb`); past it its oldest files are dropped.
    #[arg(
        long,
        env = "WA_MOCK_MEDIA_CAP_MB",
        value_parser = clap::value_parser!(u32).range(1..=1_048_576)
    )]
    pub media_cap_mb: Option<u32>,
    /// Answer `/__admin` requests from any peer, not only loopback ones.
    #[arg(long, env = "WA_MOCK_ADMIN_ANY_PEER")]
    pub admin_any_peer: bool,
    /// Another `Host` name the admin API answers (e.g. a Docker service name), besides loopback
    /// names and the listen address; repeatable, comma-separated in the variable.
    #[arg(
        long = "allowed-host",
        env = "WA_MOCK_ALLOWED_HOST",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// Connections open at once (1..=65536); when full, the oldest is closed to make room.
    #[arg(
        long,
        env = "WA_MOCK_MAX_CONNECTIONS",
        default_value_t = defaults::MAX_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(MAX_CONNECTIONS)
    )]
    pub max_connections: u32,
    /// Seconds a client has from the first byte of a request to the end of its headers (1..=300).
    #[arg(
        long,
        env = "WA_MOCK_HEADER_TIMEOUT_SECONDS",
        default_value_t = defaults::HEADER_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(HEADER_TIMEOUT_SECONDS)
    )]
    pub header_timeout_seconds: u64,
    /// Seconds a connection may wait for its next request before it is closed (1..=3600).
    #[arg(
        long,
        env = "WA_MOCK_IDLE_TIMEOUT_SECONDS",
        default_value_t = defaults::IDLE_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(IDLE_TIMEOUT_SECONDS)
    )]
    pub idle_timeout_seconds: u64,
    /// Seconds a client has from the end of a request's headers to the end of its body; a
    /// body not complete by then is answered 408 (1..=300).
    #[arg(
        long,
        env = "WA_MOCK_BODY_TIMEOUT_SECONDS",
        default_value_t = defaults::BODY_TIMEOUT_SECONDS,
        value_parser = clap::value_parser!(u64).range(BODY_TIMEOUT_SECONDS)
    )]
    pub body_timeout_seconds: u64,
    /// How webhooks are delivered.
    #[command(flatten)]
    pub webhooks: WebhookConfig,
}

impl Default for Config {
    /// The command-line defaults, except that the server listens on a free loopback port.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            clock: ClockKind::Realtime,
            speed: defaults::SPEED,
            seed: None,
            clock_start: None,
            default_version: defaults::DEFAULT_VERSION,
            world: None,
            state_file: None,
            memory_budget_mb: defaults::MEMORY_BUDGET_MB,
            media_cap_mb: None,
            webhook_url: None,
            app_secret: None,
            verify_token: None,
            strict_auth: false,
            admin_any_peer: false,
            allowed_hosts: Vec::new(),
            max_connections: defaults::MAX_CONNECTIONS,
            header_timeout_seconds: defaults::HEADER_TIMEOUT_SECONDS,
            idle_timeout_seconds: defaults::IDLE_TIMEOUT_SECONDS,
            body_timeout_seconds: defaults::BODY_TIMEOUT_SECONDS,
            webhooks: WebhookConfig::default(),
        }
    }
}

impl Config {
    /// Runs on the manual clock (frozen until advanced) — what tests want.
    pub fn manual_clock(mut self) -> Self {
        self.clock = ClockKind::Manual;
        self
    }

    /// Starts manual clocks at `start` (RFC 3339).
    pub fn clock_start(mut self, start: impl Into<String>) -> Self {
        self.clock_start = Some(start.into());
        self
    }

    /// Answers unversioned Graph paths as `version`.
    pub fn default_version(mut self, version: wa_contract::GraphVersion) -> Self {
        self.default_version = version;
        self
    }

    /// Makes every generated id deterministic.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// Keeps every sandbox in this file across restarts.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Serves the world described by this TOML file (or starts from this snapshot).
    pub fn world_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.world = Some(path.into());
        self
    }

    /// Listens on `addr`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Rejects unknown tokens.
    pub fn strict_auth(mut self, strict: bool) -> Self {
        self.strict_auth = strict;
        self
    }

    /// Sends webhooks to `url` unless a sandbox or WABA says otherwise.
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.webhook_url = Some(url.into());
        self
    }

    /// Signs webhooks with `secret`.
    pub fn app_secret(mut self, secret: impl Into<String>) -> Self {
        self.app_secret = Some(secret.into());
        self
    }

    /// Lets the admin API answer `Host: host` too.
    pub fn allowed_host(mut self, host: impl Into<String>) -> Self {
        self.allowed_hosts.push(host.into());
        self
    }

    /// The first setting the server cannot run with, named by its flag: the command line's
    /// checks, for settings built in code.
    pub(crate) fn check(&self) -> Result<(), String> {
        check_speed(self.speed).map_err(|why| format!("--speed: {why}"))?;
        in_range(
            "--memory-budget-mb",
            i64::from(self.memory_budget_mb),
            &MEMORY_BUDGET_MB,
        )?;
        if let Some(start) = &self.clock_start {
            clock_start_flag(start).map_err(|why| format!("--clock-start: {why}"))?;
        }
        if let Some(url) = &self.webhook_url {
            check_url(url).map_err(|why| format!("--webhook-url: {why}"))?;
        }
        self.webhooks.check()
    }

    /// Lets each sandbox keep `mib` MiB of media files.
    pub fn media_cap_mb(mut self, mib: u32) -> Self {
        self.media_cap_mb = Some(mib);
        self
    }

    /// Lets all sandboxes retain `mib` MiB together.
    pub fn memory_budget_mb(mut self, mib: u32) -> Self {
        self.memory_budget_mb = mib;
        self
    }

    /// The memory budget in bytes.
    pub(crate) fn memory_budget_bytes(&self) -> usize {
        usize::try_from(self.memory_budget_mb)
            .unwrap_or(usize::MAX)
            .saturating_mul(1024 * 1024)
    }

    /// Keeps at most `max` connections open.
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max;
        self
    }

    /// Gives clients `seconds` from a request's first byte to the end of its headers.
    pub fn header_timeout_seconds(mut self, seconds: u64) -> Self {
        self.header_timeout_seconds = seconds;
        self
    }

    /// Closes a connection that waits `seconds` for its next request.
    pub fn idle_timeout_seconds(mut self, seconds: u64) -> Self {
        self.idle_timeout_seconds = seconds;
        self
    }

    /// Gives clients `seconds` from the end of a request's headers to the end of its body.
    pub fn body_timeout_seconds(mut self, seconds: u64) -> Self {
        self.body_timeout_seconds = seconds;
        self
    }

    /// The connection limits, checked against the ranges the flags accept (in-process callers
    /// set the fields directly).
    pub(crate) fn limits(&self) -> Result<Limits, String> {
        let max_connections = in_range(
            "max_connections",
            i64::from(self.max_connections),
            &MAX_CONNECTIONS,
        )?;
        let header = in_range(
            "header_timeout_seconds",
            self.header_timeout_seconds,
            &HEADER_TIMEOUT_SECONDS,
        )?;
        let idle = in_range(
            "idle_timeout_seconds",
            self.idle_timeout_seconds,
            &IDLE_TIMEOUT_SECONDS,
        )?;
        let body = in_range(
            "body_timeout_seconds",
            self.body_timeout_seconds,
            &BODY_TIMEOUT_SECONDS,
        )?;
        Ok(Limits {
            max_connections: usize::try_from(max_connections).map_err(|e| e.to_string())?,
            header_timeout: Duration::from_secs(header),
            idle_timeout: Duration::from_secs(idle),
            body_timeout: Duration::from_secs(body),
        })
    }

    /// The app's own webhook endpoint.
    pub(crate) fn app_endpoint(&self) -> AppEndpoint {
        AppEndpoint {
            url: self.webhook_url.clone(),
            app_secret: self.app_secret.clone(),
            verify_token: self.verify_token.clone(),
        }
    }

    /// The clock mode these settings ask for.
    pub(crate) fn clock_mode(&self) -> ClockMode {
        match self.clock {
            ClockKind::Manual => ClockMode::Manual,
            ClockKind::Realtime => ClockMode::Realtime { speed: self.speed },
        }
    }

    /// A one-line summary with secrets redacted, for the log.
    pub fn redacted(&self) -> impl fmt::Display + '_ {
        Redacted(self)
    }
}

/// The most simulated seconds per real second: a day in under a tenth of a second, far from
/// where the clock's millisecond arithmetic could overflow.
const MAX_SPEED: f64 = 1_000_000.0;

fn parse_speed(s: &str) -> Result<f64, String> {
    let speed: f64 = s
        .parse()
        .map_err(|_| format!("expected a number, found '{s}'"))?;
    // The error shows the flag as typed: `1e300`, not its 301 digits.
    check_speed(speed).map_err(|_| speed_error(s))
}

fn check_speed(speed: f64) -> Result<f64, String> {
    if speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED {
        Ok(speed)
    } else {
        Err(speed_error(speed))
    }
}

fn speed_error(found: impl fmt::Display) -> String {
    format!("expected a finite speed above 0 and at most {MAX_SPEED}, found {found}")
}

fn in_range<T: PartialOrd + fmt::Display>(
    name: &str,
    value: T,
    range: &RangeInclusive<T>,
) -> Result<T, String> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{name} must be in {}..={}, not {value}",
            range.start(),
            range.end()
        ))
    }
}

/// `--clock-start`: an RFC 3339 time the clock can hold.
fn clock_start_flag(text: &str) -> Result<String, String> {
    Timestamp::parse_rfc3339(text).map(|_| text.to_owned())
}

/// `--webhook-url`, held to the rule every callback URL follows.
fn webhook_url_flag(text: &str) -> Result<String, String> {
    check_url(text)
        .map(|()| text.to_owned())
        .map_err(str::to_owned)
}

struct Redacted<'a>(&'a Config);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = self.0;
        let secret = |s: &Option<String>| if s.is_some() { "<redacted>" } else { "<none>" };
        write!(
            f,
            "listen={} clock={:?} speed={} seed={} clock_start={} world={} state_file={} \
             memory_budget={}MiB \
             webhook_url={} app_secret={} \
             verify_token={} strict_auth={} admin_any_peer={} allowed_hosts={:?} max_connections={} \
             header_timeout={}s idle_timeout={}s body_timeout={}s webhook_version={} webhook_timeout_ms={} \
             webhook_retry={}s..{}s webhook_max_age={}s webhook_concurrency={} \
             webhook_log_size={} chaos={:?}",
            c.listen,
            c.clock,
            c.speed,
            c.seed
                .map_or_else(|| "<from the OS>".to_owned(), |s| s.to_string()),
            c.clock_start.as_deref().unwrap_or("<default>"),
            c.world
                .as_ref()
                .map_or_else(|| "<default>".to_owned(), |p| p.display().to_string()),
            c.state_file
                .as_ref()
                .map_or_else(|| "<none>".to_owned(), |p| p.display().to_string()),
            c.memory_budget_mb,
            c.webhook_url.as_deref().unwrap_or("<none>"),
            secret(&c.app_secret),
            secret(&c.verify_token),
            c.strict_auth,
            c.admin_any_peer,
            c.allowed_hosts,
            c.max_connections,
            c.header_timeout_seconds,
            c.idle_timeout_seconds,
            c.body_timeout_seconds,
            c.webhooks.version,
            c.webhooks.timeout_ms,
            c.webhooks.retry_seconds,
            c.webhooks.retry_max_seconds,
            c.webhooks.max_age_seconds,
            c.webhooks.concurrency,
            c.webhooks.log_size,
            c.webhooks.chaos,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_secrets_are_redacted() {
        let c = Config::try_parse_from([
            "wa-mock",
            "--listen",
            "127.0.0.1:0",
            "--clock",
            "manual",
            "--seed",
            "42",
            "--app-secret",
            "hunter2",
            "--strict-auth",
        ])
        .unwrap();
        assert_eq!(c.clock_mode(), ClockMode::Manual);
        assert_eq!(c.seed, Some(42));
        assert!(c.strict_auth);
        let line = c.redacted().to_string();
        assert!(!line.contains("hunter2"), "{line}");
        assert!(line.contains("app_secret=<redacted>"), "{line}");
        assert!(line.contains("max_connections=512 header_timeout=10s idle_timeout=30s"));
    }

    #[test]
    fn connection_limits_are_range_checked_on_the_command_line_and_in_process() {
        for (flag, value) in [
            ("--max-connections", "0"),
            ("--max-connections", "65537"),
            ("--header-timeout-seconds", "0"),
            ("--header-timeout-seconds", "301"),
            ("--idle-timeout-seconds", "0"),
            ("--idle-timeout-seconds", "3601"),
        ] {
            assert!(
                Config::try_parse_from(["wa-mock", flag, value]).is_err(),
                "{flag} {value}"
            );
        }
        let limits = Config::try_parse_from(["wa-mock"])
            .unwrap()
            .limits()
            .unwrap();
        assert_eq!(limits.max_connections, 512);
        assert_eq!(limits.header_timeout, Duration::from_secs(10));
        assert_eq!(limits.idle_timeout, Duration::from_secs(30));
        let err = Config::default()
            .idle_timeout_seconds(0)
            .limits()
            .unwrap_err();
        assert_eq!(err, "idle_timeout_seconds must be in 1..=3600, not 0");
        assert!(Config::default().max_connections(0).limits().is_err());
    }

    #[test]
    fn the_in_process_defaults_are_the_command_lines_but_for_the_port() {
        let parsed = Config::try_parse_from(["wa-mock"]).unwrap();
        let default = Config {
            listen: parsed.listen,
            ..Config::default()
        };
        assert_eq!(
            default.redacted().to_string(),
            parsed.redacted().to_string()
        );
        assert_eq!(Config::default().listen.port(), 0);
    }

    #[test]
    fn speeds_must_be_finite_positive_and_bounded() {
        for bad in ["0", "-1", "NaN", "inf", "1e300", "1000001", "fast"] {
            assert!(
                Config::try_parse_from(["wa-mock", "--speed", bad]).is_err(),
                "{bad}"
            );
        }
        let c = Config::try_parse_from(["wa-mock", "--speed", "0.5"]).unwrap();
        assert!(c.check().is_ok());
        let c = Config {
            speed: f64::INFINITY,
            ..Config::default()
        };
        assert!(c.check().is_err());
    }
}
