//! The user's side, driven by the admin API: recipient profiles and ids, the messages and
//! button taps users send, their link clicks, marketing preferences and BSUID changes.

use wa_contract::payload::webhook::MarketingPreference;

use super::{SandboxState, Session};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::click::{Click, ClickComponent, ClickedTemplate, url_button};
use crate::domain::events::{
    BusinessNumber, EventKind, InboundMessage, LinkClicked, UserIdChange, UserPreferenceChange,
};
use crate::domain::identity::Identity;
use crate::domain::inbound::{InboundBody, Received};
use crate::domain::recipient::{Profile, next_bsuid, stops_promotions};
use crate::ids::{PhoneNumberId, Wamid};

/// Who a user is, as an admin call names them.
#[derive(Clone, Debug)]
pub(crate) enum UserRef {
    /// By phone number (digits).
    Phone(String),
    /// By BSUID or parent BSUID.
    Bsuid(String),
    /// By both: the business learns that the BSUID has this phone number.
    Both {
        /// Phone digits.
        phone: String,
        /// BSUID (not a parent one).
        user_id: String,
    },
}

impl Session<'_> {
    /// `POST /{phone_number_id}/messages` with `status: read`: marks a message the user sent
    /// to this number read (and shows a typing indicator). Marking it read again is fine.
    pub(crate) fn mark_read(
        &mut self,
        phone_id: &PhoneNumberId,
        message_id: &str,
        typing_indicator: bool,
    ) -> Result<(), Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let received = state
            .received
            .iter_mut()
            .rev()
            .find(|m| m.id.as_str() == message_id && &m.phone_number_id == phone_id)
            .ok_or_else(|| {
                Refusal::invalid(format!(
                    "message_id: no message '{}' was received by this phone number",
                    message_id.escape_debug()
                ))
            })?;
        received.read_at.get_or_insert(now);
        if typing_indicator {
            received.typing_indicator_at = Some(now);
        }
        Ok(())
    }
}

impl SandboxState {
    /// Keeps a received message, dropping the oldest beyond the message retention.
    fn receive(&mut self, message: Received) {
        if self.received.len() >= self.retention.messages.max(1) {
            self.received.pop_front();
        }
        self.received.push_back(message);
    }

    /// The messages users sent, oldest first.
    pub(crate) fn received(&self) -> impl Iterator<Item = &Received> {
        self.received.iter()
    }

    /// The user `who` names, as the sandbox knows them.
    pub(crate) fn identify(&self, who: &UserRef) -> Identity {
        match who {
            UserRef::Phone(digits) => self.recipients.by_phone(digits),
            UserRef::Bsuid(bsuid) => self.recipients.by_bsuid(bsuid),
            UserRef::Both { phone, user_id } => Identity {
                wa_id: Some(phone.clone()),
                ..self.recipients.by_bsuid(user_id)
            },
        }
    }

    fn business_number(&self, phone_id: &PhoneNumberId) -> Option<BusinessNumber> {
        self.phones
            .iter()
            .find(|p| &p.id == phone_id)
            .map(|p| BusinessNumber {
                waba_id: p.waba_id.clone(),
                phone_number_id: p.id.clone(),
                display_phone_number: p.display_phone_number.clone(),
            })
    }

    /// Records a `user_preferences` change when the user's marketing preference moved.
    fn set_marketing_preference(
        &mut self,
        number: &BusinessNumber,
        who: &Identity,
        stop: bool,
        now: Timestamp,
    ) -> bool {
        let changed = if stop {
            self.recipients.opt_out(who)
        } else {
            self.recipients.resume(who)
        };
        if changed {
            let profile_name = self.recipients.profile(who).name.to_string();
            self.outbox.push(
                now,
                EventKind::from(UserPreferenceChange {
                    number: number.clone(),
                    user: who.clone(),
                    profile_name,
                    value: if stop {
                        MarketingPreference::Stop
                    } else {
                        MarketingPreference::Resume
                    },
                }),
            );
        }
        changed
    }
}

impl Session<'_> {
    /// Sets a recipient's profile and ids (admin).
    pub(crate) fn set_recipient(&mut self, who: &Identity, profile: Profile) {
        self.state().recipients.set_profile(who, profile);
    }

    /// A user message or button tap arrives (admin): it opens the customer-service window, and
    /// a tap on a "stop promotions" button opts the user out of marketing (with its
    /// `user_preferences` webhook).
    pub(crate) fn inbound(
        &mut self,
        phone_id: &PhoneNumberId,
        who: &UserRef,
        name: Option<String>,
        body: InboundBody,
    ) -> Option<Wamid> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let number = state.business_number(phone_id)?;
        let user = state.identify(who);
        let wamid = state.ids.wamids.wamid(user.wa_id_or_bsuid());
        let stop = matches!(&body, InboundBody::Button { text, .. } if stops_promotions(text));
        state.recipients.record_inbound(&user, now);
        state.receive(Received {
            id: wamid.clone(),
            phone_number_id: number.phone_number_id.clone(),
            user: user.clone(),
            message_type: body.kind(),
            at: now,
            read_at: None,
            typing_indicator_at: None,
        });
        let profile_name = name.unwrap_or_else(|| state.recipients.profile(&user).name.to_string());
        state.outbox.push(
            now,
            EventKind::from(InboundMessage {
                waba_id: number.waba_id.clone(),
                phone_number_id: number.phone_number_id.clone(),
                display_phone_number: number.display_phone_number.clone(),
                profile_name,
                user: user.clone(),
                id: wamid.clone(),
                at: now,
                body,
            }),
        );
        if stop {
            state.set_marketing_preference(&number, &user, true, now);
        }
        Some(wamid)
    }

    /// The user clicks a link in a message the business sent them (admin): the click is kept
    /// on the message and reported with Meta's click webhook. Refused, changing nothing (not
    /// even the id streams), unless Meta would report it; `phone_id` must be the sender's.
    pub(crate) fn click(
        &mut self,
        who: &UserRef,
        phone_id: Option<&PhoneNumberId>,
        message_id: &str,
        component: ClickComponent,
    ) -> Result<Click, Refusal> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let user = state.identify(who);
        let wamid = Wamid::new(message_id);
        let message = state.messages.get(&wamid).ok_or_else(|| {
            Refusal::invalid(format!(
                "click.message_id: no message '{}' was sent in this sandbox",
                message_id.escape_debug()
            ))
        })?;
        if let Some(phone_id) = phone_id.filter(|p| **p != message.phone_number_id) {
            return Err(Refusal::invalid(format!(
                "phone_number_id: message '{message_id}' was sent from {}, not {}",
                message.phone_number_id,
                phone_id.as_str().escape_debug()
            )));
        }
        let template = state.template_of(message).map(|t| ClickedTemplate {
            name: &t.name,
            url_button: url_button(&t.components),
            tracking_opted_out: t.cta_url_link_tracking_opted_out == Some(true),
        });
        let button_text = message.check_click(template, &user, component, now)?;
        let recipient = Identity::clone(&message.recipient);
        let number = state
            .business_number(&message.phone_number_id)
            .ok_or_else(|| {
                Refusal::invalid(format!(
                    "click.message_id: the number that sent '{message_id}' is gone"
                ))
            })?;
        let click = Click {
            component,
            button_text,
            click_id: state.ids.clicks.click_id(),
            tracking_token: state.ids.clicks.tracking_token(),
            at: now,
        };
        if let Some(message) = state.messages.get_mut(&wamid) {
            message.clicks.push(click.clone());
        }
        state.outbox.push(
            now,
            EventKind::from(LinkClicked {
                number,
                message_id: wamid,
                user: recipient,
                click: click.clone(),
            }),
        );
        Ok(click)
    }

    /// The user stops or resumes marketing messages from the business (admin); `None` when the
    /// phone number is unknown, `Some(false)` when the preference was already so (no webhook).
    pub(crate) fn set_marketing_preference(
        &mut self,
        phone_id: &PhoneNumberId,
        who: &UserRef,
        stop: bool,
    ) -> Option<bool> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let number = state.business_number(phone_id)?;
        let user = state.identify(who);
        let changed = state.set_marketing_preference(&number, &user, stop, now);
        Some(changed)
    }

    /// The user's BSUID changes (admin; Meta gives a new one when the user changes their phone
    /// number): a `user_id_update` webhook and the `system` message `user_changed_user_id`.
    /// Returns the user as now known, or `None` when the phone number is unknown.
    pub(crate) fn change_user_id(
        &mut self,
        phone_id: &PhoneNumberId,
        who: &UserRef,
        new_user_id: Option<String>,
    ) -> Option<Identity> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let number = state.business_number(phone_id)?;
        let previous = state.identify(who);
        let new_user_id = new_user_id.unwrap_or_else(|| next_bsuid(&previous.user_id));
        let current = state.recipients.change_user_id(&previous, new_user_id);
        let profile_name = state.recipients.profile(&current).name.to_string();
        let wamid = state.ids.wamids.wamid(current.wa_id_or_bsuid());
        state.outbox.push(
            now,
            EventKind::from(UserIdChange {
                number: number.clone(),
                previous: previous.clone(),
                current: current.clone(),
                profile_name: profile_name.clone(),
            }),
        );
        state.outbox.push(
            now,
            EventKind::from(InboundMessage {
                waba_id: number.waba_id,
                phone_number_id: number.phone_number_id,
                display_phone_number: number.display_phone_number,
                profile_name,
                user: previous,
                id: wamid,
                at: now,
                body: InboundBody::UserIdChanged {
                    current: current.clone(),
                },
            }),
        );
        Some(current)
    }

    /// The user moves to the phone number `wa_id` (admin): the `system` message
    /// `user_changed_number`, sent from the old number; later sends to the new number reach
    /// the same user and their statuses name it. `None` when the business number is unknown.
    pub(crate) fn change_number(
        &mut self,
        phone_id: &PhoneNumberId,
        who: &UserRef,
        wa_id: String,
    ) -> Option<Identity> {
        let (_, sandbox, state) = self.parts();
        let now = sandbox.clock.now();
        let number = state.business_number(phone_id)?;
        let previous = state.identify(who);
        let current = state.recipients.change_phone(&previous, wa_id);
        let profile_name = state.recipients.profile(&current).name.to_string();
        let wamid = state.ids.wamids.wamid(previous.wa_id_or_bsuid());
        state.outbox.push(
            now,
            EventKind::from(InboundMessage {
                waba_id: number.waba_id,
                phone_number_id: number.phone_number_id,
                display_phone_number: number.display_phone_number,
                profile_name,
                user: previous,
                id: wamid,
                at: now,
                body: InboundBody::NumberChanged {
                    current: current.clone(),
                },
            }),
        );
        Some(current)
    }
}
