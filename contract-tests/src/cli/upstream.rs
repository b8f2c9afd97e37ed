//! The HTTP client `record`, `scenario` and `parity` speak to Graph (or a mock) with: it never
//! follows a redirect (a 3xx is an answer like any other, so no request or token goes to a host
//! the user did not name), gives up after a timeout, and reads any answer, JSON or not, into an
//! [`Answer`] instead of failing on it.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::Value;

use super::InputError;
use super::cassette::HEADERS;

/// A client that follows no redirect and times out after `timeout`.
pub(super) fn client(timeout: Duration) -> Result<reqwest::Client, InputError> {
    Ok(reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()?)
}

/// An answer, read whole.
#[derive(Debug)]
pub(super) struct Answer {
    /// The HTTP status.
    pub(super) status: u16,
    /// Every header, names in lowercase (the last of repeated ones).
    pub(super) headers: BTreeMap<String, String>,
    /// The body as it came.
    pub(super) raw: Vec<u8>,
    /// The body as JSON; `null` when it is not JSON.
    pub(super) json: Value,
    /// When the body is not JSON: what it is instead (content type and size).
    pub(super) non_json: Option<String>,
}

impl Answer {
    /// Sends `request` and reads its answer whole.
    pub(super) async fn fetch(request: reqwest::RequestBuilder) -> Result<Self, reqwest::Error> {
        Self::read(request.send().await?).await
    }

    /// Reads `response` whole.
    async fn read(response: reqwest::Response) -> Result<Self, reqwest::Error> {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect::<BTreeMap<_, _>>();
        let raw = response.bytes().await?.to_vec();
        let (json, non_json) = match serde_json::from_slice::<Value>(&raw) {
            Ok(json) => (json, None),
            Err(_) => {
                let kind = headers
                    .get("content-type")
                    .map_or("no content type", String::as_str);
                (Value::Null, Some(format!("{kind}, {} bytes", raw.len())))
            }
        };
        Ok(Self {
            status,
            headers,
            raw,
            json,
            non_json,
        })
    }

    /// The headers a cassette keeps ([`HEADERS`]).
    pub(super) fn recorded_headers(&self) -> BTreeMap<String, String> {
        HEADERS
            .iter()
            .filter_map(|h| Some(((*h).to_owned(), self.headers.get(*h)?.clone())))
            .collect()
    }

    /// Graph's error `code` and `error_subcode`, when the answer is an error envelope.
    pub(super) fn error_code(&self) -> (Option<i64>, Option<i64>) {
        let error = &self.json["error"];
        (error["code"].as_i64(), error["error_subcode"].as_i64())
    }
}
