//! The plan: how far each lane of the outbox is written ahead, the re-plans a change asks for,
//! and the pending rows a late start or a later occurrence makes moot.
//!
//! The planner writes in transactions of a bounded number of rows, each holding the write lock
//! for milliseconds: a person's command, click or form waits behind one chunk at most.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};

use super::lease::{Fence, check_fence};
use super::{Store, on_db};
use crate::domain::lane::Lane;
use crate::domain::schedule::Occurrence;

/// Rows a plan writes in one transaction.
pub(super) const PLAN_CHUNK: usize = 250;

/// How far each lane of the outbox is planned, and whether a change asked for it to be planned
/// again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanState {
    /// How far each lane is planned; a lane not here has never been.
    pub lanes: BTreeMap<Lane, DateTime<Utc>>,
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

    /// Writes `occurrences` (once each: keys are unique; one a change had skipped before it
    /// was due comes back), then moves each lane in `marks` to its instant.
    fn enqueue(
        &self,
        occurrences: &[Occurrence],
        marks: &[(Lane, DateTime<Utc>)],
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> impl Future<Output = anyhow::Result<u64>> + Send;

    /// Plans again from `from` after `replan`'s change, `occurrences` being the whole new plan
    /// from there: planned rows it no longer holds are skipped with the change as the reason,
    /// rows a change had skipped that it holds again come back, new ones are added; only rows
    /// whose plan changed are written. `marks` become the lanes. Returns (added, skipped).
    fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        marks: &[(Lane, DateTime<Utc>)],
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

/// What a re-plan writes: the rows to skip, and the occurrences to add (or bring back).
pub(super) fn replan_diff(
    occurrences: &[Occurrence],
    pending: impl IntoIterator<Item = (i64, String)>,
) -> (Vec<i64>, Vec<&Occurrence>) {
    let keys: Vec<String> = occurrences.iter().map(Occurrence::key).collect();
    let wanted: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let mut planned = HashSet::new();
    let mut obsolete = Vec::new();
    for (id, key) in pending {
        if wanted.contains(key.as_str()) {
            planned.insert(key);
        } else {
            obsolete.push(id);
        }
    }
    let fresh = occurrences
        .iter()
        .zip(&keys)
        .filter(|(_, key)| !planned.contains(*key))
        .map(|(o, _)| o)
        .collect();
    (obsolete, fresh)
}

impl Store {
    /// Writes `occurrences` a chunk per transaction, each under the lease; how many were new.
    async fn insert_planned(
        &self,
        occurrences: &[&Occurrence],
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<u64> {
        let mut added = 0;
        for chunk in occurrences.chunks(PLAN_CHUNK) {
            added += on_db!(write self, |pool| {
                let mut tx = pool.begin().await?;
                check_fence!(tx, fence);
                let added = insert_planned!(tx, chunk, now);
                tx.commit().await?;
                added
            });
        }
        Ok(added)
    }

    /// Moves each lane in `marks` to its instant (and with `replan`, makes `marks` the only
    /// lanes and records the re-plan as answered), under the lease.
    async fn set_marks(
        &self,
        marks: &[(Lane, DateTime<Utc>)],
        replan: Option<&Replan>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            check_fence!(tx, fence);
            if replan.is_some() {
                sqlx::query("DELETE FROM plan_lanes").execute(&mut *tx).await?;
            }
            for (lane, until) in marks {
                sqlx::query(
                    "INSERT INTO plan_lanes (lane, planned_until) VALUES ($1, $2)
                     ON CONFLICT (lane) DO UPDATE SET planned_until = excluded.planned_until",
                )
                .bind(lane.key())
                .bind(until)
                .execute(&mut *tx)
                .await?;
            }
            // The earliest lane, for whoever reads the table: the plan is whole up to there.
            sqlx::query(
                "INSERT INTO scheduler_state (id, planned_until) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET planned_until = excluded.planned_until",
            )
            .bind(marks.iter().map(|(_, until)| *until).min().unwrap_or(now))
            .execute(&mut *tx)
            .await?;
            if let Some(replan) = replan {
                sqlx::query("UPDATE scheduler_state SET replan_done = $1 WHERE id = 1")
                    .bind(replan.asked)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}

impl PlanStore for Store {
    async fn plan_state(&self) -> anyhow::Result<Option<PlanState>> {
        let row: Option<(i64, i64, Option<String>)> = on_db!(read self, |pool| {
            sqlx::query_as(
                "SELECT replan_asked, replan_done, replan_reason FROM scheduler_state WHERE id = 1",
            )
            .fetch_optional(pool)
            .await?
        });
        let Some((asked, done, reason)) = row else {
            return Ok(None);
        };
        let lanes: Vec<(String, DateTime<Utc>)> = on_db!(read self, |pool| {
            sqlx::query_as("SELECT lane, planned_until FROM plan_lanes")
                .fetch_all(pool)
                .await?
        });
        Ok(Some(PlanState {
            lanes: lanes
                .into_iter()
                .filter_map(|(key, until)| Some((Lane::parse(&key)?, until)))
                .collect(),
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
        marks: &[(Lane, DateTime<Utc>)],
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<u64> {
        let all: Vec<&Occurrence> = occurrences.iter().collect();
        let added = self.insert_planned(&all, now, fence).await?;
        self.set_marks(marks, None, now, fence).await?;
        Ok(added)
    }

    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    async fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        marks: &[(Lane, DateTime<Utc>)],
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<(u64, u64)> {
        // What is planned now, read beside the writer: only the differences are written.
        let pending: Vec<(i64, String)> = on_db!(read self, |pool| {
            sqlx::query_as(
                "SELECT id, key FROM outbox WHERE status = 'pending' AND origin = 'plan' AND due_at >= $1",
            )
            .bind(from)
            .fetch_all(pool)
            .await?
        });
        let (obsolete, fresh) = replan_diff(occurrences, pending);
        let reason = format!("no longer planned: {}", replan.reason);
        let mut skipped = 0;
        for chunk in obsolete.chunks(PLAN_CHUNK) {
            skipped += on_db!(write self, |pool| {
                let mut tx = pool.begin().await?;
                check_fence!(tx, fence);
                let mut skipped = 0;
                for id in chunk {
                    // Still pending: the sender is this same task, but a row may have ended
                    // some other way since it was read.
                    skipped += sqlx::query(
                        "UPDATE outbox SET status = 'skipped', last_error = $1, updated_at = $2
                         WHERE id = $3 AND status = 'pending'",
                    )
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                tx.commit().await?;
                skipped
            });
        }
        let added = self.insert_planned(&fresh, now, fence).await?;
        self.set_marks(marks, Some(replan), now, fence).await?;
        Ok((added, skipped))
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

/// Writes `$occurrences` in the transaction `$tx` (once each: keys are unique; a row a change
/// skipped before it was due comes back); how many were written.
macro_rules! insert_planned {
    ($tx:expr, $occurrences:expr, $now:expr) => {{
        let mut added: u64 = 0;
        for o in $occurrences {
            added += sqlx::query(
                "INSERT INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9)
                 ON CONFLICT (key) DO UPDATE SET status = 'pending', last_error = NULL, updated_at = excluded.updated_at
                 WHERE outbox.status = 'skipped' AND outbox.origin = 'plan' AND outbox.due_at >= excluded.updated_at",
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
