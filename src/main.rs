//! The `sko-reinforce` command line: parse the arguments, load the config once, and hand over
//! to the command's module in `cli/`.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sko_reinforce::config::Config;

#[derive(Parser)]
#[command(
    version,
    about = "Turns a Sales Kickoff into 90 days of practised behaviour, in Slack"
)]
struct Cli {
    /// The program's config file.
    #[arg(long, global = true, default_value = "config.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: Slack listener until SIGTERM or SIGINT.
    Serve,
    /// Preview the program: every message each person would receive, in simulated time.
    Simulate(cli::simulate::Options),
    /// Write the program's data as CSV to standard output.
    Export {
        #[arg(long, value_enum)]
        what: sko_reinforce::export::What,
    },
    /// Check a config file and say what is wrong with it.
    CheckConfig,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(&cli.config) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Command::Serve => cli::serve::run(config),
        Command::Simulate(options) => cli::simulate::run(&config, options),
        Command::Export { what } => cli::export::run(&config, what),
        Command::CheckConfig => cli::check_config::run(&cli.config, &config),
    }
}
