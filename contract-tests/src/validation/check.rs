//! The [`Checker`]: collects violations while rule functions walk a JSON value by path.
//!
//! Rule functions never stop at the first problem; every helper records what it finds and
//! returns the value (or `None`) so the caller can keep walking.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::Violation;

/// Collects violations; helpers report the generic rules (`required`, `type`, `enum`, …).
#[derive(Debug, Default)]
pub(crate) struct Checker {
    pub(crate) violations: Vec<Violation>,
}

/// A JSON path, built as the walk descends but written out only when a violation names it
/// (most walks find none, and a `String` per visited field was most of their cost).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Path<'a> {
    /// A path given whole (`"to"`, `"text.body"`); empty for the payload itself.
    Text(&'a str),
    /// `parent.key`, or `key` at the root.
    Key(&'a Path<'a>, &'a str),
    /// `parent[i]`.
    Index(&'a Path<'a>, usize),
}

impl Path<'_> {
    fn is_empty(&self) -> bool {
        match self {
            Path::Text(text) => text.is_empty(),
            Path::Key(parent, key) => parent.is_empty() && key.is_empty(),
            Path::Index(..) => false,
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Text(text) => f.write_str(text),
            Path::Key(parent, key) if parent.is_empty() => f.write_str(key),
            Path::Key(parent, key) => write!(f, "{parent}.{key}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

impl<'a> From<&'a str> for Path<'a> {
    fn from(text: &'a str) -> Self {
        Path::Text(text)
    }
}

impl<'a> From<&Path<'a>> for Path<'a> {
    fn from(path: &Path<'a>) -> Self {
        *path
    }
}

/// `path.key`, or `key` at the root.
pub(crate) fn child<'a>(path: &'a Path<'a>, key: &'a str) -> Path<'a> {
    Path::Key(path, key)
}

/// `path[i]`.
pub(crate) fn item<'a>(path: &'a Path<'a>, i: usize) -> Path<'a> {
    Path::Index(path, i)
}

/// A short description of a JSON value for the `found` column.
pub(crate) fn describe(value: Option<&Value>) -> String {
    match value {
        None => "nothing".to_owned(),
        Some(Value::Null) => "null".to_owned(),
        Some(Value::Bool(b)) => format!("the boolean {b}"),
        Some(Value::Number(n)) => format!("the number {n}"),
        Some(Value::String(s)) if s.chars().count() > 40 => {
            let head: String = s.chars().take(40).collect();
            format!("the string \"{head}…\"")
        }
        Some(Value::String(s)) => format!("the string \"{s}\""),
        Some(Value::Array(a)) => format!("an array of {} items", a.len()),
        Some(Value::Object(_)) => "an object".to_owned(),
    }
}

/// `one of "a", "b"`.
pub(crate) fn one_of_text(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("\"{a}\"")).collect();
    format!("one of {}", quoted.join(", "))
}

impl Checker {
    /// Records one violation.
    pub(crate) fn push<'p>(
        &mut self,
        path: impl Into<Path<'p>>,
        rule: &str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) {
        self.violations.push(Violation {
            path: path.into().to_string(),
            rule: rule.to_owned(),
            expected: expected.into(),
            found: found.into(),
        });
    }

    /// The value as an object, or a `type` violation.
    pub(crate) fn object<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        value: &'v Value,
    ) -> Option<&'v Map<String, Value>> {
        let map = value.as_object();
        if map.is_none() {
            self.push(path, "type", "an object", describe(Some(value)));
        }
        map
    }

    /// The value as an array, or a `type` violation.
    pub(crate) fn array<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        value: &'v Value,
    ) -> Option<&'v Vec<Value>> {
        let list = value.as_array();
        if list.is_none() {
            self.push(path, "type", "an array", describe(Some(value)));
        }
        list
    }

    /// The value as a string, or a `type` violation.
    pub(crate) fn string<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        value: &'v Value,
    ) -> Option<&'v str> {
        let text = value.as_str();
        if text.is_none() {
            self.push(path, "type", "a string", describe(Some(value)));
        }
        text
    }

    /// The value as an integer, or a `type` violation.
    pub(crate) fn integer<'p>(&mut self, path: impl Into<Path<'p>>, value: &Value) -> Option<i64> {
        let n = value.as_i64();
        if n.is_none() {
            self.push(path, "type", "an integer", describe(Some(value)));
        }
        n
    }

    /// A `type` violation unless the value is a boolean.
    pub(crate) fn boolean<'p>(&mut self, path: impl Into<Path<'p>>, value: &Value) {
        if !value.is_boolean() {
            self.push(path, "type", "a boolean", describe(Some(value)));
        }
    }

    /// `map[key]`; absent and `null` both read as absent, as Graph treats them.
    pub(crate) fn optional<'v>(map: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
        map.get(key).filter(|v| !v.is_null())
    }

    /// `map[key]`, or a `required` violation.
    pub(crate) fn required<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
        expected: &str,
    ) -> Option<&'v Value> {
        self.required_lazy(path, map, key, || expected.to_owned())
    }

    /// [`Self::required`], with the expectation written out only if it is missing.
    fn required_lazy<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
        expected: impl FnOnce() -> String,
    ) -> Option<&'v Value> {
        let value = Self::optional(map, key);
        if value.is_none() {
            let path = path.into();
            self.push(
                child(&path, key),
                "required",
                expected(),
                describe(map.get(key)),
            );
        }
        value
    }

    /// A required string field.
    pub(crate) fn required_str<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
    ) -> Option<&'v str> {
        let path = path.into();
        let value = self.required(path, map, key, "a string")?;
        self.string(child(&path, key), value)
    }

    /// An optional string field (reports only a wrong type).
    pub(crate) fn optional_str<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
    ) -> Option<&'v str> {
        let value = Self::optional(map, key)?;
        self.string(child(&path.into(), key), value)
    }

    /// An optional boolean field.
    pub(crate) fn optional_bool<'p>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &Map<String, Value>,
        key: &str,
    ) {
        if let Some(value) = Self::optional(map, key) {
            self.boolean(child(&path.into(), key), value);
        }
    }

    /// An `enum` violation unless `value` is one of `allowed`.
    pub(crate) fn one_of<'p>(
        &mut self,
        path: impl Into<Path<'p>>,
        value: &str,
        allowed: &[&str],
    ) -> bool {
        let ok = allowed.contains(&value);
        if !ok {
            self.push(
                path,
                "enum",
                one_of_text(allowed),
                describe(Some(&Value::from(value))),
            );
        }
        ok
    }

    /// A required string field that must be one of `allowed`.
    pub(crate) fn required_enum<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
        allowed: &[&str],
    ) -> Option<&'v str> {
        let path = path.into();
        let value = self.required_lazy(path, map, key, || one_of_text(allowed))?;
        let text = self.string(child(&path, key), value)?;
        self.one_of(child(&path, key), text, allowed)
            .then_some(text)
    }

    /// An optional string field that must be one of `allowed` when present.
    pub(crate) fn optional_enum<'p, 'v>(
        &mut self,
        path: impl Into<Path<'p>>,
        map: &'v Map<String, Value>,
        key: &str,
        allowed: &[&str],
    ) -> Option<&'v str> {
        let path = path.into();
        let text = self.optional_str(path, map, key)?;
        self.one_of(child(&path, key), text, allowed)
            .then_some(text)
    }

    /// A `max_length` violation when `text` is longer than `max` characters.
    pub(crate) fn max_length<'p>(&mut self, path: impl Into<Path<'p>>, text: &str, max: usize) {
        let len = text.chars().count();
        if len > max {
            self.push(
                path,
                "max_length",
                format!("at most {max} characters"),
                format!("{len} characters"),
            );
        }
    }

    /// A `non_empty` violation when the list is empty.
    pub(crate) fn non_empty<'p>(&mut self, path: impl Into<Path<'p>>, list: &[Value]) -> bool {
        if list.is_empty() {
            self.push(path, "non_empty", "at least one item", "an empty array");
        }
        !list.is_empty()
    }

    /// Records a `shape` violation if no rule fired yet and the value still does not parse as
    /// `T`: the typed model and the rules must agree, and this catches what rules missed.
    /// Returns the typed value when it parsed.
    pub(crate) fn parses_as<T: DeserializeOwned>(&mut self, value: &Value) -> Option<T> {
        if !self.violations.is_empty() {
            return None;
        }
        match T::deserialize(value) {
            Ok(typed) => Some(typed),
            Err(err) => {
                let name = std::any::type_name::<T>()
                    .rsplit("::")
                    .next()
                    .unwrap_or_default();
                self.push(
                    "",
                    "shape",
                    format!("a value the {name} model accepts"),
                    err.to_string(),
                );
                None
            }
        }
    }
}
