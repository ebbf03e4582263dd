//! Messages people ask for, beside the planned ones: a win shared, a notice (a partner told of a
//! pause, a form's confirmation), a prompt snoozed until tomorrow. Each is an outbox row like
//! any other, once however often it is asked for.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::schedule::Occurrence;

/// What a snooze did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Snoozed {
    Queued,
    /// Asked before: the message comes again once.
    Already,
    /// Not a message sent to the one asking.
    NotTheirs,
}

impl Store {
    /// Queues a message someone asked for, due now: a win shared, or a notice with its `text`
    /// written now. False when the same source already went, or is going, to that recipient:
    /// a second click shares nothing twice.
    pub async fn request_post(
        &self,
        o: &Occurrence,
        text: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        // On PostgreSQL two replicas asked at once can both find no row; the unique index on
        // requested (source, recipient) turns the second insert away.
        let added = on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at, origin, text)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $7, $9, 'request', $10
             WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE source = $2 AND recipient = $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(o.key())
        .bind(o.source.key())
        .bind(o.kind().as_str())
        .bind(o.recipient.kind().as_str())
        .bind(o.recipient.key())
        .bind(i64::from(o.program_week))
        .bind(o.at)
        .bind(o.local.to_rfc3339())
        .bind(now)
        .bind(text)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(added == 1)
    }

    /// Queues the delivery `key` again at `at`, if it was sent to `user` (a DM), once however
    /// often (and through whichever replica) it is asked.
    pub async fn snooze(
        &self,
        key: &str,
        user: &str,
        now: DateTime<Utc>,
        at: DateTime<Utc>,
    ) -> anyhow::Result<Snoozed> {
        let snoozed = format!("{key}|snoozed");
        let queued = on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at, origin)
             SELECT $1, source, kind, recipient_kind, recipient, program_week, $2, local_time, $2, $3, 'snooze' FROM outbox
             WHERE key = $4 AND recipient_kind = 'person' AND recipient = $5
             ON CONFLICT DO NOTHING",
        )
        .bind(&snoozed)
        .bind(at)
        .bind(now)
        .bind(key)
        .bind(user)
        .execute(pool)
        .await?
        .rows_affected()
        });
        if queued == 1 {
            return Ok(Snoozed::Queued);
        }
        let already: bool = on_db!(read self, |pool| {
            sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE key = $1 AND recipient_kind = 'person' AND recipient = $2)",
        )
        .bind(&snoozed)
        .bind(user)
        .fetch_one(pool)
        .await?
        });
        Ok(if already {
            Snoozed::Already
        } else {
            Snoozed::NotTheirs
        })
    }
}
