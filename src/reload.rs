//! Putting a re-read config's program in force without a restart (SIGHUP, `/sko reload`).

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{Config, LiveProgram};
use crate::store::Store;

#[derive(Clone)]
pub struct Reloader {
    pub program: LiveProgram,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The file the config came from; `None` when it was not read from one.
    pub path: Option<PathBuf>,
}

impl Reloader {
    /// Applies a config that has already passed validation: the roster is synced first, then
    /// the program is swapped whole. Server, Slack, database and sender settings are read at
    /// start-up only.
    pub async fn apply(&self, config: &Config) -> anyhow::Result<()> {
        self.store
            .sync_roster(&config.program.people, self.clock.now())
            .await?;
        self.program.store(config.program.clone());
        tracing::info!(
            program = %config.program.settings.name,
            people = config.program.people.len(),
            triggers = config.program.triggers.len(),
            "config reloaded; server, slack, database and sender settings apply at the next restart"
        );
        Ok(())
    }

    /// Re-reads the config file. `Err` carries what is wrong, for the person who asked; the
    /// program in force then stays.
    pub async fn reload_file(&self) -> Result<String, String> {
        let Some(path) = &self.path else {
            return Err(
                "this bot was not started from a config file, so there is nothing to re-read"
                    .into(),
            );
        };
        let config = Config::load(path).map_err(|e| {
            tracing::error!(problems = %e, "config rejected on reload; the program in force stays");
            e.to_string()
        })?;
        self.apply(&config).await.map_err(|e| {
            tracing::error!(error = %format_args!("{e:#}"), "config reload failed; the program in force stays");
            "the new program could not be saved; the one in force stays".to_string()
        })?;
        let p = &config.program;
        Ok(format!(
            "{}: {} people, {} skills, {} triggers",
            p.settings.name,
            p.people.len(),
            p.skills.len(),
            p.triggers.len()
        ))
    }
}
