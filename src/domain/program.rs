//! The reinforcement program as an admin configures it: calendar, sprints, skills, people,
//! pairs and triggers, with the rules that tie them together (which week a day is in, who is
//! whose manager) and the checks that catch a broken roster before launch.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, de::Error};

use super::absence::AbsenceRules;
use super::de;
pub use super::outcomes::Opportunity;
pub use super::people::{Person, Role, RosterEntry};
pub use super::reinforcement::{Question, Reinforcement};
pub use super::wall_clock::CronExpr;

/// Weeks 1–4 after kickoff are the integration sprints.
pub const SPRINT_WEEKS: u32 = 4;

#[derive(Debug, Clone)]
pub struct Program {
    pub settings: ProgramSettings,
    pub calendars: Vec<Calendar>,
    pub sprints: Vec<Sprint>,
    pub skills: Vec<Skill>,
    pub checkpoints: Vec<Checkpoint>,
    /// Everyone whose Slack id is known: `[[people]]`, then the `roster.csv` rows found.
    pub people: Vec<Person>,
    /// Every `roster.csv` row, found in Slack or not.
    pub roster: Vec<RosterEntry>,
    /// Where the rows come from, as problems and logs name it; empty without `roster.csv`.
    pub roster_file: String,
    /// Which Slack statuses mean a person is away.
    pub absence: AbsenceRules,
    /// Where reps' wins are posted when they choose to share them.
    pub wins: Wins,
    pub pairs: Vec<Pair>,
    pub pairing: Pairing,
    pub triggers: Vec<Trigger>,
    pub checkins: Checkins,
    pub digest: Digest,
    /// `[[questions]]`: what spaced reinforcement asks, and `[reinforcement]`: when.
    pub questions: Vec<Question>,
    pub reinforcement: Reinforcement,
    /// `[outcomes]`: the CRM's opportunities, and the file they come from (empty without one).
    pub opportunities: Vec<Opportunity>,
    pub outcomes_file: String,
    /// Where each person is in `people`, built on the first look-up: every message composed
    /// for a large roster looks its people up.
    pub people_at: PeopleIndex,
}

/// Positions in [`Program::people`], built on the first look-up: by Slack id, and the reps by
/// their manager. Each hit is checked against the roster, so a roster changed after the index
/// was built is still read right (by a scan).
#[derive(Debug, Clone, Default)]
pub struct PeopleIndex {
    by_id: std::sync::OnceLock<foldhash::HashMap<String, usize>>,
    reps_by_manager: std::sync::OnceLock<foldhash::HashMap<String, Vec<usize>>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramSettings {
    pub name: String,
    #[serde(deserialize_with = "de::date")]
    pub kickoff: NaiveDate,
    #[serde(deserialize_with = "de::timezone")]
    pub timezone: Tz,
    #[serde(default = "weekdays_mon_to_fri", deserialize_with = "de::weekdays")]
    pub working_days: Vec<Weekday>,
    #[serde(default, deserialize_with = "de::dates")]
    pub holidays: Vec<NaiveDate>,
    /// Length of the program in calendar days from kickoff.
    #[serde(default = "ninety")]
    pub days: u32,
    /// Program weeks (1 = kickoff week) in which pressure plans resurface.
    #[serde(default)]
    pub pressure_weeks: Vec<u32>,
    /// A rep with no activity for this many working days is flagged as quiet.
    #[serde(default = "five")]
    pub quiet_after_working_days: u32,
    /// Local time (`HH:MM`) pressure plans resurface, on the first working day of a pressure week.
    #[serde(default = "nine", deserialize_with = "de::time_of_day")]
    pub pressure_at: NaiveTime,
}

fn nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 0, 0).expect("09:00 is a time")
}

/// The days off of a region or team (India and the US do not share holidays), on top of
/// `program.holidays`: a country's public holidays built in, and any days listed.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "CalendarFile")]
pub struct Calendar {
    pub name: String,
    /// Teams that follow this calendar; a person can also name it with `calendar`.
    pub teams: Vec<String>,
    /// ISO 3166 code and subdivision whose public holidays are built in, e.g. `GB`, `ENG`.
    pub country: Option<String>,
    pub subdivision: Option<String>,
    /// Every day off: the built-in public holidays and the listed days, in date order.
    pub holidays: Vec<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    name: String,
    #[serde(default)]
    teams: Vec<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    subdivision: Option<String>,
    #[serde(default, deserialize_with = "de::dates")]
    holidays: Vec<NaiveDate>,
}

impl TryFrom<CalendarFile> for Calendar {
    type Error = String;
    fn try_from(file: CalendarFile) -> Result<Self, String> {
        let mut holidays = file.holidays;
        match (&file.country, &file.subdivision) {
            (Some(country), subdivision) => holidays.extend(
                super::holidays::public_holidays(country, subdivision.as_deref())?
                    .into_iter()
                    .map(|h| h.date),
            ),
            (None, Some(_)) => {
                return Err(
                    "`subdivision` needs the `country` it belongs to, e.g. country = \"GB\", subdivision = \"ENG\""
                        .into(),
                );
            }
            (None, None) => {}
        }
        holidays.sort();
        holidays.dedup();
        Ok(Calendar {
            name: file.name,
            teams: file.teams,
            country: file.country.map(|c| c.to_ascii_uppercase()),
            subdivision: file.subdivision.map(|s| s.to_ascii_uppercase()),
            holidays,
        })
    }
}

fn weekdays_mon_to_fri() -> Vec<Weekday> {
    use Weekday::*;
    vec![Mon, Tue, Wed, Thu, Fri]
}
fn ninety() -> u32 {
    90
}
fn five() -> u32 {
    5
}

impl ProgramSettings {
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_days.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// How many program weeks there are at most: the last one may be short.
    pub fn weeks(&self) -> u32 {
        self.days.div_ceil(7)
    }

    /// The program week `date` falls in (1 = the week that starts on kickoff), counting only
    /// weeks that hold at least one working day, so a holiday week does not use up a sprint.
    /// `None` before kickoff, after the program, or inside a week with no working day.
    pub fn program_week(&self, date: NaiveDate) -> Option<u32> {
        let offset = (date - self.kickoff).num_days();
        if offset < 0 || offset >= i64::from(self.days) {
            return None;
        }
        let block = offset / 7;
        let has_working_day =
            |b: i64| (0..7).any(|d| self.is_working_day(self.kickoff + Duration::days(b * 7 + d)));
        if !has_working_day(block) {
            return None;
        }
        Some((0..=block).filter(|b| has_working_day(*b)).count() as u32)
    }

    /// The program week that ended last before `date`: the one a weekly look back on `date`
    /// reports. `None` until the first week has ended, and from the day after the program,
    /// whose last days the close reports.
    pub fn week_ended_before(&self, date: NaiveDate) -> Option<u32> {
        let offset = (date - self.kickoff).num_days();
        if offset < 7 || offset >= i64::from(self.days) {
            return None;
        }
        // A block of seven days without a working day is no week: the one before it is.
        (0..offset / 7)
            .rev()
            .find_map(|block| self.program_week(self.kickoff + Duration::days(block * 7)))
    }

    /// The program's last day.
    pub fn last_day(&self) -> NaiveDate {
        self.kickoff + Duration::days(i64::from(self.days) - 1)
    }

    /// Midnight of the kickoff day in the program's timezone.
    pub fn kickoff_instant(&self) -> chrono::DateTime<chrono::Utc> {
        let midnight = self
            .kickoff
            .and_hms_opt(0, 0, 0)
            .expect("midnight is a time");
        super::wall_clock::resolve(self.timezone, midnight)
    }

    /// The last second of `date` in the program's timezone.
    pub fn end_of_day(&self, date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
        let next_midnight = (date + Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight is a time");
        super::wall_clock::resolve(self.timezone, next_midnight) - Duration::seconds(1)
    }

    /// The integration sprint (1–4) that `date` falls in, if any.
    pub fn sprint_week(&self, date: NaiveDate) -> Option<u32> {
        self.program_week(date).filter(|w| *w <= SPRINT_WEEKS)
    }

    /// The last working day of the week that holds `date` (the default "end of week").
    pub fn end_of_week(&self, date: NaiveDate) -> NaiveDate {
        let days_to_sunday = 6 - i64::from(date.weekday().num_days_from_monday());
        (0..=days_to_sunday)
            .rev()
            .map(|d| date + Duration::days(d))
            .find(|d| self.is_working_day(*d))
            .unwrap_or(date)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sprint {
    pub week: u32,
    pub focus: String,
    pub summary: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skill {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub rubric: Vec<Criterion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub criterion: String,
    /// What a 5 looks like, in the words of the top performers who modelled it.
    pub good: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    pub day: u32,
    /// Local time of day the pulse goes out, `HH:MM`.
    #[serde(default = "half_past_nine", deserialize_with = "de::time_of_day")]
    pub at: NaiveTime,
    pub text: String,
}

fn half_past_nine() -> NaiveTime {
    NaiveTime::from_hms_opt(9, 30, 0).expect("09:30 is a time")
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PairingMode {
    /// Pairs as listed in `[[pairs]]`.
    #[default]
    Config,
    /// New pairs each sprint, made by the bot.
    Auto,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pairing {
    #[serde(default)]
    pub mode: PairingMode,
}

/// `[wins]`: the channel a rep's live-deal win goes to when they share it (never unasked).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wins {
    #[serde(default, deserialize_with = "optional_channel")]
    pub channel: Option<Channel>,
}

fn optional_channel<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Channel>, D::Error> {
    let raw = String::deserialize(d)?;
    Channel::parse(&raw).map(Some).ok_or_else(|| {
        D::Error::custom(format!(
            "`{raw}` names no channel; write #name (e.g. \"#sko-wins\") or the channel id (e.g. \"C0123ABCD\")"
        ))
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    Reps,
    Managers,
    Pairs,
    Admins,
    Channel(Channel),
}

/// A channel as an admin writes it: its id (`C0123ABCD`, from the channel's details) or its
/// name as people see it (`#sko-wins`), which the bot looks up in Slack once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Id(String),
    Name(String),
}

impl Channel {
    /// `C0123ABCD` is an id; `#sko-wins` or `sko-wins` a name. `None` when it is neither.
    pub fn parse(raw: &str) -> Option<Channel> {
        let raw = raw.trim();
        if let Some(name) = raw.strip_prefix('#') {
            return is_channel_name(name).then(|| Channel::Name(name.to_string()));
        }
        let looks_like_id = raw.len() >= 9
            && raw.starts_with(['C', 'G'])
            && raw
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if looks_like_id {
            Some(Channel::Id(raw.to_string()))
        } else {
            is_channel_name(raw).then(|| Channel::Name(raw.to_string()))
        }
    }

    /// How it is stored and shown: the id, or `#name`.
    pub fn key(&self) -> String {
        match self {
            Channel::Id(id) => id.clone(),
            Channel::Name(name) => format!("#{name}"),
        }
    }
}

/// Slack's rule for channel names: lower-case letters, digits, `-` and `_`, at most 80.
fn is_channel_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_lowercase() || c.is_numeric() || c == '-' || c == '_')
}

impl FromStr for Audience {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        Ok(match raw {
            "reps" => Audience::Reps,
            "managers" => Audience::Managers,
            "pairs" => Audience::Pairs,
            "admins" => Audience::Admins,
            other => match other.strip_prefix("channel:").map(Channel::parse) {
                Some(Some(channel)) => Audience::Channel(channel),
                Some(None) => {
                    return Err(format!(
                        "`{raw}` names no channel; write channel:#name (e.g. channel:#sko-wins) or channel:<channel id> (e.g. channel:C0123ABCD)"
                    ));
                }
                None => {
                    return Err(format!(
                        "`{raw}` is not an audience; use reps, managers, pairs, admins or channel:#name"
                    ));
                }
            },
        })
    }
}

impl<'de> Deserialize<'de> for Audience {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    pub name: String,
    pub cron: CronExpr,
    pub audience: Audience,
    pub text: String,
    /// Sprint weeks (1–4) the trigger is limited to; every week when absent.
    #[serde(default)]
    pub weeks: Option<Vec<u32>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkins {
    pub cron: CronExpr,
    #[serde(default = "default_checkin_text")]
    pub text: String,
}

fn default_checkin_text() -> String {
    "Time for your weekly check-in, {pair}: 30 minutes, one real deal each.".into()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Digest {
    pub cron: CronExpr,
}

/// A problem in the program found after parsing: `path` is the config key it is about, or
/// the column of `roster.csv` when `line` names a row there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramIssue {
    pub line: Option<usize>,
    pub path: String,
    pub message: String,
}

impl Program {
    /// The person's open opportunities in the CRM export, newest first (none without an email).
    pub fn open_deals_of(&self, slack_id: &str) -> Vec<&Opportunity> {
        self.person(slack_id)
            .and_then(|p| p.email.as_deref())
            .map(|email| super::outcomes::open_deals_of(&self.opportunities, email))
            .unwrap_or_default()
    }

    pub fn person(&self, slack_id: &str) -> Option<&Person> {
        let index = self.people_at.by_id.get_or_init(|| {
            self.people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.slack_id.clone(), i))
                .collect()
        });
        index
            .get(slack_id)
            .and_then(|&i| self.people.get(i))
            .filter(|p| p.slack_id == slack_id)
            .or_else(|| self.people.iter().find(|p| p.slack_id == slack_id))
    }

    /// The reps in the roster, or only those reporting to `manager`, in roster order.
    pub fn reps(&self, manager: Option<&str>) -> Vec<&Person> {
        let is_rep = |p: &Person| {
            p.role == Role::Rep && manager.is_none_or(|m| p.manager.as_deref() == Some(m))
        };
        let Some(manager) = manager else {
            return self.people.iter().filter(|p| is_rep(p)).collect();
        };
        let index = self.people_at.reps_by_manager.get_or_init(|| {
            let mut index: foldhash::HashMap<String, Vec<usize>> = Default::default();
            for (i, p) in self.people.iter().enumerate() {
                if let (Role::Rep, Some(m)) = (p.role, &p.manager) {
                    index.entry(m.clone()).or_default().push(i);
                }
            }
            index
        });
        let indexed: Vec<&Person> = index
            .get(manager)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.people.get(i))
            .collect();
        if indexed.iter().all(|p| is_rep(p)) {
            indexed
        } else {
            self.people.iter().filter(|p| is_rep(p)).collect()
        }
    }

    /// The program with the `roster.csv` rows whose Slack id is now known (in the file, or in
    /// `found`, by email) among its people, each with their manager's id when that is known.
    pub fn with_slack_ids(&self, found: &HashMap<String, String>) -> Program {
        let listed = || self.people.iter().filter(|p| p.roster_line.is_none());
        let mut id_of: HashMap<&str, &str> = listed()
            .filter_map(|p| Some((p.email.as_deref()?, p.slack_id.as_str())))
            .collect();
        for e in &self.roster {
            if let Some(id) = e.slack_id.as_ref().or_else(|| found.get(&e.email)) {
                id_of.entry(e.email.as_str()).or_insert(id.as_str());
            }
        }
        let mut taken: HashSet<&str> = listed().map(|p| p.slack_id.as_str()).collect();
        let mut people: Vec<Person> = listed().cloned().collect();
        for e in &self.roster {
            let Some(&id) = id_of.get(e.email.as_str()) else {
                continue;
            };
            // Two rows that Slack says are one person: the first row stands.
            if taken.insert(id) {
                let manager = e.manager_email.as_deref().and_then(|m| id_of.get(m));
                people.push(e.person(id, manager.map(|m| m.to_string())));
            }
        }
        Program {
            people,
            people_at: PeopleIndex::default(),
            ..self.clone()
        }
    }

    /// The `roster.csv` rows not (yet) among the people: Slack has no account by that email,
    /// or has not been asked.
    pub fn not_found(&self) -> impl Iterator<Item = &RosterEntry> {
        let in_program: HashSet<usize> = self.people.iter().filter_map(|p| p.roster_line).collect();
        self.roster
            .iter()
            .filter(move |e| !in_program.contains(&e.line))
    }

    pub fn sprint(&self, week: u32) -> Option<&Sprint> {
        self.sprints.iter().find(|s| s.week == week)
    }

    /// The person's own holidays: their named calendar, else the one listing their team.
    pub fn calendar_of(&self, person: &Person) -> Option<&Calendar> {
        match &person.calendar {
            Some(name) => self.calendars.iter().find(|c| &c.name == name),
            None => {
                let team = person.team.as_ref()?;
                self.calendars.iter().find(|c| c.teams.contains(team))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_look_back_reports_the_week_that_ended_and_none_after_the_program() {
        let mut s: ProgramSettings = toml::from_str(
            "name = \"x\"\nkickoff = \"2027-01-11\"\ntimezone = \"America/New_York\"\ndays = 90",
        )
        .unwrap();
        let day = |n: i64| s.kickoff + Duration::days(n - 1);
        assert_eq!(
            s.week_ended_before(day(1)),
            None,
            "kickoff day: nothing ended"
        );
        assert_eq!(s.week_ended_before(day(7)), None, "week 1's last day");
        assert_eq!(s.week_ended_before(day(8)), Some(1));
        assert_eq!(s.week_ended_before(day(9)), Some(1));
        assert_eq!(s.week_ended_before(day(85)), Some(12));
        assert_eq!(
            s.week_ended_before(day(90)),
            Some(12),
            "the close reports the rest"
        );
        assert_eq!(s.week_ended_before(day(91)), None, "after the program");
        // A week without a working day is no week: the one before it is reported.
        s.holidays = (15..22).map(day).collect();
        assert_eq!(s.week_ended_before(day(22)), Some(2));
        assert_eq!(s.week_ended_before(day(15)), Some(2));
    }

    fn settings() -> ProgramSettings {
        ProgramSettings {
            name: "SKO".into(),
            kickoff: NaiveDate::from_ymd_opt(2027, 1, 11).unwrap(), // a Monday
            timezone: chrono_tz::America::New_York,
            working_days: weekdays_mon_to_fri(),
            holidays: vec![],
            days: 90,
            pressure_weeks: vec![],
            quiet_after_working_days: 5,
            pressure_at: nine(),
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn weeks_count_from_kickoff_and_stop_with_the_program() {
        let s = settings();
        let cases = [
            (d(2027, 1, 10), None),
            (d(2027, 1, 11), Some(1)),
            (d(2027, 1, 17), Some(1)),
            (d(2027, 1, 18), Some(2)),
            (d(2027, 2, 7), Some(4)),
            (d(2027, 2, 8), Some(5)),
            (d(2027, 4, 10), Some(13)),
            (d(2027, 4, 11), None),
        ];
        for (date, week) in cases {
            assert_eq!(s.program_week(date), week, "{date}");
        }
        assert_eq!(s.sprint_week(d(2027, 2, 8)), None);
        assert_eq!(s.sprint_week(d(2027, 2, 5)), Some(4));
    }

    #[test]
    fn a_week_of_holidays_does_not_use_up_a_sprint() {
        let mut s = settings();
        s.holidays = (18..=22).map(|day| d(2027, 1, day)).collect();
        assert_eq!(s.program_week(d(2027, 1, 19)), None);
        assert_eq!(s.program_week(d(2027, 1, 25)), Some(2));
    }

    #[test]
    fn end_of_week_is_the_last_working_day() {
        let mut s = settings();
        assert_eq!(s.end_of_week(d(2027, 1, 12)), d(2027, 1, 15));
        s.holidays = vec![d(2027, 1, 15)];
        assert_eq!(s.end_of_week(d(2027, 1, 12)), d(2027, 1, 14));
    }

    #[test]
    fn audiences_parse_and_bad_ones_say_what_is_allowed() {
        for (raw, channel) in [
            ("channel:C0123ABCD", Channel::Id("C0123ABCD".into())),
            ("channel:G0PRIVATE9", Channel::Id("G0PRIVATE9".into())),
            ("channel:#sko-wins", Channel::Name("sko-wins".into())),
            ("channel:sko-wins", Channel::Name("sko-wins".into())),
            ("channel:#général", Channel::Name("général".into())),
        ] {
            assert_eq!(
                raw.parse::<Audience>(),
                Ok(Audience::Channel(channel)),
                "{raw}"
            );
        }
        assert!(
            "channel:#SKO Wins"
                .parse::<Audience>()
                .unwrap_err()
                .contains("channel:#name")
        );
        assert_eq!("pairs".parse::<Audience>(), Ok(Audience::Pairs));
        assert!(
            "everyone"
                .parse::<Audience>()
                .unwrap_err()
                .contains("reps, managers")
        );
        assert!("channel:".parse::<Audience>().is_err());
    }

    #[test]
    fn cron_needs_seconds_first() {
        assert!("0 0 9 * * Mon".parse::<CronExpr>().is_ok());
        let err = "0 9 * * Mon".parse::<CronExpr>().unwrap_err();
        assert!(err.contains("seconds first"), "{err}");
    }
}
