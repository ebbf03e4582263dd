//! The App Home tab: where a rep sees their week at a glance.

use chrono::{DateTime, Utc};
use slack_morphism::prelude::*;

use crate::domain::commitment::CommitmentStatus;
use crate::domain::program::Program;
use crate::store::Store;

/// Slack allows 100 blocks in a view; commitments get a share of that.
const MAX_COMMITMENTS: usize = 20;

pub async fn build(
    store: &Store,
    program: &Program,
    user_id: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<SlackHomeView> {
    let person = program.person(user_id);
    let tz = person
        .and_then(|p| p.timezone)
        .unwrap_or(program.settings.timezone);
    let today = now.with_timezone(&tz).date_naive();
    let week = match program.settings.program_week(today) {
        Some(w) => match program.sprint(w) {
            Some(s) => format!("*Week {w} — {}*\n{}", s.focus, s.summary),
            None => format!("*Week {w}* of the program"),
        },
        None if today < program.settings.kickoff => {
            format!("The program starts on {}.", program.settings.kickoff)
        }
        None => "The program has ended. Keep the habits going.".to_string(),
    };
    let open = store
        .commitments_with_status(user_id, CommitmentStatus::Open)
        .await?;
    let commitments = if open.is_empty() {
        "No open commitments. `/commit 20 discovery calls by Friday` makes one.".to_string()
    } else {
        let mut lines: Vec<String> = open
            .iter()
            .take(MAX_COMMITMENTS)
            .map(|c| format!("• #{} {}", c.seq, c.text))
            .collect();
        if open.len() > MAX_COMMITMENTS {
            lines.push(format!(
                "…and {} more (`/commit list`)",
                open.len() - MAX_COMMITMENTS
            ));
        }
        lines.join("\n")
    };
    let mut blocks: Vec<SlackBlock> = vec![
        SlackHeaderBlock::new(SlackBlockPlainTextOnly::from(truncate(
            &program.settings.name,
            150,
        )))
        .into(),
        section(&week),
        SlackDividerBlock::new().into(),
        section(&format!(
            "*Your open commitments*\n{}",
            truncate(&commitments, 3_000 - 30)
        )),
    ];
    if person.is_none() {
        blocks.push(section(
            "_You're not in this program's roster yet; ask your enablement admin to add you._",
        ));
    }
    Ok(SlackHomeView::new(blocks))
}

fn section(text: &str) -> SlackBlock {
    SlackSectionBlock::new().with_text(md!("{}", text)).into()
}

fn truncate(text: &str, max: usize) -> String {
    crate::domain::commitment::truncate(text, max.saturating_sub(1))
}
