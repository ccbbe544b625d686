//! Why a dispatcher could not be built: every problem found, each naming the
//! handler and where it was written.

use std::fmt;

use crate::registry::HandlerInfo;
use crate::state::MissingState;

/// Whether `name` is a valid object or field name: lowercase snake case
/// (`[a-z][a-z0-9_]*`), as every Meta object and subscription field is.
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Building the dispatcher failed.
#[derive(Debug)]
pub struct BuildError {
    pub(super) problems: Vec<Problem>,
}

/// One reason a dispatcher could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// A handler takes `State<T>` but no `T` was given.
    MissingState {
        /// The handler.
        handler: HandlerInfo,
        /// The missing type.
        missing: MissingState,
    },
    /// An object or field name is not lowercase snake case.
    BadName {
        /// The handler.
        handler: HandlerInfo,
        /// The name.
        name: String,
    },
}

impl BuildError {
    /// Every problem found.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingState { handler, missing } => write!(
                f,
                "handler {handler} takes `State<{ty}>`, but no state of type `{ty}` was given; \
                 add it with `.state(value)` on the dispatcher builder, or take `Option<State<{ty}>>`",
                ty = missing.type_name()
            ),
            Self::BadName { handler, name } => write!(
                f,
                "handler {handler} is routed to `{name}`, which is not a Meta object or field name \
                 (lowercase snake_case, e.g. `page`, `feed`)"
            ),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot build the webhook dispatcher:")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}
