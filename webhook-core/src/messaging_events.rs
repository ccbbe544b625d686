//! The messaging-event table: which subscription field each Messenger and Instagram
//! event key is routed under (see [`routing`](crate::routing) for the table as
//! documentation), and the classification of one event while the body is parsed.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::json_str::Str;

/// One event key of the messaging table and the fields it routes to.
struct EventRoute {
    key: &'static str,
    page: &'static str,
    instagram: &'static str,
}

const fn route(key: &'static str, page: &'static str, instagram: &'static str) -> EventRoute {
    EventRoute {
        key,
        page,
        instagram,
    }
}

/// The messaging table in precedence order (`field` and `message` are handled
/// before it). Its index is a bit in [`EventKeys::present`].
const EVENT_ROUTES: &[EventRoute] = &[
    route("delivery", "message_deliveries", "message_deliveries"),
    route("read", "message_reads", "messaging_seen"),
    route("postback", "messaging_postbacks", "messaging_postbacks"),
    route("optin", "messaging_optins", "messaging_optins"),
    route("referral", "messaging_referrals", "messaging_referral"),
    route("reaction", "message_reactions", "message_reactions"),
    route(
        "account_linking",
        "messaging_account_linking",
        "messaging_account_linking",
    ),
    route(
        "pass_thread_control",
        "messaging_handovers",
        "messaging_handover",
    ),
    route(
        "take_thread_control",
        "messaging_handovers",
        "messaging_handover",
    ),
    route(
        "request_thread_control",
        "messaging_handovers",
        "messaging_handover",
    ),
    route("app_roles", "messaging_handovers", "messaging_handover"),
    route(
        "policy_enforcement",
        "messaging_policy_enforcement",
        "messaging_policy_enforcement",
    ),
    route(
        "policy-enforcement",
        "messaging_policy_enforcement",
        "messaging_policy_enforcement",
    ),
    route("message_edit", "message_edits", "message_edit"),
    route("game_play", "messaging_game_plays", "messaging_game_plays"),
    route(
        "response_feedback",
        "response_feedback",
        "response_feedback",
    ),
    route(
        "messaging_feedback",
        "messaging_feedback",
        "messaging_feedback",
    ),
    route(
        "checkout_update",
        "messaging_checkout_updates",
        "messaging_checkout_updates",
    ),
    route("payment", "messaging_payments", "messaging_payments"),
    route(
        "pre_checkout",
        "messaging_pre_checkouts",
        "messaging_pre_checkouts",
    ),
    // Meta's send_cart reference: the event's key is `order`, its field `send_cart`.
    route("order", "send_cart", "send_cart"),
];

/// Keys every messaging event carries besides its event key.
const ENVELOPE_KEYS: &[&str] = &["sender", "recipient", "timestamp"];

/// A classified element of `messaging[]` or `standby[]`.
#[derive(Debug)]
pub(crate) struct MessagingEvent<'a> {
    pub(crate) raw: &'a RawValue,
    /// The event key that decided the route (`message`, `postback`, ...), or the
    /// first unrecognised key.
    pub(crate) key: Cow<'a, str>,
    /// The subscription field; `None` for an unknown event.
    pub(crate) field: Option<Cow<'a, str>>,
}

impl<'a> MessagingEvent<'a> {
    /// Decides an event's field. An element that is not an object is kept with key
    /// `malformed` and no field.
    pub(crate) fn classify(object: &str, raw: &'a RawValue) -> Self {
        let Ok(keys) = serde_json::from_str::<EventKeys<'a>>(raw.get()) else {
            return Self {
                raw,
                key: Cow::Borrowed("malformed"),
                field: None,
            };
        };
        let instagram = object == "instagram";
        let (key, field) = if let Some(field) = keys.field {
            (field.clone(), Some(field))
        } else if let Some(is_echo) = keys.message_echo {
            let field = if is_echo && !instagram {
                "message_echoes"
            } else {
                "messages"
            };
            (Cow::Borrowed("message"), Some(Cow::Borrowed(field)))
        } else if let Some(route) = EVENT_ROUTES
            .iter()
            .enumerate()
            .find(|(i, _)| keys.present & (1 << i) != 0)
            .map(|(_, r)| r)
        {
            let field = if instagram {
                route.instagram
            } else {
                route.page
            };
            (Cow::Borrowed(route.key), Some(Cow::Borrowed(field)))
        } else {
            (keys.unknown.unwrap_or(Cow::Borrowed("unknown")), None)
        };
        Self { raw, key, field }
    }
}

/// Every `(object, field)` a messaging event can be routed to.
pub(crate) fn routed_fields() -> Vec<(&'static str, &'static str)> {
    let mut fields = vec![
        ("page", "messages"),
        ("page", "message_echoes"),
        ("instagram", "messages"),
        ("page", "standby"),
        ("instagram", "standby"),
    ];
    for route in EVENT_ROUTES {
        fields.push(("page", route.page));
        fields.push(("instagram", route.instagram));
    }
    fields
}

/// What routing needs from an event, read in one pass without materialising values.
struct EventKeys<'a> {
    field: Option<Cow<'a, str>>,
    /// `Some(is_echo)` when a non-null `message` key is present.
    message_echo: Option<bool>,
    /// One bit per [`EVENT_ROUTES`] entry present.
    present: u32,
    unknown: Option<Cow<'a, str>>,
}

const _: () = assert!(
    EVENT_ROUTES.len() <= 32,
    "EventKeys::present has one bit per route"
);

/// `is_echo`, read tolerantly: `true`, `"true"` and `1` all mean an echo.
fn is_echo(message: &RawValue) -> bool {
    #[derive(Deserialize)]
    struct Flags<'a> {
        #[serde(borrow)]
        is_echo: Option<&'a RawValue>,
    }
    serde_json::from_str::<Flags<'_>>(message.get())
        .ok()
        .and_then(|f| f.is_echo)
        .is_some_and(|v| matches!(v.get(), "true" | "\"true\"" | "1" | "\"1\""))
}

impl<'de: 'a, 'a> Deserialize<'de> for EventKeys<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = EventKeys<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a messaging event object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut keys = EventKeys {
                    field: None,
                    message_echo: None,
                    present: 0,
                    unknown: None,
                };
                while let Some(Str(key)) = map.next_key::<Str<'de>>()? {
                    match &*key {
                        "field" => keys.field = map.next_value::<Option<Str<'de>>>()?.map(|s| s.0),
                        "message" => {
                            let message = map.next_value::<&'de RawValue>()?;
                            if message.get() != "null" {
                                // Most messages are not echoes: look for the key's name
                                // (or an escape that could spell it) before parsing.
                                let text = message.get();
                                let maybe = text.contains("is_echo") || text.contains('\\');
                                keys.message_echo = Some(maybe && is_echo(message));
                            }
                        }
                        other => {
                            map.next_value::<IgnoredAny>()?;
                            if let Some(i) = EVENT_ROUTES.iter().position(|r| r.key == other) {
                                keys.present |= 1 << i;
                            } else if keys.unknown.is_none() && !ENVELOPE_KEYS.contains(&other) {
                                keys.unknown = Some(key);
                            }
                        }
                    }
                }
                Ok(keys)
            }
        }
        deserializer
            .deserialize_map(KeysVisitor)
            .map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_messaging_event_routes_to_a_known_field() {
        for (object, field) in routed_fields() {
            assert!(
                crate::names::is_known(object, Some(field)),
                "messaging events are routed to ({object}, {field}), which `#[on]` rejects"
            );
        }
    }
}
