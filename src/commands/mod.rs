//! Slash commands: one file per command. Each takes what the rep typed and answers with the
//! reply they see; Slack's transport (HTTP or Socket Mode) stays outside.

pub mod clicks;
pub mod commit;
pub mod practice;
pub mod render;
pub mod sko;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::GrammarError;
use crate::domain::message::Button;
use crate::domain::program::{Person, Program};
use crate::reload::Reloader;
use crate::store::Store;

/// Every slash command the bot answers; `manifest.yml` must declare exactly these.
pub const COMMANDS: &[&str] = &["/commit", "/practice", "/sko"];

/// One slash command as a rep sent it.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub command: String,
    pub user_id: String,
    pub text: String,
}

/// What the rep sees (an ephemeral message in Slack's mrkdwn, with any buttons under it),
/// and anyone else to tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    pub buttons: Vec<Button>,
    pub notices: Vec<Notice>,
}

/// A direct message to someone else because of what the rep did (a partner told of a pause).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub to: String,
    pub text: String,
}

impl Reply {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            buttons: Vec::new(),
            notices: Vec::new(),
        }
    }
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

/// Runs one slash command. `Err` is for failures on our side (logged, apologised for);
/// a rep's mistake is an `Ok` reply that says what to do.
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

pub async fn run(ctx: &Context<'_>, now: DateTime<Utc>, inv: &Invocation) -> anyhow::Result<Reply> {
    let (store, program) = (ctx.store, ctx.program);
    let caller = caller(program, &inv.user_id, now);
    let reply = match inv.command.as_str() {
        "/commit" => commit::run(store, program, &caller, &inv.text).await?,
        "/practice" => practice::run(store, program, &caller, &inv.text).await?,
        "/sko" => sko::run(ctx, &caller, &inv.text).await?,
        other => Reply::new(format!(
            "I don't handle `{}`. Try `/commit help` or `/practice help`.",
            crate::domain::commitment::truncate(other, 32)
        )),
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

fn grammar_reply(err: GrammarError) -> Reply {
    Reply::new(format!("{}\nFor example: `{}`", err.problem, err.example))
}

/// Shown instead of an internal error: short, honest, and says nothing was half-saved.
pub const APOLOGY: &str = "Sorry, something went wrong on our side and nothing was saved. Please try again in a minute; if it keeps happening, tell your enablement admin.";
