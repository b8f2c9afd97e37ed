//! `wa-contract scenario`: a scripted walk through the mock's core surface against any Graph
//! base URL (Meta itself, `record` in front of it, or a mock), each step with the answer Meta
//! documents: node reads, a template created and read back, an MM API send and a Cloud API
//! send, a non-marketing template refused, a parameter-count mismatch, an unknown object and a
//! bad token. Run through `record`, it makes a cassette in one command.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::upstream::{self, Answer};
use super::{InputError, Outcome, runtime};

/// Arguments of `scenario`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The Graph base URL, e.g. http://127.0.0.1:8090 (a `record` proxy).
    #[arg(long, value_name = "URL")]
    base_url: String,
    /// An access token of the WABA.
    #[arg(long, env = "WA_CONTRACT_TOKEN", hide_env_values = true)]
    token: String,
    /// The business phone number id to send from.
    #[arg(long)]
    phone_number_id: String,
    /// The WABA id (owning the number).
    #[arg(long)]
    waba_id: String,
    /// The recipient of the sends (a test number that accepts marketing).
    #[arg(long, default_value = "14165551234")]
    to: String,
    /// The Graph API version to address.
    #[arg(long, default_value = "v23.0")]
    graph_version: String,
    /// Seconds each request has to answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
}

/// What a step expects: an HTTP status and, for errors, Graph's code and subcode.
#[derive(Clone, Copy)]
struct Expect {
    status: u16,
    code: Option<i64>,
    subcode: Option<i64>,
}

const OK: Expect = Expect {
    status: 200,
    code: None,
    subcode: None,
};

const fn error(status: u16, code: i64, subcode: Option<i64>) -> Expect {
    Expect {
        status,
        code: Some(code),
        subcode,
    }
}

/// A template found in the WABA's list: its name, language and body variables.
struct Found {
    name: String,
    language: String,
    variables: Vec<String>,
}

/// Runs the scenario; exits 1 when a step's answer is not the one Meta documents.
pub(super) fn run(args: &Args) -> Result<Outcome, InputError> {
    let client = upstream::client(Duration::from_secs(args.timeout))?;
    let rt = runtime()?;
    rt.block_on(
        Walk {
            args,
            client,
            failures: 0,
        }
        .run(),
    )
}

struct Walk<'a> {
    args: &'a Args,
    client: reqwest::Client,
    failures: usize,
}

impl Walk<'_> {
    async fn run(mut self) -> Result<Outcome, InputError> {
        let Args {
            phone_number_id: phone,
            waba_id: waba,
            ..
        } = self.args;
        self.step("read the phone number", "GET", phone, None, OK, true)
            .await;
        let fields = "id,name,marketing_messages_onboarding_status";
        self.step(
            "read the WABA",
            "GET",
            &format!("{waba}?fields={fields}"),
            None,
            OK,
            true,
        )
        .await;
        let list = self
            .step(
                "list templates",
                "GET",
                &format!(
                    "{waba}/message_templates?fields=id,name,language,category,status,components&limit=100"
                ),
                None,
                OK,
                true,
            )
            .await;
        let templates = list.map(|a| a.json["data"].clone()).unwrap_or_default();
        let marketing = find(&templates, "MARKETING");
        let other = find(&templates, "UTILITY").or_else(|| find(&templates, "AUTHENTICATION"));

        let name = format!(
            "wa_contract_parity_{}",
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        );
        let create = json!({"name": name, "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hello {{1}}, this is a parity check.",
                "example": {"body_text": [["Ann"]]}}]});
        let created = self
            .step(
                "create a template",
                "POST",
                &format!("{waba}/message_templates"),
                Some(create),
                OK,
                true,
            )
            .await;
        match created.as_ref().and_then(|a| a.json["id"].as_str()) {
            Some(id) => {
                self.step("read the template back", "GET", id, None, OK, true)
                    .await;
            }
            None => self.skip("read the template back", "the create answered no id"),
        }

        let mm = format!("{phone}/marketing_messages");
        let cloud = format!("{phone}/messages");
        match &marketing {
            Some(t) => {
                self.step("MM API send", "POST", &mm, Some(self.send(t, 0)), OK, true)
                    .await;
                let mismatch = Some(self.send(t, 1));
                self.step(
                    "parameter count mismatch",
                    "POST",
                    &mm,
                    mismatch,
                    error(400, 132_000, None),
                    true,
                )
                .await;
            }
            None => self.skip("MM API send", "no APPROVED MARKETING template in the WABA"),
        }
        match &other {
            Some(t) => {
                self.step(
                    "Cloud API send",
                    "POST",
                    &cloud,
                    Some(self.send(t, 0)),
                    OK,
                    true,
                )
                .await;
                self.step(
                    "non-marketing template refused",
                    "POST",
                    &mm,
                    Some(self.send(t, 0)),
                    error(400, 134_100, None),
                    true,
                )
                .await;
            }
            None => self.skip(
                "Cloud API send",
                "no APPROVED UTILITY or AUTHENTICATION template",
            ),
        }
        self.step(
            "unknown object",
            "GET",
            "1",
            None,
            error(400, 100, Some(33)),
            true,
        )
        .await;
        self.step(
            "bad token",
            "GET",
            phone,
            None,
            error(401, 190, None),
            false,
        )
        .await;
        println!(
            "{} step(s) did not get the answer Meta documents",
            self.failures
        );
        Ok(if self.failures == 0 {
            Outcome::Conformant
        } else {
            Outcome::Violations
        })
    }

    /// A template send to `--to` with the template's variables, plus `extra` parameters.
    fn send(&self, t: &Found, extra: usize) -> Value {
        let mut parameters: Vec<Value> = t
            .variables
            .iter()
            .map(|v| match v.parse::<u32>() {
                Ok(_) => json!({"type": "text", "text": "Ann"}),
                Err(_) => json!({"type": "text", "text": "Ann", "parameter_name": v}),
            })
            .collect();
        parameters.extend((0..extra).map(|_| json!({"type": "text", "text": "extra"})));
        let mut template = json!({"name": t.name, "language": {"code": t.language}});
        if !parameters.is_empty() {
            template["components"] = json!([{"type": "body", "parameters": parameters}]);
        }
        json!({"messaging_product": "whatsapp", "recipient_type": "individual",
            "to": self.args.to, "type": "template", "template": template})
    }

    fn skip(&mut self, name: &str, why: &str) {
        self.failures += 1;
        println!("SKIP {name}: {why}");
    }

    /// Sends one request and reports whether its answer is the expected one.
    async fn step(
        &mut self,
        name: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        expect: Expect,
        good_token: bool,
    ) -> Option<Answer> {
        let url = format!(
            "{}/{}/{path}",
            self.args.base_url.trim_end_matches('/'),
            self.args.graph_version
        );
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or_default();
        let token = if good_token {
            self.args.token.clone()
        } else {
            format!("{}-revoked", self.args.token)
        };
        let mut request = self.client.request(method.clone(), &url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let shown = format!("{method} /{}/{path}", self.args.graph_version);
        let answer = match Answer::fetch(request).await {
            Ok(answer) => answer,
            Err(e) => {
                self.failures += 1;
                println!("FAIL {name}: {shown}: no answer: {e}");
                return None;
            }
        };
        let (code, subcode) = answer.error_code();
        let got = describe(answer.status, code, subcode);
        let wanted = describe(expect.status, expect.code, expect.subcode);
        if let Some(what) = &answer.non_json {
            self.failures += 1;
            println!(
                "FAIL {name}: {shown}: HTTP {} answered {what}, not JSON",
                answer.status
            );
        } else if answer.status == expect.status
            && code == expect.code
            && (expect.subcode.is_none() || subcode == expect.subcode)
        {
            println!("ok   {name}: {shown} → {got}");
        } else {
            self.failures += 1;
            println!("FAIL {name}: {shown} → {got}, expected {wanted}");
        }
        Some(answer)
    }
}

fn describe(status: u16, code: Option<i64>, subcode: Option<i64>) -> String {
    match (code, subcode) {
        (Some(code), Some(sub)) => format!("{status} code {code}/{sub}"),
        (Some(code), None) => format!("{status} code {code}"),
        _ => status.to_string(),
    }
}

/// The first APPROVED template of `category` in a template list, with its body's variables.
fn find(templates: &Value, category: &str) -> Option<Found> {
    let t = templates
        .as_array()?
        .iter()
        .find(|t| t["category"] == category && t["status"] == "APPROVED")?;
    let body = t["components"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| {
            c["type"]
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case("body"))
        })
        .and_then(|c| c["text"].as_str())
        .unwrap_or_default();
    let mut variables = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        let var = rest[start + 2..start + 2 + len].trim().to_owned();
        if !variables.contains(&var) {
            variables.push(var);
        }
        rest = &rest[start + 2 + len + 2..];
    }
    Some(Found {
        name: t["name"].as_str()?.to_owned(),
        language: t["language"].as_str()?.to_owned(),
        variables,
    })
}
