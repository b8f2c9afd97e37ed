//! Snapshot helpers: redact what changes from run to run (wamids, timestamps, fbtrace ids,
//! template and conversation ids) so that Graph payloads can be snapshotted with insta.
//!
//! [`redact`] rewrites a JSON value, numbering each distinct id in order of first appearance
//! (`[wamid-1]`, `[wamid-2]`, …) so a snapshot still shows which webhook answers which send.
//! [`assert_graph_snapshot!`](crate::assert_graph_snapshot) snapshots a redacted value; the
//! `wa-contract snapshot` command prints the mock's timeline through the same function. For
//! snapshots of your own types, [`settings`] gives insta redactions by field name.
//!
//! ```
//! use serde_json::json;
//! use wa_contract::snapshot::redact;
//!
//! let status = json!({"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1", "timestamp": "1750030073",
//!                     "conversation": {"id": "72b14d6bd5407799e66f64d1b338e567"}});
//! assert_eq!(
//!     redact(&status),
//!     json!({"id": "[wamid-1]", "timestamp": "[timestamp]",
//!            "conversation": {"id": "[conversation_id-1]"}})
//! );
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

/// Keys whose value is a point in time.
const TIME_KEYS: [&str; 10] = [
    "timestamp",
    "time",
    "expiration_timestamp",
    "created_at",
    "updated_at",
    "at",
    "now",
    "unix",
    "received_at",
    "sent_at",
];

/// Keys whose value is a template id (an integer in template webhooks).
const TEMPLATE_ID_KEYS: [&str; 3] = ["message_template_id", "template_id", "hsm_id"];

/// Keys whose value is a trace id.
const TRACE_KEYS: [&str; 3] = ["fbtrace_id", "x-fb-trace-id", "x-fb-request-id"];

/// `value` with run-specific values replaced by stable placeholders.
///
/// Redacted: strings starting with `wamid.` (`[wamid-N]`), `fbtrace_id` and trace headers
/// (`[fbtrace_id-N]`), template ids (`message_template_id`, `template_id`, `hsm_id`, and the
/// `id` of an object that looks like a template: `[template_id-N]`), `conversation.id` and
/// `conversation_id` (`[conversation_id-N]`), and timestamps (fields named `timestamp`, `time`, … and any
/// RFC 3339 string: `[timestamp]`). Numbers count distinct values in document order.
pub fn redact(value: &Value) -> Value {
    Redactor::default().value(None, value)
}

/// Numbers each distinct value per class in order of first appearance.
#[derive(Default)]
struct Redactor {
    seen: BTreeMap<&'static str, Vec<String>>,
}

impl Redactor {
    /// `[class-N]` for `raw`, the same N each time `raw` recurs.
    fn numbered(&mut self, class: &'static str, raw: &Value) -> Value {
        let raw = match raw {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let seen = self.seen.entry(class).or_default();
        let n = match seen.iter().position(|s| *s == raw) {
            Some(i) => i + 1,
            None => {
                seen.push(raw);
                seen.len()
            }
        };
        Value::from(format!("[{class}-{n}]"))
    }

    fn value(&mut self, key: Option<&str>, value: &Value) -> Value {
        match value {
            Value::Object(map) => self.object(key, map),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.value(key, v)).collect()),
            Value::String(s) if s.starts_with("wamid.") => self.numbered("wamid", value),
            Value::String(s) if is_rfc3339(s) => Value::from("[timestamp]"),
            _ => match key.map(str::to_ascii_lowercase).as_deref() {
                Some(k) if TRACE_KEYS.contains(&k) => self.numbered("fbtrace_id", value),
                Some(k) if TIME_KEYS.contains(&k) && !value.is_null() => Value::from("[timestamp]"),
                Some(k) if TEMPLATE_ID_KEYS.contains(&k) => self.numbered("template_id", value),
                Some("conversation_id") => self.numbered("conversation_id", value),
                _ => value.clone(),
            },
        }
    }

    fn object(&mut self, key: Option<&str>, map: &Map<String, Value>) -> Value {
        // A template as Graph reads it back or answers a create: id, status and category.
        let template = map.contains_key("category") && map.contains_key("status");
        let conversation = key == Some("conversation");
        let out = map
            .iter()
            .map(|(k, v)| {
                let redacted = match k.as_str() {
                    "id" if conversation => self.numbered("conversation_id", v),
                    "id" if template && !v.as_str().is_some_and(|s| s.starts_with("wamid.")) => {
                        self.numbered("template_id", v)
                    }
                    _ => self.value(Some(k), v),
                };
                (k.clone(), redacted)
            })
            .collect();
        Value::Object(out)
    }
}

/// Whether `s` starts like an RFC 3339 date-time (`2026-01-31T12:00:00…`).
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b.iter().take(19).enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T' || c == b' ',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// insta settings that redact Graph's run-specific fields by name, for snapshots of your own
/// types: `fbtrace_id`, timestamps, template ids, conversation ids, and every `id` that is a
/// wamid. Unlike [`redact`], placeholders are not numbered.
///
/// ```
/// # use wa_contract::payload::send::{SendContact, SendResponse, SentMessage};
/// # let response: SendResponse = serde_json::from_value(serde_json::json!({
/// #     "messaging_product": "whatsapp",
/// #     "contacts": [{"input": "16505551234", "wa_id": "16505551234"}],
/// #     "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1"}]})).unwrap();
/// wa_contract::snapshot::settings().bind(|| {
///     insta::assert_json_snapshot!(response, @r#"
///     {
///       "messaging_product": "whatsapp",
///       "contacts": [
///         {
///           "input": "16505551234",
///           "wa_id": "16505551234"
///         }
///       ],
///       "messages": [
///         {
///           "id": "[wamid]"
///         }
///       ]
///     }
///     "#);
/// });
/// ```
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_redaction(".**.fbtrace_id", "[fbtrace_id]");
    for key in TIME_KEYS {
        settings.add_redaction(format!(".**.{key}").as_str(), "[timestamp]");
    }
    for key in TEMPLATE_ID_KEYS {
        settings.add_redaction(format!(".**.{key}").as_str(), "[template_id]");
    }
    settings.add_redaction(".**.conversation.id", "[conversation_id]");
    settings.add_redaction(
        ".**.id",
        insta::dynamic_redaction(|value, _path| match value.as_str() {
            Some(id) if id.starts_with("wamid.") => "[wamid]".into(),
            _ => value,
        }),
    );
    settings
}

/// Snapshots a Graph payload (anything `Serialize`) as JSON after [`redact`]ing it.
///
/// Takes insta's forms: `assert_graph_snapshot!(value)`, `assert_graph_snapshot!("name", value)`
/// and `assert_graph_snapshot!(value, @"inline")`.
///
/// ```
/// use serde_json::json;
///
/// let response = json!({"messaging_product": "whatsapp",
///     "contacts": [{"input": "+1 650-555-1234", "wa_id": "16505551234"}],
///     "messages": [{"id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI1"}]});
/// wa_contract::assert_graph_snapshot!(response, @r#"
/// {
///   "messaging_product": "whatsapp",
///   "contacts": [
///     {
///       "input": "+1 650-555-1234",
///       "wa_id": "16505551234"
///     }
///   ],
///   "messages": [
///     {
///       "id": "[wamid-1]"
///     }
///   ]
/// }
/// "#);
/// ```
#[macro_export]
macro_rules! assert_graph_snapshot {
    ($value:expr, @$snapshot:literal) => {
        $crate::__insta::assert_json_snapshot!(
            $crate::snapshot::redact(&$crate::__serde_json::to_value(&$value).expect("a JSON value")),
            @$snapshot
        )
    };
    ($name:expr, $value:expr) => {
        $crate::__insta::assert_json_snapshot!(
            $name,
            $crate::snapshot::redact(&$crate::__serde_json::to_value(&$value).expect("a JSON value"))
        )
    };
    ($value:expr) => {
        $crate::__insta::assert_json_snapshot!($crate::snapshot::redact(
            &$crate::__serde_json::to_value(&$value).expect("a JSON value")
        ))
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_same_wamid_gets_the_same_number_and_others_the_next() {
        let timeline = json!([
            {"messages": [{"id": "wamid.A"}]},
            {"statuses": [{"id": "wamid.B"}, {"id": "wamid.A"}]},
        ]);
        assert_eq!(
            redact(&timeline),
            json!([
                {"messages": [{"id": "[wamid-1]"}]},
                {"statuses": [{"id": "[wamid-2]"}, {"id": "[wamid-1]"}]},
            ])
        );
    }

    #[test]
    fn template_ids_trace_ids_and_times_are_redacted_but_other_ids_kept() {
        let value = json!({
            "template": {"id": "1689556908129832", "status": "PENDING", "category": "MARKETING"},
            "update": {"message_template_id": 1689556908129832u64, "time": 1751247548},
            "error": {"fbtrace_id": "AbCdEf", "code": 100},
            "waba": {"id": "102290129340398"},
            "at": "2026-11-25T12:00:00Z",
        });
        assert_eq!(
            redact(&value),
            json!({
                "template": {"id": "[template_id-1]", "status": "PENDING", "category": "MARKETING"},
                "update": {"message_template_id": "[template_id-1]", "time": "[timestamp]"},
                "error": {"fbtrace_id": "[fbtrace_id-1]", "code": 100},
                "waba": {"id": "102290129340398"},
                "at": "[timestamp]",
            })
        );
    }
}
