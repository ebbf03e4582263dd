//! HTTP mode: Slack's request URLs and the health check. Every `/slack/*` body is verified
//! before it is parsed; malformed input gets a 4xx that says what was wrong.

use axum::Router;
use axum::extract::{FromRef, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use slack_morphism::prelude::*;

use std::sync::Arc;

use super::dispatch::{Dispatcher, EventOutcome};
use super::verify::{SignatureCheck, SignedBody};
use crate::metrics::{Metrics, track};
use crate::store::LeaseStore;

#[derive(Clone)]
pub struct HttpState {
    pub dispatcher: Dispatcher,
    pub signature: SignatureCheck,
}

impl FromRef<HttpState> for SignatureCheck {
    fn from_ref(state: &HttpState) -> Self {
        state.signature.clone()
    }
}

/// Slack's request URLs (when a signing secret can verify them), the health check and the
/// metrics, every request counted and timed.
pub fn router(
    dispatcher: Dispatcher,
    signature: Option<SignatureCheck>,
    metrics: Arc<Metrics>,
) -> Router {
    let ops = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics_text))
        .with_state(OpsState {
            dispatcher: dispatcher.clone(),
            metrics: metrics.clone(),
        });
    let routes = match signature {
        None => ops,
        Some(signature) => Router::new()
            .route("/slack/commands", post(commands))
            .route("/slack/events", post(events))
            .route("/slack/interactivity", post(interactivity))
            .with_state(HttpState {
                dispatcher,
                signature,
            })
            .merge(ops),
    };
    routes.layer(axum::middleware::from_fn_with_state(metrics, track))
}

#[derive(Clone)]
struct OpsState {
    dispatcher: Dispatcher,
    metrics: Arc<Metrics>,
}

async fn metrics_text(State(ops): State<OpsState>) -> Response {
    let store = &ops.dispatcher.store;
    match tokio::try_join!(store.outbox_counts(), store.lease()) {
        Ok((outbox, lease)) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4",
            )],
            ops.metrics.render(&outbox, lease.as_ref()),
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %format_args!("{e:#}"), "metrics: the database did not answer");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}

fn bad_request(why: String) -> Response {
    (StatusCode::BAD_REQUEST, why).into_response()
}

async fn commands(State(state): State<HttpState>, signed: SignedBody) -> Response {
    let command: SlackCommandEvent = match serde_urlencoded::from_bytes(&signed.body) {
        Ok(c) => c,
        // Slack checks the certificate now and then with `ssl_check=1` and no command.
        Err(_) if form_field(&signed.body, "ssl_check").as_deref() == Some("1") => {
            return StatusCode::OK.into_response();
        }
        Err(e) => return bad_request(format!("not a slash command payload: {e}")),
    };
    match state.dispatcher.command(command).await.response() {
        Some(response) => Json(response).into_response(),
        // A plain ack: a form opened instead of a message.
        None => StatusCode::OK.into_response(),
    }
}

async fn events(State(state): State<HttpState>, signed: SignedBody) -> Response {
    let event: SlackPushEvent = match serde_json::from_slice(&signed.body) {
        Ok(e) => e,
        Err(e) => return bad_request(format!("not a Slack event payload: {e}")),
    };
    match event {
        SlackPushEvent::UrlVerification(v) => v.challenge.into_response(),
        SlackPushEvent::AppRateLimited(_) => {
            tracing::warn!("Slack reports this app is rate limited for events");
            StatusCode::OK.into_response()
        }
        SlackPushEvent::EventCallback(callback) => match state.dispatcher.event(callback).await {
            Ok(EventOutcome::Handled | EventOutcome::Duplicate) => StatusCode::OK.into_response(),
            Err(e) => {
                // Not recorded, so Slack's retry will be processed: say so with a 503.
                tracing::error!(error = %format_args!("{e:#}"), "could not record an event");
                StatusCode::SERVICE_UNAVAILABLE.into_response()
            }
        },
    }
}

async fn interactivity(State(state): State<HttpState>, signed: SignedBody) -> Response {
    let Some(payload) = form_field(&signed.body, "payload") else {
        return bad_request("an interaction needs a `payload` form field".into());
    };
    match serde_json::from_str::<SlackInteractionEvent>(&payload) {
        Ok(event) => match state.dispatcher.interaction(event).await {
            SlackInteractionResponse::Empty => StatusCode::OK.into_response(),
            SlackInteractionResponse::ViewSubmission(answer) => Json(answer).into_response(),
            SlackInteractionResponse::BlockSuggestion(answer) => Json(answer).into_response(),
        },
        Err(e) => bad_request(format!("not a Slack interaction payload: {e}")),
    }
}

async fn healthz(State(ops): State<OpsState>) -> StatusCode {
    if ops.dispatcher.store.is_healthy().await {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}
