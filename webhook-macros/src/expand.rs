//! What `#[on]` expands to: the function unchanged, then one anonymous `const`
//! block with per-argument checks and one `inventory::submit!`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, LitStr, ReturnType};

use crate::attr::OnArgs;

pub(crate) fn expand(args: &OnArgs, function: &ItemFn) -> TokenStream {
    let private = {
        let krate = crate_path(args);
        quote!(#krate::__private)
    };
    let name = &function.sig.ident;

    let arg_checks = function.sig.inputs.iter().filter_map(|input| match input {
        FnArg::Typed(arg) => {
            let ty = &arg.ty;
            Some(quote_spanned! {ty.span()=> const _: () = #private::assert_extractor::<#ty>(); })
        }
        FnArg::Receiver(_) => None,
    });
    let output_check = match &function.sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => {
            Some(quote_spanned! {ty.span()=> const _: () = #private::assert_outcome::<#ty>(); })
        }
    };
    let never = function.sig.inputs.iter().map(|_| quote!(::core::panic!()));
    let send_check = quote_spanned! {name.span()=>
        #[allow(dead_code, unreachable_code, unused_must_use, clippy::diverging_sub_expression)]
        fn __assert_send() {
            #private::assert_send(#name(#(#never),*));
        }
    };

    let target = match (&args.object, &args.field) {
        (Some(object), Some(field)) => quote!(#private::Target::Field(#object, #field)),
        (Some(object), None) => quote!(#private::Target::Object(#object)),
        _ => quote!(#private::Target::CatchAll),
    };
    let line = quote_spanned!(name.span()=> ::core::line!());
    let options = options(args);
    // Our typed values may only come from their own field (see `field_check`).
    let (field_name, probes) = match (&args.object, &args.field) {
        (Some(object), Some(field)) => {
            let each = args.each.as_ref().map_or_else(String::new, LitStr::value);
            let field_name = quote! {
                struct __Field;
                impl #private::FieldName for __Field {
                    const OBJECT: &'static str = #object;
                    const FIELD: &'static str = #field;
                    const EACH: &'static str = #each;
                }
            };
            let probes = function.sig.inputs.iter().filter_map(|input| match input {
                FnArg::Typed(arg) => {
                    let ty = &arg.ty;
                    Some(quote_spanned! {ty.span()=>
                        {
                            #[allow(unused_imports)]
                            use #private::{ViaAny as _, ViaTyped as _};
                            (&&#private::Probe::<#ty>::new()).check_field::<__Field>();
                        }
                    })
                }
                FnArg::Receiver(_) => None,
            });
            (Some(field_name), probes.collect::<Vec<_>>())
        }
        _ => (None, Vec::new()),
    };
    let cx = format_ident!("cx");

    quote! {
        #function

        #[doc(hidden)]
        const _: () = {
            #(#arg_checks)*
            #output_check
            #send_check
            #field_name
            #private::inventory::submit! {
                #private::Registration::new(
                    #target,
                    #private::HandlerInfo {
                        name: ::core::stringify!(#name),
                        module: ::core::module_path!(),
                        file: ::core::file!(),
                        line: #line,
                    },
                    |#cx| {
                        #(#probes)*
                        #private::call(#name, #cx)
                    },
                    |states| #private::preflight(#name, states),
                )
                #options
            }
        };
    }
}

/// The registration's builder calls for filters, idempotency and the time limit.
fn options(args: &OnArgs) -> TokenStream {
    let idempotent = args.idempotent.as_ref().map(|_| quote!(.idempotent()));
    let timeout = args.timeout_ms.map(|ms| quote!(.timeout(#ms)));
    let filtered = (args.each.is_some() || !args.filters.is_empty()).then(|| {
        let each = args.each.as_ref().map_or_else(
            || quote!(::core::option::Option::None),
            |each| quote!(::core::option::Option::Some(#each)),
        );
        let pairs = args.filters.iter().map(|(key, value)| {
            let key = key.to_string();
            quote!((#key, #value))
        });
        quote!(.filtered(#each, &[#(#pairs),*]))
    });
    quote!(#filtered #idempotent #timeout)
}

/// The path to our runtime: `crate = ..` if given, else whichever of our crates the
/// user's `Cargo.toml` names (renamed or not), else `::webhook_core`.
fn crate_path(args: &OnArgs) -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    if let Some(path) = &args.krate {
        return quote!(#path);
    }
    for package in ["webhook-core", "webhook-server"] {
        match crate_name(package) {
            Ok(FoundCrate::Itself) => {
                let ident = format_ident!("{}", package.replace('-', "_"));
                return quote!(::#ident);
            }
            Ok(FoundCrate::Name(name)) => {
                let ident = format_ident!("{name}");
                return quote!(::#ident);
            }
            Err(_) => {}
        }
    }
    quote!(::webhook_core)
}
