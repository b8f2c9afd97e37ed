//! `wa-contract record`: a recording proxy in front of Graph (or any mock).
//!
//! Every request to `--listen` is forwarded unchanged to `--upstream` and its answer returned
//! unchanged; the pair is scrubbed ([`Scrubber`]) and the whole cassette rewritten after each
//! one, so the file is complete whenever the proxy is stopped. `--webhooks` listens for the
//! upstream's webhooks, checks their signature against `--app-secret` and files each beside
//! the request whose answer named its message.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use wa_contract::operations::{ObjectKind, candidates};
use wa_contract::signature::{SIGNATURE_HEADER, verify};

use super::cassette::{self, Cassette, Interaction, RecordedWebhook, Request};
use super::scrub::Scrubber;
use super::upstream::{self, Answer};
use super::{InputError, Outcome, runtime};

/// Arguments of `record`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Where requests are forwarded, e.g. https://graph.facebook.com.
    #[arg(long, value_name = "URL")]
    upstream: String,
    /// Where the proxy listens (port 0 picks one; the first line printed names it).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8090")]
    listen: SocketAddr,
    /// The cassette to write.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Where to receive the upstream's webhooks (POST any path).
    #[arg(long, value_name = "ADDR", requires = "app_secret")]
    webhooks: Option<SocketAddr>,
    /// The app secret webhook signatures are checked with.
    #[arg(long, env = "WA_CONTRACT_APP_SECRET", hide_env_values = true)]
    app_secret: Option<String>,
    /// A field to keep verbatim (repeatable), e.g. `--keep to`.
    #[arg(long, value_name = "FIELD")]
    keep: Vec<String>,
    /// Seconds the upstream has to answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

/// The proxy's state: where to forward, and the cassette being written.
struct Recorder {
    upstream: String,
    client: reqwest::Client,
    app_secret: Option<String>,
    out: PathBuf,
    tape: Mutex<Tape>,
}

/// The cassette and the scrubber that made it: one lock, so placeholders and entries agree.
struct Tape {
    scrubber: Scrubber,
    cassette: Cassette,
}

/// Runs `record` until interrupted.
pub(super) fn run(args: &Args) -> Result<Outcome, InputError> {
    let upstream = args.upstream.trim_end_matches('/').to_owned();
    if !(upstream.starts_with("http://") || upstream.starts_with("https://")) {
        return Err(InputError(format!(
            "--upstream {upstream}: expected an http:// or https:// URL"
        )));
    }
    let recorder = Arc::new(Recorder {
        client: upstream::client(Duration::from_secs(args.timeout))?,
        upstream: upstream.clone(),
        app_secret: args.app_secret.clone(),
        out: args.out.clone(),
        tape: Mutex::new(Tape {
            scrubber: Scrubber::new(args.keep.iter().cloned()),
            cassette: Cassette::new(upstream),
        }),
    });
    recorder.save()?;
    let rt = runtime()?;
    rt.block_on(async {
        let proxy = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| InputError(format!("--listen {}: {e}", args.listen)))?;
        println!("listening on http://{}", proxy.local_addr()?);
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(recorder.clone());
        let proxy = tokio::spawn(async move { axum::serve(proxy, app).await });
        let hooks = match args.webhooks {
            Some(addr) => {
                let listener = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|e| InputError(format!("--webhooks {addr}: {e}")))?;
                println!("webhooks on http://{}", listener.local_addr()?);
                let app = axum::Router::new()
                    .fallback(webhook)
                    .with_state(recorder.clone());
                Some(tokio::spawn(
                    async move { axum::serve(listener, app).await },
                ))
            }
            None => None,
        };
        tokio::signal::ctrl_c().await?;
        proxy.abort();
        if let Some(hooks) = hooks {
            hooks.abort();
        }
        Ok::<_, InputError>(())
    })?;
    Ok(Outcome::Conformant)
}

impl Recorder {
    fn save(&self) -> Result<(), InputError> {
        let mut tape = self.tape.lock().unwrap_or_else(|p| p.into_inner());
        tape.cassette.world = cassette::World::infer(&tape.cassette.interactions);
        tape.cassette
            .save(&self.out)
            .map_err(|e| InputError(format!("{}: {e}", self.out.display())))
    }
}

/// Hop-by-hop headers and those the client stack sets itself: never forwarded.
const NOT_FORWARDED: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
    // The cassette records bodies as they are read: ask for them uncompressed.
    "accept-encoding",
];

/// Forwards one request and records it.
async fn forward(
    State(rec): State<Arc<Recorder>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = format!(
        "{}{}",
        rec.upstream,
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut request = rec
        .client
        .request(method.clone(), &target)
        .body(body.clone());
    for (name, value) in &headers {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            request = request.header(name, value);
        }
    }
    let answer = match Answer::fetch(request).await {
        Ok(answer) => answer,
        Err(e) => {
            eprintln!("wa-contract record: {method} {}: upstream: {e}", uri.path());
            let body = json!({"error": {"message": format!("wa-contract record: the upstream did not answer: {e}"),
                "type": "WaContractRecord", "code": 1}});
            return (StatusCode::BAD_GATEWAY, axum::Json(body)).into_response();
        }
    };
    if let Some(what) = &answer.non_json {
        eprintln!(
            "wa-contract record: {method} {}: HTTP {} answered {what}, not JSON",
            uri.path(),
            answer.status
        );
    }
    if !uri.path().starts_with("/__") {
        rec.record(&method, &uri, &headers, &body, &answer);
        if let Err(InputError(e)) = rec.save() {
            eprintln!("wa-contract record: {e}");
        }
    }
    let mut response = Response::new(axum::body::Body::from(answer.raw.clone()));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in &answer.headers {
        if NOT_FORWARDED.contains(&name.as_str()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

impl Recorder {
    /// Scrubs the pair and appends it to the cassette.
    fn record(
        &self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
        answer: &Answer,
    ) {
        let mut tape = self.tape.lock().unwrap_or_else(|p| p.into_inner());
        let Tape { scrubber, cassette } = &mut *tape;
        let mut token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or(v.strip_prefix("bearer ")))
            .map(str::to_owned);
        let mut query = std::collections::BTreeMap::new();
        for (k, v) in form_pairs(uri.query().unwrap_or("")) {
            if k == "access_token" {
                token = Some(v);
            } else {
                query.insert(k, v);
            }
        }
        let auth = token.map(|t| scrubber.placeholder("token", &t));
        let query = query
            .into_iter()
            .map(|(k, v)| {
                let scrubbed = scrubber.json(&json!({ &k: v }));
                let v = scrubbed[&k].as_str().unwrap_or_default().to_owned();
                (k, v)
            })
            .collect();
        let request_body = request_body(headers, body);
        let kind = node_kind(method.as_str(), uri.path(), &answer.json)
            .or_else(|| known_kind(scrubber, uri.path()));
        let operation = kind.and_then(|kind| {
            candidates(method.as_str(), uri.path())
                .find(|op| op.object == kind)
                .map(|op| op.name().to_owned())
        });
        let path = scrubber.path(uri.path(), kind.map(placeholder_kind));
        let request_body = scrubber.json(&request_body);
        let response_body = scrubber.json(&answer.json);
        let mut interaction = Interaction {
            operation,
            request: Request {
                method: method.as_str().to_owned(),
                path,
                query,
                auth,
                body: request_body,
            },
            response: cassette::Response {
                status: answer.status,
                headers: answer.recorded_headers(),
                body: response_body,
                non_json: answer.non_json.clone(),
            },
            webhooks: Vec::new(),
        };
        let mut as_value = serde_json::to_value(&interaction).unwrap_or_default();
        scrubber.sweep(&mut as_value);
        if let Ok(swept) = serde_json::from_value(as_value) {
            interaction = swept;
        }
        // A webhook can overtake the answer that names its message: claim it.
        let answer = interaction.response.body.to_string();
        let (mine, others) = std::mem::take(&mut cassette.webhooks)
            .into_iter()
            .partition(|w| names_any(&answer, &message_ids(&w.body)));
        interaction.webhooks = mine;
        cassette.webhooks = others;
        cassette.interactions.push(interaction);
    }

    /// Scrubs a webhook and files it beside the interaction whose answer named its message.
    fn file_webhook(&self, body: &Value, signature_valid: bool) {
        let mut tape = self.tape.lock().unwrap_or_else(|p| p.into_inner());
        let Tape { scrubber, cassette } = &mut *tape;
        let mut body = scrubber.json(body);
        scrubber.sweep(&mut body);
        let webhook = RecordedWebhook {
            signature_valid,
            body,
        };
        let ids = message_ids(&webhook.body);
        let owner = cassette
            .interactions
            .iter_mut()
            .find(|i| names_any(&i.response.body.to_string(), &ids));
        match owner {
            Some(interaction) => interaction.webhooks.push(webhook),
            None => cassette.webhooks.push(webhook),
        }
    }
}

/// Receives one webhook: Meta's subscription handshake, or a POST to record.
async fn webhook(
    State(rec): State<Arc<Recorder>>,
    method: Method,
    Query(query): Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::GET {
        return match (query.get("hub.mode"), query.get("hub.challenge")) {
            (Some(mode), Some(challenge)) if mode == "subscribe" => {
                challenge.clone().into_response()
            }
            _ => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let valid = rec
        .app_secret
        .as_ref()
        .is_some_and(|secret| verify(secret.as_bytes(), &body, signature));
    let Ok(json) = serde_json::from_slice::<Value>(&body) else {
        eprintln!(
            "wa-contract record: a webhook that is not JSON ({} bytes), not recorded",
            body.len()
        );
        return StatusCode::BAD_REQUEST.into_response();
    };
    if !valid {
        eprintln!("wa-contract record: a webhook with a bad signature, recorded as such");
    }
    rec.file_webhook(&json, valid);
    if let Err(InputError(e)) = rec.save() {
        eprintln!("wa-contract record: {e}");
    }
    if valid {
        StatusCode::OK.into_response()
    } else {
        StatusCode::FORBIDDEN.into_response()
    }
}

/// The ids of the messages a webhook is about (`statuses[].id`, `messages[].context.id`).
pub(super) fn message_ids(body: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    for entry in body["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            let value = &change["value"];
            for status in value["statuses"].as_array().into_iter().flatten() {
                ids.extend(status["id"].as_str().map(str::to_owned));
            }
            for message in value["messages"].as_array().into_iter().flatten() {
                ids.extend(message["context"]["id"].as_str().map(str::to_owned));
            }
        }
    }
    ids
}

/// Whether an answer (as JSON text) names any of `ids` as a value.
fn names_any(answer: &str, ids: &[String]) -> bool {
    ids.iter().any(|id| answer.contains(&format!("\"{id}\"")))
}

/// `a=1&b=2` decoded.
fn form_pairs(text: &str) -> Vec<(String, String)> {
    reqwest::Url::parse("http://form.invalid/")
        .map(|mut url| {
            url.set_query(Some(text));
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A request body as JSON: JSON as is, a form as an object of strings, nothing as `null`.
fn request_body(headers: &HeaderMap, body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    if let Ok(json) = serde_json::from_slice(body) {
        return json;
    }
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    match std::str::from_utf8(body) {
        Ok(text) if form => Value::Object(
            form_pairs(text)
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ),
        Ok(text) => Value::String(text.to_owned()),
        Err(_) => Value::String(format!("<{} bytes, not UTF-8>", body.len())),
    }
}

/// The kind of object a path's id names: from its edge when only one kind has it, else from
/// what the answer shows of the object.
fn node_kind(method: &str, path: &str, answer: &Value) -> Option<ObjectKind> {
    let mut kinds = candidates(method, path).map(|op| op.object);
    let first = kinds.next()?;
    if kinds.all(|k| k == first) {
        return Some(first);
    }
    let has = |key: &str| answer.get(key).is_some();
    if has("display_phone_number") || has("verified_name") {
        Some(ObjectKind::PhoneNumber)
    } else if has("category") || has("language") {
        Some(ObjectKind::Template)
    } else if has("marketing_messages_onboarding_status")
        || has("message_template_namespace")
        || has("timezone_id")
    {
        Some(ObjectKind::Waba)
    } else {
        None
    }
}

/// The kind of a path's id from the placeholder it already has.
fn known_kind(scrubber: &Scrubber, path: &str) -> Option<ObjectKind> {
    let id = path
        .trim_matches('/')
        .split('/')
        .find(|s| !(s.starts_with('v') && s.contains('.')))?;
    match cassette::placeholder_kind(scrubber.known(id)?)? {
        "phone_number_id" => Some(ObjectKind::PhoneNumber),
        "waba_id" => Some(ObjectKind::Waba),
        "template_id" => Some(ObjectKind::Template),
        "business_id" => Some(ObjectKind::Business),
        "media_id" => Some(ObjectKind::Media),
        "app_id" => Some(ObjectKind::App),
        "upload_session_id" => Some(ObjectKind::UploadSession),
        _ => None,
    }
}

/// The placeholder kind of an object's id.
pub(super) const fn placeholder_kind(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::PhoneNumber => "phone_number_id",
        ObjectKind::Waba => "waba_id",
        ObjectKind::Template => "template_id",
        ObjectKind::Business => "business_id",
        ObjectKind::Media => "media_id",
        ObjectKind::App => "app_id",
        ObjectKind::UploadSession => "upload_session_id",
    }
}
