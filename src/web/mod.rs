//! The report on the web, behind Sign in with Slack. Who someone is comes from Slack's id
//! token; what they may see comes from the roster: an admin the program, a manager their
//! team, a rep themselves. Sessions live in our database (ids hashed), cookies are
//! `HttpOnly`, `SameSite=Lax` and `Secure` over https; every answer carries a strict content
//! security policy and no GET changes anything but a sign-in's own records.

mod oidc;
mod pages;

use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use openidconnect::{CsrfToken, Nonce};
use secrecy::SecretString;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use tokio::sync::OnceCell;

use crate::clock::Clock;
use crate::config::{LiveProgram, WebConfig};
use crate::domain::compose::Involved;
use crate::domain::program::Person;
use crate::slack::gateway::SlackGateway;
use crate::store::{Lifetime, PendingLogin, RecordStore, Store};
use oidc::Refused;
pub use oidc::{SlackClaims, SlackIdToken};
use pages::{MessagePage, Scope};

const SESSION: &str = "sko_session";
const LOGIN: &str = "sko_login";
/// A login must come back from Slack within this.
const LOGIN_WITHIN: Duration = Duration::minutes(15);
pub const LIFETIME: Lifetime = Lifetime {
    idle: Duration::hours(12),
    absolute: Duration::days(7),
};

#[derive(Clone)]
pub struct WebState {
    store: Store,
    program: LiveProgram,
    clock: Arc<dyn Clock>,
    gateway: Arc<SlackGateway>,
    sign_in: Arc<oidc::SlackSignIn>,
    web: Arc<WebConfig>,
    /// The installed workspace, from `auth.test` once it has answered.
    team: Arc<OnceCell<String>>,
    /// Each admin's program page and CSV, as last read.
    program_pages: Arc<std::sync::Mutex<HashMap<String, Arc<Rendered>>>>,
}

impl WebState {
    pub fn new(
        web: WebConfig,
        api_base: &str,
        client_secret: SecretString,
        store: Store,
        program: LiveProgram,
        clock: Arc<dyn Clock>,
        gateway: Arc<SlackGateway>,
    ) -> anyhow::Result<Self> {
        let sign_in = oidc::SlackSignIn::new(&web, api_base, client_secret, clock.clone())?;
        Ok(Self {
            store,
            program,
            clock,
            gateway,
            sign_in: Arc::new(sign_in),
            web: Arc::new(web),
            team: Arc::new(OnceCell::new()),
            program_pages: Arc::default(),
        })
    }
}

pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/report", get(report))
        .route("/report.csv", get(report_csv))
        .route("/report/people/{slack_id}", get(person))
        .route("/report/style.css", get(style))
        .route("/auth/slack/callback", get(callback))
        .route("/auth/logout", post(logout))
        .route("/auth/signed-out", get(signed_out))
        .layer(axum::middleware::from_fn_with_state(
            state.web.https(),
            security_headers,
        ))
        .with_state(state)
}

/// No framing, no scripts, nothing from elsewhere, nothing cached, no referrer (a callback's
/// URL carries its code); HSTS over https.
async fn security_headers(
    State(https): State<bool>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let set = |h: &mut HeaderMap, name: &'static str, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(
        h,
        "content-security-policy",
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "no-referrer");
    set(h, "x-frame-options", "DENY");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    if https {
        set(h, "strict-transport-security", "max-age=31536000");
    }
    response
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

impl WebState {
    fn set_cookie(&self, name: &str, value: &str, path: &str, max_age: i64) -> HeaderValue {
        let secure = if self.web.https() { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
        ))
        .expect("cookie values are url-safe base64")
    }

    /// The signed-in person, as the roster knows them now.
    async fn viewer(&self, headers: &HeaderMap) -> Result<Option<Person>, Response> {
        let Some(id) = cookie(headers, SESSION) else {
            return Ok(None);
        };
        let slack_id = self
            .store
            .session(&hash(&id), self.clock.now(), LIFETIME)
            .await
            .map_err(|e| unavailable(&e))?;
        let Some(slack_id) = slack_id else {
            return Ok(None);
        };
        match self.program.load().person(&slack_id) {
            Some(p) => Ok(Some(p.clone())),
            None => Err(not_in_roster()),
        }
    }

    /// Starts a login: a random state, nonce and browser binding, kept until the callback;
    /// the browser is sent to Slack.
    async fn start_login(&self) -> Response {
        let state = CsrfToken::new_random();
        let nonce = Nonce::new_random();
        let browser = CsrfToken::new_random();
        let login = PendingLogin {
            nonce: nonce.secret().clone(),
            browser_hash: hash(browser.secret()),
            created_at: self.clock.now(),
        };
        if let Err(e) = self.store.begin_login(&hash(state.secret()), &login).await {
            return unavailable(&e);
        }
        let to = self.sign_in.authorize_url(state.secret(), nonce.secret());
        let mut response = Redirect::to(&to).into_response();
        response.headers_mut().insert(
            header::SET_COOKIE,
            self.set_cookie(LOGIN, browser.secret(), "/auth", LOGIN_WITHIN.num_seconds()),
        );
        response
    }

    async fn team_id(&self) -> Result<String, Refused> {
        self.team
            .get_or_try_init(|| self.gateway.team_id())
            .await
            .cloned()
            .map_err(Refused::Unreachable)
    }
}

fn page(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a report page could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

fn message(status: StatusCode, title: &str, text: &str, sign_in_again: bool) -> Response {
    page(
        status,
        &MessagePage {
            title: title.into(),
            text: text.into(),
            sign_in_again,
        },
    )
}

fn unavailable(e: &anyhow::Error) -> Response {
    tracing::error!(error = %format_args!("{e:#}"), "the report could not read the database");
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Not available just now",
        "The report could not be read just now; try again in a minute.",
        false,
    )
}

fn not_in_roster() -> Response {
    message(
        StatusCode::FORBIDDEN,
        "Not in this program",
        "You signed in with Slack, but you are not in this program's roster. Ask your enablement admin to add you.",
        false,
    )
}

async fn report(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let viewer = match state.viewer(&headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return state.start_login().await,
        Err(refusal) => return refusal,
    };
    if let Scope::Rep(id) = Scope::of(&viewer) {
        return Redirect::to(&format!("/report/people/{id}")).into_response();
    }
    match state.rendered(&viewer).await {
        Ok(r) => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            r.page.clone(),
        )
            .into_response(),
        Err(refusal) => refusal,
    }
}

async fn report_csv(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let viewer = match state.viewer(&headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(refusal) => return refusal,
    };
    match state.rendered(&viewer).await {
        Ok(r) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"sko-report.csv\"",
                ),
            ],
            r.csv.clone(),
        )
            .into_response(),
        Err(refusal) => refusal,
    }
}

/// A scope's page and CSV, made from one read of its records.
struct Rendered {
    at: DateTime<Utc>,
    page: String,
    csv: String,
}

/// How long the program's page and CSV are kept: reading a whole program's records takes
/// seconds at 10,000 reps, and its figures move by the week. The page says when it was read.
const PROGRAM_FRESH_FOR: Duration = Duration::minutes(5);

impl WebState {
    /// The viewer's page and CSV: the same scoped records for both. An admin's (the whole
    /// program) is kept for [`PROGRAM_FRESH_FOR`]; a team's and a rep's are read each time.
    async fn rendered(&self, viewer: &Person) -> Result<Arc<Rendered>, Response> {
        let scope = Scope::of(viewer);
        let now = self.clock.now();
        let kept = scope == Scope::Program;
        if kept {
            let cache = self.program_pages.lock().expect("never poisoned");
            if let Some(r) = cache
                .get(&viewer.slack_id)
                .filter(|r| now - r.at < PROGRAM_FRESH_FOR && now >= r.at)
            {
                return Ok(r.clone());
            }
        }
        let program = self.program.load_full();
        let ids = scope
            .reps(&program)
            .iter()
            .map(|p| p.slack_id.clone())
            .collect();
        let activity = self
            .store
            .activity_of(&Involved::all_of(ids), program.settings.kickoff_instant())
            .await
            .map_err(|e| unavailable(&e))?;
        let page = pages::report(&program, &activity, scope, viewer, now);
        let rendered = Arc::new(Rendered {
            at: now,
            csv: pages::csv(&page.reps).map_err(|e| unavailable(&e))?,
            page: page.render().map_err(|e| unavailable(&e.into()))?,
        });
        if kept {
            self.program_pages
                .lock()
                .expect("never poisoned")
                .insert(viewer.slack_id.clone(), rendered.clone());
        }
        Ok(rendered)
    }
}

async fn person(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(slack_id): Path<String>,
) -> Response {
    let viewer = match state.viewer(&headers).await {
        Ok(Some(viewer)) => viewer,
        Ok(None) => return state.start_login().await,
        Err(refusal) => return refusal,
    };
    let program = state.program.load_full();
    if !Scope::of(&viewer).covers(&program, &slack_id) {
        return message(
            StatusCode::FORBIDDEN,
            "Not yours to see",
            "This page is for the person, their manager and the program's admins.",
            false,
        );
    }
    let Some(rep) = program.person(&slack_id) else {
        return message(StatusCode::NOT_FOUND, "Nobody by that id", "", false);
    };
    match state
        .store
        .activity_of(
            &Involved::all_of(vec![slack_id.clone()]),
            program.settings.kickoff_instant() - Duration::days(30),
        )
        .await
    {
        Ok(activity) => page(
            StatusCode::OK,
            &pages::person(&program, &activity, rep, &viewer),
        ),
        Err(e) => unavailable(&e),
    }
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../templates/style.css"),
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Slack sends the browser back here. Every refusal is a 4xx page saying why; only a
/// verified id token of someone on the roster starts a session, under a new id.
async fn callback(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    let refuse = |status: StatusCode, why: &Refused| {
        tracing::info!(reason = %why, "a sign-in was refused");
        message(
            status,
            "Not signed in",
            &format!("Not signed in: {why}."),
            true,
        )
    };
    let Some(sent_state) = query.state.as_deref() else {
        return refuse(StatusCode::BAD_REQUEST, &Refused::UnknownState);
    };
    let login = match state.store.take_login(&hash(sent_state)).await {
        Ok(login) => login,
        Err(e) => return unavailable(&e),
    };
    let browser = cookie(&headers, LOGIN).map(|b| hash(&b));
    let Some(login) = login.filter(|l| {
        Some(&l.browser_hash) == browser.as_ref()
            && state.clock.now() - l.created_at <= LOGIN_WITHIN
    }) else {
        return refuse(StatusCode::BAD_REQUEST, &Refused::UnknownState);
    };
    let code = match (query.code.as_deref(), query.error) {
        (Some(code), None) => code.to_string(),
        (_, error) => {
            let why = Refused::NotSignedIn(error.unwrap_or_else(|| "no code".into()));
            return refuse(StatusCode::BAD_REQUEST, &why);
        }
    };
    let slack_id = match state.team_id().await {
        Ok(team) => state.sign_in.identify(&code, &login.nonce, &team).await,
        Err(why) => Err(why),
    };
    let slack_id = match slack_id {
        Ok(slack_id) => slack_id,
        Err(why @ Refused::OtherWorkspace) => return refuse(StatusCode::FORBIDDEN, &why),
        Err(why @ Refused::Unreachable(_)) => {
            return refuse(StatusCode::FAILED_DEPENDENCY, &why);
        }
        Err(why) => return refuse(StatusCode::BAD_REQUEST, &why),
    };
    if state.program.load().person(&slack_id).is_none() {
        return not_in_roster();
    }
    // A new session id at every sign-in; whatever session this browser had is ended.
    if let Some(old) = cookie(&headers, SESSION) {
        let _ = state.store.end_session(&hash(&old)).await;
    }
    let id = CsrfToken::new_random_len(32);
    if let Err(e) = state
        .store
        .start_session(&hash(id.secret()), &slack_id, state.clock.now(), LIFETIME)
        .await
    {
        return unavailable(&e);
    }
    tracing::info!(user = %slack_id, "signed in to the report");
    let mut response = Redirect::to("/report").into_response();
    let h = response.headers_mut();
    h.append(
        header::SET_COOKIE,
        state.set_cookie(SESSION, id.secret(), "/", LIFETIME.absolute.num_seconds()),
    );
    h.append(header::SET_COOKIE, state.set_cookie(LOGIN, "", "/auth", 0));
    response
}

async fn logout(State(state): State<WebState>, headers: HeaderMap) -> Response {
    if let Some(id) = cookie(&headers, SESSION)
        && let Err(e) = state.store.end_session(&hash(&id)).await
    {
        return unavailable(&e);
    }
    let mut response = Redirect::to("/auth/signed-out").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, state.set_cookie(SESSION, "", "/", 0));
    response
}

async fn signed_out() -> Response {
    message(
        StatusCode::OK,
        "Signed out",
        "You are signed out of the report.",
        true,
    )
}
