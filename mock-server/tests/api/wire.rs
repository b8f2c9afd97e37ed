//! Every admin answer read as its `wa_contract::admin` type, so that the types and the server
//! cannot drift apart.

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::admin::{
    Attempt, Chaos, ClockMode, ClockState, Event, Fault, Faults, Health, InboundAccepted,
    JournalEntry, List, Memory, Message, MessageStatus, NewSandbox, Recipient, SandboxRequest,
    State, Success, TemplateStatusSet, Throughput, Waba, WebhookView,
};
use wa_contract::payload::template::{ParameterFormat, TemplateStatus};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{PHONE, TestApp, WABA, promo_to, spawn_app, wamid};

/// A sandbox that has sent, received, delivered webhooks and changed a template: each list the
/// admin API has holds something.
async fn busy_app() -> (TestApp, MockServer, String) {
    let app = spawn_app().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let view: WebhookView = app
        .admin(
            Method::PUT,
            "/__admin/webhooks",
            Some(&json!({"webhook_url": format!("{}/hook", receiver.uri()),
                "chaos": {"batch": 2}})),
        )
        .await;
    assert_eq!(view.chaos.batch, 2);

    let recipient: Recipient = app
        .admin(
            Method::PUT,
            "/__admin/recipients/+14165551234",
            Some(&json!({"behaviour": "never_read", "name": "Alex"})),
        )
        .await;
    assert_eq!(recipient.phone.as_deref(), Some("14165551234"));

    let fault: Fault = app
        .admin(
            Method::POST,
            "/__admin/faults",
            Some(&json!({"path": "no_such_edge", "action": {"type": "latency", "millis": 1}})),
        )
        .await;
    assert_eq!(fault.phone, None);
    let _: Throughput = app
        .admin(
            Method::PUT,
            "/__admin/throughput",
            Some(&json!({"messages_per_second": 50})),
        )
        .await;

    let sent = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let created = app
        .create_template(
            WABA,
            &json!({"name": "flash_sale", "language": "en_US", "category": "MARKETING",
                "message_send_ttl_seconds": 43200,
                "components": [{"type": "BODY", "text": "Hi {{1}}, today only!",
                    "example": {"body_text": [["Ann"]]}}]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let template = created.body["id"].as_str().unwrap().to_owned();
    let set: TemplateStatusSet = app
        .admin(
            Method::POST,
            &format!("/__admin/templates/{template}/status"),
            Some(&json!({"status": "REJECTED", "reason": "PROMOTIONAL"})),
        )
        .await;
    assert_eq!(set.status, TemplateStatus::Rejected);
    let inbound: InboundAccepted = app
        .admin(
            Method::POST,
            "/__admin/inbound",
            Some(&json!({"from": "14165551234", "text": "hi"})),
        )
        .await;
    assert!(inbound.id.starts_with("wamid."), "{}", inbound.id);

    let clock: ClockState = app
        .admin(
            Method::POST,
            "/__admin/clock/advance",
            Some(&json!({"seconds": 60})),
        )
        .await;
    assert_eq!(clock.mode, ClockMode::Manual);
    (app, receiver, sent)
}

#[tokio::test]
async fn every_admin_get_answer_reads_as_its_type() {
    let (app, _receiver, sent) = busy_app().await;

    let health: Health = app.admin(Method::GET, "/__admin/health", None).await;
    assert_eq!(health.status, "ok");
    let memory: Memory = app.admin(Method::GET, "/__admin/memory", None).await;
    assert_eq!(memory.sandboxes, 1);
    let state: State = app.admin(Method::GET, "/__admin/state", None).await;
    assert!(!state.businesses.is_empty() && !state.phone_numbers.is_empty());
    let _: ClockState = app.admin(Method::GET, "/__admin/clock", None).await;

    let recipients: List<Recipient> = app.admin(Method::GET, "/__admin/recipients", None).await;
    assert_eq!(recipients.data.len(), 1);
    let messages: List<Message> = app.admin(Method::GET, "/__admin/messages", None).await;
    let message = messages.data.iter().find(|m| m.id == sent).unwrap();
    assert_eq!(
        message.statuses.last().map(|s| s.status),
        Some(MessageStatus::Delivered)
    );
    let requests: List<JournalEntry> = app.admin(Method::GET, "/__admin/requests", None).await;
    assert!(requests.data.len() >= 2);
    let events: List<Event> = app.admin(Method::GET, "/__admin/events", None).await;
    assert!(events.data.iter().all(|e| e.kind.contains_key("type")));
    assert!(!events.data.is_empty());
    let _: WebhookView = app.admin(Method::GET, "/__admin/webhooks", None).await;
    let deliveries: List<Attempt> = app
        .admin(Method::GET, "/__admin/webhooks/deliveries", None)
        .await;
    assert!(!deliveries.data.is_empty());
    let faults: Faults = app.admin(Method::GET, "/__admin/faults", None).await;
    assert_eq!(faults.data.len(), 1);
    assert_eq!(faults.throughput.messages_per_second, Some(50));
}

#[tokio::test]
async fn the_other_admin_answers_read_as_their_types() {
    let (app, _receiver, _) = busy_app().await;

    let waba: Waba = app
        .admin(
            Method::PATCH,
            &format!("/__admin/wabas/{WABA}"),
            Some(&json!({"msc": true})),
        )
        .await;
    assert!(waba.msc);
    let cleared: Success = app.admin(Method::DELETE, "/__admin/faults", None).await;
    assert!(cleared.success);
    let request = SandboxRequest {
        clock_start: Some("2026-07-01T09:00:00Z".to_owned()),
        ..SandboxRequest::default()
    };
    let sandbox: NewSandbox = app
        .admin(
            Method::POST,
            "/__admin/sandboxes",
            Some(&serde_json::to_value(&request).unwrap()),
        )
        .await;
    assert_eq!(sandbox.token, sandbox.state.token);
    let fresh = app.with_token(&sandbox.token);
    let clock: ClockState = fresh.admin(Method::GET, "/__admin/clock", None).await;
    assert_eq!(clock.now, "2026-07-01T09:00:00.000Z");
    // A sandbox that asked for no chaos shows the type's default: the two agree.
    let view: WebhookView = fresh.admin(Method::GET, "/__admin/webhooks", None).await;
    assert_eq!(view.chaos, Chaos::default());
    let deleted: Success = app
        .admin(
            Method::DELETE,
            &format!("/__admin/sandboxes/{}", sandbox.token),
            None,
        )
        .await;
    assert!(deleted.success);
    let reset: State = app.admin(Method::POST, "/__admin/reset", None).await;
    assert!(!reset.templates.is_empty());
}

#[tokio::test]
async fn the_state_lists_each_template_in_full() {
    let (app, _receiver, _) = busy_app().await;
    let state: State = app.admin(Method::GET, "/__admin/state", None).await;

    let flash = state
        .templates
        .iter()
        .find(|t| t.name == "flash_sale")
        .unwrap();
    assert_eq!(flash.status, TemplateStatus::Rejected);
    assert_eq!(flash.rejected_reason.as_deref(), Some("PROMOTIONAL"));
    assert_eq!(flash.message_send_ttl_seconds, Some(43200));
    assert_eq!(flash.parameter_format, ParameterFormat::Positional);
    assert_eq!(flash.components.len(), 1);

    let raw = app.get("/__admin/state").await.body;
    let flash_raw = raw["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "flash_sale")
        .unwrap();
    assert_eq!(flash_raw["components"][0]["text"], "Hi {{1}}, today only!");
    let keys: Vec<&str> = raw["templates"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    // Fields added after the first nine keep the old ones where clients found them.
    assert_eq!(
        keys[..9],
        [
            "id",
            "waba_id",
            "name",
            "language",
            "category",
            "status",
            "created_at",
            "synced_at",
            "last_mm_send"
        ]
    );
    let untouched: &Value = &raw["templates"][0];
    assert!(untouched.get("rejected_reason").is_none(), "{untouched}");
}
