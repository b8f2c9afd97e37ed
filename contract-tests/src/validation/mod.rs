//! Validators: [`validate`] checks a JSON value against the contract for one [`PayloadKind`]
//! and returns every [`Violation`] it finds, each with its JSON path, the rule it breaks, what
//! was expected and what was found.
//!
//! Each kind's rules live beside its payload family (`send`, `template`, …) and walk the raw
//! JSON with a [`check::Checker`], so that one bad field does not hide the next. The rules
//! cover what serde cannot express (cross-field rules, shapes, ranges); as a safety net every
//! value that breaks no rule must also parse into the typed model, or the report says why not.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::payload::send::{SendMessageRequest, StatusUpdateRequest};

mod account;
mod check;
mod media;
mod send;
mod shapes;
mod template;
mod webhook;

pub use send::Endpoint as SendEndpoint;
use webhook::Expect;

/// Declares every payload kind once: each entry gives the [`PayloadKind`] variant with its doc,
/// its snake_case name (serde's, the CLI's `--kind` and the fixture folder's) and the rules
/// [`validate`] checks it with, from which the enum, [`PayloadKind::ALL`],
/// [`PayloadKind::as_str`] and the dispatch of [`validate`] are generated.
macro_rules! payload_kinds {
    ($($(#[$doc:meta])* $variant:ident = $name:literal => $rules:expr,)*) => {
        /// Every payload the contract knows, named as the CLI's `--kind` takes them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum PayloadKind {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl PayloadKind {
            /// Every kind, in declaration order.
            pub const ALL: [PayloadKind; [$(PayloadKind::$variant),*].len()] =
                [$(PayloadKind::$variant),*];

            /// The snake_case name (also the fixture folder name).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// Runs this kind's rules on `value`.
            fn check(self, c: &mut check::Checker, value: &Value) {
                match self {
                    $(Self::$variant => {
                        $rules(c, value);
                    })*
                }
            }
        }
    };
}

payload_kinds! {
    /// `POST /{phone_number_id}/marketing_messages` body.
    MarketingMessageRequest = "marketing_message_request" => |c, v| {
        send::send_request(c, v, SendEndpoint::MarketingMessages);
    },
    /// `POST /{phone_number_id}/messages` body.
    MessageRequest = "message_request" => |c, v| {
        send::send_request(c, v, SendEndpoint::Messages);
    },
    /// Success response of either send endpoint.
    SendResponse = "send_response" => send::send_response,
    /// `POST /{waba_id}/message_templates` body.
    TemplateCreateRequest = "template_create_request" => template::create_request,
    /// Response of template create.
    TemplateCreateResponse = "template_create_response" => template::create_response,
    /// `POST /{template_id}` body.
    TemplateEditRequest = "template_edit_request" => template::edit_request,
    /// `GET /{template_id}` response.
    TemplateObject = "template_object" => template::template_read,
    /// `GET /{waba_id}/message_templates` response.
    TemplateList = "template_list" => template::template_list,
    /// `GET /{waba_id}` response.
    WabaNode = "waba_node" => account::waba_node,
    /// `POST /{waba_id}` body.
    WabaUpdateRequest = "waba_update_request" => account::waba_update_request,
    /// `GET /{business_id}` response.
    BusinessNode = "business_node" => account::business_node,
    /// `POST /{waba_id}/subscribed_apps` body.
    SubscribedAppsRequest = "subscribed_apps_request" => account::subscribed_apps_request,
    /// `GET /{waba_id}/subscribed_apps` response.
    SubscribedAppsList = "subscribed_apps_list" => account::subscribed_apps_list,
    /// `{"success": true}` answers (template edit/delete, subscriptions, WABA update).
    SuccessResponse = "success_response" => account::success_response,
    /// `GET /{media_id}` response.
    MediaNode = "media_node" => media::media_node,
    /// `POST /{app_id}/uploads` response: a Resumable Upload API session.
    UploadSession = "upload_session" => media::upload_session,
    /// `GET /upload:{session}` response: the offset to resume from.
    UploadSessionState = "upload_session_state" => media::upload_session_state,
    /// `POST /upload:{session}` response once the file is complete: its handle.
    UploadHandle = "upload_handle" => media::upload_handle,
    /// `messages` webhook carrying `statuses`.
    StatusWebhook = "status_webhook" => |c, v| webhook::webhook(c, v, Expect::Statuses),
    /// `messages` webhook carrying inbound `messages`.
    InboundMessageWebhook = "inbound_message_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::Inbound);
    },
    /// `message_template_status_update` webhook.
    TemplateStatusWebhook = "template_status_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::TemplateStatus);
    },
    /// `account_update` webhook.
    AccountUpdateWebhook = "account_update_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::AccountUpdate);
    },
    /// `user_preferences` webhook (a user stopped or resumed marketing).
    UserPreferencesWebhook = "user_preferences_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::UserPreferences);
    },
    /// `user_id_update` webhook (a user's BSUID changed).
    UserIdUpdateWebhook = "user_id_update_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::UserIdUpdate);
    },
    /// `message_template_quality_update` webhook.
    TemplateQualityWebhook = "template_quality_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::TemplateQuality);
    },
    /// `template_category_update` webhook.
    TemplateCategoryWebhook = "template_category_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::TemplateCategory);
    },
    /// `messages` webhook carrying `user_actions` (MM API link clicks).
    UserActionsWebhook = "user_actions_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::UserActions);
    },
    /// `phone_number_quality_update` webhook (a number's messaging limit or throughput).
    PhoneQualityWebhook = "phone_quality_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::PhoneQuality);
    },
    /// `business_capability_update` webhook (the portfolio's limits).
    BusinessCapabilityWebhook = "business_capability_webhook" => |c, v| {
        webhook::webhook(c, v, Expect::BusinessCapability);
    },
    /// Graph's error envelope.
    GraphError = "graph_error" => account::graph_error,
}

impl PayloadKind {
    /// Best-effort guess of a payload's kind from its shape, for tools given a bare file.
    /// Send requests are guessed as `/messages` unless they carry MM-only fields.
    // One ordered list rather than a rule per kind: a rule holds only where the rules before
    // it failed (a WABA node is whatever has an `id` and matched nothing else), in an order
    // that is not the kinds' declaration order.
    pub fn detect(value: &Value) -> Option<PayloadKind> {
        let root = value.as_object()?;
        let has = |key: &str| root.contains_key(key);
        if has("error") {
            return Some(Self::GraphError);
        }
        // A media node carries `messaging_product` too, so it is told apart from sends first.
        if has("url") && has("sha256") {
            return Some(Self::MediaNode);
        }
        if root.get("object").and_then(Value::as_str) == Some("whatsapp_business_account") {
            let change = value.pointer("/entry/0/changes/0")?;
            return match change.get("field")?.as_str()? {
                "message_template_status_update" => Some(Self::TemplateStatusWebhook),
                "account_update" => Some(Self::AccountUpdateWebhook),
                "user_preferences" => Some(Self::UserPreferencesWebhook),
                "user_id_update" => Some(Self::UserIdUpdateWebhook),
                "message_template_quality_update" => Some(Self::TemplateQualityWebhook),
                "template_category_update" => Some(Self::TemplateCategoryWebhook),
                "phone_number_quality_update" => Some(Self::PhoneQualityWebhook),
                "business_capability_update" => Some(Self::BusinessCapabilityWebhook),
                "messages" if change.pointer("/value/statuses").is_some() => {
                    Some(Self::StatusWebhook)
                }
                "messages" if change.pointer("/value/user_actions").is_some() => {
                    Some(Self::UserActionsWebhook)
                }
                "messages" => Some(Self::InboundMessageWebhook),
                _ => None,
            };
        }
        if has("messaging_product") && has("contacts") && has("messages") {
            return Some(Self::SendResponse);
        }
        if has("messaging_product") {
            let mm = has("product_policy") || has("message_activity_sharing");
            return Some(if mm {
                Self::MarketingMessageRequest
            } else {
                Self::MessageRequest
            });
        }
        if let Some(first) = root
            .get("data")
            .and_then(Value::as_array)
            .and_then(|d| d.first())
        {
            return Some(if first.get("whatsapp_business_api_data").is_some() {
                Self::SubscribedAppsList
            } else {
                Self::TemplateList
            });
        }
        let session = root
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| id.starts_with(crate::operations::UPLOAD_SESSION_PREFIX));
        let kind = if has("h") && root.len() == 1 {
            Self::UploadHandle
        } else if session {
            if has("file_offset") {
                Self::UploadSessionState
            } else {
                Self::UploadSession
            }
        } else if has("success") {
            Self::SuccessResponse
        } else if has("override_callback_uri") || has("verify_token") {
            Self::SubscribedAppsRequest
        } else if has("name") && has("category") && has("components") && !has("id") {
            Self::TemplateCreateRequest
        } else if has("id") && has("status") && has("category") && root.len() == 3 {
            Self::TemplateCreateResponse
        } else if has("id")
            && (has("status")
                || has("components")
                || value
                    .pointer("/degrees_of_freedom_spec/creative_features_spec")
                    .is_some())
        {
            Self::TemplateObject
        } else if has("id")
            && root
                .get("marketing_messages_onboarding_status")
                .is_some_and(Value::is_object)
        {
            Self::BusinessNode
        } else if has("id") {
            Self::WabaNode
        } else if has("disable_marketing_messages_on_cloud_api")
            || has("degrees_of_freedom_spec") && !has("components")
        {
            Self::WabaUpdateRequest
        } else if has("components") || has("category") || has("message_send_ttl_seconds") {
            Self::TemplateEditRequest
        } else {
            return None;
        };
        Some(kind)
    }
}

impl fmt::Display for PayloadKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name is not a [`PayloadKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKind(pub String);

impl fmt::Display for UnknownKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = PayloadKind::ALL.iter().map(|k| k.as_str()).collect();
        write!(
            f,
            "unknown payload kind '{}'; expected one of {}",
            self.0,
            names.join(", ")
        )
    }
}

impl std::error::Error for UnknownKind {}

impl FromStr for PayloadKind {
    type Err = UnknownKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// JSON path of the offending field, e.g. `template.components[0].parameters[1].currency.code`;
    /// empty for the payload as a whole.
    pub path: String,
    /// Stable snake_case rule name, e.g. `required` or `ttl_range`.
    pub rule: String,
    /// What the rule wants.
    pub expected: String,
    /// What the payload had.
    pub found: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = if self.path.is_empty() {
            "the payload"
        } else {
            self.path.as_str()
        };
        write!(
            f,
            "Field {field} should be {}, but is {} ({}).",
            self.expected, self.found, self.rule
        )
    }
}

/// Every violation found in one payload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// In the order the rules found them (document order, mostly).
    pub violations: Vec<Violation>,
}

impl Report {
    /// Whether the payload broke no rule.
    pub fn is_ok(&self) -> bool {
        self.violations.is_empty()
    }

    /// The distinct rule names broken, in first-seen order.
    pub fn rules(&self) -> Vec<&str> {
        let mut rules: Vec<&str> = Vec::new();
        for violation in &self.violations {
            if !rules.contains(&violation.rule.as_str()) {
                rules.push(&violation.rule);
            }
        }
        rules
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, violation) in self.violations.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{violation}")?;
        }
        Ok(())
    }
}

/// Checks `value` against the contract for `kind`, returning every violation.
///
/// ```
/// use serde_json::json;
/// use wa_contract::{PayloadKind, validate};
///
/// let report = validate(
///     PayloadKind::MarketingMessageRequest,
///     &json!({"messaging_product": "whatsapp", "type": "template",
///             "template": {"name": "promo", "language": {"code": "en_US"}}}),
/// );
/// assert_eq!(report.rules(), ["to_or_recipient"]);
/// assert_eq!(report.violations[0].path, "to");
/// ```
pub fn validate(kind: PayloadKind, value: &Value) -> Report {
    let mut c = check::Checker::default();
    kind.check(&mut c, value);
    Report {
        violations: c.violations,
    }
}

/// Checks a `/messages` read receipt (`{"messaging_product","status":"read","message_id",
/// "typing_indicator"?}`) and returns it typed when it breaks no rule.
///
/// ```
/// use serde_json::json;
/// use wa_contract::validate_status_update;
///
/// let body = json!({"messaging_product": "whatsapp", "status": "read",
///                   "message_id": "wamid.HBgLMTY1MDU1NTEyMzQVAgASGAA=",
///                   "typing_indicator": {"type": "text"}});
/// assert!(validate_status_update(&body).is_ok());
/// ```
pub fn validate_status_update(value: &Value) -> Result<StatusUpdateRequest, Report> {
    let mut c = check::Checker::default();
    send::status_update(&mut c, value).ok_or(Report {
        violations: c.violations,
    })
}

/// Checks a send request as [`validate`] does for the endpoint's kind and, when it breaks no
/// rule, returns it typed: the check deserialises it anyway, so callers need not again.
///
/// ```
/// use serde_json::json;
/// use wa_contract::{SendEndpoint, validate_send};
///
/// let body = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "template",
///                   "template": {"name": "promo", "language": {"code": "en_US"}}});
/// let request = validate_send(SendEndpoint::MarketingMessages, &body).unwrap();
/// assert_eq!(request.to.as_deref(), Some("16505551234"));
/// ```
pub fn validate_send(endpoint: SendEndpoint, value: &Value) -> Result<SendMessageRequest, Report> {
    let mut c = check::Checker::default();
    send::send_request(&mut c, value, endpoint).ok_or(Report {
        violations: c.violations,
    })
}

/// [`validate_send`] on the raw bytes of a JSON body, parsing them once, straight into the
/// typed request. `Some` when the request breaks no rule; `None` when the bytes must be walked
/// as a tree by [`validate_send`] for the verdict: they are not a typed request, break a rule,
/// or use something the typed check does not vouch for. Whatever it accepts, [`validate_send`]
/// accepts as the same request.
///
/// ```
/// use wa_contract::{SendEndpoint, validate_send_json};
///
/// let body = br#"{"messaging_product": "whatsapp", "to": "16505551234", "type": "template",
///                 "template": {"name": "promo", "language": {"code": "en_US"}}}"#;
/// let request = validate_send_json(SendEndpoint::MarketingMessages, body).unwrap();
/// assert_eq!(request.to.as_deref(), Some("16505551234"));
/// let bad = br#"{"messaging_product": "whatsapp", "to": "16505551234", "type": "text"}"#;
/// assert!(validate_send_json(SendEndpoint::MarketingMessages, bad).is_none());
/// ```
pub fn validate_send_json(endpoint: SendEndpoint, bytes: &[u8]) -> Option<SendMessageRequest> {
    let request: SendMessageRequest = serde_json::from_slice(bytes).ok()?;
    send::conforms(&request, endpoint).then_some(request)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn marketing(template: Value) -> Value {
        let mut body = json!({"messaging_product": "whatsapp", "recipient_type": "individual",
               "to": "+1 650-555-1234", "type": "template"});
        body["template"] = template;
        body
    }

    #[test]
    fn a_documented_marketing_message_passes() {
        let body = marketing(
            json!({"name": "promotional_offer", "language": {"code": "en"},
            "components": [{"type": "BODY", "parameters": [
                {"type": "text", "text": "John Doe"},
                {"type": "currency", "currency":
                    {"fallback_value": "$25.00", "code": "USD", "amount_1000": 25000}}]}]}),
        );
        assert_eq!(
            validate(PayloadKind::MarketingMessageRequest, &body),
            Report::default()
        );
    }

    #[test]
    fn every_violation_is_reported_with_its_path() {
        let mut body = marketing(json!({"name": "promo", "language": {"code": "en"},
            "components": [{"type": "body", "parameters": [
                {"type": "currency", "currency": {"fallback_value": "$1", "code": "usd"}}]}]}));
        body["product_policy"] = json!("SOMETIMES");
        let report = validate(PayloadKind::MarketingMessageRequest, &body);
        let paths: Vec<(&str, &str)> = report
            .violations
            .iter()
            .map(|v| (v.path.as_str(), v.rule.as_str()))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "template.components[0].parameters[0].currency.code",
                    "currency_code"
                ),
                (
                    "template.components[0].parameters[0].currency.amount_1000",
                    "required"
                ),
                ("product_policy", "enum"),
            ]
        );
    }

    #[test]
    fn the_mm_api_refuses_other_message_types_but_messages_takes_them() {
        let text = json!({"messaging_product": "whatsapp", "to": "16505551234", "type": "text",
                          "text": {"body": "hi"}});
        assert_eq!(
            validate(PayloadKind::MarketingMessageRequest, &text).rules(),
            ["template_only"]
        );
        assert!(validate(PayloadKind::MessageRequest, &text).is_ok());
    }

    #[test]
    fn marketing_ttl_outside_its_range_is_named_in_the_message() {
        let template = json!({"name": "promo", "language": "en_US", "category": "MARKETING",
            "message_send_ttl_seconds": 600,
            "components": [{"type": "BODY", "text": "Hi"}]});
        let report = validate(PayloadKind::TemplateCreateRequest, &template);
        assert_eq!(report.rules(), ["ttl_range"]);
        assert_eq!(
            report.violations[0].to_string(),
            "Field message_send_ttl_seconds should be 43200 to 2592000 seconds for a MARKETING \
             template, but is the number 600 (ttl_range)."
        );
    }

    #[test]
    fn null_optional_fields_read_as_absent_on_the_tree_and_the_typed_path() {
        let body = json!({"messaging_product": "whatsapp", "to": "16505551234",
            "recipient": null, "type": "template", "status": null, "context": null,
            "image": null, "template": {"name": "order_update",
                "language": {"code": "en_US", "policy": null}, "components": [
                    {"type": "body", "parameters": [
                        {"type": "text", "text": "#1", "parameter_name": null}]},
                    {"type": "header", "parameters": null}]}});
        assert_eq!(
            validate(PayloadKind::MessageRequest, &body),
            Report::default()
        );
        let typed = validate_send_json(SendEndpoint::Messages, body.to_string().as_bytes())
            .expect("the typed path accepts it too");
        let template = typed.template.expect("a template");
        assert!(template.components[1].parameters.is_empty());
        assert_eq!(typed.context, None);
    }

    #[test]
    fn kinds_parse_from_their_names() {
        for kind in PayloadKind::ALL {
            assert_eq!(kind.as_str().parse::<PayloadKind>(), Ok(kind));
        }
        assert!("marketing".parse::<PayloadKind>().is_err());
    }
}
