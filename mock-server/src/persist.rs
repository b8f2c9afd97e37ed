//! Serde helpers for state that is saved and restored ([`crate::store`]'s snapshots): hashed
//! maps and sets are written in key order, so that two snapshots of the same state are
//! byte-identical whatever order the hasher keeps them in; bytes are written as base64.
//!
//! Use on a field as `serialize_with` and `deserialize_with` (not `with`, which JSON Schema
//! derives read as a type): `crate::persist::sorted_map::serialize` and `…::deserialize`.

/// A `HashMap` written as a map in key order, read back into any hasher.
pub(crate) mod sorted_map {
    use std::collections::{BTreeMap, HashMap};
    use std::hash::{BuildHasher, Hash};

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `map` in key order.
    pub(crate) fn serialize<K, V, H, S>(map: &HashMap<K, V, H>, s: S) -> Result<S::Ok, S::Error>
    where
        K: Ord + Serialize,
        V: Serialize,
        S: Serializer,
    {
        map.iter().collect::<BTreeMap<_, _>>().serialize(s)
    }

    /// Reads a map.
    pub(crate) fn deserialize<'de, K, V, H, D>(d: D) -> Result<HashMap<K, V, H>, D::Error>
    where
        K: Eq + Hash + Deserialize<'de>,
        V: Deserialize<'de>,
        H: BuildHasher + Default,
        D: Deserializer<'de>,
    {
        let entries = HashMap::<K, V>::deserialize(d)?;
        Ok(entries.into_iter().collect())
    }
}

/// A `HashSet` written as a sorted list.
pub(crate) mod sorted_set {
    use std::collections::{BTreeSet, HashSet};
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes `set` in order.
    pub(crate) fn serialize<T, S>(set: &HashSet<T>, s: S) -> Result<S::Ok, S::Error>
    where
        T: Ord + Serialize,
        S: Serializer,
    {
        set.iter().collect::<BTreeSet<_>>().serialize(s)
    }

    /// Reads a list.
    pub(crate) fn deserialize<'de, T, D>(d: D) -> Result<HashSet<T>, D::Error>
    where
        T: Eq + Hash + Deserialize<'de>,
        D: Deserializer<'de>,
    {
        HashSet::deserialize(d)
    }
}

/// Bytes written as a standard base64 string (a JSON document carries no raw bytes).
pub(crate) mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `bytes` as base64.
    pub(crate) fn serialize<B, S>(bytes: &B, s: S) -> Result<S::Ok, S::Error>
    where
        B: AsRef<[u8]>,
        S: Serializer,
    {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads a base64 string.
    pub(crate) fn deserialize<'de, B, D>(d: D) -> Result<B, D::Error>
    where
        B: From<Vec<u8>>,
        D: Deserializer<'de>,
    {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        let mut bytes = STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("not standard base64 ({e})")))?;
        // Held exactly, so that a restored sandbox counts what it holds.
        bytes.shrink_to_fit();
        Ok(B::from(bytes))
    }
}
