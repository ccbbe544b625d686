//! Examples of meta-webhooks: see the `examples/` directory (the bot, embedding the
//! routes, and one example per extension point).
