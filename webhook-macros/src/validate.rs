//! Checking that `#[on]` sits on a function it can register.

use syn::spanned::Spanned;
use syn::{FnArg, ItemFn};

use crate::attr::push;

/// The most arguments a handler takes (`webhook_core::Handler` is implemented up
/// to this arity).
pub(crate) const MAX_ARGS: usize = 8;

/// Every problem with the function's signature.
pub(crate) fn check(function: &ItemFn) -> Option<syn::Error> {
    let sig = &function.sig;
    let mut errors = None;
    if sig.asyncness.is_none() {
        push(
            &mut errors,
            syn::Error::new(sig.fn_token.span, "`#[on]` handlers must be `async fn`"),
        );
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        push(
            &mut errors,
            syn::Error::new_spanned(
                &sig.generics,
                "`#[on]` does not support generic handlers; name concrete types",
            ),
        );
    }
    if let Some(variadic) = &sig.variadic {
        push(
            &mut errors,
            syn::Error::new_spanned(variadic, "`#[on]` handlers cannot be variadic"),
        );
    }
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => push(
                &mut errors,
                syn::Error::new_spanned(
                    receiver,
                    "`#[on]` must be on a free function, not a method: it takes no `self`",
                ),
            ),
            FnArg::Typed(arg) if matches!(*arg.ty, syn::Type::ImplTrait(_)) => push(
                &mut errors,
                syn::Error::new_spanned(
                    &arg.ty,
                    "`#[on]` does not support generic handlers; `impl Trait` arguments are generic",
                ),
            ),
            FnArg::Typed(arg) => {
                if let Some(error) = not_an_argument(&arg.ty) {
                    push(&mut errors, error);
                }
            }
        }
    }
    if sig.inputs.len() > MAX_ARGS {
        let extra = sig
            .inputs
            .iter()
            .nth(MAX_ARGS)
            .map_or_else(|| sig.inputs.span(), Spanned::span);
        push(
            &mut errors,
            syn::Error::new(
                extra,
                format!(
                    "handlers take at most {MAX_ARGS} arguments; group some into your own `FromItem` type"
                ),
            ),
        );
    }
    errors
}

/// Argument types that are never extractors, with the advice that fits: a
/// reference (arguments are owned), a string or a JSON value (the item's value is
/// read through `Payload<T>`).
fn not_an_argument(ty: &syn::Type) -> Option<syn::Error> {
    match ty {
        syn::Type::Reference(reference) => {
            let inner = &reference.elem;
            let text = quote::ToTokens::to_token_stream(inner).to_string();
            let message = if text == "str" {
                "handler arguments are owned values; to read the item's value as text, take \
                 `Payload<String>`"
                    .to_owned()
            } else {
                format!(
                    "handler arguments are owned values, built for each call: remove the `&` and \
                     take `{text}`"
                )
            };
            Some(syn::Error::new(reference.and_token.span, message))
        }
        syn::Type::Path(path) if path.qself.is_none() => {
            let segments: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let last = segments.last()?;
            let json_value = last == "Value"
                && segments.len() >= 2
                && segments[segments.len() - 2] == "serde_json";
            let primitive = matches!(
                last.as_str(),
                "String" | "bool" | "u8" | "u16" | "u32" | "u64" | "i32" | "i64" | "f64"
            ) && segments.len() == 1;
            (json_value || primitive).then(|| {
                let text = quote::ToTokens::to_token_stream(ty)
                    .to_string()
                    .replace(' ', "");
                syn::Error::new_spanned(
                    ty,
                    format!(
                        "`{text}` is not a handler argument; to read the item's value as `{text}`, \
                         take `Payload<{text}>`"
                    ),
                )
            })
        }
        _ => None,
    }
}
