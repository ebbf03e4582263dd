//! The channels Slack gave: each DM or group DM opened for a set of members, and channels by the
//! name people know them by.

use chrono::{DateTime, Utc};

use super::{Store, on_db};

/// The channels learnt from Slack: DMs opened, channels found by name.
pub trait ChannelStore {
    fn dm_channel(
        &self,
        members: &str,
    ) -> impl Future<Output = anyhow::Result<Option<String>>> + Send;

    fn remember_dm_channel(
        &self,
        members: &str,
        channel: &str,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// The id of the channel named `name` (without `#`), as last looked up in Slack.
    fn channel_named(
        &self,
        name: &str,
    ) -> impl Future<Output = anyhow::Result<Option<String>>> + Send;

    fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

impl ChannelStore for Store {
    async fn dm_channel(&self, members: &str) -> anyhow::Result<Option<String>> {
        Ok(on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT channel_id FROM dm_channels WHERE members = $1"
        )
        .bind(members)
        .fetch_optional(pool)
        .await?))
    }

    async fn remember_dm_channel(&self, members: &str, channel: &str) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "INSERT INTO dm_channels (members, channel_id) VALUES ($1, $2)
             ON CONFLICT (members) DO UPDATE SET channel_id = excluded.channel_id"
        )
        .bind(members)
        .bind(channel)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    async fn channel_named(&self, name: &str) -> anyhow::Result<Option<String>> {
        Ok(on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT channel_id FROM channel_names WHERE name = $1"
        )
        .bind(name)
        .fetch_optional(pool)
        .await?))
    }

    async fn remember_channel_name(
        &self,
        name: &str,
        channel: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO channel_names (name, channel_id, resolved_at) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO UPDATE SET channel_id = excluded.channel_id, resolved_at = excluded.resolved_at"
        )
        .bind(name)
        .bind(channel)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }
}
