//! The records of the people a batch of messages is about, indexed by person: what the
//! composition of a message reads, and what the export's check-ins show.

use foldhash::{HashMap, HashMapExt};

use chrono::{DateTime, NaiveDate, Utc};

use super::absence::{Absence, SlackStatus};
use super::checkin::{Checkin, CheckinAnswer};
use super::coached::Coaching;
use super::commitment::{Commitment, CommitmentStatus};
use super::digest::{checkin_met, checkin_window};
use super::practice::PracticeLog;
use super::program::{Person, Program};
use super::pulse::Confidence;
use super::reinforcement::{Asked, Memory};

/// The records of the people a batch of messages is about, indexed by person so that a digest
/// over a year of a large team's data reads only what it reports.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    commitments: HashMap<String, Vec<Commitment>>,
    /// Each person's practice, oldest first: a time window is a binary search.
    practice: HashMap<String, Vec<PracticeLog>>,
    /// Oldest first.
    checkins: Vec<Checkin>,
    /// Positions in `checkins`, by member, oldest first.
    checkins_by_member: HashMap<String, Vec<usize>>,
    /// Pulse answers by person: (checkpoint day, answer).
    pulses: HashMap<String, Vec<(u32, String)>>,
    /// Confidence by person, per skill and checkpoint.
    confidence: HashMap<String, Vec<Confidence>>,
    /// Coaching each rep was given, oldest first.
    coaching: HashMap<String, Vec<Coaching>>,
    /// Each rep's memory of the questions they answered.
    memories: HashMap<String, Vec<Memory>>,
    /// The questions asked of each rep, oldest first.
    asked: HashMap<String, Vec<Asked>>,
    /// The date each person who paused is back.
    pauses: HashMap<String, NaiveDate>,
    /// Each person's Slack status, from which the absence rules read an absence.
    statuses: HashMap<String, SlackStatus>,
}

impl Activity {
    /// `pulses` are (person, checkpoint day, answer).
    pub fn new(
        commitments: Vec<Commitment>,
        practice: Vec<PracticeLog>,
        mut checkins: Vec<Checkin>,
        pulses: Vec<(String, u32, String)>,
    ) -> Self {
        let mut practice = by_person(practice, |p| &p.user_id);
        for logs in practice.values_mut() {
            logs.sort_by_key(|p| p.logged_at);
        }
        checkins.sort_by_key(|c| c.due_at);
        let mut checkins_by_member: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in checkins.iter().enumerate() {
            for m in c.members.iter() {
                // A member's id is copied once, not once per check-in.
                match checkins_by_member.get_mut(m) {
                    Some(at) => at.push(i),
                    None => {
                        checkins_by_member.insert(m.clone(), vec![i]);
                    }
                }
            }
        }
        let mut answers: HashMap<String, Vec<(u32, String)>> = HashMap::new();
        for (person, day, answer) in pulses {
            answers.entry(person).or_default().push((day, answer));
        }
        Activity {
            commitments: by_person(commitments, |c| &c.user_id),
            practice,
            checkins,
            checkins_by_member,
            pulses: answers,
            confidence: HashMap::new(),
            coaching: HashMap::new(),
            memories: HashMap::new(),
            asked: HashMap::new(),
            pauses: HashMap::new(),
            statuses: HashMap::new(),
        }
    }

    /// The same records, with who paused and what their Slack status says.
    /// With the coaching the reps were given.
    pub fn with_coaching(mut self, coaching: Vec<Coaching>) -> Self {
        self.coaching = by_person(coaching, |c| &c.rep_id);
        self
    }

    /// With the questions asked of the reps and what they remember of them.
    pub fn with_reinforcement(mut self, memories: Vec<Memory>, asked: Vec<Asked>) -> Self {
        self.memories = by_person(memories, |m| &m.rep);
        self.asked = by_person(asked, |a| &a.rep);
        for asked in self.asked.values_mut() {
            asked.sort_by_key(|a| a.asked_at);
        }
        self
    }

    /// With the reps' confidence answers.
    pub fn with_confidence(mut self, confidence: Vec<Confidence>) -> Self {
        self.confidence = by_person(confidence, |c| &c.user_id);
        self
    }

    pub fn with_absences(
        mut self,
        pauses: HashMap<String, NaiveDate>,
        statuses: HashMap<String, SlackStatus>,
    ) -> Self {
        self.pauses = pauses;
        self.statuses = statuses;
        self
    }

    /// Whether `person` is away at `now`, and when they are back: the roster's date, a pause,
    /// or a Slack status the program's rules read as away, whichever ends last.
    pub fn absence(
        &self,
        program: &Program,
        person: &Person,
        now: DateTime<Utc>,
    ) -> Option<Absence> {
        let tz = person.timezone.unwrap_or(program.settings.timezone);
        let today = now.with_timezone(&tz).date_naive();
        let dated = [
            person.away_until,
            self.pauses.get(&person.slack_id).copied(),
        ]
        .into_iter()
        .flatten()
        .filter(|back| *back > today)
        .max();
        let by_status = self
            .statuses
            .get(&person.slack_id)
            .and_then(|s| program.absence.absence(s, tz, now));
        match (dated, by_status) {
            (_, Some(Absence { back: None })) => Some(Absence { back: None }),
            (Some(d), Some(Absence { back: Some(s) })) => Some(Absence {
                back: Some(d.max(s)),
            }),
            (None, status) => status,
            (Some(d), None) => Some(Absence { back: Some(d) }),
        }
    }

    /// Every check-in, oldest first.
    pub fn checkins(&self) -> &[Checkin] {
        &self.checkins
    }

    /// Whether `checkin` happened: the pair said so, or practised together around it.
    pub fn met(&self, checkin: &Checkin) -> bool {
        let members: Vec<&str> = checkin.members.iter().map(String::as_str).collect();
        self.met_by(&members, checkin.due_at, checkin.answer)
    }

    pub fn met_by(
        &self,
        members: &[&str],
        due_at: DateTime<Utc>,
        answer: Option<CheckinAnswer>,
    ) -> bool {
        let window = checkin_window(due_at);
        let practice = members.iter().flat_map(|m| {
            let logs = self.practice_of(m);
            let from = logs.partition_point(|p| p.logged_at < window.start);
            let to = logs.partition_point(|p| p.logged_at < window.end);
            &logs[from..to]
        });
        checkin_met(members, due_at, answer, practice)
    }

    pub fn checkins_of(&self, id: &str) -> impl DoubleEndedIterator<Item = &Checkin> {
        self.checkins_by_member
            .get(id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.checkins[i])
    }

    pub fn commitments_of(&self, id: &str) -> &[Commitment] {
        self.commitments.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn practice_of(&self, id: &str) -> &[PracticeLog] {
        self.practice.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn pulses_of(&self, id: &str) -> &[(u32, String)] {
        self.pulses.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn coaching_of(&self, id: &str) -> &[Coaching] {
        self.coaching.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn memories_of(&self, id: &str) -> &[Memory] {
        self.memories.get(id).map_or(&[], Vec::as_slice)
    }

    /// The questions asked of `id`, oldest first.
    pub fn asked_of(&self, id: &str) -> &[Asked] {
        self.asked.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn confidence_of(&self, id: &str) -> &[Confidence] {
        self.confidence.get(id).map_or(&[], Vec::as_slice)
    }

    pub fn open_commitments(&self, id: &str) -> Vec<Commitment> {
        self.commitments_of(id)
            .iter()
            .filter(|c| c.status == CommitmentStatus::Open)
            .cloned()
            .collect()
    }
}

/// `items` grouped by the person `whose` names, each group in the order given.
fn by_person<T>(items: Vec<T>, whose: impl Fn(&T) -> &str) -> HashMap<String, Vec<T>> {
    let mut groups: HashMap<String, Vec<T>> = HashMap::new();
    for item in items {
        match groups.get_mut(whose(&item)) {
            Some(group) => group.push(item),
            None => {
                groups.insert(whose(&item).to_string(), vec![item]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::checkin::Group;
    use crate::domain::practice::PracticeContext;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, 15, 0, 0).unwrap()
    }

    fn practised(user: &str, partner: Option<&str>, day: u32) -> PracticeLog {
        PracticeLog {
            user_id: user.into(),
            skill_id: "discovery".into(),
            context: PracticeContext::Roleplay,
            partner_id: partner.map(str::to_string),
            score: None,
            notes: None,
            rubric: vec![],
            week: None,
            logged_at: at(day),
            deal_id: None,
        }
    }

    fn checkin(members: &[&str], day: u32) -> Checkin {
        Checkin {
            members: Group::new(members.iter().map(|m| m.to_string())),
            due_at: at(day),
            answer: None,
        }
    }

    #[test]
    fn a_checkin_is_met_by_practice_together_within_its_window_in_any_order() {
        let activity = Activity::new(
            vec![],
            // Out of order, as a merge of several sources might give them.
            vec![
                practised("U1", Some("U2"), 13),
                practised("U1", None, 5),
                practised("U3", Some("U4"), 2),
                practised("U2", Some("U1"), 1),
            ],
            vec![
                checkin(&["U3", "U4"], 12),
                checkin(&["U1", "U2"], 12),
                checkin(&["U1", "U2"], 4),
            ],
            vec![],
        );
        let met: Vec<(Vec<String>, bool)> = activity
            .checkins()
            .iter()
            .map(|c| (c.members.to_vec(), activity.met(c)))
            .collect();
        assert_eq!(
            met,
            [
                // Due on the 4th: practice on the 1st is before the day-before window.
                (vec!["U1".to_string(), "U2".to_string()], false),
                (vec!["U3".to_string(), "U4".to_string()], false),
                // Due on the 12th: practice together on the 13th counts.
                (vec!["U1".to_string(), "U2".to_string()], true),
            ]
        );
        let of_u2: Vec<DateTime<Utc>> = activity.checkins_of("U2").map(|c| c.due_at).collect();
        assert_eq!(of_u2, [at(4), at(12)]);
        assert_eq!(activity.checkins_of("U9").count(), 0);
    }
}
