//! The Graph API surface as data: one [`Operation`] per `(object kind, edge, method)`, in
//! [`OPERATIONS`].
//!
//! Everything that needs to know which Graph requests exist reads this table: the mock's router
//! ([`find`] an operation, then run its handler), the wiremock stub and `wa-contract journal`
//! ([`request_kind`]: which contract a request body is checked against). Adding an endpoint is
//! one entry of the `operations!` declaration here and one handler in the mock.
//!
//! ```
//! use wa_contract::PayloadKind;
//! use wa_contract::operations::{self, ObjectKind, OperationId, Unrouted};
//!
//! let send = operations::find(ObjectKind::PhoneNumber, Some("marketing_messages"), "POST");
//! let send = send.unwrap();
//! assert_eq!(send.id, OperationId::SendMarketingMessage);
//! assert_eq!(send.request, Some(PayloadKind::MarketingMessageRequest));
//! assert_eq!(send.name(), "send_marketing_message");
//!
//! // An edge the object has, asked with another method, is Graph's 100/33; any other edge 2500.
//! let get = operations::find(ObjectKind::PhoneNumber, Some("marketing_messages"), "GET");
//! assert_eq!(get.unwrap_err(), Unrouted::UnsupportedMethod);
//! let typo = operations::find(ObjectKind::PhoneNumber, Some("marketing_message"), "POST");
//! assert_eq!(typo.unwrap_err(), Unrouted::UnknownPath);
//! ```

use serde_json::Value;

use crate::{ErrorKind, PayloadKind};

/// The kind of Graph object an id names: `/{id}` is polymorphic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// A business phone number.
    PhoneNumber,
    /// A WhatsApp Business Account.
    Waba,
    /// A message template.
    Template,
    /// A business portfolio.
    Business,
    /// A media file uploaded to a phone number, or received from a user.
    Media,
    /// The app that a Resumable Upload API session belongs to.
    App,
    /// A Resumable Upload API session: its id is `upload:` and a token
    /// ([`UPLOAD_SESSION_PREFIX`]), not a number.
    UploadSession,
}

/// What every Resumable Upload API session id starts with (`upload:…`, as Meta's): the one
/// kind of Graph id that is not a number.
pub const UPLOAD_SESSION_PREFIX: &str = "upload:";

/// The HTTP methods Graph operations use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: a read.
    Get,
    /// `POST`: a create, an update or an action.
    Post,
    /// `DELETE`.
    Delete,
}

impl Method {
    /// The method as it appears on the wire (`"GET"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

/// One Graph operation: a method on an object or on one of its edges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// Which operation this is.
    pub id: OperationId,
    /// The kind of object the path's id names.
    pub object: ObjectKind,
    /// The edge after the id (`/{id}/marketing_messages`), `None` for the object itself.
    pub edge: Option<&'static str>,
    /// The HTTP method.
    pub method: Method,
    /// The contract the request body is checked against, if it has one.
    pub request: Option<PayloadKind>,
    /// What is done with a body that breaks the `request` contract.
    pub body: BodyPolicy,
    /// The contract of the success response, if the contract has one.
    pub response: Option<PayloadKind>,
    /// The most bytes its request body may carry: [`DEFAULT_BODY_LIMIT`] unless the row says
    /// otherwise (a media upload carries files of up to 100 MiB).
    pub body_limit: usize,
}

/// The most bytes a request body may carry unless its row says otherwise (*invented*: Meta
/// documents no limit for JSON bodies).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The body limit of `POST /{phone_number_id}/media`: the largest file Meta takes (a 100 MB
/// document) and room for the multipart framing and the other fields.
pub const MEDIA_BODY_LIMIT: usize = 100 * 1024 * 1024 + 64 * 1024;

impl Operation {
    /// The stable snake_case name ([`OperationId::as_str`]).
    pub const fn name(&self) -> &'static str {
        self.id.as_str()
    }
}

/// How an operation treats its request body. Every body may come as JSON or form-encoded, and
/// a POST without a body takes its fields from the query string, as Graph takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyPolicy {
    /// No body is read: the operation's parameters are in its path and query.
    None,
    /// The body must conform to the request contract: a violation is refused, naming the
    /// field.
    Refuse,
    /// Violations are recorded but a body that still parses is accepted: Meta's own checks
    /// answer it with their specific codes, which win over the generic 100 of a violation.
    Record,
}

/// Why [`find`] has no operation for a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unrouted {
    /// The object has this edge, but not under this method.
    UnsupportedMethod,
    /// The object has no such edge.
    UnknownPath,
}

impl Unrouted {
    /// The catalogue error Graph answers: 100/33 or 2500.
    pub const fn error_kind(self) -> ErrorKind {
        match self {
            Self::UnsupportedMethod => ErrorKind::UnsupportedMethod,
            Self::UnknownPath => ErrorKind::UnknownPath,
        }
    }
}

/// Declares every Graph operation once: each entry gives the [`OperationId`] variant with its
/// doc, its snake_case name and its [`Operation`] row, from which the enum,
/// [`OperationId::as_str`] and [`OPERATIONS`] are generated. A `request` is the body's
/// contract and its [`BodyPolicy`]; `None` reads no body.
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal {
            object: $object:ident,
            edge: $edge:expr,
            method: $method:ident,
            request: $request:expr,
            response: $response:expr
            $(, body_limit: $limit:expr)? $(,)?
        }
    )*) => {
        /// Names a Graph operation, one per row of [`OPERATIONS`]; [`OperationId::as_str`] is
        /// its stable snake_case name (also the mock's handler's name).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum OperationId {
            $($(#[$doc])* $variant,)*
        }

        impl OperationId {
            /// The stable snake_case name, e.g. `"send_marketing_message"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }
        }

        /// Every Graph operation the contract knows. Where one path and method fit several
        /// objects (`POST /{id}`: a WABA update or a template edit), [`request_kind`] falls back
        /// to the first row's contract.
        pub const OPERATIONS: &[Operation] = {
            use BodyPolicy::{Record, Refuse};
            use Method::{Delete, Get, Post};
            use ObjectKind::{App, Business, Media, PhoneNumber, Template, UploadSession, Waba};
            use PayloadKind::*;
            &[$(row(
                OperationId::$variant,
                $object,
                $edge,
                $method,
                $request,
                $response,
                // The row's own limit if it names one (the last), else the default.
                {
                    let limits = [DEFAULT_BODY_LIMIT $(, $limit)?];
                    limits[limits.len() - 1]
                },
            ),)*]
        };
    };
}

/// One row of [`OPERATIONS`], its request contract and body policy taken apart.
const fn row(
    id: OperationId,
    object: ObjectKind,
    edge: Option<&'static str>,
    method: Method,
    request: Option<(PayloadKind, BodyPolicy)>,
    response: Option<PayloadKind>,
    body_limit: usize,
) -> Operation {
    let (request, body) = match request {
        Some((kind, policy)) => (Some(kind), policy),
        None => (None, BodyPolicy::None),
    };
    Operation {
        id,
        object,
        edge,
        method,
        request,
        body,
        response,
        body_limit,
    }
}

operations! {
    /// `GET /{phone_number_id}`.
    GetPhoneNumber = "get_phone_number" {
        object: PhoneNumber, edge: None, method: Get,
        request: None, response: None,
    }
    /// `POST /{phone_number_id}/marketing_messages`.
    SendMarketingMessage = "send_marketing_message" {
        object: PhoneNumber, edge: Some("marketing_messages"), method: Post,
        request: Some((MarketingMessageRequest, Refuse)), response: Some(SendResponse),
    }
    /// `POST /{phone_number_id}/messages`.
    SendMessage = "send_message" {
        object: PhoneNumber, edge: Some("messages"), method: Post,
        request: Some((MessageRequest, Refuse)), response: Some(SendResponse),
    }
    /// `GET /{waba_id}`.
    GetWaba = "get_waba" {
        object: Waba, edge: None, method: Get,
        request: None, response: Some(WabaNode),
    }
    /// `POST /{waba_id}`.
    UpdateWaba = "update_waba" {
        object: Waba, edge: None, method: Post,
        request: Some((WabaUpdateRequest, Refuse)), response: Some(SuccessResponse),
    }
    /// `GET /{waba_id}/message_templates`.
    ListTemplates = "list_templates" {
        object: Waba, edge: Some("message_templates"), method: Get,
        request: None, response: Some(TemplateList),
    }
    /// `POST /{waba_id}/message_templates`.
    CreateTemplate = "create_template" {
        object: Waba, edge: Some("message_templates"), method: Post,
        request: Some((TemplateCreateRequest, Record)), response: Some(TemplateCreateResponse),
    }
    /// `DELETE /{waba_id}/message_templates`.
    DeleteTemplates = "delete_templates" {
        object: Waba, edge: Some("message_templates"), method: Delete,
        request: None, response: Some(SuccessResponse),
    }
    /// `GET /{waba_id}/phone_numbers`.
    ListPhoneNumbers = "list_phone_numbers" {
        object: Waba, edge: Some("phone_numbers"), method: Get,
        request: None, response: None,
    }
    /// `GET /{waba_id}/template_analytics`.
    GetTemplateAnalytics = "get_template_analytics" {
        object: Waba, edge: Some("template_analytics"), method: Get,
        request: None, response: None,
    }
    /// `GET /{waba_id}/subscribed_apps`.
    ListSubscribedApps = "list_subscribed_apps" {
        object: Waba, edge: Some("subscribed_apps"), method: Get,
        request: None, response: Some(SubscribedAppsList),
    }
    /// `POST /{waba_id}/subscribed_apps`.
    SubscribeApp = "subscribe_app" {
        object: Waba, edge: Some("subscribed_apps"), method: Post,
        request: Some((SubscribedAppsRequest, Refuse)), response: Some(SuccessResponse),
    }
    /// `DELETE /{waba_id}/subscribed_apps`.
    UnsubscribeApp = "unsubscribe_app" {
        object: Waba, edge: Some("subscribed_apps"), method: Delete,
        request: None, response: Some(SuccessResponse),
    }
    /// `GET /{template_id}`.
    GetTemplate = "get_template" {
        object: Template, edge: None, method: Get,
        request: None, response: Some(TemplateObject),
    }
    /// `POST /{template_id}`.
    EditTemplate = "edit_template" {
        object: Template, edge: None, method: Post,
        request: Some((TemplateEditRequest, Record)), response: Some(SuccessResponse),
    }
    /// `POST /{template_id}/unpause`: resumes a template paused by pacing.
    UnpauseTemplate = "unpause_template" {
        object: Template, edge: Some("unpause"), method: Post,
        request: None, response: Some(SuccessResponse),
    }
    /// `GET /{business_id}`.
    GetBusiness = "get_business" {
        object: Business, edge: None, method: Get,
        request: None, response: Some(BusinessNode),
    }
    /// `GET /{business_id}/client_whatsapp_business_accounts`.
    ListClientWabas = "list_client_wabas" {
        object: Business, edge: Some("client_whatsapp_business_accounts"), method: Get,
        request: None, response: None,
    }
    /// `POST /{phone_number_id}/media`: a multipart form (`messaging_product`, `file`,
    /// `type`), read by the pipeline as it streams in.
    UploadMedia = "upload_media" {
        object: PhoneNumber, edge: Some("media"), method: Post,
        request: None, response: None, body_limit: MEDIA_BODY_LIMIT,
    }
    /// `GET /{media_id}`: the media's metadata and a short-lived download URL.
    GetMedia = "get_media" {
        object: Media, edge: None, method: Get,
        request: None, response: Some(MediaNode),
    }
    /// `DELETE /{media_id}`.
    DeleteMedia = "delete_media" {
        object: Media, edge: None, method: Delete,
        request: None, response: Some(SuccessResponse),
    }
    /// `POST /{app_id}/uploads?file_name&file_length&file_type`: opens a Resumable Upload API
    /// session (its parameters are in the query).
    CreateUploadSession = "create_upload_session" {
        object: App, edge: Some("uploads"), method: Post,
        request: None, response: Some(PayloadKind::UploadSession),
    }
    /// `POST /upload:{session}` with a `file_offset` header: the file's bytes from that offset;
    /// the handle once the file is complete, else the session's offset.
    UploadFileChunk = "upload_file_chunk" {
        object: UploadSession, edge: None, method: Post,
        request: None, response: Some(UploadHandle), body_limit: MEDIA_BODY_LIMIT,
    }
    /// `GET /upload:{session}`: the offset the session has reached.
    GetUploadSession = "get_upload_session" {
        object: UploadSession, edge: None, method: Get,
        request: None, response: Some(UploadSessionState),
    }
    /// `POST /{business_id}/onboard_partners_to_mm_lite`.
    OnboardPartners = "onboard_partners" {
        object: Business, edge: Some("onboard_partners_to_mm_lite"), method: Post,
        request: None, response: None,
    }
}

/// The operation `method` (as on the wire, case-sensitive) names on `object`'s `edge`, or why
/// there is none: [`Unrouted::UnsupportedMethod`] when some row has this object and edge,
/// [`Unrouted::UnknownPath`] when none does.
pub fn find(
    object: ObjectKind,
    edge: Option<&str>,
    method: &str,
) -> Result<&'static Operation, Unrouted> {
    let mut on_path = OPERATIONS
        .iter()
        .filter(|op| op.object == object && op.edge == edge)
        .peekable();
    if on_path.peek().is_none() {
        return Err(Unrouted::UnknownPath);
    }
    on_path
        .find(|op| op.method.as_str() == method)
        .ok_or(Unrouted::UnsupportedMethod)
}

/// The operations a request may be, from its method (any case) and path (with or without a
/// version segment) alone: the id's object kind is not known here, so every object kind with
/// this edge and method fits. Only numeric ids and at most one edge match anything.
///
/// ```
/// use wa_contract::operations::{OperationId, candidates};
///
/// let ids: Vec<_> = candidates("POST", "/v23.0/102290129340398").map(|op| op.id).collect();
/// assert_eq!(ids, [OperationId::UpdateWaba, OperationId::EditTemplate]);
/// assert_eq!(candidates("GET", "/me/message_templates").count(), 0);
/// ```
pub fn candidates<'a>(
    method: &'a str,
    path: &'a str,
) -> impl Iterator<Item = &'static Operation> + 'a {
    let node = node_edge(path);
    OPERATIONS.iter().filter(move |op| {
        // An `upload:` id names an upload session and nothing else; a number never names one.
        node == Some((op.edge, op.object == ObjectKind::UploadSession))
            && op.method.as_str().eq_ignore_ascii_case(method)
    })
}

/// The edge of a `/{id}` or `/{id}/{edge}` path (`None` for the node itself) and whether the
/// id is an upload session's (`upload:…`) rather than a number, skipping a version segment;
/// `None` for any other path.
fn node_edge(path: &str) -> Option<(Option<&str>, bool)> {
    let mut segments = path.trim_matches('/').split('/').peekable();
    if segments
        .peek()
        .is_some_and(|s| s.starts_with('v') && s.contains('.'))
    {
        segments.next();
    }
    let node = segments.next()?;
    let numeric = !node.is_empty() && node.bytes().all(|b| b.is_ascii_digit());
    let session = node
        .strip_prefix(UPLOAD_SESSION_PREFIX)
        .is_some_and(|token| !token.is_empty());
    if !numeric && !session {
        return None;
    }
    let edge = segments.next();
    segments.next().is_none().then_some((edge, session))
}

/// The most bytes the body of a request with `method` and `path` may carry: the largest limit
/// of the operations it may be ([`candidates`]), else [`DEFAULT_BODY_LIMIT`]. Known before the
/// id is looked up, so that the body is read with it.
///
/// ```
/// use wa_contract::operations::{DEFAULT_BODY_LIMIT, MEDIA_BODY_LIMIT, body_limit};
///
/// assert_eq!(body_limit("POST", "/v25.0/106540352242922/media"), MEDIA_BODY_LIMIT);
/// assert_eq!(body_limit("POST", "/106540352242922/messages"), DEFAULT_BODY_LIMIT);
/// assert_eq!(body_limit("POST", "/v25.0/upload:MTphdHRhY2g"), MEDIA_BODY_LIMIT);
/// assert_eq!(body_limit("PUT", "/anything"), DEFAULT_BODY_LIMIT);
/// ```
pub fn body_limit(method: &str, path: &str) -> usize {
    candidates(method, path)
        .map(|op| op.body_limit)
        .max()
        .unwrap_or(DEFAULT_BODY_LIMIT)
}

/// The contract a Graph request's body is checked against, from its method and path
/// ([`candidates`]); `None` for requests without a checked body (reads, deletes, unknown
/// edges). When several operations fit (`POST /{id}`), the body's detected kind picks among
/// them, else the first row's.
///
/// ```
/// use serde_json::json;
/// use wa_contract::PayloadKind;
/// use wa_contract::operations::request_kind;
///
/// let kind = request_kind("POST", "/v23.0/106540352242922/marketing_messages", &json!({}));
/// assert_eq!(kind, Some(PayloadKind::MarketingMessageRequest));
/// assert_eq!(request_kind("GET", "/102290129340398/message_templates", &json!(null)), None);
/// ```
pub fn request_kind(method: &str, path: &str, body: &Value) -> Option<PayloadKind> {
    let mut kinds = candidates(method, path)
        .filter_map(|op| op.request)
        .peekable();
    let first = *kinds.peek()?;
    let detected = PayloadKind::detect(body);
    Some(kinds.find(|kind| Some(*kind) == detected).unwrap_or(first))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use serde_json::json;

    use super::*;

    #[test]
    fn rows_are_unique() {
        let mut routes = HashSet::new();
        let mut ids = HashSet::new();
        for op in OPERATIONS {
            assert!(
                routes.insert((op.object, op.edge, op.method)),
                "two rows for {:?} {:?} {:?}",
                op.object,
                op.edge,
                op.method
            );
            assert!(ids.insert(op.id), "two rows named {}", op.name());
        }
    }

    #[test]
    fn find_returns_each_row() {
        for op in OPERATIONS {
            assert_eq!(find(op.object, op.edge, op.method.as_str()), Ok(op));
        }
    }

    #[test]
    fn wrong_methods_and_unknown_edges() {
        use ObjectKind::{Business, PhoneNumber, Template, Waba};
        assert_eq!(
            find(Template, None, "DELETE"),
            Err(Unrouted::UnsupportedMethod)
        );
        assert_eq!(
            find(Waba, Some("subscribed_apps"), "PUT"),
            Err(Unrouted::UnsupportedMethod)
        );
        assert_eq!(
            find(PhoneNumber, None, "get"),
            Err(Unrouted::UnsupportedMethod)
        );
        // An edge of another kind of object is unknown on this one.
        assert_eq!(
            find(Business, Some("messages"), "POST"),
            Err(Unrouted::UnknownPath)
        );
        assert_eq!(
            find(Waba, Some("nonexistent"), "GET"),
            Err(Unrouted::UnknownPath)
        );
    }

    #[test]
    fn request_kinds_from_paths() {
        let edit = json!({"components": [{"type": "BODY", "text": "hi"}]});
        let update = json!({"disable_marketing_messages_on_cloud_api": true});
        let cases = [
            (
                "post",
                "/123/messages",
                json!({}),
                Some(PayloadKind::MessageRequest),
            ),
            (
                "POST",
                "/v25.0/123/message_templates/",
                json!({}),
                Some(PayloadKind::TemplateCreateRequest),
            ),
            (
                "POST",
                "/123/subscribed_apps",
                json!({}),
                Some(PayloadKind::SubscribedAppsRequest),
            ),
            ("POST", "/123", edit, Some(PayloadKind::TemplateEditRequest)),
            ("POST", "/123", update, Some(PayloadKind::WabaUpdateRequest)),
            // Neither detected: the first row's, as before the table.
            (
                "POST",
                "/123",
                json!({}),
                Some(PayloadKind::WabaUpdateRequest),
            ),
            ("POST", "/123/onboard_partners_to_mm_lite", json!({}), None),
            // An upload session's piece is raw bytes, never a WABA update.
            ("POST", "/v23.0/upload:ODQ3MDM5", json!(null), None),
            ("DELETE", "/123/subscribed_apps", json!({}), None),
            ("POST", "/123/messages/extra", json!({}), None),
            ("POST", "/me/messages", json!({}), None),
            ("POST", "/v23.0", json!({}), None),
        ];
        for (method, path, body, kind) in cases {
            assert_eq!(request_kind(method, path, &body), kind, "{method} {path}");
        }
    }
}
