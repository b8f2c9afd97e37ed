//! `/__admin/conversations` and `/__admin/changes`: what the inbox reads that the other
//! endpoints do not say in one answer — a sandbox's messages grouped by user with what the user
//! sent, windows of one conversation with the request behind each message, and a live notice of
//! every change.
//!
//! A conversation is built on each read from the messages, the event history (what users sent)
//! and the journal (the send requests); nothing is kept twice.

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::Value;
use wa_contract::ErrorKind;
use wa_contract::admin::{
    Conversation, ConversationItem, ConversationPage, Conversations, Failure, InboundItem,
    OutboundItem,
};

use super::{AdminPath, AdminResult, AdminSandbox, wire};
use crate::clock::Timestamp;
use crate::domain::Refusal;
use crate::domain::events::{Event, EventKind, InboundMessage};
use crate::domain::identity::Identity;
use crate::domain::message::Message;
use crate::domain::status::MessageStatus;
use crate::http::{parse_query, refuse};
use crate::state::AppState;
use crate::store::{SandboxState, Store};

/// Most items one answer holds.
const MAX_LIMIT: usize = 1_000;
/// Items an answer holds when `limit` is not given.
const DEFAULT_LIMIT: usize = 50;

/// A query parameter read as a count from 0 (offsets) or 1 (limits) to [`MAX_LIMIT`] or
/// beyond; refused in Graph's words otherwise.
fn count(
    store: &Store,
    query: &[(String, String)],
    name: &str,
    min: usize,
    max: usize,
    default: usize,
) -> Result<usize, crate::http::GraphError> {
    match query.iter().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                refuse(
                    store,
                    &Refusal::invalid(format!(
                        "{name}: expected a whole number from {min} to {max}, found '{}'",
                        v.escape_debug()
                    )),
                )
            }),
    }
}

/// The `limit` of a list answered oldest first: how many of its newest entries to keep (all
/// when absent).
pub(super) fn newest(store: &Store, query: Option<&str>) -> Result<usize, crate::http::GraphError> {
    count(
        store,
        &parse_query(query),
        "limit",
        1,
        usize::MAX,
        usize::MAX,
    )
}

/// Where an item sits in a conversation: clock time, then the event history's order (a
/// message's first status event, an inbound message's own), then the order items were read.
type Order = (Timestamp, u64, usize);

/// One item of a conversation, borrowed from the sandbox's state.
enum Item<'a> {
    Out(&'a Message),
    In(&'a Event, &'a InboundMessage),
}

impl Item<'_> {
    fn id(&self) -> &str {
        match self {
            Item::Out(m) => m.id.as_str(),
            Item::In(_, m) => m.id.as_str(),
        }
    }
}

/// Where a wamid's text lives: a message and the events about it share one allocation, so the
/// address names the message without hashing its (long) text.
fn address(id: &str) -> usize {
    id.as_ptr() as usize
}

/// Hashes an [`address`]: aligned, so its low bits say nothing until mixed.
#[derive(Default)]
struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }

    fn write_usize(&mut self, n: usize) {
        let mixed = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = mixed ^ (mixed >> 29);
    }
}

/// The user a conversation is keyed by: a phone number's digits, or a BSUID.
fn user(state: &SandboxState, key: &str) -> Identity {
    if key.contains('.') {
        state.recipients.by_bsuid(key)
    } else {
        state.recipients.by_phone(key)
    }
}

/// The seq of each message's first status event still in the history (of the messages to
/// `wa_id` only, when given), by [`address`].
fn first_status_seqs(
    state: &SandboxState,
    wa_id: Option<&str>,
) -> HashMap<usize, u64, BuildHasherDefault<AddressHasher>> {
    let mut seqs = HashMap::default();
    for e in state.outbox.history() {
        if let EventKind::MessageStatus(change) = &e.kind
            && wa_id.is_none_or(|w| {
                change.recipient.wa_id.as_deref() == Some(w) || change.recipient.user_id == w
            })
        {
            seqs.entry(address(change.wamid.as_str())).or_insert(e.seq);
        }
    }
    seqs
}

/// Every item of the sandbox (of `wa_id` only, when given) with its order, unsorted.
fn items<'a>(state: &'a SandboxState, wa_id: Option<&str>) -> Vec<(Order, &'a str, Item<'a>)> {
    let seqs = first_status_seqs(state, wa_id);
    let mut out = Vec::new();
    for m in state.messages() {
        if wa_id.is_none_or(|w| w == m.wa_id()) {
            let seq = seqs.get(&address(m.id.as_str())).copied().unwrap_or(0);
            let n = out.len();
            out.push(((m.created_at, seq, n), m.wa_id(), Item::Out(m)));
        }
    }
    for e in state.outbox.history() {
        if let EventKind::Inbound(inbound) = &e.kind {
            let from = inbound.from().unwrap_or_default();
            if wa_id.is_none_or(|w| w == from) {
                let n = out.len();
                out.push(((e.at, e.seq, n), from, Item::In(e, inbound)));
            }
        }
    }
    out
}

/// `GET /__admin/conversations[?offset=&limit=]`.
pub(super) async fn list_conversations(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    uri: Uri,
) -> AdminResult<Conversations> {
    let query = parse_query(uri.query());
    let offset = count(&state.store, &query, "offset", 0, usize::MAX, 0)?;
    let limit = count(&state.store, &query, "limit", 1, MAX_LIMIT, MAX_LIMIT)?;
    let s = sandbox.read();
    #[derive(Default)]
    struct Acc<'a> {
        last: Option<(Order, &'a str)>,
        last_out: Option<(Order, &'a Message)>,
        name: Option<(Order, &'a str)>,
        outbound: usize,
        inbound: usize,
    }
    let mut users: HashMap<&str, Acc<'_>> = HashMap::new();
    for (order, wa_id, item) in items(&s, None) {
        let acc = users.entry(wa_id).or_default();
        let kind = match item {
            Item::Out(m) => {
                acc.outbound += 1;
                if acc.last_out.is_none_or(|(o, _)| order > o) {
                    acc.last_out = Some((order, m));
                }
                m.message_type.as_str()
            }
            Item::In(_, m) => {
                acc.inbound += 1;
                if acc.name.is_none_or(|(o, _)| order > o) {
                    acc.name = Some((order, m.profile_name.as_str()));
                }
                "inbound"
            }
        };
        if acc.last.is_none_or(|(o, _)| order > o) {
            acc.last = Some((order, kind));
        }
    }
    let mut rows: Vec<(Order, Conversation)> = users
        .into_iter()
        .filter_map(|(wa_id, acc)| {
            let (order, last_type) = acc.last?;
            let profile_name = acc.name.map_or_else(
                || s.recipients.profile(&user(&s, wa_id)).name.to_string(),
                |(_, n)| n.to_owned(),
            );
            Some((
                order,
                Conversation {
                    wa_id: wa_id.to_owned(),
                    input: acc.last_out.map(|(_, m)| m.input.clone()),
                    profile_name,
                    outbound: acc.outbound,
                    inbound: acc.inbound,
                    last_at: order.0.to_string(),
                    last_type: last_type.to_owned(),
                    last_status: acc.last_out.map(|(_, m)| m.status()),
                    opted_out: s.recipients.has_opted_out(&user(&s, wa_id)),
                },
            ))
        })
        .collect();
    drop(s);
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    let total = rows.len();
    let data = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, c)| c)
        .collect();
    Ok(Json(Conversations { data, total }))
}

/// `GET /__admin/conversations/{wa_id}[?before=&limit=]`: the `limit` items before the item
/// `before` names (default: the latest ones), oldest first. An unknown user has an empty
/// conversation; a `before` no longer held gives an empty window.
pub(super) async fn get_conversation(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
    AdminPath(wa_id): AdminPath,
    uri: Uri,
) -> AdminResult<ConversationPage> {
    let query = parse_query(uri.query());
    let limit = count(&state.store, &query, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)?;
    let before = query.iter().find(|(k, _)| k == "before").map(|(_, v)| v);
    let s = sandbox.read();
    let mut all = items(&s, Some(&wa_id));
    all.sort_by_key(|(order, _, _)| *order);
    let end = match before {
        None => all.len(),
        Some(id) => all
            .iter()
            .position(|(_, _, item)| item.id() == id)
            .unwrap_or(0),
    };
    let start = end.saturating_sub(limit);
    let window = &all[start..end];
    let wanted: HashSet<&str> = window
        .iter()
        .filter_map(|(_, _, item)| match item {
            Item::Out(m) => Some(m.id.as_str()),
            Item::In(..) => None,
        })
        .collect();
    let requests = send_requests(&s, &wanted);
    let data = window
        .iter()
        .map(|(_, _, item)| match item {
            Item::Out(m) => {
                let (request_seq, request) = match requests.get(m.id.as_str()) {
                    Some((seq, body)) => (Some(*seq), body.clone()),
                    None => (None, None),
                };
                ConversationItem::Outbound(Box::new(OutboundItem {
                    message: wire::message(m, state.store.catalogue()),
                    request,
                    request_seq,
                    failure: failure(&state.store, m),
                }))
            }
            Item::In(e, inbound) => ConversationItem::Inbound(InboundItem {
                id: item.id().to_owned(),
                at: e.at.to_string(),
                profile_name: inbound.profile_name.clone(),
                phone_number_id: inbound.phone_number_id.to_string(),
                message: serde_json::to_value(inbound.message()).unwrap_or_default(),
            }),
        })
        .collect();
    let before = (start > 0).then(|| all[start].2.id().to_owned());
    Ok(Json(ConversationPage {
        wa_id,
        data,
        before,
    }))
}

/// The journal's seq and request body of each accepted send whose answer names one of `wanted`.
fn send_requests(
    state: &SandboxState,
    wanted: &HashSet<&str>,
) -> HashMap<String, (u64, Option<Value>)> {
    let mut found = HashMap::new();
    if wanted.is_empty() {
        return found;
    }
    for entry in state.journal() {
        if entry.status != 200 || !entry.path.ends_with("messages") {
            continue;
        }
        let Ok(answer) = serde_json::from_slice::<Value>(&entry.response) else {
            continue;
        };
        let Some(id) = answer["messages"][0]["id"].as_str() else {
            continue;
        };
        if wanted.contains(id) {
            found.insert(id.to_owned(), (entry.seq, entry.request.parse().ok()));
        }
    }
    found
}

/// Why a failed message failed, as the catalogue words it.
fn failure(store: &Store, m: &Message) -> Option<Failure> {
    let record = m
        .statuses
        .iter()
        .rev()
        .find(|r| r.status == MessageStatus::Failed)?;
    let key = record.error?;
    let entry = store.catalogue().get(ErrorKind::from_key(key)?);
    Some(Failure {
        key: key.to_owned(),
        code: entry.code,
        title: entry
            .user_title
            .clone()
            .unwrap_or_else(|| entry.message.clone()),
    })
}

/// How long a browser waits before it reconnects a dropped stream.
const RECONNECT: Duration = Duration::from_secs(1);

/// `GET /__admin/changes`: server-sent events, `ready` at once, then `change` whenever the
/// sandbox's state changes (changes that come faster than the client reads are merged into
/// one). Its data is `{"version":N}`, a number that grows with each change. The stream ends
/// when the sandbox is deleted or the server shuts down.
pub(super) async fn stream_changes(
    State(state): State<AppState>,
    AdminSandbox(sandbox): AdminSandbox,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let changes = sandbox.changes();
    let closing = state.closing;
    drop(sandbox);
    let stream = futures_util::stream::unfold(
        (changes, closing, true),
        |(mut changes, mut closing, first)| async move {
            if !first {
                tokio::select! {
                    changed = changes.changed() => changed.ok()?,
                    _ = closing.wait_for(|c| *c) => return None,
                }
            }
            let version = *changes.borrow_and_update();
            let event = SseEvent::default()
                .event(if first { "ready" } else { "change" })
                .data(format!("{{\"version\":{version}}}"));
            let event = if first { event.retry(RECONNECT) } else { event };
            Some((Ok(event), (changes, closing, false)))
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
