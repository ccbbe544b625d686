//! Cross-crate tests of meta-webhooks live in `tests/`.
