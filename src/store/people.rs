//! People: the roster from the config, and anyone else who used a command.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use chrono::{DateTime, Utc};

use super::plan::PLAN_CHUNK;
use super::{PlanStore, Store, on_db};
use crate::domain::program::Person;

impl Store {
    /// Sets (or with `None` clears) the date a person is back; nothing is sent before it.
    pub async fn set_pause(
        &self,
        slack_id: &str,
        until: Option<chrono::NaiveDate>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.ensure_person(slack_id, now).await?;
        on_db!(write self, |pool| sqlx::query(
            "UPDATE people SET paused_until = $1 WHERE slack_id = $2"
        )
        .bind(until)
        .bind(slack_id)
        .execute(pool)
        .await
        .map(drop)?);
        let reason = match until {
            Some(back) => format!("{slack_id} paused until {back}"),
            None => format!("{slack_id} resumed"),
        };
        self.ask_for_replan(&reason).await
    }

    /// Records someone outside the roster under their Slack id, so their data is kept.
    pub async fn ensure_person(&self, slack_id: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "INSERT INTO people (slack_id, in_roster, first_seen_at) VALUES ($1, FALSE, $2)
             ON CONFLICT (slack_id) DO NOTHING",
        )
        .bind(slack_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }
}

/// The roster in force, and who is paused.
pub trait RosterStore {
    /// Makes the table's roster match the program's: listed people are marked in the roster
    /// with their role, manager, team and timezone; people no longer listed stay, out of the
    /// roster, and what was still to be sent to them alone is skipped as "left the roster".
    fn sync_roster(
        &self,
        roster: &[Person],
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Everyone who has paused, with the date they are back.
    fn pauses(
        &self,
    ) -> impl Future<Output = anyhow::Result<Vec<(String, chrono::NaiveDate)>>> + Send;
}

impl RosterStore for Store {
    #[tracing::instrument(skip_all, fields(people = roster.len()))]
    async fn sync_roster(&self, roster: &[Person], now: DateTime<Utc>) -> anyhow::Result<()> {
        type Listed = (
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        // The roster as recorded, read beside the writer: only the differences are written.
        let before: Vec<Listed> = on_db!(read self, |pool| {
            sqlx::query_as(
                "SELECT slack_id, role, manager_id, team, timezone FROM people WHERE in_roster = TRUE",
            )
            .fetch_all(pool)
            .await?
        });
        let was: HashMap<String, Listed> = before.into_iter().map(|p| (p.0.clone(), p)).collect();
        let listed: HashSet<&str> = roster.iter().map(|p| p.slack_id.as_str()).collect();
        let as_recorded = |p: &Person| -> Listed {
            (
                p.slack_id.clone(),
                Some(p.role.as_str().to_string()),
                p.manager.clone(),
                p.team.clone(),
                p.timezone.map(|tz| tz.name().to_string()),
            )
        };
        let changed: Vec<&Person> = roster
            .iter()
            .filter(|p| was.get(&p.slack_id) != Some(&as_recorded(p)))
            .collect();
        let left: Vec<&String> = was
            .keys()
            .filter(|id| !listed.contains(id.as_str()))
            .collect();
        for chunk in changed.chunks(PLAN_CHUNK) {
            on_db!(write self, |pool| {
                let mut tx = pool.begin().await?;
                for p in chunk {
                    sqlx::query(
                        "INSERT INTO people (slack_id, in_roster, role, manager_id, team, timezone, first_seen_at)
                         VALUES ($1, TRUE, $2, $3, $4, $5, $6)
                         ON CONFLICT (slack_id) DO UPDATE SET in_roster = TRUE, role = excluded.role,
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
            });
        }
        for chunk in left.chunks(PLAN_CHUNK) {
            on_db!(write self, |pool| {
                let mut tx = pool.begin().await?;
                for id in chunk {
                    sqlx::query("UPDATE people SET in_roster = FALSE WHERE slack_id = $1")
                        .bind(id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "UPDATE outbox SET status = 'skipped', last_error = 'left the roster', updated_at = $1
                         WHERE status = 'pending' AND recipient_kind = 'person' AND recipient = $2",
                    )
                    .bind(now)
                    .bind(id.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await.context("cannot save the roster")?;
            });
        }
        let joined = listed.iter().filter(|id| !was.contains_key(**id)).count();
        let reason = match (joined, left.len()) {
            (0, 0) => "the program was (re)loaded".to_string(),
            (joined, 0) if was.is_empty() => format!("the roster was loaded ({joined} people)"),
            (joined, left) => format!("the roster changed: {joined} joined, {left} left"),
        };
        self.ask_for_replan(&reason).await
    }

    async fn pauses(&self) -> anyhow::Result<Vec<(String, chrono::NaiveDate)>> {
        Ok(on_db!(read self, |pool| sqlx::query_as(
            "SELECT slack_id, paused_until FROM people WHERE paused_until IS NOT NULL",
        )
        .fetch_all(pool)
        .await?))
    }
}
