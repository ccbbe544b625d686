//! Shared state for handlers: a map from type to one value of that type.
//!
//! `#[on]` registrations are collected from the whole program, so they cannot be
//! generic over an application's state type; handlers ask for `State<T>` by type
//! instead, and [`DispatcherBuilder::build`](crate::DispatcherBuilder::build) checks
//! that every requested type is present before anything is dispatched.

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Values of distinct types, each shared behind an `Arc`.
#[derive(Default, Clone)]
pub struct StateMap {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl StateMap {
    /// Adds a value, replacing any earlier value of the same type.
    pub fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.insert_arc(Arc::new(value));
    }

    /// Adds an already shared value.
    pub fn insert_arc<T: Send + Sync + 'static>(&mut self, value: Arc<T>) {
        self.values.insert(TypeId::of::<T>(), value);
    }

    /// The value of type `T`, if one was added.
    #[must_use]
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.values
            .get(&TypeId::of::<T>())
            .and_then(|v| Arc::clone(v).downcast().ok())
    }
}

impl fmt::Debug for StateMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StateMap")
            .field("len", &self.values.len())
            .finish_non_exhaustive()
    }
}

/// A handler takes `State<T>` but no `T` was given to the dispatcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingState {
    type_name: &'static str,
}

impl MissingState {
    /// The error for type `T`.
    #[must_use]
    pub fn of<T: ?Sized>() -> Self {
        Self {
            type_name: type_name::<T>(),
        }
    }

    /// The missing type's name.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl fmt::Display for MissingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no state of type `{}` was given to the dispatcher",
            self.type_name
        )
    }
}

impl std::error::Error for MissingState {}
