//! `simulate`: the whole program in simulated time, through the scheduler `serve` runs (the
//! same planning, grace window, supersession, holidays, pairing and outbox), on a clock that
//! jumps from one due instant to the next, against the scheduler's store held in memory and an
//! in-process stand-in for Slack. No tokens, no network; the same config always gives the
//! same output.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::clock::{Clock, ManualClock};
use crate::config::SenderConfig;
use crate::domain::absence::SlackStatus;
use crate::domain::charts::Chart;
use crate::domain::message::{Button, Message};
use crate::domain::program::{Program, Role};
use crate::domain::sample;
use crate::domain::schedule::{Member, PairSchedule, Recipient, RecipientKind};
use crate::domain::words::{self, day};
use crate::metrics::Metrics;
use crate::scheduler::Scheduler;
use crate::scheduler::sender::{Failure, Messenger, SendError};
use crate::store::{Delivery, DeliveryStatus, MemoryStore};

/// One message as a person (or channel) receives it: what `--format jsonl` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Delivered {
    pub at: DateTime<Utc>,
    pub local_time: DateTime<FixedOffset>,
    pub recipient: String,
    /// `person` or `channel`: a group DM's message is listed for each of its members.
    pub recipient_kind: &'static str,
    pub kind: &'static str,
    pub week: Option<u32>,
    pub program_week: u32,
    pub source: String,
    /// Shared by the members of a group DM, who each receive it.
    pub text: Arc<str>,
    /// One-click answers under the message.
    pub buttons: Vec<String>,
}

/// What to preview: `days` days from `from` (the recipients' local dates).
#[derive(Debug, Clone)]
pub struct Preview {
    pub from: NaiveDate,
    pub days: u32,
    /// Sample reps commit, practise and answer as the run goes (see [`sample`]); the schedule
    /// is the same.
    pub sample_activity: bool,
    /// Where the digests' charts are written as PNG files, if anywhere.
    pub charts: Option<PathBuf>,
}

/// Runs the preview with the sender's settings of `serve` (grace window, attempts); every
/// message, in order.
pub async fn run(
    program: &Program,
    sender: &SenderConfig,
    preview: &Preview,
) -> anyhow::Result<Vec<Delivered>> {
    let mut all = Vec::new();
    run_into(program, sender, preview, |messages| {
        all.extend(messages);
        Ok(())
    })
    .await?;
    Ok(all)
}

/// As [`run`], handing the messages to `emit` as the run goes, in order, a stretch of time at
/// a time: a large program's preview is never held whole. What ended before the grace window
/// can never change again, and nothing is planned that far back, so each stretch follows the
/// last.
pub async fn run_into(
    program: &Program,
    sender: &SenderConfig,
    preview: &Preview,
    mut emit: impl FnMut(Vec<Delivered>) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let (from, days) = (preview.from, preview.days);
    let store = MemoryStore::default();
    let members = Member::roster(program, |_| None);
    let with_deals;
    let program = if preview.sample_activity {
        with_deals = sample::with_opportunities(program, &members);
        &with_deals
    } else {
        program
    };
    let mut sample = if preview.sample_activity {
        let pairs = PairSchedule::for_program(program, &members);
        sample::events(program, &members, &pairs)
    } else {
        Vec::new()
    }
    .into_iter()
    .peekable();
    let habits = sample::habits(&members);
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

    let clock = Arc::new(ManualClock::new(start));
    let slack = SimulatedSlack {
        charts: preview.charts.clone(),
        ..SimulatedSlack::default()
    };
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
    let grace = Duration::minutes(sender.grace_minutes);
    let mut read = |rows: Vec<Delivery>| {
        let mut out = Vec::new();
        let mut buttons = slack.buttons.lock().unwrap_or_else(|e| e.into_inner());
        for d in rows {
            let labels = buttons.remove(&d.key).unwrap_or_default();
            received(d, labels, from..last, &mut out);
        }
        out.sort_by(|a, b| (a.at, &a.source, &a.recipient).cmp(&(b.at, &b.source, &b.recipient)));
        emit(out)
    };
    loop {
        // What sample reps did up to now is on record before anything is composed.
        while let Some(event) = sample.next_if(|e| e.at() <= clock.now()) {
            store.record(event);
        }
        scheduler.tick(&stop).await?;
        // Taken every time, so that a preview without answers holds no list of them.
        let asked = store.take_asked();
        if preview.sample_activity {
            answer_questions(program, &store, &habits, asked);
        }
        let now = clock.now();
        // What ended before the grace window can never change again: read it out as it goes.
        read(store.take_settled(now - grace - Duration::minutes(1)))?;
        match scheduler.next_wake().await? {
            Some(next) if next < end => clock.set(next.max(now + Duration::seconds(1))),
            _ => break,
        }
    }
    read(store.take_settled(DateTime::<Utc>::MAX_UTC))
}

/// Sample reps answer the questions just asked of them, as their clicks would.
fn answer_questions(
    program: &Program,
    store: &MemoryStore,
    habits: &std::collections::HashMap<String, sample::Habit>,
    asked: Vec<crate::domain::reinforcement::Asked>,
) {
    for asked in asked {
        let Some(question) = program.questions.iter().find(|q| *q.id == *asked.question) else {
            continue;
        };
        let Some(habit) = habits.get(&*asked.rep) else {
            continue;
        };
        let week = program.settings.program_week(asked.asked_on).unwrap_or(0);
        let reviews = store.reviews_of(&asked.rep, &asked.question);
        if let Some((choice, at)) = sample::quiz_answer(*habit, &asked, question, week, reviews) {
            let right = question.choices[choice] == question.correct;
            let tz = program
                .person(&asked.rep)
                .and_then(|p| p.timezone)
                .unwrap_or(program.settings.timezone);
            let day = at.with_timezone(&tz).date_naive();
            let settings = &program.reinforcement;
            store.answer_question(&asked, &question.choices[choice], right, at, day, settings);
        }
    }
}

/// What the people `d` was for received, if it was sent on a local day in `window`: one line
/// for each of them (a group DM reaches each member).
fn received(
    mut d: Delivery,
    buttons: Vec<String>,
    window: std::ops::Range<NaiveDate>,
    out: &mut Vec<Delivered>,
) {
    let occ = &d.occurrence;
    if d.status != DeliveryStatus::Sent || !window.contains(&occ.local.date_naive()) {
        return;
    }
    let (recipient_kind, recipients) = match &occ.recipient {
        Recipient::Channel(channel) => (RecipientKind::Channel, vec![channel.key()]),
        other => (RecipientKind::Person, other.people().to_vec()),
    };
    let text: Arc<str> = d.text.take().unwrap_or_default().into();
    for recipient in recipients {
        out.push(Delivered {
            at: occ.at,
            local_time: occ.local,
            recipient,
            recipient_kind: recipient_kind.as_str(),
            kind: occ.kind().as_str(),
            week: occ.sprint_week(),
            program_week: occ.program_week,
            source: occ.source.key(),
            text: text.clone(),
            buttons: buttons.clone(),
        });
    }
}

/// The in-process stand-in for Slack: it opens a DM for anyone, finds any channel by its name,
/// and takes every post, keeping the buttons each one carried.
#[derive(Clone, Default)]
struct SimulatedSlack {
    buttons: Arc<Mutex<HashMap<String, Vec<String>>>>,
    /// Where shared files (the charts) are written; nowhere when `None`.
    charts: Option<PathBuf>,
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
        let mut labels: Vec<String> = message.buttons.iter().map(Button::label).collect();
        if let Some(menu) = &message.menu {
            labels.push(format!("{} ▾ ({})", menu.prompt, menu.options.len()));
        }
        let mut buttons = self.buttons.lock().unwrap_or_else(|e| e.into_inner());
        buttons.insert(key.to_string(), labels);
        Ok(format!("{}.000000", buttons.len()))
    }

    async fn timezone(&self, _user: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<String>, SendError> {
        Ok(Some(simulated_id(email)))
    }

    async fn share_chart(
        &self,
        channel: &str,
        file_name: &str,
        chart: &Chart,
    ) -> Result<String, SendError> {
        let Some(dir) = &self.charts else {
            return Ok(format!("F{file_name}"));
        };
        let bytes = crate::charts::png(chart).map_err(|e| {
            SendError::Permanent(Failure::new(
                "chart",
                format_args!("the chart could not be drawn: {e:#}"),
            ))
        })?;
        let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, "png"));
        let path = dir.join(format!(
            "{stem}-{}.{ext}",
            channel.trim_start_matches(['D', '#'])
        ));
        std::fs::write(&path, bytes).map_err(|e| {
            SendError::Permanent(Failure::new(
                "write",
                format_args!("cannot write {}: {e}", path.display()),
            ))
        })?;
        Ok(path.display().to_string())
    }

    async fn status(&self, _user: &str) -> Result<SlackStatus, SendError> {
        Ok(SlackStatus {
            emoji: String::new(),
            text: String::new(),
            expires: None,
        })
    }

    async fn find_channel(&self, name: &str) -> Result<Option<String>, SendError> {
        Ok(Some(format!("#{name}")))
    }

    async fn find_posted(&self, _channel: &str, _key: &str) -> Result<Option<String>, SendError> {
        Ok(None)
    }
}

/// The id the stand-in for Slack gives the person with `email`: the same on every run.
fn simulated_id(email: &str) -> String {
    // FNV-1a: a stable hash (std's may change between Rust releases), 16 hex digits.
    let hash = email.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("USIM{hash:016X}")
}

/// The program with every `roster.csv` person found, as the stand-in for Slack finds anyone:
/// a preview shows people listed only by email, by name.
pub fn with_everyone_found(program: &Program) -> Program {
    let found = program
        .roster
        .iter()
        .map(|e| (e.email.clone(), simulated_id(&e.email)))
        .collect();
    program.with_slack_ids(&found)
}

/// One JSON object a line.
pub fn jsonl(messages: &[Delivered], out: &mut impl Write) -> std::io::Result<()> {
    for m in messages {
        serde_json::to_writer(&mut *out, m)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A preview an admin can show a VP: per week, who gets what and when, in their own time.
pub fn text(
    program: &Program,
    from: NaiveDate,
    days: u32,
    messages: &[Delivered],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let s = &program.settings;
    let name = |id: &str| -> String {
        program
            .person(id)
            .and_then(|p| p.name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let to = |m: &Delivered| match (m.recipient_kind, m.recipient.starts_with('#')) {
        ("channel", false) => format!("#{}", m.recipient),
        _ => name(&m.recipient),
    };
    // Mentions as a reader sees them: `<@U0EAST001>` reads "@Dana Whitfield".
    let readable = |text: &str| -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("<@") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            match after.find('>') {
                Some(end) if program.person(&after[..end]).is_some() => {
                    out.push('@');
                    out.push_str(&name(&after[..end]));
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push_str("<@");
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    };
    let count = |role: Role, one: &str| {
        words::count(
            program.people.iter().filter(|p| p.role == role).count(),
            one,
        )
    };
    writeln!(out, "{} — simulated {days} days from {}", s.name, day(from))?;
    writeln!(
        out,
        "{} ({}, {}, {}) · {} · kickoff {} · times are each recipient's own",
        words::count_as(program.people.len(), "person", "people"),
        count(Role::Rep, "rep"),
        count(Role::Manager, "manager"),
        count(Role::Admin, "admin"),
        words::count(messages.len(), "message"),
        day(s.kickoff)
    )?;
    let mut by_week: BTreeMap<u32, Vec<&Delivered>> = BTreeMap::new();
    for m in messages {
        by_week.entry(m.program_week).or_default().push(m);
    }
    for (week, mut list) in by_week {
        // Read as a calendar: by each recipient's own day and time, then by name.
        list.sort_by_cached_key(|m| (m.local_time.naive_local(), to(m)));
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
        writeln!(
            out,
            "\n═══ {title}\n    {}: {}",
            words::count(list.len(), "message"),
            summary.join(", ")
        )?;
        for m in list {
            writeln!(
                out,
                "\n{} {}  {:<8} → {}",
                day(m.local_time.date_naive()),
                m.local_time.format("%H:%M"),
                m.kind,
                to(m)
            )?;
            for line in readable(&m.text).lines() {
                writeln!(out, "    {line}")?;
            }
            if !m.buttons.is_empty() {
                let buttons: Vec<String> = m.buttons.iter().map(|b| format!("[ {b} ]")).collect();
                writeln!(out, "    {}", buttons.join("  "))?;
            }
        }
    }
    Ok(())
}
