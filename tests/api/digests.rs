//! Managers' digests and admins' exports, from activity recorded through real commands.

use chrono::{TimeZone, Utc};

use super::helpers::*;

const DANA: &str = "U0EAST001";
const JAMIE_WEST: &str = "U0WEST002";

/// Dana works through week 2; Jamie (another manager's rep) practises too.
async fn app_with_a_week_of_activity() -> TestApp {
    let tuesday_week_two = Utc.with_ymd_and_hms(2027, 1, 19, 15, 0, 0).unwrap();
    let app = TestApp::builder().at(tuesday_week_two).spawn().await;
    app.reply(DANA, "/commit", "20 discovery calls by Friday")
        .await;
    app.reply(DANA, "/commit", "done 1").await;
    app.reply(
        DANA,
        "/practice",
        "discovery with <@U0WEST001|taylor> score 4 live",
    )
    .await;
    app.reply(DANA, "/practice", "objections 2/5").await;
    app.reply(JAMIE_WEST, "/practice", "discovery live").await;
    app
}

#[tokio::test]
async fn a_manager_gets_a_monday_digest_of_their_own_reps_only() {
    let app = app_with_a_week_of_activity().await;
    // Monday 25 Jan, 08:01 in New York: Priya's digest and the admin's report are due.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 25, 13, 1, 0).unwrap());

    app.tick().await;

    let posts = app.slack.posts();
    let digest = posts
        .iter()
        .find(|p| p.channel == "DU0MGREAST")
        .expect("Priya's digest");
    let text = &digest.text;
    assert!(
        text.starts_with("*Weekly digest — week 2 (Refinement)*"),
        "{text}"
    );
    assert!(text.contains("Team this week: 1 commitment made (+1 vs last week), 1 done · 2 practice reps (+2 vs last week), 1 in live deals"), "{text}");
    // The quiet reps come first, to coach; Dana, practising, gets a line.
    assert!(
        text.contains("*To coach this week* (the buttons below open the coaching form):\n• <@U0EAST002>: quiet, not coached yet → Discovery: 4-question pain framework, *Situation*"),
        "{text}"
    );
    assert!(
        text.contains("*The rest of the team* (the menu below logs coaching for any of them)\n<@U0EAST001> — 1 made · 1 done · 2 practice reps (1 live) · check-ins 0/0 · rubric 3.0 · not coached yet"),
        "{text}"
    );
    assert!(
        text.contains("Quiet for 5+ working days: <@U0EAST002>"),
        "Sam did nothing: {text}"
    );
    assert!(
        !text.contains("U0WEST"),
        "another manager's reps never appear: {text}"
    );
    let report = posts
        .iter()
        .find(|p| p.channel == "DU0ADMIN01")
        .expect("the admin's report");
    assert!(
        report.text.starts_with("*Program report"),
        "{}",
        report.text
    );
    assert!(
        !posts.iter().any(|p| p.channel == "DU0MGRWEST"),
        "Diego's Monday 08:00 is in Los Angeles, hours later"
    );

    // A second later, Priya gets a chart in the same DM, uploaded as Slack asks for files.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 25, 13, 1, 1).unwrap());
    app.tick().await;
    let files = app.slack.shared_files();
    let chart = |channel: &str| files.iter().find(|f| f.2 == channel);
    let (_, title, _, bytes) = chart("DU0MGREAST").expect("Priya's chart");
    assert_eq!(title, "Your team's practice by week");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG file");
    // No checkpoint has figures before day 30: no adoption chart, never empty axes.
    assert!(chart("DU0ADMIN01").is_none(), "{files:?}");
    assert_eq!(files.len(), 1, "{files:?}");
    let asked = app.slack.calls_to("files.getUploadURLExternal");
    assert!(asked.iter().all(|c| {
        c.body["filename"]
            .as_str()
            .is_some_and(|f| f.starts_with("2027-01-25-"))
    }));
    // Restarted, nothing is uploaded twice.
    let (dir, slack) = app.stop().await;
    let app = TestApp::builder()
        .dir(dir)
        .slack(slack)
        .at(Utc.with_ymd_and_hms(2027, 1, 25, 13, 2, 0).unwrap())
        .spawn()
        .await;
    app.tick().await;
    assert_eq!(app.slack.shared_files().len(), 1);
}

#[tokio::test]
async fn admins_export_commitments_practice_checkins_and_deliveries_as_csv() {
    let app = app_with_a_week_of_activity().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 25, 13, 1, 0).unwrap());
    app.tick().await;

    let commitments = app.export("commitments");
    assert_eq!(commitments.len(), 1);
    let c = &commitments[0];
    assert_eq!(
        (&c[0], &c[1], &c[2], &c[3]),
        (DANA, "Dana Whitfield", "East", "U0MGREAST")
    );
    assert_eq!(
        (&c[5], &c[6], &c[7], &c[8], &c[9]),
        (
            "performance",
            "done",
            "20 discovery calls by Friday",
            "20",
            "discovery calls"
        )
    );

    let practice = app.export("practice");
    assert_eq!(practice.len(), 3);
    assert_eq!(
        (
            &practice[0][3],
            &practice[0][5],
            &practice[0][6],
            &practice[0][7]
        ),
        ("discovery", "live", "U0WEST001", "4")
    );

    let deliveries = app.export("deliveries");
    assert!(
        deliveries
            .iter()
            .any(|d| &d[1] == "digest" && &d[3] == "U0MGREAST" && &d[7] == "sent"),
        "{deliveries:?}"
    );

    let checkins = app.export("checkins");
    assert!(checkins.is_empty(), "no check-in was due yet");
}

#[tokio::test]
async fn what_a_rep_wrote_reaches_every_message_as_text_never_as_a_link() {
    // Monday of week 1, 07:00 in New York, before Dana's 08:30 prompt.
    let monday = Utc.with_ymd_and_hms(2027, 1, 11, 12, 0, 0).unwrap();
    let app = TestApp::builder().at(monday).spawn().await;
    let disguised = "<https://evil.example|your CRM>";
    let reply = app
        .reply(
            DANA,
            "/commit",
            &format!("log every call in {disguised} by Friday"),
        )
        .await;
    assert!(reply.contains("Recorded"), "{reply}");
    app.reply(
        DANA,
        "/practice",
        &format!("discovery live the buyer said {disguised} is their blocker"),
    )
    .await;

    // The prompt names her open commitment; Priya's digest quotes it and the deal note.
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 11, 13, 31, 0).unwrap());
    app.tick().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2027, 1, 19, 13, 1, 0).unwrap());
    app.tick().await;
    let posts = app.slack.posts();
    let prompt = posts
        .iter()
        .find(|p| p.channel == "DU0EAST001" && p.text.contains("open commitments"))
        .expect("Dana's prompt");
    let digest = posts
        .iter()
        .find(|p| p.channel == "DU0MGREAST" && p.text.starts_with("*Weekly digest"))
        .expect("Priya's digest");
    let escaped = "&lt;https://evil.example|your CRM&gt;";
    for (what, text) in [("prompt", &prompt.text), ("digest", &digest.text)] {
        assert!(text.contains(escaped), "{what}: {text}");
        assert!(!text.contains(disguised), "{what}: {text}");
    }
    assert!(
        digest
            .text
            .contains("• #1 “log every call in &lt;https://evil.example|your CRM&gt; by Friday”"),
        "{}",
        digest.text
    );
    assert!(digest.text.contains("Latest live deal"), "{}", digest.text);

    let before = app.slack.calls_to("views.publish").len();
    app.event(&app_home_opened("Ev0ESC1", DANA), None).await;
    let home = app.slack.wait_for("views.publish", before + 1).await;
    let view = home.last().unwrap().body["view"].to_string();
    assert!(view.contains(escaped), "{view}");
    assert!(!view.contains(disguised), "{view}");
}
