//! The route table: every route with its call, and the lookup by object and field
//! precomputed when the dispatcher is built.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::extract::ItemContext;
use crate::handler::HandlerFuture;
use crate::registry::{HandlerInfo, PreflightFn};
use crate::routing::Item;
use crate::select::Filter;

use super::route::Route;

pub(crate) type DynCall = Arc<dyn Fn(&ItemContext<'_>) -> HandlerFuture + Send + Sync>;

/// A route with its handler.
pub(crate) struct Entry {
    pub(crate) route: Route,
    pub(crate) info: HandlerInfo,
    /// Names the route stably across restarts (durable progress is kept per route).
    pub(crate) key: Arc<str>,
    pub(crate) call: DynCall,
    pub(crate) preflight: PreflightFn,
}

impl Entry {
    pub(crate) fn filter(&self) -> &Filter {
        &self.route.filter
    }

    /// The handler's own bound, overriding the dispatcher's.
    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.route.timeout
    }
}

/// Routes by object and field.
pub(crate) struct Table {
    pub(crate) entries: Vec<Entry>,
    objects: HashMap<Box<str>, ObjectRoutes>,
    pub(crate) catch_all: Vec<usize>,
}

#[derive(Default)]
struct ObjectRoutes {
    /// Per field: the field's handlers merged with the object-wide ones.
    by_field: HashMap<Box<str>, Vec<usize>>,
    any_field: Vec<usize>,
}

impl Table {
    /// Indexes `entries` and gives each its stable key.
    pub(crate) fn new(mut entries: Vec<Entry>) -> Self {
        let mut objects: HashMap<Box<str>, ObjectRoutes> = HashMap::new();
        let mut catch_all = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            match (&entry.route.object, &entry.route.field) {
                (Some(object), Some(field)) => {
                    objects
                        .entry(object.clone())
                        .or_default()
                        .by_field
                        .entry(field.clone())
                        .or_default()
                        .push(index);
                }
                (Some(object), None) => objects
                    .entry(object.clone())
                    .or_default()
                    .any_field
                    .push(index),
                (None, _) => catch_all.push(index),
            }
        }
        for routes in objects.values_mut() {
            for list in routes.by_field.values_mut() {
                list.extend(&routes.any_field);
                list.sort_unstable();
            }
        }
        assign_keys(&mut entries);
        Self {
            entries,
            objects,
            catch_all,
        }
    }

    /// The routes registered for the item's object and field.
    pub(crate) fn routes_for(&self, item: &Item<'_>) -> &[usize] {
        self.objects.get(item.object()).map_or(&[][..], |o| {
            item.field()
                .and_then(|f| o.by_field.get(f))
                .unwrap_or(&o.any_field)
        })
    }
}

/// Keys of durable progress: the route's name (an `#[on]` function's module path and
/// name, or [`Route::name`]), target and filters. Never a type name, whose text the
/// compiler may change between releases. Routes that would share a key (the same
/// handler twice, or unnamed routes of one target) are told apart by their order.
fn assign_keys(entries: &mut [Entry]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        let name = match (entry.route.name, entry.info.module) {
            (Some(name), "") => format!("{name} "),
            (Some(name), module) => format!("{module}::{name} "),
            (None, _) => String::new(),
        };
        let key = format!(
            "{name}{} {}",
            entry.route.describe_target(),
            entry.route.filter.key_text()
        )
        .trim_end()
        .to_owned();
        let n = seen.entry(key.clone()).or_insert(0usize);
        *n += 1;
        entry.key = if *n == 1 {
            key.into()
        } else {
            format!("{key} #{n}").into()
        };
    }
}
