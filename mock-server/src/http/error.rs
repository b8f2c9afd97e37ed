//! The one error type at the edge: a catalogue entry rendered in Graph's envelope. Every error
//! the server answers — the Graph API's, the admin API's, the HTTP layer's own — is made here.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use wa_contract::payload::error::GraphErrorBody;
use wa_contract::{Catalogue, GraphVersion};

use crate::domain::Refusal;
use crate::store::Store;

/// An error answered to a client: HTTP status and Graph's `{"error":{…}}` body.
#[derive(Clone, Debug)]
pub(crate) struct GraphError {
    /// HTTP status from the catalogue.
    pub(crate) status: StatusCode,
    /// The envelope.
    pub(crate) body: Box<GraphErrorBody>,
}

impl GraphError {
    /// Renders `refusal` as a request made with `version` sees it.
    pub(crate) fn render(
        catalogue: &Catalogue,
        version: GraphVersion,
        refusal: &Refusal,
        fbtrace_id: &str,
    ) -> Self {
        let entry = catalogue.for_version(refusal.kind, version);
        let vars: Vec<(&str, &str)> = refusal.vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Self {
            status: StatusCode::from_u16(entry.http_status).unwrap_or(StatusCode::BAD_REQUEST),
            body: Box::new(entry.render(&vars, fbtrace_id)),
        }
    }

    /// The envelope as JSON bytes.
    pub(crate) fn to_bytes(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(&self.body).unwrap_or_default())
    }

    /// The trace id the envelope carries.
    pub(crate) fn trace(&self) -> &str {
        &self.body.error.fbtrace_id
    }
}

/// Renders a refusal made outside any Graph request (the admin API, the HTTP layer), as the
/// newest version words it.
pub(crate) fn refuse(store: &Store, refusal: &Refusal) -> GraphError {
    GraphError::render(
        store.catalogue(),
        GraphVersion::NEWEST,
        refusal,
        &store.fbtrace_id(),
    )
}

/// The envelope, with its trace id also in `x-fb-trace-id` as Graph sends it.
impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let trace = HeaderValue::from_str(self.trace()).ok();
        let mut response = (
            self.status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            self.to_bytes(),
        )
            .into_response();
        if let Some(trace) = trace {
            response.headers_mut().insert("x-fb-trace-id", trace);
        }
        response
    }
}
