//! The manager's weekly digest (per direct report: committed, done, practised, applied in live
//! deals, rubric trend, check-ins, who has gone quiet and what to coach next) and the admins'
//! program report (adoption at day 30/60/90, check-in rate, by team). Built from records only.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::absence::Absence;
use super::coaching::{CoachNext, DealNote, Promise, coach_next, latest_deal_note, promises};
use super::commitment::{Commitment, CommitmentStatus};
use super::message::mentions;
use super::mrkdwn::{escape, quote};
use super::practice::{PracticeContext, PracticeLog};
use super::program::Program;

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
    answer: Option<&str>,
    practice: impl IntoIterator<Item = &'p PracticeLog>,
) -> bool {
    if let Some(answer) = answer {
        return answer == "met";
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct ManagerDigest {
    pub reps: Vec<RepSummary>,
    pub this_week: Totals,
    pub last_week: Totals,
}

const WEEK: i64 = 7;
/// How far back rubric scores count when choosing what to coach next.
const RECENT_DAYS: i64 = 14;

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

fn change(now: usize, before: usize) -> String {
    match now as i64 - before as i64 {
        0 => "same as last week".into(),
        d if d > 0 => format!("+{d} vs last week"),
        d => format!("{d} vs last week"),
    }
}

/// The digest as the manager reads it: team first, then one short block per rep.
pub fn render_manager_digest(
    program: &Program,
    digest: &ManagerDigest,
    week: Option<u32>,
    today: NaiveDate,
) -> String {
    let heading = match week.and_then(|w| program.sprint(w).map(|s| (w, s))) {
        Some((w, s)) => format!("*Weekly digest — week {w} ({})*", s.focus),
        None => match week {
            Some(w) => format!("*Weekly digest — week {w}*"),
            None => "*Weekly digest*".to_string(),
        },
    };
    let t = &digest.this_week;
    let l = &digest.last_week;
    let mut out = vec![
        heading,
        format!(
            "Team this week: {} commitments made ({}), {} done · {} practice reps ({}), {} in live deals · check-ins {}/{} kept",
            t.made,
            change(t.made, l.made),
            t.done,
            t.practice,
            change(t.practice, l.practice),
            t.live,
            t.checkins_kept,
            t.checkins_due
        ),
    ];
    let quiet: Vec<String> = digest
        .reps
        .iter()
        .filter(|r| r.quiet)
        .map(|r| r.slack_id.clone())
        .collect();
    if let Some(names) = mentions(&quiet) {
        out.push(format!(
            ":zzz: Quiet for {}+ working days: {names}. A two-minute check-in now saves the habit.",
            program.settings.quiet_after_working_days
        ));
    }
    let away: Vec<String> = digest
        .reps
        .iter()
        .filter_map(|r| Some(format!("<@{}> {}", r.slack_id, away_until(r.away?))))
        .collect();
    if !away.is_empty() {
        out.push(format!(
            ":palm_tree: Away: {}. Their partners meet with another pair meanwhile.",
            away.join(", ")
        ));
    }
    if digest.reps.is_empty() {
        out.push("No reps report to you in this program's roster.".into());
    }
    for r in &digest.reps {
        let skills = if r.by_skill.is_empty() {
            "no practice".to_string()
        } else {
            r.by_skill
                .iter()
                .map(|(s, n)| format!("{s} {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rubric = match (r.rubric_before, r.rubric_now) {
            (Some(b), Some(n)) => format!(
                " · rubric {b:.1} → {n:.1}{}",
                if n > b {
                    " ↑"
                } else if n < b {
                    " ↓"
                } else {
                    ""
                }
            ),
            (None, Some(n)) => format!(" · rubric {n:.1}"),
            _ => String::new(),
        };
        let last = match r.last_active {
            Some(d) if d == today => "active today".to_string(),
            Some(d) => format!("last active {} days ago", (today - d).num_days()),
            None => "no activity yet".to_string(),
        };
        let last = match r.away {
            Some(a) => format!("{last} · away {}", away_until(a)),
            None => last,
        };
        let mut lines = vec![format!(
            "\n<@{}>{} — commitments {} made · {} done · {} open",
            r.slack_id,
            if r.quiet { " :zzz:" } else { "" },
            r.week.made,
            r.week.done,
            r.open,
        )];
        lines.extend(promise_lines(&r.promises, today));
        if let Some(n) = &r.deal_note {
            lines.push(format!(
                "Latest live deal ({}, {}): “{}”",
                short_day(n.day),
                escape(&n.skill),
                quote(&n.note, NOTE_CHARS)
            ));
        }
        lines.push(format!(
            "Practice {} ({} live, {} role-play): {skills}{rubric}",
            r.week.practice,
            r.week.live,
            r.week.practice - r.week.live,
        ));
        lines.push(format!(
            "Check-ins {}/{} · {last}",
            r.week.checkins_kept, r.week.checkins_due
        ));
        lines.push(format!(
            "Coach next: {}",
            r.coach_next.as_ref().map_or_else(|| "—".into(), coach_line)
        ));
        out.push(lines.join("\n"));
    }
    out.join("\n")
}

/// Open commitments a digest quotes per rep; the rest are counted.
const PROMISES_SHOWN: usize = 3;
/// Characters of a commitment or a deal note quoted.
const PROMISE_CHARS: usize = 120;
const NOTE_CHARS: usize = 200;

/// "Committed: #3 “20 discovery calls…” — due Fri 15 Jan", overdue ones marked.
fn promise_lines(promises: &[Promise], today: NaiveDate) -> Vec<String> {
    let mut lines: Vec<String> = promises
        .iter()
        .take(PROMISES_SHOWN)
        .map(|p| {
            let due = match p.due {
                Some(d) if p.overdue => format!(" — :warning: overdue, due {}", short_day(d)),
                Some(d) if d == today => " — due today".to_string(),
                Some(d) => format!(" — due {}", short_day(d)),
                None => String::new(),
            };
            format!("• #{} “{}”{due}", p.seq, quote(&p.text, PROMISE_CHARS))
        })
        .collect();
    if promises.len() > PROMISES_SHOWN {
        lines.push(format!(
            "• and {} more open",
            promises.len() - PROMISES_SHOWN
        ));
    }
    lines
}

/// "Discovery — *Impact*: quantifies the cost of the problem (scored 2.0/5 …)".
pub fn coach_line(c: &CoachNext) -> String {
    match &c.criterion {
        Some((criterion, good)) => format!(
            "{} — *{}*: {} ({})",
            escape(&c.skill),
            escape(criterion),
            escape(good),
            c.why
        ),
        None => format!("{} ({})", escape(&c.skill), c.why),
    }
}

fn short_day(d: NaiveDate) -> String {
    d.format("%a %-d %b").to_string()
}

/// "until Thu 14 Jan", or that no return date is set.
fn away_until(a: Absence) -> String {
    match a.back {
        Some(back) => format!("until {}", back.format("%a %-d %b")),
        None => "(no return date set)".into(),
    }
}

/// Share of reps still practising each skill around each checkpoint reached, and check-in
/// rates, overall and by team.
pub fn program_report(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> String {
    let today = now.with_timezone(&program.settings.timezone).date_naive();
    let mut out = vec![format!("*Program report — {}*", program.settings.name)];
    let mut teams: BTreeMap<&str, Vec<&RepRecord>> = BTreeMap::new();
    for r in reps {
        teams
            .entry(r.team.unwrap_or("no team"))
            .or_default()
            .push(r);
    }
    let share = |part: usize, whole: usize| {
        (part * 100)
            .checked_div(whole)
            .map_or_else(|| "—".to_string(), |p| format!("{p}%"))
    };
    let mut reached = false;
    for cp in &program.checkpoints {
        let day = program.settings.kickoff + Duration::days(i64::from(cp.day) - 1);
        if day > today {
            continue;
        }
        reached = true;
        // The checkpoint day ends at midnight where the program runs, not in UTC.
        let end = program.settings.end_of_day(day);
        let start = end - Duration::days(RECENT_DAYS);
        let practising = |r: &RepRecord, skill: Option<&str>| {
            r.practice.iter().any(|p| {
                p.logged_at > start && p.logged_at <= end && skill.is_none_or(|s| p.skill_id == s)
            })
        };
        let skills: Vec<String> = program
            .skills
            .iter()
            .map(|s| {
                format!(
                    "{} {}",
                    s.name,
                    share(
                        reps.iter().filter(|r| practising(r, Some(&s.id))).count(),
                        reps.len()
                    )
                )
            })
            .collect();
        let by_team: Vec<String> = teams
            .iter()
            .map(|(team, members)| {
                format!(
                    "{team} {}",
                    share(
                        members.iter().filter(|r| practising(r, None)).count(),
                        members.len()
                    )
                )
            })
            .collect();
        out.push(format!(
            "Day {}: still practising (last {RECENT_DAYS} days) — {}\n   by team: {}",
            cp.day,
            skills.join(" · "),
            by_team.join(" · ")
        ));
        let answers: Vec<&str> = reps
            .iter()
            .filter_map(|r| {
                r.pulses
                    .iter()
                    .find(|(d, _)| *d == cp.day)
                    .map(|(_, a)| a.as_str())
            })
            .collect();
        let using = answers
            .iter()
            .filter(|a| matches!(**a, "every" | "most"))
            .count();
        out.push(format!(
            "   pulse: {} of {} answered; using it on most or every call: {}",
            answers.len(),
            reps.len(),
            share(using, answers.len())
        ));
    }
    if !reached {
        out.push("No checkpoint reached yet; adoption figures start at day 30.".into());
    }
    let rate = |members: &[&RepRecord]| {
        let due: usize = members
            .iter()
            .map(|r| r.checkins.iter().filter(|c| c.due_at <= now).count())
            .sum();
        let kept: usize = members
            .iter()
            .map(|r| {
                r.checkins
                    .iter()
                    .filter(|c| c.due_at <= now && c.met)
                    .count()
            })
            .sum();
        format!("{} ({kept}/{due})", share(kept, due))
    };
    let all: Vec<&RepRecord> = reps.iter().collect();
    let by_team: Vec<String> = teams
        .iter()
        .map(|(team, m)| format!("{team} {}", rate(m)))
        .collect();
    out.push(format!(
        "Check-ins kept: {} · by team: {}",
        rate(&all),
        by_team.join(" · ")
    ));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::commitment::CommitmentKind;
    use crate::domain::program::*;

    fn program() -> Program {
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
            people_at: Default::default(),
        }
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, hour, 0, 0).unwrap()
    }

    fn practice(skill: &str, when: DateTime<Utc>, score: Option<u8>, live: bool) -> PracticeLog {
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
        }
    }

    fn commitment(seq: u32, made: DateTime<Utc>, done: Option<DateTime<Utc>>) -> Commitment {
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

    fn rep<'a>(id: &'a str, team: &'a str) -> RepRecord<'a> {
        RepRecord {
            slack_id: id,
            name: None,
            team: Some(team),
            commitments: &[],
            practice: &[],
            checkins: vec![],
            pulses: &[],
            away: None,
        }
    }

    /// Monday 1 Feb 2027, 08:00 New York: the digest covers 25–31 Jan against 18–24 Jan.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 2, 1, 13, 0, 0).unwrap()
    }

    #[test]
    fn each_rep_is_summarised_with_numbers_trend_and_what_to_coach() {
        let commitments = [
            commitment(1, at(20, 15), Some(at(26, 15))),
            commitment(2, at(26, 15), None),
            commitment(3, at(27, 15), None),
        ];
        let practice = [
            practice("discovery", at(19, 15), Some(3), false),
            practice("discovery", at(26, 15), Some(4), true),
            practice("objections", at(27, 15), Some(2), false),
            practice("objections", at(28, 15), Some(3), true),
        ];
        let mut dana = rep("U0DANA", "East");
        dana.commitments = &commitments;
        dana.practice = &practice;
        dana.checkins = vec![CheckinRecord {
            due_at: at(26, 15),
            met: true,
        }];
        let sam = rep("U0SAM", "East");
        let d = manager_digest(
            &program(),
            &[dana, sam],
            now(),
            chrono_tz::America::New_York,
        );

        let dana = &d.reps[0];
        assert_eq!((dana.week.made, dana.week.done, dana.open), (2, 1, 2));
        assert_eq!((dana.week.practice, dana.week.live), (3, 2));
        assert_eq!(
            dana.by_skill,
            [
                ("Discovery".to_string(), 1),
                ("Objection handling".to_string(), 2)
            ]
        );
        assert_eq!(
            (dana.rubric_before, dana.rubric_now),
            (Some(3.0), Some(3.0))
        );
        assert_eq!(
            dana.coach_next.as_ref().map(coach_line).as_deref(),
            Some("Objection handling — *c*: g (rubric 2.5/5 lately)")
        );
        assert!(!dana.quiet);
        assert_eq!((dana.week.checkins_kept, dana.week.checkins_due), (1, 1));

        let sam = &d.reps[1];
        assert!(sam.quiet, "no activity since kickoff");
        assert_eq!(
            sam.coach_next.as_ref().map(coach_line).as_deref(),
            Some("Discovery — *c*: g (not practised yet)")
        );

        assert_eq!(d.this_week.practice, 3);
        assert_eq!(d.last_week.practice, 1);
        assert_eq!(d.last_week.made, 1);

        let text = render_manager_digest(
            &program(),
            &d,
            Some(3),
            now()
                .with_timezone(&chrono_tz::America::New_York)
                .date_naive(),
        );
        assert!(
            text.starts_with("*Weekly digest — week 3 (Optimization)*"),
            "{text}"
        );
        assert!(
            text.contains("2 commitments made (+1 vs last week)"),
            "{text}"
        );
        assert!(
            text.contains("3 practice reps (+2 vs last week), 2 in live deals"),
            "{text}"
        );
        assert!(
            text.contains("Quiet for 5+ working days: <@U0SAM>"),
            "{text}"
        );
        assert!(
            text.contains("Coach next: Objection handling — *c*: g (rubric 2.5/5 lately)"),
            "{text}"
        );
        assert!(
            !text.contains("Quiet for 5+ working days: <@U0DANA>"),
            "{text}"
        );
    }

    #[test]
    fn the_digest_quotes_commitments_and_deals_and_names_the_criterion_to_coach() {
        let mut program = program();
        program.skills[0].rubric = vec![
            Criterion {
                criterion: "Pain".into(),
                good: "gets the buyer to name the problem".into(),
            },
            Criterion {
                criterion: "Impact".into(),
                good: "quantifies the cost of the problem with the buyer".into(),
            },
        ];
        let mut overdue = commitment(1, at(20, 15), None);
        overdue.text =
            "20 discovery calls with the <https://evil.example|4-question> framework".into();
        overdue.due = NaiveDate::from_ymd_opt(2027, 1, 29);
        let mut later = commitment(2, at(26, 15), None);
        later.text = "Ask every buyer what the problem costs".into();
        later.due = NaiveDate::from_ymd_opt(2027, 2, 5);
        let commitments = [overdue, later, commitment(3, at(27, 15), Some(at(28, 15)))];
        let mut live = practice("discovery", at(27, 15), Some(3), true);
        live.notes = Some("Acme: CFO admitted churn costs them $2M & more".into());
        live.rubric = vec![("Pain".into(), 4), ("Impact".into(), 2)];
        let mut roleplay = practice("discovery", at(28, 15), Some(3), false);
        roleplay.rubric = vec![("Pain".into(), 4), ("impact".into(), 3)];
        let practice_logs = [live, roleplay];
        let mut dana = rep("U0DANA", "East");
        dana.commitments = &commitments;
        dana.practice = &practice_logs;
        let d = manager_digest(&program, &[dana], now(), chrono_tz::America::New_York);
        let text = render_manager_digest(&program, &d, Some(3), now().date_naive());

        for expected in [
            "• #1 “20 discovery calls with the &lt;https://evil.example|4-question&gt; framework” — :warning: overdue, due Fri 29 Jan",
            "• #2 “Ask every buyer what the problem costs” — due Fri 5 Feb",
            "Latest live deal (Wed 27 Jan, Discovery): “Acme: CFO admitted churn costs them $2M &amp; more”",
            "Coach next: Discovery — *Impact*: quantifies the cost of the problem with the buyer (scored 2.5/5 in the last two weeks)",
        ] {
            assert!(text.contains(expected), "expected {expected:?} in\n{text}");
        }
        assert!(
            !text.contains("#3"),
            "a done commitment is not quoted: {text}"
        );
        // The team's lines come before any rep's.
        assert!(text.find("Team this week").unwrap() < text.find("<@U0DANA>").unwrap());
    }

    #[test]
    fn a_team_of_sixty_with_everything_to_say_fits_one_message() {
        let program = program();
        let mut commitments: Vec<Commitment> = (1..=5)
            .map(|i| {
                let mut c = commitment(i, at(26, 15), None);
                c.text = "x".repeat(1_000);
                c.due = NaiveDate::from_ymd_opt(2027, 1, 29);
                c
            })
            .collect();
        commitments.push(commitment(6, at(27, 15), None));
        let mut live = practice("discovery", at(27, 15), Some(2), true);
        live.notes = Some("n".repeat(1_000));
        let logs = [live];
        let ids: Vec<String> = (0..60).map(|i| format!("U0REP{i:04}")).collect();
        let reps: Vec<RepRecord> = ids
            .iter()
            .map(|id| {
                let mut r = rep(id, "East");
                r.commitments = &commitments;
                r.practice = &logs;
                r.away = Some(Absence { back: None });
                r
            })
            .collect();
        let d = manager_digest(&program, &reps, now(), chrono_tz::America::New_York);
        let text = render_manager_digest(&program, &d, Some(3), now().date_naive());
        // Slack: 50 blocks of at most 3,000 characters; the longest line must fit one block.
        assert!(text.lines().all(|l| l.chars().count() < 3_000));
        assert!(
            text.chars().count() < 40 * 3_000,
            "{} characters",
            text.chars().count()
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

    #[test]
    fn an_away_rep_is_named_with_their_return_and_not_flagged_quiet() {
        let mut away = rep("U1", "East");
        away.away = Some(Absence {
            back: NaiveDate::from_ymd_opt(2027, 2, 8),
        });
        let mut open_ended = rep("U2", "East");
        open_ended.away = Some(Absence { back: None });
        let idle = rep("U3", "East");
        let d = manager_digest(
            &program(),
            &[away, open_ended, idle],
            now(),
            chrono_tz::America::New_York,
        );
        assert_eq!(
            d.reps.iter().map(|r| r.quiet).collect::<Vec<_>>(),
            [false, false, true]
        );
        let text = render_manager_digest(&program(), &d, Some(4), now().date_naive());
        assert!(
            text.contains(":palm_tree: Away: <@U1> until Mon 8 Feb, <@U2> (no return date set)."),
            "{text}"
        );
        assert!(text.contains("away until Mon 8 Feb"), "{text}");
        assert!(
            text.contains(":zzz: Quiet for 5+ working days: <@U3>"),
            "{text}"
        );
    }

    #[test]
    fn the_program_report_shows_adoption_at_each_checkpoint_by_team() {
        let practice = [practice(
            "discovery",
            Utc.with_ymd_and_hms(2027, 2, 5, 15, 0, 0).unwrap(),
            None,
            true,
        )];
        let mut a = rep("U1", "East");
        a.practice = &practice;
        a.checkins = vec![
            CheckinRecord {
                due_at: at(19, 15),
                met: true,
            },
            CheckinRecord {
                due_at: at(26, 15),
                met: false,
            },
        ];
        let pulses = [(30, "most".into())];
        a.pulses = &pulses;
        let b = rep("U2", "West");
        let report = program_report(
            &program(),
            &[a, b],
            Utc.with_ymd_and_hms(2027, 2, 15, 12, 0, 0).unwrap(),
        );
        assert!(
            report.contains(
                "Day 30: still practising (last 14 days) — Discovery 50% · Objection handling 0%"
            ),
            "{report}"
        );
        assert!(report.contains("by team: East 100% · West 0%"), "{report}");
        assert!(
            report.contains("Check-ins kept: 50% (1/2) · by team: East 50% (1/2) · West — (0/0)"),
            "{report}"
        );
        let early = program_report(&program(), &[], at(20, 12));
        assert!(
            report.contains("pulse: 1 of 2 answered; using it on most or every call: 100%"),
            "{report}"
        );
        assert!(early.contains("No checkpoint reached yet"));
    }
}
