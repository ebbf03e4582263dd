//! Turning the program's schedule into messages: what each occurrence says (`compose`), the
//! durable outbox it is written to before sending, and the rate-limited sender.
//!
//! One `tick`: plan what has come due into the outbox; skip what is past the grace window or
//! superseded by a later one; settle sends a crash interrupted (by asking Slack whether the
//! message arrived); deliver the rest in due order.

pub mod sender;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{LiveProgram, SenderConfig};
use crate::domain::compose::{Activity, compose, people_involved};
use crate::domain::program::{PairingMode, Program};
use crate::domain::schedule::{Member, Occurrence, PairSchedule, Planner, Recipient, Source};
use crate::metrics::Metrics;
use crate::store::{Delivery, Store};
use sender::{Messenger, RateLimiter, SendError, backoff};

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

pub struct Scheduler<M> {
    store: Store,
    program: LiveProgram,
    clock: Arc<dyn Clock>,
    messenger: M,
    settings: SenderConfig,
    limiter: Mutex<RateLimiter>,
    metrics: Arc<Metrics>,
    /// One tick at a time: the loop and a manual tick never interleave.
    running: tokio::sync::Mutex<()>,
}

const BATCH: i64 = 200;
/// `users.info` calls per tick: Tier 4 allows about 100 a minute.
const TIMEZONES_PER_TICK: usize = 20;
const RETRY_CAP: Duration = Duration::from_secs(3600);
/// A 429 longer than this is not waited out in-line; the message is tried again later.
const LONGEST_INLINE_WAIT: Duration = Duration::from_secs(60);

impl<M: Messenger> Scheduler<M> {
    pub fn new(
        store: Store,
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
            running: tokio::sync::Mutex::new(()),
        }
    }

    /// Ticks every `sender.tick_seconds` until `stop` is cancelled.
    pub async fn run(&self, stop: CancellationToken) {
        let every = Duration::from_secs(self.settings.tick_seconds);
        if every.is_zero() {
            return;
        }
        loop {
            if let Err(e) = self.tick(&stop).await {
                tracing::error!(error = %format_args!("{e:#}"), "scheduler tick failed; trying again");
            }
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(every) => {}
            }
        }
    }

    pub async fn tick(&self, stop: &CancellationToken) -> anyhow::Result<TickReport> {
        let _one_at_a_time = self.running.lock().await;
        let now = self.clock.now();
        // One program for the whole tick, even if a reload lands meanwhile.
        let program = self.program.load_full();
        let program = program.as_ref();
        self.refresh_timezones(program, now).await?;
        let pairs = self.pairs(program).await?;
        let mut report = TickReport {
            planned: self.plan(program, &pairs, now).await?,
            ..TickReport::default()
        };
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        report.skipped += self.store.skip_stale(now - grace, now).await?;
        report.skipped += self.store.skip_superseded(now).await?;
        for d in self.store.interrupted_deliveries().await? {
            self.settle_interrupted(d, &mut report).await?;
        }
        loop {
            let batch = self.store.due_deliveries(now, BATCH).await?;
            if batch.is_empty() {
                break;
            }
            // The records of everyone this batch is about, read once.
            let occurrences: Vec<Option<Occurrence>> = batch.iter().map(occurrence_of).collect();
            let mut people: Vec<String> = occurrences
                .iter()
                .flatten()
                .flat_map(|o| people_involved(program, o))
                .collect();
            people.sort_unstable();
            people.dedup();
            let activity = self
                .store
                .activity_of(
                    &people,
                    program.settings.kickoff_instant() - chrono::Duration::days(7),
                )
                .await?;
            for (d, occ) in batch.into_iter().zip(occurrences) {
                if stop.is_cancelled() {
                    return Ok(report);
                }
                self.deliver(d, occ, program, &pairs, &activity, stop, &mut report)
                    .await?;
            }
        }
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

    /// Writes every occurrence due since the last plan into the outbox.
    async fn plan(
        &self,
        program: &Program,
        pairs: &PairSchedule,
        now: DateTime<Utc>,
    ) -> anyhow::Result<u64> {
        let grace = chrono::Duration::minutes(self.settings.grace_minutes);
        let from = self.store.planned_until().await?.unwrap_or(now - grace);
        if from >= now {
            return Ok(0);
        }
        let members = self.members(program).await?;
        let occurrences = Planner::new(program, &members, pairs).occurrences(from, now);
        for o in &occurrences {
            if let (Source::Checkin, Recipient::Group(group)) = (&o.source, &o.recipient) {
                self.store
                    .record_checkin(group, Some(o.program_week), o.at)
                    .await?;
            }
        }
        self.store.enqueue(&occurrences, now, now).await
    }

    /// Asks Slack for the timezone of people the roster does not place, at most once a day
    /// each and a few per tick (`users.info` is rate limited too). A failure keeps the old one.
    async fn refresh_timezones(&self, program: &Program, now: DateTime<Utc>) -> anyhow::Result<()> {
        // One read of every fetch time: this runs each tick, for every rostered person.
        let fetched = self.store.slack_users_fetched_at().await?;
        let stale = program
            .people
            .iter()
            .filter(|p| p.timezone.is_none())
            .filter(|p| {
                fetched
                    .get(&p.slack_id)
                    .is_none_or(|t| now - *t >= chrono::Duration::days(1))
            })
            .take(TIMEZONES_PER_TICK);
        for person in stale {
            match self.call(self.messenger.timezone(&person.slack_id)).await {
                Ok(tz) => {
                    let tz = tz.filter(|t| t.parse::<Tz>().is_ok());
                    self.store
                        .remember_slack_user(&person.slack_id, tz.as_deref(), None, now)
                        .await?;
                }
                Err(e) => {
                    tracing::warn!(user = %person.slack_id, error = %e, "could not read a timezone from Slack; using the last known one")
                }
            }
        }
        Ok(())
    }

    async fn members(&self, program: &Program) -> anyhow::Result<Vec<Member>> {
        members(&self.store, program).await
    }

    async fn pairs(&self, program: &Program) -> anyhow::Result<PairSchedule> {
        pair_schedule(&self.store, program).await
    }

    #[allow(clippy::too_many_arguments)]
    async fn deliver(
        &self,
        d: Delivery,
        occ: Option<Occurrence>,
        program: &Program,
        pairs: &PairSchedule,
        activity: &Activity,
        stop: &CancellationToken,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let now = self.clock.now();
        let Some(occ) = occ else {
            self.store
                .mark_final(d.id, "failed", &format!("unknown source {}", d.source), now)
                .await?;
            report.failed += 1;
            return Ok(());
        };
        let Some(message) = compose(program, pairs, activity, &occ) else {
            self.store
                .mark_final(
                    d.id,
                    "skipped",
                    "nothing to say any more (e.g. the pair already met)",
                    now,
                )
                .await?;
            report.skipped += 1;
            return Ok(());
        };
        let channel = match self.channel_for(&occ.recipient).await {
            Ok(c) => c,
            Err(e) => return self.after_failure(&d, e, report).await,
        };
        let slot = self
            .limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(&channel, tokio::time::Instant::now());
        tokio::select! {
            _ = stop.cancelled() => return Ok(()),
            _ = tokio::time::sleep_until(slot) => {}
        }
        self.store
            .mark_sending(d.id, &message.text, &channel, self.clock.now())
            .await?;
        match self
            .call(self.messenger.post(&channel, &message, &d.key))
            .await
        {
            Ok(ts) => {
                self.store.mark_sent(d.id, &ts, self.clock.now()).await?;
                report.sent += 1;
                Ok(())
            }
            Err(e) => self.after_failure(&d, e, report).await,
        }
    }

    async fn channel_for(&self, recipient: &Recipient) -> Result<String, SendError> {
        let users = match recipient {
            Recipient::Channel(id) => return Ok(id.clone()),
            Recipient::Person(id) => vec![id.clone()],
            Recipient::Group(ids) => ids.clone(),
        };
        let key = users.join("+");
        if let Ok(Some(channel)) = self.store.dm_channel(&key).await {
            return Ok(channel);
        }
        let channel = self.call(self.messenger.open(&users)).await?;
        if let Err(e) = self.store.remember_dm_channel(&key, &channel).await {
            tracing::warn!(error = %format_args!("{e:#}"), "could not cache a DM channel");
        }
        Ok(channel)
    }

    /// A Slack call under the configured timeout; a timeout is a transient failure.
    async fn call<T>(
        &self,
        fut: impl std::future::Future<Output = Result<T, SendError>>,
    ) -> Result<T, SendError> {
        match tokio::time::timeout(Duration::from_secs(self.settings.timeout_seconds), fut).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Unanswered(format!(
                "no answer within {}s",
                self.settings.timeout_seconds
            ))),
        }
    }

    async fn after_failure(
        &self,
        d: &Delivery,
        error: SendError,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let now = self.clock.now();
        self.metrics.slack_error(match &error {
            SendError::RateLimited(_) => "ratelimited",
            SendError::Unanswered(_) => "timeout",
            SendError::Transient(e) | SendError::Permanent(e) => {
                e.split_whitespace().next().unwrap_or("unknown")
            }
        });
        if matches!(error, SendError::RateLimited(_)) {
            self.metrics.rate_limited();
        }
        let attempts = u32::try_from(d.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        match &error {
            SendError::Unanswered(e) => {
                // Left as `sending`: the next ticks ask Slack whether it arrived.
                tracing::warn!(key = %d.key, error = %e, "Slack did not answer; will check whether the message arrived");
                report.retried += 1;
            }
            SendError::RateLimited(wait) => {
                tracing::warn!(
                    wait_s = wait.as_secs_f64(),
                    "Slack rate limit: waiting it out"
                );
                self.limiter
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .block("chat.postMessage", *wait, tokio::time::Instant::now());
                let later = if *wait > LONGEST_INLINE_WAIT {
                    now + chrono::Duration::from_std(*wait)?
                } else {
                    now
                };
                self.store
                    .mark_retry(d.id, later, &error.to_string(), now)
                    .await?;
                report.retried += 1;
            }
            SendError::Transient(_) if attempts < self.settings.max_attempts => {
                let wait = backoff(
                    attempts,
                    Duration::from_secs(self.settings.retry_base_seconds),
                    RETRY_CAP,
                    fastrand::f64(),
                );
                self.store
                    .mark_retry(
                        d.id,
                        now + chrono::Duration::from_std(wait)?,
                        &error.to_string(),
                        now,
                    )
                    .await?;
                report.retried += 1;
            }
            _ => {
                tracing::error!(key = %d.key, error = %error, "message parked as failed");
                self.store
                    .mark_final(
                        d.id,
                        "failed",
                        &format!("{error} (after {attempts} attempts)"),
                        now,
                    )
                    .await?;
                report.failed += 1;
            }
        }
        Ok(())
    }

    /// A send under way when the process stopped: Slack may or may not have the message.
    /// Every message carries its outbox key, so ask Slack before sending it again.
    async fn settle_interrupted(&self, d: Delivery, report: &mut TickReport) -> anyhow::Result<()> {
        let now = self.clock.now();
        // A call still in flight could yet land: give it twice the timeout first.
        if now - d.updated_at < chrono::Duration::seconds(2 * self.settings.timeout_seconds as i64)
        {
            return Ok(());
        }
        let found = match &d.channel {
            Some(channel) => self.call(self.messenger.find_posted(channel, &d.key)).await,
            None => Ok(None),
        };
        match found {
            Ok(Some(ts)) => {
                tracing::info!(key = %d.key, "interrupted send had reached Slack; marked sent");
                self.store.mark_sent(d.id, &ts, now).await?;
                report.recovered += 1;
            }
            Ok(None) if d.attempts >= i64::from(self.settings.max_attempts) => {
                let reason = format!("never confirmed by Slack after {} attempts", d.attempts);
                self.store.mark_final(d.id, "failed", &reason, now).await?;
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

/// The occurrence an outbox row stands for; `None` for a row this version cannot read.
fn occurrence_of(d: &Delivery) -> Option<Occurrence> {
    Some(Occurrence {
        source: Source::parse(&d.source)?,
        recipient: Recipient::parse(&d.recipient),
        at: d.due_at,
        local: d.local_time,
        program_week: u32::try_from(d.program_week).ok()?,
    })
}

/// The roster as the scheduler sees it: Slack's timezones and the pauses set in Slack applied.
pub async fn members(store: &Store, program: &Program) -> anyhow::Result<Vec<Member>> {
    let slack: HashMap<String, Tz> = store
        .slack_timezones()
        .await?
        .into_iter()
        .filter_map(|(id, tz)| Some((id, tz.parse().ok()?)))
        .collect();
    let paused: HashMap<String, chrono::NaiveDate> = store.pauses().await?.into_iter().collect();
    Ok(Member::roster_with_pauses(
        program,
        |id| slack.get(id).copied(),
        |id| paused.get(id).copied(),
    ))
}

/// Config pairs as written; automatic pairs made once and kept, so restarts keep them.
pub async fn pair_schedule(store: &Store, program: &Program) -> anyhow::Result<PairSchedule> {
    if program.pairing.mode == PairingMode::Config {
        return Ok(PairSchedule::for_program(program, &[]));
    }
    if let Some(stored) = store.stored_pairs().await? {
        return Ok(stored);
    }
    let pairs = PairSchedule::for_program(program, &members(store, program).await?);
    store.store_pairs(&pairs).await?;
    Ok(pairs)
}
