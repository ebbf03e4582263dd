//! A fake Slack Web API on 127.0.0.1 over plain http: answers the methods the bot calls the
//! way Slack does, and records every call so tests can assert on what Slack received.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Json;
use axum::routing::any;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Clone, Default)]
pub struct FakeSlack {
    calls: Arc<Mutex<Vec<Call>>>,
    pub base_url: String,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = FakeSlack {
            calls: Arc::default(),
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let router = Router::new()
            .route("/api/{method}", any(api))
            .route("/response/{id}", any(response_url))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    /// Waits (bounded) until `method` has been called `count` times, for work the app does
    /// in the background after acknowledging Slack.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        for _ in 0..200 {
            let calls = self.calls_to(method);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "fake Slack never received {count} × {method}; got {:#?}",
            self.calls()
        );
    }
}

fn record(
    fake: &FakeSlack,
    method: &str,
    headers: &HeaderMap,
    query: Option<String>,
    body: &Bytes,
) -> Value {
    let body = serde_json::from_slice::<Value>(body)
        .ok()
        .or_else(|| form(body))
        .or_else(|| query.and_then(|q| form(q.as_bytes())))
        .unwrap_or(Value::Null);
    fake.calls.lock().unwrap().push(Call {
        method: method.to_string(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: body.clone(),
    });
    body
}

fn form(bytes: &[u8]) -> Option<Value> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).ok()?;
    (!pairs.is_empty()).then(|| {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        )
    })
}

async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Json<Value> {
    let body = record(&fake, &method, &headers, query, &body);
    Json(match method.as_str() {
        "views.publish" | "views.open" | "views.update" => {
            let mut view = body.get("view").cloned().unwrap_or(json!({}));
            view["id"] = json!("V0FAKE");
            view["team_id"] = json!("T0FAKE");
            view["hash"] = json!("h");
            json!({ "ok": true, "view": view })
        }
        "chat.postMessage" => json!({
            "ok": true, "channel": body["channel"], "ts": "1700000000.000100",
            "message": { "ts": "1700000000.000100", "text": body["text"] }
        }),
        "users.info" => json!({
            "ok": true,
            "user": { "id": body["user"], "name": "someone", "tz": "America/New_York", "tz_offset": -18000 }
        }),
        _ => json!({ "ok": false, "error": "unknown_method" }),
    })
}

async fn response_url(
    State(fake): State<FakeSlack>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> &'static str {
    record(&fake, &format!("response_url/{id}"), &headers, None, &body);
    "ok"
}
