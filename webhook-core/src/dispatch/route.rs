//! What a route receives: one description shared by `#[on]` and
//! [`DispatcherBuilder::route`](crate::DispatcherBuilder::route).
//!
//! `#[on(object = "page", field = "feed", when(item = "comment"), idempotent, timeout = "2s")]`
//! and `Route::field("page", "feed").when("item", "comment").idempotent().timeout(..)`
//! describe the same route: the macro's registration is turned into a [`Route`] by
//! the same methods, so both are checked and keyed alike.

use std::time::Duration;

use crate::registry::{StaticRoute, Target};
use crate::select::Filter;

/// A route: its target, filters below the field, idempotency, time limit and name.
///
/// ```
/// use std::time::Duration;
/// use webhook_core::{Dispatcher, Route};
///
/// async fn new_comment() {}
/// async fn text_message() {}
/// async fn everything_else() {}
///
/// let dispatcher = Dispatcher::builder()
///     .route(Route::field("page", "feed").when("item", "comment").when("verb", "add"), new_comment)
///     .route(
///         Route::field("whatsapp_business_account", "messages")
///             .each("messages")
///             .when("type", "text")
///             .idempotent()
///             .timeout(Duration::from_secs(2))
///             .name("text_message"),
///         text_message,
///     )
///     .route(Route::catch_all(), everything_else)
///     .build()
///     .unwrap();
/// assert_eq!(dispatcher.handlers().count(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub(crate) object: Option<Box<str>>,
    pub(crate) field: Option<Box<str>>,
    pub(crate) filter: Filter,
    pub(crate) idempotent: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) name: Option<&'static str>,
}

impl Route {
    /// Items of one subscription field of one object (`("page", "feed")`; messaging
    /// events use their field name, `("page", "messages")`).
    #[must_use]
    pub fn field(object: &str, field: &str) -> Self {
        Self::new(Some(object.into()), Some(field.into()))
    }

    /// Every item of one object, whatever its field.
    #[must_use]
    pub fn object(object: &str) -> Self {
        Self::new(Some(object.into()), None)
    }

    /// Every item that no other route selects.
    #[must_use]
    pub fn catch_all() -> Self {
        Self::new(None, None)
    }

    fn new(object: Option<Box<str>>, field: Option<Box<str>>) -> Self {
        Self {
            object,
            field,
            filter: Filter::default(),
            idempotent: false,
            timeout: None,
            name: None,
        }
    }

    /// Requires the payload's (or, with [`each`](Self::each), the element's)
    /// top-level `key` to equal `value` (see [`select`](crate::select)).
    #[must_use]
    pub fn when(mut self, key: &str, value: &str) -> Self {
        self.filter.equals.push((key.into(), value.into()));
        self
    }

    /// Calls the handler once per element of the payload's array `key`.
    #[must_use]
    pub fn each(mut self, key: &str) -> Self {
        self.filter.each = Some(key.into());
        self
    }

    /// In durable mode, claims the item's natural key before each call (see
    /// [`idempotency::natural_key`](crate::idempotency::natural_key)), so that a key
    /// that succeeded never runs again.
    #[must_use]
    pub fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Bounds each call, overriding the dispatcher's
    /// [`handler_timeout`](crate::DispatcherBuilder::handler_timeout). Zero counts as
    /// one millisecond.
    #[must_use]
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit.max(Duration::from_millis(1)));
        self
    }

    /// The handler's name in logs, reports and metrics, and in the key its durable
    /// progress is kept under. Without one, logs show the handler's type name and
    /// the key is the target, filters and the route's position among routes of the
    /// same target and filters: name a route whose position may change between
    /// releases while deliveries are pending.
    #[must_use]
    pub fn name(mut self, name: &'static str) -> Self {
        self.name = Some(name);
        self
    }

    /// The object it receives, `None` for a catch-all.
    #[must_use]
    pub fn object_name(&self) -> Option<&str> {
        self.object.as_deref()
    }

    /// The field it receives, `None` for object-wide routes and catch-alls.
    #[must_use]
    pub fn field_name(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// Its filters as `#[on]` writes them (`each = "messages", when(type = "text")`),
    /// empty when it has none.
    #[must_use]
    pub fn describe_filters(&self) -> String {
        self.filter.describe()
    }

    /// A registration's route, through the builder's own methods, so that both are
    /// checked and keyed alike.
    pub(crate) fn registered(registered: &StaticRoute, name: &'static str) -> Self {
        let mut route = match registered.target {
            Target::Field(object, field) => Self::field(object, field),
            Target::Object(object) => Self::object(object),
            Target::CatchAll => Self::catch_all(),
        };
        if let Some(each) = registered.each {
            route = route.each(each);
        }
        for (key, value) in registered.when {
            route = route.when(key, value);
        }
        if registered.idempotent {
            route = route.idempotent();
        }
        if let Some(ms) = registered.timeout_ms {
            route = route.timeout(Duration::from_millis(ms));
        }
        route.name(name)
    }

    /// `(object, field)`, `(object, *)` or `(catch_all)`.
    pub(crate) fn describe_target(&self) -> String {
        match (&self.object, &self.field) {
            (Some(object), Some(field)) => format!("({object}, {field})"),
            (Some(object), None) => format!("({object}, *)"),
            _ => "(catch_all)".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_and_a_builder_route_are_the_same_route() {
        let registered = Route::registered(
            &StaticRoute::new(Target::Field("page", "feed"))
                .when(&[("item", "comment"), ("verb", "add")])
                .idempotent()
                .timeout(2000),
            "feed",
        );
        let built = Route::field("page", "feed")
            .when("item", "comment")
            .when("verb", "add")
            .idempotent()
            .timeout(Duration::from_secs(2))
            .name("feed");
        assert_eq!(registered, built);
        assert_eq!(
            built.describe_filters(),
            r#"when(item = "comment", verb = "add")"#
        );
        assert_eq!(built.describe_target(), "(page, feed)");
    }
}
