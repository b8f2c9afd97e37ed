//! World files: TOML descriptions of a sandbox's starting state.
//!
//! The built-in default world is itself a world file (`fixtures/world/default.toml`). A world
//! names businesses → WABAs → phone numbers and templates, recipient profiles, the template
//! review delay and rejection rules, the per-user marketing limit, error-catalogue overrides and
//! retention caps. Unknown keys
//! fail loudly. Ids may be given; the first sandbox built from a world uses them, later sandboxes
//! get fresh ids.

use std::path::Path;

use serde::Deserialize;
use wa_contract::ErrorEntry;
use wa_contract::model::MarketingLimit;
use wa_contract::payload::enums::WireEnum;
use wa_contract::payload::template::{DegreesOfFreedomSpec, TemplateCreateRequest, TemplateStatus};
use wa_contract::payload::webhook::{MessagingLimitTier, QualityScore};

use crate::domain::identity::{Identity, digits};
use crate::domain::recipient::{Profile, derived_bsuid};
use crate::domain::template::RejectionRule;
use crate::domain::waba::{BusinessOnboardingStatus, OnboardingStatus};

/// The default world's file.
pub(crate) const DEFAULT_WORLD_TOML: &str = include_str!("../data/world/default.toml");

/// A whole world.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WorldSpec {
    /// Token of the first sandbox built from this world.
    #[serde(default)]
    pub(crate) token: Option<String>,
    /// Where manual clocks start (RFC 3339); `--clock-start` wins over it.
    #[serde(default)]
    pub(crate) clock_start: Option<String>,
    /// Seconds from template creation to the review verdict.
    #[serde(default = "default_review_delay")]
    pub(crate) review_delay_seconds: u64,
    /// Templates matching a rule are rejected at review.
    #[serde(default)]
    pub(crate) rejection_rules: Vec<RejectionRule>,
    /// Recipient profiles by phone number.
    #[serde(default)]
    pub(crate) recipients: Vec<RecipientSpec>,
    /// Meta's per-user marketing limit, as the sandbox counts it (off unless set).
    #[serde(default)]
    pub(crate) marketing_limit: MarketingLimit,
    /// Template pacing: sends of a paced template past this many are held (off unless set).
    #[serde(default)]
    pub(crate) template_pacing_threshold: Option<u32>,
    /// Replacements for error-catalogue entries (same shape as `fixtures/errors.json`).
    #[serde(default)]
    pub(crate) error_overrides: Vec<ErrorEntry>,
    /// How much history each sandbox keeps.
    #[serde(default)]
    pub(crate) retention: Retention,
    /// The id of the app that Resumable Upload API sessions belong to; drawn when not given.
    #[serde(default)]
    pub(crate) app_id: Option<String>,
    /// The business portfolios.
    pub(crate) businesses: Vec<BusinessSpec>,
}

fn default_review_delay() -> u64 {
    60
}

/// Caps on what a sandbox keeps.
#[derive(Clone, Copy, Debug, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Retention {
    /// Messages kept (oldest dropped first).
    #[serde(default = "default_messages")]
    pub(crate) messages: usize,
    /// Journal entries kept.
    #[serde(default = "default_requests")]
    pub(crate) requests: usize,
    /// Events kept in the history.
    #[serde(default = "default_events")]
    pub(crate) events: usize,
    /// MiB of media files kept (oldest dropped first).
    #[serde(default = "default_media_mb")]
    pub(crate) media_mb: usize,
}

fn default_messages() -> usize {
    10_000
}
fn default_requests() -> usize {
    1_000
}
fn default_events() -> usize {
    10_000
}
fn default_media_mb() -> usize {
    64
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            messages: default_messages(),
            requests: default_requests(),
            events: default_events(),
            media_mb: default_media_mb(),
        }
    }
}

/// A recipient: known by phone number, by BSUID or by both, and its profile.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecipientSpec {
    /// The phone number (digits).
    #[serde(default)]
    pub(crate) phone: Option<String>,
    /// The business-scoped user id.
    #[serde(default)]
    pub(crate) user_id: Option<String>,
    /// The parent BSUID.
    #[serde(default)]
    pub(crate) parent_user_id: Option<String>,
    /// Its profile.
    #[serde(flatten)]
    pub(crate) profile: Profile,
}

impl RecipientSpec {
    /// Who the recipient is; an error naming the field when the ids are missing or malformed.
    pub(crate) fn identity(&self) -> Result<Identity, String> {
        use wa_contract::payload::bsuid::{is_bsuid, is_parent_bsuid};
        let phone = self.phone.as_deref().map(digits);
        if phone.as_deref().is_some_and(str::is_empty) {
            return Err("recipients.phone: expected a phone number".to_owned());
        }
        if let Some(id) = &self.user_id
            && (!is_bsuid(id) || is_parent_bsuid(id))
        {
            return Err(format!(
                "recipients.user_id: expected a business-scoped user id such as \"CA.13491208655302741918\", found '{}'",
                id.escape_debug()
            ));
        }
        if let Some(id) = &self.parent_user_id
            && !is_parent_bsuid(id)
        {
            return Err(format!(
                "recipients.parent_user_id: expected a parent BSUID such as \"CA.ENT.11815799212886844830\", found '{}'",
                id.escape_debug()
            ));
        }
        let user_id = match (&self.user_id, &phone) {
            (Some(id), _) => id.clone(),
            (None, Some(phone)) => derived_bsuid(phone),
            (None, None) => {
                return Err("recipients: expected a phone, a user_id or both".to_owned());
            }
        };
        Ok(Identity {
            wa_id: phone,
            user_id,
            parent_user_id: self.parent_user_id.clone(),
        })
    }
}

/// A business portfolio.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BusinessSpec {
    /// Fixed id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Display name.
    pub(crate) name: String,
    /// MM API terms status.
    #[serde(default = "default_business_onboarding")]
    pub(crate) onboarding_status: BusinessOnboardingStatus,
    /// Under business portfolio pacing (from 2025-12-08).
    #[serde(default)]
    pub(crate) portfolio_pacing: bool,
    /// Its WABAs.
    #[serde(default)]
    pub(crate) wabas: Vec<WabaSpec>,
}

fn default_business_onboarding() -> BusinessOnboardingStatus {
    BusinessOnboardingStatus::NotStarted
}

/// A WABA.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WabaSpec {
    /// Fixed id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Display name.
    pub(crate) name: String,
    /// MM API onboarding status.
    pub(crate) marketing_messages_onboarding_status: OnboardingStatus,
    /// Multi-Solution Conversations business.
    #[serde(default)]
    pub(crate) msc: bool,
    /// `disable_marketing_messages_on_cloud_api`.
    #[serde(default)]
    pub(crate) disable_marketing_messages_on_cloud_api: bool,
    /// Default `message_activity_sharing`.
    #[serde(default = "yes")]
    pub(crate) message_activity_sharing: bool,
    /// WABA-level creative features.
    #[serde(default)]
    pub(crate) degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
    /// Graph's time zone id (default `1`).
    #[serde(default)]
    pub(crate) timezone_id: Option<String>,
    /// Phone numbers.
    #[serde(default)]
    pub(crate) phone_numbers: Vec<PhoneSpec>,
    /// Templates (approved and synced unless said otherwise).
    #[serde(default)]
    pub(crate) templates: Vec<TemplateSpec>,
    /// `primary_funding_id`: an id, or `false` for a WABA without a payment method; absent, the
    /// WABA has one with an id made from its own.
    #[serde(default)]
    pub(crate) primary_funding_id: Option<FundingSpec>,
}

/// A WABA's `primary_funding_id` in a world file.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub(crate) enum FundingSpec {
    /// This id.
    Id(String),
    /// `true`: an id made from the WABA's; `false`: none.
    Set(bool),
}

impl FundingSpec {
    /// The funding id of WABA `waba_id` (*invented* when made: the WABA's id followed by `0`).
    pub(crate) fn funding_id(spec: Option<&Self>, waba_id: &str) -> Option<String> {
        match spec {
            Some(Self::Id(id)) => Some(id.clone()),
            Some(Self::Set(false)) => None,
            Some(Self::Set(true)) | None => Some(format!("{waba_id}0")),
        }
    }
}

fn yes() -> bool {
    true
}

/// A phone number.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhoneSpec {
    /// Fixed id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// E.g. `15550100021`.
    pub(crate) display_phone_number: String,
    /// Display name.
    pub(crate) verified_name: String,
    /// `GREEN` (default), `YELLOW`, `RED` or `UNKNOWN`.
    #[serde(default)]
    pub(crate) quality_rating: Option<String>,
    /// `TIER_250` (default, a new portfolio's limit), …, `TIER_UNLIMITED`.
    #[serde(default)]
    pub(crate) messaging_limit_tier: Option<String>,
}

impl PhoneSpec {
    /// The number's quality rating and messaging limit, or what is wrong with them.
    pub(crate) fn quality(&self) -> Result<(QualityScore, MessagingLimitTier), String> {
        fn read<T: WireEnum>(field: &str, value: Option<&str>, default: T) -> Result<T, String> {
            value.map_or(Ok(default), |v| {
                T::from_name(v).ok_or_else(|| {
                    format!(
                        "{field}: expected one of {}, found '{}'",
                        T::NAMES.join(", "),
                        v.escape_debug()
                    )
                })
            })
        }
        Ok((
            read(
                "quality_rating",
                self.quality_rating.as_deref(),
                QualityScore::Green,
            )?,
            read(
                "messaging_limit_tier",
                self.messaging_limit_tier.as_deref(),
                MessagingLimitTier::Tier250,
            )?,
        ))
    }
}

/// A template: a create request plus its id and status.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TemplateSpec {
    /// Fixed id.
    #[serde(default)]
    pub(crate) id: Option<String>,
    /// Status (default `APPROVED`).
    #[serde(default = "approved")]
    pub(crate) status: TemplateStatus,
    /// Whether the ad sync is still running at startup.
    #[serde(default)]
    pub(crate) syncing: bool,
    /// Template name.
    pub(crate) name: String,
    /// Language code.
    pub(crate) language: String,
    /// Category.
    pub(crate) category: String,
    /// Components, as in a create request.
    pub(crate) components: Vec<toml::Value>,
    /// Custom TTL.
    #[serde(default)]
    pub(crate) message_send_ttl_seconds: Option<i64>,
    /// Template-level creative features.
    #[serde(default)]
    pub(crate) degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
    /// The node's `sub_category` (e.g. `ORDER_STATUS`), for a world that stands for one.
    #[serde(default)]
    pub(crate) sub_category: Option<String>,
    /// The node's `library_template_name`: the Template Library template it was made from.
    #[serde(default)]
    pub(crate) library_template_name: Option<String>,
}

fn approved() -> TemplateStatus {
    TemplateStatus::Approved
}

impl TemplateSpec {
    /// The create request this template stands for.
    pub(crate) fn create_request(&self) -> Result<TemplateCreateRequest, String> {
        let mut value = serde_json::json!({
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "components": self.components,
        });
        if let Some(ttl) = self.message_send_ttl_seconds {
            value["message_send_ttl_seconds"] = ttl.into();
        }
        if let Some(spec) = &self.degrees_of_freedom_spec {
            value["degrees_of_freedom_spec"] =
                serde_json::to_value(spec).map_err(|e| e.to_string())?;
        }
        serde_json::from_value(value).map_err(|e| format!("template {}: {e}", self.name))
    }
}

/// Why a world could not be loaded.
#[derive(Debug)]
pub(crate) struct WorldError(pub String);

impl std::fmt::Display for WorldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for WorldError {}

impl WorldSpec {
    /// The built-in default world.
    pub(crate) fn default_world() -> Self {
        Self::from_toml(DEFAULT_WORLD_TOML).expect("the default world is valid")
    }

    /// Parses a world file's text; every template must also be a valid create request.
    pub(crate) fn from_toml(text: &str) -> Result<Self, WorldError> {
        let spec: Self = toml::from_str(text).map_err(|e| WorldError(e.to_string()))?;
        for waba in spec.businesses.iter().flat_map(|b| &b.wabas) {
            for t in &waba.templates {
                t.create_request().map_err(WorldError)?;
            }
        }
        for r in &spec.recipients {
            r.identity().map_err(WorldError)?;
        }
        crate::domain::marketing_limit::check(&spec.marketing_limit)
            .map_err(|e| WorldError(format!("marketing_limit.{e}")))?;
        Ok(spec)
    }

    /// Reads and parses a world file.
    pub(crate) fn load(path: &Path) -> Result<Self, WorldError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| WorldError(format!("cannot read {}: {e}", path.display())))?;
        Self::from_toml(&text).map_err(|e| WorldError(format!("{}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_world_has_three_wabas_with_templates() {
        let w = WorldSpec::default_world();
        let wabas: Vec<_> = w.businesses.iter().flat_map(|b| &b.wabas).collect();
        assert_eq!(wabas.len(), 3);
        assert!(
            wabas
                .iter()
                .all(|w| w.phone_numbers.len() == 1 && !w.templates.is_empty())
        );
    }

    #[test]
    fn the_example_world_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
        let w = WorldSpec::load(&path).unwrap();
        assert!(!w.rejection_rules.is_empty());
    }

    #[test]
    fn a_phone_numbers_quality_and_limit_are_read_or_refused_naming_the_field() {
        let phone = |extra: &str| {
            let spec: PhoneSpec = toml::from_str(&format!(
                "display_phone_number = \"15550100021\"\nverified_name = \"v\"\n{extra}"
            ))
            .unwrap();
            spec.quality()
        };
        assert_eq!(
            phone(""),
            Ok((QualityScore::Green, MessagingLimitTier::Tier250))
        );
        assert_eq!(
            phone("quality_rating = \"RED\"\nmessaging_limit_tier = \"TIER_100K\""),
            Ok((QualityScore::Red, MessagingLimitTier::Tier100K))
        );
        let refused = phone("messaging_limit_tier = \"TIER_5K\"").unwrap_err();
        assert!(
            refused.starts_with("messaging_limit_tier: expected one of TIER_50"),
            "{refused}"
        );
    }

    #[test]
    fn recipients_need_a_phone_or_a_bsuid_in_their_shapes() {
        let spec = |toml: &str| {
            WorldSpec::from_toml(&format!("businesses = []\n[[recipients]]\n{toml}\n"))
                .map(|w| w.recipients[0].identity().unwrap())
                .map_err(|e| e.0)
        };
        let known = spec("user_id = \"US.1349\"\nphone = \"+1 416 555 1234\"").unwrap();
        assert_eq!(known.wa_id.as_deref(), Some("14165551234"));
        assert_eq!(known.user_id, "US.1349");
        assert!(
            spec("name = \"Ann\"")
                .unwrap_err()
                .contains("a phone, a user_id or both")
        );
        assert!(
            spec("user_id = \"US.ENT.1\"")
                .unwrap_err()
                .starts_with("recipients.user_id")
        );
        assert!(
            spec("phone = \"1\"\nparent_user_id = \"US.1\"")
                .unwrap_err()
                .starts_with("recipients.parent_user_id")
        );
    }

    #[test]
    fn a_marketing_limit_is_read_and_checked() {
        let world = |toml: &str| WorldSpec::from_toml(&format!("businesses = []\n{toml}\n"));
        assert_eq!(world("").unwrap().marketing_limit.per_user_per_24h, None);
        let set = world("marketing_limit = { per_user_per_24h = 2 }").unwrap();
        assert_eq!(set.marketing_limit.per_user_per_24h, Some(2));
        let zero = world("marketing_limit = { per_user_per_24h = 0 }").unwrap_err();
        assert!(
            zero.0
                .starts_with("marketing_limit.per_user_per_24h: expected 1 to 1000"),
            "{zero}"
        );
    }

    #[test]
    fn unknown_keys_fail_loudly() {
        let err = WorldSpec::from_toml("businesses = []\nreview_delay = 5\n").unwrap_err();
        assert!(err.0.contains("unknown field `review_delay`"), "{err}");
    }
}
