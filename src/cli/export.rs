//! `export --what …`: the program's data as CSV on standard output.

use std::process::ExitCode;

use sko_reinforce::config::Config;
use sko_reinforce::export::{What, write};
use sko_reinforce::store::Store;

pub fn run(config: &Config, what: What) -> ExitCode {
    super::finish(super::runtime().block_on(async {
        let store = Store::open(&config.database.url).await?;
        write(&store, &config.program, what, std::io::stdout().lock()).await
    }))
}
