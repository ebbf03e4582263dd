//! One typed configuration, in layers: defaults → TOML file → `SKO__SECTION__KEY` environment
//! variables (environment wins). Unknown keys are errors that name the key. Secrets never come
//! from here: see [`Secrets`].

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use secrecy::SecretString;
use serde::Deserialize;

mod layers;
mod web;

use layers::{apply_env, dates_to_strings, line_col, refuse_secrets, source_of};
pub use web::WebConfig;

use crate::domain::absence::AbsenceRules;
use crate::domain::outcomes::{Opportunity, OutcomesConfig, parse_opportunities_csv};
use crate::domain::people::parse_roster_csv;
use crate::domain::program::{
    Calendar, Checkins, Checkpoint, CronExpr, Digest, Pair, Pairing, Person, Program,
    ProgramSettings, RosterEntry, Skill, Sprint, Trigger, Wins,
};
use crate::domain::reinforcement::{Question, Reinforcement};
use crate::store::DatabaseUrl;

/// The program in force, swapped whole when the config is reloaded; readers take a snapshot.
pub type LiveProgram = Arc<arc_swap::ArcSwap<Program>>;

#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub slack: SlackConfig,
    pub database: DatabaseConfig,
    pub log: LogConfig,
    pub sender: SenderConfig,
    /// `[web]`: the report on the web, when set.
    pub web: Option<WebConfig>,
    pub program: Arc<Program>,
    /// The file it was read from, for reloading.
    pub source: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    #[serde(deserialize_with = "socket_addr")]
    pub listen: SocketAddr,
    /// Requests larger than this get 413; Slack's own payloads are a few KB.
    pub max_body_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            max_body_bytes: 64 * 1024,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlackMode {
    Http,
    Socket,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlackConfig {
    pub mode: SlackMode,
    #[serde(deserialize_with = "http_url")]
    pub api_base_url: url::Url,
}

impl Default for SlackConfig {
    fn default() -> Self {
        Self {
            mode: SlackMode::Http,
            api_base_url: url::Url::parse("https://slack.com/api").expect("Slack's API is a URL"),
        }
    }
}

impl SlackConfig {
    /// The base URL as slack-morphism wants it: no trailing slash.
    pub fn api_base(&self) -> &str {
        self.api_base_url.as_str().trim_end_matches('/')
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Shown (and `Debug`-printed) without its password.
    pub url: DatabaseUrl,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: "sqlite://sko-reinforce.db"
                .parse()
                .expect("the default database URL parses"),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `sko_reinforce=debug,info`.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: "info".into(),
        }
    }
}

/// How scheduled messages are delivered.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SenderConfig {
    /// Messages a second across the whole workspace (Slack allows about one a second per
    /// channel, plus a workspace-wide limit).
    pub rate_per_second: f64,
    /// Occurrences missed while the bot was down are still sent if at most this late.
    pub grace_minutes: i64,
    /// Tries before a message is parked as failed.
    pub max_attempts: u32,
    /// A Slack call taking longer than this counts as failed and is retried.
    pub timeout_seconds: u64,
    /// First retry after a 5xx or timeout; doubles each time, up to an hour.
    pub retry_base_seconds: u64,
    /// How often the scheduler looks for due messages; 0 runs it only on demand (tests).
    pub tick_seconds: u64,
}

impl Default for SenderConfig {
    fn default() -> Self {
        Self {
            rate_per_second: 5.0,
            grace_minutes: 120,
            max_attempts: 6,
            timeout_seconds: 10,
            retry_base_seconds: 30,
            tick_seconds: 1,
        }
    }
}

fn socket_addr<'de, D: serde::Deserializer<'de>>(d: D) -> Result<SocketAddr, D::Error> {
    let raw = String::deserialize(d)?;
    raw.trim().parse().map_err(|_| {
        serde::de::Error::custom(format!(
            "`{raw}` is not an address; use host:port, e.g. 127.0.0.1:3000"
        ))
    })
}

/// An http(s) URL: Slack's Web API, or a fake Slack in tests.
fn http_url<'de, D: serde::Deserializer<'de>>(d: D) -> Result<url::Url, D::Error> {
    let raw = String::deserialize(d)?;
    url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "https" | "http") && u.has_host())
        .ok_or_else(|| {
            serde::de::Error::custom(format!("`{raw}` is not a URL; use https://slack.com/api"))
        })
}

/// The file as written; split into [`Config`] once it has been checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    server: ServerConfig,
    #[serde(default)]
    slack: SlackConfig,
    #[serde(default)]
    database: DatabaseConfig,
    #[serde(default)]
    log: LogConfig,
    #[serde(default)]
    sender: SenderConfig,
    #[serde(default)]
    web: Option<WebConfig>,
    program: ProgramSettings,
    #[serde(default)]
    calendars: Vec<Calendar>,
    #[serde(default)]
    sprints: Vec<Sprint>,
    #[serde(default)]
    skills: Vec<Skill>,
    #[serde(default)]
    checkpoints: Vec<Checkpoint>,
    #[serde(default)]
    people: Vec<Person>,
    #[serde(default)]
    roster: RosterConfig,
    #[serde(default)]
    absence: AbsenceRules,
    #[serde(default)]
    wins: Wins,
    #[serde(default)]
    pairs: Vec<Pair>,
    #[serde(default)]
    pairing: Pairing,
    #[serde(default)]
    triggers: Vec<Trigger>,
    #[serde(default = "default_checkins")]
    checkins: Checkins,
    #[serde(default = "default_digest")]
    digest: Digest,
    #[serde(default)]
    questions: Vec<Question>,
    #[serde(default)]
    reinforcement: Reinforcement,
    #[serde(default)]
    outcomes: OutcomesConfig,
}

/// `[roster]`: where the people are kept besides (or instead of) `[[people]]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RosterConfig {
    /// A CSV file, relative to the config file.
    csv: Option<String>,
}

fn default_checkins() -> Checkins {
    Checkins {
        cron: cron("0 0 10 * * Tue"), // 10:00 every Tuesday, recipient's time
        text: "Time for your weekly check-in, {pair}: 30 minutes, one real deal each.".into(),
    }
}

fn default_digest() -> Digest {
    Digest {
        cron: cron("0 0 8 * * Mon"), // 08:00 every Monday, the manager's time
    }
}

fn cron(expr: &str) -> CronExpr {
    expr.parse().expect("built-in cron expressions parse")
}

/// What is wrong with a configuration: where (file or variable, key path) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The message quotes a file's cell (an amount, an account) that must stay out of logs.
    pub private: bool,
    /// The file, or `environment variable SKO__…`, the value came from.
    pub source: String,
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.path.is_empty() {
                write!(f, "{}: {}", p.source, p.message)?;
            } else {
                write!(f, "{}: {}: {}", p.source, p.path, p.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

impl ConfigError {
    /// The problems as logs may keep them: where each is, and what, except for a private
    /// file's cell values, which only `check-config` and the admin's `/sko reload` show.
    pub fn for_logs(&self) -> String {
        let kept: Vec<Problem> = self
            .problems
            .iter()
            .map(|p| Problem {
                message: if p.private {
                    "a bad value (run check-config to see it)".into()
                } else {
                    p.message.clone()
                },
                ..p.clone()
            })
            .collect();
        ConfigError { problems: kept }.to_string()
    }
}

const ENV_PREFIX: &str = "SKO__";

impl ConfigError {
    fn one(source: &str, path: &str, message: impl Into<String>) -> Self {
        Self {
            problems: vec![Problem {
                private: false,
                source: source.into(),
                path: path.into(),
                message: message.into(),
            }],
        }
    }
}

impl Config {
    /// Loads `path` with the process environment layered on top.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Self::load_with_env(path, std::env::vars())
    }

    pub fn load_with_env(
        path: &Path,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let source = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::one(&source, "", format!("cannot read the file ({e}); pass the path to your config, e.g. --config config.toml"))
        })?;
        let mut config = Self::parse(&text, &source, env)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses TOML `text` (named `source` in errors) with `env` layered on top.
    pub fn parse(
        text: &str,
        source: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| {
            let path = e
                .span()
                .map(|s| line_col(text, s.start))
                .unwrap_or_default();
            ConfigError::one(source, &path, e.message().trim().to_string())
        })?;
        let overridden = apply_env(&mut table, env)?;
        refuse_secrets(&table, source, &overridden)?;
        let mut value = toml::Value::Table(table);
        dates_to_strings(&mut value);

        let file: ConfigFile = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let from = source_of(&path, source, &overridden);
            ConfigError::one(&from, &path, e.into_inner().message().trim().to_string())
        })?;
        // Config files get committed and shared: a password belongs in the environment.
        if file.database.url.has_password()
            && source_of("database.url", source, &overridden) == source
        {
            return Err(ConfigError::one(
                source,
                "database.url",
                "the database password is never read from the config: remove it there and set PGPASSWORD, or the whole URL as SKO__DATABASE__URL, in the environment",
            ));
        }
        file.into_config(source)
    }
}

impl ConfigFile {
    fn into_config(self, source: &str) -> Result<Config, ConfigError> {
        let (roster, roster_file) = match &self.roster.csv {
            Some(csv) => {
                let path = Path::new(source)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(csv);
                (read_roster(&path)?, path.display().to_string())
            }
            None => (Vec::new(), String::new()),
        };
        let (opportunities, outcomes_file) = match &self.outcomes.csv {
            Some(csv) => {
                let path = Path::new(source)
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(csv);
                (
                    read_opportunities(&path, &self.outcomes.columns)?,
                    path.display().to_string(),
                )
            }
            None => (Vec::new(), String::new()),
        };
        let program = Program {
            settings: self.program,
            calendars: self.calendars,
            sprints: self.sprints,
            skills: self.skills,
            checkpoints: self.checkpoints,
            people: self.people,
            roster,
            roster_file: roster_file.clone(),
            absence: self.absence,
            wins: self.wins,
            pairs: self.pairs,
            pairing: self.pairing,
            triggers: self.triggers,
            checkins: self.checkins,
            digest: self.digest,
            questions: self.questions,
            reinforcement: self.reinforcement,
            opportunities,
            outcomes_file,
            people_at: Default::default(),
        }
        .with_slack_ids(&Default::default());
        let mut problems: Vec<Problem> = program
            .validate()
            .into_iter()
            .map(|i| Problem {
                private: false,
                source: match i.line {
                    Some(line) => format!("{roster_file}:{line}"),
                    None => source.into(),
                },
                path: i.path,
                message: i.message,
            })
            .collect();
        let mut problem = |path: &str, message: String| {
            problems.push(Problem {
                private: false,
                source: source.into(),
                path: path.into(),
                message,
            })
        };
        if self.server.max_body_bytes < 1024 {
            problem(
                "server.max_body_bytes",
                "Slack's payloads need at least 1024 bytes; 65536 is a good value".into(),
            );
        }
        let sender = &self.sender;
        if !(sender.rate_per_second > 0.0 && sender.rate_per_second <= 100.0) {
            problem(
                "sender.rate_per_second",
                format!(
                    "{} is not a usable rate; use a number of messages a second from 0.1 to 100 (5 is safe)",
                    sender.rate_per_second
                ),
            );
        }
        if !(0..=24 * 60).contains(&sender.grace_minutes) {
            problem(
                "sender.grace_minutes",
                format!(
                    "{} minutes is not a grace window; use 0 to 1440 (120 is usual)",
                    sender.grace_minutes
                ),
            );
        }
        if sender.max_attempts == 0 || sender.timeout_seconds == 0 || sender.retry_base_seconds == 0
        {
            problem(
                "sender",
                "max_attempts, timeout_seconds and retry_base_seconds must be at least 1".into(),
            );
        }
        if tracing_subscriber::EnvFilter::try_new(&self.log.level).is_err() {
            problem(
                "log.level",
                format!(
                    "`{}` is not a log filter; use error, warn, info, debug or trace",
                    self.log.level
                ),
            );
        }
        for (key, text) in self.web.iter().flat_map(WebConfig::problems) {
            problem(key, text);
        }
        if !problems.is_empty() {
            return Err(ConfigError { problems });
        }
        Ok(Config {
            server: self.server,
            slack: self.slack,
            database: self.database,
            log: self.log,
            sender: self.sender,
            web: self.web,
            program: Arc::new(program),
            source: None,
        })
    }
}

/// The rows of `roster.csv`, or every problem in it, each named `file:line`.
fn read_roster(path: &Path) -> Result<Vec<RosterEntry>, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::one(
            &file,
            "",
            format!("cannot read the roster ({e}); roster.csv is relative to the config file"),
        )
    })?;
    parse_roster_csv(&text).map_err(|problems| ConfigError {
        problems: problems
            .into_iter()
            .map(|p| Problem {
                private: false,
                source: format!("{file}:{}", p.line),
                path: p.column.unwrap_or_default().into(),
                message: p.message,
            })
            .collect(),
    })
}

/// Reads the `[outcomes]` file: all of it, or an error naming each bad row's line and column,
/// so a bad export never replaces the one in force.
fn read_opportunities(
    path: &Path,
    columns: &std::collections::HashMap<String, String>,
) -> Result<Vec<Opportunity>, ConfigError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        ConfigError::one(
            &file,
            "",
            format!(
                "cannot read the opportunities ({e}); [outcomes] csv is relative to the config file"
            ),
        )
    })?;
    parse_opportunities_csv(&text, columns).map_err(|problems| ConfigError {
        problems: problems
            .into_iter()
            .map(|p| Problem {
                private: true,
                source: format!("{file}:{}", p.line),
                path: p.column.unwrap_or_default().into(),
                message: p.message,
            })
            .collect(),
    })
}

/// The secrets, read from the environment only; their `Debug` prints nothing of them.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub signing_secret: Option<SecretString>,
    pub bot_token: Option<SecretString>,
    pub app_token: Option<SecretString>,
    /// `SLACK_CLIENT_SECRET`: the web report's sign-in exchanges codes with it.
    pub client_secret: Option<SecretString>,
}

impl Secrets {
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(SecretString::from)
        };
        Self {
            signing_secret: var("SLACK_SIGNING_SECRET"),
            bot_token: var("SLACK_BOT_TOKEN"),
            app_token: var("SLACK_APP_TOKEN"),
            client_secret: var("SLACK_CLIENT_SECRET"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
[program]
name = "SKO"
kickoff = 2027-01-11
timezone = "America/New_York"
"#;

    fn parse(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::parse(
            text,
            "sko.toml",
            env.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    fn error(text: &str, env: &[(&str, &str)]) -> String {
        parse(text, env).unwrap_err().to_string()
    }

    #[test]
    fn defaults_fill_what_the_file_leaves_out() {
        let c = parse(MINIMAL, &[]).unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.slack.mode, SlackMode::Http);
        assert_eq!(c.database.url.expose(), "sqlite://sko-reinforce.db");
        assert_eq!(c.program.settings.days, 90);
        assert_eq!(c.program.settings.working_days.len(), 5);
    }

    #[test]
    fn environment_wins_over_the_file() {
        let text = format!("{MINIMAL}\n[server]\nlisten = \"0.0.0.0:80\"\n");
        let c = parse(
            &text,
            &[
                ("SKO__SERVER__LISTEN", "127.0.0.1:0"),
                ("SKO__SLACK__MODE", "socket"),
                ("SKO__SLACK__API_BASE_URL", "http://127.0.0.1:9/api/"),
                ("SKO__PROGRAM__KICKOFF", "2027-02-01"),
                ("SKO__PROGRAM__DAYS", "60"),
                ("UNRELATED", "x"),
            ],
        )
        .unwrap();
        assert_eq!(c.server.listen.to_string(), "127.0.0.1:0");
        assert_eq!(c.slack.mode, SlackMode::Socket);
        assert_eq!(c.slack.api_base(), "http://127.0.0.1:9/api");
        assert_eq!(c.program.settings.kickoff.to_string(), "2027-02-01");
        assert_eq!(c.program.settings.days, 60);
    }

    #[test]
    fn errors_name_the_source_the_key_and_the_fix() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: [Case; 11] = [
            (
                &MINIMAL.replace("2027-01-11", "\"11/01/2027\""),
                &[],
                "sko.toml: program.kickoff: expected a date like 2027-01-11",
            ),
            (
                &MINIMAL.replace("America/New_York", "Mars/Olympus"),
                &[],
                "sko.toml: program.timezone: `Mars/Olympus` is not an IANA timezone",
            ),
            (
                &format!("{MINIMAL}\n[server]\nlisen = \"x\""),
                &[],
                "sko.toml: server.lisen: unknown field `lisen`, expected `listen`",
            ),
            (
                &format!(
                    "{MINIMAL}\n[[triggers]]\nname = \"t\"\ncron = \"0 9 * * Mon\"\naudience = \"reps\"\ntext = \"hi\""
                ),
                &[],
                "sko.toml: triggers[0].cron: `0 9 * * Mon` is not a cron expression",
            ),
            (
                &format!("{MINIMAL}\n[[people]]\nslack_id = \"U1\"\nrole = \"rep\""),
                &[],
                "people[0].slack_id: `U1` is not a Slack user id",
            ),
            (
                MINIMAL,
                &[("SKO__SLACK__MODE", "carrier-pigeon")],
                "environment variable SKO__SLACK__MODE: slack.mode: unknown variant `carrier-pigeon`",
            ),
            (
                &MINIMAL.replace("[program]", "[program]\npressure_at = \"9am\""),
                &[],
                "sko.toml: program.pressure_at: `9am` is not a time of day; use HH:MM",
            ),
            (
                &format!("{MINIMAL}\n[[checkpoints]]\nday = 30\nat = \"25:00\"\ntext = \"t\""),
                &[],
                "sko.toml: checkpoints[0].at: `25:00` is not a time of day",
            ),
            (
                MINIMAL,
                &[("SKO__SLACK__API_BASE_URL", "ftp://slack.example")],
                "environment variable SKO__SLACK__API_BASE_URL: slack.api_base_url: `ftp://slack.example` is not a URL",
            ),
            (
                MINIMAL,
                &[("SKO__SERVER__LISTEN", "nowhere")],
                "environment variable SKO__SERVER__LISTEN: server.listen: `nowhere` is not an address",
            ),
            ("[program\nname=", &[], "sko.toml: line 1"),
        ];
        for (text, env, expected) in cases {
            let got = error(text, env);
            assert!(got.contains(expected), "expected {expected:?} in {got:?}");
        }
    }

    #[test]
    fn every_mistake_in_the_questions_is_named_by_question_and_key() {
        let text = format!(
            r#"{MINIMAL}
[[skills]]
id = "discovery"
name = "Discovery"
rubric = [{{ criterion = "Pain", good = "x" }}]

[reinforcement]
per_day = 4

[[questions]]
id = "d1"
skill = "discovery"
prompt = "Which question first?"
choices = ["Pain", "Budget"]
correct = "pain"

[[questions]]
id = "d1"
skill = "pricing"
prompt = "Again?"
choices = ["Only one"]
correct = "Only one"
"#
        );
        let got = error(&text, &[]);
        for expected in [
            "sko.toml: reinforcement.per_day: 4 a day is not allowed; use 1 to 3",
            "sko.toml: questions[0].correct: question `d1`: `pain` is not one of its choices",
            "sko.toml: questions[1].id: question `d1` is defined twice",
            "sko.toml: questions[1].skill: question `d1`: unknown skill `pricing`; use one of the skills' ids: discovery",
            "sko.toml: questions[1].choices: question `d1`: 1 choices; give 2 to 5",
        ] {
            assert!(got.contains(expected), "expected {expected:?} in {got}");
        }
    }

    #[test]
    fn a_broken_opportunities_file_keeps_its_values_out_of_logs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sko.toml");
        std::fs::write(
            &path,
            format!("{MINIMAL}\n[outcomes]\ncsv = \"deals.csv\"\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("deals.csv"),
            "id,name,owner_email,amount,created,closed,won\n1,Secret deal,a@example.com,987654x,2027-01-12,,\n",
        )
        .unwrap();
        let e = Config::load_with_env(&path, []).unwrap_err();
        assert!(
            e.to_string()
                .contains("deals.csv:2: amount: `987654x` is not an amount"),
            "{e}"
        );
        let logged = e.for_logs();
        assert!(
            logged.contains("deals.csv:2: amount: a bad value (run check-config to see it)")
                && !logged.contains("987654"),
            "{logged}"
        );
    }

    #[test]
    fn a_missing_section_is_named() {
        assert!(error("", &[]).contains("missing field `program`"));
    }

    #[test]
    fn roster_references_are_checked() {
        let text = format!(
            "{MINIMAL}
[[people]]
slack_id = \"U0REP1\"
role = \"rep\"
manager = \"U0NOBODY\"
[[pairs]]
members = [\"U0REP1\"]
"
        );
        let got = error(&text, &[]);
        assert!(
            got.contains("people[0].manager: U0NOBODY is not in [[people]]"),
            "{got}"
        );
        assert!(
            got.contains("pairs[0].members: a pair has two members"),
            "{got}"
        );
    }

    #[test]
    fn a_secret_in_the_config_is_refused_without_being_echoed() {
        let got = error(
            &format!("{MINIMAL}\n[slack]\nbot_token = \"xoxb-leaked-123\""),
            &[],
        );
        assert_eq!(
            got,
            "sko.toml: slack.bot_token: secrets are never read from the config: remove it there and set SLACK_BOT_TOKEN in the environment"
        );
        let got = error(MINIMAL, &[("SKO__SLACK__SIGNING_SECRET", "s3cr3t-value")]);
        assert!(
            got.starts_with("environment variable SKO__SLACK__SIGNING_SECRET: slack.signing_secret: secrets are never read from the config: remove it there and set SLACK_SIGNING_SECRET"),
            "{got}"
        );
        assert!(!got.contains("s3cr3t-value"));
        let got = error(
            &format!(
                "{MINIMAL}\n[web]\nbase_url = \"https://sko.example.com\"\nclient_id = \"1.2\"\nclient_secret = \"abc123leaked\""
            ),
            &[],
        );
        assert_eq!(
            got,
            "sko.toml: web.client_secret: secrets are never read from the config: remove it there and set SLACK_CLIENT_SECRET in the environment"
        );
    }

    #[test]
    fn the_web_reports_mistakes_are_named_by_key() {
        let got = error(
            &format!("{MINIMAL}\n[web]\nbase_url = \"sko.example.com\"\nclient_id = \"1.2\""),
            &[],
        );
        assert!(got.contains("web.base_url"), "{got}");
        let got = error(
            &format!("{MINIMAL}\n[web]\nbase_url = \"https://sko.example.com\"\nclient_id = \" \""),
            &[],
        );
        assert!(got.contains("web.client_id: empty"), "{got}");
    }

    #[test]
    fn a_postgres_url_selects_postgres_and_its_password_comes_from_the_environment() {
        let in_file = |url: &str| format!("{MINIMAL}\n[database]\nurl = \"{url}\"");
        let c = parse(&in_file("postgres://sko@db.internal:5432/sko"), &[]).unwrap();
        assert_eq!(
            c.database.url.expose(),
            "postgres://sko@db.internal:5432/sko"
        );

        let got = error(&in_file("postgres://sko:hunter2@db.internal/sko"), &[]);
        assert_eq!(
            got,
            "sko.toml: database.url: the database password is never read from the config: remove it there and set PGPASSWORD, or the whole URL as SKO__DATABASE__URL, in the environment"
        );
        let from_env = parse(
            MINIMAL,
            &[(
                "SKO__DATABASE__URL",
                "postgresql://sko:hunter2@db.internal/sko",
            )],
        )
        .unwrap();
        assert!(from_env.database.url.expose().starts_with("postgresql://"));
        assert!(
            !format!("{from_env:?}").contains("hunter2"),
            "no Debug of the config prints a password"
        );

        let got = error(
            MINIMAL,
            &[("SKO__DATABASE__URL", "mysql://sko:hunter2@db/sko")],
        );
        assert!(
            got.contains("database.url: `db/sko` is neither a SQLite nor a PostgreSQL URL"),
            "{got}"
        );
        assert!(!got.contains("hunter2"));
    }

    #[test]
    fn secrets_never_print() {
        let s = Secrets {
            signing_secret: Some(SecretString::from("very-secret-value")),
            ..Default::default()
        };
        assert!(!format!("{s:?}").contains("very-secret-value"));
    }
}
