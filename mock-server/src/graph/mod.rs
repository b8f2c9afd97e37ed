//! The Graph API's operations: one handler per row of [`wa_contract::operations`], named for
//! it, in [`send`], [`templates`], [`nodes`], [`media`] and [`uploads`]; [`fields`] is how every node
//! and list answers `fields=`.
//!
//! A handler gets its request's [`Ctx`] — the sandbox locked for it, the version, the path's id
//! and the query — and, when its row has a request body, the body already parsed and checked by
//! the pipeline (`http`), typed. It answers a value to serialise or a domain [`Refusal`]; the
//! pipeline renders the envelope, journals and answers. Nothing here knows HTTP.

pub(crate) mod fields;
pub(crate) mod media;
pub(crate) mod nodes;
pub(crate) mod send;
pub(crate) mod templates;
pub(crate) mod uploads;

use std::sync::Arc;

use wa_contract::GraphVersion;

use crate::domain::Refusal;
use crate::store::{Sandbox, Session};
pub(crate) use send::MessagesBody;

/// One Graph request being handled, with its sandbox locked: everything a handler reads or
/// changes goes through `state`, in the request's one critical section.
pub(crate) struct Ctx<'a> {
    /// The sandbox's state, locked.
    pub(crate) state: Session<'a>,
    /// The sandbox (its clock).
    pub(crate) sandbox: &'a Arc<Sandbox>,
    /// The version the request is answered as.
    pub(crate) version: GraphVersion,
    /// The id in the path.
    pub(crate) id: &'a str,
    /// Query parameters, in order.
    query: &'a [(String, String)],
}

impl<'a> Ctx<'a> {
    /// A context for a request on object `id`.
    pub(crate) fn new(
        state: Session<'a>,
        sandbox: &'a Arc<Sandbox>,
        version: GraphVersion,
        id: &'a str,
        query: &'a [(String, String)],
    ) -> Self {
        Self {
            state,
            sandbox,
            version,
            id,
            query,
        }
    }

    /// A query parameter.
    pub(crate) fn query(&self, name: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// `fields=` parsed, if given.
    pub(crate) fn fields(&self) -> Result<Option<Vec<fields::Field<'a>>>, Refusal> {
        self.query("fields").map(fields::parse).transpose()
    }
}
