//! Messages people ask for, beside the planned ones: a win shared, a notice (a partner told of a
//! pause, a form's confirmation), a prompt snoozed until tomorrow. Each is an outbox row like
//! any other, once however often it is asked for.

use chrono::{DateTime, Utc};

use super::Store;
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
        let done = sqlx::query(
            "INSERT OR IGNORE INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at, origin, text)
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?7, ?9, 'request', ?10
             WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE source = ?2 AND recipient = ?5)",
        )
        .bind(o.key())
        .bind(o.source.key())
        .bind(o.kind().as_str())
        .bind(o.recipient.kind().as_str())
        .bind(o.recipient.key())
        .bind(i64::from(o.program_week))
        .bind(o.at)
        .bind(o.local)
        .bind(now)
        .bind(text)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
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
        let done = sqlx::query(
            "INSERT OR IGNORE INTO outbox (key, source, kind, recipient_kind, recipient, program_week, due_at, local_time, next_attempt_at, updated_at, origin)
             SELECT ?, source, kind, recipient_kind, recipient, program_week, ?, local_time, ?, ?, 'snooze' FROM outbox
             WHERE key = ? AND recipient_kind = 'person' AND recipient = ?",
        )
        .bind(&snoozed)
        .bind(at)
        .bind(at)
        .bind(now)
        .bind(key)
        .bind(user)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Snoozed::Queued);
        }
        let already: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM outbox WHERE key = ? AND recipient_kind = 'person' AND recipient = ?)",
        )
        .bind(&snoozed)
        .bind(user)
        .fetch_one(&self.pool)
        .await?;
        Ok(if already {
            Snoozed::Already
        } else {
            Snoozed::NotTheirs
        })
    }
}
