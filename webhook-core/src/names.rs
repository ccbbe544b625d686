//! Meta's webhook objects and their documented subscription fields: the one table
//! that `#[on]` checks names against when compiling (it lives in the macro crate,
//! which hands it here), and that the routing table of messaging events and the
//! catalog of typed values are tested against.
//!
//! A name Meta added after this crate was written is reached with
//! `#[on(.., unchecked)]`; the dispatcher routes any name.

webhook_macros::__meta_names!();

/// Whether `object` is a known object and `field` (when given) one of its fields.
#[must_use]
pub fn is_known(object: &str, field: Option<&str>) -> bool {
    OBJECTS.iter().any(|(o, fields)| {
        *o == object && field.is_none_or(|field| fields.is_empty() || fields.contains(&field))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_typed_value_comes_from_a_known_field_and_array() {
        let mut checked = 0;
        for entry in crate::fields::catalog::TABLE {
            if entry.field != "*" {
                assert!(
                    is_known(entry.object, Some(entry.field)),
                    "({}, {}) is catalogued for `{}`, but `#[on]` does not know it",
                    entry.object,
                    entry.field,
                    entry.type_name
                );
            }
            assert!(
                entry.each.is_empty() || EACH.contains(&entry.each),
                "`each = {:?}` is catalogued for `{}`, but `#[on]` does not know it",
                entry.each,
                entry.type_name
            );
            checked += 1;
        }
        assert!(checked > 60, "{checked}");
    }

    #[test]
    fn every_messaging_event_routes_to_a_known_field() {
        for (object, field) in crate::messaging_events::routed_fields() {
            assert!(
                is_known(object, Some(field)),
                "messaging events are routed to ({object}, {field}), which `#[on]` rejects"
            );
        }
    }

    #[test]
    fn unknown_names_are_unknown() {
        assert!(is_known("page", Some("feed")));
        assert!(is_known("permissions", Some("email")));
        assert!(!is_known("page", Some("fead")));
        assert!(!is_known("pages", None));
    }
}
