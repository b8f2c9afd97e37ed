//! Link clicks in marketing messages (Meta's "Tracking click events"): what each click records
//! on its message and the template link it opens. Which clicks Meta reports is the message's
//! rule ([`Message::check_click`](super::message::Message::check_click)).

use std::time::Duration;

use serde::Serialize;
use wa_contract::payload::template::TemplateComponent;

use crate::clock::Timestamp;

/// How long after a send Meta still reports clicks on the message.
pub(crate) const CLICK_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// What the user clicked: the template's call to action (its URL button) or its body.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize, schemars::JsonSchema,
)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize, schemars::JsonSchema)]
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
