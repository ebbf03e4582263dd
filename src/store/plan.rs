//! The plan: how far the outbox is written ahead, the re-plans a change asks for, and the
//! pending rows a late start or a later occurrence makes moot.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::lease::{Fence, check_fence};
use super::{Store, on_db};
use crate::domain::schedule::Occurrence;

/// How far the outbox is planned, and whether a change asked for it to be planned again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanState {
    pub planned_until: DateTime<Utc>,
    /// Set when a change (reload, pause, timezone, pairs) awaits a re-plan: what changed.
    pub replan: Option<Replan>,
    /// How many changes were ever asked for: a replica standing by sees from it that the
    /// holder learnt something (people found by email) without reading what.
    pub changes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replan {
    /// The ask being answered: a later ask made while re-planning is answered next time.
    pub asked: i64,
    pub reason: String,
}

/// How far the outbox is planned and what a change asks to plan again.
pub trait PlanStore {
    /// How far the outbox is planned; `None` before the first plan.
    fn plan_state(&self) -> impl Future<Output = anyhow::Result<Option<PlanState>>> + Send;

    /// Asks the scheduler to plan its horizon again, because of `reason`. Cheap, and safe
    /// from any replica: the scheduler answers it on its next tick.
    fn ask_for_replan(&self, reason: &str) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Writes `occurrences` (once each: keys are unique) and moves the planning mark to
    /// `until`, in one transaction.
    fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send;

    /// Plans `[from, until)` again after `replan`'s change: pending planned rows due from
    /// `from` on that the new plan no longer holds are skipped with the change as the reason;
    /// new ones are added. One transaction. Returns (added, skipped).
    fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> impl Future<Output = anyhow::Result<(u64, u64)>> + Send;

    /// Pending occurrences more than the grace window late are skipped: no burst after downtime.
    fn skip_stale(
        &self,
        older_than: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send;

    /// Of several due occurrences of one source for one recipient, only the latest is sent.
    fn skip_superseded(
        &self,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send;
}

impl PlanStore for Store {
    async fn plan_state(&self) -> anyhow::Result<Option<PlanState>> {
        let row: Option<(DateTime<Utc>, i64, i64, Option<String>)> = on_db!(read self, |pool| {
            sqlx::query_as(
            "SELECT planned_until, replan_asked, replan_done, replan_reason FROM scheduler_state WHERE id = 1",
        )
        .fetch_optional(pool)
        .await?
        });
        Ok(row.map(|(planned_until, asked, done, reason)| PlanState {
            planned_until,
            changes: asked,
            replan: (asked > done).then(|| Replan {
                asked,
                reason: reason.unwrap_or_else(|| "the program changed".into()),
            }),
        }))
    }

    async fn ask_for_replan(&self, reason: &str) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE scheduler_state SET replan_asked = replan_asked + 1, replan_reason = $1 WHERE id = 1"
        )
        .bind(reason)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }

    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    async fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<u64> {
        Ok(on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            check_fence!(tx, fence);
            let added = insert_planned!(tx, occurrences, now);
            set_planned_until!(tx, until);
            tx.commit().await?;
            added
        }))
    }

    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    async fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<(u64, u64)> {
        let keep: HashSet<String> = occurrences.iter().map(Occurrence::key).collect();
        let reason = format!("no longer planned: {}", replan.reason);
        Ok(on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            // A write first, so SQLite's write lock is taken: a transaction that reads, then
            // writes after another commit fails at once (SQLITE_BUSY_SNAPSHOT) instead of
            // waiting its turn.
            check_fence!(tx, fence);
            let planned: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, key FROM outbox WHERE status = 'pending' AND origin = 'plan' AND due_at >= $1",
            )
            .bind(from)
            .fetch_all(&mut *tx)
            .await?;
            let mut skipped = 0;
            for (id, key) in planned {
                if !keep.contains(&key) {
                    sqlx::query(
                        "UPDATE outbox SET status = 'skipped', last_error = $1, updated_at = $2 WHERE id = $3",
                    )
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    skipped += 1;
                }
            }
            let added = insert_planned!(tx, occurrences, now);
            set_planned_until!(tx, until);
            sqlx::query("UPDATE scheduler_state SET replan_done = $1 WHERE id = 1")
                .bind(replan.asked)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            (added, skipped)
        }))
    }

    async fn skip_stale(
        &self,
        older_than: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        Ok(on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE outbox SET status = 'skipped', last_error = 'missed: later than the grace window', updated_at = $1
             WHERE status = 'pending' AND due_at < $2"
        )
        .bind(now)
        .bind(older_than)
        .execute(pool)
        .await?
        .rows_affected()
        }))
    }

    async fn skip_superseded(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        Ok(on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE outbox SET status = 'skipped', last_error = 'superseded by a later one', updated_at = $1
             WHERE status = 'pending' AND due_at <= $1 AND EXISTS (
               SELECT 1 FROM outbox later WHERE later.source = outbox.source AND later.recipient = outbox.recipient
                 AND later.status = 'pending' AND later.due_at > outbox.due_at AND later.due_at <= $1)",
        )
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        }))
    }
}

/// Writes `$occurrences` in the transaction `$tx` (once each: keys are unique); how many were new.
macro_rules! insert_planned {
    ($tx:expr, $occurrences:expr, $now:expr) => {{
        let mut added: u64 = 0;
        for o in $occurrences {
            added += sqlx::query(
                "INSERT INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9)
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(o.key())
            .bind(o.source.key())
            .bind(o.kind().as_str())
            .bind(o.recipient.kind().as_str())
            .bind(o.recipient.key())
            .bind(i64::from(o.program_week))
            .bind(o.at)
            .bind(o.local.to_rfc3339())
            .bind($now)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        }
        added
    }};
}
use insert_planned;

/// Moves the planning mark to `$until`, in the transaction `$tx`.
macro_rules! set_planned_until {
    ($tx:expr, $until:expr) => {
        sqlx::query(
            "INSERT INTO scheduler_state (id, planned_until) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET planned_until = excluded.planned_until",
        )
        .bind($until)
        .execute(&mut *$tx)
        .await?
    };
}
use set_planned_until;
