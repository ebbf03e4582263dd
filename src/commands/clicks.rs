//! Clicks on the buttons under scheduled messages and on the Home tab. A button's value names
//! what it is about; it is parsed here, once, and checked against the person who clicked,
//! whatever the payload claims. Each click calls the same operation its typed command does.
//! `Ok` is the line added to the message clicked in.

use chrono::{DateTime, Utc};

use super::{Caller, Refusal, Reply};
use crate::domain::commitment::CommitmentStatus;
use crate::domain::message::{Action, PULSE_ANSWERS, mentions, parse_checkin_value};
use crate::domain::program::Program;
use crate::domain::sko::PauseSpec;
use crate::store::{Answered, Snoozed, Store};

/// What the Home tab's *Pause* button asks for.
pub const PAUSE_DAYS: i64 = 7;

/// *Done #n*, under a prompt or on the Home tab: closes the clicker's own commitment #n.
pub async fn done(store: &Store, caller: &Caller<'_>, value: &str) -> Result<String, Refusal> {
    let seq: u32 = value.trim().parse().map_err(|_| {
        Refusal::declined("That button doesn't name a commitment I know; nothing was closed.")
    })?;
    super::commit::close(store, caller, seq, CommitmentStatus::Done).await?;
    Ok(format!("*<@{}>:* Done #{seq} ✓", caller.user_id))
}

/// *Pause* on the Home tab: a week away, as `/sko pause for 1 week`.
pub async fn pause_week(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
) -> Result<String, Refusal> {
    let back = super::sko::pause(store, program, caller, PauseSpec::Days(PAUSE_DAYS)).await?;
    Ok(format!("*<@{}>:* paused until {back}", caller.user_id))
}

/// A check-in answered: only one of its members may answer it; a different answer replaces
/// it, the same one twice is recorded once.
pub async fn answer_checkin(
    store: &Store,
    user: &str,
    action: Action,
    value: &str,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    let Some((members, due_at)) = parse_checkin_value(value) else {
        tracing::warn!(%user, "a check-in button arrived with a value we never send");
        return Err(Refusal::declined(
            "That button doesn't name a check-in I know; nothing was recorded.",
        ));
    };
    if !members.iter().any(|m| m == user) {
        tracing::warn!(%user, "someone outside a pair tried to answer its check-in");
        return Err(Refusal::Declined(format!(
            "This check-in belongs to {}; only they can answer it. Nothing was recorded.",
            mentions(&members).unwrap_or_default()
        )));
    }
    let Some(answer) = action.checkin_answer() else {
        return Err(Refusal::declined(
            "That button doesn't answer a check-in; nothing was recorded.",
        ));
    };
    match store.answer_checkin(&members, due_at, answer, now).await? {
        Answered::Recorded => Ok(format!("*<@{user}>:* {} ✓", action.label())),
        Answered::Already => Err(Refusal::Declined(format!(
            "Already recorded: {}.",
            action.label()
        ))),
        Answered::NoSuchCheckin => Err(Refusal::declined(
            "I can't find that check-in any more; nothing was recorded.",
        )),
    }
}

/// "Share with the team" under a live deal's confirmation: the clicker's own practice logged at
/// that instant goes to the wins channel, so a forged value can share nobody else's.
pub async fn share_win(
    store: &Store,
    program: &Program,
    user: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    let Ok(logged_at) = value.parse::<i64>() else {
        return Err(Refusal::declined(
            "That button doesn't name a practice I know; nothing was shared.",
        ));
    };
    let since = DateTime::from_timestamp_micros(logged_at).unwrap_or(now);
    let mine = store.practice_since(user, since).await?;
    let Some(entry) = mine
        .iter()
        .find(|p| p.logged_at.timestamp_micros() == logged_at)
    else {
        return Err(Refusal::declined(
            "That practice isn't one of yours; nothing was shared.",
        ));
    };
    let said = super::practice::share_win(store, program, entry, now).await?;
    Ok(format!("*<@{user}>:* {said}"))
}

/// "Snooze until tomorrow": the prompt comes again in a day, to its own recipient only, and
/// once however often it is clicked.
pub async fn snooze(
    store: &Store,
    user: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    match store
        .snooze(key, user, now, now + chrono::Duration::days(1))
        .await?
    {
        Snoozed::Queued => Ok(format!("*<@{user}>:* snoozed until tomorrow ⏰")),
        Snoozed::Already => Err(Refusal::declined(
            "Already snoozed: it comes back once, tomorrow.",
        )),
        Snoozed::NotTheirs => Err(Refusal::declined(
            "That prompt isn't one of yours; nothing was snoozed.",
        )),
    }
}

/// A pulse answered, by the rep it was sent to (the pulse names only a day and an answer);
/// the day must be one of the program's checkpoints, so a forged value records nothing.
pub async fn answer_pulse(
    store: &Store,
    program: &Program,
    user: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<String, Refusal> {
    let parsed = value
        .split_once('|')
        .and_then(|(day, answer)| Some((day.parse::<u32>().ok()?, answer)));
    let checkpoint = |day: &u32| program.checkpoints.iter().any(|c| c.day == *day);
    let Some((day, answer)) =
        parsed.filter(|(d, a)| checkpoint(d) && PULSE_ANSWERS.iter().any(|(v, _)| v == a))
    else {
        return Err(Refusal::declined(
            "That button doesn't answer a pulse I know; nothing was recorded.",
        ));
    };
    let label = PULSE_ANSWERS
        .iter()
        .find(|(v, _)| *v == answer)
        .map_or(answer, |(_, l)| l);
    if !store.record_pulse(user, day, answer, now).await? {
        return Err(Refusal::Declined(format!("Already recorded: {label}.")));
    }
    Ok(format!("*<@{user}>:* {label} ✓"))
}

/// The "Rate my skills" form of the day-`day` checkpoint: a rep's confidence in each skill
/// they rated, all recorded or none. A day that is no checkpoint records nothing.
pub async fn rate_skills(
    store: &Store,
    program: &Program,
    caller: &Caller<'_>,
    day: u32,
    ratings: &[(String, u8)],
) -> anyhow::Result<Reply> {
    if !program.checkpoints.iter().any(|c| c.day == day) {
        return Ok(Reply::new(format!(
            "Day {day} is no checkpoint of this program; nothing was recorded."
        )));
    }
    store
        .record_confidence(caller.user_id, day, ratings, caller.now)
        .await?;
    let named: Vec<String> = ratings
        .iter()
        .map(|(id, value)| {
            let name = program.skills.iter().find(|s| &s.id == id);
            format!("{} {value}", name.map_or(id.as_str(), |s| s.name.as_str()))
        })
        .collect();
    Ok(Reply::new(format!(
        "Saved your confidence at day {day}: {}. Thank you; it is asked again at the next checkpoint.",
        named.join(" · ")
    )))
}
