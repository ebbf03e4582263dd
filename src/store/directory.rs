//! What Slack says about the roster's people beyond their timezone: who an email belongs to
//! (`users.lookupByEmail`), and their status, from which absences are read.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::absence::SlackStatus;

/// An email as Slack last answered for it: the person's id (`None`: nobody) and when.
pub type EmailLookup = (Option<String>, DateTime<Utc>);

impl Store {
    /// The emails Slack found someone for, with that person's id.
    pub async fn found_by_email(&self) -> anyhow::Result<HashMap<String, String>> {
        let rows: Vec<(String, String)> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT email, slack_id FROM email_lookups WHERE slack_id IS NOT NULL"
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().collect())
    }
}

/// What Slack said of people: found by email, their timezone, their status.
pub trait DirectoryStore {
    /// Every email looked up, with Slack's last answer.
    fn email_lookups(
        &self,
    ) -> impl Future<Output = anyhow::Result<HashMap<String, EmailLookup>>> + Send;

    fn remember_email_lookup(
        &self,
        email: &str,
        slack_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Everyone's last known status, with when it was read.
    fn slack_statuses(
        &self,
    ) -> impl Future<Output = anyhow::Result<HashMap<String, (SlackStatus, DateTime<Utc>)>>> + Send;

    /// Keeps `status` for `slack_id`; returns the one kept before, if any.
    fn remember_status(
        &self,
        slack_id: &str,
        status: &SlackStatus,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Option<SlackStatus>>> + Send;

    /// People's IANA timezones as Slack reported them.
    fn slack_timezones(&self)
    -> impl Future<Output = anyhow::Result<Vec<(String, String)>>> + Send;

    /// When Slack was last asked about each person it was asked about.
    fn slack_users_fetched_at(
        &self,
    ) -> impl Future<Output = anyhow::Result<std::collections::HashMap<String, DateTime<Utc>>>> + Send;

    fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

impl DirectoryStore for Store {
    async fn email_lookups(&self) -> anyhow::Result<HashMap<String, EmailLookup>> {
        let rows: Vec<(String, Option<String>, DateTime<Utc>)> = on_db!(read self, |pool| sqlx::query_as(
                "SELECT email, slack_id, looked_up_at FROM email_lookups"
            )
            .fetch_all(pool)
            .await?);
        Ok(rows
            .into_iter()
            .map(|(email, id, at)| (email, (id, at)))
            .collect())
    }

    async fn remember_email_lookup(
        &self,
        email: &str,
        slack_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO email_lookups (email, slack_id, looked_up_at) VALUES ($1, $2, $3)
             ON CONFLICT (email) DO UPDATE SET slack_id = excluded.slack_id, looked_up_at = excluded.looked_up_at",
        )
        .bind(email)
        .bind(slack_id)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }

    async fn slack_statuses(
        &self,
    ) -> anyhow::Result<HashMap<String, (SlackStatus, DateTime<Utc>)>> {
        type Row = (String, String, String, Option<DateTime<Utc>>, DateTime<Utc>);
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT slack_id, emoji, text, expires_at, fetched_at FROM slack_statuses",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, emoji, text, expires, at)| {
                (
                    id,
                    (
                        SlackStatus {
                            emoji,
                            text,
                            expires,
                        },
                        at,
                    ),
                )
            })
            .collect())
    }

    async fn remember_status(
        &self,
        slack_id: &str,
        status: &SlackStatus,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<SlackStatus>> {
        let before: Option<(String, String, Option<DateTime<Utc>>)> = on_db!(read self, |pool| sqlx::query_as(
                "SELECT emoji, text, expires_at FROM slack_statuses WHERE slack_id = $1"
            )
            .bind(slack_id)
            .fetch_optional(pool)
            .await?);
        on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO slack_statuses (slack_id, emoji, text, expires_at, fetched_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (slack_id) DO UPDATE SET emoji = excluded.emoji, text = excluded.text,
               expires_at = excluded.expires_at, fetched_at = excluded.fetched_at",
        )
        .bind(slack_id)
        .bind(&status.emoji)
        .bind(&status.text)
        .bind(status.expires)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(before.map(|(emoji, text, expires)| SlackStatus {
            emoji,
            text,
            expires,
        }))
    }

    async fn slack_timezones(&self) -> anyhow::Result<Vec<(String, String)>> {
        Ok(on_db!(read self, |pool| sqlx::query_as(
            "SELECT slack_id, timezone FROM slack_users WHERE timezone IS NOT NULL"
        )
        .fetch_all(pool)
        .await?))
    }

    async fn slack_users_fetched_at(
        &self,
    ) -> anyhow::Result<std::collections::HashMap<String, DateTime<Utc>>> {
        let rows: Vec<(String, DateTime<Utc>)> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT slack_id, fetched_at FROM slack_users"
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().collect())
    }

    async fn remember_slack_user(
        &self,
        slack_id: &str,
        timezone: Option<&str>,
        real_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO slack_users (slack_id, timezone, real_name, fetched_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (slack_id) DO UPDATE SET timezone = excluded.timezone,
               real_name = excluded.real_name, fetched_at = excluded.fetched_at"
        )
        .bind(slack_id)
        .bind(timezone)
        .bind(real_name)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }
}
