//! One scheduler at a time, however many replicas share the database: the one holding the lease
//! plans, sends and housekeeps, so Slack's workspace-wide limits are kept by one sender. The
//! lease is renewed at half its period, taken over by a standby once it runs out (a holder that
//! died), and given up on a clean stop (a drain hands over at once). On SQLite, whose file one
//! host uses, a process restarted after a crash takes it at once from its dead predecessor.
//! Each new holder gets a higher epoch, under which its plans are written: one that lost the
//! lease cannot write one.

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::Scheduler;
use crate::scheduler::sender::Messenger;
use crate::store::{Holder, Lease, SchedulerStore};

/// How long a lease lasts unless renewed: a replica that dies is taken over within this (and a
/// tick) of its last renewal.
pub(super) const LEASE_FOR: chrono::Duration = chrono::Duration::seconds(12);

/// The lease as this replica last took or renewed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Held {
    epoch: i64,
    renewed: DateTime<Utc>,
}

/// Who this replica is, in the lease: the host (a pod's name), the process and a random part,
/// so a restarted process is a new holder.
pub(super) fn this_replica() -> Holder {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "sko".into());
    let pid = std::process::id();
    Holder {
        id: format!("{host}-{pid}-{:04x}", fastrand::u16(..)),
        host,
        pid,
    }
}

/// True when `lease`'s holder ran on this host as a process that is no longer running: it
/// cannot renew, so waiting for its lease to end is waiting for nothing. Where that cannot be
/// told (another host, no `/proc`, the process id taken again since), false.
fn holder_is_gone(lease: &Lease, me: &Holder) -> bool {
    cfg!(target_os = "linux")
        && lease.holder != me.id
        && lease.host.as_deref() == Some(me.host.as_str())
        && lease
            .pid
            .is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists())
}

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// The epoch this replica holds the lease under at `now`, renewed in the database once half
    /// its period has passed; `None` while another replica holds it.
    pub(super) async fn lease_epoch(&self, now: DateTime<Utc>) -> anyhow::Result<Option<i64>> {
        let held = *self.lease.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(h) = held
            && h.renewed <= now
            && now < h.renewed + LEASE_FOR / 2
        {
            return Ok(Some(h.epoch));
        }
        self.renew_lease(now).await
    }

    /// Takes or renews the lease in the database now, whenever it was last renewed.
    async fn renew_lease(&self, now: DateTime<Utc>) -> anyhow::Result<Option<i64>> {
        let held = *self.lease.lock().unwrap_or_else(|e| e.into_inner());
        let mut got = self
            .store
            .hold_lease(&self.replica, now, now + LEASE_FOR)
            .await?;
        if got.is_none()
            && let Some(lease) = self.store.lease().await?
            && holder_is_gone(&lease, &self.replica)
        {
            got = self
                .store
                .take_lease_from(&lease, &self.replica, now + LEASE_FOR)
                .await?;
            if got.is_some() {
                tracing::info!(gone = %lease.holder, "took the scheduler lease at once: its holder's process on this host has ended");
            }
        }
        match (held.map(|h| h.epoch), got) {
            (before, Some(epoch)) if before != Some(epoch) => {
                tracing::info!(replica = %self.replica.id, epoch, "this replica holds the scheduler lease: it plans and sends")
            }
            (Some(_), None) => {
                tracing::warn!(replica = %self.replica.id, "the scheduler lease went to another replica; standing by")
            }
            _ => {}
        }
        *self.lease.lock().unwrap_or_else(|e| e.into_inner()) = got.map(|epoch| Held {
            epoch,
            renewed: now,
        });
        self.metrics.lease_held(&self.replica.id, got.is_some());
        Ok(got)
    }

    /// Whether the lease taken at its last renewal still holds at `now`: asked before each
    /// send, without the database, so a replica whose renewals fail stops sending in time.
    pub(super) fn holds_lease(&self, now: DateTime<Utc>) -> bool {
        self.lease
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|h| h.renewed <= now && now < h.renewed + LEASE_FOR)
    }

    /// Renews the lease (or waits to take it over) at half its period until `stop`: a long
    /// fan-out keeps it while it sends. Each round goes to the database, so a timer that wakes
    /// a hair early cannot skip a renewal.
    pub(super) async fn keep_lease(&self, stop: &CancellationToken) {
        let every = (LEASE_FOR / 2).to_std().expect("a positive period");
        loop {
            // A renewal that failed is tried again within a second, well before the lease ends.
            let next = match self.renew_lease(self.clock.now()).await {
                Ok(_) => every,
                Err(e) => {
                    tracing::warn!(error = %format_args!("{e:#}"), "could not renew the scheduler lease; trying again in a second");
                    std::time::Duration::from_secs(1)
                }
            };
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(next) => {}
            }
        }
    }

    /// Gives the lease up, if held, so that a standby takes over at once: a clean stop (a
    /// node drain, a rolling update) costs no wait.
    pub(super) async fn give_up_lease(&self) {
        let held = self.lease.lock().unwrap_or_else(|e| e.into_inner()).take();
        if held.is_some() {
            match self
                .store
                .release_lease(&self.replica.id, self.clock.now())
                .await
            {
                Ok(()) => tracing::info!(replica = %self.replica.id, "scheduler lease given up"),
                Err(e) => {
                    tracing::warn!(error = %format_args!("{e:#}"), "could not give the scheduler lease up; it runs out on its own")
                }
            }
        }
    }
}
