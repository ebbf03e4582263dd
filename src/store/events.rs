//! Slack event ids already handled.

use chrono::{DateTime, Utc};

use super::Store;

impl Store {
    /// Records `event_id` as handled; false when it already was (a retry).
    pub async fn first_delivery(
        &self,
        event_id: &str,
        event_type: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let done = sqlx::query("INSERT OR IGNORE INTO processed_events (event_id, event_type, received_at) VALUES (?, ?, ?)")
            .bind(event_id)
            .bind(event_type)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
