//! `meta-webhooks explain`: what handlers would receive for a captured body.

use std::io::{self, Write};

use webhook_core::{Notification, ParseError};

/// Writes one JSON line per routed item of `body`, in delivery order:
/// `{"object":..,"field":..,"entry_id":..,"kind":..}`. `entry_id` is always a
/// string (empty when the entry has none); `field` is `null` for a messaging event
/// outside the routing table. Returns the number of items.
pub fn explain(body: &[u8], out: &mut impl Write) -> Result<usize, ExplainError> {
    let notification = Notification::parse(body).map_err(ExplainError::Parse)?;
    let mut count = 0;
    for item in notification.items() {
        let line = serde_json::json!({
            "object": item.object(),
            "field": item.field(),
            "entry_id": item.entry().id().unwrap_or_default(),
            "kind": item.kind().name(),
        });
        writeln!(out, "{line}").map_err(ExplainError::Io)?;
        count += 1;
    }
    Ok(count)
}

/// Why `explain` failed.
#[derive(Debug)]
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

    #[test]
    fn one_line_per_item_with_string_entry_ids() {
        let body = br#"{"object":"page","entry":[{"id":123,"messaging":[{"message":{"mid":"m"}},{"zzz":{}}]},{"uid":7,"changed_fields":["name"]}]}"#;
        let mut out = Vec::new();
        assert_eq!(explain(body, &mut out).unwrap(), 3);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            concat!(
                r#"{"entry_id":"123","field":"messages","kind":"message","object":"page"}"#,
                "\n",
                r#"{"entry_id":"123","field":null,"kind":"zzz","object":"page"}"#,
                "\n",
                r#"{"entry_id":"7","field":"name","kind":"changed_fields","object":"page"}"#,
                "\n",
            )
        );
    }
}
