//! Examples of meta-webhooks: see the `examples/` directory.
