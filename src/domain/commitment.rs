//! Commitments: what a rep says they will do, and the grammar of `/commit`.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

use super::{GrammarError, MAX_TEXT_CHARS};

/// The goal architecture from the kickoff: outcome, performance and development goals, plus
/// pressure plans written in advance for the weeks when the quarter gets tight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentKind {
    Outcome,
    Performance,
    Development,
    Pressure,
}

impl CommitmentKind {
    pub const ALL: [CommitmentKind; 4] = [
        CommitmentKind::Outcome,
        CommitmentKind::Performance,
        CommitmentKind::Development,
        CommitmentKind::Pressure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentKind::Outcome => "outcome",
            CommitmentKind::Performance => "performance",
            CommitmentKind::Development => "development",
            CommitmentKind::Pressure => "pressure",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentStatus {
    Open,
    Done,
    Dropped,
}

impl CommitmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "open",
            CommitmentStatus::Done => "done",
            CommitmentStatus::Dropped => "dropped",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Open, Self::Done, Self::Dropped]
            .into_iter()
            .find(|s| s.as_str() == raw)
    }
}

/// A measurable target recognised in the text: "20 discovery calls".
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub number: f64,
    pub unit: Option<String>,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.number)?;
        if let Some(unit) = &self.unit {
            write!(f, " {unit}")?;
        }
        Ok(())
    }
}

/// A commitment as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Commitment {
    pub user_id: String,
    /// The short id the rep types: #1, #2, … per person.
    pub seq: u32,
    pub text: String,
    pub target: Option<Target>,
    pub due: Option<NaiveDate>,
    pub kind: CommitmentKind,
    pub status: CommitmentStatus,
    /// Program week it was made in; `None` before kickoff or after the program.
    pub week: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

/// What to record for a new or edited commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentInput {
    pub text: String,
    pub target: Option<Target>,
    pub due: Option<NaiveDate>,
    pub kind: CommitmentKind,
    pub week: Option<u32>,
}

/// A due day as typed; turned into a date against the rep's own "today".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueSpec {
    Today,
    Tomorrow,
    EndOfWeek,
    Weekday(Weekday),
    Date(NaiveDate),
}

impl DueSpec {
    /// The date meant, seen from `today`; `end_of_week` supplies the program's idea of it.
    pub fn resolve(self, today: NaiveDate, end_of_week: NaiveDate) -> NaiveDate {
        match self {
            DueSpec::Today => today,
            DueSpec::Tomorrow => today + Duration::days(1),
            DueSpec::EndOfWeek => end_of_week,
            DueSpec::Weekday(day) => {
                let ahead = (7 + day.num_days_from_monday() as i64
                    - today.weekday().num_days_from_monday() as i64)
                    % 7;
                today + Duration::days(ahead)
            }
            DueSpec::Date(date) => date,
        }
    }
}

/// What the rep typed for a new or edited commitment, with what was recognised in it.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitmentDraft {
    pub text: String,
    pub target: Option<Target>,
    pub due: Option<DueSpec>,
    /// Set when the rep named the kind; otherwise the caller decides.
    pub kind: Option<CommitmentKind>,
}

impl CommitmentDraft {
    /// The kind to record when none was named: a number means an activity goal.
    pub fn kind_or_default(&self) -> CommitmentKind {
        self.kind.unwrap_or(if self.target.is_some() {
            CommitmentKind::Performance
        } else {
            CommitmentKind::Development
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum CommitCommand {
    Help,
    List,
    New(CommitmentDraft),
    Done(u32),
    Edit(u32, CommitmentDraft),
    Drop(u32),
}

pub const COMMIT_EXAMPLE: &str =
    "/commit 20 discovery calls with the 4-question pain framework by Friday";
const PRESSURE_EXAMPLE: &str = "/commit pressure when a late-stage deal slips I will re-run discovery with the champion before discounting";

/// Parses the text after `/commit`.
pub fn parse(text: &str) -> Result<CommitCommand, GrammarError> {
    let text = text.trim();
    let (head, rest) = split_first_word(text);
    match head.to_lowercase().as_str() {
        "" | "help" | "?" => Ok(CommitCommand::Help),
        "list" | "ls" => Ok(CommitCommand::List),
        "done" | "complete" => short_id(rest, "done").map(CommitCommand::Done),
        "drop" | "delete" | "remove" => short_id(rest, "drop").map(CommitCommand::Drop),
        "edit" => {
            let (id, new_text) = split_first_word(rest);
            let id = short_id(id, "edit")?;
            if new_text.trim().is_empty() {
                return Err(GrammarError::new(
                    format!("What should commitment #{id} say instead?"),
                    format!("/commit edit {id} 25 discovery calls by Friday"),
                ));
            }
            draft(new_text, None).map(|d| CommitCommand::Edit(id, d))
        }
        kind_word => match CommitmentKind::parse(kind_word) {
            Some(kind) if rest.trim().is_empty() => Err(GrammarError::new(
                format!("What is the {} commitment?", kind.as_str()),
                if kind == CommitmentKind::Pressure {
                    PRESSURE_EXAMPLE.to_string()
                } else {
                    format!(
                        "/commit {} {}",
                        kind.as_str(),
                        "20 discovery calls by Friday"
                    )
                },
            )),
            Some(kind) => draft(rest, Some(kind)).map(CommitCommand::New),
            None => draft(text, None).map(CommitCommand::New),
        },
    }
}

fn draft(text: &str, kind: Option<CommitmentKind>) -> Result<CommitmentDraft, GrammarError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(GrammarError::new(
            format!(
                "That commitment is {chars} characters; keep it under {MAX_TEXT_CHARS} so it reads well on a phone."
            ),
            COMMIT_EXAMPLE,
        ));
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    Ok(CommitmentDraft {
        text: text.to_string(),
        target: target(&words),
        due: due(&words),
        kind,
    })
}

fn short_id(raw: &str, verb: &str) -> Result<u32, GrammarError> {
    let raw = raw.trim();
    let example = format!("/commit {verb} 3");
    if raw.is_empty() {
        return Err(GrammarError::new(
            "Which commitment? Give its number; `/commit list` shows them.",
            example,
        ));
    }
    raw.trim_start_matches('#')
        .parse::<u32>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            GrammarError::new(
                format!(
                    "`{}` is not a commitment number; `/commit list` shows them.",
                    truncate(raw, 40)
                ),
                example,
            )
        })
}

fn split_first_word(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim_start()),
        None => (text, ""),
    }
}

/// Words that end a unit: "20 calls *this* week", "3 demos *by* Friday".
const UNIT_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "at", "before", "by", "due", "each", "every", "for", "from", "in", "into",
    "next", "of", "on", "or", "per", "the", "this", "to", "until", "using", "with", "within",
];
const MAX_UNIT_WORDS: usize = 3;

/// The first standalone number, with the words after it as its unit.
fn target(words: &[&str]) -> Option<Target> {
    let (i, number) = words.iter().enumerate().find_map(|(i, w)| {
        let w = w.trim_end_matches([',', '.', ';', ':', '!', '?']);
        parse_number(w).map(|n| (i, n))
    })?;
    let mut unit = Vec::new();
    for word in words.iter().skip(i + 1).take(MAX_UNIT_WORDS) {
        let clean = word.trim_end_matches([',', '.', ';', ':', '!', '?', ')']);
        let is_word = !clean.is_empty()
            && clean
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'');
        if !is_word || UNIT_STOP_WORDS.contains(&clean.to_lowercase().as_str()) {
            break;
        }
        unit.push(clean.to_string());
        if clean.len() != word.len() {
            break; // punctuation closes the unit
        }
    }
    Some(Target {
        number,
        unit: (!unit.is_empty()).then(|| unit.join(" ")),
    })
}

/// "20", "2.5", "1,000" — but not "4-question", "Q1" or "$2M", which are names, not targets.
fn parse_number(word: &str) -> Option<f64> {
    if word.is_empty()
        || !word
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let n: f64 = word.replace(',', "").parse().ok()?;
    (n.is_finite() && n > 0.0 && n < 1e9).then_some(n)
}

/// "by Friday", "due tomorrow", "by end of week", "by 2027-01-20".
fn due(words: &[&str]) -> Option<DueSpec> {
    let lower: Vec<String> = words
        .iter()
        .map(|w| {
            w.trim_end_matches([',', '.', ';', '!', '?', ')'])
                .to_lowercase()
        })
        .collect();
    lower.iter().enumerate().rev().find_map(|(i, w)| {
        if w != "by" && w != "due" {
            return None;
        }
        let next = lower.get(i + 1)?;
        let phrase = lower[i + 1..lower.len().min(i + 4)].join(" ");
        match next.as_str() {
            "today" | "tonight" | "eod" => Some(DueSpec::Today),
            "tomorrow" | "tmrw" => Some(DueSpec::Tomorrow),
            "eow" => Some(DueSpec::EndOfWeek),
            _ if phrase.starts_with("end of week") || phrase.starts_with("end of the week") => {
                Some(DueSpec::EndOfWeek)
            }
            other => weekday(other).map(DueSpec::Weekday).or_else(|| {
                NaiveDate::parse_from_str(other, "%Y-%m-%d")
                    .ok()
                    .map(DueSpec::Date)
            }),
        }
    })
}

fn weekday(word: &str) -> Option<Weekday> {
    let word = word.trim_end_matches('s'); // "by mondays" is still Monday
    if word.len() < 3 {
        return None;
    }
    use Weekday::*;
    [Mon, Tue, Wed, Thu, Fri, Sat, Sun].into_iter().find(|d| {
        let full = match d {
            Mon => "monday",
            Tue => "tuesday",
            Wed => "wednesday",
            Thu => "thursday",
            Fri => "friday",
            Sat => "saturday",
            Sun => "sunday",
        };
        full.starts_with(word) && (word.len() >= 3)
    })
}

/// At most `max` characters, for echoing a user's input back without flooding the reply.
pub fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(text: &str) -> CommitmentDraft {
        match parse(text) {
            Ok(CommitCommand::New(d)) => d,
            other => panic!("{text:?} gave {other:?}"),
        }
    }

    fn t(number: f64, unit: Option<&str>) -> Option<Target> {
        Some(Target {
            number,
            unit: unit.map(str::to_string),
        })
    }

    #[test]
    fn recognises_targets_and_units() {
        let cases = [
            (
                "20 discovery calls this week",
                t(20.0, Some("discovery calls")),
            ),
            ("3 conversations", t(3.0, Some("conversations"))),
            ("book 5 demos by Friday", t(5.0, Some("demos"))),
            (
                "run 3 live conversations using the new questions",
                t(3.0, Some("live conversations")),
            ),
            (
                "use the 4-question pain framework on 12 calls",
                t(12.0, Some("calls")),
            ),
            (
                "Generate $2M in Q1 pipeline through 240 qualified discovery calls",
                t(240.0, Some("qualified discovery calls")),
            ),
            ("1,000 dials, then rest", t(1000.0, Some("dials"))),
            ("close 2", t(2.0, None)),
            ("practise the opener daily", None),
            ("0 excuses", None),
        ];
        for (text, expected) in cases {
            assert_eq!(new(text).target, expected, "{text:?}");
        }
    }

    #[test]
    fn recognises_due_days() {
        use Weekday::*;
        let cases = [
            ("20 calls by Friday", Some(DueSpec::Weekday(Fri))),
            ("20 calls by fri.", Some(DueSpec::Weekday(Fri))),
            ("20 calls by tomorrow", Some(DueSpec::Tomorrow)),
            ("20 calls due today", Some(DueSpec::Today)),
            ("20 calls by end of week", Some(DueSpec::EndOfWeek)),
            ("20 calls by EOW", Some(DueSpec::EndOfWeek)),
            (
                "20 calls by 2027-01-20",
                Some(DueSpec::Date(NaiveDate::from_ymd_opt(2027, 1, 20).unwrap())),
            ),
            ("win by asking better questions", None),
            ("20 calls by", None),
        ];
        for (text, expected) in cases {
            assert_eq!(new(text).due, expected, "{text:?}");
        }
    }

    #[test]
    fn due_weekdays_resolve_to_the_next_such_day_or_today() {
        let wed = NaiveDate::from_ymd_opt(2027, 1, 13).unwrap();
        let fri = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        assert_eq!(DueSpec::Weekday(Weekday::Fri).resolve(wed, fri), fri);
        assert_eq!(DueSpec::Weekday(Weekday::Wed).resolve(wed, fri), wed);
        assert_eq!(
            DueSpec::Weekday(Weekday::Mon).resolve(wed, fri),
            NaiveDate::from_ymd_opt(2027, 1, 18).unwrap()
        );
        assert_eq!(DueSpec::EndOfWeek.resolve(wed, fri), fri);
    }

    #[test]
    fn subcommands() {
        assert_eq!(parse(""), Ok(CommitCommand::Help));
        assert_eq!(parse("  help "), Ok(CommitCommand::Help));
        assert_eq!(parse("LIST"), Ok(CommitCommand::List));
        assert_eq!(parse("done 3"), Ok(CommitCommand::Done(3)));
        assert_eq!(parse("done #12"), Ok(CommitCommand::Done(12)));
        assert_eq!(parse("drop 2"), Ok(CommitCommand::Drop(2)));
        match parse("edit 4 25 calls by Thursday") {
            Ok(CommitCommand::Edit(4, d)) => {
                assert_eq!(d.text, "25 calls by Thursday");
                assert_eq!(d.target, t(25.0, Some("calls")));
            }
            other => panic!("{other:?}"),
        }
        let pressure = new_kind("pressure when a deal slips I call the champion first");
        assert_eq!(pressure.kind, Some(CommitmentKind::Pressure));
        assert_eq!(pressure.text, "when a deal slips I call the champion first");
        assert_eq!(
            new_kind("outcome $200k new pipeline").kind,
            Some(CommitmentKind::Outcome)
        );
    }

    fn new_kind(text: &str) -> CommitmentDraft {
        new(text)
    }

    #[test]
    fn kind_defaults_follow_the_target() {
        assert_eq!(
            new("20 calls").kind_or_default(),
            CommitmentKind::Performance
        );
        assert_eq!(
            new("listen more than I talk").kind_or_default(),
            CommitmentKind::Development
        );
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        let cases = [
            ("done", "Which commitment"),
            ("done x", "not a commitment number"),
            ("done 0", "not a commitment number"),
            ("done 99999999999999", "not a commitment number"),
            ("edit 3", "What should commitment #3 say"),
            ("edit", "Which commitment"),
            ("pressure", "What is the pressure commitment"),
        ];
        for (text, problem) in cases {
            let err = parse(text).unwrap_err();
            assert!(err.problem.contains(problem), "{text:?}: {}", err.problem);
            assert!(err.example.starts_with("/commit"), "{text:?}");
        }
    }

    #[test]
    fn hostile_input_is_handled_not_echoed_whole() {
        let long = "x".repeat(5_000);
        let err = parse(&long).unwrap_err();
        assert!(err.problem.contains("5000 characters"));
        let err = parse(&format!("done {long}")).unwrap_err();
        assert!(err.problem.len() < 200, "{}", err.problem);

        let sql = new("20 calls'); DROP TABLE commitments;--");
        assert_eq!(sql.text, "20 calls'); DROP TABLE commitments;--");
        let unicode = new("3 démos für 👩‍💼 by Freitag");
        assert_eq!(unicode.target, t(3.0, Some("démos für")));
        assert_eq!(unicode.due, None);
        assert_eq!(truncate("ééé", 2), "éé…");
    }
}
