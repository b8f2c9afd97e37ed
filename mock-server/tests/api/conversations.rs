//! The admin endpoints the inbox reads: sandboxes, conversations (one per user, in windows,
//! with the request behind each message), the change stream, and lists read from their newest
//! end.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::admin::{
    Conversation, ConversationItem, ConversationPage, Conversations, Failure, InboundItem, List,
    MessageStatus, SandboxSummary,
};
use wa_mock::{Config, spawn};

use crate::helpers::{PHONE, TestApp, promo_to, spawn_app, spawn_app_with, wamid};

/// Reads the stream until `want` has arrived; everything read so far.
async fn read_until(res: &mut reqwest::Response, seen: &mut String, want: &str) {
    tokio::time::timeout(Duration::from_secs(5), async {
        while !seen.contains(want) {
            let chunk = res.chunk().await.expect("stream open").expect("a chunk");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {want:?} in {seen:?}"));
}

#[tokio::test]
async fn the_change_stream_says_ready_then_announces_a_send() {
    let app = spawn_app().await;

    let mut res = app
        .client
        .get(app.url("/__admin/changes"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut seen = String::new();
    read_until(&mut res, &mut seen, "\n\n").await;
    let ready = seen.clone();
    assert!(
        ready.starts_with("event: ready\ndata: {\"version\":"),
        "{ready}"
    );
    assert!(ready.ends_with("}\nretry: 1000\n\n"), "{ready}");
    let sent = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(sent.status, 200);
    read_until(&mut res, &mut seen, "event: change\n").await;
    read_until(&mut res, &mut seen, "\n\n").await;
    let change = &seen[ready.len()..];
    assert!(
        change.starts_with("event: change\ndata: {\"version\":"),
        "{change}"
    );
}

#[tokio::test]
async fn a_change_stream_is_a_request_being_served_and_outlives_the_idle_timeout() {
    let app = spawn_app_with(Config::default().idle_timeout_seconds(1)).await;
    let mut res = app
        .client
        .get(app.url("/__admin/changes"))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    read_until(&mut res, &mut seen, "event: ready").await;

    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let sent = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(sent.status, 200);
    read_until(&mut res, &mut seen, "event: change\n").await;
}

#[tokio::test]
async fn an_open_change_stream_does_not_hold_up_shutdown() {
    let server = spawn(Config::default().manual_clock().seed(42))
        .await
        .unwrap();
    let mut res = reqwest::get(format!("{}/__admin/changes", server.url()))
        .await
        .unwrap();
    let mut seen = String::new();
    read_until(&mut res, &mut seen, "event: ready").await;

    tokio::time::timeout(Duration::from_secs(5), server.shutdown())
        .await
        .expect("shutdown finishes with a stream open");
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = res.chunk().await {}
    })
    .await;
    assert!(end.is_ok(), "the stream ended");
}

async fn inbound(app: &TestApp, body: Value) -> String {
    let answer = app.post("/__admin/inbound", &body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn conversations_are_one_per_user_the_most_recently_active_first() {
    let app = spawn_app().await;
    let created = app.post("/__admin/sandboxes", &json!({})).await;
    let sandbox = app.with_token(created.body["token"].as_str().unwrap());
    let phone = sandbox.get("/__admin/state").await.body["phone_numbers"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ann = wamid(
        &sandbox
            .send_marketing_message(&phone, &promo_to("+1 416 555 1234"))
            .await,
    );
    sandbox.advance(10).await;
    sandbox
        .send_marketing_message(&phone, &promo_to("14165550007"))
        .await;
    sandbox.advance(10).await;
    inbound(
        &sandbox,
        json!({"from": "14165551234", "name": "Ann", "button": {"text": "Stop promotions", "context_message_id": ann}}),
    )
    .await;

    let list: Conversations = sandbox
        .admin(Method::GET, "/__admin/conversations", None)
        .await;
    let first: Conversations = sandbox
        .admin(Method::GET, "/__admin/conversations?offset=1&limit=1", None)
        .await;

    assert_eq!(
        list,
        Conversations {
            data: vec![
                Conversation {
                    wa_id: "14165551234".to_owned(),
                    input: Some("+1 416 555 1234".to_owned()),
                    profile_name: "Ann".to_owned(),
                    outbound: 1,
                    inbound: 1,
                    last_at: "2026-12-01T00:00:20.000Z".to_owned(),
                    last_type: "inbound".to_owned(),
                    last_status: Some(MessageStatus::Read),
                    opted_out: true,
                },
                Conversation {
                    wa_id: "14165550007".to_owned(),
                    input: Some("14165550007".to_owned()),
                    profile_name: "WhatsApp User".to_owned(),
                    outbound: 1,
                    inbound: 0,
                    last_at: "2026-12-01T00:00:10.000Z".to_owned(),
                    last_type: "template".to_owned(),
                    last_status: Some(MessageStatus::Delivered),
                    opted_out: false,
                },
            ],
            total: 2,
        }
    );
    assert_eq!(first.data, list.data[1..]);
    assert_eq!(first.total, 2);
}

#[tokio::test]
async fn a_conversation_is_read_in_windows_with_the_request_behind_each_message() {
    let app = spawn_app().await;
    let mut sent = Vec::new();
    for _ in 0..3 {
        sent.push(wamid(
            &app.send_marketing_message(PHONE, &promo_to("14165551050"))
                .await,
        ));
        app.advance(1).await;
    }
    let reply = inbound(&app, json!({"from": "14165551050", "text": "hi"})).await;

    let latest: ConversationPage = app
        .admin(
            Method::GET,
            "/__admin/conversations/14165551050?limit=2",
            None,
        )
        .await;
    let cursor = latest.before.clone().expect("older items");
    let older: ConversationPage = app
        .admin(
            Method::GET,
            &format!("/__admin/conversations/14165551050?limit=2&before={cursor}"),
            None,
        )
        .await;
    let nobody: ConversationPage = app
        .admin(Method::GET, "/__admin/conversations/19999999999", None)
        .await;
    let bad = app.get("/__admin/conversations/14165551050?limit=0").await;

    let ids = |page: &ConversationPage| -> Vec<String> {
        page.data
            .iter()
            .map(|i| match i {
                ConversationItem::Outbound(o) => o.message.id.clone(),
                ConversationItem::Inbound(i) => i.id.clone(),
            })
            .collect()
    };
    assert_eq!(ids(&latest), vec![sent[2].clone(), reply.clone()]);
    assert_eq!(cursor, sent[2]);
    assert_eq!(ids(&older), vec![sent[0].clone(), sent[1].clone()]);
    assert_eq!(older.before, None);
    let ConversationItem::Outbound(last) = &latest.data[0] else {
        panic!("outbound first");
    };
    assert_eq!(last.request, Some(promo_to("14165551050")));
    assert_eq!(last.request_seq, Some(3));
    assert_eq!(
        last.failure,
        Some(Failure {
            key: "user_stopped_marketing".to_owned(),
            code: 131050,
            title: last.failure.as_ref().unwrap().title.clone(),
        })
    );
    assert!(!last.failure.as_ref().unwrap().title.is_empty());
    let ConversationItem::Inbound(answer) = &latest.data[1] else {
        panic!("inbound last");
    };
    assert_eq!(
        answer,
        &InboundItem {
            id: reply.clone(),
            at: "2026-12-01T00:00:03.000Z".to_owned(),
            profile_name: "WhatsApp User".to_owned(),
            phone_number_id: PHONE.to_owned(),
            message: json!({"from": "14165551050", "from_user_id": "CA.00448131503810655176",
                "id": reply, "timestamp": "1796083203", "type": "text", "text": {"body": "hi"}}),
        }
    );
    assert_eq!(nobody.data, vec![]);
    assert_eq!(nobody.before, None);
    assert_eq!(bad.status, 400);
    assert_eq!(bad.code(), 100);
    assert_eq!(
        bad.details(),
        "limit: expected a whole number from 1 to 1000, found '0'"
    );
}

#[tokio::test]
async fn sandboxes_are_listed_the_default_one_first() {
    let app = spawn_app().await;
    let token = app.post("/__admin/sandboxes", &json!({})).await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;

    let list: List<SandboxSummary> = app.admin(Method::GET, "/__admin/sandboxes", None).await;

    assert_eq!(
        list.data,
        vec![
            SandboxSummary {
                token: Some(wa_mock::DEFAULT_TOKEN.to_owned()),
                default: true,
                messages: 1,
                now: "2026-12-01T00:00:00.000Z".to_owned(),
            },
            SandboxSummary {
                token: Some(token.clone()),
                default: false,
                messages: 0,
                now: "2026-12-01T00:00:00.000Z".to_owned(),
            },
        ]
    );

    // Another sandbox's caller sees its own token, and no other.
    let other = app.with_token(&token);
    let list: List<SandboxSummary> = other.admin(Method::GET, "/__admin/sandboxes", None).await;
    let tokens: Vec<_> = list.data.into_iter().map(|s| s.token).collect();
    assert_eq!(tokens, [None, Some(token)]);
}

#[tokio::test]
async fn the_journal_and_the_delivery_log_can_be_read_from_their_newest_end() {
    let app = spawn_app().await;
    for to in ["14165551234", "14165551235", "14165551236"] {
        app.send_marketing_message(PHONE, &promo_to(to)).await;
    }

    let all = app.get("/__admin/requests").await;
    let newest = app.get("/__admin/requests?limit=2").await;
    let bad = app.get("/__admin/requests?limit=x").await;
    let deliveries = app.get("/__admin/webhooks/deliveries?limit=5").await;

    let seqs = |a: &crate::helpers::Answer| -> Vec<u64> {
        a.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(seqs(&all), vec![1, 2, 3]);
    assert_eq!(seqs(&newest), vec![2, 3]);
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.details(),
        "limit: expected a whole number from 1 to 18446744073709551615, found 'x'"
    );
    assert_eq!(deliveries.status, 200);
    assert_eq!(deliveries.body, json!({"data": []}));
}
