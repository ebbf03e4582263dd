//! Work beside the ticks: timezones from Slack, and DM channels opened before their messages
//! are due, each within its method's rate limit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use super::{OPEN_AHEAD_PER_ROUND, Scheduler, TIMEZONES_PER_ROUND};
use crate::domain::program::Program;
use crate::scheduler::sender::{Messenger, Method};
use crate::store::SchedulerStore;

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// Work beside the ticks, within the rate limits of the methods it uses: timezones of
    /// people the roster does not place, and DM channels opened before their messages are due.
    /// True when there may be more channels to open.
    pub async fn housekeep(&self, stop: &CancellationToken) -> anyhow::Result<bool> {
        let program = self.program.load_full();
        self.refresh_timezones(&program, self.clock.now(), stop)
            .await?;
        self.open_channels_ahead(stop).await
    }

    /// Asks Slack for the timezone of people the roster does not place, at most once a day
    /// each. A change asks for a re-plan; a failure keeps the old one.
    async fn refresh_timezones(
        &self,
        program: &Program,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        let fetched = self.store.slack_users_fetched_at().await?;
        let known: HashMap<String, String> =
            self.store.slack_timezones().await?.into_iter().collect();
        let stale = program
            .people
            .iter()
            .filter(|p| p.timezone.is_none())
            .filter(|p| {
                fetched
                    .get(&p.slack_id)
                    .is_none_or(|t| now - *t >= chrono::Duration::days(1))
            })
            .take(TIMEZONES_PER_ROUND);
        let mut changed = false;
        for person in stale {
            if stop.is_cancelled() {
                break;
            }
            match self
                .call(Method::UsersInfo, self.messenger.timezone(&person.slack_id))
                .await
            {
                Ok(tz) => {
                    let tz = tz.filter(|t| t.parse::<Tz>().is_ok());
                    changed |= tz.is_some() && tz.as_ref() != known.get(&person.slack_id);
                    self.store
                        .remember_slack_user(&person.slack_id, tz.as_deref(), None, now)
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(user = %person.slack_id, error = %e, "could not read a timezone from Slack; using the last known one")
                }
            }
        }
        if changed {
            self.store
                .ask_for_replan("Slack gave people's timezones")
                .await?;
        }
        Ok(())
    }

    /// Opens the DM channels of the soonest planned messages that have none yet; true when it
    /// opened a whole round's worth and there may be more.
    async fn open_channels_ahead(&self, stop: &CancellationToken) -> anyhow::Result<bool> {
        let unopened = self.store.unopened_recipients(OPEN_AHEAD_PER_ROUND).await?;
        let mut opened = 0;
        for recipient in &unopened {
            if stop.is_cancelled() {
                return Ok(false);
            }
            match self.channel_for(recipient).await {
                Ok(_) => opened += 1,
                Err(e) => {
                    tracing::warn!(recipient = %recipient.key(), error = %e, "could not open a DM ahead; it is opened when the message is sent")
                }
            }
        }
        Ok(opened == OPEN_AHEAD_PER_ROUND as usize)
    }
}
