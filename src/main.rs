//! The `sko-reinforce` command line: parse arguments, load the config, hand over to the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sko_reinforce::app::Application;
use sko_reinforce::clock::SystemClock;
use sko_reinforce::config::{Config, Secrets};
use sko_reinforce::reload::Reloader;
use sko_reinforce::telemetry;

#[derive(Parser)]
#[command(
    version,
    about = "Turns a Sales Kickoff into 90 days of practised behaviour, in Slack"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: Slack listener until SIGTERM or SIGINT.
    Serve {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
    /// Preview the program: every message each person would receive, in simulated time.
    Simulate {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
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
    },
    /// Write the program's data as CSV to standard output.
    Export {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
        #[arg(long, value_enum)]
        what: sko_reinforce::export::What,
    },
    /// Check a config file and say what is wrong with it.
    CheckConfig {
        #[arg(long, default_value = "config.toml")]
        config: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Jsonl,
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Simulate {
            config,
            from,
            days,
            format,
            sample_activity,
            charts,
        } => {
            let config = match Config::load(&config) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            // People listed only by email are found by the stand-in for Slack, and shown by name.
            let program = &sko_reinforce::simulate::with_everyone_found(&config.program);
            let from = from.unwrap_or(program.settings.kickoff);
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime starts");
            if let Some(dir) = &charts
                && let Err(e) = std::fs::create_dir_all(dir)
            {
                eprintln!("--charts {}: cannot create the folder ({e})", dir.display());
                return ExitCode::FAILURE;
            }
            let preview = sko_reinforce::simulate::Preview {
                from,
                days,
                sample_activity,
                charts,
            };
            match format {
                // Written as it goes: a large program's preview is never held whole.
                Format::Jsonl => {
                    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
                    let run = sko_reinforce::simulate::run_into(
                        program,
                        &config.sender,
                        &preview,
                        |messages| Ok(sko_reinforce::simulate::jsonl(&messages, &mut out)?),
                    );
                    match runtime.block_on(run).and_then(|()| Ok(out.flush()?)) {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
                        Err(e) => {
                            eprintln!("error: {e:#}");
                            ExitCode::FAILURE
                        }
                    }
                }
                // A calendar a week, with its counts first: read whole, then written.
                Format::Text => {
                    let run = sko_reinforce::simulate::run(program, &config.sender, &preview);
                    match runtime.block_on(run) {
                        Ok(messages) => write_stdout(|out| {
                            sko_reinforce::simulate::text(program, from, days, &messages, out)
                        }),
                        Err(e) => {
                            eprintln!("error: {e:#}");
                            ExitCode::FAILURE
                        }
                    }
                }
            }
        }
        Command::Export { config, what } => {
            let config = match Config::load(&config) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a tokio runtime starts");
            let exported = runtime.block_on(async {
                let store = sko_reinforce::store::Store::open(&config.database.url).await?;
                sko_reinforce::export::write(
                    &store,
                    &config.program,
                    what,
                    std::io::stdout().lock(),
                )
                .await
            });
            match exported {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::CheckConfig { config } => match Config::load(&config) {
            Ok(c) => write_stdout(|out| {
                let p = &c.program;
                let by_email = match p.not_found().count() {
                    0 => String::new(),
                    n => format!(" ({n} in {} to be found in Slack by email)", p.roster_file),
                };
                writeln!(
                    out,
                    "{}: ok — \"{}\", kickoff {}, {} people{by_email}, {} skills, {} triggers",
                    config.display(),
                    p.settings.name,
                    p.settings.kickoff,
                    p.people.len() + p.not_found().count(),
                    p.skills.len(),
                    p.triggers.len()
                )
            }),
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        },
        Command::Serve { config: path } => {
            let config = match Config::load(&path) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::FAILURE;
                }
            };
            telemetry::init(&config.log);
            let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
            match runtime.block_on(serve(config)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

/// Writes to standard output through a buffer. A reader that went away (`… | head`) ends the
/// command quietly: what it wanted it has.
fn write_stdout(
    write: impl FnOnce(&mut std::io::BufWriter<std::io::StdoutLock<'static>>) -> std::io::Result<()>,
) -> ExitCode {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write to standard output: {e}");
            ExitCode::FAILURE
        }
    }
}

fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
    })
}

async fn serve(config: Config) -> anyhow::Result<()> {
    // Handlers first: a stop asked for while starting must not kill the process outright.
    let stop = stop_signal()?;
    let app = Application::build(config, Secrets::from_env(), Arc::new(SystemClock)).await?;
    reload_on_sighup(app.reloader())?;
    app.reloader().watch_files();
    app.run_until_stopped(stop).await
}

/// SIGHUP re-reads the config file; one that fails validation is refused (and logged) and the
/// program in force stays.
#[cfg(unix)]
fn reload_on_sighup(reloader: Reloader) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup())?;
    tokio::spawn(async move {
        while hangup.recv().await.is_some() {
            // Both outcomes are logged by the reloader.
            let _ = reloader.reload_file_retrying().await;
        }
    });
    Ok(())
}

#[cfg(not(unix))]
fn reload_on_sighup(_: Reloader) -> anyhow::Result<()> {
    Ok(())
}

/// SIGINT (Ctrl-C) or SIGTERM (systemd, Kubernetes) asks for a graceful stop. The handlers
/// are installed when this is called, not when the future is first polled.
#[cfg(unix)]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("stop requested; finishing in-flight work");
    })
}

#[cfg(not(unix))]
fn stop_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("stop requested; finishing in-flight work");
    })
}
