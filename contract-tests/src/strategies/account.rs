//! Templates, the WABA and business nodes, subscriptions, and Graph's generic answers
//! (`{"success":true}` and errors from the catalogue).

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{Map, json};

use super::atoms;
use crate::payload::error::GraphErrorBody;
use crate::payload::template::{
    ComponentExample, CreativeFeatureKey, Cursors, DegreesOfFreedomSpec, EnrollStatus,
    FeatureEnrollment, FeatureMap, NamedParamExample, OptimizationSpec, Paging, ParameterFormat,
    TemplateButton, TemplateCategory, TemplateComponent, TemplateCreateRequest,
    TemplateCreateResponse, TemplateEditRequest, TemplateList, TemplateObject, TemplateStatus,
};
use crate::payload::waba::{
    AppData, BusinessNode, BusinessOnboarding, BusinessOnboardingStatus, LiteApiStatus,
    OnboardingStatus, SubscribedApp, SubscribedAppsList, SubscribedAppsRequest, SuccessResponse,
    WabaNode, WabaUpdateRequest,
};
use crate::{Catalogue, ErrorKind};

/// A component with only `type` set.
fn component(component_type: &str) -> TemplateComponent {
    TemplateComponent {
        component_type: component_type.to_owned(),
        format: None,
        text: None,
        example: None,
        buttons: Vec::new(),
        extra: Map::new(),
    }
}

/// A body with placeholders in `format`, each with an example value.
fn body(format: ParameterFormat) -> impl Strategy<Value = TemplateComponent> {
    (
        atoms::name(),
        vec((atoms::parameter_name(), atoms::text()), 0..=4),
    )
        .prop_map(move |(greeting, params)| {
            let mut text = format!("Hello {greeting}!");
            let mut example = ComponentExample::default();
            match format {
                ParameterFormat::Positional => {
                    for i in 1..=params.len() {
                        text.push_str(&format!(" {{{{{i}}}}}"));
                    }
                    let values = params.into_iter().map(|(_, value)| value).collect();
                    example.body_text = Some(vec![values]);
                }
                ParameterFormat::Named => {
                    let mut named = Vec::new();
                    for (i, (name, value)) in params.into_iter().enumerate() {
                        let name = format!("{name}_{i}");
                        text.push_str(&format!(" {{{{{name}}}}}"));
                        named.push(NamedParamExample {
                            param_name: name,
                            example: value,
                            extra: Map::new(),
                        });
                    }
                    example.body_text_named_params = Some(named);
                }
            }
            let has_placeholders = example
                .body_text
                .as_ref()
                .is_some_and(|rows| !rows[0].is_empty())
                || example
                    .body_text_named_params
                    .as_ref()
                    .is_some_and(|n| !n.is_empty());
            TemplateComponent {
                text: Some(text),
                example: has_placeholders.then_some(example),
                ..component("BODY")
            }
        })
}

/// A header without placeholders: text, or media with an upload handle as its example.
fn header() -> impl Strategy<Value = TemplateComponent> {
    prop_oneof![
        atoms::name().prop_map(|text| TemplateComponent {
            format: Some("TEXT".to_owned()),
            text: Some(text),
            ..component("HEADER")
        }),
        (
            select(&["IMAGE", "VIDEO", "DOCUMENT"][..]),
            "4::[A-Za-z0-9]{10,20}"
        )
            .prop_map(|(format, handle)| TemplateComponent {
                format: Some(format.to_owned()),
                example: Some(ComponentExample {
                    header_handle: Some(vec![handle]),
                    ..ComponentExample::default()
                }),
                ..component("HEADER")
            }),
    ]
}

/// A button with only `type` and `text` set.
fn button(button_type: &str, text: String) -> TemplateButton {
    TemplateButton {
        button_type: button_type.to_owned(),
        text: Some(text),
        url: None,
        phone_number: None,
        otp_type: None,
        example: None,
        extra: Map::new(),
    }
}

/// Quick replies (a "stop promotions" one included), a URL button or a phone button.
fn buttons() -> impl Strategy<Value = TemplateComponent> {
    let label = || "[A-Za-z][A-Za-z ]{0,20}";
    let buttons = prop_oneof![
        vec(label(), 0..=2).prop_map(|labels| {
            std::iter::once("Stop promotions".to_owned())
                .chain(labels)
                .map(|text| button("QUICK_REPLY", text))
                .collect::<Vec<_>>()
        }),
        (label(), atoms::url(), "[a-z0-9]{4,12}").prop_map(|(text, url, example)| {
            vec![TemplateButton {
                url: Some(format!("{url}?c={{{{1}}}}")),
                example: Some(json!([example])),
                ..button("URL", text)
            }]
        }),
        (label(), atoms::wa_id()).prop_map(|(text, number)| {
            vec![TemplateButton {
                phone_number: Some(format!("+{number}")),
                ..button("PHONE_NUMBER", text)
            }]
        }),
    ];
    buttons.prop_map(|buttons| TemplateComponent {
        buttons,
        ..component("BUTTONS")
    })
}

/// Header, body, footer and buttons as a template definition has them.
fn components(format: ParameterFormat) -> impl Strategy<Value = Vec<TemplateComponent>> {
    (
        option::of(header()),
        body(format),
        option::of(atoms::name().prop_map(|text| TemplateComponent {
            text: Some(text),
            ..component("FOOTER")
        })),
        option::of(buttons()),
    )
        .prop_map(|(header, body, footer, buttons)| {
            header
                .into_iter()
                .chain([body])
                .chain(footer)
                .chain(buttons)
                .collect()
        })
}

/// A creative-features spec with a few distinct features opted in or out.
fn creative_features() -> impl Strategy<Value = DegreesOfFreedomSpec> {
    subsequence(CreativeFeatureKey::ALL.to_vec(), 1..=4)
        .prop_flat_map(|keys| {
            let n = keys.len();
            (Just(keys), vec(any::<bool>(), n))
        })
        .prop_map(|(keys, opt_in)| DegreesOfFreedomSpec {
            creative_features_spec: FeatureMap(
                keys.into_iter()
                    .zip(opt_in)
                    .map(|(key, opt_in)| {
                        let enroll_status = if opt_in {
                            EnrollStatus::OptIn
                        } else {
                            EnrollStatus::OptOut
                        };
                        (key, FeatureEnrollment { enroll_status })
                    })
                    .collect(),
            ),
        })
}

/// A category a business creates with text and examples, and a TTL in its range.
fn category_and_ttl() -> impl Strategy<Value = (TemplateCategory, Option<i64>)> {
    select(&[TemplateCategory::Marketing, TemplateCategory::Utility][..]).prop_flat_map(
        |category| {
            let range = category.ttl_range();
            (
                Just(category),
                option::of((i64::from(*range.start())..=i64::from(*range.end())).boxed()),
            )
        },
    )
}

/// A declared parameter format, sometimes left to Graph's default (positional).
fn parameter_format() -> impl Strategy<Value = (Option<ParameterFormat>, ParameterFormat)> {
    prop_oneof![
        Just((None, ParameterFormat::Positional)),
        Just((
            Some(ParameterFormat::Positional),
            ParameterFormat::Positional
        )),
        Just((Some(ParameterFormat::Named), ParameterFormat::Named)),
    ]
}

/// A max price: a positive amount per 1,000 deliveries and a strategy.
fn max_price() -> impl Strategy<Value = OptimizationSpec> {
    (1i64..=1_000_000, "[A-Z_]{4,24}").prop_map(|(bid_amount, bid_strategy)| OptimizationSpec {
        bid_amount,
        bid_strategy,
        extra: Map::new(),
    })
}

/// A conformant `POST /{waba_id}/message_templates` body (marketing or utility).
pub(super) fn template_create_request() -> impl Strategy<Value = TemplateCreateRequest> {
    parameter_format().prop_flat_map(|(declared, format)| {
        (
            atoms::template_name(),
            atoms::language(),
            category_and_ttl(),
            components(format),
            option::of(creative_features()),
            option::of(any::<bool>()),
            option::of(max_price()),
        )
            .prop_map(
                move |(name, language, (category, ttl), components, dof, opt_out, price)| {
                    TemplateCreateRequest {
                        name,
                        language,
                        category,
                        components,
                        parameter_format: declared,
                        message_send_ttl_seconds: ttl,
                        degrees_of_freedom_spec: dof,
                        cta_url_link_tracking_opted_out: opt_out,
                        allow_category_change: None,
                        // Max prices are for marketing templates.
                        optimization_spec: price
                            .filter(|_| category == TemplateCategory::Marketing),
                        bid_spec: None,
                        extra: Map::new(),
                    }
                },
            )
    })
}

/// A conformant `POST /{template_id}` body: new components, TTL or creative features.
pub(super) fn template_edit_request() -> impl Strategy<Value = TemplateEditRequest> {
    let edit = |components, ttl, dof| TemplateEditRequest {
        category: None,
        components,
        parameter_format: None,
        message_send_ttl_seconds: ttl,
        degrees_of_freedom_spec: dof,
        cta_url_link_tracking_opted_out: None,
        optimization_spec: None,
        bid_spec: None,
        extra: Map::new(),
    };
    prop_oneof![
        components(ParameterFormat::Positional).prop_map(move |c| edit(Some(c), None, None)),
        (43_200i64..=2_592_000).prop_map(move |ttl| TemplateEditRequest {
            category: Some(TemplateCategory::Marketing),
            ..edit(None, Some(ttl), None)
        }),
        creative_features().prop_map(move |dof| edit(None, None, Some(dof))),
        max_price().prop_map(move |price| TemplateEditRequest {
            optimization_spec: Some(price),
            ..edit(None, None, None)
        }),
    ]
}

/// The answer to a template create.
pub(super) fn template_create_response() -> impl Strategy<Value = TemplateCreateResponse> {
    (
        atoms::graph_id(),
        select(
            &[
                TemplateStatus::Pending,
                TemplateStatus::Approved,
                TemplateStatus::Rejected,
            ][..],
        ),
        select(&[TemplateCategory::Marketing, TemplateCategory::Utility][..]),
    )
        .prop_map(|(id, status, category)| TemplateCreateResponse {
            id,
            status,
            category,
            extra: Map::new(),
        })
}

/// A template as Graph reads it back.
pub(super) fn template_object() -> impl Strategy<Value = TemplateObject> {
    (
        atoms::graph_id(),
        template_create_request(),
        select(
            &[
                TemplateStatus::Approved,
                TemplateStatus::Pending,
                TemplateStatus::Rejected,
                TemplateStatus::Paused,
                TemplateStatus::Disabled,
            ][..],
        ),
    )
        .prop_map(|(id, create, status)| TemplateObject {
            id,
            name: Some(create.name),
            language: Some(create.language),
            status: Some(status),
            category: Some(create.category),
            previous_category: None,
            components: Some(create.components),
            parameter_format: create.parameter_format,
            message_send_ttl_seconds: create.message_send_ttl_seconds,
            degrees_of_freedom_spec: None,
            optimization_spec: create.optimization_spec,
            rejected_reason: (status == TemplateStatus::Rejected)
                .then(|| "INVALID_FORMAT".to_owned()),
            extra: Map::new(),
        })
}

/// One page of `GET /{waba_id}/message_templates`.
pub(super) fn template_list() -> impl Strategy<Value = TemplateList> {
    (
        vec(template_object(), 0..=3),
        option::of(("[A-Za-z0-9]{4,8}", "[A-Za-z0-9]{4,8}")),
    )
        .prop_map(|(data, cursors)| TemplateList {
            data,
            paging: cursors.map(|(before, after)| Paging {
                cursors: Some(Cursors { before, after }),
                next: None,
                previous: None,
            }),
            extra: Map::new(),
        })
}

/// A business portfolio node with its terms-of-service status.
pub(super) fn business_node() -> impl Strategy<Value = BusinessNode> {
    (
        atoms::graph_id(),
        option::of(atoms::name()),
        option::of((
            select(
                &[
                    BusinessOnboardingStatus::TermOfServiceSigned,
                    BusinessOnboardingStatus::RequestSent,
                    BusinessOnboardingStatus::NotStarted,
                ][..],
            ),
            option::of("20[2-3][0-9]-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"),
        )),
    )
        .prop_map(|(id, name, status)| BusinessNode {
            id,
            name,
            marketing_messages_onboarding_status: status
                .map(|(status, time)| BusinessOnboarding { status, time }),
            extra: Map::new(),
        })
}

/// A WABA node with its MM API fields present or absent.
pub(super) fn waba_node() -> impl Strategy<Value = WabaNode> {
    (
        atoms::graph_id(),
        option::of(atoms::name()),
        option::of(select(
            &[
                OnboardingStatus::Eligible,
                OnboardingStatus::Onboarded,
                OnboardingStatus::PendingInternalSetup,
                OnboardingStatus::IneligibleCountryNotSupported,
            ][..],
        )),
        option::of(select(
            &[LiteApiStatus::Eligible, LiteApiStatus::Onboarded][..],
        )),
        option::of(any::<bool>()),
        option::of(business_node()),
        option::of(atoms::graph_id()),
    )
        .prop_map(
            |(id, name, onboarding, lite, disabled, owner, funding)| WabaNode {
                id,
                name,
                timezone_id: None,
                message_template_namespace: None,
                marketing_messages_onboarding_status: onboarding,
                marketing_messages_lite_api_status: lite,
                disable_marketing_messages_on_cloud_api: disabled,
                degrees_of_freedom_spec: None,
                owner_business_info: owner,
                primary_funding_id: funding,
                extra: Map::new(),
            },
        )
}

/// A `POST /{waba_id}` body: the Cloud API switch and/or creative features.
pub(super) fn waba_update_request() -> impl Strategy<Value = WabaUpdateRequest> {
    prop_oneof![
        (any::<bool>(), option::of(creative_features())).prop_map(|(b, dof)| (Some(b), dof)),
        creative_features().prop_map(|dof| (None, Some(dof))),
    ]
    .prop_map(|(disable, dof)| WabaUpdateRequest {
        disable_marketing_messages_on_cloud_api: disable,
        degrees_of_freedom_spec: dof,
        name: None,
        timezone_id: None,
        is_enabled_for_insights: None,
        extra: Map::new(),
    })
}

/// A `POST /{waba_id}/subscribed_apps` body, with or without a callback override.
pub(super) fn subscribed_apps_request() -> impl Strategy<Value = SubscribedAppsRequest> {
    option::of((atoms::url(), "[A-Za-z0-9]{8,24}")).prop_map(|overridden| {
        let (uri, token) = overridden.unzip();
        SubscribedAppsRequest {
            override_callback_uri: uri,
            verify_token: token,
            extra: Map::new(),
        }
    })
}

/// `GET /{waba_id}/subscribed_apps`.
pub(super) fn subscribed_apps_list() -> impl Strategy<Value = SubscribedAppsList> {
    vec((atoms::graph_id(), option::of(atoms::name())), 0..=2).prop_map(|apps| SubscribedAppsList {
        data: apps
            .into_iter()
            .map(|(id, name)| SubscribedApp {
                whatsapp_business_api_data: AppData {
                    id,
                    link: None,
                    name,
                },
                override_callback_uri: None,
                extra: Map::new(),
            })
            .collect(),
    })
}

/// `{"success": true}`.
pub(super) fn success_response() -> impl Strategy<Value = SuccessResponse> {
    Just(SuccessResponse {
        success: true,
        extra: Map::new(),
    })
}

/// An error from the catalogue, rendered with arbitrary placeholder values.
pub(super) fn graph_error() -> impl Strategy<Value = GraphErrorBody> {
    (
        select(ErrorKind::ALL),
        atoms::fbtrace_id(),
        vec(atoms::text(), 10),
    )
        .prop_map(|(kind, fbtrace_id, values)| {
            const NAMES: [&str; 10] = [
                "name",
                "language",
                "details",
                "method",
                "id",
                "path",
                "component",
                "found",
                "expected",
                "placeholders",
            ];
            let vars: Vec<(&str, &str)> = NAMES
                .iter()
                .copied()
                .zip(values.iter().map(String::as_str))
                .collect();
            Catalogue::builtin().get(kind).render(&vars, &fbtrace_id)
        })
}
