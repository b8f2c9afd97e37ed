//! Rules for templates: create and edit requests, read-backs, and the creative-features spec.

use serde_json::{Map, Value};

use super::check::{Checker, Path, child, describe, item, one_of_text};
use super::send::parameter_name;
use super::shapes::{graph_id, language_code, phone_number};
use crate::payload::template::{
    CreativeFeatureKey, ParameterFormat, Placeholder, TemplateCategory, TemplateComponentKind,
    TemplateCreateRequest, TemplateCreateResponse, TemplateEditRequest, TemplateList,
    TemplateObject, TemplateStatus, is_template_name, placeholders,
};

const CATEGORIES: [&str; 3] = ["MARKETING", "UTILITY", "AUTHENTICATION"];
const PARAMETER_FORMATS: [&str; 2] = ["POSITIONAL", "NAMED"];
const HEADER_FORMATS: [&str; 6] = ["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION", "GIF"];
const BUTTON_TYPES: [&str; 9] = [
    "QUICK_REPLY",
    "URL",
    "PHONE_NUMBER",
    "OTP",
    "COPY_CODE",
    "FLOW",
    "MPM",
    "CATALOG",
    "VOICE_CALL",
];
const ENROLL_STATUSES: [&str; 2] = ["OPT_IN", "OPT_OUT"];
/// Fields a template edit may change.
const EDITABLE: [&str; 7] = [
    "category",
    "components",
    "parameter_format",
    "message_send_ttl_seconds",
    "degrees_of_freedom_spec",
    "optimization_spec",
    "bid_spec",
];

/// Whether create-time rules (examples for every placeholder) apply, as they do on create and
/// edit but not on what Graph reads back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Examples {
    /// Placeholders need examples.
    Required,
    /// Read-backs: examples are informative only.
    Optional,
}

/// `POST /{waba_id}/message_templates`.
pub(super) fn create_request(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(name) = c.required_str("", root, "name") {
        template_name(c, &Path::Text("name"), name);
    }
    if let Some(language) = c.required_str("", root, "language") {
        language_code(c, "language", language);
    }
    let category = c
        .required_enum("", root, "category", &CATEGORIES)
        .and_then(TemplateCategory::parse);
    definition(c, root, category);
    if let Some(components) = c.required(
        "",
        root,
        "components",
        "an array of components with exactly one BODY",
    ) {
        definition_components(c, root, components, category);
    }
    c.parses_as::<TemplateCreateRequest>(value);
}

/// The `components` of a create or edit: a non-empty array, each checked in the template's
/// parameter format.
fn definition_components(
    c: &mut Checker,
    root: &Map<String, Value>,
    components: &Value,
    category: Option<TemplateCategory>,
) {
    let format = parameter_format(root);
    if let Some(list) = c.array("components", components)
        && c.non_empty("components", list)
    {
        template_components(
            c,
            &Path::Text("components"),
            list,
            category,
            format,
            Examples::Required,
        );
    }
}

/// `POST /{template_id}`.
pub(super) fn edit_request(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if !EDITABLE
        .iter()
        .any(|key| Checker::optional(root, key).is_some())
    {
        c.push(
            "",
            "non_empty",
            format!("at least one of {}", EDITABLE.join(", ")),
            "none of them",
        );
    }
    let category = c
        .optional_enum("", root, "category", &CATEGORIES)
        .and_then(TemplateCategory::parse);
    definition(c, root, category);
    if let Some(components) = Checker::optional(root, "components") {
        definition_components(c, root, components, category);
    }
    c.parses_as::<TemplateEditRequest>(value);
}

/// `GET /{template_id}`.
pub(super) fn template_read(c: &mut Checker, value: &Value) {
    template_object(c, &Path::Text(""), value);
    c.parses_as::<TemplateObject>(value);
}

/// A template as read back (`GET /{template_id}`, list entries) at `path`.
fn template_object(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(template) = c.object(path, value) else {
        return;
    };
    if let Some(id) = c.required_str(path, template, "id") {
        graph_id(c, child(path, "id"), id);
    }
    if let Some(name) = c.optional_str(path, template, "name") {
        template_name(c, &child(path, "name"), name);
    }
    if let Some(language) = c.optional_str(path, template, "language") {
        language_code(c, child(path, "language"), language);
    }
    c.optional_enum(path, template, "status", &TemplateStatus::ALL);
    let category = c
        .optional_enum(path, template, "category", &CATEGORIES)
        .and_then(TemplateCategory::parse);
    c.optional_enum(path, template, "parameter_format", &PARAMETER_FORMATS);
    if let Some(ttl) = Checker::optional(template, "message_send_ttl_seconds") {
        ttl_range(c, &child(path, "message_send_ttl_seconds"), ttl, category);
    }
    if let Some(components) = Checker::optional(template, "components") {
        let components_path = child(path, "components");
        if let Some(list) = c.array(components_path, components) {
            let format = parameter_format(template);
            template_components(
                c,
                &components_path,
                list,
                category,
                format,
                Examples::Optional,
            );
        }
    }
    if let Some(spec) = Checker::optional(template, "degrees_of_freedom_spec") {
        template_dof_read_back(c, &child(path, "degrees_of_freedom_spec"), spec);
    }
    if let Some(spec) = Checker::optional(template, "optimization_spec") {
        max_price(c, &child(path, "optimization_spec"), spec);
    }
}

/// Fields shared by create and edit: parameter format, TTL, creative features, flags.
fn definition(c: &mut Checker, root: &Map<String, Value>, category: Option<TemplateCategory>) {
    c.optional_enum("", root, "parameter_format", &PARAMETER_FORMATS);
    if let Some(ttl) = Checker::optional(root, "message_send_ttl_seconds") {
        ttl_range(c, &Path::Text("message_send_ttl_seconds"), ttl, category);
    }
    if let Some(spec) = Checker::optional(root, "degrees_of_freedom_spec") {
        dof_request(c, &Path::Text("degrees_of_freedom_spec"), spec);
    }
    c.optional_bool("", root, "cta_url_link_tracking_opted_out");
    c.optional_bool("", root, "allow_category_change");
    for key in ["optimization_spec", "bid_spec"] {
        if let Some(spec) = Checker::optional(root, key) {
            max_price(c, &Path::Text(key), spec);
        }
    }
}

/// A max price: a positive integer `bid_amount` and a `bid_strategy`.
fn max_price(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(spec) = c.object(path, value) else {
        return;
    };
    if let Some(amount) = c.required(path, spec, "bid_amount", "a positive integer")
        && c.integer(child(path, "bid_amount"), amount)
            .is_some_and(|n| n <= 0)
    {
        c.push(
            child(path, "bid_amount"),
            "positive",
            "a positive integer (the price per 1,000 deliveries)",
            describe(Some(amount)),
        );
    }
    c.required_str(path, spec, "bid_strategy");
}

/// The declared parameter format; unknown spellings were reported by the caller.
fn parameter_format(root: &Map<String, Value>) -> ParameterFormat {
    match Checker::optional(root, "parameter_format").and_then(Value::as_str) {
        Some("NAMED") => ParameterFormat::Named,
        _ => ParameterFormat::Positional,
    }
}

/// Template names: lowercase letters, digits and underscores, up to 512 characters.
fn template_name(c: &mut Checker, path: &Path<'_>, name: &str) {
    if !is_template_name(name) {
        c.push(
            path,
            "template_name",
            "1 to 512 lowercase letters, digits or underscores",
            describe(Some(&Value::from(name))),
        );
    }
}

/// `message_send_ttl_seconds` within the category's range (facts §2.5).
fn ttl_range(c: &mut Checker, path: &Path<'_>, value: &Value, category: Option<TemplateCategory>) {
    let Some(ttl) = c.integer(path, value) else {
        return;
    };
    let (ok, expected) = match category {
        Some(category) => {
            let range = category.ttl_range();
            let unlimited = category.accepts_unlimited_ttl();
            let ok =
                u32::try_from(ttl).is_ok_and(|t| range.contains(&t)) || (unlimited && ttl == -1);
            let or_unlimited = if unlimited {
                " (or -1 for 30 days)"
            } else {
                ""
            };
            let expected = format!(
                "{} to {} seconds for a {} template{or_unlimited}",
                range.start(),
                range.end(),
                category.as_str()
            );
            (ok, expected)
        }
        // Without a category only the widest range can be checked.
        None => (
            ttl == -1 || (30..=2_592_000).contains(&ttl),
            "30 to 2592000 seconds, or -1".to_owned(),
        ),
    };
    if !ok {
        c.push(path, "ttl_range", expected, describe(Some(value)));
    }
}

/// The components of a template definition.
fn template_components(
    c: &mut Checker,
    path: &Path<'_>,
    list: &[Value],
    category: Option<TemplateCategory>,
    format: ParameterFormat,
    examples: Examples,
) {
    let mut counts = [0usize; 4];
    for (i, component) in list.iter().enumerate() {
        let component_path = item(path, i);
        let Some(component) = c.object(component_path, component) else {
            continue;
        };
        let Some(kind) = c.required_str(component_path, component, "type") else {
            continue;
        };
        let kind = TemplateComponentKind::parse(kind);
        let slot = match kind {
            TemplateComponentKind::Header => 0,
            TemplateComponentKind::Body => 1,
            TemplateComponentKind::Footer => 2,
            TemplateComponentKind::Buttons => 3,
            TemplateComponentKind::Carousel | TemplateComponentKind::LimitedTimeOffer => continue,
            TemplateComponentKind::Other => {
                c.push(
                    child(&component_path, "type"),
                    "enum",
                    format!("{} (any case)", one_of_text(&TemplateComponentKind::KNOWN)),
                    describe(component.get("type")),
                );
                continue;
            }
        };
        counts[slot] += 1;
        let text = TextRules {
            format,
            examples,
            path: &component_path,
            component,
        };
        match kind {
            TemplateComponentKind::Header => header(c, &text),
            TemplateComponentKind::Body => {
                // Authentication bodies are written by Meta; the text may be left out.
                let required = category != Some(TemplateCategory::Authentication);
                text.check(
                    c,
                    required,
                    1024,
                    Some(("body_text", "body_text_named_params")),
                );
            }
            TemplateComponentKind::Footer => {
                if let Some(footer) = text.check(c, true, 60, None)
                    && !placeholders(footer).is_empty()
                {
                    c.push(
                        child(&component_path, "text"),
                        "placeholder_not_allowed",
                        "footer text without placeholders",
                        describe(Some(&Value::from(footer))),
                    );
                }
            }
            _ => buttons(c, &component_path, component, examples),
        }
    }
    for (slot, name) in ["HEADER", "BODY", "FOOTER", "BUTTONS"]
        .into_iter()
        .enumerate()
    {
        let count = counts[slot];
        let too_few = name == "BODY" && count == 0;
        if too_few || count > 1 {
            let expected = if name == "BODY" {
                "exactly one BODY component".to_owned()
            } else {
                format!("at most one {name} component")
            };
            c.push(path, "component_count", expected, format!("{count}"));
        }
    }
}

/// What a text-bearing component is checked against.
struct TextRules<'a> {
    format: ParameterFormat,
    examples: Examples,
    path: &'a Path<'a>,
    component: &'a Map<String, Value>,
}

impl TextRules<'_> {
    /// The component's `text`: presence, length, and its placeholders against `example`
    /// (`example_keys` = positional key, named key; `None` where placeholders have no examples).
    fn check<'a>(
        &'a self,
        c: &mut Checker,
        required: bool,
        max: usize,
        example_keys: Option<(&str, &str)>,
    ) -> Option<&'a str> {
        let text = if required {
            c.required_str(self.path, self.component, "text")
        } else {
            c.optional_str(self.path, self.component, "text")
        }?;
        let text_path = child(self.path, "text");
        c.max_length(text_path, text, max);
        if let Some(keys) = example_keys {
            self.placeholders(c, &text_path, text, keys);
        }
        Some(text)
    }

    /// Placeholders: style matches `parameter_format`, `{{n}}` sequential, examples given.
    fn placeholders(
        &self,
        c: &mut Checker,
        text_path: &Path<'_>,
        text: &str,
        (positional_key, named_key): (&str, &str),
    ) {
        let found = placeholders(text);
        if found.is_empty() {
            return;
        }
        let mut numbers = Vec::new();
        let mut names = Vec::new();
        for placeholder in &found {
            match placeholder {
                Placeholder::Positional(n) => numbers.push(*n),
                Placeholder::Named(name) => names.push(name.as_str()),
            }
        }
        let (wrong, expected) = match self.format {
            ParameterFormat::Positional => (
                names.first().copied().map(str::to_owned),
                "positional placeholders {{1}}, {{2}}, … (parameter_format POSITIONAL)",
            ),
            ParameterFormat::Named => (
                numbers.first().map(u32::to_string),
                "named placeholders such as {{first_name}} (parameter_format NAMED)",
            ),
        };
        if let Some(wrong) = wrong {
            c.push(
                text_path,
                "parameter_format",
                expected,
                format!("{{{{{wrong}}}}}"),
            );
            return;
        }
        let example_path = child(self.path, "example");
        let example = Checker::optional(self.component, "example").and_then(Value::as_object);
        match self.format {
            ParameterFormat::Positional => {
                numbers.sort_unstable();
                numbers.dedup();
                let sequential = numbers.iter().zip(1..).all(|(&n, want)| n == want);
                if !sequential {
                    let seen: Vec<String> =
                        numbers.iter().map(|n| format!("{{{{{n}}}}}")).collect();
                    c.push(
                        text_path,
                        "placeholder_sequence",
                        format!(
                            "placeholders numbered {{{{1}}}} to {{{{{}}}}} without gaps",
                            numbers.len()
                        ),
                        seen.join(", "),
                    );
                    return;
                }
                if self.examples == Examples::Required {
                    positional_examples(
                        c,
                        &child(&example_path, positional_key),
                        example.and_then(|e| Checker::optional(e, positional_key)),
                        numbers.len(),
                    );
                }
            }
            ParameterFormat::Named => {
                for name in &names {
                    parameter_name(c, text_path, name);
                }
                if self.examples == Examples::Required {
                    let given = example
                        .and_then(|e| Checker::optional(e, named_key))
                        .and_then(Value::as_array);
                    let given_names: Vec<&str> = given
                        .into_iter()
                        .flatten()
                        .filter_map(|entry| entry.get("param_name").and_then(Value::as_str))
                        .collect();
                    for name in names.iter().filter(|name| !given_names.contains(name)) {
                        c.push(
                            child(&example_path, named_key),
                            "named_param_example",
                            format!("an example for {{{{{name}}}}}"),
                            "none",
                        );
                    }
                }
            }
        }
    }
}

/// `header_text: ["a"]` or `body_text: [["a","b"]]` with one value per placeholder.
fn positional_examples(c: &mut Checker, path: &Path<'_>, example: Option<&Value>, count: usize) {
    let values = match example {
        // `body_text` nests the values one level deeper than `header_text`.
        Some(Value::Array(outer)) => match outer.first() {
            Some(Value::Array(inner)) => Some(inner.len()),
            Some(_) => Some(outer.len()),
            None => Some(0),
        },
        _ => None,
    };
    if values != Some(count) {
        let found = values.map_or_else(|| describe(example), |n| format!("{n} example values"));
        c.push(
            path,
            "placeholder_example",
            format!("{count} example values, one per placeholder"),
            found,
        );
    }
}

/// A `HEADER` component.
fn header(c: &mut Checker, text: &TextRules<'_>) {
    let Some(format) = c.required_enum(text.path, text.component, "format", &HEADER_FORMATS) else {
        return;
    };
    if format == "TEXT" {
        text.check(
            c,
            true,
            60,
            Some(("header_text", "header_text_named_params")),
        );
    }
}

/// A `BUTTONS` component.
fn buttons(c: &mut Checker, path: &Path<'_>, component: &Map<String, Value>, examples: Examples) {
    let Some(list) = c.required(path, component, "buttons", "an array of 1 to 10 buttons") else {
        return;
    };
    let list_path = child(path, "buttons");
    let Some(list) = c.array(list_path, list) else {
        return;
    };
    if !c.non_empty(list_path, list) {
        return;
    }
    if list.len() > 10 {
        c.push(
            list_path,
            "max_items",
            "at most 10 buttons",
            format!("{} buttons", list.len()),
        );
    }
    for (i, button) in list.iter().enumerate() {
        let button_path = item(&list_path, i);
        let Some(button) = c.object(button_path, button) else {
            continue;
        };
        let Some(kind) = c.required_enum(button_path, button, "type", &BUTTON_TYPES) else {
            continue;
        };
        if matches!(kind, "QUICK_REPLY" | "URL" | "PHONE_NUMBER")
            && let Some(label) = c.required_str(button_path, button, "text")
        {
            c.max_length(child(&button_path, "text"), label, 25);
        }
        if kind == "URL"
            && let Some(url) = c.required_str(button_path, button, "url")
        {
            let count = placeholders(url).len();
            if count > 0 && examples == Examples::Required {
                positional_examples(
                    c,
                    &child(&button_path, "example"),
                    Checker::optional(button, "example"),
                    count,
                );
            }
        }
        if kind == "PHONE_NUMBER"
            && let Some(number) = c.required_str(button_path, button, "phone_number")
        {
            phone_number(c, child(&button_path, "phone_number"), number);
        }
    }
}

/// `degrees_of_freedom_spec` in its request shape (template create/edit, WABA update).
pub(super) fn dof_request(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(spec) = c.object(path, value) else {
        return;
    };
    let Some(features) = c.required(
        path,
        spec,
        "creative_features_spec",
        "an object keyed by creative feature",
    ) else {
        return;
    };
    let features_path = child(path, "creative_features_spec");
    let Some(features) = c.object(features_path, features) else {
        return;
    };
    for (key, setting) in features {
        let key_path = child(&features_path, key);
        feature_key(c, &key_path, key, CreativeFeatureKey::parse(key).is_some());
        let Some(setting) = c.object(key_path, setting) else {
            continue;
        };
        match Checker::optional(setting, "enroll_status") {
            Some(Value::String(status)) if ENROLL_STATUSES.contains(&status.as_str()) => {}
            other => c.push(
                child(&key_path, "enroll_status"),
                "creative_feature_value",
                one_of_text(&ENROLL_STATUSES),
                describe(other),
            ),
        }
    }
}

/// The template read-back of `degrees_of_freedom_spec`: a list of `{key, value}`.
fn template_dof_read_back(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(spec) = c.object(path, value) else {
        return;
    };
    let Some(features) = c.required(
        path,
        spec,
        "creative_features_spec",
        "an array of {key, value}",
    ) else {
        return;
    };
    let features_path = child(path, "creative_features_spec");
    let Some(features) = c.array(features_path, features) else {
        return;
    };
    for (i, feature) in features.iter().enumerate() {
        let feature_path = item(&features_path, i);
        let Some(feature) = c.object(feature_path, feature) else {
            continue;
        };
        if let Some(key) = c.required_str(feature_path, feature, "key") {
            feature_key(
                c,
                &child(&feature_path, "key"),
                key,
                CreativeFeatureKey::parse_upper(key).is_some(),
            );
        }
        let status = Checker::optional(feature, "value")
            .and_then(|v| Checker::optional(v.as_object()?, "enroll_status"));
        if !status
            .and_then(Value::as_str)
            .is_some_and(|s| ENROLL_STATUSES.contains(&s))
        {
            c.push(
                child(&feature_path, "value.enroll_status"),
                "creative_feature_value",
                one_of_text(&ENROLL_STATUSES),
                describe(status),
            );
        }
    }
}

/// The WABA read-back of `degrees_of_freedom_spec`: `data[].creative_features_spec[]` maps.
pub(super) fn waba_dof_read_back(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(spec) = c.object(path, value) else {
        return;
    };
    let Some(data) = c.required(path, spec, "data", "an array") else {
        return;
    };
    let data_path = child(path, "data");
    let Some(data) = c.array(data_path, data) else {
        return;
    };
    for (i, entry) in data.iter().enumerate() {
        let entry_path = item(&data_path, i);
        let Some(entry) = c.object(entry_path, entry) else {
            continue;
        };
        let Some(maps) = c.required(entry_path, entry, "creative_features_spec", "an array") else {
            continue;
        };
        let maps_path = child(&entry_path, "creative_features_spec");
        let Some(maps) = c.array(maps_path, maps) else {
            continue;
        };
        for (j, map) in maps.iter().enumerate() {
            let map_path = item(&maps_path, j);
            let Some(map) = c.object(map_path, map) else {
                continue;
            };
            for (key, status) in map {
                let key_path = child(&map_path, key);
                feature_key(c, &key_path, key, CreativeFeatureKey::parse(key).is_some());
                if !status
                    .as_str()
                    .is_some_and(|s| ENROLL_STATUSES.contains(&s))
                {
                    c.push(
                        key_path,
                        "creative_feature_value",
                        one_of_text(&ENROLL_STATUSES),
                        describe(Some(status)),
                    );
                }
            }
        }
    }
}

/// A `creative_feature_key` violation unless `known`.
fn feature_key(c: &mut Checker, path: &Path<'_>, key: &str, known: bool) {
    if !known {
        let names: Vec<&str> = CreativeFeatureKey::ALL.iter().map(|k| k.as_str()).collect();
        c.push(
            path,
            "creative_feature_key",
            one_of_text(&names),
            describe(Some(&Value::from(key))),
        );
    }
}

/// `GET /{waba_id}/message_templates`.
pub(super) fn template_list(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(data) = c.required("", root, "data", "an array of templates")
        && let Some(data) = c.array("data", data)
    {
        for (i, template) in data.iter().enumerate() {
            template_object(c, &item(&Path::Text("data"), i), template);
        }
    }
    if let Some(paging) = Checker::optional(root, "paging")
        && let Some(paging) = c.object("paging", paging)
        && let Some(cursors) = Checker::optional(paging, "cursors")
        && let Some(cursors) = c.object("paging.cursors", cursors)
    {
        c.required_str("paging.cursors", cursors, "before");
        c.required_str("paging.cursors", cursors, "after");
    }
    c.parses_as::<TemplateList>(value);
}

/// Response of template create.
pub(super) fn create_response(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(id) = c.required_str("", root, "id") {
        graph_id(c, "id", id);
    }
    c.required_enum("", root, "status", &TemplateStatus::ALL);
    c.required_enum("", root, "category", &CATEGORIES);
    c.parses_as::<TemplateCreateResponse>(value);
}
