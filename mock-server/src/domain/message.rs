//! A sent message and its status state machine: `sent` → `delivered` → `read`, or `failed`
//! from any state that is not final. `read` may follow `sent` directly (delivery implied).

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use wa_contract::ErrorKind;
use wa_contract::payload::send::{MediaBody, MessageType, SendMessageRequest};
use wa_contract::payload::template::CreativeFeatureKey;
use wa_contract::payload::template::TemplateCategory;

use super::Refusal;
use super::click::{CLICK_WINDOW, Click, ClickComponent, ClickedTemplate};
use super::events::{Conversation, Pricing, StatusChange};
use super::identity::Identity;
use super::pricing::{PricingCategory, PricingModel, PricingType};
use super::routing::Route;
use super::status::MessageStatus;
use crate::clock::Timestamp;
use crate::ids::{ConversationId, PhoneNumberId, WabaId, Wamid};

/// How long a conversation window stays open after the message that opened it.
const CONVERSATION_WINDOW: Duration = Duration::from_secs(24 * 3600);

fn rank(status: MessageStatus) -> u8 {
    match status {
        MessageStatus::Accepted => 0,
        MessageStatus::Sent => 1,
        MessageStatus::Delivered => 2,
        MessageStatus::Read | MessageStatus::Failed => 3,
    }
}

/// One entry of a message's status history.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct StatusRecord {
    /// The status reached.
    pub(crate) status: MessageStatus,
    /// When.
    pub(crate) at: Timestamp,
    /// For `failed`: the catalogue key of the reason.
    #[serde(deserialize_with = "error_key")]
    pub(crate) error: Option<&'static str>,
}

/// Where pacing has a message it held.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) enum Paced {
    /// Held for quality assessment.
    Held,
    /// Released by a good signal.
    Released,
    /// Dropped by a bad signal.
    Dropped,
}

/// What the template send carried.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct TemplateRef {
    /// Template name.
    pub(crate) name: String,
    /// Language code.
    pub(crate) language: String,
    /// Category.
    #[serde(deserialize_with = "category")]
    pub(crate) category: &'static str,
}

/// A media file a message carried: as its body (`image`, `video`, …) or in its template's
/// header, by the id of an upload or by a link (recorded, never fetched).
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct SentMedia {
    /// `image`, `video`, `audio`, `document` or `sticker`.
    #[serde(deserialize_with = "media_kind")]
    pub(crate) kind: &'static str,
    /// `header` for a template's header parameter, `body` for a media message.
    #[serde(deserialize_with = "media_component")]
    pub(crate) component: &'static str,
    /// The media id it named.
    pub(crate) id: Option<String>,
    /// The link it named.
    pub(crate) link: Option<String>,
}

impl SentMedia {
    /// Every media file `req` carries: its media body, then its template's header parameters.
    pub(crate) fn of(req: &SendMessageRequest) -> Vec<Self> {
        let body = [
            ("image", &req.image),
            ("audio", &req.audio),
            ("video", &req.video),
            ("document", &req.document),
            ("sticker", &req.sticker),
        ]
        .into_iter()
        .filter_map(|(kind, media)| Some(Self::new(kind, "body", media.as_ref()?)));
        let header = req
            .template
            .iter()
            .flat_map(|t| &t.components)
            .filter(|c| c.component_type.eq_ignore_ascii_case("header"))
            .flat_map(|c| &c.parameters)
            .flat_map(|p| {
                [
                    ("image", &p.image),
                    ("video", &p.video),
                    ("document", &p.document),
                ]
            })
            .filter_map(|(kind, media)| Some(Self::new(kind, "header", media.as_ref()?)));
        body.chain(header).collect()
    }

    fn new(kind: &'static str, component: &'static str, media: &MediaBody) -> Self {
        Self {
            kind,
            component,
            id: media.id.clone(),
            link: media.link.clone(),
        }
    }
}

/// A message accepted by `/marketing_messages` or `/messages`.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Message {
    /// Its id.
    pub(crate) id: Wamid,
    /// The sending number.
    pub(crate) phone_number_id: PhoneNumberId,
    /// The WABA of the sending number.
    pub(crate) waba_id: WabaId,
    /// The endpoint it was sent to: `marketing_messages` or `messages`.
    #[serde(deserialize_with = "endpoint")]
    pub(crate) endpoint: &'static str,
    /// The recipient as sent.
    pub(crate) input: String,
    /// Who the recipient is (BSUID, phone number when known, parent BSUID); shared with every
    /// status event of the message.
    pub(crate) recipient: Arc<Identity>,
    /// Whether it was sent to the phone number (not to a BSUID).
    pub(crate) to_phone: bool,
    /// The message type (the contract's, so that a send copies no string for it).
    pub(crate) message_type: MessageType,
    /// The template, for template messages.
    pub(crate) template: Option<TemplateRef>,
    /// The API that carried it.
    pub(crate) route: Route,
    /// What it is charged as.
    pub(crate) pricing_category: PricingCategory,
    /// `pricing.type`: `regular`, or `free_customer_service` inside the window.
    pub(crate) pricing_type: PricingType,
    /// Creative features applied (MM API only).
    pub(crate) creative_features: Vec<CreativeFeatureKey>,
    /// Whether the message's activity is shared with Meta (MM API sends).
    pub(crate) message_activity_sharing: Option<bool>,
    /// Time to live in seconds.
    pub(crate) ttl_seconds: u64,
    /// Echoed in status webhooks.
    pub(crate) biz_opaque_callback_data: Option<String>,
    /// Whether the send named its messaging account (which is always its WABA).
    pub(crate) messaging_account: bool,
    /// Where pacing has it, if pacing held it.
    pub(crate) pacing: Option<Paced>,
    /// Conversation id reported with pricing.
    pub(crate) conversation_id: ConversationId,
    /// When it was accepted.
    pub(crate) created_at: Timestamp,
    /// Every status reached, in order.
    pub(crate) statuses: Vec<StatusRecord>,
    /// The user's link clicks in it, oldest first (MM API messages only).
    pub(crate) clicks: Vec<Click>,
    /// The media files it carried.
    pub(crate) media: Vec<SentMedia>,
    /// The statuses it has still to reach, as data rather than inside a clock job, so that a
    /// snapshot carries them and a restored sandbox resumes them.
    pub(crate) upcoming: Upcoming,
}

/// The later steps of a message's timeline not yet taken: each a delay after `from` (when the
/// timeline started: acceptance, or release from pacing), a status and the error a failure
/// carries.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize, schemars::JsonSchema,
)]
pub(crate) struct Upcoming {
    /// When the timeline started.
    pub(crate) from: Option<Timestamp>,
    /// The steps, soonest first.
    pub(crate) steps: std::collections::VecDeque<(Duration, MessageStatus, Option<ErrorKind>)>,
}

impl Upcoming {
    /// Steps to take after `from`.
    pub(crate) fn new(
        from: Timestamp,
        steps: Vec<(Duration, MessageStatus, Option<ErrorKind>)>,
    ) -> Self {
        Self {
            from: Some(from),
            steps: steps.into(),
        }
    }

    /// When the next step is due.
    pub(crate) fn next_at(&self) -> Option<Timestamp> {
        Some(self.from?.plus(self.steps.front()?.0))
    }

    /// Takes the next step: its status and error.
    pub(crate) fn take(&mut self) -> Option<(MessageStatus, Option<ErrorKind>)> {
        self.steps
            .pop_front()
            .map(|(_, status, error)| (status, error))
    }
}

// The names a message holds are static (a send copies no string for them): read back, each
// must be one of the names the mock writes.

fn error_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'static str>, D::Error> {
    Option::<ErrorKind>::deserialize(d).map(|kind| kind.map(ErrorKind::key))
}

fn category<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    TemplateCategory::deserialize(d).map(TemplateCategory::as_str)
}

fn endpoint<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["marketing_messages", "messages"])
}

fn media_kind<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["image", "video", "audio", "document", "sticker"])
}

fn media_component<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["header", "body"])
}

/// The one of `names` that `d` holds.
fn one_of<'de, D: Deserializer<'de>>(
    d: D,
    names: &'static [&'static str],
) -> Result<&'static str, D::Error> {
    let read = std::borrow::Cow::<'de, str>::deserialize(d)?;
    names
        .iter()
        .find(|name| **name == read)
        .copied()
        .ok_or_else(|| serde::de::Error::unknown_variant(&read, names))
}

impl crate::budget::Retained for Message {
    /// Fixed over the message's life (statuses are counted as the three most reach), so that
    /// what is added when it is stored is what is taken off when it goes.
    fn retained_bytes(&self) -> usize {
        let text = self.input.len()
            + self.message_type.as_str().len()
            + self.conversation_id.as_str().len()
            + self
                .biz_opaque_callback_data
                .as_ref()
                .map_or(0, String::len)
            + self
                .template
                .as_ref()
                .map_or(0, |t| t.name.len() + t.language.len())
            + self
                .media
                .iter()
                .map(|m| {
                    size_of::<SentMedia>()
                        + m.id.as_ref().map_or(0, String::len)
                        + m.link.as_ref().map_or(0, String::len)
                })
                .sum::<usize>();
        // The boxed struct and its map slot, the order queue's copy of the id, three statuses.
        1_024 + self.id.as_str().len() * 2 + text
    }
}

/// What a status webhook calls the two ends of a message, which the message itself does not
/// hold: the sandbox knows them at the time of each change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Names {
    /// The sending number as displayed.
    pub(crate) display_phone_number: Arc<str>,
    /// The recipient's profile name.
    pub(crate) recipient_name: Arc<str>,
}

/// A status change the state machine does not allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InvalidTransition {
    /// The current status.
    pub(crate) from: MessageStatus,
    /// The status asked for.
    pub(crate) to: MessageStatus,
}

impl Message {
    /// The recipient's phone digits, or its BSUID when the phone number is not known.
    pub(crate) fn wa_id(&self) -> &str {
        self.recipient.wa_id_or_bsuid()
    }

    /// The current status.
    pub(crate) fn status(&self) -> MessageStatus {
        self.statuses
            .last()
            .map_or(MessageStatus::Accepted, |r| r.status)
    }

    /// Moves to `to` at `at`; refuses going backwards or leaving a final status. Returns the
    /// change to report, with `pricing` where [`Message::carries_pricing`] says so.
    pub(crate) fn transition(
        &mut self,
        to: MessageStatus,
        at: Timestamp,
        error: Option<ErrorKind>,
        names: Names,
    ) -> Result<StatusChange, InvalidTransition> {
        let from = self.status();
        let allowed = match to {
            MessageStatus::Failed => rank(from) < 3,
            MessageStatus::Accepted => false,
            _ => rank(to) > rank(from) && from != MessageStatus::Failed && rank(from) < 3,
        };
        if !allowed {
            return Err(InvalidTransition { from, to });
        }
        let priced = self.carries_pricing(to);
        self.statuses.push(StatusRecord {
            status: to,
            at,
            error: error.map(ErrorKind::key),
        });
        let category = self.pricing_category;
        Ok(StatusChange {
            waba_id: self.waba_id.clone(),
            phone_number_id: self.phone_number_id.clone(),
            display_phone_number: names.display_phone_number,
            wamid: self.id.clone(),
            status: to,
            recipient: self.recipient.clone(),
            to_phone: self.to_phone,
            recipient_name: names.recipient_name,
            pricing: priced.then_some(Pricing {
                billable: self.pricing_type == PricingType::Regular,
                pricing_model: PricingModel::Pmp,
                pricing_type: self.pricing_type,
                category,
            }),
            conversation: priced.then(|| Conversation {
                id: self.conversation_id.clone(),
                expiration: self.created_at.plus(CONVERSATION_WINDOW),
                origin: category,
            }),
            error,
            biz_opaque_callback_data: self.biz_opaque_callback_data.clone(),
        })
    }

    /// Checks a click by `clicker` on this message at `now` and returns the URL button's text
    /// for a `cta` click. Meta reports clicks on MM API messages delivered to the clicking user in
    /// the last 7 days, through a template link it tracks. Both components open the template's
    /// URL button link (the only link a template holds), so both need one and need its tracking
    /// on.
    pub(crate) fn check_click(
        &self,
        template: Option<ClickedTemplate<'_>>,
        clicker: &Identity,
        component: ClickComponent,
        now: Timestamp,
    ) -> Result<Option<String>, Refusal> {
        let id = self.id.as_str();
        let refuse =
            |field: &str, why: String| Err(Refusal::invalid(format!("click.{field}: {why}")));
        if self.route != Route::MarketingMessages {
            return refuse(
                "message_id",
                format!(
                    "message '{id}' went through the Cloud API; Meta reports clicks on Marketing \
                     Messages API messages only"
                ),
            );
        }
        let recipient = &self.recipient;
        let same_user = recipient.user_id == clicker.user_id
            || recipient.wa_id.is_some() && recipient.wa_id == clicker.wa_id;
        if !same_user {
            return refuse(
                "message_id",
                format!("message '{id}' was sent to another user"),
            );
        }
        if now.since(self.created_at) > CLICK_WINDOW {
            return refuse(
                "message_id",
                format!(
                    "message '{id}' was sent at {}, more than 7 days ago; Meta reports clicks only \
                     on messages sent in the last 7 days",
                    self.created_at
                ),
            );
        }
        let delivered = self
            .statuses
            .iter()
            .any(|s| matches!(s.status, MessageStatus::Delivered | MessageStatus::Read));
        if !delivered || self.status() == MessageStatus::Failed {
            return refuse(
                "message_id",
                format!(
                    "message '{id}' was not delivered (its status is {}), so there is nothing to \
                     click",
                    format!("{:?}", self.status()).to_lowercase()
                ),
            );
        }
        let Some(template) = template else {
            return refuse(
                "message_id",
                format!("message '{id}' carries no template this sandbox still has"),
            );
        };
        let Some(button) = template.url_button else {
            return refuse(
                "component",
                format!(
                    "template '{}' has no URL button, so message '{id}' has no link to click",
                    template.name
                ),
            );
        };
        if template.tracking_opted_out {
            return refuse(
                "component",
                format!(
                    "template '{}' has cta_url_link_tracking_opted_out set, so Meta tracks no clicks \
                     on its link",
                    template.name
                ),
            );
        }
        Ok((component == ClickComponent::Cta).then(|| button.to_owned()))
    }

    /// Whether this status change carries `pricing`: `sent`, and the first of
    /// `delivered`/`read`.
    pub(crate) fn carries_pricing(&self, status: MessageStatus) -> bool {
        match status {
            MessageStatus::Sent => true,
            MessageStatus::Delivered => true,
            MessageStatus::Read => !self
                .statuses
                .iter()
                .any(|r| r.status == MessageStatus::Delivered),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A marketing message on the MM API, just accepted; other tests change what they need.
    fn message() -> Message {
        Message {
            id: Wamid::new("wamid.x"),
            phone_number_id: PhoneNumberId::new("1"),
            waba_id: WabaId::new("2"),
            endpoint: "marketing_messages",
            input: "+1 650".to_owned(),
            recipient: Identity {
                wa_id: Some("1650".to_owned()),
                user_id: "US.1".to_owned(),
                parent_user_id: None,
            }
            .into(),
            to_phone: true,
            message_type: MessageType::Template,
            template: None,
            route: Route::MarketingMessages,
            pricing_category: PricingCategory::MarketingLite,
            pricing_type: PricingType::Regular,
            creative_features: Vec::new(),
            message_activity_sharing: Some(true),
            ttl_seconds: 60,
            biz_opaque_callback_data: None,
            messaging_account: false,
            pacing: None,
            conversation_id: ConversationId::new("c"),
            created_at: Timestamp::MANUAL_START,
            statuses: Vec::new(),
            clicks: Vec::new(),
            upcoming: Upcoming::default(),
            media: Vec::new(),
        }
    }

    fn names() -> Names {
        Names {
            display_phone_number: "+1 555".into(),
            recipient_name: "Ann".into(),
        }
    }

    #[test]
    fn statuses_only_move_forward_and_failed_is_final() {
        let t = Timestamp::MANUAL_START;
        let mut m = message();
        m.transition(MessageStatus::Sent, t, None, names()).unwrap();
        m.transition(MessageStatus::Read, t, None, names()).unwrap();
        assert!(
            m.transition(MessageStatus::Delivered, t, None, names())
                .is_err()
        );
        let mut m = message();
        m.transition(
            MessageStatus::Failed,
            t,
            Some(ErrorKind::TtlExpired),
            names(),
        )
        .unwrap();
        assert!(m.transition(MessageStatus::Sent, t, None, names()).is_err());
        assert_eq!(m.statuses[0].error, Some("ttl_expired"));
    }

    #[test]
    fn read_carries_pricing_only_without_a_delivered() {
        let t = Timestamp::MANUAL_START;
        let mut m = message();
        m.transition(MessageStatus::Sent, t, None, names()).unwrap();
        assert!(m.carries_pricing(MessageStatus::Read));
        m.transition(MessageStatus::Delivered, t, None, names())
            .unwrap();
        assert!(!m.carries_pricing(MessageStatus::Read));
    }

    const SENT: Timestamp = Timestamp::MANUAL_START;

    fn ann() -> Identity {
        Identity {
            wa_id: Some("14165551234".to_owned()),
            user_id: "CA.13491208655302741918".to_owned(),
            parent_user_id: None,
        }
    }

    fn delivered(route: Route) -> Message {
        Message {
            input: "14165551234".to_owned(),
            recipient: ann().into(),
            route,
            created_at: SENT,
            statuses: vec![StatusRecord {
                status: MessageStatus::Delivered,
                at: SENT,
                error: None,
            }],
            ..message()
        }
    }

    fn promo(url_button: Option<&str>) -> Option<ClickedTemplate<'_>> {
        Some(ClickedTemplate {
            name: "fall_sale",
            url_button,
            tracking_opted_out: false,
        })
    }

    fn details(result: Result<Option<String>, Refusal>) -> String {
        let refusal = result.expect_err("refused");
        refusal
            .vars
            .iter()
            .find(|(k, _)| *k == "details")
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    #[test]
    fn a_cta_click_names_the_url_button_and_a_body_click_needs_one_too() {
        let m = delivered(Route::MarketingMessages);
        let cta = m.check_click(promo(Some("Shop now")), &ann(), ClickComponent::Cta, SENT);
        assert_eq!(cta, Ok(Some("Shop now".to_owned())));
        let body = m.check_click(promo(Some("Shop now")), &ann(), ClickComponent::Body, SENT);
        assert_eq!(body, Ok(None));
        let none = m.check_click(promo(None), &ann(), ClickComponent::Body, SENT);
        assert!(
            details(none).starts_with("click.component: template 'fall_sale' has no URL button")
        );
    }

    #[test]
    fn clicks_are_refused_off_the_mm_api_to_others_after_7_days_and_before_delivery() {
        let m = delivered(Route::CloudApi);
        let cloud = m.check_click(promo(Some("Go")), &ann(), ClickComponent::Cta, SENT);
        assert!(details(cloud).contains("went through the Cloud API"));

        let m = delivered(Route::MarketingMessages);
        let other = Identity {
            wa_id: Some("14165559999".to_owned()),
            user_id: "CA.1".to_owned(),
            parent_user_id: None,
        };
        let wrong = m.check_click(promo(Some("Go")), &other, ClickComponent::Cta, SENT);
        assert!(details(wrong).contains("was sent to another user"));

        let by_bsuid = Identity {
            wa_id: None,
            ..ann()
        };
        assert!(
            m.check_click(promo(Some("Go")), &by_bsuid, ClickComponent::Cta, SENT)
                .is_ok()
        );

        let last = SENT.plus(CLICK_WINDOW);
        assert!(
            m.check_click(promo(Some("Go")), &ann(), ClickComponent::Cta, last)
                .is_ok()
        );
        let late = last.plus(Duration::from_secs(1));
        let old = m.check_click(promo(Some("Go")), &ann(), ClickComponent::Cta, late);
        assert!(details(old).contains("more than 7 days ago"));

        let mut sent_only = delivered(Route::MarketingMessages);
        sent_only.statuses[0].status = MessageStatus::Sent;
        let undelivered =
            sent_only.check_click(promo(Some("Go")), &ann(), ClickComponent::Cta, SENT);
        assert!(details(undelivered).contains("was not delivered (its status is sent)"));
    }

    #[test]
    fn a_template_opted_out_of_link_tracking_reports_no_clicks() {
        let m = delivered(Route::MarketingMessages);
        let opted_out = Some(ClickedTemplate {
            name: "fall_sale",
            url_button: Some("Go"),
            tracking_opted_out: true,
        });
        let refused = m.check_click(opted_out, &ann(), ClickComponent::Cta, SENT);
        assert!(details(refused).contains("cta_url_link_tracking_opted_out"));
    }
}
