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
            FnArg::Typed(_) => {}
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
