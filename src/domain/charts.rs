//! What the digests' charts show, as numbers: a team's practice by program week (live deals
//! and role-plays) with the share of reps active each week, and the program's adoption by skill
//! at each checkpoint reached. Drawing them is `crate::charts`'s job.

use chrono::{DateTime, Duration, Utc};

use super::digest::{RepRecord, checkpoints_reached};
use super::practice::PracticeContext;
use super::program::Program;

/// One program week of a team's practice.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekPractice {
    pub week: u32,
    pub live: usize,
    pub roleplay: usize,
    /// Share of the reps (0–1) who logged anything that week.
    pub active: f64,
}

/// A chart to send with a digest.
#[derive(Debug, Clone, PartialEq)]
pub enum Chart {
    /// The manager's team, week by week up to now.
    TeamPractice {
        title: String,
        weeks: Vec<WeekPractice>,
    },
    /// The admins' program: per checkpoint reached, the share of reps practising each skill.
    Adoption {
        title: String,
        skills: Vec<String>,
        /// (checkpoint day, share per skill 0–1, in `skills` order).
        checkpoints: Vec<(u32, Vec<f64>)>,
    },
    /// Pipeline created per week since the kickoff against the same weeks a year earlier:
    /// (week, this year, last year) in whole currency units.
    Pipeline {
        title: String,
        weeks: Vec<(u32, i64, i64)>,
    },
}

impl Chart {
    /// The file name it is uploaded and saved under.
    pub fn file_name(&self) -> &'static str {
        match self {
            Chart::TeamPractice { .. } => "team-practice.png",
            Chart::Adoption { .. } => "adoption-by-skill.png",
            Chart::Pipeline { .. } => "pipeline-by-week.png",
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Chart::TeamPractice { title, .. }
            | Chart::Adoption { title, .. }
            | Chart::Pipeline { title, .. } => title,
        }
    }
}

/// The team's practice in each whole program week before `now` (in the first week, that week
/// so far).
pub fn team_practice(
    program: &Program,
    reps: &[RepRecord],
    now: DateTime<Utc>,
) -> Vec<WeekPractice> {
    let s = &program.settings;
    let start = s.kickoff_instant();
    let weeks = ((now - start).num_days() / 7).clamp(1, i64::from(s.weeks())) as u32;
    (1..=weeks)
        .map(|week| {
            let from = start + Duration::days(7 * i64::from(week - 1));
            let to = (from + Duration::days(7)).min(now);
            let logs = || {
                reps.iter()
                    .flat_map(|r| r.practice.iter())
                    .filter(move |p| p.logged_at >= from && p.logged_at < to)
            };
            let active = reps
                .iter()
                .filter(|r| {
                    r.practice
                        .iter()
                        .any(|p| p.logged_at >= from && p.logged_at < to)
                })
                .count();
            WeekPractice {
                week,
                live: logs()
                    .filter(|p| p.context == PracticeContext::Live)
                    .count(),
                roleplay: logs()
                    .filter(|p| p.context == PracticeContext::Roleplay)
                    .count(),
                active: if reps.is_empty() {
                    0.0
                } else {
                    active as f64 / reps.len() as f64
                },
            }
        })
        .collect()
}

/// At each checkpoint reached by `now`, the share of reps who practised each skill in the two
/// weeks before it.
pub fn adoption(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> Vec<(u32, Vec<f64>)> {
    checkpoints_reached(program, now)
        .into_iter()
        .map(|cp| {
            let shares = program
                .skills
                .iter()
                .map(|skill| {
                    let practising = reps
                        .iter()
                        .filter(|r| cp.practising(r, Some(&skill.id)))
                        .count();
                    if reps.is_empty() {
                        0.0
                    } else {
                        practising as f64 / reps.len() as f64
                    }
                })
                .collect();
            (cp.day, shares)
        })
        .collect()
}
