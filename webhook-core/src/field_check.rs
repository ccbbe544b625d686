//! The check that a typed value is only taken from the field it belongs to:
//! `Payload<whatsapp::Change>` on `(page, feed)` is a compile error, reported by
//! `cargo check` and rust-analyzer as well as by `cargo build`, since it is a trait
//! bound.
//!
//! Each documented field is a type in [`names::fields`](crate::names::fields)
//! (`names::fields::page::feed`), each array an `each` route iterates a type in
//! [`names::arrays`](crate::names::arrays). A value type says where it comes from
//! with [`ValueOf`]. For each argument of a handler routed to one field, `#[on]`
//! emits a probe that resolves by autoref: for `Payload<T>` (also inside `Option` or
//! `Result<_, Rejection>`) with `T:` [`TypedValue`], to a check requiring
//! `T: ValueOf<Field>`; for every other argument, to nothing. The probe does nothing
//! at run time.
//!
//! Your own types are never checked, unless you opt in: implement [`TypedValue`]
//! and `ValueOf` for each field the type is the value of.
//!
//! ```
//! use webhook_core::field_check::{TypedValue, ValueOf};
//! use webhook_core::names::fields::page;
//!
//! /// The feed changes this application reads.
//! #[derive(serde::Deserialize)]
//! struct Post { post_id: String }
//!
//! impl TypedValue for Post {}
//! impl ValueOf<page::feed> for Post {}
//! ```
//!
//! With that, `#[on(object = "page", field = "ratings")] async fn f(Payload(p): Payload<Post>)`
//! fails to compile: "`Post` is not the value of this handler's field, `ratings`", and
//! the compiler names the field it is the value of.

use std::marker::PhantomData;

use crate::extract::{Payload, Rejection};

/// A value type whose field is checked: taking it from a field it does not belong
/// to (see [`ValueOf`]) is a compile error. Every typed value of
/// [`fields`](crate::fields) implements it.
pub trait TypedValue {}

/// `Self` is the value of the field `F` (a type of
/// [`names::fields`](crate::names::fields), or [`Each`] of one and an array).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not the value of this handler's field, `{F}`",
    label = "not the value of this handler's field",
    note = "the documentation of `{Self}` names the fields it is the value of (under `TypedValue`); take the type of this handler's field, or a type of your own"
)]
pub trait ValueOf<F> {}

/// The elements of the array `A` in the value of the field `F`, for routes with
/// `each = ".."`.
pub struct Each<F, A>(PhantomData<(F, A)>);

/// A name outside the table (`#[on(.., unchecked)]`): no typed value of ours
/// belongs to it.
pub struct Unchecked;

/// Carries an argument type to the autoref resolution. Not public API.
#[doc(hidden)]
pub struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    /// A probe for `T`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Probe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The probe's answer for a typed value `T`. Not public API.
#[doc(hidden)]
pub struct Typed<T>(PhantomData<T>);

impl<T> Typed<T> {
    /// Compiles only when `T` is the value of `F`.
    pub fn check<F>(self)
    where
        T: ValueOf<F>,
    {
    }
}

/// The probe's answer for any other argument. Not public API.
#[doc(hidden)]
pub struct Untyped;

impl Untyped {
    /// Compiles always.
    pub fn check<F>(self) {}
}

/// Chosen for `Payload<T>` with `T: TypedValue`. Not public API.
#[doc(hidden)]
pub trait ViaTyped {
    /// The value type.
    type Value;
    /// Its check.
    fn tag(&self) -> Typed<Self::Value> {
        Typed(PhantomData)
    }
}

impl<T: TypedValue> ViaTyped for &Probe<Payload<T>> {
    type Value = T;
}

impl<T: TypedValue> ViaTyped for &Probe<Option<Payload<T>>> {
    type Value = T;
}

impl<T: TypedValue> ViaTyped for &Probe<Result<Payload<T>, Rejection>> {
    type Value = T;
}

/// Chosen for every other argument: no check. Not public API.
#[doc(hidden)]
pub trait ViaAny {
    /// No check.
    fn tag(&self) -> Untyped {
        Untyped
    }
}

impl<T> ViaAny for Probe<T> {}

/// Declares where our typed values come from (`TypedValue`, one `ValueOf` per field,
/// documented on the impl), and builds the `TABLE` that `explain --typed` reads.
/// `__any` stands for any field of an object whose fields are open-ended.
macro_rules! typed_values {
    ($( $ty:path => [ $( ($object:ident, $field:ident $(, $each:ident)?) ),+ $(,)? ] ),* $(,)?) => {
        $(
            #[doc = concat!(
                "The value of",
                $( " (`", stringify!($object), "`, `", stringify!($field), "`", $( ", each `", stringify!($each), "`", )? ")" ),+,
                "."
            )]
            impl $crate::field_check::TypedValue for $ty {}
            $(
                impl $crate::field_check::ValueOf<typed_values!(@field $object $field $($each)?)> for $ty {}
            )+
        )*
        pub(crate) const TABLE: &[TypedEntry] = &[
            $( $(
                TypedEntry {
                    object: stringify!($object),
                    field: $crate::field_check::field_text(stringify!($field)),
                    each: typed_values!(@each $($each)?),
                    type_name: stringify!($ty),
                    parse: parse_as::<$ty>,
                },
            )+ )*
        ];
    };
    (@field $object:ident $field:ident $each:ident) => {
        $crate::field_check::Each<$crate::names::fields::$object::$field, $crate::names::arrays::$each>
    };
    (@field $object:ident $field:ident) => { $crate::names::fields::$object::$field };
    (@each $each:ident) => { stringify!($each) };
    (@each) => { "" };
}
pub(crate) use typed_values;

/// `*` for `__any` (any field), else the field's name.
pub(crate) const fn field_text(field: &'static str) -> &'static str {
    let (name, any) = (field.as_bytes(), b"__any");
    if name.len() != any.len() {
        return field;
    }
    let mut i = 0;
    while i < name.len() {
        if name[i] != any[i] {
            return field;
        }
        i += 1;
    }
    "*"
}
