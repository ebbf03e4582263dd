//! Robustness: whatever arrives, the parsers answer with a value or an error, never a panic.
//! Small by default; the documented run is
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz` (10⁵ cases per target).

use proptest::prelude::*;
use sko_reinforce::config::Config;
use sko_reinforce::domain::{commitment, practice, sko};
use slack_morphism::prelude::*;

const EXAMPLE: &str = include_str!("../config.example.toml");
const COMMAND: &str = "token=x&team_id=T1&team_domain=d&channel_id=C1&channel_name=n&user_id=U1&user_name=u&command=%2Fcommit&text=20+calls&api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fx&trigger_id=1.2";
const EVENT: &str = r#"{"token":"x","team_id":"T1","api_app_id":"A1","event":{"type":"app_home_opened","user":"U1","channel":"D1","tab":"home","event_ts":"1.2"},"type":"event_callback","event_id":"Ev1","event_time":1}"#;
const INTERACTION: &str = r#"{"type":"block_actions","team":{"id":"T1"},"user":{"id":"U1","team_id":"T1"},"api_app_id":"A1","token":"x","trigger_id":"1","container":{"type":"message","message_ts":"1.2","channel_id":"C1","is_ephemeral":false},"actions":[{"type":"button","action_id":"checkin_met","block_id":"b","value":"U1+U2|2027-01-12T15:00:00Z","action_ts":"1"}]}"#;

fn skills() -> Vec<sko_reinforce::domain::program::Skill> {
    Config::parse(EXAMPLE, "example", [])
        .unwrap()
        .program
        .skills
        .clone()
}

/// A valid input with a few bytes changed, cut or repeated: nearly right, the hardest case.
fn mutated(seed: &'static str) -> impl Strategy<Value = String> {
    (prop::collection::vec((0usize..seed.len(), any::<u8>(), 0u8..3), 1..8)).prop_map(
        move |edits| {
            let mut bytes = seed.as_bytes().to_vec();
            for (at, byte, how) in edits {
                let at = at.min(bytes.len());
                match how {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.truncate(at),
                    _ => bytes.insert(at, byte),
                }
            }
            String::from_utf8_lossy(&bytes).into_owned()
        },
    )
}

proptest! {
    #[test]
    fn command_grammars_never_panic(text in prop_oneof![any::<String>(), mutated("20 discovery calls by Friday"), mutated("discovery with <@U0DANA|dana> score 4 live"), mutated("pause until 2027-02-01")]) {
        let _ = commitment::parse(&text);
        let _ = practice::parse(&text, &skills());
        let _ = sko::parse(&text);
    }

    #[test]
    fn slash_command_payloads_never_panic(body in prop_oneof![any::<String>(), mutated(COMMAND)]) {
        let _ = serde_urlencoded::from_str::<SlackCommandEvent>(&body);
    }

    #[test]
    fn event_payloads_never_panic(body in prop_oneof![any::<String>(), mutated(EVENT)]) {
        let _ = serde_json::from_str::<SlackPushEvent>(&body);
    }

    #[test]
    fn interaction_payloads_never_panic(body in prop_oneof![any::<String>(), mutated(INTERACTION)]) {
        let _ = serde_json::from_str::<SlackInteractionEvent>(&body);
    }

    #[test]
    fn configs_never_panic(text in prop_oneof![any::<String>(), mutated(EXAMPLE)]) {
        let _ = Config::parse(&text, "fuzz.toml", []);
    }
}
