//! Recipients: how a message to a given number behaves once accepted.
//!
//! Every recipient has a [`Profile`]; by default it is chosen by the number's magic suffix (like
//! a payment sandbox's test cards), and the admin API can set one per number. A [`Timeline`] is
//! what a profile makes of one message: the statuses it will go through and when.
//! Tapping a "stop promotions" button ([`stops_promotions`]) opts a user out of marketing.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wa_contract::ErrorKind;

use super::message::MessageStatus;

/// What happens to messages sent to a recipient: the admin API's own type.
pub(crate) use wa_contract::admin::Behaviour;

/// The behaviour a number's magic suffix selects.
pub(crate) fn behaviour_for_number(wa_id: &str) -> Behaviour {
    const SUFFIXES: [(&str, Behaviour); 5] = [
        ("1026", Behaviour::Undeliverable),
        ("1049", Behaviour::EcosystemLimited),
        ("1050", Behaviour::StoppedMarketing),
        ("0408", Behaviour::Offline),
        ("0007", Behaviour::NeverRead),
    ];
    SUFFIXES
        .iter()
        .find(|(suffix, _)| wa_id.ends_with(suffix))
        .map_or(Behaviour::Default, |(_, b)| *b)
}

/// Default delay from `sent` to `delivered`.
pub(crate) const DELIVERED_AFTER: Duration = Duration::from_secs(2);
/// Default delay from `sent` to `read`.
pub(crate) const READ_AFTER: Duration = Duration::from_secs(5);
/// Delay before an asynchronous failure is reported.
pub(crate) const FAILED_AFTER: Duration = Duration::from_secs(1);

/// A recipient's settings; each one left out takes its default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ProfileRequest")]
pub(crate) struct Profile {
    /// What happens to messages.
    #[serde(default)]
    pub(crate) behaviour: Behaviour,
    /// Profile name shown in webhooks' `contacts`.
    #[serde(default = "default_name")]
    pub(crate) name: String,
    /// Seconds from `sent` to `delivered`.
    #[serde(default = "default_delivered")]
    pub(crate) delivered_after_seconds: u64,
    /// Seconds from `sent` to `read`.
    #[serde(default = "default_read")]
    pub(crate) read_after_seconds: u64,
}

fn default_name() -> String {
    "WhatsApp User".to_owned()
}
fn default_delivered() -> u64 {
    DELIVERED_AFTER.as_secs()
}
fn default_read() -> u64 {
    READ_AFTER.as_secs()
}

/// The longest status delay a profile may set: 30 days keeps every timeline far inside the
/// clock's range.
pub(crate) const MAX_DELAY_SECONDS: u64 = 30 * 86_400;

impl Profile {
    /// Why the admin API refuses this profile, naming the field.
    pub(crate) fn check(&self) -> Result<(), String> {
        for (field, value) in [
            ("delivered_after_seconds", self.delivered_after_seconds),
            ("read_after_seconds", self.read_after_seconds),
        ] {
            if value > MAX_DELAY_SECONDS {
                return Err(format!(
                    "{field}: expected at most {MAX_DELAY_SECONDS}, found {value}"
                ));
            }
        }
        Ok(())
    }

    /// The default profile for `behaviour`.
    pub(crate) fn with_behaviour(behaviour: Behaviour) -> Self {
        Self {
            behaviour,
            name: default_name(),
            delivered_after_seconds: default_delivered(),
            read_after_seconds: default_read(),
        }
    }
}

/// What a message will go through: whether it is `sent` on acceptance, then later steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Timeline {
    /// `sent` is recorded on acceptance.
    pub(crate) sent: bool,
    /// Later statuses in order, each with its delay after acceptance and, for `failed`, why.
    pub(crate) steps: Vec<(Duration, MessageStatus, Option<ErrorKind>)>,
}

/// The recipients a sandbox knows: profile overrides and marketing opt-outs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recipients {
    profiles: HashMap<String, Profile>,
    opted_out: HashSet<String>,
}

impl Recipients {
    /// The profile for `wa_id`: the override if one is set, else the magic suffix's.
    pub(crate) fn profile(&self, wa_id: &str) -> Profile {
        self.profiles
            .get(wa_id)
            .cloned()
            .unwrap_or_else(|| Profile::with_behaviour(behaviour_for_number(wa_id)))
    }

    /// Sets `wa_id`'s profile.
    pub(crate) fn set_profile(&mut self, wa_id: String, profile: Profile) {
        self.profiles.insert(wa_id, profile);
    }

    /// Records that `wa_id` stopped marketing messages (a "stop promotions" tap).
    pub(crate) fn opt_out(&mut self, wa_id: String) {
        self.opted_out.insert(wa_id);
    }

    /// Whether `wa_id` stopped marketing messages.
    pub(crate) fn has_opted_out(&self, wa_id: &str) -> bool {
        self.opted_out.contains(wa_id)
    }

    /// Every override, for the admin API.
    pub(crate) fn overrides(&self) -> impl Iterator<Item = (&String, &Profile)> {
        self.profiles.iter()
    }

    /// The timeline of a message to `wa_id`; `ttl` bounds how long an offline user is waited for.
    pub(crate) fn timeline(&self, wa_id: &str, marketing: bool, ttl: Duration) -> Timeline {
        let profile = self.profile(wa_id);
        let fail = |kind| Timeline {
            sent: false,
            steps: vec![(FAILED_AFTER, MessageStatus::Failed, Some(kind))],
        };
        let delivered = Duration::from_secs(profile.delivered_after_seconds);
        let read = Duration::from_secs(
            profile
                .read_after_seconds
                .max(profile.delivered_after_seconds),
        );
        match profile.behaviour {
            Behaviour::StoppedMarketing if marketing => fail(ErrorKind::UserStoppedMarketing),
            _ if marketing && self.has_opted_out(wa_id) => fail(ErrorKind::UserStoppedMarketing),
            Behaviour::Undeliverable => fail(ErrorKind::MessageUndeliverable),
            Behaviour::EcosystemLimited => fail(ErrorKind::EcosystemEngagement),
            Behaviour::Offline => Timeline {
                sent: true,
                steps: vec![(ttl, MessageStatus::Failed, Some(ErrorKind::TtlExpired))],
            },
            Behaviour::NeverRead => Timeline {
                sent: true,
                steps: vec![(delivered, MessageStatus::Delivered, None)],
            },
            Behaviour::Default | Behaviour::StoppedMarketing => Timeline {
                sent: true,
                steps: vec![
                    (delivered, MessageStatus::Delivered, None),
                    (read, MessageStatus::Read, None),
                ],
            },
        }
    }
}

/// The digits of a phone number as typed (`+1 650-555-1234` → `16505551234`).
pub(crate) fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Whether tapping a button with this text opts the user out of marketing.
pub(crate) fn stops_promotions(button_text: &str) -> bool {
    button_text.to_lowercase().contains("stop promotions")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(43_200);

    #[test]
    fn magic_suffixes_pick_behaviours() {
        assert_eq!(
            behaviour_for_number("16505551026"),
            Behaviour::Undeliverable
        );
        assert_eq!(behaviour_for_number("16505550408"), Behaviour::Offline);
        assert_eq!(behaviour_for_number("16505551234"), Behaviour::Default);
    }

    #[test]
    fn stopped_marketing_only_fails_marketing() {
        let r = Recipients::default();
        let marketing = r.timeline("16505551050", true, TTL);
        assert_eq!(
            marketing.steps,
            [(
                FAILED_AFTER,
                MessageStatus::Failed,
                Some(ErrorKind::UserStoppedMarketing)
            )]
        );
        assert!(r.timeline("16505551050", false, TTL).sent);
    }

    #[test]
    fn an_opted_out_user_fails_later_marketing() {
        let mut r = Recipients::default();
        r.opt_out("16505551234".to_owned());
        assert!(!r.timeline("16505551234", true, TTL).sent);
        assert!(r.timeline("16505551234", false, TTL).sent);
    }

    #[test]
    fn offline_users_fail_when_the_ttl_runs_out() {
        let t = Recipients::default().timeline("16505550408", true, TTL);
        assert_eq!(
            t.steps,
            [(TTL, MessageStatus::Failed, Some(ErrorKind::TtlExpired))]
        );
    }
}
