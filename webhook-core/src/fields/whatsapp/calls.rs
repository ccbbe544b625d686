//! `calls`: the WhatsApp Business Calling API's call events and call statuses
//! (Meta's Calling reference,
//! <https://developers.facebook.com/docs/whatsapp/cloud-api/calling/reference>).

use serde::{Deserialize, Serialize};

use super::{Contact, Error, Metadata};
use crate::fields::{Id, Timestamp};

/// A change of the `calls` field: calls connecting or ending, or the status of a
/// call the business placed.
///
/// ```
/// use webhook_core::fields::whatsapp::{CallEvent, Calls};
///
/// let v: Calls = serde_json::from_str(r#"{"messaging_product":"whatsapp",
///     "calls":[{"id":"wacid.1","from":"155","to":"166","event":"terminate",
///     "timestamp":"1767225720","status":"COMPLETED","duration":115}]}"#)?;
/// assert_eq!(v.calls[0].event, Some(CallEvent::Terminate));
/// assert_eq!(v.calls[0].duration, Some(115));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Calls {
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: Option<String>,
    /// The business phone number.
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// The callers.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Calls connecting or ending.
    #[serde(default)]
    pub calls: Vec<Call>,
    /// Statuses of calls the business placed (`RINGING`, `ACCEPTED`, `REJECTED`).
    #[serde(default)]
    pub statuses: Vec<CallStatus>,
    /// Errors.
    #[serde(default)]
    pub errors: Vec<Error>,
}

crate::fields::string_enum! {
    /// What happened to a call.
    pub enum CallEvent {
        /// The call is connecting (it carries the SDP offer or answer).
        Connect = "connect",
        /// The call ended.
        Terminate = "terminate",
    }
}

/// One call event, an element of the `calls` change's `calls[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct Call {
    /// The call (`wacid.…`).
    #[serde(default)]
    pub id: Option<String>,
    /// Who called.
    #[serde(default)]
    pub from: Option<Id>,
    /// Who was called.
    #[serde(default)]
    pub to: Option<Id>,
    /// What happened.
    #[serde(default)]
    pub event: Option<CallEvent>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// `USER_INITIATED` or `BUSINESS_INITIATED`.
    #[serde(default)]
    pub direction: Option<String>,
    /// The data the business attached when it placed or accepted the call.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
    /// `connect`: the media session to answer.
    #[serde(default)]
    pub session: Option<CallSession>,
    /// `terminate`: `COMPLETED` or `FAILED`.
    #[serde(default)]
    pub status: Option<String>,
    /// `terminate`: when the call was answered, Unix seconds.
    #[serde(default)]
    pub start_time: Option<Timestamp>,
    /// `terminate`: when it ended.
    #[serde(default)]
    pub end_time: Option<Timestamp>,
    /// `terminate`: how long it lasted, seconds.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_u32")]
    pub duration: Option<u32>,
}

/// The media session of a connecting call (WebRTC SDP).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct CallSession {
    /// `offer` or `answer`.
    #[serde(default)]
    pub sdp_type: Option<String>,
    /// The SDP text.
    #[serde(default)]
    pub sdp: Option<String>,
}

/// The status of a call the business placed.
///
/// Element of (`whatsapp_business_account`, `calls`) `value.statuses[]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
pub struct CallStatus {
    /// The call (`wacid.…`).
    #[serde(default)]
    pub id: Option<String>,
    /// When, Unix seconds.
    #[serde(default)]
    pub timestamp: Option<Timestamp>,
    /// Always `call`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// `RINGING`, `ACCEPTED` or `REJECTED`.
    #[serde(default)]
    pub status: Option<String>,
    /// The person called.
    #[serde(default)]
    pub recipient_id: Option<Id>,
    /// The data the business attached when it placed the call.
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
}
