//! Spaced reinforcement questions: asked at the program's time in each rep's own, answered by
//! a click whose first answer counts, and scheduled again by the memory model: a wrong answer
//! sooner than a right one. Nothing goes to someone away.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::helpers::TestApp;

const DANA: &str = "U0EAST001";
const SAM: &str = "U0EAST002";

/// 10:31 in New York on `day` of January 2027: just after the questions' 10:30. (Monday the
/// 18th is Martin Luther King Jr. Day, a holiday in the example's calendars.)
fn morning(day: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, day, 15, 31, 0).unwrap()
}

/// An app started at dawn on `day`, its plan made, at 10:31 New York time.
async fn started(day: u32) -> TestApp {
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, day, 11, 0, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    app.clock.set(morning(day));
    app
}

/// The question `rep` received last: its text and buttons.
fn last_question(app: &TestApp, rep: &str) -> (String, Vec<Value>) {
    let post = app
        .slack
        .posts()
        .into_iter()
        .rfind(|p| p.channel == format!("D{rep}") && p.text.starts_with("*Quick check"))
        .unwrap_or_else(|| panic!("a question to {rep}"));
    let buttons = post.buttons();
    (post.text, buttons)
}

fn questions_to(app: &TestApp, rep: &str) -> usize {
    app.slack
        .posts()
        .iter()
        .filter(|p| p.channel == format!("D{rep}") && p.text.starts_with("*Quick check"))
        .count()
}

async fn tap(app: &TestApp, rep: &str, button: &Value, original: &str, id: &str) -> String {
    let payload = json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": rep, "team_id": "T0001" },
        "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
        "container": { "type": "message", "message_ts": "1.2", "channel_id": format!("D{rep}"), "is_ephemeral": false },
        "message": { "type": "message", "ts": "1.2", "text": original },
        "response_url": format!("{}/response/{id}", app.slack.base_url),
        "actions": [{ "type": "button", "action_id": button["action_id"], "block_id": "b", "value": button["value"], "action_ts": "1.3" }]
    });
    assert_eq!(app.interact(&payload).await.status(), 200);
    let method = format!("response_url/{id}");
    let calls = app.slack.wait_for(&method, 1).await;
    calls[0].body["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn choice(buttons: &[Value], right: bool) -> Value {
    let correct = "The buyer's current process, in their words";
    buttons
        .iter()
        .find(|b| (b["text"]["text"] == correct) == right)
        .cloned()
        .expect("a button")
}

#[tokio::test]
async fn a_wrong_answer_comes_back_sooner_than_a_right_one_and_the_first_tap_counts() {
    let app = started(19).await;
    app.tick().await;
    let (dana_text, dana_buttons) = last_question(&app, DANA);
    let (sam_text, sam_buttons) = last_question(&app, SAM);
    assert!(
        dana_text.contains("what do you confirm first?") && sam_text == dana_text,
        "both start on the weakest skill's first question: {dana_text}"
    );
    assert_eq!(dana_buttons.len(), 4, "one button per choice");
    assert!(dana_buttons.iter().all(|b| b["action_id"] == "quiz_answer"));

    // Dana taps a wrong answer, Sam the right one: each message says so in place, with why.
    let told = tap(
        &app,
        DANA,
        &choice(&dana_buttons, false),
        &dana_text,
        "dana",
    )
    .await;
    assert!(
        told.starts_with(&dana_text) && told.contains("❌ *Not quite.*"),
        "{told}"
    );
    assert!(told.contains("the answer is *The buyer's current process, in their words*"));
    assert!(
        told.contains("Situation comes first"),
        "the explanation: {told}"
    );
    let told = tap(&app, SAM, &choice(&sam_buttons, true), &sam_text, "sam").await;
    assert!(told.contains("✅ *Right:*"), "{told}");

    // A second tap changes nothing: Dana is told the first answer counts.
    let again = tap(
        &app,
        DANA,
        &choice(&dana_buttons, true),
        &dana_text,
        "again",
    )
    .await;
    assert!(
        again.contains("You answered this one already") && again.contains("first answer counts"),
        "{again}"
    );
    let csv = app.export_csv("reinforcement");
    assert!(
        csv.starts_with("rep,question,skill,asked_at,answered_at,choice,correct,next_due\n"),
        "{csv}"
    );
    let rows = app.export("reinforcement");
    let row = |rep: &str| {
        rows.iter()
            .find(|r| &r[0] == rep)
            .unwrap_or_else(|| panic!("{rep}'s row in {csv}"))
            .clone()
    };
    let (dana, sam) = (row(DANA), row(SAM));
    assert_eq!((&dana[1], &dana[2]), ("discovery-order", "discovery"));
    assert_eq!(&dana[3], "2027-01-19T15:30:00Z");
    assert_eq!((&dana[6], &sam[6]), ("false", "true"));
    assert!(dana[7] < sam[7], "wrong is due sooner: {csv}");

    // The next morning Dana gets it again; Sam, who knew it, a question on another skill.
    app.clock.set(morning(20));
    app.tick().await;
    let (dana_next, _) = last_question(&app, DANA);
    let (sam_next, _) = last_question(&app, SAM);
    assert_eq!(
        dana_next, dana_text,
        "the slipped question comes back first"
    );
    assert_ne!(sam_next, dana_text);
    // A day holds one question however often the scheduler runs.
    app.tick().await;
    assert_eq!(questions_to(&app, DANA), 2);
}

#[tokio::test]
async fn a_rep_away_gets_no_questions_until_back() {
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 19, 11, 0, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    let reply = app.reply(DANA, "/sko", "pause until 2027-01-22").await;
    assert!(reply.contains("no prompts, questions,"), "{reply}");
    // The plan is remade at once, as a running scheduler's next second would.
    app.tick().await;
    for day in [19, 20, 21] {
        app.clock.set(morning(day));
        app.tick().await;
    }
    assert_eq!(questions_to(&app, DANA), 0, "nothing while away");
    assert!(questions_to(&app, SAM) >= 2, "the others go on");
    app.clock.set(morning(22));
    app.tick().await;
    assert_eq!(questions_to(&app, DANA), 1, "back: one a day again");
}
