//! Automatic pairs, kept with the week they start in, and what Slack told us about people.

use std::collections::BTreeMap;

use anyhow::Context;

use super::lease::check_fence;
use super::{Fence, Store, on_db};
use crate::domain::checkin::Group;
use crate::domain::schedule::PairSchedule;

impl Store {
    /// The group `slack_id` is in during `week`, from the pairing in force then, if any: one
    /// row read, for views that show one person's partner.
    pub async fn stored_group_of(
        &self,
        slack_id: &str,
        week: u32,
    ) -> anyhow::Result<Option<Group>> {
        let members: Option<String> = on_db!(read self, |pool, dialect| sqlx::query_scalar(dialect.pick(
                "SELECT members FROM pairs
                 WHERE week_from = (SELECT max(week_from) FROM pairs WHERE week_from <= $1)
                   AND instr('+' || members || '+', '+' || $2 || '+') > 0",
                "SELECT members FROM pairs
                 WHERE week_from = (SELECT max(week_from) FROM pairs WHERE week_from <= $1)
                   AND strpos('+' || members || '+', '+' || $2 || '+') > 0",
            ))
            .bind(i64::from(week))
            .bind(slack_id)
            .fetch_optional(pool)
            .await?);
        Ok(members.as_deref().and_then(Group::from_key))
    }

    /// One person's IANA timezone as Slack last reported it.
    pub async fn slack_timezone(&self, slack_id: &str) -> anyhow::Result<Option<String>> {
        Ok(on_db!(read self, |pool| sqlx::query_scalar(
            "SELECT timezone FROM slack_users WHERE slack_id = $1"
        )
        .bind(slack_id)
        .fetch_optional(pool)
        .await?)
        .flatten())
    }
}

/// The automatic pairs as made, so a restart keeps them.
pub trait PairStore {
    fn stored_pairs(&self) -> impl Future<Output = anyhow::Result<Option<PairSchedule>>> + Send;

    /// Replaces the pairs kept with `pairs`, under the lease `fence` (as planning is): only
    /// the replica that plans makes pairs.
    fn store_pairs(
        &self,
        pairs: &PairSchedule,
        fence: Fence<'_>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

impl PairStore for Store {
    async fn stored_pairs(&self) -> anyhow::Result<Option<PairSchedule>> {
        let rows: Vec<(i64, String)> = on_db!(read self, |pool| sqlx::query_as(
            "SELECT week_from, members FROM pairs ORDER BY week_from, members"
        )
        .fetch_all(pool)
        .await?);
        if rows.is_empty() {
            return Ok(None);
        }
        let mut weeks: BTreeMap<u32, Vec<Vec<String>>> = BTreeMap::new();
        for (week, members) in rows {
            weeks.entry(u32::try_from(week)?).or_default().push(
                Group::from_key(&members)
                    .with_context(|| format!("pair {members:?} unreadable"))?
                    .to_vec(),
            );
        }
        Ok(Some(PairSchedule::new(weeks)))
    }

    async fn store_pairs(&self, pairs: &PairSchedule, fence: Fence<'_>) -> anyhow::Result<()> {
        on_db!(write self, |pool| {
            let mut tx = pool.begin().await?;
            check_fence!(tx, fence);
            sqlx::query("DELETE FROM pairs").execute(&mut *tx).await?;
            for (week, groups) in pairs.weeks() {
                for g in groups {
                    sqlx::query(
                        "INSERT INTO pairs (week_from, members) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    )
                    .bind(i64::from(*week))
                    .bind(Group::new(g.iter().cloned()).key())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?
        });
        Ok(())
    }
}
