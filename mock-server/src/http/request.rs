//! What a Graph request carries once the edge has read it: version, token, query and body
//! (JSON, form-encoded or chunked — all end up as one JSON value).

use std::sync::OnceLock;

use axum::http::{HeaderMap, Method, Uri, header};
use bytes::Bytes;
use serde_json::Value;
use wa_contract::{ErrorKind, GraphVersion};

use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::changes::Changelog;
use crate::domain::media::Upload;
use crate::journal::RawBody;

/// A Graph request as the edge read it, before any sandbox is known. The body is kept as it
/// arrived; its JSON tree is built only if something asks for it (most sends parse their bytes
/// straight into the typed request instead).
pub(crate) struct GraphRequest<'r> {
    pub(crate) method: &'r Method,
    /// The path as sent, for refusals and the journal.
    pub(crate) path: &'r str,
    /// The version in the path, if any.
    requested: Option<GraphVersion>,
    /// The version it is answered as: see [`Self::serve_version`].
    pub(crate) version: GraphVersion,
    /// The path after the version.
    pub(crate) segments: Vec<&'r str>,
    /// The object id and edge the path names, or why it names none.
    pub(crate) target: Result<(&'r str, Option<&'r str>), Refusal>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) raw: RawBody,
    /// The file a multipart form carried.
    pub(crate) file: Option<Upload>,
    headers: &'r HeaderMap,
    tree: OnceLock<Result<Value, String>>,
}

impl<'r> GraphRequest<'r> {
    /// Reads `uri` and `headers`; `body` is what reading the body gave.
    pub(crate) fn new(
        method: &'r Method,
        uri: &'r Uri,
        headers: &'r HeaderMap,
        body: Result<Received, Refusal>,
    ) -> Self {
        let path = uri.path();
        let (known, requested, segments) = match split_path(path) {
            Ok(p) => (true, p.version, p.segments),
            Err(()) => (false, None, Vec::new()),
        };
        let unknown = || Refusal::new(ErrorKind::UnknownPath).with("path", path);
        let (received, target) = match body {
            Err(refusal) => (Received::empty(), Err(refusal)),
            Ok(received) => {
                let target = match (known, segments.as_slice()) {
                    (true, [id]) => Ok((*id, None)),
                    (true, [id, edge]) => Ok((*id, Some(*edge))),
                    _ => Err(unknown()),
                };
                (received, target)
            }
        };
        Self {
            method,
            path,
            requested,
            version: requested.unwrap_or_default(),
            segments,
            target,
            query: parse_query(uri.query()),
            raw: received.raw,
            file: received.file,
            headers,
            tree: OnceLock::new(),
        }
    }

    /// `http://` and the address the client used (its `Host`), for URLs the answer carries;
    /// the loopback when it sent none or one that is not a plain host and port.
    pub(crate) fn origin(&self) -> String {
        let host = self
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b))
            })
            .unwrap_or("127.0.0.1");
        format!("http://{host}")
    }

    /// The `file_offset` header: where a Resumable Upload API piece starts.
    pub(crate) fn file_offset(&self) -> Option<&str> {
        self.headers.get("file_offset")?.to_str().ok()
    }

    /// Settles the version the request is answered as on the day `now`: the path's version,
    /// or `default` for an unversioned path (the newest released when `default` is not out
    /// yet); an expired one as the oldest still available, as Graph does. A version not
    /// released by then is an unknown path.
    pub(crate) fn serve_version(&mut self, default: GraphVersion, now: Timestamp) {
        let changelog = Changelog::builtin();
        let served = match self.requested {
            Some(asked) => changelog.serve_as(asked, now),
            None => changelog
                .serve_as(default, now)
                .or_else(|| changelog.newest(now)),
        };
        match served {
            Some(version) => self.version = version,
            None if self.target.is_ok() => {
                self.target = Err(Refusal::new(ErrorKind::UnknownPath).with("path", self.path));
            }
            None => {}
        }
    }

    /// The body as a JSON value (form fields included), parsed on first use.
    pub(crate) fn tree(&self) -> &Result<Value, String> {
        self.tree.get_or_init(|| self.raw.parse())
    }

    /// The access token: the header's or the query's, else a form or JSON body's
    /// `access_token`.
    pub(crate) fn token<'a>(&'a self, headers: &'a HeaderMap) -> Option<&'a str> {
        token(headers, &self.query)
            .or_else(|| self.tree().as_ref().ok()?.get("access_token")?.as_str())
    }
}

/// A Graph request's body as read: what the journal and the parse see, and the file a
/// multipart form carried.
pub(crate) struct Received {
    /// The body; a multipart form's fields as a form, its file as a summary.
    pub(crate) raw: RawBody,
    /// The form's file.
    pub(crate) file: Option<Upload>,
}

impl Received {
    /// No body: what a request refused before its body is read carries.
    pub(crate) fn empty() -> Self {
        Self {
            raw: RawBody::new(Bytes::new(), false),
            file: None,
        }
    }
}

/// The path split into its version and the segments after it.
struct GraphPath<'a> {
    /// The version segment, if any.
    version: Option<GraphVersion>,
    /// Segments after the version.
    segments: Vec<&'a str>,
}

/// Splits `/v23.0/123/messages` into `v23.0` and `["123", "messages"]`; `Err` when the first
/// segment is a version (`v` and a digit) that Meta never released, which Graph answers as an
/// unknown path.
fn split_path(path: &str) -> Result<GraphPath<'_>, ()> {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let version = match segments.first() {
        Some(first)
            if first.len() > 1
                && first.starts_with('v')
                && first.as_bytes()[1].is_ascii_digit() =>
        {
            let version = first.parse::<GraphVersion>().map_err(|_| ())?;
            segments.remove(0);
            Some(version)
        }
        _ => None,
    };
    Ok(GraphPath { version, segments })
}

/// Query parameters, in order.
pub(crate) fn parse_query(query: Option<&str>) -> Vec<(String, String)> {
    query
        .and_then(|q| serde_urlencoded::from_str(q).ok())
        .unwrap_or_default()
}

/// The access token from `Authorization: Bearer` or the `access_token` query parameter (a
/// form body's `access_token` is the caller's to look at, only when these are absent).
pub(crate) fn token<'a>(headers: &'a HeaderMap, query: &'a [(String, String)]) -> Option<&'a str> {
    header_token(headers).or_else(|| {
        query
            .iter()
            .find(|(k, _)| k == "access_token")
            .map(|(_, v)| v.as_str())
    })
}

/// The token of an `Authorization: Bearer` (or `OAuth`) header, the scheme in any case, as
/// Graph takes it.
pub(crate) fn header_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim_start().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_split_off_the_path() {
        let p = split_path("/v21.0/123/messages").unwrap();
        assert_eq!(p.version, Some(GraphVersion::new(21, 0)));
        assert_eq!(p.segments, ["123", "messages"]);
        assert_eq!(split_path("/123").unwrap().version, None);
        assert!(split_path("/v99.0/123").is_err());
        assert!(split_path("/v0.0/123").is_err());
        assert_eq!(
            split_path("/vanity/123").unwrap().segments,
            ["vanity", "123"]
        );
    }

    #[test]
    fn form_values_that_look_like_json_are_parsed() {
        let body =
            Bytes::from_static(b"name=promo&template=%7B%22a%22%3A1%7D&flag=true&to=%2B1650");
        let v = RawBody::new(body, true).parse().unwrap();
        assert_eq!(
            v,
            serde_json::json!({"name":"promo","template":{"a":1},"flag":true,"to":"+1650"})
        );
    }
}
