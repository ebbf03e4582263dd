//! A check-in: the group it brings together, when, and what the group answered.

use std::sync::Arc;

use chrono::{DateTime, Utc};

/// The people of a pair or trio, in the order they were listed: the first one's clock and
/// calendar are the group's. Stored and carried in buttons as one key, their Slack ids joined
/// with `+`; this is the only place that key is written or read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Group(Arc<[String]>);

impl Group {
    pub fn new(members: impl IntoIterator<Item = String>) -> Group {
        Group(members.into_iter().collect())
    }

    /// The same people in id order: one check-in's identity however its members were listed.
    pub fn sorted(&self) -> Group {
        let mut ids = self.0.to_vec();
        ids.sort();
        Group::new(ids)
    }

    /// The same people, whatever their order.
    pub fn same_people(&self, other: &[String]) -> bool {
        self.len() == other.len() && other.iter().all(|id| self.contains(id))
    }

    pub fn key(&self) -> String {
        self.0.join("+")
    }

    /// Reads a key back; `None` for an empty one or one with an empty member.
    pub fn from_key(key: &str) -> Option<Group> {
        let ids: Vec<String> = key.split('+').map(str::to_string).collect();
        ids.iter().all(|id| !id.is_empty()).then(|| Group::new(ids))
    }
}

impl std::ops::Deref for Group {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Group {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<const N: usize> From<[&str; N]> for Group {
    fn from(ids: [&str; N]) -> Group {
        Group::new(ids.map(str::to_string))
    }
}

/// What a group said of a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckinAnswer {
    Met,
    Rescheduled,
    Missed,
}

impl CheckinAnswer {
    /// As stored and exported.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckinAnswer::Met => "met",
            CheckinAnswer::Rescheduled => "rescheduled",
            CheckinAnswer::Missed => "missed",
        }
    }

    pub fn parse(raw: &str) -> Option<CheckinAnswer> {
        [
            CheckinAnswer::Met,
            CheckinAnswer::Rescheduled,
            CheckinAnswer::Missed,
        ]
        .into_iter()
        .find(|a| a.as_str() == raw)
    }
}

/// A check-in a group was brought together for, and their answer if they gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    /// Shared, not copied, by every batch of messages that reads it.
    pub members: Group,
    pub due_at: DateTime<Utc>,
    pub answer: Option<CheckinAnswer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_keeps_its_order_and_reads_its_key_back() {
        let group = Group::from(["U0B", "U0A"]);
        assert_eq!(group.key(), "U0B+U0A");
        assert_eq!(Group::from_key("U0B+U0A"), Some(group.clone()));
        assert_eq!(group.sorted().key(), "U0A+U0B");
        assert!(group.same_people(&["U0A".into(), "U0B".into()]));
        assert!(!group.same_people(&["U0A".into()]));
        for broken in ["", "U0A+", "+U0A", "U0A++U0B"] {
            assert_eq!(Group::from_key(broken), None, "{broken}");
        }
    }

    #[test]
    fn answers_read_back_what_they_store() {
        for answer in [
            CheckinAnswer::Met,
            CheckinAnswer::Rescheduled,
            CheckinAnswer::Missed,
        ] {
            assert_eq!(CheckinAnswer::parse(answer.as_str()), Some(answer));
        }
        assert_eq!(CheckinAnswer::parse("Met"), None);
    }
}
