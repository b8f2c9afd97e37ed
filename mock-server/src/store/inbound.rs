//! The user's side, driven by the admin API: recipient profiles, and the messages and button
//! taps users send.

use super::{Sandbox, Store};
use crate::domain::events::{EventKind, InboundMessage};
use crate::domain::recipient::{Profile, digits, stops_promotions};
use crate::ids::{PhoneNumberId, Wamid};

/// What a user sends.
#[derive(Clone, Debug)]
pub(crate) enum InboundBody {
    /// A text message.
    Text(String),
    /// A quick-reply button tap, optionally on a message we sent.
    Button {
        /// Button text.
        text: String,
        /// Button payload.
        payload: String,
        /// The wamid of the template message tapped.
        context: Option<String>,
    },
}

impl Store {
    /// Sets a recipient's profile (admin).
    pub(crate) fn set_recipient(&self, sandbox: &Sandbox, wa_id: String, profile: Profile) {
        sandbox.lock().recipients.set_profile(wa_id, profile);
    }

    /// A user message or button tap arrives (admin); a tap on a "stop promotions" button opts
    /// the user out of marketing.
    pub(crate) fn inbound(
        &self,
        sandbox: &Sandbox,
        phone_id: &PhoneNumberId,
        from: &str,
        name: Option<String>,
        body: InboundBody,
    ) -> Option<Wamid> {
        let now = sandbox.clock.now();
        let mut state = sandbox.lock();
        let phone = state.phones.iter().find(|p| &p.id == phone_id)?.clone();
        let wa_id = digits(from);
        let wamid = state.ids.wamids.wamid(&wa_id);
        let mut message = serde_json::json!({
            "from": wa_id,
            "id": wamid,
            "timestamp": now.unix_seconds().to_string(),
        });
        match body {
            InboundBody::Text(text) => {
                message["type"] = "text".into();
                message["text"] = serde_json::json!({ "body": text });
            }
            InboundBody::Button {
                text,
                payload,
                context,
            } => {
                if stops_promotions(&text) {
                    state.recipients.opt_out(wa_id.clone());
                }
                message["type"] = "button".into();
                message["button"] = serde_json::json!({ "payload": payload, "text": text });
                if let Some(context) = context {
                    message["context"] = serde_json::json!({
                        "from": phone.display_phone_number,
                        "id": context,
                    });
                }
            }
        }
        let profile_name = name.unwrap_or_else(|| state.recipients.profile(&wa_id).name);
        state.outbox.push(
            now,
            EventKind::Inbound(InboundMessage {
                waba_id: phone.waba_id.clone(),
                phone_number_id: phone.id.clone(),
                display_phone_number: phone.display_phone_number,
                profile_name,
                message,
            }),
        );
        self.publish(sandbox, state);
        Some(wamid)
    }
}
