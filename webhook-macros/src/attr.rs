//! Parsing and checking `#[on(...)]`'s arguments.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token};

use crate::names::{self, Unknown};

/// The parsed arguments. Every error found is collected, not just the first.
pub(crate) struct OnArgs {
    pub(crate) object: Option<LitStr>,
    pub(crate) field: Option<LitStr>,
    pub(crate) catch_all: Option<Ident>,
    pub(crate) krate: Option<Path>,
    pub(crate) each: Option<LitStr>,
    pub(crate) unchecked: Option<Ident>,
    pub(crate) idempotent: Option<Ident>,
    /// `timeout = "500ms"`: the literal, and once checked, the bound in milliseconds.
    pub(crate) timeout: Option<LitStr>,
    pub(crate) timeout_ms: Option<u64>,
    /// `when(key = "value", ..)`: the group's keyword, and its pairs matched
    /// against the item's payload.
    pub(crate) when: Option<Ident>,
    /// An unknown argument was a near miss of `object`: already reported, so a
    /// missing `object` is not reported again.
    pub(crate) misspelt_object: bool,
    pub(crate) filters: Vec<(Ident, LitStr)>,
    pub(crate) errors: Option<syn::Error>,
}

const RESERVED: &[&str] = &[
    "object",
    "field",
    "catch_all",
    "crate",
    "each",
    "unchecked",
    "idempotent",
    "timeout",
    "when",
];

impl Parse for OnArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Self {
            object: None,
            field: None,
            catch_all: None,
            krate: None,
            each: None,
            unchecked: None,
            idempotent: None,
            timeout: None,
            timeout_ms: None,
            when: None,
            misspelt_object: false,
            filters: Vec::new(),
            errors: None,
        };
        while !input.is_empty() {
            // `r#type = "text"` filters on the key `type`.
            let key = Ident::parse_any(input)?.unraw();
            let errors = &mut args.errors;
            match key.to_string().as_str() {
                "catch_all" => set(errors, &mut args.catch_all, &key, key.clone()),
                "unchecked" => set(errors, &mut args.unchecked, &key, key.clone()),
                "idempotent" => set(errors, &mut args.idempotent, &key, key.clone()),
                "object" => set(errors, &mut args.object, &key, value(input)?),
                "field" => set(errors, &mut args.field, &key, value(input)?),
                "each" => set(errors, &mut args.each, &key, value(input)?),
                "timeout" => set(errors, &mut args.timeout, &key, value(input)?),
                "crate" => {
                    input.parse::<Token![=]>()?;
                    let path = if input.peek(LitStr) {
                        input.parse::<LitStr>()?.parse()?
                    } else {
                        input.parse()?
                    };
                    set(errors, &mut args.krate, &key, path);
                }
                "when" => {
                    if args.when.is_some() {
                        push(
                            errors,
                            syn::Error::new(
                                key.span(),
                                "`when` given more than once; put every filter in one `when(..)`",
                            ),
                        );
                    }
                    args.when = Some(key.clone());
                    let group;
                    syn::parenthesized!(group in input);
                    parse_filters(&group, &mut args.filters, errors)?;
                }
                other => {
                    let near = names::closest(other, RESERVED.iter().copied());
                    args.misspelt_object |= near == Some("object");
                    let message = match near {
                        Some(near) => format!("unknown argument `{other}`; did you mean `{near}`?"),
                        None => format!(
                            "unknown argument `{other}`; to select items whose payload has \
                             `{other}`, write the filter in `when(..)`: `when({other} = \"..\")`"
                        ),
                    };
                    push(
                        errors,
                        syn::Error::new(
                            key.span(),
                            format!(
                                "{message} (expected `object`, `field`, `each`, `when(..)`, `catch_all`, `unchecked`, `idempotent`, `timeout` or `crate`)"
                            ),
                        ),
                    );
                    // Skip the argument's value, so that the errors after it are still found.
                    if input.peek(Token![=]) {
                        input.parse::<Token![=]>()?;
                        input.parse::<syn::Expr>()?;
                    } else if input.peek(syn::token::Paren) {
                        let skipped;
                        syn::parenthesized!(skipped in input);
                        skipped.parse::<proc_macro2::TokenStream>()?;
                    }
                }
            }
            if input.is_empty() {
                break;
            }
            input.parse::<Token![,]>()?;
        }
        Ok(args)
    }
}

/// The pairs inside `when(..)`: any key, each once, every value a string.
fn parse_filters(
    input: ParseStream<'_>,
    filters: &mut Vec<(Ident, LitStr)>,
    errors: &mut Option<syn::Error>,
) -> syn::Result<()> {
    if input.is_empty() {
        push(
            errors,
            syn::Error::new(
                input.span(),
                "`when()` is empty; write the filters in it: `when(item = \"comment\")`",
            ),
        );
    }
    while !input.is_empty() {
        // `r#type = "text"` filters on the key `type`.
        let key = Ident::parse_any(input)?.unraw();
        input.parse::<Token![=]>()?;
        if input.peek(LitStr) {
            let value = input.parse::<LitStr>()?;
            if filters.iter().any(|(k, _)| *k == key) {
                push(
                    errors,
                    syn::Error::new(key.span(), format!("filter `{key}` given more than once")),
                );
            } else {
                filters.push((key, value));
            }
        } else {
            let value = input.parse::<syn::Expr>()?;
            let text = quote::ToTokens::to_token_stream(&value).to_string();
            let message = format!("filter values are strings: write `{key} = \"{text}\"`");
            push(errors, syn::Error::new_spanned(value, message));
        }
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok(())
}

fn value(input: ParseStream<'_>) -> syn::Result<LitStr> {
    input.parse::<Token![=]>()?;
    input.parse()
}

fn set<T>(errors: &mut Option<syn::Error>, slot: &mut Option<T>, key: &Ident, value: T) {
    if slot.is_some() {
        push(
            errors,
            syn::Error::new(key.span(), format!("`{key}` given more than once")),
        );
    } else {
        *slot = Some(value);
    }
}

pub(crate) fn push(errors: &mut Option<syn::Error>, error: syn::Error) {
    match errors {
        Some(existing) => existing.combine(error),
        None => *errors = Some(error),
    }
}

impl OnArgs {
    /// Reads `timeout = ".."` as a duration of at least a millisecond.
    fn check_timeout(&mut self, errors: &mut Option<syn::Error>) {
        if let Some(lit) = &self.timeout {
            match humantime::parse_duration(&lit.value()) {
                Ok(limit) if limit.as_millis() >= 1 => {
                    self.timeout_ms = Some(u64::try_from(limit.as_millis()).unwrap_or(u64::MAX));
                }
                Ok(_) => push(
                    errors,
                    syn::Error::new(lit.span(), "a handler timeout is at least `1ms`"),
                ),
                Err(e) => push(
                    errors,
                    syn::Error::new(
                        lit.span(),
                        format!(
                            "`{}` is not a duration ({e}); write it like `500ms`, `10s` or `2m`",
                            lit.value()
                        ),
                    ),
                ),
            }
        }
    }

    /// Checks the combination of arguments and the names' spelling.
    pub(crate) fn check(&mut self) {
        let mut errors = self.errors.take();
        if let Some(catch_all) = &self.catch_all {
            if self.object.is_some()
                || self.field.is_some()
                || self.each.is_some()
                || self.when.is_some()
            {
                push(
                    &mut errors,
                    syn::Error::new(
                        catch_all.span(),
                        "`catch_all` receives every unhandled item; it takes no `object`, `field`, `each` or `when(..)`",
                    ),
                );
            }
        } else if self.object.is_none() && !self.misspelt_object {
            let span = self
                .field
                .as_ref()
                .map_or_else(Span::call_site, LitStr::span);
            push(
                &mut errors,
                syn::Error::new(
                    span,
                    "missing `object = \"...\"`, e.g. `#[on(object = \"page\", field = \"feed\")]`",
                ),
            );
        }
        if let (Some(each), None) = (&self.each, &self.unchecked) {
            let name = each.value();
            if !names::EACH.contains(&name.as_str()) {
                let hint = names::closest(&name, names::EACH.iter().copied())
                    .map(|n| format!("did you mean `{n}`? "))
                    .unwrap_or_default();
                let message = format!(
                    "`{name}` is not an array Meta sends in a value; {hint}for another array, add `unchecked`"
                );
                push(&mut errors, syn::Error::new(each.span(), message));
            }
        }
        if let (Some(each), None) = (&self.each, &self.field) {
            push(
                &mut errors,
                syn::Error::new(
                    each.span(),
                    "`each` needs a `field`: it iterates an array of that field's value",
                ),
            );
        }
        self.check_timeout(&mut errors);
        let mut well_formed = true;
        for lit in [&self.object, &self.field, &self.each]
            .into_iter()
            .flatten()
        {
            if !is_valid_name(&lit.value()) {
                well_formed = false;
                push(
                    &mut errors,
                    syn::Error::new(
                        lit.span(),
                        "names are lowercase snake_case, e.g. `page`, `feed`",
                    ),
                );
            }
        }
        if let (Some(object), true, None) = (&self.object, well_formed, &self.unchecked) {
            let field = self.field.as_ref().map(LitStr::value);
            match names::check(&object.value(), field.as_deref()) {
                Ok(()) => {}
                Err(Unknown::Object(near)) => push(
                    &mut errors,
                    syn::Error::new(
                        object.span(),
                        unknown("object", &object.value(), near, "Meta object"),
                    ),
                ),
                Err(Unknown::Field(near)) => {
                    let lit = self.field.as_ref().expect("a field was checked");
                    let what = format!("field of `{}`", object.value());
                    push(
                        &mut errors,
                        syn::Error::new(lit.span(), unknown("field", &lit.value(), near, &what)),
                    );
                }
            }
        }
        self.errors = errors;
    }
}

fn unknown(kind: &str, name: &str, near: Option<&str>, what: &str) -> String {
    let hint = near
        .map(|n| format!("did you mean `{n}`? "))
        .unwrap_or_default();
    format!(
        "`{name}` is not a known {what}; {hint}if Meta added it after this crate was written, \
         add `unchecked` to the attribute: `#[on(.., {kind} = \"{name}\", unchecked)]`"
    )
}

fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
