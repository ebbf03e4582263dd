//! `/commit`: record, list, close, edit and drop commitments.

use super::render::{capped, commitment_line, escape, unescape, week};
use super::{Caller, Refusal, Reply, grammar_reply, reply_from, roster_note};
use crate::domain::commitment::{
    self, CommitCommand, Commitment, CommitmentDraft, CommitmentInput, CommitmentKind,
    CommitmentStatus,
};
use crate::domain::program::Program;
use crate::domain::words::day;
use crate::store::Store;

const LIST_MAX: usize = 20;

pub async fn run(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    text: &str,
) -> anyhow::Result<Reply> {
    let command = match commitment::parse(text) {
        Ok(c) => c,
        Err(e) => return Ok(grammar_reply(e)),
    };
    match command {
        CommitCommand::Help => Ok(Reply::new(help(program))),
        CommitCommand::New(draft) => record(store, program, caller, draft).await,
        CommitCommand::List => list(store, caller).await,
        CommitCommand::Done(seq) => reply_from(
            close(store, caller, seq, CommitmentStatus::Done).await,
            |c| closed(&c),
        ),
        CommitCommand::Drop(seq) => reply_from(
            close(store, caller, seq, CommitmentStatus::Dropped).await,
            |c| closed(&c),
        ),
        CommitCommand::Edit(seq, draft) => edit(store, program, caller, seq, draft).await,
    }
}

fn input(
    program: &Program,
    caller: &Caller<'_>,
    draft: &CommitmentDraft,
    kind: CommitmentKind,
) -> CommitmentInput {
    let today = caller.today();
    CommitmentInput {
        text: unescape(&draft.text),
        target: draft.target.clone(),
        due: draft
            .due
            .map(|d| d.resolve(today, program.settings.end_of_week(today))),
        kind,
        week: program.settings.program_week(today),
    }
}

/// Records a commitment from its draft; the reply says what was understood.
pub async fn record(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    draft: CommitmentDraft,
) -> anyhow::Result<Reply> {
    let note = roster_note(caller);
    let input = input(program, caller, &draft, draft.kind_or_default());
    let c = store
        .add_commitment(caller.user_id, &input, caller.now)
        .await?;
    let mut text = format!(
        "Recorded: commitment #{} — {}\n{}",
        c.seq,
        escape(&c.text),
        details(program, &c)
    );
    if c.kind == CommitmentKind::Pressure {
        text.push_str(&pressure_note(program));
    }
    text.push_str(&format!(
        "\n`/commit done {}` when it's done · `/commit list` for all",
        c.seq
    ));
    if let Some(note) = note {
        text.push_str(&format!("\n{note}"));
    }
    Ok(Reply::new(text))
}

/// The recognised parts, so the rep can see at a glance what was understood.
fn details(program: &Program, c: &Commitment) -> String {
    let mut parts = Vec::new();
    if let Some(target) = &c.target {
        parts.push(format!("target {}", escape(&target.to_string())));
    }
    if let Some(due) = c.due {
        parts.push(format!("due {}", day(due)));
    }
    parts.push(c.kind.as_str().to_string());
    if let Some(w) = week(program, c.week) {
        parts.push(w);
    }
    format!("• {}", parts.join(" · "))
}

fn pressure_note(program: &Program) -> String {
    let weeks = &program.settings.pressure_weeks;
    match weeks.as_slice() {
        [] => "\nI'll keep it for when the pressure comes.".to_string(),
        _ => format!(
            "\nI'll bring it back to you in the pressure weeks ({}).",
            weeks
                .iter()
                .map(|w| format!("week {w}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

async fn list(store: &Store, caller: &Caller<'_>) -> anyhow::Result<Reply> {
    let open = store
        .commitments_with_status(caller.user_id, CommitmentStatus::Open)
        .await?;
    if open.is_empty() {
        return Ok(Reply::new(
            "You have no open commitments. Make one: `/commit 20 discovery calls by Friday`",
        ));
    }
    Ok(Reply::new(format!(
        "Your open commitments ({}):\n{}\n`/commit done <n>` · `/commit edit <n> <text>` · `/commit drop <n>`",
        open.len(),
        capped(&open, LIST_MAX, commitment_line)
    )))
}

/// Closes the caller's own commitment #`seq` as done or dropped: `/commit done 3`, and the
/// *Done* buttons under prompts and on the Home tab.
pub async fn close(
    store: &Store,
    caller: &Caller<'_>,
    seq: u32,
    to: CommitmentStatus,
) -> Result<Commitment, Refusal> {
    let Some(current) = store.commitment(caller.user_id, seq).await? else {
        return Err(Refusal::Declined(not_found(seq)));
    };
    if current.status == to {
        let when = current
            .done_at
            .unwrap_or(current.updated_at)
            .with_timezone(&caller.timezone)
            .date_naive();
        return Err(Refusal::Declined(format!(
            "#{seq} is already {} (since {}).",
            to.as_str(),
            day(when)
        )));
    }
    Ok(store
        .set_commitment_status(caller.user_id, seq, to, caller.now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("commitment #{seq} vanished while closing it"))?)
}

/// What `/commit done` and `/commit drop` say once it is closed.
fn closed(c: &Commitment) -> String {
    let seq = c.seq;
    match c.status {
        CommitmentStatus::Done => format!(
            "Done: #{seq} — {}. Nice work; that's the habit forming.",
            escape(&c.text)
        ),
        CommitmentStatus::Dropped => format!(
            "Dropped #{seq} — {}. `/commit` a new one when you're ready.",
            escape(&c.text)
        ),
        CommitmentStatus::Open => format!("Reopened #{seq} — {}.", escape(&c.text)),
    }
}

async fn edit(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    seq: u32,
    draft: CommitmentDraft,
) -> anyhow::Result<Reply> {
    let Some(current) = store.commitment(caller.user_id, seq).await? else {
        return Ok(Reply::new(not_found(seq)));
    };
    // An edit keeps a pressure plan a pressure plan unless the rep names another kind.
    let kind = draft.kind.unwrap_or(match current.kind {
        CommitmentKind::Pressure => CommitmentKind::Pressure,
        _ => draft.kind_or_default(),
    });
    let mut input = input(program, caller, &draft, kind);
    input.week = current.week;
    let c = store
        .edit_commitment(caller.user_id, seq, &input, caller.now)
        .await?
        .ok_or_else(|| anyhow::anyhow!("commitment #{seq} vanished while editing it"))?;
    Ok(Reply::new(format!(
        "Updated #{seq} — {}\n{}",
        escape(&c.text),
        details(program, &c)
    )))
}

fn not_found(seq: u32) -> String {
    format!("You have no commitment #{seq}. `/commit list` shows yours.")
}

fn help(program: &Program) -> String {
    let pressure = if program.settings.pressure_weeks.is_empty() {
        String::new()
    } else {
        format!(
            " (I'll resurface it in weeks {})",
            program
                .settings
                .pressure_weeks
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "*/commit* — say what you'll do, then do it.
• `/commit 20 discovery calls with the 4-question framework by Friday` — a number and a due day are picked up
• `/commit outcome $200k new pipeline by end of week` — also `performance` or `development`
• `/commit pressure when a late-stage deal slips I will…` — a plan for when the quarter gets tight{pressure}
• `/commit list` — your open commitments with their numbers
• `/commit done 3` · `/commit edit 3 25 calls by Thursday` · `/commit drop 3`"
    )
}
