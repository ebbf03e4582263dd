//! Confidence in each skill, as answered at the checkpoints.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::pulse::Confidence;

#[derive(sqlx::FromRow)]
struct Row {
    user_id: String,
    day: i64,
    skill_id: String,
    confidence: i64,
    answered_at: DateTime<Utc>,
}

impl TryFrom<Row> for Confidence {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Confidence> {
        Ok(Confidence {
            user_id: r.user_id,
            day: u32::try_from(r.day)?,
            skill_id: r.skill_id,
            value: u8::try_from(r.confidence)?,
            answered_at: r.answered_at,
        })
    }
}

impl Store {
    /// A rep's ratings at the day-`day` checkpoint, in one transaction: all or none.
    pub async fn record_confidence(
        &self,
        user: &str,
        day: u32,
        ratings: &[(String, u8)],
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            for (skill, value) in ratings {
                sqlx::query(
                    "INSERT INTO pulse_confidence (user_id, day, skill_id, confidence, answered_at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (user_id, day, skill_id) DO UPDATE
                     SET confidence = excluded.confidence, answered_at = excluded.answered_at",
                )
                .bind(user)
                .bind(i64::from(day))
                .bind(skill)
                .bind(i64::from(*value))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?
        });
        Ok(())
    }

    /// Everyone's answers, by checkpoint, rep and skill: what `export --what pulses` shows.
    pub async fn all_confidence(&self) -> anyhow::Result<Vec<Confidence>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT user_id, day, skill_id, confidence, answered_at FROM pulse_confidence
             ORDER BY day, user_id, skill_id"
        )
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(Confidence::try_from).collect()
    }

    /// The answers of `people` (a JSON array of Slack ids).
    pub(super) async fn confidence_of_people(
        &self,
        people: &str,
    ) -> anyhow::Result<Vec<Confidence>> {
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| sqlx::query_as(dialect.pick(
            "SELECT user_id, day, skill_id, confidence, answered_at FROM pulse_confidence
             WHERE user_id IN (SELECT value FROM json_each($1)) ORDER BY answered_at",
            "SELECT user_id, day, skill_id, confidence, answered_at FROM pulse_confidence
             WHERE user_id IN (SELECT value FROM json_array_elements_text($1::json)) ORDER BY answered_at",
        ))
        .bind(people)
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(Confidence::try_from).collect()
    }
}
