//! The common case in one pass: a well-formed envelope is read straight from the
//! body, every change's `field` and raw `value` taken as the parser passes them.
//!
//! [`Notification::parse_in_parts`] reads the body, then each entry, then each
//! change again from their raw JSON, so that a malformed element only affects
//! itself; every value's bytes are scanned four times. This pass scans them once and
//! gives up (`None`) at the first thing that is not the common shape: a malformed
//! entry or change, a Threads body, a one-element array, invalid JSON. The caller
//! then takes the parse in parts, so results and errors are the same either way:
//! both read through the same wire structs, and this pass only succeeds when every
//! element would have parsed there too.
//!
//! The raw JSON of the body and of each entry is skipped here and found on request
//! ([`Raw`]): entries are located by one more pass over the body the first time,
//! and each request reads its entry (or the whole body) again.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;
use serde_json::value::RawValue;

use super::{Change, Entry, EntryWire, EnvelopeWire, FlatWire, Notification};

/// An envelope whose entries and changes are parsed in place.
type OnePass<'a> = EnvelopeWire<'a, EntryWire<'a, FlatWire<'a>>>;

/// Parses `body` in one pass, or `None` when it needs the parse in parts.
pub(super) fn parse(body: &[u8]) -> Option<Notification<'_>> {
    // The parse in parts validates UTF-8 everywhere (raw values are `str`); skipped
    // strings here are not, so check the whole body first.
    let text = std::str::from_utf8(body).ok()?;
    if !text.trim_start_matches(is_json_whitespace).starts_with('{') {
        return None;
    }
    let wire: OnePass<'_> = serde_json::from_str(text).ok()?;
    let (Some(object), Some(entries)) = (wire.object, wire.entry) else {
        return None;
    };
    // An entry that is itself an event needs its raw JSON, which the parse in parts
    // finds.
    // So does a change with keys beside `field` and no `value`, whose value is
    // the change itself.
    if entries.iter().any(|e| {
        e.call_permission_reply.is_some()
            || e.changes
                .iter()
                .flatten()
                .any(|c| !c.has_value && !c.keys.is_empty())
    }) {
        return None;
    }
    let skipped = Arc::new(Skipped {
        text,
        entries: OnceLock::new(),
    });
    let entries = entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let raw = Raw::Entry(Arc::clone(&skipped), index);
            Entry::from_wire(entry, &object.0, raw, Change::from_wire)
        })
        .collect();
    Some(Notification {
        raw: Raw::Body(skipped),
        object: object.0,
        entries,
        threads: false,
    })
}

fn is_json_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Where the raw JSON of a body or an entry is.
#[derive(Debug, Clone)]
pub(super) enum Raw<'a> {
    /// Found while parsing.
    Known(&'a RawValue),
    /// The body of a one-pass parse.
    Body(Arc<Skipped<'a>>),
    /// An entry of a one-pass parse, by index.
    Entry(Arc<Skipped<'a>>, usize),
}

impl<'a> Raw<'a> {
    pub(super) fn get(&self) -> &'a RawValue {
        match self {
            Self::Known(raw) => raw,
            Self::Body(skipped) => skipped.body(),
            Self::Entry(skipped, index) => skipped.entry(*index),
        }
    }
}

/// The raw JSON a one-pass parse did not keep, found on request. Entries are
/// located once and remembered as byte ranges, which keeps this type (and so
/// [`Entry`]) covariant in `'a`, as a cell of borrowed values would not be; each
/// request then reads its range again (the body's, the whole body).
pub(super) struct Skipped<'a> {
    text: &'a str,
    entries: OnceLock<Vec<(usize, usize)>>,
}

/// The body is left out: `Debug` of a notification would print it once per entry.
impl std::fmt::Debug for Skipped<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Skipped")
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

/// Only the entries, raw.
#[derive(Deserialize)]
struct Entries<'a> {
    #[serde(borrow)]
    entry: Vec<&'a RawValue>,
}

impl<'a> Skipped<'a> {
    fn body(&self) -> &'a RawValue {
        // The text parsed as an envelope, so it is valid JSON.
        serde_json::from_str(self.text).unwrap_or(RawValue::NULL)
    }

    fn entry(&self, index: usize) -> &'a RawValue {
        let ranges = self.entries.get_or_init(|| {
            let start = self.text.as_ptr() as usize;
            serde_json::from_str::<Entries<'_>>(self.text)
                .map(|e| e.entry)
                .unwrap_or_default()
                .into_iter()
                .map(|raw| {
                    let at = raw.get().as_ptr() as usize - start;
                    (at, at + raw.get().len())
                })
                .collect()
        });
        // The body parsed with this many entries, each valid JSON: the fallback is
        // unreachable.
        ranges
            .get(index)
            .and_then(|&(from, to)| serde_json::from_str(&self.text[from..to]).ok())
            .unwrap_or(RawValue::NULL)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::sample::select;

    use super::*;

    /// Everything a caller can see of a parsed notification.
    fn seen(n: &Notification<'_>) -> String {
        let entries: Vec<_> = n
            .entries()
            .iter()
            .map(|e| (e.id(), e.uid(), e.time(), e.raw().get()))
            .collect();
        let items: Vec<_> = n
            .items()
            .map(|i| (i.entry().id(), i.field(), i.kind().name(), i.value().get()))
            .collect();
        format!(
            "{} {} {} {entries:?} {items:?}",
            n.object(),
            n.is_threads(),
            n.raw().get()
        )
    }

    const CHANGES: &[&str] = &[
        r#"{"field":"page_upcoming_change","value":null,"action":"pending"}"#,
        r#"{"field":"feed","value":{"item":"status","verb":"add","n":[1,2.5,null,true]}}"#,
        r#" { "value" : "text with \" and \\" , "field" : "f\u0065ed" , "extra": {} } "#,
        r#"{"field":"mentions","value":null}"#,
        r#"{"field":"feed"}"#,
        "{}",
        // Malformed: the parse in parts must decide.
        r#"{"value":1,"field":3}"#,
        "7",
        r#"["feed",1]"#,
        r#"{"field":"feed","field":"other","value":1}"#,
    ];
    const EVENTS: &[&str] = &[
        r#"{"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":1,"message":{"mid":"m","is_echo":true}}"#,
        r#"{"sender":{"id":"1"},"postback":{"payload":"P"}}"#,
        r#"{"brand_new_event":{}}"#,
        r#"{"field":"group_feed","value":{}}"#,
        "1",
    ];
    const IDS: &[&str] = &[
        r#""id":"17841400000000001","#,
        r#""id":153125381133999999,"#,
        r#""uid":"9","time":"1527459824","#,
        r#""id":null,"time":1700000000123,"#,
        "",
    ];
    const MALFORMED_ENTRIES: &[&str] = &[r#""not an entry""#, r#"{"changes":5}"#, "null"];
    /// A change the one pass leaves to the parse in parts: keys beside `field`, no
    /// `value` (its value is the change itself).
    const VALUELESS: &str = r#"{"field":"in_app_purchase","product_id":"p"}"#;
    /// Messenger Calling's keys on the entry; an entry that is itself an event
    /// (`call_permission_reply`) is left to the parse in parts.
    const ENTRY_KEYS: &[&str] = &[
        r#""calls":[{"id":"c","event":"connect"},7],"#,
        r#""calls":{"id":"c"},"#,
        r#""call_settings":{"audio_enabled":true},"#,
        r#""call_permission_reply":null,"#,
        r#""call_permission_reply":{"response":"approve"},"#,
    ];

    prop_compose! {
        fn entry()(
            id in select(IDS),
            changes in prop::collection::vec(select(CHANGES), 0..4),
            events in prop::collection::vec(select(EVENTS), 0..3),
            names in prop::option::of(Just(r#""changed_fields":["name",4],"#)),
            malformed in prop::option::weighted(0.1, select(MALFORMED_ENTRIES)),
            valueless in prop::option::weighted(0.1, Just(VALUELESS)),
            entry_key in prop::option::weighted(0.2, select(ENTRY_KEYS)),
        ) -> String {
            let mut changes = changes;
            changes.extend(valueless);
            malformed.map_or_else(
                || format!(
                    r#"{{{id}{}{}"changes":[{}],"messaging":[{}],"unknown":{{"k":[1]}}}}"#,
                    names.unwrap_or_default(),
                    entry_key.unwrap_or_default(),
                    changes.join(","),
                    events.join(",")
                ),
                str::to_owned,
            )
        }
    }

    prop_compose! {
        fn body()(
            object in select(&["page", "instagram", "p\\u0061ge", "brand_new"][..]),
            entries in prop::collection::vec(entry(), 0..4),
            object_last in any::<bool>(),
            wrapped in prop::option::weighted(0.1, Just(())),
        ) -> String {
            let entries = entries.join(",");
            let body = if object_last {
                format!("\n {{\"entry\":[{entries}],\"extra\":\"x\",\"object\":\"{object}\"}} \n")
            } else {
                format!("{{\"object\":\"{object}\",\"entry\":[{entries}]}}")
            };
            if wrapped.is_some() { format!("[{body}]") } else { body }
        }
    }

    proptest! {
        #[test]
        fn one_pass_sees_what_the_parse_in_parts_sees(body in body()) {
            let in_parts = Notification::parse_in_parts(body.as_bytes()).unwrap();
            let one_pass = parse(body.as_bytes());
            let left_to_parts = body.contains(VALUELESS)
                || body.contains(r#""call_permission_reply":{"#);
            let well_formed = !body.starts_with('[')
                && !left_to_parts
                && !MALFORMED_ENTRIES.iter().chain(&CHANGES[6..]).chain(&EVENTS[4..]).any(|m| {
                    body.contains(&format!("[{m}")) || body.contains(&format!(",{m}"))
                });
            if let Some(one_pass) = &one_pass {
                prop_assert_eq!(seen(one_pass), seen(&in_parts));
            }
            // Malformed events are classified after the pass, so they do not stop it.
            let events_only = !body.starts_with('[')
                && !left_to_parts
                && !MALFORMED_ENTRIES.iter().chain(&CHANGES[6..]).any(|m| {
                    body.contains(&format!("[{m}")) || body.contains(&format!(",{m}"))
                });
            if well_formed || events_only {
                prop_assert!(one_pass.is_some(), "one pass gave up on {}", body);
            }
        }
    }

    #[test]
    fn invalid_utf8_and_threads_take_the_parse_in_parts() {
        let mut body = br#"{"object":"page","entry":[],"note":"?"}"#.to_vec();
        let at = body.iter().position(|&b| b == b'?').unwrap();
        body[at] = 0xff;
        assert!(parse(&body).is_none());
        assert!(Notification::parse(&body).unwrap_err().is_syntax());
        let threads =
            br#"{"topic":"moderate","target_id":"1","values":{"field":"replies","value":{}}}"#;
        assert!(parse(threads).is_none());
        assert!(Notification::parse(threads).unwrap().is_threads());
    }

    #[test]
    fn entry_raws_are_found_on_request() {
        let body = br#"{"object":"page","entry":[ {"id":"1","novel":{"a":1}} ,{"id":"2"}]}"#;
        let n = parse(body).unwrap();
        assert_eq!(n.entries()[1].raw().get(), r#"{"id":"2"}"#);
        assert_eq!(n.entries()[0].raw().get(), r#"{"id":"1","novel":{"a":1}}"#);
        assert_eq!(n.raw().get(), std::str::from_utf8(body).unwrap());
    }
}
