//! Turning the program's schedule into messages: the durable outbox they are planned into
//! days ahead, and the rate-limited sender. `serve` and `simulate` both run this.
//!
//! One `tick`: plan when the horizon runs short or a change asked for it (anything else costs
//! an indexed read); skip what is past the grace window or superseded by a later one; settle
//! sends a crash interrupted (by asking Slack whether the message arrived); deliver what is
//! due, composing each message then, from the latest records. Between ticks, `housekeep`
//! finds `roster.csv` people by email, learns timezones and statuses from Slack, and opens the
//! DM channels the plan will need, within their methods' rate limits, so a Monday-morning
//! fan-out waits on `chat.postMessage` alone.

mod charts;
mod housekeeping;
mod lease;
mod limits;
mod plan;
mod recovery;
pub mod sender;

pub use plan::{members, pair_schedule, partners_of};

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{StreamExt, stream};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{LiveProgram, SenderConfig};
use crate::domain::activity::Activity;
use crate::domain::compose::{self, Involved, compose};
use crate::domain::message::{Action, Button, Message};
use crate::domain::program::Program;
use crate::domain::reinforcement::{Asked, Question};
use crate::domain::schedule::{Member, Occurrence, PairSchedule, Recipient, Source};
use crate::metrics::Metrics;
use crate::store::{Claim, Delivery, Fence, Holder, SchedulerStore, Settled, Store};
use sender::{Messenger, Method, Progress, RateLimiter};

/// What one tick did, for logs and tests.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    pub planned: u64,
    pub sent: u64,
    pub retried: u64,
    pub failed: u64,
    pub skipped: u64,
    pub recovered: u64,
}

impl TickReport {
    fn add(&mut self, other: &TickReport) {
        self.planned += other.planned;
        self.sent += other.sent;
        self.retried += other.retried;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.recovered += other.recovered;
    }
}

pub struct Scheduler<M, S = Store> {
    store: S,
    program: LiveProgram,
    clock: Arc<dyn Clock>,
    messenger: M,
    settings: SenderConfig,
    limiter: Mutex<RateLimiter>,
    metrics: Arc<Metrics>,
    progress: Progress,
    /// One tick at a time: the loop and a manual tick never interleave.
    running: tokio::sync::Mutex<()>,
    /// The roster as planned from: for the program in force and the count of changes asked.
    members: Mutex<Option<RosterFor>>,
    /// The pairs of the program in force, made (or read) once per program.
    pairs: Mutex<Option<(Arc<Program>, Arc<PairSchedule>)>>,
    /// When housekeeping next has an email to look up or a status to read, for the program
    /// in force: until then a round reads neither table.
    next_lookups: Mutex<Option<housekeeping::Quiet>>,
    next_statuses: Mutex<Option<housekeeping::Quiet>>,
    /// This replica's name in the scheduler lease, and the lease as it last held it.
    replica: Holder,
    lease: Mutex<Option<lease::Held>>,
    /// While standing by: the holder's count of changes last followed.
    followed: Mutex<Option<i64>>,
}

/// The roster the scheduler plans from, for a program and the count of changes asked.
type RosterFor = (Arc<Program>, i64, Arc<Vec<Member>>);

const BATCH: i64 = 200;
/// Slack calls of one tick under way at once.
const SENDS_IN_FLIGHT: usize = 8;
/// How much one tick plans of a lane at most when extending it (each lane's horizon is its
/// own: `domain::lane`): a first start plans a day a tick, so today's messages go before the
/// week is planned; after that a lane is extended about once a day, by a day.
const PLAN_STEP: chrono::Duration = chrono::Duration::days(1);
/// Housekeeping rounds (timezones, DM channels ahead) start this often.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(30);
/// DM channels opened ahead in one housekeeping round (about a minute at Tier 3).
const OPEN_AHEAD_PER_ROUND: i64 = 40;
/// `users.info` calls in one housekeeping round (Tier 4 allows about 100 a minute).
const TIMEZONES_PER_ROUND: usize = 40;
/// Emails looked up a round: half a minute of `users.lookupByEmail`'s Tier 3.
const EMAILS_PER_ROUND: usize = 20;
/// Statuses read a round, within `users.profile.get`'s Tier 4.
const STATUSES_PER_ROUND: usize = 40;

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    pub fn new(
        store: S,
        program: LiveProgram,
        clock: Arc<dyn Clock>,
        messenger: M,
        settings: SenderConfig,
        metrics: Arc<Metrics>,
    ) -> Self {
        let limiter = RateLimiter::new(Duration::from_secs(1), settings.rate_per_second);
        Self {
            store,
            program,
            clock,
            messenger,
            settings,
            limiter: Mutex::new(limiter),
            metrics,
            progress: Progress::default(),
            running: tokio::sync::Mutex::new(()),
            members: Mutex::new(None),
            pairs: Mutex::new(None),
            next_lookups: Mutex::new(None),
            next_statuses: Mutex::new(None),
            replica: lease::this_replica(),
            lease: Mutex::new(None),
            followed: Mutex::new(None),
        }
    }

    /// Who this replica is in the scheduler lease.
    pub fn replica(&self) -> &Holder {
        &self.replica
    }

    /// Sends without spacing: for a simulation, whose clock is not the one calls wait on.
    pub fn unpaced(self) -> Self {
        Self {
            limiter: Mutex::new(RateLimiter::unpaced()),
            ..self
        }
    }

    /// Ticks every `sender.tick_seconds`, housekeeps and keeps the lease beside it, until
    /// `stop` is cancelled; then gives the lease up.
    pub async fn run(&self, stop: CancellationToken) {
        let every = Duration::from_secs(self.settings.tick_seconds);
        if every.is_zero() {
            // Ticked by hand (tests): only the stop, and the lease those ticks took, remain.
            stop.cancelled().await;
            self.give_up_lease().await;
            return;
        }
        let ticking = async {
            loop {
                if let Err(e) = self.tick(&stop).await {
                    tracing::error!(error = %format_args!("{e:#}"), "scheduler tick failed; trying again");
                }
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(every) => {}
                }
            }
        };
        let housekeeping = async {
            loop {
                // A stop does not wait for a round paced over a minute: what it was doing
                // (a lookup, a DM opened ahead) is safe to cut short and do again.
                let round = tokio::select! {
                    _ = stop.cancelled() => return,
                    round = self.housekeep(&stop) => round,
                };
                match round {
                    // More channels to open: straight on, within the method's pace.
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => {
                        tracing::warn!(error = %format_args!("{e:#}"), "housekeeping failed; trying again")
                    }
                }
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(HOUSEKEEPING_EVERY) => {}
                }
            }
        };
        tokio::join!(ticking, housekeeping, self.keep_lease(&stop));
        self.give_up_lease().await;
    }

    pub async fn tick(&self, stop: &CancellationToken) -> anyhow::Result<TickReport> {
        let _one_at_a_time = self.running.lock().await;
        let now = self.clock.now();
        let mut report = TickReport::default();
        // Another replica holds the lease: it plans and sends; this one stands by, following
        // what it learns.
        let Some(epoch) = self.lease_epoch(now).await? else {
            self.follow_the_holder().await?;
            return Ok(report);
        };
        // One program for the whole tick, even if a reload lands meanwhile.
        let live = self.program.load_full();
        let fence = Fence {
            holder: &self.replica.id,
            epoch,
        };
        self.plan(&live, now, fence, &mut report).await?;
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        report.skipped += self.store.skip_stale(now - grace, now).await?;
        report.skipped += self.store.skip_superseded(now).await?;
        for d in self
            .store
            .interrupted_deliveries(&self.replica.id, now)
            .await?
        {
            self.settle_interrupted(d, &mut report).await?;
        }
        let sending = self.send_due(&live, now, fence, stop, &mut report);
        self.reporting_progress(sending, now).await?;
        for (outcome, n) in [
            ("sent", report.sent),
            ("failed", report.failed),
            ("skipped", report.skipped),
            ("retried", report.retried),
        ] {
            self.metrics.delivered(outcome, n);
        }
        if report != TickReport::default() {
            tracing::info!(?report, "scheduler tick");
        }
        Ok(report)
    }

    /// Sends what is due at `now`, a claimed batch at a time, until nothing is left, the
    /// scheduler stops or the lease is lost.
    async fn send_due(
        &self,
        live: &Arc<Program>,
        now: DateTime<Utc>,
        fence: Fence<'_>,
        stop: &CancellationToken,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let program = live.as_ref();
        let mut pairs = None;
        loop {
            // Claimed for as long as the lease: a successor takes over what is left of it.
            let claim = Claim {
                by: &self.replica.id,
                until: self.clock.now() + lease::LEASE_FOR,
            };
            let batch = self.store.claim_due(claim, now, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            let pairs = match &mut pairs {
                Some(p) => &*p,
                None => pairs.insert(self.pairs_of(live, fence).await?),
            };
            // The records of everyone this batch is about, read once.
            let involved =
                Involved::in_messages(program, pairs, batch.iter().map(|d| &d.occurrence));
            let activity = self
                .store
                .activity_of(
                    &involved,
                    program.settings.kickoff_instant() - chrono::Duration::days(7),
                )
                .await?;
            // Several in flight, each within the limits: a slow answer or a retry in one
            // channel does not hold up the others.
            let delivered: Vec<anyhow::Result<TickReport>> = stream::iter(batch)
                .map(|d| async {
                    let mut one = TickReport::default();
                    self.deliver(d, program, pairs, &activity, stop, &mut one)
                        .await
                        .map(|()| one)
                })
                .buffered(SENDS_IN_FLIGHT)
                .collect()
                .await;
            for one in delivered {
                report.add(&one?);
            }
            if stop.is_cancelled() || !self.holds_lease(self.clock.now()) {
                return Ok(());
            }
        }
        Ok(())
    }

    async fn deliver(
        &self,
        d: Delivery,
        program: &Program,
        pairs: &PairSchedule,
        activity: &Activity,
        stop: &CancellationToken,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let occ = &d.occurrence;
        if matches!(
            occ.source,
            Source::TeamChart | Source::AdoptionChart | Source::PipelineChart
        ) {
            return self.deliver_chart(d, program, activity, stop, report).await;
        }
        // A notice's text was written when it was asked for; the rest is composed now, from
        // the latest records.
        let mut asked = None;
        let message = match &occ.source {
            Source::Notice(_) => d.text.clone().map(Message::text),
            Source::Coached(_) => d.text.clone().map(|text| {
                let log = Button {
                    action: Action::LogPractice,
                    value: String::new(),
                };
                Message::with_buttons(text, vec![log])
            }),
            // Which question goes is chosen now, from the latest answers, and kept once sent.
            Source::Quiz => match compose::quiz(program, activity, occ) {
                Ok((question, message)) => {
                    asked = Some(question);
                    Some(message)
                }
                Err(_) => None,
            },
            _ => compose(program, pairs, activity, occ),
        };
        let Some(message) = message else {
            return self.nothing_to_send(&d, report).await;
        };
        let Some(channel) = self.channel_in_turn(&d, stop, report).await? else {
            return Ok(());
        };
        if !self.take_for_sending(&d, &message.text, &channel).await? {
            return Ok(());
        }
        match self
            .send(
                Method::PostMessage,
                self.messenger.post(&channel, &message, &d.key),
            )
            .await
        {
            Ok(ts) => {
                self.store.mark_sent(d.id, &ts, self.clock.now()).await?;
                self.sent(occ, asked).await?;
                self.progress.count_sent();
                report.sent += 1;
                Ok(())
            }
            Err(e) => self.after_failure(&d, e, report).await,
        }
    }

    /// Marks `d` as being sent, with what it says and where, just before the Slack call; false
    /// when its turn came after this replica's lease ran out, or another replica took the row
    /// over: then it is theirs to send.
    async fn take_for_sending(
        &self,
        d: &Delivery,
        text: &str,
        channel: &str,
    ) -> anyhow::Result<bool> {
        let now = self.clock.now();
        Ok(self.holds_lease(now)
            && self
                .store
                .mark_sending(d.id, &self.replica.id, text, channel, now)
                .await?)
    }

    /// Records that `d` came due with nothing to say, and why.
    async fn nothing_to_send(&self, d: &Delivery, report: &mut TickReport) -> anyhow::Result<()> {
        let why = nothing_to_say(&d.occurrence.source);
        self.store
            .mark_final(d.id, Settled::Skipped, why, self.clock.now())
            .await?;
        report.skipped += 1;
        Ok(())
    }

    /// What a message that went makes true: a check-in sent is one the pair was brought to.
    /// and a question sent is one asked.
    async fn sent(&self, occ: &Occurrence, asked: Option<&Question>) -> anyhow::Result<()> {
        match (&occ.source, &occ.recipient) {
            (Source::Checkin, Recipient::Group(group)) => {
                self.store
                    .record_checkin(group, Some(occ.program_week), occ.at)
                    .await?
            }
            (Source::Quiz, Recipient::Person(rep)) => {
                if let Some(q) = asked {
                    let asked = Asked {
                        rep: rep.as_str().into(),
                        question: q.id.as_str().into(),
                        skill: q.skill.as_str().into(),
                        asked_at: occ.at,
                        asked_on: occ.local.date_naive(),
                        answer: None,
                    };
                    self.store.record_asked(&asked).await?
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Why a planned message was not sent although it came due, for `export --what deliveries`.
fn nothing_to_say(source: &Source) -> &'static str {
    match source {
        Source::CheckinFollowUp => "the pair already answered or practised together",
        Source::Digest | Source::Close => "no reps to report on",
        Source::ProgramReport | Source::TeamChart => "nothing to report",
        Source::AdoptionChart => "no checkpoint has figures yet",
        Source::PipelineChart => "no deals of these reps in the CRM export",
        Source::Trigger(_) | Source::Checkpoint(_) => "no longer in the config",
        Source::Checkin | Source::Pressure => "nothing to say to this recipient",
        Source::Win { .. } => "the practice it shares is no longer recorded",
        Source::Notice(_) | Source::Coached(_) => "the notice's text was not kept",
        Source::Quiz => "no question due: the day's were asked, or none is due yet",
    }
}
