//! The receive path's pieces, one at a time (`cargo bench -p webhook-core`):
//! signature verification, envelope parsing and routing, dispatch overhead per item
//! with no-op handlers, and typed extraction. Results are in `BENCHMARKS.md`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_core::{Dispatcher, Notification, Payload, Route};

fn body_of(changes: usize, pad: usize) -> Vec<u8> {
    let change = format!(
        r#"{{"field":"feed","value":{{"item":"comment","verb":"add","post_id":"1_2","comment_id":"2_3","from":{{"id":"4","name":"Ann"}},"message":"{}","created_time":1732700000}}}}"#,
        "x".repeat(pad)
    );
    let changes = vec![change; changes].join(",");
    format!(r#"{{"object":"page","entry":[{{"id":"1","time":1732700000,"changes":[{changes}]}}]}}"#)
        .into_bytes()
}

/// `n` items of several kinds: feed changes, Messenger messages and an unknown field.
fn mixed(n: usize) -> Vec<u8> {
    let mut entries = Vec::new();
    for i in 0..n / 2 {
        entries.push(format!(
            r#"{{"id":"{i}","time":1,"changes":[{{"field":"feed","value":{{"item":"status","verb":"add"}}}},{{"field":"unknown_field","value":{{"k":{i}}}}}]}}"#
        ));
    }
    format!(r#"{{"object":"page","entry":[{}]}}"#, entries.join(",")).into_bytes()
}

fn signature(c: &mut Criterion) {
    let secret = AppSecret::new("bench-secret").unwrap();
    let mut group = c.benchmark_group("signature");
    for size in [400, 10 * 1024, 1024 * 1024] {
        let body = vec![b'a'; size];
        let header = signature::sign(Algorithm::Sha256, &secret, &body);
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &body, |b, body| {
            b.iter(|| {
                signature::verify(
                    Algorithm::Sha256,
                    std::slice::from_ref(&secret),
                    black_box(body),
                    header.as_bytes(),
                )
            });
        });
    }
    group.finish();
}

fn parse_and_route(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_and_route");
    for (name, body) in [
        ("1 change", body_of(1, 20)),
        ("50 changes", body_of(50, 60)),
        ("1000 mixed", mixed(1000)),
    ] {
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| {
            b.iter(|| {
                let notification = Notification::parse(black_box(body)).unwrap();
                notification.items().filter(|i| i.field().is_some()).count()
            });
        });
    }
    group.finish();
}

/// Dispatch needs a runtime with a timer; one thread, as a request's task has.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

fn dispatch(c: &mut Criterion) {
    let runtime = runtime();
    let body = body_of(50, 20);
    let notification = Notification::parse(&body).unwrap();
    let mut group = c.benchmark_group("dispatch_50_items");
    group.throughput(Throughput::Elements(50));
    for handlers in [1usize, 10, 100] {
        let mut builder = Dispatcher::builder().route(Route::field("page", "feed"), async || {});
        for n in 1..handlers {
            builder = builder.route(
                Route::field("page", &format!("other_field_{n}")),
                async || {},
            );
        }
        let dispatcher = builder.build().unwrap();
        group.bench_function(BenchmarkId::new("handlers registered", handlers), |b| {
            b.iter(|| runtime.block_on(dispatcher.dispatch(black_box(&notification))));
        });
    }
    group.finish();
}

fn typed(c: &mut Criterion) {
    let runtime = runtime();
    let body = body_of(50, 20);
    let notification = Notification::parse(&body).unwrap();
    let raw = Dispatcher::builder()
        .route(
            Route::field("page", "feed"),
            async |_item: webhook_core::RawItem| {},
        )
        .build()
        .unwrap();
    let typed = Dispatcher::builder()
        .route(
            Route::field("page", "feed"),
            async |Payload(feed): Payload<webhook_core::fields::page::Feed>| {
                black_box(feed);
            },
        )
        .build()
        .unwrap();
    let mut group = c.benchmark_group("extract_50_feed_changes");
    group.throughput(Throughput::Elements(50));
    group.bench_function("RawItem", |b| {
        b.iter(|| runtime.block_on(raw.dispatch(&notification)));
    });
    group.bench_function("Payload<page::Feed>", |b| {
        b.iter(|| runtime.block_on(typed.dispatch(&notification)));
    });
    group.finish();

    // serde alone: one change's value into `page::Feed`, and into nothing.
    let value = notification
        .items()
        .next()
        .unwrap()
        .value()
        .get()
        .to_owned();
    let mut group = c.benchmark_group("one_feed_value");
    group.bench_function("page::Feed", |b| {
        b.iter(|| {
            serde_json::from_str::<webhook_core::fields::page::Feed>(black_box(&value)).unwrap()
        });
    });
    group.bench_function("IgnoredAny", |b| {
        b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(&value)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, signature, parse_and_route, dispatch, typed);
criterion_main!(benches, floors);

fn floor(c: &mut Criterion) {
    let body = body_of(50, 60);
    let mut group = c.benchmark_group("floor_50_changes");
    group.bench_function("IgnoredAny", |b| {
        b.iter(|| serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&body)).unwrap());
    });
    group.bench_function("Value", |b| {
        b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap());
    });
    group.finish();
}
criterion_group!(floors, floor);
