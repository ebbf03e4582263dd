//! Checkpoint pulses ask what they say: how often a rep uses what the kickoff taught (one
//! click), and how confident they are in each skill, 1–10 (the "Rate my skills" form). Set
//! beside the rubric scores their practice was given, confidence shows where self-assessment
//! and performance part: what the seeds call the training priorities.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::forms::FieldErrors;
use super::practice::PracticeLog;
use super::program::Skill;

/// The confidence scale.
pub const LOWEST: u8 = 1;
pub const HIGHEST: u8 = 10;

/// Fewer answers or scores than this and a figure is not shown: one rep's mood is no average.
pub const FEWEST: usize = 3;

/// A rep's confidence in one skill at a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confidence {
    pub user_id: String,
    /// The checkpoint day it answers.
    pub day: u32,
    pub skill_id: String,
    pub value: u8,
    pub answered_at: DateTime<Utc>,
}

/// Reads the form: one select per skill (`(skill id, picked value)`), at least one rated,
/// each within the scale. `Err` is the problems by field, for the form to show.
pub fn confidence_draft(
    picked: &[(String, Option<String>)],
    skills: &[Skill],
) -> Result<Vec<(String, u8)>, FieldErrors> {
    let mut rated = Vec::new();
    let mut problems = Vec::new();
    for (skill, value) in picked {
        if !skills.iter().any(|s| &s.id == skill) {
            continue;
        }
        let Some(value) = value else { continue };
        match value.parse::<u8>() {
            Ok(v) if (LOWEST..=HIGHEST).contains(&v) => rated.push((skill.clone(), v)),
            _ => problems.push((
                skill.clone(),
                format!("Pick a number from {LOWEST} to {HIGHEST}."),
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    if rated.is_empty() {
        let first = skills.first().map_or_else(String::new, |s| s.id.clone());
        return Err(vec![(
            first,
            "Rate at least one skill: 1 is new to you, 10 is second nature.".into(),
        )]);
    }
    Ok(rated)
}

/// One skill's confidence beside its rubric scores: each a mean on its own scale with how many
/// answers or scores it stands on, `None` below [`FEWEST`].
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub skill: String,
    /// Mean of each rep's latest answer, on 1–10, and how many reps.
    pub confidence: Option<(f64, usize)>,
    /// Mean rubric score (1–5) of the practice logged, and how many scores.
    pub rubric: Option<(f64, usize)>,
}

impl Calibration {
    /// Confidence minus performance, each as a share of its scale: above zero, the reps rate
    /// themselves higher than their practice was scored.
    pub fn gap(&self) -> Option<f64> {
        let (c, _) = self.confidence?;
        let (r, _) = self.rubric?;
        Some(c / f64::from(HIGHEST) - r / 5.0)
    }
}

/// Per skill: the reps' latest confidence and the rubric scores of all practice given.
pub fn calibration(
    skills: &[Skill],
    confidence: &[&Confidence],
    practice: &[&PracticeLog],
) -> Vec<Calibration> {
    let mean = |values: &[f64]| {
        (values.len() >= FEWEST).then(|| {
            (
                values.iter().sum::<f64>() / values.len() as f64,
                values.len(),
            )
        })
    };
    skills
        .iter()
        .map(|skill| {
            // Each rep's latest answer for the skill, by rep: a report over thousands of reps
            // reads each answer once.
            let mut latest: HashMap<&str, &Confidence> = HashMap::new();
            for c in confidence.iter().filter(|c| c.skill_id == skill.id) {
                let kept = latest.entry(c.user_id.as_str()).or_insert(c);
                if kept.answered_at < c.answered_at {
                    *kept = c;
                }
            }
            let answers: Vec<f64> = latest.values().map(|c| f64::from(c.value)).collect();
            let scores: Vec<f64> = practice
                .iter()
                .filter(|p| p.skill_id == skill.id)
                .flat_map(|p| p.rubric.iter().map(|(_, s)| f64::from(*s)))
                .collect();
            Calibration {
                skill: skill.name.clone(),
                confidence: mean(&answers),
                rubric: mean(&scores),
            }
        })
        .collect()
}

/// The skill where confidence and performance part most, and whether the reps are over- or
/// under-confident in it: "over-confident on Discovery".
pub fn widest_gap(calibration: &[Calibration]) -> Option<String> {
    let (skill, gap) = calibration
        .iter()
        .filter_map(|c| Some((c, c.gap()?)))
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))?;
    let way = if gap > 0.0 { "over" } else { "under" };
    Some(format!("{way}-confident on {}", skill.skill))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::practice::PracticeContext;

    fn skill(id: &str, name: &str) -> Skill {
        Skill {
            id: id.into(),
            name: name.into(),
            aliases: vec![],
            rubric: vec![],
        }
    }

    fn confident(user: &str, skill: &str, value: u8, minute: i64) -> Confidence {
        Confidence {
            user_id: user.into(),
            day: 30,
            skill_id: skill.into(),
            value,
            answered_at: DateTime::UNIX_EPOCH + chrono::Duration::minutes(minute),
        }
    }

    fn scored(skill: &str, score: u8) -> PracticeLog {
        PracticeLog {
            user_id: "U1".into(),
            skill_id: skill.into(),
            context: PracticeContext::Live,
            partner_id: None,
            score: None,
            notes: None,
            rubric: vec![("c".into(), score)],
            week: None,
            logged_at: DateTime::UNIX_EPOCH,
            deal_id: None,
        }
    }

    #[test]
    fn the_form_needs_one_rating_within_the_scale() {
        let skills = [
            skill("discovery", "Discovery"),
            skill("objections", "Objections"),
        ];
        let pick = |d: Option<&str>, o: Option<&str>| {
            vec![
                ("discovery".to_string(), d.map(str::to_string)),
                ("objections".to_string(), o.map(str::to_string)),
            ]
        };
        assert_eq!(
            confidence_draft(&pick(Some("7"), None), &skills),
            Ok(vec![("discovery".into(), 7)])
        );
        assert!(confidence_draft(&pick(None, None), &skills).is_err());
        let wrong = confidence_draft(&pick(Some("11"), Some("3")), &skills).unwrap_err();
        assert_eq!(wrong[0].0, "discovery");
    }

    #[test]
    fn confidence_stands_beside_rubric_and_names_the_widest_gap() {
        let skills = [
            skill("discovery", "Discovery"),
            skill("objections", "Objections"),
        ];
        let answers = [
            confident("U1", "discovery", 9, 0),
            confident("U2", "discovery", 8, 0),
            confident("U3", "discovery", 9, 0),
            // U3 answered again: the latest counts.
            confident("U3", "discovery", 10, 5),
            confident("U1", "objections", 5, 0),
            confident("U2", "objections", 6, 0),
            confident("U3", "objections", 4, 0),
        ];
        let practice = [
            scored("discovery", 2),
            scored("discovery", 3),
            scored("discovery", 2),
            scored("objections", 3),
            scored("objections", 2),
        ];
        let cal = calibration(
            &skills,
            &answers.iter().collect::<Vec<_>>(),
            &practice.iter().collect::<Vec<_>>(),
        );
        assert_eq!(cal[0].confidence, Some((9.0, 3)));
        assert_eq!(cal[0].rubric.map(|(_, n)| n), Some(3));
        assert_eq!(cal[1].rubric, None, "two scores are too few to show");
        assert_eq!(widest_gap(&cal), Some("over-confident on Discovery".into()));
    }
}
