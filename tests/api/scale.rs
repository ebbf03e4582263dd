//! Delivery at scale: the real binary fans 10,000 DMs out to a fake Slack that enforces a
//! global rate and one message a second per channel. The whole fan-out must take 10,000/R
//! (within 5 %), provoke no 429 and post nothing twice. Slow, so ignored by default:
//!
//! `cargo test --release --test api scale:: -- --ignored --nocapture`
//!
//! And reps the bot has never written to: their DM channels are opened ahead, within
//! `conversations.open`'s tier, so that the fan-out is bound by `chat.postMessage` alone and
//! provokes no 429 on any method.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::crash::{
    channels_opened_ahead, fan_out_config, fan_out_config_at, sqlite_in, start, start_on,
};
use super::fake_slack::FakeSlack;
use super::helpers::{command_body, free_address, signed_command};

const DMS: usize = 10_000;
const RATE: u32 = 100;

#[tokio::test]
#[ignore = "slow (about 100 s): cargo test --release --test api scale:: -- --ignored --nocapture"]
async fn fan_out_of_10000_dms_keeps_to_the_rate_and_posts_each_once() {
    let slack = FakeSlack::start().await;
    slack.enforce_rate(RATE as usize);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("fan-out.toml");
    std::fs::write(&config, fan_out_config(DMS)).unwrap();
    channels_opened_ahead(&sqlite_in(&dir), DMS).await;

    let listen = free_address();
    let started = Instant::now();
    let mut child = start_on(
        &config,
        &sqlite_in(&dir),
        &slack,
        Stdio::null(),
        RATE,
        &listen,
    );
    let limit = Duration::from_secs_f64(DMS as f64 / f64::from(RATE) * 1.5 + 30.0);
    // A rep's /commit every 100 ms while the fan-out runs: how long the ack takes. Polls a
    // count, not the posts: copying 10,000 posts would stall the fake Slack.
    let client = reqwest::Client::new();
    let mut acks = Vec::new();
    while slack.post_count() < DMS && started.elapsed() < limit {
        if slack.post_count() > 0
            && let Some(took) = ack(&client, &listen, acks.len()).await
        {
            acks.push(took);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    acks.sort_unstable();
    let at =
        |q: f64| acks.get(((acks.len() as f64 * q) as usize).min(acks.len().saturating_sub(1)));
    println!(
        "{} /commit acks during the fan-out: p50 {:?}, p99 {:?}, max {:?}",
        acks.len(),
        at(0.5),
        at(0.99),
        acks.last()
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();

    let times = slack.post_times();
    let per_key = slack.posts_per_key();
    let duplicates = per_key.values().filter(|n| **n > 1).count();
    let ideal = DMS as f64 / f64::from(RATE);
    let (first, last) = (times[0], times[times.len() - 1]);
    let sending = last.duration_since(first).as_secs_f64();
    println!(
        "{} DMs at R = {RATE}/s: first post {:.2} s after start, all posted in {sending:.1} s (10,000/R = {ideal:.0} s, {:+.2} %), {} × 429, {duplicates} duplicated",
        per_key.len(),
        first.duration_since(started).as_secs_f64(),
        (sending / ideal - 1.0) * 100.0,
        slack.over_limit(),
    );
    // Where the time went: gaps between posts beyond the rate's spacing.
    let spacing = Duration::from_secs_f64(1.0 / f64::from(RATE));
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    let late: Vec<Duration> = gaps
        .iter()
        .filter(|g| **g > spacing)
        .map(|g| *g - spacing)
        .collect();
    println!(
        "gaps over {spacing:?}: {} ({:.1} s in all), over 2×: {}, longest {:?}",
        late.len(),
        late.iter().sum::<Duration>().as_secs_f64(),
        gaps.iter().filter(|g| **g > spacing * 2).count(),
        gaps.iter().max().copied().unwrap_or_default(),
    );
    assert_eq!(per_key.len(), DMS, "every DM posted");
    assert_eq!(duplicates, 0, "nothing posted twice");
    assert_eq!(slack.over_limit(), 0, "no 429 provoked");
    assert!(
        (sending / ideal - 1.0).abs() <= 0.05,
        "{sending:.1} s is not within 5 % of {ideal:.0} s"
    );
}

const NEW_REPS: usize = 150;
const NEW_RATE: u32 = 20;

#[tokio::test]
#[ignore = "slow (about 5 minutes): cargo test --release --test api scale::first -- --ignored --nocapture"]
async fn first_fan_out_to_people_never_written_to_provokes_no_429() {
    let slack = FakeSlack::start().await;
    slack.enforce_rate(NEW_RATE as usize);
    slack.enforce_tiers();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("first.toml");
    // Due in five minutes: time for the channels at Tier 3 (10 at once, then 40 a minute).
    let due = chrono::Utc::now() + chrono::Duration::minutes(5);
    std::fs::write(&config, fan_out_config_at(NEW_REPS, due)).unwrap();

    let mut child = start(&config, &sqlite_in(&dir), &slack, Stdio::null(), NEW_RATE);
    let limit = Duration::from_secs(7 * 60);
    let started = Instant::now();
    while slack.post_count() < NEW_REPS && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let done = chrono::Utc::now();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();

    let opens = slack.calls_to("conversations.open").len();
    let refused_opens = slack.refused("conversations.open");
    let refused_posts = slack.refused("chat.postMessage");
    let late = (done - due).num_milliseconds() as f64 / 1000.0;
    println!(
        "{} of {NEW_REPS} DMs to reps never written to, at R = {NEW_RATE}/s: last one ≤ {late:.1} s after due ({NEW_REPS}/R = {:.1} s); {opens} × conversations.open, 429s: {refused_opens} on conversations.open, {refused_posts} on chat.postMessage",
        slack.post_count(),
        NEW_REPS as f64 / f64::from(NEW_RATE),
    );
    assert_eq!(slack.post_count(), NEW_REPS, "every DM posted");
    assert_eq!(opens, NEW_REPS, "each DM opened once");
    assert_eq!(refused_opens + refused_posts, 0, "no 429 provoked");
    assert!(
        late <= NEW_REPS as f64 / f64::from(NEW_RATE) + 5.0,
        "the fan-out waited on channels: {late:.1} s"
    );
}

/// One signed /commit, timed to its answer; `None` if it did not get a 200.
async fn ack(client: &reqwest::Client, listen: &str, n: usize) -> Option<Duration> {
    let body = command_body("U0C00001", "/commit", &format!("{n} calls by Friday"));
    let sent = Instant::now();
    let answer = signed_command(client, listen, body).send().await.ok()?;
    (answer.status() == 200).then(|| sent.elapsed())
}

const DRAIN_DMS: usize = 2_000;

#[tokio::test]
#[ignore = "slow (a minute or more): cargo test --release --test api scale::drain -- --ignored --nocapture"]
async fn drain_of_2000_dms_with_a_fifth_of_calls_failing() {
    let slack = FakeSlack::start().await;
    slack.fail_randomly(0.2, fastrand::u64(..));
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("drain.toml");
    std::fs::write(&config, fan_out_config(DRAIN_DMS)).unwrap();
    channels_opened_ahead(&sqlite_in(&dir), DRAIN_DMS).await;

    let started = Instant::now();
    let mut child = start(&config, &sqlite_in(&dir), &slack, Stdio::null(), RATE);
    let limit = Duration::from_secs(600);
    while slack.posts_per_key().len() < DRAIN_DMS && started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let drained = started.elapsed();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();

    let per_key = slack.posts_per_key();
    let duplicates = per_key.values().filter(|n| **n > 1).count();
    println!(
        "{} of {DRAIN_DMS} DMs with a fifth of Slack calls failing (429, 500, slow): drained in {:.1} s ({DRAIN_DMS}/R = {:.0} s), {duplicates} duplicated",
        per_key.len(),
        drained.as_secs_f64(),
        DRAIN_DMS as f64 / f64::from(RATE)
    );
    assert_eq!(per_key.len(), DRAIN_DMS, "every DM posted");
}
