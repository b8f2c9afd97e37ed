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

use super::changes::Rules;
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
    pub(crate) fn timeline(
        &self,
        wa_id: &str,
        marketing: bool,
        ttl: Duration,
        rules: Rules,
    ) -> Timeline {
        let profile = self.profile(wa_id);
        let fail = |kind| Timeline {
            sent: false,
            steps: vec![(FAILED_AFTER, MessageStatus::Failed, Some(kind))],
        };
        if marketing && rules.us_marketing_undeliverable && is_us_number(wa_id) {
            return fail(ErrorKind::EcosystemEngagement);
        }
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

/// The digits of a phone number as typed (`+1 416-555-1234` → `14165551234`).
pub(crate) fn digits(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// Area codes of the +1 zone outside the United States: Canada and the Caribbean countries
/// (US territories such as Puerto Rico and Guam count as the US).
const NON_US_AREA_CODES: &[&str] = &[
    // Canada
    "204", "226", "236", "249", "250", "263", "289", "306", "343", "354", "365", "367", "368",
    "382", "403", "416", "418", "428", "431", "437", "438", "450", "468", "474", "506", "514",
    "519", "548", "579", "581", "584", "587", "604", "613", "639", "647", "672", "683", "705",
    "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873", "879", "902",
    "905", // The Caribbean
    "242", "246", "264", "268", "284", "345", "441", "473", "649", "658", "664", "721", "758",
    "767", "784", "809", "829", "849", "868", "869", "876",
];

/// Whether `wa_id` is a US phone number: +1 and an area code of the United States.
pub(crate) fn is_us_number(wa_id: &str) -> bool {
    wa_id.len() == 11
        && wa_id.starts_with('1')
        && wa_id.bytes().all(|b| b.is_ascii_digit())
        && !NON_US_AREA_CODES.contains(&&wa_id[1..4])
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
    fn us_numbers_are_the_plus_one_zone_without_canada_and_the_caribbean() {
        assert!(is_us_number("16505551234"));
        assert!(is_us_number("17875551234"), "Puerto Rico is the US");
        assert!(!is_us_number("14165551234"), "Toronto");
        assert!(!is_us_number("18765551234"), "Jamaica");
        assert!(!is_us_number("447700900123"));
        assert!(!is_us_number("1650555123"));
    }

    #[test]
    fn marketing_to_us_numbers_fails_with_131049_once_meta_blocks_it() {
        let blocked = Rules {
            us_marketing_undeliverable: true,
            ..Rules::default()
        };
        let r = Recipients::default();
        let us = r.timeline("16505551234", true, TTL, blocked);
        assert!(!us.sent);
        assert_eq!(
            us.steps,
            vec![(
                FAILED_AFTER,
                MessageStatus::Failed,
                Some(ErrorKind::EcosystemEngagement)
            )]
        );
        assert!(
            r.timeline("16505551234", false, TTL, blocked).sent,
            "utility"
        );
        assert!(r.timeline("14165551234", true, TTL, blocked).sent, "Canada");
        assert!(
            r.timeline("16505551234", true, TTL, Rules::default()).sent,
            "before"
        );
    }

    #[test]
    fn magic_suffixes_pick_behaviours() {
        assert_eq!(
            behaviour_for_number("14165551026"),
            Behaviour::Undeliverable
        );
        assert_eq!(behaviour_for_number("14165550408"), Behaviour::Offline);
        assert_eq!(behaviour_for_number("14165551234"), Behaviour::Default);
    }

    #[test]
    fn stopped_marketing_only_fails_marketing() {
        let r = Recipients::default();
        let marketing = r.timeline("14165551050", true, TTL, Rules::default());
        assert_eq!(
            marketing.steps,
            [(
                FAILED_AFTER,
                MessageStatus::Failed,
                Some(ErrorKind::UserStoppedMarketing)
            )]
        );
        assert!(r.timeline("14165551050", false, TTL, Rules::default()).sent);
    }

    #[test]
    fn an_opted_out_user_fails_later_marketing() {
        let mut r = Recipients::default();
        r.opt_out("14165551234".to_owned());
        assert!(!r.timeline("14165551234", true, TTL, Rules::default()).sent);
        assert!(r.timeline("14165551234", false, TTL, Rules::default()).sent);
    }

    #[test]
    fn offline_users_fail_when_the_ttl_runs_out() {
        let t = Recipients::default().timeline("14165550408", true, TTL, Rules::default());
        assert_eq!(
            t.steps,
            [(TTL, MessageStatus::Failed, Some(ErrorKind::TtlExpired))]
        );
    }
}
