//! The scheduler at scale, in process and on one core: `cargo bench --bench scale`.
//!
//! - planning 90 days for 10,000 people in 20 timezones (automatic pairs, check-ins and
//!   follow-ups included), and the pairing itself;
//! - building 1,000 manager digests (20 managers × 50 weeks) over a year of data: 50 reps
//!   per manager, each practising every day, a commitment every third day, weekly check-ins;
//! - the web report (`-- web`): the admin's, a manager's and a rep's pages and the CSV at
//!   10,000 reps with a quarter of activity, over HTTP;
//! - the admins' program report and pipeline chart at the close of a quarter for 10,000 reps
//!   with 50,000 deals from the CRM, against the same report without deals.
//!
//! Each figure is the median of five runs. The 10,000-DM fan-out through the real server is
//! in `tests/api/scale.rs`, since it needs the fake Slack.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use sko_reinforce::config::Config;
use sko_reinforce::domain::activity::Activity;
use sko_reinforce::domain::checkin::{Checkin, CheckinAnswer, Group};
use sko_reinforce::domain::commitment::{Commitment, CommitmentKind, CommitmentStatus};
use sko_reinforce::domain::compose::compose;
use sko_reinforce::domain::lane::Lane;
use sko_reinforce::domain::practice::{PracticeContext, PracticeLog};
use sko_reinforce::domain::program::Program;
use sko_reinforce::domain::schedule::{
    Member, Occurrence, PairSchedule, Planner, Recipient, Source,
};
use sko_reinforce::store::{LeaseStore, PairStore, PlanStore, RosterStore};

const TIMEZONES: [&str; 20] = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Toronto",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Warsaw",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Shanghai",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// `cargo bench --bench scale -- digests` runs only the benches whose name contains "digests".
fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    if wanted("plan") {
        plan_90_days(10_000);
    }
    if wanted("digests") {
        digests_over_a_year(20, 50, 50);
    }
    if wanted("views") {
        views_at(10_000);
    }
    if wanted("web") {
        web_report(10_000, 60);
    }
    if wanted("outcomes") {
        outcomes_report(10_000, 50_000);
    }
    if wanted("simulate") {
        simulate_90_days(1_000, 3);
        simulate_90_days(10_000, 1);
    }
}

/// `simulate` for the whole program: the scheduler's ticks on a manual clock, as the CLI runs
/// it, with the peak memory of this process so far.
fn simulate_90_days(reps: usize, runs: usize) {
    let program = program(reps);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sender = sko_reinforce::config::SenderConfig::default();
    let mut times = Vec::new();
    let mut messages = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let out = runtime
            .block_on(sko_reinforce::simulate::run(
                &program,
                &sender,
                &sko_reinforce::simulate::Preview {
                    from: program.settings.kickoff,
                    days: 90,
                    sample_activity: false,
                    charts: None,
                },
            ))
            .unwrap();
        times.push(started.elapsed());
        messages = out.len();
    }
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("?").to_string())
        })
        .unwrap_or_else(|| "?".into());
    println!(
        "simulate 90 days, {reps} reps: {:.2?} (median of {runs}), {messages} messages, peak RSS {peak} kB",
        median(times)
    );
}

/// The example config's program with its people and pairs replaced by `reps` generated reps
/// (50 to a manager) spread over 20 timezones, paired automatically.
fn program(reps: usize) -> Program {
    program_with(reps, 50)
}

/// The same with `per_manager` reps to each manager.
fn program_with(reps: usize, per_manager: usize) -> Program {
    (*config_with(reps, per_manager, "").program).clone()
}

/// The example config with `reps` generated reps (emails `ur00000@example.com`…), `per_manager`
/// to each manager, and `extra` appended.
fn config_with(reps: usize, per_manager: usize, extra: &str) -> Config {
    let example = include_str!("../config.example.toml");
    let mut text = String::new();
    let mut skipping = false;
    for line in example.lines() {
        if line.starts_with('[') {
            skipping = line == "[[people]]" || line == "[[pairs]]" || line == "[roster]";
        }
        if !skipping {
            text.push_str(&line.replace("mode = \"config\"", "mode = \"auto\""));
            text.push('\n');
        }
    }
    text.push_str("[[people]]\nslack_id = \"UADMIN\"\nrole = \"admin\"\n");
    for m in 0..reps.div_ceil(per_manager) {
        let tz = TIMEZONES[m % TIMEZONES.len()];
        text.push_str(&format!(
            "[[people]]\nslack_id = \"UM{m:04}\"\nname = \"Manager {m}\"\nrole = \"manager\"\nteam = \"T{m}\"\ntimezone = \"{tz}\"\n"
        ));
    }
    for r in 0..reps {
        let m = r / per_manager;
        let tz = TIMEZONES[r % TIMEZONES.len()];
        text.push_str(&format!(
            "[[people]]\nslack_id = \"UR{r:05}\"\nname = \"Rep {r}\"\nrole = \"rep\"\nmanager = \"UM{m:04}\"\nteam = \"T{m}\"\ntimezone = \"{tz}\"\n"
        ));
    }
    text.push_str(extra);
    Config::parse(&text, "generated", std::iter::empty())
        .unwrap_or_else(|e| panic!("the generated config is invalid: {e}"))
}

/// `/sko status` (and the top of the App Home) for reps, and a manager's whole Home for 60
/// reps, on a SQLite file holding a 10,000-person roster with eight days planned ahead, as
/// `serve` keeps it. p50 and p95 over 200 people each.
fn views_at(reps: usize) {
    use sko_reinforce::commands::Caller;
    let program = program_with(reps, 60);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("views.db").display());
    let now = Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap();
    let store = runtime.block_on(async {
        let store = sko_reinforce::store::Store::open(&url.parse().unwrap())
            .await
            .unwrap();
        store.sync_roster(&program.people, now).await.unwrap();
        let members = Member::roster(&program, |_| None);
        let pairs = PairSchedule::for_program(&program, &members);
        let planned =
            Planner::new(&program, &members, &pairs).all_occurrences(now, now + Days::days(8));
        // Planned as the scheduler plans, under the lease.
        let epoch = store
            .hold_lease(
                &sko_reinforce::store::Holder {
                    id: "bench".into(),
                    host: "bench".into(),
                    pid: std::process::id(),
                },
                now,
                now + Days::minutes(1),
            )
            .await
            .unwrap()
            .unwrap();
        let fence = sko_reinforce::store::Fence {
            holder: "bench",
            epoch,
        };
        store.store_pairs(&pairs, fence).await.unwrap();
        let marks: Vec<_> = Lane::all(&program)
            .into_iter()
            .map(|lane| (lane, now + Days::days(8)))
            .collect();
        store.enqueue(&planned, &marks, now, fence).await.unwrap();
        println!(
            "views: {} people, {} messages planned",
            program.people.len(),
            planned.len()
        );
        store
    });
    let percentiles = |mut times: Vec<Duration>| {
        times.sort_unstable();
        (times[times.len() / 2], times[times.len() * 95 / 100])
    };
    let timed = |id: &str, home: bool| {
        let person = program.person(id);
        let caller = Caller {
            user_id: id,
            person,
            timezone: person
                .and_then(|p| p.timezone)
                .unwrap_or(program.settings.timezone),
            now,
        };
        let started = Instant::now();
        runtime.block_on(async {
            if home {
                let view = sko_reinforce::commands::home::view(&store, &program, id, now)
                    .await
                    .unwrap();
                sko_reinforce::slack::home::draw(&view, None);
            } else {
                sko_reinforce::commands::sko::status_text(&store, &program, &caller)
                    .await
                    .unwrap();
            }
        });
        started.elapsed()
    };
    let reps_status: Vec<Duration> = (0..200)
        .map(|i| timed(&format!("UR{:05}", i * reps / 200), false))
        .collect();
    let (p50, p95) = percentiles(reps_status);
    println!("/sko status of a rep: p50 {p50:.2?}, p95 {p95:.2?}");
    let reps_home: Vec<Duration> = (0..200)
        .map(|i| timed(&format!("UR{:05}", i * reps / 200), true))
        .collect();
    let (p50, p95) = percentiles(reps_home);
    println!("App Home of a rep: p50 {p50:.2?}, p95 {p95:.2?}");
    let managers = reps.div_ceil(60);
    let homes: Vec<Duration> = (0..200)
        .map(|i| timed(&format!("UM{:04}", i % managers), true))
        .collect();
    let (p50, p95) = percentiles(homes);
    println!("App Home of a manager with 60 reps: p50 {p50:.2?}, p95 {p95:.2?}");
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn plan_90_days(reps: usize) {
    let program = program(reps);
    let members = Member::roster(&program, |_| None);
    let mut pairs = PairSchedule::default();
    let pairing = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                pairs = PairSchedule::for_program(&program, &members);
                t.elapsed()
            })
            .collect(),
    );
    let planner = Planner::new(&program, &members, &pairs);
    let from = program.settings.kickoff_instant() - Days::days(1);
    let to = from + Days::days(91);
    let mut count = 0;
    let planning = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                count = planner.all_occurrences(from, to).len();
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "plan 90 days, {} people in {} timezones: {count} occurrences in {:.0} ms, plus {:.0} ms pairing every sprint: {:.0} ms in all; target ≤ 1,000 ms",
        members.len(),
        TIMEZONES.len(),
        planning.as_secs_f64() * 1e3,
        pairing.as_secs_f64() * 1e3,
        (planning + pairing).as_secs_f64() * 1e3,
    );
}

/// A year of records for every rep: practice daily (weekly with their partner), a commitment
/// every third day, and a weekly check-in with the next rep.
fn a_year_of_activity(program: &Program, start: DateTime<Utc>) -> Activity {
    let reps: Vec<&str> = program
        .people
        .iter()
        .filter(|p| p.manager.is_some())
        .map(|p| p.slack_id.as_str())
        .collect();
    let skills: Vec<&str> = program.skills.iter().map(|s| s.id.as_str()).collect();
    let (mut all_practice, mut all_commitments, mut checkins) = (vec![], vec![], vec![]);
    for (i, rep) in reps.iter().enumerate() {
        all_practice.extend((0..365).map(|day| {
            PracticeLog {
                user_id: rep.to_string(),
                skill_id: skills[(i + day) % skills.len()].to_string(),
                context: if day % 3 == 0 {
                    PracticeContext::Live
                } else {
                    PracticeContext::Roleplay
                },
                // With the check-in partner on the check-in day each week.
                partner_id: (day % 7 == 2)
                    .then(|| reps.get(i ^ 1).map(|r| r.to_string()))
                    .flatten(),
                score: Some(((i + day) % 5 + 1) as u8),
                notes: None,
                rubric: Vec::new(),
                week: None,
                logged_at: start + Days::days(day as i64) + Days::hours(15),
                deal_id: None,
            }
        }));
        all_commitments.extend((0..122).map(|n| {
            let at = start + Days::days(n * 3) + Days::hours(14);
            Commitment {
                user_id: rep.to_string(),
                seq: n as u32 + 1,
                text: format!("20 discovery calls #{n}"),
                target: None,
                due: Some((at + Days::days(4)).date_naive()),
                kind: CommitmentKind::Performance,
                status: if n % 4 == 0 {
                    CommitmentStatus::Open
                } else {
                    CommitmentStatus::Done
                },
                week: None,
                created_at: at,
                updated_at: at,
                done_at: None,
            }
        }));
    }
    for pair in reps.chunks(2) {
        for week in 0..52 {
            checkins.push(Checkin {
                members: Group::new(pair.iter().map(|r| r.to_string())),
                due_at: start + Days::days(week * 7 + 2) + Days::hours(16),
                answer: (week % 3 != 0).then_some(CheckinAnswer::Met),
            });
        }
    }
    Activity::new(all_commitments, all_practice, checkins, vec![])
}

/// The program report (and the pipeline chart's figures) at day 91 for `reps` reps, each with
/// a quarter of practice (three a week, the live ones tied to their deals every other time),
/// and `deals` opportunities spread over them, half opened since the kickoff and half in the
/// same weeks a year earlier; against the same report with no deals.
fn outcomes_report(reps: usize, deals: usize) {
    use sko_reinforce::domain::outcomes::Opportunity;
    let mut program = program(reps);
    for p in program.people.iter_mut().filter(|p| p.manager.is_some()) {
        p.email = Some(format!("{}@example.com", p.slack_id.to_lowercase()));
    }
    let kickoff = program.settings.kickoff;
    let start = Utc.from_utc_datetime(&kickoff.and_hms_opt(0, 0, 0).unwrap());
    let year_ago = kickoff - Days::days(364);
    program.opportunities = (0..deals)
        .map(|i| {
            let rep = i % reps;
            let this_year = (i / reps).is_multiple_of(2);
            let created = if this_year { kickoff } else { year_ago } + Days::days((i % 60) as i64);
            let closed = (i % 3 != 0).then(|| created + Days::days(20 + (i % 40) as i64));
            Opportunity {
                id: format!("006{i:07}"),
                name: format!("Deal {i}"),
                owner_email: format!("ur{rep:05}@example.com"),
                amount_cents: (1_000 + (i % 90) as i64 * 1_000) * 100,
                created,
                closed,
                won: closed.map(|_| i % 5 < 2),
                stage: None,
                account: None,
                line: i + 2,
            }
        })
        .collect();
    program.outcomes_file = "opportunities.csv".into();
    let skills: Vec<&str> = program.skills.iter().map(|s| s.id.as_str()).collect();
    let per_rep = deals / reps;
    let practice: Vec<PracticeLog> = (0..reps)
        .flat_map(|r| {
            let skills = &skills;
            (0..39).map(move |n| {
                let live = n % 3 != 0;
                // The rep's own deals are r, r + reps, r + 2 × reps, …
                let deal = (r + (n % per_rep.max(1)) * reps) % deals.max(1);
                PracticeLog {
                    user_id: format!("UR{r:05}"),
                    skill_id: skills[(r + n) % skills.len()].to_string(),
                    context: if live {
                        PracticeContext::Live
                    } else {
                        PracticeContext::Roleplay
                    },
                    partner_id: None,
                    score: Some((n % 5 + 1) as u8),
                    notes: None,
                    rubric: Vec::new(),
                    week: None,
                    logged_at: start + Days::days((n * 7 / 3) as i64) + Days::hours(15),
                    deal_id: (live && n % 2 == 0).then(|| format!("006{deal:07}")),
                }
            })
        })
        .collect();
    let activity = Activity::new(vec![], practice, vec![], vec![]);
    let pairs = PairSchedule::default();
    let at = start + Days::days(91) + Days::hours(13);
    let occurrence = |source| Occurrence {
        source,
        recipient: Recipient::Person("UADMIN".into()),
        at,
        local: at.fixed_offset(),
        program_week: 13,
    };
    let time = |program: &Program, source: Source| {
        median(
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    let occ = occurrence(source.clone());
                    if source == Source::PipelineChart {
                        sko_reinforce::domain::compose::chart(program, &activity, &occ)
                            .expect("a chart");
                    } else {
                        compose(program, &pairs, &activity, &occ).expect("a report");
                    }
                    t.elapsed()
                })
                .collect(),
        )
    };
    let with = time(&program, Source::ProgramReport);
    let chart = time(&program, Source::PipelineChart);
    let mut without_deals = program.clone();
    without_deals.opportunities.clear();
    let without = time(&without_deals, Source::ProgramReport);
    println!(
        "program report for {reps} reps with {deals} deals and a quarter of practice: {:.0} ms (without deals {:.0} ms); the pipeline chart's figures {:.0} ms; target ≤ 1,000 ms",
        with.as_secs_f64() * 1e3,
        without.as_secs_f64() * 1e3,
        chart.as_secs_f64() * 1e3,
    );
}

fn digests_over_a_year(managers: usize, reps_each: usize, weeks: i64) {
    let program = program(managers * reps_each);
    let start = Utc.from_utc_datetime(&program.settings.kickoff.and_hms_opt(0, 0, 0).unwrap());
    let activity = a_year_of_activity(&program, start);
    let pairs = PairSchedule::default();
    let occurrences: Vec<Occurrence> = (0..managers)
        .flat_map(|m| {
            (1..=weeks).map(move |week| {
                let at = start + Days::days(week * 7) + Days::hours(13);
                Occurrence {
                    source: Source::Digest,
                    recipient: Recipient::Person(format!("UM{m:04}")),
                    at,
                    local: at.fixed_offset(),
                    program_week: week as u32,
                }
            })
        })
        .collect();
    let mut length: HashMap<usize, usize> = HashMap::new();
    let building = median(
        (0..5)
            .map(|_| {
                let t = Instant::now();
                for occ in &occurrences {
                    let digest = compose(&program, &pairs, &activity, occ).expect("a digest");
                    *length.entry(digest.text.len() / 1000).or_default() += 1;
                }
                t.elapsed()
            })
            .collect(),
    );
    println!(
        "{} manager digests ({managers} managers × {weeks} weeks, {reps_each} reps each, a year of daily activity): {:.0} ms; target ≤ 1,000 ms",
        occurrences.len(),
        building.as_secs_f64() * 1e3,
    );
}

/// The web report through the real server on a SQLite file: 10,000 reps (60 to a manager)
/// with a quarter of activity (two practice logs and a commitment a week each), read at
/// day 91 by a signed-in admin, a manager and a rep. p50 and p95 of each page over real
/// HTTP; the admin's first read apart, as the page is then kept for five minutes.
fn web_report(reps: usize, per_manager: usize) {
    use sha2::{Digest, Sha256};
    use sko_reinforce::domain::commitment::CommitmentInput;
    let config = config_with(
        reps,
        per_manager,
        "[web]\nbase_url = \"http://127.0.0.1\"\nclient_id = \"1.2\"\n",
    );
    let program = config.program.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("web.db").display());
    let kickoff = Utc.from_utc_datetime(&program.settings.kickoff.and_hms_opt(15, 0, 0).unwrap());
    let now = kickoff + Days::days(91);
    let seeding = Instant::now();
    let rows = runtime.block_on(async {
        let store = sko_reinforce::store::Store::open(&url.parse().unwrap())
            .await
            .unwrap();
        store.sync_roster(&program.people, kickoff).await.unwrap();
        let skills: Vec<&str> = program.skills.iter().map(|s| s.id.as_str()).collect();
        let mut rows = 0;
        for r in 0..reps {
            let rep = format!("UR{r:05}");
            for week in 0..13i64 {
                for n in 0..2i64 {
                    let at = kickoff + Days::days(week * 7 + n * 2 + 1);
                    store
                        .add_practice(&PracticeLog {
                            user_id: rep.clone(),
                            skill_id: skills[(r + n as usize) % skills.len()].to_string(),
                            context: if n == 0 {
                                PracticeContext::Roleplay
                            } else {
                                PracticeContext::Live
                            },
                            partner_id: None,
                            score: Some((1 + (r + week as usize) % 5) as u8),
                            notes: Some(format!("week {week}: asked the pain questions")),
                            rubric: Vec::new(),
                            week: Some(week as u32 + 1),
                            logged_at: at,
                            deal_id: None,
                        })
                        .await
                        .unwrap();
                    rows += 1;
                }
                let input = CommitmentInput {
                    text: format!("20 discovery calls in week {}", week + 1),
                    target: None,
                    due: Some((kickoff + Days::days(week * 7 + 4)).date_naive()),
                    kind: CommitmentKind::Performance,
                    week: Some(week as u32 + 1),
                };
                store
                    .add_commitment(&rep, &input, kickoff + Days::days(week * 7))
                    .await
                    .unwrap();
                rows += 1;
            }
        }
        rows
    });
    println!(
        "web: {reps} reps, {rows} records written in {:.0} s",
        seeding.elapsed().as_secs_f64()
    );
    let secrets = sko_reinforce::config::Secrets {
        signing_secret: Some("bench-signing-secret".to_string().into()),
        client_secret: Some("bench-client-secret".to_string().into()),
        ..Default::default()
    };
    let mut config = config;
    config.server.listen = "127.0.0.1:0".parse().unwrap();
    config.database.url = url.parse().unwrap();
    let clock = std::sync::Arc::new(sko_reinforce::clock::ManualClock::new(now));
    let (address, store) = runtime.block_on(async {
        let app = sko_reinforce::app::Application::build(config, secrets, clock)
            .await
            .unwrap();
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped(std::future::pending()));
        let store = sko_reinforce::store::Store::open(&url.parse().unwrap())
            .await
            .unwrap();
        (address, store)
    });
    // Sessions written as a sign-in writes them: the cookie's id, stored hashed.
    let session = |who: &str| {
        let id = format!("bench-session-{who}");
        let hash: String = Sha256::digest(id.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        runtime
            .block_on(store.start_session(&hash, who, now, sko_reinforce::web::LIFETIME))
            .unwrap();
        format!("sko_session={id}")
    };
    let client = reqwest::Client::new();
    let timed = |path: &str, cookie: &str, runs: usize| {
        let times: Vec<Duration> = (0..runs)
            .map(|_| {
                let started = Instant::now();
                let response = runtime
                    .block_on(
                        client
                            .get(format!("{address}{path}"))
                            .header("cookie", cookie)
                            .send(),
                    )
                    .unwrap();
                assert_eq!(response.status(), 200, "{path}");
                runtime.block_on(response.bytes()).unwrap();
                started.elapsed()
            })
            .collect();
        let mut sorted = times;
        sorted.sort_unstable();
        (
            sorted[sorted.len() / 2],
            sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)],
        )
    };
    let admin = session("UADMIN");
    // The first read of the whole program, then the page kept for five minutes.
    let (cold, _) = timed("/report", &admin, 1);
    let (p50, p95) = timed("/report", &admin, 50);
    println!(
        "the admin's program page: first read {cold:.0?}; then p50 {p50:.1?}, p95 {p95:.1?}; target ≤ 200 ms"
    );
    let (p50, p95) = timed("/report.csv", &admin, 50);
    println!("the admin's CSV ({reps} rows, from the same read): p50 {p50:.1?}, p95 {p95:.1?}");
    let manager = session("UM0001");
    let (p50, p95) = timed("/report", &manager, 50);
    println!(
        "a manager's team page ({per_manager} reps): p50 {p50:.0?}, p95 {p95:.0?}; target ≤ 200 ms"
    );
    let rep = session("UR00061");
    let (p50, p95) = timed("/report/people/UR00061", &rep, 200);
    println!("a rep's page: p50 {p50:.1?}, p95 {p95:.1?}; target ≤ 50 ms");
}
