//! Clicking the buttons under scheduled messages: recorded for the right people only, and the
//! message updated to show what was recorded.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::helpers::*;

const PAIR_ONE: &str = "GU0EAST001_U0WEST001";

/// Tuesday 12 Jan, 10:01 New York: the check-ins of the pairs led from New York go out.
async fn app_after_tuesday_checkins() -> TestApp {
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 12, 15, 1, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    app
}

fn buttons(app: &TestApp, channel: &str) -> Vec<Value> {
    app.slack
        .posts()
        .into_iter()
        .find(|p| p.channel == channel)
        .expect("a post")
        .buttons()
}

async fn click(
    app: &TestApp,
    user: &str,
    action_id: &str,
    value: &str,
    response: &str,
) -> reqwest::Response {
    let response_url = format!("{}/response/{response}", app.slack.base_url);
    click_answering_to(app, user, action_id, value, &response_url).await
}

async fn click_answering_to(
    app: &TestApp,
    user: &str,
    action_id: &str,
    value: &str,
    response_url: &str,
) -> reqwest::Response {
    let payload = json!({
        "type": "block_actions",
        "team": { "id": "T0001", "domain": "example" },
        "user": { "id": user, "team_id": "T0001" },
        "api_app_id": "A0APP",
        "token": "x",
        "trigger_id": "1.2.3",
        "container": { "type": "message", "message_ts": "1.2", "channel_id": PAIR_ONE, "is_ephemeral": false },
        "channel": { "id": PAIR_ONE, "name": "mpdm" },
        "message": { "type": "message", "ts": "1.2", "text": "Time for your weekly check-in" },
        "response_url": response_url,
        "actions": [{ "type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.3", "text": { "type": "plain_text", "text": "We met" } }]
    });
    app.interact(&payload).await
}

async fn answer_of(app: &TestApp, members: &str) -> Option<&'static str> {
    let store = sko_reinforce::store::Store::open(&app.database_url)
        .await
        .unwrap();
    let checkins = store.checkins().await.unwrap();
    store.close().await;
    checkins
        .into_iter()
        .find(|c| c.members.key() == members)
        .and_then(|c| c.answer)
        .map(|a| a.as_str())
}

#[tokio::test]
async fn a_check_in_offers_three_one_click_answers() {
    let app = app_after_tuesday_checkins().await;
    let buttons = buttons(&app, PAIR_ONE);
    let ids: Vec<&str> = buttons
        .iter()
        .map(|b| b["action_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["checkin_met", "checkin_rescheduled", "checkin_missed"]
    );
    let labels: Vec<&str> = buttons
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["We met", "Rescheduled", "Couldn't meet"]);
    assert_eq!(
        buttons[0]["value"],
        "U0EAST001+U0WEST001|2027-01-12T15:00:00Z"
    );
}

#[tokio::test]
async fn a_partner_answers_and_the_message_shows_it() {
    let app = app_after_tuesday_checkins().await;
    let value = buttons(&app, PAIR_ONE)[0]["value"]
        .as_str()
        .unwrap()
        .to_string();

    let response = click(&app, "U0WEST001", "checkin_met", &value, "click1").await;

    assert_eq!(response.status(), 200);
    let update = &app.slack.wait_for("response_url/click1", 1).await[0];
    assert_eq!(update.body["replace_original"], true);
    assert_eq!(
        update.body["text"],
        "Time for your weekly check-in\n*<@U0WEST001>:* We met ✓"
    );
    assert_eq!(answer_of(&app, "U0EAST001+U0WEST001").await, Some("met"));
    // The other member clicks the same answer (through whichever replica): recorded once,
    // and the message does not say it twice.
    click(&app, "U0EAST001", "checkin_met", &value, "click2").await;
    let again = &app.slack.wait_for("response_url/click2", 1).await[0];
    assert_ne!(again.body["replace_original"], true, "{}", again.body);
    assert_eq!(again.body["text"], "Already recorded: We met.");

    // Thursday: pairs that answered are not asked again; the others are, with the buttons.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 14, 15, 1, 0).unwrap());
    app.tick().await;
    let asked: Vec<String> = app
        .slack
        .posts()
        .into_iter()
        .filter(|p| p.text.contains("did your check-in happen"))
        .map(|p| p.channel)
        .collect();
    assert!(!asked.contains(&PAIR_ONE.to_string()), "{asked:?}");
    assert!(
        asked.contains(&"GU0EAST002_U0WEST002".to_string()),
        "{asked:?}"
    );
    let follow_up = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == "GU0EAST002_U0WEST002" && p.text.contains("did your check-in"))
        .unwrap();
    assert!(
        follow_up
            .blocks
            .to_string()
            .contains("\"U0EAST002+U0WEST002|2027-01-12T15:00:00Z\"")
    );
}

#[tokio::test]
async fn nobody_can_answer_someone_elses_check_in_by_forging_a_payload() {
    let app = app_after_tuesday_checkins().await;
    let value = buttons(&app, "GU0EAST002_U0WEST002")[0]["value"]
        .as_str()
        .unwrap()
        .to_string();

    let response = click(&app, "U0EAST003", "checkin_met", &value, "forged").await;

    assert_eq!(response.status(), 200);
    let reply = &app.slack.wait_for("response_url/forged", 1).await[0];
    assert!(reply.body["replace_original"].is_null() || reply.body["replace_original"] == false);
    assert!(
        reply.body["text"]
            .as_str()
            .unwrap()
            .contains("only they can answer it"),
        "{}",
        reply.body
    );
    assert_eq!(
        answer_of(&app, "U0EAST002+U0WEST002").await,
        None,
        "nothing recorded"
    );
}

#[tokio::test]
async fn a_response_url_outside_slack_is_not_followed() {
    let app = app_after_tuesday_checkins().await;
    // Another server inside the network the bot runs in (a metadata service, an admin page).
    let inside = super::fake_slack::FakeSlack::start().await;
    let value = buttons(&app, PAIR_ONE)[0]["value"]
        .as_str()
        .unwrap()
        .to_string();

    let response = click_answering_to(
        &app,
        "U0WEST001",
        "checkin_met",
        &value,
        &format!("{}/response/internal", inside.base_url),
    )
    .await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        answer_of(&app, "U0EAST001+U0WEST001").await,
        Some("met"),
        "the click itself is still recorded"
    );
    // Stopping waits for every follow-up the click started.
    app.stop().await;
    assert!(
        inside.calls().is_empty(),
        "the bot called {:?}",
        inside.calls()
    );
}

#[tokio::test]
async fn damaged_or_unknown_buttons_are_refused_with_a_reason() {
    let app = app_after_tuesday_checkins().await;
    for (i, value) in [
        "garbage",
        "U0EAST001+U0WEST001|2030-01-01T00:00:00Z",
        "U0EAST001+U0WEST001|not-a-date",
    ]
    .iter()
    .enumerate()
    {
        let name = format!("bad{i}");
        assert_eq!(
            click(&app, "U0EAST001", "checkin_missed", value, &name)
                .await
                .status(),
            200
        );
        let reply = &app.slack.wait_for(&format!("response_url/{name}"), 1).await[0];
        assert!(
            reply.body["text"]
                .as_str()
                .unwrap()
                .contains("nothing was recorded"),
            "{value}: {}",
            reply.body
        );
    }
    assert_eq!(
        click(&app, "U0EAST001", "launch_rockets", "x", "unknown")
            .await
            .status(),
        200
    );
    assert_eq!(answer_of(&app, "U0EAST001+U0WEST001").await, None);
}
