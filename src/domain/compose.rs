//! What one scheduled occurrence says, written from the recipients' own records. Pure: the
//! caller loads the [`Activity`] of the people involved; `serve` and `simulate` both use this,
//! so a preview reads exactly like the real thing.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::commitment::{Commitment, CommitmentKind, CommitmentStatus};
use super::digest::{self, CheckinRecord, RepRecord, checkin_met};
use super::message::{self, Facts, Message, checkin_buttons, checkin_value};
use super::practice::PracticeLog;
use super::program::{Program, Role, SPRINT_WEEKS};
use super::schedule::{Occurrence, PairSchedule, Recipient, Source};

/// A check-in a group was brought together for, and their answer if they gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkin {
    pub members: Vec<String>,
    pub due_at: DateTime<Utc>,
    pub answer: Option<String>,
}

/// The records of the people a batch of messages is about.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    pub commitments: HashMap<String, Vec<Commitment>>,
    pub practice: HashMap<String, Vec<PracticeLog>>,
    pub checkins: Vec<Checkin>,
    /// Pulse answers by person: (checkpoint day, answer).
    pub pulses: HashMap<String, Vec<(u32, String)>>,
}

impl Activity {
    fn commitments_of(&self, id: &str) -> &[Commitment] {
        self.commitments.get(id).map_or(&[], Vec::as_slice)
    }

    fn practice_of(&self, id: &str) -> &[PracticeLog] {
        self.practice.get(id).map_or(&[], Vec::as_slice)
    }

    fn open_commitments(&self, id: &str) -> Vec<Commitment> {
        self.commitments_of(id)
            .iter()
            .filter(|c| c.status == CommitmentStatus::Open)
            .cloned()
            .collect()
    }

    fn practice_of_all(&self, ids: &[&str]) -> Vec<PracticeLog> {
        ids.iter()
            .flat_map(|id| self.practice_of(id).iter().cloned())
            .collect()
    }
}

/// Whose records `occ` needs: its recipients, a manager's reps, or every rep for the report.
pub fn people_involved(program: &Program, occ: &Occurrence) -> Vec<String> {
    match (&occ.source, &occ.recipient) {
        (Source::Digest, Recipient::Person(manager)) => reps(program, Some(manager))
            .into_iter()
            .map(str::to_string)
            .collect(),
        (Source::ProgramReport, _) => reps(program, None)
            .into_iter()
            .map(str::to_string)
            .collect(),
        (_, Recipient::Person(id)) => vec![id.clone()],
        (_, Recipient::Group(ids)) => ids.clone(),
        (_, Recipient::Channel(_)) => vec![],
    }
}

fn reps<'a>(program: &'a Program, manager: Option<&str>) -> Vec<&'a str> {
    program
        .people
        .iter()
        .filter(|p| p.role == Role::Rep && manager.is_none_or(|m| p.manager.as_deref() == Some(m)))
        .map(|p| p.slack_id.as_str())
        .collect()
}

/// The message for `occ`, or `None` when it has become pointless (a "did you meet?" to a pair
/// that already logged practice together, or a trigger no longer in the config).
pub fn compose(
    program: &Program,
    pairs: &PairSchedule,
    activity: &Activity,
    occ: &Occurrence,
) -> Option<Message> {
    let facts = || facts(program, pairs, activity, &occ.recipient, occ.program_week);
    if let Some(message) = with_buttons(program, pairs, activity, occ) {
        return Some(message);
    }
    let text = match (&occ.source, &occ.recipient) {
        (Source::Trigger(name), _) => message::fill(
            &program.triggers.iter().find(|t| &t.name == name)?.text,
            &facts(),
        ),
        (Source::Checkin, Recipient::Group(members)) => {
            let text = message::fill(&program.checkins.text, &facts());
            return Some(Message {
                text,
                buttons: checkin_buttons(&checkin_value(members, occ.at)),
            });
        }
        (Source::Checkin, _) => message::fill(&program.checkins.text, &facts()),
        (Source::CheckinFollowUp, Recipient::Group(members)) => {
            let ids: Vec<&str> = members.iter().map(String::as_str).collect();
            let latest = activity
                .checkins
                .iter()
                .rfind(|c| c.due_at <= occ.at && same_group(&c.members, &ids));
            let due = latest.map_or(occ.at - Duration::days(2), |c| c.due_at);
            // Any answer ends the asking; so does practice logged together.
            let answered = latest.is_some_and(|c| c.answer.is_some());
            if answered || checkin_met(&ids, due, None, &activity.practice_of_all(&ids)) {
                return None;
            }
            let text = message::checkin_follow_up(members);
            let buttons = latest
                .map(|c| checkin_buttons(&checkin_value(&c.members, c.due_at)))
                .unwrap_or_default();
            return Some(Message { text, buttons });
        }
        (Source::Checkpoint(day), _) => message::fill(
            &program.checkpoints.iter().find(|c| c.day == *day)?.text,
            &facts(),
        ),
        (Source::Pressure, Recipient::Person(id)) => {
            let plans: Vec<Commitment> = activity
                .open_commitments(id)
                .into_iter()
                .filter(|c| c.kind == CommitmentKind::Pressure)
                .collect();
            message::pressure(program.person(id).and_then(|p| p.first_name()), &plans)
        }
        (Source::Digest, Recipient::Person(manager)) => {
            let records = records(program, activity, &reps(program, Some(manager)), occ.at);
            let tz = program
                .person(manager)
                .and_then(|m| m.timezone)
                .unwrap_or(program.settings.timezone);
            let d = digest::manager_digest(program, &records, occ.at, tz);
            // It looks back over the past seven days: name the week those mostly fell in.
            let today = occ.local.date_naive();
            let reviewed = program
                .settings
                .program_week(today - Duration::days(3))
                .or(Some(occ.program_week));
            digest::render_manager_digest(program, &d, reviewed, today)
        }
        (Source::ProgramReport, _) => digest::program_report(
            program,
            &records(program, activity, &reps(program, None), occ.at),
            occ.at,
        ),
        _ => return None,
    };
    Some(Message::text(text))
}

/// Prompts and pulses to one person carry their one-click answers.
fn with_buttons(
    program: &Program,
    pairs: &PairSchedule,
    activity: &Activity,
    occ: &Occurrence,
) -> Option<Message> {
    let Recipient::Person(id) = &occ.recipient else {
        return None;
    };
    let facts = || facts(program, pairs, activity, &occ.recipient, occ.program_week);
    match &occ.source {
        Source::Trigger(name) => {
            let template = &program.triggers.iter().find(|t| &t.name == name)?.text;
            // Done buttons for the commitments the prompt names, as the text shows them.
            let named: Vec<u32> = if template.contains("{open_commitments}") {
                activity
                    .open_commitments(id)
                    .iter()
                    .take(3)
                    .map(|c| c.seq)
                    .collect()
            } else {
                Vec::new()
            };
            Some(Message {
                text: message::fill(template, &facts()),
                buttons: message::prompt_buttons(&named, &occ.key()),
            })
        }
        Source::Checkpoint(day) => {
            let template = &program.checkpoints.iter().find(|c| c.day == *day)?.text;
            Some(Message {
                text: message::fill(template, &facts()),
                buttons: message::pulse_buttons(*day),
            })
        }
        _ => None,
    }
}

fn same_group(members: &[String], ids: &[&str]) -> bool {
    members.len() == ids.len() && ids.iter().all(|id| members.iter().any(|m| m == id))
}

fn facts(
    program: &Program,
    pairs: &PairSchedule,
    activity: &Activity,
    recipient: &Recipient,
    week: u32,
) -> Facts {
    let sprint = (week <= SPRINT_WEEKS)
        .then(|| program.sprint(week))
        .flatten();
    let mut facts = Facts {
        program_week: Some(week),
        focus: sprint.map(|s| s.focus.clone()),
        ..Facts::default()
    };
    match recipient {
        Recipient::Person(id) => {
            facts.first_name = program
                .person(id)
                .and_then(|p| p.first_name())
                .map(str::to_string);
            facts.partners = pairs
                .partners(id, week)
                .into_iter()
                .map(str::to_string)
                .collect();
            facts.open_commitments = activity.open_commitments(id);
            let practice = activity.practice_of(id);
            let count = |skill: &str| practice.iter().filter(|p| p.skill_id == skill).count();
            facts.least_practised_skill = program
                .skills
                .iter()
                .min_by_key(|s| count(&s.id))
                .map(|s| s.name.clone());
        }
        Recipient::Group(members) => facts.pair = members.clone(),
        Recipient::Channel(_) => {}
    }
    facts
}

/// What the digests need about `reps`, up to `until`.
pub fn records(
    program: &Program,
    activity: &Activity,
    reps: &[&str],
    until: DateTime<Utc>,
) -> Vec<RepRecord> {
    reps.iter()
        .map(|id| {
            let person = program.person(id);
            let checkins = activity
                .checkins
                .iter()
                .filter(|c| c.due_at <= until && c.members.iter().any(|m| m == id))
                .map(|c| {
                    let members: Vec<&str> = c.members.iter().map(String::as_str).collect();
                    CheckinRecord {
                        due_at: c.due_at,
                        met: checkin_met(
                            &members,
                            c.due_at,
                            c.answer.as_deref(),
                            &activity.practice_of_all(&members),
                        ),
                    }
                })
                .collect();
            RepRecord {
                slack_id: id.to_string(),
                name: person.and_then(|p| p.name.clone()),
                team: person.and_then(|p| p.team.clone()),
                commitments: activity.commitments_of(id).to_vec(),
                practice: activity.practice_of(id).to_vec(),
                checkins,
                pulses: activity.pulses.get(*id).cloned().unwrap_or_default(),
            }
        })
        .collect()
}
