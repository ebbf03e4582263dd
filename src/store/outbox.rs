//! The durable outbox: occurrences written before they are sent, and every step of their
//! delivery stamped, so a restart neither loses nor repeats one.

use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::schedule::Occurrence;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Delivery {
    pub id: i64,
    pub key: String,
    pub source: String,
    pub kind: String,
    pub recipient: String,
    pub program_week: i64,
    pub due_at: DateTime<Utc>,
    pub local_time: DateTime<chrono::FixedOffset>,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub text: Option<String>,
    pub channel: Option<String>,
    pub slack_ts: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

macro_rules! columns {
    () => {
        "id, key, source, kind, recipient, program_week, due_at, local_time, status, attempts, next_attempt_at, text, channel, slack_ts, last_error, sent_at, updated_at"
    };
}

impl Store {
    /// Where planning stopped last time, if it ever ran.
    pub async fn planned_until(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(
            sqlx::query_scalar("SELECT planned_until FROM scheduler_state WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Writes `occurrences` (once each: keys are unique) and moves the planning mark to
    /// `until`, in one transaction.
    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    pub async fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for o in occurrences {
            let done = sqlx::query(
                "INSERT OR IGNORE INTO outbox (key, source, kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(o.key())
            .bind(o.source.key())
            .bind(o.kind().as_str())
            .bind(o.recipient.key())
            .bind(i64::from(o.program_week))
            .bind(o.at)
            .bind(o.local)
            .bind(o.at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected();
        }
        sqlx::query("INSERT INTO scheduler_state (id, planned_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET planned_until = excluded.planned_until")
            .bind(until)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Pending occurrences more than the grace window late are skipped: no burst after downtime.
    pub async fn skip_stale(
        &self,
        older_than: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let done = sqlx::query("UPDATE outbox SET status = 'skipped', last_error = 'missed: later than the grace window', updated_at = ? WHERE status = 'pending' AND due_at < ?")
            .bind(now)
            .bind(older_than)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Of several due occurrences of one source for one recipient, only the latest is sent.
    pub async fn skip_superseded(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'skipped', last_error = 'superseded by a later one', updated_at = ?1
             WHERE status = 'pending' AND due_at <= ?1 AND EXISTS (
               SELECT 1 FROM outbox later WHERE later.source = outbox.source AND later.recipient = outbox.recipient
                 AND later.status = 'pending' AND later.due_at > outbox.due_at AND later.due_at <= ?1)",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// Pending occurrences ready to go, oldest first.
    pub async fn due_deliveries(
        &self,
        now: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        Ok(sqlx::query_as(concat!("SELECT ", columns!(), " FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY due_at, id LIMIT ?"))
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Sends that were under way when the process stopped: their outcome must be checked.
    pub async fn interrupted_deliveries(&self) -> anyhow::Result<Vec<Delivery>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'sending' ORDER BY due_at, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Every delivery, for `export --what deliveries` and the tests.
    pub async fn deliveries(&self) -> anyhow::Result<Vec<Delivery>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox ORDER BY due_at, id"
        ))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Stamped before the Slack call, so a crash during it is known afterwards.
    pub async fn mark_sending(
        &self,
        id: i64,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE outbox SET status = 'sending', text = ?, channel = ?, attempts = attempts + 1, updated_at = ? WHERE id = ?")
            .bind(text)
            .bind(channel)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_sent(&self, id: i64, ts: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        sqlx::query("UPDATE outbox SET status = 'sent', slack_ts = ?, sent_at = ?, last_error = NULL, updated_at = ? WHERE id = ?")
            .bind(ts)
            .bind(now)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Back to pending, to be tried again at `next_attempt_at`.
    pub async fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?")
            .bind(next_attempt_at)
            .bind(error)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends a delivery as `failed` or `skipped`, with the reason an admin will read.
    pub async fn mark_final(
        &self,
        id: i64,
        status: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE outbox SET status = ?, last_error = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Queues the delivery `key` again at `at`, if it was sent to `user` (a DM); false otherwise.
    pub async fn snooze(
        &self,
        key: &str,
        user: &str,
        now: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let snoozed = format!("{key}|snoozed:{}", now.format("%Y-%m-%dT%H:%M"));
        let done = sqlx::query(
            "INSERT OR IGNORE INTO outbox (key, source, kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at)
             SELECT ?, source, kind, recipient, program_week, ?, local_time, ?, ? FROM outbox WHERE key = ? AND recipient = ?",
        )
        .bind(&snoozed)
        .bind(at)
        .bind(at)
        .bind(now)
        .bind(key)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Counts by status, for the admins' delivery health.
    pub async fn outbox_counts(&self) -> anyhow::Result<Vec<(String, i64)>> {
        Ok(
            sqlx::query_as("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The latest deliveries parked as failed, newest first.
    pub async fn recent_failures(&self, limit: i64) -> anyhow::Result<Vec<Delivery>> {
        Ok(sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn dm_channel(&self, members: &str) -> anyhow::Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT channel_id FROM dm_channels WHERE members = ?")
                .bind(members)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn remember_dm_channel(&self, members: &str, channel: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT OR REPLACE INTO dm_channels (members, channel_id) VALUES (?, ?)")
            .bind(members)
            .bind(channel)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
