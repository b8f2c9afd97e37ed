//! The sweep: every Graph operation and every admin route, driven with generated requests and
//! their mutations — wrong methods, stray path segments, versions, query strings, bodies, content
//! types, tokens, origins. Each case is a short sequence against the default sandbox, reset
//! first, so an armed fault or a moved clock can shape the requests after it. Every answer keeps
//! the edge's promises: no dropped connection, no 5xx but Meta's documented ones, errors in
//! Graph's envelope with a matching `x-fb-trace-id`, JSON on success, and a refused (4xx)
//! request leaves the sandbox as it was. Some requests promise more body than they send and
//! stall: they too are answered (in the body timeout, a second here), never left hanging.
//!
//! `WA_MOCK_SWEEP_CASES` sets the number of cases per test (default 256).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use reqwest::Method;
use serde_json::{Map, Value, json};
use wa_contract::PayloadKind;
use wa_contract::payload::template::TemplateStatus;
use wa_contract::payload::waba::OnboardingStatus;
use wa_contract::strategies;

use wa_mock::Config;

use crate::hardening::wire;
use crate::helpers::*;

/// What a route's body is, when it has one worth generating.
#[derive(Clone, Copy, Debug)]
enum Shape {
    None,
    Contract(PayloadKind),
    Advance,
    WabaPatch,
    TemplateStatus,
    Profile,
    Webhooks,
    Fault,
    Throughput,
    MarketingLimit,
    Inbound,
    UserPreference,
    UserIdChange,
    TemplateQuality,
    TemplateCategory,
}

/// A route as its handler expects it; `{phone}`, `{waba}`, `{template}`, `{business}` and
/// `{recipient}` stand for ids of the sandbox.
#[derive(Debug)]
struct Route {
    method: &'static str,
    path: &'static str,
    shape: Shape,
}

const fn route(method: &'static str, path: &'static str, shape: Shape) -> Route {
    Route {
        method,
        path,
        shape,
    }
}

/// Every Graph operation of `graph::route`.
const GRAPH: &[Route] = &[
    route("GET", "{phone}", Shape::None),
    route(
        "POST",
        "{phone}/marketing_messages",
        Shape::Contract(PayloadKind::MarketingMessageRequest),
    ),
    route(
        "POST",
        "{phone}/messages",
        Shape::Contract(PayloadKind::MessageRequest),
    ),
    route("GET", "{waba}", Shape::None),
    route(
        "POST",
        "{waba}",
        Shape::Contract(PayloadKind::WabaUpdateRequest),
    ),
    route("GET", "{waba}/message_templates", Shape::None),
    route(
        "POST",
        "{waba}/message_templates",
        Shape::Contract(PayloadKind::TemplateCreateRequest),
    ),
    route("DELETE", "{waba}/message_templates", Shape::None),
    route("GET", "{waba}/phone_numbers", Shape::None),
    route("GET", "{waba}/subscribed_apps", Shape::None),
    route(
        "POST",
        "{waba}/subscribed_apps",
        Shape::Contract(PayloadKind::SubscribedAppsRequest),
    ),
    route("DELETE", "{waba}/subscribed_apps", Shape::None),
    route("GET", "{template}", Shape::None),
    route(
        "POST",
        "{template}",
        Shape::Contract(PayloadKind::TemplateEditRequest),
    ),
    route("GET", "{business}", Shape::None),
    route(
        "GET",
        "{business}/client_whatsapp_business_accounts",
        Shape::None,
    ),
    route(
        "POST",
        "{business}/onboard_partners_to_mm_lite",
        Shape::None,
    ),
];

/// The admin routes that shape what Graph answers next: the clock, WABA flags, template
/// statuses, recipients, webhooks, faults, throughput, the marketing limit, inbound messages,
/// resets.
const ADMIN_SHAPING: &[Route] = &[
    route("POST", "__admin/reset", Shape::None),
    route("POST", "__admin/clock/advance", Shape::Advance),
    route("PATCH", "__admin/wabas/{waba}", Shape::WabaPatch),
    route(
        "POST",
        "__admin/templates/{template}/status",
        Shape::TemplateStatus,
    ),
    route("PUT", "__admin/recipients/{recipient}", Shape::Profile),
    route(
        "POST",
        "__admin/recipients/{recipient}/user_preferences",
        Shape::UserPreference,
    ),
    route(
        "POST",
        "__admin/recipients/{recipient}/user_id",
        Shape::UserIdChange,
    ),
    route(
        "POST",
        "__admin/templates/{template}/quality",
        Shape::TemplateQuality,
    ),
    route(
        "POST",
        "__admin/templates/{template}/category",
        Shape::TemplateCategory,
    ),
    route("PUT", "__admin/webhooks", Shape::Webhooks),
    route("POST", "__admin/faults", Shape::Fault),
    route("DELETE", "__admin/faults", Shape::None),
    route("PUT", "__admin/throughput", Shape::Throughput),
    route("PUT", "__admin/marketing_limit", Shape::MarketingLimit),
    route("POST", "__admin/inbound", Shape::Inbound),
];

/// The rest of `admin::router`, and its catch-all.
const ADMIN_OTHER: &[Route] = &[
    route("GET", "__admin/health", Shape::None),
    route("GET", "__admin/openapi.json", Shape::None),
    route("GET", "__admin/state", Shape::None),
    route("GET", "__admin/clock", Shape::None),
    route("GET", "__admin/recipients", Shape::None),
    route("GET", "__admin/inbound", Shape::None),
    route("GET", "__admin/messages", Shape::None),
    route("GET", "__admin/requests", Shape::None),
    route("GET", "__admin/events", Shape::None),
    route("GET", "__admin/webhooks", Shape::None),
    route("GET", "__admin/webhooks/deliveries", Shape::None),
    route("GET", "__admin/faults", Shape::None),
    route("GET", "__admin/marketing_limit", Shape::None),
    route("POST", "__admin/sandboxes", Shape::Webhooks),
    route("GET", "__admin", Shape::None),
];

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW",
];

/// Released, unreleased and malformed version segments; empty means none.
const VERSIONS: &[&str] = &[
    "", "v25.0", "v24.0", "v23.0", "v21.0", "v2.12", "v99.0", "v25.1", "v0.0", "v", "vx", "V25.0",
    "v25", "v25.0.0",
];

/// Segments that name nothing, or name it badly.
const STRAY_SEGMENTS: &[&str] = &[
    "extra",
    "messages",
    "nope",
    "999999999999999",
    "%zz",
    "%FF",
    "%E2%82%AC",
    "..",
    "a%2Fb",
    "v25.0",
    "__admin",
];

const QUERY_KEYS: &[&str] = &[
    "fields",
    "limit",
    "after",
    "before",
    "name",
    "status",
    "category",
    "language",
    "hsm_id",
    "filtering",
    "message_id",
    "field",
    "sort",
];

const QUERY_VALUES: &[&str] = &[
    "",
    "id,name",
    "id,status,components,marketing_messages_onboarding_status",
    "5",
    "100",
    "0",
    "-1",
    "101",
    "18446744073709551616",
    "1e3",
    "abc",
    "%zz",
    "%FF",
    "%E2%82%AC",
    "MA==",
    "seasonal_promo",
    "APPROVED",
    "MARKETING",
    "en_US",
    "[]",
    "[{\"field\":\"id\",\"value\":[\"1\"]}]",
    "[",
];

const CONTENT_TYPES: &[Option<&str>] = &[
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("application/merge-patch+json"),
    Some("text/plain"),
    Some("application/x-www-form-urlencoded"),
    Some("multipart/form-data; boundary=x"),
];

/// Catalogue keys a fault may answer with; the 5xx ones are Meta's documented 5xx.
const FAULT_ERRORS: &[&str] = &[
    "throughput_limit",
    "pair_rate_limit",
    "something_went_wrong",
    "service_unavailable",
    "template_paused",
    "msc_strict",
];

#[derive(Clone, Copy, Debug)]
enum PathEdit {
    Keep,
    Append(&'static str),
    Replace(Index, &'static str),
    DropLast,
    DoubleSlash,
}

#[derive(Clone, Copy, Debug)]
enum Token {
    Bearer,
    Query,
    Missing,
    Unknown,
}

#[derive(Clone, Debug)]
enum Payload {
    Empty,
    Json(Value),
    Form(Value),
    Bytes(Vec<u8>),
}

/// One generated request, before the sandbox's ids are filled in.
#[derive(Clone, Debug)]
struct Call {
    route: &'static Route,
    method: Option<&'static str>,
    version: &'static str,
    path: PathEdit,
    query: Vec<(&'static str, String)>,
    token: Token,
    payload: Payload,
    /// `Some` overrides the payload's own content type.
    content_type: Option<Option<&'static str>>,
    origin: Option<&'static str>,
    id: Index,
    /// Body bytes promised by `Content-Length` but never sent.
    stall: Option<usize>,
}

/// The sandbox's ids, and where generated callbacks point.
struct Ids {
    phones: Vec<String>,
    wabas: Vec<String>,
    templates: Vec<String>,
    businesses: Vec<String>,
    callback: String,
}

/// A request as sent.
struct Request {
    method: &'static str,
    target: String,
    headers: Vec<(&'static str, String)>,
    body: Bytes,
    stall: Option<usize>,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {:?} {:?} stalled after the body: {:?}",
            self.method, self.target, self.headers, self.body, self.stall
        )
    }
}

impl Call {
    fn request(&self, ids: &Ids) -> Request {
        let pick = |list: &[String]| list[self.id.index(list.len())].clone();
        let filled = self
            .route
            .path
            .replace("{phone}", &pick(&ids.phones))
            .replace("{waba}", &pick(&ids.wabas))
            .replace("{template}", &pick(&ids.templates))
            .replace("{business}", &pick(&ids.businesses))
            .replace(
                "{recipient}",
                [
                    "14165551234",
                    "+1 416-555-0000",
                    "abc",
                    "%2B14165550001",
                    "CA.13491208655302741918",
                    "CA.ENT.11815799212886844830",
                ][self.id.index(6)],
            );
        let mut segments: Vec<String> = filled.split('/').map(str::to_owned).collect();
        if !filled.starts_with("__admin") && !self.version.is_empty() {
            segments.insert(0, self.version.to_owned());
        }
        match self.path {
            PathEdit::Keep => {}
            PathEdit::Append(extra) => segments.push(extra.to_owned()),
            PathEdit::Replace(at, stray) => {
                let at = at.index(segments.len());
                stray.clone_into(&mut segments[at]);
            }
            PathEdit::DropLast if segments.len() > 1 => {
                segments.pop();
            }
            PathEdit::DropLast => {}
            PathEdit::DoubleSlash => segments.insert(0, String::new()),
        }
        let mut query: Vec<String> = self.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut headers = Vec::new();
        match self.token {
            Token::Bearer => headers.push((
                "authorization",
                format!("Bearer {}", wa_mock::DEFAULT_TOKEN),
            )),
            Token::Query => query.push(format!("access_token={}", wa_mock::DEFAULT_TOKEN)),
            Token::Missing => {}
            Token::Unknown => headers.push(("authorization", "Bearer stranger".to_owned())),
        }
        let (natural, body) = match &self.payload {
            Payload::Empty => (None, Bytes::new()),
            Payload::Json(value) => {
                let mut value = value.clone();
                loopback_only(&mut value, &ids.callback);
                (Some("application/json"), Bytes::from(value.to_string()))
            }
            Payload::Form(value) => {
                let mut value = value.clone();
                loopback_only(&mut value, &ids.callback);
                (
                    Some("application/x-www-form-urlencoded"),
                    Bytes::from(form_encoded(&value)),
                )
            }
            Payload::Bytes(bytes) => (Some("application/json"), Bytes::from(bytes.clone())),
        };
        if let Some(content_type) = self.content_type.unwrap_or(natural) {
            headers.push(("content-type", content_type.to_owned()));
        }
        if let Some(origin) = self.origin {
            headers.push(("origin", origin.to_owned()));
        }
        let mut target = format!("/{}", segments.join("/"));
        if !query.is_empty() {
            target = format!("{target}?{}", query.join("&"));
        }
        Request {
            method: self.method.unwrap_or(self.route.method),
            target,
            headers,
            body,
            stall: self.stall,
        }
    }
}

/// Points every callback URL in `value` at `callback`, so that nothing generated — a
/// conformant subscription, a near miss, webhook settings — ever reaches past loopback.
fn loopback_only(value: &mut Value, callback: &str) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "override_callback_uri" || key == "webhook_url" {
                    *v = Value::from(callback);
                } else {
                    loopback_only(v, callback);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| loopback_only(v, callback)),
        _ => {}
    }
}

/// An object's fields as a form: strings as they are, other values as JSON (as Graph reads them).
fn form_encoded(value: &Value) -> String {
    let pairs: Vec<(String, String)> = value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                k.clone(),
                v.as_str().map_or_else(|| v.to_string(), str::to_owned),
            )
        })
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// An object of the fields that are present.
fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v?)))
            .collect::<Map<_, _>>(),
    )
}

/// Webhook settings; the URL is rewritten to the closed loopback port before sending.
fn webhook_settings() -> BoxedStrategy<Value> {
    (
        any::<bool>(),
        option::of("[a-z0-9]{4,12}"),
        option::of(select(&["v21.0", "v23.0", "v25.0"][..])),
        option::of(0.0..1.0f64),
    )
        .prop_map(|(url, secret, version, duplicate)| {
            object(vec![
                ("webhook_url", url.then(|| json!("loopback"))),
                ("app_secret", secret.map(Value::from)),
                ("webhook_version", version.map(Value::from)),
                ("chaos", duplicate.map(|d| json!({"duplicate": d}))),
            ])
        })
        .boxed()
}

/// A body the route's handler accepts (or, for the contract's requests, the contract does);
/// `{}` for routes that read none.
fn conformant(shape: Shape) -> BoxedStrategy<Value> {
    match shape {
        Shape::None => Just(json!({})).boxed(),
        // The contract's sends name templates the sandbox lacks; the default world's promotion
        // reaches the send rules past the template lookup.
        Shape::Contract(PayloadKind::MarketingMessageRequest) => prop_oneof![
            strategies::valid(PayloadKind::MarketingMessageRequest),
            select(&["14165551234", "+1 416 555 0002", "447700900123"][..]).prop_map(promo_to),
        ]
        .boxed(),
        Shape::Contract(kind) => strategies::valid(kind),
        Shape::Advance => (0u64..=600).prop_map(|s| json!({"seconds": s})).boxed(),
        Shape::WabaPatch => (
            option::of(select(&OnboardingStatus::ALL[..])),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
        )
            .prop_map(|(status, msc, disable, sharing)| {
                object(vec![
                    (
                        "marketing_messages_onboarding_status",
                        status.map(Value::from),
                    ),
                    ("msc", msc.map(Value::from)),
                    (
                        "disable_marketing_messages_on_cloud_api",
                        disable.map(Value::from),
                    ),
                    ("message_activity_sharing", sharing.map(Value::from)),
                ])
            })
            .boxed(),
        Shape::TemplateStatus => (
            select(&TemplateStatus::ALL[..]),
            option::of(select(&["NONE", "INVALID_FORMAT", "low quality"][..])),
        )
            .prop_map(|(status, reason)| {
                object(vec![
                    ("status", Some(Value::from(status))),
                    ("reason", reason.map(Value::from)),
                ])
            })
            .boxed(),
        Shape::Profile => (
            option::of(select(
                &[
                    "default",
                    "undeliverable",
                    "ecosystem_limited",
                    "stopped_marketing",
                    "offline",
                    "never_read",
                ][..],
            )),
            option::of("\\PC{1,12}"),
            option::of(0u64..=120),
            option::of(0u64..=600),
        )
            .prop_map(|(behaviour, name, delivered, read)| {
                object(vec![
                    ("behaviour", behaviour.map(Value::from)),
                    ("name", name.map(Value::from)),
                    ("delivered_after_seconds", delivered.map(Value::from)),
                    ("read_after_seconds", read.map(Value::from)),
                ])
            })
            .boxed(),
        Shape::Webhooks => webhook_settings(),
        // Faults always name a send path, so that the snapshot's own Graph reads of the
        // templates never meet them; no fault ever drops the connection.
        Shape::Fault => (
            select(&["marketing_messages", "messages", "subscribed_apps"][..]),
            option::of(select(&[PHONE, "14165551234"][..])),
            option::of(1u32..=3),
            prop_oneof![
                select(FAULT_ERRORS).prop_map(|e| json!({"type": "error", "error": e})),
                (0u64..=20).prop_map(|ms| json!({"type": "latency", "millis": ms})),
            ],
        )
            .prop_map(|(path, phone, count, action)| {
                object(vec![
                    ("path", Some(Value::from(path))),
                    ("phone", phone.map(Value::from)),
                    ("count", count.map(Value::from)),
                    ("action", Some(action)),
                ])
            })
            .boxed(),
        Shape::Throughput => option::of(1u32..=20)
            .prop_map(|n| json!({"messages_per_second": n}))
            .boxed(),
        Shape::MarketingLimit => option::of(1u32..=3)
            .prop_map(|n| json!({"per_user_per_24h": n}))
            .boxed(),
        Shape::UserPreference => (
            select(&["stop", "resume", "pause"][..]),
            option::of(select(&[PHONE, ELIGIBLE_PHONE][..])),
        )
            .prop_map(|(value, phone)| {
                object(vec![
                    ("value", Some(Value::from(value))),
                    ("phone_number_id", phone.map(Value::from)),
                ])
            })
            .boxed(),
        Shape::UserIdChange => option::of(select(
            &[
                "US.24817305912873645029",
                "US.ENT.1",
                "24817305912873645029",
            ][..],
        ))
        .prop_map(|user_id| object(vec![("user_id", user_id.map(Value::from))]))
        .boxed(),
        Shape::TemplateQuality => select(&["GREEN", "YELLOW", "RED", "UNKNOWN", "PURPLE"][..])
            .prop_map(|score| json!({"quality_score": score}))
            .boxed(),
        Shape::TemplateCategory => (
            select(&["MARKETING", "UTILITY", "AUTHENTICATION"][..]),
            option::of(any::<bool>()),
        )
            .prop_map(|(category, impending)| {
                object(vec![
                    ("category", Some(Value::from(category))),
                    ("impending", impending.map(Value::from)),
                ])
            })
            .boxed(),
        Shape::Inbound => (
            select(&["14165551234", "+44 7700 900123", "15550009999"][..]),
            option::of(select(&[PHONE, ELIGIBLE_PHONE][..])),
            option::of("\\PC{1,12}"),
            prop_oneof![
                "\\PC{1,24}".prop_map(|t| ("text", json!(t))),
                Just(("button", json!({"text": "Stop promotions"}))),
            ],
        )
            .prop_map(|(from, phone, name, (kind, content))| {
                object(vec![
                    ("from", Some(Value::from(from))),
                    ("phone_number_id", phone.map(Value::from)),
                    ("name", name.map(Value::from)),
                    (kind, Some(content)),
                ])
            })
            .boxed(),
    }
}

/// Values on the edges of the ranges handlers check.
fn edge_value() -> impl Strategy<Value = Value> {
    select(vec![
        json!(-1),
        json!(0),
        json!(u64::MAX),
        json!(1e300),
        json!("1"),
        json!(null),
        json!("drop"),
        json!(60_001),
        json!(2_592_001),
    ])
}

/// A near miss: the contract's own for its requests; otherwise a conformant body with one value
/// replaced, one key removed, or a key added.
fn near_miss(shape: Shape) -> BoxedStrategy<Value> {
    if let Shape::Contract(kind) = shape {
        return strategies::invalid(kind).prop_map(|(body, _)| body).boxed();
    }
    (
        conformant(shape),
        prop_oneof![arbitrary_json(), edge_value()],
        any::<Index>(),
        0..3u8,
    )
        .prop_map(|(mut body, junk, index, edit)| {
            let mut slots = Vec::new();
            collect_pointers(&body, "", &mut slots);
            let slot = slots.get(index.index(slots.len().max(1))).cloned();
            match (edit, slot) {
                (0, Some(slot)) => {
                    if let Some(target) = body.pointer_mut(&slot) {
                        *target = junk;
                    }
                }
                (1, Some(slot)) => {
                    let (parent, key) = slot.rsplit_once('/').unwrap_or_default();
                    if let Some(Value::Object(map)) = body.pointer_mut(parent) {
                        map.remove(key);
                    }
                }
                _ => {
                    if let Value::Object(map) = &mut body {
                        map.insert("unexpected".to_owned(), junk);
                    }
                }
            }
            body
        })
        .boxed()
}

fn payload(shape: Shape) -> BoxedStrategy<Payload> {
    let bytes = prop::collection::vec(any::<u8>(), 1..64).prop_map(Payload::Bytes);
    match shape {
        Shape::None => prop_oneof![
            6 => Just(Payload::Empty),
            1 => conformant(shape).prop_map(Payload::Json),
            1 => arbitrary_json().prop_map(Payload::Json),
            1 => bytes,
        ]
        .boxed(),
        _ => prop_oneof![
            5 => conformant(shape).prop_map(Payload::Json),
            3 => near_miss(shape).prop_map(Payload::Json),
            1 => conformant(shape).prop_map(Payload::Form),
            1 => arbitrary_json().prop_map(Payload::Json),
            1 => bytes,
            1 => Just(Payload::Empty),
        ]
        .boxed(),
    }
}

fn call(routes: &'static [Route]) -> impl Strategy<Value = Call> {
    select(routes.iter().collect::<Vec<_>>()).prop_flat_map(|route| {
        let path = prop_oneof![
            6 => Just(PathEdit::Keep),
            1 => select(STRAY_SEGMENTS).prop_map(PathEdit::Append),
            1 => (any::<Index>(), select(STRAY_SEGMENTS))
                .prop_map(|(at, s)| PathEdit::Replace(at, s)),
            1 => Just(PathEdit::DropLast),
            1 => Just(PathEdit::DoubleSlash),
        ];
        let query_pair = (
            prop_oneof![4 => select(QUERY_KEYS), 1 => Just("x")],
            prop_oneof![3 => select(QUERY_VALUES).prop_map(str::to_owned), 1 => "[a-z0-9]{0,8}"],
        );
        let token = prop_oneof![
            8 => Just(Token::Bearer),
            1 => Just(Token::Query),
            1 => Just(Token::Missing),
            1 => Just(Token::Unknown),
        ];
        let origin = prop_oneof![
            8 => Just(None),
            1 => Just(Some("http://127.0.0.1")),
            1 => Just(Some("https://attacker.example")),
        ];
        (
            Just(route),
            prop_oneof![4 => Just(None), 1 => select(METHODS).prop_map(Some)],
            prop_oneof![3 => Just("v25.0"), 2 => select(VERSIONS)],
            path,
            prop::collection::vec(query_pair, 0..3),
            token,
            payload(route.shape),
            prop_oneof![4 => Just(None), 1 => select(CONTENT_TYPES).prop_map(Some)],
            origin,
            any::<Index>(),
            prop_oneof![63 => Just(None), 1 => (1usize..64).prop_map(Some)],
        )
            .prop_map(
                |(
                    route,
                    method,
                    version,
                    path,
                    query,
                    token,
                    payload,
                    content_type,
                    origin,
                    id,
                    stall,
                )| {
                    Call {
                        route,
                        method,
                        version,
                        path,
                        query,
                        token,
                        payload,
                        content_type,
                        origin,
                        id,
                        stall,
                    }
                },
            )
    })
}

/// A short sequence of calls: up to two that shape the sandbox, then some from `tables` in
/// proportion to their weights — so that armed faults, limits and moved clocks meet requests.
fn case(tables: &[(u32, &'static [Route])]) -> impl Strategy<Value = Vec<Call>> {
    let call = prop::strategy::Union::new_weighted(
        tables
            .iter()
            .map(|&(weight, routes)| (weight, call(routes).boxed()))
            .collect(),
    );
    (
        prop::collection::vec(self::call(ADMIN_SHAPING), 0..=2),
        prop::collection::vec(call, 1..=3),
    )
        .prop_map(|(mut setup, calls)| {
            setup.extend(calls);
            setup
        })
}

fn cases() -> u32 {
    std::env::var("WA_MOCK_SWEEP_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256)
}

/// A port on loopback nobody listens on: subscription handshakes and deliveries to it fail at
/// once, and nothing the sweep generates leaves the machine.
fn closed_loopback_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/hook")
}

async fn ids(app: &TestApp) -> Ids {
    let state = app.get("/__admin/state").await.body;
    let list = |key: &str| -> Vec<String> {
        state[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o["id"].as_str().map(str::to_owned))
            .collect()
    };
    Ids {
        phones: list("phone_numbers"),
        wabas: list("wabas"),
        templates: list("templates"),
        businesses: list("businesses"),
        callback: closed_loopback_url(),
    }
}

/// Everything a request could change but the journal.
async fn snapshot(app: &TestApp, ids: &Ids) -> Value {
    let mut snapshot = app.snapshot_of_state().await;
    // Background deliveries schedule their retries on the clock in their own time.
    snapshot["clock"]["pending_jobs"] = Value::Null;
    snapshot["recipients"] = app.get("/__admin/recipients").await.body;
    snapshot["webhooks"] = app.get("/__admin/webhooks").await.body;
    // A read through the Graph API would spend an armed fault or count against a throughput
    // limit itself, so template components are compared only while none is armed.
    let armed = snapshot["faults"]["data"]
        .as_array()
        .is_some_and(|f| !f.is_empty())
        || !snapshot["faults"]["throughput"]["messages_per_second"].is_null();
    for waba in &ids.wabas {
        snapshot[waba] = if armed {
            Value::Null
        } else {
            app.list_templates(waba, "limit=100").await.body
        };
    }
    snapshot
}

async fn send(app: &TestApp, request: &Request) -> Result<RawAnswer, String> {
    if let Some(extra) = request.stall {
        return Ok(stalled(app, request, extra).await);
    }
    let method = Method::from_bytes(request.method.as_bytes()).expect("a method token");
    let mut builder = app
        .client
        .request(method, app.url(&request.target))
        .body(request.body.clone());
    for (name, value) in &request.headers {
        builder = builder.header(*name, value);
    }
    let sent = builder.send().await.map_err(|e| e.to_string())?;
    RawAnswer::read(sent).await.map_err(|e| e.to_string())
}

/// Sends `request` over raw TCP with a `Content-Length` `extra` bytes longer than its body, so
/// that the server waits for bytes that never come.
async fn stalled(app: &TestApp, request: &Request, extra: usize) -> RawAnswer {
    let mut head = format!(
        "{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        request.method,
        escaped(&request.target),
        request.body.len() + extra
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&request.body);
    let wire = tokio::time::timeout(STALL_BOUND, wire(app.server.addr(), &bytes))
        .await
        .unwrap_or_else(|_| panic!("no answer to a stalled body: {request:?}"));
    RawAnswer {
        status: wire.status,
        content_type: wire.header("content-type").map(str::to_owned),
        api_version: wire.header("facebook-api-version").map(str::to_owned),
        trace_id: wire.header("x-fb-trace-id").map(str::to_owned),
        text: wire.body,
    }
}

/// `target` with every byte an HTTP request line may not carry percent-encoded, as an HTTP
/// client sends it.
fn escaped(target: &str) -> String {
    target
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Far longer than the sweep's body timeout: a stalled request not answered by then never is.
const STALL_BOUND: Duration = Duration::from_secs(20);

/// The edge's promises for one answer.
fn check(request: &Request, answer: &RawAnswer) -> Result<(), TestCaseError> {
    let context = || format!("{request:?} -> {} {}", answer.status, answer.text);
    let success = (200..300).contains(&answer.status);
    prop_assert_eq!(
        answer.content_type.as_deref(),
        Some("application/json"),
        "{}",
        context()
    );
    if request.method == "HEAD" {
        prop_assert!(answer.status < 500, "{}", context());
        prop_assert!(success || answer.trace_id.is_some(), "{}", context());
        return Ok(());
    }
    let body: Value = serde_json::from_str(&answer.text)
        .map_err(|e| TestCaseError::fail(format!("not JSON ({e}): {}", context())))?;
    if !success {
        let error = graph_error(answer.status, &body)
            .map_err(|e| TestCaseError::fail(format!("{e}; {}", context())))?;
        prop_assert_eq!(
            answer.trace_id.as_deref(),
            error["fbtrace_id"].as_str(),
            "{}",
            context()
        );
    }
    Ok(())
}

/// Runs `case` against the reset default sandbox, checking every answer; counts successes.
async fn run(app: &TestApp, ids: &Ids, case: &[Call]) -> Result<usize, TestCaseError> {
    let reset = app.post("/__admin/reset", &json!({})).await;
    prop_assert_eq!(reset.status, 200, "{}", reset.body);
    let mut succeeded = 0;
    for call in case {
        let request = call.request(ids);
        let before = snapshot(app, ids).await;
        let answer = send(app, &request)
            .await
            .map_err(|e| TestCaseError::fail(format!("connection broke ({e}): {request:?}")))?;
        check(&request, &answer)?;
        if (200..300).contains(&answer.status) {
            succeeded += usize::from(call.stall.is_none());
        } else if answer.status < 500 {
            let mut after = snapshot(app, ids).await;
            let mut before = before;
            // A fault that answers a request is spent by it: that is the one change allowed.
            // Templates were not read while it was armed, so they are not compared either.
            if before["faults"]["data"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
            {
                before["faults"] = Value::Null;
                after["faults"] = Value::Null;
                for waba in &ids.wabas {
                    after[waba] = before[waba].clone();
                }
            }
            prop_assert!(
                before == after,
                "a refused request changed the sandbox: {request:?} -> {} {}\nbefore: {before}\nafter: {after}",
                answer.status,
                answer.text
            );
        }
    }
    Ok(succeeded)
}

/// Sweeps with calls from `tables`; asserts the fuzz reaches handlers, not only refusals.
fn sweep(tables: &[(u32, &'static [Route])]) {
    let rt = runtime();
    let app = rt.block_on(spawn_app_with(Config::default().body_timeout_seconds(1)));
    let ids = rt.block_on(ids(&app));
    let (calls, succeeded) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    let config = ProptestConfig::with_cases(cases());
    proptest!(config, |(case in case(tables))| {
        // Stalled requests are meant to be refused: the share that succeeds counts the rest.
        calls.set(calls.get() + case.iter().filter(|c| c.stall.is_none()).count());
        succeeded.set(succeeded.get() + rt.block_on(run(&app, &ids, &case))?);
    });
    assert!(
        succeeded.get() * 5 >= calls.get(),
        "only {} of {} requests succeeded",
        succeeded.get(),
        calls.get()
    );
}

#[test]
fn every_graph_operation_keeps_the_edges_promises_under_mutation() {
    sweep(&[(1, GRAPH)]);
}

#[test]
fn every_admin_route_keeps_the_edges_promises_under_mutation() {
    sweep(&[(2, ADMIN_SHAPING), (2, ADMIN_OTHER), (1, GRAPH)]);
}
