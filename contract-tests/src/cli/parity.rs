//! `wa-contract parity CASSETTE --mock URL`: replays a cassette against a fresh sandbox of a
//! running mock and reports every structural drift between the recorded answers and the
//! mock's.
//!
//! The sandbox is provisioned from the cassette's `world` through the admin API (WABAs
//! patched to the recorded onboarding status, templates found by name or created, then set to
//! the recorded status); each placeholder is bound to the value the mock uses in its place,
//! from the world or from the mock's answers as they come. A token whose every recorded answer
//! was 190 is replayed as a token the mock has revoked. Webhooks are compared with the mock's
//! for the same message, read from its delivery log after its clock is moved on.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wa_contract::admin::{Attempt, List, NewSandbox, SandboxRequest, State};

use super::cassette::{Cassette, Interaction, is_placeholder, placeholder_kind};
use super::record::message_ids;
use super::shape::{compare, shape};
use super::upstream::{self, Answer};
use super::{InputError, Outcome, runtime};

/// Arguments of `parity`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The cassette to replay.
    cassette: PathBuf,
    /// The mock's base URL, e.g. http://127.0.0.1:8089.
    #[arg(long, value_name = "URL")]
    mock: String,
    /// A token the mock accepts for creating sandboxes (needed under `--strict-auth`).
    #[arg(long, env = "WA_MOCK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Drifts to accept, one a line: `OPERATION PATH` as the report prints them, a trailing
    /// `*` matching any rest; `#` starts a comment.
    #[arg(long, value_name = "FILE")]
    allow: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Seconds each request has to answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

/// One difference between a recorded answer and the mock's.
#[derive(Debug, Serialize)]
struct Drift {
    /// The interaction, from 1.
    interaction: usize,
    /// Its operation (`-` for none).
    operation: String,
    /// Its method and path, as recorded.
    request: String,
    /// Where: `status`, `header.content-type`, `body.error.code`, `webhook[statuses/read].…`.
    path: String,
    /// What the recording has.
    expected: String,
    /// What the mock answered.
    found: String,
}

impl Drift {
    /// The name an allow file gives it.
    fn id(&self) -> String {
        format!("{} {}", self.operation, self.path)
    }
}

/// Runs `parity`: exit 0 when every drift is allowed, 1 otherwise.
pub(super) fn run(args: &Args) -> Result<Outcome, InputError> {
    let cassette = Cassette::load(&args.cassette)?;
    let allow = match &args.allow {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| InputError(format!("{}: {e}", path.display())))?
            .lines()
            .map(|l| l.split('#').next().unwrap_or_default().trim().to_owned())
            .filter(|l| !l.is_empty())
            .collect(),
        None => Vec::new(),
    };
    let rt = runtime()?;
    let drifts = rt.block_on(async {
        let mock = Mock {
            base: args.mock.trim_end_matches('/').to_owned(),
            client: upstream::client(Duration::from_secs(args.timeout))?,
        };
        let receiver = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let hook_url = format!("http://{}/webhook", receiver.local_addr()?);
        let app = axum::Router::new().fallback(|| async { "ok" });
        let server = tokio::spawn(async move { axum::serve(receiver, app).await });
        let result = Replay::new(&mock, &cassette, args.token.as_deref(), hook_url)
            .await?
            .run()
            .await;
        server.abort();
        result
    })?;
    let allowed = |d: &Drift| {
        let id = d.id();
        allow.iter().any(|a: &String| match a.strip_suffix('*') {
            Some(prefix) => id.starts_with(prefix),
            None => id == *a,
        })
    };
    let (accepted, failing): (Vec<&Drift>, Vec<&Drift>) = drifts.iter().partition(|d| allowed(d));
    if args.json {
        let report = json!({"cassette": args.cassette.display().to_string(),
            "source": cassette.source, "interactions": cassette.interactions.len(),
            "drifts": failing, "allowed": accepted});
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for d in &failing {
            println!(
                "#{} {} {}: {}: expected {}, found {}",
                d.interaction, d.operation, d.request, d.path, d.expected, d.found
            );
        }
        println!(
            "{} interaction(s) replayed: {} drift(s), {} allowed",
            cassette.interactions.len(),
            failing.len(),
            accepted.len()
        );
    }
    Ok(if failing.is_empty() {
        Outcome::Conformant
    } else {
        Outcome::Violations
    })
}

/// The mock being compared.
struct Mock {
    base: String,
    client: reqwest::Client,
}

impl Mock {
    /// An admin call that must succeed, its answer read as `T`.
    async fn admin<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<T, InputError> {
        let answer = self
            .call(method.clone(), path, token, body.as_ref())
            .await?;
        if answer.status != 200 {
            return Err(InputError(format!(
                "{} {method} {path}: HTTP {}: {}",
                self.base,
                answer.status,
                String::from_utf8_lossy(&answer.raw)
            )));
        }
        serde_json::from_value(answer.json).map_err(|e| {
            InputError(format!(
                "{} {method} {path}: unexpected answer: {e}",
                self.base
            ))
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path_and_query: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Answer, InputError> {
        let url = format!("{}{path_and_query}", self.base);
        let mut request = self.client.request(method, &url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        Answer::fetch(request)
            .await
            .map_err(|e| InputError(format!("{url}: {e}")))
    }
}

/// A replay in progress: the sandbox, and what each placeholder stands for in it.
struct Replay<'a> {
    mock: &'a Mock,
    cassette: &'a Cassette,
    token: String,
    bound: HashMap<String, String>,
    drifts: Vec<Drift>,
}

impl<'a> Replay<'a> {
    /// Creates and provisions the sandbox.
    async fn new(
        mock: &'a Mock,
        cassette: &'a Cassette,
        admin_token: Option<&str>,
        hook_url: String,
    ) -> Result<Self, InputError> {
        let request = SandboxRequest {
            webhook_url: Some(hook_url),
            webhook_version: cassette.webhook_version,
            app_secret: Some("wa-contract-parity".to_owned()),
            ..SandboxRequest::default()
        };
        let post = reqwest::Method::POST;
        let sandbox: NewSandbox = mock
            .admin(
                post.clone(),
                "/__admin/sandboxes",
                admin_token,
                Some(serde_json::to_value(request)?),
            )
            .await?;
        let mut replay = Self {
            mock,
            cassette,
            token: sandbox.token.clone(),
            bound: HashMap::new(),
            drifts: Vec::new(),
        };
        replay.provision(&sandbox.state).await?;
        // A token the mock issued and revoked answers 190 whatever its auth settings.
        let revoked: NewSandbox = mock
            .admin(post, "/__admin/sandboxes", Some(&replay.token), None)
            .await?;
        let path = format!("/__admin/sandboxes/{}", revoked.token);
        let _: Value = mock
            .admin(reqwest::Method::DELETE, &path, Some(&replay.token), None)
            .await?;
        for interaction in &cassette.interactions {
            let Some(auth) = &interaction.request.auth else {
                continue;
            };
            let uses: Vec<&Interaction> = cassette
                .interactions
                .iter()
                .filter(|i| i.request.auth.as_ref() == Some(auth))
                .collect();
            let refused = uses.iter().all(|i| i.response.body["error"]["code"] == 190);
            let live = if refused {
                &revoked.token
            } else {
                &replay.token
            };
            replay.bound.insert(auth.clone(), live.clone());
        }
        Ok(replay)
    }

    /// Binds the world's WABAs, numbers and templates to the sandbox's, changing the
    /// sandbox where the cassette shows another state.
    async fn provision(&mut self, state: &State) -> Result<(), InputError> {
        let world = &self.cassette.world;
        let mut wabas: Vec<&str> = Vec::new();
        for waba in &world.wabas {
            // An unused WABA, preferably one already in the recorded state and not MSC.
            let mut free: Vec<_> = state
                .wabas
                .iter()
                .filter(|w| !wabas.contains(&w.id.as_str()))
                .collect();
            free.sort_by_key(|w| {
                let status = w.marketing_messages_onboarding_status;
                let wanted = waba.marketing_messages_onboarding_status.unwrap_or(status);
                (status != wanted, w.msc)
            });
            let Some(live) = free.first() else {
                return Err(InputError(format!(
                    "the cassette needs more WABAs than a sandbox has ({})",
                    state.wabas.len()
                )));
            };
            if let Some(status) = &waba.marketing_messages_onboarding_status
                && *status != live.marketing_messages_onboarding_status
            {
                let patch = json!({"marketing_messages_onboarding_status": status});
                let _: Value = self
                    .mock
                    .admin(
                        reqwest::Method::PATCH,
                        &format!("/__admin/wabas/{}", live.id),
                        Some(&self.token),
                        Some(patch),
                    )
                    .await?;
            }
            self.bound.insert(waba.id.clone(), live.id.clone());
            wabas.push(&live.id);
        }
        // Numbers and templates live in the first WABA bound, else the first onboarded one.
        let home = match wabas.first() {
            Some(id) => (*id).to_owned(),
            None => state
                .wabas
                .iter()
                .find(|w| !w.msc)
                .map(|w| w.id.clone())
                .unwrap_or_default(),
        };
        let mut phones = state
            .phone_numbers
            .iter()
            .filter(|p| p.waba_id == home)
            .chain(state.phone_numbers.iter().filter(|p| p.waba_id != home));
        for phone in &world.phone_numbers {
            let Some(live) = phones.next() else {
                return Err(InputError(
                    "the cassette needs more phone numbers than a sandbox has".to_owned(),
                ));
            };
            self.bound.insert(phone.id.clone(), live.id.clone());
        }
        for template in &world.templates {
            let existing = state.templates.iter().find(|t| {
                t.waba_id == home && t.name == template.name && t.language == template.language
            });
            let (id, status) = match existing {
                Some(t) => (t.id.clone(), Some(t.status)),
                None => (self.create_template(&home, template).await?, None),
            };
            if let Some(wanted) = template.status
                && Some(wanted) != status
            {
                let body = json!({"status": wanted});
                let _: Value = self
                    .mock
                    .admin(
                        reqwest::Method::POST,
                        &format!("/__admin/templates/{id}/status"),
                        Some(&self.token),
                        Some(body),
                    )
                    .await?;
            }
            if let Some(placeholder) = &template.id {
                self.bound.insert(placeholder.clone(), id);
            }
        }
        Ok(())
    }

    /// Creates a template the sandbox lacks through Graph, and lets its review and ad sync
    /// run on the sandbox's clock.
    async fn create_template(
        &self,
        waba: &str,
        template: &super::cassette::WorldTemplate,
    ) -> Result<String, InputError> {
        let components = template.components.clone().unwrap_or_else(
            || json!([{"type": "BODY", "text": "Provisioned by wa-contract parity."}]),
        );
        let body = json!({"name": template.name, "language": template.language,
            "category": template.category.map_or(json!("MARKETING"), |c| json!(c)),
            "components": components});
        let path = format!("/v23.0/{waba}/message_templates");
        let answer = self
            .mock
            .call(reqwest::Method::POST, &path, Some(&self.token), Some(&body))
            .await?;
        let Some(id) = answer.json["id"].as_str() else {
            return Err(InputError(format!(
                "could not provision template {} ({}): HTTP {} {}",
                template.name,
                template.language,
                answer.status,
                String::from_utf8_lossy(&answer.raw)
            )));
        };
        // The review and the 10-minute ad sync; a realtime clock refuses and simply runs on.
        let _ = self.advance(3600).await;
        Ok(id.to_owned())
    }

    async fn advance(&self, seconds: u64) -> Result<Value, InputError> {
        self.mock
            .admin(
                reqwest::Method::POST,
                "/__admin/clock/advance",
                Some(&self.token),
                Some(json!({"seconds": seconds})),
            )
            .await
    }

    /// Replays every interaction, then compares the webhooks; answers every drift found.
    async fn run(mut self) -> Result<Vec<Drift>, InputError> {
        let mut live_answers = Vec::new();
        for (n, interaction) in self.cassette.interactions.iter().enumerate() {
            let answer = self.replay(n + 1, interaction).await;
            live_answers.push(answer);
        }
        if self
            .cassette
            .interactions
            .iter()
            .any(|i| !i.webhooks.is_empty())
        {
            let _ = self.advance(3600).await;
            let deliveries: List<Attempt> = self
                .mock
                .admin(
                    reqwest::Method::GET,
                    "/__admin/webhooks/deliveries",
                    Some(&self.token),
                    None,
                )
                .await?;
            for (n, interaction) in self.cassette.interactions.iter().enumerate() {
                self.compare_webhooks(n + 1, interaction, &deliveries.data);
            }
        }
        let _: Result<Value, _> = self
            .mock
            .admin(
                reqwest::Method::DELETE,
                &format!("/__admin/sandboxes/{}", self.token),
                Some(&self.token),
                None,
            )
            .await;
        Ok(self.drifts)
    }

    fn drift(
        &mut self,
        n: usize,
        interaction: &Interaction,
        path: String,
        expected: String,
        found: String,
    ) {
        self.drifts.push(Drift {
            interaction: n,
            operation: interaction
                .operation
                .clone()
                .unwrap_or_else(|| "-".to_owned()),
            request: format!(
                "{} {}",
                interaction.request.method, interaction.request.path
            ),
            path,
            expected,
            found,
        });
    }

    /// Sends one recorded request to the sandbox and compares the answers.
    async fn replay(&mut self, n: usize, interaction: &Interaction) -> Option<()> {
        let request = &interaction.request;
        let mut path = self.substitute_str(&request.path);
        if !request.query.is_empty() {
            let query: Vec<(String, String)> = request
                .query
                .iter()
                .map(|(k, v)| (k.clone(), self.substitute_str(v)))
                .collect();
            let mut url = reqwest::Url::parse("http://query.invalid/").ok()?;
            url.query_pairs_mut().extend_pairs(query);
            path = format!("{path}?{}", url.query().unwrap_or_default());
        }
        let body = (!request.body.is_null()).then(|| self.substitute(&request.body));
        let token = request
            .auth
            .as_ref()
            .and_then(|a| self.bound.get(a))
            .cloned();
        let method = reqwest::Method::from_bytes(request.method.as_bytes()).ok()?;
        let answer = match self
            .mock
            .call(method, &path, token.as_deref(), body.as_ref())
            .await
        {
            Ok(answer) => answer,
            Err(InputError(e)) => {
                self.drift(
                    n,
                    interaction,
                    "answer".to_owned(),
                    "an answer".to_owned(),
                    e,
                );
                return None;
            }
        };
        let recorded = &interaction.response;
        self.bind(&recorded.body, &answer.json);
        if answer.status != recorded.status {
            self.drift(
                n,
                interaction,
                "status".to_owned(),
                recorded.status.to_string(),
                answer.status.to_string(),
            );
        }
        for (name, value) in &recorded.headers {
            let found = answer.headers.get(name);
            let same = match found {
                // The media type matters, not how its parameters are spelt.
                Some(f) if name == "content-type" => media_type(f) == media_type(value),
                Some(f) => f == value,
                None => false,
            };
            if !same {
                let found = found.cloned().unwrap_or_else(|| "absent".to_owned());
                self.drift(
                    n,
                    interaction,
                    format!("header.{name}"),
                    value.clone(),
                    found,
                );
            }
        }
        match (&recorded.non_json, &answer.non_json) {
            (None, None) => {
                for d in compare(&shape(&recorded.body), &shape(&answer.json)) {
                    self.drift(
                        n,
                        interaction,
                        format!("body.{}", d.path),
                        d.expected,
                        d.found,
                    );
                }
            }
            (Some(_), Some(_)) => {}
            (expected, found) => {
                let show =
                    |what: &Option<String>| what.clone().unwrap_or_else(|| "JSON".to_owned());
                self.drift(
                    n,
                    interaction,
                    "body".to_owned(),
                    show(expected),
                    show(found),
                );
            }
        }
        Some(())
    }

    /// Compares each trusted recorded webhook with the mock's for the same message.
    fn compare_webhooks(&mut self, n: usize, interaction: &Interaction, deliveries: &[Attempt]) {
        for webhook in interaction.webhooks.iter().filter(|w| w.signature_valid) {
            let change = &webhook.body["entry"][0]["changes"][0];
            let field = change["field"].as_str().unwrap_or_default();
            let status = change["value"]["statuses"][0]["status"].as_str();
            let live_ids: Vec<String> = message_ids(&webhook.body)
                .iter()
                .filter_map(|id| self.bound.get(id).cloned())
                .collect();
            let found = deliveries.iter().find(|d| {
                d.field == field
                    && d.message_ids.iter().any(|id| live_ids.contains(id))
                    && status.is_none_or(|s| {
                        d.body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] == s
                    })
            });
            let label = format!("webhook[{field}/{}]", status.unwrap_or("-"));
            match found {
                Some(delivery) => {
                    for d in compare(&shape(&webhook.body), &shape(&delivery.body)) {
                        self.drift(
                            n,
                            interaction,
                            format!("{label}.{}", d.path),
                            d.expected,
                            d.found,
                        );
                    }
                }
                None => self.drift(
                    n,
                    interaction,
                    label,
                    "a webhook".to_owned(),
                    "none".to_owned(),
                ),
            }
        }
    }

    /// Binds each unbound placeholder of a recorded answer to the value at the same place in
    /// the mock's.
    fn bind(&mut self, recorded: &Value, live: &Value) {
        match (recorded, live) {
            (Value::String(p), Value::String(v)) if is_placeholder(p) => {
                self.bound.entry(p.clone()).or_insert_with(|| v.clone());
            }
            (Value::Object(r), Value::Object(l)) => {
                for (k, v) in r {
                    if let Some(lv) = l.get(k) {
                        self.bind(v, lv);
                    }
                }
            }
            (Value::Array(r), Value::Array(l)) => {
                for (rv, lv) in r.iter().zip(l) {
                    self.bind(rv, lv);
                }
            }
            _ => {}
        }
    }

    fn substitute(&mut self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.substitute_str(s)),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.substitute(v)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.substitute(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// `text` with each placeholder in it replaced by its binding; one never bound gets a
    /// stand-in of its kind (an id no object has, a phone number with no magic suffix).
    fn substitute_str(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let candidate = rest[start..]
                .find('>')
                .map(|end| &rest[start..=start + end]);
            match candidate.filter(|c| is_placeholder(c)) {
                Some(p) => {
                    out.push_str(&self.value_of(p));
                    rest = &rest[start + p.len()..];
                }
                None => {
                    out.push('<');
                    rest = &rest[start + 1..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    fn value_of(&mut self, placeholder: &str) -> String {
        if let Some(v) = self.bound.get(placeholder) {
            return v.clone();
        }
        let n: u64 = placeholder
            .trim_end_matches('>')
            .rsplit(':')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_default();
        let stand_in = match placeholder_kind(placeholder).unwrap_or_default() {
            "phone" => format!("1416555{:04}", 2000 + n % 1000),
            kind if kind == "id" || kind.ends_with("_id") => format!("9{n:014}"),
            _ => return placeholder.to_owned(),
        };
        self.bound.insert(placeholder.to_owned(), stand_in.clone());
        stand_in
    }
}

/// `application/json` of `application/json; charset=UTF-8`, lowercased.
fn media_type(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}
