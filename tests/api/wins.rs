//! Wins shared by choice: `/practice … share` and the button under a live deal's confirmation
//! post the rep's win to the wins channel, through the outbox, once; nothing goes unasked.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::helpers::*;

const WINS: &str = "C0SKOWINS";

/// Tuesday 12 Jan, 10:00 in New York: no scheduled post goes to the wins channel that day.
async fn app_on_tuesday() -> TestApp {
    TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 12, 15, 0, 0).unwrap())
        .spawn()
        .await
}

fn wins_posted(app: &TestApp) -> Vec<String> {
    app.slack
        .posts()
        .into_iter()
        .filter(|p| p.channel == WINS)
        .map(|p| p.text)
        .collect()
}

async fn reply_json(app: &TestApp, user: &str, text: &str) -> Value {
    let response = app.slash(user, "/practice", text).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn click_share(app: &TestApp, user: &str, value: &str, response: &str) -> String {
    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": user, "team_id": "T0001" }, "api_app_id": "A0APP",
        "token": "x", "trigger_id": "t",
        "container": { "type": "message", "message_ts": "1.2", "channel_id": "D0X", "is_ephemeral": true },
        "response_url": format!("{}/response/{response}", app.slack.base_url),
        "actions": [{ "type": "button", "action_id": "share_win", "block_id": "b", "value": value, "action_ts": "1.3" }]
    });
    assert_eq!(app.interact(&payload).await.status(), 200);
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
async fn practice_share_posts_the_win_naming_the_rep_with_the_note_escaped() {
    let app = app_on_tuesday().await;
    let reply = app
        .reply(
            REP,
            "/practice",
            "discovery live share CFO put a number on churn: <https://evil.example|$2M> a year",
        )
        .await;
    assert!(
        reply.contains("Shared with the team in <#C0SKOWINS>"),
        "{reply}"
    );
    assert!(
        wins_posted(&app).is_empty(),
        "it goes through the outbox, not inline"
    );

    app.tick().await;
    let posted = wins_posted(&app);
    assert_eq!(posted.len(), 1, "{posted:?}");
    let win = &posted[0];
    assert!(
        win.starts_with(":trophy: *A win from <@U0EAST001>* — Discovery"),
        "{win}"
    );
    assert!(win.contains("live deal"), "{win}");
    assert!(
        win.contains("> CFO put a number on churn: &lt;https://evil.example|$2M&gt; a year"),
        "{win}"
    );
    let deliveries = app.deliveries().await;
    let row = deliveries
        .iter()
        .find(|d| d.occurrence.recipient.key() == WINS && d.kind().as_str() == "win")
        .expect("the win's outbox row");
    assert!(row.key.starts_with("win:U0EAST001:"), "{}", row.key);
}

#[tokio::test]
async fn a_live_deal_offers_the_button_and_a_second_click_shares_nothing_twice() {
    let app = app_on_tuesday().await;
    let roleplay = reply_json(&app, REP, "objections roleplay 3/5").await;
    assert!(
        roleplay["blocks"].is_null(),
        "a role-play offers no share: {roleplay}"
    );
    app.clock.advance(chrono::Duration::minutes(20));

    let live = reply_json(&app, REP, "discovery live the buyer named the cost").await;
    let button = live["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .find(|e| e["action_id"] == "share_win")
        .unwrap_or_else(|| panic!("a share button: {live}"));
    assert_eq!(button["text"]["text"], "Share with the team");
    let value = button["value"].as_str().unwrap().to_string();
    app.tick().await;
    assert!(
        wins_posted(&app).is_empty(),
        "nothing is shared without the rep asking"
    );

    // Someone else clicking Dana's button shares nothing: the value is looked up among theirs.
    let forged = click_share(&app, PARTNER, &value, "forged").await;
    assert!(forged.contains("isn't one of yours"), "{forged}");

    let first = click_share(&app, REP, &value, "first").await;
    assert!(first.contains("Shared with the team"), "{first}");
    let again = click_share(&app, REP, &value, "again").await;
    assert!(again.contains("Already shared"), "{again}");
    app.tick().await;
    let posted = wins_posted(&app);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(
        posted[0].contains("> the buyer named the cost"),
        "{posted:?}"
    );
}
