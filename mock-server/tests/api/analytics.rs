//! `GET /{waba_id}/template_analytics`: daily counts of the sandbox's own messages, once the
//! WABA enabled insights, and Graph's 100 naming each bad parameter.

use serde_json::json;

use crate::helpers::*;

const DAY_ONE: i64 = 1_796_083_200;

fn analytics_path(query: &str) -> String {
    format!("/v24.0/{WABA}/template_analytics?{query}")
}

#[tokio::test]
async fn template_analytics_count_a_known_campaign_per_day_and_api() {
    let app = spawn_app().await;
    app.enable_insights().await;
    for to in ["14165551234", "14165550007", "14165551026"] {
        app.send_marketing_message(PHONE, &promo_to(to)).await;
    }
    app.advance(86_400).await;
    app.send_marketing_message(PHONE, &promo_to("14165551234"))
        .await;
    app.advance(60).await;

    let query = format!(
        "start={DAY_ONE}&end={}&granularity=DAILY&metric_types=[\"SENT\",\"DELIVERED\",\"READ\",\"CLICKED\"]\
         &template_ids=[\"100000000000031\"]&product_type=MARKETING_MESSAGES_LITE_API",
        DAY_ONE + 86_400 + 3_600
    );
    let answer = app.get(&analytics_path(&query)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"data": [{"granularity": "DAILY", "product_type": "marketing_messages_api_for_whatsapp",
            "data_points": [
                {"template_id": "100000000000031", "start": DAY_ONE, "end": DAY_ONE + 86_400,
                 "sent": 2, "delivered": 2, "read": 1, "clicked": []},
                {"template_id": "100000000000031", "start": DAY_ONE + 86_400,
                 "end": DAY_ONE + 2 * 86_400, "sent": 1, "delivered": 1, "read": 1, "clicked": []}
            ]}],
            "paging": {"cursors": {"before": "", "after": ""}}})
    );

    // The forms of Meta's reference examples: comma-separated lower-case metrics, ids
    // unquoted, the MM API by its current name; the same counts.
    let metas = app
        .get(&analytics_path(&format!(
            "start={DAY_ONE}&end={}&granularity=daily&metric_types=sent,delivered,read,clicked\
             &template_ids=[100000000000031]&product_type=MARKETING_MESSAGES_API_FOR_WHATSAPP",
            DAY_ONE + 86_400 + 3_600
        )))
        .await;
    assert_eq!(metas.body, answer.body);

    // Without product_type: the Cloud API's messages of the template, none here.
    let cloud = app
        .get(&analytics_path(&format!(
            "start={DAY_ONE}&end={DAY_ONE}&metric_types=[\"SENT\"]&template_ids=[100000000000031]"
        )))
        .await;
    assert_eq!(
        cloud.body["data"][0],
        json!({"granularity": "DAILY", "product_type": "cloud_api", "data_points": [
            {"template_id": "100000000000031", "start": DAY_ONE, "end": DAY_ONE + 86_400, "sent": 0}
        ]})
    );
}

#[tokio::test]
async fn template_analytics_refuse_bad_parameters_naming_them_and_need_insights_enabled() {
    let app = spawn_app().await;
    let ids = "template_ids=[\"100000000000031\"]";
    let off = app
        .get(&analytics_path(&format!(
            "start={DAY_ONE}&end={DAY_ONE}&{ids}"
        )))
        .await;
    assert_eq!((off.status, off.code()), (400, 100));
    assert!(
        off.details().starts_with("is_enabled_for_insights:"),
        "{}",
        off.body
    );

    app.enable_insights().await;
    let eleven: Vec<String> = (0..11).map(|i| format!("\"{i}\"")).collect();
    let cases = [
        (
            format!("start={DAY_ONE}&end={DAY_ONE}"),
            "template_ids: the parameter is required".to_owned(),
        ),
        (
            format!(
                "start={DAY_ONE}&end={DAY_ONE}&template_ids=[{}]",
                eleven.join(",")
            ),
            "template_ids: expected 1 to 10 template ids, found 11".to_owned(),
        ),
        (
            format!("start={DAY_ONE}&end={DAY_ONE}&template_ids=[\"100000000000031\""),
            "template_ids: expected a list such as [\"…\",\"…\"], […,…] or …,…, found \
             '[\"100000000000031\"'"
                .to_owned(),
        ),
        (
            format!("start={}&end={DAY_ONE}&{ids}", DAY_ONE + 1),
            format!(
                "start: expected a time no later than end ({DAY_ONE}), found {}",
                DAY_ONE + 1
            ),
        ),
        (
            format!("end={DAY_ONE}&{ids}"),
            "start: the parameter is required".to_owned(),
        ),
        (
            format!("start={DAY_ONE}&end={DAY_ONE}&{ids}&metric_types=[\"VIEWS\"]"),
            "metric_types: expected SENT, DELIVERED, READ, CLICKED or COST, found 'VIEWS'"
                .to_owned(),
        ),
        (
            format!("start={DAY_ONE}&end={DAY_ONE}&{ids}&product_type=ADS"),
            "product_type: expected CLOUD_API or MARKETING_MESSAGES_API_FOR_WHATSAPP, found 'ADS'"
                .to_owned(),
        ),
        (
            format!("start={DAY_ONE}&end={DAY_ONE}&{ids}&granularity=HOURLY"),
            "granularity: expected DAILY, found 'HOURLY'".to_owned(),
        ),
        (
            format!("start=0&end={DAY_ONE}&{ids}"),
            "end: expected at most 90 days after start, found 20788 days".to_owned(),
        ),
    ];
    for (query, details) in cases {
        let answer = app.get(&analytics_path(&query)).await;
        assert_eq!(
            (answer.status, answer.code()),
            (400, 100),
            "{query}: {}",
            answer.body
        );
        assert_eq!(answer.details(), details, "{query}");
    }
}

#[tokio::test]
async fn template_analytics_price_each_delivery_by_the_numbers_country() {
    let app = spawn_app().await;
    app.enable_insights().await;
    // Toronto is Canada's market; Jamaica shares +1 but is none the shipped card lists.
    for to in ["14165551234", "18765551234"] {
        wamid(&app.send_marketing_message(PHONE, &promo_to(to)).await);
    }
    app.advance(60).await;

    let answer = app
        .get(&analytics_path(&format!(
            "start={DAY_ONE}&end={DAY_ONE}&metric_types=[\"COST\"]\
             &template_ids=[\"100000000000031\"]&product_type=MARKETING_MESSAGES_LITE_API"
        )))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["data"][0]["data_points"][0]["cost"],
        json!([
            {"type": "amount_spent", "value": 0.075},
            {"type": "cost_per_delivered", "value": 0.0375}
        ])
    );
}
