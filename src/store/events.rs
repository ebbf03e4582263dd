//! Slack event ids already handled.

use chrono::{DateTime, Utc};

use super::{Store, on_db};

impl Store {
    /// Records `event_id` as handled; false when it already was (a retry).
    pub async fn first_delivery(
        &self,
        event_id: &str,
        event_type: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let added = on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO processed_events (event_id, event_type, received_at) VALUES ($1, $2, $3)
             ON CONFLICT (event_id) DO NOTHING"
        )
        .bind(event_id)
        .bind(event_type)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(added == 1)
    }
}
