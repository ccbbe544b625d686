//! The `#[on]` attribute of meta-webhooks. Use it through `webhook_core::on` or
//! `webhook_server::on`; all logic lives in `webhook-core`.

mod attr;
mod expand;
mod names;
mod validate;

use proc_macro::TokenStream;
use quote::quote;
use syn::spanned::Spanned;

/// Registers an `async fn` as a handler for Meta webhook items.
///
/// ```
/// use webhook_core::{on, EntryMeta, State, Payload};
///
/// #[derive(serde::Deserialize)]
/// struct Feed { item: String, verb: String }
///
/// struct Db;
///
/// #[on(object = "page", field = "feed")]
/// async fn feed(Payload(post): Payload<Feed>, meta: EntryMeta, State(db): State<Db>) -> anyhow::Result<()> {
///     println!("page {}: {} {}", meta.id, post.item, post.verb);
///     Ok(())
/// }
/// ```
///
/// # Grammar
///
/// ```text
/// #[on(object = "<object>", field = "<field>" [, each = "<array>"] [, when(<key> = "<value>", ...)]
///      [, idempotent] [, timeout = "<duration>"] [, unchecked] [, crate = path])]
/// #[on(object = "<object>" [, ...])]            every item of one object
/// #[on(catch_all)]                               every item no other handler selects
/// ```
///
/// | argument | meaning |
/// |---|---|
/// | `object = "page"` | the notification's `object` (`page`, `instagram`, `whatsapp_business_account`, `user`, `permissions`, ..., or a Threads topic) |
/// | `field = "feed"` | the subscription field; messaging events use their field name (`messages`, `messaging_postbacks`, ...; see `webhook_core::routing`) |
/// | `when(key = "value", ..)` | filters: the payload's top-level `key` must equal `value`, for every pair (see `webhook_core::select`); any key, `r#type` for `type` |
/// | `each = "messages"` | call the handler once per element of the payload's array (filters then apply to the element) |
/// | `idempotent` | in durable mode, claim the item's natural key before each call (see `webhook_core::delivery`) |
/// | `timeout = "500ms"` | cancel a call that runs longer (`500ms`, `10s`, `2m`), overriding the dispatcher's handler timeout (default 30 s); the call is reported as timed out and, in durable mode, retried |
/// | `catch_all` | receive every item that no other handler selects |
/// | `unchecked` | accept an object, field or `each` array Meta added after this crate was written |
/// | `crate = path` | where our runtime is, when neither `webhook-core` nor `webhook-server` is a direct dependency under its own name (for example re-exported by your own crate) |
///
/// Objects and fields are checked against Meta's documented names when compiling
/// (`"fead"` is an error suggesting `feed`), and so is every argument: a key the
/// attribute does not know (`fields`, `Field`, or a payload key outside `when(..)`)
/// is an error with a did-you-mean, never a silent filter. One of our typed values
/// (`webhook_core::fields`) taken from another field is a compile error naming its
/// field (`cargo check` reports it: it is a trait bound).
///
/// # Typing requirements
///
/// - An `async fn`, free (no `self`), not generic.
/// - 0 to 8 arguments, each implementing `webhook_core::FromItem` (`Payload<T>`,
///   `RawItem`, `EntryMeta`, `RawEntry`, `State<T>`, `Object`, `Option<_>`,
///   `Result<_, Rejection>`, `fields::whatsapp::ChangeContext`, or your own).
/// - Returns `()` or `Result<(), E>` with `E: Into<Box<dyn Error + Send + Sync>>`.
/// - The returned future is `Send`.
///
/// # Semantics
///
/// The function is kept as written and stays callable. Without `each`, it is
/// called once per item its route selects (one WhatsApp change is one item, however
/// many messages it holds); with `each`, once per selected element. An item for
/// which no route selects the item or any of its elements goes to the `catch_all`
/// handlers. Several `#[on]` on one function register it several times.
/// Registration is global to the program and read by
/// `Dispatcher::builder().registered_handlers()`, which
/// fails at start-up when a `State<T>` is missing.
///
/// # Equivalent code
///
/// The attribute is shorthand for adding the route by hand:
///
/// ```
/// # use webhook_core::{Dispatcher, Payload, Route};
/// # async fn feed(Payload(v): Payload<serde_json::Value>) {}
/// let dispatcher = Dispatcher::builder().route(Route::field("page", "feed"), feed).build();
/// // with filters: .route(Route::field("page", "feed").when("verb", "add"), feed)
/// ```
///
/// ```compile_fail
/// # use webhook_core::on;
/// #[on(object = "page", field = "feed")]
/// fn not_async() {}
/// ```
#[proc_macro_attribute]
pub fn on(attr: TokenStream, item: TokenStream) -> TokenStream {
    on_with(attr, item, &quote!(::webhook_core))
}

/// `#[on]` as `webhook_server` re-exports it: the same attribute, finding the
/// runtime through `::webhook_server` (see `webhook_server::on`).
#[doc(hidden)]
#[proc_macro_attribute]
pub fn on_via_server(attr: TokenStream, item: TokenStream) -> TokenStream {
    on_with(attr, item, &quote!(::webhook_server))
}

fn on_with(
    attr: TokenStream,
    item: TokenStream,
    default_crate: &proc_macro2::TokenStream,
) -> TokenStream {
    let original = proc_macro2::TokenStream::from(item.clone());
    let function = match syn::parse::<syn::Item>(item) {
        Ok(syn::Item::Fn(function)) => function,
        Ok(other) => {
            let error = syn::Error::new(
                item_keyword_span(&other),
                "`#[on]` can only be used on functions",
            )
            .to_compile_error();
            return quote!(#original #error).into();
        }
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#original #error).into();
        }
    };
    let mut args = match syn::parse::<attr::OnArgs>(attr) {
        Ok(args) => args,
        Err(error) => {
            let error = error.to_compile_error();
            return quote!(#function #error).into();
        }
    };
    args.check();
    let mut errors = args.errors.take();
    if let Some(error) = validate::check(&function) {
        attr::push(&mut errors, error);
    }
    match errors {
        Some(errors) => {
            let errors = errors.to_compile_error();
            quote!(#function #errors).into()
        }
        None => expand::expand(&args, &function, default_crate).into(),
    }
}

/// Meta's names as constants, for `webhook_core::names`: the one table the
/// attribute checks names against, handed to the runtime crate so that its routing
/// table and catalog of typed values are tested against the same names. Not public
/// API.
#[doc(hidden)]
#[proc_macro]
pub fn __meta_names(input: TokenStream) -> TokenStream {
    if !input.is_empty() {
        return syn::Error::new(proc_macro2::Span::call_site(), "takes no input")
            .to_compile_error()
            .into();
    }
    let objects = names::objects()
        .iter()
        .map(|(object, fields)| quote!((#object, &[#(#fields),*])));
    let each = names::EACH;
    let field_types = names::objects().iter().map(|(object, fields)| {
        let module = names::ident(object);
        let types = fields.iter().map(|field| {
            let ty = names::ident(field);
            let doc = format!("The field `{field}` of `{object}`.");
            quote!(#[doc = #doc] pub struct #ty;)
        });
        let doc = format!("The fields of `{object}`, as types.");
        let any = fields.is_empty().then(|| {
            let doc = format!("Any field of `{object}` (its fields are open-ended).");
            quote!(#[doc = #doc] pub struct __any;)
        });
        quote! {
            #[doc = #doc]
            #[allow(non_camel_case_types)]
            pub mod #module { #(#types)* #any }
        }
    });
    let array_types = each.iter().map(|array| {
        let ty = names::ident(array);
        let doc = format!("The array `{array}` of a value, for `each = \"{array}\"`.");
        quote!(#[doc = #doc] pub struct #ty;)
    });
    quote! {
        /// Every object, with its documented subscription fields; an empty list means
        /// any field (one per permission for `permissions`, for example).
        pub const OBJECTS: &[(&str, &[&str])] = &[#(#objects),*];
        /// The arrays `each = ".."` iterates in Meta's documented values.
        pub const EACH: &[&str] = &[#(#each),*];
        /// Every documented field as a type, for the typed-value check
        /// ([`field_check`](crate::field_check)).
        pub mod fields {
            #(#field_types)*
        }
        /// Every array `each` iterates, as a type.
        #[allow(non_camel_case_types)]
        pub mod arrays {
            #(#array_types)*
        }
    }
    .into()
}

fn item_keyword_span(item: &syn::Item) -> proc_macro2::Span {
    match item {
        syn::Item::Struct(s) => s.struct_token.span,
        syn::Item::Enum(e) => e.enum_token.span,
        syn::Item::Impl(i) => i.impl_token.span,
        syn::Item::Const(c) => c.const_token.span,
        syn::Item::Static(s) => s.static_token.span,
        syn::Item::Mod(m) => m.mod_token.span,
        syn::Item::Trait(t) => t.trait_token.span,
        other => other.span(),
    }
}
