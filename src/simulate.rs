//! `simulate`: the whole program in simulated time, through the scheduler `serve` runs (the
//! same planning, grace window, supersession, holidays, pairing and outbox), on a clock that
//! jumps from one due instant to the next, against a private in-memory database and an
//! in-process stand-in for Slack. No tokens, no network; the same config always gives the
//! same output.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, ManualClock};
use crate::commands::render::day;
use crate::config::SenderConfig;
use crate::domain::message::Message;
use crate::domain::program::{Program, Role};
use crate::domain::schedule::{Member, Recipient};
use crate::metrics::Metrics;
use crate::scheduler::Scheduler;
use crate::scheduler::sender::{Messenger, SendError};
use crate::store::{DeliveryStatus, Store};

/// One message as a person (or channel) receives it: what `--format jsonl` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    pub at: DateTime<Utc>,
    pub local_time: DateTime<FixedOffset>,
    pub recipient: String,
    pub kind: &'static str,
    pub week: Option<u32>,
    pub program_week: u32,
    pub source: String,
    pub text: String,
    /// One-click answers under the message.
    pub buttons: Vec<&'static str>,
}

/// Runs `days` days of the program from `from` (the recipients' local dates), with the
/// sender's settings of `serve` (grace window, attempts).
pub async fn run(
    program: &Program,
    sender: &SenderConfig,
    from: NaiveDate,
    days: u32,
) -> anyhow::Result<Vec<Delivered>> {
    let store = Store::open_in_memory().await?;
    let members = Member::roster(program, |_| None);
    // From the first midnight of `from` anywhere in the roster to the last one of the end day,
    // so Kolkata's Monday morning is in as well as Los Angeles's Friday evening.
    let midnights = |date: NaiveDate| {
        members
            .iter()
            .map(|m| m.timezone)
            .chain([program.settings.timezone])
            .filter_map(move |tz| {
                tz.from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
                    .earliest()
            })
            .map(|t| t.to_utc())
    };
    let start = midnights(from)
        .min()
        .ok_or_else(|| anyhow::anyhow!("{from} has no midnight"))?;
    let last = from + Duration::days(i64::from(days));
    let end = midnights(last).max().unwrap_or(start);
    store.sync_roster(&program.people, start).await?;

    let clock = Arc::new(ManualClock::new(start));
    let slack = SimulatedSlack::default();
    let scheduler = Scheduler::new(
        store.clone(),
        Arc::new(ArcSwap::from_pointee(program.clone())),
        clock.clone(),
        slack.clone(),
        sender.clone(),
        Arc::new(Metrics::default()),
    )
    .unpaced();
    let stop = CancellationToken::new();
    loop {
        scheduler.tick(&stop).await?;
        let now = clock.now();
        match scheduler.next_wake().await? {
            Some(next) if next < end => clock.set(next.max(now + Duration::seconds(1))),
            _ => break,
        }
    }

    let buttons = std::mem::take(&mut *slack.buttons.lock().unwrap_or_else(|e| e.into_inner()));
    let mut out = Vec::new();
    for d in store.deliveries().await? {
        let occ = &d.occurrence;
        if d.status != DeliveryStatus::Sent || !(from..last).contains(&occ.local.date_naive()) {
            continue;
        }
        let recipients = match &occ.recipient {
            Recipient::Channel(channel) => vec![channel.key()],
            other => other.people().to_vec(),
        };
        // Each member of a group DM receives the one message.
        for recipient in recipients {
            out.push(Delivered {
                at: occ.at,
                local_time: occ.local,
                recipient,
                kind: occ.kind().as_str(),
                week: occ.sprint_week(),
                program_week: occ.program_week,
                source: occ.source.key(),
                text: d.text.clone().unwrap_or_default(),
                buttons: buttons.get(&d.key).cloned().unwrap_or_default(),
            });
        }
    }
    out.sort_by(|a, b| (a.at, &a.source, &a.recipient).cmp(&(b.at, &b.source, &b.recipient)));
    Ok(out)
}

/// The in-process stand-in for Slack: it opens a DM for anyone, finds any channel by its name,
/// and takes every post, keeping the buttons each one carried.
#[derive(Clone, Default)]
struct SimulatedSlack {
    buttons: Arc<Mutex<HashMap<String, Vec<&'static str>>>>,
}

impl Messenger for SimulatedSlack {
    async fn open(&self, users: &[String]) -> Result<String, SendError> {
        Ok(format!("D{}", users.join("_")))
    }

    async fn post(
        &self,
        _channel: &str,
        message: &Message,
        key: &str,
    ) -> Result<String, SendError> {
        let labels = message.buttons.iter().map(|b| b.action.label()).collect();
        let mut buttons = self.buttons.lock().unwrap_or_else(|e| e.into_inner());
        buttons.insert(key.to_string(), labels);
        Ok(format!("{}.000000", buttons.len()))
    }

    async fn timezone(&self, _user: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }

    async fn find_channel(&self, name: &str) -> Result<Option<String>, SendError> {
        Ok(Some(format!("#{name}")))
    }

    async fn find_posted(&self, _channel: &str, _key: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }
}

pub fn jsonl(messages: &[Delivered]) -> String {
    let mut out = String::new();
    for m in messages {
        out.push_str(&serde_json::to_string(m).expect("messages serialise"));
        out.push('\n');
    }
    out
}

/// A preview an admin can show a VP: per week, who gets what and when, in their own time.
pub fn text(program: &Program, from: NaiveDate, days: u32, messages: &[Delivered]) -> String {
    let s = &program.settings;
    let name = |id: &str| -> String {
        program
            .person(id)
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| {
                if id.starts_with('C') {
                    format!("#{id}")
                } else {
                    id.to_string()
                }
            })
    };
    let readable = |text: &str| -> String {
        let mut t = text.to_string();
        for p in &program.people {
            t = t.replace(
                &format!("<@{}>", p.slack_id),
                &format!("@{}", name(&p.slack_id)),
            );
        }
        t
    };
    let count = |role: Role, one: &str| {
        let n = program.people.iter().filter(|p| p.role == role).count();
        format!("{n} {one}{}", if n == 1 { "" } else { "s" })
    };
    let mut out = String::new();
    let _ = writeln!(out, "{} — simulated {days} days from {}", s.name, day(from));
    let _ = writeln!(
        out,
        "{} people ({}, {}, {}) · {} messages · kickoff {} · times are each recipient's own",
        program.people.len(),
        count(Role::Rep, "rep"),
        count(Role::Manager, "manager"),
        count(Role::Admin, "admin"),
        messages.len(),
        day(s.kickoff)
    );
    let mut by_week: BTreeMap<u32, Vec<&Delivered>> = BTreeMap::new();
    for m in messages {
        by_week.entry(m.program_week).or_default().push(m);
    }
    for (week, mut list) in by_week {
        // Read as a calendar: by each recipient's own day and time, then by name.
        list.sort_by_cached_key(|m| (m.local_time.naive_local(), name(&m.recipient)));
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &list {
            *kinds.entry(m.kind).or_default() += 1;
        }
        let summary: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
        let title = match program
            .sprint(week)
            .filter(|_| week <= crate::domain::program::SPRINT_WEEKS)
        {
            Some(sprint) => format!("Week {week} — {}: {}", sprint.focus, sprint.summary),
            None => format!("Week {week}"),
        };
        let _ = writeln!(
            out,
            "\n═══ {title}\n    {} messages: {}",
            list.len(),
            summary.join(", ")
        );
        for m in list {
            let _ = writeln!(
                out,
                "\n{} {}  {:<8} → {}",
                day(m.local_time.date_naive()),
                m.local_time.format("%H:%M"),
                m.kind,
                name(&m.recipient)
            );
            for line in readable(&m.text).lines() {
                let _ = writeln!(out, "    {line}");
            }
            if !m.buttons.is_empty() {
                let buttons: Vec<String> = m.buttons.iter().map(|b| format!("[ {b} ]")).collect();
                let _ = writeln!(out, "    {}", buttons.join("  "));
            }
        }
    }
    out
}
