//! The build-time check that one of our typed values is only taken from the
//! field it belongs to (`Payload<whatsapp::Change>` on `(page, feed)` is an error).
//!
//! The assertion is evaluated when the handler's registration is compiled to code,
//! so `cargo build` and `cargo test` report it; `cargo check` (and editors built on
//! it) do not.
//!
//! `#[on]` emits, for each argument, a call that resolves by autoref: to
//! [`ViaTyped`] when the argument is `Payload<T>` (or `Option<Payload<T>>`) for a `T` of
//! ours, whose constant assertion fails the build with a message naming the field
//! `T` belongs to; and to the no-op [`ViaAny`] for every other argument, your own
//! types included. The call is a no-op at run time.

use std::marker::PhantomData;

use crate::extract::Payload;

/// One of our typed values, and the `(object, field, each)` it is the value of
/// (`each` is the array key for element types, empty otherwise).
pub trait TypedValue {
    /// Where it can come from.
    const FIELDS: &'static [(&'static str, &'static str, &'static str)];
    /// The error shown when it is taken from another field.
    const MISMATCH: &'static str;
}

/// The `(object, field, each)` a registration receives; `#[on]` declares one.
pub trait FieldName {
    /// The object.
    const OBJECT: &'static str;
    /// The field.
    const FIELD: &'static str;
    /// The array key of `each`, or empty.
    const EACH: &'static str;
}

/// Carries an argument type to the autoref resolution.
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

/// Chosen for `Payload<T>` with `T: TypedValue`: checks the field.
pub trait ViaTyped {
    /// Fails to build when the field does not match.
    fn check_field<F: FieldName>(&self);
}

impl<T: TypedValue> ViaTyped for &Probe<Payload<T>> {
    fn check_field<F: FieldName>(&self) {
        const { assert_belongs::<T, F>() }
    }
}

impl<T: TypedValue> ViaTyped for &Probe<Option<Payload<T>>> {
    fn check_field<F: FieldName>(&self) {
        const { assert_belongs::<T, F>() }
    }
}

impl<T: TypedValue> ViaTyped for &Probe<Result<Payload<T>, crate::Rejection>> {
    fn check_field<F: FieldName>(&self) {
        const { assert_belongs::<T, F>() }
    }
}

/// Chosen for every other argument: no check.
pub trait ViaAny {
    /// Does nothing.
    fn check_field<F: FieldName>(&self) {}
}

impl<T> ViaAny for Probe<T> {}

const fn assert_belongs<T: TypedValue, F: FieldName>() {
    let mut i = 0;
    while i < T::FIELDS.len() {
        let (object, field, each) = T::FIELDS[i];
        if eq(object, F::OBJECT) && (eq(field, F::FIELD) || eq(field, "*")) && eq(each, F::EACH) {
            return;
        }
        i += 1;
    }
    panic!("{}", T::MISMATCH);
}

const fn eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Declares where our typed values come from, with the message naming it, and
/// builds the `TABLE` that `explain --typed` reads.
macro_rules! typed_values {
    ($( $ty:path => [ $( ($object:literal, $field:literal $(, $each:literal)?) ),+ $(,)? ] ),* $(,)?) => {
        $(
            impl $crate::field_check::TypedValue for $ty {
                const FIELDS: &'static [(&'static str, &'static str, &'static str)] =
                    &[ $( ($object, $field, typed_values!(@each $($each)?)) ),+ ];
                const MISMATCH: &'static str = concat!(
                    "`", stringify!($ty), "` is the value of",
                    $( " (", $object, ", ", $field, $( ", each = ", $each, )? ")" ),+,
                    ", and cannot come from the field this handler is registered for; ",
                    "use the type of that field, or your own type"
                );
            }
        )*
        pub(crate) const TABLE: &[TypedEntry] = &[
            $( $(
                TypedEntry {
                    object: $object,
                    field: $field,
                    each: typed_values!(@each $($each)?),
                    type_name: stringify!($ty),
                    parse: parse_as::<$ty>,
                },
            )+ )*
        ];
    };
    (@each $each:literal) => { $each };
    (@each) => { "" };
}
pub(crate) use typed_values;
