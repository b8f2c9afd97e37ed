//! Link clicks in marketing messages (Meta's "Tracking click events"): which clicks Meta
//! reports — on MM API messages delivered to the clicking user in the last 7 days, through a
//! template link it tracks — and what each click records on its message.

use std::time::Duration;

use serde::Serialize;
use wa_contract::payload::template::TemplateComponent;

use super::Refusal;
use super::message::{Message, MessageStatus};
use super::recipient::Identity;
use super::routing::Route;
use crate::clock::Timestamp;

/// How long after a send Meta still reports clicks on the message.
pub(crate) const CLICK_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// What the user clicked: the template's call to action (its URL button) or its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ClickComponent {
    /// The URL button.
    Cta,
    /// The message body.
    Body,
}

impl ClickComponent {
    /// The component `text` names (`cta` or `body`, as the webhook spells them).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "cta" => Some(Self::Cta),
            "body" => Some(Self::Body),
            _ => None,
        }
    }

    /// The webhook's `click_component`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Cta => "cta",
            Self::Body => "body",
        }
    }
}

/// One click on a message, as its webhook reported it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Click {
    /// What was clicked.
    pub(crate) component: ClickComponent,
    /// The URL button's text, for a `cta` click (what analytics call `button_content`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) button_text: Option<String>,
    /// The webhook's `click_id`.
    pub(crate) click_id: String,
    /// The webhook's `tracking_token`.
    pub(crate) tracking_token: String,
    /// When.
    pub(crate) at: Timestamp,
}

/// The link a template's clicks open: its first URL button's text.
pub(crate) fn url_button(components: &[TemplateComponent]) -> Option<&str> {
    components
        .iter()
        .flat_map(|c| &c.buttons)
        .find(|b| b.button_type.eq_ignore_ascii_case("URL"))
        .map(|b| b.text.as_deref().unwrap_or_default())
}

/// The template a message was sent with, as far as clicks need it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClickedTemplate<'a> {
    /// Its name.
    pub(crate) name: &'a str,
    /// Its URL button's text, when it has one.
    pub(crate) url_button: Option<&'a str>,
    /// `cta_url_link_tracking_opted_out`: Meta tracks no clicks on its link.
    pub(crate) tracking_opted_out: bool,
}

/// Checks a click by `clicker` on `message` at `now` and returns the URL button's text for a
/// `cta` click. Both components open the template's URL button link (the only link a
/// template holds), so both need one and need its tracking on.
pub(crate) fn check(
    message: &Message,
    template: Option<ClickedTemplate<'_>>,
    clicker: &Identity,
    component: ClickComponent,
    now: Timestamp,
) -> Result<Option<String>, Refusal> {
    let id = message.id.as_str();
    let refuse = |field: &str, why: String| Err(Refusal::invalid(format!("click.{field}: {why}")));
    if message.route != Route::MarketingMessages {
        return refuse(
            "message_id",
            format!(
                "message '{id}' went through the Cloud API; Meta reports clicks on Marketing \
                 Messages API messages only"
            ),
        );
    }
    let recipient = &message.recipient;
    let same_user = recipient.user_id == clicker.user_id
        || recipient.wa_id.is_some() && recipient.wa_id == clicker.wa_id;
    if !same_user {
        return refuse(
            "message_id",
            format!("message '{id}' was sent to another user"),
        );
    }
    if now.since(message.created_at) > CLICK_WINDOW {
        return refuse(
            "message_id",
            format!(
                "message '{id}' was sent at {}, more than 7 days ago; Meta reports clicks only \
                 on messages sent in the last 7 days",
                message.created_at
            ),
        );
    }
    let delivered = message
        .statuses
        .iter()
        .any(|s| matches!(s.status, MessageStatus::Delivered | MessageStatus::Read));
    if !delivered || message.status() == MessageStatus::Failed {
        return refuse(
            "message_id",
            format!(
                "message '{id}' was not delivered (its status is {}), so there is nothing to \
                 click",
                format!("{:?}", message.status()).to_lowercase()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::message::StatusRecord;

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
            ..crate::domain::message::tests::message()
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
        let cta = check(
            &m,
            promo(Some("Shop now")),
            &ann(),
            ClickComponent::Cta,
            SENT,
        );
        assert_eq!(cta, Ok(Some("Shop now".to_owned())));
        let body = check(
            &m,
            promo(Some("Shop now")),
            &ann(),
            ClickComponent::Body,
            SENT,
        );
        assert_eq!(body, Ok(None));
        let none = check(&m, promo(None), &ann(), ClickComponent::Body, SENT);
        assert!(
            details(none).starts_with("click.component: template 'fall_sale' has no URL button")
        );
    }

    #[test]
    fn clicks_are_refused_off_the_mm_api_to_others_after_7_days_and_before_delivery() {
        let m = delivered(Route::CloudApi);
        let cloud = check(&m, promo(Some("Go")), &ann(), ClickComponent::Cta, SENT);
        assert!(details(cloud).contains("went through the Cloud API"));

        let m = delivered(Route::MarketingMessages);
        let other = Identity {
            wa_id: Some("14165559999".to_owned()),
            user_id: "CA.1".to_owned(),
            parent_user_id: None,
        };
        let wrong = check(&m, promo(Some("Go")), &other, ClickComponent::Cta, SENT);
        assert!(details(wrong).contains("was sent to another user"));

        let by_bsuid = Identity {
            wa_id: None,
            ..ann()
        };
        assert!(check(&m, promo(Some("Go")), &by_bsuid, ClickComponent::Cta, SENT).is_ok());

        let last = SENT.plus(CLICK_WINDOW);
        assert!(check(&m, promo(Some("Go")), &ann(), ClickComponent::Cta, last).is_ok());
        let late = last.plus(Duration::from_secs(1));
        let old = check(&m, promo(Some("Go")), &ann(), ClickComponent::Cta, late);
        assert!(details(old).contains("more than 7 days ago"));

        let mut sent_only = delivered(Route::MarketingMessages);
        sent_only.statuses[0].status = MessageStatus::Sent;
        let undelivered = check(
            &sent_only,
            promo(Some("Go")),
            &ann(),
            ClickComponent::Cta,
            SENT,
        );
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
        let refused = check(&m, opted_out, &ann(), ClickComponent::Cta, SENT);
        assert!(details(refused).contains("cta_url_link_tracking_opted_out"));
    }
}
