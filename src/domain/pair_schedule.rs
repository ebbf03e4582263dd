//! Who is paired with whom in each sprint: pairs as listed or made by the bot, kept across
//! restarts, and fitted to the roster when people join or leave.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};
use std::sync::OnceLock;

use chrono::{Duration, NaiveDate};

use super::members::Member;
use super::pairing::{Candidate, fit, make_pairs, meetings};
use super::program::{PairingMode, Program, Role};

/// Pairs by the program week they start in; a week uses the latest entry at or before it.
#[derive(Debug, Clone, Default)]
pub struct PairSchedule {
    weeks: BTreeMap<u32, Vec<Vec<String>>>,
    /// (week it starts, member) → the member's group: built on the first look-up, since a
    /// message to each of thousands of reps names their partner.
    groups_of: OnceLock<HashMap<(u32, String), usize>>,
}

impl PairSchedule {
    pub fn new(weeks: BTreeMap<u32, Vec<Vec<String>>>) -> Self {
        Self {
            weeks,
            groups_of: OnceLock::new(),
        }
    }

    /// The groups, by the program week they start in.
    pub fn weeks(&self) -> &BTreeMap<u32, Vec<Vec<String>>> {
        &self.weeks
    }

    pub fn for_week(&self, week: u32) -> &[Vec<String>] {
        self.entry(week).map_or(&[], |(_, pairs)| pairs)
    }

    /// The pairing in force in `week`: the week it started, and its groups.
    pub fn entry(&self, week: u32) -> Option<(u32, &[Vec<String>])> {
        self.weeks
            .range(..=week)
            .next_back()
            .map(|(w, pairs)| (*w, pairs.as_slice()))
    }

    /// The people `slack_id` is paired with in `week`.
    pub fn partners(&self, slack_id: &str, week: u32) -> Vec<&str> {
        let Some((from, groups)) = self.entry(week) else {
            return Vec::new();
        };
        let index = self.groups_of.get_or_init(|| {
            let mut index = HashMap::new();
            for (w, groups) in &self.weeks {
                for (i, g) in groups.iter().enumerate() {
                    for m in g {
                        index.insert((*w, m.clone()), i);
                    }
                }
            }
            index
        });
        index
            .get(&(from, slack_id.to_string()))
            .map(|&i| {
                groups[i]
                    .iter()
                    .filter(|m| *m != slack_id)
                    .map(String::as_str)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl PairSchedule {
    /// Sprint `week`'s new pairs: reps away when it starts sit it out, and nobody meets a past
    /// partner while a new one is free.
    fn auto_week(
        program: &Program,
        members: &[Member],
        week: u32,
        history: &std::collections::HashSet<(String, String)>,
    ) -> Vec<Vec<String>> {
        let starts = program.settings.kickoff + Duration::days(7 * i64::from(week - 1));
        let candidates: Vec<Candidate> = members
            .iter()
            .filter(|m| m.role == Role::Rep && !m.is_away(starts))
            .map(|m| Candidate {
                slack_id: m.slack_id.clone(),
                team: m.team.clone(),
            })
            .collect();
        make_pairs(&candidates, history, u64::from(week))
    }

    /// The program's pairs: as listed in the config, or made anew for each sprint (reps away
    /// when a sprint starts sit it out; nobody meets a past partner while a new one is free).
    pub fn for_program(program: &Program, members: &[Member]) -> PairSchedule {
        if program.pairing.mode == PairingMode::Config {
            return PairSchedule::new(BTreeMap::from([(
                1,
                program.pairs.iter().map(|p| p.members.clone()).collect(),
            )]));
        }
        let mut history = std::collections::HashSet::new();
        let mut weeks = BTreeMap::new();
        for week in 1..=super::program::SPRINT_WEEKS {
            let groups = PairSchedule::auto_week(program, members, week, &history);
            history.extend(meetings(&groups));
            weeks.insert(week, groups);
        }
        PairSchedule::new(weeks)
    }
}

impl PairSchedule {
    /// The pairs for the roster as it is on `today`, given those made before (`earlier`):
    /// sprints already under way keep their groups, the one in force fitted to who is on the
    /// roster now (leavers out, joiners partnered at once); sprints to come are made anew,
    /// without repeating anyone's past partners.
    pub fn for_roster(
        program: &Program,
        members: &[Member],
        earlier: Option<&PairSchedule>,
        today: NaiveDate,
    ) -> PairSchedule {
        let reps: Vec<String> = members
            .iter()
            .filter(|m| m.role == Role::Rep)
            .map(|m| m.slack_id.clone())
            .collect();
        let started =
            |week: u32| program.settings.kickoff + Duration::days(7 * i64::from(week - 1)) <= today;
        let listed = match (program.pairing.mode, earlier) {
            (PairingMode::Config, _) => PairSchedule::for_program(program, members),
            (PairingMode::Auto, Some(earlier)) => earlier.clone(),
            // Nothing made before: made now, for the roster as it is.
            (PairingMode::Auto, None) => return PairSchedule::for_program(program, members),
        };
        let mut weeks: BTreeMap<u32, Vec<Vec<String>>> = listed
            .weeks()
            .iter()
            .filter(|(week, _)| started(**week) || program.pairing.mode == PairingMode::Config)
            .map(|(week, groups)| (*week, groups.clone()))
            .collect();
        if let Some(groups) = weeks.values_mut().next_back() {
            *groups = fit(groups, &reps);
        }
        if program.pairing.mode == PairingMode::Auto {
            let mut history: std::collections::HashSet<_> =
                weeks.values().flat_map(|g| meetings(g)).collect();
            for week in 1..=super::program::SPRINT_WEEKS {
                if let std::collections::btree_map::Entry::Vacant(slot) = weeks.entry(week) {
                    let groups = PairSchedule::auto_week(program, members, week, &history);
                    history.extend(meetings(&groups));
                    slot.insert(groups);
                }
            }
        }
        PairSchedule::new(weeks)
    }
}
