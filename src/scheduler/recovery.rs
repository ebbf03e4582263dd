//! After a crash: a send that was under way may or may not have reached Slack. It is settled
//! by asking Slack (by the message's outbox key) before anything is sent again.

use super::{Scheduler, TickReport};
use crate::domain::schedule::Source;
use crate::scheduler::sender::{Messenger, Method, SendError};
use crate::store::{Delivery, SchedulerStore, Settled};

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// A send under way when the process stopped: Slack may or may not have the message.
    /// Every message carries its outbox key, so ask Slack before sending it again.
    pub(super) async fn settle_interrupted(
        &self,
        d: Delivery,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let now = self.clock.now();
        // A shared file carries no metadata to look for: an interrupted chart is not tried
        // again, so it can never show twice; the digest it belongs to went on its own.
        if matches!(
            d.occurrence.source,
            Source::TeamChart | Source::AdoptionChart | Source::PipelineChart
        ) {
            self.store
                .mark_final(
                    d.id,
                    Settled::Failed,
                    "the chart's upload was interrupted; not repeated, so it never shows twice",
                    now,
                )
                .await?;
            report.failed += 1;
            return Ok(());
        }
        // A call still in flight could yet land: give it twice the timeout first.
        if now - d.updated_at < chrono::Duration::seconds(2 * self.settings.timeout_seconds as i64)
        {
            return Ok(());
        }
        let found = match &d.channel {
            Some(channel) => {
                // Only within the method's budget now: the tick does not wait on it, and what
                // is left is checked on a later tick.
                let free = self
                    .limiter
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .try_reserve_call(Method::ConversationsHistory, tokio::time::Instant::now());
                if !free {
                    return Ok(());
                }
                self.send(
                    Method::ConversationsHistory,
                    self.messenger.find_posted(channel, &d.key),
                )
                .await
            }
            None => Ok(None),
        };
        match found {
            Ok(Some(ts)) => {
                tracing::info!(key = %d.key, "interrupted send had reached Slack; marked sent");
                self.store.mark_sent(d.id, &ts, now).await?;
                // Which question went is not known here; an answer to it records it.
                self.sent(&d.occurrence, None).await?;
                report.recovered += 1;
            }
            Ok(None) if d.attempts >= i64::from(self.settings.max_attempts) => {
                let reason = format!("never confirmed by Slack after {} attempts", d.attempts);
                self.store
                    .mark_final(d.id, Settled::Failed, &reason, now)
                    .await?;
                report.failed += 1;
            }
            Ok(None) => {
                self.store
                    .mark_retry(
                        d.id,
                        now,
                        "interrupted before Slack had it; sending again",
                        now,
                    )
                    .await?;
                report.recovered += 1;
            }
            Err(SendError::Permanent(e)) => {
                // Slack will not say (no history scope, channel gone): sending again is the
                // only way not to lose it, and may repeat it. Say so.
                tracing::warn!(key = %d.key, error = %e, "cannot check an interrupted send; sending again, which may repeat it");
                self.store
                    .mark_retry(
                        d.id,
                        now,
                        &format!("interrupted; Slack could not confirm ({e}); sent again"),
                        now,
                    )
                    .await?;
                report.recovered += 1;
            }
            Err(e) => {
                // Unknown for now: check again next tick rather than risk a duplicate.
                tracing::warn!(key = %d.key, error = %e, "could not check an interrupted send yet");
            }
        }
        Ok(())
    }
}
