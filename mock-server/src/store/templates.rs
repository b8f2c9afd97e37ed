//! Templates: creation (with its review scheduled on the clock), edits, deletion and the admin
//! API's status, quality and category overrides. Every change is an event.

use std::sync::Arc;

use wa_contract::payload::enums::Open;
use wa_contract::payload::template::{
    TemplateCategory, TemplateCreateRequest, TemplateEditRequest, TemplateStatus,
};
use wa_contract::payload::webhook::{QualityScore, TemplateStatusReason};

use super::{ObjectKind, SandboxState, Session};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::changes::Changelog;
use crate::domain::events::{
    EventKind, TemplateCategoryChange, TemplateQualityChange, TemplateStatusChange,
};
use crate::domain::template::{
    self, StatusChanged, Template, check_components, check_create, check_header_handles, check_ttl,
};
use crate::ids::{TemplateId, WabaId};

impl Session<'_> {
    /// `POST /{waba_id}/message_templates`: validates, stores a PENDING template and schedules
    /// its review.
    pub(crate) fn create_template(
        &mut self,
        waba_id: &WabaId,
        req: TemplateCreateRequest,
    ) -> Result<(TemplateId, TemplateCategory), Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let existing: Vec<&Template> = state
            .templates
            .iter()
            .filter(|t| &t.waba_id == waba_id)
            .collect();
        check_create(&req, &existing)?;
        check_header_handles(&req.components, |h| state.handle_type(h))?;
        let rules = Changelog::builtin().rules(now);
        let business_id = state
            .wabas
            .iter()
            .find(|w| &w.id == waba_id)
            .map(|w| &w.business_id);
        if let Some(business) = state.businesses.iter().find(|b| Some(&b.id) == business_id) {
            business.check_review(rules)?;
        }
        let price = template::max_price(
            req.optimization_spec.clone(),
            req.bid_spec.clone(),
            req.category,
            rules,
        )?;
        if let Some(waba) = state.wabas.iter_mut().find(|w| &w.id == waba_id) {
            template::record_creation(&mut waba.template_creations, now)?;
        }
        let id = state.ids.templates.template_id();
        let category = req.category;
        let template = Template::create(id.clone(), waba_id.clone(), req, price, now);
        state
            .objects
            .insert(Arc::from(id.as_str()), ObjectKind::Template);
        state.templates.push(template);
        let change = StatusChanged {
            status: TemplateStatus::Pending,
            reason: TemplateStatusReason::NoReason.into(),
            pause: None,
        };
        state.record_template_change(&id, &change, now);
        self.schedule_review(id.clone());
        Ok((id, category))
    }

    /// Reviews a PENDING template after the sandbox's review delay.
    fn schedule_review(&mut self, id: TemplateId) {
        let at = self.sandbox.clock.now().plus(self.state().review_delay);
        if let Some(t) = self.state().template_mut(&id) {
            t.review_at = Some(at);
        }
        self.resume_review(id, at);
    }

    /// Schedules the review of template `id` due at `at`.
    pub(super) fn resume_review(&self, id: TemplateId, at: Timestamp) {
        let job = self.job(move |session, at| {
            let state = session.state();
            let rules = state.rejection_rules.clone();
            let change = state.template_mut(&id).and_then(|t| {
                t.review_at = None;
                t.review(&rules)
            });
            if let Some(change) = change {
                state.record_template_change(&id, &change, at);
            }
        });
        self.sandbox.clock.schedule_at(at, job);
    }

    /// `POST /{template_id}`: edits components, category, TTL or creative features. A content
    /// edit (components or category) of an APPROVED template is limited and sends it back to
    /// review.
    pub(crate) fn edit_template(
        &mut self,
        id: &TemplateId,
        req: TemplateEditRequest,
    ) -> Result<(), Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let rules = Changelog::builtin().rules(now);
        if let Some(components) = &req.components {
            check_components(components)?;
            check_header_handles(components, |h| state.handle_type(h))?;
        }
        let t = state
            .template_mut(id)
            .ok_or_else(|| Refusal::invalid("template not found"))?;
        let category = req.category.unwrap_or(t.category);
        check_ttl(category, req.message_send_ttl_seconds)?;
        let price = template::max_price(
            req.optimization_spec.clone(),
            req.bid_spec.clone(),
            category,
            rules,
        )?;
        let content = req.components.is_some() || category != t.category;
        let review = if content { t.edit_content(now)? } else { None };
        // A template recategorised away from MARKETING loses its max price.
        if category != TemplateCategory::Marketing {
            t.max_price = None;
        }
        if price.is_some() {
            t.max_price = price;
        }
        if category != t.category {
            t.ttl_seconds = None;
        }
        t.category = category;
        if let Some(components) = req.components {
            t.components = components;
        }
        if let Some(format) = req.parameter_format {
            t.parameter_format = format;
        }
        if let Some(ttl) = req.message_send_ttl_seconds {
            t.ttl_seconds = Some(ttl);
        }
        if let Some(spec) = &req.degrees_of_freedom_spec {
            crate::domain::waba::merge_features(&mut t.creative_features, spec);
        }
        if let Some(opted_out) = req.cta_url_link_tracking_opted_out {
            t.cta_url_link_tracking_opted_out = Some(opted_out);
        }
        if let Some(change) = review {
            state.record_template_change(id, &change, now);
            self.schedule_review(id.clone());
        }
        Ok(())
    }

    /// `DELETE /{waba_id}/message_templates?name=…[&hsm_id=…]`: returns how many were deleted.
    pub(crate) fn delete_templates(
        &mut self,
        waba_id: &WabaId,
        name: &str,
        hsm_id: Option<&TemplateId>,
    ) -> usize {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let doomed: Vec<TemplateId> = state
            .templates
            .iter()
            .filter(|t| {
                &t.waba_id == waba_id && t.name == name && hsm_id.is_none_or(|h| h == &t.id)
            })
            .map(|t| t.id.clone())
            .collect();
        state.remove_templates(&doomed, now);
        doomed.len()
    }

    /// `DELETE /{waba_id}/message_templates?hsm_ids=[…]`: deletes every template named, all of
    /// them the WABA's, or none (the refusal names the first that is not).
    pub(crate) fn delete_templates_by_id(
        &mut self,
        waba_id: &WabaId,
        ids: &[TemplateId],
    ) -> Result<(), Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        if let Some(stranger) = ids
            .iter()
            .find(|id| state.template(id).is_none_or(|t| &t.waba_id != waba_id))
        {
            return Err(Refusal::invalid(format!(
                "hsm_ids: no message template with id {stranger} in this WhatsApp Business Account"
            )));
        }
        state.remove_templates(ids, now);
        Ok(())
    }
}

impl Session<'_> {
    /// `POST /{template_id}/unpause`: resumes a template paused by pacing.
    pub(crate) fn unpause_template(&mut self, id: &TemplateId) -> Result<(), Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let change = state
            .template_mut(id)
            .ok_or_else(|| Refusal::invalid("template not found"))?
            .unpause()?;
        state.record_template_change(id, &change, now);
        Ok(())
    }

    /// Sets a template's status (admin).
    pub(crate) fn set_template_status(
        &mut self,
        id: &TemplateId,
        status: TemplateStatus,
        reason: Option<Open<TemplateStatusReason>>,
    ) -> Option<()> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let change = state.template_mut(id)?.set_status(
            status,
            reason.unwrap_or(TemplateStatusReason::NoReason.into()),
        );
        state.record_template_change(id, &change, now);
        Some(())
    }
}

/// Why a quality or category change was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TemplateChangeError {
    /// No template has this id.
    Unknown,
    /// The change would change nothing; the text names the field.
    Unchanged(String),
    /// A rule refused the change.
    Refused(Refusal),
}

/// How long after an impending category notice Meta's change would take effect (*invented*:
/// Meta gives the time in the notice, not a rule).
const CATEGORY_NOTICE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

impl Session<'_> {
    /// Sets a template's quality score (admin), with its `message_template_quality_update`; an
    /// APPROVED template falling to RED takes the pausing ladder's next rung.
    pub(crate) fn set_template_quality(
        &mut self,
        id: &TemplateId,
        score: QualityScore,
    ) -> Result<(), TemplateChangeError> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let t = state.template_mut(id).ok_or(TemplateChangeError::Unknown)?;
        if t.quality_score == score {
            return Err(TemplateChangeError::Unchanged(format!(
                "quality_score: the template's score is {score} already"
            )));
        }
        let previous = std::mem::replace(&mut t.quality_score, score);
        let kind = EventKind::from(TemplateQualityChange {
            waba_id: t.waba_id.clone(),
            template_id: t.id.clone(),
            name: t.name.clone(),
            language: t.language.clone(),
            previous,
            new: score,
        });
        let pause = (score == QualityScore::Red)
            .then(|| t.quality_pause(now))
            .flatten();
        state.outbox.push(now, kind);
        if let Some((change, until)) = pause {
            state.record_template_change(id, &change, now);
            if let Some(until) = until {
                self.schedule_pause_end(id.clone(), until);
            }
        }
        Ok(())
    }

    /// Ends a quality pause at `until`, unless the template left it meanwhile.
    pub(super) fn schedule_pause_end(&self, id: TemplateId, until: Timestamp) {
        let job = self.job(move |session, at| {
            let state = session.state();
            if let Some(change) = state
                .template_mut(&id)
                .and_then(|t| t.end_quality_pause(at))
            {
                state.record_template_change(&id, &change, at);
            }
        });
        self.sandbox.clock.schedule_at(until, job);
    }

    /// Announces (`impending`) or makes a template's recategorisation (admin), with its
    /// `template_category_update`. Returns the category the template has now.
    pub(crate) fn set_template_category(
        &mut self,
        id: &TemplateId,
        category: TemplateCategory,
        impending: bool,
    ) -> Result<TemplateCategory, TemplateChangeError> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let t = state.template_mut(id).ok_or(TemplateChangeError::Unknown)?;
        if t.category == category {
            return Err(TemplateChangeError::Unchanged(format!(
                "category: the template is {} already",
                category.as_str()
            )));
        }
        let previous = t.category;
        if !impending {
            t.category = category;
        }
        let kind = EventKind::from(TemplateCategoryChange {
            waba_id: t.waba_id.clone(),
            template_id: t.id.clone(),
            name: t.name.clone(),
            language: t.language.clone(),
            previous: (!impending).then_some(previous),
            new: category,
            correct: impending.then_some(category),
            effective_at: impending.then(|| now.plus(CATEGORY_NOTICE)),
        });
        let current = t.category;
        state.outbox.push(now, kind);
        Ok(current)
    }
}

impl SandboxState {
    /// Deletes templates, each announced `DELETED`.
    fn remove_templates(&mut self, doomed: &[TemplateId], now: Timestamp) {
        for id in doomed {
            let change = StatusChanged {
                status: TemplateStatus::Deleted,
                reason: TemplateStatusReason::NoReason.into(),
                pause: None,
            };
            self.record_template_change(id, &change, now);
        }
        self.templates.retain(|t| !doomed.contains(&t.id));
        for id in doomed {
            self.objects.remove(id.as_str());
        }
    }

    pub(super) fn record_template_change(
        &mut self,
        id: &TemplateId,
        change: &StatusChanged,
        at: Timestamp,
    ) {
        let Some(t) = self.template(id) else { return };
        let kind = EventKind::from(TemplateStatusChange {
            waba_id: t.waba_id.clone(),
            template_id: t.id.clone(),
            name: t.name.clone(),
            language: t.language.clone(),
            category: t.category,
            event: change.status,
            reason: change.reason.clone(),
            pause: change.pause,
        });
        self.outbox.push(at, kind);
    }
}
