//! The one error type at the Graph edge: a catalogue entry rendered in Graph's envelope.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use wa_contract::payload::error::GraphErrorBody;
use wa_contract::{Catalogue, GraphVersion};

use crate::domain::Refusal;

/// An error answered to a Graph client: HTTP status and Graph's `{"error":{…}}` body.
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
}

/// The envelope, with its trace id also in `x-fb-trace-id` as Graph sends it.
impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let trace = HeaderValue::from_str(&self.body.error.fbtrace_id).ok();
        let mut response = (self.status, axum::Json(*self.body)).into_response();
        if let Some(trace) = trace {
            response.headers_mut().insert("x-fb-trace-id", trace);
        }
        response
    }
}
