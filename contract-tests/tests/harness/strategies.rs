//! Generated payloads validate and round-trip; near misses break exactly their rule.

use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wa_contract::{PayloadKind, strategies, validate};

/// Few cases per property: the suite runs on two cores.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(64)
}

/// `value` validates as `kind` and parses back into an equal value.
fn conforms<T>(kind: PayloadKind, value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).unwrap();
    let report = validate(kind, &json);
    prop_assert!(report.is_ok(), "{report}\n{json:#}");
    let text = serde_json::to_string(&json).unwrap();
    let back: T = serde_json::from_str(&text).unwrap();
    prop_assert_eq!(&back, value);
    Ok(())
}

macro_rules! conformant {
    ($($test:ident: $strategy:ident => $kind:ident,)*) => {
        proptest! {
            #![proptest_config(config())]
            $(
                #[test]
                fn $test(value in strategies::$strategy()) {
                    conforms(PayloadKind::$kind, &value)?;
                }
            )*
        }
    };
}

conformant! {
    generated_marketing_messages_validate_and_round_trip: marketing_message_request => MarketingMessageRequest,
    generated_cloud_api_messages_validate_and_round_trip: message_request => MessageRequest,
    generated_send_responses_validate_and_round_trip: send_response => SendResponse,
    generated_status_webhooks_validate_and_round_trip: status_webhook => StatusWebhook,
    generated_inbound_webhooks_validate_and_round_trip: inbound_message_webhook => InboundMessageWebhook,
    generated_template_status_webhooks_validate_and_round_trip: template_status_webhook => TemplateStatusWebhook,
    generated_account_updates_validate_and_round_trip: account_update_webhook => AccountUpdateWebhook,
    generated_user_preferences_validate_and_round_trip: user_preferences_webhook => UserPreferencesWebhook,
    generated_user_id_updates_validate_and_round_trip: user_id_update_webhook => UserIdUpdateWebhook,
    generated_template_quality_updates_validate_and_round_trip: template_quality_webhook => TemplateQualityWebhook,
    generated_template_category_updates_validate_and_round_trip: template_category_webhook => TemplateCategoryWebhook,
    generated_phone_quality_updates_validate_and_round_trip: phone_quality_webhook => PhoneQualityWebhook,
    generated_business_capability_updates_validate_and_round_trip: business_capability_webhook => BusinessCapabilityWebhook,
    generated_link_clicks_validate_and_round_trip: user_actions_webhook => UserActionsWebhook,
    generated_graph_errors_validate_and_round_trip: graph_error => GraphError,
    generated_template_creates_validate_and_round_trip: template_create_request => TemplateCreateRequest,
    generated_template_edits_validate_and_round_trip: template_edit_request => TemplateEditRequest,
    generated_template_create_responses_validate_and_round_trip: template_create_response => TemplateCreateResponse,
    generated_templates_validate_and_round_trip: template_object => TemplateObject,
    generated_template_lists_validate_and_round_trip: template_list => TemplateList,
    generated_waba_nodes_validate_and_round_trip: waba_node => WabaNode,
    generated_waba_updates_validate_and_round_trip: waba_update_request => WabaUpdateRequest,
    generated_business_nodes_validate_and_round_trip: business_node => BusinessNode,
    generated_subscriptions_validate_and_round_trip: subscribed_apps_request => SubscribedAppsRequest,
    generated_subscription_lists_validate_and_round_trip: subscribed_apps_list => SubscribedAppsList,
    generated_success_responses_validate_and_round_trip: success_response => SuccessResponse,
}

/// Every kind, with its near misses.
fn any_near_miss() -> impl Strategy<Value = (PayloadKind, serde_json::Value, &'static str)> {
    proptest::sample::select(&PayloadKind::ALL[..])
        .prop_flat_map(|kind| strategies::invalid(kind).prop_map(move |(v, rule)| (kind, v, rule)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_near_miss_breaks_exactly_its_rule((kind, value, rule) in any_near_miss()) {
        let report = validate(kind, &value);
        prop_assert_eq!(report.rules(), [rule], "{}: {}\n{:#}", kind, report, value);
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_webhook_is_detected_as_its_kind((kind, webhook) in strategies::any_webhook()) {
        let json = serde_json::to_value(&webhook).unwrap();
        prop_assert_eq!(PayloadKind::detect(&json), Some(kind));
        prop_assert!(validate(kind, &json).is_ok());
    }
}

#[test]
fn every_payload_kind_has_near_misses_for_several_rules() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    for kind in PayloadKind::ALL {
        let mut rules = std::collections::BTreeSet::new();
        for _ in 0..64 {
            let (_, rule) = strategies::invalid(kind)
                .new_tree(&mut runner)
                .unwrap()
                .current();
            rules.insert(rule);
        }
        assert!(rules.len() >= 2, "{kind}: {rules:?}");
    }
}

/// The send kinds with the endpoint each is for.
fn any_send_kind() -> impl Strategy<Value = (PayloadKind, wa_contract::SendEndpoint)> {
    proptest::sample::select(vec![
        (
            PayloadKind::MarketingMessageRequest,
            wa_contract::SendEndpoint::MarketingMessages,
        ),
        (
            PayloadKind::MessageRequest,
            wa_contract::SendEndpoint::Messages,
        ),
    ])
}

/// What the one-parse check of a send says, beside the tree walk's verdict: it never accepts
/// what the tree refuses, and accepts as the same request.
fn agrees(
    endpoint: wa_contract::SendEndpoint,
    value: &serde_json::Value,
) -> Result<bool, TestCaseError> {
    let bytes = serde_json::to_vec(value).unwrap();
    let Some(typed) = wa_contract::validate_send_json(endpoint, &bytes) else {
        return Ok(false);
    };
    let walked = wa_contract::validate_send(endpoint, value);
    prop_assert_eq!(
        walked.as_ref().ok(),
        Some(&typed),
        "{:?}\n{:#}",
        walked,
        value
    );
    Ok(true)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_one_parse_send_check_never_accepts_a_near_miss(
        ((_, endpoint), (value, rule)) in any_send_kind()
            .prop_flat_map(|(kind, endpoint)| (Just((kind, endpoint)), strategies::invalid(kind)))
    ) {
        prop_assert!(!agrees(endpoint, &value)?, "accepted a near miss of {}:\n{:#}", rule, value);
    }

    #[test]
    fn the_one_parse_send_check_accepts_generated_template_sends_as_the_tree_does(
        value in strategies::marketing_message_request()
    ) {
        let value = serde_json::to_value(value).unwrap();
        let has_location = value.to_string().contains("\"latitude\"");
        let accepted = agrees(wa_contract::SendEndpoint::MarketingMessages, &value)?;
        prop_assert!(accepted || has_location, "{:#}", value);
    }

    #[test]
    fn the_one_parse_send_check_agrees_on_cloud_api_sends(value in strategies::message_request()) {
        agrees(
            wa_contract::SendEndpoint::Messages,
            &serde_json::to_value(value).unwrap(),
        )?;
    }
}
