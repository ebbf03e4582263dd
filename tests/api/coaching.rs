//! `/coach`: a manager logs a coaching conversation with one of their reps, who is told in a
//! DM; nobody else may; the admin's report counts it per manager; the export lists it.

use chrono::{TimeZone, Utc};

use super::helpers::*;

const PRIYA: &str = "U0MGREAST"; // Dana's manager
const DIEGO: &str = "U0MGRWEST"; // Taylor's manager
const ADMIN: &str = "U0ADMIN01";

async fn coached(app: &TestApp) -> Vec<csv::StringRecord> {
    app.export("coaching")
}

#[tokio::test]
async fn a_manager_coaches_their_rep_who_is_told_and_the_export_lists_it() {
    let app = TestApp::builder().spawn().await;

    let reply = app
        .reply(
            PRIYA,
            "/coach",
            "<@U0EAST001|dana> discovery asked two pain questions <b>before</b> pitching; next: quantify the impact",
        )
        .await;
    assert!(
        reply.starts_with("Logged coaching with <@U0EAST001> on Discovery: 4-question pain framework: “asked two pain questions &lt;b&gt;before&lt;/b&gt; pitching”"),
        "{reply}"
    );
    app.tick().await;
    let dm = app
        .slack
        .posts()
        .into_iter()
        .find(|p| {
            p.channel == "DU0EAST001" && p.key.as_deref().is_some_and(|k| k.starts_with("coached:"))
        })
        .expect("Dana is told");
    let labels: Vec<String> = dm
        .buttons()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels, ["Log practice"], "she can log practice from it");
    assert!(
        dm.text.starts_with("*<@U0MGREAST> coached you* on Discovery: 4-question pain framework: “asked two pain questions &lt;b&gt;before&lt;/b&gt; pitching”\nNext step: quantify the impact"),
        "{}",
        dm.text
    );

    let csv = app.export_csv("coaching");
    assert_eq!(
        csv.lines().next(),
        Some("coached_at,manager,rep,skill,criterion,note")
    );
    let rows = coached(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], PRIYA);
    assert_eq!(&rows[0][2], "U0EAST001");
    assert_eq!(&rows[0][3], "discovery");
    assert_eq!(
        &rows[0][5],
        "asked two pain questions <b>before</b> pitching"
    );

    // Dana's Home shows it.
    assert_eq!(
        app.event(&app_home_opened("EvHomeCoached", "U0EAST001"), None)
            .await
            .status(),
        200
    );
    let home = app.slack.wait_for("views.publish", 1).await;
    let blocks = home[0].body["view"]["blocks"].to_string();
    assert!(
        blocks.contains("*Your latest coaching* — Wed 13 Jan, <@U0MGREAST> on Discovery: 4-question pain framework"),
        "{blocks}"
    );

    // An admin may coach anyone.
    let by_admin = app.reply(ADMIN, "/coach", "<@U0WEST001> great call").await;
    assert!(
        by_admin.starts_with("Logged coaching with <@U0WEST001>"),
        "{by_admin}"
    );
    assert_eq!(coached(&app).await.len(), 2);
}

#[tokio::test]
async fn someone_elses_manager_and_a_rep_are_refused_and_nothing_is_stored() {
    let app = TestApp::builder().spawn().await;
    for (who, text, refusal) in [
        (
            DIEGO,
            "<@U0EAST001> good call",
            "Only <@U0MGREAST>, <@U0EAST001>'s manager, or an admin",
        ),
        (
            REP,
            "<@U0WEST001> good call",
            "Only <@U0MGRWEST>, <@U0WEST001>'s manager, or an admin",
        ),
        (
            PRIYA,
            "<@U0NOBODY> good call",
            "is not a rep in this program's roster",
        ),
        (
            PRIYA,
            "<@U0MGRWEST> good call",
            "is not a rep in this program's roster",
        ),
        (PRIYA, "dana good call", "Start with the rep you coached"),
    ] {
        let reply = app.reply(who, "/coach", text).await;
        assert!(reply.contains(refusal), "{who} {text}: {reply}");
    }
    assert!(coached(&app).await.is_empty(), "nothing stored");
    app.tick().await;
    assert!(
        !app.slack
            .posts()
            .iter()
            .any(|p| p.key.as_deref().is_some_and(|k| k.starts_with("coached:"))),
        "nobody told"
    );
    assert!(
        app.reply(PRIYA, "/coach", "help")
            .await
            .starts_with("*/coach*")
    );
}

#[tokio::test]
async fn the_admins_report_counts_coaching_per_manager_and_names_who_coached_nobody() {
    // Coached on Wednesday 20 Jan; the report of Monday 25 Jan, 08:01 New York.
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 20, 15, 0, 0).unwrap())
        .spawn()
        .await;
    app.reply(PRIYA, "/coach", "<@U0EAST001> objections acknowledge first")
        .await;
    app.reply(PRIYA, "/coach", "<@U0EAST002> ask for the impact")
        .await;
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 25, 13, 1, 0).unwrap());
    app.tick().await;
    let report = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == "DU0ADMIN01" && p.text.starts_with("*Program report"))
        .expect("the admin's report");
    assert!(
        report.text.contains("Coaching in the last 4 weeks: reps coached by their manager — <@U0MGREAST> 2 of 6 reps (2 conversations) · <@U0MGRWEST> 0 of 6 reps (0 conversations)"),
        "{}",
        report.text
    );
    assert!(
        report
            .text
            .contains("No coaching logged for 2 weeks: <@U0MGRWEST>."),
        "{}",
        report.text
    );
}

async fn submit_coaching(
    app: &TestApp,
    user: &str,
    values: serde_json::Value,
) -> reqwest::Response {
    app.submit_form(user, "coach_form", values).await
}

#[tokio::test]
async fn the_digest_leads_with_reps_to_coach_and_its_buttons_open_the_form_filled_in() {
    let app = TestApp::builder()
        .at(Utc.with_ymd_and_hms(2027, 1, 25, 13, 1, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    let digest = app
        .slack
        .posts()
        .into_iter()
        .find(|p| p.channel == "DU0MGREAST" && p.text.starts_with("*Weekly digest"))
        .expect("Priya's digest");
    assert!(
        digest.text.contains("*To coach this week*"),
        "{}",
        digest.text
    );
    let (buttons, menus): (Vec<_>, Vec<_>) = digest
        .buttons()
        .into_iter()
        .partition(|e| e["type"] == "button");
    assert_eq!(buttons.len(), 3, "the three to coach first: {buttons:?}");
    // Every other rep of the team is in one menu beside them, under the same action.
    let [menu] = &menus[..] else {
        panic!("one menu: {menus:?}")
    };
    assert_eq!(
        (&menu["type"], &menu["action_id"]),
        (
            &serde_json::json!("static_select"),
            &serde_json::json!("log_coaching")
        )
    );
    let options = menu["options"].as_array().unwrap();
    let team = digest.text.matches("<@").count();
    assert!(!options.is_empty() && options.len() + 3 <= team, "{menu}");
    assert!(
        options.iter().all(
            |o| o["text"]["text"].as_str().unwrap().starts_with("Coach ")
                && buttons.iter().all(|b| b["value"] != o["value"])
        ),
        "{menu}"
    );
    assert!(
        buttons.iter().all(|b| b["action_id"] == "log_coaching"
            && b["text"]["text"].as_str().unwrap().starts_with("Coach ")),
        "{buttons:?}"
    );

    // The button opens the form for that rep, the criterion to coach filled in.
    let button = &buttons[0];
    let rep = button["value"]
        .as_str()
        .unwrap()
        .split('|')
        .next()
        .unwrap()
        .to_string();
    let payload = serde_json::json!({
        "type": "block_actions", "team": { "id": "T0001" }, "user": { "id": PRIYA, "team_id": "T0001" }, "api_app_id": "A0APP",
        "token": "x", "trigger_id": "trigger-coach",
        "container": { "type": "message", "message_ts": "1.2", "channel_id": "D0X", "is_ephemeral": false },
        "message": { "type": "message", "ts": "1.2", "text": "digest" },
        "response_url": format!("{}/response/coach", app.slack.base_url),
        "actions": [{ "type": "button", "action_id": "log_coaching", "block_id": "b", "value": button["value"], "action_ts": "1.3" }]
    });
    assert_eq!(app.interact(&payload).await.status(), 200);
    let opened = app.slack.wait_for("views.open", 1).await;
    let view = &opened[0].body["view"];
    assert_eq!(view["callback_id"], "coach_form");
    assert_eq!(opened[0].body["trigger_id"], "trigger-coach");
    assert!(
        view["blocks"]
            .to_string()
            .contains(&format!("\"initial_user\":\"{rep}\"")),
        "{view}"
    );

    // Picking a rep from the menu opens the form for them.
    let option = &options[0];
    let from_menu = option["value"].as_str().unwrap().split('|').next().unwrap();
    let mut picked = payload.clone();
    picked["trigger_id"] = "trigger-menu".into();
    picked["actions"] = serde_json::json!([{ "type": "static_select", "action_id": "log_coaching", "block_id": "b",
        "selected_option": option, "action_ts": "1.4" }]);
    assert_eq!(app.interact(&picked).await.status(), 200);
    let opened = app.slack.wait_for("views.open", 2).await;
    assert_eq!(opened[1].body["trigger_id"], "trigger-menu");
    assert!(
        opened[1].body["view"]["blocks"]
            .to_string()
            .contains(&format!("\"initial_user\":\"{from_menu}\"")),
        "{}",
        opened[1].body["view"]
    );

    // Submitted without a note: the form says so and stays open.
    let pick =
        |v: &str| serde_json::json!({ "value": { "type": "users_select", "selected_user": v } });
    let text = |v: &str| serde_json::json!({ "value": { "type": "plain_text_input", "value": v } });
    let missing = submit_coaching(&app, PRIYA, serde_json::json!({ "rep": pick(&rep) })).await;
    let errors: serde_json::Value = missing.json().await.unwrap();
    assert!(errors["errors"]["note"].is_string(), "{errors}");

    let saved = submit_coaching(
        &app,
        PRIYA,
        serde_json::json!({ "rep": pick(&rep), "note": text("Walked through your last call"), "next_step": text("Two calls with the impact question") }),
    )
    .await;
    assert_eq!(
        saved.text().await.unwrap(),
        "",
        "the form closes: it was saved"
    );
    let rows = app.export("coaching");
    assert_eq!((&rows[0][1], &rows[0][2]), (PRIYA, rep.as_str()));
    // Diego cannot coach Priya's rep through the form either.
    let refused = submit_coaching(
        &app,
        DIEGO,
        serde_json::json!({ "rep": pick(&rep), "note": text("x") }),
    )
    .await;
    let refused: serde_json::Value = refused.json().await.unwrap();
    assert!(
        refused["errors"]["rep"]
            .as_str()
            .unwrap()
            .starts_with("Only <@U0MGREAST>"),
        "refused in the form: {refused}"
    );
    assert_eq!(app.export("coaching").len(), 1, "nothing stored for Diego");

    // `/coach` alone opens the same form, empty.
    let response = app
        .post_signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            command_body(PRIYA, "/coach", ""),
        )
        .await;
    assert_eq!(response.text().await.unwrap(), "");
    let opened = app.slack.wait_for("views.open", 3).await;
    assert_eq!(opened[2].body["view"]["callback_id"], "coach_form");
}
