//! Planning: keeping the outbox planned ahead and planning it again when asked, and the
//! roster and pairs the plan is made from.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{PLAN_AGAIN_BELOW, PLAN_AHEAD, PLAN_STEP, Scheduler, TickReport};
use crate::domain::pairing::fit;
use crate::domain::program::{PairingMode, Program, Role};
use crate::domain::schedule::{Member, PairSchedule, Planner};
use crate::scheduler::sender::Messenger;
use crate::store::{Fence, SchedulerStore, Store};

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// Keeps the outbox planned `PLAN_AHEAD`: extends it when less than `PLAN_AGAIN_BELOW` is
    /// left, and plans what is already planned again when a change asked for it, skipping what
    /// the change made obsolete. Otherwise it costs one read.
    pub(super) async fn plan(
        &self,
        live: &Arc<Program>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let program = live.as_ref();
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        let state = self.store.plan_state().await?;
        // What has never been planned starts here: after downtime, within the grace window.
        let unplanned_from = state
            .as_ref()
            .map_or(now - grace, |s| s.planned_until.max(now - grace));
        let planned_until = state.as_ref().map(|s| s.planned_until);
        let replan = state.and_then(|s| s.replan);
        if replan.is_none() && unplanned_from >= now + PLAN_AGAIN_BELOW {
            return Ok(());
        }
        let members = members(&self.store, program, now).await?;
        let pairs = self.pairs_of(live).await?;
        let planner = Planner::new(program, &members, &pairs);
        match replan {
            Some(replan) => {
                // All that is planned, planned again: nothing beyond it may be left unchecked.
                let from = unplanned_from.min(now);
                let until = planned_until.unwrap_or(now).max(now + PLAN_STEP);
                let occurrences = planner.occurrences(from, until);
                let (added, skipped) = self
                    .store
                    .replan(&occurrences, now, until, &replan, now, fence)
                    .await?;
                tracing::info!(reason = %replan.reason, added, skipped, "planned again");
                report.planned += added;
                report.skipped += skipped;
            }
            None => {
                // A step at a time, so a large roster's first messages go before its week is
                // planned; the next ticks plan on until the horizon is full.
                let until = (now + PLAN_AHEAD).min(unplanned_from + PLAN_STEP);
                let occurrences = planner.occurrences(unplanned_from, until);
                report.planned += self.store.enqueue(&occurrences, until, now, fence).await?;
            }
        }
        Ok(())
    }

    /// The pairs of `program`, made or read once while it is in force.
    pub(super) async fn pairs_of(
        &self,
        program: &Arc<Program>,
    ) -> anyhow::Result<Arc<PairSchedule>> {
        let cached = |slot: &Option<(Arc<Program>, Arc<PairSchedule>)>| {
            slot.as_ref()
                .filter(|(p, _)| Arc::ptr_eq(p, program))
                .map(|(_, pairs)| pairs.clone())
        };
        if let Some(pairs) = cached(&self.pairs.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(pairs);
        }
        let pairs = Arc::new(pair_schedule(&self.store, program, self.clock.now()).await?);
        *self.pairs.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((program.clone(), pairs.clone()));
        Ok(pairs)
    }

    /// When the scheduler next has something to do on its own: a delivery due or the horizon
    /// to extend. A simulation moves its clock there.
    pub async fn next_wake(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let due = self.store.next_due_at().await?;
        let replan = self.store.plan_state().await?.map(|s| match s.replan {
            Some(_) => self.clock.now(),
            None => s.planned_until - PLAN_AGAIN_BELOW,
        });
        Ok(due.into_iter().chain(replan).min())
    }
}

/// The roster as the scheduler sees it at `now`: Slack's timezones, and the absences known in
/// Slack (pauses, statuses that say away) applied.
pub async fn members(
    store: &impl SchedulerStore,
    program: &Program,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<Member>> {
    let slack: HashMap<String, Tz> = store
        .slack_timezones()
        .await?
        .into_iter()
        .filter_map(|(id, tz)| Some((id, tz.parse().ok()?)))
        .collect();
    let paused: HashMap<String, NaiveDate> = store.pauses().await?.into_iter().collect();
    let statuses = store.slack_statuses().await?;
    // Away with no end set: past the program, until Slack says the status was cleared.
    let s = &program.settings;
    let no_end = s.kickoff + chrono::Duration::days(i64::from(s.days) + 366);
    Ok(Member::roster_with_absences(
        program,
        |id| slack.get(id).copied(),
        |id, tz| {
            let by_status = statuses
                .get(id)
                .and_then(|(status, _)| program.absence.absence(status, tz, now))
                .map(|a| a.back.unwrap_or(no_end));
            paused.get(id).copied().max(by_status)
        },
    ))
}

/// Who `slack_id` is paired with in `week`, read for that one person: a view's question.
pub async fn partners_of(
    store: &Store,
    program: &Program,
    slack_id: &str,
    week: u32,
) -> anyhow::Result<Vec<String>> {
    let group = match program.pairing.mode {
        PairingMode::Config => {
            let listed: Vec<Vec<String>> =
                program.pairs.iter().map(|p| p.members.clone()).collect();
            let reps: Vec<String> = program
                .people
                .iter()
                .filter(|p| p.role == Role::Rep)
                .map(|p| p.slack_id.clone())
                .collect();
            fit(&listed, &reps)
                .into_iter()
                .find(|g| g.iter().any(|m| m == slack_id))
        }
        PairingMode::Auto => store.stored_group_of(slack_id, week).await?,
    };
    Ok(group
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m != slack_id)
        .collect())
}

/// The pairs for the roster in force on `today`: config pairs as written and automatic pairs
/// as made and kept (so restarts keep them), each fitted to who joined or left since.
pub async fn pair_schedule(
    store: &impl SchedulerStore,
    program: &Program,
    now: DateTime<Utc>,
) -> anyhow::Result<PairSchedule> {
    let members = members(store, program, now).await?;
    let today = now.with_timezone(&program.settings.timezone).date_naive();
    let stored = match program.pairing.mode {
        PairingMode::Auto => store.stored_pairs().await?,
        PairingMode::Config => None,
    };
    let pairs = PairSchedule::for_roster(program, &members, stored.as_ref(), today);
    if program.pairing.mode == PairingMode::Auto
        && stored.as_ref().map(PairSchedule::weeks) != Some(pairs.weeks())
    {
        store.store_pairs(&pairs).await?;
    }
    Ok(pairs)
}
