//! Integration tests: every Graph rule and admin endpoint over real HTTP.

mod admin;
mod campaign;
mod cli;
mod connections;
mod determinism;
mod fuzz;
mod helpers;
mod onboarding;
mod precedence;
mod routing;
mod send_rules;
mod surface;
mod templates;
mod webhooks;
