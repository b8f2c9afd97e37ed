//! The contract and its harness, each tested as a user would use them: the fixtures against
//! the model and Meta's schema, the strategies, the wiremock stub and the `wa-contract` command
//! line.

mod cli;
mod fixtures;
mod graph_mock;
mod parity;
mod strategies;
mod webhooks;
