//! Robustness: whatever arrives, the parsers answer with a value or an error, never a panic,
//! and Slack's endpoints (the real router, bodies signed as Slack signs them) answer with a
//! 2xx or a 4xx, never a panic or a 5xx. Small by default; the documented run is
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz` (10⁵ cases per target).

use std::sync::LazyLock;

use axum::body::Body;
use axum::http::Request;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use secrecy::SecretString;
use sko_reinforce::app::Application;
use sko_reinforce::clock::SystemClock;
use sko_reinforce::config::{Config, Secrets};
use sko_reinforce::domain::{commitment, practice, sko};
use tower::ServiceExt;

const EXAMPLE: &str = include_str!("../config.example.toml");
const COMMAND: &str = "token=x&team_id=T1&team_domain=d&channel_id=C1&channel_name=n&user_id=U1&user_name=u&command=%2Fcommit&text=20+calls&api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=1.2";
const EVENT: &str = r#"{"token":"x","team_id":"T1","api_app_id":"A1","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.2"},"type":"event_callback","event_id":"Ev1","event_time":1}"#;
const INTERACTION: &str = r#"{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1","team_id":"T1"},"api_app_id":"A1","token":"x","trigger_id":"1","container":{"type":"message","message_ts":"1.2","channel_id":"C1","is_ephemeral":false},"actions":[{"type":"button","action_id":"checkin_met","block_id":"b","value":"U1+U2|2027-01-12T15:00:00Z","action_ts":"1"}]}"#;

const SECRET: &str = "fuzzing-signing-secret";

/// The real app on a database of its own, its Slack unreachable (every call fails at once),
/// on a runtime the cases share.
static APP: LazyLock<(tokio::runtime::Runtime, axum::Router, tempfile::TempDir)> =
    LazyLock::new(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
        let env = [
            ("SKO__SERVER__LISTEN", "127.0.0.1:0".to_string()),
            (
                "SKO__DATABASE__URL",
                format!("sqlite://{}", dir.path().join("fuzz.db").display()),
            ),
            ("SKO__SLACK__API_BASE_URL", "http://127.0.0.1:1/api".into()),
            ("SKO__SENDER__TICK_SECONDS", "0".into()),
        ]
        .map(|(k, v)| (k.to_string(), v));
        let config = Config::load_with_env(&path, env).unwrap();
        let secrets = Secrets {
            signing_secret: Some(SecretString::from(SECRET)),
            bot_token: Some(SecretString::from("xoxb-fuzz")),
            ..Default::default()
        };
        let app = runtime
            .block_on(Application::build(
                config,
                secrets,
                std::sync::Arc::new(SystemClock),
            ))
            .unwrap();
        let router = app.router();
        (runtime, router, dir)
    });

/// POSTs `body` to `path` through the real router, signed; the status it answers.
fn post_signed(path: &str, content_type: &str, body: String) -> u16 {
    let (runtime, router, _) = &*APP;
    let ts = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("v0:{ts}:{body}").as_bytes());
    let signature = format!("v0={}", hex::encode(mac.finalize().into_bytes()));
    let request = Request::post(path)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", signature)
        .body(Body::from(body))
        .unwrap();
    let response = runtime.block_on(router.clone().oneshot(request)).unwrap();
    response.status().as_u16()
}

fn skills() -> Vec<sko_reinforce::domain::program::Skill> {
    Config::parse(EXAMPLE, "example", [])
        .unwrap()
        .program
        .skills
        .clone()
}

/// A valid input with a few bytes changed, cut or repeated: nearly right, the hardest case.
fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    (prop::collection::vec((0usize..seed.len(), any::<u8>(), 0u8..3), 1..8)).prop_map(
        move |edits| {
            let mut bytes = seed.as_bytes().to_vec();
            for (at, byte, how) in edits {
                let at = at.min(bytes.len());
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, byte),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        },
    )
}

proptest! {
    #[test]
    fn command_grammars_never_panic(text in prop_oneof![any::<String>(), mutated("20 discovery calls by Friday"), mutated("discovery with <@U0DANA|dana> score 4 live"), mutated("pause until 2027-02-01")]) {
        let _ = commitment::parse(&text);
        let _ = practice::parse(&text, &skills());
        let _ = sko::parse(&text);
    }

    #[test]
    fn slash_commands_get_a_2xx_or_a_4xx(body in prop_oneof![any::<String>(), mutated(COMMAND)]) {
        let status = post_signed("/slack/commands", "application/x-www-form-urlencoded", body);
        prop_assert!(status < 500, "answered {status}");
    }

    #[test]
    fn events_get_a_2xx_or_a_4xx(body in prop_oneof![any::<String>(), mutated(EVENT)]) {
        let status = post_signed("/slack/events", "application/json", body);
        prop_assert!(status < 500, "answered {status}");
    }

    #[test]
    fn interactions_get_a_2xx_or_a_4xx(payload in prop_oneof![any::<String>(), mutated(INTERACTION)]) {
        let body = serde_urlencoded::to_string([("payload", payload)]).unwrap();
        let status = post_signed("/slack/interactivity", "application/x-www-form-urlencoded", body);
        prop_assert!(status < 500, "answered {status}");
    }

    #[test]
    fn configs_never_panic(text in prop_oneof![any::<String>(), mutated(EXAMPLE)]) {
        let _ = Config::parse(&text, "fuzz.toml", []);
    }
}

/// The seeds themselves are answered 200: the cases reach the handlers, not only the
/// signature check.
#[test]
fn the_unmutated_payloads_are_answered() {
    assert_eq!(
        post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            COMMAND.into()
        ),
        200
    );
    assert_eq!(
        post_signed("/slack/events", "application/json", EVENT.into()),
        200
    );
    let body = serde_urlencoded::to_string([("payload", INTERACTION)]).unwrap();
    assert_eq!(
        post_signed(
            "/slack/interactivity",
            "application/x-www-form-urlencoded",
            body
        ),
        200
    );
}
