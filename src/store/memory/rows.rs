//! The in-memory outbox's rows and the indexes kept beside them (pending by due time and by
//! next attempt, sending, settled), moved together so that they always agree.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use foldhash::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::super::{Delivery, DeliveryStatus, EmailLookup, Fence, Settled};
use crate::domain::absence::SlackStatus;
use crate::domain::checkin::{Checkin, Group};
use crate::domain::coached::Coaching;
use crate::domain::commitment::Commitment;
use crate::domain::lane::Lane;
use crate::domain::practice::PracticeLog;
use crate::domain::pulse::Confidence;
use crate::domain::reinforcement::{Asked, Memory};
use crate::domain::schedule::{Occurrence, PairSchedule};

type Result<T> = anyhow::Result<T>;

#[derive(Default)]
pub(super) struct Inner {
    pub(super) rows: HashMap<i64, Delivery>,
    pub(super) last_id: i64,
    pub(super) by_key: HashMap<String, i64>,
    /// Rows that ended (sent, skipped, failed) by (due, id): what a preview takes out.
    pub(super) settled: BTreeSet<(DateTime<Utc>, i64)>,
    /// Pending rows by (due, id): due order, stale and superseded rows.
    pub(super) pending_by_due: BTreeSet<(DateTime<Utc>, i64)>,
    /// Pending rows by (next attempt, id): the next one due.
    pub(super) pending_by_attempt: BTreeSet<(DateTime<Utc>, i64)>,
    pub(super) sending: BTreeSet<i64>,
    /// How far each lane is planned; `None` before the first plan.
    pub(super) lanes: Option<BTreeMap<Lane, DateTime<Utc>>>,
    /// Who claimed each row to send it, until when.
    pub(super) claims: HashMap<i64, (String, DateTime<Utc>)>,
    /// The scheduler's lease: holder, epoch, end.
    pub(super) lease: Option<(String, i64, DateTime<Utc>)>,
    pub(super) replan_asked: i64,
    pub(super) replan_done: i64,
    pub(super) replan_reason: Option<String>,
    pub(super) dm_channels: HashMap<String, String>,
    pub(super) channel_names: HashMap<String, String>,
    pub(super) slack_users: HashMap<String, (Option<String>, DateTime<Utc>)>,
    pub(super) pauses: HashMap<String, NaiveDate>,
    pub(super) email_lookups: HashMap<String, EmailLookup>,
    pub(super) statuses: HashMap<String, (SlackStatus, DateTime<Utc>)>,
    pub(super) pairs: Option<PairSchedule>,
    pub(super) checkins: Vec<Checkin>,
    pub(super) checkin_keys: HashSet<(Group, DateTime<Utc>)>,
    pub(super) checkins_of: HashMap<String, Vec<usize>>,
    /// What sample reps did so far (`simulate --sample-activity`), by person.
    pub(super) commitments: HashMap<String, Vec<Commitment>>,
    pub(super) practice: HashMap<String, Vec<PracticeLog>>,
    pub(super) pulses: HashMap<String, Vec<(u32, String)>>,
    pub(super) confidence: HashMap<String, Vec<Confidence>>,
    pub(super) coaching: HashMap<String, Vec<Coaching>>,
    /// Questions asked, by rep, and each rep's memory of each question.
    pub(super) asked: HashMap<String, Vec<Asked>>,
    pub(super) memories: HashMap<String, HashMap<String, Memory>>,
    /// Questions asked and not yet seen by the sample reps, who answer them.
    pub(super) unanswered: Vec<Asked>,
}

impl Inner {
    pub(super) fn row(&mut self, id: i64) -> Result<&mut Delivery> {
        self.rows
            .get_mut(&id)
            .ok_or_else(|| anyhow::anyhow!("no outbox row {id}"))
    }

    pub(super) fn get(&self, id: i64) -> &Delivery {
        &self.rows[&id]
    }

    /// Moves row `id` to `status`, keeping the indexes true.
    pub(super) fn set_status(&mut self, id: i64, status: DeliveryStatus) -> Result<&mut Delivery> {
        self.unindex(id)?;
        self.row(id)?.status = status;
        self.index(id)?;
        self.row(id)
    }

    /// Takes row `id` out of the index its status and times put it in.
    pub(super) fn unindex(&mut self, id: i64) -> Result<()> {
        let row = self.row(id)?;
        let (status, due, attempt) = (row.status, row.occurrence.at, row.next_attempt_at);
        match status {
            DeliveryStatus::Pending => {
                self.pending_by_due.remove(&(due, id));
                self.pending_by_attempt.remove(&(attempt, id));
            }
            DeliveryStatus::Sending => {
                self.sending.remove(&id);
            }
            DeliveryStatus::Sent | DeliveryStatus::Skipped | DeliveryStatus::Failed => {
                self.settled.remove(&(due, id));
            }
        }
        Ok(())
    }

    /// Puts row `id` into the index its status and times call for.
    pub(super) fn index(&mut self, id: i64) -> Result<()> {
        let row = self.row(id)?;
        let (status, due, attempt) = (row.status, row.occurrence.at, row.next_attempt_at);
        match status {
            DeliveryStatus::Pending => {
                self.pending_by_due.insert((due, id));
                self.pending_by_attempt.insert((attempt, id));
            }
            DeliveryStatus::Sending => {
                self.sending.insert(id);
            }
            DeliveryStatus::Sent | DeliveryStatus::Skipped | DeliveryStatus::Failed => {
                self.settled.insert((due, id));
            }
        }
        Ok(())
    }

    /// Plans `o` once (keys are unique); a row a change skipped before it was due comes back.
    pub(super) fn insert(&mut self, o: &Occurrence, now: DateTime<Utc>) -> Result<u64> {
        let key = o.key();
        if let Some(&id) = self.by_key.get(&key) {
            let row = self.get(id);
            if row.status != DeliveryStatus::Skipped || row.occurrence.at < now {
                return Ok(0);
            }
            let row = self.set_status(id, DeliveryStatus::Pending)?;
            row.last_error = None;
            row.updated_at = now;
            return Ok(1);
        }
        self.last_id += 1;
        let id = self.last_id;
        self.by_key.insert(key.clone(), id);
        self.pending_by_due.insert((o.at, id));
        self.pending_by_attempt.insert((o.at, id));
        self.rows.insert(
            id,
            Delivery {
                id,
                key,
                occurrence: o.clone(),
                status: DeliveryStatus::Pending,
                attempts: 0,
                next_attempt_at: o.at,
                text: None,
                channel: None,
                slack_ts: None,
                last_error: None,
                sent_at: None,
                updated_at: now,
            },
        );
        Ok(1)
    }

    /// Whether `by` may take row `id`: nobody's, its own, or a claim that ran out by `now`.
    pub(super) fn claimable(&self, id: i64, by: &str, now: DateTime<Utc>) -> bool {
        self.claims
            .get(&id)
            .is_none_or(|(holder, until)| holder == by || *until <= now)
    }

    /// A plan is written only under the lease it was made under, as in the database.
    pub(super) fn check_fence(&self, fence: Fence<'_>) -> Result<()> {
        let held = self
            .lease
            .as_ref()
            .is_some_and(|(holder, epoch, _)| holder == fence.holder && *epoch == fence.epoch);
        anyhow::ensure!(held, "the scheduler lease (epoch {}) was lost", fence.epoch);
        Ok(())
    }

    pub(super) fn settle(
        &mut self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row = self.set_status(id, how.into())?;
        row.last_error = Some(reason.to_string());
        row.updated_at = now;
        Ok(())
    }
}
