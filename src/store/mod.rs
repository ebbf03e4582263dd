//! The only place with SQL: a SQLite file through sqlx, one file per aggregate, migrations
//! embedded and run at start-up. Beside it, the scheduler's store interface and its in-memory
//! implementation for previews.

mod activity;
mod channels;
mod checkins;
mod commitments;
mod directory;
mod events;
mod lease;
mod memory;
mod outbox;
mod pairs;
mod people;
mod practice;
mod requests;
mod scheduling;

use std::str::FromStr;
use std::time::Duration;

pub use checkins::Answered;
pub use directory::EmailLookup;
pub use lease::{Fence, Lease};
pub use memory::MemoryStore;
pub use outbox::{Claim, Delivery, DeliveryStatus, PlanState, Replan, Settled};
pub use requests::Snoozed;
pub use scheduling::SchedulerStore;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if missing) the database at `url` and brings its schema up to date.
    pub async fn open(url: &str) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("database.url `{url}` is not a SQLite URL"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is SQLite's advice with WAL: a commit survives a crash of the process;
            // only a power cut can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5))
            .foreign_keys(true)
            // Checkpoints run in the background (below), not inside whichever commit
            // crosses the threshold: that commit would wait for the checkpoint's fsync.
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A ping before each query is one more round trip to the connection's thread,
            // which a local file never needs.
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database at {url}"))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .context("cannot bring the database schema up to date")?;
        tokio::spawn(checkpoint_every_second(pool.clone()));
        Ok(Store { pool })
    }

    /// A private database in memory, for simulations: one connection, since each in-memory
    /// connection would otherwise be a database of its own.
    pub async fn open_in_memory() -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        Ok(Store { pool })
    }

    /// True when the database answers a query.
    pub async fn is_healthy(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Copies the write-ahead log back into the database once a second, without blocking the
/// writer (PASSIVE), until the pool closes. A checkpoint that fails is retried next time.
async fn checkpoint_every_second(pool: SqlitePool) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !pool.is_closed() {
        every.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
            && !pool.is_closed()
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
        }
    }
}
