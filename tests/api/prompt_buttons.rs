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
        [
            "Every call",
            "Most calls",
            "Some calls",
            "Not yet",
            "Rate my skills"
        ]
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
    let answers: Vec<(String, i64, String)> = store
        .pulse_answers()
        .await
        .unwrap()
        .into_iter()
        .map(|(user, day, answer, _)| (user, day, answer))
        .collect();
    assert_eq!(answers, [(REP.to_string(), 30, "most".to_string())]);
}

/// The "Rate my skills" form submitted by `user` for the day-`day` checkpoint.
async fn rate(app: &TestApp, user: &str, day: &str, picks: &[(&str, &str)]) -> reqwest::Response {
    let values: serde_json::Map<String, Value> = picks
        .iter()
        .map(|(skill, v)| {
            (
                skill.to_string(),
                json!({ "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": v }, "value": v } } }),
            )
        })
        .collect();
    let payload = json!({
        "type": "view_submission", "team": { "id": "T0001", "domain": "example" }, "user": { "id": user, "team_id": "T0001" },
        "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
        "view": { "id": "V0FORM", "team_id": "T0001", "type": "modal", "callback_id": "confidence_form", "hash": "h",
                  "private_metadata": day,
                  "title": { "type": "plain_text", "text": "Form" }, "blocks": [], "state": { "values": values } }
    });
    app.interact(&payload).await
}

#[tokio::test]
async fn a_pulse_asks_confidence_per_skill_in_a_form_and_the_export_shows_it() {
    // Tuesday 9 Feb (day 30), 09:31 New York.
    let now = Utc.with_ymd_and_hms(2027, 2, 9, 14, 31, 0).unwrap();
    let app = TestApp::builder().at(now).spawn().await;
    app.tick().await;
    let buttons = buttons_in(&app, "DU0EAST001", "Day 30");
    let rate_button = buttons
        .iter()
        .find(|b| b["text"]["text"] == "Rate my skills")
        .expect("Rate my skills under the pulse");

    click(&app, REP, rate_button, "rate").await;
    let opened = app.slack.wait_for("views.open", 1).await;
    let view = &opened[0].body["view"];
    assert_eq!(view["callback_id"], "confidence_form");
    assert_eq!(view["private_metadata"], "30");
    let blocks = view["blocks"].to_string();
    for skill in ["discovery", "objections", "competitive", "next-steps"] {
        assert!(
            blocks.contains(&format!("\"block_id\":\"{skill}\"")),
            "{skill}: {blocks}"
        );
    }
    assert!(
        blocks.contains("\"value\":\"10\""),
        "a 1–10 scale: {blocks}"
    );

    // Out of the scale: the form says so beside the field, and nothing is kept.
    let refused = rate(&app, REP, "30", &[("discovery", "7"), ("objections", "11")]).await;
    let errors: Value = refused.json().await.unwrap();
    assert_eq!(errors["response_action"], "errors", "{errors}");
    assert!(
        errors["errors"]["objections"]
            .as_str()
            .unwrap()
            .contains("1 to 10")
    );
    // A day that is no checkpoint records nothing either.
    assert_eq!(
        rate(&app, REP, "45", &[("discovery", "7")]).await.status(),
        200
    );

    app.clock.advance(Duration::seconds(5));
    let saved = rate(&app, REP, "30", &[("discovery", "7"), ("objections", "5")]).await;
    assert_eq!(saved.status(), 200);
    assert_eq!(
        saved.text().await.unwrap(),
        "",
        "the form closes: it was saved"
    );
    let notices = app.notices_delivered().await;
    assert!(
        notices.iter().any(|n| n.text.starts_with("Saved your confidence at day 30: Discovery: 4-question pain framework 7 · Objection handling 5.")),
        "{notices:?}"
    );
    assert!(
        notices
            .iter()
            .any(|n| n.text.starts_with("Day 45 is no checkpoint")),
        "{notices:?}"
    );

    let csv = app.export_csv("pulses");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("answered_at,rep,day,frequency,skill,confidence")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[0].ends_with(",U0EAST001,30,,discovery,7"), "{csv}");
    assert!(rows[1].ends_with(",U0EAST001,30,,objections,5"), "{csv}");
}
