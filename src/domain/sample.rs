//! Sample rep behaviour for a preview (`simulate --sample-activity`), so that the digests,
//! program reports and adoption figures an admin shows a VP have numbers in them. Deterministic:
//! the same roster always behaves the same way. Three kinds of rep, as the field sees them
//! after a kickoff: most keep at it, some fade after the second week, a few never start.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};

use super::coached::Coaching;
use super::commitment::{Commitment, CommitmentKind, CommitmentStatus};
use super::outcomes::Opportunity;
use super::practice::{PracticeContext, PracticeLog};
use super::program::{Program, Role};
use super::pulse::Confidence;
use super::reinforcement::{Asked, Question};
use super::schedule::{Member, PairSchedule};
use super::wall_clock::resolve;

/// How a sample rep behaves over the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Habit {
    /// Commits every week, practises three times, two of them in live deals, and improves.
    Diligent,
    /// Like the diligent for two weeks, then less and less, then nothing after week 5.
    Fading,
    /// One commitment in the first week, then nothing.
    Quiet,
}

/// Every tenth rep is quiet, three in ten fade, the rest keep at it (by roster order).
pub fn habit(index: usize) -> Habit {
    match index % 10 {
        3 | 6 | 9 => Habit::Fading,
        7 => Habit::Quiet,
        _ => Habit::Diligent,
    }
}

/// Each sample rep's habit, by Slack id (the reps in roster order, as [`events`] reads them).
pub fn habits(members: &[Member]) -> std::collections::HashMap<String, Habit> {
    members
        .iter()
        .filter(|m| m.role == Role::Rep)
        .enumerate()
        .map(|(i, m)| (m.slack_id.clone(), habit(i)))
        .collect()
}

/// How a sample rep answers a question asked in program week `week`: the choice and when, or
/// nothing. The diligent answer within the half hour, mostly right and better on reviews;
/// the fading like them for two weeks, then half the time, hours later, right one time in two;
/// the quiet never.
pub fn quiz_answer(
    habit: Habit,
    asked: &Asked,
    question: &Question,
    week: u32,
    reviews: u32,
) -> Option<(usize, DateTime<Utc>)> {
    let roll = asked
        .rep
        .bytes()
        .chain(asked.question.bytes())
        .fold(asked.asked_on.num_days_from_ce() as u64, |h, b| {
            h.wrapping_mul(31).wrapping_add(u64::from(b))
        });
    let right_one_in = match (habit, week) {
        (Habit::Quiet, _) => return None,
        (Habit::Fading, w) if w > 2 => {
            if roll % 2 == 0 {
                return None;
            }
            2
        }
        // Right four times in five at first sight, nine in ten on a review.
        _ if reviews == 0 => 5,
        _ => 10,
    };
    let right = question
        .choices
        .iter()
        .position(|c| *c == question.correct)?;
    let choice = if (roll / 7) % right_one_in == 0 {
        (right + 1) % question.choices.len()
    } else {
        right
    };
    let after = match habit {
        Habit::Fading if week > 2 => Duration::hours(2 + (roll % 4) as i64),
        _ => Duration::minutes(5 + (roll % 25) as i64),
    };
    Some((choice, asked.asked_at + after))
}

/// One thing a sample rep does, at the instant it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Commit(Commitment),
    /// The rep closes commitment `seq`.
    Done {
        user: String,
        seq: u32,
        at: DateTime<Utc>,
    },
    Practise(PracticeLog),
    /// An answer to the day-`day` pulse.
    Pulse {
        user: String,
        day: u32,
        answer: &'static str,
        at: DateTime<Utc>,
    },
    /// The "Rate my skills" form at a checkpoint: one answer per skill, at one instant.
    Rate(Vec<Confidence>),
    /// A manager's coaching conversation with the rep.
    Coach(Coaching),
}

impl Event {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Event::Commit(c) => c.created_at,
            Event::Practise(p) => p.logged_at,
            Event::Done { at, .. } | Event::Pulse { at, .. } => *at,
            Event::Rate(answers) => answers
                .first()
                .map_or(DateTime::UNIX_EPOCH, |a| a.answered_at),
            Event::Coach(c) => c.coached_at,
        }
    }
}

const COMMITMENTS: [&str; 4] = [
    "3 discovery calls with the 4-question pain framework by Friday",
    "Quantify the cost of the problem with every buyer in late stage this week",
    "Role-play the top 3 objections with my partner before Thursday",
    "Use the new battlecard in 2 competitive deals by Friday",
];
const COACHING_NOTES: [&str; 3] = [
    "Listened to your Acme call: the first pain question landed; you moved to the demo before the impact.",
    "Role-played the price objection: acknowledge first, then one question before any number.",
    "Your next steps were vague on two calls; end each with a dated step the buyer owns.",
];
const DEAL_NOTES: [&str; 5] = [
    "Buyer named the cost of churn: about $40k a quarter. First time I got a number.",
    "Asked the impact question early; the champion pulled in their CFO.",
    "Price objection came up; acknowledged it and explored before answering. Deal moved to proposal.",
    "Used the battlecard against the incumbent; they asked for a second demo.",
    "Pain questions felt forced on the first call, natural by the third.",
];

const ACCOUNTS: [&str; 8] = [
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell",
];

/// The program with sample opportunities when it reads none from a CRM: for each rep, six
/// deals opened through the program and five in the same weeks a year earlier, each closing
/// three to seven weeks after it opened (those past the program's end stay open). The deals
/// reps practise in are won more often, an association the report then shows as such. A rep without an
/// email gets `<slack id>@sample.invalid`, so their deals have an owner.
pub fn with_opportunities(program: &Program, members: &[Member]) -> Program {
    let mut out = program.clone();
    if !program.opportunities.is_empty() {
        return out;
    }
    let s = &program.settings;
    let year_ago = s
        .kickoff
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(s.kickoff);
    let habits = habits(members);
    let mut deals = Vec::new();
    for (i, person) in out
        .people
        .iter_mut()
        .filter(|p| p.role == Role::Rep)
        .enumerate()
    {
        let email = person
            .email
            .get_or_insert_with(|| format!("{}@sample.invalid", person.slack_id))
            .to_lowercase();
        let habit = habits
            .get(&person.slack_id)
            .copied()
            .unwrap_or(Habit::Quiet);
        let deal =
            |id: String, k: usize, created: NaiveDate, units: usize, closed, won| Opportunity {
                id,
                name: format!(
                    "{} {}",
                    ACCOUNTS[(i * 3 + k) % ACCOUNTS.len()],
                    if k.is_multiple_of(2) {
                        "expansion"
                    } else {
                        "new logo"
                    }
                ),
                owner_email: email.clone(),
                amount_cents: units as i64 * 100,
                created,
                closed,
                won,
                stage: None,
                account: None,
                line: 0,
            };
        for k in 0..6 {
            let created = s.kickoff + Duration::days((k * 12 + i % 7) as i64);
            let closes = created + Duration::days((21 + (i + k * 5) % 5 * 7) as i64);
            // The even ones are those they practise in (see `events`): won more often.
            let won = match habit {
                Habit::Diligent | Habit::Fading if k % 2 == 0 => (i + k) % 4 != 0,
                Habit::Quiet => (i + k) % 3 == 0,
                _ => (i + k) % 2 == 0,
            };
            let closed = (closes <= s.last_day()).then_some(closes);
            let units = 4000 + (i * 37 + k * 53) % 17 * 1000;
            let id = format!("SAMPLE-{i:05}-{k}");
            deals.push(deal(id, k, created, units, closed, closed.map(|_| won)));
        }
        for k in 0..5 {
            let created = year_ago + Duration::days((k * 14 + i % 5) as i64);
            let closed = created + Duration::days((28 + k % 3 * 7) as i64);
            let units = 3500 + (i * 29 + k * 41) % 15 * 1000;
            let id = format!("SAMPLE-{i:05}-L{k}");
            deals.push(deal(
                id,
                k,
                created,
                units,
                Some(closed),
                Some((i + k) % 2 == 0),
            ));
        }
    }
    out.opportunities = deals;
    out.outcomes_file = "(sample opportunities)".into();
    out
}

/// Every sample event of the program's reps, in time order.
pub fn events(program: &Program, members: &[Member], pairs: &PairSchedule) -> Vec<Event> {
    let s = &program.settings;
    let mut out = Vec::new();
    let reps = members.iter().filter(|m| m.role == Role::Rep);
    // Live practice is tied to one of the rep's deals open that day, when they have one.
    let mut deals_of: std::collections::HashMap<&str, Vec<&Opportunity>> = Default::default();
    for o in &program.opportunities {
        deals_of.entry(o.owner_email.as_str()).or_default().push(o);
    }
    for (i, rep) in reps.enumerate() {
        let habit = habit(i);
        let deals: &[&Opportunity] = program
            .person(&rep.slack_id)
            .and_then(|p| p.email.as_deref())
            .and_then(|e| deals_of.get(e.to_lowercase().as_str()))
            .map_or(&[], Vec::as_slice);
        // Every other deal of theirs is one they practise in; the rest go without.
        let open_on = |date: NaiveDate, pick: usize| {
            let open: Vec<&&Opportunity> = deals
                .iter()
                .step_by(2)
                .filter(|o| o.created <= date && o.closed.is_none_or(|c| c >= date))
                .collect();
            (!open.is_empty()).then(|| open[pick % open.len()].id.clone())
        };
        let at = |date: NaiveDate, hour: u32| {
            resolve(rep.timezone, date.and_hms_opt(hour, 15, 0).expect("a time"))
        };
        // Each rep is coached every other week on a Thursday afternoon; the second manager
        // lets it slip in the pressure weeks, as the seeds warn managers do.
        let manager = program
            .person(&rep.slack_id)
            .and_then(|p| p.manager.clone());
        let managers: Vec<&str> = program
            .people
            .iter()
            .filter(|p| p.role == Role::Manager)
            .map(|p| p.slack_id.as_str())
            .collect();
        if let Some(manager) = manager.filter(|_| !program.skills.is_empty()) {
            let slipping = managers.iter().position(|m| *m == manager) == Some(1);
            for week in 1..=s.weeks() {
                let pressure = s.pressure_weeks.contains(&week);
                if (week as usize + i) % 2 == 1 || (slipping && pressure) {
                    continue;
                }
                let thursday = s.kickoff + Duration::days(7 * i64::from(week - 1) + 3);
                if thursday > s.last_day() {
                    continue;
                }
                let skill = &program.skills[(i + week as usize) % program.skills.len()];
                out.push(Event::Coach(Coaching {
                    manager_id: manager.clone(),
                    rep_id: rep.slack_id.clone(),
                    skill_id: Some(skill.id.clone()),
                    criterion: skill.rubric.first().map(|c| c.criterion.clone()),
                    note: COACHING_NOTES[(i + week as usize) % COACHING_NOTES.len()].to_string(),
                    next_step: Some("Try it on your next two calls and log them.".into()),
                    coached_at: at(thursday, 14),
                }));
            }
        }
        let mut seq = 0;
        for week in 1..=s.weeks() {
            let monday = s.kickoff + Duration::days(7 * i64::from(week - 1));
            let day = |d: Weekday| monday + Duration::days(i64::from(d.num_days_from_monday()));
            let active = match habit {
                Habit::Diligent => true,
                Habit::Fading => week <= 5,
                Habit::Quiet => week == 1,
            };
            if !active {
                continue;
            }
            seq += 1;
            let text = COMMITMENTS[(i + week as usize) % COMMITMENTS.len()];
            out.push(Event::Commit(Commitment {
                user_id: rep.slack_id.clone(),
                seq,
                text: text.to_string(),
                target: None,
                due: Some(day(Weekday::Fri)),
                kind: CommitmentKind::Performance,
                status: CommitmentStatus::Open,
                week: s.program_week(day(Weekday::Mon)),
                created_at: at(day(Weekday::Mon), 9),
                updated_at: at(day(Weekday::Mon), 9),
                done_at: None,
            }));
            if habit == Habit::Quiet {
                continue;
            }
            let keeps_up = habit == Habit::Diligent || week <= 2;
            if keeps_up {
                out.push(Event::Done {
                    user: rep.slack_id.clone(),
                    seq,
                    at: at(day(Weekday::Thu), 16),
                });
            }
            // Practice: three a week while keeping up, one a week when fading.
            let sessions: &[(Weekday, PracticeContext)] = if keeps_up {
                &[
                    (Weekday::Tue, PracticeContext::Roleplay),
                    (Weekday::Wed, PracticeContext::Live),
                    (Weekday::Thu, PracticeContext::Live),
                ]
            } else {
                &[(Weekday::Wed, PracticeContext::Live)]
            };
            for (n, (weekday, context)) in sessions.iter().enumerate() {
                if program.skills.is_empty() {
                    break;
                }
                let skill = &program.skills[(i + n + week as usize) % program.skills.len()];
                // Scores climb a point every two weeks for those who keep practising.
                let score = (2 + (week + n as u32) / 2).min(5) as u8;
                let partner = (*context == PracticeContext::Roleplay)
                    .then(|| {
                        pairs
                            .partners(&rep.slack_id, week)
                            .first()
                            .map(|p| p.to_string())
                    })
                    .flatten();
                let rubric = skill
                    .rubric
                    .iter()
                    .enumerate()
                    .map(|(c, criterion)| {
                        // The second criterion lags: what a manager should coach.
                        let lag = u8::from(c == 1);
                        (
                            criterion.criterion.clone(),
                            score.saturating_sub(lag).max(1),
                        )
                    })
                    .collect();
                out.push(Event::Practise(PracticeLog {
                    user_id: rep.slack_id.clone(),
                    skill_id: skill.id.clone(),
                    context: *context,
                    partner_id: partner,
                    score: Some(score),
                    notes: (*context == PracticeContext::Live)
                        .then(|| DEAL_NOTES[(i + week as usize + n) % DEAL_NOTES.len()].into()),
                    rubric,
                    week: s.program_week(day(*weekday)),
                    logged_at: at(day(*weekday), 11 + n as u32 * 2),
                    // At most one deal named a week, and not every week: many deals go
                    // without a logged application, as they do in the field.
                    deal_id: (*context == PracticeContext::Live
                        && n + 1 == sessions.len()
                        && !(week as usize + i).is_multiple_of(3))
                    .then(|| open_on(day(*weekday), week as usize + n))
                    .flatten(),
                }));
            }
        }
        for cp in &program.checkpoints {
            let date = s.kickoff + Duration::days(i64::from(cp.day) - 1);
            // Answered the day of the pulse (the working day before, as the pulse itself moves
            // when it falls on a day off at the end), an hour or so after it came.
            let mut answered = date;
            while !s.is_working_day(answered) && answered > s.kickoff {
                answered -= Duration::days(1);
            }
            let hour = cp.at.hour() + 1;
            // The diligent start modest and grow sure; the fading stay sure of themselves.
            let confidence = |skill: usize| -> u8 {
                let grown = u8::try_from(cp.day / 30).unwrap_or(3);
                let base = match habit {
                    Habit::Diligent => 4 + grown,
                    Habit::Fading => 7 + grown.min(1),
                    Habit::Quiet => 6,
                };
                (base + u8::try_from(skill % 2).unwrap_or(0)).min(10)
            };
            if habit != Habit::Quiet || cp.day == 1 {
                out.push(Event::Rate(
                    program
                        .skills
                        .iter()
                        .enumerate()
                        .map(|(n, skill)| Confidence {
                            user_id: rep.slack_id.clone(),
                            day: cp.day,
                            skill_id: skill.id.clone(),
                            value: confidence(n),
                            answered_at: at(answered, hour),
                        })
                        .collect(),
                ));
            }
            // The kickoff's baseline asks confidence only: nothing is in use yet.
            if cp.day == 1 {
                continue;
            }
            let answer = match (habit, cp.day > 30) {
                (Habit::Diligent, _) => "every",
                (Habit::Fading, false) => "most",
                (Habit::Fading, true) => "some",
                (Habit::Quiet, _) => continue,
            };
            out.push(Event::Pulse {
                user: rep.slack_id.clone(),
                day: cp.day,
                answer,
                at: at(answered, hour),
            });
        }
    }
    out.sort_by_key(Event::at);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_keep_at_it_some_fade_a_few_never_start() {
        let habits: Vec<Habit> = (0..10).map(habit).collect();
        let count = |h| habits.iter().filter(|x| **x == h).count();
        assert_eq!(
            (
                count(Habit::Diligent),
                count(Habit::Fading),
                count(Habit::Quiet)
            ),
            (6, 3, 1)
        );
    }
}
