//! Handlers registered with `#[on]`, collected from the whole program by
//! [`inventory`].

use std::fmt;

use crate::extract::ItemContext;
use crate::handler::HandlerFuture;
use crate::state::{MissingState, StateMap};

/// Starts one handler call for an item.
pub type CallFn = for<'a, 'b> fn(&'a ItemContext<'b>) -> HandlerFuture;

/// Checks a handler's start-up requirements.
pub type PreflightFn = fn(&StateMap) -> Vec<MissingState>;

/// Which items a route receives.
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

/// The static form of a route that `#[on]` registers (built in a constant).
/// Not public API: write a [`Route`](crate::Route).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct StaticRoute {
    pub(crate) target: Target,
    pub(crate) each: Option<&'static str>,
    pub(crate) when: &'static [(&'static str, &'static str)],
    pub(crate) idempotent: bool,
    pub(crate) timeout_ms: Option<u64>,
}

impl StaticRoute {
    /// A route to `target` with no filters.
    #[must_use]
    pub const fn new(target: Target) -> Self {
        Self {
            target,
            each: None,
            when: &[],
            idempotent: false,
            timeout_ms: None,
        }
    }

    /// `each = ".."`.
    #[must_use]
    pub const fn each(mut self, key: &'static str) -> Self {
        self.each = Some(key);
        self
    }

    /// `when(key = "value", ..)`.
    #[must_use]
    pub const fn when(mut self, pairs: &'static [(&'static str, &'static str)]) -> Self {
        self.when = pairs;
        self
    }

    /// `idempotent`.
    #[must_use]
    pub const fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// `timeout = ".."`, in milliseconds.
    #[must_use]
    pub const fn timeout(mut self, millis: u64) -> Self {
        self.timeout_ms = Some(millis);
        self
    }

    /// Its target.
    #[must_use]
    pub const fn target(&self) -> Target {
        self.target
    }
}

/// Where a handler was written, for start-up logs, reports and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerInfo {
    /// The function's name (for routes added by hand, [`Route::name`](crate::Route::name)
    /// or the handler's type name without its path).
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
    pub(crate) route: StaticRoute,
    pub(crate) info: HandlerInfo,
    pub(crate) call: CallFn,
    pub(crate) preflight: PreflightFn,
}

impl Registration {
    #[doc(hidden)]
    #[must_use]
    pub const fn new(
        route: StaticRoute,
        info: HandlerInfo,
        call: CallFn,
        preflight: PreflightFn,
    ) -> Self {
        Self {
            route,
            info,
            call,
            preflight,
        }
    }

    /// Which items it receives.
    #[must_use]
    pub fn target(&self) -> Target {
        self.route.target()
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
