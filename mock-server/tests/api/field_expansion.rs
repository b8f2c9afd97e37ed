//! Graph's field expansion (edges nested in `fields=`, with `.limit(n)` and `{sub,fields}`),
//! the template node's documented fields, and countries from libphonenumber as the API shows
//! them: BSUIDs, the US marketing block and the phone number node.

use serde_json::json;

use crate::helpers::{PHONE, WABA, promo_to, spawn_app, template_send, wamid};

const TEMPLATE: &str = "100000000000031";

/// A cursor as the mock writes it: the id's bytes in hex.
fn cursor(id: &str) -> String {
    id.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn the_waba_node_answers_its_edges_nested_with_limits_and_sub_fields() {
    let app = spawn_app().await;

    let node = app
        .get(&format!(
            "/v25.0/{WABA}?fields=name,phone_numbers{{display_phone_number}},\
             message_templates.limit(2){{name,status}},subscribed_apps"
        ))
        .await;

    assert_eq!(node.status, 200, "{}", node.body);
    let (first, second) = ("100000000000031", "100000000000032");
    assert_eq!(
        node.body,
        json!({
            "id": WABA,
            "name": "Jasper's Market",
            "phone_numbers": {
                "data": [{"id": PHONE, "display_phone_number": "+1 555-010-0021"}],
                "paging": {"cursors": {"before": cursor(PHONE), "after": cursor(PHONE)}},
            },
            "message_templates": {
                "data": [
                    {"id": first, "name": "seasonal_promo", "status": "APPROVED"},
                    {"id": second, "name": "order_update", "status": "APPROVED"},
                ],
                "paging": {
                    "cursors": {"before": cursor(first), "after": cursor(second)},
                    "next": format!(
                        "/v25.0/{WABA}/message_templates?limit=2&after={}",
                        cursor(second)
                    ),
                },
            },
            "subscribed_apps": {"data": [], "paging": {}},
        })
    );
}

#[tokio::test]
async fn the_phone_node_formats_its_number_and_names_its_country() {
    let app = spawn_app().await;

    let node = app
        .get(&format!(
            "/v25.0/{PHONE}?fields=display_phone_number,country_code,country_dial_code,status"
        ))
        .await;

    assert_eq!(
        node.body,
        json!({"id": PHONE, "display_phone_number": "+1 555-010-0021", "country_code": "US",
            "country_dial_code": "1", "status": "CONNECTED"})
    );
}

#[tokio::test]
async fn the_template_node_answers_metas_documented_fields() {
    let app = spawn_app().await;

    let node = app
        .get(&format!(
            "/v25.0/{TEMPLATE}?fields=name,quality_score,cta_url_link_tracking_opted_out,\
             sub_category,library_template_name,correct_category"
        ))
        .await;

    assert_eq!(node.status, 200, "{}", node.body);
    let score = &node.body["quality_score"];
    assert!(score["date"].is_i64(), "{score}");
    assert_eq!(
        node.body,
        json!({"id": TEMPLATE, "name": "seasonal_promo",
            "quality_score": {"score": score["score"], "date": score["date"]},
            "cta_url_link_tracking_opted_out": false})
    );
    assert!(
        ["GREEN", "YELLOW", "RED", "UNKNOWN"].contains(&score["score"].as_str().unwrap()),
        "{score}"
    );
}

#[tokio::test]
async fn bad_field_syntax_is_a_100_naming_the_field() {
    let app = spawn_app().await;
    for (fields, details) in [
        (
            "phone_numbers.limit(x)",
            "fields: phone_numbers.limit(x): expected an integer from 1 to 100, found 'x'",
        ),
        (
            "message_templates{name",
            "fields: expected '}', found the end",
        ),
        (
            "name.limit(2)",
            "fields: name.limit(): name is a field of WhatsAppBusinessAccount, not an edge",
        ),
        (
            "phone_numbers{no_such_field}",
            "Tried accessing nonexisting field (no_such_field) on node type \
             (WhatsAppBusinessPhoneNumber)",
        ),
    ] {
        let answer = app.get(&format!("/v25.0/{WABA}?fields={fields}")).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 100),
            "{fields}: {}",
            answer.body
        );
        assert_eq!(answer.details(), details, "{fields}");
    }
}

#[tokio::test]
async fn bsuids_carry_the_country_of_the_number_by_area_code() {
    let app = spawn_app().await;
    for (phone, country) in [
        ("16505551234", "US"),
        ("14165551234", "CA"),
        ("18765551234", "JM"),
        ("447700900123", "GB"),
    ] {
        let recipient = app.put_recipient(phone, &json!({})).await;
        let user_id = recipient.body["user_id"].as_str().unwrap_or_default();
        assert!(
            user_id.starts_with(&format!("{country}.")) && user_id.len() == 23,
            "{phone}: {user_id}"
        );
    }
}

#[tokio::test]
async fn meta_blocks_marketing_to_the_us_and_its_territories_but_not_canada_or_the_caribbean() {
    let app = spawn_app().await;
    let mut sent = Vec::new();
    for phone in ["16505551234", "17875551234", "14165551234", "18765551234"] {
        sent.push((
            phone,
            wamid(&app.send_marketing_message(PHONE, &promo_to(phone)).await),
        ));
    }
    app.advance(60).await;

    for (phone, id) in sent {
        let blocked = ["16505551234", "17875551234"].contains(&phone);
        let expected: &[&str] = if blocked {
            &["failed"]
        } else {
            &["sent", "delivered", "read"]
        };
        assert_eq!(app.statuses(&id).await, expected, "{phone}");
    }
}

#[tokio::test]
async fn a_number_no_country_can_hold_is_accepted_then_fails_as_undeliverable() {
    let app = spawn_app().await;
    // Ten digits under +1 and an unassigned calling code: no number has either shape.
    let mut sent = Vec::new();
    for phone in ["1650555123", "9991234567"] {
        let answer = app.send_marketing_message(PHONE, &promo_to(phone)).await;
        assert_eq!(answer.status, 200, "{phone}: {}", answer.body);
        sent.push(wamid(&answer));
    }
    let utility = app
        .send_message(PHONE, &template_send("1650555123", "order_update", &["#1"]))
        .await;
    sent.push(wamid(&utility));
    app.advance(60).await;

    for id in &sent {
        assert_eq!(
            app.message(id).await["statuses"],
            json!([{"status": "failed", "at": "2026-12-01T00:00:01.000Z",
                    "error": "message_undeliverable", "code": 131026,
                    "title": "Message undeliverable"}])
        );
    }
}

#[tokio::test]
async fn a_world_file_gives_a_template_its_sub_category_and_library_name() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/world/example.toml");
    let app = crate::helpers::spawn_app_with(wa_mock::Config::default().world_file(path)).await;
    let state = app.get("/__admin/state").await.body;
    let id = state["templates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "weekly_deals")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let asked = app
        .get(&format!(
            "/v25.0/{id}?fields=name,sub_category,library_template_name"
        ))
        .await;
    let plain = app.get(&format!("/v25.0/{id}")).await;

    assert_eq!(
        asked.body,
        json!({"name": "weekly_deals", "sub_category": "ORDER_STATUS",
               "library_template_name": "weekly_deals_v2", "id": id})
    );
    assert!(
        plain.body.get("sub_category").is_none(),
        "only when asked for"
    );
}
