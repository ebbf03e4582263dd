//! What one scheduled occurrence says, written from the recipients' own records. Pure: the
//! caller loads the [`Activity`] of the people involved; `serve` and `simulate` both use this,
//! so a preview reads exactly like the real thing.

use foldhash::{HashMap, HashMapExt};

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::absence::{Absence, SlackStatus};
use super::charts::{self, Chart};
use super::checkin::{Checkin, CheckinAnswer};
use super::commitment::{Commitment, CommitmentKind, CommitmentStatus};
use super::digest::{self, CheckinRecord, RepRecord, checkin_met, checkin_window};
use super::digest_text;
use super::message::{self, Facts, Message, checkin_buttons, checkin_value};
use super::practice::PracticeLog;
use super::program::{Person, Program, SPRINT_WEEKS};
use super::schedule::{Occurrence, PairSchedule, Recipient, Source};

/// The records of the people a batch of messages is about, indexed by person so that a digest
/// over a year of a large team's data reads only what it reports.
#[derive(Debug, Clone, Default)]
pub struct Activity {
    commitments: HashMap<String, Vec<Commitment>>,
    /// Each person's practice, oldest first: a time window is a binary search.
    practice: HashMap<String, Vec<PracticeLog>>,
    /// Oldest first.
    checkins: Vec<Checkin>,
    /// Positions in `checkins`, by member, oldest first.
    checkins_by_member: HashMap<String, Vec<usize>>,
    /// Pulse answers by person: (checkpoint day, answer).
    pulses: HashMap<String, Vec<(u32, String)>>,
    /// The date each person who paused is back.
    pauses: HashMap<String, NaiveDate>,
    /// Each person's Slack status, from which the absence rules read an absence.
    statuses: HashMap<String, SlackStatus>,
}

impl Activity {
    /// `pulses` are (person, checkpoint day, answer).
    pub fn new(
        commitments: Vec<Commitment>,
        practice: Vec<PracticeLog>,
        mut checkins: Vec<Checkin>,
        pulses: Vec<(String, u32, String)>,
    ) -> Self {
        let mut practice = by_person(practice, |p| &p.user_id);
        for logs in practice.values_mut() {
            logs.sort_by_key(|p| p.logged_at);
        }
        checkins.sort_by_key(|c| c.due_at);
        let mut checkins_by_member: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in checkins.iter().enumerate() {
            for m in c.members.iter() {
                // A member's id is copied once, not once per check-in.
                match checkins_by_member.get_mut(m) {
                    Some(at) => at.push(i),
                    None => {
                        checkins_by_member.insert(m.clone(), vec![i]);
                    }
                }
            }
        }
        let mut answers: HashMap<String, Vec<(u32, String)>> = HashMap::new();
        for (person, day, answer) in pulses {
            answers.entry(person).or_default().push((day, answer));
        }
        Activity {
            commitments: by_person(commitments, |c| &c.user_id),
            practice,
            checkins,
            checkins_by_member,
            pulses: answers,
            pauses: HashMap::new(),
            statuses: HashMap::new(),
        }
    }

    /// The same records, with who paused and what their Slack status says.
    pub fn with_absences(
        mut self,
        pauses: HashMap<String, NaiveDate>,
        statuses: HashMap<String, SlackStatus>,
    ) -> Self {
        self.pauses = pauses;
        self.statuses = statuses;
        self
    }

    /// Whether `person` is away at `now`, and when they are back: the roster's date, a pause,
    /// or a Slack status the program's rules read as away, whichever ends last.
    pub fn absence(
        &self,
        program: &Program,
        person: &Person,
        now: DateTime<Utc>,
    ) -> Option<Absence> {
        let tz = person.timezone.unwrap_or(program.settings.timezone);
        let today = now.with_timezone(&tz).date_naive();
        let dated = [
            person.away_until,
            self.pauses.get(&person.slack_id).copied(),
        ]
        .into_iter()
        .flatten()
        .filter(|back| *back > today)
        .max();
        let by_status = self
            .statuses
            .get(&person.slack_id)
            .and_then(|s| program.absence.absence(s, tz, now));
        match (dated, by_status) {
            (_, Some(Absence { back: None })) => Some(Absence { back: None }),
            (Some(d), Some(Absence { back: Some(s) })) => Some(Absence {
                back: Some(d.max(s)),
            }),
            (None, status) => status,
            (Some(d), None) => Some(Absence { back: Some(d) }),
        }
    }

    /// Every check-in, oldest first.
    pub fn checkins(&self) -> &[Checkin] {
        &self.checkins
    }

    /// Whether `checkin` happened: the pair said so, or practised together around it.
    pub fn met(&self, checkin: &Checkin) -> bool {
        let members: Vec<&str> = checkin.members.iter().map(String::as_str).collect();
        self.met_by(&members, checkin.due_at, checkin.answer)
    }

    fn met_by(
        &self,
        members: &[&str],
        due_at: DateTime<Utc>,
        answer: Option<CheckinAnswer>,
    ) -> bool {
        let window = checkin_window(due_at);
        let practice = members.iter().flat_map(|m| {
            let logs = self.practice_of(m);
            let from = logs.partition_point(|p| p.logged_at < window.start);
            let to = logs.partition_point(|p| p.logged_at < window.end);
            &logs[from..to]
        });
        checkin_met(members, due_at, answer, practice)
    }

    fn checkins_of(&self, id: &str) -> impl DoubleEndedIterator<Item = &Checkin> {
        self.checkins_by_member
            .get(id)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.checkins[i])
    }

    fn commitments_of(&self, id: &str) -> &[Commitment] {
        self.commitments.get(id).map_or(&[], Vec::as_slice)
    }

    fn practice_of(&self, id: &str) -> &[PracticeLog] {
        self.practice.get(id).map_or(&[], Vec::as_slice)
    }

    fn pulses_of(&self, id: &str) -> &[(u32, String)] {
        self.pulses.get(id).map_or(&[], Vec::as_slice)
    }

    fn open_commitments(&self, id: &str) -> Vec<Commitment> {
        self.commitments_of(id)
            .iter()
            .filter(|c| c.status == CommitmentStatus::Open)
            .cloned()
            .collect()
    }
}

/// `items` grouped by the person `whose` names, each group in the order given.
fn by_person<T>(items: Vec<T>, whose: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut groups: HashMap<String, Vec<T>> = HashMap::new();
    for item in items {
        groups.entry(whose(&item).clone()).or_default().push(item);
    }
    groups
}

/// Whose records a batch of messages is composed from: everyone involved, and of them the
/// people whose check-ins are read (digests, reports, a "did you meet?"); sorted, once each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Involved {
    pub people: Vec<String>,
    pub checkins_of: Vec<String>,
}

impl Involved {
    /// Everyone `occurrences` are about.
    pub fn in_messages<'o>(
        program: &Program,
        pairs: &PairSchedule,
        occurrences: impl IntoIterator<Item = &'o Occurrence>,
    ) -> Involved {
        let mut involved = Involved::default();
        for occ in occurrences {
            let people = people_involved(program, pairs, occ);
            if reads_checkins(&occ.source) {
                involved.checkins_of.extend(people.iter().cloned());
            }
            involved.people.extend(people);
        }
        for list in [&mut involved.people, &mut involved.checkins_of] {
            list.sort_unstable();
            list.dedup();
        }
        involved
    }

    /// All of `people`'s records, check-ins included: what a view shows.
    pub fn all_of(mut people: Vec<String>) -> Involved {
        people.sort_unstable();
        people.dedup();
        Involved {
            checkins_of: people.clone(),
            people,
        }
    }
}

/// Whether a message from `source` reads its people's check-ins: a prompt or a pulse does
/// not, so a batch of them reads none.
fn reads_checkins(source: &Source) -> bool {
    matches!(
        source,
        Source::CheckinFollowUp
            | Source::Digest
            | Source::ProgramReport
            | Source::TeamChart
            | Source::AdoptionChart
    )
}

/// Whose records `occ` needs: its recipients, a manager's reps, or every rep for the report;
/// for a check-in, also the partners who are missing from it (to say why).
pub fn people_involved(program: &Program, pairs: &PairSchedule, occ: &Occurrence) -> Vec<String> {
    match (&occ.source, &occ.recipient) {
        (Source::Win { user, .. }, _) => vec![user.clone()],
        (Source::Checkin, Recipient::Group(ids)) => {
            let mut people = ids.to_vec();
            for partner in ids
                .iter()
                .flat_map(|id| pairs.partners(id, occ.program_week))
            {
                if !people.iter().any(|p| p == partner) {
                    people.push(partner.to_string());
                }
            }
            people
        }
        (Source::Digest | Source::TeamChart, Recipient::Person(manager)) => program
            .reps(Some(manager))
            .into_iter()
            .map(|p| p.slack_id.clone())
            .collect(),
        (Source::ProgramReport | Source::AdoptionChart, _) => program
            .reps(None)
            .into_iter()
            .map(|p| p.slack_id.clone())
            .collect(),
        (_, Recipient::Person(id)) => vec![id.clone()],
        (_, Recipient::Group(ids)) => ids.to_vec(),
        (_, Recipient::Channel(_)) => vec![],
    }
}

/// Why a check-in group is not the pair that was made: the partners away, and until when, so
/// whoever meets with another pair meanwhile knows why.
fn missing_partners(
    program: &Program,
    pairs: &PairSchedule,
    activity: &Activity,
    occ: &Occurrence,
    members: &[String],
) -> Option<String> {
    let mut away = Vec::new();
    for partner in members
        .iter()
        .flat_map(|m| pairs.partners(m, occ.program_week))
    {
        if members.iter().any(|m| m == partner) || away.iter().any(|(id, _)| *id == partner) {
            continue;
        }
        let Some(person) = program.person(partner) else {
            continue;
        };
        if let Some(absence) = activity.absence(program, person, occ.at) {
            away.push((partner, absence));
        }
    }
    if away.is_empty() {
        return None;
    }
    let names: Vec<String> = away
        .iter()
        .map(|(id, a)| match a.back {
            Some(back) => format!("<@{id}> is away until {}", back.format("%a %-d %b")),
            None => format!("<@{id}> is away"),
        })
        .collect();
    Some(format!(
        "\n({}; meanwhile you meet together, so nobody practises alone.)",
        names.join(", ")
    ))
}

/// The chart for a chart occurrence, from the records its digest or report is made of; `None`
/// when that digest would say nothing yet, or `occ` is no chart.
pub fn chart(program: &Program, activity: &Activity, occ: &Occurrence) -> Option<Chart> {
    let (manager, title) = match (&occ.source, &occ.recipient) {
        (Source::TeamChart, Recipient::Person(manager)) => (Some(manager.as_str()), None),
        (Source::AdoptionChart, _) => (
            None,
            Some("Adoption by skill at each checkpoint".to_string()),
        ),
        _ => return None,
    };
    let records = records(program, activity, &program.reps(manager), occ.at);
    if !has_a_week_to_report(program, &records, occ) {
        return None;
    }
    Some(match title {
        Some(title) => Chart::Adoption {
            title,
            skills: program.skills.iter().map(|s| s.name.clone()).collect(),
            checkpoints: charts::adoption(program, &records, occ.at),
        },
        None => Chart::TeamPractice {
            title: "Your team's practice by week".into(),
            weeks: charts::team_practice(program, &records, occ.at),
        },
    })
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
            let mut text = message::fill(&program.checkins.text, &facts());
            if let Some(why) = missing_partners(program, pairs, activity, occ, members) {
                text.push_str(&why);
            }
            return Some(Message {
                text,
                buttons: checkin_buttons(&checkin_value(members, occ.at)),
            });
        }
        (Source::Checkin, _) => message::fill(&program.checkins.text, &facts()),
        (Source::CheckinFollowUp, Recipient::Group(members)) => {
            let ids: Vec<&str> = members.iter().map(String::as_str).collect();
            let latest = activity
                .checkins_of(ids.first()?)
                .rfind(|c| c.due_at <= occ.at && c.members.same_people(members));
            let due = latest.map_or(occ.at - Duration::days(2), |c| c.due_at);
            // Any answer ends the asking; so does practice logged together.
            let answered = latest.is_some_and(|c| c.answer.is_some());
            if answered || activity.met_by(&ids, due, None) {
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
        (Source::Win { user, logged_at }, Recipient::Channel(_)) => {
            let win = activity
                .practice_of(user)
                .iter()
                .find(|p| p.logged_at.timestamp_micros() == *logged_at)?;
            let skill = program.skills.iter().find(|s| s.id == win.skill_id);
            message::win(
                skill.map_or(win.skill_id.as_str(), |s| s.name.as_str()),
                win,
            )
        }
        (Source::Pressure, Recipient::Person(id)) => {
            let plans: Vec<Commitment> = activity
                .open_commitments(id)
                .into_iter()
                .filter(|c| c.kind == CommitmentKind::Pressure)
                .collect();
            message::pressure(program.person(id).and_then(|p| p.first_name()), &plans)
        }
        (Source::Digest, Recipient::Person(manager)) => {
            let records = records(program, activity, &program.reps(Some(manager)), occ.at);
            if !has_a_week_to_report(program, &records, occ) {
                return None;
            }
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
            digest_text::render_manager_digest(program, &d, reviewed, today)
        }
        (Source::ProgramReport, _) => {
            let records = records(program, activity, &program.reps(None), occ.at);
            if !has_a_week_to_report(program, &records, occ) {
                return None;
            }
            digest_text::program_report(program, &records, occ.at)
        }
        // A chart is uploaded as a file; its title is what a preview lists.
        (Source::TeamChart | Source::AdoptionChart, _) => {
            format!("📊 {} (chart)", chart(program, activity, occ)?.title())
        }
        _ => return None,
    };
    Some(Message::text(text))
}

/// A digest looks back over the week before it: it has something to say once a whole working
/// day of the program lies behind it, or once any rep did something in that week.
fn has_a_week_to_report(program: &Program, records: &[RepRecord], occ: &Occurrence) -> bool {
    let s = &program.settings;
    let today = occ.local.date_naive();
    let worked = (0..(today - s.kickoff).num_days())
        .any(|d| s.is_working_day(s.kickoff + Duration::days(d)));
    let week = (occ.at - Duration::days(7))..occ.at;
    worked
        || records.iter().any(|r| {
            r.commitments.iter().any(|c| week.contains(&c.created_at))
                || r.practice.iter().any(|p| week.contains(&p.logged_at))
        })
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
        Recipient::Group(members) => facts.pair = members.to_vec(),
        Recipient::Channel(_) => {}
    }
    facts
}

/// What the digests need about `reps`, up to `until`.
pub fn records<'a>(
    program: &Program,
    activity: &'a Activity,
    reps: &[&'a Person],
    until: DateTime<Utc>,
) -> Vec<RepRecord<'a>> {
    reps.iter()
        .map(|&rep| {
            let id = rep.slack_id.as_str();
            // Due before it, not at once with it: a check-in sent in the same second as a
            // digest is the next week's, whichever of the two went first.
            let checkins = activity
                .checkins_of(id)
                .take_while(|c| c.due_at < until)
                .map(|c| CheckinRecord {
                    due_at: c.due_at,
                    met: activity.met(c),
                })
                .collect();
            RepRecord {
                slack_id: id,
                name: rep.name.as_deref(),
                team: rep.team.as_deref(),
                commitments: activity.commitments_of(id),
                practice: activity.practice_of(id),
                checkins,
                pulses: activity.pulses_of(id),
                away: activity.absence(program, rep, until),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::domain::checkin::Group;
    use crate::domain::practice::PracticeContext;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, 15, 0, 0).unwrap()
    }

    fn practised(user: &str, partner: Option<&str>, day: u32) -> PracticeLog {
        PracticeLog {
            user_id: user.into(),
            skill_id: "discovery".into(),
            context: PracticeContext::Roleplay,
            partner_id: partner.map(str::to_string),
            score: None,
            notes: None,
            rubric: vec![],
            week: None,
            logged_at: at(day),
        }
    }

    fn checkin(members: &[&str], day: u32) -> Checkin {
        Checkin {
            members: Group::new(members.iter().map(|m| m.to_string())),
            due_at: at(day),
            answer: None,
        }
    }

    #[test]
    fn a_checkin_is_met_by_practice_together_within_its_window_in_any_order() {
        let activity = Activity::new(
            vec![],
            // Out of order, as a merge of several sources might give them.
            vec![
                practised("U1", Some("U2"), 13),
                practised("U1", None, 5),
                practised("U3", Some("U4"), 2),
                practised("U2", Some("U1"), 1),
            ],
            vec![
                checkin(&["U3", "U4"], 12),
                checkin(&["U1", "U2"], 12),
                checkin(&["U1", "U2"], 4),
            ],
            vec![],
        );
        let met: Vec<(Vec<String>, bool)> = activity
            .checkins()
            .iter()
            .map(|c| (c.members.to_vec(), activity.met(c)))
            .collect();
        assert_eq!(
            met,
            [
                // Due on the 4th: practice on the 1st is before the day-before window.
                (vec!["U1".to_string(), "U2".to_string()], false),
                (vec!["U3".to_string(), "U4".to_string()], false),
                // Due on the 12th: practice together on the 13th counts.
                (vec!["U1".to_string(), "U2".to_string()], true),
            ]
        );
        let of_u2: Vec<DateTime<Utc>> = activity.checkins_of("U2").map(|c| c.due_at).collect();
        assert_eq!(of_u2, [at(4), at(12)]);
        assert_eq!(activity.checkins_of("U9").count(), 0);
    }
}
