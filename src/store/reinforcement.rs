//! Spaced reinforcement: the questions asked and their first answers (a row per question
//! asked), and each rep's memory of each question.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, on_db};
use crate::domain::reinforcement::{self, Answer, Asked, Memory, Reinforcement};

#[derive(sqlx::FromRow)]
struct AskedRow {
    rep_id: String,
    asked_at: DateTime<Utc>,
    question_id: String,
    skill_id: String,
    asked_on: NaiveDate,
    answered_at: Option<DateTime<Utc>>,
    choice: Option<String>,
    correct: Option<bool>,
    elapsed_days: Option<i64>,
    recall_before: Option<f64>,
    next_due: Option<NaiveDate>,
}

impl From<AskedRow> for Asked {
    fn from(r: AskedRow) -> Asked {
        let answer = match (r.answered_at, r.choice, r.correct, r.next_due) {
            (Some(answered_at), Some(choice), Some(correct), Some(next_due)) => Some(Answer {
                answered_at,
                choice,
                correct,
                elapsed_days: r.elapsed_days.unwrap_or(0).max(0) as u32,
                recall_before: r.recall_before.map(|r| r as f32),
                next_due,
            }),
            _ => None,
        };
        Asked {
            rep: r.rep_id.into(),
            question: r.question_id.into(),
            skill: r.skill_id.into(),
            asked_at: r.asked_at,
            asked_on: r.asked_on,
            answer,
        }
    }
}

#[derive(sqlx::FromRow)]
struct MemoryRow {
    rep_id: String,
    question_id: String,
    stability: f64,
    difficulty: f64,
    last_answered: DateTime<Utc>,
    last_day: NaiveDate,
    due: NaiveDate,
    reviews: i64,
    lapses: i64,
}

impl From<MemoryRow> for Memory {
    fn from(r: MemoryRow) -> Memory {
        Memory {
            rep: r.rep_id.into(),
            question: r.question_id.into(),
            stability: r.stability as f32,
            difficulty: r.difficulty as f32,
            last_answered: r.last_answered,
            last_day: r.last_day,
            due: r.due,
            reviews: r.reviews.max(0) as u32,
            lapses: r.lapses.max(0) as u32,
        }
    }
}

/// What became of an answer: recorded as the first, or refused because one came first.
#[derive(Debug, Clone, PartialEq)]
pub enum QuizAnswered {
    First(Answer),
    Already(Answer),
}

impl Store {
    /// Records that `asked` went (once, however often called).
    pub async fn record_asked(&self, a: &Asked) -> anyhow::Result<()> {
        on_db!(write self, |pool| sqlx::query(
            "INSERT INTO quiz_asked (rep_id, asked_at, question_id, skill_id, asked_on)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rep_id, asked_at) DO NOTHING",
        )
        .bind(&a.rep)
        .bind(a.asked_at)
        .bind(&a.question)
        .bind(&a.skill)
        .bind(a.asked_on)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// A rep's answer to `asked`, on their local `day`: recorded, and their memory of the
    /// question moved on, only if it is the first; in one transaction, so a second click (or
    /// one through another replica) changes nothing.
    pub async fn answer_question(
        &self,
        asked: &Asked,
        choice: &str,
        correct: bool,
        now: DateTime<Utc>,
        day: NaiveDate,
        settings: &Reinforcement,
    ) -> anyhow::Result<QuizAnswered> {
        let recorded = on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            // A question whose sending was cut short before it was recorded is still answerable.
            sqlx::query(
                "INSERT INTO quiz_asked (rep_id, asked_at, question_id, skill_id, asked_on)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (rep_id, asked_at) DO NOTHING",
            )
            .bind(&asked.rep)
            .bind(asked.asked_at)
            .bind(&asked.question)
            .bind(&asked.skill)
            .bind(asked.asked_on)
            .execute(&mut *tx)
            .await?;
            let prior: Option<MemoryRow> = sqlx::query_as(
                "SELECT rep_id, question_id, stability, difficulty, last_answered, last_day, due, reviews, lapses FROM quiz_memory WHERE rep_id = $1 AND question_id = $2",
            )
            .bind(&asked.rep)
            .bind(&asked.question)
            .fetch_optional(&mut *tx)
            .await?;
            let prior = prior.map(Memory::from);
            let (answer, memory) =
                reinforcement::answer(prior.as_ref(), asked, choice, correct, now, day, settings);
            let first = sqlx::query(
                "UPDATE quiz_asked SET answered_at = $3, choice = $4, correct = $5,
                     elapsed_days = $6, recall_before = $7, next_due = $8
                 WHERE rep_id = $1 AND asked_at = $2 AND answered_at IS NULL
                   AND question_id = $9",
            )
            .bind(&asked.rep)
            .bind(asked.asked_at)
            .bind(answer.answered_at)
            .bind(&answer.choice)
            .bind(answer.correct)
            .bind(i64::from(answer.elapsed_days))
            .bind(answer.recall_before.map(f64::from))
            .bind(answer.next_due)
            .bind(&asked.question)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if first {
                sqlx::query(
                    "INSERT INTO quiz_memory (rep_id, question_id, stability, difficulty,
                         last_answered, last_day, due, reviews, lapses)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                     ON CONFLICT (rep_id, question_id) DO UPDATE SET
                         stability = excluded.stability, difficulty = excluded.difficulty,
                         last_answered = excluded.last_answered, last_day = excluded.last_day,
                         due = excluded.due, reviews = excluded.reviews, lapses = excluded.lapses",
                )
                .bind(&memory.rep)
                .bind(&memory.question)
                .bind(f64::from(memory.stability))
                .bind(f64::from(memory.difficulty))
                .bind(memory.last_answered)
                .bind(memory.last_day)
                .bind(memory.due)
                .bind(i64::from(memory.reviews))
                .bind(i64::from(memory.lapses))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Some(answer)
            } else {
                tx.rollback().await?;
                None
            }
        });
        match recorded {
            Some(answer) => Ok(QuizAnswered::First(answer)),
            // What the first answer was, as recorded.
            None => {
                let row: Option<AskedRow> = on_db!(read self, |pool| sqlx::query_as(
                    "SELECT rep_id, asked_at, question_id, skill_id, asked_on, answered_at, choice, correct, elapsed_days, recall_before, next_due FROM quiz_asked WHERE rep_id = $1 AND asked_at = $2",
                )
                .bind(&asked.rep)
                .bind(asked.asked_at)
                .fetch_optional(pool)
                .await?);
                let first = row.map(Asked::from).and_then(|a| a.answer);
                first.map(QuizAnswered::Already).ok_or_else(|| {
                    anyhow::anyhow!("another question was asked of this rep at that time")
                })
            }
        }
    }

    /// Every question asked, oldest first: what `export --what reinforcement` shows.
    pub async fn all_asked(&self) -> anyhow::Result<Vec<Asked>> {
        let rows: Vec<AskedRow> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT rep_id, asked_at, question_id, skill_id, asked_on, answered_at, choice, correct, elapsed_days, recall_before, next_due FROM quiz_asked ORDER BY asked_at, rep_id",
        )
        .fetch_all(pool)
        .await?);
        Ok(rows.into_iter().map(Asked::from).collect())
    }

    /// The memories of `people` (a JSON array of Slack ids), and the questions asked of them
    /// since `since`, or ever for those in `whole` (another such array).
    pub(super) async fn reinforcement_of_people(
        &self,
        people: &str,
        since: DateTime<Utc>,
        whole: &str,
    ) -> anyhow::Result<(Vec<Memory>, Vec<Asked>)> {
        let memories: Vec<MemoryRow> = on_db!(read self, |pool, dialect| sqlx::query_as(dialect.pick(
            "SELECT rep_id, question_id, stability, difficulty, last_answered, last_day, due, reviews, lapses FROM quiz_memory WHERE rep_id IN (SELECT value FROM json_each($1))",
            "SELECT rep_id, question_id, stability, difficulty, last_answered, last_day, due, reviews, lapses FROM quiz_memory WHERE rep_id IN (SELECT value FROM json_array_elements_text($1::json))",
        ))
        .bind(people)
        .fetch_all(pool)
        .await?);
        let asked: Vec<AskedRow> = on_db!(read self, |pool, dialect| sqlx::query_as(dialect.pick(
            "SELECT rep_id, asked_at, question_id, skill_id, asked_on, answered_at, choice, correct, elapsed_days, recall_before, next_due FROM quiz_asked WHERE rep_id IN (SELECT value FROM json_each($1)) AND (asked_at >= $2 OR rep_id IN (SELECT value FROM json_each($3))) ORDER BY asked_at",
            "SELECT rep_id, asked_at, question_id, skill_id, asked_on, answered_at, choice, correct, elapsed_days, recall_before, next_due FROM quiz_asked WHERE rep_id IN (SELECT value FROM json_array_elements_text($1::json)) AND (asked_at >= $2 OR rep_id IN (SELECT value FROM json_array_elements_text($3::json))) ORDER BY asked_at",
        ))
        .bind(people)
        .bind(since)
        .bind(whole)
        .fetch_all(pool)
        .await?);
        Ok((
            memories.into_iter().map(Memory::from).collect(),
            asked.into_iter().map(Asked::from).collect(),
        ))
    }
}
