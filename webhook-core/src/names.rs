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
    fn unknown_names_are_unknown() {
        assert!(is_known("page", Some("feed")));
        assert!(is_known("permissions", Some("email")));
        assert!(!is_known("page", Some("fead")));
        assert!(!is_known("pages", None));
    }
}
