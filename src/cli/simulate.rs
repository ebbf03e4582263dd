//! `simulate`: the preview of every message, as text (a calendar a week) or JSON lines.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use sko_reinforce::config::Config;
use sko_reinforce::simulate::{self, Preview};

#[derive(clap::Args)]
pub struct Options {
    /// First day to simulate (default: the kickoff).
    #[arg(long)]
    from: Option<chrono::NaiveDate>,
    /// How many days to simulate.
    #[arg(long, default_value_t = 90)]
    days: u32,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Add deterministic sample rep behaviour, so digests and reports show figures.
    #[arg(long)]
    sample_activity: bool,
    /// Write the digests' charts as PNG files into this folder (created if missing).
    #[arg(long, value_name = "DIR")]
    charts: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Jsonl,
}

pub fn run(config: &Config, options: Options) -> ExitCode {
    // People listed only by email are found by the stand-in for Slack, and shown by name.
    let program = &simulate::with_everyone_found(&config.program);
    if let Some(dir) = &options.charts
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("--charts {}: cannot create the folder ({e})", dir.display());
        return ExitCode::FAILURE;
    }
    let from = options.from.unwrap_or(program.settings.kickoff);
    let days = options.days;
    let preview = Preview {
        from,
        days,
        sample_activity: options.sample_activity,
        charts: options.charts,
    };
    let runtime = super::runtime();
    match options.format {
        // Written as it goes: a large program's preview is never held whole.
        Format::Jsonl => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            let run = simulate::run_into(program, &config.sender, &preview, |messages| {
                Ok(simulate::jsonl(&messages, &mut out)?)
            });
            super::finish(runtime.block_on(run).and_then(|()| Ok(out.flush()?)))
        }
        // A calendar a week, with its counts first: read whole, then written.
        Format::Text => match runtime.block_on(simulate::run(program, &config.sender, &preview)) {
            Ok(messages) => {
                super::write_stdout(|out| simulate::text(program, from, days, &messages, out))
            }
            Err(e) => super::finish(Err(e)),
        },
    }
}
