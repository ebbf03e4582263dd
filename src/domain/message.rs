//! The words of each scheduled message, tied to the recipient's own goals: their name, their
//! partner, the week's focus, their open commitments, the skill they practise least.

use super::commitment::{Commitment, truncate};

/// Placeholders a trigger's text may use.
pub const PLACEHOLDERS: &[&str] = &[
    "first_name",
    "partner",
    "pair",
    "week",
    "focus",
    "open_commitments",
    "least_practised_skill",
];

/// What is known about one recipient when their message is written.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub first_name: Option<String>,
    /// Slack ids of their partner(s) this week.
    pub partners: Vec<String>,
    /// Slack ids of everyone in a pair's group DM.
    pub pair: Vec<String>,
    pub program_week: Option<u32>,
    pub focus: Option<String>,
    pub open_commitments: Vec<Commitment>,
    pub least_practised_skill: Option<String>,
}

/// Open commitments shown inside a prompt: enough to remind, short enough for a phone.
const COMMITMENTS_SHOWN: usize = 3;

/// `template` with every `{placeholder}` filled in from `facts`.
pub fn fill(template: &str, facts: &Facts) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').map(|end| (&after[..end], end)) {
            Some((name, end)) if PLACEHOLDERS.contains(&name) => {
                out.push_str(&value(name, facts));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn value(name: &str, f: &Facts) -> String {
    match name {
        "first_name" => f.first_name.clone().unwrap_or_else(|| "there".into()),
        "partner" => mentions(&f.partners).unwrap_or_else(|| "your partner".into()),
        "pair" => mentions(&f.pair).unwrap_or_else(|| "partners".into()),
        "week" => f.program_week.map_or_else(|| "—".into(), |w| w.to_string()),
        "focus" => f
            .focus
            .clone()
            .unwrap_or_else(|| "keep the new habits going in live deals".into()),
        "open_commitments" => open_commitments(&f.open_commitments),
        "least_practised_skill" => f
            .least_practised_skill
            .clone()
            .unwrap_or_else(|| "any skill".into()),
        _ => String::new(),
    }
}

/// "<@A> and <@B>", "<@A>, <@B> and <@C>".
pub fn mentions(ids: &[String]) -> Option<String> {
    let tagged: Vec<String> = ids.iter().map(|id| format!("<@{id}>")).collect();
    match tagged.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [init @ .., last] => Some(format!("{} and {last}", init.join(", "))),
    }
}

fn open_commitments(list: &[Commitment]) -> String {
    if list.is_empty() {
        return "none yet".into();
    }
    let mut shown: Vec<String> = list
        .iter()
        .take(COMMITMENTS_SHOWN)
        .map(|c| format!("#{} {}", c.seq, truncate(&c.text, 80)))
        .collect();
    if list.len() > COMMITMENTS_SHOWN {
        shown.push(format!("and {} more", list.len() - COMMITMENTS_SHOWN));
    }
    shown.join("; ")
}

/// The placeholders in `template` that this bot does not know.
pub fn unknown_placeholders(template: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !PLACEHOLDERS.contains(&name)
                {
                    out.push(name.to_string());
                }
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// "Did you meet?", two working days after the check-in.
pub fn checkin_follow_up(pair: &[String]) -> String {
    format!(
        "{}: did your check-in happen this week? Log what you practised together with `/practice <skill> with @partner`; that counts as meeting.",
        mentions(pair).unwrap_or_else(|| "Partners".into())
    )
}

/// A pressure week: the rep's own plans, written in calmer times.
pub fn pressure(first_name: Option<&str>, plans: &[Commitment]) -> String {
    let name = first_name.unwrap_or("there");
    if plans.is_empty() {
        return format!(
            "Pressure week, {name}. Deals slip and forecasts tighten now, and old habits come back under pressure. Decide today what you'll do instead and write it down: `/commit pressure when a late-stage deal slips I will …`"
        );
    }
    let list: Vec<String> = plans
        .iter()
        .map(|p| format!("• {}", truncate(&p.text, 300)))
        .collect();
    format!(
        "Pressure week, {name}. You decided in advance how you'd handle moments like this:\n{}\nWhich one will you use this week? Share it with your partner for support.",
        list.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::commitment::{CommitmentKind, CommitmentStatus};

    fn commitment(seq: u32, text: &str) -> Commitment {
        Commitment {
            user_id: "U1".into(),
            seq,
            text: text.into(),
            target: None,
            due: None,
            kind: CommitmentKind::Performance,
            status: CommitmentStatus::Open,
            week: Some(1),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            done_at: None,
        }
    }

    #[test]
    fn placeholders_are_filled_from_the_recipients_own_facts() {
        let facts = Facts {
            first_name: Some("Dana".into()),
            partners: vec!["U0TAYLOR".into()],
            program_week: Some(2),
            focus: Some("Refinement".into()),
            open_commitments: (1..=5)
                .map(|i| commitment(i, &format!("goal {i}")))
                .collect(),
            least_practised_skill: Some("Objection handling".into()),
            ..Facts::default()
        };
        let text = fill(
            "Week {week}: {focus}. {first_name}, meet {partner}. Open: {open_commitments}. Try {least_practised_skill}. {unknown} {",
            &facts,
        );
        assert_eq!(
            text,
            "Week 2: Refinement. Dana, meet <@U0TAYLOR>. Open: #1 goal 1; #2 goal 2; #3 goal 3; and 2 more. Try Objection handling. {unknown} {"
        );
    }

    #[test]
    fn missing_facts_read_naturally() {
        let text = fill(
            "Hi {first_name}, {partner}: {open_commitments}, {focus}",
            &Facts::default(),
        );
        assert_eq!(
            text,
            "Hi there, your partner: none yet, keep the new habits going in live deals"
        );
    }

    #[test]
    fn pairs_and_trios_are_named() {
        assert_eq!(
            mentions(&["A".into(), "B".into(), "C".into()]).unwrap(),
            "<@A>, <@B> and <@C>"
        );
    }

    #[test]
    fn unknown_placeholders_are_found() {
        assert_eq!(
            unknown_placeholders("{first_name} {frist_name} {} {a b} {week"),
            ["frist_name"]
        );
    }

    #[test]
    fn pressure_week_brings_back_the_reps_own_plans() {
        let text = pressure(
            Some("Sam"),
            &[commitment(4, "when a deal slips I call the champion first")],
        );
        assert!(text.contains("• when a deal slips I call the champion first"));
        assert!(pressure(None, &[]).contains("/commit pressure"));
    }
}
