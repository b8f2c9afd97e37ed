//! The cassette: Graph traffic as `record` writes it and `parity` replays it, scrubbed of
//! secrets and personal data (see [`super::scrub`]).
//!
//! Values that were scrubbed are placeholders, `<kind:N>` (`<waba_id:1>`, `<wamid:3>`): the
//! same value always got the same placeholder, so a replay binds each placeholder to the value
//! the mock uses in its place. `world` lists the objects the traffic needs to exist (its WABAs,
//! numbers and templates with their states), from which `parity` provisions a sandbox.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use wa_contract::GraphVersion;
use wa_contract::operations::OPERATIONS;
use wa_contract::payload::template::{TemplateCategory, TemplateStatus};
use wa_contract::payload::waba::OnboardingStatus;

use super::InputError;

/// The `format` every cassette names.
pub(super) const FORMAT: &str = "wa-contract-cassette";
/// The newest cassette format this build reads and the one it writes.
pub(super) const VERSION: u32 = 1;

/// A recorded (or hand-written) exchange with Graph.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Cassette {
    /// Always [`FORMAT`].
    pub(super) format: String,
    /// The format's version, at most [`VERSION`].
    pub(super) version: u32,
    /// Where the traffic comes from: an upstream URL, or the documentation it was built from.
    pub(super) source: String,
    /// The Graph version of the webhooks' shapes (the app's webhook version), when known;
    /// `parity` has the sandbox send that version's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) webhook_version: Option<GraphVersion>,
    /// The objects the traffic needs.
    #[serde(default)]
    pub(super) world: World,
    /// The requests, in the order they were made.
    pub(super) interactions: Vec<Interaction>,
    /// Webhooks that named no message of any interaction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) webhooks: Vec<RecordedWebhook>,
}

/// The objects a cassette's traffic needs to exist, by placeholder.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct World {
    /// WhatsApp Business Accounts.
    #[serde(default)]
    pub(super) wabas: Vec<WorldWaba>,
    /// Business phone numbers.
    #[serde(default)]
    pub(super) phone_numbers: Vec<WorldPhoneNumber>,
    /// Templates the traffic uses but does not create.
    #[serde(default)]
    pub(super) templates: Vec<WorldTemplate>,
}

/// A WABA the traffic addresses.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WorldWaba {
    /// Its placeholder.
    pub(super) id: String,
    /// Its MM API onboarding, when the traffic showed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) marketing_messages_onboarding_status: Option<OnboardingStatus>,
}

/// A phone number the traffic sends from or reads.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WorldPhoneNumber {
    /// Its placeholder.
    pub(super) id: String,
}

/// A template the traffic sends or reads.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WorldTemplate {
    /// Its placeholder, when the traffic showed its id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) id: Option<String>,
    /// Its name (kept verbatim: sends name it).
    pub(super) name: String,
    /// Its language code.
    pub(super) language: String,
    /// Its category, when the traffic showed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) category: Option<TemplateCategory>,
    /// Its status, when the traffic showed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) status: Option<TemplateStatus>,
    /// Its components (texts scrubbed, `{{n}}` variables kept), when the traffic showed them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) components: Option<Value>,
}

/// One request and the answer it got.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Interaction {
    /// The Graph operation (a row name of `wa_contract::operations::OPERATIONS`); `null` for
    /// a request no operation serves (an unknown object).
    pub(super) operation: Option<String>,
    /// What was asked.
    pub(super) request: Request,
    /// What came back.
    pub(super) response: Response,
    /// Webhooks about the messages this request sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) webhooks: Vec<RecordedWebhook>,
}

/// A request, scrubbed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Request {
    /// `GET`, `POST` or `DELETE`.
    pub(super) method: String,
    /// The path, ids as placeholders.
    pub(super) path: String,
    /// Query parameters (the token is in `auth`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) query: BTreeMap<String, String>,
    /// The token's placeholder; `null` when none was sent.
    #[serde(default)]
    pub(super) auth: Option<String>,
    /// The body (a form body as an object of strings); `null` when none.
    #[serde(default)]
    pub(super) body: Value,
}

/// An answer, scrubbed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Response {
    /// The HTTP status.
    pub(super) status: u16,
    /// The headers that matter ([`HEADERS`]), names in lowercase.
    #[serde(default)]
    pub(super) headers: BTreeMap<String, String>,
    /// The JSON body; `null` when it was not JSON.
    pub(super) body: Value,
    /// What came instead of JSON (its content type and size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) non_json: Option<String>,
}

/// A webhook the upstream delivered.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RecordedWebhook {
    /// Whether its `X-Hub-Signature-256` matched the app secret; an unsigned or badly signed
    /// webhook is kept as evidence but never compared.
    pub(super) signature_valid: bool,
    /// Its body, scrubbed.
    pub(super) body: Value,
}

/// The answer headers a cassette records and `parity` compares.
pub(super) const HEADERS: [&str; 2] = ["content-type", "facebook-api-version"];

impl Cassette {
    /// An empty cassette of this format.
    pub(super) fn new(source: String) -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            source,
            webhook_version: None,
            world: World::default(),
            interactions: Vec::new(),
            webhooks: Vec::new(),
        }
    }

    /// Reads and checks a cassette: its format, its version, and that every operation it
    /// names is one the mock serves.
    pub(super) fn load(path: &Path) -> Result<Self, InputError> {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| InputError(format!("{name}: {e}")))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| InputError(format!("{name}: not JSON: {e}")))?;
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(InputError(format!(
                "{name}: not a cassette (expected \"format\": \"{FORMAT}\")"
            )));
        }
        match value.get("version").and_then(Value::as_u64) {
            Some(v) if v <= u64::from(VERSION) => {}
            Some(v) => {
                return Err(InputError(format!(
                    "{name}: cassette format version {v} is newer than this wa-contract reads \
                     ({VERSION}); upgrade wa-contract"
                )));
            }
            None => {
                return Err(InputError(format!("{name}: \"version\" must be a number")));
            }
        }
        let cassette: Self = serde_json::from_value(value)
            .map_err(|e| InputError(format!("{name}: not a cassette: {e}")))?;
        for (i, interaction) in cassette.interactions.iter().enumerate() {
            if let Some(op) = &interaction.operation
                && !OPERATIONS.iter().any(|row| row.name() == op)
            {
                return Err(InputError(format!(
                    "{name}: interaction {}: operation \"{op}\" is not one the mock serves",
                    i + 1
                )));
            }
        }
        Ok(cassette)
    }

    /// Writes the cassette whole, through a temporary file, so that a reader never sees half
    /// of it.
    pub(super) fn save(&self, path: &Path) -> std::io::Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, text + "\n")?;
        std::fs::rename(&tmp, path)
    }
}

impl World {
    /// The objects `interactions` need, as far as they show them: the WABAs and numbers their
    /// paths address (with the onboarding status a read of the WABA answered), and the
    /// templates they send without creating them (with the id, category, status and
    /// components a read of them answered first).
    pub(super) fn infer(interactions: &[Interaction]) -> Self {
        let mut world = Self::default();
        let mut created = Vec::new();
        for i in interactions {
            let node = i
                .request
                .path
                .trim_matches('/')
                .split('/')
                .find(|s| is_placeholder(s));
            match node.and_then(placeholder_kind) {
                Some("waba_id") if !world.wabas.iter().any(|w| Some(w.id.as_str()) == node) => {
                    world.wabas.push(WorldWaba {
                        id: node.unwrap_or_default().to_owned(),
                        marketing_messages_onboarding_status: None,
                    });
                }
                Some("phone_number_id")
                    if !world
                        .phone_numbers
                        .iter()
                        .any(|p| Some(p.id.as_str()) == node) =>
                {
                    world.phone_numbers.push(WorldPhoneNumber {
                        id: node.unwrap_or_default().to_owned(),
                    });
                }
                _ => {}
            }
            let body = &i.request.body;
            match i.operation.as_deref() {
                Some("create_template") => created.push(name_language(body)),
                Some("send_marketing_message" | "send_message") => {
                    let sent = name_language(&body["template"]);
                    let known = world.templates.iter().any(|t| {
                        (t.name.as_str(), t.language.as_str()) == (sent.0.as_str(), sent.1.as_str())
                    });
                    if !sent.0.is_empty() && !known && !created.contains(&sent) {
                        world.templates.push(WorldTemplate {
                            id: None,
                            name: sent.0,
                            language: sent.1,
                            category: None,
                            status: None,
                            components: None,
                        });
                    }
                }
                _ => {}
            }
        }
        // What reads answered, first answer first: WABA onboarding, template details.
        for i in interactions.iter().filter(|i| i.response.status == 200) {
            let answer = &i.response.body;
            if let Some(waba) = world
                .wabas
                .iter_mut()
                .find(|w| answer["id"] == w.id.as_str())
                && waba.marketing_messages_onboarding_status.is_none()
            {
                waba.marketing_messages_onboarding_status =
                    serde_json::from_value(answer["marketing_messages_onboarding_status"].clone())
                        .ok();
            }
            let listed = answer["data"].as_array().into_iter().flatten();
            for object in std::iter::once(answer).chain(listed) {
                let (name, language) = name_language(object);
                let Some(template) = world
                    .templates
                    .iter_mut()
                    .find(|t| t.name == name && t.language == language && t.status.is_none())
                else {
                    continue;
                };
                template.id = object["id"].as_str().map(str::to_owned);
                template.category = serde_json::from_value(object["category"].clone()).ok();
                template.status = serde_json::from_value(object["status"].clone()).ok();
                template.components = object.get("components").cloned();
            }
        }
        world
    }
}

/// A template's (or a send's `template`'s) name and language code.
fn name_language(object: &Value) -> (String, String) {
    let language = match &object["language"] {
        Value::String(code) => code.clone(),
        other => other["code"].as_str().unwrap_or_default().to_owned(),
    };
    (
        object["name"].as_str().unwrap_or_default().to_owned(),
        language,
    )
}

/// Whether `text` is one placeholder, `<kind:N>`.
pub(super) fn is_placeholder(text: &str) -> bool {
    placeholder_kind(text).is_some()
}

/// The kind of a placeholder (`waba_id` for `<waba_id:1>`).
pub(super) fn placeholder_kind(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('<')?.strip_suffix('>')?;
    let (kind, n) = inner.split_once(':')?;
    let valid = !kind.is_empty()
        && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        && !n.is_empty()
        && n.bytes().all(|b| b.is_ascii_digit());
    valid.then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_recognised_by_shape() {
        assert_eq!(placeholder_kind("<waba_id:12>"), Some("waba_id"));
        assert!(is_placeholder("<wamid:1>"));
        assert!(!is_placeholder("<wamid:>"));
        assert!(!is_placeholder("<Wamid:1>"));
        assert!(!is_placeholder("wamid:1"));
        assert!(!is_placeholder("<AUDIO_OBJECT_ID>"));
    }
}
