//! The fixture contract: every valid fixture passes, round-trips through the typed model
//! unchanged and matches Meta's official schema; every invalid fixture breaks exactly the rule
//! it is named for. Layout and naming: `fixtures/README.md`.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wa_contract::payload::{error, media, send, template, waba, webhook};
use wa_contract::{PayloadKind, validate};

/// `fixtures/payloads`.
fn payloads_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/payloads")
}

/// Every fixture of `kind` in `group` (`valid` or `invalid`), sorted, as (file stem, JSON).
fn fixtures(kind: PayloadKind, group: &str) -> Vec<(String, Value)> {
    let dir = payloads_dir().join(kind.as_str()).join(group);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Value)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap();
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
            (stem, value)
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Parses `value` as `T` and serialises it back.
fn through<T: Serialize + DeserializeOwned>(value: &Value) -> Value {
    let typed: T = serde_json::from_value(value.clone()).expect("the fixture parses");
    serde_json::to_value(typed).expect("the model serialises")
}

/// `value` through the typed model of `kind`.
fn round_trip(kind: PayloadKind, value: &Value) -> Value {
    match kind {
        PayloadKind::MarketingMessageRequest | PayloadKind::MessageRequest => {
            through::<send::SendMessageRequest>(value)
        }
        PayloadKind::SendResponse => through::<send::SendResponse>(value),
        PayloadKind::TemplateCreateRequest => through::<template::TemplateCreateRequest>(value),
        PayloadKind::TemplateCreateResponse => through::<template::TemplateCreateResponse>(value),
        PayloadKind::TemplateEditRequest => through::<template::TemplateEditRequest>(value),
        PayloadKind::TemplateObject => through::<template::TemplateObject>(value),
        PayloadKind::TemplateList => through::<template::TemplateList>(value),
        PayloadKind::WabaNode => through::<waba::WabaNode>(value),
        PayloadKind::WabaUpdateRequest => through::<waba::WabaUpdateRequest>(value),
        PayloadKind::BusinessNode => through::<waba::BusinessNode>(value),
        PayloadKind::SubscribedAppsRequest => through::<waba::SubscribedAppsRequest>(value),
        PayloadKind::SubscribedAppsList => through::<waba::SubscribedAppsList>(value),
        PayloadKind::SuccessResponse => through::<waba::SuccessResponse>(value),
        PayloadKind::MediaNode => through::<media::MediaNode>(value),
        PayloadKind::UploadSession => through::<media::UploadSession>(value),
        PayloadKind::UploadSessionState => through::<media::UploadSessionState>(value),
        PayloadKind::UploadHandle => through::<media::UploadHandle>(value),
        PayloadKind::StatusWebhook
        | PayloadKind::InboundMessageWebhook
        | PayloadKind::TemplateStatusWebhook
        | PayloadKind::AccountUpdateWebhook
        | PayloadKind::UserPreferencesWebhook
        | PayloadKind::UserIdUpdateWebhook
        | PayloadKind::TemplateQualityWebhook
        | PayloadKind::TemplateCategoryWebhook
        | PayloadKind::UserActionsWebhook
        | PayloadKind::PhoneQualityWebhook
        | PayloadKind::BusinessCapabilityWebhook => through::<webhook::WebhookPayload>(value),
        PayloadKind::GraphError => through::<error::GraphErrorBody>(value),
    }
}

/// Graph treats an explicit `null` like an absent field, and so does the model; compare
/// without them.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[test]
fn every_kind_has_valid_and_invalid_fixtures() {
    for kind in PayloadKind::ALL {
        assert!(
            !fixtures(kind, "valid").is_empty(),
            "no valid fixture for {kind}"
        );
        assert!(
            !fixtures(kind, "invalid").is_empty(),
            "no invalid fixture for {kind}"
        );
    }
}

#[test]
fn valid_fixtures_pass_and_round_trip_unchanged() {
    for kind in PayloadKind::ALL {
        for (name, value) in fixtures(kind, "valid") {
            let report = validate(kind, &value);
            assert!(report.is_ok(), "{kind}/valid/{name}:\n{report}");
            assert_eq!(
                without_nulls(&round_trip(kind, &value)),
                without_nulls(&value),
                "{kind}/valid/{name} changed in the round trip"
            );
        }
    }
}

#[test]
fn valid_fixtures_are_detected_as_their_kind() {
    for kind in PayloadKind::ALL {
        for (name, value) in fixtures(kind, "valid") {
            let detected = PayloadKind::detect(&value);
            // Shapes valid as two kinds: a template send is a /messages body too, and a bare
            // creative-features spec is both a template edit and a WABA update.
            let ambiguous = matches!(
                (kind, detected),
                (
                    PayloadKind::MarketingMessageRequest,
                    Some(PayloadKind::MessageRequest)
                ) | (
                    PayloadKind::TemplateEditRequest,
                    Some(PayloadKind::WabaUpdateRequest)
                )
            );
            // `{}` (subscribe with the app's own callback) says nothing about its kind.
            let bare = value.as_object().is_some_and(serde_json::Map::is_empty);
            assert!(
                detected == Some(kind) || ambiguous || bare,
                "{kind}/valid/{name} detected as {detected:?}"
            );
        }
    }
}

#[test]
fn invalid_fixtures_break_exactly_the_rule_they_are_named_for() {
    for kind in PayloadKind::ALL {
        for (name, value) in fixtures(kind, "invalid") {
            // `ttl_range.authentication` breaks `ttl_range`: the suffix only tells variants apart.
            let rule = name.split('.').next().unwrap();
            let report = validate(kind, &value);
            assert_eq!(report.rules(), [rule], "{kind}/invalid/{name}:\n{report}");
            insta::assert_json_snapshot!(format!("{kind}__{name}"), report);
        }
    }
}

/// The vendored excerpt of Meta's spec with the quirks of `fixtures/openapi/quirks.json`
/// patched out, and the kinds that spec does not model.
fn official_schemas() -> (Value, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/openapi");
    let read = |name: &str| -> Value {
        serde_json::from_str(&fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let mut excerpt = read("schemas.json");
    let quirks = read("quirks.json");
    for patch in quirks["patches"].as_array().unwrap() {
        let pointer = patch["pointer"].as_str().unwrap();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        let target = excerpt
            .pointer_mut(parent)
            .and_then(Value::as_object_mut)
            .unwrap_or_else(|| panic!("quirk patch {pointer} matches nothing in schemas.json"));
        match patch["op"].as_str().unwrap() {
            "remove" => assert!(
                target.remove(key).is_some(),
                "nothing to remove at {pointer}"
            ),
            "replace" => {
                target.insert(key.to_owned(), patch["value"].clone());
            }
            op => panic!("unknown quirk op {op}"),
        }
    }
    let unmodelled = quirks["kinds_without_schema"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    (excerpt, unmodelled)
}

#[test]
fn valid_fixtures_match_metas_official_schema_except_listed_quirks() {
    let (excerpt, unmodelled) = official_schemas();
    let mut failures = Vec::new();
    for kind in PayloadKind::ALL {
        if unmodelled.iter().any(|k| k == kind.as_str()) {
            assert!(
                excerpt["kinds"].get(kind.as_str()).is_none(),
                "{kind} is both modelled and exempt"
            );
            continue;
        }
        // Resolve `#/components/...` against the excerpt by making it the root document.
        let mut schema = excerpt.clone();
        schema["$ref"] = json!(format!("#/kinds/{kind}"));
        let validator =
            jsonschema::draft202012::new(&schema).expect("the official schema compiles");
        for (name, value) in fixtures(kind, "valid") {
            for error in validator.iter_errors(&value) {
                failures.push(format!(
                    "{kind}/valid/{name} at {}: {error}",
                    error.instance_path()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
