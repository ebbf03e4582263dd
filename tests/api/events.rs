//! The Events API: URL verification, App Home, and retries handled once.

use serde_json::json;

use super::helpers::*;

#[tokio::test]
async fn url_verification_is_answered_with_the_challenge() {
    let app = TestApp::builder().spawn().await;

    let response = app.event(&json!({ "token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification" }), None).await;

    assert_eq!(response.status(), 200);
    assert_eq!(
        response.text().await.unwrap(),
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );
}

#[tokio::test]
async fn opening_app_home_publishes_the_reps_week_and_commitments() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;

    let response = app.event(&app_home_opened("Ev0HOME1", REP), None).await;
    assert_eq!(response.status(), 200);

    let calls = app.slack.wait_for("views.publish", 1).await;
    let call = &calls[0];
    assert_eq!(
        call.authorization.as_deref(),
        Some(format!("Bearer {BOT_TOKEN}").as_str())
    );
    assert_eq!(call.body["user_id"], REP);
    assert_eq!(call.body["view"]["type"], "home");
    let view = call.body["view"].to_string();
    assert!(view.contains("FY27 SKO: Discovery that sticks"), "{view}");
    assert!(view.contains("*This week:* week 1 — Application"), "{view}");
    assert!(view.contains("*#1* 20 discovery calls by Friday"), "{view}");
}

#[tokio::test]
async fn a_retried_event_is_acknowledged_and_processed_once() {
    let app = TestApp::builder().spawn().await;
    let event = app_home_opened("Ev0RETRY1", REP);

    assert_eq!(app.event(&event, None).await.status(), 200);
    assert_eq!(app.event(&event, Some(1)).await.status(), 200);
    assert_eq!(app.event(&event, Some(2)).await.status(), 200);
    assert_eq!(
        app.event(&app_home_opened("Ev0OTHER1", PARTNER), None)
            .await
            .status(),
        200
    );

    // A graceful stop waits for background work, so every publish has happened by now.
    let (_, slack) = app.stop().await;
    let publishes = slack.calls_to("views.publish");
    assert_eq!(
        publishes
            .iter()
            .filter(|c| c.body["user_id"] == REP)
            .count(),
        1,
        "{publishes:#?}"
    );
    assert_eq!(
        publishes
            .iter()
            .filter(|c| c.body["user_id"] == PARTNER)
            .count(),
        1
    );
}

#[tokio::test]
async fn a_retry_after_a_restart_is_still_recognised() {
    let app = TestApp::builder().spawn().await;
    let event = app_home_opened("Ev0RESTART", REP);
    assert_eq!(app.event(&event, None).await.status(), 200);
    let (dir, slack) = app.stop().await;

    let app = TestApp::builder().dir(dir).slack(slack).spawn().await;
    assert_eq!(app.event(&event, Some(1)).await.status(), 200);
    let (_, slack) = app.stop().await;

    assert_eq!(slack.calls_to("views.publish").len(), 1);
}

#[tokio::test]
async fn events_the_bot_does_not_use_are_acknowledged() {
    let app = TestApp::builder().spawn().await;
    let event = json!({
        "team_id": "T0001", "api_app_id": "A0APP", "type": "event_callback", "event_id": "Ev0UNUSED", "event_time": 1700000000,
        "event": { "type": "reaction_added", "user": REP, "reaction": "tada", "item": { "type": "message", "channel": "C1", "ts": "1.2" }, "event_ts": "1.3" }
    });
    assert_eq!(app.event(&event, None).await.status(), 200);
}

#[tokio::test]
async fn an_interaction_is_acknowledged() {
    let app = TestApp::builder().spawn().await;
    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": REP, "team_id": "T0001" }, "api_app_id": "A0APP",
        "token": "x", "trigger_id": "1.2.3", "actions": [], "container": { "type": "view", "view_id": "V1" }
    });
    let response = app.interact(&payload).await;
    assert_eq!(response.status(), 200);
}
