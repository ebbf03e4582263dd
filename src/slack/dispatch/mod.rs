//! What to do with each thing Slack sends, whatever carried it (HTTP or Socket Mode): slash
//! commands here, answered within Slack's 3-second deadline; clicks and forms in
//! `interactions`; events, handled once, in `events`.

mod events;
mod interactions;

pub use events::EventOutcome;

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use slack_morphism::prelude::*;
use tokio_util::task::TaskTracker;

use super::gateway::SlackGateway;
use super::{home, modals};
use crate::clock::Clock;
use crate::commands::{self, APOLOGY, Context, Invocation, Reply, SlashCommand};
use crate::config::LiveProgram;
use crate::reload::Reloader;
use crate::store::Store;

/// Slack gives 3 s; the rest of the budget is for the answer's trip back.
const ANSWER_WITHIN: Duration = Duration::from_millis(2_000);

const STILL_WORKING: &str = "Working on it; I'll post the result here in a moment.";

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Store,
    pub program: LiveProgram,
    pub clock: Arc<dyn Clock>,
    pub gateway: Arc<SlackGateway>,
    /// Work that outlives a request (follow-ups, Home tabs); drained at shutdown.
    pub tasks: TaskTracker,
    pub reloader: Reloader,
    /// The web report's address, linked from the App Home when `[web]` is set.
    pub report_url: Option<String>,
}

/// How a slash command was answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandAnswer {
    /// An ephemeral reply to the person who typed it.
    Reply(Reply),
    /// A form was opened instead: nothing more to say.
    FormOpened,
}

impl CommandAnswer {
    /// Slack's acknowledgement of the command, for both transports; `None` is an empty 200
    /// (HTTP), which Socket Mode cannot send (its envelope carries a payload).
    pub fn response(&self) -> Option<SlackCommandEventResponse> {
        match self {
            CommandAnswer::Reply(reply) => Some(
                SlackCommandEventResponse::new(super::blocks::reply_content(reply))
                    .with_response_type(SlackMessageResponseType::Ephemeral),
            ),
            CommandAnswer::FormOpened => None,
        }
    }
}

impl Dispatcher {
    /// Answers a slash command. A slow answer is finished in the background and posted to
    /// the command's `response_url`, so Slack never sees a timeout.
    #[tracing::instrument(skip_all, fields(command = %cmd.command.0, user = %cmd.user_id))]
    pub async fn command(&self, cmd: SlackCommandEvent) -> CommandAnswer {
        let Some(command) = SlashCommand::parse(&cmd.command.0) else {
            return CommandAnswer::Reply(commands::unknown_command(&cmd.command.0));
        };
        let empty = cmd.text.as_deref().is_none_or(|t| t.trim().is_empty());
        if empty
            && self
                .open_form(command, &cmd.trigger_id.0, &cmd.user_id.0)
                .await
        {
            return CommandAnswer::FormOpened;
        }
        let inv = Invocation {
            command,
            user_id: cmd.user_id.0,
            text: cmd.text.unwrap_or_default(),
        };
        // Run here; only a command slower than the answer's deadline goes on in a task of its
        // own, answering through `response_url`.
        let this = self.clone();
        // A panic is caught and apologised for, as a task of its own would have had it.
        let mut work = Box::pin(
            std::panic::AssertUnwindSafe(async move { this.run_command(&inv).await })
                .catch_unwind(),
        );
        let finished = tokio::time::timeout(ANSWER_WITHIN, &mut work).await;
        CommandAnswer::Reply(match finished {
            Ok(result) => answer(result),
            Err(_) => {
                tracing::warn!("command is slow; answering through response_url");
                let gateway = self.gateway.clone();
                let response_url = cmd.response_url.0.to_string();
                self.tasks.spawn(async move {
                    let reply = answer(work.await);
                    if let Err(e) = gateway.respond(&response_url, &reply.text).await {
                        tracing::error!(error = %format_args!("{e:#}"), "could not post a slow command's answer");
                    }
                });
                Reply::new(STILL_WORKING)
            }
        })
    }

    /// `/commit` or `/practice` alone opens its form; false (so the help is shown instead)
    /// when there is no form or Slack would not open it in time.
    async fn open_form(&self, command: SlashCommand, trigger_id: &str, user: &str) -> bool {
        let program = self.program.load_full();
        let view = match command {
            SlashCommand::Commit => modals::commit_view(),
            SlashCommand::Practice if !program.skills.is_empty() => {
                modals::practice_view(&program, None, &program.open_deals_of(user))
            }
            SlashCommand::Coach => modals::coach_view(&program, None, None),
            SlashCommand::Practice | SlashCommand::Sko => return false,
        };
        match tokio::time::timeout(ANSWER_WITHIN, self.gateway.open_view(trigger_id, view)).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                tracing::warn!(error = %format_args!("{e:#}"), "could not open a form; showing the help instead");
                false
            }
            Err(_) => {
                tracing::warn!("Slack was slow to open a form; showing the help instead");
                false
            }
        }
    }

    /// Runs a typed command as `inv.user_id`.
    async fn run_command(&self, inv: &Invocation) -> anyhow::Result<Reply> {
        let program = self.program.load_full();
        let ctx = Context {
            store: &self.store,
            program: &program,
            reloader: &self.reloader,
        };
        commands::run(&ctx, self.clock.now(), inv).await
    }

    /// Builds and publishes `user`'s Home tab in the background.
    fn publish_home(&self, user: String) {
        let this = self.clone();
        self.tasks.spawn(async move {
            let program = this.program.load_full();
            let view = commands::home::view(&this.store, &program, &user, this.clock.now()).await;
            let published = match view {
                Ok(view) => this
                    .gateway
                    .publish_home(&user, home::draw(&view, this.report_url.as_deref())).await,
                Err(e) => Err(e),
            };
            if let Err(e) = published {
                tracing::error!(error = %format_args!("{e:#}"), %user, "could not publish the Home tab");
            }
        });
    }
}

fn answer(result: std::thread::Result<anyhow::Result<Reply>>) -> Reply {
    match result {
        Ok(Ok(reply)) => reply,
        Ok(Err(e)) => {
            tracing::error!(error = %format_args!("{e:#}"), "command failed");
            Reply::new(APOLOGY)
        }
        Err(_) => {
            tracing::error!("command handler panicked");
            Reply::new(APOLOGY)
        }
    }
}
