//! The records of a set of people, in three queries: what composing their messages needs.

use std::collections::HashMap;

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
        let mut activity = Activity {
            checkins: self.checkins().await?,
            ..Activity::default()
        };
        if people.is_empty() {
            return Ok(activity);
        }
        // One parameter, a JSON array, keeps the statement static however many people.
        let ids = serde_json::to_string(people)?;
        let mut commitments: HashMap<String, Vec<_>> = HashMap::new();
        for c in self.commitments_of_people(&ids).await? {
            commitments.entry(c.user_id.clone()).or_default().push(c);
        }
        let mut practice: HashMap<String, Vec<_>> = HashMap::new();
        for p in self.practice_of_people(&ids, since).await? {
            practice.entry(p.user_id.clone()).or_default().push(p);
        }
        for (user, day, answer) in self.pulse_answers().await? {
            if people.contains(&user) {
                activity
                    .pulses
                    .entry(user)
                    .or_default()
                    .push((u32::try_from(day)?, answer));
            }
        }
        activity.commitments = commitments;
        activity.practice = practice;
        Ok(activity)
    }
}
