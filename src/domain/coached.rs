//! Coaching conversations a manager had with a rep: who, whom, when, on what, the note the rep
//! reads and the next step. What closes the loop from the digest's "coach next" to "coached".

use chrono::{DateTime, Utc};

use super::mention::{self, Mention};
use super::practice::{SkillMatch, match_skill};
use super::program::Skill;
use super::{GrammarError, MAX_TEXT_CHARS};

pub const COACH_EXAMPLE: &str =
    "/coach @dana discovery asked two pain questions before pitching; next: quantify the impact";

/// A coaching conversation as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coaching {
    pub manager_id: String,
    pub rep_id: String,
    pub skill_id: Option<String>,
    pub criterion: Option<String>,
    pub note: String,
    pub next_step: Option<String>,
    pub coached_at: DateTime<Utc>,
}

/// A conversation to record, checked but not yet kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachingDraft {
    pub rep_id: String,
    pub skill_id: Option<String>,
    pub criterion: Option<String>,
    pub note: String,
    pub next_step: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoachCommand {
    Help,
    Log(CoachingDraft),
}

/// `/coach @rep [skill] <note>`: the rep first (picked from Slack's list), a skill if the next
/// words name one (matched as `/practice` matches it), then the note; `next:` starts the next
/// step.
pub fn parse(text: &str, skills: &[Skill]) -> Result<CoachCommand, GrammarError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(GrammarError::new(
            format!("That is {chars} characters; keep a coaching note under {MAX_TEXT_CHARS}."),
            COACH_EXAMPLE,
        ));
    }
    let mut words = text.split_whitespace();
    let rep_id = match words.next() {
        None => return Ok(CoachCommand::Help),
        Some(w) if matches!(w.to_lowercase().as_str(), "help" | "?") => {
            return Ok(CoachCommand::Help);
        }
        Some(w) => match mention::parse(w) {
            Some(Mention::User(id)) => id,
            Some(Mention::Unresolved(name)) => {
                return Err(GrammarError::new(
                    format!(
                        "I couldn't tell who @{name} is. Type @ and pick them from Slack's list so the name turns into a link."
                    ),
                    COACH_EXAMPLE,
                ));
            }
            _ => {
                return Err(GrammarError::new(
                    "Start with the rep you coached, picked from Slack's list.",
                    COACH_EXAMPLE,
                ));
            }
        },
    };
    let rest: Vec<&str> = words.collect();
    // The longest run of up to three words that names one skill, if the note starts with one.
    let (skill_id, used) = (1..=rest.len().min(3))
        .rev()
        .find_map(|n| match match_skill(&rest[..n].join(" "), skills) {
            SkillMatch::One(skill) => Some((Some(skill.id.clone()), n)),
            _ => None,
        })
        .unwrap_or((None, 0));
    let said = rest[used..].join(" ");
    let (note, next_step) = match said.split_once("next:") {
        Some((note, next)) => (note.trim(), Some(next.trim()).filter(|n| !n.is_empty())),
        None => (said.trim(), None),
    };
    let note = note.trim_end_matches([';', ',', '.']).trim();
    if note.is_empty() {
        return Err(GrammarError::new(
            "Add what you coached: the note is what the rep reads.",
            COACH_EXAMPLE,
        ));
    }
    Ok(CoachCommand::Log(CoachingDraft {
        rep_id,
        skill_id,
        criterion: None,
        note: note.to_string(),
        next_step: next_step.map(str::to_string),
    }))
}

/// Reads the coaching form (rep, skill, `skill|criterion`, note, next step): a rep and a note
/// are needed; a criterion brings its skill. `Err` is the problems by field.
pub fn coaching_draft(
    [rep, skill, criterion, note, next_step]: [Option<String>; 5],
    skills: &[Skill],
) -> Result<CoachingDraft, super::forms::FieldErrors> {
    let mut problems = Vec::new();
    let rep = rep.filter(|r| mention::is_user_id(r));
    if rep.is_none() {
        problems.push(("rep".to_string(), "Pick the rep you coached.".to_string()));
    }
    let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    match &note {
        None => problems.push((
            "note".into(),
            "Add what you coached: the rep reads this.".into(),
        )),
        Some(n) if n.chars().count() > MAX_TEXT_CHARS => problems.push((
            "note".into(),
            format!("Keep the note under {MAX_TEXT_CHARS} characters."),
        )),
        Some(_) => {}
    }
    let (criterion_skill, criterion) = match criterion.as_deref().and_then(|c| c.split_once('|')) {
        Some((s, c)) => (Some(s.to_string()), Some(c.to_string())),
        None => (None, None),
    };
    let skill_id = skill
        .or(criterion_skill)
        .filter(|id| skills.iter().any(|s| &s.id == id));
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(CoachingDraft {
        rep_id: rep.unwrap_or_default(),
        skill_id,
        criterion,
        note: note.unwrap_or_default(),
        next_step: next_step
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::program::Criterion;

    fn skills() -> Vec<Skill> {
        vec![Skill {
            id: "discovery".into(),
            name: "Discovery".into(),
            aliases: vec![],
            rubric: vec![Criterion {
                criterion: "Pain".into(),
                good: "Gets a specific example".into(),
            }],
        }]
    }

    #[test]
    fn a_coaching_note_names_the_rep_then_maybe_a_skill() {
        let got = parse(
            "<@U0DANA|dana> discovery asked two pain questions; next: quantify the impact",
            &skills(),
        );
        assert_eq!(
            got,
            Ok(CoachCommand::Log(CoachingDraft {
                rep_id: "U0DANA".into(),
                skill_id: Some("discovery".into()),
                criterion: None,
                note: "asked two pain questions".into(),
                next_step: Some("quantify the impact".into()),
            }))
        );
        let Ok(CoachCommand::Log(no_skill)) = parse("<@U0DANA> great call today", &skills()) else {
            panic!("a note without a skill");
        };
        assert_eq!(
            (no_skill.skill_id, no_skill.note.as_str()),
            (None, "great call today")
        );
    }

    #[test]
    fn what_cannot_be_recorded_says_how() {
        assert_eq!(parse("", &skills()), Ok(CoachCommand::Help));
        for (text, problem) in [
            ("dana good call", "Start with the rep"),
            ("@dana good call", "couldn't tell who @dana is"),
            ("<@U0DANA> discovery", "Add what you coached"),
        ] {
            let e = parse(text, &skills()).unwrap_err();
            assert!(e.problem.contains(problem), "{text}: {}", e.problem);
        }
    }
}
