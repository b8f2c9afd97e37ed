//! Scrubbing: what `record` does to every request, answer and webhook before anything is
//! kept, so that a cassette can be committed and shared.
//!
//! Tokens, `appsecret_proof`, phone numbers, BSUIDs, profile and business names, wamids, Graph
//! ids and free text become placeholders `<kind:N>`, the same value always the same
//! placeholder. Template names and language codes stay (sends name them), as do enums, codes,
//! timestamps and booleans. Fields named in `--keep` stay verbatim. A last pass replaces every
//! scrubbed value wherever it still appears inside another string (an error message quoting an
//! id, a paging URL carrying the token).

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};
use wa_contract::payload::bsuid::{is_bsuid, is_parent_bsuid};

/// Keys whose string values are secrets.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "appsecret_proof",
    "token",
    "verify_token",
    "hub.verify_token",
    "app_secret",
];
/// Keys whose values are phone numbers (or a BSUID, when they hold one).
const PHONE_KEYS: &[&str] = &[
    "to",
    "wa_id",
    "input",
    "from",
    "recipient",
    "recipient_id",
    "display_phone_number",
    "phone_number",
    "phone",
];
/// Keys whose values are a person's or a business's name.
const NAME_KEYS: &[&str] = &["verified_name", "business_name", "formatted_name"];
/// Keys whose string values (and everything under them) are free text.
const TEXT_KEYS: &[&str] = &[
    "text",
    "body",
    "caption",
    "message",
    "details",
    "error_user_msg",
    "error_user_title",
    "example",
    "title",
    "description",
    "payload",
    "footer",
    "filename",
    "url",
    "link",
    "emoji",
    "fallback_value",
    "rejected_reason",
];
/// Keys of Graph's paging (URLs with the token, opaque cursors).
const PAGING_KEYS: &[&str] = &["next", "previous", "before", "after"];

/// Replaces sensitive values with stable placeholders; one per cassette.
#[derive(Debug, Default)]
pub(super) struct Scrubber {
    /// Original value → its placeholder.
    seen: HashMap<String, String>,
    /// Placeholders handed out per kind.
    counters: BTreeMap<&'static str, u32>,
    /// Field names kept verbatim.
    keep: HashSet<String>,
}

impl Scrubber {
    /// A scrubber that leaves the fields named in `keep` alone.
    pub(super) fn new(keep: impl IntoIterator<Item = String>) -> Self {
        Self {
            keep: keep.into_iter().collect(),
            ..Self::default()
        }
    }

    /// The placeholder of `value`: the one it already has, else the next of `kind`.
    pub(super) fn placeholder(&mut self, kind: &'static str, value: &str) -> String {
        if let Some(p) = self.seen.get(value) {
            return p.clone();
        }
        let n = self.counters.entry(kind).or_default();
        *n += 1;
        let p = format!("<{kind}:{n}>");
        self.seen.insert(value.to_owned(), p.clone());
        p
    }

    /// The placeholder `value` already has, if any.
    pub(super) fn known(&self, value: &str) -> Option<&str> {
        self.seen.get(value).map(String::as_str)
    }

    /// `value` scrubbed.
    pub(super) fn json(&mut self, value: &Value) -> Value {
        self.walk(None, value, &Map::new(), false)
    }

    fn walk(
        &mut self,
        key: Option<&str>,
        value: &Value,
        parent: &Map<String, Value>,
        text: bool,
    ) -> Value {
        if key.is_some_and(|k| self.keep.contains(k)) {
            return value.clone();
        }
        match value {
            Value::Object(map) => {
                let text = text || key.is_some_and(|k| TEXT_KEYS.contains(&k));
                let profile = key == Some("profile");
                Value::Object(
                    map.iter()
                        .map(|(k, v)| {
                            let scrubbed = if profile && k == "name" {
                                self.string(v, "name")
                            } else {
                                self.walk(Some(k), v, map, text)
                            };
                            (k.clone(), scrubbed)
                        })
                        .collect(),
                )
            }
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.walk(key, v, parent, text))
                    .collect(),
            ),
            Value::String(s) => Value::String(self.leaf(key.unwrap_or(""), s, parent, text)),
            other => other.clone(),
        }
    }

    fn string(&mut self, value: &Value, kind: &'static str) -> Value {
        match value {
            Value::String(s) if !s.is_empty() => Value::String(self.placeholder(kind, s)),
            other => other.clone(),
        }
    }

    /// A string leaf under `key`, in the object `parent`; `text`: under a free-text key.
    fn leaf(&mut self, key: &str, s: &str, parent: &Map<String, Value>, text: bool) -> String {
        if s.is_empty() || super::cassette::is_placeholder(s) {
            return s.to_owned();
        }
        if SECRET_KEYS.contains(&key) {
            return self.placeholder("token", s);
        }
        if s.starts_with("wamid.") {
            return self.placeholder("wamid", s);
        }
        if is_bsuid(s) || is_parent_bsuid(s) {
            return self.placeholder("bsuid", s);
        }
        if PHONE_KEYS.contains(&key) {
            return self.placeholder("phone", s);
        }
        if NAME_KEYS.contains(&key) || (key == "name" && !is_template(parent)) {
            return self.placeholder("name", s);
        }
        if PAGING_KEYS.contains(&key) {
            return self.placeholder("paging", s);
        }
        if key == "fbtrace_id" {
            return self.placeholder("trace", s);
        }
        if key == "id" || key.ends_with("_id") {
            if let Some(p) = self.known(s) {
                return p.to_owned();
            }
            if s.bytes().all(|b| b.is_ascii_digit()) {
                let kind = id_kind(key, parent);
                return self.placeholder(kind, s);
            }
        }
        if text || TEXT_KEYS.contains(&key) {
            return self.text(s);
        }
        s.to_owned()
    }

    /// Free text as a placeholder, keeping the template variables (`{{1}}`, `{{name}}`) it
    /// holds, so that a template's parameter count survives.
    fn text(&mut self, s: &str) -> String {
        let mut out = self.placeholder("text", s);
        let mut rest = s;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else {
                break;
            };
            out.push(' ');
            out.push_str(&rest[start..start + len + 2]);
            rest = &rest[start + len + 2..];
        }
        out
    }

    /// Scrubs a path's ids: the segment after the version is an object of `kind`.
    pub(super) fn path(&mut self, path: &str, kind: Option<&'static str>) -> String {
        let mut node = true;
        path.split('/')
            .map(|segment| {
                let is_version = segment.starts_with('v') && segment.contains('.');
                if segment.is_empty() || is_version {
                    return segment.to_owned();
                }
                let first = std::mem::replace(&mut node, false);
                if first && !segment.is_empty() {
                    match self.known(segment) {
                        Some(p) => p.to_owned(),
                        None => self.placeholder(kind.unwrap_or("id"), segment),
                    }
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The last pass: every value scrubbed so far, wherever it still appears in a string of
    /// `value`, replaced by its placeholder (longest first, so that no value is half
    /// replaced).
    pub(super) fn sweep(&self, value: &mut Value) {
        let mut secrets: Vec<(&String, &String)> = self
            .seen
            .iter()
            .filter(|(original, _)| original.len() >= 4)
            .collect();
        secrets.sort_by_key(|(original, _)| std::cmp::Reverse(original.len()));
        sweep(value, &secrets);
    }
}

fn sweep(value: &mut Value, secrets: &[(&String, &String)]) {
    match value {
        Value::String(s) => {
            for (original, placeholder) in secrets {
                if s.contains(original.as_str()) {
                    *s = s.replace(original.as_str(), placeholder);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| sweep(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| sweep(v, secrets)),
        _ => {}
    }
}

/// Whether an object is a template (its `name` is kept).
fn is_template(object: &Map<String, Value>) -> bool {
    object.contains_key("language") || object.contains_key("category")
}

/// The kind of a numeric id under `key` in `parent`.
fn id_kind(key: &str, parent: &Map<String, Value>) -> &'static str {
    match key {
        "phone_number_id" => "phone_number_id",
        "waba_id" | "whatsapp_business_account_id" => "waba_id",
        "business_id" => "business_id",
        "hsm_id" | "template_id" | "message_template_id" => "template_id",
        "id" if is_template(parent) => "template_id",
        "id" if parent.contains_key("display_phone_number") => "phone_number_id",
        "id" if parent.contains_key("marketing_messages_onboarding_status")
            || parent.contains_key("message_template_namespace")
            || parent.contains_key("changes") =>
        {
            "waba_id"
        }
        _ => "id",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_same_value_gets_the_same_placeholder_everywhere() {
        let mut s = Scrubber::new([]);
        let body = json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+1 416 555 1234", "wa_id": "14165551234"}],
            "messages": [{"id": "wamid.ABC=", "message_status": "accepted"}],
        });
        let out = s.json(&body);
        assert_eq!(
            out,
            json!({
                "messaging_product": "whatsapp",
                "contacts": [{"input": "<phone:1>", "wa_id": "<phone:2>"}],
                "messages": [{"id": "<wamid:1>", "message_status": "accepted"}],
            })
        );
        assert_eq!(
            s.json(&json!({"to": "14165551234"})),
            json!({"to": "<phone:2>"})
        );
    }

    #[test]
    fn template_texts_keep_their_variables_and_names_stay() {
        let mut s = Scrubber::new([]);
        let template = json!({"name": "seasonal_promo", "language": "en_US", "category": "MARKETING",
            "id": "1658033848929013",
            "components": [{"type": "BODY", "text": "Hi {{1}}, code {{2}}",
                "example": {"body_text": [["Mark", "FALL25"]]}}]});
        let out = s.json(&template);
        assert_eq!(out["name"], "seasonal_promo");
        assert_eq!(out["id"], "<template_id:1>");
        assert_eq!(out["components"][0]["type"], "BODY");
        assert_eq!(out["components"][0]["text"], "<text:1> {{1}} {{2}}");
        assert_eq!(
            out["components"][0]["example"],
            json!({"body_text": [["<text:2>", "<text:3>"]]})
        );
    }

    #[test]
    fn kept_fields_stay_and_the_sweep_finds_values_inside_strings() {
        let mut s = Scrubber::new(["to".to_owned()]);
        let out = s.json(&json!({"to": "14165551234", "access_token": "EAAsecret"}));
        assert_eq!(
            out,
            json!({"to": "14165551234", "access_token": "<token:1>"})
        );
        let path = s.path("/v23.0/106540352242922/messages", Some("phone_number_id"));
        assert_eq!(path, "/v23.0/<phone_number_id:1>/messages");
        let mut error = json!({"message": "Object with ID '106540352242922' does not exist",
            "next": "https://graph.facebook.com/x?access_token=EAAsecret"});
        s.sweep(&mut error);
        assert_eq!(
            error["message"],
            "Object with ID '<phone_number_id:1>' does not exist"
        );
        assert_eq!(
            error["next"],
            "https://graph.facebook.com/x?access_token=<token:1>"
        );
    }
}
