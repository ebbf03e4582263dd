//! The people in a program: who they are (role, manager, team, clock, calendar), as listed in
//! `[[people]]` by Slack id or in `roster.csv` by email, the file admins export from their CRM
//! or HR system.

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use super::de;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Rep,
    Manager,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Rep => "rep",
            Role::Manager => "manager",
            Role::Admin => "admin",
        }
    }

    fn parse(raw: &str) -> Option<Role> {
        Some(match raw.trim().to_ascii_lowercase().as_str() {
            "rep" => Role::Rep,
            "manager" => Role::Manager,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub slack_id: String,
    /// Work email: how `roster.csv` rows name a `[[people]]` entry as their manager.
    #[serde(default)]
    pub email: Option<String>,
    /// How the bot addresses them until Slack tells it otherwise.
    #[serde(default)]
    pub name: Option<String>,
    pub role: Role,
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default, deserialize_with = "de::optional_timezone")]
    pub timezone: Option<Tz>,
    /// The `[[calendars]]` entry whose holidays this person keeps, if not their team's.
    #[serde(default)]
    pub calendar: Option<String>,
    /// Out of office: nothing is sent to them before this date.
    #[serde(default, deserialize_with = "de::optional_date")]
    pub away_until: Option<NaiveDate>,
    /// The `roster.csv` line they come from; `None` for `[[people]]`.
    #[serde(skip)]
    pub roster_line: Option<usize>,
}

impl Person {
    pub fn first_name(&self) -> Option<&str> {
        self.name
            .as_deref()
            .and_then(|n| n.split_whitespace().next())
    }
}

/// One row of `roster.csv`: a person known by email, whose Slack id may still be unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    /// The row's line in the file (1 is the header).
    pub line: usize,
    /// Lower-cased, as Slack compares them.
    pub email: String,
    pub slack_id: Option<String>,
    pub name: String,
    pub role: Role,
    pub manager_email: Option<String>,
    pub team: Option<String>,
    pub timezone: Option<Tz>,
    pub calendar: Option<String>,
    pub away_until: Option<NaiveDate>,
}

impl RosterEntry {
    /// The row as a person, once their Slack id and their manager's are known.
    pub fn person(&self, slack_id: &str, manager: Option<String>) -> Person {
        Person {
            slack_id: slack_id.to_string(),
            email: Some(self.email.clone()),
            name: Some(self.name.clone()),
            role: self.role,
            manager,
            team: self.team.clone(),
            timezone: self.timezone,
            calendar: self.calendar.clone(),
            away_until: self.away_until,
            roster_line: Some(self.line),
        }
    }
}

/// The line a CSV record starts on. csv's own line count leaves out the blank lines it skips,
/// and a record's position is where those began: the line is counted from the first byte
/// after them.
pub struct CsvLines<'t> {
    text: &'t str,
    newlines: Vec<usize>,
}

impl<'t> CsvLines<'t> {
    pub fn of(text: &'t str) -> Self {
        CsvLines {
            text,
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
        }
    }

    pub fn at(&self, p: Option<&csv::Position>) -> usize {
        p.map_or(0, |p| {
            let skipped = self.text.as_bytes()[p.byte() as usize..]
                .iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count();
            let start = p.byte() as usize + skipped;
            self.newlines.partition_point(|&i| i < start) + 1
        })
    }
}

/// What is wrong with a row (or the header, line 1), and in which column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvProblem {
    pub line: usize,
    pub column: Option<&'static str>,
    pub message: String,
}

const REQUIRED: [&str; 3] = ["email", "name", "role"];
const COLUMNS: [&str; 9] = [
    "email",
    "name",
    "role",
    "manager_email",
    "team",
    "timezone",
    "calendar",
    "slack_id",
    "away_until",
];

/// Reads `roster.csv`: a header naming its columns in any order (spreadsheets add a BOM and
/// quotes, and leave blank lines; all are fine), then one person a row. Every problem is
/// reported, each with its line, so one pass fixes the file.
pub fn parse_roster_csv(text: &str) -> Result<Vec<RosterEntry>, Vec<CsvProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => {
            push(
                &mut problems,
                1,
                None,
                format!("the header cannot be read ({e})"),
            );
            return Err(problems);
        }
    };
    let mut at = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        match COLUMNS.iter().find(|c| *c == name) {
            Some(c) if at.insert(*c, i).is_some() => push(
                &mut problems,
                1,
                None,
                format!("column `{name}` appears twice"),
            ),
            Some(_) => {}
            None if name.is_empty() => {}
            None => push(
                &mut problems,
                1,
                None,
                format!(
                    "`{name}` is not a roster column; use {}",
                    COLUMNS.join(", ")
                ),
            ),
        }
    }
    for c in REQUIRED.iter().filter(|c| !at.contains_key(*c)) {
        push(
            &mut problems,
            1,
            None,
            format!(
                "column `{c}` is missing; the header needs at least {}",
                REQUIRED.join(",")
            ),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let lines = CsvLines::of(text);
    let line_at = |p: Option<&csv::Position>| lines.at(p);
    let mut entries = Vec::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_at(e.position());
                push(
                    &mut problems,
                    line,
                    None,
                    format!("the row cannot be read ({e})"),
                );
                continue;
            }
        };
        let line = line_at(record.position());
        if record.iter().all(str::is_empty) {
            continue;
        }
        let get = |c: &str| {
            at.get(c)
                .and_then(|&i| record.get(i))
                .filter(|v| !v.is_empty())
        };
        let email = get("email").map(str::to_ascii_lowercase);
        match &email {
            None => push(
                &mut problems,
                line,
                Some("email"),
                "the email is empty".into(),
            ),
            Some(e) if !looks_like_email(e) => push(
                &mut problems,
                line,
                Some("email"),
                format!("`{e}` is not an email address"),
            ),
            Some(e) => {
                if let Some(first) = emails.insert(e.clone(), line) {
                    push(
                        &mut problems,
                        line,
                        Some("email"),
                        format!("{e} is already on line {first}; keep one row a person"),
                    );
                }
            }
        }
        let name = get("name");
        if name.is_none() {
            push(
                &mut problems,
                line,
                Some("name"),
                "the name is empty; the bot greets people by it".into(),
            );
        }
        let role = get("role").and_then(Role::parse);
        if role.is_none() {
            push(
                &mut problems,
                line,
                Some("role"),
                format!(
                    "`{}` is not a role; use rep, manager or admin",
                    get("role").unwrap_or_default()
                ),
            );
        }
        let slack_id = get("slack_id").map(str::to_string);
        if let Some(id) = &slack_id {
            if !super::mention::is_user_id(id) {
                push(
                    &mut problems,
                    line,
                    Some("slack_id"),
                    format!(
                        "`{id}` is not a Slack user id; they look like U024BE7LH, or leave it empty to find them by email"
                    ),
                );
            } else if let Some(first) = ids.insert(id.clone(), line) {
                push(
                    &mut problems,
                    line,
                    Some("slack_id"),
                    format!("{id} is already on line {first}"),
                );
            }
        }
        let manager_email = get("manager_email").map(str::to_ascii_lowercase);
        if role == Some(Role::Rep) && manager_email.is_none() {
            push(
                &mut problems,
                line,
                Some("manager_email"),
                "a rep needs a manager_email so someone gets their digest".into(),
            );
        }
        if manager_email.is_some() && manager_email == email {
            push(
                &mut problems,
                line,
                Some("manager_email"),
                "a person cannot manage themselves".into(),
            );
        }
        let timezone = get("timezone").and_then(|raw| match de::parse_timezone(raw) {
            Ok(tz) => Some(tz),
            Err(e) => {
                push(&mut problems, line, Some("timezone"), e);
                None
            }
        });
        let away_until = get("away_until").and_then(|raw| match de::parse_date(raw) {
            Ok(d) => Some(d),
            Err(e) => {
                push(&mut problems, line, Some("away_until"), e);
                None
            }
        });
        if let (Some(email), Some(name), Some(role)) = (email, name, role) {
            entries.push(RosterEntry {
                line,
                email,
                slack_id,
                name: name.to_string(),
                role,
                manager_email,
                team: get("team").map(str::to_string),
                timezone,
                calendar: get("calendar").map(str::to_string),
                away_until,
            });
        }
    }
    if problems.is_empty() {
        Ok(entries)
    } else {
        Err(problems)
    }
}

/// Adds a problem at `line` (and `column`) to `problems`.
pub fn push(
    problems: &mut Vec<CsvProblem>,
    line: usize,
    column: Option<&'static str>,
    message: String,
) {
    problems.push(CsvProblem {
        line,
        column,
        message,
    });
}

/// One `@`, something before it, a dotted domain after it, no spaces: enough to catch a
/// column mix-up; Slack is the judge of the rest.
fn looks_like_email(raw: &str) -> bool {
    match raw.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !raw.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "email,name,role,manager_email,team,timezone,calendar";

    fn problems(text: &str) -> Vec<(usize, Option<&'static str>)> {
        parse_roster_csv(text)
            .unwrap_err()
            .into_iter()
            .map(|p| (p.line, p.column))
            .collect()
    }

    #[test]
    fn rows_read_with_quotes_bom_blank_lines_and_any_case() {
        let text = "\u{feff}Email,Name,Role,Manager_Email,Team,Timezone,Calendar,slack_id,away_until\r\n\
             \r\n\
             priya@acme.com,Priya Raman,Manager,,East,,,,\r\n\
             \"DANA@acme.com\",\"Whitfield, Dana \"\"DW\"\"\",rep,priya@acme.com,East,Asia/Kolkata,india,U0EAST001,2027-02-01\r\n\
             \n\
             sam@acme.com , Sam Okafor ,rep, priya@acme.com ,,,,,\n";
        let rows = parse_roster_csv(text).unwrap();
        assert_eq!(rows.len(), 3);
        let dana = &rows[1];
        assert_eq!(dana.line, 4);
        assert_eq!(dana.email, "dana@acme.com");
        assert_eq!(dana.name, "Whitfield, Dana \"DW\"");
        assert_eq!(dana.slack_id.as_deref(), Some("U0EAST001"));
        assert_eq!(dana.timezone, Some(chrono_tz::Asia::Kolkata));
        assert_eq!(dana.calendar.as_deref(), Some("india"));
        assert_eq!(dana.away_until, NaiveDate::from_ymd_opt(2027, 2, 1));
        assert_eq!(rows[0].role, Role::Manager);
        assert_eq!(rows[0].team.as_deref(), Some("East"));
        assert_eq!(rows[2].line, 6);
        assert_eq!(rows[2].name, "Sam Okafor");
        assert_eq!(rows[2].manager_email.as_deref(), Some("priya@acme.com"));
    }

    #[test]
    fn each_bad_row_is_named_by_line_and_column() {
        type Case<'a> = (&'a str, &'a [(usize, Option<&'a str>)]);
        let cases: &[Case] = &[
            ("a@x.com,A,boss,,,,", &[(2, Some("role"))]),
            ("not-an-email,A,admin,,,,", &[(2, Some("email"))]),
            (",A,admin,,,,", &[(2, Some("email"))]),
            ("a@x.com,,admin,,,,", &[(2, Some("name"))]),
            ("a@x.com,A,rep,,,,", &[(2, Some("manager_email"))]),
            (
                "a@x.com,A,manager,a@x.com,,,",
                &[(2, Some("manager_email"))],
            ),
            ("a@x.com,A,admin,,,Mars/Base,", &[(2, Some("timezone"))]),
            (
                "a@x.com,A,admin,,,,\nA@X.com,B,admin,,,,",
                &[(3, Some("email"))],
            ),
            (
                "a@x.com,A,admin,,,,\n\nb@x.com,B,boss,,,,\nc@x.com,C,admin,,,Nowhere,",
                &[(4, Some("role")), (5, Some("timezone"))],
            ),
        ];
        for (rows, want) in cases {
            assert_eq!(problems(&format!("{HEADER}\n{rows}")), *want, "{rows}");
        }
        let ids = "email,name,role,slack_id,away_until\na@x.com,A,admin,U0A,\nb@x.com,B,admin,U0A,\nc@x.com,C,admin,someone,\nd@x.com,D,admin,,next week";
        assert_eq!(
            problems(ids),
            [
                (3, Some("slack_id")),
                (4, Some("slack_id")),
                (5, Some("away_until"))
            ]
        );
    }

    #[test]
    fn the_header_is_checked_before_any_row() {
        assert_eq!(problems("email,name\na@x.com,A"), [(1, None)]);
        let err = parse_roster_csv("email,name,role,managr_email\n").unwrap_err();
        assert!(err[0].message.contains("manager_email"), "{err:?}");
        assert_eq!(problems("email,name,role,email\n"), [(1, None)]);
        assert_eq!(parse_roster_csv("email,name,role\n"), Ok(vec![]));
    }

    #[test]
    fn ten_thousand_rows_read() {
        let mut text = String::from("email,name,role,manager_email,team\n");
        text.push_str("boss@acme.com,The Boss,manager,,Sales\n");
        for i in 0..10_000 {
            text.push_str(&format!(
                "rep{i}@acme.com,\"Rep {i}, Jr.\",rep,boss@acme.com,Sales\n"
            ));
        }
        let rows = parse_roster_csv(&text).unwrap();
        assert_eq!(rows.len(), 10_001);
        assert_eq!(rows[10_000].line, 10_002);
        assert_eq!(rows[10_000].name, "Rep 9999, Jr.");
    }

    #[test]
    fn emails_are_checked_for_shape_only() {
        for good in ["a@x.com", "first.last+sko@sub.acme.co.uk"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "a",
            "@x.com",
            "a@x",
            "a@.com",
            "a@x.com.",
            "a b@x.com",
            "a@b@x.com",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
