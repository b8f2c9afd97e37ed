//! The WhatsApp Graph API contract: typed payloads, validators and the error catalogue, plus
//! the harness that checks clients against them.
//!
//! The mock server (`wa-mock`) implements this contract; clients in any language can be checked
//! against it. One section per use:
//!
//! # Validate a payload
//!
//! [`validate`] returns every [`Violation`] with its JSON path and the rule it breaks;
//! [`PayloadKind::detect`] guesses the kind of a bare payload.
//!
//! ```
//! use serde_json::json;
//! use wa_contract::{PayloadKind, validate};
//!
//! let body = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text",
//!                   "text": {"body": "hi"}});
//! let report = validate(PayloadKind::MarketingMessageRequest, &body);
//! assert_eq!(report.rules(), ["template_only"]);
//! ```
//!
//! # Generate payloads
//!
//! [`strategies`] has proptest strategies for every kind, conformant ([`strategies::valid`]) and
//! near misses that break one named rule ([`strategies::invalid`]).
//!
//! ```
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//! use wa_contract::{PayloadKind, strategies, validate};
//!
//! let mut runner = TestRunner::deterministic();
//! let (value, rule) = strategies::invalid(PayloadKind::StatusWebhook)
//!     .new_tree(&mut runner)
//!     .unwrap()
//!     .current();
//! assert_eq!(validate(PayloadKind::StatusWebhook, &value).rules(), [rule]);
//! ```
//!
//! # Stub Graph with wiremock
//!
//! [`graph_mock::GraphStub`] mounts Graph-shaped answers on a `wiremock::MockServer` and keeps
//! the contract violations of every request; [`graph_mock::valid_payload`],
//! [`graph_mock::send_success`] and [`graph_mock::graph_error`] are the parts.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = wiremock::MockServer::start().await;
//! let stub = wa_contract::graph_mock::GraphStub::new().mount(&server).await;
//! // … point the client at server.uri() and run it …
//! stub.assert_conformant();
//! # }
//! ```
//!
//! # Snapshot
//!
//! [`snapshot::redact`] replaces wamids, timestamps, trace, template and conversation ids with
//! numbered placeholders; [`assert_graph_snapshot!`] snapshots a redacted value with insta.
//!
//! ```
//! let status = serde_json::json!({"id": "wamid.HBgLMTY1MDM4", "timestamp": "1750030073"});
//! wa_contract::assert_graph_snapshot!(status, @r#"
//! {
//!   "id": "[wamid-1]",
//!   "timestamp": "[timestamp]"
//! }
//! "#);
//! ```
//!
//! # Read the mock's admin API
//!
//! [`admin`] has the wire types of `wa-mock`'s `/__admin` endpoints: the server answers with
//! them, so a client reading an answer into its type sees exactly the mock's shape.
//!
//! ```
//! let clock: wa_contract::admin::ClockState = serde_json::from_str(
//!     r#"{"mode":"manual","now":"2026-12-01T00:00:00Z","unix":1796083200,"pending_jobs":0,
//!         "changes_in_force":[],"graph_versions":["v27.0"]}"#,
//! )
//! .unwrap();
//! assert_eq!(clock.mode, wa_contract::admin::ClockMode::Manual);
//! ```
//!
//! # Command line
//!
//! The `wa-contract` binary brings the same checks to any language's CI; exit codes are 0
//! (conformant), 1 (violations) and 2 (usage, unreadable input, unreachable mock).
//!
//! ```text
//! wa-contract validate FILE|DIR… [--kind KIND] [--format text|json]
//! wa-contract webhooks --url URL --app-secret SECRET [--cases N] [--seed N]
//! wa-contract journal  --mock URL [--token TOKEN] [--format text|json]
//! wa-contract snapshot --mock URL [--token TOKEN] [--format text|json]
//! ```
//!
//! # Features
//!
//! All are on by default. Without them (`default-features = false`) the crate is the payload,
//! [`model`] and [`admin`] types, [`validate`], the [`Catalogue`], [`GraphVersion`] and
//! [`signature`], and compiles nothing but serde, serde_json, hmac, sha2 and hex.
//!
//! | Feature      | Adds                                                     | Pulls in               |
//! |--------------|----------------------------------------------------------|------------------------|
//! | `strategies` | the `strategies` module                                  | proptest               |
//! | `snapshot`   | the `snapshot` module and `assert_graph_snapshot!`       | insta                  |
//! | `graph-mock` | the `graph_mock` module                                  | wiremock               |
//! | `cli`        | the `wa-contract` binary; turns on the three above       | clap, reqwest, tokio   |
//! | `openapi`    | `JsonSchema` for the [`admin`] and [`model`] types       | schemars               |
//!
//! For the types and validators alone:
//!
//! ```toml
//! [dependencies]
//! wa-contract = { path = "…", default-features = false }
//!
//! [dev-dependencies]
//! wa-contract = { path = "…", default-features = false, features = ["strategies", "snapshot"] }
//! ```

pub mod admin;
mod catalogue;
#[cfg(feature = "graph-mock")]
pub mod graph_mock;
pub mod model;
pub mod operations;
pub mod payload;
pub mod signature;
#[cfg(feature = "snapshot")]
pub mod snapshot;
#[cfg(feature = "strategies")]
pub mod strategies;
mod validation;
mod version;

pub use catalogue::{BUILTIN_JSON, Catalogue, CatalogueError, ErrorEntry, ErrorKind};
pub use validation::{
    PayloadKind, Report, SendEndpoint, UnknownKind, Violation, validate, validate_send,
    validate_send_json, validate_status_update,
};
pub use version::{GraphVersion, InvalidVersion};

#[cfg(feature = "snapshot")]
#[doc(hidden)]
pub use insta as __insta;
#[doc(hidden)]
pub use serde_json as __serde_json;
