//! The pausing ladder: an APPROVED template whose quality falls to RED is paused 3 hours, then
//! 6, and disabled the third time, each step a `message_template_status_update` with Meta's
//! `other_info` (and `disable_info` when disabled), on the sandbox's clock.

use serde_json::{Value, json};
use wa_contract::PayloadKind;

use crate::helpers::{PHONE, TestApp, promo_to};
use crate::webhooks::{Receiver, SECRET, app_delivering_to, assert_well_formed};

const PROMO: &str = "100000000000031";
const HOUR: u64 = 3600;
/// The default world's clock at the start, in unix seconds.
const START: u64 = 1_796_083_200;

async fn quality(app: &TestApp, score: &str) {
    let set = app
        .post(
            &format!("/__admin/templates/{PROMO}/quality"),
            &json!({ "quality_score": score }),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
}

/// The send's answer: HTTP status and Graph code (0 when accepted).
async fn send(app: &TestApp) -> (u16, u64) {
    let answer = app
        .send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    let code = if answer.status == 200 {
        0
    } else {
        answer.code()
    };
    (answer.status, code)
}

/// Each `message_template_status_update` of PROMO delivered so far: event, `other_info` and
/// `disable_info`, each checked against the contract.
fn status_updates(receiver: &Receiver) -> Vec<(Value, Value, Value)> {
    receiver
        .posts()
        .iter()
        .filter(|h| h.json()["entry"][0]["changes"][0]["field"] == "message_template_status_update")
        .map(|h| {
            assert_well_formed(h, SECRET, PayloadKind::TemplateStatusWebhook);
            let v = h.json()["entry"][0]["changes"][0]["value"].clone();
            (
                v["event"].clone(),
                v["other_info"].clone(),
                v["disable_info"].clone(),
            )
        })
        .collect()
}

fn info(title: &str, description: &str) -> Value {
    json!({ "title": title, "description": description })
}

#[tokio::test]
async fn quality_pauses_last_three_then_six_hours_and_the_third_disables_the_template() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    quality(&app, "RED").await;
    assert_eq!(send(&app).await, (400, 132015), "paused");
    app.advance(3 * HOUR - 1).await;
    assert_eq!(
        send(&app).await,
        (400, 132015),
        "still paused before 3 hours"
    );
    app.advance(1).await;
    assert_eq!(send(&app).await, (200, 0), "resumed after 3 hours");

    quality(&app, "YELLOW").await;
    quality(&app, "RED").await;
    app.advance(6 * HOUR - 1).await;
    assert_eq!(
        send(&app).await,
        (400, 132015),
        "the second pause lasts 6 hours"
    );
    app.advance(1).await;
    assert_eq!(send(&app).await, (200, 0));

    quality(&app, "YELLOW").await;
    quality(&app, "RED").await;
    let disabled_at = START + 9 * HOUR;
    app.advance(30 * 24 * HOUR).await;
    assert_eq!(send(&app).await, (400, 132016), "disabled for good");
    let node = app.get(&format!("/v25.0/{PROMO}?fields=status")).await;
    assert_eq!(node.body["status"], "DISABLED");

    let paused = "Your WhatsApp message template has been paused because of low quality.";
    let again =
        "Your WhatsApp message template has been paused a second time because of low quality.";
    let unpaused = "Your WhatsApp message template has been unpaused.";
    let gone = "Your WhatsApp message template has been disabled because of repeated low quality.";
    assert_eq!(
        status_updates(&receiver),
        [
            (json!("PAUSED"), info("FIRST_PAUSE", paused), Value::Null),
            (json!("APPROVED"), info("UNPAUSE", unpaused), Value::Null),
            (json!("PAUSED"), info("SECOND_PAUSE", again), Value::Null),
            (json!("APPROVED"), info("UNPAUSE", unpaused), Value::Null),
            (
                json!("DISABLED"),
                info("DISABLED", gone),
                json!({ "disable_date": disabled_at })
            ),
        ]
    );
}

#[tokio::test]
async fn a_red_rating_pauses_only_an_approved_template() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.set_template_status(PROMO, "PENDING").await;
    quality(&app, "RED").await;
    app.advance(1).await;
    let events: Vec<Value> = status_updates(&receiver)
        .into_iter()
        .map(|(event, ..)| event)
        .collect();
    assert_eq!(events, [json!("PENDING")], "no pause while in review");
}
