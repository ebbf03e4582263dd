//! Check-ins: when pairs were brought together, and what they answered.

use chrono::{DateTime, Utc};

use super::Store;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Checkin {
    pub members: String,
    pub program_week: Option<i64>,
    pub due_at: DateTime<Utc>,
    pub answer: Option<String>,
}

impl Checkin {
    pub fn member_ids(&self) -> impl Iterator<Item = &str> {
        self.members.split('+')
    }
}

impl Store {
    /// Records that `members` were brought together at `due_at` (once, however often called).
    pub async fn record_checkin(
        &self,
        members: &[String],
        week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        let mut sorted = members.to_vec();
        sorted.sort();
        sqlx::query(
            "INSERT OR IGNORE INTO checkins (members, program_week, due_at) VALUES (?, ?, ?)",
        )
        .bind(sorted.join("+"))
        .bind(week.map(i64::from))
        .bind(due_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every check-in, oldest first.
    pub async fn checkins(&self) -> anyhow::Result<Vec<Checkin>> {
        Ok(sqlx::query_as(
            "SELECT members, program_week, due_at, answer FROM checkins ORDER BY due_at, members",
        )
        .fetch_all(&self.pool)
        .await?)
    }
}
