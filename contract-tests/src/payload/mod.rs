//! Serde types for every payload that crosses the Graph API boundary.
//!
//! Types are lenient where Graph is lenient: unknown fields are kept in `extra`, explicit
//! `null`s read as absent, component types are read in any case. They are strict where Graph
//! rejects (closed enums such as categories and creative-feature keys). The rules serde cannot
//! express live in [`crate::validate`].

pub mod bsuid;
pub mod enums;
pub mod error;
pub mod media;
pub mod send;
pub mod template;
pub mod waba;
pub mod webhook;

/// Reads a list that may be sent as `null`, which Graph treats as not sent: as empty.
pub(crate) fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<Vec<T>> as serde::Deserialize>::deserialize(d).map(Option::unwrap_or_default)
}
