//! Meta's webhook objects and each object's documented subscription fields: the one
//! table of names (`fields.md` in this crate, handed to `webhook_core::names` by
//! `__meta_names!`), so that a typo is a compile error. `#[on(.., unchecked)]`
//! reaches names added later.

use std::sync::OnceLock;

/// The table: one row per field and way of delivery, with its typed value, fixture
/// and source (see the file for its columns).
const TABLE: &str = include_str!("../fields.md");

/// `(object, fields)` in the table's order; an empty field list means any field
/// (the object's fields are open-ended, like `permissions`, which has one field per
/// permission: a `*` row).
pub(crate) fn objects() -> &'static [(&'static str, Vec<&'static str>)] {
    static OBJECTS: OnceLock<Vec<(&'static str, Vec<&'static str>)>> = OnceLock::new();
    OBJECTS.get_or_init(|| {
        let mut objects: Vec<(&'static str, Vec<&'static str>, bool)> = Vec::new();
        for (object, field) in rows() {
            let at = objects
                .iter()
                .position(|(o, ..)| *o == object)
                .unwrap_or_else(|| {
                    objects.push((object, Vec::new(), false));
                    objects.len() - 1
                });
            let (_, fields, any) = &mut objects[at];
            if field == "*" {
                *any = true;
            } else if !fields.contains(&field) {
                fields.push(field);
            }
        }
        objects
            .into_iter()
            .map(|(object, fields, any)| (object, if any { Vec::new() } else { fields }))
            .collect()
    })
}

/// Each row's `(object, field)`, backticks removed. A malformed row is our bug,
/// not the user's: it stops the build naming the line.
fn rows() -> impl Iterator<Item = (&'static str, &'static str)> {
    let name = |text: &str| {
        !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    TABLE
        .lines()
        .enumerate()
        .filter(|(_, line)| {
            line.starts_with('|') && !line.starts_with("| object ") && !line.starts_with("|---")
        })
        .map(move |(at, line)| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (object, field) = match cells.as_slice() {
                ["", object, field, _, _, _, _, ""] => {
                    (object.trim_matches('`'), field.trim_matches('`'))
                }
                _ => panic!(
                    "webhook-macros/fields.md line {}: not a row of six cells",
                    at + 1
                ),
            };
            assert!(
                name(object) && (field == "*" || name(field)),
                "webhook-macros/fields.md line {}: `{object}` / `{field}` is not a name",
                at + 1
            );
            (object, field)
        })
}

/// Why a name is not in the table, with the closest known names.
pub(crate) enum Unknown {
    Object(Option<&'static str>),
    Field(Option<&'static str>),
}

/// Checks `object` (and `field` when given) against the table.
pub(crate) fn check(object: &str, field: Option<&str>) -> Result<(), Unknown> {
    let Some((_, fields)) = objects().iter().find(|(o, _)| *o == object) else {
        return Err(Unknown::Object(closest(
            object,
            objects().iter().map(|(o, _)| *o),
        )));
    };
    match field {
        Some(field) if !fields.is_empty() && !fields.contains(&field) => {
            Err(Unknown::Field(closest(field, fields.iter().copied())))
        }
        _ => Ok(()),
    }
}

/// The known name nearest to `name`, if it is near enough to be a typo.
pub(crate) fn closest(
    name: &str,
    known: impl Iterator<Item = &'static str>,
) -> Option<&'static str> {
    known
        .map(|k| (strsim::damerau_levenshtein(name, k), k))
        .filter(|(distance, k)| *distance <= (k.len() / 3).max(1))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, k)| k)
}

/// Arrays that `each` iterates in Meta's documented values.
pub(crate) const EACH: &[&str] = &[
    "messages",
    "statuses",
    "errors",
    "contacts",
    "message_echoes",
    "user_preferences",
    "restriction_info",
    "message_template_buttons",
    "changes",
    "photos",
    "values",
    "entries",
];

/// `name` as an identifier (raw when it is a keyword).
pub(crate) fn ident(name: &str) -> proc_macro2::Ident {
    // Parsing as an identifier refuses keywords.
    if syn::parse_str::<syn::Ident>(name).is_ok() {
        proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
    } else {
        proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site())
    }
}

/// The type the typed-value check names for a route: its field in
/// `webhook_core::names::fields` (wrapped in `Each` with the array for `each`
/// routes), or `Unchecked` for a name outside the table.
pub(crate) fn field_type(
    private: &proc_macro2::TokenStream,
    object: &str,
    field: &str,
    each: Option<&str>,
    unchecked: bool,
) -> proc_macro2::TokenStream {
    use quote::quote;
    let known = objects().iter().find(|(o, _)| *o == object);
    let field_ty = match known {
        Some((_, fields)) if !unchecked && fields.is_empty() => {
            let module = ident(object);
            quote!(#private::names::fields::#module::__any)
        }
        Some((_, fields)) if !unchecked && fields.contains(&field) => {
            let (module, ty) = (ident(object), ident(field));
            quote!(#private::names::fields::#module::#ty)
        }
        _ => return quote!(#private::field_check::Unchecked),
    };
    match each {
        None => field_ty,
        Some(array) if EACH.contains(&array) && !unchecked => {
            let array = ident(array);
            quote!(#private::field_check::Each<#field_ty, #private::names::arrays::#array>)
        }
        Some(_) => quote!(#private::field_check::Unchecked),
    }
}
