//! Message templates: the create and edit requests, the template object Graph reads back, the
//! list page, and `degrees_of_freedom_spec` (creative features) in its request shape and its two
//! read-back shapes.
//!
//! Template components use upper-case `type`s on the wire (`HEADER`, `BODY`, `FOOTER`,
//! `BUTTONS`); they are kept as sent and read case-insensitively through
//! [`TemplateComponent::kind`]. Placeholders (`{{1}}` or `{{first_name}}`) are found by
//! [`placeholders`], which the validators and the mock's parameter-count check share.

use std::fmt;
use std::ops::RangeInclusive;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A template category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateCategory {
    /// Promotions; the only category `/marketing_messages` sends.
    Marketing,
    /// Transactional updates.
    Utility,
    /// One-time passwords.
    Authentication,
}

impl TemplateCategory {
    /// Wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "MARKETING",
            Self::Utility => "UTILITY",
            Self::Authentication => "AUTHENTICATION",
        }
    }

    /// Reads the wire spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "MARKETING" => Some(Self::Marketing),
            "UTILITY" => Some(Self::Utility),
            "AUTHENTICATION" => Some(Self::Authentication),
            _ => None,
        }
    }

    /// Allowed `message_send_ttl_seconds` for this category.
    pub const fn ttl_range(self) -> RangeInclusive<u32> {
        match self {
            Self::Authentication => 30..=900,
            Self::Utility => 30..=43_200,
            Self::Marketing => 43_200..=2_592_000,
        }
    }

    /// The TTL that applies when the template sets none.
    pub const fn default_ttl(self) -> u32 {
        match self {
            Self::Authentication => 600,
            Self::Utility | Self::Marketing => 2_592_000,
        }
    }

    /// Whether `-1` (a 30-day custom TTL) is accepted on create.
    pub const fn accepts_unlimited_ttl(self) -> bool {
        !matches!(self, Self::Marketing)
    }
}

/// A template's review / lifecycle status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TemplateStatus {
    /// Usable.
    Approved,
    /// In review.
    Pending,
    /// Review failed.
    Rejected,
    /// Paused for low quality.
    Paused,
    /// Disabled after repeated pauses.
    Disabled,
    /// Rejection under appeal.
    InAppeal,
    /// Scheduled for deletion.
    PendingDeletion,
    /// Deleted.
    Deleted,
    /// Archived.
    Archived,
    /// Over the per-WABA template limit.
    LimitExceeded,
}

impl TemplateStatus {
    /// Every status in wire spelling.
    pub const ALL: [&'static str; 10] = [
        "APPROVED",
        "PENDING",
        "REJECTED",
        "PAUSED",
        "DISABLED",
        "IN_APPEAL",
        "PENDING_DELETION",
        "DELETED",
        "ARCHIVED",
        "LIMIT_EXCEEDED",
    ];
}

/// How placeholders are written in a template's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ParameterFormat {
    /// `{{1}}`, `{{2}}`, … (the default).
    #[default]
    Positional,
    /// `{{first_name}}`, with `parameter_name` on send.
    Named,
}

/// A placeholder found in template text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Placeholder {
    /// `{{n}}`
    Positional(u32),
    /// `{{name}}`
    Named(String),
}

/// Every `{{…}}` placeholder in `text`, in order of appearance (repeats included).
///
/// ```
/// use wa_contract::payload::template::{placeholders, Placeholder};
/// assert_eq!(
///     placeholders("Hi {{1}}, code {{promo}}"),
///     [Placeholder::Positional(1), Placeholder::Named("promo".into())]
/// );
/// ```
pub fn placeholders(text: &str) -> Vec<Placeholder> {
    placeholder_names(text)
        .map(|inner| match inner.parse() {
            Ok(n) => Placeholder::Positional(n),
            Err(_) => Placeholder::Named(inner.to_owned()),
        })
        .collect()
}

/// What is inside each `{{…}}` of `text`, trimmed, in order of appearance; borrowed, so that
/// counting them allocates nothing (every send counts its template's).
fn placeholder_names(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    // A byte scan: `str::find` with a pattern sets up a searcher on every call.
    let find = |text: &str, pair: &[u8; 2]| text.as_bytes().windows(2).position(|w| w == pair);
    std::iter::from_fn(move || {
        let start = find(rest, b"{{")?;
        let after = &rest[start + 2..];
        let end = find(after, b"}}")?;
        rest = &after[end + 2..];
        Some(after[..end].trim())
    })
}

/// Number of distinct placeholders in `text`: what a send must supply parameters for.
/// `{{1}}` and `{{01}}` are the same placeholder, as [`placeholders`] reads them.
///
/// ```
/// use wa_contract::payload::template::distinct_placeholder_count;
/// assert_eq!(distinct_placeholder_count("{{1}} {{2}}, {{01}} and {{ name }} {{name}}"), 3);
/// assert_eq!(distinct_placeholder_count("no {{placeholder"), 0);
/// ```
pub fn distinct_placeholder_count(text: &str) -> usize {
    let same = |a: &str, b: &str| match (a.parse::<u32>(), b.parse::<u32>()) {
        (Ok(x), Ok(y)) => x == y,
        (Err(_), Err(_)) => a == b,
        _ => false,
    };
    placeholder_names(text)
        .enumerate()
        .filter(|(i, name)| {
            !placeholder_names(text)
                .take(*i)
                .any(|earlier| same(earlier, name))
        })
        .count()
}

/// Whether `name` may name a placeholder (`{{order_id}}`): lowercase letters, digits and
/// underscores.
pub fn is_parameter_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `name` may name a template: a parameter name of at most 512 characters.
pub fn is_template_name(name: &str) -> bool {
    name.len() <= 512 && is_parameter_name(name)
}

/// `POST /{waba_id}/message_templates`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateCreateRequest {
    /// Lowercase letters, digits and underscores, up to 512 characters.
    pub name: String,
    /// Language code such as `en_US`.
    pub language: String,
    /// The category.
    pub category: TemplateCategory,
    /// The components; exactly one BODY.
    pub components: Vec<TemplateComponent>,
    /// `POSITIONAL` (default) or `NAMED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    /// Custom time-to-live; range depends on the category, `-1` means 30 days for
    /// authentication and utility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_send_ttl_seconds: Option<i64>,
    /// Creative-feature opt-ins (request shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
    /// Whether click tracking of CTA URLs is turned off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta_url_link_tracking_opted_out: Option<bool>,
    /// Whether Meta may recategorise the template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_category_change: Option<bool>,
    /// A max price (MARKETING templates, MM API), since 2026-06-18.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimization_spec: Option<OptimizationSpec>,
    /// The max price's former name, unsupported after 2026-07-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid_spec: Option<OptimizationSpec>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A max price per delivery of a marketing template on the MM API: `optimization_spec`, which
/// replaced `bid_spec` on 2026-06-18 with the same fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct OptimizationSpec {
    /// The most the business pays, per 1,000 deliveries.
    pub bid_amount: i64,
    /// How Meta bids up to it.
    pub bid_strategy: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `POST /{template_id}`: every field optional; only what is sent changes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TemplateEditRequest {
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<TemplateCategory>,
    /// New components (replace the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<TemplateComponent>>,
    /// New parameter format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    /// New time-to-live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_send_ttl_seconds: Option<i64>,
    /// New creative-feature opt-ins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<DegreesOfFreedomSpec>,
    /// Whether click tracking of CTA URLs is turned off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cta_url_link_tracking_opted_out: Option<bool>,
    /// New max price, since 2026-06-18.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimization_spec: Option<OptimizationSpec>,
    /// New max price under its former name, unsupported after 2026-07-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bid_spec: Option<OptimizationSpec>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TemplateEditRequest {
    /// Whether the edit names none of the fields an edit is for (category, components,
    /// parameter format, TTL, creative features): only unknown ones, the click-tracking opt-out
    /// alone, or nothing at all — what the contract's `non_empty` rule refuses.
    pub fn changes_nothing(&self) -> bool {
        self.category.is_none()
            && self.components.is_none()
            && self.parameter_format.is_none()
            && self.message_send_ttl_seconds.is_none()
            && self.degrees_of_freedom_spec.is_none()
            && self.optimization_spec.is_none()
            && self.bid_spec.is_none()
    }
}

/// The kind of a template-side component, read case-insensitively from its `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TemplateComponentKind {
    /// `HEADER`
    Header,
    /// `BODY`
    Body,
    /// `FOOTER`
    Footer,
    /// `BUTTONS`
    Buttons,
    /// `CAROUSEL`
    Carousel,
    /// `LIMITED_TIME_OFFER`
    LimitedTimeOffer,
    /// Anything else.
    Other,
}

impl TemplateComponentKind {
    /// Every known kind in wire spelling.
    pub const KNOWN: [&'static str; 6] = [
        "HEADER",
        "BODY",
        "FOOTER",
        "BUTTONS",
        "CAROUSEL",
        "LIMITED_TIME_OFFER",
    ];

    /// Reads a component `type`, ignoring case as Graph does (without allocating: servers read
    /// kinds on every send).
    pub fn parse(s: &str) -> Self {
        const KINDS: [TemplateComponentKind; 6] = [
            TemplateComponentKind::Header,
            TemplateComponentKind::Body,
            TemplateComponentKind::Footer,
            TemplateComponentKind::Buttons,
            TemplateComponentKind::Carousel,
            TemplateComponentKind::LimitedTimeOffer,
        ];
        Self::KNOWN
            .iter()
            .zip(KINDS)
            .find(|(known, _)| known.eq_ignore_ascii_case(s))
            .map_or(Self::Other, |(_, kind)| kind)
    }
}

/// One component of a template definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TemplateComponent {
    /// `HEADER`, `BODY`, `FOOTER`, `BUTTONS`, … as sent (see [`Self::kind`]).
    #[serde(rename = "type")]
    pub component_type: String,
    /// Header format: `TEXT`, `IMAGE`, `VIDEO`, `DOCUMENT`, `LOCATION` or `GIF`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The text, with placeholders.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Example values for the placeholders (or a media handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<ComponentExample>,
    /// The buttons of a `BUTTONS` component.
    #[serde(
        default,
        deserialize_with = "super::null_as_empty",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub buttons: Vec<TemplateButton>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TemplateComponent {
    /// The component kind, ignoring the case of `type`.
    pub fn kind(&self) -> TemplateComponentKind {
        TemplateComponentKind::parse(&self.component_type)
    }

    /// Distinct placeholders in this component's text (buttons: in their URLs).
    pub fn placeholder_count(&self) -> usize {
        match self.kind() {
            TemplateComponentKind::Buttons => self
                .buttons
                .iter()
                .map(TemplateButton::placeholder_count)
                .sum(),
            _ => self.text.as_deref().map_or(0, distinct_placeholder_count),
        }
    }

    /// Parameters a send must give for this component: one per placeholder, or one media /
    /// location object for a non-text header.
    pub fn expected_parameter_count(&self) -> usize {
        match (self.kind(), self.format.as_deref()) {
            (TemplateComponentKind::Header, Some(format))
                if !format.eq_ignore_ascii_case("TEXT") =>
            {
                1
            }
            _ => self.placeholder_count(),
        }
    }
}

/// `example` of a template component.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct ComponentExample {
    /// Header placeholder examples (positional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_text: Option<Vec<String>>,
    /// Uploaded media handles for media headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_handle: Option<Vec<String>>,
    /// Body placeholder examples (positional): one list per example set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<Vec<Vec<String>>>,
    /// Header placeholder examples (named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_text_named_params: Option<Vec<NamedParamExample>>,
    /// Body placeholder examples (named).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text_named_params: Option<Vec<NamedParamExample>>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An example for one named placeholder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct NamedParamExample {
    /// The placeholder name, without braces.
    pub param_name: String,
    /// The example value.
    pub example: String,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One button of a `BUTTONS` component.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct TemplateButton {
    /// `QUICK_REPLY`, `URL`, `PHONE_NUMBER`, `OTP`, `COPY_CODE`, `FLOW`, `MPM`, `CATALOG`, ….
    #[serde(rename = "type")]
    pub button_type: String,
    /// Button label (up to 25 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// URL of a `URL` button, optionally with one `{{1}}` suffix placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Phone number of a `PHONE_NUMBER` button.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// `COPY_CODE` or `ONE_TAP` for `OTP` buttons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otp_type: Option<String>,
    /// Example values (URL suffix, coupon code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl TemplateButton {
    /// Distinct placeholders in the button's URL.
    pub fn placeholder_count(&self) -> usize {
        self.url.as_deref().map_or(0, distinct_placeholder_count)
    }
}

/// A creative feature that Meta may apply automatically to MM API messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum CreativeFeatureKey {
    /// `image_brightness_and_contrast`
    ImageBrightnessAndContrast,
    /// `image_touchups`
    ImageTouchups,
    /// `add_text_overlay`
    AddTextOverlay,
    /// `image_animation`
    ImageAnimation,
    /// `image_background_gen`
    ImageBackgroundGen,
    /// `auto_promotion_tag`
    AutoPromotionTag,
    /// `text_extraction_for_headline`
    TextExtractionForHeadline,
    /// `text_extraction_for_tap_target`
    TextExtractionForTapTarget,
    /// `product_extensions`
    ProductExtensions,
    /// `text_formatting_optimization` (also read as `text_formating_optimization`, the
    /// spelling of Meta's request examples)
    #[serde(alias = "text_formating_optimization")]
    TextFormattingOptimization,
}

impl CreativeFeatureKey {
    /// Every key, in the order Meta documents them.
    pub const ALL: [CreativeFeatureKey; 10] = [
        Self::ImageBrightnessAndContrast,
        Self::ImageTouchups,
        Self::AddTextOverlay,
        Self::ImageAnimation,
        Self::ImageBackgroundGen,
        Self::AutoPromotionTag,
        Self::TextExtractionForHeadline,
        Self::TextExtractionForTapTarget,
        Self::ProductExtensions,
        Self::TextFormattingOptimization,
    ];

    /// Lowercase wire spelling (request and WABA read-back).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ImageBrightnessAndContrast => "image_brightness_and_contrast",
            Self::ImageTouchups => "image_touchups",
            Self::AddTextOverlay => "add_text_overlay",
            Self::ImageAnimation => "image_animation",
            Self::ImageBackgroundGen => "image_background_gen",
            Self::AutoPromotionTag => "auto_promotion_tag",
            Self::TextExtractionForHeadline => "text_extraction_for_headline",
            Self::TextExtractionForTapTarget => "text_extraction_for_tap_target",
            Self::ProductExtensions => "product_extensions",
            Self::TextFormattingOptimization => "text_formatting_optimization",
        }
    }

    /// Reads the lowercase spelling (and Meta's example spelling `text_formating_optimization`).
    pub fn parse(s: &str) -> Option<Self> {
        if s == "text_formating_optimization" {
            return Some(Self::TextFormattingOptimization);
        }
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Reads the upper-case spelling of the template read-back.
    pub fn parse_upper(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s) && s == s.to_ascii_uppercase())
    }
}

/// Whether a creative feature is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnrollStatus {
    /// Enabled.
    OptIn,
    /// Disabled.
    OptOut,
}

/// `{"enroll_status": …}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct FeatureEnrollment {
    /// The status.
    pub enroll_status: EnrollStatus,
}

/// An ordered map from creative-feature key to `V`, serialised as a JSON object with the
/// lowercase keys. Unknown keys are refused, as Graph refuses them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeatureMap<V>(pub Vec<(CreativeFeatureKey, V)>);

impl<V> Default for FeatureMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<V> FeatureMap<V> {
    /// The value for `key`, if set.
    pub fn get(&self, key: CreativeFeatureKey) -> Option<&V> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }
}

/// An object whose keys are creative-feature keys, each holding a `V`.
#[cfg(feature = "openapi")]
impl<V: schemars::JsonSchema> schemars::JsonSchema for FeatureMap<V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("FeatureMap_{}", V::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "propertyNames": generator.subschema_for::<CreativeFeatureKey>(),
            "additionalProperties": generator.subschema_for::<V>(),
        })
    }
}

impl<V: Serialize> Serialize for FeatureMap<V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key.as_str(), value)?;
        }
        map.end()
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for FeatureMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct FeatureMapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for FeatureMapVisitor<V> {
            type Value = FeatureMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object keyed by creative feature")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = access.next_entry::<CreativeFeatureKey, V>()? {
                    entries.push((key, value));
                }
                Ok(FeatureMap(entries))
            }
        }
        d.deserialize_map(FeatureMapVisitor(std::marker::PhantomData))
    }
}

/// `degrees_of_freedom_spec` as sent on template create/edit and WABA update:
/// `{"creative_features_spec":{"image_touchups":{"enroll_status":"OPT_IN"}}}`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(schemars::JsonSchema))]
pub struct DegreesOfFreedomSpec {
    /// Opt-in per feature.
    pub creative_features_spec: FeatureMap<FeatureEnrollment>,
}

impl DegreesOfFreedomSpec {
    /// The template read-back shape (`GET /{template_id}?fields=degrees_of_freedom_spec`).
    pub fn template_read_back(&self) -> TemplateDofReadBack {
        TemplateDofReadBack {
            creative_features_spec: self
                .creative_features_spec
                .0
                .iter()
                .map(|&(key, value)| KeyedFeature { key, value })
                .collect(),
        }
    }

    /// The WABA read-back shape (`GET /{waba_id}?fields=degrees_of_freedom_spec`).
    pub fn waba_read_back(&self) -> WabaDofReadBack {
        let statuses = self
            .creative_features_spec
            .0
            .iter()
            .map(|&(key, value)| (key, value.enroll_status))
            .collect();
        WabaDofReadBack {
            data: vec![WabaDofEntry {
                creative_features_spec: vec![FeatureMap(statuses)],
            }],
        }
    }
}

/// Template read-back of `degrees_of_freedom_spec`:
/// `{"creative_features_spec":[{"key":"IMAGE_TOUCHUPS","value":{"enroll_status":"OPT_IN"}}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TemplateDofReadBack {
    /// One entry per feature.
    pub creative_features_spec: Vec<KeyedFeature>,
}

/// One entry of the template read-back, with the key in upper case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyedFeature {
    /// The feature, upper case on the wire.
    #[serde(with = "upper_key")]
    pub key: CreativeFeatureKey,
    /// Its status.
    pub value: FeatureEnrollment,
}

/// The template read-back spells keys in upper case.
mod upper_key {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    use super::CreativeFeatureKey;

    pub(super) fn serialize<S: Serializer>(
        key: &CreativeFeatureKey,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&key.as_str().to_ascii_uppercase())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<CreativeFeatureKey, D::Error> {
        let s = String::deserialize(d)?;
        CreativeFeatureKey::parse_upper(&s)
            .ok_or_else(|| D::Error::custom(format!("unknown creative feature key {s}")))
    }
}

/// WABA read-back of `degrees_of_freedom_spec`:
/// `{"data":[{"creative_features_spec":[{"image_touchups":"OPT_IN"}]}]}`.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WabaDofReadBack {
    /// Graph wraps the spec in an edge-like `data` list.
    pub data: Vec<WabaDofEntry>,
}

/// One element of [`WabaDofReadBack::data`].
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WabaDofEntry {
    /// Status per feature, lowercase keys.
    pub creative_features_spec: Vec<FeatureMap<EnrollStatus>>,
}

/// A template as Graph reads it back (`GET /{template_id}`, list entries). Graph returns only
/// the requested `fields`, so everything but `id` is optional.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateObject {
    /// Template id.
    pub id: String,
    /// Template name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Language code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Review status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TemplateStatus>,
    /// Category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<TemplateCategory>,
    /// Category before Meta recategorised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_category: Option<String>,
    /// Components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<TemplateComponent>>,
    /// Parameter format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter_format: Option<ParameterFormat>,
    /// Custom TTL, present only while one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_send_ttl_seconds: Option<i64>,
    /// Creative features, template read-back shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degrees_of_freedom_spec: Option<TemplateDofReadBack>,
    /// The max price, when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimization_spec: Option<OptimizationSpec>,
    /// Why review failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `GET /{waba_id}/message_templates`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateList {
    /// This page.
    pub data: Vec<TemplateObject>,
    /// Cursors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paging: Option<Paging>,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Graph cursor paging.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Paging {
    /// The cursors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursors: Option<Cursors>,
    /// URL of the next page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// URL of the previous page, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
}

/// `paging.cursors`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursors {
    /// Cursor before the first item.
    pub before: String,
    /// Cursor after the last item.
    pub after: String,
}

/// Response of template create.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateCreateResponse {
    /// New template id.
    pub id: String,
    /// Always `PENDING` for a new template (or `APPROVED` when reviewed instantly).
    pub status: TemplateStatus,
    /// The category, possibly changed by Meta.
    pub category: TemplateCategory,
    /// Fields this model does not name, kept as they came.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
