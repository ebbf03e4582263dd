//! The test harness: the real app on port 0 with a temporary database and a fake Slack, and
//! requests signed exactly as Slack signs them. The database is a SQLite file, or with
//! `SKO_TEST_API_DATABASE=postgres` a PostgreSQL database of its own on the server that
//! `SKO_TEST_POSTGRES_URL` names.

use sko_reinforce::clock::Clock;
use sko_reinforce::domain::schedule::MessageKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::SecretString;
use sha2::Sha256;
use sko_reinforce::app::Application;
use sko_reinforce::clock::ManualClock;
use sko_reinforce::config::{Config, Secrets};
use sko_reinforce::scheduler::{Scheduler, TickReport};
use sko_reinforce::slack::gateway::SlackGateway;
use sko_reinforce::store::{DatabaseUrl, Delivery, Store};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::fake_slack::FakeSlack;

/// Slack's own example secret from its "verifying requests" page.
pub const SIGNING_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const BOT_TOKEN: &str = "xoxb-test-0000-bot-token-do-not-log";
pub const APP_TOKEN: &str = "xapp-test-0000-app-token-do-not-log";
pub const CLIENT_SECRET: &str = "test-client-secret-do-not-log";

pub const REP: &str = "U0EAST001"; // Dana, East team, New York
pub const PARTNER: &str = "U0WEST001"; // Taylor, West team, Los Angeles
pub const STRANGER: &str = "U0NOTLISTED";

static TRACING: LazyLock<()> = LazyLock::new(|| {
    if std::env::var_os("TEST_LOG").is_some() {
        sko_reinforce::telemetry::init(&Default::default());
    }
});

/// Wednesday of sprint week 1 (Application), 10:00 in New York.
pub fn wednesday_week_one() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap()
}

pub struct TestApp {
    pub scheduler: Arc<Scheduler<Arc<SlackGateway>>>,
    pub address: String,
    pub client: reqwest::Client,
    pub slack: FakeSlack,
    pub clock: Arc<ManualClock>,
    pub dir: Arc<TempDir>,
    /// The config file it was started from.
    pub config_path: PathBuf,
    pub database_url: DatabaseUrl,
    /// The config it runs, as loaded.
    pub config: Config,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<anyhow::Result<()>>>,
}

/// How a test starts the app: `TestApp::builder().at(t).config(..).spawn().await`. By default
/// the shipped example config on a new database (the suite's backend) and a new fake Slack, at
/// [`wednesday_week_one`], over HTTP with the test secrets.
pub struct TestAppBuilder {
    at: DateTime<Utc>,
    config: Option<String>,
    files: Vec<(String, String)>,
    env: Vec<(String, String)>,
    socket: bool,
    backend: Backend,
    dir: Option<Arc<TempDir>>,
    slack: Option<FakeSlack>,
    beside: Option<(PathBuf, DatabaseUrl)>,
}

impl TestApp {
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            at: wednesday_week_one(),
            config: None,
            files: Vec::new(),
            env: Vec::new(),
            socket: false,
            backend: Backend::for_the_suite(),
            dir: None,
            slack: None,
            beside: None,
        }
    }
}

impl TestAppBuilder {
    /// The clock's time at start.
    pub fn at(mut self, now: DateTime<Utc>) -> Self {
        self.at = now;
        self
    }

    /// A config of the test's own, written to the app's folder as `config.toml`.
    pub fn config(mut self, toml: &str) -> Self {
        self.config = Some(toml.to_string());
        self
    }

    /// More files beside the config (a `people.csv`).
    pub fn files(mut self, files: &[(&str, &str)]) -> Self {
        self.files
            .extend(files.iter().map(|(n, t)| (n.to_string(), t.to_string())));
        self
    }

    /// `SKO__…` overrides, as an operator would set them.
    pub fn env(mut self, env: &[(&str, &str)]) -> Self {
        self.env
            .extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self
    }

    /// Socket Mode: the bot and app tokens, no signing secret.
    pub fn socket(mut self) -> Self {
        self.socket = true;
        self
    }

    /// On this database rather than the suite's.
    pub fn on(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }

    pub fn slack(mut self, slack: FakeSlack) -> Self {
        self.slack = Some(slack);
        self
    }

    /// In `dir`, on the database there: after `stop`, a restart.
    pub fn dir(mut self, dir: Arc<TempDir>) -> Self {
        self.dir = Some(dir);
        self
    }

    /// A second replica beside `first`: its config, database, folder and Slack, its clock's
    /// time, and a process state of its own.
    pub fn beside(mut self, first: &TestApp) -> Self {
        self.at = first.clock.now();
        self.dir = Some(first.dir.clone());
        self.slack = Some(first.slack.clone());
        self.beside = Some((first.config_path.clone(), first.database_url.clone()));
        self
    }

    pub async fn spawn(self) -> TestApp {
        self.try_spawn().await.expect("the app builds")
    }

    /// The app, or why it refused to start.
    pub async fn try_spawn(self) -> anyhow::Result<TestApp> {
        LazyLock::force(&TRACING);
        let dir = match self.dir {
            Some(dir) => dir,
            None => Arc::new(tempfile::tempdir().unwrap()),
        };
        let slack = match self.slack {
            Some(slack) => slack,
            None => FakeSlack::start().await,
        };
        let (path, url) = match self.beside {
            Some(first) => first,
            None => {
                let path = match &self.config {
                    Some(toml) => {
                        let path = dir.path().join("config.toml");
                        std::fs::write(&path, toml).unwrap();
                        path
                    }
                    None => example_config_path(),
                };
                (path, database_url(&dir.path().join("sko.db"), self.backend))
            }
        };
        for (name, text) in &self.files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let mut env = self.env;
        if self.socket {
            env.push(("SKO__SLACK__MODE".into(), "socket".into()));
        }
        let config = config_on(&path, &url, &slack, &env);
        let secrets = if self.socket {
            Secrets {
                signing_secret: None,
                app_token: Some(SecretString::from(APP_TOKEN)),
                ..test_secrets()
            }
        } else {
            test_secrets()
        };
        let clock = Arc::new(ManualClock::new(self.at));
        let app = Application::build(config.clone(), secrets, clock.clone()).await?;
        let scheduler = app.scheduler().expect("a bot token gives a scheduler");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async {
            let _ = rx.await;
        }));
        Ok(TestApp {
            scheduler,
            address,
            client: reqwest::Client::new(),
            slack,
            clock,
            dir,
            config_path: path,
            database_url: url,
            config,
            shutdown: Some(tx),
            server: Some(server),
        })
    }
}

/// The secrets every test app runs with: Slack's example signing secret and test tokens.
fn test_secrets() -> Secrets {
    Secrets {
        signing_secret: Some(SecretString::from(SIGNING_SECRET)),
        bot_token: Some(SecretString::from(BOT_TOKEN)),
        app_token: None,
        client_secret: Some(SecretString::from(CLIENT_SECRET)),
    }
}

/// The databases an app under test can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The variable naming a PostgreSQL server for the tests.
pub const POSTGRES_URL_VAR: &str = "SKO_TEST_POSTGRES_URL";

impl Backend {
    /// What the suite runs on: SQLite, or PostgreSQL with `SKO_TEST_API_DATABASE=postgres`.
    pub fn for_the_suite() -> Backend {
        match std::env::var("SKO_TEST_API_DATABASE").as_deref() {
            Ok("postgres") => Backend::Postgres,
            _ => Backend::Sqlite,
        }
    }

    /// Both databases for the tests that must hold on each, PostgreSQL when
    /// `SKO_TEST_POSTGRES_URL` names a server; without it the skip is said on stderr, past
    /// the harness's capture.
    pub fn each() -> Vec<Backend> {
        if std::env::var_os(POSTGRES_URL_VAR).is_some() {
            return vec![Backend::Sqlite, Backend::Postgres];
        }
        static SAID: std::sync::Once = std::sync::Once::new();
        SAID.call_once(|| {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "note: the PostgreSQL cases of the replica tests were skipped: {POSTGRES_URL_VAR} is not set"
            );
        });
        vec![Backend::Sqlite]
    }
}

/// The URL of the database `file` stands for: the SQLite file, or a PostgreSQL database of
/// its own named after it, made if missing (so a restart on the same folder finds it again).
pub fn database_url(file: &Path, backend: Backend) -> DatabaseUrl {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", file.display()).parse().unwrap(),
        Backend::Postgres => {
            let server = std::env::var(POSTGRES_URL_VAR)
                .unwrap_or_else(|_| panic!("PostgreSQL tests need {POSTGRES_URL_VAR}"));
            let tag: String = file
                .iter()
                .rev()
                .take(2)
                .flat_map(|part| part.to_string_lossy().chars().collect::<Vec<_>>())
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_lowercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            // Made on a runtime of its own: this is called from sync code inside async tests.
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap()
                    .block_on(sko_reinforce::store::scratch_postgres_database(
                        &server, &tag,
                    ))
            })
            .join()
            .unwrap()
            .unwrap_or_else(|e| panic!("a PostgreSQL database for the test: {e:#}"))
            .parse()
            .unwrap()
        }
    }
}

/// The config at `path`, pointed at the database at `url` and the fake Slack.
fn config_on(
    path: &Path,
    url: &DatabaseUrl,
    slack: &FakeSlack,
    extra: &[(String, String)],
) -> Config {
    let mut env = vec![
        ("SKO__SERVER__LISTEN".to_string(), "127.0.0.1:0".to_string()),
        ("SKO__DATABASE__URL".to_string(), url.expose().to_string()),
        (
            "SKO__SLACK__API_BASE_URL".to_string(),
            format!("{}/", slack.api_url()),
        ),
        // The tests tick the scheduler themselves, at the times they choose.
        ("SKO__SENDER__TICK_SECONDS".to_string(), "0".to_string()),
        (
            "SKO__SENDER__RATE_PER_SECOND".to_string(),
            "100".to_string(),
        ),
    ];
    env.extend(extra.iter().cloned());
    Config::load_with_env(path, env).unwrap_or_else(|e| panic!("{} loads: {e}", path.display()))
}

pub fn example_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml")
}

/// `v0=` + hex(HMAC-SHA256(secret, "v0:{ts}:{body}")), as Slack signs.
pub fn sign(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

pub fn now_ts() -> i64 {
    Utc::now().timestamp()
}

pub fn command_body(user: &str, command: &str, text: &str) -> String {
    command_body_answering_to(
        user,
        command,
        text,
        "https://hooks.slack.com/commands/T0001/1/abc",
    )
}

pub fn command_body_answering_to(
    user: &str,
    command: &str,
    text: &str,
    response_url: &str,
) -> String {
    serde_urlencoded::to_string([
        ("token", "gIkuvaNzQIHg97ATvDxqgjtO"),
        ("team_id", "T0001"),
        ("team_domain", "example"),
        ("channel_id", "D0DMCHANNEL"),
        ("channel_name", "directmessage"),
        ("user_id", user),
        ("user_name", "someone"),
        ("command", command),
        ("text", text),
        ("api_app_id", "A0APP"),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", "13345224609.738474920.8088930838d88f008e0"),
    ])
    .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// POSTs `body` with the given signature headers (or none).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: String,
        signed: Option<(i64, String)>,
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some((ts, signature)) = signed {
            req = req
                .header("x-slack-request-timestamp", ts.to_string())
                .header("x-slack-signature", signature);
        }
        req.send().await.expect("the app answers")
    }

    pub async fn post_signed(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> reqwest::Response {
        let ts = now_ts();
        let signature = sign(SIGNING_SECRET, ts, &body);
        self.post_raw(path, content_type, body, Some((ts, signature)))
            .await
    }

    pub async fn slash(&self, user: &str, command: &str, text: &str) -> reqwest::Response {
        self.post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            command_body(user, command, text),
        )
        .await
    }

    /// Sends a slash command and returns the ephemeral reply's text.
    pub async fn reply(&self, user: &str, command: &str, text: &str) -> String {
        let response = self.slash(user, command, text).await;
        assert_eq!(response.status(), 200, "{command} {text:?}");
        let body: serde_json::Value = response.json().await.expect("a JSON reply");
        assert_eq!(body["response_type"], "ephemeral", "{body}");
        body["text"].as_str().expect("reply text").to_string()
    }

    /// POSTs an interaction (`payload` form field) to `/slack/interactivity`, signed.
    pub async fn interact(&self, payload: &serde_json::Value) -> reqwest::Response {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        self.post_signed(
            "/slack/interactivity",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    /// Submits the form `callback` as `user` filled it in: `values` as Slack's view state.
    pub async fn submit_form(
        &self,
        user: &str,
        callback: &str,
        values: serde_json::Value,
    ) -> reqwest::Response {
        let payload = serde_json::json!({
            "type": "view_submission", "team": { "id": "T0001", "domain": "example" }, "user": { "id": user, "team_id": "T0001" },
            "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
            "view": { "id": "V0FORM", "team_id": "T0001", "type": "modal", "callback_id": callback, "hash": "h",
                      "title": { "type": "plain_text", "text": "Form" }, "blocks": [], "state": { "values": values } }
        });
        self.interact(&payload).await
    }

    pub async fn event(
        &self,
        payload: &serde_json::Value,
        retry: Option<u32>,
    ) -> reqwest::Response {
        let body = payload.to_string();
        let ts = now_ts();
        let mut req = self
            .client
            .post(self.url("/slack/events"))
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", sign(SIGNING_SECRET, ts, &body))
            .body(body);
        if let Some(n) = retry {
            req = req
                .header("x-slack-retry-num", n.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        req.send().await.expect("the app answers")
    }

    /// One scheduler tick at the clock's current time.
    pub async fn tick(&self) -> TickReport {
        self.scheduler
            .tick(&CancellationToken::new())
            .await
            .expect("a tick runs")
    }

    /// Delivers the notices asked for so far (a partner told of a pause, a form's
    /// confirmation), which go through the outbox like every message: one tick, then the
    /// notices Slack has received.
    pub async fn notices_delivered(&self) -> Vec<super::fake_slack::Post> {
        self.tick().await;
        self.slack
            .posts()
            .into_iter()
            .filter(|p| p.key.as_deref().is_some_and(|k| k.starts_with("notice:")))
            .collect()
    }

    /// Ticks at the clock's time until the days ahead are planned, as a running bot has them
    /// within its first minute (each tick plans a few hours more).
    pub async fn plan_ahead(&self) {
        for _ in 0..40 {
            self.tick().await;
        }
    }

    /// The scheduler's work beside the ticks (timezones from Slack, DM channels ahead).
    pub async fn housekeep(&self) {
        self.scheduler
            .housekeep(&CancellationToken::new())
            .await
            .expect("housekeeping runs");
    }

    /// The prompts due by the clock's time, as the export shows them: the outbox also holds
    /// the days planned ahead, and the digests.
    pub async fn prompts_due(&self) -> Vec<Delivery> {
        let now = self.clock.now();
        self.deliveries()
            .await
            .into_iter()
            .filter(|d| d.occurrence.at <= now && d.kind() == MessageKind::Prompt)
            .collect()
    }

    /// The outbox as an admin's export shows it.
    pub async fn deliveries(&self) -> Vec<Delivery> {
        let store = Store::open(&self.database_url).await.unwrap();
        let all = store.deliveries().await.unwrap();
        store.close().await;
        all
    }

    /// `sko-reinforce export --what <what>` on this app's database, as an admin runs it: the
    /// CSV as written.
    pub fn export_csv(&self, what: &str) -> String {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
            .args(["export", "--config"])
            .arg(&self.config_path)
            .args(["--what", what])
            .env("SKO__DATABASE__URL", self.database_url.expose())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The export's rows, past its header.
    pub fn export(&self, what: &str) -> Vec<csv::StringRecord> {
        csv::Reader::from_reader(self.export_csv(what).as_bytes())
            .records()
            .map(Result::unwrap)
            .collect()
    }

    /// `GET /metrics`, as Prometheus scrapes it.
    pub async fn metrics(&self) -> String {
        let response = self.client.get(self.url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    /// Stops the app the way SIGTERM does and waits for in-flight work; returns its database
    /// folder and fake Slack for a restart.
    pub async fn stop(mut self) -> (Arc<TempDir>, FakeSlack) {
        self.shutdown.take().unwrap().send(()).unwrap();
        self.server
            .take()
            .unwrap()
            .await
            .unwrap()
            .expect("a clean stop");
        (self.dir.clone(), self.slack.clone())
    }
}

/// SQLite's write lock, taken and held by a connection of the test's own, as another process
/// would: released when the connection is dropped.
pub async fn write_lock_held_elsewhere(app: &TestApp) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    let mut blocker = sqlx::SqliteConnection::connect(app.database_url.expose())
        .await
        .unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut blocker)
        .await
        .unwrap();
    blocker
}

/// An address on 127.0.0.1 nothing listens on now, for a server the test spawns.
pub fn free_address() -> String {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    socket.local_addr().unwrap().to_string()
}

/// A slash command's `body` POSTed to the spawned server at `address`, signed now as Slack
/// signs it.
pub fn signed_command(
    client: &reqwest::Client,
    address: &str,
    body: String,
) -> reqwest::RequestBuilder {
    let ts = now_ts();
    client
        .post(format!("http://{address}/slack/commands"))
        .header("x-slack-request-timestamp", ts.to_string())
        .header("x-slack-signature", sign(SIGNING_SECRET, ts, &body))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
}

/// Waits until the spawned server at `address` answers `/healthz`.
pub async fn until_healthy(client: &reqwest::Client, address: &str) {
    while client
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .is_err()
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

pub fn app_home_opened(event_id: &str, user: &str) -> serde_json::Value {
    serde_json::json!({
        "token": "XXYYZZ",
        "team_id": "T0001",
        "api_app_id": "A0APP",
        "event": { "type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1700000000.000100" },
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1700000000,
        "authorizations": [{ "team_id": "T0001", "user_id": "U0BOT", "is_bot": true }]
    })
}

/// A spawned server, killed when the test ends, a failed assertion included, so that it
/// never outlives the run holding the test harness's output open.
pub struct Spawned(pub std::process::Child);

impl Drop for Spawned {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for Spawned {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Spawned {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
