//! Writes come first, measured on the real binary (issue "Writes come first"): people's
//! commands while the scheduler plans a large roster, plans it again after a reload, or keeps
//! a dense trigger going; and how soon a process restarted after a crash sends again. Slow and
//! timing-dependent, so ignored by default and run in release:
//! `cargo test --release --test api planning_load:: -- --ignored --nocapture --test-threads 1`
//! The figures go in BENCHMARKS.md.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Timelike;
use sqlx::Connection;

use super::crash::{fan_out_config_at, sqlite_in, start, start_on};
use super::fake_slack::FakeSlack;
use super::helpers::*;

/// Acks and their latencies, and how many the person was told were recorded.
#[derive(Default)]
struct Probe {
    acks: Vec<Duration>,
    recorded: usize,
    failed: usize,
}

impl Probe {
    /// One signed command as `user`, timed to its answer.
    async fn command(&mut self, client: &reqwest::Client, listen: &str, user: &str, n: usize) {
        let (command, text) = if n.is_multiple_of(2) {
            ("/commit", format!("{n} discovery calls by Friday"))
        } else {
            ("/practice", format!("discovery live call number {n}"))
        };
        let body = command_body(user, command, &text);
        let sent = Instant::now();
        let answer = signed_command(client, listen, body).send().await;
        let took = sent.elapsed();
        match answer {
            Ok(a) if a.status() == 200 => {
                self.acks.push(took);
                if a.text().await.unwrap_or_default().contains("Recorded: ") {
                    self.recorded += 1;
                }
            }
            _ => self.failed += 1,
        }
    }

    /// A command every `every` for `length`, as `users` in turn.
    async fn run(&mut self, listen: &str, users: &[String], every: Duration, length: Duration) {
        let client = reqwest::Client::new();
        let started = Instant::now();
        let mut n = self.acks.len() + self.failed;
        while started.elapsed() < length {
            let next = Instant::now() + every;
            self.command(&client, listen, &users[n % users.len()], n)
                .await;
            n += 1;
            tokio::time::sleep_until(next.into()).await;
        }
    }

    fn say(&self, what: &str) {
        let mut acks = self.acks.clone();
        acks.sort_unstable();
        let at = |q: f64| {
            acks.get(((acks.len() as f64 * q) as usize).min(acks.len().saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{what}: {} commands, acks p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} told 'Recorded', {} not answered 200",
            self.acks.len() + self.failed,
            at(0.5),
            at(0.99),
            acks.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
            self.recorded,
            self.failed
        );
    }
}

/// Commitments and practice logs in the SQLite file at `url`.
async fn records_in(url: &sko_reinforce::store::DatabaseUrl) -> i64 {
    let mut conn = sqlx::SqliteConnection::connect(url.expose()).await.unwrap();
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM commitments) + (SELECT count(*) FROM practice_logs)",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap()
}

/// The server's peak resident memory so far, in MB.
fn peak_rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn roster_config(reps: usize, kickoff: chrono::NaiveDate) -> String {
    let out = Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/roster.py"))
        .arg(reps.to_string())
        .args(["--kickoff", &kickoff.to_string()])
        .output()
        .expect("python3 runs bench/roster.py");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

fn kill(child: &std::process::Child, signal: &str) {
    Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
}

#[tokio::test]
#[ignore = "slow (about 2 minutes): cargo test --release --test api planning_load::ten -- --ignored --nocapture"]
async fn ten_thousand_people_planned_and_planned_again_while_people_write() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    let today = chrono::Utc::now().date_naive();
    let text = roster_config(10_000, today);
    std::fs::write(&config, &text).unwrap();
    let database = sqlite_in(&dir);
    let listen = free_address();
    let users: Vec<String> = (0..20).map(|i| format!("UR{:05}", i * 37)).collect();
    let log = dir.path().join("serve.log");

    let mut child = start_on(
        &config,
        &database,
        &slack,
        std::fs::File::create(&log).unwrap().into(),
        100,
        &listen,
    );
    let client = reqwest::Client::new();
    until_healthy(&client, &listen).await;
    let mut first = Probe::default();
    first
        .run(
            &listen,
            &users,
            Duration::from_millis(100),
            Duration::from_secs(40),
        )
        .await;
    first.say("10,000 people, the first planning (from start, one command every 100 ms for 40 s)");

    // Every rep's Monday prompt moves: a reload's re-plan rewrites each rep's rows.
    std::fs::write(&config, text.replace("0 30 8 * * Mon", "0 45 8 * * Mon")).unwrap();
    kill(&child, "-HUP");
    let mut again = Probe::default();
    again
        .run(
            &listen,
            &users,
            Duration::from_millis(100),
            Duration::from_secs(30),
        )
        .await;
    again.say("10,000 people, a reload's re-plan (SIGHUP, then one command every 100 ms for 30 s)");
    println!("serve's peak memory: {:.0} MB", peak_rss_mb(child.id()));
    kill(&child, "-TERM");
    child.wait().unwrap();
    // What the scheduler said it did meanwhile.
    for line in std::fs::read_to_string(&log).unwrap().lines() {
        if line.contains("planned again")
            || line.contains("reloaded")
            || line.contains("WARN")
            || line.contains("ERROR")
        {
            println!("  log: {}", line.chars().take(200).collect::<String>());
        }
    }
    let told = first.recorded + again.recorded;
    let kept = records_in(&database).await;
    println!("told 'Recorded': {told}; in the database: {kept}");
    assert_eq!(kept as usize, told, "nothing told recorded is lost");
    assert_eq!(first.failed + again.failed, 0);
}

#[tokio::test]
#[ignore = "slow (about a minute): cargo test --release --test api planning_load::a_trigger -- --ignored --nocapture"]
async fn a_trigger_every_minute_for_a_thousand_reps_while_people_write() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    let today = chrono::Utc::now().date_naive();
    let text = roster_config(1_000, today).replace(
        "[[triggers]]\nname = \"sprint-kickoff\"",
        "[[triggers]]\nname = \"minutely\"\ncron = \"0 * * * * *\"\naudience = \"reps\"\ntext = \"A minute on, {first_name}.\"\n\n[[triggers]]\nname = \"sprint-kickoff\"",
    );
    std::fs::write(&config, &text).unwrap();
    let database = sqlite_in(&dir);
    let listen = free_address();
    let users: Vec<String> = (0..20).map(|i| format!("UR{:05}", i * 37)).collect();
    let mut child = start_on(&config, &database, &slack, Stdio::null(), 100, &listen);
    let client = reqwest::Client::new();
    until_healthy(&client, &listen).await;
    let mut probe = Probe::default();
    probe
        .run(
            &listen,
            &users,
            Duration::from_secs(1),
            Duration::from_secs(60),
        )
        .await;
    probe.say("1,000 reps, a trigger every minute, kickoff today (one command a second for 60 s)");
    let posts = slack.post_count();
    kill(&child, "-TERM");
    child.wait().unwrap();
    let rows: i64 = {
        let mut conn = sqlx::SqliteConnection::connect(database.expose())
            .await
            .unwrap();
        sqlx::query_scalar("SELECT count(*) FROM outbox WHERE source = 'trigger:minutely'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    };
    println!("{posts} DMs posted meanwhile; the minutely trigger's outbox rows: {rows}");
    assert_eq!(records_in(&database).await as usize, probe.recorded);
    assert_eq!(probe.failed, 0);
}

#[tokio::test]
#[ignore = "slow (about a minute): cargo test --release --test api planning_load::restart -- --ignored --nocapture"]
async fn restart_after_a_crash_sends_again_within_fifteen_seconds_on_sqlite() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    // A prompt every second for four reps: the first send after a restart is not held by the
    // trigger waiting for its next time.
    let fired = chrono::Utc::now();
    let every_second = fan_out_config_at(4, fired).replace(
        &format!(
            "cron = \"{} {} {} * * *\"",
            fired.second(),
            fired.minute(),
            fired.hour()
        ),
        "cron = \"* * * * * *\"",
    );
    assert!(every_second.contains("\"* * * * * *\""));
    std::fs::write(&config, every_second).unwrap();
    let database = sqlite_in(&dir);
    let mut times = Vec::new();
    for round in 0..5 {
        let mut child = start(&config, &database, &slack, Stdio::null(), 100);
        let before = slack.post_count();
        let started = Instant::now();
        while slack.post_count() == before && started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let first_send = started.elapsed();
        if round > 0 {
            times.push(first_send);
            println!(
                "restart {round}: first send {:.1} s after the new process started",
                first_send.as_secs_f64()
            );
        }
        // Killed mid-run: no lease given up.
        kill(&child, "-KILL");
        child.wait().unwrap();
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    println!(
        "restart after SIGKILL to first send, SQLite: median {:.1} s, max {:.1} s (the trigger fires every second)",
        median.as_secs_f64(),
        times.last().unwrap().as_secs_f64()
    );
    assert!(*times.last().unwrap() < Duration::from_secs(15));
}
