//! The whole in-process router, request in, response out: signature check, body
//! read, parse, dispatch to a no-op handler, answer (`cargo bench -p
//! webhook-server --bench router`). Results are in `BENCHMARKS.md`.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::hint::black_box;

use axum::body::Body;
use axum::http::Request;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tower::ServiceExt;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::{Config, Dispatcher, RawItem, Server};

const SECRET: &str = "bench-secret";

async fn noop(item: RawItem) {
    black_box(item);
}

fn body(changes: usize) -> Vec<u8> {
    let change = r#"{"field":"feed","value":{"item":"comment","verb":"add","post_id":"1_2","comment_id":"2_3","from":{"id":"4","name":"Ann"},"message":"a few words","created_time":1732700000}}"#;
    format!(
        r#"{{"object":"page","entry":[{{"id":"1","time":1732700000,"changes":[{}]}}]}}"#,
        vec![change; changes].join(",")
    )
    .into_bytes()
}

fn router(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("t")
        .inline()
        .build()
        .unwrap();
    let routes = Dispatcher::empty_builder().route("page", "feed", noop);
    let app = runtime.block_on(async {
        Server::new(config)
            .dispatcher(|_| routes)
            .into_router()
            .unwrap()
    });
    let secret = AppSecret::new(SECRET).unwrap();
    let mut group = c.benchmark_group("router");
    for changes in [1, 50] {
        let body = body(changes);
        let header = signature::sign(Algorithm::Sha256, &secret, &body);
        group.throughput(Throughput::Elements(changes as u64));
        group.bench_with_input(
            BenchmarkId::new("signed delivery, changes", changes),
            &body,
            |b, body| {
                b.iter(|| {
                    let request = Request::post("/webhook")
                        .header("x-hub-signature-256", &header)
                        .body(Body::from(body.clone()))
                        .unwrap();
                    let response = runtime.block_on(app.clone().oneshot(request)).unwrap();
                    assert_eq!(response.status(), 200);
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, router);
criterion_main!(benches);
