//! How the mock calls a client's endpoint, for the handshake and deliveries alike.
//!
//! A callback URL is whatever a client typed into a form, so calling it must not turn the
//! mock into a reader of other hosts: only `http`/`https` URLs without credentials or control
//! characters are accepted, redirects are not followed (a 3xx is a failure), answers are read
//! only up to a small cap and what went wrong is said without anything the endpoint sent.

use std::fmt;
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
