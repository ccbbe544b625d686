//! `meta-webhooks explain`: what handlers would receive for a captured body.

use std::io::{self, Write};

use serde_json::{Map, Value, json};
use webhook_core::{Item, Notification, ParseError};

/// Options of [`explain`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainOptions {
    /// Add `"typed"`: the value as this crate's type for the field reads it (or
    /// `"typed_error"` when it does not parse).
    pub typed: bool,
}

/// Writes one JSON line per routed item of `body`, in delivery order:
/// `{"object","field","entry_id","kind","sub"}`. `entry_id` is always a string
/// (empty when the entry has none); `field` is `null` for a messaging event outside
/// the routing table; `sub` holds the sub-kind filters can route on (a feed
/// change's `item` and `verb`, a WhatsApp change's message `types` and `statuses`,
/// ...). Returns the number of items.
pub fn explain(
    body: &[u8],
    options: ExplainOptions,
    out: &mut impl Write,
) -> Result<usize, ExplainError> {
    let notification = Notification::parse(body).map_err(ExplainError::Parse)?;
    let mut count = 0;
    for item in notification.items() {
        let mut line = json!({
            "object": item.object(),
            "field": item.field(),
            "entry_id": item.entry().id().unwrap_or_default(),
            "kind": item.kind().name(),
            "sub": sub_kind(&item),
        });
        if options.typed {
            let field = item.field().unwrap_or_default();
            match webhook_core::fields::typed_json(item.object(), field, item.value()) {
                Some(typed) => {
                    line["type"] = json!(typed.type_name);
                    match typed.value {
                        Ok(value) => line["typed"] = value,
                        Err(error) => line["typed_error"] = json!(error.to_string()),
                    }
                }
                None => line["typed"] = Value::Null,
            }
        }
        writeln!(out, "{line}").map_err(ExplainError::Io)?;
        count += 1;
    }
    Ok(count)
}

/// Keys whose string values name a sub-kind, and arrays whose elements do.
const SCALARS: &[&str] = &["item", "verb", "type", "status", "event", "action", "topic"];
const ARRAYS: &[(&str, &str, &str)] = &[
    ("messages", "type", "types"),
    ("statuses", "status", "statuses"),
];

pub(crate) fn sub_kind(item: &Item<'_>) -> Map<String, Value> {
    let value: Value = serde_json::from_str(item.value().get()).unwrap_or(Value::Null);
    let payload = match item.kind().event_key() {
        Some(key) if value.get(key).is_some_and(Value::is_object) => &value[key],
        _ => &value,
    };
    let mut sub = Map::new();
    for key in SCALARS {
        if let Some(text) = payload.get(key).and_then(Value::as_str) {
            sub.insert((*key).to_owned(), json!(text));
        }
    }
    for (array, key, name) in ARRAYS {
        if let Some(elements) = payload.get(array).and_then(Value::as_array) {
            let kinds: Vec<_> = elements
                .iter()
                .filter_map(|e| e.get(key).and_then(Value::as_str))
                .collect();
            sub.insert((*name).to_owned(), json!(kinds));
        }
    }
    // Keys beside a change's `field` and `value` (`action`), which filters also read.
    for (key, raw) in item.change_keys() {
        let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
        let text = value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned);
        sub.entry(key.to_owned()).or_insert(json!(text));
    }
    sub
}

/// Why `explain` failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ExplainError {
    /// The body is not a notification.
    Parse(ParseError),
    /// Writing the output failed.
    Io(io::Error),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "not a Meta webhook notification: {e}"),
            Self::Io(e) => write!(f, "cannot write the output: {e}"),
        }
    }
}

impl std::error::Error for ExplainError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// Meta's Page reference: `page_upcoming_change` and `page_change_proposal`
    /// carry `action` beside `field` and `value`.
    #[test]
    fn keys_beside_a_change_show_in_sub() {
        let body = br#"{"object":"page","entry":[{"id":"9","time":1,"changes":[
            {"field":"page_upcoming_change","value":{"change_type":"name"},"action":"pending"},
            {"field":"page_change_proposal","value":{"proposal":{}},"action":"created","seq":2}]}]}"#;
        let mut out = Vec::new();
        explain(body, ExplainOptions::default(), &mut out).unwrap();
        let lines: Vec<Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["sub"], json!({"action": "pending"}));
        assert_eq!(lines[1]["sub"], json!({"action": "created", "seq": "2"}));
    }

    #[test]
    fn one_line_per_item_with_string_entry_ids_and_sub_kinds() {
        let body = br#"{"object":"page","entry":[{"id":123,"messaging":[{"message":{"mid":"m"}},{"zzz":{}}],
            "changes":[{"field":"feed","value":{"item":"comment","verb":"add"}}]},{"uid":7,"changed_fields":["name"]}]}"#;
        let mut out = Vec::new();
        assert_eq!(
            explain(body, ExplainOptions::default(), &mut out).unwrap(),
            4
        );
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            concat!(
                r#"{"entry_id":"123","field":"feed","kind":"change","object":"page","sub":{"item":"comment","verb":"add"}}"#,
                "\n",
                r#"{"entry_id":"123","field":"messages","kind":"message","object":"page","sub":{}}"#,
                "\n",
                r#"{"entry_id":"123","field":null,"kind":"zzz","object":"page","sub":{}}"#,
                "\n",
                r#"{"entry_id":"7","field":"name","kind":"changed_fields","object":"page","sub":{}}"#,
                "\n",
            )
        );
    }
}
