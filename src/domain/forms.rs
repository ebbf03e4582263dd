//! The `/commit` and `/practice` forms (Slack modals): what was filled in, checked field by
//! field so each mistake is shown beside the field it is about.

use chrono::NaiveDate;

use super::commitment::{CommitmentDraft, CommitmentKind, DueSpec, Target};
use super::practice::{PracticeContext, PracticeDraft};
use super::program::Skill;
use super::{MAX_TEXT_CHARS, mention};

/// A field's block id and what is wrong with it.
pub type FieldErrors = Vec<(String, String)>;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitForm {
    pub text: Option<String>,
    pub target_number: Option<String>,
    pub target_unit: Option<String>,
    pub due: Option<NaiveDate>,
    pub kind: Option<String>,
}

pub fn commit_draft(form: &CommitForm, today: NaiveDate) -> Result<CommitmentDraft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let text = form.text.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        errors.push((
            "text".into(),
            "Say what you will do, e.g. 20 discovery calls with the new questions.".into(),
        ));
    } else if text.chars().count() > MAX_TEXT_CHARS {
        errors.push((
            "text".into(),
            format!("Keep it under {MAX_TEXT_CHARS} characters."),
        ));
    }
    let number = match form
        .target_number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => None,
        Some(raw) => match raw.parse::<f64>() {
            Ok(n) if n.is_finite() && n > 0.0 && n < 1e9 => Some(n),
            _ => {
                errors.push((
                    "target_number".into(),
                    "A target is a positive number, like 20.".into(),
                ));
                None
            }
        },
    };
    if let Some(due) = form.due
        && due < today
    {
        errors.push((
            "due".into(),
            "The due date has passed; pick today or later.".into(),
        ));
    }
    let kind = match form.kind.as_deref() {
        None => None,
        Some(raw) => match CommitmentKind::parse(raw) {
            Some(k) => Some(k),
            None => {
                errors.push((
                    "kind".into(),
                    "Pick outcome, performance, development or pressure.".into(),
                ));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let unit = form
        .target_unit
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    Ok(CommitmentDraft {
        text: text.to_string(),
        target: number.map(|number| Target { number, unit }),
        due: form.due.map(DueSpec::Date),
        kind,
    })
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PracticeForm {
    pub skill: Option<String>,
    pub context: Option<String>,
    pub partner: Option<String>,
    /// Criterion name and the 1–5 picked for it, if any.
    pub scores: Vec<(String, Option<String>)>,
    pub notes: Option<String>,
    /// The opportunity picked among the rep's own, if any.
    pub deal: Option<String>,
}

pub fn practice_draft(
    form: &PracticeForm,
    skills: &[Skill],
    user: &str,
) -> Result<PracticeDraft, FieldErrors> {
    let mut errors = FieldErrors::new();
    let skill = form
        .skill
        .as_deref()
        .and_then(|id| skills.iter().find(|s| s.id == id));
    if skill.is_none() {
        errors.push(("skill".into(), "Pick the skill you practised.".into()));
    }
    let context = match form.context.as_deref() {
        // A deal picked is a live-deal application, whatever the radio was left on.
        _ if form.deal.is_some() => PracticeContext::Live,
        None | Some("roleplay") => PracticeContext::Roleplay,
        Some("live") => PracticeContext::Live,
        Some(_) => {
            errors.push(("context".into(), "Pick role-play or live deal.".into()));
            PracticeContext::Roleplay
        }
    };
    if let Some(p) = &form.partner
        && (!mention::is_user_id(p) || p == user)
    {
        errors.push((
            "partner".into(),
            "Pick the colleague you practised with (not yourself).".into(),
        ));
    }
    let mut rubric = Vec::new();
    for (i, (criterion, score)) in form.scores.iter().enumerate() {
        match score.as_deref().map(str::parse::<u8>) {
            None => {}
            Some(Ok(n)) if (1..=5).contains(&n) => rubric.push((criterion.clone(), n)),
            Some(_) => errors.push((format!("score_{i}"), "Scores run from 1 to 5.".into())),
        }
    }
    let notes = form
        .notes
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS)
    {
        errors.push((
            "notes".into(),
            format!("Keep notes under {MAX_TEXT_CHARS} characters."),
        ));
    }
    let Some(skill) = skill.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };
    // The overall score is the criteria's average, rounded.
    let score = (!rubric.is_empty()).then(|| {
        let sum: u32 = rubric.iter().map(|(_, s)| u32::from(*s)).sum();
        u8::try_from((sum + rubric.len() as u32 / 2) / rubric.len() as u32).unwrap_or(5)
    });
    Ok(PracticeDraft {
        skill_id: skill.id.clone(),
        partner: form.partner.clone(),
        score,
        context,
        notes,
        rubric,
        // The confirmation of a live deal offers the share button instead.
        share: false,
        deal: form.deal.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::program::Criterion;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 13).unwrap()
    }

    #[test]
    fn a_complete_commit_form_becomes_a_draft() {
        let form = CommitForm {
            text: Some(" 20 discovery calls ".into()),
            target_number: Some("20".into()),
            target_unit: Some("discovery calls".into()),
            due: NaiveDate::from_ymd_opt(2027, 1, 15),
            kind: Some("performance".into()),
        };
        let d = commit_draft(&form, today()).unwrap();
        assert_eq!(d.text, "20 discovery calls");
        assert_eq!(
            d.target,
            Some(Target {
                number: 20.0,
                unit: Some("discovery calls".into())
            })
        );
        assert_eq!(d.kind, Some(CommitmentKind::Performance));
    }

    #[test]
    fn each_commit_mistake_is_named_by_its_field() {
        let form = CommitForm {
            text: Some("  ".into()),
            target_number: Some("-3".into()),
            due: NaiveDate::from_ymd_opt(2027, 1, 1),
            kind: Some("vibes".into()),
            ..Default::default()
        };
        let fields: Vec<String> = commit_draft(&form, today())
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["text", "target_number", "due", "kind"]);
    }

    #[test]
    fn practice_scores_average_into_the_overall_score() {
        let skills = vec![Skill {
            id: "discovery".into(),
            name: "Discovery".into(),
            aliases: vec![],
            rubric: vec![Criterion {
                criterion: "Pain".into(),
                good: "g".into(),
            }],
        }];
        let form = PracticeForm {
            skill: Some("discovery".into()),
            context: Some("live".into()),
            partner: Some("U0TAYLOR".into()),
            scores: vec![
                ("Pain".into(), Some("4".into())),
                ("Impact".into(), Some("3".into())),
                ("Priority".into(), None),
            ],
            notes: Some("good call".into()),
            deal: None,
        };
        let d = practice_draft(&form, &skills, "U0DANA").unwrap();
        assert_eq!(
            (d.score, d.context, d.rubric.len()),
            (Some(4), PracticeContext::Live, 2)
        );
        let bad = PracticeForm {
            skill: None,
            partner: Some("U0DANA".into()),
            scores: vec![("Pain".into(), Some("9".into()))],
            ..Default::default()
        };
        let fields: Vec<String> = practice_draft(&bad, &skills, "U0DANA")
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["skill", "partner", "score_0"]);
    }
}
