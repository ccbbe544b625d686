//! From a notification to routed items: one `(object, field)` per change, per
//! messaging or standby event, per legacy `changed_fields` name, per flat
//! `entry.field`/`entry.value` entry, and per Threads notification.
//!
//! # Routing algorithm
//!
//! ```text
//! Threads body (no "object", has "topic"):  object = topic, field = values.field, entry id = target_id
//! for entry in body.entry, in order:        (entry id = entry.id, else entry.uid)
//!     for c in entry.changes:               (object, c.field)                 kind "change"
//!     for f in entry.changed_fields:        (object, f)                       kind "changed_fields"
//!     for ev in entry.messaging:            (object, messaging_field(ev))     kind = the event key
//!     for ev in entry.standby:              (object, "standby")               kind "standby"
//!     if entry has "field" and "value":     (object, entry.field)             kind "entry_field"
//! ```
//!
//! # Messaging events to subscription fields
//!
//! A Messenger (`page`) or Instagram (`instagram`) event is routed under the
//! subscription field that delivers it. The first key of this table present in the
//! event decides; any other object follows the `page` column.
//!
//! | event key | `page` field | `instagram` field |
//! |---|---|---|
//! | `field` (e.g. `group_feed`) | the value of `field` | the value of `field` |
//! | `message` | `messages` | `messages` |
//! | `message` with `is_echo: true` | `message_echoes` | `messages` |
//! | `delivery` | `message_deliveries` | `message_deliveries` |
//! | `read` | `message_reads` | `messaging_seen` |
//! | `postback` | `messaging_postbacks` | `messaging_postbacks` |
//! | `optin` | `messaging_optins` | `messaging_optins` |
//! | `referral` | `messaging_referrals` | `messaging_referral` |
//! | `reaction` | `message_reactions` | `message_reactions` |
//! | `account_linking` | `messaging_account_linking` | `messaging_account_linking` |
//! | `pass_thread_control`, `take_thread_control`, `request_thread_control`, `app_roles` | `messaging_handovers` | `messaging_handover` |
//! | `policy_enforcement`, `policy-enforcement` | `messaging_policy_enforcement` | `messaging_policy_enforcement` |
//! | `message_edit` | `message_edits` | `message_edit` |
//! | `game_play` | `messaging_game_plays` | `messaging_game_plays` |
//! | `response_feedback` | `response_feedback` | `response_feedback` |
//! | `messaging_feedback` | `messaging_feedback` | `messaging_feedback` |
//! | `checkout_update` | `messaging_checkout_updates` | `messaging_checkout_updates` |
//! | `payment` | `messaging_payments` | `messaging_payments` |
//! | `pre_checkout` | `messaging_pre_checkouts` | `messaging_pre_checkouts` |
//! | `order` (a cart sent from a shop) | `send_cart` | `send_cart` |
//! | anything else | no field: object-wide handlers and the catch-all | same |
//!
//! An event inside `standby[]` is routed under `standby`, whatever its key.
//! A WhatsApp change is one item, however many `messages[]` or `statuses[]` it holds.

use serde_json::value::RawValue;

use crate::payload::{self, Entry, Notification};

/// Where a routed item came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemKind<'n> {
    /// An element of `entry[].changes[]`.
    Change,
    /// A name in `entry[].changed_fields[]` (values are not included).
    ChangedField,
    /// An element of `entry[].messaging[]`, with its event key (`message`, `postback`, ...).
    Messaging(&'n str),
    /// An element of `entry[].standby[]`, with its event key.
    Standby(&'n str),
    /// The flat `entry.field` + `entry.value` form.
    EntryField,
    /// A value Meta puts on the entry itself under this key: Messenger Calling's
    /// `calls` (one item per element, field `calls`) and `call_settings` (field
    /// `call_settings_update`).
    EntryKey(&'n str),
    /// A Threads notification.
    Threads,
    /// An entry that is not an object (or whose arrays are not arrays): the whole
    /// entry is one item with no field.
    MalformedEntry,
}

impl<'n> ItemKind<'n> {
    /// For an item that is a whole event (a messaging or standby event, or an entry
    /// that is itself one: Messenger's `call_permission_reply`), the key of its
    /// payload; `None` for changes and the rest.
    #[must_use]
    pub fn event_key(self) -> Option<&'n str> {
        match self {
            Self::Messaging(key)
            | Self::Standby(key)
            | Self::EntryKey(key @ "call_permission_reply") => Some(key),
            _ => None,
        }
    }

    /// A short name: `change`, `changed_fields`, the messaging event key, `standby`,
    /// `entry_field`, the entry key (`calls`, `call_settings`) or `threads`.
    #[must_use]
    pub fn name(self) -> &'n str {
        match self {
            Self::Change => "change",
            Self::ChangedField => "changed_fields",
            Self::Messaging(key) | Self::EntryKey(key) => key,
            Self::Standby(_) => "standby",
            Self::EntryField => "entry_field",
            Self::Threads => "threads",
            Self::MalformedEntry => "malformed_entry",
        }
    }
}

/// Whether `(object, field)` is delivered as Messenger or Instagram messaging
/// events (`messaging[]` / `standby[]`) rather than as changes: such fields need
/// the messaging permission (`pages_messaging`, `instagram_manage_messages`).
///
/// ```
/// use webhook_core::routing::is_messaging_field;
/// assert!(is_messaging_field("page", "messaging_postbacks"));
/// assert!(is_messaging_field("instagram", "messaging_seen"));
/// assert!(!is_messaging_field("page", "feed"));
/// ```
#[must_use]
pub fn is_messaging_field(object: &str, field: &str) -> bool {
    crate::messaging_events::routed_fields()
        .iter()
        .any(|&(o, f)| o == object && f == field)
}

/// One routed item of a notification, borrowing from it.
#[derive(Debug, Clone, Copy)]
pub struct Item<'n> {
    object: &'n str,
    field: Option<&'n str>,
    kind: ItemKind<'n>,
    entry: &'n Entry<'n>,
    value: &'n RawValue,
    keys: &'n [(std::borrow::Cow<'n, str>, &'n RawValue)],
}

impl<'n> Item<'n> {
    /// The notification's object (`page`, `instagram`, ...).
    #[must_use]
    pub fn object(&self) -> &'n str {
        self.object
    }

    /// The subscription field the item is routed under; `None` for a messaging event
    /// whose key is not in the routing table.
    #[must_use]
    pub fn field(&self) -> Option<&'n str> {
        self.field
    }

    /// Where the item came from.
    #[must_use]
    pub fn kind(&self) -> ItemKind<'n> {
        self.kind
    }

    /// The entry holding the item.
    #[must_use]
    pub fn entry(&self) -> &'n Entry<'n> {
        self.entry
    }

    /// The item's raw JSON: a change's `value` (the whole change when it has no
    /// `value` but keys beside `field`, as Meta's in-app purchase webhook sends),
    /// the whole messaging or standby event, or `null` for a `changed_fields` name.
    #[must_use]
    pub fn value(&self) -> &'n RawValue {
        self.value
    }

    /// The keys of a change beside `field` and `value`, raw, in the order sent:
    /// Page `page_upcoming_change` and `page_change_proposal` carry `action`
    /// there. Empty for every other kind of item.
    ///
    /// ```
    /// let body = br#"{"object":"page","entry":[{"id":"1","time":1,"changes":[
    ///     {"field":"page_upcoming_change","value":{"proposal":{}},"action":"pending"}]}]}"#;
    /// let n = webhook_core::Notification::parse(body)?;
    /// let item = n.items().next().unwrap();
    /// let keys: Vec<_> = item.change_keys().map(|(k, v)| (k, v.get())).collect();
    /// assert_eq!(keys, [("action", r#""pending""#)]);
    /// # Ok::<(), webhook_core::ParseError>(())
    /// ```
    pub fn change_keys(&self) -> impl Iterator<Item = (&'n str, &'n RawValue)> + use<'n> {
        self.keys.iter().map(|(key, value)| (key.as_ref(), *value))
    }

    /// The change-level key `key` (see [`change_keys`](Self::change_keys)).
    #[must_use]
    pub fn change_key(&self, key: &str) -> Option<&'n RawValue> {
        self.keys
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, value)| *value)
    }
}

impl Notification<'_> {
    /// Every routed item, in delivery order (see the [routing algorithm](crate::routing)).
    pub fn items(&self) -> impl Iterator<Item = Item<'_>> + '_ {
        let object = self.object();
        let flat_kind = if self.is_threads() {
            ItemKind::Threads
        } else {
            ItemKind::EntryField
        };
        self.entries().iter().flat_map(move |entry: &Entry<'_>| {
            let item = Item {
                object,
                field: None,
                kind: ItemKind::Change,
                entry,
                value: payload::null(),
                keys: &[],
            };
            let malformed = entry.malformed.then(|| Item {
                kind: ItemKind::MalformedEntry,
                value: entry.raw(),
                ..item
            });
            let changes = entry.changes.iter().map(move |c| Item {
                field: c.field.as_deref(),
                value: c.value,
                keys: &c.keys,
                ..item
            });
            let names = entry.changed_fields.iter().map(move |f| Item {
                field: f.as_deref(),
                kind: ItemKind::ChangedField,
                ..item
            });
            let messaging = entry.messaging.iter().map(move |ev| Item {
                field: ev.field.as_deref(),
                kind: ItemKind::Messaging(&ev.key),
                value: ev.raw,
                ..item
            });
            let standby = entry.standby.iter().map(move |ev| Item {
                field: Some("standby"),
                kind: ItemKind::Standby(&ev.key),
                value: ev.raw,
                ..item
            });
            let calling = entry.calling.iter().map(move |&(key, field, value)| Item {
                field: Some(field),
                kind: ItemKind::EntryKey(key),
                value,
                ..item
            });
            let flat = entry.flat.iter().map(move |c| Item {
                field: c.field.as_deref(),
                kind: flat_kind,
                value: c.value,
                ..item
            });
            malformed
                .into_iter()
                .chain(changes)
                .chain(names)
                .chain(messaging)
                .chain(standby)
                .chain(calling)
                .chain(flat)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_events_name_the_key_of_their_payload() {
        assert_eq!(
            ItemKind::Messaging("postback").event_key(),
            Some("postback")
        );
        assert_eq!(ItemKind::Standby("message").event_key(), Some("message"));
        assert_eq!(
            ItemKind::EntryKey("call_permission_reply").event_key(),
            Some("call_permission_reply")
        );
        assert_eq!(ItemKind::EntryKey("calls").event_key(), None);
        assert_eq!(ItemKind::Change.event_key(), None);
    }

    #[test]
    fn a_change_without_a_value_has_itself_as_its_value() {
        // Meta's in-app purchase webhook: keys beside `field`, no `value`.
        let body = br#"{"object":"application","entry":[{"id":"1","changes":[
            {"field":"in_app_purchase","product_id":"gems"},
            {"field":"dev_alerts","value":{"header":"h"}},
            {"field":"name"},
            {"field":"page_upcoming_change","value":null,"action":"pending"}]}]}"#;
        let n = Notification::parse(body).unwrap();
        let values: Vec<_> = n.items().map(|i| i.value().get()).collect();
        assert_eq!(
            values,
            [
                r#"{"field":"in_app_purchase","product_id":"gems"}"#,
                r#"{"header":"h"}"#,
                "null",
                "null"
            ]
        );
    }

    #[test]
    fn messenger_calling_events_on_the_entry_are_items() {
        // Meta's Calling page: `calls[]` and `call_settings` sit on the entry.
        let body = br#"{"object":"page","entry":[{"id":"1","time":5,
            "calls":[{"id":"c1","event":"connect"},{"id":"c1","event":"terminate"}],
            "call_settings":{"audio_enabled":true},
            "changes":[{"field":"feed","value":{}}]}]}"#;
        let n = Notification::parse(body).unwrap();
        let items: Vec<_> = n
            .items()
            .map(|i| (i.field().unwrap(), i.kind().name(), i.value().get()))
            .collect();
        assert_eq!(
            items,
            [
                ("feed", "change", "{}"),
                ("calls", "calls", r#"{"id":"c1","event":"connect"}"#),
                ("calls", "calls", r#"{"id":"c1","event":"terminate"}"#),
                (
                    "call_settings_update",
                    "call_settings",
                    r#"{"audio_enabled":true}"#
                ),
            ]
        );
        let keys: Vec<_> = n
            .items()
            .skip(1)
            .take(2)
            .map(|i| crate::idempotency::natural_key(&i, None))
            .collect();
        assert_ne!(keys[0], keys[1], "{keys:?}");
        // A permission reply is an entry that is itself the event.
        let reply = br#"{"object":"page","entry":[{"id":"1","time":5,"sender":{"id":"u"},
            "recipient":{"id":"1"},"call_permission_reply":{"response":"approve"}}]}"#;
        let n = Notification::parse(reply).unwrap();
        let items: Vec<_> = n.items().collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].field(), Some("call_permission_reply"));
        assert_eq!(items[0].value().get(), n.entries()[0].raw().get());
        // Another shape costs only itself: not an array is one item, null none.
        let odd = br#"{"object":"page","entry":[{"id":"1","calls":{"id":"c2"},"call_settings":null,
            "messaging":[{"sender":{"id":"u"},"message":{"mid":"m"}}]}]}"#;
        let n = Notification::parse(odd).unwrap();
        let kinds: Vec<_> = n.items().map(|i| i.kind().name()).collect();
        assert_eq!(kinds, ["message", "calls"]);
    }

    fn fields(object: &str, events: &str) -> Vec<(Option<String>, String)> {
        let body =
            format!(r#"{{"object":"{object}","entry":[{{"id":"1","messaging":[{events}]}}]}}"#);
        let n = Notification::parse(body.as_bytes()).unwrap();
        n.items()
            .map(|i| (i.field().map(str::to_owned), i.kind().name().to_owned()))
            .collect()
    }

    fn f(field: &str, kind: &str) -> (Option<String>, String) {
        (Some(field.to_owned()), kind.to_owned())
    }

    const EVENTS: &str = r#"
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"message":{"mid":"m","text":"hi"}},
        {"sender":{"id":"p"},"recipient":{"id":"u"},"timestamp":1,"message":{"mid":"m","is_echo":true}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"delivery":{"watermark":1}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"read":{"watermark":1}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"postback":{"payload":"x"}},
        {"recipient":{"id":"p"},"timestamp":1,"optin":{"ref":"r"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"referral":{"ref":"r"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"reaction":{"mid":"m","action":"react"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"account_linking":{"status":"linked"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"pass_thread_control":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"take_thread_control":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"request_thread_control":{}},
        {"recipient":{"id":"p"},"timestamp":1,"app_roles":{}},
        {"recipient":{"id":"p"},"timestamp":1,"policy_enforcement":{"action":"block"}},
        {"recipient":{"id":"p"},"timestamp":1,"policy-enforcement":{"action":"block"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"message_edit":{"mid":"m"}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"game_play":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"response_feedback":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"messaging_feedback":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"checkout_update":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"payment":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"pre_checkout":{}},
        {"recipient":{"id":"p"},"from":{"id":"u"},"item":"comment","verb":"add","field":"group_feed"},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1,"brand_new_event":{}},
        {"sender":{"id":"u"},"recipient":{"id":"p"},"timestamp":1}
    "#;

    #[test]
    fn messenger_events_route_by_the_page_column() {
        assert_eq!(
            fields("page", EVENTS),
            [
                f("messages", "message"),
                f("message_echoes", "message"),
                f("message_deliveries", "delivery"),
                f("message_reads", "read"),
                f("messaging_postbacks", "postback"),
                f("messaging_optins", "optin"),
                f("messaging_referrals", "referral"),
                f("message_reactions", "reaction"),
                f("messaging_account_linking", "account_linking"),
                f("messaging_handovers", "pass_thread_control"),
                f("messaging_handovers", "take_thread_control"),
                f("messaging_handovers", "request_thread_control"),
                f("messaging_handovers", "app_roles"),
                f("messaging_policy_enforcement", "policy_enforcement"),
                f("messaging_policy_enforcement", "policy-enforcement"),
                f("message_edits", "message_edit"),
                f("messaging_game_plays", "game_play"),
                f("response_feedback", "response_feedback"),
                f("messaging_feedback", "messaging_feedback"),
                f("messaging_checkout_updates", "checkout_update"),
                f("messaging_payments", "payment"),
                f("messaging_pre_checkouts", "pre_checkout"),
                f("group_feed", "group_feed"),
                (None, "brand_new_event".to_owned()),
                (None, "unknown".to_owned()),
            ]
        );
    }

    #[test]
    fn instagram_differs_where_the_table_says() {
        let got = fields("instagram", EVENTS);
        assert_eq!(
            got[1],
            f("messages", "message"),
            "an Instagram echo comes with `messages`"
        );
        assert_eq!(got[3], f("messaging_seen", "read"));
        assert_eq!(got[6], f("messaging_referral", "referral"));
        assert_eq!(got[9], f("messaging_handover", "pass_thread_control"));
        assert_eq!(got[12], f("messaging_handover", "app_roles"));
        assert_eq!(got[15], f("message_edit", "message_edit"));
        assert_eq!(got[0], f("messages", "message"));
        assert_eq!(got[4], f("messaging_postbacks", "postback"));
    }

    #[test]
    fn precedence_not_key_order_decides() {
        let got = fields(
            "page",
            r#"{"postback":{},"message":{"text":"a"}},{"read":{},"delivery":{}},{"field":"group_feed","message":"x"}"#,
        );
        assert_eq!(
            got,
            [
                f("messages", "message"),
                f("message_deliveries", "delivery"),
                f("group_feed", "group_feed")
            ]
        );
    }

    #[test]
    fn every_shape_of_an_entry_is_routed_in_order() {
        let body = br#"{"object":"page","entry":[
            {"id":"1","time":5,"changes":[{"field":"feed","value":{"a":1}},{"field":"mention","value":{}}],
             "changed_fields":["name"],
             "messaging":[{"message":{"mid":"m"}}],
             "standby":[{"postback":{"title":"t"}}],
             "field":"comments","value":{"id":"c"}}]}"#;
        let n = Notification::parse(body).unwrap();
        let got: Vec<_> = n
            .items()
            .map(|i| {
                (
                    i.field().unwrap(),
                    i.kind().name(),
                    i.value().get().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("feed", "change", r#"{"a":1}"#.to_owned()),
                ("mention", "change", "{}".to_owned()),
                ("name", "changed_fields", "null".to_owned()),
                (
                    "messages",
                    "message",
                    r#"{"message":{"mid":"m"}}"#.to_owned()
                ),
                (
                    "standby",
                    "standby",
                    r#"{"postback":{"title":"t"}}"#.to_owned()
                ),
                ("comments", "entry_field", r#"{"id":"c"}"#.to_owned()),
            ]
        );
        let ItemKind::Standby(key) = n.items().nth(4).unwrap().kind() else {
            panic!()
        };
        assert_eq!(key, "postback");
    }

    #[test]
    fn threads_routes_topic_and_values_field() {
        let body = br#"{"app_id":"123456","topic":"moderate","target_id":78901,"time":1723226877,"subscription_id":"234567",
            "has_uid_field":false,"values":{"value":{"id":"8901234","text":"Reply"},"field":"replies"}}"#;
        let n = Notification::parse(body).unwrap();
        assert!(n.is_threads());
        let item = n.items().next().unwrap();
        assert_eq!(
            (item.object(), item.field(), item.kind().name()),
            ("moderate", Some("replies"), "threads")
        );
        assert_eq!(item.entry().id(), Some("78901"));
        assert_eq!(item.entry().time(), Some(1_723_226_877));
        assert!(item.value().get().contains("8901234"));
    }

    #[test]
    fn echo_flags_and_null_messages_are_read_tolerantly() {
        let got = fields(
            "page",
            r#"{"message":{"is_echo":"true"}},{"message":{"is_echo":1}},{"message":{"is_echo":false}},
               {"message":{"is_echo":"false"}},{"message":null,"postback":{}},{"message":null},
               {"message":"text"},{"field":null,"read":{}},{"message":{"is\u005fecho":true}},
               {"message":{"text":"is_echo: not a key"}}"#,
        );
        assert_eq!(
            got,
            [
                f("message_echoes", "message"),
                f("message_echoes", "message"),
                f("messages", "message"),
                f("messages", "message"),
                f("messaging_postbacks", "postback"),
                (None, "unknown".to_owned()),
                f("messages", "message"),
                f("message_reads", "read"),
                f("message_echoes", "message"),
                f("messages", "message"),
            ]
        );
    }

    #[test]
    fn milliseconds_heuristic() {
        assert_eq!(payload::unix_seconds(1_700_000_000), 1_700_000_000);
        assert_eq!(payload::unix_seconds(1_700_000_000_999), 1_700_000_000);
    }
}
