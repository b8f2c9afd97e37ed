//! §11 Meta's changelog on the clock: each dated change on both sides of its date, and the
//! changes in force as `GET /__admin/clock` lists them.

use serde_json::{Value, json};

use crate::helpers::*;

/// A sandbox whose clock starts at `day`, as a client of the same server.
async fn sandbox_on(app: &TestApp, day: &str) -> (TestApp, Value) {
    let created = app
        .post("/__admin/sandboxes", &json!({"clock_start": day}))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let token = created.body["token"].as_str().unwrap().to_owned();
    (app.with_token(&token), created.body["state"].clone())
}

/// The onboarded WABA's phone number id in a sandbox's state.
fn mm_phone(state: &Value) -> String {
    state["phone_numbers"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn marketing_to_a_us_number_is_accepted_then_fails_with_131049_since_2025_04_01() {
    let app = spawn_app().await;
    let us = wamid(
        &app.send_marketing_message(PHONE, &promo_to("+1 650 555 1234"))
            .await,
    );
    let canada = wamid(
        &app.send_marketing_message(PHONE, &promo_to("14165551234"))
            .await,
    );
    let utility = wamid(
        &app.send_message(
            PHONE,
            &template_send("16505551234", "order_update", &["#1"]),
        )
        .await,
    );
    let fallback = wamid(
        &app.send_marketing_message(ELIGIBLE_PHONE, &promo_to("16505551234"))
            .await,
    );
    app.advance(60).await;

    for id in [&us, &fallback] {
        assert_eq!(
            app.message(id).await["statuses"],
            json!([{"status": "failed", "at": "2026-12-01T00:00:01.000Z",
                    "error": "ecosystem_engagement", "code": 131049,
                    "title": "This message was not delivered to maintain healthy ecosystem engagement."}])
        );
    }
    assert_eq!(app.statuses(&canada).await, ["sent", "delivered", "read"]);
    assert_eq!(app.statuses(&utility).await, ["sent", "delivered", "read"]);

    // The day before Meta stopped delivering marketing to US numbers (v22.0 was current).
    let (early, state) = sandbox_on(&app, "2025-03-31T00:00:00Z").await;
    let phone = mm_phone(&state);
    let sent = early
        .post(
            &format!("/v22.0/{phone}/marketing_messages"),
            &promo_to("16505551234"),
        )
        .await;
    let id = wamid(&sent);
    early.advance(60).await;
    assert_eq!(early.statuses(&id).await, ["sent", "delivered", "read"]);
}

#[tokio::test]
async fn marketing_templates_on_messages_are_refused_from_the_2027_10_13_sunset() {
    let app = spawn_app().await;
    for (day, expected) in [
        ("2027-10-12T23:59:59Z", None),
        ("2027-10-13T00:00:00Z", Some(131063)),
    ] {
        let (sandbox, state) = sandbox_on(&app, day).await;
        let phone = mm_phone(&state);
        let answer = sandbox
            .send_message(
                &phone,
                &template_send("14165551234", "seasonal_promo", &["Ann"]),
            )
            .await;
        match expected {
            None => assert_eq!(answer.status, 200, "{day}: {}", answer.body),
            Some(code) => {
                assert_eq!((answer.status, answer.code()), (400, code), "{day}");
                // The MM API still takes them.
                let mm = sandbox
                    .send_marketing_message(&phone, &promo_to("14165551234"))
                    .await;
                assert_eq!(mm.status, 200, "{}", mm.body);
            }
        }
        let utility = sandbox
            .send_message(
                &phone,
                &template_send("14165551234", "order_update", &["#1"]),
            )
            .await;
        assert_eq!(utility.status, 200, "{day}: {}", utility.body);
    }
}

#[tokio::test]
async fn the_clock_lists_the_changes_in_force_on_its_day_and_the_versions_served() {
    let app = spawn_app().await;
    let (early, _) = sandbox_on(&app, "2026-02-01T00:00:00Z").await;
    let clock = early.get("/__admin/clock").await;
    assert_eq!(clock.status, 200, "{}", clock.body);
    let ids: Vec<&str> = clock.body["changes_in_force"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "us_marketing_undeliverable",
            "per_user_marketing_limit",
            "portfolio_pacing",
            "bulk_template_delete",
            "msc_on_mm_api"
        ]
    );
    assert_eq!(
        clock.body["changes_in_force"][4],
        json!({
            "id": "msc_on_mm_api",
            "date": "2026-01-29",
            "switches": "Multi-solution conversation (MSC) businesses send through the MM API. \
                Before: STRICT refuses them with 134102 and CLOUD_API_FALLBACK routes them to the \
                Cloud API.",
            "source": "Meta, Marketing Messages API changelog, 2026-01-29",
            "invented": false
        })
    );
    assert_eq!(
        clock.body["graph_versions"],
        json!(["v19.0", "v20.0", "v21.0", "v22.0", "v23.0", "v24.0"])
    );

    let now = app.get("/__admin/clock").await.body;
    let ids: Vec<&str> = now["changes_in_force"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "us_marketing_undeliverable",
            "per_user_marketing_limit",
            "portfolio_pacing",
            "bulk_template_delete",
            "msc_on_mm_api",
            "creative_optimisations_off_by_default",
            "optimization_spec",
            "messaging_accounts",
            "bid_spec_unsupported",
            "utility_billed_in_window"
        ]
    );
    assert_eq!(
        now["graph_versions"],
        json!([
            "v21.0", "v22.0", "v23.0", "v24.0", "v25.0", "v26.0", "v27.0"
        ])
    );

    // Advancing the clock past a date brings the change into force.
    let (before, _) = sandbox_on(&app, "2027-10-12T23:59:00Z").await;
    before.advance(60).await;
    let later = before.get("/__admin/clock").await.body;
    assert_eq!(
        later["changes_in_force"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["id"],
        "cloud_api_marketing_sunset"
    );
    assert_eq!(
        later["changes_in_force"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["invented"],
        true
    );
}

/// A MARKETING template create with a max price under `field`.
fn priced(name: &str, field: &str, category: &str) -> Value {
    let mut body = json!({"name": name, "language": "en_US", "category": category,
        "components": [{"type": "BODY", "text": "Hello"}]});
    body[field] = json!({"bid_amount": 2500, "bid_strategy": "LOWEST_COST_WITH_BID_CAP"});
    body
}

#[tokio::test]
async fn a_max_price_is_set_as_optimization_spec_read_back_edited_and_refused_to_a_bsuid() {
    let app = spawn_app().await;
    let created = app
        .create_template(
            WABA,
            &priced("max_price_promo", "optimization_spec", "MARKETING"),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let node = app
        .get(&format!("/v24.0/{id}?fields=optimization_spec"))
        .await;
    assert_eq!(
        node.body,
        json!({"id": id, "optimization_spec":
            {"bid_amount": 2500, "bid_strategy": "LOWEST_COST_WITH_BID_CAP"}})
    );

    let edited = app
        .post(
            &format!("/v24.0/{id}"),
            &json!({"optimization_spec": {"bid_amount": 3000, "bid_strategy": "LOWEST_COST_WITH_BID_CAP"}}),
        )
        .await;
    assert_eq!(edited.body, json!({"success": true}));
    let node = app
        .get(&format!("/v24.0/{id}?fields=optimization_spec"))
        .await;
    assert_eq!(node.body["optimization_spec"]["bid_amount"], 3000);

    assert_eq!(app.set_template_status(&id, "APPROVED").await.status, 200);
    let mut to_bsuid = template_send("14165551234", "max_price_promo", &[]);
    to_bsuid.as_object_mut().unwrap().remove("to");
    to_bsuid["recipient"] = json!("CA.13491208655302741918");
    let refused = app.send_marketing_message(PHONE, &to_bsuid).await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, 131062),
        "{}",
        refused.body
    );
    assert!(
        refused.details().contains("optimization_spec"),
        "{}",
        refused.body
    );
    // Past the new template's ad sync.
    app.advance(11 * 60).await;
    let by_phone = app
        .send_marketing_message(PHONE, &template_send("14165551234", "max_price_promo", &[]))
        .await;
    assert_eq!(by_phone.status, 200, "{}", by_phone.body);
}

#[tokio::test]
async fn bid_spec_is_taken_until_2026_07_31_and_optimization_spec_from_2026_06_18() {
    let app = spawn_app().await;
    let cases = [
        ("2026-06-17T00:00:00Z", "optimization_spec", 400),
        ("2026-06-17T00:00:00Z", "bid_spec", 200),
        ("2026-06-18T00:00:00Z", "optimization_spec", 200),
        ("2026-07-31T23:59:59Z", "bid_spec", 200),
        ("2026-08-01T00:00:00Z", "bid_spec", 400),
        ("2026-08-01T00:00:00Z", "optimization_spec", 200),
    ];
    for (day, field, status) in cases {
        let (sandbox, state) = sandbox_on(&app, day).await;
        let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
        let before = sandbox.get("/__admin/state").await.body["templates"].clone();
        let answer = sandbox
            .create_template(&waba, &priced("priced_promo", field, "MARKETING"))
            .await;
        assert_eq!(answer.status, status, "{day} {field}: {}", answer.body);
        if status == 400 {
            assert_eq!(answer.code(), 100);
            assert!(answer.details().starts_with(field), "{}", answer.body);
            let after = sandbox.get("/__admin/state").await.body["templates"].clone();
            assert_eq!(before, after, "a refused create changes nothing");
        } else {
            let id = answer.body["id"].as_str().unwrap();
            let node = sandbox.get(&format!("/v24.0/{id}")).await;
            assert_eq!(
                node.body["optimization_spec"]["bid_amount"], 2500,
                "{day} {field}"
            );
        }
    }
}

#[tokio::test]
async fn a_max_price_on_a_utility_template_or_a_malformed_one_is_refused_naming_the_field() {
    let app = spawn_app().await;
    let utility = app
        .create_template(
            WABA,
            &priced("priced_utility", "optimization_spec", "UTILITY"),
        )
        .await;
    assert_eq!((utility.status, utility.code()), (400, 100));
    assert_eq!(
        utility.details(),
        "optimization_spec: a max price applies to MARKETING templates only, found UTILITY"
    );
    let mut body = priced("priced_bad", "optimization_spec", "MARKETING");
    body["optimization_spec"]["bid_amount"] = json!(-5);
    let negative = app.create_template(WABA, &body).await;
    assert_eq!((negative.status, negative.code()), (400, 100));
    assert_eq!(
        negative.details(),
        "optimization_spec.bid_amount: expected a positive integer (the price per 1,000 \
         deliveries), found -5"
    );
}

#[tokio::test]
async fn utility_templates_in_the_window_are_free_until_2026_10_01_then_regular() {
    let app = spawn_app().await;
    for (day, priced) in [
        ("2026-09-30T00:00:00Z", "free_customer_service"),
        ("2026-10-01T00:00:00Z", "regular"),
    ] {
        let (sandbox, state) = sandbox_on(&app, day).await;
        let phone = mm_phone(&state);
        let inbound = sandbox
            .post(
                "/__admin/inbound",
                &json!({"from": "14165551234", "text": "hi"}),
            )
            .await;
        assert_eq!(inbound.status, 200, "{}", inbound.body);
        let id = wamid(
            &sandbox
                .send_message(
                    &phone,
                    &template_send("14165551234", "order_update", &["#1"]),
                )
                .await,
        );
        assert_eq!(sandbox.message(&id).await["pricing_type"], priced, "{day}");
    }
}

#[tokio::test]
async fn the_2025_and_2026_marketing_codes_are_in_the_catalogue_and_answer_as_faults() {
    let app = spawn_app().await;
    for (key, code, message) in [
        ("spam_rate_limit", 131048, "Spam rate limit hit"),
        (
            "user_in_experiment",
            130472,
            "User's number is part of an experiment",
        ),
        (
            "marketing_message_not_sent",
            134103,
            "Marketing message not sent",
        ),
        ("re_engagement", 131047, "Re-engagement message"),
    ] {
        let armed = app
            .post(
                "/__admin/faults",
                &json!({"path": "marketing_messages", "count": 1,
                    "action": {"type": "error", "error": key}}),
            )
            .await;
        assert_eq!(armed.status, 200, "{key}: {}", armed.body);
        let answer = app
            .send_marketing_message(PHONE, &promo_to("14165551234"))
            .await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, code),
            "{key}: {}",
            answer.body
        );
        assert!(
            answer.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(message),
            "{key}: {}",
            answer.body
        );
    }
}

#[tokio::test]
async fn template_ids_are_bulk_deleted_by_hsm_ids_since_2025_12_18() {
    let app = spawn_app().await;
    for (day, deleted) in [
        ("2025-12-17T23:59:59Z", false),
        ("2025-12-18T00:00:00Z", true),
    ] {
        let (sandbox, state) = sandbox_on(&app, day).await;
        let waba = state["wabas"][0]["id"].as_str().unwrap();
        let template = state["templates"][0]["id"].as_str().unwrap();
        let answer = sandbox
            .delete_templates(waba, &format!("hsm_ids=[{template}]"))
            .await;
        if deleted {
            assert_eq!(answer.body, json!({"success": true}), "{day}");
        } else {
            // Before, Graph did not know hsm_ids and still wanted a name.
            assert_eq!((answer.status, answer.code()), (400, 100), "{day}");
            assert_eq!(answer.details(), "name: the parameter name is required");
        }
    }
}

#[tokio::test]
async fn a_paced_portfolio_holds_template_sends_only_from_2025_12_08() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/world/portfolio_pacing.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let (early, state) = sandbox_on(&app, "2025-12-07T23:59:00Z").await;
    let phone = mm_phone(&state);
    let business = state["businesses"][0]["id"].as_str().unwrap().to_owned();
    // login_code is AUTHENTICATION, never template-paced: only the portfolio can hold it.
    let login = |to: &str| template_send(to, "login_code", &["123"]);
    let status = |a: &Answer| a.body["messages"][0]["message_status"].clone();
    for to in ["14165551001", "14165551002"] {
        let sent = early.send_message(&phone, &login(to)).await;
        assert_eq!(status(&sent), "accepted", "the day before: {}", sent.body);
    }
    let signal = early
        .post(
            &format!("/__admin/businesses/{business}/pacing"),
            &json!({"signal": "bad"}),
        )
        .await;
    assert_eq!(
        signal.details(),
        format!(
            "signal: business {business} is not paced (paced true, under review false, \
             portfolio pacing not in force before 2025-12-08)"
        )
    );

    early.advance(60).await;
    let first = early.send_message(&phone, &login("14165551003")).await;
    let second = early.send_message(&phone, &login("14165551004")).await;
    assert_eq!(
        [status(&first), status(&second)],
        ["accepted", "held_for_quality_assessment"],
        "from 2025-12-08"
    );
}

#[tokio::test]
async fn sends_read_messaging_account_id_from_2026_07_01() {
    let app = spawn_app().await;
    let (early, state) = sandbox_on(&app, "2026-06-30T23:59:00Z").await;
    let phone = mm_phone(&state);
    let naming = |id: &str| {
        let mut body = promo_to("14165551234");
        body["messaging_account_id"] = json!(id);
        body
    };
    let ignored = early.send_marketing_message(&phone, &naming("999")).await;
    assert_eq!(
        ignored.status, 200,
        "not read the day before: {}",
        ignored.body
    );
    let recorded = early.message(&wamid(&ignored)).await;
    assert_eq!(recorded["messaging_account_id"], Value::Null);

    early.advance(60).await;
    let refused = early.send_marketing_message(&phone, &naming("999")).await;
    assert_eq!(
        (refused.status, refused.code()),
        (400, 100),
        "{}",
        refused.body
    );
    assert!(
        refused
            .details()
            .starts_with("messaging_account_id: 999 is not the messaging account"),
        "{}",
        refused.body
    );
}
