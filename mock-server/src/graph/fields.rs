//! Graph's `fields=` and its field expansion, the one mechanism every node and list answers by.
//!
//! [`parse`] reads `fields=a,b,edge.limit(2){c,d}` into [`Field`]s. [`select`] answers a node
//! with them: plain fields picked from the node (an object-valued one narrowed by its own
//! `{sub,fields}`), each [`Edge`] the node has answered nested as `{data, paging}` by the
//! edge's own [`Lister`] — the code its `GET /{id}/{edge}` handler lists with — and any other
//! name Graph's 100. [`page`] cuts a list into Graph's pages for both.

use serde_json::{Map, Value, json};

use super::Ctx;
use crate::domain::Refusal;

/// A page's size when none is asked for.
pub(crate) const DEFAULT_LIMIT: usize = 25;
/// The largest page, as Graph's other WhatsApp lists document (*invented* for the mock's own
/// lists and for `.limit()`).
pub(crate) const MAX_LIMIT: usize = 100;

/// One entry of `fields=`: a name, with `.limit(n)` and `{sub,fields}` when given.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Field<'a> {
    /// The field or edge.
    pub(crate) name: &'a str,
    /// `.limit(n)`: an edge's page size.
    pub(crate) limit: Option<usize>,
    /// `{…}`: the fields of an edge's items, or of an object-valued field.
    pub(crate) sub: Option<Vec<Field<'a>>>,
}

impl<'a> Field<'a> {
    /// A bare name.
    pub(crate) fn plain(name: &'a str) -> Self {
        Self {
            name,
            limit: None,
            sub: None,
        }
    }
}

/// A page size as a query or `.limit()` gives it, if it is one.
pub(crate) fn parse_limit(text: &str) -> Option<usize> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=MAX_LIMIT).contains(n))
}

/// `fields=` as Graph reads it, or why not, naming the field and the place.
pub(crate) fn parse(text: &str) -> Result<Vec<Field<'_>>, Refusal> {
    let mut parser = Parser { text, at: 0 };
    parser
        .list(false)
        .map_err(|why| Refusal::invalid(format!("fields: {why}")))
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.at += 1;
        }
    }

    fn found(&self) -> String {
        match self.text[self.at..].chars().next() {
            Some(c) => format!("'{c}' at character {}", self.at + 1),
            None => "the end".to_owned(),
        }
    }

    /// Fields separated by commas, up to the end or (`nested`) a closing `}`. Empty entries
    /// (`a,,b`, a trailing comma) are skipped, as Graph does.
    fn list(&mut self, nested: bool) -> Result<Vec<Field<'a>>, String> {
        let mut fields = Vec::new();
        loop {
            self.skip_spaces();
            match self.peek() {
                None if nested => return Err(format!("expected '}}', found {}", self.found())),
                None => return Ok(fields),
                Some(b'}') if nested => {
                    self.at += 1;
                    return Ok(fields);
                }
                Some(b',') => self.at += 1,
                Some(_) => {
                    let field = self.field()?;
                    if fields.iter().any(|f: &Field<'_>| f.name == field.name) {
                        return Err(format!("{} is asked for twice", field.name));
                    }
                    fields.push(field);
                    self.skip_spaces();
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        None => {}
                        Some(b'}') if nested => {}
                        Some(_) => {
                            return Err(format!(
                                "expected ',' after a field, found {}",
                                self.found()
                            ));
                        }
                    }
                }
            }
        }
    }

    fn name(&mut self) -> &'a str {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.at += 1;
        }
        &self.text[start..self.at]
    }

    /// A name, then `.limit(n)` and `{…}` in either order.
    fn field(&mut self) -> Result<Field<'a>, String> {
        let name = self.name();
        if name.is_empty() {
            return Err(format!("expected a field name, found {}", self.found()));
        }
        let mut field = Field::plain(name);
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.at += 1;
                    let modifier = self.name();
                    let rest = &self.text[self.at..];
                    let argument = rest
                        .strip_prefix('(')
                        .and_then(|r| r.split_once(')'))
                        .map(|(argument, _)| argument);
                    let Some(argument) = argument else {
                        return Err(format!(
                            "{name}.{modifier}: expected '(' and ')' after a modifier"
                        ));
                    };
                    if modifier != "limit" {
                        return Err(format!(
                            "{name}.{modifier}({argument}): the mock supports only .limit(n)"
                        ));
                    }
                    let limit = parse_limit(argument).ok_or_else(|| {
                        format!(
                            "{name}.limit({argument}): expected an integer from 1 to \
                             {MAX_LIMIT}, found '{argument}'"
                        )
                    })?;
                    field.limit = Some(limit);
                    self.at += argument.len() + 2;
                }
                Some(b'{') if field.sub.is_none() => {
                    self.at += 1;
                    let sub = self.list(true)?;
                    if sub.is_empty() {
                        return Err(format!("{name}{{}}: expected at least one field"));
                    }
                    field.sub = Some(sub);
                }
                _ => return Ok(field),
            }
        }
    }
}

/// What a list is asked for: whose list it is, the fields of each item, the page size, and
/// (for a list requested by its own path) the request's query.
pub(crate) struct Listing<'q> {
    /// The id of the object whose edge this is.
    pub(crate) of: &'q str,
    /// The fields of each item; the list's defaults when `None`.
    pub(crate) fields: Option<&'q [Field<'q>]>,
    /// The page size asked for.
    pub(crate) limit: Option<usize>,
    query: &'q [(String, String)],
}

impl<'q> Listing<'q> {
    /// A list requested by its own path: its cursors and filters come from the query (its page
    /// size too, when the list is paged: [`Listing::paged`]).
    pub(crate) fn requested(ctx: &Ctx<'q>, fields: Option<&'q [Field<'q>]>) -> Self {
        Self {
            of: ctx.id,
            fields,
            limit: None,
            query: ctx.query,
        }
    }

    /// The list with the page size its query's `limit` asks for.
    pub(crate) fn paged(mut self) -> Result<Self, Refusal> {
        if let Some(l) = self.param("limit") {
            self.limit = Some(parse_limit(l).ok_or_else(|| {
                Refusal::invalid(format!(
                    "limit: expected an integer from 1 to {MAX_LIMIT}, found '{l}'"
                ))
            })?);
        }
        Ok(self)
    }

    /// A parameter of the list's own request (none when the list is expanded in a node).
    pub(crate) fn param(&self, name: &str) -> Option<&'q str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An edge's items, each with the id its cursor names, in the edge's order; the items already
/// answered with the listing's fields.
pub(crate) type Lister = fn(&Ctx<'_>, &Listing<'_>) -> Result<Vec<(String, Value)>, Refusal>;

/// An edge a node answers nested when `fields=` names it.
pub(crate) struct Edge {
    /// Its name in `fields=` and in its path.
    pub(crate) name: &'static str,
    /// Its listing.
    pub(crate) list: Lister,
}

/// How a node answers `fields=`: its type (for Graph's 100), its default fields (all of them
/// when `None`) and its edges.
pub(crate) struct NodeType {
    /// Graph's name for it, e.g. `WhatsAppBusinessAccount`.
    pub(crate) name: &'static str,
    /// The fields answered when none are asked for.
    pub(crate) defaults: Option<&'static [&'static str]>,
    /// The edges it answers nested.
    pub(crate) edges: &'static [Edge],
}

/// Graph's words for a field a node does not have.
pub(crate) fn unknown_field(field: &str, node_type: &str) -> Refusal {
    Refusal::invalid(format!(
        "Tried accessing nonexisting field ({field}) on node type ({node_type})"
    ))
}

/// The node answered with `fields` (the type's defaults when `None`): `id` always, a field
/// without a value left out, each edge nested, an unknown name Graph's 100.
pub(crate) fn select(
    ctx: &Ctx<'_>,
    mut node: Map<String, Value>,
    fields: Option<&[Field<'_>]>,
    node_type: &NodeType,
) -> Result<Value, Refusal> {
    let defaults: Vec<Field<'_>>;
    let fields = match (fields, node_type.defaults) {
        (Some(fields), _) => fields,
        (None, Some(names)) => {
            defaults = names.iter().map(|n| Field::plain(n)).collect();
            &defaults
        }
        (None, None) => {
            node.retain(|_, v| !v.is_null());
            return Ok(Value::Object(node));
        }
    };
    let id = node.get("id").cloned();
    let mut answer = Map::new();
    if let Some(id) = &id {
        answer.insert("id".to_owned(), id.clone());
    }
    for field in fields {
        if let Some(edge) = node_type.edges.iter().find(|e| e.name == field.name) {
            let of = id.as_ref().and_then(Value::as_str).unwrap_or(ctx.id);
            let listing = Listing {
                of,
                fields: field.sub.as_deref(),
                limit: field.limit,
                query: &[],
            };
            let items = (edge.list)(ctx, &listing)?;
            answer.insert(field.name.to_owned(), page(ctx, edge.name, &listing, items));
            continue;
        }
        let Some(value) = node.remove(field.name) else {
            if field.name == "id" {
                continue;
            }
            return Err(unknown_field(field.name, node_type.name));
        };
        if field.limit.is_some() {
            return Err(Refusal::invalid(format!(
                "fields: {}.limit(): {} is a field of {}, not an edge",
                field.name, field.name, node_type.name
            )));
        }
        let value = match (&field.sub, value) {
            (None, value) => value,
            (Some(sub), Value::Object(mut object)) => {
                let mut picked = Map::new();
                for f in sub {
                    let v = object.remove(f.name).ok_or_else(|| {
                        Refusal::invalid(format!(
                            "fields: {}{{{}}}: {} has no field {}",
                            field.name, f.name, field.name, f.name
                        ))
                    })?;
                    picked.insert(f.name.to_owned(), v);
                }
                Value::Object(picked)
            }
            (Some(_), _) => {
                return Err(Refusal::invalid(format!(
                    "fields: {}{{…}}: {} has no fields of its own",
                    field.name, field.name
                )));
            }
        };
        if !value.is_null() {
            answer.insert(field.name.to_owned(), value);
        }
    }
    Ok(Value::Object(answer))
}

fn cursor(id: &str) -> String {
    hex::encode(id)
}

/// One page of an edge's `items` as Graph lists it: `data`, and `paging` with the page's
/// cursors and `next`/`previous` links while there are more (from `after`/`before` when the
/// list was requested by its own path).
pub(crate) fn page(
    ctx: &Ctx<'_>,
    edge: &str,
    listing: &Listing<'_>,
    mut items: Vec<(String, Value)>,
) -> Value {
    let limit = listing.limit.unwrap_or(DEFAULT_LIMIT);
    let position = |c: &str| items.iter().position(|(id, _)| cursor(id) == c);
    let (start, end) = match (listing.param("after"), listing.param("before")) {
        (Some(after), _) => {
            let start = position(after).map_or(items.len(), |p| p + 1);
            (start, start.saturating_add(limit).min(items.len()))
        }
        (None, Some(before)) => {
            let end = position(before).unwrap_or(0);
            (end.saturating_sub(limit), end)
        }
        (None, None) => (0, limit.min(items.len())),
    };
    let total = items.len();
    let page: Vec<(String, Value)> = items.drain(start..end).collect();
    let mut paging = Map::new();
    if let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) {
        paging.insert(
            "cursors".to_owned(),
            json!({"before": cursor(first), "after": cursor(last)}),
        );
        let base = format!("/{}/{}/{edge}?limit={limit}", ctx.version, listing.of);
        if end < total {
            paging.insert(
                "next".to_owned(),
                json!(format!("{base}&after={}", cursor(last))),
            );
        }
        if start > 0 {
            paging.insert(
                "previous".to_owned(),
                json!(format!("{base}&before={}", cursor(first))),
            );
        }
    }
    let data: Vec<Value> = page.into_iter().map(|(_, item)| item).collect();
    json!({"data": data, "paging": paging})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Vec<Field<'_>> {
        parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    fn refused(text: &str) -> String {
        match parse(text) {
            Err(refusal) => format!("{refusal:?}"),
            Ok(fields) => panic!("{text} parsed as {fields:?}"),
        }
    }

    #[test]
    fn plain_fields_and_empty_entries() {
        assert_eq!(
            parsed("id, name,,status,"),
            vec![
                Field::plain("id"),
                Field::plain("name"),
                Field::plain("status")
            ]
        );
        assert_eq!(parsed(""), vec![]);
    }

    #[test]
    fn edges_take_a_limit_and_sub_fields_in_either_order_and_nest() {
        let expected = Field {
            name: "message_templates",
            limit: Some(2),
            sub: Some(vec![Field::plain("name"), Field::plain("status")]),
        };
        assert_eq!(
            parsed("message_templates.limit(2){name,status}"),
            vec![expected]
        );
        assert_eq!(
            parsed("message_templates{name,status}.limit(2)")[0].limit,
            Some(2)
        );
        let nested =
            parsed("id,client_whatsapp_business_accounts{name,phone_numbers.limit(1){id}}");
        let sub = nested[1].sub.as_ref().unwrap();
        assert_eq!(sub[1].name, "phone_numbers");
        assert_eq!(sub[1].limit, Some(1));
        assert_eq!(sub[1].sub, Some(vec![Field::plain("id")]));
    }

    #[test]
    fn bad_syntax_names_the_field_and_the_place() {
        let cases = [
            (
                "phone_numbers.limit(x)",
                "phone_numbers.limit(x): expected an integer from 1 to 100, found 'x'",
            ),
            (
                "phone_numbers.limit(0)",
                "phone_numbers.limit(0): expected an integer from 1 to 100",
            ),
            ("phone_numbers.limit(101)", "phone_numbers.limit(101)"),
            (
                "phone_numbers.limit",
                "phone_numbers.limit: expected '(' and ')'",
            ),
            ("phone_numbers.order(chronological)", "only .limit(n)"),
            ("message_templates{name", "expected '}', found the end"),
            (
                "message_templates{}",
                "message_templates{}: expected at least one field",
            ),
            (
                "name}",
                "expected ',' after a field, found '}' at character 5",
            ),
            ("name,name", "name is asked for twice"),
            ("a,-b", "expected a field name, found '-' at character 3"),
        ];
        for (text, why) in cases {
            let refusal = refused(text);
            assert!(refusal.contains("fields: "), "{text}: {refusal}");
            assert!(refusal.contains(why), "{text}: {refusal} lacks {why}");
        }
    }

    #[test]
    fn limits_run_from_one_to_the_largest_page() {
        assert_eq!(parse_limit("1"), Some(1));
        assert_eq!(parse_limit("100"), Some(100));
        assert_eq!(parse_limit("0"), None);
        assert_eq!(parse_limit("x"), None);
    }
}
