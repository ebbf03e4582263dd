//! Answers to the check-in buttons. The button's value names the check-in; only one of its
//! members may answer it, whatever the payload claims.

use chrono::{DateTime, Utc};

use crate::domain::message::{Action, mentions, parse_checkin_value};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Click {
    /// Recorded: the line to add to the original message.
    Recorded(String),
    /// Not recorded: what to tell the person who clicked.
    Refused(String),
}

pub async fn answer(
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
