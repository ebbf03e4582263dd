//! `serve`: the bot, until SIGTERM or SIGINT; SIGHUP reloads the config.

use std::process::ExitCode;
use std::sync::Arc;

use sko_reinforce::app::Application;
use sko_reinforce::clock::SystemClock;
use sko_reinforce::config::{Config, Secrets};
use sko_reinforce::reload::Reloader;
use sko_reinforce::telemetry;

pub fn run(config: Config) -> ExitCode {
    telemetry::init(&config.log);
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime starts");
    super::finish(runtime.block_on(serve(config)))
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
