//! The WhatsApp Graph API contract: typed payloads, validators and the error catalogue.
//!
//! The mock server (`wa-mock`) implements this contract; clients in any language can be checked
//! against it.

mod catalogue;
pub mod graph_mock;
pub mod payload;
pub mod signature;
pub mod snapshot;
pub mod strategies;
mod validation;
mod version;

pub use catalogue::{BUILTIN_JSON, Catalogue, CatalogueError, ErrorEntry, ErrorKind};
pub use validation::{PayloadKind, Report, UnknownKind, Violation, validate};
pub use version::{GraphVersion, InvalidVersion};

#[doc(hidden)]
pub use insta as __insta;
#[doc(hidden)]
pub use serde_json as __serde_json;
