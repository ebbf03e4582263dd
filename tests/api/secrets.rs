//! The three secrets never reach the logs, even at trace level, in HTTP mode (commands,
//! events, forms, and the scheduler calling Slack) and in Socket Mode (connecting, failing).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use super::fake_slack::FakeSlack;
use super::helpers::*;

/// The real binary at trace level, its logs going to a file beside (not in) the database's
/// folder: a pipe read only at the end fills up and stalls a process this talkative.
fn serve(dir: &tempfile::TempDir, slack: &FakeSlack, mode: &str, port: u16) -> (Spawned, File) {
    let log = tempfile::tempfile().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
        .args(["serve", "--config"])
        .arg(example_config_path())
        .env("SKO__SERVER__LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "SKO__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("sko.db").display()),
        )
        .env("SKO__SLACK__API_BASE_URL", slack.api_url())
        .env("SKO__SLACK__MODE", mode)
        .env("SKO__LOG__FORMAT", "json")
        .env("RUST_LOG", "trace")
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("SLACK_APP_TOKEN", APP_TOKEN)
        .stderr(log.try_clone().unwrap())
        .spawn()
        .unwrap();
    (Spawned(child), log)
}

/// A port free right now, for a process that must be told where to listen.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn stop_and_read_logs((mut child, mut log): (Spawned, File)) -> String {
    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    child.wait().unwrap();
    let mut logs = String::new();
    log.seek(SeekFrom::Start(0)).unwrap();
    log.read_to_string(&mut logs).unwrap();
    logs
}

/// Waits (bounded, as `FakeSlack::wait_for`) until the log holds `line`.
async fn wait_for_log(mut log: &File, line: &str) {
    for _ in 0..1_500 {
        let mut logs = String::new();
        log.seek(SeekFrom::Start(0)).unwrap();
        log.read_to_string(&mut logs).unwrap();
        if logs.contains(line) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut logs = String::new();
    log.seek(SeekFrom::Start(0)).unwrap();
    log.read_to_string(&mut logs).unwrap();
    let said: Vec<&str> = logs.lines().filter(|l| l.contains("ocket")).collect();
    panic!("the log never said {line:?}: {said:#?}");
}

fn assert_no_secrets(logs: &str) {
    assert!(
        logs.len() > 1_000,
        "trace logs were captured: {} bytes",
        logs.len()
    );
    for secret in [SIGNING_SECRET, BOT_TOKEN, APP_TOKEN] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs_of_a_full_http_run() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = serve(&dir, &slack, "http", port);
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if client
            .get(format!("{url}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let signed = |path: &str, body: String| {
        let ts = now_ts();
        client
            .post(format!("{url}{path}"))
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING_SECRET, ts, &body))
            .body(body)
    };
    assert_eq!(
        signed("/slack/commands", command_body(REP, "/commit", "20 calls"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        signed("/slack/commands", command_body(REP, "/commit", ""))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        signed("/slack/events", app_home_opened("Ev0LOGS", REP).to_string())
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let payload = json!({ "type": "block_actions", "team": { "id": "T1" }, "user": { "id": REP, "team_id": "T1" }, "api_app_id": "A", "token": "x", "trigger_id": "t", "container": { "type": "view", "view_id": "V" }, "actions": [{ "type": "button", "action_id": "pause_week", "block_id": "b", "value": "7", "action_ts": "1" }] });
    assert_eq!(
        signed(
            "/slack/interactivity",
            serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
        )
        .send()
        .await
        .unwrap()
        .status(),
        200
    );
    assert_eq!(
        client
            .post(format!("{url}/slack/commands"))
            .body("unsigned")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    // The form opened, two Home tabs published, timezones asked: the bot token was used.
    slack.wait_for("views.open", 1).await;
    slack.wait_for("views.publish", 2).await;
    slack.wait_for("users.info", 1).await;
    assert_no_secrets(&stop_and_read_logs(child));
    // Nor the database: every file SQLite wrote, read as bytes.
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for secret in [SIGNING_SECRET, BOT_TOKEN, APP_TOKEN] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "a secret reached the database"
            );
        }
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs_when_socket_mode_cannot_connect() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let child = serve(&dir, &slack, "socket", free_port());
    slack.wait_for("apps.connections.open", 1).await;
    // Stopped once the failure is logged, whatever time it took: that line is what is read.
    wait_for_log(&child.1, "Unable to create WSS url").await;
    assert_no_secrets(&stop_and_read_logs(child));
}
