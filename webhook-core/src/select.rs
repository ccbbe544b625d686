//! Routing below the field: `when(key = "value")` filters and per-element routing with
//! `each = "array"`.
//!
//! A route may narrow what it receives within its `(object, field)`:
//!
//! - **filters** (`#[on(object = "page", field = "feed", when(item = "comment", verb = "add"))]`)
//!   compare top-level keys of the item's *payload*: a change's `value`, or for a
//!   messaging or standby event the object under its event key (`message`,
//!   `postback`, ...); a key the payload lacks is looked up beside the change's
//!   `field` and `value` (`when(action = "pending")` on `page_upcoming_change`). A JSON string matches its text; a number, boolean or `null`
//!   matches its JSON text (`published = "1"` matches `1` and `"1"`). A missing key
//!   never matches.
//! - **`each = "messages"`** calls the handler once per element of the payload's
//!   array `messages`, and the filters then apply to each element
//!   (`#[on(object = "whatsapp_business_account", field = "messages", each = "messages", when(type = "text"))]`).
//!   [`Payload<T>`](crate::Payload) reads the element; the whole change stays reachable
//!   ([`RawItem::value`](crate::RawItem), or a context extractor such as
//!   [`fields::whatsapp::ChangeContext`](crate::fields::whatsapp::ChangeContext)).
//!
//! Without `each` a handler is called once per item (once per WhatsApp change,
//! however many messages it holds); with `each`, once per matching element. An item
//! that no route selects goes to the catch-all handlers.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde_json::value::RawValue;

use crate::json_str::{Str, string};
use crate::messaging_events::MessagingEvent;
use crate::routing::{Item, ItemKind};

/// A route's filters below its field (see [`Route::when`](crate::Route::when) and
/// [`Route::each`](crate::Route::each)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    pub(crate) each: Option<Box<str>>,
    pub(crate) equals: Vec<(Box<str>, Box<str>)>,
}

impl Filter {
    /// Whether it selects everything.
    pub(crate) fn is_empty(&self) -> bool {
        self.each.is_none() && self.equals.is_empty()
    }

    /// `each = "..", when(key = "..")` as written in `#[on]`, for logs.
    pub(crate) fn describe(&self) -> String {
        let pairs: Vec<_> = self.pairs().collect();
        let when = (!pairs.is_empty()).then(|| format!("when({})", pairs.join(", ")));
        self.each_text()
            .into_iter()
            .chain(when)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `each = "..", key = ".."`: the form durable progress keys were written in
    /// before filters had their own group, kept so that stored progress still
    /// matches its route.
    pub(crate) fn key_text(&self) -> String {
        self.each_text()
            .into_iter()
            .chain(self.pairs())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn each_text(&self) -> Option<String> {
        self.each.as_ref().map(|e| format!("each = {e:?}"))
    }

    fn pairs(&self) -> impl Iterator<Item = String> + '_ {
        self.equals.iter().map(|(k, v)| format!("{k} = {v:?}"))
    }
}

/// One element of the array a route iterates with `each`.
#[derive(Debug, Clone, Copy)]
pub struct Element<'n> {
    /// The array's key (`messages`, `statuses`, ...).
    pub key: &'n str,
    /// The element's position in the array.
    pub index: usize,
    /// The element's JSON.
    pub value: &'n RawValue,
}

/// Top-level keys of a JSON object, borrowed from the body.
pub(crate) struct Keys<'a>(HashMap<Key<'a>, &'a RawValue>);

#[derive(PartialEq, Eq)]
struct Key<'a>(Str<'a>);

impl Hash for Key<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.0.as_ref().hash(state);
    }
}

impl Borrow<str> for Key<'_> {
    fn borrow(&self) -> &str {
        &self.0.0
    }
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for Key<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Str::deserialize(deserializer).map(Key)
    }
}

impl<'a> Keys<'a> {
    /// The keys of `raw`, or `None` when it is not an object.
    pub(crate) fn of(raw: &'a RawValue) -> Option<Self> {
        serde_json::from_str(raw.get()).ok().map(Keys)
    }

    fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.get(key).copied()
    }

    /// The elements of the array under `key` (none when absent or not an array).
    pub(crate) fn elements(&self, key: &str) -> Vec<&'a RawValue> {
        self.get(key)
            .and_then(|raw| serde_json::from_str(raw.get()).ok())
            .unwrap_or_default()
    }
}

/// Whether every `key = value` pair holds in `keys`, or for a key the payload
/// lacks, among the change-level keys of `item` (`action` beside a change's
/// `field` and `value`).
pub(crate) fn matches(
    keys: Option<&Keys<'_>>,
    item: Option<&Item<'_>>,
    equals: &[(Box<str>, Box<str>)],
) -> bool {
    equals.iter().all(|(key, expected)| {
        keys.and_then(|k| k.get(key))
            .or_else(|| item.and_then(|item| item.change_key(key)))
            .is_some_and(|raw| match string(raw) {
                Some(text) => *text == **expected,
                None => raw.get() == &**expected,
            })
    })
}

/// What filters look at: a change's value, or a messaging event's payload (also
/// when the event comes as a change's value, the App Dashboard's test form, or as
/// an entry, Messenger's `call_permission_reply`).
pub(crate) fn payload<'n>(item: &Item<'n>) -> &'n RawValue {
    if let Some(key) = item.kind().event_key() {
        return event_payload(item.value(), key);
    }
    if item.kind() == ItemKind::Change
        && matches!(item.object(), "page" | "instagram")
        && item.value().get().contains("\"recipient\"")
    {
        let event = MessagingEvent::classify(item.object(), item.value());
        if event.field.is_some() {
            return event_payload(item.value(), &event.key);
        }
    }
    item.value()
}

fn event_payload<'n>(event: &'n RawValue, key: &str) -> &'n RawValue {
    Keys::of(event)
        .and_then(|k| k.get(key))
        .filter(|raw| raw.get().starts_with('{'))
        .unwrap_or(event)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(pairs: &[(&str, &str)]) -> Vec<(Box<str>, Box<str>)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn strings_match_their_text_and_scalars_their_json() {
        let raw: &RawValue = serde_json::from_str(
            r#"{"item":"comment","published":1,"hidden":false,"n":null,"s":"caf\u00e9"}"#,
        )
        .unwrap();
        let keys = Keys::of(raw);
        let m = |pairs| matches(keys.as_ref(), None, &eq(pairs));
        assert!(m(&[("item", "comment")]));
        assert!(m(&[
            ("item", "comment"),
            ("published", "1"),
            ("hidden", "false"),
            ("n", "null"),
            ("s", "café")
        ]));
        assert!(!m(&[("item", "post")]));
        assert!(!m(&[("missing", "x")]));
        assert!(!m(&[("published", "true")]));
        assert!(m(&[]));
        assert!(!matches(None, None, &eq(&[("item", "comment")])));
    }

    #[test]
    fn the_dashboard_test_form_filters_on_the_event_payload() {
        let body = br#"{"object":"page","entry":[{"id":"0","changes":[{"field":"messaging_postbacks","value":
            {"sender":{"id":"1"},"recipient":{"id":"2"},"timestamp":"1527459824","postback":{"payload":"GET_STARTED"}}}]}]}"#;
        let n = crate::Notification::parse(body).unwrap();
        let item = n.items().next().unwrap();
        assert!(matches(
            Keys::of(payload(&item)).as_ref(),
            Some(&item),
            &eq(&[("payload", "GET_STARTED")])
        ));
    }

    #[test]
    fn a_key_beside_the_change_is_matched_when_the_value_lacks_it() {
        let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[
            {"field":"page_upcoming_change","value":{"change_type":"name"},"action":"pending"}]}]}"#;
        let n = crate::Notification::parse(body).unwrap();
        let item = n.items().next().unwrap();
        let keys = Keys::of(payload(&item));
        assert!(matches(
            keys.as_ref(),
            Some(&item),
            &eq(&[("action", "pending")])
        ));
        assert!(!matches(
            keys.as_ref(),
            Some(&item),
            &eq(&[("action", "created")])
        ));
        assert!(matches(
            keys.as_ref(),
            Some(&item),
            &eq(&[("action", "pending"), ("change_type", "name")])
        ));
        // The value's own key wins over one beside the change.
        let both = br#"{"object":"page","entry":[{"id":"1","changes":[
            {"field":"f","value":{"action":"inner"},"action":"outer"}]}]}"#;
        let n = crate::Notification::parse(both).unwrap();
        let item = n.items().next().unwrap();
        let keys = Keys::of(payload(&item));
        assert!(matches(
            keys.as_ref(),
            Some(&item),
            &eq(&[("action", "inner")])
        ));
    }

    #[test]
    fn elements_of_an_array() {
        let raw: &RawValue =
            serde_json::from_str(r#"{"messages":[{"a":1},{"b":2}],"x":3}"#).unwrap();
        let keys = Keys::of(raw).unwrap();
        let got: Vec<_> = keys
            .elements("messages")
            .iter()
            .map(|e| e.get().to_owned())
            .collect();
        assert_eq!(got, [r#"{"a":1}"#, r#"{"b":2}"#]);
        assert!(keys.elements("x").is_empty());
        assert!(keys.elements("absent").is_empty());
    }
}
