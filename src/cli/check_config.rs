//! `check-config`: the config loaded (its problems were said before this), summed up.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use sko_reinforce::config::Config;
use sko_reinforce::domain::outcomes::unknown_owners;

pub fn run(path: &Path, config: &Config) -> ExitCode {
    super::write_stdout(|out| {
        let p = &config.program;
        let by_email = match p.not_found().count() {
            0 => String::new(),
            n => format!(" ({n} in {} to be found in Slack by email)", p.roster_file),
        };
        // Deals whose owner the roster does not know are kept, and said: they count for no team.
        let emails: std::collections::HashSet<String> = p
            .people
            .iter()
            .filter_map(|person| person.email.as_deref())
            .chain(p.roster.iter().map(|e| e.email.as_str()))
            .map(str::to_ascii_lowercase)
            .collect();
        let unknown = unknown_owners(&p.opportunities, &emails);
        for o in unknown.iter().take(20) {
            writeln!(
                out,
                "warning: {}:{}: owner_email: {} is not in the roster; the deal counts for no team",
                p.outcomes_file, o.line, o.owner_email
            )?;
        }
        if unknown.len() > 20 {
            writeln!(
                out,
                "warning: … and {} more deals whose owner is not in the roster",
                unknown.len() - 20
            )?;
        }
        let deals = if p.outcomes_file.is_empty() {
            String::new()
        } else {
            format!(", {} opportunities", p.opportunities.len())
        };
        writeln!(
            out,
            "{}: ok — \"{}\", kickoff {}, {} people{by_email}, {} skills, {} triggers, {} questions{deals}",
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
