//! The durable outbox: occurrences planned days ahead, written before they are sent, and
//! every step of their delivery stamped, so a restart neither loses nor repeats one.

use chrono::{DateTime, FixedOffset, Utc};

use super::{Store, on_db};
use crate::domain::schedule::{MessageKind, Occurrence, Recipient, RecipientKind, Source};

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        [
            DeliveryStatus::Pending,
            DeliveryStatus::Sending,
            DeliveryStatus::Sent,
            DeliveryStatus::Failed,
            DeliveryStatus::Skipped,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
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
    /// RFC 3339 with the recipient's offset, which a PostgreSQL TIMESTAMPTZ would drop.
    local_time: String,
    status: String,
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
        let local = DateTime::<FixedOffset>::parse_from_rfc3339(&r.local_time)
            .map_err(|_| unreadable("local time", &r.local_time))?;
        let status =
            DeliveryStatus::parse(&r.status).ok_or_else(|| unreadable("status", &r.status))?;
        Ok(Delivery {
            id: r.id,
            key: r.key,
            occurrence: Occurrence {
                source,
                recipient,
                at: r.due_at,
                local,
                program_week,
            },
            status,
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

impl Store {
    /// Every delivery, for `export --what deliveries` and the tests.
    pub async fn deliveries(&self) -> anyhow::Result<Vec<Delivery>> {
        readable(on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox ORDER BY due_at, id"
        ))
        .fetch_all(pool)
        .await?))
    }

    /// What is planned for `slack_id` (alone or in a group) from `from` on, soonest first.
    pub async fn planned_for(
        &self,
        slack_id: &str,
        from: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| {
            sqlx::query_as(dialect.pick(
            concat!(
                "SELECT ",
                columns!(),
                " FROM outbox WHERE status = 'pending' AND due_at >= $1 AND (recipient = $2
                   OR (recipient_kind = 'group' AND instr('+' || recipient || '+', '+' || $2 || '+') > 0))
                 ORDER BY due_at, id LIMIT $3"
            ),
            concat!(
                "SELECT ",
                columns!(),
                " FROM outbox WHERE status = 'pending' AND due_at >= $1 AND (recipient = $2
                   OR (recipient_kind = 'group' AND strpos('+' || recipient || '+', '+' || $2 || '+') > 0))
                 ORDER BY due_at, id LIMIT $3"
            ),
        ))
        .bind(from)
        .bind(slack_id)
        .bind(limit)
        .fetch_all(pool)
        .await?
        });
        Ok(rows.into_iter().filter_map(|r| r.try_into().ok()).collect())
    }

    /// Counts by status, for the admins' delivery health.
    pub async fn outbox_counts(&self) -> anyhow::Result<Vec<(DeliveryStatus, i64)>> {
        let counts: Vec<(String, i64)> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT status, count(*) FROM outbox GROUP BY status ORDER BY status"
        )
        .fetch_all(pool)
        .await?);
        // A status this version does not know is left out of the counts, not an error.
        Ok(counts
            .into_iter()
            .filter_map(|(status, n)| Some((DeliveryStatus::parse(&status)?, n)))
            .collect())
    }

    /// The latest deliveries parked as failed, newest first.
    pub async fn recent_failures(&self, limit: i64) -> anyhow::Result<Vec<Delivery>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().filter_map(|r| r.try_into().ok()).collect())
    }
}

/// The outbox as the sender works through it.
pub trait OutboxStore {
    /// Claims the pending occurrences ready to go, oldest first, for `claim.by` until
    /// `claim.until`: rows nobody claimed, its own, and those whose claim ran out (their
    /// claimer died). One statement, so two claimers never get the same row (on PostgreSQL, a
    /// row another claimer is taking is skipped, not waited for). A row this version cannot
    /// read is parked as failed with the reason, instead of stopping every later one.
    fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> impl Future<Output = anyhow::Result<Vec<Delivery>>> + Send;

    /// When the next pending delivery is due, if any.
    fn next_due_at(&self) -> impl Future<Output = anyhow::Result<Option<DateTime<Utc>>>> + Send;

    /// How many pending messages are due at `now`: what a long send has left.
    fn count_due(&self, now: DateTime<Utc>) -> impl Future<Output = anyhow::Result<u64>> + Send;

    /// Sends under way whose outcome must be checked: `claimer`'s own, and those of a claimer
    /// whose claim ran out by `now` (it died mid-send).
    fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Vec<Delivery>>> + Send;

    /// Stamped before the Slack call, so a crash during it is known afterwards; only by the
    /// row's claimer, and only while it is pending. False when another replica took it over:
    /// then it is theirs to send.
    fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send;

    fn mark_sent(
        &self,
        id: i64,
        ts: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Back to pending, to be tried again at `next_attempt_at`.
    fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Ends a delivery as failed or skipped, with the reason an admin will read.
    fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Person and group recipients of pending rows whose DM channel is not known yet, soonest
    /// due first: the channels to open before their messages are due.
    fn unopened_recipients(
        &self,
        limit: i64,
    ) -> impl Future<Output = anyhow::Result<Vec<Recipient>>> + Send;
}

impl OutboxStore for Store {
    async fn claim_due(
        &self,
        claim: Claim<'_>,
        now: DateTime<Utc>,
        limit: i64,
    ) -> anyhow::Result<Vec<Delivery>> {
        let mut rows: Vec<Row> = on_db!(write self, |pool, dialect| sqlx::query_as(dialect.pick(
            concat!(
                "UPDATE outbox SET claimed_by = $1, claim_until = $2 WHERE id IN (
                   SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
                     AND (claimed_by IS NULL OR claimed_by = $1 OR claim_until <= $3)
                   ORDER BY due_at, id LIMIT $4)
                 RETURNING ",
                columns!()
            ),
            concat!(
                "UPDATE outbox SET claimed_by = $1, claim_until = $2 WHERE id IN (
                   SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $3
                     AND (claimed_by IS NULL OR claimed_by = $1 OR claim_until <= $3)
                   ORDER BY due_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
                 RETURNING ",
                columns!()
            ),
        ))
        .bind(claim.by)
        .bind(claim.until)
        .bind(now)
        .bind(limit)
        .fetch_all(pool)
        .await?);
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

    async fn count_due(&self, now: DateTime<Utc>) -> anyhow::Result<u64> {
        let n: i64 = on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT count(*) FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1"
        )
        .bind(now)
        .fetch_one(pool)
        .await?);
        Ok(u64::try_from(n)?)
    }

    async fn next_due_at(&self) -> anyhow::Result<Option<DateTime<Utc>>> {
        Ok(on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending'"
        )
        .fetch_one(pool)
        .await?))
    }

    async fn interrupted_deliveries(
        &self,
        claimer: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Vec<Delivery>> {
        readable(on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM outbox WHERE status = 'sending'
               AND (claimed_by IS NULL OR claimed_by = $1 OR claim_until <= $2)
             ORDER BY due_at, id"
        ))
        .bind(claimer)
        .bind(now)
        .fetch_all(pool)
        .await?))
    }

    async fn mark_sending(
        &self,
        id: i64,
        claimer: &str,
        text: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let marked = on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE outbox SET status = 'sending', text = $1, channel = $2, attempts = attempts + 1, updated_at = $3
             WHERE id = $4 AND status = 'pending' AND claimed_by = $5",
        )
        .bind(text)
        .bind(channel)
        .bind(now)
        .bind(id)
        .bind(claimer)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(marked == 1)
    }

    async fn mark_sent(&self, id: i64, ts: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE outbox SET status = 'sent', slack_ts = $1, sent_at = $2, last_error = NULL, updated_at = $2 WHERE id = $3"
        )
        .bind(ts)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }

    async fn mark_retry(
        &self,
        id: i64,
        next_attempt_at: DateTime<Utc>,
        error: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE outbox SET status = 'pending', next_attempt_at = $1, last_error = $2, updated_at = $3 WHERE id = $4"
        )
        .bind(next_attempt_at)
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }

    async fn mark_final(
        &self,
        id: i64,
        how: Settled,
        reason: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, updated_at = $3 WHERE id = $4"
        )
        .bind(DeliveryStatus::from(how).as_str())
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    async fn unopened_recipients(&self, limit: i64) -> anyhow::Result<Vec<Recipient>> {
        let rows: Vec<(String, String)> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT recipient_kind, recipient FROM outbox
             WHERE status = 'pending' AND recipient_kind IN ('person', 'group')
               AND NOT EXISTS (SELECT 1 FROM dm_channels WHERE members = outbox.recipient)
             GROUP BY recipient_kind, recipient ORDER BY min(due_at) LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?);
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

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;
    use crate::domain::lane::Lane;
    use crate::store::{Fence, LeaseStore, PlanStore};

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
        for (db, store) in crate::store::testing::stores().await {
            claims_on(db, &store).await;
        }
    }

    async fn claims_on(db: &str, store: &Store) {
        let t = Utc.with_ymd_and_hms(2027, 1, 11, 13, 30, 0).unwrap();
        let a = crate::store::Holder {
            id: "a".into(),
            host: "test".into(),
            pid: 1,
        };
        let epoch = store.hold_lease(&a, t, t + Duration::seconds(12)).await;
        let fence = Fence {
            holder: "a",
            epoch: epoch.unwrap().unwrap(),
        };
        let due = [prompt("U1", t), prompt("U2", t)];
        store
            .enqueue(
                &due,
                &[(Lane::Trigger("sprint-kickoff".into()), t)],
                t,
                fence,
            )
            .await
            .unwrap();
        let until = t + Duration::seconds(12);
        let claim = |by| Claim { by, until };

        let mine = store.claim_due(claim("a"), t, 10).await.unwrap();
        assert_eq!(mine.len(), 2, "{db}");
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
            "{db}: only the claimer marks it"
        );
        assert!(
            store
                .interrupted_deliveries("b", t)
                .await
                .unwrap()
                .is_empty(),
            "{db}: a's send under way is a's to settle"
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
            "{db}: the send a left under way is b's to check"
        );
        assert!(
            !store
                .mark_sending(mine[1].id, "a", "hi", "D2", later)
                .await
                .unwrap(),
            "{db}: a, back, cannot send what b took over"
        );
        assert!(
            store
                .mark_sending(mine[1].id, "b", "hi", "D2", later)
                .await
                .unwrap()
        );
    }
}
