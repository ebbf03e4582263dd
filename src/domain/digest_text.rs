//! The digest and the program report as people read them: a manager's team first, then one
//! short block per rep (their commitments in their own words, the latest deal, what to coach
//! next); the admins' adoption at day 30/60/90 by team. Slack's mrkdwn, user text escaped.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::absence::Absence;
use super::coaching::{CoachNext, Promise};
use super::digest::{
    ManagerDigest, RepRecord, RepSummary, TO_COACH, checkpoints_reached, to_coach,
};
use super::message::mentions;
use super::mrkdwn::{escape, quote};
use super::practice::{PracticeLog, RECENT_DAYS};
use super::program::{Program, Role};
use super::pulse::{Confidence, FEWEST, HIGHEST, calibration, widest_gap};
use super::reinforcement_text::{self, RepQuestions};
use super::words::{count, day, days_ago, noun_for, percent};

/// " (+2 vs last week)": how a figure compares with the week before, if there was one.
fn change(now: usize, before: Option<usize>) -> String {
    match before.map(|b| now as i64 - b as i64) {
        None => String::new(),
        Some(0) => " (same as last week)".into(),
        Some(d) if d > 0 => format!(" (+{d} vs last week)"),
        Some(d) => format!(" ({d} vs last week)"),
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
    // The first week has no week before it in the program to compare with.
    let compared = |now: usize, before: usize| change(now, (week != Some(1)).then_some(before));
    let mut out = vec![
        heading,
        format!(
            "Team this week: {} made{}, {} done · {}{}, {} in live deals · check-ins {}/{} kept",
            count(t.made, "commitment"),
            compared(t.made, l.made),
            t.done,
            count(t.practice, "practice rep"),
            compared(t.practice, l.practice),
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
        let quiet = program.settings.quiet_after_working_days;
        out.push(format!(
            ":zzz: Quiet for {quiet}+ {}: {names}. A two-minute check-in now saves the habit.",
            noun_for(quiet as usize, "working day")
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
    let first = to_coach(digest);
    // The reps to coach first get their whole block; with more reps than that, the others a
    // line each, so that a team of sixty reads in a minute.
    let in_full: Vec<&str> = if digest.reps.len() > TO_COACH {
        first.iter().map(|(r, _)| r.slack_id.as_str()).collect()
    } else {
        digest.reps.iter().map(|r| r.slack_id.as_str()).collect()
    };
    if !first.is_empty() {
        out.push("*To coach this week* (the buttons below open the coaching form):".into());
        for (r, why) in first {
            let on = r
                .coach_next
                .as_ref()
                .map_or_else(String::new, |c| match &c.criterion {
                    Some((criterion, _)) => {
                        format!(" → {}, *{}*", escape(&c.skill), escape(criterion))
                    }
                    None => format!(" → {}", escape(&c.skill)),
                });
            out.push(format!("• <@{}>: {}{on}", r.slack_id, why.join(", ")));
        }
    }
    let (full, brief): (Vec<&RepSummary>, Vec<&RepSummary>) = digest
        .reps
        .iter()
        .partition(|r| in_full.contains(&r.slack_id.as_str()));
    let mut full = full;
    full.sort_by_key(|r| in_full.iter().position(|id| *id == r.slack_id));
    for r in full {
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
            Some(d) => format!("last active {}", days_ago((today - d).num_days())),
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
                day(n.day),
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
        lines.push(match &r.last_coached {
            Some((on, Some(what))) => format!("Last coached: {} on {}", day(*on), escape(what)),
            Some((on, None)) => format!("Last coached: {}", day(*on)),
            None => "Not coached yet: `/coach` logs it".to_string(),
        });
        out.push(lines.join("\n"));
    }
    if !brief.is_empty() {
        out.push("\n*The rest of the team* (the menu below logs coaching for any of them)".into());
        out.extend(brief.into_iter().map(rep_line));
    }
    out.join("\n")
}

/// One rep in a line: the week's numbers, the rubric trend, away, and the last coaching.
fn rep_line(r: &RepSummary) -> String {
    let rubric = match (r.rubric_before, r.rubric_now) {
        (Some(b), Some(n)) => format!(" · rubric {b:.1} → {n:.1}"),
        (None, Some(n)) => format!(" · rubric {n:.1}"),
        _ => String::new(),
    };
    let away = r
        .away
        .map_or(String::new(), |a| format!(" · away {}", away_until(a)));
    let coached = match &r.last_coached {
        Some((on, _)) => format!("last coached {}", day(*on)),
        None => "not coached yet".to_string(),
    };
    format!(
        "<@{}>{} — {} made · {} done · {} ({} live) · check-ins {}/{}{rubric}{away} · {coached}",
        r.slack_id,
        if r.quiet { " :zzz:" } else { "" },
        r.week.made,
        r.week.done,
        count(r.week.practice, "practice rep"),
        r.week.live,
        r.week.checkins_kept,
        r.week.checkins_due,
    )
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
                Some(d) if p.overdue => format!(" — :warning: overdue, due {}", day(d)),
                Some(d) if d == today => " — due today".to_string(),
                Some(d) => format!(" — due {}", day(d)),
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

/// "until Thu 14 Jan", or that no return date is set.
fn away_until(a: Absence) -> String {
    match a.back {
        Some(back) => format!("until {}", day(back)),
        None => "(no return date set)".into(),
    }
}

/// The admins' weekly report: [`report_figures`] under its heading.
pub fn program_report(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> String {
    let heading = format!("*Program report — {}*", program.settings.name);
    format!("{heading}\n{}", report_figures(program, reps, now))
}

/// The close, on the program's last day: its result for `reps` (a manager's team, or every
/// rep for an admin), and to admins that nothing more of it will be sent.
pub fn close(program: &Program, reps: &[RepRecord], now: DateTime<Utc>, admin: bool) -> String {
    let s = &program.settings;
    let mut out = vec![
        format!(
            "*{} — the result of {} days* (kickoff {})",
            s.name,
            s.days,
            day(s.kickoff)
        ),
        report_figures(program, reps, now),
    ];
    if admin {
        out.push(format!(
            "The program has ended: nothing more of it will be sent. Its data stays for `sko-reinforce export` ({}).",
            "commitments, practice, checkins, deliveries, pulses, coaching, reinforcement, outcomes"
        ));
    }
    out.join("\n")
}

/// Coaching per manager: how many of their reps they coached in the last four weeks (over the
/// whole program once it has ended), and who coached nobody for two weeks. A pressure week is
/// named, so the report shows whether coaching holds when the quarter is tight.
fn coaching_lines(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> Vec<String> {
    let s = &program.settings;
    let ended = now >= s.end_of_day(s.last_day());
    let since = if ended {
        s.kickoff_instant()
    } else {
        now - chrono::Duration::weeks(4)
    };
    let quiet_since = now - chrono::Duration::weeks(2);
    let today = now.with_timezone(&s.timezone).date_naive();
    // The reps by manager, grouped once: a report covers every manager of a large roster.
    let mut teams: BTreeMap<&str, Vec<&RepRecord>> = BTreeMap::new();
    for r in reps {
        if let Some(m) = program
            .person(r.slack_id)
            .and_then(|p| p.manager.as_deref())
        {
            teams.entry(m).or_default().push(r);
        }
    }
    let mut per_manager = Vec::new();
    let mut silent = Vec::new();
    for manager in program.people.iter().filter(|p| p.role == Role::Manager) {
        let Some(team) = teams.get(manager.slack_id.as_str()) else {
            continue;
        };
        let coached_since = |from: DateTime<Utc>| {
            team.iter()
                .filter(|r| {
                    r.coaching
                        .iter()
                        .any(|c| c.coached_at > from && c.coached_at <= now)
                })
                .count()
        };
        let talks: usize = team
            .iter()
            .map(|r| {
                r.coaching
                    .iter()
                    .filter(|c| c.coached_at > since && c.coached_at <= now)
                    .count()
            })
            .sum();
        per_manager.push(format!(
            "<@{}> {} of {} ({})",
            manager.slack_id,
            coached_since(since),
            count(team.len(), "rep"),
            count(talks, "conversation")
        ));
        if !ended && coached_since(quiet_since) == 0 {
            silent.push(format!("<@{}>", manager.slack_id));
        }
    }
    if per_manager.is_empty() {
        return Vec::new();
    }
    let span = if ended {
        "over the program"
    } else {
        "in the last 4 weeks"
    };
    let pressure = s
        .program_week(today)
        .filter(|w| s.pressure_weeks.contains(w))
        .map_or(String::new(), |w| format!(" (week {w} is a pressure week)"));
    let mut out = vec![format!(
        "Coaching {span}{pressure}: reps coached by their manager — {}",
        per_manager.join(" · ")
    )];
    if !silent.is_empty() {
        out.push(format!(
            "   No coaching logged for 2 weeks: {}.",
            silent.join(", ")
        ));
    }
    out
}

/// Each skill's confidence (the reps' latest answers) beside the rubric scores of its recent
/// practice, and the skill where they part most; nothing until someone has rated a skill.
fn confidence_lines(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> Vec<String> {
    let answers: Vec<&Confidence> = reps.iter().flat_map(|r| r.confidence).collect();
    if answers.is_empty() {
        return Vec::new();
    }
    let since = now - chrono::Duration::days(RECENT_DAYS);
    let practice: Vec<&PracticeLog> = reps
        .iter()
        .flat_map(|r| r.practice)
        .filter(|p| p.logged_at > since && p.logged_at <= now)
        .collect();
    let cal = calibration(&program.skills, &answers, &practice);
    let figure = |f: Option<(f64, usize)>, scale: u8, of: &str| match f {
        Some((mean, n)) => format!("{mean:.1}/{scale} ({})", count(n, of)),
        None => format!("too few {of}s to show (fewer than {FEWEST})"),
    };
    let mut out = vec![format!(
        "Confidence (latest answer, 1–10) beside rubric scores (1–5, last {RECENT_DAYS} days):"
    )];
    for c in &cal {
        out.push(format!(
            "   {}: confidence {} · rubric {}",
            c.skill,
            figure(c.confidence, HIGHEST, "rep"),
            figure(c.rubric, 5, "score")
        ));
    }
    if let Some(gap) = widest_gap(&cal) {
        out.push(format!("   Widest gap: {gap}."));
    }
    out
}

/// Reinforcement questions per skill and team (see [`reinforcement_text`]).
pub fn question_lines(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> Vec<String> {
    let of_reps: Vec<RepQuestions> = reps
        .iter()
        .map(|r| RepQuestions {
            team: r.team,
            asked: r.asked,
        })
        .collect();
    reinforcement_text::lines(&program.skills, &of_reps, now)
}

/// Share of reps still practising each skill around each checkpoint reached, and check-in
/// rates, overall and by team.
pub fn report_figures(program: &Program, reps: &[RepRecord], now: DateTime<Utc>) -> String {
    let mut out = Vec::new();
    let mut teams: BTreeMap<&str, Vec<&RepRecord>> = BTreeMap::new();
    for r in reps {
        teams
            .entry(r.team.unwrap_or("no team"))
            .or_default()
            .push(r);
    }
    let share = percent;
    let reached = checkpoints_reached(program, now);
    for cp in &reached {
        let practising = |r: &RepRecord, skill: Option<&str>| cp.practising(r, skill);
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
    if reached.is_empty() {
        out.push("No checkpoint reached yet; adoption figures start at day 30.".into());
    }
    out.extend(confidence_lines(program, reps, now));
    out.extend(coaching_lines(program, reps, now));
    out.extend(question_lines(program, reps, now));
    out.extend(super::results::report_lines(program, reps, now));
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
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::domain::commitment::Commitment;
    use crate::domain::digest::fixtures::*;
    use crate::domain::digest::{CheckinRecord, manager_digest};
    use crate::domain::program::*;

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

        // Present and coached, with long notes: three in full, fifty-seven in a line each.
        let coaching: Vec<crate::domain::coached::Coaching> = (0..3)
            .map(|i| crate::domain::coached::Coaching {
                manager_id: "U0MGR".into(),
                rep_id: "x".into(),
                skill_id: Some("discovery".into()),
                criterion: None,
                note: "<!channel> ".repeat(90),
                next_step: None,
                coached_at: at(20 + i, 15),
            })
            .collect();
        let present: Vec<RepRecord> = ids
            .iter()
            .map(|id| {
                let mut r = rep(id, "East");
                r.commitments = &commitments;
                r.practice = &logs;
                r.coaching = &coaching;
                r
            })
            .collect();
        let d = manager_digest(&program, &present, now(), chrono_tz::America::New_York);
        let text = render_manager_digest(&program, &d, Some(3), now().date_naive());
        assert_eq!(text.matches("\nPractice ").count(), 3, "{text}");
        assert!(text.contains("*The rest of the team*"));
        assert_eq!(text.matches(" · last coached Fri 22 Jan").count(), 57);
        assert!(
            !text.contains("<!channel>"),
            "a coaching note is never repeated raw"
        );
        assert!(
            text.chars().count() < 20 * 3_000,
            "{} characters",
            text.chars().count()
        );
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
