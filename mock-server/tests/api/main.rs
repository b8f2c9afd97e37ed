//! Integration tests: every Graph rule and admin endpoint over real HTTP.

mod admin;
mod campaign;
mod changelog;
mod cli;
mod connections;
mod container;
mod conversations;
mod determinism;
mod fuzz;
mod hardening;
mod helpers;
mod inbox;
mod isolation;
mod node_fields;
mod onboarding;
mod openapi;
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
