//! Spaced reinforcement: short questions on what the kickoff taught, asked again when the
//! memory model predicts they are about to be forgotten. The model is FSRS-6 with its default
//! parameters (the `fsrs` crate, pinned): a right answer rates the review Good, a wrong one
//! Again, and each (rep, question) keeps its stability and difficulty. Pure: what was asked and
//! answered comes in; which question goes next, and when an answered one returns, come out.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::wall_clock::CronExpr;

/// A `[[questions]]` entry: one multiple-choice question on one skill.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub skill: String,
    pub prompt: String,
    pub choices: Vec<String>,
    /// The right one, exactly as in `choices`.
    pub correct: String,
    #[serde(default)]
    pub explain: Option<String>,
}

/// `[reinforcement]`: when questions go, how many a day, and what the model aims for.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Reinforcement {
    /// Each rep's local time.
    pub cron: CronExpr,
    /// The most questions a rep receives in one local day, however often `cron` fires.
    pub per_day: u32,
    /// The chance of still knowing the answer at which a question comes back.
    pub retention: f32,
    pub max_interval_days: u32,
}

impl Default for Reinforcement {
    fn default() -> Self {
        Self {
            cron: "0 30 10 * * Mon-Fri"
                .parse()
                .expect("a valid built-in cron"),
            per_day: 1,
            retention: 0.9,
            max_interval_days: 30,
        }
    }
}

pub const PER_DAY_AT_MOST: u32 = 3;
pub const CHOICES: std::ops::RangeInclusive<usize> = 2..=5;

/// Ids shared by every record that names them: a preview holds millions of records, and
/// cloning one costs a count, not an allocation.
pub type Id = std::sync::Arc<str>;

/// What a rep's memory of one question is, after their answers so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Memory {
    pub rep: Id,
    pub question: Id,
    pub stability: f32,
    pub difficulty: f32,
    /// When they last answered it, and the local day that was.
    pub last_answered: DateTime<Utc>,
    pub last_day: NaiveDate,
    /// The local day it is due again.
    pub due: NaiveDate,
    pub reviews: u32,
    pub lapses: u32,
}

/// One question asked of one rep, and their first answer to it, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct Asked {
    pub rep: Id,
    pub question: Id,
    pub skill: Id,
    pub asked_at: DateTime<Utc>,
    /// The rep's local day it was asked on.
    pub asked_on: NaiveDate,
    pub answer: Option<Answer>,
}

/// A first answer: what was chosen, whether it was right, and what the model made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub answered_at: DateTime<Utc>,
    pub choice: String,
    pub correct: bool,
    /// Days since the rep last answered this question (0 the first time).
    pub elapsed_days: u32,
    /// The model's chance that they knew it, just before they answered (none the first time).
    pub recall_before: Option<f32>,
    pub next_due: NaiveDate,
}

static MODEL: LazyLock<fsrs::FSRS> = LazyLock::new(|| {
    fsrs::FSRS::new(&fsrs::DEFAULT_PARAMETERS).expect("FSRS accepts its own default parameters")
});

/// The chance the rep still knows `m` on `day`.
pub fn recall(m: &Memory, day: NaiveDate) -> f32 {
    let elapsed = (day - m.last_day).num_days().max(0) as f32;
    fsrs::current_retrievability(
        fsrs::MemoryState {
            stability: m.stability,
            difficulty: m.difficulty,
        },
        elapsed,
        fsrs::FSRS6_DEFAULT_DECAY,
    )
}

/// A review's result: the memory after it and what the answer log keeps of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Review {
    pub memory: Memory,
    pub elapsed_days: u32,
    pub recall_before: Option<f32>,
}

/// Feeds one answer to the model: right is Good, wrong is Again, with the real days since the
/// last answer (absences included). The next due day is at least tomorrow and at most
/// `max_interval_days` away.
pub fn review(
    prior: Option<&Memory>,
    rep: &Id,
    question: &Id,
    right: bool,
    at: DateTime<Utc>,
    day: NaiveDate,
    settings: &Reinforcement,
) -> Review {
    let elapsed_days = prior.map_or(0, |m| (day - m.last_day).num_days().max(0) as u32);
    let state = prior.map(|m| fsrs::MemoryState {
        stability: m.stability,
        difficulty: m.difficulty,
    });
    let recall_before = prior.map(|m| recall(m, day));
    // The model refuses only states it never produces; a fresh start is the safe answer then.
    let next = MODEL
        .next_states(state, settings.retention, elapsed_days)
        .or_else(|_| MODEL.next_states(None, settings.retention, 0))
        .expect("FSRS schedules a new item");
    let item = if right { next.good } else { next.again };
    let days =
        (item.interval.round() as i64).clamp(1, i64::from(settings.max_interval_days.max(1)));
    Review {
        memory: Memory {
            rep: rep.clone(),
            question: question.clone(),
            stability: item.memory.stability,
            difficulty: item.memory.difficulty,
            last_answered: at,
            last_day: day,
            due: day + Duration::days(days),
            reviews: prior.map_or(0, |m| m.reviews) + 1,
            lapses: prior.map_or(0, |m| m.lapses) + u32::from(!right && prior.is_some()),
        },
        elapsed_days,
        recall_before,
    }
}

/// A rep's first answer to `asked`, on their local `day`: what the answer log keeps, and their
/// memory of the question after it.
pub fn answer(
    prior: Option<&Memory>,
    asked: &Asked,
    choice: &str,
    correct: bool,
    at: DateTime<Utc>,
    day: NaiveDate,
    settings: &Reinforcement,
) -> (Answer, Memory) {
    let r = review(
        prior,
        &asked.rep,
        &asked.question,
        correct,
        at,
        day,
        settings,
    );
    let answer = Answer {
        answered_at: at,
        choice: choice.to_string(),
        correct,
        elapsed_days: r.elapsed_days,
        recall_before: r.recall_before,
        next_due: r.memory.due,
    };
    (answer, r.memory)
}

/// Why no question goes to a rep at one of the `cron` times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoQuestion {
    /// They already had `per_day` today.
    DayIsFull,
    /// Nothing due, and every question has been asked.
    NothingDue,
}

/// A question left unanswered is not asked again for these days: the rep sees others first.
pub const REST_DAYS: i64 = 3;

/// The question to ask a rep at a `cron` time on their local `today`: due repeats before new
/// questions, the weakest skill (lowest mean predicted recall) first and, within it, the
/// question they are likeliest to have forgotten, which after an absence is the most overdue.
pub fn next_question<'q>(
    questions: &'q [Question],
    memories: &[&Memory],
    asked: &[&Asked],
    today: NaiveDate,
    per_day: u32,
) -> Result<&'q Question, NoQuestion> {
    if asked.iter().filter(|a| a.asked_on == today).count() >= per_day as usize {
        return Err(NoQuestion::DayIsFull);
    }
    let resting = |q: &Question| {
        asked.iter().any(|a| {
            *a.question == *q.id
                && (a.asked_on == today
                    || (a.answer.is_none() && (today - a.asked_on).num_days() < REST_DAYS))
        })
    };
    let memory: HashMap<&str, &Memory> = memories.iter().map(|m| (&*m.question, *m)).collect();
    let skill_recall = skill_recall(questions, &memory, today);
    let weakness = |q: &Question| skill_recall.get(q.skill.as_str()).copied().unwrap_or(0.0);
    let due = questions
        .iter()
        .filter(|q| !resting(q))
        .filter_map(|q| Some((q, *memory.get(q.id.as_str())?)))
        .filter(|(_, m)| m.due <= today)
        .min_by(|(a, ma), (b, mb)| {
            (weakness(a), recall(ma, today))
                .partial_cmp(&(weakness(b), recall(mb, today)))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .map(|(q, _)| q);
    if let Some(q) = due {
        return Ok(q);
    }
    // New questions in the order of the skills' weakness, then as the program lists them.
    questions
        .iter()
        .filter(|q| !resting(q) && !memory.contains_key(q.id.as_str()))
        .min_by(|a, b| {
            weakness(a)
                .partial_cmp(&weakness(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .ok_or(NoQuestion::NothingDue)
}

/// Each skill's mean predicted recall over the questions the rep has answered; a skill with
/// none answered yet is missing, and counts as the weakest.
fn skill_recall<'q>(
    questions: &'q [Question],
    memory: &HashMap<&str, &Memory>,
    today: NaiveDate,
) -> HashMap<&'q str, f32> {
    let mut sums: HashMap<&str, (f32, u32)> = HashMap::new();
    for q in questions {
        if let Some(m) = memory.get(q.id.as_str()) {
            let e = sums.entry(q.skill.as_str()).or_default();
            e.0 += recall(m, today);
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(s, (sum, n))| (s, sum / n as f32))
        .collect()
}

/// The Wilson score interval at 95 % for `right` out of `n`, as fractions.
pub fn wilson(right: usize, n: usize) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let z = 1.959_964_f64;
    let (n, p) = (n as f64, right as f64 / n as f64);
    let centre = p + z * z / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    let denominator = 1.0 + z * z / n;
    Some((
        ((centre - spread) / denominator).max(0.0),
        ((centre + spread) / denominator).min(1.0),
    ))
}

/// Answers split as the figures read them: how many asked, how many answered, and right out
/// of answered at a question's first exposure and on later reviews. Unanswered is never wrong.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub asked: usize,
    pub answered: usize,
    pub first: (usize, usize),
    pub later: (usize, usize),
}

/// The tally of `asked` (one rep's or many), counting a question's first answer per rep as its
/// first exposure.
pub fn tally<'a>(asked: impl IntoIterator<Item = &'a Asked>) -> Tally {
    let mut rows: Vec<&Asked> = asked.into_iter().collect();
    rows.sort_by_key(|a| a.asked_at);
    let mut seen = std::collections::HashSet::new();
    let mut t = Tally::default();
    for a in rows {
        t.asked += 1;
        let Some(answer) = &a.answer else { continue };
        t.answered += 1;
        let bucket = if seen.insert((&*a.rep, &*a.question)) {
            &mut t.first
        } else {
            &mut t.later
        };
        bucket.0 += usize::from(answer.correct);
        bucket.1 += 1;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + Duration::days(i64::from(day))
    }

    fn at(day: NaiveDate) -> DateTime<Utc> {
        day.and_hms_opt(10, 30, 0).unwrap().and_utc()
    }

    fn question(id: &str, skill: &str) -> Question {
        Question {
            id: id.into(),
            skill: skill.into(),
            prompt: "?".into(),
            choices: vec!["a".into(), "b".into()],
            correct: "a".into(),
            explain: None,
        }
    }

    /// The days a question comes back on when answered as `answers` says, each on its due day.
    fn due_days(answers: &[bool], max_interval_days: u32) -> Vec<i64> {
        let settings = Reinforcement {
            max_interval_days,
            ..Reinforcement::default()
        };
        let mut memory: Option<Memory> = None;
        let mut day = d(0);
        let mut out = Vec::new();
        for right in answers {
            let r = review(
                memory.as_ref(),
                &"U1".into(),
                &"q1".into(),
                *right,
                at(day),
                day,
                &settings,
            );
            day = r.memory.due;
            out.push((day - d(0)).num_days());
            memory = Some(r.memory);
        }
        out
    }

    #[test]
    fn a_right_answer_comes_back_later_than_a_wrong_one_as_fsrs_schedules_it() {
        // The figures for FSRS-6's defaults at retention 0.9.
        assert_eq!(due_days(&[true, true, true], 365), vec![2, 13, 59]);
        assert_eq!(due_days(&[false, true, true, true], 365), vec![1, 3, 9, 26]);
        // The longest interval is the program's.
        assert_eq!(due_days(&[true, true, true], 30), vec![2, 13, 43]);
    }

    #[test]
    fn the_real_days_away_are_fed_to_the_model_and_recall_falls_with_them() {
        let settings = Reinforcement::default();
        let first = review(
            None,
            &"U1".into(),
            &"q1".into(),
            true,
            at(d(0)),
            d(0),
            &settings,
        )
        .memory;
        assert!(recall(&first, d(2)) > recall(&first, d(20)));
        let late = review(
            Some(&first),
            &"U1".into(),
            &"q1".into(),
            true,
            at(d(20)),
            d(20),
            &settings,
        );
        assert_eq!(late.elapsed_days, 20);
        assert!(late.recall_before.unwrap() < 0.9);
        let wrong = review(
            Some(&first),
            &"U1".into(),
            &"q1".into(),
            false,
            at(d(2)),
            d(2),
            &settings,
        );
        assert_eq!((wrong.memory.reviews, wrong.memory.lapses), (2, 1));
    }

    #[test]
    fn due_repeats_come_before_new_questions_and_the_weakest_skill_first() {
        let settings = Reinforcement::default();
        let questions = vec![
            question("d1", "discovery"),
            question("o1", "objections"),
            question("o2", "objections"),
            question("n1", "discovery"),
        ];
        // d1 answered right long ago, o1 wrong recently: both due, objections the weaker.
        let d1 = review(
            None,
            &"U1".into(),
            &"d1".into(),
            true,
            at(d(0)),
            d(0),
            &settings,
        )
        .memory;
        let o1 = review(
            None,
            &"U1".into(),
            &"o1".into(),
            false,
            at(d(8)),
            d(8),
            &settings,
        )
        .memory;
        let today = d(10);
        assert!(d1.due <= today && o1.due <= today);
        let pick = next_question(&questions, &[&d1, &o1], &[], today, 1).unwrap();
        assert_eq!(pick.id, "o1");
        // With nothing due, a new question of the weakest skill: objections has only o1 (a
        // lapse), discovery has d1 well known.
        let later = d(9);
        let d1_fresh = review(
            None,
            &"U1".into(),
            &"d1".into(),
            true,
            at(d(8)),
            d(8),
            &settings,
        )
        .memory;
        let o1_fresh = review(
            None,
            &"U1".into(),
            &"o1".into(),
            true,
            at(d(8)),
            d(8),
            &settings,
        )
        .memory;
        let o1_weak = Memory {
            stability: 0.2,
            ..o1_fresh
        };
        let pick = next_question(&questions, &[&d1_fresh, &o1_weak], &[], later, 1).unwrap();
        assert_eq!(pick.id, "o2");
    }

    #[test]
    fn after_an_absence_the_most_overdue_comes_first_one_a_day() {
        let settings = Reinforcement::default();
        let questions = vec![question("a", "s"), question("b", "s")];
        // Both answered right before three weeks away; `a` a week earlier than `b`.
        let a = review(
            None,
            &"U1".into(),
            &"a".into(),
            true,
            at(d(0)),
            d(0),
            &settings,
        )
        .memory;
        let b = review(
            None,
            &"U1".into(),
            &"b".into(),
            true,
            at(d(7)),
            d(7),
            &settings,
        )
        .memory;
        let back = d(30);
        assert!(recall(&a, back) < recall(&b, back));
        assert_eq!(
            next_question(&questions, &[&a, &b], &[], back, 1)
                .unwrap()
                .id,
            "a"
        );
        let asked_a = Asked {
            rep: "U1".into(),
            question: "a".into(),
            skill: "s".into(),
            asked_at: at(back),
            asked_on: back,
            answer: None,
        };
        assert_eq!(
            next_question(&questions, &[&a, &b], &[&asked_a], back, 1).unwrap_err(),
            NoQuestion::DayIsFull,
            "the backlog drains at per_day"
        );
        assert_eq!(
            next_question(&questions, &[&a, &b], &[&asked_a], back, 2)
                .unwrap()
                .id,
            "b"
        );
    }

    #[test]
    fn a_full_day_and_an_unanswered_question_hold_back() {
        let questions = vec![question("q1", "s"), question("q2", "s")];
        let asked = Asked {
            rep: "U1".into(),
            question: "q1".into(),
            skill: "s".into(),
            asked_at: at(d(0)),
            asked_on: d(0),
            answer: None,
        };
        assert_eq!(
            next_question(&questions, &[], &[&asked], d(0), 1).unwrap_err(),
            NoQuestion::DayIsFull
        );
        // The next day the unanswered one rests and the other is asked; then nothing is left.
        assert_eq!(
            next_question(&questions, &[], &[&asked], d(1), 1)
                .unwrap()
                .id,
            "q2"
        );
        let q2 = Asked {
            question: "q2".into(),
            asked_on: d(1),
            ..asked.clone()
        };
        assert_eq!(
            next_question(&questions, &[], &[&asked, &q2], d(2), 1).unwrap_err(),
            NoQuestion::NothingDue
        );
        assert_eq!(
            next_question(&questions, &[], &[&asked, &q2], d(3), 1)
                .unwrap()
                .id,
            "q1"
        );
    }

    #[test]
    fn the_tally_splits_first_answers_from_reviews_and_never_counts_silence_as_wrong() {
        let answer = |correct: bool, day: u32| Answer {
            answered_at: at(d(day)),
            choice: "a".into(),
            correct,
            elapsed_days: 0,
            recall_before: None,
            next_due: d(day + 1),
        };
        let asked = |q: &str, day: u32, answer: Option<Answer>| Asked {
            rep: "U1".into(),
            question: q.into(),
            skill: "s".into(),
            asked_at: at(d(day)),
            asked_on: d(day),
            answer,
        };
        let rows = [
            asked("q1", 0, Some(answer(false, 0))),
            asked("q2", 1, None),
            asked("q1", 2, Some(answer(true, 2))),
            asked("q2", 5, Some(answer(true, 5))),
        ];
        let t = tally(&rows);
        assert_eq!(
            t,
            Tally {
                asked: 4,
                answered: 3,
                first: (1, 2),
                later: (1, 1),
            }
        );
    }

    #[test]
    fn the_wilson_interval_matches_the_textbook() {
        let (lo, hi) = wilson(8, 10).unwrap();
        assert!(
            (lo - 0.4902).abs() < 1e-3 && (hi - 0.9433).abs() < 1e-3,
            "{lo} {hi}"
        );
        assert_eq!(wilson(0, 0), None);
        let (lo, hi) = wilson(0, 5).unwrap();
        assert!(lo == 0.0 && hi < 0.5);
    }
}
