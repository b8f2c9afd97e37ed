//! Integration tests: every Graph rule and admin endpoint over real HTTP.

mod admin;
mod campaign;
mod cli;
mod connections;
mod determinism;
mod fuzz;
mod hardening;
mod helpers;
mod isolation;
mod node_fields;
mod onboarding;
mod outbound;
mod precedence;
mod routing;
mod send_rules;
mod surface;
mod sweep;
mod templates;
mod users;
mod webhooks;
mod wire;
