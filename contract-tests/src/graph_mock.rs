//! wiremock helpers: a light, stateless Graph stub for Rust clients' tests.
//!
//! [`GraphStub`] mounts Graph-shaped answers for the send (`/marketing_messages`, `/messages`),
//! template and WABA endpoints on a [`wiremock::MockServer`], checks every request body against
//! the contract and keeps the violations for [`GraphStub::violations`]; a non-conformant body
//! gets Graph's `(#100) Invalid parameter` error naming the field. For finer control the parts
//! are public: the [`valid_payload`] matcher, the [`send_success`] and [`graph_error`]
//! responders. Paths match with or without a version segment (`/v23.0/…`), as Graph serves
//! them. For state (templates that exist, statuses that flow, webhooks) use the `wa-mock`
//! server instead.
//!
//! ```
//! use serde_json::json;
//! use wa_contract::graph_mock::GraphStub;
//! use wiremock::MockServer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start().await;
//! let stub = GraphStub::new().seed(7).mount(&server).await;
//!
//! // The client under test, pointed at `server.uri()` instead of graph.facebook.com:
//! let response = reqwest::Client::new()
//!     .post(format!("{}/v23.0/106540352242922/marketing_messages", server.uri()))
//!     .json(&json!({"messaging_product": "whatsapp", "to": "+16505551234",
//!                   "type": "template",
//!                   "template": {"name": "spring_sale", "language": {"code": "en_US"}}}))
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(response.status(), 200);
//! let body: serde_json::Value = response.json().await.unwrap();
//! assert!(body["messages"][0]["id"].as_str().unwrap().starts_with("wamid."));
//! stub.assert_conformant();
//! # }
//! ```

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use wiremock::matchers::{method, path_regex};
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{Catalogue, ErrorKind, PayloadKind, Report, Violation, validate};

// Kept here too: the stub is where clients' tests first meet it.
pub use crate::operations::request_kind;

/// An optional version segment and a numeric Graph id: `^/(v23.0/)?123`.
const NODE: &str = r"^/(v\d+\.\d+/)?(\d+)";

/// The body of `request` as JSON, or a report saying it is not.
fn json_body(request: &Request) -> Result<Value, Report> {
    serde_json::from_slice(&request.body).map_err(|err| Report {
        violations: vec![Violation {
            path: String::new(),
            rule: "json".to_owned(),
            expected: "a JSON body".to_owned(),
            found: err.to_string(),
        }],
    })
}

/// Matches requests whose body conforms to the contract for one [`PayloadKind`].
/// Built by [`valid_payload`].
#[derive(Clone, Copy, Debug)]
pub struct ValidPayload(PayloadKind);

/// Matches requests whose JSON body breaks no rule of `kind`.
///
/// ```
/// use wa_contract::PayloadKind;
/// use wa_contract::graph_mock::{send_success, valid_payload};
/// use wiremock::matchers::{method, path};
/// use wiremock::{Mock, MockServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start().await;
/// Mock::given(method("POST"))
///     .and(path("/v23.0/106540352242922/marketing_messages"))
///     .and(valid_payload(PayloadKind::MarketingMessageRequest))
///     .respond_with(send_success())
///     .expect(1)
///     .mount(&server)
///     .await;
/// # reqwest::Client::new()
/// #     .post(format!("{}/v23.0/106540352242922/marketing_messages", server.uri()))
/// #     .json(&serde_json::json!({"messaging_product": "whatsapp", "to": "16505551234",
/// #         "type": "template", "template": {"name": "promo", "language": {"code": "en"}}}))
/// #     .send().await.unwrap();
/// # }
/// ```
pub fn valid_payload(kind: PayloadKind) -> ValidPayload {
    ValidPayload(kind)
}

impl Match for ValidPayload {
    fn matches(&self, request: &Request) -> bool {
        json_body(request).is_ok_and(|body| validate(self.0, &body).is_ok())
    }
}

/// Answers a send with Graph's success body: the recipient as sent and a new wamid.
/// Built by [`send_success`].
#[derive(Debug)]
pub struct SendSuccess {
    seed: u64,
    sent: AtomicU64,
}

/// A responder for `/marketing_messages` and `/messages`: `contacts` echoes `to` (or the BSUID
/// `recipient`), `messages[0].id` is a wamid unique per answer and stable for a seed.
pub fn send_success() -> SendSuccess {
    SendSuccess {
        seed: 0,
        sent: AtomicU64::new(0),
    }
}

impl SendSuccess {
    /// Derives wamids from `seed`: the same seed and order give the same ids.
    pub fn seed(self, seed: u64) -> Self {
        Self { seed, ..self }
    }

    /// The body for one accepted send of `request`.
    fn body(&self, request: &Value) -> Value {
        let n = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        let wamid = format!("wamid.HBgL{:016X}{n:08X}FQIAERgS", self.seed);
        let contact = match (request["to"].as_str(), request["recipient"].as_str()) {
            (Some(to), _) => {
                let wa_id: String = to.chars().filter(char::is_ascii_digit).collect();
                json!({"input": to, "wa_id": wa_id})
            }
            (None, Some(bsuid)) => json!({"input": bsuid, "user_id": bsuid}),
            (None, None) => json!({"input": ""}),
        };
        json!({"messaging_product": "whatsapp", "contacts": [contact],
               "messages": [{"id": wamid}]})
    }
}

impl Respond for SendSuccess {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = json_body(request).unwrap_or_default();
        ResponseTemplate::new(200).set_body_json(self.body(&body))
    }
}

/// Answers with one entry of the error catalogue. Built by [`graph_error`].
#[derive(Clone, Debug)]
pub struct GraphError {
    kind: ErrorKind,
    vars: Vec<(String, String)>,
}

/// A responder answering the catalogue's error for `kind`: its HTTP status and Graph's
/// envelope, placeholders filled by [`GraphError::var`].
///
/// ```
/// use wa_contract::ErrorKind;
/// use wa_contract::graph_mock::graph_error;
/// use wiremock::matchers::method;
/// use wiremock::{Mock, MockServer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let server = MockServer::start().await;
/// Mock::given(method("POST"))
///     .respond_with(graph_error(ErrorKind::TemplateNotFound).var("name", "spring_sale"))
///     .mount(&server)
///     .await;
/// let response = reqwest::Client::new().post(server.uri()).send().await.unwrap();
/// assert_eq!(response.status(), 400);
/// let body: serde_json::Value = response.json().await.unwrap();
/// assert_eq!(body["error"]["code"], 132001);
/// # }
/// ```
pub fn graph_error(kind: ErrorKind) -> GraphError {
    GraphError {
        kind,
        vars: Vec::new(),
    }
}

impl GraphError {
    /// Fills the `{name}` placeholder of the catalogue's message and details with `value`.
    pub fn var(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.vars.push((name.into(), value.into()));
        self
    }
}

impl Respond for GraphError {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        let entry = Catalogue::builtin().get(self.kind);
        let vars: Vec<(&str, &str)> = self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let body = entry.render(&vars, "AwiremockStubTraceId0000");
        ResponseTemplate::new(entry.http_status).set_body_json(body)
    }
}

/// A request whose body broke the contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NonConformant {
    /// `POST /v23.0/…/marketing_messages`.
    pub request: String,
    /// The kind the body was checked as.
    pub kind: PayloadKind,
    /// What was wrong.
    pub report: Report,
}

impl fmt::Display for NonConformant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} ({}):", self.request, self.kind)?;
        for violation in &self.report.violations {
            writeln!(f, "  {}: {violation}", violation.path)?;
        }
        Ok(())
    }
}

/// Graph-shaped answers for the send, template and WABA endpoints, checking every body.
/// Built by [`GraphStub::new`], installed by [`GraphStub::mount`].
#[derive(Clone, Debug, Default)]
pub struct GraphStub {
    seed: u64,
    seen: Arc<Mutex<Vec<NonConformant>>>,
}

/// Checks a body against the contract of its endpoint ([`request_kind`]) and answers `ok` or,
/// when it breaks the contract, Graph's 100.
struct Checked<R> {
    seen: Arc<Mutex<Vec<NonConformant>>>,
    ok: R,
}

impl<R: Respond> Respond for Checked<R> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body = json_body(request);
        let path = request.url.path();
        let Some(kind) = request_kind(
            request.method.as_str(),
            path,
            body.as_ref().unwrap_or(&Value::Null),
        ) else {
            return self.ok.respond(request);
        };
        let report = body.map_or_else(|report| report, |body| validate(kind, &body));
        let Some(first) = report.violations.first() else {
            return self.ok.respond(request);
        };
        let answer = graph_error(ErrorKind::InvalidParameter)
            .var("details", first.to_string())
            .respond(request);
        self.seen
            .lock()
            .expect("no panics while holding the lock")
            .push(NonConformant {
                request: format!("{} {}", request.method, request.url.path()),
                kind,
                report,
            });
        answer
    }
}

/// Answers a fixed JSON body, with `{id}` in string values replaced by the path's node id.
struct NodeAnswer(Value);

impl Respond for NodeAnswer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request
            .url
            .path_segments()
            .and_then(|mut segments| segments.find(|s| s.bytes().all(|b| b.is_ascii_digit())))
            .unwrap_or_default();
        let body = self.0.to_string().replace("{id}", id);
        ResponseTemplate::new(200).set_body_raw(body, "application/json")
    }
}

/// Answers a template create with a new id, `PENDING` and the category asked for.
struct TemplateCreated(AtomicU64);

impl Respond for TemplateCreated {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, Ordering::Relaxed) + 1;
        let category = json_body(request).ok().map(|b| b["category"].clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "id": (1_000_000_000_000_000 + n).to_string(),
            "status": "PENDING",
            "category": category.unwrap_or(Value::Null),
        }))
    }
}

impl GraphStub {
    /// A stub with seed 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Derives wamids from `seed`.
    pub fn seed(self, seed: u64) -> Self {
        Self { seed, ..self }
    }

    fn checked<R: Respond>(&self, ok: R) -> Checked<R> {
        Checked {
            seen: Arc::clone(&self.seen),
            ok,
        }
    }

    /// Mounts the endpoints on `server` and returns the handle that reports violations:
    ///
    /// | Method | Path | Checked as | Answer |
    /// |---|---|---|---|
    /// | POST | `/{phone_number_id}/marketing_messages` | `marketing_message_request` | send success |
    /// | POST | `/{phone_number_id}/messages` | `message_request` | send success |
    /// | POST | `/{waba_id}/message_templates` | `template_create_request` | `{id, "PENDING", category}` |
    /// | GET | `/{waba_id}/message_templates` | – | `{"data": []}` |
    /// | POST | `/{waba_id}/subscribed_apps` | `subscribed_apps_request` | `{"success": true}` |
    /// | POST | `/{id}` | template edit or WABA update (detected) | `{"success": true}` |
    /// | GET | `/{id}` | – | `{"id", "marketing_messages_onboarding_status": "ONBOARDED"}` |
    pub async fn mount(self, server: &MockServer) -> Self {
        let edge = |edge: &str| format!("{NODE}/{edge}$");
        let post = |path: String| Mock::given(method("POST")).and(path_regex(path));
        let get = |path: String| Mock::given(method("GET")).and(path_regex(path));
        let success = json!({"success": true});
        let mocks = [
            post(edge("marketing_messages"))
                .respond_with(self.checked(send_success().seed(self.seed))),
            post(edge("messages")).respond_with(self.checked(send_success().seed(self.seed))),
            post(edge("message_templates"))
                .respond_with(self.checked(TemplateCreated(AtomicU64::new(0)))),
            get(edge("message_templates")).respond_with(NodeAnswer(json!({"data": []}))),
            post(edge("subscribed_apps")).respond_with(self.checked(NodeAnswer(success.clone()))),
            post(format!("{NODE}$")).respond_with(self.checked(NodeAnswer(success))),
            get(format!("{NODE}$")).respond_with(NodeAnswer(json!({
                "id": "{id}", "marketing_messages_onboarding_status": "ONBOARDED"}))),
        ];
        for mock in mocks {
            server.register(mock).await;
        }
        self
    }

    /// Every request so far whose body broke the contract, in arrival order.
    pub fn violations(&self) -> Vec<NonConformant> {
        self.seen
            .lock()
            .expect("no panics while holding the lock")
            .clone()
    }

    /// Panics, listing each violation with its path, if any request broke the contract.
    pub fn assert_conformant(&self) {
        let seen = self.violations();
        if !seen.is_empty() {
            let listed: Vec<String> = seen.iter().map(ToString::to_string).collect();
            panic!(
                "{} request(s) broke the Graph contract:\n{}",
                seen.len(),
                listed.join("")
            );
        }
    }
}
