//! The App Home tab's content, for each role its own: a rep's week and open commitments, a
//! manager's team at a glance, an admin's delivery health and the roster people Slack has not
//! found. Data and mrkdwn text only; `slack::home` draws it as blocks.

use crate::store::{DirectoryStore, RecordStore, RosterStore};
use chrono::{DateTime, Duration, Utc};

use super::Caller;
use super::render::escape;
use super::sko::status_text;
use crate::domain::commitment::{Commitment, CommitmentStatus, truncate};
use crate::domain::compose::Involved;
use crate::domain::digest::manager_digest;
use crate::domain::digest_text::coach_line;
use crate::domain::program::{Program, Role, RosterEntry};
use crate::store::{DeliveryStatus, Store};

/// People Slack did not find, listed by name on the admin's Home.
const ROSTER_PROBLEMS_SHOWN: usize = 15;

/// What one person's Home tab shows.
#[derive(Debug, Clone, PartialEq)]
pub struct HomeView {
    /// The program's name.
    pub title: String,
    pub in_roster: bool,
    /// Their week in a few lines, as `/sko status` says it.
    pub status: String,
    pub paused: bool,
    /// Open commitments, oldest first.
    pub open: Vec<Commitment>,
    /// A manager's team, one line per direct report.
    pub team: Option<String>,
    /// A rep's latest coaching: when, by whom, on what, the note and next step.
    pub coaching: Option<String>,
    /// An admin's delivery health, and the roster people Slack has not found.
    pub delivery: Option<String>,
    pub roster: Option<String>,
}

/// `user_id`'s Home tab as of `now`.
pub async fn view(
    store: &Store,
    program: &Program,
    user_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<HomeView> {
    let caller = super::caller(program, user_id, now);
    let role = caller.person.map(|p| p.role);
    let paused = store
        .pauses()
        .await?
        .into_iter()
        .any(|(id, back)| id == user_id && back > caller.today());
    let admin = role == Some(Role::Admin);
    Ok(HomeView {
        title: program.settings.name.clone(),
        in_roster: caller.person.is_some(),
        status: status_text(store, program, &caller).await?,
        paused,
        open: store
            .commitments_with_status(user_id, CommitmentStatus::Open)
            .await?,
        coaching: store
            .latest_coaching(user_id)
            .await?
            .map(|c| super::coach::latest_text(program, &c, caller.timezone)),
        team: match role {
            Some(Role::Manager) => Some(team_text(store, program, &caller).await?),
            _ => None,
        },
        delivery: if admin {
            Some(delivery_health(store).await?)
        } else {
            None
        },
        roster: if admin && !program.roster.is_empty() {
            Some(roster_health(store, program).await?)
        } else {
            None
        },
    })
}

/// One line per direct report: practice this week, open commitments, quiet, what to coach.
async fn team_text(
    store: &Store,
    program: &Program,
    manager: &Caller<'_>,
) -> anyhow::Result<String> {
    let (now, tz) = (manager.now, manager.timezone);
    let reps = program.reps(Some(manager.user_id));
    if reps.is_empty() {
        return Ok("*Your team*\nNo reps report to you in this program's roster.".into());
    }
    let ids: Vec<String> = reps.iter().map(|p| p.slack_id.clone()).collect();
    let activity = store
        .activity_of(
            &Involved::all_of(ids),
            program.settings.kickoff_instant() - Duration::days(7),
        )
        .await?;
    let records = crate::domain::compose::records(program, &activity, &reps, now);
    let digest = manager_digest(program, &records, now, tz);
    let quiet = digest.reps.iter().filter(|r| r.quiet).count();
    let mut lines = vec![format!(
        "*Your team this week* — {}, {quiet} quiet",
        crate::domain::words::count(digest.reps.len(), "rep")
    )];
    for r in &digest.reps {
        lines.push(format!(
            "{}<@{}> — practice {} ({} live) · {} open · coach next: {}",
            if r.quiet { ":zzz: " } else { "" },
            r.slack_id,
            r.week.practice,
            r.week.live,
            r.open,
            r.coach_next.as_ref().map_or_else(|| "—".into(), coach_line)
        ));
    }
    Ok(lines.join("\n"))
}

/// Who in `roster.csv` Slack has not found, each with their line: the admin fixes the address
/// or invites the person, and they join at the next lookup.
async fn roster_health(store: &Store, program: &Program) -> anyhow::Result<String> {
    let lookups = store.email_lookups().await?;
    let missing: Vec<_> = program.not_found().collect();
    let mut text = format!(
        "*Roster* — {} of {} in `{}` found in Slack",
        program.roster.len() - missing.len(),
        program.roster.len(),
        escape(&program.roster_file)
    );
    let (unknown, waiting): (Vec<&RosterEntry>, Vec<&RosterEntry>) =
        missing.iter().partition(|e| lookups.contains_key(&e.email));
    for e in unknown.iter().take(ROSTER_PROBLEMS_SHOWN) {
        text.push_str(&format!(
            "\n• {} ({}, line {}) — Slack has nobody with this email: correct it in the file, or invite them to the workspace",
            escape(&e.email),
            escape(&e.name),
            e.line
        ));
    }
    if unknown.len() > ROSTER_PROBLEMS_SHOWN {
        text.push_str(&format!(
            "\n…and {} more (logged with their lines)",
            unknown.len() - ROSTER_PROBLEMS_SHOWN
        ));
    }
    if !waiting.is_empty() {
        text.push_str(&format!(
            "\n{} still to look up: a minute per 40 or so, within Slack's limits",
            waiting.len()
        ));
    }
    Ok(text)
}

async fn delivery_health(store: &Store) -> anyhow::Result<String> {
    let counts = store.outbox_counts().await?;
    let count = |status: DeliveryStatus| {
        counts
            .iter()
            .find(|(s, _)| *s == status)
            .map_or(0, |(_, n)| *n)
    };
    let mut text = format!(
        "*Delivery health*\n{} sent · {} pending · {} failed · {} skipped",
        count(DeliveryStatus::Sent),
        count(DeliveryStatus::Pending) + count(DeliveryStatus::Sending),
        count(DeliveryStatus::Failed),
        count(DeliveryStatus::Skipped)
    );
    let failures = store.recent_failures(5).await?;
    if !failures.is_empty() {
        text.push_str("\nLatest failures (all in `export --what deliveries`):");
        for f in failures {
            text.push_str(&format!(
                "\n• {} to {} — {}",
                f.kind().as_str(),
                f.occurrence.recipient.key(),
                truncate(f.last_error.as_deref().unwrap_or("unknown"), 120)
            ));
        }
    }
    Ok(text)
}
