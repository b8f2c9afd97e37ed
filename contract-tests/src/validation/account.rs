//! Rules for the WABA and business nodes, `subscribed_apps`, and Graph's generic answers
//! (`{"success":true}` and the error envelope).

use serde_json::Value;

use super::check::{Checker, Path, child, describe, item};
use super::shapes::graph_id;
use super::template::{dof_request, waba_dof_read_back};
use crate::payload::error::GraphErrorBody;
use crate::payload::waba::{
    BusinessNode, OnboardingStatus, SubscribedAppsList, SubscribedAppsRequest, SuccessResponse,
    WabaNode, WabaUpdateRequest,
};

const LITE_API_STATUSES: [&str; 4] = ["INELIGIBLE", "ELIGIBLE", "ONBOARDED", "UNKNOWN"];
const BUSINESS_STATUSES: [&str; 3] = ["TERM_OF_SERVICE_SIGNED", "REQUEST_SENT", "NOT_STARTED"];

/// `GET /{waba_id}`.
pub(super) fn waba_node(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(id) = c.required_str("", root, "id") {
        graph_id(c, "id", id);
    }
    c.optional_enum(
        "",
        root,
        "marketing_messages_onboarding_status",
        &OnboardingStatus::ALL,
    );
    c.optional_enum(
        "",
        root,
        "marketing_messages_lite_api_status",
        &LITE_API_STATUSES,
    );
    c.optional_bool("", root, "disable_marketing_messages_on_cloud_api");
    if let Some(spec) = Checker::optional(root, "degrees_of_freedom_spec") {
        waba_dof_read_back(c, &Path::Text("degrees_of_freedom_spec"), spec);
    }
    if let Some(owner) = Checker::optional(root, "owner_business_info") {
        business(c, &Path::Text("owner_business_info"), owner);
    }
    if let Some(funding) = c.optional_str("", root, "primary_funding_id") {
        graph_id(c, "primary_funding_id", funding);
    }
    c.parses_as::<WabaNode>(value);
}

/// `POST /{waba_id}`.
pub(super) fn waba_update_request(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    const SETTABLE: [&str; 5] = [
        "disable_marketing_messages_on_cloud_api",
        "degrees_of_freedom_spec",
        "name",
        "timezone_id",
        "is_enabled_for_insights",
    ];
    if !SETTABLE
        .iter()
        .any(|key| Checker::optional(root, key).is_some())
    {
        c.push(
            "",
            "non_empty",
            format!("at least one of {}", SETTABLE.join(", ")),
            "none of them",
        );
    }
    c.optional_bool("", root, "disable_marketing_messages_on_cloud_api");
    if let Some(spec) = Checker::optional(root, "degrees_of_freedom_spec") {
        dof_request(c, &Path::Text("degrees_of_freedom_spec"), spec);
    }
    c.optional_str("", root, "name");
    c.optional_str("", root, "timezone_id");
    c.optional_bool("", root, "is_enabled_for_insights");
    c.parses_as::<WabaUpdateRequest>(value);
}

/// `GET /{business_id}`.
pub(super) fn business_node(c: &mut Checker, value: &Value) {
    business(c, &Path::Text(""), value);
    c.parses_as::<BusinessNode>(value);
}

/// A business node at `path`.
fn business(c: &mut Checker, path: &Path<'_>, value: &Value) {
    let Some(node) = c.object(path, value) else {
        return;
    };
    if let Some(id) = c.required_str(path, node, "id") {
        graph_id(c, child(path, "id"), id);
    }
    let status_path = child(path, "marketing_messages_onboarding_status");
    if let Some(status) = Checker::optional(node, "marketing_messages_onboarding_status")
        && let Some(status) = c.object(status_path, status)
    {
        c.required_enum(status_path, status, "status", &BUSINESS_STATUSES);
        if let Some(time) = c.optional_str(status_path, status, "time") {
            let ok = time.len() == 10
                && time.bytes().enumerate().all(|(i, b)| {
                    if i == 4 || i == 7 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !ok {
                c.push(
                    child(&status_path, "time"),
                    "date",
                    "a date such as \"2025-10-07\"",
                    describe(Some(&Value::from(time))),
                );
            }
        }
    }
}

/// `POST /{waba_id}/subscribed_apps`.
pub(super) fn subscribed_apps_request(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    let verify_token = c.optional_str("", root, "verify_token");
    if let Some(uri) = c.optional_str("", root, "override_callback_uri") {
        // Meta only calls HTTPS endpoints.
        if !uri.starts_with("https://") || uri.len() <= "https://".len() {
            c.push(
                "override_callback_uri",
                "https_url",
                "an https:// URL",
                describe(Some(&Value::from(uri))),
            );
        }
        if verify_token.is_none() {
            c.push(
                "verify_token",
                "required",
                "a verify token, since override_callback_uri is set",
                "nothing",
            );
        }
    }
    c.parses_as::<SubscribedAppsRequest>(value);
}

/// `GET /{waba_id}/subscribed_apps`.
pub(super) fn subscribed_apps_list(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(data) = c.required("", root, "data", "an array of apps")
        && let Some(data) = c.array("data", data)
    {
        for (i, app) in data.iter().enumerate() {
            let path = item(&Path::Text("data"), i);
            let Some(app) = c.object(path, app) else {
                continue;
            };
            let data_path = child(&path, "whatsapp_business_api_data");
            if let Some(api) = c.required(
                path,
                app,
                "whatsapp_business_api_data",
                "an object with the app id",
            ) && let Some(api) = c.object(data_path, api)
                && let Some(id) = c.required_str(data_path, api, "id")
            {
                graph_id(c, child(&data_path, "id"), id);
            }
        }
    }
    c.parses_as::<SubscribedAppsList>(value);
}

/// `{"success": true}`.
pub(super) fn success_response(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    if let Some(success) = c.required("", root, "success", "a boolean") {
        c.boolean("success", success);
    }
    c.parses_as::<SuccessResponse>(value);
}

/// Graph's error envelope.
pub(super) fn graph_error(c: &mut Checker, value: &Value) {
    let Some(root) = c.object("", value) else {
        return;
    };
    let Some(error) = c.required("", root, "error", "the error object") else {
        return;
    };
    let Some(error) = c.object("error", error) else {
        return;
    };
    c.required_str("error", error, "message");
    c.required_str("error", error, "type");
    c.required_str("error", error, "fbtrace_id");
    if let Some(code) = c.required("error", error, "code", "an integer") {
        c.integer("error.code", code);
    }
    if let Some(subcode) = Checker::optional(error, "error_subcode") {
        c.integer("error.error_subcode", subcode);
    }
    c.optional_bool("error", error, "is_transient");
    if let Some(data) = Checker::optional(error, "error_data")
        && let Some(data) = c.object("error.error_data", data)
    {
        c.required_str("error.error_data", data, "details");
    }
    c.parses_as::<GraphErrorBody>(value);
}
