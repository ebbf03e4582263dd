//! Clicks on the buttons under scheduled messages. A button's value names what it is about;
//! it is checked against the person who clicked, whatever the payload claims.

use chrono::{DateTime, Utc};

use crate::domain::message::{Action, PULSE_ANSWERS, mentions, parse_checkin_value};
use crate::domain::program::Program;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Click {
    /// Recorded: the line to add to the original message.
    Recorded(String),
    /// Not recorded: what to tell the person who clicked.
    Refused(String),
}

/// A check-in answered: only one of its members may answer it.
pub async fn answer_checkin(
    store: &Store,
    user: &str,
    action: Action,
    value: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Click> {
    let Some((members, due_at)) = parse_checkin_value(value) else {
        tracing::warn!(%user, "a check-in button arrived with a value we never send");
        return Ok(Click::Refused(
            "That button doesn't name a check-in I know; nothing was recorded.".into(),
        ));
    };
    if !members.iter().any(|m| m == user) {
        tracing::warn!(%user, "someone outside a pair tried to answer its check-in");
        return Ok(Click::Refused(format!(
            "This check-in belongs to {}; only they can answer it. Nothing was recorded.",
            mentions(&members).unwrap_or_default()
        )));
    }
    let Some(answer) = action.checkin_answer() else {
        return Ok(Click::Refused(
            "That button doesn't answer a check-in; nothing was recorded.".into(),
        ));
    };
    if !store.answer_checkin(&members, due_at, answer, now).await? {
        return Ok(Click::Refused(
            "I can't find that check-in any more; nothing was recorded.".into(),
        ));
    }
    Ok(Click::Recorded(format!(
        "*<@{user}>:* {} ✓",
        action.label()
    )))
}

/// "Share with the team" under a live deal's confirmation: the clicker's own practice logged at
/// that instant goes to the wins channel, so a forged value can share nobody else's.
pub async fn share_win(
    store: &Store,
    program: &Program,
    user: &str,
    value: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Click> {
    let Ok(logged_at) = value.parse::<i64>() else {
        return Ok(Click::Refused(
            "That button doesn't name a practice I know; nothing was shared.".into(),
        ));
    };
    let since = DateTime::from_timestamp_micros(logged_at).unwrap_or(now);
    let mine = store.practice_since(user, since).await?;
    let Some(entry) = mine
        .iter()
        .find(|p| p.logged_at.timestamp_micros() == logged_at)
    else {
        return Ok(Click::Refused(
            "That practice isn't one of yours; nothing was shared.".into(),
        ));
    };
    let said = super::practice::share_win(store, program, entry, now).await?;
    Ok(Click::Recorded(format!("*<@{user}>:* {said}")))
}

/// "Snooze until tomorrow": the prompt comes again in a day, to its own recipient only.
pub async fn snooze(
    store: &Store,
    user: &str,
    key: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<Click> {
    if !store
        .snooze(key, user, now, now + chrono::Duration::days(1))
        .await?
    {
        return Ok(Click::Refused(
            "That prompt isn't one of yours; nothing was snoozed.".into(),
        ));
    }
    Ok(Click::Recorded(format!(
        "*<@{user}>:* snoozed until tomorrow ⏰"
    )))
}

/// A pulse answered, by the rep it was sent to (the pulse names only a day and an answer);
/// the day must be one of the program's checkpoints, so a forged value records nothing.
pub async fn answer_pulse(
    store: &Store,
    user: &str,
    value: &str,
    checkpoint_days: &[u32],
    now: DateTime<Utc>,
) -> anyhow::Result<Click> {
    let parsed = value
        .split_once('|')
        .and_then(|(day, answer)| Some((day.parse::<u32>().ok()?, answer)));
    let Some((day, answer)) = parsed
        .filter(|(d, a)| checkpoint_days.contains(d) && PULSE_ANSWERS.iter().any(|(v, _)| v == a))
    else {
        return Ok(Click::Refused(
            "That button doesn't answer a pulse I know; nothing was recorded.".into(),
        ));
    };
    store.record_pulse(user, day, answer, now).await?;
    let label = PULSE_ANSWERS
        .iter()
        .find(|(v, _)| *v == answer)
        .map_or(answer, |(_, l)| l);
    Ok(Click::Recorded(format!("*<@{user}>:* {label} ✓")))
}
