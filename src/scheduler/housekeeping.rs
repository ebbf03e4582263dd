//! Work beside the ticks: `roster.csv` people found in Slack by email, timezones and statuses
//! from Slack, and DM channels opened before their messages are due, each within its method's
//! rate limit.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use super::{
    EMAILS_PER_ROUND, OPEN_AHEAD_PER_ROUND, STATUSES_PER_ROUND, Scheduler, TIMEZONES_PER_ROUND,
};
use crate::domain::program::Program;
use crate::scheduler::sender::{Messenger, Method};
use crate::store::SchedulerStore;

/// A status read this recently is not read again; `user_change` events report changes sooner.
const STATUS_FRESH_FOR: chrono::Duration = chrono::Duration::hours(6);
/// An email looked up this recently is not looked up again.
const LOOKUP_FRESH_FOR: chrono::Duration = chrono::Duration::days(1);

/// Nothing to do for `program` before `until`: a round that found nothing due says when the
/// oldest answer goes stale, so the rounds between read nothing.
pub(super) struct Quiet {
    program: Arc<Program>,
    until: DateTime<Utc>,
}

fn is_quiet(
    slot: &std::sync::Mutex<Option<Quiet>>,
    program: &Arc<Program>,
    now: DateTime<Utc>,
) -> bool {
    slot.lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .is_some_and(|q| Arc::ptr_eq(&q.program, program) && now < q.until)
}

fn quiet_until(
    slot: &std::sync::Mutex<Option<Quiet>>,
    program: &Arc<Program>,
    until: Option<DateTime<Utc>>,
) {
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = until.map(|until| Quiet {
        program: program.clone(),
        until,
    });
}

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// Work beside the ticks, within the rate limits of the methods it uses: timezones of
    /// people the roster does not place, and DM channels opened before their messages are due.
    /// True when there may be more channels to open.
    pub async fn housekeep(&self, stop: &CancellationToken) -> anyhow::Result<bool> {
        let now = self.clock.now();
        // Slack's limits are the workspace's: only the lease's holder calls it.
        if self.lease_epoch(now).await?.is_none() {
            return Ok(false);
        }
        let program = self.program.load_full();
        self.find_by_email(&program, now, stop).await?;
        let program = self.program.load_full();
        self.refresh_timezones(&program, now, stop).await?;
        self.refresh_statuses(&program, now, stop).await?;
        self.open_channels_ahead(stop).await
    }

    /// Looks `roster.csv` people up in Slack by email: those never looked up first, then each
    /// again after a day. Whoever is found (or no longer found) changes the program in force.
    async fn find_by_email(
        &self,
        program: &Arc<Program>,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        let by_email = || program.roster.iter().filter(|e| e.slack_id.is_none());
        if by_email().next().is_none() || is_quiet(&self.next_lookups, program, now) {
            return Ok(());
        }
        let lookups = self.store.email_lookups().await?;
        let mut due: Vec<_> = by_email()
            .filter_map(|e| match lookups.get(&e.email) {
                None => Some((None, e)),
                Some((_, at)) if now - *at >= LOOKUP_FRESH_FOR => Some((Some(*at), e)),
                Some(_) => None,
            })
            .collect();
        if due.is_empty() {
            let stale = by_email()
                .filter_map(|e| lookups.get(&e.email).map(|(_, at)| *at + LOOKUP_FRESH_FOR))
                .min();
            quiet_until(&self.next_lookups, program, stale);
            return Ok(());
        }
        due.sort_by_key(|(at, _)| *at);
        let mut changed = false;
        for (_, entry) in due.into_iter().take(EMAILS_PER_ROUND) {
            if stop.is_cancelled() {
                break;
            }
            let Some(answer) = self
                .call_if_free(
                    Method::UsersLookupByEmail,
                    self.messenger.user_by_email(&entry.email),
                )
                .await
            else {
                break; // the rest in the next round, within the method's tier
            };
            match answer {
                Ok(found) => {
                    if found.is_none() {
                        tracing::warn!(file = %program.roster_file, line = entry.line, email = %entry.email, "Slack has nobody with this email, so they are left out of the program (shown on the admins' Home): correct the address, or invite them to the workspace");
                    }
                    let before = lookups.get(&entry.email).and_then(|(id, _)| id.as_ref());
                    changed |= before != found.as_ref();
                    self.store
                        .remember_email_lookup(&entry.email, found.as_deref(), now)
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(email = %entry.email, error = %e, "could not look an email up in Slack; trying again later")
                }
            }
        }
        if changed {
            self.put_found_in_force(program, now).await?;
        }
        Ok(())
    }

    /// `program` with everyone Slack has found by email, if that changes who is in it.
    async fn with_found(&self, program: &Program) -> anyhow::Result<Option<Arc<Program>>> {
        let found = self
            .store
            .email_lookups()
            .await?
            .into_iter()
            .filter_map(|(email, (id, _))| Some((email, id?)))
            .collect();
        let next = program.with_slack_ids(&found);
        let ids = |p: &Program| {
            p.people
                .iter()
                .map(|p| p.slack_id.clone())
                .collect::<Vec<_>>()
        };
        Ok((ids(&next) != ids(program)).then(|| Arc::new(next)))
    }

    /// Puts `program` in force with everyone Slack has found by email, unless another
    /// program was put in force meanwhile (a reload, which reads the same lookups).
    async fn put_found_in_force(
        &self,
        program: &Arc<Program>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let Some(next) = self.with_found(program).await? else {
            return Ok(());
        };
        let previous = self.program.compare_and_swap(program, next.clone());
        if Arc::ptr_eq(&previous, program) {
            self.store.sync_roster(&next.people, now).await?;
            tracing::info!(
                people = next.people.len(),
                not_found = next.not_found().count(),
                "people found in Slack by email are in the program"
            );
        }
        Ok(())
    }

    /// While another replica holds the lease: when it has recorded a change, take in the people
    /// it found by email, so that this replica answers them as the holder does. The holder has
    /// synced the roster already; this only follows.
    pub(super) async fn follow_the_holder(&self) -> anyhow::Result<()> {
        let changes = self.store.plan_state().await?.map(|s| s.changes);
        if *self.followed.lock().unwrap_or_else(|e| e.into_inner()) == changes {
            return Ok(());
        }
        let program = self.program.load_full();
        if !program.roster.is_empty()
            && let Some(next) = self.with_found(&program).await?
        {
            let previous = self.program.compare_and_swap(&program, next.clone());
            if Arc::ptr_eq(&previous, &program) {
                tracing::info!(
                    people = next.people.len(),
                    "people the lease's holder found in Slack are in this replica's program too"
                );
            }
        }
        // Followed only once it worked: a failed read is tried again at the next tick.
        *self.followed.lock().unwrap_or_else(|e| e.into_inner()) = changes;
        Ok(())
    }

    /// Reads people's Slack status, those never read first, then each again after six hours
    /// (`user_change` events keep it fresh in between). Someone now away, or back, asks for
    /// a re-plan.
    async fn refresh_statuses(
        &self,
        program: &Arc<Program>,
        now: DateTime<Utc>,
        stop: &CancellationToken,
    ) -> anyhow::Result<()> {
        if !program.absence.slack_status || is_quiet(&self.next_statuses, program, now) {
            return Ok(());
        }
        let known = self.store.slack_statuses().await?;
        let timezones: HashMap<String, String> =
            self.store.slack_timezones().await?.into_iter().collect();
        let mut due: Vec<_> = program
            .people
            .iter()
            .filter_map(|p| match known.get(&p.slack_id) {
                None => Some((None, p)),
                Some((_, at)) if now - *at >= STATUS_FRESH_FOR => Some((Some(*at), p)),
                Some(_) => None,
            })
            .collect();
        if due.is_empty() {
            let stale = program
                .people
                .iter()
                .filter_map(|p| known.get(&p.slack_id).map(|(_, at)| *at + STATUS_FRESH_FOR))
                .min();
            quiet_until(&self.next_statuses, program, stale);
            return Ok(());
        }
        due.sort_by_key(|(at, _)| *at);
        let mut changed = Vec::new();
        for (_, person) in due.into_iter().take(STATUSES_PER_ROUND) {
            if stop.is_cancelled() {
                break;
            }
            let Some(answer) = self
                .call_if_free(
                    Method::UsersProfileGet,
                    self.messenger.status(&person.slack_id),
                )
                .await
            else {
                break; // the rest in the next round, within the method's tier
            };
            match answer {
                Ok(status) => {
                    let tz = person
                        .timezone
                        .or_else(|| timezones.get(&person.slack_id)?.parse::<Tz>().ok())
                        .unwrap_or(program.settings.timezone);
                    let before = known
                        .get(&person.slack_id)
                        .and_then(|(s, _)| program.absence.absence(s, tz, now));
                    let after = program.absence.absence(&status, tz, now);
                    if before != after {
                        changed.push(person.slack_id.as_str());
                    }
                    self.store
                        .remember_status(&person.slack_id, &status, now)
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(user = %person.slack_id, error = %e, "could not read a Slack status; using the last known one")
                }
            }
        }
        if !changed.is_empty() {
            self.store
                .ask_for_replan(&format!(
                    "Slack status: {} away or back",
                    changed.join(", ")
                ))
                .await?;
        }
        Ok(())
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
