//! The command grammars never panic, whatever a rep (or an attacker) types.

use proptest::prelude::*;
use sko_reinforce::config::Config;
use sko_reinforce::domain::{commitment, practice};

fn skills() -> Vec<sko_reinforce::domain::program::Skill> {
    let config = Config::load_with_env(
        concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml").as_ref(),
        [],
    )
    .unwrap();
    config.program.skills.clone()
}

/// Text shaped like commands: keywords, numbers, mentions (whole and broken) and noise.
fn commandish() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("with".to_string()),
        Just("score".to_string()),
        Just("live".to_string()),
        Just("by".to_string()),
        Just("done".to_string()),
        Just("edit".to_string()),
        Just("pressure".to_string()),
        Just("<@U0ABC|x>".to_string()),
        Just("<@".to_string()),
        Just("@".to_string()),
        Just("#".to_string()),
        Just("discovery".to_string()),
        "[0-9]{1,25}",
        "[0-9]/5",
        "\\PC{0,12}",
        ".{0,8}",
    ];
    prop::collection::vec(word, 0..12).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn commit_grammar_never_panics(text in prop_oneof![commandish(), any::<String>()]) {
        let _ = commitment::parse(&text);
    }

    #[test]
    fn practice_grammar_never_panics(text in prop_oneof![commandish(), any::<String>()]) {
        let _ = practice::parse(&text, &skills());
    }

    #[test]
    fn a_commitment_keeps_the_reps_words(text in "[a-z0-9 ]{1,200}") {
        let parsed = commitment::parse(&text);
        // Words that are a subcommand (`list`, `done 3`) are not a new commitment: not a case.
        prop_assume!(matches!(parsed, Ok(commitment::CommitCommand::New(_))));
        let Ok(commitment::CommitCommand::New(draft)) = parsed else {
            unreachable!("assumed above")
        };
        prop_assert_eq!(draft.text, text.trim());
    }
}
