//! The `/commit` and `/practice` forms as Slack modals, and reading what was filled in.
//! Views are written as Block Kit JSON and checked against slack-morphism's types.

use chrono::NaiveDate;
use serde_json::{Value, json};
use slack_morphism::prelude::*;

use crate::domain::forms::{CommitForm, PracticeForm};
use crate::domain::message::MENU_OPTIONS;
use crate::domain::program::{Opportunity, Program, Skill};
use crate::domain::pulse::{HIGHEST, LOWEST};

pub const COMMIT_FORM: &str = "commit_form";
pub const PRACTICE_FORM: &str = "practice_form";
pub const CONFIDENCE_FORM: &str = "confidence_form";
pub const COACH_FORM: &str = "coach_form";
/// The practice form's skill picker: changing it shows that skill's rubric.
pub const SKILL_PICKER: &str = "practice_skill";

fn view(value: Value) -> SlackView {
    serde_json::from_value(value).expect("the forms are valid Block Kit")
}

fn option(value: &str, label: &str) -> Value {
    json!({ "text": { "type": "plain_text", "text": crate::domain::commitment::truncate(label, 74) }, "value": value })
}

fn input(block_id: &str, label: &str, optional: bool, element: Value) -> Value {
    json!({ "type": "input", "block_id": block_id, "optional": optional, "label": { "type": "plain_text", "text": label }, "element": element })
}

pub fn commit_view() -> SlackView {
    let kinds: Vec<Value> = [
        ("performance", "Performance — an activity (calls, meetings)"),
        ("outcome", "Outcome — a result (pipeline, revenue)"),
        ("development", "Development — a skill to build"),
        (
            "pressure",
            "Pressure plan — what I'll do when it gets tight",
        ),
    ]
    .iter()
    .map(|(v, l)| option(v, l))
    .collect();
    view(json!({
        "type": "modal",
        "callback_id": COMMIT_FORM,
        "title": { "type": "plain_text", "text": "New commitment" },
        "submit": { "type": "plain_text", "text": "Commit" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": [
            input("text", "What will you do?", false, json!({ "type": "plain_text_input", "action_id": "value", "multiline": true, "max_length": 1000,
                "placeholder": { "type": "plain_text", "text": "20 discovery calls with the 4-question pain framework" } })),
            input("target_number", "Target (a number)", true, json!({ "type": "number_input", "action_id": "value", "is_decimal_allowed": true })),
            input("target_unit", "Unit", true, json!({ "type": "plain_text_input", "action_id": "value", "placeholder": { "type": "plain_text", "text": "discovery calls" } })),
            input("due", "Due", true, json!({ "type": "datepicker", "action_id": "value" })),
            input("kind", "Kind", false, json!({ "type": "static_select", "action_id": "value", "options": kinds.clone(), "initial_option": kinds[0] })),
        ]
    }))
}

/// The practice form, showing the rubric of `skill` (the first skill when none is picked) and,
/// when the rep has open opportunities, a menu of them (newest first) to tie it to.
pub fn practice_view(program: &Program, skill: Option<&str>, deals: &[&Opportunity]) -> SlackView {
    let skills: Vec<Value> = program
        .skills
        .iter()
        .map(|s| option(&s.id, &s.name))
        .collect();
    let chosen: Option<&Skill> = skill
        .and_then(|id| program.skills.iter().find(|s| s.id == id))
        .or(program.skills.first());
    let mut picker =
        json!({ "type": "static_select", "action_id": SKILL_PICKER, "options": skills });
    if let Some(s) = chosen {
        picker["initial_option"] = option(&s.id, &s.name);
    }
    let mut skill_block = input("skill", "Skill", false, picker);
    skill_block["dispatch_action"] = json!(true);
    let contexts = [option("roleplay", "Role-play"), option("live", "Live deal")];
    let mut blocks = vec![
        skill_block,
        input(
            "context",
            "Where",
            false,
            json!({ "type": "radio_buttons", "action_id": "value", "options": contexts.clone(), "initial_option": contexts[0] }),
        ),
        input(
            "partner",
            "With",
            true,
            json!({ "type": "users_select", "action_id": "value" }),
        ),
    ];
    // An id longer than Slack's 150-character option value cannot be offered; `deal:` can.
    let deals: Vec<Value> = deals
        .iter()
        .filter(|d| d.id.len() <= 150)
        .take(MENU_OPTIONS)
        .map(|d| option(&d.id, &d.name))
        .collect();
    if !deals.is_empty() {
        let mut block = input(
            "deal",
            "Deal",
            true,
            json!({ "type": "static_select", "action_id": "value", "options": deals }),
        );
        block["hint"] = json!({ "type": "plain_text", "text": "Your open opportunities in the CRM; a deal picked makes it a live-deal application." });
        blocks.push(block);
    }
    let scores: Vec<Value> = (1..=5)
        .map(|n| option(&n.to_string(), &n.to_string()))
        .collect();
    for (i, c) in chosen
        .map(|s| s.rubric.as_slice())
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let mut block = input(
            &format!("score_{i}"),
            &crate::domain::commitment::truncate(&c.criterion, 140),
            true,
            json!({ "type": "static_select", "action_id": "value", "options": scores }),
        );
        block["hint"] = json!({ "type": "plain_text", "text": crate::domain::commitment::truncate(&format!("5 = {}", c.good), 140) });
        blocks.push(block);
    }
    blocks.push(input("notes", "Notes", true, json!({ "type": "plain_text_input", "action_id": "value", "multiline": true, "max_length": 1000 })));
    view(json!({
        "type": "modal",
        "callback_id": PRACTICE_FORM,
        "private_metadata": chosen.map(|s| s.id.clone()).unwrap_or_default(),
        "title": { "type": "plain_text", "text": "Log practice" },
        "submit": { "type": "plain_text", "text": "Log it" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": blocks
    }))
}

/// The coaching form: the rep, skill, rubric criterion, note and next step; `rep` and
/// `criterion` filled in when it was opened from a digest.
pub fn coach_view(program: &Program, rep: Option<&str>, criterion: Option<&str>) -> SlackView {
    let mut who = json!({ "type": "users_select", "action_id": "value" });
    if let Some(rep) = rep {
        who["initial_user"] = json!(rep);
    }
    let skills: Vec<Value> = program
        .skills
        .iter()
        .map(|s| option(&s.id, &s.name))
        .collect();
    let mut skill = json!({ "type": "static_select", "action_id": "value", "options": skills });
    let criteria: Vec<(String, Value)> = program
        .skills
        .iter()
        .flat_map(|s| {
            s.rubric.iter().map(move |c| {
                let value = format!("{}|{}", s.id, c.criterion);
                (
                    c.criterion.clone(),
                    option(&value, &format!("{} — {}", s.name, c.criterion)),
                )
            })
        })
        .collect();
    let mut criterion_select = json!({ "type": "static_select", "action_id": "value",
        "options": criteria.iter().map(|(_, o)| o.clone()).collect::<Vec<_>>() });
    if let Some((_, picked)) = criteria
        .iter()
        .find(|(name, _)| Some(name.as_str()) == criterion)
    {
        criterion_select["initial_option"] = picked.clone();
        let skill_id = picked["value"]
            .as_str()
            .unwrap_or_default()
            .split('|')
            .next()
            .unwrap_or_default();
        if let Some(s) = program.skills.iter().find(|s| s.id == skill_id) {
            skill["initial_option"] = option(&s.id, &s.name);
        }
    }
    let mut blocks = vec![
        input("rep", "Rep", false, who),
        input("skill", "Skill", true, skill),
    ];
    if !criteria.is_empty() {
        blocks.push(input(
            "criterion",
            "Rubric criterion",
            true,
            criterion_select,
        ));
    }
    blocks.push(input("note", "What you coached (the rep reads this)", false, json!({ "type": "plain_text_input", "action_id": "value", "multiline": true, "max_length": 1000 })));
    blocks.push(input(
        "next_step",
        "Next step",
        true,
        json!({ "type": "plain_text_input", "action_id": "value", "max_length": 300 }),
    ));
    view(json!({
        "type": "modal",
        "callback_id": COACH_FORM,
        "title": { "type": "plain_text", "text": "Log coaching" },
        "submit": { "type": "plain_text", "text": "Log it" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": blocks
    }))
}

/// What the coaching form holds: rep, skill, criterion (`skill|criterion`), note, next step.
pub fn coach_form(view: &SlackStatefulView) -> [Option<String>; 5] {
    let mut v = values(view);
    ["rep", "skill", "criterion", "note", "next_step"].map(|k| v.remove(k))
}

/// "Rate my skills" at the day-`day` checkpoint: one 1–10 select per skill, each optional.
pub fn confidence_view(program: &Program, day: u32) -> SlackView {
    let scale: Vec<Value> = (LOWEST..=HIGHEST)
        .map(|n| option(&n.to_string(), &n.to_string()))
        .collect();
    let mut blocks = vec![json!({ "type": "section", "text": { "type": "mrkdwn",
        "text": "How confident are you in each skill today? 1 = new to you, 10 = second nature. Your manager sees the team's average beside its practice scores, never your answer alone." } })];
    blocks.extend(program.skills.iter().map(|s| {
        input(
            &s.id,
            &crate::domain::commitment::truncate(&s.name, 140),
            true,
            json!({ "type": "static_select", "action_id": "value", "options": scale }),
        )
    }));
    view(json!({
        "type": "modal",
        "callback_id": CONFIDENCE_FORM,
        "private_metadata": day.to_string(),
        "title": { "type": "plain_text", "text": format!("Day {day}: my skills") },
        "submit": { "type": "plain_text", "text": "Save" },
        "close": { "type": "plain_text", "text": "Cancel" },
        "blocks": blocks
    }))
}

/// What the confidence form holds: its checkpoint day, and each skill's pick.
pub fn confidence_form(
    view: &SlackStatefulView,
    program: &Program,
) -> (Option<u32>, Vec<(String, Option<String>)>) {
    let mut v = values(view);
    let day = match &view.view {
        SlackView::Modal(m) => m.private_metadata.as_ref().and_then(|d| d.parse().ok()),
        SlackView::Home(_) => None,
    };
    let picked = program
        .skills
        .iter()
        .map(|s| (s.id.clone(), v.remove(&s.id)))
        .collect();
    (day, picked)
}

/// The submitted values, by block id: the text, date, option value or user picked.
fn values(view: &SlackStatefulView) -> std::collections::HashMap<String, String> {
    let mut out = std::collections::HashMap::new();
    let Some(state) = &view.state_params.state else {
        return out;
    };
    let Ok(state) = serde_json::to_value(state) else {
        return out;
    };
    for (block, actions) in state["values"].as_object().into_iter().flatten() {
        for (_, v) in actions.as_object().into_iter().flatten() {
            let picked = v["value"]
                .as_str()
                .or_else(|| v["selected_date"].as_str())
                .or_else(|| v["selected_user"].as_str())
                .or_else(|| v["selected_option"]["value"].as_str());
            if let Some(p) = picked {
                out.insert(block.clone(), p.to_string());
            }
        }
    }
    out
}

pub fn commit_form(view: &SlackStatefulView) -> CommitForm {
    let mut v = values(view);
    CommitForm {
        text: v.remove("text"),
        target_number: v.remove("target_number"),
        target_unit: v.remove("target_unit"),
        due: v
            .remove("due")
            .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
        kind: v.remove("kind"),
    }
}

pub fn practice_form(view: &SlackStatefulView, program: &Program) -> PracticeForm {
    let mut v = values(view);
    let skill = v.remove("skill");
    let criteria = skill
        .as_deref()
        .and_then(|id| program.skills.iter().find(|s| s.id == id))
        .map(|s| s.rubric.as_slice())
        .unwrap_or_default();
    PracticeForm {
        scores: criteria
            .iter()
            .enumerate()
            .map(|(i, c)| (c.criterion.clone(), v.remove(&format!("score_{i}"))))
            .collect(),
        skill,
        context: v.remove("context"),
        partner: v.remove("partner"),
        notes: v.remove("notes"),
        deal: v.remove("deal"),
    }
}

/// The `errors` answer that shows each problem beside its field.
pub fn errors(fields: Vec<(String, String)>) -> SlackInteractionResponse {
    let errors = fields.into_iter().collect();
    SlackInteractionResponse::ViewSubmission(SlackViewSubmissionResponse::Errors(
        SlackViewSubmissionErrorsResponse::new(errors),
    ))
}
