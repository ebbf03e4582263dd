//! Commitments, addressed by person and short id.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Store, on_db};
use crate::domain::commitment::{
    Commitment, CommitmentInput, CommitmentKind, CommitmentStatus, Target,
};

#[derive(sqlx::FromRow, serde::Deserialize)]
struct Row {
    user_id: String,
    seq: i64,
    text: String,
    target_number: Option<f64>,
    target_unit: Option<String>,
    due_date: Option<NaiveDate>,
    kind: String,
    status: String,
    program_week: Option<i64>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    done_at: Option<DateTime<Utc>>,
}

// A macro, not a const, so statements stay `&'static str` (sqlx refuses built strings).
macro_rules! columns {
    () => {
        "user_id, seq, text, target_number, target_unit, due_date, kind, status, program_week, created_at, updated_at, done_at"
    };
}

impl TryFrom<Row> for Commitment {
    type Error = anyhow::Error;
    fn try_from(r: Row) -> anyhow::Result<Commitment> {
        Ok(Commitment {
            user_id: r.user_id,
            seq: u32::try_from(r.seq)?,
            text: r.text,
            target: r.target_number.map(|number| Target {
                number,
                unit: r.target_unit,
            }),
            due: r.due_date,
            kind: CommitmentKind::parse(&r.kind)
                .ok_or_else(|| anyhow::anyhow!("unknown kind {}", r.kind))?,
            status: CommitmentStatus::parse(&r.status)
                .ok_or_else(|| anyhow::anyhow!("unknown status {}", r.status))?,
            week: r.program_week.map(u32::try_from).transpose()?,
            created_at: r.created_at,
            updated_at: r.updated_at,
            done_at: r.done_at,
        })
    }
}

/// How often a commitment takes the next short id when another took it first.
const SEQ_TRIES: u32 = 64;

impl Store {
    /// Records a commitment under the person's next short id, in one statement: the id is
    /// taken and used at once. Two made at once by one person on PostgreSQL can both read the
    /// same last id; the second is refused by the unique (user, seq) and tried again. (SQLite
    /// has one writer at a time.) The person row comes from a trigger.
    pub async fn add_commitment(
        &self,
        user_id: &str,
        input: &CommitmentInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Commitment> {
        let mut tries = 0;
        loop {
            let added: Result<Row, sqlx::Error> = on_db!(write self, |pool| {
                sqlx::query_as(concat!(
                "INSERT INTO commitments (user_id, seq, text, target_number, target_unit, due_date, kind, program_week, created_at, updated_at)
                 VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM commitments WHERE user_id = $1), $2, $3, $4, $5, $6, $7, $8, $8)
                 RETURNING ",
                columns!()
            ))
            .bind(user_id)
            .bind(&input.text)
            .bind(input.target.as_ref().map(|t| t.number))
            .bind(input.target.as_ref().and_then(|t| t.unit.as_deref()))
            .bind(input.due)
            .bind(input.kind.as_str())
            .bind(input.week.map(i64::from))
            .bind(now)
            .fetch_one(pool)
            .await
            });
            match added {
                // Another of the rep's commitments took the number first (PostgreSQL writes
                // concurrently): take the next. Each try costs one statement, and a rep sending
                // many at once needs as many tries as there are before theirs.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() && tries < SEQ_TRIES => {
                    tries += 1;
                }
                added => return added?.try_into(),
            }
        }
    }

    pub async fn commitment(&self, user_id: &str, seq: u32) -> anyhow::Result<Option<Commitment>> {
        let row: Option<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments WHERE user_id = $1 AND seq = $2"
        ))
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(pool)
        .await?);
        row.map(TryInto::try_into).transpose()
    }

    /// The person's commitments with `status`, oldest first.
    pub async fn commitments_with_status(
        &self,
        user_id: &str,
        status: CommitmentStatus,
    ) -> anyhow::Result<Vec<Commitment>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments WHERE user_id = $1 AND status = $2 ORDER BY seq"
        ))
        .bind(user_id)
        .bind(status.as_str())
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every commitment of `people`.
    pub(super) async fn commitments_of_people(
        &self,
        people: &[String],
    ) -> anyhow::Result<Vec<Commitment>> {
        // On SQLite as JSON per group of people, as practice is read (`practice_of_people`).
        let rows: Vec<Row> = on_db!(read self, |pool, dialect| match dialect {
            super::Dialect::Sqlite => {
                let mut rows = Vec::new();
                for group in super::in_groups(people)? {
                    let json: String = sqlx::query_scalar(
                        "SELECT json_group_array(json_object('user_id', user_id, 'seq', seq, 'text', text, 'target_number', target_number, 'target_unit', target_unit, 'due_date', due_date, 'kind', kind, 'status', status, 'program_week', program_week, 'created_at', created_at, 'updated_at', updated_at, 'done_at', done_at))
                         FROM (SELECT * FROM commitments WHERE user_id IN (SELECT value FROM json_each($1)) ORDER BY user_id, seq)",
                    )
                    .bind(group)
                    .fetch_one(pool)
                    .await?;
                    rows.extend(serde_json::from_str::<Vec<Row>>(&json)?);
                }
                rows.sort_by(|a, b| (&a.user_id, a.seq).cmp(&(&b.user_id, b.seq)));
                rows
            }
            super::Dialect::Postgres => sqlx::query_as(concat!(
                "SELECT ",
                columns!(),
                " FROM commitments WHERE user_id IN (SELECT value FROM json_array_elements_text($1::json)) ORDER BY user_id, seq"
            ))
            .bind(serde_json::to_string(people)?)
            .fetch_all(pool)
            .await?,
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every commitment of everyone, oldest first, for digests and exports.
    pub async fn all_commitments(&self) -> anyhow::Result<Vec<Commitment>> {
        let rows: Vec<Row> = on_db!(read self, |pool| sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments ORDER BY created_at, id"
        ))
        .fetch_all(pool)
        .await?);
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Moves a commitment to `status`; `None` when the person has no such commitment.
    pub async fn set_commitment_status(
        &self,
        user_id: &str,
        seq: u32,
        status: CommitmentStatus,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Commitment>> {
        let done_at = (status == CommitmentStatus::Done).then_some(now);
        let row: Option<Row> = on_db!(write self, |pool| {
            sqlx::query_as(concat!(
            "UPDATE commitments SET status = $1, updated_at = $2, done_at = $3 WHERE user_id = $4 AND seq = $5 RETURNING ",
            columns!()
        ))
        .bind(status.as_str())
        .bind(now)
        .bind(done_at)
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(pool)
        .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Rewrites a commitment's text and what was recognised in it, keeping its short id.
    pub async fn edit_commitment(
        &self,
        user_id: &str,
        seq: u32,
        input: &CommitmentInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Option<Commitment>> {
        let row: Option<Row> = on_db!(write self, |pool| {
            sqlx::query_as(concat!(
            "UPDATE commitments SET text = $1, target_number = $2, target_unit = $3, due_date = $4, kind = $5, updated_at = $6
             WHERE user_id = $7 AND seq = $8 RETURNING ",
            columns!()
        ))
        .bind(&input.text)
        .bind(input.target.as_ref().map(|t| t.number))
        .bind(input.target.as_ref().and_then(|t| t.unit.as_deref()))
        .bind(input.due)
        .bind(input.kind.as_str())
        .bind(now)
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(pool)
        .await?
        });
        row.map(TryInto::try_into).transpose()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn input(text: &str) -> CommitmentInput {
        CommitmentInput {
            text: text.into(),
            target: Some(Target {
                number: 20.0,
                unit: Some("calls".into()),
            }),
            due: NaiveDate::from_ymd_opt(2027, 1, 15),
            kind: CommitmentKind::Performance,
            week: Some(1),
        }
    }

    #[tokio::test]
    async fn each_authors_commitments_are_numbered_in_order_even_when_made_at_once() {
        for (db, store) in crate::store::testing::stores().await {
            numbered_on(db, &store).await;
        }
    }

    async fn numbered_on(db: &str, store: &Store) {
        let now = Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap();
        let made =
            futures_util::future::join_all(["U1", "U2", "U1", "U1", "U2"].iter().enumerate().map(
                |(i, user)| {
                    let (store, text) = (store.clone(), format!("{user} {i}"));
                    async move { store.add_commitment(user, &input(&text), now).await }
                },
            ))
            .await;

        let mut got: Vec<(String, u32)> = made
            .into_iter()
            .map(|c| c.map(|c| (c.user_id, c.seq)).unwrap())
            .collect();
        got.sort();
        assert_eq!(
            got,
            [
                ("U1".into(), 1),
                ("U1".into(), 2),
                ("U1".into(), 3),
                ("U2".into(), 1),
                ("U2".into(), 2)
            ],
            "{db}"
        );
        let first = store.commitment("U1", 1).await.unwrap().unwrap();
        assert_eq!(first.target, input("").target);
        assert_eq!(first.due, input("").due);
        assert_eq!(first.week, Some(1));
    }
}
