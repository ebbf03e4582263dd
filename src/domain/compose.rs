//! What one scheduled occurrence says, written from the recipients' own records. Pure: the
//! caller loads the [`Activity`] of the people involved; `serve` and `simulate` both use this,
//! so a preview reads exactly like the real thing.

use chrono::{DateTime, Duration, Utc};

use super::activity::Activity;
use super::charts::{self, Chart};
use super::commitment::{Commitment, CommitmentKind};
use super::digest::{self, CheckinRecord, RepRecord};
use super::digest_text;
use super::message::{self, Facts, Message, checkin_buttons, checkin_value};
use super::program::{Person, Program, Role, SPRINT_WEEKS};
use super::reinforcement::{Asked, Memory, NoQuestion, Question, REST_DAYS, next_question};
use super::results;
use super::schedule::{Occurrence, PairSchedule, Recipient, Source};
use super::words;

/// Whose records a batch of messages is composed from: everyone involved, and of them the
/// people whose check-ins are read (digests, reports, a "did you meet?") and those whose whole
/// question history is (for its figures); sorted, once each. Of everyone else only the
/// questions asked since `asked_since` are read: what choosing the next question needs. Of
/// `askers`, people a question goes to, nothing else is read unless they are in `people` too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Involved {
    pub people: Vec<String>,
    pub askers: Vec<String>,
    pub checkins_of: Vec<String>,
    pub questions_of: Vec<String>,
    pub asked_since: DateTime<Utc>,
}

impl Default for Involved {
    fn default() -> Self {
        Involved {
            people: Vec::new(),
            askers: Vec::new(),
            checkins_of: Vec::new(),
            questions_of: Vec::new(),
            asked_since: DateTime::UNIX_EPOCH,
        }
    }
}

/// How far back choosing a question looks: the day's count and the questions resting.
const QUESTIONS_LOOK_BACK: Duration = Duration::days(REST_DAYS + 1);

impl Involved {
    /// Everyone `occurrences` are about.
    pub fn in_messages<'o>(
        program: &Program,
        pairs: &PairSchedule,
        occurrences: impl IntoIterator<Item = &'o Occurrence>,
    ) -> Involved {
        let mut involved = Involved::default();
        let mut earliest: Option<DateTime<Utc>> = None;
        for occ in occurrences {
            let people = people_involved(program, pairs, occ);
            if reads_checkins(&occ.source) {
                involved.checkins_of.extend(people.iter().cloned());
            }
            if reads_questions(&occ.source) {
                involved.questions_of.extend(people.iter().cloned());
            }
            earliest = Some(earliest.map_or(occ.at, |e| e.min(occ.at)));
            if occ.source == Source::Quiz {
                involved.askers.extend(people);
            } else {
                involved.people.extend(people);
            }
        }
        for list in [
            &mut involved.people,
            &mut involved.askers,
            &mut involved.checkins_of,
            &mut involved.questions_of,
        ] {
            list.sort_unstable();
            list.dedup();
        }
        if let Some(earliest) = earliest {
            involved.asked_since = earliest - QUESTIONS_LOOK_BACK;
        }
        involved
    }

    /// Everyone whose questions are read: the people and the askers, sorted, once each.
    pub fn questioned(&self) -> Vec<String> {
        let mut all: Vec<String> = self.people.iter().chain(&self.askers).cloned().collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// All of `people`'s records, check-ins included: what a view shows.
    pub fn all_of(mut people: Vec<String>) -> Involved {
        people.sort_unstable();
        people.dedup();
        Involved {
            checkins_of: people.clone(),
            questions_of: people.clone(),
            askers: Vec::new(),
            people,
            asked_since: DateTime::UNIX_EPOCH,
        }
    }
}

/// Whether a message from `source` gives figures from its people's whole question history.
fn reads_questions(source: &Source) -> bool {
    matches!(
        source,
        Source::Digest | Source::ProgramReport | Source::Close
    )
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
            | Source::Close
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
        (Source::Close | Source::PipelineChart, Recipient::Person(id)) => close_scope(program, id)
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
            Some(back) => format!("<@{id}> is away until {}", words::day(back)),
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
    if let (Source::PipelineChart, Recipient::Person(id)) = (&occ.source, &occ.recipient) {
        // The recipient's scope, as their report's or close's: a manager's team, an admin's all.
        let records = records(program, activity, &close_scope(program, id), occ.at);
        let deals = results::deals_in_view(program, &records);
        return results::pipeline_chart(program, &deals, occ.at);
    }
    let (manager, title) = match (&occ.source, &occ.recipient) {
        (Source::TeamChart, Recipient::Person(manager)) => (Some(manager.as_str()), None),
        (Source::AdoptionChart, _) => (
            None,
            Some("Adoption by skill at each checkpoint".to_string()),
        ),
        _ => return None,
    };
    let records = records(program, activity, &program.reps(manager), occ.at);
    Some(match title {
        // Only once a checkpoint has figures: never empty axes.
        Some(title) => Chart::Adoption {
            title,
            skills: program.skills.iter().map(|s| s.name.clone()).collect(),
            checkpoints: Some(charts::adoption(program, &records, occ.at))
                .filter(|reached| !reached.is_empty() && !records.is_empty())?,
        },
        None => Chart::TeamPractice {
            title: "Your team's practice by week".into(),
            weeks: charts::team_practice(program, &records, occ.at),
        },
    })
}

/// The question a `Source::Quiz` occurrence asks its rep now, and its message: due repeats
/// first, the weakest skill first, at most `per_day` a local day.
pub fn quiz<'p>(
    program: &'p Program,
    activity: &Activity,
    occ: &Occurrence,
) -> Result<(&'p Question, Message), NoQuestion> {
    let Recipient::Person(rep) = &occ.recipient else {
        return Err(NoQuestion::NothingDue);
    };
    let memories: Vec<&Memory> = activity.memories_of(rep).iter().collect();
    let asked: Vec<&Asked> = activity.asked_of(rep).iter().collect();
    let today = occ.local.date_naive();
    let per_day = program.reinforcement.per_day;
    let question = next_question(&program.questions, &memories, &asked, today, per_day)?;
    let skill = program
        .skills
        .iter()
        .find(|s| s.id == question.skill)
        .map_or(question.skill.as_str(), |s| s.name.as_str());
    Ok((question, message::quiz(question, skill, occ.at)))
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
    if occ.source == Source::Quiz {
        return quiz(program, activity, occ).ok().map(|(_, m)| m);
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
            return Some(Message::with_buttons(
                text,
                checkin_buttons(&checkin_value(members, occ.at)),
            ));
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
            return Some(Message::with_buttons(text, buttons));
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
            let reps = program.reps(Some(manager));
            // A manager without reps has nothing to be told.
            if reps.is_empty() {
                return None;
            }
            let records = records(program, activity, &reps, occ.at);
            let tz = program
                .person(manager)
                .and_then(|m| m.timezone)
                .unwrap_or(program.settings.timezone);
            let d = digest::manager_digest(program, &records, occ.at, tz);
            // Planned after the week it reports, which it is titled by.
            let today = occ.local.date_naive();
            let reported = program.settings.week_ended_before(today);
            let mut text = digest_text::render_manager_digest(program, &d, reported, today);
            let questions = digest_text::question_lines(program, &records, occ.at);
            if !questions.is_empty() {
                text.push_str("\n\n");
                text.push_str(&questions.join("\n"));
            }
            // A button for each rep to coach first, and every other rep in one menu, each
            // opening the coaching form for them with what to coach.
            let first = digest::to_coach(&d);
            let coach = |r: &digest::RepSummary| {
                let name = program
                    .person(&r.slack_id)
                    .and_then(|p| p.first_name())
                    .unwrap_or_default();
                let criterion = r
                    .coach_next
                    .as_ref()
                    .and_then(|c| c.criterion.as_ref())
                    .map(|(k, _)| k.as_str());
                message::Button {
                    action: message::Action::LogCoaching,
                    value: message::coaching_value(&r.slack_id, name, criterion),
                }
            };
            let buttons: Vec<_> = first.iter().map(|(r, _)| coach(r)).collect();
            let options: Vec<_> = d
                .reps
                .iter()
                .filter(|r| !first.iter().any(|(f, _)| f.slack_id == r.slack_id))
                .take(message::MENU_OPTIONS)
                .map(coach)
                .collect();
            let menu = (!options.is_empty()).then_some(message::Menu {
                prompt: "Log coaching for…",
                options,
            });
            return Some(Message {
                text,
                buttons,
                menu,
            });
        }
        (Source::ProgramReport, _) => {
            let records = records(program, activity, &program.reps(None), occ.at);
            digest_text::program_report(program, &records, occ.at)
        }
        (Source::Close, Recipient::Person(id)) => {
            let reps = close_scope(program, id);
            if reps.is_empty() {
                return None;
            }
            // The result of the whole program, its last checkpoint included even when the close
            // came forward off a day off.
            let s = &program.settings;
            let until = occ.at.max(s.end_of_day(s.last_day()));
            let records = records(program, activity, &reps, until);
            let admin = program.person(id).is_some_and(|p| p.role == Role::Admin);
            digest_text::close(program, &records, until, admin)
        }
        // A chart is uploaded as a file; its title is what a preview lists.
        (Source::TeamChart | Source::AdoptionChart | Source::PipelineChart, _) => {
            format!("📊 {} (chart)", chart(program, activity, occ)?.title())
        }
        _ => return None,
    };
    Some(Message::text(text))
}

/// Whose result the close gives `id`: an admin's is every rep's, a manager's their team's.
fn close_scope<'p>(program: &'p Program, id: &str) -> Vec<&'p Person> {
    match program.person(id).map(|p| p.role) {
        Some(Role::Admin) => program.reps(None),
        Some(Role::Manager) => program.reps(Some(id)),
        _ => Vec::new(),
    }
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
            Some(Message::with_buttons(
                message::fill(template, &facts()),
                message::prompt_buttons(&named, &occ.key()),
            ))
        }
        Source::Checkpoint(day) => {
            let template = &program.checkpoints.iter().find(|c| c.day == *day)?.text;
            Some(Message::with_buttons(
                message::fill(template, &facts()),
                message::pulse_buttons(*day, !program.skills.is_empty()),
            ))
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
                confidence: activity.confidence_of(id),
                coaching: activity.coaching_of(id),
                asked: activity.asked_of(id),
                away: activity.absence(program, rep, until),
            }
        })
        .collect()
}
