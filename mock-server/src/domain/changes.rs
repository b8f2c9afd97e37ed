//! Meta's changelog on the clock: the dated changes in `fixtures/changes.json` (rules and Graph
//! API versions), each applied from its date on the sandbox's clock. A manual clock pinned to
//! any day therefore answers as Meta did, or has announced it will, on that day.

use std::sync::OnceLock;

use serde::Deserialize;
use wa_contract::GraphVersion;

use crate::clock::Timestamp;

/// The changelog as shipped.
const BUILTIN_JSON: &str = include_str!("../../data/changes.json");

/// One dated change to a rule, as the admin API shows it.
pub(crate) use wa_contract::model::MetaChange as Change;

/// When a Graph API version is served.
#[derive(Deserialize)]
struct VersionDates {
    version: GraphVersion,
    released: String,
    expires: Option<String>,
}

#[derive(Deserialize)]
struct File {
    changes: Vec<Change>,
    versions: Vec<VersionDates>,
}

/// The changelog, with every date read.
pub(crate) struct Changelog {
    changes: Vec<(Timestamp, Change)>,
    /// By version, oldest first: released, expires.
    versions: Vec<(GraphVersion, Timestamp, Option<Timestamp>)>,
}

/// The rules Meta applies on one day, as switches the domain reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rules {
    /// Marketing templates to US numbers fail with 131049.
    pub(crate) us_marketing_undeliverable: bool,
    /// A sandbox's per-user marketing limit applies, outside the customer-service window.
    pub(crate) per_user_marketing_limit: bool,
    /// Paced business portfolios have their template sends held in batches.
    pub(crate) portfolio_pacing: bool,
    /// `DELETE …/message_templates` takes `hsm_ids`.
    pub(crate) bulk_template_delete: bool,
    /// MSC businesses send through the MM API.
    pub(crate) msc_on_mm_api: bool,
    /// WABA-level creative optimisations are off unless opted in.
    pub(crate) creative_optimisations_off_by_default: bool,
    /// Max prices are set as `optimization_spec`.
    pub(crate) optimization_spec: bool,
    /// `bid_spec` is refused.
    pub(crate) bid_spec_unsupported: bool,
    /// Utility templates are billed inside the customer-service window.
    pub(crate) utility_billed_in_window: bool,
    /// MARKETING templates are refused on `/messages`.
    pub(crate) cloud_api_marketing_sunset: bool,
    /// Sends take `messaging_account_id` (and its alias `paid_messaging_account_id`).
    pub(crate) messaging_accounts: bool,
}

/// How a Graph API version stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionStatus {
    /// Served as itself.
    Available,
    /// Past its expiry: served as the oldest available version.
    Expired,
    /// Not released yet (or never): an unknown path.
    Unreleased,
}

fn day(date: &str) -> Result<Timestamp, String> {
    Timestamp::parse_rfc3339(&format!("{date}T00:00:00Z")).map_err(|e| format!("{date}: {e}"))
}

impl Changelog {
    /// The changelog in `fixtures/changes.json`.
    pub(crate) fn builtin() -> &'static Changelog {
        static BUILTIN: OnceLock<Changelog> = OnceLock::new();
        BUILTIN
            .get_or_init(|| Changelog::parse(BUILTIN_JSON).expect("fixtures/changes.json is valid"))
    }

    fn parse(json: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let mut changes = file
            .changes
            .into_iter()
            .map(|c| Ok((day(&c.date)?, c)))
            .collect::<Result<Vec<_>, String>>()?;
        changes.sort_by_key(|(at, _)| *at);
        let mut versions = file
            .versions
            .iter()
            .map(|v| {
                let expires = v.expires.as_deref().map(day).transpose()?;
                Ok((v.version, day(&v.released)?, expires))
            })
            .collect::<Result<Vec<_>, String>>()?;
        versions.sort_by_key(|(v, ..)| *v);
        Ok(Self { changes, versions })
    }

    /// The changes in force at `now`, oldest first.
    pub(crate) fn in_force(&self, now: Timestamp) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(move |(at, _)| *at <= now)
            .map(|(_, c)| c)
    }

    /// The versions served as themselves at `now`, oldest first.
    pub(crate) fn available(&self, now: Timestamp) -> impl Iterator<Item = GraphVersion> {
        self.versions
            .iter()
            .map(|(v, ..)| *v)
            .filter(move |v| self.version_status(*v, now) == VersionStatus::Available)
    }

    /// The rules at `now`.
    pub(crate) fn rules(&self, now: Timestamp) -> Rules {
        let on = |id: &str| self.in_force(now).any(|c| c.id == id);
        Rules {
            us_marketing_undeliverable: on("us_marketing_undeliverable"),
            per_user_marketing_limit: on("per_user_marketing_limit"),
            bulk_template_delete: on("bulk_template_delete"),
            msc_on_mm_api: on("msc_on_mm_api"),
            creative_optimisations_off_by_default: on("creative_optimisations_off_by_default"),
            optimization_spec: on("optimization_spec"),
            bid_spec_unsupported: on("bid_spec_unsupported"),
            utility_billed_in_window: on("utility_billed_in_window"),
            cloud_api_marketing_sunset: on("cloud_api_marketing_sunset"),
            portfolio_pacing: on("portfolio_pacing"),
            messaging_accounts: on("messaging_accounts"),
        }
    }

    /// How `version` stands at `now`. Versions older than the oldest listed expired before
    /// any listed date; newer ones than the newest listed are not released.
    pub(crate) fn version_status(&self, version: GraphVersion, now: Timestamp) -> VersionStatus {
        match self.versions.iter().find(|(v, ..)| *v == version) {
            Some((_, released, _)) if now < *released => VersionStatus::Unreleased,
            Some((_, _, Some(expires))) if now >= *expires => VersionStatus::Expired,
            Some(_) => VersionStatus::Available,
            None if self.versions.first().is_some_and(|(v, ..)| version < *v) => {
                VersionStatus::Expired
            }
            None => VersionStatus::Unreleased,
        }
    }

    /// The version a call to `version` is answered as at `now`: itself, or for an expired one
    /// the oldest version still available; `None` when it is not released.
    pub(crate) fn serve_as(&self, version: GraphVersion, now: Timestamp) -> Option<GraphVersion> {
        match self.version_status(version, now) {
            VersionStatus::Available => Some(version),
            VersionStatus::Unreleased => None,
            VersionStatus::Expired => self.available(now).next(),
        }
    }

    /// The newest version released by `now`.
    pub(crate) fn newest(&self, now: Timestamp) -> Option<GraphVersion> {
        self.available(now).last()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> Timestamp {
        day(date).unwrap()
    }

    #[test]
    fn every_rule_the_mock_keys_on_is_in_the_file() {
        let log = Changelog::builtin();
        let all = log.rules(Timestamp::LATEST);
        assert!(all.us_marketing_undeliverable && all.msc_on_mm_api);
        assert!(all.bulk_template_delete && all.portfolio_pacing);
        assert!(all.per_user_marketing_limit);
        assert!(all.creative_optimisations_off_by_default && all.cloud_api_marketing_sunset);
        assert!(all.optimization_spec && all.bid_spec_unsupported);
        assert!(all.utility_billed_in_window && all.messaging_accounts);
        assert_eq!(log.rules(Timestamp::EARLIEST), Rules::default());
    }

    #[test]
    fn versions_are_served_from_release_to_expiry_then_as_the_oldest_available() {
        let log = Changelog::builtin();
        let v = GraphVersion::new;
        let dec = at("2026-12-01");
        assert_eq!(log.serve_as(v(27, 0), dec), Some(v(27, 0)));
        assert_eq!(log.serve_as(v(27, 0), at("2026-11-03")), None);
        assert_eq!(log.serve_as(v(20, 0), dec), Some(v(21, 0)));
        assert_eq!(log.serve_as(v(17, 0), dec), Some(v(21, 0)));
        assert_eq!(log.serve_as(v(20, 0), at("2026-09-23")), Some(v(20, 0)));
        assert_eq!(log.serve_as(v(28, 0), dec), None);
        assert_eq!(log.newest(dec), Some(v(27, 0)));
        assert_eq!(log.newest(at("2026-03-01")), Some(v(25, 0)));
    }
}
