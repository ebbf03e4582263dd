//! One scheduler at a time, however many replicas share the database: the one holding the lease
//! plans, sends and housekeeps, so Slack's workspace-wide limits are kept by one sender. The
//! lease is renewed at half its period, taken over by a standby once it runs out (a holder that
//! died), and given up on a clean stop (a drain hands over at once). Each new holder gets a
//! higher epoch, under which its plans are written: one that lost the lease cannot write one.

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::Scheduler;
use crate::scheduler::sender::Messenger;
use crate::store::SchedulerStore;

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
/// so a restarted process is a new holder that waits for its predecessor's lease to run out.
pub(super) fn replica_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "sko".into());
    format!("{host}-{}-{:04x}", std::process::id(), fastrand::u16(..))
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
        let got = self
            .store
            .hold_lease(&self.replica, now, now + LEASE_FOR)
            .await?;
        match (held.map(|h| h.epoch), got) {
            (before, Some(epoch)) if before != Some(epoch) => {
                tracing::info!(replica = %self.replica, epoch, "this replica holds the scheduler lease: it plans and sends")
            }
            (Some(_), None) => {
                tracing::warn!(replica = %self.replica, "the scheduler lease went to another replica; standing by")
            }
            _ => {}
        }
        *self.lease.lock().unwrap_or_else(|e| e.into_inner()) = got.map(|epoch| Held {
            epoch,
            renewed: now,
        });
        self.metrics.lease_held(&self.replica, got.is_some());
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
            if let Err(e) = self.renew_lease(self.clock.now()).await {
                tracing::warn!(error = %format_args!("{e:#}"), "could not renew the scheduler lease; trying again");
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
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
                .release_lease(&self.replica, self.clock.now())
                .await
            {
                Ok(()) => tracing::info!(replica = %self.replica, "scheduler lease given up"),
                Err(e) => {
                    tracing::warn!(error = %format_args!("{e:#}"), "could not give the scheduler lease up; it runs out on its own")
                }
            }
        }
    }
}
