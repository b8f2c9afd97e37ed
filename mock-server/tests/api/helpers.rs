//! `spawn_app()` and a client with one method per endpoint.

use proptest::prelude::*;
use std::sync::Arc;

use reqwest::{Client, Method};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wa_mock::{Config, RunningServer, spawn};

pub(crate) const PHONE: &str = wa_mock::DEFAULT_PHONE_NUMBER_ID;
pub(crate) const ELIGIBLE_PHONE: &str = wa_mock::ELIGIBLE_PHONE_NUMBER_ID;
pub(crate) const MSC_PHONE: &str = wa_mock::MSC_PHONE_NUMBER_ID;
pub(crate) const WABA: &str = wa_mock::DEFAULT_WABA_ID;
pub(crate) const ELIGIBLE_WABA: &str = wa_mock::ELIGIBLE_WABA_ID;

pub(crate) struct TestApp {
    /// Shared by every client of the same server ([`TestApp::with_token`]).
    pub(crate) server: Arc<RunningServer>,
    pub(crate) client: Client,
    pub(crate) token: String,
}

/// A day when Meta's rules were as the seed text describes them: before MSC businesses were
/// served on the MM API (2026-01-29) and creative optimisations went off by default
/// (2026-04-21). v25.0 is not out yet, so tests pinned here use v24.0, as the helpers do.
pub(crate) const SEED_ERA: &str = "2026-01-01T00:00:00Z";

/// A server on the manual clock with a fixed seed, serving the default world.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(Config::default()).await
}

pub(crate) async fn spawn_app_with(config: Config) -> TestApp {
    let server = spawn(config.manual_clock().seed(42))
        .await
        .expect("server starts");
    TestApp {
        server: Arc::new(server),
        client: Client::new(),
        token: wa_mock::DEFAULT_TOKEN.to_owned(),
    }
}

/// A marketing send of the default world's `seasonal_promo` to `to`.
pub(crate) fn promo_to(to: &str) -> Value {
    json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
        "type": "template",
        "template": {"name": "seasonal_promo", "language": {"code": "en_US"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ann"}]}]}
    })
}

pub(crate) fn template_send(to: &str, name: &str, params: &[&str]) -> Value {
    let parameters: Vec<Value> = params
        .iter()
        .map(|p| json!({"type": "text", "text": p}))
        .collect();
    let components = if params.is_empty() {
        json!([])
    } else {
        json!([{"type": "body", "parameters": parameters}])
    };
    json!({
        "messaging_product": "whatsapp", "to": to, "type": "template",
        "template": {"name": name, "language": {"code": "en_US"}, "components": components}
    })
}

pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) fn code(&self) -> u64 {
        self.body["error"]["code"].as_u64().unwrap_or(0)
    }

    pub(crate) fn details(&self) -> &str {
        self.body["error"]["error_data"]["details"]
            .as_str()
            .unwrap_or_default()
    }
}

impl TestApp {
    /// A client of the same server that speaks with `token` (another sandbox's, say).
    pub(crate) fn with_token(&self, token: &str) -> TestApp {
        TestApp {
            server: self.server.clone(),
            client: self.client.clone(),
            token: token.to_owned(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    pub(crate) async fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Answer {
        let mut req = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.expect("request sent");
        let status = res.status().as_u16();
        assert_eq!(
            res.headers()["content-type"],
            "application/json",
            "every answer is JSON"
        );
        let body = res.json().await.expect("JSON body");
        Answer { status, body }
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub(crate) async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `method path` answered 200 and read as its admin wire type `T`, which must hold the
    /// whole answer: written back, it is the JSON that came.
    pub(crate) async fn admin<T: DeserializeOwned + Serialize>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> T {
        let answer = self.call(method.clone(), path, body).await;
        assert_eq!(answer.status, 200, "{method} {path}: {}", answer.body);
        let typed: T = serde_json::from_value(answer.body.clone())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", answer.body));
        assert_eq!(
            serde_json::to_value(&typed).unwrap(),
            answer.body,
            "{method} {path} read as its type and written back"
        );
        typed
    }

    pub(crate) async fn send_marketing_message(&self, phone: &str, body: &Value) -> Answer {
        self.post(&format!("/v24.0/{phone}/marketing_messages"), body)
            .await
    }

    pub(crate) async fn send_marketing_message_at(
        &self,
        version: &str,
        phone: &str,
        body: &Value,
    ) -> Answer {
        self.post(&format!("/{version}/{phone}/marketing_messages"), body)
            .await
    }

    pub(crate) async fn send_message(&self, phone: &str, body: &Value) -> Answer {
        self.post(&format!("/v24.0/{phone}/messages"), body).await
    }

    pub(crate) async fn create_template(&self, waba: &str, body: &Value) -> Answer {
        self.post(&format!("/v24.0/{waba}/message_templates"), body)
            .await
    }

    pub(crate) async fn list_templates(&self, waba: &str, query: &str) -> Answer {
        self.get(&format!("/v24.0/{waba}/message_templates?{query}"))
            .await
    }

    pub(crate) async fn delete_templates(&self, waba: &str, query: &str) -> Answer {
        self.call(
            Method::DELETE,
            &format!("/v24.0/{waba}/message_templates?{query}"),
            None,
        )
        .await
    }

    pub(crate) async fn advance(&self, seconds: u64) -> Answer {
        self.post("/__admin/clock/advance", &json!({ "seconds": seconds }))
            .await
    }

    /// Enables template insights on the default WABA, as analytics need, asserting Graph's
    /// success answer.
    pub(crate) async fn enable_insights(&self) {
        let enabled = self
            .post(
                &format!("/v24.0/{WABA}?is_enabled_for_insights=true"),
                &json!(null),
            )
            .await;
        assert_eq!(enabled.body, json!({"success": true}), "{}", enabled.body);
    }

    pub(crate) async fn patch_waba(&self, waba: &str, patch: &Value) -> Answer {
        self.call(
            Method::PATCH,
            &format!("/__admin/wabas/{waba}"),
            Some(patch),
        )
        .await
    }

    pub(crate) async fn set_template_status(&self, id: &str, status: &str) -> Answer {
        self.post(
            &format!("/__admin/templates/{id}/status"),
            &json!({ "status": status }),
        )
        .await
    }

    pub(crate) async fn put_recipient(&self, phone: &str, profile: &Value) -> Answer {
        self.call(
            Method::PUT,
            &format!("/__admin/recipients/{phone}"),
            Some(profile),
        )
        .await
    }

    pub(crate) async fn messages(&self) -> Vec<Value> {
        let answer = self.get("/__admin/messages").await;
        answer.body["data"].as_array().cloned().unwrap_or_default()
    }

    pub(crate) async fn message(&self, wamid: &str) -> Value {
        self.messages()
            .await
            .into_iter()
            .find(|m| m["id"] == wamid)
            .expect("message recorded")
    }

    pub(crate) async fn statuses(&self, wamid: &str) -> Vec<String> {
        let m = self.message(wamid).await;
        m["statuses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["status"].as_str().unwrap().to_owned())
            .collect()
    }

    pub(crate) async fn events(&self) -> Vec<Value> {
        self.get("/__admin/events").await.body["data"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Asks to create a marketing template named `name`.
    pub(crate) async fn create_promo_answer(&self, waba: &str, name: &str) -> Answer {
        self.create_template(
            waba,
            &json!({"name": name, "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Hi {{1}}, new deals!",
                    "example": {"body_text": [["Ann"]]}}]}),
        )
        .await
    }

    /// Creates a marketing template and returns its id.
    pub(crate) async fn create_promo(&self, waba: &str, name: &str) -> String {
        let answer = self.create_promo_answer(waba, name).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["id"].as_str().unwrap().to_owned()
    }
}

pub(crate) fn wamid(answer: &Answer) -> String {
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An answer read without assumptions: whatever status, headers and bytes came back.
pub(crate) struct RawAnswer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    pub(crate) api_version: Option<String>,
    pub(crate) trace_id: Option<String>,
    pub(crate) text: String,
}

impl RawAnswer {
    /// Reads `res` whole; `Err` when the connection broke before the answer ended.
    pub(crate) async fn read(res: reqwest::Response) -> Result<Self, reqwest::Error> {
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        Ok(Self {
            status: res.status().as_u16(),
            content_type: header("content-type"),
            api_version: header("facebook-api-version"),
            trace_id: header("x-fb-trace-id"),
            text: res.text().await?,
        })
    }

    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

impl TestApp {
    /// Sends `body` as-is with `content_type` (no token unless `token` is given).
    pub(crate) async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> RawAnswer {
        let mut req = self.client.request(method, self.url(path)).body(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let res = req.send().await.expect("request sent");
        RawAnswer::read(res).await.expect("body read")
    }

    /// The sandbox as `GET /__admin/state` shows it, with its messages, events and faults.
    pub(crate) async fn snapshot_of_state(&self) -> Value {
        json!({
            "state": self.get("/__admin/state").await.body,
            "messages": self.get("/__admin/messages").await.body,
            "events": self.get("/__admin/events").await.body,
            "faults": self.get("/__admin/faults").await.body,
            "clock": self.get("/__admin/clock").await.body,
        })
    }
}

/// A server on the manual clock with the given seed.
pub(crate) async fn spawn_app_seeded(seed: u64) -> TestApp {
    let server = spawn(Config::default().manual_clock().seed(seed))
        .await
        .expect("server starts");
    TestApp {
        server: Arc::new(server),
        client: Client::new(),
        token: wa_mock::DEFAULT_TOKEN.to_owned(),
    }
}

/// Codes Meta documents with a 5xx.
pub(crate) const DOCUMENTED_5XX: [u64; 3] = [134102, 131000, 131016];

/// A runtime for driving a server from synchronous proptest bodies.
pub(crate) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Checks Graph's envelope; returns the error object.
pub(crate) fn graph_error(status: u16, body: &Value) -> Result<Value, TestCaseError> {
    let error = body["error"].clone();
    prop_assert!(error["message"].is_string(), "{status} {body}");
    prop_assert!(error["type"].is_string(), "{status} {body}");
    prop_assert!(error["code"].is_u64(), "{status} {body}");
    prop_assert!(error["fbtrace_id"].is_string(), "{status} {body}");
    let code = error["code"].as_u64().unwrap_or_default();
    if status >= 500 {
        prop_assert!(DOCUMENTED_5XX.contains(&code), "{status} {body}");
    } else {
        prop_assert!((400..500).contains(&status), "{status} {body}");
    }
    Ok(error)
}

/// Any JSON, its keys and strings biased towards the send contract's own.
pub(crate) fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        prop_oneof![
            Just("template"),
            Just("text"),
            Just("whatsapp"),
            Just("STRICT"),
            Just("seasonal_promo"),
            Just("en_US"),
            Just("14165551234"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    let keys = prop_oneof![
        Just("messaging_product".to_owned()),
        Just("to".to_owned()),
        Just("recipient".to_owned()),
        Just("type".to_owned()),
        Just("template".to_owned()),
        Just("name".to_owned()),
        Just("language".to_owned()),
        Just("code".to_owned()),
        Just("components".to_owned()),
        Just("parameters".to_owned()),
        Just("product_policy".to_owned()),
        Just("message_activity_sharing".to_owned()),
        "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// The JSON pointer of every value inside `value`, depth first.
pub(crate) fn collect_pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let p = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(p.clone());
                collect_pointers(v, &p, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let p = format!("{at}/{i}");
                out.push(p.clone());
                collect_pointers(v, &p, out);
            }
        }
        _ => {}
    }
}
