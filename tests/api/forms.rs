//! `/commit` and `/practice` with no text open a form; what is submitted is checked field by
//! field and recorded as the typed command would be.

use serde_json::{Value, json};

use super::helpers::*;

const FORM: &str = "application/x-www-form-urlencoded";

fn body_with_trigger(command: &str, trigger: &str) -> String {
    command_body(REP, command, "").replace("13345224609.738474920.8088930838d88f008e0", trigger)
}

async fn submit(app: &TestApp, callback: &str, values: Value) -> reqwest::Response {
    app.submit_form(REP, callback, values).await
}

fn text(v: &str) -> Value {
    json!({ "value": { "type": "plain_text_input", "value": v } })
}
fn pick(v: &str) -> Value {
    json!({ "value": { "type": "static_select", "selected_option": { "text": { "type": "plain_text", "text": v }, "value": v } } })
}

#[tokio::test]
async fn commit_alone_opens_the_commit_form_within_the_deadline() {
    let app = TestApp::builder().spawn().await;

    let response = app
        .post_signed(
            "/slack/commands",
            FORM,
            body_with_trigger("/commit", "trigger-1"),
        )
        .await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        "",
        "a plain ack; the form is the answer"
    );
    let open = &app.slack.calls_to("views.open")[0];
    assert_eq!(open.body["trigger_id"], "trigger-1");
    assert_eq!(open.body["view"]["callback_id"], "commit_form");
    let blocks = open.body["view"]["blocks"].to_string();
    for field in [
        "\"text\"",
        "\"target_number\"",
        "\"target_unit\"",
        "\"due\"",
        "\"kind\"",
        "\"pressure\"",
    ] {
        assert!(blocks.contains(field), "{field} in {blocks}");
    }
}

#[tokio::test]
async fn when_slack_will_not_open_the_form_the_help_is_shown() {
    let app = TestApp::builder().spawn().await;
    let response = app
        .post_signed(
            "/slack/commands",
            FORM,
            body_with_trigger("/commit", "expired"),
        )
        .await;
    let reply: Value = response.json().await.unwrap();
    assert!(
        reply["text"].as_str().unwrap().contains("/commit list"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_commit_form_with_mistakes_is_answered_beside_each_field_and_nothing_is_saved() {
    let app = TestApp::builder().spawn().await;

    let response = submit(
        &app,
        "commit_form",
        json!({
            "text": text("   "),
            "target_number": json!({ "value": { "type": "number_input", "value": "-4" } }),
            "due": json!({ "value": { "type": "datepicker", "selected_date": "2026-12-01" } }),
            "kind": pick("performance")
        }),
    )
    .await;

    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors", "{answer}");
    for field in ["text", "target_number", "due"] {
        assert!(answer["errors"][field].is_string(), "{field}: {answer}");
    }
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("no open commitments")
    );
}

#[tokio::test]
async fn a_valid_commit_form_is_recorded_and_confirmed_in_a_dm() {
    let app = TestApp::builder().spawn().await;

    let response = submit(
        &app,
        "commit_form",
        json!({
            "text": text("Book 5 demos with the new value story"),
            "target_number": json!({ "value": { "type": "number_input", "value": "5" } }),
            "target_unit": text("demos"),
            "due": json!({ "value": { "type": "datepicker", "selected_date": "2027-01-15" } }),
            "kind": pick("outcome")
        }),
    )
    .await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "");
    let notices = app.notices_delivered().await;
    assert_eq!(notices.len(), 1, "one confirmation, through the outbox");
    assert_eq!(notices[0].channel, "DU0EAST001");
    let confirmation = notices[0].text.as_str();
    assert!(
        confirmation.starts_with("Recorded: commitment #1 — Book 5 demos with the new value story"),
        "{confirmation}"
    );
    assert!(
        confirmation.contains("target 5 demos · due Fri 15 Jan · outcome"),
        "{confirmation}"
    );
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("*#1* Book 5 demos")
    );
}

#[tokio::test]
async fn the_practice_form_shows_the_rubric_of_the_skill_picked() {
    let app = TestApp::builder().spawn().await;
    app.post_signed(
        "/slack/commands",
        FORM,
        body_with_trigger("/practice", "trigger-2"),
    )
    .await;
    let open = app.slack.calls_to("views.open")[0].body["view"].clone();
    assert_eq!(open["callback_id"], "practice_form");
    let blocks = open["blocks"].to_string();
    assert!(
        blocks.contains("Objection handling")
            && blocks.contains("score_3")
            && blocks.contains("Quantifies the cost"),
        "discovery's 4 criteria first: {blocks}"
    );

    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": REP, "team_id": "T0001" }, "api_app_id": "A0APP",
        "token": "x", "trigger_id": "1.2.3", "container": { "type": "view", "view_id": "V0FORM" },
        "actions": [{ "type": "static_select", "action_id": "practice_skill", "block_id": "skill", "action_ts": "1.3",
                      "selected_option": { "text": { "type": "plain_text", "text": "Objection handling" }, "value": "objections" } }]
    });
    app.interact(&payload).await;

    let update = &app.slack.wait_for("views.update", 1).await[0];
    assert_eq!(update.body["view_id"], "V0FORM");
    let updated = update.body["view"]["blocks"].to_string();
    assert!(
        updated.contains("Restates the concern")
            && updated.contains("score_2")
            && !updated.contains("score_3"),
        "{updated}"
    );
}

#[tokio::test]
async fn a_practice_form_with_rubric_scores_is_recorded() {
    let app = TestApp::builder().spawn().await;

    let response = submit(&app, "practice_form", json!({
        "skill": pick("objections"),
        "context": json!({ "value": { "type": "radio_buttons", "selected_option": { "text": { "type": "plain_text", "text": "Live deal" }, "value": "live" } } }),
        "partner": json!({ "value": { "type": "users_select", "selected_user": "U0WEST001" } }),
        "score_0": pick("4"), "score_1": pick("3"), "score_2": pick("5"),
        "notes": text("used the proof point from Acme")
    }))
    .await;

    assert_eq!(response.status(), 200);
    let notices = app.notices_delivered().await;
    assert!(
        notices[0]
            .text
            .starts_with("Recorded: *Objection handling* · live deal · with <@U0WEST001> · 4/5"),
        "{}",
        notices[0].text
    );
    assert!(
        app.reply(REP, "/practice", "list")
            .await
            .contains("*Objection handling* · live deal · with <@U0WEST001> · 4/5")
    );

    let bad = submit(
        &app,
        "practice_form",
        json!({ "partner": json!({ "value": { "type": "users_select", "selected_user": REP } }) }),
    )
    .await;
    let answer: Value = bad.json().await.unwrap();
    assert!(
        answer["errors"]["skill"].is_string() && answer["errors"]["partner"].is_string(),
        "{answer}"
    );
}

#[tokio::test]
async fn a_form_that_cannot_be_recorded_stays_open_with_the_error_and_nothing_is_saved() {
    // SQLite's: another process holds the database's write lock past Slack's deadline.
    let app = TestApp::builder().on(Backend::Sqlite).spawn().await;
    let mut blocker = write_lock_held_elsewhere(&app).await;

    let started = std::time::Instant::now();
    let response = submit(
        &app,
        "commit_form",
        json!({ "text": text("Book 5 demos with the new value story"), "kind": pick("outcome") }),
    )
    .await;
    let waited = started.elapsed();

    assert_eq!(response.status(), 200);
    assert!(
        waited < std::time::Duration::from_secs(3),
        "Slack's deadline is 3 s; took {waited:?}"
    );
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["response_action"], "errors", "{answer}");
    let error = answer["errors"]["text"].as_str().unwrap();
    assert!(error.starts_with("Not saved"), "{error}");

    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("no open commitments"),
        "nothing was saved, and nothing is saved later"
    );
    assert!(app.notices_delivered().await.is_empty(), "no confirmation");
}
