//! Template analytics (`GET /{waba_id}/template_analytics`): the query's rules and the daily
//! counts of a sandbox's own messages — sent, delivered, read, the users' URL button clicks
//! and what the deliveries cost on the [`RateCard`]. Every figure of a message counts on the
//! UTC day it was sent, as Meta attributes reads and clicks to the send. Only messages the
//! mock keeps are counted (its retention cap).

use super::Refusal;
use super::click::ClickComponent;
use super::message::Message;
use super::rate_card::{MICROS, RateCard};
use super::routing::Route;
use super::status::MessageStatus;

/// Meta's limit on `template_ids`.
pub(crate) const MAX_TEMPLATE_IDS: usize = 10;
const DAY: i64 = 86_400;
/// How far back Meta's template analytics reach, and so the longest range a query may span.
const LOOKBACK_DAYS: i64 = 90;
/// `product_type` of the MM API, as Meta's analytics reference names it.
const PRODUCT_MM_API: &str = "MARKETING_MESSAGES_API_FOR_WHATSAPP";
/// The metrics a query may ask for.
const METRICS: [&str; 5] = ["SENT", "DELIVERED", "READ", "CLICKED", "COST"];

/// A checked query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Query {
    pub(crate) template_ids: Vec<String>,
    /// Unix seconds, the first day's start and the last day's end.
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// Upper-case metric names, in the order asked.
    pub(crate) metrics: Vec<String>,
    /// The API whose messages are counted: the Cloud API unless `product_type` names the MM API.
    pub(crate) route: Route,
}

/// One template's counts over one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DataPoint {
    pub(crate) template_id: String,
    pub(crate) start: i64,
    pub(crate) end: i64,
    pub(crate) sent: usize,
    pub(crate) delivered: usize,
    pub(crate) read: usize,
    /// `cta` clicks per URL button, in the order first clicked (body clicks open the same
    /// link but are no button's, so Meta's per-button figures leave them out).
    pub(crate) clicked: Vec<ButtonClicks>,
    /// What the day's deliveries cost, in millionths of a dollar.
    pub(crate) spent: u64,
}

/// The clicks on one URL button.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ButtonClicks {
    /// The button's text (`button_content`).
    pub(crate) button_content: String,
    /// Every click (`url_button`).
    pub(crate) count: usize,
    /// The users who clicked (`unique_url_button`).
    pub(crate) users: Vec<String>,
}

/// One entry of `cost`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Cost {
    /// `amount_spent`, `cost_per_delivered` or `cost_per_url_button_click`.
    pub(crate) kind: &'static str,
    /// In dollars.
    pub(crate) value: f64,
}

impl DataPoint {
    /// `cost`: the amount spent, then its share per delivery and per URL button click. A share
    /// with nothing to divide by (no delivery, no click) is left out, and the per-click one
    /// whenever the template has no `url_button`, as Meta leaves it out.
    pub(crate) fn cost(&self, url_button: bool) -> Vec<Cost> {
        // Shares are rounded to the millionth, the card's own precision.
        let share = |n: usize| (self.spent as f64 / n as f64).round() / MICROS;
        let clicks: usize = self.clicked.iter().map(|b| b.count).sum();
        let mut cost = vec![Cost {
            kind: "amount_spent",
            value: self.spent as f64 / MICROS,
        }];
        if self.delivered > 0 {
            cost.push(Cost {
                kind: "cost_per_delivered",
                value: share(self.delivered),
            });
        }
        if url_button && clicks > 0 {
            cost.push(Cost {
                kind: "cost_per_url_button_click",
                value: share(clicks),
            });
        }
        cost
    }
}

/// A list from a query parameter, in any of the forms Graph takes and Meta's examples use: a
/// JSON array (`["SENT","READ"]`, ids as numbers too), the same without quotes (`[SENT,READ]`), or
/// comma-separated (`sent,read`).
fn list(name: &str, text: &str) -> Result<Vec<String>, Refusal> {
    let bad = || {
        Refusal::invalid(format!(
            "{name}: expected a list such as [\"…\",\"…\"], […,…] or …,…, found '{text}'"
        ))
    };
    if let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(text) {
        return values
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) if !s.trim().is_empty() => Ok(s),
                serde_json::Value::Number(n) if n.is_u64() => Ok(n.to_string()),
                _ => Err(bad()),
            })
            .collect();
    }
    let inner = match text.strip_prefix('[') {
        Some(rest) => rest.strip_suffix(']').ok_or_else(bad)?,
        None => text,
    };
    let items: Vec<String> = inner.split(',').map(|s| s.trim().to_owned()).collect();
    // An item that is empty or still quoted or bracketed is a malformed list, not a value.
    let malformed = |s: &String| s.is_empty() || s.contains(['"', '[', ']']);
    if items.iter().any(malformed) {
        return Err(bad());
    }
    Ok(items)
}

fn unix(name: &str, text: Option<&str>) -> Result<i64, Refusal> {
    let text =
        text.ok_or_else(|| Refusal::invalid(format!("{name}: the parameter is required")))?;
    text.parse::<i64>()
        .ok()
        .filter(|t| *t >= 0)
        .ok_or_else(|| Refusal::invalid(format!("{name}: expected unix seconds, found '{text}'")))
}

/// Reads the query from its parameters (`param`), refusing each bad one by name.
pub(crate) fn query<'a>(param: impl Fn(&str) -> Option<&'a str>) -> Result<Query, Refusal> {
    let template_ids = match param("template_ids") {
        None => return Err(Refusal::invalid("template_ids: the parameter is required")),
        Some(text) => list("template_ids", text)?,
    };
    if template_ids.is_empty() || template_ids.len() > MAX_TEMPLATE_IDS {
        return Err(Refusal::invalid(format!(
            "template_ids: expected 1 to {MAX_TEMPLATE_IDS} template ids, found {}",
            template_ids.len()
        )));
    }
    let start = unix("start", param("start"))?;
    let end = unix("end", param("end"))?;
    if start > end {
        return Err(Refusal::invalid(format!(
            "start: expected a time no later than end ({end}), found {start}"
        )));
    }
    if end - start > LOOKBACK_DAYS * DAY {
        return Err(Refusal::invalid(format!(
            "end: expected at most {LOOKBACK_DAYS} days after start, found {} days",
            (end - start) / DAY
        )));
    }
    // Meta's examples write it `daily`.
    match param("granularity") {
        None => {}
        Some(g) if g.eq_ignore_ascii_case("DAILY") => {}
        Some(other) => {
            return Err(Refusal::invalid(format!(
                "granularity: expected DAILY, found '{other}'"
            )));
        }
    }
    let metrics = match param("metric_types") {
        None => METRICS
            .iter()
            .map(|m| (*m).to_owned())
            .collect::<Vec<String>>(),
        Some(text) => list("metric_types", text)?
            .into_iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
    };
    if let Some(unknown) = metrics.iter().find(|m| !METRICS.contains(&m.as_str())) {
        return Err(Refusal::invalid(format!(
            "metric_types: expected SENT, DELIVERED, READ, CLICKED or COST, found '{unknown}'"
        )));
    }
    let route = match param("product_type") {
        None | Some("CLOUD_API") => Route::CloudApi,
        // The MM API's name since its rename, and the one Meta's changelog gave it first.
        Some(PRODUCT_MM_API | "MARKETING_MESSAGES_LITE_API") => Route::MarketingMessages,
        Some(other) => {
            return Err(Refusal::invalid(format!(
                "product_type: expected CLOUD_API or {PRODUCT_MM_API}, found '{other}'"
            )));
        }
    };
    Ok(Query {
        template_ids,
        start,
        end,
        metrics,
        route,
    })
}

/// The daily counts of `messages` (each with its template's id) for `query`, priced on
/// `rates`: one point per template and UTC day from the day of `start` to `end`, oldest first.
pub(crate) fn data_points(
    query: &Query,
    messages: &[(&str, &Message)],
    rates: &RateCard,
) -> Vec<DataPoint> {
    // How far along sent → delivered → read a message got; a read message was also delivered.
    let rank = |m: &Message| {
        m.statuses
            .iter()
            .map(|s| match s.status {
                MessageStatus::Sent => 1,
                MessageStatus::Delivered => 2,
                MessageStatus::Read => 3,
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    };
    let first_day = query.start - query.start.rem_euclid(DAY);
    let mut points = Vec::new();
    let mut day = first_day;
    while day <= query.end {
        for id in &query.template_ids {
            points.push(DataPoint {
                template_id: id.clone(),
                start: day,
                end: day + DAY,
                sent: 0,
                delivered: 0,
                read: 0,
                clicked: Vec::new(),
                spent: 0,
            });
        }
        day += DAY;
    }
    let per_day = query.template_ids.len();
    for (template_id, m) in messages {
        let at = m.created_at.unix_seconds();
        let Some(slot) = query.template_ids.iter().position(|t| t == template_id) else {
            continue;
        };
        if m.route != query.route || at < first_day || at >= day {
            continue;
        }
        let Ok(index) = usize::try_from((at - first_day) / DAY) else {
            continue;
        };
        let point = &mut points[index * per_day + slot];
        let reached = rank(m);
        point.sent += usize::from(reached >= 1);
        point.delivered += usize::from(reached >= 2);
        point.read += usize::from(reached >= 3);
        if reached >= 2 {
            point.spent += rates.price(m);
        }
        for click in m
            .clicks
            .iter()
            .filter(|c| c.component == ClickComponent::Cta)
        {
            let content = click.button_text.as_deref().unwrap_or_default();
            let index = match point
                .clicked
                .iter()
                .position(|b| b.button_content == content)
            {
                Some(index) => index,
                None => {
                    point.clicked.push(ButtonClicks {
                        button_content: content.to_owned(),
                        count: 0,
                        users: Vec::new(),
                    });
                    point.clicked.len() - 1
                }
            };
            let button = &mut point.clicked[index];
            button.count += 1;
            if !button.users.contains(&m.recipient.user_id) {
                button.users.push(m.recipient.user_id.clone());
            }
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_read_in_every_form_graph_takes_and_malformed_ones_refused() {
        let read = |text| list("metric_types", text).map_err(|r| r.vars);
        for text in [r#"["sent","read"]"#, "[sent, read]", "sent,read"] {
            assert_eq!(
                read(text),
                Ok(vec!["sent".to_owned(), "read".to_owned()]),
                "{text}"
            );
        }
        assert_eq!(read("[12,34]"), Ok(vec!["12".to_owned(), "34".to_owned()]));
        assert_eq!(read("12"), Ok(vec!["12".to_owned()]));
        for text in ["", "[sent", r#"["sent""#, "sent,,read", r#"[""]"#, "[1.5]"] {
            assert!(read(text).is_err(), "{text}");
        }
    }

    fn point(delivered: usize, clicks: usize, spent: u64) -> DataPoint {
        DataPoint {
            template_id: "1".to_owned(),
            start: 0,
            end: DAY,
            sent: delivered,
            delivered,
            read: 0,
            clicked: (clicks > 0)
                .then(|| ButtonClicks {
                    button_content: "Shop now".to_owned(),
                    count: clicks,
                    users: vec!["CA.1".to_owned()],
                })
                .into_iter()
                .collect(),
            spent,
        }
    }

    fn kinds(cost: &[Cost]) -> Vec<(&'static str, f64)> {
        cost.iter().map(|c| (c.kind, c.value)).collect()
    }

    #[test]
    fn cost_shares_the_amount_per_delivery_and_per_url_button_click() {
        assert_eq!(
            kinds(&point(2, 3, 50_000).cost(true)),
            [
                ("amount_spent", 0.05),
                ("cost_per_delivered", 0.025),
                ("cost_per_url_button_click", 0.016667)
            ]
        );
    }

    #[test]
    fn a_share_with_nothing_to_divide_by_or_no_url_button_is_left_out() {
        assert_eq!(
            kinds(&point(2, 0, 50_000).cost(true)),
            [("amount_spent", 0.05), ("cost_per_delivered", 0.025)]
        );
        assert_eq!(
            kinds(&point(2, 3, 50_000).cost(false)),
            [("amount_spent", 0.05), ("cost_per_delivered", 0.025)]
        );
        assert_eq!(kinds(&point(0, 0, 0).cost(true)), [("amount_spent", 0.0)]);
    }
}
