//! The roster as the scheduler sees it: each person's clock, calendar and absence.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;

use super::program::{Program, Role};

/// A person as the scheduler sees them: where they are, whose holidays they keep, and
/// whether they are away.
#[derive(Debug, Clone)]
pub struct Member {
    pub slack_id: String,
    pub role: Role,
    pub team: Option<String>,
    pub timezone: Tz,
    /// Their calendar's days off, shared by everyone who keeps it.
    pub holidays: Arc<[NaiveDate]>,
    pub away_until: Option<NaiveDate>,
}

impl Member {
    /// Everyone in the program's roster, with the timezone each one resolves to.
    pub fn roster(program: &Program, timezone_of: impl Fn(&str) -> Option<Tz>) -> Vec<Member> {
        Self::roster_with_absences(program, timezone_of, |_, _| None)
    }

    /// The roster, with absences known in Slack (`/sko pause`, a status) on top of the
    /// roster's: `away_until` is given each person's id and timezone.
    pub fn roster_with_absences(
        program: &Program,
        timezone_of: impl Fn(&str) -> Option<Tz>,
        away_until: impl Fn(&str, Tz) -> Option<NaiveDate>,
    ) -> Vec<Member> {
        let calendars: HashMap<&str, Arc<[NaiveDate]>> = program
            .calendars
            .iter()
            .map(|c| (c.name.as_str(), Arc::from(c.holidays.as_slice())))
            .collect();
        let none: Arc<[NaiveDate]> = Arc::from([]);
        program
            .people
            .iter()
            .map(|p| {
                let timezone = p
                    .timezone
                    .or_else(|| timezone_of(&p.slack_id))
                    .unwrap_or(program.settings.timezone);
                Member {
                    slack_id: p.slack_id.clone(),
                    role: p.role,
                    team: p.team.clone(),
                    timezone,
                    holidays: program
                        .calendar_of(p)
                        .and_then(|c| calendars.get(c.name.as_str()))
                        .unwrap_or(&none)
                        .clone(),
                    away_until: p.away_until.max(away_until(&p.slack_id, timezone)),
                }
            })
            .collect()
    }

    pub fn is_away(&self, date: NaiveDate) -> bool {
        self.away_until.is_some_and(|until| date < until)
    }
}
