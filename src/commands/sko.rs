//! `/sko`: my week, pausing and resuming, and for admins reloading the program and previewing
//! what a rep receives next.

use crate::store::{RecordStore, RosterStore};
use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};

use super::render::{escape, week};
use super::{Caller, Context, Refusal, Reply, grammar_reply, grammar_text, notify, reply_from};
use crate::domain::commitment::CommitmentStatus;
use crate::domain::compose::{Involved, compose};
use crate::domain::program::{Program, Role};
use crate::domain::schedule::{Occurrence, Source};
use crate::domain::sko::{self, PauseSpec, SkoCommand, check_pause};
use crate::domain::words::day;
use crate::reload::NotReloaded;
use crate::scheduler::{pair_schedule, partners_of};
use crate::store::Store;

const PREVIEW_DAYS: i64 = 7;
/// Planned messages read for one person's view: a week of even a busy program.
const PLANNED_SHOWN: i64 = 200;

pub async fn run(ctx: &Context<'_>, caller: &Caller<'_>, text: &str) -> anyhow::Result<Reply> {
    let command = match sko::parse(text) {
        Ok(c) => c,
        Err(e) => return Ok(grammar_reply(e)),
    };
    match command {
        SkoCommand::Help => Ok(Reply::new(HELP)),
        SkoCommand::Status => status(ctx, caller).await,
        SkoCommand::Pause(spec) => {
            reply_from(pause(ctx.store, ctx.program, caller, spec).await, |back| {
                format!(
                    "Paused: no prompts, questions, pulses or check-ins until {}. Your partner knows, and meets with another pair meanwhile. `/sko resume` to come back sooner.",
                    day(back)
                )
            })
        }
        SkoCommand::Resume => reply_from(resume(ctx.store, caller).await, |()| {
            "Welcome back: prompts and check-ins start again from now.".to_string()
        }),
        SkoCommand::Reload => {
            if let Some(refusal) = admins_only(ctx.program, caller, "reload the program") {
                return Ok(refusal);
            }
            Ok(Reply::new(match ctx.reloader.reload_file().await {
                Ok(summary) => format!("Reloaded: {}", escape(&summary)),
                Err(NotReloaded::Rejected(problems)) => format!(
                    "The config was not reloaded; the program in force stays. What to fix:\n```{}```",
                    escape(&problems)
                ),
                Err(NotReloaded::NotSaved) => "The config was read but could not be saved just now; the program in force stays. Try `/sko reload` again in a moment.".to_string(),
            }))
        }
        SkoCommand::Preview(rep) => {
            if let Some(refusal) = admins_only(ctx.program, caller, "preview someone's week") {
                return Ok(refusal);
            }
            preview(ctx, caller, &rep).await
        }
    }
}

const HELP: &str = "*/sko* — your program at a glance.
• `/sko status` — your week, partner, next check-in and practice streak
• `/sko pause until 2027-02-01` (or `pause for 2 weeks`) — away: nothing is sent until then
• `/sko resume` — back early
Admins: `/sko reload` re-reads the config; `/sko preview @rep` shows what they receive next.";

/// Pauses the caller as `spec` says (`/sko pause …`, or *Pause* on the Home tab) and tells
/// their partners, through the outbox; the first day they are back.
pub async fn pause(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    spec: PauseSpec,
) -> Result<NaiveDate, Refusal> {
    let back =
        check_pause(spec, caller.today()).map_err(|e| Refusal::Declined(grammar_text(&e)))?;
    store
        .set_pause(caller.user_id, Some(back), caller.now)
        .await?;
    let this_week = program.settings.program_week(caller.today()).unwrap_or(1);
    let why = format!("pause:{}", caller.user_id);
    for partner in partners_of(store, program, caller.user_id, this_week).await? {
        let text = format!(
            "<@{}> is away until {}. Until then your check-ins go on with another pair, so you're not practising alone.",
            caller.user_id,
            day(back)
        );
        notify(store, program, &partner, &why, &text, caller.now).await?;
    }
    Ok(back)
}

/// Ends the caller's pause (`/sko resume`, or *Resume* on the Home tab).
pub async fn resume(store: &Store, caller: &Caller<'_>) -> Result<(), Refusal> {
    store.set_pause(caller.user_id, None, caller.now).await?;
    Ok(())
}

fn admins_only(program: &Program, caller: &Caller<'_>, what: &str) -> Option<Reply> {
    if caller.person.is_some_and(|p| p.role == Role::Admin) {
        return None;
    }
    let admins: Vec<String> = program
        .people
        .iter()
        .filter(|p| p.role == Role::Admin)
        .map(|p| format!("<@{}>", p.slack_id))
        .collect();
    Some(Reply::new(format!(
        "Only the program's admins can {what}. Ask {}.",
        if admins.is_empty() {
            "your enablement team".to_string()
        } else {
            admins.join(" or ")
        }
    )))
}

async fn status(ctx: &Context<'_>, caller: &Caller<'_>) -> anyhow::Result<Reply> {
    Ok(Reply::new(
        status_text(ctx.store, ctx.program, caller).await?,
    ))
}

/// The person's week in a few lines: `/sko status`, and the top of their App Home.
pub async fn status_text(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
) -> anyhow::Result<String> {
    let today = caller.today();
    let program_week = program.settings.program_week(today);
    let mut lines = vec![match week(program, program_week) {
        Some(w) => format!("*This week:* {w}"),
        None if today < program.settings.kickoff => {
            format!("*The program starts* {}", day(program.settings.kickoff))
        }
        None => "*The program has ended.* Keep the habits going.".to_string(),
    }];
    if let Some(back) = store
        .pauses()
        .await?
        .into_iter()
        .find(|(id, _)| id == caller.user_id)
        .map(|(_, d)| d)
        .filter(|d| *d > today)
    {
        lines.push(format!(
            "*Paused* until {} (`/sko resume` to come back sooner)",
            day(back)
        ));
    }
    let partners = partners_of(store, program, caller.user_id, program_week.unwrap_or(1)).await?;
    lines.push(match partners.as_slice() {
        [] => "*Partner:* none yet".to_string(),
        ps => format!(
            "*Partner:* {}",
            ps.iter()
                .map(|p| format!("<@{p}>"))
                .collect::<Vec<_>>()
                .join(" and ")
        ),
    });
    // What is planned for them: the outbox holds the next eight days, so the next of every
    // weekly message is there, read by one query however large the roster.
    let planned = store
        .planned_for(caller.user_id, caller.now, PLANNED_SHOWN)
        .await?;
    let next = |wanted: fn(&Source) -> bool| {
        planned
            .iter()
            .map(|d| &d.occurrence)
            .find(|o| wanted(&o.source))
    };
    let when =
        |o: &Occurrence| format!("{} {}", day(o.local.date_naive()), o.local.format("%H:%M"));
    if let Some(o) = next(|s| matches!(s, Source::Checkin)) {
        lines.push(format!("*Next check-in:* {}", when(o)));
    }
    if let Some(o) = next(|s| matches!(s, Source::Trigger(_))) {
        lines.push(format!("*Next prompt:* {}", when(o)));
    }
    let open = store
        .commitments_with_status(caller.user_id, CommitmentStatus::Open)
        .await?
        .len();
    lines.push(format!("*Open commitments:* {open} (`/commit list`)"));
    let logs = store
        .practice_since(caller.user_id, program.settings.kickoff_instant())
        .await?;
    let this_week: Vec<_> = logs
        .iter()
        .filter(|p| p.week.is_some() && p.week == program_week)
        .collect();
    let live = this_week
        .iter()
        .filter(|p| p.context == crate::domain::practice::PracticeContext::Live)
        .count();
    lines.push(format!(
        "*Practice this week:* {} ({live} in live deals)",
        this_week.len()
    ));
    let practised: BTreeSet<u32> = logs.iter().filter_map(|p| p.week).collect();
    lines.push(format!(
        "*Practice streak:* {}",
        streak_text(streak(&practised, program_week))
    ));
    Ok(lines.join("\n"))
}

/// Consecutive program weeks with practice, ending this week (or last, if this one has none
/// yet).
fn streak(practised: &BTreeSet<u32>, this_week: Option<u32>) -> u32 {
    let Some(mut w) = this_week else { return 0 };
    if !practised.contains(&w) {
        w = w.saturating_sub(1);
    }
    let mut n = 0;
    while w > 0 && practised.contains(&w) {
        n += 1;
        w -= 1;
    }
    n
}

fn streak_text(weeks: u32) -> String {
    match weeks {
        0 => "none yet: one `/practice` starts it".into(),
        1 => "1 week".into(),
        n => format!("{n} weeks in a row"),
    }
}

async fn preview(ctx: &Context<'_>, caller: &Caller<'_>, rep: &str) -> anyhow::Result<Reply> {
    let program = ctx.program;
    if program.person(rep).is_none() {
        return Ok(Reply::new(format!(
            "<@{rep}> is not in this program's roster, so nothing is scheduled for them."
        )));
    }
    let pairs = pair_schedule(ctx.store, program, caller.now).await?;
    let until = caller.now + Duration::days(PREVIEW_DAYS);
    let occurrences: Vec<Occurrence> = ctx
        .store
        .planned_for(rep, caller.now, PLANNED_SHOWN)
        .await?
        .into_iter()
        .map(|d| d.occurrence)
        .filter(|o| o.at < until)
        .collect();
    if occurrences.is_empty() {
        return Ok(Reply::new(format!(
            "Nothing is scheduled for <@{rep}> in the next {PREVIEW_DAYS} days."
        )));
    }
    let involved = Involved::in_messages(program, &pairs, &occurrences);
    let activity = ctx
        .store
        .activity_of(
            &involved,
            program.settings.kickoff_instant() - Duration::days(7),
        )
        .await?;
    let lines: Vec<String> = occurrences
        .iter()
        .filter_map(|o| {
            let message = compose(program, &pairs, &activity, o)?;
            let first_line = message.text.lines().next().unwrap_or_default().to_string();
            Some(format!(
                "• {} {} _{}_ — {}",
                day(o.local.date_naive()),
                o.local.format("%H:%M"),
                o.kind().as_str(),
                first_line
            ))
        })
        .collect();
    Ok(Reply::new(format!(
        "*What <@{rep}> receives in the next {PREVIEW_DAYS} days* (their time):\n{}",
        lines.join("\n")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streak_counts_back_from_this_week_or_last() {
        let weeks = |w: &[u32]| w.iter().copied().collect::<BTreeSet<u32>>();
        assert_eq!(streak(&weeks(&[1, 2, 3]), Some(3)), 3);
        assert_eq!(streak(&weeks(&[1, 2, 3]), Some(4)), 3, "this week not yet");
        assert_eq!(streak(&weeks(&[1, 3]), Some(3)), 1);
        assert_eq!(streak(&weeks(&[1, 2]), Some(5)), 0);
        assert_eq!(streak(&weeks(&[]), None), 0);
    }
}
