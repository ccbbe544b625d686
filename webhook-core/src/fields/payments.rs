//! The `payments` object (Facebook games Payments). No value types: Meta sends
//! field **names only**.
//!
//! Payments notifications always use the `changed_fields` form, whatever the
//! Include Values setting. The entry id is the payment id, and the fields are
//! `actions` (the payment's actions changed: completed, charged back, refunded ...)
//! and `disputes` (a dispute was opened or changed):
//!
//! ```json
//! {"object":"payments","entry":[{"id":"296989303750203","time":1347996346,
//!   "changed_fields":["actions"]}]}
//! ```
//!
//! Each name is routed as an item of kind `changed_fields` with a `null` value. Read
//! the payment with `GET /{payment-id}?fields=actions,disputes,items,...` using an
//! app access token. Meta retries failed Payments deliveries for 24 hours.
//!
//! ```
//! let body = br#"{"object":"payments","entry":[{"id":"296989303750203",
//!     "time":1347996346,"changed_fields":["actions"]}]}"#;
//! let n = webhook_core::Notification::parse(body)?;
//! let item = n.items().next().unwrap();
//! assert_eq!((item.field(), item.kind().name()), (Some("actions"), "changed_fields"));
//! assert_eq!(item.entry().id(), Some("296989303750203"));
//! # Ok::<(), webhook_core::ParseError>(())
//! ```
