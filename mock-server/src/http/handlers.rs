//! Each row of [`wa_contract::operations`] with its handler in [`crate::graph`]: a handler whose
//! row has a request body gets it typed ([`super::body::decode`]), and every answer is
//! serialised once, here.

use serde::Serialize;
use wa_contract::operations::{Operation, OperationId};

use super::body::{FromBody, decode};
use super::request::GraphRequest;
use crate::domain::Refusal;
use crate::graph::{Ctx, media, nodes, send, templates, uploads};

/// What an operation is handed beside its context: its row, its request, and where its body's
/// contract violations go (the journal entry's).
pub(super) struct Call<'r> {
    pub(super) operation: &'static Operation,
    pub(super) request: &'r GraphRequest<'r>,
    pub(super) violations: Vec<String>,
}

impl Call<'_> {
    /// The request's body, typed, as its row says to read it.
    pub(super) fn body<T: FromBody>(&mut self) -> Result<T, Refusal> {
        decode(self.operation, self.request, &mut self.violations)
    }
}

/// A handler: its answer as the bytes sent.
type Run = fn(&mut Ctx<'_>, &mut Call<'_>) -> Result<Vec<u8>, Refusal>;

/// How an operation runs: most change state in one critical section; the subscription waits
/// on the callback's handshake first. Named rather than boxed, so the common path allocates no
/// future.
#[derive(Clone, Copy)]
pub(super) enum Handler {
    /// Runs at once.
    Sync(Run),
    /// `POST /{waba_id}/subscribed_apps`: the handshake, then the subscription.
    SubscribeApp,
}

/// A handler of an operation without a body.
macro_rules! read {
    ($handler:path) => {
        Handler::Sync(|ctx, _| $handler(ctx).map(|answer| json_bytes(&answer)))
    };
}

/// A handler of an operation with a body: the body is typed as the handler takes it.
macro_rules! write {
    ($handler:path) => {
        Handler::Sync(|ctx, call| {
            let body = call.body()?;
            $handler(ctx, body).map(|answer| json_bytes(&answer))
        })
    };
}

/// The handler of each operation in the table.
pub(super) fn handler(id: OperationId) -> Handler {
    match id {
        OperationId::GetPhoneNumber => read!(nodes::get_phone_number),
        OperationId::SendMarketingMessage => write!(send::send_marketing_message),
        OperationId::SendMessage => write!(send::send_message),
        OperationId::GetWaba => read!(nodes::get_waba),
        OperationId::UpdateWaba => write!(nodes::update_waba),
        OperationId::ListTemplates => read!(templates::list_templates),
        OperationId::CreateTemplate => write!(templates::create_template),
        OperationId::DeleteTemplates => read!(templates::delete_templates),
        OperationId::ListPhoneNumbers => read!(nodes::list_phone_numbers),
        OperationId::GetTemplateAnalytics => read!(templates::template_analytics),
        OperationId::ListSubscribedApps => read!(nodes::list_subscribed_apps),
        OperationId::SubscribeApp => Handler::SubscribeApp,
        OperationId::UnsubscribeApp => read!(nodes::unsubscribe_app),
        OperationId::GetTemplate => read!(templates::get_template),
        OperationId::EditTemplate => write!(templates::edit_template),
        OperationId::UnpauseTemplate => read!(templates::unpause_template),
        OperationId::GetBusiness => read!(nodes::get_business),
        OperationId::ListClientWabas => read!(nodes::list_client_wabas),
        OperationId::OnboardPartners => read!(nodes::onboard_partners),
        OperationId::UploadMedia => Handler::Sync(|ctx, call| {
            let fields = super::body::fields(call.request)?;
            let file = call.request.file.as_ref();
            media::upload_media(ctx, &fields, file).map(|answer| json_bytes(&answer))
        }),
        OperationId::GetMedia => Handler::Sync(|ctx, call| {
            media::get_media(ctx, &call.request.origin()).map(|answer| json_bytes(&answer))
        }),
        OperationId::DeleteMedia => read!(media::delete_media),
        OperationId::CreateUploadSession => read!(uploads::create_upload_session),
        OperationId::UploadFileChunk => Handler::Sync(|ctx, call| {
            let offset = call.request.file_offset();
            uploads::upload_file_chunk(ctx, offset, call.request.raw.bytes())
                .map(|answer| json_bytes(&answer))
        }),
        OperationId::GetUploadSession => read!(uploads::get_upload_session),
    }
}

/// `body` as JSON bytes.
pub(super) fn json_bytes(body: &impl Serialize) -> Vec<u8> {
    // Room for a send's answer or an error, so that writing one does not grow the buffer.
    let mut bytes = Vec::with_capacity(256);
    match serde_json::to_writer(&mut bytes, body) {
        Ok(()) => bytes,
        Err(_) => Vec::new(),
    }
}
