//! The checks that catch a broken program before launch: every cross-reference and range the
//! types alone cannot check, in `[[people]]`, `roster.csv`, pairs, triggers and checkpoints,
//! each issue naming the key (or the roster's line and column) it is about.

use std::collections::{HashMap, HashSet};

use super::program::{PairingMode, Person, Program, ProgramIssue, Role, SPRINT_WEEKS};
use super::reinforcement::{CHOICES, PER_DAY_AT_MOST};

impl Program {
    /// Every cross-reference and range the types alone cannot check.
    pub fn validate(&self) -> Vec<ProgramIssue> {
        let mut issues = Vec::new();
        let mut issue = |path: String, message: String| {
            issues.push(ProgramIssue {
                line: None,
                path,
                message,
            })
        };
        let s = &self.settings;

        if s.working_days.is_empty() {
            issue(
                "program.working_days".into(),
                "name at least one working day, e.g. [\"Mon\",\"Tue\",\"Wed\",\"Thu\",\"Fri\"]"
                    .into(),
            );
        }
        if !(7..=366).contains(&s.days) {
            issue(
                "program.days".into(),
                format!(
                    "{} days is not a program length; use 7 to 366 (90 is usual)",
                    s.days
                ),
            );
        }
        let last_week = s.weeks();
        for (i, w) in s.pressure_weeks.iter().enumerate() {
            if *w == 0 || *w > last_week {
                issue(
                    format!("program.pressure_weeks[{i}]"),
                    format!("week {w} is outside the program (weeks 1–{last_week})"),
                );
            }
        }

        let mut calendar_names = HashSet::new();
        for (i, c) in self.calendars.iter().enumerate() {
            if !calendar_names.insert(c.name.as_str()) {
                issue(
                    format!("calendars[{i}].name"),
                    format!("calendar `{}` is defined twice", c.name),
                );
            }
        }

        let mut sprint_weeks = HashSet::new();
        for (i, sprint) in self.sprints.iter().enumerate() {
            if !(1..=SPRINT_WEEKS).contains(&sprint.week) {
                issue(
                    format!("sprints[{i}].week"),
                    format!("sprint weeks are 1–{SPRINT_WEEKS}, got {}", sprint.week),
                );
            } else if !sprint_weeks.insert(sprint.week) {
                issue(
                    format!("sprints[{i}].week"),
                    format!("week {} is described twice", sprint.week),
                );
            }
        }

        let mut skill_ids = HashSet::new();
        for (i, skill) in self.skills.iter().enumerate() {
            if skill.id.is_empty()
                || !skill
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                issue(
                    format!("skills[{i}].id"),
                    format!(
                        "`{}` is not a skill id; use letters, digits, - or _ (e.g. \"discovery\")",
                        skill.id
                    ),
                );
            }
            if !skill_ids.insert(skill.id.to_lowercase()) {
                issue(
                    format!("skills[{i}].id"),
                    format!("skill id `{}` is used twice", skill.id),
                );
            }
            if skill.rubric.is_empty() {
                issue(
                    format!("skills[{i}].rubric"),
                    "give the skill at least one rubric criterion".into(),
                );
            }
        }

        for (i, cp) in self.checkpoints.iter().enumerate() {
            if cp.day == 0 || cp.day > s.days {
                issue(
                    format!("checkpoints[{i}].day"),
                    format!("day {} is outside the program (days 1–{})", cp.day, s.days),
                );
            }
        }

        // `[[people]]` come first in `people`, so their index is their place in the file.
        let listed = || {
            self.people
                .iter()
                .enumerate()
                .filter(|(_, p)| p.roster_line.is_none())
        };
        let mut ids = HashSet::new();
        for (i, p) in listed() {
            if !super::mention::is_user_id(&p.slack_id) {
                issue(
                    format!("people[{i}].slack_id"),
                    format!(
                        "`{}` is not a Slack user id; they look like U024BE7LH (profile → ⋮ → Copy member ID)",
                        p.slack_id
                    ),
                );
            }
            if !ids.insert(p.slack_id.as_str()) {
                issue(
                    format!("people[{i}].slack_id"),
                    format!("{} is listed twice", p.slack_id),
                );
            }
        }
        for (i, p) in listed() {
            if let Some(name) = &p.calendar
                && !calendar_names.contains(name.as_str())
            {
                issue(
                    format!("people[{i}].calendar"),
                    format!("no [[calendars]] entry is named `{name}`"),
                );
            }
            match (&p.manager, p.role) {
                (Some(m), _) => match self.person(m) {
                    None => issue(
                        format!("people[{i}].manager"),
                        format!("{m} is not in [[people]]; add them with role = \"manager\""),
                    ),
                    Some(mp) if mp.role == Role::Rep => issue(
                        format!("people[{i}].manager"),
                        format!("{m} is a rep; a manager needs role = \"manager\" or \"admin\""),
                    ),
                    Some(_) if m == &p.slack_id => issue(
                        format!("people[{i}].manager"),
                        "a person cannot manage themselves".into(),
                    ),
                    Some(_) => {}
                },
                (None, Role::Rep) => issue(
                    format!("people[{i}].manager"),
                    format!(
                        "rep {} needs a manager so someone gets their digest",
                        p.slack_id
                    ),
                ),
                (None, _) => {}
            }
        }

        issues.extend(self.roster_issues(&calendar_names));
        let mut issue = |path: String, message: String| {
            issues.push(ProgramIssue {
                line: None,
                path,
                message,
            })
        };

        let mut paired = HashSet::new();
        for (i, pair) in self.pairs.iter().enumerate() {
            if !(2..=3).contains(&pair.members.len()) {
                issue(
                    format!("pairs[{i}].members"),
                    format!(
                        "a pair has two members (three for a trio), got {}",
                        pair.members.len()
                    ),
                );
            }
            for m in &pair.members {
                match self.person(m) {
                    None => issue(
                        format!("pairs[{i}].members"),
                        format!("{m} is not in [[people]]"),
                    ),
                    Some(p) if p.role != Role::Rep => issue(
                        format!("pairs[{i}].members"),
                        format!("{m} is a {}; pairs are made of reps", p.role.as_str()),
                    ),
                    Some(_) => {}
                }
                if !paired.insert(m.as_str()) {
                    issue(
                        format!("pairs[{i}].members"),
                        format!("{m} is in more than one pair"),
                    );
                }
            }
        }
        if self.pairing.mode == PairingMode::Auto && !self.pairs.is_empty() {
            issue("pairing.mode".into(), "pairing.mode = \"auto\" makes its own pairs; remove [[pairs]] or use mode = \"config\"".into());
        }

        let mut names = HashSet::new();
        for (i, t) in self.triggers.iter().enumerate() {
            if !names.insert(t.name.as_str()) {
                issue(
                    format!("triggers[{i}].name"),
                    format!("trigger name `{}` is used twice", t.name),
                );
            }
            for w in t.weeks.iter().flatten() {
                if !(1..=SPRINT_WEEKS).contains(w) {
                    issue(
                        format!("triggers[{i}].weeks"),
                        format!("sprint weeks are 1–{SPRINT_WEEKS}, got {w}"),
                    );
                }
            }
            if t.text.trim().is_empty() {
                issue(format!("triggers[{i}].text"), "the message is empty".into());
            }
            for name in super::message::unknown_placeholders(&t.text) {
                issue(
                    format!("triggers[{i}].text"),
                    format!("unknown placeholder {{{name}}}; use {}", placeholder_list()),
                );
            }
        }
        for (i, cp) in self.checkpoints.iter().enumerate() {
            for name in super::message::unknown_placeholders(&cp.text) {
                issue(
                    format!("checkpoints[{i}].text"),
                    format!("unknown placeholder {{{name}}}; use {}", placeholder_list()),
                );
            }
        }
        for name in super::message::unknown_placeholders(&self.checkins.text) {
            issue(
                "checkins.text".into(),
                format!("unknown placeholder {{{name}}}; use {}", placeholder_list()),
            );
        }
        self.question_issues(&mut issue);
        issues
    }

    /// `[[questions]]` and `[reinforcement]`: each mistake named by its question and key.
    fn question_issues(&self, issue: &mut impl FnMut(String, String)) {
        let r = &self.reinforcement;
        if !(1..=PER_DAY_AT_MOST).contains(&r.per_day) {
            issue(
                "reinforcement.per_day".into(),
                format!(
                    "{} a day is not allowed; use 1 to {PER_DAY_AT_MOST}",
                    r.per_day
                ),
            );
        }
        if !(0.7..=0.97).contains(&r.retention) {
            issue(
                "reinforcement.retention".into(),
                format!(
                    "{} is outside 0.7–0.97; 0.9 asks again when a rep is 90 % likely to still know the answer",
                    r.retention
                ),
            );
        }
        if !(1..=365).contains(&r.max_interval_days) {
            issue(
                "reinforcement.max_interval_days".into(),
                format!(
                    "{} days is not an interval; use 1 to 365 (30 is usual)",
                    r.max_interval_days
                ),
            );
        }
        let mut ids = HashSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let at = |key: &str| format!("questions[{i}].{key}");
            let named = format!("question `{}`", q.id);
            if q.id.trim().is_empty() || q.id.contains(['|', ',']) {
                issue(
                    at("id"),
                    format!("{named}: give it a short id without `|` or `,`, e.g. \"discovery-1\""),
                );
            } else if !ids.insert(q.id.as_str()) {
                issue(
                    at("id"),
                    format!("{named} is defined twice; ids must be unique"),
                );
            }
            if !self.skills.iter().any(|s| s.id == q.skill) {
                let known: Vec<&str> = self.skills.iter().map(|s| s.id.as_str()).collect();
                issue(
                    at("skill"),
                    format!(
                        "{named}: unknown skill `{}`; use one of the skills' ids: {}",
                        q.skill,
                        known.join(", ")
                    ),
                );
            }
            if q.prompt.trim().is_empty() {
                issue(at("prompt"), format!("{named}: the prompt is empty"));
            }
            if !CHOICES.contains(&q.choices.len()) {
                issue(
                    at("choices"),
                    format!("{named}: {} choices; give 2 to 5", q.choices.len()),
                );
            }
            let distinct: HashSet<&str> = q.choices.iter().map(String::as_str).collect();
            if distinct.len() < q.choices.len() || q.choices.iter().any(|c| c.trim().is_empty()) {
                issue(
                    at("choices"),
                    format!("{named}: each choice must be different and not empty"),
                );
            }
            if !q.choices.contains(&q.correct) {
                issue(
                    at("correct"),
                    format!(
                        "{named}: `{}` is not one of its choices; copy the right choice exactly",
                        q.correct
                    ),
                );
            }
        }
    }
}

impl Program {
    /// What a `roster.csv` row says that the rest of the roster contradicts: a manager who is
    /// nobody, a calendar that does not exist, a person listed in `[[people]]` as well.
    fn roster_issues(&self, calendars: &HashSet<&str>) -> Vec<ProgramIssue> {
        let mut issues = Vec::new();
        let mut issue = |line: usize, column: &str, message: String| {
            issues.push(ProgramIssue {
                line: Some(line),
                path: column.into(),
                message,
            })
        };
        let listed: Vec<(usize, &Person)> = self
            .people
            .iter()
            .enumerate()
            .filter(|(_, p)| p.roster_line.is_none())
            .collect();
        let mut role_of: HashMap<&str, Role> = HashMap::new();
        for (_, p) in &listed {
            if let Some(email) = &p.email {
                role_of.insert(email.as_str(), p.role);
            }
        }
        for e in &self.roster {
            role_of.entry(e.email.as_str()).or_insert(e.role);
            let twin = listed.iter().find(|(_, p)| {
                p.email.as_deref() == Some(e.email.as_str())
                    || e.slack_id.as_deref() == Some(p.slack_id.as_str())
            });
            if let Some((i, _)) = twin {
                issue(
                    e.line,
                    "email",
                    format!(
                        "{} is also in [[people]] (people[{i}]); list each person in one place",
                        e.email
                    ),
                );
            }
        }
        for e in &self.roster {
            if let Some(m) = &e.manager_email {
                match role_of.get(m.as_str()) {
                    None => issue(
                        e.line,
                        "manager_email",
                        format!(
                            "{m} is nobody on the roster; add a row for them with role manager"
                        ),
                    ),
                    Some(Role::Rep) => issue(
                        e.line,
                        "manager_email",
                        format!("{m} is a rep; a manager needs role manager or admin"),
                    ),
                    Some(_) => {}
                }
            }
            if let Some(name) = &e.calendar
                && !calendars.contains(name.as_str())
            {
                issue(
                    e.line,
                    "calendar",
                    format!("no [[calendars]] entry is named `{name}`"),
                );
            }
        }
        issues
    }
}

fn placeholder_list() -> String {
    super::message::PLACEHOLDERS
        .iter()
        .map(|p| format!("{{{p}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}
