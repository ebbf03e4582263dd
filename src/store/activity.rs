//! The records of a set of people, read by index: what composing their messages needs.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::absence::SlackStatus;
use crate::domain::activity::Activity;
use crate::domain::checkin::Group;
use crate::domain::compose::Involved;
use crate::domain::reinforcement::Asked;

/// The records a message is composed from, and the one the scheduler makes (a check-in sent).
pub trait RecordStore {
    /// Records that `members` were brought together at `due_at` (once, however often called).
    fn record_checkin(
        &self,
        members: &Group,
        week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Records that a question was asked (once, however often called).
    fn record_asked(&self, asked: &Asked) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Commitments, practice since `since`, pulse answers, pauses and Slack statuses of the
    /// people `involved`, and the check-ins of those whose check-ins are read: by index, so a
    /// batch costs what its people did, not what the whole roster did.
    fn activity_of(
        &self,
        involved: &Involved,
        since: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Activity>> + Send;
}

impl RecordStore for Store {
    async fn record_checkin(
        &self,
        members: &Group,
        week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let sorted = members.sorted();
        on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO checkins (members, program_week, due_at) VALUES ($1, $2, $3)
                 ON CONFLICT (members, due_at) DO NOTHING RETURNING id",
            )
            .bind(sorted.key())
            .bind(week.map(i64::from))
            .bind(due_at)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                for member in &sorted {
                    sqlx::query(
                        "INSERT INTO checkin_members (checkin_id, slack_id) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id)
                    .bind(member)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?
        });
        Ok(())
    }

    async fn record_asked(&self, asked: &Asked) -> anyhow::Result<()> {
        Store::record_asked(self, asked).await
    }

    async fn activity_of(
        &self,
        involved: &Involved,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Activity> {
        let questioned = involved.questioned();
        if questioned.is_empty() {
            return Ok(Activity::default());
        }
        let whole = serde_json::to_string(&involved.questions_of)?;
        let (memories, asked) = self
            .reinforcement_of_people(
                &serde_json::to_string(&questioned)?,
                involved.asked_since,
                &whole,
            )
            .await?;
        // A batch of questions alone reads nothing else.
        if involved.people.is_empty() {
            return Ok(Activity::default().with_reinforcement(memories, asked));
        }
        // One parameter, a JSON array, keeps the statement static however many people.
        let ids = serde_json::to_string(&involved.people)?;
        let commitments = self.commitments_of_people(&involved.people).await?;
        let practice = self.practice_of_people(&involved.people, since).await?;
        let checkins = match involved.checkins_of.as_slice() {
            [] => Vec::new(),
            of => self.checkins_of_people(&serde_json::to_string(of)?).await?,
        };
        let pulses = self
            .pulse_answers_of_people(&ids)
            .await?
            .into_iter()
            .map(|(user, day, answer)| Ok((user, u32::try_from(day)?, answer)))
            .collect::<anyhow::Result<_>>()?;
        let pauses: Vec<(String, chrono::NaiveDate)> = on_db!(read self, |pool, dialect| {
            sqlx::query_as(
            dialect.pick(
                "SELECT slack_id, paused_until FROM people
                 WHERE paused_until IS NOT NULL AND slack_id IN (SELECT value FROM json_each($1))",
                "SELECT slack_id, paused_until FROM people
                 WHERE paused_until IS NOT NULL AND slack_id IN (SELECT value FROM json_array_elements_text($1::json))",
            )
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?
        });
        type StatusRow = (String, String, String, Option<DateTime<Utc>>);
        let statuses: Vec<StatusRow> = on_db!(read self, |pool, dialect| sqlx::query_as(dialect.pick(
            "SELECT slack_id, emoji, text, expires_at FROM slack_statuses
                 WHERE slack_id IN (SELECT value FROM json_each($1))",
            "SELECT slack_id, emoji, text, expires_at FROM slack_statuses
                 WHERE slack_id IN (SELECT value FROM json_array_elements_text($1::json))",
        ))
        .bind(&ids)
        .fetch_all(pool)
        .await?);
        let statuses = statuses
            .into_iter()
            .map(|(id, emoji, text, expires)| {
                (
                    id,
                    SlackStatus {
                        emoji,
                        text,
                        expires,
                    },
                )
            })
            .collect();
        let confidence = self.confidence_of_people(&ids).await?;
        let coaching = self.coaching_of_people(&ids).await?;
        Ok(Activity::new(commitments, practice, checkins, pulses)
            .with_confidence(confidence)
            .with_coaching(coaching)
            .with_reinforcement(memories, asked)
            .with_absences(pauses.into_iter().collect(), statuses))
    }
}
