//! Overload (reliability.md F1): past the bound on deliveries in flight the server
//! answers 503 with Retry-After at once instead of queueing, every request gets an
//! answer, the handshake stays answerable, and service resumes by itself.

use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use webhook_core::signature::{self, Algorithm, AppSecret};
use webhook_server::{Config, Limits, Server, on};

const SECRET: &str = "overload-secret";

#[on(object = "page", field = "feed")]
async fn slow_feed() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

fn signed(n: usize) -> (Vec<u8>, String) {
    let body = format!(r#"{{"object":"page","entry":[{{"id":"{n}","changes":[{{"field":"feed","value":{{}}}}]}}]}}"#).into_bytes();
    let header = signature::sign(Algorithm::Sha256, &AppSecret::new(SECRET).unwrap(), &body);
    (body, header)
}

#[tokio::test]
async fn a_burst_above_the_bound_is_shed_with_503_and_everything_gets_an_answer() {
    let limits = Limits {
        max_in_flight: 4,
        ..Limits::default()
    };
    let config = Config::builder()
        .app_secret(SECRET)
        .verify_token("tok")
        .inline()
        .limits(limits)
        .build()
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(Server::new(config).serve_on(listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    let burst: Vec<_> = (0..40)
        .map(|n| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let (body, header) = signed(n);
                let response = client
                    .post(&url)
                    .header("x-hub-signature-256", header)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (response.status().as_u16(), retry_after)
            })
        })
        .collect();
    // While the burst is in flight, Meta's handshake is still answered.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let handshake = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=77"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        (handshake.status().as_u16(), handshake.text().await.unwrap()),
        (200, "77".to_owned())
    );

    let mut answers = Vec::new();
    for request in burst {
        answers.push(request.await.unwrap());
    }
    assert_eq!(answers.len(), 40, "every request got an answer");
    let ok = answers.iter().filter(|(status, _)| *status == 200).count();
    let shed: Vec<_> = answers
        .iter()
        .filter(|(status, _)| *status == 503)
        .collect();
    assert_eq!(ok + shed.len(), 40, "only 200 or 503: {answers:?}");
    assert!(ok >= 4, "at least the bound is served: {answers:?}");
    assert!(
        !shed.is_empty(),
        "the rest is shed, not queued: {answers:?}"
    );
    assert!(
        shed.iter()
            .all(|(_, retry_after)| retry_after.as_deref() == Some("5"))
    );

    // Once the burst is over, deliveries are served again.
    let (body, header) = signed(99);
    let after = client
        .post(&url)
        .header("x-hub-signature-256", header)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 200);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
