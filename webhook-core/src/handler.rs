//! The [`Handler`] trait: `async fn`s of 0 to 8 [`FromItem`] arguments, in any
//! order, returning `()` or `Result<(), E>`.
//!
//! Eight arguments is the limit; group more into your own `FromItem` type.

use std::future::Future;
use std::pin::Pin;

use crate::extract::{FromItem, ItemContext, Rejection};
use crate::state::{MissingState, StateMap};

/// A boxed, type-erased error, as returned by failing handlers.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The future of one handler call.
pub type HandlerFuture = Pin<Box<dyn Future<Output = Result<(), HandlerError>> + Send + 'static>>;

/// How a handler call failed before it could panic.
#[derive(Debug)]
pub enum HandlerError {
    /// An argument could not be extracted; the handler was not called.
    Rejected(Rejection),
    /// The handler returned an error.
    Failed(BoxError),
}

/// Return types a handler may have: `()` and `Result<(), E>` for any `E` that
/// converts into a [`BoxError`] (so `anyhow::Result<()>` works).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid webhook handler return type",
    label = "handlers return `()` or `Result<(), E>`",
    note = "the error type must convert into `Box<dyn std::error::Error + Send + Sync>`, as `anyhow::Error`, `std::io::Error` and `String` do"
)]
pub trait IntoOutcome {
    /// `Ok(())` for success, the error otherwise.
    fn into_outcome(self) -> Result<(), BoxError>;
}

impl IntoOutcome for () {
    fn into_outcome(self) -> Result<(), BoxError> {
        Ok(())
    }
}

impl<E: Into<BoxError>> IntoOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), BoxError> {
        self.map_err(Into::into)
    }
}

/// An `async fn` (or closure returning a future) whose arguments all implement
/// [`FromItem`]. `Args` is the tuple of argument types; it only keeps the blanket
/// implementations apart.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a valid webhook handler",
    label = "not a handler",
    note = "a handler is an `async fn` taking 0 to 8 arguments that implement `FromItem`, returning `()` or `Result<(), E>`, whose future is `Send`",
    note = "if an argument or the return type is wrong, see the error pointing at it"
)]
pub trait Handler<Args>: Send + Sync + 'static {
    /// Extracts the arguments and starts the call.
    fn call(&self, cx: &ItemContext<'_>) -> HandlerFuture;

    /// Checks every argument's start-up requirements (see [`FromItem::preflight`]).
    fn preflight(states: &StateMap) -> Vec<MissingState>;
}

macro_rules! impl_handler {
    ($($arg:ident),*) => {
        impl<F, Fut, R, $($arg,)*> Handler<($($arg,)*)> for F
        where
            F: Fn($($arg),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoOutcome,
            $($arg: FromItem,)*
        {
            #[allow(non_snake_case, unused_variables, reason = "generated for every arity")]
            fn call(&self, cx: &ItemContext<'_>) -> HandlerFuture {
                $(
                    let $arg = match $arg::from_item(cx) {
                        Ok(value) => value,
                        Err(rejection) => return Box::pin(std::future::ready(Err(HandlerError::Rejected(rejection)))),
                    };
                )*
                let future = self($($arg),*);
                Box::pin(async move { future.await.into_outcome().map_err(HandlerError::Failed) })
            }

            #[allow(unused_mut, unused_variables, reason = "generated for every arity")]
            fn preflight(states: &StateMap) -> Vec<MissingState> {
                let mut missing = Vec::new();
                $(
                    if let Err(e) = $arg::preflight(states) {
                        missing.push(e);
                    }
                )*
                missing
            }
        }
    };
}

impl_handler!();
impl_handler!(A1);
impl_handler!(A1, A2);
impl_handler!(A1, A2, A3);
impl_handler!(A1, A2, A3, A4);
impl_handler!(A1, A2, A3, A4, A5);
impl_handler!(A1, A2, A3, A4, A5, A6);
impl_handler!(A1, A2, A3, A4, A5, A6, A7);
impl_handler!(A1, A2, A3, A4, A5, A6, A7, A8);
