//! Calling Slack within its limits (`limits`): each call waits for its method's turn and is
//! held by a 429 for what it says, under the configured timeout; a failed delivery is retried
//! with backoff and jitter, checked with Slack when its answer never came, or parked. A long
//! send says how far it has got.

use std::future::Future;
use std::time::Duration;

pub use super::limits::{Method, RateLimiter, backoff};

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::{Scheduler, TickReport};
use crate::domain::absence::SlackStatus;
use crate::domain::charts::Chart;
use crate::domain::message::Message;
use crate::domain::program::Channel;
use crate::domain::schedule::Recipient;
use crate::store::{Delivery, SchedulerStore, Settled};

/// Why a Slack call did not succeed, sorted by what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SendError {
    /// 429: wait this long before calling the method again.
    #[error("rate limited for {}s", .0.as_secs_f64())]
    RateLimited(Duration),
    /// 5xx, a dropped connection: not posted; try again later.
    #[error("temporary failure: {0}")]
    Transient(Failure),
    /// No answer in time: Slack may or may not have posted it, so check before resending.
    #[error("no answer: {0}")]
    Unanswered(String),
    /// Slack said no for good (`channel_not_found`, `not_in_channel`, …).
    #[error("{0}")]
    Permanent(Failure),
}

impl SendError {
    /// The failure's code, as the metric label: Slack's own where it gave one.
    pub fn code(&self) -> &str {
        match self {
            SendError::RateLimited(_) => "ratelimited",
            SendError::Unanswered(_) => "timeout",
            SendError::Transient(f) | SendError::Permanent(f) => &f.code,
        }
    }
}

/// A failed call: Slack's error code where it answered with one (`channel_not_found`), else
/// the class the gateway put it in (`http_5xx`, `connection`, `not_configured`, …), and the
/// words for the log and the outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub detail: String,
}

impl Failure {
    /// An error Slack answered with: its code says it all.
    pub fn slack(code: impl Into<String>) -> Self {
        let code = code.into();
        Failure {
            detail: code.clone(),
            code,
        }
    }

    pub fn new(code: &'static str, detail: impl std::fmt::Display) -> Self {
        Failure {
            code: code.to_string(),
            detail: detail.to_string(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.detail)
    }
}

/// The Slack calls the scheduler makes (delivery, housekeeping, recovery); the gateway
/// implements it, `simulate` and the tests stand in for it.
pub trait Messenger: Send + Sync + 'static {
    /// The DM channel for one user, or the group DM for several (`conversations.open`).
    fn open(&self, users: &[String]) -> impl Future<Output = Result<String, SendError>> + Send;
    /// Posts `message` to `channel` tagged with `key`; returns the message's `ts`.
    fn post(
        &self,
        channel: &str,
        message: &Message,
        key: &str,
    ) -> impl Future<Output = Result<String, SendError>> + Send;
    /// The person's IANA timezone as Slack knows it (`users.info`), if set.
    fn timezone(
        &self,
        user: &str,
    ) -> impl Future<Output = Result<Option<String>, SendError>> + Send;
    /// The Slack id of the person with this email (`users.lookupByEmail`); `None` when Slack
    /// has nobody by it.
    fn user_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<String>, SendError>> + Send;
    /// Draws `chart` and shares it as a PNG file in `channel` (`files.getUploadURLExternal`,
    /// the bytes to the URL it gives, `files.completeUploadExternal`); returns the file's id.
    /// Drawing is the messenger's part, so a preview that keeps no files draws none.
    fn share_chart(
        &self,
        channel: &str,
        file_name: &str,
        chart: &Chart,
    ) -> impl Future<Output = Result<String, SendError>> + Send;
    /// The person's status (`users.profile.get`).
    fn status(&self, user: &str) -> impl Future<Output = Result<SlackStatus, SendError>> + Send;
    /// The id of the channel named `name` (without `#`), if the bot can see one
    /// (`conversations.list`).
    fn find_channel(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<String>, SendError>> + Send;
    /// The `ts` of a recent message in `channel` tagged `key`, if there is one. Found by key,
    /// not by time, so a clock that disagrees with Slack's cannot hide it.
    fn find_posted(
        &self,
        channel: &str,
        key: &str,
    ) -> impl Future<Output = Result<Option<String>, SendError>> + Send;
}

/// How far the send under way has got: messages sent, and Slack calls waiting for their
/// method's turn. A fan-out bound by a Slack tier runs for minutes inside one tick; this is
/// what its progress reports read.
#[derive(Debug, Default)]
pub struct Progress {
    sent: std::sync::atomic::AtomicU64,
    waiting: std::sync::Mutex<std::collections::BTreeMap<&'static str, i64>>,
}

impl Progress {
    pub fn count_sent(&self) {
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Messages sent since this process started.
    pub fn sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Counts a call of `method` as waiting for its turn until the guard is dropped.
    pub fn waiting(&self, method: Method) -> Waiting<'_> {
        *self.waits().entry(method.name()).or_default() += 1;
        Waiting(self, method)
    }

    /// Calls waiting for their turn, by method.
    pub fn waiting_on(&self) -> Vec<(&'static str, i64)> {
        self.waits().iter().map(|(m, n)| (*m, *n)).collect()
    }

    fn waits(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeMap<&'static str, i64>> {
        self.waiting.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A call waiting for its method's turn, counted until dropped.
pub struct Waiting<'a>(&'a Progress, Method);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        *self.0.waits().entry(self.1.name()).or_default() -= 1;
    }
}

const RETRY_CAP: Duration = Duration::from_secs(3600);
/// A 429 longer than this is not waited out in-line; the message is tried again later.
const LONGEST_INLINE_WAIT: Duration = Duration::from_secs(60);
/// How often a long send says how far it has got.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

impl<M: Messenger, S: SchedulerStore> Scheduler<M, S> {
    /// Runs `sending`, saying every half minute how far it has got (sent, left, the Slack
    /// methods it waits on), in the log and in `/metrics`.
    pub(super) async fn reporting_progress(
        &self,
        sending: impl std::future::Future<Output = anyhow::Result<()>>,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        tokio::pin!(sending);
        let started = tokio::time::Instant::now();
        let sent_before = self.progress.sent();
        let mut every = tokio::time::interval_at(started + PROGRESS_EVERY, PROGRESS_EVERY);
        let mut reported = false;
        let outcome = loop {
            tokio::select! {
                done = &mut sending => break done,
                _ = every.tick() => {
                    let sent = self.progress.sent() - sent_before;
                    let left = self.store.count_due(now).await?;
                    let waiting = self.progress.waiting_on();
                    let waiting_on: Vec<String> = waiting
                        .iter()
                        .filter(|(_, n)| *n > 0)
                        .map(|(method, n)| format!("{method} ({n})"))
                        .collect();
                    tracing::info!(
                        sent,
                        left,
                        waiting_on = %waiting_on.join(", "),
                        seconds = started.elapsed().as_secs(),
                        "sending"
                    );
                    self.metrics.sending(sent, left, &waiting);
                    reported = true;
                }
            }
        };
        if reported {
            tracing::info!(
                sent = self.progress.sent() - sent_before,
                seconds = started.elapsed().as_secs(),
                "send finished"
            );
            self.metrics.sending(0, 0, &self.progress.waiting_on());
        }
        outcome
    }

    /// The channel `d` goes to, once its turn within the channel's pace has come; `None` when
    /// the scheduler is stopping, or the channel could not be had (the failure is recorded).
    pub(super) async fn channel_in_turn(
        &self,
        d: &Delivery,
        stop: &CancellationToken,
        report: &mut TickReport,
    ) -> anyhow::Result<Option<String>> {
        let channel = match self.channel_for(&d.occurrence.recipient).await {
            Ok(c) => c,
            Err(e) => {
                self.after_failure(d, e, report).await?;
                return Ok(None);
            }
        };
        let slot = self
            .limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(&channel, tokio::time::Instant::now());
        let _waiting = self.progress.waiting(Method::PostMessage);
        tokio::select! {
            _ = stop.cancelled() => Ok(None),
            _ = wait_until(slot) => Ok(Some(channel)),
        }
    }

    /// The channel a recipient's messages go to: a DM or group DM opened once and kept, or a
    /// channel by id, or by name looked up once.
    pub(super) async fn channel_for(&self, recipient: &Recipient) -> Result<String, SendError> {
        let users = match recipient {
            Recipient::Channel(Channel::Id(id)) => return Ok(id.clone()),
            Recipient::Channel(Channel::Name(name)) => return self.channel_named(name).await,
            Recipient::Person(_) | Recipient::Group(_) => recipient.people(),
        };
        let key = recipient.key();
        if let Ok(Some(channel)) = self.store.dm_channel(&key).await {
            return Ok(channel);
        }
        let channel = self
            .call(Method::ConversationsOpen, self.messenger.open(users))
            .await?;
        if let Err(e) = self.store.remember_dm_channel(&key, &channel).await {
            tracing::warn!(error = %format_args!("{e:#}"), "could not cache a DM channel");
        }
        Ok(channel)
    }

    /// The id of the channel `#name`, from the cache or else from Slack.
    pub async fn channel_named(&self, name: &str) -> Result<String, SendError> {
        if let Ok(Some(id)) = self.store.channel_named(name).await {
            return Ok(id);
        }
        match self
            .call(Method::ConversationsList, self.messenger.find_channel(name))
            .await?
        {
            Some(id) => {
                if let Err(e) = self
                    .store
                    .remember_channel_name(name, &id, self.clock.now())
                    .await
                {
                    tracing::warn!(error = %format_args!("{e:#}"), "could not cache a channel name");
                }
                Ok(id)
            }
            None => Err(SendError::Permanent(Failure::new(
                "channel_not_found",
                format_args!(
                    "no channel named #{name} that the bot can see: check the name, or invite the bot to it (/invite @sko-reinforce)"
                ),
            ))),
        }
    }

    /// A Slack call of `method`, within its rate limit and any 429 it is held by, under the
    /// configured timeout; a timeout is a transient failure.
    pub(super) async fn call<T>(
        &self,
        method: Method,
        fut: impl std::future::Future<Output = Result<T, SendError>>,
    ) -> Result<T, SendError> {
        let slot = self
            .limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve_call(method, tokio::time::Instant::now());
        {
            let _waiting = self.progress.waiting(method);
            wait_until(slot).await;
        }
        self.send(method, fut).await
    }

    /// A Slack call of `method` if its rate limit has room for it now, else `None`: for work
    /// that can wait for the next round rather than hold this one up.
    pub(super) async fn call_if_free<T>(
        &self,
        method: Method,
        fut: impl std::future::Future<Output = Result<T, SendError>>,
    ) -> Option<Result<T, SendError>> {
        let free = self
            .limiter
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .try_reserve_call(method, tokio::time::Instant::now());
        if free {
            Some(self.send(method, fut).await)
        } else {
            None
        }
    }

    /// A Slack call already spaced by the caller. A 429 holds `method` for what it says.
    pub(super) async fn send<T>(
        &self,
        method: Method,
        fut: impl std::future::Future<Output = Result<T, SendError>>,
    ) -> Result<T, SendError> {
        let result =
            match tokio::time::timeout(Duration::from_secs(self.settings.timeout_seconds), fut)
                .await
            {
                Ok(result) => result,
                Err(_) => Err(SendError::Unanswered(format!(
                    "no answer within {}s",
                    self.settings.timeout_seconds
                ))),
            };
        if let Err(SendError::RateLimited(wait)) = &result {
            tracing::warn!(
                method = method.name(),
                wait_s = wait.as_secs_f64(),
                "Slack rate limit: waiting it out"
            );
            self.metrics.rate_limited();
            self.limiter
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .block(method, *wait, tokio::time::Instant::now());
        }
        result
    }

    pub(super) async fn after_failure(
        &self,
        d: &Delivery,
        error: SendError,
        report: &mut TickReport,
    ) -> anyhow::Result<()> {
        let now = self.clock.now();
        self.metrics.slack_error(error.code());
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
                // The method or channel is already held; a long hold moves the message too.
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
                        Settled::Failed,
                        &format!("{error} (after {attempts} attempts)"),
                        now,
                    )
                    .await?;
                report.failed += 1;
            }
        }
        Ok(())
    }
}

/// Sleeps until `slot`, unless it has come: a timer set for now still waits for the timer's
/// next millisecond, which a simulation's hundreds of thousands of sends would add up.
pub(super) async fn wait_until(slot: tokio::time::Instant) {
    if slot > tokio::time::Instant::now() {
        tokio::time::sleep_until(slot).await;
    }
}
