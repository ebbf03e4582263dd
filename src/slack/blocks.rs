//! Block Kit for scheduled messages, within Slack's limits: a section holds at most 3,000
//! characters and a message at most 50 blocks, so long texts are split on line breaks and
//! what cannot fit ends in "…and N more lines" rather than an error.

use slack_morphism::prelude::*;

use crate::domain::message::{Button, Menu, Message};

const SECTION_CHARS: usize = 3_000;
const MESSAGE_BLOCKS: usize = 50;

pub fn message_blocks(message: &Message) -> Vec<SlackBlock> {
    let mut elements: Vec<SlackActionBlockElement> = message.buttons.iter().map(button).collect();
    elements.extend(message.menu.as_ref().map(menu));
    let room = MESSAGE_BLOCKS - usize::from(!elements.is_empty());
    let mut blocks: Vec<SlackBlock> = sections(&message.text, room)
        .into_iter()
        .map(section)
        .collect();
    if !elements.is_empty() {
        blocks.push(SlackActionsBlock::new(elements).into());
    }
    blocks
}

/// A command's ephemeral answer: its text, and its buttons when it offers any.
pub fn reply_content(reply: &crate::commands::Reply) -> SlackMessageContent {
    let content = SlackMessageContent::new().with_text(reply.text.clone());
    if reply.buttons.is_empty() {
        return content;
    }
    content.with_blocks(message_blocks(&Message::with_buttons(
        reply.text.clone(),
        reply.buttons.clone(),
    )))
}

fn section(text: String) -> SlackBlock {
    SlackSectionBlock::new().with_text(md!("{}", text)).into()
}

fn button(b: &Button) -> SlackActionBlockElement {
    SlackActionBlockElement::Button(
        SlackBlockButtonElement::new(pt!(b.label()))
            .with_action_id(b.action.id().into())
            .with_value(b.value.clone()),
    )
}

/// The buttons that did not fit, as one select menu under the same action.
fn menu(menu: &Menu) -> SlackActionBlockElement {
    let options = menu
        .options
        .iter()
        .map(|b| SlackBlockChoiceItem::new(pt!(b.label()), b.value.clone()))
        .collect();
    let action = menu.options.first().map_or("", |b| b.action.id());
    SlackActionBlockElement::StaticSelect(
        SlackBlockStaticSelectElement::new()
            .with_action_id(action.into())
            .with_placeholder(pt!(menu.prompt))
            .with_options(options),
    )
}

/// `text` in chunks of whole lines that each fit a section, at most `max` of them.
pub fn sections(text: &str, max: usize) -> Vec<String> {
    let mut chunks: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        // A single line longer than a section is cut; Slack would refuse it whole.
        let line = crate::domain::commitment::truncate(line, SECTION_CHARS - 1);
        if !current.is_empty() && current.chars().count() + 1 + line.chars().count() > SECTION_CHARS
        {
            chunks.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    if chunks.len() > max {
        let dropped: usize = chunks[max - 1..].iter().map(|c| c.lines().count()).sum();
        chunks.truncate(max - 1);
        chunks.push(format!("…and {dropped} more lines"));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reps_past_the_buttons_are_one_menu_with_values_slack_keeps() {
        use crate::domain::message::{Action, MENU_OPTIONS, coaching_value};
        let coach = |i: usize| Button {
            action: Action::LogCoaching,
            value: coaching_value(
                &format!("U0REP{i:04}"),
                &"Bartholomew-Maximilian".repeat(4),
                Some(&"asks_about_business_impact".repeat(6)),
            ),
        };
        let message = Message {
            text: "digest".into(),
            buttons: (0..3).map(coach).collect(),
            menu: Some(Menu {
                prompt: "Log coaching for…",
                options: (3..MENU_OPTIONS + 3).map(coach).collect(),
            }),
        };
        let blocks = serde_json::to_value(message_blocks(&message)).unwrap();
        let elements = blocks[1]["elements"].as_array().unwrap();
        assert_eq!(elements.len(), 4, "three buttons and the menu");
        let menu = &elements[3];
        assert_eq!(menu["type"], "static_select");
        assert_eq!(menu["action_id"], "log_coaching");
        let options = menu["options"].as_array().unwrap();
        assert_eq!(options.len(), MENU_OPTIONS);
        for o in options.iter().chain(elements[..3].iter()) {
            assert!(o["value"].as_str().unwrap().chars().count() <= 150, "{o}");
            assert!(
                o["text"]["text"].as_str().unwrap().chars().count() <= 75,
                "{o}"
            );
        }
        assert!(
            options[0]["value"]
                .as_str()
                .unwrap()
                .starts_with("U0REP0003|")
        );
    }

    #[test]
    fn a_digest_for_sixty_reps_fits_in_one_message() {
        let digest: String = (0..60).map(|i| format!("\n<@U0REP{i:04}> — commitments 3 made · 2 done · 1 open\nPractice 5 (3 live, 2 role-play): Discovery 3, Objection handling 2 · rubric 3.0 → 3.5 ↑\nCheck-ins 1/1 · active today\nCoach next: Objection handling (rubric 2.5/5)\n")).collect();
        let chunks = sections(&digest, MESSAGE_BLOCKS);
        assert!(chunks.len() > 1, "split over several sections");
        assert!(chunks.iter().all(|c| c.chars().count() <= SECTION_CHARS));
        let content = |t: &str| {
            t.lines()
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            content(&chunks.join("\n")),
            content(&digest),
            "every line kept, in order"
        );
    }

    #[test]
    fn what_cannot_fit_says_how_much_more_there_is() {
        let huge: String = (0..20_000)
            .map(|i| format!("line {i} {}\n", "x".repeat(50)))
            .collect();
        let chunks = sections(&huge, 50);
        assert_eq!(chunks.len(), 50);
        assert!(
            chunks.last().unwrap().starts_with("…and ")
                && chunks.last().unwrap().ends_with(" more lines")
        );
        let blocks = message_blocks(&Message::with_buttons(
            huge,
            crate::domain::message::checkin_buttons("U0A+U0B|2027-01-12T15:00:00Z"),
        ));
        assert_eq!(blocks.len(), 50, "49 sections and the buttons");
        let long_line = "y".repeat(10_000);
        assert!(sections(&long_line, 50)[0].chars().count() <= SECTION_CHARS);
    }
}
