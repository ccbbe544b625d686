//! The Graph client against a stand-in answering as Meta does: transient errors
//! (5xx, 429, throttling codes) are retried with backoff, others are not, a request
//! that may have reached Meta is not sent twice, and errors carry Meta's fields.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use webhook_server::graph::{Graph, GraphError, Token};

/// A stand-in answering the n-th request (from 0) with `answer(n)`; counts them.
async fn stand_in(
    answer: impl Fn(usize) -> (u16, &'static str) + Clone + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let (count, answer) = (Arc::clone(&counted), answer.clone());
        async move {
            assert_eq!(headers["authorization"], "Bearer tok");
            let n = count.fetch_add(1, Ordering::SeqCst);
            let (status, body) = answer(n);
            if body == "slow" {
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [("content-type", "application/json")],
                body,
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, count)
}

fn client(url: &str) -> Graph {
    Graph::with(url, "v23.0", Duration::from_millis(500)).retries(3, Duration::from_millis(10))
}

const THROTTLED: &str = r#"{"error":{"message":"(#613) Calls to this api have exceeded the rate limit.","type":"OAuthException","code":613,"fbtrace_id":"T1"}}"#;
const BAD_TOKEN: &str = r#"{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190,"error_subcode":460,"fbtrace_id":"T2"}}"#;

#[tokio::test]
async fn transient_errors_are_retried_until_meta_answers() {
    let (url, count) = stand_in(|n| match n {
        0 => (503, r#"{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":2}}"#),
        1 => (429, "{}"),
        2 => (400, THROTTLED),
        _ => (200, r#"{"message_id":"m_1"}"#),
    })
    .await;
    let answer = client(&url)
        .post_json(
            "me/messages",
            &Token::new("tok"),
            &serde_json::json!({"x": 1}),
        )
        .await
        .unwrap();
    assert_eq!(answer["message_id"], "m_1");
    assert_eq!(count.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn a_refusal_is_not_retried_and_carries_metas_fields() {
    let (url, count) = stand_in(|_| (400, BAD_TOKEN)).await;
    let error = client(&url)
        .get("me", &Token::new("tok"), &[])
        .await
        .unwrap_err();
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let GraphError::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (api.code, api.subcode, api.fbtrace_id.as_deref()),
        (190, Some(460), Some("T2"))
    );
    assert_eq!(
        error.to_string(),
        "Graph API error 190/460 (OAuthException): Invalid OAuth access token. (fbtrace_id T2)"
    );
}

#[tokio::test]
async fn retries_stop_after_the_limit() {
    let (url, count) = stand_in(|_| (500, "{}")).await;
    let error = client(&url)
        .get("me", &Token::new("tok"), &[])
        .await
        .unwrap_err();
    assert!(
        matches!(error, GraphError::Api(ref e) if e.status == 500),
        "{error:?}"
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        4,
        "the first try and three retries"
    );
}

#[tokio::test]
async fn a_request_that_may_have_reached_meta_is_not_sent_twice() {
    let (url, count) = stand_in(|_| (200, "slow")).await;
    let error = client(&url)
        .post_json("me/messages", &Token::new("tok"), &serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(error, GraphError::Unreachable { sent: true, .. }),
        "{error:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "a reply is never sent twice"
    );
    assert!(!error.to_string().contains("tok"), "{error}");
}
