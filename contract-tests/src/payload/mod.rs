//! Serde types for every payload that crosses the Graph API boundary.

pub mod error;
