//! What `#[on]` expands to: the function unchanged, then one anonymous `const`
//! block with per-argument checks and one `inventory::submit!`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, ReturnType};

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
    let cx = format_ident!("cx");

    quote! {
        #function

        #[doc(hidden)]
        const _: () = {
            #(#arg_checks)*
            #output_check
            #send_check
            #private::inventory::submit! {
                #private::Registration::new(
                    #target,
                    #private::HandlerInfo {
                        name: ::core::stringify!(#name),
                        module: ::core::module_path!(),
                        file: ::core::file!(),
                        line: #line,
                    },
                    |#cx| #private::call(#name, #cx),
                    |states| #private::preflight(#name, states),
                )
            }
        };
    }
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
