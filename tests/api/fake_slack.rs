//! A fake Slack Web API on 127.0.0.1 over plain http: answers the methods the bot calls the
//! way Slack does (including message metadata and history), can be told to fail the way
//! Slack fails (429 with Retry-After, 500, slow answers), and records every call.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::any;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub authorization: Option<String>,
    pub body: Value,
}

/// A message Slack accepted.
#[derive(Debug, Clone)]
pub struct Post {
    pub channel: String,
    pub text: String,
    pub key: Option<String>,
    pub ts: String,
    pub blocks: Value,
}

impl Post {
    /// The buttons under the message.
    pub fn buttons(&self) -> Vec<Value> {
        self.blocks
            .as_array()
            .into_iter()
            .flatten()
            .filter(|b| b["type"] == "actions")
            .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

/// How the next `chat.postMessage` goes wrong.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After` seconds; nothing posted.
    RateLimited(u64),
    /// 500; nothing posted.
    ServerError,
    /// Posted, but the answer comes this late.
    SlowAnswer(Duration),
    /// `{"ok": false, "error": code}`; nothing posted.
    Refused(&'static str),
}

#[derive(Default)]
struct State_ {
    calls: Vec<Call>,
    posts: Vec<Post>,
    faults: VecDeque<Fault>,
    timezones: HashMap<String, String>,
    socket_url: Option<String>,
    /// People `users.lookupByEmail` finds, by email.
    emails: HashMap<String, String>,
    /// Statuses `users.profile.get` reports: (emoji, text, expiration in Unix seconds).
    statuses: HashMap<String, (String, String, i64)>,
    /// Share of `chat.postMessage` calls that fail at random (429, 500 or a slow answer),
    /// drawn from a seeded generator so a run can be replayed.
    random_failures: f64,
    failures_drawn: Option<fastrand::Rng>,
    /// Slack's limits, when enforced: posts per second overall, and one a second per channel.
    limit_per_second: Option<usize>,
    recent_posts: VecDeque<Instant>,
    last_post_in: HashMap<String, Instant>,
    /// Posts refused with 429 for going over those limits.
    over_limit: usize,
    /// When each post was accepted.
    post_times: Vec<Instant>,
    /// Methods whose next call gets a 429, with its Retry-After.
    method_429s: HashMap<String, u64>,
    /// Upload URLs handed out, so each file gets its own id.
    files_given: usize,
    /// Files uploaded to an upload URL, by file id.
    uploads: HashMap<String, Vec<u8>>,
    /// Files shared by `files.completeUploadExternal`: (file id, title, channel).
    shared_files: Vec<(String, String, String)>,
    /// Channels `conversations.list` shows, by name.
    channels: HashMap<String, String>,
    /// Whether the methods besides `chat.postMessage` are kept to their tiers.
    enforce_tiers: bool,
    /// Recent calls of each tiered method, when limits are enforced.
    tier_calls: HashMap<String, VecDeque<Instant>>,
    /// 429s answered, by method (posts over the rate included).
    refused: HashMap<String, usize>,
    /// Id tokens waiting for their code at `openid.connect.token`, each handed out once.
    oidc_codes: HashMap<String, String>,
    /// Who Slack's authorize page signs in (it sends the browser straight back).
    signs_in: Option<(String, chrono::DateTime<chrono::Utc>)>,
}

/// Calls a minute Slack allows the methods the bot uses besides `chat.postMessage`.
fn tier_per_minute(method: &str) -> Option<usize> {
    match method {
        "conversations.open" | "conversations.history" => Some(50),
        "conversations.list" => Some(20),
        "users.info" | "users.profile.get" => Some(100),
        "files.getUploadURLExternal" | "files.completeUploadExternal" => Some(100),
        "users.lookupByEmail" => Some(50),
        _ => None,
    }
}

#[derive(Clone, Default)]
pub struct FakeSlack {
    state: Arc<Mutex<State_>>,
    pub base_url: String,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = FakeSlack {
            state: Arc::default(),
            base_url: format!("http://127.0.0.1:{port}"),
        };
        let router = Router::new()
            .route("/api/{method}", any(api))
            .route("/response/{id}", any(response_url))
            .route("/upload/{id}", any(upload_bytes))
            .route(
                "/openid/connect/keys",
                any(|| async { Json(super::fake_oidc::jwks()) }),
            )
            .route("/openid/connect/authorize", any(authorize))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        fake
    }

    /// A code `openid.connect.token` exchanges, once, for `token`.
    pub fn issue_code(&self, token: &super::fake_oidc::Token) -> String {
        let mut state = self.state.lock().unwrap();
        let code = format!("code-{}", state.oidc_codes.len() + 1);
        state.oidc_codes.insert(code.clone(), token.encode());
        code
    }

    /// Slack's authorize page signs `user` in from now on, issuing tokens as of `now`.
    pub fn sign_in_as(&self, user: &str, now: chrono::DateTime<chrono::Utc>) {
        self.state.lock().unwrap().signs_in = Some((user.to_string(), now));
    }

    pub fn api_url(&self) -> String {
        format!("{}/api", self.base_url)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method)
            .collect()
    }

    pub fn posts(&self) -> Vec<Post> {
        self.state.lock().unwrap().posts.clone()
    }

    /// How many times each scheduled occurrence (by its metadata key) was posted.
    pub fn posts_per_key(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for p in &self.state.lock().unwrap().posts {
            *counts.entry(p.key.clone().unwrap_or_default()).or_default() += 1;
        }
        counts
    }

    /// How many posts were accepted: cheap enough to poll while Slack is busy, where
    /// copying every post under the lock would stall the fake's answers.
    pub fn post_count(&self) -> usize {
        self.state.lock().unwrap().posts.len()
    }

    /// Fails `share` of `chat.postMessage` calls at random, like a bad day at Slack; `seed`
    /// makes the draws the same again.
    pub fn fail_randomly(&self, share: f64, seed: u64) {
        let mut state = self.state.lock().unwrap();
        state.random_failures = share;
        state.failures_drawn = Some(fastrand::Rng::with_seed(seed));
    }

    /// Answers 429 (Retry-After: 1) to a post that would make more than `per_second` in the
    /// last second (less 5 %, for the sender's timing jitter) or a second in one channel
    /// within a second, as Slack does.
    pub fn enforce_rate(&self, per_second: usize) {
        self.state.lock().unwrap().limit_per_second = Some(per_second);
    }

    /// Keeps the other methods to their tiers (`conversations.open` 50 a minute, …),
    /// answering 429 with the wait that frees a call.
    pub fn enforce_tiers(&self) {
        self.state.lock().unwrap().enforce_tiers = true;
    }

    /// Answers `conversations.list` with a channel `#name` whose id is `id`.
    pub fn add_channel(&self, name: &str, id: &str) {
        self.state
            .lock()
            .unwrap()
            .channels
            .insert(name.into(), id.into());
    }

    /// 429s answered to `method` for going over Slack's limits.
    pub fn refused(&self, method: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .refused
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Posts refused for going over the enforced rate.
    pub fn over_limit(&self) -> usize {
        self.state.lock().unwrap().over_limit
    }

    /// When each post was accepted, in order.
    pub fn post_times(&self) -> Vec<Instant> {
        self.state.lock().unwrap().post_times.clone()
    }

    /// Where `apps.connections.open` sends Socket Mode clients.
    pub fn set_socket_url(&self, url: &str) {
        self.state.lock().unwrap().socket_url = Some(url.into());
    }

    /// What `users.info` says of `user`'s timezone (New York unless told otherwise).
    /// Files shared in channels: (file id, title, channel, the bytes uploaded).
    pub fn shared_files(&self) -> Vec<(String, String, String, Vec<u8>)> {
        let state = self.state.lock().unwrap();
        state
            .shared_files
            .iter()
            .map(|(id, title, channel)| {
                let bytes = state.uploads.get(id).cloned().unwrap_or_default();
                (id.clone(), title.clone(), channel.clone(), bytes)
            })
            .collect()
    }

    /// Makes `users.lookupByEmail` find `user` by `email`.
    pub fn add_user_email(&self, email: &str, user: &str) {
        self.state
            .lock()
            .unwrap()
            .emails
            .insert(email.to_lowercase(), user.to_string());
    }

    /// Sets what `users.profile.get` says of `user`'s status (`expiration` 0: no end).
    pub fn set_status(&self, user: &str, emoji: &str, text: &str, expiration: i64) {
        self.state.lock().unwrap().statuses.insert(
            user.to_string(),
            (emoji.to_string(), text.to_string(), expiration),
        );
    }

    pub fn set_timezone(&self, user: &str, tz: &str) {
        self.state
            .lock()
            .unwrap()
            .timezones
            .insert(user.into(), tz.into());
    }

    /// The next `chat.postMessage` calls fail like this, in order.
    pub fn fail_next(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.lock().unwrap().faults.extend(faults);
    }

    /// The next call of `method` (not `chat.postMessage`) is refused with 429 and
    /// `Retry-After: seconds`.
    pub fn rate_limit_next(&self, method: &str, seconds: u64) {
        self.state
            .lock()
            .unwrap()
            .method_429s
            .insert(method.to_string(), seconds);
    }

    /// Waits (bounded) until `method` has been called `count` times, for work the app does
    /// in the background after acknowledging Slack.
    /// Bounded at 15 s: a loaded CI machine runs dozens of these tests at once.
    pub async fn wait_for(&self, method: &str, count: usize) -> Vec<Call> {
        for _ in 0..1_500 {
            let calls = self.calls_to(method);
            if calls.len() >= count {
                return calls;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "fake Slack never received {count} × {method}; got {} calls",
            self.calls().len()
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
    fake.state.lock().unwrap().calls.push(Call {
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

fn users_of(body: &Value) -> Vec<String> {
    match &body["users"] {
        Value::Array(a) => a
            .iter()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect(),
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        _ => vec![],
    }
}

async fn api(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let body = record(&fake, &method, &headers, query, &body);
    let asked_429 = fake.state.lock().unwrap().method_429s.remove(&method);
    if let Some(wait) = asked_429.or_else(|| over_tier(&mut fake.state.lock().unwrap(), &method)) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", wait.to_string())],
            Json(json!({ "ok": false, "error": "ratelimited" })),
        )
            .into_response();
    }
    match method.as_str() {
        "auth.test" => Json(json!({ "ok": true, "team_id": super::fake_oidc::TEAM, "team": "Example", "user_id": "U0BOT", "url": "https://example.slack.com/" })).into_response(),
        "openid.connect.token" => {
            let code = body["code"].as_str().unwrap_or_default().to_string();
            let client_ok = body["client_id"] == super::fake_oidc::CLIENT_ID
                && body["client_secret"] == super::helpers::CLIENT_SECRET;
            let token = fake.state.lock().unwrap().oidc_codes.remove(&code);
            match token {
                Some(id_token) if client_ok => Json(json!({ "ok": true, "access_token": "xoxp-oidc-test", "token_type": "Bearer", "id_token": id_token })).into_response(),
                Some(_) => Json(json!({ "ok": false, "error": "invalid_client" })).into_response(),
                None => Json(json!({ "ok": false, "error": "invalid_code" })).into_response(),
            }
        }
        "views.open" if body["trigger_id"] == "expired" => {
            Json(json!({ "ok": false, "error": "expired_trigger_id" })).into_response()
        }
        "views.publish" | "views.open" | "views.update" => {
            let mut view = body.get("view").cloned().unwrap_or(json!({}));
            view["id"] = json!("V0FAKE");
            view["team_id"] = json!("T0FAKE");
            view["hash"] = json!("h");
            Json(json!({ "ok": true, "view": view })).into_response()
        }
        "conversations.open" => {
            let users = users_of(&body);
            let prefix = if users.len() == 1 { "D" } else { "G" };
            Json(json!({ "ok": true, "channel": { "id": format!("{prefix}{}", users.join("_")) } }))
                .into_response()
        }
        "chat.postMessage" => post_message(&fake, &body).await,
        "apps.connections.open" => {
            let url = fake.state.lock().unwrap().socket_url.clone();
            Json(match url {
                Some(url) => json!({ "ok": true, "url": url }),
                None => json!({ "ok": false, "error": "no_socket_server" }),
            })
            .into_response()
        }
        "conversations.history" => {
            let channel = body["channel"].as_str().unwrap_or_default().to_string();
            let oldest = body["oldest"]
                .as_str()
                .and_then(|t| t.parse::<f64>().ok())
                .unwrap_or(0.0);
            let messages: Vec<Value> = fake
                .posts()
                .into_iter()
                .filter(|p| p.channel == channel && p.ts.parse::<f64>().unwrap_or(0.0) >= oldest)
                .map(|p| json!({
                    "type": "message", "ts": p.ts, "text": p.text, "bot_id": "B0BOT",
                    "metadata": { "event_type": "sko_reinforce_occurrence", "event_payload": { "key": p.key } }
                }))
                .collect();
            Json(json!({ "ok": true, "messages": messages, "has_more": false })).into_response()
        }
        "conversations.list" => {
            let channels: Vec<Value> = fake
                .state
                .lock()
                .unwrap()
                .channels
                .iter()
                .map(|(name, id)| json!({ "id": id, "name": name, "created": 1_700_000_000, "is_channel": true }))
                .collect();
            Json(json!({ "ok": true, "channels": channels, "response_metadata": { "next_cursor": "" } }))
                .into_response()
        }
        "users.info" => {
            let user = body["user"].as_str().unwrap_or_default();
            let tz = fake
                .state
                .lock()
                .unwrap()
                .timezones
                .get(user)
                .cloned()
                .unwrap_or_else(|| "America/New_York".into());
            Json(json!({ "ok": true, "user": { "id": user, "name": "someone", "tz": tz, "tz_offset": 0 } })).into_response()
        }
        "files.getUploadURLExternal" => {
            let mut state = fake.state.lock().unwrap();
            state.files_given += 1;
            let id = format!("F{:04}", state.files_given);
            let url = format!("{}/upload/{id}", fake.base_url);
            Json(json!({ "ok": true, "upload_url": url, "file_id": id })).into_response()
        }
        "files.completeUploadExternal" => {
            let mut state = fake.state.lock().unwrap();
            let channel = body["channel_id"].as_str().unwrap_or_default().to_string();
            let files = body["files"].as_array().cloned().unwrap_or_default();
            for f in &files {
                let id = f["id"].as_str().unwrap_or_default().to_string();
                if !state.uploads.contains_key(&id) {
                    return Json(json!({ "ok": false, "error": "file_not_found" })).into_response();
                }
                let title = f["title"].as_str().unwrap_or_default().to_string();
                state.shared_files.push((id, title, channel.clone()));
            }
            Json(json!({ "ok": true, "files": files })).into_response()
        }
        "users.lookupByEmail" => {
            let email = body["email"].as_str().unwrap_or_default().to_lowercase();
            let found = fake.state.lock().unwrap().emails.get(&email).cloned();
            match found {
                Some(id) => Json(json!({ "ok": true, "user": { "id": id, "name": "someone", "profile": { "email": email } } })).into_response(),
                None => Json(json!({ "ok": false, "error": "users_not_found" })).into_response(),
            }
        }
        "users.profile.get" => {
            let user = body["user"].as_str().unwrap_or_default();
            let (emoji, text, expiration) = fake
                .state
                .lock()
                .unwrap()
                .statuses
                .get(user)
                .cloned()
                .unwrap_or_default();
            Json(json!({ "ok": true, "profile": { "status_emoji": emoji, "status_text": text, "status_expiration": expiration } })).into_response()
        }
        _ => Json(json!({ "ok": false, "error": "unknown_method" })).into_response(),
    }
}

/// The seconds to wait when a call of a tiered `method` now would break its limit per
/// minute (and counts the refusal); `None` when it may go.
fn over_tier(state: &mut State_, method: &str) -> Option<u64> {
    if !state.enforce_tiers {
        return None;
    }
    let per_minute = tier_per_minute(method)?;
    let now = Instant::now();
    let window = Duration::from_secs(60);
    let recent = state.tier_calls.entry(method.to_string()).or_default();
    while recent
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        recent.pop_front();
    }
    if recent.len() >= per_minute {
        let frees_in = window - now.duration_since(recent[0]);
        *state.refused.entry(method.to_string()).or_default() += 1;
        return Some(frees_in.as_secs().max(1));
    }
    recent.push_back(now);
    None
}

/// True when a post to `channel` now would break the enforced limits (and counts it).
fn over_limit(state: &mut State_, channel: &str) -> bool {
    let Some(per_second) = state.limit_per_second else {
        return false;
    };
    let now = Instant::now();
    let window = Duration::from_millis(950);
    while state
        .recent_posts
        .front()
        .is_some_and(|t| now.duration_since(*t) >= window)
    {
        state.recent_posts.pop_front();
    }
    let busy_channel = state
        .last_post_in
        .get(channel)
        .is_some_and(|t| now.duration_since(*t) < window);
    if state.recent_posts.len() >= per_second || busy_channel {
        state.over_limit += 1;
        *state.refused.entry("chat.postMessage".into()).or_default() += 1;
        return true;
    }
    state.recent_posts.push_back(now);
    state.last_post_in.insert(channel.to_string(), now);
    false
}

async fn post_message(fake: &FakeSlack, body: &Value) -> Response {
    let fault = {
        let mut state = fake.state.lock().unwrap();
        if over_limit(&mut state, body["channel"].as_str().unwrap_or_default()) {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                Json(json!({ "ok": false, "error": "ratelimited" })),
            )
                .into_response();
        }
        let share = state.random_failures;
        match state.faults.pop_front() {
            Some(fault) => Some(fault),
            None => state.failures_drawn.as_mut().and_then(|rng| {
                (rng.f64() < share).then(|| match rng.u8(0..3) {
                    0 => Fault::RateLimited(1),
                    1 => Fault::ServerError,
                    _ => Fault::SlowAnswer(Duration::from_millis(1_500)),
                })
            }),
        }
    };
    match fault {
        Some(Fault::RateLimited(secs)) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", secs.to_string())],
                Json(json!({ "ok": false, "error": "ratelimited" })),
            )
                .into_response();
        }
        Some(Fault::ServerError) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "upstream trouble").into_response();
        }
        Some(Fault::Refused(code)) => {
            return Json(json!({ "ok": false, "error": code })).into_response();
        }
        _ => {}
    }
    let post = {
        let mut state = fake.state.lock().unwrap();
        // Real Slack timestamps: seconds now, and a sequence that keeps them unique.
        let ts = format!(
            "{}.{:06}",
            chrono::Utc::now().timestamp(),
            state.posts.len()
        );
        let post = Post {
            channel: body["channel"].as_str().unwrap_or_default().to_string(),
            text: body["text"].as_str().unwrap_or_default().to_string(),
            key: body["metadata"]["event_payload"]["key"]
                .as_str()
                .map(str::to_string),
            ts,
            blocks: body["blocks"].clone(),
        };
        state.posts.push(post.clone());
        state.post_times.push(Instant::now());
        post
    };
    if let Some(Fault::SlowAnswer(delay)) = fault {
        tokio::time::sleep(delay).await;
    }
    Json(json!({ "ok": true, "channel": post.channel, "ts": post.ts, "message": { "ts": post.ts, "text": post.text } })).into_response()
}

/// The bytes of a file, sent to the URL `files.getUploadURLExternal` gave.
async fn upload_bytes(
    State(fake): State<FakeSlack>,
    Path(id): Path<String>,
    body: Bytes,
) -> Json<Value> {
    fake.state.lock().unwrap().uploads.insert(id, body.to_vec());
    Json(json!({ "ok": true }))
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

/// Slack's authorize page: signs in whoever the test named and sends the browser back to
/// `redirect_uri` with a code for an id token carrying the request's nonce.
async fn authorize(
    State(fake): State<FakeSlack>,
    axum::extract::Query(q): axum::extract::Query<HashMap<String, String>>,
) -> Response {
    let user = fake.state.lock().unwrap().signs_in.clone();
    let (Some((user, now)), Some(redirect), Some(state), Some(nonce)) =
        (user, q.get("redirect_uri"), q.get("state"), q.get("nonce"))
    else {
        return (StatusCode::BAD_REQUEST, "nobody to sign in").into_response();
    };
    let token = super::fake_oidc::Token::for_user(&user, nonce, now);
    let code = fake.issue_code(&token);
    let mut to = url::Url::parse(redirect).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state);
    axum::response::Redirect::to(to.as_str()).into_response()
}
