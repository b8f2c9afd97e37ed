//! Message templates: the status state machine, Meta's create-time validations, the parameter
//! check made on every send, and ad-sync timing for the MM API.
//!
//! A template is created `PENDING` and reviewed on the clock; [`Template::approve`] and
//! [`Template::reject`] are the review's transitions, [`Template::set_status`] the admin
//! override. Marketing templates must finish an ad sync (10 minutes after creation, and again
//! after the first MM API send on a template dormant for more than 7 days) before the MM API
//! accepts them; [`Template::check_mm_send`] enforces it.

use super::changes::Rules;
use std::collections::BTreeSet;
use std::time::Duration;

use serde::Deserialize;
use wa_contract::ErrorKind;
use wa_contract::payload::enums::Open;
use wa_contract::payload::send::{ComponentKind, TemplateMessage};
use wa_contract::payload::template::{
    CreativeFeatureKey, DegreesOfFreedomSpec, EnrollStatus, FeatureEnrollment, FeatureMap,
    KeyedFeature, OptimizationSpec, ParameterFormat, TemplateCategory, TemplateComponent,
    TemplateComponentKind, TemplateCreateRequest, TemplateDofReadBack, TemplateStatus,
    is_template_name, placeholders,
};
use wa_contract::payload::webhook::{PauseTitle, QualityScore, TemplateStatusReason};

use super::Refusal;
use super::routing::Route;
use crate::clock::Timestamp;
use crate::ids::{TemplateId, WabaId};

/// How long an ad sync takes.
pub(crate) const AD_SYNC: Duration = Duration::from_secs(10 * 60);
/// How long without MM API sends makes a template dormant.
pub(crate) const DORMANT_AFTER: Duration = Duration::from_secs(7 * 24 * 3600);
/// Templates one WABA may hold.
pub(crate) const MAX_TEMPLATES_PER_WABA: usize = 250;
/// Templates one WABA may create in an hour (Meta, "Template basics").
pub(crate) const CREATIONS_PER_HOUR: usize = 100;
const HOUR: Duration = Duration::from_secs(3600);
/// An APPROVED template's content may be edited once in 24 hours and 10 times in 30 days (a
/// BSP's wording of Meta's rule).
const EDIT_SPACING: Duration = Duration::from_secs(24 * 3600);
const EDIT_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
const EDITS_PER_WINDOW: usize = 10;
/// How long a template's first and second quality pauses last (Meta, "Template pausing"); the
/// third disables it.
pub(crate) const QUALITY_PAUSES: [Duration; 2] =
    [Duration::from_secs(3 * 3600), Duration::from_secs(6 * 3600)];
/// Templates one `DELETE …/message_templates?hsm_ids=[…]` may name (Meta's changelog, Dec 2025).
pub(crate) const MAX_HSM_IDS: usize = 100;

/// A message template.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Template {
    /// Its id.
    pub(crate) id: TemplateId,
    /// The WABA that owns it.
    pub(crate) waba_id: WabaId,
    /// Name (unique per language within the WABA).
    pub(crate) name: String,
    /// Language code such as `en_US`.
    pub(crate) language: String,
    /// Category.
    pub(crate) category: TemplateCategory,
    /// Status.
    pub(crate) status: TemplateStatus,
    /// Components as created or last edited.
    pub(crate) components: Vec<TemplateComponent>,
    /// `POSITIONAL` or `NAMED`.
    pub(crate) parameter_format: ParameterFormat,
    /// Custom `message_send_ttl_seconds`, if set.
    pub(crate) ttl_seconds: Option<i64>,
    /// Template-level creative features, as set.
    pub(crate) creative_features: DegreesOfFreedomSpec,
    /// `cta_url_link_tracking_opted_out`.
    pub(crate) cta_url_link_tracking_opted_out: Option<bool>,
    /// `sub_category`, when a world file gives one (the mock makes none).
    #[serde(default)]
    pub(crate) sub_category: Option<String>,
    /// `library_template_name`, when a world file gives one.
    #[serde(default)]
    pub(crate) library_template_name: Option<String>,
    /// The max price (`optimization_spec`, or `bid_spec` before it), if set.
    pub(crate) max_price: Option<OptimizationSpec>,
    /// Why it was rejected (`NONE` otherwise).
    pub(crate) rejected_reason: Open<TemplateStatusReason>,
    /// When it was created.
    pub(crate) created_at: Timestamp,
    /// When the current ad sync completes.
    pub(crate) synced_at: Timestamp,
    /// The last MM API send.
    pub(crate) last_mm_send: Option<Timestamp>,
    /// Quality rating: `GREEN`, `YELLOW`, `RED`, or `UNKNOWN` (new templates).
    pub(crate) quality_score: QualityScore,
    /// When its content was edited while APPROVED, over the last 30 days.
    pub(crate) approved_edits: Vec<Timestamp>,
    /// Where template pacing has it.
    pub(crate) pacing: Pacing,
    /// Its quality pauses so far (the pausing ladder's rung).
    pub(crate) quality_pauses: u8,
    /// When its current quality pause ends, while it lasts.
    pub(crate) paused_until: Option<Timestamp>,
    /// When its pending review is due, as data rather than only inside a clock job, so that a
    /// snapshot carries it and a restored sandbox resumes it.
    pub(crate) review_at: Option<Timestamp>,
}

/// A template under template pacing (Meta, "Template pacing"): marketing and utility templates
/// that are new, just unpaused or not GREEN have their sends counted; past the sandbox's
/// threshold they are held until a quality signal releases them or pauses the template.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub(crate) struct Pacing {
    /// Sends counted since pacing started.
    pub(crate) sent: u32,
    /// A good signal ended pacing (until the template is unpaused).
    pub(crate) assessed: bool,
    /// A bad signal paused it: only `POST /{template_id}/unpause` resumes it.
    pub(crate) paused: bool,
}

/// The quality signal that ends a paced campaign.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Release the held messages.
    Good,
    /// Pause the template and drop the held messages.
    Bad,
}

/// A status change to report (`message_template_status_update`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StatusChanged {
    /// The new status.
    pub(crate) status: TemplateStatus,
    /// Why (`NONE` unless rejected).
    pub(crate) reason: Open<TemplateStatusReason>,
    /// Which pause, resumption or disabling this is (`other_info.title`), if one.
    pub(crate) pause: Option<PauseTitle>,
}

impl StatusChanged {
    /// The change, with the `other_info.title` it is reported with.
    fn titled(self, pause: PauseTitle) -> Self {
        Self {
            pause: Some(pause),
            ..self
        }
    }
}

/// A rule the review applies: templates matching it are rejected.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectionRule {
    /// Rejects templates whose name contains this.
    #[serde(default)]
    pub(crate) name_contains: Option<String>,
    /// Rejects templates whose text contains this (case-insensitive).
    #[serde(default)]
    pub(crate) content_contains: Option<String>,
    /// The rejection reason reported, e.g. `INVALID_FORMAT` or `PROMOTIONAL`.
    #[serde(default = "default_reason")]
    pub(crate) reason: Open<TemplateStatusReason>,
}

fn default_reason() -> Open<TemplateStatusReason> {
    TemplateStatusReason::InvalidFormat.into()
}

impl RejectionRule {
    fn matches(&self, template: &Template) -> bool {
        let name = self
            .name_contains
            .as_ref()
            .is_some_and(|n| template.name.contains(n.as_str()));
        let content = self
            .content_contains
            .as_ref()
            .is_some_and(|c| template.text().to_lowercase().contains(&c.to_lowercase()));
        name || content
    }
}

/// The status name as Graph prints it.
pub(crate) fn status_str(status: TemplateStatus) -> &'static str {
    TemplateStatus::ALL[status as usize]
}

impl Template {
    /// A new `PENDING` template from a create request already checked by [`check_create`].
    pub(crate) fn create(
        id: TemplateId,
        waba_id: WabaId,
        req: TemplateCreateRequest,
        max_price: Option<OptimizationSpec>,
        now: Timestamp,
    ) -> Self {
        Self {
            id,
            waba_id,
            name: req.name,
            language: req.language,
            category: req.category,
            status: TemplateStatus::Pending,
            components: req.components,
            parameter_format: req.parameter_format.unwrap_or_default(),
            ttl_seconds: req.message_send_ttl_seconds,
            creative_features: req.degrees_of_freedom_spec.unwrap_or_default(),
            cta_url_link_tracking_opted_out: req.cta_url_link_tracking_opted_out,
            sub_category: None,
            library_template_name: None,
            max_price,
            rejected_reason: TemplateStatusReason::NoReason.into(),
            created_at: now,
            synced_at: now.plus(AD_SYNC),
            last_mm_send: None,
            quality_score: QualityScore::Unknown,
            approved_edits: Vec::new(),
            pacing: Pacing::default(),
            quality_pauses: 0,
            paused_until: None,
            review_at: None,
        }
    }

    /// Whether sends of this template are paced under `threshold` (none: pacing is off).
    pub(crate) fn is_paced(&self, threshold: Option<u32>) -> bool {
        let category = matches!(
            self.category,
            TemplateCategory::Marketing | TemplateCategory::Utility
        );
        threshold.is_some()
            && category
            && !self.pacing.assessed
            && self.quality_score != QualityScore::Green
    }

    /// Counts a send under pacing; whether it is held.
    pub(crate) fn pace(&mut self, threshold: Option<u32>) -> bool {
        let Some(limit) = threshold.filter(|_| self.is_paced(threshold)) else {
            return false;
        };
        self.pacing.sent = self.pacing.sent.saturating_add(1);
        self.pacing.sent > limit
    }

    /// The quality signal for a paced template: good ends pacing; bad pauses the template
    /// until it is unpaused. Returns the status change to report.
    pub(crate) fn signal(
        &mut self,
        signal: Signal,
        threshold: Option<u32>,
    ) -> Result<Option<StatusChanged>, Refusal> {
        if !self.is_paced(threshold) || self.status != TemplateStatus::Approved {
            return Err(Refusal::invalid(format!(
                "signal: template {} is not paced (pacing {}, status {}, category {}, quality {})",
                self.id,
                if threshold.is_some() { "on" } else { "off" },
                status_str(self.status),
                self.category.as_str(),
                self.quality_score
            )));
        }
        self.pacing.sent = 0;
        Ok(match signal {
            Signal::Good => {
                self.pacing.assessed = true;
                None
            }
            Signal::Bad => {
                self.pacing.paused = true;
                let change = self.set_status(
                    TemplateStatus::Paused,
                    TemplateStatusReason::NoReason.into(),
                );
                Some(change.titled(PauseTitle::FirstPause))
            }
        })
    }

    /// `POST /{template_id}/unpause`: a template paused by pacing is APPROVED and paced anew.
    pub(crate) fn unpause(&mut self) -> Result<StatusChanged, Refusal> {
        if self.status != TemplateStatus::Paused || !self.pacing.paused {
            return Err(Refusal::invalid(format!(
                "template_id: template {} is {}, not paused by pacing",
                self.id,
                status_str(self.status)
            )));
        }
        self.pacing = Pacing::default();
        Ok(self.approve().titled(PauseTitle::Unpause))
    }

    /// Its quality fell to RED: an APPROVED template takes the pausing ladder's next rung
    /// (Meta, "Template pausing"): paused 3 hours, then 6, then disabled. Returns the change
    /// to report and, for a pause, when it ends; `None` when the template is not APPROVED.
    pub(crate) fn quality_pause(
        &mut self,
        now: Timestamp,
    ) -> Option<(StatusChanged, Option<Timestamp>)> {
        if self.status != TemplateStatus::Approved {
            return None;
        }
        let rung = usize::from(self.quality_pauses);
        self.quality_pauses = self.quality_pauses.saturating_add(1);
        let reason: Open<TemplateStatusReason> = TemplateStatusReason::NoReason.into();
        Some(match QUALITY_PAUSES.get(rung) {
            Some(lasts) => {
                let until = now.plus(*lasts);
                self.paused_until = Some(until);
                let title = [PauseTitle::FirstPause, PauseTitle::SecondPause][rung];
                let change = self.set_status(TemplateStatus::Paused, reason);
                (change.titled(title), Some(until))
            }
            None => {
                let change = self.set_status(TemplateStatus::Disabled, reason);
                (change.titled(PauseTitle::Disabled), None)
            }
        })
    }

    /// A quality pause's time is up at `now`: the template is APPROVED again. `None` when it is
    /// no longer in that pause (edited, unpaused, set by the admin API or paused anew).
    pub(crate) fn end_quality_pause(&mut self, now: Timestamp) -> Option<StatusChanged> {
        let due = self.paused_until.is_some_and(|until| until <= now);
        if self.status != TemplateStatus::Paused || !due {
            return None;
        }
        self.paused_until = None;
        Some(self.approve().titled(PauseTitle::Unpause))
    }

    /// A content edit (components or category) at `now`: an APPROVED template may take one per
    /// 24 hours and ten per 30 days, and goes back to review (`PENDING`, not sendable); others
    /// are edited freely. Returns the status change to report, if any; changes nothing when
    /// refused.
    pub(crate) fn edit_content(
        &mut self,
        now: Timestamp,
    ) -> Result<Option<StatusChanged>, Refusal> {
        if self.status != TemplateStatus::Approved {
            return Ok(None);
        }
        self.approved_edits
            .retain(|at| now.since(*at) < EDIT_WINDOW);
        if let Some(last) = self.approved_edits.last()
            && now.since(*last) < EDIT_SPACING
        {
            return Err(Refusal::new(ErrorKind::TemplateEditLimit)
                .with("limit", "once per 24 hours")
                .with("next", last.plus(EDIT_SPACING).to_string()));
        }
        if self.approved_edits.len() >= EDITS_PER_WINDOW {
            let next = self.approved_edits[0].plus(EDIT_WINDOW);
            return Err(Refusal::new(ErrorKind::TemplateEditLimit)
                .with("limit", "10 times per 30 days")
                .with("next", next.to_string()));
        }
        self.approved_edits.push(now);
        Ok(Some(self.set_status(
            TemplateStatus::Pending,
            TemplateStatusReason::NoReason.into(),
        )))
    }

    /// All the template's text, for content rules.
    pub(crate) fn text(&self) -> String {
        let mut text = String::new();
        for c in &self.components {
            if let Some(t) = &c.text {
                text.push_str(t);
                text.push('\n');
            }
            for b in &c.buttons {
                text.extend(b.text.as_deref());
                text.push('\n');
            }
        }
        text
    }

    /// The review's verdict: the first matching rule rejects, otherwise the template is
    /// approved. Does nothing unless the template is still `PENDING`.
    pub(crate) fn review(&mut self, rules: &[RejectionRule]) -> Option<StatusChanged> {
        if self.status != TemplateStatus::Pending {
            return None;
        }
        match rules.iter().find(|r| r.matches(self)) {
            Some(rule) => Some(self.reject(rule.reason.clone())),
            None => Some(self.approve()),
        }
    }

    /// Approves the template.
    pub(crate) fn approve(&mut self) -> StatusChanged {
        self.set_status(
            TemplateStatus::Approved,
            TemplateStatusReason::NoReason.into(),
        )
    }

    /// Rejects the template for `reason`.
    pub(crate) fn reject(&mut self, reason: Open<TemplateStatusReason>) -> StatusChanged {
        self.set_status(TemplateStatus::Rejected, reason)
    }

    /// Sets any status (the admin override).
    pub(crate) fn set_status(
        &mut self,
        status: TemplateStatus,
        reason: Open<TemplateStatusReason>,
    ) -> StatusChanged {
        self.status = status;
        self.rejected_reason = reason.clone();
        StatusChanged {
            status,
            reason,
            pause: None,
        }
    }

    /// Whether a send may use this template, by status (rule 3 of `/marketing_messages`).
    pub(crate) fn check_sendable(&self) -> Result<(), Refusal> {
        match self.status {
            TemplateStatus::Approved => Ok(()),
            TemplateStatus::Paused => Err(Refusal::new(ErrorKind::TemplatePaused)),
            TemplateStatus::Disabled => Err(Refusal::new(ErrorKind::TemplateDisabled)),
            _ => Err(not_found(&self.name, &self.language)),
        }
    }

    /// Whether `message` sends as many parameters as each component has placeholders.
    pub(crate) fn check_parameters(&self, message: &TemplateMessage) -> Result<(), Refusal> {
        let kinds = [
            (
                TemplateComponentKind::Header,
                ComponentKind::Header,
                "header",
            ),
            (TemplateComponentKind::Body, ComponentKind::Body, "body"),
            (
                TemplateComponentKind::Buttons,
                ComponentKind::Button,
                "buttons",
            ),
        ];
        for (template_kind, send_kind, label) in kinds {
            let expected: usize = self
                .components
                .iter()
                .filter(|c| c.kind() == template_kind)
                .map(TemplateComponent::expected_parameter_count)
                .sum();
            let found = message.parameter_count(send_kind);
            if expected != found {
                return Err(Refusal::new(ErrorKind::TemplateParamCountMismatch)
                    .with("component", label)
                    .with("found", found.to_string())
                    .with("expected", expected.to_string()));
            }
        }
        Ok(())
    }

    /// The ad-sync rule for an MM API send at `now` (rule 6): refused while a sync is running;
    /// the first send on a dormant template goes through and starts a new sync.
    pub(crate) fn check_mm_send(&mut self, now: Timestamp) -> Result<(), Refusal> {
        if now < self.synced_at {
            return Err(Refusal::new(ErrorKind::TemplateSyncing));
        }
        let last_activity = self.last_mm_send.unwrap_or(self.synced_at);
        if now.since(last_activity) > DORMANT_AFTER {
            self.synced_at = now.plus(AD_SYNC);
        }
        self.last_mm_send = Some(now);
        Ok(())
    }

    /// The TTL a message sent with this template gets on `route`: a custom marketing TTL only
    /// applies on the MM API; `-1` means 30 days.
    pub(crate) fn message_ttl(&self, route: Route) -> Duration {
        let custom = match (self.category, route) {
            (TemplateCategory::Marketing, Route::CloudApi) => None,
            _ => self.ttl_seconds,
        };
        let seconds = match custom {
            Some(-1) => i64::from(TemplateCategory::Marketing.default_ttl()),
            Some(s) => s,
            None => i64::from(self.category.default_ttl()),
        };
        Duration::from_secs(u64::try_from(seconds).unwrap_or(0))
    }

    /// The template's enrolment in `key` (templates enrol every feature unless opted out).
    pub(crate) fn feature(&self, key: CreativeFeatureKey) -> EnrollStatus {
        self.creative_features
            .creative_features_spec
            .get(key)
            .map_or(EnrollStatus::OptIn, |e| e.enroll_status)
    }

    /// `degrees_of_freedom_spec` as the template node reads it back: every feature, upper-case
    /// keys, `{key, value:{enroll_status}}` entries.
    pub(crate) fn creative_features_read_back(&self) -> TemplateDofReadBack {
        TemplateDofReadBack {
            creative_features_spec: CreativeFeatureKey::ALL
                .into_iter()
                .map(|key| KeyedFeature {
                    key,
                    value: FeatureEnrollment {
                        enroll_status: self.feature(key),
                    },
                })
                .collect(),
        }
    }
}

/// A WABA's template creation at `now`, given its earlier ones (`log`, pruned here): at most
/// [`CREATIONS_PER_HOUR`] in any hour. Records it unless refused.
pub(crate) fn record_creation(log: &mut Vec<Timestamp>, now: Timestamp) -> Result<(), Refusal> {
    log.retain(|at| now.since(*at) < HOUR);
    if log.len() >= CREATIONS_PER_HOUR {
        return Err(Refusal::new(ErrorKind::TemplateCreationRateLimit)
            .with("next", log[0].plus(HOUR).to_string()));
    }
    log.push(now);
    Ok(())
}

/// `hsm_ids` of a bulk delete: a JSON list of 1 to [`MAX_HSM_IDS`] template ids, each a string
/// or a number of digits.
pub(crate) fn hsm_ids(text: &str) -> Result<Vec<TemplateId>, Refusal> {
    let expected = || {
        Refusal::invalid(format!(
            "hsm_ids: expected a JSON list of template ids such as [\"1234\",\"5678\"], found '{text}'"
        ))
    };
    let list: Vec<serde_json::Value> = serde_json::from_str(text).map_err(|_| expected())?;
    if list.is_empty() || list.len() > MAX_HSM_IDS {
        return Err(Refusal::invalid(format!(
            "hsm_ids: expected 1 to {MAX_HSM_IDS} template ids, found {}",
            list.len()
        )));
    }
    list.iter()
        .map(|id| match id {
            serde_json::Value::String(s) if is_id(s) => Ok(TemplateId::new(s.clone())),
            serde_json::Value::Number(n) if n.is_u64() => Ok(TemplateId::new(n.to_string())),
            _ => Err(expected()),
        })
        .collect()
}

fn is_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// 132001 for `name` in `language`.
pub(crate) fn not_found(name: &str, language: &str) -> Refusal {
    Refusal::new(ErrorKind::TemplateNotFound)
        .with("name", name)
        .with("language", language)
}

/// The features applied to an MM API message: those the template enrols and the WABA has not
/// opted out of.
pub(crate) fn effective_features(
    template: &Template,
    waba_setting: impl Fn(CreativeFeatureKey) -> Option<EnrollStatus>,
    rules: Rules,
) -> Vec<CreativeFeatureKey> {
    let default = waba_feature_default(rules);
    CreativeFeatureKey::ALL
        .into_iter()
        .filter(|&k| {
            template.feature(k) == EnrollStatus::OptIn
                && waba_setting(k).unwrap_or(default) == EnrollStatus::OptIn
        })
        .collect()
}

/// A WABA-level feature nobody set: on, as the MM API guide said ("All optimization features
/// are enabled by default"), until Meta turned them off by default on 2026-04-21.
pub(crate) fn waba_feature_default(rules: Rules) -> EnrollStatus {
    if rules.creative_optimisations_off_by_default {
        EnrollStatus::OptOut
    } else {
        EnrollStatus::OptIn
    }
}

/// All ten features with the WABA-level default ([`waba_feature_default`]) where nothing was
/// set, as [`effective_features`] treats them.
pub(crate) fn waba_features_with_defaults(
    spec: &DegreesOfFreedomSpec,
    rules: Rules,
) -> DegreesOfFreedomSpec {
    let default = waba_feature_default(rules);
    DegreesOfFreedomSpec {
        creative_features_spec: FeatureMap(
            CreativeFeatureKey::ALL
                .into_iter()
                .map(|k| {
                    let status = spec
                        .creative_features_spec
                        .get(k)
                        .map_or(default, |e| e.enroll_status);
                    (
                        k,
                        FeatureEnrollment {
                            enroll_status: status,
                        },
                    )
                })
                .collect(),
        ),
    }
}

/// The max price a create or edit sets, under the name Meta takes on the clock's day:
/// `optimization_spec` from 2026-06-18, `bid_spec` until 2026-07-31. Only MARKETING templates
/// have one.
pub(crate) fn max_price(
    optimization_spec: Option<OptimizationSpec>,
    bid_spec: Option<OptimizationSpec>,
    category: TemplateCategory,
    rules: Rules,
) -> Result<Option<OptimizationSpec>, Refusal> {
    let (field, spec) = match (optimization_spec, bid_spec) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => {
            return Err(Refusal::invalid(
                "optimization_spec: send the max price once, as optimization_spec (bid_spec is \
                 its former name)",
            ));
        }
        (Some(spec), None) => ("optimization_spec", spec),
        (None, Some(spec)) => ("bid_spec", spec),
    };
    if field == "optimization_spec" && !rules.optimization_spec {
        return Err(Refusal::invalid(
            "optimization_spec: not available before 2026-06-18; set the max price as bid_spec",
        ));
    }
    if field == "bid_spec" && rules.bid_spec_unsupported {
        return Err(Refusal::invalid(
            "bid_spec: no longer supported after 2026-07-31; use optimization_spec",
        ));
    }
    if category != TemplateCategory::Marketing {
        return Err(Refusal::invalid(format!(
            "{field}: a max price applies to MARKETING templates only, found {}",
            category.as_str()
        )));
    }
    if spec.bid_amount <= 0 {
        return Err(Refusal::invalid(format!(
            "{field}.bid_amount: expected a positive integer (the price per 1,000 deliveries), \
             found {}",
            spec.bid_amount
        )));
    }
    Ok(Some(spec))
}

/// Meta's create-time validations, in the order Graph applies them. `existing` are the WABA's
/// templates.
pub(crate) fn check_create(
    req: &TemplateCreateRequest,
    existing: &[&Template],
) -> Result<(), Refusal> {
    check_name(&req.name)?;
    if existing.len() >= MAX_TEMPLATES_PER_WABA {
        return Err(Refusal::new(ErrorKind::TemplateLimitExceeded));
    }
    if existing
        .iter()
        .any(|t| t.name == req.name && t.language == req.language)
    {
        return Err(
            Refusal::new(ErrorKind::TemplateDuplicate).with("language", req.language.as_str())
        );
    }
    check_components(&req.components)?;
    check_ttl(req.category, req.message_send_ttl_seconds)
}

fn check_name(name: &str) -> Result<(), Refusal> {
    if is_template_name(name) {
        Ok(())
    } else {
        Err(Refusal::new(ErrorKind::TemplateNameInvalid).with(
            "details",
            format!(
                "name: template names may only contain lowercase letters, digits and underscores \
                 (1 to 512 characters), found '{name}'"
            ),
        ))
    }
}

/// Component limits and examples for placeholders (also applied to edits).
pub(crate) fn check_components(components: &[TemplateComponent]) -> Result<(), Refusal> {
    let mut seen = BTreeSet::new();
    for (i, c) in components.iter().enumerate() {
        let kind = c.kind();
        let path = format!("components[{i}]");
        if kind == TemplateComponentKind::Other {
            return Err(Refusal::invalid(format!(
                "{path}.type: expected one of HEADER, BODY, FOOTER, BUTTONS, found '{}'",
                c.component_type
            )));
        }
        if !seen.insert(c.component_type.to_ascii_uppercase()) {
            return Err(Refusal::invalid(format!(
                "{path}.type: a template may have only one {} component",
                c.component_type.to_ascii_uppercase()
            )));
        }
        let limit = match kind {
            TemplateComponentKind::Body => 1024,
            TemplateComponentKind::Header | TemplateComponentKind::Footer => 60,
            _ => usize::MAX,
        };
        if let Some(text) = &c.text {
            let len = text.chars().count();
            if len > limit {
                return Err(Refusal::invalid(format!(
                    "{path}.text: at most {limit} characters allowed, found {len}"
                )));
            }
        }
        if c.buttons.len() > 10 {
            return Err(Refusal::invalid(format!(
                "{path}.buttons: at most 10 buttons allowed, found {}",
                c.buttons.len()
            )));
        }
        check_examples(&path, c)?;
    }
    if !seen.contains("BODY") {
        return Err(Refusal::invalid("components: a BODY component is required"));
    }
    Ok(())
}

/// A media header's example must be a handle the sandbox's Resumable Upload API issued
/// (`handle_type` gives an issued handle's file type, `None` for any other), for a file its
/// format takes: an image for IMAGE, an MP4 for VIDEO, a PDF for DOCUMENT (*invented*: Meta
/// documents neither refusal).
pub(crate) fn check_header_handles<'h>(
    components: &[TemplateComponent],
    handle_type: impl Fn(&str) -> Option<&'h str>,
) -> Result<(), Refusal> {
    let media_headers = components.iter().enumerate().filter(|(_, c)| {
        c.kind() == TemplateComponentKind::Header
            && c.format.as_deref().is_some_and(|f| {
                ["IMAGE", "VIDEO", "DOCUMENT"].contains(&f.to_ascii_uppercase().as_str())
            })
    });
    for (i, c) in media_headers {
        let format = c.format.as_deref().unwrap_or_default().to_ascii_uppercase();
        let handles = c
            .example
            .iter()
            .flat_map(|e| e.header_handle.iter().flatten());
        for (j, handle) in handles.enumerate() {
            let path = format!("components[{i}].example.header_handle[{j}]");
            let refuse = |details: String| {
                Refusal::new(ErrorKind::UploadHandleUnknown).with("details", details)
            };
            let Some(file_type) = handle_type(handle) else {
                return Err(refuse(format!(
                    "{path}: '{}' is not a handle this sandbox issued (upload the file with POST /{{app_id}}/uploads)",
                    handle.escape_debug()
                )));
            };
            let fits = match format.as_str() {
                "IMAGE" => file_type.starts_with("image/"),
                "VIDEO" => file_type == "video/mp4",
                _ => file_type == "application/pdf",
            };
            if !fits {
                return Err(refuse(format!(
                    "{path}: a {format} header needs a file of its kind, found {file_type}"
                )));
            }
        }
    }
    Ok(())
}

fn check_examples(path: &str, c: &TemplateComponent) -> Result<(), Refusal> {
    let Some(text) = c.text.as_deref() else {
        return Ok(());
    };
    let count = placeholders(text)
        .into_iter()
        .collect::<BTreeSet<_>>()
        .len();
    if count == 0 {
        return Ok(());
    }
    let example = c.example.as_ref();
    let provided = match c.kind() {
        TemplateComponentKind::Body => example.map_or(0, |e| {
            e.body_text
                .as_ref()
                .and_then(|rows| rows.first())
                .map(Vec::len)
                .or_else(|| e.body_text_named_params.as_ref().map(Vec::len))
                .unwrap_or(0)
        }),
        TemplateComponentKind::Header => example.map_or(0, |e| {
            e.header_text
                .as_ref()
                .map(Vec::len)
                .or_else(|| e.header_text_named_params.as_ref().map(Vec::len))
                .unwrap_or(0)
        }),
        _ => count,
    };
    if provided < count {
        return Err(Refusal::new(ErrorKind::TemplateExampleMissing).with(
            "details",
            format!(
                "{path}.example: {count} placeholder(s) in the text need example values, found {provided}"
            ),
        ));
    }
    Ok(())
}

/// `message_send_ttl_seconds` must lie in the category's range (`-1` allowed outside MARKETING).
pub(crate) fn check_ttl(category: TemplateCategory, ttl: Option<i64>) -> Result<(), Refusal> {
    let Some(ttl) = ttl else { return Ok(()) };
    let range = category.ttl_range();
    let in_range = (i64::from(*range.start())..=i64::from(*range.end())).contains(&ttl);
    if in_range || (ttl == -1 && category.accepts_unlimited_ttl()) {
        Ok(())
    } else {
        Err(Refusal::invalid(format!(
            "message_send_ttl_seconds: expected {} to {} for {} templates, found {ttl}",
            range.start(),
            range.end(),
            category.as_str()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(v: serde_json::Value) -> TemplateCreateRequest {
        serde_json::from_value(v).unwrap()
    }

    fn promo() -> TemplateCreateRequest {
        request(
            json!({"name":"promo","language":"en_US","category":"MARKETING","components":[
            {"type":"BODY","text":"Hi {{1}}","example":{"body_text":[["Ann"]]}}]}),
        )
    }

    fn template() -> Template {
        Template::create(
            TemplateId::new("1"),
            WabaId::new("2"),
            promo(),
            None,
            Timestamp::MANUAL_START,
        )
    }

    fn hours(n: u64) -> Duration {
        Duration::from_secs(n * 3600)
    }

    #[test]
    fn quality_pauses_last_three_then_six_hours_and_the_third_disables() {
        let mut t = template();
        t.status = TemplateStatus::Approved;
        let start = Timestamp::MANUAL_START;
        let rung = |t: &mut Template, at| {
            let (change, until) = t.quality_pause(at).unwrap();
            (change.status, change.pause, until)
        };
        let until = start.plus(hours(3));
        assert_eq!(
            rung(&mut t, start),
            (
                TemplateStatus::Paused,
                Some(PauseTitle::FirstPause),
                Some(until)
            )
        );
        assert!(t.quality_pause(start).is_none(), "paused: no second rung");
        assert!(t.end_quality_pause(start.plus(hours(2))).is_none());
        let resumed = t.end_quality_pause(until).unwrap();
        assert_eq!(
            (resumed.status, resumed.pause),
            (TemplateStatus::Approved, Some(PauseTitle::Unpause))
        );
        let later = until.plus(hours(1));
        assert_eq!(
            rung(&mut t, later),
            (
                TemplateStatus::Paused,
                Some(PauseTitle::SecondPause),
                Some(later.plus(hours(6)))
            )
        );
        t.end_quality_pause(later.plus(hours(6))).unwrap();
        assert_eq!(
            rung(&mut t, later.plus(hours(7))),
            (TemplateStatus::Disabled, Some(PauseTitle::Disabled), None)
        );
        assert!(t.end_quality_pause(later.plus(hours(100))).is_none());
        assert_eq!(
            t.check_sendable().unwrap_err().kind,
            ErrorKind::TemplateDisabled
        );
    }

    #[test]
    fn an_approved_template_takes_one_content_edit_a_day_and_ten_in_thirty_days() {
        let mut t = template();
        t.status = TemplateStatus::Approved;
        let start = Timestamp::MANUAL_START;
        let change = t.edit_content(start).unwrap().unwrap();
        assert_eq!(change.status, TemplateStatus::Pending);
        t.status = TemplateStatus::Approved;
        let refused = t.edit_content(start.plus(hours(23))).unwrap_err();
        assert_eq!(refused.kind, ErrorKind::TemplateEditLimit);
        for day in 1..10 {
            t.status = TemplateStatus::Approved;
            assert!(
                t.edit_content(start.plus(hours(24 * day))).is_ok(),
                "day {day}"
            );
        }
        t.status = TemplateStatus::Approved;
        let tenth_day = t.edit_content(start.plus(hours(24 * 10))).unwrap_err();
        assert_eq!(tenth_day.kind, ErrorKind::TemplateEditLimit);
        assert_eq!(
            t.status,
            TemplateStatus::Approved,
            "a refused edit changes nothing"
        );
        assert!(t.edit_content(start.plus(hours(24 * 30))).is_ok());
        t.status = TemplateStatus::Rejected;
        assert_eq!(t.edit_content(start.plus(hours(24 * 30 + 1))), Ok(None));
    }

    #[test]
    fn a_paced_template_holds_past_the_threshold_until_its_signal() {
        let mut t = template();
        t.status = TemplateStatus::Approved;
        assert!(!t.pace(None), "pacing off");
        let held: Vec<bool> = (0..3).map(|_| t.pace(Some(2))).collect();
        assert_eq!(held, [false, false, true]);
        assert_eq!(t.signal(Signal::Good, Some(2)), Ok(None));
        assert!(!t.pace(Some(2)), "assessed: no longer paced");
        assert!(
            t.signal(Signal::Bad, Some(2)).is_err(),
            "not paced any more"
        );
        assert!(t.unpause().is_err(), "not paused");

        let mut t = template();
        t.status = TemplateStatus::Approved;
        let paused = t.signal(Signal::Bad, Some(2)).unwrap().unwrap();
        assert_eq!(paused.status, TemplateStatus::Paused);
        assert_eq!(
            t.check_sendable().unwrap_err().kind,
            ErrorKind::TemplatePaused
        );
        assert_eq!(t.unpause().unwrap().status, TemplateStatus::Approved);
        assert_eq!(t.pacing, Pacing::default(), "paced anew");

        t.quality_score = QualityScore::Green;
        assert!(!t.is_paced(Some(2)), "GREEN templates are not paced");
    }

    #[test]
    fn a_waba_creates_at_most_a_hundred_templates_an_hour() {
        let mut log = Vec::new();
        let start = Timestamp::MANUAL_START;
        for _ in 0..CREATIONS_PER_HOUR {
            assert_eq!(record_creation(&mut log, start), Ok(()));
        }
        let refused = record_creation(&mut log, start.plus(hours(1) - Duration::from_secs(1)));
        assert_eq!(
            refused.unwrap_err().kind,
            ErrorKind::TemplateCreationRateLimit
        );
        assert_eq!(record_creation(&mut log, start.plus(hours(1))), Ok(()));
        assert_eq!(log.len(), 1);
    }

    #[test]
    fn hsm_ids_are_a_json_list_of_one_to_a_hundred_ids() {
        let ids = hsm_ids(r#"["11", 12]"#).unwrap();
        assert_eq!(ids, [TemplateId::new("11"), TemplateId::new("12")]);
        for bad in ["11,12", "[]", r#"["x"]"#, "[1.5]", r#"{"a":1}"#] {
            let err = hsm_ids(bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::InvalidParameter, "{bad}");
        }
        let many = format!("[{}]", vec!["1"; MAX_HSM_IDS + 1].join(","));
        assert!(hsm_ids(&many).is_err());
        assert_eq!(
            hsm_ids(&format!("[{}]", vec!["1"; MAX_HSM_IDS].join(","))).map(|v| v.len()),
            Ok(100)
        );
    }

    #[test]
    fn a_valid_request_passes_and_a_duplicate_is_refused() {
        assert_eq!(check_create(&promo(), &[]), Ok(()));
        let t = template();
        let err = check_create(&promo(), &[&t]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TemplateDuplicate);
    }

    #[test]
    fn placeholders_without_examples_are_refused() {
        let req = request(json!({"name":"p","language":"en","category":"MARKETING",
            "components":[{"type":"BODY","text":"Hi {{1}} {{2}}"}]}));
        let err = check_create(&req, &[]).unwrap_err();
        assert_eq!(err.kind, ErrorKind::TemplateExampleMissing);
    }

    #[test]
    fn names_must_be_lowercase_snake_case() {
        let mut req = promo();
        req.name = "Promo-1".to_owned();
        assert_eq!(
            check_create(&req, &[]).unwrap_err().kind,
            ErrorKind::TemplateNameInvalid
        );
    }

    #[test]
    fn ttl_outside_the_category_range_is_refused() {
        assert!(check_ttl(TemplateCategory::Marketing, Some(600)).is_err());
        assert!(check_ttl(TemplateCategory::Marketing, Some(43_200)).is_ok());
        assert!(check_ttl(TemplateCategory::Utility, Some(-1)).is_ok());
        assert!(check_ttl(TemplateCategory::Marketing, Some(-1)).is_err());
    }

    #[test]
    fn review_rejects_by_rule_and_approves_otherwise() {
        let rule = RejectionRule {
            name_contains: None,
            content_contains: Some("HI".to_owned()),
            reason: TemplateStatusReason::Promotional.into(),
        };
        let mut t = template();
        let change = t.review(std::slice::from_ref(&rule)).unwrap();
        assert_eq!(change.status, TemplateStatus::Rejected);
        assert_eq!(
            t.review(&[rule]),
            None,
            "only pending templates are reviewed"
        );
        let mut t = template();
        assert_eq!(t.review(&[]).unwrap().status, TemplateStatus::Approved);
    }

    #[test]
    fn mm_sends_wait_for_the_sync_and_dormancy_restarts_it() {
        let mut t = template();
        let start = Timestamp::MANUAL_START;
        assert!(
            t.check_mm_send(start.plus(Duration::from_secs(60)))
                .is_err()
        );
        assert!(t.check_mm_send(start.plus(AD_SYNC)).is_ok());
        let later = start.plus(AD_SYNC + DORMANT_AFTER + Duration::from_secs(1));
        assert!(
            t.check_mm_send(later).is_ok(),
            "the first dormant send goes through"
        );
        assert!(t.check_mm_send(later.plus(Duration::from_secs(1))).is_err());
        assert!(t.check_mm_send(later.plus(AD_SYNC)).is_ok());
    }

    #[test]
    fn status_names_match_the_wire_spelling() {
        for status in [
            TemplateStatus::Approved,
            TemplateStatus::Paused,
            TemplateStatus::LimitExceeded,
        ] {
            let wire = serde_json::to_value(status).unwrap();
            assert_eq!(wire, status_str(status));
        }
    }

    #[test]
    fn custom_marketing_ttl_only_applies_on_the_mm_api() {
        let mut t = template();
        t.ttl_seconds = Some(43_200);
        assert_eq!(
            t.message_ttl(Route::MarketingMessages),
            Duration::from_secs(43_200)
        );
        assert_eq!(
            t.message_ttl(Route::CloudApi),
            Duration::from_secs(2_592_000)
        );
    }
}
