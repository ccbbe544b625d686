//! Exists only for its tests.
