//! A load generator for Slack request URLs, and the measurements around it.
//!
//! `loadgen run URL --secret S -c 1,16,64 -d 15` sends slash commands signed exactly as Slack
//! signs them (fresh timestamp, distinct text each) in a closed loop, one connection per
//! concurrent client, and reports throughput, latency percentiles, errors by status, and,
//! with `--server-pid`, the server's CPU time per request and peak RSS (its whole process
//! tree). It runs on one thread, so it never takes more than one core from the server.
//!
//! `loadgen startup --health URL -- CMD…` times a server from spawn to its first answer.
//! `loadgen summarize FILE.jsonl` turns the results of several runs into medians.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::body::Body;
use axum::http::{Request, header};
use clap::{Parser, Subcommand};
use hmac::{Hmac, KeyInit, Mac};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Parser)]
#[command(about = "Signed slash-command load, start-up timing, and summaries")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Closed-loop load at each concurrency level in turn.
    Run(RunArgs),
    /// Spawns CMD, polls the health URL every millisecond, and reports the time to the first
    /// answer; repeated `--runs` times.
    Startup {
        #[arg(long)]
        health: String,
        /// Counts any HTTP answer as up (for servers without a health check).
        #[arg(long)]
        any_status: bool,
        #[arg(long, default_value_t = 10)]
        runs: usize,
        #[arg(long, default_value = "startup")]
        label: String,
        #[arg(long)]
        json: Option<std::path::PathBuf>,
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Medians per label and concurrency over every run in the JSON-lines files.
    Summarize { files: Vec<std::path::PathBuf> },
}

#[derive(clap::Args)]
struct RunArgs {
    /// The request URL, e.g. http://127.0.0.1:3000/slack/commands (loopback only).
    url: String,
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    secret: String,
    /// Concurrency levels, run in this order against the same server.
    #[arg(short, long, value_delimiter = ',', default_value = "16")]
    concurrency: Vec<usize>,
    /// Measured seconds per level.
    #[arg(short, long, default_value_t = 15.0)]
    duration: f64,
    /// Discarded seconds before each measured window.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    #[arg(long, default_value = "/commit")]
    command: String,
    /// Rotating user ids U0BENCH000… (the peers use 100).
    #[arg(long, default_value_t = 100)]
    users: usize,
    /// A 200 counts as ok only when its body contains this (empty: any 200).
    #[arg(long, default_value = "Recorded: ")]
    expect: String,
    /// The server's PID: CPU and memory of it and all its descendants.
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = "run")]
    label: String,
    /// Appends one JSON line per level to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

/// One level's figures; also the JSON line.
#[derive(Serialize, Deserialize, Clone, Debug)]
struct LevelResult {
    label: String,
    concurrency: usize,
    seconds: f64,
    requests: u64,
    ok: u64,
    errors: BTreeMap<String, u64>,
    rps: f64,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    client_cores: f64,
    machine_busy_cores: f64,
    server_cores: Option<f64>,
    server_cpu_us_per_req: Option<f64>,
    server_peak_rss_mb: Option<f64>,
}

#[derive(Serialize, Deserialize)]
struct StartupResult {
    label: String,
    startup_ms: Vec<f64>,
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    match Cli::parse().task {
        Task::Run(args) => runtime.block_on(run(args)),
        Task::Startup {
            health,
            any_status,
            runs,
            label,
            json,
            command,
        } => runtime.block_on(startup(&health, any_status, runs, label, json, &command)),
        Task::Summarize { files } => summarize(&files),
    }
}

async fn run(args: RunArgs) -> anyhow::Result<()> {
    let uri: axum::http::Uri = args.url.parse().context("URL")?;
    if !matches!(uri.host(), Some("127.0.0.1" | "localhost" | "[::1]")) {
        bail!("refusing a target that is not on loopback: {}", args.url);
    }
    let load = Arc::new(Load {
        client: Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(usize::MAX)
            .build_http(),
        url: args.url.clone(),
        secret: args.secret.clone(),
        command: args.command.clone(),
        users: args.users.max(1),
        expect: args.expect.clone(),
        tag: format!("{}-{}", args.label, unix_now()),
        sent: AtomicU64::new(0),
    });
    for &concurrency in &args.concurrency {
        load.window(concurrency, secs(args.warmup)).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let before = Usage::read(args.server_pid);
        let peak = args.server_pid.map(spawn_rss_sampler);
        let outcomes = load.window(concurrency, secs(args.duration)).await;
        let after = Usage::read(args.server_pid);
        let peak_rss = match peak {
            Some((stop, task)) => {
                stop.cancel();
                Some(task.await?)
            }
            None => None,
        };
        let result = LevelResult::new(
            &args.label,
            concurrency,
            &outcomes,
            &before,
            &after,
            peak_rss,
        );
        println!("{}", result.line());
        if let Some(path) = &args.json {
            append_json(path, &result)?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    Ok(())
}

type HmacSha256 = Hmac<Sha256>;

struct Load {
    client: Client<HttpConnector, Body>,
    url: String,
    secret: String,
    command: String,
    users: usize,
    expect: String,
    tag: String,
    sent: AtomicU64,
}

/// What one request came to.
struct Outcome {
    latency: Duration,
    /// `None` when ok; else the status, or what went wrong before one arrived.
    error: Option<String>,
}

struct Window {
    elapsed: Duration,
    outcomes: Vec<Outcome>,
}

impl Load {
    /// `concurrency` clients, each sending its next request when the last one is answered,
    /// until `length` has passed.
    async fn window(self: &Arc<Self>, concurrency: usize, length: Duration) -> Window {
        let start = Instant::now();
        let deadline = start + length;
        let clients: Vec<_> = (0..concurrency)
            .map(|_| {
                let load = self.clone();
                tokio::spawn(async move {
                    let mut outcomes = Vec::with_capacity(4096);
                    while Instant::now() < deadline {
                        outcomes.push(load.one().await);
                    }
                    outcomes
                })
            })
            .collect();
        let mut outcomes = Vec::new();
        for client in clients {
            outcomes.extend(client.await.unwrap_or_default());
        }
        Window {
            elapsed: start.elapsed(),
            outcomes,
        }
    }

    async fn one(&self) -> Outcome {
        let n = self.sent.fetch_add(1, Ordering::Relaxed);
        let body = serde_urlencoded::to_string([
            ("token", "gIkuvaNzQIHg97ATvDxqgjtO"),
            ("team_id", "T0BENCH"),
            ("team_domain", "bench"),
            ("channel_id", "C0BENCH"),
            ("channel_name", "bench"),
            ("user_id", &format!("U0BENCH{:03}", n as usize % self.users)),
            ("user_name", "bench"),
            ("command", &self.command),
            (
                "text",
                &format!("20 discovery calls this week #{}-{n}", self.tag),
            ),
            ("api_app_id", "A0BENCH"),
            ("is_enterprise_install", "false"),
            (
                "response_url",
                "http://127.0.0.1:9/commands/T0BENCH/1/placeholder",
            ),
            ("trigger_id", &format!("{n}.1.bench")),
        ])
        .expect("form fields encode");
        let timestamp = unix_now();
        let request = Request::post(&self.url)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(
                header::USER_AGENT,
                "Slackbot 1.0 (+https://api.slack.com/robots)",
            )
            .header("x-slack-request-timestamp", timestamp.to_string())
            .header("x-slack-signature", sign(&self.secret, timestamp, &body))
            .body(Body::from(body))
            .expect("a valid request");
        let start = Instant::now();
        let error = match self.client.request(request).await {
            Err(e) => Some(if e.is_connect() { "connect" } else { "io" }.to_string()),
            Ok(response) => {
                let status = response.status();
                match axum::body::to_bytes(Body::new(response.into_body()), 1 << 20).await {
                    Err(_) => Some("read".to_string()),
                    Ok(_) if status != 200 => Some(status.as_u16().to_string()),
                    Ok(bytes) if !contains(&bytes, self.expect.as_bytes()) => {
                        Some("200-unexpected-body".to_string())
                    }
                    Ok(_) => None,
                }
            }
        };
        Outcome {
            latency: start.elapsed(),
            error,
        }
    }
}

/// Slack's v0 signature: `v0=` + hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}")).
fn sign(secret: &str, timestamp: u64, body: &str) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

impl LevelResult {
    fn new(
        label: &str,
        concurrency: usize,
        window: &Window,
        before: &Usage,
        after: &Usage,
        peak_rss_kb: Option<u64>,
    ) -> Self {
        let mut latencies: Vec<Duration> = window.outcomes.iter().map(|o| o.latency).collect();
        latencies.sort_unstable();
        let mut errors = BTreeMap::new();
        for error in window.outcomes.iter().filter_map(|o| o.error.as_ref()) {
            *errors.entry(error.clone()).or_insert(0) += 1;
        }
        let requests = window.outcomes.len() as u64;
        let seconds = window.elapsed.as_secs_f64();
        let cores = |ticks: u64| ticks as f64 / TICKS_PER_SECOND / seconds;
        let server_ticks = after
            .server_ticks
            .zip(before.server_ticks)
            .map(|(a, b)| a.saturating_sub(b));
        LevelResult {
            label: label.to_string(),
            concurrency,
            seconds,
            requests,
            ok: requests - errors.values().sum::<u64>(),
            errors,
            rps: requests as f64 / seconds,
            p50_ms: ms(percentile(&latencies, 0.50)),
            p90_ms: ms(percentile(&latencies, 0.90)),
            p99_ms: ms(percentile(&latencies, 0.99)),
            max_ms: ms(latencies.last().copied().unwrap_or_default()),
            client_cores: cores(after.client_ticks.saturating_sub(before.client_ticks)),
            machine_busy_cores: cores(after.machine_busy.saturating_sub(before.machine_busy)),
            server_cores: server_ticks.map(cores),
            server_cpu_us_per_req: server_ticks
                .map(|t| t as f64 / TICKS_PER_SECOND * 1e6 / requests.max(1) as f64),
            server_peak_rss_mb: peak_rss_kb.map(|kb| kb as f64 / 1024.0),
        }
    }

    fn line(&self) -> String {
        let opt =
            |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        format!(
            "{} c={:<3} {:>8.0} req/s  p50 {:.2} ms  p90 {:.2} ms  p99 {:.2} ms  max {:.1} ms  ok {}  errors {:?}  server {} cores, {} µs/req, peak RSS {} MB  client {:.2} cores  machine {:.2} cores",
            self.label,
            self.concurrency,
            self.rps,
            self.p50_ms,
            self.p90_ms,
            self.p99_ms,
            self.max_ms,
            self.ok,
            self.errors,
            opt(self.server_cores, 2),
            opt(self.server_cpu_us_per_req, 1),
            opt(self.server_peak_rss_mb, 1),
            self.client_cores,
            self.machine_busy_cores,
        )
    }
}

fn append_json<T: Serialize>(path: &std::path::Path, value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    writeln!(file, "{}", serde_json::to_string(value)?)?;
    Ok(())
}

// ---- /proc readings (Linux) ----

/// Linux reports CPU time in clock ticks of 1/100 s (USER_HZ) on every platform it runs on.
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU ticks spent so far: by this process, by the server's process tree, by the machine.
struct Usage {
    client_ticks: u64,
    server_ticks: Option<u64>,
    machine_busy: u64,
}

impl Usage {
    fn read(server: Option<u32>) -> Self {
        Usage {
            client_ticks: process_ticks("self").unwrap_or_default(),
            server_ticks: server.map(|pid| {
                tree(pid)
                    .iter()
                    .filter_map(|p| process_ticks(&p.to_string()))
                    .sum()
            }),
            machine_busy: machine_busy_ticks().unwrap_or_default(),
        }
    }
}

/// utime + stime of a process (all its threads) from `/proc/PID/stat`.
fn process_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn parent_of(pid: &str) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The process and all its descendants (gunicorn's workers, say).
fn tree(root: u32) -> Vec<u32> {
    let all: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            Some((pid, parent_of(&pid.to_string())?))
        })
        .collect();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(all.iter().filter(|(_, pp)| *pp == parent).map(|(p, _)| *p));
        i += 1;
    }
    found
}

/// Every non-idle tick of every core, from `/proc/stat`.
fn machine_busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let cpu: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal …: all but idle and iowait.
    Some(
        cpu.iter()
            .enumerate()
            .filter(|(i, _)| *i != 3 && *i != 4)
            .map(|(_, v)| v)
            .sum(),
    )
}

/// kB of memory in `/proc/PID/status` for `key` (VmRSS, VmHWM).
fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Samples the tree's summed RSS every 250 ms until cancelled; answers the peak, or the
/// summed high-water marks when those are larger (a spike between samples).
fn spawn_rss_sampler(
    pid: u32,
) -> (
    tokio_util::sync::CancellationToken,
    tokio::task::JoinHandle<u64>,
) {
    let stop = tokio_util::sync::CancellationToken::new();
    let token = stop.clone();
    let task = tokio::spawn(async move {
        let mut peak = 0;
        loop {
            let pids = tree(pid);
            let rss: u64 = pids.iter().filter_map(|p| status_kb(*p, "VmRSS")).sum();
            let hwm: u64 = pids.iter().filter_map(|p| status_kb(*p, "VmHWM")).sum();
            peak = peak.max(rss).max(hwm);
            tokio::select! {
                _ = token.cancelled() => return peak,
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
            }
        }
    });
    (stop, task)
}

// ---- start-up ----

async fn startup(
    health: &str,
    any_status: bool,
    runs: usize,
    label: String,
    json: Option<std::path::PathBuf>,
    command: &[String],
) -> anyhow::Result<()> {
    let client: Client<HttpConnector, Body> = Client::builder(TokioExecutor::new()).build_http();
    let mut times = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut child = Command::new(&command[0])
            .args(&command[1..])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", command[0]))?;
        let up = loop {
            if let Ok(Some(status)) = child.try_wait() {
                bail!("{} exited with {status} before answering", command[0]);
            }
            let request = Request::get(health).body(Body::empty())?;
            if let Ok(response) = client.request(request).await
                && (any_status || response.status().is_success())
            {
                break start.elapsed();
            }
            if start.elapsed() > Duration::from_secs(30) {
                bail!("{health} did not answer within 30 s");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        };
        stop(&mut child);
        times.push(ms(up));
        println!("{label}: up in {:.1} ms", ms(up));
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{label}: median {:.1} ms over {runs} runs",
        sorted[sorted.len() / 2]
    );
    if let Some(path) = json {
        append_json(
            &path,
            &StartupResult {
                label,
                startup_ms: times,
            },
        )?;
    }
    Ok(())
}

/// SIGTERM, then SIGKILL if it is still there after 5 s (gunicorn's workers need the master
/// to stop them).
fn stop(child: &mut std::process::Child) {
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    for _ in 0..500 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

// ---- summaries ----

fn summarize(files: &[std::path::PathBuf]) -> anyhow::Result<()> {
    let mut levels: BTreeMap<(String, usize), Vec<LevelResult>> = BTreeMap::new();
    let mut startups: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Ok(level) = serde_json::from_str::<LevelResult>(line) {
                levels
                    .entry((level.label.clone(), level.concurrency))
                    .or_default()
                    .push(level);
            } else if let Ok(s) = serde_json::from_str::<StartupResult>(line) {
                startups.entry(s.label).or_default().extend(s.startup_ms);
            }
        }
    }
    println!(
        "| app | conc. | req/s median (min–max) | p50 ms | p90 ms | p99 ms | errors | server cores | server CPU µs/req | client cores | peak RSS MB | runs |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for ((label, concurrency), runs) in &levels {
        let median = |f: &dyn Fn(&LevelResult) -> Option<f64>| {
            let mut v: Vec<f64> = runs.iter().filter_map(f).collect();
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        };
        let fmt =
            |v: Option<f64>, digits: usize| v.map_or("-".to_string(), |v| format!("{v:.digits$}"));
        let rps: Vec<f64> = runs.iter().map(|r| r.rps).collect();
        let (min, max) = rps
            .iter()
            .fold((f64::MAX, 0.0f64), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
        let errors: u64 = runs.iter().map(|r| r.errors.values().sum::<u64>()).sum();
        let peak = runs
            .iter()
            .filter_map(|r| r.server_peak_rss_mb)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        println!(
            "| {label} | {concurrency} | {} ({:.0}–{:.0}) | {} | {} | {} | {errors} | {} | {} | {} | {} | {} |",
            fmt(median(&|r| Some(r.rps)), 0),
            min,
            max,
            fmt(median(&|r| Some(r.p50_ms)), 2),
            fmt(median(&|r| Some(r.p90_ms)), 2),
            fmt(median(&|r| Some(r.p99_ms)), 2),
            fmt(median(&|r| r.server_cores), 2),
            fmt(median(&|r| r.server_cpu_us_per_req), 0),
            fmt(median(&|r| Some(r.client_cores)), 2),
            fmt(peak, 1),
            runs.len(),
        );
    }
    for (label, mut times) in startups {
        times.sort_by(f64::total_cmp);
        println!(
            "\nstart-up to first healthy answer, {label}: median {:.1} ms (min {:.1}, max {:.1}, {} runs)",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            times.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_like_slacks_documented_example() {
        // https://api.slack.com/authentication/verifying-requests-from-slack
        let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        assert_eq!(
            sign("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body),
            "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
        );
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&v, 0.50), Duration::from_millis(50));
        assert_eq!(percentile(&v, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&v, 1.0), Duration::from_millis(100));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn reads_this_process_from_proc() {
        assert!(process_ticks("self").is_some());
        assert!(tree(std::process::id()).contains(&std::process::id()));
        assert!(status_kb(std::process::id(), "VmRSS").unwrap() > 0);
    }
}
