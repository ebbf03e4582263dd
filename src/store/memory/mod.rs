//! The scheduler's store held in memory, for `simulate`: the same outbox rules as the SQLite
//! store (unique keys, stale and superseded rows skipped, due order, re-plans that skip what is
//! obsolete), kept in indexes so that a 10,000-person program runs in seconds. Nothing
//! survives the process, which is what a preview wants.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};

use super::plan::replan_diff;
use super::{
    ChannelStore, Claim, Delivery, DeliveryStatus, DirectoryStore, EmailLookup, Fence, Holder,
    Lease, LeaseStore, OutboxStore, PairStore, PlanState, PlanStore, Replan, RosterStore, Settled,
};
use crate::domain::absence::SlackStatus;
use crate::domain::lane::Lane;
use crate::domain::program::Person;
use crate::domain::schedule::{Occurrence, PairSchedule, Recipient};

mod records;
mod rows;

use rows::Inner;

type Result<T> = anyhow::Result<T>;

#[derive(Clone, Default)]
pub struct MemoryStore(Arc<Mutex<Inner>>);

impl MemoryStore {
    fn inner(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The deliveries that ended and were due before `before`, in due order, taken out of the
    /// store with their keys: a preview reads each once, so a 90-day run holds only its last
    /// days. Nothing is planned before the grace window, so a key taken out earlier than that
    /// can never be planned again.
    pub fn take_settled(&self, before: DateTime<Utc>) -> Vec<Delivery> {
        let mut s = self.inner();
        let done: Vec<(DateTime<Utc>, i64)> =
            s.settled.range(..(before, i64::MIN)).copied().collect();
        done.into_iter()
            .filter_map(|entry| {
                s.settled.remove(&entry);
                let row = s.rows.remove(&entry.1)?;
                s.by_key.remove(&row.key);
                s.claims.remove(&row.id);
                Some(row)
            })
            .collect()
    }
}

impl MemoryStore {
    /// Every row still held, in due order: what the store's contract tests read.
    #[cfg(test)]
    pub(crate) fn all_rows(&self) -> Vec<Delivery> {
        let s = self.inner();
        let mut rows: Vec<Delivery> = s.rows.values().cloned().collect();
        rows.sort_by_key(|d| (d.occurrence.at, d.id));
        rows
    }
}

impl PlanStore for MemoryStore {
    async fn plan_state(&self) -> Result<Option<PlanState>> {
        let s = self.inner();
        Ok(s.lanes.as_ref().map(|lanes| PlanState {
            lanes: lanes.clone(),
            changes: s.replan_asked,
            replan: (s.replan_asked > s.replan_done).then(|| Replan {
                asked: s.replan_asked,
                reason: s
                    .replan_reason
                    .clone()
                    .unwrap_or_else(|| "the program changed".into()),
            }),
        }))
    }

    async fn ask_for_replan(&self, reason: &str) -> Result<()> {
        let mut s = self.inner();
        if s.lanes.is_some() {
            s.replan_asked += 1;
            s.replan_reason = Some(reason.to_string());
        }
        Ok(())
    }

    async fn enqueue(
        &self,
        occurrences: &[Occurrence],
        marks: &[(Lane, DateTime<Utc>)],
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> Result<u64> {
        let mut s = self.inner();
        s.check_fence(fence)?;
        let mut added = 0;
        for o in occurrences {
            added += s.insert(o, now)?;
        }
        s.lanes
            .get_or_insert_default()
            .extend(marks.iter().cloned());
        Ok(added)
    }

    async fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        marks: &[(Lane, DateTime<Utc>)],
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> Result<(u64, u64)> {
        let mut s = self.inner();
        s.check_fence(fence)?;
        let pending: Vec<(i64, String)> = s
            .pending_by_due
            .range((from, i64::MIN)..)
            .map(|&(_, id)| (id, s.get(id).key.clone()))
            .collect();
        let (obsolete, fresh) = replan_diff(occurrences, pending);
        let reason = format!("no longer planned: {}", replan.reason);
        for &id in &obsolete {
            s.settle(id, Settled::Skipped, &reason, now)?;
        }
        let mut added = 0;
        for o in fresh {
            added += s.insert(o, now)?;
        }
        s.lanes = Some(marks.iter().cloned().collect());
        s.replan_done = replan.asked;
        Ok((added, obsolete.len() as u64))
    }

    async fn skip_stale(&self, older_than: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
        let mut s = self.inner();
        let stale: Vec<i64> = s
            .pending_by_due
            .range(..(older_than, i64::MIN))
            .map(|&(_, id)| id)
            .collect();
        for &id in &stale {
            s.settle(
                id,
                Settled::Skipped,
                "missed: later than the grace window",
                now,
            )?;
        }
        Ok(stale.len() as u64)
    }

    async fn skip_superseded(&self, now: DateTime<Utc>) -> Result<u64> {
        let mut s = self.inner();
        // Due rows, latest first: the first of each source and recipient stays.
        let due: Vec<i64> = s
            .pending_by_due
            .range(..=(now, i64::MAX))
            .rev()
            .map(|&(_, id)| id)
            .collect();
        let mut latest = HashSet::new();
        let mut superseded = Vec::new();
        for id in due {
            let o = &s.get(id).occurrence;
            if !latest.insert((o.source.key(), o.recipient.key())) {
                superseded.push(id);
            }
        }
        for &id in &superseded {
            s.settle(id, Settled::Skipped, "superseded by a later one", now)?;
        }
        Ok(superseded.len() as u64)
    }
}

impl LeaseStore for MemoryStore {
    async fn hold_lease(
        &self,
        holder: &Holder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let mut s = self.inner();
        let epoch = match &s.lease {
            None => 1,
            Some((h, epoch, _)) if *h == holder.id => *epoch,
            Some((_, epoch, end)) if *end <= now => epoch + 1,
            Some(_) => return Ok(None),
        };
        s.lease = Some((holder.id.clone(), epoch, until));
        Ok(Some(epoch))
    }

    async fn lease(&self) -> Result<Option<Lease>> {
        Ok(self
            .inner()
            .lease
            .as_ref()
            .map(|(holder, epoch, expires_at)| Lease {
                holder: holder.clone(),
                epoch: *epoch,
                expires_at: *expires_at,
                host: None,
                pid: None,
            }))
    }

    /// A preview runs in one process: there is never another holder to take over from.
    async fn take_lease_from(
        &self,
        _gone: &Lease,
        _holder: &Holder,
        _until: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        Ok(None)
    }

    async fn release_lease(&self, holder: &str, now: DateTime<Utc>) -> Result<()> {
        if let Some((h, _, end)) = &mut self.inner().lease
            && h == holder
        {
            *end = (*end).min(now);
        }
        Ok(())
    }
}

impl OutboxStore for MemoryStore {
    async fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        let mut s = self.inner();
        // A row's next attempt is never before its due time, so due rows are all here.
        let due: Vec<i64> = s
            .pending_by_due
            .range(..=(now, i64::MAX))
            .map(|&(_, id)| id)
            .filter(|id| s.get(*id).next_attempt_at <= now && s.claimable(*id, claim.by, now))
            .take(usize::try_from(limit).unwrap_or(0))
            .collect();
        for id in &due {
            s.claims.insert(*id, (claim.by.to_string(), claim.until));
        }
        Ok(due.iter().map(|id| s.get(*id).clone()).collect())
    }

    async fn count_due(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(self
            .inner()
            .pending_by_attempt
            .range(..=(now, i64::MAX))
            .count() as u64)
    }

    async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(self.inner().pending_by_attempt.first().map(|(at, _)| *at))
    }

    async fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Delivery>> {
        let s = self.inner();
        Ok(s.sending
            .iter()
            .filter(|id| s.claimable(**id, claimer, now))
            .map(|id| s.get(*id).clone())
            .collect())
    }

    async fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut s = self.inner();
        let claimed = s.claims.get(&id).is_some_and(|(by, _)| by == claimer);
        if !claimed || s.get(id).status != DeliveryStatus::Pending {
            return Ok(false);
        }
        let row = s.set_status(id, DeliveryStatus::Sending)?;
        row.text = Some(text.to_string());
        row.channel = Some(channel.to_string());
        row.attempts += 1;
        row.updated_at = now;
        Ok(true)
    }

    async fn mark_sent(&self, id: i64, ts: &str, now: DateTime<Utc>) -> Result<()> {
        let mut s = self.inner();
        let row = s.set_status(id, DeliveryStatus::Sent)?;
        row.slack_ts = Some(ts.to_string());
        row.sent_at = Some(now);
        row.last_error = None;
        row.updated_at = now;
        Ok(())
    }

    async fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut s = self.inner();
        // Out of the indexes under the old attempt time, back in under the new one.
        s.unindex(id)?;
        let row = s.row(id)?;
        row.status = DeliveryStatus::Pending;
        row.next_attempt_at = next_attempt_at;
        row.last_error = Some(error.to_string());
        row.updated_at = now;
        s.index(id)
    }

    async fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.inner().settle(id, how, reason, now)
    }

    async fn unopened_recipients(&self, limit: i64) -> Result<Vec<Recipient>> {
        let s = self.inner();
        let mut seen = HashSet::new();
        Ok(s.pending_by_due
            .iter()
            .map(|&(_, id)| &s.get(id).occurrence.recipient)
            .filter(|r| !matches!(r, Recipient::Channel(_)))
            .filter(|r| !s.dm_channels.contains_key(&r.key()))
            .filter(|r| seen.insert(r.key()))
            .take(usize::try_from(limit).unwrap_or(0))
            .cloned()
            .collect())
    }
}

impl ChannelStore for MemoryStore {
    async fn dm_channel(&self, members: &str) -> Result<Option<String>> {
        Ok(self.inner().dm_channels.get(members).cloned())
    }

    async fn remember_dm_channel(&self, members: &str, channel: &str) -> Result<()> {
        self.inner()
            .dm_channels
            .insert(members.to_string(), channel.to_string());
        Ok(())
    }

    async fn channel_named(&self, name: &str) -> Result<Option<String>> {
        Ok(self.inner().channel_names.get(name).cloned())
    }

    async fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        _now: DateTime<Utc>,
    ) -> Result<()> {
        self.inner()
            .channel_names
            .insert(name.to_string(), channel.to_string());
        Ok(())
    }
}

impl DirectoryStore for MemoryStore {
    async fn email_lookups(&self) -> Result<HashMap<String, EmailLookup>> {
        Ok(self
            .inner()
            .email_lookups
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn remember_email_lookup(
        &self,
        email: &str,
        slack_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.inner()
            .email_lookups
            .insert(email.to_string(), (slack_id.map(str::to_string), now));
        Ok(())
    }

    async fn slack_statuses(&self) -> Result<HashMap<String, (SlackStatus, DateTime<Utc>)>> {
        Ok(self
            .inner()
            .statuses
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    async fn remember_status(
        &self,
        slack_id: &str,
        status: &SlackStatus,
        now: DateTime<Utc>,
    ) -> Result<Option<SlackStatus>> {
        let before = self
            .inner()
            .statuses
            .insert(slack_id.to_string(), (status.clone(), now));
        Ok(before.map(|(s, _)| s))
    }

    async fn slack_timezones(&self) -> Result<Vec<(String, String)>> {
        Ok(self
            .inner()
            .slack_users
            .iter()
            .filter_map(|(id, (tz, _))| Some((id.clone(), tz.clone()?)))
            .collect())
    }

    async fn slack_users_fetched_at(&self) -> Result<HashMap<String, DateTime<Utc>>> {
        Ok(self
            .inner()
            .slack_users
            .iter()
            .map(|(id, (_, at))| (id.clone(), *at))
            .collect())
    }

    async fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        _real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.inner()
            .slack_users
            .insert(slack_id.to_string(), (timezone.map(str::to_string), now));
        Ok(())
    }
}

impl RosterStore for MemoryStore {
    /// A preview's roster is the one it was started with, so a change is only a re-plan.
    async fn sync_roster(&self, _roster: &[Person], _now: DateTime<Utc>) -> Result<()> {
        self.ask_for_replan("the roster changed").await
    }

    async fn pauses(&self) -> Result<Vec<(String, NaiveDate)>> {
        Ok(self
            .inner()
            .pauses
            .iter()
            .map(|(id, d)| (id.clone(), *d))
            .collect())
    }
}

impl PairStore for MemoryStore {
    async fn stored_pairs(&self) -> Result<Option<PairSchedule>> {
        Ok(self.inner().pairs.clone())
    }

    async fn store_pairs(&self, pairs: &PairSchedule, fence: Fence<'_>) -> Result<()> {
        let mut s = self.inner();
        s.check_fence(fence)?;
        s.pairs = Some(pairs.clone());
        Ok(())
    }
}
