//! The notification envelope: `{"object": .., "entry": [..]}` and Threads' own shape.
//!
//! Parsing borrows from the raw body and leaves every field value as a
//! [`RawValue`]: a value is only deserialised when a handler asks for it through
//! [`Payload<T>`](crate::Payload). Unknown keys are never an error; the raw JSON of the
//! whole body and of every entry stays reachable ([`Notification::raw`],
//! [`Entry::raw`]).
//!
//! Once the body is an envelope, nothing inside it is an error: an entry that is
//! not an object, a change without a string `field`, a messaging event that is not
//! an object, each becomes an item with no field (delivered to object-wide and
//! catch-all handlers) while the rest of the batch routes as usual.
//!
//! # Entry ids and times
//!
//! Meta sends `entry[].id` as a string, and sometimes as a JSON number (the leadgen
//! sample, the legacy `uid`). Both are accepted and normalised to the text Meta sent,
//! so ids above 2^53 keep every digit. When `id` is absent the legacy `uid` is used.
//!
//! `entry[].time` is kept as the raw number Meta sent: **seconds** for Graph topics,
//! **milliseconds** for Messenger and Instagram messaging entries, absent for WhatsApp
//! `messages`. [`Entry::time_unix_seconds`] applies the usual heuristic (a number
//! above 10^11 is milliseconds) when you need one unit.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::json_str::{Str, string};
use crate::messaging_events::MessagingEvent;

mod one_pass;

use one_pass::Raw;

/// A parsed webhook delivery, borrowing from the raw body.
#[derive(Debug)]
pub struct Notification<'a> {
    raw: Raw<'a>,
    object: Cow<'a, str>,
    entries: Vec<Entry<'a>>,
    threads: bool,
}

/// One element of `entry[]`: the changes to one object (a Page, an Instagram
/// account, a WhatsApp Business Account, a user ...).
#[derive(Debug)]
pub struct Entry<'a> {
    raw: Raw<'a>,
    pub(crate) id: Option<Cow<'a, str>>,
    pub(crate) uid: Option<Cow<'a, str>>,
    pub(crate) time: Option<u64>,
    pub(crate) changes: Vec<Change<'a>>,
    /// `None` for an element that is not a string.
    pub(crate) changed_fields: Vec<Option<Cow<'a, str>>>,
    pub(crate) messaging: Vec<MessagingEvent<'a>>,
    pub(crate) standby: Vec<MessagingEvent<'a>>,
    /// Messenger Calling's entry-level keys: each element of `calls[]` (field
    /// `calls`) and the `call_settings` object (field `call_settings_update`), as
    /// `(entry key, field, value)`.
    pub(crate) calling: Vec<(&'static str, &'static str, &'a RawValue)>,
    /// The flat `entry.field` + `entry.value` form (Instagram Business Login), or
    /// Threads' `values.field` + `values.value`.
    pub(crate) flat: Option<Change<'a>>,
    /// Not an object, or its arrays are not arrays: routed as one item, no field.
    pub(crate) malformed: bool,
}

/// One `{"field": .., "value": ..}` element of `entry[].changes[]`.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    /// `None` when the element has no string `field` (or is not an object).
    pub(crate) field: Option<Cow<'a, str>>,
    pub(crate) value: &'a RawValue,
    /// Keys beside `field` and `value` (`action` of Page `page_upcoming_change`),
    /// in the order sent; empty (no allocation) when there are none.
    pub(crate) keys: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// Why a body is not a webhook notification.
#[derive(Debug)]
pub struct ParseError {
    kind: ParseErrorKind,
}

#[derive(Debug)]
enum ParseErrorKind {
    Json(serde_json::Error),
    NotAnEnvelope,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ParseErrorKind::Json(e) => write!(f, "body is not valid JSON: {e}"),
            ParseErrorKind::NotAnEnvelope => f.write_str(
                "body is JSON but not a webhook notification: expected an object with \
                 `object` (string) and `entry` (array), or a Threads notification with \
                 `topic` and `values`",
            ),
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ParseErrorKind::Json(e) => Some(e),
            ParseErrorKind::NotAnEnvelope => None,
        }
    }
}

/// The envelope, its entries kept raw (`E = &RawValue`) or parsed in the same pass
/// (`E = EntryWire`, see [`one_pass`]).
#[derive(Deserialize)]
struct EnvelopeWire<'a, E> {
    #[serde(borrow)]
    object: Option<Str<'a>>,
    entry: Option<Vec<E>>,
    // Threads: {"app_id", "topic", "target_id", "time", "subscription_id", "values": {"field", "value"}}
    #[serde(borrow)]
    topic: Option<Str<'a>>,
    #[serde(borrow)]
    target_id: Option<&'a RawValue>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
    #[serde(borrow)]
    values: Option<&'a RawValue>,
}

/// `{"field", "value"}`, with both kept raw so that a wrong type is not an error,
/// and every other key of the change beside them. A duplicated `field` or `value`
/// is an error, as it was when this was a derived struct.
struct FlatWire<'a> {
    field: Option<&'a RawValue>,
    value: Option<&'a RawValue>,
    /// Whether `value` was sent (`null` included, which `value` reads as `None`).
    has_value: bool,
    keys: Vec<(Cow<'a, str>, &'a RawValue)>,
}

/// A key of a change: `field` and `value` told apart without building a string.
enum ChangeKey<'a> {
    Field,
    Value,
    Other(Cow<'a, str>),
}

impl<'de: 'a, 'a> Deserialize<'de> for ChangeKey<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> serde::de::Visitor<'de> for KeyVisitor {
            type Value = ChangeKey<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Self::Value, E> {
                Ok(match v {
                    "field" => ChangeKey::Field,
                    "value" => ChangeKey::Value,
                    other => ChangeKey::Other(Cow::Borrowed(other)),
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(match v {
                    "field" => ChangeKey::Field,
                    "value" => ChangeKey::Value,
                    other => ChangeKey::Other(Cow::Owned(other.to_owned())),
                })
            }
        }
        deserializer.deserialize_identifier(KeyVisitor)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for FlatWire<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ChangeVisitor;
        impl<'de> serde::de::Visitor<'de> for ChangeVisitor {
            type Value = FlatWire<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a change object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<FlatWire<'de>, A::Error> {
                let mut wire = FlatWire {
                    field: None,
                    value: None,
                    has_value: false,
                    keys: Vec::new(),
                };
                let mut seen = (false, false);
                while let Some(key) = map.next_key::<ChangeKey<'de>>()? {
                    match key {
                        ChangeKey::Field if seen.0 => {
                            return Err(serde::de::Error::duplicate_field("field"));
                        }
                        ChangeKey::Value if seen.1 => {
                            return Err(serde::de::Error::duplicate_field("value"));
                        }
                        ChangeKey::Field => (seen.0, wire.field) = (true, map.next_value()?),
                        ChangeKey::Value => (seen.1, wire.value) = (true, map.next_value()?),
                        ChangeKey::Other(key) => {
                            let value: &'de RawValue = map.next_value()?;
                            wire.keys.push((key, value));
                        }
                    }
                }
                wire.has_value = seen.1;
                Ok(wire)
            }
        }
        deserializer.deserialize_map(ChangeVisitor)
    }
}

/// The arrays are kept raw so that a malformed element only affects itself; the
/// one-pass parse reads `changes[]` elements in place (`C = FlatWire`).
#[derive(Deserialize)]
struct EntryWire<'a, C> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    uid: Option<&'a RawValue>,
    #[serde(borrow)]
    time: Option<&'a RawValue>,
    changes: Option<Vec<C>>,
    #[serde(borrow)]
    changed_fields: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    messaging: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    standby: Option<Vec<&'a RawValue>>,
    #[serde(borrow)]
    field: Option<&'a RawValue>,
    #[serde(borrow)]
    value: Option<&'a RawValue>,
    // Messenger Calling: raw, so that a shape other than the documented one costs
    // only itself.
    #[serde(borrow)]
    calls: Option<&'a RawValue>,
    #[serde(borrow)]
    call_settings: Option<&'a RawValue>,
    /// Meta's Calling page puts this event on the entry itself, with `sender`,
    /// `recipient` and `timestamp` beside it: the entry is the event.
    #[serde(borrow)]
    pub(super) call_permission_reply: Option<&'a RawValue>,
}

impl<'a> Change<'a> {
    /// A change with no `value` but keys beside `field` (Meta's in-app purchase
    /// webhook) has the whole change as its value, so that a typed value reads
    /// those keys.
    fn parse(raw: &'a RawValue) -> Self {
        match serde_json::from_str::<FlatWire<'a>>(raw.get()) {
            Ok(wire) if !wire.has_value && !wire.keys.is_empty() => Change {
                value: raw,
                ..Self::from_wire(wire)
            },
            Ok(wire) => Self::from_wire(wire),
            Err(_) => Change {
                field: None,
                value: raw,
                keys: Vec::new(),
            },
        }
    }

    fn from_wire(wire: FlatWire<'a>) -> Self {
        Change {
            field: wire.field.and_then(string),
            value: wire.value.unwrap_or(null()),
            keys: wire.keys,
        }
    }
}

impl<'a> Notification<'a> {
    /// Parses a webhook body.
    ///
    /// Accepts the `{"object", "entry"}` envelope (unknown objects included), Threads'
    /// `{"topic", "target_id", "values"}` shape, and a one-element JSON array around
    /// either (a form Meta's documentation examples use).
    ///
    /// ```
    /// let body = br#"{"object":"page","entry":[{"id":1234,"time":1700000000,
    ///     "changes":[{"field":"feed","value":{"item":"status","verb":"add"}}]}]}"#;
    /// let n = webhook_core::Notification::parse(body)?;
    /// assert_eq!(n.object(), "page");
    /// assert_eq!(n.entries()[0].id(), Some("1234"));
    /// let item = n.items().next().unwrap();
    /// assert_eq!(item.field(), Some("feed"));
    /// # Ok::<(), webhook_core::ParseError>(())
    /// ```
    pub fn parse(body: &'a [u8]) -> Result<Self, ParseError> {
        if let Some(notification) = one_pass::parse(body) {
            return Ok(notification);
        }
        Self::parse_in_parts(body)
    }

    /// The parse every body can take: the body, then each entry, then each change
    /// from its raw JSON, so that a malformed element only affects itself and errors
    /// say what is wrong. [`one_pass::parse`] gives the same result in one pass when
    /// nothing is malformed.
    fn parse_in_parts(body: &'a [u8]) -> Result<Self, ParseError> {
        let not_an_envelope = || ParseError {
            kind: ParseErrorKind::NotAnEnvelope,
        };
        let raw: &'a RawValue = serde_json::from_slice(body).map_err(ParseError::json)?;
        let raw = unwrap_single_element_array(raw).ok_or_else(not_an_envelope)?;
        // Valid JSON of the wrong shape (`[]`, `null`, a number, `"entry": 5` ...).
        let wire: EnvelopeWire<'a, &'a RawValue> =
            serde_json::from_str(raw.get()).map_err(|_| not_an_envelope())?;
        match wire {
            EnvelopeWire {
                object: Some(object),
                entry: Some(entries),
                ..
            } => {
                let entries = entries
                    .into_iter()
                    .map(|raw| Entry::parse(raw, &object.0))
                    .collect();
                Ok(Self {
                    raw: Raw::Known(raw),
                    object: object.0,
                    entries,
                    threads: false,
                })
            }
            EnvelopeWire {
                object: None,
                topic: Some(topic),
                values: Some(values),
                target_id,
                time,
                ..
            } => {
                let entry = Entry {
                    id: target_id.and_then(id_text),
                    time: time.and_then(number),
                    flat: Some(Change::parse(values)),
                    ..Entry::empty(raw)
                };
                Ok(Self {
                    raw: Raw::Known(raw),
                    object: topic.0,
                    entries: vec![entry],
                    threads: true,
                })
            }
            _ => Err(not_an_envelope()),
        }
    }

    /// The `object` of the delivery (`page`, `instagram`, `whatsapp_business_account`,
    /// ...), or the `topic` of a Threads notification.
    #[must_use]
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The entries, in delivery order.
    #[must_use]
    pub fn entries(&self) -> &[Entry<'a>] {
        &self.entries
    }

    /// Whether this is a Threads notification (no `object`/`entry`; see
    /// [`routing`](crate::routing) for how it is routed).
    #[must_use]
    pub fn is_threads(&self) -> bool {
        self.threads
    }

    /// The whole body as JSON, exactly as received (after a one-pass parse, each
    /// call reads the body again to find it: keep the result if you need it often).
    #[must_use]
    pub fn raw(&self) -> &'a RawValue {
        self.raw.get()
    }
}

fn unwrap_single_element_array(raw: &RawValue) -> Option<&RawValue> {
    if !raw.get().starts_with('[') {
        return Some(raw);
    }
    match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
        Ok(items) if items.len() == 1 => Some(items[0]),
        _ => None,
    }
}

/// Messenger Calling's entry-level items: one per element of `calls[]` (the whole
/// value when it is not an array), `call_settings`, and a `call_permission_reply`
/// entry (whose value is the entry).
fn calling<'a>(
    calls: Option<&'a RawValue>,
    settings: Option<&'a RawValue>,
    permission_reply: Option<&'a RawValue>,
) -> Vec<(&'static str, &'static str, &'a RawValue)> {
    let mut items = Vec::new();
    if let Some(calls) = calls.filter(|v| v.get() != "null") {
        match serde_json::from_str::<Vec<&'a RawValue>>(calls.get()) {
            Ok(elements) => items.extend(elements.into_iter().map(|e| ("calls", "calls", e))),
            Err(_) => items.push(("calls", "calls", calls)),
        }
    }
    if let Some(settings) = settings.filter(|v| v.get() != "null") {
        items.push(("call_settings", "call_settings_update", settings));
    }
    if let Some(reply) = permission_reply {
        items.push(("call_permission_reply", "call_permission_reply", reply));
    }
    items
}

impl<'a> Entry<'a> {
    fn empty(raw: &'a RawValue) -> Self {
        Self {
            raw: Raw::Known(raw),
            id: None,
            uid: None,
            time: None,
            changes: Vec::new(),
            changed_fields: Vec::new(),
            messaging: Vec::new(),
            standby: Vec::new(),
            calling: Vec::new(),
            flat: None,
            malformed: false,
        }
    }

    fn parse(raw: &'a RawValue, object: &str) -> Self {
        let Ok(wire) = serde_json::from_str::<EntryWire<'a, &'a RawValue>>(raw.get()) else {
            return Self {
                malformed: true,
                ..Self::empty(raw)
            };
        };
        Self::from_wire(wire, object, Raw::Known(raw), Change::parse)
    }

    fn from_wire<C>(
        wire: EntryWire<'a, C>,
        object: &str,
        raw: Raw<'a>,
        change: fn(C) -> Change<'a>,
    ) -> Self {
        let events = |events: Option<Vec<&'a RawValue>>| -> Vec<_> {
            events
                .unwrap_or_default()
                .into_iter()
                .map(|ev| MessagingEvent::classify(object, ev))
                .collect()
        };
        let flat = match (wire.field, wire.value) {
            (Some(field), Some(value)) => Some(Change {
                field: string(field),
                value,
                keys: Vec::new(),
            }),
            _ => None,
        };
        Self {
            id: wire.id.and_then(id_text),
            uid: wire.uid.and_then(id_text),
            time: wire.time.and_then(number),
            changes: wire
                .changes
                .unwrap_or_default()
                .into_iter()
                .map(change)
                .collect(),
            changed_fields: wire
                .changed_fields
                .unwrap_or_default()
                .into_iter()
                .map(string)
                .collect(),
            messaging: events(wire.messaging),
            standby: events(wire.standby),
            calling: calling(
                wire.calls,
                wire.call_settings,
                wire.call_permission_reply
                    .filter(|v| v.get() != "null")
                    .map(|reply| {
                        // The one-pass parse leaves such entries to the parse in
                        // parts, which knows the entry's JSON.
                        debug_assert!(matches!(raw, Raw::Known(_)), "an event entry");
                        match &raw {
                            Raw::Known(entry) => *entry,
                            _ => reply,
                        }
                    }),
            ),
            flat,
            raw,
            malformed: false,
        }
    }

    /// The entry's object id (Page id, Instagram account id, WABA id, user id,
    /// `"0"` for App Dashboard tests), as the text Meta sent; falls back to the
    /// legacy `uid`. `None` only when neither is present.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref().or(self.uid.as_deref())
    }

    /// The legacy `uid` (present on `user` and `permissions` entries).
    #[must_use]
    pub fn uid(&self) -> Option<&str> {
        self.uid.as_deref()
    }

    /// `entry[].time` as sent: seconds or milliseconds (see the [module docs](self)).
    /// Numbers sent as strings of digits are accepted.
    #[must_use]
    pub fn time(&self) -> Option<u64> {
        self.time
    }

    /// [`time`](Self::time) in Unix seconds, reading numbers above 10^11 as
    /// milliseconds.
    #[must_use]
    pub fn time_unix_seconds(&self) -> Option<u64> {
        self.time.map(unix_seconds)
    }

    /// Whether this entry comes from the App Dashboard's "Test" button (id `"0"`).
    #[must_use]
    pub fn is_test(&self) -> bool {
        self.id() == Some("0")
    }

    /// The whole entry as JSON, exactly as received, unknown keys included (after a
    /// one-pass parse the first call reads the body once more to locate entries,
    /// and each call reads the entry again).
    #[must_use]
    pub fn raw(&self) -> &'a RawValue {
        self.raw.get()
    }
}

impl ParseError {
    fn json(error: serde_json::Error) -> Self {
        Self {
            kind: ParseErrorKind::Json(error),
        }
    }

    /// Whether the body was not JSON at all (as opposed to JSON of the wrong shape).
    #[must_use]
    pub fn is_syntax(&self) -> bool {
        matches!(self.kind, ParseErrorKind::Json(_))
    }
}

/// The JSON `null`, for items that carry no value (a `changed_fields` name).
pub(crate) fn null() -> &'static RawValue {
    RawValue::NULL
}

/// An id sent as a string (unescaped) or a number (its literal text).
fn id_text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let text = raw.get();
    if text.starts_with('"') {
        string(raw)
    } else if text == "null" {
        None
    } else {
        Some(Cow::Borrowed(text))
    }
}

/// A non-negative integer sent as a number or a string of digits.
pub(crate) fn number(raw: &RawValue) -> Option<u64> {
    let text = raw.get();
    let digits = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    digits.parse().ok()
}

/// Reads a Meta time as Unix seconds: numbers above 10^11 are milliseconds.
pub(crate) fn unix_seconds(time: u64) -> u64 {
    if time > 100_000_000_000 {
        time / 1000
    } else {
        time
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_strings_and_numbers_keep_every_digit() {
        let body = br#"{"object":"page","entry":[{"id":"17841400000000001"},{"id":153125381133999999},{"uid":1335845740}]}"#;
        let n = Notification::parse(body).unwrap();
        let ids: Vec<_> = n.entries().iter().map(Entry::id).collect();
        assert_eq!(
            ids,
            [
                Some("17841400000000001"),
                Some("153125381133999999"),
                Some("1335845740")
            ]
        );
        assert_eq!(n.entries()[2].uid(), Some("1335845740"));
    }

    #[test]
    fn time_is_kept_raw_and_converted_on_request() {
        let body = br#"{"object":"page","entry":[{"id":"1","time":1700000000},{"id":"2","time":1700000000123},{"id":"3","time":"1527459824"},{"id":"4"}]}"#;
        let n = Notification::parse(body).unwrap();
        let raw: Vec<_> = n.entries().iter().map(Entry::time).collect();
        assert_eq!(
            raw,
            [
                Some(1_700_000_000),
                Some(1_700_000_000_123),
                Some(1_527_459_824),
                None
            ]
        );
        let secs: Vec<_> = n.entries().iter().map(Entry::time_unix_seconds).collect();
        assert_eq!(
            secs,
            [
                Some(1_700_000_000),
                Some(1_700_000_000),
                Some(1_527_459_824),
                None
            ]
        );
    }

    #[test]
    fn unknown_keys_are_kept_in_the_raw_json() {
        let body = br#"{"object":"brand_new","future":1,"entry":[{"id":"1","hop_context":null,"novel":{"a":1}}]}"#;
        let n = Notification::parse(body).unwrap();
        assert_eq!(n.object(), "brand_new");
        assert!(n.entries()[0].raw().get().contains(r#""novel":{"a":1}"#));
        assert!(n.raw().get().contains(r#""future":1"#));
    }

    #[test]
    fn escaped_strings_are_unescaped() {
        let body = br#"{"object":"p\u0061ge","entry":[{"id":"1\u0032","changes":[{"field":"f\u0065ed","value":1}]}]}"#;
        let n = Notification::parse(body).unwrap();
        assert_eq!(n.object(), "page");
        assert_eq!(n.entries()[0].id(), Some("12"));
        assert_eq!(n.items().next().unwrap().field(), Some("feed"));
    }

    #[test]
    fn one_element_array_is_unwrapped() {
        let n = Notification::parse(br#"[{"object":"instagram","entry":[]}]"#).unwrap();
        assert_eq!(n.object(), "instagram");
    }

    #[test]
    fn refusals_say_what_is_wrong() {
        for (body, syntax) in [
            (&b"not json"[..], true),
            (b"", true),
            (b"{\"object\":\"page\"", true),
            (b"[]", false),
            (b"null", false),
            (b"{}", false),
            (b"{\"object\":\"page\",\"entry\":5}", false),
            (
                b"[{\"object\":\"page\",\"entry\":[]},{\"object\":\"page\",\"entry\":[]}]",
                false,
            ),
        ] {
            let err = Notification::parse(body).unwrap_err();
            assert_eq!(err.is_syntax(), syntax, "{body:?}: {err}");
        }
    }

    #[test]
    fn malformed_elements_become_fieldless_items_and_the_rest_routes() {
        let body = br#"{"object":"page","entry":[
            {"id":"1","changes":[{"value":1},{"field":"feed","value":{}},7,{"field":3,"value":{}}],
             "changed_fields":["name",4],"messaging":[1,{"message":{"mid":"m"}}]},
            "not an entry",
            {"id":"3","changes":{"field":"feed"}},
            {"id":"4","changes":null,"messaging":null,"standby":null,"changed_fields":null}]}"#;
        let n = Notification::parse(body).unwrap();
        let got: Vec<_> = n
            .items()
            .map(|i| {
                (
                    i.entry().id(),
                    i.field(),
                    i.kind().name(),
                    i.value().get().len(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Some("1"), None, "change", 1),
                (Some("1"), Some("feed"), "change", 2),
                (Some("1"), None, "change", 1),
                (Some("1"), None, "change", 2),
                (Some("1"), Some("name"), "changed_fields", 4),
                (Some("1"), None, "changed_fields", 4),
                (Some("1"), None, "malformed", 1),
                (Some("1"), Some("messages"), "message", 23),
                (None, None, "malformed_entry", 14),
                (None, None, "malformed_entry", 37),
            ]
        );
    }

    #[test]
    fn empty_arrays_route_nothing() {
        let n =
            Notification::parse(br#"{"object":"page","entry":[{"id":"1","changes":[]}]}"#).unwrap();
        assert_eq!(n.items().count(), 0);
        let n = Notification::parse(br#"{"object":"page","entry":[]}"#).unwrap();
        assert_eq!(n.items().count(), 0);
    }
}
