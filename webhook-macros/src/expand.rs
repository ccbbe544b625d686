//! What `#[on]` expands to: the function unchanged, then one anonymous `const`
//! block with per-argument checks and one `inventory::submit!`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, LitStr, ReturnType, Type};

use crate::attr::OnArgs;

/// Expands `#[on]`; `default_crate` is where the runtime is unless `crate = ..` says
/// otherwise (`::webhook_core`, or `::webhook_server` for its re-export).
pub(crate) fn expand(args: &OnArgs, function: &ItemFn, default_crate: &TokenStream) -> TokenStream {
    let private = args.krate.as_ref().map_or_else(
        || quote!(#default_crate::__private),
        |path| quote!(#path::__private),
    );
    let name = &function.sig.ident;

    // Each argument is extracted by its own call, spanned at its type, so that a
    // type that is not an argument is one error there and nowhere else.
    let arg_types: Vec<_> = function
        .sig
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Typed(arg) => Some(&*arg.ty),
            FnArg::Receiver(_) => None,
        })
        .collect();
    let arg_names: Vec<_> = (0..arg_types.len())
        .map(|i| format_ident!("__arg{i}"))
        .collect();
    let extractions = arg_types.iter().zip(&arg_names).map(|(ty, arg)| {
        quote_spanned! {ty.span()=>
            let #arg = match #private::extract::<#ty>(cx) {
                ::core::result::Result::Ok(value) => value,
                ::core::result::Result::Err(rejection) => return #private::rejected(rejection),
            };
        }
    });
    let preflights = arg_types.iter().map(|ty| {
        quote_spanned! {ty.span()=> #private::preflight_arg::<#ty>(states, &mut missing); }
    });
    // Called through a value, as an `async fn` handed to a framework is: an
    // `async fn` without `.await` is a fine handler (clippy's `unused_async`).
    let call = quote_spanned! {name.span()=> { let handler = #name; handler(#(#arg_names),*) } };
    let finish = match &function.sig.output {
        ReturnType::Default => quote!(<() as #private::Finish>::finish(#call)),
        ReturnType::Type(_, ty) => {
            let finish = quote_spanned! {ty.span()=> <#ty as #private::Finish>::finish };
            quote!(#finish(#call))
        }
    };

    let target = match (&args.object, &args.field) {
        (Some(object), Some(field)) => quote!(#private::Target::Field(#object, #field)),
        (Some(object), None) => quote!(#private::Target::Object(#object)),
        _ => quote!(#private::Target::CatchAll),
    };
    let line = quote_spanned!(name.span()=> ::core::line!());
    let options = options(args);
    let probes = field_check(args, &arg_types, &private);
    let cx = format_ident!("cx");

    quote! {
        #function

        #[doc(hidden)]
        const _: () = {
            #private::inventory::submit! {
                #private::Registration::new(
                    #private::StaticRoute::new(#target) #options,
                    #private::HandlerInfo {
                        name: ::core::stringify!(#name),
                        module: ::core::module_path!(),
                        file: ::core::file!(),
                        line: #line,
                    },
                    |#cx| {
                        #(#probes)*
                        #(#extractions)*
                        #finish
                    },
                    |states| {
                        #[allow(unused_mut)]
                        let mut missing = ::std::vec::Vec::new();
                        #(#preflights)*
                        missing
                    },
                )
            }
        };
    }
}

/// The build-time check that our typed values come from their own field (see
/// `webhook_core::field_check`): a `FieldName` for the route, and one probe per
/// argument.
fn field_check(args: &OnArgs, arg_types: &[&Type], private: &TokenStream) -> Vec<TokenStream> {
    let (Some(object), Some(field)) = (&args.object, &args.field) else {
        return Vec::new();
    };
    let each = args.each.as_ref().map(LitStr::value);
    let field_type = crate::names::field_type(
        private,
        &object.value(),
        &field.value(),
        each.as_deref(),
        args.unchecked.is_some(),
    );
    arg_types
        .iter()
        .map(|ty| {
            quote_spanned! {ty.span()=>
                {
                    #[allow(unused_imports)]
                    use #private::field_check::{ViaAny as _, ViaTyped as _};
                    (&&#private::field_check::Probe::<#ty>::new())
                        .tag()
                        .check::<#field_type>();
                }
            }
        })
        .collect()
}

/// The route's builder calls for filters, idempotency and the time limit.
fn options(args: &OnArgs) -> TokenStream {
    let idempotent = args.idempotent.as_ref().map(|_| quote!(.idempotent()));
    let timeout = args.timeout_ms.map(|ms| quote!(.timeout(#ms)));
    let each = args.each.as_ref().map(|each| quote!(.each(#each)));
    let when = (!args.filters.is_empty()).then(|| {
        let pairs = args.filters.iter().map(|(key, value)| {
            let key = key.to_string();
            quote!((#key, #value))
        });
        quote!(.when(&[#(#pairs),*]))
    });
    quote!(#each #when #idempotent #timeout)
}
