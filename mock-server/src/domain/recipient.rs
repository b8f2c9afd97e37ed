//! Recipients: how a message to a given number behaves once accepted.
//!
//! Every recipient has a [`Profile`]; by default it is chosen by the number's magic suffix (like
//! a payment sandbox's test cards), and the admin API can set one per number. A [`Timeline`] is
//! what a profile makes of one message: the statuses it will go through and when.
//! Tapping a "stop promotions" button ([`stops_promotions`]) opts a user out of marketing.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use serde::Deserialize;
use wa_contract::ErrorKind;
use wa_contract::payload::bsuid::is_parent_bsuid;

use super::changes::Rules;
use super::country;
use super::identity::Identity;
use super::marketing_limit::Tally;
use super::status::MessageStatus;
use crate::clock::Timestamp;

/// What happens to messages sent to a recipient: the admin API's own type.
pub(crate) use wa_contract::model::Behaviour;

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
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, schemars::JsonSchema, serde::Serialize)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ProfileRequest")]
pub(crate) struct Profile {
    /// What happens to messages.
    #[serde(default)]
    pub(crate) behaviour: Behaviour,
    /// Profile name shown in webhooks' `contacts`; shared, since every status event of every
    /// message to the user carries it.
    #[serde(default = "default_name")]
    pub(crate) name: Arc<str>,
    /// Seconds from `sent` to `delivered`.
    #[serde(default = "default_delivered")]
    pub(crate) delivered_after_seconds: u64,
    /// Seconds from `sent` to `read`.
    #[serde(default = "default_read")]
    pub(crate) read_after_seconds: u64,
}

fn default_name() -> Arc<str> {
    // One shared string for every user without a profile, rather than one per message.
    static NAME: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from("WhatsApp User"));
    NAME.clone()
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
        let chars = self.name.chars().count();
        if chars > MAX_NAME_CHARS {
            return Err(format!(
                "name: expected at most {MAX_NAME_CHARS} characters, found {chars}"
            ));
        }
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

/// `PUT /__admin/recipients/{id}`: a profile, and the ids the path does not give.
#[derive(Clone, Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecipientRequest {
    /// What happens to messages.
    #[serde(default)]
    pub(crate) behaviour: Behaviour,
    /// Profile name shown in webhooks' `contacts`.
    #[serde(default = "default_name")]
    pub(crate) name: Arc<str>,
    /// Seconds from `sent` to `delivered`.
    #[serde(default = "default_delivered")]
    pub(crate) delivered_after_seconds: u64,
    /// Seconds from `sent` to `read`.
    #[serde(default = "default_read")]
    pub(crate) read_after_seconds: u64,
    /// The user's BSUID, when the path is a phone number.
    #[serde(default)]
    pub(crate) user_id: Option<String>,
    /// The user's phone number, when the path is a BSUID (the business knows both).
    #[serde(default)]
    pub(crate) phone: Option<String>,
    /// The user's parent BSUID (`CC.ENT.…`).
    #[serde(default)]
    pub(crate) parent_user_id: Option<String>,
}

impl RecipientRequest {
    /// The profile part.
    pub(crate) fn profile(&self) -> Profile {
        Profile {
            behaviour: self.behaviour,
            name: self.name.clone(),
            delivered_after_seconds: self.delivered_after_seconds,
            read_after_seconds: self.read_after_seconds,
        }
    }
}

/// What a message will go through: whether it is `sent` on acceptance, then later steps.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub(crate) struct Timeline {
    /// `sent` is recorded on acceptance.
    pub(crate) sent: bool,
    /// Later statuses in order, each with its delay after acceptance and, for `failed`, why.
    pub(crate) steps: Vec<(Duration, MessageStatus, Option<ErrorKind>)>,
}

impl Timeline {
    /// Never sent: `failed` with `kind` after [`FAILED_AFTER`].
    pub(crate) fn failed(kind: ErrorKind) -> Self {
        Self {
            sent: false,
            steps: vec![(FAILED_AFTER, MessageStatus::Failed, Some(kind))],
        }
    }

    /// Whether the message reaches the user's phone.
    pub(crate) fn delivers(&self) -> bool {
        self.steps
            .iter()
            .any(|(_, status, _)| matches!(status, MessageStatus::Delivered | MessageStatus::Read))
    }
}

/// How long an inbound message keeps the customer-service window open.
pub(crate) const CUSTOMER_SERVICE_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// How long after a message that came from a click-to-WhatsApp ad or post the business's
/// reply opens a free entry point: Meta's 24 hours.
pub(crate) const ENTRY_POINT_REPLY_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// How long a free entry point stays open once the business replied: Meta's 72 hours.
pub(crate) const FREE_ENTRY_POINT_WINDOW: Duration = Duration::from_secs(72 * 3600);

/// A user's last message with a `referral`, and when the business's reply opened its free
/// entry point.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
struct EntryPoint {
    referred_at: Timestamp,
    opened_at: Option<Timestamp>,
}

/// What the directory knows of one user besides the BSUID it is keyed by.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
struct Known {
    phone: Option<String>,
    parent: Option<String>,
}

/// The recipients a sandbox knows: who is who (phone numbers and BSUIDs), profile overrides,
/// marketing opt-outs and customer-service windows, each keyed by the user's BSUID so that a
/// phone send and a BSUID send to the same user behave alike.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub(crate) struct Recipients {
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    users: HashMap<String, Known>,
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    by_phone: HashMap<String, String>,
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    by_parent: HashMap<String, String>,
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    profiles: HashMap<String, Profile>,
    #[serde(
        serialize_with = "crate::persist::sorted_set::serialize",
        deserialize_with = "crate::persist::sorted_set::deserialize"
    )]
    opted_out: HashSet<String>,
    #[serde(
        serialize_with = "crate::persist::sorted_map::serialize",
        deserialize_with = "crate::persist::sorted_map::deserialize"
    )]
    last_inbound: HashMap<String, Timestamp>,
    entry_points: HashMap<String, EntryPoint>,
    /// Marketing templates that count against each user's per-user limit.
    marketing: Tally,
    /// The bytes of the profile names in `profiles`, which a client chooses.
    names: usize,
}

/// Estimates of what each entry holds (key, value, map slot), for the memory budget; a
/// profile's name is counted on top. Calibrated against RSS: 20,000 recipients with 256-byte
/// names took 880 bytes each.
const USER_BYTES: usize = 224;
const LINK_BYTES: usize = 160;
const PROFILE_BYTES: usize = 192;
const FLAG_BYTES: usize = 80;
const TALLY_BYTES: usize = 96;

/// The longest profile name a recipient may have (*invented*: Meta documents none for
/// users; WhatsApp's own app keeps them far shorter).
pub(crate) const MAX_NAME_CHARS: usize = 256;

/// One recipient as the admin API lists it.
pub(crate) struct Entry {
    pub(crate) identity: Identity,
    pub(crate) profile: Profile,
    pub(crate) opted_out: bool,
    pub(crate) window_until: Option<Timestamp>,
}

impl Recipients {
    /// The user with phone `digits`.
    pub(crate) fn by_phone(&self, digits: &str) -> Identity {
        let user_id = self
            .by_phone
            .get(digits)
            .cloned()
            .unwrap_or_else(|| derived_bsuid(digits));
        let parent = self.users.get(&user_id).and_then(|k| k.parent.clone());
        Identity {
            wa_id: Some(digits.to_owned()),
            user_id,
            parent_user_id: parent,
        }
    }

    /// The user with BSUID (or parent BSUID) `bsuid`; the phone number only if linked.
    pub(crate) fn by_bsuid(&self, bsuid: &str) -> Identity {
        let (user_id, parent) = if is_parent_bsuid(bsuid) {
            let user_id = self
                .by_parent
                .get(bsuid)
                .cloned()
                .unwrap_or_else(|| derived_bsuid(bsuid));
            (user_id, Some(bsuid.to_owned()))
        } else {
            let parent = self.users.get(bsuid).and_then(|k| k.parent.clone());
            (bsuid.to_owned(), parent)
        };
        let wa_id = self.users.get(&user_id).and_then(|k| k.phone.clone());
        Identity {
            wa_id,
            user_id,
            parent_user_id: parent,
        }
    }

    /// Records who `identity` is: its phone number and parent BSUID become known for its BSUID.
    pub(crate) fn link(&mut self, identity: &Identity) {
        let known = self.users.entry(identity.user_id.clone()).or_default();
        if let Some(phone) = &identity.wa_id {
            if let Some(old) = known.phone.replace(phone.clone())
                && &old != phone
            {
                self.by_phone.remove(&old);
            }
            self.by_phone
                .insert(phone.clone(), identity.user_id.clone());
        }
        if let Some(parent) = &identity.parent_user_id {
            if let Some(old) = known.parent.replace(parent.clone())
                && &old != parent
            {
                self.by_parent.remove(&old);
            }
            self.by_parent
                .insert(parent.clone(), identity.user_id.clone());
        }
    }

    /// The profile of `who`: the override if one is set, else the magic suffix's (of the phone
    /// number when known, else of the BSUID).
    pub(crate) fn profile(&self, who: &Identity) -> Profile {
        self.profiles.get(&who.user_id).cloned().unwrap_or_else(|| {
            let number = who.wa_id_or_bsuid();
            Profile::with_behaviour(behaviour_for_number(number))
        })
    }

    /// Sets the profile of `who` and records who they are.
    pub(crate) fn set_profile(&mut self, who: &Identity, profile: Profile) {
        self.link(who);
        self.names += profile.name.len();
        if let Some(old) = self.profiles.insert(who.user_id.clone(), profile) {
            self.names = self.names.saturating_sub(old.name.len());
        }
    }

    /// What the recipients hold, by estimate, for the memory budget: the users and their
    /// links, profiles (with their names), opt-outs, windows and marketing tallies.
    pub(crate) fn retained_bytes(&self) -> usize {
        self.users.len() * USER_BYTES
            + (self.by_phone.len() + self.by_parent.len()) * LINK_BYTES
            + self.profiles.len() * PROFILE_BYTES
            + self.names
            + (self.opted_out.len() + self.last_inbound.len()) * FLAG_BYTES
            + self.marketing.users() * TALLY_BYTES
    }

    /// Records that `who` stopped marketing messages; whether that changed anything.
    pub(crate) fn opt_out(&mut self, who: &Identity) -> bool {
        self.opted_out.insert(who.user_id.clone())
    }

    /// Records that `who` resumed marketing messages; whether that changed anything.
    pub(crate) fn resume(&mut self, who: &Identity) -> bool {
        self.opted_out.remove(&who.user_id)
    }

    /// Whether `who` stopped marketing messages.
    pub(crate) fn has_opted_out(&self, who: &Identity) -> bool {
        self.opted_out.contains(&who.user_id)
    }

    /// Records a message from `who` at `at`: it opens (or extends) the customer-service window.
    pub(crate) fn record_inbound(&mut self, who: &Identity, at: Timestamp) {
        self.link(who);
        self.last_inbound.insert(who.user_id.clone(), at);
    }

    /// Records a message from `who` at `at` that came from a click-to-WhatsApp ad or post: a
    /// reply within [`ENTRY_POINT_REPLY_WINDOW`] opens a free entry point.
    pub(crate) fn record_referral(&mut self, who: &Identity, at: Timestamp) {
        let entry = EntryPoint {
            referred_at: at,
            opened_at: None,
        };
        self.entry_points.insert(who.user_id.clone(), entry);
    }

    /// Whether a message the business sends `who` at `now` is free as a free entry point: the
    /// first one within 24 hours of a referred message opens a 72-hour window, and every
    /// message inside it is free, templates included.
    pub(crate) fn free_entry_point(&mut self, who: &Identity, now: Timestamp) -> bool {
        let Some(entry) = self.entry_points.get_mut(&who.user_id) else {
            return false;
        };
        match entry.opened_at {
            Some(opened) => now < opened.plus(FREE_ENTRY_POINT_WINDOW),
            None if now < entry.referred_at.plus(ENTRY_POINT_REPLY_WINDOW) => {
                entry.opened_at = Some(now);
                true
            }
            None => false,
        }
    }

    /// When the customer-service window with `who` closes, if it was ever opened.
    pub(crate) fn window_until(&self, who: &Identity) -> Option<Timestamp> {
        self.last_inbound
            .get(&who.user_id)
            .map(|at| at.plus(CUSTOMER_SERVICE_WINDOW))
    }

    /// Whether the customer-service window with `who` is open at `now`.
    pub(crate) fn in_window(&self, who: &Identity, now: Timestamp) -> bool {
        self.window_until(who).is_some_and(|until| now < until)
    }

    /// How many marketing templates count against `who`'s per-user limit at `now`.
    pub(crate) fn marketing_counted(&self, who: &Identity, now: Timestamp) -> usize {
        self.marketing.count(&who.user_id, now)
    }

    /// Counts a marketing template `who` received at `at` against their per-user limit.
    pub(crate) fn count_marketing(&mut self, who: &Identity, at: Timestamp) {
        self.marketing.record(&who.user_id, at);
    }

    /// `who` gets the BSUID `new_user_id` (a changed phone number gives a new BSUID, Meta says):
    /// profile, opt-out, window and marketing limit follow. Returns the user as now known.
    pub(crate) fn change_user_id(&mut self, who: &Identity, new_user_id: String) -> Identity {
        let old = who.user_id.clone();
        let known = self.users.remove(&old).unwrap_or_default();
        for map in [&mut self.by_phone, &mut self.by_parent] {
            map.retain(|_, user| user != &old);
        }
        let moved = Identity {
            wa_id: who.wa_id.clone().or(known.phone),
            user_id: new_user_id,
            parent_user_id: who.parent_user_id.clone().or(known.parent),
        };
        // The old id is forgotten, so its own entry must not remain in the directory.
        self.link(&moved);
        if let Some(profile) = self.profiles.remove(&old) {
            self.profiles.insert(moved.user_id.clone(), profile);
        }
        if self.opted_out.remove(&old) {
            self.opted_out.insert(moved.user_id.clone());
        }
        if let Some(at) = self.last_inbound.remove(&old) {
            self.last_inbound.insert(moved.user_id.clone(), at);
        }
        if let Some(entry) = self.entry_points.remove(&old) {
            self.entry_points.insert(moved.user_id.clone(), entry);
        }
        self.marketing.rename(&old, &moved.user_id);
        moved
    }

    /// `who` moves to the phone number `wa_id`, keeping their BSUID and so their profile,
    /// opt-out, window and marketing limit; the old number names nobody known any more.
    /// Returns the user as now known.
    pub(crate) fn change_phone(&mut self, who: &Identity, wa_id: String) -> Identity {
        if let Some(old) = &who.wa_id {
            self.by_phone.remove(old);
        }
        let moved = Identity {
            wa_id: Some(wa_id),
            ..who.clone()
        };
        self.link(&moved);
        moved
    }

    /// What the sandbox knows of `who`.
    pub(crate) fn entry(&self, who: &Identity) -> Entry {
        let identity = self.by_bsuid(&who.user_id);
        Entry {
            profile: self.profile(&identity),
            opted_out: self.has_opted_out(&identity),
            window_until: self.window_until(&identity),
            identity,
        }
    }

    /// Every user the sandbox knows something about, ordered by BSUID.
    pub(crate) fn entries(&self) -> Vec<Entry> {
        let mut ids: Vec<&String> = self
            .users
            .keys()
            .chain(self.profiles.keys())
            .chain(self.opted_out.iter())
            .chain(self.last_inbound.keys())
            .collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .map(|id| self.entry(&self.by_bsuid(id)))
            .collect()
    }

    /// The timeline of a message to `who`; `ttl` bounds how long an offline user is waited for.
    pub(crate) fn timeline(
        &self,
        who: &Identity,
        marketing: bool,
        ttl: Duration,
        rules: Rules,
    ) -> Timeline {
        // Meta accepts a send to any digits and reports a number no one can hold as
        // undeliverable, as it does a number not on WhatsApp.
        if who
            .wa_id
            .as_deref()
            .is_some_and(|phone| country::of(phone).is_none())
        {
            return Timeline::failed(ErrorKind::MessageUndeliverable);
        }
        if marketing && rules.us_marketing_undeliverable && who.is_in_the_us() {
            return Timeline::failed(ErrorKind::EcosystemEngagement);
        }
        // Borrowed: the timeline needs the behaviour and delays, not a copy of the name.
        let default;
        let profile = match self.profiles.get(&who.user_id) {
            Some(profile) => profile,
            None => {
                default = self.profile(who);
                &default
            }
        };
        let delivered = Duration::from_secs(profile.delivered_after_seconds);
        let read = Duration::from_secs(
            profile
                .read_after_seconds
                .max(profile.delivered_after_seconds),
        );
        match profile.behaviour {
            Behaviour::StoppedMarketing if marketing => {
                Timeline::failed(ErrorKind::UserStoppedMarketing)
            }
            _ if marketing && self.has_opted_out(who) => {
                Timeline::failed(ErrorKind::UserStoppedMarketing)
            }
            Behaviour::Undeliverable => Timeline::failed(ErrorKind::MessageUndeliverable),
            Behaviour::EcosystemLimited => Timeline::failed(ErrorKind::EcosystemEngagement),
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

/// The BSUID the mock gives a user it knows only by `seed` (a phone number, or a parent BSUID):
/// the number's country ([`country::of`]; `ZZ` for a number that is not possible) and 20
/// digits of a hash, so the same number always has the same BSUID (*invented*).
pub(crate) fn derived_bsuid(seed: &str) -> String {
    let of_number;
    let country = match seed.split_once('.') {
        Some((country, _)) => country,
        None => {
            of_number = country::of(seed);
            of_number.as_ref().map_or("ZZ", country::Country::iso)
        }
    };
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // `format!("{hash:020}")`, written by hand: every send to a number the world does not
    // list derives its BSUID, and the formatter's padding costs more than the hash.
    let mut decimal = [b'0'; 20];
    for digit in decimal.iter_mut().rev() {
        *digit = b'0' + u8::try_from(hash % 10).unwrap_or(0);
        hash /= 10;
    }
    let mut id = String::with_capacity(country.len() + 1 + decimal.len());
    id.push_str(country);
    id.push('.');
    id.extend(decimal.iter().map(|&d| char::from(d)));
    id
}

/// The next BSUID of a user whose BSUID was `previous` (*invented*, deterministic).
pub(crate) fn next_bsuid(previous: &str) -> String {
    derived_bsuid(&format!("{previous}+"))
}

/// Whether tapping a button with this text opts the user out of marketing.
pub(crate) fn stops_promotions(button_text: &str) -> bool {
    button_text.to_lowercase().contains("stop promotions")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(43_200);

    fn phone(r: &Recipients, n: &str) -> Identity {
        r.by_phone(n)
    }

    #[test]
    fn a_reply_within_24_hours_of_a_referral_opens_72_free_hours() {
        let mut r = Recipients::default();
        let ann = phone(&r, "14165551234");
        let bob = phone(&r, "14165555678");
        let t0 = Timestamp::MANUAL_START;
        let at = |secs: u64| t0.plus(Duration::from_secs(secs));
        assert!(!r.free_entry_point(&ann, t0), "no referral, no entry point");
        r.record_referral(&ann, t0);
        r.record_referral(&bob, t0);
        // Ann's business replies an hour later: 72 hours free from then.
        assert!(r.free_entry_point(&ann, at(3_600)));
        assert!(r.free_entry_point(&ann, at(3_600 + 72 * 3_600 - 1)));
        assert!(!r.free_entry_point(&ann, at(3_600 + 72 * 3_600)));
        // Bob gets no reply within 24 hours: nothing is free.
        assert!(!r.free_entry_point(&bob, at(24 * 3_600)));
        // A new referral starts over.
        r.record_referral(&bob, at(24 * 3_600));
        assert!(r.free_entry_point(&bob, at(25 * 3_600)));
    }

    #[test]
    fn marketing_to_us_numbers_fails_with_131049_once_meta_blocks_it() {
        let blocked = Rules {
            us_marketing_undeliverable: true,
            ..Rules::default()
        };
        let r = Recipients::default();
        let us = r.timeline(&phone(&r, "16505551234"), true, TTL, blocked);
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
            r.timeline(&phone(&r, "16505551234"), false, TTL, blocked)
                .sent,
            "utility"
        );
        assert!(
            r.timeline(&phone(&r, "14165551234"), true, TTL, blocked)
                .sent,
            "Canada"
        );
        assert!(
            r.timeline(&phone(&r, "16505551234"), true, TTL, Rules::default())
                .sent,
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
        let who = phone(&r, "14165551050");
        assert_eq!(
            r.timeline(&who, true, TTL, Rules::default()),
            Timeline::failed(ErrorKind::UserStoppedMarketing)
        );
        assert!(r.timeline(&who, false, TTL, Rules::default()).sent);
    }

    #[test]
    fn an_opted_out_user_fails_later_marketing_by_phone_and_by_bsuid() {
        let mut r = Recipients::default();
        let who = phone(&r, "14165551234");
        assert!(r.opt_out(&who));
        assert!(!r.timeline(&who, true, TTL, Rules::default()).sent);
        assert!(
            !r.timeline(&r.by_bsuid(&who.user_id), true, TTL, Rules::default())
                .sent
        );
        assert!(r.timeline(&who, false, TTL, Rules::default()).sent);
        assert!(r.resume(&who));
        assert!(r.timeline(&who, true, TTL, Rules::default()).sent);
    }

    #[test]
    fn offline_users_fail_when_the_ttl_runs_out() {
        let r = Recipients::default();
        let t = r.timeline(&phone(&r, "14165550408"), true, TTL, Rules::default());
        assert_eq!(
            t.steps,
            [(TTL, MessageStatus::Failed, Some(ErrorKind::TtlExpired))]
        );
    }

    #[test]
    fn derived_bsuids_are_stable_and_carry_the_country() {
        let a = derived_bsuid("14165551234");
        assert_eq!(a, derived_bsuid("14165551234"));
        assert!(a.starts_with("CA.") && a.len() == 23, "Toronto: {a}");
        assert!(derived_bsuid("447700900123").starts_with("GB."));
        assert!(derived_bsuid("18765551234").starts_with("JM."));
        assert!(derived_bsuid("16505551234").starts_with("US."));
        assert!(
            derived_bsuid("1650555123").starts_with("ZZ."),
            "not a possible number"
        );
        assert!(derived_bsuid("US.ENT.118").starts_with("US."));
        assert!(wa_contract::payload::bsuid::is_bsuid(&a));
        assert_ne!(next_bsuid(&a), a);
    }

    #[test]
    fn a_bsuid_shows_its_phone_only_once_linked() {
        let mut r = Recipients::default();
        let bsuid = "CA.13491208655302741918";
        assert_eq!(r.by_bsuid(bsuid).wa_id, None);
        r.link(&Identity {
            wa_id: Some("14165551234".to_owned()),
            user_id: bsuid.to_owned(),
            parent_user_id: Some("CA.ENT.11815799212886844830".to_owned()),
        });
        assert_eq!(r.by_bsuid(bsuid).wa_id.as_deref(), Some("14165551234"));
        assert_eq!(r.by_phone("14165551234").user_id, bsuid);
        let via_parent = r.by_bsuid("CA.ENT.11815799212886844830");
        assert_eq!(via_parent.user_id, bsuid);
    }

    #[test]
    fn the_window_lasts_24_hours_from_the_last_inbound_message() {
        let mut r = Recipients::default();
        let who = phone(&r, "14165551234");
        let at = Timestamp::MANUAL_START;
        assert!(!r.in_window(&who, at));
        r.record_inbound(&who, at);
        assert!(r.in_window(&who, at.plus(Duration::from_secs(86_399))));
        assert!(!r.in_window(&who, at.plus(CUSTOMER_SERVICE_WINDOW)));
    }

    #[test]
    fn a_new_bsuid_keeps_the_users_state() {
        let mut r = Recipients::default();
        let who = phone(&r, "14165551234");
        r.opt_out(&who);
        r.record_inbound(&who, Timestamp::MANUAL_START);
        let moved = r.change_user_id(&who, "US.777".to_owned());
        assert_eq!(r.by_phone("14165551234").user_id, "US.777");
        assert!(r.has_opted_out(&moved));
        assert!(r.window_until(&moved).is_some());
        assert_eq!(r.entries().len(), 1);
    }
}
