//! The error catalogue: every Graph error the mock can answer, kept as data in
//! `fixtures/errors.json` so that users can change codes, statuses and wording without touching
//! code. [`ErrorKind`] is the typed handle the code uses; a test keeps the two in step.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::GraphVersion;
use crate::payload::error::{ErrorData, GraphErrorBody, GraphErrorObject};

/// The catalogue as shipped with this crate.
pub const BUILTIN_JSON: &str = include_str!("../data/errors.json");

/// One situation the mock can answer with an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorEntry {
    /// Stable name, matched by [`ErrorKind::key`].
    pub key: String,
    /// Graph error code.
    pub code: u32,
    /// Graph error sub-code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcode: Option<u32>,
    /// HTTP status of the response.
    pub http_status: u16,
    /// `type` of the error object.
    #[serde(rename = "type")]
    pub error_type: String,
    /// `message`, with `{placeholders}`.
    pub message: String,
    /// `error_data.details`, with `{placeholders}`; absent where Meta sends no `error_data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// `error_user_title`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_title: Option<String>,
    /// `error_user_msg`, with `{placeholders}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_message: Option<String>,
    /// First Graph version this entry applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_version: Option<GraphVersion>,
    /// Last Graph version this entry applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_version: Option<GraphVersion>,
    /// Reported in a `failed` status webhook rather than in the HTTP response.
    #[serde(default, rename = "async", skip_serializing_if = "std::ops::Not::not")]
    pub is_async: bool,
    /// Where the wording comes from.
    pub source: String,
    /// `true` where Meta documents nothing and the mock chose.
    pub invented: bool,
}

impl ErrorEntry {
    /// Whether this entry applies to requests made with `version`.
    pub fn applies_to(&self, version: GraphVersion) -> bool {
        self.min_version.is_none_or(|min| version >= min)
            && self.max_version.is_none_or(|max| version <= max)
    }

    /// The Graph envelope for this entry, with `{name}` placeholders replaced from `vars`.
    pub fn render(&self, vars: &[(&str, &str)], fbtrace_id: &str) -> GraphErrorBody {
        GraphErrorBody {
            error: GraphErrorObject {
                message: fill(&self.message, vars),
                error_type: self.error_type.clone(),
                code: self.code,
                error_subcode: self.subcode,
                is_transient: None,
                error_user_title: self.user_title.clone(),
                error_user_msg: self.user_message.as_deref().map(|m| fill(m, vars)),
                error_data: self.details.as_deref().map(|d| ErrorData {
                    messaging_product: Some("whatsapp".to_owned()),
                    details: fill(d, vars),
                    extra: Default::default(),
                }),
                fbtrace_id: fbtrace_id.to_owned(),
                extra: Default::default(),
            },
        }
    }
}

fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    #[allow(dead_code, reason = "prose for people reading the file")]
    description: String,
    errors: Vec<ErrorEntry>,
}

/// The whole catalogue, with one entry per [`ErrorKind`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalogue {
    entries: Vec<ErrorEntry>,
}

/// Why a catalogue could not be loaded.
#[derive(Debug)]
pub enum CatalogueError {
    /// The JSON did not have the catalogue's shape.
    Json(serde_json::Error),
    /// A key that no [`ErrorKind`] names.
    UnknownKey(String),
    /// An [`ErrorKind`] with no entry whose versions cover it.
    Missing(ErrorKind),
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Json(e) => write!(f, "error catalogue is not valid: {e}"),
            Self::UnknownKey(k) => write!(
                f,
                "error catalogue has an entry '{k}' that no error kind names"
            ),
            Self::Missing(k) => write!(f, "error catalogue has no entry for '{}'", k.key()),
        }
    }
}

impl std::error::Error for CatalogueError {}

impl Catalogue {
    /// The catalogue shipped in `fixtures/errors.json`.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            Catalogue::from_json(BUILTIN_JSON).expect("fixtures/errors.json is valid")
        })
    }

    /// Loads a catalogue file; every key must name an [`ErrorKind`] and every kind needs an entry.
    pub fn from_json(json: &str) -> Result<Self, CatalogueError> {
        let file: CatalogueFile = serde_json::from_str(json).map_err(CatalogueError::Json)?;
        Self::from_entries(file.errors)
    }

    /// A catalogue from entries (checked like [`Catalogue::from_json`]).
    pub fn from_entries(entries: Vec<ErrorEntry>) -> Result<Self, CatalogueError> {
        if let Some(e) = entries
            .iter()
            .find(|e| ErrorKind::from_key(&e.key).is_none())
        {
            return Err(CatalogueError::UnknownKey(e.key.clone()));
        }
        let catalogue = Self { entries };
        if let Some(kind) = ErrorKind::ALL
            .iter()
            .find(|k| !catalogue.entries.iter().any(|e| e.key == k.key()))
        {
            return Err(CatalogueError::Missing(*kind));
        }
        Ok(catalogue)
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[ErrorEntry] {
        &self.entries
    }

    /// The entry for `kind`.
    pub fn get(&self, kind: ErrorKind) -> &ErrorEntry {
        self.entries
            .iter()
            .find(|e| e.key == kind.key())
            .expect("every kind has an entry (checked on load)")
    }

    /// The entry for `kind` as a request made with `version` sees it: where the catalogue marks
    /// the entry as valid only from some version on, the kind's legacy variant answers older ones.
    pub fn for_version(&self, kind: ErrorKind, version: GraphVersion) -> &ErrorEntry {
        let entry = self.get(kind);
        if entry.applies_to(version) {
            return entry;
        }
        kind.legacy()
            .map(|legacy| self.get(legacy))
            .filter(|legacy| legacy.applies_to(version))
            .unwrap_or(entry)
    }

    /// Replaces entries with the same key by these ones (a world file's overrides).
    pub fn with_overrides(mut self, overrides: Vec<ErrorEntry>) -> Result<Self, CatalogueError> {
        for o in overrides {
            let slot = self
                .entries
                .iter_mut()
                .find(|e| e.key == o.key)
                .ok_or_else(|| CatalogueError::UnknownKey(o.key.clone()))?;
            *slot = o;
        }
        Ok(self)
    }
}

macro_rules! error_kinds {
    ($($(#[$doc:meta])* $variant:ident = $key:literal $(=> legacy $legacy:ident)?,)*) => {
        /// A situation in the error catalogue; see `fixtures/errors.json` for what each answers.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorKind {
            /// Every kind.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$variant,)*];

            /// The catalogue key.
            pub const fn key(self) -> &'static str {
                match self { $(ErrorKind::$variant => $key,)* }
            }

            /// The kind whose catalogue key is `key`.
            pub fn from_key(key: &str) -> Option<Self> {
                match key { $($key => Some(ErrorKind::$variant),)* _ => None }
            }

            /// The variant that answers Graph versions before this kind existed.
            pub const fn legacy(self) -> Option<ErrorKind> {
                match self {
                    $($(ErrorKind::$variant => Some(ErrorKind::$legacy),)?)*
                    #[allow(unreachable_patterns, reason = "only some kinds have a legacy variant")]
                    _ => None,
                }
            }
        }

        /// Written as its catalogue key, so stored state names it as `fixtures/errors.json` does.
        impl serde::Serialize for ErrorKind {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.key())
            }
        }

        /// One of the catalogue's keys.
        #[cfg(feature = "openapi")]
        impl schemars::JsonSchema for ErrorKind {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "ErrorKind".into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let keys: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.key()).collect();
                schemars::json_schema!({ "type": "string", "enum": keys })
            }
        }

        impl<'de> serde::Deserialize<'de> for ErrorKind {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let key = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                ErrorKind::from_key(&key).ok_or_else(|| {
                    serde::de::Error::custom(format_args!("unknown error kind '{key}'"))
                })
            }
        }
    };
}

error_kinds! {
    /// 104: no access token.
    AccessTokenMissing = "access_token_missing",
    /// 190: the token is not known.
    AccessTokenInvalid = "access_token_invalid",
    /// 100/33: no object with this id.
    UnknownObject = "unknown_object",
    /// 2500: the path has components Graph does not know.
    UnknownPath = "unknown_path",
    /// 100/33: the object exists but does not support this method.
    UnsupportedMethod = "unsupported_method",
    /// 100: a parameter is missing or malformed.
    InvalidParameter = "invalid_parameter",
    /// 100: neither `to` nor `recipient`.
    ToRequired = "to_required",
    /// 100: `/marketing_messages` with a non-template message.
    NotATemplateMessage = "not_a_template_message",
    /// 132001: no template with this name and language, or not approved.
    TemplateNotFound = "template_not_found",
    /// 132015: the template is paused.
    TemplatePaused = "template_paused",
    /// 132016: the template is disabled.
    TemplateDisabled = "template_disabled",
    /// 132000: parameter count differs from the template's placeholders.
    TemplateParamCountMismatch = "template_param_count_mismatch",
    /// 134100 (v23.0+): non-marketing template on `/marketing_messages`.
    MarketingOnly = "marketing_only" => legacy MarketingOnlyLegacy,
    /// 131055 (before v23.0): non-marketing template on `/marketing_messages`.
    MarketingOnlyLegacy = "marketing_only_legacy",
    /// 134101 (v23.0+): the template's ad sync is incomplete.
    TemplateSyncing = "template_syncing" => legacy TemplateSyncingLegacy,
    /// 131009 (before v23.0): the template's ad sync is incomplete.
    TemplateSyncingLegacy = "template_syncing_legacy",
    /// 134102: STRICT and the WABA is not onboarded.
    NotOnboardedStrict = "not_onboarded_strict",
    /// 134102 (invented details): STRICT and the business is an MSC business.
    MscStrict = "msc_strict",
    /// 131063: marketing templates are disabled on Cloud API.
    MarketingDisabledOnCloudApi = "marketing_disabled_on_cloud_api",
    /// 131062: a BSUID recipient for a template that does not allow one.
    BsuidNotSupported = "bsuid_not_supported",
    /// 131062 (invented details): an authentication template to a BSUID recipient.
    BsuidAuthenticationTemplate = "bsuid_authentication_template",
    /// 1752041: the business was already invited to onboard.
    IntentDuplicate = "intent_duplicate",
    /// 100: the template name breaks Meta's format.
    TemplateNameInvalid = "template_name_invalid",
    /// 100/2388024: a template with this name and language exists.
    TemplateDuplicate = "template_duplicate",
    /// 100/2388043: placeholders without examples.
    TemplateExampleMissing = "template_example_missing",
    /// 2388019: 250 templates per WABA.
    TemplateLimitExceeded = "template_limit_exceeded",
    /// 80008 (invented for templates): over 100 template creations in an hour.
    TemplateCreationRateLimit = "template_creation_rate_limit",
    /// 131042: the WABA has no payment method, so it cannot send paid messages.
    PaymentMethodMissing = "payment_method_missing",
    /// 135000 (invented): a business portfolio under review after portfolio pacing dropped
    /// its messages.
    PortfolioUnderReview = "portfolio_under_review",
    /// 100 (invented details): an APPROVED template edited too often.
    TemplateEditLimit = "template_edit_limit",
    /// 130429: the phone number's throughput was exceeded.
    ThroughputLimit = "throughput_limit",
    /// 131056: too many messages to one recipient.
    PairRateLimit = "pair_rate_limit",
    /// 131000: unknown error.
    SomethingWentWrong = "something_went_wrong",
    /// 131016: service unavailable.
    ServiceUnavailable = "service_unavailable",
    /// 131026 (async): the recipient cannot receive the message.
    MessageUndeliverable = "message_undeliverable",
    /// 131049 (async): per-user marketing limit.
    EcosystemEngagement = "ecosystem_engagement",
    /// 131050 (async): the user stopped marketing messages.
    UserStoppedMarketing = "user_stopped_marketing",
    /// 131047 (async): a free-form message outside the 24-hour customer-service window.
    ReEngagement = "re_engagement",
    /// 131048: the phone number's messages were restricted as spam.
    SpamRateLimit = "spam_rate_limit",
    /// 130472: the user's number is part of an experiment.
    UserInExperiment = "user_in_experiment",
    /// 134103 (invented texts): an MM API error Meta names without explaining.
    MarketingMessageNotSent = "marketing_message_not_sent",
    /// 131026 (async, invented details): the TTL ran out before delivery.
    TtlExpired = "ttl_expired",
    /// 2200 (invented for WABAs): `override_callback_uri` failed the `hub.challenge` handshake.
    CallbackVerificationFailed = "callback_verification_failed",
    /// 100 (invented, HTTP 413): the request body is over the size limit.
    RequestTooLarge = "request_too_large",
    /// 100 (invented): the request could not be read (bad chunking, bad percent-encoding).
    RequestUnreadable = "request_unreadable",
    /// 100: a media upload's file is of a type WhatsApp does not take.
    MediaTypeUnsupported = "media_type_unsupported",
    /// 131053 (invented details): a media file over its kind's size limit.
    MediaTooLarge = "media_too_large",
    /// 131053 (invented details): a send names a media id the sandbox does not hold.
    MediaNotFound = "media_not_found",
    /// 100 (invented): a Resumable Upload API chunk sent from another offset than the
    /// session's.
    UploadOffsetMismatch = "upload_offset_mismatch",
    /// 131053 (invented details): a template's `example.header_handle` that no upload session
    /// of the sandbox issued, or of a file of another kind.
    UploadHandleUnknown = "upload_handle_unknown",
    /// 100 (invented, HTTP 404): a media download URL past its few minutes.
    MediaUrlExpired = "media_url_expired",
    /// 100 (invented, HTTP 416): a `Range` past the end of a media file.
    RangeNotSatisfiable = "range_not_satisfiable",
    /// 10 (invented, HTTP 403): the admin API refused a cross-site or non-loopback request.
    AdminForbidden = "admin_forbidden",
    /// 100 (invented, HTTP 408): the request body did not arrive within the body timeout.
    RequestTimeout = "request_timeout",
    /// 10 (invented, HTTP 403): a browser's cross-site request to the Graph API.
    CrossSiteForbidden = "cross_site_forbidden",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_has_exactly_one_entry_per_kind() {
        let catalogue = Catalogue::from_json(BUILTIN_JSON).unwrap();
        for kind in ErrorKind::ALL {
            let n = catalogue
                .entries()
                .iter()
                .filter(|e| e.key == kind.key())
                .count();
            assert_eq!(n, 1, "{}", kind.key());
        }
        assert_eq!(catalogue.entries().len(), ErrorKind::ALL.len());
    }

    #[test]
    fn versioned_kinds_fall_back_to_their_legacy_entry_before_v23() {
        let c = Catalogue::builtin();
        assert_eq!(
            c.for_version(ErrorKind::MarketingOnly, GraphVersion::new(23, 0))
                .code,
            134100
        );
        assert_eq!(
            c.for_version(ErrorKind::MarketingOnly, GraphVersion::new(22, 0))
                .code,
            131055
        );
        assert_eq!(
            c.for_version(ErrorKind::TemplateSyncing, GraphVersion::new(21, 0))
                .code,
            131009
        );
    }

    #[test]
    fn render_fills_placeholders_and_omits_error_data_where_meta_does() {
        let c = Catalogue::builtin();
        let body = c
            .get(ErrorKind::TemplateNotFound)
            .render(&[("name", "promo"), ("language", "en_US")], "T");
        let details = body.error.error_data.unwrap().details;
        assert_eq!(details, "template name (promo) does not exist in en_US");
        assert!(
            c.get(ErrorKind::ToRequired)
                .render(&[], "T")
                .error
                .error_data
                .is_none()
        );
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let json = r#"{"description":"","errors":[{"key":"nope","code":1,"http_status":400,"type":"X","message":"m","source":"s","invented":true}]}"#;
        assert!(matches!(
            Catalogue::from_json(json),
            Err(CatalogueError::UnknownKey(_))
        ));
    }
}
