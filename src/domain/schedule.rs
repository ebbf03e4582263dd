//! Who receives what, when: every due occurrence (source × recipient × instant) of the program
//! in a window of time. Pure: the roster, the pairs and the window come in; nothing is read.
//!
//! Cron expressions are evaluated on each recipient's wall clock (`wall_clock`). Occurrence keys
//! carry the local time, so the same one can never be planned twice.

use foldhash::{HashMap, HashMapExt};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::checkin::Group;
use super::lane::Lane;
pub use super::members::Member;
pub use super::occurrence::{MessageKind, Occurrence, Recipient, RecipientKind, Source};
pub use super::pair_schedule::PairSchedule;
use super::program::{Audience, Program, Role, Trigger};
use super::wall_clock::{CronExpr, resolve, wall_clock_times};

/// Digests and reports keep coming for a week after the program, to close it out.
const WRAP_UP_DAYS: i64 = 7;
/// How far a message due on a day off may move to reach a working day.
const MOVE_AT_MOST_DAYS: i64 = 14;

/// What becomes of a time that falls on a recipient's day off (weekend, holiday, absence).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DayOff {
    /// A prompt for that day has no other day: it is not sent.
    Skip,
    /// A digest or report is still owed: it goes on the next working day, same local time.
    NextWorkingDay,
}
const FOLLOW_UP_WORKING_DAYS: usize = 2;

/// A message of one day of the program: which day, when, and what it is.
struct ProgramDay {
    date: NaiveDate,
    at: chrono::NaiveTime,
    source: Source,
}

/// When the close goes, local time: after a last-day pulse's morning, before people leave.
const CLOSE_AT: chrono::NaiveTime = chrono::NaiveTime::from_hms_opt(16, 0, 0).unwrap();

pub struct Planner<'a> {
    program: &'a Program,
    members: &'a [Member],
    pairs: &'a PairSchedule,
    /// Lookups made once, so a roster of thousands is planned in linear time.
    by_id: HashMap<&'a str, &'a Member>,
    /// Members with an absence: the only ones who can break a pair up on a given day.
    ever_away: Vec<&'a Member>,
    /// Groups by their first member's timezone (whose clock they run on) and the week their
    /// pairing starts, each with that member.
    groups_by_zone: HashMap<(Tz, u32), Vec<Led<'a>>>,
    /// Members by timezone: each zone's cron times are worked out once for all its people.
    by_tz: HashMap<Tz, Vec<&'a Member>>,
}

/// A group with the member whose clock and calendar it meets on.
type Led<'a> = (&'a Member, &'a [String]);

impl<'a> Planner<'a> {
    pub fn new(program: &'a Program, members: &'a [Member], pairs: &'a PairSchedule) -> Self {
        let by_id: HashMap<&str, &Member> =
            members.iter().map(|m| (m.slack_id.as_str(), m)).collect();
        let mut groups_by_zone: HashMap<_, Vec<_>> = HashMap::new();
        for (week, groups) in pairs.weeks() {
            for g in groups {
                if let Some(lead) = g.first().and_then(|id| by_id.get(id.as_str())) {
                    groups_by_zone
                        .entry((lead.timezone, *week))
                        .or_default()
                        .push((*lead, g.as_slice()));
                }
            }
        }
        Planner {
            program,
            members,
            pairs,
            by_id,
            ever_away: members.iter().filter(|m| m.away_until.is_some()).collect(),
            groups_by_zone,
            by_tz: Planner::by_timezone(members),
        }
    }
}

/// A message everyone with one role receives, each on their own clock and calendar.
struct ToRole<'c> {
    cron: &'c CronExpr,
    role: Role,
    source: Source,
    /// The program week a local day counts as, or `None` when nothing goes out that day.
    week_of: &'c dyn Fn(NaiveDate) -> Option<u32>,
    /// A look back: sent once a week, at the first time after its week ended, and moved off a
    /// day off still about that week.
    looks_back: bool,
    /// What happens to a time that falls on one of the person's days off.
    day_off: DayOff,
}

/// The instants between which anything of `program` can be due: from the kickoff's first
/// midnight anywhere to the last digest of its wrap-up, moved off a fortnight of days off.
pub fn plannable(program: &Program) -> (DateTime<Utc>, DateTime<Utc>) {
    let s = &program.settings;
    // Every offset in use is within a day of UTC.
    let first = s.kickoff_instant() - Duration::days(1);
    let end = s.kickoff + Duration::days(i64::from(s.days) + WRAP_UP_DAYS + MOVE_AT_MOST_DAYS + 2);
    (
        first,
        resolve(chrono_tz::UTC, end.and_time(chrono::NaiveTime::MIN)),
    )
}

impl Planner<'_> {
    /// Every occurrence of every lane due in `[from, to)`, ordered by instant, then key.
    pub fn all_occurrences(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        let mut out: Vec<Occurrence> = Lane::all(self.program)
            .iter()
            .flat_map(|lane| self.occurrences(lane, from, to))
            .collect();
        out.sort_by_cached_key(|o| (o.at, o.key()));
        out
    }

    /// The occurrences of `lane` due in `[from, to)`, ordered by instant, then key.
    pub fn occurrences(
        &self,
        lane: &Lane,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let always = |_: u32| true;
        match lane {
            Lane::Trigger(name) => {
                if let Some(t) = self.program.triggers.iter().find(|t| &t.name == name) {
                    self.trigger(&mut out, t, from, to);
                }
            }
            Lane::Checkins => {
                let cron = &self.program.checkins.cron;
                self.to_pairs(&mut out, cron, &Source::Checkin, from, to, &always);
                self.follow_ups(&mut out, from, to);
            }
            Lane::Reports => self.reports(&mut out, from, to),
            Lane::Checkpoints => self.checkpoints(&mut out, from, to),
            Lane::Pressure => self.pressure(&mut out, from, to),
            Lane::Quiz => {
                // From the day after the kickoff: on the day itself the reps are in the room.
                let kickoff = self.program.settings.kickoff;
                let week_of = |d: NaiveDate| self.program_week(d, 0).filter(|_| d > kickoff);
                let stream = ToRole {
                    cron: &self.program.reinforcement.cron,
                    role: Role::Rep,
                    source: Source::Quiz,
                    week_of: &week_of,
                    looks_back: false,
                    day_off: DayOff::Skip,
                };
                self.to_role(&mut out, &stream, from, to);
            }
        }
        out.sort_by_cached_key(|o| (o.at, o.key()));
        // A digest moved off a holiday onto the time of the next one is the same message.
        out.dedup();
        out
    }

    /// A trigger's messages to its audience in the weeks it is limited to, on working days.
    fn trigger(
        &self,
        out: &mut Vec<Occurrence>,
        t: &Trigger,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) {
        let settings = &self.program.settings;
        let source = Source::Trigger(t.name.clone());
        let weeks = t.weeks.as_deref();
        let in_weeks = |w: u32| weeks.is_none_or(|ws| ws.contains(&w));
        let week_of = |d: NaiveDate| self.program_week(d, 0).filter(|w| in_weeks(*w));
        let role = match &t.audience {
            Audience::Reps => Role::Rep,
            Audience::Managers => Role::Manager,
            Audience::Admins => Role::Admin,
            Audience::Pairs => return self.to_pairs(out, &t.cron, &source, from, to, &in_weeks),
            Audience::Channel(channel) => {
                for (naive, at) in wall_clock_times(&t.cron, settings.timezone, from, to) {
                    let date = naive.date();
                    if let Some(week) = week_of(date)
                        && settings.is_working_day(date)
                    {
                        out.push(occurrence(
                            source.clone(),
                            Recipient::Channel(channel.clone()),
                            at,
                            settings.timezone,
                            week,
                        ));
                    }
                }
                return;
            }
        };
        let stream = ToRole {
            cron: &t.cron,
            role,
            source,
            week_of: &week_of,
            looks_back: false,
            day_off: DayOff::Skip,
        };
        self.to_role(out, &stream, from, to);
    }

    /// Weekly looks back at the week that ended, from the first digest time after the first
    /// week until the program's last day, and the close on that day; each followed a second
    /// later by its chart. One due on a day off moves to the next working day at the same
    /// local time.
    fn reports(&self, out: &mut Vec<Occurrence>, from: DateTime<Utc>, to: DateTime<Utc>) {
        let earliest = from.max(self.program.settings.kickoff_instant());
        if earliest >= to {
            return;
        }
        let looking_back = |d: NaiveDate| self.program.settings.week_ended_before(d);
        let start = out.len();
        for (role, source) in [
            (Role::Manager, Source::Digest),
            (Role::Admin, Source::ProgramReport),
        ] {
            let stream = ToRole {
                cron: &self.program.digest.cron,
                role,
                source,
                week_of: &looking_back,
                looks_back: true,
                day_off: DayOff::NextWorkingDay,
            };
            self.to_role(out, &stream, earliest, to);
        }
        self.close(out, earliest, to);
        // Each chart is planned with its report (even when that second falls just past the
        // window, so it is never lost between two); the pipeline's when the CRM's deals are read.
        let with_deals = !self.program.outcomes_file.is_empty();
        let charts: Vec<Occurrence> = out[start..]
            .iter()
            .flat_map(|o| {
                let after = |seconds, source| Occurrence {
                    source,
                    recipient: o.recipient.clone(),
                    at: o.at + Duration::seconds(seconds),
                    local: o.local + Duration::seconds(seconds),
                    program_week: o.program_week,
                };
                match o.source {
                    Source::Digest => vec![after(1, Source::TeamChart)],
                    _ if with_deals => vec![
                        after(1, Source::AdoptionChart),
                        after(2, Source::PipelineChart),
                    ],
                    _ => vec![after(1, Source::AdoptionChart)],
                }
            })
            .collect();
        out.extend(charts);
    }

    fn by_timezone(members: &[Member]) -> HashMap<Tz, Vec<&Member>> {
        let mut map: HashMap<Tz, Vec<&Member>> = HashMap::new();
        for m in members {
            map.entry(m.timezone).or_default().push(m);
        }
        map
    }

    /// The program week of a local date, allowing `grace_days` after the program's end.
    fn program_week(&self, date: NaiveDate, grace_days: i64) -> Option<u32> {
        let s = &self.program.settings;
        s.program_week(date).or_else(|| {
            let end = s.kickoff + Duration::days(i64::from(s.days));
            (date >= end && date < end + Duration::days(grace_days)).then(|| s.weeks() + 1)
        })
    }

    fn member_works(&self, m: &Member, date: NaiveDate) -> bool {
        self.program.settings.is_working_day(date)
            && !m.holidays.contains(&date)
            && !m.is_away(date)
    }

    /// Everyone with the stream's role, on their own clock and calendar.
    fn to_role(
        &self,
        out: &mut Vec<Occurrence>,
        stream: &ToRole<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) {
        // A time moved off a holiday can land in this window from up to two weeks before it.
        let earliest = match stream.day_off {
            DayOff::Skip => from,
            DayOff::NextWorkingDay => from - Duration::days(MOVE_AT_MOST_DAYS),
        };
        for (tz, members) in &self.by_tz {
            let times = wall_clock_times(stream.cron, *tz, earliest, to);
            for (i, (naive, at)) in times.iter().enumerate() {
                let date = naive.date();
                let Some(week) = (stream.week_of)(date) else {
                    continue;
                };
                // A look back reports its week once: at the first time after the week ended.
                // Times are listed from a fortnight back, so the one before is in the list.
                let before = i.checked_sub(1).map(|j| times[j].0.date());
                if stream.looks_back && before.and_then(stream.week_of) == Some(week) {
                    continue;
                }
                for m in members.iter().filter(|m| m.role == stream.role) {
                    let (at, sent_on) = if self.member_works(m, date) {
                        (*at, date)
                    } else if stream.day_off == DayOff::NextWorkingDay
                        && let Some(moved) = self.next_working_day(m, date)
                    {
                        (resolve(*tz, moved.and_time(naive.time())), moved)
                    } else {
                        continue;
                    };
                    // The week it is sent in (a look back's own is the week before).
                    let week = if stream.looks_back {
                        self.program_week(sent_on, WRAP_UP_DAYS).unwrap_or(week)
                    } else {
                        (stream.week_of)(sent_on).unwrap_or(week)
                    };
                    if at >= from && at < to {
                        out.push(occurrence(
                            stream.source.clone(),
                            Recipient::Person(m.slack_id.clone()),
                            at,
                            *tz,
                            week,
                        ));
                    }
                }
            }
        }
    }

    /// The first day after `date` that `m` works, within two weeks.
    fn next_working_day(&self, m: &Member, date: NaiveDate) -> Option<NaiveDate> {
        (1..=MOVE_AT_MOST_DAYS)
            .map(|d| date + Duration::days(d))
            .find(|d| self.member_works(m, *d))
    }

    /// Pairs get one message in their group DM, on the first member's clock and calendar;
    /// members who are away are left out, and a pair with fewer than two left gets nothing.
    fn to_pairs(
        &self,
        out: &mut Vec<Occurrence>,
        cron: &CronExpr,
        source: &Source,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        in_weeks: &dyn Fn(u32) -> bool,
    ) {
        // Thousands of groups share a few timezones: each zone's times are worked out once.
        let mut times_in: HashMap<Tz, Vec<(NaiveDateTime, DateTime<Utc>)>> = HashMap::new();
        for ((zone, pairing_from), groups) in &self.groups_by_zone {
            let tz = groups[0].0.timezone;
            let times = times_in
                .entry(*zone)
                .or_insert_with(|| wall_clock_times(cron, tz, from, to));
            for &(naive, at) in times.iter() {
                let date = naive.date();
                let Some(week) = self.program_week(date, 0).filter(|w| in_weeks(*w)) else {
                    continue;
                };
                // These groups meet in `week` if theirs is the pairing in force then.
                if self.pairs.entry(week).map(|(w, _)| w) != Some(*pairing_from) {
                    continue;
                }
                for (lead, group) in groups {
                    if !self.member_works(lead, date) {
                        continue;
                    }
                    if let Some(present) = self.present_members(group, week, date) {
                        out.push(occurrence(
                            source.clone(),
                            Recipient::Group(Group::new(present)),
                            at,
                            tz,
                            week,
                        ));
                    }
                }
            }
        }
    }

    /// The members of `group` (one of `week`'s) who are present on `date`, if at least two
    /// of them are there.
    fn present_members(&self, group: &[String], week: u32, date: NaiveDate) -> Option<Vec<String>> {
        let groups = self.pairs.for_week(week);
        if !self.ever_away.iter().any(|m| m.is_away(date)) {
            // Nobody is away that day: every group meets as made.
            return (group.len() >= 2).then(|| group.to_vec());
        }
        let present = |g: &[String]| -> Vec<String> {
            g.iter()
                .filter(|id| self.member(id).is_some_and(|m| !m.is_away(date)))
                .cloned()
                .collect()
        };
        let mut here = present(group);
        if here.len() < 2 {
            return None;
        }
        // Someone whose partners are all away joins the smallest group still meeting, as a
        // trio, rather than being left alone; the first such group in order takes them.
        for lone in groups.iter().map(|g| present(g)).filter(|p| p.len() == 1) {
            let host = groups
                .iter()
                .filter(|g| present(g).len() >= 2)
                .min_by_key(|g| present(g).len())
                .expect("this group is meeting");
            if host == group {
                here.extend(lone);
            }
        }
        Some(here)
    }

    fn member(&self, slack_id: &str) -> Option<&Member> {
        self.by_id.get(slack_id).copied()
    }

    /// "Did you meet?" two working days after each check-in, at the same local time.
    fn follow_ups(&self, out: &mut Vec<Occurrence>, from: DateTime<Utc>, to: DateTime<Utc>) {
        // A follow-up due in the window comes from a check-in up to ~2 weeks earlier.
        let earlier = from - Duration::days(14);
        let mut checkins = Vec::new();
        let always = |_: u32| true;
        self.to_pairs(
            &mut checkins,
            &self.program.checkins.cron,
            &Source::Checkin,
            earlier,
            to,
            &always,
        );
        for c in checkins {
            let Recipient::Group(group) = &c.recipient else {
                continue;
            };
            let Some(lead) = self.member(&group[0]) else {
                continue;
            };
            let mut date = c.local.date_naive();
            let mut worked = 0;
            while worked < FOLLOW_UP_WORKING_DAYS {
                date += Duration::days(1);
                if self.member_works(lead, date) {
                    worked += 1;
                }
            }
            // Nothing of the program goes after its last day but its close.
            if date > self.program.settings.last_day() {
                continue;
            }
            let Some(week) = self.program_week(date, WRAP_UP_DAYS) else {
                continue;
            };
            let at = resolve(lead.timezone, date.and_time(c.local.time()));
            if at >= from && at < to {
                out.push(occurrence(
                    Source::CheckinFollowUp,
                    c.recipient.clone(),
                    at,
                    lead.timezone,
                    week,
                ));
            }
        }
    }

    /// The close: the program's result to every admin and manager on its last day (or their
    /// next working day), at [`CLOSE_AT`], after that day's pulse.
    fn close(&self, out: &mut Vec<Occurrence>, from: DateTime<Utc>, to: DateTime<Utc>) {
        let s = &self.program.settings;
        let to_whom = |m: &Member| matches!(m.role, Role::Admin | Role::Manager);
        let day = ProgramDay {
            date: s.last_day(),
            at: CLOSE_AT,
            source: Source::Close,
        };
        self.on_program_day(out, &day, to_whom, |_| s.weeks(), from, to);
    }

    /// Day 30/60/90 pulses to every rep, moved to their next working day (and past any absence).
    fn checkpoints(&self, out: &mut Vec<Occurrence>, from: DateTime<Utc>, to: DateTime<Utc>) {
        let s = &self.program.settings;
        let week = |date| self.program_week(date, WRAP_UP_DAYS).unwrap_or(s.weeks());
        for cp in &self.program.checkpoints {
            let day = ProgramDay {
                date: s.kickoff + Duration::days(i64::from(cp.day) - 1),
                at: cp.at,
                source: Source::Checkpoint(cp.day),
            };
            self.on_program_day(out, &day, |m| m.role == Role::Rep, week, from, to);
        }
    }

    /// `day`'s message to each member `to_whom` on their own clock, moved as a checkpoint is
    /// (to their next working day, or back to the last one the program has).
    fn on_program_day(
        &self,
        out: &mut Vec<Occurrence>,
        day: &ProgramDay,
        to_whom: impl Fn(&Member) -> bool,
        week: impl Fn(NaiveDate) -> u32,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) {
        for m in self.members.iter().filter(|m| to_whom(m)) {
            let Some(date) = self.checkpoint_day(m, day.date) else {
                continue;
            };
            let at = resolve(m.timezone, date.and_time(day.at));
            if at >= from && at < to {
                out.push(occurrence(
                    day.source.clone(),
                    Recipient::Person(m.slack_id.clone()),
                    at,
                    m.timezone,
                    week(date),
                ));
            }
        }
    }

    /// On the first working day of each pressure week, every rep sees their pressure plans.
    fn pressure(&self, out: &mut Vec<Occurrence>, from: DateTime<Utc>, to: DateTime<Utc>) {
        let s = &self.program.settings;
        let time = s.pressure_at;
        for &week in &s.pressure_weeks {
            let days: Vec<NaiveDate> = (0..i64::from(s.days))
                .map(|d| s.kickoff + Duration::days(d))
                .filter(|d| s.program_week(*d) == Some(week))
                .collect();
            for m in self.members.iter().filter(|m| m.role == Role::Rep) {
                let first = days.iter().copied().find(|d| self.member_works(m, *d));
                let Some(date) = first else { continue };
                let at = resolve(m.timezone, date.and_time(time));
                if at >= from && at < to {
                    out.push(occurrence(
                        Source::Pressure,
                        Recipient::Person(m.slack_id.clone()),
                        at,
                        m.timezone,
                        week,
                    ));
                }
            }
        }
    }

    /// `day` or the next day the member works (after any absence); a checkpoint at the very
    /// end moves back to the program's last working day instead of falling after it.
    fn checkpoint_day(&self, m: &Member, day: NaiveDate) -> Option<NaiveDate> {
        let s = &self.program.settings;
        let last = s.kickoff + Duration::days(i64::from(s.days) - 1);
        let earliest = m.away_until.map_or(day, |until| day.max(until));
        let forward = (0..14)
            .map(|d| earliest + Duration::days(d))
            .find(|d| self.member_works(m, *d));
        match forward {
            Some(d) if d > last && earliest <= last => (0..14)
                .map(|back| last - Duration::days(back))
                .find(|d| self.member_works(m, *d))
                .or(Some(d)),
            other => other,
        }
    }
}

fn occurrence(
    source: Source,
    recipient: Recipient,
    at: DateTime<Utc>,
    tz: Tz,
    program_week: u32,
) -> Occurrence {
    Occurrence {
        source,
        recipient,
        at,
        local: at.with_timezone(&tz).fixed_offset(),
        program_week,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use chrono::{Datelike, NaiveTime, TimeZone, Timelike, Weekday};

    use super::*;
    use crate::domain::program::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn trigger(name: &str, cron: &str, audience: Audience, weeks: Option<Vec<u32>>) -> Trigger {
        Trigger {
            name: name.into(),
            cron: cron.parse().unwrap(),
            audience,
            text: "hi".into(),
            weeks,
        }
    }

    fn person(id: &str, role: Role, tz: Tz) -> Person {
        Person {
            slack_id: id.into(),
            email: None,
            roster_line: None,
            name: None,
            role,
            manager: None,
            team: None,
            timezone: Some(tz),
            calendar: None,
            away_until: None,
        }
    }

    /// Kickoff Monday 11 Jan 2027, 90 days: through the US DST change on 14 March.
    fn program(triggers: Vec<Trigger>) -> Program {
        Program {
            settings: ProgramSettings {
                name: "SKO".into(),
                kickoff: d(2027, 1, 11),
                timezone: chrono_tz::America::New_York,
                working_days: vec![
                    Weekday::Mon,
                    Weekday::Tue,
                    Weekday::Wed,
                    Weekday::Thu,
                    Weekday::Fri,
                ],
                holidays: vec![d(2027, 1, 18)],
                days: 90,
                pressure_weeks: vec![11],
                quiet_after_working_days: 5,
                pressure_at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            },
            calendars: vec![Calendar {
                name: "india".into(),
                teams: vec![],
                country: None,
                subdivision: None,
                holidays: vec![d(2027, 1, 26), d(2027, 3, 22)],
            }],
            sprints: vec![],
            skills: vec![],
            checkpoints: vec![
                Checkpoint {
                    day: 30,
                    at: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                    text: "pulse".into(),
                },
                Checkpoint {
                    day: 60,
                    at: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                    text: "pulse".into(),
                },
                Checkpoint {
                    day: 90,
                    at: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
                    text: "pulse".into(),
                },
            ],
            people: vec![
                person("U0NY", Role::Rep, chrono_tz::America::New_York),
                Person {
                    calendar: Some("india".into()),
                    ..person("U0IN", Role::Rep, chrono_tz::Asia::Kolkata)
                },
                person("U0UK", Role::Rep, chrono_tz::Europe::London),
                person("U0MGR", Role::Manager, chrono_tz::America::Los_Angeles),
                person("U0ADM", Role::Admin, chrono_tz::America::New_York),
            ],
            roster: vec![],
            roster_file: String::new(),
            absence: Default::default(),
            wins: Default::default(),
            pairs: vec![],
            pairing: Pairing::default(),
            triggers,
            checkins: Checkins {
                cron: "0 0 10 * * Tue".parse().unwrap(),
                text: "meet".into(),
            },
            digest: Digest {
                cron: "0 0 8 * * Mon".parse().unwrap(),
            },
            questions: Vec::new(),
            reinforcement: Default::default(),
            opportunities: Vec::new(),
            outcomes_file: String::new(),
            people_at: Default::default(),
        }
    }

    fn plan(program: &Program, pairs: &PairSchedule) -> Vec<Occurrence> {
        let members = Member::roster(program, |_| None);
        let planner = Planner::new(program, &members, pairs);
        let from = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        planner.all_occurrences(from, from + Duration::days(120))
    }

    fn for_source<'a>(all: &'a [Occurrence], source: &Source, who: &str) -> Vec<&'a Occurrence> {
        all.iter()
            .filter(|o| &o.source == source && o.recipient.key() == who)
            .collect()
    }

    #[test]
    fn a_morning_trigger_fires_at_the_same_local_time_in_three_timezones_through_dst() {
        let p = program(vec![trigger(
            "daily",
            "0 0 9 * * Mon-Fri",
            Audience::Reps,
            None,
        )]);
        let all = plan(&p, &PairSchedule::default());
        let daily = Source::Trigger("daily".into());
        for (who, holidays) in [("U0NY", 1), ("U0UK", 1), ("U0IN", 3)] {
            let got = for_source(&all, &daily, who);
            // 90 days from a Monday = 12 weeks + Mon–Sat = 65 working days, less holidays.
            assert_eq!(got.len(), 65 - holidays, "{who}");
            assert!(
                got.iter()
                    .all(|o| o.local.hour() == 9 && o.local.minute() == 0),
                "{who}"
            );
            let days: HashSet<NaiveDate> = got.iter().map(|o| o.local.date_naive()).collect();
            assert_eq!(days.len(), got.len(), "never twice a day: {who}");
        }
        // New York moves from UTC-5 to UTC-4 on 14 March: 14:00Z before, 13:00Z after.
        let ny = for_source(&all, &daily, "U0NY");
        let on = |date: NaiveDate| {
            ny.iter()
                .find(|o| o.local.date_naive() == date)
                .unwrap()
                .at
                .hour()
        };
        assert_eq!((on(d(2027, 3, 12)), on(d(2027, 3, 15))), (14, 13));
    }

    #[test]
    fn a_time_that_happens_twice_is_sent_once_and_one_that_never_happens_is_sent_after_the_gap() {
        let mut p = program(vec![
            trigger("night", "0 30 1 * * *", Audience::Reps, None),
            trigger("gap", "0 30 2 * * *", Audience::Reps, None),
        ]);
        p.settings.kickoff = d(2027, 3, 1);
        p.settings.working_days = vec![
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
            Weekday::Sat,
            Weekday::Sun,
        ];
        p.settings.days = 270;
        let all = plan_between(&p, Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap(), 270);
        let ny = |name: &str, date: NaiveDate| -> Vec<Occurrence> {
            all.iter()
                .filter(|o| {
                    o.source == Source::Trigger(name.into())
                        && o.recipient.key() == "U0NY"
                        && o.local.date_naive() == date
                })
                .cloned()
                .collect()
        };
        // 7 Nov 2027: 01:30 happens twice in New York; one message, at the first.
        let autumn = ny("night", d(2027, 11, 7));
        assert_eq!(autumn.len(), 1);
        assert_eq!(
            autumn[0].at,
            Utc.with_ymd_and_hms(2027, 11, 7, 5, 30, 0).unwrap()
        );
        // 14 Mar 2027: 02:30 does not exist; sent at 03:00, once.
        let spring = ny("gap", d(2027, 3, 14));
        assert_eq!(spring.len(), 1);
        assert_eq!((spring[0].local.hour(), spring[0].local.minute()), (3, 0));
    }

    fn plan_between(program: &Program, from: DateTime<Utc>, days: i64) -> Vec<Occurrence> {
        let members = Member::roster(program, |_| None);
        Planner::new(program, &members, &PairSchedule::default())
            .all_occurrences(from, from + Duration::days(days))
    }

    #[test]
    fn holidays_are_program_wide_or_per_calendar() {
        let p = program(vec![trigger("daily", "0 0 9 * * *", Audience::Reps, None)]);
        let all = plan(&p, &PairSchedule::default());
        let dates = |who: &str| -> HashSet<NaiveDate> {
            for_source(&all, &Source::Trigger("daily".into()), who)
                .iter()
                .map(|o| o.local.date_naive())
                .collect()
        };
        for who in ["U0NY", "U0IN", "U0UK"] {
            assert!(
                !dates(who).contains(&d(2027, 1, 18)),
                "program holiday for {who}"
            );
            assert!(
                dates(who)
                    .iter()
                    .all(|d| d.weekday().number_from_monday() <= 5),
                "weekends off"
            );
        }
        assert!(
            !dates("U0IN").contains(&d(2027, 1, 26)),
            "Republic Day in India"
        );
        assert!(
            dates("U0NY").contains(&d(2027, 1, 26)),
            "an ordinary Tuesday in New York"
        );
    }

    #[test]
    fn weeks_scope_triggers_to_their_sprints() {
        let p = program(vec![trigger(
            "refine",
            "0 0 11 * * Tue",
            Audience::Reps,
            Some(vec![2]),
        )]);
        let all = plan(&p, &PairSchedule::default());
        let got = for_source(&all, &Source::Trigger("refine".into()), "U0NY");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].local.date_naive(), d(2027, 1, 19));
        assert_eq!(got[0].sprint_week(), Some(2));
    }

    #[test]
    fn checkpoints_move_to_the_next_working_day() {
        let mut p = program(vec![]);
        p.settings.holidays.push(d(2027, 3, 15));
        let all = plan(&p, &PairSchedule::default());
        let pulses = |day: u32, who: &str| -> Vec<NaiveDate> {
            for_source(&all, &Source::Checkpoint(day), who)
                .iter()
                .map(|o| o.local.date_naive())
                .collect()
        };
        // Day 30 is Tue 9 Feb; day 60 is Thu 11 Mar; day 90 is Sat 10 Apr, the program's last
        // day: Mon 12 Apr would be after the end, so it moves back to Fri 9 Apr.
        assert_eq!(pulses(30, "U0NY"), [d(2027, 2, 9)]);
        assert_eq!(pulses(60, "U0UK"), [d(2027, 3, 11)]);
        assert_eq!(pulses(90, "U0IN"), [d(2027, 4, 9)]);
        assert!(pulses(30, "U0MGR").is_empty(), "pulses go to reps");
        assert!(
            all.iter()
                .filter(|o| o.kind() == MessageKind::Pulse)
                .all(|o| o.local.hour() == 9 && o.local.minute() == 30)
        );
    }

    #[test]
    fn pressure_weeks_resurface_plans_on_their_first_working_day() {
        let p = program(vec![]);
        let all = plan(&p, &PairSchedule::default());
        let got = for_source(&all, &Source::Pressure, "U0NY");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].local.date_naive(), d(2027, 3, 22));
        assert_eq!(got[0].kind(), MessageKind::Pressure);
        let india = for_source(&all, &Source::Pressure, "U0IN");
        assert_eq!(
            india[0].local.date_naive(),
            d(2027, 3, 23),
            "22 March is a holiday in India"
        );
    }

    #[test]
    fn people_away_get_nothing_until_they_are_back() {
        let mut p = program(vec![trigger(
            "daily",
            "0 0 9 * * Mon-Fri",
            Audience::Reps,
            None,
        )]);
        p.people[0].away_until = Some(d(2027, 2, 15));
        let all = plan(&p, &PairSchedule::default());
        let mine: Vec<&Occurrence> = all
            .iter()
            .filter(|o| o.recipient.key().contains("U0NY"))
            .collect();
        assert!(mine.iter().all(|o| o.local.date_naive() >= d(2027, 2, 15)));
        assert!(
            mine.iter()
                .any(|o| o.source == Source::Checkpoint(30)
                    && o.local.date_naive() == d(2027, 2, 15)),
            "the day-30 pulse waits for them"
        );
    }

    #[test]
    fn pairs_meet_in_one_group_dm_and_are_asked_two_working_days_later() {
        let p = program(vec![]);
        let pairs = PairSchedule::new(BTreeMap::from([(
            1,
            vec![vec!["U0NY".to_string(), "U0UK".to_string()]],
        )]));
        let all = plan(&p, &pairs);
        let checkins = for_source(&all, &Source::Checkin, "U0NY+U0UK");
        assert_eq!(checkins.len(), 13, "every Tuesday of the program");
        assert!(
            checkins
                .iter()
                .all(|o| o.local.weekday() == Weekday::Tue && o.local.hour() == 10)
        );
        let follow = for_source(&all, &Source::CheckinFollowUp, "U0NY+U0UK");
        assert_eq!(follow[0].local.date_naive(), d(2027, 1, 14), "Tue → Thu");
        assert!(follow.iter().all(|o| o.kind() == MessageKind::Checkin));
    }

    #[test]
    fn digests_report_each_week_once_after_it_ended_and_the_close_comes_on_the_last_day() {
        let p = program(vec![]);
        let all = plan(&p, &PairSchedule::default());
        let digests = for_source(&all, &Source::Digest, "U0MGR");
        let days: Vec<NaiveDate> = digests.iter().map(|o| o.local.date_naive()).collect();
        assert_eq!(
            days.first(),
            Some(&d(2027, 1, 19)),
            "none on kickoff day: week 1's, on MLK Day, moves to Tuesday"
        );
        assert_eq!(days.last(), Some(&d(2027, 4, 5)), "week 12's; none after");
        let weeks: Vec<u32> = digests.iter().map(|o| o.program_week).collect();
        // Sent in the week after the one each reports: weeks 1 to 12, each once.
        assert_eq!(weeks, (2..=13).collect::<Vec<_>>());
        assert!(digests.iter().all(|o| o.local.hour() == 8));
        assert!(
            all.iter()
                .filter(|o| o.source == Source::Digest)
                .all(|o| o.recipient.key() == "U0MGR")
        );
        assert_eq!(for_source(&all, &Source::ProgramReport, "U0ADM").len(), 12);

        // The close, on day 90 (Fri 9 Apr) after its pulse, to the manager and the admin.
        for who in ["U0MGR", "U0ADM"] {
            let close = for_source(&all, &Source::Close, who);
            assert_eq!(close.len(), 1, "{who}");
            assert_eq!(close[0].local.date_naive(), d(2027, 4, 9));
            assert_eq!(close[0].local.hour(), 16);
        }
        let last_day_ends = Utc.with_ymd_and_hms(2027, 4, 10, 12, 0, 0).unwrap();
        let after: Vec<_> = all
            .iter()
            .filter(|o| o.at > last_day_ends && o.source != Source::AdoptionChart)
            .map(|o| o.key())
            .collect();
        assert!(
            after.is_empty(),
            "nothing of the program after it: {after:?}"
        );
    }

    #[test]
    fn a_digest_moved_off_a_holiday_is_planned_whichever_window_holds_its_new_time() {
        let p = program(vec![]);
        let members = Member::roster(&p, |_| None);
        let pairs = PairSchedule::default();
        let planner = Planner::new(&p, &members, &pairs);
        // MLK Day's 08:00 digest is due Tue 19 Jan 08:00 in Los Angeles (16:00Z).
        let cut = Utc.with_ymd_and_hms(2027, 1, 19, 0, 0, 0).unwrap();
        let before = planner.all_occurrences(cut - Duration::days(2), cut);
        let after = planner.all_occurrences(cut, cut + Duration::days(1));
        let digest_on = |v: &[Occurrence]| v.iter().filter(|o| o.source == Source::Digest).count();
        assert_eq!((digest_on(&before), digest_on(&after)), (0, 1));
    }

    #[test]
    fn a_daily_digest_reports_each_week_once() {
        let mut p = program(vec![]);
        p.digest.cron = "0 0 8 * * *".parse().unwrap();
        let all = plan(&p, &PairSchedule::default());
        let digests = for_source(&all, &Source::Digest, "U0MGR");
        let weeks: Vec<u32> = digests.iter().map(|o| o.program_week).collect();
        // Sent in the week after the one each reports: weeks 1 to 12, each once.
        assert_eq!(weeks, (2..=13).collect::<Vec<_>>());
        assert_eq!(weeks, (2..=13).collect::<Vec<_>>(), "{digests:#?}");
        assert_eq!(
            digests[0].local.date_naive(),
            d(2027, 1, 19),
            "the first time after week 1 ended, a weekend and a holiday moved past"
        );
    }

    #[test]
    fn cron_seconds_are_kept_in_instants_and_keys() {
        let mut p = program(vec![trigger(
            "often",
            "*/10 * * * * *",
            Audience::Reps,
            None,
        )]);
        p.people.truncate(1);
        let from = Utc.with_ymd_and_hms(2027, 1, 12, 15, 0, 0).unwrap();
        let all = plan_between(&p, from, 0)
            .into_iter()
            .chain(
                Planner::new(&p, &Member::roster(&p, |_| None), &PairSchedule::default())
                    .all_occurrences(from, from + Duration::minutes(1)),
            )
            .filter(|o| o.source == Source::Trigger("often".into()))
            .collect::<Vec<_>>();
        let seconds: Vec<u32> = all.iter().map(|o| o.at.second()).collect();
        assert_eq!(seconds, [0, 10, 20, 30, 40, 50]);
        let keys: HashSet<String> = all.iter().map(Occurrence::key).collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
        assert!(all[1].key().ends_with("T10:00:10"), "{}", all[1].key());
    }

    #[test]
    fn every_occurrence_has_a_unique_key_and_the_list_is_in_time_order() {
        let p = program(vec![
            trigger("daily", "0 0 9 * * *", Audience::Reps, None),
            trigger(
                "wins",
                "0 0 12 * * Fri",
                Audience::Channel(Channel::Id("C0WINS".into())),
                Some(vec![1, 2, 3, 4]),
            ),
        ]);
        let pairs = PairSchedule::new(BTreeMap::from([(
            1,
            vec![vec![
                "U0NY".to_string(),
                "U0IN".to_string(),
                "U0UK".to_string(),
            ]],
        )]));
        let all = plan(&p, &pairs);
        let keys: HashSet<String> = all.iter().map(Occurrence::key).collect();
        assert_eq!(keys.len(), all.len());
        assert!(all.windows(2).all(|w| w[0].at <= w[1].at));
        assert_eq!(
            all.iter()
                .filter(|o| o.recipient == Recipient::Channel(Channel::Id("C0WINS".into())))
                .count(),
            4
        );
    }

    #[test]
    fn auto_pairs_change_each_sprint_and_skip_people_away() {
        let mut p = program(vec![]);
        p.pairing.mode = PairingMode::Auto;
        for i in 0..4 {
            p.people.push(person(
                &format!("U0R{i}"),
                Role::Rep,
                chrono_tz::America::Chicago,
            ));
        }
        p.people[0].away_until = Some(d(2027, 1, 25)); // away for sprints 1 and 2
        let members = Member::roster(&p, |_| None);
        let pairs = PairSchedule::for_program(&p, &members);
        assert_eq!(
            pairs.weeks().keys().copied().collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
        for week in 1..=4 {
            let placed: Vec<&String> = pairs.for_week(week).iter().flatten().collect();
            assert_eq!(
                placed.iter().any(|id| *id == "U0NY"),
                week >= 3,
                "week {week}"
            );
        }
        assert_ne!(pairs.for_week(1), pairs.for_week(2));
        assert_eq!(
            pairs.for_week(9),
            pairs.for_week(4),
            "the last sprint's pairs hold after it"
        );
    }

    #[test]
    fn a_roster_change_mid_sprint_keeps_the_sprint_and_remakes_the_ones_to_come() {
        let mut p = program(vec![]);
        p.pairing.mode = PairingMode::Auto;
        p.people.clear();
        let rep = |i: usize| person(&format!("U0R{i}"), Role::Rep, chrono_tz::America::Chicago);
        p.people.extend((0..6).map(rep));
        let at_kickoff = PairSchedule::for_program(&p, &Member::roster(&p, |_| None));

        // Wednesday of sprint 1: U0R5 left, U0R6 joined.
        p.people.retain(|x| x.slack_id != "U0R5");
        p.people.push(rep(6));
        let members = Member::roster(&p, |_| None);
        let now = PairSchedule::for_roster(&p, &members, Some(&at_kickoff), d(2027, 1, 13));

        let week1: Vec<&String> = now.for_week(1).iter().flatten().collect();
        assert!(!week1.iter().any(|id| *id == "U0R5"), "{week1:?}");
        assert!(
            week1.iter().any(|id| *id == "U0R6"),
            "the joiner has a partner now"
        );
        let untouched = at_kickoff
            .for_week(1)
            .iter()
            .filter(|g| !g.contains(&"U0R5".to_string()))
            .all(|g| now.for_week(1).contains(g));
        assert!(untouched, "pairs nobody left are kept");
        // Sprints to come hold everyone on the roster, and no pair of sprint 1 meets again.
        let met = crate::domain::pairing::meetings(now.for_week(1));
        for week in 2..=4 {
            let mut placed: Vec<&String> = now.for_week(week).iter().flatten().collect();
            placed.sort();
            assert_eq!(placed.len(), 6, "week {week}");
            if week == 2 {
                assert!(crate::domain::pairing::meetings(now.for_week(2)).is_disjoint(&met));
            }
        }
        // Before the kickoff nothing has started: the same roster gives the same pairs.
        let before = PairSchedule::for_roster(&p, &members, Some(&at_kickoff), d(2027, 1, 4));
        assert_eq!(
            before.weeks(),
            PairSchedule::for_program(&p, &members).weeks()
        );
    }

    #[test]
    fn sources_and_recipients_read_back_from_their_keys() {
        for source in [
            Source::Trigger("a:b".into()),
            Source::Checkin,
            Source::CheckinFollowUp,
            Source::Digest,
            Source::ProgramReport,
            Source::Checkpoint(60),
            Source::Pressure,
            Source::Win {
                user: "U1".into(),
                logged_at: 1_799_999_999_000_000,
            },
            Source::Notice("pause:U1:1799999999000000".into()),
        ] {
            assert_eq!(Source::parse(&source.key()), Some(source.clone()));
        }
        assert_eq!(Source::parse("nonsense"), None);
        for r in [
            Recipient::Person("U1".into()),
            Recipient::Group(Group::from(["U1", "U2"])),
            Recipient::Channel(Channel::Id("C0123ABCD".into())),
            Recipient::Channel(Channel::Name("sko-wins".into())),
            // A person whose id looks like a channel's is still a person.
            Recipient::Person("C0FFEE123".into()),
        ] {
            assert_eq!(Recipient::from_key(r.kind(), &r.key()), Some(r.clone()));
            assert_eq!(RecipientKind::parse(r.kind().as_str()), Some(r.kind()));
        }
    }

    #[test]
    fn a_partner_left_alone_by_an_absence_joins_another_pair() {
        let mut p = program(vec![]);
        p.people[0].away_until = Some(d(2027, 1, 25)); // U0NY away for two weeks
        let pairs = PairSchedule::new(BTreeMap::from([(
            1,
            vec![
                vec!["U0NY".to_string(), "U0UK".to_string()],
                vec!["U0IN".to_string(), "U0ADM".to_string()],
            ],
        )]));
        let all = plan(&p, &pairs);
        let on = |date: NaiveDate| -> Vec<String> {
            all.iter()
                .filter(|o| o.source == Source::Checkin && o.local.date_naive() == date)
                .map(|o| o.recipient.key())
                .collect()
        };
        assert_eq!(
            on(d(2027, 1, 12)),
            ["U0IN+U0ADM+U0UK"],
            "U0UK is tripled up while U0NY is away"
        );
        assert_eq!(
            on(d(2027, 2, 2)).len(),
            2,
            "back to two pairs: {:?}",
            on(d(2027, 2, 2))
        );
    }

    #[test]
    fn planning_in_pieces_gives_the_same_as_planning_at_once() {
        let p = program(vec![trigger(
            "daily",
            "0 0 9 * * Mon-Fri",
            Audience::Reps,
            None,
        )]);
        let pairs = PairSchedule::new(BTreeMap::from([(
            1,
            vec![vec!["U0NY".to_string(), "U0UK".to_string()]],
        )]));
        let members = Member::roster(&p, |_| None);
        let planner = Planner::new(&p, &members, &pairs);
        let start = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let whole = planner.all_occurrences(start, start + Duration::days(120));
        let mut pieces = Vec::new();
        let mut at = start;
        while at < start + Duration::days(120) {
            pieces.extend(planner.all_occurrences(at, at + Duration::hours(7)));
            at += Duration::hours(7);
        }
        let keys = |v: &[Occurrence]| v.iter().map(Occurrence::key).collect::<Vec<_>>();
        assert_eq!(keys(&whole), keys(&pieces));
    }
}
