//! The App Home tab, for each role its own view: a rep's week with one-click buttons, a
//! manager's team at a glance, an admin's delivery health and the roster people Slack has not
//! found. At most 100 blocks, as Slack allows.

use chrono::{DateTime, Duration, Utc};
use slack_morphism::prelude::*;

use super::blocks::sections;
use crate::commands::Caller;
use crate::commands::render::escape;
use crate::commands::sko::status_text;
use crate::domain::commitment::{CommitmentStatus, truncate};
use crate::domain::digest::{coach_line, manager_digest};
use crate::domain::message::Action;
use crate::domain::program::{Program, Role, RosterEntry};
use crate::store::{DeliveryStatus, Store};

const VIEW_BLOCKS: usize = 100;
/// Commitments shown with a Done button; the rest are counted.
const COMMITMENTS_SHOWN: usize = 20;
/// Sections for the team's lines; a team of 60 fits.
const TEAM_SECTIONS: usize = 20;
/// People Slack did not find, listed by name on the admin's Home.
const ROSTER_PROBLEMS_SHOWN: usize = 15;

pub async fn build(
    store: &Store,
    program: &Program,
    user_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<SlackHomeView> {
    let person = program.person(user_id);
    let timezone = person
        .and_then(|p| p.timezone)
        .unwrap_or(program.settings.timezone);
    let caller = Caller {
        user_id,
        person,
        timezone,
        now,
    };
    let mut blocks: Vec<SlackBlock> =
        vec![SlackHeaderBlock::new(pt!(truncate(&program.settings.name, 140))).into()];
    if person.is_none() {
        blocks.push(section("_You're not in this program's roster yet, so no prompts or partner will reach you. Ask your enablement admin to add you._"));
    }
    blocks.push(section(&status_text(store, program, &caller).await?));
    let paused = store
        .pauses()
        .await?
        .into_iter()
        .any(|(id, back)| id == user_id && back > caller.today());
    blocks.push(actions(vec![if paused {
        button(Action::Resume, "")
    } else {
        button(Action::PauseWeek, "7")
    }]));

    let open = store
        .commitments_with_status(user_id, CommitmentStatus::Open)
        .await?;
    blocks.push(SlackDividerBlock::new().into());
    blocks.push(section(&format!(
        "*Your open commitments* ({})",
        open.len()
    )));
    if open.is_empty() {
        blocks.push(section(
            "None yet. `/commit 20 discovery calls by Friday` makes one.",
        ));
    }
    for c in open.iter().take(COMMITMENTS_SHOWN) {
        let text = format!("*#{}* {}", c.seq, escape(&truncate(&c.text, 300)));
        blocks.push(
            SlackSectionBlock::new()
                .with_text(md!("{}", text))
                .with_accessory(done_button(c.seq))
                .into(),
        );
    }
    if open.len() > COMMITMENTS_SHOWN {
        blocks.push(section(&format!(
            "…and {} more (`/commit list`)",
            open.len() - COMMITMENTS_SHOWN
        )));
    }

    if person.is_some_and(|p| p.role == Role::Manager) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.extend(
            sections(
                &team_text(store, program, user_id, now, timezone).await?,
                TEAM_SECTIONS,
            )
            .into_iter()
            .map(|t| section(&t)),
        );
    }
    if person.is_some_and(|p| p.role == Role::Admin) {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(section(&delivery_health(store).await?));
        if !program.roster.is_empty() {
            blocks.push(section(&roster_health(store, program).await?));
        }
    }
    blocks.truncate(VIEW_BLOCKS);
    Ok(SlackHomeView::new(blocks))
}

/// One line per direct report: practice this week, open commitments, quiet, what to coach.
async fn team_text(
    store: &Store,
    program: &Program,
    manager: &str,
    now: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<String> {
    let reps = crate::domain::compose::reps(program, Some(manager));
    if reps.is_empty() {
        return Ok("*Your team*\nNo reps report to you in this program's roster.".into());
    }
    let ids: Vec<String> = reps.iter().map(|p| p.slack_id.clone()).collect();
    let activity = store
        .activity_of(&ids, program.settings.kickoff_instant() - Duration::days(7))
        .await?;
    let records = crate::domain::compose::records(program, &activity, &reps, now);
    let digest = manager_digest(program, &records, now, tz);
    let quiet = digest.reps.iter().filter(|r| r.quiet).count();
    let mut lines = vec![format!(
        "*Your team this week* — {} reps, {quiet} quiet",
        digest.reps.len()
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

fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new()
        .with_text(md!("{}", truncate(text, 2_990)))
        .into()
}

fn button(action: Action, value: &str) -> SlackActionBlockElement {
    SlackActionBlockElement::Button(
        SlackBlockButtonElement::new(pt!(action.label()))
            .with_action_id(action.id().into())
            .with_value(value.to_string()),
    )
}

fn done_button(seq: u32) -> SlackSectionBlockElement {
    SlackSectionBlockElement::Button(
        SlackBlockButtonElement::new(pt!(Action::CommitmentDone.label()))
            .with_action_id(Action::CommitmentDone.id().into())
            .with_value(seq.to_string()),
    )
}

fn actions(elements: Vec<SlackActionBlockElement>) -> SlackBlock {
    SlackActionsBlock::new(elements).into()
}
