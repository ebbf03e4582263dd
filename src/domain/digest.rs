//! The manager's weekly digest as figures: per direct report, what they committed to and did,
//! practised and applied in live deals, their rubric trend and check-ins, whether they have gone
//! quiet or are away, and what to coach next. Built from records only; `digest_text` writes it
//! (and the admins' program report) as people read it.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::absence::Absence;
use super::checkin::CheckinAnswer;
use super::coached::Coaching;
use super::coaching::{CoachNext, DealNote, Promise, coach_next, latest_deal_note, promises};
use super::commitment::{Commitment, CommitmentStatus};
use super::practice::{PracticeContext, PracticeLog, RECENT_DAYS};
use super::program::Program;
use super::pulse::Confidence;
use super::reinforcement::Asked;

/// One check-in a pair was due to hold, and whether it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckinRecord {
    pub due_at: DateTime<Utc>,
    pub met: bool,
}

/// A check-in happened if the pair said so, or if its members logged practice together in the
/// days around it (`/practice … with @partner` counts as meeting).
pub fn checkin_met<'p>(
    members: &[&str],
    due_at: DateTime<Utc>,
    answer: Option<CheckinAnswer>,
    practice: impl IntoIterator<Item = &'p PracticeLog>,
) -> bool {
    if let Some(answer) = answer {
        return answer == CheckinAnswer::Met;
    }
    let window = checkin_window(due_at);
    practice.into_iter().any(|p| {
        window.contains(&p.logged_at)
            && members.contains(&p.user_id.as_str())
            && p.partner_id
                .as_deref()
                .is_some_and(|partner| partner != p.user_id && members.contains(&partner))
    })
}

/// When practice together counts as having met: from the day before to a week after.
pub fn checkin_window(due_at: DateTime<Utc>) -> Range<DateTime<Utc>> {
    (due_at - Duration::days(1))..(due_at + Duration::days(WEEK))
}

/// Everything recorded about one rep, borrowed from the records it summarises.
#[derive(Debug, Clone)]
pub struct RepRecord<'a> {
    pub slack_id: &'a str,
    pub name: Option<&'a str>,
    pub team: Option<&'a str>,
    pub commitments: &'a [Commitment],
    pub practice: &'a [PracticeLog],
    pub checkins: Vec<CheckinRecord>,
    /// Pulse answers: (checkpoint day, answer).
    pub pulses: &'a [(u32, String)],
    /// Confidence in each skill, as answered at the checkpoints.
    pub confidence: &'a [Confidence],
    /// Coaching the rep was given, oldest first.
    pub coaching: &'a [Coaching],
    /// Reinforcement questions asked of the rep, oldest first.
    pub asked: &'a [Asked],
    /// Away now (roster, pause or Slack status), and until when.
    pub away: Option<Absence>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Totals {
    pub made: usize,
    pub done: usize,
    pub practice: usize,
    pub live: usize,
    pub checkins_kept: usize,
    pub checkins_due: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RepSummary {
    pub slack_id: String,
    pub name: Option<String>,
    pub week: Totals,
    pub open: usize,
    pub by_skill: Vec<(String, usize)>,
    pub rubric_now: Option<f64>,
    pub rubric_before: Option<f64>,
    pub last_active: Option<NaiveDate>,
    pub quiet: bool,
    pub away: Option<Absence>,
    /// Open commitments in the rep's own words, oldest first.
    pub promises: Vec<Promise>,
    pub deal_note: Option<DealNote>,
    pub coach_next: Option<CoachNext>,
    /// The latest coaching logged for the rep, by then: the day and what it was on.
    pub last_coached: Option<(NaiveDate, Option<String>)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagerDigest {
    pub reps: Vec<RepSummary>,
    pub this_week: Totals,
    pub last_week: Totals,
}

const WEEK: i64 = 7;

/// How many reps a digest puts first, as the ones to coach this week.
pub const TO_COACH: usize = 3;

/// The few reps most in need of a conversation this week, each with why: quiet ones first,
/// then a falling rubric, then the longest without coaching. Away reps are left alone.
pub fn to_coach(digest: &ManagerDigest) -> Vec<(&RepSummary, Vec<String>)> {
    // (rep, sort key: urgency then the day last coached, why)
    type Ranked<'d> = (&'d RepSummary, (u8, Option<NaiveDate>), Vec<String>);
    let mut ranked: Vec<Ranked> = digest
        .reps
        .iter()
        .filter(|r| r.away.is_none())
        .map(|r| {
            let mut why = Vec::new();
            if r.quiet {
                why.push("quiet".to_string());
            }
            let falling = matches!((r.rubric_before, r.rubric_now), (Some(b), Some(n)) if n < b);
            if falling {
                why.push("rubric falling".to_string());
            }
            match &r.last_coached {
                None => why.push("not coached yet".to_string()),
                Some((on, _)) => why.push(format!("last coached {}", super::words::day(*on))),
            }
            let rank = u8::from(!r.quiet) * 2 + u8::from(!falling);
            (r, (rank, r.last_coached.as_ref().map(|(on, _)| *on)), why)
        })
        .collect();
    // Never coached sorts before any day: `None` < `Some`.
    ranked.sort_by_key(|(_, key, _)| *key);
    ranked
        .into_iter()
        .take(TO_COACH)
        .map(|(r, _, why)| (r, why))
        .collect()
}

/// A checkpoint reached, and the `RECENT_DAYS` up to the end of its day (where the program
/// runs) in which practice counts as still practising: the one rule that the program
/// report's figures and the adoption chart both read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckpointWindow {
    pub day: u32,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl CheckpointWindow {
    /// Whether `rep` practised `skill` (or any skill) in the window.
    pub fn practising(&self, rep: &RepRecord, skill: Option<&str>) -> bool {
        rep.practice.iter().any(|p| {
            p.logged_at > self.start
                && p.logged_at <= self.end
                && skill.is_none_or(|s| p.skill_id == s)
        })
    }
}

/// The checkpoints whose day has begun by `now`, where the program runs, from the first that
/// a whole window of the program lies behind.
pub fn checkpoints_reached(program: &Program, now: DateTime<Utc>) -> Vec<CheckpointWindow> {
    let s = &program.settings;
    let today = now.with_timezone(&s.timezone).date_naive();
    program
        .checkpoints
        .iter()
        // A checkpoint before a full window of the program (the kickoff's baseline) measures
        // no adoption: it asks confidence.
        .filter(|cp| i64::from(cp.day) >= RECENT_DAYS)
        .filter_map(|cp| {
            let day = s.kickoff + Duration::days(i64::from(cp.day) - 1);
            (day <= today).then(|| {
                let end = s.end_of_day(day);
                CheckpointWindow {
                    day: cp.day,
                    start: end - Duration::days(RECENT_DAYS),
                    end,
                }
            })
        })
        .collect()
}

fn totals(r: &RepRecord, from: DateTime<Utc>, to: DateTime<Utc>) -> Totals {
    // (from, to]: what happened at the very moment of asking counts, and nothing twice.
    let within = |t: DateTime<Utc>| t > from && t <= to;
    let practice: Vec<&PracticeLog> = r.practice.iter().filter(|p| within(p.logged_at)).collect();
    let checkins: Vec<&CheckinRecord> = r.checkins.iter().filter(|c| within(c.due_at)).collect();
    Totals {
        made: r
            .commitments
            .iter()
            .filter(|c| within(c.created_at))
            .count(),
        done: r
            .commitments
            .iter()
            .filter(|c| c.done_at.is_some_and(within))
            .count(),
        practice: practice.len(),
        live: practice
            .iter()
            .filter(|p| p.context == PracticeContext::Live)
            .count(),
        checkins_kept: checkins.iter().filter(|c| c.met).count(),
        checkins_due: checkins.len(),
    }
}

fn add(a: &mut Totals, b: &Totals) {
    a.made += b.made;
    a.done += b.done;
    a.practice += b.practice;
    a.live += b.live;
    a.checkins_kept += b.checkins_kept;
    a.checkins_due += b.checkins_due;
}

fn average(scores: impl Iterator<Item = u8>) -> Option<f64> {
    let (sum, n) = scores.fold((0u32, 0u32), |(s, n), x| (s + u32::from(x), n + 1));
    (n > 0).then(|| f64::from(sum) / f64::from(n))
}

/// The last day the rep did anything: made or closed a commitment, or logged practice.
fn last_active(r: &RepRecord, tz: Tz) -> Option<NaiveDate> {
    r.commitments
        .iter()
        .flat_map(|c| [Some(c.created_at), c.done_at])
        .flatten()
        .chain(r.practice.iter().map(|p| p.logged_at))
        .max()
        .map(|t| t.with_timezone(&tz).date_naive())
}

/// Working days strictly after `since` up to and including `today`.
fn working_days_between(program: &Program, since: NaiveDate, today: NaiveDate) -> u32 {
    let mut n = 0;
    let mut d = since + Duration::days(1);
    while d <= today {
        n += u32::from(program.settings.is_working_day(d));
        d += Duration::days(1);
    }
    n
}

/// The digest for one manager over the week ending at `now`.
pub fn manager_digest(
    program: &Program,
    reps: &[RepRecord],
    now: DateTime<Utc>,
    tz: Tz,
) -> ManagerDigest {
    let week_start = now - Duration::days(WEEK);
    let before = week_start - Duration::days(WEEK);
    let today = now.with_timezone(&tz).date_naive();
    let program_start = program.settings.kickoff;
    let quiet_after = program.settings.quiet_after_working_days;
    let mut this_week = Totals::default();
    let mut last_week = Totals::default();
    let summaries = reps
        .iter()
        .map(|r| {
            let week = totals(r, week_start, now);
            add(&mut this_week, &week);
            add(&mut last_week, &totals(r, before, week_start));
            let mut by_skill: BTreeMap<&str, usize> = BTreeMap::new();
            for p in r
                .practice
                .iter()
                .filter(|p| p.logged_at > week_start && p.logged_at <= now)
            {
                *by_skill.entry(p.skill_id.as_str()).or_default() += 1;
            }
            let last = last_active(r, tz);
            let idle_since = last.unwrap_or(program_start - Duration::days(1));
            RepSummary {
                slack_id: r.slack_id.to_string(),
                name: r.name.map(str::to_string),
                open: r
                    .commitments
                    .iter()
                    .filter(|c| c.status == CommitmentStatus::Open)
                    .count(),
                by_skill: program
                    .skills
                    .iter()
                    .filter_map(|s| by_skill.get(s.id.as_str()).map(|n| (s.name.clone(), *n)))
                    .collect(),
                rubric_now: average(
                    r.practice
                        .iter()
                        .filter(|p| p.logged_at > week_start && p.logged_at <= now)
                        .filter_map(|p| p.score),
                ),
                rubric_before: average(
                    r.practice
                        .iter()
                        .filter(|p| p.logged_at > before && p.logged_at <= week_start)
                        .filter_map(|p| p.score),
                ),
                last_active: last,
                // Away is not quiet: nobody should chase a rep on holiday.
                quiet: r.away.is_none()
                    && working_days_between(program, idle_since, today) >= quiet_after,
                away: r.away,
                promises: promises(r.commitments, today),
                deal_note: latest_deal_note(program, r.practice, now, tz),
                coach_next: coach_next(program, r.practice, now),
                last_coached: r.coaching.iter().rfind(|c| c.coached_at <= now).map(|c| {
                    let skill = c.skill_id.as_deref().map(|id| {
                        program
                            .skills
                            .iter()
                            .find(|s| s.id == id)
                            .map_or(id, |s| s.name.as_str())
                            .to_string()
                    });
                    (
                        c.coached_at.with_timezone(&tz).date_naive(),
                        skill.or(c.criterion.clone()),
                    )
                }),
                week,
            }
        })
        .collect();
    ManagerDigest {
        reps: summaries,
        this_week,
        last_week,
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! A small program and its records, for the digest's tests and its text's.
    use chrono::TimeZone;

    use super::*;
    use crate::domain::commitment::CommitmentKind;
    use crate::domain::program::*;

    pub fn program() -> Program {
        let skill = |id: &str, name: &str| Skill {
            id: id.into(),
            name: name.into(),
            aliases: vec![],
            rubric: vec![Criterion {
                criterion: "c".into(),
                good: "g".into(),
            }],
        };
        Program {
            settings: ProgramSettings {
                name: "SKO".into(),
                kickoff: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(),
                timezone: chrono_tz::America::New_York,
                working_days: vec![
                    chrono::Weekday::Mon,
                    chrono::Weekday::Tue,
                    chrono::Weekday::Wed,
                    chrono::Weekday::Thu,
                    chrono::Weekday::Fri,
                ],
                holidays: vec![],
                days: 90,
                pressure_weeks: vec![],
                quiet_after_working_days: 5,
                pressure_at: chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            },
            calendars: vec![],
            sprints: vec![Sprint {
                week: 3,
                focus: "Optimization".into(),
                summary: "s".into(),
            }],
            skills: vec![
                skill("discovery", "Discovery"),
                skill("objections", "Objection handling"),
                skill("next-steps", "Next steps"),
            ],
            checkpoints: vec![Checkpoint {
                day: 30,
                at: chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                text: "t".into(),
            }],
            people: vec![],
            roster: vec![],
            roster_file: String::new(),
            absence: Default::default(),
            wins: Default::default(),
            pairs: vec![],
            pairing: Pairing::default(),
            triggers: vec![],
            checkins: Checkins {
                cron: "0 0 10 * * Tue".parse().unwrap(),
                text: "t".into(),
            },
            digest: Digest {
                cron: "0 0 8 * * Mon".parse().unwrap(),
            },
            questions: Vec::new(),
            reinforcement: Default::default(),
            opportunities: Vec::new(),
            outcomes_file: String::new(),
            people_at: Default::default(),
        }
    }

    pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, hour, 0, 0).unwrap()
    }

    pub fn practice(
        skill: &str,
        when: DateTime<Utc>,
        score: Option<u8>,
        live: bool,
    ) -> PracticeLog {
        PracticeLog {
            user_id: "U1".into(),
            skill_id: skill.into(),
            context: if live {
                PracticeContext::Live
            } else {
                PracticeContext::Roleplay
            },
            partner_id: None,
            score,
            notes: None,
            rubric: vec![],
            week: None,
            logged_at: when,
            deal_id: None,
        }
    }

    pub fn commitment(seq: u32, made: DateTime<Utc>, done: Option<DateTime<Utc>>) -> Commitment {
        Commitment {
            user_id: "U1".into(),
            seq,
            text: "t".into(),
            target: None,
            due: None,
            kind: CommitmentKind::Performance,
            status: if done.is_some() {
                CommitmentStatus::Done
            } else {
                CommitmentStatus::Open
            },
            week: None,
            created_at: made,
            updated_at: made,
            done_at: done,
        }
    }

    pub fn rep<'a>(id: &'a str, team: &'a str) -> RepRecord<'a> {
        RepRecord {
            slack_id: id,
            name: None,
            team: Some(team),
            commitments: &[],
            practice: &[],
            checkins: vec![],
            pulses: &[],
            confidence: &[],
            coaching: &[],
            asked: &[],
            away: None,
        }
    }

    /// Monday 1 Feb 2027, 08:00 New York: the digest covers 25–31 Jan against 18–24 Jan.
    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 2, 1, 13, 0, 0).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::*;
    use super::*;

    fn summary(id: &str, quiet: bool, rubric: (f64, f64), coached: Option<u32>) -> RepSummary {
        RepSummary {
            slack_id: id.into(),
            name: None,
            week: Totals::default(),
            open: 0,
            by_skill: vec![],
            rubric_now: Some(rubric.1),
            rubric_before: Some(rubric.0),
            last_active: None,
            quiet,
            away: None,
            promises: vec![],
            deal_note: None,
            coach_next: None,
            last_coached: coached.map(|d| (NaiveDate::from_ymd_opt(2027, 1, d).unwrap(), None)),
        }
    }

    #[test]
    fn the_reps_to_coach_first_are_quiet_then_falling_then_longest_uncoached() {
        let mut away = summary("U0AWAY", true, (3.0, 2.0), None);
        away.away = Some(Absence { back: None });
        let digest = ManagerDigest {
            reps: vec![
                summary("U0STEADY", false, (3.0, 3.5), Some(20)),
                summary("U0LONGAGO", false, (3.0, 3.5), Some(5)),
                summary("U0FALLING", false, (4.0, 3.0), Some(21)),
                away,
                summary("U0QUIET", true, (3.0, 3.0), Some(22)),
                summary("U0NEVER", false, (3.0, 3.5), None),
            ],
            this_week: Totals::default(),
            last_week: Totals::default(),
        };
        let first: Vec<(&str, Vec<String>)> = to_coach(&digest)
            .into_iter()
            .map(|(r, why)| (r.slack_id.as_str(), why))
            .collect();
        assert_eq!(
            first,
            [
                (
                    "U0QUIET",
                    vec!["quiet".to_string(), "last coached Fri 22 Jan".into()]
                ),
                (
                    "U0FALLING",
                    vec![
                        "rubric falling".to_string(),
                        "last coached Thu 21 Jan".into()
                    ]
                ),
                ("U0NEVER", vec!["not coached yet".to_string()]),
            ],
            "the away rep is left alone"
        );
    }

    #[test]
    fn quiet_counts_working_days_only() {
        let mut r = rep("U1", "East");
        // Last active Tuesday 26 Jan: Wed, Thu, Fri and Mon are four working days.
        let tuesday = [practice("discovery", at(26, 15), None, false)];
        r.practice = &tuesday;
        let d = manager_digest(
            &program(),
            &[r.clone()],
            now(),
            chrono_tz::America::New_York,
        );
        assert!(!d.reps[0].quiet);
        let monday = [practice("discovery", at(25, 15), None, false)];
        r.practice = &monday;
        let d = manager_digest(&program(), &[r], now(), chrono_tz::America::New_York);
        assert!(d.reps[0].quiet);
    }
}
