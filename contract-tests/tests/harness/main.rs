//! The harness: strategies, insta helpers, the wiremock stub and the `wa-contract` CLI, each
//! tested as a user would use it.

mod graph_mock;
mod strategies;
