//! What a route receives: one description shared by `#[on]` and
//! [`DispatcherBuilder::route`](crate::DispatcherBuilder::route).
//!
//! `#[on(object = "page", field = "feed", when(item = "comment"), idempotent, timeout = "2s")]`
//! and `Route::field("page", "feed").when("item", "comment").idempotent().timeout(..)`
//! describe the same route: the macro's registration is turned into a [`Route`] by
//! the same methods, so both are checked and keyed alike.

use std::time::Duration;

use crate::select::Filter;

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

    /// `(object, field)`, `(object, *)` or `(catch_all)`.
    pub(crate) fn describe_target(&self) -> String {
        match (&self.object, &self.field) {
            (Some(object), Some(field)) => format!("({object}, {field})"),
            (Some(object), None) => format!("({object}, *)"),
            _ => "(catch_all)".to_owned(),
        }
    }
}

/// The static form of a [`Route`] that `#[on]` registers (built in a constant).
/// Not public API: write a [`Route`].
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct StaticRoute {
    target: Target,
    each: Option<&'static str>,
    when: &'static [(&'static str, &'static str)],
    idempotent: bool,
    timeout_ms: Option<u64>,
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

    /// The same route, through [`Route`]'s own methods.
    #[must_use]
    pub fn to_route(&self, name: &'static str) -> Route {
        let mut route = match self.target {
            Target::Field(object, field) => Route::field(object, field),
            Target::Object(object) => Route::object(object),
            Target::CatchAll => Route::catch_all(),
        };
        if let Some(each) = self.each {
            route = route.each(each);
        }
        for (key, value) in self.when {
            route = route.when(key, value);
        }
        if self.idempotent {
            route = route.idempotent();
        }
        if let Some(ms) = self.timeout_ms {
            route = route.timeout(Duration::from_millis(ms));
        }
        route.name(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registration_and_a_builder_route_are_the_same_route() {
        let registered = StaticRoute::new(Target::Field("page", "feed"))
            .when(&[("item", "comment"), ("verb", "add")])
            .idempotent()
            .timeout(2000)
            .to_route("feed");
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
