//! People: the roster from the config, and anyone else who used a command.

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::program::Person;

impl Store {
    /// Makes the table's roster match the config: listed people are marked in the roster with
    /// their role, manager, team and timezone; people no longer listed stay, out of the roster.
    #[tracing::instrument(skip_all, fields(people = roster.len()))]
    pub async fn sync_roster(&self, roster: &[Person], now: DateTime<Utc>) -> anyhow::Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE people SET in_roster = 0")
            .execute(&mut *tx)
            .await?;
        for p in roster {
            sqlx::query(
                "INSERT INTO people (slack_id, in_roster, role, manager_id, team, timezone, first_seen_at)
                 VALUES (?, 1, ?, ?, ?, ?, ?)
                 ON CONFLICT (slack_id) DO UPDATE SET in_roster = 1, role = excluded.role,
                   manager_id = excluded.manager_id, team = excluded.team, timezone = excluded.timezone",
            )
            .bind(&p.slack_id)
            .bind(p.role.as_str())
            .bind(&p.manager)
            .bind(&p.team)
            .bind(p.timezone.map(|tz| tz.name()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await.context("cannot save the roster")?;
        self.ask_for_replan("the roster or program was (re)loaded")
            .await
    }

    /// Sets (or with `None` clears) the date a person is back; nothing is sent before it.
    pub async fn set_pause(
        &self,
        slack_id: &str,
        until: Option<chrono::NaiveDate>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.ensure_person(slack_id, now).await?;
        sqlx::query("UPDATE people SET paused_until = ? WHERE slack_id = ?")
            .bind(until)
            .bind(slack_id)
            .execute(&self.pool)
            .await?;
        let reason = match until {
            Some(back) => format!("{slack_id} paused until {back}"),
            None => format!("{slack_id} resumed"),
        };
        self.ask_for_replan(&reason).await
    }

    /// Everyone who has paused, with the date they are back.
    pub async fn pauses(&self) -> anyhow::Result<Vec<(String, chrono::NaiveDate)>> {
        Ok(sqlx::query_as(
            "SELECT slack_id, paused_until FROM people WHERE paused_until IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Records someone outside the roster under their Slack id, so their data is kept.
    pub async fn ensure_person(&self, slack_id: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT OR IGNORE INTO people (slack_id, in_roster, first_seen_at) VALUES (?, 0, ?)",
        )
        .bind(slack_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
