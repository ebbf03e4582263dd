//! What a manager coaches against: what the rep said they would do (open commitments, in their
//! own words), what happened in their latest live deal, and the one rubric criterion to work on
//! next. The seeds' point: managers reinforce by coaching to the person's own commitments and
//! real deals, not to counts.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::commitment::{Commitment, CommitmentStatus};
use super::practice::{PracticeContext, PracticeLog, RECENT_DAYS};
use super::program::{Program, Skill};

/// A criterion scoring below this on average is worth a coaching conversation.
const COACH_BELOW: f64 = 4.0;

/// An open commitment as the digest quotes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promise {
    pub seq: u32,
    pub text: String,
    pub due: Option<NaiveDate>,
    /// Its due day has passed.
    pub overdue: bool,
}

/// The open commitments of a rep, oldest first, each marked overdue when its day has passed.
pub fn promises(commitments: &[Commitment], today: NaiveDate) -> Vec<Promise> {
    let mut open: Vec<&Commitment> = commitments
        .iter()
        .filter(|c| c.status == CommitmentStatus::Open)
        .collect();
    open.sort_by_key(|c| c.seq);
    open.into_iter()
        .map(|c| Promise {
            seq: c.seq,
            text: c.text.clone(),
            due: c.due,
            overdue: c.due.is_some_and(|d| d < today),
        })
        .collect()
}

/// The latest live-deal application a rep logged with a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DealNote {
    pub day: NaiveDate,
    pub skill: String,
    pub note: String,
}

pub fn latest_deal_note(
    program: &Program,
    practice: &[PracticeLog],
    now: DateTime<Utc>,
    tz: Tz,
) -> Option<DealNote> {
    practice
        .iter()
        .filter(|p| p.context == PracticeContext::Live && p.logged_at <= now)
        .filter_map(|p| Some((p, p.notes.as_deref().filter(|n| !n.trim().is_empty())?)))
        .max_by_key(|(p, _)| p.logged_at)
        .map(|(p, note)| DealNote {
            day: p.logged_at.with_timezone(&tz).date_naive(),
            skill: skill_name(program, &p.skill_id),
            note: note.to_string(),
        })
}

/// What to coach next: a skill, the criterion of its rubric to work on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachNext {
    pub skill: String,
    /// The criterion and what a 5 looks like.
    pub criterion: Option<(String, String)>,
    pub why: String,
}

/// The weakest criterion scored lately (below 4 of 5); else the start of the weakest skill's
/// rubric (by overall score); else the start of the least practised skill's.
pub fn coach_next(
    program: &Program,
    practice: &[PracticeLog],
    now: DateTime<Utc>,
) -> Option<CoachNext> {
    let recent: Vec<&PracticeLog> = practice
        .iter()
        .filter(|p| p.logged_at >= now - Duration::days(RECENT_DAYS) && p.logged_at <= now)
        .collect();
    let mut weakest: Option<(&Skill, usize, f64)> = None;
    for skill in &program.skills {
        for (i, c) in skill.rubric.iter().enumerate() {
            let scores = recent
                .iter()
                .filter(|p| p.skill_id == skill.id)
                .flat_map(|p| &p.rubric)
                .filter(|(name, _)| name.eq_ignore_ascii_case(&c.criterion))
                .map(|(_, score)| f64::from(*score));
            if let Some(avg) = average(scores)
                && avg < COACH_BELOW
                && weakest.is_none_or(|(_, _, w)| avg < w)
            {
                weakest = Some((skill, i, avg));
            }
        }
    }
    if let Some((skill, i, avg)) = weakest {
        return Some(at(
            skill,
            i,
            format!("scored {avg:.1}/5 in the last two weeks"),
        ));
    }
    let scored = program
        .skills
        .iter()
        .filter_map(|s| {
            let scores = recent
                .iter()
                .filter(|p| p.skill_id == s.id)
                .filter_map(|p| p.score.map(f64::from));
            Some((s, average(scores)?))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((skill, avg)) = scored
        && avg < COACH_BELOW
    {
        return Some(at(skill, 0, format!("rubric {avg:.1}/5 lately")));
    }
    let count = |id: &str| practice.iter().filter(|p| p.skill_id == id).count();
    let least = program.skills.iter().min_by_key(|s| count(&s.id))?;
    let why = match count(&least.id) {
        0 => "not practised yet".to_string(),
        n => format!("practised {n}×, the least"),
    };
    Some(at(least, 0, why))
}

fn at(skill: &Skill, criterion: usize, why: String) -> CoachNext {
    CoachNext {
        skill: skill.name.clone(),
        criterion: skill
            .rubric
            .get(criterion)
            .map(|c| (c.criterion.clone(), c.good.clone())),
        why,
    }
}

fn skill_name(program: &Program, id: &str) -> String {
    program
        .skills
        .iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_string(), |s| s.name.clone())
}

fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / f64::from(n))
}
