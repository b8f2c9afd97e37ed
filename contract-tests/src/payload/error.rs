//! Graph's error envelope: `{"error":{"message","type","code",...}}`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The body of every Graph error response.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GraphErrorBody {
    /// The error itself.
    pub error: GraphErrorObject,
}

/// The object inside Graph's error envelope (`components.schemas.GraphAPIError` in Meta's spec).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct GraphErrorObject {
    /// Human-readable message, usually `(#code) Title`.
    pub message: String,
    /// Exception class, e.g. `OAuthException` or `GraphMethodException`.
    #[serde(rename = "type")]
    pub error_type: String,
    /// The numeric error code.
    pub code: u32,
    /// Optional sub-code (deprecated for WhatsApp codes, still used by Graph).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_subcode: Option<u32>,
    /// Whether retrying may succeed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_transient: Option<bool>,
    /// Title meant for end users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_title: Option<String>,
    /// Message meant for end users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_user_msg: Option<String>,
    /// WhatsApp's extra data; `details` says what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_data: Option<ErrorData>,
    /// Opaque trace id for support requests.
    pub fbtrace_id: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `error_data` on WhatsApp errors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ErrorData {
    /// Always `whatsapp` on WhatsApp errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_product: Option<String>,
    /// The descriptive text clients should rely on.
    pub details: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
