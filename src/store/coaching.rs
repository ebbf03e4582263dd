//! Coaching conversations, by rep.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::coached::Coaching;

#[derive(sqlx::FromRow)]
struct Row {
    manager_id: String,
    rep_id: String,
    skill_id: Option<String>,
    criterion: Option<String>,
    note: String,
    next_step: Option<String>,
    coached_at: DateTime<Utc>,
}

impl From<Row> for Coaching {
    fn from(r: Row) -> Coaching {
        Coaching {
            manager_id: r.manager_id,
            rep_id: r.rep_id,
            skill_id: r.skill_id,
            criterion: r.criterion,
            note: r.note,
            next_step: r.next_step,
            coached_at: r.coached_at,
        }
    }
}

impl Store {
    pub async fn record_coaching(&self, c: &Coaching) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "INSERT INTO coaching (manager_id, rep_id, skill_id, criterion, note, next_step, coached_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&c.manager_id)
        .bind(&c.rep_id)
        .bind(&c.skill_id)
        .bind(&c.criterion)
        .bind(&c.note)
        .bind(&c.next_step)
        .bind(c.coached_at)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Every conversation, oldest first: what `export --what coaching` shows.
    pub async fn all_coaching(&self) -> anyhow::Result<Vec<Coaching>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT manager_id, rep_id, skill_id, criterion, note, next_step, coached_at
             FROM coaching ORDER BY coached_at, id"
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(Coaching::from).collect())
    }

    /// The latest conversation with `rep`, if any: what their Home shows.
    pub async fn latest_coaching(&self, rep: &str) -> anyhow::Result<Option<Coaching>> {
        let row: Option<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT manager_id, rep_id, skill_id, criterion, note, next_step, coached_at
             FROM coaching WHERE rep_id = $1 ORDER BY coached_at DESC, id DESC LIMIT 1"
        )
        .bind(rep)
        .fetch_optional(pool)
        .await?);
        Ok(row.map(Coaching::from))
    }

    /// The conversations with `people` (a JSON array of Slack ids), oldest first.
    pub(super) async fn coaching_of_people(&self, people: &str) -> anyhow::Result<Vec<Coaching>> {
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| sqlx::query_as(dialect.pick(
            "SELECT manager_id, rep_id, skill_id, criterion, note, next_step, coached_at FROM coaching
             WHERE rep_id IN (SELECT value FROM json_each($1)) ORDER BY coached_at, id",
            "SELECT manager_id, rep_id, skill_id, criterion, note, next_step, coached_at FROM coaching
             WHERE rep_id IN (SELECT value FROM json_array_elements_text($1::json)) ORDER BY coached_at, id",
        ))
        .bind(people)
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(Coaching::from).collect())
    }
}
