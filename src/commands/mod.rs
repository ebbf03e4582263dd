//! What people can do, whatever they typed or clicked: one file per slash command, each with
//! the typed operations its buttons share (close a commitment, pause, answer a check-in), and
//! the views built from the store (the Home tab). Slack's transports and Block Kit stay in
//! `slack/`.

pub mod clicks;
pub mod coach;
pub mod commit;
pub mod home;
pub mod practice;
pub mod quiz;
pub mod render;
pub mod sko;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::GrammarError;
use crate::domain::message::Button;
use crate::domain::program::{Person, Program};
use crate::domain::schedule::{Occurrence, Recipient, Source};
use crate::reload::Reloader;
use crate::store::Store;

/// Every slash command the bot answers; `manifest.yml` declares exactly these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlashCommand {
    Commit,
    Practice,
    Coach,
    Sko,
}

impl SlashCommand {
    pub const ALL: [SlashCommand; 4] = [
        SlashCommand::Commit,
        SlashCommand::Practice,
        SlashCommand::Coach,
        SlashCommand::Sko,
    ];

    /// As typed in Slack and declared in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            SlashCommand::Commit => "/commit",
            SlashCommand::Practice => "/practice",
            SlashCommand::Coach => "/coach",
            SlashCommand::Sko => "/sko",
        }
    }

    pub fn parse(name: &str) -> Option<SlashCommand> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The answer to a command the bot does not have (an app whose manifest declares more).
pub fn unknown_command(name: &str) -> Reply {
    let helps: Vec<String> = SlashCommand::ALL
        .iter()
        .map(|c| format!("`{} help`", c.name()))
        .collect();
    Reply::new(format!(
        "I don't handle `{}`. Try {}.",
        crate::domain::commitment::truncate(name, 32),
        helps.join(", ")
    ))
}

/// One slash command as a rep sent it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub command: SlashCommand,
    pub user_id: String,
    pub text: String,
}

/// What the rep sees: an ephemeral message in Slack's mrkdwn, with any buttons under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    pub buttons: Vec<Button>,
}

impl Reply {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
        }
    }
}

/// Why an operation did not happen: the person's request cannot be done as asked (what to
/// tell them), or something failed on our side (logged; they get [`APOLOGY`]).
#[derive(Debug)]
pub enum Refusal {
    Declined(String),
    Failed(anyhow::Error),
}

impl Refusal {
    pub fn declined(why: impl Into<String>) -> Self {
        Refusal::Declined(why.into())
    }

    /// What the person is told; a failure is logged here, once.
    pub fn tell(self) -> String {
        match self {
            Refusal::Declined(why) => why,
            Refusal::Failed(e) => {
                tracing::error!(error = %format_args!("{e:#}"), "an operation failed");
                APOLOGY.to_string()
            }
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Refusal {
    fn from(e: E) -> Self {
        Refusal::Failed(e.into())
    }
}

/// Queues a direct message to `to` because of what someone did, through the outbox like every
/// message, so it keeps Slack's limits and survives a 429 or a restart. `why` names what
/// prompted it; with the instant it makes the notice's key, so the same ask at the same instant
/// queues one notice.
pub async fn notify(
    store: &Store,
    program: &Program,
    to: &str,
    why: &str,
    text: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let source = Source::Notice(format!("{why}:{}", now.timestamp_micros()));
    notify_as(store, program, to, source, text, now).await
}

/// As [`notify`], for a notice of its own kind (`source`), such as a rep told of coaching.
pub async fn notify_as(
    store: &Store,
    program: &Program,
    to: &str,
    source: Source,
    text: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let timezone = program
        .person(to)
        .and_then(|p| p.timezone)
        .unwrap_or(program.settings.timezone);
    let local = now.with_timezone(&timezone);
    let notice = Occurrence {
        source,
        recipient: Recipient::Person(to.to_string()),
        at: now,
        local: local.fixed_offset(),
        program_week: program
            .settings
            .program_week(local.date_naive())
            .unwrap_or(0),
    };
    store.request_post(&notice, Some(text), now).await?;
    Ok(())
}

/// What a command may use.
pub struct Context<'a> {
    pub store: &'a Store,
    pub program: &'a Program,
    pub reloader: &'a Reloader,
}

/// Who is asking, and what day it is where they are.
pub struct Caller<'a> {
    pub user_id: &'a str,
    pub person: Option<&'a Person>,
    pub timezone: Tz,
    pub now: DateTime<Utc>,
}

impl Caller<'_> {
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.timezone).date_naive()
    }
}

/// Who is asking, as seen from the program in force.
pub fn caller<'a>(program: &'a Program, user_id: &'a str, now: DateTime<Utc>) -> Caller<'a> {
    let person = program.person(user_id);
    Caller {
        user_id,
        person,
        timezone: person
            .and_then(|p| p.timezone)
            .unwrap_or(program.settings.timezone),
        now,
    }
}

/// Runs one slash command. `Err` is for failures on our side (logged, apologised for);
/// a rep's mistake is an `Ok` reply that says what to do.
pub async fn run(ctx: &Context<'_>, now: DateTime<Utc>, inv: &Invocation) -> anyhow::Result<Reply> {
    let (store, program) = (ctx.store, ctx.program);
    let caller = caller(program, &inv.user_id, now);
    let reply = match inv.command {
        SlashCommand::Commit => commit::run(store, program, &caller, &inv.text).await?,
        SlashCommand::Practice => practice::run(store, program, &caller, &inv.text).await?,
        SlashCommand::Coach => coach::run(store, program, &caller, &inv.text).await?,
        SlashCommand::Sko => sko::run(ctx, &caller, &inv.text).await?,
    };
    Ok(reply)
}

/// Tells someone outside the roster that their records are kept (the database adds them as
/// a person with their first record) but no prompts will come.
fn roster_note(caller: &Caller<'_>) -> Option<String> {
    caller.person.is_none().then(|| {
        format!(
        "_Saved under your Slack id. You're not in this program's roster yet, so prompts, a partner and your manager's digest won't reach you: ask your enablement admin to add `{}` to the config._",
        caller.user_id
    )
    })
}

/// A typed command's reply from an operation's outcome: a refusal is the reply, a failure
/// stays an error.
fn reply_from<T>(
    outcome: Result<T, Refusal>,
    said: impl FnOnce(T) -> String,
) -> anyhow::Result<Reply> {
    match outcome {
        Ok(done) => Ok(Reply::new(said(done))),
        Err(Refusal::Declined(why)) => Ok(Reply::new(why)),
        Err(Refusal::Failed(e)) => Err(e),
    }
}

fn grammar_reply(err: GrammarError) -> Reply {
    Reply::new(grammar_text(&err))
}

/// What is wrong with what was typed, and an example that works.
fn grammar_text(err: &GrammarError) -> String {
    format!("{}\nFor example: `{}`", err.problem, err.example)
}

/// Shown instead of an internal error: short, honest, and says nothing was half-saved.
pub const APOLOGY: &str = "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute; if it keeps happening, tell your enablement admin.";
