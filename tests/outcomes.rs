//! Opportunities from the CRM: `check-config` reads a Salesforce report through the
//! `[outcomes.columns]` mapping, counts it, warns of owners the roster does not know, and
//! names the line and column of a broken row.

use std::process::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
const ROSTER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/people.example.csv");

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

fn check_config(opportunities: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(EXAMPLE).unwrap();
    let path = dir.path().join("sko.toml");
    std::fs::write(&path, format!("{example}\n{SALESFORCE}")).unwrap();
    std::fs::write(
        dir.path().join("people.example.csv"),
        std::fs::read_to_string(ROSTER).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("opportunities.csv"), opportunities).unwrap();
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
fn a_salesforce_report_of_three_hundred_deals_is_accepted_and_unknown_owners_are_warned_of() {
    let (ok, output) = check_config(&report(300));
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
    let (ok, output) = check_config(&text);
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
