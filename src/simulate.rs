//! `simulate`: the whole program in simulated time, through the real schedule engine and the
//! real message composition, against a private in-memory database and an in-process stand-in
//! for Slack. No tokens, no network; the same config always gives the same output.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::commands::render::day;
use crate::domain::compose::{compose, people_involved};
use crate::domain::message::Message;
use crate::domain::program::{Program, Role};
use crate::domain::schedule::{Member, Occurrence, PairSchedule, Planner, Recipient, Source};
use crate::store::Store;

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

/// Runs `days` days of the program from `from` (the recipient's local dates).
pub async fn run(program: &Program, from: NaiveDate, days: u32) -> anyhow::Result<Vec<Delivered>> {
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
    let pairs = PairSchedule::for_program(program, &members);
    let planner = Planner::new(program, &members, &pairs);
    let slack = SimulatedSlack;
    let mut out = Vec::new();
    let in_window = |occ: &Occurrence| (from..last).contains(&occ.local.date_naive());
    let occurrences: Vec<Occurrence> = planner
        .occurrences(start, end)
        .into_iter()
        .filter(in_window)
        .collect();
    let since = program.settings.kickoff_instant() - Duration::days(7);
    // Everything due at one instant is written from one reading of the records, as `serve`
    // does for a batch.
    for batch in occurrences.chunk_by(|a, b| a.at == b.at) {
        for occ in batch {
            if let (Source::Checkin, Recipient::Group(members)) = (&occ.source, &occ.recipient) {
                store
                    .record_checkin(members, Some(occ.program_week), occ.at)
                    .await?;
            }
        }
        let mut people: Vec<String> = batch
            .iter()
            .flat_map(|o| people_involved(program, o))
            .collect();
        people.sort_unstable();
        people.dedup();
        let activity = store.activity_of(&people, since).await?;
        for occ in batch {
            let Some(message) = compose(program, &pairs, &activity, occ) else {
                continue;
            };
            slack.post(occ, &message, &mut out);
        }
    }
    Ok(out)
}

/// The in-process stand-in for Slack: it takes each post and hands it to every person in the
/// conversation, as Slack's DMs, group DMs and channels do.
struct SimulatedSlack;

impl SimulatedSlack {
    fn post(&self, occ: &Occurrence, message: &Message, inbox: &mut Vec<Delivered>) {
        for recipient in recipients(occ) {
            inbox.push(Delivered {
                at: occ.at,
                local_time: occ.local,
                recipient,
                kind: occ.kind().as_str(),
                week: occ.sprint_week(),
                program_week: occ.program_week,
                source: occ.source.key(),
                text: message.text.clone(),
                buttons: message.buttons.iter().map(|b| b.action.label()).collect(),
            });
        }
    }
}

/// Who receives it: each member of a group DM receives the one message.
fn recipients(occ: &Occurrence) -> Vec<String> {
    match &occ.recipient {
        Recipient::Person(id) | Recipient::Channel(id) => vec![id.clone()],
        Recipient::Group(ids) => ids.clone(),
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
