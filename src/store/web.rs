//! The web report's sign-ins and sessions. Ids and states are kept only as hashes.

use chrono::{DateTime, Duration, Utc};

use super::{Store, on_db};

/// A login under way, as it was started.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingLogin {
    pub nonce: String,
    pub browser_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    slack_id: String,
    created_at: DateTime<Utc>,
    seen_at: DateTime<Utc>,
}

/// How long a session lasts: unused for `idle`, or `absolute` after sign-in, whichever first.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Store {
    /// Keeps a login's state (hashed), nonce and browser until its callback.
    pub async fn begin_login(&self, state_hash: &str, login: &PendingLogin) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "INSERT INTO web_logins (state_hash, nonce, browser_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(state_hash)
        .bind(&login.nonce)
        .bind(&login.browser_hash)
        .bind(login.created_at)
        .execute(pool)
        .await
        .map(drop)?);
        Ok(())
    }

    /// Takes the login a callback's state names: once, so a replayed callback finds nothing.
    pub async fn take_login(&self, state_hash: &str) -> anyhow::Result<Option<PendingLogin>> {
        Ok(on_db!(write self, |pool| sqlx::query_as(
            "DELETE FROM web_logins WHERE state_hash = $1 RETURNING nonce, browser_hash, created_at",
        )
        .bind(state_hash)
        .fetch_optional(pool)
        .await?))
    }

    /// Signs `slack_id` in under a new session id (hashed); logins and sessions past their time
    /// are cleared on the way.
    pub async fn start_session(
        &self,
        id_hash: &str,
        slack_id: &str,
        now: DateTime<Utc>,
        lifetime: Lifetime,
    ) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query("DELETE FROM web_logins WHERE created_at < $1")
                .bind(now - Duration::minutes(15))
                .execute(pool)
                .await?;
            sqlx::query("DELETE FROM web_sessions WHERE created_at < $1 OR seen_at < $2")
                .bind(now - lifetime.absolute)
                .bind(now - lifetime.idle)
                .execute(pool)
                .await?;
            sqlx::query(
                "INSERT INTO web_sessions (id_hash, slack_id, created_at, seen_at) VALUES ($1, $2, $3, $3)",
            )
            .bind(id_hash)
            .bind(slack_id)
            .bind(now)
            .execute(pool)
            .await
            .map(drop)?
        });
        Ok(())
    }

    /// Whose session `id_hash` is, if it is alive at `now`; its last use is noted (at most
    /// once a minute, so reading pages costs no write each).
    pub async fn session(
        &self,
        id_hash: &str,
        now: DateTime<Utc>,
        lifetime: Lifetime,
    ) -> anyhow::Result<Option<String>> {
        let row: Option<SessionRow> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT slack_id, created_at, seen_at FROM web_sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(pool)
        .await?);
        let Some(row) = row else {
            return Ok(None);
        };
        if now - row.created_at > lifetime.absolute || now - row.seen_at > lifetime.idle {
            self.end_session(id_hash).await?;
            return Ok(None);
        }
        if now - row.seen_at > Duration::minutes(1) {
            on_db!(write self, |pool| sqlx::query(
                "UPDATE web_sessions SET seen_at = $2 WHERE id_hash = $1",
            )
            .bind(id_hash)
            .bind(now)
            .execute(pool)
            .await
            .map(drop)?);
        }
        Ok(Some(row.slack_id))
    }

    pub async fn end_session(&self, id_hash: &str) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(pool)
            .await
            .map(drop)?);
        Ok(())
    }
}
