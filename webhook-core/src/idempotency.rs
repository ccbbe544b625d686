//! Idempotency: natural keys of items (Meta sends no delivery id, but most items
//! carry an id of their own that survives redelivery and re-batching), and the keys
//! of `(item, handler)` pairs that durable delivery records as done.

use serde_json::Value as Json;

use crate::routing::{Item, ItemKind};
use crate::select::Element;

/// The answer to claiming an idempotency key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyClaim {
    /// Nobody ran it yet (or the last claim's lease expired): run it.
    Run,
    /// It already succeeded: skip it.
    Done,
    /// Another worker holds it now: try later.
    Busy,
}

/// The key of one `(item, element, handler)` pair of a delivery, as durable
/// progress records it: the item's [`item_ids`] entry, the element's
/// [`element_id`] for `each` routes, and the route's key.
#[must_use]
pub fn pair_key(item: &str, element: Option<&str>, handler: &str) -> String {
    match element {
        Some(element) => format!("{item}.{element}/{handler}"),
        None => format!("{item}/{handler}"),
    }
}

/// What identifies each item of a delivery, in the items' order: a digest of the
/// item's object, entry id and time, kind, field and raw JSON, and, when equal
/// items occur more than once, which occurrence it is. Unlike a position, this does
/// not move when a release routes the same body into more or fewer items, so
/// progress recorded by one release is read right by the next. Starts with `i`
/// (keys of 0.1 were positions, and start with a digit).
#[must_use]
pub fn item_ids(items: &[Item<'_>]) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    items
        .iter()
        .map(|item| {
            let entry = item.entry();
            let time = entry.time().map(|t| t.to_string()).unwrap_or_default();
            let id = short_digest(&[
                item.object().as_bytes(),
                entry.id().unwrap_or("").as_bytes(),
                time.as_bytes(),
                item.kind().name().as_bytes(),
                item.field().unwrap_or("").as_bytes(),
                item.value().get().as_bytes(),
            ]);
            let n = seen.entry(id.clone()).or_insert(0);
            *n += 1;
            match *n {
                1 => format!("i{id}"),
                n => format!("i{id}#{n}"),
            }
        })
        .collect()
}

/// What identifies an element of an item's array for `each` routes: the array's
/// key and a digest of the element's JSON. Equal elements of one array (a
/// duplicate Meta sent twice in one batch) share it, and run once.
#[must_use]
pub fn element_id(element: &Element<'_>) -> String {
    format!(
        "{}.{}",
        element.key,
        short_digest(&[element.value.get().as_bytes()])
    )
}

/// The first 8 bytes of the SHA-256 of the parts, each length-prefixed, in hex.
fn short_digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for part in parts {
        hash.update((part.len() as u64).to_le_bytes());
        hash.update(part);
    }
    hex::encode(&hash.finalize()[..8])
}

/// The natural key of an item (or of one element, for `each` routes), if it has one:
///
/// | item | key |
/// |---|---|
/// | WhatsApp `messages[]` element | message id (`wamid`) |
/// | WhatsApp `statuses[]` element | status id and status |
/// | WhatsApp `messages` change | its message ids and status ids with statuses |
/// | Messenger / Instagram event | event key and `mid` (plus action, emoji and time for reactions; the edit's number for `message_edit`; `deleted` for an Instagram unsend; sender and watermark for reads and deliveries) |
/// | Page `feed` change | item, verb, comment or post id, author, reaction type, created time (plus a digest of the value for edits, which share all of those) |
/// | `leadgen` | lead id |
/// | Instagram comments and mentions | comment id, media id |
/// | template status updates | template id, event and entry time |
///
/// Each key starts with the item's object and field, so keys of different fields
/// never collide. `None` when the item has no such id; the handler then relies on
/// the delivery's own bookkeeping only.
#[must_use]
pub fn natural_key(item: &Item<'_>, element: Option<&Element<'_>>) -> Option<String> {
    let prefix = format!("{}/{}", item.object(), item.field().unwrap_or("-"));
    let text = |v: &Json| match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    };
    if let Some(element) = element {
        let value: Json = serde_json::from_str(element.value.get()).ok()?;
        let id = text(&value["id"])?;
        let key = match element.key {
            "statuses" => format!("status:{id}:{}", text(&value["status"]).unwrap_or_default()),
            other => format!("{other}:{id}"),
        };
        return Some(format!("{prefix}/{key}"));
    }
    let value: Json = serde_json::from_str(item.value().get()).ok()?;
    let key = match item.kind() {
        ItemKind::Messaging(kind) | ItemKind::Standby(kind) => messaging(kind, &value, text)?,
        _ => change(item, &value, text)?,
    };
    Some(format!("{prefix}/{key}"))
}

fn messaging(kind: &str, event: &Json, text: impl Fn(&Json) -> Option<String>) -> Option<String> {
    let payload = &event[kind];
    let sender = text(&event["sender"]["id"]).unwrap_or_default();
    match kind {
        "delivery" | "read" if payload.get("mid").is_none() => {
            Some(format!("{kind}:{sender}:{}", text(&payload["watermark"])?))
        }
        "reaction" => Some(format!(
            "{kind}:{}:{}:{}:{}",
            text(&payload["mid"])?,
            text(&payload["action"]).unwrap_or_default(),
            text(&payload["emoji"])
                .or_else(|| text(&payload["reaction"]))
                .unwrap_or_default(),
            text(&event["timestamp"]).unwrap_or_default()
        )),
        // An edit is its own event: each one carries its number (`num_edit`).
        "message_edit" => Some(format!(
            "{kind}:{}:{}",
            text(&payload["mid"])?,
            text(&payload["num_edit"]).unwrap_or_default()
        )),
        // Instagram's unsend arrives as the same `mid` with `is_deleted`.
        "message" if payload["is_deleted"] == Json::Bool(true) => {
            Some(format!("{kind}:{}:deleted", text(&payload["mid"])?))
        }
        _ => Some(format!("{kind}:{}", text(&payload["mid"])?)),
    }
}

/// A short digest of a value's content (keys sorted, so the same content in another
/// order gives the same digest): what tells apart events that share every id, like
/// successive edits of one post.
fn digest(value: &Json) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(value.to_string().as_bytes());
    hex::encode(&hash[..8])
}

fn change(item: &Item<'_>, value: &Json, text: impl Fn(&Json) -> Option<String>) -> Option<String> {
    match (item.object(), item.field()?) {
        ("whatsapp_business_account", "messages") => {
            let ids = |array: &str, extra: &str| -> Vec<String> {
                value[array]
                    .as_array()
                    .map(|all| {
                        all.iter()
                            .filter_map(|e| {
                                Some(format!(
                                    "{}{}",
                                    text(&e["id"])?,
                                    text(&e[extra]).map(|s| format!(":{s}")).unwrap_or_default()
                                ))
                            })
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let mut all = ids("messages", "");
            all.extend(ids("statuses", "status"));
            (!all.is_empty()).then(|| all.join(","))
        }
        ("whatsapp_business_account", "message_template_status_update") => Some(format!(
            "{}:{}:{}",
            text(&value["message_template_id"])?,
            text(&value["event"]).unwrap_or_default(),
            item.entry().time().unwrap_or_default()
        )),
        (_, "feed") => {
            let verb = text(&value["verb"]).unwrap_or_default();
            let key = format!(
                "{}:{verb}:{}:{}:{}:{}",
                text(&value["item"]).unwrap_or_default(),
                text(&value["comment_id"]).or_else(|| text(&value["post_id"]))?,
                text(&value["from"]["id"]).unwrap_or_default(),
                text(&value["reaction_type"]).unwrap_or_default(),
                text(&value["created_time"]).unwrap_or_default()
            );
            // Edits of one post or comment share all of the above (`created_time` is
            // the original's): what was edited tells them apart.
            Some(if verb == "edited" || verb == "edit" {
                format!("{key}:{}", digest(value))
            } else {
                key
            })
        }
        (_, "leadgen") => text(&value["leadgen_id"]),
        // Messenger Calling: one call's events (connect, status, terminate ...).
        ("page", "calls") => Some(format!(
            "{}:{}:{}",
            text(&value["id"])?,
            text(&value["event"]).unwrap_or_default(),
            text(&value["status"]).unwrap_or_default()
        )),
        ("instagram", "comments" | "live_comments") => {
            text(&value["id"]).or_else(|| text(&value["comment_id"]))
        }
        ("instagram", "mentions") => Some(format!(
            "{}:{}",
            text(&value["media_id"])?,
            text(&value["comment_id"]).unwrap_or_default()
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Notification;
    use crate::select::Element;

    fn ids(body: &str) -> Vec<String> {
        let n = Notification::parse(body.as_bytes()).unwrap();
        item_ids(&n.items().collect::<Vec<_>>())
    }

    #[test]
    fn item_ids_follow_the_item_not_its_position() {
        let one = ids(
            r#"{"object":"page","entry":[{"id":"1","time":5,"changes":[{"field":"feed","value":{"n":1}}]}]}"#,
        );
        // The same item behind another (a release that routes one more item, or
        // Meta re-batching): the same id.
        let two = ids(
            r#"{"object":"page","entry":[{"id":"1","time":5,"changes":[{"field":"mention","value":{"n":0}},{"field":"feed","value":{"n":1}}]}]}"#,
        );
        assert_eq!(two[1], one[0]);
        assert_ne!(two[0], two[1]);
        assert!(one[0].starts_with('i'));
        // Equal items are told apart by occurrence; another entry, field or value
        // is another item.
        let twins = ids(
            r#"{"object":"page","entry":[{"id":"1","time":5,"changes":[{"field":"feed","value":{"n":1}},{"field":"feed","value":{"n":1}}]},{"id":"2","time":5,"changes":[{"field":"feed","value":{"n":1}}]}]}"#,
        );
        assert_eq!(twins[0], one[0]);
        assert_eq!(twins[1], format!("{}#2", one[0]));
        assert_ne!(twins[2], one[0]);
    }

    fn keys(body: &str) -> Vec<Option<String>> {
        let n = Notification::parse(body.as_bytes()).unwrap();
        n.items().map(|item| natural_key(&item, None)).collect()
    }

    #[test]
    fn keys_of_common_items() {
        let got = keys(
            r#"{"object":"page","entry":[{"id":"1","time":5,
            "changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"c1","post_id":"p1","created_time":9}},
                       {"field":"leadgen","value":{"leadgen_id":444}},{"field":"ratings","value":{}}],
            "messaging":[{"sender":{"id":"u"},"message":{"mid":"m1"}},{"sender":{"id":"u"},"read":{"watermark":77}},
                         {"reaction":{"mid":"m1","action":"react","emoji":"x"}},{"postback":{"title":"no mid"}}]}]}"#,
        );
        assert_eq!(
            got,
            [
                Some("page/feed/comment:add:c1:::9".to_owned()),
                Some("page/leadgen/444".to_owned()),
                None,
                Some("page/messages/message:m1".to_owned()),
                Some("page/message_reads/read:u:77".to_owned()),
                Some("page/message_reactions/reaction:m1:react:x:".to_owned()),
                None,
            ]
        );
    }

    #[test]
    fn each_edit_of_a_messenger_message_has_its_own_key() {
        // Two edits of one message (and a redelivery of the second).
        let got = keys(
            r#"{"object":"page","entry":[{"id":"1","time":5,"messaging":[
                {"sender":{"id":"u"},"message_edit":{"mid":"m1","text":"a","num_edit":1}},
                {"sender":{"id":"u"},"message_edit":{"mid":"m1","text":"ab","num_edit":2}},
                {"sender":{"id":"u"},"message_edit":{"mid":"m1","text":"ab","num_edit":2}}]}]}"#,
        );
        assert_ne!(got[0], got[1], "{got:?}");
        assert_eq!(got[1], got[2], "a redelivery keeps its key: {got:?}");
    }

    #[test]
    fn an_instagram_unsend_is_not_its_message() {
        let got = keys(
            r#"{"object":"instagram","entry":[{"id":"1","time":5,"messaging":[
                {"sender":{"id":"u"},"message":{"mid":"m2","text":"hi"}},
                {"sender":{"id":"u"},"message":{"mid":"m2","is_deleted":true}}]}]}"#,
        );
        assert_ne!(got[0], got[1], "{got:?}");
    }

    #[test]
    fn feed_edits_sharing_a_created_time_have_their_own_keys() {
        let edit = |text: &str, order_swapped: bool| {
            let value = if order_swapped {
                format!(
                    r#"{{"message":"{text}","verb":"edited","item":"status","post_id":"p1","created_time":9}}"#
                )
            } else {
                format!(
                    r#"{{"item":"status","verb":"edited","post_id":"p1","created_time":9,"message":"{text}"}}"#
                )
            };
            keys(&format!(
                r#"{{"object":"page","entry":[{{"id":"1","time":5,"changes":[{{"field":"feed","value":{value}}}]}}]}}"#
            ))
            .remove(0)
        };
        assert_ne!(edit("first", false), edit("second", false));
        assert_eq!(
            edit("first", false),
            edit("first", true),
            "a redelivery in another key order"
        );
    }

    #[test]
    fn whatsapp_changes_and_elements() {
        let body = r#"{"object":"whatsapp_business_account","entry":[{"id":"w","changes":[{"field":"messages","value":{
            "messages":[{"id":"wamid.1","type":"text"}],"statuses":[{"id":"wamid.0","status":"read"}]}}]}]}"#;
        assert_eq!(
            keys(body),
            [Some(
                "whatsapp_business_account/messages/wamid.1,wamid.0:read".to_owned()
            )]
        );
        let n = Notification::parse(body.as_bytes()).unwrap();
        let item = n.items().next().unwrap();
        let status: &serde_json::value::RawValue =
            serde_json::from_str(r#"{"id":"wamid.0","status":"read"}"#).unwrap();
        let element = Element {
            key: "statuses",
            index: 0,
            value: status,
        };
        assert_eq!(
            natural_key(&item, Some(&element)),
            Some("whatsapp_business_account/messages/status:wamid.0:read".to_owned())
        );
    }
}
