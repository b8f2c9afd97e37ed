//! How the mock calls a client's endpoint, for the handshake and deliveries alike.
//!
//! A callback URL is whatever a client typed into a form, so calling it must not turn the
//! mock into a reader of other hosts: only `http`/`https` URLs without credentials or control
//! characters are accepted, redirects are not followed (a 3xx is a failure), answers are read
//! only up to a small cap and what went wrong is said without anything the endpoint sent.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

/// Most bytes read of a handshake answer; the challenge is a 20-digit number at most.
pub(crate) const CHALLENGE_CAP: usize = 4 * 1024;
/// Most bytes of a webhook answer read (and discarded) before the connection is dropped.
pub(crate) const ANSWER_CAP: usize = 64 * 1024;

/// Why the mock will not call `url`, checked before anything is stored or requested.
pub(crate) fn check_url(url: &str) -> Result<(), &'static str> {
    // Checked on the raw text: the URL parser silently drops tabs and newlines.
    if url.chars().any(char::is_control) {
        return Err("control characters are not allowed");
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| "not a valid absolute URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the scheme must be http or https");
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("credentials are not allowed");
    }
    Ok(())
}

/// The hosts a callback URL given through the Graph or admin API may name (`--callback-allow`).
/// Loopback hosts always pass; so does every host once `*` is allowed, which is the default
/// when the mock itself listens beyond loopback (in a container, say). Only the URL's host is
/// read, never resolved, so a name cannot be pointed at another address later.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CallbackHosts {
    any: bool,
    hosts: Vec<String>,
}

impl CallbackHosts {
    /// The policy for a mock listening on `listen` with `allowed` given (`*` allows any host).
    pub(crate) fn new(listen: IpAddr, allowed: &[String]) -> Self {
        let any = allowed.iter().any(|h| h == "*") || (allowed.is_empty() && !listen.is_loopback());
        let hosts = allowed
            .iter()
            .filter(|h| *h != "*")
            .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
            .collect();
        Self { any, hosts }
    }

    /// Why the mock will not call `url`: [`check_url`]'s reasons, or a host outside the list.
    pub(crate) fn check(&self, url: &str) -> Result<(), &'static str> {
        check_url(url)?;
        if self.any {
            return Ok(());
        }
        let parsed = reqwest::Url::parse(url).map_err(|_| "not a valid absolute URL")?;
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']']);
        let allowed = match host.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || self.names(&ip.to_string()),
            Err(_) => {
                let name = host.trim_end_matches('.');
                name == "localhost" || name.ends_with(".localhost") || self.names(name)
            }
        };
        if allowed {
            Ok(())
        } else {
            Err("the host is not loopback and not in --callback-allow")
        }
    }

    fn names(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h == host)
    }
}

/// The one client every outbound call goes through: no redirects, no proxy, bounded time.
pub(crate) fn client(timeout: Duration, idle_per_host: usize) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .pool_max_idle_per_host(idle_per_host)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        // What Meta's webhook requests identify as.
        .user_agent("facebookexternalua")
        .build()
}

/// Why a call failed, in words that carry nothing the endpoint answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No answer within the timeout (milliseconds).
    TimedOut(u64),
    /// No connection (refused, unreachable, TLS failed).
    ConnectionFailed,
    /// The request or its answer broke off some other way.
    RequestFailed,
    /// The endpoint answered with a status that does not count.
    Status(u16),
    /// The handshake's answer was not exactly the challenge.
    ChallengeMismatch,
}

impl Failure {
    /// What `e` means, for calls made with a `timeout_ms` timeout.
    pub(crate) fn of(e: &reqwest::Error, timeout_ms: u64) -> Self {
        if e.is_timeout() {
            Self::TimedOut(timeout_ms)
        } else if e.is_connect() {
            Self::ConnectionFailed
        } else {
            Self::RequestFailed
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut(ms) => write!(f, "timed out after {ms} ms"),
            Self::ConnectionFailed => f.write_str("connection failed"),
            Self::RequestFailed => f.write_str("request failed"),
            Self::Status(status) => write!(f, "status {status}"),
            Self::ChallengeMismatch => f.write_str("challenge mismatch"),
        }
    }
}

/// The answer's body if it is at most `cap` bytes, `None` once it is longer. The rest is
/// left unread: dropping the response then closes the connection instead of draining it.
pub(crate) async fn body_within(
    response: &mut reqwest::Response,
    cap: usize,
) -> reqwest::Result<Option<Vec<u8>>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_always_pass_others_only_when_allowed() {
        let loopback = IpAddr::from([127, 0, 0, 1]);
        let strict = CallbackHosts::new(loopback, &[]);
        for url in [
            "http://127.0.0.1:9/",
            "http://127.9.9.9/",
            "http://[::1]:8080/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost:3000/",
        ] {
            assert_eq!(strict.check(url), Ok(()), "{url}");
        }
        let refused = Err("the host is not loopback and not in --callback-allow");
        for url in [
            "http://example.com/",
            "http://localhost.example.com/",
            "http://10.1.2.3/",
            "http://[::2]/",
        ] {
            assert_eq!(strict.check(url), refused, "{url}");
        }
        let named = CallbackHosts::new(loopback, &["Example.com".to_owned(), "[::2]".to_owned()]);
        assert_eq!(named.check("http://example.com/"), Ok(()));
        assert_eq!(named.check("http://[::2]/"), Ok(()));
        assert_eq!(named.check("http://www.example.com/"), refused);
        let any = CallbackHosts::new(loopback, &["*".to_owned()]);
        assert_eq!(any.check("https://anything.example/"), Ok(()));
        let container = CallbackHosts::new(IpAddr::from([0, 0, 0, 0]), &[]);
        assert_eq!(container.check("http://host.docker.internal/"), Ok(()));
        assert_eq!(
            container.check("ftp://x/"),
            Err("the scheme must be http or https"),
            "the URL rules hold whatever the hosts"
        );
    }

    #[test]
    fn only_plain_http_and_https_urls_pass() {
        for url in ["http://127.0.0.1:3000/hook?a=1", "HTTPS://example.com"] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
        for (url, why) in [
            ("ws://example.com/", "the scheme must be http or https"),
            ("http://", "not a valid absolute URL"),
            ("//example.com/hook", "not a valid absolute URL"),
            (
                "https://:secret@example.com/",
                "credentials are not allowed",
            ),
            (
                "https://example.com/\r\n",
                "control characters are not allowed",
            ),
        ] {
            assert_eq!(check_url(url), Err(why), "{url}");
        }
    }
}
