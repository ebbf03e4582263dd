//! The report's pages and CSV, from the same records the digests are made of: a scope (the
//! program, a team, one rep) in, a page out. Text is escaped by askama; charts are plotters'
//! SVG, the PNG charts' figures.

use askama::Template;
use chrono::{DateTime, Duration, Utc};

use crate::domain::activity::Activity;
use crate::domain::charts::{self, Chart};
use crate::domain::compose::records;
use crate::domain::digest::RepRecord;
use crate::domain::digest_text::report_figures;
use crate::domain::practice::{PracticeContext, RECENT_DAYS};
use crate::domain::program::{Person, Program, Role};
use crate::domain::results;

/// Who may see what: an admin the program, a manager their team, a rep themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope<'p> {
    Program,
    Team(&'p str),
    Rep(&'p str),
}

impl<'p> Scope<'p> {
    /// The scope of `person` by their role in the roster (never by anything Slack said).
    pub fn of(person: &'p Person) -> Scope<'p> {
        match person.role {
            Role::Admin => Scope::Program,
            Role::Manager => Scope::Team(&person.slack_id),
            Role::Rep => Scope::Rep(&person.slack_id),
        }
    }

    /// The reps in it.
    pub fn reps(self, program: &'p Program) -> Vec<&'p Person> {
        match self {
            Scope::Program => program.reps(None),
            Scope::Team(manager) => program.reps(Some(manager)),
            Scope::Rep(id) => program.person(id).into_iter().collect(),
        }
    }

    /// Whether `rep`'s own page is in it: their own, their manager's, or an admin's.
    pub fn covers(self, program: &Program, rep: &str) -> bool {
        match self {
            Scope::Program => program.person(rep).is_some(),
            Scope::Team(manager) => program
                .person(rep)
                .is_some_and(|p| p.manager.as_deref() == Some(manager)),
            Scope::Rep(id) => id == rep,
        }
    }
}

/// One rep's line in the table (and the CSV).
#[derive(Debug, Clone)]
pub struct RepRow {
    pub slack_id: String,
    pub name: String,
    pub team: String,
    pub practice_recent: usize,
    pub live_recent: usize,
    pub checkins_kept: usize,
    pub checkins_due: usize,
    pub last_coached: String,
    pub questions_answered: usize,
    pub questions_right: usize,
}

fn rows(records: &[RepRecord], now: DateTime<Utc>) -> Vec<RepRow> {
    let since = now - Duration::days(RECENT_DAYS);
    records
        .iter()
        .map(|r| {
            let recent: Vec<_> = r
                .practice
                .iter()
                .filter(|p| p.logged_at > since && p.logged_at <= now)
                .collect();
            let due: Vec<_> = r.checkins.iter().filter(|c| c.due_at <= now).collect();
            let answered: Vec<_> = r.asked.iter().filter_map(|a| a.answer.as_ref()).collect();
            RepRow {
                slack_id: r.slack_id.to_string(),
                name: r.name.unwrap_or(r.slack_id).to_string(),
                team: r.team.unwrap_or("").to_string(),
                practice_recent: recent.len(),
                live_recent: recent
                    .iter()
                    .filter(|p| p.context == PracticeContext::Live)
                    .count(),
                checkins_kept: due.iter().filter(|c| c.met).count(),
                checkins_due: due.len(),
                last_coached: r
                    .coaching
                    .last()
                    .map(|c| c.coached_at.date_naive().to_string())
                    .unwrap_or_default(),
                questions_answered: answered.len(),
                questions_right: answered.iter().filter(|a| a.correct).count(),
            }
        })
        .collect()
}

/// A chart ready for a page: its title and its SVG.
pub struct Figure {
    pub title: String,
    pub svg: String,
}

fn figure(chart: Chart) -> Option<Figure> {
    match crate::charts::svg(&chart) {
        Ok(svg) => Some(Figure {
            title: chart.title().to_string(),
            svg,
        }),
        Err(e) => {
            tracing::warn!(error = %format_args!("{e:#}"), "a chart could not be drawn");
            None
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub viewer: String,
    pub heading: String,
    /// When its records were read, in program time.
    pub as_of: String,
    pub figures: Vec<String>,
    pub charts: Vec<Figure>,
    /// Reps with no practice logged in the last 14 days.
    pub quiet: Vec<RepRow>,
    pub reps: Vec<RepRow>,
}

/// The report for `scope` (a program or a team) at `now`.
pub fn report(
    program: &Program,
    activity: &Activity,
    scope: Scope,
    viewer: &Person,
    now: DateTime<Utc>,
) -> ReportPage {
    let reps = scope.reps(program);
    let records = records(program, activity, &reps, now);
    let s = &program.settings;
    let mut charts = Vec::new();
    let adoption = charts::adoption(program, &records, now);
    if !adoption.is_empty() && !records.is_empty() {
        charts.extend(figure(Chart::Adoption {
            title: "Adoption by skill at each checkpoint".into(),
            skills: program.skills.iter().map(|s| s.name.clone()).collect(),
            checkpoints: adoption,
        }));
    }
    if !records.is_empty() {
        charts.extend(figure(Chart::TeamPractice {
            title: "Practice by week".into(),
            weeks: charts::team_practice(program, &records, now),
        }));
    }
    let deals = results::deals_in_view(program, &records);
    charts.extend(results::pipeline_chart(program, &deals, now).and_then(figure));
    let heading = match scope {
        Scope::Program => format!("{} — the program", s.name),
        Scope::Team(_) => format!("{} — your team", s.name),
        Scope::Rep(_) => format!("{} — you", s.name),
    };
    let reps = rows(&records, now);
    ReportPage {
        viewer: name(viewer),
        heading,
        as_of: now
            .with_timezone(&s.timezone)
            .format("%a %-d %b %H:%M")
            .to_string(),
        figures: report_figures(program, &records, now)
            .lines()
            .map(|l| plain(program, l))
            .collect(),
        charts,
        quiet: reps
            .iter()
            .filter(|r| r.practice_recent == 0)
            .cloned()
            .collect(),
        reps,
    }
}

/// The page's reps as CSV, one row a rep; cells that a spreadsheet would run as a formula
/// are quoted with a leading apostrophe.
pub fn csv(reps: &[RepRow]) -> anyhow::Result<String> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "rep",
        "name",
        "team",
        "practice_last_14_days",
        "live_last_14_days",
        "checkins_kept",
        "checkins_due",
        "last_coached",
        "questions_answered",
        "questions_right",
    ])?;
    for r in reps {
        out.write_record(
            [
                r.slack_id.clone(),
                r.name.clone(),
                r.team.clone(),
                r.practice_recent.to_string(),
                r.live_recent.to_string(),
                r.checkins_kept.to_string(),
                r.checkins_due.to_string(),
                r.last_coached.clone(),
                r.questions_answered.to_string(),
                r.questions_right.to_string(),
            ]
            .map(|cell| defused(&cell)),
        )?;
    }
    Ok(String::from_utf8(out.into_inner()?)?)
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, tab, return first),
/// prefixed with an apostrophe so it stays text.
pub fn defused(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub viewer: String,
    pub name: String,
    pub team: String,
    pub commitments: Vec<[String; 4]>,
    pub practice: Vec<[String; 6]>,
    pub checkins: Vec<[String; 2]>,
    pub coaching: Vec<[String; 4]>,
    pub questions: Vec<[String; 3]>,
}

/// One rep's history: commitments, practice with rubric scores and notes, check-ins,
/// coaching and questions, newest first.
pub fn person(program: &Program, activity: &Activity, rep: &Person, viewer: &Person) -> PersonPage {
    let id = rep.slack_id.as_str();
    let day = |t: DateTime<Utc>| t.date_naive().to_string();
    let skill = |id: &str| {
        program
            .skills
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let who = |id: &str| program.person(id).map_or(id.to_string(), name);
    PersonPage {
        viewer: name(viewer),
        name: name(rep),
        team: rep.team.clone().unwrap_or_default(),
        commitments: activity
            .commitments_of(id)
            .iter()
            .rev()
            .map(|c| {
                [
                    day(c.created_at),
                    c.text.clone(),
                    format!("{:?}", c.status).to_lowercase(),
                    c.due.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
        practice: activity
            .practice_of(id)
            .iter()
            .rev()
            .map(|p| {
                let rubric: Vec<String> =
                    p.rubric.iter().map(|(c, s)| format!("{c} {s}/5")).collect();
                let deal = p
                    .deal_id
                    .as_deref()
                    .and_then(|d| program.opportunities.iter().find(|o| o.id == d))
                    .map_or(String::new(), |o| format!(" · {}", o.name));
                [
                    day(p.logged_at),
                    skill(&p.skill_id),
                    format!("{}{deal}", p.context.label()),
                    p.score.map(|s| format!("{s}/5")).unwrap_or_default(),
                    rubric.join(", "),
                    p.notes.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        checkins: activity
            .checkins_of(id)
            .rev()
            .map(|c| {
                [
                    day(c.due_at),
                    if activity.met(c) { "met" } else { "not met" }.to_string(),
                ]
            })
            .collect(),
        coaching: activity
            .coaching_of(id)
            .iter()
            .rev()
            .map(|c| {
                [
                    day(c.coached_at),
                    who(&c.manager_id),
                    c.skill_id.as_deref().map(skill).unwrap_or_default(),
                    c.note.clone(),
                ]
            })
            .collect(),
        questions: activity
            .asked_of(id)
            .iter()
            .rev()
            .map(|a| {
                let prompt = program
                    .questions
                    .iter()
                    .find(|q| *q.id == *a.question)
                    .map_or(a.question.to_string(), |q| q.prompt.clone());
                let answer = match &a.answer {
                    None => "not answered".to_string(),
                    Some(x) if x.correct => "right".to_string(),
                    Some(_) => "wrong".to_string(),
                };
                [a.asked_on.to_string(), prompt, answer]
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub title: String,
    pub text: String,
    pub sign_in_again: bool,
}

fn name(p: &Person) -> String {
    p.name.clone().unwrap_or_else(|| p.slack_id.clone())
}

/// A line of Slack mrkdwn as plain text: mentions as names, no emphasis, no entities (the
/// page escapes it again).
fn plain(program: &Program, line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("<@") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('>') {
            Some(end) => {
                let id = after[..end].split('|').next().unwrap_or_default();
                out.push_str(&program.person(id).map_or(id.to_string(), name));
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("<@");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    unmarked(&out)
}

/// Text without mrkdwn's emphasis marks (only where they open or close a word: `EMEA_North`
/// keeps its `_`) or its escapes.
fn unmarked(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let word = word.trim_start_matches(['*', '_']);
            // A closing mark may stand before punctuation: `_week 3_:`.
            let body =
                word.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '*' && c != '_');
            format!(
                "{}{}",
                body.trim_end_matches(['*', '_']),
                &word[body.len()..]
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrkdwn_emphasis_goes_and_names_keep_their_underscores() {
        assert_eq!(
            unmarked("*Coaching* in _week 3_: EMEA_North &lt;b&gt;"),
            "Coaching in week 3: EMEA_North <b>"
        );
    }

    #[test]
    fn formula_cells_stay_text() {
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("+1"), "'+1");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("Dana"), "Dana");
    }
}
