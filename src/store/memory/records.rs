//! The records sample reps make in a preview, and the ones messages are composed from.

use chrono::{DateTime, NaiveDate, Utc};

use super::MemoryStore;
use crate::domain::activity::Activity;
use crate::domain::checkin::{Checkin, Group};
use crate::domain::commitment::{Commitment, CommitmentStatus};
use crate::domain::compose::Involved;
use crate::domain::practice::PracticeLog;
use crate::domain::reinforcement::{self, Asked, Reinforcement};
use crate::domain::sample::Event;
use crate::store::RecordStore;

type Result<T> = anyhow::Result<T>;

impl MemoryStore {
    /// The questions asked since the last call: what sample reps answer.
    pub fn take_asked(&self) -> Vec<Asked> {
        std::mem::take(&mut self.inner().unanswered)
    }

    /// How often `rep` has answered `question` so far.
    pub fn reviews_of(&self, rep: &str, question: &str) -> u32 {
        let s = self.inner();
        s.memories
            .get(rep)
            .and_then(|m| m.get(question))
            .map_or(0, |m| m.reviews)
    }

    /// A sample rep's first answer to `asked`, as a click would record it.
    pub fn answer_question(
        &self,
        asked: &Asked,
        choice: &str,
        correct: bool,
        at: DateTime<Utc>,
        day: NaiveDate,
        settings: &Reinforcement,
    ) {
        let mut s = self.inner();
        let prior = s
            .memories
            .get(&*asked.rep)
            .and_then(|m| m.get(&*asked.question))
            .cloned();
        let Some(row) = s
            .asked
            .get_mut(&*asked.rep)
            .and_then(|rows| rows.iter_mut().find(|a| a.asked_at == asked.asked_at))
            .filter(|a| a.answer.is_none())
        else {
            return;
        };
        let (answer, memory) =
            reinforcement::answer(prior.as_ref(), asked, choice, correct, at, day, settings);
        row.answer = Some(answer);
        s.memories
            .entry(asked.rep.to_string())
            .or_default()
            .insert(asked.question.to_string(), memory);
    }

    /// Records what a sample rep did, as the commands would have.
    pub fn record(&self, event: Event) {
        let mut s = self.inner();
        match event {
            Event::Commit(c) => s.commitments.entry(c.user_id.clone()).or_default().push(c),
            Event::Done { user, seq, at } => {
                if let Some(c) = s
                    .commitments
                    .get_mut(&user)
                    .and_then(|cs| cs.iter_mut().find(|c| c.seq == seq))
                {
                    c.status = CommitmentStatus::Done;
                    c.done_at = Some(at);
                    c.updated_at = at;
                }
            }
            Event::Practise(p) => s.practice.entry(p.user_id.clone()).or_default().push(p),
            Event::Pulse {
                user, day, answer, ..
            } => s
                .pulses
                .entry(user)
                .or_default()
                .push((day, answer.to_string())),
            Event::Coach(c) => s.coaching.entry(c.rep_id.clone()).or_default().push(c),
            Event::Rate(answers) => {
                for a in answers {
                    s.confidence.entry(a.user_id.clone()).or_default().push(a);
                }
            }
        }
    }
}

/// The records of `people` in `map`, cloned.
fn of_people<T: Clone>(map: &foldhash::HashMap<String, Vec<T>>, people: &[String]) -> Vec<T> {
    people
        .iter()
        .filter_map(|p| map.get(p))
        .flatten()
        .cloned()
        .collect()
}

impl RecordStore for MemoryStore {
    async fn record_checkin(
        &self,
        members: &Group,
        _week: Option<u32>,
        due_at: DateTime<Utc>,
    ) -> Result<()> {
        let mut s = self.inner();
        let sorted = members.sorted();
        if !s.checkin_keys.insert((sorted.clone(), due_at)) {
            return Ok(());
        }
        let at = s.checkins.len();
        for m in sorted.iter() {
            s.checkins_of.entry(m.clone()).or_default().push(at);
        }
        s.checkins.push(Checkin {
            members: sorted,
            due_at,
            answer: None,
        });
        Ok(())
    }

    async fn record_asked(&self, asked: &Asked) -> Result<()> {
        let mut s = self.inner();
        let of_rep = s.asked.entry(asked.rep.to_string()).or_default();
        if !of_rep.iter().any(|a| a.asked_at == asked.asked_at) {
            of_rep.push(asked.clone());
            s.unanswered.push(asked.clone());
        }
        Ok(())
    }

    async fn activity_of(&self, involved: &Involved, _since: DateTime<Utc>) -> Result<Activity> {
        let s = self.inner();
        let people = &involved.people;
        let mut indexes: Vec<usize> = involved
            .checkins_of
            .iter()
            .filter_map(|p| s.checkins_of.get(p))
            .flatten()
            .copied()
            .collect();
        indexes.sort_unstable();
        indexes.dedup();
        let checkins = indexes.into_iter().map(|i| s.checkins[i].clone()).collect();
        let pauses = people
            .iter()
            .filter_map(|p| Some((p.clone(), *s.pauses.get(p)?)))
            .collect();
        let statuses = people
            .iter()
            .filter_map(|p| Some((p.clone(), s.statuses.get(p)?.0.clone())))
            .collect();
        let commitments: Vec<Commitment> = of_people(&s.commitments, people);
        let practice: Vec<PracticeLog> = of_people(&s.practice, people);
        let pulses = people
            .iter()
            .filter_map(|p| Some((p, s.pulses.get(p)?)))
            .flat_map(|(p, answers)| answers.iter().map(|(d, a)| (p.clone(), *d, a.clone())))
            .collect();
        let confidence = of_people(&s.confidence, people);
        let coaching = of_people(&s.coaching, people);
        let questioned = involved.questioned();
        let memories = questioned
            .iter()
            .filter_map(|p| s.memories.get(p))
            .flat_map(|m| m.values().cloned())
            .collect();
        // A whole history where figures are given; otherwise what choosing a question reads.
        let asked = questioned
            .iter()
            .filter_map(|p| Some((p, s.asked.get(p)?)))
            .flat_map(|(p, asked)| {
                let from = if involved.questions_of.binary_search(p).is_ok() {
                    0
                } else {
                    asked.partition_point(|a| a.asked_at < involved.asked_since)
                };
                asked[from..].iter().cloned()
            })
            .collect();
        Ok(Activity::new(commitments, practice, checkins, pulses)
            .with_confidence(confidence)
            .with_coaching(coaching)
            .with_reinforcement(memories, asked)
            .with_absences(pauses, statuses))
    }
}
