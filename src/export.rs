//! `export`: the program's data as CSV, one kind at a time, for admins' own analysis.

use std::collections::HashMap;
use std::io::Write;

use chrono::DateTime;

use crate::domain::activity::Activity;
use crate::domain::program::Program;
use crate::domain::results;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum What {
    Commitments,
    Practice,
    Checkins,
    Deliveries,
    Pulses,
    Coaching,
    Reinforcement,
    Outcomes,
}

pub async fn write(
    store: &Store,
    program: &Program,
    what: What,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut csv = csv::Writer::from_writer(out);
    let person = |id: &str| {
        let p = program.person(id);
        (
            p.and_then(|p| p.name.clone()).unwrap_or_default(),
            p.and_then(|p| p.team.clone()).unwrap_or_default(),
            p.and_then(|p| p.manager.clone()).unwrap_or_default(),
        )
    };
    match what {
        What::Outcomes => {
            csv.write_record([
                "opportunity",
                "owner",
                "amount",
                "created",
                "closed",
                "won",
                "applications",
            ])?;
            let practice = store.all_practice_since(DateTime::UNIX_EPOCH).await?;
            let tz = program.settings.timezone;
            let tied =
                results::applications(&practice, |p| p.logged_at.with_timezone(&tz).date_naive());
            // Owners by their roster email; one off the roster is left blank.
            let owners: HashMap<String, &str> = program
                .people
                .iter()
                .filter_map(|p| Some((p.email.as_deref()?.to_lowercase(), p.slack_id.as_str())))
                .collect();
            for o in &program.opportunities {
                let applications = tied.get(o.id.as_str()).map_or(0, |days| {
                    days.iter()
                        .filter(|on| results::before_close(o, **on))
                        .count()
                });
                csv.write_record([
                    o.id.clone(),
                    owners.get(&o.owner_email).unwrap_or(&"").to_string(),
                    decimal(o.amount_cents),
                    o.created.to_string(),
                    o.closed.map(|d| d.to_string()).unwrap_or_default(),
                    o.won.map(|w| w.to_string()).unwrap_or_default(),
                    applications.to_string(),
                ])?;
            }
        }
        What::Reinforcement => {
            csv.write_record([
                "rep",
                "question",
                "skill",
                "asked_at",
                "answered_at",
                "choice",
                "correct",
                "next_due",
            ])?;
            let time = |t: chrono::DateTime<chrono::Utc>| {
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            for a in store.all_asked().await? {
                let answer = a.answer.as_ref();
                csv.write_record([
                    a.rep.to_string(),
                    a.question.to_string(),
                    a.skill.to_string(),
                    time(a.asked_at),
                    answer.map(|x| time(x.answered_at)).unwrap_or_default(),
                    answer.map(|x| x.choice.clone()).unwrap_or_default(),
                    answer.map(|x| x.correct.to_string()).unwrap_or_default(),
                    answer.map(|x| x.next_due.to_string()).unwrap_or_default(),
                ])?;
            }
        }
        What::Coaching => {
            csv.write_record(["coached_at", "manager", "rep", "skill", "criterion", "note"])?;
            for c in store.all_coaching().await? {
                csv.write_record([
                    c.coached_at.to_rfc3339(),
                    c.manager_id,
                    c.rep_id,
                    c.skill_id.unwrap_or_default(),
                    c.criterion.unwrap_or_default(),
                    c.note,
                ])?;
            }
        }
        What::Pulses => {
            csv.write_record([
                "answered_at",
                "rep",
                "day",
                "frequency",
                "skill",
                "confidence",
            ])?;
            let answers = store.pulse_answers().await?;
            let confidence = store.all_confidence().await?;
            // Each rep's how-often answer at each checkpoint, found once per row, not searched.
            let frequency: std::collections::HashMap<(&str, i64), &str> = answers
                .iter()
                .map(|(u, d, a, _)| ((u.as_str(), *d), a.as_str()))
                .collect();
            let rated: std::collections::HashSet<(&str, i64)> = confidence
                .iter()
                .map(|c| (c.user_id.as_str(), i64::from(c.day)))
                .collect();
            // (day, rep, skill) sorts the rows; the rest is what they say.
            type Row<'a> = ((i64, &'a str, &'a str), [String; 6]);
            let mut rows: Vec<Row> = confidence
                .iter()
                .map(|c| {
                    let day = i64::from(c.day);
                    let often = frequency.get(&(c.user_id.as_str(), day)).copied();
                    (
                        (day, c.user_id.as_str(), c.skill_id.as_str()),
                        [
                            c.answered_at.to_rfc3339(),
                            c.user_id.clone(),
                            c.day.to_string(),
                            often.unwrap_or_default().to_string(),
                            c.skill_id.clone(),
                            c.value.to_string(),
                        ],
                    )
                })
                .collect();
            // A frequency answered without any rating stands on its own row.
            rows.extend(
                answers
                    .iter()
                    .filter(|(u, d, _, _)| !rated.contains(&(u.as_str(), *d)))
                    .map(|(u, d, a, at)| {
                        (
                            (*d, u.as_str(), ""),
                            [
                                at.to_rfc3339(),
                                u.clone(),
                                d.to_string(),
                                a.clone(),
                                String::new(),
                                String::new(),
                            ],
                        )
                    }),
            );
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, row) in rows {
                csv.write_record(row)?;
            }
        }
        What::Commitments => {
            csv.write_record([
                "user_id",
                "name",
                "team",
                "manager",
                "id",
                "kind",
                "status",
                "text",
                "target_number",
                "target_unit",
                "due_date",
                "program_week",
                "created_at",
                "done_at",
            ])?;
            for c in store.all_commitments().await? {
                let (name, team, manager) = person(&c.user_id);
                csv.write_record([
                    c.user_id.clone(),
                    name,
                    team,
                    manager,
                    c.seq.to_string(),
                    c.kind.as_str().into(),
                    c.status.as_str().into(),
                    c.text.clone(),
                    c.target
                        .as_ref()
                        .map(|t| t.number.to_string())
                        .unwrap_or_default(),
                    c.target
                        .as_ref()
                        .and_then(|t| t.unit.clone())
                        .unwrap_or_default(),
                    c.due.map(|d| d.to_string()).unwrap_or_default(),
                    c.week.map(|w| w.to_string()).unwrap_or_default(),
                    c.created_at.to_rfc3339(),
                    c.done_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                ])?;
            }
        }
        What::Practice => {
            csv.write_record([
                "user_id",
                "name",
                "team",
                "skill_id",
                "skill",
                "context",
                "partner_id",
                "score",
                "notes",
                "program_week",
                "logged_at",
                "deal_id",
            ])?;
            for p in store.all_practice_since(DateTime::UNIX_EPOCH).await? {
                let (name, team, _) = person(&p.user_id);
                let skill = program
                    .skills
                    .iter()
                    .find(|s| s.id == p.skill_id)
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                csv.write_record([
                    p.user_id.clone(),
                    name,
                    team,
                    p.skill_id.clone(),
                    skill,
                    p.context.as_str().into(),
                    p.partner_id.clone().unwrap_or_default(),
                    p.score.map(|s| s.to_string()).unwrap_or_default(),
                    p.notes.clone().unwrap_or_default(),
                    p.week.map(|w| w.to_string()).unwrap_or_default(),
                    p.logged_at.to_rfc3339(),
                    p.deal_id.clone().unwrap_or_default(),
                ])?;
            }
        }
        What::Checkins => {
            let practice = store.all_practice_since(DateTime::UNIX_EPOCH).await?;
            let activity = Activity::new(vec![], practice, store.checkins().await?, vec![]);
            csv.write_record(["members", "due_at", "answer", "met"])?;
            for c in activity.checkins() {
                let met = activity.met(c);
                csv.write_record([
                    c.members.key(),
                    c.due_at.to_rfc3339(),
                    c.answer.map(|a| a.as_str()).unwrap_or_default().to_string(),
                    met.to_string(),
                ])?;
            }
        }
        What::Deliveries => {
            csv.write_record([
                "key",
                "kind",
                "source",
                "recipient",
                "program_week",
                "due_at",
                "local_time",
                "status",
                "attempts",
                "last_error",
                "sent_at",
                "channel",
                "slack_ts",
                "text",
            ])?;
            for d in store.deliveries().await? {
                csv.write_record([
                    d.key.clone(),
                    d.kind().as_str().to_string(),
                    d.occurrence.source.key(),
                    d.occurrence.recipient.key(),
                    d.occurrence.program_week.to_string(),
                    d.occurrence.at.to_rfc3339(),
                    d.occurrence.local.to_rfc3339(),
                    d.status.as_str().to_string(),
                    d.attempts.to_string(),
                    d.last_error.unwrap_or_default(),
                    d.sent_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    d.channel.unwrap_or_default(),
                    d.slack_ts.unwrap_or_default(),
                    d.text.unwrap_or_default(),
                ])?;
            }
        }
    }
    csv.flush()?;
    Ok(())
}

/// Cents as a plain decimal: "12500.00", "-0.50".
fn decimal(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", cents / 100, cents % 100)
}
