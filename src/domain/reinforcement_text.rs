//! Spaced reinforcement as managers and admins read it: per skill and per team, how many of the
//! questions asked were answered, and how many answers were right at a question's first
//! exposure and on later reviews, each with the answers it stands on and its Wilson 95 %
//! interval. A figure on too few answers is not shown; an unanswered question is never wrong.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::program::Skill;
use super::reinforcement::{Asked, Tally, tally, wilson};
use super::words::{count, percent};

/// The fewest answers an accuracy stands on before it is shown.
pub const FEWEST_ANSWERS: usize = 10;

/// One rep's questions, with their team.
pub struct RepQuestions<'a> {
    pub team: Option<&'a str>,
    pub asked: &'a [Asked],
}

/// The lines for a digest, report or close: nothing when no question was asked yet.
pub fn lines(skills: &[Skill], reps: &[RepQuestions], now: DateTime<Utc>) -> Vec<String> {
    let asked: Vec<(&str, &Asked)> = reps
        .iter()
        .flat_map(|r| {
            r.asked
                .iter()
                .filter(move |a| a.asked_at <= now)
                .map(move |a| (r.team.unwrap_or("no team"), a))
        })
        .collect();
    if asked.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        "Reinforcement questions so far (answered; right at first sight · on review, 95 % interval):"
            .to_string(),
    ];
    for skill in skills {
        let t = tally(
            asked
                .iter()
                .filter(|(_, a)| *a.skill == *skill.id)
                .map(|(_, a)| *a),
        );
        if t.asked > 0 {
            out.push(format!("   {}: {}", skill.name, summary(&t)));
        }
    }
    let mut teams: BTreeMap<&str, Vec<&Asked>> = BTreeMap::new();
    for (team, a) in &asked {
        teams.entry(team).or_default().push(a);
    }
    if teams.len() > 1 {
        for (team, rows) in teams {
            out.push(format!("   {team}: {}", summary(&tally(rows))));
        }
    }
    out
}

/// "30 of 40 answered (75%) · right 80% (20 answers, 58–92%) · 90% (10 answers, 60–98%)".
fn summary(t: &Tally) -> String {
    format!(
        "{} of {} answered ({}) · first {} · review {}",
        t.answered,
        t.asked,
        percent(t.answered, t.asked),
        accuracy(t.first),
        accuracy(t.later)
    )
}

fn accuracy((right, n): (usize, usize)) -> String {
    match wilson(right, n) {
        Some((lo, hi)) if n >= FEWEST_ANSWERS => format!(
            "{} right ({}, {:.0}–{:.0}%)",
            percent(right, n),
            count(n, "answer"),
            lo * 100.0,
            hi * 100.0
        ),
        _ => format!("too few to show ({})", count(n, "answer")),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate, TimeZone};

    use super::*;
    use crate::domain::reinforcement::Answer;

    fn skill(id: &str, name: &str) -> Skill {
        Skill {
            id: id.into(),
            name: name.into(),
            aliases: Vec::new(),
            rubric: Vec::new(),
        }
    }

    /// `n` questions on `skill` asked of `rep`, the first `right` answered right, the next
    /// `wrong` wrong, the rest unanswered; each question once (all first exposures).
    fn asked(rep: &str, skill: &str, n: usize, right: usize, wrong: usize) -> Vec<Asked> {
        let start = Utc.with_ymd_and_hms(2027, 1, 12, 15, 30, 0).unwrap();
        (0..n)
            .map(|i| {
                let at = start + Duration::days(i as i64);
                Asked {
                    rep: rep.into(),
                    question: format!("{skill}-{i}").into(),
                    skill: skill.into(),
                    asked_at: at,
                    asked_on: at.date_naive(),
                    answer: (i < right + wrong).then(|| Answer {
                        answered_at: at,
                        choice: "x".into(),
                        correct: i < right,
                        elapsed_days: 0,
                        recall_before: None,
                        next_due: NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
                    }),
                }
            })
            .collect()
    }

    #[test]
    fn figures_give_their_counts_and_intervals_and_hide_below_the_minimum() {
        let east = asked("U1", "discovery", 14, 8, 2);
        let west = asked("U2", "objections", 5, 1, 1);
        let reps = [
            RepQuestions {
                team: Some("East"),
                asked: &east,
            },
            RepQuestions {
                team: Some("West"),
                asked: &west,
            },
        ];
        let skills = [
            skill("discovery", "Discovery"),
            skill("objections", "Objections"),
        ];
        let now = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
        let text = lines(&skills, &reps, now).join("\n");
        // 8 of 10 answers right: Wilson's 95 % interval is 49–94 %.
        assert!(
            text.contains(
                "Discovery: 10 of 14 answered (71%) · first 80% right (10 answers, 49–94%) · review too few to show (0 answers)"
            ),
            "{text}"
        );
        // Unanswered questions lower participation, never accuracy; two answers show nothing.
        assert!(
            text.contains("Objections: 2 of 5 answered (40%) · first too few to show (2 answers)"),
            "{text}"
        );
        assert!(text.contains("   East: 10 of 14 answered") && text.contains("   West: 2 of 5"));
        assert!(lines(&skills, &[], now).is_empty());
    }
}
