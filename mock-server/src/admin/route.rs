//! One row of the admin API's table: a route as the router serves it and as the OpenAPI
//! document describes it, declared together so that the two cannot drift apart.
//!
//! [`route!`] starts a row from the method, the path, the handler and the answer's schema; the
//! builder methods add the rest. The router registers each row's handler; the document reads
//! the same rows.

use axum::http::Method;
use axum::routing::MethodRouter;
use schemars::{JsonSchema, Schema, SchemaGenerator};

use crate::state::AppState;

/// A schema for `T`, registered in the document's components (a `$ref` for named types).
pub(super) type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`, as a [`SchemaFn`].
pub(super) fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<T>()
}

/// A request body.
pub(super) struct Body {
    /// The schema of what the handler accepts.
    pub(super) schema: SchemaFn,
    /// Whether the request may come without one.
    pub(super) optional: bool,
}

/// A body of type `T`, required.
pub(super) const fn body<T: JsonSchema>() -> Body {
    Body {
        schema: schema::<T>,
        optional: false,
    }
}

/// One admin endpoint.
pub(super) struct Route {
    /// The HTTP method.
    pub(super) method: Method,
    /// The path as the router declares it, `{name}` for a parameter.
    pub(super) path: &'static str,
    /// The handler's name: the document's `operationId`.
    pub(super) id: &'static str,
    /// The handler, served for `method` only.
    pub(super) handler: fn() -> MethodRouter<AppState>,
    /// What the endpoint does, in a sentence.
    pub(super) summary: &'static str,
    /// Query parameters: name and description.
    pub(super) query: &'static [(&'static str, &'static str)],
    /// The request body, if the endpoint reads one.
    pub(super) body: Option<Body>,
    /// The schema of the answer.
    pub(super) answer: SchemaFn,
    /// The answer's media type.
    pub(super) media: &'static str,
}

/// A [`Route`] that answers `$answer` (a [`SchemaFn`]) when `$handler` (an async fn in scope)
/// is asked `$method $path`; its id is the handler's name.
macro_rules! route {
    ($method:ident $path:literal => $handler:ident, $answer:expr) => {
        $crate::admin::route::Route {
            method: axum::http::Method::$method,
            path: $path,
            id: stringify!($handler),
            handler: || axum::routing::on(axum::routing::MethodFilter::$method, $handler),
            summary: "",
            query: &[],
            body: None,
            answer: $answer,
            media: "application/json",
        }
    };
}
pub(super) use route;

impl Route {
    /// What the endpoint does.
    pub(super) const fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }

    /// The endpoint reads `body`.
    pub(super) const fn body(mut self, body: Body) -> Self {
        self.body = Some(body);
        self
    }

    /// The endpoint may read `body`, or none.
    pub(super) const fn optional_body(mut self, mut body: Body) -> Self {
        body.optional = true;
        self.body = Some(body);
        self
    }

    /// The endpoint answers `media`, not JSON.
    pub(super) const fn media(mut self, media: &'static str) -> Self {
        self.media = media;
        self
    }

    /// The endpoint reads these query parameters.
    pub(super) const fn query(mut self, query: &'static [(&'static str, &'static str)]) -> Self {
        self.query = query;
        self
    }
}
