//! Building and running the bot: one way, used by `main` and by the tests, which start it on
//! port 0 with a temporary database and a fake Slack and stop it through `shutdown`.

use crate::store::RosterStore;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use arc_swap::ArcSwap;
use secrecy::ExposeSecret;
use slack_morphism::prelude::{SlackApiToken, SlackApiTokenValue, SlackSigningSecret};
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::Clock;
use crate::config::{Config, LiveProgram, Secrets, SlackMode};
use crate::domain::program::{Audience, Channel, Program};
use crate::metrics::Metrics;
use crate::reload::Reloader;
use crate::scheduler::Scheduler;
use crate::scheduler::sender::SendError;
use crate::slack::dispatch::Dispatcher;
use crate::slack::gateway::SlackGateway;
use crate::slack::http;
use crate::slack::verify::SignatureCheck;
use crate::store::Store;

/// Looks up every channel a trigger names as `#name`, so that a name Slack does not know stops
/// the start with the trigger to fix, rather than failing at its first send. Slack being
/// unreachable now is not fatal: the name is looked up again when the message is sent.
async fn resolve_channel_names(
    scheduler: &Scheduler<Arc<SlackGateway>>,
    program: &Program,
) -> anyhow::Result<()> {
    for (i, trigger) in program.triggers.iter().enumerate() {
        let Audience::Channel(Channel::Name(name)) = &trigger.audience else {
            continue;
        };
        match scheduler.channel_named(name).await {
            Ok(id) => {
                tracing::info!(channel = %name, %id, trigger = %trigger.name, "channel found")
            }
            Err(SendError::Permanent(why)) => {
                bail!("triggers[{i}].audience (trigger `{}`): {why}", trigger.name)
            }
            Err(e) => {
                tracing::warn!(channel = %name, error = %e, "could not look up a channel yet; trying again when it is first posted to")
            }
        }
    }
    if let Some(Channel::Name(name)) = &program.wins.channel {
        match scheduler.channel_named(name).await {
            Ok(id) => tracing::info!(channel = %name, %id, "wins channel found"),
            Err(SendError::Permanent(why)) => bail!("wins.channel: {why}"),
            Err(e) => {
                tracing::warn!(channel = %name, error = %e, "could not look up the wins channel yet; trying again when a win is shared")
            }
        }
    }
    Ok(())
}

/// How long in-flight work may take to finish after a stop is asked for.
const DRAIN_WITHIN: Duration = Duration::from_secs(10);

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    dispatcher: Dispatcher,
    scheduler: Option<Arc<Scheduler<Arc<SlackGateway>>>>,
    /// Set in Socket Mode: Slack's events arrive over the WebSocket it opens.
    app_token: Option<SlackApiToken>,
}

impl Application {
    /// Opens the database (migrating it), syncs the roster and binds `server.listen`.
    pub async fn build(
        config: Config,
        secrets: Secrets,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Application> {
        let app_token = match (config.slack.mode, &secrets.app_token) {
            (SlackMode::Socket, Some(token)) => Some(SlackApiToken::new(SlackApiTokenValue::new(
                token.expose_secret().to_string(),
            ))),
            (SlackMode::Socket, None) => bail!(
                "slack.mode = \"socket\" needs SLACK_APP_TOKEN: create an app-level token (xapp-…) with connections:write under Basic Information → App-Level Tokens and export it"
            ),
            (SlackMode::Http, _) => None,
        };
        // Socket Mode needs no public endpoint, so no signing secret; HTTP mode cannot do without.
        let signature = match (&secrets.signing_secret, config.slack.mode) {
            (Some(secret), _) => Some(SignatureCheck {
                verifier: SlackEventSignatureVerifier::new(&SlackSigningSecret::new(
                    secret.expose_secret().to_string(),
                )),
                max_body_bytes: config.server.max_body_bytes,
            }),
            (None, SlackMode::Socket) => None,
            (None, SlackMode::Http) => bail!(
                "SLACK_SIGNING_SECRET is not set: copy it from your Slack app's Basic Information → App Credentials and export it"
            ),
        };
        if secrets.bot_token.is_none() {
            tracing::warn!(
                "SLACK_BOT_TOKEN is not set: slash commands are answered, but the bot cannot post or publish the Home tab; export the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth & Permissions page"
            );
        }
        let store = Store::open(&config.database.url).await?;
        // `roster.csv` people Slack found by email before; the rest are looked up as it runs.
        let found = store.found_by_email().await?;
        let in_force = Arc::new(config.program.with_slack_ids(&found));
        store.sync_roster(&in_force.people, clock.now()).await?;
        let gateway = Arc::new(SlackGateway::new(
            config.slack.api_base(),
            secrets.bot_token.as_ref(),
        )?);
        // Without a bot token nothing could be posted, and every message would be parked.
        let program: LiveProgram = Arc::new(ArcSwap::new(in_force));
        let metrics = Arc::new(Metrics::default());
        let scheduler = secrets.bot_token.is_some().then(|| {
            Arc::new(Scheduler::new(
                store.clone(),
                program.clone(),
                clock.clone(),
                gateway.clone(),
                config.sender.clone(),
                metrics.clone(),
            ))
        });
        if let Some(scheduler) = &scheduler {
            resolve_channel_names(scheduler, &config.program).await?;
        }
        let reloader = Reloader {
            program: program.clone(),
            store: store.clone(),
            clock: clock.clone(),
            path: config.source.clone(),
        };
        let dispatcher = Dispatcher {
            store,
            program,
            clock,
            gateway,
            tasks: TaskTracker::new(),
            reloader,
            report_url: config.web.as_ref().map(|w| w.url("/report")),
        };
        let mut router = http::router(dispatcher.clone(), signature, metrics);
        if let Some(web) = &config.web {
            let secret = secrets.client_secret.clone().context(
                "[web] is set but SLACK_CLIENT_SECRET is not: copy the Client Secret from your Slack app's Basic Information → App Credentials and export it",
            )?;
            let state = crate::web::WebState::new(
                web.clone(),
                config.slack.api_base(),
                secret,
                dispatcher.store.clone(),
                dispatcher.program.clone(),
                dispatcher.clock.clone(),
                dispatcher.gateway.clone(),
            )?;
            router = router.merge(crate::web::router(state));
        }
        let listener = TcpListener::bind(&config.server.listen)
            .await
            .with_context(|| {
                format!("cannot listen on {} (server.listen)", config.server.listen)
            })?;
        Ok(Application {
            listener,
            router,
            dispatcher,
            scheduler,
            app_token,
        })
    }

    /// A handle that puts a new program in force while the app runs.
    pub fn reloader(&self) -> Reloader {
        self.dispatcher.reloader.clone()
    }

    /// The scheduler, for running a tick by hand (tests); `None` without a bot token.
    pub fn scheduler(&self) -> Option<Arc<Scheduler<Arc<SlackGateway>>>> {
        self.scheduler.clone()
    }

    /// The routes Slack's requests reach, for driving them without a socket (the fuzz tests).
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until `shutdown` resolves, then lets in-flight work finish and closes the store.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let addr = self.listener.local_addr()?;
        let stop = CancellationToken::new();
        let scheduling = self.scheduler.clone().map(|s| {
            let stop = stop.clone();
            tokio::spawn(async move { s.run(stop).await })
        });
        let socket = self.app_token.clone().map(|token| {
            let (dispatcher, stop) = (self.dispatcher.clone(), stop.clone());
            let gateway = self.dispatcher.gateway.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::slack::socket::run(dispatcher, gateway, token, stop).await {
                    tracing::error!(error = %format_args!("{e:#}"), "Socket Mode stopped");
                }
            })
        });
        tracing::info!(%addr, scheduler = scheduling.is_some(), socket_mode = socket.is_some(), "listening for Slack on /slack/commands, /slack/events, /slack/interactivity");
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the HTTP server failed");
        stop.cancel();
        if let Some(handle) = socket {
            let _ = tokio::time::timeout(DRAIN_WITHIN, handle).await;
        }
        if let Some(handle) = scheduling
            && tokio::time::timeout(DRAIN_WITHIN, handle).await.is_err()
        {
            tracing::warn!(
                "the scheduler did not stop in time; its unsent messages stay in the outbox"
            );
        }
        served?;
        let tasks = &self.dispatcher.tasks;
        tasks.close();
        if tokio::time::timeout(DRAIN_WITHIN, tasks.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                left = tasks.len(),
                "stopped before all background work finished"
            );
        }
        self.dispatcher.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}
