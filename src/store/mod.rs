//! The only place with SQL, one file per aggregate: a SQLite file by default, or PostgreSQL
//! for several replicas, both through sqlx with their own migrations, embedded and run at
//! start-up. Beside it, the scheduler's store interface and its in-memory implementation for
//! previews.
//!
//! Each statement is written once where the two databases read it alike (`$1` parameters,
//! `ON CONFLICT`, `RETURNING`) and twice, side by side, where they do not; its binds and what
//! is done with its rows are written once. [`on_db!`] runs a body on whichever pool the store
//! has, compiled once per database.

mod activity;
mod channels;
mod checkins;
mod coaching;
mod commitments;
mod confidence;
#[cfg(test)]
mod contract_tests;
mod database_url;
mod directory;
mod events;
mod lease;
mod memory;
mod outbox;
mod pairs;
mod people;
mod plan;
mod practice;
mod reinforcement;
mod requests;
mod scheduling;
mod web;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

pub use activity::RecordStore;
pub use channels::ChannelStore;
pub use checkins::Answered;
pub use database_url::{Backend, DatabaseUrl};
pub use directory::{DirectoryStore, EmailLookup};
pub use lease::{Fence, Holder, Lease, LeaseStore};
pub use memory::MemoryStore;
pub use outbox::{Claim, Delivery, DeliveryStatus, OutboxStore, Settled};
pub use pairs::PairStore;
pub use people::RosterStore;
pub use plan::{PlanState, PlanStore, Replan};
pub use reinforcement::QuizAnswered;
pub use requests::Snoozed;
pub use scheduling::SchedulerStore;
pub use web::{Lifetime, PendingLogin};

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

#[derive(Clone, Debug)]
pub struct Store {
    db: Db,
}

#[derive(Clone, Debug)]
enum Db {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite lets one connection write at a time. Writes queue for the one writer connection in
/// the process, first come, first served (sqlx's pool is fair), instead of inside SQLite's busy
/// handler, which sleeps in steps of up to 100 ms; readers never wait for a writer (WAL).
#[derive(Clone, Debug)]
struct SqlitePools {
    write: SqlitePool,
    /// Opened read-only, so a write sent here by mistake fails in the tests instead of
    /// contending for the lock. In memory, the writer itself: its database is its own.
    read: SqlitePool,
}

/// Which database a body runs on, for the statements the two write differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Sqlite,
    Postgres,
}

/// `people` in groups of at most 500, each a JSON array: one group's records read as one JSON
/// string stay far below SQLite's 1 GB string limit, even with a year of long notes.
fn in_groups(people: &[String]) -> anyhow::Result<Vec<String>> {
    people
        .chunks(500)
        .map(|group| Ok(serde_json::to_string(group)?))
        .collect()
}

impl Dialect {
    /// The statement as this database writes it.
    fn pick(self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }
}

/// Runs `$body` with `$pool` bound to the store's pool for reading or for writing (and
/// `$dialect` to its database), once per database: the same binds and row handling, each
/// database's own types. Both arms must give one type, so a statement whose outcome is not
/// needed ends in `.map(drop)`.
macro_rules! on_db {
    (read $store:expr, |$pool:ident $(, $dialect:ident)?| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pools) => {
                let $pool = &pools.read;
                $(let $dialect = $crate::store::Dialect::Sqlite;)?
                $body
            }
            $crate::store::Db::Postgres($pool) => {
                $(let $dialect = $crate::store::Dialect::Postgres;)?
                $body
            }
        }
    };
    (write $store:expr, |$pool:ident $(, $dialect:ident)?| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite(pools) => {
                let $pool = &pools.write;
                $(let $dialect = $crate::store::Dialect::Sqlite;)?
                $body
            }
            $crate::store::Db::Postgres($pool) => {
                $(let $dialect = $crate::store::Dialect::Postgres;)?
                $body
            }
        }
    };
}
use on_db;

/// How long a write may wait for the writer connection before it fails: within Slack's 3
/// seconds for a person's command or form, with time left to tell them. The planner's
/// transactions hold it for milliseconds, so this is reached only when something is wrong.
const WRITE_WITHIN: Duration = Duration::from_millis(1_500);
/// How long a write that meets another process's lock is retried.
const BUSY_FOR: Duration = Duration::from_millis(1_000);

impl Store {
    /// Opens the database at `url` (a SQLite file, created if missing, or a PostgreSQL
    /// database) and brings its schema up to date.
    pub async fn open(url: &DatabaseUrl) -> anyhow::Result<Store> {
        match url.backend() {
            Backend::Postgres => Store::open_postgres(url).await,
            Backend::Sqlite => Store::open_sqlite(url).await,
        }
    }

    async fn open_sqlite(url: &DatabaseUrl) -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str(url.expose())
            .with_context(|| format!("database.url `{url}` is not a SQLite URL"))?
            .foreign_keys(true);
        let writer = options
            .clone()
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is SQLite's advice with WAL: a commit survives a crash of the process;
            // only a power cut can lose the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            // Only another process (a second `serve` by mistake, a script) can hold the lock;
            // this process's writers queue for the one connection instead. SQLite retries a
            // statement that meets it for this long, so a person's write still ends, saved or
            // not, within Slack's 3 seconds.
            .busy_timeout(BUSY_FOR)
            // Checkpoints run beside the writer (below), not inside whichever commit
            // crosses the threshold: that commit would wait for the checkpoint's fsync.
            .pragma("wal_autocheckpoint", "0");
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITE_WITHIN)
            // A ping before each query is one more round trip to the connection's thread,
            // which a local file never needs.
            .test_before_acquire(false)
            .connect_with(writer.clone())
            .await
            .with_context(|| format!("cannot open the database at {url}"))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .context("cannot bring the database schema up to date")?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await
            .with_context(|| format!("cannot open the database at {url} for reading"))?;
        tokio::spawn(checkpoint_every_second(writer, write.clone()));
        Ok(Store {
            db: Db::Sqlite(SqlitePools { write, read }),
        })
    }

    /// A PostgreSQL database shared by every replica. Its password comes from the URL (set in
    /// the environment), `PGPASSWORD` or `~/.pgpass`; errors show the URL without it.
    async fn open_postgres(url: &DatabaseUrl) -> anyhow::Result<Store> {
        let options = PgConnectOptions::from_str(url.expose())
            .with_context(|| format!("database.url `{url}` is not a PostgreSQL URL"))?;
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .with_context(|| format!("cannot open the database at {url}"))?;
        // Replicas starting together run this one at a time: sqlx holds an advisory lock
        // for the migration's length.
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .context("cannot bring the database schema up to date")?;
        Ok(Store {
            db: Db::Postgres(pool),
        })
    }

    /// A private database in memory (the store's own tests): one connection, since each
    /// in-memory connection would otherwise be a database of its own.
    pub async fn open_in_memory() -> anyhow::Result<Store> {
        let options = SqliteConnectOptions::from_str("sqlite::memory:")?.foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store {
            db: Db::Sqlite(SqlitePools {
                write: pool.clone(),
                read: pool,
            }),
        })
    }

    /// True when the database answers a query.
    pub async fn is_healthy(&self) -> bool {
        on_db!(read self, |pool| sqlx::query("SELECT 1")
            .execute(pool)
            .await
            .is_ok())
    }

    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite(pools) => {
                pools.read.close().await;
                pools.write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Copies the write-ahead log back into the database once a second, on a connection of its
/// own beside the writer (PASSIVE: it never blocks a writer), until the writer's pool closes.
/// A checkpoint that fails is retried next time.
async fn checkpoint_every_second(options: SqliteConnectOptions, writer: SqlitePool) {
    use sqlx::{ConnectOptions, Connection};
    let mut conn = match options.connect().await {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open a connection for WAL checkpoints; the log grows until the next start");
            return;
        }
    };
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !writer.is_closed() {
        every.tick().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&mut conn)
            .await
            && !writer.is_closed()
        {
            tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
        }
    }
    let _ = conn.close().await;
}

/// For tests and benchmarks: an empty database `sko_test_{pid}_{name}` on the PostgreSQL
/// server `server_url` names (made if missing, so a restart finds its own again), and its URL.
/// Databases left by test processes that are gone are dropped first, once per process.
#[doc(hidden)]
pub async fn scratch_postgres_database(server_url: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection;
    use sqlx::migrate::MigrateDatabase;

    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    let mut url = url::Url::parse(server_url).context("SKO_TEST_POSTGRES_URL is not a URL")?;
    SWEPT
        .get_or_try_init(|| async {
            let mut conn = sqlx::PgConnection::connect(server_url).await?;
            let names: Vec<String> = sqlx::query_scalar(
                "SELECT datname FROM pg_database WHERE datname LIKE 'sko\\_test\\_%'",
            )
            .fetch_all(&mut conn)
            .await?;
            conn.close().await?;
            for old in names {
                let pid = old.split('_').nth(2).unwrap_or_default();
                if !Path::new(&format!("/proc/{pid}")).exists() {
                    let mut gone = url.clone();
                    gone.set_path(&old);
                    sqlx::Postgres::force_drop_database(gone.as_str()).await?;
                }
            }
            anyhow::Ok(())
        })
        .await?;
    url.set_path(&format!("sko_test_{}_{name}", std::process::id()));
    if !sqlx::Postgres::database_exists(url.as_str()).await? {
        sqlx::Postgres::create_database(url.as_str()).await?;
    }
    Ok(url.to_string())
}

#[cfg(test)]
pub(crate) mod testing {
    use std::io::Write;
    use std::sync::Once;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::Store;

    /// The variable that names a PostgreSQL server for the tests, e.g.
    /// `postgres://postgres@127.0.0.1:5432/postgres`.
    pub const POSTGRES_URL_VAR: &str = "SKO_TEST_POSTGRES_URL";

    /// The stores a store test runs on: SQLite in memory, and a PostgreSQL database of its own
    /// when `SKO_TEST_POSTGRES_URL` names a server. Without it, the skip is said on stderr
    /// (past the test harness's capture), once per run.
    pub async fn stores() -> Vec<(&'static str, Store)> {
        let mut stores = vec![("sqlite", Store::open_in_memory().await.unwrap())];
        match std::env::var(POSTGRES_URL_VAR) {
            Ok(server) => {
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let name = format!("store{}", NEXT.fetch_add(1, Ordering::Relaxed));
                let url = super::scratch_postgres_database(&server, &name)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR}={server}: {e:#}"));
                let url = url.parse().unwrap();
                stores.push(("postgres", Store::open(&url).await.unwrap()));
            }
            Err(_) => {
                static SAID: Once = Once::new();
                SAID.call_once(|| {
                    let _ = writeln!(
                        std::io::stderr(),
                        "note: the store tests' PostgreSQL cases were skipped: {POSTGRES_URL_VAR} is not set"
                    );
                });
            }
        }
        stores
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_that_cannot_be_reached_is_named_without_its_password() {
        let err = Store::open(&"postgres://sko:hunter2@127.0.0.1:1/sko".parse().unwrap())
            .await
            .unwrap_err();
        let shown = format!("{err:#}");
        assert!(
            shown.starts_with("cannot open the database at postgres://sko:***@127.0.0.1:1/sko"),
            "{shown}"
        );
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(!format!("{err:?}").contains("hunter2"));
    }

    #[tokio::test]
    async fn many_peoples_records_read_in_groups_come_back_whole_and_in_order() {
        use crate::domain::practice::{PracticeContext, PracticeLog};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("groups.db").display());
        let store = Store::open(&url.parse().unwrap()).await.unwrap();
        let t0 = chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(20_000);
        // 1,200 people: three groups; the later people's logs come first in time.
        let ids: Vec<String> = (0..1_200).map(|i| format!("U{i:05}")).collect();
        for (i, id) in ids.iter().enumerate() {
            let log = PracticeLog {
                user_id: id.clone(),
                skill_id: "discovery".into(),
                context: PracticeContext::Live,
                partner_id: None,
                score: None,
                notes: Some(format!("note {i} with \"quotes\" and ünïcode")),
                rubric: vec![],
                week: None,
                logged_at: t0 + chrono::Duration::seconds(1_200 - i as i64),
                deal_id: None,
            };
            store.add_practice(&log).await.unwrap();
        }
        let read = store.practice_of_people(&ids, t0).await.unwrap();
        assert_eq!(read.len(), 1_200);
        assert!(read.windows(2).all(|w| w[0].logged_at <= w[1].logged_at));
        assert_eq!(read[0].user_id, "U01199");
        assert_eq!(
            read[0].notes.as_deref(),
            Some("note 1199 with \"quotes\" and ünïcode")
        );
    }
}
