//! `wa-contract journal` and `wa-contract snapshot`: read a running `wa-mock` through its admin
//! API (`/__admin/requests`, `/__admin/messages`, `/__admin/webhooks/deliveries`, each a
//! [`List`]), authenticated with the sandbox's token.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use wa_contract::admin::{JournalEntry, List};
use wa_contract::operations::request_kind;
use wa_contract::snapshot::redact;
use wa_contract::{PayloadKind, Violation, validate};

use super::{Format, InputError, Outcome, runtime};

/// Arguments of `journal` and `snapshot`: where the mock is and which sandbox to read.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The mock's base URL, e.g. http://127.0.0.1:8089.
    #[arg(long, value_name = "URL")]
    mock: String,
    /// The sandbox's token (default: the default sandbox).
    #[arg(long, env = "WA_MOCK_TOKEN")]
    token: Option<String>,
    /// Output format (`snapshot`: one line per record, or one JSON document).
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// `GET {mock}/__admin/{list}` → its `data`, each item read as a `T`.
fn admin_list<T: DeserializeOwned>(mock: &Args, list: &str) -> Result<Vec<T>, InputError> {
    let url = format!("{}/__admin/{list}", mock.mock.trim_end_matches('/'));
    let rt = runtime()?;
    let body: List<T> = rt.block_on(async {
        let mut request = reqwest::Client::new().get(&url);
        if let Some(token) = &mock.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| InputError(format!("{url}: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(InputError(format!("{url}: HTTP {status}")));
        }
        let text = response
            .text()
            .await
            .map_err(|e| InputError(format!("{url}: {e}")))?;
        serde_json::from_str(&text)
            .map_err(|e| InputError(format!("{url}: not an admin list answer: {e}")))
    })?;
    Ok(body.data)
}

/// A journal entry whose request body breaks its contract.
#[derive(Serialize)]
struct Failing<'a> {
    seq: u64,
    method: &'a str,
    path: &'a str,
    kind: PayloadKind,
    violations: Vec<Violation>,
}

/// Runs `journal`: validates the body of every request with a checked contract.
pub(super) fn journal(args: &Args) -> Result<Outcome, InputError> {
    let entries: Vec<JournalEntry> = admin_list(args, "requests")?;
    let mut checked = 0;
    let mut failing = Vec::new();
    for entry in &entries {
        let Some(kind) = request_kind(&entry.method, &entry.path, &entry.request) else {
            continue;
        };
        checked += 1;
        let report = validate(kind, &entry.request);
        if !report.is_ok() {
            failing.push(Failing {
                seq: entry.seq,
                method: &entry.method,
                path: &entry.path,
                kind,
                violations: report.violations,
            });
        }
    }
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "requests": entries.len(), "checked": checked, "failing": failing}))?
        ),
        Format::Text => {
            for request in &failing {
                println!(
                    "#{} {} {} ({}):",
                    request.seq,
                    request.method,
                    request.path,
                    request.kind.as_str()
                );
                for v in &request.violations {
                    let path = if v.path.is_empty() { "(root)" } else { &v.path };
                    println!(
                        "  {path}: expected {}, found {} [{}]",
                        v.expected, v.found, v.rule
                    );
                }
            }
            println!(
                "{} of {checked} checked request(s) broke the contract ({} in the journal)",
                failing.len(),
                entries.len()
            );
        }
    }
    Ok(if failing.is_empty() {
        Outcome::Conformant
    } else {
        Outcome::Violations
    })
}

/// `value` with every object's keys in sorted order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let ordered: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            Value::Object(ordered.into_iter().collect::<Map<String, Value>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// Sorts records by the first of `keys` they have (then by their JSON text), so that the
/// timeline's order does not depend on how the mock stores them.
fn order(mut records: Vec<Value>, keys: &[&str]) -> Vec<Value> {
    let rank = |v: &Value| {
        let key = keys
            .iter()
            .find_map(|k| v.get(*k))
            .map(|k| match k {
                Value::Number(n) => format!("{:020}", n.as_u64().unwrap_or_default()),
                other => other.to_string(),
            })
            .unwrap_or_default();
        (key, v.to_string())
    };
    records.sort_by_cached_key(rank);
    records
}

/// Runs `snapshot`: the sandbox's requests, messages and webhook deliveries, sorted and
/// redacted.
pub(super) fn snapshot(args: &Args) -> Result<Outcome, InputError> {
    let sections = [
        (
            "requests",
            order(admin_list(args, "requests")?, &["seq", "at"]),
        ),
        (
            "messages",
            order(admin_list(args, "messages")?, &["created_at", "seq"]),
        ),
        (
            "webhook_deliveries",
            order(
                admin_list(args, "webhooks/deliveries")?,
                &["seq", "at", "created_at"],
            ),
        ),
    ];
    let timeline: Map<String, Value> = sections
        .into_iter()
        .map(|(name, records)| (name.to_owned(), Value::Array(records)))
        .collect();
    let timeline = sorted(redact(&Value::Object(timeline)));
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&timeline)?),
        Format::Text => {
            for (section, records) in timeline.as_object().into_iter().flatten() {
                for record in records.as_array().into_iter().flatten() {
                    println!("{section} {record}");
                }
            }
        }
    }
    Ok(Outcome::Conformant)
}
