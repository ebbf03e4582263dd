//! Golden journeys: everything a rep, their partner, a manager and the admin of the example
//! program receive over its 90 days with sample activity, as they would read it. A change of
//! wording or timing shows here in review; accept one with `cargo insta review` (or
//! `INSTA_UPDATE=always cargo test --test journeys`) once it reads right.

use std::process::Command;
use std::sync::LazyLock;

use serde_json::Value;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");

/// The preview, run once for every journey.
static PREVIEW: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let out = Command::new(env!("CARGO_BIN_EXE_sko-reinforce"))
        .args([
            "simulate",
            "--config",
            EXAMPLE,
            "--sample-activity",
            "--format",
            "jsonl",
        ])
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("SLACK_APP_TOKEN")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
});

/// One person's DMs in order, each with its local time, kind, text and buttons.
fn journey(recipient: &str) -> String {
    let mut out = String::new();
    for m in PREVIEW.iter().filter(|m| m["recipient"] == recipient) {
        let local = m["local_time"].as_str().unwrap();
        let when = chrono::DateTime::parse_from_rfc3339(local).unwrap();
        out.push_str(&format!(
            "── {} · {} · {}\n",
            when.format("%a %-d %b %H:%M"),
            m["kind"].as_str().unwrap(),
            m["source"].as_str().unwrap()
        ));
        out.push_str(m["text"].as_str().unwrap());
        out.push('\n');
        let buttons: Vec<String> = m["buttons"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| format!("[ {} ]", b.as_str().unwrap()))
            .collect();
        if !buttons.is_empty() {
            out.push_str(&buttons.join(" "));
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

#[test]
fn a_rep() {
    insta::assert_snapshot!("rep_dana", journey("U0EAST001"));
}

#[test]
fn a_partner() {
    insta::assert_snapshot!("partner_taylor", journey("U0WEST001"));
}

#[test]
fn a_manager() {
    insta::assert_snapshot!("manager_priya", journey("U0MGREAST"));
}

#[test]
fn the_admin() {
    insta::assert_snapshot!("admin_morgan", journey("U0ADMIN01"));
}
