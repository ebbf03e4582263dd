//! What the scheduler keeps, as one interface: the outbox and its plan, the DM channels and
//! channel names it has learnt, what Slack said of people, pauses, pairs, and the records a
//! message is composed from. The [`Store`] (SQLite or PostgreSQL) implements it for `serve`; the
//! [`MemoryStore`](super::MemoryStore) for `simulate`, whose hundreds of thousands of sends
//! would otherwise wait on SQLite's worker thread row by row.

use std::collections::HashMap;
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Claim, Delivery, EmailLookup, Fence, PlanState, Replan, Settled, Store};
use crate::domain::absence::SlackStatus;
use crate::domain::compose::Activity;
use crate::domain::program::Person;
use crate::domain::schedule::{Occurrence, PairSchedule, Recipient};

type Result<T> = anyhow::Result<T>;

pub trait SchedulerStore: Clone + Send + Sync + 'static {
    fn plan_state(&self) -> impl Future<Output = Result<Option<PlanState>>> + Send;
    fn ask_for_replan(&self, reason: &str) -> impl Future<Output = Result<()>> + Send;
    /// Takes or keeps the scheduler's lease (see [`Store::hold_lease`]).
    fn hold_lease(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    fn release_lease(
        &self,
        holder: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> impl Future<Output = Result<u64>> + Send;
    fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> impl Future<Output = Result<(u64, u64)>> + Send;
    fn skip_stale(
        &self,
        older_than: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<u64>> + Send;
    fn skip_superseded(&self, now: DateTime<Utc>) -> impl Future<Output = Result<u64>> + Send;
    fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Delivery>>> + Send;
    fn next_due_at(&self) -> impl Future<Output = Result<Option<DateTime<Utc>>>> + Send;
    fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Delivery>>> + Send;
    fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn mark_sent(
        &self,
        id: i64,
        ts: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn unopened_recipients(
        &self,
        limit: i64,
    ) -> impl Future<Output = Result<Vec<Recipient>>> + Send;
    fn dm_channel(&self, members: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    fn remember_dm_channel(
        &self,
        members: &str,
        channel: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    fn channel_named(&self, name: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn slack_timezones(&self) -> impl Future<Output = Result<Vec<(String, String)>>> + Send;
    fn slack_users_fetched_at(
        &self,
    ) -> impl Future<Output = Result<HashMap<String, DateTime<Utc>>>> + Send;
    fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn email_lookups(&self) -> impl Future<Output = Result<HashMap<String, EmailLookup>>> + Send;
    fn remember_email_lookup(
        &self,
        email: &str,
        slack_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn slack_statuses(
        &self,
    ) -> impl Future<Output = Result<HashMap<String, (SlackStatus, DateTime<Utc>)>>> + Send;
    fn remember_status(
        &self,
        slack_id: &str,
        status: &SlackStatus,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<SlackStatus>>> + Send;
    fn sync_roster(
        &self,
        roster: &[Person],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn pauses(&self) -> impl Future<Output = Result<Vec<(String, NaiveDate)>>> + Send;
    fn stored_pairs(&self) -> impl Future<Output = Result<Option<PairSchedule>>> + Send;
    fn store_pairs(&self, pairs: &PairSchedule) -> impl Future<Output = Result<()>> + Send;
    fn record_checkin(
        &self,
        members: &[String],
        week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
    fn activity_of(
        &self,
        people: &[String],
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Activity>> + Send;
}

/// The database store, as the scheduler sees it: each call is the store's own method.
impl SchedulerStore for Store {
    async fn plan_state(&self) -> Result<Option<PlanState>> {
        Store::plan_state(self).await
    }
    async fn ask_for_replan(&self, reason: &str) -> Result<()> {
        Store::ask_for_replan(self, reason).await
    }
    async fn hold_lease(
        &self,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        Store::hold_lease(self, holder, now, until).await
    }
    async fn release_lease(&self, holder: &str, now: DateTime<Utc>) -> Result<()> {
        Store::release_lease(self, holder, now).await
    }
    async fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> Result<u64> {
        Store::enqueue(self, occurrences, until, now, fence).await
    }
    async fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> Result<(u64, u64)> {
        Store::replan(self, occurrences, from, until, replan, now, fence).await
    }
    async fn skip_stale(&self, older_than: DateTime<Utc>, now: DateTime<Utc>) -> Result<u64> {
        Store::skip_stale(self, older_than, now).await
    }
    async fn skip_superseded(&self, now: DateTime<Utc>) -> Result<u64> {
        Store::skip_superseded(self, now).await
    }
    async fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Delivery>> {
        Store::claim_due(self, claim, now, limit).await
    }
    async fn next_due_at(&self) -> Result<Option<DateTime<Utc>>> {
        Store::next_due_at(self).await
    }
    async fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Delivery>> {
        Store::interrupted_deliveries(self, claimer, now).await
    }
    async fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Store::mark_sending(self, id, claimer, text, channel, now).await
    }
    async fn mark_sent(&self, id: i64, ts: &str, now: DateTime<Utc>) -> Result<()> {
        Store::mark_sent(self, id, ts, now).await
    }
    async fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::mark_retry(self, id, next_attempt_at, error, now).await
    }
    async fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::mark_final(self, id, how, reason, now).await
    }
    async fn unopened_recipients(&self, limit: i64) -> Result<Vec<Recipient>> {
        Store::unopened_recipients(self, limit).await
    }
    async fn dm_channel(&self, members: &str) -> Result<Option<String>> {
        Store::dm_channel(self, members).await
    }
    async fn remember_dm_channel(&self, members: &str, channel: &str) -> Result<()> {
        Store::remember_dm_channel(self, members, channel).await
    }
    async fn channel_named(&self, name: &str) -> Result<Option<String>> {
        Store::channel_named(self, name).await
    }
    async fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::remember_channel_name(self, name, channel, now).await
    }
    async fn slack_timezones(&self) -> Result<Vec<(String, String)>> {
        Store::slack_timezones(self).await
    }
    async fn slack_users_fetched_at(&self) -> Result<HashMap<String, DateTime<Utc>>> {
        Store::slack_users_fetched_at(self).await
    }
    async fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::remember_slack_user(self, slack_id, timezone, real_name, now).await
    }
    async fn email_lookups(&self) -> Result<HashMap<String, EmailLookup>> {
        Store::email_lookups(self).await
    }
    async fn remember_email_lookup(
        &self,
        email: &str,
        slack_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Store::remember_email_lookup(self, email, slack_id, now).await
    }
    async fn slack_statuses(&self) -> Result<HashMap<String, (SlackStatus, DateTime<Utc>)>> {
        Store::slack_statuses(self).await
    }
    async fn remember_status(
        &self,
        slack_id: &str,
        status: &SlackStatus,
        now: DateTime<Utc>,
    ) -> Result<Option<SlackStatus>> {
        Store::remember_status(self, slack_id, status, now).await
    }
    async fn sync_roster(&self, roster: &[Person], now: DateTime<Utc>) -> Result<()> {
        Store::sync_roster(self, roster, now).await
    }
    async fn pauses(&self) -> Result<Vec<(String, NaiveDate)>> {
        Store::pauses(self).await
    }
    async fn stored_pairs(&self) -> Result<Option<PairSchedule>> {
        Store::stored_pairs(self).await
    }
    async fn store_pairs(&self, pairs: &PairSchedule) -> Result<()> {
        Store::store_pairs(self, pairs).await
    }
    async fn record_checkin(
        &self,
        members: &[String],
        week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> Result<()> {
        Store::record_checkin(self, members, week, due_at).await
    }
    async fn activity_of(&self, people: &[String], since: DateTime<Utc>) -> Result<Activity> {
        Store::activity_of(self, people, since).await
    }
}
