//! The App Home: each role its own view, and its buttons acting for the one who clicks.

use serde_json::{Value, json};

use super::helpers::*;

async fn home_of(app: &TestApp, user: &str, event_id: &str) -> Value {
    let before = app.slack.calls_to("views.publish").len();
    assert_eq!(
        app.event(&app_home_opened(event_id, user), None)
            .await
            .status(),
        200
    );
    let calls = app.slack.wait_for("views.publish", before + 1).await;
    calls
        .into_iter()
        .rev()
        .find(|c| c.body["user_id"] == user)
        .unwrap()
        .body["view"]
        .clone()
}

fn blocks_text(view: &Value) -> String {
    view["blocks"].to_string()
}

async fn click_home(app: &TestApp, user: &str, action_id: &str, value: &str) {
    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": user, "team_id": "T0001" },
        "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
        "container": { "type": "view", "view_id": "V0FAKE" },
        "view": { "id": "V0FAKE", "team_id": "T0001", "type": "home", "blocks": [], "hash": "h" },
        "actions": [{ "type": "button", "action_id": action_id, "block_id": "b", "value": value, "action_ts": "1.3" }]
    });
    assert_eq!(app.interact(&payload).await.status(), 200);
}

#[tokio::test]
async fn a_rep_sees_their_week_with_done_buttons_and_can_close_a_commitment_in_one_click() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    app.reply(
        REP,
        "/commit",
        "3 conversations <https://evil.example|see> & <!here>",
    )
    .await;
    let view = home_of(&app, REP, "Ev0H1").await;
    let text = blocks_text(&view);
    assert!(text.contains("*Your open commitments* (2)"), "{text}");
    assert!(
        text.contains("3 conversations &lt;https://evil.example|see&gt; &amp; &lt;!here&gt;"),
        "text shown as typed, no hidden link or mention: {text}"
    );
    assert!(text.contains("\"action_id\":\"commitment_done\""), "{text}");
    assert!(text.contains("\"action_id\":\"pause_week\""), "{text}");

    let before = app.slack.calls_to("views.publish").len();
    click_home(&app, REP, "commitment_done", "1").await;
    let after = app.slack.wait_for("views.publish", before + 1).await;
    let refreshed = after.last().unwrap().body["view"]["blocks"].to_string();
    assert!(
        refreshed.contains("*Your open commitments* (1)"),
        "{refreshed}"
    );
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("Your open commitments (1)")
    );
}

#[tokio::test]
async fn a_forged_done_click_can_only_ever_touch_the_clickers_own_commitments() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls").await;
    let before = app.slack.calls_to("views.publish").len();

    click_home(&app, PARTNER, "commitment_done", "1").await;
    app.slack.wait_for("views.publish", before + 1).await;

    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("Your open commitments (1)"),
        "Dana's #1 is untouched"
    );
}

#[tokio::test]
async fn pause_and_resume_from_the_home_tab() {
    let app = TestApp::builder().spawn().await;
    let before = app.slack.calls_to("views.publish").len();
    click_home(&app, REP, "pause_week", "7").await;
    let paused = app
        .slack
        .wait_for("views.publish", before + 1)
        .await
        .last()
        .unwrap()
        .body["view"]["blocks"]
        .to_string();
    assert!(paused.contains("*Paused* until Wed 20 Jan"), "{paused}");
    assert!(paused.contains("\"action_id\":\"resume\""), "{paused}");
    let notices = app.notices_delivered().await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].channel, "DU0WEST001", "the partner is told");

    click_home(&app, REP, "resume", "").await;
    let resumed = app
        .slack
        .wait_for("views.publish", before + 2)
        .await
        .last()
        .unwrap()
        .body["view"]["blocks"]
        .to_string();
    assert!(!resumed.contains("*Paused*"), "{resumed}");
}

#[tokio::test]
async fn a_manager_sees_their_team_and_who_is_quiet() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/practice", "discovery live").await;
    let text = blocks_text(&home_of(&app, "U0MGREAST", "Ev0H2").await);
    assert!(text.contains("*Your team this week* — 6 reps"), "{text}");
    assert!(
        text.contains("<@U0EAST001> — practice 1 (1 live)"),
        "{text}"
    );
    assert!(!text.contains("U0WEST"), "only their own reps: {text}");
}

#[tokio::test]
async fn an_admin_sees_delivery_health() {
    let app = TestApp::builder().spawn().await;
    let text = blocks_text(&home_of(&app, "U0ADMIN01", "Ev0H3").await);
    assert!(text.contains("*Delivery health*"), "{text}");
    assert!(text.contains("sent · 0 pending · 0 failed"), "{text}");
}

#[tokio::test]
async fn a_rep_with_eighty_commitments_gets_a_home_within_slacks_limits() {
    let app = TestApp::builder().spawn().await;
    for i in 1..=80 {
        app.reply(REP, "/commit", &format!("{i} calls")).await;
    }
    let view = home_of(&app, REP, "Ev0H4").await;
    let blocks = view["blocks"].as_array().unwrap();
    assert!(blocks.len() <= 100, "{}", blocks.len());
    assert!(blocks_text(&view).contains("…and 60 more (`/commit list`)"));
}
