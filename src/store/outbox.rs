//! The durable outbox: occurrences planned days ahead, written before they are sent, and
//! every step of their delivery stamped, so a restart neither loses nor repeats one.

use std::collections::HashSet;

use chrono::{DateTime, FixedOffset, Utc};

use super::Store;
use super::lease::{Fence, check_fence};
use crate::domain::schedule::{MessageKind, Occurrence, Recipient, RecipientKind, Source};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(type_name = "TEXT", rename_all = "lowercase")]
pub enum DeliveryStatus {
    Pending,
    /// Handed to Slack; whether it arrived is checked before anything is sent again.
    Sending,
    Sent,
    Failed,
    Skipped,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Sending => "sending",
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Skipped => "skipped",
        }
    }
}

/// How a delivery ended when it did not go: the status and the reason an admin reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    Failed,
    Skipped,
}

impl From<Settled> for DeliveryStatus {
    fn from(s: Settled) -> DeliveryStatus {
        match s {
            Settled::Failed => DeliveryStatus::Failed,
            Settled::Skipped => DeliveryStatus::Skipped,
        }
    }
}

/// One outbox row, read back into the occurrence it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub key: String,
    pub occurrence: Occurrence,
    pub status: DeliveryStatus,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub text: Option<String>,
    pub channel: Option<String>,
    pub slack_ts: Option<String>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Delivery {
    pub fn kind(&self) -> MessageKind {
        self.occurrence.kind()
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    key: String,
    source: String,
    recipient_kind: String,
    recipient: String,
    program_week: i64,
    due_at: DateTime<Utc>,
    local_time: DateTime<FixedOffset>,
    status: DeliveryStatus,
    attempts: i64,
    next_attempt_at: DateTime<Utc>,
    text: Option<String>,
    channel: Option<String>,
    slack_ts: Option<String>,
    last_error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<Row> for Delivery {
    /// The row's id and why this version cannot read it.
    type Error = (i64, String);

    fn try_from(r: Row) -> Result<Delivery, (i64, String)> {
        let unreadable = |what: &str, value: &str| (r.id, format!("unreadable {what} `{value}`"));
        let source = Source::parse(&r.source).ok_or_else(|| unreadable("source", &r.source))?;
        let recipient = RecipientKind::parse(&r.recipient_kind)
            .and_then(|kind| Recipient::from_key(kind, &r.recipient))
            .ok_or_else(|| unreadable("recipient", &r.recipient))?;
        let program_week = u32::try_from(r.program_week)
            .map_err(|_| unreadable("week", &r.program_week.to_string()))?;
        Ok(Delivery {
            id: r.id,
            key: r.key,
            occurrence: Occurrence {
                source,
                recipient,
                at: r.due_at,
                local: r.local_time,
                program_week,
            },
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            text: r.text,
            channel: r.channel,
            slack_ts: r.slack_ts,
            last_error: r.last_error,
            sent_at: r.sent_at,
            updated_at: r.updated_at,
        })
    }
}

macro_rules! columns {
    () => {
        "id, key, source, recipient_kind, recipient, program_week, due_at, local_time, status, attempts, next_attempt_at, text, channel, slack_ts, last_error, sent_at, updated_at"
    };
}

/// A sender's hold on the rows it claims: who, and until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claim<'a> {
    pub by: &'a str,
    pub until: DateTime<Utc>,
}

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

impl Store {
    /// How far the outbox is planned; `None` before the first plan.
    pub async fn plan_state(&self) -> anyhow::Result<Option<PlanState>> {
        let row: Option<(DateTime<Utc>, i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT planned_until, replan_asked, replan_done, replan_reason FROM scheduler_state WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(planned_until, asked, done, reason)| PlanState {
            planned_until,
            changes: asked,
            replan: (asked > done).then(|| Replan {
                asked,
                reason: reason.unwrap_or_else(|| "the program changed".into()),
            }),
        }))
    }

    /// Asks the scheduler to plan its horizon again, because of `reason`. Cheap, and safe
    /// from any replica: the scheduler answers it on its next tick.
    pub async fn ask_for_replan(&self, reason: &str) -> anyhow::Result<()> {
        sqlx::query("UPDATE scheduler_state SET replan_asked = replan_asked + 1, replan_reason = ? WHERE id = 1")
            .bind(reason)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes `occurrences` (once each: keys are unique) and moves the planning mark to
    /// `until`, in one transaction.
    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    pub async fn enqueue(
        &self,
        occurrences: &[Occurrence],
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<u64> {
        let mut tx = self.pool.begin().await?;
        check_fence(&mut tx, fence).await?;
        let added = insert_planned(&mut tx, occurrences, now).await?;
        set_planned_until(&mut tx, until).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// Plans `[from, until)` again after `replan`'s change: pending planned rows due from
    /// `from` on that the new plan no longer holds are skipped with the change as the reason;
    /// new ones are added. One transaction. Returns (added, skipped).
    #[tracing::instrument(skip_all, fields(count = occurrences.len()))]
    pub async fn replan(
        &self,
        occurrences: &[Occurrence],
        from: DateTime<Utc>,
        until: DateTime<Utc>,
        replan: &Replan,
        now: DateTime<Utc>,
        fence: Fence<'_>,
    ) -> anyhow::Result<(u64, u64)> {
        let mut tx = self.pool.begin().await?;
        // A write first, so the write lock is taken: a transaction that reads, then writes
        // after another commit fails at once (SQLITE_BUSY_SNAPSHOT) instead of waiting its turn.
        check_fence(&mut tx, fence).await?;
        let planned: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, key FROM outbox WHERE status = 'pending' AND origin = 'plan' AND due_at >= ?",
        )
        .bind(from)
        .fetch_all(&mut *tx)
        .await?;
        let keep: HashSet<String> = occurrences.iter().map(Occurrence::key).collect();
        let reason = format!("no longer planned: {}", replan.reason);
        let mut skipped = 0;
        for (id, key) in planned {
            if !keep.contains(&key) {
                sqlx::query("UPDATE outbox SET status = 'skipped', last_error = ?, updated_at = ? WHERE id = ?")
                    .bind(&reason)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                skipped += 1;
            }
        }
        let added = insert_planned(&mut tx, occurrences, now).await?;
        set_planned_until(&mut tx, until).await?;
        sqlx::query("UPDATE scheduler_state SET replan_done = ? WHERE id = 1")
            .bind(replan.asked)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((added, skipped))
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

    /// Claims the pending occurrences ready to go, oldest first, for `claim.by` until
    /// `claim.until`: rows nobody claimed, its own, and those whose claim ran out (their
    /// claimer died). One statement, so two claimers never get the same row. A row this
    /// version cannot read is parked as failed with the reason, instead of stopping every
    /// later one.
    pub async fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let mut rows: Vec<Row> = sqlx::query_as(concat!(
            "UPDATE outbox SET claimed_by = ?1, claim_until = ?2 WHERE id IN (
               SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?3
                 AND (claimed_by IS NULL OR claimed_by = ?1 OR claim_until <= ?3)
               ORDER BY due_at, id LIMIT ?4)
             RETURNING ",
            columns!()
        ))
        .bind(claim.by)
        .bind(claim.until)
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        // RETURNING keeps no order.
        rows.sort_by_key(|r| (r.due_at, r.id));
        let mut due = Vec::with_capacity(rows.len());
        for row in rows {
            match Delivery::try_from(row) {
                Ok(d) => due.push(d),
                Err((id, why)) => {
                    tracing::error!(id, %why, "outbox row parked as failed");
                    self.mark_final(id, Settled::Failed, &why, now).await?;
                }
            }
        }
        Ok(due)
    }

    /// When the next pending delivery is due, if any.
    pub async fn next_due_at(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(
            sqlx::query_scalar("SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'")
                .fetch_one(&self.pool)
                .await?,
        )
    }

    /// Sends under way whose outcome must be checked: `claimer`'s own, and those of a claimer
    /// whose claim ran out by `now` (it died mid-send).
    pub async fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        readable(
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM outbox WHERE status = 'sending'
                   AND (claimed_by IS NULL OR claimed_by = ?1 OR claim_until <= ?2)
                 ORDER BY due_at, id"
            ))
            .bind(claimer)
            .bind(now)
            .fetch_all(&self.pool)
            .await?,
        )
    }

    /// Every delivery, for `export --what deliveries` and the tests.
    pub async fn deliveries(&self) -> anyhow::Result<Vec<Delivery>> {
        readable(
            sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM outbox ORDER BY due_at, id"
            ))
            .fetch_all(&self.pool)
            .await?,
        )
    }

    /// What is planned for `slack_id` (alone or in a group) from `from` on, soonest first.
    pub async fn planned_for(
        &self,
        slack_id: &str,
        from: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'pending' AND due_at >= ?1 AND (recipient = ?2
               OR (recipient_kind = 'group' AND instr('+' || recipient || '+', '+' || ?2 || '+') > 0))
             ORDER BY due_at, id LIMIT ?3"
        ))
        .bind(from)
        .bind(slack_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(|r| r.try_into().ok()).collect())
    }

    /// Stamped before the Slack call, so a crash during it is known afterwards; only by the
    /// row's claimer, and only while it is pending. False when another replica took it over:
    /// then it is theirs to send.
    pub async fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query(
            "UPDATE outbox SET status = 'sending', text = ?, channel = ?, attempts = attempts + 1, updated_at = ?
             WHERE id = ? AND status = 'pending' AND claimed_by = ?",
        )
        .bind(text)
        .bind(channel)
        .bind(now)
        .bind(id)
        .bind(claimer)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
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

    /// Ends a delivery as failed or skipped, with the reason an admin will read.
    pub async fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query("UPDATE outbox SET status = ?, last_error = ?, updated_at = ? WHERE id = ?")
            .bind(DeliveryStatus::from(how))
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts by status, for the admins' delivery health.
    pub async fn outbox_counts(&self) -> anyhow::Result<Vec<(DeliveryStatus, i64)>> {
        Ok(
            sqlx::query_as("SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The latest deliveries parked as failed, newest first.
    pub async fn recent_failures(&self, limit: i64) -> anyhow::Result<Vec<Delivery>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().filter_map(|r| r.try_into().ok()).collect())
    }

    /// Person and group recipients of pending rows whose DM channel is not known yet, soonest
    /// due first: the channels to open before their messages are due.
    pub async fn unopened_recipients(&self, limit: i64) -> anyhow::Result<Vec<Recipient>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT recipient_kind, recipient FROM outbox
             WHERE status = 'pending' AND recipient_kind IN ('person', 'group')
               AND NOT EXISTS (SELECT 1 FROM dm_channels WHERE members = outbox.recipient)
             GROUP BY recipient_kind, recipient ORDER BY min(due_at) LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(kind, key)| Recipient::from_key(RecipientKind::parse(&kind)?, &key))
            .collect())
    }
}

/// Rows read back, or an error naming the first this version cannot read.
fn readable(rows: Vec<Row>) -> anyhow::Result<Vec<Delivery>> {
    rows.into_iter()
        .map(|r| {
            Delivery::try_from(r).map_err(|(id, why)| anyhow::anyhow!("outbox row {id}: {why}"))
        })
        .collect()
}

async fn insert_planned(
    tx: &mut sqlx::SqliteConnection,
    occurrences: &[Occurrence],
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    let mut added = 0;
    for o in occurrences {
        let done = sqlx::query(
            "INSERT OR IGNORE INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(o.key())
        .bind(o.source.key())
        .bind(o.kind().as_str())
        .bind(o.recipient.kind().as_str())
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
    Ok(added)
}

async fn set_planned_until(
    tx: &mut sqlx::SqliteConnection,
    until: DateTime<Utc>,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO scheduler_state (id, planned_until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET planned_until = excluded.planned_until")
        .bind(until)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    fn prompt(user: &str, at: DateTime<Utc>) -> Occurrence {
        Occurrence {
            source: Source::Trigger("sprint-kickoff".into()),
            recipient: Recipient::Person(user.into()),
            at,
            local: at.fixed_offset(),
            program_week: 1,
        }
    }

    #[tokio::test]
    async fn a_due_row_is_sent_by_its_claimer_alone_until_the_claim_runs_out() {
        let store = Store::open_in_memory().await.unwrap();
        let t = Utc.with_ymd_and_hms(2027, 1, 11, 13, 30, 0).unwrap();
        let epoch = store.hold_lease("a", t, t + Duration::seconds(12)).await;
        let fence = Fence {
            holder: "a",
            epoch: epoch.unwrap().unwrap(),
        };
        let due = [prompt("U1", t), prompt("U2", t)];
        store.enqueue(&due, t, t, fence).await.unwrap();
        let until = t + Duration::seconds(12);
        let claim = |by| Claim { by, until };

        let mine = store.claim_due(claim("a"), t, 10).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(store.claim_due(claim("b"), t, 10).await.unwrap().is_empty());
        assert!(
            store
                .mark_sending(mine[0].id, "a", "hi", "D1", t)
                .await
                .unwrap()
        );
        assert!(
            !store
                .mark_sending(mine[1].id, "b", "hi", "D2", t)
                .await
                .unwrap(),
            "only the claimer marks it"
        );
        assert!(
            store
                .interrupted_deliveries("b", t)
                .await
                .unwrap()
                .is_empty(),
            "a's send under way is a's to settle"
        );

        // a dies; its claims run out and b takes over both rows' fates.
        let later = until;
        let taken = store.claim_due(claim("b"), later, 10).await.unwrap();
        assert_eq!(taken.iter().map(|d| d.id).collect::<Vec<_>>(), [mine[1].id]);
        assert_eq!(
            store
                .interrupted_deliveries("b", later)
                .await
                .unwrap()
                .len(),
            1,
            "the send a left under way is b's to check"
        );
        assert!(
            !store
                .mark_sending(mine[1].id, "a", "hi", "D2", later)
                .await
                .unwrap(),
            "a, back, cannot send what b took over"
        );
        assert!(
            store
                .mark_sending(mine[1].id, "b", "hi", "D2", later)
                .await
                .unwrap()
        );
    }
}
