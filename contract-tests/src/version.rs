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

    /// The major number (`23` for `v23.0`).
    pub const fn major(self) -> u16 {
        self.major
    }
}

impl Default for GraphVersion {
    fn default() -> Self {
        Self::NEWEST
    }
}

impl fmt::Display for GraphVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}", self.major, self.minor)
    }
}

/// The text was not of the form `vMAJOR.MINOR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidVersion(pub String);

impl fmt::Display for InvalidVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}' is not a Graph API version such as v23.0", self.0)
    }
}

impl std::error::Error for InvalidVersion {}

impl FromStr for GraphVersion {
    type Err = InvalidVersion;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || InvalidVersion(s.to_owned());
        let rest = s.strip_prefix('v').ok_or_else(err)?;
        let (major, minor) = rest.split_once('.').ok_or_else(err)?;
        let major = major.parse().map_err(|_| err())?;
        let minor = minor.parse().map_err(|_| err())?;
        Ok(Self::new(major, minor))
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
        for bad in ["23.0", "v23", "vx.0", ""] {
            assert!(bad.parse::<GraphVersion>().is_err(), "{bad}");
        }
    }
}
