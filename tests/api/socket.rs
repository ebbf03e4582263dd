//! Socket Mode end to end: a local WebSocket server plays Slack's side of the protocol
//! (hello, envelopes, acks); the app reaches it through `apps.connections.open` on the fake
//! Web API, with nothing but its two tokens.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::fake_slack::FakeSlack;
use super::helpers::*;

/// Slack's side of one Socket Mode connection: envelopes to send in, acks coming out.
struct SocketSlack {
    envelopes: mpsc::UnboundedSender<Value>,
    acks: mpsc::UnboundedReceiver<Value>,
}

impl SocketSlack {
    async fn start(fake: &FakeSlack) -> SocketSlack {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        fake.set_socket_url(&format!("ws://{}/link", listener.local_addr().unwrap()));
        let (envelopes, mut to_send) = mpsc::unbounded_channel::<Value>();
        let (acked, acks) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            let (mut tx, mut rx) = ws.split();
            let hello = json!({ "type": "hello", "num_connections": 1, "debug_info": { "host": "local-test", "approximate_connection_time": 3600 }, "connection_info": { "app_id": "A0APP" } });
            tx.send(Message::text(hello.to_string())).await.unwrap();
            loop {
                tokio::select! {
                    Some(envelope) = to_send.recv() => tx.send(Message::text(envelope.to_string())).await.unwrap(),
                    Some(Ok(frame)) = rx.next() => {
                        if let Message::Text(text) = frame {
                            let _ = acked.send(serde_json::from_str(&text).unwrap());
                        }
                    }
                    else => break,
                }
            }
        });
        SocketSlack { envelopes, acks }
    }

    async fn ack_for(&mut self, envelope: Value) -> Value {
        let id = envelope["envelope_id"].clone();
        self.envelopes.send(envelope).unwrap();
        loop {
            let ack = tokio::time::timeout(Duration::from_secs(10), self.acks.recv())
                .await
                .expect("an ack in time")
                .unwrap();
            if ack["envelope_id"] == id {
                return ack;
            }
        }
    }
}

fn slash_envelope(id: &str, user: &str, command: &str, text: &str) -> Value {
    json!({
        "envelope_id": id,
        "type": "slash_commands",
        "accepts_response_payload": true,
        "payload": {
            "token": "x", "team_id": "T0001", "team_domain": "example", "channel_id": "D0DM", "channel_name": "directmessage",
            "user_id": user, "user_name": "dana", "command": command, "text": text, "api_app_id": "A0APP",
            "is_enterprise_install": "false", "response_url": "https://hooks.slack.com/commands/T0001/1/abc", "trigger_id": "1.2.3"
        }
    })
}

#[tokio::test]
async fn socket_mode_answers_slash_commands_in_the_ack_with_only_two_tokens() {
    let fake = FakeSlack::start().await;
    let mut slack = SocketSlack::start(&fake).await;
    let app = TestApp::builder().slack(fake).socket().spawn().await;

    let ack = slack
        .ack_for(slash_envelope(
            "env-1",
            REP,
            "/commit",
            "20 discovery calls by Friday",
        ))
        .await;

    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert!(
        ack["payload"]["text"]
            .as_str()
            .unwrap()
            .starts_with("Recorded: commitment #1 — 20 discovery calls by Friday"),
        "{ack}"
    );
    let list = slack
        .ack_for(slash_envelope("env-2", REP, "/commit", "list"))
        .await;
    assert!(
        list["payload"]["text"]
            .as_str()
            .unwrap()
            .contains("*#1* 20 discovery calls by Friday"),
        "{list}"
    );
    let opened = app.slack.calls_to("apps.connections.open");
    assert_eq!(
        opened[0].authorization.as_deref(),
        Some(format!("Bearer {APP_TOKEN}").as_str())
    );
    assert_eq!(
        app.client
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        app.post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            command_body(REP, "/commit", "x")
        )
        .await
        .status(),
        404,
        "no public Slack endpoints in Socket Mode"
    );
}

#[tokio::test]
async fn socket_mode_events_share_the_dedupe_with_http_mode() {
    let fake = FakeSlack::start().await;
    let mut slack = SocketSlack::start(&fake).await;
    let app = TestApp::builder().slack(fake).socket().spawn().await;
    let event = |envelope: &str, retry: u32| {
        json!({
            "envelope_id": envelope, "type": "events_api", "accepts_response_payload": false,
            "retry_attempt": retry, "retry_reason": if retry > 0 { "timeout" } else { "" },
            "payload": app_home_opened("Ev0SOCKET1", REP)
        })
    };

    slack.ack_for(event("env-e1", 0)).await;
    slack.ack_for(event("env-e2", 1)).await;

    let (_, slack_api) = app.stop().await;
    assert_eq!(
        slack_api.calls_to("views.publish").len(),
        1,
        "a retried event is processed once"
    );
}
