//! What the binary prints after `listening on …`: the default sandbox's ids, its token and a
//! curl line that sends a marketing message.

use crate::admin;
use crate::store::Sandbox;

/// The summary of `sandbox`, served at `url`.
pub(crate) fn startup_summary(url: &str, sandbox: &Sandbox) -> String {
    let state = serde_json::to_value(admin::state(sandbox)).unwrap_or_default();
    let token = state["token"].as_str().unwrap_or_default().to_owned();
    let mut lines = vec![format!("token: {token}")];
    for w in state["wabas"].as_array().into_iter().flatten() {
        lines.push(format!(
            "waba {} ({}){}",
            w["id"].as_str().unwrap_or_default(),
            w["marketing_messages_onboarding_status"]
                .as_str()
                .unwrap_or_default(),
            if w["msc"] == true { ", MSC" } else { "" },
        ));
        for p in state["phone_numbers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["waba_id"] == w["id"])
        {
            lines.push(format!(
                "  phone number {}",
                p["id"].as_str().unwrap_or_default()
            ));
        }
        for t in state["templates"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| t["waba_id"] == w["id"])
        {
            lines.push(format!(
                "  template {} {} {} {}",
                t["id"].as_str().unwrap_or_default(),
                t["name"].as_str().unwrap_or_default(),
                t["category"].as_str().unwrap_or_default(),
                t["status"].as_str().unwrap_or_default(),
            ));
        }
    }
    let phone = state["phone_numbers"][0]["id"].as_str().unwrap_or_default();
    let template = state["templates"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["category"] == "MARKETING" && t["status"] == "APPROVED");
    if let Some(t) = template {
        lines.push(String::new());
        lines.push("send a marketing message:".to_owned());
        lines.push(format!(
            "curl -s {}/v25.0/{phone}/marketing_messages -H 'Authorization: Bearer {token}' \
             -H 'Content-Type: application/json' -d '{{\"messaging_product\":\"whatsapp\",\
             \"recipient_type\":\"individual\",\"to\":\"14165551234\",\"type\":\"template\",\
             \"template\":{{\"name\":\"{}\",\"language\":{{\"code\":\"{}\"}},\"components\":\
             [{{\"type\":\"body\",\"parameters\":[{{\"type\":\"text\",\"text\":\"Ann\"}}]}}]}}}}'",
            url,
            t["name"].as_str().unwrap_or_default(),
            t["language"].as_str().unwrap_or_default(),
        ));
    }
    lines.join("\n") + "\n"
}
