//! The byte endpoint, the second hop of a media download: `GET
//! /whatsapp_business/attachments/?mid=…&ext=…&hash=…`, the path of Meta's, at the URL
//! `GET /{media_id}` gave.
//!
//! It takes the same bearer token as the Graph API (the token selects the sandbox, whose
//! signature the URL must carry), answers the file with its `Content-Type` and
//! `Content-Length`, serves one `Range` (206 with `Content-Range`, 416 past the end), never
//! redirects, and refuses a URL past its 5 minutes on the sandbox's clock. Every refusal is in
//! Graph's envelope. Downloads are not journaled (the journal records Graph operations).

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use wa_contract::ErrorKind;

use super::error::refuse;
use super::request::{parse_query, token};
use crate::domain::Refusal;
use crate::domain::media::url_signature;
use crate::state::AppState;
use crate::store::{AuthError, Store, media_gone};

/// `GET /whatsapp_business/attachments/`: a media file's bytes.
pub(crate) async fn download_media(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        let refusal = Refusal::new(ErrorKind::UnsupportedMethod)
            .with("method", method.as_str().to_ascii_lowercase())
            .with("id", "attachments");
        return refuse(&app.store, &refusal).into_response();
    }
    match file(&app, &uri, &headers) {
        Ok((bytes, mime_type)) => answer(&app.store, bytes, &mime_type, headers.get(header::RANGE)),
        Err(refusal) => refuse(&app.store, &refusal).into_response(),
    }
}

/// The file the URL names, with its type, if the token and the URL allow it.
fn file(app: &AppState, uri: &Uri, headers: &HeaderMap) -> Result<(Bytes, String), Refusal> {
    let query = parse_query(uri.query());
    let sandbox = app
        .store
        .resolve(token(headers, &query))
        .map_err(|e| match e {
            AuthError::Missing => Refusal::new(ErrorKind::AccessTokenMissing),
            AuthError::Invalid => Refusal::new(ErrorKind::AccessTokenInvalid),
        })?;
    let param = |name: &'static str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| Refusal::invalid(format!("{name}: required")))
    };
    let (mid, ext, hash) = (param("mid")?, param("ext")?, param("hash")?);
    let expires: i64 = ext
        .parse()
        .map_err(|_| Refusal::invalid(format!("ext: expected unix seconds, found '{ext}'")))?;
    let now = sandbox.clock().now();
    let state = sandbox.read();
    let media = state
        .media_of(mid, now)
        .ok_or_else(|| media_gone("get", mid))?;
    if url_signature(sandbox.token().as_str(), &media.id, expires) != hash {
        return Err(Refusal::invalid(
            "hash: this URL was not issued for this media and token",
        ));
    }
    if now.unix_seconds() >= expires {
        return Err(Refusal::new(ErrorKind::MediaUrlExpired).with(
            "details",
            format!("the media URL expired at {expires} (unix seconds): GET /{mid} for a new one"),
        ));
    }
    Ok((media.bytes.clone(), media.mime_type.clone()))
}

/// The file, whole or the one range asked for.
fn answer(store: &Store, bytes: Bytes, mime_type: &str, range: Option<&HeaderValue>) -> Response {
    let len = bytes.len();
    let content_type = HeaderValue::from_str(mime_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let accept = (header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match range
        .and_then(|r| r.to_str().ok())
        .map(|r| byte_range(r, len))
    {
        Some(Some(Ok((first, last)))) => (
            StatusCode::PARTIAL_CONTENT,
            [
                (header::CONTENT_TYPE, content_type),
                accept,
                (
                    header::CONTENT_RANGE,
                    content_range(&format!("bytes {first}-{last}/{len}")),
                ),
            ],
            bytes.slice(first..=last),
        )
            .into_response(),
        Some(Some(Err(()))) => {
            let details = format!("Range: nothing of the file's {len} bytes is in it");
            let refusal = Refusal::new(ErrorKind::RangeNotSatisfiable).with("details", details);
            let mut response = refuse(store, &refusal).into_response();
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                content_range(&format!("bytes */{len}")),
            );
            response
        }
        _ => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, content_type), accept],
            bytes,
        )
            .into_response(),
    }
}

fn content_range(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or(HeaderValue::from_static("bytes */0"))
}

/// The inclusive byte range a `Range` header asks of a file of `len` bytes: `None` when the
/// header is not one range of bytes (then the whole file is answered, as HTTP allows),
/// `Err` when the range is past the end.
fn byte_range(header: &str, len: usize) -> Option<Result<(usize, usize), ()>> {
    let spec = header.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = (first.trim(), last.trim());
    if first.is_empty() {
        let suffix: usize = last.parse().ok()?;
        if suffix == 0 || len == 0 {
            return Some(Err(()));
        }
        return Some(Ok((len - suffix.min(len), len - 1)));
    }
    let first: usize = first.parse().ok()?;
    let last: usize = match last {
        "" => usize::MAX,
        last => last.parse().ok()?,
    };
    if last < first {
        return None;
    }
    if first >= len {
        return Some(Err(()));
    }
    Some(Ok((first, last.min(len - 1))))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges_as_http_reads_them() {
        assert_eq!(byte_range("bytes=0-9", 100), Some(Ok((0, 9))));
        assert_eq!(byte_range("bytes=90-", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=90-500", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=-10", 100), Some(Ok((90, 99))));
        assert_eq!(byte_range("bytes=-500", 100), Some(Ok((0, 99))));
        assert_eq!(byte_range("bytes=100-", 100), Some(Err(())));
        assert_eq!(byte_range("bytes=-0", 100), Some(Err(())));
        assert_eq!(byte_range("bytes=5-1", 100), None);
        assert_eq!(byte_range("bytes=0-1,5-6", 100), None);
        assert_eq!(byte_range("items=0-1", 100), None);
    }
}
