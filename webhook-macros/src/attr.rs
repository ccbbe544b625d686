//! Parsing `#[on(...)]`'s arguments.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Path, Token};

/// The parsed arguments. Every error found is collected, not just the first.
pub(crate) struct OnArgs {
    pub(crate) object: Option<LitStr>,
    pub(crate) field: Option<LitStr>,
    pub(crate) catch_all: Option<Ident>,
    pub(crate) krate: Option<Path>,
    pub(crate) errors: Option<syn::Error>,
}

const EXPECTED: &str =
    "expected `object = \"...\"`, `field = \"...\"`, `catch_all` or `crate = path`";

impl Parse for OnArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut args = Self {
            object: None,
            field: None,
            catch_all: None,
            krate: None,
            errors: None,
        };
        while !input.is_empty() {
            let key = Ident::parse_any(input)?;
            match key.to_string().as_str() {
                "catch_all" => set(&mut args.errors, &mut args.catch_all, &key, key.clone()),
                "object" => {
                    let value = value::<LitStr>(input)?;
                    set(&mut args.errors, &mut args.object, &key, value);
                }
                "field" => {
                    let value = value::<LitStr>(input)?;
                    set(&mut args.errors, &mut args.field, &key, value);
                }
                "crate" => {
                    input.parse::<Token![=]>()?;
                    let path = if input.peek(LitStr) {
                        input.parse::<LitStr>()?.parse()?
                    } else {
                        input.parse()?
                    };
                    set(&mut args.errors, &mut args.krate, &key, path);
                }
                other => {
                    let hint = match other {
                        "fields" | "fild" | "feild" => " (did you mean `field`?)",
                        "obj" | "objects" | "topic" => " (did you mean `object`?)",
                        "fallback" | "catchall" | "any" => " (did you mean `catch_all`?)",
                        _ => "",
                    };
                    push(
                        &mut args.errors,
                        syn::Error::new(
                            key.span(),
                            format!("unknown argument `{other}`{hint}; {EXPECTED}"),
                        ),
                    );
                    // Skip its value so the following arguments are still checked.
                    if input.parse::<Option<Token![=]>>()?.is_some() {
                        input.parse::<syn::Expr>()?;
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

fn value<T: Parse>(input: ParseStream<'_>) -> syn::Result<T> {
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
    /// Checks the combination of arguments and the names' spelling.
    pub(crate) fn check(&mut self) {
        let mut errors = self.errors.take();
        if let Some(catch_all) = &self.catch_all {
            if self.object.is_some() || self.field.is_some() {
                push(
                    &mut errors,
                    syn::Error::new(
                        catch_all.span(),
                        "`catch_all` receives every unhandled item; it takes no `object` or `field`",
                    ),
                );
            }
        } else if self.object.is_none() {
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
        for (what, lit) in [("object", &self.object), ("field", &self.field)] {
            if let Some(lit) = lit.as_ref().filter(|lit| !is_valid_name(&lit.value())) {
                let example = if what == "object" { "page" } else { "feed" };
                let message = format!("{what} names are lowercase snake_case, e.g. `{example}`");
                push(&mut errors, syn::Error::new(lit.span(), message));
            }
        }
        self.errors = errors;
    }
}

/// Mirrors `webhook_core::dispatch::is_valid_name` (the macro cannot depend on it).
fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
