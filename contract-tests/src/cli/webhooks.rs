//! `wa-contract webhooks`: fuzz a webhook receiver with generated, signed webhooks.
//!
//! Each case is one generated webhook sent four times: signed with the app secret (must get
//! 2xx), signed with another secret, unsigned, and signed but with the body changed after
//! signing (each must get 4xx). Bodies are ASCII-only JSON signed over the exact bytes sent.
//! A failing case is shrunk by proptest to the smallest webhook that still fails, and printed
//! with the seed that reproduces it.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use serde_json::Value;
use wa_contract::signature::{SIGNATURE_HEADER, ascii_json, sign};
use wa_contract::{PayloadKind, strategies};

use super::{InputError, Outcome, runtime};

/// Arguments of `webhooks`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The receiver's webhook URL.
    #[arg(long)]
    url: String,
    /// The app secret the receiver verifies `X-Hub-Signature-256` with.
    #[arg(long, env = "WA_CONTRACT_APP_SECRET")]
    app_secret: String,
    /// How many generated webhooks to send (each also sent badly signed three ways).
    #[arg(long, default_value_t = 32)]
    cases: u32,
    /// Seed of the generator; the same seed sends the same webhooks (default: random).
    #[arg(long)]
    seed: Option<u64>,
}

/// One way of sending a webhook, and the answer it must get.
#[derive(Clone, Copy, Debug)]
enum Delivery {
    /// Signed with the app secret: 2xx.
    Signed,
    /// Signed with another secret: 4xx.
    WrongSecret,
    /// No signature header: 4xx.
    Unsigned,
    /// Signed, then the body changed: 4xx.
    Tampered,
}

impl Delivery {
    const ALL: [Delivery; 4] = [
        Self::Signed,
        Self::WrongSecret,
        Self::Unsigned,
        Self::Tampered,
    ];

    fn describe(self) -> &'static str {
        match self {
            Self::Signed => "correctly signed",
            Self::WrongSecret => "signed with the wrong app secret",
            Self::Unsigned => "sent without X-Hub-Signature-256",
            Self::Tampered => "changed after signing",
        }
    }

    fn accepted(self, status: u16) -> bool {
        match self {
            Self::Signed => (200..300).contains(&status),
            _ => (400..500).contains(&status),
        }
    }

    fn wanted(self) -> &'static str {
        match self {
            Self::Signed => "2xx",
            _ => "4xx",
        }
    }
}

/// The body sent and the signature header (if any) for `delivery` of `webhook`.
fn prepare(webhook: &Value, secret: &str, delivery: Delivery) -> (Vec<u8>, Option<String>) {
    let body = ascii_json(webhook);
    match delivery {
        Delivery::Signed => {
            let signature = sign(secret.as_bytes(), &body);
            (body, Some(signature))
        }
        Delivery::WrongSecret => {
            let signature = sign(format!("not-{secret}").as_bytes(), &body);
            (body, Some(signature))
        }
        Delivery::Unsigned => (body, None),
        Delivery::Tampered => {
            let signature = sign(secret.as_bytes(), &body);
            let mut changed = webhook.clone();
            changed["entry"][0]["id"] = Value::from("100000000000001");
            (ascii_json(&changed), Some(signature))
        }
    }
}

/// POSTs `body` and returns the status.
async fn post(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    signature: Option<String>,
) -> Result<u16, String> {
    let mut request = client
        .post(url)
        .header("Content-Type", "application/json")
        .body(body);
    if let Some(signature) = signature {
        request = request.header(SIGNATURE_HEADER, signature);
    }
    let response = request
        .send()
        .await
        .map_err(|e| format!("request failed: {e}"))?;
    Ok(response.status().as_u16())
}

/// A runner whose generator is fixed by `seed`, with shrinking bounded.
fn runner(cases: u32, seed: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&seed.to_le_bytes());
    }
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Runs `webhooks`.
pub(super) fn run(args: &Args) -> Result<Outcome, InputError> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    });
    let rt = runtime()?;
    let client = reqwest::Client::new();
    let strategy = strategies::any_webhook().prop_map(|(kind, webhook)| {
        let json = serde_json::to_value(&webhook).expect("generated webhooks serialise");
        (kind, json)
    });
    let mut runner = runner(args.cases, seed);
    let unreachable = std::cell::RefCell::new(None);
    let result = runner.run(&strategy, |(kind, webhook): (PayloadKind, Value)| {
        for delivery in Delivery::ALL {
            let (body, signature) = prepare(&webhook, &args.app_secret, delivery);
            match rt.block_on(post(&client, &args.url, body, signature)) {
                Ok(status) if delivery.accepted(status) => {}
                Ok(status) => {
                    return Err(TestCaseError::fail(format!(
                        "a {kind} {} got HTTP {status}, expected {}",
                        delivery.describe(),
                        delivery.wanted()
                    )));
                }
                Err(err) => {
                    *unreachable.borrow_mut() = Some(err.clone());
                    return Err(TestCaseError::fail(err));
                }
            }
        }
        Ok(())
    });
    if let Some(err) = unreachable.into_inner() {
        return Err(InputError(format!("{}: {err}", args.url)));
    }
    match result {
        Ok(()) => {
            println!(
                "ok: {} generated webhooks each got 2xx when correctly signed and 4xx when signed \
                 with the wrong secret, unsigned or changed after signing (seed {seed})",
                args.cases
            );
            Ok(Outcome::Conformant)
        }
        Err(TestError::Fail(reason, (kind, webhook))) => {
            let body = String::from_utf8(ascii_json(&webhook)).expect("ASCII is UTF-8");
            println!("FAILED: {reason}");
            println!("smallest failing {kind} (shrunk), exactly as sent:");
            println!("{body}");
            println!("as JSON:");
            println!("{}", serde_json::to_string_pretty(&webhook)?);
            println!(
                "reproduce: wa-contract webhooks --url {} --app-secret <secret> --cases {} --seed {seed}",
                args.url, args.cases
            );
            Ok(Outcome::Violations)
        }
        Err(TestError::Abort(reason)) => Err(InputError(reason.to_string())),
    }
}
