//! Automatic pairs, kept with the week they start in, and what Slack told us about people.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::schedule::PairSchedule;

impl Store {
    pub async fn stored_pairs(&self) -> anyhow::Result<Option<PairSchedule>> {
        let rows: Vec<(i64, String)> =
            sqlx::query_as("SELECT week_from, members FROM pairs ORDER BY week_from, members")
                .fetch_all(&self.pool)
                .await?;
        if rows.is_empty() {
            return Ok(None);
        }
        let mut weeks: BTreeMap<u32, Vec<Vec<String>>> = BTreeMap::new();
        for (week, members) in rows {
            weeks
                .entry(u32::try_from(week)?)
                .or_default()
                .push(members.split('+').map(str::to_string).collect());
        }
        Ok(Some(PairSchedule::new(weeks)))
    }

    /// The group `slack_id` is in during `week`, from the pairing in force then, if any: one
    /// row read, for views that show one person's partner.
    pub async fn stored_group_of(
        &self,
        slack_id: &str,
        week: u32,
    ) -> anyhow::Result<Option<Vec<String>>> {
        let members: Option<String> = sqlx::query_scalar(
            "SELECT members FROM pairs
             WHERE week_from = (SELECT max(week_from) FROM pairs WHERE week_from <= ?1)
               AND instr('+' || members || '+', '+' || ?2 || '+') > 0",
        )
        .bind(i64::from(week))
        .bind(slack_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(members.map(|m| m.split('+').map(str::to_string).collect()))
    }

    /// Replaces the pairs kept with `pairs`.
    pub async fn store_pairs(&self, pairs: &PairSchedule) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM pairs").execute(&mut *tx).await?;
        for (week, groups) in pairs.weeks() {
            for g in groups {
                sqlx::query("INSERT OR IGNORE INTO pairs (week_from, members) VALUES (?, ?)")
                    .bind(i64::from(*week))
                    .bind(g.join("+"))
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// One person's IANA timezone as Slack last reported it.
    pub async fn slack_timezone(&self, slack_id: &str) -> anyhow::Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT timezone FROM slack_users WHERE slack_id = ?")
                .bind(slack_id)
                .fetch_optional(&self.pool)
                .await?
                .flatten(),
        )
    }

    /// People's IANA timezones as Slack reported them.
    pub async fn slack_timezones(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(
            sqlx::query_as("SELECT slack_id, timezone FROM slack_users WHERE timezone IS NOT NULL")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// When Slack was last asked about each person it was asked about.
    pub async fn slack_users_fetched_at(
        &self,
    ) -> anyhow::Result<std::collections::HashMap<String, DateTime<Utc>>> {
        let rows: Vec<(String, DateTime<Utc>)> =
            sqlx::query_as("SELECT slack_id, fetched_at FROM slack_users")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().collect())
    }

    pub async fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query("INSERT OR REPLACE INTO slack_users (slack_id, timezone, real_name, fetched_at) VALUES (?, ?, ?, ?)")
            .bind(slack_id)
            .bind(timezone)
            .bind(real_name)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
