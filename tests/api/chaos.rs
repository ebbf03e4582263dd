//! The chaos test: two `serve` replicas of the real binary on one PostgreSQL database deliver a
//! 2,000-DM fan-out while one or the other, at random, is SIGKILLed ten times and restarted at
//! once. It counts what people would notice: DMs lost or sent twice, the busiest second against
//! the workspace's rate (which the fake Slack enforces, answering 429 beyond it), and how long
//! the planner's lease took to pass on when its holder was the one killed. Slow, and it needs a
//! PostgreSQL server, so ignored by default:
//!
//! `SKO_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo test --release --test api chaos_two_replicas -- --ignored --nocapture`
//!
//! Each run prints its seed (the kills' timing and victims); `SKO_CRASH_SEED=<seed>` replays it.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sko_reinforce::store::{DeliveryStatus, LeaseStore, Store};

use super::crash::{channels_opened_ahead, fan_out_config, seed, start};
use super::fake_slack::FakeSlack;
use super::helpers::*;

const REPS: usize = 2_000;
const KILLS: usize = 10;
/// The workspace's rate, messages a second, for both replicas together.
const RATE: u32 = 50;

/// Whether the replica with process id `pid` holds the planner's lease.
async fn holds_lease(store: &Store, pid: u32) -> bool {
    let lease = store.lease().await.unwrap();
    lease.is_some_and(|l| {
        l.holder.contains(&format!("-{pid}-")) && l.expires_at > chrono::Utc::now()
    })
}

/// The most posts Slack accepted within any one second.
fn busiest_second(times: &[Instant]) -> usize {
    let mut busiest = 0;
    let mut from = 0;
    for (i, t) in times.iter().enumerate() {
        while t.duration_since(times[from]) >= Duration::from_secs(1) {
            from += 1;
        }
        busiest = busiest.max(i + 1 - from);
    }
    busiest
}

/// Every DM posted: counted cheaply first, since copying the posts holds up the fake's answers.
fn all_delivered(slack: &FakeSlack) -> bool {
    slack.post_count() >= REPS && slack.posts_per_key().len() >= REPS
}

// The fake Slack runs on this test's runtime: with threads of its own, the times it stamps on
// posts are when they came, not when a busy test loop let it look.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow, needs PostgreSQL: SKO_TEST_POSTGRES_URL=… cargo test --release --test api chaos_two_replicas -- --ignored --nocapture"]
async fn chaos_two_replicas_on_postgres_ten_sigkills_lose_repeat_and_overrun_nothing() {
    let mut rng = fastrand::Rng::with_seed(seed());
    let slack = FakeSlack::start().await;
    slack.enforce_rate(RATE as usize);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("chaos.toml");
    std::fs::write(&config, fan_out_config(REPS)).unwrap();
    let database = database_url(&dir.path().join("sko.db"), Backend::Postgres);
    channels_opened_ahead(&database, REPS).await;
    let store = Store::open(&database).await.unwrap();

    let started = Instant::now();
    let mut replicas = [0, 1].map(|_| start(&config, &database, &slack, Stdio::null(), RATE));
    let mut takeovers = Vec::new();
    for kill in 0..KILLS {
        let before = slack.post_count();
        let waiting = Instant::now();
        while slack.post_count() == before && waiting.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(300..2_500))).await;
        let victim = rng.usize(..2);
        let pid = replicas[victim].id();
        let held = holds_lease(&store, pid).await;
        replicas[victim].kill().unwrap(); // SIGKILL: no lease given up, no claim settled
        replicas[victim].wait().unwrap();
        let killed = Instant::now();
        replicas[victim] = start(&config, &database, &slack, Stdio::null(), RATE);
        let mut took = None;
        if held {
            while killed.elapsed() < Duration::from_secs(60) {
                let lease = store.lease().await.unwrap().unwrap();
                if !lease.holder.contains(&format!("-{pid}-")) {
                    took = Some(killed.elapsed());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            takeovers.push(took.expect("the lease passed on within a minute"));
        }
        println!(
            "kill {}: replica {victim} ({}), {} posts so far{}",
            kill + 1,
            if held {
                "the lease holder"
            } else {
                "standing by"
            },
            slack.post_count(),
            took.map(|t| format!(", lease taken over in {:.1} s", t.as_secs_f64()))
                .unwrap_or_default()
        );
    }
    while !all_delivered(&slack) && started.elapsed() < Duration::from_secs(600) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let delivered_in = started.elapsed();
    for replica in &replicas {
        Command::new("kill")
            .args(["-TERM", &replica.id().to_string()])
            .status()
            .unwrap();
    }
    for replica in &mut replicas {
        replica.wait().unwrap();
    }

    let deliveries = store.deliveries().await.unwrap();
    let mut states: HashMap<&str, usize> = HashMap::new();
    for d in &deliveries {
        *states.entry(d.status.as_str()).or_default() += 1;
    }
    let per_key = slack.posts_per_key();
    let duplicated = per_key.values().filter(|n| **n > 1).count();
    let busiest = busiest_second(&slack.post_times());
    let mut takeovers: Vec<f64> = takeovers.iter().map(Duration::as_secs_f64).collect();
    takeovers.sort_by(f64::total_cmp);
    println!("outbox at the end: {states:?}");
    println!(
        "{} of {REPS} delivered, {duplicated} duplicated, {} missing, in {:.0} s; busiest second {busiest} posts (rate {RATE}), {} refused over the rate; lease takeovers (s): {takeovers:.1?}",
        per_key.len(),
        REPS.saturating_sub(per_key.len()),
        delivered_in.as_secs_f64(),
        slack.over_limit(),
    );
    assert_eq!(per_key.len(), REPS, "every DM delivered");
    assert_eq!(duplicated, 0, "no DM twice");
    // Tomorrow's is planned already (a lane is planned its next times ahead): what was due
    // by now all went.
    let now = chrono::Utc::now();
    assert!(
        deliveries
            .iter()
            .filter(|d| d.occurrence.at <= now)
            .all(|d| d.status == DeliveryStatus::Sent),
        "every row due settled as sent: {states:?}"
    );
    assert_eq!(slack.over_limit(), 0, "never over the workspace's rate");
    // The sender spaces posts exactly 1/rate apart; each takes a few ms (more or less) to
    // reach Slack, so a second drawn at Slack's end can hold one more when the first in it
    // was slower than the last. The fake's limit allows for that, as above.
    assert!(busiest <= RATE as usize + 1, "busiest second: {busiest}");
    assert!(
        takeovers.iter().all(|t| *t <= 15.0),
        "the lease passes on within 15 s: {takeovers:?}"
    );
}

/// The fan-out time of 2,000 DMs at one rate, sent by one replica and by two on one
/// PostgreSQL database (where one sends and one stands by), alternated three times each for
/// medians. For BENCHMARKS.md, not a timed test:
///
/// `SKO_TEST_POSTGRES_URL=… cargo test --release --test api chaos_fan_out -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "slow, needs PostgreSQL: SKO_TEST_POSTGRES_URL=… cargo test --release --test api chaos_fan_out -- --ignored --nocapture"]
async fn chaos_fan_out_time_on_one_and_on_two_replicas() {
    const FAN_OUT_RATE: u32 = 100;
    let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut refused: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for round in 0..6 {
        let replicas = 1 + round % 2;
        let slack = FakeSlack::start().await;
        slack.enforce_rate(FAN_OUT_RATE as usize);
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("fan-out.toml");
        std::fs::write(&config, fan_out_config(REPS)).unwrap();
        let database = database_url(&dir.path().join("sko.db"), Backend::Postgres);
        channels_opened_ahead(&database, REPS).await;
        let started = Instant::now();
        let running: Vec<_> = (0..replicas)
            .map(|_| start(&config, &database, &slack, Stdio::null(), FAN_OUT_RATE))
            .collect();
        while !all_delivered(&slack) && started.elapsed() < Duration::from_secs(300) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let took = started.elapsed().as_secs_f64();
        drop(running);
        let duplicated = slack.posts_per_key().values().filter(|n| **n > 1).count();
        let delivered = slack.posts_per_key().len();
        println!(
            "{replicas} replica(s): {delivered} of {REPS} DMs in {took:.1} s at {FAN_OUT_RATE}/s, {duplicated} duplicated, {} refused over the rate",
            slack.over_limit()
        );
        // What BENCHMARKS.md quotes beside the times: every DM, none twice. Posts the fake
        // refused over the rate are printed, not asserted: on two shared cores a stalled fake
        // stamps a bunch of arrivals at once (see BENCHMARKS.md); each was sent again.
        assert_eq!(delivered, REPS, "{replicas} replica(s): every DM delivered");
        assert_eq!(duplicated, 0, "{replicas} replica(s): none twice");
        refused[replicas - 1].push(slack.over_limit());
        times[replicas - 1].push(took);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (one, two) = (median(&mut times[0]), median(&mut times[1]));
    println!(
        "median from start to the last DM: one replica {one:.1} s, two {two:.1} s (ratio {:.2}); refused over the rate: one {:?}, two {:?}",
        two / one,
        refused[0],
        refused[1]
    );
}
