//! `/practice`: log a role-play or a live-deal application of a skill; list this week's.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};

use super::render::{capped, escape, unescape, week};
use super::{Caller, Reply, grammar_reply, roster_note};
use crate::domain::message::{Action, Button};
use crate::domain::outcomes;
use crate::domain::practice::{
    self, PRACTICE_EXAMPLE, PracticeCommand, PracticeContext, PracticeDraft, PracticeLog,
};
use crate::domain::program::{Channel, Program};
use crate::domain::schedule::{Occurrence, Recipient, Source};
use crate::domain::words::day;
use crate::store::Store;

const LIST_MAX: usize = 25;

pub async fn run(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    text: &str,
) -> anyhow::Result<Reply> {
    if program.skills.is_empty() {
        return Ok(Reply::new(
            "This program has no skills configured yet, so there is nothing to log practice against. Ask your enablement admin to add [[skills]] to the config.",
        ));
    }
    match practice::parse(text, &program.skills) {
        Err(e) => Ok(grammar_reply(e)),
        Ok(PracticeCommand::Help) => Ok(Reply::new(help(program))),
        Ok(PracticeCommand::List) => list(store, program, caller).await,
        Ok(PracticeCommand::Log(draft)) => log(store, program, caller, draft).await,
    }
}

/// Records a practice log from its draft; the reply says what was recorded.
pub async fn log(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    draft: PracticeDraft,
) -> anyhow::Result<Reply> {
    if let Some(Err(why)) = draft
        .deal
        .as_deref()
        .map(|id| deal_check(program, caller, id))
    {
        return Ok(Reply::new(format!("Not recorded. {why}")));
    }
    let note = roster_note(caller);
    let share = draft.share;
    let entry = PracticeLog {
        user_id: caller.user_id.to_string(),
        skill_id: draft.skill_id,
        context: draft.context,
        partner_id: draft.partner,
        score: draft.score,
        notes: draft.notes.map(|n| unescape(&n)),
        rubric: draft.rubric,
        week: program.settings.program_week(caller.today()),
        logged_at: caller.now,
        deal_id: draft.deal,
    };
    store.add_practice(&entry).await?;
    let mut text = format!("Recorded: {}", summary(program, &entry));
    if let Some(notes) = &entry.notes {
        text.push_str(&format!("\nNotes: {}", escape(notes)));
    }
    if let Some(w) = week(program, entry.week) {
        text.push_str(&format!("\n• {w} · `/practice list` shows this week's"));
    }
    if entry.partner_id.as_deref() == Some(caller.user_id) {
        text.push_str("\n_You named yourself as partner; next time pick who you practised with._");
    }
    if let Some(note) = note {
        text.push_str(&format!("\n{note}"));
    }
    let mut reply = Reply::new(text);
    // A win is shared only when its rep asks: in the command, or with the button offered
    // under a live deal's confirmation.
    if share {
        reply.text.push_str(&format!(
            "\n{}",
            share_win(store, program, &entry, caller.now).await?
        ));
    } else if entry.context == PracticeContext::Live && program.wins.channel.is_some() {
        reply.buttons.push(Button {
            action: Action::ShareWin,
            value: entry.logged_at.timestamp_micros().to_string(),
        });
    }
    Ok(reply)
}

/// Whether the caller may tie practice to the opportunity `id`: it must be theirs in the CRM
/// export. `Err` says why not, in words for the rep.
pub fn deal_check(program: &Program, caller: &Caller<'_>, id: &str) -> Result<(), String> {
    let email = caller.person.and_then(|p| p.email.as_deref());
    outcomes::rep_deal(&program.opportunities, id, email)
        .map(drop)
        .map_err(|refusal| refusal.explain(&escape(id)))
}

/// Queues `entry` for the wins channel, through the outbox like every message; what to tell
/// the rep. Shared once, however often asked.
pub async fn share_win(
    store: &Store,
    program: &Program,
    entry: &PracticeLog,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let Some(channel) = &program.wins.channel else {
        return Ok("_Sharing isn't set up in this program: ask your enablement admin to name a channel under `[wins]`._".into());
    };
    let s = &program.settings;
    let local = now.with_timezone(&s.timezone);
    let occurrence = Occurrence {
        source: Source::Win {
            user: entry.user_id.clone(),
            logged_at: entry.logged_at.timestamp_micros(),
        },
        recipient: Recipient::Channel(channel.clone()),
        at: now,
        local: local.fixed_offset(),
        program_week: s.program_week(local.date_naive()).unwrap_or(0),
    };
    Ok(if store.request_post(&occurrence, None, now).await? {
        format!(
            "Shared with the team in {} :tada:",
            channel_mention(channel)
        )
    } else {
        format!("Already shared in {}.", channel_mention(channel))
    })
}

fn channel_mention(channel: &Channel) -> String {
    match channel {
        Channel::Id(id) => format!("<#{id}>"),
        Channel::Name(name) => format!("#{}", escape(name)),
    }
}

/// "Discovery · live deal · with @dana · 4/5"
fn summary(program: &Program, entry: &PracticeLog) -> String {
    let skill = program
        .skills
        .iter()
        .find(|s| s.id == entry.skill_id)
        .map_or(entry.skill_id.as_str(), |s| s.name.as_str());
    let mut parts = vec![
        format!("*{}*", escape(skill)),
        entry.context.label().to_string(),
    ];
    if let Some(partner) = &entry.partner_id {
        parts.push(format!("with <@{partner}>"));
    }
    if let Some(id) = &entry.deal_id {
        let name = program.opportunities.iter().find(|o| &o.id == id);
        parts.push(format!(
            "in {}",
            escape(name.map_or(id.as_str(), |o| o.name.as_str()))
        ));
    }
    if let Some(score) = entry.score {
        parts.push(format!("{score}/5"));
    }
    parts.join(" · ")
}

async fn list(store: &Store, program: &Program, caller: &Caller<'_>) -> anyhow::Result<Reply> {
    let today = caller.today();
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let since = caller
        .timezone
        .from_local_datetime(&monday.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .earliest()
        .map_or(caller.now - Duration::days(7), |t| t.to_utc());
    let logs = store.practice_since(caller.user_id, since).await?;
    if logs.is_empty() {
        return Ok(Reply::new(format!(
            "No practice logged since Monday. Log one: `{PRACTICE_EXAMPLE}`"
        )));
    }
    let live = logs
        .iter()
        .filter(|l| l.context == PracticeContext::Live)
        .count();
    let lines = capped(&logs, LIST_MAX, |l| {
        format!(
            "• {} — {}",
            day(l.logged_at.with_timezone(&caller.timezone).date_naive()),
            summary(program, l)
        )
    });
    Ok(Reply::new(format!(
        "Your practice this week ({}, {live} in live deals):\n{lines}",
        logs.len()
    )))
}

fn help(program: &Program) -> String {
    format!(
        "*/practice* — log a rep, in a role-play or a live deal.
• `{PRACTICE_EXAMPLE}`
• `/practice objections roleplay with @sam 3/5` — options in any order; role-play is the default
• `/practice list` — what you've logged this week{}
Skills:
{}",
        if program.opportunities.is_empty() {
            ""
        } else {
            "\n• `/practice discovery live deal:<opportunity id> notes` — ties it to one of your deals in the CRM"
        },
        practice::skill_list(&program.skills)
    )
}
