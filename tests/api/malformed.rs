//! Over the wire: signed garbage and near-valid payloads on every `/slack/*` endpoint get an
//! answer below 500, every time.

use super::helpers::*;

/// Deterministic junk: random bytes, and valid payloads with a few bytes changed.
fn bodies(seed: u64, count: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let valid = [
        command_body(REP, "/commit", "20 calls"),
        app_home_opened("Ev0X", REP).to_string(),
        format!(
            "payload={}",
            serde_json::json!({ "type": "view_submission", "user": { "id": REP }, "view": { "id": "V", "type": "modal", "callback_id": "commit_form" } })
        ),
    ];
    (0..count)
        .map(|i| {
            if i % 3 == 0 {
                let len = rng.usize(0..400);
                (0..len).map(|_| rng.char(..)).collect()
            } else {
                let mut bytes = valid[i % valid.len()].clone().into_bytes();
                for _ in 0..rng.usize(1..6) {
                    let at = rng.usize(0..=bytes.len());
                    match rng.u8(0..3) {
                        0 if at < bytes.len() => bytes[at] = rng.u8(..),
                        1 => bytes.truncate(at),
                        _ => bytes.insert(at, rng.u8(..)),
                    }
                }
                String::from_utf8_lossy(&bytes).into_owned()
            }
        })
        .collect()
}

#[tokio::test]
async fn signed_garbage_never_gets_a_server_error() {
    let app = TestApp::builder().spawn().await;
    for path in ["/slack/commands", "/slack/events", "/slack/interactivity"] {
        for (i, body) in bodies(7, 300).into_iter().enumerate() {
            let content_type = if i % 2 == 0 {
                "application/x-www-form-urlencoded"
            } else {
                "application/json"
            };
            let status = app
                .post_signed(path, content_type, body.clone())
                .await
                .status();
            assert!(
                status.as_u16() < 500,
                "{path} answered {status} to {body:?}"
            );
        }
    }
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still healthy"
    );
}
