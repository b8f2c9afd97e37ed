//! Graph API versions (`v23.0`), as they appear in paths and in the error catalogue.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A Graph API version such as `v23.0`.
///
/// ```
/// use wa_contract::GraphVersion;
/// let v: GraphVersion = "v23.0".parse().unwrap();
/// assert!(v >= GraphVersion::new(23, 0));
/// assert_eq!(v.to_string(), "v23.0");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GraphVersion {
    major: u16,
    minor: u16,
}

impl GraphVersion {
    /// The oldest version the mock serves.
    pub const OLDEST: GraphVersion = GraphVersion::new(18, 0);
    /// The newest version the mock serves; also what unversioned paths get.
    pub const NEWEST: GraphVersion = GraphVersion::new(25, 0);

    /// A version from its two numbers.
    pub const fn new(major: u16, minor: u16) -> Self {
        Self { major, minor }
    }

    /// The newest version Meta has released that this type knows of.
    pub const LATEST_KNOWN: GraphVersion = GraphVersion::new(27, 0);

    /// The major number (`23` for `v23.0`).
    pub const fn major(self) -> u16 {
        self.major
    }

    /// Whether Meta ever released this version: v2.0–v2.12, v3.0–v3.3, then v4.0, v5.0, …
    /// up to [`Self::LATEST_KNOWN`].
    ///
    /// ```
    /// use wa_contract::GraphVersion;
    /// assert!(GraphVersion::new(2, 12).is_released_by_meta());
    /// assert!(!GraphVersion::new(24, 1).is_released_by_meta());
    /// assert!(!GraphVersion::new(99, 0).is_released_by_meta());
    /// ```
    pub const fn is_released_by_meta(self) -> bool {
        match self.major {
            2 => self.minor <= 12,
            3 => self.minor <= 3,
            4.. => self.minor == 0 && self.major <= Self::LATEST_KNOWN.major,
            _ => false,
        }
    }
}

impl Default for GraphVersion {
    fn default() -> Self {
        Self::NEWEST
    }
}

/// A string such as `v23.0`.
#[cfg(feature = "openapi")]
impl schemars::JsonSchema for GraphVersion {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "GraphVersion".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^v[0-9]+\\.[0-9]+$",
            "description": "A Graph API version such as `v23.0`.",
        })
    }
}

impl fmt::Display for GraphVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// The text was not of the form `vMAJOR.MINOR`, or names a version Meta never released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersion(pub String);

impl fmt::Display for InvalidVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is not a Graph API version (v2.0 to v2.12, v3.0 to v3.3, v4.0 to {})",
            self.0,
            GraphVersion::LATEST_KNOWN
        )
    }
}

impl std::error::Error for InvalidVersion {}

impl FromStr for GraphVersion {
    type Err = InvalidVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || InvalidVersion(s.to_owned());
        let rest = s.strip_prefix('v').ok_or_else(err)?;
        let (major, minor) = rest.split_once('.').ok_or_else(err)?;
        // Plain digits without leading zeros: `u16::from_str` would also take `+9` and `009`.
        let number = |t: &str| {
            let plain = matches!(t.as_bytes(), [b'0'] | [b'1'..=b'9', ..])
                && t.len() <= 3
                && t.bytes().all(|b| b.is_ascii_digit());
            plain.then(|| t.parse().ok()).flatten()
        };
        let version = Self::new(
            number(major).ok_or_else(err)?,
            number(minor).ok_or_else(err)?,
        );
        version
            .is_released_by_meta()
            .then_some(version)
            .ok_or_else(err)
    }
}

impl Serialize for GraphVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for GraphVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_order_numerically_not_lexically() {
        let v9: GraphVersion = "v9.0".parse().unwrap();
        let v23: GraphVersion = "v23.0".parse().unwrap();
        assert!(v9 < v23);
    }

    #[test]
    fn malformed_versions_are_rejected() {
        for bad in [
            "23.0",
            "v23",
            "vx.0",
            "",
            "v0.0",
            "v1.0",
            "v65535.65535",
            "v28.0",
            "v24.1",
            "v+9.0",
            "v023.0",
            "v3.4",
        ] {
            assert!(bad.parse::<GraphVersion>().is_err(), "{bad}");
        }
    }
}
