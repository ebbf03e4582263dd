//! The scheduler's lease: one holder at a time, renewed before it runs out, taken over once it
//! has, each new holder with a higher epoch (the fencing token plans are written under).

use chrono::{DateTime, Utc};

use super::{Db, Store, on_db};

/// Who writes a plan, and the epoch they hold the lease under: a plan written under a lease
/// that was lost meanwhile is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence<'a> {
    pub holder: &'a str,
    pub epoch: i64,
}

/// Inside a plan's transaction, its first statement: the lease is still `fence`'s. A write,
/// so the transaction takes SQLite's write lock before it reads anything, and on PostgreSQL
/// holds the lease row until it commits: a takeover waits for the plan, never interleaves.
macro_rules! check_fence {
    ($tx:expr, $fence:expr) => {{
        let fence: $crate::store::Fence<'_> = $fence;
        let held = sqlx::query(
            "UPDATE leases SET epoch = epoch WHERE name = 'scheduler' AND holder = $1 AND epoch = $2",
        )
        .bind(fence.holder)
        .bind(fence.epoch)
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        anyhow::ensure!(
            held == 1,
            "the scheduler lease (epoch {}) was lost; another replica plans now",
            fence.epoch
        );
    }};
}
pub(super) use check_fence;

/// The lease as the database has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub holder: String,
    pub epoch: i64,
    pub expires_at: DateTime<Utc>,
    /// The host and process the holder ran as, when it said.
    pub host: Option<String>,
    pub pid: Option<i64>,
}

/// Who asks for the lease: a replica's name, and the host and process it runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub id: String,
    pub host: String,
    pub pid: u32,
}

/// The scheduler's lease: one holder at a time.
pub trait LeaseStore {
    /// Takes the lease for `holder` until `until`, or keeps it, unless someone else holds one
    /// still valid at `now`; the epoch it is held under, or `None` when someone else has it.
    /// One statement, so two replicas asking at once cannot both get it.
    fn hold_lease(
        &self,
        holder: &Holder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Option<i64>>> + Send;

    /// Who holds the lease, if anyone ever has.
    fn lease(&self) -> impl Future<Output = anyhow::Result<Option<Lease>>> + Send;

    /// Takes the lease at once from `gone`, a holder whose process is known to have ended
    /// (same host, no such process), where the database is this host's alone (SQLite); the new
    /// epoch, or `None` where only the lease's end decides (PostgreSQL: replicas on other
    /// hosts) or the lease has moved on since `gone` was read.
    fn take_lease_from(
        &self,
        gone: &Lease,
        holder: &Holder,
        until: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<Option<i64>>> + Send;

    /// Gives the lease up at `now` (a clean stop), so another replica takes it at once.
    fn release_lease(
        &self,
        holder: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

impl LeaseStore for Store {
    async fn hold_lease(
        &self,
        holder: &Holder,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<Option<i64>> {
        Ok(on_db!(write self, |pool| sqlx::query_scalar(
            "INSERT INTO leases (name, holder, epoch, expires_at, host, pid) VALUES ('scheduler', $1, 1, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET
               epoch = CASE WHEN leases.holder = $1 THEN leases.epoch ELSE leases.epoch + 1 END,
               holder = $1, expires_at = $3, host = $4, pid = $5
             WHERE leases.holder = $1 OR leases.expires_at <= $2
             RETURNING epoch",
        )
        .bind(&holder.id)
        .bind(now)
        .bind(until)
        .bind(&holder.host)
        .bind(i64::from(holder.pid))
        .fetch_optional(pool)
        .await?))
    }

    async fn lease(&self) -> anyhow::Result<Option<Lease>> {
        type Row = (String, i64, DateTime<Utc>, Option<String>, Option<i64>);
        let row: Option<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT holder, epoch, expires_at, host, pid FROM leases WHERE name = 'scheduler'"
        )
        .fetch_optional(pool)
        .await?);
        Ok(row.map(|(holder, epoch, expires_at, host, pid)| Lease {
            holder,
            epoch,
            expires_at,
            host,
            pid,
        }))
    }

    async fn take_lease_from(
        &self,
        gone: &Lease,
        holder: &Holder,
        until: DateTime<Utc>,
    ) -> anyhow::Result<Option<i64>> {
        let Db::Sqlite(pools) = &self.db else {
            return Ok(None);
        };
        Ok(sqlx::query_scalar(
            "UPDATE leases SET holder = $1, epoch = epoch + 1, expires_at = $2, host = $3, pid = $4
             WHERE name = 'scheduler' AND holder = $5 AND epoch = $6
             RETURNING epoch",
        )
        .bind(&holder.id)
        .bind(until)
        .bind(&holder.host)
        .bind(i64::from(holder.pid))
        .bind(&gone.holder)
        .bind(gone.epoch)
        .fetch_optional(&pools.write)
        .await?)
    }

    async fn release_lease(&self, holder: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            sqlx::query(
            "UPDATE leases SET expires_at = $2 WHERE name = 'scheduler' AND holder = $1 AND expires_at > $2",
        )
        .bind(holder)
        .bind(now)
        .execute(pool)
        .await
        .map(drop)?
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    #[tokio::test]
    async fn one_holder_at_a_time_and_each_new_one_a_higher_epoch() {
        for (db, store) in crate::store::testing::stores().await {
            one_holder_at_a_time_on(db, &store).await;
        }
    }

    fn holder(id: &str) -> Holder {
        Holder {
            id: id.into(),
            host: "test".into(),
            pid: 1,
        }
    }

    async fn one_holder_at_a_time_on(db: &str, store: &Store) {
        let (a, b) = (&holder("a"), &holder("b"));
        let t = Utc.with_ymd_and_hms(2027, 1, 11, 13, 0, 0).unwrap();
        let period = Duration::seconds(15);

        assert_eq!(store.hold_lease(a, t, t + period).await.unwrap(), Some(1));
        assert_eq!(store.hold_lease(b, t, t + period).await.unwrap(), None);
        // Renewed by its holder: the same epoch, a later end.
        let later = t + Duration::seconds(7);
        assert_eq!(
            store.hold_lease(a, later, later + period).await.unwrap(),
            Some(1)
        );
        assert_eq!(
            store
                .hold_lease(b, t + period, t + period * 2)
                .await
                .unwrap(),
            None,
            "{db}: still a's"
        );
        // Run out: the next asker takes it over, under a new epoch.
        let over = later + period;
        assert_eq!(
            store.hold_lease(b, over, over + period).await.unwrap(),
            Some(2)
        );
        assert_eq!(
            store.hold_lease(a, over, over + period).await.unwrap(),
            None,
            "{db}: a lost it"
        );
        let lease = store.lease().await.unwrap().unwrap();
        assert_eq!((lease.holder.as_str(), lease.epoch), ("b", 2));
        // Given up on a clean stop: taken at once.
        store.release_lease("b", over).await.unwrap();
        assert_eq!(
            store.hold_lease(a, over, over + period).await.unwrap(),
            Some(3)
        );
        store.release_lease("b", over).await.unwrap();
        assert_eq!(
            store.lease().await.unwrap().unwrap().holder,
            "a",
            "{db}: only the holder gives it up"
        );

        // A holder whose process is gone: taken at once on SQLite (one host); on PostgreSQL
        // only the lease's end decides.
        let gone = store.lease().await.unwrap().unwrap();
        assert_eq!(
            (gone.host.as_deref(), gone.pid),
            (Some("test"), Some(1)),
            "{db}"
        );
        let taken = store
            .take_lease_from(&gone, b, over + period)
            .await
            .unwrap();
        assert_eq!(taken, (db == "sqlite").then_some(4), "{db}");
        let again = store
            .take_lease_from(&gone, a, over + period)
            .await
            .unwrap();
        assert_eq!(again, None, "{db}: a lease that moved on is not taken");
    }
}
