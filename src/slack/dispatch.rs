//! What to do with each thing Slack sends, whatever carried it (HTTP or Socket Mode):
//! commands are answered within Slack's 3-second deadline, events are handled once.

use std::sync::Arc;
use std::time::Duration;

use slack_morphism::prelude::*;
use tokio_util::task::TaskTracker;

use super::gateway::SlackGateway;
use super::{home, modals};
use crate::clock::Clock;
use crate::commands::clicks::{self, Click};
use crate::commands::{self, APOLOGY, Context, Invocation, Notice, Reply};
use crate::config::LiveProgram;
use crate::domain::forms;
use crate::domain::message::{Action, Message};
use crate::reload::Reloader;
use crate::scheduler::sender::Messenger;
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
}

#[derive(Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Handled,
    /// A retry of an event already handled: acknowledged, not redone.
    Duplicate,
}

impl Dispatcher {
    /// Answers a slash command. A slow answer is finished in the background and posted to
    /// the command's `response_url`, so Slack never sees a timeout.
    #[tracing::instrument(skip_all, fields(command = %cmd.command.0, user = %cmd.user_id))]
    pub async fn command(&self, cmd: SlackCommandEvent) -> Reply {
        let empty = cmd.text.as_deref().is_none_or(|t| t.trim().is_empty());
        if empty && let Some(opened) = self.open_form(&cmd.command.0, &cmd.trigger_id.0).await {
            return opened;
        }
        let inv = Invocation {
            command: cmd.command.0,
            user_id: cmd.user_id.0,
            text: cmd.text.unwrap_or_default(),
        };
        let this = self.clone();
        let mut work = self
            .tasks
            .spawn(async move { this.run_command(&inv).await });
        let finished = tokio::time::timeout(ANSWER_WITHIN, &mut work).await;
        match finished {
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
        }
    }

    /// `/commit` or `/practice` alone opens its form; `None` (so the help is shown instead)
    /// when there is no form or Slack would not open it in time.
    async fn open_form(&self, command: &str, trigger_id: &str) -> Option<Reply> {
        let program = self.program.load_full();
        let view = match command {
            "/commit" => modals::commit_view(),
            "/practice" if !program.skills.is_empty() => modals::practice_view(&program, None),
            _ => return None,
        };
        match tokio::time::timeout(ANSWER_WITHIN, self.gateway.open_view(trigger_id, view)).await {
            // The form is the answer: acknowledge with nothing to show.
            Ok(Ok(())) => Some(Reply::new("")),
            Ok(Err(e)) => {
                tracing::warn!(error = %format_args!("{e:#}"), "could not open a form; showing the help instead");
                None
            }
            Err(_) => {
                tracing::warn!("Slack was slow to open a form; showing the help instead");
                None
            }
        }
    }

    /// A submitted form: checked field by field (problems shown beside their fields), then
    /// recorded exactly as the typed command would be, and confirmed in a DM.
    async fn submission(
        &self,
        event: &SlackInteractionViewSubmissionEvent,
    ) -> SlackInteractionResponse {
        let SlackView::Modal(modal) = &event.view.view else {
            return SlackInteractionResponse::Empty;
        };
        let callback = modal
            .callback_id
            .as_ref()
            .map(|c| c.0.as_str())
            .unwrap_or_default();
        let user = event.user.id.0.as_str();
        let program = self.program.load_full();
        let now = self.clock.now();
        let caller = commands::caller(&program, user, now);
        let recorded = match callback {
            modals::COMMIT_FORM => {
                match forms::commit_draft(&modals::commit_form(&event.view), caller.today()) {
                    Err(fields) => return modals::errors(fields),
                    Ok(draft) => {
                        commands::commit::record(&self.store, &program, &caller, draft).await
                    }
                }
            }
            modals::PRACTICE_FORM => match forms::practice_draft(
                &modals::practice_form(&event.view, &program),
                &program.skills,
                user,
            ) {
                Err(fields) => return modals::errors(fields),
                Ok(draft) => commands::practice::log(&self.store, &program, &caller, draft).await,
            },
            other => {
                tracing::info!(callback = other, "a form this version does not know");
                return SlackInteractionResponse::Empty;
            }
        };
        let text = match recorded {
            Ok(reply) => reply.text,
            Err(e) => {
                tracing::error!(error = %format_args!("{e:#}"), "could not record a form");
                APOLOGY.to_string()
            }
        };
        self.send_notices(
            vec![Notice {
                to: user.to_string(),
                text,
            }],
            now,
        );
        SlackInteractionResponse::Empty
    }

    /// Runs a command as `inv.user_id`; its notices go out once the answer is known.
    async fn run_command(&self, inv: &Invocation) -> anyhow::Result<Reply> {
        let now = self.clock.now();
        let program = self.program.load_full();
        let ctx = Context {
            store: &self.store,
            program: &program,
            reloader: &self.reloader,
        };
        let reply = commands::run(&ctx, now, inv).await;
        if let Ok(reply) = &reply
            && !reply.notices.is_empty()
        {
            self.send_notices(reply.notices.clone(), now);
        }
        reply
    }

    /// App Home buttons are shortcuts for commands, run as the person who clicked: the same
    /// checks apply (a commitment number names only the clicker's own), then the tab is
    /// published again to show the result.
    async fn home_click(&self, user: &str, action: Action, value: &str) {
        let text = match action {
            Action::CommitmentDone => ("/commit", format!("done {value}")),
            Action::PauseWeek => ("/sko", "pause for 1 week".to_string()),
            Action::Resume => ("/sko", "resume".to_string()),
            _ => return,
        };
        let inv = Invocation {
            command: text.0.to_string(),
            user_id: user.to_string(),
            text: text.1,
        };
        match self.run_command(&inv).await {
            Ok(reply) => {
                tracing::info!(%user, action = action.id(), reply = %reply.text, "App Home click")
            }
            Err(e) => {
                tracing::error!(error = %format_args!("{e:#}"), "could not handle an App Home click")
            }
        }
        self.publish_home(user.to_string());
    }

    /// *Done #n* under a prompt: closes the clicker's own commitment #n, like `/commit done n`.
    async fn done_from_message(&self, user: &str, seq: &str) -> anyhow::Result<Click> {
        let inv = Invocation {
            command: "/commit".into(),
            user_id: user.to_string(),
            text: format!("done {seq}"),
        };
        let reply = self.run_command(&inv).await?;
        Ok(if reply.text.starts_with("Done:") {
            Click::Recorded(format!("*<@{user}>:* Done #{} ✓", seq.trim()))
        } else {
            Click::Refused(reply.text)
        })
    }

    /// *Log practice* under a prompt opens the practice form.
    fn open_practice_form(&self, trigger_id: String) {
        let this = self.clone();
        self.tasks.spawn(async move {
            let view = modals::practice_view(&this.program.load_full(), None);
            if let Err(e) = this.gateway.open_view(&trigger_id, view).await {
                tracing::error!(error = %format_args!("{e:#}"), "could not open the practice form");
            }
        });
    }

    /// The practice form's skill changed: show that skill's rubric.
    fn show_rubric(
        &self,
        event: &SlackInteractionBlockActionsEvent,
        action: &SlackInteractionActionInfo,
    ) {
        let SlackInteractionActionContainer::View(container) = &event.container else {
            return;
        };
        let skill = action.selected_option.as_ref().map(|o| o.value.clone());
        let (view_id, this) = (container.view_id.0.clone(), self.clone());
        self.tasks.spawn(async move {
            let view = modals::practice_view(&this.program.load_full(), skill.as_deref());
            if let Err(e) = this.gateway.update_view(&view_id, view).await {
                tracing::error!(error = %format_args!("{e:#}"), "could not show the rubric");
            }
        });
    }

    /// Builds and publishes `user`'s Home tab in the background.
    fn publish_home(&self, user: String) {
        let this = self.clone();
        self.tasks.spawn(async move {
            let program = this.program.load_full();
            let published = match home::build(&this.store, &program, &user, this.clock.now()).await {
                Ok(view) => this.gateway.publish_home(&user, view).await,
                Err(e) => Err(e),
            };
            if let Err(e) = published {
                tracing::error!(error = %format_args!("{e:#}"), %user, "could not publish the Home tab");
            }
        });
    }

    /// Direct messages to the people a command concerns, after the rep has their answer.
    fn send_notices(&self, notices: Vec<Notice>, now: chrono::DateTime<chrono::Utc>) {
        let gateway = self.gateway.clone();
        self.tasks.spawn(async move {
            for notice in notices {
                let key = format!("notice|{}|{}", notice.to, now.to_rfc3339());
                let sent = match gateway.open(std::slice::from_ref(&notice.to)).await {
                    Ok(channel) => gateway
                        .post(&channel, &Message::text(notice.text), &key)
                        .await
                        .map(|_| ()),
                    Err(e) => Err(e),
                };
                if let Err(e) = sent {
                    tracing::error!(to = %notice.to, error = %e, "could not send a notice");
                }
            }
        });
    }

    /// Handles an event once: a delivery whose `event_id` was seen before is only acknowledged.
    #[tracing::instrument(skip_all, fields(event_id = %callback.event_id.0))]
    pub async fn event(&self, callback: SlackPushEventCallback) -> anyhow::Result<EventOutcome> {
        let kind = event_type(&callback.event);
        if !self
            .store
            .first_delivery(&callback.event_id.0, kind, self.clock.now())
            .await?
        {
            tracing::info!(
                kind,
                "duplicate event delivery acknowledged, not processed again"
            );
            return Ok(EventOutcome::Duplicate);
        }
        match callback.event {
            SlackEventCallbackBody::AppHomeOpened(opened) => self.publish_home(opened.user.0),
            SlackEventCallbackBody::UserChange(change) => self.user_changed(&change.user).await?,
            _ => tracing::info!(kind, "event type not used by this bot; acknowledged"),
        }
        Ok(EventOutcome::Handled)
    }

    /// Someone on the roster changed their profile: a new timezone or a status that makes them
    /// away (or back) re-plans what they receive.
    async fn user_changed(&self, user: &SlackUser) -> anyhow::Result<()> {
        let program = self.program.load_full();
        let id = &user.id.0;
        let Some(person) = program.person(id) else {
            return Ok(());
        };
        let now = self.clock.now();
        let slack_tz = user
            .tz
            .as_deref()
            .filter(|t| t.parse::<chrono_tz::Tz>().is_ok());
        let known_tz = self.store.slack_timezone(id).await?;
        if let Some(tz) = slack_tz
            && known_tz.as_deref() != Some(tz)
        {
            self.store
                .remember_slack_user(id, Some(tz), None, now)
                .await?;
            if person.timezone.is_none() {
                self.store
                    .ask_for_replan(&format!("{id} moved to {tz}"))
                    .await?;
            }
        }
        let (Some(profile), true) = (&user.profile, program.absence.slack_status) else {
            return Ok(());
        };
        let status = super::gateway::status_of(profile);
        let tz = person
            .timezone
            .or_else(|| slack_tz.and_then(|t| t.parse().ok()))
            .unwrap_or(program.settings.timezone);
        let before = self.store.remember_status(id, &status, now).await?;
        let was = before.and_then(|s| program.absence.absence(&s, tz, now));
        let is = program.absence.absence(&status, tz, now);
        if was != is {
            let change = match is {
                Some(a) => format!(
                    "{id} is away by their Slack status{}",
                    a.back.map(|b| format!(" until {b}")).unwrap_or_default()
                ),
                None => format!("{id} is back by their Slack status"),
            };
            tracing::info!(user = %id, %change, "absence from Slack status");
            self.store.ask_for_replan(&change).await?;
        }
        Ok(())
    }

    /// Button clicks, form submissions and other interactions; the answer is what Slack is
    /// told (empty, or a form's field errors).
    pub async fn interaction(&self, event: SlackInteractionEvent) -> SlackInteractionResponse {
        let kind = match &event {
            SlackInteractionEvent::BlockActions(actions) => {
                self.clicks(actions).await;
                return SlackInteractionResponse::Empty;
            }
            SlackInteractionEvent::ViewSubmission(submission) => {
                return self.submission(submission).await;
            }
            SlackInteractionEvent::ViewClosed(_) => "view_closed",
            SlackInteractionEvent::Shortcut(_) => "shortcut",
            SlackInteractionEvent::MessageAction(_) => "message_action",
            _ => "other",
        };
        tracing::info!(kind, "interaction acknowledged; no handler for it yet");
        SlackInteractionResponse::Empty
    }

    async fn clicks(&self, event: &SlackInteractionBlockActionsEvent) {
        let Some(user) = event.user.as_ref().map(|u| u.id.0.clone()) else {
            tracing::warn!("a button click without a user; ignored");
            return;
        };
        let response_url = event.response_url.as_ref().map(|u| u.0.to_string());
        let original = event
            .message
            .as_ref()
            .and_then(|m| m.content.text.clone())
            .unwrap_or_default();
        for action in event.actions.iter().flatten() {
            if action.action_id.0 == modals::SKILL_PICKER {
                self.show_rubric(event, action);
                continue;
            }
            let Some(kind) = Action::parse(&action.action_id.0) else {
                tracing::info!(action = %action.action_id.0, "a click on a button this version does not know");
                continue;
            };
            let value = action.value.as_deref().unwrap_or_default();
            let in_home = matches!(event.container, SlackInteractionActionContainer::View(_));
            let now = self.clock.now();
            let click = match kind {
                Action::CommitmentDone | Action::PauseWeek | Action::Resume if in_home => {
                    self.home_click(&user, kind, value).await;
                    continue;
                }
                Action::LogPractice => {
                    self.open_practice_form(event.trigger_id.0.clone());
                    continue;
                }
                Action::CommitmentDone => self.done_from_message(&user, value).await,
                Action::Snooze => clicks::snooze(&self.store, &user, value, now).await,
                Action::ShareWin => {
                    clicks::share_win(&self.store, &self.program.load(), &user, value, now).await
                }
                Action::PulseAnswer => {
                    let days: Vec<u32> = self
                        .program
                        .load()
                        .checkpoints
                        .iter()
                        .map(|c| c.day)
                        .collect();
                    clicks::answer_pulse(&self.store, &user, value, &days, now).await
                }
                _ => clicks::answer_checkin(&self.store, &user, kind, value, now).await,
            };
            let click = click.unwrap_or_else(|e| {
                tracing::error!(error = %format_args!("{e:#}"), "could not record a click");
                Click::Refused(APOLOGY.to_string())
            });
            let Some(url) = response_url.clone() else {
                continue;
            };
            let gateway = self.gateway.clone();
            let original = original.clone();
            self.tasks.spawn(async move {
                let sent = match click {
                    Click::Recorded(line) => gateway.replace_original(&url, &format!("{original}\n{line}")).await,
                    Click::Refused(why) => gateway.respond(&url, &why).await,
                };
                if let Err(e) = sent {
                    tracing::error!(error = %format_args!("{e:#}"), "could not update the clicked message");
                }
            });
        }
    }
}

fn answer(result: Result<anyhow::Result<Reply>, tokio::task::JoinError>) -> Reply {
    match result {
        Ok(Ok(reply)) => reply,
        Ok(Err(e)) => {
            tracing::error!(error = %format_args!("{e:#}"), "command failed");
            Reply::new(APOLOGY)
        }
        Err(e) => {
            tracing::error!(error = %e, "command handler panicked");
            Reply::new(APOLOGY)
        }
    }
}

fn event_type(body: &SlackEventCallbackBody) -> &'static str {
    match body {
        SlackEventCallbackBody::AppHomeOpened(_) => "app_home_opened",
        SlackEventCallbackBody::Message(_) => "message",
        SlackEventCallbackBody::AppMention(_) => "app_mention",
        SlackEventCallbackBody::AppUninstalled(_) => "app_uninstalled",
        SlackEventCallbackBody::UserChange(_) => "user_change",
        _ => "other",
    }
}
