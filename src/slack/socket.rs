//! Socket Mode: Slack connects out over a WebSocket, so no public URL is needed. Everything
//! it carries goes to the same [`Dispatcher`] as HTTP mode: the same handlers, the same dedupe.
//!
//! slack-morphism acknowledges an envelope only when our callback returns, so callbacks stay
//! quick: a command answers within the dispatcher's deadline, events are recorded and their
//! work spawned.

use std::sync::Arc;

use slack_morphism::prelude::*;
use tokio_util::sync::CancellationToken;

use super::dispatch::Dispatcher;
use super::gateway::SlackGateway;

/// Listens until `stop` is cancelled.
pub async fn run(
    dispatcher: Dispatcher,
    gateway: Arc<SlackGateway>,
    app_token: SlackApiToken,
    stop: CancellationToken,
) -> anyhow::Result<()> {
    let environment = Arc::new(
        SlackClientEventsListenerEnvironment::new(gateway.client())
            .with_error_handler(on_error)
            .with_user_state(dispatcher),
    );
    let callbacks = SlackSocketModeListenerCallbacks::new()
        .with_command_events(on_command)
        .with_interaction_events(on_interaction)
        .with_push_events(on_push);
    let listener = SlackClientSocketModeListener::new(
        &SlackClientSocketModeConfig::new(),
        environment,
        callbacks,
    );
    listener
        .listen_for(&app_token)
        .await
        .map_err(|e| anyhow::anyhow!("Socket Mode could not connect: {e}"))?;
    listener.start().await;
    // Connecting goes on in the background: each failure is logged, then tried again.
    tracing::info!("Socket Mode started: connecting to Slack");
    stop.cancelled().await;
    listener.shutdown().await;
    Ok(())
}

async fn dispatcher(
    state: &SlackClientEventsUserState,
) -> Result<Dispatcher, Box<dyn std::error::Error + Send + Sync>> {
    state
        .read()
        .await
        .get_user_state::<Dispatcher>()
        .cloned()
        .ok_or_else(|| "the dispatcher is missing from the listener's state".into())
}

async fn on_command(
    event: SlackCommandEvent,
    _: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackCommandEventResponse> {
    let answer = dispatcher(&state).await?.command(event).await;
    // Socket Mode's ack carries a payload: where HTTP acks a form with nothing, say so.
    Ok(answer.response().unwrap_or_else(|| {
        SlackCommandEventResponse::new(
            SlackMessageContent::new().with_text("The form is open.".into()),
        )
        .with_response_type(SlackMessageResponseType::Ephemeral)
    }))
}

async fn on_push(
    event: SlackPushEventCallback,
    _: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<()> {
    dispatcher(&state)
        .await?
        .event(event)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(())
}

async fn on_interaction(
    event: SlackInteractionEvent,
    _: Arc<SlackHyperClient>,
    state: SlackClientEventsUserState,
) -> UserCallbackResult<SlackInteractionResponse> {
    Ok(dispatcher(&state).await?.interaction(event).await)
}

fn on_error(
    error: Box<dyn std::error::Error + Send + Sync>,
    _: Arc<SlackHyperClient>,
    _: SlackClientEventsUserState,
) -> HttpStatusCode {
    tracing::error!(%error, "Socket Mode error");
    HttpStatusCode::OK
}
