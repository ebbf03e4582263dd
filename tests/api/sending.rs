//! The sender's timing on a clock the test controls: tokio's paused time for waits, timeouts
//! and `Retry-After`, a hand-set clock for due times, and an in-process Slack that answers as
//! scripted. A 429 is waited out for exactly as long as it says, an unanswered send is checked
//! with Slack rather than repeated, and a crash mid-send loses and repeats nothing.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use chrono::{DateTime, TimeZone, Utc};
use sko_reinforce::clock::{Clock, ManualClock};
use sko_reinforce::config::{Config, SenderConfig};
use sko_reinforce::domain::absence::SlackStatus;
use sko_reinforce::domain::charts::Chart;
use sko_reinforce::domain::message::Message;
use sko_reinforce::domain::schedule::MessageKind;
use sko_reinforce::metrics::Metrics;
use sko_reinforce::scheduler::Scheduler;
use sko_reinforce::scheduler::sender::{Messenger, SendError};
use sko_reinforce::store::{DeliveryStatus, MemoryStore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::helpers::example_config_path;

/// How the scripted Slack answers the next post.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// 429 with this `Retry-After`; nothing posted.
    RateLimited(Duration),
    /// Posted at once, but the answer takes this long.
    Late(Duration),
}

#[derive(Debug, Clone)]
struct Posted {
    key: String,
    channel: String,
    at: Instant,
}

/// Slack in the test's own process: each post takes the next scripted answer, or succeeds.
#[derive(Clone, Default)]
struct ScriptedSlack(Arc<Scripted>);

#[derive(Default)]
struct Scripted {
    script: Mutex<VecDeque<Answer>>,
    posts: Mutex<Vec<Posted>>,
    /// Every `chat.postMessage` call, posted or refused, with when it came.
    calls: Mutex<Vec<Instant>>,
}

impl std::ops::Deref for ScriptedSlack {
    type Target = Scripted;
    fn deref(&self) -> &Scripted {
        &self.0
    }
}

impl Scripted {
    fn posts(&self) -> Vec<Posted> {
        self.posts.lock().unwrap().clone()
    }

    fn calls(&self) -> Vec<Instant> {
        self.calls.lock().unwrap().clone()
    }

    fn assert_each_once(&self, expected: usize) {
        let mut per_key: HashMap<String, usize> = HashMap::new();
        for p in self.posts() {
            *per_key.entry(p.key).or_default() += 1;
        }
        assert_eq!(per_key.len(), expected, "{per_key:#?}");
        assert!(per_key.values().all(|n| *n == 1), "{per_key:#?}");
    }
}

impl Messenger for ScriptedSlack {
    async fn open(&self, users: &[String]) -> Result<String, SendError> {
        Ok(format!("D{}", users.join("_")))
    }

    async fn post(&self, channel: &str, _: &Message, key: &str) -> Result<String, SendError> {
        self.calls.lock().unwrap().push(Instant::now());
        let answer = self.script.lock().unwrap().pop_front();
        if let Some(Answer::RateLimited(wait)) = answer {
            return Err(SendError::RateLimited(wait));
        }
        let ts = {
            let mut posts = self.posts.lock().unwrap();
            posts.push(Posted {
                key: key.to_string(),
                channel: channel.to_string(),
                at: Instant::now(),
            });
            format!("{}.000100", posts.len())
        };
        if let Some(Answer::Late(after)) = answer {
            tokio::time::sleep(after).await;
        }
        Ok(ts)
    }

    async fn timezone(&self, _: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }

    async fn user_by_email(&self, _: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }

    async fn share_chart(&self, _: &str, _: &str, _: &Chart) -> Result<String, SendError> {
        Ok("F0CHART".into())
    }

    async fn status(&self, _: &str) -> Result<SlackStatus, SendError> {
        Ok(SlackStatus {
            emoji: String::new(),
            text: String::new(),
            expires: None,
        })
    }

    async fn find_channel(&self, name: &str) -> Result<Option<String>, SendError> {
        Ok(Some(format!("C{name}")))
    }

    async fn find_posted(&self, channel: &str, key: &str) -> Result<Option<String>, SendError> {
        Ok(self
            .posts()
            .iter()
            .position(|p| p.channel == channel && p.key == key)
            .map(|i| format!("{}.000100", i + 1)))
    }
}

/// Monday 11 Jan 2027 (kickoff), 08:31 in New York: the four New York reps' 08:30 prompts.
fn monday_0831_new_york() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap()
}

const NEW_YORK_PROMPTS: usize = 4;

struct Harness {
    program: Arc<sko_reinforce::domain::program::Program>,
    store: MemoryStore,
    clock: Arc<ManualClock>,
    slack: ScriptedSlack,
    sender: SenderConfig,
}

impl Harness {
    fn new(script: impl IntoIterator<Item = Answer>) -> Harness {
        let config = Config::load_with_env(&example_config_path(), []).unwrap();
        Harness::on(config, monday_0831_new_york(), script)
    }

    fn on(config: Config, now: DateTime<Utc>, script: impl IntoIterator<Item = Answer>) -> Harness {
        let slack = ScriptedSlack::default();
        slack.script.lock().unwrap().extend(script);
        Harness {
            program: config.program,
            store: MemoryStore::default(),
            clock: Arc::new(ManualClock::new(now)),
            slack,
            sender: SenderConfig {
                timeout_seconds: 10,
                ..config.sender
            },
        }
    }

    /// A scheduler on the harness's store and Slack: a second one is a restart.
    fn scheduler(&self) -> Scheduler<ScriptedSlack, MemoryStore> {
        self.scheduler_with(Arc::new(Metrics::default()))
    }

    fn scheduler_with(&self, metrics: Arc<Metrics>) -> Scheduler<ScriptedSlack, MemoryStore> {
        Scheduler::new(
            self.store.clone(),
            Arc::new(ArcSwap::new(self.program.clone())),
            self.clock.clone(),
            self.slack.clone(),
            self.sender.clone(),
            metrics,
        )
    }

    /// How the prompts due so far ended (the kickoff morning's digests have nothing to say).
    fn prompt_statuses(&self) -> Vec<DeliveryStatus> {
        self.store
            .take_settled(self.clock.now() + chrono::Duration::days(1))
            .into_iter()
            .filter(|d| d.kind() == MessageKind::Prompt)
            .map(|d| d.status)
            .collect()
    }
}

#[tokio::test(start_paused = true)]
async fn a_429_holds_posts_for_exactly_its_retry_after_and_loses_or_doubles_nothing() {
    let retry_after = Duration::from_secs(30);
    let h = Harness::new([Answer::RateLimited(retry_after)]);
    let scheduler = h.scheduler();
    let started = Instant::now();

    let report = scheduler.tick(&CancellationToken::new()).await.unwrap();

    assert_eq!(report.sent, NEW_YORK_PROMPTS as u64, "{report:?}");
    h.slack.assert_each_once(NEW_YORK_PROMPTS);
    let refused = h.slack.calls()[0];
    let after: Vec<Duration> = h.slack.posts().iter().map(|p| p.at - refused).collect();
    assert!(
        after.iter().all(|d| *d >= retry_after),
        "nothing posted within the Retry-After: {after:?}"
    );
    assert!(
        started.elapsed() < retry_after + Duration::from_secs(5),
        "and not much later: {:?}",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_send_is_checked_with_slack_not_blindly_repeated() {
    // The second post reaches Slack, but its answer comes after the 10 s timeout.
    let h = Harness::new([
        Answer::Late(Duration::ZERO),
        Answer::Late(Duration::from_secs(15)),
    ]);
    let scheduler = h.scheduler();

    let report = scheduler.tick(&CancellationToken::new()).await.unwrap();
    assert_eq!((report.sent, report.retried), (3, 1), "{report:?}");
    assert_eq!(
        h.slack.posts().len(),
        NEW_YORK_PROMPTS,
        "Slack has all four"
    );

    // Not before twice the timeout: the answer could still be on its way.
    h.clock.advance(chrono::Duration::seconds(5));
    let early = scheduler.tick(&CancellationToken::new()).await.unwrap();
    assert_eq!((early.recovered, early.sent), (0, 0), "{early:?}");
    h.clock.advance(chrono::Duration::seconds(20));
    let report = scheduler.tick(&CancellationToken::new()).await.unwrap();

    assert_eq!((report.recovered, report.sent), (1, 0), "{report:?}");
    h.slack.assert_each_once(NEW_YORK_PROMPTS);
    assert_eq!(
        h.prompt_statuses(),
        [DeliveryStatus::Sent; NEW_YORK_PROMPTS]
    );
}

#[tokio::test(start_paused = true)]
async fn a_crash_mid_fan_out_loses_nothing_and_repeats_nothing() {
    // One post reaches Slack and the process dies before the answer does.
    let h = Harness::new([
        Answer::Late(Duration::ZERO),
        Answer::Late(Duration::from_secs(5)),
    ]);
    let first = Arc::new(h.scheduler());
    let running = first.clone();
    let fan_out = tokio::spawn(async move { running.tick(&CancellationToken::new()).await });
    tokio::time::sleep(Duration::from_secs(1)).await;
    fan_out.abort();
    assert!(fan_out.await.unwrap_err().is_cancelled(), "killed mid-send");
    let posted_before = h.slack.posts().len();
    assert!(
        (2..=NEW_YORK_PROMPTS).contains(&posted_before),
        "{posted_before}"
    );
    drop(first);

    // The restart, a minute later: the unknown send is found in Slack, the rest are sent.
    h.clock.advance(chrono::Duration::minutes(1));
    let report = h.scheduler().tick(&CancellationToken::new()).await.unwrap();

    assert!(report.recovered >= 1, "{report:?}");
    h.slack.assert_each_once(NEW_YORK_PROMPTS);
    assert_eq!(
        h.prompt_statuses(),
        [DeliveryStatus::Sent; NEW_YORK_PROMPTS]
    );
}

#[tokio::test(start_paused = true)]
async fn a_long_send_says_every_half_minute_how_far_it_has_got() {
    // 120 reps never written to: their DMs open at conversations.open's pace (Tier 3), so
    // the fan-out takes minutes inside one tick.
    let fired = Utc.with_ymd_and_hms(2027, 1, 12, 9, 0, 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fan-out.toml");
    std::fs::write(&path, super::crash::fan_out_config_at(120, fired)).unwrap();
    let config = Config::load_with_env(&path, []).unwrap();
    let h = Harness::on(config, fired + chrono::Duration::seconds(1), []);
    let metrics = Arc::new(Metrics::default());
    let scheduler = Arc::new(h.scheduler_with(metrics.clone()));
    let running = scheduler.clone();
    let fan_out = tokio::spawn(async move { running.tick(&CancellationToken::new()).await });

    tokio::time::sleep(Duration::from_secs(45)).await;
    let during = metrics.render(&[], None);
    let gauge = |text: &str, name: &str| -> i64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {text}"))
    };
    let sent = gauge(&during, "sko_send_sent ");
    let due = gauge(&during, "sko_send_due ");
    let waiting = gauge(
        &during,
        "sko_slack_calls_waiting{method=\"conversations.open\"}",
    );
    assert!(
        sent > 0 && due > 0,
        "under way at 30 s: sent {sent}, due {due}"
    );
    assert_eq!(sent + due, 120, "every message is sent or left");
    assert!(waiting > 0, "waiting on conversations.open: {during}");

    let report = fan_out.await.unwrap().unwrap();
    assert_eq!(report.sent, 120, "{report:?}");
    let after = metrics.render(&[], None);
    assert_eq!(gauge(&after, "sko_send_due "), 0, "nothing under way");
}
