//! Values Meta spells from a documented list, each list declared once with `wire_enum!`: the
//! enum, its spellings ([`WireEnum::NAMES`], which the validators check against) and
//! `as_str`.
//!
//! Meta adds values to these lists without notice, so the webhook payload types hold them as
//! [`Open`]: a documented value, or the one sent as it came. A webhook from a newer Graph still
//! parses; [`crate::validate`] is where an undocumented value is reported.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An enum of Meta's documented values, spelled as on the wire.
pub trait WireEnum: Copy + 'static {
    /// Every documented spelling, in declaration order.
    const NAMES: &'static [&'static str];

    /// The wire spelling.
    fn name(self) -> &'static str;

    /// The value spelled `name`, if it is documented.
    fn from_name(name: &str) -> Option<Self>;
}

/// Declares an enum of Meta's documented values: each variant with its doc and its wire
/// spelling. Generates the enum, `ALL`, `NAMES`, `as_str`, `Display`, `Serialize` and `Deserialize` (as its
/// wire spelling) and [`WireEnum`].
macro_rules! wire_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$doc:meta])* $variant:ident = $wire:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
        }

        impl $name {
            /// Every documented value, in declaration order.
            pub const ALL: [$name; [$($name::$variant),*].len()] = [$($name::$variant),*];

            /// Every documented wire spelling, in declaration order.
            pub const NAMES: [&'static str; [$($wire),*].len()] = [$($wire),*];

            /// The wire spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)*
                }
            }
        }

        impl $crate::payload::enums::WireEnum for $name {
            const NAMES: &'static [&'static str] = &$name::NAMES;

            fn name(self) -> &'static str {
                self.as_str()
            }

            fn from_name(name: &str) -> Option<Self> {
                match name {
                    $($wire => Some($name::$variant),)*
                    _ => None,
                }
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        /// Reads a documented spelling; any other is refused (stored state holds only these).
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let sent = <::std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$name as $crate::payload::enums::WireEnum>::from_name(&sent).ok_or_else(|| {
                    ::serde::de::Error::unknown_variant(&sent, &$name::NAMES)
                })
            }
        }

        /// One of the documented spellings.
        #[cfg(feature = "openapi")]
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({ "type": "string", "enum": $name::NAMES })
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for $crate::payload::enums::Open<$name> {
            fn from(value: $name) -> Self {
                Self::Known(value)
            }
        }
    };
}
pub(crate) use wire_enum;

/// A value from one of Meta's documented lists, or one Meta sent that the list does not have.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Open<T> {
    /// A documented value.
    Known(T),
    /// Any other value, kept as sent.
    Other(String),
}

impl<T: WireEnum> Open<T> {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(value) => value.name(),
            Self::Other(sent) => sent,
        }
    }

    /// The documented value, if it is one.
    pub fn known(&self) -> Option<T> {
        match self {
            Self::Known(value) => Some(*value),
            Self::Other(_) => None,
        }
    }
}

/// Reads a spelling: the documented value it names, else [`Open::Other`].
impl<T: WireEnum> From<&str> for Open<T> {
    fn from(sent: &str) -> Self {
        T::from_name(sent).map_or_else(|| Self::Other(sent.to_owned()), Self::Known)
    }
}

impl<T: WireEnum> PartialEq<T> for Open<T>
where
    T: PartialEq,
{
    fn eq(&self, other: &T) -> bool {
        self.known().is_some_and(|value| value == *other)
    }
}

impl<T: WireEnum> fmt::Display for Open<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string: a documented spelling or any other.
#[cfg(feature = "openapi")]
impl<T: WireEnum> schemars::JsonSchema for Open<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "OpenEnum".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "examples": T::NAMES })
    }
}

impl<T: WireEnum> Serialize for Open<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de, T: WireEnum> Deserialize<'de> for Open<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sent = String::deserialize(d)?;
        Ok(T::from_name(&sent).map_or(Self::Other(sent), Self::Known))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    wire_enum! {
        /// A test list.
        pub enum Colour {
            /// Green.
            Green = "GREEN",
            /// Red.
            Red = "RED",
        }
    }

    #[test]
    fn documented_values_read_as_known_and_others_as_sent() {
        let known: Open<Colour> = serde_json::from_str(r#""RED""#).unwrap();
        assert_eq!(known, Open::Known(Colour::Red));
        let other: Open<Colour> = serde_json::from_str(r#""BLUE""#).unwrap();
        assert_eq!(other, Open::Other("BLUE".to_owned()));
        assert_eq!(serde_json::to_string(&other).unwrap(), r#""BLUE""#);
        assert_eq!(Open::from("GREEN"), Colour::Green);
        assert_eq!(Colour::NAMES, ["GREEN", "RED"]);
    }
}
