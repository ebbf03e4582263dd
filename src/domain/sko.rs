//! The grammar of `/sko`: what is neither a commitment nor practice.

use chrono::{Duration, NaiveDate};

use super::GrammarError;
use super::commitment::truncate;
use super::mention::{self, Mention};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkoCommand {
    Help,
    Status,
    Pause(PauseSpec),
    Resume,
    /// Admins: re-read the config file.
    Reload,
    /// Admins: what a rep receives next week.
    Preview(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseSpec {
    Until(NaiveDate),
    Days(i64),
}

/// The longest pause `/sko pause` takes; longer absences belong in the roster.
pub const MAX_PAUSE_DAYS: i64 = 90;

impl PauseSpec {
    /// The first day the person is back, seen from `today`.
    pub fn back_on(self, today: NaiveDate) -> NaiveDate {
        match self {
            PauseSpec::Until(date) => date,
            PauseSpec::Days(days) => today + Duration::days(days),
        }
    }
}

const PAUSE_EXAMPLE: &str = "/sko pause until 2027-02-01";

pub fn parse(text: &str) -> Result<SkoCommand, GrammarError> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["help" | "?"] => Ok(SkoCommand::Help),
        ["status" | "me" | "week"] => Ok(SkoCommand::Status),
        ["resume" | "back" | "unpause"] => Ok(SkoCommand::Resume),
        ["reload"] => Ok(SkoCommand::Reload),
        ["pause", rest @ ..] => pause(rest).map(SkoCommand::Pause),
        ["preview", who] => {
            let raw = text.split_whitespace().nth(1).unwrap_or_default();
            match mention::parse(raw) {
                Some(Mention::User(id)) => Ok(SkoCommand::Preview(id)),
                _ => Err(GrammarError::new(
                    format!(
                        "Whose week should I preview? `{}` isn't a person; pick them with @.",
                        truncate(who, 40)
                    ),
                    "/sko preview @dana",
                )),
            }
        }
        [first, ..] => Err(GrammarError::new(
            format!(
                "`/sko {}` isn't something I know. Try status, pause, resume or help.",
                truncate(first, 30)
            ),
            "/sko status",
        )),
    }
}

fn pause(words: &[&str]) -> Result<PauseSpec, GrammarError> {
    let spec = match words {
        ["until" | "till" | "to", date] => NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .ok()
            .map(PauseSpec::Until),
        ["for", n, unit] | [n, unit] => n
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .and_then(|n| match unit.trim_end_matches('s') {
                "day" => Some(PauseSpec::Days(n)),
                "week" => Some(PauseSpec::Days(n * 7)),
                _ => None,
            }),
        _ => None,
    };
    spec.ok_or_else(|| {
        GrammarError::new(
            "Until when? Give the date you're back, or how long you're away.",
            PAUSE_EXAMPLE,
        )
    })
}

/// Checks a pause against today: in the future, and not longer than the program allows.
pub fn check_pause(spec: PauseSpec, today: NaiveDate) -> Result<NaiveDate, GrammarError> {
    let back = spec.back_on(today);
    if back <= today {
        return Err(GrammarError::new(
            format!("{back} is not in the future; give the first day you're back."),
            PAUSE_EXAMPLE,
        ));
    }
    if back - today > Duration::days(MAX_PAUSE_DAYS) {
        return Err(GrammarError::new(
            format!(
                "That's more than {MAX_PAUSE_DAYS} days; ask your enablement admin to set a longer absence in the roster."
            ),
            PAUSE_EXAMPLE,
        ));
    }
    Ok(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn reads_every_subcommand() {
        let cases = [
            ("", SkoCommand::Help),
            ("help", SkoCommand::Help),
            ("STATUS", SkoCommand::Status),
            ("resume", SkoCommand::Resume),
            ("reload", SkoCommand::Reload),
            (
                "pause until 2027-02-01",
                SkoCommand::Pause(PauseSpec::Until(d(2027, 2, 1))),
            ),
            ("pause for 2 weeks", SkoCommand::Pause(PauseSpec::Days(14))),
            ("pause 3 days", SkoCommand::Pause(PauseSpec::Days(3))),
            (
                "preview <@U0EAST001|dana>",
                SkoCommand::Preview("U0EAST001".into()),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text), Ok(expected), "{text:?}");
        }
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        for (text, problem) in [
            ("pause", "Until when?"),
            ("pause until friday", "Until when?"),
            ("pause for -2 days", "Until when?"),
            ("preview dana", "Whose week"),
            ("dance", "isn't something I know"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.problem.contains(problem), "{text:?}: {}", err.problem);
        }
    }

    #[test]
    fn a_pause_must_end_in_the_future_and_within_ninety_days() {
        let today = d(2027, 1, 13);
        assert_eq!(
            check_pause(PauseSpec::Until(d(2027, 2, 1)), today),
            Ok(d(2027, 2, 1))
        );
        assert_eq!(check_pause(PauseSpec::Days(7), today), Ok(d(2027, 1, 20)));
        assert!(check_pause(PauseSpec::Until(d(2027, 1, 13)), today).is_err());
        assert!(check_pause(PauseSpec::Days(120), today).is_err());
    }
}
