//! Practice logs.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::practice::{PracticeContext, PracticeLog};

#[derive(sqlx::FromRow, serde::Deserialize)]
struct Row {
    user_id: String,
    skill_id: String,
    context: String,
    partner_id: Option<String>,
    score: Option<i64>,
    rubric_scores: Option<String>,
    notes: Option<String>,
    program_week: Option<i64>,
    logged_at: DateTime<Utc>,
    deal_id: Option<String>,
}

// A macro, not a const, so statements stay `&'static str` (sqlx refuses built strings).
macro_rules! columns {
    () => {
        "user_id, skill_id, context, partner_id, score, rubric_scores, notes, program_week, logged_at, deal_id"
    };
}

impl TryFrom<Row> for PracticeLog {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<PracticeLog> {
        Ok(PracticeLog {
            user_id: r.user_id,
            skill_id: r.skill_id,
            context: PracticeContext::parse(&r.context)
                .ok_or_else(|| anyhow::anyhow!("unknown context {}", r.context))?,
            partner_id: r.partner_id,
            score: r.score.map(u8::try_from).transpose()?,
            notes: r.notes,
            rubric: r
                .rubric_scores
                .as_deref()
                .map(serde_json::from_str)
                .transpose()?
                .unwrap_or_default(),
            week: r.program_week.map(u32::try_from).transpose()?,
            logged_at: r.logged_at,
            deal_id: r.deal_id,
        })
    }
}

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn add_practice(&self, log: &PracticeLog) -> anyhow::Result<()> {
        let rubric = (!log.rubric.is_empty())
            .then(|| serde_json::to_string(&log.rubric))
            .transpose()?;
        on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO practice_logs (user_id, skill_id, context, partner_id, score, rubric_scores, notes, program_week, logged_at, deal_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&log.user_id)
        .bind(&log.skill_id)
        .bind(log.context.as_str())
        .bind(&log.partner_id)
        .bind(log.score.map(i64::from))
        .bind(&rubric)
        .bind(&log.notes)
        .bind(log.week.map(i64::from))
        .bind(log.logged_at)
        .bind(&log.deal_id)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }

    /// Everyone's practice logged at or after `since`, oldest first, for digests and exports.
    pub async fn all_practice_since(
        &self,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<PracticeLog>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM practice_logs WHERE logged_at >= $1 ORDER BY logged_at, id"
        ))
        .bind(since)
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Practice of `people` since `since`. On SQLite the rows come as one JSON array per
    /// group of people: sqlx hands SQLite rows over one at a time, which for a whole
    /// program's hundreds of thousands costs seconds.
    pub(super) async fn practice_of_people(
        &self,
        people: &[String],
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<PracticeLog>> {
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| match dialect {
            super::Dialect::Sqlite => {
                let mut rows = Vec::new();
                for group in super::in_groups(people)? {
                    let json: String = sqlx::query_scalar(
                        "SELECT json_group_array(json_object('user_id', user_id, 'skill_id', skill_id, 'context', context, 'partner_id', partner_id, 'score', score, 'rubric_scores', rubric_scores, 'notes', notes, 'program_week', program_week, 'logged_at', logged_at, 'deal_id', deal_id))
                         FROM (SELECT * FROM practice_logs WHERE user_id IN (SELECT value FROM json_each($1)) AND logged_at >= $2 ORDER BY logged_at, id)",
                    )
                    .bind(group)
                    .bind(since)
                    .fetch_one(pool)
                    .await?;
                    rows.extend(serde_json::from_str::<Vec<Row>>(&json)?);
                }
                // Stable: each group's own order (time, then insertion) is kept.
                rows.sort_by_key(|r| r.logged_at);
                rows
            }
            super::Dialect::Postgres => sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM practice_logs WHERE user_id IN (SELECT value FROM json_array_elements_text($1::json)) AND logged_at >= $2 ORDER BY logged_at, id"
            ))
            .bind(serde_json::to_string(people)?)
            .bind(since)
            .fetch_all(pool)
            .await?,
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// The person's practice logged at or after `since`, oldest first.
    pub async fn practice_since(
        &self,
        user_id: &str,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<PracticeLog>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM practice_logs WHERE user_id = $1 AND logged_at >= $2 ORDER BY logged_at, id"
        ))
        .bind(user_id)
        .bind(since)
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
