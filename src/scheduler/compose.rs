//! What one scheduled occurrence says, written from the recipient's own data at the moment it
//! is sent. Shared by `serve` and `simulate`, so a preview reads exactly like the real thing.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use crate::domain::commitment::{CommitmentKind, CommitmentStatus};
use crate::domain::digest::{self, CheckinRecord, RepRecord};
use crate::domain::message::{self, Facts};
use crate::domain::program::{Program, Role, SPRINT_WEEKS};
use crate::domain::schedule::{Occurrence, PairSchedule, Recipient, Source};
use crate::store::Store;

pub struct Composer<'a> {
    pub store: &'a Store,
    pub program: &'a Program,
    pub pairs: &'a PairSchedule,
}

impl Composer<'_> {
    /// The message for `occ`, or `None` when it has become pointless (a "did you meet?" to a
    /// pair that already logged practice together).
    pub async fn text(&self, occ: &Occurrence) -> anyhow::Result<Option<String>> {
        let p = self.program;
        let text = match (&occ.source, &occ.recipient) {
            (Source::Trigger(name), recipient) => {
                let Some(trigger) = p.triggers.iter().find(|t| &t.name == name) else {
                    return Ok(None);
                };
                message::fill(
                    &trigger.text,
                    &self.facts(recipient, occ.program_week).await?,
                )
            }
            (Source::Checkin, recipient) => message::fill(
                &p.checkins.text,
                &self.facts(recipient, occ.program_week).await?,
            ),
            (Source::CheckinFollowUp, Recipient::Group(members)) => {
                if self.pair_met_since(members, occ.at).await? {
                    return Ok(None);
                }
                message::checkin_follow_up(members)
            }
            (Source::Checkpoint(day), recipient) => {
                let Some(cp) = p.checkpoints.iter().find(|c| c.day == *day) else {
                    return Ok(None);
                };
                message::fill(&cp.text, &self.facts(recipient, occ.program_week).await?)
            }
            (Source::Pressure, Recipient::Person(id)) => {
                let plans: Vec<_> = self
                    .store
                    .commitments_with_status(id, CommitmentStatus::Open)
                    .await?
                    .into_iter()
                    .filter(|c| c.kind == CommitmentKind::Pressure)
                    .collect();
                message::pressure(p.person(id).and_then(|x| x.first_name()), &plans)
            }
            (Source::Digest, Recipient::Person(manager)) => {
                let reps: Vec<&str> = p
                    .people
                    .iter()
                    .filter(|x| x.role == Role::Rep && x.manager.as_deref() == Some(manager))
                    .map(|x| x.slack_id.as_str())
                    .collect();
                let records = self.records(&reps, occ.at).await?;
                let tz = p
                    .person(manager)
                    .and_then(|m| m.timezone)
                    .unwrap_or(p.settings.timezone);
                let d = digest::manager_digest(p, &records, occ.at, tz);
                // It looks back over the past seven days: name the week those mostly fell in.
                let reviewed = p
                    .settings
                    .program_week(occ.local.date_naive() - chrono::Duration::days(3))
                    .or(Some(occ.program_week));
                digest::render_manager_digest(p, &d, reviewed, occ.local.date_naive())
            }
            (Source::ProgramReport, _) => {
                let reps: Vec<&str> = p
                    .people
                    .iter()
                    .filter(|x| x.role == Role::Rep)
                    .map(|x| x.slack_id.as_str())
                    .collect();
                digest::program_report(p, &self.records(&reps, occ.at).await?, occ.at)
            }
            _ => return Ok(None),
        };
        Ok(Some(text))
    }

    async fn facts(&self, recipient: &Recipient, week: u32) -> anyhow::Result<Facts> {
        let sprint = (week <= SPRINT_WEEKS)
            .then(|| self.program.sprint(week))
            .flatten();
        let mut facts = Facts {
            program_week: Some(week),
            focus: sprint.map(|s| s.focus.clone()),
            ..Facts::default()
        };
        match recipient {
            Recipient::Person(id) => {
                facts.first_name = self
                    .program
                    .person(id)
                    .and_then(|p| p.first_name())
                    .map(str::to_string);
                facts.partners = self
                    .pairs
                    .partners(id, week)
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                facts.open_commitments = self
                    .store
                    .commitments_with_status(id, CommitmentStatus::Open)
                    .await?;
                facts.least_practised_skill = self.least_practised(id).await?;
            }
            Recipient::Group(members) => facts.pair = members.clone(),
            Recipient::Channel(_) => {}
        }
        Ok(facts)
    }

    async fn least_practised(&self, id: &str) -> anyhow::Result<Option<String>> {
        let logs = self
            .store
            .practice_since(id, self.kickoff_instant())
            .await?;
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for l in &logs {
            *counts.entry(l.skill_id.as_str()).or_default() += 1;
        }
        Ok(self
            .program
            .skills
            .iter()
            .min_by_key(|s| counts.get(s.id.as_str()).copied().unwrap_or(0))
            .map(|s| s.name.clone()))
    }

    fn kickoff_instant(&self) -> DateTime<Utc> {
        let s = &self.program.settings;
        s.timezone
            .from_local_datetime(&s.kickoff.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map_or_else(Utc::now, |t| t.to_utc())
    }

    async fn pair_met_since(
        &self,
        members: &[String],
        checkin_at: DateTime<Utc>,
    ) -> anyhow::Result<bool> {
        let ids: Vec<&str> = members.iter().map(String::as_str).collect();
        let mut practice = Vec::new();
        for id in &ids {
            practice.extend(
                self.store
                    .practice_since(id, checkin_at - chrono::Duration::days(9))
                    .await?,
            );
        }
        let checkins = self.store.checkins().await?;
        let latest = checkins
            .iter()
            .rfind(|c| c.due_at <= checkin_at && c.member_ids().eq(sorted(&ids)));
        let due = latest.map_or(checkin_at - chrono::Duration::days(2), |c| c.due_at);
        Ok(digest::checkin_met(
            &ids,
            due,
            latest.and_then(|c| c.answer.as_deref()),
            &practice,
        ))
    }

    /// What the digests need about `reps`, up to `until`.
    async fn records(&self, reps: &[&str], until: DateTime<Utc>) -> anyhow::Result<Vec<RepRecord>> {
        let since = self.kickoff_instant();
        let checkins = self.store.checkins().await?;
        let mut out = Vec::with_capacity(reps.len());
        for id in reps {
            let person = self.program.person(id);
            let commitments = self.store.all_commitments_of(id).await?;
            let practice = self.store.practice_since(id, since).await?;
            let mut theirs = Vec::new();
            for c in checkins
                .iter()
                .filter(|c| c.due_at <= until && c.member_ids().any(|m| m == *id))
            {
                let members: Vec<&str> = c.member_ids().collect();
                let mut together = practice.clone();
                for other in members.iter().filter(|m| *m != id) {
                    together.extend(self.store.practice_since(other, since).await?);
                }
                theirs.push(CheckinRecord {
                    due_at: c.due_at,
                    met: digest::checkin_met(&members, c.due_at, c.answer.as_deref(), &together),
                });
            }
            out.push(RepRecord {
                slack_id: id.to_string(),
                name: person.and_then(|p| p.name.clone()),
                team: person.and_then(|p| p.team.clone()),
                commitments,
                practice,
                checkins: theirs,
            });
        }
        Ok(out)
    }
}

fn sorted<'a>(ids: &[&'a str]) -> impl Iterator<Item = &'a str> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.into_iter()
}
