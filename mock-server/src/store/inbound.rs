//! The user's side, driven by the admin API: recipient profiles and ids, the messages and
//! button taps users send, their link clicks, marketing preferences and BSUID changes.

use wa_contract::ErrorKind;
use wa_contract::payload::webhook::{InboundContext, InboundMedia, MarketingPreference, Referral};

use super::{SandboxState, Session};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::click::{Click, ClickComponent, ClickedTemplate, url_button};
use crate::domain::events::{
    BusinessNumber, EventKind, InboundMessage, LinkClicked, UserIdChange, UserPreferenceChange,
};
use crate::domain::identity::{Identity, digits};
use crate::domain::inbound::{InboundBody, Received};
use crate::domain::media::{MediaKind, Upload, check_kind, essence};
use crate::domain::recipient::{Profile, next_bsuid, stops_promotions};
use crate::ids::{PhoneNumberId, Wamid};

/// A message a user sends, as the admin API took it in.
#[derive(Clone, Debug)]
pub(crate) struct UserMessage {
    /// The business number it goes to.
    pub(crate) phone_id: PhoneNumberId,
    /// The sender.
    pub(crate) who: UserRef,
    /// The sender's profile name, if the call gave one.
    pub(crate) name: Option<String>,
    /// What it says.
    pub(crate) content: Content,
    /// The wamid it replies to.
    pub(crate) context: Option<String>,
    /// The ad or post the user came from.
    pub(crate) referral: Option<Referral>,
}

/// What a user's message says: a body as is, or a file still to store.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    /// Anything but media.
    Body(InboundBody),
    /// A photo, video, audio, document or sticker.
    Media(MediaContent),
}

/// A file a user sends: its kind, where its bytes come from, and its node's other fields
/// (`id`, `mime_type` and `sha256` are filled in from the stored file).
#[derive(Clone, Debug)]
pub(crate) struct MediaContent {
    /// The message type.
    pub(crate) kind: MediaKind,
    /// The bytes.
    pub(crate) source: MediaSource,
    /// Caption, file name, `voice`, `animated`.
    pub(crate) node: InboundMedia,
}

/// Where a user's file comes from.
#[derive(Clone, Debug)]
pub(crate) enum MediaSource {
    /// A media id the sandbox holds.
    Stored(String),
    /// New bytes.
    New(Upload),
}

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

    /// The `context` of a reply or reaction by `user` to the message `id` in their chat with
    /// `number`: a message the number sent them (from the number) or one they sent it (from
    /// them).
    fn context_of(
        &self,
        number: &BusinessNumber,
        user: &Identity,
        id: &str,
        field: &str,
    ) -> Result<InboundContext, Refusal> {
        let sent = self
            .messages
            .get(&Wamid::new(id))
            .filter(|m| {
                m.recipient.user_id == user.user_id && m.phone_number_id == number.phone_number_id
            })
            .map(|_| digits(&number.display_phone_number));
        let received = || {
            self.received
                .iter()
                .find(|m| {
                    m.id.as_str() == id
                        && m.user.user_id == user.user_id
                        && m.phone_number_id == number.phone_number_id
                })
                .map(|m| m.user.wa_id_or_bsuid().to_owned())
        };
        let from = sent.or_else(received).ok_or_else(|| {
            Refusal::invalid(format!(
                "{field}: no message '{}' between this user and this business number",
                id.escape_debug()
            ))
        })?;
        Ok(InboundContext {
            from,
            id: id.to_owned(),
        })
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

    /// A user's message arrives (admin): it opens or extends the customer-service window (a
    /// `referral` also arms a free entry point), a media body is stored as a file of the
    /// sandbox, and a tap on a "stop promotions" button opts the user out of marketing (with
    /// its `user_preferences` webhook). Refused, changing nothing, when the phone number, a
    /// media id, the replied-to or reacted-to message is unknown, or a file cannot be stored.
    pub(crate) fn inbound(&mut self, message: UserMessage) -> Result<Wamid, Refusal> {
        let now = self.sandbox.clock.now();
        let state = self.state();
        let number = state.business_number(&message.phone_id).ok_or_else(|| {
            Refusal::new(ErrorKind::UnknownObject)
                .with("method", "post")
                .with("id", message.phone_id.as_str())
        })?;
        let user = state.identify(&message.who);
        let context = message
            .context
            .as_deref()
            .map(|id| state.context_of(&number, &user, id, "context_message_id"))
            .transpose()?;
        if let Content::Body(InboundBody::Reaction(reaction)) = &message.content {
            state.context_of(&number, &user, &reaction.message_id, "reaction.message_id")?;
        }
        let body = match message.content {
            Content::Body(body) => body,
            Content::Media(media) => {
                let node = self.receive_media(&message.phone_id, media, now)?;
                InboundBody::Media(node.0, node.1)
            }
        };
        let state = self.state();
        let wamid = state.ids.wamids.wamid(user.wa_id_or_bsuid());
        let stop = matches!(&body, InboundBody::Button { text, .. } if stops_promotions(text));
        state.recipients.record_inbound(&user, now);
        if message.referral.is_some() {
            state.recipients.record_referral(&user, now);
        }
        state.receive(Received {
            id: wamid.clone(),
            phone_number_id: number.phone_number_id.clone(),
            user: user.clone(),
            message_type: body.kind(),
            at: now,
            read_at: None,
            typing_indicator_at: None,
        });
        let profile_name = message
            .name
            .unwrap_or_else(|| state.recipients.profile(&user).name.to_string());
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
                context,
                referral: message.referral.map(Box::new),
            }),
        );
        if stop {
            state.set_marketing_preference(&number, &user, true, now);
        }
        Ok(wamid)
    }

    /// The media node of a file a user sends: an uploaded one, or new bytes stored for the
    /// number as an upload is. Refused when the id is unknown or the file's type is not of
    /// its kind.
    fn receive_media(
        &mut self,
        phone_id: &PhoneNumberId,
        media: MediaContent,
        now: Timestamp,
    ) -> Result<(MediaKind, InboundMedia), Refusal> {
        let kind = media.kind.as_str();
        let mut node = media.node;
        let (id, mime_type, sha256) = match media.source {
            MediaSource::Stored(id) => {
                let file = self.state().media_of(&id, now).ok_or_else(|| {
                    Refusal::invalid(format!(
                        "{kind}.id: no media '{}' in this sandbox",
                        id.escape_debug()
                    ))
                })?;
                (id, file.mime_type.clone(), file.sha256.clone())
            }
            MediaSource::New(upload) => {
                check_kind(media.kind, &upload.mime_type)?;
                let id = self.upload_media(phone_id, upload)?;
                let file = self.state().media_of(id.as_str(), now);
                let (mime_type, sha256) = file.map_or_else(Default::default, |f| {
                    (f.mime_type.clone(), f.sha256.clone())
                });
                (id.to_string(), mime_type, sha256)
            }
        };
        if !node.mime_type.is_empty() && essence(&node.mime_type) != essence(&mime_type) {
            return Err(Refusal::invalid(format!(
                "{kind}.mime_type: '{}' is not the type of media {id}, '{mime_type}'",
                node.mime_type.escape_debug()
            )));
        }
        check_kind(media.kind, &mime_type)?;
        node.id = id;
        node.mime_type = mime_type;
        node.sha256 = Some(sha256);
        Ok((media.kind, node))
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
        let body = InboundBody::UserIdChanged {
            current: current.clone(),
        };
        state.outbox.push(
            now,
            system_message(number, profile_name, previous, wamid, now, body),
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
        let body = InboundBody::NumberChanged {
            current: current.clone(),
        };
        state.outbox.push(
            now,
            system_message(number, profile_name, previous, wamid, now, body),
        );
        Some(current)
    }
}

/// A `system` message Meta sends on the user's behalf to `number`, from `user` as known before
/// the change: no reply context, no referral.
fn system_message(
    number: BusinessNumber,
    profile_name: String,
    user: Identity,
    id: Wamid,
    at: Timestamp,
    body: InboundBody,
) -> EventKind {
    EventKind::from(InboundMessage {
        waba_id: number.waba_id,
        phone_number_id: number.phone_number_id,
        display_phone_number: number.display_phone_number,
        profile_name,
        user,
        id,
        at,
        body,
        context: None,
        referral: None,
    })
}
