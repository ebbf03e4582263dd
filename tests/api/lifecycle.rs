//! Start-up, health, restarts and stopping.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::helpers::*;

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::builder().spawn().await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn data_survives_a_restart_on_the_same_database() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    app.reply(REP, "/practice", "discovery live").await;
    let (dir, slack) = app.stop().await;

    let app = TestApp::builder().dir(dir).slack(slack).spawn().await;

    let list = app.reply(REP, "/commit", "list").await;
    assert!(list.contains("*#1* 20 discovery calls by Friday"), "{list}");
    let next = app.reply(REP, "/commit", "3 demos").await;
    assert!(
        next.starts_with("Recorded: commitment #2"),
        "short ids continue: {next}"
    );
    let practice = app.reply(REP, "/practice", "list").await;
    assert!(practice.contains("(1, 1 in live deals)"), "{practice}");
}

/// The real binary serving the example config on a free port, with its database in `dir`.
fn serve(dir: &tempfile::TempDir) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"));
    command
        .args(["serve", "--config"])
        .arg(example_config_path())
        .env("SKO__SERVER__LISTEN", "127.0.0.1:0")
        .env(
            "SKO__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("sko.db").display()),
        );
    command
}

#[test]
fn serve_stops_cleanly_on_sigterm_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = serve(&dir)
        .env("SKO__LOG__FORMAT", "json")
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .map(Spawned)
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    let listening = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("listening for Slack"))
        .expect("serve logs where it listens");
    assert!(started.elapsed() < Duration::from_secs(30));
    let log: serde_json::Value = serde_json::from_str(&listening).expect("JSON logs");
    let addr = log["fields"]["addr"].as_str().unwrap().to_string();
    assert!(
        std::net::TcpStream::connect(&addr).is_ok(),
        "it accepts connections on {addr}"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();

    assert_eq!(status.code(), Some(0));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
    assert!(
        rest.iter()
            .chain([&listening])
            .all(|l| !l.contains(BOT_TOKEN) && !l.contains(SIGNING_SECRET))
    );
}

#[test]
fn serve_without_secrets_says_which_one_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let output = serve(&dir)
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("SLACK_SIGNING_SECRET is not set"),
        "{stderr}"
    );
}

#[tokio::test]
async fn sighup_reloads_a_valid_config_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let example = std::fs::read_to_string(example_config_path()).unwrap();
    std::fs::write(&config, &example).unwrap();
    let roster = example_config_path().with_file_name("people.example.csv");
    std::fs::copy(roster, dir.path().join("people.example.csv")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
        .args(["serve", "--config"])
        .arg(&config)
        .env("SKO__SERVER__LISTEN", "127.0.0.1:0")
        .env(
            "SKO__DATABASE__URL",
            format!("sqlite://{}", dir.path().join("sko.db").display()),
        )
        .env("SKO__LOG__FORMAT", "json")
        .env("SKO__SENDER__TICK_SECONDS", "0")
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .map(Spawned)
        .unwrap();
    let (tx, logs) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let wait_for = |needle: &str| -> String {
        loop {
            let line = logs
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no log line with {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    };
    let listening: serde_json::Value =
        serde_json::from_str(&wait_for("listening for Slack")).unwrap();
    let url = format!(
        "http://{}/slack/commands",
        listening["fields"]["addr"].as_str().unwrap()
    );
    let practice_help = || async {
        let body = command_body(REP, "/practice", "help");
        let ts = now_ts();
        let reply: serde_json::Value = reqwest::Client::new()
            .post(&url)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING_SECRET, ts, &body))
            .body(body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        reply["text"].as_str().unwrap().to_string()
    };
    let hangup = |pid: u32| {
        assert!(
            Command::new("kill")
                .args(["-HUP", &pid.to_string()])
                .status()
                .unwrap()
                .success()
        )
    };

    std::fs::write(
        &config,
        example.replace(
            "name = \"Objection handling\"",
            "name = \"Objection handling, reloaded\"",
        ),
    )
    .unwrap();
    hangup(child.id());
    wait_for("config reloaded");
    assert!(
        practice_help()
            .await
            .contains("Objection handling, reloaded")
    );

    std::fs::write(
        &config,
        example.replace("kickoff = 2027-01-11", "kickoff = \"soon\""),
    )
    .unwrap();
    hangup(child.id());
    let refused = wait_for("config rejected");
    assert!(
        refused.contains("program.kickoff: expected a date like 2027-01-11"),
        "{refused}"
    );
    assert!(child.try_wait().unwrap().is_none(), "still running");
    assert!(
        practice_help()
            .await
            .contains("Objection handling, reloaded"),
        "the program in force stays"
    );

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap()
            .success()
    );
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
