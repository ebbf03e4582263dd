//! The records of a set of people, in three queries: what composing their messages needs.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::Store;
use crate::domain::compose::Activity;

impl Store {
    /// Commitments, practice since `since`, and all check-ins, for `people`.
    pub async fn activity_of(
        &self,
        people: &[String],
        since: DateTime<Utc>,
    ) -> anyhow::Result<Activity> {
        let checkins = self.checkins().await?;
        if people.is_empty() {
            return Ok(Activity::new(vec![], vec![], checkins, vec![]));
        }
        // One parameter, a JSON array, keeps the statement static however many people.
        let ids = serde_json::to_string(people)?;
        let commitments = self.commitments_of_people(&ids).await?;
        let practice = self.practice_of_people(&ids, since).await?;
        let wanted: HashSet<&String> = people.iter().collect();
        let mut pulses = Vec::new();
        for (user, day, answer) in self.pulse_answers().await? {
            if wanted.contains(&user) {
                pulses.push((user, u32::try_from(day)?, answer));
            }
        }
        Ok(Activity::new(commitments, practice, checkins, pulses))
    }
}
