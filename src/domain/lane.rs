//! The plan's lanes: each part of the program is planned into the outbox on a horizon of its
//! own, sized by what it sends. A weekly message is planned its next week ahead; a trigger
//! every ten seconds its next few times, not the 69,000 a week would hold.

use chrono::{DateTime, Duration, Utc};

use super::program::{CronExpr, Program};

/// The most a lane is planned ahead: a week and a day, so the next of every weekly message is
/// in the outbox (the views read it there) and DM channels are opened long before they are
/// needed.
pub const PLAN_AHEAD: Duration = Duration::days(8);
/// The least: a dense trigger's next sends are in the outbox well before they are due, and a
/// running bot extends its plan every few minutes, not every few seconds.
const AHEAD_AT_LEAST: Duration = Duration::minutes(5);
/// A lane on a cron is planned this many of its times ahead, within those bounds.
const TIMES_AHEAD: usize = 3;

/// One part of the plan, planned on a horizon of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lane {
    /// A `[[triggers]]` entry, by name.
    Trigger(String),
    /// Pairs' check-ins and the "did you meet?" after each.
    Checkins,
    /// Managers' digests and admins' program reports, each with its chart.
    Reports,
    /// The checkpoints' pulses.
    Checkpoints,
    /// Pressure plans resurfaced in the pressure weeks.
    Pressure,
    /// Spaced reinforcement questions, when the program has any.
    Quiz,
}

impl Lane {
    /// Every lane of `program`.
    pub fn all(program: &Program) -> Vec<Lane> {
        program
            .triggers
            .iter()
            .map(|t| Lane::Trigger(t.name.clone()))
            .chain([
                Lane::Checkins,
                Lane::Reports,
                Lane::Checkpoints,
                Lane::Pressure,
            ])
            .chain((!program.questions.is_empty()).then_some(Lane::Quiz))
            .collect()
    }

    /// The name the plan's state keeps it under.
    pub fn key(&self) -> String {
        match self {
            Lane::Trigger(name) => format!("trigger:{name}"),
            Lane::Checkins => "checkins".into(),
            Lane::Reports => "reports".into(),
            Lane::Checkpoints => "checkpoints".into(),
            Lane::Pressure => "pressure".into(),
            Lane::Quiz => "quiz".into(),
        }
    }

    /// Reads back [`Lane::key`].
    pub fn parse(key: &str) -> Option<Lane> {
        Some(match key {
            "checkins" => Lane::Checkins,
            "reports" => Lane::Reports,
            "checkpoints" => Lane::Checkpoints,
            "pressure" => Lane::Pressure,
            "quiz" => Lane::Quiz,
            other => Lane::Trigger(other.strip_prefix("trigger:")?.to_string()),
        })
    }

    /// The cron the lane runs on, if it runs on one.
    fn cron<'p>(&self, program: &'p Program) -> Option<&'p CronExpr> {
        match self {
            Lane::Trigger(name) => program
                .triggers
                .iter()
                .find(|t| &t.name == name)
                .map(|t| &t.cron),
            Lane::Checkins => Some(&program.checkins.cron),
            Lane::Reports => Some(&program.digest.cron),
            Lane::Quiz => Some(&program.reinforcement.cron),
            Lane::Checkpoints | Lane::Pressure => None,
        }
    }

    /// How far ahead of `now` the lane is kept planned: its next few times, between five
    /// minutes and [`PLAN_AHEAD`].
    pub fn ahead(&self, program: &Program, now: DateTime<Utc>) -> Duration {
        ahead_of(self.cron(program), now)
    }

    /// Planned again once less than this is left: a lane planned a week and a day ahead about
    /// once a day (its next weekly message is always planned), a denser one at half its span.
    pub fn again_below(&self, program: &Program, now: DateTime<Utc>) -> Duration {
        match self.ahead(program, now) {
            PLAN_AHEAD => PLAN_AHEAD - Duration::days(1),
            ahead => ahead / 2,
        }
    }
}

/// How far ahead a lane on `cron` (or on fixed days, without one) is planned at `now`.
fn ahead_of(cron: Option<&CronExpr>, now: DateTime<Utc>) -> Duration {
    let Some(cron) = cron else {
        return PLAN_AHEAD;
    };
    // UTC stands in for every clock: a cron's times are spaced alike on each.
    cron.schedule
        .after(&now)
        .nth(TIMES_AHEAD - 1)
        .map_or(PLAN_AHEAD, |t| (t - now).clamp(AHEAD_AT_LEAST, PLAN_AHEAD))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_dense_trigger_is_planned_a_few_times_ahead_and_a_weekly_one_a_week_ahead() {
        // Friday noon.
        let now = Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
        let ahead = |cron: &str| ahead_of(Some(&cron.parse().unwrap()), now);
        assert_eq!(
            ahead("*/10 * * * * *"),
            Duration::minutes(5),
            "at least five minutes"
        );
        assert_eq!(ahead("0 */2 * * * *"), Duration::minutes(6));
        // Monday, Tuesday and Wednesday 09:00.
        assert_eq!(
            ahead("0 0 9 * * Mon-Fri"),
            Utc.with_ymd_and_hms(2027, 1, 20, 9, 0, 0).unwrap() - now
        );
        assert_eq!(ahead("0 0 9 * * Mon"), PLAN_AHEAD);
        assert_eq!(ahead_of(None, now), PLAN_AHEAD, "fixed days");
    }

    #[test]
    fn lanes_read_back_from_their_keys() {
        let lanes = [
            Lane::Trigger("a:b".into()),
            Lane::Checkins,
            Lane::Reports,
            Lane::Checkpoints,
            Lane::Pressure,
        ];
        for lane in lanes {
            assert_eq!(Lane::parse(&lane.key()), Some(lane.clone()), "{lane:?}");
        }
        assert_eq!(Lane::parse("nonsense"), None);
    }
}
