//! Planning: keeping the outbox planned ahead and planning it again when asked, and the
//! roster and pairs the plan is made from.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use super::{PLAN_STEP, Scheduler, TickReport};
use crate::domain::lane::Lane;
use crate::domain::pairing::fit;
use crate::domain::program::{PairingMode, Program, Role};
use crate::domain::schedule::{Member, PairSchedule, Planner, plannable};
use crate::scheduler::sender::Messenger;
use crate::store::{Fence, PlanState, SchedulerStore, Store};

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// Keeps each lane of the outbox planned its own way ahead (`Lane::ahead`): extends a lane
    /// when less than `Lane::again_below` is left, and plans what is planned again when a
    /// change asked for it, skipping what the change made obsolete. Otherwise it costs a read.
    pub(super) async fn plan(
        &self,
        live: &Arc<Program>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let state = self.store.plan_state().await?;
        match state {
            Some(state) if state.replan.is_some() => {
                self.replan(live, &state, now, fence, report).await
            }
            state => self.extend(live, state.as_ref(), now, fence, report).await,
        }
    }

    /// Extends the lanes that run short, a step at a time, so a large roster's first messages
    /// go before its week is planned; the next ticks plan on until each horizon is full.
    async fn extend(
        &self,
        live: &Arc<Program>,
        state: Option<&PlanState>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let program = live.as_ref();
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        let (first, last) = plannable(program);
        let windows: Vec<(Lane, DateTime<Utc>, DateTime<Utc>)> = Lane::all(program)
            .into_iter()
            .filter_map(|lane| {
                let planned = state.and_then(|s| s.lanes.get(&lane).copied());
                // What was missed goes late within the grace window, and of several times only
                // the latest: a dense lane looks back its own span, not two hours of times.
                let missed_since = now - grace.min(lane.ahead(program, now));
                // Never planned: from there on a first start; from now for a lane a reload
                // added, which does not reach back.
                let start = planned.unwrap_or(if state.is_none() { missed_since } else { now });
                let from = start.max(missed_since).max(first);
                if planned.is_some()
                    && (from >= last || from >= now + lane.again_below(program, now))
                {
                    return None;
                }
                let until = (from + PLAN_STEP)
                    .min(now + lane.ahead(program, now))
                    .min(last)
                    .max(from);
                Some((lane, from, until))
            })
            .collect();
        if windows.is_empty() {
            return Ok(());
        }
        let members = self
            .members_of(live, state.map_or(0, |s| s.changes), now)
            .await?;
        let pairs = self.pairs_of(live, fence).await?;
        let planner = Planner::new(program, &members, &pairs);
        let mut occurrences = Vec::new();
        let mut marks = Vec::with_capacity(windows.len());
        for (lane, from, until) in windows {
            occurrences.extend(planner.occurrences(&lane, from, until));
            marks.push((lane, until));
        }
        report.planned += self.store.enqueue(&occurrences, &marks, now, fence).await?;
        Ok(())
    }

    /// All that is planned, planned again after a change: nothing beyond it may be left
    /// unchecked. A lane a reload added starts now.
    async fn replan(
        &self,
        live: &Arc<Program>,
        state: &PlanState,
        now: DateTime<Utc>,
        fence: Fence<'_>,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let Some(replan) = &state.replan else {
            return Ok(());
        };
        let program = live.as_ref();
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        let (first, last) = plannable(program);
        // After downtime, what was never planned is planned from the grace window on.
        let from = state
            .lanes
            .values()
            .copied()
            .chain([now])
            .min()
            .unwrap_or(now)
            .max(now - grace);
        let members = self.members_of(live, state.changes, now).await?;
        let pairs = self.pairs_of(live, fence).await?;
        let planner = Planner::new(program, &members, &pairs);
        let mut occurrences = Vec::new();
        let mut marks = Vec::new();
        for lane in Lane::all(program) {
            let step = lane.ahead(program, now).min(PLAN_STEP);
            let (lane_from, until) = match state.lanes.get(&lane) {
                Some(planned) => (from, (*planned).max((now + step).min(last))),
                None => (now, (now + step).min(last)),
            };
            let lane_from = lane_from.max(first);
            occurrences.extend(planner.occurrences(&lane, lane_from, until.max(lane_from)));
            marks.push((lane, until.max(lane_from)));
        }
        let (added, skipped) = self
            .store
            .replan(&occurrences, from, &marks, replan, now, fence)
            .await?;
        tracing::info!(reason = %replan.reason, added, skipped, "planned again");
        report.planned += added;
        report.skipped += skipped;
        Ok(())
    }

    /// The roster as the scheduler sees it, read once for each program in force and each
    /// change asked for since: every change that moves someone (a pause, a timezone or status
    /// from Slack, a reload) asks for a re-plan, which reads it again.
    async fn members_of(
        &self,
        program: &Arc<Program>,
        changes: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Arc<Vec<Member>>> {
        let cached = self
            .members
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(p, c, _)| Arc::ptr_eq(p, program) && *c == changes)
            .map(|(_, _, members)| members.clone());
        if let Some(members) = cached {
            return Ok(members);
        }
        let members = Arc::new(members(&self.store, program, now).await?);
        *self.members.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((program.clone(), changes, members.clone()));
        Ok(members)
    }

    /// The pairs of `program`, made or read once while it is in force; automatic pairs just
    /// made or refitted are kept, under the lease.
    pub(super) async fn pairs_of(
        &self,
        program: &Arc<Program>,
        fence: Fence<'_>,
    ) -> anyhow::Result<Arc<PairSchedule>> {
        let cached = |slot: &Option<(Arc<Program>, Arc<PairSchedule>)>| {
            slot.as_ref()
                .filter(|(p, _)| Arc::ptr_eq(p, program))
                .map(|(_, pairs)| pairs.clone())
        };
        if let Some(pairs) = cached(&self.pairs.lock().unwrap_or_else(|e| e.into_inner())) {
            return Ok(pairs);
        }
        let (pairs, unkept) = made_pairs(&self.store, program, self.clock.now()).await?;
        if unkept {
            self.store.store_pairs(&pairs, fence).await?;
        }
        let pairs = Arc::new(pairs);
        *self.pairs.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((program.clone(), pairs.clone()));
        Ok(pairs)
    }

    /// When the scheduler next has something to do on its own: a delivery due, a lane to
    /// extend or a re-plan. A simulation moves its clock there.
    pub async fn next_wake(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        let now = self.clock.now();
        let program = self.program.load();
        let (_, last) = plannable(&program);
        let due = self.store.next_due_at().await?;
        let plan = match self.store.plan_state().await? {
            None => Some(now),
            Some(state) if state.replan.is_some() => Some(now),
            Some(state) => Lane::all(&program)
                .iter()
                .filter_map(|lane| match state.lanes.get(lane) {
                    None => Some(now),
                    Some(until) if *until >= last => None,
                    Some(until) => Some(*until - lane.again_below(&program, now)),
                })
                .min(),
        };
        Ok(due.into_iter().chain(plan).min())
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
        PairingMode::Auto => store
            .stored_group_of(slack_id, week)
            .await?
            .map(|g| g.to_vec()),
    };
    Ok(group
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m != slack_id)
        .collect())
}

/// The pairs for the roster in force on `today`: config pairs as written and automatic pairs
/// as made and kept (so restarts keep them), each fitted to who joined or left since. Read
/// only: a view shows the pairs the scheduler will keep.
pub async fn pair_schedule(
    store: &impl SchedulerStore,
    program: &Program,
    now: DateTime<Utc>,
) -> anyhow::Result<PairSchedule> {
    Ok(made_pairs(store, program, now).await?.0)
}

/// The pairs, and whether they are automatic pairs that differ from those kept.
async fn made_pairs(
    store: &impl SchedulerStore,
    program: &Program,
    now: DateTime<Utc>,
) -> anyhow::Result<(PairSchedule, bool)> {
    let members = members(store, program, now).await?;
    let today = now.with_timezone(&program.settings.timezone).date_naive();
    let stored = match program.pairing.mode {
        PairingMode::Auto => store.stored_pairs().await?,
        PairingMode::Config => None,
    };
    let pairs = PairSchedule::for_roster(program, &members, stored.as_ref(), today);
    let unkept = program.pairing.mode == PairingMode::Auto
        && stored.as_ref().map(PairSchedule::weeks) != Some(pairs.weeks());
    Ok((pairs, unkept))
}
