//! Handlers registered with `#[on]`, collected from the whole program by
//! [`inventory`].

use std::fmt;
use std::time::Duration;

use crate::extract::ItemContext;
use crate::handler::HandlerFuture;
use crate::state::{MissingState, StateMap};

/// Starts one handler call for an item.
pub type CallFn = for<'a, 'b> fn(&'a ItemContext<'b>) -> HandlerFuture;

/// Checks a handler's start-up requirements.
pub type PreflightFn = fn(&StateMap) -> Vec<MissingState>;

/// Which items a registration receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// `#[on(object = "..", field = "..")]`: one field of one object.
    Field(&'static str, &'static str),
    /// `#[on(object = "..")]`: every item of one object.
    Object(&'static str),
    /// `#[on(catch_all)]`: every item that no other handler receives.
    CatchAll,
}

/// Where a handler was written, for start-up logs, reports and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerInfo {
    /// The function's name (for routes added at run time, its type name).
    pub name: &'static str,
    /// The module path it was registered from.
    pub module: &'static str,
    /// The source file.
    pub file: &'static str,
    /// The line in `file`.
    pub line: u32,
}

impl fmt::Display for HandlerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` ({}:{})", self.name, self.file, self.line)
    }
}

/// One `#[on]` registration. Built by the macro's expansion; not meant to be
/// written by hand (use [`DispatcherBuilder::route`](crate::DispatcherBuilder::route)).
#[derive(Debug)]
pub struct Registration {
    pub(crate) target: Target,
    pub(crate) each: Option<&'static str>,
    pub(crate) equals: &'static [(&'static str, &'static str)],
    pub(crate) idempotent: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) info: HandlerInfo,
    pub(crate) call: CallFn,
    pub(crate) preflight: PreflightFn,
}

impl Registration {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        target: Target,
        info: HandlerInfo,
        call: CallFn,
        preflight: PreflightFn,
    ) -> Self {
        Self {
            target,
            each: None,
            equals: &[],
            idempotent: false,
            timeout: None,
            info,
            call,
            preflight,
        }
    }

    /// Claims natural idempotency keys in durable mode (`#[on(.., idempotent)]`).
    #[doc(hidden)]
    #[must_use]
    pub const fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Bounds each call of this handler (`#[on(.., timeout = "500ms")]`), overriding
    /// the dispatcher's [`handler_timeout`](crate::DispatcherBuilder::handler_timeout).
    #[doc(hidden)]
    #[must_use]
    pub const fn timeout(mut self, millis: u64) -> Self {
        self.timeout = Some(Duration::from_millis(millis));
        self
    }

    /// Narrows the registration below its field (see [`select`](crate::select)).
    #[doc(hidden)]
    #[must_use]
    pub const fn filtered(
        mut self,
        each: Option<&'static str>,
        equals: &'static [(&'static str, &'static str)],
    ) -> Self {
        self.each = each;
        self.equals = equals;
        self
    }

    /// Which items it receives.
    #[must_use]
    pub fn target(&self) -> Target {
        self.target
    }

    /// Where the handler was written.
    #[must_use]
    pub fn info(&self) -> HandlerInfo {
        self.info
    }
}

inventory::collect!(Registration);

/// Every `#[on]` registration linked into this program, in a stable order
/// (by file, line and name).
#[must_use]
pub fn registrations() -> Vec<&'static Registration> {
    let mut all: Vec<_> = inventory::iter::<Registration>.into_iter().collect();
    all.sort_by_key(|r| (r.info.file, r.info.line, r.info.name));
    all
}
