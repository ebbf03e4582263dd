//! The channels Slack gave: each DM or group DM opened for a set of members, and channels by the
//! name people know them by.

use chrono::{DateTime, Utc};

use super::Store;

impl Store {
    pub async fn dm_channel(&self, members: &str) -> anyhow::Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT channel_id FROM dm_channels WHERE members = ?")
                .bind(members)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn remember_dm_channel(&self, members: &str, channel: &str) -> anyhow::Result<()> {
        sqlx::query("INSERT OR REPLACE INTO dm_channels (members, channel_id) VALUES (?, ?)")
            .bind(members)
            .bind(channel)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The id of the channel named `name` (without `#`), as last looked up in Slack.
    pub async fn channel_named(&self, name: &str) -> anyhow::Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT channel_id FROM channel_names WHERE name = ?")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT OR REPLACE INTO channel_names (name, channel_id, resolved_at) VALUES (?, ?, ?)",
        )
        .bind(name)
        .bind(channel)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
