//! Charts: the one kind of message that is a file. Each digest's chart is planned a second
//! after it and delivered here, within `files.*`'s tier, never twice.

use tokio_util::sync::CancellationToken;

use super::{Scheduler, TickReport};
use crate::domain::activity::Activity;
use crate::domain::program::Program;
use crate::scheduler::sender::{Messenger, Method};
use crate::store::{Delivery, SchedulerStore};

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// A digest's chart, shared as a PNG in the same DM within the limits (the messenger draws
    /// it).
    pub(super) async fn deliver_chart(
        &self,
        d: Delivery,
        program: &Program,
        activity: &Activity,
        stop: &CancellationToken,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let occ = &d.occurrence;
        let Some(chart) = crate::domain::compose::chart(program, activity, occ) else {
            return self.nothing_to_send(&d, report).await;
        };
        let Some(channel) = self.channel_in_turn(&d, stop, report).await? else {
            return Ok(());
        };
        let file_name = format!("{}-{}", occ.local.date_naive(), chart.file_name());
        let shown = format!("📊 {} (chart: {file_name})", chart.title());
        if !self.take_for_sending(&d, &shown, &channel).await? {
            return Ok(());
        }
        let uploaded = self
            .call(
                Method::FilesUpload,
                self.messenger.share_chart(&channel, &file_name, &chart),
            )
            .await;
        match uploaded {
            Ok(file) => {
                self.store.mark_sent(d.id, &file, self.clock.now()).await?;
                report.sent += 1;
                Ok(())
            }
            Err(e) => self.after_failure(&d, e, report).await,
        }
    }
}
