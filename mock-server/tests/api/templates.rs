//! Template creation, review on the clock, validations, listing and deletion.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_created_template_is_pending_until_the_review_approves_it() {
    let app = spawn_app().await;
    let answer = app
        .create_template(
            WABA,
            &json!({"name": "spring_sale", "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Hi {{1}}", "example": {"body_text": [["Ann"]]}}]}),
        )
        .await;
    let id = answer.body["id"].as_str().unwrap().to_owned();
    assert_eq!(
        answer.body,
        json!({"id": id, "status": "PENDING", "category": "MARKETING"})
    );
    app.advance(59).await;
    assert_eq!(app.get(&format!("/{id}")).await.body["status"], "PENDING");
    app.advance(1).await;
    assert_eq!(app.get(&format!("/{id}")).await.body["status"], "APPROVED");
    let events: Vec<_> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status")
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events, ["PENDING", "APPROVED"]);
}

#[tokio::test]
async fn create_time_validations_answer_metas_codes() {
    let app = spawn_app().await;
    let bad_name = app
        .create_template(
            WABA,
            &json!({"name": "Bad Name", "language": "en_US", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!((bad_name.status, bad_name.code()), (400, 100));
    assert!(
        bad_name.details().starts_with("name:"),
        "{}",
        bad_name.details()
    );

    let duplicate = app
        .create_template(
            WABA,
            &json!({"name": "seasonal_promo", "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(duplicate.body["error"]["error_subcode"], 2388024);

    let no_example = app
        .create_template(
            WABA,
            &json!({"name": "needs_example", "language": "en_US", "category": "MARKETING",
            "components": [{"type": "BODY", "text": "Hi {{1}}"}]}),
        )
        .await;
    assert_eq!(no_example.body["error"]["error_subcode"], 2388043);

    let ttl = app
        .create_template(
            WABA,
            &json!({"name": "short_ttl", "language": "en_US", "category": "MARKETING",
            "message_send_ttl_seconds": 600, "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(ttl.code(), 100);
    assert!(ttl.details().contains("43200"), "{}", ttl.details());
}

#[tokio::test]
async fn a_waba_holds_at_most_250_templates() {
    let app = spawn_app().await;
    for i in 0..247 {
        // At most 100 creations an hour.
        if i % 100 == 99 {
            app.advance(3600).await;
        }
        let body = json!({"name": format!("t{i}"), "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]});
        assert_eq!(app.create_template(WABA, &body).await.status, 200);
    }
    let over = app
        .create_template(
            WABA,
            &json!({"name": "one_too_many", "language": "en", "category": "UTILITY",
            "components": [{"type": "BODY", "text": "x"}]}),
        )
        .await;
    assert_eq!(over.code(), 2388019);
}

#[tokio::test]
async fn listing_filters_and_pages_with_cursors() {
    let app = spawn_app().await;
    let marketing = app.list_templates(WABA, "category=MARKETING").await;
    assert_eq!(marketing.body["data"].as_array().unwrap().len(), 1);
    let first = app.list_templates(WABA, "limit=2&fields=name").await;
    assert_eq!(
        first.body["data"],
        json!([{"id": "100000000000031", "name": "seasonal_promo"}, {"id": "100000000000032", "name": "order_update"}])
    );
    let after = first.body["paging"]["cursors"]["after"].as_str().unwrap();
    assert!(
        first.body["paging"]["next"]
            .as_str()
            .unwrap()
            .contains(after)
    );
    let second = app
        .list_templates(WABA, &format!("limit=2&fields=name&after={after}"))
        .await;
    assert_eq!(
        second.body["data"],
        json!([{"id": "100000000000033", "name": "login_code"}])
    );
    assert!(second.body["paging"].get("next").is_none());
    let before = second.body["paging"]["cursors"]["before"].as_str().unwrap();
    let back = app
        .list_templates(WABA, &format!("limit=2&fields=name&before={before}"))
        .await;
    assert_eq!(back.body["data"], first.body["data"]);
}

#[tokio::test]
async fn templates_are_deleted_by_name_or_by_hsm_id() {
    let app = spawn_app().await;
    let wrong = app
        .delete_templates(WABA, "name=seasonal_promo&hsm_id=1")
        .await;
    assert_eq!(wrong.code(), 100);
    let ok = app
        .delete_templates(WABA, "name=seasonal_promo&hsm_id=100000000000031")
        .await;
    assert_eq!(ok.body, json!({"success": true}));
    assert_eq!(
        app.delete_templates(WABA, "name=order_update").await.status,
        200
    );
    let left = app.list_templates(WABA, "").await;
    assert_eq!(left.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn rejection_rules_from_the_world_file_reject_at_review() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
    let id = app.create_promo(&waba, "reject_me_please").await;
    app.advance(30).await;
    let node = app.get(&format!("/{id}")).await;
    assert_eq!(node.body["status"], "REJECTED");
    assert_eq!(node.body["rejected_reason"], "INVALID_FORMAT");
}

#[tokio::test]
async fn ttl_ranges_are_enforced_per_category_with_metas_bounds() {
    let app = spawn_app().await;
    let create = |name: &str, category: &str, ttl: i64| {
        json!({"name": name, "language": "en_US", "category": category,
            "message_send_ttl_seconds": ttl, "components": [{"type": "BODY", "text": "x"}]})
    };
    let cases = [
        ("auth_short", "AUTHENTICATION", 29, 400),
        ("auth_ok", "AUTHENTICATION", 900, 200),
        ("auth_long", "AUTHENTICATION", 901, 400),
        ("util_ok", "UTILITY", 43_200, 200),
        ("util_long", "UTILITY", 43_201, 400),
        ("util_unlimited", "UTILITY", -1, 200),
        ("mkt_short", "MARKETING", 43_199, 400),
        ("mkt_ok", "MARKETING", 2_592_000, 200),
        ("mkt_unlimited", "MARKETING", -1, 400),
    ];
    for (name, category, ttl, status) in cases {
        let answer = app
            .create_template(WABA, &create(name, category, ttl))
            .await;

        assert_eq!(answer.status, status, "{name}: {}", answer.body);
        if status == 400 {
            assert_eq!(answer.code(), 100);
            assert!(
                answer.details().contains("message_send_ttl_seconds"),
                "{name}: {}",
                answer.details()
            );
        }
    }
}

#[tokio::test]
async fn a_custom_marketing_ttl_applies_on_the_mm_route_only() {
    let app = spawn_app().await;
    for waba in [WABA, ELIGIBLE_WABA] {
        let created = app
            .create_template(
                waba,
                &json!({"name": "half_day", "language": "en_US", "category": "MARKETING",
                    "message_send_ttl_seconds": 43_200,
                    "components": [{"type": "BODY", "text": "Deals"}]}),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
    }
    app.advance(11 * 60).await;
    let body = template_send("14165551234", "half_day", &[]);

    let mm = wamid(&app.send_marketing_message(PHONE, &body).await);
    let cloud = wamid(&app.send_marketing_message(ELIGIBLE_PHONE, &body).await);

    assert_eq!(app.message(&mm).await["ttl_seconds"], 43_200);
    assert_eq!(app.message(&cloud).await["route"], "cloud_api");
    assert_eq!(app.message(&cloud).await["ttl_seconds"], 2_592_000);
}

#[tokio::test]
async fn an_edit_changes_the_template_and_a_refused_edit_changes_nothing() {
    let app = spawn_app().await;
    let bad = app
        .post(
            "/v25.0/100000000000032",
            &json!({"components": [{"type": "BODY", "text": "Order {{1}} is {{2}}"}],
                "message_send_ttl_seconds": 999_999}),
        )
        .await;
    let good = app
        .post(
            "/v25.0/100000000000032",
            &json!({"message_send_ttl_seconds": 3600}),
        )
        .await;

    assert_eq!((bad.status, bad.code()), (400, 100));
    assert_eq!(good.body, json!({"success": true}));
    let node = app
        .get("/v25.0/100000000000032?fields=components,message_send_ttl_seconds")
        .await;
    assert_eq!(node.body["message_send_ttl_seconds"], 3600);
    assert_eq!(
        node.body["components"][0]["text"],
        "Your order {{1}} has shipped."
    );
}

#[tokio::test]
async fn an_admin_status_change_is_announced_and_decides_what_a_send_answers() {
    let app = spawn_app().await;
    let body = promo_to("14165551234");
    let mut seen = Vec::new();
    for status in ["PENDING", "REJECTED", "PAUSED", "DISABLED", "APPROVED"] {
        let set = app.set_template_status("100000000000031", status).await;
        assert_eq!(set.body, json!({"id": "100000000000031", "status": status}));

        let answer = app.send_marketing_message(PHONE, &body).await;

        seen.push((status, answer.status, answer.code()));
        assert_eq!(
            app.get("/v25.0/100000000000031").await.body["status"],
            status
        );
    }
    assert_eq!(
        seen,
        [
            ("PENDING", 400, 132001),
            ("REJECTED", 400, 132001),
            ("PAUSED", 400, 132015),
            ("DISABLED", 400, 132016),
            ("APPROVED", 200, 0)
        ]
    );
    let announced: Vec<String> = app
        .events()
        .await
        .into_iter()
        .filter(|e| e["type"] == "template_status")
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        announced,
        ["PENDING", "REJECTED", "PAUSED", "DISABLED", "APPROVED"]
    );
}

#[tokio::test]
async fn listing_filters_by_status_language_and_name() {
    let app = spawn_app().await;
    app.set_template_status("100000000000033", "PAUSED").await;
    let names = |answer: &Answer| -> Vec<String> {
        answer.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };

    let paused = app.list_templates(WABA, "status=PAUSED&fields=name").await;
    let approved = app
        .list_templates(
            WABA,
            "status=APPROVED&category=MARKETING,UTILITY&fields=name",
        )
        .await;
    let by_name = app.list_templates(WABA, "name=order&fields=name").await;
    let other_language = app.list_templates(WABA, "language=pt_BR").await;
    let bad_limit = app.list_templates(WABA, "limit=zero").await;

    assert_eq!(names(&paused), ["login_code"]);
    assert_eq!(names(&approved), ["seasonal_promo", "order_update"]);
    assert_eq!(names(&by_name), ["order_update"]);
    assert_eq!(other_language.body["data"], json!([]));
    assert_eq!((bad_limit.status, bad_limit.code()), (400, 100));
    assert!(bad_limit.details().starts_with("limit:"));
}

#[tokio::test]
async fn a_content_rejection_rule_rejects_at_review_with_its_reason() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let waba = state["wabas"][0]["id"].as_str().unwrap().to_owned();
    // The example world rejects templates whose text contains "free money" as SCAM.
    let created = app
        .create_template(
            &waba,
            &json!({"name": "windfall", "language": "en_US", "category": "MARKETING",
                "components": [{"type": "BODY", "text": "Claim your FREE MONEY, {{1}}!",
                    "example": {"body_text": [["Ann"]]}}]}),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    app.advance(30).await;
    let node = app.get(&format!("/{id}")).await;
    assert_eq!(node.body["status"], "REJECTED");
    assert_eq!(node.body["rejected_reason"], "SCAM");
}
