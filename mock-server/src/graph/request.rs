//! What a Graph request carries once the edge has read it: version, token, query and body
//! (JSON, form-encoded or chunked — all end up as one JSON value).

use axum::http::{HeaderMap, header};
use bytes::Bytes;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
use wa_contract::GraphVersion;

/// The path split into its version and the segments after it.
pub(crate) struct GraphPath<'a> {
    /// The version segment, or the newest version when absent.
    pub(crate) version: GraphVersion,
    /// Segments after the version.
    pub(crate) segments: Vec<&'a str>,
}

/// Splits `/v23.0/123/messages` into `v23.0` and `["123", "messages"]`; `Err` when the first
/// segment is a version (`v` and a digit) that Meta never released, which Graph answers as an
/// unknown path.
pub(crate) fn split_path(path: &str) -> Result<GraphPath<'_>, ()> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let version = match segments.first() {
        Some(first)
            if first.len() > 1
                && first.starts_with('v')
                && first.as_bytes()[1].is_ascii_digit() =>
        {
            let version = first.parse::<GraphVersion>().map_err(|_| ())?;
            segments.remove(0);
            version
        }
        _ => GraphVersion::NEWEST,
    };
    Ok(GraphPath { version, segments })
}

/// Query parameters, in order.
pub(crate) fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// The access token: `Authorization: Bearer`, else `access_token` in the query or form body.
pub(crate) fn token<'a>(
    headers: &'a HeaderMap,
    query: &'a [(String, String)],
    body: &'a Result<Value, String>,
) -> Option<&'a str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("OAuth "))
        })
        .map(str::trim)
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| k == "access_token")
                .map(|(_, v)| v.as_str())
        })
        .or_else(|| body.as_ref().ok()?.get("access_token")?.as_str())
}

/// A request body as it arrived. The journal keeps these rather than parsed trees: bytes are
/// shared with the request at no cost, and parsing again is only needed when someone reads it.
#[derive(Clone, Debug)]
pub(crate) struct RawBody {
    bytes: Bytes,
    form: bool,
    /// The size it arrived with, when it was cut for the journal.
    truncated_from: Option<usize>,
}

impl RawBody {
    /// The body of a request with `headers`.
    pub(crate) fn new(headers: &HeaderMap, bytes: Bytes) -> Self {
        let form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        Self {
            bytes,
            form,
            truncated_from: None,
        }
    }

    /// Copies the body (its first `cap` bytes, if longer) into a buffer of its own: the
    /// request's bytes are a slice of the connection's read buffer, which a journal entry must
    /// not keep alive.
    pub(crate) fn compact(&mut self, cap: usize) {
        if self.bytes.len() > cap {
            self.truncated_from = Some(self.bytes.len());
        }
        self.bytes = Bytes::copy_from_slice(&self.bytes[..self.bytes.len().min(cap)]);
    }

    /// The size the body arrived with, when it was cut.
    pub(crate) fn truncated_from(&self) -> Option<usize> {
        self.truncated_from
    }

    /// Bytes kept.
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Parses the body: JSON, or form fields whose values are JSON objects, arrays or booleans
    /// where they look like them. An empty body is `null`.
    pub(crate) fn parse(&self) -> Result<Value, String> {
        let body = &self.bytes;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        if self.form {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
                .map_err(|e| format!("request body: form fields could not be read: {e}"))?;
            return Ok(Value::Object(form_fields(pairs)));
        }
        serde_json::from_slice(body).map_err(|e| format!("request body: expected JSON, {e}"))
    }
}

/// As parsed; `null` when it does not parse (or was cut).
impl Serialize for RawBody {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.parse().unwrap_or(Value::Null).serialize(serializer)
    }
}

/// Form fields as JSON: values that are JSON objects, arrays or booleans are parsed.
pub(crate) fn form_fields(pairs: Vec<(String, String)>) -> Map<String, Value> {
    pairs
        .into_iter()
        .map(|(k, v)| {
            let trimmed = v.trim_start();
            let parsed = if trimmed.starts_with('{')
                || trimmed.starts_with('[')
                || v == "true"
                || v == "false"
            {
                serde_json::from_str(&v).unwrap_or(Value::String(v))
            } else {
                Value::String(v)
            };
            (k, parsed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_split_off_and_default_to_the_newest() {
        let p = split_path("/v21.0/123/messages").unwrap();
        assert_eq!(p.version, GraphVersion::new(21, 0));
        assert_eq!(p.segments, ["123", "messages"]);
        assert_eq!(split_path("/123").unwrap().version, GraphVersion::NEWEST);
        assert!(split_path("/v99.0/123").is_err());
        assert!(split_path("/v0.0/123").is_err());
        assert_eq!(
            split_path("/vanity/123").unwrap().segments,
            ["vanity", "123"]
        );
    }

    #[test]
    fn form_values_that_look_like_json_are_parsed() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        let body =
            Bytes::from_static(b"name=promo&template=%7B%22a%22%3A1%7D&flag=true&to=%2B1650");
        let v = RawBody::new(&headers, body).parse().unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name":"promo","template":{"a":1},"flag":true,"to":"+1650"})
        );
    }
}
