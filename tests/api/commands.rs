//! Slash commands as a rep uses them, and what they read back.

use super::helpers::*;

#[tokio::test]
async fn a_commitment_is_recorded_with_its_target_due_day_and_sprint_week() {
    let app = TestApp::builder().spawn().await;

    let reply = app
        .reply(
            REP,
            "/commit",
            "20 discovery calls with the 4-question pain framework by Friday",
        )
        .await;

    assert!(
        reply.starts_with("Recorded: commitment #1 — 20 discovery calls"),
        "{reply}"
    );
    assert!(reply.contains("target 20 discovery calls"), "{reply}");
    assert!(reply.contains("due Fri 15 Jan"), "{reply}");
    assert!(reply.contains("performance"), "{reply}");
    assert!(reply.contains("week 1 — Application"), "{reply}");
    assert!(
        !reply.contains("roster"),
        "a rostered rep gets no roster note: {reply}"
    );
}

#[tokio::test]
async fn commitments_are_listed_closed_edited_and_dropped_by_short_id() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    app.reply(REP, "/commit", "3 conversations using the new questions")
        .await;
    app.reply(REP, "/commit", "listen more than I talk").await;

    let list = app.reply(REP, "/commit", "list").await;
    assert!(list.contains("Your open commitments (3)"), "{list}");
    assert!(list.contains("*#2* 3 conversations"), "{list}");

    let done = app.reply(REP, "/commit", "done 1").await;
    assert!(done.starts_with("Done: #1 — 20 discovery calls"), "{done}");
    let again = app.reply(REP, "/commit", "done #1").await;
    assert!(again.contains("#1 is already done"), "{again}");

    let edited = app
        .reply(REP, "/commit", "edit 2 5 conversations by Thursday")
        .await;
    assert!(
        edited.contains("Updated #2 — 5 conversations by Thursday"),
        "{edited}"
    );
    assert!(edited.contains("due Thu 14 Jan"), "{edited}");

    let dropped = app.reply(REP, "/commit", "drop 3").await;
    assert!(dropped.starts_with("Dropped #3"), "{dropped}");

    let list = app.reply(REP, "/commit", "list").await;
    assert!(list.contains("Your open commitments (1)"), "{list}");
    assert!(
        list.contains("*#2* 5 conversations by Thursday — due Thu 14 Jan"),
        "{list}"
    );
    assert!(!list.contains("#1") && !list.contains("#3"), "{list}");
}

#[tokio::test]
async fn a_rep_cannot_close_another_reps_commitment() {
    let app = TestApp::builder().spawn().await;
    app.reply(REP, "/commit", "20 discovery calls").await;

    let reply = app.reply(PARTNER, "/commit", "done 1").await;

    assert!(reply.contains("You have no commitment #1"), "{reply}");
    let list = app.reply(REP, "/commit", "list").await;
    assert!(list.contains("Your open commitments (1)"), "{list}");
}

#[tokio::test]
async fn a_pressure_plan_says_when_it_will_come_back() {
    let app = TestApp::builder().spawn().await;

    let reply = app
        .reply(
            REP,
            "/commit",
            "pressure when a late-stage deal slips I re-run discovery before discounting",
        )
        .await;

    assert!(
        reply.contains("Recorded: commitment #1 — when a late-stage deal slips"),
        "{reply}"
    );
    assert!(reply.contains("pressure"), "{reply}");
    assert!(
        reply.contains("pressure weeks (week 11, week 12)"),
        "{reply}"
    );
}

#[tokio::test]
async fn help_explains_the_command() {
    let app = TestApp::builder().spawn().await;
    for text in ["help", "?"] {
        let commit = app.reply(REP, "/commit", text).await;
        assert!(
            commit.contains("/commit list") && commit.contains("/commit done 3"),
            "{commit}"
        );
        let practice = app.reply(REP, "/practice", text).await;
        assert!(
            practice.contains("/practice list") && practice.contains("`discovery` — Discovery"),
            "{practice}"
        );
    }
}

#[tokio::test]
async fn practice_is_logged_and_listed_for_the_week() {
    let app = TestApp::builder().spawn().await;

    let reply = app
        .reply(
            REP,
            "/practice",
            "discovery with <@U0WEST001|taylor> score 4 live asked all four pain questions",
        )
        .await;
    assert!(
        reply.starts_with(
            "Recorded: *Discovery: 4-question pain framework* · live deal · with <@U0WEST001> · 4/5"
        ),
        "{reply}"
    );
    assert!(
        reply.contains("Notes: asked all four pain questions"),
        "{reply}"
    );
    app.reply(REP, "/practice", "objection handling roleplay 3/5")
        .await;

    let list = app.reply(REP, "/practice", "list").await;
    assert!(
        list.contains("Your practice this week (2, 1 in live deals)"),
        "{list}"
    );
    assert!(
        list.contains("Wed 13 Jan — *Objection handling* · role-play · 3/5"),
        "{list}"
    );

    let partner_list = app.reply(PARTNER, "/practice", "list").await;
    assert!(
        partner_list.contains("No practice logged since Monday"),
        "{partner_list}"
    );
}

#[tokio::test]
async fn an_unknown_skill_gets_the_list_of_skills() {
    let app = TestApp::builder().spawn().await;

    let reply = app.reply(REP, "/practice", "negotiation score 3").await;

    assert!(
        reply.contains("I don't know the skill `negotiation`"),
        "{reply}"
    );
    for id in ["discovery", "objections", "competitive", "next-steps"] {
        assert!(reply.contains(&format!("`{id}`")), "{reply}");
    }
    assert!(
        app.reply(REP, "/practice", "list")
            .await
            .contains("No practice logged")
    );
}

#[tokio::test]
async fn someone_outside_the_roster_is_recorded_and_told_so() {
    let app = TestApp::builder().spawn().await;

    let reply = app.reply(STRANGER, "/commit", "10 calls").await;
    assert!(reply.starts_with("Recorded: commitment #1"), "{reply}");
    assert!(
        reply.contains("not in this program's roster yet"),
        "{reply}"
    );
    assert!(reply.contains(STRANGER), "{reply}");

    let practice = app.reply(STRANGER, "/practice", "discovery").await;
    assert!(
        practice.contains("not in this program's roster yet"),
        "{practice}"
    );

    let list = app.reply(STRANGER, "/commit", "list").await;
    assert!(list.contains("*#1* 10 calls"), "{list}");
}

#[tokio::test]
async fn commitments_sent_at_once_each_get_their_own_short_id() {
    let app = TestApp::builder().spawn().await;

    // Sent together, so the bot writes them in groups: every one still gets its own number.
    let sends = (0..24).map(|i| {
        let user = if i % 3 == 0 { STRANGER } else { REP };
        let app = &app;
        async move {
            (
                user,
                i,
                app.reply(user, "/commit", &format!("{i} calls")).await,
            )
        }
    });
    let replies = futures_util::future::join_all(sends).await;

    for user in [REP, STRANGER] {
        let list = app.reply(user, "/commit", "list").await;
        let mut numbers = Vec::new();
        for (_, i, reply) in replies.iter().filter(|(u, ..)| *u == user) {
            let number: u32 = reply
                .strip_prefix("Recorded: commitment #")
                .and_then(|r| r.split_once(" — "))
                .filter(|(_, text)| text.starts_with(&format!("{i} calls")))
                .and_then(|(n, _)| n.parse().ok())
                .unwrap_or_else(|| panic!("{reply}"));
            assert!(list.contains(&format!("*#{number}* {i} calls")), "{list}");
            numbers.push(number);
        }
        numbers.sort_unstable();
        let expected: Vec<u32> = (1..=numbers.len() as u32).collect();
        assert_eq!(numbers, expected, "{user}");
    }
}

#[tokio::test]
async fn mistakes_get_an_example_and_nothing_is_recorded() {
    let app = TestApp::builder().spawn().await;
    let cases = [
        ("/commit", "done", "Which commitment?"),
        ("/commit", "done seven", "not a commitment number"),
        (
            "/commit",
            "edit 1",
            "What should commitment #1 say instead?",
        ),
        ("/practice", "discovery score 9", "1 to 5"),
        (
            "/practice",
            "discovery with @dana",
            "couldn't tell who @dana is",
        ),
        (
            "/practice",
            "discovery with <@U0WEST001",
            "`with` needs a person",
        ),
    ];
    for (command, text, problem) in cases {
        let reply = app.reply(REP, command, text).await;
        assert!(reply.contains(problem), "{command} {text:?}: {reply}");
        assert!(
            reply.contains("For example: `/"),
            "{command} {text:?}: {reply}"
        );
    }
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("no open commitments")
    );
    assert!(
        app.reply(REP, "/practice", "list")
            .await
            .contains("No practice logged")
    );
}

#[tokio::test]
async fn hostile_text_gets_a_clear_answer_never_a_server_error() {
    let app = TestApp::builder().spawn().await;
    let long = "9".repeat(5_000);
    let cases = [
        ("/commit", long.as_str(), Some("5000 characters")),
        ("/practice", long.as_str(), Some("5000 characters")),
        ("/commit", "20 calls'); DROP TABLE commitments;--", None),
        (
            "/commit",
            "edit 99 ' OR 1=1 --",
            Some("You have no commitment #99"),
        ),
        ("/commit", "3 démos für 👩‍💼 by Freitag", None),
        ("/commit", "<!channel> & <https://evil.example|click>", None),
        ("/practice", "\u{0}\u{202e}discovery", None),
        ("/practice", "<@", None),
        (
            "/commit",
            "done 18446744073709551616",
            Some("not a commitment number"),
        ),
        ("/kickoff", "now", Some("I don't handle `/kickoff`")),
    ];
    for (command, text, expected) in cases {
        let reply = app.reply(REP, command, text).await;
        if let Some(expected) = expected {
            assert!(reply.contains(expected), "{command} {text:?}: {reply}");
        }
    }

    let list = app.reply(REP, "/commit", "list").await;
    assert!(
        list.contains("20 calls'); DROP TABLE commitments;--"),
        "stored verbatim: {list}"
    );
    assert!(list.contains("3 démos für 👩‍💼 by Freitag"), "{list}");
    assert!(
        list.contains("&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;"),
        "user text cannot ping a channel or hide a link: {list}"
    );
}

#[tokio::test]
async fn due_days_and_weeks_follow_the_reps_own_calendar() {
    let app = TestApp::builder().spawn().await;
    // Monday 18 Jan is a holiday (MLK Day); Tuesday 19 Jan, 09:00 in New York is week 2.
    app.clock
        .set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 1, 19, 14, 0, 0).unwrap());

    let reply = app
        .reply(
            REP,
            "/commit",
            "book 30 minutes with my partner by end of week",
        )
        .await;
    assert!(reply.contains("week 2 — Refinement"), "{reply}");
    assert!(reply.contains("due Fri 22 Jan"), "{reply}");

    // Riya works from Kolkata: at the same instant it is already Tuesday evening there, and
    // "tomorrow" is her Wednesday.
    let reply = app
        .reply("U0EAST005", "/commit", "2 role-plays by tomorrow")
        .await;
    assert!(reply.contains("due Wed 20 Jan"), "{reply}");
}

#[tokio::test]
async fn a_command_that_meets_a_database_locked_by_another_process_is_told_nothing_was_saved() {
    // SQLite's: another process holds the write lock for longer than a command may wait.
    let app = TestApp::builder().on(Backend::Sqlite).spawn().await;
    let mut blocker = write_lock_held_elsewhere(&app).await;

    let started = std::time::Instant::now();
    let reply = app
        .reply(REP, "/commit", "20 discovery calls by Friday")
        .await;
    let waited = started.elapsed();

    assert!(
        waited < std::time::Duration::from_secs(3),
        "Slack's deadline is 3 s; took {waited:?}"
    );
    assert!(reply.contains("nothing was saved"), "{reply}");
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("no open commitments"),
        "and nothing was saved later"
    );
}

#[tokio::test]
async fn a_slow_command_is_acknowledged_in_time_and_answered_through_response_url() {
    use sqlx::Connection;
    // PostgreSQL's: a row lock another session holds makes the write wait, as long as it takes.
    let Some(backend) = Backend::each()
        .into_iter()
        .find(|b| *b == Backend::Postgres)
    else {
        return;
    };
    let app = TestApp::builder()
        .on(backend)
        .at(wednesday_week_one())
        .spawn()
        .await;
    let mut blocker = sqlx::PgConnection::connect(app.database_url.expose())
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut blocker).await.unwrap();
    sqlx::query("LOCK TABLE commitments IN EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await
        .unwrap();
    let response_url = format!("{}/response/slow", app.slack.base_url);
    let body = command_body_answering_to(
        REP,
        "/commit",
        "20 discovery calls by Friday",
        &response_url,
    );

    let started = std::time::Instant::now();
    let response = app
        .post_signed("/slack/commands", "application/x-www-form-urlencoded", body)
        .await;
    let waited = started.elapsed();

    assert_eq!(response.status(), 200);
    assert!(
        waited < std::time::Duration::from_secs(3),
        "Slack's deadline is 3 s; took {waited:?}"
    );
    let reply: serde_json::Value = response.json().await.unwrap();
    assert!(
        reply["text"].as_str().unwrap().contains("Working on it"),
        "{reply}"
    );

    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    let followups = app.slack.wait_for("response_url/slow", 1).await;
    let text = followups[0].body["text"].as_str().unwrap();
    assert!(
        text.starts_with("Recorded: commitment #1 — 20 discovery calls by Friday"),
        "{text}"
    );
    assert!(
        app.reply(REP, "/commit", "list")
            .await
            .contains("*#1* 20 discovery calls")
    );
}
