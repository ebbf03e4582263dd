//! `/coach @rep [skill] <note>`: a manager records a coaching conversation with one of their
//! reps; the rep is told in a DM. Only the rep's own manager or an admin may.

use super::render::escape;
use super::{Caller, Reply, grammar_reply, notify_as};
use crate::domain::coached::{self, COACH_EXAMPLE, CoachCommand, Coaching, CoachingDraft};
use crate::domain::mrkdwn::quote;
use crate::domain::program::{Person, Program, Role};
use crate::domain::schedule::Source;
use crate::store::Store;

pub async fn run(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    text: &str,
) -> anyhow::Result<Reply> {
    match coached::parse(text, &program.skills) {
        Err(e) => Ok(grammar_reply(e)),
        Ok(CoachCommand::Help) => Ok(Reply::new(help())),
        Ok(CoachCommand::Log(draft)) => record(store, program, caller, draft).await,
    }
}

/// Records a coaching conversation from its draft (typed or from the form), if `caller` may
/// coach that rep, and DMs the rep what they were coached on.
pub async fn record(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    draft: CoachingDraft,
) -> anyhow::Result<Reply> {
    let rep = match may_coach(program, caller, &draft.rep_id) {
        Ok(rep) => rep,
        Err(why) => return Ok(Reply::new(why)),
    };
    let coaching = Coaching {
        manager_id: caller.user_id.to_string(),
        rep_id: rep.slack_id.clone(),
        skill_id: draft.skill_id,
        criterion: draft.criterion,
        note: draft.note,
        next_step: draft.next_step,
        coached_at: caller.now,
    };
    store.record_coaching(&coaching).await?;
    let on = about(program, &coaching);
    let mut told = format!(
        "*<@{}> coached you*{on}: “{}”",
        coaching.manager_id,
        quote(&coaching.note, 600)
    );
    if let Some(next) = &coaching.next_step {
        told.push_str(&format!("\nNext step: {}", escape(next)));
    }
    told.push_str("\nWhen you try it, log it with /practice.");
    let source = Source::Coached(format!(
        "{}:{}",
        coaching.rep_id,
        caller.now.timestamp_micros()
    ));
    notify_as(store, program, &coaching.rep_id, source, &told, caller.now).await?;
    Ok(Reply::new(format!(
        "Logged coaching with <@{}>{on}: “{}”. They get a DM with your note.",
        coaching.rep_id,
        quote(&coaching.note, 200)
    )))
}

/// A rep's latest coaching, for their Home: when, who, on what, the note and the next step.
pub fn latest_text(program: &Program, c: &Coaching, tz: chrono_tz::Tz) -> String {
    let mut text = format!(
        "*Your latest coaching* — {}, <@{}>{}: “{}”",
        crate::domain::words::day(c.coached_at.with_timezone(&tz).date_naive()),
        c.manager_id,
        about(program, c),
        quote(&c.note, 600)
    );
    if let Some(next) = &c.next_step {
        text.push_str(&format!("\nNext step: {}", escape(next)));
    }
    text
}

/// The rep `caller` may coach: only their own manager or an admin may. `Err` says why not.
pub fn may_coach<'p>(
    program: &'p Program,
    caller: &Caller<'_>,
    rep_id: &str,
) -> Result<&'p Person, String> {
    let Some(rep) = program.person(rep_id).filter(|p| p.role == Role::Rep) else {
        return Err(format!(
            "<@{rep_id}> is not a rep in this program's roster, so there is nobody to log coaching for. Nothing was saved."
        ));
    };
    let is_admin = caller.person.is_some_and(|p| p.role == Role::Admin);
    if rep.manager.as_deref() != Some(caller.user_id) && !is_admin {
        let manager = rep
            .manager
            .as_deref()
            .map_or_else(|| "their manager".to_string(), |m| format!("<@{m}>"));
        return Err(format!(
            "Only {manager}, <@{}>'s manager, or an admin can log coaching for them. Nothing was saved.",
            rep.slack_id
        ));
    }
    Ok(rep)
}

/// " on Discovery (Pain)", or nothing when no skill was named.
fn about(program: &Program, c: &Coaching) -> String {
    let skill = c.skill_id.as_deref().map(|id| {
        program
            .skills
            .iter()
            .find(|s| s.id == id)
            .map_or(id, |s| s.name.as_str())
    });
    match (skill, c.criterion.as_deref()) {
        (Some(s), Some(k)) => format!(" on {} ({})", escape(s), escape(k)),
        (Some(s), None) => format!(" on {}", escape(s)),
        (None, Some(k)) => format!(" on {}", escape(k)),
        (None, None) => String::new(),
    }
}

fn help() -> String {
    format!(
        "*/coach* — log a coaching conversation with one of your reps; they get a DM with your note.
• `{COACH_EXAMPLE}`
• a skill after the rep is optional; `next:` starts the next step
• `/coach` alone opens a form"
    )
}
