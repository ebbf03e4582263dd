//! Check-ins: when groups were brought together, and what they answered.

use chrono::{DateTime, Utc};

use super::{Store, on_db};
use crate::domain::checkin::{Checkin, CheckinAnswer, Group};

#[derive(sqlx::FromRow)]
struct Row {
    members: String,
    due_at: DateTime<Utc>,
    answer: Option<String>,
}

impl TryFrom<Row> for Checkin {
    type Error = anyhow::Error;

    fn try_from(r: Row) -> anyhow::Result<Checkin> {
        Ok(Checkin {
            members: Group::from_key(&r.members)
                .ok_or_else(|| anyhow::anyhow!("check-in members {:?} unreadable", r.members))?,
            due_at: r.due_at,
            answer: match r.answer {
                None => None,
                Some(a) => Some(
                    CheckinAnswer::parse(&a)
                        .ok_or_else(|| anyhow::anyhow!("check-in answer {a:?} unknown"))?,
                ),
            },
        })
    }
}

/// What an answer to a check-in did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answered {
    Recorded,
    /// That answer was recorded before.
    Already,
    NoSuchCheckin,
}

impl Store {
    /// Records a group's answer to one of its check-ins (a different answer replaces it), and
    /// says whether it changed anything: the same click twice, through whichever replica, is
    /// recorded once.
    pub async fn answer_checkin(
        &self,
        members: &Group,
        due_at: DateTime<Utc>,
        answer: CheckinAnswer,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Answered> {
        let members = members.sorted().key();
        let changed = on_db!(write self, |pool| sqlx::query(
            "UPDATE checkins SET answer = $1, answered_at = $2
             WHERE members = $3 AND due_at = $4 AND (answer IS NULL OR answer <> $1)",
        )
        .bind(answer.as_str())
        .bind(now)
        .bind(&members)
        .bind(due_at)
        .execute(pool)
        .await?
        .rows_affected());
        if changed == 1 {
            return Ok(Answered::Recorded);
        }
        let exists: bool = on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM checkins WHERE members = $1 AND due_at = $2)",
        )
        .bind(&members)
        .bind(due_at)
        .fetch_one(pool)
        .await?);
        Ok(if exists {
            Answered::Already
        } else {
            Answered::NoSuchCheckin
        })
    }

    /// A rep's answer to the day-`day` pulse; a different answer replaces the first. False
    /// when that answer was recorded before (the same click twice).
    pub async fn record_pulse(
        &self,
        user: &str,
        day: u32,
        answer: &str,
        now: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let changed = on_db!(write self, |pool| {
            sqlx::query(
            "INSERT INTO pulse_answers (user_id, day, answer, answered_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, day) DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at
             WHERE pulse_answers.answer <> excluded.answer"
        )
        .bind(user)
        .bind(i64::from(day))
        .bind(answer)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
        });
        Ok(changed == 1)
    }

    /// Everyone's pulse answers: (user, day, answer, when).
    pub async fn pulse_answers(&self) -> anyhow::Result<Vec<(String, i64, String, DateTime<Utc>)>> {
        Ok(on_db!(read self, |pool| sqlx::query_as(
            "SELECT user_id, day, answer, answered_at FROM pulse_answers ORDER BY day, user_id"
        )
        .fetch_all(pool)
        .await?))
    }

    /// The check-ins `people` (a JSON array of Slack ids) were in, oldest first.
    pub(super) async fn checkins_of_people(&self, people: &str) -> anyhow::Result<Vec<Checkin>> {
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| {
            sqlx::query_as(dialect.pick(
            "SELECT members, due_at, answer FROM checkins WHERE id IN (
               SELECT checkin_id FROM checkin_members WHERE slack_id IN (SELECT value FROM json_each($1)))
             ORDER BY due_at, members",
            "SELECT members, due_at, answer FROM checkins WHERE id IN (
               SELECT checkin_id FROM checkin_members WHERE slack_id IN (SELECT value FROM json_array_elements_text($1::json)))
             ORDER BY due_at, members",
        ))
        .bind(people)
        .fetch_all(pool)
        .await?
        });
        rows.into_iter().map(Checkin::try_from).collect()
    }

    /// The pulse answers of `people` (a JSON array of Slack ids): (user, day, answer).
    pub(super) async fn pulse_answers_of_people(
        &self,
        people: &str,
    ) -> anyhow::Result<Vec<(String, i64, String)>> {
        Ok(on_db!(read self, |pool, dialect| {
            sqlx::query_as(dialect.pick(
            "SELECT user_id, day, answer FROM pulse_answers
             WHERE user_id IN (SELECT value FROM json_each($1)) ORDER BY day, user_id",
            "SELECT user_id, day, answer FROM pulse_answers
             WHERE user_id IN (SELECT value FROM json_array_elements_text($1::json)) ORDER BY day, user_id",
        ))
        .bind(people)
        .fetch_all(pool)
        .await?
        }))
    }

    /// Every check-in, oldest first.
    pub async fn checkins(&self) -> anyhow::Result<Vec<Checkin>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT members, due_at, answer FROM checkins ORDER BY due_at, members"
        )
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(Checkin::try_from).collect()
    }
}
