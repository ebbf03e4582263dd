//! Commitments, addressed by person and short id.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::SqlitePool;

use super::Store;
use crate::domain::commitment::{
    Commitment, CommitmentInput, CommitmentKind, CommitmentStatus, Target,
};

#[derive(sqlx::FromRow)]
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

#[derive(Clone)]
pub(super) struct NewCommitment {
    user_id: String,
    input: CommitmentInput,
    now: DateTime<Utc>,
}

/// Inserts a group of commitments in one statement, each under its author's next short id
/// (several by one author are numbered in order), and answers them in input order.
pub(super) async fn insert_commitments(
    pool: SqlitePool,
    group: Vec<NewCommitment>,
) -> anyhow::Result<Vec<Commitment>> {
    let rows: Vec<serde_json::Value> = group
        .iter()
        .map(|n| {
            serde_json::json!({
                "user_id": n.user_id,
                "text": n.input.text,
                "target_number": n.input.target.as_ref().map(|t| t.number),
                "target_unit": n.input.target.as_ref().and_then(|t| t.unit.as_deref()),
                "due_date": n.input.due.map(|d| d.format("%F").to_string()),
                "kind": n.input.kind.as_str(),
                "program_week": n.input.week,
                // As sqlx writes a bound timestamp, so that text comparisons keep working.
                "created_at": n.now.to_rfc3339_opts(SecondsFormat::AutoSi, false),
            })
        })
        .collect();
    let inserted: Vec<Row> = sqlx::query_as(concat!(
        "INSERT INTO commitments (user_id, seq, text, target_number, target_unit, due_date, kind, program_week, created_at, updated_at)
         SELECT g.user_id,
                COALESCE((SELECT MAX(c.seq) FROM commitments c WHERE c.user_id = g.user_id), 0)
                    + ROW_NUMBER() OVER (PARTITION BY g.user_id ORDER BY g.key),
                g.text, g.target_number, g.target_unit, g.due_date, g.kind, g.program_week, g.created_at, g.created_at
         FROM (SELECT key,
                      value ->> 'user_id' AS user_id, value ->> 'text' AS text,
                      value ->> 'target_number' AS target_number, value ->> 'target_unit' AS target_unit,
                      value ->> 'due_date' AS due_date, value ->> 'kind' AS kind,
                      value ->> 'program_week' AS program_week, value ->> 'created_at' AS created_at
               FROM json_each(?)) AS g
         ORDER BY g.key
         RETURNING ",
        columns!()
    ))
    .bind(serde_json::Value::Array(rows).to_string())
    .fetch_all(&pool)
    .await?;
    // RETURNING has no set order: give each author's rows back in the order of their seq.
    let mut by_author: HashMap<String, Vec<Commitment>> = HashMap::new();
    for row in inserted {
        let c = Commitment::try_from(row)?;
        by_author.entry(c.user_id.clone()).or_default().push(c);
    }
    for rows in by_author.values_mut() {
        rows.sort_by_key(|c| std::cmp::Reverse(c.seq));
    }
    group
        .iter()
        .map(|n| {
            by_author
                .get_mut(&n.user_id)
                .and_then(Vec::pop)
                .ok_or_else(|| anyhow::anyhow!("a commitment was not inserted"))
        })
        .collect()
}

impl Store {
    /// Records a commitment under the person's next short id. Commitments made at the same
    /// moment are written together (see `batch`).
    pub async fn add_commitment(
        &self,
        user_id: &str,
        input: &CommitmentInput,
        now: DateTime<Utc>,
    ) -> anyhow::Result<Commitment> {
        self.new_commitments
            .write(NewCommitment {
                user_id: user_id.to_string(),
                input: input.clone(),
                now,
            })
            .await
    }

    pub async fn commitment(&self, user_id: &str, seq: u32) -> anyhow::Result<Option<Commitment>> {
        let row: Option<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments WHERE user_id = ? AND seq = ?"
        ))
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(&self.pool)
        .await?;
        row.map(TryInto::try_into).transpose()
    }

    /// The person's commitments with `status`, oldest first.
    pub async fn commitments_with_status(
        &self,
        user_id: &str,
        status: CommitmentStatus,
    ) -> anyhow::Result<Vec<Commitment>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments WHERE user_id = ? AND status = ? ORDER BY seq"
        ))
        .bind(user_id)
        .bind(status.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every commitment of the people in `ids_json` (a JSON array of Slack ids).
    pub(super) async fn commitments_of_people(
        &self,
        ids_json: &str,
    ) -> anyhow::Result<Vec<Commitment>> {
        let rows: Vec<Row> = sqlx::query_as(concat!("SELECT ", columns!(), " FROM commitments WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY user_id, seq"))
            .bind(ids_json)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Every commitment of everyone, oldest first, for digests and exports.
    pub async fn all_commitments(&self) -> anyhow::Result<Vec<Commitment>> {
        let rows: Vec<Row> = sqlx::query_as(concat!(
            "SELECT ",
            columns!(),
            " FROM commitments ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool)
        .await?;
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
        let row: Option<Row> = sqlx::query_as(concat!("UPDATE commitments SET status = ?, updated_at = ?, done_at = ? WHERE user_id = ? AND seq = ? RETURNING ", columns!()))
        .bind(status.as_str())
        .bind(now)
        .bind(done_at)
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(&self.pool)
        .await?;
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
        let row: Option<Row> = sqlx::query_as(concat!("UPDATE commitments SET text = ?, target_number = ?, target_unit = ?, due_date = ?, kind = ?, updated_at = ?
             WHERE user_id = ? AND seq = ? RETURNING ", columns!()))
        .bind(&input.text)
        .bind(input.target.as_ref().map(|t| t.number))
        .bind(input.target.as_ref().and_then(|t| t.unit.as_deref()))
        .bind(input.due)
        .bind(input.kind.as_str())
        .bind(now)
        .bind(user_id)
        .bind(i64::from(seq))
        .fetch_optional(&self.pool)
        .await?;
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
    async fn a_group_numbers_each_authors_commitments_in_order_and_answers_in_input_order() {
        let store = Store::open_in_memory().await.unwrap();
        let now = Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap();
        store
            .add_commitment("U1", &input("first"), now)
            .await
            .unwrap();
        let group: Vec<NewCommitment> = ["U1", "U2", "U1", "U1", "U2"]
            .iter()
            .enumerate()
            .map(|(i, user)| NewCommitment {
                user_id: user.to_string(),
                input: input(&format!("{user} {i}")),
                now,
            })
            .collect();

        let written = insert_commitments(store.pool.clone(), group).await.unwrap();

        let got: Vec<(&str, u32, &str)> = written
            .iter()
            .map(|c| (c.user_id.as_str(), c.seq, c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("U1", 2, "U1 0"),
                ("U2", 1, "U2 1"),
                ("U1", 3, "U1 2"),
                ("U1", 4, "U1 3"),
                ("U2", 2, "U2 4")
            ]
        );
        assert_eq!(written[0].target, input("").target);
        assert_eq!(written[0].due, input("").due);
        assert_eq!(written[0].week, Some(1));
    }

    #[tokio::test]
    async fn a_grouped_timestamp_is_stored_exactly_as_a_bound_one() {
        // Time windows compare these as text: the two ways of writing must agree.
        let store = Store::open_in_memory().await.unwrap();
        let now = Utc.with_ymd_and_hms(2027, 1, 13, 15, 0, 0).unwrap()
            + chrono::Duration::microseconds(1234);
        store.add_commitment("U1", &input("x"), now).await.unwrap();
        let same: bool = sqlx::query_scalar("SELECT created_at = ? FROM commitments")
            .bind(now)
            .fetch_one(&store.pool)
            .await
            .unwrap();
        assert!(same);
    }
}
