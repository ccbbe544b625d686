//! Realistic notification bodies, one or more for every typed field of
//! [`webhook_core::fields`], with builders to change ids and text.
//!
//! Each fixture is a whole notification as Meta sends it. It is addressed by its
//! name (its path below `webhook-server/fixtures/typed`, such as
//! `page/feed_comment_add`), or by the object, field and sub-kind of an item it
//! holds (the sub-kind is what `meta-webhooks explain` prints under `sub`: a feed
//! change's `item` and `verb`, a WhatsApp change's message `types`, ...). Most
//! fixtures hold one item; from a batch, [`FixtureBuilder::only_field`] keeps the
//! items of one field.
//!
//! ```
//! use webhook_server::testing::{fixture, fixture_where};
//!
//! let comment = fixture_where("page", "feed", &[("item", "comment"), ("verb", "add")]).unwrap();
//! assert_eq!(comment.name(), "page/feed_comment_add");
//! let body = comment.edit().entry_id("42").text("Nice!").build();
//! let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
//! assert_eq!(json["entry"][0]["id"], "42");
//! assert_eq!(json["entry"][0]["changes"][0]["value"]["message"], "Nice!");
//! ```

use serde_json::{Map, Value, json};
use webhook_core::{ItemKind, Notification};

use super::files::FILES;

/// One embedded notification body.
#[derive(Debug, Clone)]
pub struct Fixture {
    name: &'static str,
    body: &'static str,
    object: String,
    /// Per item, in delivery order: its field and sub-kind.
    items: Vec<(Option<String>, Map<String, Value>)>,
}

impl Fixture {
    fn load(name: &'static str, body: &'static str) -> Self {
        let notification = Notification::parse(body.as_bytes())
            .unwrap_or_else(|e| panic!("fixture {name} is not a notification: {e}"));
        Self {
            name,
            body,
            object: notification.object().to_owned(),
            items: notification
                .items()
                .map(|item| {
                    (
                        item.field().map(str::to_owned),
                        crate::explain::sub_kind(&item),
                    )
                })
                .collect(),
        }
    }

    /// Its name: the path below `fixtures/typed`, without `.json`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The notification's object.
    #[must_use]
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The field of its first item.
    #[must_use]
    pub fn field(&self) -> Option<&str> {
        self.items.first().and_then(|(field, _)| field.as_deref())
    }

    /// The fields of its items, in delivery order.
    pub fn fields(&self) -> impl Iterator<Item = Option<&str>> {
        self.items.iter().map(|(field, _)| field.as_deref())
    }

    /// A sub-kind of its first item (`item`, `verb`, `type`, `status`, ...; for
    /// WhatsApp arrays `types` and `statuses`, comma-separated).
    #[must_use]
    pub fn sub(&self, key: &str) -> Option<String> {
        self.items.first().and_then(|(_, sub)| sub_value(sub, key))
    }

    /// Where an item is `(object, field)` with these sub-kinds: 0 for the first
    /// item (the fixture is about it), 1 for a later one, `None` for no item.
    fn rank(&self, object: &str, field: &str, sub: &[(&str, &str)]) -> Option<usize> {
        if self.object != object {
            return None;
        }
        self.items
            .iter()
            .position(|(f, s)| {
                f.as_deref() == Some(field)
                    && sub
                        .iter()
                        .all(|(key, value)| sub_value(s, key).as_deref() == Some(*value))
            })
            .map(|at| usize::from(at > 0))
    }

    /// The body, byte for byte as stored.
    #[must_use]
    pub fn body(&self) -> &'static [u8] {
        self.body.as_bytes()
    }

    /// A copy to change before sending.
    #[must_use]
    pub fn edit(&self) -> FixtureBuilder {
        FixtureBuilder {
            json: serde_json::from_str(self.body).expect("fixtures are JSON"),
        }
    }
}

/// Every embedded fixture, by name.
pub fn fixtures() -> impl Iterator<Item = Fixture> {
    FILES.iter().map(|(name, body)| Fixture::load(name, body))
}

/// The fixture of this name (`page/feed_comment_add`, `whatsapp_business_account/messages_text`, ...).
#[must_use]
pub fn fixture_named(name: &str) -> Option<Fixture> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(name, body)| Fixture::load(name, body))
}

/// A fixture holding an item of `(object, field)`: the first by name whose first
/// item is one, else the first holding one at all (then a batch: see
/// [`FixtureBuilder::only_field`]).
#[must_use]
pub fn fixture(object: &str, field: &str) -> Option<Fixture> {
    fixture_where(object, field, &[])
}

/// Like [`fixture`], for an item with these sub-kinds, e.g. `&[("item",
/// "comment"), ("verb", "add")]` or `&[("types", "text")]`.
#[must_use]
pub fn fixture_where(object: &str, field: &str, sub: &[(&str, &str)]) -> Option<Fixture> {
    fixtures()
        .filter_map(|f| f.rank(object, field, sub).map(|rank| (rank, f)))
        .min_by_key(|(rank, _)| *rank)
        .map(|(_, f)| f)
}

/// Changes a fixture's body. Ids and text are replaced wherever Meta puts them in
/// the shapes of these fixtures; [`set`](Self::set) reaches anything else.
#[derive(Debug, Clone)]
pub struct FixtureBuilder {
    json: Value,
}

impl FixtureBuilder {
    /// Sets every entry's `id` (the Page, account or WABA id).
    #[must_use]
    pub fn entry_id(mut self, id: &str) -> Self {
        for entry in self.entries() {
            entry["id"] = json!(id);
        }
        self
    }

    /// Sets every entry's `time`.
    #[must_use]
    pub fn time(mut self, time: u64) -> Self {
        for entry in self.entries() {
            entry["time"] = json!(time);
        }
        self
    }

    /// Sets who sent it: messaging events' `sender.id`, WhatsApp messages' `from`
    /// (and their contact's `wa_id`), and changes' `from.id`.
    #[must_use]
    pub fn sender_id(mut self, id: &str) -> Self {
        for entry in self.entries() {
            for event in events(entry) {
                if event.get("sender").is_some() {
                    event["sender"]["id"] = json!(id);
                }
            }
            for value in values(entry) {
                if value.get("from").is_some_and(Value::is_object) {
                    value["from"]["id"] = json!(id);
                }
                for message in array(value, "messages") {
                    message["from"] = json!(id);
                }
                for contact in array(value, "contacts") {
                    contact["wa_id"] = json!(id);
                }
            }
        }
        self
    }

    /// Sets the text: messaging `message.text`, WhatsApp `text.body`, and a
    /// change's `message` or `text` string (posts, comments, mentions).
    #[must_use]
    pub fn text(mut self, text: &str) -> Self {
        for entry in self.entries() {
            for event in events(entry) {
                if event["message"].get("text").is_some() {
                    event["message"]["text"] = json!(text);
                }
            }
            for value in values(entry) {
                for key in ["message", "text"] {
                    if value.get(key).is_some_and(Value::is_string) {
                        value[key] = json!(text);
                    }
                }
                for message in array(value, "messages") {
                    if message["text"].get("body").is_some() {
                        message["text"]["body"] = json!(text);
                    }
                }
            }
        }
        self
    }

    /// Sets the value at a JSON pointer (`/entry/0/changes/0/value/verb`).
    ///
    /// # Panics
    /// When nothing is at `pointer`.
    #[must_use]
    pub fn set(mut self, pointer: &str, value: impl Into<Value>) -> Self {
        *self
            .json
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("nothing at {pointer} in this fixture")) = value.into();
        self
    }

    /// Keeps only the items of `field` (changes, `changed_fields` names and
    /// messaging events), for a fixture that is a batch.
    #[must_use]
    pub fn only_field(mut self, field: &str) -> Self {
        let mut fields = self.event_fields().into_iter();
        for entry in self.entries() {
            let Some(entry) = entry.as_object_mut() else {
                continue;
            };
            for (key, list) in entry.iter_mut() {
                let Some(list) = list.as_array_mut() else {
                    continue;
                };
                match key.as_str() {
                    "changes" => list.retain(|c| c["field"] == field),
                    "changed_fields" => list.retain(|f| f == field),
                    "messaging" | "standby" => {
                        let keep: Vec<bool> = list
                            .iter()
                            .map(|_| fields.next().flatten().as_deref() == Some(field))
                            .collect();
                        let mut keep = keep.into_iter();
                        list.retain(|_| keep.next().unwrap_or(false));
                    }
                    _ => {}
                }
            }
        }
        self
    }

    /// The routed field of every messaging and standby event, in order.
    fn event_fields(&self) -> Vec<Option<String>> {
        Notification::parse(&self.build())
            .map(|n| {
                n.items()
                    .filter(|i| matches!(i.kind(), ItemKind::Messaging(_) | ItemKind::Standby(_)))
                    .map(|i| i.field().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The App Dashboard's test form of this notification: entry ids `"0"`, and
    /// messaging events sent as `changes` of their field (how the dashboard's
    /// "Test" button sends them).
    #[must_use]
    pub fn dashboard_test(self) -> Self {
        let body = serde_json::to_vec(&self.json).expect("JSON serialises");
        let fields: Vec<Option<String>> = Notification::parse(&body)
            .map(|n| {
                n.items()
                    .filter(|i| matches!(i.kind(), ItemKind::Messaging(_)))
                    .map(|i| i.field().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let mut fields = fields.into_iter();
        let mut this = self.entry_id("0");
        for entry in this.entries() {
            let Some(Value::Array(events)) =
                entry.as_object_mut().and_then(|e| e.remove("messaging"))
            else {
                continue;
            };
            let changes: Vec<Value> = events
                .into_iter()
                .map(|event| {
                    let field = fields.next().flatten().unwrap_or_default();
                    json!({"field": field, "value": event})
                })
                .collect();
            entry["changes"] = Value::Array(changes);
        }
        this
    }

    /// The body, compact JSON.
    #[must_use]
    pub fn build(&self) -> Vec<u8> {
        serde_json::to_vec(&self.json).expect("JSON serialises")
    }

    /// The body as JSON.
    #[must_use]
    pub fn json(&self) -> &Value {
        &self.json
    }

    fn entries(&mut self) -> impl Iterator<Item = &mut Value> {
        array(&mut self.json, "entry")
    }
}

fn array<'v>(value: &'v mut Value, key: &str) -> impl Iterator<Item = &'v mut Value> {
    value
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

fn events(entry: &mut Value) -> impl Iterator<Item = &mut Value> {
    entry.as_object_mut().into_iter().flat_map(|e| {
        e.iter_mut()
            .filter(|(k, _)| *k == "messaging" || *k == "standby")
            .filter_map(|(_, v)| v.as_array_mut())
            .flatten()
    })
}

fn values(entry: &mut Value) -> impl Iterator<Item = &mut Value> {
    array(entry, "changes").filter_map(|change| change.get_mut("value"))
}

/// A sub-kind's text (arrays comma-separated).
fn sub_value(sub: &Map<String, Value>, key: &str) -> Option<String> {
    match sub.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Array(values) => Some(
            values
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}
