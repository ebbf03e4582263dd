//! The shipped `config.example.toml` is a complete, valid program, and `check-config` says
//! exactly what is wrong with a broken one, its roster or its opportunities file.

use std::process::Command;

use sko_reinforce::config::Config;
use sko_reinforce::domain::program::Role;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
const ROSTER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/people.example.csv");

#[test]
fn the_example_is_a_realistic_ninety_day_program() {
    let config = Config::load_with_env(EXAMPLE.as_ref(), []).expect("the example loads");
    // As a preview finds them: people listed in people.example.csv by email only, too.
    let p = &sko_reinforce::simulate::with_everyone_found(&config.program);
    let count = |role| p.people.iter().filter(|x| x.role == role).count();
    assert_eq!(
        (count(Role::Rep), count(Role::Manager), count(Role::Admin)),
        (14, 2, 1)
    );
    let focuses: Vec<&str> = p.sprints.iter().map(|s| s.focus.as_str()).collect();
    assert_eq!(
        focuses,
        ["Application", "Refinement", "Optimization", "Integration"]
    );
    let days: Vec<u32> = p.checkpoints.iter().map(|c| c.day).collect();
    assert_eq!(
        days,
        [1, 30, 60, 90],
        "the kickoff's baseline, then 30/60/90"
    );
    assert!((3..=4).contains(&p.skills.len()));
    assert!(p.skills.iter().all(|s| !s.rubric.is_empty()));
    assert_eq!(p.settings.days, 90);
    assert!(!p.settings.pressure_weeks.is_empty());
    assert_eq!(p.pairs.len(), 6);
    assert!(
        p.triggers.iter().any(|t| t.weeks.is_some()),
        "some triggers are scoped to sprint weeks"
    );
}

fn check_config(text: &str) -> (bool, String) {
    let roster = std::fs::read_to_string(ROSTER).unwrap();
    check_config_with_roster(text, &roster)
}

/// `check-config` on `text`, with `roster` as the `people.example.csv` beside it.
fn check_config_with_roster(text: &str, roster: &str) -> (bool, String) {
    check_config_with_files(text, &[("people.example.csv", roster)])
}

/// `check-config` on `text`, with `files` (name, contents) beside it.
fn check_config_with_files(text: &str, files: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, text).unwrap();
    for (name, contents) in files {
        std::fs::write(dir.path().join(name), contents).unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
        .args(["check-config", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn check_config_names_the_file_the_key_and_the_problem() {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let cases = [
        (
            example.replace("kickoff = 2027-01-11", "kickoff = \"next monday\""),
            "program.kickoff: expected a date like 2027-01-11",
        ),
        (
            example.replace("cron = \"0 0 16 * * Fri\"", "cron = \"every friday\""),
            "triggers[5].cron: `every friday` is not a cron expression",
        ),
        (
            example.replace(
                "manager = \"U0MGRWEST\"\nteam = \"West\"\ntimezone = \"America/Denver\"",
                "manager = \"U0GHOST\"\nteam = \"West\"\ntimezone = \"America/Denver\"",
            ),
            "people[11].manager: U0GHOST is not in [[people]]",
        ),
        (
            example.replace("[digest]", "[digest]\ncolour = \"blue\""),
            "digest.colour: unknown field `colour`",
        ),
    ];
    for (text, expected) in cases {
        let (ok, output) = check_config(&text);
        assert!(!ok, "{expected}");
        assert!(output.contains("broken.toml: "), "{output}");
        assert!(
            output.contains(expected),
            "expected {expected:?} in {output}"
        );
    }
    let (ok, output) = check_config(&example);
    assert!(ok, "{output}");
}

#[test]
fn check_config_names_the_roster_file_line_and_column() {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let roster = "email,name,role,manager_email,team,timezone,calendar\n\
        aisha.khan@example.com,Aisha Khan,rep,nobody@example.com,East,Europe/London,uk\n\
        ben.ortiz@example.com,Ben Ortiz,rep,diego.alvarez@example.com,West,Mars/Olympus,\n\
        sam@example.com,Sam Okafor,rep,diego.alvarez@example.com,West,,atlantis\n\
        ben.ortiz@example.com,Ben Again,rep,diego.alvarez@example.com,West,,\n";
    let (ok, output) = check_config_with_roster(&example, roster);
    assert!(!ok);
    // Problems in the file itself first, each with its line.
    assert!(
        output.contains("people.example.csv:3: timezone: `Mars/Olympus`"),
        "{output}"
    );
    assert!(
        output.contains("people.example.csv:5: email: ben.ortiz@example.com is already on line 3"),
        "{output}"
    );

    let roster = "email,name,role,manager_email,team,timezone,calendar\n\
        aisha.khan@example.com,Aisha Khan,rep,nobody@example.com,East,Europe/London,uk\n\
        sam@example.com,Sam Okafor,rep,diego.alvarez@example.com,West,,atlantis\n\
        priya@example.com,Priya Again,manager,,East,,\n";
    let twin = example.replace(
        "email = \"priya.raman@example.com\"",
        "email = \"priya@example.com\"",
    );
    let (ok, output) = check_config_with_roster(&twin, roster);
    assert!(!ok);
    for expected in [
        "people.example.csv:2: manager_email: nobody@example.com is nobody on the roster",
        "people.example.csv:3: calendar: no [[calendars]] entry is named `atlantis`",
        "people.example.csv:4: email: priya@example.com is also in [[people]] (people[1])",
    ] {
        assert!(
            output.contains(expected),
            "expected {expected:?} in {output}"
        );
    }
}

#[test]
fn check_config_lists_the_countries_it_knows() {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let (ok, output) = check_config(&example.replace("country = \"IN\"", "country = \"XX\""));
    assert!(!ok);
    assert!(output.contains("calendars[0]"), "{output}");
    assert!(
        output.contains("`XX` is not a country with built-in holidays"),
        "{output}"
    );
    assert!(
        output.contains("GB") && output.contains("IN") && output.contains("US"),
        "{output}"
    );
    let (ok, output) =
        check_config(&example.replace("subdivision = \"ENG\"", "subdivision = \"LDN\""));
    assert!(!ok);
    assert!(output.contains("ENG, NIR, SCT, WLS"), "{output}");
}

// Opportunities from the CRM: a Salesforce report read through `[outcomes.columns]`.

const SALESFORCE: &str = r#"
[outcomes]
csv = "opportunities.csv"

[outcomes.columns]
id = "Opportunity ID"
name = "Opportunity Name"
owner_email = "Opportunity Owner: Email"
amount = "Amount"
created = "Created Date"
closed = "Close Date"
won = "Won"
stage = "Stage"
account = "Account Name"
"#;

/// A Salesforce report of `n` opportunities, owned in turn by the roster's two people found by
/// email and, every tenth, by someone the roster does not know.
fn report(n: usize) -> String {
    let mut rows = vec![
        "Opportunity Owner: Email,Opportunity ID,Opportunity Name,Account Name,Amount,Created Date,Close Date,Won,Stage"
            .to_string(),
    ];
    for i in 0..n {
        let owner = match i % 10 {
            9 => "stranger@example.com",
            i if i % 2 == 0 => "aisha.khan@example.com",
            _ => "ben.ortiz@example.com",
        };
        let (closed, won, stage) = match i % 3 {
            0 => ("2027-03-15", "true", "Closed Won"),
            1 => ("2027-03-20", "false", "Closed Lost"),
            _ => ("2027-04-30", "", "Negotiation"),
        };
        rows.push(format!(
            "{owner},006{i:05},Deal {i},\"Account {i}, Inc.\",\"{},{:03}.00\",2027-01-{:02},{closed},{won},{stage}",
            1 + i % 90,
            i % 1000,
            1 + i % 28
        ));
    }
    rows.join("\n") + "\n"
}

/// `check-config` on the example with `[outcomes]` added and `opportunities` as its file.
fn check_config_with_opportunities(opportunities: &str) -> (bool, String) {
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let roster = std::fs::read_to_string(ROSTER).unwrap();
    check_config_with_files(
        &format!("{example}\n{SALESFORCE}"),
        &[
            ("people.example.csv", roster.as_str()),
            ("opportunities.csv", opportunities),
        ],
    )
}

#[test]
fn a_salesforce_report_of_three_hundred_deals_is_accepted_and_unknown_owners_are_warned_of() {
    let (ok, output) = check_config_with_opportunities(&report(300));
    assert!(ok, "{output}");
    assert!(output.contains(", 300 opportunities"), "{output}");
    // Row i is on line i + 2; the tenth owner of each ten is unknown.
    let warning = output
        .lines()
        .find(|l| l.contains("opportunities.csv:11:"))
        .unwrap_or_else(|| panic!("a warning for line 11: {output}"));
    assert!(
        warning.starts_with("warning: ")
            && warning.ends_with(
                "opportunities.csv:11: owner_email: stranger@example.com is not in the roster; the deal counts for no team"
            ),
        "{warning}"
    );
    assert!(
        output.contains("… and 10 more deals whose owner is not in the roster"),
        "{output}"
    );
}

#[test]
fn a_broken_row_is_named_by_file_line_and_column_and_nothing_is_accepted() {
    let mut text = report(5);
    text.push_str("ben.ortiz@example.com,006X,Bad,Acme,lots,2027-01-05,,maybe,Open\n");
    let (ok, output) = check_config_with_opportunities(&text);
    assert!(!ok, "{output}");
    assert!(
        output.contains("opportunities.csv:7: amount: `lots` is not an amount"),
        "{output}"
    );
    assert!(
        output.contains("opportunities.csv:7: won: `maybe` is not true, false or empty (open)"),
        "{output}"
    );
}
