//! One message of the program as the outbox keeps it: what it is (its source and kind), who
//! it is for (a person, a pair's group DM, a channel), when, and the key that makes it once.

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};

use super::checkin::Group;
use super::program::Channel;

/// What kind of message an occurrence is (the names `simulate --format jsonl` prints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MessageKind {
    Prompt,
    Checkin,
    Digest,
    Pulse,
    Pressure,
    /// A rep's win, shared in the wins channel at their request.
    Win,
    /// A direct message because of what someone did (a partner told of a pause, a form's
    /// confirmation): its text is written when it is asked for.
    Notice,
    /// A spaced reinforcement question.
    Quiz,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Prompt => "prompt",
            MessageKind::Checkin => "checkin",
            MessageKind::Digest => "digest",
            MessageKind::Pulse => "pulse",
            MessageKind::Pressure => "pressure",
            MessageKind::Win => "win",
            MessageKind::Notice => "notice",
            MessageKind::Quiz => "quiz",
        }
    }
}

/// Which part of the program an occurrence comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Trigger(String),
    Checkin,
    /// "Did you meet?", two working days after the check-in.
    CheckinFollowUp,
    Digest,
    /// The admins' weekly program report.
    ProgramReport,
    Checkpoint(u32),
    Pressure,
    /// The chart sent a second after a manager's digest: the team's practice by week.
    TeamChart,
    /// The chart sent a second after the admins' report and the close: adoption by skill.
    AdoptionChart,
    /// The chart sent two seconds after the admins' report and the close when the program
    /// reads the CRM's deals: pipeline created by week against the same weeks a year earlier.
    PipelineChart,
    /// The program's result, on its last day, to admins and managers.
    Close,
    /// The practice `user` logged at this instant (Unix microseconds), shared as a win.
    Win {
        user: String,
        logged_at: i64,
    },
    /// A notice, named by what prompted it (e.g. `pause:U0EAST001:<Unix µs>`): its text is
    /// kept in the outbox row, as no program rule composes it.
    Notice(String),
    /// A rep told of their coaching (`<rep>:<Unix µs>`): kept text, as a notice's, with *Log
    /// practice* under it.
    Coached(String),
    /// A spaced reinforcement question to a rep: which one is chosen when it goes.
    Quiz,
}

impl Source {
    pub fn kind(&self) -> MessageKind {
        match self {
            Source::Trigger(_) => MessageKind::Prompt,
            Source::Checkin | Source::CheckinFollowUp => MessageKind::Checkin,
            Source::Digest
            | Source::ProgramReport
            | Source::TeamChart
            | Source::AdoptionChart
            | Source::PipelineChart
            | Source::Close => MessageKind::Digest,
            Source::Checkpoint(_) => MessageKind::Pulse,
            Source::Pressure => MessageKind::Pressure,
            Source::Win { .. } => MessageKind::Win,
            Source::Notice(_) | Source::Coached(_) => MessageKind::Notice,
            Source::Quiz => MessageKind::Quiz,
        }
    }

    /// Reads back [`Source::key`].
    pub fn parse(key: &str) -> Option<Source> {
        Some(match key {
            "checkin" => Source::Checkin,
            "checkin-followup" => Source::CheckinFollowUp,
            "digest" => Source::Digest,
            "program-report" => Source::ProgramReport,
            "team-chart" => Source::TeamChart,
            "adoption-chart" => Source::AdoptionChart,
            "pipeline-chart" => Source::PipelineChart,
            "close" => Source::Close,
            "pressure" => Source::Pressure,
            "quiz" => Source::Quiz,
            other => match other.split_once(':')? {
                ("trigger", name) => Source::Trigger(name.to_string()),
                ("checkpoint", day) => Source::Checkpoint(day.parse().ok()?),
                ("notice", why) => Source::Notice(why.to_string()),
                ("coached", what) => Source::Coached(what.to_string()),
                ("win", rest) => {
                    let (user, at) = rest.split_once(':')?;
                    Source::Win {
                        user: user.to_string(),
                        logged_at: at.parse().ok()?,
                    }
                }
                _ => return None,
            },
        })
    }

    /// Stable name used in outbox keys and exports.
    pub fn key(&self) -> String {
        match self {
            Source::Trigger(name) => format!("trigger:{name}"),
            Source::Checkin => "checkin".into(),
            Source::CheckinFollowUp => "checkin-followup".into(),
            Source::Digest => "digest".into(),
            Source::ProgramReport => "program-report".into(),
            Source::TeamChart => "team-chart".into(),
            Source::AdoptionChart => "adoption-chart".into(),
            Source::PipelineChart => "pipeline-chart".into(),
            Source::Close => "close".into(),
            Source::Checkpoint(day) => format!("checkpoint:{day}"),
            Source::Pressure => "pressure".into(),
            Source::Win { user, logged_at } => format!("win:{user}:{logged_at}"),
            Source::Notice(why) => format!("notice:{why}"),
            Source::Coached(what) => format!("coached:{what}"),
            Source::Quiz => "quiz".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Recipient {
    Person(String),
    /// A pair or trio, brought together in one group DM.
    Group(Group),
    Channel(Channel),
}

/// What a recipient is, stored beside its key so that nothing is guessed from an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecipientKind {
    Person,
    Group,
    Channel,
}

impl RecipientKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecipientKind::Person => "person",
            RecipientKind::Group => "group",
            RecipientKind::Channel => "channel",
        }
    }

    pub fn parse(raw: &str) -> Option<RecipientKind> {
        Some(match raw {
            "person" => RecipientKind::Person,
            "group" => RecipientKind::Group,
            "channel" => RecipientKind::Channel,
            _ => return None,
        })
    }
}

impl Recipient {
    /// Reads back [`Recipient::key`] stored with its [`RecipientKind`].
    pub fn from_key(kind: RecipientKind, key: &str) -> Option<Recipient> {
        Some(match kind {
            RecipientKind::Person => Recipient::Person(key.to_string()),
            RecipientKind::Group => Recipient::Group(Group::from_key(key)?),
            RecipientKind::Channel => Recipient::Channel(match key.strip_prefix('#') {
                Some(name) => Channel::Name(name.to_string()),
                None => Channel::Id(key.to_string()),
            }),
        })
    }

    pub fn kind(&self) -> RecipientKind {
        match self {
            Recipient::Person(_) => RecipientKind::Person,
            Recipient::Group(_) => RecipientKind::Group,
            Recipient::Channel(_) => RecipientKind::Channel,
        }
    }

    pub fn key(&self) -> String {
        match self {
            Recipient::Person(id) => id.clone(),
            Recipient::Group(ids) => ids.key(),
            Recipient::Channel(channel) => channel.key(),
        }
    }

    /// The people it reaches directly (none for a channel).
    pub fn people(&self) -> &[String] {
        match self {
            Recipient::Person(id) => std::slice::from_ref(id),
            Recipient::Group(ids) => ids,
            Recipient::Channel(_) => &[],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub source: Source,
    pub recipient: Recipient,
    pub at: DateTime<Utc>,
    /// The recipient's wall-clock time.
    pub local: DateTime<FixedOffset>,
    /// Program week of the local date (1 = kickoff week).
    pub program_week: u32,
}

impl Occurrence {
    /// Unique per source × recipient × local time, to the second (a cron can name seconds):
    /// what the outbox deduplicates on.
    pub fn key(&self) -> String {
        // Written field by field: a strftime pattern is parsed anew on every call, and
        // planning a large roster builds hundreds of thousands of keys.
        let t = self.local.naive_local();
        format!(
            "{}|{}|{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.source.key(),
            self.recipient.key(),
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }

    pub fn kind(&self) -> MessageKind {
        self.source.kind()
    }

    /// The integration sprint (1–4) it is sent in, if any.
    pub fn sprint_week(&self) -> Option<u32> {
        (self.program_week <= super::program::SPRINT_WEEKS).then_some(self.program_week)
    }
}
