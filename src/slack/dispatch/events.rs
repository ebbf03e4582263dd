//! Slack's events: each handled once, however often Slack delivers it (retries carry the same
//! `event_id`). The Home tab is published when opened; a profile change re-plans the person.

use crate::store::{DirectoryStore, PlanStore};
use slack_morphism::prelude::*;

use super::Dispatcher;

#[derive(Debug, PartialEq, Eq)]
pub enum EventOutcome {
    Handled,
    /// A retry of an event already handled: acknowledged, not redone.
    Duplicate,
}

impl Dispatcher {
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
        let status = crate::slack::gateway::status_of(profile);
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
