//! `check-config`: the config loaded (its problems were said before this), summed up.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use sko_reinforce::config::Config;

pub fn run(path: &Path, config: &Config) -> ExitCode {
    super::write_stdout(|out| {
        let p = &config.program;
        let by_email = match p.not_found().count() {
            0 => String::new(),
            n => format!(" ({n} in {} to be found in Slack by email)", p.roster_file),
        };
        writeln!(
            out,
            "{}: ok — \"{}\", kickoff {}, {} people{by_email}, {} skills, {} triggers, {} questions",
            path.display(),
            p.settings.name,
            p.settings.kickoff,
            p.people.len() + p.not_found().count(),
            p.skills.len(),
            p.triggers.len(),
            p.questions.len()
        )
    })
}
