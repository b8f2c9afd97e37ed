//! Meta's side of an account, over real HTTP to a real listener: a phone number's quality and
//! messaging limit (`phone_number_quality_update`, read back on the phone node), a portfolio's
//! capabilities (`business_capability_update`), account events (`account_update`) and a user
//! changing phone number (`user_changed_number`).

use serde_json::{Value, json};
use wa_contract::PayloadKind;
use wa_contract::payload::webhook::ChangeValue;

use crate::helpers::{PHONE, TestApp, WABA, promo_to};
use crate::users::{DISPLAY, assert_signed_and_typed, posts_of, statuses, value};
use crate::webhooks::{Receiver, SECRET, app_delivering_to, assert_well_formed};

/// The manual clock's start, in unix seconds.
const START: u64 = 1_796_083_200;

impl TestApp {
    async fn phone_quality(&self, phone: &str, body: &Value) -> crate::helpers::Answer {
        self.post(&format!("/__admin/phone_numbers/{phone}/quality"), body)
            .await
    }

    async fn phone_node(&self) -> Value {
        self.get(&format!(
            "/v25.0/{PHONE}?fields=quality_rating,messaging_limit_tier,throughput"
        ))
        .await
        .body
    }

    async fn account_event(&self, waba: &str, body: &Value) -> crate::helpers::Answer {
        self.post(&format!("/__admin/wabas/{waba}/account_update"), body)
            .await
    }
}

#[tokio::test]
async fn a_numbers_limit_and_quality_are_kept_read_back_and_sent_with_both_limit_spellings() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    assert_eq!(
        app.phone_node().await,
        json!({"quality_rating": "GREEN", "messaging_limit_tier": "TIER_250",
            "throughput": {"level": "STANDARD"}, "id": PHONE})
    );

    let upgraded = app
        .phone_quality(PHONE, &json!({"messaging_limit_tier": "TIER_UNLIMITED"}))
        .await;
    assert_eq!(
        upgraded.body,
        json!({"id": PHONE, "quality_rating": "GREEN", "messaging_limit_tier": "TIER_UNLIMITED"})
    );
    let flagged = app
        .phone_quality(PHONE, &json!({"quality_rating": "RED"}))
        .await;
    assert_eq!(flagged.status, 200, "{}", flagged.body);
    app.advance(0).await;

    assert_eq!(
        app.phone_node().await,
        json!({"quality_rating": "RED", "messaging_limit_tier": "TIER_UNLIMITED",
            "throughput": {"level": "HIGH"}, "id": PHONE})
    );
    let hits = posts_of(&receiver, "phone_number_quality_update");
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        assert!(matches!(
            assert_signed_and_typed(hit),
            ChangeValue::PhoneQuality(_)
        ));
        assert_eq!(hit.json()["entry"][0]["id"], WABA);
        assert_eq!(hit.json()["entry"][0]["time"], START);
    }
    assert_eq!(
        value(&hits[0]),
        json!({"display_phone_number": DISPLAY, "event": "THROUGHPUT_UPGRADE",
            "old_limit": "TIER_250", "current_limit": "TIER_UNLIMITED",
            "max_daily_conversations_per_business": "TIER_UNLIMITED"})
    );
    assert_eq!(
        value(&hits[1]),
        json!({"display_phone_number": DISPLAY, "event": "FLAGGED",
            "current_limit": "TIER_UNLIMITED",
            "max_daily_conversations_per_business": "TIER_UNLIMITED"})
    );
}

#[tokio::test]
async fn an_unknown_tier_rating_or_event_is_refused_naming_the_field_and_nothing_changes() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let before = app.phone_node().await;

    for (body, field) in [
        (
            json!({"messaging_limit_tier": "TIER_5K"}),
            "messaging_limit_tier:",
        ),
        (
            json!({"quality_rating": "BLUE", "messaging_limit_tier": "TIER_2K"}),
            "quality_rating:",
        ),
        (
            json!({"messaging_limit_tier": "TIER_2K", "event": "SOMETIMES"}),
            "event:",
        ),
        (json!({}), "messaging_limit_tier:"),
        (json!({"id": PHONE, "quality_rating": "RED"}), "id:"),
    ] {
        let refused = app.phone_quality(PHONE, &body).await;
        assert_eq!((refused.status, refused.code()), (400, 100), "{body}");
        assert!(refused.details().starts_with(field), "{}", refused.body);
    }
    let unknown = app
        .phone_quality("999", &json!({"quality_rating": "RED"}))
        .await;
    assert_eq!((unknown.status, unknown.code()), (400, 100));
    app.advance(0).await;

    assert_eq!(app.phone_node().await, before);
    assert!(posts_of(&receiver, "phone_number_quality_update").is_empty());
}

#[tokio::test]
async fn a_world_file_sets_a_numbers_quality_and_messaging_limit() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = crate::helpers::spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let phone = state["phone_numbers"][0]["id"].as_str().unwrap().to_owned();

    let node = app
        .get(&format!(
            "/v25.0/{phone}?fields=quality_rating,messaging_limit_tier,throughput"
        ))
        .await;

    assert_eq!(
        node.body,
        json!({"quality_rating": "YELLOW", "messaging_limit_tier": "TIER_10K",
            "throughput": {"level": "STANDARD"}, "id": phone})
    );
}

#[tokio::test]
async fn a_portfolios_capabilities_are_announced_to_each_of_its_wabas() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let business = wa_mock::DEFAULT_BUSINESS_ID;
    let path = format!("/__admin/businesses/{business}/capabilities");

    for (body, field) in [
        (
            json!({"max_daily_conversations_per_business": 1000}),
            "max_daily_conversations_per_business:",
        ),
        (
            json!({"max_phone_numbers_per_waba": 0}),
            "max_phone_numbers_per_waba:",
        ),
        (json!({}), "max_daily_conversations_per_business:"),
    ] {
        let refused = app.post(&path, &body).await;
        assert_eq!((refused.status, refused.code()), (400, 100), "{body}");
        assert!(refused.details().starts_with(field), "{}", refused.body);
    }
    let unknown = app
        .post(
            "/__admin/businesses/999/capabilities",
            &json!({"max_phone_numbers_per_business": 2}),
        )
        .await;
    assert_eq!((unknown.status, unknown.code()), (400, 100));
    let set = app
        .post(
            &path,
            &json!({"max_daily_conversations_per_business": 10000,
                "max_phone_numbers_per_business": 20}),
        )
        .await;
    assert_eq!(set.body, json!({"success": true}));
    app.advance(0).await;

    let hits = posts_of(&receiver, "business_capability_update");
    let wabas: Vec<Value> = hits
        .iter()
        .map(|h| h.json()["entry"][0]["id"].clone())
        .collect();
    assert_eq!(
        wabas,
        [
            wa_mock::DEFAULT_WABA_ID,
            wa_mock::ELIGIBLE_WABA_ID,
            wa_mock::MSC_WABA_ID
        ]
    );
    for hit in &hits {
        assert!(matches!(
            assert_signed_and_typed(hit),
            ChangeValue::BusinessCapability(_)
        ));
        assert_eq!(
            value(hit),
            json!({"max_daily_conversation_per_phone": 10000,
                "max_daily_conversations_per_business": 10000,
                "max_phone_numbers_per_business": 20})
        );
    }
}

#[tokio::test]
async fn account_events_carry_the_object_meta_sends_with_each() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    let events = [
        json!({"event": "VERIFIED_ACCOUNT"}),
        json!({"event": "ACCOUNT_RESTRICTION", "restriction_seconds": 3600,
            "restriction_types": ["RESTRICTED_ADD_PHONE_NUMBER_ACTION",
                "RESTRICTED_CUSTOMER_INITIATED_MESSAGING"]}),
        json!({"event": "DISABLED_UPDATE", "ban_state": "SCHEDULE_FOR_DISABLE"}),
        json!({"event": "PARTNER_REMOVED", "reason": "CHANGE_NUMBER"}),
        json!({"event": "ACCOUNT_DELETED"}),
    ];
    for event in &events {
        let raised = app.account_event(WABA, event).await;
        assert_eq!(raised.body, json!({"success": true}), "{event}");
    }
    app.advance(0).await;

    let hits = posts_of(&receiver, "account_update");
    assert_eq!(hits.len(), events.len());
    for hit in &hits {
        assert!(matches!(
            assert_signed_and_typed(hit),
            ChangeValue::AccountUpdate(_)
        ));
        assert_eq!(hit.json()["entry"][0]["id"], WABA);
        assert_eq!(hit.json()["entry"][0]["time"], START);
    }
    let values: Vec<Value> = hits.iter().map(value).collect();
    assert_eq!(
        values,
        [
            json!({"event": "VERIFIED_ACCOUNT", "phone_number": DISPLAY}),
            json!({"event": "ACCOUNT_RESTRICTION", "restriction_info": [
                {"restriction_type": "RESTRICTED_ADD_PHONE_NUMBER_ACTION",
                    "expiration": START + 3600},
                {"restriction_type": "RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
                    "expiration": START + 3600}]}),
            json!({"event": "DISABLED_UPDATE", "ban_info": {
                "waba_ban_state": "SCHEDULE_FOR_DISABLE", "waba_ban_date": "December 1, 2026"}}),
            json!({"event": "PARTNER_REMOVED",
                "waba_info": {"waba_id": WABA,
                    "owner_business_id": wa_mock::DEFAULT_BUSINESS_ID},
                "disconnection_info": {"reason": "CHANGE_NUMBER", "initiated_by": "USER"}}),
            json!({"event": "ACCOUNT_DELETED"}),
        ]
    );
}

#[tokio::test]
async fn an_account_event_with_a_bad_field_is_refused_naming_it_and_sends_nothing() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;

    for (body, field) in [
        (json!({"event": "ACCOUNT_SUSPENDED"}), "event:"),
        (json!({"event": "MM_LITE_TERMS_SIGNED"}), "event:"),
        (
            json!({"event": "VERIFIED_ACCOUNT", "ban_state": "DISABLE"}),
            "ban_state:",
        ),
        (
            json!({"event": "DISABLED_UPDATE", "ban_state": "BANNED"}),
            "ban_state:",
        ),
        (
            json!({"event": "ACCOUNT_RESTRICTION", "restriction_types": []}),
            "restriction_types:",
        ),
        (
            json!({"event": "ACCOUNT_RESTRICTION", "restriction_types": ["NO_ADS"]}),
            "restriction_types:",
        ),
        (
            json!({"event": "PARTNER_REMOVED", "initiated_by": "ADMIN"}),
            "initiated_by:",
        ),
        (
            json!({"event": "VERIFIED_ACCOUNT", "phone_number_id": crate::helpers::ELIGIBLE_PHONE}),
            "phone_number_id:",
        ),
    ] {
        let refused = app.account_event(WABA, &body).await;
        assert_eq!((refused.status, refused.code()), (400, 100), "{body}");
        assert!(refused.details().starts_with(field), "{}", refused.body);
    }
    let unknown = app
        .account_event("999", &json!({"event": "ACCOUNT_DELETED"}))
        .await;
    assert_eq!((unknown.status, unknown.code()), (400, 100));
    app.advance(0).await;

    assert!(posts_of(&receiver, "account_update").is_empty());
}

#[tokio::test]
async fn a_user_changing_number_is_told_from_the_old_one_and_later_sends_reach_the_new_one() {
    let receiver = Receiver::ok().await;
    let app = app_delivering_to(&receiver).await;
    app.put_recipient("14165551234", &json!({"name": "Pablo"}))
        .await;
    let user_id = app.get("/__admin/recipients").await.body["data"][0]["user_id"].clone();

    let changed = app
        .post(
            "/__admin/recipients/14165551234/wa_id",
            &json!({"wa_id": "+1 416-555-9876"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(changed.body["phone"], "14165559876");
    assert_eq!(changed.body["user_id"], user_id);
    assert_eq!(changed.body["profile"]["name"], "Pablo");
    app.advance(0).await;

    let system = posts_of(&receiver, "messages");
    assert_eq!(system.len(), 1);
    assert_well_formed(&system[0], SECRET, PayloadKind::InboundMessageWebhook);
    let system = value(&system[0]);
    assert!(
        system.get("contacts").is_none(),
        "system messages have no contacts"
    );
    let message = &system["messages"][0];
    assert_eq!(message["from"], "14165551234");
    assert_eq!(message["type"], "system");
    assert_eq!(
        message["system"],
        json!({"body": "User Pablo changed from 14165551234 to 14165559876",
            "wa_id": "14165559876", "type": "user_changed_number"})
    );

    app.send_marketing_message(PHONE, &promo_to("14165559876"))
        .await;
    app.advance(0).await;
    let (status, contacts) = statuses(&receiver).pop().unwrap();
    assert_eq!(status["recipient_id"], "14165559876");
    assert_eq!(status["recipient_user_id"], user_id);
    assert_eq!(contacts[0]["profile"]["name"], "Pablo");

    for (body, field) in [
        (json!({"wa_id": "14165559876"}), "wa_id:"),
        (json!({"wa_id": "call me"}), "wa_id:"),
    ] {
        let refused = app
            .post("/__admin/recipients/14165559876/wa_id", &body)
            .await;
        assert_eq!((refused.status, refused.code()), (400, 100), "{body}");
        assert!(refused.details().starts_with(field), "{}", refused.body);
    }
}
