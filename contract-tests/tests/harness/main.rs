//! The harness: strategies, the wiremock stub and the `wa-contract` command line, each tested
//! as a user would use it.

mod cli;
mod graph_mock;
mod strategies;
mod webhooks;
