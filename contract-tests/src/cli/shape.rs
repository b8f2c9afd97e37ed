//! A JSON answer's structure: every key path with the JSON types found there (values ignored
//! except enums and codes), and the differences between two of them.
//!
//! Array elements share one path (`data[].name`), so lengths and order do not matter; a path
//! holds the set of types its elements had.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::cassette::is_placeholder;

/// Keys whose values are enums or codes: compared as values, not only as types.
const COMPARED: &[&str] = &[
    "code",
    "error_subcode",
    "type",
    "status",
    "category",
    "messaging_product",
    "message_status",
    "field",
    "object",
    "recipient_type",
    "pricing_model",
    "billable",
    "parameter_format",
    "marketing_messages_onboarding_status",
    "quality_score",
    "success",
];

/// Key path → the types (or compared values) found there.
pub(super) type Shape = BTreeMap<String, BTreeSet<String>>;

/// The structure of `value`.
pub(super) fn shape(value: &Value) -> Shape {
    let mut out = Shape::new();
    walk("", None, value, &mut out);
    out
}

fn walk(path: &str, key: Option<&str>, value: &Value, out: &mut Shape) {
    let kind = match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) if key.is_some_and(|k| COMPARED.contains(&k)) => format!("boolean {b}"),
        Value::Bool(_) => "boolean".to_owned(),
        Value::Number(n) if key.is_some_and(|k| COMPARED.contains(&k)) => format!("number {n}"),
        Value::Number(_) => "number".to_owned(),
        Value::String(s) if key.is_some_and(|k| COMPARED.contains(&k)) && !is_placeholder(s) => {
            format!("string {s:?}")
        }
        Value::String(_) => "string".to_owned(),
        Value::Array(_) => "array".to_owned(),
        Value::Object(_) => "object".to_owned(),
    };
    out.entry(path.to_owned()).or_default().insert(kind);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(&child, Some(k), v, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(&format!("{path}[]"), key, item, out);
            }
        }
        _ => {}
    }
}

/// One difference between an expected and a found structure.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Difference {
    /// The key path (`(root)` for the whole body).
    pub(super) path: String,
    /// What the expected structure has there (`absent` when nothing).
    pub(super) expected: String,
    /// What the found structure has there.
    pub(super) found: String,
}

/// Every path whose types differ, the topmost only where a whole subtree is missing or extra.
pub(super) fn compare(expected: &Shape, found: &Shape) -> Vec<Difference> {
    let paths: BTreeSet<&String> = expected.keys().chain(found.keys()).collect();
    let mut out: Vec<Difference> = Vec::new();
    let mut absent_roots: Vec<&str> = Vec::new();
    for path in paths {
        let under_absent = absent_roots.iter().any(|root| {
            path.strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        });
        if under_absent {
            continue;
        }
        let show = |types: Option<&BTreeSet<String>>| {
            types.map_or_else(
                || "absent".to_owned(),
                |t| t.iter().cloned().collect::<Vec<_>>().join(" | "),
            )
        };
        let (e, f) = (expected.get(path), found.get(path));
        if e == f {
            continue;
        }
        if e.is_none() || f.is_none() {
            absent_roots.push(path);
        }
        out.push(Difference {
            path: if path.is_empty() {
                "(root)".to_owned()
            } else {
                path.clone()
            },
            expected: show(e),
            found: show(f),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_are_ignored_but_enums_codes_and_types_are_not() {
        let recorded =
            json!({"error": {"message": "<text:1>", "code": 132000, "fbtrace_id": "<trace:1>"}});
        let same =
            json!({"error": {"message": "another text", "code": 132000, "fbtrace_id": "Ab"}});
        assert_eq!(compare(&shape(&recorded), &shape(&same)), []);

        let drifted = json!({"error": {"msg": "x", "code": 100, "fbtrace_id": 7}});
        let diffs = compare(&shape(&recorded), &shape(&drifted));
        let paths: Vec<_> = diffs
            .iter()
            .map(|d| (d.path.as_str(), d.expected.as_str(), d.found.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                ("error.code", "number 132000", "number 100"),
                ("error.fbtrace_id", "string", "number"),
                ("error.message", "string", "absent"),
                ("error.msg", "absent", "string"),
            ]
        );
    }

    #[test]
    fn array_elements_share_a_path_and_missing_subtrees_count_once() {
        let recorded = json!({"data": [{"id": "1", "status": "APPROVED"}, {"id": "2", "status": "PAUSED"}],
            "paging": {"cursors": {"before": "a", "after": "b"}}});
        let found = json!({"data": [{"id": "9", "status": "APPROVED"}]});
        let diffs = compare(&shape(&recorded), &shape(&found));
        let paths: Vec<_> = diffs.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["data[].status", "paging"]);
        assert_eq!(diffs[0].expected, "string \"APPROVED\" | string \"PAUSED\"");
    }
}
