//! Whole receivers in-process, request in, response out, no socket (`cargo bench -p
//! meta-webhooks-benches --bench router`): the hand-written receiver against the
//! framework's inline router with a no-op handler taking the raw item or our typed
//! value, on the load benchmark's bodies. The server's CPU per request without the
//! kernel, the load generator or the scheduler. Results are in `BENCHMARKS.md`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use meta_webhooks_benches::{SECRET, bodies, handwritten};
use tower::ServiceExt;
use webhook_server::fields::messaging::MessageEvent;
use webhook_server::fields::page::Feed;
use webhook_server::signature::{self, Algorithm, AppSecret};
use webhook_server::{Config, Dispatcher, DispatcherBuilder, RawItem, Server, Value};

async fn raw(item: RawItem) {
    black_box(item);
}

async fn typed_feed(Value(feed): Value<Feed>) {
    black_box(feed);
}

async fn typed_message(Value(message): Value<MessageEvent>) {
    black_box(message);
}

fn framework(runtime: &tokio::runtime::Runtime, routes: DispatcherBuilder) -> Router {
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .build()
        .unwrap();
    runtime.block_on(async {
        Server::new(config)
            .dispatcher(|_| routes)
            .into_router()
            .unwrap()
    })
}

fn router(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let receivers = [
        ("hand-written", handwritten()),
        (
            "framework, RawItem",
            framework(
                &runtime,
                Dispatcher::empty_builder()
                    .route("page", "feed", raw)
                    .route("page", "messages", raw),
            ),
        ),
        (
            "framework, typed",
            framework(
                &runtime,
                Dispatcher::empty_builder()
                    .route("page", "feed", typed_feed)
                    .route("page", "messages", typed_message),
            ),
        ),
    ];
    let secret = AppSecret::new(SECRET).unwrap();
    for (name, body) in [
        ("400 B message", bodies::message(1)),
        ("10 KB, 50 changes", bodies::batch(1)),
    ] {
        let header = signature::sign(Algorithm::Sha256, &secret, body.as_bytes());
        let mut group = c.benchmark_group(name);
        for (receiver, app) in &receivers {
            group.bench_function(BenchmarkId::from_parameter(receiver), |b| {
                b.iter(|| {
                    let request = Request::post("/webhook")
                        .header("x-hub-signature-256", &header)
                        .body(Body::from(body.clone()))
                        .unwrap();
                    let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
                    assert_eq!(response.status(), 200);
                });
            });
        }
        group.finish();
    }
}

criterion_group!(benches, router);
criterion_main!(benches);
