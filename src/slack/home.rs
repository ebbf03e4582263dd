//! The App Home tab drawn as Block Kit, from what `commands::home` says it shows: a rep's week
//! with one-click buttons, a manager's team, an admin's delivery health. At most 100 blocks,
//! as Slack allows.

use slack_morphism::prelude::*;

use super::blocks::sections;
use crate::commands::clicks::PAUSE_DAYS;
use crate::commands::home::HomeView;
use crate::commands::render::escape;
use crate::domain::commitment::truncate;
use crate::domain::message::Action;

const VIEW_BLOCKS: usize = 100;
/// Commitments shown with a Done button; the rest are counted.
const COMMITMENTS_SHOWN: usize = 20;
/// Sections for the team's lines; a team of 60 fits.
const TEAM_SECTIONS: usize = 20;

/// The tab for `view`, with a link to the web report at `report_url` when it is on.
pub fn draw(view: &HomeView, report_url: Option<&str>) -> SlackHomeView {
    let mut blocks: Vec<SlackBlock> =
        vec![SlackHeaderBlock::new(pt!(truncate(&view.title, 140))).into()];
    if !view.in_roster {
        blocks.push(section("_You're not in this program's roster yet, so no prompts or partner will reach you. Ask your enablement admin to add you._"));
    }
    blocks.push(section(&view.status));
    blocks.push(actions(vec![if view.paused {
        button(Action::Resume, "")
    } else {
        button(Action::PauseWeek, &PAUSE_DAYS.to_string())
    }]));

    if let Some(coaching) = &view.coaching {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(section(coaching));
    }

    let open = &view.open;
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
    if let Some(team) = &view.team {
        blocks.push(SlackDividerBlock::new().into());
        blocks.extend(
            sections(team, TEAM_SECTIONS)
                .into_iter()
                .map(|t| section(&t)),
        );
    }
    if let Some(delivery) = &view.delivery {
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(section(delivery));
    }
    if let Some(roster) = &view.roster {
        blocks.push(section(roster));
    }
    if let Some(url) = report_url {
        blocks.truncate(VIEW_BLOCKS - 2);
        blocks.push(SlackDividerBlock::new().into());
        blocks.push(section(&format!(
            "<{url}|Open the report on the web> — your figures and history, behind Sign in with Slack"
        )));
    }
    blocks.truncate(VIEW_BLOCKS);
    SlackHomeView::new(blocks)
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
