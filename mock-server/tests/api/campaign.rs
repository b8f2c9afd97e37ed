//! A whole day of a marketing campaign in manual time.

use crate::helpers::*;

#[tokio::test]
async fn a_campaign_runs_from_creation_through_dormancy_and_re_sync() {
    let app = spawn_app().await;

    // 09:00 the template is created; sends fail until it is approved, then while it syncs.
    let id = app.create_promo(WABA, "black_friday").await;
    let send = || template_send("14165551234", "black_friday", &["Ann"]);
    let pending = app.send_marketing_message(PHONE, &send()).await;
    assert_eq!(pending.code(), 132001, "not approved yet");
    app.advance(60).await;
    assert_eq!(app.get(&format!("/{id}")).await.body["status"], "APPROVED");
    let syncing = app.send_marketing_message(PHONE, &send()).await;
    assert_eq!((syncing.status, syncing.code()), (400, 134101));
    let legacy = app.send_marketing_message_at("v22.0", PHONE, &send()).await;
    assert_eq!(legacy.code(), 131009);

    // The eligible WABA's copy goes out on the Cloud API meanwhile.
    let eligible_id = app.create_promo(ELIGIBLE_WABA, "black_friday").await;
    app.advance(60).await;
    let fallback = wamid(&app.send_marketing_message(ELIGIBLE_PHONE, &send()).await);
    assert_eq!(
        app.message(&fallback).await["pricing_category"],
        "marketing"
    );
    assert_eq!(
        app.get(&format!("/{eligible_id}")).await.body["status"],
        "APPROVED"
    );

    // Ten minutes after creation the sync is done: MM API sends go through all day.
    app.advance(8 * 60).await;
    for hour in 0..8 {
        let id = wamid(&app.send_marketing_message(PHONE, &send()).await);
        assert_eq!(
            app.message(&id).await["pricing_category"],
            "marketing_lite",
            "hour {hour}"
        );
        app.advance(3600).await;
    }
    let read = app
        .messages()
        .await
        .iter()
        .filter(|m| m["statuses"].as_array().unwrap().last().unwrap()["status"] == "read")
        .count();
    assert_eq!(read, 9);

    // A week and a day of silence: the template is dormant. The first send goes through and
    // starts a re-sync; the next one waits for it.
    app.advance(8 * 24 * 3600).await;
    wamid(&app.send_marketing_message(PHONE, &send()).await);
    let resyncing = app.send_marketing_message(PHONE, &send()).await;
    assert_eq!(resyncing.code(), 134101);
    app.advance(10 * 60).await;
    wamid(&app.send_marketing_message(PHONE, &send()).await);

    let clock = app.get("/__admin/clock").await.body;
    assert_eq!(clock["now"], "2026-12-09T08:20:00.000Z");
    let journal = app.get("/__admin/requests").await.body;
    assert!(journal["data"].as_array().unwrap().len() >= 15);
}
