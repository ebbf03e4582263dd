//! `manifest.yml` and the code agree: every declared command has a handler, every handler
//! is declared, and the request URLs point at routes the server has.

use std::collections::BTreeSet;

use sko_reinforce::commands::SlashCommand;
use yaml_rust2::{Yaml, YamlLoader};

fn manifest() -> Yaml {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn path_of(url: &str) -> &str {
    url.splitn(4, '/')
        .nth(3)
        .map(|p| &url[url.len() - p.len() - 1..])
        .unwrap()
}

#[test]
fn every_manifest_command_has_a_handler_and_every_handler_is_declared() {
    let m = manifest();
    let declared: BTreeSet<&str> = m["features"]["slash_commands"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    let handled: BTreeSet<&str> = SlashCommand::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(declared, handled);
    for c in m["features"]["slash_commands"].as_vec().unwrap() {
        assert_eq!(path_of(c["url"].as_str().unwrap()), "/slack/commands");
        assert!(c["command"].as_str().unwrap().len() <= 32);
        assert!(!c["description"].as_str().unwrap().is_empty());
    }
}

#[test]
fn request_urls_scopes_and_events_match_what_the_bot_does() {
    let m = manifest();
    assert_eq!(
        path_of(
            m["settings"]["event_subscriptions"]["request_url"]
                .as_str()
                .unwrap()
        ),
        "/slack/events"
    );
    assert_eq!(
        path_of(
            m["settings"]["interactivity"]["request_url"]
                .as_str()
                .unwrap()
        ),
        "/slack/interactivity"
    );
    assert_eq!(
        m["settings"]["interactivity"]["is_enabled"].as_bool(),
        Some(true)
    );
    let events: Vec<&str> = m["settings"]["event_subscriptions"]["bot_events"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(events, ["app_home_opened", "user_change"]);
    assert_eq!(
        m["features"]["app_home"]["home_tab_enabled"].as_bool(),
        Some(true)
    );
    let scopes: BTreeSet<&str> = m["oauth_config"]["scopes"]["bot"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    for needed in [
        "commands",
        "chat:write",
        "files:write",
        "im:write",
        "users:read",
        "users:read.email",
        "users.profile:read",
        "channels:read",
        "groups:read",
    ] {
        assert!(scopes.contains(needed), "{needed}");
    }
    assert!(m["settings"]["socket_mode_enabled"].as_bool().is_some());
    // Sign in with Slack for the web report.
    let redirects: Vec<&str> = m["oauth_config"]["redirect_urls"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|u| path_of(u.as_str().unwrap()))
        .collect();
    assert_eq!(redirects, ["/auth/slack/callback"]);
    let user_scopes: Vec<&str> = m["oauth_config"]["scopes"]["user"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(user_scopes, ["openid", "email", "profile"]);
}
