//! The records of a set of people, in three queries: what composing their messages needs.

use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::compose::Activity;

impl Store {
    /// Commitments, practice since `since`, check-ins and pulse answers of `people`: read by
    /// index, so a batch costs what its people did, not what the whole roster did.
    pub async fn activity_of(
        &self,
        people: &[String],
        since: DateTime<Utc>,
    ) -> anyhow::Result<Activity> {
        if people.is_empty() {
            return Ok(Activity::default());
        }
        // One parameter, a JSON array, keeps the statement static however many people.
        let ids = serde_json::to_string(people)?;
        let commitments = self.commitments_of_people(&ids).await?;
        let practice = self.practice_of_people(&ids, since).await?;
        let checkins = self.checkins_of_people(&ids).await?;
        let pulses = self
            .pulse_answers_of_people(&ids)
            .await?
            .into_iter()
            .map(|(user, day, answer)| Ok((user, u32::try_from(day)?, answer)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Activity::new(commitments, practice, checkins, pulses))
    }
}
