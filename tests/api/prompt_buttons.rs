//! One-click answers under sprint prompts and day 30/60/90 pulses, checked against the clicker.

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use super::helpers::*;

/// Monday 11 Jan, 08:31 New York, with one open commitment for Dana: her sprint prompt is out.
async fn app_after_monday_prompt() -> TestApp {
    let now = Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap();
    let app = TestApp::builder().at(now).spawn().await;
    app.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    app.tick().await;
    app
}

fn buttons_in(app: &TestApp, channel: &str, containing: &str) -> Vec<Value> {
    let post = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == channel && p.text.contains(containing));
    post.expect("the post").buttons()
}

async fn click(app: &TestApp, user: &str, button: &Value, response: &str) {
    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": user, "team_id": "T0001" }, "api_app_id": "A0APP",
        "token": "x", "trigger_id": format!("trigger-{response}"),
        "container": { "type": "message", "message_ts": "1.2", "channel_id": "D0X", "is_ephemeral": false },
        "message": { "type": "message", "ts": "1.2", "text": "Week 1: Application." },
        "response_url": format!("{}/response/{response}", app.slack.base_url),
        "actions": [{ "type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"], "action_ts": "1.3" }]
    });
    assert_eq!(app.interact(&payload).await.status(), 200);
}

/// The text the bot sent back through the click's `response_url`.
async fn answer_to(app: &TestApp, response: &str) -> String {
    let calls = app
        .slack
        .wait_for(&format!("response_url/{response}"), 1)
        .await;
    calls[0].body["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_sprint_prompt_offers_log_practice_done_and_snooze() {
    let app = app_after_monday_prompt().await;
    let buttons = buttons_in(&app, "DU0EAST001", "Week 1: Application");
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Log practice", "Done #1", "Snooze until tomorrow"]);

    click(&app, REP, &buttons[0], "log").await;
    let open = &app.slack.wait_for("views.open", 1).await[0];
    assert_eq!(
        (
            open.body["trigger_id"].as_str(),
            open.body["view"]["callback_id"].as_str()
        ),
        (Some("trigger-log"), Some("practice_form"))
    );
}

#[tokio::test]
async fn done_under_a_prompt_closes_only_the_clickers_own_commitment() {
    let app = app_after_monday_prompt().await;
    let done = buttons_in(&app, "DU0EAST001", "Week 1")[1].clone();

    click(&app, PARTNER, &done, "forged").await;
    let refused = answer_to(&app, "forged").await;
    assert!(refused.contains("You have no commitment #1"), "{refused}");
    assert!(
        app.reply(REP, "/commit", "list").await.contains("(1)"),
        "Dana's is still open"
    );

    click(&app, REP, &done, "done").await;
    let updated = &app.slack.wait_for("response_url/done", 1).await[0];
    assert_eq!(updated.body["replace_original"], true);
    assert!(
        updated.body["text"]
            .as_str()
            .unwrap()
            .ends_with("*<@U0EAST001>:* Done #1 ✓"),
        "{}",
        updated.body
    );
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("no open commitments")
    );
}

#[tokio::test]
async fn snooze_brings_the_prompt_back_tomorrow_for_its_own_recipient_only() {
    let app = app_after_monday_prompt().await;
    let snooze = buttons_in(&app, "DU0EAST001", "Week 1")[2].clone();

    click(&app, PARTNER, &snooze, "forged").await;
    assert!(
        answer_to(&app, "forged")
            .await
            .contains("isn't one of yours")
    );
    click(&app, REP, &snooze, "snooze").await;
    assert!(
        answer_to(&app, "snooze")
            .await
            .contains("snoozed until tomorrow")
    );
    click(&app, REP, &snooze, "again").await;
    assert!(
        answer_to(&app, "again").await.contains("Already snoozed"),
        "a second click queues nothing more"
    );

    let before = app
        .slack
        .posts()
        .iter()
        .filter(|p| p.channel == "DU0EAST001" && p.text.starts_with("Week 1: Application"))
        .count();
    app.clock.advance(Duration::hours(23));
    app.tick().await;
    assert_eq!(
        app.slack
            .posts()
            .iter()
            .filter(|p| p.channel == "DU0EAST001" && p.text.starts_with("Week 1: Application"))
            .count(),
        before,
        "not yet"
    );
    app.clock.advance(Duration::hours(1));
    app.tick().await;
    let again: Vec<_> = app
        .slack
        .posts()
        .into_iter()
        .filter(|p| p.text.starts_with("Week 1: Application") && p.channel == "DU0EAST001")
        .collect();
    assert_eq!(again.len(), before + 1, "back once, a day later");
    assert!(
        !app.slack
            .posts()
            .iter()
            .any(|p| p.channel == "DU0WEST001" && p.text.starts_with("Week 1: Application. Dana")),
        "never to the forger"
    );
}

#[tokio::test]
async fn a_pulse_is_answered_with_one_click() {
    // Tuesday 9 Feb (day 30), 09:31 New York.
    let now = Utc.with_ymd_and_hms(2027, 2, 9, 14, 31, 0).unwrap();
    let app = TestApp::builder().at(now).spawn().await;
    app.tick().await;
    let buttons = buttons_in(&app, "DU0EAST001", "Day 30");
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        ["Every call", "Most calls", "Some calls", "Not yet"]
    );

    // A forged value: a day that is no checkpoint of this program.
    let mut forged = buttons[0].clone();
    forged["value"] = json!("45|every");
    click(&app, REP, &forged, "forged").await;
    let refused = answer_to(&app, "forged").await;
    assert!(refused.contains("nothing was recorded"), "{refused}");

    click(&app, REP, &buttons[1], "pulse").await;

    let updated = answer_to(&app, "pulse").await;
    assert!(
        updated.ends_with("*<@U0EAST001>:* Most calls ✓"),
        "{updated}"
    );
    click(&app, REP, &buttons[1], "twice").await;
    assert_eq!(
        answer_to(&app, "twice").await,
        "Already recorded: Most calls.",
        "the same answer twice is recorded once"
    );
    let store = sko_reinforce::store::Store::open(&app.database_url)
        .await
        .unwrap();
    assert_eq!(
        store.pulse_answers().await.unwrap(),
        [(REP.to_string(), 30, "most".to_string())]
    );
}
