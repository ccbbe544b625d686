//! `flows`: a WhatsApp Flow changed status, or its endpoint's health crossed a
//! threshold (Meta's "Flows webhooks" guide,
//! <https://developers.facebook.com/docs/whatsapp/flows/guides/webhooks>).

use serde::{Deserialize, Serialize};

use crate::fields::Id;

crate::fields::string_enum! {
    /// What a `flows` notification is about.
    pub enum FlowEvent {
        /// The Flow was published, deprecated, blocked, throttled ...
        FlowStatusChange = "FLOW_STATUS_CHANGE",
        /// Errors reported by WhatsApp clients crossed a threshold.
        ClientErrorRate = "CLIENT_ERROR_RATE",
        /// Errors of the Flow's endpoint crossed a threshold.
        EndpointErrorRate = "ENDPOINT_ERROR_RATE",
        /// The endpoint's latency crossed a threshold.
        EndpointLatency = "ENDPOINT_LATENCY",
        /// The endpoint's availability fell below a threshold.
        EndpointAvailability = "ENDPOINT_AVAILABILITY",
    }
}

/// A Flow's status change or an alert about its endpoint.
///
/// ```
/// use webhook_core::fields::whatsapp::{FlowEvent, Flows};
///
/// let v: Flows = serde_json::from_str(r#"{"event":"FLOW_STATUS_CHANGE","flow_id":"555",
///     "message":"Flow changed status","old_status":"DRAFT","new_status":"PUBLISHED"}"#)?;
/// assert_eq!(v.event, Some(FlowEvent::FlowStatusChange));
/// assert_eq!(v.new_status.as_deref(), Some("PUBLISHED"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct Flows {
    /// What happened.
    #[serde(default)]
    pub event: Option<FlowEvent>,
    /// Meta's description of it.
    #[serde(default)]
    pub message: Option<String>,
    /// The Flow.
    #[serde(default)]
    pub flow_id: Option<Id>,
    /// `FLOW_STATUS_CHANGE`: the status before (`DRAFT`, `PUBLISHED`, `THROTTLED` ...).
    #[serde(default)]
    pub old_status: Option<String>,
    /// `FLOW_STATUS_CHANGE`: the status now.
    #[serde(default)]
    pub new_status: Option<String>,
    /// Alerts: `ACTIVATED` when the threshold is crossed, `DEACTIVATED` when back.
    #[serde(default)]
    pub alert_state: Option<String>,
    /// Alerts: the threshold crossed (a percentage, or milliseconds for latency).
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub threshold: Option<f64>,
    /// Error-rate alerts: the rate, in percent.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub error_rate: Option<f64>,
    /// Error-rate alerts: the errors by type.
    #[serde(default)]
    pub errors: Vec<FlowError>,
    /// Latency and availability alerts: the requests counted.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub requests_count: Option<f64>,
    /// Latency alerts: median latency, milliseconds.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub p50_latency: Option<f64>,
    /// Latency alerts: 90th percentile latency, milliseconds.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub p90_latency: Option<f64>,
    /// Availability alerts: the availability, in percent.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub availability: Option<f64>,
    /// A warning Meta attached.
    #[serde(default)]
    pub warning: Option<String>,
}

/// One kind of error of an error-rate alert.
///
/// Element of (`whatsapp_business_account`, `flows`) `value.errors[]`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
pub struct FlowError {
    /// `TIMEOUT`, `INVALID_RESPONSE`, ...
    #[serde(default)]
    pub error_type: Option<String>,
    /// Its share of the errors, in percent.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub error_rate: Option<f64>,
    /// How many.
    #[serde(default, deserialize_with = "crate::fields::lenient::option_f64")]
    pub error_count: Option<f64>,
}
