//! Business portfolio pacing: a paced portfolio's template sends of every category past the
//! threshold are held; a good signal releases them, a bad one fails each with 132015 and
//! refuses the portfolio's template sends and creations (135000) until the review ends.

use reqwest::Method;
use serde_json::{Value, json};
use wa_contract::admin::PortfolioPacing;

use crate::helpers::*;

const BUSINESS: &str = "400000000000001";
const WATCHED_WABA: &str = "400000000000011";
const WATCHED_PHONE: &str = "400000000000021";

async fn portfolio_app() -> TestApp {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/world/portfolio_pacing.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    // GREEN templates are not template-paced: only the portfolio holds their sends.
    for template in ["400000000000031", "400000000000032"] {
        let green = app
            .post(
                &format!("/__admin/templates/{template}/quality"),
                &json!({"quality_score": "GREEN"}),
            )
            .await;
        assert_eq!(green.status, 200, "{}", green.body);
    }
    app
}

/// One send of each category, marketing on the MM API: wamids and `message_status`es.
async fn one_of_each(app: &TestApp, phone: &str) -> Vec<(String, String)> {
    let answers = [
        app.send_marketing_message(phone, &promo_to("14165551001"))
            .await,
        app.send_message(
            phone,
            &template_send("14165551002", "order_update", &["#1"]),
        )
        .await,
        app.send_message(phone, &template_send("14165551003", "login_code", &["123"]))
            .await,
    ];
    answers
        .iter()
        .map(|a| {
            assert_eq!(a.status, 200, "{}", a.body);
            let status = a.body["messages"][0]["message_status"].as_str().unwrap();
            (wamid(a), status.to_owned())
        })
        .collect()
}

async fn signal(app: &TestApp, business: &str, signal: &str) -> Answer {
    app.post(
        &format!("/__admin/businesses/{business}/pacing"),
        &json!({ "signal": signal }),
    )
    .await
}

async fn portfolio(app: &TestApp) -> Value {
    let state: Value = app.admin(Method::GET, "/__admin/state", None).await;
    state["businesses"][0]["portfolio_pacing"].clone()
}

fn statuses_of(sent: &[(String, String)]) -> Vec<&str> {
    sent.iter().map(|(_, s)| s.as_str()).collect()
}

#[tokio::test]
async fn a_paced_portfolio_holds_every_category_past_the_threshold_until_a_good_signal() {
    let app = portfolio_app().await;
    let sent = one_of_each(&app, WATCHED_PHONE).await;
    let held = "held_for_quality_assessment";
    assert_eq!(statuses_of(&sent), ["accepted", held, held]);
    assert_eq!(
        portfolio(&app).await,
        json!({"paced": true, "under_review": false, "held": 2})
    );
    app.advance(3600).await;
    assert!(app.statuses(&sent[1].0).await.is_empty(), "held: not sent");

    let released: PortfolioPacing = app
        .admin(
            Method::POST,
            &format!("/__admin/businesses/{BUSINESS}/pacing"),
            Some(&json!({"signal": "good"})),
        )
        .await;
    assert_eq!(
        json!(released),
        json!({"paced": true, "under_review": false, "held": 0, "messages": 2})
    );
    assert_eq!(app.statuses(&sent[2].0).await, ["sent"]);
    // Still paced: the next batch starts over.
    let next = one_of_each(&app, WATCHED_PHONE).await;
    assert_eq!(statuses_of(&next), ["accepted", held, held]);
}

#[tokio::test]
async fn a_bad_signal_drops_the_held_messages_and_the_portfolio_is_under_review() {
    let app = portfolio_app().await;
    let sent = one_of_each(&app, WATCHED_PHONE).await;
    let dropped = signal(&app, BUSINESS, "bad").await;
    assert_eq!(
        dropped.body,
        json!({"paced": true, "under_review": true, "held": 0, "messages": 2})
    );
    for (wamid, _) in &sent[1..] {
        assert_eq!(
            app.message(wamid).await["statuses"],
            json!([{"status": "failed", "at": "2026-12-01T00:00:00.000Z",
                    "error": "template_paused", "code": 132015,
                    "title": "(#132015) Template is Paused"}])
        );
    }
    assert_eq!(
        app.statuses(&sent[0].0).await,
        ["sent"],
        "sent ones stay sent"
    );

    let refused = app
        .send_message(
            WATCHED_PHONE,
            &template_send("14165551002", "order_update", &["#1"]),
        )
        .await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, 135000),
        "{}",
        refused.body
    );
    assert_eq!(
        refused.details(),
        "Business portfolio 400000000000001 is under review after business portfolio pacing \
         dropped its messages; it cannot send or create message templates until the review ends."
    );
    let create = app
        .create_template(
            WATCHED_WABA,
            &json!({"name": "new_promo", "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Hello"}]}),
        )
        .await;
    assert_eq!(create.code(), 135000, "{}", create.body);
    let text = app
        .send_message(
            WATCHED_PHONE,
            &json!({"messaging_product": "whatsapp", "to": "14165551002", "type": "text",
                "text": {"body": "hi"}}),
        )
        .await;
    assert_eq!(
        text.status, 200,
        "only templates are refused: {}",
        text.body
    );
    let again = signal(&app, BUSINESS, "good").await;
    assert_eq!((again.status, again.code()), (400, 100));
    assert!(
        again
            .details()
            .starts_with("signal: business 400000000000001 is not paced")
    );

    let ended: PortfolioPacing = app
        .admin(
            Method::PUT,
            &format!("/__admin/businesses/{BUSINESS}/pacing"),
            Some(&json!({"paced": false})),
        )
        .await;
    assert_eq!(
        json!(ended),
        json!({"paced": false, "under_review": false, "held": 0})
    );
    let after = one_of_each(&app, WATCHED_PHONE).await;
    assert_eq!(statuses_of(&after), ["accepted", "accepted", "accepted"]);
    assert_eq!(portfolio(&app).await, Value::Null, "nothing to show");
}

#[tokio::test]
async fn portfolio_pacing_refuses_unknown_and_unpaced_businesses_and_bad_bodies() {
    let app = spawn_app().await;
    let unknown = signal(&app, "999", "good").await;
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    let unpaced = signal(&app, "100000000000001", "good").await;
    assert_eq!((unpaced.status, unpaced.code()), (400, 100));
    assert_eq!(
        unpaced.details(),
        "signal: business 100000000000001 is not paced (paced false, under review false, \
         portfolio pacing in force)"
    );
    let bad = app
        .call(
            Method::PUT,
            "/__admin/businesses/100000000000001/pacing",
            Some(&json!({"paced": "yes"})),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, 100), "{}", bad.body);
    let sent = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    assert_eq!(sent.body["messages"][0]["message_status"], "accepted");
}
