//! Putting a re-read config's program in force without a restart (SIGHUP, `/sko reload`, or
//! an edit of the config file, its `roster.csv` or its opportunities).

use crate::store::RosterStore;
use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::{Config, LiveProgram};
use crate::domain::program::Program;
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
    pub async fn apply(&self, config: &Config) -> anyhow::Result<Arc<Program>> {
        let found = self.store.found_by_email().await?;
        let program = Arc::new(config.program.with_slack_ids(&found));
        self.store
            .sync_roster(&program.people, self.clock.now())
            .await?;
        self.program.store(program.clone());
        tracing::info!(
            program = %program.settings.name,
            people = program.people.len(),
            not_found_yet = program.not_found().count(),
            triggers = program.triggers.len(),
            "config reloaded; server, slack, database and sender settings apply at the next restart"
        );
        Ok(program)
    }

    /// Re-reads the config file and puts it in force. `Err` says why not; the program in
    /// force then stays.
    pub async fn reload_file(&self) -> Result<String, NotReloaded> {
        let Some(path) = &self.path else {
            return Err(NotReloaded::Rejected(
                "this bot was not started from a config file, so there is nothing to re-read"
                    .into(),
            ));
        };
        let config = Config::load(path).map_err(|e| {
            tracing::error!(problems = %e.for_logs(), "config rejected on reload; the program in force stays");
            NotReloaded::Rejected(e.to_string())
        })?;
        let p = self.apply(&config).await.map_err(|e| {
            tracing::error!(error = %format_args!("{e:#}"), "config reload failed; the program in force stays until it is tried again");
            NotReloaded::NotSaved
        })?;
        let waiting = match p.not_found().count() {
            0 => String::new(),
            n => format!(" ({n} from {} not found in Slack yet)", p.roster_file),
        };
        Ok(format!(
            "{}: {} people{waiting}, {} skills, {} triggers",
            p.settings.name,
            p.people.len(),
            p.skills.len(),
            p.triggers.len()
        ))
    }

    /// As [`Reloader::reload_file`], trying again a few times, a second apart and then longer,
    /// while the new program could not be saved: an edit or a SIGHUP is never dropped because
    /// the database was busy.
    pub async fn reload_file_retrying(&self) -> Result<String, NotReloaded> {
        let mut wait = std::time::Duration::from_secs(1);
        loop {
            match self.reload_file().await {
                Err(NotReloaded::NotSaved) if wait <= RETRY_AT_MOST => {
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
                outcome => return outcome,
            }
        }
    }
}

/// Why a reload did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotReloaded {
    /// The file has mistakes (what to fix); the program in force stays until it is fixed.
    Rejected(String),
    /// The new program could not be saved; trying again may work.
    NotSaved,
}

/// The longest wait between tries of a reload that could not be saved (1, 2, 4, 8, 16 s).
const RETRY_AT_MOST: std::time::Duration = std::time::Duration::from_secs(16);

/// How often the config file, its `roster.csv` and its opportunities are checked for an edit.
const WATCH_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

impl Reloader {
    /// Reloads whenever the config file or the roster file in force is modified: an admin who
    /// saves a new export from the HR system sees it applied within seconds.
    pub fn watch_files(self) {
        tokio::spawn(async move {
            let mut seen = self.modified();
            let mut every = tokio::time::interval(WATCH_EVERY);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let now = self.modified();
                if now != seen {
                    tracing::info!("the config or roster file changed; reloading");
                    // Both outcomes are logged by the reloader. One that could not be saved
                    // is tried again at the next look, the file being still "changed".
                    if self.reload_file_retrying().await != Err(NotReloaded::NotSaved) {
                        seen = now;
                    }
                }
            }
        });
    }

    /// When each watched file was last modified (`None`: missing or unreadable).
    fn modified(&self) -> Vec<Option<std::time::SystemTime>> {
        let program = self.program.load();
        let beside = [&program.roster_file, &program.outcomes_file];
        let files = self.path.iter().cloned().chain(
            beside
                .into_iter()
                .filter(|f| !f.is_empty())
                .map(PathBuf::from),
        );
        files
            .map(|f| std::fs::metadata(f).and_then(|m| m.modified()).ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the watcher compares: the config's, the roster's and the opportunities'
    /// modification times.
    #[tokio::test]
    async fn an_edit_of_the_roster_or_the_opportunities_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("config.toml");
        let example =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"))
                .unwrap();
        std::fs::write(
            &config_path,
            format!("{example}\n[outcomes]\ncsv = \"opportunities.csv\"\n"),
        )
        .unwrap();
        let deals = dir.path().join("opportunities.csv");
        std::fs::write(
            &deals,
            "id,name,owner_email,amount,created,closed,won\n1,A,aisha.khan@example.com,100,2027-01-12,,\n",
        )
        .unwrap();
        let roster = dir.path().join("people.example.csv");
        std::fs::copy(
            concat!(env!("CARGO_MANIFEST_DIR"), "/people.example.csv"),
            &roster,
        )
        .unwrap();
        let config = Config::load_with_env(&config_path, []).unwrap();
        let store = Store::open(
            &format!("sqlite://{}", dir.path().join("s.db").display())
                .parse()
                .unwrap(),
        )
        .await
        .unwrap();
        let reloader = Reloader {
            program: Arc::new(arc_swap::ArcSwap::new(config.program.clone())),
            store,
            clock: Arc::new(crate::clock::SystemClock),
            path: Some(config_path),
        };
        let before = reloader.modified();
        assert_eq!(
            before.len(),
            3,
            "the config, its roster and its opportunities are watched"
        );
        assert!(before.iter().all(Option::is_some));
        let file = std::fs::File::options().append(true).open(&deals).unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_ne!(reloader.modified()[2], before[2], "a new export is seen");
        let before = reloader.modified();
        // A new export saved over the file: a later modification time.
        let file = std::fs::File::options().append(true).open(&roster).unwrap();
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_ne!(reloader.modified(), before);
        std::fs::remove_file(&roster).unwrap();
        assert_eq!(
            reloader.modified()[1],
            None,
            "a missing roster is a change too"
        );
    }
}
