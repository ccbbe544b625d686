//! Whole receivers in-process, request in, response out, no socket (`cargo bench -p
//! meta-webhooks-benches --bench router`): the hand-written receiver against the
//! framework's inline router with a no-op handler taking the raw item or our typed
//! value, on the load benchmark's bodies. The server's CPU per request without the
//! kernel, the load generator or the scheduler. Results are in `BENCHMARKS.md`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use meta_webhooks_benches::{SECRET, bodies, framework_routes, handwritten};
use tower::ServiceExt;
use webhook_server::signature::{self, Algorithm, AppSecret};
use webhook_server::{Config, DispatcherBuilder, Server};

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
            .0
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
            framework(&runtime, framework_routes(false)),
        ),
        (
            "framework, typed",
            framework(&runtime, framework_routes(true)),
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
